//! The mentor pool's pages: the published list (/training/mentors, by kind,
//! field and institution), a mentor's page with residencies, secondments and
//! reviews, the recommendation form of a university office or an employer
//! (/training/mentors/recommend), the province's review (/training/mentors/review:
//! approve, reject, the yearly review) and mentors active per institution
//! (/training/mentors/activity). Thin handlers: rules in `rules`, SQL in `pool`.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use chrono::Datelike;
use serde::Deserialize;

use kernel::auth::{Actor, Role};
use kernel::codes::Code;
use kernel::web::{redirect_with_flash, AppError, AppState, CsrfForm, Ctx};
use kernel::{time, Locale};

use super::pool::{self, Active, Filter, Mentor, Posting, Review};
use super::rules::{self, Activity, PostingForm, RecommendForm, Recommender};
use super::slots::{self, Slot};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/training/mentors", get(list))
        .route("/training/mentors/recommend", get(recommend_page).post(recommend))
        .route("/training/mentors/review", get(review_page))
        .route("/training/mentors/activity", get(activity_page))
        .route("/training/mentors/{id}", get(detail))
        .route("/training/mentors/{id}/decide", post(decide))
        .route("/training/mentors/{id}/yearly", post(yearly))
        .route("/training/mentors/{id}/postings", post(add_posting))
}

const EVERYONE: &[Role] = &[Role::ProvinceAdmin, Role::UniversityStaff, Role::Employer, Role::Graduate, Role::Expert];

/// The signed-in account as a recommender: a university office (its institution) or an employer.
fn recommender(actor: &Actor) -> Option<Recommender> {
    match (actor.role, actor.institution_id, actor.employer_id) {
        (Role::UniversityStaff, Some(i), _) => Some(Recommender::Institution(i)),
        (Role::Employer, _, Some(e)) => Some(Recommender::Employer(e)),
        _ => None,
    }
}

async fn fields(state: &AppState) -> Result<Vec<Code>, AppError> {
    Ok(kernel::codes::list_cached(&state.db, &state.cache, rules::FIELDS, kernel::codes::BASE_VERSION)
        .await?
        .as_ref()
        .clone())
}

fn field_names(codes: &[Code], m: &Mentor, l: Locale) -> String {
    m.fields
        .iter()
        .map(|f| codes.iter().find(|c| &c.code == f).map_or(f.as_str(), |c| c.label(l)))
        .collect::<Vec<_>>()
        .join("、")
}

#[derive(Deserialize, Default)]
struct ListQuery {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    field: String,
    #[serde(default)]
    institution: String,
}

#[derive(Template)]
#[template(path = "mentors/list.html")]
struct ListPage {
    l: Locale,
    mentors: Vec<Mentor>,
    fields: Vec<Code>,
    institutions: Vec<(i64, String)>,
    q: ListQuery,
    may_recommend: bool,
    is_admin: bool,
    is_graduate: bool,
    /// The viewer has a published mentor record: a link to its slots.
    is_mentor: bool,
}

impl ListPage {
    fn field_names(&self, m: &Mentor) -> String {
        field_names(&self.fields, m, self.l)
    }
    fn kinds(&self) -> Vec<(&'static str, &'static str)> {
        rules::KINDS.iter().map(|k| (*k, rules::kind_label(k, self.l))).collect()
    }
}

async fn list(State(state): State<AppState>, ctx: Ctx, Query(q): Query<ListQuery>) -> Result<Response, AppError> {
    let actor = ctx.require(EVERYONE)?;
    let filter = Filter {
        kind: Some(q.kind.clone()).filter(|k| rules::KINDS.contains(&k.as_str())),
        field: Some(q.field.clone()).filter(|f| !f.is_empty() && f.chars().all(|c| c.is_ascii_digit())),
        institution: q.institution.parse().ok(),
        status: Some(rules::PUBLISHED.to_owned()),
    };
    let mentors = pool::list(&state.db, &filter).await?;
    let institutions = pool::published_institutions(&state.db).await?;
    let page = ListPage {
        l: ctx.locale,
        mentors,
        fields: fields(&state).await?,
        institutions,
        q,
        may_recommend: recommender(actor).is_some(),
        is_admin: actor.role == Role::ProvinceAdmin,
        is_graduate: actor.role == Role::Graduate,
        is_mentor: pool::published_of_account(&state.db, actor.account_id).await?.is_some(),
    };
    ctx.page(ctx.t("就业创业导师库", "Mentor pool"), &page)
}

#[derive(Template)]
#[template(path = "mentors/detail.html")]
struct DetailPage<'a> {
    ctx: &'a Ctx,
    l: Locale,
    m: Mentor,
    fields: String,
    postings: Vec<Posting>,
    reviews: Vec<Review>,
    free: Vec<Slot>,
    year: i32,
    activity: Activity,
    suggest_keep: bool,
    is_admin: bool,
    is_graduate: bool,
    /// The province, or the recommending office: may record residencies and secondments.
    may_post: bool,
    /// The phone shown whole to the province and the recommender only.
    phone: String,
    error: String,
}

impl DetailPage<'_> {
    fn status(&self) -> &'static str {
        self.m.status_label(self.l)
    }
}

/// A mentor the actor may see: published ones anyone signed in; others the province and the recommender only.
async fn visible(state: &AppState, ctx: &Ctx, id: i64) -> Result<(Mentor, bool), AppError> {
    let actor = ctx.require(EVERYONE)?;
    let m = pool::get(&state.db, id).await?.ok_or(AppError::NotFound)?;
    let owner = actor.role == Role::ProvinceAdmin || recommender(actor).is_some_and(|r| m.recommended_by_scope(r));
    if !m.is_published() && !owner {
        return Err(AppError::NotFound);
    }
    Ok((m, owner))
}

async fn render_detail(state: &AppState, ctx: &Ctx, id: i64, error: String) -> Result<Response, AppError> {
    let (m, owner) = visible(state, ctx, id).await?;
    let actor = ctx.actor()?;
    let year = time::today_china().year();
    let activity = pool::activity(&state.db, m.id, year).await?;
    let codes = fields(state).await?;
    let free = match m.is_published() {
        true => slots::free(&state.db, super::slot_pages::now_china(), Some(m.id)).await?,
        false => Vec::new(),
    };
    let phone = if owner { m.phone.clone() } else { m.masked_phone() };
    let page = DetailPage {
        ctx,
        l: ctx.locale,
        fields: field_names(&codes, &m, ctx.locale),
        postings: pool::postings(&state.db, m.id).await?,
        reviews: pool::reviews(&state.db, m.id).await?,
        free,
        year,
        activity,
        suggest_keep: rules::suggest_keep(activity),
        is_admin: actor.role == Role::ProvinceAdmin,
        is_graduate: actor.role == Role::Graduate,
        may_post: owner,
        phone,
        error,
        m,
    };
    ctx.page(ctx.t("导师", "Mentor"), &page)
}

async fn detail(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, AppError> {
    render_detail(&state, &ctx, id, String::new()).await
}

#[derive(Template)]
#[template(path = "mentors/recommend.html")]
struct RecommendPage<'a> {
    ctx: &'a Ctx,
    l: Locale,
    form: RecommendForm,
    fields: Vec<Code>,
    problems: Vec<(&'static str, String)>,
    mine: Vec<Mentor>,
}

impl RecommendPage<'_> {
    fn kinds(&self) -> Vec<(&'static str, &'static str)> {
        rules::KINDS.iter().map(|k| (*k, rules::kind_label(k, self.l))).collect()
    }
    fn problem(&self, field: &str) -> String {
        self.problems.iter().find(|(k, _)| *k == field).map(|(_, v)| v.clone()).unwrap_or_default()
    }
}

fn require_recommender(ctx: &Ctx) -> Result<(&Actor, Recommender), AppError> {
    let actor = ctx.require(&[Role::UniversityStaff, Role::Employer])?;
    let by = recommender(actor).ok_or(AppError::Forbidden)?;
    Ok((actor, by))
}

async fn render_recommend(
    state: &AppState,
    ctx: &Ctx,
    form: RecommendForm,
    problems: Vec<(&'static str, String)>,
) -> Result<Response, AppError> {
    let (_, by) = require_recommender(ctx)?;
    let page = RecommendPage {
        ctx,
        l: ctx.locale,
        form,
        fields: fields(state).await?,
        problems,
        mine: pool::recommended_by(&state.db, by).await?,
    };
    ctx.page(ctx.t("推荐导师", "Recommend a mentor"), &page)
}

async fn recommend_page(State(state): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    render_recommend(&state, &ctx, RecommendForm::default(), Vec::new()).await
}

async fn recommend(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let (actor, by) = require_recommender(&ctx)?;
    let l = ctx.locale;
    let form = RecommendForm::from_pairs(&pairs);
    let known: Vec<String> = fields(&state).await?.into_iter().map(|c| c.code).collect();
    let new = match rules::check_recommend(&form, &known, l) {
        Ok(new) => new,
        Err(problems) => return render_recommend(&state, &ctx, form, problems).await,
    };
    let Some((account, linked)) = pool::account_by_username(&state.db, &new.username).await? else {
        let problem = l.pick("没有这个账号。", "No such account.").to_owned();
        return render_recommend(&state, &ctx, form, vec![("username", problem)]).await;
    };
    if let Err(problem) = rules::may_link(by, &linked) {
        return render_recommend(&state, &ctx, form, vec![("username", problem.text(l).to_owned())]).await;
    }
    let mut tx = state.db.begin().await?;
    match pool::recommend(&mut tx, &ctx.audit_actor(), by, actor.account_id, account, &new).await? {
        Ok(id) => {
            tx.commit().await?;
            Ok(redirect_with_flash(
                &format!("/training/mentors/{id}"),
                ctx.t("已推荐，等待省教育厅审核。", "Recommended; the province reviews it next."),
            ))
        }
        Err(problem) => {
            drop(tx);
            render_recommend(&state, &ctx, form, vec![("username", problem.text(l).to_owned())]).await
        }
    }
}

/// One line of the province's review page.
struct ReviewLine {
    m: Mentor,
    activity: Activity,
    reviewed: bool,
}

#[derive(Template)]
#[template(path = "mentors/review.html")]
struct ReviewPage {
    l: Locale,
    pending: Vec<Mentor>,
    published: Vec<ReviewLine>,
    year: i32,
}

async fn review_page(State(state): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    ctx.require(&[Role::ProvinceAdmin])?;
    let year = time::today_china().year();
    let pending =
        pool::list(&state.db, &Filter { status: Some(rules::PENDING.to_owned()), ..Filter::default() }).await?;
    let mut published = Vec::new();
    for m in pool::list(&state.db, &Filter { status: Some(rules::PUBLISHED.to_owned()), ..Filter::default() }).await? {
        let activity = pool::activity(&state.db, m.id, year).await?;
        let reviewed = pool::reviews(&state.db, m.id).await?.iter().any(|r| r.year == i64::from(year));
        published.push(ReviewLine { m, activity, reviewed });
    }
    let page = ReviewPage { l: ctx.locale, pending, published, year };
    ctx.page(ctx.t("导师审核与年度考核", "Mentor review"), &page)
}

#[derive(Deserialize)]
struct DecideForm {
    #[serde(default)]
    decision: String,
    #[serde(default)]
    reason: String,
}

async fn decide(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<DecideForm>,
) -> Result<Response, AppError> {
    ctx.require(&[Role::ProvinceAdmin])?;
    let m = pool::get(&state.db, id).await?.ok_or(AppError::NotFound)?;
    let (approve, reason) = match rules::check_decision(&form.decision, &form.reason) {
        Ok(d) => d,
        Err(problem) => return render_detail(&state, &ctx, id, problem.text(ctx.locale).to_owned()).await,
    };
    let mut tx = state.db.begin().await?;
    let done = pool::decide(&mut tx, &ctx.audit_actor(), &m, approve, &reason).await?;
    tx.commit().await?;
    if !done {
        let error = ctx.t("该记录已审核。", "This record was already decided.").to_owned();
        return render_detail(&state, &ctx, id, error).await;
    }
    let said = match approve {
        true => ctx.t("已审核通过并发布。", "Approved and published."),
        false => ctx.t("已退回，推荐单位会收到理由。", "Rejected; the recommender is told why."),
    };
    Ok(redirect_with_flash(&format!("/training/mentors/{id}"), said))
}

async fn yearly(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<DecideForm>,
) -> Result<Response, AppError> {
    ctx.require(&[Role::ProvinceAdmin])?;
    let m = pool::get(&state.db, id).await?.filter(Mentor::is_published).ok_or(AppError::NotFound)?;
    let year = time::today_china().year();
    let activity = pool::activity(&state.db, m.id, year).await?;
    let (keep, reason) = match rules::check_yearly(&form.decision, &form.reason, activity) {
        Ok(d) => d,
        Err(problem) => return render_detail(&state, &ctx, id, problem.text(ctx.locale).to_owned()).await,
    };
    let mut tx = state.db.begin().await?;
    match pool::yearly(&mut tx, &ctx.audit_actor(), &m, year, activity, keep, &reason).await? {
        Ok(()) => {
            tx.commit().await?;
            let said = match keep {
                true => ctx.t("年度考核：保留。", "Yearly review: kept."),
                false => ctx.t("年度考核：已移出导师库。", "Yearly review: removed from the pool."),
            };
            Ok(redirect_with_flash(&format!("/training/mentors/{id}"), said))
        }
        Err(problem) => {
            drop(tx);
            render_detail(&state, &ctx, id, problem.text(ctx.locale).to_owned()).await
        }
    }
}

async fn add_posting(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<PostingForm>,
) -> Result<Response, AppError> {
    ctx.require(&[Role::ProvinceAdmin, Role::UniversityStaff])?;
    let (m, owner) = visible(&state, &ctx, id).await?;
    if !owner {
        return Err(AppError::Forbidden);
    }
    let checked = match rules::check_posting(&form) {
        Ok(c) => c,
        Err(problem) => return render_detail(&state, &ctx, id, problem.text(ctx.locale).to_owned()).await,
    };
    let mut tx = state.db.begin().await?;
    pool::add_posting(&mut tx, &ctx.audit_actor(), &m, &checked).await?;
    tx.commit().await?;
    Ok(redirect_with_flash(&format!("/training/mentors/{id}#postings"), ctx.t("已记录。", "Recorded.")))
}

#[derive(Template)]
#[template(path = "mentors/activity.html")]
struct ActivityPage {
    l: Locale,
    year: i32,
    lines: Vec<Active>,
}

async fn activity_page(State(state): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    ctx.require(&[Role::ProvinceAdmin, Role::UniversityStaff])?;
    let year = time::today_china().year();
    let lines = pool::active_by_institution(&state.db, year, ctx.scope().institution()).await?;
    let page = ActivityPage { l: ctx.locale, year, lines };
    ctx.page(ctx.t("各校导师活跃情况", "Mentors active by institution"), &page)
}
