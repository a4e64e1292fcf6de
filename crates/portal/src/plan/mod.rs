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

use std::collections::HashMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use kernel::auth::Role;
use kernel::time;
use kernel::web::figure::FigureScope;
use kernel::web::{AppError, Menu, NavEntry};
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
pub fn start(state: OutcomesState) {
    let db = state.shell.db.clone();
    kernel::jobs::hourly(db, store::JOB, move |_, at: DateTime<Utc>| {
        let state = state.clone();
        async move {
            let today = at.with_timezone(&time::china()).date_naive();
            match send_reminders(&state, today).await {
                Ok(n) => Ok(format!("{n} reminders sent")),
                Err(e) => Err(e.to_string()),
            }
        }
    });
}

/// The reminders of `today` (`plan_reminders`): the measures whose deadline
/// is near over the working-day calendar, less those already done (every
/// target met on the live figures, read province-wide for the measure's
/// cohort); each sent once per measure and deadline. How many were sent.
pub async fn send_reminders(state: &OutcomesState, today: NaiveDate) -> Result<usize, AppError> {
    let db = &state.shell.db;
    let calendar = kernel::calendar::load(db).await?;
    // Ten working days are at most a few weeks, holidays included: read the
    // measures ending within two months and let the rule decide.
    let near: Vec<store::Measure> = store::measures_ending(db, today, today + Duration::days(60))
        .await?
        .into_iter()
        .filter(|m| rules::deadline_near(&calendar, today, m.ends_on))
        .collect();
    let mut cohorts: Vec<i64> = near.iter().map(|m| m.cohort).collect();
    cohorts.sort_unstable();
    cohorts.dedup();
    let mut readings = HashMap::new();
    for cohort in cohorts {
        let keys: Vec<String> = near
            .iter()
            .filter(|m| m.cohort == cohort)
            .flat_map(|m| m.targets.iter().map(|t| t.figure_key.clone()))
            .collect();
        let scope = FigureScope { cohort, institution: None };
        readings.insert(cohort, figures::read_all(state, &keys, scope).await?);
    }
    let due: Vec<store::Measure> = near
        .into_iter()
        .filter(|m| {
            let read = readings.get(&m.cohort);
            let targets: Vec<_> = m
                .targets
                .iter()
                .map(|t| (t.goal, read.and_then(|r| r.get(&t.figure_key).copied().flatten())))
                .collect();
            let standing = rules::measure_state(&calendar, today, m.starts_on, m.ends_on, &targets);
            rules::reminder_due(&calendar, today, m.ends_on, standing)
        })
        .collect();
    Ok(store::send_reminders(db, &due).await?)
}
