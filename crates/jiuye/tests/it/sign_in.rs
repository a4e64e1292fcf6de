//! Signing in safely (issue 10): throttling that cannot lock others out, the
//! same work for unknown names, sessions that end with the password and can be
//! ended by their owner, signed CSRF cookies, HTTPS headers, uncached
//! downloads, and no demo accounts where nobody asked for them.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};

use crate::support::{Client, Reply, TestApp, PASSWORD};
use kernel::web::{CSRF_COOKIE, LANG_COOKIE, SESSION_COOKIE};

const PROXY_HEADER: &str = "X-Forwarded-For";

/// Logs in as the trusted proxy passes a request from `client`.
async fn login_from(c: &mut Client, client: &str, username: &str, password: &str) -> Reply {
    let csrf = c.csrf().await;
    let body = serde_urlencoded::to_string([("username", username), ("password", password), ("_csrf", &csrf)])
        .expect("encode");
    let cookies = c.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ");
    let request = Request::post("/login")
        .header(header::COOKIE, cookies)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(PROXY_HEADER, format!("198.51.100.9, {client}"))
        .body(Body::from(body))
        .expect("request");
    c.send(request).await
}

fn behind_proxy(app: TestApp) -> TestApp {
    app.reconfigured(|c| c.client_ip_header = Some(PROXY_HEADER.to_owned()))
}

#[tokio::test]
async fn twenty_failures_from_one_address_lock_out_nobody_else() {
    let app = TestApp::demo().await;
    let mut attacker = app.client();
    for _ in 0..20 {
        attacker.login("staff", "guess-guess-1").await;
    }
    let refused = attacker.login("staff", PASSWORD).await;
    assert_eq!(refused.status, StatusCode::OK, "the guessing pair waits");
    assert!(refused.body.contains("秒后再试"), "{}", refused.body);
    for other in ["admin", "college", "graduate"] {
        let mut c = app.client();
        assert_eq!(c.login(other, PASSWORD).await.status, StatusCode::SEE_OTHER, "{other} from the same address");
    }
}

#[tokio::test]
async fn behind_the_trusted_proxy_clients_are_told_apart() {
    let app = behind_proxy(TestApp::demo().await);
    let mut attacker = app.client();
    for _ in 0..20 {
        login_from(&mut attacker, "10.0.0.66", "staff", "guess-guess-1").await;
    }
    assert_eq!(login_from(&mut attacker, "10.0.0.66", "staff", PASSWORD).await.status, StatusCode::OK);
    let mut colleague = app.client();
    let reply = login_from(&mut colleague, "10.0.0.2", "staff", PASSWORD).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "another address: {}", reply.body);
    let at = app.db.fetch_one("SELECT client_addr FROM sessions ORDER BY created_at DESC LIMIT 1", &[]).await.unwrap();
    assert_eq!(at.text("client_addr").unwrap(), "10.0.0.2", "the proxy's own address is not the client's");
}

#[tokio::test]
async fn a_known_browser_logs_in_at_an_address_under_attack() {
    let app = behind_proxy(TestApp::demo().await);
    let mut own = app.client();
    assert_eq!(login_from(&mut own, "10.0.0.66", "staff", PASSWORD).await.status, StatusCode::SEE_OTHER);
    own.post("/logout", &[]).await;
    let mut attacker = app.client();
    for _ in 0..20 {
        login_from(&mut attacker, "10.0.0.66", "staff", "guess-guess-1").await;
    }
    assert_eq!(login_from(&mut attacker, "10.0.0.66", "staff", PASSWORD).await.status, StatusCode::OK);
    let reply = login_from(&mut own, "10.0.0.66", "staff", PASSWORD).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "the account's own browser: {}", reply.body);
    // A known-browser cookie names its account: it does not let a guesser past another one's wait.
    let mut stolen = app.client();
    stolen.cookies = own.cookies.clone();
    stolen.cookies.remove(SESSION_COOKIE);
    for _ in 0..6 {
        login_from(&mut stolen, "10.0.0.66", "college", "guess-guess-1").await;
    }
    assert_eq!(login_from(&mut stolen, "10.0.0.66", "college", PASSWORD).await.status, StatusCode::OK);
}

#[tokio::test]
async fn a_failed_login_verifies_a_hash_whether_or_not_the_name_exists() {
    let app = TestApp::demo().await;
    let mut c = app.client();
    c.csrf().await;
    for name in ["staff", "nobody-by-this-name"] {
        let before = kernel::auth::password::verified_on_this_thread();
        let reply = c.login(name, "wrong-password-1").await;
        assert!(reply.body.contains("用户名或密码不正确"), "{name}: the same answer");
        assert_eq!(kernel::auth::password::verified_on_this_thread(), before + 1, "{name}: one argon2 run");
    }
}

async fn api_token(app: &TestApp, username: &str) -> String {
    let id = app.id(&format!("SELECT id FROM accounts WHERE username = '{username}'")).await;
    let mut tx = app.db.begin().await.unwrap();
    let (_, token) = kernel::auth::issue_api_token(&mut tx, id, "script").await.unwrap();
    tx.commit().await.unwrap();
    token
}

async fn signed_in(c: &mut Client) -> bool {
    c.get("/account/password").await.status == StatusCode::OK
}

#[tokio::test]
async fn a_password_change_ends_the_other_sessions_and_tokens_and_keeps_this_one() {
    let app = TestApp::demo().await;
    let mut here = app.login("staff").await;
    let mut elsewhere = app.login("staff").await;
    let token = api_token(&app, "staff").await;
    let reply = here
        .post(
            "/account/password",
            &[("current", PASSWORD), ("new_password", "fresh-pass-22"), ("confirm", "fresh-pass-22")],
        )
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    assert!(signed_in(&mut here).await, "the session that changed it stays");
    assert!(!signed_in(&mut elsewhere).await, "another session ended");
    assert!(kernel::auth::lookup_api_token(&app.db, &token).await.unwrap().is_none(), "the API token revoked");
    let reply = here.get_with("/api/v1/me", "authorization", &format!("Bearer {token}")).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn an_admin_reset_ends_every_session_and_token() {
    let app = TestApp::demo().await;
    let mut expert = app.login("expert").await;
    let token = api_token(&app, "expert").await;
    let id = app.id("SELECT id FROM accounts WHERE username = 'expert'").await;
    let mut admin = app.login("admin").await;
    let fields = [("display_name", "评审专家"), ("role", "expert"), ("active", "on"), ("password", "reset-pass-22")];
    let reply = admin.post(&format!("/admin/accounts/{id}"), &fields).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    assert!(!signed_in(&mut expert).await);
    assert!(kernel::auth::lookup_api_token(&app.db, &token).await.unwrap().is_none());
    assert_eq!(app.client().login("expert", "reset-pass-22").await.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn the_owner_sees_its_sessions_and_ends_one_or_all_others() {
    let app = TestApp::demo().await;
    let mut here = app.login("staff").await;
    let mut phone = app.client();
    let request = Request::get("/login")
        .header(header::USER_AGENT, "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) MicroMessenger/8.0")
        .body(Body::empty())
        .unwrap();
    phone.send(request).await;
    assert_eq!(phone.login("staff", PASSWORD).await.status, StatusCode::SEE_OTHER);
    let mut third = app.login("staff").await;
    let mut other_account = app.login("admin").await;
    let page = here.get("/account/sessions").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.body.matches("name=\"session\"").count(), 2, "two others to end, not this one");
    assert!(page.body.contains("当前会话"));
    let phone_id = kernel::auth::session::token_hash(&phone.cookies[SESSION_COOKIE]);
    // Another account's session is not this owner's to end.
    let admin_id = kernel::auth::session::token_hash(&other_account.cookies[SESSION_COOKIE]);
    here.post("/account/sessions/end", &[("session", &admin_id)]).await;
    assert!(signed_in(&mut other_account).await);
    let reply = here.post("/account/sessions/end", &[("session", &phone_id)]).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert!(!signed_in(&mut phone).await, "the phone's session ended");
    assert!(signed_in(&mut third).await && signed_in(&mut here).await);
    here.post("/account/sessions/end-others", &[]).await;
    assert!(!signed_in(&mut third).await);
    assert!(signed_in(&mut here).await);
    let ended =
        app.count("SELECT COUNT(*) AS n FROM audit_log WHERE action IN ('end_session', 'end_other_sessions')").await;
    assert_eq!(ended, 2);
}

#[tokio::test]
async fn the_csrf_cookie_is_signed_and_secure_behind_https() {
    let app = TestApp::demo().await.reconfigured(|c| c.secure_cookies = true);
    let mut c = app.client();
    let page = c.get("/login").await;
    let cookie = &page.headers["set-cookie"];
    assert!(cookie.starts_with(CSRF_COOKIE) && cookie.contains("; Secure"), "{cookie}");
    assert_eq!(page.headers["strict-transport-security"], "max-age=31536000");
    // A cookie and field pair made up by someone else (a neighbouring site can set cookies) is refused.
    let forged = "a".repeat(64);
    c.cookies.insert(CSRF_COOKIE.to_owned(), forged.clone());
    let reply = c.post_raw("/login", format!("username=admin&password={PASSWORD}&_csrf={forged}")).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    // The server's own cookie works, and plain HTTP gets no HSTS.
    assert_eq!(c.login("admin", PASSWORD).await.status, StatusCode::SEE_OTHER);
    // Every cookie is Secure behind HTTPS, the language and flash cookies too.
    let switched = c.get("/lang?to=en&back=/").await;
    let cookie = &switched.headers["set-cookie"];
    assert!(cookie.starts_with(LANG_COOKIE) && cookie.ends_with("; Secure"), "{cookie}");
    let plain = TestApp::empty().await;
    assert!(!plain.client().get("/login").await.headers.contains_key("strict-transport-security"));
}

#[tokio::test]
async fn downloads_of_personal_data_are_not_cached() {
    let app = TestApp::demo().await;
    let mut staff = app.login("staff").await;
    let export = staff.get("/outcomes/graduates?format=csv").await;
    assert_eq!(export.status, StatusCode::OK);
    assert!(export.disposition.is_some());
    assert_eq!(export.headers["cache-control"], "no-store");
}

#[tokio::test]
async fn serve_makes_no_demo_accounts_on_an_existing_or_named_database() {
    let app = TestApp::empty().await;
    let admins = "SELECT COUNT(*) AS n FROM accounts WHERE username = 'admin'";
    // A database given by URL (PostgreSQL when the suite runs on it).
    let db = jiuye::cli::prepare(&app.config, jiuye::cli::DemoFlags::default()).await.unwrap();
    assert_eq!(db.scalar_i64(admins, &[]).await.unwrap(), 0);
    // The default data folder, already holding a database without demo data.
    let dir = tempfile::tempdir().unwrap();
    let config = kernel::config::Config {
        data_dir: dir.path().to_owned(),
        database_url: None,
        ..kernel::config::Config::for_database("unused")
    };
    jiuye::open(&config).await.unwrap().close().await;
    let db = jiuye::cli::prepare(&config, jiuye::cli::DemoFlags::default()).await.unwrap();
    assert_eq!(db.scalar_i64(admins, &[]).await.unwrap(), 0);
    db.close().await;
}
