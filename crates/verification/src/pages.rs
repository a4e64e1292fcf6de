//! 数据核查: the latest scan's findings (the province sees all, a university
//! its own), a new run of the scan, and the province's dismissals.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;

use kernel::auth::Role;
use kernel::web::{redirect_with_flash, AppError, AppState, CsrfForm, Ctx, NavEntry, NoFields};
use kernel::Locale;

use crate::findings::{self, Finding, Status};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/verification", get(findings_page))
        .route("/verification/scan", post(run_scan))
        .route("/verification/findings/{id}/dismiss", post(dismiss))
        .merge(crate::census_pages::routes())
        .merge(crate::finding_pages::routes())
        .merge(crate::outside_list_pages::routes())
        .merge(crate::field_visit_pages::routes())
}

pub fn nav() -> Vec<NavEntry> {
    vec![
        NavEntry {
            href: "/verification",
            zh: "数据核查",
            en: "Verification",
            roles: &[Role::ProvinceAdmin, Role::UniversityStaff],
            menu: Some(kernel::web::Menu::Statistics),
            when: None,
        },
        NavEntry {
            href: "/verification/census",
            zh: "实名普查",
            en: "Census",
            roles: &[Role::ProvinceAdmin, Role::UniversityStaff],
            menu: Some(kernel::web::Menu::Statistics),
            when: None,
        },
        NavEntry {
            href: "/verification/campaigns",
            zh: "核查抽样",
            en: "Verification campaigns",
            roles: &[Role::ProvinceAdmin, Role::UniversityStaff],
            menu: Some(kernel::web::Menu::Statistics),
            when: None,
        },
        NavEntry {
            href: "/verification/tasks",
            zh: "核查任务",
            en: "Verification calls",
            roles: &[Role::UniversityStaff],
            menu: None,
            when: None,
        },
        NavEntry {
            href: "/verification/lists",
            zh: "外部名单比对",
            en: "Outside lists",
            roles: &[Role::ProvinceAdmin, Role::UniversityStaff],
            menu: Some(kernel::web::Menu::Statistics),
            when: None,
        },
        NavEntry {
            href: "/verification/visits",
            zh: "实地调研",
            en: "Field visits",
            roles: &[Role::ProvinceAdmin, Role::UniversityStaff],
            menu: Some(kernel::web::Menu::Statistics),
            when: None,
        },
    ]
}

#[derive(Template)]
#[template(path = "findings.html")]
struct FindingsPage<'a> {
    ctx: &'a Ctx,
    l: Locale,
    cohort: i64,
    province: bool,
    /// (when, as of) of the latest run.
    scanned: Option<(String, Option<String>)>,
    findings: Vec<Finding>,
}

impl FindingsPage<'_> {
    fn is_open(&self, f: &Finding) -> bool {
        // A finding taken into a campaign can still be dismissed once the campaign has answered it.
        f.status != Status::Dismissed
    }
    fn figures(&self, f: &Finding) -> String {
        f.figures
            .iter()
            .map(|(k, v)| format!("{k} = {}", (v * 10_000.0).round() / 10_000.0))
            .collect::<Vec<_>>()
            .join("；")
    }
}

async fn findings_page(State(state): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    let actor = ctx.require(&[Role::ProvinceAdmin, Role::UniversityStaff])?;
    let province = actor.role == Role::ProvinceAdmin;
    let institution = match province {
        true => None,
        false => Some(actor.institution_id.ok_or(AppError::Forbidden)?),
    };
    let cohort = registry::cohorts::latest_year(&state).await?;
    let latest = findings::latest_scan(&state.db, cohort).await?;
    let findings = match &latest {
        Some((id, _, _)) => findings::of_scan(&state.db, *id, institution).await?,
        None => Vec::new(),
    };
    let scanned = latest.map(|(_, at, as_of)| (at, as_of));
    let page = FindingsPage { ctx: &ctx, l: ctx.locale, cohort, province, scanned, findings };
    ctx.page(ctx.t("数据核查：异常信号", "Verification: anomaly signals"), &page)
}

/// The province runs the scan over the latest cohort now, with its thresholds.
async fn run_scan(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(_): CsrfForm<NoFields>,
) -> Result<Response, AppError> {
    ctx.require(&[Role::ProvinceAdmin])?;
    let cohort = registry::cohorts::latest_year(&state).await?;
    let signals =
        findings::scan_and_keep(&state.db, &ctx.audit_actor(), cohort, None).await?.ok_or(AppError::NotFound)?;
    let message = format!("{}{}", ctx.t("扫描完成，异常信号：", "Scan done; signals: "), signals);
    Ok(redirect_with_flash("/verification", &message))
}

#[derive(Deserialize)]
struct DismissForm {
    #[serde(default)]
    reason: String,
}

async fn dismiss(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<DismissForm>,
) -> Result<Response, AppError> {
    let actor = ctx.require(&[Role::ProvinceAdmin])?;
    let finding = findings::get(&state.db, id).await?.ok_or(AppError::NotFound)?;
    let reason = form.reason.trim();
    if reason.is_empty() || reason.chars().count() > 500 {
        return Err(AppError::BadRequest(
            ctx.t("请写明排除的理由（不超过 500 字）。", "Give the reason for dismissing (at most 500 characters).")
                .into(),
        ));
    }
    let mut tx = state.db.begin().await?;
    findings::dismiss(&mut tx, &ctx.audit_actor(), actor.account_id, &finding, reason).await?;
    tx.commit().await?;
    Ok(redirect_with_flash(
        "/verification",
        ctx.t("已排除；数据变化时会重新提示。", "Dismissed; it opens again if its figures change."),
    ))
}
