//! When the daily reminders (档案转递提醒) tell an institution: a batch whose
//! deadline is near or has passed with archives not yet dispatched, and a
//! returned archive (退回) still waiting to be sent again. Each is told once
//! per state; the store remembers what was sent. Pure.

use chrono::NaiveDate;

/// Days before a batch's deadline its reminder goes, unless configured.
pub const DAYS: u32 = 3;

/// Why a batch is brought up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BatchReminder {
    /// The deadline is within the configured days (today included).
    Near,
    /// The deadline has passed.
    Passed,
}

impl BatchReminder {
    /// The reminder's kind in `archive_reminders`.
    pub fn key(self) -> &'static str {
        match self {
            BatchReminder::Near => "batch_near",
            BatchReminder::Passed => "batch_passed",
        }
    }
}

/// The kind in `archive_reminders` of a return waiting to be sent again.
pub const RETURNED: &str = "returned";

/// Whether a batch with `waiting` archives not yet dispatched (confirmed or
/// sealed) is brought up `today`, `days` before its deadline.
pub fn batch_reminder(deadline: NaiveDate, today: NaiveDate, days: u32, waiting: i64) -> Option<BatchReminder> {
    if waiting <= 0 {
        return None;
    }
    let left = (deadline - today).num_days();
    if left < 0 {
        Some(BatchReminder::Passed)
    } else if left <= i64::from(days) {
        Some(BatchReminder::Near)
    } else {
        None
    }
}

/// Whether an archive returned on `returned_on` and not dispatched since has
/// waited long enough (`days`) to be brought up: the office recorded the
/// return itself, so telling it at once would tell it nothing.
pub fn return_waiting(returned_on: NaiveDate, today: NaiveDate, days: u32) -> bool {
    (today - returned_on).num_days() >= i64::from(days)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn day(m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2022, m, d).expect("date")
    }

    #[test]
    fn a_batch_is_near_within_the_days_and_passed_after_its_deadline() {
        let deadline = day(8, 31);
        assert_eq!(batch_reminder(deadline, day(8, 27), 3, 5), None);
        assert_eq!(batch_reminder(deadline, day(8, 28), 3, 5), Some(BatchReminder::Near));
        assert_eq!(batch_reminder(deadline, day(8, 31), 3, 5), Some(BatchReminder::Near));
        assert_eq!(batch_reminder(deadline, day(9, 1), 3, 5), Some(BatchReminder::Passed));
    }

    #[test]
    fn a_batch_all_dispatched_is_never_brought_up() {
        assert_eq!(batch_reminder(day(8, 31), day(8, 30), 3, 0), None);
        assert_eq!(batch_reminder(day(8, 31), day(12, 1), 3, 0), None);
    }

    #[test]
    fn a_return_waits_its_days() {
        assert!(!return_waiting(day(9, 1), day(9, 3), 3));
        assert!(return_waiting(day(9, 1), day(9, 4), 3));
        assert!(return_waiting(day(9, 1), day(9, 1), 0));
    }

    proptest! {
        /// Near only before or on the deadline, passed only after it, nothing
        /// before the window or once every archive is dispatched.
        #[test]
        fn the_reminder_follows_the_calendar(offset in -400i64..400, days in 0u32..30, waiting in 0i64..5) {
            let deadline = day(8, 31);
            let today = deadline + chrono::Duration::days(offset);
            match batch_reminder(deadline, today, days, waiting) {
                Some(BatchReminder::Passed) => prop_assert!(offset > 0 && waiting > 0),
                Some(BatchReminder::Near) => prop_assert!(offset <= 0 && -offset <= i64::from(days) && waiting > 0),
                None => prop_assert!(waiting == 0 || -offset > i64::from(days)),
            }
        }
    }
}
