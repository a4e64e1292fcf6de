//! Training and mentors (培训与导师, issue 15, measures 12, 13 and 22 of the
//! plan): training classes for guidance teachers and entrepreneurs with
//! attendance and numbered certificates (`classes`), and the mentor pool,
//! course library and one-to-one guidance (`mentors`). Pure rules apart from
//! I/O in each.

pub mod classes;
pub mod mentors;

use kernel::web::{AppState, NavEntry};

pub fn nav() -> Vec<NavEntry> {
    let mut nav = classes::nav();
    nav.extend(mentors::nav());
    nav
}

pub fn routes() -> axum::Router<AppState> {
    axum::Router::new().merge(classes::routes()).merge(mentors::routes())
}

/// The live figures training offers the plan board: guidance-teacher classes
/// (kind 01) held, i.e. whose last session day has passed, from the classes' list.
pub fn figures() -> Vec<kernel::web::figure::Figure> {
    use kernel::web::figure::{Computing as Out, Figure, FigureScope, Reading};
    fn classes(state: &AppState, s: FigureScope) -> Out<'_> {
        Box::pin(async move {
            let today = kernel::time::today_china().to_string();
            let held = classes::store::list(&state.db)
                .await?
                .into_iter()
                .filter(|c| c.kind == "01" && !c.last_day.is_empty() && c.last_day < today)
                .filter(|c| s.institution.is_none() || c.organiser == s.institution)
                .count();
            Ok(Reading::count(held as i64))
        })
    }
    vec![Figure {
        key: "training.classes",
        zh: "就业创业指导师资培训班（已举办）",
        en: "Guidance-teacher classes held",
        source: "/training/classes",
        per_institution: false,
        compute: classes,
    }]
}
