//! Graduate destinations and statistics (毕业去向与统计): the roster (生源)
//! import first; destinations, agreements, confirmation and reports build on it.

pub mod pages;
pub mod roster;

use kernel::auth::Role;
use kernel::web::NavEntry;

pub use pages::routes;

pub fn nav() -> Vec<NavEntry> {
    vec![NavEntry {
        href: "/outcomes/roster",
        zh: "生源导入",
        en: "Roster import",
        roles: &[Role::ProvinceAdmin, Role::UniversityStaff],
    }]
}
