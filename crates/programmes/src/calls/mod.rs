//! Calls (批次): their dates, eligibility, quotas, form and rubric, and the applications made to them.
//!
//! `rules` is pure (the call's configuration read from its form, eligibility
//! rules, quotas, answers); SQL lives in `store`; `pages` is thin.

pub mod pages;
pub mod rules;
pub mod store;
