//! The working-day calendar (工作日历): weekends, public holidays and
//! swapped working days (调休) as data, from the State Council's yearly
//! notice (kept in the `work_calendar_days` table, which the province edits
//! at /programmes/calendar). "N working days after D", "working days
//! between" and the end of a public notice (公示) counted in working days.
//! In the kernel because programmes' notices, services' time limits and the
//! plan board's deadlines all count on the same days; `load` is the one
//! reader of the table.

use std::collections::BTreeMap;

use chrono::{Datelike, Duration, NaiveDate, Weekday};

use crate::db::{Db, DbResult, Row, Tx};

/// What a listed day is, overriding the weekday rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DayKind {
    /// A public holiday (法定节假日 or a day of its break).
    Holiday,
    /// A weekend day worked instead (调休上班).
    Workday,
}

impl DayKind {
    pub fn code(self) -> &'static str {
        match self {
            DayKind::Holiday => "holiday",
            DayKind::Workday => "workday",
        }
    }

    pub fn from_code(s: &str) -> Option<DayKind> {
        match s {
            "holiday" => Some(DayKind::Holiday),
            "workday" => Some(DayKind::Workday),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct Calendar {
    days: BTreeMap<NaiveDate, DayKind>,
}

impl Calendar {
    pub fn new(days: impl IntoIterator<Item = (NaiveDate, DayKind)>) -> Calendar {
        Calendar { days: days.into_iter().collect() }
    }

    pub fn is_working(&self, d: NaiveDate) -> bool {
        match self.days.get(&d) {
            Some(DayKind::Holiday) => false,
            Some(DayKind::Workday) => true,
            None => !matches!(d.weekday(), Weekday::Sat | Weekday::Sun),
        }
    }

    /// Whether the calendar holds the year's notice (any listed day in it).
    pub fn covers(&self, year: i32) -> bool {
        let (Some(a), Some(b)) = (NaiveDate::from_ymd_opt(year, 1, 1), NaiveDate::from_ymd_opt(year, 12, 31)) else {
            return false;
        };
        self.days.range(a..=b).next().is_some()
    }

    /// The n-th working day after `d` (`d` itself when n = 0).
    pub fn add_working_days(&self, d: NaiveDate, n: u32) -> NaiveDate {
        let mut day = d;
        let mut left = n;
        while left > 0 {
            day += Duration::days(1);
            if self.is_working(day) {
                left -= 1;
            }
        }
        day
    }

    /// The working days after `from` up to and including `to` (0 when `to`
    /// is not after `from`): so `between(d, add_working_days(d, n)) == n`.
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> u32 {
        let mut n = 0;
        let mut day = from;
        while day < to {
            day += Duration::days(1);
            if self.is_working(day) {
                n += 1;
            }
        }
        n
    }

    /// The last day of a public notice (公示) of `n` working days starting on
    /// `start` (counted as its first day when a working day; otherwise the
    /// notice runs from the next working day). `start` itself when n = 0.
    pub fn notice_end(&self, start: NaiveDate, n: u32) -> NaiveDate {
        if n == 0 {
            return start;
        }
        self.add_working_days(start - Duration::days(1), n)
    }
}

/// Every listed day of `work_calendar_days`.
const LISTED: &str = "SELECT day, kind FROM work_calendar_days";

/// The rows of `LISTED` as a calendar; a row that does not read (a bad day or
/// kind) is left out, as the weekday rule then holds for that day.
fn from_rows(rows: &[Row]) -> DbResult<Calendar> {
    let mut days = Vec::new();
    for r in rows {
        if let (Some(d), Some(k)) = (crate::validate::parse_date(&r.text("day")?), DayKind::from_code(&r.text("kind")?))
        {
            days.push((d, k));
        }
    }
    Ok(Calendar::new(days))
}

/// The whole calendar as the table holds it, for counting working days.
pub async fn load(db: &Db) -> DbResult<Calendar> {
    from_rows(&db.fetch_all(LISTED, &[]).await?)
}

/// `load` inside the caller's transaction (the demo's).
pub async fn load_in(tx: &mut Tx) -> DbResult<Calendar> {
    from_rows(&tx.fetch_all(LISTED, &[]).await?)
}

/// Calendars to test with, for this crate's tests and the areas'.
#[doc(hidden)]
pub mod fixtures {
    use super::*;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2022, m, day).unwrap_or_default()
    }

    /// The State Council's notice for 2022 (国办发明电〔2021〕11号).
    pub fn china_2022() -> Calendar {
        let mut days = Vec::new();
        let mut holiday = |from: NaiveDate, to: NaiveDate| {
            let mut x = from;
            while x <= to {
                days.push((x, DayKind::Holiday));
                x += Duration::days(1);
            }
        };
        holiday(d(1, 1), d(1, 3));
        holiday(d(1, 31), d(2, 6));
        holiday(d(4, 3), d(4, 5));
        holiday(d(4, 30), d(5, 4));
        holiday(d(6, 3), d(6, 5));
        holiday(d(9, 10), d(9, 12));
        holiday(d(10, 1), d(10, 7));
        for w in [d(1, 29), d(1, 30), d(4, 2), d(4, 24), d(5, 7), d(10, 8), d(10, 9)] {
            days.push((w, DayKind::Workday));
        }
        Calendar::new(days)
    }
}

#[cfg(test)]
mod tests {
    use super::fixtures::china_2022;
    use super::*;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2022, m, day).unwrap()
    }

    #[test]
    fn weekdays_holidays_and_swaps() {
        let c = china_2022();
        assert!(c.is_working(d(1, 4)));
        assert!(!c.is_working(d(1, 3))); // Monday, 元旦
        assert!(c.is_working(d(1, 29))); // Saturday worked
        assert!(!c.is_working(d(2, 4))); // Friday, 春节
        assert!(!c.is_working(d(1, 8))); // an ordinary Saturday
        assert!(c.is_working(d(10, 9))); // Sunday worked
        assert!(c.covers(2022) && !c.covers(2021));
    }

    #[test]
    fn counting_across_the_spring_festival() {
        let c = china_2022();
        // Friday 28 Jan: then Sat 29 and Sun 30 are worked, the break runs to 6 Feb.
        assert_eq!(c.add_working_days(d(1, 28), 1), d(1, 29));
        assert_eq!(c.add_working_days(d(1, 28), 2), d(1, 30));
        assert_eq!(c.add_working_days(d(1, 28), 3), d(2, 7));
        assert_eq!(c.working_days_between(d(1, 28), d(2, 7)), 3);
        assert_eq!(c.add_working_days(d(1, 28), 0), d(1, 28));
    }

    #[test]
    fn counting_across_may_day_and_national_day() {
        let c = china_2022();
        // Fri 29 Apr: the break runs to 4 May; Thu 5, Fri 6 and Sat 7 May (worked) follow.
        assert_eq!(c.add_working_days(d(4, 29), 1), d(5, 5));
        assert_eq!(c.add_working_days(d(4, 29), 3), d(5, 7));
        assert_eq!(c.add_working_days(d(4, 29), 4), d(5, 9));
        // Fri 30 Sep → Sat 8 Oct, Sun 9 Oct worked.
        assert_eq!(c.add_working_days(d(9, 30), 1), d(10, 8));
        assert_eq!(c.add_working_days(d(9, 30), 3), d(10, 10));
        assert_eq!(c.working_days_between(d(9, 30), d(10, 10)), 3);
        assert_eq!(c.working_days_between(d(10, 10), d(9, 30)), 0);
        // Sunday 24 Apr is worked for May Day.
        assert_eq!(c.add_working_days(d(4, 22), 1), d(4, 24));
    }

    #[test]
    fn notice_of_five_working_days() {
        let c = china_2022();
        // Published Thursday 29 Sep: 29, 30 Sep, 8, 9, 10 Oct.
        assert_eq!(c.notice_end(d(9, 29), 5), d(10, 10));
        // Published on a holiday: runs from the next working day (Mon 6 Jun).
        assert_eq!(c.notice_end(d(6, 3), 5), d(6, 10));
        // Published on an ordinary Monday.
        assert_eq!(c.notice_end(d(6, 13), 5), d(6, 17));
        assert_eq!(c.notice_end(d(6, 13), 0), d(6, 13));
        // Mid-Autumn Monday 12 Sep is off: notice from Fri 9 Sep for 3 days ends Wed 14.
        assert_eq!(c.notice_end(d(9, 9), 3), d(9, 14));
    }

    proptest::proptest! {
        #[test]
        fn between_undoes_add(start in 0i64..365, n in 0u32..60) {
            let c = china_2022();
            let from = d(1, 1) + Duration::days(start);
            let to = c.add_working_days(from, n);
            proptest::prop_assert_eq!(c.working_days_between(from, to), n);
            proptest::prop_assert!(n == 0 || c.is_working(to));
        }
    }
}
