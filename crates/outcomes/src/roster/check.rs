//! Judging every roster row before anything is written (pure: no I/O).
//! Values are normalised first (full-width characters, Excel date serials,
//! text dates), so a value that is right after normalising is not an error.
//! Look-ups run several times a row, so the maps use a fast hasher (foldhash).

use std::borrow::Cow;

use foldhash::{HashMap, HashMapExt};

use chrono::Datelike;
use kernel::sheet::{self, Explain, Problem as Common};
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

    pub fn all(&self) -> impl Iterator<Item = &OfferedMajor> {
        self.by_code.values().flatten()
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

    /// (code, name) in code order.
    pub fn pairs(&self) -> &[(String, String)] {
        &self.pairs
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
    pub genders: CodeTable,
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

/// Why a roster cell was refused: the reasons any import gives, and the roster's own.
#[derive(Debug, Clone, PartialEq)]
pub enum Problem {
    Sheet(sheet::Problem),
    GenderMismatch,
    BirthDateMismatch,
    UnknownMajor,
    MajorInSeveralColleges,
    UnknownCollege,
    IdNumberTaken,
    WrongCohort(i64),
}

impl From<sheet::Problem> for Problem {
    fn from(p: sheet::Problem) -> Problem {
        Problem::Sheet(p)
    }
}

impl Problem {
    /// The reason's stable name, for machines reading the API's row errors.
    pub fn key(&self) -> &'static str {
        match self {
            Problem::Sheet(p) => p.key(),
            Problem::GenderMismatch => "gender_mismatch",
            Problem::BirthDateMismatch => "birth_date_mismatch",
            Problem::UnknownMajor => "unknown_major",
            Problem::MajorInSeveralColleges => "major_in_several_colleges",
            Problem::UnknownCollege => "unknown_college",
            Problem::IdNumberTaken => "id_number_taken",
            Problem::WrongCohort(_) => "wrong_cohort",
        }
    }
}

impl Explain for Problem {
    fn explain(&self, l: Locale) -> String {
        match (self, l) {
            (Problem::Sheet(p), _) => p.explain(l),
            (Problem::GenderMismatch, _) => {
                l.pick("与身份证号的性别不一致", "does not match the ID number's sex").to_owned()
            }
            (Problem::BirthDateMismatch, _) => {
                l.pick("与身份证号的出生日期不一致", "does not match the ID number's birth date").to_owned()
            }
            (Problem::UnknownMajor, _) => {
                l.pick("本校没有开设该层次的这个专业", "this institution offers no such major at this level").to_owned()
            }
            (Problem::MajorInSeveralColleges, _) => l
                .pick("该专业在多个院系开设，请填写院系", "several colleges offer this major: fill in the college")
                .to_owned(),
            (Problem::UnknownCollege, _) => {
                l.pick("本校没有这个院系", "this institution has no such college").to_owned()
            }
            (Problem::IdNumberTaken, _) => l
                .pick("该身份证号已登记为本届其他毕业生", "another graduate of this cohort already has this ID number")
                .to_owned(),
            (Problem::WrongCohort(y), Locale::Zh) => format!("不是 {y} 届"),
            (Problem::WrongCohort(y), Locale::En) => format!("is not the {y} cohort"),
        }
    }
}

/// A refused roster cell.
pub type RowError = sheet::RowError<Problem>;

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
    fn fail(&mut self, field: Field, problem: impl Into<Problem>) {
        self.errors.push(cell_error(self.layout, self.headers, self.row, self.line, field, problem.into()));
    }
    /// A required text, trimmed and normalised, at most `max` characters.
    fn text(&mut self, field: Field, max: usize) -> Cow<'a, str> {
        let v = validate::normalized(self.raw(field));
        if v.is_empty() {
            self.fail(field, Common::Required);
        } else if v.chars().count() > max {
            self.fail(field, Common::TooLong(max));
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
                self.fail(field, Common::UnknownCode);
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
    /// Fails with one error per required column the header row (spreadsheet
    /// line `header_line`) lacks.
    pub fn new(header_line: usize, headers: Vec<String>, reference: Reference) -> Result<Checker, Vec<RowError>> {
        let layout = Layout::of(&headers);
        let missing: Vec<RowError> = layout
            .missing
            .iter()
            .map(|f| RowError {
                row: header_line,
                column: f.header().to_owned(),
                value: String::new(),
                problem: Common::MissingColumn.into(),
            })
            .collect();
        if !missing.is_empty() {
            return Err(missing);
        }
        Ok(Checker { layout, headers, reference, seen_student: HashMap::new(), seen_id: HashMap::new() })
    }

    /// Judges a data row. A cell the reader refused (an ID number typed as a
    /// number) is reported as the reader says, and not judged again.
    pub fn row(&mut self, read: &sheet::Row) -> Result<RosterRow, Vec<RowError>> {
        let refused = |column: &str| read.refused.iter().any(|r| r.column == column);
        let blanked: Vec<Cow<str>>;
        let mut row = read.cells;
        if !read.refused.is_empty() {
            // Judged blank, so nothing (sex, birth date) is read off lost digits.
            blanked = row
                .iter()
                .enumerate()
                .map(|(i, cell)| match self.headers.get(i) {
                    Some(h) if refused(h) => Cow::Borrowed(""),
                    _ => cell.clone(),
                })
                .collect();
            row = &blanked;
        }
        let line = read.line;
        let mut c = Cells { layout: &self.layout, headers: &self.headers, row, line, errors: Vec::new() };
        let checked = check_row(&mut c, &self.reference);
        if let Some(checked) = &checked {
            if let Some(first) = self.seen_student.insert(checked.student_no.clone(), line) {
                c.fail(Field::StudentNo, Common::DuplicateInFile(first));
            }
            if let Some(first) = self.seen_id.insert(checked.id_number.clone(), line) {
                c.fail(Field::IdNumber, Common::DuplicateInFile(first));
            }
        }
        c.errors.retain(|e| !refused(&e.column));
        c.errors.extend(read.refused.iter().cloned().map(sheet::RowError::widen));
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
            c.fail(Field::IdNumber, if e == IdError::Empty { Common::Required } else { Common::Id(e) });
            None
        }
    };
    let gender_code = match gender_text.as_ref() {
        "M" => Some("1"),
        "F" => Some("2"),
        text => r.genders.code_of(text),
    };
    let gender = match gender_code.and_then(|code| r.genders.name_of(code)) {
        Some(name) => name,
        None if gender_text.is_empty() => "",
        None => {
            c.fail(Field::Gender, Common::UnknownCode);
            ""
        }
    };
    if let (Some(card), false) = (&card, gender.is_empty()) {
        // GB/T 2261.1: 1 is male.
        if card.male != (gender_code == Some("1")) {
            c.fail(Field::Gender, Problem::GenderMismatch);
        }
    }
    let birth_text = c.raw(Field::BirthDate);
    if !birth_text.is_empty() {
        match validate::parse_date(birth_text) {
            None => c.fail(Field::BirthDate, Common::BadDate),
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
        c.fail(Field::OriginCode, Common::UnknownCode);
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
                c.fail(Field::Phone, Common::Id(e));
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
