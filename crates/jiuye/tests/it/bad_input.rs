//! Empty, oversized and garbage input gets messages, never a 500; text that
//! looks like SQL or HTML is stored and shown as plain text.

use axum::http::StatusCode;

use crate::support::TestApp;

#[tokio::test]
async fn garbage_forms_get_messages_not_errors() {
    let app = TestApp::demo().await;
    let mut visitor = app.client();
    let long = "长".repeat(1000);
    for fields in [
        vec![],
        vec![
            ("name", ""),
            ("credit_code", ""),
            ("contact_name", ""),
            ("contact_phone", ""),
            ("username", ""),
            ("password", ""),
        ],
        vec![
            ("name", long.as_str()),
            ("credit_code", long.as_str()),
            ("contact_name", long.as_str()),
            ("contact_phone", long.as_str()),
            ("username", long.as_str()),
            ("password", long.as_str()),
        ],
        vec![
            ("name", "\u{0}\u{1}"),
            ("credit_code", "☃☃☃"),
            ("contact_phone", "abc"),
            ("username", "a b"),
            ("password", "x"),
        ],
    ] {
        let reply = visitor.register(&fields).await;
        assert_eq!(
            reply.status,
            StatusCode::OK,
            "{:?}",
            fields.iter().map(|(k, v)| (k, v.chars().count())).collect::<Vec<_>>()
        );
        assert!(reply.body.contains("errors-summary"));
    }
    let reply = visitor.post_raw("/login", "%%%garbage".to_owned()).await;
    assert!(reply.status.is_client_error());
    let huge = format!("_csrf=x&name={}", "a".repeat(400_000));
    let reply = visitor.post_raw("/employers/register", huge).await;
    assert!(reply.status.is_client_error());
    let mut admin = app.login("admin").await;
    for path in [
        "/registry/institutions?page=-5&sort=%27;drop",
        "/registry/regions?page=abc",
        "/admin/audit?from=yesterday&to=2022-13-45",
        "/registry/institutions/notanumber",
    ] {
        let reply = admin.get(path).await;
        assert!(reply.status != StatusCode::INTERNAL_SERVER_ERROR, "{path}");
    }
    assert!(admin.get("/admin/audit?from=yesterday").await.body.contains("日期格式"));
}

#[tokio::test]
async fn sql_and_html_are_kept_as_plain_text() {
    let app = TestApp::demo().await;
    let xtu = app.id("SELECT id FROM institutions WHERE code = '10530'").await;
    let mut staff = app.login("staff").await;
    let nasty = "<script>alert(1)</script>'); DROP TABLE colleges;--";
    let reply = staff.post(&format!("/registry/institutions/{xtu}/colleges"), &[("code", "66"), ("name", nasty)]).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert_eq!(app.count("SELECT COUNT(*) FROM colleges WHERE code = '66'").await, 1);
    let page = staff.get(&format!("/registry/institutions/{xtu}")).await.body;
    assert!(!page.contains("<script>alert(1)</script>"));
    assert!(page.contains("&#60;script&#62;alert(1)&#60;/script&#62;"));
    let search = staff.get("/registry/institutions?q=%27%20OR%201%3D1%20--").await;
    assert_eq!(search.status, StatusCode::OK);
    assert!(search.body.contains("共 0 条"));
}
