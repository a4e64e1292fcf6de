//! The server's signing key (HMAC-SHA-256) for values it hands to browsers
//! and must know again: the CSRF cookie and the known-browser cookie. Made at
//! first use and kept in the database, so every app server signs alike and a
//! restart does not log anyone's forms out.

use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

use crate::db::{Db, DbResult};

type HmacSha256 = Hmac<Sha256>;

pub struct SigningKey([u8; 32]);

impl SigningKey {
    pub fn from_bytes(bytes: [u8; 32]) -> SigningKey {
        SigningKey(bytes)
    }

    /// The key in `server_secrets`, made by whichever server asks first.
    pub async fn load_or_create(db: &Db) -> DbResult<SigningKey> {
        let mut fresh = [0u8; 32];
        rand::thread_rng().fill_bytes(&mut fresh);
        let mut tx = db.begin().await?;
        tx.execute(
            "INSERT INTO server_secrets (name, value) VALUES ('signing_key', $1) ON CONFLICT (name) DO NOTHING",
            &[hex::encode(fresh).into()],
        )
        .await?;
        let stored = tx.fetch_one("SELECT value FROM server_secrets WHERE name = 'signing_key'", &[]).await?;
        tx.commit().await?;
        let mut bytes = [0u8; 32];
        // A value not of 32 bytes in hex was not written by this code; signing with zeros would be worse than failing.
        hex::decode_to_slice(stored.text("value")?, &mut bytes)
            .map_err(|_| crate::db::DbError::Column("server_secrets.value".into()))?;
        Ok(SigningKey(bytes))
    }

    fn mac(&self, purpose: &str, message: &str) -> HmacSha256 {
        let mut mac = HmacSha256::new_from_slice(&self.0).expect("HMAC takes a key of any length");
        // The purpose keeps a value signed for one use from passing for another.
        mac.update(purpose.as_bytes());
        mac.update(b"\0");
        mac.update(message.as_bytes());
        mac
    }

    /// `message.signature`; the message must not hold a `.`.
    pub fn seal(&self, purpose: &str, message: &str) -> String {
        format!("{message}.{}", hex::encode(self.mac(purpose, message).finalize().into_bytes()))
    }

    /// A pseudonym for `message` (32 hex digits): the same for the same message, and
    /// without the key nobody can tell which message it stands for, nor try them all.
    pub fn pseudonym(&self, purpose: &str, message: &str) -> String {
        hex::encode(&self.mac(purpose, message).finalize().into_bytes()[..16])
    }

    /// The message of a value this key sealed for `purpose`; `None` for anything else.
    pub fn open<'a>(&self, purpose: &str, sealed: &'a str) -> Option<&'a str> {
        let (message, signature) = sealed.rsplit_once('.')?;
        let signature = hex::decode(signature).ok()?;
        self.mac(purpose, message).verify_slice(&signature).ok()?;
        Some(message)
    }
}

#[cfg(test)]
mod tests {
    use super::SigningKey;

    #[test]
    fn only_what_the_key_sealed_for_the_purpose_opens() {
        let key = SigningKey::from_bytes([7; 32]);
        let sealed = key.seal("csrf", "abc123");
        assert_eq!(key.open("csrf", &sealed), Some("abc123"));
        assert_eq!(key.open("device", &sealed), None, "another purpose");
        assert_eq!(SigningKey::from_bytes([8; 32]).open("csrf", &sealed), None, "another key");
        assert_eq!(key.open("csrf", "abc123"), None, "unsigned");
        assert_eq!(key.open("csrf", &sealed.replace("abc123", "abc124")), None, "changed");
        assert_eq!(key.open("csrf", "abc123.zz"), None);
    }

    #[test]
    fn a_pseudonym_is_steady_and_keyed() {
        let key = SigningKey::from_bytes([7; 32]);
        let p = key.pseudonym("posting_view", "2022-06-01:account:5");
        assert_eq!(p.len(), 32);
        assert_eq!(p, key.pseudonym("posting_view", "2022-06-01:account:5"));
        assert_ne!(p, key.pseudonym("posting_view", "2022-06-02:account:5"));
        assert_ne!(p, key.pseudonym("csrf", "2022-06-01:account:5"));
        assert_ne!(p, SigningKey::from_bytes([8; 32]).pseudonym("posting_view", "2022-06-01:account:5"));
    }
}
