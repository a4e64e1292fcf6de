//! The quality reports' rules, pure: whether a report came on time (按时提交),
//! late (逾期提交) and by how many days, or is missing (未提交); the deadline as
//! people type it; the status notice's (通报) wording.

use chrono::{DateTime, NaiveDate, Utc};
use kernel::{time, Locale};

/// Where an institution stands against its cohort's deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// 按时提交: the first upload came by the end of the due day, China time.
    OnTime,
    /// 逾期提交: the first upload came `days` China calendar days after the due day.
    Late { days: i64 },
    /// 未提交 while the deadline is still ahead.
    NotYet,
    /// 未提交 after the deadline passed (缺交).
    Missing,
}

impl Standing {
    pub fn key(self) -> &'static str {
        match self {
            Standing::OnTime => "on_time",
            Standing::Late { .. } => "late",
            Standing::NotYet => "not_yet",
            Standing::Missing => "missing",
        }
    }

    pub fn label(self, l: Locale) -> String {
        match self {
            Standing::OnTime => l.pick("按时提交", "On time").to_owned(),
            Standing::Late { days } => match l {
                Locale::Zh => format!("逾期 {days} 天提交"),
                Locale::En => format!("Late by {days} day{}", if days == 1 { "" } else { "s" }),
            },
            Standing::NotYet => l.pick("尚未提交", "Not yet submitted").to_owned(),
            Standing::Missing => l.pick("未提交", "Missing").to_owned(),
        }
    }

    pub fn submitted(self) -> bool {
        matches!(self, Standing::OnTime | Standing::Late { .. })
    }
}

/// The China calendar day an instant falls on.
pub fn china_day(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&time::china()).date_naive()
}

/// A stored instant (RFC 3339), `None` when it is not one.
pub fn instant(stored: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(stored).ok().map(|t| t.with_timezone(&Utc))
}

/// The standing of a report first uploaded at `submitted` (none: not uploaded)
/// against a deadline at the end of `due_on` in China, seen at `now`. A day
/// late is any part of the next China day: the office closes at midnight
/// Beijing time, wherever the server's clock is.
pub fn standing(due_on: NaiveDate, submitted: Option<DateTime<Utc>>, now: DateTime<Utc>) -> Standing {
    match submitted {
        Some(at) => {
            let days = (china_day(at) - due_on).num_days();
            if days <= 0 {
                Standing::OnTime
            } else {
                Standing::Late { days }
            }
        }
        None if china_day(now) > due_on => Standing::Missing,
        None => Standing::NotYet,
    }
}

/// The due day as typed (`2022-12-31`, `2022/12/31`, `2022年12月31日`), or why not.
pub fn due_on(typed: &str, l: Locale) -> Result<NaiveDate, String> {
    let t = typed.trim();
    if t.is_empty() {
        return Err(l.pick("请填写提交截止日期。", "Enter the due date.").to_owned());
    }
    let cleaned: String = t.replace(['/', '.', '年', '月'], "-").replace('日', "");
    NaiveDate::parse_from_str(&cleaned, "%Y-%m-%d")
        .ok()
        .filter(|d| (2000..=2100).contains(&chrono::Datelike::year(d)))
        .ok_or_else(|| {
            l.pick("截止日期应为 2022-12-31 这样的日期。", "The due date should look like 2022-12-31.").to_owned()
        })
}

/// What the notice to a late or missing institution says (通知提醒).
pub fn notice_message(cohort: i64, due_on: NaiveDate, standing: Standing) -> Option<String> {
    match standing {
        Standing::Late { days } => Some(format!(
            "{cohort}届就业质量年度报告通报：贵校报告逾期 {days} 天提交（截止日期 {due_on}）。请今后按时提交。"
        )),
        Standing::Missing => Some(format!(
            "{cohort}届就业质量年度报告通报：截至目前贵校尚未提交报告（截止日期 {due_on}），请尽快在平台上传。"
        )),
        Standing::OnTime | Standing::NotYet => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn at(s: &str) -> DateTime<Utc> {
        instant(s).unwrap()
    }

    #[test]
    fn the_deadline_ends_at_midnight_beijing_time() {
        let due = day(2022, 12, 31);
        let now = at("2023-03-01T00:00:00Z");
        // 23:59 on the due day in Beijing is 15:59 UTC: on time.
        assert_eq!(standing(due, Some(at("2022-12-31T15:59:59Z")), now), Standing::OnTime);
        // 00:00 the next day in Beijing is 16:00 UTC on the due day: one day late.
        assert_eq!(standing(due, Some(at("2022-12-31T16:00:00Z")), now), Standing::Late { days: 1 });
        assert_eq!(standing(due, Some(at("2023-01-09T12:00:00Z")), now), Standing::Late { days: 9 });
        assert_eq!(standing(due, Some(at("2022-10-01T00:00:00Z")), now), Standing::OnTime);
    }

    #[test]
    fn nothing_uploaded_is_missing_only_once_the_due_day_is_over() {
        let due = day(2022, 12, 31);
        assert_eq!(standing(due, None, at("2022-12-31T15:00:00Z")), Standing::NotYet);
        assert_eq!(standing(due, None, at("2022-12-31T16:00:00Z")), Standing::Missing);
        assert!(!Standing::Missing.submitted() && Standing::Late { days: 2 }.submitted());
    }

    #[test]
    fn due_dates_as_people_type_them() {
        for typed in ["2022-12-31", "2022/12/31", "2022年12月31日", " 2022.12.31 "] {
            assert_eq!(due_on(typed, Locale::Zh), Ok(day(2022, 12, 31)), "{typed}");
        }
        assert!(due_on("", Locale::Zh).is_err());
        assert!(due_on("明天", Locale::En).unwrap_err().contains("2022-12-31"));
        assert!(due_on("1900-01-01", Locale::Zh).is_err());
    }

    #[test]
    fn only_late_and_missing_institutions_are_told() {
        let due = day(2022, 12, 31);
        assert!(notice_message(2022, due, Standing::OnTime).is_none());
        assert!(notice_message(2022, due, Standing::NotYet).is_none());
        assert!(notice_message(2022, due, Standing::Late { days: 3 }).unwrap().contains("逾期 3 天"));
        assert!(notice_message(2022, due, Standing::Missing).unwrap().contains("尚未提交"));
    }

    proptest! {
        /// Later uploads are never less late, and late by n days means the
        /// upload's China day is n days after the due day.
        #[test]
        fn lateness_grows_with_the_upload_instant(secs in 0i64..200 * 86_400, more in 0i64..30 * 86_400) {
            let due = day(2022, 12, 31);
            let start = at("2022-11-01T00:00:00Z");
            let now = at("2024-01-01T00:00:00Z");
            let a = start + chrono::Duration::seconds(secs);
            let b = a + chrono::Duration::seconds(more);
            let days = |s: Standing| match s { Standing::Late { days } => days, _ => 0 };
            prop_assert!(days(standing(due, Some(a), now)) <= days(standing(due, Some(b), now)));
            match standing(due, Some(a), now) {
                Standing::Late { days } => prop_assert_eq!(china_day(a), due + chrono::Duration::days(days)),
                s => { prop_assert_eq!(s, Standing::OnTime); prop_assert!(china_day(a) <= due) }
            }
        }
    }
}
