//! Graduate destinations and statistics (毕业去向与统计), in four rooms that
//! build on each other one way: the roster (生源) import; destinations with
//! their evidence and the destination batch; online three-party agreements
//! with the signing card and signing use; statistics (rates, dashboard,
//! reports, briefing), which read the first three and write none of them.

pub mod agreements;
pub mod api;
pub mod destinations;
pub mod roster;
pub mod statistics;
pub mod workbench;

use std::sync::Arc;

use axum::extract::FromRef;
use kernel::auth::Role;
use kernel::web::{AppState, Menu, NavEntry};

use statistics::Placements;
pub use workbench::panels;

/// What outcomes' handlers share: the shell's state and the statistics
/// projection. Built once in `jiuye`; a handler takes either part as
/// `State<AppState>` or `State<Arc<Placements>>`.
#[derive(Clone, FromRef)]
pub struct OutcomesState {
    pub shell: AppState,
    pub placements: Arc<Placements>,
}

impl OutcomesState {
    pub fn new(shell: AppState) -> OutcomesState {
        let placements = Arc::new(Placements::reading(shell.reads.clone(), &shell.config.home_province));
        OutcomesState { shell, placements }
    }
}

pub fn routes() -> axum::Router<OutcomesState> {
    roster::pages::routes()
        .merge(destinations::pages::routes())
        .merge(agreements::pages::routes())
        .merge(agreements::card::routes())
        .merge(agreements::signing::routes())
        .merge(statistics::routes())
}

/// The province office and university staff start the day on the dashboard.
pub fn start_pages() -> Vec<(Role, &'static str)> {
    vec![(Role::ProvinceAdmin, statistics::dashboard::PATH), (Role::UniversityStaff, statistics::dashboard::PATH)]
}

pub fn nav() -> Vec<NavEntry> {
    const STAFF: &[Role] = &[Role::ProvinceAdmin, Role::UniversityStaff];
    vec![
        NavEntry {
            href: statistics::dashboard::PATH,
            zh: "就业看板",
            en: "Placement dashboard",
            roles: STAFF,
            menu: None,
            when: None,
        },
        NavEntry {
            href: "/outcomes/placement",
            zh: "落实率",
            en: "Placement",
            roles: STAFF,
            menu: Some(Menu::Statistics),
            when: None,
        },
        NavEntry {
            href: "/outcomes/reports",
            zh: "统计报表",
            en: "Reports",
            roles: STAFF,
            menu: Some(Menu::Statistics),
            when: None,
        },
        NavEntry {
            href: "/outcomes/briefing",
            zh: "季度通报",
            en: "Briefing",
            roles: STAFF,
            menu: Some(Menu::Statistics),
            when: None,
        },
        NavEntry {
            href: "/outcomes/signing",
            zh: "网签使用",
            en: "Online signing use",
            roles: STAFF,
            menu: Some(Menu::Statistics),
            when: None,
        },
        NavEntry {
            href: "/outcomes/graduates",
            zh: "毕业去向",
            en: "Destinations",
            roles: STAFF,
            menu: Some(Menu::Destinations),
            when: None,
        },
        NavEntry {
            href: "/outcomes/roster",
            zh: "生源导入",
            en: "Roster import",
            roles: STAFF,
            menu: Some(Menu::Destinations),
            when: None,
        },
        NavEntry {
            href: "/outcomes/destinations/import",
            zh: "去向批量登记",
            en: "Batch destinations",
            roles: STAFF,
            menu: Some(Menu::Destinations),
            when: None,
        },
        NavEntry {
            href: "/outcomes/me",
            zh: "我的毕业去向",
            en: "My destination",
            roles: &[Role::Graduate],
            menu: None,
            when: None,
        },
        NavEntry {
            href: "/agreements/card",
            zh: "签约二维码",
            en: "Signing card",
            roles: &[Role::Graduate],
            menu: None,
            when: None,
        },
        NavEntry {
            href: "/agreements",
            zh: "网上签约",
            en: "Agreements",
            roles: &[Role::ProvinceAdmin, Role::UniversityStaff, Role::Employer, Role::Graduate],
            menu: Some(Menu::Destinations),
            when: None,
        },
    ]
}
