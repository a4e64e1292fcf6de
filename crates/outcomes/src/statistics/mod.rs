//! Statistics (统计分析): the placement rate by any grouping as the records
//! stood at the end of any day, counted from the in-memory projection of the
//! destination event log, so an as-of date in the past shows what was known
//! then; and the pages built on it (placement, dashboard, reports, briefing).

pub mod api;
pub mod briefing;
pub mod dashboard;
pub mod definitions;
mod groups;
pub mod placement;
pub mod projection;
pub mod rates;
pub mod reports;

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use chrono::NaiveDate;

use kernel::auth::Scope;
use kernel::web::AppError;
use kernel::{codes, Db, Locale};

pub use groups::{Grouping, GROUPINGS};
pub use projection::Placements;
use rates::{percent, Definition, Tally, NOT_PLACED};

/// Why figures could not be counted.
#[derive(Debug, thiserror::Error)]
pub enum StatisticsError {
    #[error(transparent)]
    Db(#[from] kernel::DbError),
    #[error("no cohort {0}")]
    NoCohort(i64),
    /// Employers and experts see no placement figures.
    #[error("placement figures are for the province and universities")]
    OutOfScope,
}

/// The one place statistics errors become HTTP answers.
impl From<StatisticsError> for AppError {
    fn from(e: StatisticsError) -> AppError {
        match e {
            StatisticsError::Db(e) => AppError::Db(e),
            StatisticsError::NoCohort(_) => AppError::NotFound,
            StatisticsError::OutOfScope => AppError::Forbidden,
        }
    }
}

pub fn routes() -> Router<crate::OutcomesState> {
    placement::routes()
        .merge(dashboard::routes())
        .merge(reports::routes())
        .merge(briefing::routes())
        .merge(definitions::routes())
}

/// One group's counts.
#[derive(Clone)]
pub struct GroupRate {
    pub key: String,
    pub label: String,
    pub tally: Tally,
}

/// A cohort's placement broken down by one grouping. The total counts each
/// graduate once, even where a graduate is in several groups (key groups).
#[derive(Clone)]
pub struct Breakdown {
    pub total: Tally,
    pub groups: Vec<GroupRate>,
}

/// Loads the latest cohort's projection in the background, so the first
/// person to open a statistics page after a start does not wait for it.
pub fn warm_up(state: &crate::OutcomesState) {
    let (state, placements) = (state.shell.clone(), state.placements.clone());
    tokio::spawn(async move {
        let loaded = match registry::cohorts::year_or_latest(&state, "").await {
            Ok(cohort) => placements.with(cohort, |_| ()).await.map(|_| ()).map_err(AppError::from),
            Err(e) => Err(e),
        };
        if let Err(e) = loaded {
            tracing::warn!(error = %e, "placement projection not loaded at start");
        }
    });
}

/// The definition bound to a cohort, unless `asked` names one.
pub async fn definition_of(db: &Db, cohort: i64, asked: &str) -> Result<Definition, StatisticsError> {
    let bound =
        registry::cohorts::get(db, cohort).await?.map(|c| c.rate_definition).unwrap_or_else(|| "2021".to_owned());
    Ok(Definition::parse(asked).or(Definition::parse(&bound)).unwrap_or(Definition::V2021))
}

/// Tallies of a cohort by group as of the end of `as_of` (China time), within `scope`.
pub async fn by_group(
    placements: &Placements,
    scope: &Scope,
    cohort: i64,
    as_of: NaiveDate,
    grouping: Grouping,
    d: Definition,
    l: Locale,
) -> Result<OneDay, StatisticsError> {
    let days = by_group_days(placements, scope, cohort, &[as_of], grouping, d, l).await?;
    if days.is_empty() {
        return Err(StatisticsError::NoCohort(cohort));
    }
    Ok(OneDay(days))
}

/// One day's breakdown as remembered, shared rather than copied: the nation's
/// 57,000 majors took 30-40 ms to copy for each view.
pub struct OneDay(Arc<Vec<Breakdown>>);

impl std::ops::Deref for OneDay {
    type Target = Breakdown;
    fn deref(&self) -> &Breakdown {
        &self.0[0]
    }
}

/// `by_group` for several days at once, in the order given. The counts are
/// remembered by key, whatever the reader's language: a change to the
/// cohort's records counts again only the days it reaches. Names go on
/// afterwards in the reader's language, from names read again every ten
/// minutes, so a renamed unit shows under its new name by then; the named
/// figures are kept while neither the counts nor the names change.
pub async fn by_group_days(
    placements: &Placements,
    scope: &Scope,
    cohort: i64,
    days: &[NaiveDate],
    grouping: Grouping,
    d: Definition,
    l: Locale,
) -> Result<Arc<Vec<Breakdown>>, StatisticsError> {
    if matches!(scope, Scope::Employer { .. } | Scope::Nothing) {
        return Err(StatisticsError::OutOfScope);
    }
    let key = format!("breakdown {scope:?} {days:?} {grouping:?} {d:?}");
    let counted = placements
        .remember_days(cohort, key.clone(), days, |days| async move {
            count_breakdowns(placements, scope, cohort, &days, grouping, d).await
        })
        .await?
        .ok_or(StatisticsError::NoCohort(cohort))?;
    let names = placements.names(grouping, scope.institution(), l).await?;
    Ok(placements.labelled(&key, l, &counted, &names, |day| {
        let mut groups = day.groups.clone();
        for g in &mut groups {
            g.label = grouping.label(&g.key, &names, l);
        }
        groups.sort_by(|a, b| b.tally.graduates.cmp(&a.tally.graduates).then(a.label.cmp(&b.label)));
        Breakdown { total: day.total.clone(), groups }
    }))
}

/// The figures by group key, unnamed.
async fn count_breakdowns(
    placements: &Placements,
    scope: &Scope,
    cohort: i64,
    days: &[NaiveDate],
    grouping: Grouping,
    d: Definition,
) -> Result<Vec<Breakdown>, StatisticsError> {
    let db = placements.db();
    let cohort_settings = registry::cohorts::get(db, cohort).await?.ok_or(StatisticsError::NoCohort(cohort))?;
    let version = cohort_settings.destination_version;
    let buckets: HashMap<String, Option<String>> = codes::list(db, "destination", &version)
        .await?
        .into_iter()
        .map(|c| {
            let bucket = match d {
                Definition::V2021 => c.bucket_2021,
                Definition::V2024 => c.bucket_2024,
            };
            (c.code, bucket)
        })
        .collect();
    let counts = placements
        .with(cohort, |p| p.count_days(scope, days, grouping))
        .await?
        .ok_or(StatisticsError::NoCohort(cohort))?;
    Ok(counts
        .into_iter()
        .map(|day| {
            // Each counter's bucket, looked up once for all the groups.
            let bucket: Vec<&str> = (day.codes.iter())
                .map(|code| code.as_ref().and_then(|c| buckets.get(c)?.as_deref()).unwrap_or(NOT_PLACED))
                .collect();
            let tally = |run: &[u64]| {
                let mut t = Tally::default();
                run.iter().zip(&bucket).filter(|(n, _)| **n > 0).for_each(|(n, b)| t.add(Some(b), *n));
                t
            };
            let groups = (day.groups.iter())
                .map(|(key, run)| GroupRate { key: key.clone(), label: String::new(), tally: tally(run) })
                .collect();
            Breakdown { total: tally(&day.total), groups }
        })
        .collect())
}

/// The table the page shows, as text cells: a header row, then one row per group and the total.
pub fn table(breakdown: &Breakdown, d: Definition, group_label: &str, l: Locale) -> Vec<Vec<String>> {
    let mut header = vec![
        group_label.to_owned(),
        l.pick("毕业生数", "Graduates").to_owned(),
        l.pick("已落实", "Placed").to_owned(),
        l.pick("落实率", "Rate").to_owned(),
    ];
    header.extend(d.parts().iter().map(|b| Definition::part_label(b, l).to_owned()));
    let mut rows = vec![header];
    rows.extend(breakdown.groups.iter().map(|g| row(&g.label, &g.tally, d)));
    rows.push(row(l.pick("合计", "Total"), &breakdown.total, d));
    rows
}

/// One table row: label, graduates, placed, rate and the rate's parts.
pub fn row(label: &str, t: &Tally, d: Definition) -> Vec<String> {
    let mut cells = vec![label.to_owned(), t.graduates.to_string(), t.placed(d).to_string(), percent(t.rate(d))];
    cells.extend(d.parts().iter().map(|b| percent(t.part(b))));
    cells
}
