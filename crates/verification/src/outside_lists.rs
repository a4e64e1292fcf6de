//! Outside lists (外部名单比对), the pure part: the columns a list is read by
//! (Chinese or English headers), what a listed status or a yes/no cell says,
//! and the rules that compare a list's row with the graduate's record, each a
//! `Kind` of mismatch. No I/O: `outside_list_store` reads, matches and keeps.

use kernel::sheet::Columns;
use kernel::Locale;

/// The codes of `outside_list_kind` whose lists say a graduate pays (or has paid
/// for them) social insurance or income tax: being on one means work with an
/// employer, so a destination without a contract is a mismatch.
pub const CONTRIBUTION_KINDS: [&str; 2] = ["03", "04"];

/// Whether a list of this kind (a code of `outside_list_kind`) is a contributions list.
pub fn is_contributions(kind_code: &str) -> bool {
    CONTRIBUTION_KINDS.contains(&kind_code)
}

/// A column of an outside list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    Name,
    IdNumber,
    StudentNo,
    Institution,
    Status,
    Employer,
    CreditCode,
    Insured,
}

/// Each field's headers as `kernel::sheet::header_key` gives them (normalised:
/// upper case, no spaces); the first is the name shown.
pub const COLUMNS: &[(Field, &[&str])] = &[
    (Field::Name, &["姓名", "NAME"]),
    (Field::IdNumber, &["身份证号", "身份证号码", "证件号码", "IDNUMBER", "ID"]),
    (Field::StudentNo, &["学号", "STUDENTNO", "STUDENTNUMBER"]),
    (Field::Institution, &["院校代码", "院校", "院校名称", "学校", "学校代码", "INSTITUTION", "INSTITUTIONCODE"]),
    (Field::Status, &["就业状态", "去向", "毕业去向", "就业情况", "STATUS", "EMPLOYMENTSTATUS", "DESTINATION"]),
    (Field::Employer, &["单位名称", "工作单位", "参保单位", "扣缴单位", "EMPLOYER", "EMPLOYERNAME"]),
    (Field::CreditCode, &["统一社会信用代码", "信用代码", "CREDITCODE"]),
    (Field::Insured, &["参保", "是否参保", "缴纳", "是否缴纳", "参保状态", "缴纳状态", "INSURED", "PAID"]),
];

/// The columns as the kernel's reader wants them: none required (the rows say
/// which keys they lack), the ID-number column read as text.
pub fn columns() -> Columns {
    Columns::of(COLUMNS, &[], &[Field::IdNumber])
}

/// The field a header names, if any.
pub fn field_of(header: &str) -> Option<Field> {
    kernel::sheet::field_of(COLUMNS, header)
}

/// What a list says of a graduate's work.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Employed,
    NotEmployed,
}

impl Status {
    pub fn key(self) -> &'static str {
        match self {
            Status::Employed => "employed",
            Status::NotEmployed => "not_employed",
        }
    }

    pub fn parse_key(key: &str) -> Option<Status> {
        match key {
            "employed" => Some(Status::Employed),
            "not_employed" => Some(Status::NotEmployed),
            _ => None,
        }
    }

    pub fn label(self, l: Locale) -> &'static str {
        match self {
            Status::Employed => l.pick("已就业", "employed"),
            Status::NotEmployed => l.pick("未就业", "not employed"),
        }
    }
}

/// A cell that says nothing the import knows how to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the cell says nothing known")]
pub struct Unreadable;

/// A status cell as written: words such as 已就业, 待就业, 升学 or a destination
/// code (70–72 not placed; other codes placed). `Err` when it says nothing known.
pub fn parse_status(cell: &str) -> Result<Option<Status>, Unreadable> {
    let text = kernel::validate::normalize(cell).replace(' ', "");
    if text.is_empty() {
        return Ok(None);
    }
    // A Chinese word of two characters or more may be part of the cell; others must be all of it.
    let says = |words: &[&str]| {
        words.iter().any(|w| text == *w || (!w.is_ascii() && w.chars().count() > 1 && text.contains(w)))
    };
    if says(&["未就业", "待就业", "不就业", "失业", "无业", "NOTEMPLOYED", "UNEMPLOYED", "否", "N", "NO"])
    {
        return Ok(Some(Status::NotEmployed));
    }
    if says(&[
        "已就业",
        "就业",
        "在岗",
        "签约",
        "灵活就业",
        "创业",
        "自由职业",
        "升学",
        "EMPLOYED",
        "PLACED",
        "是",
        "Y",
        "YES",
    ]) {
        return Ok(Some(Status::Employed));
    }
    if text.chars().all(|c| c.is_ascii_digit()) && (2..=3).contains(&text.len()) {
        let top = &text[..2];
        return Ok(Some(match top {
            "70" | "71" | "72" | "99" => Status::NotEmployed,
            _ => Status::Employed,
        }));
    }
    Err(Unreadable)
}

/// A yes/no cell (参保 / 缴纳): `Err` when it is neither.
pub fn parse_yes_no(cell: &str) -> Result<Option<bool>, Unreadable> {
    let text = kernel::validate::normalize(cell).replace(' ', "");
    match text.as_str() {
        "" => Ok(None),
        "是" | "Y" | "YES" | "1" | "TRUE" | "已参保" | "已缴纳" | "正常" | "正常参保" | "缴纳" | "参保" => {
            Ok(Some(true))
        }
        "否" | "N" | "NO" | "0" | "FALSE" | "未参保" | "未缴纳" | "停保" | "中断" => Ok(Some(false)),
        _ => Err(Unreadable),
    }
}

/// What a list's row says of its graduate.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Listed {
    pub name: String,
    pub status: Option<Status>,
    pub insured: Option<bool>,
    pub employer: String,
    pub credit_code: String,
}

/// The graduate's record as the rules compare it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Recorded {
    pub name: String,
    /// The destination's category name, empty when none is recorded.
    pub category: String,
    /// Placed under the cohort's rate definition (any bucket but `not_placed`).
    pub placed: bool,
    /// A destination with an employment agreement or a labour contract.
    pub contract: bool,
    pub employer: String,
    pub credit_code: String,
}

/// A kind of mismatch between a list and the record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    /// Listed as not employed, recorded placed.
    ListedNotEmployed,
    /// Listed as employed or insured (or on a contributions list), recorded not placed.
    ListedEmployed,
    /// Both name an employer, and the names differ (and no credit codes agree).
    EmployerName,
    /// Both give a credit code, and they differ.
    CreditCode,
    /// On a social-insurance or tax list, recorded placed but without a contract-type destination.
    NoContract,
    /// The name on the list is not the graduate's.
    Name,
}

impl Kind {
    pub const ALL: [Kind; 6] = [
        Kind::ListedNotEmployed,
        Kind::ListedEmployed,
        Kind::EmployerName,
        Kind::CreditCode,
        Kind::NoContract,
        Kind::Name,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Kind::ListedNotEmployed => "listed_not_employed",
            Kind::ListedEmployed => "listed_employed",
            Kind::EmployerName => "employer_name",
            Kind::CreditCode => "credit_code",
            Kind::NoContract => "no_contract",
            Kind::Name => "name",
        }
    }

    pub fn parse(key: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.key() == key)
    }

    pub fn label(self, l: Locale) -> &'static str {
        match self {
            Kind::ListedNotEmployed => l.pick("名单未就业，记录已就业", "Listed not employed, recorded placed"),
            Kind::ListedEmployed => {
                l.pick("名单已就业或参保，记录未就业", "Listed employed or insured, recorded not placed")
            }
            Kind::EmployerName => l.pick("单位名称不一致", "Employer names differ"),
            Kind::CreditCode => l.pick("统一社会信用代码不一致", "Credit codes differ"),
            Kind::NoContract => {
                l.pick("有社保或个税，去向非签约或合同", "Contributions paid, destination not contract-type")
            }
            Kind::Name => l.pick("姓名不一致", "Names differ"),
        }
    }
}

/// The rules' own words in what a mismatch says, as (zh, en): kept in Chinese,
/// shown in the reader's language by `phrase_in`.
const PHRASES: [(&str, &str); 5] = [
    ("未就业", "not employed"),
    ("已就业", "employed"),
    ("已参保或缴纳", "insured or paying"),
    ("在社保或个税名单上", "on a contributions list"),
    ("未登记去向", "no destination recorded"),
];

/// A kept text in the reader's language when it is one of the rules' own words.
pub fn phrase_in(text: &str, l: Locale) -> Option<&'static str> {
    PHRASES.iter().find(|(zh, _)| *zh == text).map(|(zh, en)| l.pick(zh, en))
}

/// One mismatch: its kind, what the list says and what the record says.
#[derive(Debug, Clone, PartialEq)]
pub struct Mismatch {
    pub kind: Kind,
    pub listed: String,
    pub recorded: String,
}

/// An organisation's name as compared: normalised, without spaces, with
/// full-width brackets as half-width ones.
pub fn employer_key(name: &str) -> String {
    kernel::validate::normalize(name)
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '（' => '(',
            '）' => ')',
            c => c,
        })
        .collect()
}

/// Every mismatch between a list's row and the record, in `Kind` order.
/// `contributions`: the list is a social-insurance or tax list.
pub fn mismatches(contributions: bool, listed: &Listed, recorded: &Recorded, l: Locale) -> Vec<Mismatch> {
    let mut found = Vec::new();
    let mut push = |kind, listed: String, recorded: String| found.push(Mismatch { kind, listed, recorded });
    let recorded_as = || match recorded.category.is_empty() {
        true => l.pick("未登记去向", "no destination recorded").to_owned(),
        false => recorded.category.clone(),
    };
    let works = listed.status == Some(Status::Employed)
        || listed.insured == Some(true)
        || (contributions && listed.status.is_none() && listed.insured.is_none());
    let not_working = listed.status == Some(Status::NotEmployed)
        || (listed.status.is_none() && listed.insured == Some(false) && !contributions);
    if not_working && recorded.placed {
        push(Kind::ListedNotEmployed, Status::NotEmployed.label(l).to_owned(), recorded_as());
    }
    if works && !not_working && !recorded.placed {
        let said = match (listed.status, listed.insured) {
            (Some(s), _) => s.label(l).to_owned(),
            _ => l.pick("已参保或缴纳", "insured or paying").to_owned(),
        };
        push(Kind::ListedEmployed, said, recorded_as());
    }
    let (codes_given, codes_same) = match (listed.credit_code.trim(), recorded.credit_code.trim()) {
        ("", _) | (_, "") => (false, false),
        (a, b) => (true, employer_key(a) == employer_key(b)),
    };
    let names_differ = !listed.employer.trim().is_empty()
        && !recorded.employer.trim().is_empty()
        && employer_key(&listed.employer) != employer_key(&recorded.employer);
    if names_differ && !codes_same {
        push(Kind::EmployerName, listed.employer.trim().to_owned(), recorded.employer.trim().to_owned());
    }
    if codes_given && !codes_same {
        push(Kind::CreditCode, listed.credit_code.trim().to_owned(), recorded.credit_code.trim().to_owned());
    }
    let on_contributions = contributions && listed.insured != Some(false) && listed.status != Some(Status::NotEmployed);
    if on_contributions && recorded.placed && !recorded.contract {
        let said = l.pick("在社保或个税名单上", "on a contributions list").to_owned();
        push(Kind::NoContract, said, recorded_as());
    }
    let name = listed.name.trim();
    if !name.is_empty() && kernel::validate::normalize(name) != kernel::validate::normalize(&recorded.name) {
        push(Kind::Name, name.to_owned(), recorded.name.clone());
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn placed_contract() -> Recorded {
        Recorded {
            name: "张三".into(),
            category: "签劳动合同形式就业".into(),
            placed: true,
            contract: true,
            employer: "湖南湘江科技有限公司".into(),
            credit_code: "91430100MA4L16JX2R".into(),
        }
    }

    fn not_placed() -> Recorded {
        Recorded { name: "张三".into(), category: "待就业".into(), ..Recorded::default() }
    }

    fn kinds(contributions: bool, listed: &Listed, recorded: &Recorded) -> Vec<Kind> {
        mismatches(contributions, listed, recorded, Locale::Zh).into_iter().map(|m| m.kind).collect()
    }

    fn listed(status: Option<Status>) -> Listed {
        Listed { name: "张三".into(), status, ..Listed::default() }
    }

    #[test]
    fn a_clean_row_raises_nothing() {
        let same = Listed {
            name: "张三".into(),
            status: Some(Status::Employed),
            insured: Some(true),
            employer: "湖南湘江科技有限公司 ".into(),
            credit_code: "91430100ma4l16jx2r".into(),
        };
        assert!(kinds(false, &same, &placed_contract()).is_empty());
        assert!(kinds(true, &same, &placed_contract()).is_empty(), "a contract destination on a tax list is fine");
        assert!(kinds(false, &listed(Some(Status::NotEmployed)), &not_placed()).is_empty());
        assert!(kinds(false, &listed(None), &not_placed()).is_empty(), "a list that says nothing raises nothing");
    }

    #[test]
    fn listed_not_employed_but_recorded_placed() {
        assert_eq!(kinds(false, &listed(Some(Status::NotEmployed)), &placed_contract()), [Kind::ListedNotEmployed]);
        let uninsured = Listed { insured: Some(false), ..listed(None) };
        assert_eq!(kinds(false, &uninsured, &placed_contract()), [Kind::ListedNotEmployed]);
    }

    #[test]
    fn listed_employed_or_insured_but_recorded_not_placed() {
        assert_eq!(kinds(false, &listed(Some(Status::Employed)), &not_placed()), [Kind::ListedEmployed]);
        let insured = Listed { insured: Some(true), ..listed(None) };
        assert_eq!(kinds(false, &insured, &not_placed()), [Kind::ListedEmployed]);
        // Merely being on a tax list says the graduate works.
        assert_eq!(kinds(true, &listed(None), &not_placed()), [Kind::ListedEmployed]);
        let nothing = Recorded { category: String::new(), ..not_placed() };
        let found = mismatches(false, &listed(Some(Status::Employed)), &nothing, Locale::Zh);
        assert_eq!(found[0].recorded, "未登记去向");
    }

    #[test]
    fn employer_names_and_credit_codes_compared() {
        let other = Listed { employer: "长沙某某贸易公司".into(), ..listed(Some(Status::Employed)) };
        assert_eq!(kinds(false, &other, &placed_contract()), [Kind::EmployerName]);
        // The same credit code: a name written differently is the same employer.
        let same_code = Listed { credit_code: "91430100MA4L16JX2R".into(), ..other.clone() };
        assert!(kinds(false, &same_code, &placed_contract()).is_empty());
        let other_code = Listed { credit_code: "91430100MA4L000000".into(), ..listed(Some(Status::Employed)) };
        assert_eq!(kinds(false, &other_code, &placed_contract()), [Kind::CreditCode]);
        let full_width =
            Listed { employer: "湖南湘江科技有限公司".replace("湘江", "湘江 "), ..listed(None) };
        assert!(kinds(false, &full_width, &placed_contract()).is_empty());
        let bracket = Recorded { employer: "湖南湘江科技(长沙)有限公司".into(), ..placed_contract() };
        let listed_bracket = Listed { employer: "湖南湘江科技（长沙）有限公司".into(), ..listed(None) };
        assert!(kinds(false, &listed_bracket, &bracket).is_empty());
    }

    #[test]
    fn contributions_without_a_contract_type_destination() {
        let freelance =
            Recorded { category: "自由职业".into(), contract: false, employer: String::new(), ..placed_contract() };
        assert_eq!(kinds(true, &listed(None), &freelance), [Kind::NoContract]);
        assert!(kinds(false, &listed(None), &freelance).is_empty(), "only on a contributions list");
        let stopped = Listed { insured: Some(false), ..listed(None) };
        assert!(!kinds(true, &stopped, &freelance).contains(&Kind::NoContract));
    }

    #[test]
    fn the_words_kept_in_chinese_are_shown_in_english() {
        let cases = [
            (false, listed(Some(Status::NotEmployed)), placed_contract()),
            (
                false,
                Listed { insured: Some(true), ..listed(None) },
                Recorded { name: "张三".into(), ..Recorded::default() },
            ),
            (true, listed(None), Recorded { contract: false, ..placed_contract() }),
        ];
        for (contributions, listed, recorded) in cases {
            let zh = mismatches(contributions, &listed, &recorded, Locale::Zh);
            let en = mismatches(contributions, &listed, &recorded, Locale::En);
            for (z, e) in zh.iter().zip(&en) {
                assert_eq!(phrase_in(&z.listed, Locale::En), Some(e.listed.as_str()));
                if let Some(shown) = phrase_in(&z.recorded, Locale::En) {
                    assert_eq!(shown, e.recorded);
                }
            }
        }
        assert_eq!(phrase_in("签劳动合同形式就业", Locale::En), None);
    }

    #[test]
    fn a_different_name_is_a_mismatch() {
        let other = Listed { name: "李四".into(), ..listed(None) };
        assert_eq!(kinds(false, &other, &not_placed()), [Kind::Name]);
    }

    #[test]
    fn status_and_yes_no_cells_are_read_in_words_and_codes() {
        assert_eq!(parse_status("已就业"), Ok(Some(Status::Employed)));
        assert_eq!(parse_status("未就业"), Ok(Some(Status::NotEmployed)));
        assert_eq!(parse_status("待就业-求职中"), Ok(Some(Status::NotEmployed)));
        assert_eq!(parse_status("employed"), Ok(Some(Status::Employed)));
        assert_eq!(parse_status("Not employed"), Ok(Some(Status::NotEmployed)));
        assert_eq!(parse_status("701"), Ok(Some(Status::NotEmployed)));
        assert_eq!(parse_status("11"), Ok(Some(Status::Employed)));
        assert_eq!(parse_status(""), Ok(None));
        assert!(parse_status("不知道").is_err());
        assert_eq!(parse_yes_no("是"), Ok(Some(true)));
        assert_eq!(parse_yes_no("未缴纳"), Ok(Some(false)));
        assert!(parse_yes_no("也许").is_err());
    }

    #[test]
    fn headers_are_known_in_chinese_and_english() {
        assert_eq!(field_of("身份证号"), Some(Field::IdNumber));
        assert_eq!(field_of("* 学号"), Some(Field::StudentNo));
        assert_eq!(field_of("Student No"), Some(Field::StudentNo));
        assert_eq!(field_of("统一社会信用代码"), Some(Field::CreditCode));
        assert_eq!(field_of("参保"), Some(Field::Insured));
        assert_eq!(field_of("备注"), None);
        for k in Kind::ALL {
            assert_eq!(Kind::parse(k.key()), Some(k));
        }
    }
}
