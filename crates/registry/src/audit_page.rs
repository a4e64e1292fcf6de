//! The audit log viewer (审计日志) for the province: filter by actor, entity and time.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use chrono::NaiveDate;
use serde::Deserialize;

use kernel::auth::Role;
use kernel::db::{like_pattern, SqlBuilder};
use kernel::web::table::{ListUrl, Paging};
use kernel::web::{AppError, AppState, Ctx};
use kernel::{time, Locale};

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
    let mut w = SqlBuilder::new(" WHERE 1 = 1");
    if !f.actor.trim().is_empty() {
        w.push(" AND actor_label LIKE ").bind(like_pattern(f.actor.trim())).push(" ESCAPE '\\'");
    }
    if !f.entity.is_empty() {
        w.push(" AND entity = ").bind(f.entity.trim());
    }
    if !f.entity_id.is_empty() {
        w.push(" AND entity_id = ").bind(f.entity_id.trim());
    }
    let parse = |s: &str| {
        if s.is_empty() {
            Ok(None)
        } else {
            NaiveDate::parse_from_str(s, "%Y-%m-%d").map(Some)
        }
    };
    let (from, to) = (parse(&f.from), parse(&f.to));
    let date_error = from.is_err() || to.is_err();
    if let Ok(Some(day)) = from {
        w.push(" AND at >= ").bind(time::end_of_china_day(day.pred_opt().unwrap_or(day)));
    }
    if let Ok(Some(day)) = to {
        w.push(" AND at < ").bind(time::end_of_china_day(day));
    }
    let mut paging = Paging::parse(f.page.as_deref());
    paging.total = state.db.scalar_i64(&format!("SELECT COUNT(*) AS n FROM audit_log{}", w.sql), &w.params).await?;
    let sql = format!(
        "SELECT id, at, actor_label, action, entity, entity_id, before_json, after_json, client_addr FROM audit_log{} ORDER BY id DESC{}",
        w.sql,
        paging.limit_sql()
    );
    let rows = state
        .db
        .fetch_all(&sql, &w.params)
        .await?
        .iter()
        .map(|r| {
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
        })
        .collect::<kernel::DbResult<_>>()?;
    let url = ListUrl::new(
        "/admin/audit",
        &[("actor", &f.actor), ("entity", &f.entity), ("entity_id", &f.entity_id), ("from", &f.from), ("to", &f.to)],
    );
    let pager = paging.html(&url, ctx.locale);
    ctx.page(ctx.t("审计日志", "Audit log"), &AuditPage { l: ctx.locale, f: &f, rows, pager, date_error })
}
