//! Login throttling, kept in the database so it holds across app servers.
//!
//! Failures count per account and client address together, never per address
//! alone (behind a proxy or a campus NAT thousands share one) nor per account
//! alone for every browser (anyone could then lock `admin` out). After
//! `THROTTLE_LIMIT` failures a pair waits before its next attempt, longer with
//! each failure, up to 15 minutes. A browser that has logged in to the account
//! before (a signed known-browser cookie) counts apart from the rest, so an
//! attacker at the same address cannot keep the account's own user out; unknown
//! browsers also share a much looser count per account, against guessing from
//! many addresses. Counts are forgotten a day after their last failure.

use chrono::{DateTime, Duration, Utc};

use crate::db::{Db, DbResult, Tx};
use crate::time;

/// Failures a key may have before attempts wait.
pub const THROTTLE_LIMIT: i64 = 5;
/// Failures from unknown browsers at every address together, per account.
const ACCOUNT_LIMIT: i64 = THROTTLE_LIMIT * 20;
const FIRST_WAIT_SECS: i64 = 30;
pub const LONGEST_WAIT_SECS: i64 = 15 * 60;
const FORGET_AFTER_HOURS: i64 = 24;

/// Where an attempt comes from.
pub enum Attempt<'a> {
    /// A browser that logged in to this account before: its cookie's id.
    KnownBrowser(&'a str),
    /// Anyone else, by client address.
    Unknown(&'a str),
}

/// How long after its last failure a key with `failures` must wait (pure).
pub fn wait_after(failures: i64, limit: i64) -> Duration {
    if failures < limit {
        return Duration::zero();
    }
    let doublings = (failures - limit).min(16) as u32;
    Duration::seconds((FIRST_WAIT_SECS << doublings).min(LONGEST_WAIT_SECS))
}

fn keys(username: &str, from: &Attempt) -> Vec<(String, i64)> {
    let user = username.to_lowercase();
    match from {
        Attempt::KnownBrowser(browser) => vec![(format!("browser:{browser}"), THROTTLE_LIMIT)],
        Attempt::Unknown(client) => {
            vec![(format!("pair:{user}|{client}"), THROTTLE_LIMIT), (format!("account:{user}"), ACCOUNT_LIMIT)]
        }
    }
}

/// How long this attempt must still wait; `None` when it may go ahead.
pub async fn wait(db: &Db, username: &str, from: &Attempt<'_>) -> DbResult<Option<Duration>> {
    let now = Utc::now();
    let since = time::format_utc(now - Duration::hours(FORGET_AFTER_HOURS));
    let mut longest = Duration::zero();
    for (key, limit) in keys(username, from) {
        let row = db
            .fetch_optional(
                "SELECT failures, last_failure_at FROM login_throttle WHERE throttle_key = $1 AND last_failure_at > $2",
                &[key.into(), since.clone().into()],
            )
            .await?;
        let Some(row) = row else { continue };
        let Ok(last) = DateTime::parse_from_rfc3339(&row.text("last_failure_at")?) else { continue };
        let left = wait_after(row.i64("failures")?, limit) - now.signed_duration_since(last);
        longest = longest.max(left);
    }
    Ok(Some(longest).filter(|d| *d > Duration::zero()))
}

pub async fn record_failure(tx: &mut Tx, username: &str, from: &Attempt<'_>) -> DbResult<()> {
    let now = Utc::now();
    // Attempts under made-up names would otherwise pile up.
    let stale = time::format_utc(now - Duration::hours(FORGET_AFTER_HOURS));
    tx.execute("DELETE FROM login_throttle WHERE last_failure_at < $1", &[stale.into()]).await?;
    for (key, _) in keys(username, from) {
        tx.execute(
            "INSERT INTO login_throttle (throttle_key, failures, last_failure_at) VALUES ($1, 1, $2) \
             ON CONFLICT (throttle_key) DO UPDATE SET failures = login_throttle.failures + 1, last_failure_at = $2",
            &[key.into(), time::format_utc(now).into()],
        )
        .await?;
    }
    Ok(())
}

/// After a login: this address's or browser's count starts over. The
/// account's count over unknown browsers stays, or a user's own logins would
/// wipe out a guesser's record.
pub async fn clear(tx: &mut Tx, username: &str, from: &Attempt<'_>) -> DbResult<()> {
    if let Some((key, _)) = keys(username, from).into_iter().next() {
        tx.execute("DELETE FROM login_throttle WHERE throttle_key = $1", &[key.into()]).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_start_at_the_limit_and_grow_to_a_quarter_hour() {
        assert_eq!(wait_after(0, 5), Duration::zero());
        assert_eq!(wait_after(4, 5), Duration::zero());
        assert_eq!(wait_after(5, 5), Duration::seconds(30));
        assert_eq!(wait_after(6, 5), Duration::seconds(60));
        assert_eq!(wait_after(9, 5), Duration::seconds(480));
        assert_eq!(wait_after(10, 5), Duration::seconds(LONGEST_WAIT_SECS));
        assert_eq!(wait_after(10_000, 5), Duration::seconds(LONGEST_WAIT_SECS));
    }

    #[test]
    fn a_known_browser_counts_apart_from_its_address() {
        let known = keys("Staff", &Attempt::KnownBrowser("b1"));
        let unknown = keys("Staff", &Attempt::Unknown("10.0.0.1"));
        assert_eq!(known, vec![("browser:b1".to_owned(), THROTTLE_LIMIT)]);
        assert_eq!(unknown[0].0, "pair:staff|10.0.0.1");
        assert_eq!(unknown[1].0, "account:staff");
    }
}
