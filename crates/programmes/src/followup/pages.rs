//! Follow-up and registry pages: funded items (/programmes/followups) and
//! one item's records (/programmes/followups/{id}), the revocation settings,
//! and the registries (/programmes/registries: the "1+N" incubation base
//! alliance and mentor studios; training bases live in assistance). The
//! province sees and writes all; a university's staff see their own items and
//! record mid-term checks, completion and tracking; grading is the
//! province's. Thin: rules in `rules`, SQL in `store`.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;

use kernel::auth::{Actor, Role};
use kernel::web::{redirect_with_flash, AppError, AppState, CsrfForm, Ctx};
use kernel::Locale;

use super::rules::{self, FollowupForm};
use super::store::{self, Added, Base, Followup, Funded, Studio};

const OFFICES: &[Role] = &[Role::ProvinceAdmin, Role::UniversityStaff];
const PROVINCE: &[Role] = &[Role::ProvinceAdmin];

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/programmes/followups", get(list_page))
        .route("/programmes/followups/settings", post(settings))
        .route("/programmes/followups/{id}", get(item_page).post(add))
        .route("/programmes/registries", get(registries_page))
        .route("/programmes/registries/bases", post(add_base))
        .route("/programmes/registries/bases/{id}/projects", post(add_project))
        .route("/programmes/registries/studios", post(add_studio))
}

fn own(actor: &Actor) -> Option<i64> {
    (actor.role != Role::ProvinceAdmin).then_some(actor.institution_id.unwrap_or_default())
}

#[derive(Template)]
#[template(path = "notices/followups.html")]
struct ListPage<'a> {
    ctx: &'a Ctx,
    l: Locale,
    province: bool,
    items: Vec<Funded>,
    calls: Vec<(i64, String, i64, i64)>,
    error: String,
}

impl ListPage<'_> {
    fn state(&self, a: &Funded) -> &'static str {
        if a.outcome == "revoked" {
            self.l.pick("已撤项", "Revoked")
        } else if a.finished_on.is_some() {
            self.l.pick("已结题", "Completed")
        } else {
            self.l.pick("在研", "Under way")
        }
    }
}

async fn render_list(state: &AppState, ctx: &Ctx, error: String) -> Result<Response, AppError> {
    let actor = ctx.require(OFFICES)?;
    let province = actor.role == Role::ProvinceAdmin;
    let items = store::funded(&state.db, own(actor)).await?;
    let mut calls = Vec::new();
    if province {
        let mut seen = Vec::new();
        for a in &items {
            if !seen.contains(&a.call_id) {
                seen.push(a.call_id);
                let (after, years) = store::settings(&state.db, a.call_id).await?;
                calls.push((a.call_id, a.call_title.clone(), after, years));
            }
        }
    }
    let page = ListPage { ctx, l: ctx.locale, province, items, calls, error };
    ctx.page(ctx.t("立项跟踪管理", "Funded items"), &page)
}

async fn list_page(State(state): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    render_list(&state, &ctx, String::new()).await
}

#[derive(Deserialize)]
struct SettingsFields {
    #[serde(default)]
    call: i64,
    #[serde(default)]
    revoke_after: String,
    #[serde(default)]
    ban_years: String,
}

async fn settings(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(f): CsrfForm<SettingsFields>,
) -> Result<Response, AppError> {
    ctx.require(PROVINCE)?;
    crate::calls::store::call(&state.db, f.call).await?.ok_or(AppError::NotFound)?;
    let (after, years) = match rules::check_settings(&f.revoke_after, &f.ban_years, ctx.locale) {
        Ok(x) => x,
        Err(e) => return render_list(&state, &ctx, e).await,
    };
    let mut tx = state.db.begin().await?;
    store::set_settings(&mut tx, &ctx.audit_actor(), f.call, after, years).await?;
    tx.commit().await?;
    Ok(redirect_with_flash("/programmes/followups", ctx.t("撤项规则已保存。", "Revocation settings saved.")))
}

#[derive(Template)]
#[template(path = "notices/followup.html")]
struct ItemPage<'a> {
    ctx: &'a Ctx,
    l: Locale,
    province: bool,
    a: Funded,
    records: Vec<Followup>,
    form: FollowupForm,
    errors: Vec<String>,
}

impl ItemPage<'_> {
    fn kind_name(&self, k: &str) -> &'static str {
        rules::kind_name(k, self.l)
    }
    fn verdict_name(&self, v: &str) -> &'static str {
        rules::verdict_name(v, self.l)
    }
    fn leader(&self) -> String {
        format!("{} {}", self.a.leader_name, kernel::mask::id_number(&self.a.leader_id_number))
    }
    fn kinds(&self) -> Vec<&'static str> {
        rules::KINDS.iter().copied().filter(|k| self.province || *k != rules::GRADING).collect()
    }
}

async fn visible(state: &AppState, ctx: &Ctx, id: i64) -> Result<(Actor, Funded), AppError> {
    let actor = ctx.require(OFFICES)?.clone();
    let a = store::funded_one(&state.db, id).await?.ok_or(AppError::NotFound)?;
    if own(&actor).is_some_and(|i| i != a.institution_id) {
        return Err(AppError::NotFound);
    }
    Ok((actor, a))
}

async fn render_item(
    state: &AppState,
    ctx: &Ctx,
    actor: &Actor,
    a: Funded,
    form: FollowupForm,
    errors: Vec<String>,
) -> Result<Response, AppError> {
    let page = ItemPage {
        ctx,
        l: ctx.locale,
        province: actor.role == Role::ProvinceAdmin,
        records: store::followups(&state.db, a.id).await?,
        a,
        form,
        errors,
    };
    let title = page.a.title.clone();
    ctx.page(&title, &page)
}

async fn item_page(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, AppError> {
    let (actor, a) = visible(&state, &ctx, id).await?;
    let form = FollowupForm { on_date: kernel::time::today_china().to_string(), ..FollowupForm::default() };
    render_item(&state, &ctx, &actor, a, form, Vec::new()).await
}

#[derive(Deserialize)]
struct RecordFields {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    on_date: String,
    #[serde(default)]
    year: String,
    #[serde(default)]
    verdict: String,
    #[serde(default)]
    remarks: String,
    #[serde(default)]
    base: String,
    #[serde(default)]
    funding: String,
    #[serde(default)]
    jobs: String,
}

async fn add(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<RecordFields>,
) -> Result<Response, AppError> {
    let (actor, a) = visible(&state, &ctx, id).await?;
    let l = ctx.locale;
    let form = FollowupForm {
        kind: f.kind,
        on_date: f.on_date,
        year: f.year,
        verdict: f.verdict,
        remarks: f.remarks,
        base: f.base,
        funding: f.funding,
        jobs: f.jobs,
    };
    if form.kind == rules::GRADING && actor.role != Role::ProvinceAdmin {
        return Err(AppError::Forbidden);
    }
    if a.outcome == "revoked" {
        let e = l.pick("该项目已撤项，不再记录。", "This item is revoked; nothing more is recorded.").to_owned();
        return render_item(&state, &ctx, &actor, a, form, vec![e]).await;
    }
    let record = match rules::check_followup(&form, l) {
        Ok(r) => r,
        Err(errors) => return render_item(&state, &ctx, &actor, a, form, errors).await,
    };
    let mut tx = state.db.begin().await?;
    let added = store::add(&mut tx, &ctx.audit_actor(), &a, &record).await?;
    tx.commit().await?;
    let message = match added {
        Added::YearGraded => {
            let e = l.pick("该年度已考核。", "That year is graded already.").to_owned();
            let a = store::funded_one(&state.db, id).await?.ok_or(AppError::NotFound)?;
            return render_item(&state, &ctx, &actor, a, form, vec![e]).await;
        }
        Added::Recorded { revoked: true } => ctx.t(
            "已记录。不合格年数已达规定，项目撤销立项，负责人列入申报禁入名单。",
            "Recorded. The failing years reached the limit: the item is revoked and its leader banned.",
        ),
        Added::Recorded { revoked: false } => ctx.t("已记录。", "Recorded."),
    };
    Ok(redirect_with_flash(&format!("/programmes/followups/{id}"), message))
}

// ---------------------------------------------------------------- registries

#[derive(Template)]
#[template(path = "notices/registries.html")]
struct RegistriesPage<'a> {
    ctx: &'a Ctx,
    l: Locale,
    province: bool,
    bases: Vec<Base>,
    studios: Vec<Studio>,
    institutions: Vec<crate::calls::store::Institution>,
    errors: Vec<String>,
}

impl RegistriesPage<'_> {
    fn funding(&self, yuan: &i64) -> String {
        format!("{:.1}", *yuan as f64 / 10_000.0)
    }
}

async fn render_registries(state: &AppState, ctx: &Ctx, errors: Vec<String>) -> Result<Response, AppError> {
    let actor = ctx.require(OFFICES)?;
    let province = actor.role == Role::ProvinceAdmin;
    let page = RegistriesPage {
        ctx,
        l: ctx.locale,
        province,
        bases: store::bases(&state.db).await?,
        studios: store::studios(&state.db, own(actor)).await?,
        institutions: if province { crate::calls::store::institutions(&state.db).await? } else { Vec::new() },
        errors,
    };
    ctx.page(ctx.t("孵化基地联盟与名师工作室", "Incubation alliance and mentor studios"), &page)
}

async fn registries_page(State(state): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    render_registries(&state, &ctx, Vec::new()).await
}

/// An optional approved application typed as its number; Err with the message when not approved.
async fn from_application(state: &AppState, s: &str, l: Locale) -> Result<Result<Option<i64>, String>, AppError> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(Ok(None));
    }
    let refusal =
        l.pick("来源申报书须为评审通过的申报书编号。", "The source must be an approved application's number.");
    let Ok(id) = s.parse::<i64>() else { return Ok(Err(refusal.to_owned())) };
    Ok(match store::approved(&state.db, id).await? {
        Some(_) => Ok(Some(id)),
        None => Err(refusal.to_owned()),
    })
}

/// An institution typed as its id, if it exists.
async fn institution_of(state: &AppState, s: &str) -> Result<Option<i64>, AppError> {
    let Ok(id) = s.trim().parse::<i64>() else { return Ok(None) };
    Ok(crate::calls::store::institutions(&state.db).await?.iter().any(|i| i.id == id).then_some(id))
}

fn name_of(s: &str, l: Locale) -> Result<String, String> {
    let s = s.trim();
    if s.is_empty() || s.chars().count() > 100 {
        Err(l.pick("请填写名称（不超过 100 字）。", "Enter the name (at most 100 characters).").to_owned())
    } else {
        Ok(s.to_owned())
    }
}

fn date_of(s: &str, l: Locale) -> Result<chrono::NaiveDate, String> {
    kernel::validate::parse_date(s.trim()).ok_or_else(|| l.pick("请填写日期。", "Enter the date.").to_owned())
}

#[derive(Deserialize)]
struct BaseFields {
    #[serde(default)]
    name: String,
    #[serde(default)]
    institution: String,
    #[serde(default)]
    lead: String,
    #[serde(default)]
    application: String,
    #[serde(default)]
    designated_on: String,
}

async fn add_base(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(f): CsrfForm<BaseFields>,
) -> Result<Response, AppError> {
    ctx.require(PROVINCE)?;
    let l = ctx.locale;
    let lead = f.lead == "1";
    let mut errors = Vec::new();
    let name = name_of(&f.name, l).map_err(|e| errors.push(e)).ok();
    let on = date_of(&f.designated_on, l).map_err(|e| errors.push(e)).ok();
    let application = from_application(&state, &f.application, l).await?.map_err(|e| errors.push(e)).ok().flatten();
    if let Some(e) = rules::lead_refusal(lead, store::has_lead(&state.db).await?, l) {
        errors.push(e.to_owned());
    }
    let (Some(name), Some(on), true) = (name, on, errors.is_empty()) else {
        return render_registries(&state, &ctx, errors).await;
    };
    let base = store::NewBase {
        name,
        institution_id: institution_of(&state, &f.institution).await?,
        lead,
        application_id: application,
        designated_on: on,
    };
    let mut tx = state.db.begin().await?;
    store::add_base(&mut tx, &ctx.audit_actor(), &base).await?;
    tx.commit().await?;
    Ok(redirect_with_flash("/programmes/registries", ctx.t("基地已加入联盟。", "Base added to the alliance.")))
}

#[derive(Deserialize)]
struct ProjectFields {
    #[serde(default)]
    name: String,
    #[serde(default)]
    application: String,
    #[serde(default)]
    since_on: String,
}

async fn add_project(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<ProjectFields>,
) -> Result<Response, AppError> {
    ctx.require(PROVINCE)?;
    if !store::base_exists(&state.db, id).await? {
        return Err(AppError::NotFound);
    }
    let l = ctx.locale;
    let mut errors = Vec::new();
    let name = name_of(&f.name, l).map_err(|e| errors.push(e)).ok();
    let on = date_of(&f.since_on, l).map_err(|e| errors.push(e)).ok();
    let application = from_application(&state, &f.application, l).await?.map_err(|e| errors.push(e)).ok().flatten();
    let (Some(name), Some(on), true) = (name, on, errors.is_empty()) else {
        return render_registries(&state, &ctx, errors).await;
    };
    let mut tx = state.db.begin().await?;
    store::add_project(&mut tx, &ctx.audit_actor(), id, &name, application, on).await?;
    tx.commit().await?;
    Ok(redirect_with_flash("/programmes/registries", ctx.t("入驻项目已登记。", "Project registered.")))
}

#[derive(Deserialize)]
struct StudioFields {
    #[serde(default)]
    name: String,
    #[serde(default)]
    leader_name: String,
    #[serde(default)]
    institution: String,
    #[serde(default)]
    application: String,
    #[serde(default)]
    funding: String,
    #[serde(default)]
    established_on: String,
}

async fn add_studio(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(f): CsrfForm<StudioFields>,
) -> Result<Response, AppError> {
    ctx.require(PROVINCE)?;
    let l = ctx.locale;
    let mut errors = Vec::new();
    let name = name_of(&f.name, l).map_err(|e| errors.push(e)).ok();
    let leader = name_of(&f.leader_name, l).map_err(|e| errors.push(e)).ok();
    let on = date_of(&f.established_on, l).map_err(|e| errors.push(e)).ok();
    let institution = institution_of(&state, &f.institution).await?;
    if institution.is_none() {
        errors.push(l.pick("请选择所在高校。", "Choose the institution.").to_owned());
    }
    let funding = f.funding.trim().parse::<i64>().ok().filter(|n| *n >= 0);
    if funding.is_none() {
        errors.push(
            l.pick("资助金额应为不小于 0 的整数（元）。", "Funding is a whole number of yuan, 0 or more.").to_owned(),
        );
    }
    let application = from_application(&state, &f.application, l).await?.map_err(|e| errors.push(e)).ok().flatten();
    let (Some(name), Some(leader_name), Some(on), Some(institution_id), Some(funding_yuan), true) =
        (name, leader, on, institution, funding, errors.is_empty())
    else {
        return render_registries(&state, &ctx, errors).await;
    };
    let studio = store::NewStudio {
        name,
        leader_name,
        institution_id,
        application_id: application,
        funding_yuan,
        established_on: on,
    };
    let mut tx = state.db.begin().await?;
    store::add_studio(&mut tx, &ctx.audit_actor(), &studio).await?;
    tx.commit().await?;
    Ok(redirect_with_flash("/programmes/registries", ctx.t("名师工作室已登记。", "Studio registered.")))
}
