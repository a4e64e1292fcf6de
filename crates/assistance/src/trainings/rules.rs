//! Pure rules of the trainings: who a training admits, whether a place is
//! left, when an enrolment is complete (attended at least N of M sessions,
//! N and M kept per training) and what a training form must say.

use chrono::NaiveDate;
use kernel::Locale;

/// The most sessions a training may have.
pub const MOST_SESSIONS: u32 = 60;
/// The largest capacity.
pub const MOST_CAPACITY: u32 = 100_000;

/// Who a training is for: key-group category codes and institution ids; empty means any.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Audience {
    pub groups: Vec<String>,
    pub institutions: Vec<i64>,
}

impl Audience {
    /// From the columns as stored (comma separated).
    pub fn from_columns(groups: &str, institutions: &str) -> Audience {
        Audience {
            groups: groups.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect(),
            institutions: institutions.split(',').filter_map(|s| s.trim().parse().ok()).collect(),
        }
    }
    pub fn groups_column(&self) -> String {
        self.groups.join(",")
    }
    pub fn institutions_column(&self) -> String {
        self.institutions.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
    }
    /// Whether the institution's graduates may be in it at all.
    pub fn open_to(&self, institution: i64) -> bool {
        self.institutions.is_empty() || self.institutions.contains(&institution)
    }
    /// Whether a graduate of `institution` in the key-group `categories` is in
    /// the audience: it must be in some key group, of an admitted institution,
    /// and in one of the groups when the training names any.
    pub fn admits(&self, institution: i64, categories: &[String]) -> bool {
        !categories.is_empty()
            && self.open_to(institution)
            && (self.groups.is_empty() || categories.iter().any(|c| self.groups.contains(c)))
    }
}

/// The completion rule: attended at least `required` of `sessions`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    pub sessions: u32,
    pub required: u32,
}

impl Rule {
    /// A rule that makes sense: 1 ≤ required ≤ sessions ≤ MOST_SESSIONS.
    pub fn new(sessions: u32, required: u32) -> Option<Rule> {
        (1..=MOST_SESSIONS).contains(&sessions).then_some(())?;
        (1..=sessions).contains(&required).then_some(Rule { sessions, required })
    }
    /// Whether attending these sessions (numbers of sessions that exist, see
    /// [`attended_in`]) completes the training; a session named twice counts once.
    pub fn completes(&self, attended: &[u32]) -> bool {
        self.counted(attended) >= self.required
    }
    /// How many of the sessions count (distinct ones, at most the sessions there are).
    pub fn counted(&self, attended: &[u32]) -> u32 {
        let mut seen: Vec<u32> = attended.to_vec();
        seen.sort_unstable();
        seen.dedup();
        u32::try_from(seen.len()).unwrap_or(u32::MAX).min(self.sessions)
    }
    pub fn label(&self, l: Locale) -> String {
        match l {
            Locale::Zh => format!("{} 次中至少参加 {} 次", self.sessions, self.required),
            Locale::En => format!("at least {} of {} sessions", self.required, self.sessions),
        }
    }
}

/// The sessions attended that the training still has: only sessions that exist count.
pub fn attended_in(attended: &[u32], existing: &[u32]) -> Vec<u32> {
    attended.iter().copied().filter(|s| existing.contains(s)).collect()
}

/// The days of `n` sessions made for a new training (or migrated): one a day
/// from the start, the last day repeating when the dates are fewer.
pub fn spread(starts_on: NaiveDate, ends_on: NaiveDate, n: u32) -> Vec<NaiveDate> {
    (0..n).map(|k| (starts_on + chrono::Days::new(u64::from(k))).min(ends_on)).collect()
}

/// A session's times when a training is made: the morning.
pub const DEFAULT_TIMES: (&str, &str) = ("09:00", "12:00");

/// A session form as submitted (add or move).
#[derive(Debug, Clone, Default)]
pub struct SessionForm {
    pub held_on: String,
    pub starts_at: String,
    pub ends_at: String,
    pub online: bool,
    pub place: String,
}

/// A session ready to store.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckedSession {
    pub held_on: NaiveDate,
    pub starts_at: String,
    pub ends_at: String,
    pub online: bool,
    pub place: String,
}

fn minute(s: &str) -> Option<String> {
    chrono::NaiveTime::parse_from_str(s.trim(), "%H:%M").ok().map(|t| t.format("%H:%M").to_string())
}

/// Checks a session: a day, a start before the end, a place or a link.
pub fn check_session(f: &SessionForm, l: Locale) -> Result<CheckedSession, String> {
    let Some(held_on) = NaiveDate::parse_from_str(f.held_on.trim(), "%Y-%m-%d").ok() else {
        return Err(l.pick("场次日期写作 2022-12-05。", "Write the session's day as 2022-12-05.").into());
    };
    let (Some(starts_at), Some(ends_at)) = (minute(&f.starts_at), minute(&f.ends_at)) else {
        return Err(l.pick("开始和结束时间写作 09:00。", "Write the times as 09:00.").into());
    };
    if ends_at <= starts_at {
        return Err(l.pick("结束时间须晚于开始时间。", "The end must come after the start.").into());
    }
    let place = f.place.trim();
    if place.is_empty() || place.chars().count() > 300 {
        return Err(l
            .pick(
                "请填写场次地点或线上链接（不超过 300 字）。",
                "Give the session's place or online link (at most 300 characters).",
            )
            .into());
    }
    Ok(CheckedSession { held_on, starts_at, ends_at, online: f.online, place: place.to_owned() })
}

/// Why a session may not be removed, if it may not.
pub fn removal_refused(has_attendance: bool, sessions: u32, required: u32, l: Locale) -> Option<String> {
    if has_attendance {
        return Some(
            l.pick(
                "该场次已有签到记录，不能删除；如需调整请修改其日期或地点。",
                "This session has attendance recorded and cannot be removed; move it instead.",
            )
            .into(),
        );
    }
    if sessions <= 1 {
        return Some(l.pick("培训至少保留一个场次。", "A training keeps at least one session.").into());
    }
    if sessions - 1 < required {
        return Some(
            l.pick(
                "删除后场次将少于结业所需出勤次数，请先修改结业条件。",
                "Fewer sessions would be left than the rule requires: lower the sessions required first.",
            )
            .into(),
        );
    }
    None
}

/// Checks a cancellation's reason.
pub fn check_reason(reason: &str, l: Locale) -> Result<String, String> {
    let r = reason.trim();
    if r.is_empty() || r.chars().count() > 500 {
        return Err(l.pick("请填写取消原因（不超过 500 字）。", "Give the reason (at most 500 characters).").into());
    }
    Ok(r.to_owned())
}

/// How long a training's pass shown on a phone is good for.
pub const PASS_MINUTES: i64 = 15;

/// Whom a code read at a session's door names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DoorCode {
    /// A good pass of this training: the graduate's id.
    Graduate(i64),
    /// A typed student number (letters, digits, `-`), upper-cased.
    Number(String),
}

/// Why the door refuses a code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DoorRefusal {
    Cancelled,
    Unreadable,
    Pass(kernel::pass::Refusal),
    NotEnrolled,
}

impl DoorRefusal {
    pub fn message(self, l: Locale) -> String {
        match self {
            DoorRefusal::Cancelled => {
                l.pick("该培训已取消，不能签到。", "The training is cancelled: no one checks in.").into()
            }
            DoorRefusal::Unreadable => l
                .pick("无法识别：请扫描签到码或输入学号。", "Unreadable: scan the pass or type the student number.")
                .into(),
            DoorRefusal::Pass(kernel::pass::Refusal::OtherEvent(id)) => format!(
                "{}{id}{}",
                l.pick("这是另一项培训（编号 ", "This pass is for another training (no. "),
                l.pick("）的签到码，不能在本培训签到。", "); it cannot check in here.")
            ),
            DoorRefusal::Pass(refusal) => refusal.message(l),
            DoorRefusal::NotEnrolled => l
                .pick(
                    "此人未报名本培训，不能签到。",
                    "This person is not enrolled in the training and cannot check in.",
                )
                .into(),
        }
    }
}

/// Reads what a session's door was given for training `training_id` at `now`.
pub fn door(
    key: &kernel::auth::secret::SigningKey,
    code: &str,
    training_id: i64,
    cancelled: bool,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<DoorCode, DoorRefusal> {
    if cancelled {
        return Err(DoorRefusal::Cancelled);
    }
    let code = code.trim();
    if code.is_empty() || code.len() > 300 {
        return Err(DoorRefusal::Unreadable);
    }
    if kernel::pass::looks_like_pass(code) {
        let holder =
            kernel::pass::read(key, super::store::PASS_PURPOSE, code, training_id, now).map_err(DoorRefusal::Pass)?;
        return match holder.kind {
            'g' => Ok(DoorCode::Graduate(holder.id)),
            _ => Err(DoorRefusal::Pass(kernel::pass::Refusal::Forged)),
        };
    }
    let plain = code.len() <= 32 && code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    match plain {
        true => Ok(DoorCode::Number(code.to_ascii_uppercase())),
        false => Err(DoorRefusal::Unreadable),
    }
}

/// A graduate's pass for a training, good for [`PASS_MINUTES`] from `now`.
pub fn pass(
    key: &kernel::auth::secret::SigningKey,
    training_id: i64,
    graduate_id: i64,
    now: chrono::DateTime<chrono::Utc>,
) -> String {
    let expires = now + chrono::Duration::minutes(PASS_MINUTES);
    kernel::pass::issue(
        key,
        super::store::PASS_PURPOSE,
        training_id,
        kernel::pass::Holder::new('g', graduate_id),
        expires,
    )
}

/// Whether one more enrolment fits.
pub fn has_place(enrolled: i64, capacity: i64) -> bool {
    enrolled < capacity
}

/// A share as a percentage with one decimal, "—" when there is no denominator.
pub fn percent(part: usize, whole: usize) -> String {
    if whole == 0 {
        return "—".to_owned();
    }
    format!("{:.1}%", part as f64 * 100.0 / whole as f64)
}

/// A training form as submitted.
#[derive(Debug, Clone, Default)]
pub struct Form {
    pub title: String,
    pub kind: String,
    pub starts_on: String,
    pub ends_on: String,
    pub online: bool,
    pub place: String,
    pub capacity: String,
    pub sessions: String,
    pub required: String,
    pub groups: Vec<String>,
    pub institutions: Vec<String>,
}

impl Form {
    /// From the posted pairs (`group` and `institution` may repeat).
    pub fn from_pairs(pairs: &[(String, String)]) -> Form {
        let mut f = Form::default();
        for (k, v) in pairs {
            match k.as_str() {
                "title" => f.title = v.clone(),
                "kind" => f.kind = v.clone(),
                "starts_on" => f.starts_on = v.clone(),
                "ends_on" => f.ends_on = v.clone(),
                "online" => f.online = v == "1",
                "place" => f.place = v.clone(),
                "capacity" => f.capacity = v.clone(),
                "sessions" => f.sessions = v.clone(),
                "required" => f.required = v.clone(),
                "group" => f.groups.push(v.clone()),
                "institution" => f.institutions.push(v.clone()),
                _ => {}
            }
        }
        f
    }
}

/// A training ready to store.
#[derive(Debug, Clone, PartialEq)]
pub struct Checked {
    pub title: String,
    pub kind: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub online: bool,
    pub place: String,
    pub capacity: i64,
    pub rule: Rule,
    pub audience: Audience,
}

/// Checks a training form against the known kinds, categories and institutions;
/// the first problem in the reader's language otherwise.
pub fn check(
    f: &Form,
    kinds: &[String],
    groups: &[String],
    institutions: &[i64],
    l: Locale,
) -> Result<Checked, String> {
    let title = f.title.trim();
    if title.is_empty() || title.chars().count() > 200 {
        return Err(l.pick("请填写培训名称（不超过 200 字）。", "Give the title (at most 200 characters).").into());
    }
    if !kinds.contains(&f.kind) {
        return Err(l.pick("请选择培训类型。", "Choose the kind of training.").into());
    }
    let day = |s: &str| NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok();
    let (Some(starts_on), Some(ends_on)) = (day(&f.starts_on), day(&f.ends_on)) else {
        return Err(l.pick("开始和结束日期写作 2022-12-05。", "Write the dates as 2022-12-05.").into());
    };
    if ends_on < starts_on {
        return Err(l.pick("结束日期不能早于开始日期。", "The end cannot come before the start.").into());
    }
    let place = f.place.trim();
    if place.is_empty() || place.chars().count() > 300 {
        return Err(l
            .pick(
                "请填写地点或线上链接（不超过 300 字）。",
                "Give the place or the online link (at most 300 characters).",
            )
            .into());
    }
    let Some(capacity) = f.capacity.trim().parse::<u32>().ok().filter(|c| (1..=MOST_CAPACITY).contains(c)) else {
        return Err(l.pick("容量须为 1 至 100000 的整数。", "The capacity is a whole number from 1 to 100000.").into());
    };
    let sessions = f.sessions.trim().parse::<u32>().ok();
    let required = f.required.trim().parse::<u32>().ok();
    let Some(rule) = sessions.zip(required).and_then(|(s, r)| Rule::new(s, r)) else {
        return Err(l
            .pick(
                "场次须为 1 至 60，结业所需出勤次数须在 1 与场次之间。",
                "Sessions are 1 to 60; the sessions required to complete are between 1 and the sessions.",
            )
            .into());
    };
    let mut audience = Audience::default();
    for g in &f.groups {
        if !groups.contains(g) {
            return Err(l.pick("请从列表中选择重点群体类别。", "Choose the key groups from the list.").into());
        }
        if !audience.groups.contains(g) {
            audience.groups.push(g.clone());
        }
    }
    for i in &f.institutions {
        match i.trim().parse::<i64>().ok().filter(|i| institutions.contains(i)) {
            Some(id) if !audience.institutions.contains(&id) => audience.institutions.push(id),
            Some(_) => {}
            None => return Err(l.pick("请从列表中选择高校。", "Choose the institutions from the list.").into()),
        }
    }
    Ok(Checked {
        title: title.to_owned(),
        kind: f.kind.clone(),
        starts_on,
        ends_on,
        online: f.online,
        place: place.to_owned(),
        capacity: i64::from(capacity),
        rule,
        audience,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn completion_needs_n_distinct_sessions_of_m() {
        let rule = Rule::new(6, 4).unwrap();
        assert!(!rule.completes(&[]));
        assert!(!rule.completes(&[1, 2, 3]));
        assert!(rule.completes(&[1, 2, 3, 6]));
        assert!(rule.completes(&[1, 2, 3, 4, 5, 6]));
        // A session twice counts once; a session the training does not have counts not at all.
        assert!(!rule.completes(&[1, 1, 2, 3]));
        let existing = [1, 2, 3, 4, 5, 6];
        assert!(!rule.completes(&attended_in(&[1, 2, 3, 7], &existing)));
        assert_eq!(rule.counted(&attended_in(&[0, 1, 2, 2, 9], &existing)), 2);
        // A removed session's number is gone; a later one (7) counts.
        assert!(rule.completes(&attended_in(&[1, 3, 4, 7], &[1, 3, 4, 5, 6, 7])));
    }

    #[test]
    fn a_single_session_completes_with_it() {
        let rule = Rule::new(1, 1).unwrap();
        assert!(rule.completes(&[1]));
        assert!(!rule.completes(&[]));
    }

    #[test]
    fn all_sessions_required() {
        let rule = Rule::new(3, 3).unwrap();
        assert!(!rule.completes(&[1, 3]));
        assert!(rule.completes(&[3, 2, 1]));
    }

    #[test]
    fn rules_out_of_range_are_refused() {
        assert_eq!(Rule::new(0, 0), None);
        assert_eq!(Rule::new(3, 0), None);
        assert_eq!(Rule::new(3, 4), None);
        assert_eq!(Rule::new(61, 1), None);
        assert!(Rule::new(60, 60).is_some());
    }

    #[test]
    fn audience_admits_key_groups_of_named_institutions() {
        let anyone = Audience::default();
        assert!(anyone.admits(5, &["01".into()]));
        // Not in any key group: not in the audience of a key-group training.
        assert!(!anyone.admits(5, &[]));
        let a = Audience::from_columns("01,03", "5,7");
        assert!(a.admits(5, &["03".into(), "10".into()]));
        assert!(!a.admits(5, &["10".into()]));
        assert!(!a.admits(6, &["01".into()]));
        assert!(a.open_to(7) && !a.open_to(6));
        assert_eq!(a.groups_column(), "01,03");
        assert_eq!(a.institutions_column(), "5,7");
    }

    #[test]
    fn places_and_percentages() {
        assert!(has_place(0, 1));
        assert!(!has_place(30, 30));
        assert_eq!(percent(1, 3), "33.3%");
        assert_eq!(percent(0, 0), "—");
    }

    #[test]
    fn sessions_spread_over_the_dates() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let days = spread(d("2022-12-05"), d("2022-12-07"), 4);
        assert_eq!(days, vec![d("2022-12-05"), d("2022-12-06"), d("2022-12-07"), d("2022-12-07")]);
    }

    #[test]
    fn sessions_check_and_removals_say_why() {
        let f = SessionForm {
            held_on: "2022-12-05".into(),
            starts_at: "9:00".into(),
            ends_at: "11:30".into(),
            online: false,
            place: " 长沙 ".into(),
        };
        let c = check_session(&f, Locale::Zh).unwrap();
        assert_eq!((c.starts_at.as_str(), c.ends_at.as_str(), c.place.as_str()), ("09:00", "11:30", "长沙"));
        let bad = |change: fn(&mut SessionForm)| {
            let mut g = f.clone();
            change(&mut g);
            check_session(&g, Locale::En).unwrap_err()
        };
        assert!(bad(|g| g.held_on = "12/05".into()).contains("day"));
        assert!(bad(|g| g.ends_at = "08:00".into()).contains("after"));
        assert!(bad(|g| g.starts_at = "25:00".into()).contains("times"));
        assert!(bad(|g| g.place.clear()).contains("place"));
        assert!(removal_refused(true, 6, 1, Locale::En).unwrap().contains("attendance"));
        assert!(removal_refused(false, 1, 1, Locale::En).is_some());
        assert!(removal_refused(false, 6, 6, Locale::En).unwrap().contains("lower"));
        assert_eq!(removal_refused(false, 6, 5, Locale::En), None);
        assert!(check_reason("  ", Locale::En).is_err());
        assert_eq!(check_reason(" 疫情 ", Locale::Zh).unwrap(), "疫情");
    }

    #[test]
    fn the_door_reads_this_trainings_passes_only() {
        use kernel::auth::secret::SigningKey;
        let key = SigningKey::from_bytes([5; 32]);
        let now = chrono::Utc::now();
        let token = pass(&key, 4, 42, now);
        assert_eq!(door(&key, &token, 4, false, now), Ok(DoorCode::Graduate(42)));
        assert_eq!(door(&key, &token, 5, false, now), Err(DoorRefusal::Pass(kernel::pass::Refusal::OtherEvent(4))));
        assert_eq!(door(&key, &token, 4, true, now), Err(DoorRefusal::Cancelled));
        let forged = token.replacen("g42", "g43", 1);
        assert_eq!(door(&key, &forged, 4, false, now), Err(DoorRefusal::Pass(kernel::pass::Refusal::Forged)));
        let late = now + chrono::Duration::minutes(PASS_MINUTES + 1);
        assert_eq!(door(&key, &token, 4, false, late), Err(DoorRefusal::Pass(kernel::pass::Refusal::Expired)));
        // A fair's pass does not open a training's door.
        let fair = kernel::pass::issue(&key, "fair_pass", 4, kernel::pass::Holder::new('g', 42), now);
        assert_eq!(door(&key, &fair, 4, false, now), Err(DoorRefusal::Pass(kernel::pass::Refusal::Forged)));
        assert_eq!(door(&key, " s2022-01 ", 4, false, now), Ok(DoorCode::Number("S2022-01".into())));
        assert_eq!(door(&key, "<b>", 4, false, now), Err(DoorRefusal::Unreadable));
        assert!(DoorRefusal::Pass(kernel::pass::Refusal::OtherEvent(4))
            .message(Locale::En)
            .contains("another training"));
        assert!(DoorRefusal::NotEnrolled.message(Locale::Zh).contains("未报名"));
    }

    fn form() -> Form {
        Form {
            title: " 就业能力提升培训（第一期） ".into(),
            kind: "01".into(),
            starts_on: "2022-12-05".into(),
            ends_on: "2022-12-10".into(),
            online: false,
            place: "长沙".into(),
            capacity: "120".into(),
            sessions: "6".into(),
            required: "5".into(),
            groups: vec!["01".into(), "01".into()],
            institutions: vec!["3".into()],
        }
    }

    #[test]
    fn a_good_form_checks() {
        let c = check(&form(), &["01".into()], &["01".into()], &[3], Locale::Zh).unwrap();
        assert_eq!(c.title, "就业能力提升培训（第一期）");
        assert_eq!(c.rule, Rule { sessions: 6, required: 5 });
        assert_eq!(c.audience.groups, vec!["01".to_owned()]);
        assert_eq!(c.audience.institutions, vec![3]);
    }

    #[test]
    fn bad_forms_say_why() {
        let kinds = ["01".to_owned()];
        let groups = ["01".to_owned()];
        let bad = |change: fn(&mut Form)| {
            let mut f = form();
            change(&mut f);
            check(&f, &kinds, &groups, &[3], Locale::En).unwrap_err()
        };
        assert!(bad(|f| f.title.clear()).contains("title"));
        assert!(bad(|f| f.kind = "99".into()).contains("kind"));
        assert!(bad(|f| f.ends_on = "2022-12-01".into()).contains("end"));
        assert!(bad(|f| f.capacity = "0".into()).contains("capacity"));
        assert!(bad(|f| f.required = "7".into()).contains("Sessions"));
        assert!(bad(|f| f.groups = vec!["77".into()]).contains("key groups"));
        assert!(bad(|f| f.institutions = vec!["4".into()]).contains("institutions"));
    }
}
