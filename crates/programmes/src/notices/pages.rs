//! The offices' notice pages: the list with the publish form
//! (/programmes/notices), a notice with its objections, their handling and
//! the result (/programmes/notices/{id}), and an objection's evidence. The
//! province publishes a call's proposed list and handles its objections; a
//! university its own school-level notice. Thin: rules in `rules`, SQL in `store`.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;

use kernel::auth::{Actor, Role};
use kernel::web::{redirect_with_flash, AppError, AppState, CsrfForm, Ctx, NoFields};
use kernel::{time, Locale};

use super::rules::{self, NoticeForm, Window};
use super::store::{self, Item, Notice, Objection};
use crate::calls::store as calls;

const OFFICES: &[Role] = &[Role::ProvinceAdmin, Role::UniversityStaff];

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/programmes/notices", get(list_page).post(publish))
        .route("/programmes/notices/{id}", get(notice_page))
        .route("/programmes/notices/{id}/objections/{objection}", post(handle))
        .route("/programmes/notices/{id}/result", post(result))
        .route("/programmes/objections/{id}/file", get(evidence))
}

/// Whether the actor is the notice's handling office: the province for its
/// own notice, the university's staff for their school's.
pub fn handles(actor: &Actor, n: &Notice) -> bool {
    match n.institution_id {
        None => actor.role == Role::ProvinceAdmin,
        Some(i) => actor.role == Role::UniversityStaff && actor.institution_id == Some(i),
    }
}

/// The notice if the actor may see it in the office: the province every one, staff their school's (403 otherwise).
async fn visible(state: &AppState, ctx: &Ctx, id: i64) -> Result<(Actor, Notice), AppError> {
    let actor = ctx.require(OFFICES)?.clone();
    let n = store::notice(&state.db, id).await?.ok_or(AppError::NotFound)?;
    if actor.role != Role::ProvinceAdmin && !handles(&actor, &n) {
        return Err(AppError::Forbidden);
    }
    Ok((actor, n))
}

fn window_name(w: Window, status: &str, l: Locale) -> &'static str {
    if status == rules::RESULT {
        return l.pick("结果已公布", "Result published");
    }
    match w {
        Window::NotYet => l.pick("即将公示", "Not yet started"),
        Window::Open => l.pick("公示中", "Open"),
        Window::Ended => l.pick("公示期满", "Ended"),
    }
}

// ---------------------------------------------------------------- the list

#[derive(Deserialize, Default)]
struct ListQuery {
    #[serde(default)]
    call: String,
}

struct Line {
    n: Notice,
    state: &'static str,
}

#[derive(Template)]
#[template(path = "notices/list.html")]
struct ListPage<'a> {
    ctx: &'a Ctx,
    l: Locale,
    province: bool,
    lines: Vec<Line>,
    calls: Vec<(i64, String)>,
    call: String,
    form: NoticeForm,
    errors: Vec<String>,
}

async fn render_list(
    state: &AppState,
    ctx: &Ctx,
    call: String,
    form: NoticeForm,
    errors: Vec<String>,
) -> Result<Response, AppError> {
    let actor = ctx.require(OFFICES)?;
    let l = ctx.locale;
    let province = actor.role == Role::ProvinceAdmin;
    let own = if province { None } else { Some(actor.institution_id.unwrap_or_default()) };
    let today = time::today_china();
    let filter = call.trim().parse().ok();
    let lines = store::notices(&state.db, filter, own, false)
        .await?
        .into_iter()
        .map(|n| Line { state: window_name(n.window(today), &n.status, l), n })
        .collect();
    let mut choices = Vec::new();
    for c in calls::calls(&state.db).await?.into_iter().filter(|c| c.status != crate::calls::rules::DRAFT) {
        if province || !calls::applications(&state.db, c.id, own, None).await?.is_empty() {
            choices.push((c.id, c.title));
        }
    }
    let page = ListPage { ctx, l, province, lines, calls: choices, call, form, errors };
    ctx.page(ctx.t("项目公示", "Notices"), &page)
}

async fn list_page(State(state): State<AppState>, ctx: Ctx, Query(q): Query<ListQuery>) -> Result<Response, AppError> {
    let form =
        NoticeForm { starts_on: time::today_china().to_string(), working_days: "5".into(), ..NoticeForm::default() };
    render_list(&state, &ctx, q.call, form, Vec::new()).await
}

#[derive(Deserialize)]
struct PublishFields {
    #[serde(default)]
    call: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    office: String,
    #[serde(default)]
    starts_on: String,
    #[serde(default)]
    working_days: String,
    #[serde(default)]
    show_scores: String,
}

async fn publish(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(f): CsrfForm<PublishFields>,
) -> Result<Response, AppError> {
    let actor = ctx.require(OFFICES)?.clone();
    let l = ctx.locale;
    let form = NoticeForm {
        title: f.title,
        body: f.body,
        office: f.office,
        starts_on: f.starts_on,
        working_days: f.working_days,
        show_scores: f.show_scores == "1",
    };
    let institution = match actor.role {
        Role::ProvinceAdmin => None,
        _ => Some(actor.institution_id.ok_or(AppError::Forbidden)?),
    };
    let call = match f.call.trim().parse::<i64>() {
        Ok(id) => calls::call(&state.db, id).await?.filter(|c| c.status != crate::calls::rules::DRAFT),
        Err(_) => None,
    };
    let Some(call) = call else {
        let e = l.pick("请选择申报批次。", "Choose the call.").to_owned();
        return render_list(&state, &ctx, f.call, form, vec![e]).await;
    };
    let calendar = kernel::calendar::load(&state.db).await?;
    let notice = match rules::check_notice(&form, &calendar, l) {
        Ok(n) => n,
        Err(errors) => return render_list(&state, &ctx, f.call, form, errors).await,
    };
    if store::has_pending(&state.db, call.id, institution).await? {
        let e = l.pick(
            "该批次已有一份尚未公布结果的公示，请先处理完并公布结果。",
            "The call already has a notice whose result is not published; finish that one first.",
        );
        return render_list(&state, &ctx, f.call, form, vec![e.to_owned()]).await;
    }
    let list = store::proposed(&state.db, call.id, institution).await?;
    if list.is_empty() {
        let e = match institution {
            None => {
                l.pick("该批次还没有拟立项（评审通过）的申报书。", "The call has no approved application to list yet.")
            }
            Some(_) => l.pick(
                "本校在该批次还没有已提交的申报书。",
                "Your institution has no submitted application in this call.",
            ),
        };
        return render_list(&state, &ctx, f.call, form, vec![e.to_owned()]).await;
    }
    // A school's own notice lists what it will recommend, before any expert has scored it.
    let scores = match institution {
        None => crate::review::final_scores(&state.db, &call).await?,
        Some(_) => Default::default(),
    };
    let mut tx = state.db.begin().await?;
    let id = store::create_notice(&mut tx, &ctx.audit_actor(), call.id, institution, &notice, &list, &scores).await?;
    tx.commit().await?;
    Ok(redirect_with_flash(&format!("/programmes/notices/{id}"), ctx.t("公示已发布。", "The notice is published.")))
}

// ---------------------------------------------------------------- a notice

#[derive(Template)]
#[template(path = "notices/notice.html")]
struct NoticePage<'a> {
    ctx: &'a Ctx,
    l: Locale,
    n: Notice,
    state: &'static str,
    items: Vec<Item>,
    objections: Vec<Objection>,
    handling: bool,
    open_objections: i64,
    result_refusal: Option<&'static str>,
    today: String,
    errors: Vec<String>,
}

impl NoticePage<'_> {
    fn status_name(&self, s: &str) -> &'static str {
        rules::objection_status(s, self.l)
    }
    /// Contacts in full for the handling office only.
    fn phone(&self, o: &Objection) -> String {
        if self.handling {
            o.contact_phone.clone()
        } else {
            kernel::mask::phone(&o.contact_phone)
        }
    }
    fn filed(&self, o: &Objection) -> String {
        time::display(&o.filed_at)
    }
    fn email(&self, o: &Objection) -> String {
        if self.handling {
            o.contact_email.clone()
        } else {
            rules::mask_email(&o.contact_email)
        }
    }
}

async fn render_notice(
    state: &AppState,
    ctx: &Ctx,
    actor: &Actor,
    n: Notice,
    errors: Vec<String>,
) -> Result<Response, AppError> {
    let db = &state.db;
    let l = ctx.locale;
    let today = time::today_china();
    let w = n.window(today);
    let open_objections = store::open_objections(db, n.id).await?;
    let page = NoticePage {
        ctx,
        l,
        state: window_name(w, &n.status, l),
        items: store::items(db, n.id).await?,
        objections: store::objections(db, n.id).await?,
        handling: handles(actor, &n),
        open_objections,
        result_refusal: rules::result_refusal(&n.status, w, open_objections, l),
        today: today.to_string(),
        errors,
        n,
    };
    let title = page.n.title.clone();
    ctx.page(&title, &page)
}

async fn notice_page(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, AppError> {
    let (actor, n) = visible(&state, &ctx, id).await?;
    render_notice(&state, &ctx, &actor, n, Vec::new()).await
}

#[derive(Deserialize)]
struct HandleFields {
    #[serde(default)]
    decision: String,
    #[serde(default)]
    reply: String,
    #[serde(default)]
    handled_on: String,
    #[serde(default)]
    remove: String,
}

async fn handle(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, objection)): Path<(i64, i64)>,
    CsrfForm(f): CsrfForm<HandleFields>,
) -> Result<Response, AppError> {
    let (actor, n) = visible(&state, &ctx, id).await?;
    if !handles(&actor, &n) {
        return Err(AppError::Forbidden);
    }
    let o = store::objection(&state.db, objection).await?.filter(|o| o.notice_id == n.id).ok_or(AppError::NotFound)?;
    let (decision, reply, on) = match rules::check_handling(&f.decision, &f.reply, &f.handled_on, ctx.locale) {
        Ok(x) => x,
        Err(errors) => return render_notice(&state, &ctx, &actor, n, errors).await,
    };
    if n.status == rules::RESULT || o.status != rules::OBJECTION_OPEN {
        let e = ctx.t("该异议已处理。", "This objection is already handled.").to_owned();
        return render_notice(&state, &ctx, &actor, n, vec![e]).await;
    }
    let mut tx = state.db.begin().await?;
    let done =
        store::handle_objection(&mut tx, &ctx.audit_actor(), &n, &o, decision, &reply, on, f.remove == "1").await?;
    tx.commit().await?;
    let message = if done {
        ctx.t("异议处理结果已记录。", "The handling is recorded.")
    } else {
        ctx.t("该异议已处理。", "This objection is already handled.")
    };
    Ok(redirect_with_flash(&format!("/programmes/notices/{id}#objection-{objection}"), message))
}

async fn result(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> Result<Response, AppError> {
    let (actor, n) = visible(&state, &ctx, id).await?;
    if !handles(&actor, &n) {
        return Err(AppError::Forbidden);
    }
    let open = store::open_objections(&state.db, n.id).await?;
    if let Some(e) = rules::result_refusal(&n.status, n.window(time::today_china()), open, ctx.locale) {
        return render_notice(&state, &ctx, &actor, n, vec![e.to_owned()]).await;
    }
    let mut tx = state.db.begin().await?;
    let done = store::publish_result(&mut tx, &ctx.audit_actor(), &n).await?;
    tx.commit().await?;
    if !done {
        let e = ctx.t(
            "结果未能公布：公示状态已变化，请刷新后重试。",
            "Not published: the notice changed meanwhile; try again.",
        );
        return render_notice(&state, &ctx, &actor, n, vec![e.to_owned()]).await;
    }
    Ok(redirect_with_flash(&format!("/programmes/notices/{id}"), ctx.t("结果已公布。", "The result is published.")))
}

async fn evidence(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, AppError> {
    ctx.require(OFFICES)?;
    let o = store::objection(&state.db, id).await?.ok_or(AppError::NotFound)?;
    visible(&state, &ctx, o.notice_id).await?;
    let (sha, content_type) = store::objection_file(&state.db, id).await?.ok_or(AppError::NotFound)?;
    kernel::web::export::stored_document(&state.config.files(), &sha, ctx.t("异议证据", "evidence"), id, &content_type)
}
