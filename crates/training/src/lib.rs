//! Training and mentors (培训与导师, issue 15, measures 12, 13 and 22 of the
//! plan): training classes for guidance teachers and entrepreneurs with
//! attendance and numbered certificates (`classes`), and the mentor pool,
//! course library and one-to-one guidance (`mentors`). Pure rules apart from
//! I/O in each.

pub mod classes;
pub mod mentors;

use kernel::web::{AppState, NavEntry};

pub fn nav() -> Vec<NavEntry> {
    let mut nav = classes::nav();
    nav.extend(mentors::nav());
    nav
}

pub fn routes() -> axum::Router<AppState> {
    axum::Router::new().merge(classes::routes()).merge(mentors::routes())
}
