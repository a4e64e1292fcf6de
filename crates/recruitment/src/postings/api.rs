//! GET /api/v1/postings and /api/v1/postings/{id}: open postings for a
//! university's or a job site's systems, with the job list's filters.

use axum::extract::{Path, Query, State};
use axum::Json;
use serde::Serialize;
use utoipa::{OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use kernel::time;
use kernel::web::table::Paging;
use kernel::web::{AppError, AppState, Ctx};

use super::{Posting, Search};
use crate::search::JobIndex;
use std::sync::Arc;

pub fn routes() -> OpenApiRouter<crate::RecruitmentState> {
    OpenApiRouter::with_openapi(PostingsApi::openapi()).routes(routes!(search)).routes(routes!(one))
}

/// What the postings' API document holds besides its paths.
#[derive(utoipa::OpenApi)]
#[openapi(
    components(schemas(PostingOut, PostingPage)),
    tags((name = "recruitment", description = "招聘: open job postings, with the public job list's filters"))
)]
struct PostingsApi;

/// An open posting.
#[derive(Serialize, ToSchema)]
pub struct PostingOut {
    pub id: i64,
    pub title: String,
    pub employer: String,
    pub description: String,
    /// 工作职位类别 code.
    pub position_code: String,
    pub industry_code: String,
    /// `major_level` code; null for 不限.
    pub education_level: Option<String>,
    /// Region codes of the places of work.
    pub region_codes: Vec<String>,
    /// The same written out ("湖南省长沙市").
    pub regions: Vec<String>,
    /// Major catalogue codes; empty for 不限.
    pub major_codes: Vec<String>,
    pub headcount: i64,
    /// Monthly pay in yuan; both null for 面议.
    pub salary_min: Option<i64>,
    pub salary_max: Option<i64>,
    /// The last day applications are taken (China time).
    pub deadline: String,
    pub public_sector_kind: Option<String>,
    pub notice_url: Option<String>,
    /// The university whose campus channel it was posted to; null for the whole province.
    pub channel_institution_id: Option<i64>,
}

impl From<Posting> for PostingOut {
    fn from(p: Posting) -> PostingOut {
        let (salary_min, salary_max) = p.salary.columns();
        PostingOut {
            id: p.id,
            title: p.title,
            employer: p.employer,
            description: p.description,
            position_code: p.position_code,
            industry_code: p.industry_code,
            education_level: p.education_level,
            region_codes: p.region_codes,
            regions: p.regions,
            major_codes: p.major_codes,
            headcount: p.headcount,
            salary_min,
            salary_max,
            deadline: p.deadline.to_string(),
            public_sector_kind: p.public_sector_kind,
            notice_url: p.notice_url,
            channel_institution_id: p.channel_institution_id,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct PostingPage {
    pub total: i64,
    pub page: i64,
    pub items: Vec<PostingOut>,
}

/// Open postings (published, deadline not passed) matching the words and filters of the job list, best
/// match first (`sort=new`: newest first); 50 a page.
#[utoipa::path(get, path = "/api/v1/postings", tag = "recruitment", params(Search),
    responses((status = 200, body = PostingPage), (status = 401, description = "no valid token")),
    security(("bearer" = [])))]
async fn search(
    State(state): State<AppState>,
    State(jobs): State<Arc<JobIndex>>,
    ctx: Ctx,
    Query(s): Query<Search>,
) -> Result<Json<PostingPage>, AppError> {
    ctx.actor()?;
    let mut paging = Paging::parse(s.page.as_deref());
    let found = crate::search::find(&state.db, &jobs, &s, time::today_china(), &mut paging, ctx.locale).await?.postings;
    Ok(Json(PostingPage {
        total: paging.total,
        page: paging.page,
        items: found.into_iter().map(PostingOut::from).collect(),
    }))
}

/// One open posting; 404 for a posting not published or past its deadline.
#[utoipa::path(get, path = "/api/v1/postings/{id}", tag = "recruitment", params(("id" = i64, Path, description = "the posting's id")),
    responses((status = 200, body = PostingOut), (status = 401, description = "no valid token"), (status = 404, description = "no open posting with this id")),
    security(("bearer" = [])))]
async fn one(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Json<PostingOut>, AppError> {
    ctx.actor()?;
    let p = super::get(&state.db, id, ctx.locale).await?.ok_or(AppError::NotFound)?;
    if !p.is_open(time::today_china()) {
        return Err(AppError::NotFound);
    }
    Ok(Json(PostingOut::from(p)))
}
