//! The live figures the board and the inspection view read: the areas' own
//! (`AppState::figures`, by key) and two from outcomes read here, since they
//! come from the statistics projection and the signing page's count rather
//! than from the shell: `outcomes.placement` (毕业去向落实率, as
//! /outcomes/placement) and `outcomes.signing_online` (网签使用, as
//! /outcomes/signing). Every figure of a page is read concurrently.

use std::collections::HashMap;

use futures_util::future::join_all;
use kernel::auth::Scope;
use kernel::web::figure::{self, FigureScope, Reading};
use kernel::web::AppError;
use kernel::{time, Locale};
use outcomes::statistics::{self, Grouping};
use outcomes::OutcomesState;

pub const PLACEMENT: &str = "outcomes.placement";
pub const SIGNING: &str = "outcomes.signing_online";

/// The figures outcomes offers through this module: (key, zh, en, source page).
pub const OUTCOMES: &[(&str, &str, &str, &str)] = &[
    (PLACEMENT, "毕业去向落实率", "Placement rate", "/outcomes/placement"),
    (SIGNING, "通过网签平台签约", "Agreements signed online", "/outcomes/signing"),
];

fn scope_of(s: FigureScope) -> Scope {
    match s.institution {
        Some(institution_id) => Scope::Institution { institution_id, college_id: None },
        None => Scope::Province,
    }
}

/// The placement rate's parts as of today: placed out of graduates.
pub async fn placement(state: &OutcomesState, s: FigureScope) -> Result<Reading, AppError> {
    let d = statistics::definition_of(&state.shell.db, s.cohort, "").await?;
    let today = time::today_china();
    let b =
        statistics::by_group(&state.placements, &scope_of(s), s.cohort, today, Grouping::Institution, d, Locale::Zh)
            .await?;
    Ok(Reading::share(b.total.placed(d) as i64, b.total.graduates as i64))
}

/// Agreement-type destinations signed through the platform, out of all of them.
pub async fn signing(state: &OutcomesState, s: FigureScope) -> Result<Reading, AppError> {
    let usage = outcomes::agreements::signing::usage(&state.shell.db, &scope_of(s), s.cohort).await?;
    Ok(Reading::share(usage.iter().map(|u| u.online).sum(), usage.iter().map(|u| u.agreement_type).sum()))
}

/// The figure's label and source page, if anyone offers it.
pub fn describe(state: &OutcomesState, key: &str, l: Locale) -> Option<(&'static str, &'static str)> {
    if let Some((_, zh, en, source)) = OUTCOMES.iter().find(|f| f.0 == key) {
        return Some((l.pick(zh, en), source));
    }
    figure::find(&state.shell.figures, key).map(|f| (f.label(l), f.source))
}

/// One figure: `None` when no area offers the key.
pub async fn read(state: &OutcomesState, key: &str, s: FigureScope) -> Result<Option<Reading>, AppError> {
    match key {
        PLACEMENT => return placement(state, s).await.map(Some),
        SIGNING => return signing(state, s).await.map(Some),
        _ => {}
    }
    let Some(f) = figure::find(&state.shell.figures, key) else { return Ok(None) };
    if s.institution.is_some() && !f.per_institution {
        return Ok(None);
    }
    (f.compute)(&state.shell, s).await.map(Some)
}

/// Every key once, read concurrently.
pub async fn read_all(
    state: &OutcomesState,
    keys: &[String],
    s: FigureScope,
) -> Result<HashMap<String, Option<Reading>>, AppError> {
    let mut unique: Vec<&String> = keys.iter().collect();
    unique.sort();
    unique.dedup();
    let readings = join_all(unique.iter().map(|k| read(state, k, s))).await;
    unique.into_iter().zip(readings).map(|(k, r)| Ok((k.clone(), r?))).collect()
}

/// A reading as the pages show it: "27", "1 203 / 1 500 (80.2%)".
pub fn show(r: Option<Reading>, l: Locale) -> String {
    match r {
        None => l.pick("暂无数据", "no figure").to_owned(),
        Some(Reading { count, of: None }) => count.to_string(),
        Some(r @ Reading { count, of: Some(of) }) => match r.percent() {
            Some(p) => format!("{count} / {of} ({p:.2}%)"),
            None => format!("{count} / {of}"),
        },
    }
}
