//! Judging every roster row before anything is written (pure: no I/O).
//! Values are normalised first (full-width characters, Excel date serials,
//! text dates), so a value that is right after normalising is not an error.

use std::collections::HashMap;

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

/// What rows are judged against.
#[derive(Debug, Default)]
pub struct Reference {
    pub cohort: i64,
    pub regions: RegionIndex,
    /// (code, name) pairs of each code table.
    pub ethnicities: Vec<(String, String)>,
    pub political: Vec<(String, String)>,
    pub urban_rural: Vec<(String, String)>,
    pub levels: Vec<(String, String)>,
    pub majors: Vec<OfferedMajor>,
    /// ID numbers of this cohort already held by a graduate of another
    /// institution or under another student number: id → (institution id, student number).
    pub id_numbers_elsewhere: HashMap<String, (i64, String)>,
    pub institution_id: i64,
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
    let t = validate::normalize(text);
    let t = t.trim_end_matches(" 00:00:00");
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

/// A code table value given as its code or its name ("汉", "汉族", "01" all work for 民族).
fn code_of(table: &[(String, String)], value: &str) -> Option<String> {
    let v = validate::normalize(value);
    table
        .iter()
        .find(|(code, name)| {
            *code == v || *name == v || (v.chars().count() >= 1 && name.strip_suffix('族') == Some(v.as_str()))
        })
        .map(|(code, _)| code.clone())
}

struct Cells<'a> {
    layout: &'a Layout,
    headers: &'a [String],
    row: &'a [String],
    line: usize,
    errors: Vec<RowError>,
}

impl Cells<'_> {
    fn raw(&self, field: Field) -> &str {
        self.layout.index(field).and_then(|i| self.row.get(i)).map(|s| s.trim()).unwrap_or("")
    }
    fn column(&self, field: Field) -> String {
        self.layout.index(field).and_then(|i| self.headers.get(i)).cloned().unwrap_or_else(|| field.header().to_owned())
    }
    fn fail(&mut self, field: Field, problem: Problem) {
        let value = self.raw(field).to_owned();
        self.errors.push(RowError { row: self.line, column: self.column(field), value, problem });
    }
    /// A required text, trimmed and normalised, at most `max` characters.
    fn text(&mut self, field: Field, max: usize) -> String {
        let v = validate::normalize(self.raw(field));
        if v.is_empty() {
            self.fail(field, Problem::Required);
        } else if v.chars().count() > max {
            self.fail(field, Problem::TooLong(max));
        }
        v
    }
    fn code(&mut self, field: Field, table: &[(String, String)]) -> String {
        let v = self.text(field, 40);
        if v.is_empty() {
            return v;
        }
        match code_of(table, &v) {
            Some(code) => code,
            None => {
                self.fail(field, Problem::UnknownCode);
                String::new()
            }
        }
    }
}

/// Judges every row; returns the good rows, or every error found.
pub fn check(headers: &[String], rows: &[Vec<String>], r: &Reference) -> Result<Vec<RosterRow>, Vec<RowError>> {
    let layout = Layout::of(headers);
    let mut errors: Vec<RowError> = layout
        .missing
        .iter()
        .map(|f| RowError {
            row: 1,
            column: f.header().to_owned(),
            value: String::new(),
            problem: Problem::MissingColumn,
        })
        .collect();
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut good = Vec::with_capacity(rows.len());
    let mut seen_student: HashMap<String, usize> = HashMap::with_capacity(rows.len());
    let mut seen_id: HashMap<String, usize> = HashMap::with_capacity(rows.len());
    for (i, row) in rows.iter().enumerate() {
        let mut c = Cells { layout: &layout, headers, row, line: i + 2, errors: Vec::new() };
        if let Some(checked) = check_row(&mut c, r) {
            if let Some(first) = seen_student.insert(checked.student_no.clone(), c.line) {
                c.fail(Field::StudentNo, Problem::DuplicateInFile(first));
            }
            if let Some(first) = seen_id.insert(checked.id_number.clone(), c.line) {
                c.fail(Field::IdNumber, Problem::DuplicateInFile(first));
            }
            if let Some((inst, student_no)) = r.id_numbers_elsewhere.get(&checked.id_number) {
                if *inst != r.institution_id || *student_no != checked.student_no {
                    c.fail(Field::IdNumber, Problem::IdNumberTaken);
                }
            }
            if c.errors.is_empty() {
                good.push(checked);
            }
        }
        errors.append(&mut c.errors);
    }
    if errors.is_empty() {
        Ok(good)
    } else {
        Err(errors)
    }
}

fn check_row(c: &mut Cells, r: &Reference) -> Option<RosterRow> {
    let student_no = c.text(Field::StudentNo, 30);
    let name = c.text(Field::Name, 40);
    let gender_text = c.text(Field::Gender, 4);
    let card = match validate::id_card(c.raw(Field::IdNumber), |code| r.regions.knows(code)) {
        Ok(card) => Some(card),
        Err(e) => {
            c.fail(Field::IdNumber, if e == IdError::Empty { Problem::Required } else { Problem::Id(e) });
            None
        }
    };
    let gender = match gender_text.as_str() {
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
    let birth_text = c.raw(Field::BirthDate).to_owned();
    if !birth_text.is_empty() {
        match parse_date(&birth_text) {
            None => c.fail(Field::BirthDate, Problem::BadDate),
            Some(d) => {
                if card.as_ref().is_some_and(|card| card.birth_date != d) {
                    c.fail(Field::BirthDate, Problem::BirthDateMismatch);
                }
            }
        }
    }
    let origin = c.text(Field::OriginCode, 12);
    if !origin.is_empty()
        && (origin.len() != 6 || !origin.bytes().all(|b| b.is_ascii_digit()) || !r.regions.knows(&origin))
    {
        c.fail(Field::OriginCode, Problem::UnknownCode);
    }
    let ethnicity_code = c.code(Field::Ethnicity, &r.ethnicities);
    let political_code = c.code(Field::Political, &r.political);
    let urban_rural = c.code(Field::UrbanRural, &r.urban_rural);
    let level_code = c.code(Field::Level, &r.levels);
    let education_level =
        r.levels.iter().find(|(code, _)| *code == level_code).map(|(_, name)| name.clone()).unwrap_or_default();
    let year = c.raw(Field::GraduationYear).to_owned();
    if !year.is_empty() && validate::normalize(&year).trim_end_matches('届').parse::<i64>().ok() != Some(r.cohort) {
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
    let candidates: Vec<&OfferedMajor> = r.majors.iter().filter(|m| m.code == code && m.level == level).collect();
    let college = validate::normalize(c.raw(Field::College));
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
        let table = vec![("01".to_owned(), "汉族".to_owned()), ("15".to_owned(), "土家族".to_owned())];
        assert_eq!(code_of(&table, "汉族").as_deref(), Some("01"));
        assert_eq!(code_of(&table, "汉").as_deref(), Some("01"));
        assert_eq!(code_of(&table, "１５").as_deref(), Some("15"));
        assert_eq!(code_of(&table, "苗族"), None);
    }
}
