//! Signed passes (入场码/签到码): a short token shown as a QR code on a phone
//! and read at a door. A pass is bound to a purpose (a fair's door, a
//! training's) and to one id there (the fair, the training), names its holder
//! and expires; anything not signed by this platform, or altered, or signed for
//! another purpose is refused as forged. Areas wrap it with their own holders.

use chrono::{DateTime, Utc};

use crate::auth::secret::SigningKey;
use crate::Locale;

/// Whom a pass stands for: a one-letter kind the area chooses (`g` a graduate,
/// `b` a booth, ...) and an id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Holder {
    pub kind: char,
    pub id: i64,
}

impl Holder {
    pub fn new(kind: char, id: i64) -> Holder {
        Holder { kind, id }
    }
}

/// Why a pass is refused at the door.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Not signed by this platform, or altered, or signed for another purpose.
    Forged,
    Expired,
    /// Good, but bound to another id (that id).
    OtherEvent(i64),
}

impl Refusal {
    pub fn message(self, l: Locale) -> String {
        match self {
            Refusal::Forged => {
                l.pick("无效的入场码：不是本平台签发或已被改动。", "Invalid pass: not issued here, or altered.").into()
            }
            Refusal::Expired => l
                .pick(
                    "入场码已过期：请让持码人刷新页面后重新出示。",
                    "The pass has expired: ask its holder to reload the page and show it again.",
                )
                .into(),
            Refusal::OtherEvent(id) => format!(
                "{}{id}{}",
                l.pick("这是另一场活动（编号 ", "This pass is for another event (no. "),
                l.pick("）的入场码，不能在本场签到。", "); it cannot check in here.")
            ),
        }
    }
}

/// A pass for `purpose` bound to `bound_to`, naming `holder`, good until `expires`.
pub fn issue(key: &SigningKey, purpose: &str, bound_to: i64, holder: Holder, expires: DateTime<Utc>) -> String {
    key.seal(purpose, &format!("{bound_to}:{}{}:{}", holder.kind, holder.id, expires.timestamp()))
}

/// Reads a pass presented for `purpose` at `bound_to`'s door at `now`.
pub fn read(
    key: &SigningKey,
    purpose: &str,
    token: &str,
    bound_to: i64,
    now: DateTime<Utc>,
) -> Result<Holder, Refusal> {
    let message = key.open(purpose, token.trim()).ok_or(Refusal::Forged)?;
    let mut parts = message.split(':');
    let (Some(bound), Some(holder), Some(expires), None) = (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(Refusal::Forged);
    };
    let bound: i64 = bound.parse().map_err(|_| Refusal::Forged)?;
    let expires: i64 = expires.parse().map_err(|_| Refusal::Forged)?;
    let mut chars = holder.chars();
    let kind = chars.next().filter(char::is_ascii_lowercase).ok_or(Refusal::Forged)?;
    let id: i64 = chars.as_str().parse().map_err(|_| Refusal::Forged)?;
    if expires < now.timestamp() {
        return Err(Refusal::Expired);
    }
    if bound != bound_to {
        return Err(Refusal::OtherEvent(bound));
    }
    Ok(Holder { kind, id })
}

/// Whether what a door's scanner or keyboard gave looks like a pass (a signed
/// token holds its signature after a `.`) rather than a typed number.
pub fn looks_like_pass(s: &str) -> bool {
    s.trim().contains('.')
}

/// What a door was given: a good pass's holder, or a number typed at the
/// keyboard (a student or ID number, upper-cased) for the area to look up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DoorInput {
    Holder(Holder),
    Typed(String),
}

/// Why a door cannot use what it was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DoorError {
    /// Neither a pass nor a plain number.
    Unreadable,
    Pass(Refusal),
}

/// Reads what a door's scanner or keyboard gave for `purpose` at `bound_to`'s
/// door at `now`: a pass (checked as [`read`] does) or a typed number of
/// letters, digits and `-` (at most 32). Shared by every area with a door.
pub fn door_input(
    key: &SigningKey,
    purpose: &str,
    code: &str,
    bound_to: i64,
    now: DateTime<Utc>,
) -> Result<DoorInput, DoorError> {
    let code = code.trim();
    if code.is_empty() || code.len() > 300 {
        return Err(DoorError::Unreadable);
    }
    if looks_like_pass(code) {
        return read(key, purpose, code, bound_to, now).map(DoorInput::Holder).map_err(DoorError::Pass);
    }
    match code.len() <= 32 && code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        true => Ok(DoorInput::Typed(code.to_ascii_uppercase())),
        false => Err(DoorError::Unreadable),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    const P: &str = "fair_pass";

    fn key() -> SigningKey {
        SigningKey::from_bytes([3; 32])
    }

    #[test]
    fn a_pass_opens_at_its_own_door_until_it_expires() {
        let now = Utc::now();
        let g = Holder::new('g', 42);
        let token = issue(&key(), P, 7, g, now + Duration::minutes(15));
        assert_eq!(read(&key(), P, &token, 7, now), Ok(g));
        assert_eq!(read(&key(), P, &token, 8, now), Err(Refusal::OtherEvent(7)));
        assert_eq!(read(&key(), P, &token, 7, now + Duration::minutes(16)), Err(Refusal::Expired));
        let booth = issue(&key(), P, 7, Holder::new('b', 3), now + Duration::minutes(1));
        assert_eq!(read(&key(), P, &booth, 7, now), Ok(Holder::new('b', 3)));
    }

    #[test]
    fn an_altered_or_foreign_pass_is_forged() {
        let now = Utc::now();
        let token = issue(&key(), P, 7, Holder::new('g', 42), now + Duration::minutes(5));
        let altered = token.replacen("g42", "g43", 1);
        assert_eq!(read(&key(), P, &altered, 7, now), Err(Refusal::Forged));
        assert_eq!(read(&SigningKey::from_bytes([4; 32]), P, &token, 7, now), Err(Refusal::Forged));
        assert_eq!(read(&key(), P, "7:g42:99999999999.00", 7, now), Err(Refusal::Forged));
        let wrong_purpose = key().seal("csrf", &format!("7:g42:{}", now.timestamp() + 60));
        assert_eq!(read(&key(), P, &wrong_purpose, 7, now), Err(Refusal::Forged));
        // A pass for another purpose (a training's door) does not open a fair's, nor the reverse.
        let training = issue(&key(), "training_pass", 7, Holder::new('g', 42), now + Duration::minutes(5));
        assert_eq!(read(&key(), P, &training, 7, now), Err(Refusal::Forged));
        assert!(read(&key(), "training_pass", &training, 7, now).is_ok());
    }

    #[test]
    fn refusals_speak_both_languages() {
        assert!(Refusal::Forged.message(Locale::Zh).contains("无效"));
        assert!(Refusal::Expired.message(Locale::En).contains("expired"));
        assert!(Refusal::OtherEvent(9).message(Locale::Zh).contains('9'));
        assert!(looks_like_pass("7:g1:2.ab") && !looks_like_pass("2018010203"));
    }

    #[test]
    fn a_door_reads_a_pass_or_a_typed_number() {
        let now = Utc::now();
        let token = issue(&key(), P, 7, Holder::new('p', 5), now + Duration::minutes(5));
        assert_eq!(door_input(&key(), P, &token, 7, now), Ok(DoorInput::Holder(Holder::new('p', 5))));
        assert_eq!(door_input(&key(), P, &token, 8, now), Err(DoorError::Pass(Refusal::OtherEvent(7))));
        assert_eq!(
            door_input(&key(), P, " 43010219900101123x ", 7, now),
            Ok(DoorInput::Typed("43010219900101123X".into()))
        );
        assert_eq!(door_input(&key(), P, "", 7, now), Err(DoorError::Unreadable));
        assert_eq!(door_input(&key(), P, "<script>", 7, now), Err(DoorError::Unreadable));
        assert_eq!(door_input(&key(), P, "a.b", 7, now), Err(DoorError::Pass(Refusal::Forged)));
    }
}
