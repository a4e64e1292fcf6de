//! Programmes and reviews (项目评审, issue 15, measures 10, 11, 14, 15, 16
//! and 23 of the plan): one workflow for every call (批次), configured rather
//! than coded per call type: research projects, mentor studios, incubation
//! bases, training-base selection, competition rounds and roadshows.
//!
//! `calls` holds a call, its form and rubric, and the applications made to
//! it; `review` the expert pool, conflict-free assignment, scoring,
//! normalisation and ranking. Pure rules apart from I/O in each.

pub mod calls;
pub mod followup;
pub mod notices;
pub mod review;

use kernel::auth::Role;
use kernel::web::{AppState, Menu, NavEntry};

pub fn nav() -> Vec<NavEntry> {
    let mut nav = vec![
        NavEntry {
            href: "/programmes",
            zh: "申报批次",
            en: "Calls",
            roles: &[Role::ProvinceAdmin, Role::UniversityStaff],
            menu: Some(Menu::Programmes),
            when: None,
        },
        NavEntry {
            href: "/programmes/bans",
            zh: "申报禁入名单",
            en: "Application bans",
            roles: &[Role::ProvinceAdmin],
            menu: Some(Menu::Programmes),
            when: None,
        },
    ];
    nav.extend(review::nav());
    nav.push(NavEntry {
        href: "/programmes/notices",
        zh: "项目公示",
        en: "Notices",
        roles: &[Role::ProvinceAdmin, Role::UniversityStaff],
        menu: Some(Menu::Programmes),
        when: None,
    });
    nav.push(NavEntry {
        href: "/programmes/followups",
        zh: "立项跟踪管理",
        en: "Funded items",
        roles: &[Role::ProvinceAdmin, Role::UniversityStaff],
        menu: Some(Menu::Programmes),
        when: None,
    });
    nav.push(NavEntry {
        href: "/programmes/registries",
        zh: "孵化基地联盟与工作室",
        en: "Alliance and studios",
        roles: &[Role::ProvinceAdmin, Role::UniversityStaff],
        menu: Some(Menu::Programmes),
        when: None,
    });
    nav.push(NavEntry {
        href: "/notices", zh: "公示公告", en: "Public notices", roles: &[], menu: None, when: None
    });
    nav
}

pub fn routes() -> axum::Router<AppState> {
    axum::Router::new()
        .merge(calls::pages::routes())
        .merge(review::routes())
        .merge(notices::pages::routes())
        .merge(notices::public_pages::routes())
        .merge(followup::pages::routes())
}
