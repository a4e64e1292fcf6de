//! Import templates (导入模板) as .xlsx: the header row an import reads with
//! required columns marked, a filled example row, and the code lists the
//! columns use on a second sheet. What goes in them is the area's business.

use rust_xlsxwriter::{Format, Note, Workbook, XlsxError};

use crate::Locale;

/// A column of a template.
#[derive(Debug, Clone)]
pub struct TemplateColumn {
    pub header: String,
    pub required: bool,
    /// Formatted as text ("@"), so digits typed into it stay text: ID and
    /// student numbers, codes with leading zeros.
    pub text: bool,
    pub example: String,
}

/// A code table the columns use: its title and (code, name) pairs.
#[derive(Debug, Clone)]
pub struct CodeList {
    pub title: String,
    pub codes: Vec<(String, String)>,
}

/// A whole template: the data sheet's name, its columns, and the code lists.
#[derive(Debug, Clone)]
pub struct Template {
    pub sheet: String,
    pub columns: Vec<TemplateColumn>,
    pub code_lists: Vec<CodeList>,
}

/// Fill of a required column's header.
const REQUIRED_FILL: u32 = 0xFCE4D6;
const OPTIONAL_FILL: u32 = 0xEDEDED;

/// The template as an .xlsx file.
pub fn to_xlsx(template: &Template, l: Locale) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name(&template.sheet)?;
    let header = Format::new().set_bold().set_border(rust_xlsxwriter::FormatBorder::Thin);
    let required = header.clone().set_background_color(REQUIRED_FILL);
    let optional = header.set_background_color(OPTIONAL_FILL);
    let text = Format::new().set_num_format("@");
    let required_note = l.pick("必填", "Required");
    for (c, column) in template.columns.iter().enumerate() {
        let c = c as u16;
        if column.required {
            sheet.write_string_with_format(0, c, format!("*{}", column.header), &required)?;
            sheet.insert_note(0, c, &Note::new(required_note).add_author_prefix(false))?;
        } else {
            sheet.write_string_with_format(0, c, &column.header, &optional)?;
        }
        let width = column.header.chars().count().max(column.example.chars().count()) as f64 * 1.6 + 4.0;
        sheet.set_column_width(c, width.max(12.0))?;
        if column.text {
            sheet.set_column_format(c, &text)?;
            sheet.write_string_with_format(1, c, &column.example, &text)?;
        } else {
            sheet.write_string(1, c, &column.example)?;
        }
    }
    let example_note = l.pick(
        "第 2 行是示例，请改成本校的数据或删除后再导入。带 * 的列必填。代码见“代码表”工作表。",
        "Row 2 is an example: replace or delete it before importing. Columns marked * are required. Codes are on the Codes sheet.",
    );
    sheet.insert_note(1, 0, &Note::new(example_note).add_author_prefix(false))?;
    sheet.set_freeze_panes(1, 0)?;
    code_sheet(&mut workbook, &template.code_lists, l)?;
    workbook.save_to_buffer()
}

/// Each code list in two columns side by side, under a title that names
/// no import column (so the reader never takes this sheet for the data).
fn code_sheet(workbook: &mut Workbook, lists: &[CodeList], l: Locale) -> Result<(), XlsxError> {
    let sheet = workbook.add_worksheet();
    sheet.set_name(l.pick("代码表", "Codes"))?;
    let bold = Format::new().set_bold();
    let text = Format::new().set_num_format("@");
    for (i, list) in lists.iter().enumerate() {
        let c = (i * 3) as u16;
        sheet.write_string_with_format(0, c, format!("{}{}", l.pick("代码表：", "Codes: "), list.title), &bold)?;
        sheet.write_string_with_format(1, c, l.pick("代码", "Code"), &bold)?;
        sheet.write_string_with_format(1, c + 1, l.pick("名称", "Name"), &bold)?;
        sheet.set_column_width(c, 10)?;
        sheet.set_column_width(c + 1, 28)?;
        sheet.set_column_width(c + 2, 3)?;
        for (r, (code, name)) in list.codes.iter().enumerate() {
            sheet.write_string_with_format(r as u32 + 2, c, code, &text)?;
            sheet.write_string(r as u32 + 2, c + 1, name)?;
        }
    }
    sheet.set_freeze_panes(2, 0)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sheet::{read, Columns};

    #[test]
    fn the_template_reads_back_as_its_own_import() {
        let column = |header: &str, required, example: &str| TemplateColumn {
            header: header.to_owned(),
            required,
            text: true,
            example: example.to_owned(),
        };
        let template = Template {
            sheet: "生源信息".to_owned(),
            columns: vec![column("学号", true, "示例0001"), column("政治面貌", false, "01")],
            code_lists: vec![CodeList {
                title: "政治面貌".to_owned(),
                codes: vec![("01".to_owned(), "中共党员".to_owned())],
            }],
        };
        let bytes = to_xlsx(&template, Locale::Zh).unwrap();
        let fields: &[(&str, &[&str])] = &[("no", &["学号"]), ("political", &["政治面貌", "政治面貌代码"])];
        let table = read("t.xlsx", &bytes, &Columns::of(fields, &["no"], &[]), &Default::default()).unwrap();
        assert_eq!(table.headers, vec!["*学号", "政治面貌"]);
        assert_eq!(table.rows.len(), 1);
        assert_eq!(table.rows[0].cells, vec!["示例0001", "01"]);
    }
}
