//! `GET /api/v1/placement`: the placement figures of the placement page and
//! the dashboard (graduates, placed, rate under a definition) for any
//! grouping and day, within the caller's scope.

use std::sync::Arc;

use axum::extract::{Query, State};
use axum::Json;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use kernel::auth::Role;
use kernel::time;
use kernel::web::{AppError, AppState, Ctx};

use super::rates::{Definition, Tally};
use super::{by_group, definition_of, Grouping, Placements, GROUPINGS};
use crate::api::ApiError;

pub fn routes() -> OpenApiRouter<crate::OutcomesState> {
    OpenApiRouter::new().routes(routes!(placement))
}

/// The whole scope as one group (the province, or a university's own).
const WHOLE: &str = "province";

#[derive(Deserialize, IntoParams)]
pub struct PlacementParams {
    /// The cohort (届别); the latest when empty.
    #[serde(default)]
    cohort: String,
    /// The day the figures stand at the end of (China time), YYYY-MM-DD; today when empty.
    #[serde(default)]
    as_of: String,
    /// province (the whole scope), institution, college, major, level, gender, discipline, origin,
    /// urban_rural, key_group, employer_region, industry or nature; province when empty.
    #[serde(default)]
    by: String,
    /// 2021 or 2024; the cohort's own definition when empty.
    #[serde(default)]
    definition: String,
}

/// One group's figures.
#[derive(Serialize, ToSchema)]
pub struct Figures {
    /// The group's key: an institution's or college's id, a code, a name the roster keeps.
    pub key: String,
    /// The group's name in the caller's language.
    pub label: String,
    pub graduates: u64,
    pub placed: u64,
    /// placed / graduates, from 0 to 1.
    pub rate: f64,
}

/// Placement figures for a cohort as of a day, by one grouping.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({"cohort": 2022, "as_of": "2022-08-31", "by": "institution", "definition": "2021",
    "total": {"key": "", "label": "合计", "graduates": 1200, "placed": 1032, "rate": 0.86},
    "groups": [{"key": "3", "label": "湘潭大学", "graduates": 1200, "placed": 1032, "rate": 0.86}]}))]
pub struct Placement {
    pub cohort: i64,
    pub as_of: String,
    pub by: String,
    pub definition: String,
    pub total: Figures,
    pub groups: Vec<Figures>,
}

fn figures(key: &str, label: &str, t: &Tally, d: Definition) -> Figures {
    Figures {
        key: key.to_owned(),
        label: label.to_owned(),
        graduates: t.graduates,
        placed: t.placed(d),
        rate: t.rate(d),
    }
}

/// Placement figures by any grouping as of any day: a university sees its own.
#[utoipa::path(get, path = "/api/v1/placement", tag = "statistics", params(PlacementParams),
    responses(
        (status = 200, body = Placement),
        (status = 400, description = "`as_of` or `by` unreadable", body = ApiError),
        (status = 401, description = "no valid token", body = ApiError),
        (status = 403, description = "not the province or a university", body = ApiError),
        (status = 404, description = "no such cohort", body = ApiError),
    ),
    security(("bearer" = [])))]
async fn placement(
    State(state): State<AppState>,
    State(placements): State<Arc<Placements>>,
    ctx: Ctx,
    Query(q): Query<PlacementParams>,
) -> Result<Json<Placement>, AppError> {
    let actor = ctx.require(&[Role::ProvinceAdmin, Role::UniversityStaff])?;
    let l = ctx.locale;
    let cohort = registry::cohorts::year_or_latest(&state, &q.cohort).await?;
    let as_of = match q.as_of.trim() {
        "" => time::today_china(),
        day => NaiveDate::parse_from_str(day, "%Y-%m-%d").map_err(|_| {
            AppError::BadRequest(l.pick("as_of 须为 YYYY-MM-DD。", "as_of must be YYYY-MM-DD.").to_owned())
        })?,
    };
    let by = match q.by.trim() {
        "" => WHOLE,
        by => by,
    };
    let grouping = match by {
        WHOLE => None,
        by => Some(Grouping::parse(by).ok_or_else(|| {
            let offered: Vec<&str> = std::iter::once(WHOLE).chain(GROUPINGS.iter().map(|g| g.1)).collect();
            AppError::BadRequest(format!("{}{}", l.pick("by 可取：", "by is one of: "), offered.join(", ")))
        })?),
    };
    let d = definition_of(&state.db, cohort, &q.definition).await?;
    // The whole scope's total is every grouping's total; institutions are the cheapest to count.
    let breakdown =
        by_group(&placements, &actor.scope(), cohort, as_of, grouping.unwrap_or(Grouping::Institution), d, l).await?;
    let total = figures("", l.pick("合计", "Total"), &breakdown.total, d);
    let groups = match grouping {
        None => Vec::new(),
        Some(_) => breakdown.groups.iter().map(|g| figures(&g.key, &g.label, &g.tally, d)).collect(),
    };
    Ok(Json(Placement {
        cohort,
        as_of: as_of.format("%Y-%m-%d").to_string(),
        by: by.to_owned(),
        definition: d.key().to_owned(),
        total,
        groups,
    }))
}
