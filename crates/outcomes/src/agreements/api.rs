//! `GET /api/v1/agreements?since=`: agreement states in the caller's scope,
//! oldest change first, paged by (updated_at, id); `POST
//! /api/v1/agreements/{number}/steps`: a step the caller's party may take,
//! by the same state machine (`flow.rs`) as the pages.

use axum::extract::{Path, Query, State};
use axum::Json;
use chrono::{DateTime, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use kernel::auth::Role;
use kernel::web::{AppError, AppState, Ctx};
use kernel::{time, Locale};

use super::flow::Step;
use super::Followed;
use crate::api::ApiError;

pub fn routes() -> OpenApiRouter<crate::OutcomesState> {
    OpenApiRouter::new().routes(routes!(list_agreements)).routes(routes!(take_step))
}

const PARTIES: &[Role] = &[Role::ProvinceAdmin, Role::UniversityStaff, Role::Employer, Role::Graduate];

/// Agreements a page answers with.
const PAGE: i64 = 100;

#[derive(Deserialize, IntoParams)]
pub struct Since {
    /// Changed at or after this instant (RFC 3339) or day (YYYY-MM-DD, from its start in UTC); all when empty.
    #[serde(default)]
    since: String,
    /// The `next` cursor of the previous page.
    #[serde(default)]
    after: String,
}

/// An agreement's state and its parties.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({"number": "2022-10530-B-000001", "status": "college_approved",
    "graduate": {"name": "张三", "student_no": "2018010001"},
    "employer": {"name": "示例科技有限公司", "credit_code": "91350100M000100Y43"},
    "institution": {"code": "10530", "name": "湘潭大学"}, "updated_at": "2022-05-10T02:03:04.000Z"}))]
pub struct AgreementState {
    pub number: String,
    /// invited, signed, college_approved, sealed, effective, withdrawn, declined,
    /// cancel_requested, cancel_college_approved, cancel_employer_approved, cancelled
    pub status: String,
    pub graduate: Party,
    pub employer: Party,
    pub institution: Party,
    /// When the state last changed (RFC 3339, UTC).
    pub updated_at: String,
}

/// A party by name and its number: a student number, credit code or 院校代码.
#[derive(Serialize, ToSchema)]
pub struct Party {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub student_no: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub credit_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
}

impl From<Followed> for AgreementState {
    fn from(f: Followed) -> AgreementState {
        let party = |name: String| Party { name, student_no: None, credit_code: None, code: None };
        AgreementState {
            number: f.number,
            status: f.status.key().to_owned(),
            graduate: Party { student_no: Some(f.student_no), ..party(f.graduate_name) },
            employer: Party { credit_code: Some(f.credit_code), ..party(f.employer) },
            institution: Party { code: Some(f.institution_code), ..party(f.institution) },
            updated_at: f.updated_at,
        }
    }
}

/// A page of agreement states.
#[derive(Serialize, ToSchema)]
pub struct AgreementPage {
    pub items: Vec<AgreementState>,
    /// Pass as `after` for the next page; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
}

/// The lower bound `since` asks for, as instants are stored.
fn since_instant(since: &str) -> Option<String> {
    let since = since.trim();
    if since.is_empty() {
        return Some(String::new());
    }
    if let Ok(day) = NaiveDate::parse_from_str(since, "%Y-%m-%d") {
        return Some(time::format_utc(day.and_hms_opt(0, 0, 0)?.and_utc()));
    }
    DateTime::parse_from_rfc3339(since).ok().map(|t| time::format_utc(t.with_timezone(&chrono::Utc)))
}

/// A cursor is the last agreement's `updated_at` and id.
fn cursor(f: &Followed) -> String {
    format!("{}~{}", f.updated_at, f.id)
}

fn parse_cursor(after: &str) -> Option<(&str, i64)> {
    let (updated_at, id) = after.rsplit_once('~')?;
    Some((updated_at, id.parse().ok()?))
}

fn bad(l: Locale, zh: &str, en: &str) -> AppError {
    AppError::BadRequest(l.pick(zh, en).to_owned())
}

/// Agreements in the caller's scope that changed since a moment, oldest change first, 100 a page.
#[utoipa::path(get, path = "/api/v1/agreements", tag = "agreements", params(Since),
    responses(
        (status = 200, body = AgreementPage),
        (status = 400, description = "`since` or `after` unreadable", body = ApiError),
        (status = 401, description = "no valid token", body = ApiError),
        (status = 403, description = "not a party to agreements (an expert)", body = ApiError),
    ),
    security(("bearer" = [])))]
async fn list_agreements(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<Since>,
) -> Result<Json<AgreementPage>, AppError> {
    let actor = ctx.require(PARTIES)?;
    let l = ctx.locale;
    let since = since_instant(&q.since).ok_or_else(|| {
        bad(
            l,
            "since 须为日期（YYYY-MM-DD）或 RFC 3339 时间。",
            "since must be a day (YYYY-MM-DD) or an RFC 3339 instant.",
        )
    })?;
    let after = match q.after.trim() {
        "" => None,
        after => Some(
            parse_cursor(after)
                .ok_or_else(|| bad(l, "after 不是上一页给出的 next。", "after is not a next cursor."))?,
        ),
    };
    let mut rows = super::changed_since(&state.db, &actor.scope(), &since, after, PAGE + 1).await?;
    let more = rows.len() as i64 > PAGE;
    rows.truncate(PAGE as usize);
    let next = if more { rows.last().map(cursor) } else { None };
    Ok(Json(AgreementPage { items: rows.into_iter().map(AgreementState::from).collect(), next }))
}

/// A step to take.
#[derive(Deserialize, ToSchema)]
#[schema(example = json!({"step": "college_approve"}))]
pub struct StepIn {
    /// accept, decline, withdraw, college_approve, college_reject, seal, confirm, school_reject,
    /// request_cancel, college_approve_cancel, employer_approve_cancel, school_approve_cancel, refuse_cancel
    pub step: String,
}

/// Where the step led.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({"number": "2022-10530-B-000001", "status": "college_approved"}))]
pub struct StepTaken {
    pub number: String,
    pub status: String,
}

/// Takes a step on an agreement for the party the caller speaks for (a
/// university's staff: the college's and the school's approvals).
#[utoipa::path(post, path = "/api/v1/agreements/{number}/steps", tag = "agreements",
    params(("number" = String, Path, description = "协议编号")), request_body = StepIn,
    responses(
        (status = 200, body = StepTaken),
        (status = 400, description = "no such step", body = ApiError),
        (status = 401, description = "no valid token", body = ApiError),
        (status = 403, description = "the agreement is outside the caller's scope, or the step is another party's", body = ApiError),
        (status = 404, description = "no such agreement", body = ApiError),
        (status = 409, description = "the step may not be taken in the agreement's current state", body = ApiError),
    ),
    security(("bearer" = [])))]
async fn take_step(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(number): Path<String>,
    Json(body): Json<StepIn>,
) -> Result<Json<StepTaken>, AppError> {
    let actor = ctx.require(PARTIES)?;
    let l = ctx.locale;
    let id = super::id_by_number(&state.db, &number).await?.ok_or(AppError::NotFound)?;
    let a = super::get(&state.db, &actor.scope(), id).await?.ok_or(AppError::Forbidden)?;
    let step = Step::parse(body.step.trim()).ok_or_else(|| bad(l, "未知的操作。", "Unknown step."))?;
    let parties = super::parties(actor, &a);
    if !step.parties().iter().any(|p| parties.contains(p)) {
        return Err(AppError::Forbidden);
    }
    let mut tx = state.db.begin().await?;
    let to = super::take_online_step(&mut tx, &ctx.audit_actor(), &a, step, &parties).await?.ok_or_else(|| {
        AppError::Conflict(
            l.pick("协议当前状态下不能做这一步。", "This step cannot be taken in the agreement's current state.")
                .to_owned(),
        )
    })?;
    tx.commit().await?;
    state.cache.clear();
    Ok(Json(StepTaken { number: a.number, status: to.key().to_owned() }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn since_takes_a_day_or_an_instant() {
        assert_eq!(since_instant("").as_deref(), Some(""));
        assert_eq!(since_instant("2022-05-01").as_deref(), Some("2022-05-01T00:00:00.000Z"));
        assert_eq!(since_instant("2022-05-01T08:00:00+08:00").as_deref(), Some("2022-05-01T00:00:00.000Z"));
        assert_eq!(since_instant("May 1"), None);
    }

    #[test]
    fn cursors_read_back() {
        assert_eq!(parse_cursor("2022-05-01T00:00:00.000Z~42"), Some(("2022-05-01T00:00:00.000Z", 42)));
        assert_eq!(parse_cursor("42"), None);
    }
}
