//! Pure rules of the training classes: the class form (curriculum, sessions
//! and quotas one a line), who a class admits, quota and capacity, the
//! completion rule (attend at least N sessions, pass the assessment), the
//! assessment as typed, certificate numbers, a teacher's form and the door.

use chrono::NaiveDate;
use kernel::web::allowance::Allowance;
use kernel::Locale;

/// The largest capacity, quota, session count and hours a form may give.
pub const MOST: i64 = 100_000;
/// The most sessions and modules a class has.
pub const MOST_LINES: usize = 60;

/// Who a class is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    Teachers,
    Students,
    Both,
}

impl Audience {
    pub const ALL: [Audience; 3] = [Audience::Teachers, Audience::Students, Audience::Both];

    pub fn key(self) -> &'static str {
        match self {
            Audience::Teachers => "teachers",
            Audience::Students => "students",
            Audience::Both => "both",
        }
    }
    pub fn parse(s: &str) -> Option<Audience> {
        Audience::ALL.into_iter().find(|a| a.key() == s.trim())
    }
    pub fn label(self, l: Locale) -> &'static str {
        match self {
            Audience::Teachers => l.pick("就业创业指导教师", "Guidance teachers"),
            Audience::Students => l.pick("学生（毕业生）", "Students"),
            Audience::Both => l.pick("教师和学生", "Teachers and students"),
        }
    }
    pub fn admits_teachers(self) -> bool {
        self != Audience::Students
    }
    pub fn admits_students(self) -> bool {
        self != Audience::Teachers
    }
}

/// The completion rule: attend at least `required` sessions and, when
/// `assessed`, pass the assessment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    pub required: i64,
    pub assessed: bool,
}

impl Rule {
    /// Whether attending `attended` distinct sessions with this assessment result completes.
    pub fn completes(&self, attended: i64, passed: Option<bool>) -> bool {
        attended >= self.required && (!self.assessed || passed == Some(true))
    }
    pub fn label(&self, l: Locale) -> String {
        match (l, self.assessed) {
            (Locale::Zh, true) => format!("至少出勤 {} 次且考核合格", self.required),
            (Locale::Zh, false) => format!("至少出勤 {} 次", self.required),
            (Locale::En, true) => format!("attend at least {} sessions and pass the assessment", self.required),
            (Locale::En, false) => format!("attend at least {} sessions", self.required),
        }
    }
}

/// The quota of an institution: its own when the class names one, else the
/// class's default; 0 means no quota beyond the capacity.
pub fn quota_of(default: i64, exceptions: &[(i64, i64)], institution: i64) -> i64 {
    exceptions.iter().find(|(i, _)| *i == institution).map(|(_, q)| *q).unwrap_or(default)
}

/// Why one more enrolment does not fit, if it does not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoPlace {
    Full,
    QuotaUsed(i64),
}

impl NoPlace {
    pub fn message(self, l: Locale) -> String {
        match (self, l) {
            (NoPlace::Full, _) => l.pick("名额已满。", "The class is full.").to_owned(),
            (NoPlace::QuotaUsed(q), Locale::Zh) => format!("本校名额（{q} 人）已用完。"),
            (NoPlace::QuotaUsed(q), Locale::En) => format!("Your institution's quota ({q}) is used up."),
        }
    }
}

/// Whether one more of the institution fits: under the capacity and its quota.
pub fn place_for(capacity: i64, enrolled: i64, quota: i64, enrolled_here: i64) -> Result<(), NoPlace> {
    if enrolled >= capacity {
        return Err(NoPlace::Full);
    }
    if quota > 0 && enrolled_here >= quota {
        return Err(NoPlace::QuotaUsed(quota));
    }
    Ok(())
}

/// A certificate's number: prefix-year-sequence, the sequence four digits at least.
pub fn certificate_number(prefix: &str, year: i32, serial: i64) -> String {
    format!("{prefix}-{year}-{serial:04}")
}

/// A number as someone types it on the public check: trimmed, upper-cased, full-width folded.
pub fn normalise_number(s: &str) -> String {
    kernel::validate::normalize(s).trim().to_uppercase()
}

/// A name as typed: spaces (also full-width) removed.
pub fn normalise_name(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace() && *c != '\u{3000}').collect()
}

/// How many checks an address makes an hour on the public page.
pub const CERTIFICATE_CHECKS: Allowance = Allowance { purpose: "certificate_check", per_hour: 30 };

// ---------------------------------------------------------------- the class form

/// A curriculum module.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Module {
    pub title: String,
    pub hours: i64,
    pub trainer: String,
}

/// A session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionLine {
    pub held_on: NaiveDate,
    pub starts_at: String,
    pub ends_at: String,
    pub online: bool,
    pub place: String,
}

/// A class form as submitted.
#[derive(Debug, Clone, Default)]
pub struct Form {
    pub kind: String,
    pub title: String,
    pub audience: String,
    pub modules: String,
    pub sessions: String,
    pub capacity: String,
    pub quota: String,
    pub quotas: String,
    pub required: String,
    pub assessed: bool,
    pub pass_mark: String,
    pub prefix: String,
    pub organiser: String,
}

impl Form {
    pub fn from_pairs(pairs: &[(String, String)]) -> Form {
        let mut f = Form::default();
        for (k, v) in pairs {
            let v = v.clone();
            match k.as_str() {
                "kind" => f.kind = v,
                "title" => f.title = v,
                "audience" => f.audience = v,
                "modules" => f.modules = v,
                "sessions" => f.sessions = v,
                "capacity" => f.capacity = v,
                "quota" => f.quota = v,
                "quotas" => f.quotas = v,
                "required" => f.required = v,
                "assessed" => f.assessed = v == "1",
                "pass_mark" => f.pass_mark = v,
                "prefix" => f.prefix = v,
                "organiser" => f.organiser = v,
                _ => {}
            }
        }
        f
    }
}

/// A class ready to store.
#[derive(Debug, Clone, PartialEq)]
pub struct Checked {
    pub kind: String,
    pub title: String,
    pub audience: Audience,
    pub modules: Vec<Module>,
    pub sessions: Vec<SessionLine>,
    pub capacity: i64,
    pub quota: i64,
    /// Institution id and its quota.
    pub quotas: Vec<(i64, i64)>,
    pub rule: Rule,
    pub pass_mark: i64,
    pub prefix: String,
    pub organiser: Option<i64>,
}

impl Checked {
    pub fn hours(&self) -> i64 {
        self.modules.iter().map(|m| m.hours).sum()
    }
}

fn number(s: &str, least: i64) -> Option<i64> {
    s.trim().parse::<i64>().ok().filter(|n| (least..=MOST).contains(n))
}

fn lines(s: &str) -> impl Iterator<Item = (usize, &str)> {
    s.lines().map(str::trim).enumerate().filter(|(_, l)| !l.is_empty()).map(|(i, l)| (i + 1, l))
}

fn line_error(l: Locale, what: (&str, &str), line: usize, how: (&str, &str)) -> String {
    match l {
        Locale::Zh => format!("{}第 {line} 行：{}", what.0, how.0),
        Locale::En => format!("{}, line {line}: {}", what.1, how.1),
    }
}

/// Modules one a line: `标题 | 学时 | 主讲`.
pub fn parse_modules(s: &str, l: Locale) -> Result<Vec<Module>, String> {
    let what = ("课程模块", "Modules");
    let mut out = Vec::new();
    for (n, line) in lines(s) {
        let parts: Vec<&str> = line.split(['|', '｜']).map(str::trim).collect();
        let [title, hours, trainer] = parts.as_slice() else {
            return Err(line_error(l, what, n, ("写作“标题 | 学时 | 主讲”。", "write “title | hours | trainer”.")));
        };
        let Some(hours) = number(hours, 1).filter(|h| *h <= 1000) else {
            return Err(line_error(l, what, n, ("学时须为 1–1000 的整数。", "hours are a whole number 1–1000.")));
        };
        if title.is_empty() || title.chars().count() > 200 || trainer.is_empty() || trainer.chars().count() > 100 {
            return Err(line_error(l, what, n, ("标题和主讲须填写。", "give the title and the trainer.")));
        }
        out.push(Module { title: (*title).to_owned(), hours, trainer: (*trainer).to_owned() });
    }
    if out.is_empty() || out.len() > MOST_LINES {
        return Err(l.pick("请填写 1–60 个课程模块。", "Give 1–60 curriculum modules.").into());
    }
    Ok(out)
}

fn minute(s: &str) -> Option<String> {
    chrono::NaiveTime::parse_from_str(s.trim(), "%H:%M").ok().map(|t| t.format("%H:%M").to_string())
}

/// Sessions one a line: `2021-10-15 | 09:00-12:00 | 地点或链接`; a place
/// starting with `http` or `线上` is online.
pub fn parse_sessions(s: &str, l: Locale) -> Result<Vec<SessionLine>, String> {
    let what = ("场次", "Sessions");
    let mut out = Vec::new();
    for (n, line) in lines(s) {
        let parts: Vec<&str> = line.split(['|', '｜']).map(str::trim).collect();
        let [day, times, place] = parts.as_slice() else {
            return Err(line_error(
                l,
                what,
                n,
                ("写作“2021-10-15 | 09:00-12:00 | 地点或链接”。", "write “2021-10-15 | 09:00-12:00 | place or link”."),
            ));
        };
        let Ok(held_on) = NaiveDate::parse_from_str(day, "%Y-%m-%d") else {
            return Err(line_error(l, what, n, ("日期写作 2021-10-15。", "write the day as 2021-10-15.")));
        };
        let (Some(starts_at), Some(ends_at)) =
            times.split_once(['-', '–', '~']).map(|(a, b)| (minute(a), minute(b))).unwrap_or((None, None))
        else {
            return Err(line_error(l, what, n, ("时间写作 09:00-12:00。", "write the times as 09:00-12:00.")));
        };
        if ends_at <= starts_at {
            return Err(line_error(l, what, n, ("结束须晚于开始。", "the end must come after the start.")));
        }
        if place.is_empty() || place.chars().count() > 300 {
            return Err(line_error(l, what, n, ("请填写地点或链接。", "give the place or link.")));
        }
        let online = place.starts_with("http") || place.starts_with("线上");
        out.push(SessionLine { held_on, starts_at, ends_at, online, place: (*place).to_owned() });
    }
    if out.is_empty() || out.len() > MOST_LINES {
        return Err(l.pick("请填写 1–60 个场次。", "Give 1–60 sessions.").into());
    }
    Ok(out)
}

/// Quotas one a line: `高校代码 人数`, codes among `institutions` (code, id).
pub fn parse_quotas(s: &str, institutions: &[(String, i64)], l: Locale) -> Result<Vec<(i64, i64)>, String> {
    let what = ("分校名额", "Quotas");
    let mut out: Vec<(i64, i64)> = Vec::new();
    for (n, line) in lines(s) {
        let mut parts = line.split_whitespace();
        let (Some(code), Some(q), None) = (parts.next(), parts.next(), parts.next()) else {
            return Err(line_error(l, what, n, ("写作“高校代码 人数”。", "write “institution code number”.")));
        };
        let Some(id) = institutions.iter().find(|(c, _)| c == code).map(|(_, id)| *id) else {
            return Err(line_error(l, what, n, ("没有这个高校代码。", "no institution has this code.")));
        };
        let Some(q) = number(q, 0) else {
            return Err(line_error(l, what, n, ("人数须为整数。", "the number is a whole number.")));
        };
        if out.iter().any(|(i, _)| *i == id) {
            return Err(line_error(l, what, n, ("该高校已写过。", "the institution is named twice.")));
        }
        out.push((id, q));
    }
    Ok(out)
}

/// A certificate prefix: 2–12 capital letters or digits.
pub fn check_prefix(s: &str) -> Option<String> {
    let p = s.trim().to_ascii_uppercase();
    ((2..=12).contains(&p.len()) && p.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())).then_some(p)
}

/// Checks a class form against the kinds and institutions (code, id) there are.
pub fn check(form: &Form, kinds: &[String], institutions: &[(String, i64)], l: Locale) -> Result<Checked, String> {
    let title = form.title.trim();
    if title.is_empty() || title.chars().count() > 200 {
        return Err(l.pick("请填写班名（不超过 200 字）。", "Give the title (at most 200 characters).").into());
    }
    if !kinds.contains(&form.kind) {
        return Err(l.pick("请选择培训类型。", "Choose the kind.").into());
    }
    let Some(audience) = Audience::parse(&form.audience) else {
        return Err(l.pick("请选择培训对象。", "Choose the audience.").into());
    };
    let modules = parse_modules(&form.modules, l)?;
    let sessions = parse_sessions(&form.sessions, l)?;
    let Some(capacity) = number(&form.capacity, 1) else {
        return Err(l.pick("容量须为 1–100000 的整数。", "The capacity is a whole number 1–100000.").into());
    };
    let Some(quota) = (if form.quota.trim().is_empty() { Some(0) } else { number(&form.quota, 0) }) else {
        return Err(l.pick("每校名额须为整数（0 为不限）。", "The quota is a whole number (0: none).").into());
    };
    let quotas = parse_quotas(&form.quotas, institutions, l)?;
    let Some(required) = number(&form.required, 1).filter(|r| *r as usize <= sessions.len()) else {
        return Err(l
            .pick(
                "结业须出勤次数须在 1 与场次数之间。",
                "The sessions required are between 1 and the sessions there are.",
            )
            .into());
    };
    let pass_mark = match form.pass_mark.trim() {
        "" => 60,
        m => match m.parse::<i64>().ok().filter(|m| (0..=100).contains(m)) {
            Some(m) => m,
            None => return Err(l.pick("合格分数须为 0–100。", "The pass mark is 0–100.").into()),
        },
    };
    let Some(prefix) = check_prefix(&form.prefix) else {
        return Err(l
            .pick("证书编号前缀为 2–12 位大写字母或数字。", "The certificate prefix is 2–12 capital letters or digits.")
            .into());
    };
    let organiser = match form.organiser.trim() {
        "" => None,
        o => match o.parse::<i64>().ok().filter(|id| institutions.iter().any(|(_, i)| i == id)) {
            Some(id) => Some(id),
            None => return Err(l.pick("请选择承办高校。", "Choose the organising institution.").into()),
        },
    };
    Ok(Checked {
        kind: form.kind.clone(),
        title: title.to_owned(),
        audience,
        modules,
        sessions,
        capacity,
        quota,
        quotas,
        rule: Rule { required, assessed: form.assessed },
        pass_mark,
        prefix,
        organiser,
    })
}

/// The form's text for stored modules, sessions and quotas (to edit them).
pub fn modules_text(m: &[Module]) -> String {
    m.iter().map(|m| format!("{} | {} | {}", m.title, m.hours, m.trainer)).collect::<Vec<_>>().join("\n")
}

// ---------------------------------------------------------------- assessment

/// An assessment as recorded: a score (passed at the mark) or pass/fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Assessment {
    pub score: Option<i64>,
    pub passed: bool,
}

/// What was typed is neither a score 0–100 nor pass or fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BadAssessment;

/// Reads what was typed for one participant: a score 0–100, or 合格/不合格
/// (pass/fail); empty is no assessment.
pub fn assessment(typed: &str, pass_mark: i64) -> Result<Option<Assessment>, BadAssessment> {
    let t = typed.trim();
    match t {
        "" => Ok(None),
        "合格" | "通过" | "pass" | "Pass" | "PASS" => Ok(Some(Assessment { score: None, passed: true })),
        "不合格" | "不通过" | "fail" | "Fail" | "FAIL" => Ok(Some(Assessment { score: None, passed: false })),
        _ => match t.parse::<i64>() {
            Ok(s) if (0..=100).contains(&s) => Ok(Some(Assessment { score: Some(s), passed: s >= pass_mark })),
            _ => Err(BadAssessment),
        },
    }
}

// ---------------------------------------------------------------- teachers

/// A teacher's form.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct TeacherForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub id_number: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub department: String,
    /// The teacher's university-staff account, if it has one (a username).
    #[serde(default)]
    pub username: String,
}

/// A teacher ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedTeacher {
    pub name: String,
    pub id_number: String,
    pub phone: String,
    pub title: String,
    pub department: String,
    pub username: String,
}

/// Checks a teacher: a name, a valid ID number and mobile, title and department.
pub fn check_teacher(f: &TeacherForm, l: Locale) -> Result<CheckedTeacher, String> {
    let name = f.name.trim();
    if name.is_empty() || name.chars().count() > 50 {
        return Err(l.pick("请填写姓名（不超过 50 字）。", "Give the name (at most 50 characters).").into());
    }
    let id = kernel::validate::id_card(&f.id_number, |_| true)
        .map_err(|e| format!("{}{}", l.pick("身份证号", "The ID number "), e.message(l)))?;
    let phone = kernel::validate::mobile(&f.phone)
        .map_err(|e| format!("{}{}", l.pick("手机号", "The mobile number "), e.message(l)))?;
    let title = f.title.trim();
    let department = f.department.trim();
    if title.chars().count() > 50 || department.is_empty() || department.chars().count() > 100 {
        return Err(l
            .pick(
                "请填写部门（职称、部门分别不超过 50、100 字）。",
                "Give the department (title ≤ 50, department ≤ 100 characters).",
            )
            .into());
    }
    Ok(CheckedTeacher {
        name: name.to_owned(),
        id_number: id.number,
        phone,
        title: title.to_owned(),
        department: department.to_owned(),
        username: f.username.trim().to_owned(),
    })
}

// ---------------------------------------------------------------- the teachers' import

/// A column of the teachers' import sheet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TeacherColumn {
    Name,
    IdNumber,
    Phone,
    Title,
    Department,
    Account,
}

/// Headers as `kernel::sheet::header_key` gives them; the first is shown.
pub const TEACHER_COLUMNS: &[(TeacherColumn, &[&str])] = &[
    (TeacherColumn::Name, &["姓名", "NAME"]),
    (TeacherColumn::IdNumber, &["身份证号", "身份证号码", "IDNUMBER", "ID"]),
    (TeacherColumn::Phone, &["手机号", "手机", "联系电话", "MOBILE", "PHONE"]),
    (TeacherColumn::Title, &["职称", "TITLE"]),
    (TeacherColumn::Department, &["部门", "所在部门", "DEPARTMENT"]),
    (TeacherColumn::Account, &["账号", "用户名", "ACCOUNT", "USERNAME"]),
];

pub fn teacher_columns() -> kernel::sheet::Columns {
    kernel::sheet::Columns::of(
        TEACHER_COLUMNS,
        &[TeacherColumn::Name, TeacherColumn::IdNumber, TeacherColumn::Phone, TeacherColumn::Department],
        &[TeacherColumn::IdNumber, TeacherColumn::Phone],
    )
}

pub fn teacher_column_of(header: &str) -> Option<TeacherColumn> {
    kernel::sheet::field_of(TEACHER_COLUMNS, header)
}

/// The column a [`check_teacher`] message is about.
pub fn teacher_column_told(message: &str, l: Locale) -> TeacherColumn {
    if message.starts_with(l.pick("身份证号", "The ID number")) {
        TeacherColumn::IdNumber
    } else if message.starts_with(l.pick("手机号", "The mobile")) {
        TeacherColumn::Phone
    } else if message.contains(l.pick("部门", "department")) {
        TeacherColumn::Department
    } else {
        TeacherColumn::Name
    }
}

/// A teacher's form filled from one sheet row.
pub fn teacher_form_of(cell: impl Fn(TeacherColumn) -> String) -> TeacherForm {
    TeacherForm {
        name: cell(TeacherColumn::Name),
        id_number: cell(TeacherColumn::IdNumber),
        phone: cell(TeacherColumn::Phone),
        title: cell(TeacherColumn::Title),
        department: cell(TeacherColumn::Department),
        username: cell(TeacherColumn::Account),
    }
}

/// The teachers' list as a sheet: the header and a row per teacher; ID
/// numbers and mobiles whole only when `whole` (the teacher's own office).
pub fn teacher_sheet(rows: &[TeacherLine], whole: bool, l: Locale) -> Vec<Vec<String>> {
    let mut out = vec![[
        l.pick("姓名", "Name"),
        l.pick("高校", "Institution"),
        l.pick("部门", "Department"),
        l.pick("职称", "Title"),
        l.pick("身份证号", "ID number"),
        l.pick("手机号", "Mobile"),
        l.pick("结业培训学时", "Training hours completed"),
        l.pick("状态", "Status"),
    ]
    .iter()
    .map(|h| (*h).to_owned())
    .collect()];
    for t in rows {
        let (id, phone) = match whole {
            true => (t.id_number.clone(), t.phone.clone()),
            false => (kernel::mask::id_number(&t.id_number), kernel::mask::phone(&t.phone)),
        };
        let status = match t.active {
            true => l.pick("在册", "Active"),
            false => l.pick("已移出", "Removed"),
        };
        out.push(vec![
            t.name.clone(),
            t.institution.clone(),
            t.department.clone(),
            t.title.clone(),
            id,
            phone,
            t.hours.to_string(),
            status.to_owned(),
        ]);
    }
    out
}

/// What the teachers' sheet needs of a teacher.
#[derive(Debug, Clone)]
pub struct TeacherLine {
    pub name: String,
    pub institution: String,
    pub department: String,
    pub title: String,
    pub id_number: String,
    pub phone: String,
    pub hours: i64,
    pub active: bool,
}

// ---------------------------------------------------------------- the door

/// The purpose a class's pass is signed for (`kernel::pass`), bound to the class.
pub const PASS_PURPOSE: &str = "training_class_pass";
/// How long a pass shown on a phone is good for.
pub const PASS_MINUTES: i64 = 15;

/// A participant's pass for a class, good for [`PASS_MINUTES`] from `now`.
pub fn pass(
    key: &kernel::auth::secret::SigningKey,
    class_id: i64,
    participant_id: i64,
    now: chrono::DateTime<chrono::Utc>,
) -> String {
    let expires = now + chrono::Duration::minutes(PASS_MINUTES);
    kernel::pass::issue(key, PASS_PURPOSE, class_id, kernel::pass::Holder::new('p', participant_id), expires)
}

/// Whom a code read at the door names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DoorCode {
    Participant(i64),
    /// A typed ID or student number, upper-cased.
    Number(String),
}

/// Why the door refuses a code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DoorRefusal {
    Unreadable,
    Pass(kernel::pass::Refusal),
    NotEnrolled,
}

impl DoorRefusal {
    pub fn message(self, l: Locale) -> String {
        match self {
            DoorRefusal::Unreadable => l
                .pick(
                    "无法识别：请扫描签到码，或输入身份证号、学号。",
                    "Unreadable: scan the pass, or type the ID or student number.",
                )
                .into(),
            DoorRefusal::Pass(kernel::pass::Refusal::OtherEvent(id)) => format!(
                "{}{id}{}",
                l.pick("这是另一个培训班（编号 ", "This pass is for another class (no. "),
                l.pick("）的签到码，不能在本班签到。", "); it cannot check in here.")
            ),
            DoorRefusal::Pass(r) => r.message(l),
            DoorRefusal::NotEnrolled => {
                l.pick("此人未报名本培训班，不能签到。", "This person is not enrolled in the class.").into()
            }
        }
    }
}

/// Reads what the door of class `class_id` was given at `now`.
pub fn door(
    key: &kernel::auth::secret::SigningKey,
    code: &str,
    class_id: i64,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<DoorCode, DoorRefusal> {
    use kernel::pass::{DoorError, DoorInput};
    match kernel::pass::door_input(key, PASS_PURPOSE, code, class_id, now) {
        Ok(DoorInput::Holder(h)) if h.kind == 'p' => Ok(DoorCode::Participant(h.id)),
        Ok(DoorInput::Holder(_)) => Err(DoorRefusal::Pass(kernel::pass::Refusal::Forged)),
        Ok(DoorInput::Typed(n)) => Ok(DoorCode::Number(n)),
        Err(DoorError::Unreadable) => Err(DoorRefusal::Unreadable),
        Err(DoorError::Pass(r)) => Err(DoorRefusal::Pass(r)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kernel::auth::secret::SigningKey;
    use proptest::prelude::*;

    #[test]
    fn completion_needs_the_sessions_and_a_pass_when_assessed() {
        let assessed = Rule { required: 3, assessed: true };
        assert!(!assessed.completes(2, Some(true)));
        assert!(!assessed.completes(3, None));
        assert!(!assessed.completes(5, Some(false)));
        assert!(assessed.completes(3, Some(true)));
        let plain = Rule { required: 2, assessed: false };
        assert!(plain.completes(2, None) && plain.completes(2, Some(false)) && !plain.completes(1, Some(true)));
        assert!(assessed.label(Locale::Zh).contains("考核合格"));
    }

    #[test]
    fn certificate_numbers_are_prefix_year_sequence() {
        assert_eq!(certificate_number("HNSZ", 2022, 7), "HNSZ-2022-0007");
        assert_eq!(certificate_number("CY", 2021, 12345), "CY-2021-12345");
        assert_eq!(normalise_number(" hnsz-2022-0007 "), "HNSZ-2022-0007");
        assert_eq!(check_prefix("hnsz"), Some("HNSZ".into()));
        assert_eq!(check_prefix("H"), None);
        assert_eq!(check_prefix("HN-SZ"), None);
        assert_eq!(normalise_name(" 张　三 "), "张三");
    }

    proptest! {
        #[test]
        fn distinct_serials_give_distinct_numbers(a in 1i64..1_000_000, b in 1i64..1_000_000, y in 2000i32..2100) {
            prop_assume!(a != b);
            prop_assert_ne!(certificate_number("HN", y, a), certificate_number("HN", y, b));
        }

        #[test]
        fn enrolment_never_exceeds_capacity_or_quota(cap in 1i64..50, quota in 0i64..10, n in 0i64..60, here in 0i64..60) {
            let here = here.min(n);
            if place_for(cap, n, quota, here).is_ok() {
                prop_assert!(n < cap);
                prop_assert!(quota == 0 || here < quota);
            }
        }
    }

    #[test]
    fn quotas_take_the_institutions_own_before_the_default() {
        let exceptions = [(1, 5), (2, 0)];
        assert_eq!(quota_of(3, &exceptions, 1), 5);
        assert_eq!(quota_of(3, &exceptions, 2), 0);
        assert_eq!(quota_of(3, &exceptions, 9), 3);
        assert_eq!(place_for(10, 3, 2, 2), Err(NoPlace::QuotaUsed(2)));
        assert_eq!(place_for(3, 3, 0, 0), Err(NoPlace::Full));
        assert_eq!(place_for(10, 3, 0, 3), Ok(()));
        assert!(NoPlace::QuotaUsed(2).message(Locale::Zh).contains("2 人"));
    }

    fn form() -> Form {
        Form {
            kind: "01".into(),
            title: "师资培训班第一期".into(),
            audience: "teachers".into(),
            modules: "职业生涯规划 | 8 | 张老师\n就业指导实务｜4｜李老师".into(),
            sessions: "2021-10-15 | 09:00-12:00 | 长沙\n2021-10-16 | 14:00–17:00 | https://meet.example/1".into(),
            capacity: "100".into(),
            quota: "3".into(),
            quotas: "10530 5".into(),
            required: "2".into(),
            assessed: true,
            pass_mark: "".into(),
            prefix: "hnsz".into(),
            organiser: "".into(),
        }
    }

    #[test]
    fn a_class_form_reads_its_lines() {
        let inst = [("10530".to_owned(), 7)];
        let c = check(&form(), &["01".into()], &inst, Locale::Zh).expect("checked");
        assert_eq!(c.hours(), 12);
        assert_eq!(c.sessions.len(), 2);
        assert!(!c.sessions[0].online && c.sessions[1].online);
        assert_eq!(c.sessions[1].ends_at, "17:00");
        assert_eq!(c.quotas, vec![(7, 5)]);
        assert_eq!(c.prefix, "HNSZ");
        assert_eq!(c.pass_mark, 60);
        let bad = Form { required: "3".into(), ..form() };
        assert!(check(&bad, &["01".into()], &inst, Locale::Zh).unwrap_err().contains("出勤"));
        let bad = Form { sessions: "2021-10-15 | 12:00-09:00 | 长沙".into(), ..form() };
        assert!(check(&bad, &["01".into()], &inst, Locale::En).unwrap_err().contains("line 1"));
        let bad = Form { quotas: "99999 1".into(), ..form() };
        assert!(check(&bad, &["01".into()], &inst, Locale::Zh).is_err());
        let bad = Form { modules: "只有标题".into(), ..form() };
        assert!(check(&bad, &["01".into()], &inst, Locale::Zh).unwrap_err().contains("第 1 行"));
    }

    #[test]
    fn assessments_read_scores_and_words() {
        assert_eq!(assessment("", 60), Ok(None));
        assert_eq!(assessment("75", 60), Ok(Some(Assessment { score: Some(75), passed: true })));
        assert_eq!(assessment("59", 60), Ok(Some(Assessment { score: Some(59), passed: false })));
        assert_eq!(assessment("合格", 60), Ok(Some(Assessment { score: None, passed: true })));
        assert_eq!(assessment("fail", 60), Ok(Some(Assessment { score: None, passed: false })));
        assert_eq!(assessment("101", 60), Err(BadAssessment));
        assert_eq!(assessment("abc", 60), Err(BadAssessment));
    }

    #[test]
    fn the_door_takes_only_this_classes_participant_passes() {
        let key = SigningKey::from_bytes([5; 32]);
        let now = chrono::Utc::now();
        let token = pass(&key, 4, 11, now);
        assert_eq!(door(&key, &token, 4, now), Ok(DoorCode::Participant(11)));
        assert_eq!(door(&key, &token, 5, now), Err(DoorRefusal::Pass(kernel::pass::Refusal::OtherEvent(4))));
        let later = now + chrono::Duration::minutes(PASS_MINUTES + 1);
        assert_eq!(door(&key, &token, 4, later), Err(DoorRefusal::Pass(kernel::pass::Refusal::Expired)));
        let training = kernel::pass::issue(&key, "training_pass", 4, kernel::pass::Holder::new('g', 11), later);
        assert_eq!(door(&key, &training, 4, now), Err(DoorRefusal::Pass(kernel::pass::Refusal::Forged)));
        assert_eq!(door(&key, "2018010203", 4, now), Ok(DoorCode::Number("2018010203".into())));
        assert_eq!(door(&key, "??", 4, now), Err(DoorRefusal::Unreadable));
        assert!(DoorRefusal::NotEnrolled.message(Locale::Zh).contains("未报名"));
    }

    #[test]
    fn a_teacher_needs_a_valid_id_and_phone() {
        let f = TeacherForm {
            name: "王老师".into(),
            id_number: "11010519491231002X".into(),
            phone: "13800138000".into(),
            title: "讲师".into(),
            department: "招生就业处".into(),
            username: String::new(),
        };
        let t = check_teacher(&f, Locale::Zh).expect("valid");
        assert_eq!(t.id_number, "11010519491231002X");
        assert!(
            check_teacher(&TeacherForm { id_number: "110105194912310021".into(), ..f.clone() }, Locale::Zh).is_err()
        );
        assert!(check_teacher(&TeacherForm { phone: "123".into(), ..f }, Locale::Zh).is_err());
    }

    #[test]
    fn the_teachers_sheet_masks_numbers_unless_whole() {
        let line = TeacherLine {
            name: "王老师".into(),
            institution: "湘潭大学".into(),
            department: "就业处".into(),
            title: "讲师".into(),
            id_number: "430102198501011235".into(),
            phone: "13700000000".into(),
            hours: 12,
            active: false,
        };
        let masked = teacher_sheet(std::slice::from_ref(&line), false, Locale::Zh);
        assert_eq!(masked.len(), 2);
        assert_eq!(masked[1][4], kernel::mask::id_number(&line.id_number));
        assert_eq!(masked[1][5], kernel::mask::phone(&line.phone));
        assert_eq!((masked[1][6].as_str(), masked[1][7].as_str()), ("12", "已移出"));
        let whole = teacher_sheet(std::slice::from_ref(&line), true, Locale::En);
        assert_eq!(whole[1][4], line.id_number);
        assert_eq!(whole[0][6], "Training hours completed");
    }

    #[test]
    fn import_columns_and_messages_name_their_column() {
        assert_eq!(teacher_column_of("身份证号"), Some(TeacherColumn::IdNumber));
        assert_eq!(teacher_column_of("Mobile"), Some(TeacherColumn::Phone));
        let bad = |f: TeacherForm| check_teacher(&f, Locale::Zh).unwrap_err();
        let good = TeacherForm {
            name: "甲".into(),
            id_number: "430102198501011234".into(),
            phone: "13700000000".into(),
            department: "就业处".into(),
            ..TeacherForm::default()
        };
        assert_eq!(teacher_column_told(&bad(good.clone()), Locale::Zh), TeacherColumn::IdNumber);
        let m = bad(TeacherForm { name: "".into(), ..good.clone() });
        assert_eq!(teacher_column_told(&m, Locale::Zh), TeacherColumn::Name);
    }
}
