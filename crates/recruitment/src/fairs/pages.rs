//! The fair pages everyone sees: the calendar (招聘会日历) and a fair's page
//! with its booths and jobs; a graduate's registration, pass and one-tap
//! applications; an employer's booth, booth pass and visitors. The hosts'
//! pages are in `host_pages`.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use chrono::{Duration, Utc};
use serde::Deserialize;

use kernel::auth::Role;
use kernel::web::table::{ListUrl, Paging};
use kernel::web::{redirect_with_flash, AppError, AppState, CsrfForm, Ctx, NoFields};
use kernel::{time, Locale};

use super::attendance::{self, Person, Registered, Registration};
use super::booths::{self, Booth, BoothStatus, Visitor};
use super::rules::{self, Holder, Mode, Place};
use super::{Fair, Filters};

pub fn routes() -> Router<crate::RecruitmentState> {
    Router::new()
        .route("/fairs", get(calendar_page))
        .route("/fairs/{id}", get(fair_page))
        .route("/fairs/{id}/register", post(register))
        .route("/fairs/{id}/cancel", post(cancel))
        .route("/fairs/{id}/pass", get(pass_page))
        .route("/fairs/{id}/apply", post(apply))
        .route("/fairs/{id}/booth", get(booth_page).post(book))
        .route("/fairs/{id}/booth/withdraw", post(withdraw_booth))
        .route("/fairs/{id}/booth/pass", get(booth_pass_page))
        .route("/fairs/{id}/booth/visitors", get(visitors_page).post(scan_visitor))
        .route("/fairs/{id}/booth/visitors/{graduate}/invite", post(invite_visitor))
        .route("/recruitment/my-fairs", get(my_fairs_page))
        .route("/recruitment/booths", get(my_booths_page))
        .merge(super::host_pages::routes())
        .merge(super::online_pages::routes())
}

#[derive(Deserialize, Default)]
struct CalendarQuery {
    kind: Option<String>,
    region: Option<String>,
    from: Option<String>,
    to: Option<String>,
    mode: Option<String>,
    key_groups: Option<String>,
    /// "1": ended fairs too; otherwise the calendar starts today.
    past: Option<String>,
    page: Option<String>,
}

impl CalendarQuery {
    fn filters(&self) -> Filters {
        let some = |v: &Option<String>| v.as_deref().map(str::trim).filter(|v| !v.is_empty()).map(str::to_owned);
        let region = some(&self.region).filter(|r| r.len() == 6 && r.chars().all(|c| c.is_ascii_digit()));
        Filters {
            kind: some(&self.kind),
            region,
            from: some(&self.from)
                .and_then(|d| kernel::validate::parse_date(&d))
                .or_else(|| (self.past.as_deref() != Some("1")).then(kernel::time::today_china)),
            to: some(&self.to).and_then(|d| kernel::validate::parse_date(&d)),
            mode: some(&self.mode).and_then(|m| Mode::parse(&m)),
            key_groups: self.key_groups.as_deref() == Some("1"),
        }
    }
}

#[derive(Template)]
#[template(path = "fairs.html")]
struct CalendarPage {
    l: Locale,
    q: CalendarQuery,
    fairs: Vec<Fair>,
    total: i64,
    pager: String,
    kinds: Vec<(String, String)>,
    regions: Vec<(String, String)>,
}

impl CalendarPage {
    fn chosen(&self, field: &str) -> &str {
        let v = match field {
            "kind" => &self.q.kind,
            "region" => &self.q.region,
            "from" => &self.q.from,
            "to" => &self.q.to,
            _ => &self.q.mode,
        };
        v.as_deref().unwrap_or("")
    }
    fn is(&self, field: &str, value: &str) -> bool {
        self.chosen(field) == value
    }
    fn modes(&self) -> Vec<(&'static str, &'static str)> {
        Mode::ALL.iter().map(|m| (m.key(), m.label(self.l))).collect()
    }
}

/// 招聘会日历: every fair past planning, for anyone, with filters.
async fn calendar_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<CalendarQuery>,
) -> Result<Response, AppError> {
    let mut paging = Paging::parse(q.page.as_deref());
    let fairs = super::calendar(&state.db, &q.filters(), &mut paging, ctx.locale).await?;
    let params: Vec<(&str, &str)> = [
        ("kind", &q.kind),
        ("region", &q.region),
        ("from", &q.from),
        ("to", &q.to),
        ("mode", &q.mode),
        ("key_groups", &q.key_groups),
        ("past", &q.past),
    ]
    .into_iter()
    .filter_map(|(k, v)| v.as_deref().filter(|v| !v.is_empty()).map(|v| (k, v)))
    .collect();
    let pager = paging.html(&ListUrl::new("/fairs", &params), ctx.locale);
    let kinds = super::host_pages::kinds(&state, ctx.locale).await?;
    let regions = crate::postings::Choices::load(&state.db, ctx.locale).await?.regions;
    let page = CalendarPage { l: ctx.locale, fairs, total: paging.total, pager, kinds, regions, q };
    ctx.page(ctx.t("招聘会日历", "Job fairs"), &page)
}

#[derive(Template)]
#[template(path = "fair.html")]
struct FairPage<'a> {
    ctx: &'a Ctx,
    l: Locale,
    f: Fair,
    /// The approved booths, with their jobs.
    booths: Vec<Booth>,
    is_host: bool,
    /// A graduate viewer: its registration, and whether it may register.
    graduate: bool,
    registration: Option<Registration>,
    may_register: bool,
    /// The postings this graduate already applied to.
    applied: Vec<i64>,
    /// An employer viewer: its booth application, if any.
    employer: bool,
    my_booth: Option<Booth>,
}

impl FairPage<'_> {
    fn has_applied(&self, posting_id: &i64) -> bool {
        self.applied.contains(posting_id)
    }
}

/// A fair the viewer may see: past planning, or one it hosts.
async fn visible(state: &AppState, ctx: &Ctx, id: i64) -> Result<Fair, AppError> {
    let fair = super::get(&state.db, id, ctx.locale).await?.ok_or(AppError::NotFound)?;
    let hosts = ctx.actor.as_ref().is_some_and(|a| fair.hosted_by(a));
    match fair.status.is_public() || hosts {
        true => Ok(fair),
        false => Err(AppError::NotFound),
    }
}

async fn fair_page(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, AppError> {
    let f = visible(&state, &ctx, id).await?;
    let booths =
        booths::of_fair(&state.db, id).await?.into_iter().filter(|b| b.status == BoothStatus::Approved).collect();
    let actor = ctx.actor.as_ref();
    let is_host = actor.is_some_and(|a| f.hosted_by(a));
    let graduate_id = actor.filter(|a| a.role == Role::Graduate).and_then(|a| a.graduate_id);
    let (registration, may_register, applied) = match graduate_id {
        Some(g) => {
            let registration = attendance::of_graduate_at(&state.db, id, g).await?;
            let person = attendance::person(&state.db, g).await?;
            let admitted = person.is_some_and(|p| f.audience.admits(&p.attendee()));
            let open = f.status.takes_registrations() && f.ends_at > Utc::now();
            let free = registration.as_ref().is_none_or(|r| r.status == Registered::Cancelled);
            (registration, open && admitted && free, attendance::applied_at(&state.db, id, g).await?)
        }
        None => (None, false, Vec::new()),
    };
    let employer_id = actor.filter(|a| a.role == Role::Employer).and_then(|a| a.employer_id);
    let my_booth = match employer_id {
        Some(e) => booths::of_employer_at(&state.db, id, e).await?,
        None => None,
    };
    let title = f.title.clone();
    let page = FairPage {
        ctx: &ctx,
        l: ctx.locale,
        f,
        booths,
        is_host,
        graduate: graduate_id.is_some(),
        registration,
        may_register,
        applied,
        employer: employer_id.is_some(),
        my_booth,
    };
    ctx.page(&title, &page)
}

/// The graduate asking, with its fair.
async fn graduate_at(state: &AppState, ctx: &Ctx, id: i64) -> Result<(Fair, Person), AppError> {
    let actor = ctx.require(&[Role::Graduate])?;
    let graduate_id = actor.graduate_id.ok_or(AppError::Forbidden)?;
    let fair = visible(state, ctx, id).await?;
    let person = attendance::person(&state.db, graduate_id).await?.ok_or(AppError::Forbidden)?;
    Ok((fair, person))
}

async fn register(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> Result<Response, AppError> {
    let (fair, person) = graduate_at(&state, &ctx, id).await?;
    let mut tx = state.db.begin().await?;
    let placed = attendance::register(&mut tx, &ctx.audit_actor(), &fair, &person, Utc::now()).await?;
    let message = match placed {
        Ok(Place::Confirmed) => ctx.t("报名成功，入场时出示入场码。", "Registered; show your pass at the door."),
        Ok(Place::Waiting) => ctx.t(
            "名额已满，你已进入候补名单；有名额空出时会通知你。",
            "The event is full; you are on the waiting list and will be told when a place frees up.",
        ),
        Err(refusal) => return Err(AppError::Conflict(refusal.message(ctx.locale).into())),
    };
    tx.commit().await?;
    Ok(redirect_with_flash(&format!("/fairs/{id}"), message))
}

async fn cancel(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> Result<Response, AppError> {
    let (fair, person) = graduate_at(&state, &ctx, id).await?;
    let registration = attendance::of_graduate_at(&state.db, id, person.id)
        .await?
        .filter(|r| matches!(r.status, Registered::Confirmed | Registered::Waiting) && r.checked_in_at.is_none())
        .ok_or_else(|| {
            AppError::Conflict(
                ctx.t("没有可取消的报名（已签到的不能取消）。", "Nothing to cancel (a check-in stays).").into(),
            )
        })?;
    let mut tx = state.db.begin().await?;
    attendance::cancel(&mut tx, &ctx.audit_actor(), &fair, &person, &registration).await?;
    tx.commit().await?;
    Ok(redirect_with_flash(&format!("/fairs/{id}"), ctx.t("已取消报名。", "Registration cancelled.")))
}

#[derive(Template)]
#[template(path = "fair_pass.html")]
struct PassPage {
    l: Locale,
    fair: Fair,
    /// Whose pass: the graduate's name, or the employer's and its booth number.
    holder: String,
    qr: String,
    token: String,
    expires: String,
}

fn pass_page_of(
    ctx: &Ctx,
    fair: Fair,
    holder: String,
    token: String,
    expires: chrono::DateTime<Utc>,
) -> Result<Response, AppError> {
    let qr = kernel::qr::svg(&token).unwrap_or_default();
    let expires = time::display(&time::format_utc(expires));
    let page = PassPage { l: ctx.locale, fair, holder, qr, token, expires };
    ctx.page(ctx.t("入场码", "Pass"), &page)
}

/// 入场码: a signed pass good for a few minutes; the page renews itself.
async fn pass_page(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, AppError> {
    let (fair, person) = graduate_at(&state, &ctx, id).await?;
    let registration = attendance::of_graduate_at(&state.db, id, person.id).await?;
    if registration.is_none_or(|r| r.status == Registered::Cancelled) {
        return Err(AppError::Conflict(
            ctx.t("报名后才有入场码。", "Register first; the pass comes with the registration.").into(),
        ));
    }
    let expires = Utc::now() + Duration::minutes(rules::PASS_MINUTES);
    let token = rules::pass(state.signing_key().await?, id, Holder::Graduate(person.id), expires);
    pass_page_of(&ctx, fair, format!("{} · {}", person.name, person.institution), token, expires)
}

#[derive(Deserialize)]
struct ApplyForm {
    #[serde(default)]
    posting_id: String,
}

/// 一键投递 at a fair: a job a booth brings, applied to from the fair's page.
async fn apply(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<ApplyForm>,
) -> Result<Response, AppError> {
    let (fair, person) = graduate_at(&state, &ctx, id).await?;
    let not_here = || {
        AppError::Conflict(ctx.t("该岗位不在本场活动的展位中。", "That job is not at a booth of this event.").into())
    };
    let posting_id: i64 = form.posting_id.trim().parse().map_err(|_| not_here())?;
    let booth = attendance::booth_bringing(&state.db, id, posting_id).await?.ok_or_else(not_here)?;
    let posting = crate::postings::get(&state.db, posting_id, ctx.locale).await?.ok_or(AppError::NotFound)?;
    let mut tx = state.db.begin().await?;
    let who = ctx.audit_actor();
    let applied = crate::applications::apply(&mut tx, &who, &posting, person.id, time::today_china()).await?;
    let application = applied.map_err(|r| AppError::Conflict(r.message(ctx.locale)))?;
    attendance::applied_at_fair(&mut tx, application, fair.id).await?;
    booths::visit(&mut tx, &who, booth, &person, if fair.mode == Mode::Online { "online" } else { "scan" }).await?;
    tx.commit().await?;
    Ok(redirect_with_flash(&format!("/fairs/{id}"), ctx.t("已投递。", "Applied.")))
}

#[derive(Template)]
#[template(path = "my_fairs.html")]
struct MyFairsPage {
    l: Locale,
    rows: Vec<(Fair, Option<Registration>)>,
}

/// 我的招聘会: the graduate's registrations, with their passes.
async fn my_fairs_page(State(state): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    let actor = ctx.require(&[Role::Graduate])?;
    let graduate_id = actor.graduate_id.ok_or(AppError::Forbidden)?;
    let mut rows = Vec::new();
    for fair_id in attendance::of_graduate(&state.db, graduate_id).await? {
        if let Some(f) = super::get(&state.db, fair_id, ctx.locale).await? {
            rows.push((f, attendance::of_graduate_at(&state.db, fair_id, graduate_id).await?));
        }
    }
    ctx.page(ctx.t("我的招聘会", "My fairs"), &MyFairsPage { l: ctx.locale, rows })
}

/// The employer asking (an approved one), with the fair.
async fn employer_at(state: &AppState, ctx: &Ctx, id: i64) -> Result<(Fair, i64), AppError> {
    let actor = ctx.require(&[Role::Employer])?;
    let employer_id = actor.employer_id.ok_or(AppError::Forbidden)?;
    if let Some(status) = registry::employers::held_back(&state.db, actor, ctx.locale).await? {
        return Err(AppError::Conflict(format!(
            "{}{status}{}",
            ctx.t("单位审核状态：", "Review status: "),
            ctx.t("。单位通过审核后才能预订展位。", ". Your organisation can book booths once it is approved.")
        )));
    }
    Ok((visible(state, ctx, id).await?, employer_id))
}

#[derive(Template)]
#[template(path = "fair_booth_form.html")]
struct BoothPage<'a> {
    ctx: &'a Ctx,
    l: Locale,
    fair: Fair,
    booth: Option<Booth>,
    postings: Vec<(i64, String)>,
    error: Option<String>,
}

async fn booth_form(
    state: &AppState,
    ctx: &Ctx,
    fair: Fair,
    employer_id: i64,
    error: Option<String>,
) -> Result<Response, AppError> {
    let booth = booths::of_employer_at(&state.db, fair.id, employer_id).await?;
    let postings = booths::bringable(&state.db, employer_id, time::today_china()).await?;
    let page = BoothPage { ctx, l: ctx.locale, fair, booth, postings, error };
    ctx.page(ctx.t("预订展位", "Book a booth"), &page)
}

/// 展位预订: the employer's booth at a fair, or the form to apply with its jobs.
async fn booth_page(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, AppError> {
    let (fair, employer_id) = employer_at(&state, &ctx, id).await?;
    booth_form(&state, &ctx, fair, employer_id, None).await
}

async fn book(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let (fair, employer_id) = employer_at(&state, &ctx, id).await?;
    let mut postings = Vec::new();
    for (key, value) in &pairs {
        if key == "posting_ids" {
            match value.trim().parse::<i64>() {
                Ok(p) => postings.push(p),
                Err(_) => return Err(AppError::BadRequest(ctx.t("岗位编号无效。", "Invalid posting.").into())),
            }
        }
    }
    let mut tx = state.db.begin().await?;
    let applied =
        booths::apply(&mut tx, &ctx.audit_actor(), &fair, employer_id, &postings, time::today_china()).await?;
    let message = match applied {
        Ok((_, Place::Confirmed)) => {
            ctx.t("展位申请已提交，等待主办方审核。", "Booth application sent; the host will review it.")
        }
        Ok((_, Place::Waiting)) => ctx.t(
            "展位已满，已进入候补名单；有展位空出时会通知你。",
            "All booths are taken; you are on the waiting list and will be told when one frees up.",
        ),
        Err(refusal) => {
            drop(tx);
            return booth_form(&state, &ctx, fair, employer_id, Some(refusal.message(ctx.locale))).await;
        }
    };
    tx.commit().await?;
    Ok(redirect_with_flash(&format!("/fairs/{id}/booth"), message))
}

async fn withdraw_booth(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> Result<Response, AppError> {
    let (fair, employer_id) = employer_at(&state, &ctx, id).await?;
    let booth =
        booths::of_employer_at(&state.db, id, employer_id).await?.filter(|b| b.status.is_live()).ok_or_else(|| {
            AppError::Conflict(ctx.t("没有可撤回的展位申请。", "No booth application to withdraw.").into())
        })?;
    let mut tx = state.db.begin().await?;
    booths::withdraw(&mut tx, &ctx.audit_actor(), &fair, &booth).await?;
    tx.commit().await?;
    Ok(redirect_with_flash(&format!("/fairs/{id}/booth"), ctx.t("已撤回展位申请。", "Booth application withdrawn.")))
}

/// The employer's approved booth at the fair.
async fn approved_booth(state: &AppState, ctx: &Ctx, id: i64) -> Result<(Fair, Booth), AppError> {
    let (fair, employer_id) = employer_at(state, ctx, id).await?;
    let booth = booths::of_employer_at(&state.db, id, employer_id)
        .await?
        .filter(|b| b.status == BoothStatus::Approved)
        .ok_or_else(|| {
            AppError::Conflict(ctx.t("贵单位在本场没有已通过的展位。", "You have no approved booth here.").into())
        })?;
    Ok((fair, booth))
}

/// 展位入场码: the employer shows it at the door to check its booth in.
async fn booth_pass_page(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, AppError> {
    let (fair, booth) = approved_booth(&state, &ctx, id).await?;
    let expires = Utc::now() + Duration::minutes(rules::PASS_MINUTES);
    let token = rules::pass(state.signing_key().await?, id, Holder::Booth(booth.id), expires);
    let holder = format!("{} · {}{}", booth.employer, ctx.t("展位 ", "booth "), booth.booth_no.unwrap_or_default());
    pass_page_of(&ctx, fair, holder, token, expires)
}

#[derive(Template)]
#[template(path = "fair_visitors.html")]
struct VisitorsPage<'a> {
    ctx: &'a Ctx,
    l: Locale,
    fair: Fair,
    booth: Booth,
    visitors: Vec<Visitor>,
    result: Option<(bool, String)>,
}

async fn visitors_of(
    state: &AppState,
    ctx: &Ctx,
    fair: Fair,
    booth: Booth,
    result: Option<(bool, String)>,
) -> Result<Response, AppError> {
    let visitors = booths::visitors(&state.db, booth.id).await?;
    let page = VisitorsPage { ctx, l: ctx.locale, fair, booth, visitors, result };
    ctx.page(ctx.t("展位访客", "Booth visitors"), &page)
}

/// 展位访客: who came to the booth; the employer scans a graduate's pass to add one.
async fn visitors_page(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, AppError> {
    let (fair, booth) = approved_booth(&state, &ctx, id).await?;
    visitors_of(&state, &ctx, fair, booth, None).await
}

/// What a door or a booth scanned or was typed.
#[derive(Deserialize)]
pub(super) struct CodeForm {
    #[serde(default)]
    pub code: String,
}

async fn scan_visitor(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<CodeForm>,
) -> Result<Response, AppError> {
    let (fair, booth) = approved_booth(&state, &ctx, id).await?;
    if !fair.status.checks_in() {
        let message = ctx.t("该活动当前不在进行中。", "This event is not running now.").to_owned();
        return visitors_of(&state, &ctx, fair, booth, Some((false, message))).await;
    }
    let key = state.signing_key().await?;
    // Only a pass: a booth learns a visitor from the visitor's own phone, never by typing numbers.
    let person = match rules::door_code(&form.code) {
        Some(rules::DoorCode::Pass(_)) => {
            attendance::graduate_of(&state.db, key, &fair, &form.code, Utc::now()).await?
        }
        _ => Err(attendance::DoorRefusal::Unreadable),
    };
    let mut tx = state.db.begin().await?;
    let result = match person {
        Ok(p) => {
            let new = booths::visit(&mut tx, &ctx.audit_actor(), booth.id, &p, "scan").await?;
            let note = match new {
                true => ctx.t("已记录到访：", "Visit recorded: "),
                false => ctx.t("已记录过：", "Already recorded: "),
            };
            (true, format!("{note}{} · {}", p.name, p.institution))
        }
        Err(refusal) => (false, refusal.message(ctx.locale)),
    };
    tx.commit().await?;
    visitors_of(&state, &ctx, fair, booth, Some(result)).await
}

#[derive(Template)]
#[template(path = "my_booths.html")]
struct MyBoothsPage {
    l: Locale,
    booths: Vec<Booth>,
}

/// 我的展位: the employer's booth applications at every fair, with their numbers.
async fn my_booths_page(State(state): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    let actor = ctx.require(&[Role::Employer])?;
    let employer_id = actor.employer_id.ok_or(AppError::Forbidden)?;
    let booths = booths::of_employer(&state.db, employer_id).await?;
    ctx.page(ctx.t("我的展位", "My booths"), &MyBoothsPage { l: ctx.locale, booths })
}

/// 邀请投递: the employer asks a visitor of its booth to apply to the booth's
/// jobs (an application stays the graduate's own act); told in 我的消息.
async fn invite_visitor(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, graduate_id)): Path<(i64, i64)>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> Result<Response, AppError> {
    let (fair, booth) = approved_booth(&state, &ctx, id).await?;
    let visited = booths::visitors(&state.db, booth.id).await?.iter().any(|v| v.graduate_id == graduate_id);
    if !visited {
        return Err(AppError::NotFound);
    }
    let jobs = booth.postings.iter().map(|(_, title, _)| title.as_str()).collect::<Vec<_>>().join("、");
    let message = format!("{}在「{}」邀请你投递：{jobs}", booth.employer, fair.title);
    let mut tx = state.db.begin().await?;
    let told = registry::notices::tell_recipient(
        &mut tx,
        &ctx.audit_actor(),
        registry::notices::Recipient::Graduate(graduate_id),
        "fair",
        &message,
        Some(&format!("/fairs/{id}")),
    )
    .await?;
    tx.commit().await?;
    let done = match told {
        0 => ctx.t("该毕业生还没有账号，无法发送邀请。", "This graduate has no account yet; nothing was sent."),
        _ => ctx.t("已邀请投递。", "Invitation sent."),
    };
    Ok(redirect_with_flash(&format!("/fairs/{id}/booth/visitors"), done))
}
