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

/// The province's start-page totals: (institutions, employers). They change
/// slowly and count thousands of rows (on PostgreSQL most of the page's cost).
pub async fn province_totals(state: &AppState) -> DbResult<(i64, i64)> {
    let totals = state
        .cache
        .get_or("province_totals", || async {
            let sql = "SELECT (SELECT COUNT(*) FROM institutions) AS institutions, \
                       (SELECT COUNT(*) FROM employers) AS employers";
            let row = state.db.fetch_one(sql, &[]).await?;
            Ok::<_, kernel::DbError>((row.i64("institutions")?, row.i64("employers")?))
        })
        .await?;
    Ok(*totals)
}

/// Employers waiting for the province's review, counted live: it is a work queue.
pub async fn employers_to_review(state: &AppState) -> DbResult<i64> {
    state.db.scalar_i64("SELECT COUNT(*) AS n FROM employers WHERE status = 'pending'", &[]).await
}

/// An institution's name and its numbers of colleges and majors, read in one statement.
pub async fn institution_outline(state: &AppState, institution_id: i64) -> DbResult<(String, i64, i64)> {
    let sql = "SELECT (SELECT name FROM institutions WHERE id = $1) AS name, \
               (SELECT COUNT(*) FROM colleges WHERE institution_id = $1) AS colleges, \
               (SELECT COUNT(*) FROM majors WHERE institution_id = $1) AS majors";
    let row = state.db.fetch_one(sql, &[institution_id.into()]).await?;
    Ok((row.opt_text("name")?.unwrap_or_default(), row.i64("colleges")?, row.i64("majors")?))
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
