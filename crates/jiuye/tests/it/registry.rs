//! Browsing and editing the registry: regions, institutions, colleges, majors.

use axum::http::StatusCode;

use crate::support::TestApp;

#[tokio::test]
async fn reference_data_is_seeded() {
    let app = TestApp::empty().await;
    assert_eq!(app.count("SELECT COUNT(*) FROM institutions").await, 123);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM regions WHERE code LIKE '43%' AND level = 'prefecture' AND retired = FALSE")
            .await,
        14
    );
    assert!(
        app.count("SELECT COUNT(*) FROM regions WHERE code LIKE '43%' AND level = 'county' AND retired = FALSE").await
            >= 122
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM code_tables WHERE kind = 'ethnicity'").await, 58);
    assert!(app.count("SELECT COUNT(*) FROM code_tables WHERE kind = 'destination' AND version = '2021'").await > 20);
    assert_eq!(app.count("SELECT COUNT(*) FROM institutions WHERE identifier <> '41430' || code").await, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM institutions WHERE region_code IS NULL").await, 0);
}

#[tokio::test]
async fn province_searches_sorts_and_pages_institutions() {
    let app = TestApp::demo().await;
    let mut admin = app.login("admin").await;
    let page =
        admin.get("/registry/institutions?q=%E5%A4%A7%E5%AD%A6&level=%E6%9C%AC%E7%A7%91&sort=name&dir=desc").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("湖南大学"));
    assert!(!page.body.contains("职业技术学院"));
    let all = admin.get("/registry/institutions").await.body;
    assert!(all.contains("共 123 条"));
    assert!(all.contains("rel=\"next\""));
    let second = admin.get("/registry/institutions?page=3").await.body;
    assert!(second.contains("第 3 / 3 页"));
    let regions = admin.get("/registry/regions?parent=430100").await.body;
    assert!(regions.contains("岳麓区"));
}

#[tokio::test]
async fn staff_see_only_their_institution_in_lists() {
    let app = TestApp::demo().await;
    let mut staff = app.login("staff").await;
    let page = staff.get("/registry/institutions").await.body;
    assert!(page.contains("湘潭大学"));
    assert!(page.contains("共 1 条"));
    assert!(!page.contains("湖南大学"));
}

#[tokio::test]
async fn staff_add_colleges_and_majors_with_messages_beside_fields() {
    let app = TestApp::demo().await;
    let xtu = app.id("SELECT id FROM institutions WHERE code = '10530'").await;
    let mut staff = app.login("staff").await;
    let reply = staff.post(&format!("/registry/institutions/{xtu}/colleges"), &[("code", ""), ("name", "")]).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.body.contains("请填写院系代码"));
    assert!(reply.body.contains("请填写院系名称"));
    let existing = app
        .db
        .fetch_one("SELECT code FROM colleges WHERE institution_id = $1 ORDER BY code", &[xtu.into()])
        .await
        .unwrap()
        .text("code")
        .unwrap();
    let reply = staff
        .post(&format!("/registry/institutions/{xtu}/colleges"), &[("code", &existing), ("name", "重复学院")])
        .await;
    assert!(reply.body.contains("已有这个院系代码"));
    assert!(reply.body.contains("重复学院"), "keeps what was typed");

    let reply = staff
        .post(&format!("/registry/institutions/{xtu}/colleges"), &[("code", "50"), ("name", "人工智能学院")])
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    let college = app.id("SELECT id FROM colleges WHERE name = '人工智能学院'").await;
    let reply = staff
        .post(
            &format!("/registry/institutions/{xtu}/majors"),
            &[("college_id", &college.to_string()), ("major_code", "080717T|本科")],
        )
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    let reply = staff
        .post(
            &format!("/registry/institutions/{xtu}/majors"),
            &[("college_id", &college.to_string()), ("major_code", "080717T|本科")],
        )
        .await;
    assert!(reply.body.contains("已开设这个专业"));
    let reply = staff
        .post(&format!("/registry/institutions/{xtu}/majors"), &[("college_id", "abc"), ("major_code", "nonsense")])
        .await;
    assert!(reply.body.contains("请选择本校的一个院系"));
    assert!(reply.body.contains("请从专业目录中选择专业"));
    let page = staff.get(&format!("/registry/institutions/{xtu}")).await.body;
    assert!(page.contains("人工智能学院"));
    assert!(page.contains("080717T"));
}

#[tokio::test]
async fn code_tables_follow_the_files_on_every_start() {
    let app = TestApp::demo().await;
    // As an older release would have left it: a code kind missing, a name out of date.
    let mut tx = app.db.begin().await.unwrap();
    tx.execute("DELETE FROM code_tables WHERE kind = 'evidence_kind'", &[]).await.unwrap();
    tx.execute("UPDATE code_tables SET name = '旧名称' WHERE kind = 'industry' AND code = '22'", &[]).await.unwrap();
    tx.commit().await.unwrap();
    let db = jiuye::open(&app.config).await.unwrap();
    assert!(app.count("SELECT COUNT(*) FROM code_tables WHERE kind = 'evidence_kind'").await > 10);
    let name = db.fetch_one("SELECT name FROM code_tables WHERE kind = 'industry' AND code = '22'", &[]).await.unwrap();
    assert_eq!(name.text("name").unwrap(), "制造业");
    assert_eq!(app.count("SELECT COUNT(*) FROM graduates").await, 400, "the rest of the data is left alone");
}

#[tokio::test]
async fn registry_lists_go_to_excel_with_their_filters() {
    let app = TestApp::demo().await;
    let mut admin = app.login("admin").await;
    let page = admin.get("/registry/institutions?level=本科").await.body;
    assert!(page.contains("id=\"export-xlsx\""));
    let xlsx = admin.get("/registry/institutions?level=%E6%9C%AC%E7%A7%91&format=xlsx").await;
    assert_eq!(xlsx.status, StatusCode::OK);
    let mut book: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(xlsx.bytes)).unwrap();
    let sheet = calamine::Reader::worksheet_range_at(&mut book, 0).unwrap().unwrap();
    let undergraduate = app.count("SELECT COUNT(*) FROM institutions WHERE level = '本科'").await;
    assert_eq!(sheet.height() as i64, undergraduate + 1, "every filtered row, not one page");
    assert_eq!(sheet.get((0, 2)).unwrap().to_string(), "院校名称");
    // Employers: every row of the filter; phone numbers masked as on the page.
    let csv = admin.get("/registry/employers?status=approved&format=csv").await.body;
    let approved = app.count("SELECT COUNT(*) FROM employers WHERE status = 'approved'").await;
    assert_eq!(csv.lines().count() as i64, approved + 1);
    assert!(csv.contains("****"), "masked phones");
    let mut hr = app.login("employer").await;
    assert_eq!(
        hr.get("/registry/employers?format=csv").await.body.lines().count(),
        2,
        "an employer exports only itself"
    );
}

#[tokio::test]
async fn the_province_sets_a_cohorts_rate_definition_and_breach_limit() {
    let app = TestApp::demo().await;
    let mut admin = app.login("admin").await;
    let bad = admin.post("/registry/cohorts/2022", &[("rate_definition", "2021"), ("breach_limit", "9")]).await;
    assert!(bad.body.contains("违约次数上限应为 0 到 5 的整数"));
    let reply = admin.post("/registry/cohorts/2022", &[("rate_definition", "2024"), ("breach_limit", "2")]).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    let row =
        app.db.fetch_one("SELECT rate_definition, breach_limit FROM cohorts WHERE year = 2022", &[]).await.unwrap();
    assert_eq!((row.text("rate_definition").unwrap(), row.i64("breach_limit").unwrap()), ("2024".to_owned(), 2));
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log WHERE entity = 'cohort'").await, 1);
    // The placement page now counts by the 2024 definition unless asked otherwise.
    assert!(admin.get("/outcomes/placement").await.body.contains("自由职业"));
    let mut staff = app.login("staff").await;
    assert!(!staff.get("/registry/cohorts").await.body.contains("cohort-2022"), "staff read the settings only");
    let refused = staff.post("/registry/cohorts/2022", &[("rate_definition", "2021"), ("breach_limit", "1")]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
}
