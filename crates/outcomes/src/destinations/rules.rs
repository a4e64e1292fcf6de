//! What makes a destination right (pure: no I/O): the form staff fill in,
//! its checks against the cohort's code tables, and which documents a
//! category needs.

use std::collections::{HashMap, HashSet};

use kernel::web::FieldErrors;
use kernel::{validate, Locale};
use registry::reference::RegionIndex;

/// What staff enter for a destination.
#[derive(Debug, Default, Clone, serde::Deserialize)]
pub struct DestinationForm {
    #[serde(default)]
    pub category_code: String,
    #[serde(default)]
    pub employer_name: String,
    #[serde(default)]
    pub credit_code: String,
    #[serde(default)]
    pub position_code: String,
    #[serde(default)]
    pub nature_code: String,
    #[serde(default)]
    pub industry_code: String,
    #[serde(default)]
    pub region_code: String,
    #[serde(default)]
    pub signed_on: String,
    #[serde(default)]
    pub note: String,
}

/// The codes a destination is checked against, loaded once per request or batch.
pub struct Codes {
    pub version: String,
    pub(crate) categories: HashSet<String>,
    pub(crate) positions: HashSet<String>,
    pub(crate) natures: HashSet<String>,
    pub(crate) industries: HashSet<String>,
    pub(crate) regions: RegionIndex,
    /// The documents each category needs.
    pub evidence: Rules,
}

/// A destination that passed its checks, normalised.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Checked {
    pub category: String,
    pub employer_name: Option<String>,
    pub credit_code: Option<String>,
    pub position: Option<String>,
    pub nature: Option<String>,
    pub industry: Option<String>,
    pub region: Option<String>,
    pub signed_on: Option<String>,
    pub note: Option<String>,
}

fn some(s: String) -> Option<String> {
    Some(s).filter(|s| !s.is_empty())
}

/// Checks a destination form against the code tables (pure).
pub fn check(form: &DestinationForm, codes: &Codes, l: Locale) -> Result<Checked, FieldErrors> {
    let mut errors = FieldErrors::default();
    let category = validate::normalize(&form.category_code);
    if category.is_empty() {
        errors.add("category_code", l.pick("请选择毕业去向类别。", "Choose a destination category."));
    } else if !codes.categories.contains(&category) {
        errors
            .add("category_code", l.pick("毕业去向类别不在本届代码表中。", "Not in this cohort's destination codes."));
    }
    let mut coded = |field: &str, set: &HashSet<String>, value: &str| {
        let v = validate::normalize(value);
        if !v.is_empty() && !set.contains(&v) {
            errors.add(field, l.pick("不在代码表中。", "Not in the code table."));
        }
        some(v)
    };
    let position = coded("position_code", &codes.positions, &form.position_code);
    let nature = coded("nature_code", &codes.natures, &form.nature_code);
    let industry = coded("industry_code", &codes.industries, &form.industry_code);
    let credit_code = match form.credit_code.trim() {
        "" => None,
        text => match validate::credit_code(text) {
            Ok(code) => Some(code),
            Err(e) => {
                errors.add("credit_code", format!("{}{}", l.pick("统一社会信用代码", "Credit code "), e.message(l)));
                None
            }
        },
    };
    let region = some(validate::normalize(&form.region_code));
    if region.as_ref().is_some_and(|r| !codes.regions.knows(r)) {
        errors.add("region_code", l.pick("地区代码不存在。", "Unknown region code."));
    }
    let signed_on = match form.signed_on.trim() {
        "" => None,
        text => match validate::parse_date(text) {
            Some(d) => Some(d.format("%Y-%m-%d").to_string()),
            None => {
                errors.add("signed_on", l.pick("日期格式应为 2022-06-30。", "Dates look like 2022-06-30."));
                None
            }
        },
    };
    let employer_name = form.employer_name.trim().to_owned();
    if employer_name.chars().count() > 100 {
        errors.add("employer_name", l.pick("单位名称不能超过 100 个字。", "At most 100 characters."));
    }
    let note = form.note.trim().to_owned();
    if note.chars().count() > 500 {
        errors.add("note", l.pick("备注不能超过 500 个字。", "At most 500 characters."));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(Checked {
        category,
        employer_name: some(employer_name),
        credit_code,
        position,
        nature,
        industry,
        region,
        signed_on,
        note: some(note),
    })
}

/// The document kinds each destination code of one code-table version needs.
#[derive(Debug, Default, Clone)]
pub struct Rules {
    pub(crate) by_category: HashMap<String, Vec<String>>,
}

impl Rules {
    pub fn required(&self, category: &str) -> &[String] {
        self.by_category.get(category).map(Vec::as_slice).unwrap_or_default()
    }
}

/// The document kinds in a rule such as `employment_proof;pay_records;min_wage`, checks left out.
pub fn documents(rule: &str, checks: &[String]) -> Vec<String> {
    rule.split(';')
        .map(str::trim)
        .filter(|k| !k.is_empty() && !checks.iter().any(|c| c == k))
        .map(str::to_owned)
        .collect()
}

/// The required kinds not yet among `have`, as stored: `;`-separated, `''` when complete.
pub fn missing(required: &[String], have: &[String]) -> String {
    required.iter().filter(|k| !have.contains(k)).cloned().collect::<Vec<_>>().join(";")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks_are_not_documents_and_missing_lists_the_rest() {
        let checks = vec!["min_wage".to_owned()];
        let need = documents("employment_proof;pay_records;min_wage", &checks);
        assert_eq!(need, ["employment_proof", "pay_records"]);
        assert_eq!(missing(&need, &[]), "employment_proof;pay_records");
        assert_eq!(missing(&need, &["pay_records".to_owned()]), "employment_proof");
        assert_eq!(missing(&need, &["pay_records".to_owned(), "employment_proof".to_owned()]), "");
        assert!(documents("", &checks).is_empty());
    }
}
