//! The online hall's pages: the lobby (booths live, queue lengths), a booth's
//! room for the graduate (jobs, its place in the queue, the conversation) and
//! the employer's desk (online or not, the queue, call the next one, write,
//! offer an interview through the application's interview step).

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;

use kernel::auth::Role;
use kernel::web::{redirect_with_flash, AppError, AppState, CsrfForm, Ctx, NoFields};
use kernel::Locale;

use super::attendance::{self, Person, Registered};
use super::booths::{self, Booth, BoothStatus};
use super::online::{self, Line, LobbyBooth, Place, Queued};
use super::Fair;

pub fn routes() -> Router<crate::RecruitmentState> {
    Router::new()
        .route("/fairs/{id}/lobby", get(lobby_page))
        .route("/fairs/{id}/booths/{booth}", get(room_page))
        .route("/fairs/{id}/booths/{booth}/join", post(join))
        .route("/fairs/{id}/booths/{booth}/leave", post(leave))
        .route("/fairs/{id}/booths/{booth}/say", post(say))
        .route("/fairs/{id}/booth/desk", get(desk_page))
        .route("/fairs/{id}/booth/online", post(set_online))
        .route("/fairs/{id}/booth/call", post(call_next))
        .route("/fairs/{id}/booth/desk/{graduate}", get(talk_page).post(talk))
}

/// A fair with an online hall, past planning.
async fn online_fair(state: &AppState, ctx: &Ctx, id: i64) -> Result<Fair, AppError> {
    let fair = super::get(&state.db, id, ctx.locale).await?.ok_or(AppError::NotFound)?;
    if !fair.status.is_public() {
        return Err(AppError::NotFound);
    }
    if !online::has_lobby(&fair) {
        return Err(AppError::Conflict(ctx.t("本场活动没有线上会场。", "This event has no online hall.").into()));
    }
    Ok(fair)
}

#[derive(Template)]
#[template(path = "fair_lobby.html")]
struct LobbyPage {
    l: Locale,
    fair: Fair,
    booths: Vec<LobbyBooth>,
}

/// 线上大厅: the booths, online ones first, with their queues.
async fn lobby_page(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, AppError> {
    let fair = online_fair(&state, &ctx, id).await?;
    let booths = online::lobby(&state.db, id).await?;
    let title = format!("{}{}", fair.title, ctx.t(" · 线上大厅", " · online hall"));
    ctx.page(&title, &LobbyPage { l: ctx.locale, fair, booths })
}

/// An approved booth of the fair.
async fn booth_of(state: &AppState, fair: &Fair, booth_id: i64) -> Result<Booth, AppError> {
    booths::get(&state.db, booth_id)
        .await?
        .filter(|b| b.fair_id == fair.id && b.status == BoothStatus::Approved)
        .ok_or(AppError::NotFound)
}

#[derive(Template)]
#[template(path = "fair_room.html")]
struct RoomPage<'a> {
    ctx: &'a Ctx,
    l: Locale,
    fair: Fair,
    booth: Booth,
    waiting: i64,
    /// For a graduate: registered, its place, the conversation and what it applied to.
    graduate: bool,
    registered: bool,
    place: Option<Place>,
    lines: Vec<Line>,
    applied: Vec<i64>,
}

impl RoomPage<'_> {
    fn has_applied(&self, posting_id: &i64) -> bool {
        self.applied.contains(posting_id)
    }
    fn in_queue(&self) -> bool {
        self.place.as_ref().is_some_and(|p| p.status != online::InQueue::Left)
    }
}

/// 展位: its jobs; for a graduate, the queue and the conversation.
async fn room_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, booth_id)): Path<(i64, i64)>,
) -> Result<Response, AppError> {
    let fair = online_fair(&state, &ctx, id).await?;
    let booth = booth_of(&state, &fair, booth_id).await?;
    let waiting = online::waiting(&state.db, booth_id).await?;
    let graduate_id = ctx.actor.as_ref().filter(|a| a.role == Role::Graduate).and_then(|a| a.graduate_id);
    let (registered, place, lines, applied) = match graduate_id {
        Some(g) => (
            registered_at(&state, id, g).await?,
            online::place_of(&state.db, booth_id, g).await?,
            online::thread(&state.db, booth_id, g).await?,
            attendance::applied_at(&state.db, id, g).await?,
        ),
        None => (false, None, Vec::new(), Vec::new()),
    };
    let title = format!("{}{}", booth.employer, ctx.t(" · 线上展位", " · online booth"));
    let page = RoomPage {
        ctx: &ctx,
        l: ctx.locale,
        fair,
        booth,
        waiting,
        graduate: graduate_id.is_some(),
        registered,
        place,
        lines,
        applied,
    };
    ctx.page(&title, &page)
}

async fn registered_at(state: &AppState, fair_id: i64, graduate_id: i64) -> Result<bool, AppError> {
    let r = attendance::of_graduate_at(&state.db, fair_id, graduate_id).await?;
    Ok(r.is_some_and(|r| r.status != Registered::Cancelled))
}

/// The graduate asking, registered for the fair, at one of its booths.
async fn graduate_at_booth(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    booth_id: i64,
) -> Result<(Fair, Booth, Person), AppError> {
    let actor = ctx.require(&[Role::Graduate])?;
    let graduate_id = actor.graduate_id.ok_or(AppError::Forbidden)?;
    let fair = online_fair(state, ctx, id).await?;
    let booth = booth_of(state, &fair, booth_id).await?;
    if !registered_at(state, id, graduate_id).await? {
        return Err(AppError::Conflict(
            ctx.t("请先报名本场活动，再进入展位排队。", "Register for the event first, then queue at a booth.").into(),
        ));
    }
    let person = attendance::person(&state.db, graduate_id).await?.ok_or(AppError::Forbidden)?;
    Ok((fair, booth, person))
}

fn room(id: i64, booth_id: i64) -> String {
    format!("/fairs/{id}/booths/{booth_id}")
}

async fn join(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, booth_id)): Path<(i64, i64)>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> Result<Response, AppError> {
    let (fair, booth, person) = graduate_at_booth(&state, &ctx, id, booth_id).await?;
    if !fair.status.checks_in() {
        return Err(AppError::Conflict(ctx.t("活动当前不在进行中。", "The event is not running now.").into()));
    }
    let mut tx = state.db.begin().await?;
    online::join(&mut tx, &ctx.audit_actor(), &booth, &person).await?;
    tx.commit().await?;
    Ok(redirect_with_flash(&room(id, booth_id), ctx.t("已加入排队。", "You are in the queue.")))
}

async fn leave(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, booth_id)): Path<(i64, i64)>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> Result<Response, AppError> {
    let (_, booth, person) = graduate_at_booth(&state, &ctx, id, booth_id).await?;
    let mut tx = state.db.begin().await?;
    online::leave(&mut tx, &ctx.audit_actor(), &booth, &person).await?;
    tx.commit().await?;
    Ok(redirect_with_flash(&room(id, booth_id), ctx.t("已离开排队。", "You left the queue.")))
}

#[derive(Deserialize)]
struct SayForm {
    #[serde(default)]
    body: String,
}

/// The line as written, or what is wrong with it.
fn line(form: &SayForm, l: Locale) -> Result<String, AppError> {
    let body = form.body.trim();
    match body.is_empty() || body.chars().count() > online::LINE_CHARS {
        true => Err(AppError::BadRequest(
            l.pick("消息不能为空，最多 1000 字。", "A message must not be empty; at most 1000 characters.").into(),
        )),
        false => Ok(body.to_owned()),
    }
}

async fn say(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, booth_id)): Path<(i64, i64)>,
    CsrfForm(form): CsrfForm<SayForm>,
) -> Result<Response, AppError> {
    let (_, booth, person) = graduate_at_booth(&state, &ctx, id, booth_id).await?;
    let body = line(&form, ctx.locale)?;
    if !online::queued_at(&state.db, booth.id, person.id).await? {
        return Err(AppError::Conflict(ctx.t("请先加入排队。", "Join the queue first.").into()));
    }
    let mut tx = state.db.begin().await?;
    online::say(&mut tx, &ctx.audit_actor(), booth.id, &person, false, &body).await?;
    tx.commit().await?;
    Ok(redirect_with_flash(&format!("{}#chat", room(id, booth_id)), ctx.t("已发送。", "Sent.")))
}

/// The employer asking, with its approved booth at an online fair.
async fn desk_of(state: &AppState, ctx: &Ctx, id: i64) -> Result<(Fair, Booth), AppError> {
    let actor = ctx.require(&[Role::Employer])?;
    let employer_id = actor.employer_id.ok_or(AppError::Forbidden)?;
    let fair = online_fair(state, ctx, id).await?;
    let booth = booths::of_employer_at(&state.db, id, employer_id)
        .await?
        .filter(|b| b.status == BoothStatus::Approved)
        .ok_or_else(|| {
            AppError::Conflict(ctx.t("贵单位在本场没有已通过的展位。", "You have no approved booth here.").into())
        })?;
    Ok((fair, booth))
}

#[derive(Template)]
#[template(path = "fair_desk.html")]
struct DeskPage<'a> {
    ctx: &'a Ctx,
    l: Locale,
    fair: Fair,
    booth: Booth,
    queue: Vec<Queued>,
}

/// 展位工作台: online or not, the queue with each one's applications here.
async fn desk_page(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, AppError> {
    let (fair, booth) = desk_of(&state, &ctx, id).await?;
    let queue = online::queue(&state.db, booth.id).await?;
    let page = DeskPage { ctx: &ctx, l: ctx.locale, fair, booth, queue };
    ctx.page(ctx.t("线上展位工作台", "Online booth desk"), &page)
}

#[derive(Deserialize)]
struct OnlineForm {
    #[serde(default)]
    online: String,
}

async fn set_online(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<OnlineForm>,
) -> Result<Response, AppError> {
    let (_, booth) = desk_of(&state, &ctx, id).await?;
    let online = form.online == "1";
    let mut tx = state.db.begin().await?;
    online::set_online(&mut tx, &ctx.audit_actor(), &booth, online).await?;
    tx.commit().await?;
    let message = match online {
        true => ctx.t("展位已上线，毕业生可以排队。", "The booth is online; graduates can queue."),
        false => ctx.t("展位已下线。", "The booth is offline."),
    };
    Ok(redirect_with_flash(&format!("/fairs/{id}/booth/desk"), message))
}

async fn call_next(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> Result<Response, AppError> {
    let (fair, booth) = desk_of(&state, &ctx, id).await?;
    let mut tx = state.db.begin().await?;
    let called = online::call_next(&mut tx, &ctx.audit_actor(), &fair, &booth).await?;
    tx.commit().await?;
    match called {
        Some(graduate) => Ok(redirect_with_flash(
            &format!("/fairs/{id}/booth/desk/{graduate}"),
            ctx.t("已叫号，毕业生已收到通知。", "Called; the graduate has been told."),
        )),
        None => Ok(redirect_with_flash(
            &format!("/fairs/{id}/booth/desk"),
            ctx.t("没有排队的毕业生。", "Nobody is waiting."),
        )),
    }
}

#[derive(Template)]
#[template(path = "fair_talk.html")]
struct TalkPage<'a> {
    ctx: &'a Ctx,
    l: Locale,
    fair: Fair,
    who: Queued,
    lines: Vec<Line>,
}

/// The graduate in the employer's queue; others are not the employer's to see.
async fn queued_one(state: &AppState, booth: &Booth, graduate_id: i64) -> Result<Queued, AppError> {
    let queue = online::queue(&state.db, booth.id).await?;
    queue.into_iter().find(|q| q.graduate_id == graduate_id).ok_or(AppError::NotFound)
}

/// 沟通: the conversation with one queued graduate, and its applications here.
async fn talk_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, graduate_id)): Path<(i64, i64)>,
) -> Result<Response, AppError> {
    let (fair, booth) = desk_of(&state, &ctx, id).await?;
    let who = queued_one(&state, &booth, graduate_id).await?;
    let lines = online::thread(&state.db, booth.id, graduate_id).await?;
    let title = format!("{}{}", ctx.t("沟通：", "Talk: "), who.name);
    ctx.page(&title, &TalkPage { ctx: &ctx, l: ctx.locale, fair, who, lines })
}

async fn talk(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, graduate_id)): Path<(i64, i64)>,
    CsrfForm(form): CsrfForm<SayForm>,
) -> Result<Response, AppError> {
    let (_, booth) = desk_of(&state, &ctx, id).await?;
    queued_one(&state, &booth, graduate_id).await?;
    let body = line(&form, ctx.locale)?;
    let person = attendance::person(&state.db, graduate_id).await?.ok_or(AppError::NotFound)?;
    let mut tx = state.db.begin().await?;
    online::say(&mut tx, &ctx.audit_actor(), booth.id, &person, true, &body).await?;
    tx.commit().await?;
    Ok(redirect_with_flash(&format!("/fairs/{id}/booth/desk/{graduate_id}#chat"), ctx.t("已发送。", "Sent.")))
}
