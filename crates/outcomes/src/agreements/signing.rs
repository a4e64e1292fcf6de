//! Use of the online signing platform (网签使用情况): per institution, the share
//! of agreement-type destinations (code 10) that came through online
//! agreements, and the institutions below a threshold, for follow-up.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;

use kernel::auth::{Owners, Role, Scope};
use kernel::db::SqlBuilder;
use kernel::web::{redirect_with_flash, AppError, AppState, CsrfForm, Ctx};
use kernel::Locale;

use crate::statistics::rates::percent;

pub fn routes() -> Router<crate::OutcomesState> {
    Router::new().route("/outcomes/signing", get(page)).route("/outcomes/signing/remind", post(remind))
}

/// The share below which an institution is listed, when the page is not told otherwise.
pub const DEFAULT_THRESHOLD_PERCENT: u32 = 50;

pub struct Usage {
    pub id: i64,
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
        "SELECT i.id, i.code, i.name, COUNT(d.graduate_id) AS agreement_type, COUNT(a.id) AS online \
         FROM institutions i JOIN destinations d ON d.institution_id = i.id AND d.category_code = '10' AND d.cohort_year = ",
    );
    sql.bind(cohort).push(
        // The institution too: an institution's own agreements by their index, not all the province's.
        " LEFT JOIN agreements a ON a.graduate_id = d.graduate_id AND a.institution_id = d.institution_id \
         AND a.status = 'effective' WHERE 1 = 1",
    );
    let institutions = Owners { institution: Some("i.id"), ..Owners::NONE };
    scope.restrict(&mut sql, institutions).map_err(|_| AppError::Forbidden)?;
    sql.push(" GROUP BY i.id, i.code, i.name ORDER BY i.code");
    let rows = db.fetch_all(&sql.sql, &sql.params).await?;
    Ok(rows
        .iter()
        .map(|r| {
            Ok(Usage {
                id: r.i64("id")?,
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
struct UsagePage<'a> {
    ctx: &'a Ctx,
    l: Locale,
    cohort: i64,
    can_remind: bool,
    threshold: u32,
    rows: Vec<Usage>,
    below: Vec<Usage>,
}

impl UsagePage<'_> {
    fn share(&self, u: &Usage) -> String {
        percent(u.share())
    }
}

async fn page(State(state): State<AppState>, ctx: Ctx, Query(q): Query<UsageQuery>) -> Result<Response, AppError> {
    let actor = ctx.require(&[Role::ProvinceAdmin, Role::UniversityStaff])?;
    let threshold = threshold(&q.threshold);
    let cohort = registry::cohorts::year_or_latest(&state, &q.cohort).await?;
    let (below, rows) = split(usage(&state.db, &actor.scope(), cohort).await?, threshold);
    let can_remind = actor.role == Role::ProvinceAdmin;
    let page = UsagePage { ctx: &ctx, l: ctx.locale, cohort, can_remind, threshold, rows, below };
    ctx.page(ctx.t("网签平台使用情况", "Use of online signing"), &page)
}

/// A threshold in percent as typed (`30` or `30%`), else the default.
fn threshold(text: &str) -> u32 {
    text.trim().trim_end_matches('%').parse::<u32>().ok().filter(|t| *t <= 100).unwrap_or(DEFAULT_THRESHOLD_PERCENT)
}

/// (below the threshold, at or above it).
fn split(all: Vec<Usage>, threshold: u32) -> (Vec<Usage>, Vec<Usage>) {
    all.into_iter().partition(|u| u.share() * 100.0 < f64::from(threshold))
}

#[derive(Debug, Default, Deserialize)]
struct RemindForm {
    #[serde(default)]
    threshold: String,
    #[serde(default)]
    cohort: String,
    /// One institution's code; empty: every institution below the threshold.
    #[serde(default)]
    institution: String,
}

/// The province reminds institutions below the threshold to sign online; each
/// sees the reminder on its dashboard.
async fn remind(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(form): CsrfForm<RemindForm>,
) -> Result<Response, AppError> {
    ctx.require(&[Role::ProvinceAdmin])?;
    let threshold = threshold(&form.threshold);
    let cohort = registry::cohorts::year_or_latest(&state, &form.cohort).await?;
    let (below, _) = split(usage(&state.db, &Scope::Province, cohort).await?, threshold);
    let chosen: Vec<&Usage> =
        below.iter().filter(|u| form.institution.is_empty() || u.code == form.institution.trim()).collect();
    let who = ctx.audit_actor();
    let mut tx = state.db.begin().await?;
    let mut sent = 0;
    for u in &chosen {
        let message = format!(
            "贵校{cohort}届毕业生网签使用率为 {}（协议就业 {} 人，其中网上签约 {} 人），低于 {threshold}% 的要求。\
             请督促用人单位和毕业生通过平台网上签约，并核实线下协议是否已在平台登记。",
            percent(u.share()),
            u.agreement_type,
            u.online
        );
        if registry::notices::send(&mut tx, &who, u.id, "online_signing", &message).await? {
            sent += 1;
        }
    }
    tx.commit().await?;
    let back = format!("/outcomes/signing?threshold={threshold}&cohort={cohort}");
    let message = match ctx.locale {
        Locale::Zh => format!("已向 {sent} 所院校发送提醒。"),
        Locale::En => format!("Reminders sent to {sent} institutions."),
    };
    Ok(redirect_with_flash(&back, &message))
}
