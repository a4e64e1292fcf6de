//! Accounts, roles and scopes, sessions, login throttling and API tokens.

pub mod login;
pub mod password;
mod scope;
pub mod secret;
pub mod session;
pub mod throttle;

pub use scope::{OutOfScope, Owner, Owners, Scope};
pub use secret::SigningKey;
pub use session::{create_session, delete_session, issue_api_token, lookup_api_token, lookup_session, SESSION_DAYS};
pub use throttle::THROTTLE_LIMIT;

use serde::Serialize;

use crate::db::{DbResult, Row};

/// What kind of user an account is (角色).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 省教育厅 staff: the whole province.
    ProvinceAdmin,
    /// 高校就业办 staff: one institution, optionally one college (院系).
    UniversityStaff,
    /// 用人单位 HR: one employer.
    Employer,
    /// 毕业生: only itself.
    Graduate,
    /// 评审专家: only what it is assigned.
    Expert,
}

impl Role {
    pub const ALL: [Role; 5] =
        [Role::ProvinceAdmin, Role::UniversityStaff, Role::Employer, Role::Graduate, Role::Expert];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::ProvinceAdmin => "province_admin",
            Role::UniversityStaff => "university_staff",
            Role::Employer => "employer",
            Role::Graduate => "graduate",
            Role::Expert => "expert",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    pub fn label(self, locale: crate::i18n::Locale) -> &'static str {
        match self {
            Role::ProvinceAdmin => locale.pick("省级管理员", "Province admin"),
            Role::UniversityStaff => locale.pick("高校工作人员", "University staff"),
            Role::Employer => locale.pick("用人单位", "Employer"),
            Role::Graduate => locale.pick("毕业生", "Graduate"),
            Role::Expert => locale.pick("评审专家", "Expert reviewer"),
        }
    }
}

/// The signed-in account behind a request.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Actor {
    pub account_id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub institution_id: Option<i64>,
    pub college_id: Option<i64>,
    pub employer_id: Option<i64>,
    pub graduate_id: Option<i64>,
}

impl Actor {
    pub const ACCOUNT_COLUMNS: &'static str =
        "a.id, a.username, a.display_name, a.role, a.institution_id, a.college_id, a.employer_id, a.graduate_id";

    pub fn from_row(row: &Row) -> DbResult<Option<Actor>> {
        let Some(role) = Role::parse(&row.text("role")?) else {
            return Ok(None);
        };
        Ok(Some(Actor {
            account_id: row.i64("id")?,
            username: row.text("username")?,
            display_name: row.text("display_name")?,
            role,
            institution_id: row.opt_i64("institution_id")?,
            college_id: row.opt_i64("college_id")?,
            employer_id: row.opt_i64("employer_id")?,
            graduate_id: row.opt_i64("graduate_id")?,
        }))
    }

    pub fn scope(&self) -> Scope {
        match self.role {
            Role::ProvinceAdmin => Scope::Province,
            Role::UniversityStaff => match self.institution_id {
                Some(institution_id) => Scope::Institution { institution_id, college_id: self.college_id },
                None => Scope::Nothing,
            },
            Role::Employer => {
                self.employer_id.map(|employer_id| Scope::Employer { employer_id }).unwrap_or(Scope::Nothing)
            }
            Role::Graduate => {
                self.graduate_id.map(|graduate_id| Scope::Graduate { graduate_id }).unwrap_or(Scope::Nothing)
            }
            Role::Expert => Scope::Nothing,
        }
    }

    /// Whether this role sees full ID and phone numbers of the people in its scope.
    pub fn sees_personal_numbers(&self) -> bool {
        matches!(self.role, Role::UniversityStaff | Role::Graduate)
    }
}
