//! Verifying employment data (统计核查, measure 18 of the plan): the anomaly
//! rules that point at institutions whose figures need a closer look, the
//! sample a verification campaign draws, and the placement rate it estimates.
//!
//! This first part is the pure arithmetic, apart from any I/O so it can be
//! checked against hand-computed figures: `signals` (the rules, thresholds
//! held per cohort as data), `sampling` (sample sizes, strata, a seeded draw
//! that can be drawn again, verifiers from other institutions), `estimate`
//! (the confirmed share and the corrected rate with their intervals).

pub mod answers;
pub mod campaign_pages;
pub mod campaigns;
pub mod census;
pub mod census_pages;
pub mod estimate;
pub mod field_visit_pages;
pub mod field_visits;
pub mod finding_pages;
pub mod findings;
pub mod nightly;
pub mod outside_list_pages;
pub mod outside_list_store;
pub mod outside_lists;
pub mod pages;
pub mod sampling;
pub mod scan;
pub mod settings;
pub mod signals;

use kernel::web::figure::{Figure, FigureScope, Reading};
use kernel::web::{AppError, AppState};

/// The live figures verification offers the plan board and the inspection
/// view: the anomaly signals the cohort's latest scan found, as /verification lists them.
pub fn figures() -> Vec<Figure> {
    vec![Figure {
        key: "verification.findings",
        zh: "核查发现的异常信号",
        en: "Anomaly signals found",
        source: "/verification",
        per_institution: true,
        compute: |state, scope| Box::pin(signals_found(state, scope)),
    }]
}

async fn signals_found(state: &AppState, s: FigureScope) -> Result<Reading, AppError> {
    let found = match findings::latest_scan(&state.db, s.cohort).await? {
        Some((scan, _, _)) => findings::of_scan(&state.db, scan, s.institution).await?.len(),
        None => 0,
    };
    Ok(Reading::count(found as i64))
}
