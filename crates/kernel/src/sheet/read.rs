//! Reading a spreadsheet row by row: .xlsx streamed cell by cell (calamine's
//! cell reader, so a large sheet is never held twice), .xls through
//! calamine's whole-sheet range, and .csv in UTF-8 or GB18030/GBK, as Chinese
//! Excel saves it. Every cell arrives as trimmed text.
//!
//! Files come as offices send them: a title row above the header, an
//! instructions sheet before the data. The header row is the row among each
//! sheet's first rows that names most of the import's columns, and the data
//! sheet is the sheet that holds it. Row numbers are the spreadsheet's own.

use std::borrow::Cow;
use std::io::Cursor;
use std::ops::ControlFlow;

use calamine::{Data, DataRef, Reader, SheetType, Xlsx};

use super::limits::{self, Limit, Limits, Refusal, EXCEL_COLUMNS, EXCEL_ROWS};
use super::{header_key, Problem, RowError};
use crate::Locale;

/// How many rows of each sheet are looked at for the header row.
pub const HEADER_SEARCH_ROWS: usize = 20;

/// Excel keeps 15 significant digits of a number; the rest become zeros.
const EXCEL_DIGITS: usize = 15;

#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("unsupported file type")]
    Kind,
    #[error("the file could not be read: {0}")]
    Broken(String),
    #[error("the file has no header row")]
    Empty,
    /// No row near the top of any sheet names a column the import reads.
    #[error("no header row with the expected headers ({}) in sheets {}", .expected.join(", "), .sheets.join(", "))]
    NoHeader { expected: Vec<String>, sheets: Vec<String> },
    /// The file goes over one of the import's `Limits`.
    #[error("over an import limit: {}", .0.message(Locale::En))]
    Over(Limit),
}

impl From<Refusal> for ReadError {
    fn from(r: Refusal) -> Self {
        match r {
            Refusal::Over(limit) => ReadError::Over(limit),
            Refusal::Broken(e) => ReadError::Broken(e),
        }
    }
}

impl ReadError {
    /// What went wrong, for the person who sent the file.
    pub fn message(&self, l: Locale) -> String {
        match (self, l) {
            (ReadError::NoHeader { expected, sheets }, Locale::Zh) => {
                let looked = match sheets.as_slice() {
                    [] => "文件".to_owned(),
                    _ => format!("工作表{}", sheets.iter().map(|s| format!("“{s}”")).collect::<String>()),
                };
                format!(
                    "没有找到表头：{looked}的前 {HEADER_SEARCH_ROWS} 行中没有一行含有应有的列名。应有的列：{}。",
                    expected.join("、")
                )
            }
            (ReadError::NoHeader { expected, sheets }, Locale::En) => {
                let looked = match sheets.as_slice() {
                    [] => "the file".to_owned(),
                    _ => {
                        format!("sheet(s) {}", sheets.iter().map(|s| format!("\"{s}\"")).collect::<Vec<_>>().join(", "))
                    }
                };
                format!(
                    "No header row found: none of the first {HEADER_SEARCH_ROWS} rows of {looked} has the expected headers. Expected columns: {}.",
                    expected.join(", ")
                )
            }
            (ReadError::Over(limit), l) => limit.message(l),
            (e, Locale::Zh) => format!("无法读取文件：{e}。请上传 .xlsx、.xls 或 .csv 文件。"),
            (e, Locale::En) => format!("The file could not be read: {e}. Upload an .xlsx, .xls or .csv file."),
        }
    }
}

/// What an import tells the reader about its columns.
#[derive(Debug, Clone, Default)]
pub struct Columns {
    /// Every header the import reads, aliases included, as `header_key` gives them.
    known: Vec<String>,
    /// The headers of ID-number columns (身份证号), as `header_key` gives them.
    id_numbers: Vec<String>,
    /// The headers named when no row has any: the required columns'.
    required: Vec<String>,
}

impl Columns {
    /// From an import's (field, headers) table; a field's first header is its name.
    pub fn of<F: Copy + PartialEq>(table: &[(F, &[&str])], required: &[F], id_numbers: &[F]) -> Columns {
        let keys = |fields: Option<&[F]>| -> Vec<String> {
            table
                .iter()
                .filter(|(f, _)| fields.is_none_or(|fields| fields.contains(f)))
                .flat_map(|(_, names)| names.iter().map(|n| header_key(n)))
                .collect()
        };
        Columns {
            known: keys(None),
            id_numbers: keys(Some(id_numbers)),
            required: table
                .iter()
                .filter(|(f, _)| required.contains(f))
                .filter_map(|(_, names)| names.first().map(|n| n.to_string()))
                .collect(),
        }
    }

    fn knows(&self, header: &str) -> bool {
        !header.is_empty() && self.known.contains(&header_key(header))
    }
}

/// A file's header row and its data rows, every cell as trimmed text.
#[derive(Debug, Default)]
pub struct Table {
    /// The header row's spreadsheet row number.
    pub header_line: usize,
    pub headers: Vec<String>,
    pub rows: Vec<TableRow>,
}

/// A data row of a `Table`.
#[derive(Debug, Clone)]
pub struct TableRow {
    pub line: usize,
    pub cells: Vec<String>,
    pub refused: Vec<RowError>,
}

/// A data row as it is read.
#[derive(Debug)]
pub struct Row<'r> {
    /// The spreadsheet's row number, as Excel shows it.
    pub line: usize,
    /// The cells borrow from the file where they can (shared strings, CSV
    /// fields), so a large file is not copied cell by cell before it is judged.
    pub cells: &'r [Cow<'r, str>],
    /// Cells refused as read, whatever the import makes of them: a long
    /// number in a number cell, whose last digits Excel has already lost.
    pub refused: Vec<RowError>,
}

/// What the reader hands on, in file order: the header row once, then each
/// data row below it that has any text (blank rows are skipped).
#[derive(Debug)]
pub enum Line<'r> {
    /// `rows` is how many rows the sheet says it has below the header, where it says so.
    Headers {
        line: usize,
        cells: Vec<String>,
        rows: Option<usize>,
    },
    Row(Row<'r>),
}

/// Reads the whole file into memory.
pub fn read(file_name: &str, bytes: &[u8], columns: &Columns, limits: &Limits) -> Result<Table, ReadError> {
    let mut table = Table::default();
    stream(file_name, bytes, columns, limits, |line| {
        match line {
            Line::Headers { line, cells, .. } => {
                table.header_line = line;
                table.headers = cells;
            }
            Line::Row(row) => table.rows.push(TableRow {
                line: row.line,
                cells: row.cells.iter().map(|c| c.to_string()).collect(),
                refused: row.refused,
            }),
        }
        ControlFlow::Continue(())
    })?;
    Ok(table)
}

/// The rows of an import: an uploaded file, read as it streams, or rows
/// already in a table (pushed through the API). Both go through the same
/// judging, so a pushed row meets the checks a file's row meets.
pub enum Input {
    File { name: String, bytes: Vec<u8> },
    Table(Table),
}

impl Input {
    /// What an import's audit record names as its origin.
    pub fn name(&self) -> &str {
        match self {
            Input::File { name, .. } => name,
            Input::Table(_) => "api",
        }
    }

    /// Hands the header and each row to `each`, as [`stream`] does a file's.
    pub fn stream(
        &self,
        columns: &Columns,
        limits: &Limits,
        mut each: impl FnMut(Line<'_>) -> ControlFlow<()>,
    ) -> Result<(), ReadError> {
        let table = match self {
            Input::File { name, bytes } => return stream(name, bytes, columns, limits, each),
            Input::Table(table) => table,
        };
        let headers =
            Line::Headers { line: table.header_line, cells: table.headers.clone(), rows: Some(table.rows.len()) };
        if each(headers).is_break() {
            return Ok(());
        }
        for row in &table.rows {
            let cells: Vec<Cow<str>> = row.cells.iter().map(|c| Cow::Borrowed(c.as_str())).collect();
            if each(Line::Row(Row { line: row.line, cells: &cells, refused: row.refused.clone() })).is_break() {
                break;
            }
        }
        Ok(())
    }
}

/// Finds the data sheet and its header row, then hands each line to `each`
/// as it is read, until the sheet ends or `each` breaks. Picks the format by
/// the file name's extension, falling back to sniffing the bytes.
/// Nothing is read beyond `limits`: a file over one is refused with the limit named.
pub fn stream(
    file_name: &str,
    bytes: &[u8],
    columns: &Columns,
    limits: &Limits,
    each: impl FnMut(Line<'_>) -> ControlFlow<()>,
) -> Result<(), ReadError> {
    let mut book = Book::open(file_name, bytes, limits)?;
    let (sheet, header_index) = find_header(&mut book, columns)?;
    let mut lines =
        Lines { columns, limits, header_index, headers: Vec::new(), id_columns: Vec::new(), rows: 0, over: None, each };
    book.rows(sheet, &mut |cells| lines.take(cells))?;
    lines.over.map_or(Ok(()), |limit| Err(ReadError::Over(limit)))
}

/// The sheet and row (0-based) of the header: the row naming most known
/// headers among each sheet's first rows; the first such row wins a tie.
fn find_header(book: &mut Book, columns: &Columns) -> Result<(usize, usize), ReadError> {
    let mut best: Option<(usize, usize, usize)> = None;
    for sheet in 0..book.sheet_count() {
        book.rows(sheet, &mut |cells| {
            if cells.index >= HEADER_SEARCH_ROWS {
                return ControlFlow::Break(());
            }
            let score = cells.texts.iter().filter(|t| columns.knows(t)).count();
            if score > best.map_or(0, |(s, _, _)| s) {
                best = Some((score, sheet, cells.index));
            }
            ControlFlow::Continue(())
        })?;
    }
    best.map(|(_, sheet, row)| (sheet, row))
        .ok_or_else(|| ReadError::NoHeader { expected: columns.required.clone(), sheets: book.sheets.clone() })
}

/// A row as a format gives it: its index in the sheet, each cell's text,
/// which cells hold numbers, and the sheet's last row index where it says.
struct Cells<'r> {
    index: usize,
    texts: &'r [Cow<'r, str>],
    numbers: &'r [bool],
    last_index: Option<usize>,
}

/// Turns a sheet's rows into lines: nothing above the header row, the header
/// row once, then the data rows that have any text.
struct Lines<'c, F> {
    columns: &'c Columns,
    limits: &'c Limits,
    header_index: usize,
    headers: Vec<String>,
    /// Each column's ID-number-ness; `None` for a column the import does not read.
    id_columns: Vec<Option<bool>>,
    /// Data rows handed on, and the limit that stopped them.
    rows: usize,
    over: Option<Limit>,
    each: F,
}

impl<F: FnMut(Line<'_>) -> ControlFlow<()>> Lines<'_, F> {
    fn take(&mut self, cells: Cells<'_>) -> ControlFlow<()> {
        if cells.index < self.header_index || cells.texts.iter().all(|c| c.is_empty()) {
            return ControlFlow::Continue(());
        }
        if cells.index == self.header_index {
            self.headers = cells.texts.iter().map(|c| c.to_string()).collect();
            self.id_columns = self
                .headers
                .iter()
                .map(|h| self.columns.knows(h).then(|| self.columns.id_numbers.contains(&header_key(h))))
                .collect();
            let rows = cells.last_index.map(|last| last.saturating_sub(self.header_index));
            let line = Line::Headers { line: cells.index + 1, cells: self.headers.clone(), rows };
            return (self.each)(line);
        }
        self.rows += 1;
        if self.rows > self.limits.rows {
            self.over = Some(Limit::Rows(self.limits.rows));
            return ControlFlow::Break(());
        }
        let line = cells.index + 1;
        let refused = self.refused(line, &cells);
        (self.each)(Line::Row(Row { line, cells: cells.texts, refused }))
    }

    /// Number cells whose digits Excel cannot have kept, in the columns the
    /// import reads. An ID number is refused from 15 digits: an 18-digit one
    /// is always damaged, and the platform takes only 18-character numbers,
    /// so a 15-digit one is best typed again as text too.
    fn refused(&self, line: usize, cells: &Cells) -> Vec<RowError> {
        let mut refused = Vec::new();
        for (c, _) in cells.numbers.iter().enumerate().filter(|(_, number)| **number) {
            let Some(Some(id_number)) = self.id_columns.get(c) else { continue };
            let text = &cells.texts[c];
            let digits = text.bytes().take_while(|b| *b != b'.').filter(u8::is_ascii_digit).count();
            if digits > EXCEL_DIGITS || (*id_number && digits >= EXCEL_DIGITS) {
                let column = self.headers.get(c).cloned().unwrap_or_default();
                refused.push(RowError { row: line, column, value: text.to_string(), problem: Problem::NumberCell });
            }
        }
        refused
    }
}

/// An opened file, whatever its format.
struct Book<'b> {
    kind: Kind<'b>,
    /// The worksheets' names, in file order; none for CSV.
    sheets: Vec<String>,
    limits: Limits,
}

enum Kind<'b> {
    Xlsx(Box<Xlsx<Cursor<&'b [u8]>>>),
    Workbook(Box<calamine::Sheets<Cursor<&'b [u8]>>>),
    Csv(String),
}

fn broken(e: impl std::fmt::Display) -> ReadError {
    ReadError::Broken(e.to_string())
}

fn worksheets(sheets: &[calamine::Sheet]) -> Vec<String> {
    sheets.iter().filter(|s| s.typ == SheetType::WorkSheet).map(|s| s.name.clone()).collect()
}

impl<'b> Book<'b> {
    fn open(file_name: &str, bytes: &'b [u8], limits: &Limits) -> Result<Book<'b>, ReadError> {
        let lower = file_name.to_lowercase();
        let is_zip = bytes.starts_with(b"PK\x03\x04");
        let is_ole = bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]);
        let limits = *limits;
        if is_zip && !lower.ends_with(".xlsb") && !lower.ends_with(".ods") {
            limits::check_zip(bytes, &limits)?;
            let workbook: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(broken)?;
            let sheets = worksheets(workbook.sheets_metadata());
            Ok(Book { kind: Kind::Xlsx(Box::new(workbook)), sheets, limits })
        } else if lower.ends_with(".xlsx") || lower.ends_with(".xls") || lower.ends_with(".xlsm") || is_zip || is_ole {
            // Measured first: calamine holds a whole .xls at open.
            match is_zip {
                true => limits::check_zip(bytes, &limits)?,
                false => limits::check_xls(bytes, &limits)?,
            }
            let workbook = calamine::open_workbook_auto_from_rs(Cursor::new(bytes)).map_err(broken)?;
            let sheets = worksheets(workbook.sheets_metadata());
            Ok(Book { kind: Kind::Workbook(Box::new(workbook)), sheets, limits })
        } else if lower.ends_with(".csv") || lower.ends_with(".txt") || !bytes.is_empty() {
            Ok(Book { kind: Kind::Csv(decode_text(bytes)), sheets: Vec::new(), limits })
        } else {
            Err(ReadError::Kind)
        }
    }

    fn sheet_count(&self) -> usize {
        match self.kind {
            Kind::Csv(_) => 1,
            _ => self.sheets.len(),
        }
    }

    /// Hands each row of sheet `sheet` that has cells to `each`, until the
    /// sheet ends or `each` breaks; a row over the limits ends the reading.
    fn rows(&mut self, sheet: usize, each: &mut dyn FnMut(Cells) -> ControlFlow<()>) -> Result<(), ReadError> {
        let name = self.sheets.get(sheet).cloned().unwrap_or_default();
        let limits = self.limits;
        let mut over = None;
        let mut checked = |cells: Cells| match within(&cells, &limits) {
            Ok(()) => each(cells),
            Err(limit) => {
                over = Some(limit);
                ControlFlow::Break(())
            }
        };
        match &mut self.kind {
            Kind::Xlsx(workbook) => xlsx_rows(workbook, &name, &limits, &mut checked),
            Kind::Workbook(workbook) => workbook_rows(workbook, &name, &mut checked),
            Kind::Csv(text) => csv_rows(text, &mut checked),
        }?;
        over.map_or(Ok(()), |limit| Err(ReadError::Over(limit)))
    }
}

/// A row within Excel's columns and the import's columns and cell length.
/// (Rows past Excel's last are refused where a sheet places them; a CSV has
/// no such place, and the import's row limit holds for it.)
fn within(cells: &Cells, limits: &Limits) -> Result<(), Limit> {
    if cells.texts.len() > EXCEL_COLUMNS {
        return Err(Limit::Excel);
    }
    if cells.texts.len() > limits.columns {
        return Err(Limit::Columns(limits.columns));
    }
    let long = |t: &Cow<str>| t.len() > limits.cell_chars && t.chars().count() > limits.cell_chars;
    match cells.texts.iter().any(long) {
        true => Err(Limit::CellChars(limits.cell_chars)),
        false => Ok(()),
    }
}

fn xlsx_rows(
    workbook: &mut Xlsx<Cursor<&[u8]>>,
    name: &str,
    limits: &Limits,
    each: &mut dyn FnMut(Cells) -> ControlFlow<()>,
) -> Result<(), ReadError> {
    let mut reader = workbook.worksheet_cells_reader(name).map_err(broken)?;
    let dimensions = reader.dimensions();
    let last_index = (dimensions.end.0 > dimensions.start.0).then_some(dimensions.end.0 as usize);
    let mut texts: Vec<Cow<str>> = Vec::new();
    let mut numbers: Vec<bool> = Vec::new();
    let mut row_index = None;
    while let Some(cell) = reader.next_cell().map_err(broken)? {
        let (r, c) = cell.get_position();
        // Refused before the row grows to the cell's column.
        if r as usize >= EXCEL_ROWS || c as usize >= EXCEL_COLUMNS {
            return Err(ReadError::Over(Limit::Excel));
        }
        if c as usize >= limits.columns {
            return Err(ReadError::Over(Limit::Columns(limits.columns)));
        }
        if row_index != Some(r) {
            if let Some(index) = row_index {
                let cells = Cells { index: index as usize, texts: &texts, numbers: &numbers, last_index };
                if each(cells).is_break() {
                    return Ok(());
                }
            }
            texts.clear();
            numbers.clear();
            row_index = Some(r);
        }
        let c = c as usize;
        if c < texts.len() {
            continue; // a cell written twice; the first one stands
        }
        texts.resize(c, Cow::Borrowed(""));
        numbers.resize(c, false);
        let value = cell.get_value();
        numbers.push(matches!(value, DataRef::Float(_) | DataRef::Int(_)));
        texts.push(data_ref_text(value));
    }
    if let Some(index) = row_index {
        let _ = each(Cells { index: index as usize, texts: &texts, numbers: &numbers, last_index });
    }
    Ok(())
}

fn workbook_rows(
    workbook: &mut calamine::Sheets<Cursor<&[u8]>>,
    name: &str,
    each: &mut dyn FnMut(Cells) -> ControlFlow<()>,
) -> Result<(), ReadError> {
    let range = workbook.worksheet_range(name).map_err(broken)?;
    let (first, last_index) = match (range.start(), range.end()) {
        (Some(start), Some(end)) => (start.0 as usize, Some(end.0 as usize)),
        _ => return Ok(()),
    };
    for (i, r) in range.rows().enumerate() {
        let texts: Vec<Cow<str>> = r.iter().map(cell_text).collect();
        let numbers: Vec<bool> = r.iter().map(|c| matches!(c, Data::Float(_) | Data::Int(_))).collect();
        if each(Cells { index: first + i, texts: &texts, numbers: &numbers, last_index }).is_break() {
            break;
        }
    }
    Ok(())
}

fn csv_rows(text: &str, each: &mut dyn FnMut(Cells) -> ControlFlow<()>) -> Result<(), ReadError> {
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
    let last_index = text.matches('\n').count().checked_sub(1);
    let mut record = csv::StringRecord::new();
    let mut numbers = Vec::new();
    // Rows as Excel numbers them: one a record, and one for each blank line
    // the reader skips (a quoted field's line breaks do not count).
    let mut rows = 0;
    while reader.read_record(&mut record).map_err(broken)? {
        let gap = record.position().map_or(0, |p| p.byte() as usize);
        rows += 1 + blank_lines_at(text, gap);
        let index = rows - 1;
        let texts: Vec<Cow<str>> = record.iter().map(|c| Cow::Borrowed(c.trim())).collect();
        numbers.resize(texts.len(), false);
        if each(Cells { index, texts: &texts, numbers: &numbers, last_index }).is_break() {
            break;
        }
    }
    Ok(())
}

/// How many blank lines start at byte `at`, where the previous record ended.
/// A record ended by CR LF ends at its CR, so a LF just after one is its end.
fn blank_lines_at(text: &str, at: usize) -> usize {
    let bytes = text.as_bytes();
    let mut at = at;
    if at > 0 && bytes.get(at - 1) == Some(&b'\r') && bytes.get(at) == Some(&b'\n') {
        at += 1;
    }
    let mut blank = 0;
    loop {
        match (bytes.get(at), bytes.get(at + 1)) {
            (Some(b'\r'), Some(b'\n')) => at += 2,
            (Some(b'\r' | b'\n'), _) => at += 1,
            _ => return blank,
        }
        blank += 1;
    }
}

/// A cell as the text a person sees: whole numbers without ".0" or an
/// exponent, dates as `YYYY-MM-DD` (Excel stores them as day serials).
fn cell_text(cell: &Data) -> Cow<'_, str> {
    match cell {
        Data::Empty => Cow::Borrowed(""),
        Data::String(s) => Cow::Borrowed(s.trim()),
        Data::Float(f) => float_text(*f).into(),
        Data::Int(i) => i.to_string().into(),
        Data::Bool(b) => b.to_string().into(),
        Data::DateTime(d) => date_text(d).into(),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.chars().take(10).collect::<String>().into(),
        Data::Error(e) => format!("{e:?}").into(),
    }
}

fn data_ref_text<'a>(cell: &DataRef<'a>) -> Cow<'a, str> {
    match cell {
        DataRef::Empty => Cow::Borrowed(""),
        DataRef::SharedString(s) => Cow::Borrowed(s.trim()),
        DataRef::String(s) => s.trim().to_owned().into(),
        DataRef::Float(f) => float_text(*f).into(),
        DataRef::Int(i) => i.to_string().into(),
        DataRef::Bool(b) => b.to_string().into(),
        DataRef::DateTime(d) => date_text(d).into(),
        DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.chars().take(10).collect::<String>().into(),
        DataRef::Error(e) => format!("{e:?}").into(),
    }
}

fn date_text(d: &calamine::ExcelDateTime) -> String {
    d.as_datetime().map(|t| t.date().format("%Y-%m-%d").to_string()).unwrap_or_else(|| d.to_string())
}

/// Rust prints whole floats in full, never with an exponent.
fn float_text(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        f.to_string()
    }
}

/// Decodes UTF-8 (with or without BOM), else GB18030, a superset of GBK.
pub fn decode_text(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_owned(),
        Err(_) => encoding_rs::GB18030.decode(bytes).0.into_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIELDS: &[(&str, &[&str])] = &[
        ("student_no", &["学号"]),
        ("name", &["姓名"]),
        ("birth", &["出生日期"]),
        ("phone", &["手机号"]),
        ("id", &["身份证号"]),
    ];

    fn columns() -> Columns {
        Columns::of(FIELDS, &["student_no", "name"], &["id"])
    }

    #[test]
    fn streamed_xlsx_keeps_columns_across_gaps() {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        for (c, h) in ["学号", "姓名", "出生日期", "手机号"].iter().enumerate() {
            sheet.write_string(0, c as u16, *h).unwrap();
        }
        sheet.write_number(1, 0, 2022001.0).unwrap();
        sheet.write_string(1, 3, " 13900000000 ").unwrap();
        // Row 3 is blank; row 4 has a date typed as a date.
        let date = rust_xlsxwriter::ExcelDateTime::from_ymd(2000, 1, 2).unwrap();
        let format = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd");
        sheet.write_datetime_with_format(3, 2, &date, &format).unwrap();
        sheet.write_string(3, 1, "张三").unwrap();
        let bytes = book.save_to_buffer().unwrap();
        let t = read("r.xlsx", &bytes, &columns(), &Limits::default()).unwrap();
        assert_eq!(t.headers, vec!["学号", "姓名", "出生日期", "手机号"]);
        assert_eq!(t.rows.len(), 2);
        assert_eq!(t.rows[0].cells, vec!["2022001", "", "", "13900000000"]);
        assert_eq!(t.rows[1].cells, vec!["", "张三", "2000-01-02"]);
        assert_eq!((t.rows[0].line, t.rows[1].line), (2, 4), "the rows Excel shows");
        let mut hint = None;
        stream("r.xlsx", &bytes, &columns(), &Limits::default(), |line| {
            if let Line::Headers { rows, .. } = line {
                hint = rows;
            }
            ControlFlow::Break(())
        })
        .unwrap();
        assert_eq!(hint, Some(3), "the sheet's dimension, blank row included");
    }

    #[test]
    fn gbk_and_utf8_csv() {
        let utf8 = "学号,姓名\n001,张三\n\n";
        let t = read("a.csv", utf8.as_bytes(), &columns(), &Limits::default()).unwrap();
        assert_eq!(t.headers, vec!["学号", "姓名"]);
        assert_eq!(t.rows[0].cells, vec!["001".to_owned(), "张三".to_owned()]);
        let (gbk, _, _) = encoding_rs::GBK.encode("学号,姓名\r\n002,李四\r\n");
        let t = read("b.csv", &gbk, &columns(), &Limits::default()).unwrap();
        assert_eq!(t.rows[0].cells[1], "李四");
        let bom = [b"\xEF\xBB\xBF".as_slice(), utf8.as_bytes()].concat();
        assert_eq!(read("c.csv", &bom, &columns(), &Limits::default()).unwrap().headers[0], "学号");
    }

    #[test]
    fn csv_title_and_blank_lines_keep_the_real_row_numbers() {
        let lines = |text: &str| {
            let t = read("a.csv", text.as_bytes(), &columns(), &Limits::default()).unwrap();
            (t.header_line, t.rows.iter().map(|r| r.line).collect::<Vec<_>>())
        };
        assert_eq!(lines("2022届毕业生名单,,\n\n学号,姓名\n001,张三\n\n002,李四\n"), (3, vec![4, 6]));
        assert_eq!(lines("名单\r\n\r\n学号,姓名\r\n001,张三\r\n\r\n002,李四\r\n"), (3, vec![4, 6]));
        assert_eq!(lines("学号,姓名\n001,\"两行\n的名字\"\n002,李四"), (1, vec![2, 3]), "one row, two lines");
    }

    #[test]
    fn long_numbers_in_number_cells_are_refused() {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        for (c, h) in ["学号", "身份证号", "备注"].iter().enumerate() {
            sheet.write_string(0, c as u16, *h).unwrap();
        }
        let rows: [(f64, f64, f64); 3] = [
            (2018123456.0, 430104200001010021.0, 1234567890123456.0),
            (1234567890123456.0, 110105194912310.0, 1.0),
            (12345678901234.0, 12345678901234.0, 1.0),
        ];
        for (r, (a, b, c)) in rows.iter().enumerate() {
            sheet.write_number(r as u32 + 1, 0, *a).unwrap();
            sheet.write_number(r as u32 + 1, 1, *b).unwrap();
            sheet.write_number(r as u32 + 1, 2, *c).unwrap();
        }
        let bytes = book.save_to_buffer().unwrap();
        let t = read("r.xlsx", &bytes, &columns(), &Limits::default()).unwrap();
        assert_eq!(t.rows[0].cells[0], "2018123456", "a student number typed as a number");
        let refused = |r: usize| t.rows[r].refused.iter().map(|e| e.column.as_str()).collect::<Vec<_>>();
        assert_eq!(refused(0), vec!["身份证号"], "18 digits; 备注 is not read");
        assert_eq!(t.rows[0].refused[0].row, 2);
        assert_eq!(refused(1), vec!["学号", "身份证号"], "16 digits anywhere, 15 in an ID column");
        assert!(refused(2).is_empty());
        let csv = "学号,身份证号\n1234567890123456,430104200001010021\n";
        assert!(
            read("a.csv", csv.as_bytes(), &columns(), &Limits::default()).unwrap().rows[0].refused.is_empty(),
            "CSV is text"
        );
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(48))]

        /// A number of `digits` digits typed into a number cell: refused from
        /// 15 digits in the ID column, from 16 in any other column read.
        #[test]
        fn number_cells_are_refused_by_their_digits(digits in 1u32..=18, fraction in 0.0f64..0.8) {
            // From 10^(d-1) up to 1.8 × 10^(d-1), so rounding never reaches 10^d.
            let low = 10f64.powi(digits as i32 - 1);
            let value = (low + fraction * low).floor();
            let mut book = rust_xlsxwriter::Workbook::new();
            let sheet = book.add_worksheet();
            sheet.write_string(0, 0, "学号").unwrap();
            sheet.write_string(0, 1, "身份证号").unwrap();
            sheet.write_number(1, 0, value).unwrap();
            sheet.write_number(1, 1, value).unwrap();
            let t = read("p.xlsx", &book.save_to_buffer().unwrap(), &columns(), &Limits::default()).unwrap();
            let refused: Vec<&str> = t.rows[0].refused.iter().map(|e| e.column.as_str()).collect();
            let expected: Vec<&str> = match digits {
                ..=14 => vec![],
                15 => vec!["身份证号"],
                _ => vec!["学号", "身份证号"],
            };
            proptest::prop_assert_eq!(refused, expected);
            if digits <= 15 {
                proptest::prop_assert_eq!(&t.rows[0].cells[0], &format!("{value:.0}"), "the digits as typed");
            }
        }
    }

    #[test]
    fn the_header_is_found_under_a_title_and_after_an_instructions_sheet() {
        let mut book = rust_xlsxwriter::Workbook::new();
        let notes = book.add_worksheet().set_name("填表说明").unwrap();
        notes.write_string(0, 0, "请按下表填写").unwrap();
        notes.write_string(1, 0, "学号").unwrap();
        let data = book.add_worksheet().set_name("名单").unwrap();
        data.merge_range(0, 0, 0, 2, "2022届毕业生", &rust_xlsxwriter::Format::new()).unwrap();
        for (c, h) in ["学号", "姓名", "手机号"].iter().enumerate() {
            data.write_string(1, c as u16, *h).unwrap();
        }
        data.write_string(2, 0, "001").unwrap();
        let bytes = book.save_to_buffer().unwrap();
        let t = read("r.xlsx", &bytes, &columns(), &Limits::default()).unwrap();
        assert_eq!((t.header_line, t.headers.len(), t.rows.len(), t.rows[0].line), (2, 3, 1, 3));

        let mut book = rust_xlsxwriter::Workbook::new();
        book.add_worksheet().set_name("说明").unwrap().write_string(0, 0, "无").unwrap();
        let bytes = book.save_to_buffer().unwrap();
        let e = read("r.xlsx", &bytes, &columns(), &Limits::default()).unwrap_err();
        let message = e.message(Locale::Zh);
        assert!(message.contains("“说明”") && message.contains("学号、姓名"), "{message}");
        assert!(e.message(Locale::En).contains("\"说明\""));
    }
}
