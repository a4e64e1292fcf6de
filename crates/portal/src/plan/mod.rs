//! The plan board (工作台账): the year's measures with owners, dates, targets
//! and live figures; the universities' 四到位 returns and contingency plans;
//! the 一把手 inspection view per university.

use kernel::web::NavEntry;
use outcomes::OutcomesState;

pub fn nav() -> Vec<NavEntry> {
    Vec::new()
}

pub fn routes() -> axum::Router<OutcomesState> {
    axum::Router::new()
}
