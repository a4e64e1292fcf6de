//! Archive transfer (档案转递, measure 24 of the plan): each graduate's archive
//! receiver, the batch workflow from confirmed receiver to received (or
//! returned), the transfer number a receiving office checks publicly, and the
//! figures the province and institutions follow.
//!
//! `rules` (the receiver's proposal, the transfer number) and `flow` (the
//! state machine) are pure; SQL lives in `store`; `pages` is thin.

pub mod flow;
pub mod pages;
pub mod rules;
pub mod store;

use kernel::auth::Role;
use kernel::web::figure::{Computing, Figure, FigureScope, Reading};
use kernel::web::{AppState, Menu, NavEntry};

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
