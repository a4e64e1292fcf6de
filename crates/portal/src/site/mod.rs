//! The public site (门户): news, policies, typical people, cases and projects,
//! and the universities' work news, drafted, reviewed and published.

use kernel::web::figure::Figure;
use kernel::web::NavEntry;
use outcomes::OutcomesState;

pub fn nav() -> Vec<NavEntry> {
    Vec::new()
}

pub fn routes() -> axum::Router<OutcomesState> {
    axum::Router::new()
}

pub fn figures() -> Vec<Figure> {
    Vec::new()
}
