//! An interview proposal (面试安排), pure: when (a China-time minute, in the
//! future, within a year), where (a place, an online meeting, or both) and
//! the graduate's answer.

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use kernel::web::FieldErrors;
use kernel::Locale;

use crate::postings::rules::is_web_address;

#[derive(Debug, Default, Clone, serde::Deserialize)]
#[serde(default)]
pub struct InterviewForm {
    /// "2022-06-10 14:30", China time.
    pub starts_at: String,
    pub place: String,
    pub meeting_url: String,
    pub note: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Proposal {
    pub starts_at: DateTime<Utc>,
    pub place: Option<String>,
    pub meeting_url: Option<String>,
    pub note: Option<String>,
}

/// Checks a proposal made at `now`.
pub fn check(form: &InterviewForm, now: DateTime<Utc>, l: Locale) -> Result<Proposal, FieldErrors> {
    let mut errors = FieldErrors::default();
    let starts_at = parse_china_minute(&form.starts_at);
    match starts_at {
        None => errors
            .add("starts_at", l.pick("请按 2022-06-10 14:30 的格式填写时间。", "Give the time as 2022-06-10 14:30.")),
        Some(at) if at <= now => {
            errors.add("starts_at", l.pick("面试时间须在现在之后。", "The interview must be in the future."))
        }
        Some(at) if (at - now).num_days() > 366 => {
            errors.add("starts_at", l.pick("面试时间最远为一年后。", "At most a year from now."))
        }
        Some(_) => {}
    }
    let text = |s: &str, max: usize| {
        Some(s.trim().to_owned()).filter(|s| !s.is_empty()).map(|s| s.chars().take(max).collect::<String>())
    };
    let place = text(&form.place, 200);
    let meeting_url = text(&form.meeting_url, 300);
    if place.is_none() && meeting_url.is_none() {
        errors.add("place", l.pick("请填写面试地点或线上会议链接。", "Give the place or the online meeting link."));
    }
    if meeting_url.as_deref().is_some_and(|u| !is_web_address(u)) {
        errors.add(
            "meeting_url",
            l.pick("请填写以 http:// 或 https:// 开头的链接。", "Give a link starting with http:// or https://."),
        );
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(Proposal { starts_at: starts_at.unwrap_or(now), place, meeting_url, note: text(&form.note, 500) })
}

/// "YYYY-MM-DD HH:MM" (or with a T) in China time, as an instant.
pub fn parse_china_minute(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim().replace('T', " ");
    let naive = NaiveDateTime::parse_from_str(&s, "%Y-%m-%d %H:%M").ok()?;
    kernel::time::china().from_local_datetime(&naive).single().map(|t| t.with_timezone(&Utc))
}

/// The graduate's answer to a proposal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// 待确认
    Pending,
    /// 已确认
    Accepted,
    /// 申请改期
    Reschedule,
}

impl Answer {
    pub fn key(self) -> &'static str {
        match self {
            Answer::Pending => "pending",
            Answer::Accepted => "accepted",
            Answer::Reschedule => "reschedule",
        }
    }
    pub fn parse(s: &str) -> Option<Answer> {
        [Answer::Pending, Answer::Accepted, Answer::Reschedule].into_iter().find(|a| a.key() == s)
    }
    pub fn label(self, l: Locale) -> &'static str {
        match self {
            Answer::Pending => l.pick("待毕业生确认", "Awaiting the graduate"),
            Answer::Accepted => l.pick("毕业生已确认", "Accepted"),
            Answer::Reschedule => l.pick("毕业生申请改期", "Another time asked"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        parse_china_minute("2022-06-01 09:00").unwrap()
    }

    #[test]
    fn china_time_is_eight_hours_ahead() {
        assert_eq!(parse_china_minute("2022-06-10 14:30").unwrap().to_rfc3339(), "2022-06-10T06:30:00+00:00");
        assert_eq!(parse_china_minute("2022-06-10T14:30"), parse_china_minute("2022-06-10 14:30"));
        assert_eq!(parse_china_minute("2022-06-10"), None);
    }

    #[test]
    fn a_proposal_needs_a_future_time_and_a_place_or_a_link() {
        let form = |at: &str, place: &str, url: &str| InterviewForm {
            starts_at: at.into(),
            place: place.into(),
            meeting_url: url.into(),
            note: String::new(),
        };
        assert!(check(&form("2022-06-10 14:30", "岳麓区麓谷大道 1 号", ""), now(), Locale::Zh).is_ok());
        assert!(check(&form("2022-06-10 14:30", "", "https://meeting.example.cn/123"), now(), Locale::Zh).is_ok());
        let errors = check(&form("2022-05-10 14:30", "", "javascript:x"), now(), Locale::Zh).unwrap_err();
        for field in ["starts_at", "meeting_url"] {
            assert!(!errors.of(field).is_empty(), "{field}");
        }
        assert!(!check(&form("2022-06-10 14:30", " ", ""), now(), Locale::Zh).unwrap_err().of("place").is_empty());
    }
}
