//! Headline counts shown on start pages and lists, cached briefly because
//! counting half a million graduates on every page view would dominate it.

use std::collections::HashMap;
use std::sync::Arc;

use kernel::web::AppState;
use kernel::DbResult;

/// Graduates of a cohort per institution id.
pub async fn graduates_by_institution(state: &AppState, cohort: i64) -> DbResult<Arc<HashMap<i64, i64>>> {
    state
        .cache
        .get_or(&format!("graduates_by_institution:{cohort}"), || async {
            let rows = state
                .db
                .fetch_all("SELECT institution_id, COUNT(*) AS n FROM graduates WHERE cohort_year = $1 GROUP BY institution_id", &[cohort.into()])
                .await?;
            rows.iter().map(|r| Ok((r.i64("institution_id")?, r.i64("n")?))).collect::<DbResult<HashMap<_, _>>>()
        })
        .await
}

/// Graduates of one institution (all cohorts) per college and per major.
#[derive(Debug, Default)]
pub struct StructureCounts {
    pub by_college: HashMap<i64, i64>,
    pub by_major: HashMap<i64, i64>,
}

pub async fn structure_counts(state: &AppState, institution_id: i64) -> DbResult<Arc<StructureCounts>> {
    state
        .cache
        .get_or(&format!("structure_counts:{institution_id}"), || async {
            let rows = state
                .db
                .fetch_all(
                    "SELECT college_id, major_id, COUNT(*) AS n FROM graduates WHERE institution_id = $1 GROUP BY college_id, major_id",
                    &[institution_id.into()],
                )
                .await?;
            let mut counts = StructureCounts::default();
            for r in &rows {
                let n = r.i64("n")?;
                *counts.by_college.entry(r.i64("college_id")?).or_default() += n;
                *counts.by_major.entry(r.i64("major_id")?).or_default() += n;
            }
            Ok(counts)
        })
        .await
}

/// The major catalogues as (code, name, level), for pickers; reference data
/// that changes only with a release.
pub async fn catalogue(state: &AppState) -> DbResult<Arc<Vec<(String, String, String)>>> {
    state
        .cache
        .get_or("major_catalogue", || async {
            let rows =
                state.db.fetch_all("SELECT code, name, level FROM major_catalogue ORDER BY level, code", &[]).await?;
            rows.iter().map(|r| Ok((r.text("code")?, r.text("name")?, r.text("level")?))).collect::<DbResult<Vec<_>>>()
        })
        .await
}
