//! Agreement pages for every party: the list (with the employer's invitation
//! form), one agreement with its history and the steps the viewer may take,
//! and the print view once in force.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;

use kernel::auth::Role;
use kernel::web::{redirect_with_flash, AppError, AppState, CsrfForm, Ctx, FieldErrors};
use kernel::Locale;

use super::flow::{self, Step};
use super::{Agreement, HistoryEntry, Invitation};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/agreements", get(list_page).post(invite))
        .route("/agreements/{id}", get(detail_page))
        .route("/agreements/{id}/steps", post(step))
        .route("/agreements/{id}/print", get(print_page))
}

const PARTIES: &[Role] = &[Role::ProvinceAdmin, Role::UniversityStaff, Role::Employer, Role::Graduate];

#[derive(Template)]
#[template(path = "agreements.html")]
struct ListPage<'a> {
    ctx: &'a Ctx,
    l: Locale,
    rows: Vec<Agreement>,
    can_invite: bool,
    form: Invitation,
    errors: FieldErrors,
}

/// (field, label zh, label en, current value) of an invitation field.
type Field<'a> = (&'static str, &'static str, &'static str, &'a str);

impl ListPage<'_> {
    fn fields(&self) -> Vec<Field<'_>> {
        let f = &self.form;
        vec![
            ("name", "毕业生姓名", "Graduate's name", &f.name),
            ("student_no", "学号", "Student number", &f.student_no),
            ("id_number", "身份证号", "ID number", &f.id_number),
            ("position_title", "岗位名称", "Position", &f.position_title),
            ("monthly_salary", "月薪（元）", "Monthly salary (yuan)", &f.monthly_salary),
            ("work_region_code", "工作地区代码", "Work region code", &f.work_region_code),
        ]
    }
}

async fn render_list(state: &AppState, ctx: &Ctx, form: Invitation, errors: FieldErrors) -> Result<Response, AppError> {
    let actor = ctx.require(PARTIES)?;
    let rows = super::list(&state.db, &actor.scope()).await?;
    let can_invite = actor.role == Role::Employer;
    ctx.page(ctx.t("网上签约", "Online agreements"), &ListPage { ctx, l: ctx.locale, rows, can_invite, form, errors })
}

async fn list_page(State(state): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    render_list(&state, &ctx, Invitation::default(), FieldErrors::default()).await
}

async fn invite(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(form): CsrfForm<Invitation>,
) -> Result<Response, AppError> {
    let actor = ctx.require(&[Role::Employer])?;
    let employer_id = actor.employer_id.ok_or(AppError::Forbidden)?;
    let mut tx = state.db.begin().await?;
    match super::invite(&mut tx, &ctx.audit_actor(), employer_id, &form, ctx.locale).await? {
        Ok(id) => {
            tx.commit().await?;
            Ok(redirect_with_flash(&format!("/agreements/{id}"), ctx.t("签约邀请已发出。", "Invitation sent.")))
        }
        Err(errors) => render_list(&state, &ctx, form, errors).await,
    }
}

#[derive(Template)]
#[template(path = "agreement.html")]
struct DetailPage<'a> {
    ctx: &'a Ctx,
    l: Locale,
    a: Agreement,
    steps: Vec<Step>,
    history: Vec<HistoryEntry>,
}

async fn load(state: &AppState, ctx: &Ctx, id: i64) -> Result<Agreement, AppError> {
    let actor = ctx.require(PARTIES)?;
    match super::get(&state.db, &actor.scope(), id).await? {
        Some(a) => Ok(a),
        None => {
            let exists =
                state.db.fetch_optional("SELECT id FROM agreements WHERE id = $1", &[id.into()]).await?.is_some();
            Err(if exists { AppError::Forbidden } else { AppError::NotFound })
        }
    }
}

async fn detail_page(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, AppError> {
    let a = load(&state, &ctx, id).await?;
    let parties = super::parties(ctx.actor()?, &a);
    let steps = flow::steps_for(a.status, &parties);
    let history = super::history(&state.db, id).await?;
    let title = format!("{} {}", ctx.t("三方协议", "Agreement"), a.number);
    ctx.page(&title, &DetailPage { ctx: &ctx, l: ctx.locale, a, steps, history })
}

#[derive(Deserialize)]
struct StepForm {
    #[serde(default)]
    step: String,
}

async fn step(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<StepForm>,
) -> Result<Response, AppError> {
    let a = load(&state, &ctx, id).await?;
    let parties = super::parties(ctx.actor()?, &a);
    let step = Step::parse(&form.step)
        .ok_or_else(|| AppError::BadRequest(ctx.t("未知的操作。", "Unknown step.").to_owned()))?;
    if !step.parties().iter().any(|p| parties.contains(p)) {
        return Err(AppError::Forbidden);
    }
    let mut tx = state.db.begin().await?;
    match super::take_step(&mut tx, &ctx.audit_actor(), &a, step, &parties).await? {
        Some(to) => {
            tx.commit().await?;
            state.cache.clear();
            let message = format!("{}{}", ctx.t("协议状态：", "Agreement status: "), to.label(ctx.locale));
            Ok(redirect_with_flash(&format!("/agreements/{id}"), &message))
        }
        None => Ok(redirect_with_flash(
            &format!("/agreements/{id}"),
            ctx.t("协议状态已变化，这一步不能再做。", "The agreement has moved on; this step is no longer possible."),
        )),
    }
}

#[derive(Template)]
#[template(path = "agreement_print.html")]
struct PrintPage {
    l: Locale,
    a: Agreement,
}

async fn print_page(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, AppError> {
    let a = load(&state, &ctx, id).await?;
    if a.status != flow::Status::Effective {
        return Err(AppError::BadRequest(
            ctx.t("协议生效后才能打印。", "An agreement prints once it is in force.").to_owned(),
        ));
    }
    let title = format!("{} {}", ctx.t("毕业生就业协议书", "Graduate employment agreement"), a.number);
    ctx.page(&title, &PrintPage { l: ctx.locale, a })
}
