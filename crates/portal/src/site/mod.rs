//! The public site (门户, measure 25 of the plan): news (新闻), policies (政策)
//! with their documents, typical people (典型人物), cases (案例) and projects
//! (项目), written by the province's editors, and the universities' work news
//! (就业创业工作动态和典型经验), each drafted, submitted, reviewed (published
//! or returned with a reason; work news also recommended to the Ministry,
//! 推荐教育部) and unpublished, every move kept and audited. The home at
//! /portal gathers the sections with the fair calendar, the job search and the
//! quality reports.
//!
//! `rules` is pure; SQL lives in `store`; `pages` is thin.

pub mod pages;
pub mod rules;
pub mod store;

use kernel::auth::Role;
use kernel::web::figure::{Computing, Figure, FigureScope, Reading};
use kernel::web::{AppState, Menu, NavEntry};
use outcomes::OutcomesState;

pub fn nav() -> Vec<NavEntry> {
    fn entry(href: &'static str, zh: &'static str, en: &'static str, roles: &'static [Role]) -> NavEntry {
        NavEntry { href, zh, en, roles, menu: Some(Menu::Portal), when: None }
    }
    vec![
        // Anonymous visitors find the portal on the bar itself.
        NavEntry { href: "/portal", zh: "信息门户", en: "Portal", roles: &[], menu: None, when: None },
        entry("/portal/editor", "门户稿件", "Portal articles", &[Role::ProvinceAdmin, Role::UniversityStaff]),
        entry(
            "/portal/editor/work-news",
            "工作动态统计",
            "Work news counts",
            &[Role::ProvinceAdmin, Role::UniversityStaff],
        ),
        entry("/portal", "信息门户", "Public portal", &[Role::ProvinceAdmin, Role::UniversityStaff]),
    ]
}

pub fn routes() -> axum::Router<OutcomesState> {
    pages::routes()
}

fn published_work_news(state: &AppState, scope: FigureScope) -> Computing<'_> {
    Box::pin(async move {
        Ok(Reading::count(store::work_news_count(&state.db, scope.cohort, scope.institution, false).await?))
    })
}

fn recommended_work_news(state: &AppState, scope: FigureScope) -> Computing<'_> {
    Box::pin(async move {
        Ok(Reading::count(store::work_news_count(&state.db, scope.cohort, scope.institution, true).await?))
    })
}

/// The portal's live figures: work news published, and recommended to the Ministry.
pub fn figures() -> Vec<Figure> {
    vec![
        Figure {
            key: "portal.work_news",
            zh: "高校就业创业工作动态（已发布）",
            en: "Universities' work news published",
            source: "/portal/editor/work-news",
            per_institution: true,
            compute: published_work_news,
        },
        Figure {
            key: "portal.recommended",
            zh: "推荐教育部的工作动态",
            en: "Work news recommended to the Ministry",
            source: "/portal/editor/work-news",
            per_institution: true,
            compute: recommended_work_news,
        },
    ]
}
