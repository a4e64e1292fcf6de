//! The employer network's rules, pure: the forms of a park, a designation
//! (重点用人单位认定), a plaque (授牌) and a visit (访企拓岗, 调研走访), with their
//! checks; who may do what; which employers look like duplicates.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use kernel::auth::{Actor, Role};
use kernel::validate::{normalize, parse_date};
use kernel::web::FieldErrors;
use kernel::Locale;

/// Whose visits a reader sees: the province all, a university's staff their own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Whose {
    Province,
    Institution(i64),
}

impl Whose {
    pub fn of(actor: &Actor) -> Option<Whose> {
        match (actor.role, actor.institution_id) {
            (Role::ProvinceAdmin, _) => Some(Whose::Province),
            (Role::UniversityStaff, Some(id)) => Some(Whose::Institution(id)),
            _ => None,
        }
    }
}

/// The two kinds of visit the plan counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VisitKind {
    /// 访企拓岗: leaders visit employers to open up jobs.
    Expand,
    /// 调研走访: a survey visit.
    Survey,
}

impl VisitKind {
    pub const ALL: [VisitKind; 2] = [VisitKind::Expand, VisitKind::Survey];
    pub fn key(self) -> &'static str {
        match self {
            VisitKind::Expand => "expand",
            VisitKind::Survey => "survey",
        }
    }
    pub fn parse(key: &str) -> Option<VisitKind> {
        VisitKind::ALL.into_iter().find(|k| k.key() == key)
    }
    pub fn label(self, l: Locale) -> &'static str {
        match self {
            VisitKind::Expand => l.pick("访企拓岗", "Visit to open up jobs"),
            VisitKind::Survey => l.pick("调研走访", "Survey visit"),
        }
    }
}

/// Longest free texts: visitors, majors, follow-up.
const TEXT_CHARS: usize = 500;
/// Pay above this (yuan a month) is a typing slip, not a wage.
const PAY_MAX: i64 = 1_000_000;

fn date_field(errors: &mut FieldErrors, field: &str, text: &str, today: NaiveDate, l: Locale) -> Option<NaiveDate> {
    let Some(day) = parse_date(text) else {
        errors.add(field, l.pick("请填写日期，如 2022-05-18。", "Enter a date such as 2022-05-18."));
        return None;
    };
    if day > today {
        errors.add(field, l.pick("日期不能晚于今天。", "The date cannot be after today."));
        return None;
    }
    Some(day)
}

fn text_field(errors: &mut FieldErrors, field: &str, text: &str, required: bool, l: Locale) -> String {
    let t = text.trim();
    if required && t.is_empty() {
        errors.add(field, l.pick("此项必填。", "This field is required."));
    } else if t.chars().count() > TEXT_CHARS {
        errors.add(field, l.pick("内容过长（不超过 500 字）。", "Too long (at most 500 characters)."));
    }
    t.to_owned()
}

/// A whole number of at most `max`, or empty when `optional`.
fn number_field(errors: &mut FieldErrors, field: &str, text: &str, max: i64, l: Locale) -> Option<i64> {
    let t = normalize(text).replace([',', ' '], "");
    if t.is_empty() {
        return None;
    }
    match t.parse::<i64>() {
        Ok(n) if (0..=max).contains(&n) => Some(n),
        Ok(_) => {
            errors.add(field, l.pick("数值超出合理范围。", "The number is out of range."));
            None
        }
        Err(_) => {
            errors.add(field, l.pick("请填写整数，如 6500。", "Enter a whole number such as 6500."));
            None
        }
    }
}

/// An industrial park (产业园区) as typed.
#[derive(Debug, Clone, Default)]
pub struct ParkForm {
    pub name: String,
    pub region_code: String,
}

pub fn check_park(f: &ParkForm, regions: &HashSet<String>, l: Locale) -> Result<ParkForm, FieldErrors> {
    let mut errors = FieldErrors::default();
    let name = text_field(&mut errors, "name", &f.name, true, l);
    let region_code = f.region_code.trim().to_owned();
    if !regions.contains(&region_code) {
        errors.add("region_code", l.pick("请选择园区所在地。", "Choose where the park is."));
    }
    errors.is_empty().then_some(ParkForm { name, region_code }).ok_or(errors)
}

/// A designation as typed: the employer by its credit code.
#[derive(Debug, Clone, Default)]
pub struct DesignationForm {
    pub credit_code: String,
    pub park_id: String,
    pub field_code: String,
    pub designated_on: String,
}

/// What the code tables and the registry hold, for the forms' checks.
#[derive(Debug, Default)]
pub struct Allowed {
    /// Strategy fields (三高四新) a designation may name: the leaves.
    pub fields: HashSet<String>,
    pub parks: HashSet<i64>,
    /// Visit regions (`visit_region`) a visit may name: the leaves.
    pub regions: HashSet<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Designation {
    pub employer_id: i64,
    pub park_id: Option<i64>,
    pub field_code: String,
    pub designated_on: NaiveDate,
}

fn park_field(errors: &mut FieldErrors, text: &str, allowed: &Allowed, l: Locale) -> Option<i64> {
    let t = text.trim();
    if t.is_empty() {
        return None;
    }
    match t.parse::<i64>() {
        Ok(id) if allowed.parks.contains(&id) => Some(id),
        _ => {
            errors.add("park_id", l.pick("请从列表中选择园区。", "Choose a park from the list."));
            None
        }
    }
}

fn employer_field(errors: &mut FieldErrors, form_code: &str, employer: Option<i64>, l: Locale) -> Option<i64> {
    if employer.is_none() && !form_code.trim().is_empty() {
        errors.add(
            "credit_code",
            l.pick("找不到该统一社会信用代码的单位。", "No employer has this unified social credit code."),
        );
    }
    employer
}

/// `employer`: the registry's employer of the form's credit code, if any.
pub fn check_designation(
    f: &DesignationForm,
    employer: Option<i64>,
    allowed: &Allowed,
    today: NaiveDate,
    l: Locale,
) -> Result<Designation, FieldErrors> {
    let mut errors = FieldErrors::default();
    if f.credit_code.trim().is_empty() {
        errors.add("credit_code", l.pick("请填写单位的统一社会信用代码。", "Enter the employer's credit code."));
    }
    let employer_id = employer_field(&mut errors, &f.credit_code, employer, l);
    let park_id = park_field(&mut errors, &f.park_id, allowed, l);
    if !allowed.fields.contains(f.field_code.trim()) {
        errors.add("field_code", l.pick("请选择“三高四新”领域。", "Choose a strategy field."));
    }
    let designated_on = date_field(&mut errors, "designated_on", &f.designated_on, today, l);
    match (employer_id, designated_on, errors.is_empty()) {
        (Some(employer_id), Some(designated_on), true) => {
            Ok(Designation { employer_id, park_id, field_code: f.field_code.trim().to_owned(), designated_on })
        }
        _ => Err(errors),
    }
}

/// A plaque (授牌) as typed.
#[derive(Debug, Clone, Default)]
pub struct PlaqueForm {
    pub plaque_no: String,
    pub issued_on: String,
    pub issued_by: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Plaque {
    pub plaque_no: String,
    pub issued_on: NaiveDate,
    pub issued_by: String,
}

/// A plaque is issued on or after the designation, by a named body.
pub fn check_plaque(
    f: &PlaqueForm,
    designated_on: NaiveDate,
    today: NaiveDate,
    l: Locale,
) -> Result<Plaque, FieldErrors> {
    let mut errors = FieldErrors::default();
    let plaque_no = text_field(&mut errors, "plaque_no", &f.plaque_no, true, l);
    let issued_by = text_field(&mut errors, "issued_by", &f.issued_by, true, l);
    let issued_on = date_field(&mut errors, "issued_on", &f.issued_on, today, l);
    if issued_on.is_some_and(|d| d < designated_on) {
        errors.add(
            "issued_on",
            l.pick("授牌日期不能早于认定日期。", "A plaque cannot be issued before the designation."),
        );
    }
    match (issued_on, errors.is_empty()) {
        (Some(issued_on), true) => Ok(Plaque { plaque_no, issued_on, issued_by }),
        _ => Err(errors),
    }
}

/// A visit as typed.
#[derive(Debug, Clone, Default)]
pub struct VisitForm {
    pub kind: String,
    pub visited_on: String,
    pub visitors: String,
    pub credit_code: String,
    pub park_id: String,
    pub region_code: String,
    pub majors: String,
    pub positions: String,
    pub average_pay: String,
    pub follow_up: String,
}

impl VisitForm {
    pub fn from_pairs(pairs: &[(String, String)]) -> VisitForm {
        let get = |name: &str| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default();
        VisitForm {
            kind: get("kind"),
            visited_on: get("visited_on"),
            visitors: get("visitors"),
            credit_code: get("credit_code"),
            park_id: get("park_id"),
            region_code: get("region_code"),
            majors: get("majors"),
            positions: get("positions"),
            average_pay: get("average_pay"),
            follow_up: get("follow_up"),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Visit {
    pub kind: VisitKind,
    pub visited_on: NaiveDate,
    pub visitors: String,
    pub employer_id: Option<i64>,
    pub park_id: Option<i64>,
    pub region_code: String,
    pub majors: String,
    pub positions: i64,
    pub average_pay: Option<i64>,
    pub follow_up: String,
}

/// `employer`: the registry's employer of the form's credit code, if any. A
/// visit names an employer or a park (or both), never neither.
pub fn check_visit(
    f: &VisitForm,
    employer: Option<i64>,
    allowed: &Allowed,
    today: NaiveDate,
    l: Locale,
) -> Result<Visit, FieldErrors> {
    let mut errors = FieldErrors::default();
    let kind = VisitKind::parse(f.kind.trim());
    if kind.is_none() {
        errors.add("kind", l.pick("请选择走访类型。", "Choose the kind of visit."));
    }
    let visited_on = date_field(&mut errors, "visited_on", &f.visited_on, today, l);
    let visitors = text_field(&mut errors, "visitors", &f.visitors, true, l);
    let employer_id = employer_field(&mut errors, &f.credit_code, employer, l);
    let park_id = park_field(&mut errors, &f.park_id, allowed, l);
    if f.credit_code.trim().is_empty() && f.park_id.trim().is_empty() {
        errors
            .add("credit_code", l.pick("请填写走访的单位或选择园区。", "Name the employer visited or choose a park."));
    }
    let region_code = f.region_code.trim().to_owned();
    if !allowed.regions.contains(&region_code) {
        errors.add("region_code", l.pick("请选择走访地区。", "Choose the region visited."));
    }
    let majors = text_field(&mut errors, "majors", &f.majors, false, l);
    let positions = number_field(&mut errors, "positions", &f.positions, 100_000, l).unwrap_or(0);
    let average_pay = number_field(&mut errors, "average_pay", &f.average_pay, PAY_MAX, l);
    let follow_up = text_field(&mut errors, "follow_up", &f.follow_up, false, l);
    match (kind, visited_on, errors.is_empty()) {
        (Some(kind), Some(visited_on), true) => Ok(Visit {
            kind,
            visited_on,
            visitors,
            employer_id,
            park_id,
            region_code,
            majors,
            positions,
            average_pay,
            follow_up,
        }),
        _ => Err(errors),
    }
}

impl Visit {
    /// The form that shows this visit again, for editing.
    pub fn form(&self, credit_code: &str) -> VisitForm {
        VisitForm {
            kind: self.kind.key().to_owned(),
            visited_on: self.visited_on.to_string(),
            visitors: self.visitors.clone(),
            credit_code: credit_code.to_owned(),
            park_id: self.park_id.map(|p| p.to_string()).unwrap_or_default(),
            region_code: self.region_code.clone(),
            majors: self.majors.clone(),
            positions: self.positions.to_string(),
            average_pay: self.average_pay.map(|p| p.to_string()).unwrap_or_default(),
            follow_up: self.follow_up.clone(),
        }
    }
}

/// A credit code as people type it: full-width, lower case, spaces and dashes.
pub fn normal_credit_code(code: &str) -> String {
    normalize(code).chars().filter(|c| !c.is_whitespace() && *c != '-').collect()
}

/// Company-form words that two records of one employer often differ by.
const FORMS: [&str; 4] = ["股份有限公司", "有限责任公司", "有限公司", "公司"];

/// An employer's name with what does not tell employers apart taken out:
/// width, case, spaces, brackets and punctuation, the company-form suffix.
pub fn normal_name(name: &str) -> String {
    let mut n: String = normalize(name).chars().filter(|c| c.is_alphanumeric()).collect();
    if let Some(form) = FORMS.iter().find(|f| n.ends_with(*f)) {
        n.truncate(n.len() - form.len());
    }
    n
}

/// An employer as the duplicate search reads it.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub id: i64,
    pub name: String,
    pub credit_code: String,
    pub region_code: Option<String>,
}

/// Why two employers look like one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Likeness {
    /// The same credit code once normalised.
    SameCode,
    /// Names one character apart (or equal) once normalised, in the same city.
    NearName,
}

impl Likeness {
    pub fn label(self, l: Locale) -> &'static str {
        match self {
            Likeness::SameCode => l.pick("统一社会信用代码相同", "Same credit code"),
            Likeness::NearName => l.pick("同一地区名称几乎相同", "Near-identical names in one region"),
        }
    }
}

/// The city an employer's region code lies in (its first four digits).
fn city(region: &Option<String>) -> &str {
    region.as_deref().map(|r| r.get(..4).unwrap_or(r)).unwrap_or("")
}

/// Whether two names are equal or one edit (insert, delete, replace) apart.
fn near(a: &str, b: &str) -> bool {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let (short, long) = if a.len() <= b.len() { (&a, &b) } else { (&b, &a) };
    if long.len() - short.len() > 1 {
        return false;
    }
    let head = short.iter().zip(long.iter()).take_while(|(x, y)| x == y).count();
    let tail_of = |s: &[char], from: usize| s[from..].to_vec();
    match long.len() == short.len() {
        true => head == short.len() || tail_of(short, head + 1) == tail_of(long, head + 1),
        false => tail_of(short, head) == tail_of(long, head + 1),
    }
}

/// Pairs of employers that look like duplicates, each pair once (lower id
/// first). Names are compared with their neighbours in sorted order within a
/// city, so the search stays n·log n over the province's employers.
pub fn duplicates(employers: &[Candidate]) -> Vec<(i64, i64, Likeness)> {
    let mut pairs: Vec<(i64, i64, Likeness)> = Vec::new();
    let mut by_code: HashMap<String, Vec<i64>> = HashMap::new();
    for e in employers {
        by_code.entry(normal_credit_code(&e.credit_code)).or_default().push(e.id);
    }
    for ids in by_code.values().filter(|ids| ids.len() > 1) {
        for (i, a) in ids.iter().enumerate() {
            pairs.extend(ids[i + 1..].iter().map(|b| ((*a).min(*b), (*a).max(*b), Likeness::SameCode)));
        }
    }
    let mut named: Vec<(&str, String, i64)> = employers
        .iter()
        .map(|e| (city(&e.region_code), normal_name(&e.name), e.id))
        .filter(|(_, n, _)| !n.is_empty())
        .collect();
    named.sort();
    for w in named.windows(2) {
        let ((city_a, name_a, a), (city_b, name_b, b)) = (&w[0], &w[1]);
        let pair = ((*a).min(*b), (*a).max(*b));
        if city_a == city_b && near(name_a, name_b) && !pairs.iter().any(|p| (p.0, p.1) == pair) {
            pairs.push((pair.0, pair.1, Likeness::NearName));
        }
    }
    pairs.sort();
    pairs
}

/// Why a merge cannot be done, if it cannot.
pub fn merge_refused(kept: i64, merged: i64, merged_status: &str, l: Locale) -> Option<&'static str> {
    if kept == merged {
        return Some(l.pick("不能把单位与它自己合并。", "An employer cannot be merged with itself."));
    }
    (merged_status == MERGED).then(|| l.pick("该单位已被合并。", "That employer has already been merged."))
}

/// The status of an employer merged into another.
pub const MERGED: &str = registry::employers::MERGED;

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        parse_date(s).unwrap()
    }

    fn allowed() -> Allowed {
        Allowed {
            fields: ["M01".to_owned()].into(),
            parks: [7].into(),
            regions: ["430100".to_owned(), "YRD".to_owned()].into(),
        }
    }

    fn visit() -> VisitForm {
        VisitForm {
            kind: "expand".into(),
            visited_on: "2022-05-18".into(),
            visitors: "校长 张三".into(),
            credit_code: "91430100MA4L000001".into(),
            region_code: "YRD".into(),
            positions: "30".into(),
            average_pay: "6,500".into(),
            ..VisitForm::default()
        }
    }

    #[test]
    fn a_visit_is_checked() {
        let v = check_visit(&visit(), Some(3), &allowed(), day("2022-06-01"), Locale::Zh).unwrap();
        assert_eq!((v.employer_id, v.positions, v.average_pay), (Some(3), 30, Some(6500)));
        assert_eq!(v.kind, VisitKind::Expand);
    }

    #[test]
    fn a_visit_in_the_future_or_with_pay_in_words_is_refused() {
        let f = VisitForm { visited_on: "2022-07-01".into(), average_pay: "六千".into(), ..visit() };
        let e = check_visit(&f, Some(3), &allowed(), day("2022-06-01"), Locale::En).unwrap_err();
        assert!(e.of("visited_on").contains("after today"), "{e:?}");
        assert!(e.of("average_pay").contains("whole number"), "{e:?}");
    }

    #[test]
    fn a_visit_names_an_employer_found_or_a_park() {
        let e = check_visit(&visit(), None, &allowed(), day("2022-06-01"), Locale::Zh).unwrap_err();
        assert!(e.of("credit_code").contains("找不到"));
        let nothing = VisitForm { credit_code: String::new(), ..visit() };
        let e = check_visit(&nothing, None, &allowed(), day("2022-06-01"), Locale::Zh).unwrap_err();
        assert!(e.of("credit_code").contains("园区"));
        let park = VisitForm { credit_code: String::new(), park_id: "7".into(), ..visit() };
        assert_eq!(check_visit(&park, None, &allowed(), day("2022-06-01"), Locale::Zh).unwrap().park_id, Some(7));
        let region = VisitForm { region_code: "999".into(), ..visit() };
        assert!(check_visit(&region, Some(1), &allowed(), day("2022-06-01"), Locale::Zh).is_err());
    }

    #[test]
    fn a_plaque_comes_after_its_designation() {
        let f = PlaqueForm {
            plaque_no: "HN-2022-001".into(),
            issued_on: "2022-03-01".into(),
            issued_by: "湖南省教育厅".into(),
        };
        assert!(check_plaque(&f, day("2022-04-01"), day("2022-06-01"), Locale::Zh).is_err());
        assert!(check_plaque(&f, day("2022-02-01"), day("2022-06-01"), Locale::Zh).is_ok());
    }

    #[test]
    fn a_designation_needs_a_known_field_and_park() {
        let f = DesignationForm {
            credit_code: "x".into(),
            park_id: "8".into(),
            field_code: "M".into(),
            designated_on: "2022-01-05".into(),
        };
        let e = check_designation(&f, Some(1), &allowed(), day("2022-06-01"), Locale::Zh).unwrap_err();
        assert!(!e.of("park_id").is_empty() && !e.of("field_code").is_empty());
        let f = DesignationForm { park_id: "7".into(), field_code: "M01".into(), ..f };
        assert_eq!(check_designation(&f, Some(1), &allowed(), day("2022-06-01"), Locale::Zh).unwrap().park_id, Some(7));
    }

    #[test]
    fn names_and_codes_are_normalised() {
        assert_eq!(normal_credit_code(" ９１４３-0100ma4l00000１ "), "91430100MA4L000001");
        assert_eq!(normal_name("湖南 三一（重工）股份有限公司"), normal_name("湖南三一(重工)"));
    }

    #[test]
    fn duplicates_by_code_and_by_near_name_in_one_city() {
        let e = |id, name: &str, code: &str, region: &str| Candidate {
            id,
            name: name.into(),
            credit_code: code.into(),
            region_code: Some(region.into()),
        };
        let employers = vec![
            e(1, "长沙远大科技有限公司", "91430100AAAAAAAAA1", "430104"),
            e(2, "长沙远大科技公司", "91430100BBBBBBBBB2", "430102"),
            e(3, "长沙远大科技有限公司", "91430100CCCCCCCCC3", "440100"),
            e(4, "株洲某厂", "91430100aaaaaaaaa1", "430200"),
            e(5, "长沙远太科技有限公司", "91430100DDDDDDDDD4", "430105"),
            e(6, "湘潭电机", "91430300EEEEEEEEE5", "430300"),
        ];
        let pairs = duplicates(&employers);
        assert!(pairs.contains(&(1, 4, Likeness::SameCode)), "{pairs:?}");
        assert!(pairs.contains(&(1, 2, Likeness::NearName)), "{pairs:?}");
        assert!(pairs.iter().any(|p| (p.0, p.1) == (2, 5) || (p.0, p.1) == (1, 5)), "{pairs:?}");
        assert!(!pairs.iter().any(|p| p.0 == 3 || p.1 == 3 || p.0 == 6 || p.1 == 6), "{pairs:?}");
    }

    #[test]
    fn near_means_one_edit() {
        assert!(near("abc", "abc") && near("abc", "abd") && near("abc", "abxc") && near("abc", "ab"));
        assert!(!near("abc", "axd") && !near("abc", "a"));
    }

    #[test]
    fn no_merge_with_itself_or_twice() {
        assert!(merge_refused(1, 1, "approved", Locale::En).unwrap().contains("itself"));
        assert!(merge_refused(1, 2, MERGED, Locale::En).is_some());
        assert!(merge_refused(1, 2, "approved", Locale::En).is_none());
    }
}
