//! The door's API: `POST /api/v1/fairs/{id}/checkins` checks in as the door
//! page does, once under concurrent duplicates; refused codes answer 422 in
//! the caller's language with nothing written; only the fair's hosts may use it.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use chrono::{Duration, Utc};
use kernel::auth::secret::SigningKey;
use recruitment::fairs::rules::{pass, Holder};
use serde_json::{json, Value};

use crate::api_write::token_for;
use crate::fairs::open_fair;
use crate::support::{Client, TestApp};

async fn check_in(c: &mut Client, bearer: Option<&str>, fair: i64, code: &str, lang: &str) -> (StatusCode, Value) {
    let mut request = Request::builder()
        .method("POST")
        .uri(format!("/api/v1/fairs/{fair}/checkins"))
        .header(header::ACCEPT_LANGUAGE, lang)
        .header(header::CONTENT_TYPE, "application/json");
    if let Some(bearer) = bearer {
        request = request.header(header::AUTHORIZATION, bearer);
    }
    let body = Body::from(json!({ "code": code }).to_string());
    let reply = c.send(request.body(body).expect("request")).await;
    (reply.status, serde_json::from_str(&reply.body).unwrap_or(Value::Null))
}

async fn graduate_pass(app: &TestApp, fair: i64) -> String {
    let graduate = app.id("SELECT graduate_id FROM accounts WHERE username = 'graduate'").await;
    let key = SigningKey::load_or_create(&app.db).await.unwrap();
    pass(&key, fair, Holder::Graduate(graduate), Utc::now() + Duration::minutes(10))
}

fn checked_in(fair: i64) -> String {
    format!("SELECT COUNT(*) FROM fair_registrations WHERE fair_id = {fair} AND checked_in_at IS NOT NULL")
}

fn audited(fair: i64) -> String {
    format!(
        "SELECT COUNT(*) FROM audit_log WHERE entity = 'fair_registration' AND action = 'check_in' AND entity_id IN \
         (SELECT CAST(id AS TEXT) FROM fair_registrations WHERE fair_id = {fair})"
    )
}

#[tokio::test]
async fn a_pass_checks_in_once_under_concurrent_duplicates() {
    let app = TestApp::demo().await;
    let (fair, _) = open_fair(&app, "100").await;
    let code = graduate_pass(&app, fair).await;
    let bearer = token_for(&app, "admin").await;
    let mut c = app.client();
    let mut scans = tokio::task::JoinSet::new();
    for _ in 0..12 {
        let (mut c, bearer, code) = (c.clone(), bearer.clone(), code.clone());
        scans.spawn(async move { check_in(&mut c, Some(&bearer), fair, &code, "zh-CN").await });
    }
    let answers = scans.join_all().await;
    assert!(answers.iter().all(|(status, a)| *status == StatusCode::OK && a["admitted"] == true), "{answers:?}");
    assert_eq!(answers.iter().filter(|(_, a)| a["first"] == true).count(), 1, "one first check-in");
    let (_, first) = answers.iter().find(|(_, a)| a["first"] == true).expect("the first");
    assert!(first["who"].as_str().unwrap_or_default().contains("湘潭大学"), "{first}");
    assert!(first["message"].as_str().unwrap_or_default().starts_with("签到成功"), "{first}");
    let (_, again) = check_in(&mut c, Some(&bearer), fair, &code, "en").await;
    assert_eq!(again["first"], false);
    assert_eq!(again["at"], first["at"], "the first check-in's time");
    assert!(again["message"].as_str().unwrap_or_default().starts_with("Already checked in"), "{again}");
    assert_eq!(app.count(&checked_in(fair)).await, 1);
    assert_eq!(app.count(&audited(fair)).await, 1);
    let by_token = "SELECT COUNT(*) FROM audit_log WHERE actor_label LIKE '%api_token%' AND action = 'check_in'";
    assert_eq!(app.count(by_token).await, 1, "the token's account is named");
}

#[tokio::test]
async fn refused_codes_answer_422_in_the_callers_language_and_write_nothing() {
    let app = TestApp::demo().await;
    let (fair, _) = open_fair(&app, "100").await;
    let bearer = token_for(&app, "admin").await;
    let mut c = app.client();
    let good = graduate_pass(&app, fair).await;
    let graduate = app.id("SELECT graduate_id FROM accounts WHERE username = 'graduate'").await;
    let forged = good.replacen(&format!("g{graduate}"), &format!("g{}", graduate + 1), 1);
    let key = SigningKey::load_or_create(&app.db).await.unwrap();
    let expired = pass(&key, fair, Holder::Graduate(graduate), Utc::now() - Duration::minutes(1));
    for (code, lang, says) in [
        (forged.as_str(), "zh-CN", "无效的入场码"),
        (forged.as_str(), "en", "Invalid pass"),
        (expired.as_str(), "zh-CN", "入场码已过期"),
        ("<script>alert(1)</script>", "zh-CN", "无法识别"),
        ("ZZ0000000000", "en", "No graduate of this cohort"),
    ] {
        let (status, answer) = check_in(&mut c, Some(&bearer), fair, code, lang).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{code}");
        assert_eq!(answer["admitted"], false);
        assert!(answer["message"].as_str().unwrap_or_default().contains(says), "{says}: {answer}");
    }
    assert_eq!(app.count(&checked_in(fair)).await, 0);
    assert_eq!(app.count(&audited(fair)).await, 0);
}

#[tokio::test]
async fn only_the_fairs_hosts_check_in_through_the_api() {
    let app = TestApp::demo().await;
    let (fair, _) = open_fair(&app, "100").await;
    let code = graduate_pass(&app, fair).await;
    let own = app.id("SELECT institution_id FROM accounts WHERE username = 'staff'").await;
    let stranger = app
        .db
        .fetch_one("SELECT code FROM institutions WHERE id <> $1 ORDER BY code", &[own.into()])
        .await
        .unwrap()
        .text("code")
        .unwrap();
    let stranger = token_for(&app, &format!("staff{stranger}")).await;
    let mut c = app.client();
    assert_eq!(check_in(&mut c, Some(&stranger), fair, &code, "zh-CN").await.0, StatusCode::NOT_FOUND, "not its fair");
    assert_eq!(check_in(&mut c, Some(&stranger), fair + 1000, &code, "zh-CN").await.0, StatusCode::NOT_FOUND);
    for (who, status) in
        [("college", StatusCode::FORBIDDEN), ("graduate", StatusCode::FORBIDDEN), ("employer", StatusCode::FORBIDDEN)]
    {
        let bearer = token_for(&app, who).await;
        assert_eq!(check_in(&mut c, Some(&bearer), fair, &code, "zh-CN").await.0, status, "{who}");
    }
    assert_eq!(check_in(&mut c, None, fair, &code, "zh-CN").await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(app.count(&checked_in(fair)).await, 0);

    // A university hosting the fair checks in at its door.
    let mut tx = app.db.begin().await.unwrap();
    tx.execute("INSERT INTO fair_hosts (fair_id, institution_id) VALUES ($1, $2)", &[fair.into(), own.into()])
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let staff = token_for(&app, "staff").await;
    let (status, answer) = check_in(&mut c, Some(&staff), fair, &code, "zh-CN").await;
    assert_eq!((status, answer["first"].clone()), (StatusCode::OK, Value::Bool(true)), "{answer}");
    let doc: Value = serde_json::from_str(&c.get("/api/openapi.json").await.body).unwrap();
    assert!(doc["paths"]["/api/v1/fairs/{id}/checkins"]["post"]["responses"]["422"].is_object());
}
