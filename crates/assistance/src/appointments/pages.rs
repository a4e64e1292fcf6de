//! The pages of guidance appointments: a helper's calendar
//! (/assistance/calendar: the week's slots free and booked, slots opened and
//! cancelled, appointments marked held or missed) and the graduate's side
//! (/me/assistance/appointments: its helpers' free slots, its bookings).
//! Handlers are thin: rules in `rules`, SQL in `store`.

use std::future::Future;
use std::pin::Pin;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use chrono::{Duration, NaiveDate, NaiveDateTime, Utc};
use serde::Deserialize;

use kernel::auth::{Actor, Owner, Role};
use kernel::web::{redirect_with_flash, AppError, AppState, CsrfForm, Ctx};
use kernel::{time, Db, DbResult, Locale};

use super::rules::{self, Problem, SlotsForm};
use super::store::{self, Appointment, Helper, NotBooked, Slot};
use crate::store::Person;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/assistance/calendar", get(calendar))
        .route("/assistance/calendar/slots", post(open_slots))
        .route("/assistance/calendar/slots/{id}/cancel", post(cancel_slot))
        .route("/assistance/appointments/{id}/mark", post(mark))
        .route("/me/assistance/appointments", get(mine).post(book))
        .route("/me/assistance/appointments/{id}/cancel", post(cancel))
        .route("/me/assistance/appointments/{id}/move", post(move_to))
}

/// Now on the China wall clock.
pub fn now_china() -> NaiveDateTime {
    Utc::now().with_timezone(&time::china()).naive_local()
}

/// The nav's per-person check: a graduate in the key-group register gets the
/// 帮扶 link; other graduates do not (and nobody else learns either way).
pub fn in_register<'a>(db: &'a Db, actor: &'a Actor) -> Pin<Box<dyn Future<Output = DbResult<bool>> + Send + 'a>> {
    Box::pin(async move {
        let Some(id) = actor.graduate_id else { return Ok(false) };
        let Some(p) = crate::store::person(db, id).await? else { return Ok(false) };
        crate::store::in_register(db, &p).await
    })
}

#[derive(Deserialize, Default)]
struct WeekQuery {
    #[serde(default)]
    week: Option<String>,
    #[serde(default)]
    helper: Option<i64>,
}

/// One day of the week as the calendar lists it.
struct Day {
    date: NaiveDate,
    slots: Vec<Slot>,
}

#[derive(Template)]
#[template(path = "appointments/calendar.html")]
struct CalendarPage<'a> {
    ctx: &'a Ctx,
    l: Locale,
    helper: Option<Helper>,
    /// The signed-in helper's own calendar: it may open, cancel and mark.
    own: bool,
    helpers: Vec<(i64, String)>,
    week: NaiveDate,
    days: Vec<Day>,
    now: NaiveDateTime,
    form: SlotsForm,
    error: String,
    free: usize,
    booked: usize,
}

impl CalendarPage<'_> {
    fn weekday(&self, d: &NaiveDate) -> &'static str {
        use chrono::Datelike;
        const ZH: [&str; 7] = ["周一", "周二", "周三", "周四", "周五", "周六", "周日"];
        const EN: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
        let i = d.weekday().num_days_from_monday() as usize;
        self.l.pick(ZH[i], EN[i])
    }
    fn started(&self, s: &Slot) -> bool {
        s.starts <= self.now
    }
    fn state(&self, state: &str) -> &'static str {
        rules::state_label(state, self.l)
    }
    fn helper_param(&self) -> String {
        match (&self.helper, self.own) {
            (Some(h), false) => format!("&helper={}", h.id),
            _ => String::new(),
        }
    }
    fn prev(&self) -> NaiveDate {
        self.week - Duration::days(7)
    }
    fn next(&self) -> NaiveDate {
        self.week + Duration::days(7)
    }
}

fn week_param(text: Option<&str>) -> NaiveDate {
    let day = text.and_then(kernel::validate::parse_date).unwrap_or_else(time::today_china);
    rules::week_of(day)
}

/// The calendar shown: `helper` when asked and in the actor's scope (404 otherwise), else the actor's own.
async fn shown(state: &AppState, ctx: &Ctx, asked: Option<i64>) -> Result<(Option<Helper>, bool), AppError> {
    let actor = ctx.require(&[Role::ProvinceAdmin, Role::UniversityStaff])?;
    match asked {
        Some(id) if id != actor.account_id => {
            let h = store::helper(&state.db, id).await?.ok_or(AppError::NotFound)?;
            let owner = Owner { institution: Some(h.institution_id), ..Owner::default() };
            if !ctx.scope().may_see(owner) {
                return Err(AppError::NotFound);
            }
            Ok((Some(h), false))
        }
        _ => {
            let own = store::helper(&state.db, actor.account_id).await?;
            let is_own = own.is_some();
            Ok((own, is_own))
        }
    }
}

async fn render_calendar(
    state: &AppState,
    ctx: &Ctx,
    q: &WeekQuery,
    form: SlotsForm,
    error: String,
) -> Result<Response, AppError> {
    let (helper, own) = shown(state, ctx, q.helper).await?;
    let week = week_param(q.week.as_deref());
    let slots = match &helper {
        Some(h) => store::calendar(&state.db, h.id, week, 7).await?,
        None => Vec::new(),
    };
    let free = slots.iter().filter(|s| s.booking.is_none() && !s.cancelled()).count();
    let booked = slots.iter().filter(|s| s.booking.is_some()).count();
    let mut days: Vec<Day> = (0..7).map(|i| Day { date: week + Duration::days(i), slots: Vec::new() }).collect();
    for s in slots {
        if let Some(d) = days.iter_mut().find(|d| d.date == s.day()) {
            d.slots.push(s);
        }
    }
    let helpers = match own {
        true => Vec::new(),
        false => store::helpers_at(&state.db, ctx.scope().institution()).await?,
    };
    let mut form = form;
    if form.date.is_empty() {
        form.date = week.max(time::today_china()).to_string();
        form.minutes = "30".into();
        form.mode = "in_person".into();
        form.weeks = "1".into();
    }
    let page = CalendarPage {
        ctx,
        l: ctx.locale,
        helper,
        own,
        helpers,
        week,
        days,
        now: now_china(),
        form,
        error,
        free,
        booked,
    };
    ctx.page(ctx.t("指导预约日程", "Guidance calendar"), &page)
}

async fn calendar(State(state): State<AppState>, ctx: Ctx, Query(q): Query<WeekQuery>) -> Result<Response, AppError> {
    render_calendar(&state, &ctx, &q, SlotsForm::default(), String::new()).await
}

/// The signed-in staff account as a helper; 403 for other roles.
async fn me_as_helper(state: &AppState, ctx: &Ctx) -> Result<Helper, AppError> {
    let actor = ctx.require(&[Role::UniversityStaff])?;
    store::helper(&state.db, actor.account_id).await?.ok_or(AppError::Forbidden)
}

async fn open_slots(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(form): CsrfForm<SlotsForm>,
) -> Result<Response, AppError> {
    let helper = me_as_helper(&state, &ctx).await?;
    let q = WeekQuery { week: Some(form.date.clone()), helper: None };
    let new = match rules::check_slots(&form, now_china()) {
        Ok(new) => new,
        Err(problem) => return render_calendar(&state, &ctx, &q, form, problem.text(ctx.locale).to_owned()).await,
    };
    let mut tx = state.db.begin().await?;
    match store::open_slots(&mut tx, &ctx.audit_actor(), &helper, &new).await? {
        Ok(ids) => {
            tx.commit().await?;
            let week = new.starts.first().map(|s| rules::week_of(s.date())).unwrap_or_else(time::today_china);
            let said = match ctx.locale {
                Locale::Zh => format!("已开放 {} 个时段。", ids.len()),
                _ => format!("{} slots opened.", ids.len()),
            };
            Ok(redirect_with_flash(&format!("/assistance/calendar?week={week}"), &said))
        }
        Err(problem) => {
            drop(tx);
            render_calendar(&state, &ctx, &q, form, problem.text(ctx.locale).to_owned()).await
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
    let helper = me_as_helper(&state, &ctx).await?;
    let slot = store::slot(&state.db, id).await?.filter(|s| s.helper_id == helper.id).ok_or(AppError::NotFound)?;
    let q = WeekQuery { week: Some(slot.day().to_string()), helper: None };
    let Some(reason) = kernel::web::form::clean(&form.reason, 200) else {
        return render_calendar(&state, &ctx, &q, SlotsForm::default(), rules::NO_REASON.text(ctx.locale).to_owned())
            .await;
    };
    let mut tx = state.db.begin().await?;
    let cancelled = store::cancel_slot(&mut tx, &ctx.audit_actor(), &slot, &reason).await?;
    tx.commit().await?;
    if !cancelled {
        return Err(AppError::NotFound);
    }
    Ok(redirect_with_flash(
        &format!("/assistance/calendar?week={}", rules::week_of(slot.day())),
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

async fn mark(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<MarkForm>,
) -> Result<Response, AppError> {
    let helper = me_as_helper(&state, &ctx).await?;
    let a =
        store::appointment(&state.db, id).await?.filter(|a| a.slot.helper_id == helper.id).ok_or(AppError::NotFound)?;
    let p = crate::store::person(&state.db, a.graduate_id).await?.ok_or(AppError::NotFound)?;
    let q = WeekQuery { week: Some(a.slot.day().to_string()), helper: None };
    let held = match form.outcome.as_str() {
        "held" => true,
        "missed" => false,
        _ => return Err(AppError::NotFound),
    };
    let note = form.note.trim().chars().take(500).collect::<String>();
    let refused = rules::markable(a.slot.starts, now_china())
        .err()
        .or_else(|| (held && note.is_empty()).then_some(rules::NO_NOTE));
    if let Some(problem) = refused {
        return render_calendar(&state, &ctx, &q, SlotsForm::default(), problem.text(ctx.locale).to_owned()).await;
    }
    let mut tx = state.db.begin().await?;
    let marked = store::mark(&mut tx, &ctx.audit_actor(), &p, &a, held, &note).await?;
    tx.commit().await?;
    if !marked {
        return Err(AppError::NotFound);
    }
    let said = match held {
        true => ctx.t(
            "已登记为已进行，并记入帮扶台账（职业指导）。",
            "Marked held and entered in the ledger (career guidance).",
        ),
        false => ctx.t("已登记为未到。", "Marked missed."),
    };
    Ok(redirect_with_flash(
        &format!("/assistance/calendar?week={}#appointment-{}", rules::week_of(a.slot.day()), a.id),
        said,
    ))
}

/// The signed-in graduate when it is in the register; 404 otherwise.
async fn me(state: &AppState, ctx: &Ctx) -> Result<Person, AppError> {
    let actor = ctx.require(&[Role::Graduate])?;
    let id = actor.graduate_id.ok_or(AppError::NotFound)?;
    let p = crate::store::person(&state.db, id).await?.ok_or(AppError::NotFound)?;
    match crate::store::in_register(&state.db, &p).await? {
        true => Ok(p),
        false => Err(AppError::NotFound),
    }
}

#[derive(Template)]
#[template(path = "appointments/mine.html")]
struct MinePage<'a> {
    ctx: &'a Ctx,
    l: Locale,
    appointments: Vec<Appointment>,
    free: Vec<Slot>,
    has_helpers: bool,
    now: NaiveDateTime,
    lead_hours: u32,
    topic: String,
    error: String,
}

impl MinePage<'_> {
    fn changeable(&self, a: &Appointment) -> bool {
        a.is_booked() && rules::changeable(a.slot.starts, self.now, self.lead_hours).is_ok()
    }
    /// Free slots of the same helper, for moving a booking.
    fn moves(&self, a: &Appointment) -> Vec<&Slot> {
        self.free.iter().filter(|s| s.helper_id == a.slot.helper_id).collect()
    }
}

async fn render_mine(
    state: &AppState,
    ctx: &Ctx,
    p: &Person,
    topic: String,
    error: String,
) -> Result<Response, AppError> {
    let now = now_china();
    let page = MinePage {
        ctx,
        l: ctx.locale,
        appointments: store::appointments_of(&state.db, p.id).await?,
        free: store::free_slots_for(&state.db, p.id, now).await?,
        has_helpers: !crate::store::helpers_of(&state.db, p.id).await?.is_empty(),
        now,
        lead_hours: state.config.appointment_lead_hours,
        topic,
        error,
    };
    ctx.page(ctx.t("一对一指导预约", "Guidance appointments"), &page)
}

async fn mine(State(state): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    let p = me(&state, &ctx).await?;
    render_mine(&state, &ctx, &p, String::new(), String::new()).await
}

#[derive(Deserialize)]
struct BookForm {
    #[serde(default)]
    slot: String,
    #[serde(default)]
    topic: String,
}

fn refused(problem: Problem, l: Locale) -> String {
    problem.text(l).to_owned()
}

async fn book(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(form): CsrfForm<BookForm>,
) -> Result<Response, AppError> {
    let p = me(&state, &ctx).await?;
    let Ok(slot) = form.slot.trim().parse::<i64>() else {
        let error = ctx.t("请选择一个时段。", "Pick a slot.").to_owned();
        return render_mine(&state, &ctx, &p, form.topic, error).await;
    };
    let topic = match rules::topic(&form.topic) {
        Ok(t) => t,
        Err(problem) => return render_mine(&state, &ctx, &p, form.topic, refused(problem, ctx.locale)).await,
    };
    let mut tx = state.db.begin().await?;
    match store::book(&mut tx, &ctx.audit_actor(), &p, slot, &topic, now_china()).await? {
        Ok(id) => {
            tx.commit().await?;
            Ok(redirect_with_flash(
                &format!("{}#appointment-{id}", store::MINE),
                ctx.t(
                    "预约成功，老师会看到你的预约；开始前会提醒你。",
                    "Booked; your helper sees it and you will be reminded.",
                ),
            ))
        }
        Err(NotBooked::NotFound) => Err(AppError::NotFound),
        Err(NotBooked::Refused(problem)) => {
            drop(tx);
            render_mine(&state, &ctx, &p, topic, refused(problem, ctx.locale)).await
        }
    }
}

#[derive(Deserialize)]
struct CancelForm {
    #[serde(default)]
    again: Option<String>,
}

/// The graduate's own appointment; 404 for anyone else's.
async fn own_appointment(state: &AppState, p: &Person, id: i64) -> Result<Appointment, AppError> {
    store::appointment(&state.db, id).await?.filter(|a| a.graduate_id == p.id).ok_or(AppError::NotFound)
}

async fn cancel(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<CancelForm>,
) -> Result<Response, AppError> {
    let p = me(&state, &ctx).await?;
    let a = own_appointment(&state, &p, id).await?;
    if let Err(problem) = rules::changeable(a.slot.starts, now_china(), state.config.appointment_lead_hours) {
        return render_mine(&state, &ctx, &p, String::new(), refused(problem, ctx.locale)).await;
    }
    let again = form.again.is_some_and(|v| !v.is_empty());
    let mut tx = state.db.begin().await?;
    let done = store::cancel_by_graduate(&mut tx, &ctx.audit_actor(), &p, &a, again).await?;
    tx.commit().await?;
    if !done {
        return Err(AppError::NotFound);
    }
    let said = match again {
        true => ctx.t("已取消，并请老师另约时间。", "Cancelled; your helper is asked for another time."),
        false => ctx.t("预约已取消，老师会收到通知。", "Cancelled; your helper is told."),
    };
    Ok(redirect_with_flash(store::MINE, said))
}

#[derive(Deserialize)]
struct MoveForm {
    #[serde(default)]
    slot: String,
}

async fn move_to(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<MoveForm>,
) -> Result<Response, AppError> {
    let p = me(&state, &ctx).await?;
    let a = own_appointment(&state, &p, id).await?;
    let now = now_china();
    if let Err(problem) = rules::changeable(a.slot.starts, now, state.config.appointment_lead_hours) {
        return render_mine(&state, &ctx, &p, String::new(), refused(problem, ctx.locale)).await;
    }
    let Ok(slot) = form.slot.trim().parse::<i64>() else {
        let error = ctx.t("请选择新的时段。", "Pick the new slot.").to_owned();
        return render_mine(&state, &ctx, &p, String::new(), error).await;
    };
    let mut tx = state.db.begin().await?;
    match store::move_to(&mut tx, &ctx.audit_actor(), &p, &a, slot, now).await? {
        Ok(new) => {
            tx.commit().await?;
            Ok(redirect_with_flash(
                &format!("{}#appointment-{new}", store::MINE),
                ctx.t("已改约到新的时段。", "Moved to the new slot."),
            ))
        }
        Err(NotBooked::NotFound) => Err(AppError::NotFound),
        Err(NotBooked::Refused(problem)) => {
            drop(tx);
            render_mine(&state, &ctx, &p, String::new(), refused(problem, ctx.locale)).await
        }
    }
}
