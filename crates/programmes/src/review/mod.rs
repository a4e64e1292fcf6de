//! Expert review: the pool, conflicts of interest, assignment, scores, normalisation and ranking.
//!
//! Pure rules: `conflicts` (回避), `assignment` (a min-cost flow over `flow`),
//! `scores` (weighted totals, trimmed mean, z-scores, spread, ranking,
//! decision within quotas), `calendar` (working days, 调休, 公示 end) and
//! `pool` (the pool's forms and import columns), `round` (a call's review
//! round: settings, marks, ranking, decision). SQL lives in `store` and
//! `round_store`; `pages` (pool, calendar), `round_pages` (the province's
//! round of a call) and `expert_pages` (the expert's reviews) are thin.

pub mod assignment;
pub mod calendar;
pub mod conflicts;
pub mod expert_pages;
pub mod flow;
pub mod pages;
pub mod pool;
pub mod round;
pub mod round_pages;
pub mod round_store;
pub mod scores;
pub mod store;

use kernel::auth::Role;
use kernel::web::{AppState, Menu, NavEntry};

pub fn routes() -> axum::Router<AppState> {
    pages::routes().merge(round_pages::routes()).merge(expert_pages::routes())
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
        NavEntry {
            href: "/programmes/reviews",
            zh: "我的评审",
            en: "My reviews",
            roles: &[Role::Expert],
            menu: None,
            when: None,
        },
    ]
}
