//! Archive transfer (issue 16, measure 24): receivers proposed from the
//! destinations and confirmed singly and in bulk, batches sealed, dispatched
//! from an imported tracking sheet (all rows or none, errors by row and
//! column), received or returned with a reason; the public check answers a
//! match or the same "no match"; each office sees its own institution and a
//! graduate only itself; both engines; a browser journey on a phone.

use axum::http::StatusCode;

use crate::support::{Client, TestApp};

async fn audited(app: &TestApp, entity: &str, action: &str) -> i64 {
    assert!(registry::audit_names::knows(entity, action), "{entity} {action} named");
    app.count(&format!("SELECT COUNT(*) FROM audit_log WHERE entity = '{entity}' AND action = '{action}'")).await
}

/// Runs one statement in its own transaction.
async fn exec(app: &TestApp, sql: &str) {
    let mut tx = app.db.begin().await.expect("begin");
    tx.execute(sql, &[]).await.expect("statement");
    tx.commit().await.expect("commit");
}

/// The demo's transfers set aside, so a test starts from none.
async fn without_transfers(app: &TestApp) {
    for table in ["archive_steps", "archive_transfers", "archive_batches"] {
        exec(app, &format!("DELETE FROM {table}")).await;
    }
}

async fn xtu(app: &TestApp) -> i64 {
    app.id("SELECT id FROM institutions WHERE code = '10530'").await
}

/// Proposes receivers as the office does; the first `n` transfers of its
/// institution then given a proposal (the test demo records no destinations,
/// so the page proposes none: the rule itself is tested in `archives::rules`).
async fn proposed(app: &TestApp, staff: &mut Client, n: usize) -> Vec<i64> {
    let reply = staff.post("/archives/propose", &[("institution", "")]).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    let inst = xtu(app).await;
    let rows = app
        .db
        .fetch_all(&format!("SELECT id FROM archive_transfers WHERE institution_id = {inst} ORDER BY id"), &[])
        .await
        .expect("transfers");
    let ids: Vec<i64> = rows.iter().map(|r| r.i64("id").expect("id")).take(n).collect();
    assert_eq!(ids.len(), n, "enough graduates at 湘潭大学");
    let centre = app.id("SELECT id FROM archive_centres WHERE region_code = '430300'").await;
    for id in &ids {
        exec(
            app,
            &format!(
                "UPDATE archive_transfers SET proposed_kind = 'centre', proposed_name = '湘潭市人才交流服务中心', \
                     proposed_centre_id = {centre}, problem = NULL WHERE id = {id}"
            ),
        )
        .await;
    }
    ids
}

fn field(app_sql_row: &kernel::Row, c: &str) -> String {
    app_sql_row.text(c).expect("text")
}

async fn one(app: &TestApp, sql: &str) -> kernel::Row {
    app.db.fetch_one(sql, &[]).await.expect("row")
}

fn sheet(rows: &[[&str; 3]]) -> Vec<u8> {
    let rows: Vec<Vec<String>> = rows.iter().map(|r| r.iter().map(|s| s.to_string()).collect()).collect();
    crate::roster::xlsx(&["学号", "寄送方式", "邮件号"], &rows)
}

#[tokio::test]
async fn a_transfer_goes_from_proposal_to_receipt_and_a_return_goes_back() {
    let app = TestApp::demo().await;
    without_transfers(&app).await;
    let mut staff = app.login("staff").await;
    let inst = xtu(&app).await;
    let ids = proposed(&app, &mut staff, 3).await;
    let graduates = app
        .count(&format!("SELECT COUNT(*) FROM graduates WHERE institution_id = {inst} AND cohort_year = 2022"))
        .await;
    let opened = app.count(&format!("SELECT COUNT(*) FROM archive_transfers WHERE institution_id = {inst}")).await;
    assert_eq!(opened, graduates, "every graduate has a transfer");
    assert_eq!(app.count("SELECT COUNT(*) FROM archive_transfers t JOIN institutions i ON i.id = t.institution_id WHERE i.code <> '10530'").await, 0);
    // Transfer numbers are unique and check themselves.
    let number = field(
        &one(&app, &format!("SELECT transfer_no FROM archive_transfers WHERE id = {}", ids[0])).await,
        "transfer_no",
    );
    assert_eq!(archives::rules::normalise_transfer_no(&number), Some(number.clone()));

    // No seal or dispatch before a receiver is confirmed.
    let page = staff
        .post(&format!("/archives/items/{}/dispatch", ids[0]), &[("channel", "ems"), ("tracking_no", "EA123456789CN")])
        .await;
    assert!(page.body.contains("不能跳过步骤"), "{}", page.body);
    let reply = staff.post("/archives/batches", &[("name", "第一批"), ("deadline", "2022-08-31")]).await;
    assert!(reply.body.contains("没有已确认接收单位"), "{}", reply.body);

    // The first two confirmed in bulk, the third by a receiver the office names.
    let (a, b, c) = (ids[0].to_string(), ids[1].to_string(), ids[2]);
    let reply = staff.post("/archives/confirm", &[("id", a.as_str()), ("id", b.as_str())]).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    let reply =
        staff.post(&format!("/archives/items/{c}/receiver"), &[("kind", "direct"), ("name", "湘潭市档案馆")]).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert_eq!(
        field(
            &one(&app, &format!("SELECT receiver_name FROM archive_transfers WHERE id = {c}")).await,
            "receiver_name"
        ),
        "湘潭市档案馆"
    );
    // An empty name confirms nothing.
    let page = staff.post(&format!("/archives/items/{c}/receiver"), &[("kind", "direct"), ("name", "")]).await;
    assert!(page.body.contains("尚未确认接收单位"));

    // A batch with a deadline, sealed.
    let reply = staff.post("/archives/batches", &[("name", "第一批"), ("deadline", "2022-08-31")]).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    let batch = app.id("SELECT MAX(id) FROM archive_batches").await;
    assert_eq!(staff.post(&format!("/archives/batches/{batch}/seal"), &[]).await.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.count(&format!("SELECT COUNT(*) FROM archive_transfers WHERE batch_id = {batch} AND state = 'sealed'"))
            .await,
        3
    );
    // Its deadline has passed and nothing is received: overdue.
    assert!(staff.get(&format!("/archives/batches/{batch}")).await.body.contains("batch-overdue"));

    // The tracking sheet: one bad row refuses the whole file.
    let app_ref = &app;
    let student = |id: i64| async move {
        field(&one(app_ref, &format!("SELECT g.student_no FROM archive_transfers t JOIN graduates g ON g.id = t.graduate_id WHERE t.id = {id}")).await, "student_no")
    };
    let (sa, sc) = (student(ids[0]).await, student(c).await);
    let nb = field(
        &one(&app, &format!("SELECT transfer_no FROM archive_transfers WHERE id = {}", ids[1])).await,
        "transfer_no",
    );
    let bad = sheet(&[
        [sa.as_str(), "EMS", "EA100000001CN"],
        ["NOSUCH01", "机要", "JY100000002"],
        [nb.as_str(), "快递", "SF1000003"],
    ]);
    let page = staff.post_file(&format!("/archives/batches/{batch}/tracking"), &[], "tracking.xlsx", bad).await;
    assert!(page.body.contains("id=\"error-count\">2<"), "{}", page.body);
    assert!(page.body.contains("NOSUCH01") && page.body.contains("快递"));
    assert_eq!(
        app.count("SELECT COUNT(*) FROM archive_transfers WHERE state = 'dispatched'").await,
        0,
        "nothing written"
    );
    let report = page
        .body
        .split("id=\"report-link\" href=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("report link")
        .to_owned();
    let file = staff.get(&report).await;
    assert_eq!(file.status, StatusCode::OK);
    assert!(file.bytes.starts_with(b"PK"), "an xlsx report");

    let good = sheet(&[
        [sa.as_str(), "EMS", "EA100000001CN"],
        [nb.as_str(), "机要", "JY100000002"],
        [sc.as_str(), "机要", "JY100000003"],
    ]);
    let reply = staff.post_file(&format!("/archives/batches/{batch}/tracking"), &[], "tracking.xlsx", good).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    assert_eq!(
        app.count(&format!("SELECT COUNT(*) FROM archive_transfers WHERE batch_id = {batch} AND state = 'dispatched'"))
            .await,
        3
    );
    assert_eq!(
        field(
            &one(&app, &format!("SELECT tracking_no FROM archive_transfers WHERE id = {}", ids[1])).await,
            "tracking_no"
        ),
        "JY100000002"
    );

    // Received; returned without a reason refused, with one back to confirmed.
    assert_eq!(staff.post(&format!("/archives/items/{a}/receive"), &[]).await.status, StatusCode::SEE_OTHER);
    let page = staff.post(&format!("/archives/items/{b}/return"), &[("reason", " ")]).await;
    assert!(page.body.contains("请填写退回原因"));
    assert_eq!(
        staff.post(&format!("/archives/items/{b}/return"), &[("reason", "地址不详")]).await.status,
        StatusCode::SEE_OTHER
    );
    let row = one(&app, &format!("SELECT state, returns, return_reason FROM archive_transfers WHERE id = {b}")).await;
    assert_eq!(
        (field(&row, "state"), row.i64("returns").expect("n"), field(&row, "return_reason")),
        (String::from("confirmed"), 1, String::from("地址不详"))
    );
    // Receiving twice is a skipped step.
    assert!(staff.post(&format!("/archives/items/{a}/receive"), &[]).await.body.contains("不能跳过步骤"));

    // Every step with who and when; every change audited.
    assert_eq!(app.count(&format!("SELECT COUNT(*) FROM archive_steps WHERE transfer_id = {a}")).await, 4);
    assert_eq!(
        app.count(&format!("SELECT COUNT(*) FROM archive_steps WHERE transfer_id = {a} AND actor_label = ''")).await,
        0
    );
    for action in ["propose", "confirm", "seal", "dispatch", "receive", "return"] {
        assert!(audited(&app, "archive_transfer", action).await > 0, "{action}");
    }
    assert!(audited(&app, "archive_batch", "create").await > 0);

    // The figures: received 1, returned 1, the rest in transit, overdue counted.
    let figures = staff.get("/archives/figures").await.body;
    assert!(figures.contains("class=\"num received\">1<"), "{figures}");
    let xlsx = staff.get("/archives/figures?format=xlsx").await;
    assert!(xlsx.bytes.starts_with(b"PK"));
}

#[tokio::test]
async fn the_public_check_answers_a_match_and_nothing_else() {
    let app = TestApp::demo().await;
    let row = one(
        &app,
        "SELECT t.transfer_no, g.name, t.receiver_name, i.name AS institution FROM archive_transfers t \
         JOIN graduates g ON g.id = t.graduate_id JOIN institutions i ON i.id = t.institution_id \
         WHERE t.state = 'received' ORDER BY t.id LIMIT 1",
    )
    .await;
    let (number, name, receiver, institution) =
        (field(&row, "transfer_no"), field(&row, "name"), field(&row, "receiver_name"), field(&row, "institution"));
    let mut anyone = app.client();
    let result = |body: &str| {
        body.split("id=\"check-result\">").nth(1).and_then(|s| s.split('<').next()).unwrap_or("").to_owned()
    };
    let url = |n: &str, who: &str| {
        format!("/archives/check?number={}&name={}", kernel::web::url::url_encode(n), kernel::web::url::url_encode(who))
    };
    let matched = anyone.get(&url(&number, &name)).await;
    assert_eq!(matched.status, StatusCode::OK);
    let told = result(&matched.body);
    assert!(told.starts_with("信息一致") && told.contains("接收单位已签收"), "{told}");
    assert!(!matched.body.contains(&receiver) && !matched.body.contains(&institution), "nothing beyond the match");

    // A wrong name, an unknown number and a malformed one get the same answer.
    let unknown = archives::rules::transfer_no(2022, 999_999_999);
    let wrong_name = result(&anyone.get(&url(&number, "不是此人")).await.body);
    let unknown_number = result(&anyone.get(&url(&unknown, &name)).await.body);
    let malformed = result(&anyone.get(&url("DA123", &name)).await.body);
    assert!(wrong_name.starts_with("没有匹配"));
    assert_eq!(wrong_name, unknown_number);
    assert_eq!(wrong_name, malformed);

    // The QR code's address opens the form with the number filled, checking nothing.
    let opened = anyone.get(&format!("/archives/check?number={number}")).await.body;
    assert!(opened.contains(&format!("value=\"{number}\"")) && !opened.contains("check-result"));

    // Rate-limited per address.
    for _ in 0..archives::rules::CHECKS.per_hour {
        anyone.get(&url(&number, "某人")).await;
    }
    assert!(anyone.get(&url(&number, &name)).await.body.contains("check-limited"));
}

#[tokio::test]
async fn each_office_sees_its_own_and_a_graduate_only_itself() {
    let app = TestApp::demo().await;
    let inst = xtu(&app).await;
    let ours = app
        .id(&format!("SELECT MIN(id) FROM archive_transfers WHERE institution_id = {inst} AND state = 'dispatched'"))
        .await;
    let batch = app.id(&format!("SELECT MIN(id) FROM archive_batches WHERE institution_id = {inst}")).await;
    let mut other = app.login("staff10532").await;
    assert_eq!(other.get(&format!("/archives/items/{ours}")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(other.get(&format!("/archives/items/{ours}/slip")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(other.post(&format!("/archives/items/{ours}/receive"), &[]).await.status, StatusCode::NOT_FOUND);
    assert_eq!(other.get(&format!("/archives/batches/{batch}")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(other.post(&format!("/archives/batches/{batch}/seal"), &[]).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        field(&one(&app, &format!("SELECT state FROM archive_transfers WHERE id = {ours}")).await, "state"),
        "dispatched"
    );
    let list = other.get("/archives").await.body;
    let xtu_name = field(&one(&app, "SELECT name FROM institutions WHERE code = '10530'").await, "name");
    assert!(!list.contains(&format!("/archives/items/{ours}\"")));
    assert!(!other.get("/archives/figures").await.body.contains(&xtu_name));

    let mut staff = app.login("staff").await;
    let slip = staff.get(&format!("/archives/items/{ours}/slip")).await.body;
    assert!(slip.contains("<svg") && slip.contains("/archives/check?number=DA"), "the slip's QR code opens the check");
    let mut admin = app.login("admin").await;
    assert_eq!(admin.get(&format!("/archives/items/{ours}")).await.status, StatusCode::OK);
    assert!(admin.get("/archives/figures").await.body.contains("figures-total"));

    // The graduate sees its own archive and no one else's.
    let mut graduate = app.login("graduate").await;
    let own = app.id("SELECT graduate_id FROM accounts WHERE username = 'graduate'").await;
    let number = field(
        &one(&app, &format!("SELECT transfer_no FROM archive_transfers WHERE graduate_id = {own}")).await,
        "transfer_no",
    );
    let mine = graduate.get("/archives/mine").await.body;
    assert!(mine.contains(&number) && mine.contains("已寄出"), "{mine}");
    assert_eq!(graduate.get(&format!("/archives/items/{ours}")).await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.login("college").await.get("/archives").await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_province_keeps_the_talent_centres_and_unassigned_graduates_are_listed_with_why() {
    let app = TestApp::demo().await;
    let mut admin = app.login("admin").await;
    let page = admin.post("/archives/centres", &[("region_code", "999999"), ("name", "无效")]).await;
    assert!(page.body.contains("区划代码须为"), "{}", page.body);
    let reply = admin.post("/archives/centres", &[("region_code", "430302"), ("name", "雨湖区人才服务中心")]).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    assert!(admin.get("/archives/centres").await.body.contains("雨湖区人才服务中心"));
    assert!(audited(&app, "archive_centre", "create").await >= 1);
    // The import: any bad row refuses the file, with the report.
    let rows =
        vec![vec!["430304".to_owned(), "岳塘区人才服务中心".to_owned()], vec!["43030".to_owned(), "坏代码".to_owned()]];
    let file = crate::roster::xlsx(&["区划代码", "机构名称"], &rows);
    let page = admin.post_file("/archives/centres/import", &[], "centres.xlsx", file).await;
    assert!(page.body.contains("id=\"error-count\">1<"), "{}", page.body);
    assert_eq!(app.count("SELECT COUNT(*) FROM archive_centres WHERE region_code = '430304'").await, 0);
    let file = crate::roster::xlsx(&["区划代码", "机构名称"], &rows[..1]);
    assert_eq!(
        admin.post_file("/archives/centres/import", &[], "centres.xlsx", file).await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM archive_centres WHERE region_code = '430304'").await, 1);
    let mut staff = app.login("staff").await;
    assert_eq!(
        staff.post("/archives/centres", &[("region_code", "430302"), ("name", "x")]).await.status,
        StatusCode::FORBIDDEN
    );

    // A graduate without a destination has no receiver, and the list says why.
    without_transfers(&app).await;
    let inst = xtu(&app).await;
    let g = app.id(&format!("SELECT MIN(id) FROM graduates WHERE institution_id = {inst}")).await;
    exec(&app, &format!("DELETE FROM destinations WHERE graduate_id = {g}")).await;
    staff.post("/archives/propose", &[("institution", "")]).await;
    let list = staff.get("/archives/unassigned").await.body;
    let t = app.id(&format!("SELECT id FROM archive_transfers WHERE graduate_id = {g}")).await;
    assert!(list.contains(&format!("unassigned-{t}")) && list.contains("尚未登记毕业去向"), "{list}");
}

#[tokio::test]
async fn staff_confirm_and_dispatch_and_a_graduate_follows_its_archive_on_a_phone() {
    use crate::browser::{click, fill, fits_the_screen, log_in, log_out, pick, serve, start_browser, text};
    let Some((_driver, c)) = start_browser().await else { return };
    let app = TestApp::demo().await;
    let own = app.id("SELECT graduate_id FROM accounts WHERE username = 'graduate'").await;
    // The demo graduate's archive starts over: its receiver to confirm.
    let t = app.id(&format!("SELECT id FROM archive_transfers WHERE graduate_id = {own}")).await;
    exec(&app, &format!("DELETE FROM archive_steps WHERE transfer_id = {t}")).await;
    exec(
        &app,
        &format!(
            "UPDATE archive_transfers SET state = 'pending', receiver_kind = NULL, receiver_name = NULL, \
             receiver_centre_id = NULL, batch_id = NULL, channel = NULL, tracking_no = NULL, proposed_kind = 'direct', \
             proposed_name = '湘江软件有限公司' WHERE id = {t}"
        ),
    )
    .await;
    let base = serve(&app).await;

    log_in(&c, &base, "staff", crate::support::PASSWORD).await;
    c.goto(&format!("{base}/archives/items/{t}")).await.expect("the transfer");
    click(&c, "#confirm-proposed").await;
    assert!(text(&c, ".flash").await.contains("接收单位已确认"));
    assert_eq!(text(&c, "#item-receiver").await, "湘江软件有限公司");
    c.goto(&format!("{base}/archives/batches")).await.expect("batches");
    fill(&c, "#batch-name", "网页批次").await;
    c.execute("document.getElementById('batch-deadline').value = '2030-12-31';", vec![]).await.expect("deadline");
    click(&c, "#batch-create").await;
    assert!(text(&c, ".flash").await.contains("批次已建立"));
    click(&c, "#seal").await;
    assert!(text(&c, ".flash").await.contains("已装袋封存"));
    c.goto(&format!("{base}/archives/items/{t}")).await.expect("the transfer");
    pick(&c, "#dispatch-channel option[value='ems']").await;
    fill(&c, "#dispatch-tracking", "EA555000111CN").await;
    click(&c, "#dispatch-submit").await;
    assert!(text(&c, ".flash").await.contains("已登记寄出"));
    assert_eq!(text(&c, "#item-state").await, "已寄出");
    log_out(&c).await;

    c.set_window_size(375, 812).await.expect("phone-sized window");
    log_in(&c, &base, "graduate", crate::support::PASSWORD).await;
    c.goto(&format!("{base}/archives/mine")).await.expect("my archive");
    assert_eq!(text(&c, "#my-state").await, "已寄出");
    assert_eq!(text(&c, "#my-tracking").await, "EA555000111CN");
    let steps = text(&c, "#my-steps").await;
    assert!(steps.contains("确认接收单位") && steps.contains("装袋封存") && steps.contains("寄出"), "{steps}");
    fits_the_screen(&c, "my archive").await;
    c.close().await.ok();
}

/// Both imports (talent centres, tracking numbers) read through the guarded
/// sheet reader: hostile files and every file a fuzzer crashed on are refused
/// with the reason, and nothing is written.
#[tokio::test]
async fn hostile_sheets_are_refused_with_the_reason_and_nothing_written() {
    use kernel::sheet::hostile;
    let app = TestApp::demo().await.reconfigured(|c| c.import_rows = 10_000);
    let xtu = app.id("SELECT institution_id FROM accounts WHERE username = 'staff'").await;
    let batch = app.id(&format!("SELECT MIN(id) FROM archive_batches WHERE institution_id = {xtu}")).await;
    let centres = app.count("SELECT COUNT(*) FROM archive_centres").await;
    let steps = app.count("SELECT COUNT(*) FROM archive_steps").await;
    let mut admin = app.login("admin").await;
    let mut staff = app.login("staff").await;
    let imports: [(&mut Client, String, &[&str]); 2] = [
        (&mut admin, "/archives/centres/import".to_owned(), &["区划代码", "机构名称"]),
        (&mut staff, format!("/archives/batches/{batch}/tracking"), &["学号", "寄送方式", "邮件号"]),
    ];
    let fuzzed = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/regressions");
    for (client, path, headers) in imports {
        let cases: Vec<(&str, Vec<u8>, &str)> = vec![
            ("dimensions.xls", hostile::xls_dimensions(), "数据超过 10000 行"),
            ("far.xlsx", hostile::xlsx_far_column(headers), "超出 Excel 的表格范围"),
            ("strings.xlsx", hostile::xlsx_shared_strings(headers, 10, 125_000_000), "不同的文字超过 2000000 条"),
            ("rows.csv", hostile::csv_blank_rows(headers, 20_000), "数据超过 10000 行"),
        ];
        for (name, bytes, limit) in cases {
            let reply = client.post_file(&path, &[], name, bytes).await;
            assert_eq!(reply.status, StatusCode::OK, "{path} {name}");
            assert!(
                reply.body.contains("文件超出导入上限") && reply.body.contains(limit),
                "{path} {name}: {}",
                reply.body
            );
        }
        for file in std::fs::read_dir(&fuzzed).expect("regressions").flatten() {
            let name = file.file_name().to_string_lossy().into_owned();
            let reply = client.post_file(&path, &[], &name, std::fs::read(file.path()).expect("read")).await;
            assert_eq!(reply.status, StatusCode::OK, "{path} {name}");
            assert!(reply.body.contains("无法读取文件"), "{path} {name}: {}", reply.body);
        }
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM archive_centres").await, centres, "no centre written");
    assert_eq!(app.count("SELECT COUNT(*) FROM archive_steps").await, steps, "no step written");
}

/// Proposing for a few thousand graduates reads their destinations in one
/// pass: the statements sent do not grow with the graduates, and every
/// proposal is the one the rule gives from that graduate's own destination
/// read alone (outcomes' `DestinationForm::current`).
#[tokio::test]
async fn proposing_for_thousands_reads_the_destinations_in_one_pass() {
    let app = TestApp::empty().await;
    let opts = jiuye::demo::DemoOptions {
        seed: 11,
        graduates: 3000,
        employers: 200,
        destinations: true,
        postings: 0,
        files: None,
        ..Default::default()
    };
    jiuye::demo::generate(&app.db, &opts, &|_, _| {}).await.expect("demo data");
    // Every transfer back to pending, its proposal cleared; a few left without one at all.
    exec(&app, "DELETE FROM archive_steps").await;
    exec(
        &app,
        "UPDATE archive_transfers SET state = 'pending', proposed_kind = NULL, proposed_name = NULL, \
         proposed_centre_id = NULL, problem = NULL, receiver_kind = NULL, receiver_name = NULL, \
         receiver_centre_id = NULL, batch_id = NULL",
    )
    .await;
    exec(&app, "DELETE FROM archive_transfers WHERE id IN (SELECT id FROM archive_transfers ORDER BY id LIMIT 5)")
        .await;
    let graduates = app.count("SELECT COUNT(*) FROM graduates WHERE cohort_year = 2022").await;
    assert!(graduates >= 2900, "{graduates}");

    let who = kernel::audit::AuditActor::system("test");
    let (result, statements) = kernel::db::counting(archives::store::propose(&app.db, &who, 2022, None)).await;
    let (ok, none) = result.expect("propose");
    assert_eq!((ok + none) as i64, graduates, "every graduate proposed, the missing transfers opened");
    assert!(ok > 0 && none > 0, "{ok} {none}");
    assert!(statements <= 20, "one pass, not one query per graduate: {statements} statements");

    // The same proposals as graduate by graduate.
    let direct = archives::store::direct_natures(&app.db).await.expect("natures");
    let centres: std::collections::HashMap<String, (i64, String)> = archives::store::centres(&app.db)
        .await
        .expect("centres")
        .into_iter()
        .map(|c| (c.region_code, (c.id, c.name)))
        .collect();
    let rows = app
        .db
        .fetch_all(
            "SELECT t.graduate_id, g.origin_region_code, t.proposed_kind, t.proposed_name, t.proposed_centre_id, t.problem \
             FROM archive_transfers t JOIN graduates g ON g.id = t.graduate_id ORDER BY t.id",
            &[],
        )
        .await
        .expect("transfers");
    assert_eq!(rows.len() as i64, graduates);
    for r in &rows {
        let d = outcomes::destinations::DestinationForm::current(&app.db, r.i64("graduate_id").expect("id"))
            .await
            .expect("destination");
        let facts = archives::rules::Facts {
            category: d.category_code,
            employer_name: d.employer_name,
            nature: d.nature_code,
            work_region: d.region_code,
            origin_region: field(r, "origin_region_code"),
        };
        let expected = archives::rules::propose(&facts, &direct, |code| centres.get(code).cloned());
        let stored = (
            r.opt_text("proposed_kind").expect("kind"),
            r.opt_text("proposed_name").expect("name"),
            r.opt_i64("proposed_centre_id").expect("centre"),
            r.opt_text("problem").expect("problem"),
        );
        let wanted = match &expected {
            Ok(p) => (Some(p.kind().to_owned()), Some(p.name().to_owned()), p.centre(), None),
            Err(e) => (None, None, None, Some(e.key().to_owned())),
        };
        assert_eq!(stored, wanted, "{facts:?}");
    }
    assert!(audited(&app, "archive_transfer", "propose").await >= 1);
}

/// The transfers list pages by key with its filters kept: the province's
/// whole cohort is counted, "next" keeps the state asked for and shows the
/// next rows, and the last page is reached; an institution's staff page only
/// their own.
#[tokio::test]
async fn the_list_pages_with_its_filters_kept() {
    let app = TestApp::demo().await;
    let mut admin = app.login("admin").await;
    let all = app.count("SELECT COUNT(*) FROM archive_transfers WHERE cohort_year = 2022").await;
    assert!(all > 100, "{all}");
    let first = admin.get("/archives").await.body;
    assert!(first.contains(&format!("共 {all} 条")), "{first}");
    let received = app.count("SELECT COUNT(*) FROM archive_transfers WHERE state = 'received'").await;
    assert!(received > 50, "more than a page received: {received}");
    let page1 = admin.get("/archives?state=received").await.body;
    assert!(page1.contains(&format!("共 {received} 条")), "{page1}");
    let next = page1
        .split("rel=\"next\" href=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("a next link")
        .replace("&amp;", "&");
    assert!(next.contains("state=received") && next.contains("after="), "{next}");
    let page2 = admin.get(&next).await.body;
    let ids = |body: &str| -> Vec<String> {
        body.split("id=\"transfer-").skip(1).filter_map(|s| s.split('"').next()).map(str::to_owned).collect()
    };
    let (one_ids, two_ids) = (ids(&page1), ids(&page2));
    assert_eq!(one_ids.len(), 50);
    assert!(!two_ids.is_empty() && two_ids.iter().all(|i| !one_ids.contains(i)), "the next rows");
    for id in one_ids.iter().chain(&two_ids) {
        let state = field(&one(&app, &format!("SELECT state FROM archive_transfers WHERE id = {id}")).await, "state");
        assert_eq!(state, "received", "the filter is kept");
    }
    let last = admin.get("/archives?state=received&end=1").await.body;
    assert!(!last.contains("rel=\"next\"") && last.contains("rel=\"prev\""), "{last}");

    // University staff: only their institution, however far they page.
    let inst = xtu(&app).await;
    let own = app.count(&format!("SELECT COUNT(*) FROM archive_transfers WHERE institution_id = {inst}")).await;
    let mut staff = app.login("staff").await;
    assert!(staff.get("/archives?institution=1").await.body.contains(&format!("共 {own} 条")));
    let unassigned = app
        .count(&format!(
            "SELECT COUNT(*) FROM archive_transfers WHERE institution_id = {inst} AND state = 'pending' AND problem IS NOT NULL"
        ))
        .await;
    assert!(staff.get("/archives/unassigned").await.body.contains(&format!("共 {unassigned} 条")));
}

/// The reminders on fixed days: a batch with archives not dispatched is
/// brought up when its deadline is three days off and again once it has
/// passed, each once however often the job runs; a returned archive not sent
/// again three days after its return, once per return; a batch all
/// dispatched and a return sent again are left alone.
#[tokio::test]
async fn reminders_tell_each_batch_once_per_state_and_each_return_once() {
    let app = TestApp::demo().await;
    let inst = xtu(&app).await;
    let day = |m: u32, d: u32| chrono::NaiveDate::from_ymd_opt(2022, m, d).expect("day");
    let run = |today: chrono::NaiveDate| {
        let db = app.db.clone();
        async move { archives::store::send_reminders(&db, today, 3).await.expect("reminders") }
    };
    let told = |topic: String| {
        let app = &app;
        async move {
            app.count(&format!("SELECT COUNT(*) FROM notices WHERE institution_id = {inst} AND topic = '{topic}'"))
                .await
        }
    };
    // The demo's returns set aside; one batch of the institution with an archive sealed, one all dispatched.
    exec(&app, "UPDATE archive_transfers SET returns = 0").await;
    let batches = app
        .db
        .fetch_all(&format!("SELECT id FROM archive_batches WHERE institution_id = {inst} ORDER BY id"), &[])
        .await
        .expect("batches");
    let (waiting, done) = (batches[0].i64("id").expect("id"), batches[1].i64("id").expect("id"));
    exec(&app, &format!("UPDATE archive_batches SET deadline = '2022-08-31' WHERE id IN ({waiting}, {done})")).await;
    exec(&app, &format!("UPDATE archive_transfers SET state = 'dispatched' WHERE batch_id = {done}")).await;
    let sealed = app.id(&format!("SELECT MIN(id) FROM archive_transfers WHERE batch_id = {waiting}")).await;
    exec(&app, &format!("UPDATE archive_transfers SET state = 'sealed' WHERE id = {sealed}")).await;

    run(day(8, 27)).await;
    assert_eq!(told(format!("archives_batch_near_{waiting}")).await, 0, "four days off: not yet");
    run(day(8, 28)).await;
    run(day(8, 29)).await;
    assert_eq!(told(format!("archives_batch_near_{waiting}")).await, 1, "near, once");
    let message = field(
        &one(&app, &format!("SELECT message FROM notices WHERE topic = 'archives_batch_near_{waiting}'")).await,
        "message",
    );
    assert!(message.contains("2022-08-31") && message.contains("未寄出"), "{message}");
    run(day(9, 1)).await;
    run(day(9, 2)).await;
    assert_eq!(told(format!("archives_batch_passed_{waiting}")).await, 1, "passed, once");
    assert_eq!(
        told(format!("archives_batch_near_{done}")).await + told(format!("archives_batch_passed_{done}")).await,
        0
    );
    assert!(audited(&app, "archive_batch", "remind").await >= 2);

    // A return: brought up three days later, once; a second return again.
    let returned = app
        .id(&format!(
            "SELECT MIN(id) FROM archive_transfers WHERE institution_id = {inst} AND state = 'dispatched' AND batch_id = {done}"
        ))
        .await;
    let give_back = |round: i64, at: &'static str| {
        let app = &app;
        async move {
            exec(
                app,
                &format!(
                    "UPDATE archive_transfers SET state = 'confirmed', batch_id = NULL, returns = {round} WHERE id = {returned}"
                ),
            )
            .await;
            exec(
                app,
                &format!(
                    "INSERT INTO archive_steps (transfer_id, step, at, actor_label, note) \
                     VALUES ({returned}, 'return', '{at}', '就业指导中心', '地址不详')"
                ),
            )
            .await;
        }
    };
    give_back(1, "2022-09-10T02:00:00.000Z").await;
    run(day(9, 12)).await;
    assert_eq!(told("archives_returned".into()).await, 0, "two days after: not yet");
    run(day(9, 13)).await;
    run(day(9, 14)).await;
    assert_eq!(told("archives_returned".into()).await, 1, "once");
    assert!(field(&one(&app, "SELECT message FROM notices WHERE topic = 'archives_returned'").await, "message")
        .contains("1 份退回"));
    exec(&app, "UPDATE notices SET read_at = '2022-09-14T02:00:00.000Z' WHERE topic = 'archives_returned'").await;
    run(day(9, 20)).await;
    assert_eq!(told("archives_returned".into()).await, 1, "not again once read");
    give_back(2, "2022-09-21T02:00:00.000Z").await;
    run(day(9, 25)).await;
    assert_eq!(told("archives_returned".into()).await, 2, "the second return is told");
    assert!(audited(&app, "archive_transfer", "remind").await >= 2);
    // Sent again: nothing more.
    exec(&app, &format!("UPDATE archive_transfers SET state = 'dispatched', returns = 3 WHERE id = {returned}")).await;
    exec(&app, "UPDATE notices SET read_at = '2022-09-25T02:00:00.000Z' WHERE topic = 'archives_returned'").await;
    run(day(10, 30)).await;
    assert_eq!(told("archives_returned".into()).await, 2);
}

/// The province makes a batch for an institution from its confirmed
/// archives; the school then seals it as its own; audited with the
/// province's name. A school office cannot make one for another school.
#[tokio::test]
async fn the_province_makes_a_batch_for_an_institution_and_the_school_carries_on() {
    let app = TestApp::demo().await;
    let inst = xtu(&app).await;
    let ids: Vec<i64> = app
        .db
        .fetch_all(
            &format!("SELECT id FROM archive_transfers WHERE institution_id = {inst} ORDER BY id DESC LIMIT 2"),
            &[],
        )
        .await
        .expect("pending")
        .iter()
        .map(|r| r.i64("id").expect("id"))
        .collect();
    assert_eq!(ids.len(), 2);
    exec(&app, "UPDATE archive_transfers SET batch_id = NULL WHERE state = 'confirmed'").await;
    exec(&app, "UPDATE archive_transfers SET state = 'pending' WHERE state = 'confirmed'").await;
    for id in &ids {
        exec(
            &app,
            &format!(
                "UPDATE archive_transfers SET state = 'confirmed', receiver_kind = 'direct', receiver_name = '湘潭市档案馆', \
                 batch_id = NULL WHERE id = {id}"
            ),
        )
        .await;
    }
    let mut admin = app.login("admin").await;
    let page = admin.get("/archives/batches").await.body;
    assert!(page.contains(&format!("<option value=\"{inst}\">")) && page.contains("待编入 2"), "{page}");
    let page = admin.post("/archives/batches", &[("name", "省厅代建"), ("deadline", "2030-12-31")]).await;
    assert!(page.body.contains("请选择高校"), "{}", page.body);
    let reply = admin
        .post(
            "/archives/batches",
            &[("institution", &inst.to_string()), ("name", "省厅代建"), ("deadline", "2030-12-31")],
        )
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    let batch = app.id("SELECT MAX(id) FROM archive_batches").await;
    let row =
        one(&app, &format!("SELECT institution_id, created_by_label FROM archive_batches WHERE id = {batch}")).await;
    assert_eq!(row.i64("institution_id").expect("institution"), inst);
    assert_eq!(app.count(&format!("SELECT COUNT(*) FROM archive_transfers WHERE batch_id = {batch}")).await, 2);
    let audited_by = field(
        &one(
            &app,
            &format!("SELECT actor_label FROM audit_log WHERE entity = 'archive_batch' AND action = 'create' AND entity_id = '{batch}'"),
        )
        .await,
        "actor_label",
    );
    assert!(!audited_by.is_empty() && audited_by == field(&row, "created_by_label"), "{audited_by}");
    // Nothing left to batch: a second is refused with the reason.
    let page = admin
        .post("/archives/batches", &[("institution", &inst.to_string()), ("name", "再建"), ("deadline", "2030-12-31")])
        .await;
    assert!(page.body.contains("没有已确认接收单位"), "{}", page.body);

    // The school goes on with it; another school neither sees it nor batches for XTU.
    let mut staff = app.login("staff").await;
    assert!(staff.get(&format!("/archives/batches/{batch}")).await.body.contains("省厅代建"));
    assert_eq!(staff.post(&format!("/archives/batches/{batch}/seal"), &[]).await.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.count(&format!("SELECT COUNT(*) FROM archive_transfers WHERE batch_id = {batch} AND state = 'sealed'"))
            .await,
        2
    );
    // Receiving the whole batch takes the same shape: only what was dispatched moves.
    let received = staff.post(&format!("/archives/batches/{batch}/receive"), &[]).await;
    assert_eq!(received.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.count(&format!("SELECT COUNT(*) FROM archive_transfers WHERE batch_id = {batch} AND state = 'received'"))
            .await,
        0
    );
    exec(&app, &format!("UPDATE archive_transfers SET state = 'dispatched' WHERE batch_id = {batch}")).await;
    staff.post(&format!("/archives/batches/{batch}/receive"), &[]).await;
    assert_eq!(
        app.count(&format!("SELECT COUNT(*) FROM archive_transfers WHERE batch_id = {batch} AND state = 'received'"))
            .await,
        2
    );
    let mut other = app.login("staff10532").await;
    assert_eq!(other.get(&format!("/archives/batches/{batch}")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(other.post(&format!("/archives/batches/{batch}/receive"), &[]).await.status, StatusCode::NOT_FOUND);
    other
        .post("/archives/batches", &[("institution", &inst.to_string()), ("name", "越权"), ("deadline", "2030-12-31")])
        .await;
    assert_eq!(
        app.count(&format!("SELECT COUNT(*) FROM archive_batches WHERE name = '越权' AND institution_id = {inst}"))
            .await,
        0
    );
    assert_eq!(
        app.login("graduate").await.post("/archives/batches", &[("name", "x")]).await.status,
        StatusCode::FORBIDDEN
    );
}

/// In Chromium: the province adds, edits and imports talent centres; reads
/// the figures' completion and finds the Excel link; an office proposes
/// receivers and reads on the without-a-receiver list who has none and why.
#[tokio::test]
async fn centres_figures_and_unassigned_in_the_browser() {
    use crate::browser::{attach, click, download, fill, log_in, log_out, nav, serve, start_browser, text};
    let Some((_driver, c)) = start_browser().await else { return };
    let app = TestApp::demo().await;
    let base = serve(&app).await;

    // Centres: add, edit (the same region code), import.
    log_in(&c, &base, "admin", crate::support::PASSWORD).await;
    nav(&c, "/archives/centres").await;
    fill(&c, "#centre-region", "430302").await;
    fill(&c, "#centre-name", "雨湖区人才服务中心").await;
    click(&c, "#centre-save").await;
    assert!(text(&c, ".flash").await.contains("人才服务机构已保存"));
    assert!(text(&c, "#centre-430302").await.contains("雨湖区人才服务中心"));
    fill(&c, "#centre-region", "430302").await;
    fill(&c, "#centre-name", "雨湖区人才交流服务中心").await;
    click(&c, "#centre-save").await;
    assert!(text(&c, "#centre-430302").await.contains("雨湖区人才交流服务中心"));
    assert_eq!(
        app.count("SELECT COUNT(*) FROM archive_centres WHERE region_code = '430302'").await,
        1,
        "edited, not added"
    );
    let sheet = tempfile::Builder::new().suffix(".xlsx").tempfile().expect("temp file");
    let rows = vec![vec!["430304".to_owned(), "岳塘区人才服务中心".to_owned(), "岳塘区政务中心".to_owned()]];
    std::fs::write(sheet.path(), crate::roster::xlsx(&["区划代码", "机构名称", "地址"], &rows)).expect("write");
    attach(&c, "#import-file", sheet.path()).await;
    click(&c, "#import-submit").await;
    assert!(text(&c, ".flash").await.contains("已导入 1 个人才服务机构"));
    assert!(text(&c, "#centre-430304").await.contains("岳塘区人才服务中心"));

    // Figures: the province's completion as the records give it, and its Excel.
    nav(&c, "/archives/figures").await;
    let received =
        app.count("SELECT COUNT(*) FROM archive_transfers WHERE cohort_year = 2022 AND state = 'received'").await;
    let graduates = app.count("SELECT COUNT(*) FROM graduates WHERE cohort_year = 2022").await;
    assert_eq!(text(&c, "#figures-total td.received").await, received.to_string());
    let rate = format!("{:.1}%", received as f64 * 100.0 / graduates as f64);
    assert!(text(&c, "#figures-total").await.contains(&rate), "{rate}");
    let file = download(&c, "#figures-xlsx").await;
    assert_eq!(file[0], 200, "{file:?}");
    assert_eq!(file[3], "PK", "an xlsx");
    log_out(&c).await;

    // Without a receiver: a graduate with no destination, proposed again, is listed with why.
    let inst = xtu(&app).await;
    let g = app.id(&format!("SELECT MIN(graduate_id) FROM archive_transfers WHERE institution_id = {inst}")).await;
    let t = app.id(&format!("SELECT id FROM archive_transfers WHERE graduate_id = {g}")).await;
    exec(&app, &format!("DELETE FROM archive_steps WHERE transfer_id = {t}")).await;
    exec(
        &app,
        &format!(
            "UPDATE archive_transfers SET state = 'pending', receiver_kind = NULL, receiver_name = NULL, \
             receiver_centre_id = NULL, batch_id = NULL, proposed_kind = NULL, proposed_name = NULL, problem = NULL \
             WHERE id = {t}"
        ),
    )
    .await;
    exec(&app, &format!("DELETE FROM destinations WHERE graduate_id = {g}")).await;
    log_in(&c, &base, "staff", crate::support::PASSWORD).await;
    nav(&c, "/archives").await;
    click(&c, "#propose").await;
    assert!(text(&c, ".flash").await.contains("暂无有效接收单位"));
    nav(&c, "/archives/unassigned").await;
    let name = field(&one(&app, &format!("SELECT name FROM graduates WHERE id = {g}")).await, "name");
    let row = text(&c, &format!("#unassigned-{t}")).await;
    assert!(row.contains(&name), "{row}");
    assert_eq!(text(&c, &format!("#unassigned-{t} .why")).await, "尚未登记毕业去向");
    c.close().await.ok();
}
