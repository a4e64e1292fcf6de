//! Employer self-registration and review.

use axum::http::StatusCode;

use crate::support::TestApp;

const CODE: &str = "91350100M000100Y43";

fn form<'a>(code: &'a str, username: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("name", "长沙星辰软件有限公司"),
        ("credit_code", code),
        ("contact_name", "王芳"),
        ("contact_phone", "138 0013 8000"),
        ("username", username),
        ("password", "hrpass2022"),
    ]
}

#[tokio::test]
async fn employer_registers_waits_and_is_approved() {
    let app = TestApp::demo().await;
    let mut visitor = app.client();
    // Full-width characters, spaces and lower case normalise to a valid code.
    let reply = visitor.register(&form("９１３５０１００ｍ０００１００ｙ４３ ", "xingchen")).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    let row = app
        .db
        .fetch_one(
            "SELECT id, credit_code, status, contact_phone FROM employers WHERE name = '长沙星辰软件有限公司'",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(row.text("credit_code").unwrap(), CODE);
    assert_eq!(row.text("status").unwrap(), "pending");
    assert_eq!(row.text("contact_phone").unwrap(), "13800138000");
    let id = row.i64("id").unwrap();

    let mut hr = app.client();
    assert_eq!(hr.login("xingchen", "hrpass2022").await.status, StatusCode::SEE_OTHER);
    assert!(hr.get("/").await.body.contains("待审核"));

    let mut staff = app.login("staff").await;
    let reply = staff.post(&format!("/registry/employers/{id}/review"), &[("decision", "approve")]).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert!(hr.get("/").await.body.contains("已通过"));
}

#[tokio::test]
async fn a_mistyped_or_taken_credit_code_gets_a_clear_message() {
    let app = TestApp::demo().await;
    let mut visitor = app.client();
    let reply = visitor.register(&form("91350100M000100Y44", "one")).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.body.contains("统一社会信用代码校验位错误"));
    assert!(reply.body.contains("长沙星辰软件有限公司"), "the form keeps what was typed");
    assert_eq!(app.count("SELECT COUNT(*) FROM employers WHERE name = '长沙星辰软件有限公司'").await, 0);

    assert_eq!(visitor.register(&form(CODE, "first")).await.status, StatusCode::SEE_OTHER);
    let reply = visitor.register(&form(CODE, "second")).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.body.contains("该统一社会信用代码已注册"));
    assert_eq!(app.count(&format!("SELECT COUNT(*) FROM employers WHERE credit_code = '{CODE}'")).await, 1);
    assert_eq!(app.count("SELECT COUNT(*) FROM accounts WHERE username = 'second'").await, 0);
}

#[tokio::test]
async fn employer_list_filters_by_status() {
    let app = TestApp::demo().await;
    let mut admin = app.login("admin").await;
    let pending = app.count("SELECT COUNT(*) FROM employers WHERE status = 'pending'").await;
    let page = admin.get("/registry/employers?status=pending").await.body;
    assert!(page.contains(&format!("共 {pending} 条")), "{page}");
}
