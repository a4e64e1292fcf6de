//! Files as offices send them (a title row, an instructions sheet, digits
//! typed as numbers) and the templates the upload pages offer.

use axum::http::StatusCode;
use calamine::Reader;
use rust_xlsxwriter::{Format, Workbook, Worksheet};

use crate::roster::{batch_upload, between, good_row, prepare, upload, HEADERS};
use crate::support::{Reply, TestApp};

/// Writes the header row at `top` and the rows below it; cells listed in
/// `numbers` (row index, column) go in as number cells, the rest as text.
fn write_table(sheet: &mut Worksheet, top: u32, headers: &[&str], rows: &[Vec<String>], numbers: &[(usize, usize)]) {
    for (c, h) in headers.iter().enumerate() {
        sheet.write_string(top, c as u16, *h).unwrap();
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            let (at, col) = (top + 1 + r as u32, c as u16);
            if numbers.contains(&(r, c)) {
                sheet.write_number(at, col, v.parse::<f64>().unwrap()).unwrap();
            } else {
                sheet.write_string(at, col, v).unwrap();
            }
        }
    }
}

fn one_sheet(headers: &[&str], rows: &[Vec<String>], numbers: &[(usize, usize)]) -> Vec<u8> {
    let mut book = Workbook::new();
    write_table(book.add_worksheet(), 0, headers, rows, numbers);
    book.save_to_buffer().unwrap()
}

/// A good row whose ID number is all digits, so it can be typed as a number.
fn digits_row(from: u32) -> Vec<String> {
    (from..).map(good_row).find(|r| !r[3].ends_with('X')).unwrap()
}

/// The (row, column, value, reason) cells of the page's error table.
fn error_cells(body: &str) -> String {
    body.split("<tbody>").nth(1).and_then(|s| s.split("</tbody>").next()).unwrap_or("").to_owned()
}

#[tokio::test]
async fn a_header_under_a_merged_title_row_is_found_and_rows_keep_their_numbers() {
    let app = TestApp::demo().await;
    prepare(&app).await;
    let mut rows: Vec<Vec<String>> = (1..=4).map(good_row).collect();
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let title = Format::new().set_bold();
    sheet.merge_range(0, 0, 0, HEADERS.len() as u16 - 1, "湘潭大学 2022 届毕业生生源信息", &title).unwrap();
    sheet.write_string(1, 0, "填报单位：就业指导中心").unwrap();
    write_table(sheet, 2, &HEADERS, &rows, &[]);
    let good = book.save_to_buffer().unwrap();
    let mut staff = app.login("staff").await;
    let reply = upload(&mut staff, "10530", "有标题.xlsx", good).await;
    assert_eq!(between(&reply.body, "new-rows"), "4", "{}", reply.body);

    // The fourth data row sits on spreadsheet row 7, under the title, the note and the header.
    rows[3][8] = "999999".to_owned();
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.merge_range(0, 0, 0, 5, "2022 届生源", &title).unwrap();
    write_table(sheet, 2, &HEADERS, &rows, &[]);
    let reply = upload(&mut staff, "10530", "有标题.xlsx", book.save_to_buffer().unwrap()).await;
    assert_eq!(between(&reply.body, "error-count"), "1", "{}", reply.body);
    let cells = error_cells(&reply.body);
    assert!(cells.contains("<td class=\"num\">7</td><td>专业代码</td>"), "{cells}");
}

#[tokio::test]
async fn the_data_sheet_is_found_after_an_instructions_sheet() {
    let app = TestApp::demo().await;
    prepare(&app).await;
    let rows: Vec<Vec<String>> = (11..=13).map(good_row).collect();
    let mut book = Workbook::new();
    let notes = book.add_worksheet().set_name("填表说明").unwrap();
    notes.write_string(0, 0, "1. 学号、身份证号请设置为文本格式。").unwrap();
    notes.write_string(1, 0, "2. 民族填写名称，如“汉族”。").unwrap();
    write_table(book.add_worksheet().set_name("生源数据").unwrap(), 0, &HEADERS, &rows, &[]);
    let mut staff = app.login("staff").await;
    let reply = upload(&mut staff, "10530", "两张表.xlsx", book.save_to_buffer().unwrap()).await;
    assert_eq!(between(&reply.body, "new-rows"), "3", "{}", reply.body);

    // Nothing that looks like the header: say which headers and which sheets.
    let mut book = Workbook::new();
    book.add_worksheet().set_name("填表说明").unwrap().write_string(0, 0, "见下表").unwrap();
    write_table(book.add_worksheet().set_name("Sheet2").unwrap(), 0, &["编号", "名字"], &[], &[]);
    let reply = upload(&mut staff, "10530", "无表头.xlsx", book.save_to_buffer().unwrap()).await;
    let message = between(&reply.body, "import-message");
    for expected in ["没有找到表头", "“填表说明”", "“Sheet2”", "学号", "身份证号", "学历层次"]
    {
        assert!(message.contains(expected), "{expected} in {message}");
    }
}

#[tokio::test]
async fn a_student_number_typed_as_a_number_is_accepted() {
    let app = TestApp::demo().await;
    prepare(&app).await;
    let mut row = good_row(21);
    row[0] = "2018123456".to_owned();
    let mut staff = app.login("staff").await;
    let reply = upload(&mut staff, "10530", "数字学号.xlsx", one_sheet(&HEADERS, &[row], &[(0, 0)])).await;
    assert_eq!(between(&reply.body, "new-rows"), "1", "{}", reply.body);
    assert_eq!(app.count("SELECT COUNT(*) FROM graduates WHERE student_no = '2018123456'").await, 1);

    // The destination batch finds the graduate by the number typed as a number too.
    let batch =
        one_sheet(&["学号", "毕业去向类别代码"], &[vec!["2018123456".to_owned(), "76".to_owned()]], &[(0, 0), (0, 1)]);
    let reply = batch_upload(&mut staff, batch).await;
    assert_eq!(between(&reply.body, "recorded-rows"), "1", "{}", reply.body);
}

#[tokio::test]
async fn an_id_number_in_a_number_cell_is_refused_with_why_and_how_to_fix_it() {
    let app = TestApp::demo().await;
    prepare(&app).await;
    let rows = vec![good_row(31), digits_row(32)];
    let before = app.count("SELECT COUNT(*) FROM graduates").await;
    let mut staff = app.login("staff").await;
    let file = one_sheet(&HEADERS, &rows, &[(1, 3)]);
    let reply: Reply = upload(&mut staff, "10530", "数字身份证.xlsx", file.clone()).await;
    assert_eq!(app.count("SELECT COUNT(*) FROM graduates").await, before, "nothing written");
    assert_eq!(between(&reply.body, "error-count"), "1", "{}", reply.body);
    let cells = error_cells(&reply.body);
    assert!(cells.contains("<td class=\"num\">3</td><td>身份证号</td>"), "{cells}");
    assert!(cells.contains("Excel 只保留 15 位有效数字") && cells.contains("设置为“文本”格式"), "{cells}");

    let fields = [("institution", "10530"), ("cohort", "2022")];
    let reply = staff.post_file("/outcomes/roster?lang=en", &fields, "id.xlsx", file).await;
    let cells = error_cells(&reply.body);
    assert!(cells.contains("Format the column as text and paste the numbers again"), "{cells}");
}

/// The workbook of a downloaded template.
fn workbook(reply: &Reply) -> calamine::Xlsx<std::io::Cursor<Vec<u8>>> {
    calamine::Xlsx::new(std::io::Cursor::new(reply.bytes.clone())).expect("an .xlsx")
}

fn assert_download(reply: &Reply, name: &str) {
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let headers = &reply.headers;
    assert_eq!(headers.get("content-type").map(String::as_str), Some(kernel::web::export::XLSX));
    let disposition = headers.get("content-disposition").cloned().unwrap_or_default();
    let encoded: String = name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"._-".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    assert!(disposition.starts_with("attachment;") && disposition.contains(&encoded), "{disposition}");
}

#[tokio::test]
async fn the_templates_have_marked_headers_an_example_and_the_code_lists() {
    let app = TestApp::demo().await;
    let mut staff = app.login("staff").await;

    let reply = staff.get("/outcomes/roster/template").await;
    assert_download(&reply, "生源信息导入模板.xlsx");
    let mut book = workbook(&reply);
    assert_eq!(book.sheet_names(), vec!["生源信息", "代码表"]);
    let data = book.worksheet_range("生源信息").unwrap();
    let header = |c: u32| data.get_value((0, c)).map(|v| v.to_string()).unwrap_or_default();
    assert_eq!(header(0), "*学号");
    assert_eq!(header(3), "*身份证号");
    assert_eq!(header(4), "出生日期", "optional columns carry no mark");
    assert_eq!(data.get_value((1, 3)).map(|v| v.to_string()).as_deref(), Some(outcomes::roster::template::EXAMPLE_ID));
    let styles = book.worksheet_style("生源信息").unwrap();
    let format_of = |r: u32, c: u32| styles.get((r, c)).and_then(|s| s.number_format.clone());
    for c in [0, 3] {
        let text = format_of(1, c).is_some_and(|f| f.format_code == "@" || f.format_id == Some(49));
        assert!(text, "column {c} is formatted as text: {:?}", format_of(1, c));
    }
    let fill = |c: u32| format!("{:?}", styles.get((0, c)).and_then(|s| s.fill.clone()));
    assert_ne!(fill(0), fill(4), "required headers have a fill of their own");
    let codes = book.worksheet_range("代码表").unwrap();
    let all: Vec<String> = codes.cells().map(|(_, _, v)| v.to_string()).collect();
    for expected in ["代码表：性别", "代码表：民族名称", "汉族", "共青团员", "本科生毕业", "城镇", "朝阳区"]
    {
        assert!(all.iter().any(|v| v == expected), "{expected} on the code sheet");
    }

    let reply = staff.get("/outcomes/destinations/import/template").await;
    assert_download(&reply, "毕业去向批量登记模板.xlsx");
    let mut book = workbook(&reply);
    let data = book.worksheet_range_at(0).unwrap().unwrap();
    let headers: Vec<String> =
        (0..3).map(|c| data.get_value((0, c)).map(|v| v.to_string()).unwrap_or_default()).collect();
    assert_eq!(headers, vec!["*学号", "*毕业去向类别代码", "单位名称"]);
    let codes = book.worksheet_range("代码表").unwrap();
    let all: Vec<String> = codes.cells().map(|(_, _, v)| v.to_string()).collect();
    for expected in ["签就业协议形式就业", "代码表：单位性质代码", "代码表：单位行业代码", "代码表：单位所在地代码"]
    {
        assert!(all.iter().any(|v| v == expected), "{expected} on the code sheet");
    }

    let reply = staff.get("/outcomes/roster/template?lang=en").await;
    assert_download(&reply, "roster-template.xlsx");
    for role in ["college", "employer", "graduate", "expert"] {
        let mut c = app.login(role).await;
        assert_eq!(c.get("/outcomes/roster/template").await.status, StatusCode::FORBIDDEN, "{role}");
        assert_eq!(c.get("/outcomes/destinations/import/template").await.status, StatusCode::FORBIDDEN, "{role}");
    }
}

#[tokio::test]
async fn a_filled_template_imports_cleanly() {
    let app = TestApp::demo().await;
    let mut staff = app.login("staff").await;
    let template = staff.get("/outcomes/roster/template").await;
    let reply = upload(&mut staff, "10530", "生源信息导入模板.xlsx", template.bytes).await;
    assert_eq!(between(&reply.body, "new-rows"), "1", "{}", reply.body);
    let example = outcomes::roster::template::EXAMPLE_ID;
    assert_eq!(app.count(&format!("SELECT COUNT(*) FROM graduates WHERE id_number = '{example}'")).await, 1);

    // The batch's example row, made a graduate of the institution.
    let student = app
        .db
        .fetch_one("SELECT g.student_no FROM graduates g JOIN institutions i ON i.id = g.institution_id WHERE i.code = '10530' AND g.cohort_year = 2022 ORDER BY g.id", &[])
        .await
        .unwrap()
        .text("student_no")
        .unwrap();
    let template = staff.get("/outcomes/destinations/import/template").await;
    let mut book = workbook(&template);
    let data = book.worksheet_range_at(0).unwrap().unwrap();
    let mut rows: Vec<Vec<String>> = data.rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect();
    rows[1][0] = student.clone();
    let headers: Vec<&str> = rows[0].iter().map(String::as_str).collect();
    let reply = batch_upload(&mut staff, crate::roster::xlsx(&headers, &rows[1..])).await;
    assert_eq!(between(&reply.body, "recorded-rows"), "1", "{}", reply.body);
    let recorded = app
        .count(&format!("SELECT COUNT(*) FROM destinations d JOIN graduates g ON g.id = d.graduate_id WHERE g.student_no = '{student}'"))
        .await;
    assert_eq!(recorded, 1);
}
