//! Application pages: the graduate applies from a posting's page and follows
//! its applications (我的申请); the employer reads a posting's applicants and
//! moves each through its stages.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;

use kernel::auth::Role;
use kernel::web::table::{ListUrl, Paging};
use kernel::web::{redirect_with_flash, AppError, AppState, CsrfForm, Ctx};
use kernel::{time, Locale};

use super::flow::{Answer, Stage};
use super::{Applicant, Application};
use crate::postings::Posting;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/jobs/{id}/apply", post(apply))
        .route("/recruitment/applications", get(mine_page))
        .route("/recruitment/applications/{id}/withdraw", post(withdraw))
        .route("/recruitment/applications/{id}/answer", post(answer))
        .route("/recruitment/applications/{id}/stage", post(move_stage))
        .route("/recruitment/postings/{id}/applicants", get(applicants_page))
}

#[derive(Deserialize)]
struct Nothing {}

async fn apply(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    CsrfForm(_): CsrfForm<Nothing>,
) -> Result<Response, AppError> {
    let actor = ctx.require(&[Role::Graduate])?;
    let graduate_id = actor.graduate_id.ok_or(AppError::Forbidden)?;
    let posting = crate::postings::get(&state.db, id, ctx.locale).await?.ok_or(AppError::NotFound)?;
    if posting.status != crate::postings::rules::Status::Approved {
        return Err(AppError::NotFound);
    }
    let mut tx = state.db.begin().await?;
    match super::apply(&mut tx, &ctx.audit_actor(), &posting, graduate_id, time::today_china()).await? {
        Ok(_) => {
            tx.commit().await?;
            let message =
                ctx.t("已投递，单位处理后你会在“我的申请”里看到进度。", "Applied; follow it under My applications.");
            Ok(redirect_with_flash(&format!("/jobs/{id}"), message))
        }
        Err(refusal) => {
            drop(tx);
            Ok(redirect_with_flash(&format!("/jobs/{id}"), &refusal.message(ctx.locale)))
        }
    }
}

#[derive(Template)]
#[template(path = "applications.html")]
struct MinePage<'a> {
    ctx: &'a Ctx,
    l: Locale,
    rows: Vec<Application>,
    total: i64,
    pager: String,
}

#[derive(Deserialize)]
struct PageQuery {
    page: Option<String>,
    stage: Option<String>,
}

/// 我的申请: where each of the graduate's applications stands, with what it may do.
async fn mine_page(State(state): State<AppState>, ctx: Ctx, Query(q): Query<PageQuery>) -> Result<Response, AppError> {
    let actor = ctx.require(&[Role::Graduate])?;
    let graduate_id = actor.graduate_id.ok_or(AppError::Forbidden)?;
    let mut paging = Paging::parse(q.page.as_deref());
    let rows = super::of_graduate(&state.db, graduate_id, &mut paging).await?;
    let pager = paging.html(&ListUrl::new("/recruitment/applications", &[]), ctx.locale);
    let page = MinePage { ctx: &ctx, l: ctx.locale, rows, total: paging.total, pager };
    ctx.page(ctx.t("我的申请", "My applications"), &page)
}

/// The graduate's own application.
async fn own(state: &AppState, ctx: &Ctx, id: i64) -> Result<Application, AppError> {
    let actor = ctx.require(&[Role::Graduate])?;
    let a = super::get(&state.db, id).await?.ok_or(AppError::NotFound)?;
    if Some(a.graduate_id) != actor.graduate_id {
        return Err(AppError::NotFound);
    }
    Ok(a)
}

async fn withdraw(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    CsrfForm(_): CsrfForm<Nothing>,
) -> Result<Response, AppError> {
    let a = own(&state, &ctx, id).await?;
    if !a.stage.withdrawable() {
        return Err(AppError::Conflict(
            ctx.t("这份申请已有结果，不能撤回。", "This application is decided; it cannot be withdrawn.").into(),
        ));
    }
    let mut tx = state.db.begin().await?;
    super::move_to(&mut tx, &ctx.audit_actor(), &a, Stage::Withdrawn, None).await?;
    tx.commit().await?;
    Ok(redirect_with_flash("/recruitment/applications", ctx.t("申请已撤回。", "Application withdrawn.")))
}

#[derive(Deserialize)]
struct AnswerForm {
    #[serde(default)]
    answer: String,
}

async fn answer(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<AnswerForm>,
) -> Result<Response, AppError> {
    let a = own(&state, &ctx, id).await?;
    let answer = Answer::parse(&form.answer)
        .ok_or_else(|| AppError::BadRequest(ctx.t("请选择接受或婉拒。", "Choose accept or decline.").to_owned()))?;
    let Some(to) = answer.leads_to(a.stage) else {
        return Err(AppError::Conflict(
            ctx.t("这份申请没有待答复的录用意向。", "This application has no offer to answer.").into(),
        ));
    };
    let mut tx = state.db.begin().await?;
    super::move_to(&mut tx, &ctx.audit_actor(), &a, to, None).await?;
    tx.commit().await?;
    let message = match answer {
        Answer::Accept => ctx.t(
            "已接受录用意向，单位会向你发起网上签约。",
            "Offer accepted; the employer will invite you to sign online.",
        ),
        Answer::Decline => ctx.t("已婉拒录用意向。", "Offer declined."),
    };
    Ok(redirect_with_flash("/recruitment/applications", message))
}

/// The employer's own posting.
async fn own_posting(state: &AppState, ctx: &Ctx, id: i64) -> Result<Posting, AppError> {
    let actor = ctx.require(&[Role::Employer])?;
    let p = crate::postings::get(&state.db, id, ctx.locale).await?.ok_or(AppError::NotFound)?;
    if Some(p.employer_id) != actor.employer_id {
        return Err(AppError::NotFound);
    }
    Ok(p)
}

#[derive(Template)]
#[template(path = "applicants.html")]
struct ApplicantsPage<'a> {
    ctx: &'a Ctx,
    l: Locale,
    posting: Posting,
    /// The stage shown, or "" for all.
    stage: &'static str,
    stages: Vec<(&'static str, &'static str)>,
    rows: Vec<Applicant>,
    total: i64,
    pager: String,
}

/// A posting's applicants; those received are marked viewed as the employer opens them.
async fn applicants_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<PageQuery>,
) -> Result<Response, AppError> {
    let posting = own_posting(&state, &ctx, id).await?;
    let stage = q.stage.as_deref().and_then(Stage::parse);
    let mut paging = Paging::parse(q.page.as_deref());
    let mut rows = super::applicants(&state.db, id, stage, &mut paging, ctx.locale).await?;
    let unseen: Vec<&Applicant> = rows.iter().filter(|r| r.application.stage == Stage::Received).collect();
    if !unseen.is_empty() {
        let mut tx = state.db.begin().await?;
        for r in unseen {
            super::move_to(&mut tx, &ctx.audit_actor(), &r.application, Stage::Viewed, None).await?;
        }
        tx.commit().await?;
        for r in rows.iter_mut().filter(|r| r.application.stage == Stage::Received) {
            r.application.stage = Stage::Viewed;
        }
    }
    let key = stage.map(Stage::key).unwrap_or("");
    let pager =
        paging.html(&ListUrl::new(&format!("/recruitment/postings/{id}/applicants"), &[("stage", key)]), ctx.locale);
    let stages = Stage::ALL.iter().map(|s| (s.key(), s.label(ctx.locale))).collect();
    let title = format!("{}{}", ctx.t("申请人：", "Applicants: "), posting.title);
    let page =
        ApplicantsPage { ctx: &ctx, l: ctx.locale, posting, stage: key, stages, rows, total: paging.total, pager };
    ctx.page(&title, &page)
}

#[derive(Deserialize)]
struct StageForm {
    #[serde(default)]
    to: String,
}

async fn move_stage(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<StageForm>,
) -> Result<Response, AppError> {
    let actor = ctx.require(&[Role::Employer])?;
    let a = super::get(&state.db, id).await?.ok_or(AppError::NotFound)?;
    if Some(a.employer_id) != actor.employer_id {
        return Err(AppError::NotFound);
    }
    let to = Stage::parse(&form.to).filter(|to| a.stage.employer_moves().contains(to)).ok_or_else(|| {
        AppError::Conflict(
            ctx.t("申请的进度已变化，请刷新后再操作。", "The application has moved on; reload and try again.").into(),
        )
    })?;
    let mut tx = state.db.begin().await?;
    super::move_to(&mut tx, &ctx.audit_actor(), &a, to, None).await?;
    tx.commit().await?;
    let back = format!("/recruitment/postings/{}/applicants", a.posting_id);
    Ok(redirect_with_flash(&back, &format!("{}{}", ctx.t("已更新为：", "Moved to: "), to.label(ctx.locale))))
}
