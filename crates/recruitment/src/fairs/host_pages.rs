//! The hosts' pages: their fairs and the plan's targets, the fair form, its
//! status, the booth review, the door (签到) and the figures.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use chrono::Utc;
use serde::Deserialize;

use kernel::auth::{Actor, Role};
use kernel::codes::{self, BASE_VERSION};
use kernel::web::table::{ListUrl, Paging};
use kernel::web::{redirect_with_flash, AppError, AppState, CsrfForm, Ctx, FieldErrors};
use kernel::Locale;

use super::attendance::{self, Admitted, DoorRefusal};
use super::booths::{self, Booth, BoothStatus};
use super::pages::CodeForm;
use super::rules::{self, FairForm, Mode, Status};
use super::statistics::{self, Figures, Series, Target};
use super::Fair;

pub fn routes() -> Router<crate::RecruitmentState> {
    Router::new()
        .route("/recruitment/fairs", get(hosted_page).post(create))
        .route("/recruitment/fairs/new", get(new_page))
        .route("/recruitment/fairs/targets", post(set_target))
        .route("/recruitment/fairs/{id}/edit", get(edit_page).post(edit))
        .route("/recruitment/fairs/{id}/status", post(set_status))
        .route("/recruitment/fairs/{id}/booths", get(booths_page))
        .route("/recruitment/fairs/{id}/booths/{booth}", post(review_booth))
        .route("/recruitment/fairs/{id}/door", get(door_page).post(check_in))
        .route("/recruitment/fairs/{id}/statistics", get(statistics_page))
}

/// The kinds of fair, (code, label), from the code table.
pub async fn kinds(state: &AppState, l: Locale) -> Result<Vec<(String, String)>, AppError> {
    Ok(codes::list(&state.db, "fair_kind", BASE_VERSION)
        .await?
        .into_iter()
        .map(|c| (c.code.clone(), c.label(l).to_owned()))
        .collect())
}

/// The province, or a university's employment office (not a college's).
fn host(ctx: &Ctx) -> Result<&Actor, AppError> {
    let actor = ctx.require(&[Role::ProvinceAdmin, Role::UniversityStaff])?;
    match (actor.role, actor.college_id) {
        (Role::UniversityStaff, Some(_)) => Err(AppError::Forbidden),
        _ => Ok(actor),
    }
}

/// A fair the asking host hosts; others get 404, as if it did not exist.
pub(crate) async fn hosted(state: &AppState, ctx: &Ctx, id: i64) -> Result<Fair, AppError> {
    let actor = host(ctx)?;
    let fair = super::get(&state.db, id, ctx.locale).await?.ok_or(AppError::NotFound)?;
    match fair.hosted_by(actor) {
        true => Ok(fair),
        false => Err(AppError::NotFound),
    }
}

#[derive(Template)]
#[template(path = "fairs_hosted.html")]
struct HostedPage<'a> {
    ctx: &'a Ctx,
    l: Locale,
    fairs: Vec<Fair>,
    total: i64,
    pager: String,
    cohort: i64,
    targets: Vec<Target>,
    series: Vec<Series>,
    province: bool,
    kinds: Vec<(String, String)>,
}

#[derive(Deserialize)]
struct PageQuery {
    page: Option<String>,
}

/// 活动管理: the fairs this host hosts, and the plan's targets as progress.
async fn hosted_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<PageQuery>,
) -> Result<Response, AppError> {
    let actor = host(&ctx)?;
    let mut paging = Paging::parse(q.page.as_deref());
    let fairs = super::hosted(&state.db, actor, &mut paging, ctx.locale).await?;
    let pager = paging.html(&ListUrl::new("/recruitment/fairs", &[]), ctx.locale);
    let cohort = registry::cohorts::latest_year(&state).await?;
    let targets = statistics::targets(&state.db, cohort, ctx.locale).await?;
    let series = statistics::series(&state.db, cohort).await?;
    let province = actor.role == Role::ProvinceAdmin;
    let kinds = kinds(&state, ctx.locale).await?;
    let page = HostedPage {
        ctx: &ctx,
        l: ctx.locale,
        fairs,
        total: paging.total,
        pager,
        cohort,
        targets,
        series,
        province,
        kinds,
    };
    ctx.page(ctx.t("招聘活动管理", "Fairs and events"), &page)
}

#[derive(Template)]
#[template(path = "fair_form.html")]
struct FormPage<'a> {
    ctx: &'a Ctx,
    l: Locale,
    id: Option<i64>,
    form: FairForm,
    errors: FieldErrors,
    kinds: Vec<(String, String)>,
    regions: Vec<(String, String)>,
    levels: Vec<(String, String)>,
    institutions: Vec<(String, String)>,
    /// University staff host their own fairs: their university is always a host.
    own_institution: Option<i64>,
}

impl FormPage<'_> {
    fn action(&self) -> String {
        match self.id {
            Some(id) => format!("/recruitment/fairs/{id}/edit"),
            None => "/recruitment/fairs".to_owned(),
        }
    }
    fn modes(&self) -> Vec<(&'static str, &'static str)> {
        Mode::ALL.iter().map(|m| (m.key(), m.label(self.l))).collect()
    }
    fn audiences(&self) -> Vec<(&'static str, &'static str)> {
        let l = self.l;
        vec![
            ("all", l.pick("全体毕业生", "All graduates")),
            ("level", l.pick("某一学历层次", "One education level")),
            ("key_groups", l.pick("仅重点群体", "Key groups only")),
            ("institutions", l.pick("指定高校", "Given universities")),
        ]
    }
    fn is_host(&self, id: &str) -> bool {
        self.form.hosts.iter().any(|h| h == id)
    }
    fn in_audience(&self, id: &str) -> bool {
        self.form.audience_institutions.iter().any(|h| h == id)
    }
    /// (field, label zh, label en, value, inputmode) of the one-line fields.
    fn inputs(&self) -> Vec<(&'static str, &'static str, &'static str, &str, &'static str)> {
        let f = &self.form;
        vec![
            ("starts_at", "开始时间（如 2022-03-12 09:00）", "Starts (e.g. 2022-03-12 09:00)", &f.starts_at, "text"),
            ("ends_at", "结束时间", "Ends", &f.ends_at, "text"),
            ("venue", "场地（线下活动必填）", "Venue (on-site events)", &f.venue, "text"),
            ("online_url", "线上会场链接（可选）", "Online room link (optional)", &f.online_url, "url"),
            ("booths", "展位数", "Booths", &f.booths, "numeric"),
            ("capacity", "可容纳毕业生人数", "Graduates it can take", &f.capacity, "numeric"),
            ("organisers", "主办单位", "Organisers", &f.organisers, "text"),
            ("co_organisers", "协办单位（可选）", "Co-organisers (optional)", &f.co_organisers, "text"),
            (
                "series",
                "所属系列活动（巡回招聘的名称，可选）",
                "Series (a touring series' name, optional)",
                &f.series,
                "text",
            ),
        ]
    }
}

async fn form_page(
    state: &AppState,
    ctx: &Ctx,
    id: Option<i64>,
    form: FairForm,
    errors: FieldErrors,
) -> Result<Response, AppError> {
    let actor = host(ctx)?;
    let choices = crate::postings::Choices::load(&state.db, ctx.locale).await?;
    let page = FormPage {
        ctx,
        l: ctx.locale,
        id,
        form,
        errors,
        kinds: kinds(state, ctx.locale).await?,
        regions: choices.regions,
        levels: choices.education_levels,
        institutions: choices.institutions,
        own_institution: actor.institution_id.filter(|_| actor.role == Role::UniversityStaff),
    };
    let title = match id {
        Some(_) => ctx.t("修改活动", "Edit the event"),
        None => ctx.t("新建招聘活动", "New event"),
    };
    ctx.page(title, &page)
}

async fn new_page(State(state): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    let actor = host(&ctx)?;
    let form = FairForm {
        mode: Mode::Offline.key().into(),
        audience: "all".into(),
        booths: "50".into(),
        capacity: "1000".into(),
        organisers: actor.display_name.clone(),
        ..FairForm::default()
    };
    form_page(&state, &ctx, None, form, FieldErrors::default()).await
}

/// The form as checked, with a university's own staff always among the hosts.
async fn checked(
    state: &AppState,
    ctx: &Ctx,
    pairs: &[(String, String)],
) -> Result<(FairForm, Result<rules::Checked, FieldErrors>), AppError> {
    let actor = host(ctx)?;
    let mut form = FairForm::from_pairs(pairs);
    if let (Role::UniversityStaff, Some(own)) = (actor.role, actor.institution_id) {
        if !form.hosts.contains(&own.to_string()) {
            form.hosts.insert(0, own.to_string());
        }
    }
    let allowed = super::allowed(&state.db).await?;
    let checked = rules::check(&form, &allowed, ctx.locale);
    Ok((form, checked))
}

async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let actor = host(&ctx)?;
    let (form, checked) = checked(&state, &ctx, &pairs).await?;
    let c = match checked {
        Ok(c) => c,
        Err(errors) => return form_page(&state, &ctx, None, form, errors).await,
    };
    let cohort = registry::cohorts::latest_year(&state).await?;
    let mut tx = state.db.begin().await?;
    let id = super::create(&mut tx, &ctx.audit_actor(), cohort, actor.account_id, &c).await?;
    tx.commit().await?;
    let message = ctx.t(
        "活动已创建（筹备中）。开放展位预订或报名时请修改状态。",
        "Event created (planned). Change its status to open booking or registration.",
    );
    Ok(redirect_with_flash(&format!("/fairs/{id}"), message))
}

async fn edit_page(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, AppError> {
    let fair = hosted(&state, &ctx, id).await?;
    form_page(&state, &ctx, Some(id), fair.form(), FieldErrors::default()).await
}

async fn edit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let fair = hosted(&state, &ctx, id).await?;
    if fair.status.is_final() {
        return Err(AppError::Conflict(
            ctx.t("已结束或已取消的活动不能再修改。", "A finished or cancelled event cannot be edited.").into(),
        ));
    }
    let (form, checked) = checked(&state, &ctx, &pairs).await?;
    let taken = super::taken(&state.db, id).await?;
    let c = match checked.and_then(|c| within(c, taken, ctx.locale)) {
        Ok(c) => c,
        Err(errors) => return form_page(&state, &ctx, Some(id), form, errors).await,
    };
    let mut tx = state.db.begin().await?;
    super::update(&mut tx, &ctx.audit_actor(), &fair, &c).await?;
    tx.commit().await?;
    Ok(redirect_with_flash(&format!("/fairs/{id}"), ctx.t("已保存。", "Saved.")))
}

/// An edit keeps room for the booths already approved and the graduates already registered.
fn within(c: rules::Checked, taken: (i64, i64), l: Locale) -> Result<rules::Checked, FieldErrors> {
    let (booths, places) = taken;
    let mut errors = FieldErrors::default();
    if c.booths < booths {
        errors.add(
            "booths",
            format!(
                "{}{booths}{}",
                l.pick("已有 ", "Already "),
                l.pick(" 个展位通过审核，展位数不能更少。", " booths approved; there cannot be fewer.")
            ),
        );
    }
    if c.capacity < places {
        errors.add(
            "capacity",
            format!(
                "{}{places}{}",
                l.pick("已有 ", "Already "),
                l.pick(" 人报名，可容纳人数不能更少。", " registered; capacity cannot be lower.")
            ),
        );
    }
    match errors.is_empty() {
        true => Ok(c),
        false => Err(errors),
    }
}

#[derive(Deserialize)]
struct StatusForm {
    #[serde(default)]
    status: String,
}

async fn set_status(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<StatusForm>,
) -> Result<Response, AppError> {
    let fair = hosted(&state, &ctx, id).await?;
    let to = Status::parse(&form.status)
        .ok_or_else(|| AppError::BadRequest(ctx.t("请选择状态。", "Choose a status.").into()))?;
    if !fair.status.may_become(to) {
        return Err(AppError::Conflict(
            ctx.t("已结束或已取消的活动不能再改状态。", "A finished or cancelled event keeps its status.").into(),
        ));
    }
    let mut tx = state.db.begin().await?;
    let told = super::set_status(&mut tx, &ctx.audit_actor(), &fair, to, ctx.locale).await?;
    tx.commit().await?;
    let message = format!(
        "{}{}{}{told}",
        ctx.t("状态已改为：", "Status changed to: "),
        to.label(ctx.locale),
        ctx.t("。已通知报名和预订的账号：", ". Registered and booked accounts told: "),
    );
    Ok(redirect_with_flash(&format!("/fairs/{id}"), &message))
}

#[derive(Template)]
#[template(path = "fair_booths.html")]
struct BoothsPage<'a> {
    ctx: &'a Ctx,
    l: Locale,
    fair: Fair,
    booths: Vec<Booth>,
    approved: i64,
    error: Option<String>,
}

async fn booths_of(state: &AppState, ctx: &Ctx, fair: Fair, error: Option<String>) -> Result<Response, AppError> {
    let booths = booths::of_fair(&state.db, fair.id).await?;
    let approved = booths.iter().filter(|b| b.status == BoothStatus::Approved).count() as i64;
    let page = BoothsPage { ctx, l: ctx.locale, fair, booths, approved, error };
    ctx.page(ctx.t("展位审核", "Booth review"), &page)
}

/// 展位审核: the booth applications, approved ones by number, then the queue.
async fn booths_page(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, AppError> {
    let fair = hosted(&state, &ctx, id).await?;
    booths_of(&state, &ctx, fair, None).await
}

#[derive(Deserialize)]
struct BoothDecision {
    #[serde(default)]
    decision: String,
    #[serde(default)]
    booth_no: String,
    #[serde(default)]
    reason: String,
}

async fn review_booth(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, booth_id)): Path<(i64, i64)>,
    CsrfForm(form): CsrfForm<BoothDecision>,
) -> Result<Response, AppError> {
    let fair = hosted(&state, &ctx, id).await?;
    let actor = host(&ctx)?;
    let booth = booths::get(&state.db, booth_id).await?.filter(|b| b.fair_id == id).ok_or(AppError::NotFound)?;
    let who = ctx.audit_actor();
    let mut tx = state.db.begin().await?;
    let outcome = match (form.decision.as_str(), booth.status) {
        ("approve", BoothStatus::Pending | BoothStatus::Waiting) => {
            booths::approve(&mut tx, &who, actor.account_id, &fair, &booth, Some(&form.booth_no))
                .await?
                .map(|no| format!("{}{no}", ctx.t("已通过，展位号：", "Approved, booth ")))
        }
        ("reject", BoothStatus::Pending | BoothStatus::Waiting | BoothStatus::Approved) => {
            let reason = form.reason.trim();
            if reason.is_empty() || reason.chars().count() > 500 {
                drop(tx);
                let message = ctx.t(
                    "请写明不通过的原因（不超过 500 字），单位会看到它。",
                    "Give the reason (at most 500 characters); the employer sees it.",
                );
                return booths_of(&state, &ctx, fair, Some(message.into())).await;
            }
            booths::reject(&mut tx, &who, actor.account_id, &fair, &booth, reason).await?;
            Ok(ctx.t("已退回，单位会看到原因。", "Rejected; the employer sees the reason.").to_owned())
        }
        _ => {
            return Err(AppError::Conflict(
                ctx.t("展位申请状态已变化，请刷新后再审核。", "The application has changed; reload and review again.")
                    .into(),
            ))
        }
    };
    match outcome {
        Ok(message) => {
            tx.commit().await?;
            Ok(redirect_with_flash(&format!("/recruitment/fairs/{id}/booths"), &message))
        }
        Err(refusal) => {
            drop(tx);
            booths_of(&state, &ctx, fair, Some(refusal.message(ctx.locale))).await
        }
    }
}

#[derive(Template)]
#[template(path = "fair_door.html")]
struct DoorPage<'a> {
    ctx: &'a Ctx,
    l: Locale,
    fair: Fair,
    /// The last scan: admitted (and whether for the first time) or refused, with what to say.
    result: Option<(bool, String)>,
    attended: i64,
}

async fn door_of(
    state: &AppState,
    ctx: &Ctx,
    fair: Fair,
    result: Option<(bool, String)>,
) -> Result<Response, AppError> {
    let attended = attendance::attended(&state.db, fair.id).await?;
    let page = DoorPage { ctx, l: ctx.locale, fair, result, attended };
    ctx.page(ctx.t("现场签到", "Check-in"), &page)
}

/// 现场签到: the host scans passes with the phone's camera, or types numbers.
async fn door_page(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, AppError> {
    let fair = hosted(&state, &ctx, id).await?;
    door_of(&state, &ctx, fair, None).await
}

async fn check_in(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<CodeForm>,
) -> Result<Response, AppError> {
    let fair = hosted(&state, &ctx, id).await?;
    let result = match door(&state, &ctx, &fair, &form.code).await? {
        Ok(a) => (true, admitted_message(&a, ctx.locale)),
        Err(refusal) => (false, refusal.message(ctx.locale)),
    };
    door_of(&state, &ctx, fair, Some(result)).await
}

/// Checks in what a host at a fair's door scanned or typed, in one transaction:
/// the door page's and the API's one way.
pub(crate) async fn door(
    state: &AppState,
    ctx: &Ctx,
    fair: &Fair,
    code: &str,
) -> Result<Result<Admitted, DoorRefusal>, AppError> {
    let actor = host(ctx)?;
    let key = state.signing_key().await?;
    let entrant = match attendance::entrant(&state.db, key, fair, code, Utc::now()).await? {
        Ok(e) => e,
        Err(refusal) => return Ok(Err(refusal)),
    };
    let mut tx = state.db.begin().await?;
    let admitted = attendance::check_in(&mut tx, &ctx.audit_actor(), fair, entrant, actor.account_id).await?;
    tx.commit().await?;
    Ok(admitted)
}

pub(crate) fn admitted_message(a: &Admitted, l: Locale) -> String {
    match a {
        Admitted::Graduate { name, institution, first: true, .. } => {
            format!("{}{name} · {institution}", l.pick("签到成功：", "Checked in: "))
        }
        Admitted::Graduate { name, institution, first: false, at } => format!(
            "{}{name} · {institution}{}{at}{}",
            l.pick("已签到过：", "Already checked in: "),
            l.pick("（首次 ", " (first at "),
            l.pick("，不重复计数）", "; not counted again)")
        ),
        Admitted::Booth { employer, booth_no, first, at } => format!(
            "{}{employer} · {}{booth_no}{}",
            match first {
                true => l.pick("单位签到成功：", "Employer checked in: "),
                false => l.pick("单位已签到过：", "Employer already checked in: "),
            },
            l.pick("展位 ", "booth "),
            match first {
                true => String::new(),
                false => format!("{}{at}{}", l.pick("（首次 ", " (first at "), l.pick("）", ")")),
            }
        ),
    }
}

#[derive(Template)]
#[template(path = "fair_statistics.html")]
struct StatisticsPage<'a> {
    l: Locale,
    fair: &'a Fair,
    figures: Figures,
    chart: String,
}

#[derive(Deserialize)]
struct StatisticsQuery {
    format: Option<String>,
}

/// 活动统计: live while the fair runs; as a file, and printable on one A4 page.
async fn statistics_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<StatisticsQuery>,
) -> Result<Response, AppError> {
    let fair = hosted(&state, &ctx, id).await?;
    let l = ctx.locale;
    let figures = statistics::figures(&state.db, id, l).await?;
    if let Some(format) = q.format.as_deref() {
        let rows = figures.rows(&fair.title, l);
        let stem = format!("{}-{id}", l.pick("活动统计", "fair-figures"));
        return kernel::web::export::download(&rows, format, &stem, l.pick("活动统计", "Fair figures"), None);
    }
    let items: Vec<(String, u64)> =
        figures.by_institution.iter().take(12).map(|(name, _, came)| (name.clone(), (*came).max(0) as u64)).collect();
    let chart = kernel::chart::count_bars(l.pick("按高校的签到人数", "Attended by university"), &items);
    ctx.page(ctx.t("活动统计", "Event figures"), &StatisticsPage { l, fair: &fair, figures, chart })
}

#[derive(Deserialize)]
struct TargetForm {
    #[serde(default)]
    kind_code: String,
    #[serde(default)]
    planned_min: String,
    #[serde(default)]
    planned_max: String,
}

/// The province sets the cohort's plan: how many fairs of a kind (both bounds 0 removes it).
async fn set_target(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(form): CsrfForm<TargetForm>,
) -> Result<Response, AppError> {
    ctx.require(&[Role::ProvinceAdmin])?;
    let kind_known = kinds(&state, ctx.locale).await?.iter().any(|(code, _)| *code == form.kind_code);
    let number = |s: &str| s.trim().parse::<i64>().ok().filter(|n| (0..=10_000).contains(n));
    let (Some(min), Some(max), true) = (number(&form.planned_min), number(&form.planned_max), kind_known) else {
        return Err(AppError::BadRequest(
            ctx.t(
                "请选择活动类型，并填写 0 到 10000 的计划场次。",
                "Choose a kind and give planned counts from 0 to 10000.",
            )
            .into(),
        ));
    };
    if min > max {
        return Err(AppError::BadRequest(
            ctx.t("计划场次的下限不能大于上限。", "The lower bound cannot exceed the upper one.").into(),
        ));
    }
    let cohort = registry::cohorts::latest_year(&state).await?;
    let mut tx = state.db.begin().await?;
    statistics::set_target(&mut tx, &ctx.audit_actor(), cohort, &form.kind_code, (min, max)).await?;
    tx.commit().await?;
    Ok(redirect_with_flash("/recruitment/fairs", ctx.t("计划已保存。", "Target saved.")))
}
