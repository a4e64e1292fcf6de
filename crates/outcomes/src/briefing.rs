//! The quarterly briefing (季度通报): a print-ready set of tables for the
//! department head — overall, by level, sex, origin, urban or rural origin,
//! discipline and region of employment — one A4 page each.

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

use crate::placement::{by_group, group_label, table};
use crate::rates::{Definition, Tally};

pub fn routes() -> Router<AppState> {
    Router::new().route("/outcomes/briefing", get(page))
}

const SECTIONS: [&str; 6] = ["level", "gender", "origin", "urban_rural", "discipline", "employer_region"];

/// One table of the briefing: its title and rows (header first).
pub struct Section {
    pub title: String,
    pub rows: Vec<Vec<String>>,
}

#[derive(Debug, Default, Deserialize)]
struct BriefingQuery {
    #[serde(default)]
    as_of: String,
}

#[derive(Template)]
#[template(path = "briefing.html")]
struct BriefingPage {
    l: Locale,
    as_of: String,
    sections: Vec<Section>,
    printed: String,
}

async fn page(State(state): State<AppState>, ctx: Ctx, Query(q): Query<BriefingQuery>) -> Result<Response, AppError> {
    let actor = ctx.require(&[Role::ProvinceAdmin, Role::UniversityStaff])?;
    let day = NaiveDate::parse_from_str(q.as_of.trim(), "%Y-%m-%d").unwrap_or_else(|_| time::today_china());
    let bound = state.db.fetch_optional("SELECT rate_definition FROM cohorts WHERE year = 2022", &[]).await?;
    let d = bound
        .and_then(|r| r.text("rate_definition").ok())
        .and_then(|v| Definition::parse(&v))
        .unwrap_or(Definition::V2021);
    let scope = actor.scope();
    let l = ctx.locale;
    let mut sections = Vec::new();
    let mut overall = Tally::default();
    for (i, key) in SECTIONS.iter().enumerate() {
        let groups = by_group(&state.db, &scope, 2022, day, key, d).await?;
        if i == 0 {
            for g in &groups {
                overall.merge(&g.tally);
            }
        }
        let label = group_label(key, l).unwrap_or(key);
        let mut rows = table(&groups, d, label, l);
        // The total row repeats the overall table; the sections keep only their groups.
        rows.pop();
        sections.push(Section { title: format!("{}{}", l.pick("按", "By "), label), rows });
    }
    let overall_rows = table(&[], d, l.pick("全省", "Province"), l);
    let mut overall_section =
        Section { title: l.pick("总体情况", "Overall").to_owned(), rows: vec![overall_rows[0].clone()] };
    let total =
        crate::placement::GroupRate { key: String::new(), label: l.pick("合计", "Total").to_owned(), tally: overall };
    overall_section.rows.push(table(std::slice::from_ref(&total), d, "", l)[1].clone());
    sections.insert(0, overall_section);
    let page = BriefingPage { l, as_of: day.to_string(), sections, printed: time::today_china().to_string() };
    ctx.page(
        &format!("{}（{}）", l.pick("2022届高校毕业生毕业去向落实情况通报", "2022 graduate placement briefing"), day),
        &page,
    )
}
