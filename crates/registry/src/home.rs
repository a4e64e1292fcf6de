//! The home page: a role's own start page; visitors not signed in go to the public portal.

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use kernel::auth::{Actor, Role};
use kernel::web::{AppError, AppState, Ctx};
use kernel::{codes, mask, Locale};

pub fn routes() -> Router<AppState> {
    Router::new().route("/", get(home))
}

/// A headline figure on a start page.
struct Card {
    label: String,
    value: String,
    href: &'static str,
}

/// A graduate's own record, shown on its start page.
struct OwnRecord {
    name: String,
    student_no: String,
    id_number: String,
    institution: String,
    college: String,
    major: String,
    level: String,
    cohort: i64,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage<'a> {
    l: Locale,
    actor: &'a Actor,
    scope_name: String,
    cards: Vec<Card>,
    record: Option<OwnRecord>,
    employer_status: Option<&'static str>,
    /// Why the province or a university turned the employer down.
    review_reason: String,
    /// The areas' sections for the actor's role, as HTML.
    panels: Vec<String>,
}

async fn home(State(state): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    // Visitors who have not signed in read the public portal (the portal crate's
    // /portal, which registry cannot depend on); the sign-in and registration
    // cards are there too. The query (?lang=en) goes along.
    let Some(actor) = &ctx.actor else {
        let query = ctx.here.split_once('?').map(|(_, q)| format!("?{q}")).unwrap_or_default();
        return Ok(axum::response::Redirect::to(&format!("/portal{query}")).into_response());
    };
    let l = ctx.locale;
    let mut cards = Vec::new();
    let mut scope_name = String::new();
    let mut record = None;
    let mut employer_status = None;
    let mut review_reason = String::new();
    let mut panels = Vec::new();
    for (role, panel) in state.panels.iter() {
        if *role == actor.role {
            panels.push(panel(&state, actor, l).await?);
        }
    }
    match actor.role {
        Role::ProvinceAdmin => {
            scope_name = l.pick("全省", "Whole province").to_owned();
            // The totals are kept with the graduates' count for half a minute.
            let (institutions, employers) = crate::stats::province_totals(&state).await?;
            let pending = crate::stats::employers_to_review(&state).await?;
            let cohort = crate::cohorts::latest_year(&state).await?;
            let graduates: i64 = crate::stats::graduates_by_institution(&state, cohort).await?.values().sum();
            cards.push(Card {
                label: l.pick("院校", "Institutions").to_owned(),
                value: institutions.to_string(),
                href: "/registry/institutions",
            });
            cards.push(Card {
                label: format!("{cohort}{}", l.pick("届毕业生", " graduates")),
                value: graduates.to_string(),
                href: "/registry/cohorts",
            });
            cards.push(Card {
                label: l.pick("用人单位", "Employers").to_owned(),
                value: employers.to_string(),
                href: "/registry/employers",
            });
            cards.push(Card {
                label: l.pick("待审核单位", "Employers to review").to_owned(),
                value: pending.to_string(),
                href: "/registry/employers?status=pending",
            });
        }
        Role::UniversityStaff => {
            let inst = actor.institution_id.unwrap_or(0);
            let (name, colleges, majors) = crate::stats::institution_outline(&state, inst).await?;
            scope_name = name;
            cards.push(Card {
                label: l.pick("院系", "Colleges").to_owned(),
                value: colleges.to_string(),
                href: "/registry/institutions",
            });
            cards.push(Card {
                label: l.pick("专业", "Majors").to_owned(),
                value: majors.to_string(),
                href: "/registry/institutions",
            });
            let cohort = crate::cohorts::latest_year(&state).await?;
            let graduates =
                crate::stats::graduates_by_institution(&state, cohort).await?.get(&inst).copied().unwrap_or(0);
            cards.push(Card {
                label: format!("{cohort}{}", l.pick("届毕业生", " graduates")),
                value: graduates.to_string(),
                href: "/registry/cohorts",
            });
        }
        Role::Employer => {
            let id = actor.employer_id.unwrap_or(0);
            if let Some(review) = crate::employers::review_of(&state.db, id).await? {
                scope_name = review.name;
                employer_status = Some(crate::employers::status_label(&review.status, l));
                review_reason = review.reason;
            }
        }
        Role::Graduate => {
            let id = actor.graduate_id.unwrap_or(0);
            record = own_record(&state, id, l).await?;
            scope_name = record.as_ref().map(|r| r.institution.clone()).unwrap_or_default();
        }
        Role::Expert => scope_name = l.pick("评审任务", "Review assignments").to_owned(),
    }
    let page = HomePage { l, actor, scope_name, cards, record, employer_status, review_reason, panels };
    ctx.page(l.pick("工作台", "Workbench"), &page)
}

async fn own_record(state: &AppState, graduate_id: i64, l: Locale) -> Result<Option<OwnRecord>, AppError> {
    let row = state
        .db
        .fetch_optional(
            "SELECT g.name, g.student_no, g.id_number, g.education_level, g.cohort_year, i.name AS institution, c.name AS college, m.name AS major \
             FROM graduates g JOIN institutions i ON i.id = g.institution_id JOIN colleges c ON c.id = g.college_id JOIN majors m ON m.id = g.major_id \
             WHERE g.id = $1",
            &[graduate_id.into()],
        )
        .await?;
    let Some(r) = row else { return Ok(None) };
    Ok(Some(OwnRecord {
        name: r.text("name")?,
        student_no: r.text("student_no")?,
        // The graduate sees its own number, but the page still masks it on screen.
        id_number: mask::id_number(&r.text("id_number")?),
        institution: r.text("institution")?,
        college: r.text("college")?,
        major: r.text("major")?,
        level: codes::label_of_name(&state.db, "education_level", &r.text("education_level")?, l).await?,
        cohort: r.i64("cohort_year")?,
    }))
}
