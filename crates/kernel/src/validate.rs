//! Validators for the identifiers people type: 居民身份证号 (GB 11643), 统一社会信用代码
//! (GB 32100) and mainland mobile numbers. Pure functions, no I/O: the region
//! check takes a lookup so callers decide where region codes come from.

use std::borrow::Cow;

use chrono::{Datelike, NaiveDate};

/// Trims (including the ideographic space), turns full-width ASCII into
/// half-width and upper-cases, as Chinese input methods and Excel produce it.
pub fn normalize(input: &str) -> String {
    normalized(input).into_owned()
}

/// `normalize`, borrowing the input when it is already normal: most cells are
/// plain digits, capitals and Chinese characters, and imports ask for every cell.
pub fn normalized(input: &str) -> Cow<'_, str> {
    let trimmed = input.trim();
    if trimmed.chars().all(|c| (c.is_ascii() && !c.is_ascii_lowercase()) || ('\u{4E00}'..='\u{9FFF}').contains(&c)) {
        return Cow::Borrowed(trimmed);
    }
    let mapped: String = input
        .chars()
        .map(|c| match c {
            '\u{3000}' => ' ',
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            _ => c,
        })
        .collect();
    Cow::Owned(mapped.trim().to_uppercase())
}

/// Why an identifier was refused; the message is shown to the user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    #[error("empty")]
    Empty,
    #[error("wrong length")]
    Length,
    #[error("invalid character")]
    Character,
    #[error("check digit mismatch")]
    CheckDigit,
    #[error("invalid birth date")]
    BirthDate,
    #[error("unknown region")]
    Region,
}

impl IdError {
    /// The message in the user's language.
    pub fn message(&self, locale: crate::i18n::Locale) -> &'static str {
        use IdError::*;
        locale.pick(
            match self {
                Empty => "不能为空",
                Length => "长度不正确",
                Character => "含有不允许的字符",
                CheckDigit => "校验位错误",
                BirthDate => "出生日期无效",
                Region => "地区码不存在",
            },
            match self {
                Empty => "must not be empty",
                Length => "has the wrong length",
                Character => "contains characters that are not allowed",
                CheckDigit => "check digit is wrong",
                BirthDate => "birth date is not a real date",
                Region => "region code is unknown",
            },
        )
    }
}

const ID_WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK: &[u8; 11] = b"10X98765432";

/// The check character of the first 17 digits of an ID number (ISO 7064 MOD 11-2).
pub fn id_card_check_char(first17: &str) -> Option<char> {
    if first17.len() != 17 {
        return None;
    }
    let mut sum = 0;
    for (c, w) in first17.chars().zip(ID_WEIGHTS) {
        sum += c.to_digit(10)? * w;
    }
    Some(ID_CHECK[(sum % 11) as usize] as char)
}

/// A checked 18-character ID number and what it encodes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdCard {
    pub number: String,
    pub region: String,
    pub birth_date: NaiveDate,
    pub male: bool,
}

/// Validates a 居民身份证号 after normalising it. `region_known` is asked about
/// the 6-digit address code.
pub fn id_card(input: &str, region_known: impl Fn(&str) -> bool) -> Result<IdCard, IdError> {
    let number = normalized(input);
    if number.is_empty() {
        return Err(IdError::Empty);
    }
    if number.chars().count() != 18 {
        return Err(IdError::Length);
    }
    let (body, check) = number.split_at(17);
    if !body.bytes().all(|b| b.is_ascii_digit()) || !matches!(check.as_bytes()[0], b'0'..=b'9' | b'X') {
        return Err(IdError::Character);
    }
    if id_card_check_char(body) != check.chars().next() {
        return Err(IdError::CheckDigit);
    }
    let digits = |range: std::ops::Range<usize>| body[range].parse::<u32>().ok();
    let birth_date = match (digits(6..10), digits(10..12), digits(12..14)) {
        (Some(y), Some(m), Some(d)) => NaiveDate::from_ymd_opt(y as i32, m, d).ok_or(IdError::BirthDate)?,
        _ => return Err(IdError::BirthDate),
    };
    if birth_date.year() < 1900 || birth_date > chrono::Utc::now().date_naive() {
        return Err(IdError::BirthDate);
    }
    let region = body[..6].to_owned();
    if !region_known(&region) {
        return Err(IdError::Region);
    }
    let male = (body.as_bytes()[16] - b'0') % 2 == 1;
    Ok(IdCard { number: number.into_owned(), region, birth_date, male })
}

const CREDIT_ALPHABET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
const CREDIT_WEIGHTS: [u32; 17] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

fn credit_value(c: char) -> Option<u32> {
    CREDIT_ALPHABET.find(c).map(|i| i as u32)
}

/// The check character of the first 17 characters of a credit code.
pub fn credit_code_check_char(first17: &str) -> Option<char> {
    if first17.chars().count() != 17 {
        return None;
    }
    let mut sum = 0;
    for (c, w) in first17.chars().zip(CREDIT_WEIGHTS) {
        sum += credit_value(c)? * w;
    }
    CREDIT_ALPHABET.chars().nth(((31 - sum % 31) % 31) as usize)
}

/// Validates a 统一社会信用代码 after normalising it; returns the normalised code.
pub fn credit_code(input: &str) -> Result<String, IdError> {
    let code: String = normalize(input).chars().filter(|c| *c != ' ' && *c != '-').collect();
    if code.is_empty() {
        return Err(IdError::Empty);
    }
    if code.chars().count() != 18 {
        return Err(IdError::Length);
    }
    if !code.chars().all(|c| credit_value(c).is_some()) || !code[2..8].bytes().all(|b| b.is_ascii_digit()) {
        return Err(IdError::Character);
    }
    if credit_code_check_char(&code[..17]) != code.chars().nth(17) {
        return Err(IdError::CheckDigit);
    }
    Ok(code)
}

/// Validates a mainland mobile number (11 digits starting 1[3-9]); accepts a
/// leading +86 or 86 and separators people type.
pub fn mobile(input: &str) -> Result<String, IdError> {
    let digits: String = normalized(input).chars().filter(|c| !matches!(c, ' ' | '-' | '+')).collect();
    if digits.is_empty() {
        return Err(IdError::Empty);
    }
    let digits = if digits.len() == 13 && digits.starts_with("86") { digits[2..].to_owned() } else { digits };
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(IdError::Character);
    }
    if digits.len() != 11 {
        return Err(IdError::Length);
    }
    if !digits.starts_with('1') || !matches!(digits.as_bytes()[1], b'3'..=b'9') {
        return Err(IdError::Character);
    }
    Ok(digits)
}

/// Dates as people and Excel write them: 2000-01-02, 2000/1/2, 2000.1.2,
/// 20000102, 2000年1月2日, or an Excel day serial such as 36527.
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    let t = normalized(text);
    let t = t.trim_end_matches(" 00:00:00");
    let b = t.as_bytes();
    let digits = |range: std::ops::Range<usize>| b[range].iter().all(u8::is_ascii_digit);
    if b.len() == 10 && b[4] == b'-' && b[7] == b'-' && digits(0..4) && digits(5..7) && digits(8..10) {
        // The common ISO form, without the general parser's cost.
        let number = |range: std::ops::Range<usize>| t[range].parse::<u32>().unwrap_or(0);
        return NaiveDate::from_ymd_opt(number(0..4) as i32, number(5..7), number(8..10));
    }
    if let Ok(serial) = t.parse::<u32>() {
        if (1..=80_000).contains(&serial) {
            // Excel's day 1 is 1900-01-01, counting the non-existent 1900-02-29.
            return NaiveDate::from_ymd_opt(1899, 12, 30)?.checked_add_days(chrono::Days::new(serial.into()));
        }
    }
    if t.len() == 8 && t.bytes().all(|b| b.is_ascii_digit()) {
        return NaiveDate::parse_from_str(t, "%Y%m%d").ok();
    }
    let unified: String =
        t.chars().map(|c| if matches!(c, '/' | '.' | '年' | '月') { '-' } else { c }).filter(|c| *c != '日').collect();
    NaiveDate::parse_from_str(&unified, "%Y-%m-%d").ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_people_type() {
        let d = NaiveDate::from_ymd_opt(2000, 1, 2).unwrap();
        for text in [
            "2000-01-02",
            "2000/1/2",
            "2000.1.2",
            "20000102",
            "2000年1月2日",
            "36527",
            "２０００-０１-０２",
            "2000-01-02 00:00:00",
        ] {
            assert_eq!(parse_date(text), Some(d), "{text}");
        }
        assert_eq!(parse_date("2000-02-30"), None);
        assert_eq!(parse_date("yesterday"), None);
    }

    use proptest::prelude::*;

    fn any_region(_: &str) -> bool {
        true
    }

    #[test]
    fn id_card_standard_vectors() {
        assert!(id_card("11010519491231002X", any_region).is_ok());
        assert!(id_card("34052419800101001X", any_region).is_ok());
        assert_eq!(id_card("340524198001010013", any_region), Err(IdError::CheckDigit));
        let card = id_card("11010519491231002X", any_region).unwrap();
        assert_eq!(card.birth_date, NaiveDate::from_ymd_opt(1949, 12, 31).unwrap());
        assert!(!card.male);
        assert_eq!(card.region, "110105");
    }

    #[test]
    fn id_card_normalises_full_width_and_case() {
        assert_eq!(
            id_card("\u{3000}１１０１０５１９４９１２３１００２ｘ ", any_region).unwrap().number,
            "11010519491231002X"
        );
        assert_eq!(id_card("11010519491231002x", any_region).unwrap().number, "11010519491231002X");
    }

    #[test]
    fn id_card_rejects_bad_dates_regions_and_lengths() {
        // 1949-02-30 does not exist; give it a correct check digit so the date is what fails.
        let body = "11010519490230002";
        let n = format!("{body}{}", id_card_check_char(body).unwrap());
        assert_eq!(id_card(&n, any_region), Err(IdError::BirthDate));
        assert_eq!(id_card("11010519491231002X", |r| r.starts_with("43")), Err(IdError::Region));
        assert_eq!(id_card("1101051949123100", any_region), Err(IdError::Length));
        assert_eq!(id_card("", any_region), Err(IdError::Empty));
        assert_eq!(id_card("1101051949123100AX", any_region), Err(IdError::Character));
    }

    #[test]
    fn credit_code_standard_vectors() {
        assert_eq!(credit_code("91350100M000100Y43").unwrap(), "91350100M000100Y43");
        assert_eq!(credit_code("91350100M000100Y44"), Err(IdError::CheckDigit));
        assert_eq!(credit_code(" ９１３５０１００ｍ０００１００ｙ４３ ").unwrap(), "91350100M000100Y43");
        assert_eq!(credit_code("91350100M000100Y4"), Err(IdError::Length));
        assert_eq!(credit_code("91350100M000100I43"), Err(IdError::Character));
    }

    #[test]
    fn mobile_numbers() {
        assert_eq!(mobile("138 0013 8000").unwrap(), "13800138000");
        assert_eq!(mobile("+86 13800138000").unwrap(), "13800138000");
        assert_eq!(mobile("12800138000"), Err(IdError::Character));
        assert_eq!(mobile("1380013800"), Err(IdError::Length));
        assert_eq!(mobile("１３８００１３８０００").unwrap(), "13800138000");
    }

    fn id_body() -> impl Strategy<Value = String> {
        (0u32..999_999, 1950i32..2005, 1u32..13, 1u32..29, 0u32..1000)
            .prop_map(|(r, y, m, d, s)| format!("{:06}{y:04}{m:02}{d:02}{s:03}", r.max(110_000)))
    }

    fn credit_body() -> impl Strategy<Value = String> {
        let alphabet: Vec<char> = CREDIT_ALPHABET.chars().collect();
        (
            proptest::collection::vec(proptest::sample::select(alphabet.clone()), 2),
            100_000u32..999_999,
            proptest::collection::vec(proptest::sample::select(alphabet), 9),
        )
            .prop_map(|(head, region, tail)| {
                format!("{}{region}{}", head.into_iter().collect::<String>(), tail.into_iter().collect::<String>())
            })
    }

    proptest! {
        #[test]
        fn generated_id_numbers_pass(body in id_body()) {
            let number = format!("{body}{}", id_card_check_char(&body).unwrap());
            prop_assert!(id_card(&number, any_region).is_ok());
        }

        #[test]
        fn any_single_changed_id_character_fails(body in id_body(), pos in 0usize..18, delta in 1u8..10) {
            let number = format!("{body}{}", id_card_check_char(&body).unwrap());
            let mut bytes = number.into_bytes();
            bytes[pos] = if pos == 17 {
                // Walk the check alphabet instead of the digits.
                let i = ID_CHECK.iter().position(|c| *c == bytes[17]).unwrap();
                ID_CHECK[(i + delta as usize) % 11]
            } else {
                b'0' + (bytes[pos] - b'0' + delta) % 10
            };
            let changed = String::from_utf8(bytes).unwrap();
            prop_assert!(id_card(&changed, any_region).is_err());
        }

        #[test]
        fn generated_credit_codes_pass(body in credit_body()) {
            let code = format!("{body}{}", credit_code_check_char(&body).unwrap());
            prop_assert_eq!(credit_code(&code), Ok(code.clone()));
        }

        #[test]
        fn any_single_changed_credit_character_fails(body in credit_body(), pos in 0usize..18, delta in 1usize..31) {
            let code = format!("{body}{}", credit_code_check_char(&body).unwrap());
            let alphabet: Vec<char> = CREDIT_ALPHABET.chars().collect();
            let mut chars: Vec<char> = code.chars().collect();
            let i = alphabet.iter().position(|c| *c == chars[pos]).unwrap();
            chars[pos] = alphabet[(i + delta) % 31];
            let changed: String = chars.into_iter().collect();
            prop_assert!(credit_code(&changed).is_err());
        }

        #[test]
        fn normalize_is_idempotent(s in "\\PC{0,20}") {
            prop_assert_eq!(normalize(&normalize(&s)), normalize(&s));
        }

        #[test]
        fn normalize_shortcut_agrees_with_the_full_mapping(s in "[ 0-9A-Za-z\\-\u{3000}\u{FF10}-\u{FF5A}\u{4E00}-\u{4E10}\u{00B7}]{0,20}") {
            let full: String = s
                .chars()
                .map(|c| match c {
                    '\u{3000}' => ' ',
                    '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
                    _ => c,
                })
                .collect::<String>()
                .trim()
                .to_uppercase();
            prop_assert_eq!(normalize(&s), full);
        }
    }
}
