//! The API answers only what its document says (what Schemathesis checks in
//! CI, .ci/schemathesis.sh): the refusals Schemathesis first found
//! undocumented (an id past i64, a body without its content type or not
//! JSON, no token on the registry's lists) each answer a status the
//! operation documents, with the documented error body. And the token the
//! command line issues for such scripts works and is audited.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use serde_json::Value;

use crate::support::TestApp;

/// Sends `method path` with an optional bearer token and raw body (with its content type).
async fn send(
    app: &TestApp,
    method: &str,
    path: &str,
    bearer: Option<&str>,
    body: Option<(&str, &str)>,
) -> (StatusCode, String, Value) {
    let mut request = Request::builder().method(method).uri(path).header(header::ACCEPT_LANGUAGE, "en");
    if let Some(token) = bearer {
        request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    let body = match body {
        Some((content_type, text)) => {
            if !content_type.is_empty() {
                request = request.header(header::CONTENT_TYPE, content_type);
            }
            Body::from(text.to_owned())
        }
        None => Body::empty(),
    };
    let reply = app.client().send(request.body(body).expect("request")).await;
    let content_type = reply.headers.get("content-type").cloned().unwrap_or_default();
    (reply.status, content_type, serde_json::from_str(&reply.body).unwrap_or(Value::Null))
}

/// The statuses the served document lists for `method` on the document's `path`.
fn documented(doc: &Value, path: &str, method: &str) -> Vec<String> {
    let responses = doc["paths"][path][method]["responses"].as_object().unwrap_or_else(|| panic!("{method} {path}"));
    responses.keys().cloned().collect()
}

/// A request (method, address, the document's path, token, body with its content type) and the status it must get.
type Case<'a> = (&'a str, String, &'a str, Option<&'a str>, Option<(&'a str, &'a str)>, StatusCode);

async fn token(app: &TestApp, username: &str) -> String {
    jiuye::cli::issue_token(&app.db, username, "schemathesis").await.expect("token issued")
}

#[tokio::test]
async fn refusals_answer_documented_statuses_with_the_error_body() {
    let app = TestApp::demo().await;
    let doc: Value = serde_json::from_str(&app.client().get("/api/openapi.json").await.body).expect("document");
    let admin = token(&app, "admin").await;
    let too_big = "9223372036854775808";
    let cases: Vec<Case> = vec![
        (
            "get",
            format!("/api/v1/postings/{too_big}"),
            "/api/v1/postings/{id}",
            Some(&admin),
            None,
            StatusCode::BAD_REQUEST,
        ),
        (
            "get",
            format!("/api/v1/applications?posting={too_big}"),
            "/api/v1/applications",
            Some(&admin),
            None,
            StatusCode::BAD_REQUEST,
        ),
        (
            "post",
            "/api/v1/destinations".into(),
            "/api/v1/destinations",
            Some(&admin),
            Some(("", "{}")),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ),
        (
            "post",
            "/api/v1/roster".into(),
            "/api/v1/roster",
            Some(&admin),
            Some(("application/json", "\u{0}")),
            StatusCode::BAD_REQUEST,
        ),
        (
            "post",
            "/api/v1/agreements/1/steps".into(),
            "/api/v1/agreements/{number}/steps",
            Some(&admin),
            Some(("application/json", "{\"x\": 1}")),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        ("get", "/api/v1/regions".into(), "/api/v1/regions", None, None, StatusCode::UNAUTHORIZED),
        (
            "get",
            "/api/v1/institutions/10530".into(),
            "/api/v1/institutions/{code}",
            None,
            None,
            StatusCode::UNAUTHORIZED,
        ),
    ];
    for (method, uri, path, bearer, body, expected) in cases {
        let (status, content_type, body) = send(&app, &method.to_uppercase(), &uri, bearer, body).await;
        assert_eq!(status, expected, "{method} {uri}: {body}");
        assert!(
            documented(&doc, path, method).contains(&status.as_u16().to_string()),
            "{method} {path} documents {status}"
        );
        assert!(content_type.starts_with("application/json"), "{method} {uri}: {content_type}");
        assert_eq!(body["status"], status.as_u16(), "{method} {uri}: the error body {body}");
        assert!(body["error"].is_string() && body["message"].is_string(), "{method} {uri}: {body}");
    }
}

#[tokio::test]
async fn the_command_line_issues_a_working_audited_token() {
    let app = TestApp::demo().await;
    let before = app.count("SELECT COUNT(*) FROM audit_log WHERE entity = 'api_token' AND action = 'issue'").await;
    let tokens = app.count("SELECT COUNT(*) FROM api_tokens").await;
    let staff = token(&app, "staff").await;
    assert!(staff.starts_with("jy_"), "{staff}");
    let (status, _, me) = send(&app, "GET", "/api/v1/me", Some(&staff), None).await;
    assert_eq!(status, StatusCode::OK, "{me}");
    assert_eq!(me["username"], "staff", "{me}");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE entity = 'api_token' AND action = 'issue'").await,
        before + 1
    );
    let unknown = jiuye::cli::issue_token(&app.db, "nobody", "x").await.unwrap_err();
    assert!(unknown.to_string().contains("nobody"), "{unknown}");
    assert!(jiuye::cli::issue_token(&app.db, "staff", " ").await.is_err(), "a use must be named");
    assert_eq!(app.count("SELECT COUNT(*) FROM api_tokens").await, tokens + 1, "nothing written for a refused issue");
}

#[test]
fn every_api_operation_documents_its_errors_with_the_error_body() {
    const JSON: &str = "application/json";
    let doc = serde_json::to_value(jiuye::openapi()).expect("the document serialises");
    assert!(doc["components"]["schemas"]["ApiError"].is_object(), "the error body's schema is in the document");
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("a path item") {
            let at = format!("{method} {path}");
            assert_eq!(op["security"][0]["bearer"], serde_json::json!([]), "{at}");
            for status in ["401", "403"] {
                assert!(op["responses"][status].is_object(), "{at} documents {status}");
            }
            for (status, response) in op["responses"].as_object().expect("responses") {
                if status.starts_with('4') {
                    assert!(response["content"][JSON]["schema"].is_object(), "{at} {status} has a body");
                }
            }
        }
    }
    let roster = &doc["paths"]["/api/v1/roster"]["post"]["responses"]["422"]["content"][JSON]["schema"];
    assert_eq!(roster["oneOf"][0]["$ref"], "#/components/schemas/Refused");
    assert_eq!(roster["oneOf"][1]["$ref"], "#/components/schemas/ApiError");
    let posting = &doc["paths"]["/api/v1/postings/{id}"]["get"]["responses"];
    assert!(posting["400"].is_object(), "an id past i64 is a 400");
}
