//! What a job posting (招聘岗位) must say and how it moves, pure: the form's
//! checks, the review's hints of fraud or duplication, the states and who
//! may review. The store calls these; nothing here reads the database.

use std::collections::HashSet;

use chrono::NaiveDate;
use kernel::auth::{Actor, Role};
use kernel::web::FieldErrors;
use kernel::Locale;

/// What an employer fills in. Every field is text as typed; `check` makes it a [`Checked`].
#[derive(Debug, Default, Clone)]
pub struct PostingForm {
    pub title: String,
    pub description: String,
    pub position_code: String,
    pub industry_code: String,
    /// 学历要求: a `major_level` code, or empty for 不限.
    pub education_level: String,
    /// Region codes of the places of work (several allowed).
    pub region_codes: Vec<String>,
    /// Major catalogue codes, separated by commas, spaces or 、; empty for 不限.
    pub major_codes: String,
    pub headcount: String,
    /// Yuan a month; both empty for 面议.
    pub salary_min: String,
    pub salary_max: String,
    pub contact_name: String,
    pub contact_phone: String,
    /// YYYY-MM-DD, the last day applications are taken (China time).
    pub deadline: String,
    /// 公共部门岗位 (measure 9): a `public_sector_kind` code, or empty.
    pub public_sector_kind: String,
    /// The exam or recruitment notice a public-sector post follows.
    pub notice_url: String,
    /// 校园专场: the university whose graduates the post is for; empty for the whole province.
    pub channel_institution_id: String,
}

impl PostingForm {
    /// From a submitted form's pairs: the places of work come as one pair
    /// each (a multiple select), which a plain struct cannot take.
    pub fn from_pairs(pairs: &[(String, String)]) -> PostingForm {
        let mut form = PostingForm::default();
        for (key, value) in pairs {
            let value = value.clone();
            match key.as_str() {
                "title" => form.title = value,
                "description" => form.description = value,
                "position_code" => form.position_code = value,
                "industry_code" => form.industry_code = value,
                "education_level" => form.education_level = value,
                "region_codes" => form.region_codes.push(value),
                "major_codes" => form.major_codes = value,
                "headcount" => form.headcount = value,
                "salary_min" => form.salary_min = value,
                "salary_max" => form.salary_max = value,
                "contact_name" => form.contact_name = value,
                "contact_phone" => form.contact_phone = value,
                "deadline" => form.deadline = value,
                "public_sector_kind" => form.public_sector_kind = value,
                "notice_url" => form.notice_url = value,
                "channel_institution_id" => form.channel_institution_id = value,
                _ => {}
            }
        }
        form
    }
}

/// A posting that passed its checks, normalised.
#[derive(Debug, Clone, PartialEq)]
pub struct Checked {
    pub title: String,
    pub description: String,
    pub position_code: String,
    pub industry_code: String,
    pub education_level: Option<String>,
    pub region_codes: Vec<String>,
    pub major_codes: Vec<String>,
    pub headcount: i64,
    pub salary: Salary,
    pub contact_name: String,
    pub contact_phone: String,
    pub deadline: NaiveDate,
    pub public_sector_kind: Option<String>,
    pub notice_url: Option<String>,
    pub channel_institution_id: Option<i64>,
}

/// Monthly pay in yuan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Salary {
    /// 面议
    Negotiable,
    Range {
        min: i64,
        max: i64,
    },
}

impl Salary {
    pub fn from_columns(min: Option<i64>, max: Option<i64>) -> Salary {
        match (min, max) {
            (Some(min), Some(max)) => Salary::Range { min, max },
            _ => Salary::Negotiable,
        }
    }
    pub fn columns(self) -> (Option<i64>, Option<i64>) {
        match self {
            Salary::Negotiable => (None, None),
            Salary::Range { min, max } => (Some(min), Some(max)),
        }
    }
    pub fn label(self, l: Locale) -> String {
        match self {
            Salary::Negotiable => l.pick("面议", "Negotiable").to_owned(),
            Salary::Range { min, max } if min == max => format!("{min} {}", l.pick("元/月", "yuan a month")),
            Salary::Range { min, max } => format!("{min}–{max} {}", l.pick("元/月", "yuan a month")),
        }
    }
}

/// What the code tables and the registry allow, loaded by the store for `check`.
#[derive(Debug, Default)]
pub struct Allowed {
    pub positions: HashSet<String>,
    pub industries: HashSet<String>,
    pub education_levels: HashSet<String>,
    pub public_sector_kinds: HashSet<String>,
    pub regions: HashSet<String>,
    pub majors: HashSet<String>,
    pub institutions: HashSet<i64>,
}

pub const TITLE_CHARS: std::ops::RangeInclusive<usize> = 2..=60;
pub const DESCRIPTION_CHARS: std::ops::RangeInclusive<usize> = 10..=5000;
pub const HEADCOUNT: std::ops::RangeInclusive<i64> = 1..=10_000;
/// A posting takes applications for at most a year.
pub const LONGEST_OPEN_DAYS: i64 = 366;
pub const MOST_REGIONS: usize = 20;
pub const MOST_MAJORS: usize = 50;
/// Any monthly figure outside this is a typing slip (a yearly figure, a missing zero), refused.
const SALARY_TYPED: std::ops::RangeInclusive<i64> = 100..=1_000_000;

/// Checks a form; `today` is the China-time day of the check.
pub fn check(form: &PostingForm, allowed: &Allowed, today: NaiveDate, l: Locale) -> Result<Checked, FieldErrors> {
    let mut errors = FieldErrors::default();
    let title = one_line(&form.title);
    if !TITLE_CHARS.contains(&title.chars().count()) {
        errors.add("title", l.pick("岗位名称须为 2-60 个字。", "A title needs 2 to 60 characters."));
    }
    let description = form.description.trim().replace("\r\n", "\n");
    if !DESCRIPTION_CHARS.contains(&description.chars().count()) {
        errors.add("description", l.pick("岗位描述须为 10-5000 个字。", "A description needs 10 to 5,000 characters."));
    }
    let code = |field: &str, value: &str, table: &HashSet<String>, errors: &mut FieldErrors| {
        let value = value.trim();
        if value.is_empty() {
            errors.add(field, l.pick("请选择。", "Choose one."));
        } else if !table.contains(value) {
            errors.add(field, l.pick("不在代码表中。", "Not in the code table."));
        }
        value.to_owned()
    };
    let position_code = code("position_code", &form.position_code, &allowed.positions, &mut errors);
    let industry_code = code("industry_code", &form.industry_code, &allowed.industries, &mut errors);
    let education_level = optional(&form.education_level);
    if education_level.as_ref().is_some_and(|e| !allowed.education_levels.contains(e)) {
        errors.add("education_level", l.pick("不在代码表中。", "Not in the code table."));
    }
    let region_codes = regions(&form.region_codes, allowed, l, &mut errors);
    let major_codes = majors(&form.major_codes, allowed, l, &mut errors);
    let headcount = match form.headcount.trim().parse::<i64>() {
        Ok(n) if HEADCOUNT.contains(&n) => n,
        _ => {
            errors.add("headcount", l.pick("招聘人数须为 1-10000 的整数。", "A whole number from 1 to 10,000."));
            0
        }
    };
    let salary = salary(&form.salary_min, &form.salary_max, l, &mut errors);
    let contact_name = one_line(&form.contact_name);
    if !(1..=40).contains(&contact_name.chars().count()) {
        errors.add("contact_name", l.pick("请填写联系人（不超过 40 字）。", "Give a contact (at most 40 characters)."));
    }
    let contact_phone = phone(&form.contact_phone);
    if contact_phone.is_none() {
        errors.add(
            "contact_phone",
            l.pick(
                "请填写手机号或座机号（如 0731-88888888）。",
                "Give a mobile or landline number (such as 0731-88888888).",
            ),
        );
    }
    let deadline = deadline(&form.deadline, today, l, &mut errors);
    let public_sector_kind = optional(&form.public_sector_kind);
    if public_sector_kind.as_ref().is_some_and(|k| !allowed.public_sector_kinds.contains(k)) {
        errors.add("public_sector_kind", l.pick("不在代码表中。", "Not in the code table."));
    }
    let notice_url = optional(&form.notice_url);
    match (&public_sector_kind, &notice_url) {
        (Some(_), None) => errors.add(
            "notice_url",
            l.pick(
                "公共部门岗位须附招考或招聘公告的链接。",
                "A public-sector post needs the link to its exam or recruitment notice.",
            ),
        ),
        (_, Some(url)) if !is_web_address(url) => errors.add(
            "notice_url",
            l.pick("请填写以 http:// 或 https:// 开头的网址。", "Give an address starting with http:// or https://."),
        ),
        _ => {}
    }
    let channel_institution_id = match optional(&form.channel_institution_id) {
        None => None,
        Some(id) => match id.parse::<i64>() {
            Ok(id) if allowed.institutions.contains(&id) => Some(id),
            _ => {
                errors.add("channel_institution_id", l.pick("没有这所学校。", "No such institution."));
                None
            }
        },
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(Checked {
        title,
        description,
        position_code,
        industry_code,
        education_level,
        region_codes,
        major_codes,
        headcount,
        salary,
        contact_name,
        contact_phone: contact_phone.unwrap_or_default(),
        deadline: deadline.unwrap_or(today),
        public_sector_kind,
        notice_url,
        channel_institution_id,
    })
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn optional(s: &str) -> Option<String> {
    Some(s.trim().to_owned()).filter(|s| !s.is_empty())
}

fn regions(codes: &[String], allowed: &Allowed, l: Locale, errors: &mut FieldErrors) -> Vec<String> {
    let mut out: Vec<String> = codes.iter().map(|c| c.trim().to_owned()).filter(|c| !c.is_empty()).collect();
    out.sort();
    out.dedup();
    if out.is_empty() {
        errors.add("region_codes", l.pick("请至少选择一个工作地点。", "Choose at least one place of work."));
    } else if out.len() > MOST_REGIONS {
        errors.add("region_codes", l.pick("工作地点最多 20 个。", "At most 20 places of work."));
    } else if let Some(bad) = out.iter().find(|c| !allowed.regions.contains(*c)) {
        errors.add("region_codes", format!("{}{bad}", l.pick("没有这个地区代码：", "No such region code: ")));
    }
    out
}

fn majors(text: &str, allowed: &Allowed, l: Locale, errors: &mut FieldErrors) -> Vec<String> {
    let mut out: Vec<String> = text
        .split(|c: char| c == ',' || c == '，' || c == '、' || c == ';' || c == '；' || c.is_whitespace())
        .map(|c| c.trim().to_uppercase())
        .filter(|c| !c.is_empty() && c != "不限")
        .collect();
    out.sort();
    out.dedup();
    if out.len() > MOST_MAJORS {
        errors.add(
            "major_codes",
            l.pick("专业最多 50 个；不限专业请留空。", "At most 50 majors; leave empty for any major."),
        );
    } else if let Some(bad) = out.iter().find(|c| !allowed.majors.contains(*c)) {
        errors
            .add("major_codes", format!("{}{bad}", l.pick("专业目录中没有这个代码：", "Not in the major catalogue: ")));
    }
    out
}

fn salary(min: &str, max: &str, l: Locale, errors: &mut FieldErrors) -> Salary {
    let parse = |s: &str| -> Result<Option<i64>, ()> {
        let s = s.trim().replace([',', '，'], "");
        match s.is_empty() {
            true => Ok(None),
            false => s.parse::<i64>().map(Some).map_err(|_| ()),
        }
    };
    match (parse(min), parse(max)) {
        (Ok(None), Ok(None)) => Salary::Negotiable,
        (Ok(Some(min)), Ok(Some(max))) if min > max => {
            errors.add("salary_min", l.pick("最低月薪高于最高月薪。", "The lowest pay is above the highest."));
            Salary::Negotiable
        }
        (Ok(Some(min)), Ok(Some(max))) if SALARY_TYPED.contains(&min) && SALARY_TYPED.contains(&max) => {
            Salary::Range { min, max }
        }
        (Ok(Some(_)), Ok(Some(_))) => {
            errors.add(
                "salary_min",
                l.pick("月薪须在 100 至 1000000 元之间（按月填写）。", "Monthly pay between 100 and 1,000,000 yuan."),
            );
            Salary::Negotiable
        }
        (Ok(_), Ok(_)) => {
            errors.add(
                "salary_min",
                l.pick(
                    "请同时填写最低和最高月薪；面议则都留空。",
                    "Give both the lowest and highest pay, or neither for negotiable.",
                ),
            );
            Salary::Negotiable
        }
        _ => {
            errors.add("salary_min", l.pick("月薪须为整数（元）。", "Pay is a whole number of yuan."));
            Salary::Negotiable
        }
    }
}

/// A mobile number, or a landline with its area code (digits and one hyphen
/// or space), normalised.
pub fn phone(s: &str) -> Option<String> {
    let s: String = s.trim().chars().filter(|c| !matches!(c, ' ' | '(' | ')' | '（' | '）')).collect();
    if let Ok(mobile) = kernel::validate::mobile(&s) {
        return Some(mobile);
    }
    let digits: String = s.chars().filter(char::is_ascii_digit).collect();
    let shape_ok = s.chars().all(|c| c.is_ascii_digit() || c == '-') && s.matches('-').count() <= 2;
    (shape_ok && s.starts_with('0') && (10..=12).contains(&digits.len())).then_some(s)
}

fn deadline(s: &str, today: NaiveDate, l: Locale, errors: &mut FieldErrors) -> Option<NaiveDate> {
    match kernel::validate::parse_date(s.trim()) {
        Some(day) if day < today => {
            errors.add("deadline", l.pick("截止日期已过。", "The deadline has passed."));
            None
        }
        Some(day) if (day - today).num_days() > LONGEST_OPEN_DAYS => {
            errors.add("deadline", l.pick("截止日期最远为一年后。", "The deadline can be at most a year away."));
            None
        }
        Some(day) => Some(day),
        None => {
            errors.add("deadline", l.pick("请按 2022-06-30 的格式填写日期。", "Give a date as 2022-06-30."));
            None
        }
    }
}

/// An http or https address with nothing that could break out of a link.
pub fn is_web_address(s: &str) -> bool {
    let rest = s.strip_prefix("https://").or_else(|| s.strip_prefix("http://"));
    rest.is_some_and(|r| {
        !r.is_empty() && !r.chars().any(|c| c.is_whitespace() || c.is_control() || c == '"' || c == '<')
    })
}

/// Where a posting stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// 待审核
    Pending,
    /// 已发布
    Approved,
    /// 未通过: the employer sees why, edits and resubmits.
    Rejected,
    /// 已撤回 by the employer.
    Withdrawn,
    /// 已下架 by a reviewer after it was published.
    TakenDown,
}

impl Status {
    pub const ALL: [Status; 5] =
        [Status::Pending, Status::Approved, Status::Rejected, Status::Withdrawn, Status::TakenDown];

    pub fn key(self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::Approved => "approved",
            Status::Rejected => "rejected",
            Status::Withdrawn => "withdrawn",
            Status::TakenDown => "taken_down",
        }
    }
    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|st| st.key() == s)
    }
    pub fn label(self, l: Locale) -> &'static str {
        match self {
            Status::Pending => l.pick("待审核", "Awaiting review"),
            Status::Approved => l.pick("已发布", "Published"),
            Status::Rejected => l.pick("未通过", "Rejected"),
            Status::Withdrawn => l.pick("已撤回", "Withdrawn"),
            Status::TakenDown => l.pick("已下架", "Taken down"),
        }
    }
    /// The employer may edit (and so resubmit) a posting not withdrawn.
    pub fn editable(self) -> bool {
        !matches!(self, Status::Withdrawn)
    }
    pub fn withdrawable(self) -> bool {
        matches!(self, Status::Pending | Status::Approved | Status::Rejected)
    }
}

/// Whether applications are taken: published and the deadline's day not over.
pub fn is_open(status: Status, deadline: NaiveDate, today: NaiveDate) -> bool {
    status == Status::Approved && deadline >= today
}

/// A reviewer's decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Approve,
    Reject,
    TakeDown,
}

impl Decision {
    pub fn parse(s: &str) -> Option<Decision> {
        match s {
            "approve" => Some(Decision::Approve),
            "reject" => Some(Decision::Reject),
            "take_down" => Some(Decision::TakeDown),
            _ => None,
        }
    }
    /// The state a decision leads to from `from`, if it may be taken there.
    pub fn leads_to(self, from: Status) -> Option<Status> {
        match (self, from) {
            (Decision::Approve, Status::Pending | Status::TakenDown) => Some(Status::Approved),
            (Decision::Reject, Status::Pending) => Some(Status::Rejected),
            (Decision::TakeDown, Status::Approved) => Some(Status::TakenDown),
            _ => None,
        }
    }
    /// A rejection or a take-down tells the employer why.
    pub fn needs_reason(self) -> bool {
        !matches!(self, Decision::Approve)
    }
}

/// Who reviews a posting: the province any; a university's staff (of the
/// whole institution, not one college) the postings sent to its campus channel.
pub fn may_review(actor: &Actor, channel_institution_id: Option<i64>) -> bool {
    match actor.role {
        Role::ProvinceAdmin => true,
        Role::UniversityStaff => {
            actor.college_id.is_none()
                && channel_institution_id.is_some()
                && actor.institution_id == channel_institution_id
        }
        _ => false,
    }
}

/// Words that mark a posting asking graduates for money (押金, 培训费 …), the
/// commonest recruitment fraud; the review hint names the one found.
pub const MONEY_WORDS: &[&str] =
    &["押金", "保证金", "培训费", "服装费", "体检费", "资料费", "报名费", "中介费", "介绍费", "先交费", "刷单", "垫付"];

/// Monthly pay a graduate post plausibly offers; outside it the review shows a hint (not a refusal).
pub const PLAUSIBLE_MONTHLY: std::ops::RangeInclusive<i64> = 1_500..=50_000;

/// A reason for a reviewer to look twice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Hint {
    /// The same employer posted the same title within 30 days (the other posting's id).
    Duplicate(i64),
    MoneyWord(&'static str),
    ImplausibleSalary,
    EmployerNotApproved,
}

impl Hint {
    pub fn label(&self, l: Locale) -> String {
        match self {
            Hint::Duplicate(id) => {
                format!("{}{id}", l.pick("30 天内同一单位有同名岗位：#", "Same employer, same title within 30 days: #"))
            }
            Hint::MoneyWord(w) => format!("{}{w}", l.pick("含收费字样：", "Mentions a fee: ")),
            Hint::ImplausibleSalary => l
                .pick("月薪超出常见范围（1500-50000 元）", "Pay outside the usual range (1,500–50,000 yuan)")
                .to_owned(),
            Hint::EmployerNotApproved => l.pick("单位未通过审核", "Employer not approved").to_owned(),
        }
    }
}

/// The hints for a posting's text and pay; `duplicate_of` and
/// `employer_approved` come from the store.
pub fn hints(
    title: &str,
    description: &str,
    salary: Salary,
    duplicate_of: Option<i64>,
    employer_approved: bool,
) -> Vec<Hint> {
    let mut hints = Vec::new();
    if let Some(id) = duplicate_of {
        hints.push(Hint::Duplicate(id));
    }
    let text = format!("{title}\n{description}");
    if let Some(word) = MONEY_WORDS.iter().find(|w| text.contains(**w)) {
        hints.push(Hint::MoneyWord(word));
    }
    if let Salary::Range { min, max } = salary {
        if !PLAUSIBLE_MONTHLY.contains(&min) || !PLAUSIBLE_MONTHLY.contains(&max) {
            hints.push(Hint::ImplausibleSalary);
        }
    }
    if !employer_approved {
        hints.push(Hint::EmployerNotApproved);
    }
    hints
}

#[cfg(test)]
mod tests {
    use super::*;

    fn allowed() -> Allowed {
        let set = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<HashSet<String>>();
        Allowed {
            positions: set(&["13", "24"]),
            industries: set(&["65", "22"]),
            education_levels: set(&["1", "2", "3"]),
            public_sector_kinds: set(&["1", "2"]),
            regions: set(&["430100", "430104", "440300"]),
            majors: set(&["080901", "080902"]),
            institutions: [7].into_iter().collect(),
        }
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2022, 3, 1).unwrap()
    }

    fn good() -> PostingForm {
        PostingForm {
            title: "  软件开发  工程师 ".into(),
            description: "负责后端服务的设计与开发，熟悉 Rust 或 Java。".into(),
            position_code: "13".into(),
            industry_code: "65".into(),
            education_level: "2".into(),
            region_codes: vec!["430104".into(), "430100".into(), "430104".into()],
            major_codes: "080901、080902, 080901".into(),
            headcount: "5".into(),
            salary_min: "6,000".into(),
            salary_max: "9000".into(),
            contact_name: "王芳".into(),
            contact_phone: "0731-88888888".into(),
            deadline: "2022-06-30".into(),
            ..PostingForm::default()
        }
    }

    #[test]
    fn several_places_of_work_come_as_several_pairs() {
        let pairs: Vec<(String, String)> =
            [("title", "会计"), ("region_codes", "430100"), ("region_codes", "440300"), ("_csrf", "x")]
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
        let form = PostingForm::from_pairs(&pairs);
        assert_eq!(form.title, "会计");
        assert_eq!(form.region_codes, vec!["430100", "440300"]);
    }

    #[test]
    fn a_good_form_is_normalised() {
        let c = check(&good(), &allowed(), today(), Locale::Zh).unwrap();
        assert_eq!(c.title, "软件开发 工程师");
        assert_eq!(c.region_codes, vec!["430100", "430104"]);
        assert_eq!(c.major_codes, vec!["080901", "080902"]);
        assert_eq!(c.salary, Salary::Range { min: 6000, max: 9000 });
        assert_eq!(c.contact_phone, "0731-88888888");
        assert_eq!(c.channel_institution_id, None);
    }

    #[test]
    fn each_bad_field_is_named() {
        let form = PostingForm {
            title: "x".into(),
            description: "短".into(),
            position_code: "99".into(),
            region_codes: vec!["999999".into()],
            major_codes: "123456".into(),
            headcount: "0".into(),
            salary_min: "9000".into(),
            salary_max: "6000".into(),
            contact_phone: "12345".into(),
            deadline: "2022-02-28".into(),
            public_sector_kind: "1".into(),
            channel_institution_id: "8".into(),
            ..good()
        };
        let errors = check(&form, &allowed(), today(), Locale::Zh).unwrap_err();
        for field in [
            "title",
            "description",
            "position_code",
            "region_codes",
            "major_codes",
            "headcount",
            "salary_min",
            "contact_phone",
            "deadline",
            "notice_url",
            "channel_institution_id",
        ] {
            assert!(!errors.of(field).is_empty(), "{field}");
        }
    }

    #[test]
    fn pay_is_both_bounds_or_negotiable() {
        let negotiable = PostingForm { salary_min: " ".into(), salary_max: "".into(), ..good() };
        assert_eq!(check(&negotiable, &allowed(), today(), Locale::En).unwrap().salary, Salary::Negotiable);
        let half = PostingForm { salary_max: "".into(), ..good() };
        assert!(check(&half, &allowed(), today(), Locale::En).is_err());
        let yearly = PostingForm { salary_min: "120000".into(), salary_max: "2000000".into(), ..good() };
        assert!(check(&yearly, &allowed(), today(), Locale::En).is_err());
    }

    #[test]
    fn a_deadline_is_today_to_a_year_away() {
        let on_the_day = PostingForm { deadline: "2022-03-01".into(), ..good() };
        assert!(check(&on_the_day, &allowed(), today(), Locale::Zh).is_ok());
        let too_far = PostingForm { deadline: "2023-03-03".into(), ..good() };
        assert!(check(&too_far, &allowed(), today(), Locale::Zh).is_err());
    }

    #[test]
    fn a_public_sector_post_links_a_real_web_notice() {
        let with = |url: &str| PostingForm { public_sector_kind: "2".into(), notice_url: url.into(), ..good() };
        assert!(check(&with("https://rst.hunan.gov.cn/notice/1"), &allowed(), today(), Locale::Zh).is_ok());
        assert!(check(&with("javascript:alert(1)"), &allowed(), today(), Locale::Zh).is_err());
        assert!(check(&with("https://a b"), &allowed(), today(), Locale::Zh).is_err());
    }

    #[test]
    fn phones_mobile_or_landline_with_area_code() {
        assert_eq!(phone("138 0013 8000").as_deref(), Some("13800138000"));
        assert_eq!(phone("(0731)88888888").as_deref(), Some("073188888888"));
        assert_eq!(phone("88888888"), None);
        assert_eq!(phone("0731-8888-8888-1"), None);
    }

    #[test]
    fn decisions_follow_the_states() {
        assert_eq!(Decision::Approve.leads_to(Status::Pending), Some(Status::Approved));
        assert_eq!(Decision::Reject.leads_to(Status::Approved), None);
        assert_eq!(Decision::TakeDown.leads_to(Status::Approved), Some(Status::TakenDown));
        assert_eq!(Decision::Approve.leads_to(Status::Withdrawn), None);
        assert!(is_open(Status::Approved, today(), today()));
        assert!(!is_open(Status::Approved, today().pred_opt().unwrap(), today()));
    }

    #[test]
    fn campus_channels_are_reviewed_by_their_university() {
        let actor = |role, institution_id, college_id| Actor {
            account_id: 1,
            username: String::new(),
            display_name: String::new(),
            role,
            institution_id,
            college_id,
            employer_id: None,
            graduate_id: None,
        };
        assert!(may_review(&actor(Role::ProvinceAdmin, None, None), None));
        assert!(may_review(&actor(Role::UniversityStaff, Some(7), None), Some(7)));
        assert!(!may_review(&actor(Role::UniversityStaff, Some(7), None), None));
        assert!(!may_review(&actor(Role::UniversityStaff, Some(7), None), Some(8)));
        assert!(!may_review(&actor(Role::UniversityStaff, Some(7), Some(3)), Some(7)));
        assert!(!may_review(&actor(Role::Employer, None, None), None));
    }

    #[test]
    fn hints_name_what_to_look_at() {
        let hints = hints("招聘文员", "入职需交押金 500 元", Salary::Range { min: 800, max: 90_000 }, Some(3), false);
        assert_eq!(
            hints,
            vec![Hint::Duplicate(3), Hint::MoneyWord("押金"), Hint::ImplausibleSalary, Hint::EmployerNotApproved]
        );
        assert!(super::hints("开发", "正常岗位描述", Salary::Negotiable, None, true).is_empty());
    }
}
