//! Reading a spreadsheet row by row for an import: the rows come from
//! `sheet_reader` (.xlsx, .xls, .csv in UTF-8 or GB18030/GBK, as Chinese Excel
//! saves it; every cell as trimmed text); here they become a header and data
//! rows.
//!
//! Files come as offices send them: a title row above the header, an
//! instructions sheet before the data. The header row is the row among each
//! sheet's first rows that names most of the import's columns, and the data
//! sheet is the sheet that holds it. Row numbers are the spreadsheet's own.

use std::borrow::Cow;
use std::ops::ControlFlow;

use sheet_reader::{Book, Cells, EXCEL_COLUMNS, EXCEL_ROWS};

use super::{header_key, Limit, Limits, Problem, RowError};
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
    #[error("over an import limit: {}", limit_message(.0, Locale::En))]
    Over(Limit),
    /// A parser gave up on the file half-way (it panicked): damaged, or made to break it.
    #[error("the file is damaged")]
    Unreadable,
}

impl From<sheet_reader::Error> for ReadError {
    fn from(e: sheet_reader::Error) -> Self {
        match e {
            sheet_reader::Error::Kind => ReadError::Kind,
            sheet_reader::Error::Broken(e) => ReadError::Broken(e),
            sheet_reader::Error::Over(limit) => ReadError::Over(limit),
            sheet_reader::Error::Unreadable(panic) => {
                tracing::warn!(%panic, "a spreadsheet parser panicked; the file is refused");
                ReadError::Unreadable
            }
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
            (ReadError::Over(limit), l) => limit_message(limit, l),
            (ReadError::Unreadable, l) => l
                .pick(
                    "无法读取文件：文件已损坏，或不是真正的 Excel、CSV 文件。请用 Excel 打开，另存为 .xlsx 后重新上传。",
                    "The file could not be read: it is damaged, or not really an Excel or CSV file. Open it in Excel, save it as .xlsx and upload it again.",
                )
                .to_owned(),
            (e, Locale::Zh) => format!("无法读取文件：{e}。请上传 .xlsx、.xls 或 .csv 文件。"),
            (e, Locale::En) => format!("The file could not be read: {e}. Upload an .xlsx, .xls or .csv file."),
        }
    }
}

/// The limit a file went over, named for the person who sent it.
pub fn limit_message(limit: &Limit, l: Locale) -> String {
    let mb = |bytes: u64| bytes >> 20;
    let what = match (limit, l) {
        (Limit::Rows(n), Locale::Zh) => format!("数据超过 {n} 行"),
        (Limit::Rows(n), Locale::En) => format!("more than {n} data rows"),
        (Limit::Columns(n), Locale::Zh) => format!("有一行超过 {n} 列"),
        (Limit::Columns(n), Locale::En) => format!("a row with more than {n} columns"),
        (Limit::CellChars(n), Locale::Zh) => format!("有一格超过 {n} 个字"),
        (Limit::CellChars(n), Locale::En) => format!("a cell longer than {n} characters"),
        (Limit::SharedStrings(n), Locale::Zh) => format!("不同的文字超过 {n} 条（共享字符串）"),
        (Limit::SharedStrings(n), Locale::En) => format!("more than {n} distinct texts (shared strings)"),
        (Limit::Unzipped(b), Locale::Zh) => format!("解压后超过 {} MB", mb(*b)),
        (Limit::Unzipped(b), Locale::En) => format!("more than {} MB once unpacked", mb(*b)),
        (Limit::Held(b), Locale::Zh) => format!("读取时需占用超过 {} MB 内存", mb(*b)),
        (Limit::Held(b), Locale::En) => format!("more than {} MB in memory to read", mb(*b)),
        (Limit::Excel, Locale::Zh) => {
            format!("有单元格超出 Excel 的表格范围（{EXCEL_ROWS} 行、{EXCEL_COLUMNS} 列）")
        }
        (Limit::Excel, Locale::En) => {
            format!("a cell beyond Excel's sheet ({EXCEL_ROWS} rows, {EXCEL_COLUMNS} columns)")
        }
    };
    match l {
        Locale::Zh => format!("文件超出导入上限：{what}。请拆分文件或删去多余的内容后重新上传。"),
        Locale::En => format!(
            "The file is over an import limit: {what}. Split it or remove what is not needed, and upload again."
        ),
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
        .ok_or_else(|| ReadError::NoHeader { expected: columns.required.clone(), sheets: book.sheets().to_vec() })
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

    #[test]
    fn data_rows_over_the_limit_are_refused_in_every_format() {
        use crate::sheet::hostile;
        let limits = Limits { rows: 10, ..Limits::default() };
        let over = |name: &str, bytes: &[u8]| match read(name, bytes, &columns(), &limits) {
            Err(ReadError::Over(limit)) => limit,
            other => panic!("{name}: not refused over a limit: {other:?}"),
        };
        let headers = ["学号", "姓名"];
        assert_eq!(over("r.csv", &hostile::csv_blank_rows(&headers, 11)), Limit::Rows(10));
        assert!(read("r.csv", &hostile::csv_blank_rows(&headers, 10), &columns(), &limits).is_ok());
        assert_eq!(over("r.xlsx", &hostile::xlsx_rows(&headers, 11)), Limit::Rows(10));
        assert_eq!(over("d.xls", &hostile::xls_dimensions()), Limit::Rows(10), "as the sheet declares them");
    }

    #[test]
    fn every_refusal_is_told_in_both_languages() {
        for limit in [
            Limit::Rows(500_000),
            Limit::Columns(1),
            Limit::CellChars(1),
            Limit::SharedStrings(1),
            Limit::Unzipped(1 << 20),
            Limit::Held(1 << 20),
            Limit::Excel,
        ] {
            let (zh, en) = (limit_message(&limit, Locale::Zh), limit_message(&limit, Locale::En));
            assert!(zh.contains("导入上限") && en.contains("import limit"), "{zh} / {en}");
            assert!(zh.chars().any(|c| c.is_ascii_digit()) && en.chars().any(|c| c.is_ascii_digit()));
        }
        assert!(limit_message(&Limit::Rows(500_000), Locale::Zh).contains("500000 行"));
        let panicked = ReadError::from(sheet_reader::Error::Unreadable("index out of bounds".into()));
        assert!(panicked.message(Locale::Zh).starts_with("无法读取文件：文件已损坏"));
        assert!(panicked.message(Locale::En).starts_with("The file could not be read: it is damaged"));
        assert!(!panicked.message(Locale::En).contains("index out of bounds"), "the parser's words are for the log");
    }
}
