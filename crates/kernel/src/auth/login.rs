//! The store side of logging in and of passwords: which account a name and
//! password open, the known-browser mark, and what a new password ends.

use super::{password, session, Role, SigningKey};
use crate::db::{Db, DbResult, Tx};

/// The account (id, role) a user name and password open. A name with no
/// active account costs the same argon2 run as a wrong password. It reads
/// outside any transaction: the hash's run must not hold the writer.
pub async fn check_password(db: &Db, username: &str, given: &str) -> DbResult<Option<(i64, Option<Role>)>> {
    let row = db
        .fetch_optional(
            "SELECT id, password_hash, role FROM accounts WHERE username = $1 AND active = TRUE",
            &[username.into()],
        )
        .await?;
    let stored = row.as_ref().map(|r| r.text("password_hash")).transpose()?;
    let verified = password::verify_or_dummy(given, stored.as_deref()).await;
    match row {
        Some(r) if verified => Ok(Some((r.i64("id")?, Role::parse(&r.text("role")?)))),
        _ => Ok(None),
    }
}

/// Sets an account's password (its hash made beforehand with
/// `password::hash_off_thread`, outside the transaction) and ends what the
/// old one opened: every session but `keep` (the one changing it, on a
/// self-service change) and every API token. Returns (sessions ended, tokens
/// revoked) for the audit.
pub async fn set_password(tx: &mut Tx, account_id: i64, new_hash: &str, keep: Option<&str>) -> DbResult<(u64, u64)> {
    tx.execute("UPDATE accounts SET password_hash = $1 WHERE id = $2", &[new_hash.into(), account_id.into()]).await?;
    let sessions = session::end_other_sessions(tx, account_id, keep).await?;
    let tokens = session::revoke_api_tokens(tx, account_id).await?;
    Ok((sessions, tokens))
}

const BROWSER_PURPOSE: &str = "known-browser";

/// The known-browser cookie's value after a login to `username`: a random id
/// for this browser and the name, signed.
pub fn known_browser_cookie(key: &SigningKey, username: &str) -> String {
    let id = &session::random_token()[..32];
    key.seal(BROWSER_PURPOSE, &format!("{id}-{}", hex::encode(username.to_lowercase())))
}

/// The browser's id when its cookie is ours and names `username`.
pub fn known_browser<'a>(key: &SigningKey, cookie: &'a str, username: &str) -> Option<&'a str> {
    let (id, name) = key.open(BROWSER_PURPOSE, cookie)?.split_once('-')?;
    let name = String::from_utf8(hex::decode(name).ok()?).ok()?;
    (name == username.to_lowercase()).then_some(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_known_browser_is_known_for_its_own_account_only() {
        let key = SigningKey::from_bytes([3; 32]);
        let cookie = known_browser_cookie(&key, "Staff");
        let id = known_browser(&key, &cookie, "staff").expect("known");
        assert_eq!(id.len(), 32);
        assert_eq!(known_browser(&key, &cookie, "admin"), None);
        assert_eq!(known_browser(&SigningKey::from_bytes([4; 32]), &cookie, "staff"), None);
        assert_eq!(known_browser(&key, "abc-7374616666", "staff"), None, "unsigned");
    }
}
