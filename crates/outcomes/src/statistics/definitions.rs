//! 统计说明: what the placement rate counts under each definition, with the
//! destination codes of the latest cohort's list in each part, so the
//! "口径见统计说明" under a report leads somewhere. The rules are those of
//! `docs/domain/rates.md`; which code counts where is the code table's.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use axum::Router;

use kernel::codes::{self, Code};
use kernel::web::{AppError, AppState, Ctx};
use kernel::Locale;

use super::rates::Definition;

pub const PATH: &str = "/outcomes/definitions";

pub fn routes() -> Router<crate::OutcomesState> {
    Router::new().route(PATH, get(page))
}

/// One part of a definition's rate and the destination codes it counts.
pub struct Part {
    pub label: &'static str,
    /// "code name" of each destination in the part.
    pub codes: Vec<String>,
}

/// A definition as the page explains it.
pub struct Explained {
    pub title: &'static str,
    pub parts: Vec<Part>,
}

/// The parts of `d`, each with the codes of `list` that its bucket column puts there.
pub fn explain(d: Definition, list: &[Code], l: Locale) -> Explained {
    let bucket_of = |c: &Code| match d {
        Definition::V2021 => c.bucket_2021.clone(),
        Definition::V2024 => c.bucket_2024.clone(),
    };
    let parts = d
        .parts()
        .iter()
        .map(|part| Part {
            label: Definition::part_label(part, l),
            codes: list
                .iter()
                .filter(|c| bucket_of(c).as_deref() == Some(*part))
                .map(|c| format!("{} {}", c.code, c.label(l)))
                .collect(),
        })
        .collect();
    Explained { title: d.title(l), parts }
}

#[derive(Template)]
#[template(path = "definitions.html")]
struct DefinitionsPage {
    l: Locale,
    cohort: i64,
    definitions: Vec<Explained>,
}

async fn page(State(state): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    let cohort = registry::cohorts::latest(&state.db).await?;
    let (year, version) = cohort.map(|c| (c.year, c.destination_version)).unwrap_or_default();
    let list = codes::list(&state.db, "destination", &version).await?;
    let definitions = [Definition::V2021, Definition::V2024].iter().map(|d| explain(*d, &list, ctx.locale)).collect();
    ctx.page(
        ctx.t("统计说明：毕业去向落实率", "Definitions: the placement rate"),
        &DefinitionsPage { l: ctx.locale, cohort: year, definitions },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_part_lists_the_codes_its_bucket_holds() {
        let all = codes::embedded().unwrap();
        let list: Vec<Code> = all.into_iter().filter(|c| c.kind == "destination" && c.version == "2021").collect();
        let e = explain(Definition::V2021, &list, Locale::En);
        assert_eq!(e.parts.len(), 4);
        assert!(e.parts[0].codes.contains(&"10 Employment agreement".to_owned()), "{:?}", e.parts[0].codes);
        assert!(e.parts.iter().all(|p| !p.codes.iter().any(|c| c.starts_with("70 "))), "待就业 is not placed");
    }
}
