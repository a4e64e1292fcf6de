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
use kernel::web::{redirect_with_flash, AppError, AppState, CsrfForm, Ctx, FieldErrors, NoFields};
use kernel::{time, Locale};

use super::flow::{Answer, Stage};
use super::{Applicant, Application, Which};
use crate::postings::Posting;

pub fn routes() -> Router<crate::RecruitmentState> {
    Router::new()
        .route("/jobs/{id}/apply", post(apply))
        .route("/recruitment/applications", get(mine_page))
        .route("/recruitment/applications/{id}/withdraw", post(withdraw))
        .route("/recruitment/applications/{id}/answer", post(answer))
        .route("/recruitment/applications/{id}/stage", post(move_stage))
        .route("/recruitment/postings/{id}/applicants", get(applicants_page))
        .route("/recruitment/applications/{id}/agreement", get(agreement_page).post(invite))
        .route("/recruitment/applications/{id}/interview", get(interview_page).post(schedule))
        .route("/recruitment/interviews/{id}/answer", post(answer_interview))
}

async fn apply(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    CsrfForm(_): CsrfForm<NoFields>,
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
    interviews: std::collections::HashMap<i64, super::Interview>,
    total: i64,
    pager: String,
}

#[derive(Deserialize)]
struct PageQuery {
    page: Option<String>,
    stage: Option<String>,
    /// `xlsx` or `csv`: every applicant (in the stage chosen) as a file.
    format: Option<String>,
}

/// 我的申请: where each of the graduate's applications stands, with what it may do.
async fn mine_page(State(state): State<AppState>, ctx: Ctx, Query(q): Query<PageQuery>) -> Result<Response, AppError> {
    ctx.require(&[Role::Graduate])?;
    let scope = ctx.scope();
    let mut paging = Paging::parse(q.page.as_deref());
    let newest_first = Which { newest_first: true, ..Which::default() };
    let mine = super::applicants(&state.db, &scope, newest_first, &mut paging, ctx.locale).await?;
    let rows: Vec<Application> = mine.into_iter().map(|a| a.application).collect();
    let ids: Vec<i64> = rows.iter().map(|a| a.id).collect();
    let interviews = super::latest_interviews(&state.db, &scope, &ids).await?;
    let pager = paging.html(&ListUrl::new("/recruitment/applications", &[]), ctx.locale);
    let page = MinePage { ctx: &ctx, l: ctx.locale, rows, interviews, total: paging.total, pager };
    ctx.page(ctx.t("我的申请", "My applications"), &page)
}

/// The graduate's own application.
async fn own(state: &AppState, ctx: &Ctx, id: i64) -> Result<Application, AppError> {
    ctx.require(&[Role::Graduate])?;
    super::get(&state.db, &ctx.scope(), id).await?.ok_or(AppError::NotFound)
}

/// An application to one of the employer's postings.
async fn employer_application(state: &AppState, ctx: &Ctx, id: i64) -> Result<Application, AppError> {
    ctx.require(&[Role::Employer])?;
    super::get(&state.db, &ctx.scope(), id).await?.ok_or(AppError::NotFound)
}

async fn withdraw(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    CsrfForm(_): CsrfForm<NoFields>,
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
    ctx.require(&[Role::Employer])?;
    crate::postings::owned(&state.db, &ctx.scope(), id, ctx.locale).await?.ok_or(AppError::NotFound)
}

#[derive(Template)]
#[template(path = "applicants.html")]
struct ApplicantsPage<'a> {
    ctx: &'a Ctx,
    l: Locale,
    posting: Posting,
    interviews: std::collections::HashMap<i64, super::Interview>,
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
    if let Some(format) = q.format.as_deref() {
        return download(&state, &ctx, &posting, stage, format).await;
    }
    let scope = ctx.scope();
    let mut paging = Paging::parse(q.page.as_deref());
    let which = Which { posting_id: Some(id), stage, ..Which::default() };
    let mut rows = super::applicants(&state.db, &scope, which, &mut paging, ctx.locale).await?;
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
    let ids: Vec<i64> = rows.iter().map(|r| r.application.id).collect();
    let interviews = super::latest_interviews(&state.db, &scope, &ids).await?;
    let key = stage.map(Stage::key).unwrap_or("");
    let pager =
        paging.html(&ListUrl::new(&format!("/recruitment/postings/{id}/applicants"), &[("stage", key)]), ctx.locale);
    let stages = Stage::ALL.iter().map(|s| (s.key(), s.label(ctx.locale))).collect();
    let title = format!("{}{}", ctx.t("申请人：", "Applicants: "), posting.title);
    let page = ApplicantsPage {
        ctx: &ctx,
        l: ctx.locale,
        posting,
        interviews,
        stage: key,
        stages,
        rows,
        total: paging.total,
        pager,
    };
    ctx.page(&title, &page)
}

#[derive(Deserialize)]
struct StageForm {
    #[serde(default)]
    to: String,
    /// Where to go back to (an online booth's desk); the posting's applicants otherwise.
    next: Option<String>,
}

async fn move_stage(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<StageForm>,
) -> Result<Response, AppError> {
    let a = employer_application(&state, &ctx, id).await?;
    let to = Stage::parse(&form.to).filter(|to| a.stage.employer_moves().contains(to)).ok_or_else(|| {
        AppError::Conflict(
            ctx.t("申请的进度已变化，请刷新后再操作。", "The application has moved on; reload and try again.").into(),
        )
    })?;
    let mut tx = state.db.begin().await?;
    super::move_to(&mut tx, &ctx.audit_actor(), &a, to, None).await?;
    tx.commit().await?;
    let back = match form.next.as_deref() {
        Some(next) => kernel::web::url::safe_next(Some(next)),
        None => format!("/recruitment/postings/{}/applicants", a.posting_id),
    };
    Ok(redirect_with_flash(&back, &format!("{}{}", ctx.t("已更新为：", "Moved to: "), to.label(ctx.locale))))
}

#[derive(Template)]
#[template(path = "offer_agreement.html")]
struct AgreementPage<'a> {
    ctx: &'a Ctx,
    l: Locale,
    application: Application,
    graduate: String,
    form: outcomes::agreements::Invitation,
    errors: FieldErrors,
}

/// The employer's application whose offer the graduate accepted, with the graduate it names.
async fn hired(state: &AppState, ctx: &Ctx, id: i64) -> Result<(Application, registry::graduates::Graduate), AppError> {
    let a = employer_application(state, ctx, id).await?;
    if a.stage != Stage::Hired {
        let message =
            ctx.t("毕业生接受录用意向后才能发起签约。", "You can invite once the graduate has accepted the offer.");
        return Err(AppError::Conflict(message.into()));
    }
    let graduate = registry::graduates::by_id(&state.db, a.graduate_id).await?.ok_or(AppError::NotFound)?;
    Ok((a, graduate))
}

/// 发起网上签约 from an accepted offer: the graduate is known, the offer's terms prefilled.
async fn agreement_page(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, AppError> {
    let (application, graduate) = hired(&state, &ctx, id).await?;
    let posting = own_posting(&state, &ctx, application.posting_id).await?;
    let mut form = outcomes::agreements::Invitation {
        position_title: posting.title.clone(),
        work_region_code: posting.region_codes.first().cloned().unwrap_or_default(),
        ..Default::default()
    };
    if let (Some(min), Some(max)) = posting.salary.columns() {
        form.terms.monthly_salary = if min == max { min.to_string() } else { format!("{min}-{max}") };
    }
    render_agreement(&ctx, application, &graduate, form, FieldErrors::default())
}

fn render_agreement(
    ctx: &Ctx,
    application: Application,
    graduate: &registry::graduates::Graduate,
    form: outcomes::agreements::Invitation,
    errors: FieldErrors,
) -> Result<Response, AppError> {
    let who = format!("{} · {} {}", graduate.name, graduate.institution, graduate.major);
    let page = AgreementPage { ctx, l: ctx.locale, application, graduate: who, form, errors };
    ctx.page(ctx.t("发起网上签约", "Invite to sign online"), &page)
}

async fn invite(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<outcomes::agreements::Invitation>,
) -> Result<Response, AppError> {
    let (application, graduate) = hired(&state, &ctx, id).await?;
    let actor = ctx.actor()?;
    if let Some(status) = registry::employers::held_back(&state.db, actor, ctx.locale).await? {
        return Err(AppError::Conflict(format!("{}{status}", ctx.t("单位审核状态：", "Review status: "))));
    }
    let mut tx = state.db.begin().await?;
    let who = ctx.audit_actor();
    match outcomes::agreements::invite_graduate(&mut tx, &who, application.employer_id, &graduate, &form, ctx.locale)
        .await?
    {
        Ok(agreement) => {
            tx.commit().await?;
            state.cache.clear();
            let message = ctx.t(
                "签约邀请已发出，毕业生会在“网上签约”中看到。",
                "Invitation sent; the graduate finds it under Online agreements.",
            );
            Ok(redirect_with_flash(&format!("/agreements/{agreement}"), message))
        }
        Err(errors) => {
            drop(tx);
            render_agreement(&ctx, application, &graduate, form, errors)
        }
    }
}

/// The employer's own application, at a stage an interview may be proposed.
async fn to_interview(state: &AppState, ctx: &Ctx, id: i64) -> Result<Application, AppError> {
    let a = employer_application(state, ctx, id).await?;
    if !super::may_schedule(a.stage) {
        let message = ctx.t("初筛通过后才能安排面试。", "Shortlist the applicant before proposing an interview.");
        return Err(AppError::Conflict(message.into()));
    }
    Ok(a)
}

#[derive(Template)]
#[template(path = "interview_form.html")]
struct InterviewPage<'a> {
    ctx: &'a Ctx,
    l: Locale,
    application: Application,
    form: super::interview::InterviewForm,
    errors: FieldErrors,
}

async fn interview_page(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, AppError> {
    let application = to_interview(&state, &ctx, id).await?;
    let page = InterviewPage {
        ctx: &ctx,
        l: ctx.locale,
        application,
        form: Default::default(),
        errors: FieldErrors::default(),
    };
    ctx.page(ctx.t("安排面试", "Propose an interview"), &page)
}

async fn schedule(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<super::interview::InterviewForm>,
) -> Result<Response, AppError> {
    let application = to_interview(&state, &ctx, id).await?;
    let proposal = match super::interview::check(&form, chrono::Utc::now(), ctx.locale) {
        Ok(p) => p,
        Err(errors) => {
            let page = InterviewPage { ctx: &ctx, l: ctx.locale, application, form, errors };
            return ctx.page(ctx.t("安排面试", "Propose an interview"), &page);
        }
    };
    let mut tx = state.db.begin().await?;
    super::schedule(&mut tx, &ctx.audit_actor(), &application, &proposal).await?;
    tx.commit().await?;
    let back = format!("/recruitment/postings/{}/applicants", application.posting_id);
    Ok(redirect_with_flash(&back, ctx.t("面试安排已发给毕业生。", "The interview was sent to the graduate.")))
}

#[derive(Deserialize)]
struct InterviewAnswerForm {
    #[serde(default)]
    answer: String,
    #[serde(default)]
    note: String,
}

/// The graduate accepts the proposed time or asks for another.
async fn answer_interview(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<InterviewAnswerForm>,
) -> Result<Response, AppError> {
    use super::interview::Answer as Reply;
    ctx.require(&[Role::Graduate])?;
    let i = super::interview(&state.db, &ctx.scope(), id).await?.ok_or(AppError::NotFound)?;
    let a = own(&state, &ctx, i.application_id).await?;
    let latest = super::latest_interviews(&state.db, &ctx.scope(), &[a.id]).await?;
    if latest.get(&a.id).map(|l| l.id) != Some(i.id) || a.stage != Stage::Interview {
        return Err(AppError::Conflict(
            ctx.t(
                "这次面试安排已被更新，请刷新后再答复。",
                "This interview was replaced; reload and answer the new one.",
            )
            .into(),
        ));
    }
    let answer = Reply::parse(&form.answer).filter(|r| *r != Reply::Pending).ok_or_else(|| {
        AppError::BadRequest(ctx.t("请选择确认或申请改期。", "Choose accept or ask for another time.").to_owned())
    })?;
    let note: String = form.note.trim().chars().take(500).collect();
    let note = Some(note.as_str()).filter(|n| !n.is_empty());
    let mut tx = state.db.begin().await?;
    super::answer_interview(&mut tx, &ctx.audit_actor(), &a, &i, answer, note).await?;
    tx.commit().await?;
    let message = match answer {
        Reply::Accepted => ctx.t("已确认面试。", "Interview accepted."),
        _ => ctx.t("已申请改期，单位会重新安排。", "Another time asked; the employer will propose one."),
    };
    Ok(redirect_with_flash("/recruitment/applications", message))
}

/// A posting's applicants as a file, for the employer's own records.
async fn download(
    state: &AppState,
    ctx: &Ctx,
    posting: &Posting,
    stage: Option<Stage>,
    format: &str,
) -> Result<Response, AppError> {
    let l = ctx.locale;
    let mut everything = Paging::everything();
    let which = Which { posting_id: Some(posting.id), stage, ..Which::default() };
    let applicants = super::applicants(&state.db, &ctx.scope(), which, &mut everything, l).await?;
    let mut rows = vec![[
        l.pick("姓名", "Name"),
        l.pick("性别", "Gender"),
        l.pick("学校", "Institution"),
        l.pick("院系", "College"),
        l.pick("专业", "Major"),
        l.pick("学历", "Education"),
        l.pick("手机号", "Mobile"),
        l.pick("进度", "Stage"),
        l.pick("投递时间", "Applied"),
    ]
    .map(str::to_owned)
    .to_vec()];
    rows.extend(applicants.iter().map(|a| {
        vec![
            a.name.clone(),
            a.gender.clone(),
            a.institution.clone(),
            a.college.clone(),
            a.major.clone(),
            a.education_level.clone(),
            a.phone.clone(),
            a.application.stage.label(l).to_owned(),
            time::display(&a.application.applied_at),
        ]
    }));
    let stem = format!("{}-{}", l.pick("申请人", "applicants"), posting.id);
    kernel::web::export::download(&rows, format, &stem, l.pick("申请人", "Applicants"), None)
}
