//! How far a long piece of work has come (进度), for the page waiting on it.
//! The browser names the work with a random token when it submits the form;
//! the handler reports rows done into the board; the page polls
//! `/progress/{token}`. Only the account that started the work can read it.
//! Kept in memory on the server doing the work; on PostgreSQL also written to
//! `progress_reports` (at most every `SHARE_EVERY`, and the last report), so
//! that behind a load balancer a poll that lands on another app server reads
//! it there. On SQLite memory only: an import holds the one writer for its
//! whole transaction, and one server serves a SQLite file. A poll that finds
//! nothing leaves the bar as it was.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::db::{Backend, Db, DbResult};
use crate::time;

/// Entries are dropped this long after their last report.
const KEEP: Duration = Duration::from_secs(3600);
/// The shortest time between two writes of one piece of work's progress to
/// the database: a bar moving four times a second is smooth enough, and an
/// import reporting every thousand rows writes no more than that.
const SHARE_EVERY: Duration = Duration::from_millis(250);

/// Rows (or items) done, out of how many where that is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Done {
    pub done: u64,
    pub total: Option<u64>,
}

/// The board: this server's reports in memory, and on PostgreSQL the
/// database every app server shares (`Board::default()` is memory only).
#[derive(Default)]
pub struct Board {
    entries: Mutex<HashMap<(i64, String), (Instant, Done)>>,
    shared: Option<Db>,
}

impl Board {
    /// The board of an app server on `db`: shared through the database on
    /// PostgreSQL, in memory only on SQLite.
    pub fn on(db: &Db) -> Board {
        let shared = (db.backend() == Backend::Postgres).then(|| db.clone());
        Board { entries: Mutex::default(), shared }
    }

    /// A reporter for the work `token` names, started by `account`; one that
    /// reports nowhere when the token is missing or malformed (no JavaScript).
    /// Called from a request, whose runtime runs the shared writes.
    pub fn reporter(self: &Arc<Self>, account: i64, token: Option<&str>) -> Reporter {
        let key = token.filter(|t| valid_token(t)).map(|t| (account, t.to_owned()));
        let shared = match (&self.shared, &key, tokio::runtime::Handle::try_current()) {
            (Some(db), Some(key), Ok(runtime)) => Some(share(&runtime, db.clone(), key.clone())),
            _ => None,
        };
        Reporter { board: self.clone(), key, shared }
    }

    /// What `account`'s work `token` last reported to this server.
    pub fn read(&self, account: i64, token: &str) -> Option<Done> {
        let entries = self.entries.lock().ok()?;
        entries.get(&(account, token.to_owned())).map(|(_, done)| *done)
    }

    /// What `account`'s work `token` last reported, to this server or (on
    /// PostgreSQL) to any: a poll may reach another app server than the upload did.
    pub async fn read_anywhere(&self, account: i64, token: &str) -> DbResult<Option<Done>> {
        if let Some(done) = self.read(account, token) {
            return Ok(Some(done));
        }
        let Some(db) = &self.shared else { return Ok(None) };
        if !valid_token(token) {
            return Ok(None);
        }
        let row = db
            .fetch_optional(
                "SELECT done, total FROM progress_reports WHERE account_id = $1 AND token = $2 AND reported_at >= $3",
                &[account.into(), token.into(), kept_since().into()],
            )
            .await?;
        row.map(|r| {
            Ok(Done { done: r.i64("done")?.max(0) as u64, total: r.opt_i64("total")?.map(|t| t.max(0) as u64) })
        })
        .transpose()
    }

    fn report(&self, key: &(i64, String), done: Done) {
        if let Ok(mut entries) = self.entries.lock() {
            if !entries.contains_key(key) {
                let now = Instant::now();
                entries.retain(|_, (at, _)| now.duration_since(*at) < KEEP);
            }
            entries.insert(key.clone(), (Instant::now(), done));
        }
    }
}

/// Tokens are what `upload.js` makes: 16 to 64 letters, digits and dashes.
fn valid_token(token: &str) -> bool {
    (16..=64).contains(&token.len()) && token.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// Reports one piece of work's progress.
pub struct Reporter {
    board: Arc<Board>,
    key: Option<(i64, String)>,
    /// The latest report, for the task writing it to the database; dropped
    /// with the reporter, which tells the task to write the last and stop.
    shared: Option<tokio::sync::watch::Sender<Option<Done>>>,
}

impl Reporter {
    pub fn report(&self, done: u64, total: Option<u64>) {
        if let Some(key) = &self.key {
            self.board.report(key, Done { done, total });
        }
        if let Some(latest) = &self.shared {
            latest.send_replace(Some(Done { done, total }));
        }
    }
}

/// Reports older than this are past keeping.
fn kept_since() -> String {
    time::format_utc(chrono::Utc::now() - chrono::Duration::seconds(KEEP.as_secs() as i64))
}

/// Starts the task that writes one piece of work's reports to the database:
/// the newest report at most every `SHARE_EVERY`, and the last one when the
/// reporter is dropped; first it sweeps reports past keeping. A failed write
/// is logged and the work goes on: the bar is a courtesy, the import is not.
fn share(runtime: &tokio::runtime::Handle, db: Db, key: (i64, String)) -> tokio::sync::watch::Sender<Option<Done>> {
    let (latest, mut reports) = tokio::sync::watch::channel(None);
    runtime.spawn(async move {
        if let Err(error) = sweep(&db).await {
            tracing::warn!(%error, "old progress reports not swept");
        }
        let mut written = None;
        loop {
            let more = reports.changed().await.is_ok();
            let done = *reports.borrow_and_update();
            if let Some(done) = done.filter(|d| written != Some(*d)) {
                match write(&db, &key, done).await {
                    Ok(()) => written = Some(done),
                    Err(error) => tracing::warn!(%error, "progress not shared with the other app servers"),
                }
            }
            if !more {
                return;
            }
            tokio::time::sleep(SHARE_EVERY).await;
        }
    });
    latest
}

/// Progress is a passing courtesy to the page waiting on the work, not a
/// record of anything, so unlike the platform's data it is not audited.
async fn write(db: &Db, key: &(i64, String), done: Done) -> DbResult<()> {
    let total = done.total.map(|t| t as i64);
    let mut tx = db.begin().await?;
    tx.execute(
        "INSERT INTO progress_reports (account_id, token, done, total, reported_at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (account_id, token) DO UPDATE SET done = excluded.done, total = excluded.total, \
         reported_at = excluded.reported_at",
        &[key.0.into(), key.1.as_str().into(), (done.done as i64).into(), total.into(), time::now_utc().into()],
    )
    .await?;
    tx.commit().await
}

/// Deletes the reports past keeping, by whichever server starts work next.
async fn sweep(db: &Db) -> DbResult<u64> {
    let mut tx = db.begin().await?;
    let deleted = tx.execute("DELETE FROM progress_reports WHERE reported_at < $1", &[kept_since().into()]).await?;
    tx.commit().await?;
    Ok(deleted)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_starting_account_reads_and_bad_tokens_report_nowhere() {
        let board = Arc::new(Board::default());
        let token = "0123456789abcdef";
        board.reporter(7, Some(token)).report(10, Some(50));
        assert_eq!(board.read(7, token), Some(Done { done: 10, total: Some(50) }));
        assert_eq!(board.read(8, token), None);
        board.reporter(7, Some("short")).report(1, None);
        board.reporter(7, None).report(1, None);
        assert_eq!(board.read(7, "short"), None);
    }
}
