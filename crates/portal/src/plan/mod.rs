//! The plan board (工作台账): the year's measures with owners, dates, targets
//! and live figures; the universities' 四到位 returns; the 一把手 inspection
//! view per university.
//!
//! `rules` is pure; SQL lives in `store`; `figures` reads the live figures
//! (the areas' through `AppState::figures`, placement and online signing
//! through outcomes); `pages` is thin.

pub mod figures;
pub mod pages;
pub mod rules;
pub mod store;

use chrono::{DateTime, Utc};
use kernel::auth::Role;
use kernel::web::{Menu, NavEntry};
use kernel::{time, Db};
use outcomes::OutcomesState;

pub fn nav() -> Vec<NavEntry> {
    fn entry(href: &'static str, zh: &'static str, en: &'static str, roles: &'static [Role]) -> NavEntry {
        NavEntry { href, zh, en, roles, menu: Some(Menu::Portal), when: None }
    }
    vec![
        entry("/plan", "工作台账", "Plan board", &[Role::ProvinceAdmin, Role::UniversityStaff]),
        entry("/plan/returns", "四到位情况", "Work-conditions returns", &[Role::ProvinceAdmin]),
        entry("/plan/return", "四到位填报", "Our return", &[Role::UniversityStaff]),
        entry(
            "/plan/contingency",
            "疫情防控应急预案",
            "Contingency plans",
            &[Role::ProvinceAdmin, Role::UniversityStaff],
        ),
        entry("/plan/inspection", "一把手督查", "Inspection view", &[Role::ProvinceAdmin, Role::UniversityStaff]),
    ]
}

pub fn routes() -> axum::Router<OutcomesState> {
    pages::routes()
}

/// Starts the daily deadline reminders, once per deployment (`kernel::jobs::hourly`, as `mentor_reminders`).
pub fn start(db: Db) {
    kernel::jobs::hourly(db, store::JOB, move |db, at: DateTime<Utc>| async move {
        let today = at.with_timezone(&time::china()).date_naive();
        match store::send_reminders(&db, today).await {
            Ok(n) => Ok(format!("{n} reminders sent")),
            Err(e) => Err(e.to_string()),
        }
    });
}
