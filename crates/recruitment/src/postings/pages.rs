//! Posting pages: the public job list and a posting's page (anyone, no
//! account needed), the employer's postings with their form, and the
//! reviewers' queue.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use chrono::NaiveDate;
use serde::Deserialize;

use kernel::auth::{Actor, Role};
use kernel::web::table::{ListUrl, Paging};
use kernel::web::{redirect_with_flash, AppError, AppState, CsrfForm, Ctx, FieldErrors, NoFields};
use kernel::{time, Locale};

use super::rules::{self, Decision, PostingForm, Status};
use super::{Choices, Posting, Reviewer};

pub fn routes() -> Router<crate::RecruitmentState> {
    Router::new()
        .route("/jobs/{id}", get(detail_page))
        .route("/recruitment/postings", get(own_page).post(create))
        .route("/recruitment/postings/new", get(new_page))
        .route("/recruitment/postings/{id}/edit", get(edit_page).post(edit))
        .route("/recruitment/postings/{id}/withdraw", post(withdraw))
        .route("/recruitment/postings/{id}/review", post(review))
        .route("/recruitment/review", get(queue_page))
}

#[derive(Template)]
#[template(path = "job.html")]
struct DetailPage<'a> {
    ctx: &'a Ctx,
    l: Locale,
    p: Posting,
    today: NaiveDate,
    is_owner: bool,
    can_review: bool,
    hints: Vec<String>,
    errors: FieldErrors,
    /// A graduate viewer's application to this posting, if any.
    application: Option<crate::applications::Application>,
    /// To a graduate of another university, why it may not apply to a campus channel's posting.
    campus_only: Option<String>,
    /// The viewer is a graduate who may apply (not yet applied, posting open, its campus if a channel's).
    can_apply: bool,
    /// Anonymous visitors are asked to log in to apply.
    anonymous: bool,
}

/// Whether a viewer may see a posting that is not open to all: its employer and its reviewers.
fn sees_unpublished(actor: Option<&Actor>, p: &Posting) -> (bool, bool) {
    let is_owner = actor.is_some_and(|a| a.role == Role::Employer && a.employer_id == Some(p.employer_id));
    let can_review = actor.is_some_and(|a| rules::may_review(a, p.channel_institution_id));
    (is_owner, can_review)
}

async fn load(state: &AppState, ctx: &Ctx, id: i64) -> Result<(Posting, bool, bool), AppError> {
    let p = super::get(&state.db, id, ctx.locale).await?.ok_or(AppError::NotFound)?;
    let (is_owner, can_review) = sees_unpublished(ctx.actor.as_ref(), &p);
    // Anyone else learns nothing of a posting that is not published, not even that it exists.
    if !(is_owner || can_review || p.status == Status::Approved) {
        return Err(AppError::NotFound);
    }
    Ok((p, is_owner, can_review))
}

async fn detail_page(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, AppError> {
    let (p, is_owner, can_review) = load(&state, &ctx, id).await?;
    let counts = !is_owner && p.status == Status::Approved;
    let page = render_detail(&state, &ctx, p, (is_owner, can_review), FieldErrors::default()).await?;
    if counts {
        count_view(&state, &ctx, id).await;
    }
    Ok(page)
}

/// Counts a view of a published posting by someone other than its employer: by
/// account, or for a visitor by its browser's CSRF cookie, each as a keyed
/// pseudonym that changes with the day. A failure costs a view, not the page.
async fn count_view(state: &AppState, ctx: &Ctx, id: i64) {
    let who = match &ctx.actor {
        Some(a) => format!("account:{}", a.account_id),
        None if !ctx.csrf.is_empty() => format!("browser:{}", ctx.csrf),
        None => return,
    };
    let day = time::today_china();
    let result: Result<(), AppError> = async {
        let viewer = super::viewer(state.signing_key().await?, day, &who);
        Ok(super::count_view(&state.db, id, day, &viewer).await?)
    }
    .await;
    if let Err(e) = result {
        tracing::warn!(posting = id, error = %e, "a posting view was not counted");
    }
}

/// A posting's page for a viewer `load` admitted, as (is_owner, can_review).
async fn render_detail(
    state: &AppState,
    ctx: &Ctx,
    p: Posting,
    (is_owner, can_review): (bool, bool),
    errors: FieldErrors,
) -> Result<Response, AppError> {
    let hints = match can_review {
        true => super::hints(&state.db, std::slice::from_ref(&p)).await?.remove(&p.id).unwrap_or_default(),
        false => Vec::new(),
    };
    let hints = hints.iter().map(|h| h.label(ctx.locale)).collect();
    let today = time::today_china();
    let graduate = ctx.actor.as_ref().filter(|a| a.role == Role::Graduate).and_then(|a| a.graduate_id);
    let application = match graduate {
        Some(graduate_id) => crate::applications::of_graduate_for(&state.db, graduate_id, p.id).await?,
        None => None,
    };
    let campus_only = match (graduate, p.channel.as_deref()) {
        (Some(graduate_id), Some(university)) if application.is_none() => {
            let institution = crate::applications::institution_of(&state.db, graduate_id).await?;
            let allowed = institution.is_some_and(|i| crate::applications::may_apply_from(&p, i));
            (!allowed).then(|| crate::applications::campus_only(university, ctx.locale))
        }
        _ => None,
    };
    let can_apply = graduate.is_some() && application.is_none() && campus_only.is_none() && p.is_open(today);
    let anonymous = ctx.actor.is_none();
    let title = p.title.clone();
    let page = DetailPage {
        ctx,
        l: ctx.locale,
        p,
        today,
        is_owner,
        can_review,
        hints,
        errors,
        application,
        campus_only,
        can_apply,
        anonymous,
    };
    ctx.page(&title, &page)
}

#[derive(Template)]
#[template(path = "postings.html")]
struct OwnPage {
    l: Locale,
    postings: Vec<Posting>,
    counts: std::collections::HashMap<i64, crate::applications::Counts>,
    /// 浏览: views of each posting's public page by others.
    views: std::collections::HashMap<i64, i64>,
    total: i64,
    pager: String,
    held_back: Option<&'static str>,
    today: NaiveDate,
}

#[derive(Deserialize)]
struct PageQuery {
    page: Option<String>,
}

/// 我的岗位: the employer's postings, with where each stands and why.
async fn own_page(State(state): State<AppState>, ctx: Ctx, Query(q): Query<PageQuery>) -> Result<Response, AppError> {
    let actor = ctx.require(&[Role::Employer])?;
    let scope = ctx.scope();
    let mut paging = Paging::parse(q.page.as_deref());
    let postings = super::owned_list(&state.db, &scope, &mut paging, ctx.locale).await?;
    let pager = paging.html(&ListUrl::new("/recruitment/postings", &[]), ctx.locale);
    let held_back = registry::employers::held_back(&state.db, actor, ctx.locale).await?;
    let counts = crate::applications::counts(&state.db, &scope).await?;
    let views = super::views(&state.db, &scope).await?;
    let today = time::today_china();
    let page = OwnPage { l: ctx.locale, postings, counts, views, total: paging.total, pager, held_back, today };
    ctx.page(ctx.t("我的岗位", "My postings"), &page)
}

/// A code picker of the form: (field, label zh, label en, choices, chosen).
type Picker<'a> = (&'static str, &'static str, &'static str, &'a Vec<(String, String)>, &'a str);

#[derive(Template)]
#[template(path = "posting_form.html")]
struct FormPage<'a> {
    ctx: &'a Ctx,
    l: Locale,
    /// `None`: a new posting.
    id: Option<i64>,
    form: PostingForm,
    errors: FieldErrors,
    choices: Choices,
}

impl OwnPage {
    fn count(&self, id: &i64) -> crate::applications::Counts {
        self.counts.get(id).copied().unwrap_or_default()
    }
    fn views_of(&self, id: &i64) -> i64 {
        self.views.get(id).copied().unwrap_or_default()
    }
}

impl FormPage<'_> {
    fn action(&self) -> String {
        match self.id {
            Some(id) => format!("/recruitment/postings/{id}/edit"),
            None => "/recruitment/postings".to_owned(),
        }
    }
    fn region_chosen(&self, code: &str) -> bool {
        self.form.region_codes.iter().any(|c| c == code)
    }
    /// (field, label zh, label en, choices, chosen) of the code pickers.
    fn selects(&self) -> Vec<Picker<'_>> {
        vec![
            ("position_code", "职位类别", "Position category", &self.choices.positions, &self.form.position_code),
            ("industry_code", "行业", "Industry", &self.choices.industries, &self.form.industry_code),
        ]
    }
    /// (field, label zh, label en, value, inputmode) of the one-line fields.
    fn inputs(&self) -> Vec<(&'static str, &'static str, &'static str, &str, &'static str)> {
        let f = &self.form;
        vec![
            ("headcount", "招聘人数", "Openings", &f.headcount, "numeric"),
            (
                "salary_min",
                "最低月薪（元；面议则两项都留空）",
                "Lowest monthly pay (yuan; both empty for negotiable)",
                &f.salary_min,
                "numeric",
            ),
            ("salary_max", "最高月薪（元）", "Highest monthly pay (yuan)", &f.salary_max, "numeric"),
            ("contact_name", "联系人", "Contact", &f.contact_name, "text"),
            ("contact_phone", "联系电话", "Phone", &f.contact_phone, "tel"),
            ("deadline", "截止日期（如 2022-06-30）", "Apply by (e.g. 2022-06-30)", &f.deadline, "text"),
            (
                "notice_url",
                "招考公告链接（公共部门岗位必填）",
                "Recruitment notice link (public-sector posts)",
                &f.notice_url,
                "url",
            ),
        ]
    }
}

/// An approved employer's account; one still under review is told so.
async fn posting_employer<'a>(state: &AppState, ctx: &'a Ctx) -> Result<(&'a Actor, i64), AppError> {
    let actor = ctx.require(&[Role::Employer])?;
    let employer_id = actor.employer_id.ok_or(AppError::Forbidden)?;
    if let Some(status) = registry::employers::held_back(&state.db, actor, ctx.locale).await? {
        let message = format!(
            "{}{status}{}",
            ctx.t("单位审核状态：", "Review status: "),
            ctx.t("。单位通过审核后才能发布岗位。", ". Your organisation can post jobs once it is approved.")
        );
        return Err(AppError::Conflict(message));
    }
    Ok((actor, employer_id))
}

async fn form_page(
    ctx: &Ctx,
    state: &AppState,
    id: Option<i64>,
    form: PostingForm,
    errors: FieldErrors,
) -> Result<Response, AppError> {
    let choices = Choices::load(&state.db, ctx.locale).await?;
    let title = match id {
        Some(_) => ctx.t("修改岗位", "Edit the posting"),
        None => ctx.t("发布岗位", "Post a job"),
    };
    ctx.page(title, &FormPage { ctx, l: ctx.locale, id, form, errors, choices })
}

async fn new_page(State(state): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    let (actor, _) = posting_employer(&state, &ctx).await?;
    let form =
        PostingForm { contact_name: actor.display_name.clone(), headcount: "1".into(), ..PostingForm::default() };
    form_page(&ctx, &state, None, form, FieldErrors::default()).await
}

async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let (_, employer_id) = posting_employer(&state, &ctx).await?;
    let form = PostingForm::from_pairs(&pairs);
    let allowed = super::allowed(&state.db).await?;
    let checked = match rules::check(&form, &allowed, time::today_china(), ctx.locale) {
        Ok(c) => c,
        Err(errors) => return form_page(&ctx, &state, None, form, errors).await,
    };
    let mut tx = state.db.begin().await?;
    let id = super::create(&mut tx, &ctx.audit_actor(), employer_id, &checked).await?;
    tx.commit().await?;
    let message = ctx.t("岗位已提交，审核通过后发布。", "Posting sent for review; it is published once approved.");
    Ok(redirect_with_flash(&format!("/jobs/{id}"), message))
}

/// The employer's own posting, in a state it may edit.
async fn own_posting(state: &AppState, ctx: &Ctx, id: i64) -> Result<Posting, AppError> {
    posting_employer(state, ctx).await?;
    super::owned(&state.db, &ctx.scope(), id, ctx.locale).await?.ok_or(AppError::NotFound)
}

async fn edit_page(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, AppError> {
    let p = own_posting(&state, &ctx, id).await?;
    if !p.status.editable() {
        return Err(AppError::Conflict(
            ctx.t("已撤回的岗位不能再修改。", "A withdrawn posting cannot be edited.").into(),
        ));
    }
    form_page(&ctx, &state, Some(id), p.form(), FieldErrors::default()).await
}

async fn edit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let p = own_posting(&state, &ctx, id).await?;
    if !p.status.editable() {
        return Err(AppError::Conflict(
            ctx.t("已撤回的岗位不能再修改。", "A withdrawn posting cannot be edited.").into(),
        ));
    }
    let form = PostingForm::from_pairs(&pairs);
    let allowed = super::allowed(&state.db).await?;
    let checked = match rules::check(&form, &allowed, time::today_china(), ctx.locale) {
        Ok(c) => c,
        Err(errors) => return form_page(&ctx, &state, Some(id), form, errors).await,
    };
    let mut tx = state.db.begin().await?;
    super::update(&mut tx, &ctx.audit_actor(), id, &p, &checked).await?;
    tx.commit().await?;
    let message =
        ctx.t("修改已提交，重新审核通过后发布。", "Changes sent; the posting is published again once approved.");
    Ok(redirect_with_flash(&format!("/jobs/{id}"), message))
}

async fn withdraw(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> Result<Response, AppError> {
    let p = own_posting(&state, &ctx, id).await?;
    if !p.status.withdrawable() {
        return Err(AppError::Conflict(
            ctx.t("该岗位已撤回或已下架。", "This posting is already withdrawn or taken down.").into(),
        ));
    }
    let mut tx = state.db.begin().await?;
    super::withdraw(&mut tx, &ctx.audit_actor(), &p).await?;
    tx.commit().await?;
    Ok(redirect_with_flash("/recruitment/postings", ctx.t("岗位已撤回。", "Posting withdrawn.")))
}

#[derive(Deserialize)]
struct ReviewForm {
    #[serde(default)]
    decision: String,
    #[serde(default)]
    reason: String,
}

/// How long a reason may be: the employer reads it beside the posting.
const REASON_CHARS: usize = 500;

async fn review(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<ReviewForm>,
) -> Result<Response, AppError> {
    let actor = ctx.require(&[Role::ProvinceAdmin, Role::UniversityStaff])?;
    let (p, _, can_review) = load(&state, &ctx, id).await?;
    if !can_review {
        return Err(AppError::Forbidden);
    }
    let decision = Decision::parse(&form.decision)
        .ok_or_else(|| AppError::BadRequest(ctx.t("请选择审核结果。", "Choose a decision.").to_owned()))?;
    let Some(to) = decision.leads_to(p.status) else {
        return Err(AppError::Conflict(
            ctx.t("岗位状态已变化，请刷新后再审核。", "The posting has changed; reload and review again.").into(),
        ));
    };
    let reason = form.reason.trim();
    if decision.needs_reason() && (reason.is_empty() || reason.chars().count() > REASON_CHARS) {
        let mut errors = FieldErrors::default();
        errors.add(
            "reason",
            ctx.t(
                "请写明原因（不超过 500 字），单位会看到它。",
                "Give the reason (at most 500 characters); the employer will see it.",
            ),
        );
        return render_detail(&state, &ctx, p, (false, can_review), errors).await;
    }
    let reason = Some(reason).filter(|r| decision.needs_reason() && !r.is_empty());
    let mut tx = state.db.begin().await?;
    super::review(&mut tx, &ctx.audit_actor(), actor.account_id, &p, to, reason).await?;
    tx.commit().await?;
    let message = match to {
        Status::Approved => ctx.t("已发布。", "Published."),
        Status::Rejected => ctx.t("已退回，单位会看到原因。", "Rejected; the employer will see the reason."),
        _ => ctx.t("已下架，单位会看到原因。", "Taken down; the employer will see the reason."),
    };
    Ok(redirect_with_flash("/recruitment/review", message))
}

#[derive(Template)]
#[template(path = "review.html")]
struct QueuePage {
    l: Locale,
    status: Status,
    statuses: Vec<(&'static str, &'static str)>,
    rows: Vec<(Posting, Vec<String>)>,
    total: i64,
    pager: String,
}

#[derive(Deserialize)]
struct QueueQuery {
    status: Option<String>,
    page: Option<String>,
}

fn reviewer(actor: &Actor) -> Result<Reviewer, AppError> {
    match (actor.role, actor.institution_id, actor.college_id) {
        (Role::ProvinceAdmin, _, _) => Ok(Reviewer::Province),
        (Role::UniversityStaff, Some(institution_id), None) => Ok(Reviewer::Campus(institution_id)),
        _ => Err(AppError::Forbidden),
    }
}

/// 岗位审核: postings waiting (or in another state), with hints beside each.
async fn queue_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<QueueQuery>,
) -> Result<Response, AppError> {
    let actor = ctx.require(&[Role::ProvinceAdmin, Role::UniversityStaff])?;
    let reviewer = reviewer(actor)?;
    let status = q.status.as_deref().and_then(Status::parse).unwrap_or(Status::Pending);
    let mut paging = Paging::parse(q.page.as_deref());
    let postings = super::queue(&state.db, reviewer, status, &mut paging, ctx.locale).await?;
    let mut hints = super::hints(&state.db, &postings).await?;
    let rows = postings
        .into_iter()
        .map(|p| {
            let labels = hints.remove(&p.id).unwrap_or_default().iter().map(|h| h.label(ctx.locale)).collect();
            (p, labels)
        })
        .collect();
    let pager = paging.html(&ListUrl::new("/recruitment/review", &[("status", status.key())]), ctx.locale);
    let statuses = Status::ALL.iter().map(|s| (s.key(), s.label(ctx.locale))).collect();
    let page = QueuePage { l: ctx.locale, status, statuses, rows, total: paging.total, pager };
    ctx.page(ctx.t("岗位审核", "Review postings"), &page)
}
