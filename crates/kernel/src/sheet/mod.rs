//! Spreadsheet import machinery every area uses (表格导入): reading .xlsx,
//! .xls and .csv (UTF-8 or GB18030) row by row from the sheet and row that
//! hold the header, refused cells as (row, column, value, reason), the error
//! report an office fixes in Excel, templates to fill in, and how far an
//! import has come. What a row means is the importing area's business.

pub mod read;
pub mod report;
pub mod reports;
pub mod template;

use crate::validate::IdError;
use crate::Locale;

pub use sheet_reader::{decode_text, hostile, Limit, Limits};

pub use read::{limit_message, read, stream, Columns, Input, Line, ReadError, Row, Table, TableRow};

/// A reason a cell was refused, told in the reader's language.
pub trait Explain {
    fn explain(&self, l: Locale) -> String;
}

/// Reasons any import gives; an area with reasons of its own wraps these.
#[derive(Debug, Clone, PartialEq)]
pub enum Problem {
    Required,
    TooLong(usize),
    /// An ID number that fails GB 11643, or a phone number that fails its check.
    Id(IdError),
    BadDate,
    UnknownCode,
    /// The row repeats this earlier spreadsheet row.
    DuplicateInFile(usize),
    MissingColumn,
    /// A long number in a number cell: Excel keeps 15 significant digits, so
    /// the last digits of an ID number typed as a number are already lost.
    NumberCell,
    /// A message already in the user's language, from a form check.
    Field(String),
}

impl Problem {
    /// The reason's stable name, for machines reading the API's row errors.
    pub fn key(&self) -> &'static str {
        match self {
            Problem::Required => "required",
            Problem::TooLong(_) => "too_long",
            Problem::Id(_) => "invalid_number",
            Problem::BadDate => "bad_date",
            Problem::UnknownCode => "unknown_code",
            Problem::DuplicateInFile(_) => "duplicate",
            Problem::MissingColumn => "missing_column",
            Problem::NumberCell => "number_cell",
            Problem::Field(_) => "invalid",
        }
    }
}

impl Explain for Problem {
    fn explain(&self, l: Locale) -> String {
        match (self, l) {
            (Problem::Required, _) => l.pick("必填项为空", "required but empty").to_owned(),
            (Problem::TooLong(n), Locale::Zh) => format!("超过 {n} 个字"),
            (Problem::TooLong(n), Locale::En) => format!("longer than {n} characters"),
            (Problem::Id(e), _) => e.message(l).to_owned(),
            (Problem::BadDate, _) => l.pick("不是有效日期", "is not a valid date").to_owned(),
            (Problem::UnknownCode, _) => l.pick("不在代码表中", "is not in the code table").to_owned(),
            (Problem::DuplicateInFile(row), Locale::Zh) => format!("与第 {row} 行重复"),
            (Problem::DuplicateInFile(row), Locale::En) => format!("repeats row {row}"),
            (Problem::MissingColumn, _) => l.pick("缺少这一列", "this column is missing").to_owned(),
            (Problem::NumberCell, _) => l
                .pick(
                    "这一格是数字格式：Excel 只保留 15 位有效数字，身份证号等长号码存成数字后末几位已经丢失（改变后的号码有时仍能通过校验）。请把这一列设置为“文本”格式，再重新粘贴号码。",
                    "this cell is a number: Excel keeps only 15 significant digits, so the last digits of a long number such as an ID number are already lost (and a changed number can still pass its check). Format the column as text and paste the numbers again.",
                )
                .to_owned(),
            (Problem::Field(message), _) => message.clone(),
        }
    }
}

/// A reason already told, for pages that list errors of several imports.
impl Explain for String {
    fn explain(&self, _: Locale) -> String {
        self.clone()
    }
}

/// One refused cell: the spreadsheet row (header = row 1), the column as
/// headed in the file, the value and why.
#[derive(Debug, Clone, PartialEq)]
pub struct RowError<P = Problem> {
    pub row: usize,
    pub column: String,
    pub value: String,
    pub problem: P,
}

impl<P: Explain> RowError<P> {
    pub fn reason(&self, l: Locale) -> String {
        self.problem.explain(l)
    }

    /// The same error with a reason of a wider kind (an area's own, wrapping the common ones).
    pub fn widen<Q: From<P>>(self) -> RowError<Q> {
        RowError { row: self.row, column: self.column, value: self.value, problem: self.problem.into() }
    }

    /// The same error with its reason told, so one page can list any import's errors.
    pub fn told(self, l: Locale) -> RowError<String> {
        let problem = self.problem.explain(l);
        RowError { row: self.row, column: self.column, value: self.value, problem }
    }
}

/// A refused import's errors: the first ones listed (as many as
/// `Limits::errors`), every one counted, so a file of a million bad rows
/// costs a thousand errors' memory.
#[derive(Debug, Clone)]
pub struct Errors<P = Problem> {
    pub listed: Vec<RowError<P>>,
    pub total: usize,
    cap: usize,
}

impl<P> Errors<P> {
    pub fn new(limits: &Limits) -> Self {
        Errors { listed: Vec::new(), total: 0, cap: limits.errors }
    }

    pub fn push(&mut self, e: RowError<P>) {
        self.total += 1;
        if self.listed.len() < self.cap {
            let (column, value) = (shortened(e.column), shortened(e.value));
            self.listed.push(RowError { column, value, ..e });
        }
    }

    pub fn is_empty(&self) -> bool {
        self.total == 0
    }
}

/// Characters of a refused value or column name kept in a listed error; the
/// report has the cell itself.
const SHOWN_CHARS: usize = 200;

fn shortened(text: String) -> String {
    match text.char_indices().nth(SHOWN_CHARS) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text,
    }
}

impl<P> Extend<RowError<P>> for Errors<P> {
    fn extend<I: IntoIterator<Item = RowError<P>>>(&mut self, errors: I) {
        errors.into_iter().for_each(|e| self.push(e));
    }
}

/// How far an import has come: data rows handled out of the rows the file
/// says it has, where it says so.
#[derive(Debug, Clone, Copy)]
pub struct Progress {
    pub rows: usize,
    pub of: Option<usize>,
}

/// The column a header names, by the aliases each field is known under.
pub fn field_of<F: Copy>(columns: &[(F, &[&str])], header: &str) -> Option<F> {
    let key = header_key(header);
    columns.iter().find(|(_, names)| names.contains(&key.as_str())).map(|(f, _)| *f)
}

/// A header as it is matched: full-width characters, spaces and the
/// required-field asterisk do not count.
pub fn header_key(header: &str) -> String {
    crate::validate::normalize(header).chars().filter(|c| !matches!(c, '*' | ' ')).collect()
}
