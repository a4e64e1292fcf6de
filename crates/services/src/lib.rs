//! One-stop services (一件事一次办, measure 26 of the plan): the catalogue of
//! service items with their guides, a graduate's request moving through
//! configured steps with deadlines and escalation, the handbook and
//! micro-videos, and the consultation log that feeds the FAQ.

use kernel::web::figure::Figure;
use kernel::web::{AppState, NavEntry};

pub fn nav() -> Vec<NavEntry> {
    Vec::new()
}

pub fn routes() -> axum::Router<AppState> {
    axum::Router::new()
}

/// The live figures services offer the plan board.
pub fn figures() -> Vec<Figure> {
    Vec::new()
}
