//! The error report: the file's own rows with an error column, as .xlsx, so an
//! office can fix the rows in Excel and upload again. Errors name the rows of
//! the file as sent; the report has the header on top and the data rows below.

use std::collections::BTreeMap;

use rust_xlsxwriter::{Format, Workbook, XlsxError};

use super::{Explain, RowError, Table};
use crate::Locale;

pub fn error_report<P: Explain>(table: &Table, errors: &[RowError<P>], l: Locale) -> Result<Vec<u8>, XlsxError> {
    let headers = &table.headers;
    let mut by_row: BTreeMap<usize, Vec<String>> = BTreeMap::new();
    for e in errors {
        by_row.entry(e.row).or_default().push(format!("{}：{}", e.column, e.reason(l)));
    }
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name(l.pick("错误报告", "Errors"))?;
    let bold = Format::new().set_bold();
    let red = Format::new().set_font_color("#B00020");
    let error_col = headers.len() as u16;
    for (c, h) in headers.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, h, &bold)?;
        sheet.set_column_width(c as u16, 14)?;
    }
    sheet.write_string_with_format(0, error_col, l.pick("错误说明", "Errors"), &bold)?;
    sheet.set_column_width(error_col, 60)?;
    if let Some(header_errors) = by_row.get(&table.header_line) {
        sheet.write_string_with_format(0, error_col + 1, header_errors.join("；"), &red)?;
    }
    for (i, row) in table.rows.iter().enumerate() {
        let r = (i + 1) as u32;
        for (c, value) in row.cells.iter().enumerate() {
            // Text, so ID numbers and leading zeros survive the round trip.
            sheet.write_string(r, c as u16, value)?;
        }
        if let Some(messages) = by_row.get(&row.line) {
            sheet.write_string_with_format(r, error_col, messages.join("；"), &red)?;
        }
    }
    sheet.set_freeze_panes(1, 0)?;
    workbook.save_to_buffer()
}
