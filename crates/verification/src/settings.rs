//! A cohort's thresholds, kept as data (`verification_settings`): a province
//! tunes them per cohort; a cohort with none uses the defaults.

use kernel::audit::{self, AuditActor, Change};
use kernel::{time, Db, DbResult, Tx};

use crate::signals::Thresholds;

/// The cohort's thresholds; the defaults when none were saved (or what was saved no longer reads).
pub async fn thresholds(db: &Db, cohort: i64) -> DbResult<Thresholds> {
    let row =
        db.fetch_optional("SELECT thresholds FROM verification_settings WHERE cohort = $1", &[cohort.into()]).await?;
    Ok(match row {
        Some(r) => serde_json::from_str(&r.text("thresholds")?).unwrap_or_else(|e| {
            tracing::warn!(cohort, error = %e, "saved verification thresholds do not read; using the defaults");
            Thresholds::default()
        }),
        None => Thresholds::default(),
    })
}

/// Saves the cohort's thresholds.
pub async fn save(tx: &mut Tx, who: &AuditActor, cohort: i64, t: &Thresholds) -> DbResult<()> {
    let json = serde_json::to_value(t).unwrap_or_default();
    tx.execute("DELETE FROM verification_settings WHERE cohort = $1", &[cohort.into()]).await?;
    tx.execute(
        "INSERT INTO verification_settings (cohort, thresholds, updated_at) VALUES ($1, $2, $3)",
        &[cohort.into(), json.to_string().into(), time::now_utc().into()],
    )
    .await?;
    audit::record(tx, who, Change::new("update", "verification_settings", cohort).after(json)).await
}
