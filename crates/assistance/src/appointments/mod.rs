//! One-to-one guidance appointments (一对一指导预约): a helper's calendar of
//! slots, the graduate's bookings of its own helpers' free slots, the marks
//! held (one career-guidance entry in the ledger) or missed, and the reminders
//! the day before and the configured hours before, sent by an hourly job.
//!
//! Pure rules in `rules`, SQL in `store`, thin handlers in `pages`.

pub mod pages;
pub mod rules;
pub mod store;

use chrono::{DateTime, Utc};
use kernel::{time, Db};

/// The reminders' job in `job_runs`.
pub const JOB: &str = "assistance_reminders";

/// Sends the reminders due at `now` (China wall clock); what it did, for `job_runs`.
pub async fn remind(db: &Db, now: chrono::NaiveDateTime, hours: u32) -> Result<String, String> {
    match store::send_reminders(db, now, hours).await {
        Ok(n) => Ok(format!("{n} reminders sent")),
        Err(e) => Err(e.to_string()),
    }
}

fn china(at: DateTime<Utc>) -> chrono::NaiveDateTime {
    at.with_timezone(&time::china()).naive_local()
}

/// Starts the hourly reminders, once per deployment (`kernel::jobs::hourly`).
pub fn start(db: Db, hours: u32) {
    kernel::jobs::hourly(db, JOB, move |db, at| async move { remind(&db, china(at), hours).await });
}
