//! What the employer offers in a 就业协议书 besides the position (pure): the
//! term (合同期限), probation, pay, the breach terms (违约金), and where the
//! archive (档案) and the 户口 go (docs/domain/agreements.md §1).

use kernel::web::FieldErrors;
use kernel::Locale;

/// The terms as the employer typed them.
#[derive(Debug, Default, Clone, serde::Deserialize)]
pub struct TermsForm {
    #[serde(default)]
    pub monthly_salary: String,
    #[serde(default)]
    pub term_months: String,
    #[serde(default)]
    pub probation_months: String,
    #[serde(default)]
    pub breach_terms: String,
    #[serde(default)]
    pub archive_to: String,
    #[serde(default)]
    pub hukou_to: String,
}

/// Terms that passed their checks; empty text is `None`.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Terms {
    pub monthly_salary: Option<String>,
    pub term_months: Option<i64>,
    pub probation_months: Option<i64>,
    pub breach_terms: Option<String>,
    pub archive_to: Option<String>,
    pub hukou_to: Option<String>,
}

/// The longest agreement term accepted: ten years.
const MAX_TERM_MONTHS: i64 = 120;

/// The longest probation a term allows (劳动合同法 第十九条): none under three
/// months, one month under a year, two under three years, six beyond.
pub fn max_probation(term_months: Option<i64>) -> i64 {
    match term_months {
        Some(t) if t < 3 => 0,
        Some(t) if t < 12 => 1,
        Some(t) if t < 36 => 2,
        _ => 6,
    }
}

fn text(errors: &mut FieldErrors, field: &str, value: &str, max: usize, l: Locale) -> Option<String> {
    let value = value.trim();
    if value.chars().count() > max {
        let message = match l {
            Locale::Zh => format!("不超过 {max} 个字。"),
            Locale::En => format!("At most {max} characters."),
        };
        errors.add(field, message);
    }
    Some(value.to_owned()).filter(|v| !v.is_empty())
}

fn months(errors: &mut FieldErrors, field: &str, value: &str, max: i64, l: Locale) -> Option<i64> {
    let value = kernel::validate::normalize(value);
    if value.is_empty() {
        return None;
    }
    match value.parse::<i64>() {
        Ok(n) if (0..=max).contains(&n) => Some(n),
        _ => {
            let message = match l {
                Locale::Zh => format!("请填写 0 到 {max} 之间的月数。"),
                Locale::En => format!("Give a number of months from 0 to {max}."),
            };
            errors.add(field, message);
            None
        }
    }
}

/// Checks the terms, adding a message per wrong field to `errors`.
pub fn check(form: &TermsForm, errors: &mut FieldErrors, l: Locale) -> Terms {
    let term_months = months(errors, "term_months", &form.term_months, MAX_TERM_MONTHS, l);
    let probation_months = months(errors, "probation_months", &form.probation_months, 6, l);
    let limit = max_probation(term_months);
    if probation_months.is_some_and(|p| p > limit) && errors.of("probation_months").is_empty() {
        let message = match l {
            Locale::Zh => format!("按劳动合同法第十九条，这一期限的试用期不得超过 {limit} 个月。"),
            Locale::En => {
                format!("For this term the Labour Contract Law (art. 19) allows at most {limit} months' probation.")
            }
        };
        errors.add("probation_months", message);
    }
    Terms {
        monthly_salary: text(errors, "monthly_salary", &form.monthly_salary, 30, l),
        term_months,
        probation_months,
        breach_terms: text(errors, "breach_terms", &form.breach_terms, 200, l),
        archive_to: text(errors, "archive_to", &form.archive_to, 100, l),
        hukou_to: text(errors, "hukou_to", &form.hukou_to, 100, l),
    }
}

/// (field, label zh, label en) of each term, in the order forms and the print show them.
pub const FIELDS: [(&str, &str, &str); 6] = [
    ("monthly_salary", "月薪（元）", "Monthly salary (yuan)"),
    ("term_months", "协议期限（月）", "Term (months)"),
    ("probation_months", "试用期（月）", "Probation (months)"),
    ("breach_terms", "违约责任（违约金）", "Breach terms (penalty)"),
    ("archive_to", "档案转递单位及地址", "Archive goes to"),
    ("hukou_to", "户口迁移地址", "Household registration (hukou) moves to"),
];

impl TermsForm {
    /// The typed value of a field of `FIELDS`.
    pub fn value(&self, field: &str) -> &str {
        match field {
            "monthly_salary" => &self.monthly_salary,
            "term_months" => &self.term_months,
            "probation_months" => &self.probation_months,
            "breach_terms" => &self.breach_terms,
            "archive_to" => &self.archive_to,
            "hukou_to" => &self.hukou_to,
            _ => "",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn form(term: &str, probation: &str) -> TermsForm {
        TermsForm { term_months: term.into(), probation_months: probation.into(), ..TermsForm::default() }
    }

    #[test]
    fn terms_are_read_and_probation_follows_the_term() {
        let mut errors = FieldErrors::default();
        let full = TermsForm {
            monthly_salary: " 8000 ".into(),
            breach_terms: "任何一方违约，向守约方支付违约金 3000 元".into(),
            archive_to: "长沙市人才服务中心".into(),
            hukou_to: "长沙市岳麓区".into(),
            ..form("36", "6")
        };
        let terms = check(&full, &mut errors, Locale::Zh);
        assert!(errors.is_empty());
        assert_eq!((terms.term_months, terms.probation_months), (Some(36), Some(6)));
        assert_eq!(terms.monthly_salary.as_deref(), Some("8000"));
        check(&form("12", "3"), &mut errors, Locale::Zh);
        assert!(errors.of("probation_months").contains("不得超过 2 个月"));
        let mut errors = FieldErrors::default();
        check(&form("十二", ""), &mut errors, Locale::En);
        assert!(errors.of("term_months").contains("months"));
        let mut errors = FieldErrors::default();
        assert_eq!(check(&TermsForm::default(), &mut errors, Locale::Zh), Terms::default());
        assert!(errors.is_empty(), "every term may be left open");
    }

    proptest! {
        /// Any term and probation within the law pass; beyond it, probation is refused.
        #[test]
        fn probation_never_exceeds_what_the_term_allows(term in 0i64..=120, probation in 0i64..=6) {
            let mut errors = FieldErrors::default();
            let terms = check(&form(&term.to_string(), &probation.to_string()), &mut errors, Locale::Zh);
            prop_assert_eq!(errors.is_empty(), probation <= max_probation(Some(term)));
            prop_assert_eq!(terms.term_months, Some(term));
        }

        /// Whatever is typed, the check answers without panicking, and a refused field names itself.
        #[test]
        fn any_text_is_answered(term in ".{0,12}", probation in ".{0,12}") {
            let mut errors = FieldErrors::default();
            let terms = check(&form(&term, &probation), &mut errors, Locale::Zh);
            prop_assert!(terms.term_months.is_none_or(|t| (0..=MAX_TERM_MONTHS).contains(&t)));
            prop_assert!(terms.probation_months.is_none_or(|p| p <= 6));
        }
    }
}
