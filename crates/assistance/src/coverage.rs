//! Coverage of the service standard (服务标准覆盖): which of the standard's
//! items a graduate's ledger meets and how many entries it is short, and the
//! same summed over a helper's or an institution's graduates. Pure: the
//! standard and the counts come in, figures go out.

use std::collections::{BTreeMap, HashMap};

/// The standard: each kind of entry (a code of `assistance_kind`) and how many are required.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Standard {
    pub items: Vec<(String, u32)>,
}

impl Standard {
    /// "1131" and the like: the required counts in the items' order.
    pub fn label(&self) -> String {
        self.items.iter().map(|(_, n)| n.to_string()).collect()
    }
}

/// One item of the standard for one graduate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub kind: String,
    pub required: u32,
    pub done: u32,
}

impl Item {
    pub fn met(&self) -> bool {
        self.done >= self.required
    }
    pub fn short(&self) -> u32 {
        self.required.saturating_sub(self.done)
    }
}

/// A graduate's coverage: each item, in the standard's order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Coverage {
    pub items: Vec<Item>,
}

impl Coverage {
    /// Every item met (an empty standard is met).
    pub fn met(&self) -> bool {
        self.items.iter().all(Item::met)
    }
    /// Entries still missing over all items.
    pub fn short(&self) -> u32 {
        self.items.iter().map(Item::short).sum()
    }
    /// The share of required entries given, each item counted up to its requirement: 0 to 1.
    pub fn share(&self) -> f64 {
        let required: u32 = self.items.iter().map(|i| i.required).sum();
        if required == 0 {
            return 1.0;
        }
        let given: u32 = self.items.iter().map(|i| i.done.min(i.required)).sum();
        f64::from(given) / f64::from(required)
    }
}

/// A graduate's coverage from its entries counted by kind.
pub fn of_graduate(standard: &Standard, counts: &HashMap<String, u32>) -> Coverage {
    let items = standard
        .items
        .iter()
        .map(|(kind, required)| Item {
            kind: kind.clone(),
            required: *required,
            done: counts.get(kind).copied().unwrap_or(0),
        })
        .collect();
    Coverage { items }
}

/// Coverage summed over a group of graduates (a helper's, an institution's).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Aggregate {
    pub graduates: u32,
    /// Graduates meeting every item.
    pub covered: u32,
    /// Per item of the standard, in its order: graduates meeting it.
    pub per_item: Vec<u32>,
}

impl Aggregate {
    fn empty(standard: &Standard) -> Aggregate {
        Aggregate { graduates: 0, covered: 0, per_item: vec![0; standard.items.len()] }
    }
    fn add(&mut self, c: &Coverage) {
        self.graduates += 1;
        if c.met() {
            self.covered += 1;
        }
        for (n, item) in self.per_item.iter_mut().zip(&c.items) {
            if item.met() {
                *n += 1;
            }
        }
    }
    /// A part of the graduates as a percentage with one decimal, "—" of none.
    pub fn percent(&self, part: impl std::borrow::Borrow<u32>) -> String {
        match self.graduates {
            0 => "—".to_owned(),
            n => format!("{:.1}%", f64::from(*part.borrow()) * 100.0 / f64::from(n)),
        }
    }
    /// The share of graduates meeting every item, as [`Aggregate::percent`] writes it.
    pub fn covered_percent(&self) -> String {
        self.percent(self.covered)
    }
    pub fn covered_share(&self) -> f64 {
        match self.graduates {
            0 => 0.0,
            n => f64::from(self.covered) / f64::from(n),
        }
    }
}

/// Sums graduates' coverage by group: each graduate's group keys (a
/// graduate with two helpers counts for both) and its counts by kind.
pub fn aggregate<K: Ord + Clone>(
    standard: &Standard,
    graduates: impl IntoIterator<Item = (Vec<K>, HashMap<String, u32>)>,
) -> BTreeMap<K, Aggregate> {
    let mut groups: BTreeMap<K, Aggregate> = BTreeMap::new();
    for (keys, counts) in graduates {
        let c = of_graduate(standard, &counts);
        for key in keys {
            groups.entry(key).or_insert_with(|| Aggregate::empty(standard)).add(&c);
        }
    }
    groups
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn standard_1131() -> Standard {
        Standard { items: vec![("01".into(), 1), ("02".into(), 1), ("03".into(), 3), ("04".into(), 1)] }
    }

    fn counts(pairs: &[(&str, u32)]) -> HashMap<String, u32> {
        pairs.iter().map(|(k, n)| ((*k).to_owned(), *n)).collect()
    }

    #[test]
    fn a_graduate_meets_items_and_is_short_of_the_rest() {
        let s = standard_1131();
        assert_eq!(s.label(), "1131");
        // One briefing, two referrals, one subsidy (not in the standard).
        let c = of_graduate(&s, &counts(&[("01", 1), ("03", 2), ("06", 1)]));
        let met: Vec<bool> = c.items.iter().map(Item::met).collect();
        assert_eq!(met, [true, false, false, false]);
        assert_eq!(c.short(), 3, "guidance 1 + referral 1 + training 1");
        assert!(!c.met());
        assert!((c.share() - 3.0 / 6.0).abs() < 1e-9, "1 + 0 + 2 + 0 of 6");
        // More referrals than required count only up to three.
        let c = of_graduate(&s, &counts(&[("01", 2), ("02", 1), ("03", 7), ("04", 1)]));
        assert!(c.met());
        assert_eq!(c.short(), 0);
        assert!((c.share() - 1.0).abs() < 1e-9);
        assert!(of_graduate(&Standard::default(), &HashMap::new()).met(), "nothing required: met");
    }

    #[test]
    fn groups_sum_their_graduates() {
        let s = standard_1131();
        let full = counts(&[("01", 1), ("02", 1), ("03", 3), ("04", 1)]);
        let briefed = counts(&[("01", 1)]);
        let groups = aggregate(
            &s,
            vec![(vec!["张老师", "李老师"], full), (vec!["张老师"], briefed), (vec!["李老师"], HashMap::new())],
        );
        let zhang = &groups["张老师"];
        assert_eq!((zhang.graduates, zhang.covered), (2, 1));
        assert_eq!(zhang.per_item, [2, 1, 1, 1]);
        assert_eq!(zhang.percent(zhang.covered), "50.0%");
        let li = &groups["李老师"];
        assert_eq!((li.graduates, li.covered, li.per_item.clone()), (2, 1, vec![1, 1, 1, 1]));
        assert_eq!(Aggregate::default().percent(0), "—");
    }

    fn any_counts() -> impl Strategy<Value = HashMap<String, u32>> {
        proptest::collection::hash_map(prop::sample::select(vec!["01", "02", "03", "04", "05", "06"]), 0u32..6, 0..6)
            .prop_map(|m| m.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
    }

    fn any_standard() -> impl Strategy<Value = Standard> {
        proptest::collection::btree_map(prop::sample::select(vec!["01", "02", "03", "04", "05"]), 0u32..5, 0..5)
            .prop_map(|m| Standard { items: m.into_iter().map(|(k, v)| (k.to_owned(), v)).collect() })
    }

    proptest! {
        #[test]
        fn coverage_never_exceeds_the_whole(s in any_standard(), c in any_counts()) {
            let cov = of_graduate(&s, &c);
            prop_assert!(cov.share() <= 1.0 && cov.share() >= 0.0);
            let groups = aggregate(&s, vec![(vec![1], c.clone()), (vec![1], HashMap::new())]);
            let g = &groups[&1];
            prop_assert!(g.covered <= g.graduates);
            prop_assert!(g.per_item.iter().all(|n| *n <= g.graduates));
        }

        #[test]
        fn another_entry_never_lowers_coverage(s in any_standard(), c in any_counts(),
                                               kind in prop::sample::select(vec!["01", "02", "03", "04", "05", "06"])) {
            let before = of_graduate(&s, &c);
            let mut more = c.clone();
            *more.entry(kind.to_owned()).or_default() += 1;
            let after = of_graduate(&s, &more);
            prop_assert!(after.share() >= before.share());
            prop_assert!(after.short() <= before.short());
            prop_assert!(!before.met() || after.met());
            let met_before = before.items.iter().filter(|i| i.met()).count();
            prop_assert!(after.items.iter().filter(|i| i.met()).count() >= met_before);
        }
    }
}
