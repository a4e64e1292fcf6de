//! What stands before employer self-registration (注册把关): a question a
//! person answers and a script cannot without reading it (人机验证: simple
//! arithmetic in Chinese words, no image, works offline), and a limit on how
//! many employers one client address registers in an hour.

use chrono::{Duration, Utc};

use kernel::{time, DbResult, Locale, Tx};

/// Registrations one client address may make in an hour.
pub const HOURLY_LIMIT: i64 = 5;

/// How long a question may be answered.
const QUESTION_MINUTES: i64 = 30;

const DIGITS_ZH: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
const DIGITS_EN: [&str; 10] = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"];

/// Two single digits to add, as the question asks them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Question {
    pub a: u8,
    pub b: u8,
}

impl Question {
    /// The question a random token picks: its first two hex digits, each read as 1–9.
    pub fn from_token(token: &str) -> Question {
        let digit = |i: usize| token.as_bytes().get(i).map_or(1, |b| b % 9 + 1);
        Question { a: digit(0), b: digit(1) }
    }

    pub fn answer(self) -> i64 {
        i64::from(self.a) + i64::from(self.b)
    }

    /// 三加五等于几？ / What is three plus five?
    pub fn text(self, l: Locale) -> String {
        let (a, b) = (usize::from(self.a), usize::from(self.b));
        match l {
            Locale::Zh => format!("{}加{}等于几？", DIGITS_ZH[a], DIGITS_ZH[b]),
            Locale::En => format!("What is {} plus {}?", DIGITS_EN[a], DIGITS_EN[b]),
        }
    }
}

/// What a person typed as the answer: digits (full-width too) or a Chinese
/// number up to 十九 (八, 十, 十二).
pub fn parse_answer(typed: &str) -> Option<i64> {
    let typed = kernel::validate::normalize(typed);
    if let Ok(n) = typed.parse::<i64>() {
        return Some(n);
    }
    let digit = |s: &str| DIGITS_ZH.iter().position(|d| *d == s).map(|n| n as i64);
    match typed.strip_prefix('十') {
        Some("") => Some(10),
        Some(rest) => digit(rest).filter(|n| *n > 0).map(|n| 10 + n),
        None => digit(&typed),
    }
}

/// Issues a question: its token goes in the form, its answer stays here.
pub async fn ask(tx: &mut Tx) -> DbResult<(String, Question)> {
    // Asking is rare enough to sweep expired questions here instead of in a job.
    tx.execute("DELETE FROM registration_questions WHERE expires_at < $1", &[time::now_utc().into()]).await?;
    let token = kernel::auth::session::random_token();
    let question = Question::from_token(&token);
    let expires = time::format_utc(Utc::now() + Duration::minutes(QUESTION_MINUTES));
    tx.execute(
        "INSERT INTO registration_questions (token, answer, expires_at) VALUES ($1, $2, $3)",
        &[token.as_str().into(), question.answer().into(), expires.into()],
    )
    .await?;
    Ok((token, question))
}

/// Whether `typed` answers the question `token` asked; a question is tried
/// once, so a script cannot keep guessing at one.
pub async fn answered(tx: &mut Tx, token: &str, typed: &str) -> DbResult<bool> {
    let row = tx
        .fetch_optional(
            "SELECT answer FROM registration_questions WHERE token = $1 AND expires_at >= $2",
            &[token.into(), time::now_utc().into()],
        )
        .await?;
    tx.execute("DELETE FROM registration_questions WHERE token = $1", &[token.into()]).await?;
    Ok(match row {
        Some(row) => parse_answer(typed) == Some(row.i64("answer")?),
        None => false,
    })
}

/// Whether the address has used up its registrations for the hour.
pub async fn over_limit(tx: &mut Tx, client_addr: &str) -> DbResult<bool> {
    let since = time::format_utc(Utc::now() - Duration::hours(1));
    let row = tx
        .fetch_one(
            "SELECT COUNT(*) AS n FROM employer_registrations WHERE client_addr = $1 AND registered_at >= $2",
            &[client_addr.into(), since.into()],
        )
        .await?;
    Ok(row.i64("n")? >= HOURLY_LIMIT)
}

/// Counts a registration against the address.
pub async fn count_registration(tx: &mut Tx, client_addr: &str) -> DbResult<()> {
    tx.execute(
        "INSERT INTO employer_registrations (client_addr, registered_at) VALUES ($1, $2)",
        &[client_addr.into(), time::now_utc().into()],
    )
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_question_reads_in_both_languages() {
        let q = Question { a: 3, b: 5 };
        assert_eq!(q.text(Locale::Zh), "三加五等于几？");
        assert_eq!(q.text(Locale::En), "What is three plus five?");
        assert_eq!(q.answer(), 8);
    }

    #[test]
    fn answers_are_read_as_people_type_them() {
        assert_eq!(parse_answer(" 8 "), Some(8));
        assert_eq!(parse_answer("１２"), Some(12));
        assert_eq!(parse_answer("八"), Some(8));
        assert_eq!(parse_answer("十"), Some(10));
        assert_eq!(parse_answer("十七"), Some(17));
        assert_eq!(parse_answer("十零"), None);
        assert_eq!(parse_answer("eight"), None);
        assert_eq!(parse_answer(""), None);
    }

    proptest! {
        #[test]
        fn every_token_asks_two_digits_from_one_to_nine(token in "[0-9a-f]{0,64}") {
            let q = Question::from_token(&token);
            prop_assert!((1..=9).contains(&q.a) && (1..=9).contains(&q.b));
            prop_assert_eq!(parse_answer(&q.answer().to_string()), Some(q.answer()));
        }
    }
}
