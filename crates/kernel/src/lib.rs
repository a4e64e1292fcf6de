//! The small shared core of Jiuye: database, configuration, accounts and
//! sessions, roles and scopes, the audit log, code tables, validators, i18n,
//! the web shell, spreadsheet import and charts. Platform areas build on it; it knows none of them.

pub mod audit;
pub mod auth;
pub mod calendar;
pub mod chart;
pub mod codes;
pub mod config;
pub mod db;
pub mod files;
pub mod i18n;
pub mod jobs;
pub mod mask;
pub mod pass;
pub mod qr;
pub mod sheet;
pub mod time;
pub mod validate;
pub mod web;

pub use db::{Db, DbError, DbResult, FromRow, Record, Row, Tx, Value};
pub use i18n::Locale;
