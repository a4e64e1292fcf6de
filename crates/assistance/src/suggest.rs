//! Postings suggested for a job referral (岗位推介): open postings the
//! graduate's education level may take, ranked by how well they fit its
//! major, the regions and the kinds of post it wants. Pure: the candidates
//! and what is known of the graduate come in, the ranked ids go out.

/// What is known of the graduate for matching.
#[derive(Debug, Clone, Default)]
pub struct Wants {
    /// The major's catalogue code (080902).
    pub major_code: String,
    /// The level as a code of `major_level` (2: 本科), as postings ask for it.
    pub level: String,
    /// Region codes it wants to work in (430000, 430100, …).
    pub regions: Vec<String>,
    /// Position category codes it wants.
    pub positions: Vec<String>,
}

/// An open posting as the matcher sees it.
#[derive(Debug, Clone, Default)]
pub struct Candidate {
    pub id: i64,
    /// The level asked for; `None`: any.
    pub level: Option<String>,
    pub position_code: String,
    pub regions: Vec<String>,
    /// Majors asked for; none: any major (不限).
    pub majors: Vec<String>,
}

/// Why a posting is suggested.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Why {
    /// It asks for the graduate's major.
    Major,
    /// It takes any major.
    AnyMajor,
    /// It is in a region the graduate wants.
    Region,
    /// It is a kind of post the graduate wants.
    Position,
}

impl Why {
    fn weight(self) -> u32 {
        match self {
            Why::Major => 4,
            Why::Region => 2,
            Why::Position => 2,
            Why::AnyMajor => 1,
        }
    }
    pub fn label(self, l: kernel::Locale) -> &'static str {
        match self {
            Why::Major => l.pick("专业对口", "Wants the major"),
            Why::AnyMajor => l.pick("专业不限", "Any major"),
            Why::Region => l.pick("意向地区", "Wanted region"),
            Why::Position => l.pick("意向职位类别", "Wanted kind of post"),
        }
    }
}

/// A region code's significant prefix: 430000 → 43, 430100 → 4301.
pub fn region_prefix(code: &str) -> &str {
    let mut p = code.trim();
    while p.len() > 2 && p.ends_with("00") {
        p = &p[..p.len() - 2];
    }
    p
}

/// Whether a posting's region lies in (or is) a wanted region.
fn region_fits(posting: &str, wanted: &str) -> bool {
    let (p, w) = (region_prefix(posting), region_prefix(wanted));
    !w.is_empty() && p.starts_with(w)
}

/// The reasons one candidate fits; `None` when the graduate's level may not take it.
pub fn reasons(w: &Wants, c: &Candidate) -> Option<Vec<Why>> {
    if let Some(level) = &c.level {
        if !level.is_empty() && *level != w.level {
            return None;
        }
    }
    let mut why = Vec::new();
    if c.majors.is_empty() {
        why.push(Why::AnyMajor);
    } else if c.majors.contains(&w.major_code) {
        why.push(Why::Major);
    }
    if c.regions.iter().any(|r| w.regions.iter().any(|want| region_fits(r, want))) {
        why.push(Why::Region);
    }
    if w.positions.contains(&c.position_code) {
        why.push(Why::Position);
    }
    Some(why)
}

/// The best `most` candidates with their reasons, the weightiest first, the
/// newer (higher id) first among equals; a posting asking for other majors
/// only, and one the level may not take, are left out.
pub fn rank(w: &Wants, candidates: &[Candidate], most: usize) -> Vec<(i64, Vec<Why>)> {
    let mut scored: Vec<(u32, i64, Vec<Why>)> = candidates
        .iter()
        .filter_map(|c| {
            let why = reasons(w, c)?;
            let major_ok = why.iter().any(|y| matches!(y, Why::Major | Why::AnyMajor));
            major_ok.then(|| (why.iter().map(|y| y.weight()).sum(), c.id, why))
        })
        .collect();
    scored.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.cmp(&a.1)));
    scored.into_iter().take(most).map(|(_, id, why)| (id, why)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn candidate(id: i64, level: Option<&str>, position: &str, regions: &[&str], majors: &[&str]) -> Candidate {
        Candidate {
            id,
            level: level.map(str::to_owned),
            position_code: position.to_owned(),
            regions: regions.iter().map(|s| (*s).to_owned()).collect(),
            majors: majors.iter().map(|s| (*s).to_owned()).collect(),
        }
    }

    #[test]
    fn suggestions_fit_the_major_level_and_wishes() {
        let w = Wants {
            major_code: "080902".into(),
            level: "2".into(),
            regions: vec!["430100".into()],
            positions: vec!["20".into()],
        };
        let postings = [
            // Software engineering in Changsha (Yuelu district), a post it wants: the best fit.
            candidate(1, Some("2"), "20", &["430104"], &["080902"]),
            // Its major, elsewhere.
            candidate(2, None, "30", &["440300"], &["080902"]),
            // Any major, in Changsha.
            candidate(3, Some("2"), "30", &["430100"], &[]),
            // Postgraduates only: left out.
            candidate(4, Some("3"), "20", &["430104"], &["080902"]),
            // Other majors only: left out, even in Changsha.
            candidate(5, None, "20", &["430104"], &["100201"]),
        ];
        let ranked = rank(&w, &postings, 10);
        let ids: Vec<i64> = ranked.iter().map(|(id, _)| *id).collect();
        assert_eq!(ids, [1, 2, 3]);
        assert_eq!(ranked[0].1, [Why::Major, Why::Region, Why::Position]);
        assert_eq!(ranked[2].1, [Why::AnyMajor, Why::Region]);
        assert_eq!(rank(&w, &postings, 1).len(), 1);
    }

    #[test]
    fn a_province_wanted_takes_its_cities_not_its_neighbours() {
        assert!(region_fits("430104", "430000"));
        assert!(region_fits("430100", "430100"));
        assert!(!region_fits("440300", "430000"));
        assert!(!region_fits("430200", "430100"));
        assert!(!region_fits("430104", ""));
    }
}
