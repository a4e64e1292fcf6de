//! Sessions and API tokens live in the database so several app servers can
//! share them. Only a SHA-256 of each secret is stored.

use chrono::{Duration, Utc};
use rand::RngCore;
use sha2::{Digest, Sha256};

use super::Actor;
use crate::db::{Db, DbResult, Tx};
use crate::time;

pub const SESSION_DAYS: i64 = 7;

pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Where a session was opened from, for its owner's list of sessions.
pub struct Origin<'a> {
    pub user_agent: &'a str,
    pub client_addr: &'a str,
}

/// Opens a session for an account; returns the cookie value.
pub async fn create_session(tx: &mut Tx, account_id: i64, origin: &Origin<'_>) -> DbResult<String> {
    // Logging in is rare enough to sweep expired sessions here instead of in a job.
    tx.execute("DELETE FROM sessions WHERE expires_at < $1", &[time::now_utc().into()]).await?;
    let token = random_token();
    let now = time::now_utc();
    let expires = time::format_utc(Utc::now() + Duration::days(SESSION_DAYS));
    let user_agent: String = origin.user_agent.chars().take(300).collect();
    tx.execute(
        "INSERT INTO sessions (token_hash, account_id, csrf_token, created_at, expires_at, user_agent, client_addr, last_seen_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $4)",
        &[
            token_hash(&token).into(),
            account_id.into(),
            random_token().into(),
            now.into(),
            expires.into(),
            user_agent.into(),
            origin.client_addr.into(),
        ],
    )
    .await?;
    Ok(token)
}

/// How stale "last seen" may grow before a request writes it again: one write
/// per session every few minutes, not one per page.
const SEEN_EVERY_MINUTES: i64 = 5;

pub async fn lookup_session(db: &Db, token: &str) -> DbResult<Option<Actor>> {
    let sql = format!(
        "SELECT {}, s.last_seen_at FROM sessions s JOIN accounts a ON a.id = s.account_id \
         WHERE s.token_hash = $1 AND s.expires_at > $2 AND a.active = TRUE",
        Actor::ACCOUNT_COLUMNS
    );
    let Some(row) = db.fetch_optional(&sql, &[token_hash(token).into(), time::now_utc().into()]).await? else {
        return Ok(None);
    };
    let stale = time::format_utc(Utc::now() - Duration::minutes(SEEN_EVERY_MINUTES));
    if row.opt_text("last_seen_at")?.is_none_or(|seen| seen < stale) {
        let mut tx = db.begin().await?;
        tx.execute(
            "UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2",
            &[time::now_utc().into(), token_hash(token).into()],
        )
        .await?;
        tx.commit().await?;
    }
    Actor::from_row(&row)
}

pub async fn delete_session(tx: &mut Tx, token: &str) -> DbResult<()> {
    tx.execute("DELETE FROM sessions WHERE token_hash = $1", &[token_hash(token).into()]).await?;
    Ok(())
}

/// One of an account's open sessions (我的会话).
pub struct SessionInfo {
    /// The SHA-256 of the session's token: names it in forms without being the token.
    pub id: String,
    pub device: String,
    pub client_addr: String,
    pub created_at: String,
    pub last_seen_at: String,
    /// The session this request came with.
    pub current: bool,
}

/// The account's sessions not yet expired, the most recently used first.
pub async fn sessions_of(db: &Db, account_id: i64, current_token: Option<&str>) -> DbResult<Vec<SessionInfo>> {
    let current = current_token.map(token_hash).unwrap_or_default();
    let rows = db
        .fetch_all(
            "SELECT token_hash, user_agent, client_addr, created_at, last_seen_at FROM sessions \
             WHERE account_id = $1 AND expires_at > $2 ORDER BY last_seen_at DESC, created_at DESC",
            &[account_id.into(), time::now_utc().into()],
        )
        .await?;
    rows.iter()
        .map(|r| {
            let id = r.text("token_hash")?;
            let created_at = r.text("created_at")?;
            Ok(SessionInfo {
                current: id == current,
                id,
                device: device_label(&r.opt_text("user_agent")?.unwrap_or_default()),
                client_addr: r.opt_text("client_addr")?.unwrap_or_default(),
                last_seen_at: r.opt_text("last_seen_at")?.unwrap_or_else(|| created_at.clone()),
                created_at,
            })
        })
        .collect()
}

/// Ends one of the account's sessions; false when it has none by that id.
pub async fn end_session(tx: &mut Tx, account_id: i64, id: &str) -> DbResult<bool> {
    let ended = tx
        .execute("DELETE FROM sessions WHERE account_id = $1 AND token_hash = $2", &[account_id.into(), id.into()])
        .await?;
    Ok(ended > 0)
}

/// Ends every session of the account but `keep` (the caller's own); all of them without one.
pub async fn end_other_sessions(tx: &mut Tx, account_id: i64, keep: Option<&str>) -> DbResult<u64> {
    let keep = keep.map(token_hash).unwrap_or_default();
    tx.execute("DELETE FROM sessions WHERE account_id = $1 AND token_hash <> $2", &[account_id.into(), keep.into()])
        .await
}

/// Revokes every API token of the account, as a new password must.
pub async fn revoke_api_tokens(tx: &mut Tx, account_id: i64) -> DbResult<u64> {
    tx.execute(
        "UPDATE api_tokens SET revoked_at = $1 WHERE account_id = $2 AND revoked_at IS NULL",
        &[time::now_utc().into(), account_id.into()],
    )
    .await
}

/// A browser's User-Agent as people name it: "Chrome · Windows".
pub fn device_label(user_agent: &str) -> String {
    const BROWSERS: [(&str, &str); 8] = [
        ("MicroMessenger", "微信 WeChat"),
        ("DingTalk", "钉钉 DingTalk"),
        ("Edg", "Edge"),
        ("OPR", "Opera"),
        ("Firefox", "Firefox"),
        ("Chrome", "Chrome"),
        ("Safari", "Safari"),
        ("curl", "curl"),
    ];
    const SYSTEMS: [(&str, &str); 6] = [
        ("Windows", "Windows"),
        ("iPhone", "iPhone"),
        ("iPad", "iPad"),
        ("Android", "Android"),
        ("Mac OS", "macOS"),
        ("Linux", "Linux"),
    ];
    let find = |table: &[(&str, &'static str)]| table.iter().find(|(k, _)| user_agent.contains(k)).map(|(_, n)| *n);
    match (find(&BROWSERS), find(&SYSTEMS)) {
        (Some(b), Some(s)) => format!("{b} · {s}"),
        (Some(one), None) | (None, Some(one)) => one.to_owned(),
        (None, None) => user_agent.chars().take(40).collect(),
    }
}

/// Issues an API token acting as `account_id`; the token is shown once.
pub async fn issue_api_token(tx: &mut Tx, account_id: i64, name: &str) -> DbResult<(i64, String)> {
    let token = format!("jy_{}", random_token());
    let id = tx
        .insert_returning_id(
            "INSERT INTO api_tokens (token_hash, name, account_id, created_at) VALUES ($1, $2, $3, $4)",
            &[token_hash(&token).into(), name.into(), account_id.into(), time::now_utc().into()],
        )
        .await?;
    Ok((id, token))
}

/// The account a token acts as, and the token's id (the audit log names it).
pub async fn lookup_api_token(db: &Db, token: &str) -> DbResult<Option<(Actor, i64)>> {
    let sql = format!(
        "SELECT {}, t.id AS token_id FROM api_tokens t JOIN accounts a ON a.id = t.account_id \
         WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND a.active = TRUE",
        Actor::ACCOUNT_COLUMNS
    );
    let Some(row) = db.fetch_optional(&sql, &[token_hash(token).into()]).await? else { return Ok(None) };
    let token_id = row.i64("token_id")?;
    Ok(Actor::from_row(&row)?.map(|actor| (actor, token_id)))
}

#[cfg(test)]
mod tests {
    use super::device_label;

    #[test]
    fn devices_are_named_as_people_know_them() {
        let chrome = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36";
        assert_eq!(device_label(chrome), "Chrome · Windows");
        let edge = "Mozilla/5.0 (Windows NT 10.0) AppleWebKit/537.36 Chrome/120.0 Safari/537.36 Edg/120.0";
        assert_eq!(device_label(edge), "Edge · Windows");
        let wechat = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile MicroMessenger/8.0";
        assert_eq!(device_label(wechat), "微信 WeChat · iPhone");
        assert_eq!(device_label(""), "");
    }
}
