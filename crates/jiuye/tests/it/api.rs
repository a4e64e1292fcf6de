//! The JSON API: tokens, scopes and the OpenAPI document.

use axum::http::StatusCode;

use crate::support::TestApp;

#[tokio::test]
async fn openapi_document_matches_the_committed_copy() {
    let generated = serde_json::to_string_pretty(&jiuye::openapi()).unwrap() + "\n";
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/openapi.json");
    if std::env::var("UPDATE_OPENAPI").is_ok() {
        std::fs::write(path, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        committed == generated,
        "the API changed: run `UPDATE_OPENAPI=1 cargo test openapi` and commit crates/jiuye/openapi.json"
    );
    let app = TestApp::empty().await;
    let reply = app.client().get("/api/openapi.json").await;
    assert_eq!(reply.status, StatusCode::OK);
    let served: serde_json::Value = serde_json::from_str(&reply.body).unwrap();
    assert_eq!(served, serde_json::to_value(jiuye::openapi()).unwrap(), "the served document is the tested one");
    assert!(reply.body.contains("/api/v1/institutions"));
}

#[tokio::test]
async fn tokens_act_with_their_accounts_scope_until_revoked() {
    let app = TestApp::demo().await;
    let mut admin = app.login("admin").await;
    let page = admin.post("/admin/tokens", &[("username", "staff"), ("name", "学校就业系统同步")]).await.body;
    let token =
        page.split("id=\"new-token\">").nth(1).and_then(|s| s.split('<').next()).expect("token shown once").to_owned();
    let mut machine = app.client();
    let bearer = format!("Bearer {token}");
    let reply = machine.get_with("/api/v1/institutions", "authorization", &bearer).await;
    assert_eq!(reply.status, StatusCode::OK);
    let json: serde_json::Value = serde_json::from_str(&reply.body).unwrap();
    assert_eq!(json["total"], 1);
    assert_eq!(json["items"][0]["code"], "10530");
    assert_eq!(
        machine.get_with("/api/v1/institutions/10532", "authorization", &bearer).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        machine.get_with("/api/v1/me", "authorization", "Bearer jy_forged").await.status,
        StatusCode::UNAUTHORIZED
    );

    let id = app.id("SELECT MAX(id) FROM api_tokens").await;
    assert_eq!(admin.post(&format!("/admin/tokens/{id}/revoke"), &[]).await.status, StatusCode::SEE_OTHER);
    assert_eq!(machine.get_with("/api/v1/me", "authorization", &bearer).await.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn health_check_answers() {
    let app = TestApp::empty().await;
    let reply = app.client().get("/healthz").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.body.contains("\"ok\""));
}
