//! Archive transfer (档案转递, measure 24 of the plan): each graduate's archive
//! receiver, the batch workflow from confirmed receiver to received (or
//! returned), the transfer number a receiving office checks publicly, and the
//! figures the province and institutions follow.

use kernel::web::figure::Figure;
use kernel::web::{AppState, NavEntry};

pub fn nav() -> Vec<NavEntry> {
    Vec::new()
}

pub fn routes() -> axum::Router<AppState> {
    axum::Router::new()
}

/// The live figures archives offer the plan board.
pub fn figures() -> Vec<Figure> {
    Vec::new()
}
