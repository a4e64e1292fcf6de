//! A fair's rules, pure: its status and what each allows, the host's form and
//! its checks, who may register, the places and the waiting list, the passes
//! shown at the door and what a scanned or typed code is.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use kernel::auth::secret::SigningKey;
use kernel::web::FieldErrors;
use kernel::Locale;

use crate::applications::interview::parse_china_minute;
use crate::postings::rules::is_web_address;

/// Where a fair stands (状态). Finished and cancelled are final; the others
/// may move to any status, as plans change (postponed, moved online).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    /// 筹备中
    Planned,
    /// 展位预订中
    Booking,
    /// 报名中
    Registration,
    /// 进行中
    Running,
    /// 已结束
    Finished,
    /// 延期
    Postponed,
    /// 改为线上
    MovedOnline,
    /// 已取消
    Cancelled,
}

impl Status {
    pub const ALL: [Status; 8] = [
        Status::Planned,
        Status::Booking,
        Status::Registration,
        Status::Running,
        Status::Finished,
        Status::Postponed,
        Status::MovedOnline,
        Status::Cancelled,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Status::Planned => "planned",
            Status::Booking => "booking",
            Status::Registration => "registration",
            Status::Running => "running",
            Status::Finished => "finished",
            Status::Postponed => "postponed",
            Status::MovedOnline => "online",
            Status::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|st| st.key() == s)
    }

    pub fn label(self, l: Locale) -> &'static str {
        match self {
            Status::Planned => l.pick("筹备中", "Planned"),
            Status::Booking => l.pick("展位预订中", "Open for booking"),
            Status::Registration => l.pick("报名中", "Open for registration"),
            Status::Running => l.pick("进行中", "Running"),
            Status::Finished => l.pick("已结束", "Finished"),
            Status::Postponed => l.pick("延期", "Postponed"),
            Status::MovedOnline => l.pick("改为线上", "Moved online"),
            Status::Cancelled => l.pick("已取消", "Cancelled"),
        }
    }

    pub fn is_final(self) -> bool {
        matches!(self, Status::Finished | Status::Cancelled)
    }

    /// Whether a host may move a fair from this status to `to`.
    pub fn may_become(self, to: Status) -> bool {
        !self.is_final() && self != to
    }

    /// Employers may apply for a booth.
    pub fn takes_booths(self) -> bool {
        matches!(self, Status::Booking | Status::Registration)
    }

    /// Graduates may register.
    pub fn takes_registrations(self) -> bool {
        matches!(self, Status::Registration | Status::Running | Status::MovedOnline)
    }

    /// The door is open: passes are checked in, booths scan their visitors.
    pub fn checks_in(self) -> bool {
        matches!(self, Status::Registration | Status::Running | Status::MovedOnline)
    }

    /// Shown on the public calendar: everything but a fair still being planned.
    pub fn is_public(self) -> bool {
        self != Status::Planned
    }
}

/// How a fair is held (线下 / 线上 / 线上线下结合).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Offline,
    Online,
    Both,
}

impl Mode {
    pub const ALL: [Mode; 3] = [Mode::Offline, Mode::Online, Mode::Both];
    pub fn key(self) -> &'static str {
        match self {
            Mode::Offline => "offline",
            Mode::Online => "online",
            Mode::Both => "both",
        }
    }
    pub fn parse(s: &str) -> Option<Mode> {
        Mode::ALL.into_iter().find(|m| m.key() == s)
    }
    pub fn label(self, l: Locale) -> &'static str {
        match self {
            Mode::Offline => l.pick("线下", "On site"),
            Mode::Online => l.pick("线上", "Online"),
            Mode::Both => l.pick("线上线下结合", "On site and online"),
        }
    }
    pub fn has_venue(self) -> bool {
        self != Mode::Online
    }
}

/// Who may register (面向对象).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Audience {
    All,
    /// One education level (a `major_level` code).
    Level(String),
    /// Graduates in a key group (重点群体) only.
    KeyGroups,
    /// The graduates of the given universities.
    Institutions(Vec<i64>),
}

impl Audience {
    pub fn key(&self) -> &'static str {
        match self {
            Audience::All => "all",
            Audience::Level(_) => "level",
            Audience::KeyGroups => "key_groups",
            Audience::Institutions(_) => "institutions",
        }
    }

    pub fn from_columns(key: &str, level: Option<String>, institutions: Vec<i64>) -> Audience {
        match (key, level) {
            ("level", Some(level)) => Audience::Level(level),
            ("key_groups", _) => Audience::KeyGroups,
            ("institutions", _) => Audience::Institutions(institutions),
            _ => Audience::All,
        }
    }

    /// Whether a graduate may register.
    pub fn admits(&self, who: &Attendee) -> bool {
        match self {
            Audience::All => true,
            Audience::Level(level) => &who.level == level,
            Audience::KeyGroups => who.in_key_group,
            Audience::Institutions(ids) => ids.contains(&who.institution_id),
        }
    }
}

/// What the audience rule needs to know of a graduate.
#[derive(Debug, Clone)]
pub struct Attendee {
    pub institution_id: i64,
    /// Its education level (a `major_level` code).
    pub level: String,
    pub in_key_group: bool,
}

/// Where a new booth or registration goes: a place, or the waiting list (候补).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    Confirmed,
    Waiting,
}

/// With `taken` of `limit` places gone.
pub fn place(taken: i64, limit: i64) -> Place {
    match taken < limit {
        true => Place::Confirmed,
        false => Place::Waiting,
    }
}

/// The host's form, as typed.
#[derive(Debug, Default, Clone)]
pub struct FairForm {
    pub kind_code: String,
    pub title: String,
    pub description: String,
    pub mode: String,
    /// "2022-03-12 09:00", China time.
    pub starts_at: String,
    pub ends_at: String,
    pub region_code: String,
    pub venue: String,
    pub online_url: String,
    pub booths: String,
    pub layout: String,
    pub capacity: String,
    pub audience: String,
    pub audience_level: String,
    pub audience_institutions: Vec<String>,
    pub hosts: Vec<String>,
    pub organisers: String,
    pub co_organisers: String,
    /// A touring series' name: this fair is one of its stops.
    pub series: String,
}

impl FairForm {
    pub fn from_pairs(pairs: &[(String, String)]) -> FairForm {
        let mut f = FairForm::default();
        for (key, value) in pairs {
            let value = value.clone();
            match key.as_str() {
                "kind_code" => f.kind_code = value,
                "title" => f.title = value,
                "description" => f.description = value,
                "mode" => f.mode = value,
                "starts_at" => f.starts_at = value,
                "ends_at" => f.ends_at = value,
                "region_code" => f.region_code = value,
                "venue" => f.venue = value,
                "online_url" => f.online_url = value,
                "booths" => f.booths = value,
                "layout" => f.layout = value,
                "capacity" => f.capacity = value,
                "audience" => f.audience = value,
                "audience_level" => f.audience_level = value,
                "audience_institutions" if !value.trim().is_empty() => f.audience_institutions.push(value),
                "hosts" if !value.trim().is_empty() => f.hosts.push(value),
                "organisers" => f.organisers = value,
                "co_organisers" => f.co_organisers = value,
                "series" => f.series = value,
                _ => {}
            }
        }
        f
    }
}

/// What a form may name: the code tables and the registry.
#[derive(Debug, Default)]
pub struct Allowed {
    pub kinds: HashSet<String>,
    pub levels: HashSet<String>,
    pub regions: HashSet<String>,
    pub institutions: HashSet<i64>,
}

/// A form that passed its checks.
#[derive(Debug, Clone, PartialEq)]
pub struct Checked {
    pub kind_code: String,
    pub title: String,
    pub description: String,
    pub mode: Mode,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub region_code: String,
    pub venue: Option<String>,
    pub online_url: Option<String>,
    pub booths: i64,
    pub layout: Option<String>,
    pub capacity: i64,
    pub audience: Audience,
    pub hosts: Vec<i64>,
    pub organisers: String,
    pub co_organisers: Option<String>,
    pub series: Option<String>,
}

/// Most booths and places a fair may have: the largest halls hold about a
/// thousand booths; a province-wide online fair, many thousands of graduates.
pub const MAX_BOOTHS: i64 = 5_000;
pub const MAX_CAPACITY: i64 = 500_000;

fn text(s: &str, max: usize) -> Option<String> {
    Some(s.trim()).filter(|s| !s.is_empty()).map(|s| s.chars().take(max).collect())
}

fn ids(values: &[String]) -> Option<Vec<i64>> {
    let mut ids = values.iter().map(|v| v.trim().parse::<i64>().ok()).collect::<Option<Vec<_>>>()?;
    ids.sort_unstable();
    ids.dedup();
    Some(ids)
}

fn count(s: &str, min: i64, max: i64) -> Option<i64> {
    s.trim().parse::<i64>().ok().filter(|n| (min..=max).contains(n))
}

/// Checks a host's form. `hosts` is filled by the caller for university staff (their own university).
pub fn check(f: &FairForm, allowed: &Allowed, l: Locale) -> Result<Checked, FieldErrors> {
    let mut errors = FieldErrors::default();
    if !allowed.kinds.contains(f.kind_code.trim()) {
        errors.add("kind_code", l.pick("请选择活动类型。", "Choose the kind of event."));
    }
    let title = text(&f.title, 80).filter(|t| t.chars().count() >= 4);
    if title.is_none() {
        errors.add("title", l.pick("名称须为 4-80 个字。", "The name must be 4-80 characters."));
    }
    let mode = Mode::parse(f.mode.trim());
    if mode.is_none() {
        errors.add("mode", l.pick("请选择线下、线上或线上线下结合。", "Choose on site, online or both."));
    }
    let (starts_at, ends_at) = times(f, &mut errors, l);
    if !allowed.regions.contains(f.region_code.trim()) {
        errors.add("region_code", l.pick("请选择举办地（地区代码）。", "Choose where it is held (region code)."));
    }
    let venue = text(&f.venue, 200);
    if mode.is_some_and(Mode::has_venue) && venue.is_none() {
        errors.add("venue", l.pick("线下活动须填写场地。", "An on-site event needs a venue."));
    }
    let online_url = text(&f.online_url, 300);
    if online_url.as_deref().is_some_and(|u| !is_web_address(u)) {
        errors.add(
            "online_url",
            l.pick("请填写以 http:// 或 https:// 开头的链接。", "Give a link starting with http:// or https://."),
        );
    }
    let booths = count(&f.booths, 0, MAX_BOOTHS);
    if booths.is_none() {
        errors.add("booths", l.pick("展位数须为 0 到 5000 的整数。", "Booths must be a whole number from 0 to 5000."));
    }
    let capacity = count(&f.capacity, 1, MAX_CAPACITY);
    if capacity.is_none() {
        errors.add(
            "capacity",
            l.pick("可容纳人数须为 1 到 500000 的整数。", "Capacity must be a whole number from 1 to 500000."),
        );
    }
    let audience = audience(f, allowed, &mut errors, l);
    let hosts = ids(&f.hosts).filter(|h| h.iter().all(|i| allowed.institutions.contains(i)));
    if hosts.is_none() {
        errors.add("hosts", l.pick("主办高校不在名录中。", "A host university is not in the registry."));
    }
    let organisers = text(&f.organisers, 300);
    if organisers.is_none() {
        errors.add("organisers", l.pick("请填写主办单位。", "Name the organisers."));
    }
    match (errors.is_empty(), title, mode, starts_at, ends_at, booths, capacity, audience, hosts, organisers) {
        (
            true,
            Some(title),
            Some(mode),
            Some(starts_at),
            Some(ends_at),
            Some(booths),
            Some(capacity),
            Some(audience),
            Some(hosts),
            Some(organisers),
        ) => Ok(Checked {
            kind_code: f.kind_code.trim().to_owned(),
            title,
            description: text(&f.description, 5_000).unwrap_or_default(),
            mode,
            starts_at,
            ends_at,
            region_code: f.region_code.trim().to_owned(),
            venue,
            online_url,
            booths,
            layout: text(&f.layout, 2_000),
            capacity,
            audience,
            hosts,
            organisers,
            co_organisers: text(&f.co_organisers, 300),
            series: text(&f.series, 80),
        }),
        _ => Err(errors),
    }
}

fn times(f: &FairForm, errors: &mut FieldErrors, l: Locale) -> (Option<DateTime<Utc>>, Option<DateTime<Utc>>) {
    let format = l.pick("请按 2022-03-12 09:00 的格式填写时间。", "Give the time as 2022-03-12 09:00.");
    let starts_at = parse_china_minute(&f.starts_at);
    let ends_at = parse_china_minute(&f.ends_at);
    if starts_at.is_none() {
        errors.add("starts_at", format);
    }
    if ends_at.is_none() {
        errors.add("ends_at", format);
    }
    match (starts_at, ends_at) {
        (Some(s), Some(e)) if e <= s => {
            errors.add("ends_at", l.pick("结束时间须晚于开始时间。", "The event must end after it starts."));
        }
        (Some(s), Some(e)) if (e - s).num_days() > 92 => {
            errors.add("ends_at", l.pick("一场活动最长三个月。", "An event lasts at most three months."));
        }
        _ => {}
    }
    (starts_at, ends_at)
}

fn audience(f: &FairForm, allowed: &Allowed, errors: &mut FieldErrors, l: Locale) -> Option<Audience> {
    let audience = match f.audience.trim() {
        "all" | "" => Some(Audience::All),
        "key_groups" => Some(Audience::KeyGroups),
        "level" => {
            Some(f.audience_level.trim().to_owned()).filter(|level| allowed.levels.contains(level)).map(Audience::Level)
        }
        "institutions" => ids(&f.audience_institutions)
            .filter(|ids| !ids.is_empty() && ids.iter().all(|i| allowed.institutions.contains(i)))
            .map(Audience::Institutions),
        _ => None,
    };
    if audience.is_none() {
        errors.add(
            "audience",
            l.pick(
                "面向对象不完整：面向某一学历层次须选择层次，面向指定高校须至少选一所名录中的高校。",
                "Audience incomplete: one level needs the level, given universities need at least one from the registry.",
            ),
        );
    }
    audience
}

/// Who a pass (入场码) stands for: a graduate, or an employer's booth.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Holder {
    Graduate(i64),
    Booth(i64),
}

/// How long a pass shown on a phone is good for: a screenshot passed on is soon useless.
pub const PASS_MINUTES: i64 = 15;

const PASS_PURPOSE: &str = "fair_pass";

/// Why a pass is refused at the door (the kernel's: forged, expired, another fair's).
pub use kernel::pass::Refusal as PassRefusal;

/// A signed pass for one fair, good until `expires` (signed by `kernel::pass`).
pub fn pass(key: &SigningKey, fair_id: i64, holder: Holder, expires: DateTime<Utc>) -> String {
    let holder = match holder {
        Holder::Graduate(id) => kernel::pass::Holder::new('g', id),
        Holder::Booth(id) => kernel::pass::Holder::new('b', id),
    };
    kernel::pass::issue(key, PASS_PURPOSE, fair_id, holder, expires)
}

/// Reads a pass scanned at `fair_id`'s door at `now`.
pub fn read_pass(key: &SigningKey, token: &str, fair_id: i64, now: DateTime<Utc>) -> Result<Holder, PassRefusal> {
    let holder = kernel::pass::read(key, PASS_PURPOSE, token, fair_id, now)?;
    match holder.kind {
        'g' => Ok(Holder::Graduate(holder.id)),
        'b' => Ok(Holder::Booth(holder.id)),
        _ => Err(PassRefusal::Forged),
    }
}

/// What was scanned or typed at the door.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DoorCode {
    /// A signed pass (it holds a signature after a `.`).
    Pass(String),
    /// A student or ID number typed by the host (letters and digits only).
    Number(String),
}

/// Reads what the door's scanner or keyboard gave; `None` for anything else.
pub fn door_code(s: &str) -> Option<DoorCode> {
    let s = s.trim();
    if s.is_empty() || s.len() > 200 {
        return None;
    }
    if kernel::pass::looks_like_pass(s) {
        return Some(DoorCode::Pass(s.to_owned()));
    }
    let plain = s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') && s.len() <= 32;
    plain.then(|| DoorCode::Number(s.to_ascii_uppercase()))
}

/// A plan's target as shown: "27 / 40" or "12 / 15–20".
pub fn target_label(held: i64, planned_min: i64, planned_max: i64) -> String {
    match planned_min == planned_max {
        true => format!("{held} / {planned_min}"),
        false => format!("{held} / {planned_min}–{planned_max}"),
    }
}

/// How far a target is met, in percent of its lower bound (capped at 100).
pub fn target_percent(held: i64, planned_min: i64) -> i64 {
    match planned_min > 0 {
        true => (held * 100 / planned_min).min(100),
        false => 100,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    fn key() -> SigningKey {
        SigningKey::from_bytes([3; 32])
    }

    #[test]
    fn a_pass_opens_at_its_own_fair_until_it_expires() {
        let now = Utc::now();
        let token = pass(&key(), 7, Holder::Graduate(42), now + Duration::minutes(PASS_MINUTES));
        assert_eq!(read_pass(&key(), &token, 7, now), Ok(Holder::Graduate(42)));
        assert_eq!(read_pass(&key(), &token, 8, now), Err(PassRefusal::OtherEvent(7)));
        assert_eq!(read_pass(&key(), &token, 7, now + Duration::minutes(16)), Err(PassRefusal::Expired));
        let booth = pass(&key(), 7, Holder::Booth(3), now + Duration::minutes(1));
        assert_eq!(read_pass(&key(), &booth, 7, now), Ok(Holder::Booth(3)));
    }

    #[test]
    fn an_altered_or_foreign_pass_is_forged() {
        let now = Utc::now();
        let token = pass(&key(), 7, Holder::Graduate(42), now + Duration::minutes(5));
        let altered = token.replacen("g42", "g43", 1);
        assert_eq!(read_pass(&key(), &altered, 7, now), Err(PassRefusal::Forged));
        assert_eq!(read_pass(&SigningKey::from_bytes([4; 32]), &token, 7, now), Err(PassRefusal::Forged));
        assert_eq!(read_pass(&key(), "7:g42:99999999999.00", 7, now), Err(PassRefusal::Forged));
        let wrong_purpose = key().seal("csrf", &format!("7:g42:{}", now.timestamp() + 60));
        assert_eq!(read_pass(&key(), &wrong_purpose, 7, now), Err(PassRefusal::Forged));
    }

    #[test]
    fn the_door_tells_passes_from_typed_numbers() {
        assert_eq!(door_code(" 2018010203 "), Some(DoorCode::Number("2018010203".into())));
        assert_eq!(door_code("43010419990101123x"), Some(DoorCode::Number("43010419990101123X".into())));
        assert!(matches!(door_code("7:g1:2.ab"), Some(DoorCode::Pass(_))));
        assert_eq!(door_code(""), None);
        assert_eq!(door_code("<script>"), None);
    }

    #[test]
    fn places_run_out_into_the_waiting_list() {
        assert_eq!(place(0, 1), Place::Confirmed);
        assert_eq!(place(1, 1), Place::Waiting);
        assert_eq!(place(0, 0), Place::Waiting);
    }

    #[test]
    fn the_audience_admits_whom_it_names() {
        let who = Attendee { institution_id: 5, level: "2".into(), in_key_group: false };
        assert!(Audience::All.admits(&who));
        assert!(Audience::Level("2".into()).admits(&who));
        assert!(!Audience::Level("3".into()).admits(&who));
        assert!(!Audience::KeyGroups.admits(&who));
        assert!(Audience::Institutions(vec![4, 5]).admits(&who));
        assert!(!Audience::Institutions(vec![4]).admits(&who));
    }

    fn allowed() -> Allowed {
        Allowed {
            kinds: ["03".to_owned()].into(),
            levels: ["2".to_owned()].into(),
            regions: ["430100".to_owned()].into(),
            institutions: [1, 2].into(),
        }
    }

    fn form() -> FairForm {
        FairForm {
            kind_code: "03".into(),
            title: "省级常设市场专场".into(),
            mode: "offline".into(),
            starts_at: "2022-03-12 09:00".into(),
            ends_at: "2022-03-12 16:00".into(),
            region_code: "430100".into(),
            venue: "湖南省大中专学校学生就业指导服务中心".into(),
            booths: "120".into(),
            capacity: "3000".into(),
            audience: "all".into(),
            organisers: "湖南省教育厅".into(),
            ..FairForm::default()
        }
    }

    #[test]
    fn a_complete_form_passes() {
        let c = check(&form(), &allowed(), Locale::Zh).expect("valid");
        assert_eq!((c.booths, c.capacity, c.mode), (120, 3000, Mode::Offline));
        assert_eq!(c.ends_at - c.starts_at, Duration::hours(7));
    }

    #[test]
    fn bad_forms_are_named_field_by_field() {
        let mut f = form();
        f.ends_at = "2022-03-12 08:00".into();
        f.booths = "-1".into();
        f.capacity = "many".into();
        f.venue = String::new();
        f.audience = "institutions".into();
        f.hosts = vec!["99".into()];
        let errors = check(&f, &allowed(), Locale::Zh).expect_err("invalid");
        for field in ["ends_at", "booths", "capacity", "venue", "audience", "hosts"] {
            assert!(errors.get(field).is_some(), "{field}");
        }
        f = form();
        f.mode = "online".into();
        f.venue = String::new();
        f.online_url = "javascript:alert(1)".into();
        let errors = check(&f, &allowed(), Locale::En).expect_err("invalid link");
        assert!(errors.get("venue").is_none() && errors.get("online_url").is_some());
    }

    #[test]
    fn final_statuses_stay() {
        assert!(Status::Booking.may_become(Status::Postponed));
        assert!(Status::Postponed.may_become(Status::Registration));
        assert!(!Status::Cancelled.may_become(Status::Running));
        assert!(!Status::Finished.may_become(Status::Running));
        assert!(!Status::Running.may_become(Status::Running));
    }

    #[test]
    fn targets_read_as_the_plan_writes_them() {
        assert_eq!(target_label(27, 40, 40), "27 / 40");
        assert_eq!(target_label(12, 15, 20), "12 / 15–20");
        assert_eq!(target_percent(27, 40), 67);
        assert_eq!(target_percent(50, 40), 100);
    }
}
