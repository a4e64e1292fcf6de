//! The graduate's part of the workbench (工作台, the home page): the current
//! destination and the agreement invitations waiting for an answer, each with
//! the link to act on it.

use std::future::Future;
use std::pin::Pin;

use askama::Template;

use kernel::auth::{Actor, Role};
use kernel::web::table::{KeyPaging, KeyQuery};
use kernel::web::{AppError, AppState, Panel};
use kernel::Locale;

use crate::agreements::{self, flow::Status, Agreement, ListFilter};
use crate::destinations::{self, pages::confirmation_label, Current};

/// Outcomes' sections of the workbench, by role.
pub fn panels() -> Vec<(Role, Panel)> {
    vec![(Role::Graduate, graduate)]
}

#[derive(Template)]
#[template(path = "workbench.html")]
struct GraduatePanel {
    l: Locale,
    d: Current,
    invitations: Vec<Agreement>,
}

impl GraduatePanel {
    fn confirmation(&self) -> &'static str {
        confirmation_label(&self.d.confirmation, self.l)
    }
}

fn graduate<'a>(
    state: &'a AppState,
    actor: &'a Actor,
    l: Locale,
) -> Pin<Box<dyn Future<Output = Result<String, AppError>> + Send + 'a>> {
    Box::pin(async move {
        let Some(id) = actor.graduate_id else { return Ok(String::new()) };
        let d = destinations::current(&state.db, id, l).await?;
        let waiting = ListFilter { status: Status::Invited.key().to_owned(), ..ListFilter::default() };
        let mut first = KeyPaging::parse(&KeyQuery::default());
        let invitations = agreements::list(&state.db, &state.cache, &actor.scope(), &waiting, &mut first).await?;
        Ok(GraduatePanel { l, d, invitations }.render()?)
    })
}
