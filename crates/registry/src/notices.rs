//! Notices (通知提醒) from the province to an institution's employment office:
//! any area sends one (an institution that barely signs online, say); the
//! office's start page shows them until someone there marks them read.

use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::post;
use axum::Router;

use kernel::audit::{self, AuditActor, Change, Subject};
use kernel::auth::{Owner, Role};
use kernel::web::url::safe_next;
use kernel::web::{redirect_with_flash, AppError, AppState, CsrfForm, Ctx};
use kernel::{time, Db, DbResult, Tx};

pub fn routes() -> Router<AppState> {
    Router::new().route("/notices/{id}/read", post(mark_read))
}

/// A notice as the dashboard shows it.
pub struct Notice {
    pub id: i64,
    pub message: String,
    pub sent: String,
    pub by: String,
}

/// Sends a notice unless one on the same topic is still unread there; whether it was sent.
pub async fn send(tx: &mut Tx, who: &AuditActor, institution_id: i64, topic: &str, message: &str) -> DbResult<bool> {
    let waiting = tx
        .fetch_optional(
            "SELECT id FROM notices WHERE institution_id = $1 AND topic = $2 AND read_at IS NULL",
            &[institution_id.into(), topic.into()],
        )
        .await?;
    if waiting.is_some() {
        return Ok(false);
    }
    let id = tx
        .insert_returning_id(
            "INSERT INTO notices (institution_id, topic, message, created_at, created_by) VALUES ($1, $2, $3, $4, $5)",
            &[institution_id.into(), topic.into(), message.into(), time::now_utc().into(), who.label.as_str().into()],
        )
        .await?;
    let after = serde_json::json!({ "institution_id": institution_id, "topic": topic, "message": message });
    let change = Change::new("send", "notice", id).after(after).about(Subject::institution(institution_id));
    audit::record(tx, who, change).await?;
    Ok(true)
}

/// The institution's unread notices, newest first.
pub async fn unread(db: &Db, institution_id: i64) -> DbResult<Vec<Notice>> {
    db.fetch_all(
        "SELECT id, message, created_at, created_by FROM notices WHERE institution_id = $1 AND read_at IS NULL ORDER BY id DESC",
        &[institution_id.into()],
    )
    .await?
    .iter()
    .map(|r| {
        Ok(Notice {
            id: r.i64("id")?,
            message: r.text("message")?,
            sent: time::display(&r.text("created_at")?),
            by: r.text("created_by")?,
        })
    })
    .collect()
}

/// The page to go back to, where the notice was shown.
#[derive(serde::Deserialize)]
struct ReadForm {
    next: Option<String>,
}

async fn mark_read(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<ReadForm>,
) -> Result<Response, AppError> {
    let actor = ctx.require(&[Role::UniversityStaff])?;
    let row = state
        .db
        .fetch_optional("SELECT institution_id FROM notices WHERE id = $1", &[id.into()])
        .await?
        .ok_or(AppError::NotFound)?;
    let institution_id = row.i64("institution_id")?;
    if !actor.scope().may_see(Owner { institution: Some(institution_id), ..Owner::default() }) {
        return Err(AppError::Forbidden);
    }
    let who = ctx.audit_actor();
    let mut tx = state.db.begin().await?;
    tx.execute(
        "UPDATE notices SET read_at = $1, read_by = $2 WHERE id = $3 AND read_at IS NULL",
        &[time::now_utc().into(), who.label.as_str().into(), id.into()],
    )
    .await?;
    audit::record(&mut tx, &who, Change::new("read", "notice", id).about(Subject::institution(institution_id))).await?;
    tx.commit().await?;
    Ok(redirect_with_flash(&safe_next(form.next.as_deref()), ctx.t("已标记为已阅。", "Marked as read.")))
}
