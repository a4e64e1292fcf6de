//! Error reports kept for download: a refused import's .xlsx, which holds the
//! uploaded rows, ID numbers included (issue 10). Behind a random token,
//! readable only by the account that uploaded the file and by the province:
//! not by the institution's other accounts, whose staff can upload the file
//! themselves. Each download is recorded as a view of personal data. Reports
//! older than `--import-reports-days` are deleted: by every new report, as a
//! failed login forgets stale ones, and by `sweep_every` on each app server,
//! at start and hourly; a sweep that finds them gone deletes nothing.

use std::time::Duration as StdDuration;

use axum::extract::{Path, State};
use axum::response::Response;
use base64::Engine;
use chrono::{Duration, Utc};

use crate::audit::{self, AuditActor, Change, Subject};
use crate::auth::{session, Actor, Role};
use crate::db::{Db, DbResult, Tx};
use crate::i18n::Locale;
use crate::time;
use crate::web::{AppError, AppState, Ctx};

/// How often each app server deletes expired reports.
const SWEEP_EVERY: StdDuration = StdDuration::from_secs(60 * 60);

/// Where a kept report is downloaded.
pub fn url(token: &str) -> String {
    format!("/imports/reports/{token}")
}

/// Keeps a report for its uploader (account and institution); the token to
/// fetch it by. Reports past `days` go in the same transaction.
pub async fn keep(db: &Db, uploader: &Actor, file_name: &str, report: &[u8], days: u32) -> DbResult<String> {
    let token = session::random_token();
    let mut tx = db.begin().await?;
    sweep_in(&mut tx, days).await?;
    tx.execute(
        "INSERT INTO import_reports (token_hash, account_id, institution_id, file_name, content_base64, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
        &[
            session::token_hash(&token).into(),
            uploader.account_id.into(),
            uploader.institution_id.into(),
            file_name.into(),
            base64::engine::general_purpose::STANDARD.encode(report).into(),
            time::now_utc().into(),
        ],
    )
    .await?;
    tx.commit().await?;
    Ok(token)
}

/// Deletes the reports older than `days`; how many went.
pub async fn sweep(db: &Db, days: u32) -> DbResult<u64> {
    let mut tx = db.begin().await?;
    let deleted = sweep_in(&mut tx, days).await?;
    tx.commit().await?;
    Ok(deleted)
}

/// Sweeps now and then every hour, for as long as the server runs.
pub fn sweep_every(db: Db, days: u32) {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(SWEEP_EVERY);
        loop {
            ticks.tick().await;
            if let Err(e) = sweep(&db, days).await {
                tracing::warn!(error = %e, "expired import error reports not deleted");
            }
        }
    });
}

/// The deletion, audited when it deleted any: two servers sweeping at once
/// delete each report once, and only the one that deleted records it.
async fn sweep_in(tx: &mut Tx, days: u32) -> DbResult<u64> {
    let deleted = tx.execute("DELETE FROM import_reports WHERE created_at < $1", &[cutoff(days).into()]).await?;
    if deleted > 0 {
        let change = Change::new("delete", "import_report", "expired")
            .after(serde_json::json!({ "count": deleted, "days": days }));
        audit::record(tx, &AuditActor::system("retention"), change).await?;
    }
    Ok(deleted)
}

/// Reports created before this instant are past their retention.
fn cutoff(days: u32) -> String {
    time::format_utc(Utc::now() - Duration::days(i64::from(days)))
}

/// Who may read a report: the account that uploaded the file, and the province (pure).
pub fn may_read(reader: &Actor, uploader_account: i64) -> bool {
    reader.account_id == uploader_account || reader.role == Role::ProvinceAdmin
}

/// What a visitor is told of a report that is no longer kept.
fn deleted(l: Locale, days: u32) -> String {
    match l {
        Locale::Zh => format!("这份错误报告已不存在：错误报告保留 {days} 天后删除。请重新上传文件以得到新的报告。"),
        Locale::En => format!(
            "This error report no longer exists: error reports are deleted after {days} days. Upload the file again for a new report."
        ),
    }
}

/// `GET /imports/reports/{token}`: the report, named after the uploaded file.
pub async fn download(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(token): Path<String>,
) -> Result<Response, AppError> {
    let actor = ctx.actor()?;
    let days = state.config.import_reports_days;
    let hash = session::token_hash(&token);
    let row = state
        .db
        .fetch_optional(
            "SELECT account_id, institution_id, file_name, content_base64 FROM import_reports \
             WHERE token_hash = $1 AND created_at >= $2",
            &[hash.as_str().into(), cutoff(days).into()],
        )
        .await?
        .ok_or_else(|| AppError::Gone(deleted(ctx.locale, days)))?;
    if !may_read(actor, row.i64("account_id")?) {
        return Err(AppError::Denied(
            ctx.t(
                "错误报告含上传的身份证号等个人信息，只有上传文件的账号和省级管理员可以下载。",
                "An error report holds the uploaded rows, ID numbers included: only the account that uploaded the file and the province may download it.",
            )
            .to_owned(),
        ));
    }
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(row.text("content_base64")?)
        .map_err(|e| AppError::Internal(anyhow::anyhow!(e)))?;
    let file_name = row.text("file_name")?;
    let mut view = Change::viewed("import_report", &hash[..12]).after(serde_json::json!({ "file": file_name }));
    if let Some(institution) = row.opt_i64("institution_id")? {
        view = view.about(Subject::institution(institution));
    }
    audit::record_view(&state.db, &ctx.audit_actor(), view).await?;
    let stem = file_name.rsplit_once('.').map(|(s, _)| s.to_owned()).unwrap_or(file_name);
    let name = format!("{stem}-{}.xlsx", ctx.t("错误报告", "errors"));
    Ok(crate::web::export::attachment(crate::web::export::XLSX, &name, bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(account_id: i64, role: Role, institution_id: Option<i64>) -> Actor {
        Actor {
            account_id,
            username: format!("u{account_id}"),
            display_name: String::new(),
            role,
            institution_id,
            college_id: None,
            employer_id: None,
            graduate_id: None,
        }
    }

    #[test]
    fn only_the_uploader_and_the_province_read_a_report() {
        assert!(may_read(&actor(7, Role::UniversityStaff, Some(1)), 7));
        assert!(may_read(&actor(2, Role::ProvinceAdmin, None), 7));
        assert!(!may_read(&actor(8, Role::UniversityStaff, Some(1)), 7), "a colleague of the same institution");
        assert!(!may_read(&actor(9, Role::UniversityStaff, Some(3)), 7));
        assert!(!may_read(&actor(10, Role::Employer, None), 7));
    }

    #[test]
    fn the_deleted_page_says_after_how_many_days() {
        assert!(deleted(Locale::Zh, 30).contains("保留 30 天后删除"));
        assert!(deleted(Locale::En, 7).contains("deleted after 7 days"));
    }
}
