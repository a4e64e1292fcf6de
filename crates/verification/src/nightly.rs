//! The nightly anomaly scan (每晚自动扫描): at a configured time, China time,
//! one server of the deployment claims the day's run (`kernel::jobs`) and
//! scans every cohort as the page's 运行扫描 does, keeping the findings.

use chrono::{NaiveDate, NaiveTime};
use kernel::audit::AuditActor;
use kernel::jobs::{self, Outcome};
use kernel::{Db, DbResult};

use crate::findings;

/// The job's name in `job_runs`.
pub const JOB: &str = "verification_scan";

/// Scans every cohort and keeps each one's findings; says how many signals each had.
pub async fn scan_every_cohort(db: &Db) -> Result<String, String> {
    let cohorts = registry::cohorts::all(db).await.map_err(|e| e.to_string())?;
    let who = AuditActor::system("nightly");
    let mut said = Vec::new();
    for c in cohorts {
        let n = findings::scan_and_keep(db, &who, c.year, None).await.map_err(|e| format!("{}: {e}", c.year))?;
        said.push(format!("{}: {}", c.year, n.unwrap_or(0)));
    }
    Ok(said.join("; "))
}

/// The day's run, unless another server (`by` names this one) claimed it first.
pub async fn run_for_day(db: &Db, day: NaiveDate, by: &str) -> DbResult<Outcome> {
    let db2 = db.clone();
    jobs::run_once(db, JOB, day, by, || async move { scan_every_cohort(&db2).await }).await
}

/// Starts the nightly run on this server, every day at `at` China time.
pub fn start(db: Db, at: NaiveTime) {
    jobs::daily(db, JOB, at, |db| async move { scan_every_cohort(&db).await });
}
