//! Archive transfer (档案转递, measure 24 of the plan): each graduate's archive
//! receiver, the batch workflow from confirmed receiver to received (or
//! returned), the transfer number a receiving office checks publicly, and the
//! figures the province and institutions follow.
//!
//! `rules` (the receiver's proposal, the transfer number), `flow` (the
//! state machine) and `remind` (when the reminders go) are pure; SQL lives in `store`; `pages` is thin.

pub mod flow;
pub mod pages;
pub mod remind;
pub mod rules;
pub mod store;

use kernel::auth::Role;
use kernel::web::figure::{Computing, Figure, FigureScope, Reading};
use kernel::web::{AppState, Menu, NavEntry};
use kernel::{time, Db};

pub fn nav() -> Vec<NavEntry> {
    fn entry(href: &'static str, zh: &'static str, en: &'static str, roles: &'static [Role]) -> NavEntry {
        NavEntry { href, zh, en, roles, menu: Some(Menu::Services), when: None }
    }
    const OFFICES: &[Role] = &[Role::ProvinceAdmin, Role::UniversityStaff];
    vec![
        entry("/archives", "档案转递", "Archive transfers", OFFICES),
        entry("/archives/batches", "转递批次", "Transfer batches", OFFICES),
        entry("/archives/unassigned", "无接收单位", "Without a receiver", OFFICES),
        entry("/archives/centres", "人才服务机构", "Talent centres", OFFICES),
        entry("/archives/figures", "档案转递统计", "Archive figures", OFFICES),
        entry("/archives/mine", "我的档案", "My archive", &[Role::Graduate]),
    ]
}

pub fn routes() -> axum::Router<AppState> {
    pages::routes()
}

/// Sends the reminders of `today` (China), `days` before a batch's
/// deadline; what it did, for `job_runs`.
pub async fn remind(db: &Db, today: chrono::NaiveDate, days: u32) -> Result<String, String> {
    match store::send_reminders(db, today, days).await {
        Ok(n) => Ok(format!("{n} archive reminders sent")),
        Err(e) => Err(e.to_string()),
    }
}

/// Starts the batch-deadline and return reminders, checked every hour once
/// per deployment (`kernel::jobs::hourly`, as `service_escalation`); what was
/// sent is remembered, so each thing is told once.
pub fn start(db: Db, days: u32) {
    kernel::jobs::hourly(db, store::JOB, move |db, at| async move {
        remind(&db, at.with_timezone(&time::china()).date_naive(), days).await
    });
}

/// Archives received out of the cohort's graduates: the plan's target is all
/// 2022届 archives transferred through the platform.
fn transferred(state: &AppState, s: FigureScope) -> Computing<'_> {
    Box::pin(async move {
        let (received, _, graduates) = store::reading(&state.db, s.cohort, s.institution).await?;
        Ok(Reading::share(received, graduates))
    })
}

/// Archives dispatched (received ones included) out of the cohort's graduates.
fn dispatched(state: &AppState, s: FigureScope) -> Computing<'_> {
    Box::pin(async move {
        let (_, dispatched, graduates) = store::reading(&state.db, s.cohort, s.institution).await?;
        Ok(Reading::share(dispatched, graduates))
    })
}

/// The live figures archives offer the plan board.
pub fn figures() -> Vec<Figure> {
    vec![
        Figure {
            key: "archives.transferred",
            zh: "档案经平台转递并签收",
            en: "Archives transferred through the platform and received",
            source: "/archives/figures",
            per_institution: true,
            compute: transferred,
        },
        Figure {
            key: "archives.dispatched",
            zh: "档案已寄出",
            en: "Archives dispatched",
            source: "/archives/figures",
            per_institution: true,
            compute: dispatched,
        },
    ]
}
