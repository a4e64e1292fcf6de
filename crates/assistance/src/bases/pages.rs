//! The training bases: the province's table of every base with its figures
//! (/assistance/bases), a base's page with its trainings, trainees and
//! supervision visits (/assistance/bases/{id}). The province adds bases and
//! records visits; a base's host staff see their base and run its trainings.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;

use kernel::auth::{Actor, Role};
use kernel::web::{redirect_with_flash, AppError, AppState, CsrfForm, Ctx};
use kernel::{time, Locale};

use super::rules::{self, BaseForm, Figures, Outcome, VisitForm};
use super::store::{self, Base, Trainee, Visit};
use crate::trainings::pages::Names;
use crate::trainings::store::Training;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/assistance/bases", get(list_page).post(create))
        .route("/assistance/bases/{id}", get(base_page))
        .route("/assistance/bases/{id}/edit", post(edit))
        .route("/assistance/bases/{id}/visits", post(add_visit))
        .route("/assistance/bases/{id}/visits/{visit}/close", post(close_visit))
}

const OFFICES: &[Role] = &[Role::ProvinceAdmin, Role::UniversityStaff];

fn may_see(actor: &Actor, b: &Base) -> bool {
    actor.role == Role::ProvinceAdmin
        || (actor.role == Role::UniversityStaff && actor.institution_id == Some(b.host_institution_id))
}

fn outcomes(trainees: &[Trainee]) -> Vec<Outcome> {
    trainees.iter().map(|t| Outcome { completed: t.completed, placed: t.placed }).collect()
}

// ---------------------------------------------------------------- the table

struct Line {
    b: Base,
    trainings: usize,
    figures: Figures,
    open_visits: i64,
    overdue_visits: i64,
}

#[derive(Template)]
#[template(path = "bases/list.html")]
struct ListPage<'a> {
    ctx: &'a Ctx,
    l: Locale,
    province: bool,
    lines: Vec<Line>,
    levels: Vec<(String, String)>,
    level_names: Names,
    institutions: Vec<(i64, String)>,
    form: BaseForm,
    error: String,
}

impl ListPage<'_> {
    fn host_selected(&self, id: &i64) -> bool {
        self.form.host == id.to_string()
    }
}

async fn render_list(
    state: &AppState,
    ctx: &Ctx,
    actor: &Actor,
    form: BaseForm,
    error: String,
) -> Result<Response, AppError> {
    let db = &state.db;
    let l = ctx.locale;
    let viewer = crate::store::Viewer::of(actor);
    let today = time::today_china().to_string();
    let visits = store::open_visits(db, &today).await?;
    let mut lines = Vec::new();
    for b in store::list(db).await?.into_iter().filter(|b| may_see(actor, b)) {
        let trainees = store::trainees(db, &viewer, b.id).await?;
        let (open_visits, overdue_visits) = visits.get(&b.id).copied().unwrap_or_default();
        lines.push(Line {
            trainings: crate::trainings::store::list(db, Some(b.id)).await?.len(),
            figures: Figures::of(&outcomes(&trainees)),
            open_visits,
            overdue_visits,
            b,
        });
    }
    let levels = store::levels(db, l).await?;
    let page = ListPage {
        ctx,
        l,
        province: actor.role == Role::ProvinceAdmin,
        lines,
        level_names: Names::of(&levels),
        levels,
        institutions: crate::store::institutions(db).await?,
        form,
        error,
    };
    ctx.page(ctx.t("就业能力培训基地", "Training bases"), &page)
}

async fn list_page(State(state): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    let actor = ctx.require(OFFICES)?;
    let form =
        BaseForm { level: "2".into(), since: time::today_china().format("%Y").to_string(), ..BaseForm::default() };
    render_list(&state, &ctx, actor, form, String::new()).await
}

#[derive(Deserialize)]
struct BaseFields {
    #[serde(default)]
    name: String,
    #[serde(default)]
    host: String,
    #[serde(default)]
    level: String,
    #[serde(default)]
    since: String,
    #[serde(default)]
    contact: String,
}

async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(f): CsrfForm<BaseFields>,
) -> Result<Response, AppError> {
    let actor = ctx.require(&[Role::ProvinceAdmin])?;
    let db = &state.db;
    let form = BaseForm { name: f.name, host: f.host, level: f.level, since: f.since, contact: f.contact };
    let institutions: Vec<i64> = crate::store::institutions(db).await?.into_iter().map(|(i, _)| i).collect();
    let levels: Vec<String> = store::levels(db, ctx.locale).await?.into_iter().map(|(c, _)| c).collect();
    let base = match rules::check_base(&form, &institutions, &levels, ctx.locale) {
        Ok(b) => b,
        Err(error) => return render_list(&state, &ctx, actor, form, error).await,
    };
    let mut tx = db.begin().await?;
    let id = store::create(&mut tx, &ctx.audit_actor(), &base).await?;
    tx.commit().await?;
    Ok(redirect_with_flash(&format!("/assistance/bases/{id}"), ctx.t("培训基地已添加。", "Base added.")))
}

// ---------------------------------------------------------------- one base

#[derive(Template)]
#[template(path = "bases/base.html")]
struct BasePage<'a> {
    ctx: &'a Ctx,
    l: Locale,
    province: bool,
    b: Base,
    level: String,
    trainings: Vec<Training>,
    trainees: Vec<Trainee>,
    figures: Figures,
    names: Names,
    visits: Vec<Visit>,
    today: String,
    form: VisitForm,
    error: String,
    edit: BaseForm,
    edit_error: String,
    institutions: Vec<(i64, String)>,
    levels: Vec<(String, String)>,
}

impl BasePage<'_> {
    fn categories_of(&self, t: &Trainee) -> String {
        t.categories.iter().map(|c| self.names.get(c)).collect::<Vec<_>>().join("、")
    }
    fn overdue(&self, v: &Visit) -> bool {
        rules::overdue(v.rectify_by.as_deref(), v.closed_at.is_some(), &self.today)
    }
}

async fn visible(state: &AppState, ctx: &Ctx, id: i64) -> Result<(Actor, Base), AppError> {
    let actor = ctx.require(OFFICES)?.clone();
    let b = store::get(&state.db, id).await?.ok_or(AppError::NotFound)?;
    if !may_see(&actor, &b) {
        return Err(AppError::NotFound);
    }
    Ok((actor, b))
}

fn base_form(b: &Base) -> BaseForm {
    BaseForm {
        name: b.name.clone(),
        host: b.host_institution_id.to_string(),
        level: b.level.clone(),
        since: b.since_year.to_string(),
        contact: b.contact.clone(),
    }
}

async fn render_base(
    state: &AppState,
    ctx: &Ctx,
    actor: &Actor,
    b: Base,
    form: VisitForm,
    error: String,
) -> Result<Response, AppError> {
    let edit = base_form(&b);
    render_base_with(state, ctx, actor, b, form, error, (edit, String::new())).await
}

async fn render_base_with(
    state: &AppState,
    ctx: &Ctx,
    actor: &Actor,
    b: Base,
    form: VisitForm,
    error: String,
    (edit, edit_error): (BaseForm, String),
) -> Result<Response, AppError> {
    let db = &state.db;
    let l = ctx.locale;
    let trainees = store::trainees(db, &crate::store::Viewer::of(actor), b.id).await?;
    let level_list = store::levels(db, l).await?;
    let levels: HashMap<String, String> = level_list.iter().cloned().collect();
    let page = BasePage {
        edit,
        edit_error,
        institutions: crate::store::institutions(db).await?,
        levels: level_list,
        ctx,
        l,
        province: actor.role == Role::ProvinceAdmin,
        level: levels.get(&b.level).cloned().unwrap_or_else(|| b.level.clone()),
        trainings: crate::trainings::store::list(db, Some(b.id)).await?,
        figures: Figures::of(&outcomes(&trainees)),
        trainees,
        names: Names::of(&crate::store::categories(db, l).await?),
        visits: store::visits(db, b.id).await?,
        today: time::today_china().to_string(),
        form,
        error,
        b,
    };
    let title = format!("{}：{}", ctx.t("培训基地", "Training base"), page.b.name);
    ctx.page(&title, &page)
}

async fn base_page(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, AppError> {
    let (actor, b) = visible(&state, &ctx, id).await?;
    render_base(&state, &ctx, &actor, b, VisitForm::default(), String::new()).await
}

/// The province edits a base's fields.
async fn edit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<BaseFields>,
) -> Result<Response, AppError> {
    ctx.require(&[Role::ProvinceAdmin])?;
    let (actor, b) = visible(&state, &ctx, id).await?;
    let db = &state.db;
    let form = BaseForm { name: f.name, host: f.host, level: f.level, since: f.since, contact: f.contact };
    let institutions: Vec<i64> = crate::store::institutions(db).await?.into_iter().map(|(i, _)| i).collect();
    let levels: Vec<String> = store::levels(db, ctx.locale).await?.into_iter().map(|(c, _)| c).collect();
    let checked = match rules::check_base(&form, &institutions, &levels, ctx.locale) {
        Ok(c) => c,
        Err(error) => {
            return render_base_with(&state, &ctx, &actor, b, VisitForm::default(), String::new(), (form, error)).await
        }
    };
    let mut tx = db.begin().await?;
    store::update(&mut tx, &ctx.audit_actor(), &b, &checked).await?;
    tx.commit().await?;
    Ok(redirect_with_flash(&format!("/assistance/bases/{id}"), ctx.t("基地信息已保存。", "Base saved.")))
}

#[derive(Deserialize)]
struct VisitFields {
    #[serde(default)]
    visited_on: String,
    #[serde(default)]
    visitors: String,
    #[serde(default)]
    findings: String,
    #[serde(default)]
    rectify_by: String,
}

async fn add_visit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<VisitFields>,
) -> Result<Response, AppError> {
    ctx.require(&[Role::ProvinceAdmin])?;
    let (actor, b) = visible(&state, &ctx, id).await?;
    let form =
        VisitForm { visited_on: f.visited_on, visitors: f.visitors, findings: f.findings, rectify_by: f.rectify_by };
    let visit = match rules::check_visit(&form, time::today_china(), ctx.locale) {
        Ok(v) => v,
        Err(error) => return render_base(&state, &ctx, &actor, b, form, error).await,
    };
    let mut tx = state.db.begin().await?;
    store::add_visit(&mut tx, &ctx.audit_actor(), b.id, &visit).await?;
    tx.commit().await?;
    Ok(redirect_with_flash(&format!("/assistance/bases/{id}#visits"), ctx.t("督导记录已保存。", "Visit recorded.")))
}

async fn close_visit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, visit)): Path<(i64, i64)>,
    CsrfForm(_): CsrfForm<kernel::web::NoFields>,
) -> Result<Response, AppError> {
    ctx.require(&[Role::ProvinceAdmin])?;
    let (_, b) = visible(&state, &ctx, id).await?;
    let mut tx = state.db.begin().await?;
    let closed = store::close_visit(&mut tx, &ctx.audit_actor(), b.id, visit).await?;
    tx.commit().await?;
    if !closed {
        return Err(AppError::NotFound);
    }
    Ok(redirect_with_flash(&format!("/assistance/bases/{id}#visits"), ctx.t("整改已销号。", "Rectification closed.")))
}
