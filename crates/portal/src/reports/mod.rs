//! Annual employment quality reports (就业质量年度报告, measure 19): each
//! institution's PDF by the deadline, the status notice (通报), and the data
//! appendix generated from the institution's own records.

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
