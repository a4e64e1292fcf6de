//! Error reports kept for download: a refused import's .xlsx, readable only by
//! the account that uploaded the file, behind a random token.

use axum::extract::{Path, State};
use axum::response::Response;
use base64::Engine;

use crate::auth::session;
use crate::db::{Db, DbResult};
use crate::time;
use crate::web::{AppError, AppState, Ctx};

/// Where a kept report is downloaded.
pub fn url(token: &str) -> String {
    format!("/imports/reports/{token}")
}

/// Keeps a report for `account_id`; the token to fetch it by.
pub async fn keep(db: &Db, account_id: i64, file_name: &str, report: &[u8]) -> DbResult<String> {
    let token = session::random_token();
    let mut tx = db.begin().await?;
    tx.execute(
        "INSERT INTO import_reports (token_hash, account_id, file_name, content_base64, created_at) VALUES ($1, $2, $3, $4, $5)",
        &[
            session::token_hash(&token).into(),
            account_id.into(),
            file_name.into(),
            base64::engine::general_purpose::STANDARD.encode(report).into(),
            time::now_utc().into(),
        ],
    )
    .await?;
    tx.commit().await?;
    Ok(token)
}

/// `GET /imports/reports/{token}`: the report, named after the uploaded file.
pub async fn download(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(token): Path<String>,
) -> Result<Response, AppError> {
    let actor = ctx.actor()?;
    let row = state
        .db
        .fetch_optional(
            "SELECT account_id, file_name, content_base64 FROM import_reports WHERE token_hash = $1",
            &[session::token_hash(&token).into()],
        )
        .await?
        .ok_or(AppError::NotFound)?;
    if row.i64("account_id")? != actor.account_id {
        return Err(AppError::Forbidden);
    }
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(row.text("content_base64")?)
        .map_err(|e| AppError::Internal(anyhow::anyhow!(e)))?;
    let stem = row.text("file_name")?;
    let stem = stem.rsplit_once('.').map(|(s, _)| s.to_owned()).unwrap_or(stem);
    let name = format!("{stem}-{}.xlsx", ctx.t("错误报告", "errors"));
    Ok(crate::web::export::attachment(crate::web::export::XLSX, &name, bytes))
}
