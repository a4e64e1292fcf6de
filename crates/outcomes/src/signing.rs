//! Use of the online signing platform (网签使用情况): per institution, the share
//! of agreement-type destinations (code 10) that came through online
//! agreements, and the institutions below a threshold, for follow-up.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use serde::Deserialize;

use kernel::auth::{Role, Scope};
use kernel::db::SqlBuilder;
use kernel::web::{AppError, AppState, Ctx};
use kernel::Locale;

use crate::rates::percent;

pub fn routes() -> Router<AppState> {
    Router::new().route("/outcomes/signing", get(page))
}

/// The share below which an institution is listed, when the page is not told otherwise.
pub const DEFAULT_THRESHOLD_PERCENT: u32 = 50;

pub struct Usage {
    pub code: String,
    pub name: String,
    pub agreement_type: i64,
    pub online: i64,
}

impl Usage {
    pub fn share(&self) -> f64 {
        if self.agreement_type == 0 {
            0.0
        } else {
            self.online as f64 / self.agreement_type as f64
        }
    }
}

pub async fn usage(db: &kernel::Db, scope: &Scope, cohort: i64) -> Result<Vec<Usage>, AppError> {
    let mut sql = SqlBuilder::new(
        "SELECT i.code, i.name, COUNT(d.graduate_id) AS agreement_type, COUNT(a.id) AS online \
         FROM institutions i JOIN destinations d ON d.institution_id = i.id AND d.category_code = '10' AND d.cohort_year = ",
    );
    sql.bind(cohort)
        .push(" LEFT JOIN agreements a ON a.graduate_id = d.graduate_id AND a.status = 'effective' WHERE 1 = 1");
    match scope {
        Scope::Province => {}
        Scope::Institution { institution_id, .. } => {
            sql.push(" AND i.id = ").bind(*institution_id);
        }
        _ => return Err(AppError::Forbidden),
    }
    sql.push(" GROUP BY i.code, i.name ORDER BY i.code");
    let rows = db.fetch_all(&sql.sql, &sql.params).await?;
    Ok(rows
        .iter()
        .map(|r| {
            Ok(Usage {
                code: r.text("code")?,
                name: r.text("name")?,
                agreement_type: r.i64("agreement_type")?,
                online: r.i64("online")?,
            })
        })
        .collect::<kernel::DbResult<_>>()?)
}

#[derive(Debug, Default, Deserialize)]
struct UsageQuery {
    #[serde(default)]
    threshold: String,
    #[serde(default)]
    cohort: String,
}

#[derive(Template)]
#[template(path = "signing.html")]
struct UsagePage {
    l: Locale,
    threshold: u32,
    rows: Vec<Usage>,
    below: Vec<Usage>,
}

impl UsagePage {
    fn share(&self, u: &Usage) -> String {
        percent(u.share())
    }
}

async fn page(State(state): State<AppState>, ctx: Ctx, Query(q): Query<UsageQuery>) -> Result<Response, AppError> {
    let actor = ctx.require(&[Role::ProvinceAdmin, Role::UniversityStaff])?;
    let threshold = q
        .threshold
        .trim()
        .trim_end_matches('%')
        .parse::<u32>()
        .ok()
        .filter(|t| *t <= 100)
        .unwrap_or(DEFAULT_THRESHOLD_PERCENT);
    let cohort = crate::placement::cohort_or_latest(&state.db, &q.cohort).await?;
    let (below, rows): (Vec<Usage>, Vec<Usage>) = usage(&state.db, &actor.scope(), cohort)
        .await?
        .into_iter()
        .partition(|u| u.share() * 100.0 < f64::from(threshold));
    ctx.page(ctx.t("网签平台使用情况", "Use of online signing"), &UsagePage { l: ctx.locale, threshold, rows, below })
}
