//! The JSON API under /api/v1 (for machine clients with API tokens, and for
//! pages' progressive enhancement). Each handler carries its OpenAPI entry.
//!
//! A new API route is one `.routes(routes!(handler))` line in [`routes()`]:
//! the handler's `#[utoipa::path]` is its document and gives the route its
//! method and path, so the route and its OpenAPI entry cannot drift apart.
//! Schemas a handler names are collected with it; `RegistryApi` holds only the
//! tags and components shared by the whole area.

use axum::extract::{Path, Query, State};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use kernel::auth::{Actor, Role};
use kernel::web::table::{Paging, Sort};
use kernel::web::{AppError, AppState, Ctx};

use crate::employers::{self, Card, Employer, EmployerFilter};
use crate::institutions::{self, Institution, InstitutionFilter};
use crate::reference::{self, Region, RegionFilter};

/// The registry's API routes, each registered together with its OpenAPI entry.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(RegistryApi::openapi())
        .routes(routes!(me))
        .routes(routes!(list_institutions))
        .routes(routes!(institution))
        .routes(routes!(list_employers))
        .routes(routes!(lookup_employers))
        .routes(routes!(list_regions))
}

/// What the registry's API document holds besides its paths: tags and components.
#[derive(OpenApi)]
#[openapi(
    components(schemas(Actor, Role, Institution, Employer, Card, Region, InstitutionPage, EmployerPage, RegionPage)),
    tags((name = "registry", description = "Institutions, employers, regions and the caller's own account"))
)]
pub struct RegistryApi;

#[derive(Serialize, ToSchema)]
pub struct InstitutionPage {
    pub total: i64,
    pub page: i64,
    pub items: Vec<Institution>,
}

#[derive(Serialize, ToSchema)]
pub struct EmployerPage {
    pub total: i64,
    pub page: i64,
    pub items: Vec<Employer>,
}

#[derive(Serialize, ToSchema)]
pub struct RegionPage {
    pub total: i64,
    pub page: i64,
    pub items: Vec<Region>,
}

#[derive(Deserialize, IntoParams)]
pub struct ListParams {
    /// Text to search in names and codes.
    #[serde(default)]
    q: String,
    /// Page number, from 1; 50 rows a page.
    page: Option<String>,
}

/// The account behind the token or session.
#[utoipa::path(get, path = "/api/v1/me", tag = "registry", responses((status = 200, body = Actor), (status = 401, description = "no valid token")), security(("bearer" = [])))]
async fn me(ctx: Ctx) -> Result<Json<Actor>, AppError> {
    Ok(Json(ctx.actor()?.clone()))
}

/// Institutions in the caller's scope.
#[utoipa::path(get, path = "/api/v1/institutions", tag = "registry", params(ListParams), responses((status = 200, body = InstitutionPage), (status = 403, description = "role may not list institutions")))]
async fn list_institutions(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(p): Query<ListParams>,
) -> Result<Json<InstitutionPage>, AppError> {
    let actor = ctx.require(&[Role::ProvinceAdmin, Role::UniversityStaff])?;
    let mut paging = Paging::parse(p.page.as_deref());
    let f = InstitutionFilter { q: p.q, ..InstitutionFilter::default() };
    let sort = Sort::parse(Some("code"), None, &[("code", "i.code")]);
    let counts = crate::stats::graduates_by_institution(&state, crate::cohorts::latest_year(&state).await?).await?;
    let rows = institutions::list(&state.db, &counts, &actor.scope(), &f, &sort, &mut paging).await?;
    Ok(Json(InstitutionPage {
        total: paging.total,
        page: paging.page,
        items: rows.into_iter().map(|(i, _)| i).collect(),
    }))
}

/// One institution by its 院校代码.
#[utoipa::path(get, path = "/api/v1/institutions/{code}", tag = "registry", params(("code" = String, Path, description = "5-digit 院校代码")), responses((status = 200, body = Institution), (status = 403), (status = 404)))]
async fn institution(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
) -> Result<Json<Institution>, AppError> {
    let actor = ctx.require(&[Role::ProvinceAdmin, Role::UniversityStaff])?;
    let found = institutions::by_code(&state.db, &code).await?;
    Ok(Json(institutions::get(&state.db, &actor.scope(), found.id).await?))
}

/// Employers in the caller's scope; an employer sees only itself.
#[utoipa::path(get, path = "/api/v1/employers", tag = "registry", params(ListParams), responses((status = 200, body = EmployerPage), (status = 403)))]
async fn list_employers(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(p): Query<ListParams>,
) -> Result<Json<EmployerPage>, AppError> {
    let actor = ctx.require(&[Role::ProvinceAdmin, Role::UniversityStaff, Role::Employer])?;
    let mut paging = Paging::parse(p.page.as_deref());
    let f = EmployerFilter { q: p.q, ..EmployerFilter::default() };
    let sort = Sort::parse(Some("name"), None, &[("name", "e.name")]);
    let items = employers::list(&state.db, None, &actor.scope(), &f, &sort, &mut paging).await?;
    Ok(Json(EmployerPage { total: paging.total, page: paging.page, items }))
}

#[derive(Deserialize, IntoParams)]
pub struct LookupParams {
    /// Part of a name or credit code.
    #[serde(default)]
    q: String,
}

/// Employers by part of their name or credit code, for the destination form's
/// pickers: at most 10, for the province's and universities' staff.
#[utoipa::path(get, path = "/api/v1/employers/lookup", tag = "registry", params(LookupParams), responses((status = 200, body = [Card]), (status = 401, description = "not logged in"), (status = 403, description = "not staff")))]
async fn lookup_employers(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(p): Query<LookupParams>,
) -> Result<Json<Vec<Card>>, AppError> {
    ctx.require(&[Role::ProvinceAdmin, Role::UniversityStaff])?;
    Ok(Json(employers::lookup(&state.db, &p.q).await?))
}

/// Regions (GB/T 2260).
#[utoipa::path(get, path = "/api/v1/regions", tag = "registry", params(ListParams), responses((status = 200, body = RegionPage)))]
async fn list_regions(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(p): Query<ListParams>,
) -> Result<Json<RegionPage>, AppError> {
    ctx.actor()?;
    let mut paging = Paging::parse(p.page.as_deref());
    let f = RegionFilter { q: p.q, ..RegionFilter::default() };
    let items = reference::regions(&state.db, &f, &mut paging).await?;
    Ok(Json(RegionPage { total: paging.total, page: paging.page, items }))
}
