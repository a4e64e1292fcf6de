//! Judging every roster row before anything is written (pure: no I/O).
//! Values are normalised first (full-width characters, Excel date serials,
//! text dates), so a value that is right after normalising is not an error.
//! Look-ups run several times a row, so the maps use a fast hasher (foldhash).

use std::borrow::Cow;

use foldhash::{HashMap, HashMapExt};

use chrono::{Datelike, NaiveDate};
use kernel::validate::{self, IdError};
use kernel::Locale;
use registry::reference::RegionIndex;

use super::columns::{Field, Layout};

/// A major the institution offers, as the roster refers to it.
#[derive(Debug, Clone)]
pub struct OfferedMajor {
    pub id: i64,
    pub college_id: i64,
    pub college_code: String,
    pub college_name: String,
    pub code: String,
    pub name: String,
    /// 专科, 本科 or 研究生.
    pub level: String,
}

/// The majors an institution offers, found by code.
#[derive(Debug, Default)]
pub struct Majors {
    by_code: HashMap<String, Vec<OfferedMajor>>,
}

impl Majors {
    pub fn new(majors: Vec<OfferedMajor>) -> Majors {
        let mut by_code: HashMap<String, Vec<OfferedMajor>> = HashMap::new();
        for m in majors {
            by_code.entry(m.code.clone()).or_default().push(m);
        }
        Majors { by_code }
    }

    fn offered(&self, code: &str, level: &str) -> Vec<&OfferedMajor> {
        self.by_code.get(code).map(|ms| ms.iter().filter(|m| m.level == level).collect()).unwrap_or_default()
    }
}

/// A code table as people fill it in: by code or by name, and a 民族 also
/// without its 族 ("汉", "汉族", "01" are all 01).
#[derive(Debug, Default)]
pub struct CodeTable {
    /// (code, name) in code order.
    pairs: Vec<(String, String)>,
    /// Code, name or short name → index in `pairs`; the first pair in code order wins.
    by_text: HashMap<String, usize>,
}

impl CodeTable {
    pub fn new(pairs: Vec<(String, String)>) -> CodeTable {
        let mut by_text = HashMap::new();
        for (i, (code, name)) in pairs.iter().enumerate() {
            by_text.entry(code.clone()).or_insert(i);
            by_text.entry(name.clone()).or_insert(i);
            if let Some(short) = name.strip_suffix('族').filter(|s| !s.is_empty()) {
                by_text.entry(short.to_owned()).or_insert(i);
            }
        }
        CodeTable { pairs, by_text }
    }

    /// The code a cell means, whether it gives the code or the name.
    fn code_of(&self, value: &str) -> Option<&str> {
        let i = match self.by_text.get(value) {
            Some(i) => *i,
            None => *self.by_text.get(&validate::normalize(value))?,
        };
        Some(&self.pairs[i].0)
    }

    fn name_of(&self, code: &str) -> Option<&str> {
        self.pairs.iter().find(|(c, _)| c == code).map(|(_, name)| name.as_str())
    }
}

/// What rows are judged against.
#[derive(Debug, Default)]
pub struct Reference {
    pub cohort: i64,
    pub regions: RegionIndex,
    pub ethnicities: CodeTable,
    pub political: CodeTable,
    pub urban_rural: CodeTable,
    pub levels: CodeTable,
    pub majors: Majors,
}

/// A row that passed, ready to store.
#[derive(Debug, Clone, PartialEq)]
pub struct RosterRow {
    pub student_no: String,
    pub name: String,
    pub gender: String,
    pub id_number: String,
    pub birth_date: String,
    pub origin_region_code: String,
    pub ethnicity_code: String,
    pub political_code: String,
    pub urban_rural: String,
    pub education_level: String,
    pub college_id: i64,
    pub major_id: i64,
    pub phone: Option<String>,
}

/// Why a cell was refused.
#[derive(Debug, Clone, PartialEq)]
pub enum Problem {
    Required,
    TooLong(usize),
    Id(IdError),
    GenderMismatch,
    BirthDateMismatch,
    BadDate,
    UnknownCode,
    UnknownMajor,
    MajorInSeveralColleges,
    UnknownCollege,
    Phone(IdError),
    DuplicateInFile(usize),
    IdNumberTaken,
    WrongCohort(i64),
    MissingColumn,
    /// A message already in the user's language, from a form check.
    Field(String),
}

impl Problem {
    pub fn message(&self, l: Locale) -> String {
        match (self, l) {
            (Problem::Required, _) => l.pick("必填项为空", "required but empty").to_owned(),
            (Problem::TooLong(n), Locale::Zh) => format!("超过 {n} 个字"),
            (Problem::TooLong(n), Locale::En) => format!("longer than {n} characters"),
            (Problem::Id(e), _) | (Problem::Phone(e), _) => e.message(l).to_owned(),
            (Problem::GenderMismatch, _) => {
                l.pick("与身份证号的性别不一致", "does not match the ID number's sex").to_owned()
            }
            (Problem::BirthDateMismatch, _) => {
                l.pick("与身份证号的出生日期不一致", "does not match the ID number's birth date").to_owned()
            }
            (Problem::BadDate, _) => l.pick("不是有效日期", "is not a valid date").to_owned(),
            (Problem::UnknownCode, _) => l.pick("不在代码表中", "is not in the code table").to_owned(),
            (Problem::UnknownMajor, _) => {
                l.pick("本校没有开设该层次的这个专业", "this institution offers no such major at this level").to_owned()
            }
            (Problem::MajorInSeveralColleges, _) => l
                .pick("该专业在多个院系开设，请填写院系", "several colleges offer this major: fill in the college")
                .to_owned(),
            (Problem::UnknownCollege, _) => {
                l.pick("本校没有这个院系", "this institution has no such college").to_owned()
            }
            (Problem::DuplicateInFile(row), Locale::Zh) => format!("与第 {row} 行重复"),
            (Problem::DuplicateInFile(row), Locale::En) => format!("repeats row {row}"),
            (Problem::IdNumberTaken, _) => l
                .pick("该身份证号已登记为本届其他毕业生", "another graduate of this cohort already has this ID number")
                .to_owned(),
            (Problem::WrongCohort(y), Locale::Zh) => format!("不是 {y} 届"),
            (Problem::WrongCohort(y), Locale::En) => format!("is not the {y} cohort"),
            (Problem::MissingColumn, _) => l.pick("缺少这一列", "this column is missing").to_owned(),
            (Problem::Field(message), _) => message.clone(),
        }
    }
}

/// One refused cell: the spreadsheet row (header = row 1), the column as
/// headed in the file, the value and why.
#[derive(Debug, Clone, PartialEq)]
pub struct RowError {
    pub row: usize,
    pub column: String,
    pub value: String,
    pub problem: Problem,
}

/// Dates as people and Excel write them: 2000-01-02, 2000/1/2, 2000.1.2,
/// 20000102, 2000年1月2日, or an Excel day serial such as 36527.
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    let t = validate::normalized(text);
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

/// The major catalogue level of an education-level label.
pub fn major_level(education_level: &str) -> Option<&'static str> {
    if education_level.contains("专科") {
        Some("专科")
    } else if education_level.contains("本科") || education_level.contains("二学位") {
        Some("本科")
    } else if education_level.contains("硕士") || education_level.contains("博士") || education_level.contains("研究生")
    {
        Some("研究生")
    } else {
        None
    }
}

struct Cells<'a> {
    layout: &'a Layout,
    headers: &'a [String],
    row: &'a [Cow<'a, str>],
    line: usize,
    errors: Vec<RowError>,
}

impl<'a> Cells<'a> {
    fn raw(&self, field: Field) -> &'a str {
        raw(self.layout, self.row, field)
    }
    fn fail(&mut self, field: Field, problem: Problem) {
        self.errors.push(cell_error(self.layout, self.headers, self.row, self.line, field, problem));
    }
    /// A required text, trimmed and normalised, at most `max` characters.
    fn text(&mut self, field: Field, max: usize) -> Cow<'a, str> {
        let v = validate::normalized(self.raw(field));
        if v.is_empty() {
            self.fail(field, Problem::Required);
        } else if v.chars().count() > max {
            self.fail(field, Problem::TooLong(max));
        }
        v
    }
    fn code(&mut self, field: Field, table: &CodeTable) -> String {
        let v = self.text(field, 40);
        if v.is_empty() {
            return String::new();
        }
        match table.code_of(&v) {
            Some(code) => code.to_owned(),
            None => {
                self.fail(field, Problem::UnknownCode);
                String::new()
            }
        }
    }
}

fn raw<'r>(layout: &Layout, row: &'r [Cow<'r, str>], field: Field) -> &'r str {
    layout.index(field).and_then(|i| row.get(i)).map(|s| s.trim()).unwrap_or("")
}

/// A field's column as the file heads it.
pub fn column(layout: &Layout, headers: &[String], field: Field) -> String {
    layout.index(field).and_then(|i| headers.get(i)).cloned().unwrap_or_else(|| field.header().to_owned())
}

/// A refused cell of `row` (spreadsheet line `line`).
fn cell_error(
    layout: &Layout,
    headers: &[String],
    row: &[Cow<str>],
    line: usize,
    field: Field,
    problem: Problem,
) -> RowError {
    RowError { row: line, column: column(layout, headers, field), value: raw(layout, row, field).to_owned(), problem }
}

/// Judges rows in file order, remembering the student and ID numbers seen so
/// far so a repeat names the line it repeats. Whether another graduate
/// already holds an ID number is the database's to say (`super::import`).
pub struct Checker {
    layout: Layout,
    headers: Vec<String>,
    reference: Reference,
    seen_student: HashMap<String, usize>,
    seen_id: HashMap<String, usize>,
}

impl Checker {
    /// Fails with one error per required column the header row lacks.
    pub fn new(headers: Vec<String>, reference: Reference) -> Result<Checker, Vec<RowError>> {
        let layout = Layout::of(&headers);
        let missing: Vec<RowError> = layout
            .missing
            .iter()
            .map(|f| RowError {
                row: 1,
                column: f.header().to_owned(),
                value: String::new(),
                problem: Problem::MissingColumn,
            })
            .collect();
        if !missing.is_empty() {
            return Err(missing);
        }
        Ok(Checker { layout, headers, reference, seen_student: HashMap::new(), seen_id: HashMap::new() })
    }

    /// Judges the data row on spreadsheet line `line` (the header is line 1).
    pub fn row(&mut self, line: usize, row: &[Cow<str>]) -> Result<RosterRow, Vec<RowError>> {
        let mut c = Cells { layout: &self.layout, headers: &self.headers, row, line, errors: Vec::new() };
        let checked = check_row(&mut c, &self.reference);
        if let Some(checked) = &checked {
            if let Some(first) = self.seen_student.insert(checked.student_no.clone(), line) {
                c.fail(Field::StudentNo, Problem::DuplicateInFile(first));
            }
            if let Some(first) = self.seen_id.insert(checked.id_number.clone(), line) {
                c.fail(Field::IdNumber, Problem::DuplicateInFile(first));
            }
        }
        match checked {
            Some(checked) if c.errors.is_empty() => Ok(checked),
            _ => Err(c.errors),
        }
    }
}

fn check_row(c: &mut Cells, r: &Reference) -> Option<RosterRow> {
    let student_no = c.text(Field::StudentNo, 30).into_owned();
    let name = c.text(Field::Name, 40).into_owned();
    let gender_text = c.text(Field::Gender, 4);
    let card = match validate::id_card(c.raw(Field::IdNumber), |code| r.regions.knows(code)) {
        Ok(card) => Some(card),
        Err(e) => {
            c.fail(Field::IdNumber, if e == IdError::Empty { Problem::Required } else { Problem::Id(e) });
            None
        }
    };
    let gender = match gender_text.as_ref() {
        "男" | "1" | "M" => "男",
        "女" | "2" | "F" => "女",
        "" => "",
        _ => {
            c.fail(Field::Gender, Problem::UnknownCode);
            ""
        }
    };
    if let (Some(card), false) = (&card, gender.is_empty()) {
        if card.male != (gender == "男") {
            c.fail(Field::Gender, Problem::GenderMismatch);
        }
    }
    let birth_text = c.raw(Field::BirthDate);
    if !birth_text.is_empty() {
        match parse_date(birth_text) {
            None => c.fail(Field::BirthDate, Problem::BadDate),
            Some(d) => {
                if card.as_ref().is_some_and(|card| card.birth_date != d) {
                    c.fail(Field::BirthDate, Problem::BirthDateMismatch);
                }
            }
        }
    }
    let origin = c.text(Field::OriginCode, 12).into_owned();
    if !origin.is_empty()
        && (origin.len() != 6 || !origin.bytes().all(|b| b.is_ascii_digit()) || !r.regions.knows(&origin))
    {
        c.fail(Field::OriginCode, Problem::UnknownCode);
    }
    let ethnicity_code = c.code(Field::Ethnicity, &r.ethnicities);
    let political_code = c.code(Field::Political, &r.political);
    let urban_rural = c.code(Field::UrbanRural, &r.urban_rural);
    let level_code = c.code(Field::Level, &r.levels);
    let education_level = r.levels.name_of(&level_code).unwrap_or_default().to_owned();
    let year = c.raw(Field::GraduationYear);
    if !year.is_empty() && validate::normalized(year).trim_end_matches('届').parse::<i64>().ok() != Some(r.cohort) {
        c.fail(Field::GraduationYear, Problem::WrongCohort(r.cohort));
    }
    let phone = match c.raw(Field::Phone) {
        "" => None,
        text => match validate::mobile(text) {
            Ok(p) => Some(p),
            Err(e) => {
                c.fail(Field::Phone, Problem::Phone(e));
                None
            }
        },
    };
    let major = find_major(c, r, &education_level);
    if !c.errors.is_empty() {
        return None;
    }
    let (card, major) = (card?, major?);
    let birth = card.birth_date;
    Some(RosterRow {
        student_no,
        name,
        gender: gender.to_owned(),
        id_number: card.number,
        birth_date: format!("{:04}-{:02}-{:02}", birth.year(), birth.month(), birth.day()),
        origin_region_code: origin,
        ethnicity_code,
        political_code,
        urban_rural,
        education_level,
        college_id: major.college_id,
        major_id: major.id,
        phone,
    })
}

fn find_major<'a>(c: &mut Cells, r: &'a Reference, education_level: &str) -> Option<&'a OfferedMajor> {
    let code = c.text(Field::MajorCode, 12);
    let level = major_level(education_level)?;
    if code.is_empty() {
        return None;
    }
    let candidates = r.majors.offered(&code, level);
    let college = validate::normalized(c.raw(Field::College));
    match candidates.as_slice() {
        [] => {
            c.fail(Field::MajorCode, Problem::UnknownMajor);
            None
        }
        [only] if college.is_empty() => Some(only),
        _ if college.is_empty() => {
            c.fail(Field::College, Problem::MajorInSeveralColleges);
            None
        }
        several => {
            let found = several.iter().find(|m| m.college_name == college || m.college_code == college).copied();
            if found.is_none() {
                c.fail(Field::College, Problem::UnknownCollege);
            }
            found
        }
    }
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

    #[test]
    fn levels_map_to_catalogue_levels() {
        assert_eq!(major_level("专科生毕业"), Some("专科"));
        assert_eq!(major_level("本科生结业"), Some("本科"));
        assert_eq!(major_level("二学位毕业"), Some("本科"));
        assert_eq!(major_level("博士生毕业"), Some("研究生"));
        assert_eq!(major_level("?"), None);
    }

    #[test]
    fn codes_by_code_or_name() {
        let table = CodeTable::new(vec![("01".to_owned(), "汉族".to_owned()), ("15".to_owned(), "土家族".to_owned())]);
        assert_eq!(table.code_of("汉族"), Some("01"));
        assert_eq!(table.code_of("汉"), Some("01"));
        assert_eq!(table.code_of("１５"), Some("15"));
        assert_eq!(table.code_of("苗族"), None);
        assert_eq!(table.name_of("15"), Some("土家族"));
    }
}
