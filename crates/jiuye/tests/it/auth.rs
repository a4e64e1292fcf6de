//! Logging in and out, throttling, CSRF, password change and the language switch.

use axum::http::StatusCode;

use crate::support::{TestApp, PASSWORD};

#[tokio::test]
async fn login_logout_and_wrong_password() {
    let app = TestApp::demo().await;
    let mut c = app.client();
    let reply = c.login("admin", "wrong-password1").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.body.contains("用户名或密码不正确"));
    assert!(reply.body.contains("value=\"admin\""), "the form keeps the user name");

    let reply = c.login("admin", PASSWORD).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    let home = c.get("/").await;
    assert!(home.body.contains("省教育厅管理员"));
    assert!(home.body.contains("/admin/audit"), "the province's navigation");

    let reply = c.post("/logout", &[]).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert_eq!(c.get("/admin/audit").await.status, StatusCode::SEE_OTHER);
    assert_eq!(app.count("SELECT COUNT(*) FROM sessions").await, 0);
}

#[tokio::test]
async fn login_follows_next_only_within_the_site() {
    let app = TestApp::demo().await;
    let mut c = app.client();
    let reply = c.post("/login", &[("username", "admin"), ("password", PASSWORD), ("next", "/registry/regions")]).await;
    assert_eq!(reply.location.as_deref(), Some("/registry/regions"));
    let mut c = app.client();
    let reply = c.post("/login", &[("username", "admin"), ("password", PASSWORD), ("next", "//evil.example/")]).await;
    assert_eq!(reply.location.as_deref(), Some("/outcomes/dashboard"), "the province's start page");
    let mut c = app.client();
    let reply = c.post("/login", &[("username", "graduate"), ("password", PASSWORD)]).await;
    assert_eq!(reply.location.as_deref(), Some("/"));
}

#[tokio::test]
async fn repeated_failures_lock_the_account() {
    let app = TestApp::demo().await;
    let mut c = app.client();
    for _ in 0..kernel::auth::THROTTLE_LIMIT {
        c.login("staff", "nope-nope-1").await;
    }
    let reply = c.login("staff", PASSWORD).await;
    assert_eq!(reply.status, StatusCode::OK, "locked even with the right password");
    assert!(reply.body.contains("15 分钟"));
    // Other accounts from the same address still log in.
    let reply = c.login("admin", PASSWORD).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn forms_without_the_csrf_token_are_refused() {
    let app = TestApp::demo().await;
    let mut c = app.client();
    c.csrf().await;
    let reply = c.post_raw("/login", "username=admin&password=jiuye2022".to_owned()).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert!(reply.body.contains("页面已过期"));
    let reply = c.post_raw("/login", "username=admin&password=jiuye2022&_csrf=forged".to_owned()).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn password_change_checks_and_takes_effect() {
    let app = TestApp::demo().await;
    let mut c = app.login("expert").await;
    let reply =
        c.post("/account/password", &[("current", "bad"), ("new_password", "short"), ("confirm", "other")]).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.body.contains("当前密码不正确"));
    assert!(reply.body.contains("至少 8 位"));
    assert!(reply.body.contains("不一致"));
    let reply = c
        .post(
            "/account/password",
            &[("current", PASSWORD), ("new_password", "newpass2023"), ("confirm", "newpass2023")],
        )
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    let mut fresh = app.client();
    assert_eq!(fresh.login("expert", PASSWORD).await.status, StatusCode::OK);
    assert_eq!(fresh.login("expert", "newpass2023").await.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn english_is_one_click_away_and_sticks() {
    let app = TestApp::demo().await;
    let mut c = app.login("admin").await;
    let home = c.get("/registry/regions").await.body;
    assert!(home.contains("行政区划"));
    assert!(home.contains("lang=\"zh-CN\""));
    let reply = c.get("/lang?to=en&back=%2Fregistry%2Fregions").await;
    assert_eq!(reply.location.as_deref(), Some("/registry/regions"));
    let page = c.get("/registry/regions").await.body;
    assert!(page.contains("<h1>Regions</h1>"));
    assert!(page.contains("lang=\"en\""));
    // Accept-Language picks English for a first visit too.
    let mut visitor = app.client();
    let page = visitor.get_with("/login", "accept-language", "en-GB,en;q=0.9").await.body;
    assert!(page.contains("User name"));
}

#[tokio::test]
async fn forbidden_page_speaks_the_users_language() {
    let app = TestApp::demo().await;
    let mut c = app.login("graduate").await;
    let reply = c.get("/admin/audit").await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert!(reply.body.contains("无权访问"));
    c.get("/lang?to=en&back=%2F").await;
    let reply = c.get("/admin/audit").await;
    assert!(reply.body.contains("Access denied"));
    let reply = c.get("/no/such/page").await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert!(reply.body.contains("Page not found"));
}

#[tokio::test]
async fn pages_carry_security_headers_and_http_only_cookies() {
    let app = TestApp::empty().await;
    let request = axum::http::Request::get("/login").body(axum::body::Body::empty()).unwrap();
    let response = tower::ServiceExt::oneshot(app.router.clone(), request).await.unwrap();
    let headers = response.headers();
    assert_eq!(headers["x-frame-options"], "DENY");
    assert!(headers["content-security-policy"].to_str().unwrap().contains("default-src 'self'"));
    let cookie = headers["set-cookie"].to_str().unwrap();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"), "{cookie}");
}
