//! The placement rate by group, as the records stood at the end of any day:
//! counted from the in-memory projection of the destination event log, so an
//! as-of date in the past shows what was known then.

mod groups;
pub mod projection;

use std::collections::HashMap;
use std::sync::Arc;

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use chrono::NaiveDate;
use serde::Deserialize;

use kernel::auth::{Role, Scope};
use kernel::web::{AppError, AppState, Ctx};
use kernel::{codes, time, Db, Locale};

pub use groups::{Grouping, GROUPINGS};
pub use projection::Placements;

use crate::rates::{percent, Definition, Tally, NOT_PLACED};

pub fn routes() -> Router<AppState> {
    Router::new().route("/outcomes/placement", get(page))
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
pub fn warm_up(state: &AppState) {
    let (state, placements) = (state.clone(), Placements::of(state));
    tokio::spawn(async move {
        let loaded = match cohort_or_latest(&state, "").await {
            Ok(cohort) => placements.with(cohort, |_| ()).await.map_err(AppError::from),
            Err(e) => Err(e),
        };
        if let Err(e) = loaded {
            tracing::warn!(error = %e, "placement projection not loaded at start");
        }
    });
}

/// The cohort asked for, or else the latest one on the platform.
pub async fn cohort_or_latest(state: &AppState, asked: &str) -> Result<i64, AppError> {
    match asked.trim().parse() {
        Ok(year) => Ok(year),
        Err(_) => Ok(registry::stats::current_cohort(state).await?),
    }
}

/// The definition bound to a cohort, unless `asked` names one.
pub async fn definition_of(db: &Db, cohort: i64, asked: &str) -> Result<Definition, AppError> {
    let bound = db.fetch_optional("SELECT rate_definition FROM cohorts WHERE year = $1", &[cohort.into()]).await?;
    let bound = bound.map(|r| r.text("rate_definition")).transpose()?.unwrap_or_else(|| "2021".to_owned());
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
) -> Result<Breakdown, AppError> {
    let days = by_group_days(placements, scope, cohort, &[as_of], grouping, d, l).await?;
    days.first().cloned().ok_or(AppError::NotFound)
}

/// `by_group` for several days at once, in the order given. Remembered, group
/// names too: a change to the cohort's records counts again only the days it
/// reaches, and after ten minutes every day is counted afresh, so a renamed
/// unit shows under its new name by then.
pub async fn by_group_days(
    placements: &Placements,
    scope: &Scope,
    cohort: i64,
    days: &[NaiveDate],
    grouping: Grouping,
    d: Definition,
    l: Locale,
) -> Result<Arc<Vec<Breakdown>>, AppError> {
    if matches!(scope, Scope::Employer { .. } | Scope::Nothing) {
        return Err(AppError::Forbidden);
    }
    let key = format!("breakdown {scope:?} {days:?} {grouping:?} {d:?} {l:?}");
    placements
        .remember_days(cohort, key, days, |days| async move {
            count_breakdowns(placements, scope, cohort, &days, grouping, d, l).await
        })
        .await?
        .ok_or(AppError::NotFound)
}

async fn count_breakdowns(
    placements: &Placements,
    scope: &Scope,
    cohort: i64,
    days: &[NaiveDate],
    grouping: Grouping,
    d: Definition,
    l: Locale,
) -> Result<Vec<Breakdown>, AppError> {
    let db = placements.db();
    let version = db
        .fetch_optional("SELECT destination_version FROM cohorts WHERE year = $1", &[cohort.into()])
        .await?
        .ok_or(AppError::NotFound)?
        .text("destination_version")?;
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
    // Counts and discipline names from the same projection, caught up once.
    let (counts, disciplines) = placements
        .with(cohort, |p| {
            let names =
                if matches!(grouping, Grouping::Discipline) { p.discipline_names.clone() } else { Arc::default() };
            (p.count_days(scope, days, grouping), names)
        })
        .await?
        .ok_or(AppError::NotFound)?;
    let tally = |by_code: &HashMap<Option<String>, u64>| {
        let mut t = Tally::default();
        for (code, n) in by_code {
            let bucket = code.as_ref().and_then(|c| buckets.get(c).cloned().flatten());
            t.add(Some(bucket.as_deref().unwrap_or(NOT_PLACED)), *n);
        }
        t
    };
    let mut keys: Vec<&str> = counts.iter().flat_map(|c| c.groups.keys().map(String::as_str)).collect();
    keys.sort_unstable();
    keys.dedup();
    let labels = grouping.labels(db, scope, &keys, &disciplines, l).await?;
    Ok(counts
        .iter()
        .map(|day| {
            let mut groups: Vec<GroupRate> = day
                .groups
                .iter()
                .map(|(key, by_code)| GroupRate {
                    key: key.clone(),
                    label: labels.get(key).cloned().unwrap_or_else(|| key.clone()),
                    tally: tally(by_code),
                })
                .collect();
            groups.sort_by(|a, b| b.tally.graduates.cmp(&a.tally.graduates).then(a.label.cmp(&b.label)));
            Breakdown { total: tally(&day.total), groups }
        })
        .collect())
}

#[derive(Debug, Default, Deserialize)]
struct PlacementQuery {
    #[serde(default)]
    cohort: String,
    #[serde(default)]
    as_of: String,
    #[serde(default)]
    by: String,
    #[serde(default)]
    definition: String,
    #[serde(default)]
    format: String,
    /// Narrows the page to one institution (the province drilling down).
    #[serde(default)]
    institution: String,
    /// Narrows the page to one college.
    #[serde(default)]
    college: String,
}

/// The actor's scope narrowed to one institution or college when asked, never
/// beyond what the actor may see; with the narrowed unit's name and query.
async fn narrowed(db: &Db, scope: Scope, q: &PlacementQuery) -> Result<(Scope, String, String), AppError> {
    let (institution, college) = match (q.college.trim().parse::<i64>(), q.institution.trim().parse::<i64>()) {
        (Ok(college), _) => {
            let row = db
                .fetch_optional(
                    "SELECT c.institution_id, i.name || ' ' || c.name AS name FROM colleges c \
                     JOIN institutions i ON i.id = c.institution_id WHERE c.id = $1",
                    &[college.into()],
                )
                .await?
                .ok_or(AppError::NotFound)?;
            (row.i64("institution_id")?, Some((college, row.text("name")?)))
        }
        (_, Ok(institution)) => (institution, None),
        _ => return Ok((scope, String::new(), String::new())),
    };
    let allowed = match scope {
        Scope::Province => true,
        Scope::Institution { institution_id, college_id } => {
            institution_id == institution && college_id.is_none_or(|c| college.as_ref().is_some_and(|(id, _)| *id == c))
        }
        _ => false,
    };
    if !allowed {
        return Err(AppError::Forbidden);
    }
    if let Some((college_id, name)) = college {
        return Ok((
            Scope::Institution { institution_id: institution, college_id: Some(college_id) },
            name,
            format!("&college={college_id}"),
        ));
    }
    let name = db
        .fetch_optional("SELECT name FROM institutions WHERE id = $1", &[institution.into()])
        .await?
        .ok_or(AppError::NotFound)?
        .text("name")?;
    Ok((
        Scope::Institution { institution_id: institution, college_id: None },
        name,
        format!("&institution={institution}"),
    ))
}

#[derive(Template)]
#[template(path = "placement.html")]
struct PlacementPage {
    l: Locale,
    cohort: i64,
    as_of: String,
    by: &'static str,
    definition: Definition,
    date_error: bool,
    total: Tally,
    groups: Vec<GroupRate>,
    group_label: &'static str,
    /// The institution or college the page is narrowed to, and the query that keeps it.
    unit: String,
    unit_query: String,
}

impl PlacementPage {
    fn unit_field(&self) -> &str {
        self.unit_query.trim_start_matches('&').split('=').next().unwrap_or("")
    }
    fn unit_id(&self) -> &str {
        self.unit_query.split('=').nth(1).unwrap_or("")
    }
    /// Where a group's row leads: an institution to its colleges, a college to its majors.
    fn drill(&self, g: &GroupRate) -> Option<String> {
        match self.by {
            "institution" => Some(format!("/outcomes/placement?institution={}&by=college&as_of={}", g.key, self.as_of)),
            "college" => Some(format!("/outcomes/placement?college={}&by=major&as_of={}", g.key, self.as_of)),
            _ => None,
        }
    }
    fn groups_offered(&self) -> Vec<(&'static str, &'static str)> {
        GROUPINGS.iter().map(|g| (g.1, self.l.pick(g.2, g.3))).collect()
    }
    fn parts(&self) -> Vec<(&'static str, &'static str)> {
        self.definition.parts().iter().map(|b| (*b, Definition::part_label(b, self.l))).collect()
    }
    fn rate(&self, t: &Tally) -> String {
        percent(t.rate(self.definition))
    }
    fn part(&self, t: &Tally, bucket: &str) -> String {
        percent(t.part(bucket))
    }
    fn placed(&self, t: &Tally) -> u64 {
        t.placed(self.definition)
    }
}

async fn page(State(state): State<AppState>, ctx: Ctx, Query(q): Query<PlacementQuery>) -> Result<Response, AppError> {
    let actor = ctx.require(&[Role::ProvinceAdmin, Role::UniversityStaff])?;
    let cohort = cohort_or_latest(&state, &q.cohort).await?;
    let today = time::today_china();
    let parsed =
        if q.as_of.is_empty() { Some(today) } else { NaiveDate::parse_from_str(q.as_of.trim(), "%Y-%m-%d").ok() };
    let as_of = parsed.unwrap_or(today);
    let grouping = Grouping::parse(&q.by).unwrap_or(Grouping::Institution);
    let definition = definition_of(&state.db, cohort, &q.definition).await?;
    let placements = Placements::of(&state);
    let (scope, unit, unit_query) = narrowed(&state.db, actor.scope(), &q).await?;
    let breakdown = by_group(&placements, &scope, cohort, as_of, grouping, definition, ctx.locale).await?;
    let group_label = grouping.heading(ctx.locale);
    if q.format == "csv" || q.format == "xlsx" {
        let rows = table(&breakdown, definition, group_label, ctx.locale);
        return kernel::web::export::download(&rows, &q.format, "placement", ctx.t("落实率", "Placement"), None);
    }
    let page = PlacementPage {
        l: ctx.locale,
        cohort,
        as_of: as_of.format("%Y-%m-%d").to_string(),
        by: grouping.key(),
        definition,
        date_error: parsed.is_none(),
        total: breakdown.total,
        groups: breakdown.groups,
        group_label,
        unit,
        unit_query,
    };
    ctx.page(ctx.t("毕业去向落实率", "Placement rate"), &page)
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
