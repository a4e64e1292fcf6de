//! Programmes and reviews (项目评审, issue 15, measures 10, 11, 14, 15, 16
//! and 23 of the plan): one workflow for every call (批次), configured rather
//! than coded per call type: research projects, mentor studios, incubation
//! bases, training-base selection, competition rounds and roadshows.
//!
//! `calls` holds a call, its form and rubric, and the applications made to
//! it; `review` the expert pool, conflict-free assignment, scoring,
//! normalisation and ranking. Pure rules apart from I/O in each.

pub mod calls;
pub mod review;

use kernel::web::{AppState, NavEntry};

pub fn nav() -> Vec<NavEntry> {
    review::nav()
}

pub fn routes() -> axum::Router<AppState> {
    axum::Router::new().merge(review::routes())
}
