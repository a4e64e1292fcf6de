//! The mentor pool (就业创业导师库), the course library and one-to-one guidance.

use kernel::web::{AppState, NavEntry};

pub fn routes() -> axum::Router<AppState> {
    axum::Router::new()
}

pub fn nav() -> Vec<NavEntry> {
    Vec::new()
}
