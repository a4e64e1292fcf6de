//! Outside lists (外部名单比对) and field visits (实地调研): a list matched by
//! ID number and by student number, its mismatches by kind and institution;
//! unmatched and invalid rows in the roster's error report with nothing
//! written; a university's own graduates only; visits recorded by the
//! province with documents and read by the institution.

use axum::http::StatusCode;

use crate::support::{Reply, TestApp};

/// A graduate of the demo's 2022 cohort as a list names it.
#[derive(Debug, Clone)]
struct Grad {
    id: i64,
    name: String,
    id_number: String,
    student_no: String,
    institution_id: i64,
    code: String,
    employer: String,
}

const SELECT: &str = "SELECT g.id, g.name, g.id_number, g.student_no, g.institution_id, i.code, d.employer_name \
     FROM graduates g JOIN institutions i ON i.id = g.institution_id LEFT JOIN destinations d ON d.graduate_id = g.id \
     WHERE g.cohort_year = 2022";

async fn graduates(app: &TestApp, filter: &str, institution: Option<i64>, n: i64) -> Vec<Grad> {
    let own = institution.map(|i| format!(" AND g.institution_id = {i}")).unwrap_or_default();
    let sql = format!("{SELECT} AND {filter}{own} ORDER BY g.id LIMIT {n}");
    let rows = app.db.fetch_all(&sql, &[]).await.unwrap();
    assert_eq!(rows.len() as i64, n, "the demo has {n} graduates where {filter}");
    rows.iter()
        .map(|r| Grad {
            id: r.i64("id").unwrap(),
            name: r.text("name").unwrap(),
            id_number: r.text("id_number").unwrap(),
            student_no: r.text("student_no").unwrap(),
            institution_id: r.i64("institution_id").unwrap(),
            code: r.text("code").unwrap(),
            employer: r.opt_text("employer_name").unwrap().unwrap_or_default(),
        })
        .collect()
}

/// Records the graduate's destination as its school would (an event and the record); `employer` kept on `g`.
async fn record(app: &TestApp, g: &mut Grad, category: &str, employer: Option<&str>) {
    let mut tx = app.db.begin().await.unwrap();
    let event = tx
        .insert_returning_id(
            "INSERT INTO destination_events (graduate_id, cohort_year, institution_id, at, actor_label, code_version, \
             category_code, employer_name) VALUES ($1, 2022, $2, '2022-06-01T02:00:00.000Z', 'staff', '2021', $3, $4)",
            &[g.id.into(), g.institution_id.into(), category.into(), employer.into()],
        )
        .await
        .unwrap();
    tx.execute(
        "INSERT INTO destinations (graduate_id, cohort_year, institution_id, last_event_id, category_code, employer_name, \
         updated_at) VALUES ($1, 2022, $2, $3, $4, $5, '2022-06-01T02:00:00.000Z')",
        &[g.id.into(), g.institution_id.into(), event.into(), category.into(), employer.into()],
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    g.employer = employer.unwrap_or_default().to_owned();
}

/// A labour contract at a named employer.
async fn contract(app: &TestApp, g: &mut Grad) {
    record(app, g, "11", Some("湖南湘江科技有限公司")).await;
}

/// Not placed: seeking work.
async fn seeking(app: &TestApp, g: &mut Grad) {
    record(app, g, "701", None).await;
}

const ANY: &str = "1 = 1";

const HEADER: &str = "姓名,身份证号,学号,院校代码,就业状态,单位名称\n";

/// A row naming the graduate by ID number.
fn by_id(g: &Grad, status: &str, employer: &str) -> String {
    format!("{},{},,,{status},{employer}\n", g.name, g.id_number)
}

/// A row naming the graduate by student number and institution code.
fn by_student_no(g: &Grad, status: &str, employer: &str) -> String {
    format!("{},,{},{},{status},{employer}\n", g.name, g.student_no, g.code)
}

async fn upload(client: &mut crate::support::Client, kind: &str, name: &str, csv: &str) -> Reply {
    let fields = [("kind", kind), ("cohort", "2022"), ("name", name)];
    client.post_file("/verification/lists", &fields, "名单.csv", csv.as_bytes().to_vec()).await
}

fn list_id(reply: &Reply) -> i64 {
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    let location = reply.location.as_deref().expect("redirect");
    location.trim_start_matches("/verification/lists/").parse().expect("list id")
}

async fn mismatches(app: &TestApp, list: i64, graduate: i64) -> Vec<String> {
    let sql = "SELECT kind FROM outside_list_mismatches WHERE list_id = $1 AND graduate_id = $2 ORDER BY kind";
    let rows = app.db.fetch_all(sql, &[list.into(), graduate.into()]).await.unwrap();
    rows.iter().map(|r| r.text("kind").unwrap()).collect()
}

#[tokio::test]
async fn a_list_is_matched_by_id_and_by_student_number_and_every_mismatch_is_shown() {
    let app = TestApp::demo().await;
    let mut all = graduates(&app, ANY, None, 5).await;
    for g in &mut all[..3] {
        contract(&app, g).await;
    }
    seeking(&app, &mut all[3]).await;
    let (placed, idle) = (all[..3].to_vec(), all[3..].to_vec());
    let csv = [
        HEADER.to_owned(),
        // Listed not employed, recorded placed: by ID number.
        by_id(&placed[0], "未就业", ""),
        // Listed employed, recorded not: by student number.
        by_student_no(&idle[0], "已就业", "长沙某某科技有限公司"),
        // Another employer than the record's.
        by_id(&placed[1], "已就业", "完全不同的单位有限公司"),
        // Clean: the same employer, employed.
        by_student_no(&placed[2], "已就业", &placed[2].employer),
        // Clean: not employed on both sides.
        by_id(&idle[1], "待就业", ""),
    ]
    .concat();
    let mut admin = app.login("admin").await;
    let list = list_id(&upload(&mut admin, "01", "学信网实名反馈 2022-09", &csv).await);
    assert_eq!(app.count("SELECT COUNT(*) FROM outside_list_rows").await, 5, "every row matched");
    assert_eq!(mismatches(&app, list, placed[0].id).await, ["listed_not_employed"]);
    assert_eq!(mismatches(&app, list, idle[0].id).await, ["listed_employed"]);
    assert_eq!(mismatches(&app, list, placed[1].id).await, ["employer_name"]);
    assert!(mismatches(&app, list, placed[2].id).await.is_empty());
    assert!(mismatches(&app, list, idle[1].id).await.is_empty());
    let audited = format!("SELECT COUNT(*) FROM audit_log WHERE entity = 'outside_list' AND entity_id = '{list}'");
    assert_eq!(app.count(&audited).await, 1);

    let page = admin.get(&format!("/verification/lists/{list}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("名单未就业，记录已就业") && page.body.contains("单位名称不一致"), "{}", page.body);
    assert!(page.body.contains(&format!("/outcomes/graduates/{}", placed[0].id)), "each links to the graduate");
    assert!(!page.body.contains(&placed[0].id_number), "the province reads ID numbers masked");
    assert!(page.body.contains(&kernel::mask::id_number(&placed[0].id_number)));
    // Filtered by kind.
    let only = admin.get(&format!("/verification/lists/{list}?kind=listed_employed")).await.body;
    assert!(only.contains(&format!("/outcomes/graduates/{}", idle[0].id)));
    assert!(!only.contains(&format!("/outcomes/graduates/{}\"", placed[0].id)), "{only}");
    let xlsx = admin.get(&format!("/verification/lists/{list}?format=xlsx")).await;
    assert_eq!(xlsx.status, StatusCode::OK);
    let mut book: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(xlsx.bytes)).unwrap();
    let sheet = calamine::Reader::worksheet_range_at(&mut book, 0).unwrap().unwrap();
    assert_eq!(sheet.rows().count(), 4, "a header and three mismatches");
    // Kept in Chinese, read in English too.
    let en = admin.get(&format!("/verification/lists/{list}?lang=en")).await.body;
    assert!(en.contains("Listed not employed, recorded placed") && en.contains("Labour contract"), "{en}");
    assert!(en.contains("<td>not employed</td>") && en.contains("no destination recorded") || en.contains("Seeking"));
}

#[tokio::test]
async fn a_contributions_list_finds_graduates_without_a_contract_type_destination() {
    let app = TestApp::demo().await;
    let mut all = graduates(&app, ANY, None, 3).await;
    record(&app, &mut all[0], "76", None).await;
    contract(&app, &mut all[1]).await;
    seeking(&app, &mut all[2]).await;
    let (flexible, placed, idle) = (vec![all[0].clone()], vec![all[1].clone()], vec![all[2].clone()]);
    let csv = ["姓名,身份证号,参保单位,参保\n".to_owned()]
        .into_iter()
        .chain([&flexible[0], &placed[0], &idle[0]].map(|g| format!("{},{},,是\n", g.name, g.id_number)))
        .collect::<String>();
    let mut admin = app.login("admin").await;
    let list = list_id(&upload(&mut admin, "03", "社保缴纳名单", &csv).await);
    assert_eq!(mismatches(&app, list, flexible[0].id).await, ["no_contract"]);
    assert!(mismatches(&app, list, placed[0].id).await.is_empty());
    assert_eq!(mismatches(&app, list, idle[0].id).await, ["listed_employed"]);
}

#[tokio::test]
async fn unmatched_and_invalid_rows_are_reported_with_row_column_and_reason_and_nothing_is_written() {
    let app = TestApp::demo().await;
    let mut placed = graduates(&app, ANY, None, 1).await;
    contract(&app, &mut placed[0]).await;
    let mut broken = placed[0].id_number.clone();
    let last = broken.pop().unwrap();
    broken.push(if last == '0' { '1' } else { '0' });
    let csv = [
        HEADER.to_owned(),
        by_id(&placed[0], "已就业", ""),
        // Row 3: a check digit that fails.
        format!("某甲,{broken},,,已就业,\n"),
        // Row 4: a valid number nobody in the cohort has.
        "某乙,11010519491231002X,,,已就业,\n".to_owned(),
        // Row 5: a student number at an institution that does not exist.
        "某丙,,20229999,99999,已就业,\n".to_owned(),
        // Row 6: a status nobody can read.
        format!("{},{},,,也许吧,\n", placed[0].name, placed[0].id_number),
    ]
    .concat();
    let mut admin = app.login("admin").await;
    let audit_before = app.count("SELECT COUNT(*) FROM audit_log WHERE entity = 'outside_list'").await;
    let reply = upload(&mut admin, "02", "统计局抽样", &csv).await;
    assert_eq!(reply.status, StatusCode::OK, "the form answers with its errors");
    let body = &reply.body;
    assert!(body.contains("id=\"error-count\">4<"), "{body}");
    assert!(body.contains("校验位错误") && body.contains("找不到这个身份证号的 2022 届毕业生"), "{body}");
    assert!(body.contains("找不到该院校这个学号") && body.contains("看不出是否就业"), "{body}");
    assert!(body.contains("<td class=\"num\">3</td><td>身份证号</td>"), "row and column named: {body}");
    assert_eq!(app.count("SELECT COUNT(*) FROM outside_lists").await, 0, "one transaction: nothing kept");
    assert_eq!(app.count("SELECT COUNT(*) FROM outside_list_rows").await, 0);
    let audit_after = app.count("SELECT COUNT(*) FROM audit_log WHERE entity = 'outside_list'").await;
    assert_eq!(audit_after, audit_before);

    let link = body.split("id=\"report-link\" href=\"").nth(1).and_then(|s| s.split('"').next()).unwrap().to_owned();
    let report = admin.get(&link).await;
    assert_eq!(report.status, StatusCode::OK);
    let mut book: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(report.bytes)).unwrap();
    let sheet = calamine::Reader::worksheet_range_at(&mut book, 0).unwrap().unwrap();
    let text: String = sheet.rows().flat_map(|r| r.iter().map(|c| format!("{c}|"))).collect();
    assert!(text.contains("校验位错误") && text.contains("找不到该院校这个学号"), "{text}");

    // A file that names no key column at all is refused as a whole.
    let reply = upload(&mut admin, "02", "统计局抽样", "姓名,就业状态\n张三,已就业\n").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.body.contains("缺少这一列"), "{}", reply.body);
    // The form's own fields are checked beside it.
    let reply = upload(&mut admin, "99", "", &csv).await;
    assert!(reply.body.contains("请选择名单类型和届别"), "{}", reply.body);
    assert_eq!(app.count("SELECT COUNT(*) FROM outside_lists").await, 0);
}

#[tokio::test]
async fn a_university_reads_only_its_own_graduates_mismatches() {
    let app = TestApp::demo().await;
    let mut first = graduates(&app, ANY, None, 1).await.remove(0);
    let mut other = graduates(&app, &format!("g.institution_id <> {}", first.institution_id), None, 1).await.remove(0);
    contract(&app, &mut first).await;
    contract(&app, &mut other).await;
    let csv = [HEADER.to_owned(), by_id(&first, "未就业", ""), by_id(&other, "未就业", "")].concat();
    let mut admin = app.login("admin").await;
    let list = list_id(&upload(&mut admin, "01", "学信网实名反馈", &csv).await);
    let page = format!("/verification/lists/{list}");
    assert!(admin.get(&page).await.body.contains(&format!("/outcomes/graduates/{}", other.id)));

    let mut staff = app.login(&format!("staff{}", first.code)).await;
    let seen = staff.get(&page).await;
    assert_eq!(seen.status, StatusCode::OK);
    assert!(seen.body.contains(&format!("/outcomes/graduates/{}", first.id)));
    assert!(!seen.body.contains(&format!("/outcomes/graduates/{}", other.id)), "not another university's");
    assert!(!seen.body.contains(&other.name) || other.name == first.name);
    let asked = staff.get(&format!("{page}?institution={}", other.institution_id)).await.body;
    assert!(!asked.contains(&format!("/outcomes/graduates/{}", other.id)), "a filter does not widen the scope");
    let xlsx = staff.get(&format!("{page}?format=xlsx")).await;
    let mut book: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(xlsx.bytes)).unwrap();
    let sheet = calamine::Reader::worksheet_range_at(&mut book, 0).unwrap().unwrap();
    assert_eq!(sheet.rows().count(), 2, "a header and its own graduate");

    // A university imports for its own graduates only; another's graduate is an error.
    let own_csv = [HEADER.to_owned(), by_student_no(&first, "未就业", "")].concat();
    let own = list_id(&upload(&mut staff, "01", "本校核对", &own_csv).await);
    let theirs = [HEADER.to_owned(), by_id(&other, "未就业", "")].concat();
    let refused = upload(&mut staff, "01", "他校", &theirs).await;
    assert!(refused.body.contains("不是本校毕业生"), "{}", refused.body);
    let mut stranger = app.login(&format!("staff{}", other.code)).await;
    assert_eq!(stranger.get(&format!("/verification/lists/{own}")).await.status, StatusCode::NOT_FOUND);
    assert!(!stranger.get("/verification/lists").await.body.contains("本校核对"));
    let mut graduate = app.login("graduate").await;
    assert_eq!(graduate.get(&page).await.status, StatusCode::FORBIDDEN);
}

const PDF: &[u8] = b"%PDF-1.4\n% visit\nstartxref\n0\n%%EOF\n";

#[tokio::test]
async fn the_province_records_a_field_visit_with_documents_and_the_institution_reads_it() {
    let app = TestApp::demo().await;
    let xtu = app.id("SELECT id FROM institutions WHERE code = '10530'").await;
    let mut admin = app.login("admin").await;
    // Refused beside the form, nothing kept.
    let empty = admin.post_file("/verification/visits", &[("kind", "01")], "", Vec::new()).await;
    assert_eq!(empty.status, StatusCode::OK, "{}", empty.body);
    assert!(empty.body.contains("请选择高校") && empty.body.contains("请填写调研发现"), "{}", empty.body);
    assert_eq!(app.count("SELECT COUNT(*) FROM field_visits").await, 0);

    let xtu_text = xtu.to_string();
    let fields = [
        ("kind", "02"),
        ("institution", xtu_text.as_str()),
        ("visited_on", "2022-09-10"),
        ("people", "省厅就业处 张处长；学校就业办 王老师"),
        ("findings", "座谈 12 名毕业生，其中 3 人的单位与登记不符。"),
    ];
    let saved = admin.post_file("/verification/visits", &fields, "座谈纪要.pdf", PDF.to_vec()).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let visit = app.id("SELECT MAX(id) FROM field_visits").await;
    let page = format!("/verification/visits/{visit}");
    let more = admin.post_file(&format!("{page}/documents"), &[], "照片.pdf", PDF.to_vec()).await;
    assert_eq!(more.status, StatusCode::SEE_OTHER);
    assert_eq!(app.count("SELECT COUNT(*) FROM field_visit_documents").await, 2);
    let audited = format!("SELECT COUNT(*) FROM audit_log WHERE entity = 'field_visit' AND entity_id = '{visit}'");
    assert_eq!(app.count(&audited).await, 3, "the visit and each document");

    let mut staff = app.login("staff").await;
    let listed = staff.get("/verification/visits").await.body;
    assert!(listed.contains(&format!("/verification/visits/{visit}")) && !listed.contains("visit-form"));
    let shown = staff.get(&page).await.body;
    assert!(shown.contains("单位与登记不符") && shown.contains("座谈纪要.pdf") && !shown.contains("document-form"));
    let document = app.id("SELECT MIN(id) FROM field_visit_documents").await;
    assert_eq!(staff.get(&format!("/verification/visit-documents/{document}")).await.status, StatusCode::OK);
    let filtered = admin.get("/verification/visits?kind=01").await.body;
    assert!(!filtered.contains(&format!("/verification/visits/{visit}\"")), "filtered by kind");

    let other = app.db.fetch_one("SELECT code FROM institutions WHERE code <> '10530' ORDER BY id", &[]).await.unwrap();
    let mut stranger = app.login(&format!("staff{}", other.text("code").unwrap())).await;
    assert_eq!(stranger.get(&page).await.status, StatusCode::NOT_FOUND);
    assert_eq!(stranger.get(&format!("/verification/visit-documents/{document}")).await.status, StatusCode::NOT_FOUND);
    assert!(!stranger.get("/verification/visits").await.body.contains(&format!("/verification/visits/{visit}\"")));
    let tried = staff.post_file(&format!("{page}/documents"), &[], "x.pdf", PDF.to_vec()).await;
    assert_eq!(tried.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_province_uploads_a_list_and_records_a_visit_in_a_browser() {
    use crate::browser::{attach, click, fill, log_in, nav, pick, serve, start_browser, text};
    let Some((_driver, c)) = start_browser().await else { return };
    let app = TestApp::demo().await;
    let mut placed = graduates(&app, ANY, None, 1).await.remove(0);
    contract(&app, &mut placed).await;
    let csv = [HEADER.to_owned(), by_id(&placed, "未就业", "")].concat();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("学信网反馈.csv");
    std::fs::write(&path, csv).unwrap();
    let base = serve(&app).await;
    log_in(&c, &base, "admin", crate::support::PASSWORD).await;
    nav(&c, "/verification/lists").await;
    pick(&c, "#kind option[value='01']").await;
    fill(&c, "#name", "学信网实名反馈 9 月").await;
    attach(&c, "#file", &path).await;
    click(&c, "#import-list").await;
    assert!(text(&c, ".flash").await.contains("发现 1 处不一致"));
    assert!(text(&c, "#mismatches").await.contains("名单未就业，记录已就业"));
    assert_eq!(text(&c, "#mismatch-count").await, "1");

    let pdf = dir.path().join("纪要.pdf");
    std::fs::write(&pdf, PDF).unwrap();
    nav(&c, "/verification/visits").await;
    pick(&c, &format!("#visit-institution option[value='{}']", placed.institution_id)).await;
    fill(&c, "#people", "省厅就业处 张处长").await;
    fill(&c, "#findings", "实地抽查，去向登记基本属实。").await;
    attach(&c, "#file", &pdf).await;
    click(&c, "#save-visit").await;
    assert!(text(&c, ".flash").await.contains("调研记录已保存"));
    assert!(text(&c, "#visit-documents").await.contains("纪要.pdf"));
    c.close().await.ok();
}

/// An .xlsx as an office sends it: a title row above English headers.
fn xlsx(rows: &[Vec<String>], id_as_number: Option<(u32, f64)>) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.write_string(0, 0, "2022 届个税名单（税务局提供）").unwrap();
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            sheet.write_string(r as u32 + 1, c as u16, cell).unwrap();
        }
    }
    if let Some((row, number)) = id_as_number {
        sheet.write_number(row, 1, number).unwrap();
    }
    book.save_to_buffer().unwrap()
}

#[tokio::test]
async fn an_xlsx_list_with_english_headers_is_read_and_an_id_number_typed_as_a_number_refused() {
    let app = TestApp::demo().await;
    let mut all = graduates(&app, ANY, None, 2).await;
    record(&app, &mut all[0], "75", None).await;
    contract(&app, &mut all[1]).await;
    let header = ["Name", "ID number", "Student No", "Institution", "Employer", "Paid"].map(str::to_owned).to_vec();
    let row =
        |g: &Grad| vec![g.name.clone(), String::new(), g.student_no.clone(), g.code.clone(), String::new(), "Y".into()];
    let file = xlsx(&[header.clone(), row(&all[0]), row(&all[1])], None);
    let mut admin = app.login("admin").await;
    let fields = [("kind", "04"), ("cohort", "2022"), ("name", "个税名单")];
    let reply = admin.post_file("/verification/lists", &fields, "个税.xlsx", file).await;
    let location = reply.location.clone().unwrap_or_default();
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    let list: i64 = location.trim_start_matches("/verification/lists/").parse().unwrap();
    assert_eq!(mismatches(&app, list, all[0].id).await, ["no_contract"], "self-employed but paying income tax");
    assert!(mismatches(&app, list, all[1].id).await.is_empty());

    // An ID number typed as a number has lost its last digits: refused, nothing kept.
    let with_id = vec![all[1].name.clone(), String::new(), String::new(), String::new(), String::new(), "Y".into()];
    let file = xlsx(&[header, with_id], Some((2, 430_102_199_901_011_234.0)));
    let reply = admin.post_file("/verification/lists", &fields, "个税2.xlsx", file).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.body.contains("数字格式"), "{}", reply.body);
    assert_eq!(app.count("SELECT COUNT(*) FROM outside_lists").await, 1);
}

/// A finding of the scan at the institution, as the scan would record it.
async fn finding_at(app: &TestApp, institution: i64) -> i64 {
    let mut tx = app.db.begin().await.unwrap();
    let scan = kernel::Record::new().set("cohort", 2022).set("started_at", "2022-09-01T00:00:00Z").set("signals", 1);
    let scan = tx.insert_id("verification_scans", scan).await.unwrap();
    let finding = kernel::Record::new()
        .set("cohort", 2022)
        .set("institution_id", institution)
        .set("kind", "employer_cluster")
        .set("severity", "high")
        .set("figures", "{}")
        .set("graduates", "[]")
        .set("fingerprint", "x")
        .set("status", "open")
        .set("first_seen", "2022-09-01T00:00:00Z")
        .set("scan_id", scan);
    let finding = tx.insert_id("verification_findings", finding).await.unwrap();
    tx.commit().await.unwrap();
    finding
}

#[tokio::test]
async fn a_visit_about_a_finding_is_opened_from_it_and_listed_on_it() {
    let app = TestApp::demo().await;
    let xtu = app.id("SELECT id FROM institutions WHERE code = '10530'").await;
    let hnu = app.id("SELECT id FROM institutions WHERE code = '10532'").await;
    let finding = finding_at(&app, xtu).await;
    let mut admin = app.login("admin").await;
    let page = admin.get(&format!("/verification/findings/{finding}")).await.body;
    assert!(page.contains(&format!("/verification/visits?finding={finding}")), "{page}");
    let form = admin.get(&format!("/verification/visits?finding={finding}")).await.body;
    assert!(form.contains(&format!("name=\"finding\" inputmode=\"numeric\" value=\"{finding}\"")), "{form}");
    assert!(form.contains(&format!("<option value=\"{xtu}\" selected>")), "the finding's institution chosen");

    let (finding_text, hnu_text, xtu_text) = (finding.to_string(), hnu.to_string(), xtu.to_string());
    let mut fields = vec![
        ("kind", "01"),
        ("institution", hnu_text.as_str()),
        ("finding", finding_text.as_str()),
        ("visited_on", "2022-09-12"),
        ("people", "省厅就业处"),
        ("findings", "核实扎堆单位的用工情况。"),
    ];
    let wrong = admin.post_file("/verification/visits", &fields, "", Vec::new()).await;
    assert!(wrong.body.contains("没有这所高校的这条核查线索"), "{}", wrong.body);
    fields[1].1 = xtu_text.as_str();
    let saved = admin.post_file("/verification/visits", &fields, "", Vec::new()).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let visit = app.id("SELECT MAX(id) FROM field_visits").await;
    let mut staff = app.login("staff").await;
    let seen = staff.get(&format!("/verification/findings/{finding}")).await.body;
    assert!(seen.contains(&format!("/verification/visits/{visit}")) && !seen.contains("record-visit"), "{seen}");
}
