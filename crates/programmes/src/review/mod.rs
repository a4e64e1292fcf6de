//! Expert review: the pool, conflicts of interest, assignment, scores, normalisation and ranking.
//!
//! Pure rules: `conflicts` (回避), `assignment` (a min-cost flow over `flow`),
//! `scores` (weighted totals, trimmed mean, z-scores, spread, ranking,
//! decision within quotas), `calendar` (working days, 调休, 公示 end) and
//! `pool` (the pool's forms and import columns). SQL lives in `store`;
//! `pages` is thin.

pub mod assignment;
pub mod calendar;
pub mod conflicts;
pub mod flow;
pub mod pages;
pub mod pool;
pub mod scores;
pub mod store;

use kernel::auth::Role;
use kernel::web::{AppState, Menu, NavEntry};

pub fn routes() -> axum::Router<AppState> {
    pages::routes()
}

pub fn nav() -> Vec<NavEntry> {
    vec![
        NavEntry {
            href: "/programmes/experts",
            zh: "评审专家库",
            en: "Expert pool",
            roles: &[Role::ProvinceAdmin],
            menu: Some(Menu::Programmes),
            when: None,
        },
        NavEntry {
            href: "/programmes/calendar",
            zh: "工作日历",
            en: "Working-day calendar",
            roles: &[Role::ProvinceAdmin, Role::UniversityStaff],
            menu: Some(Menu::Programmes),
            when: None,
        },
    ]
}
