//! The placement page: the rate by group as of any day, drilled down from
//! institution to college to major, and exported as CSV or .xlsx.

use std::sync::Arc;

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use chrono::NaiveDate;
use serde::Deserialize;

use kernel::auth::{Role, Scope};
use kernel::web::export::AsOf;
use kernel::web::{AppError, AppState, Ctx};
use kernel::{time, Db, Locale};

use super::rates::{percent, Definition, Tally};
use super::{by_group, definition_of, table, GroupRate, Grouping, Placements, GROUPINGS};

pub fn routes() -> Router<crate::OutcomesState> {
    Router::new().route("/outcomes/placement", get(page))
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
    let asked = Scope::Institution { institution_id: institution, college_id: college.as_ref().map(|(id, _)| *id) };
    if !scope.covers(&asked) {
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

/// Groups the page lists, the largest first; its download holds them all. The
/// nation's majors by institution are some 17,000 rows, a page of 4.8 MB.
const LISTED: usize = 1_000;

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
    /// Groups beyond the `LISTED` largest, left to the download.
    unlisted: usize,
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
    fn listed(&self) -> usize {
        LISTED
    }
    fn definitions(&self) -> [Definition; 2] {
        [Definition::V2021, Definition::V2024]
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

async fn page(
    State(state): State<AppState>,
    State(placements): State<Arc<Placements>>,
    ctx: Ctx,
    Query(q): Query<PlacementQuery>,
) -> Result<Response, AppError> {
    let actor = ctx.require(&[Role::ProvinceAdmin, Role::UniversityStaff])?;
    let cohort = registry::cohorts::year_or_latest(&state, &q.cohort).await?;
    let today = time::today_china();
    let parsed =
        if q.as_of.is_empty() { Some(today) } else { NaiveDate::parse_from_str(q.as_of.trim(), "%Y-%m-%d").ok() };
    let as_of = parsed.unwrap_or(today);
    let grouping = Grouping::parse(&q.by).unwrap_or(Grouping::Institution);
    let definition = definition_of(&state.db, cohort, &q.definition).await?;
    let (scope, unit, unit_query) = narrowed(&state.db, actor.scope(), &q).await?;
    let breakdown = by_group(&placements, &scope, cohort, as_of, grouping, definition, ctx.locale).await?;
    let group_label = grouping.heading(ctx.locale);
    if q.format == "csv" || q.format == "xlsx" {
        let rows = table(&breakdown, definition, group_label, ctx.locale);
        let day = as_of.format("%Y-%m-%d").to_string();
        let dated = AsOf { cohort, day: &day };
        let title = dated.title(ctx.t("落实率", "Placement"), ctx.locale);
        return kernel::web::export::download(&rows, &q.format, &dated.stem("placement"), &title, None);
    }
    let groups = breakdown.groups.iter().take(LISTED).cloned().collect();
    let unlisted = breakdown.groups.len().saturating_sub(LISTED);
    let page = PlacementPage {
        l: ctx.locale,
        cohort,
        as_of: as_of.format("%Y-%m-%d").to_string(),
        by: grouping.key(),
        definition,
        date_error: parsed.is_none(),
        total: breakdown.total.clone(),
        groups,
        unlisted,
        group_label,
        unit,
        unit_query,
    };
    ctx.page(ctx.t("毕业去向落实率", "Placement rate"), &page)
}
