//! The public portal and the year's oversight (measures 19 and 25 of the plan,
//! and its safeguards): the public site with news, policies and cases and the
//! universities' work news (`site`), the annual employment quality reports with
//! their generated data appendix (`reports`), and the plan board with the
//! universities' returns and the inspection view (`plan`).

pub mod plan;
pub mod reports;
pub mod site;

use kernel::web::figure::Figure;
use kernel::web::NavEntry;
use outcomes::OutcomesState;

pub fn nav() -> Vec<NavEntry> {
    let mut nav = site::nav();
    nav.extend(reports::nav());
    nav.extend(plan::nav());
    nav
}

/// On outcomes' state: the data appendix and the plan board read the
/// statistics projection; handlers that need only the shell take `State<AppState>`.
pub fn routes() -> axum::Router<OutcomesState> {
    axum::Router::new().merge(site::routes()).merge(reports::routes()).merge(plan::routes())
}

/// The live figures the portal's rooms offer the plan board.
pub fn figures() -> Vec<Figure> {
    let mut figures = site::figures();
    figures.extend(reports::figures());
    figures
}
