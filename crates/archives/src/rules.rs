//! The receiver of a graduate's archive (接收单位), proposed from its
//! destination; the transfer number (转递编号) with its check character; the
//! tracking sheet's columns. Pure: no database.

use kernel::web::allowance::Allowance;
use kernel::Locale;

/// The archives' code table of employer natures that receive archives
/// themselves (党政机关、事业单位、国有企业 with archive authority).
pub const DIRECT_NATURES: &str = "archive_direct_nature";

/// Checks of the public page per client address and hour.
pub const CHECKS: Allowance = Allowance { purpose: "archive_check", per_hour: 30 };

/// Who receives an archive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Receiver {
    /// The employer (or the admitting school) keeps it itself (用人单位直接接收).
    Direct { name: String },
    /// The talent service centre (公共就业人才服务机构) of a region.
    Centre { id: i64, name: String },
}

impl Receiver {
    pub fn kind(&self) -> &'static str {
        match self {
            Receiver::Direct { .. } => "direct",
            Receiver::Centre { .. } => "centre",
        }
    }

    pub fn name(&self) -> &str {
        match self {
            Receiver::Direct { name } | Receiver::Centre { name, .. } => name,
        }
    }

    pub fn centre(&self) -> Option<i64> {
        match self {
            Receiver::Centre { id, .. } => Some(*id),
            Receiver::Direct { .. } => None,
        }
    }
}

/// Why no receiver can be proposed (无有效接收单位的原因).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoReceiver {
    /// No destination recorded yet (待确认去向).
    NoDestination,
    /// An employer receiving directly, but its name is not recorded.
    NoEmployerName,
    /// No region to look a centre up by.
    NoRegion,
    /// No talent centre kept for the region, its city or its province.
    NoCentre,
}

impl NoReceiver {
    pub const ALL: [NoReceiver; 4] =
        [NoReceiver::NoDestination, NoReceiver::NoEmployerName, NoReceiver::NoRegion, NoReceiver::NoCentre];

    pub fn key(self) -> &'static str {
        match self {
            NoReceiver::NoDestination => "no_destination",
            NoReceiver::NoEmployerName => "no_employer_name",
            NoReceiver::NoRegion => "no_region",
            NoReceiver::NoCentre => "no_centre",
        }
    }

    pub fn parse(s: &str) -> Option<NoReceiver> {
        NoReceiver::ALL.into_iter().find(|r| r.key() == s)
    }

    pub fn told(self, l: Locale) -> &'static str {
        match self {
            NoReceiver::NoDestination => l.pick("尚未登记毕业去向", "No destination recorded yet"),
            NoReceiver::NoEmployerName => l.pick(
                "单位可直接接收档案，但未登记单位名称",
                "The employer receives directly but has no name recorded",
            ),
            NoReceiver::NoRegion => l.pick("缺少工作地或生源地区划", "No region of work or of origin"),
            NoReceiver::NoCentre => l.pick(
                "该地区（含所在市、省）未登记人才服务机构",
                "No talent centre kept for the region, its city or province",
            ),
        }
    }
}

/// What the proposal reads of a graduate.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    /// The destination category (毕业去向代码), empty when none is recorded.
    pub category: String,
    pub employer_name: String,
    /// The employer's nature (单位性质代码).
    pub nature: String,
    /// The region of work (工作地).
    pub work_region: String,
    /// The region of origin (生源地), where unplaced graduates' archives go.
    pub origin_region: String,
}

/// How the destination category places the archive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Placement {
    /// Working for an employer (or a grassroots programme, the army): the
    /// employer if it receives directly, else the centre of the place of work.
    Employed,
    /// Further study in China: the admitting school receives it.
    Study,
    /// Unplaced, flexible, self-employed or abroad: the centre of origin.
    Origin,
}

/// The national destination codes' families: 7x not placed or self-employed
/// and flexible (75-77), 80-84 study in China, 85 abroad, 99 other.
fn placement(category: &str) -> Placement {
    match category.get(..2).unwrap_or("") {
        "70" | "71" | "72" | "75" | "76" | "77" | "85" | "99" => Placement::Origin,
        "80" | "81" | "82" | "83" | "84" => Placement::Study,
        _ => Placement::Employed,
    }
}

/// The proposed receiver. `direct` are the natures that receive directly;
/// `centre_of` finds the centre kept for an exact region code.
pub fn propose(
    f: &Facts,
    direct: &[String],
    centre_of: impl Fn(&str) -> Option<(i64, String)>,
) -> Result<Receiver, NoReceiver> {
    if f.category.trim().is_empty() {
        return Err(NoReceiver::NoDestination);
    }
    let region = match placement(&f.category) {
        Placement::Study => {
            return match f.employer_name.trim() {
                "" => Err(NoReceiver::NoEmployerName),
                name => Ok(Receiver::Direct { name: name.to_owned() }),
            }
        }
        Placement::Employed if direct.contains(&f.nature) => {
            return match f.employer_name.trim() {
                "" => Err(NoReceiver::NoEmployerName),
                name => Ok(Receiver::Direct { name: name.to_owned() }),
            }
        }
        Placement::Employed if !f.work_region.trim().is_empty() => f.work_region.trim(),
        _ => f.origin_region.trim(),
    };
    if region.is_empty() {
        return Err(NoReceiver::NoRegion);
    }
    for candidate in region_ladder(region) {
        if let Some((id, name)) = centre_of(&candidate) {
            return Ok(Receiver::Centre { id, name });
        }
    }
    Err(NoReceiver::NoCentre)
}

/// What proposing a receiver for each of many transfers gives: (transfer id,
/// its receiver or why there is none), in the order given.
pub type Proposals = Vec<(i64, Result<Receiver, NoReceiver>)>;

/// Proposes a receiver for every (transfer id, facts) read in one pass, the
/// centres kept by region code: the same rule as [`propose`], for a whole
/// institution or the province at once.
pub fn propose_all(
    read: Vec<(i64, Facts)>,
    direct: &[String],
    centres: &std::collections::HashMap<String, (i64, String)>,
) -> Proposals {
    read.into_iter().map(|(id, f)| (id, propose(&f, direct, |code| centres.get(code).cloned()))).collect()
}

/// How many proposals found a receiver and how many did not.
pub fn tally(proposals: &[(i64, Result<Receiver, NoReceiver>)]) -> (usize, usize) {
    let ok = proposals.iter().filter(|(_, p)| p.is_ok()).count();
    (ok, proposals.len() - ok)
}

/// A six-digit region code, then its city and its province (county-level
/// centres first, as a file goes to the nearest one kept).
pub fn region_ladder(region: &str) -> Vec<String> {
    let mut out = vec![region.to_owned()];
    if region.len() == 6 && region.is_ascii() {
        for city in [format!("{}00", &region[..4]), format!("{}0000", &region[..2])] {
            if !out.contains(&city) {
                out.push(city);
            }
        }
    }
    out
}

// ---------------------------------------------------------------- the transfer number

/// The characters of a check, as in the ID card's: 0-9 and X.
const CHECK: &[u8; 11] = b"0123456789X";

/// The transfer number (转递编号): "DA", the cohort year, the graduate's id in
/// nine digits, and a check character (ISO 7064 MOD 11-2 over the digits), so
/// a mistyped number is told apart from an unknown one.
pub fn transfer_no(cohort: i64, graduate_id: i64) -> String {
    let digits = format!("{cohort:04}{graduate_id:09}");
    format!("DA{digits}{}", check_char(&digits))
}

fn check_char(digits: &str) -> char {
    let mut sum: u32 = 0;
    for d in digits.bytes() {
        sum = (sum + u32::from(d - b'0')) * 2 % 11;
    }
    let c = (12 - sum % 11) % 11;
    CHECK[c as usize] as char
}

/// A typed number made canonical (case, spaces, dashes); `None` when it is
/// not a transfer number or its check character is wrong.
pub fn normalise_transfer_no(typed: &str) -> Option<String> {
    let s: String = typed.chars().filter(|c| !c.is_whitespace() && *c != '-').collect::<String>().to_uppercase();
    let rest = s.strip_prefix("DA")?;
    if rest.len() != 14 {
        return None;
    }
    let (digits, check) = rest.split_at(13);
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    check.starts_with(check_char(digits)).then_some(s)
}

/// A name as typed, compared without spaces.
pub fn normalise_name(name: &str) -> String {
    name.chars().filter(|c| !c.is_whitespace() && *c != '·').collect()
}

// ---------------------------------------------------------------- the tracking sheet

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TrackingColumn {
    /// 学号 or 转递编号: who the row is about.
    Who,
    Channel,
    TrackingNo,
}

pub const TRACKING_COLUMNS: &[(TrackingColumn, &[&str])] = &[
    (TrackingColumn::Who, &["学号", "转递编号", "STUDENTNO", "TRANSFERNO", "STUDENT"]),
    (TrackingColumn::Channel, &["寄送方式", "方式", "CHANNEL"]),
    (TrackingColumn::TrackingNo, &["邮件号", "运单号", "机要号", "TRACKINGNO", "TRACKING"]),
];

pub fn tracking_columns() -> kernel::sheet::Columns {
    kernel::sheet::Columns::of(
        TRACKING_COLUMNS,
        &[TrackingColumn::Who, TrackingColumn::Channel, TrackingColumn::TrackingNo],
        &[],
    )
}

pub fn tracking_column_of(header: &str) -> Option<TrackingColumn> {
    kernel::sheet::field_of(TRACKING_COLUMNS, header)
}

/// A tracking number as the post office prints it: 6 to 30 letters and digits.
pub fn valid_tracking_no(s: &str) -> bool {
    (6..=30).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn direct() -> Vec<String> {
        ["10", "21", "31"].map(String::from).to_vec()
    }

    fn centres(code: &str) -> Option<(i64, String)> {
        match code {
            "430104" => Some((1, "岳麓区人才中心".into())),
            "430100" => Some((2, "长沙市人才中心".into())),
            "440000" => Some((3, "广东省人才中心".into())),
            _ => None,
        }
    }

    fn facts(category: &str, nature: &str, work: &str, origin: &str) -> Facts {
        Facts {
            category: category.into(),
            employer_name: "湖南某单位".into(),
            nature: nature.into(),
            work_region: work.into(),
            origin_region: origin.into(),
        }
    }

    #[test]
    fn a_state_owned_employer_receives_directly() {
        let r = propose(&facts("10", "31", "430104", "430211"), &direct(), centres);
        assert_eq!(r, Ok(Receiver::Direct { name: "湖南某单位".into() }));
    }

    #[test]
    fn a_private_employer_sends_to_the_centre_of_the_place_of_work() {
        let r = propose(&facts("10", "39", "430104", "440301"), &direct(), centres);
        assert_eq!(r.map(|r| r.centre()), Ok(Some(1)));
        // A county without a centre falls back to its city, then its province.
        let r = propose(&facts("11", "39", "430111", "440301"), &direct(), centres);
        assert_eq!(r.map(|r| r.centre()), Ok(Some(2)));
    }

    #[test]
    fn the_unplaced_flexible_and_self_employed_go_to_the_centre_of_origin() {
        for category in ["70", "75", "76", "77"] {
            let r = propose(&facts(category, "31", "430104", "440301"), &direct(), centres);
            assert_eq!(r.map(|r| r.centre()), Ok(Some(3)), "{category}");
        }
    }

    #[test]
    fn further_study_goes_to_the_admitting_school() {
        let r = propose(&facts("801", "", "", "440301"), &direct(), centres);
        assert_eq!(r.map(|r| r.kind()), Ok("direct"));
    }

    #[test]
    fn the_reasons_for_no_receiver() {
        assert_eq!(propose(&facts("", "", "", ""), &direct(), centres), Err(NoReceiver::NoDestination));
        let mut f = facts("10", "10", "430104", "");
        f.employer_name.clear();
        assert_eq!(propose(&f, &direct(), centres), Err(NoReceiver::NoEmployerName));
        assert_eq!(propose(&facts("70", "", "", ""), &direct(), centres), Err(NoReceiver::NoRegion));
        assert_eq!(propose(&facts("70", "", "", "510104"), &direct(), centres), Err(NoReceiver::NoCentre));
    }

    #[test]
    fn proposing_many_at_once_is_proposing_each() {
        let table: std::collections::HashMap<String, (i64, String)> =
            ["430104", "430100", "440000"].into_iter().filter_map(|c| centres(c).map(|v| (c.to_owned(), v))).collect();
        let read = vec![
            (7, facts("10", "31", "430104", "430211")),
            (8, facts("10", "39", "430111", "440301")),
            (9, facts("", "", "", "")),
            (10, facts("70", "", "", "510104")),
        ];
        let each: Vec<_> = read.iter().map(|(id, f)| (*id, propose(f, &direct(), centres))).collect();
        let all = propose_all(read, &direct(), &table);
        assert_eq!(all, each);
        assert_eq!(tally(&all), (2, 2));
    }

    #[test]
    fn a_transfer_number_checks_itself() {
        let n = transfer_no(2022, 1234);
        assert_eq!(n.len(), 16);
        assert_eq!(normalise_transfer_no(&n.to_lowercase()), Some(n.clone()));
        let mut wrong = n.clone().into_bytes();
        wrong[10] = if wrong[10] == b'9' { b'8' } else { b'9' };
        assert_eq!(normalise_transfer_no(&String::from_utf8(wrong).expect("ascii")), None);
        assert_eq!(normalise_transfer_no("DA123"), None);
    }

    proptest! {
        #[test]
        fn every_number_is_accepted_and_any_one_digit_changed_refused(id in 1i64..999_999_999, at in 2usize..15, d in 0u8..10) {
            let n = transfer_no(2022, id);
            prop_assert_eq!(normalise_transfer_no(&n), Some(n.clone()));
            let mut b = n.clone().into_bytes();
            if b[at] != b'0' + d {
                b[at] = b'0' + d;
                prop_assert_eq!(normalise_transfer_no(&String::from_utf8(b).expect("ascii")), None);
            }
        }
    }
}
