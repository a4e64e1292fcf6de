//! The plan's pages: the board (/plan) with every measure's targets, live
//! figures and states, the province's loading of the plan file and its
//! adjustment of a measure (/plan/measures/{id}); a university's 四到位 return
//! (/plan/return) and the province's list and review (/plan/returns); the
//! 一把手 inspection view (/plan/inspection).

use std::collections::HashMap;

use askama::Template;
use axum::extract::{DefaultBodyLimit, Multipart, Path, Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use chrono::NaiveDate;
use serde::Deserialize;

use kernel::auth::{Actor, Role};
use kernel::calendar::Calendar;
use kernel::web::figure::{FigureScope, Reading};
use kernel::web::{redirect_with_flash, AppError, CsrfForm, Ctx, Upload};
use kernel::{time, Locale};
use outcomes::OutcomesState;

use super::figures;
use super::rules::{self, Goal, ReturnForm, ReturnStatus, State as Standing};
use super::store::{self, Contingency, Held, Measure, Return};

pub fn routes() -> Router<OutcomesState> {
    Router::new()
        .route("/plan", get(board))
        .route("/plan/load", post(load))
        .route("/plan/measures/{id}", get(measure_page).post(adjust))
        .route("/plan/return", get(return_page).post(sign))
        .route("/plan/returns", get(returns_page))
        .route("/plan/returns/{id}/review", post(review))
        .route("/plan/inspection", get(inspection))
        .route(
            "/plan/contingency",
            get(contingency_page).post(keep_contingency).layer(DefaultBodyLimit::max(DOCUMENT_LIMIT + 64 * 1024)),
        )
        .route("/plan/contingency/{id}/file", get(contingency_file))
}

/// A contingency plan's PDF at most this large.
const DOCUMENT_LIMIT: usize = 10 * 1024 * 1024;

const OFFICES: &[Role] = &[Role::ProvinceAdmin, Role::UniversityStaff];

#[derive(Debug, Default, Deserialize)]
struct CohortQuery {
    #[serde(default)]
    cohort: String,
    #[serde(default)]
    institution: String,
}

async fn cohort(state: &OutcomesState, asked: &str) -> Result<i64, AppError> {
    registry::cohorts::year_or_latest(&state.shell, asked).await
}

// ---------------------------------------------------------------- the board

/// A target's line on the board.
pub struct TargetLine {
    pub label: String,
    pub goal: String,
    pub figure: String,
    pub reading: String,
    pub source: String,
    pub state: Standing,
}

pub struct MeasureLine {
    pub m: Measure,
    pub title: String,
    pub targets: Vec<TargetLine>,
    pub state: Standing,
}

#[derive(Template)]
#[template(path = "plan/board.html")]
struct BoardPage<'a> {
    ctx: &'a Ctx,
    l: Locale,
    province: bool,
    cohort: i64,
    today: String,
    loadable: bool,
    measures: Vec<MeasureLine>,
    /// (state key, label, how many measures).
    counts: Vec<(&'static str, &'static str, usize)>,
}

/// The board's lines for the cohort as of today, every figure read concurrently.
pub async fn lines(state: &OutcomesState, cohort: i64, l: Locale) -> Result<Vec<MeasureLine>, AppError> {
    let province = &state.shell.config.home_province;
    let measures = store::measures(&state.shell.db, province, cohort).await?;
    let keys: Vec<String> = measures.iter().flat_map(|m| m.targets.iter().map(|t| t.figure_key.clone())).collect();
    // The province-wide figures are the same for every reader: read at most
    // every few seconds (the shell's cache), whoever opens the board.
    let cache_key = format!("plan board {cohort} {}", keys.join(","));
    let scope = FigureScope { cohort, institution: None };
    let readings = state.shell.cache.get_or(&cache_key, || figures::read_all(state, &keys, scope)).await?;
    let calendar = kernel::calendar::load(&state.shell.db).await?;
    let today = time::today_china();
    Ok(measures.into_iter().map(|m| line(state, &calendar, today, m, &readings, l)).collect())
}

/// A measure's line: each target with its live figure and state, and the measure's state.
fn line(
    state: &OutcomesState,
    calendar: &Calendar,
    today: NaiveDate,
    m: Measure,
    readings: &HashMap<String, Option<Reading>>,
    l: Locale,
) -> MeasureLine {
    let targets: Vec<TargetLine> = m
        .targets
        .iter()
        .map(|t| {
            let reading = readings.get(&t.figure_key).copied().flatten();
            let (figure, source) = figures::describe(state, &t.figure_key, l).unwrap_or(("", ""));
            TargetLine {
                label: l.pick(&t.label, &t.label_en).to_owned(),
                goal: t.goal.label(),
                figure: figure.to_owned(),
                reading: figures::show(reading, l),
                source: source.to_owned(),
                state: rules::state(calendar, today, m.starts_on, m.ends_on, t.goal, reading),
            }
        })
        .collect();
    let goals: Vec<_> = m.targets.iter().map(|t| (t.goal, readings.get(&t.figure_key).copied().flatten())).collect();
    let state = rules::measure_state(calendar, today, m.starts_on, m.ends_on, &goals);
    MeasureLine { title: l.pick(&m.title, &m.title_en).to_owned(), m, targets, state }
}

/// One measure's line as of today, its figures read province-wide for its cohort.
async fn live(state: &OutcomesState, m: &Measure, l: Locale) -> Result<MeasureLine, AppError> {
    let keys: Vec<String> = m.targets.iter().map(|t| t.figure_key.clone()).collect();
    let readings = figures::read_all(state, &keys, FigureScope { cohort: m.cohort, institution: None }).await?;
    let calendar = kernel::calendar::load(&state.shell.db).await?;
    Ok(line(state, &calendar, time::today_china(), m.clone(), &readings, l))
}

async fn board(
    State(state): State<OutcomesState>,
    ctx: Ctx,
    Query(q): Query<CohortQuery>,
) -> Result<Response, AppError> {
    let actor = ctx.require(OFFICES)?;
    let l = ctx.locale;
    let cohort = cohort(&state, &q.cohort).await?;
    let measures = lines(&state, cohort, l).await?;
    let all = [Standing::Behind, Standing::Near, Standing::OnTrack, Standing::Done, Standing::NoFigure];
    let counts = all.iter().map(|s| (s.key(), s.label(l), measures.iter().filter(|m| m.state == *s).count())).collect();
    let province = actor.role == Role::ProvinceAdmin;
    let page = BoardPage {
        ctx: &ctx,
        l,
        province,
        cohort,
        today: time::today_china().to_string(),
        loadable: province
            && measures.is_empty()
            && store::plan_file(&state.shell.config.home_province, cohort).is_some(),
        measures,
        counts,
    };
    ctx.page(ctx.t("工作台账", "Plan board"), &page)
}

async fn load(
    State(state): State<OutcomesState>,
    ctx: Ctx,
    CsrfForm(q): CsrfForm<CohortQuery>,
) -> Result<Response, AppError> {
    ctx.require(&[Role::ProvinceAdmin])?;
    let cohort = cohort(&state, &q.cohort).await?;
    let n = store::load(&state.shell.db, &ctx.audit_actor(), &state.shell.config.home_province, cohort).await?;
    let said = match ctx.locale {
        Locale::Zh => format!("已载入 {n} 项措施。"),
        _ => format!("{n} measures loaded."),
    };
    Ok(redirect_with_flash(&format!("/plan?cohort={cohort}"), &said))
}

// ---------------------------------------------------------------- adjusting a measure

#[derive(Template)]
#[template(path = "plan/measure.html")]
struct MeasurePage<'a> {
    ctx: &'a Ctx,
    l: Locale,
    m: Measure,
    /// The measure's targets with their live figures and states, as on the board.
    live: MeasureLine,
    /// (target id, label, low, high) as the form shows them.
    targets: Vec<(i64, String, String, String, bool)>,
    owner: String,
    starts_on: String,
    ends_on: String,
    errors: Vec<String>,
}

fn bounds(g: Goal) -> (String, String, bool) {
    match g {
        Goal::Count { low, high } => (low.to_string(), high.map(|h| h.to_string()).unwrap_or_default(), false),
        Goal::Share { percent } => (percent.to_string(), String::new(), true),
        Goal::Watch => (String::new(), String::new(), false),
    }
}

async fn measure_page(State(state): State<OutcomesState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, AppError> {
    ctx.require(&[Role::ProvinceAdmin])?;
    let m = store::measure(&state.shell.db, id).await?.ok_or(AppError::NotFound)?;
    let l = ctx.locale;
    let targets = m
        .targets
        .iter()
        .map(|t| {
            let (low, high, share) = bounds(t.goal);
            (t.id, l.pick(&t.label, &t.label_en).to_owned(), low, high, share)
        })
        .collect();
    let live = live(&state, &m, l).await?;
    let page = MeasurePage {
        ctx: &ctx,
        l,
        live,
        owner: m.owner.clone(),
        starts_on: m.starts_on.to_string(),
        ends_on: m.ends_on.to_string(),
        targets,
        m,
        errors: Vec::new(),
    };
    ctx.page(ctx.t("调整措施", "Adjust a measure"), &page)
}

async fn adjust(
    State(state): State<OutcomesState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    ctx.require(&[Role::ProvinceAdmin])?;
    let l = ctx.locale;
    let m = store::measure(&state.shell.db, id).await?.ok_or(AppError::NotFound)?;
    let field = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.trim().to_owned()).unwrap_or_default();
    let mut errors = Vec::new();
    let owner: String = field("owner").chars().take(100).collect();
    if owner.is_empty() {
        errors.push(l.pick("请填写牵头单位。", "Name the owner.").to_owned());
    }
    let date = |k: &str| kernel::validate::parse_date(&field(k));
    let (starts_on, ends_on) = (date("starts_on"), date("ends_on"));
    match (starts_on, ends_on) {
        (Some(s), Some(e)) if e >= s => {}
        _ => errors.push(
            l.pick("请填写有效的起止日期（截止不早于开始）。", "Give valid dates, the end not before the start.")
                .into(),
        ),
    }
    let mut goals = Vec::new();
    for t in &m.targets {
        let unit = if matches!(t.goal, Goal::Share { .. }) { "percent" } else { "count" };
        match Goal::parse(unit, &field(&format!("low_{}", t.id)), &field(&format!("high_{}", t.id))) {
            Ok(g) => goals.push((t.id, g)),
            Err(_) => errors.push(match l {
                Locale::Zh => format!("目标“{}”的数值无效。", t.label),
                _ => format!("The target \"{}\" is not a valid number or range.", t.label_en),
            }),
        }
    }
    let (Some(starts_on), Some(ends_on), true) = (starts_on, ends_on, errors.is_empty()) else {
        let targets = m
            .targets
            .iter()
            .map(|t| {
                let share = matches!(t.goal, Goal::Share { .. });
                (
                    t.id,
                    l.pick(&t.label, &t.label_en).to_owned(),
                    field(&format!("low_{}", t.id)),
                    field(&format!("high_{}", t.id)),
                    share,
                )
            })
            .collect();
        let live = live(&state, &m, l).await?;
        let page = MeasurePage {
            ctx: &ctx,
            l,
            live,
            owner,
            starts_on: field("starts_on"),
            ends_on: field("ends_on"),
            targets,
            m,
            errors,
        };
        return ctx.page(ctx.t("调整措施", "Adjust a measure"), &page);
    };
    let mut tx = state.shell.db.begin().await?;
    store::adjust(&mut tx, &ctx.audit_actor(), &m, &owner, starts_on, ends_on, &goals).await?;
    tx.commit().await?;
    Ok(redirect_with_flash("/plan", ctx.t("措施已调整。", "Measure adjusted.")))
}

// ---------------------------------------------------------------- a university's return

/// The institution whose return a member of staff keeps: the whole
/// institution's staff only (a college's staff read it, not sign it).
fn own_institution(actor: &Actor) -> Option<i64> {
    match (actor.role, actor.college_id) {
        (Role::UniversityStaff, None) => actor.institution_id,
        _ => None,
    }
}

#[derive(Template)]
#[template(path = "plan/return.html")]
struct ReturnPage<'a> {
    ctx: &'a Ctx,
    l: Locale,
    cohort: i64,
    held: Held,
    kept: Option<Return>,
    may_sign: bool,
    form: ReturnForm,
    errors: Vec<String>,
}

/// What the platform holds for the institution's return.
async fn held_now(state: &OutcomesState, institution: i64, cohort: i64) -> Result<Held, AppError> {
    let fairs =
        figures::read(state, "recruitment.fairs.campus", FigureScope { cohort, institution: Some(institution) })
            .await?
            .map(|r| r.count)
            .unwrap_or(0);
    Ok(store::held(&state.shell.db, institution, cohort, fairs).await?)
}

fn form_of(r: &Return) -> ReturnForm {
    ReturnForm {
        staff_fulltime: r.staff_fulltime.to_string(),
        funds_wan: r.funds_wan.to_string(),
        venue_sqm: r.venue_sqm.to_string(),
        organisation: r.organisation.clone(),
        leader_name: r.leader_name.clone(),
        leader_title: r.leader_title.clone(),
    }
}

async fn return_page(
    State(state): State<OutcomesState>,
    ctx: Ctx,
    Query(q): Query<CohortQuery>,
) -> Result<Response, AppError> {
    let actor = ctx.require(&[Role::UniversityStaff])?;
    let institution = own_institution(actor).ok_or(AppError::Forbidden)?;
    let cohort = cohort(&state, &q.cohort).await?;
    let kept = store::return_of_institution(&state.shell.db, institution, cohort).await?;
    let may_sign = kept.as_ref().is_none_or(|r| r.status.may_sign());
    // A signed return shows the figures it was signed with; an open one today's.
    let held = match &kept {
        Some(r) if !may_sign => r.held,
        _ => held_now(&state, institution, cohort).await?,
    };
    let form = kept.as_ref().map(form_of).unwrap_or_default();
    let page = ReturnPage { ctx: &ctx, l: ctx.locale, cohort, held, kept, may_sign, form, errors: Vec::new() };
    ctx.page(ctx.t("四到位填报", "Work-conditions return"), &page)
}

#[derive(Debug, Default, Deserialize)]
struct SignForm {
    #[serde(default)]
    cohort: String,
    #[serde(default)]
    staff_fulltime: String,
    #[serde(default)]
    funds_wan: String,
    #[serde(default)]
    venue_sqm: String,
    #[serde(default)]
    organisation: String,
    #[serde(default)]
    leader_name: String,
    #[serde(default)]
    leader_title: String,
    /// The figures from the records confirmed.
    #[serde(default)]
    confirm: String,
}

async fn sign(
    State(state): State<OutcomesState>,
    ctx: Ctx,
    CsrfForm(f): CsrfForm<SignForm>,
) -> Result<Response, AppError> {
    let actor = ctx.require(&[Role::UniversityStaff])?;
    let institution = own_institution(actor).ok_or(AppError::Forbidden)?;
    let l = ctx.locale;
    let cohort = cohort(&state, &f.cohort).await?;
    let form = ReturnForm {
        staff_fulltime: f.staff_fulltime,
        funds_wan: f.funds_wan,
        venue_sqm: f.venue_sqm,
        organisation: f.organisation,
        leader_name: f.leader_name,
        leader_title: f.leader_title,
    };
    let held = held_now(&state, institution, cohort).await?;
    let checked = rules::check_return(&form, l);
    let checked = match (checked, f.confirm == "1") {
        (Ok(c), true) => c,
        (result, confirmed) => {
            let mut errors = result.err().unwrap_or_default();
            if !confirmed {
                errors.push(l.pick("请确认平台已有的数据。", "Confirm the figures the platform holds.").into());
            }
            let kept = store::return_of_institution(&state.shell.db, institution, cohort).await?;
            let page = ReturnPage { ctx: &ctx, l, cohort, held, kept, may_sign: true, form, errors };
            return ctx.page(ctx.t("四到位填报", "Work-conditions return"), &page);
        }
    };
    let mut tx = state.shell.db.begin().await?;
    let signed =
        store::sign(&mut tx, &ctx.audit_actor(), institution, cohort, held, &checked, time::today_china()).await?;
    if !signed {
        return Err(AppError::Conflict(
            l.pick(
                "该表已签发，待省厅审核后方可修改。",
                "The return is signed; it changes only once the province returns it.",
            )
            .into(),
        ));
    }
    tx.commit().await?;
    Ok(redirect_with_flash(
        "/plan/return",
        ctx.t("四到位情况已签发，待省厅审核。", "Return signed; the province will review it."),
    ))
}

// ---------------------------------------------------------------- the province's list and review

#[derive(Template)]
#[template(path = "plan/returns.html")]
struct ReturnsPage<'a> {
    ctx: &'a Ctx,
    l: Locale,
    cohort: i64,
    rows: Vec<(i64, String, Option<Return>)>,
    signed: usize,
    accepted: usize,
}

async fn returns_page(
    State(state): State<OutcomesState>,
    ctx: Ctx,
    Query(q): Query<CohortQuery>,
) -> Result<Response, AppError> {
    ctx.require(&[Role::ProvinceAdmin])?;
    let cohort = cohort(&state, &q.cohort).await?;
    let rows = store::returns(&state.shell.db, cohort).await?;
    let status = |s: ReturnStatus| rows.iter().filter(|(_, _, r)| r.as_ref().is_some_and(|r| r.status == s)).count();
    let (signed, accepted) = (status(ReturnStatus::Signed), status(ReturnStatus::Accepted));
    let page = ReturnsPage { ctx: &ctx, l: ctx.locale, cohort, rows, signed, accepted };
    ctx.page(ctx.t("四到位情况", "Work-conditions returns"), &page)
}

#[derive(Debug, Default, Deserialize)]
struct ReviewForm {
    #[serde(default)]
    decision: String,
    #[serde(default)]
    reason: String,
}

async fn review(
    State(state): State<OutcomesState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<ReviewForm>,
) -> Result<Response, AppError> {
    ctx.require(&[Role::ProvinceAdmin])?;
    let l = ctx.locale;
    let r = store::get_return(&state.shell.db, id).await?.ok_or(AppError::NotFound)?;
    let accept = match f.decision.as_str() {
        "accept" => true,
        "return" => false,
        _ => return Err(AppError::BadRequest(l.pick("请选择通过或退回。", "Accept or return.").into())),
    };
    let reason: String = f.reason.trim().chars().take(500).collect();
    if !accept && reason.is_empty() {
        return Err(AppError::BadRequest(l.pick("退回时请写明原因。", "Give the reason for returning it.").into()));
    }
    if !r.status.may_review() {
        return Err(AppError::Conflict(l.pick("只能审核已签发的表。", "Only a signed return is reviewed.").into()));
    }
    let mut tx = state.shell.db.begin().await?;
    if !store::review(&mut tx, &ctx.audit_actor(), &r, accept, &reason).await? {
        return Err(AppError::Conflict(l.pick("该表已被审核。", "The return was reviewed already.").into()));
    }
    let message = match accept {
        true => "四到位情况已审核通过。 / Your work-conditions return was accepted.".to_owned(),
        false => format!("四到位情况被退回：{reason} / Your work-conditions return was returned: {reason}"),
    };
    registry::notices::send(&mut tx, &ctx.audit_actor(), r.institution_id, "plan_return", &message).await?;
    tx.commit().await?;
    Ok(redirect_with_flash("/plan/returns", ctx.t("已审核。", "Reviewed.")))
}

// ---------------------------------------------------------------- the inspection view

#[derive(Template)]
#[template(path = "plan/inspection.html")]
struct InspectionPage {
    l: Locale,
    cohort: i64,
    province: bool,
    institutions: Vec<(i64, String)>,
    chosen: Option<(i64, String)>,
    /// (label, reading, source page with the institution).
    figures: Vec<(String, String, String)>,
    kept: Option<Return>,
    /// Whether the university has uploaded its epidemic contingency plan.
    contingency: bool,
}

/// The figures of the 一把手 view, in order.
const INSPECTED: &[&str] = &[
    figures::PLACEMENT,
    figures::SIGNING,
    "verification.findings",
    "reports.submitted",
    "archives.transferred",
    "portal.work_news",
    "recruitment.fairs.campus",
];

async fn inspection(
    State(state): State<OutcomesState>,
    ctx: Ctx,
    Query(q): Query<CohortQuery>,
) -> Result<Response, AppError> {
    let actor = ctx.require(OFFICES)?;
    let l = ctx.locale;
    let cohort = cohort(&state, &q.cohort).await?;
    let province = actor.role == Role::ProvinceAdmin;
    let institutions = store::institutions(&state.shell.db).await?;
    let asked = match province {
        true => q.institution.trim().parse::<i64>().ok(),
        false => actor.institution_id,
    };
    if !province && actor.institution_id.is_none() {
        return Err(AppError::Forbidden);
    }
    let chosen = asked.and_then(|id| institutions.iter().find(|(i, _)| *i == id).cloned());
    let (mut shown, mut kept, mut contingency) = (Vec::new(), None, false);
    if let Some((id, _)) = &chosen {
        let keys: Vec<String> = INSPECTED.iter().map(|k| k.to_string()).collect();
        let readings = figures::read_all(&state, &keys, FigureScope { cohort, institution: Some(*id) }).await?;
        for key in INSPECTED {
            let (label, source) = figures::describe(&state, key, l).unwrap_or((key, ""));
            let source = match source {
                "" => String::new(),
                s => format!("{s}?institution={id}"),
            };
            shown.push((label.to_owned(), figures::show(readings.get(*key).copied().flatten(), l), source));
        }
        kept = store::return_of_institution(&state.shell.db, *id, cohort).await?;
        contingency = !store::contingencies(&state.shell.db, cohort, Some(*id)).await?.is_empty();
    }
    let page = InspectionPage { l, cohort, province, institutions, chosen, figures: shown, kept, contingency };
    ctx.page(ctx.t("一把手督查", "Inspection view"), &page)
}

// ---------------------------------------------------------------- contingency plans

#[derive(Template)]
#[template(path = "plan/contingency.html")]
struct ContingencyPage<'a> {
    ctx: &'a Ctx,
    l: Locale,
    cohort: i64,
    /// The university's own form, for its staff.
    own: bool,
    /// Every university with its plan, if any (the province), or the university's own.
    rows: Vec<(i64, String, Option<Contingency>)>,
    summary: String,
    errors: Vec<String>,
}

async fn render_contingency(
    state: &OutcomesState,
    ctx: &Ctx,
    cohort: i64,
    summary: String,
    errors: Vec<String>,
) -> Result<Response, AppError> {
    let actor = ctx.require(OFFICES)?;
    let province = actor.role == Role::ProvinceAdmin;
    let scope = if province { None } else { Some(actor.institution_id.ok_or(AppError::Forbidden)?) };
    let mut plans = store::contingencies(&state.shell.db, cohort, scope).await?;
    let rows = store::institutions(&state.shell.db)
        .await?
        .into_iter()
        .filter(|(id, _)| scope.is_none_or(|s| s == *id))
        .map(|(id, name)| {
            let plan = plans.iter().position(|c| c.institution_id == id).map(|at| plans.swap_remove(at));
            (id, name, plan)
        })
        .collect();
    let own = own_institution(actor).is_some();
    let page = ContingencyPage { ctx, l: ctx.locale, cohort, own, rows, summary, errors };
    ctx.page(ctx.t("疫情防控应急预案", "Epidemic contingency plans"), &page)
}

async fn contingency_page(
    State(state): State<OutcomesState>,
    ctx: Ctx,
    Query(q): Query<CohortQuery>,
) -> Result<Response, AppError> {
    let cohort = cohort(&state, &q.cohort).await?;
    render_contingency(&state, &ctx, cohort, String::new(), Vec::new()).await
}

async fn keep_contingency(
    State(state): State<OutcomesState>,
    ctx: Ctx,
    multipart: Multipart,
) -> Result<Response, AppError> {
    let actor = ctx.require(&[Role::UniversityStaff])?;
    let institution = own_institution(actor).ok_or(AppError::Forbidden)?;
    let l = ctx.locale;
    let Some(upload) = Upload::read(multipart).await else {
        let cohort = cohort(&state, "").await?;
        let e =
            l.pick("提交失败：文件超过 10 MB 或传输中断。", "Not sent: the file is over 10 MB or the transfer broke.");
        return render_contingency(&state, &ctx, cohort, String::new(), vec![e.to_owned()]).await;
    };
    if !upload.csrf_matches(&ctx.csrf) {
        return Err(AppError::Csrf);
    }
    let cohort = cohort(&state, upload.field("cohort")).await?;
    let summary: String = upload.field("summary").trim().chars().take(2000).collect();
    let mut errors = Vec::new();
    if summary.is_empty() {
        errors.push(l.pick("请填写预案摘要。", "Summarise the plan.").to_owned());
    }
    let accepted = kernel::files::accept_document(
        &state.shell.config.files(),
        &upload.file_name,
        &upload.bytes,
        DOCUMENT_LIMIT,
        l.pick("应急预案", "contingency plan"),
        l,
    )
    .map_err(|e| AppError::Internal(e.into()))?;
    let file = match accepted {
        Ok(a) if a.stored.kind == kernel::files::Kind::Pdf => Some(a),
        Ok(_) => {
            errors.push(l.pick("预案须为 PDF 文件。", "The plan must be a PDF.").to_owned());
            None
        }
        Err(e) => {
            errors.push(e);
            None
        }
    };
    let Some(file) = file.filter(|_| errors.is_empty()) else {
        return render_contingency(&state, &ctx, cohort, summary, errors).await;
    };
    let mut tx = state.shell.db.begin().await?;
    store::keep_contingency(
        &mut tx,
        &ctx.audit_actor(),
        institution,
        cohort,
        &summary,
        &file.stored.sha256,
        &file.shown_name,
    )
    .await?;
    tx.commit().await?;
    Ok(redirect_with_flash("/plan/contingency", ctx.t("应急预案已上传。", "Contingency plan uploaded.")))
}

async fn contingency_file(
    State(state): State<OutcomesState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let actor = ctx.require(OFFICES)?;
    let c = store::contingency(&state.shell.db, id).await?.ok_or(AppError::NotFound)?;
    if actor.role != Role::ProvinceAdmin && actor.institution_id != Some(c.institution_id) {
        return Err(AppError::NotFound);
    }
    kernel::web::export::stored_document(
        &state.shell.config.files(),
        &c.file_hash,
        ctx.t("应急预案", "contingency-plan"),
        c.id,
        "application/pdf",
    )
}
