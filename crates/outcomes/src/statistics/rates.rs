//! The placement rate (毕业去向落实率) and its parts, under the definition bound
//! to the cohort. Pure arithmetic: which bucket a destination code falls in
//! comes from the code table (`bucket_2021` / `bucket_2024`), never from here.

use std::collections::BTreeMap;

use kernel::Locale;

/// A rate definition (落实率口径).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Definition {
    /// 教学厅函〔2021〕19号: 协议和合同就业率 + 创业率 + 灵活就业率 + 升学率.
    V2021,
    /// 教就业厅函〔2024〕11号: 单位就业率 + 自主创业率 + 自由职业率 + 升学率.
    V2024,
}

/// The bucket of graduates who are not placed, and of those with no record yet.
pub const NOT_PLACED: &str = "not_placed";

impl Definition {
    pub fn parse(s: &str) -> Option<Definition> {
        match s {
            "2021" => Some(Definition::V2021),
            "2024" => Some(Definition::V2024),
            _ => None,
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            Definition::V2021 => "2021",
            Definition::V2024 => "2024",
        }
    }

    /// The definition as a picker or a page names it, with the document that set it.
    pub fn title(self, l: Locale) -> &'static str {
        match self {
            Definition::V2021 => {
                l.pick("2021 口径（教学厅函〔2021〕19号）", "2021 definition (MOE General Office letter [2021] No. 19)")
            }
            Definition::V2024 => l.pick(
                "2024 口径（教就业厅函〔2024〕11号）",
                "2024 definition (MOE Employment Office letter [2024] No. 11)",
            ),
        }
    }

    /// The code-table column that holds this definition's buckets.
    pub fn bucket_column(self) -> &'static str {
        match self {
            Definition::V2021 => "bucket_2021",
            Definition::V2024 => "bucket_2024",
        }
    }

    /// The parts of the rate, in the order reports list them.
    pub fn parts(self) -> &'static [&'static str] {
        match self {
            Definition::V2021 => &["contract", "self_employed", "flexible", "further_study"],
            Definition::V2024 => &["unit_employed", "self_employed", "freelance", "further_study"],
        }
    }

    pub fn part_label(bucket: &str, l: Locale) -> &'static str {
        match bucket {
            "contract" => l.pick("协议和合同就业", "Agreement and contract"),
            "unit_employed" => l.pick("单位就业", "Employed by a unit"),
            "self_employed" => l.pick("自主创业", "Self-employed"),
            "flexible" => l.pick("灵活就业", "Flexible employment"),
            "freelance" => l.pick("自由职业", "Freelance"),
            "further_study" => l.pick("升学", "Further study"),
            _ => l.pick("未落实", "Not placed"),
        }
    }
}

/// Graduates of one group counted by bucket; graduates without a recorded
/// destination count as not placed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Tally {
    pub graduates: u64,
    pub by_bucket: BTreeMap<String, u64>,
}

impl Tally {
    /// Adds `count` graduates in `bucket` (`None`: no destination recorded).
    pub fn add(&mut self, bucket: Option<&str>, count: u64) {
        self.graduates += count;
        let bucket = bucket.unwrap_or(NOT_PLACED);
        // Looked up before an entry is made for it: a report adds a few buckets to each of thousands of groups.
        match self.by_bucket.get_mut(bucket) {
            Some(n) => *n += count,
            None => {
                self.by_bucket.insert(bucket.to_owned(), count);
            }
        }
    }

    pub fn merge(&mut self, other: &Tally) {
        self.graduates += other.graduates;
        for (bucket, n) in &other.by_bucket {
            *self.by_bucket.entry(bucket.clone()).or_default() += n;
        }
    }

    pub fn count(&self, bucket: &str) -> u64 {
        self.by_bucket.get(bucket).copied().unwrap_or(0)
    }

    /// Graduates placed under the definition: every part's count.
    pub fn placed(&self, d: Definition) -> u64 {
        d.parts().iter().map(|b| self.count(b)).sum()
    }

    /// A share of all graduates, 0 for an empty group.
    fn share(&self, n: u64) -> f64 {
        if self.graduates == 0 {
            0.0
        } else {
            n as f64 / self.graduates as f64
        }
    }

    /// The placement rate, 0..=1.
    pub fn rate(&self, d: Definition) -> f64 {
        self.share(self.placed(d))
    }

    /// One part of the rate, 0..=1.
    pub fn part(&self, bucket: &str) -> f64 {
        self.share(self.count(bucket))
    }
}

/// A rate as people read it: `87.35%`.
pub fn percent(x: f64) -> String {
    format!("{:.2}%", x * 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// 200 graduates: 90 agreement or contract, 10 self-employed, 30 flexible,
    /// 20 further study, 20 not placed, 30 with nothing recorded.
    fn fixture() -> Tally {
        let mut t = Tally::default();
        for (bucket, n) in [
            (Some("contract"), 90),
            (Some("self_employed"), 10),
            (Some("flexible"), 30),
            (Some("further_study"), 20),
            (Some(NOT_PLACED), 20),
            (None, 30),
        ] {
            t.add(bucket, n);
        }
        t
    }

    #[test]
    fn the_2021_definition_by_hand() {
        let t = fixture();
        assert_eq!(t.graduates, 200);
        assert_eq!(t.placed(Definition::V2021), 150);
        assert_eq!(t.rate(Definition::V2021), 0.75);
        assert_eq!(t.part("contract"), 0.45);
        assert_eq!(t.count(NOT_PLACED), 50);
        assert_eq!(percent(t.rate(Definition::V2021)), "75.00%");
    }

    #[test]
    fn the_2024_definition_by_hand() {
        // 12 (其他录用) moves to 单位就业 and 76 (自由职业) is its own part.
        let mut t = Tally::default();
        t.add(Some("unit_employed"), 7);
        t.add(Some("freelance"), 1);
        t.add(Some("further_study"), 1);
        t.add(None, 1);
        assert_eq!(t.rate(Definition::V2024), 0.9);
        assert_eq!(t.rate(Definition::V2021), 0.1, "2024 buckets mean nothing to the 2021 definition but 升学");
    }

    #[test]
    fn empty_groups_have_a_zero_rate() {
        let t = Tally::default();
        assert_eq!(t.rate(Definition::V2021), 0.0);
        assert_eq!(t.part("contract"), 0.0);
    }

    proptest! {
        #[test]
        fn parts_add_up_to_the_rate(counts in proptest::collection::vec((0usize..7, 0u64..10_000), 0..40), v2024 in any::<bool>()) {
            let d = if v2024 { Definition::V2024 } else { Definition::V2021 };
            let buckets = ["contract", "unit_employed", "self_employed", "flexible", "freelance", "further_study", NOT_PLACED];
            let mut t = Tally::default();
            for (b, n) in counts {
                t.add(Some(buckets[b]), n);
            }
            let sum: f64 = d.parts().iter().map(|b| t.part(b)).sum();
            prop_assert!((sum - t.rate(d)).abs() < 1e-9);
            prop_assert!(t.rate(d) <= 1.0);
            let mut merged = Tally::default();
            merged.merge(&t);
            prop_assert_eq!(merged, t);
        }
    }
}
