//! The registry (基础信息): the shared nouns every area uses — regions,
//! institutions with their colleges and majors, cohorts, employers — and the
//! administration around them: accounts, API tokens and the audit log viewer.

pub mod accounts;
pub mod api;
pub mod audit_names;
pub mod audit_page;
pub mod cohorts;
pub mod employers;
mod error;
pub mod gate;
pub mod graduates;
pub mod home;
pub mod institutions;
pub mod notices;
pub mod reference;
pub mod scope;
pub mod seed;
pub mod stats;
pub mod tokens;

pub use error::RegistryError;

pub use graduates::COLUMNS as GRADUATE_COLUMNS;

use axum::Router;
use utoipa_axum::router::OpenApiRouter;

use kernel::auth::Role;
use kernel::web::{AppState, Menu, NavEntry};

/// The registry's pages; its JSON API is [`api()`].
pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(home::routes())
        .merge(institutions::routes())
        .merge(employers::routes())
        .merge(reference::routes())
        .merge(accounts::routes())
        .merge(audit_page::routes())
        .merge(tokens::routes())
        .merge(notices::routes())
}

/// The registry's JSON API, each route with its OpenAPI entry (see the
/// [`api`](mod@api) module).
pub fn api() -> OpenApiRouter<AppState> {
    api::routes()
}

const PROVINCE: &[Role] = &[Role::ProvinceAdmin];
const STAFF: &[Role] = &[Role::ProvinceAdmin, Role::UniversityStaff];

/// The registry's links in the navigation, by role.
pub fn nav() -> Vec<NavEntry> {
    vec![
        NavEntry { href: "/", zh: "首页", en: "Home", roles: &[], menu: None, when: None },
        NavEntry {
            href: "/employers/register",
            zh: "单位注册",
            en: "Employer registration",
            roles: &[],
            menu: None,
            when: None,
        },
        NavEntry {
            href: "/",
            zh: "工作台",
            en: "Workbench",
            roles: &[Role::ProvinceAdmin, Role::UniversityStaff, Role::Employer, Role::Graduate, Role::Expert],
            menu: None,
            when: None,
        },
        NavEntry {
            href: "/messages",
            zh: "我的消息",
            en: "Messages",
            roles: &[Role::ProvinceAdmin, Role::UniversityStaff, Role::Employer, Role::Graduate, Role::Expert],
            menu: None,
            when: None,
        },
        NavEntry {
            href: "/registry/institutions",
            zh: "院校",
            en: "Institutions",
            roles: STAFF,
            menu: Some(Menu::Registry),
            when: None,
        },
        NavEntry {
            href: "/registry/employers",
            zh: "用人单位",
            en: "Employers",
            roles: &[Role::ProvinceAdmin, Role::UniversityStaff, Role::Employer],
            menu: Some(Menu::Registry),
            when: None,
        },
        NavEntry {
            href: "/registry/majors",
            zh: "专业目录",
            en: "Majors",
            roles: STAFF,
            menu: Some(Menu::Registry),
            when: None,
        },
        NavEntry {
            href: "/registry/regions",
            zh: "行政区划",
            en: "Regions",
            roles: STAFF,
            menu: Some(Menu::Registry),
            when: None,
        },
        NavEntry {
            href: "/registry/cohorts",
            zh: "届别",
            en: "Cohorts",
            roles: STAFF,
            menu: Some(Menu::Registry),
            when: None,
        },
        NavEntry {
            href: "/registry/codes",
            zh: "代码表",
            en: "Codes",
            roles: STAFF,
            menu: Some(Menu::Registry),
            when: None,
        },
        NavEntry {
            href: "/admin/accounts",
            zh: "账号",
            en: "Accounts",
            roles: STAFF,
            menu: Some(Menu::Admin),
            when: None,
        },
        NavEntry {
            href: "/admin/audit",
            zh: "审计日志",
            en: "Audit log",
            roles: PROVINCE,
            menu: Some(Menu::Admin),
            when: None,
        },
        NavEntry {
            href: "/admin/tokens",
            zh: "接口令牌",
            en: "API tokens",
            roles: PROVINCE,
            menu: Some(Menu::Admin),
            when: None,
        },
    ]
}
