//! One-to-one guidance pages: the mentor's own (/training/mentor: open slots,
//! cancel them, mark bookings held with an outcome or missed), open to any
//! account with a published mentor record, and the graduate's (/me/mentors:
//! free slots of published mentors, its own bookings, cancel).

use std::future::Future;
use std::pin::Pin;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use chrono::{Duration, NaiveDateTime, Utc};
use serde::Deserialize;

use assistance::appointments::rules::{self as times, SlotsForm};
use kernel::auth::{Actor, Role};
use kernel::web::{redirect_with_flash, AppError, AppState, CsrfForm, Ctx};
use kernel::{time, Db, DbResult, Locale};

use super::pool::{self, Mentor};
use super::slots::{self, Appointment, NotBooked, Slot};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/training/mentor", get(mine))
        .route("/training/mentor/slots", post(open))
        .route("/training/mentor/slots/{id}/cancel", post(cancel_slot))
        .route("/training/mentor/bookings/{id}/mark", post(mark))
        .route("/me/mentors", get(graduate_page).post(book))
        .route("/me/mentors/bookings/{id}/cancel", post(cancel))
}

/// Now on the China wall clock.
pub fn now_china() -> NaiveDateTime {
    Utc::now().with_timezone(&time::china()).naive_local()
}

/// The nav's per-person check: the account has a published mentor record.
pub fn is_mentor<'a>(db: &'a Db, actor: &'a Actor) -> Pin<Box<dyn Future<Output = DbResult<bool>> + Send + 'a>> {
    Box::pin(async move { Ok(pool::published_of_account(db, actor.account_id).await?.is_some()) })
}

/// The signed-in account's published mentor record; 403 without one.
async fn me_as_mentor(state: &AppState, ctx: &Ctx) -> Result<Mentor, AppError> {
    let actor = ctx.actor()?;
    pool::published_of_account(&state.db, actor.account_id).await?.ok_or(AppError::Forbidden)
}

#[derive(Template)]
#[template(path = "mentors/mine.html")]
struct MinePage<'a> {
    ctx: &'a Ctx,
    l: Locale,
    m: Mentor,
    slots: Vec<Slot>,
    now: NaiveDateTime,
    form: SlotsForm,
    error: String,
}

impl MinePage<'_> {
    fn started(&self, s: &Slot) -> bool {
        s.starts <= self.now
    }
}

async fn render_mine(state: &AppState, ctx: &Ctx, form: SlotsForm, error: String) -> Result<Response, AppError> {
    let m = me_as_mentor(state, ctx).await?;
    let from = time::today_china() - Duration::days(14);
    let mut form = form;
    if form.date.is_empty() {
        form.date = (time::today_china() + Duration::days(1)).to_string();
        form.minutes = "30".into();
        form.mode = "online".into();
        form.weeks = "1".into();
    }
    let page = MinePage {
        ctx,
        l: ctx.locale,
        slots: slots::of_mentor(&state.db, m.id, from).await?,
        m,
        now: now_china(),
        form,
        error,
    };
    ctx.page(ctx.t("我的指导时段", "My guidance slots"), &page)
}

async fn mine(State(state): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    render_mine(&state, &ctx, SlotsForm::default(), String::new()).await
}

async fn open(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(form): CsrfForm<SlotsForm>,
) -> Result<Response, AppError> {
    let m = me_as_mentor(&state, &ctx).await?;
    let new = match times::check_slots(&form, now_china()) {
        Ok(new) => new,
        Err(problem) => return render_mine(&state, &ctx, form, problem.text(ctx.locale).to_owned()).await,
    };
    let mut tx = state.db.begin().await?;
    match slots::open(&mut tx, &ctx.audit_actor(), &m, &new).await? {
        Ok(ids) => {
            tx.commit().await?;
            let said = match ctx.locale {
                Locale::Zh => format!("已开放 {} 个时段。", ids.len()),
                _ => format!("{} slots opened.", ids.len()),
            };
            Ok(redirect_with_flash(super::MINE, &said))
        }
        Err(problem) => {
            drop(tx);
            render_mine(&state, &ctx, form, problem.text(ctx.locale).to_owned()).await
        }
    }
}

#[derive(Deserialize)]
struct ReasonForm {
    #[serde(default)]
    reason: String,
}

async fn cancel_slot(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<ReasonForm>,
) -> Result<Response, AppError> {
    let m = me_as_mentor(&state, &ctx).await?;
    let slot = slots::slot(&state.db, id).await?.filter(|s| s.mentor_id == m.id).ok_or(AppError::NotFound)?;
    let Some(reason) = kernel::web::form::clean(&form.reason, 200) else {
        return render_mine(&state, &ctx, SlotsForm::default(), times::NO_REASON.text(ctx.locale).to_owned()).await;
    };
    let mut tx = state.db.begin().await?;
    let done = slots::cancel_slot(&mut tx, &ctx.audit_actor(), &slot, &reason).await?;
    tx.commit().await?;
    if !done {
        return Err(AppError::NotFound);
    }
    Ok(redirect_with_flash(
        super::MINE,
        ctx.t("时段已取消；已预约的同学会收到通知。", "Slot cancelled; the graduate who booked it is told."),
    ))
}

#[derive(Deserialize)]
struct MarkForm {
    #[serde(default)]
    outcome: String,
    #[serde(default)]
    note: String,
}

pub const NO_OUTCOME: times::Problem = times::Problem("请简要写下指导结果。", "Write a short outcome of the guidance.");

async fn mark(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<MarkForm>,
) -> Result<Response, AppError> {
    let m = me_as_mentor(&state, &ctx).await?;
    let a = slots::appointment(&state.db, id).await?.filter(|a| a.slot.mentor_id == m.id).ok_or(AppError::NotFound)?;
    let held = match form.outcome.as_str() {
        "held" => true,
        "missed" => false,
        _ => return Err(AppError::NotFound),
    };
    let note = form.note.trim().chars().take(500).collect::<String>();
    let refused =
        times::markable(a.slot.starts, now_china()).err().or_else(|| (held && note.is_empty()).then_some(NO_OUTCOME));
    if let Some(problem) = refused {
        return render_mine(&state, &ctx, SlotsForm::default(), problem.text(ctx.locale).to_owned()).await;
    }
    // The outcome goes into the graduate's assistance file when it is in the key-group register.
    let person = match assistance::store::person(&state.db, a.graduate_id).await? {
        Some(p) if assistance::store::in_register(&state.db, &p).await? => Some(p),
        _ => None,
    };
    let mut tx = state.db.begin().await?;
    let done = slots::mark(&mut tx, &ctx.audit_actor(), &a, held, &note, person.as_ref()).await?;
    tx.commit().await?;
    if !done {
        return Err(AppError::NotFound);
    }
    let said = match (held, person.is_some()) {
        (true, true) => ctx.t(
            "已登记为已进行，并记入该同学的帮扶档案。",
            "Marked held and entered in the graduate's assistance file.",
        ),
        (true, false) => ctx.t("已登记为已进行。", "Marked held."),
        (false, _) => ctx.t("已登记为未到。", "Marked missed."),
    };
    Ok(redirect_with_flash(&format!("{}#booking-{}", super::MINE, a.id), said))
}

/// The signed-in graduate: (id, name, institution).
async fn me(state: &AppState, ctx: &Ctx) -> Result<(i64, String, i64), AppError> {
    let actor = ctx.require(&[Role::Graduate])?;
    let id = actor.graduate_id.ok_or(AppError::NotFound)?;
    let p = assistance::store::person(&state.db, id).await?.ok_or(AppError::NotFound)?;
    Ok((id, p.name, p.institution_id))
}

#[derive(Deserialize, Default)]
struct MentorQuery {
    #[serde(default)]
    mentor: Option<i64>,
}

#[derive(Template)]
#[template(path = "mentors/graduate.html")]
struct GraduatePage<'a> {
    ctx: &'a Ctx,
    l: Locale,
    bookings: Vec<Appointment>,
    free: Vec<Slot>,
    now: NaiveDateTime,
    lead_hours: u32,
    topic: String,
    error: String,
}

impl GraduatePage<'_> {
    fn changeable(&self, a: &Appointment) -> bool {
        a.is_booked() && times::changeable(a.slot.starts, self.now, self.lead_hours).is_ok()
    }
}

async fn render_graduate(
    state: &AppState,
    ctx: &Ctx,
    graduate: i64,
    mentor: Option<i64>,
    topic: String,
    error: String,
) -> Result<Response, AppError> {
    let now = now_china();
    let page = GraduatePage {
        ctx,
        l: ctx.locale,
        bookings: slots::of_graduate(&state.db, graduate).await?,
        free: slots::free(&state.db, now, mentor).await?,
        now,
        lead_hours: state.config.appointment_lead_hours,
        topic,
        error,
    };
    ctx.page(ctx.t("导师一对一指导", "Mentor guidance"), &page)
}

async fn graduate_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<MentorQuery>,
) -> Result<Response, AppError> {
    let (id, _, _) = me(&state, &ctx).await?;
    render_graduate(&state, &ctx, id, q.mentor, String::new(), String::new()).await
}

#[derive(Deserialize)]
struct BookForm {
    #[serde(default)]
    slot: String,
    #[serde(default)]
    topic: String,
}

async fn book(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(form): CsrfForm<BookForm>,
) -> Result<Response, AppError> {
    let (id, name, institution) = me(&state, &ctx).await?;
    let Ok(slot) = form.slot.trim().parse::<i64>() else {
        let error = ctx.t("请选择一个时段。", "Pick a slot.").to_owned();
        return render_graduate(&state, &ctx, id, None, form.topic, error).await;
    };
    let topic = match times::topic(&form.topic) {
        Ok(t) => t,
        Err(problem) => {
            return render_graduate(&state, &ctx, id, None, form.topic, problem.text(ctx.locale).to_owned()).await
        }
    };
    let mut tx = state.db.begin().await?;
    match slots::book(&mut tx, &ctx.audit_actor(), (id, &name, institution), slot, &topic, now_china()).await? {
        Ok(booking) => {
            tx.commit().await?;
            Ok(redirect_with_flash(
                &format!("{}#booking-{booking}", slots::MINE),
                ctx.t(
                    "预约成功，导师会看到你的预约；开始前会提醒你。",
                    "Booked; the mentor sees it and you will be reminded.",
                ),
            ))
        }
        Err(NotBooked::NotFound) => Err(AppError::NotFound),
        Err(NotBooked::Refused(problem)) => {
            drop(tx);
            render_graduate(&state, &ctx, id, None, topic, problem.text(ctx.locale).to_owned()).await
        }
    }
}

async fn cancel(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(booking): Path<i64>,
    CsrfForm(_): CsrfForm<kernel::web::form::NoFields>,
) -> Result<Response, AppError> {
    let (id, name, _) = me(&state, &ctx).await?;
    let a = slots::appointment(&state.db, booking).await?.filter(|a| a.graduate_id == id).ok_or(AppError::NotFound)?;
    if let Err(problem) = times::changeable(a.slot.starts, now_china(), state.config.appointment_lead_hours) {
        return render_graduate(&state, &ctx, id, None, String::new(), problem.text(ctx.locale).to_owned()).await;
    }
    let mut tx = state.db.begin().await?;
    let done = slots::cancel_by_graduate(&mut tx, &ctx.audit_actor(), &name, &a).await?;
    tx.commit().await?;
    if !done {
        return Err(AppError::NotFound);
    }
    Ok(redirect_with_flash(slots::MINE, ctx.t("预约已取消，导师会收到通知。", "Cancelled; the mentor is told.")))
}
