//! GET /api/v1/applications and /api/v1/applications/{id}: a graduate's own
//! applications, or an employer's postings' applicants (phones masked), for
//! their own systems. Other roles are refused.

use axum::extract::{Path, Query, State};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use kernel::auth::Role;
use kernel::web::table::Paging;
use kernel::web::{AppError, AppState, Ctx};

use super::flow::Stage;
use super::{Applicant, Which};

pub fn routes() -> OpenApiRouter<crate::RecruitmentState> {
    OpenApiRouter::with_openapi(ApplicationsApi::openapi()).routes(routes!(list)).routes(routes!(one))
}

/// What the applications' API document holds besides its paths.
#[derive(utoipa::OpenApi)]
#[openapi(components(schemas(ApplicationOut, ApplicationPage)))]
struct ApplicationsApi;

/// An application and what the roster says of its applicant.
#[derive(Serialize, ToSchema)]
pub struct ApplicationOut {
    pub id: i64,
    pub posting_id: i64,
    pub posting_title: String,
    pub employer: String,
    /// received, viewed, shortlisted, interview, offer, hired, rejected or withdrawn.
    pub stage: String,
    /// When the graduate applied (RFC 3339, UTC).
    pub applied_at: String,
    pub updated_at: String,
    pub name: String,
    pub gender: String,
    pub institution: String,
    pub college: String,
    pub major: String,
    pub education_level: String,
    /// Masked (138****1234) for an employer; in full for the graduate itself.
    pub phone: String,
}

impl From<Applicant> for ApplicationOut {
    fn from(a: Applicant) -> ApplicationOut {
        let app = a.application;
        ApplicationOut {
            id: app.id,
            posting_id: app.posting_id,
            posting_title: app.posting_title,
            employer: app.employer,
            stage: app.stage.key().to_owned(),
            applied_at: app.applied_at,
            updated_at: app.updated_at,
            name: a.name,
            gender: a.gender,
            institution: a.institution,
            college: a.college,
            major: a.major,
            education_level: a.education_level,
            phone: a.phone,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ApplicationPage {
    pub total: i64,
    pub page: i64,
    pub items: Vec<ApplicationOut>,
}

/// Which applications a client asks for.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(default)]
pub struct Ask {
    /// One posting's only.
    pub posting: Option<i64>,
    /// One stage's only (received, viewed, shortlisted, interview, offer, hired, rejected, withdrawn).
    pub stage: Option<String>,
    /// Page number, from 1; 50 a page.
    pub page: Option<String>,
}

/// The caller's applications: a graduate's own, or the applicants to an employer's postings, in the order they came.
#[utoipa::path(get, path = "/api/v1/applications", tag = "recruitment", params(Ask),
    responses((status = 200, body = ApplicationPage), (status = 401, description = "no valid token"),
        (status = 403, description = "neither a graduate nor an employer")),
    security(("bearer" = [])))]
async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(ask): Query<Ask>,
) -> Result<Json<ApplicationPage>, AppError> {
    ctx.require(&[Role::Graduate, Role::Employer])?;
    let mut paging = Paging::parse(ask.page.as_deref());
    let stage = ask.stage.as_deref().and_then(Stage::parse);
    let which = Which { posting_id: ask.posting, stage, ..Which::default() };
    let found = super::applicants(&state.db, &ctx.scope(), which, &mut paging, ctx.locale).await?;
    Ok(Json(ApplicationPage {
        total: paging.total,
        page: paging.page,
        items: found.into_iter().map(ApplicationOut::from).collect(),
    }))
}

/// One of the caller's applications; 404 for any other.
#[utoipa::path(get, path = "/api/v1/applications/{id}", tag = "recruitment",
    params(("id" = i64, Path, description = "the application's id")),
    responses((status = 200, body = ApplicationOut), (status = 401, description = "no valid token"),
        (status = 403, description = "neither a graduate nor an employer"),
        (status = 404, description = "no application of the caller's with this id")),
    security(("bearer" = [])))]
async fn one(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Json<ApplicationOut>, AppError> {
    ctx.require(&[Role::Graduate, Role::Employer])?;
    let which = Which { id: Some(id), ..Which::default() };
    let mut one = Paging::parse(None);
    let found = super::applicants(&state.db, &ctx.scope(), which, &mut one, ctx.locale).await?;
    found.into_iter().next().map(|a| Json(ApplicationOut::from(a))).ok_or(AppError::NotFound)
}
