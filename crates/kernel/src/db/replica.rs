//! Where reports and dashboards read (统计只读副本): a PostgreSQL streaming
//! replica when one is configured and close enough behind the primary, the
//! primary otherwise. Writes never go through here: the replica's connections
//! are opened read-only, and a standby refuses writes in any case.
//!
//! How far behind the replica is, is known by comparing positions in the
//! write-ahead log rather than replay timestamps (a quiet primary writes
//! nothing, so the last replayed transaction grows old while the replica is in
//! fact current): every second the watcher asks the primary where its log
//! ends and the replica how far it has replayed; once the replica has replayed
//! past the position sampled at time `t`, it holds everything committed before
//! `t`. A page read from it is at most `now - t` old; past the bound, reads
//! go back to the primary until the replica catches up, so no page shows data
//! older than the bound.

use std::str::FromStr;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::ConnectOptions;

use super::{Db, DbError, DbResult};

/// How often the watcher compares the primary's log with the replica's.
const WATCH_EVERY: Duration = Duration::from_secs(1);

/// The database reports read from.
#[derive(Clone, Debug)]
pub struct Reads {
    primary: Db,
    replica: Option<Arc<Replica>>,
}

#[derive(Debug)]
struct Replica {
    db: Db,
    /// The oldest data a page may show, in milliseconds.
    bound_ms: i64,
    /// When (ms since the epoch) the primary's log ended where the replica has
    /// since replayed to; 0 before the first comparison.
    holds_until_ms: AtomicI64,
}

impl Reads {
    /// Reports read the primary: the embedded default, and any deployment without a replica.
    pub fn primary(db: Db) -> Reads {
        Reads { primary: db, replica: None }
    }

    /// Reports read the replica at `url` while it is at most `bound` behind `primary`.
    /// The watcher runs on the current Tokio runtime for as long as the returned value lives.
    pub async fn with_replica(primary: Db, url: &str, bound: Duration) -> DbResult<Reads> {
        if primary.backend() != super::Backend::Postgres {
            return Err(DbError::Url(format!("{url}: a read replica needs PostgreSQL as the primary")));
        }
        let options = PgConnectOptions::from_str(url)?
            .options([("jit", "off"), ("default_transaction_read_only", "on")])
            .disable_statement_logging();
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(options)
            .await?;
        let replica = Arc::new(Replica {
            db: Db::Postgres(pool),
            bound_ms: i64::try_from(bound.as_millis()).unwrap_or(i64::MAX),
            holds_until_ms: AtomicI64::new(0),
        });
        replica.compare(&primary).await?;
        tokio::spawn(watch(Arc::downgrade(&replica), primary.clone()));
        Ok(Reads { primary, replica: Some(replica) })
    }

    /// Where a report reads now: the replica if it is within the bound, else the primary.
    pub fn reader(&self) -> &Db {
        match &self.replica {
            Some(r) if r.within_bound(now_ms()) => &r.db,
            _ => &self.primary,
        }
    }

    /// How old the data a report reads now may be: `None` when it reads the primary.
    pub fn staleness(&self) -> Option<Duration> {
        let r = self.replica.as_ref()?;
        let now = now_ms();
        r.within_bound(now).then(|| Duration::from_millis(r.behind_ms(now).unsigned_abs()))
    }

    /// The replica's database, for tests and tools that must read it whatever its lag.
    pub fn replica(&self) -> Option<&Db> {
        self.replica.as_ref().map(|r| &r.db)
    }
}

impl Replica {
    fn behind_ms(&self, now_ms: i64) -> i64 {
        now_ms.saturating_sub(self.holds_until_ms.load(Ordering::Relaxed))
    }

    fn within_bound(&self, now_ms: i64) -> bool {
        within_bound(self.holds_until_ms.load(Ordering::Relaxed), now_ms, self.bound_ms)
    }

    /// One comparison: samples the primary's log end, then asks whether the replica has replayed past it.
    async fn compare(&self, primary: &Db) -> DbResult<()> {
        let sampled_at = now_ms();
        let end = primary.fetch_optional("SELECT pg_current_wal_lsn()::text AS lsn", &[]).await?;
        let end = end.map(|r| r.text("lsn")).transpose()?.unwrap_or_default();
        // A server not in recovery (a test pointing the "replica" at the primary) has
        // replayed its own log. Its pg_last_wal_replay_lsn() is not always NULL: after a
        // crash it stays where crash recovery ended, so it is not asked.
        let caught_up = self
            .db
            .fetch_optional(
                "SELECT pg_wal_lsn_diff(CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn() \
                 ELSE pg_current_wal_lsn() END, $1::pg_lsn) >= 0 AS ok",
                &[end.into()],
            )
            .await?
            .map(|r| r.bool("ok"))
            .transpose()?
            .unwrap_or(false);
        if caught_up {
            self.holds_until_ms.fetch_max(sampled_at, Ordering::Relaxed);
        }
        Ok(())
    }
}

/// Compares the logs every second until the replica is dropped; a failed
/// comparison leaves the last good one standing, so the bound still decides.
async fn watch(replica: std::sync::Weak<Replica>, primary: Db) {
    let mut tick = tokio::time::interval(WATCH_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let Some(replica) = replica.upgrade() else { return };
        if let Err(e) = replica.compare(&primary).await {
            tracing::warn!(error = %e, "could not compare the read replica with the primary");
        }
    }
}

/// Whether a replica known to hold everything committed up to `holds_until_ms` may serve at `now_ms`.
fn within_bound(holds_until_ms: i64, now_ms: i64, bound_ms: i64) -> bool {
    holds_until_ms > 0 && now_ms.saturating_sub(holds_until_ms) <= bound_ms
}

fn now_ms() -> i64 {
    let since_epoch = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    i64::try_from(since_epoch.as_millis()).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::within_bound;

    #[test]
    fn a_replica_never_compared_serves_nothing() {
        assert!(!within_bound(0, 1_000, i64::MAX));
    }

    #[test]
    fn a_replica_serves_until_its_last_catch_up_is_older_than_the_bound() {
        assert!(within_bound(10_000, 10_000, 5_000));
        assert!(within_bound(10_000, 15_000, 5_000));
        assert!(!within_bound(10_000, 15_001, 5_000));
    }

    #[test]
    fn a_clock_step_backwards_does_not_refuse_a_current_replica() {
        assert!(within_bound(10_000, 9_000, 5_000));
    }
}
