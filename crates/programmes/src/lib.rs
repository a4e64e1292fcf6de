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
use kernel::web::figure::{Computing, Figure, FigureScope, Reading};
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

fn roadshow(state: &AppState, scope: FigureScope) -> Computing<'_> {
    Box::pin(async move {
        Ok(Reading::count(calls::store::roadshow_projects(&state.db, scope.cohort, scope.institution).await?))
    })
}

/// The live figures programmes offers the plan board: measure 16's roadshow
/// projects, counted as the projects the province selected in the year's
/// roadshow-selection calls (the label says so; the roadshow day is not recorded).
pub fn figures() -> Vec<Figure> {
    vec![Figure {
        key: "programmes.roadshow",
        zh: "路演项目遴选入选项目",
        en: "Projects selected for the roadshow",
        source: "/programmes",
        per_institution: true,
        compute: roadshow,
    }]
}

pub fn routes() -> axum::Router<AppState> {
    axum::Router::new()
        .merge(calls::pages::routes())
        .merge(review::routes())
        .merge(notices::pages::routes())
        .merge(notices::public_pages::routes())
        .merge(followup::pages::routes())
}
