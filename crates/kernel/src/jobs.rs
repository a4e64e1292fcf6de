//! Scheduled work done once per deployment, not once per app server (定时任务):
//! every server that runs a daily job tries to claim the job's day in
//! `job_runs` with an insert that does nothing when the row is already there;
//! only the server whose insert wrote the row runs the job, and records how it
//! ended (finished, or failed with its error). The times are China time.

use std::future::Future;

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use serde_json::json;

use crate::audit::{self, AuditActor, Change};
use crate::{time, Db, DbResult};

/// Where a claimed run stands.
pub const RUNNING: &str = "running";
pub const FINISHED: &str = "finished";
pub const FAILED: &str = "failed";

/// What came of asking to run a job for a day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// This server claimed the day and ran the job; `Ok` holds what the job said, `Err` its error.
    Ran(Result<String, String>),
    /// Another server (or an earlier start of this one) had claimed the day.
    Taken,
}

/// A job's run as recorded.
#[derive(Debug, Clone)]
pub struct Run {
    pub id: i64,
    pub name: String,
    pub day: String,
    pub claimed_by: String,
    pub status: String,
    pub detail: Option<String>,
}

/// Claims the job's day for `by`: the run's id when this call wrote the row, `None` when it was there.
pub async fn claim(db: &Db, name: &str, day: NaiveDate, by: &str) -> DbResult<Option<i64>> {
    claim_key(db, name, &day.to_string(), by).await
}

/// Claims the run of the job named by `key` (a day, or a day and an hour for
/// an hourly job): the run's id when this call wrote the row, `None` when it was there.
pub async fn claim_key(db: &Db, name: &str, key: &str, by: &str) -> DbResult<Option<i64>> {
    let day = key;
    let mut tx = db.begin().await?;
    let inserted = tx
        .execute(
            "INSERT INTO job_runs (name, day, claimed_by, started_at, status) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (name, day) DO NOTHING",
            &[name.into(), day.into(), by.into(), time::now_utc().into(), RUNNING.into()],
        )
        .await?;
    if inserted == 0 {
        tx.commit().await?;
        return Ok(None);
    }
    let id = tx
        .fetch_one("SELECT id FROM job_runs WHERE name = $1 AND day = $2", &[name.into(), day.into()])
        .await?
        .i64("id")?;
    let change = Change::new("claim", "job_run", id).after(json!({ "name": name, "day": day, "claimed_by": by }));
    audit::record(&mut tx, &AuditActor::system(by), change).await?;
    tx.commit().await?;
    Ok(Some(id))
}

/// Records how a claimed run ended.
pub async fn end(db: &Db, id: i64, by: &str, result: &Result<String, String>) -> DbResult<()> {
    let (status, detail) = match result {
        Ok(said) => (FINISHED, said.as_str()),
        Err(error) => (FAILED, error.as_str()),
    };
    let mut tx = db.begin().await?;
    tx.execute(
        "UPDATE job_runs SET status = $1, detail = $2, finished_at = $3 WHERE id = $4",
        &[status.into(), detail.into(), time::now_utc().into(), id.into()],
    )
    .await?;
    let change = Change::new(if result.is_ok() { "finish" } else { "fail" }, "job_run", id)
        .before(json!({ "status": RUNNING }))
        .after(json!({ "status": status, "detail": detail }));
    audit::record(&mut tx, &AuditActor::system(by), change).await?;
    tx.commit().await
}

/// Runs `job` for the day unless another server claimed it first.
pub async fn run_once<F, Fut>(db: &Db, name: &str, day: NaiveDate, by: &str, job: F) -> DbResult<Outcome>
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = Result<String, String>>,
{
    run_once_key(db, name, &day.to_string(), by, job).await
}

/// Runs `job` for the run named by `key` (see [`claim_key`]) unless another server claimed it first.
pub async fn run_once_key<F, Fut>(db: &Db, name: &str, key: &str, by: &str, job: F) -> DbResult<Outcome>
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = Result<String, String>>,
{
    let day = key;
    let Some(id) = claim_key(db, name, day, by).await? else {
        tracing::info!(job = name, %day, "another server has this day's run");
        return Ok(Outcome::Taken);
    };
    tracing::info!(job = name, %day, "running the day's job");
    let result = job().await;
    match &result {
        Ok(said) => tracing::info!(job = name, %day, said, "job finished"),
        Err(error) => tracing::warn!(job = name, %day, error, "job failed"),
    }
    end(db, id, by, &result).await?;
    Ok(Outcome::Ran(result))
}

/// The job's runs, newest day first.
pub async fn runs(db: &Db, name: &str) -> DbResult<Vec<Run>> {
    let rows = db
        .fetch_all(
            "SELECT id, name, day, claimed_by, status, detail FROM job_runs WHERE name = $1 ORDER BY day DESC, id DESC",
            &[name.into()],
        )
        .await?;
    rows.iter()
        .map(|r| {
            Ok(Run {
                id: r.i64("id")?,
                name: r.text("name")?,
                day: r.text("day")?,
                claimed_by: r.text("claimed_by")?,
                status: r.text("status")?,
                detail: r.opt_text("detail")?,
            })
        })
        .collect()
}

/// A time of day as `HH:MM` (China time); `off` (or empty) turns the job off.
pub fn parse_time_of_day(text: &str) -> Result<Option<NaiveTime>, String> {
    let text = text.trim();
    if text.is_empty() || text.eq_ignore_ascii_case("off") {
        return Ok(None);
    }
    NaiveTime::parse_from_str(text, "%H:%M")
        .map(Some)
        .map_err(|_| format!("{text:?} is not a time of day as HH:MM (e.g. 02:00), nor off"))
}

/// The next run at `at` China time after `now`: (its instant, the China day it runs for).
pub fn next_run(now: DateTime<Utc>, at: NaiveTime) -> (DateTime<Utc>, NaiveDate) {
    let local = now.with_timezone(&time::china());
    let mut day = local.date_naive();
    loop {
        let when = day.and_time(at).and_local_timezone(time::china()).single().map(|t| t.with_timezone(&Utc));
        match when {
            Some(when) if when > now => return (when, day),
            _ => day += Duration::days(1),
        }
    }
}

/// Who this server is in `job_runs`: host name and process id.
pub fn server_label() -> String {
    let host = std::env::var("HOSTNAME")
        .ok()
        .filter(|h| !h.is_empty())
        .or_else(|| std::fs::read_to_string("/etc/hostname").ok().map(|h| h.trim().to_owned()))
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "server".to_owned());
    format!("{host}:{}", std::process::id())
}

/// Runs `job` every day at `at` China time, for as long as the server runs,
/// on this server only when it claims the day first.
pub fn daily<F, Fut>(db: Db, name: &'static str, at: NaiveTime, job: F)
where
    F: Fn(Db) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<String, String>> + Send + 'static,
{
    let by = server_label();
    tokio::spawn(async move {
        loop {
            let (when, day) = next_run(Utc::now(), at);
            tracing::info!(job = name, at = %when, "next run");
            let wait = (when - Utc::now()).to_std().unwrap_or_default();
            tokio::time::sleep(wait).await;
            let db2 = db.clone();
            if let Err(e) = run_once(&db, name, day, &by, || job(db2)).await {
                tracing::warn!(job = name, %day, error = %e, "the day's run could not be claimed or recorded");
            }
        }
    });
}

/// The key of an hourly run: the China day and hour it runs for (`2022-09-01 14:00`).
pub fn hour_key(at: DateTime<Utc>) -> String {
    at.with_timezone(&time::china()).format("%Y-%m-%d %H:00").to_string()
}

/// Runs `job` at the top of every hour, for as long as the server runs, on
/// this server only when it claims the hour first; the job is given the hour.
pub fn hourly<F, Fut>(db: Db, name: &'static str, job: F)
where
    F: Fn(Db, DateTime<Utc>) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<String, String>> + Send + 'static,
{
    let by = server_label();
    tokio::spawn(async move {
        loop {
            let now = Utc::now();
            let past = now.timestamp().rem_euclid(3600);
            let when = now + Duration::seconds(3600 - past);
            let wait = (when - now).to_std().unwrap_or_default();
            tokio::time::sleep(wait).await;
            let db2 = db.clone();
            let key = hour_key(when);
            if let Err(e) = run_once_key(&db, name, &key, &by, || job(db2, when)).await {
                tracing::warn!(job = name, hour = %key, error = %e, "the hour's run could not be claimed or recorded");
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).expect("an instant").with_timezone(&Utc)
    }

    #[test]
    fn the_next_run_is_the_next_such_time_in_china() {
        let two = NaiveTime::from_hms_opt(2, 0, 0).expect("a time");
        // 17:00 UTC is 01:00 in China the next day: the run is an hour later, for that day.
        let (when, day) = next_run(utc("2022-08-30T17:00:00Z"), two);
        assert_eq!((when, day.to_string()), (utc("2022-08-30T18:00:00Z"), "2022-08-31".to_owned()));
        // Just past 02:00 in China: tomorrow.
        let (when, day) = next_run(utc("2022-08-30T18:00:01Z"), two);
        assert_eq!((when, day.to_string()), (utc("2022-08-31T18:00:00Z"), "2022-09-01".to_owned()));
    }

    #[test]
    fn an_hourly_run_is_keyed_by_its_china_day_and_hour() {
        assert_eq!(hour_key(utc("2022-08-31T17:00:00Z")), "2022-09-01 01:00");
        assert_eq!(hour_key(utc("2022-09-01T06:59:59Z")), "2022-09-01 14:00");
    }

    #[test]
    fn times_of_day_read_as_hours_and_minutes_or_off() {
        assert_eq!(parse_time_of_day("02:00"), Ok(NaiveTime::from_hms_opt(2, 0, 0)));
        assert_eq!(parse_time_of_day("off"), Ok(None));
        assert!(parse_time_of_day("25:00").is_err() && parse_time_of_day("2am").is_err());
    }
}
