//! Training classes (培训班, measures 12 and 13 of the plan): the
//! guidance-teacher classes, start-up training and the 创业月课堂 with their
//! curriculum and sessions; enrolment within quotas per institution (an
//! office enrols its teachers, a teacher with a staff account or a graduate
//! enrols itself); check-in at a session's door through `kernel::pass`;
//! assessment; completion by the rule and numbered certificates, checked on a
//! public page by number and name.
//!
//! `rules` is pure; SQL lives in `store`; `pages` is thin.

pub mod pages;
pub mod rules;
pub mod store;

use kernel::auth::Role;
use kernel::web::{AppState, Menu, NavEntry};

pub fn routes() -> axum::Router<AppState> {
    pages::routes()
}

pub fn nav() -> Vec<NavEntry> {
    fn entry(href: &'static str, zh: &'static str, en: &'static str, roles: &'static [Role]) -> NavEntry {
        NavEntry { href, zh, en, roles, menu: Some(Menu::Training), when: None }
    }
    vec![
        entry("/training/classes", "培训班", "Training classes", &[Role::ProvinceAdmin, Role::UniversityStaff]),
        entry("/training/teachers", "师资名单", "Guidance teachers", &[Role::ProvinceAdmin, Role::UniversityStaff]),
        entry("/training/figures", "培训统计", "Training figures", &[Role::ProvinceAdmin, Role::UniversityStaff]),
        entry("/training/mine", "我的培训班", "My classes", &[Role::UniversityStaff, Role::Graduate]),
    ]
}
