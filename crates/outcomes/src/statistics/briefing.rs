//! The quarterly briefing (季度通报): a print-ready set of tables for the
//! department head — overall, by level, sex, origin, urban or rural origin,
//! discipline and region of employment — one A4 page each.

use std::sync::Arc;

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use chrono::NaiveDate;
use serde::Deserialize;

use kernel::auth::Role;
use kernel::web::{AppError, AppState, Ctx};
use kernel::{time, Locale};

use super::rates::Tally;
use super::{by_group, definition_of, row, table, Breakdown, Grouping, Placements};

pub fn routes() -> Router<crate::OutcomesState> {
    Router::new().route("/outcomes/briefing", get(page))
}

const SECTIONS: [Grouping; 6] = [
    Grouping::Level,
    Grouping::Gender,
    Grouping::Origin,
    Grouping::UrbanRural,
    Grouping::Discipline,
    Grouping::EmployerRegion,
];

/// One table of the briefing: its title and rows (header first).
pub struct Section {
    pub title: String,
    pub rows: Vec<Vec<String>>,
}

#[derive(Debug, Default, Deserialize)]
struct BriefingQuery {
    #[serde(default)]
    as_of: String,
    #[serde(default)]
    cohort: String,
}

#[derive(Template)]
#[template(path = "briefing.html")]
struct BriefingPage {
    l: Locale,
    as_of: String,
    sections: Vec<Section>,
    printed: String,
}

async fn page(
    State(state): State<AppState>,
    State(placements): State<Arc<Placements>>,
    ctx: Ctx,
    Query(q): Query<BriefingQuery>,
) -> Result<Response, AppError> {
    let actor = ctx.require(&[Role::ProvinceAdmin, Role::UniversityStaff])?;
    let day = NaiveDate::parse_from_str(q.as_of.trim(), "%Y-%m-%d").unwrap_or_else(|_| time::today_china());
    let cohort = registry::cohorts::year_or_latest(&state, &q.cohort).await?;
    let d = definition_of(&state.db, cohort, "").await?;
    let scope = actor.scope();
    let l = ctx.locale;
    let mut sections = Vec::new();
    let mut overall = None;
    for grouping in SECTIONS {
        let breakdown = by_group(&placements, &scope, cohort, day, grouping, d, l).await?;
        let label = grouping.heading(l);
        let mut rows = table(&breakdown, d, label, l);
        // The total row repeats the overall table; the sections keep only their groups.
        rows.pop();
        sections.push(Section { title: format!("{}{}", l.pick("按", "By "), label), rows });
        overall.get_or_insert(breakdown.total);
    }
    let header = table(&Breakdown { total: Tally::default(), groups: Vec::new() }, d, l.pick("全省", "Province"), l);
    let total_row = row(l.pick("合计", "Total"), &overall.unwrap_or_default(), d);
    sections.insert(
        0,
        Section { title: l.pick("总体情况", "Overall").to_owned(), rows: vec![header[0].clone(), total_row] },
    );
    let page = BriefingPage { l, as_of: day.to_string(), sections, printed: time::today_china().to_string() };
    let title = format!("{cohort}{}", l.pick("届高校毕业生毕业去向落实情况通报", " graduate placement briefing"));
    let title = match l {
        Locale::Zh => format!("{title}（{day}）"),
        Locale::En => format!("{title} ({day})"),
    };
    ctx.page(&title, &page)
}
