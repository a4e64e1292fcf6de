//! 实名普查 pages: the province opens a census and follows it; a university
//! follows its own and passes on the link or QR code; a graduate answers.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use serde::Deserialize;

use kernel::auth::{Actor, Role};
use kernel::web::{redirect_with_flash, AppError, AppState, CsrfForm, Ctx};
use kernel::{time, Locale};

use crate::census::{self, Census, Progress};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/verification/census", get(list_page).post(create))
        .route("/verification/census/{id}", get(progress_page))
        .route("/census/{id}", get(answer_page).post(answer))
}

/// The province (None) or a university's staff (its institution).
fn whose(ctx: &Ctx) -> Result<(&Actor, Option<i64>), AppError> {
    let actor = ctx.require(&[Role::ProvinceAdmin, Role::UniversityStaff])?;
    match actor.role {
        Role::ProvinceAdmin => Ok((actor, None)),
        _ => Ok((actor, Some(actor.institution_id.ok_or(AppError::Forbidden)?))),
    }
}

#[derive(Template)]
#[template(path = "censuses.html")]
struct ListPage<'a> {
    ctx: &'a Ctx,
    l: Locale,
    province: bool,
    censuses: Vec<Census>,
    institutions: Vec<(i64, String)>,
    error: Option<String>,
}

async fn list_of(state: &AppState, ctx: &Ctx, error: Option<String>) -> Result<Response, AppError> {
    let (_, institution) = whose(ctx)?;
    let cohort = registry::cohorts::latest_year(state).await?;
    let censuses = census::list(&state.db, cohort, institution).await?;
    let institutions = match institution {
        None => registry::institutions::names(&state.db, &ctx.scope()).await?,
        Some(_) => Vec::new(),
    };
    let page = ListPage { ctx, l: ctx.locale, province: institution.is_none(), censuses, institutions, error };
    ctx.page(ctx.t("实名普查", "Real-name census"), &page)
}

async fn list_page(State(state): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    list_of(&state, &ctx, None).await
}

async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let actor = ctx.require(&[Role::ProvinceAdmin])?;
    let field =
        |name: &str| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.trim().to_owned()).unwrap_or_default();
    let institutions: Vec<i64> =
        pairs.iter().filter(|(k, _)| k == "institutions").filter_map(|(_, v)| v.trim().parse().ok()).collect();
    let title = field("title");
    let ends_on = kernel::validate::parse_date(&field("ends_on")).filter(|d| *d >= time::today_china());
    let (title, ends_on) = match (title.chars().count(), ends_on, institutions.is_empty()) {
        (4..=60, Some(ends_on), false) => (title, ends_on),
        _ => {
            let error = ctx.t(
                "请填写名称（4-60 字）、今天或以后的截止日期，并至少选择一所高校。",
                "Give a name (4-60 characters), an end date from today on, and at least one institution.",
            );
            return list_of(&state, &ctx, Some(error.into())).await;
        }
    };
    let cohort = registry::cohorts::latest_year(&state).await?;
    let mut tx = state.db.begin().await?;
    let (id, told) =
        census::create(&mut tx, &ctx.audit_actor(), cohort, actor.account_id, &title, ends_on, &institutions).await?;
    tx.commit().await?;
    let message =
        format!("{}{told}", ctx.t("普查已发起，已通知的毕业生账号：", "Census opened; graduate accounts told: "));
    Ok(redirect_with_flash(&format!("/verification/census/{id}"), &message))
}

#[derive(Template)]
#[template(path = "census.html")]
struct ProgressPage {
    l: Locale,
    census: Census,
    rows: Vec<Progress>,
    link: String,
    qr: String,
}

/// A census's figures, live: the province's all, a university's its own, with the link to pass on.
async fn progress_page(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let (_, institution) = whose(&ctx)?;
    let census = census::get(&state.db, id).await?.ok_or(AppError::NotFound)?;
    let rows = census::progress(&state.db, &census, institution).await?;
    if institution.is_some() && rows.is_empty() {
        return Err(AppError::NotFound);
    }
    let link = format!("{}/census/{id}", kernel::web::url::public_base(&state.config, &headers));
    let qr = kernel::qr::svg(&link).unwrap_or_default();
    let title = census.title.clone();
    ctx.page(&title, &ProgressPage { l: ctx.locale, census, rows, link, qr })
}

#[derive(Template)]
#[template(path = "census_answer.html")]
struct AnswerPage<'a> {
    ctx: &'a Ctx,
    l: Locale,
    census: Census,
    open: bool,
    current: outcomes::destinations::Current,
    given: Option<(String, Option<String>)>,
    error: Option<String>,
}

/// The graduate asked by the census, with it.
async fn asked(state: &AppState, ctx: &Ctx, id: i64) -> Result<(Census, i64), AppError> {
    let actor = ctx.require(&[Role::Graduate])?;
    let graduate_id = actor.graduate_id.ok_or(AppError::Forbidden)?;
    let census = census::get(&state.db, id).await?.ok_or(AppError::NotFound)?;
    match census::asks(&state.db, id, graduate_id).await? {
        true => Ok((census, graduate_id)),
        false => Err(AppError::NotFound),
    }
}

async fn answer_of(
    state: &AppState,
    ctx: &Ctx,
    census: Census,
    graduate_id: i64,
    error: Option<String>,
) -> Result<Response, AppError> {
    let current = outcomes::destinations::current(&state.db, graduate_id, ctx.locale).await?;
    let given = census::answer_of(&state.db, census.id, graduate_id).await?;
    let open = census.is_open(time::today_china());
    let title = census.title.clone();
    ctx.page(&title, &AnswerPage { ctx, l: ctx.locale, census, open, current, given, error })
}

async fn answer_page(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, AppError> {
    let (census, graduate_id) = asked(&state, &ctx, id).await?;
    answer_of(&state, &ctx, census, graduate_id, None).await
}

#[derive(Deserialize)]
struct AnswerForm {
    #[serde(default)]
    answer: String,
    #[serde(default)]
    reason: String,
}

async fn answer(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<AnswerForm>,
) -> Result<Response, AppError> {
    let (census, graduate_id) = asked(&state, &ctx, id).await?;
    if !census.is_open(time::today_china()) {
        return Err(AppError::Conflict(ctx.t("本次普查已截止。", "This census has closed.").into()));
    }
    let reason = form.reason.trim();
    let dispute = match form.answer.as_str() {
        "confirm" => None,
        "dispute" if !reason.is_empty() && reason.chars().count() <= 500 => Some(reason),
        _ => {
            let error = ctx.t(
                "请选择「属实」，或写明不属实的情况（不超过 500 字）。",
                "Choose \"correct\", or say what is wrong (at most 500 characters).",
            );
            return answer_of(&state, &ctx, census, graduate_id, Some(error.into())).await;
        }
    };
    let mut tx = state.db.begin().await?;
    if !outcomes::destinations::answer(&mut tx, &ctx.audit_actor(), graduate_id, dispute).await? {
        drop(tx);
        let error =
            ctx.t("学校还没有登记你的毕业去向，请联系学校就业办。", "Your school has not recorded a destination yet.");
        return answer_of(&state, &ctx, census, graduate_id, Some(error.into())).await;
    }
    census::keep_answer(&mut tx, id, graduate_id, dispute).await?;
    tx.commit().await?;
    state.cache.clear();
    Ok(redirect_with_flash(&format!("/census/{id}"), ctx.t("已提交，谢谢。", "Sent; thank you.")))
}
