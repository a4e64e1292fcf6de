//! Roster import: every error before anything is written, all-or-nothing,
//! GBK CSV, .xls, re-import as update, size limits and scopes.

use axum::http::StatusCode;
use kernel::validate::id_card_check_char;

use crate::support::{Client, TestApp};

pub const HEADERS: [&str; 12] = [
    "学号",
    "姓名",
    "性别",
    "身份证号",
    "生源地代码",
    "民族名称",
    "政治面貌",
    "城乡生源",
    "专业代码",
    "学历层次",
    "院系",
    "手机号",
];

/// A valid ID number for a region, birth day and sequence (odd = male).
pub fn id_number(region: &str, birth: &str, seq: u32) -> String {
    let body = format!("{region}{birth}{seq:03}");
    format!("{body}{}", id_card_check_char(&body).unwrap())
}

/// A good row for student `n` of the test college.
pub fn good_row(n: u32) -> Vec<String> {
    let male = n % 2 == 1;
    let seq = n % 500 * 2 + u32::from(male);
    vec![
        format!("T{n:06}"),
        format!("测试{n}"),
        (if male { "男" } else { "女" }).to_owned(),
        id_number("430104", "20000101", seq),
        "430104".to_owned(),
        "汉族".to_owned(),
        "共青团员".to_owned(),
        "城镇".to_owned(),
        "080901".to_owned(),
        "本科生毕业".to_owned(),
        "测试学院".to_owned(),
        format!("139{n:08}"),
    ]
}

/// XTU gets a 测试学院 offering 080901 at 本科; returns XTU's id.
pub async fn prepare(app: &TestApp) -> i64 {
    let xtu = app.id("SELECT id FROM institutions WHERE code = '10530'").await;
    let mut tx = app.db.begin().await.unwrap();
    let college = tx
        .insert_returning_id(
            "INSERT INTO colleges (institution_id, code, name) VALUES ($1, '90', '测试学院')",
            &[xtu.into()],
        )
        .await
        .unwrap();
    tx.execute(
        "INSERT INTO majors (institution_id, college_id, catalogue, code, name, level) VALUES ($1, $2, 'undergraduate_2020', '080901', '计算机科学与技术', '本科')",
        &[xtu.into(), college.into()],
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    xtu
}

pub fn xlsx(headers: &[&str], rows: &[Vec<String>]) -> Vec<u8> {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    for (c, h) in headers.iter().enumerate() {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            sheet.write_string(r as u32 + 1, c as u16, v).unwrap();
        }
    }
    workbook.save_to_buffer().unwrap()
}

pub fn csv(headers: &[&str], rows: &[Vec<String>]) -> String {
    let mut out = headers.join(",") + "\r\n";
    for row in rows {
        out += &(row.join(",") + "\r\n");
    }
    out
}

/// Posts a destinations batch for 湘潭大学.
pub async fn batch_upload(client: &mut Client, bytes: Vec<u8>) -> crate::support::Reply {
    post_file(client, "/outcomes/destinations/import", "10530", "batch.xlsx", bytes).await
}

/// Posts the roster upload form as a browser would (multipart).
pub async fn upload(client: &mut Client, institution: &str, file_name: &str, bytes: Vec<u8>) -> crate::support::Reply {
    post_file(client, "/outcomes/roster", institution, file_name, bytes).await
}

async fn post_file(
    client: &mut Client,
    path: &str,
    institution: &str,
    file_name: &str,
    bytes: Vec<u8>,
) -> crate::support::Reply {
    client.post_file(path, &[("institution", institution), ("cohort", "2022")], file_name, bytes).await
}

pub fn between<'a>(body: &'a str, id: &str) -> &'a str {
    body.split(&format!("id=\"{id}\">")).nth(1).and_then(|s| s.split('<').next()).unwrap_or("")
}

#[tokio::test]
async fn a_good_roster_imports_and_a_second_upload_updates() {
    let app = TestApp::demo().await;
    let xtu = prepare(&app).await;
    let rows: Vec<Vec<String>> = (1..=40).map(good_row).collect();
    let mut staff = app.login("staff").await;
    let reply = upload(&mut staff, "10530", "roster.xlsx", xlsx(&HEADERS, &rows)).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(between(&reply.body, "new-rows"), "40", "{}", reply.body);
    assert_eq!(
        app.count(&format!("SELECT COUNT(*) FROM graduates WHERE institution_id = {xtu} AND student_no LIKE 'T%'"))
            .await,
        40
    );
    let stored = app
        .db
        .fetch_one("SELECT gender, birth_date, phone FROM graduates WHERE student_no = 'T000001'", &[])
        .await
        .unwrap();
    assert_eq!(stored.text("birth_date").unwrap(), "2000-01-01");
    assert_eq!(stored.text("gender").unwrap(), "男");

    let mut changed = rows.clone();
    changed[4][1] = "改名后".to_owned();
    let reply = upload(&mut staff, "10530", "roster.xlsx", xlsx(&HEADERS, &changed)).await;
    assert_eq!(between(&reply.body, "new-rows"), "0");
    assert_eq!(between(&reply.body, "updated-rows"), "1");
    assert_eq!(between(&reply.body, "unchanged-rows"), "39");
    assert_eq!(app.count("SELECT COUNT(*) FROM graduates WHERE name = '改名后'").await, 1);
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log WHERE entity = 'roster'").await, 2);
}

#[tokio::test]
async fn every_bad_row_is_reported_and_nothing_is_written() {
    let app = TestApp::demo().await;
    prepare(&app).await;
    let mut rows: Vec<Vec<String>> = (1..=12).map(good_row).collect();
    rows[0][3] = format!("{}0", &rows[0][3][..17]); // check digit
    if rows[0][3] == good_row(1)[3] {
        rows[0][3] = format!("{}1", &rows[0][3][..17]);
    }
    rows[1][2] = "男".to_owned(); // sex differs from the ID number (row 3 is female)
    rows[2][0] = String::new(); // required
    rows[3][5] = "火星族".to_owned(); // not in the code table
    rows[4][8] = "999999".to_owned(); // major not offered
    rows[5][4] = "999999".to_owned(); // unknown region
    rows[6][0] = rows[7][0].clone(); // duplicate student number in the file
    rows[8][11] = "12345".to_owned(); // bad phone
    rows[9][6] = "宇航员".to_owned(); // political status
    rows[10][3] = "４３０１０４２０００ｏ１０１０２１Ｘ".to_owned(); // garbage even after normalising
                                                                     // Full-width and a trailing space are fine once normalised.
    rows[11][3] =
        format!(" {}", rows[11][3].chars().map(|c| char::from_u32(c as u32 + 0xFEE0).unwrap_or(c)).collect::<String>());
    let before = app.count("SELECT COUNT(*) FROM graduates").await;
    let mut staff = app.login("staff").await;
    let reply = upload(&mut staff, "10530", "bad.xlsx", xlsx(&HEADERS, &rows)).await;
    assert_eq!(app.count("SELECT COUNT(*) FROM graduates").await, before, "nothing written");
    let body = &reply.body;
    for expected in [
        "校验位错误",
        "与身份证号的性别不一致",
        "必填项为空",
        "不在代码表中",
        "本校没有开设该层次的这个专业",
        "与第 8 行重复",
        "长度不正确",
        "含有不允许的字符",
    ] {
        assert!(body.contains(expected), "missing {expected}");
    }
    assert!(!body.contains(">13<"), "row 13 (full-width ID) is fine");
    assert_eq!(between(body, "error-count"), "10", "{body}");

    // The report: original rows plus an error column.
    let link = body.split("id=\"report-link\" href=\"").nth(1).and_then(|s| s.split('"').next()).unwrap().to_owned();
    let report = staff.get(&link).await;
    assert_eq!(report.status, StatusCode::OK);
    let other = &mut app.login("staff10532").await;
    assert_eq!(
        other.get(&link).await.status,
        StatusCode::FORBIDDEN,
        "another institution's staff cannot fetch the report"
    );
}

#[tokio::test]
async fn the_page_can_follow_how_far_an_import_has_come() {
    let app = TestApp::demo().await;
    prepare(&app).await;
    let rows: Vec<Vec<String>> = (1..=30).map(good_row).collect();
    let token = "0f1e2d3c4b5a69788796a5b4c3d2e1f0";
    let mut staff = app.login("staff").await;
    let fields = [("institution", "10530"), ("cohort", "2022"), ("progress", token)];
    let reply = staff.post_file("/outcomes/roster", &fields, "r.xlsx", xlsx(&HEADERS, &rows)).await;
    assert_eq!(between(&reply.body, "new-rows"), "30", "{}", reply.body);
    let progress = staff.get(&format!("/progress/{token}")).await;
    assert_eq!(progress.status, StatusCode::OK);
    let done: serde_json::Value = serde_json::from_str(&progress.body).unwrap();
    assert_eq!(done["done"], 30);
    assert_eq!(done["total"], 30, "the sheet's own row count");
    // No other account reads it, whatever its role; an unknown token is not found.
    for role in ["staff10532", "college", "admin", "employer", "graduate", "expert"] {
        let mut other = app.login(role).await;
        assert_eq!(other.get(&format!("/progress/{token}")).await.status, StatusCode::NOT_FOUND, "{role}");
    }
    let anonymous = app.client().get(&format!("/progress/{token}")).await;
    assert_eq!(anonymous.status, StatusCode::SEE_OTHER, "anonymous visitors are sent to log in");
    assert!(anonymous.location.unwrap_or_default().starts_with("/login"));
    assert_eq!(staff.get("/progress/ffffffffffffffffffffffffffffffff").await.status, StatusCode::NOT_FOUND);
}

/// Rows 1..=n with ID numbers unique beyond good_row's 500.
pub fn many_rows(n: u32) -> Vec<Vec<String>> {
    (1..=n)
        .map(|i| {
            let mut row = good_row(i);
            row[3] = id_number("430104", &format!("200001{:02}", i / 500 + 1), i % 500 * 2 + i % 2);
            row
        })
        .collect()
}

#[tokio::test]
async fn an_id_number_another_graduate_holds_refuses_the_file_in_any_batch() {
    let app = TestApp::demo().await;
    prepare(&app).await;
    let held = app
        .db
        .fetch_one(
            "SELECT g.id_number FROM graduates g JOIN institutions i ON i.id = g.institution_id \
             WHERE i.code = '10532' AND g.cohort_year = 2022 ORDER BY g.id LIMIT 1",
            &[],
        )
        .await
        .unwrap()
        .text("id_number")
        .unwrap();
    let male = (held.as_bytes()[16] - b'0') % 2 == 1;
    // Line 1052 is in the second batch of a thousand, after the first was written.
    let mut rows = many_rows(1100);
    rows[1050][3] = held;
    rows[1050][2] = (if male { "男" } else { "女" }).to_owned();
    let before = app.count("SELECT COUNT(*) FROM graduates").await;
    let mut staff = app.login("staff").await;
    let reply = upload(&mut staff, "10530", "big.xlsx", xlsx(&HEADERS, &rows)).await;
    assert_eq!(between(&reply.body, "error-count"), "1", "{}", reply.body);
    assert!(reply.body.contains("已登记为本届其他毕业生"));
    assert!(reply.body.contains(">1052<"), "the line is named");
    assert_eq!(app.count("SELECT COUNT(*) FROM graduates").await, before, "the first batch is rolled back");

    // With an error in the first batch nothing is written, and the held number is still found.
    rows[2][8] = "999999".to_owned();
    let reply = upload(&mut staff, "10530", "big.xlsx", xlsx(&HEADERS, &rows)).await;
    assert_eq!(between(&reply.body, "error-count"), "2", "{}", reply.body);
    assert!(reply.body.contains("已登记为本届其他毕业生") && reply.body.contains("本校没有开设"));
    assert_eq!(app.count("SELECT COUNT(*) FROM graduates").await, before);

    // Without them the 1,100 rows go in, and again unchanged.
    let rows = many_rows(1100);
    let reply = upload(&mut staff, "10530", "big.xlsx", xlsx(&HEADERS, &rows)).await;
    assert_eq!(between(&reply.body, "new-rows"), "1100", "{}", reply.body);
    let reply = upload(&mut staff, "10530", "big.xlsx", xlsx(&HEADERS, &rows)).await;
    assert_eq!(between(&reply.body, "unchanged-rows"), "1100", "{}", reply.body);
}

#[tokio::test]
async fn gbk_csv_xls_and_the_command_line() {
    let app = TestApp::demo().await;
    prepare(&app).await;
    let rows: Vec<Vec<String>> = (100..=104).map(good_row).collect();
    let text = csv(&HEADERS, &rows);
    let (gbk, _, _) = encoding_rs::GBK.encode(&text);
    let mut staff = app.login("staff").await;
    let reply = upload(&mut staff, "10530", "gbk.csv", gbk.into_owned()).await;
    assert_eq!(between(&reply.body, "new-rows"), "5", "{}", reply.body);

    let xls = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/roster.xls")).unwrap();
    let reply = upload(&mut staff, "10530", "roster.xls", xls).await;
    assert_eq!(between(&reply.body, "new-rows"), "2", "{}", reply.body);
    assert_eq!(app.count("SELECT COUNT(*) FROM graduates WHERE name = '欧阳娜' AND ethnicity_code = '01'").await, 1);

    let dir = tempfile::tempdir().unwrap();
    let mut bad = (200..=202).map(good_row).collect::<Vec<_>>();
    bad[1][8] = "000000".to_owned();
    let file = dir.path().join("bad.csv");
    std::fs::write(&file, csv(&HEADERS, &bad)).unwrap();
    let report = dir.path().join("errors.xlsx");
    let url = app.config.database_url.clone().unwrap();
    let args = [
        "jiuye",
        "--database-url",
        &url,
        "import",
        "roster",
        file.to_str().unwrap(),
        "--institution",
        "10530",
        "--report",
        report.to_str().unwrap(),
    ];
    let err = jiuye::cli::run(<jiuye::cli::Cli as clap::Parser>::parse_from(args)).await.unwrap_err();
    assert!(err.to_string().contains("1 errors"), "{err}");
    let mut book: calamine::Xlsx<_> = calamine::open_workbook(&report).unwrap();
    let sheet = calamine::Reader::worksheet_range_at(&mut book, 0).unwrap().unwrap();
    let error_cell = sheet.get((2, HEADERS.len())).map(|c| c.to_string()).unwrap_or_default();
    assert!(error_cell.contains("专业代码"), "{error_cell}");
    assert_eq!(sheet.get((2, 3)).map(|c| c.to_string()), Some(bad[1][3].clone()), "ID numbers stay text");
    std::fs::write(&file, csv(&HEADERS, &bad[..1])).unwrap();
    let args = ["jiuye", "--database-url", &url, "import", "roster", file.to_str().unwrap(), "--institution", "10530"];
    jiuye::cli::run(<jiuye::cli::Cli as clap::Parser>::parse_from(args)).await.unwrap();
}

#[tokio::test]
async fn oversized_uploads_and_scopes() {
    let app = TestApp::demo().await;
    let xtu = prepare(&app).await;
    let mut staff = app.login("staff").await;
    let reply = upload(&mut staff, "10530", "huge.csv", vec![b'a'; roster_limit() + 1024 * 1024]).await;
    assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(reply.body.contains("超过了允许的大小"));

    // Staff cannot aim an import at another institution: it lands in their own or not at all.
    let rows: Vec<Vec<String>> = (300..=301).map(good_row).collect();
    let reply = upload(&mut staff, "10532", "r.xlsx", xlsx(&HEADERS, &rows)).await;
    assert_eq!(between(&reply.body, "new-rows"), "2");
    let hnu = app.id("SELECT id FROM institutions WHERE code = '10532'").await;
    assert_eq!(
        app.count(&format!("SELECT COUNT(*) FROM graduates WHERE institution_id = {hnu} AND student_no LIKE 'T%'"))
            .await,
        0
    );
    assert_eq!(
        app.count(&format!("SELECT COUNT(*) FROM graduates WHERE institution_id = {xtu} AND student_no LIKE 'T%'"))
            .await,
        2
    );

    // HNU's staff importing the same people are told the ID numbers are taken.
    let mut hnu_staff = app.login("staff10532").await;
    let reply = upload(&mut hnu_staff, "10532", "r.xlsx", xlsx(&HEADERS, &rows)).await;
    assert!(reply.body.contains("本校没有开设") || reply.body.contains("已登记为本届其他毕业生"));
    assert_eq!(
        app.count(&format!("SELECT COUNT(*) FROM graduates WHERE institution_id = {hnu} AND student_no LIKE 'T%'"))
            .await,
        0
    );

    for role in ["college", "employer", "graduate", "expert"] {
        let mut c = app.login(role).await;
        assert_eq!(c.get("/outcomes/roster").await.status, StatusCode::FORBIDDEN, "{role}");
        assert_eq!(
            upload(&mut c, "10530", "r.xlsx", xlsx(&HEADERS, &rows)).await.status,
            StatusCode::FORBIDDEN,
            "{role}"
        );
    }
}

fn roster_limit() -> usize {
    outcomes::roster::MAX_UPLOAD
}

#[tokio::test]
async fn a_roster_imported_today_leaves_every_past_day_as_it_was() {
    let app = TestApp::demo().await;
    prepare(&app).await;
    let mut admin = app.login("admin").await;
    let past = [
        "/outcomes/placement?as_of=2022-08-31",
        "/outcomes/placement?as_of=2022-08-31&by=level",
        "/outcomes/placement?as_of=2022-08-31&by=college&institution=",
        "/outcomes/reports?period=weekly&date=2022-08-31",
        "/outcomes/dashboard?date=2022-08-31",
    ];
    let xtu = app.id("SELECT id FROM institutions WHERE code = '10530'").await;
    let figures = |body: &str| {
        ["total-graduates", "total-placed", "report-rate", "report-placed", "placed-today"]
            .map(|id| between(body, id).to_owned())
            .join(" ")
    };
    let mut before = Vec::new();
    for page in past {
        let page = if page.ends_with('=') { format!("{page}{xtu}") } else { page.to_owned() };
        before.push((figures(&admin.get(&page).await.body), page));
    }
    let today = format!("/outcomes/placement?as_of={}", kernel::time::today_china());
    let graduates_today = |body: &str| between(body, "total-graduates").replace(',', "").parse::<u64>().unwrap();
    let held_before = graduates_today(&admin.get(&today).await.body);

    let rows: Vec<Vec<String>> = (1..=40).map(good_row).collect();
    let mut staff = app.login("staff").await;
    let reply = upload(&mut staff, "10530", "roster.xlsx", xlsx(&HEADERS, &rows)).await;
    assert_eq!(between(&reply.body, "new-rows"), "40", "{}", reply.body);

    for (figures_before, page) in &before {
        assert_eq!(&figures(&admin.get(page).await.body), figures_before, "{page} moved");
    }
    // Today counts them: the projection took the 40 new graduates.
    assert_eq!(graduates_today(&admin.get(&today).await.body), held_before + 40);
    // Graduates whose records change move with them in the figures.
    let rural = |body: &str| -> u64 {
        let after = body.split("农村</td><td class=\"num\">").nth(1).unwrap_or("0<");
        after.split('<').next().unwrap_or("0").replace(',', "").parse().unwrap_or(0)
    };
    let by_origin = format!("{today}&by=urban_rural");
    let rural_before = rural(&admin.get(&by_origin).await.body);
    let changed: Vec<Vec<String>> = rows
        .iter()
        .cloned()
        .map(|mut row| {
            row[7] = "农村".to_owned();
            row
        })
        .collect();
    let reply = upload(&mut staff, "10530", "roster.xlsx", xlsx(&HEADERS, &changed)).await;
    assert_eq!(between(&reply.body, "updated-rows"), "40", "{}", reply.body);
    assert_eq!(rural(&admin.get(&by_origin).await.body), rural_before + 40);
    assert_eq!(graduates_today(&admin.get(&today).await.body), held_before + 40);
}
