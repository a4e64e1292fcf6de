//! Expert review: the pool, conflicts of interest, assignment, scores, normalisation and ranking.
//!
//! Pure rules: `conflicts` (回避), `assignment` (a min-cost flow over `flow`),
//! `scores` (weighted totals, trimmed mean, z-scores, spread, ranking,
//! decision within quotas) and `pool` (the pool's forms and import columns), `round` (a call's review
//! round: settings, marks, ranking, decision); the working-day calendar
//! they edit and count on is `kernel::calendar`. SQL lives in `store` and
//! `round_store`; `pages` (pool, calendar), `round_pages` (the province's
//! round of a call) and `expert_pages` (the expert's reviews) are thin.

pub mod assignment;
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

use std::collections::HashMap;

use kernel::auth::Role;
use kernel::web::{AppState, Menu, NavEntry};
use kernel::{Db, DbResult};

use crate::calls::store::{self as calls, Application, Call};
use round::{Dim, Ranked};
use round_store::{Assignment, Round};
use scores::Mark;

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

/// The call's rubric as marking sees it.
pub async fn dims(db: &Db, call: i64) -> DbResult<Vec<Dim>> {
    Ok(calls::rubric(db, call)
        .await?
        .into_iter()
        .map(|(id, d)| Dim { id, points: d.points, weight: d.weight, track: d.track })
        .collect())
}

/// Each submitted assignment's total, as marks for the ranking.
fn submitted_marks(
    assignments: &[Assignment],
    marks: &HashMap<i64, HashMap<i64, i64>>,
    apps: &[Application],
    rubric: &[Dim],
) -> Vec<Mark> {
    let track: HashMap<i64, &str> = apps.iter().map(|a| (a.id, a.track.as_str())).collect();
    assignments
        .iter()
        .filter(|s| s.state == round::SUBMITTED)
        .filter_map(|s| {
            let dims = round::dims_for(rubric, track.get(&s.application_id)?);
            let total = round::total(&dims, marks.get(&s.id)?)?;
            Some(Mark { expert: s.expert_id, application: s.application_id, total })
        })
        .collect()
}

/// The ranking of a call's round from its submitted marks, given what the caller read already.
pub async fn ranking_of(
    db: &Db,
    call: i64,
    r: &Round,
    apps: &[Application],
    assignments: &[Assignment],
) -> DbResult<Vec<Ranked>> {
    let rubric = dims(db, call).await?;
    let marks = round_store::call_marks(db, call).await?;
    let m = submitted_marks(assignments, &marks, apps, &rubric);
    Ok(round::ranking(&m, r.settings.method, &r.settings.spread_rule()))
}

/// Each reviewed application's final score (normalised by the round's method), for a
/// notice that shows scores; empty when the call had no review round.
pub async fn final_scores(db: &Db, c: &Call) -> DbResult<HashMap<i64, f64>> {
    let Some(r) = round_store::round(db, c.id).await? else {
        return Ok(HashMap::new());
    };
    let apps = calls::applications(db, c.id, None, Some(round::review_status(&c.rounds))).await?;
    let assignments = round_store::assignments(db, c.id).await?;
    Ok(ranking_of(db, c.id, &r, &apps, &assignments).await?.into_iter().map(|x| (x.application, x.score)).collect())
}
