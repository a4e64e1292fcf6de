//! Cohorts (届): one graduating year each, with the destination code-table
//! version its records use, the rate definition it is counted under, its
//! breach limit, and the two revision counters the statistics projection
//! follows. This module owns the `cohorts` table; every area reads and bumps
//! it through these functions.

use kernel::web::{AppError, AppState};
use kernel::{Db, DbResult, FromRow, Record, Row, Tx};

/// A cohort's settings.
#[derive(Debug, Clone, PartialEq)]
pub struct Cohort {
    pub year: i64,
    /// The destination code table's version (2021 or 2024 list).
    pub destination_version: String,
    /// The placement-rate definition the cohort is counted under by default.
    pub rate_definition: String,
    pub graduation_date: String,
    /// Agreements a graduate of the cohort may cancel (违约次数上限).
    pub breach_limit: i64,
}

const COLUMNS: &str = "year, destination_version, rate_definition, graduation_date, breach_limit";

impl FromRow for Cohort {
    fn from_row(r: &Row) -> DbResult<Cohort> {
        Ok(Cohort {
            year: r.i64("year")?,
            destination_version: r.text("destination_version")?,
            rate_definition: r.text("rate_definition")?,
            graduation_date: r.text("graduation_date")?,
            breach_limit: r.i64("breach_limit")?,
        })
    }
}

pub async fn get(db: &Db, year: i64) -> DbResult<Option<Cohort>> {
    db.first(&format!("SELECT {COLUMNS} FROM cohorts WHERE year = $1"), &[year.into()]).await
}

/// The same, inside a write.
pub async fn get_in(tx: &mut Tx, year: i64) -> DbResult<Option<Cohort>> {
    tx.first(&format!("SELECT {COLUMNS} FROM cohorts WHERE year = $1"), &[year.into()]).await
}

/// The cohort a graduate belongs to.
pub async fn of_graduate(tx: &mut Tx, graduate_id: i64) -> DbResult<Option<Cohort>> {
    let sql = format!(
        "SELECT {} FROM cohorts c JOIN graduates g ON g.cohort_year = c.year WHERE g.id = $1",
        COLUMNS.split(", ").map(|c| format!("c.{c}")).collect::<Vec<_>>().join(", ")
    );
    tx.first(&sql, &[graduate_id.into()]).await
}

/// Every cohort, latest first.
pub async fn all(db: &Db) -> DbResult<Vec<Cohort>> {
    db.all(&format!("SELECT {COLUMNS} FROM cohorts ORDER BY year DESC"), &[]).await
}

/// The latest cohort on the platform.
pub async fn latest(db: &Db) -> DbResult<Option<Cohort>> {
    db.first(&format!("SELECT {COLUMNS} FROM cohorts ORDER BY year DESC"), &[]).await
}

/// The latest cohort, remembered briefly (its settings' page clears the cache
/// when it saves): list pages name destinations by its code table's version.
pub async fn latest_cached(state: &AppState) -> DbResult<Option<Cohort>> {
    let cohort = state.cache.get_or("latest_cohort", || latest(&state.db)).await?;
    Ok((*cohort).clone())
}

/// The year of the latest cohort, remembered briefly: start pages ask on every view.
pub async fn latest_year(state: &AppState) -> DbResult<i64> {
    let year = state
        .cache
        .get_or("current_cohort", || async {
            Ok::<_, kernel::DbError>(latest(&state.db).await?.map(|c| c.year).unwrap_or(0))
        })
        .await?;
    Ok(*year)
}

/// The cohort a page asks for (`?cohort=2022`), or else the latest one.
pub async fn year_or_latest(state: &AppState, asked: &str) -> Result<i64, AppError> {
    match asked.trim().parse() {
        Ok(year) => Ok(year),
        Err(_) => Ok(latest_year(state).await?),
    }
}

/// The province's settings for a cohort; the record before the change, or
/// `None` when there is no such cohort.
pub async fn save_settings(
    tx: &mut Tx,
    year: i64,
    rate_definition: &str,
    breach_limit: i64,
) -> DbResult<Option<Cohort>> {
    let Some(before) = get_in(tx, year).await? else { return Ok(None) };
    let settings = Record::new().set("rate_definition", rate_definition).set("breach_limit", breach_limit);
    tx.update("cohorts", settings, "year", year).await?;
    Ok(Some(before))
}

/// The counters a statistics projection follows: (roster, destinations).
pub async fn revisions(db: &Db, year: i64) -> DbResult<Option<(i64, i64)>> {
    let row = db
        .fetch_optional("SELECT roster_revision, destination_revision FROM cohorts WHERE year = $1", &[year.into()])
        .await?;
    row.map(|r| Ok((r.i64("roster_revision")?, r.i64("destination_revision")?))).transpose()
}

/// Tells projections that the cohort's graduates are changing, and returns the
/// new roster revision, which the changed rows carry (`graduates.roster_revision`)
/// so a projection reads only those. Call it before writing them: on
/// PostgreSQL it takes the cohort row's lock, so rows of a later revision
/// commit later.
pub async fn roster_changed(tx: &mut Tx, year: i64) -> DbResult<i64> {
    let sql = "UPDATE cohorts SET roster_revision = roster_revision + 1 WHERE year = $1 RETURNING roster_revision";
    tx.fetch_optional(sql, &[year.into()]).await?.map_or(Ok(0), |r| r.i64("roster_revision"))
}

/// Tells projections that destination events are coming (read the new ones).
/// Call it before appending: on PostgreSQL it takes the cohort row's lock, so
/// within a cohort event ids commit in increasing order.
pub async fn destinations_changing(tx: &mut Tx, year: i64) -> DbResult<()> {
    tx.execute("UPDATE cohorts SET destination_revision = destination_revision + 1 WHERE year = $1", &[year.into()])
        .await?;
    Ok(())
}
