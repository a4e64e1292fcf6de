//! Instants are stored in UTC; the days people see and choose are calendar
//! days in China Standard Time (UTC+8).

use chrono::{DateTime, FixedOffset, NaiveDate, SecondsFormat, Utc};

pub fn china() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset")
}

/// Now, as stored: RFC 3339 in UTC with milliseconds, so text order is time order.
pub fn now_utc() -> String {
    format_utc(Utc::now())
}

pub fn format_utc(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// Today's date in China.
pub fn today_china() -> NaiveDate {
    Utc::now().with_timezone(&china()).date_naive()
}

/// A stored instant shown to a person: `2022-08-31 17:05` in UTC+8.
pub fn display(stored: &str) -> String {
    DateTime::parse_from_rfc3339(stored)
        .map(|t| t.with_timezone(&china()).format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_else(|_| stored.to_owned())
}

/// The stored instant that ends a China calendar day: an as-of date means the
/// end of that day in UTC+8.
pub fn end_of_china_day(day: NaiveDate) -> String {
    let next = day.succ_opt().unwrap_or(day);
    let start_next = next.and_hms_opt(0, 0, 0).expect("midnight exists").and_local_timezone(china()).single();
    start_next.map(|t| format_utc(t.with_timezone(&Utc))).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn end_of_day_is_utc_16_00() {
        let d = NaiveDate::from_ymd_opt(2022, 8, 31).unwrap();
        assert_eq!(end_of_china_day(d), "2022-08-31T16:00:00.000Z");
        assert_eq!(display("2022-08-31T15:59:00.000Z"), "2022-08-31 23:59");
    }
}
