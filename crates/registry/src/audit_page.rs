//! The audit log viewer (审计日志) for the province: filter by actor, entity and time.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use chrono::NaiveDate;
use serde::Deserialize;

use kernel::auth::Role;
use kernel::web::listing::{Listing, Match};
use kernel::web::table::{ListUrl, Paging};
use kernel::web::{AppError, AppState, Ctx};
use kernel::{time, DbResult, FromRow, Locale, Row};

pub fn routes() -> Router<AppState> {
    Router::new().route("/admin/audit", get(page))
}

#[derive(Debug, Default, Deserialize)]
struct AuditFilter {
    #[serde(default)]
    actor: String,
    #[serde(default)]
    entity: String,
    #[serde(default)]
    entity_id: String,
    /// China calendar days, inclusive.
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    page: Option<String>,
}

struct Entry {
    id: i64,
    at: String,
    actor: String,
    action: String,
    entity: String,
    entity_id: String,
    before: String,
    after: String,
    client: String,
}

impl Entry {
    const COLUMNS: &str = "id, at, actor_label, action, entity, entity_id, before_json, after_json, client_addr";
}

impl FromRow for Entry {
    fn from_row(r: &Row) -> DbResult<Entry> {
        Ok(Entry {
            id: r.i64("id")?,
            at: time::display(&r.text("at")?),
            actor: r.text("actor_label")?,
            action: r.text("action")?,
            entity: r.text("entity")?,
            entity_id: r.text("entity_id")?,
            before: r.opt_text("before_json")?.unwrap_or_default(),
            after: r.opt_text("after_json")?.unwrap_or_default(),
            client: r.opt_text("client_addr")?.unwrap_or_default(),
        })
    }
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage<'a> {
    l: Locale,
    f: &'a AuditFilter,
    rows: Vec<Entry>,
    pager: String,
    date_error: bool,
}

async fn page(State(state): State<AppState>, ctx: Ctx, Query(f): Query<AuditFilter>) -> Result<Response, AppError> {
    ctx.require(&[Role::ProvinceAdmin])?;
    let parse = |s: &str| {
        if s.is_empty() {
            Ok(None)
        } else {
            NaiveDate::parse_from_str(s, "%Y-%m-%d").map(Some)
        }
    };
    let (from, to) = (parse(&f.from), parse(&f.to));
    let date_error = from.is_err() || to.is_err();
    let mut listing = Listing::new("FROM audit_log")
        .search(&f.actor, &[Match::Contains("actor_label")])
        .equals("entity", &f.entity)
        .equals("entity_id", &f.entity_id);
    if let Ok(Some(day)) = from {
        listing = listing.condition_with("at >= ", time::end_of_china_day(day.pred_opt().unwrap_or(day)));
    }
    if let Ok(Some(day)) = to {
        listing = listing.condition_with("at < ", time::end_of_china_day(day));
    }
    let mut paging = Paging::parse(f.page.as_deref());
    let rows = listing.page(&state.db, Entry::COLUMNS, " ORDER BY id DESC", &mut paging).await?;
    let url = ListUrl::new(
        "/admin/audit",
        &[("actor", &f.actor), ("entity", &f.entity), ("entity_id", &f.entity_id), ("from", &f.from), ("to", &f.to)],
    );
    let pager = paging.html(&url, ctx.locale);
    ctx.page(ctx.t("审计日志", "Audit log"), &AuditPage { l: ctx.locale, f: &f, rows, pager, date_error })
}
