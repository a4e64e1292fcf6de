//! Key-group assistance (重点群体帮扶, issue 14, measures 20 and 21 of the
//! plan): the register of graduates in key groups, one file and one plan per
//! person (一人一档、一人一策), the helpers, the ledger of assistance given
//! (policy briefings, guidance, job referrals with the graduate's answer,
//! trainings, fair invitations, subsidies) and its coverage against the
//! service standard ("1131" by default, kept per cohort as data).
//!
//! Pure rules apart from I/O: `coverage` (the standard met or short, per
//! graduate, helper and institution) and `suggest` (open postings matched to
//! a graduate). SQL lives in `store`; `pages` and `my_pages` are thin.

pub mod appointments;
pub mod bases;
pub mod coverage;
pub mod handover;
pub mod my_pages;
pub mod pages;
pub mod store;
pub mod suggest;
pub mod trainings;

use kernel::auth::Role;
use kernel::web::{NavEntry, Panel};

pub use pages::routes;

/// The ledger's kinds are a code table; these three carry their own fields
/// (a posting and the graduate's answer, a fair, a subsidy's amount and dates).
pub const KINDS: &str = "assistance_kind";
/// Career guidance (职业指导): what a held appointment enters in the ledger.
pub const GUIDANCE: &str = "02";
pub const REFERRAL: &str = "03";
pub const FAIR_INVITATION: &str = "05";
pub const SUBSIDY: &str = "06";
/// The key-group categories' code table.
pub const CATEGORIES: &str = "key_group";

pub fn nav() -> Vec<NavEntry> {
    vec![
        NavEntry {
            href: "/assistance",
            zh: "重点群体名册",
            en: "Key-group register",
            roles: &[Role::ProvinceAdmin, Role::UniversityStaff],
            menu: Some(kernel::web::Menu::Assistance),
            when: None,
        },
        NavEntry {
            href: "/assistance/coverage",
            zh: "帮扶覆盖",
            en: "Assistance coverage",
            roles: &[Role::ProvinceAdmin, Role::UniversityStaff],
            menu: Some(kernel::web::Menu::Statistics),
            when: None,
        },
        NavEntry {
            href: "/assistance/calendar",
            zh: "指导预约",
            en: "Guidance calendar",
            roles: &[Role::UniversityStaff],
            menu: Some(kernel::web::Menu::Assistance),
            when: None,
        },
        // Graduates in the register only: the check answers for the signed-in person alone.
        NavEntry {
            href: "/me/assistance",
            zh: "帮扶",
            en: "Assistance",
            roles: &[Role::Graduate],
            menu: None,
            when: Some(appointments::pages::in_register),
        },
        NavEntry {
            href: "/assistance/trainings",
            zh: "重点群体培训",
            en: "Key-group trainings",
            roles: &[Role::ProvinceAdmin, Role::UniversityStaff],
            menu: Some(kernel::web::Menu::Assistance),
            when: None,
        },
        NavEntry {
            href: "/assistance/bases",
            zh: "培训基地",
            en: "Training bases",
            roles: &[Role::ProvinceAdmin, Role::UniversityStaff],
            menu: Some(kernel::web::Menu::Assistance),
            when: None,
        },
        NavEntry {
            href: "/assistance/trainings/table",
            zh: "重点群体培训统计",
            en: "Key-group trainings by institution",
            roles: &[Role::ProvinceAdmin, Role::UniversityStaff],
            menu: Some(kernel::web::Menu::Statistics),
            when: None,
        },
    ]
}

/// The graduate's workbench section: a link to its plan, shown only to a
/// graduate in the register (the bar's links are per role, not per person).
pub fn panels() -> Vec<(Role, Panel)> {
    vec![(Role::Graduate, my_pages::panel), (Role::Graduate, trainings::my_pages::panel)]
}

/// The live figures assistance offers the plan board: trainings for key
/// groups held (ended, not cancelled), from the trainings' list.
pub fn figures() -> Vec<kernel::web::figure::Figure> {
    use kernel::web::figure::{Computing as Out, Figure, FigureScope, Reading};
    fn trainings(state: &kernel::web::AppState, s: FigureScope) -> Out<'_> {
        Box::pin(async move {
            let today = kernel::time::today_china().to_string();
            let held = trainings::store::list(&state.db, None)
                .await?
                .into_iter()
                .filter(|t| !t.is_cancelled() && t.ends_on < today)
                .filter(|t| s.institution.is_none() || t.host_institution == s.institution)
                .count();
            Ok(Reading::count(held as i64))
        })
    }
    vec![Figure {
        key: "assistance.trainings",
        zh: "重点群体专题就业指导培训（已举办）",
        en: "Key-group guidance trainings held",
        source: "/assistance/trainings",
        per_institution: false,
        compute: trainings,
    }]
}
