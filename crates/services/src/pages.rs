//! The services' pages: the public catalogue and guides (/services,
//! /services/guide/{code}), the province's edit of a guide, a graduate's one
//! form (/services/apply/{code}) and its requests (/services/mine), the
//! offices' queue (/services/requests) and one request with its actions
//! (/services/requests/{id}). Thin: rules decide, the store writes.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;

use kernel::auth::{Actor, Role};
use kernel::web::{redirect_with_flash, AppError, AppState, CsrfForm, Ctx};
use kernel::{time, Locale};

use crate::rules::{self, Action, Handler, ItemForm, State as ReqState};
use crate::store::{self, Answer, Event, Item, Queue, Request};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/services", get(catalogue_page))
        .route("/services/guide/{code}", get(guide_page))
        .route("/services/guide/{code}/edit", get(edit_page).post(edit))
        .route("/services/apply/{code}", get(apply_page).post(apply))
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
    pub r: Request,
    pub step: String,
    pub left: i64,
    pub overdue: bool,
}

impl Shown {
    fn of(r: Request, calendar: &kernel::calendar::Calendar, l: Locale) -> Shown {
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
}

async fn guide_page(State(state): State<AppState>, ctx: Ctx, Path(code): Path<String>) -> Result<Response, AppError> {
    let item = store::item(&state.db, &code).await?.ok_or(AppError::NotFound)?;
    let role = ctx.actor.as_ref().map(|a| a.role);
    let title = format!("{}{}", ctx.t("办事指南：", "Guide: "), item.label(ctx.locale));
    let page = GuidePage {
        l: ctx.locale,
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

async fn apply(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let actor = ctx.require(&[Role::Graduate])?;
    let graduate_id = actor.graduate_id.ok_or(AppError::Forbidden)?;
    let item = store::item(&state.db, &code).await?.ok_or(AppError::NotFound)?;
    let variant = pairs.iter().find(|(k, _)| k == "variant").map(|(_, v)| v.trim().to_owned()).unwrap_or_default();
    let checked = match rules::check_answers(&item.fields, &item.variants, &variant, &pairs, ctx.locale) {
        Ok(a) => a,
        Err(errors) => {
            let values =
                pairs.iter().filter_map(|(k, v)| k.strip_prefix("f_").map(|k| (k.to_owned(), v.clone()))).collect();
            let title = format!("{}{}", ctx.t("申请：", "Apply: "), item.label(ctx.locale));
            let page = ApplyPage { ctx: &ctx, l: ctx.locale, item, variant, values, errors };
            return ctx.page(&title, &page);
        }
    };
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
    let mut tx = state.db.begin().await?;
    let id = store::create(&mut tx, &ctx.audit_actor(), &calendar, &n).await?;
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

async fn load(state: &AppState, ctx: &Ctx, id: i64) -> Result<Request, AppError> {
    let r = store::request(&state.db, id).await?.ok_or(AppError::NotFound)?;
    if !ctx.scope().may_see(r.owner()) {
        return Err(AppError::Forbidden);
    }
    Ok(r)
}

fn may_handle(actor: &Actor, r: &Request) -> bool {
    let Some(who) = handler(actor) else { return false };
    r.state == ReqState::Open && r.current_step().is_some_and(|s| rules::may_handle(s.level, r.escalated, who))
}

async fn render_request(state: &AppState, ctx: &Ctx, r: Request, error: String) -> Result<Response, AppError> {
    let actor = ctx.actor()?;
    let calendar = kernel::calendar::load(&state.db).await?;
    let events = store::events(&state.db, r.id).await?;
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
