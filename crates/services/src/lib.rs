//! One-stop services (一件事一次办, measure 26 of the plan): the catalogue of
//! service items with their guides, a graduate's request moving through
//! configured steps with deadlines and escalation, the handbook and
//! micro-videos, and the consultation log that feeds the FAQ.
//!
//! `rules` is pure (the guide's lines, the flow, deadlines and escalation);
//! SQL lives in `store`; `pages` is thin.

pub mod desk;
pub mod handbook;
pub mod pages;
pub mod rules;
pub mod store;

use chrono::{DateTime, Utc};
use kernel::auth::Role;
use kernel::web::figure::{Figure, FigureScope, Reading};
use kernel::web::{AppError, AppState, Menu, NavEntry};
use kernel::{time, Db};

pub fn nav() -> Vec<NavEntry> {
    fn entry(href: &'static str, zh: &'static str, en: &'static str, roles: &'static [Role]) -> NavEntry {
        NavEntry { href, zh, en, roles, menu: Some(Menu::Services), when: None }
    }
    vec![
        entry("/services/requests", "服务办件", "Service requests", &[Role::ProvinceAdmin, Role::UniversityStaff]),
        entry(
            "/services",
            "一件事一次办",
            "One-stop services",
            &[Role::ProvinceAdmin, Role::UniversityStaff, Role::Graduate],
        ),
        entry("/services/mine", "我的办件", "My requests", &[Role::Graduate]),
        entry("/services/consultations", "咨询台账", "Consultation log", &[Role::ProvinceAdmin, Role::UniversityStaff]),
    ]
}

pub fn routes() -> axum::Router<AppState> {
    pages::routes().merge(desk::routes()).merge(handbook::routes())
}

/// Escalates the overdue requests of `today` (China); what it did, for `job_runs`.
pub async fn escalate(db: &Db, today: chrono::NaiveDate) -> Result<String, String> {
    match store::escalate_overdue(db, today).await {
        Ok(n) => Ok(format!("{n} requests escalated")),
        Err(e) => Err(e.to_string()),
    }
}

fn china_day(at: DateTime<Utc>) -> chrono::NaiveDate {
    at.with_timezone(&time::china()).date_naive()
}

/// Starts the hourly escalation of overdue requests, once per deployment
/// (`kernel::jobs::hourly`), as the mentor reminders do.
pub fn start(db: Db) {
    kernel::jobs::hourly(db, store::JOB, move |db, at| async move { escalate(&db, china_day(at)).await });
}

/// The live figures services offer the plan board.
pub fn figures() -> Vec<Figure> {
    vec![
        Figure {
            key: "services.on_time",
            zh: "一件事一次办按时办结率",
            en: "One-stop requests completed in time",
            source: "/services/requests?show=completed",
            per_institution: true,
            compute: |state, scope| Box::pin(on_time(state, scope)),
        },
        Figure {
            key: "services.overdue",
            zh: "超时未办结的服务办件",
            en: "Open one-stop requests past their deadline",
            source: "/services/requests?show=overdue",
            per_institution: true,
            compute: |state, scope| Box::pin(overdue(state, scope)),
        },
    ]
}

async fn on_time(state: &AppState, scope: FigureScope) -> Result<Reading, AppError> {
    let (ok, of) = store::on_time(&state.db, scope.cohort, scope.institution).await?;
    Ok(Reading::share(ok, of))
}

async fn overdue(state: &AppState, scope: FigureScope) -> Result<Reading, AppError> {
    Ok(Reading::count(store::overdue(&state.db, scope.cohort, scope.institution, time::today_china()).await?))
}
