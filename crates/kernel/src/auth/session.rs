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

/// Opens a session for an account; returns the cookie value.
pub async fn create_session(tx: &mut Tx, account_id: i64) -> DbResult<String> {
    // Logging in is rare enough to sweep expired sessions here instead of in a job.
    tx.execute("DELETE FROM sessions WHERE expires_at < $1", &[time::now_utc().into()]).await?;
    let token = random_token();
    let expires = time::format_utc(Utc::now() + Duration::days(SESSION_DAYS));
    tx.execute(
        "INSERT INTO sessions (token_hash, account_id, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
        &[token_hash(&token).into(), account_id.into(), random_token().into(), time::now_utc().into(), expires.into()],
    )
    .await?;
    Ok(token)
}

pub async fn lookup_session(db: &Db, token: &str) -> DbResult<Option<Actor>> {
    let sql = format!(
        "SELECT {} FROM sessions s JOIN accounts a ON a.id = s.account_id \
         WHERE s.token_hash = $1 AND s.expires_at > $2 AND a.active = TRUE",
        Actor::ACCOUNT_COLUMNS
    );
    match db.fetch_optional(&sql, &[token_hash(token).into(), time::now_utc().into()]).await? {
        Some(row) => Actor::from_row(&row),
        None => Ok(None),
    }
}

pub async fn delete_session(tx: &mut Tx, token: &str) -> DbResult<()> {
    tx.execute("DELETE FROM sessions WHERE token_hash = $1", &[token_hash(token).into()]).await?;
    Ok(())
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
