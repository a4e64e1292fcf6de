//! Notices (通知提醒) from the province to an institution's employment office:
//! any area sends one (an institution that barely signs online, say); the
//! office's start page shows them until someone there marks them read.
//! And messages (站内消息) to one account: any area tells one (new jobs for a
//! saved search); 我的消息 (/messages) lists them, the unread first.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;

use kernel::audit::{self, AuditActor, Change, Subject};
use kernel::auth::{Owner, Role};
use kernel::web::url::safe_next;
use kernel::web::{redirect_with_flash, AppError, AppState, CsrfForm, Ctx, NoFields};
use kernel::{time, Db, DbResult, Locale, Tx};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/notices/{id}/read", post(mark_read))
        .route("/messages", get(messages_page))
        .route("/messages/read", post(read_messages))
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

/// A message to one account, as 我的消息 shows it.
pub struct Message {
    pub id: i64,
    pub message: String,
    /// Where the message leads (a page of the platform).
    pub link: Option<String>,
    pub sent: String,
    pub read: bool,
}

/// Tells an account something; audited as a write like any other.
pub async fn tell(
    tx: &mut Tx,
    who: &AuditActor,
    account_id: i64,
    topic: &str,
    message: &str,
    link: Option<&str>,
) -> DbResult<i64> {
    let id = tx
        .insert_returning_id(
            "INSERT INTO account_notices (account_id, topic, message, link, created_at) VALUES ($1, $2, $3, $4, $5)",
            &[account_id.into(), topic.into(), message.into(), link.map(str::to_owned).into(), time::now_utc().into()],
        )
        .await?;
    let after = serde_json::json!({ "account_id": account_id, "topic": topic, "message": message, "link": link });
    audit::record(tx, who, Change::new("send", "message", id).after(after)).await?;
    Ok(id)
}

/// Whose accounts a message goes to: a graduate's or an employer's (an employer may have several).
#[derive(Debug, Clone, Copy)]
pub enum Recipient {
    Graduate(i64),
    Employer(i64),
}

/// Tells every active account of a graduate or an employer; returns how many were told.
pub async fn tell_recipient(
    tx: &mut Tx,
    who: &AuditActor,
    recipient: Recipient,
    topic: &str,
    message: &str,
    link: Option<&str>,
) -> DbResult<usize> {
    let (column, id) = match recipient {
        Recipient::Graduate(id) => ("graduate_id", id),
        Recipient::Employer(id) => ("employer_id", id),
    };
    let sql = format!("SELECT id FROM accounts WHERE {column} = $1 AND active = TRUE ORDER BY id");
    let accounts = tx.fetch_all(&sql, &[id.into()]).await?;
    for a in &accounts {
        tell(tx, who, a.i64("id")?, topic, message, link).await?;
    }
    Ok(accounts.len())
}

/// An account's messages, unread first, newest first; at most 100.
pub async fn messages(db: &Db, account_id: i64) -> DbResult<Vec<Message>> {
    db.fetch_all(
        "SELECT id, message, link, created_at, read_at FROM account_notices WHERE account_id = $1 \
         ORDER BY CASE WHEN read_at IS NULL THEN 0 ELSE 1 END, id DESC LIMIT 100",
        &[account_id.into()],
    )
    .await?
    .iter()
    .map(|r| {
        Ok(Message {
            id: r.i64("id")?,
            message: r.text("message")?,
            link: r.opt_text("link")?,
            sent: time::display(&r.text("created_at")?),
            read: r.opt_text("read_at")?.is_some(),
        })
    })
    .collect()
}

/// Marks every unread message of an account read; how many were.
pub async fn read_all(tx: &mut Tx, who: &AuditActor, account_id: i64) -> DbResult<u64> {
    let read = tx
        .execute(
            "UPDATE account_notices SET read_at = $1 WHERE account_id = $2 AND read_at IS NULL",
            &[time::now_utc().into(), account_id.into()],
        )
        .await?;
    if read > 0 {
        let change = Change::new("read", "account", account_id).after(serde_json::json!({ "messages_read": read }));
        audit::record(tx, who, change).await?;
    }
    Ok(read)
}

/// How many of an account's messages are unread.
pub async fn unread_messages(db: &Db, account_id: i64) -> DbResult<i64> {
    db.scalar_i64(
        "SELECT COUNT(*) FROM account_notices WHERE account_id = $1 AND read_at IS NULL",
        &[account_id.into()],
    )
    .await
}

#[derive(Template)]
#[template(path = "messages.html")]
struct MessagesPage {
    l: Locale,
    messages: Vec<Message>,
    csrf: String,
}

impl MessagesPage {
    fn unread(&self) -> usize {
        self.messages.iter().filter(|m| !m.read).count()
    }
}

/// 我的消息: any signed-in account's messages.
async fn messages_page(State(state): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    let actor = ctx.actor()?;
    let messages = messages(&state.db, actor.account_id).await?;
    let page = MessagesPage { l: ctx.locale, messages, csrf: ctx.csrf.clone() };
    ctx.page(ctx.t("我的消息", "My messages"), &page)
}

/// Marks every unread message of the account read.
async fn read_messages(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(_): CsrfForm<NoFields>,
) -> Result<Response, AppError> {
    let actor = ctx.actor()?;
    let mut tx = state.db.begin().await?;
    read_all(&mut tx, &ctx.audit_actor(), actor.account_id).await?;
    tx.commit().await?;
    Ok(redirect_with_flash("/messages", ctx.t("已全部标记为已读。", "All marked as read.")))
}
