//! The one integration-test binary: every module drives the real router on a
//! fresh database (SQLite, or PostgreSQL with JIUYE_TEST_DATABASE_URL).

mod access;
mod accounts;
mod agreements;
mod api;
mod api_write;
mod audit;
mod audit_search;
mod auth;
mod bad_input;
mod briefing;
mod browser;
mod data_out;
mod demo_fairs;
mod demo_recruitment;
mod destinations;
mod employer_network;
mod employers;
mod evidence;
mod fairs;
mod fairs_api;
mod fairs_browser;
mod first_use;
mod forms;
mod job_search;
mod lists;
mod outside_lists;
mod recruitment;
mod recruitment_browser;
mod registry;
mod roster;
mod sheets;
mod sign_in;
mod support;
mod uploads;
mod verification;
