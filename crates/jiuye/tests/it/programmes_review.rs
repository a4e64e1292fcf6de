//! Expert review, part 2 (issue 15): the province's expert pool (add, edit,
//! links for conflicts of interest, deactivate, import from a sheet with its
//! error report) and the working-day calendar; scopes, audit records, and the
//! pool read back as conflict-detection input.

use axum::http::StatusCode;

use kernel::sheet::hostile;

use crate::support::{Client, TestApp};

async fn audited(app: &TestApp, entity: &str, action: &str) -> i64 {
    assert!(registry::audit_names::knows(entity, action), "{entity} {action} named");
    app.count(&format!("SELECT COUNT(*) FROM audit_log WHERE entity = '{entity}' AND action = '{action}'")).await
}

async fn xtu(app: &TestApp) -> i64 {
    app.id("SELECT id FROM institutions WHERE code = '10530'").await
}

/// Adds an expert through the form; its id.
async fn add_expert(app: &TestApp, admin: &mut Client, name: &str, phone: &str, extra: &[(&str, &str)]) -> i64 {
    let inst = xtu(app).await.to_string();
    let mut fields =
        vec![("name", name), ("title", "教授"), ("phone", phone), ("institution", inst.as_str()), ("fields", "0812")];
    fields.extend_from_slice(extra);
    let reply = admin.post("/programmes/experts", &fields).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    app.id("SELECT MAX(id) FROM review_experts").await
}

#[tokio::test]
async fn the_province_keeps_the_pool_and_every_write_is_audited() {
    let app = TestApp::demo().await;
    crate::programmes_rounds::without_demo_pool(&app).await;
    let mut admin = app.login("admin").await;

    // Bad input answers 200 with the reason in the user's language; nothing stored.
    let reply = admin.post("/programmes/experts", &[("name", "王明"), ("title", "教授"), ("phone", "123")]).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.body.contains("id=\"expert-error\"") && reply.body.contains("手机号"), "{}", reply.body);
    assert_eq!(app.count("SELECT COUNT(*) FROM review_experts").await, 0);
    let reply = admin
        .post(
            "/programmes/experts",
            &[("name", "王明"), ("title", "教授"), ("phone", "13800138000"), ("affiliation", "省教育厅")],
        )
        .await;
    assert!(reply.body.contains("请至少选择一个评审领域"), "{}", reply.body);
    // An account that is not an expert's is refused.
    let reply = admin
        .post(
            "/programmes/experts",
            &[
                ("name", "王明"),
                ("title", "教授"),
                ("phone", "13800138000"),
                ("affiliation", "x"),
                ("fields", "04"),
                ("account", "staff"),
            ],
        )
        .await;
    assert!(reply.body.contains("不是评审专家角色"), "{}", reply.body);

    let created = audited(&app, "review_expert", "create").await;
    let id = add_expert(&app, &mut admin, "王明", "13800138000", &[("fields", "1202"), ("account", "expert")]).await;
    assert_eq!(audited(&app, "review_expert", "create").await, created + 1);
    let page = admin.get(&format!("/programmes/experts/{id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("王明") && page.body.contains("13800138000"));
    let list = admin.get("/programmes/experts").await;
    assert!(
        list.body.contains("计算机类") && list.body.contains("工商管理类") && list.body.contains("expert"),
        "{}",
        list.body
    );

    // Edit: a second record may not take the same account.
    let other = add_expert(&app, &mut admin, "李强", "13900139000", &[]).await;
    let inst = xtu(&app).await.to_string();
    let reply = admin
        .post(
            &format!("/programmes/experts/{other}"),
            &[
                ("name", "李强"),
                ("title", "研究员"),
                ("phone", "13900139000"),
                ("institution", inst.as_str()),
                ("fields", "04"),
                ("account", "expert"),
            ],
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.body.contains("已关联库中另一位专家"), "{}", reply.body);
    let updated = audited(&app, "review_expert", "update").await;
    let reply = admin
        .post(
            &format!("/programmes/experts/{other}"),
            &[
                ("name", "李强"),
                ("title", "研究员"),
                ("phone", "13900139000"),
                ("institution", ""),
                ("affiliation", "湖南省人社厅"),
                ("fields", "04"),
            ],
        )
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    assert_eq!(audited(&app, "review_expert", "update").await, updated + 1);
    let row = app
        .db
        .fetch_one("SELECT title, affiliation, institution_id FROM review_experts WHERE id = $1", &[other.into()])
        .await
        .unwrap();
    assert_eq!(row.text("title").unwrap(), "研究员");
    assert_eq!(row.opt_i64("institution_id").unwrap(), None);

    // Links: past co-applicants, supervisees, declared relations.
    let reply = admin.post(&format!("/programmes/experts/{id}/links"), &[("kind", "friend"), ("name", "赵敏")]).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.body.contains("id=\"link-error\""), "{}", reply.body);
    for (kind, name) in [("co_applicant", "李华"), ("supervisee", "赵敏"), ("relation", "钱多")] {
        let reply = admin.post(&format!("/programmes/experts/{id}/links"), &[("kind", kind), ("name", name)]).await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    }
    assert_eq!(audited(&app, "review_expert_link", "create").await, 3);
    let link = app.id("SELECT MAX(id) FROM review_expert_links").await;
    let reply = admin.post(&format!("/programmes/experts/{id}/links/{link}/delete"), &[]).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert_eq!(audited(&app, "review_expert_link", "delete").await, 1);
    // Another expert's link is not reachable through this one.
    let reply = admin.post(&format!("/programmes/experts/{other}/links/{}/delete", link - 1), &[]).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);

    // The pool as conflict detection reads it.
    let profiles = programmes::review::store::profiles(&app.db).await.unwrap();
    let p = profiles.iter().find(|p| p.id == id).unwrap();
    assert_eq!(p.fields, vec!["0812".to_string(), "1202".to_string()]);
    assert_eq!((p.co_applicants.len(), p.supervisees.len(), p.relations.len()), (1, 1, 0));
    let application = programmes::review::conflicts::Application {
        id: 1,
        institution_id: Some(999),
        field: "0812".into(),
        leader: programmes::review::conflicts::Person::new("赵敏", None),
        ..Default::default()
    };
    assert_eq!(
        programmes::review::conflicts::conflicts(p, &application),
        vec![programmes::review::conflicts::Conflict::Supervisor]
    );

    // Deactivate: out of the assignable pool, audited.
    let reply = admin.post(&format!("/programmes/experts/{id}/active"), &[("active", "0")]).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert_eq!(audited(&app, "review_expert", "deactivate").await, 1);
    assert!(programmes::review::store::profiles(&app.db).await.unwrap().iter().all(|p| p.id != id));
    assert!(admin.get(&format!("/programmes/experts/{id}")).await.body.contains("已停用"));
    let reply = admin.post(&format!("/programmes/experts/{id}/active"), &[("active", "1")]).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert_eq!(audited(&app, "review_expert", "reactivate").await, 1);
    assert_eq!(admin.get("/programmes/experts/99999").await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn only_the_province_reaches_the_pool() {
    let app = TestApp::demo().await;
    crate::programmes_rounds::without_demo_pool(&app).await;
    let mut admin = app.login("admin").await;
    let id = add_expert(&app, &mut admin, "王明", "13800138000", &[("account", "expert")]).await;
    let before = app.count("SELECT COUNT(*) FROM review_experts").await;
    for role in ["staff", "college", "employer", "graduate", "expert"] {
        let mut c = app.login(role).await;
        for path in ["/programmes/experts".to_owned(), format!("/programmes/experts/{id}")] {
            let reply = c.get(&path).await;
            assert_eq!(reply.status, StatusCode::FORBIDDEN, "{role} {path}");
            assert!(!reply.body.contains("13800138000") && !reply.body.contains("王明"), "{role} {path}");
        }
        let reply = c
            .post(
                "/programmes/experts",
                &[("name", "x"), ("title", "x"), ("phone", "13700137000"), ("fields", "04"), ("affiliation", "x")],
            )
            .await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{role}");
        assert_eq!(
            c.post(&format!("/programmes/experts/{id}/active"), &[("active", "0")]).await.status,
            StatusCode::FORBIDDEN
        );
        let reply = c.post_file("/programmes/experts/import", &[], "e.csv", "姓名\n张三\n".as_bytes().to_vec()).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{role}");
        // An expert's own navigation offers nothing of the pool.
        if role == "expert" {
            assert!(!c.get("/").await.body.contains("/programmes/experts"));
        }
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM review_experts").await, before);
    // University staff read the calendar but do not change it.
    let mut staff = app.login("staff").await;
    assert_eq!(staff.get("/programmes/calendar").await.status, StatusCode::OK);
    let reply =
        staff.post("/programmes/calendar", &[("day", "2024-01-01"), ("kind", "holiday"), ("name", "元旦")]).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    let mut expert = app.login("expert").await;
    assert_eq!(expert.get("/programmes/calendar").await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_pool_sheet_is_imported_in_one_go_or_refused_with_its_error_report() {
    let app = TestApp::demo().await;
    crate::programmes_rounds::without_demo_pool(&app).await;
    let mut admin = app.login("admin").await;
    let bad = "姓名,院校代码,工作单位,职称,手机号,评审领域,账号\n\
               张三,10530,,教授,13800138001,0812,\n\
               李四,,湖南省人社厅,研究员,12345,04,\n\
               王五,99999,,副教授,13800138003,0812,\n\
               赵六,10530,,教授,13800138001,0812、1202,\n\
               钱七,,湖南省教育厅,教授,13800138005,77,\n";
    let reply = admin.post_file("/programmes/experts/import", &[], "专家.csv", bad.as_bytes().to_vec()).await;
    assert_eq!(reply.status, StatusCode::OK);
    let body = &reply.body;
    assert!(body.contains("id=\"error-count\">4<"), "{body}");
    assert!(body.contains("<td class=\"num\">3</td><td>手机号</td>"), "row and column named: {body}");
    assert!(body.contains("没有这个代码或名称的高校") && body.contains("没有代码为 77 的评审领域"), "{body}");
    assert_eq!(app.count("SELECT COUNT(*) FROM review_experts").await, 0, "one transaction: nothing kept");
    let link = body.split("id=\"report-link\" href=\"").nth(1).and_then(|s| s.split('"').next()).unwrap().to_owned();
    let report = admin.get(&link).await;
    assert_eq!(report.status, StatusCode::OK);
    let mut book: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(report.bytes)).unwrap();
    let sheet = calamine::Reader::worksheet_range_at(&mut book, 0).unwrap().unwrap();
    let text: String = sheet.rows().flat_map(|r| r.iter().map(|c| format!("{c}|"))).collect();
    assert!(text.contains("没有这个代码或名称的高校") && text.contains("77"), "{text}");

    // English headers, a good file: every row in.
    let good = "Name,Institution code,Work unit,Title,Mobile,Fields,Account\n\
                张三,10530,,教授,13800138001,0812,expert\n\
                李四,,湖南省人社厅,研究员,13800138002,04；1202,\n";
    // The demo's own pool was written through the same store (and set aside above).
    let creates = audited(&app, "review_expert", "create").await;
    let reply = admin.post_file("/programmes/experts/import", &[], "experts.csv", good.as_bytes().to_vec()).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    assert_eq!(app.count("SELECT COUNT(*) FROM review_experts").await, 2);
    assert_eq!(app.count("SELECT COUNT(*) FROM review_experts WHERE account_id IS NOT NULL").await, 1);
    assert_eq!(audited(&app, "review_expert", "import").await, 1);
    assert_eq!(audited(&app, "review_expert", "create").await, creates + 2);
    // The same file again: every row names an expert already in the pool.
    let reply = admin.post_file("/programmes/experts/import", &[], "experts.csv", good.as_bytes().to_vec()).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.body.contains("库中已有使用这个手机号的专家"), "{}", reply.body);
    assert_eq!(app.count("SELECT COUNT(*) FROM review_experts").await, 2);
}

#[tokio::test]
async fn the_calendar_counts_working_days_and_the_province_edits_it() {
    let app = TestApp::demo().await;
    crate::programmes_rounds::without_demo_pool(&app).await;
    let mut admin = app.login("admin").await;
    // Seeded with 2022 and 2023.
    let page = admin.get("/programmes/calendar?year=2022").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("id=\"day-2022-10-08\"") && page.body.contains("国庆节调休"), "{}", page.body);
    let cal = kernel::calendar::load(&app.db).await.unwrap();
    let d = |y, m, d| chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap();
    assert_eq!(cal.notice_end(d(2022, 9, 29), 5), d(2022, 10, 10));
    assert_eq!(cal.add_working_days(d(2023, 1, 20), 1), d(2023, 1, 28));
    assert!(cal.covers(2023) && !cal.covers(2024));
    // The reckoner on the page.
    let page = admin.get("/programmes/calendar?year=2022&start=2022-09-29&n=5").await;
    assert!(page.body.contains("<strong>2022-10-10</strong>"), "{}", page.body);
    let page = admin.get("/programmes/calendar?year=2022&start=x&n=5").await;
    assert!(page.body.contains("id=\"reckon-error\""), "{}", page.body);
    // A year not entered says so.
    assert!(admin.get("/programmes/calendar?year=2024").await.body.contains("id=\"not-covered\""));

    // Bad input: 200 with the reason.
    let reply =
        admin.post("/programmes/calendar", &[("day", "2024-02-30"), ("kind", "holiday"), ("name", "春节")]).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.body.contains("id=\"day-error\""), "{}", reply.body);
    let reply =
        admin.post("/programmes/calendar", &[("day", "2024-02-10"), ("kind", "holiday"), ("name", "春节")]).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    let reply =
        admin.post("/programmes/calendar", &[("day", "2024-02-04"), ("kind", "workday"), ("name", "春节调休")]).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert_eq!(audited(&app, "calendar_day", "update").await, 2);
    let cal = kernel::calendar::load(&app.db).await.unwrap();
    assert!(cal.is_working(d(2024, 2, 4)) && !cal.is_working(d(2024, 2, 10)));
    // Changing a day keeps one row.
    admin.post("/programmes/calendar", &[("day", "2024-02-10"), ("kind", "holiday"), ("name", "春节（初一）")]).await;
    assert_eq!(app.count("SELECT COUNT(*) FROM work_calendar_days WHERE day = '2024-02-10'").await, 1);
    let reply = admin.post("/programmes/calendar/delete", &[("day", "2024-02-04")]).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert_eq!(audited(&app, "calendar_day", "delete").await, 1);
    assert_eq!(admin.post("/programmes/calendar/delete", &[("day", "2024-02-04")]).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_province_adds_an_expert_and_a_holiday_in_a_browser() {
    use crate::browser::{click, fill, log_in, nav, pick, serve, start_browser, text};
    let Some((_driver, c)) = start_browser().await else { return };
    let app = TestApp::demo().await;
    crate::programmes_rounds::without_demo_pool(&app).await;
    let base = serve(&app).await;
    log_in(&c, &base, "admin", crate::support::PASSWORD).await;
    nav(&c, "/programmes/experts").await;
    fill(&c, "#expert-name", "王明").await;
    fill(&c, "#expert-title", "教授").await;
    fill(&c, "#expert-phone", "13800138000").await;
    fill(&c, "#expert-affiliation", "湖南省人社厅").await;
    pick(&c, "#field-0812").await;
    click(&c, "#expert-submit").await;
    assert!(text(&c, ".flash").await.contains("专家已入库"));
    fill(&c, "#link-name", "赵敏").await;
    click(&c, "#link-submit").await;
    assert!(text(&c, "#link-list").await.contains("赵敏"));
    nav(&c, "/programmes/experts").await;
    assert!(text(&c, "#experts").await.contains("计算机类"));

    nav(&c, "/programmes/calendar").await;
    fill(&c, "#day-date", "2024-10-01").await;
    fill(&c, "#day-name", "国庆节").await;
    click(&c, "#day-submit").await;
    assert!(text(&c, ".flash").await.contains("日历已更新"));
    assert!(text(&c, "#days").await.contains("国庆节"));
    fill(&c, "#reckon-start", "2024-09-30").await;
    fill(&c, "#reckon-n", "2").await;
    click(&c, "#reckon-submit").await;
    assert!(text(&c, "#reckon-end").await.contains("2024-10-02"));
    c.close().await.ok();
}

/// The pool's import reads sheets through the same guarded reader as the
/// roster: hostile files and every file a fuzzer crashed on are refused on
/// the page with the reason, and nothing is written.
#[tokio::test]
async fn hostile_pool_sheets_are_refused_with_the_reason_and_nothing_written() {
    let app = TestApp::demo().await.reconfigured(|c| c.import_rows = 10_000);
    let headers = ["姓名", "院校代码", "工作单位", "职称", "手机号", "评审领域", "账号"];
    let before = app.count("SELECT COUNT(*) FROM review_experts").await;
    let mut admin = app.login("admin").await;
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("dimensions.xls", hostile::xls_dimensions(), "数据超过 10000 行"),
        ("far.xlsx", hostile::xlsx_far_column(&headers), "超出 Excel 的表格范围"),
        ("strings.xlsx", hostile::xlsx_shared_strings(&headers, 10, 125_000_000), "不同的文字超过 2000000 条"),
        ("rows.xlsx", hostile::xlsx_rows(&headers, 40_000), "数据超过 10000 行"),
        ("rows.csv", hostile::csv_blank_rows(&headers, 20_000), "数据超过 10000 行"),
    ];
    for (name, bytes, limit) in cases {
        let reply = admin.post_file("/programmes/experts/import", &[], name, bytes).await;
        assert_eq!(reply.status, StatusCode::OK, "{name}");
        assert!(reply.body.contains("文件超出导入上限") && reply.body.contains(limit), "{name}: {}", reply.body);
    }
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/regressions");
    for file in std::fs::read_dir(dir).unwrap().flatten() {
        let name = file.file_name().to_string_lossy().into_owned();
        let reply =
            admin.post_file("/programmes/experts/import", &[], &name, std::fs::read(file.path()).unwrap()).await;
        assert_eq!(reply.status, StatusCode::OK, "{name}");
        assert!(reply.body.contains("无法读取文件"), "{name}: {}", reply.body);
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM review_experts").await, before, "nothing written");
}
