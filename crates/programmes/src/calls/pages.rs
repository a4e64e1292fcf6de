//! Calls for the province and the universities: the list (/programmes), a
//! call's configuration (/programmes/calls/new, /programmes/calls/{id}/edit),
//! a call's page with its applications, an application's page (draft, attach,
//! self-assess, submit, withdraw, recommend) and the ban list. Thin: rules in
//! `rules`, SQL in `store`.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{DefaultBodyLimit, Multipart, Path, Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;

use kernel::auth::{Actor, Role};
use kernel::web::form::Upload;
use kernel::web::{redirect_with_flash, AppError, AppState, CsrfForm, Ctx, NoFields};
use kernel::Locale;

use super::rules::{self, CallForm, Dimension, Field, Kind, SelfScore};
use super::store::{self, Application, Attachment, Ban, Call, Draft, Institution};

const OFFICES: &[Role] = &[Role::ProvinceAdmin, Role::UniversityStaff];
const PROVINCE: &[Role] = &[Role::ProvinceAdmin];
const STAFF: &[Role] = &[Role::UniversityStaff];
const DOCUMENT_LIMIT: usize = 10 * 1024 * 1024;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/programmes", get(list_page))
        .route("/programmes/calls", post(create_call))
        .route("/programmes/calls/new", get(new_call_page))
        .route("/programmes/calls/{id}", get(call_page))
        .route("/programmes/calls/{id}/edit", get(edit_call_page).post(update_call))
        .route("/programmes/calls/{id}/status", post(call_status))
        .route("/programmes/calls/{id}/applications", post(create_application))
        .route("/programmes/applications/{id}", get(application_page).post(save_application))
        .route(
            "/programmes/applications/{id}/files",
            post(attach).layer(DefaultBodyLimit::max(DOCUMENT_LIMIT + 64 * 1024)),
        )
        .route("/programmes/applications/{id}/submit", post(submit))
        .route("/programmes/applications/{id}/withdraw", post(withdraw))
        .route("/programmes/applications/{id}/recommend", post(recommend))
        .route("/programmes/files/{id}", get(download))
        .route("/programmes/bans", get(bans_page).post(add_ban))
}

type Pairs = Vec<(String, String)>;

fn one<'a>(pairs: &'a Pairs, key: &str) -> &'a str {
    pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v.trim()).unwrap_or("")
}

fn all(pairs: &Pairs, key: &str) -> Vec<String> {
    pairs.iter().filter(|(k, _)| k == key).map(|(_, v)| v.trim().to_owned()).collect()
}

fn level_of(institutions: &[Institution], id: Option<i64>) -> (i64, String) {
    let id = id.unwrap_or_default();
    let level = institutions.iter().find(|i| i.id == id).map(|i| i.level.clone()).unwrap_or_default();
    (id, level)
}

/// Whether the actor sees the call: the province every call, a university's staff the calls open to it once opened.
fn may_see_call(actor: &Actor, call: &Call, institutions: &[Institution]) -> bool {
    match actor.role {
        Role::ProvinceAdmin => true,
        Role::UniversityStaff => {
            let (id, level) = level_of(institutions, actor.institution_id);
            call.status != rules::DRAFT && rules::eligible(&call.levels, &call.institution_ids, &level, id)
        }
        _ => false,
    }
}

async fn visible_call(state: &AppState, ctx: &Ctx, id: i64) -> Result<(Actor, Call), AppError> {
    let actor = ctx.require(OFFICES)?.clone();
    let call = store::call(&state.db, id).await?.ok_or(AppError::NotFound)?;
    if !may_see_call(&actor, &call, &store::institutions(&state.db).await?) {
        return Err(AppError::NotFound);
    }
    Ok((actor, call))
}

async fn visible_application(state: &AppState, ctx: &Ctx, id: i64) -> Result<(Actor, Application, Call), AppError> {
    let actor = ctx.require(OFFICES)?.clone();
    let a = store::application(&state.db, id).await?.ok_or(AppError::NotFound)?;
    if actor.role != Role::ProvinceAdmin && actor.institution_id != Some(a.institution_id) {
        return Err(AppError::NotFound);
    }
    let call = store::call(&state.db, a.call_id).await?.ok_or(AppError::NotFound)?;
    Ok((actor, a, call))
}

async fn type_names(state: &AppState, l: Locale) -> Result<HashMap<String, String>, AppError> {
    Ok(store::types(&state.db, l).await?.into_iter().map(|(c, n, _)| (c, n)).collect())
}

// ---------------------------------------------------------------- the list

struct CallLine {
    c: Call,
    type_name: String,
    applications: usize,
}

#[derive(Template)]
#[template(path = "calls/list.html")]
struct ListPage {
    l: Locale,
    province: bool,
    lines: Vec<CallLine>,
}

async fn list_page(State(state): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    let actor = ctx.require(OFFICES)?;
    let l = ctx.locale;
    let names = type_names(&state, l).await?;
    let institutions = store::institutions(&state.db).await?;
    let own = (actor.role == Role::UniversityStaff).then_some(actor.institution_id.unwrap_or_default());
    let mut lines = Vec::new();
    for c in store::calls(&state.db).await?.into_iter().filter(|c| may_see_call(actor, c, &institutions)) {
        let applications = store::applications(&state.db, c.id, own, None).await?.len();
        lines.push(CallLine { type_name: names.get(&c.type_code).cloned().unwrap_or_default(), applications, c });
    }
    let page = ListPage { l, province: actor.role == Role::ProvinceAdmin, lines };
    ctx.page(ctx.t("申报批次", "Calls"), &page)
}

// ---------------------------------------------------------------- a call's configuration

#[derive(Template)]
#[template(path = "calls/form.html")]
struct FormPage<'a> {
    ctx: &'a Ctx,
    l: Locale,
    id: Option<i64>,
    form: CallForm,
    types: Vec<(String, String, String)>,
    institutions: Vec<Institution>,
    levels: [&'static str; 2],
    errors: Vec<String>,
    locked: String,
}

impl FormPage<'_> {
    fn level_checked(&self, level: &&str) -> bool {
        self.form.levels.iter().any(|v| v == level)
    }
    fn institution_selected(&self, id: &i64) -> bool {
        self.form.institutions.contains(&id.to_string())
    }
    fn action(&self) -> String {
        match self.id {
            Some(id) => format!("/programmes/calls/{id}/edit"),
            None => "/programmes/calls".to_owned(),
        }
    }
}

async fn render_form(
    state: &AppState,
    ctx: &Ctx,
    id: Option<i64>,
    form: CallForm,
    errors: Vec<String>,
) -> Result<Response, AppError> {
    let l = ctx.locale;
    let locked = match id {
        Some(id) => {
            rules::check_form_change(store::application_count(&state.db, id).await?, l).err().unwrap_or_default()
        }
        None => String::new(),
    };
    let page = FormPage {
        ctx,
        l,
        id,
        form,
        types: store::types(&state.db, l).await?,
        institutions: store::institutions(&state.db).await?,
        levels: rules::LEVELS,
        errors,
        locked,
    };
    let title = if id.is_some() {
        ctx.t("修改申报批次", "Edit the call")
    } else {
        ctx.t("新建申报批次", "New call")
    };
    ctx.page(title, &page)
}

async fn new_call_page(State(state): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    ctx.require(PROVINCE)?;
    let today = kernel::time::today_china();
    let after = |days: i64| (today + chrono::Duration::days(days)).to_string();
    let form = CallForm {
        year: today.format("%Y").to_string(),
        opens_on: after(0),
        closes_on: after(30),
        review_on: after(45),
        notice_on: after(60),
        levels: vec!["本科".into(), "高职".into()],
        quota_default: "3".into(),
        one_live: true,
        block_unfinished: true,
        team_min: "1".into(),
        ..CallForm::default()
    };
    render_form(&state, &ctx, None, form, Vec::new()).await
}

fn call_form(p: &Pairs) -> CallForm {
    CallForm {
        title: one(p, "title").to_owned(),
        type_code: one(p, "type_code").to_owned(),
        year: one(p, "year").to_owned(),
        opens_on: one(p, "opens_on").to_owned(),
        closes_on: one(p, "closes_on").to_owned(),
        review_on: one(p, "review_on").to_owned(),
        notice_on: one(p, "notice_on").to_owned(),
        levels: all(p, "levels"),
        institutions: all(p, "institutions"),
        quota_default: one(p, "quota_default").to_owned(),
        quotas: one(p, "quotas").to_owned(),
        self_assessment: one(p, "self_assessment") == "1",
        fields: one(p, "fields").to_owned(),
        rubric: one(p, "rubric").to_owned(),
        one_live: one(p, "one_live") == "1",
        block_unfinished: one(p, "block_unfinished") == "1",
        team_min: one(p, "team_min").to_owned(),
        team_max: one(p, "team_max").to_owned(),
        young_age: one(p, "young_age").to_owned(),
        young_percent: one(p, "young_percent").to_owned(),
    }
}

async fn checked(
    state: &AppState,
    ctx: &Ctx,
    form: &CallForm,
) -> Result<Result<rules::NewCall, Vec<String>>, AppError> {
    let types: HashMap<String, String> =
        store::types(&state.db, ctx.locale).await?.into_iter().map(|(c, _, g)| (c, g)).collect();
    let codes: HashMap<String, i64> =
        store::institutions(&state.db).await?.into_iter().map(|i| (i.code, i.id)).collect();
    Ok(rules::check_call(form, &types, &codes, ctx.locale))
}

async fn create_call(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(p): CsrfForm<Pairs>,
) -> Result<Response, AppError> {
    ctx.require(PROVINCE)?;
    let form = call_form(&p);
    let call = match checked(&state, &ctx, &form).await? {
        Ok(c) => c,
        Err(errors) => return render_form(&state, &ctx, None, form, errors).await,
    };
    let mut tx = state.db.begin().await?;
    let id = store::create_call(&mut tx, &ctx.audit_actor(), &call).await?;
    tx.commit().await?;
    Ok(redirect_with_flash(
        &format!("/programmes/calls/{id}"),
        ctx.t("申报批次已创建（草稿）。", "Call created (draft)."),
    ))
}

async fn form_of(state: &AppState, c: &Call) -> Result<CallForm, AppError> {
    let db = &state.db;
    let fields: Vec<rules::FieldSpec> = store::fields(db, c.id).await?.into_iter().map(|f| f.spec).collect();
    let rubric: Vec<Dimension> = store::rubric(db, c.id).await?.into_iter().map(|(_, d)| d).collect();
    let codes: HashMap<i64, String> = store::institutions(db).await?.into_iter().map(|i| (i.id, i.code)).collect();
    let mut quotas: Vec<(String, i64)> = store::quotas(db, c.id)
        .await?
        .into_iter()
        .map(|(i, q)| (codes.get(&i).cloned().unwrap_or_default(), q))
        .collect();
    quotas.sort();
    let n = |v: u32| if v == 0 { String::new() } else { v.to_string() };
    Ok(CallForm {
        title: c.title.clone(),
        type_code: c.type_code.clone(),
        year: c.year.to_string(),
        opens_on: c.opens_on.clone(),
        closes_on: c.closes_on.clone(),
        review_on: c.review_on.clone(),
        notice_on: c.notice_on.clone(),
        levels: c.levels.clone(),
        institutions: c.institution_ids.iter().map(i64::to_string).collect(),
        quota_default: c.quota_default.to_string(),
        quotas: quotas.iter().map(|(c, q)| format!("{c} {q}")).collect::<Vec<_>>().join("\n"),
        self_assessment: c.self_assessment,
        fields: rules::fields_text(&fields),
        rubric: rules::rubric_text(&rubric),
        one_live: c.rules.one_live_per_leader,
        block_unfinished: c.rules.block_unfinished,
        team_min: n(c.rules.team_min),
        team_max: n(c.rules.team_max),
        young_age: n(c.rules.young_age),
        young_percent: n(c.rules.young_percent),
    })
}

async fn edit_call_page(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, AppError> {
    ctx.require(PROVINCE)?;
    let (_, c) = visible_call(&state, &ctx, id).await?;
    let form = form_of(&state, &c).await?;
    render_form(&state, &ctx, Some(id), form, Vec::new()).await
}

async fn update_call(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    CsrfForm(p): CsrfForm<Pairs>,
) -> Result<Response, AppError> {
    ctx.require(PROVINCE)?;
    let (_, c) = visible_call(&state, &ctx, id).await?;
    let form = call_form(&p);
    if let Err(e) = rules::check_form_change(store::application_count(&state.db, c.id).await?, ctx.locale) {
        return render_form(&state, &ctx, Some(id), form, vec![e]).await;
    }
    let call = match checked(&state, &ctx, &form).await? {
        Ok(c) => c,
        Err(errors) => return render_form(&state, &ctx, Some(id), form, errors).await,
    };
    let mut tx = state.db.begin().await?;
    let saved = store::update_call(&mut tx, &ctx.audit_actor(), id, &call).await?;
    tx.commit().await?;
    if !saved {
        let e = rules::check_form_change(1, ctx.locale).err().unwrap_or_default();
        return render_form(&state, &ctx, Some(id), form, vec![e]).await;
    }
    Ok(redirect_with_flash(&format!("/programmes/calls/{id}"), ctx.t("申报批次已保存。", "Call saved.")))
}

#[derive(Deserialize)]
struct StatusFields {
    #[serde(default)]
    to: String,
}

async fn call_status(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<StatusFields>,
) -> Result<Response, AppError> {
    ctx.require(PROVINCE)?;
    let (_, c) = visible_call(&state, &ctx, id).await?;
    let (from, to, message) = match f.to.as_str() {
        rules::OPEN => (rules::DRAFT, rules::OPEN, ctx.t("批次已开放申报。", "The call is open.")),
        rules::CLOSED => (rules::OPEN, rules::CLOSED, ctx.t("批次已截止申报。", "The call is closed.")),
        _ => return Err(AppError::BadRequest("unknown status".into())),
    };
    let mut tx = state.db.begin().await?;
    let moved = store::set_call_status(&mut tx, &ctx.audit_actor(), c.id, from, to).await?;
    tx.commit().await?;
    if !moved {
        return Ok(redirect_with_flash(
            &format!("/programmes/calls/{id}"),
            ctx.t("批次状态已变化，请刷新后重试。", "The call's status changed meanwhile; try again."),
        ));
    }
    Ok(redirect_with_flash(&format!("/programmes/calls/{id}"), message))
}

// ---------------------------------------------------------------- a call's page

#[derive(Deserialize, Default)]
struct CallQuery {
    #[serde(default)]
    institution: String,
    #[serde(default)]
    status: String,
}

#[derive(Default)]
struct NewApplicationForm {
    title: String,
    track: String,
    leader_name: String,
    leader_id: String,
    members: String,
}

#[derive(Template)]
#[template(path = "calls/call.html")]
struct CallPage<'a> {
    ctx: &'a Ctx,
    l: Locale,
    province: bool,
    c: Call,
    type_name: String,
    rounds: Vec<&'static str>,
    eligible: String,
    fields: Vec<Field>,
    rubric: Vec<(i64, Dimension)>,
    tracks: Vec<String>,
    applications: Vec<Application>,
    institutions: Vec<Institution>,
    q: CallQuery,
    quota: i64,
    recommended: i64,
    form: NewApplicationForm,
    errors: Vec<String>,
}

impl CallPage<'_> {
    fn status_name(&self, s: &str) -> &'static str {
        rules::application_status(s, self.l)
    }
    fn call_status(&self) -> &'static str {
        rules::call_status(&self.c.status, self.l)
    }
    fn kind_name(&self, f: &Field) -> &'static str {
        self.l.pick(f.spec.kind.zh(), f.spec.kind.key())
    }
    fn institution_selected(&self, id: &i64) -> bool {
        self.q.institution == id.to_string()
    }
    fn leader(&self, a: &Application) -> String {
        format!("{} {}", a.leader.name, kernel::mask::id_number(&a.leader.id_number))
    }
}

async fn render_call(
    state: &AppState,
    ctx: &Ctx,
    actor: &Actor,
    c: Call,
    q: CallQuery,
    form: NewApplicationForm,
    errors: Vec<String>,
) -> Result<Response, AppError> {
    let db = &state.db;
    let l = ctx.locale;
    let province = actor.role == Role::ProvinceAdmin;
    let institutions = store::institutions(db).await?;
    let own = if province { q.institution.trim().parse().ok() } else { actor.institution_id };
    let status = Some(q.status.trim()).filter(|s| !s.is_empty());
    let applications = store::applications(db, c.id, own, status).await?;
    let quotas = store::quotas(db, c.id).await?;
    let own_id = actor.institution_id.unwrap_or_default();
    let quota = rules::quota_for(c.quota_default, &quotas, own_id);
    let recommended = if province {
        0
    } else {
        let mut tx = db.begin().await?;
        let n = store::recommended(&mut tx, c.id, own_id).await?;
        tx.commit().await?;
        n
    };
    let mut eligible: Vec<String> = c.levels.clone();
    eligible.extend(institutions.iter().filter(|i| c.institution_ids.contains(&i.id)).map(|i| i.name.clone()));
    let rubric = store::rubric(db, c.id).await?;
    let tracks = rules::tracks(&rubric.iter().map(|(_, d)| d.clone()).collect::<Vec<_>>());
    let page = CallPage {
        ctx,
        l,
        province,
        type_name: type_names(state, l).await?.get(&c.type_code).cloned().unwrap_or_default(),
        rounds: c.rounds.split(',').map(|r| rules::round_name(r, l)).collect(),
        eligible: eligible.join("、"),
        fields: store::fields(db, c.id).await?,
        rubric,
        tracks,
        applications,
        institutions: if province { institutions } else { Vec::new() },
        q,
        quota,
        recommended,
        form,
        errors,
        c,
    };
    let title = page.c.title.clone();
    ctx.page(&title, &page)
}

async fn call_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<CallQuery>,
) -> Result<Response, AppError> {
    let (actor, c) = visible_call(&state, &ctx, id).await?;
    render_call(&state, &ctx, &actor, c, q, NewApplicationForm::default(), Vec::new()).await
}

/// The leader and members as typed, checked; the first refusal.
fn draft_of(
    title: &str,
    track: &str,
    leader_name: &str,
    leader_id: &str,
    members: &str,
    l: Locale,
) -> Result<Draft, String> {
    let title = title.trim();
    if title.is_empty() || title.chars().count() > 200 {
        return Err(l
            .pick("请填写项目名称（不超过 200 字）。", "Enter the project's title (at most 200 characters).")
            .to_owned());
    }
    let (leader, _) = rules::person(leader_name, leader_id, l.pick("负责人", "leader"), l)?;
    let members = rules::parse_members(members, l)?.into_iter().map(|(p, _)| p).collect();
    Ok(Draft { title: title.to_owned(), track: track.trim().to_owned(), leader, members })
}

#[derive(Deserialize)]
struct NewApplicationFields {
    #[serde(default)]
    title: String,
    #[serde(default)]
    track: String,
    #[serde(default)]
    leader_name: String,
    #[serde(default)]
    leader_id: String,
    #[serde(default)]
    members: String,
}

async fn create_application(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<NewApplicationFields>,
) -> Result<Response, AppError> {
    ctx.require(STAFF)?;
    let (actor, c) = visible_call(&state, &ctx, id).await?;
    let l = ctx.locale;
    let institution = actor.institution_id.ok_or(AppError::Forbidden)?;
    let form = NewApplicationForm {
        title: f.title,
        track: f.track,
        leader_name: f.leader_name,
        leader_id: f.leader_id,
        members: f.members,
    };
    if c.status != rules::OPEN {
        let e = l.pick("本批次不在申报期内。", "This call is not open for applications.").to_owned();
        return render_call(&state, &ctx, &actor, c, CallQuery::default(), form, vec![e]).await;
    }
    let draft = match draft_of(&form.title, &form.track, &form.leader_name, &form.leader_id, &form.members, l) {
        Ok(d) => d,
        Err(e) => return render_call(&state, &ctx, &actor, c, CallQuery::default(), form, vec![e]).await,
    };
    let mut tx = state.db.begin().await?;
    let app = store::create_application(&mut tx, &ctx.audit_actor(), c.id, institution, &draft).await?;
    tx.commit().await?;
    Ok(redirect_with_flash(
        &format!("/programmes/applications/{app}"),
        ctx.t("申报书已创建，请填写申报表后提交。", "Application drafted: fill in the form, then submit."),
    ))
}

// ---------------------------------------------------------------- an application

/// The application's form as shown (typed values kept after a refusal).
struct AppForm {
    title: String,
    track: String,
    leader_name: String,
    leader_id: String,
    members: String,
    answers: HashMap<String, String>,
    assessment: HashMap<String, SelfScore>,
}

impl AppForm {
    fn of(a: &Application) -> AppForm {
        AppForm {
            title: a.title.clone(),
            track: a.track.clone(),
            leader_name: a.leader.name.clone(),
            leader_id: a.leader.id_number.clone(),
            members: rules::members_text(&a.members),
            answers: a.answers.clone(),
            assessment: a.assessment.clone(),
        }
    }
}

#[derive(Template)]
#[template(path = "calls/application.html")]
struct ApplicationPage<'a> {
    ctx: &'a Ctx,
    l: Locale,
    province: bool,
    /// The review's outcome when this reader may see it.
    outcome: Option<&'static str>,
    a: Application,
    c: Call,
    fields: Vec<Field>,
    rubric: Vec<(i64, Dimension)>,
    tracks: Vec<String>,
    attachments: Vec<Attachment>,
    form: AppForm,
    quota: i64,
    recommended: i64,
    errors: Vec<String>,
}

impl ApplicationPage<'_> {
    fn editable(&self) -> bool {
        !self.province && self.a.status == rules::DRAFT
    }
    fn status_name(&self) -> &'static str {
        rules::application_status(&self.a.status, self.l)
    }
    fn answer(&self, f: &Field) -> String {
        self.form.answers.get(&f.id.to_string()).cloned().unwrap_or_default()
    }
    fn score(&self, id: &i64) -> SelfScore {
        self.form.assessment.get(&id.to_string()).cloned().unwrap_or_default()
    }
    fn is(&self, f: &Field, kind: &str) -> bool {
        f.spec.kind.key() == kind
    }
    fn file_fields(&self) -> Vec<&Field> {
        self.fields.iter().filter(|f| f.spec.kind == Kind::File).collect()
    }
    fn field_label(&self, id: &i64) -> String {
        self.fields.iter().find(|f| f.id == *id).map(|f| f.label(self.l).to_owned()).unwrap_or_default()
    }
    /// A stored instant as people read it (China time, to the minute).
    fn when(&self, stored: &str) -> String {
        kernel::time::display(stored)
    }
    fn in_track(&self, d: &Dimension) -> bool {
        d.track.is_empty() || d.track == self.a.track
    }
    fn leader_id_shown(&self) -> String {
        if self.province {
            kernel::mask::id_number(&self.a.leader.id_number)
        } else {
            self.a.leader.id_number.clone()
        }
    }
    fn member_id_shown(&self, id: &str) -> String {
        if self.province {
            kernel::mask::id_number(id)
        } else {
            id.to_owned()
        }
    }
    fn may_withdraw(&self) -> bool {
        !self.province && self.a.status == rules::SUBMITTED && self.c.status == rules::OPEN
    }
    fn may_recommend(&self) -> bool {
        !self.province && self.a.status == rules::SUBMITTED
    }
}

async fn render_application(
    state: &AppState,
    ctx: &Ctx,
    actor: &Actor,
    a: Application,
    c: Call,
    form: Option<AppForm>,
    errors: Vec<String>,
) -> Result<Response, AppError> {
    let db = &state.db;
    let rubric = store::rubric(db, c.id).await?;
    let quota = rules::quota_for(c.quota_default, &store::quotas(db, c.id).await?, a.institution_id);
    let mut tx = db.begin().await?;
    let recommended = store::recommended(&mut tx, c.id, a.institution_id).await?;
    let published = crate::notices::store::result_published(&mut tx, c.id).await?;
    tx.commit().await?;
    let province = actor.role == Role::ProvinceAdmin;
    let page = ApplicationPage {
        ctx,
        l: ctx.locale,
        province,
        outcome: rules::outcome_label(a.outcome.as_deref(), published, province, ctx.locale),
        fields: store::fields(db, c.id).await?,
        tracks: rules::tracks(&rubric.iter().map(|(_, d)| d.clone()).collect::<Vec<_>>()),
        rubric,
        attachments: store::attachments(db, a.id).await?,
        form: form.unwrap_or_else(|| AppForm::of(&a)),
        quota,
        recommended,
        errors,
        a,
        c,
    };
    let title = format!("{}：{}", ctx.t("项目申报", "Application"), page.a.title);
    ctx.page(&title, &page)
}

async fn application_page(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, AppError> {
    let (actor, a, c) = visible_application(&state, &ctx, id).await?;
    render_application(&state, &ctx, &actor, a, c, None, Vec::new()).await
}

fn app_form(p: &Pairs) -> AppForm {
    let mut answers = HashMap::new();
    let mut assessment: HashMap<String, SelfScore> = HashMap::new();
    for (k, v) in p {
        if let Some(id) = k.strip_prefix("f_") {
            answers.insert(id.to_owned(), v.trim().to_owned());
        } else if let Some(id) = k.strip_prefix("s_") {
            assessment.entry(id.to_owned()).or_default().score = v.trim().to_owned();
        } else if let Some(id) = k.strip_prefix("e_") {
            assessment.entry(id.to_owned()).or_default().evidence = v.trim().to_owned();
        }
    }
    AppForm {
        title: one(p, "title").to_owned(),
        track: one(p, "track").to_owned(),
        leader_name: one(p, "leader_name").to_owned(),
        leader_id: one(p, "leader_id").to_owned(),
        members: one(p, "members").to_owned(),
        answers,
        assessment,
    }
}

async fn staff_application(state: &AppState, ctx: &Ctx, id: i64) -> Result<(Actor, Application, Call), AppError> {
    ctx.require(STAFF)?;
    visible_application(state, ctx, id).await
}

async fn save_application(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    CsrfForm(p): CsrfForm<Pairs>,
) -> Result<Response, AppError> {
    let (actor, a, c) = staff_application(&state, &ctx, id).await?;
    let l = ctx.locale;
    let form = app_form(&p);
    if a.status != rules::DRAFT {
        let e =
            l.pick("申报书已提交，不能再修改。", "The application is submitted and can no longer change.").to_owned();
        return render_application(&state, &ctx, &actor, a, c, Some(form), vec![e]).await;
    }
    let draft = match draft_of(&form.title, &form.track, &form.leader_name, &form.leader_id, &form.members, l) {
        Ok(d) => d,
        Err(e) => return render_application(&state, &ctx, &actor, a, c, Some(form), vec![e]).await,
    };
    let fields = store::fields(&state.db, c.id).await?;
    let answers: HashMap<String, String> = form
        .answers
        .iter()
        .filter(|(k, _)| fields.iter().any(|f| f.id.to_string() == **k && f.spec.kind != Kind::File))
        .map(|(k, v)| (k.clone(), v.chars().take(5000).collect()))
        .collect();
    let rubric = store::rubric(&state.db, c.id).await?;
    let assessment: HashMap<String, SelfScore> = form
        .assessment
        .iter()
        .filter(|(k, _)| c.self_assessment && rubric.iter().any(|(id, _)| id.to_string() == **k))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let mut tx = state.db.begin().await?;
    store::save_application(&mut tx, &ctx.audit_actor(), &a, &draft, &answers, &assessment).await?;
    tx.commit().await?;
    Ok(redirect_with_flash(&format!("/programmes/applications/{id}"), ctx.t("申报书已保存。", "Application saved.")))
}

async fn attach(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    multipart: Multipart,
) -> Result<Response, AppError> {
    let (actor, a, c) = staff_application(&state, &ctx, id).await?;
    let l = ctx.locale;
    let Some(upload) = Upload::read(multipart).await else {
        let e = l.pick(
            "上传失败：文件超过 10 MB 或传输中断。",
            "Upload failed: the file is over 10 MB or the transfer broke.",
        );
        return render_application(&state, &ctx, &actor, a, c, None, vec![e.to_owned()]).await;
    };
    if !upload.csrf_matches(&ctx.csrf) {
        return Err(AppError::Csrf);
    }
    if a.status != rules::DRAFT {
        let e = l.pick("申报书已提交，不能再上传附件。", "The application is submitted; no more attachments.");
        return render_application(&state, &ctx, &actor, a, c, None, vec![e.to_owned()]).await;
    }
    let fields = store::fields(&state.db, c.id).await?;
    let Some(field) = upload
        .field("field")
        .parse::<i64>()
        .ok()
        .and_then(|f| fields.iter().find(|x| x.id == f && x.spec.kind == Kind::File))
    else {
        let e = l.pick("请选择附件栏目。", "Choose which attachment this is.");
        return render_application(&state, &ctx, &actor, a, c, None, vec![e.to_owned()]).await;
    };
    let accepted = kernel::files::accept_document(
        &state.config.files(),
        &upload.file_name,
        &upload.bytes,
        DOCUMENT_LIMIT,
        field.label(l),
        l,
    )
    .map_err(|e| AppError::Internal(e.into()))?;
    let accepted = match accepted {
        Ok(a) => a,
        Err(e) => return render_application(&state, &ctx, &actor, a, c, None, vec![e]).await,
    };
    let mut tx = state.db.begin().await?;
    store::attach(&mut tx, &ctx.audit_actor(), &a, field.id, &accepted.shown_name, &accepted.stored).await?;
    tx.commit().await?;
    Ok(redirect_with_flash(
        &format!("/programmes/applications/{id}#attachments"),
        ctx.t("附件已上传。", "Attachment added."),
    ))
}

async fn download(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, AppError> {
    let (application, sha, content_type) = store::attachment(&state.db, id).await?.ok_or(AppError::NotFound)?;
    visible_application(&state, &ctx, application).await?;
    kernel::web::export::stored_document(
        &state.config.files(),
        &sha,
        ctx.t("申报附件", "attachment"),
        id,
        &content_type,
    )
}

async fn submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> Result<Response, AppError> {
    let (actor, a, c) = staff_application(&state, &ctx, id).await?;
    let l = ctx.locale;
    let db = &state.db;
    let mut errors = Vec::new();
    if c.status != rules::OPEN {
        errors.push(
            l.pick("本批次不在申报期内，不能提交。", "This call is not open; the application cannot be submitted.")
                .to_owned(),
        );
    }
    if a.status != rules::DRAFT {
        errors.push(l.pick("申报书已提交。", "The application is already submitted.").to_owned());
    }
    let fields = store::fields(db, c.id).await?;
    let files: Vec<i64> = store::attachments(db, a.id).await?.iter().map(|f| f.field_id).collect();
    errors.extend(rules::check_answers(&fields, &a.answers, &files, l));
    if c.self_assessment {
        errors.extend(rules::check_assessment(&store::rubric(db, c.id).await?, &a.track, &a.assessment, l));
    }
    let mut team = Vec::new();
    match rules::person(&a.leader.name, &a.leader.id_number, l.pick("负责人", "leader"), l) {
        Ok((_, birth)) => team.push(birth),
        Err(e) => errors.push(e),
    }
    for m in &a.members {
        match rules::person(&m.name, &m.id_number, l.pick("成员", "member"), l) {
            Ok((_, birth)) => team.push(birth),
            Err(e) => errors.push(e),
        }
    }
    let history = store::history(db, &a.leader.id_number, a.id).await?;
    errors.extend(rules::check_submission(&c.rules, &team, &history, c.opens(), l));
    if !errors.is_empty() {
        return render_application(&state, &ctx, &actor, a, c, None, errors).await;
    }
    let mut tx = db.begin().await?;
    store::set_application_status(&mut tx, &ctx.audit_actor(), &a, rules::DRAFT, rules::SUBMITTED, "submit").await?;
    tx.commit().await?;
    Ok(redirect_with_flash(
        &format!("/programmes/applications/{id}"),
        ctx.t("申报书已提交。", "Application submitted."),
    ))
}

async fn withdraw(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> Result<Response, AppError> {
    let (actor, a, c) = staff_application(&state, &ctx, id).await?;
    if a.status != rules::SUBMITTED || c.status != rules::OPEN {
        let e = ctx.t(
            "只有申报截止前已提交、未推荐的申报书可以撤回。",
            "Only a submitted, unrecommended application can be withdrawn, before the call closes.",
        );
        return render_application(&state, &ctx, &actor, a, c, None, vec![e.to_owned()]).await;
    }
    let mut tx = state.db.begin().await?;
    store::set_application_status(&mut tx, &ctx.audit_actor(), &a, rules::SUBMITTED, rules::WITHDRAWN, "withdraw")
        .await?;
    tx.commit().await?;
    Ok(redirect_with_flash(
        &format!("/programmes/applications/{id}"),
        ctx.t("申报书已撤回。", "Application withdrawn."),
    ))
}

async fn recommend(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> Result<Response, AppError> {
    let (actor, a, c) = staff_application(&state, &ctx, id).await?;
    let l = ctx.locale;
    if a.status != rules::SUBMITTED {
        let e = l.pick("只有已提交的申报书可以推荐。", "Only a submitted application can be recommended.");
        return render_application(&state, &ctx, &actor, a, c, None, vec![e.to_owned()]).await;
    }
    let quota = rules::quota_for(c.quota_default, &store::quotas(&state.db, c.id).await?, a.institution_id);
    let mut tx = state.db.begin().await?;
    let already = store::recommended(&mut tx, c.id, a.institution_id).await?;
    if let Err(e) = rules::check_recommend(already, quota, l) {
        tx.commit().await?;
        return render_application(&state, &ctx, &actor, a, c, None, vec![e]).await;
    }
    store::set_application_status(&mut tx, &ctx.audit_actor(), &a, rules::SUBMITTED, rules::RECOMMENDED, "recommend")
        .await?;
    tx.commit().await?;
    Ok(redirect_with_flash(
        &format!("/programmes/applications/{id}"),
        ctx.t("已推荐至省级评审。", "Recommended to the province."),
    ))
}

// ---------------------------------------------------------------- bans

#[derive(Template)]
#[template(path = "calls/bans.html")]
struct BansPage<'a> {
    ctx: &'a Ctx,
    l: Locale,
    bans: Vec<Ban>,
    form: BanFields,
    error: String,
}

impl BansPage<'_> {
    fn masked(&self, id: &str) -> String {
        kernel::mask::id_number(id)
    }
}

#[derive(Deserialize, Default)]
struct BanFields {
    #[serde(default)]
    id_number: String,
    #[serde(default)]
    until_on: String,
    #[serde(default)]
    reason: String,
}

async fn render_bans(state: &AppState, ctx: &Ctx, form: BanFields, error: String) -> Result<Response, AppError> {
    let page = BansPage { ctx, l: ctx.locale, bans: store::bans(&state.db).await?, form, error };
    ctx.page(ctx.t("申报禁入名单", "Application bans"), &page)
}

async fn bans_page(State(state): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    ctx.require(PROVINCE)?;
    render_bans(&state, &ctx, BanFields::default(), String::new()).await
}

async fn add_ban(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(f): CsrfForm<BanFields>,
) -> Result<Response, AppError> {
    ctx.require(PROVINCE)?;
    let l = ctx.locale;
    let card = match kernel::validate::id_card(&f.id_number, |_| true) {
        Ok(c) => c,
        Err(e) => {
            let error = format!("{}{}", l.pick("身份证号", "ID number: "), e.message(l));
            return render_bans(&state, &ctx, f, error).await;
        }
    };
    let Some(until) = kernel::validate::parse_date(f.until_on.trim()) else {
        let error = l.pick("请填写禁入截止日期。", "Enter the date the ban ends.").to_owned();
        return render_bans(&state, &ctx, f, error).await;
    };
    if f.reason.trim().is_empty() {
        let error = l.pick("请填写原因（如撤项文件）。", "Give the reason (e.g. the revocation notice).").to_owned();
        return render_bans(&state, &ctx, f, error).await;
    }
    let mut tx = state.db.begin().await?;
    store::add_ban(&mut tx, &ctx.audit_actor(), &card.number, until, f.reason.trim()).await?;
    tx.commit().await?;
    Ok(redirect_with_flash("/programmes/bans", ctx.t("已加入禁入名单。", "Ban added.")))
}
