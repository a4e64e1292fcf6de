//! Login throttling per account and per client address, kept in the database
//! so it holds across app servers: after `THROTTLE_LIMIT` failures within the
//! window, further attempts are refused until the window ends.

use chrono::{DateTime, Duration, Utc};

use crate::db::{DbResult, Tx};
use crate::time;

pub const THROTTLE_LIMIT: i64 = 5;
const WINDOW_MINUTES: i64 = 15;

pub struct Throttle;

impl Throttle {
    fn keys(username: &str, client: &str) -> [String; 2] {
        [format!("account:{}", username.to_lowercase()), format!("client:{client}")]
    }

    /// Whether either key is locked now.
    pub async fn locked(tx: &mut Tx, username: &str, client: &str) -> DbResult<bool> {
        let since = time::format_utc(Utc::now() - Duration::minutes(WINDOW_MINUTES));
        for key in Self::keys(username, client) {
            let row = tx
                .fetch_optional(
                    "SELECT failures FROM login_throttle WHERE throttle_key = $1 AND window_start > $2",
                    &[key.as_str().into(), since.clone().into()],
                )
                .await?;
            if let Some(row) = row {
                // Per-client limits are looser: a whole office may share one NAT address.
                let limit = if key.starts_with("client:") { THROTTLE_LIMIT * 4 } else { THROTTLE_LIMIT };
                if row.i64("failures")? >= limit {
                    return Ok(true);
                }
            }
        }
        Ok(false)
    }

    pub async fn record_failure(tx: &mut Tx, username: &str, client: &str) -> DbResult<()> {
        let now = Utc::now();
        // Attempts under made-up names would otherwise pile up: windows long over go.
        let stale = time::format_utc(now - Duration::days(1));
        tx.execute("DELETE FROM login_throttle WHERE window_start < $1", &[stale.into()]).await?;
        for key in Self::keys(username, client) {
            let row = tx
                .fetch_optional(
                    "SELECT failures, window_start FROM login_throttle WHERE throttle_key = $1",
                    &[key.clone().into()],
                )
                .await?;
            let fresh = match &row {
                Some(r) => DateTime::parse_from_rfc3339(&r.text("window_start")?)
                    .map(|t| now.signed_duration_since(t) > Duration::minutes(WINDOW_MINUTES))
                    .unwrap_or(true),
                None => true,
            };
            if row.is_none() {
                tx.execute(
                    "INSERT INTO login_throttle (throttle_key, failures, window_start) VALUES ($1, 1, $2)",
                    &[key.into(), time::format_utc(now).into()],
                )
                .await?;
            } else if fresh {
                tx.execute(
                    "UPDATE login_throttle SET failures = 1, window_start = $2 WHERE throttle_key = $1",
                    &[key.into(), time::format_utc(now).into()],
                )
                .await?;
            } else {
                tx.execute("UPDATE login_throttle SET failures = failures + 1 WHERE throttle_key = $1", &[key.into()])
                    .await?;
            }
        }
        Ok(())
    }

    pub async fn clear(tx: &mut Tx, username: &str) -> DbResult<()> {
        let [account, _] = Self::keys(username, "");
        tx.execute("DELETE FROM login_throttle WHERE throttle_key = $1", &[account.into()]).await?;
        Ok(())
    }
}
