//! Uploads that would crash or starve the server (issue 10): hostile files
//! are refused with the limit named while `/healthz` answers, a flood of bad
//! rows lists the first errors and counts the rest, the report stays within
//! Excel's limits, and a batch is judged off the async workers.

use std::future::Future;
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use calamine::Reader;
use kernel::sheet::hostile;

use crate::roster::{between, csv, good_row, prepare, upload, HEADERS};
use crate::support::{Client, Reply, TestApp};

/// Runs `upload` as its own task and asks `/healthz` until it is done; every
/// answer must come quickly. On the test's single-threaded runtime a request
/// doing its work on the worker would hold every answer until it finished.
/// Returns the upload's reply and how many answers came meanwhile.
async fn meanwhile(app: &TestApp, upload: impl Future<Output = Reply> + Send + 'static) -> (Reply, usize) {
    let task = tokio::spawn(upload);
    let mut probe = app.client();
    let mut answered = 0;
    while !task.is_finished() {
        let asked = Instant::now();
        let reply = probe.get("/healthz").await;
        assert_eq!(reply.status, StatusCode::OK);
        assert!(asked.elapsed() < Duration::from_secs(1), "/healthz took {:?}", asked.elapsed());
        answered += 1;
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    (task.await.expect("the upload task"), answered)
}

async fn roster_upload(mut staff: Client, file_name: &'static str, bytes: Vec<u8>) -> Reply {
    upload(&mut staff, "10530", file_name, bytes).await
}

#[tokio::test(flavor = "current_thread")]
async fn hostile_files_are_refused_naming_the_limit_while_the_server_answers() {
    let app = TestApp::demo().await.reconfigured(|c| c.import_rows = 10_000);
    prepare(&app).await;
    let before = app.count("SELECT COUNT(*) FROM graduates").await;
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("dimensions.xls", hostile::xls_dimensions(), "数据超过 10000 行"),
        ("far.xlsx", hostile::xlsx_far_column(&HEADERS), "超出 Excel 的表格范围（1048576 行、16384 列）"),
        ("strings.xlsx", hostile::xlsx_shared_strings(&HEADERS, 10, 125_000_000), "不同的文字超过 2000000 条"),
        ("rows.xlsx", hostile::xlsx_rows(&HEADERS, 40_000), "数据超过 10000 行"),
        ("rows.csv", hostile::csv_blank_rows(&HEADERS, 20_000), "数据超过 10000 行"),
    ];
    for (name, bytes, limit) in cases {
        assert!(bytes.len() < 400 << 10, "{name} is small: {} bytes", bytes.len());
        let staff = app.login("staff").await;
        let (reply, _) = meanwhile(&app, roster_upload(staff, name, bytes)).await;
        assert_eq!(reply.status, StatusCode::OK, "{name}");
        assert!(reply.body.contains("文件超出导入上限") && reply.body.contains(limit), "{name}: {}", reply.body);
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM graduates").await, before, "nothing written");

    let mut english = app.login("staff").await;
    english.cookies.insert(kernel::web::LANG_COOKIE.to_owned(), "en".to_owned());
    let reply = upload(&mut english, "10530", "d.xls", hostile::xls_dimensions()).await;
    assert!(reply.body.contains("The file is over an import limit: more than 10000 data rows"), "{}", reply.body);
}

/// Every file a fuzzer crashed on (fuzz/regressions/): refused on the page
/// with the reason, never a 500, and nothing written.
#[tokio::test]
async fn files_that_crashed_a_fuzzer_are_refused_with_a_message() {
    let app = TestApp::demo().await;
    prepare(&app).await;
    let before = app.count("SELECT COUNT(*) FROM graduates").await;
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/regressions");
    for file in std::fs::read_dir(dir).unwrap().flatten() {
        let name = file.file_name().to_string_lossy().into_owned();
        let mut staff = app.login("staff").await;
        let reply = upload(&mut staff, "10530", &name, std::fs::read(file.path()).unwrap()).await;
        assert_eq!(reply.status, StatusCode::OK, "{name}");
        assert!(reply.body.contains("无法读取文件"), "{name}: {}", reply.body);
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM graduates").await, before, "nothing written");
}

/// The report a refused upload's page links to, its first sheet.
async fn report_of(staff: &mut Client, reply: &Reply) -> calamine::Range<calamine::Data> {
    let link = reply.body.split("id=\"report-link\" href=\"").nth(1).and_then(|s| s.split('"').next()).unwrap();
    let report = staff.get(&link.replace("&amp;", "&")).await;
    assert_eq!(report.status, StatusCode::OK);
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(report.bytes)).unwrap();
    book.worksheet_range_at(0).unwrap().unwrap()
}

fn cells_with(sheet: &calamine::Range<calamine::Data>, text: &str) -> Vec<String> {
    sheet.cells().map(|(_, _, c)| c.to_string()).filter(|c| c.contains(text)).collect()
}

#[tokio::test]
async fn a_million_bad_rows_list_the_first_thousand_errors_and_count_them_all() {
    let app = TestApp::demo().await.reconfigured(|c| c.import_rows = 2_000_000);
    prepare(&app).await;
    let mut staff = app.login("staff").await;
    // Each row has a student number and nothing else: 学号 passes, 姓名 and the rest are required.
    let bytes = hostile::csv_blank_rows(&HEADERS, 1_100_000);
    assert!(bytes.len() < 14 << 20);
    let reply = upload(&mut staff, "10530", "flood.csv", bytes).await;
    let total: usize = between(&reply.body, "error-count").parse().expect("an error count");
    assert!(total >= 1_100_000, "every bad row counted: {total}");
    assert!(reply.body.contains("错误报告列出前 1000 处"), "{}", reply.body);
    let sheet = report_of(&mut staff, &reply).await;
    let note = cells_with(&sheet, "这里列出前 1000 处");
    assert_eq!(note.len(), 1);
    assert!(note[0].starts_with(&format!("共 {total} 处错误，这里列出前 1000 处。")), "{note:?}");
    assert!(note[0].contains("超过 1048576 行的部分未写入（Excel 的上限）"), "{note:?}");
    let rows_with_errors =
        sheet.rows().filter(|r| r.get(HEADERS.len()).is_some_and(|c| c.to_string().contains("："))).count();
    assert!(rows_with_errors <= 1000 && rows_with_errors > 0, "{rows_with_errors}");
}

#[tokio::test]
async fn a_cell_longer_than_excel_holds_is_cut_in_the_report() {
    let app = TestApp::demo().await;
    prepare(&app).await;
    let mut rows: Vec<Vec<String>> = (1..=3).map(good_row).collect();
    rows[1][1] = "长".repeat(40_000);
    rows[1][8] = "000000".to_owned(); // a major not offered: the row is refused
    let mut staff = app.login("staff").await;
    let reply = upload(&mut staff, "10530", "long.csv", csv(&HEADERS, &rows).into_bytes()).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_ne!(between(&reply.body, "error-count"), "", "refused: {}", reply.body);
    let sheet = report_of(&mut staff, &reply).await;
    let name = sheet.get((2, 1)).map(|c| c.to_string()).unwrap_or_default();
    assert_eq!(name.chars().count(), 32_767, "cut to Excel's limit");
    assert!(name.ends_with('…'));
    assert_eq!(cells_with(&sheet, "已截断").len(), 1, "the note says so");
}

#[tokio::test(flavor = "current_thread")]
async fn a_large_batch_is_judged_while_the_server_answers() {
    let app = TestApp::demo().await;
    prepare(&app).await;
    // Student numbers no graduate has: every row is judged and refused.
    let mut csv = "学号,毕业去向类别代码\n".to_owned();
    for n in 0..150_000 {
        csv += &format!("X{n:07},10\n");
    }
    let mut staff = app.login("staff").await;
    let fields = [("institution", "10530"), ("cohort", "2022")];
    let batch =
        async move { staff.post_file("/outcomes/destinations/import", &fields, "batch.csv", csv.into_bytes()).await };
    let (reply, answered) = meanwhile(&app, batch).await;
    assert_eq!(between(&reply.body, "error-count"), "150000", "{}", reply.body);
    // Not proof of where every step ran, but reading and judging 150,000 rows on
    // this runtime's one worker would have held every answer until the end.
    assert!(answered >= 3, "/healthz answered {answered} times while the batch was judged");
}
