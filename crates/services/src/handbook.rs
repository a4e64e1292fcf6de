//! The handbook (业务办理操作手册) the province keeps as pages: sections with
//! text, searched by a Chinese substring over title and body. Micro-videos
//! are not kept here yet.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use serde::Deserialize;
use serde_json::json;

use kernel::audit::{self, AuditActor, Change};
use kernel::auth::Role;
use kernel::db::{like_pattern, Record};
use kernel::web::{redirect_with_flash, AppError, AppState, CsrfForm, Ctx};
use kernel::{time, Db, DbResult, Locale, Tx};

const MAX_TITLE: usize = 100;
const MAX_BODY: usize = 20_000;

/// Checks a section: a title and a body within their lengths.
pub fn check_section(title: &str, body: &str, l: Locale) -> Result<(), String> {
    if title.is_empty() || title.chars().count() > MAX_TITLE || body.is_empty() || body.chars().count() > MAX_BODY {
        return Err(l
            .pick(
                "请填写章节标题（100 字以内）和正文（2 万字以内）。",
                "Give a title (at most 100 characters) and a text (at most 20,000).",
            )
            .to_owned());
    }
    Ok(())
}

/// A section: (id, title, body).
pub type Section = (i64, String, String);

/// The sections whose title or body holds `q` (all when empty), in order.
pub async fn sections(db: &Db, q: &str) -> DbResult<Vec<Section>> {
    let rows = if q.is_empty() {
        db.fetch_all("SELECT id, title, body FROM service_handbook ORDER BY id", &[]).await?
    } else {
        let p = like_pattern(q);
        db.fetch_all(
            "SELECT id, title, body FROM service_handbook WHERE title LIKE $1 ESCAPE '\\' OR body LIKE $2 ESCAPE '\\' ORDER BY id",
            &[p.as_str().into(), p.as_str().into()],
        )
        .await?
    };
    rows.iter().map(|r| Ok((r.i64("id")?, r.text("title")?, r.text("body")?))).collect()
}

pub async fn add_section(tx: &mut Tx, who: &AuditActor, title: &str, body: &str) -> DbResult<i64> {
    let row = Record::new()
        .set("title", title)
        .set("body", body)
        .set("updated_at", time::now_utc())
        .set("updated_by_label", who.label.as_str());
    let id = tx.insert_id("service_handbook", row).await?;
    audit::record(tx, who, Change::created("service_handbook", id, json!({ "title": title, "body": body }))).await?;
    Ok(id)
}

pub fn routes() -> Router<AppState> {
    Router::new().route("/services/handbook", get(handbook_page).post(add))
}

#[derive(Deserialize, Default)]
struct Search {
    #[serde(default)]
    q: String,
}

#[derive(Template)]
#[template(path = "handbook.html")]
struct HandbookPage<'a> {
    ctx: &'a Ctx,
    l: Locale,
    q: String,
    province: bool,
    sections: Vec<Section>,
    error: String,
}

async fn render(state: &AppState, ctx: &Ctx, q: String, error: String) -> Result<Response, AppError> {
    let province = ctx.actor.as_ref().is_some_and(|a| a.role == Role::ProvinceAdmin);
    let sections = sections(&state.db, q.trim()).await?;
    let page = HandbookPage { ctx, l: ctx.locale, q, province, sections, error };
    ctx.page(ctx.t("业务办理操作手册", "Procedures handbook"), &page)
}

async fn handbook_page(State(state): State<AppState>, ctx: Ctx, Query(s): Query<Search>) -> Result<Response, AppError> {
    render(&state, &ctx, s.q, String::new()).await
}

async fn add(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    ctx.require(&[Role::ProvinceAdmin])?;
    let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.trim().to_owned()).unwrap_or_default();
    let (title, body) = (get("title"), get("body"));
    if let Err(e) = check_section(&title, &body, ctx.locale) {
        return render(&state, &ctx, String::new(), e).await;
    }
    let mut tx = state.db.begin().await?;
    add_section(&mut tx, &ctx.audit_actor(), &title, &body).await?;
    tx.commit().await?;
    Ok(redirect_with_flash("/services/handbook", ctx.t("章节已添加。", "Section added.")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_section_needs_title_and_text() {
        assert!(check_section("报到", "到接收单位报到。", Locale::Zh).is_ok());
        assert!(check_section("", "x", Locale::Zh).is_err());
        assert!(check_section("x", "", Locale::Zh).is_err());
    }
}
