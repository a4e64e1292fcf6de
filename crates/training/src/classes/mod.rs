//! Training classes (培训班): curriculum, enrolment within quotas, check-in, assessment and numbered certificates.

use kernel::web::{AppState, NavEntry};

pub fn routes() -> axum::Router<AppState> {
    axum::Router::new()
}

pub fn nav() -> Vec<NavEntry> {
    Vec::new()
}
