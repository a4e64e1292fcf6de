//! The trainings for the province and staff: the list and a new training
//! (/assistance/trainings), one training with its enrolments, the attendance
//! list per session and completion (/assistance/trainings/{id}), and the
//! per-institution table, exportable as xlsx (/assistance/trainings/table).

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;

use kernel::auth::{Actor, Owner, Role};
use kernel::web::{redirect_with_flash, AppError, AppState, CsrfForm, Ctx};
use kernel::{time, Locale};

use super::rules::{self, Form};
use super::store::{self, Enrolment, Session, TableRow, Training};
use crate::store::Person;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/assistance/trainings", get(list_page).post(create))
        .route("/assistance/trainings/table", get(table_page))
        .route("/assistance/trainings/{id}", get(training_page))
        .route("/assistance/trainings/{id}/enrol", post(enrol))
        .route("/assistance/trainings/{id}/attendance", post(attendance))
        .route("/assistance/trainings/{id}/complete", post(complete))
        .route("/assistance/trainings/{id}/edit", get(edit_page).post(edit))
        .route("/assistance/trainings/{id}/cancel", post(cancel))
        .route("/assistance/trainings/{id}/sessions", post(add_session))
        .route("/assistance/trainings/{id}/sessions/{no}", post(move_session))
        .route("/assistance/trainings/{id}/sessions/{no}/remove", post(remove_session))
        .route("/assistance/trainings/{id}/sessions/{no}/door", get(door_page).post(door))
        .merge(super::my_pages::routes())
}

const OFFICES: &[Role] = &[Role::ProvinceAdmin, Role::UniversityStaff];

/// The province, or the staff of the institution hosting the training's base.
pub fn may_manage(actor: &Actor, t: &Training) -> bool {
    match actor.role {
        Role::ProvinceAdmin => true,
        Role::UniversityStaff => actor.institution_id.is_some() && t.host_institution == actor.institution_id,
        _ => false,
    }
}

/// Those who manage it, and the staff of an institution in its audience.
pub fn may_see(actor: &Actor, t: &Training) -> bool {
    may_manage(actor, t)
        || (actor.role == Role::UniversityStaff && actor.institution_id.is_some_and(|i| t.audience.open_to(i)))
}

/// Code → name.
#[derive(Debug, Clone, Default)]
pub struct Names(pub HashMap<String, String>);

impl Names {
    pub fn of(pairs: &[(String, String)]) -> Names {
        Names(pairs.iter().cloned().collect())
    }
    pub fn get(&self, code: &str) -> String {
        self.0.get(code).cloned().unwrap_or_else(|| code.to_owned())
    }
}

fn audience_label(t: &Training, groups: &Names, institutions: &HashMap<i64, String>, l: Locale) -> String {
    let g = match t.audience.groups.is_empty() {
        true => l.pick("各类重点群体", "All key groups").to_owned(),
        false => t.audience.groups.iter().map(|c| groups.get(c)).collect::<Vec<_>>().join("、"),
    };
    let i = match t.audience.institutions.is_empty() {
        true => l.pick("全省高校", "All institutions").to_owned(),
        false => t
            .audience
            .institutions
            .iter()
            .map(|i| institutions.get(i).cloned().unwrap_or_else(|| i.to_string()))
            .collect::<Vec<_>>()
            .join("、"),
    };
    format!("{g} · {i}")
}

// ---------------------------------------------------------------- list and new

#[derive(Template)]
#[template(path = "trainings/list.html")]
struct ListPage<'a> {
    ctx: &'a Ctx,
    l: Locale,
    province: bool,
    trainings: Vec<(Training, String)>,
    kinds: Vec<(String, String)>,
    kind_names: Names,
    groups: Vec<(String, String)>,
    institutions: Vec<(i64, String)>,
    /// Bases the actor may add a training to.
    bases: Vec<(i64, String)>,
    error: String,
    form: Form,
    base: String,
}

impl ListPage<'_> {
    fn group_checked(&self, code: &str) -> bool {
        self.form.groups.iter().any(|g| g == code)
    }
    fn institution_checked(&self, id: &i64) -> bool {
        self.form.institutions.iter().any(|i| *i == id.to_string())
    }
    fn base_selected(&self, id: &i64) -> bool {
        self.base == id.to_string()
    }
    fn may_add(&self) -> bool {
        self.province || !self.bases.is_empty()
    }
}

async fn render_list(
    state: &AppState,
    ctx: &Ctx,
    actor: &Actor,
    form: Form,
    base: String,
    error: String,
) -> Result<Response, AppError> {
    let db = &state.db;
    let l = ctx.locale;
    let province = actor.role == Role::ProvinceAdmin;
    let groups = crate::store::categories(db, l).await?;
    let group_names = Names::of(&groups);
    let institutions = crate::store::institutions(db).await?;
    let by_id: HashMap<i64, String> = institutions.iter().cloned().collect();
    let trainings = store::list(db, None)
        .await?
        .into_iter()
        .filter(|t| may_see(actor, t))
        .map(|t| {
            let a = audience_label(&t, &group_names, &by_id, l);
            (t, a)
        })
        .collect();
    let bases = crate::bases::store::list(db)
        .await?
        .into_iter()
        .filter(|b| province || Some(b.host_institution_id) == actor.institution_id)
        .map(|b| (b.id, b.name))
        .collect();
    let kinds = store::kinds(db, l).await?;
    let page = ListPage {
        ctx,
        l,
        province,
        trainings,
        kind_names: Names::of(&kinds),
        kinds,
        groups,
        institutions,
        bases,
        error,
        form,
        base,
    };
    ctx.page(ctx.t("重点群体培训", "Key-group trainings"), &page)
}

async fn list_page(State(state): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    let actor = ctx.require(OFFICES)?;
    let form = Form { sessions: "1".into(), required: "1".into(), ..Form::default() };
    render_list(&state, &ctx, actor, form, String::new(), String::new()).await
}

async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let actor = ctx.require(OFFICES)?;
    let db = &state.db;
    let l = ctx.locale;
    let form = Form::from_pairs(&pairs);
    let base_field = pairs.iter().find(|(k, _)| k == "base").map(|(_, v)| v.trim().to_owned()).unwrap_or_default();
    let bases = crate::bases::store::list(db).await?;
    let base = match base_field.parse::<i64>().ok() {
        Some(id) => match bases.iter().find(|b| b.id == id) {
            Some(b) if actor.role == Role::ProvinceAdmin || Some(b.host_institution_id) == actor.institution_id => {
                Some(b.id)
            }
            _ => None,
        },
        None => None,
    };
    // Staff add trainings only to a base their institution hosts.
    if base.is_none() && (actor.role != Role::ProvinceAdmin || !base_field.is_empty()) {
        let error = l.pick("请选择本校承办的培训基地。", "Choose a base your institution hosts.").to_owned();
        return render_list(&state, &ctx, actor, form, base_field, error).await;
    }
    let kinds: Vec<String> = store::kinds(db, l).await?.into_iter().map(|(c, _)| c).collect();
    let groups: Vec<String> = crate::store::categories(db, l).await?.into_iter().map(|(c, _)| c).collect();
    let institutions: Vec<i64> = crate::store::institutions(db).await?.into_iter().map(|(i, _)| i).collect();
    let checked = match rules::check(&form, &kinds, &groups, &institutions, l) {
        Ok(c) => c,
        Err(error) => return render_list(&state, &ctx, actor, form, base_field, error).await,
    };
    let mut tx = db.begin().await?;
    let id = store::create(&mut tx, &ctx.audit_actor(), base, &checked).await?;
    tx.commit().await?;
    Ok(redirect_with_flash(&format!("/assistance/trainings/{id}"), ctx.t("培训已创建。", "Training created.")))
}

// ---------------------------------------------------------------- one training

#[derive(Deserialize, Default)]
struct TrainingQuery {
    #[serde(default)]
    session: String,
}

#[derive(Template)]
#[template(path = "trainings/training.html")]
struct TrainingPage<'a> {
    ctx: &'a Ctx,
    l: Locale,
    t: Training,
    kind: String,
    audience: String,
    rule: String,
    manage: bool,
    /// The province edits, cancels and moves sessions.
    edits: bool,
    /// Staff of an institution in the audience enrol its graduates.
    enrols: bool,
    candidates: Vec<(i64, String)>,
    enrolments: Vec<Enrolment>,
    session: u32,
    session_list: Vec<Session>,
    cancelled: bool,
    table: Vec<TableRow>,
    full: bool,
    error: String,
}

impl TrainingPage<'_> {
    fn counted(&self, e: &Enrolment) -> u32 {
        self.t.rule.counted(&e.attended)
    }
    fn completes(&self, e: &Enrolment) -> bool {
        self.t.rule.completes(&e.attended)
    }
    fn present(&self, e: &Enrolment) -> bool {
        e.was_at(&self.session)
    }
    fn rate(&self, r: &TableRow) -> String {
        rules::percent(usize::try_from(r.completed).unwrap_or(0), usize::try_from(r.enrolled).unwrap_or(0))
    }
}

/// The training, when the actor may see it; 404 otherwise.
async fn visible(state: &AppState, ctx: &Ctx, id: i64) -> Result<(Actor, Training), AppError> {
    let actor = ctx.require(OFFICES)?.clone();
    let t = store::get(&state.db, id).await?.ok_or(AppError::NotFound)?;
    if !may_see(&actor, &t) {
        return Err(AppError::NotFound);
    }
    Ok((actor, t))
}

async fn render_training(
    state: &AppState,
    ctx: &Ctx,
    actor: &Actor,
    t: Training,
    session: u32,
    error: String,
) -> Result<Response, AppError> {
    let db = &state.db;
    let l = ctx.locale;
    let scope = ctx.scope();
    let groups = Names::of(&crate::store::categories(db, l).await?);
    let institutions: HashMap<i64, String> = crate::store::institutions(db).await?.into_iter().collect();
    let enrolments = store::enrolments(db, &crate::store::Viewer::of(actor), t.id).await?;
    let enrols = actor.role == Role::UniversityStaff && actor.institution_id.is_some_and(|i| t.audience.open_to(i));
    let mut candidates = Vec::new();
    if enrols {
        let cohort = registry::cohorts::latest_year(state).await?;
        for m in crate::store::register(db, &crate::store::Viewer::of(actor), cohort).await? {
            if t.audience.admits(m.institution_id, &m.categories) && !enrolments.iter().any(|e| e.graduate_id == m.id) {
                candidates.push((m.id, format!("{} {}", m.student_no, m.name)));
            }
        }
    }
    let kind = store::kinds(db, l).await?.into_iter().find(|(c, _)| *c == t.kind).map(|(_, n)| n).unwrap_or_default();
    let session_list = store::sessions(db, t.id).await?;
    let session = match session_list.iter().any(|s| s.no == session) {
        true => session,
        false => session_list.first().map(|s| s.no).unwrap_or(1),
    };
    let page = TrainingPage {
        ctx,
        l,
        kind,
        audience: audience_label(&t, &groups, &institutions, l),
        rule: t.rule.label(l),
        manage: may_manage(actor, &t),
        edits: actor.role == Role::ProvinceAdmin,
        enrols,
        candidates,
        enrolments,
        session,
        session_list,
        cancelled: t.is_cancelled(),
        table: store::table(db, &scope, Some(t.id)).await?,
        full: !rules::has_place(t.enrolled, t.capacity),
        error,
        t,
    };
    let title = format!("{}：{}", ctx.t("培训", "Training"), page.t.title);
    ctx.page(&title, &page)
}

async fn training_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<TrainingQuery>,
) -> Result<Response, AppError> {
    let (actor, t) = visible(&state, &ctx, id).await?;
    let session = q.session.trim().parse().unwrap_or(1);
    render_training(&state, &ctx, &actor, t, session, String::new()).await
}

#[derive(Deserialize)]
struct EnrolForm {
    #[serde(default)]
    graduate: String,
}

fn owner(p: &Person) -> Owner {
    Owner { institution: Some(p.institution_id), college: Some(p.college_id), ..Owner::default() }
}

/// Staff enrol one of their institution's key-group graduates in the audience.
async fn enrol(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<EnrolForm>,
) -> Result<Response, AppError> {
    ctx.require(&[Role::UniversityStaff])?;
    let (actor, t) = visible(&state, &ctx, id).await?;
    let db = &state.db;
    let l = ctx.locale;
    let found = match form.graduate.trim().parse::<i64>() {
        Ok(g) => crate::store::person(db, g).await?.filter(|p| ctx.scope().may_see(owner(p))),
        Err(_) => None,
    };
    let Some(p) = found else {
        let error = l.pick("请选择本校的毕业生。", "Choose a graduate of your institution.");
        return render_training(&state, &ctx, &actor, t, 1, error.into()).await;
    };
    let categories = store::categories_of(db, &p).await?;
    let refusal = if t.is_cancelled() {
        Some(cancelled_message(l))
    } else if !t.audience.admits(p.institution_id, &categories) {
        Some(l.pick("该毕业生不在本培训的对象范围内。", "The graduate is not in the training's audience."))
    } else if store::is_enrolled(db, t.id, p.id).await? {
        Some(l.pick("该毕业生已报名。", "The graduate is enrolled already."))
    } else if !rules::has_place(t.enrolled, t.capacity) {
        Some(l.pick("名额已满。", "The training is full."))
    } else {
        None
    };
    if let Some(error) = refusal {
        return render_training(&state, &ctx, &actor, t, 1, error.into()).await;
    }
    let mut tx = db.begin().await?;
    let enrolled = store::enrol(&mut tx, &ctx.audit_actor(), &t, &p).await?;
    tx.commit().await?;
    let error = match enrolled {
        store::Enrolled::Done(_) => {
            return Ok(redirect_with_flash(
                &format!("/assistance/trainings/{id}#enrolments"),
                ctx.t("已报名。", "Enrolled."),
            ))
        }
        store::Enrolled::Already => l.pick("该毕业生已报名。", "The graduate is enrolled already."),
        store::Enrolled::Full => l.pick("名额已满。", "The training is full."),
    };
    render_training(&state, &ctx, &actor, t, 1, error.into()).await
}

/// The province or the base's host staff tick who attended one session.
async fn attendance(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let (actor, t) = visible(&state, &ctx, id).await?;
    if !may_manage(&actor, &t) {
        return Err(AppError::NotFound);
    }
    if t.is_cancelled() {
        let error = cancelled_message(ctx.locale);
        return render_training(&state, &ctx, &actor, t, 1, error.into()).await;
    }
    let field = |name: &str| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.trim().to_owned());
    let existing: Vec<u32> = store::sessions(&state.db, t.id).await?.iter().map(|s| s.no).collect();
    let Some(session) = field("session").and_then(|s| s.parse::<u32>().ok()).filter(|s| existing.contains(s)) else {
        let error = ctx.t("请选择场次。", "Choose the session.");
        return render_training(&state, &ctx, &actor, t, 1, error.into()).await;
    };
    let listed: Vec<i64> = store::enrolments(&state.db, &crate::store::Viewer::of(&actor), t.id)
        .await?
        .iter()
        .map(|e| e.graduate_id)
        .collect();
    let present: Vec<i64> =
        pairs.iter().filter(|(k, _)| k == "present").filter_map(|(_, v)| v.trim().parse::<i64>().ok()).collect();
    let mut tx = state.db.begin().await?;
    store::set_attendance(&mut tx, &ctx.audit_actor(), &t, session, &listed, &present).await?;
    tx.commit().await?;
    Ok(redirect_with_flash(
        &format!("/assistance/trainings/{id}?session={session}#attendance"),
        ctx.t("签到已保存。", "Attendance saved."),
    ))
}

/// Marks complete every enrolment (within the scope) that meets the rule,
/// writing each graduate's ledger entry: one transaction.
async fn complete(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    CsrfForm(_): CsrfForm<kernel::web::NoFields>,
) -> Result<Response, AppError> {
    let (actor, t) = visible(&state, &ctx, id).await?;
    if !may_manage(&actor, &t) {
        return Err(AppError::NotFound);
    }
    let db = &state.db;
    if t.is_cancelled() {
        let error = cancelled_message(ctx.locale);
        return render_training(&state, &ctx, &actor, t, 1, error.into()).await;
    }
    let due: Vec<Enrolment> = store::enrolments(db, &crate::store::Viewer::of(&actor), t.id)
        .await?
        .into_iter()
        .filter(|e| e.completed_at.is_none() && t.rule.completes(&e.attended))
        .collect();
    let mut people = Vec::new();
    for e in &due {
        if let Some(p) = crate::store::person(db, e.graduate_id).await? {
            people.push((e.id, p));
        }
    }
    let mut tx = db.begin().await?;
    let who = ctx.audit_actor();
    for (enrolment, p) in &people {
        store::complete(&mut tx, &who, &t, p, *enrolment).await?;
    }
    tx.commit().await?;
    let message = match ctx.locale {
        Locale::Zh => format!("已评定结业 {} 人。", people.len()),
        Locale::En => format!("{} completed.", people.len()),
    };
    Ok(redirect_with_flash(&format!("/assistance/trainings/{id}#enrolments"), &message))
}

/// What any write to a cancelled training answers.
pub fn cancelled_message(l: Locale) -> &'static str {
    l.pick(
        "该培训已取消，不再接受报名、签到和调整。",
        "The training is cancelled: it takes no more enrolment, attendance or change.",
    )
}

/// The training, when the actor is the province and it is not cancelled (an error shown on its page otherwise).
async fn managed(state: &AppState, ctx: &Ctx, id: i64) -> Result<Result<(Actor, Training), Response>, AppError> {
    ctx.require(&[Role::ProvinceAdmin])?;
    let (actor, t) = visible(state, ctx, id).await?;
    if !may_manage(&actor, &t) {
        return Err(AppError::NotFound);
    }
    if t.is_cancelled() {
        let error = cancelled_message(ctx.locale).to_owned();
        return Ok(Err(render_training(state, ctx, &actor, t, 1, error).await?));
    }
    Ok(Ok((actor, t)))
}

// ---------------------------------------------------------------- edit and cancel

#[derive(Template)]
#[template(path = "trainings/edit.html")]
struct EditPage<'a> {
    ctx: &'a Ctx,
    l: Locale,
    t: Training,
    form: Form,
    kinds: Vec<(String, String)>,
    groups: Vec<(String, String)>,
    institutions: Vec<(i64, String)>,
    error: String,
}

impl EditPage<'_> {
    fn group_checked(&self, code: &str) -> bool {
        self.form.groups.iter().any(|g| g == code)
    }
    fn institution_checked(&self, id: &i64) -> bool {
        self.form.institutions.iter().any(|i| *i == id.to_string())
    }
}

async fn render_edit(
    state: &AppState,
    ctx: &Ctx,
    t: Training,
    form: Form,
    error: String,
) -> Result<Response, AppError> {
    let db = &state.db;
    let l = ctx.locale;
    let page = EditPage {
        ctx,
        l,
        form,
        kinds: store::kinds(db, l).await?,
        groups: crate::store::categories(db, l).await?,
        institutions: crate::store::institutions(db).await?,
        error,
        t,
    };
    let title = format!("{}：{}", ctx.t("修改培训", "Edit the training"), page.t.title);
    ctx.page(&title, &page)
}

async fn edit_page(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, AppError> {
    let (_, t) = match managed(&state, &ctx, id).await? {
        Ok(found) => found,
        Err(page) => return Ok(page),
    };
    let form = Form {
        title: t.title.clone(),
        kind: t.kind.clone(),
        online: t.online,
        place: t.place.clone(),
        capacity: t.capacity.to_string(),
        required: t.rule.required.to_string(),
        groups: t.audience.groups.clone(),
        institutions: t.audience.institutions.iter().map(i64::to_string).collect(),
        ..Form::default()
    };
    render_edit(&state, &ctx, t, form, String::new()).await
}

async fn edit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let (_, t) = match managed(&state, &ctx, id).await? {
        Ok(found) => found,
        Err(page) => return Ok(page),
    };
    let db = &state.db;
    let l = ctx.locale;
    // The dates and the number of sessions are the sessions'.
    let form = Form {
        starts_on: t.starts_on.clone(),
        ends_on: t.ends_on.clone(),
        sessions: t.rule.sessions.to_string(),
        ..Form::from_pairs(&pairs)
    };
    let kinds: Vec<String> = store::kinds(db, l).await?.into_iter().map(|(c, _)| c).collect();
    let groups: Vec<String> = crate::store::categories(db, l).await?.into_iter().map(|(c, _)| c).collect();
    let institutions: Vec<i64> = crate::store::institutions(db).await?.into_iter().map(|(i, _)| i).collect();
    let checked = match rules::check(&form, &kinds, &groups, &institutions, l) {
        Ok(c) if c.capacity < t.enrolled => {
            Err(l.pick("容量不能少于已报名人数。", "The capacity cannot be below those enrolled.").to_owned())
        }
        other => other,
    };
    let checked = match checked {
        Ok(c) => c,
        Err(error) => return render_edit(&state, &ctx, t, form, error).await,
    };
    let mut tx = db.begin().await?;
    store::update(&mut tx, &ctx.audit_actor(), &t, &checked).await?;
    tx.commit().await?;
    Ok(redirect_with_flash(&format!("/assistance/trainings/{id}"), ctx.t("培训信息已保存。", "Training saved.")))
}

#[derive(Deserialize)]
struct CancelForm {
    #[serde(default)]
    reason: String,
}

/// Cancels the training with a reason; the enrolled graduates get a message.
async fn cancel(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<CancelForm>,
) -> Result<Response, AppError> {
    let (actor, t) = match managed(&state, &ctx, id).await? {
        Ok(found) => found,
        Err(page) => return Ok(page),
    };
    let reason = match rules::check_reason(&f.reason, ctx.locale) {
        Ok(r) => r,
        Err(error) => return render_training(&state, &ctx, &actor, t, 1, error).await,
    };
    let mut tx = state.db.begin().await?;
    let told = store::cancel(&mut tx, &ctx.audit_actor(), &t, &reason).await?;
    tx.commit().await?;
    let message = match ctx.locale {
        Locale::Zh => format!("培训已取消，已通知 {told} 个账号。"),
        Locale::En => format!("Training cancelled; {told} accounts told."),
    };
    Ok(redirect_with_flash(&format!("/assistance/trainings/{id}"), &message))
}

// ---------------------------------------------------------------- sessions

fn session_form(pairs: &[(String, String)]) -> rules::SessionForm {
    let mut f = rules::SessionForm::default();
    for (k, v) in pairs {
        match k.as_str() {
            "held_on" => f.held_on = v.clone(),
            "starts_at" => f.starts_at = v.clone(),
            "ends_at" => f.ends_at = v.clone(),
            "online" => f.online = v == "1",
            "place" => f.place = v.clone(),
            _ => {}
        }
    }
    f
}

async fn add_session(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let (actor, t) = match managed(&state, &ctx, id).await? {
        Ok(found) => found,
        Err(page) => return Ok(page),
    };
    if t.rule.sessions >= rules::MOST_SESSIONS {
        let error = ctx.t("场次已达上限（60）。", "A training has at most 60 sessions.");
        return render_training(&state, &ctx, &actor, t, 1, error.into()).await;
    }
    let s = match rules::check_session(&session_form(&pairs), ctx.locale) {
        Ok(s) => s,
        Err(error) => return render_training(&state, &ctx, &actor, t, 1, error).await,
    };
    let mut tx = state.db.begin().await?;
    let no = store::add_session(&mut tx, &ctx.audit_actor(), &t, &s).await?;
    tx.commit().await?;
    Ok(redirect_with_flash(
        &format!("/assistance/trainings/{id}#session-{no}"),
        ctx.t("场次已增加。", "Session added."),
    ))
}

/// The session numbered `no`, or 404.
async fn session_of(state: &AppState, t: &Training, no: u32) -> Result<Session, AppError> {
    store::sessions(&state.db, t.id).await?.into_iter().find(|s| s.no == no).ok_or(AppError::NotFound)
}

async fn move_session(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, no)): Path<(i64, u32)>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let (actor, t) = match managed(&state, &ctx, id).await? {
        Ok(found) => found,
        Err(page) => return Ok(page),
    };
    let before = session_of(&state, &t, no).await?;
    let s = match rules::check_session(&session_form(&pairs), ctx.locale) {
        Ok(s) => s,
        Err(error) => return render_training(&state, &ctx, &actor, t, no, error).await,
    };
    let mut tx = state.db.begin().await?;
    store::move_session(&mut tx, &ctx.audit_actor(), &t, &before, &s).await?;
    tx.commit().await?;
    Ok(redirect_with_flash(
        &format!("/assistance/trainings/{id}#session-{no}"),
        ctx.t("场次已调整。", "Session moved."),
    ))
}

async fn remove_session(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, no)): Path<(i64, u32)>,
    CsrfForm(_): CsrfForm<kernel::web::NoFields>,
) -> Result<Response, AppError> {
    let (actor, t) = match managed(&state, &ctx, id).await? {
        Ok(found) => found,
        Err(page) => return Ok(page),
    };
    let s = session_of(&state, &t, no).await?;
    let mut tx = state.db.begin().await?;
    let attended = store::has_attendance(&mut tx, t.id, no).await?;
    if let Some(error) = rules::removal_refused(attended, t.rule.sessions, t.rule.required, ctx.locale) {
        drop(tx);
        return render_training(&state, &ctx, &actor, t, no, error).await;
    }
    store::remove_session(&mut tx, &ctx.audit_actor(), &t, &s).await?;
    tx.commit().await?;
    Ok(redirect_with_flash(&format!("/assistance/trainings/{id}#sessions"), ctx.t("场次已删除。", "Session removed.")))
}

// ---------------------------------------------------------------- the door

#[derive(Template)]
#[template(path = "trainings/door.html")]
struct DoorPage<'a> {
    ctx: &'a Ctx,
    l: Locale,
    t: Training,
    s: Session,
    error: String,
    done: String,
}

async fn render_door(ctx: &Ctx, t: Training, s: Session, error: String, done: String) -> Result<Response, AppError> {
    let title = format!("{}：{}", ctx.t("签到", "Check-in"), t.title);
    ctx.page(&title, &DoorPage { ctx, l: ctx.locale, t, s, error, done })
}

/// The door of one session: the province or the base's host reads passes there.
async fn door_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, no)): Path<(i64, u32)>,
) -> Result<Response, AppError> {
    let (actor, t) = visible(&state, &ctx, id).await?;
    if !may_manage(&actor, &t) {
        return Err(AppError::Forbidden);
    }
    let s = session_of(&state, &t, no).await?;
    let error = if t.is_cancelled() { cancelled_message(ctx.locale).to_owned() } else { String::new() };
    render_door(&ctx, t, s, error, String::new()).await
}

#[derive(Deserialize)]
struct DoorForm {
    #[serde(default)]
    code: String,
}

/// Reads a scanned or typed pass (or a student number) and ticks the session.
async fn door(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, no)): Path<(i64, u32)>,
    CsrfForm(f): CsrfForm<DoorForm>,
) -> Result<Response, AppError> {
    let (actor, t) = visible(&state, &ctx, id).await?;
    if !may_manage(&actor, &t) {
        return Err(AppError::Forbidden);
    }
    let s = session_of(&state, &t, no).await?;
    let l = ctx.locale;
    let db = &state.db;
    let key = state.signing_key().await?;
    let found = match rules::door(key, &f.code, t.id, t.is_cancelled(), chrono::Utc::now()) {
        Err(refusal) => Err(refusal.message(l)),
        Ok(rules::DoorCode::Graduate(g)) => Ok(Some(g)),
        Ok(rules::DoorCode::Number(n)) => Ok(store::enrolled_by_number(db, t.id, &n).await?),
    };
    let person = match found {
        Err(error) => return render_door(&ctx, t, s, error, String::new()).await,
        Ok(Some(g)) if store::is_enrolled(db, t.id, g).await? => crate::store::person(db, g).await?,
        Ok(_) => None,
    };
    let Some(p) = person else {
        let error = rules::DoorRefusal::NotEnrolled.message(l);
        return render_door(&ctx, t, s, error, String::new()).await;
    };
    let mut tx = db.begin().await?;
    let new = store::check_in(&mut tx, &ctx.audit_actor(), &t, no, &p).await?;
    tx.commit().await?;
    let done = match (new, l) {
        (true, Locale::Zh) => format!("{} 签到成功（第 {no} 场）。", p.name),
        (true, Locale::En) => format!("{} checked in (session {no}).", p.name),
        (false, Locale::Zh) => format!("{} 已签到过（第 {no} 场）。", p.name),
        (false, Locale::En) => format!("{} was checked in already (session {no}).", p.name),
    };
    let s = session_of(&state, &t, no).await?;
    render_door(&ctx, t, s, String::new(), done).await
}

// ---------------------------------------------------------------- the table

#[derive(Deserialize, Default)]
struct TableQuery {
    #[serde(default)]
    format: String,
}

#[derive(Template)]
#[template(path = "trainings/table.html")]
struct TablePage {
    l: Locale,
    rows: Vec<TableRow>,
}

impl TablePage {
    fn rate(&self, r: &TableRow) -> String {
        rules::percent(usize::try_from(r.completed).unwrap_or(0), usize::try_from(r.enrolled).unwrap_or(0))
    }
}

/// Enrolment, attendance and completion per training and institution; `?format=xlsx` downloads it.
async fn table_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<TableQuery>,
) -> Result<Response, AppError> {
    ctx.require(OFFICES)?;
    let l = ctx.locale;
    let rows = store::table(&state.db, &ctx.scope(), None).await?;
    if q.format == "xlsx" {
        let mut sheet = vec![vec![
            l.pick("培训", "Training").to_owned(),
            l.pick("高校", "Institution").to_owned(),
            l.pick("报名人数", "Enrolled").to_owned(),
            l.pick("出勤人数", "Attended").to_owned(),
            l.pick("结业人数", "Completed").to_owned(),
            l.pick("结业率", "Completion rate").to_owned(),
        ]];
        for r in &rows {
            sheet.push(vec![
                r.title.clone(),
                r.institution.clone(),
                r.enrolled.to_string(),
                r.attended.to_string(),
                r.completed.to_string(),
                rules::percent(usize::try_from(r.completed).unwrap_or(0), usize::try_from(r.enrolled).unwrap_or(0)),
            ]);
        }
        let title = l.pick("重点群体培训情况", "Key-group trainings");
        let stem = format!("trainings-{}", time::today_china());
        return kernel::web::export::download(&sheet, "xlsx", &stem, title, None);
    }
    let page = TablePage { l, rows };
    ctx.page(ctx.t("重点群体培训统计", "Key-group trainings by institution"), &page)
}
