//! The appointments' rules, apart from I/O: what a helper's form opens (one
//! slot, or the same slot weekly for N weeks), when a slot may be booked, when
//! a booking may still be cancelled or moved (the configured lead time), when
//! a held or missed mark may be given, and which reminders are due at a moment.
//! Times are China wall-clock times (`NaiveDateTime`), kept as `YYYY-MM-DD HH:MM`.

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime};
use kernel::Locale;
use serde::Deserialize;

/// How a starting time is kept and shown.
pub const AT: &str = "%Y-%m-%d %H:%M";
/// A weekly slot repeats at most this many weeks from one form.
pub const MAX_WEEKS: u32 = 26;
/// The shortest and longest slot, in minutes.
pub const MIN_MINUTES: u32 = 10;
pub const MAX_MINUTES: u32 = 240;
/// Free slots are offered this many days ahead.
pub const OFFER_DAYS: i64 = 60;

/// A reason a request is refused, in both languages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Problem(pub &'static str, pub &'static str);

impl Problem {
    pub fn text(self, l: Locale) -> &'static str {
        l.pick(self.0, self.1)
    }
}

pub const TAKEN: Problem = Problem(
    "这个时段刚刚被其他同学预约了，请另选一个时段。",
    "Someone has just booked this slot; please pick another one.",
);
pub const PAST: Problem =
    Problem("这个时段已经开始或已过去，不能预约。", "This slot has started or is over; it cannot be booked.");
pub const CANCELLED: Problem = Problem("这个时段已被老师取消。", "Your helper cancelled this slot.");
/// One open booking per graduate and helper at a time: a helper's slots are
/// few, and a graduate holding several would keep others from them; once the
/// booking is held, missed or cancelled the graduate books again (and it may
/// move a booking to another slot in one step).
pub const ONE_OPEN: Problem = Problem(
    "你已有一个与这位老师的预约尚未进行；请先完成或取消它，或改约到新的时段。",
    "You already hold a booking with this helper that has not taken place; keep, cancel or move that one first.",
);
pub const NO_TOPIC: Problem = Problem(
    "请简要说明想咨询的内容（200 字以内）。",
    "Say briefly what you want to talk about (up to 200 characters).",
);
pub const TOO_LATE: Problem = Problem(
    "离开始时间太近，已不能在平台上取消或改约，请直接联系老师。",
    "It is too close to the start to cancel or move here; please contact your helper directly.",
);
pub const NOT_YET: Problem =
    Problem("预约开始后才能登记已进行或未到。", "An appointment is marked held or missed once it has started.");
pub const NO_NOTE: Problem =
    Problem("请写下指导的要点（将记入帮扶台账）。", "Write what the guidance covered (it goes into the ledger).");
pub const NO_REASON: Problem =
    Problem("请写明取消的原因（将告知已预约的同学）。", "Give the reason (the graduate who booked is told).");
pub const OVERLAP: Problem =
    Problem("与你已开放的时段重叠，未开放任何时段。", "It overlaps a slot you already opened; nothing was opened.");

/// Online (线上) or in person (线下).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Online,
    InPerson,
}

impl Mode {
    pub fn key(self) -> &'static str {
        match self {
            Mode::Online => "online",
            Mode::InPerson => "in_person",
        }
    }
    pub fn parse(key: &str) -> Option<Mode> {
        match key {
            "online" => Some(Mode::Online),
            "in_person" => Some(Mode::InPerson),
            _ => None,
        }
    }
    pub fn label(key: &str, l: Locale) -> &'static str {
        match Mode::parse(key) {
            Some(Mode::Online) => l.pick("线上", "Online"),
            _ => l.pick("线下", "In person"),
        }
    }
}

/// Where an appointment stands.
pub const BOOKED: &str = "booked";
pub const HELD: &str = "held";
pub const MISSED: &str = "missed";
/// Cancelled by the graduate.
pub const CANCELLED_BY_GRADUATE: &str = "cancelled";
/// Moved by the graduate to another slot.
pub const MOVED: &str = "moved";
/// The helper cancelled the slot.
pub const WITHDRAWN: &str = "withdrawn";

pub fn state_label(state: &str, l: Locale) -> &'static str {
    match state {
        BOOKED => l.pick("已预约", "Booked"),
        HELD => l.pick("已进行", "Held"),
        MISSED => l.pick("未到", "Missed"),
        CANCELLED_BY_GRADUATE => l.pick("已取消", "Cancelled"),
        MOVED => l.pick("已改约", "Moved"),
        WITHDRAWN => l.pick("老师已取消", "Cancelled by the helper"),
        _ => l.pick("未知", "Unknown"),
    }
}

/// The helper's form: a slot, repeated weekly when `weeks` > 1.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct SlotsForm {
    #[serde(default)]
    pub date: String,
    #[serde(default)]
    pub start: String,
    #[serde(default)]
    pub minutes: String,
    #[serde(default)]
    pub mode: String,
    #[serde(default)]
    pub place: String,
    #[serde(default)]
    pub weeks: String,
}

/// Slots to open, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSlots {
    pub starts: Vec<NaiveDateTime>,
    pub minutes: u32,
    pub mode: Mode,
    pub place: String,
}

/// Checks the form against `now`: the first slot in the future, a sensible
/// length, a place or link, 1 to `MAX_WEEKS` weeks.
pub fn check_slots(f: &SlotsForm, now: NaiveDateTime) -> Result<NewSlots, Problem> {
    let date = kernel::validate::parse_date(&f.date)
        .ok_or(Problem("请填写日期，如 2022-09-01。", "Give the date, as 2022-09-01."))?;
    let start = NaiveTime::parse_from_str(f.start.trim(), "%H:%M")
        .map_err(|_| Problem("请填写开始时间，如 14:30。", "Give the start time, as 14:30."))?;
    let minutes: u32 = f
        .minutes
        .trim()
        .parse()
        .ok()
        .filter(|m| (MIN_MINUTES..=MAX_MINUTES).contains(m))
        .ok_or(Problem("时长须为 10 到 240 分钟。", "The length is 10 to 240 minutes."))?;
    let mode = Mode::parse(f.mode.trim()).ok_or(Problem("请选择线上或线下。", "Choose online or in person."))?;
    let place = kernel::web::form::clean(&f.place, 200).ok_or(match mode {
        Mode::Online => Problem("请填写线上会议的链接或会议号。", "Give the meeting link or number."),
        Mode::InPerson => Problem("请填写地点。", "Give the place."),
    })?;
    let weeks: u32 = match f.weeks.trim() {
        "" => 1,
        w => w
            .parse()
            .ok()
            .filter(|w| (1..=MAX_WEEKS).contains(w))
            .ok_or(Problem("重复周数须为 1 到 26。", "Repeat for 1 to 26 weeks."))?,
    };
    let first = date.and_time(start);
    if first <= now {
        return Err(Problem("开始时间须晚于现在。", "The start must be later than now."));
    }
    let starts = (0..weeks).map(|w| first + Duration::weeks(i64::from(w))).collect();
    Ok(NewSlots { starts, minutes, mode, place })
}

/// Whether two slots overlap in time.
pub fn overlaps(a: NaiveDateTime, a_minutes: u32, b: NaiveDateTime, b_minutes: u32) -> bool {
    a < b + Duration::minutes(i64::from(b_minutes)) && b < a + Duration::minutes(i64::from(a_minutes))
}

/// Whether a free slot may be booked now.
pub fn bookable(starts: NaiveDateTime, cancelled: bool, now: NaiveDateTime) -> Result<(), Problem> {
    if cancelled {
        return Err(CANCELLED);
    }
    if starts <= now {
        return Err(PAST);
    }
    Ok(())
}

/// Whether the graduate may still cancel or move a booking: up to `lead_hours` before it starts.
pub fn changeable(starts: NaiveDateTime, now: NaiveDateTime, lead_hours: u32) -> Result<(), Problem> {
    match now + Duration::hours(i64::from(lead_hours)) <= starts {
        true => Ok(()),
        false => Err(TOO_LATE),
    }
}

/// Whether the helper may mark the appointment held or missed: once it has started.
pub fn markable(starts: NaiveDateTime, now: NaiveDateTime) -> Result<(), Problem> {
    match starts <= now {
        true => Ok(()),
        false => Err(NOT_YET),
    }
}

/// The graduate's topic, checked.
pub fn topic(text: &str) -> Result<String, Problem> {
    let t = text.trim();
    if t.is_empty() || t.chars().count() > 200 {
        return Err(NO_TOPIC);
    }
    Ok(t.to_owned())
}

/// The reminders an appointment gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reminder {
    /// On the day before (China calendar).
    DayBefore,
    /// The configured hours before.
    HoursBefore,
}

impl Reminder {
    pub fn key(self) -> &'static str {
        match self {
            Reminder::DayBefore => "day_before",
            Reminder::HoursBefore => "hours_before",
        }
    }
}

/// The reminders due at `now` for an appointment starting at `starts`: the
/// day-before one on the day before only (a booking made on the day gets none),
/// the hours-before one from `hours` before the start (none when `hours` is 0).
/// Whether one was already sent is the store's to know.
pub fn reminders_due(starts: NaiveDateTime, now: NaiveDateTime, hours: u32) -> Vec<Reminder> {
    let mut due = Vec::new();
    if now >= starts {
        return due;
    }
    if now.date() + Duration::days(1) == starts.date() {
        due.push(Reminder::DayBefore);
    }
    if hours > 0 && now + Duration::hours(i64::from(hours)) >= starts {
        due.push(Reminder::HoursBefore);
    }
    due
}

/// The Monday of the week holding `day`.
pub fn week_of(day: NaiveDate) -> NaiveDate {
    day - Duration::days(i64::from(day.weekday().num_days_from_monday()))
}

/// A kept starting time back as a time.
pub fn parse_at(text: &str) -> Option<NaiveDateTime> {
    NaiveDateTime::parse_from_str(text, AT).ok()
}

/// A time as kept.
pub fn at_text(at: NaiveDateTime) -> String {
    at.format(AT).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> NaiveDateTime {
        parse_at(s).expect("a time")
    }

    fn form(date: &str, start: &str, minutes: &str, weeks: &str) -> SlotsForm {
        SlotsForm {
            date: date.into(),
            start: start.into(),
            minutes: minutes.into(),
            mode: "in_person".into(),
            place: "就业指导中心 201".into(),
            weeks: weeks.into(),
        }
    }

    #[test]
    fn a_form_opens_one_slot_or_the_same_slot_weekly() {
        let now = at("2022-09-01 10:00");
        let one = check_slots(&form("2022-09-02", "14:30", "30", ""), now).expect("one slot");
        assert_eq!(one.starts, vec![at("2022-09-02 14:30")]);
        let weekly = check_slots(&form("2022-09-02", "14:30", "45", "4"), now).expect("four");
        assert_eq!(weekly.starts.len(), 4);
        assert_eq!(weekly.starts[3], at("2022-09-23 14:30"));
        assert_eq!(weekly.minutes, 45);
    }

    #[test]
    fn a_bad_form_says_why() {
        let now = at("2022-09-01 10:00");
        assert!(check_slots(&form("2022-09-01", "09:00", "30", ""), now).is_err(), "in the past");
        assert!(check_slots(&form("soon", "14:00", "30", ""), now).is_err());
        assert!(check_slots(&form("2022-09-02", "2pm", "30", ""), now).is_err());
        assert!(check_slots(&form("2022-09-02", "14:00", "5", ""), now).is_err());
        assert!(check_slots(&form("2022-09-02", "14:00", "30", "27"), now).is_err());
        let mut online = form("2022-09-02", "14:00", "30", "");
        online.mode = "online".into();
        online.place = " ".into();
        assert_eq!(check_slots(&online, now).unwrap_err().0, "请填写线上会议的链接或会议号。");
    }

    #[test]
    fn slots_overlap_when_their_times_cross() {
        let a = at("2022-09-02 14:00");
        assert!(overlaps(a, 30, at("2022-09-02 14:15"), 30));
        assert!(!overlaps(a, 30, at("2022-09-02 14:30"), 30), "back to back");
        assert!(overlaps(at("2022-09-02 13:00"), 120, a, 10));
    }

    #[test]
    fn past_and_cancelled_slots_cannot_be_booked() {
        let now = at("2022-09-01 10:00");
        assert_eq!(bookable(at("2022-09-01 10:00"), false, now), Err(PAST));
        assert_eq!(bookable(at("2022-09-02 10:00"), true, now), Err(CANCELLED));
        assert_eq!(bookable(at("2022-09-01 10:01"), false, now), Ok(()));
    }

    #[test]
    fn the_lead_time_is_a_setting() {
        let starts = at("2022-09-02 10:00");
        assert_eq!(changeable(starts, at("2022-09-01 10:00"), 24), Ok(()));
        assert_eq!(changeable(starts, at("2022-09-01 10:01"), 24), Err(TOO_LATE));
        assert_eq!(changeable(starts, at("2022-09-02 07:00"), 2), Ok(()));
        assert_eq!(markable(starts, at("2022-09-02 09:59")), Err(NOT_YET));
        assert_eq!(markable(starts, starts), Ok(()));
    }

    #[test]
    fn reminders_fall_due_the_day_before_and_hours_before() {
        let starts = at("2022-09-02 10:00");
        assert!(reminders_due(starts, at("2022-08-31 23:59"), 2).is_empty());
        assert_eq!(reminders_due(starts, at("2022-09-01 00:00"), 2), vec![Reminder::DayBefore]);
        assert!(reminders_due(starts, at("2022-09-02 07:59"), 2).is_empty(), "the day itself, before the hours");
        assert_eq!(reminders_due(starts, at("2022-09-02 08:00"), 2), vec![Reminder::HoursBefore]);
        assert_eq!(reminders_due(starts, at("2022-09-01 09:00"), 30), vec![Reminder::DayBefore, Reminder::HoursBefore]);
        assert!(reminders_due(starts, at("2022-09-02 09:00"), 0).is_empty(), "0 hours: none");
        assert!(reminders_due(starts, starts, 2).is_empty(), "started");
    }

    #[test]
    fn weeks_start_on_monday() {
        let thursday = NaiveDate::from_ymd_opt(2022, 9, 1).expect("a day");
        assert_eq!(week_of(thursday).to_string(), "2022-08-29");
        assert_eq!(week_of(week_of(thursday)), week_of(thursday));
    }

    #[test]
    fn a_topic_is_asked_for() {
        assert_eq!(topic("  "), Err(NO_TOPIC));
        assert_eq!(topic(&"字".repeat(201)), Err(NO_TOPIC));
        assert_eq!(topic(" 简历修改 ").as_deref(), Ok("简历修改"));
    }
}
