//! The mentor pool (就业创业导师库), one-to-one guidance with mentors and the
//! course library (课程资源库), issue 15.
//!
//! Pure rules in `rules` (the slot-time rules are the appointments' own,
//! `assistance::appointments::rules`); SQL in `pool`, `slots` and `courses`;
//! thin handlers in `pages` (the pool), `slot_pages` (the mentor's slots and
//! the graduate's bookings) and `course_pages` (the library). There is no
//! mentor role: the mentor's pages open for any account with a published
//! mentor record.

pub mod course_pages;
pub mod courses;
pub mod pages;
pub mod pool;
pub mod rules;
pub mod slot_pages;
pub mod slots;

use chrono::{DateTime, Utc};
use kernel::auth::Role;
use kernel::web::{AppState, Menu, NavEntry};
use kernel::{time, Db};

/// The mentor's own page.
pub const MINE: &str = "/training/mentor";

pub fn routes() -> axum::Router<AppState> {
    axum::Router::new().merge(pages::routes()).merge(slot_pages::routes()).merge(course_pages::routes())
}

pub fn nav() -> Vec<NavEntry> {
    let all = &[Role::ProvinceAdmin, Role::UniversityStaff, Role::Employer, Role::Graduate, Role::Expert];
    vec![
        NavEntry {
            href: "/training/mentors",
            zh: "导师库",
            en: "Mentor pool",
            roles: all,
            menu: Some(Menu::Training),
            when: None,
        },
        NavEntry {
            href: MINE,
            zh: "我的指导时段",
            en: "My guidance slots",
            // University staff reach it from the pool's page: a check on every staff page would cost
            // the register and list pages a statement each (tests/it/page_queries.rs).
            roles: &[Role::Employer, Role::Expert],
            menu: Some(Menu::Training),
            when: Some(slot_pages::is_mentor),
        },
        NavEntry {
            href: slots::MINE,
            zh: "导师预约",
            en: "Book a mentor",
            roles: &[Role::Graduate],
            menu: Some(Menu::Training),
            when: None,
        },
        NavEntry {
            href: "/training/mentors/review",
            zh: "导师审核",
            en: "Mentor review",
            roles: &[Role::ProvinceAdmin],
            menu: Some(Menu::Training),
            when: None,
        },
        NavEntry {
            href: "/training/mentors/activity",
            zh: "各校导师活跃情况",
            en: "Mentors active",
            roles: &[Role::ProvinceAdmin, Role::UniversityStaff],
            menu: Some(Menu::Training),
            when: None,
        },
        NavEntry {
            href: "/training/courses",
            zh: "课程资源库",
            en: "Course library",
            roles: all,
            menu: Some(Menu::Training),
            when: None,
        },
    ]
}

/// Sends the mentor reminders due at `now` (China wall clock); what it did, for `job_runs`.
pub async fn remind(db: &Db, now: chrono::NaiveDateTime, hours: u32) -> Result<String, String> {
    match slots::send_reminders(db, now, hours).await {
        Ok(n) => Ok(format!("{n} reminders sent")),
        Err(e) => Err(e.to_string()),
    }
}

fn china(at: DateTime<Utc>) -> chrono::NaiveDateTime {
    at.with_timezone(&time::china()).naive_local()
}

/// Starts the hourly mentor reminders, once per deployment (`kernel::jobs::hourly`), as the appointments' job.
pub fn start(db: Db, hours: u32) {
    kernel::jobs::hourly(db, slots::JOB, move |db, at| async move { remind(&db, china(at), hours).await });
}
