//! `jiuye verify scan`: the anomaly scan on the command line, as JSON (a
//! list of signals with the institution's code, the kind, the severity, the
//! figures behind it and the graduates concerned), CSV or .xlsx.

use std::path::Path;

use chrono::NaiveDate;
use kernel::Db;
use verification::scan::{self, Scope};

pub async fn scan(
    db: &Db,
    cohort: i64,
    as_of: Option<NaiveDate>,
    format: &str,
    output: Option<&Path>,
) -> anyhow::Result<()> {
    let Some(scope) = Scope::of_cohort(db, cohort, as_of).await? else { anyhow::bail!("no cohort {cohort}") };
    let thresholds = verification::settings::thresholds(db, cohort).await?;
    let started = std::time::Instant::now();
    let signals = scan::scan(db, &scope, &thresholds).await?;
    tracing::info!(cohort, signals = signals.len(), seconds = started.elapsed().as_secs_f64(), "anomaly scan done");
    let bytes = match format {
        "json" => serde_json::to_vec_pretty(&signals)?,
        "csv" => kernel::web::export::to_csv(&scan::rows(&signals)).into_bytes(),
        "xlsx" => kernel::web::export::to_xlsx(&scan::rows(&signals), "异常信号", None)?,
        other => anyhow::bail!("unknown format {other}; use json, csv or xlsx"),
    };
    match output {
        Some(path) => std::fs::write(path, bytes)?,
        None if format != "xlsx" => std::io::Write::write_all(&mut std::io::stdout(), &bytes)?,
        None => anyhow::bail!("an .xlsx needs --output FILE"),
    }
    Ok(())
}
