//! argon2id password hashing.

use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

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

pub fn verify(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored).map(|h| hasher().verify_password(password.as_bytes(), &h).is_ok()).unwrap_or(false)
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
}
