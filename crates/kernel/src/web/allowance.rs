//! How often one client address may use a public form that needs no login:
//! a check by number and name (a certificate, an archive's transfer number)
//! or an objection to a notice. Each use is counted; past the allowance in the
//! last hour the address is told to come back later. A check that answers
//! "match" or "no match" could otherwise be used to guess numbers, and an open
//! form to flood an office with objections.

use chrono::{Duration, Utc};

use crate::db::{DbResult, Tx};
use crate::time;

/// What is counted, and how many uses an address gets an hour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Allowance {
    /// The form's name in the table, e.g. `certificate_check`.
    pub purpose: &'static str,
    pub per_hour: i64,
}

impl Allowance {
    /// Whether `client_addr` may use the form now; counts this use when it may.
    /// Runs in the caller's transaction, so a refused write does not count.
    pub async fn take(&self, tx: &mut Tx, client_addr: &str) -> DbResult<bool> {
        let since = time::format_utc(Utc::now() - Duration::hours(1));
        let used = tx
            .fetch_one(
                "SELECT COUNT(*) AS n FROM public_form_uses WHERE purpose = $1 AND client_addr = $2 AND used_at >= $3",
                &[self.purpose.into(), client_addr.into(), since.as_str().into()],
            )
            .await?
            .i64("n")?;
        if used >= self.per_hour {
            return Ok(false);
        }
        // Older uses count for nothing: dropped here, so the table stays an hour long.
        tx.execute("DELETE FROM public_form_uses WHERE used_at < $1", &[since.as_str().into()]).await?;
        tx.execute(
            "INSERT INTO public_form_uses (purpose, client_addr, used_at) VALUES ($1, $2, $3)",
            &[self.purpose.into(), client_addr.into(), time::now_utc().into()],
        )
        .await?;
        Ok(true)
    }
}
