//! What makes a destination right (pure: no I/O): the form staff fill in,
//! its checks against the cohort's code tables, which fields and which
//! documents a category needs, and what the registry fills in from a credit code.

use std::collections::{HashMap, HashSet};

use kernel::web::FieldErrors;
use kernel::{validate, Locale};
use registry::employers::Card;
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
    /// Why this change corrects the record after verification (核查更正); empty for any other change.
    #[serde(default)]
    pub correction: String,
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
    /// The form fields each category needs (`destination_fields`).
    pub needs: Needs,
}

/// The form fields each destination category needs, as `data/destination_fields.csv` says.
#[derive(Debug, Default, Clone)]
pub struct Needs {
    pub(crate) by_category: HashMap<String, Vec<String>>,
}

impl Needs {
    /// From `(category, fields)` pairs, fields `;`-separated as stored.
    pub fn from_rows<'a>(rows: impl IntoIterator<Item = (&'a str, &'a str)>) -> Needs {
        let by_category = rows
            .into_iter()
            .map(|(code, fields)| {
                (
                    code.to_owned(),
                    fields.split(';').map(str::trim).filter(|f| !f.is_empty()).map(str::to_owned).collect(),
                )
            })
            .collect();
        Needs { by_category }
    }

    pub fn of(&self, category: &str) -> &[String] {
        self.by_category.get(category).map(Vec::as_slice).unwrap_or_default()
    }
}

/// Why a field the category needs is refused when empty, in the reader's language.
fn needed_message(field: &str, l: Locale) -> &'static str {
    match field {
        "employer_name" => l.pick(
            "此类毕业去向须填写单位名称（升学填录取院校）。",
            "This destination needs the employer's name (for further study, the school's).",
        ),
        "credit_code" => {
            l.pick("此类毕业去向须填写单位的统一社会信用代码。", "This destination needs the employer's credit code.")
        }
        "region_code" => l.pick(
            "此类毕业去向须填写所在地区（工作地、服务地或入伍地）。",
            "This destination needs the region (of work, service or enlistment).",
        ),
        _ => l.pick("此类毕业去向须填写此项。", "This destination needs this field."),
    }
}

impl DestinationForm {
    /// Fills the employer's name, nature, industry and region from the registry
    /// where staff left them empty; what staff typed stays.
    pub fn fill_from(&mut self, e: &Card) {
        let fill = |field: &mut String, value: Option<&str>| {
            if field.trim().is_empty() {
                *field = value.unwrap_or_default().to_owned();
            }
        };
        fill(&mut self.employer_name, Some(&e.name));
        fill(&mut self.nature_code, e.nature_code.as_deref());
        fill(&mut self.industry_code, e.industry_code.as_deref());
        fill(&mut self.region_code, e.region_code.as_deref());
    }
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
    /// 核查更正: why the record is corrected after verification.
    pub correction: Option<String>,
}

impl Checked {
    /// The value of a form field by its name; `None` when empty or not a field.
    fn value(&self, field: &str) -> Option<&str> {
        match field {
            "employer_name" => self.employer_name.as_deref(),
            "credit_code" => self.credit_code.as_deref(),
            "position_code" => self.position.as_deref(),
            "nature_code" => self.nature.as_deref(),
            "industry_code" => self.industry.as_deref(),
            "region_code" => self.region.as_deref(),
            "signed_on" => self.signed_on.as_deref(),
            _ => None,
        }
    }
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
    let correction = form.correction.trim().to_owned();
    if correction.chars().count() > 500 {
        errors.add("correction", l.pick("更正说明不能超过 500 个字。", "At most 500 characters."));
    }
    let checked = Checked {
        category,
        employer_name: some(employer_name),
        credit_code,
        position,
        nature,
        industry,
        region,
        signed_on,
        note: some(note),
        correction: some(correction),
    };
    for field in codes.needs.of(&checked.category) {
        if checked.value(field).is_none() && errors.of(field).is_empty() {
            errors.add(field, needed_message(field, l));
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(checked)
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
    use proptest::prelude::*;

    const FIELDS: &str = include_str!("../../../../data/destination_fields.csv");

    fn codes() -> Codes {
        let set = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<HashSet<_>>();
        let rows: Vec<(String, String)> = FIELDS
            .lines()
            .skip(1)
            .filter_map(|line| line.split_once(','))
            .map(|(c, f)| (c.to_owned(), f.to_owned()))
            .collect();
        Codes {
            version: "2021".into(),
            categories: set(&["10", "11", "46", "502", "76", "801"]),
            positions: set(&["10"]),
            natures: set(&["39"]),
            industries: set(&["34"]),
            regions: RegionIndex::from_codes([("430000", "province"), ("430100", "prefecture"), ("430104", "county")]),
            evidence: Rules::default(),
            needs: Needs::from_rows(rows.iter().map(|(c, f)| (c.as_str(), f.as_str()))),
        }
    }

    fn form(category: &str) -> DestinationForm {
        DestinationForm { category_code: category.into(), ..DestinationForm::default() }
    }

    #[test]
    fn a_category_refuses_the_fields_it_needs_when_empty() {
        let codes = codes();
        let errors = check(&form("10"), &codes, Locale::Zh).unwrap_err();
        assert!(errors.of("employer_name").contains("单位名称") && errors.of("credit_code").contains("信用代码"));
        let errors = check(&form("801"), &codes, Locale::En).unwrap_err();
        assert!(errors.of("employer_name").contains("school"));
        assert!(check(&form("46"), &codes, Locale::Zh).unwrap_err().of("region_code").contains("入伍地"));
        assert!(check(&form("76"), &codes, Locale::Zh).is_ok(), "freelance needs no employer");
        let school = DestinationForm { employer_name: "湘潭大学".into(), ..form("801") };
        assert!(check(&school, &codes, Locale::Zh).is_ok());
        // A wrong credit code keeps its own message rather than "needed".
        let mut wrong = DestinationForm { employer_name: "某单位".into(), ..form("10") };
        wrong.credit_code = "91350100M000100Y44".into();
        assert!(check(&wrong, &codes, Locale::Zh).unwrap_err().of("credit_code").contains("校验位"));
    }

    #[test]
    fn every_needed_field_is_on_the_form_and_every_code_is_a_destination() {
        let destinations = include_str!("../../../../data/codes/destination.csv");
        let probe = Checked {
            employer_name: Some("x".into()),
            credit_code: Some("x".into()),
            position: Some("x".into()),
            nature: Some("x".into()),
            industry: Some("x".into()),
            region: Some("x".into()),
            signed_on: Some("x".into()),
            ..Checked::default()
        };
        for (code, fields) in codes().needs.by_category {
            assert!(destinations.lines().any(|l| l.split(',').nth(1) == Some(code.as_str())), "{code}");
            for f in fields {
                assert!(probe.value(&f).is_some(), "{code}: {f} is not a form field");
            }
        }
    }

    #[test]
    fn the_registry_fills_only_what_staff_left_empty() {
        let registered = Card {
            credit_code: "91350100M000100Y43".into(),
            name: "湘江软件有限公司".into(),
            nature_code: Some("39".into()),
            industry_code: Some("34".into()),
            region_code: Some("430104".into()),
        };
        let mut f = DestinationForm { nature_code: "31".into(), ..form("10") };
        f.fill_from(&registered);
        assert_eq!(
            (f.employer_name.as_str(), f.nature_code.as_str(), f.industry_code.as_str(), f.region_code.as_str()),
            ("湘江软件有限公司", "31", "34", "430104")
        );
    }

    proptest! {
        /// A form passes exactly when every field its category needs is filled.
        #[test]
        fn needed_fields_decide(category in prop::sample::select(vec!["10", "11", "46", "502", "76", "801"]),
                                name in any::<bool>(), code in any::<bool>(), region in any::<bool>()) {
            let codes = codes();
            let f = DestinationForm {
                employer_name: if name { "某单位".into() } else { String::new() },
                credit_code: if code { "91350100M000100Y43".into() } else { String::new() },
                region_code: if region { "430104".into() } else { String::new() },
                ..form(category)
            };
            let filled = |field: &str| match field { "employer_name" => name, "credit_code" => code, "region_code" => region, _ => false };
            let complete = codes.needs.of(category).iter().all(|field| filled(field));
            prop_assert_eq!(check(&f, &codes, Locale::Zh).is_ok(), complete);
        }
    }

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
