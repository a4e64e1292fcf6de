//! The services' pages: the public catalogue and guides (/services,
//! /services/guide/{code}), the province's edit of a guide, a graduate's one
//! form (/services/apply/{code}) and its requests (/services/mine), the
//! offices' queue (/services/requests) and one request with its actions
//! (/services/requests/{id}). Thin: rules decide, the store writes.

use askama::Template;
use axum::extract::{DefaultBodyLimit, FromRequest, Multipart, Path, Query, Request, State};
use axum::http::header;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;

use kernel::audit::Subject;
use kernel::auth::{Actor, Role};
use kernel::web::{redirect_with_flash, AppError, AppState, CsrfForm, Ctx};
use kernel::{time, Locale};

use crate::rules::{self, Action, Handler, ItemForm, State as ReqState};
use crate::store::{self, Answer, Event, Item, Material, Queue, Request as ServiceRequest};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/services", get(catalogue_page))
        .route("/services/guide/{code}", get(guide_page))
        .route("/services/guide/{code}/edit", get(edit_page).post(edit))
        .route(
            "/services/apply/{code}",
            get(apply_page).post(apply).layer(DefaultBodyLimit::max(rules::MATERIALS_BODY_LIMIT)),
        )
        .route("/services/requests/{id}/materials/{material}", get(material_file))
        .route("/services/mine", get(mine_page))
        .route("/services/requests", get(queue_page))
        .route("/services/requests/{id}", get(request_page))
        .route("/services/requests/{id}/act", post(act))
        .route("/services/requests/{id}/resubmit", post(resubmit))
}

const OFFICES: &[Role] = &[Role::ProvinceAdmin, Role::UniversityStaff];

/// How the actor handles a request it may see: the province, or its own institution's staff.
fn handler(actor: &Actor) -> Option<Handler> {
    match actor.role {
        Role::ProvinceAdmin => Some(Handler::Province),
        Role::UniversityStaff => Some(Handler::OwnInstitution),
        _ => None,
    }
}

/// A request as a list or page shows it: the current step and the time left.
pub struct Shown {
    pub r: ServiceRequest,
    pub step: String,
    pub left: i64,
    pub overdue: bool,
}

impl Shown {
    fn of(r: ServiceRequest, calendar: &kernel::calendar::Calendar, l: Locale) -> Shown {
        let today = time::today_china();
        let step = r.current_step().map(|s| s.label(l).to_owned()).unwrap_or_default();
        let open = r.state == ReqState::Open;
        let left = if open { rules::time_left(calendar, today, r.step_due) } else { 0 };
        Shown { overdue: open && rules::overdue(today, r.step_due), step, left, r }
    }

    pub fn state_label(&self, l: &Locale) -> &'static str {
        self.r.state.label(*l)
    }

    pub fn is_open(&self) -> bool {
        self.r.state == ReqState::Open
    }

    pub fn overdue_days(&self) -> i64 {
        -self.left
    }
}

// ---------------------------------------------------------------- catalogue and guides

#[derive(Template)]
#[template(path = "catalogue.html")]
struct CataloguePage {
    l: Locale,
    items: Vec<Item>,
    graduate: bool,
}

async fn catalogue_page(State(state): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    let graduate = ctx.actor.as_ref().is_some_and(|a| a.role == Role::Graduate);
    let page = CataloguePage { l: ctx.locale, items: store::items(&state.db).await?, graduate };
    ctx.page(ctx.t("一件事一次办 · 服务事项", "One-stop services"), &page)
}

#[derive(Template)]
#[template(path = "guide.html")]
struct GuidePage {
    l: Locale,
    item: Item,
    graduate: bool,
    province: bool,
    /// The micro-videos that explain the item.
    videos: Vec<crate::handbook::Video>,
}

async fn guide_page(State(state): State<AppState>, ctx: Ctx, Path(code): Path<String>) -> Result<Response, AppError> {
    let item = store::item(&state.db, &code).await?.ok_or(AppError::NotFound)?;
    let role = ctx.actor.as_ref().map(|a| a.role);
    let title = format!("{}{}", ctx.t("办事指南：", "Guide: "), item.label(ctx.locale));
    let videos = crate::handbook::videos_of_item(&state.db, &item.code).await?;
    let page = GuidePage {
        l: ctx.locale,
        videos,
        item,
        graduate: role == Some(Role::Graduate),
        province: role == Some(Role::ProvinceAdmin),
    };
    ctx.page(&title, &page)
}

#[derive(Template)]
#[template(path = "edit.html")]
struct EditPage<'a> {
    ctx: &'a Ctx,
    l: Locale,
    code: String,
    form: ItemForm,
    errors: Vec<String>,
}

fn form_of(item: &Item) -> ItemForm {
    ItemForm {
        name: item.name.clone(),
        name_en: item.name_en.clone(),
        conditions: item.conditions.clone(),
        conditions_en: item.conditions_en.clone(),
        materials: item.materials.clone(),
        materials_en: item.materials_en.clone(),
        time_limit: item.time_limit.to_string(),
        variants: rules::variants_text(&item.variants),
        fields: rules::fields_text(&item.fields),
        steps: rules::steps_text(&item.steps),
    }
}

async fn edit_page(State(state): State<AppState>, ctx: Ctx, Path(code): Path<String>) -> Result<Response, AppError> {
    ctx.require(&[Role::ProvinceAdmin])?;
    let item = store::item(&state.db, &code).await?.ok_or(AppError::NotFound)?;
    let page = EditPage { ctx: &ctx, l: ctx.locale, code, form: form_of(&item), errors: Vec::new() };
    ctx.page(ctx.t("修改办事指南", "Edit the guide"), &page)
}

async fn edit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    ctx.require(&[Role::ProvinceAdmin])?;
    let item = store::item(&state.db, &code).await?.ok_or(AppError::NotFound)?;
    let form = ItemForm::from_pairs(&pairs);
    let checked = match rules::check_item(&form, ctx.locale) {
        Ok(c) => c,
        Err(errors) => {
            let page = EditPage { ctx: &ctx, l: ctx.locale, code, form, errors };
            return ctx.page(ctx.t("修改办事指南", "Edit the guide"), &page);
        }
    };
    let mut tx = state.db.begin().await?;
    store::save_item(&mut tx, &ctx.audit_actor(), &item, &checked).await?;
    tx.commit().await?;
    Ok(redirect_with_flash(&format!("/services/guide/{code}"), ctx.t("办事指南已保存。", "Guide saved.")))
}

// ---------------------------------------------------------------- applying

#[derive(Template)]
#[template(path = "apply.html")]
struct ApplyPage<'a> {
    ctx: &'a Ctx,
    l: Locale,
    item: Item,
    variant: String,
    values: Vec<(String, String)>,
    errors: Vec<String>,
}

impl ApplyPage<'_> {
    fn value(&self, key: &str) -> String {
        self.values.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone()).unwrap_or_default()
    }
}

async fn apply_page(State(state): State<AppState>, ctx: Ctx, Path(code): Path<String>) -> Result<Response, AppError> {
    ctx.require(&[Role::Graduate])?;
    let item = store::item(&state.db, &code).await?.ok_or(AppError::NotFound)?;
    let title = format!("{}{}", ctx.t("申请：", "Apply: "), item.label(ctx.locale));
    let page =
        ApplyPage { ctx: &ctx, l: ctx.locale, item, variant: String::new(), values: Vec::new(), errors: Vec::new() };
    ctx.page(&title, &page)
}

fn answers_of(item: &Item, checked: Vec<(String, String)>) -> Vec<Answer> {
    checked
        .into_iter()
        .map(|(key, value)| {
            let f = item.fields.iter().find(|f| f.key == key);
            Answer {
                label: f.map(|f| f.label.clone()).unwrap_or_default(),
                label_en: f.map(|f| f.label_en.clone()).unwrap_or_default(),
                key,
                value,
            }
        })
        .collect()
}

/// The one form as sent: its fields and the material files chosen (name, bytes).
struct Sent {
    pairs: Vec<(String, String)>,
    files: Vec<(String, Vec<u8>)>,
}

/// Reads the one form, sent with materials (multipart) or without (a plain
/// form, as before materials were asked for); `None` when a multipart body
/// broke off, which is how one over the size limit arrives.
async fn read_sent(state: &AppState, ctx: &Ctx, req: Request) -> Result<Option<Sent>, AppError> {
    let multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    if !multipart {
        let CsrfForm(pairs) = CsrfForm::<Vec<(String, String)>>::from_request(req, state).await?;
        return Ok(Some(Sent { pairs, files: Vec::new() }));
    }
    let Ok(mut form) = Multipart::from_request(req, state).await else { return Ok(None) };
    let mut sent = Sent { pairs: Vec::new(), files: Vec::new() };
    loop {
        let Ok(next) = form.next_field().await else { return Ok(None) };
        let Some(part) = next else { break };
        let name = part.name().unwrap_or("").to_owned();
        if name == "material" {
            let file_name = part.file_name().unwrap_or("").to_owned();
            let Ok(bytes) = part.bytes().await else { return Ok(None) };
            // A file input left empty still sends a nameless, empty part.
            if !bytes.is_empty() || !file_name.is_empty() {
                sent.files.push((file_name, bytes.to_vec()));
            }
        } else {
            let Ok(text) = part.text().await else { return Ok(None) };
            sent.pairs.push((name, text));
        }
    }
    let csrf = sent.pairs.iter().find(|(k, _)| k == "_csrf").map(|(_, v)| v.as_str()).unwrap_or("");
    if ctx.csrf.is_empty() || csrf != ctx.csrf {
        return Err(AppError::Csrf);
    }
    Ok(Some(sent))
}

/// Checks the materials before any is kept, so a hostile file among good
/// ones leaves nothing behind: each refusal with the file's name, in the
/// reader's language (kernel's words for a refused document).
fn check_materials(state: &AppState, files: &[(String, Vec<u8>)], l: Locale) -> Result<Vec<String>, AppError> {
    let mut problems = Vec::new();
    if files.len() > rules::MAX_MATERIALS {
        problems.push(match l {
            Locale::Zh => format!("申请材料最多 {} 个文件。", rules::MAX_MATERIALS),
            Locale::En => format!("At most {} material files.", rules::MAX_MATERIALS),
        });
        return Ok(problems);
    }
    for (name, bytes) in files {
        let whole = bytes.len() <= rules::MATERIAL_LIMIT && kernel::files::Kind::judge(bytes).is_some();
        if whole {
            continue;
        }
        // Refused by the same checks, so nothing is stored: only the message is wanted.
        let refused = kernel::files::accept_document(&state.config.files(), name, bytes, rules::MATERIAL_LIMIT, "", l)
            .map_err(|e| AppError::Internal(e.into()))?;
        if let Err(message) = refused {
            let shown = kernel::files::display_name(name);
            problems.push(format!("{}{}{message}", shown, l.pick("：", ": ")));
        }
    }
    Ok(problems)
}

async fn apply(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    req: Request,
) -> Result<Response, AppError> {
    let actor = ctx.require(&[Role::Graduate])?;
    let graduate_id = actor.graduate_id.ok_or(AppError::Forbidden)?;
    let item = store::item(&state.db, &code).await?.ok_or(AppError::NotFound)?;
    let title = format!("{}{}", ctx.t("申请：", "Apply: "), item.label(ctx.locale));
    let Some(Sent { pairs, files }) = read_sent(&state, &ctx, req).await? else {
        let errors = vec![ctx
            .t("上传失败：文件过大或传输中断。", "Upload failed: the files are too large or the transfer broke.")
            .to_owned()];
        let page = ApplyPage { ctx: &ctx, l: ctx.locale, item, variant: String::new(), values: Vec::new(), errors };
        return ctx.page(&title, &page);
    };
    let variant = pairs.iter().find(|(k, _)| k == "variant").map(|(_, v)| v.trim().to_owned()).unwrap_or_default();
    let checked = rules::check_answers(&item.fields, &item.variants, &variant, &pairs, ctx.locale);
    let problems = check_materials(&state, &files, ctx.locale)?;
    let checked = match (checked, problems.is_empty()) {
        (Ok(a), true) => a,
        (checked, _) => {
            let mut errors = checked.err().unwrap_or_default();
            errors.extend(problems);
            let values =
                pairs.iter().filter_map(|(k, v)| k.strip_prefix("f_").map(|k| (k.to_owned(), v.clone()))).collect();
            let page = ApplyPage { ctx: &ctx, l: ctx.locale, item, variant, values, errors };
            return ctx.page(&title, &page);
        }
    };
    let mut kept = Vec::new();
    for (name, bytes) in &files {
        let fallback = ctx.t("申请材料", "material");
        match kernel::files::accept_document(
            &state.config.files(),
            name,
            bytes,
            rules::MATERIAL_LIMIT,
            fallback,
            ctx.locale,
        )
        .map_err(|e| AppError::Internal(e.into()))?
        {
            Ok(accepted) => kept.push(accepted),
            // Checked above; a refusal here is the checks disagreeing, not the visitor's doing.
            Err(message) => return Err(AppError::BadRequest(message)),
        }
    }
    let (institution_id, college_id) =
        store::graduate_home(&state.db, graduate_id).await?.ok_or(AppError::Forbidden)?;
    let calendar = kernel::calendar::load(&state.db).await?;
    let answers = answers_of(&item, checked);
    let n = store::NewRequest {
        item: &item,
        graduate_id,
        institution_id,
        college_id,
        variant,
        answers,
        today: time::today_china(),
    };
    let who = ctx.audit_actor();
    let mut tx = state.db.begin().await?;
    let id = store::create(&mut tx, &who, &calendar, &n).await?;
    for a in &kept {
        let subject = Subject::graduate(graduate_id, institution_id);
        store::add_material(&mut tx, &who, id, subject, &a.shown_name, &a.stored).await?;
    }
    tx.commit().await?;
    Ok(redirect_with_flash(&format!("/services/requests/{id}"), ctx.t("申请已提交。", "Request submitted.")))
}

#[derive(Template)]
#[template(path = "mine.html")]
struct MinePage {
    l: Locale,
    requests: Vec<Shown>,
}

async fn mine_page(State(state): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    ctx.require(&[Role::Graduate])?;
    let calendar = kernel::calendar::load(&state.db).await?;
    let requests = store::list(&state.db, &ctx.scope(), Queue::All, time::today_china())
        .await?
        .ok_or(AppError::Forbidden)?
        .into_iter()
        .map(|r| Shown::of(r, &calendar, ctx.locale))
        .collect();
    ctx.page(ctx.t("我的办件", "My requests"), &MinePage { l: ctx.locale, requests })
}

// ---------------------------------------------------------------- the offices' queue

#[derive(Deserialize, Default)]
struct QueueQuery {
    #[serde(default)]
    show: String,
}

#[derive(Template)]
#[template(path = "queue.html")]
struct QueuePage {
    l: Locale,
    show: String,
    province: bool,
    requests: Vec<Shown>,
}

impl QueuePage {
    fn tabs(&self) -> Vec<(&'static str, &'static str)> {
        let l = self.l;
        vec![
            ("", l.pick("待我办理", "Waiting for me")),
            ("overdue", l.pick("已超时", "Overdue")),
            ("returned", l.pick("退回补正", "Returned")),
            ("completed", l.pick("已办结", "Completed")),
            ("refused", l.pick("不予办理", "Refused")),
            ("all", l.pick("全部", "All")),
        ]
    }
}

async fn queue_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<QueueQuery>,
) -> Result<Response, AppError> {
    let actor = ctx.require(OFFICES)?;
    let province = actor.role == Role::ProvinceAdmin;
    let queue = match q.show.as_str() {
        "overdue" => Queue::Overdue,
        "all" => Queue::All,
        s => match ReqState::from_key(s) {
            Some(st) => Queue::In(st),
            None if province => Queue::Province,
            None => Queue::Institution,
        },
    };
    let calendar = kernel::calendar::load(&state.db).await?;
    let requests = store::list(&state.db, &ctx.scope(), queue, time::today_china())
        .await?
        .ok_or(AppError::Forbidden)?
        .into_iter()
        .map(|r| Shown::of(r, &calendar, ctx.locale))
        .collect();
    let page = QueuePage { l: ctx.locale, show: q.show, province, requests };
    ctx.page(ctx.t("服务办件", "Service requests"), &page)
}

// ---------------------------------------------------------------- one request

#[derive(Template)]
#[template(path = "request.html")]
struct RequestPage<'a> {
    ctx: &'a Ctx,
    l: Locale,
    s: Shown,
    events: Vec<Event>,
    /// The materials the graduate attached; this page is only the graduate's and its handlers'.
    materials: Vec<Material>,
    /// The actor may approve, return, refuse or complete now.
    may_handle: bool,
    /// The current step is the last: completing, not approving.
    last: bool,
    /// The graduate may amend and resubmit.
    may_resubmit: bool,
    graduate: bool,
    /// The chosen kind (办理情形) by its name.
    variant_label: String,
    error: String,
}

impl RequestPage<'_> {
    fn event_label(&self, action: &str) -> &'static str {
        let l = self.l;
        match action {
            "submit" => l.pick("提交申请", "Submitted"),
            "approve" => l.pick("审核通过", "Approved"),
            "return" => l.pick("退回补正", "Returned for more"),
            "resubmit" => l.pick("补正后重新提交", "Resubmitted"),
            "refuse" => l.pick("不予办理", "Refused"),
            "complete" => l.pick("办结", "Completed"),
            "escalate" => l.pick("超时上报", "Escalated, overdue"),
            _ => "",
        }
    }

    fn step_name(&self, no: &i64) -> String {
        usize::try_from(*no)
            .ok()
            .and_then(|n| self.s.r.steps.get(n))
            .map(|s| s.label(self.l).to_owned())
            .unwrap_or_default()
    }

    fn step_done(&self, no: &usize) -> bool {
        *no < self.s.r.step || self.s.r.state == ReqState::Completed
    }
}

async fn load(state: &AppState, ctx: &Ctx, id: i64) -> Result<ServiceRequest, AppError> {
    let r = store::request(&state.db, id).await?.ok_or(AppError::NotFound)?;
    if !ctx.scope().may_see(r.owner()) {
        return Err(AppError::Forbidden);
    }
    Ok(r)
}

fn may_handle(actor: &Actor, r: &ServiceRequest) -> bool {
    let Some(who) = handler(actor) else { return false };
    r.state == ReqState::Open && r.current_step().is_some_and(|s| rules::may_handle(s.level, r.escalated, who))
}

async fn render_request(state: &AppState, ctx: &Ctx, r: ServiceRequest, error: String) -> Result<Response, AppError> {
    let actor = ctx.actor()?;
    let calendar = kernel::calendar::load(&state.db).await?;
    let events = store::events(&state.db, r.id).await?;
    let materials = store::materials(&state.db, r.id).await?;
    let graduate = actor.role == Role::Graduate;
    let item = store::item(&state.db, &r.item_code).await?;
    let variant_label = item
        .as_ref()
        .and_then(|i| i.variant(&r.variant))
        .map(|v| v.label(ctx.locale).to_owned())
        .unwrap_or_else(|| r.variant.clone());
    let page = RequestPage {
        variant_label,
        ctx,
        l: ctx.locale,
        may_handle: may_handle(actor, &r),
        last: r.step + 1 >= r.steps.len(),
        may_resubmit: graduate && r.state == ReqState::Returned,
        graduate,
        s: Shown::of(r, &calendar, ctx.locale),
        events,
        materials,
        error,
    };
    let title = format!("{}{}", ctx.t("办件：", "Request: "), page.s.r.item_label(ctx.locale));
    ctx.page(&title, &page)
}

async fn request_page(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, AppError> {
    ctx.require(&[Role::ProvinceAdmin, Role::UniversityStaff, Role::Graduate])?;
    let r = load(&state, &ctx, id).await?;
    render_request(&state, &ctx, r, String::new()).await
}

fn field(pairs: &[(String, String)], key: &str) -> String {
    pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v.trim().to_owned()).unwrap_or_default()
}

async fn act(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let actor = ctx.require(OFFICES)?;
    let r = load(&state, &ctx, id).await?;
    let action = Action::from_key(&field(&pairs, "action"))
        .filter(|a| *a != Action::Resubmit)
        .ok_or_else(|| AppError::BadRequest(ctx.t("未知的操作。", "Unknown action.").to_owned()))?;
    if !may_handle(actor, &r) {
        let why = match r.state {
            ReqState::Open => ctx.t("该环节不由你办理。", "This step is not yours to handle."),
            _ => rules::FlowError::Closed.message(ctx.locale),
        };
        return Err(AppError::Denied(why.to_owned()));
    }
    let note = field(&pairs, "note");
    let next = match rules::act(r.position(), action, &note) {
        Ok(p) => p,
        Err(e) => return render_request(&state, &ctx, r, e.message(ctx.locale).to_owned()).await,
    };
    let calendar = kernel::calendar::load(&state.db).await?;
    let mut tx = state.db.begin().await?;
    store::act(&mut tx, &ctx.audit_actor(), &calendar, &r, action, next, &note, None, time::today_china()).await?;
    tx.commit().await?;
    Ok(redirect_with_flash(&format!("/services/requests/{id}"), ctx.t("已处理。", "Done.")))
}

async fn resubmit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    ctx.require(&[Role::Graduate])?;
    let r = load(&state, &ctx, id).await?;
    let next = match rules::act(r.position(), Action::Resubmit, "") {
        Ok(p) => p,
        Err(e) => return render_request(&state, &ctx, r, e.message(ctx.locale).to_owned()).await,
    };
    // The graduate amends the same fields the request was made with.
    let mut answers = r.answers.clone();
    let mut missing = Vec::new();
    for a in answers.iter_mut() {
        let value = field(&pairs, &format!("f_{}", a.key));
        if value.chars().count() > rules::MAX_ANSWER {
            missing.push(format!("{}{}", a.label(ctx.locale), ctx.t("：不超过 500 字。", ": at most 500 characters.")));
        }
        a.value = value;
    }
    let item = store::item(&state.db, &r.item_code).await?;
    for a in &answers {
        let required = item.as_ref().and_then(|i| i.fields.iter().find(|f| f.key == a.key)).is_some_and(|f| f.required);
        if required && a.value.is_empty() {
            missing.push(format!("{}{}", ctx.t("请填写：", "Please fill in: "), a.label(ctx.locale)));
        }
    }
    if !missing.is_empty() {
        return render_request(&state, &ctx, r, missing.join(" ")).await;
    }
    let note = field(&pairs, "note");
    let calendar = kernel::calendar::load(&state.db).await?;
    let mut tx = state.db.begin().await?;
    store::act(
        &mut tx,
        &ctx.audit_actor(),
        &calendar,
        &r,
        Action::Resubmit,
        next,
        &note,
        Some(&answers),
        time::today_china(),
    )
    .await?;
    tx.commit().await?;
    Ok(redirect_with_flash(&format!("/services/requests/{id}"), ctx.t("已重新提交。", "Submitted again.")))
}

/// A material attached to a request, for the graduate and the offices that
/// may see the request only; saved under a name of ours.
async fn material_file(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, material)): Path<(i64, i64)>,
) -> Result<Response, AppError> {
    ctx.require(&[Role::ProvinceAdmin, Role::UniversityStaff, Role::Graduate])?;
    let r = load(&state, &ctx, id).await?;
    let m = store::material(&state.db, r.id, material).await?.ok_or(AppError::NotFound)?;
    let stem = ctx.t("申请材料", "material");
    kernel::web::export::stored_document(&state.config.files(), &m.sha256, stem, m.id, &m.content_type)
}
