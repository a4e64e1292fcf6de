//! The expert pool's forms and import columns, checked without I/O: an
//! expert's record, a link (past co-applicant, supervisee, declared
//! relation) and a calendar day.

use chrono::NaiveDate;
use kernel::sheet::Columns;
use kernel::{validate, Locale};

use kernel::calendar::DayKind;

/// The field code table.
pub const FIELDS: &str = "review_field";

/// An expert's form as typed.
#[derive(Debug, Clone, Default)]
pub struct ExpertForm {
    pub name: String,
    /// An institution id, or empty for an expert from outside the universities.
    pub institution: String,
    /// The work unit when not a university (enterprise, research institute, office).
    pub affiliation: String,
    pub title: String,
    pub phone: String,
    pub fields: Vec<String>,
    /// The user name of an account of the expert role, or empty.
    pub account: String,
}

impl ExpertForm {
    pub fn has_field(&self, code: &str) -> bool {
        self.fields.iter().any(|f| f == code)
    }
}

/// A checked expert.
#[derive(Debug, Clone, PartialEq)]
pub struct NewExpert {
    pub name: String,
    pub institution_id: Option<i64>,
    pub affiliation: String,
    pub title: String,
    pub phone: String,
    pub fields: Vec<String>,
    pub account: Option<String>,
}

fn too_long(s: &str, n: usize) -> bool {
    s.chars().count() > n
}

/// Checks the form: a name, a title, a valid mobile number, at least one
/// known field, a known institution or a work unit.
pub fn check_expert(f: &ExpertForm, institutions: &[i64], fields: &[String], l: Locale) -> Result<NewExpert, String> {
    let name = f.name.trim();
    if name.is_empty() || too_long(name, 40) {
        return Err(l
            .pick("请填写专家姓名（不超过 40 字）。", "Give the expert's name (at most 40 characters).")
            .into());
    }
    let institution_id = match f.institution.trim() {
        "" => None,
        s => match s.parse::<i64>().ok().filter(|i| institutions.contains(i)) {
            Some(i) => Some(i),
            None => return Err(l.pick("请选择列表中的高校。", "Choose an institution from the list.").into()),
        },
    };
    let affiliation = f.affiliation.trim();
    if institution_id.is_none() && affiliation.is_empty() {
        return Err(l
            .pick("请选择所在高校，或填写工作单位。", "Choose the expert's institution or give their work unit.")
            .into());
    }
    if too_long(affiliation, 60) {
        return Err(l.pick("工作单位不超过 60 字。", "The work unit takes at most 60 characters.").into());
    }
    let title = f.title.trim();
    if title.is_empty() || too_long(title, 30) {
        return Err(l.pick("请填写职称（不超过 30 字）。", "Give the title (at most 30 characters).").into());
    }
    let phone = validate::mobile(&f.phone).map_err(|e| match l {
        Locale::Zh => format!("手机号{}", e.message(l)),
        Locale::En => format!("Mobile number {}", e.message(l)),
    })?;
    let mut chosen: Vec<String> = Vec::new();
    for c in &f.fields {
        let c = c.trim();
        if c.is_empty() || chosen.iter().any(|x| x == c) {
            continue;
        }
        if !fields.iter().any(|k| k == c) {
            return Err(match l {
                Locale::Zh => format!("没有代码为 {c} 的评审领域。"),
                Locale::En => format!("No review field has the code {c}."),
            });
        }
        chosen.push(c.to_owned());
    }
    if chosen.is_empty() {
        return Err(l.pick("请至少选择一个评审领域。", "Choose at least one review field.").into());
    }
    let account = f.account.trim();
    Ok(NewExpert {
        name: name.to_owned(),
        institution_id,
        affiliation: affiliation.to_owned(),
        title: title.to_owned(),
        phone,
        fields: chosen,
        account: (!account.is_empty()).then(|| account.to_owned()),
    })
}

/// Field codes typed in one cell: separated by commas, 、, ; or spaces.
pub fn split_codes(cell: &str) -> Vec<String> {
    cell.split(|c: char| matches!(c, ',' | '，' | '、' | ';' | '；') || c.is_whitespace())
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// What links an expert to a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkKind {
    CoApplicant,
    Supervisee,
    Relation,
}

impl LinkKind {
    pub const ALL: [LinkKind; 3] = [LinkKind::CoApplicant, LinkKind::Supervisee, LinkKind::Relation];

    pub fn code(self) -> &'static str {
        match self {
            LinkKind::CoApplicant => "co_applicant",
            LinkKind::Supervisee => "supervisee",
            LinkKind::Relation => "relation",
        }
    }

    pub fn parse(s: &str) -> Option<LinkKind> {
        LinkKind::ALL.into_iter().find(|k| k.code() == s)
    }

    pub fn label(self, l: Locale) -> &'static str {
        match self {
            LinkKind::CoApplicant => l.pick("曾共同申报", "Past co-applicant"),
            LinkKind::Supervisee => l.pick("指导过的学生或团队成员", "Supervisee"),
            LinkKind::Relation => l.pick("申报的关联关系", "Declared relation"),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewLink {
    pub kind: LinkKind,
    pub name: String,
    pub institution_id: Option<i64>,
    pub note: String,
}

pub fn check_link(
    kind: &str,
    name: &str,
    institution: &str,
    note: &str,
    institutions: &[i64],
    l: Locale,
) -> Result<NewLink, String> {
    let kind =
        LinkKind::parse(kind).ok_or_else(|| l.pick("请选择关系类型。", "Choose the kind of link.").to_owned())?;
    let name = name.trim();
    if name.is_empty() || too_long(name, 40) {
        return Err(l
            .pick("请填写对方姓名（不超过 40 字）。", "Give the person's name (at most 40 characters).")
            .into());
    }
    let institution_id = match institution.trim() {
        "" => None,
        s => Some(
            s.parse::<i64>()
                .ok()
                .filter(|i| institutions.contains(i))
                .ok_or_else(|| l.pick("请选择列表中的高校。", "Choose an institution from the list.").to_owned())?,
        ),
    };
    let note = note.trim();
    if too_long(note, 100) {
        return Err(l.pick("说明不超过 100 字。", "The note takes at most 100 characters.").into());
    }
    Ok(NewLink { kind, name: name.to_owned(), institution_id, note: note.to_owned() })
}

/// A calendar day as the province enters it.
#[derive(Debug, Clone, PartialEq)]
pub struct NewDay {
    pub day: NaiveDate,
    pub kind: DayKind,
    pub name: String,
}

pub fn check_day(day: &str, kind: &str, name: &str, l: Locale) -> Result<NewDay, String> {
    let day = validate::parse_date(day.trim())
        .ok_or_else(|| l.pick("请填写日期，如 2022-10-01。", "Give a date such as 2022-10-01.").to_owned())?;
    let kind = DayKind::from_code(kind)
        .ok_or_else(|| l.pick("请选择放假或调休上班。", "Choose holiday or swapped working day.").to_owned())?;
    let name = name.trim();
    if name.is_empty() || too_long(name, 30) {
        return Err(l.pick("请填写节日名称（不超过 30 字）。", "Name the holiday (at most 30 characters).").into());
    }
    Ok(NewDay { day, kind, name: name.to_owned() })
}

// ---------------------------------------------------------------- import

/// A column of the pool's import sheet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Column {
    Name,
    Institution,
    Affiliation,
    Title,
    Phone,
    Fields,
    Account,
}

/// Headers as `kernel::sheet::header_key` gives them; the first is shown.
pub const COLUMNS: &[(Column, &[&str])] = &[
    (Column::Name, &["姓名", "NAME"]),
    (Column::Institution, &["院校代码", "高校代码", "INSTITUTIONCODE", "INSTITUTION"]),
    (Column::Affiliation, &["工作单位", "单位", "AFFILIATION", "WORKUNIT"]),
    (Column::Title, &["职称", "TITLE"]),
    (Column::Phone, &["手机号", "手机", "联系电话", "PHONE", "MOBILE"]),
    (Column::Fields, &["评审领域", "领域", "领域代码", "FIELDS", "FIELD"]),
    (Column::Account, &["账号", "用户名", "ACCOUNT", "USERNAME"]),
];

pub fn columns() -> Columns {
    Columns::of(COLUMNS, &[Column::Name, Column::Title, Column::Phone, Column::Fields], &[Column::Phone])
}

pub fn column_of(header: &str) -> Option<Column> {
    kernel::sheet::field_of(COLUMNS, header)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> ExpertForm {
        ExpertForm {
            name: " 王明 ".into(),
            institution: "3".into(),
            title: "教授".into(),
            phone: "13800138000".into(),
            fields: vec!["0812".into(), "0812".into(), "".into()],
            ..ExpertForm::default()
        }
    }

    #[test]
    fn a_good_expert() {
        let fields = vec!["0812".to_string(), "04".to_string()];
        let e = check_expert(&form(), &[3], &fields, Locale::Zh).unwrap();
        assert_eq!(e.name, "王明");
        assert_eq!(e.institution_id, Some(3));
        assert_eq!(e.fields, vec!["0812".to_string()]);
        assert_eq!(e.account, None);
    }

    #[test]
    fn bad_experts_say_why() {
        let fields = vec!["0812".to_string()];
        let bad = |f: ExpertForm| check_expert(&f, &[3], &fields, Locale::Zh).unwrap_err();
        assert!(bad(ExpertForm { name: "".into(), ..form() }).contains("姓名"));
        assert!(bad(ExpertForm { institution: "9".into(), ..form() }).contains("高校"));
        assert!(bad(ExpertForm { institution: "".into(), ..form() }).contains("工作单位"));
        assert!(bad(ExpertForm { phone: "12345".into(), ..form() }).contains("手机号"));
        assert!(bad(ExpertForm { fields: vec![], ..form() }).contains("领域"));
        assert!(bad(ExpertForm { fields: vec!["99".into()], ..form() }).contains("99"));
        let en = check_expert(&ExpertForm { title: "".into(), ..form() }, &[3], &fields, Locale::En).unwrap_err();
        assert!(en.contains("title"));
        // Outside the universities with a work unit is fine.
        assert!(check_expert(
            &ExpertForm { institution: "".into(), affiliation: "省人社厅".into(), ..form() },
            &[3],
            &fields,
            Locale::Zh
        )
        .is_ok());
    }

    #[test]
    fn codes_in_a_cell() {
        assert_eq!(split_codes("0812、04, 1202；"), vec!["0812", "04", "1202"]);
        assert!(split_codes("  ").is_empty());
    }

    #[test]
    fn links_and_days() {
        let k = check_link("supervisee", " 赵敏 ", "", "硕士导师", &[1], Locale::Zh).unwrap();
        assert_eq!((k.kind, k.name.as_str(), k.institution_id), (LinkKind::Supervisee, "赵敏", None));
        assert!(check_link("friend", "赵敏", "", "", &[1], Locale::Zh).is_err());
        assert!(check_link("relation", "赵敏", "7", "", &[1], Locale::Zh).is_err());
        let d = check_day("2022-10-08", "workday", "国庆节调休", Locale::Zh).unwrap();
        assert_eq!(d.kind, DayKind::Workday);
        assert!(check_day("2022-13-01", "holiday", "x", Locale::Zh).is_err());
        assert!(check_day("2022-10-01", "holiday", "", Locale::En).unwrap_err().contains("Name"));
    }
}
