//! Personal data out (issue 10): error reports readable by their uploader
//! and the province only and deleted after the retention, no full ID number
//! in the account form, and every full view of ID or phone numbers audited.

use axum::http::StatusCode;
use kernel::mask;

use crate::roster::{good_row, prepare, upload, xlsx, HEADERS};
use crate::support::{Client, TestApp};

/// XTU's staff upload a roster with a bad row; the report's link.
async fn refused_upload(app: &TestApp, staff: &mut Client) -> String {
    prepare(app).await;
    let mut rows: Vec<Vec<String>> = (1..=3).map(good_row).collect();
    rows[0][0] = String::new();
    let reply = upload(staff, "10530", "名单.xlsx", xlsx(&HEADERS, &rows)).await;
    let link = reply.body.split("id=\"report-link\" href=\"").nth(1).and_then(|s| s.split('"').next());
    link.expect("a report link").to_owned()
}

/// Every kept report becomes years old.
async fn backdate_reports(app: &TestApp) {
    let mut tx = app.db.begin().await.unwrap();
    tx.execute("UPDATE import_reports SET created_at = '2000-01-01T00:00:00Z'", &[]).await.unwrap();
    tx.commit().await.unwrap();
}

async fn views(app: &TestApp, entity: &str) -> i64 {
    app.count(&format!("SELECT COUNT(*) FROM audit_log WHERE action = 'view_personal' AND entity = '{entity}'")).await
}

/// Another account of the uploader's own institution is refused as well:
/// the issue names the uploader and the province, and a colleague can upload
/// the file again.
#[tokio::test]
async fn an_error_report_is_read_by_its_uploader_and_the_province_only() {
    let app = TestApp::demo().await;
    let mut staff = app.login("staff").await;
    let link = refused_upload(&app, &mut staff).await;
    let xtu = app.id("SELECT id FROM institutions WHERE code = '10530'").await;
    let uploader = app.id("SELECT id FROM accounts WHERE username = 'staff'").await;
    let kept = format!("SELECT COUNT(*) FROM import_reports WHERE account_id = {uploader} AND institution_id = {xtu}");
    assert_eq!(app.count(&kept).await, 1, "who uploaded, and for which institution");

    assert_eq!(staff.get(&link).await.status, StatusCode::OK);
    let mut admin = app.login("admin").await;
    let by_province = admin.get(&link).await;
    assert_eq!(by_province.status, StatusCode::OK);
    assert!(by_province.disposition.is_some_and(|d| d.contains("attachment")));

    for other in ["staff10530", "staff10532"] {
        let mut other = app.login(other).await;
        let refused = other.get(&link).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
        assert!(refused.body.contains("只有上传文件的账号和省级管理员可以下载"), "{}", refused.body);
        let refused = other.get(&format!("{link}?lang=en")).await;
        assert!(refused.body.contains("only the account that uploaded the file and the province"), "{}", refused.body);
    }

    // Each download that was served carries full ID numbers: one entry each, about XTU.
    assert_eq!(views(&app, "import_report").await, 2);
    let about_xtu = format!(
        "SELECT COUNT(*) FROM audit_log WHERE action = 'view_personal' AND institution_id = {xtu} AND after_json LIKE '%名单.xlsx%'"
    );
    assert_eq!(app.count(&about_xtu).await, 2);
    let page = admin.get("/admin/audit?kind=view&entity=import_report").await.body;
    assert!(page.contains("查看个人信息") && page.contains("导入错误报告"), "{page}");
}

#[tokio::test]
async fn a_report_past_its_retention_is_deleted_and_says_so() {
    let app = TestApp::demo().await;
    let mut staff = app.login("staff").await;
    let link = refused_upload(&app, &mut staff).await;
    assert_eq!(kernel::sheet::reports::sweep(&app.db, 30).await.unwrap(), 0, "a fresh report stays");
    assert_eq!(staff.get(&link).await.status, StatusCode::OK);

    backdate_reports(&app).await;
    // Past its time, it is no longer served even before a sweep.
    let gone = staff.get(&link).await;
    assert_eq!(gone.status, StatusCode::GONE);
    assert!(gone.body.contains("错误报告保留 30 天后删除"), "{}", gone.body);

    // Two app servers may sweep at the same time: the report goes once, recorded once.
    assert_eq!(kernel::sheet::reports::sweep(&app.db, 30).await.unwrap(), 1);
    assert_eq!(kernel::sheet::reports::sweep(&app.db, 30).await.unwrap(), 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM import_reports").await, 0);
    let swept = "SELECT COUNT(*) FROM audit_log WHERE action = 'delete' AND entity = 'import_report' AND actor_label = 'retention'";
    assert_eq!(app.count(swept).await, 1);

    let app = app.reconfigured(|c| c.import_reports_days = 7);
    let gone = app.login("staff").await.get(&format!("{link}?lang=en")).await;
    assert_eq!(gone.status, StatusCode::GONE);
    assert!(gone.body.contains("error reports are deleted after 7 days"), "{}", gone.body);
}

#[tokio::test]
async fn a_new_report_deletes_the_expired_ones() {
    let app = TestApp::demo().await;
    let mut staff = app.login("staff").await;
    refused_upload(&app, &mut staff).await;
    backdate_reports(&app).await;
    let mut rows: Vec<Vec<String>> = (4..=5).map(good_row).collect();
    rows[0][0] = String::new();
    upload(&mut staff, "10530", "again.xlsx", xlsx(&HEADERS, &rows)).await;
    assert_eq!(app.count("SELECT COUNT(*) FROM import_reports").await, 1);
    assert_eq!(app.count("SELECT COUNT(*) FROM import_reports WHERE file_name = 'again.xlsx'").await, 1);
}

#[tokio::test]
async fn the_account_form_names_the_graduate_by_a_masked_id_number_and_still_saves() {
    let app = TestApp::demo().await;
    let account = app.id("SELECT id FROM accounts WHERE username = 'graduate'").await;
    let graduate = app.id("SELECT graduate_id FROM accounts WHERE username = 'graduate'").await;
    let number = app
        .db
        .fetch_one("SELECT id_number FROM graduates WHERE id = $1", &[graduate.into()])
        .await
        .unwrap()
        .text("id_number")
        .unwrap();
    let mut admin = app.login("admin").await;
    let form = admin.get(&format!("/admin/accounts/{account}")).await.body;
    assert!(!form.contains(&number), "no full ID number in the form");
    assert!(form.contains(&mask::id_number(&number)), "{form}");

    // Saved with the number left empty, the account keeps its graduate.
    let fields = [("display_name", "毕业生改名"), ("role", "graduate"), ("graduate_id_number", ""), ("active", "on")];
    let saved = admin.post(&format!("/admin/accounts/{account}"), &fields).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let kept = format!("SELECT graduate_id FROM accounts WHERE id = {account} AND display_name = '毕业生改名'");
    assert_eq!(app.id(&kept).await, graduate);
    // A refused save shows the form again, still without the number.
    let refused =
        admin.post(&format!("/admin/accounts/{account}"), &[("display_name", ""), ("role", "graduate")]).await;
    assert_eq!(refused.status, StatusCode::OK);
    assert!(!refused.body.contains(&number) && refused.body.contains(&mask::id_number(&number)));
}

#[tokio::test]
async fn viewing_a_graduates_full_numbers_is_audited_under_its_own_filter() {
    let app = TestApp::demo().await;
    let xtu = app.id("SELECT id FROM institutions WHERE code = '10530'").await;
    let graduate = app.id(&format!("SELECT MIN(id) FROM graduates WHERE institution_id = {xtu}")).await;
    let mut staff = app.login("staff").await;
    let page = staff.get(&format!("/outcomes/graduates/{graduate}")).await;
    assert_eq!(page.status, StatusCode::OK);
    let seen = format!(
        "SELECT COUNT(*) FROM audit_log WHERE action = 'view_personal' AND entity = 'graduate' \
         AND graduate_id = {graduate} AND institution_id = {xtu} AND actor_label = 'staff'"
    );
    assert_eq!(app.count(&seen).await, 1, "one entry for one view");

    // The province sees the numbers masked: nothing to record.
    let mut admin = app.login("admin").await;
    admin.get(&format!("/outcomes/graduates/{graduate}")).await;
    assert_eq!(views(&app, "graduate").await, 1);
    // Nor does a graduate's own page.
    app.login("graduate").await.get("/outcomes/me").await;
    assert_eq!(views(&app, "graduate").await, 1);

    let zh = admin.get(&format!("/admin/audit?kind=view&graduate={graduate}")).await.body;
    assert!(zh.contains("<td>查看个人信息</td>") && zh.contains("<td>staff</td>"), "{zh}");
    assert!(zh.contains("<option value=\"view\" selected>查看个人信息</option>"), "{zh}");
    let en = admin.get(&format!("/admin/audit?kind=view&graduate={graduate}&lang=en")).await.body;
    assert!(en.contains("<td>Viewed personal data</td>"), "{en}");
    // Views stay out of data changes and sign-ins.
    for kind in ["data", "signin"] {
        let other = admin.get(&format!("/admin/audit?kind={kind}&graduate={graduate}")).await.body;
        assert!(!other.contains("<td>查看个人信息</td>"), "{kind}");
    }
}

#[tokio::test]
async fn an_agreement_showing_the_id_number_in_full_is_audited_for_the_school_only() {
    let app = TestApp::demo().await;
    let mut employer = app.login("employer").await;
    assert_eq!(crate::agreements::invite(&mut employer, &app).await.status, StatusCode::SEE_OTHER);
    let id = app.id("SELECT MAX(id) FROM agreements").await;
    let page = format!("/agreements/{id}");
    // The employer sees it masked before the agreement is in force, the graduate sees their own.
    for viewer in ["employer", "graduate", "admin"] {
        assert_eq!(app.login(viewer).await.get(&page).await.status, StatusCode::OK, "{viewer}");
    }
    assert_eq!(views(&app, "agreement").await, 0);
    assert_eq!(app.login("staff").await.get(&page).await.status, StatusCode::OK);
    let graduate = app.id("SELECT graduate_id FROM accounts WHERE username = 'graduate'").await;
    let seen = format!(
        "SELECT COUNT(*) FROM audit_log WHERE action = 'view_personal' AND entity = 'agreement' \
         AND entity_id = '{id}' AND graduate_id = {graduate} AND actor_label = 'staff'"
    );
    assert_eq!(app.count(&seen).await, 1);
}
