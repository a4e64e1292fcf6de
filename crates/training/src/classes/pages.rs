//! The classes' pages: the list and the province's form (/training/classes),
//! one class with its curriculum, sessions, enrolment, assessment and
//! completion (/training/classes/{id}), the door of a session, the office's
//! teachers (/training/teachers), the participant's own page (/training/mine),
//! a certificate's print (/training/certificates/{number}), the public check
//! (/verify/certificate) and the per-institution figures (/training/figures).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;

use kernel::auth::{Actor, Role};
use kernel::web::{redirect_with_flash, AppError, AppState, CsrfForm, Ctx};
use kernel::{time, Locale};

use super::rules::{self, Audience, Form};
use super::store::{self, Class, Enrolled, Enrollee, Figures, Mine, Participant, Session, Teacher};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/training/classes", get(list_page).post(create))
        .route("/training/classes/new", get(new_page))
        .route("/training/classes/{id}", get(class_page))
        .route("/training/classes/{id}/edit", get(edit_page).post(edit))
        .route("/training/classes/{id}/enrol", post(enrol))
        .route("/training/classes/{id}/assessment", post(assessment))
        .route("/training/classes/{id}/complete", post(complete))
        .route("/training/classes/{id}/sessions/{no}/door", get(door_page).post(door))
        .route("/training/teachers", get(teachers_page).post(add_teacher))
        .route(
            "/training/teachers/import",
            post(import_teachers).layer(axum::extract::DefaultBodyLimit::max(MAX_UPLOAD + 64 * 1024)),
        )
        .route("/training/teachers/{id}", get(teacher_page).post(save_teacher))
        .route("/training/teachers/{id}/remove", post(remove_teacher))
        .route("/training/mine", get(my_page))
        .route("/training/mine/{id}/enrol", post(enrol_myself))
        .route("/training/certificates/{number}", get(certificate_page))
        .route("/training/figures", get(figures_page))
        .route("/verify/certificate", get(verify_page))
}

/// Teachers' sheets at most this large.
const MAX_UPLOAD: usize = 20 * 1024 * 1024;
/// Import errors shown on the page; the report holds all of them.
const SHOWN_ERRORS: usize = 500;

const OFFICES: &[Role] = &[Role::ProvinceAdmin, Role::UniversityStaff];
const PARTICIPANTS: &[Role] = &[Role::UniversityStaff, Role::Graduate];

/// The province, or the staff of the organising institution.
pub fn may_manage(actor: &Actor, c: &Class) -> bool {
    match actor.role {
        Role::ProvinceAdmin => true,
        Role::UniversityStaff => actor.institution_id.is_some() && c.organiser == actor.institution_id,
        _ => false,
    }
}

/// The participants an actor sees: all for those who manage, its institution's otherwise.
fn participant_scope(actor: &Actor, c: &Class) -> Option<Option<i64>> {
    match may_manage(actor, c) {
        true => Some(None),
        false => actor.institution_id.map(Some),
    }
}

async fn kind_name(state: &AppState, l: Locale, code: &str) -> Result<String, AppError> {
    Ok(store::kinds(&state.db, l).await?.into_iter().find(|(c, _)| c == code).map(|(_, n)| n).unwrap_or_default())
}

// ---------------------------------------------------------------- list

#[derive(Template)]
#[template(path = "classes/list.html")]
struct ListPage {
    l: Locale,
    province: bool,
    classes: Vec<(Class, String)>,
}

async fn list_page(State(state): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    let actor = ctx.require(OFFICES)?;
    let l = ctx.locale;
    let kinds = store::kinds(&state.db, l).await?;
    let classes = store::list(&state.db)
        .await?
        .into_iter()
        .map(|c| {
            let k = kinds.iter().find(|(code, _)| *code == c.kind).map(|(_, n)| n.clone()).unwrap_or_default();
            (c, k)
        })
        .collect();
    let page = ListPage { l, province: actor.role == Role::ProvinceAdmin, classes };
    ctx.page(ctx.t("培训班", "Training classes"), &page)
}

// ---------------------------------------------------------------- the form

#[derive(Template)]
#[template(path = "classes/form.html")]
struct FormPage<'a> {
    ctx: &'a Ctx,
    l: Locale,
    /// The class edited, or none for a new one.
    id: Option<i64>,
    form: Form,
    kinds: Vec<(String, String)>,
    institutions: Vec<(i64, String, String)>,
    audiences: Vec<(&'static str, &'static str)>,
    error: String,
}

impl FormPage<'_> {
    fn organiser_selected(&self, id: &i64) -> bool {
        self.form.organiser == id.to_string()
    }
}

async fn render_form(
    state: &AppState,
    ctx: &Ctx,
    id: Option<i64>,
    form: Form,
    error: String,
) -> Result<Response, AppError> {
    let l = ctx.locale;
    let page = FormPage {
        ctx,
        l,
        id,
        form,
        kinds: store::kinds(&state.db, l).await?,
        institutions: store::institutions(&state.db).await?,
        audiences: Audience::ALL.iter().map(|a| (a.key(), a.label(l))).collect(),
        error,
    };
    let title = match id {
        Some(_) => ctx.t("修改培训班", "Edit the class"),
        None => ctx.t("新建培训班", "New training class"),
    };
    ctx.page(title, &page)
}

async fn new_page(State(state): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    ctx.require(&[Role::ProvinceAdmin])?;
    let form = Form {
        kind: "01".into(),
        audience: "teachers".into(),
        required: "1".into(),
        assessed: true,
        pass_mark: "60".into(),
        quota: "0".into(),
        ..Form::default()
    };
    render_form(&state, &ctx, None, form, String::new()).await
}

async fn checked(state: &AppState, form: &Form, l: Locale) -> Result<Result<rules::Checked, String>, AppError> {
    let kinds: Vec<String> = store::kinds(&state.db, l).await?.into_iter().map(|(c, _)| c).collect();
    let institutions: Vec<(String, i64)> =
        store::institutions(&state.db).await?.into_iter().map(|(id, code, _)| (code, id)).collect();
    Ok(rules::check(form, &kinds, &institutions, l))
}

async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    ctx.require(&[Role::ProvinceAdmin])?;
    let form = Form::from_pairs(&pairs);
    let c = match checked(&state, &form, ctx.locale).await? {
        Ok(c) => c,
        Err(error) => return render_form(&state, &ctx, None, form, error).await,
    };
    let mut tx = state.db.begin().await?;
    let id = store::create(&mut tx, &ctx.audit_actor(), &c).await?;
    tx.commit().await?;
    Ok(redirect_with_flash(&format!("/training/classes/{id}"), ctx.t("培训班已创建。", "Class created.")))
}

async fn form_of(state: &AppState, c: &Class) -> Result<Form, AppError> {
    let institutions = store::institutions(&state.db).await?;
    let code = |id: i64| institutions.iter().find(|(i, _, _)| *i == id).map(|(_, c, _)| c.clone()).unwrap_or_default();
    let quotas = store::quotas(&state.db, c.id).await?;
    Ok(Form {
        kind: c.kind.clone(),
        title: c.title.clone(),
        audience: c.audience.key().to_owned(),
        modules: rules::modules_text(&store::modules(&state.db, c.id).await?),
        sessions: store::sessions(&state.db, c.id).await?.iter().map(Session::line).collect::<Vec<_>>().join("\n"),
        capacity: c.capacity.to_string(),
        quota: c.quota.to_string(),
        quotas: quotas.iter().map(|(i, q)| format!("{} {q}", code(*i))).collect::<Vec<_>>().join("\n"),
        required: c.rule.required.to_string(),
        assessed: c.rule.assessed,
        pass_mark: c.pass_mark.to_string(),
        prefix: c.prefix.clone(),
        organiser: c.organiser.map(|o| o.to_string()).unwrap_or_default(),
    })
}

async fn edit_page(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, AppError> {
    ctx.require(&[Role::ProvinceAdmin])?;
    let c = store::get(&state.db, id).await?.ok_or(AppError::NotFound)?;
    let form = form_of(&state, &c).await?;
    render_form(&state, &ctx, Some(id), form, String::new()).await
}

async fn edit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    ctx.require(&[Role::ProvinceAdmin])?;
    let before = store::get(&state.db, id).await?.ok_or(AppError::NotFound)?;
    let l = ctx.locale;
    let form = Form::from_pairs(&pairs);
    let issued = store::participants(&state.db, id, None).await?.iter().any(|p| p.certificate.is_some());
    let c = match checked(&state, &form, l).await? {
        Ok(c) if c.capacity < before.enrolled => {
            Err(l.pick("容量不能少于已报名人数。", "The capacity cannot be below those enrolled.").to_owned())
        }
        Ok(c) if c.prefix != before.prefix && issued => Err(l
            .pick("已发证书的培训班不能修改编号前缀。", "The prefix cannot change once certificates are issued.")
            .to_owned()),
        other => other,
    };
    let c = match c {
        Ok(c) => c,
        Err(error) => return render_form(&state, &ctx, Some(id), form, error).await,
    };
    let mut tx = state.db.begin().await?;
    if !store::update(&mut tx, &ctx.audit_actor(), &before, &c).await? {
        drop(tx);
        let error = l.pick(
            "删去的场次已有签到记录，不能删除。",
            "A session left out has attendance recorded and cannot be removed.",
        );
        return render_form(&state, &ctx, Some(id), form, error.into()).await;
    }
    tx.commit().await?;
    Ok(redirect_with_flash(&format!("/training/classes/{id}"), ctx.t("培训班已保存。", "Class saved.")))
}

// ---------------------------------------------------------------- one class

#[derive(Template)]
#[template(path = "classes/class.html")]
struct ClassPage<'a> {
    ctx: &'a Ctx,
    l: Locale,
    c: Class,
    kind: String,
    modules: Vec<rules::Module>,
    sessions: Vec<Session>,
    participants: Vec<Participant>,
    manage: bool,
    edits: bool,
    /// The staff's own teachers not yet enrolled, when the class takes teachers.
    candidates: Vec<Teacher>,
    enrols: bool,
    /// The actor's institution's quota (0: none) and how many of it are enrolled.
    quota: Option<(i64, i64)>,
    error: String,
}

impl ClassPage<'_> {
    fn completes(&self, p: &Participant) -> bool {
        self.c.rule.completes(p.attended, p.passed)
    }
    fn assessment(&self, p: &Participant) -> String {
        match (p.score, p.passed) {
            (Some(s), _) => s.to_string(),
            (None, Some(true)) => self.l.pick("合格", "pass").to_owned(),
            (None, Some(false)) => self.l.pick("不合格", "fail").to_owned(),
            (None, None) => String::new(),
        }
    }
}

async fn render_class(
    state: &AppState,
    ctx: &Ctx,
    actor: &Actor,
    c: Class,
    error: String,
) -> Result<Response, AppError> {
    let db = &state.db;
    let l = ctx.locale;
    let participants = match participant_scope(actor, &c) {
        Some(scope) => store::participants(db, c.id, scope).await?,
        None => Vec::new(),
    };
    let enrols = actor.role == Role::UniversityStaff && c.audience.admits_teachers();
    let mut candidates = Vec::new();
    let mut quota = None;
    if let (Role::UniversityStaff, Some(own)) = (actor.role, actor.institution_id) {
        let mine = store::participants(db, c.id, Some(own)).await?;
        if enrols {
            candidates = store::teachers(db, Some(own))
                .await?
                .into_iter()
                .filter(|t| t.active && !mine.iter().any(|p| p.teacher_id == Some(t.id)))
                .collect();
        }
        let q = rules::quota_of(c.quota, &store::quotas(db, c.id).await?, own);
        quota = Some((q, i64::try_from(mine.len()).unwrap_or(0)));
    }
    let page = ClassPage {
        ctx,
        l,
        kind: kind_name(state, l, &c.kind).await?,
        modules: store::modules(db, c.id).await?,
        sessions: store::sessions(db, c.id).await?,
        participants,
        manage: may_manage(actor, &c),
        edits: actor.role == Role::ProvinceAdmin,
        candidates,
        enrols,
        quota,
        error,
        c,
    };
    let title = format!("{}：{}", ctx.t("培训班", "Class"), page.c.title);
    ctx.page(&title, &page)
}

async fn class_of(state: &AppState, ctx: &Ctx, id: i64, roles: &[Role]) -> Result<(Actor, Class), AppError> {
    let actor = ctx.require(roles)?.clone();
    let c = store::get(&state.db, id).await?.ok_or(AppError::NotFound)?;
    Ok((actor, c))
}

async fn class_page(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, AppError> {
    let (actor, c) = class_of(&state, &ctx, id, OFFICES).await?;
    render_class(&state, &ctx, &actor, c, String::new()).await
}

#[derive(Deserialize)]
struct EnrolForm {
    #[serde(default)]
    teacher: String,
}

fn enrolled_message(e: Enrolled, l: Locale) -> Result<&'static str, String> {
    match e {
        Enrolled::Done(_) => Ok(l.pick("已报名。", "Enrolled.")),
        Enrolled::Already => Err(l.pick("已报名过。", "Enrolled already.").to_owned()),
        Enrolled::NoPlace(n) => Err(n.message(l)),
    }
}

/// The office enrols one of its own teachers within its quota.
async fn enrol(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<EnrolForm>,
) -> Result<Response, AppError> {
    let (actor, c) = class_of(&state, &ctx, id, &[Role::UniversityStaff]).await?;
    let l = ctx.locale;
    let teacher = match f.teacher.trim().parse::<i64>() {
        Ok(t) => {
            store::teacher(&state.db, t).await?.filter(|t| t.active && Some(t.institution_id) == actor.institution_id)
        }
        Err(_) => None,
    };
    let Some(t) = teacher else {
        let error = l.pick("请选择本校的教师。", "Choose a teacher of your institution.");
        return render_class(&state, &ctx, &actor, c, error.into()).await;
    };
    if !c.audience.admits_teachers() {
        let error = l.pick("该培训班面向学生。", "The class is for students.");
        return render_class(&state, &ctx, &actor, c, error.into()).await;
    }
    let mut tx = state.db.begin().await?;
    let done =
        store::enrol(&mut tx, &ctx.audit_actor(), &c, Enrollee::Teacher { id: t.id, institution: t.institution_id })
            .await?;
    tx.commit().await?;
    match enrolled_message(done, l) {
        Ok(m) => Ok(redirect_with_flash(&format!("/training/classes/{id}#participants"), m)),
        Err(error) => render_class(&state, &ctx, &actor, c, error).await,
    }
}

/// Those who manage the class record each participant's assessment.
async fn assessment(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let (actor, c) = class_of(&state, &ctx, id, OFFICES).await?;
    if !may_manage(&actor, &c) {
        return Err(AppError::NotFound);
    }
    let l = ctx.locale;
    let participants = store::participants(&state.db, c.id, None).await?;
    let mut changes = Vec::new();
    for p in &participants {
        let Some((_, typed)) = pairs.iter().find(|(k, _)| *k == format!("a{}", p.id)) else { continue };
        match rules::assessment(typed, c.pass_mark) {
            Ok(Some(a)) if Some(a.passed) != p.passed || a.score != p.score => changes.push((p, a)),
            Ok(_) => {}
            Err(rules::BadAssessment) => {
                let error = match l {
                    Locale::Zh => format!("{}：考核结果写作 0–100 的分数，或“合格”“不合格”。", p.name),
                    Locale::En => format!("{}: write a score 0–100, or pass or fail.", p.name),
                };
                return render_class(&state, &ctx, &actor, c, error).await;
            }
        }
    }
    let mut tx = state.db.begin().await?;
    let who = ctx.audit_actor();
    for (p, a) in &changes {
        store::assess(&mut tx, &who, p, *a).await?;
    }
    tx.commit().await?;
    let message = match l {
        Locale::Zh => format!("已记录 {} 人的考核结果。", changes.len()),
        Locale::En => format!("{} assessments recorded.", changes.len()),
    };
    Ok(redirect_with_flash(&format!("/training/classes/{id}#participants"), &message))
}

/// Completes those meeting the rule and issues their certificates, in one transaction.
async fn complete(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    CsrfForm(_): CsrfForm<kernel::web::NoFields>,
) -> Result<Response, AppError> {
    let (actor, c) = class_of(&state, &ctx, id, OFFICES).await?;
    if !may_manage(&actor, &c) {
        return Err(AppError::NotFound);
    }
    let mut tx = state.db.begin().await?;
    let numbers = store::complete(&mut tx, &ctx.audit_actor(), &c, time::today_china()).await?;
    tx.commit().await?;
    let message = match ctx.locale {
        Locale::Zh => format!("已评定结业并发放证书 {} 张。", numbers.len()),
        Locale::En => format!("{} completed; certificates issued.", numbers.len()),
    };
    Ok(redirect_with_flash(&format!("/training/classes/{id}#participants"), &message))
}

// ---------------------------------------------------------------- the door

#[derive(Template)]
#[template(path = "classes/door.html")]
struct DoorPage<'a> {
    ctx: &'a Ctx,
    l: Locale,
    c: Class,
    s: Session,
    error: String,
    done: String,
}

async fn door_of(state: &AppState, ctx: &Ctx, id: i64, no: i64) -> Result<(Class, Session), AppError> {
    let (actor, c) = class_of(state, ctx, id, OFFICES).await?;
    if !may_manage(&actor, &c) {
        return Err(AppError::Forbidden);
    }
    let s = store::sessions(&state.db, c.id).await?.into_iter().find(|s| s.no == no).ok_or(AppError::NotFound)?;
    Ok((c, s))
}

fn render_door(ctx: &Ctx, c: Class, s: Session, error: String, done: String) -> Result<Response, AppError> {
    let title = format!("{}：{}", ctx.t("签到", "Check-in"), c.title);
    ctx.page(&title, &DoorPage { ctx, l: ctx.locale, c, s, error, done })
}

async fn door_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, no)): Path<(i64, i64)>,
) -> Result<Response, AppError> {
    let (c, s) = door_of(&state, &ctx, id, no).await?;
    render_door(&ctx, c, s, String::new(), String::new())
}

#[derive(Deserialize)]
struct DoorForm {
    #[serde(default)]
    code: String,
}

/// Reads a scanned or typed pass, or an ID or student number, and marks the session.
async fn door(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, no)): Path<(i64, i64)>,
    CsrfForm(f): CsrfForm<DoorForm>,
) -> Result<Response, AppError> {
    let (c, s) = door_of(&state, &ctx, id, no).await?;
    let l = ctx.locale;
    let db = &state.db;
    let key = state.signing_key().await?;
    let found = match rules::door(key, &f.code, c.id, chrono::Utc::now()) {
        Err(refusal) => return render_door(&ctx, c, s, refusal.message(l), String::new()),
        Ok(rules::DoorCode::Participant(p)) => store::participant(db, p).await?.filter(|p| p.class_id == c.id),
        Ok(rules::DoorCode::Number(n)) => store::participant_by_number(db, c.id, &n).await?,
    };
    let Some(p) = found else {
        return render_door(&ctx, c, s, rules::DoorRefusal::NotEnrolled.message(l), String::new());
    };
    let mut tx = db.begin().await?;
    let new = store::check_in(&mut tx, &ctx.audit_actor(), &c, no, &p).await?;
    tx.commit().await?;
    let done = match (new, l) {
        (true, Locale::Zh) => format!("{} 签到成功（第 {no} 场）。", p.name),
        (true, Locale::En) => format!("{} checked in (session {no}).", p.name),
        (false, Locale::Zh) => format!("{} 已签到过（第 {no} 场）。", p.name),
        (false, Locale::En) => format!("{} was checked in already (session {no}).", p.name),
    };
    let s = store::sessions(db, c.id).await?.into_iter().find(|s| s.no == no).ok_or(AppError::NotFound)?;
    render_door(&ctx, c, s, String::new(), done)
}

// ---------------------------------------------------------------- teachers

#[derive(Template)]
#[template(path = "classes/teachers.html")]
struct TeachersPage<'a> {
    ctx: &'a Ctx,
    l: Locale,
    teachers: Vec<Teacher>,
    adds: bool,
    form: rules::TeacherForm,
    error: String,
    /// The import's outcome: a message, or the refused file's errors with the report's link.
    message: String,
    errors: Vec<kernel::sheet::RowError<String>>,
    error_count: usize,
    rows: usize,
    report_url: String,
}

impl TeachersPage<'_> {
    fn id_number(&self, t: &Teacher) -> String {
        kernel::mask::id_number(&t.id_number)
    }
    fn phone(&self, t: &Teacher) -> String {
        kernel::mask::phone(&t.phone)
    }
}

/// The institution whose teachers the actor keeps: its own for staff, all (`None`) for the province.
fn teacher_scope(actor: &Actor) -> Result<Option<i64>, AppError> {
    match actor.role {
        Role::ProvinceAdmin => Ok(None),
        _ => Ok(Some(actor.institution_id.ok_or(AppError::Forbidden)?)),
    }
}

async fn teachers_view<'a>(
    state: &AppState,
    ctx: &'a Ctx,
    actor: &Actor,
    form: rules::TeacherForm,
    error: String,
) -> Result<TeachersPage<'a>, AppError> {
    Ok(TeachersPage {
        ctx,
        l: ctx.locale,
        teachers: store::teachers(&state.db, teacher_scope(actor)?).await?,
        adds: actor.role == Role::UniversityStaff,
        form,
        error,
        message: String::new(),
        errors: Vec::new(),
        error_count: 0,
        rows: 0,
        report_url: String::new(),
    })
}

fn teachers_title(ctx: &Ctx) -> &'static str {
    ctx.t("就业创业指导师资", "Guidance teachers")
}

async fn render_teachers(
    state: &AppState,
    ctx: &Ctx,
    actor: &Actor,
    form: rules::TeacherForm,
    error: String,
) -> Result<Response, AppError> {
    let page = teachers_view(state, ctx, actor, form, error).await?;
    ctx.page(teachers_title(ctx), &page)
}

#[derive(Deserialize, Default)]
struct FormatQuery {
    #[serde(default)]
    format: String,
}

/// The list; `?format=xlsx` (or csv) downloads it, ID numbers and mobiles
/// whole only for the teachers' own office, masked for the province.
async fn teachers_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<FormatQuery>,
) -> Result<Response, AppError> {
    let actor = ctx.require(OFFICES)?;
    if q.format.is_empty() {
        return render_teachers(&state, &ctx, actor, rules::TeacherForm::default(), String::new()).await;
    }
    let teachers = store::teachers(&state.db, teacher_scope(actor)?).await?;
    let lines: Vec<rules::TeacherLine> = teachers.iter().map(Teacher::line).collect();
    let rows = rules::teacher_sheet(&lines, actor.role == Role::UniversityStaff, ctx.locale);
    let stem = format!("{}-{}", ctx.t("师资名单", "teachers"), time::today_china());
    kernel::web::export::download(&rows, &q.format, &stem, ctx.t("师资名单", "Teachers"), None)
}

async fn add_teacher(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(f): CsrfForm<rules::TeacherForm>,
) -> Result<Response, AppError> {
    let actor = ctx.require(&[Role::UniversityStaff])?;
    let institution = actor.institution_id.ok_or(AppError::Forbidden)?;
    let l = ctx.locale;
    let t = match rules::check_teacher(&f, l) {
        Ok(t) => t,
        Err(error) => return render_teachers(&state, &ctx, actor, f, error).await,
    };
    let mut tx = state.db.begin().await?;
    match store::add_teacher(&mut tx, &ctx.audit_actor(), institution, &t).await? {
        Ok(_) => {
            tx.commit().await?;
            Ok(redirect_with_flash("/training/teachers", ctx.t("教师已登记。", "Teacher added.")))
        }
        Err(refusal) => {
            drop(tx);
            render_teachers(&state, &ctx, actor, f, refusal.message(l).into()).await
        }
    }
}

/// An office imports its teachers from a sheet: all rows or none.
async fn import_teachers(
    State(state): State<AppState>,
    ctx: Ctx,
    multipart: axum::extract::Multipart,
) -> Result<Response, AppError> {
    let actor = ctx.require(&[Role::UniversityStaff])?;
    let institution = actor.institution_id.ok_or(AppError::Forbidden)?;
    let l = ctx.locale;
    let mut p = teachers_view(&state, &ctx, actor, rules::TeacherForm::default(), String::new()).await?;
    let Some(mut upload) = kernel::web::Upload::read(multipart).await else {
        p.message = l
            .pick(
                "上传失败：文件超过 20 MB 或传输中断。请拆分文件后重试。",
                "Upload failed: the file is over 20 MB or the transfer broke. Split the file and try again.",
            )
            .to_owned();
        return ctx.page(teachers_title(&ctx), &p);
    };
    if !upload.csrf_matches(&ctx.csrf) {
        return Err(AppError::Csrf);
    }
    if upload.bytes.is_empty() {
        p.message = l
            .pick("请选择要上传的文件（.xlsx、.xls 或 .csv）。", "Choose a file to upload (.xlsx, .xls or .csv).")
            .to_owned();
        return ctx.page(teachers_title(&ctx), &p);
    }
    if upload.file_name.is_empty() {
        upload.file_name = "teachers.xlsx".to_owned();
    }
    let file_name = upload.file_name.clone();
    let bytes = std::mem::take(&mut upload.bytes);
    let limits = state.config.sheet_limits();
    match store::import_teachers(&state.db, &ctx.audit_actor(), institution, &file_name, bytes, limits, l).await {
        Ok(store::Outcome::Imported { rows }) => {
            let message = match l {
                Locale::Zh => format!("已导入 {rows} 位教师。"),
                Locale::En => format!("{rows} teachers imported."),
            };
            Ok(redirect_with_flash("/training/teachers", &message))
        }
        Ok(store::Outcome::Rejected { rows, errors, report }) => {
            p.rows = rows;
            p.error_count = errors.total;
            p.errors = errors.listed.into_iter().take(SHOWN_ERRORS).map(|e| e.told(l)).collect();
            let days = state.config.import_reports_days;
            let token = kernel::sheet::reports::keep(&state.db, ctx.actor()?, &file_name, &report, days).await?;
            p.report_url = kernel::sheet::reports::url(&token);
            ctx.page(teachers_title(&ctx), &p)
        }
        Err(store::ImportError::Read(e)) => {
            p.message = e.message(l);
            ctx.page(teachers_title(&ctx), &p)
        }
        Err(store::ImportError::Db(e)) => Err(e.into()),
        Err(e) => Err(AppError::Internal(anyhow::anyhow!(e.to_string()))),
    }
}

#[derive(Template)]
#[template(path = "classes/teacher.html")]
struct TeacherPage<'a> {
    ctx: &'a Ctx,
    l: Locale,
    t: Teacher,
    form: rules::TeacherForm,
    error: String,
}

/// The office's own teacher (the province reads none here: it keeps no teachers).
async fn own_teacher(state: &AppState, ctx: &Ctx, id: i64) -> Result<(Actor, Teacher), AppError> {
    let actor = ctx.require(&[Role::UniversityStaff])?.clone();
    let t = store::teacher(&state.db, id).await?.ok_or(AppError::NotFound)?;
    if actor.institution_id != Some(t.institution_id) {
        return Err(AppError::NotFound);
    }
    Ok((actor, t))
}

fn render_teacher(ctx: &Ctx, t: Teacher, form: rules::TeacherForm, error: String) -> Result<Response, AppError> {
    let title = format!("{}：{}", ctx.t("修改教师信息", "Edit the teacher"), t.name);
    ctx.page(&title, &TeacherPage { ctx, l: ctx.locale, t, form, error })
}

async fn teacher_page(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, AppError> {
    let (_, t) = own_teacher(&state, &ctx, id).await?;
    let form = rules::TeacherForm {
        name: t.name.clone(),
        id_number: t.id_number.clone(),
        phone: t.phone.clone(),
        title: t.title.clone(),
        department: t.department.clone(),
        username: t.account.clone().unwrap_or_default(),
    };
    render_teacher(&ctx, t, form, String::new())
}

async fn save_teacher(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<rules::TeacherForm>,
) -> Result<Response, AppError> {
    let (_, t) = own_teacher(&state, &ctx, id).await?;
    let l = ctx.locale;
    if !t.active {
        return render_teacher(&ctx, t, f, l.pick("该教师已移出名单。", "The teacher was removed.").into());
    }
    let checked = match rules::check_teacher(&f, l) {
        Ok(c) => c,
        Err(error) => return render_teacher(&ctx, t, f, error),
    };
    let mut tx = state.db.begin().await?;
    match store::update_teacher(&mut tx, &ctx.audit_actor(), &t, &checked).await? {
        Ok(()) => {
            tx.commit().await?;
            Ok(redirect_with_flash("/training/teachers", ctx.t("教师信息已保存。", "Teacher saved.")))
        }
        Err(refusal) => {
            drop(tx);
            render_teacher(&ctx, t, f, refusal.message(l).into())
        }
    }
}

/// Removes the teacher from the office's list, keeping its classes and certificates.
async fn remove_teacher(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    CsrfForm(_): CsrfForm<kernel::web::NoFields>,
) -> Result<Response, AppError> {
    let (_, t) = own_teacher(&state, &ctx, id).await?;
    let mut tx = state.db.begin().await?;
    let done = store::deactivate_teacher(&mut tx, &ctx.audit_actor(), &t).await?;
    tx.commit().await?;
    let message = match done {
        true => ctx.t(
            "教师已移出名单；其培训记录和证书保留。",
            "Teacher removed from the list; its classes and certificates are kept.",
        ),
        false => ctx.t("该教师已移出名单。", "The teacher was removed already."),
    };
    Ok(redirect_with_flash("/training/teachers", message))
}

// ---------------------------------------------------------------- the participant's own

#[derive(Template)]
#[template(path = "classes/mine.html")]
struct MyPage<'a> {
    ctx: &'a Ctx,
    l: Locale,
    /// A staff account that is no teacher has nothing here.
    person: bool,
    mine: Vec<MineView>,
    open: Vec<Class>,
}

struct MineView {
    m: Mine,
    completes: bool,
    today: Option<TodayPass>,
}

struct TodayPass {
    session: Session,
    qr: String,
    token: String,
}

/// The signed-in teacher (by its staff account) or graduate: (teacher, graduate, institution).
async fn me(state: &AppState, ctx: &Ctx) -> Result<(Option<Teacher>, Option<i64>, Option<i64>), AppError> {
    let actor = ctx.require(PARTICIPANTS)?;
    match actor.role {
        Role::Graduate => {
            let g = actor.graduate_id.ok_or(AppError::NotFound)?;
            let institution = assistance::store::person(&state.db, g).await?.map(|p| p.institution_id);
            Ok((None, Some(g), institution))
        }
        _ => {
            let t = store::teacher_of_account(&state.db, actor.account_id).await?;
            let institution = t.as_ref().map(|t| t.institution_id);
            Ok((t, None, institution))
        }
    }
}

async fn my_page(State(state): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    let (teacher, graduate, _) = me(&state, &ctx).await?;
    let person = teacher.is_some() || graduate.is_some();
    let mine = match person {
        true => store::mine(&state.db, teacher.as_ref().map(|t| t.id), graduate).await?,
        false => Vec::new(),
    };
    let today = time::today_china().to_string();
    let key = state.signing_key().await?;
    let now = chrono::Utc::now();
    let open = match person {
        true => store::list(&state.db)
            .await?
            .into_iter()
            .filter(|c| {
                c.last_day >= today
                    && !mine.iter().any(|m| m.class.id == c.id)
                    && match teacher.is_some() {
                        true => c.audience.admits_teachers(),
                        false => c.audience.admits_students(),
                    }
            })
            .collect(),
        false => Vec::new(),
    };
    let mine = mine
        .into_iter()
        .map(|m| {
            let today = m.sessions.iter().find(|s| s.held_on == today).map(|s| {
                let token = rules::pass(key, m.class.id, m.participant.id, now);
                TodayPass { session: s.clone(), qr: kernel::qr::svg(&token).unwrap_or_default(), token }
            });
            let completes = m.participant.completed_at.is_some();
            MineView { m, completes, today }
        })
        .collect();
    let page = MyPage { ctx: &ctx, l: ctx.locale, person, mine, open };
    ctx.page(ctx.t("我的培训班", "My training classes"), &page)
}

/// A teacher with a staff account, or a graduate, enrols itself.
async fn enrol_myself(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    CsrfForm(_): CsrfForm<kernel::web::NoFields>,
) -> Result<Response, AppError> {
    let (teacher, graduate, institution) = me(&state, &ctx).await?;
    let c = store::get(&state.db, id).await?.ok_or(AppError::NotFound)?;
    let l = ctx.locale;
    let who = match (teacher, graduate, institution) {
        (Some(t), _, _) if c.audience.admits_teachers() => {
            Enrollee::Teacher { id: t.id, institution: t.institution_id }
        }
        (None, Some(g), Some(i)) if c.audience.admits_students() => Enrollee::Graduate { id: g, institution: i },
        _ => {
            return Ok(redirect_with_flash(
                "/training/mine",
                l.pick("该培训班不对你开放。", "The class is not open to you."),
            ))
        }
    };
    let mut tx = state.db.begin().await?;
    let done = store::enrol(&mut tx, &ctx.audit_actor(), &c, who).await?;
    tx.commit().await?;
    let message = match enrolled_message(done, l) {
        Ok(m) => m.to_owned(),
        Err(e) => e,
    };
    Ok(redirect_with_flash("/training/mine", &message))
}

// ---------------------------------------------------------------- certificates

#[derive(Template)]
#[template(path = "classes/certificate.html")]
struct CertificatePage<'a> {
    l: Locale,
    cert: &'a store::Certificate,
    kind: String,
    operator: &'a str,
    verify_url: String,
    download: bool,
}

#[derive(Deserialize, Default)]
struct CertificateQuery {
    #[serde(default)]
    download: String,
}

/// Whether the actor may see the certificate: its holder, the province, the
/// holder's institution's staff and the organiser's.
fn may_see_certificate(actor: &Actor, cert: &store::Certificate) -> bool {
    match actor.role {
        Role::ProvinceAdmin => true,
        Role::UniversityStaff => {
            cert.teacher_account == Some(actor.account_id)
                || actor.institution_id == Some(cert.institution_id)
                || (actor.institution_id.is_some() && actor.institution_id == cert.organiser)
        }
        Role::Graduate => actor.graduate_id.is_some() && cert.graduate_id == actor.graduate_id,
        _ => false,
    }
}

/// The certificate's look in a downloaded file, which has no site stylesheet.
const CERTIFICATE_CSS: &str = "body{font-family:sans-serif}.certificate-print{border:4px double #8b1a1a;padding:2rem 2.5rem;\
     max-width:720px;margin:1rem auto}.certificate-print h2{text-align:center;letter-spacing:.3em;color:#8b1a1a}\
     .certificate-number,.certificate-issuer{text-align:right}#certificate-text{font-size:1.15rem;line-height:2;text-indent:2em}";

/// The printable certificate; `?download=1` downloads it as an HTML file.
async fn certificate_page(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: axum::http::HeaderMap,
    Path(number): Path<String>,
    Query(q): Query<CertificateQuery>,
) -> Result<Response, AppError> {
    let actor = ctx.require(&[Role::ProvinceAdmin, Role::UniversityStaff, Role::Graduate])?;
    let cert = store::certificate(&state.db, &rules::normalise_number(&number)).await?.ok_or(AppError::Forbidden)?;
    if !may_see_certificate(actor, &cert) {
        return Err(AppError::Forbidden);
    }
    let l = ctx.locale;
    let verify_url = format!("{}/verify/certificate", kernel::web::url::public_base(&state.config, &headers));
    let page = CertificatePage {
        l,
        cert: &cert,
        kind: kind_name(&state, l, &cert.kind).await?,
        operator: ctx.operator(),
        verify_url,
        download: q.download == "1",
    };
    if page.download {
        let html = format!(
            "<!doctype html><html lang=\"{}\"><head><meta charset=\"utf-8\"><title>{}</title><style>{}</style></head><body>{}</body></html>",
            l.tag(),
            cert.number,
            CERTIFICATE_CSS,
            page.render()?
        );
        let name = format!("certificate-{}.html", cert.number);
        return Ok(kernel::web::export::attachment("text/html; charset=utf-8", &name, html.into_bytes()));
    }
    let title = format!("{} {}", ctx.t("培训证书", "Training certificate"), cert.number);
    ctx.page(&title, &page)
}

#[derive(Template)]
#[template(path = "classes/verify.html")]
struct VerifyPage<'a> {
    l: Locale,
    number: &'a str,
    name: &'a str,
    asked: bool,
    found: Option<store::Verified>,
    limited: bool,
}

#[derive(Deserialize, Default)]
struct VerifyQuery {
    #[serde(default)]
    number: String,
    #[serde(default)]
    name: String,
}

/// The public check: a number and a name give "valid: class, hours, issue
/// date" or "no match", the same for an unknown number as for a wrong name;
/// a limited number of checks per address and hour.
async fn verify_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<VerifyQuery>,
) -> Result<Response, AppError> {
    let number = q.number.chars().take(40).collect::<String>();
    let name = q.name.chars().take(50).collect::<String>();
    let asked = !number.trim().is_empty() || !name.trim().is_empty();
    let mut found = None;
    let mut limited = false;
    if asked {
        let mut tx = state.db.begin().await?;
        if rules::CERTIFICATE_CHECKS.take(&mut tx, &ctx.client_addr).await? {
            found = store::verify(&mut tx, &number, &name).await?;
        } else {
            limited = true;
        }
        tx.commit().await?;
    }
    let page = VerifyPage { l: ctx.locale, number: &number, name: &name, asked, found, limited };
    ctx.page(ctx.t("培训证书查验", "Certificate check"), &page)
}

// ---------------------------------------------------------------- figures

#[derive(Template)]
#[template(path = "classes/figures.html")]
struct FiguresPage {
    l: Locale,
    rows: Vec<Figures>,
    year: i32,
}

#[derive(Deserialize, Default)]
struct FiguresQuery {
    #[serde(default)]
    format: String,
    #[serde(default)]
    year: String,
}

/// Per institution: teachers trained, hours, certificates and the mentors
/// active in the year (a university its own); `?format=xlsx` downloads it.
async fn figures_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<FiguresQuery>,
) -> Result<Response, AppError> {
    let actor = ctx.require(OFFICES)?;
    let scope = teacher_scope(actor)?;
    let this_year = chrono::Datelike::year(&time::today_china());
    let year = q.year.trim().parse::<i32>().ok().filter(|y| (2000..=this_year + 1).contains(y)).unwrap_or(this_year);
    let rows = store::figures_with_mentors(&state.db, year, scope).await?;
    if !q.format.is_empty() {
        let sheet = store::figures_sheet(&rows, ctx.locale);
        let stem = format!("{}-{year}", ctx.t("培训情况", "training-figures"));
        return kernel::web::export::download(&sheet, &q.format, &stem, ctx.t("培训情况", "Training figures"), None);
    }
    ctx.page(ctx.t("培训情况（分高校）", "Training by institution"), &FiguresPage { l: ctx.locale, rows, year })
}
