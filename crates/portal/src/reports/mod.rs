//! Annual employment quality reports (就业质量年度报告, measure 19): each
//! institution's PDF by the deadline, published on the portal; the status
//! notice (通报) of who submitted on time, late or not at all; and the data
//! appendix (数据附录) generated from the institution's own records.
//!
//! `rules` is pure; SQL lives in `store`; `appendix` reads the statistics
//! projection; `pages` is thin.

pub mod appendix;
pub mod pages;
pub mod rules;
pub mod store;

use std::future::Future;
use std::pin::Pin;

use kernel::auth::Role;
use kernel::web::figure::{Computing, Figure, FigureScope, Reading};
use kernel::web::{AppState, Menu, NavEntry};
use outcomes::OutcomesState;

/// An institution's own office or the province: a college's staff have no report to keep.
fn whole_institution<'a>(
    _db: &'a kernel::Db,
    actor: &'a kernel::auth::Actor,
) -> Pin<Box<dyn Future<Output = kernel::DbResult<bool>> + Send + 'a>> {
    Box::pin(async move { Ok(actor.college_id.is_none()) })
}

pub fn nav() -> Vec<NavEntry> {
    const OFFICES: &[Role] = &[Role::ProvinceAdmin, Role::UniversityStaff];
    vec![
        // Anonymous visitors: the published reports.
        NavEntry { href: "/reports", zh: "质量报告", en: "Quality reports", roles: &[], menu: None, when: None },
        NavEntry {
            href: "/reports/manage",
            zh: "质量年度报告",
            en: "Quality reports",
            roles: OFFICES,
            menu: Some(Menu::Portal),
            when: Some(whole_institution),
        },
        NavEntry {
            href: "/reports/appendix",
            zh: "报告数据附录",
            en: "Report data appendix",
            roles: OFFICES,
            menu: Some(Menu::Portal),
            when: Some(whole_institution),
        },
    ]
}

pub fn routes() -> axum::Router<OutcomesState> {
    pages::routes()
}

/// Institutions with a report in, out of those with graduates in the cohort.
fn submitted(state: &AppState, s: FigureScope) -> Computing<'_> {
    Box::pin(async move {
        let (expected, submitted, _) = store::counts(&state.db, s.cohort, s.institution).await?;
        Ok(Reading::share(submitted, expected))
    })
}

/// Institutions whose report the province published, out of the same.
fn published(state: &AppState, s: FigureScope) -> Computing<'_> {
    Box::pin(async move {
        let (expected, _, published) = store::counts(&state.db, s.cohort, s.institution).await?;
        Ok(Reading::share(published, expected))
    })
}

pub fn figures() -> Vec<Figure> {
    vec![
        Figure {
            key: "reports.submitted",
            zh: "已提交就业质量年度报告的高校",
            en: "Institutions that submitted their quality report",
            source: "/reports/manage",
            per_institution: true,
            compute: submitted,
        },
        Figure {
            key: "reports.published",
            zh: "已发布就业质量年度报告的高校",
            en: "Institutions whose quality report is published",
            source: "/reports",
            per_institution: true,
            compute: published,
        },
    ]
}
