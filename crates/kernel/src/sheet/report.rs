//! The error report: the file's own rows with an error column, as .xlsx, so an
//! office can fix the rows in Excel and upload again. Errors name the rows of
//! the file as sent; the report has the header on top and the data rows below.
//!
//! The report reads the file once more, within the same `Limits`, and writes
//! each row as it comes (constant memory), so nothing of the file is kept
//! meanwhile. It stays within what Excel opens: a cell over 32,767 characters
//! is cut, rows past 1,048,576 and columns past 16,384 are left out, and the
//! cells written stop at `REPORT_CHARS`; a note under the rows says which.

use std::collections::BTreeMap;
use std::ops::ControlFlow;

use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};

use super::{read, Columns, Errors, Explain, Line, ReadError};
use crate::Locale;
use sheet_reader::{Limits, EXCEL_CELL_CHARS, EXCEL_COLUMNS, EXCEL_ROWS};

/// Characters of the file's cells a report copies at most (about 128 MB of
/// sheet); beyond them only the errors are written.
pub const REPORT_CHARS: usize = 32 << 20;

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error(transparent)]
    Read(#[from] ReadError),
    #[error(transparent)]
    Xlsx(#[from] XlsxError),
}

/// The file as read: what the report reads again.
#[derive(Debug, Clone, Copy)]
pub struct Source<'a> {
    pub file_name: &'a str,
    pub bytes: &'a [u8],
    pub columns: &'a Columns,
    pub limits: &'a Limits,
}

/// What was left out to stay within Excel's limits, for the note under the rows.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub struct Cut {
    pub cells: bool,
    pub rows: bool,
    pub columns: bool,
    pub copied: bool,
}

pub fn error_report<P: Explain>(source: Source, errors: &Errors<P>, l: Locale) -> Result<Vec<u8>, ReportError> {
    let mut by_row: BTreeMap<usize, Vec<String>> = BTreeMap::new();
    for e in &errors.listed {
        by_row.entry(e.row).or_default().push(format!("{}：{}", e.column, e.reason(l)));
    }
    let mut workbook = Workbook::new();
    let mut writer = Writer {
        sheet: workbook.add_worksheet_with_constant_memory()?,
        by_row,
        red: Format::new().set_font_color("#B00020"),
        error_col: 0,
        next_row: 1,
        copied: 0,
        cut: Cut::default(),
    };
    writer.sheet.set_name(l.pick("错误报告", "Errors"))?;
    let mut failed = None;
    read::stream(source.file_name, source.bytes, source.columns, source.limits, |line| {
        let written = match line {
            Line::Headers { line, cells, .. } => writer.headers(line, &cells, l),
            Line::Row(row) => writer.row(row.line, row.cells),
        };
        match written {
            Ok(flow) => flow,
            Err(e) => {
                failed = Some(e);
                ControlFlow::Break(())
            }
        }
    })?;
    if let Some(e) = failed {
        return Err(e.into());
    }
    writer.note(errors, l)?;
    writer.sheet.set_freeze_panes(1, 0)?;
    Ok(workbook.save_to_buffer()?)
}

struct Writer<'w> {
    sheet: &'w mut Worksheet,
    by_row: BTreeMap<usize, Vec<String>>,
    red: Format,
    error_col: u16,
    /// The report's row the next data row goes to.
    next_row: u32,
    /// Characters of the file's cells written so far.
    copied: usize,
    cut: Cut,
}

impl Writer<'_> {
    fn headers(&mut self, line: usize, headers: &[String], l: Locale) -> Result<ControlFlow<()>, XlsxError> {
        let bold = Format::new().set_bold();
        // Room for the error column and the header's own errors beside it.
        let kept = headers.len().min(EXCEL_COLUMNS - 2);
        self.cut.columns |= kept < headers.len();
        self.error_col = kept as u16;
        for (c, h) in headers[..kept].iter().enumerate() {
            self.sheet.set_column_width(c as u16, 14)?;
            let text = cut_to(h, &mut self.cut.cells);
            self.sheet.write_string_with_format(0, c as u16, text, &bold)?;
        }
        self.sheet.set_column_width(self.error_col, 60)?;
        self.sheet.write_string_with_format(0, self.error_col, l.pick("错误说明", "Errors"), &bold)?;
        if let Some(header_errors) = self.by_row.remove(&line) {
            let joined = header_errors.join("；");
            let text = cut_to(&joined, &mut self.cut.cells);
            self.sheet.write_string_with_format(0, self.error_col + 1, text, &self.red)?;
        }
        Ok(ControlFlow::Continue(()))
    }

    fn row(&mut self, line: usize, cells: &[std::borrow::Cow<str>]) -> Result<ControlFlow<()>, XlsxError> {
        // The last row is kept for the note.
        if self.next_row as usize >= EXCEL_ROWS - 1 {
            self.cut.rows = true;
            return Ok(ControlFlow::Break(()));
        }
        let r = self.next_row;
        self.next_row += 1;
        let width = cells.len().min(self.error_col as usize);
        self.cut.columns |= width < cells.len();
        for (c, value) in cells[..width].iter().enumerate() {
            if self.copied >= REPORT_CHARS {
                self.cut.copied = true;
                break;
            }
            if value.is_empty() {
                continue;
            }
            self.copied += value.len();
            // Text, so ID numbers and leading zeros survive the round trip.
            let text = cut_to(value, &mut self.cut.cells);
            self.sheet.write_string(r, c as u16, text)?;
        }
        if let Some(messages) = self.by_row.remove(&line) {
            let joined = messages.join("；");
            let text = cut_to(&joined, &mut self.cut.cells);
            self.sheet.write_string_with_format(r, self.error_col, text, &self.red)?;
        }
        Ok(ControlFlow::Continue(()))
    }

    /// Under the rows: how many errors there were, and what was left out.
    fn note<P>(&mut self, errors: &Errors<P>, l: Locale) -> Result<(), XlsxError> {
        let notes = notes(errors.listed.len(), errors.total, self.cut, l);
        if notes.is_empty() {
            return Ok(());
        }
        let r = (self.next_row + 1).min(EXCEL_ROWS as u32 - 1);
        self.sheet.write_string_with_format(r, self.error_col, notes.join(" "), &self.red)?;
        Ok(())
    }
}

/// The text cut to what a cell holds, marking that it was.
fn cut_to<'t>(text: &'t str, cut: &mut bool) -> std::borrow::Cow<'t, str> {
    const MARK: &str = "…";
    if text.len() <= EXCEL_CELL_CHARS || text.chars().count() <= EXCEL_CELL_CHARS {
        return text.into();
    }
    *cut = true;
    let mut kept: String = text.chars().take(EXCEL_CELL_CHARS - MARK.chars().count()).collect();
    kept.push_str(MARK);
    kept.into()
}

/// The sentences of the note under a report's rows.
pub fn notes(listed: usize, total: usize, cut: Cut, l: Locale) -> Vec<String> {
    let mut notes = Vec::new();
    if total > listed {
        notes.push(match l {
            Locale::Zh => format!("共 {total} 处错误，这里列出前 {listed} 处。"),
            Locale::En => format!("{total} errors in all; the first {listed} are listed."),
        });
    }
    let said = [
        (
            cut.cells,
            "超过 32767 个字的单元格已截断（Excel 的上限）。",
            "Cells over 32,767 characters are cut short (Excel's limit).",
        ),
        (
            cut.rows,
            "超过 1048576 行的部分未写入（Excel 的上限）。",
            "Rows past 1,048,576 are left out (Excel's limit).",
        ),
        (
            cut.columns,
            "超过 16384 列的部分未写入（Excel 的上限）。",
            "Columns past 16,384 are left out (Excel's limit).",
        ),
        (cut.copied, "文件太大，后面的行只写出错误说明。", "The file is large: later rows show only their errors."),
    ];
    notes.extend(said.iter().filter(|(on, _, _)| *on).map(|(_, zh, en)| l.pick(zh, en).to_owned()));
    notes
}
