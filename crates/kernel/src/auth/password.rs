//! argon2id password hashing.

use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use std::cell::Cell;
use std::sync::OnceLock;

fn hasher() -> Argon2<'static> {
    // OWASP's second argon2id profile (19 MiB, 2 passes): strong, and quick
    // enough that a login stays well under the page budget on 2 cores.
    let params = Params::new(19 * 1024, 2, 1, None).expect("argon2 parameters are valid");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

pub fn hash(password: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    hasher().hash_password(password.as_bytes(), &salt).map(|h| h.to_string()).unwrap_or_default()
}

/// [`hash`] on a blocking thread: an argon2 run takes tens of milliseconds
/// that the async workers, and whoever waits on them, should not spend.
pub async fn hash_off_thread(password: &str) -> String {
    let password = password.to_owned();
    tokio::task::spawn_blocking(move || hash(&password)).await.unwrap_or_default()
}

pub fn verify(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored).map(|h| hasher().verify_password(password.as_bytes(), &h).is_ok()).unwrap_or(false)
}

/// Checks a password against an account's hash, or, for a name with no
/// account, against a hash nobody's password matches: both cost one argon2
/// run, so the time a failed login takes does not tell which names exist.
/// The run is on a blocking thread, as in [`hash_off_thread`].
pub async fn verify_or_dummy(password: &str, stored: Option<&str>) -> bool {
    static DUMMY: OnceLock<String> = OnceLock::new();
    VERIFIED_HERE.with(|n| n.set(n.get() + 1));
    let (password, stored) = (password.to_owned(), stored.map(str::to_owned));
    let run = move || match stored {
        Some(stored) => verify(&password, &stored),
        None => {
            let dummy = DUMMY.get_or_init(|| hash(&super::session::random_token()));
            verify(&password, dummy);
            false
        }
    };
    tokio::task::spawn_blocking(run).await.unwrap_or(false)
}

thread_local! {
    static VERIFIED_HERE: Cell<u64> = const { Cell::new(0) };
}

/// How many hashes this thread has asked to verify: lets a test see that a
/// login under an unknown name verified one just as a real account's does.
pub fn verified_on_this_thread() -> u64 {
    VERIFIED_HERE.with(Cell::get)
}

/// A password rule people can meet and that stops the worst choices.
pub fn strong_enough(password: &str) -> bool {
    let len = password.chars().count();
    (8..=128).contains(&len)
        && password.chars().any(|c| c.is_ascii_digit())
        && password.chars().any(|c| c.is_alphabetic())
}

#[cfg(test)]
mod tests {
    #[test]
    fn hashes_verify() {
        let h = super::hash("correct horse 1");
        assert!(h.starts_with("$argon2id$"));
        assert!(super::verify("correct horse 1", &h));
        assert!(!super::verify("wrong", &h));
        assert!(!super::verify("x", "not a hash"));
    }

    #[tokio::test]
    async fn an_unknown_name_costs_a_verification_too() {
        let before = super::verified_on_this_thread();
        assert!(!super::verify_or_dummy("anything 1", None).await);
        assert_eq!(super::verified_on_this_thread(), before + 1);
    }
}
