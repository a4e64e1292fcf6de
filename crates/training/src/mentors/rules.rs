//! The mentor pool's rules, apart from I/O: the recommendation form, the
//! province's decision, the yearly review (活跃度: slots held and sessions
//! given), residencies and secondments, the graduate's booking limit, and the
//! course library's audiences. Slot times and reminders are the appointments'
//! rules (`assistance::appointments::rules`), shared rather than copied.

use chrono::NaiveDate;
use kernel::auth::Role;
use kernel::Locale;
use serde::Deserialize;

pub use assistance::appointments::rules::Problem;

/// A mentor record's states.
pub const PENDING: &str = "pending";
pub const PUBLISHED: &str = "published";
pub const REJECTED: &str = "rejected";
pub const REMOVED: &str = "removed";

pub fn status_label(status: &str, l: Locale) -> &'static str {
    match status {
        PENDING => l.pick("待审核", "Pending review"),
        PUBLISHED => l.pick("已发布", "Published"),
        REJECTED => l.pick("未通过", "Rejected"),
        REMOVED => l.pick("已移出", "Removed"),
        _ => l.pick("未知", "Unknown"),
    }
}

/// The three kinds of mentor the plan names.
pub const KINDS: [&str; 3] = ["guidance", "startup", "resident"];

pub fn kind_label(kind: &str, l: Locale) -> &'static str {
    match kind {
        "guidance" => l.pick("就业指导", "Career guidance"),
        "startup" => l.pick("创业导师", "Start-up mentor"),
        "resident" => l.pick("驻校企业家", "Entrepreneur in residence"),
        _ => l.pick("其他", "Other"),
    }
}

/// The code table of mentors' fields.
pub const FIELDS: &str = "mentor_field";
/// At most this many fields per mentor.
pub const MAX_FIELDS: usize = 4;

/// The recommendation form (university office or employer); `fields` are
/// ticked boxes, so the form is read as pairs (`from_pairs`).
#[derive(Debug, Clone, Default)]
pub struct RecommendForm {
    /// The mentor's own account on the platform, by its user name.
    pub username: String,
    pub name: String,
    pub kind: String,
    pub fields: Vec<String>,
    pub organisation: String,
    pub title: String,
    pub phone: String,
    pub bio: String,
    pub availability: String,
}

impl RecommendForm {
    pub fn from_pairs(pairs: &[(String, String)]) -> RecommendForm {
        let mut f = RecommendForm::default();
        for (k, v) in pairs {
            let v = v.clone();
            match k.as_str() {
                "username" => f.username = v,
                "name" => f.name = v,
                "kind" => f.kind = v,
                "fields" => f.fields.push(v),
                "organisation" => f.organisation = v,
                "title" => f.title = v,
                "phone" => f.phone = v,
                "bio" => f.bio = v,
                "availability" => f.availability = v,
                _ => {}
            }
        }
        f
    }
    pub fn has(&self, code: &str) -> bool {
        self.fields.iter().any(|c| c == code)
    }
}

/// A recommendation, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMentor {
    pub username: String,
    pub name: String,
    pub kind: String,
    pub fields: Vec<String>,
    pub organisation: String,
    pub title: String,
    pub phone: String,
    pub bio: String,
    pub availability: String,
}

/// Checks the form: every problem, keyed by field, in the reader's language.
pub fn check_recommend(
    f: &RecommendForm,
    known_fields: &[String],
    l: Locale,
) -> Result<NewMentor, Vec<(&'static str, String)>> {
    let mut problems: Vec<(&'static str, String)> = Vec::new();
    let mut need = |field: &'static str, value: &str, max: usize, zh: &str, en: &str| -> String {
        match kernel::web::form::clean(value, max) {
            Some(v) => v,
            None => {
                problems.push((field, l.pick(zh, en).to_owned()));
                String::new()
            }
        }
    };
    let username = need("username", &f.username, 64, "请填写导师在平台上的账号。", "Give the mentor's account name.");
    let name = need("name", &f.name, 40, "请填写姓名。", "Give the name.");
    let organisation = need("organisation", &f.organisation, 100, "请填写工作单位。", "Give the organisation.");
    let title = need("title", &f.title, 60, "请填写职务或职称。", "Give the title.");
    let bio = need("bio", &f.bio, 1000, "请填写简介（1000 字以内）。", "Give a short bio (up to 1000 characters).");
    let availability =
        need("availability", &f.availability, 200, "请说明可指导的时间。", "Say when the mentor is available.");
    if !KINDS.contains(&f.kind.trim()) {
        problems.push(("kind", l.pick("请选择导师类别。", "Choose the kind of mentor.").to_owned()));
    }
    let mut fields: Vec<String> = Vec::new();
    for code in &f.fields {
        let code = code.trim();
        if !code.is_empty() && !fields.iter().any(|c| c == code) {
            fields.push(code.to_owned());
        }
    }
    if fields.is_empty() || fields.len() > MAX_FIELDS || fields.iter().any(|c| !known_fields.contains(c)) {
        problems.push(("fields", l.pick("请选择 1 到 4 个指导领域。", "Choose 1 to 4 fields.").to_owned()));
    }
    fields.sort();
    let phone = match kernel::validate::mobile(&f.phone) {
        Ok(p) => p,
        Err(_) => {
            problems.push(("phone", l.pick("请填写 11 位手机号码。", "Give an 11-digit mobile number.").to_owned()));
            String::new()
        }
    };
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(NewMentor {
        username,
        name,
        kind: f.kind.trim().to_owned(),
        fields,
        organisation,
        title,
        phone,
        bio,
        availability,
    })
}

/// Who recommends: a university office for its own institution, or an employer for itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recommender {
    Institution(i64),
    Employer(i64),
}

/// The account a recommendation links to, as the store found it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Linked {
    pub role: Role,
    pub institution_id: Option<i64>,
    pub employer_id: Option<i64>,
}

pub const NOT_YOURS: Problem = Problem(
    "只能推荐本单位的账号（高校：本校教师或评审专家账号；用人单位：本单位账号）。",
    "You may recommend only your own people (a university: its staff or an expert's account; an employer: its own account).",
);

/// Whether the recommender may link this account: a university its own staff
/// or an independent expert; an employer only its own accounts.
pub fn may_link(by: Recommender, account: &Linked) -> Result<(), Problem> {
    let ok = match by {
        Recommender::Institution(i) => {
            (account.role == Role::UniversityStaff && account.institution_id == Some(i)) || account.role == Role::Expert
        }
        Recommender::Employer(e) => account.role == Role::Employer && account.employer_id == Some(e),
    };
    if ok {
        Ok(())
    } else {
        Err(NOT_YOURS)
    }
}

pub const NO_REASON: Problem = Problem("请写明理由（将告知推荐单位）。", "Give the reason (the recommender is told).");

/// The province's decision on a recommendation: approve, or reject with a reason.
pub fn check_decision(decision: &str, reason: &str) -> Result<(bool, String), Problem> {
    let reason = reason.trim().chars().take(500).collect::<String>();
    match decision {
        "approve" => Ok((true, reason)),
        "reject" if !reason.is_empty() => Ok((false, reason)),
        _ => Err(NO_REASON),
    }
}

/// A mentor's activity over a year.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Activity {
    /// Slots opened that year (not cancelled).
    pub slots: i64,
    /// Sessions given: bookings marked held.
    pub sessions: i64,
}

/// Sessions a year below which the yearly review suggests removal.
pub const MIN_SESSIONS: i64 = 2;

/// What the yearly review suggests from the year's activity.
pub fn suggest_keep(a: Activity) -> bool {
    a.sessions >= MIN_SESSIONS
}

pub const KEEP_NEEDS_REASON: Problem = Problem(
    "该导师本年度指导不足 2 次；如仍保留，请写明理由。",
    "This mentor gave fewer than 2 sessions this year; give the reason to keep them.",
);

/// The yearly decision: removal always needs a reason; keeping against the
/// suggestion (too little activity) needs one too.
pub fn check_yearly(decision: &str, reason: &str, a: Activity) -> Result<(bool, String), Problem> {
    let reason = reason.trim().chars().take(500).collect::<String>();
    match decision {
        "keep" if suggest_keep(a) || !reason.is_empty() => Ok((true, reason)),
        "keep" => Err(KEEP_NEEDS_REASON),
        "remove" if !reason.is_empty() => Ok((false, reason)),
        _ => Err(NO_REASON),
    }
}

/// A residency (驻校企业家) or a secondment (挂职锻炼).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct PostingForm {
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub place: String,
    #[serde(default)]
    pub from_on: String,
    #[serde(default)]
    pub to_on: String,
}

pub fn posting_kind_label(kind: &str, l: Locale) -> &'static str {
    match kind {
        "residency" => l.pick("驻校企业家", "Residency"),
        _ => l.pick("挂职锻炼", "Industry secondment"),
    }
}

/// (kind, place, from, to), checked.
pub fn check_posting(f: &PostingForm) -> Result<(String, String, NaiveDate, NaiveDate), Problem> {
    let kind = f.kind.trim();
    if kind != "residency" && kind != "secondment" {
        return Err(Problem("请选择驻校或挂职。", "Choose residency or secondment."));
    }
    let place = kernel::web::form::clean(&f.place, 100)
        .ok_or(Problem("请填写驻校高校或挂职单位。", "Give the university or the host organisation."))?;
    let (Some(from), Some(to)) = (kernel::validate::parse_date(&f.from_on), kernel::validate::parse_date(&f.to_on))
    else {
        return Err(Problem("请填写起止日期，如 2022-03-01。", "Give both dates, as 2022-03-01."));
    };
    if to < from {
        return Err(Problem("结束日期不能早于开始日期。", "The end cannot be before the start."));
    }
    Ok((kind.to_owned(), place, from, to))
}

/// A graduate holds at most this many open bookings with mentors at once.
pub const MAX_OPEN_BOOKINGS: i64 = 3;

pub const TOO_MANY: Problem = Problem(
    "你已有 3 个尚未进行的导师预约；请先完成或取消其中一个。",
    "You already hold 3 mentor bookings that have not taken place; keep or cancel one first.",
);

/// Whether a graduate holding `open` bookings may book another.
pub fn within_limit(open: i64) -> Result<(), Problem> {
    if open < MAX_OPEN_BOOKINGS {
        Ok(())
    } else {
        Err(TOO_MANY)
    }
}

/// Who a course's files are for.
pub const AUDIENCES: [&str; 3] = ["public", "staff", "graduates"];

pub fn audience_label(audience: &str, l: Locale) -> &'static str {
    match audience {
        "public" => l.pick("公开", "Public"),
        "staff" => l.pick("高校教师", "University staff"),
        _ => l.pick("毕业生", "Graduates"),
    }
}

/// Whether a visitor (`None`: not signed in) may see a course and download its
/// files: public ones anyone; staff ones the province and university staff;
/// graduates' ones graduates and the staff who guide them.
pub fn audience_admits(audience: &str, role: Option<Role>) -> bool {
    matches!(
        (audience, role),
        ("public", _) | (_, Some(Role::ProvinceAdmin | Role::UniversityStaff)) | ("graduates", Some(Role::Graduate))
    )
}

/// Whether an actor owns a course (edits it, adds and removes its files,
/// withdraws it): the province a course it added (`institution` none), a
/// university's staff one their institution added.
pub fn owns_course(role: Role, own_institution: Option<i64>, course_institution: Option<i64>) -> bool {
    match (role, course_institution) {
        (Role::ProvinceAdmin, None) => true,
        (Role::UniversityStaff, Some(c)) => own_institution == Some(c),
        _ => false,
    }
}

/// The audiences a role may see, for the listing's SQL.
pub fn audiences_for(role: Option<Role>) -> Vec<&'static str> {
    AUDIENCES.into_iter().filter(|a| audience_admits(a, role)).collect()
}

pub fn course_kind_label(kind: &str, l: Locale) -> &'static str {
    match kind {
        "model" => l.pick("特色示范课程", "Model course"),
        _ => l.pick("共享资源", "Shared resource"),
    }
}

/// The course form.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct CourseForm {
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub summary: String,
    #[serde(default)]
    pub audience: String,
}

/// (kind, title, summary, audience), checked.
pub fn check_course(f: &CourseForm) -> Result<(String, String, String, String), Problem> {
    let kind = f.kind.trim();
    if kind != "model" && kind != "resource" {
        return Err(Problem("请选择示范课程或共享资源。", "Choose model course or shared resource."));
    }
    let title = kernel::web::form::clean(&f.title, 100)
        .ok_or(Problem("请填写标题（100 字以内）。", "Give the title (up to 100 characters)."))?;
    let summary = f.summary.trim().chars().take(1000).collect::<String>();
    let audience = f.audience.trim();
    if !AUDIENCES.contains(&audience) {
        return Err(Problem("请选择面向对象。", "Choose the audience."));
    }
    Ok((kind.to_owned(), title, summary, audience.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> RecommendForm {
        RecommendForm {
            username: "staff10530".into(),
            name: "王老师".into(),
            kind: "guidance".into(),
            fields: vec!["02".into(), "01".into(), "02".into()],
            organisation: "湘潭大学".into(),
            title: "副教授".into(),
            phone: "13812345678".into(),
            bio: "从事就业指导十年。".into(),
            availability: "每周三下午".into(),
        }
    }

    fn known() -> Vec<String> {
        (1..=10).map(|i| format!("{i:02}")).collect()
    }

    #[test]
    fn a_recommendation_is_checked_field_by_field() {
        let m = check_recommend(&form(), &known(), Locale::Zh).expect("valid");
        assert_eq!(m.fields, vec!["01", "02"], "deduplicated and sorted");
        let mut bad = form();
        bad.fields = vec!["99".into()];
        bad.phone = "123".into();
        bad.kind = "guru".into();
        let problems = check_recommend(&bad, &known(), Locale::En).unwrap_err();
        let keys: Vec<&str> = problems.iter().map(|(k, _)| *k).collect();
        assert_eq!(keys, vec!["kind", "fields", "phone"]);
        bad.fields = (1..=5).map(|i| format!("{i:02}")).collect();
        assert!(check_recommend(&bad, &known(), Locale::Zh).unwrap_err().iter().any(|(k, _)| *k == "fields"));
    }

    #[test]
    fn an_employer_links_only_its_own_and_a_university_its_staff_or_an_expert() {
        let staff = Linked { role: Role::UniversityStaff, institution_id: Some(1), employer_id: None };
        let expert = Linked { role: Role::Expert, institution_id: None, employer_id: None };
        let hr = Linked { role: Role::Employer, institution_id: None, employer_id: Some(7) };
        assert_eq!(may_link(Recommender::Institution(1), &staff), Ok(()));
        assert_eq!(may_link(Recommender::Institution(2), &staff), Err(NOT_YOURS));
        assert_eq!(may_link(Recommender::Institution(2), &expert), Ok(()));
        assert_eq!(may_link(Recommender::Institution(1), &hr), Err(NOT_YOURS));
        assert_eq!(may_link(Recommender::Employer(7), &hr), Ok(()));
        assert_eq!(may_link(Recommender::Employer(8), &hr), Err(NOT_YOURS));
        assert_eq!(may_link(Recommender::Employer(7), &staff), Err(NOT_YOURS));
    }

    #[test]
    fn the_yearly_review_keeps_the_active_and_asks_why_otherwise() {
        let active = Activity { slots: 10, sessions: 2 };
        let idle = Activity { slots: 4, sessions: 1 };
        assert!(suggest_keep(active) && !suggest_keep(idle));
        assert_eq!(check_yearly("keep", "", active), Ok((true, String::new())));
        assert_eq!(check_yearly("keep", "", idle), Err(KEEP_NEEDS_REASON));
        assert_eq!(check_yearly("keep", "下学期有驻校安排", idle), Ok((true, "下学期有驻校安排".into())));
        assert_eq!(check_yearly("remove", " ", active), Err(NO_REASON));
        assert_eq!(check_yearly("remove", "全年未开放时段", idle), Ok((false, "全年未开放时段".into())));
        assert_eq!(check_yearly("maybe", "x", idle), Err(NO_REASON));
        assert_eq!(check_decision("reject", ""), Err(NO_REASON));
        assert_eq!(check_decision("approve", ""), Ok((true, String::new())));
    }

    #[test]
    fn postings_need_a_place_and_dates_in_order() {
        let f = PostingForm {
            kind: "residency".into(),
            place: "湘潭大学".into(),
            from_on: "2022-03-01".into(),
            to_on: "2022-06-30".into(),
        };
        assert!(check_posting(&f).is_ok());
        assert!(check_posting(&PostingForm { to_on: "2022-02-01".into(), ..f.clone() }).is_err());
        assert!(check_posting(&PostingForm { kind: "holiday".into(), ..f.clone() }).is_err());
        assert!(check_posting(&PostingForm { place: " ".into(), ..f }).is_err());
    }

    #[test]
    fn a_graduate_holds_at_most_three_open_bookings() {
        assert_eq!(within_limit(0), Ok(()));
        assert_eq!(within_limit(2), Ok(()));
        assert_eq!(within_limit(3), Err(TOO_MANY));
    }

    #[test]
    fn downloads_follow_the_audience() {
        assert!(audience_admits("public", None));
        assert!(!audience_admits("graduates", None));
        assert!(audience_admits("graduates", Some(Role::Graduate)));
        assert!(!audience_admits("staff", Some(Role::Graduate)));
        assert!(!audience_admits("graduates", Some(Role::Employer)));
        assert!(audience_admits("staff", Some(Role::UniversityStaff)));
        assert_eq!(audiences_for(Some(Role::Expert)), vec!["public"]);
        assert_eq!(audiences_for(Some(Role::ProvinceAdmin)).len(), 3);
    }

    #[test]
    fn only_the_adder_owns_a_course() {
        assert!(owns_course(Role::ProvinceAdmin, None, None));
        assert!(!owns_course(Role::ProvinceAdmin, None, Some(3)));
        assert!(owns_course(Role::UniversityStaff, Some(3), Some(3)));
        assert!(!owns_course(Role::UniversityStaff, Some(4), Some(3)));
        assert!(!owns_course(Role::UniversityStaff, Some(3), None));
        assert!(!owns_course(Role::Graduate, Some(3), Some(3)));
    }
}
