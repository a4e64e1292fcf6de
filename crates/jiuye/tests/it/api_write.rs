//! The API a university's own systems push through and the province's pull
//! from: roster, destinations and agreement steps with the pages' checks and
//! all-or-nothing, row errors as JSON; placement figures as the pages count them.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use serde_json::{json, Value};

use crate::roster::{good_row, prepare, HEADERS};
use crate::support::{Client, Reply, TestApp};

/// A token issued by the province for `username`'s account, through the tokens page.
pub(crate) async fn token_for(app: &TestApp, username: &str) -> String {
    let mut admin = app.login("admin").await;
    let page = admin.post("/admin/tokens", &[("username", username), ("name", "学校系统")]).await.body;
    let token = page.split("id=\"new-token\">").nth(1).and_then(|s| s.split('<').next()).expect("token shown");
    format!("Bearer {token}")
}

async fn send(
    c: &mut Client,
    method: &str,
    path: &str,
    bearer: Option<&str>,
    body: Option<Value>,
    lang: &str,
) -> Reply {
    let mut request = Request::builder().method(method).uri(path).header(header::ACCEPT_LANGUAGE, lang);
    if let Some(bearer) = bearer {
        request = request.header(header::AUTHORIZATION, bearer);
    }
    let body = match body {
        Some(body) => {
            request = request.header(header::CONTENT_TYPE, "application/json");
            Body::from(body.to_string())
        }
        None => Body::empty(),
    };
    c.send(request.body(body).expect("request")).await
}

async fn post(app: &TestApp, bearer: &str, path: &str, body: Value) -> (StatusCode, Value) {
    let reply = send(&mut app.client(), "POST", path, Some(bearer), Some(body), "zh-CN").await;
    (reply.status, serde_json::from_str(&reply.body).unwrap_or(Value::Null))
}

async fn get(app: &TestApp, bearer: &str, path: &str) -> (StatusCode, Value) {
    let reply = send(&mut app.client(), "GET", path, Some(bearer), None, "zh-CN").await;
    (reply.status, serde_json::from_str(&reply.body).unwrap_or(Value::Null))
}

/// A roster row as JSON, from the roster tests' good row.
fn roster_row(n: u32) -> Value {
    let cells = good_row(n);
    let keys = [
        "student_no",
        "name",
        "gender",
        "id_number",
        "origin_code",
        "ethnicity",
        "political",
        "urban_rural",
        "major_code",
        "level",
        "college",
        "phone",
    ];
    assert_eq!(keys.len(), HEADERS.len());
    Value::Object(keys.iter().zip(cells).map(|(k, v)| (k.to_string(), Value::String(v))).collect())
}

fn roster(institution: &str, rows: Vec<Value>) -> Value {
    json!({ "institution": institution, "cohort": 2022, "rows": rows })
}

#[tokio::test]
async fn a_pushed_roster_is_written_like_a_file_and_updates_on_the_next_push() {
    let app = TestApp::demo().await;
    let xtu = prepare(&app).await;
    let bearer = token_for(&app, "staff").await;
    let (status, body) =
        post(&app, &bearer, "/api/v1/roster", roster("10530", (1..=3).map(roster_row).collect())).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body, json!({ "new": 3, "updated": 0, "unchanged": 0 }));

    let mut rows: Vec<Value> = (1..=4).map(roster_row).collect();
    rows[1]["name"] = json!("改名后");
    let (status, body) = post(&app, &bearer, "/api/v1/roster", roster("10530", rows)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body, json!({ "new": 1, "updated": 1, "unchanged": 2 }));
    let sql = format!("SELECT COUNT(*) FROM graduates WHERE institution_id = {xtu} AND student_no LIKE 'T%'");
    assert_eq!(app.count(&sql).await, 4);
    assert_eq!(app.count("SELECT COUNT(*) FROM graduates WHERE name = '改名后'").await, 1);
    // One batch record per push, one record per graduate written, each naming the token.
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE entity = 'roster' AND actor_label LIKE 'staff (api_token:%'")
            .await,
        2
    );
    let graduate_records =
        "SELECT COUNT(*) FROM audit_log WHERE entity = 'graduate' AND actor_label LIKE 'staff (api_token:%'";
    assert_eq!(app.count(graduate_records).await, 5);
    let page = app.login("staff").await.get("/outcomes/graduates?q=T000004").await.body;
    assert!(page.contains("测试4"), "the pushed graduate is listed");
}

#[tokio::test]
async fn a_body_of_the_wrong_shape_is_told_which_field_and_why() {
    let app = TestApp::demo().await;
    prepare(&app).await;
    let bearer = token_for(&app, "staff").await;
    let mut rows: Vec<Value> = (1..=2).map(roster_row).collect();
    rows[1]["student_no"] = json!(2022001);
    let (status, body) = post(&app, &bearer, "/api/v1/roster", roster("10530", rows)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let message = body["message"].as_str().unwrap_or_default();
    assert!(message.starts_with("请求内容不符合接口格式：") && message.contains("rows[1].student_no"), "{body}");
    assert_eq!(body["status"], 422);
}

#[tokio::test]
async fn a_roster_with_one_bad_row_is_refused_cell_by_cell_and_nothing_is_written() {
    let app = TestApp::demo().await;
    prepare(&app).await;
    let bearer = token_for(&app, "staff").await;
    let mut rows: Vec<Value> = (1..=3).map(roster_row).collect();
    rows[1]["id_number"] = json!("430104200001010000");
    rows[2]["ethnicity"] = json!("");
    let push = roster("10530", rows);
    let (status, body) = post(&app, &bearer, "/api/v1/roster", push.clone()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["total"], 2);
    assert_eq!(body["errors"][0]["row"], 2);
    assert_eq!(body["errors"][0]["column"], "id_number");
    assert_eq!(body["errors"][0]["value"], "430104200001010000");
    assert_eq!(body["errors"][0]["problem"], "invalid_number");
    assert_eq!(
        body["errors"][1],
        json!({"row": 3, "column": "ethnicity", "value": "", "problem": "required", "message": "必填项为空"})
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM graduates WHERE student_no LIKE 'T%'").await, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log WHERE entity = 'roster'").await, 0);

    let reply = send(&mut app.client(), "POST", "/api/v1/roster", Some(&bearer), Some(push), "en").await;
    let body: Value = serde_json::from_str(&reply.body).unwrap();
    assert_eq!(body["errors"][1]["message"], "required but empty", "in the caller's language");
}

#[tokio::test]
async fn pushes_need_a_token_for_the_institution() {
    let app = TestApp::demo().await;
    prepare(&app).await;
    let push = roster("10532", vec![roster_row(1)]);
    let staff = token_for(&app, "staff").await;
    let (status, body) = post(&app, &staff, "/api/v1/roster", push.clone()).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "another institution's roster: {body}");
    assert_eq!(body["status"], 403);
    let reply = send(&mut app.client(), "POST", "/api/v1/roster", None, Some(push.clone()), "zh-CN").await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    for role in ["college", "employer", "graduate"] {
        let bearer = token_for(&app, role).await;
        let (status, _) = post(&app, &bearer, "/api/v1/roster", roster("10530", vec![roster_row(1)])).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{role}");
        let batch = json!({"institution": "10530", "cohort": 2022, "rows": []});
        assert_eq!(post(&app, &bearer, "/api/v1/destinations/batch", batch).await.0, StatusCode::FORBIDDEN, "{role}");
    }
    let admin = token_for(&app, "admin").await;
    let (status, body) = post(&app, &admin, "/api/v1/roster", roster("10530", vec![roster_row(1)])).await;
    assert_eq!((status, &body["new"]), (StatusCode::OK, &json!(1)), "the province pushes for any: {body}");
    assert_eq!(post(&app, &admin, "/api/v1/roster", roster("99999", vec![])).await.0, StatusCode::NOT_FOUND);
}

/// A logged-in browser's cookie alone does not write through the API: another
/// site could make the browser send it. The session's form token in the
/// X-CSRF-Token header (which another site cannot set) lets it through; reads
/// need neither.
#[tokio::test]
async fn an_api_write_by_session_needs_the_form_token_in_a_header() {
    let app = TestApp::demo().await;
    prepare(&app).await;
    let mut staff = app.login("staff").await;
    let batch = json!({"institution": "10530", "cohort": 2022, "rows": []}).to_string();
    let write = |token: Option<String>, lang: &str| {
        let mut request = Request::post("/api/v1/destinations/batch")
            .header(header::ACCEPT_LANGUAGE, lang)
            .header(header::CONTENT_TYPE, "application/json");
        if let Some(token) = token {
            request = request.header(kernel::web::CSRF_HEADER, token);
        }
        request
    };
    let cookies = |c: &Client| c.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ");
    let refused = staff
        .send(write(None, "zh-CN").header(header::COOKIE, cookies(&staff)).body(Body::from(batch.clone())).unwrap())
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(refused.body.contains("X-CSRF-Token"), "{}", refused.body);
    let wrong = staff
        .send(
            write(Some("forged".into()), "en")
                .header(header::COOKIE, cookies(&staff))
                .body(Body::from(batch.clone()))
                .unwrap(),
        )
        .await;
    assert_eq!(wrong.status, StatusCode::FORBIDDEN);
    assert!(wrong.body.contains("API token"), "in the caller's language: {}", wrong.body);
    let token = staff.csrf().await;
    let through = staff
        .send(write(Some(token), "zh-CN").header(header::COOKIE, cookies(&staff)).body(Body::from(batch)).unwrap())
        .await;
    assert!(![StatusCode::FORBIDDEN, StatusCode::UNAUTHORIZED].contains(&through.status), "{}", through.body);
    assert_eq!(staff.get("/api/v1/agreements").await.status, StatusCode::OK, "a read needs no header");
}

/// The first `n` student numbers of 湘潭大学, with their graduate ids.
async fn students(app: &TestApp, n: i64) -> Vec<(String, i64)> {
    let sql = format!("SELECT g.id, g.student_no FROM graduates g JOIN institutions i ON i.id = g.institution_id WHERE i.code = '10530' ORDER BY g.id LIMIT {n}");
    let rows = app.db.fetch_all(&sql, &[]).await.unwrap();
    rows.iter().map(|r| (r.text("student_no").unwrap(), r.i64("id").unwrap())).collect()
}

fn destination(student_no: &str, category: &str, employer: &str) -> Value {
    json!({ "student_no": student_no, "category_code": category, "employer_name": employer,
            "credit_code": "91350100M000100Y43", "signed_on": "2022-06-01" })
}

#[tokio::test]
async fn destinations_pushed_one_and_in_a_batch_show_on_the_graduates_page_and_in_the_log() {
    let app = TestApp::demo().await;
    let students = students(&app, 4).await;
    let bearer = token_for(&app, "staff").await;
    let mut one = destination(&students[0].0, "10", "长沙推送科技有限公司");
    one["institution"] = json!("10530");
    one["cohort"] = json!(2022);
    let (status, body) = post(&app, &bearer, "/api/v1/destinations", one.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert!(body["event_id"].as_i64().is_some());
    let mut staff = app.login("staff").await;
    let page = staff.get(&format!("/outcomes/graduates/{}", students[0].1)).await.body;
    assert!(page.contains("长沙推送科技有限公司"), "{page}");

    let mut bad = one.clone();
    bad["category_code"] = json!("10");
    bad["employer_name"] = json!("");
    bad["credit_code"] = json!("");
    let (status, body) = post(&app, &bearer, "/api/v1/destinations", bad).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body["errors"].as_array().unwrap().iter().any(|e| e["column"] == "employer_name" && e["row"] == 1));
    one["student_no"] = json!("NOSUCH");
    assert_eq!(post(&app, &bearer, "/api/v1/destinations", one).await.0, StatusCode::NOT_FOUND);

    let rows =
        vec![destination(&students[1].0, "10", "批量推送有限公司"), destination(&students[2].0, "801", "湘潭大学")];
    let batch = json!({ "institution": "10530", "cohort": 2022, "rows": rows });
    let (status, body) = post(&app, &bearer, "/api/v1/destinations/batch", batch).await;
    assert_eq!((status, body), (StatusCode::CREATED, json!({ "rows": 2 })));
    let page = staff.get(&format!("/outcomes/graduates/{}", students[1].1)).await.body;
    assert!(page.contains("批量推送有限公司"));
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log WHERE entity = 'destination_batch'").await, 1);

    let mut admin = app.login("admin").await;
    for (student_no, _) in &students[..2] {
        let trail = admin.get(&format!("/admin/audit?person={student_no}")).await.body;
        assert!(trail.contains("api_token:"), "the log names the token for {student_no}");
    }
}

#[tokio::test]
async fn a_batch_with_one_bad_row_writes_nothing() {
    let app = TestApp::demo().await;
    let students = students(&app, 3).await;
    let bearer = token_for(&app, "staff").await;
    let rows = vec![
        destination(&students[0].0, "10", "长沙某公司"),
        destination(&students[1].0, "999", "长沙某公司"),
        destination(&students[0].0, "10", "长沙某公司"),
    ];
    let batch = json!({ "institution": "10530", "cohort": 2022, "rows": rows });
    let (status, body) = post(&app, &bearer, "/api/v1/destinations/batch", batch).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let errors = body["errors"].as_array().unwrap();
    assert!(errors.iter().any(|e| e["row"] == 2 && e["column"] == "category_code"), "{body}");
    assert!(
        errors.iter().any(|e| e["row"] == 3 && e["column"] == "student_no" && e["problem"] == "duplicate"),
        "{body}"
    );
    assert_eq!(body["total"], errors.len());
    assert_eq!(app.count("SELECT COUNT(*) FROM destination_events").await, 0);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE entity IN ('destination', 'destination_batch')").await,
        0
    );
}

/// Offices pushing at the same moment (a deadline) with employers the registry
/// has not seen, the same ones in every batch: every batch lands, each employer
/// is entered once with one audit record, and every row points at it.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn batches_sent_at_once_enter_each_new_employer_once() {
    let app = TestApp::demo().await;
    let admin = token_for(&app, "admin").await;
    let codes: Vec<String> = (0..2)
        .map(|i| {
            let first = format!("9143010{i}MA4L0000{i}");
            format!("{first}{}", kernel::validate::credit_code_check_char(&first).expect("17 characters"))
        })
        .collect();
    let sql = "SELECT i.code, MIN(g.student_no) AS a, MAX(g.student_no) AS b FROM graduates g \
               JOIN institutions i ON i.id = g.institution_id GROUP BY i.code ORDER BY COUNT(*) DESC LIMIT 4";
    let batches: Vec<Value> = app
        .db
        .fetch_all(sql, &[])
        .await
        .unwrap()
        .iter()
        .map(|r| {
            let rows: Vec<Value> = [r.text("a").unwrap(), r.text("b").unwrap()]
                .iter()
                .zip(&codes)
                .map(|(student_no, code)| {
                    let mut row = destination(student_no, "10", "并发新单位有限公司");
                    row["credit_code"] = json!(code);
                    row
                })
                .collect();
            json!({ "institution": r.text("code").unwrap(), "cohort": 2022, "rows": rows })
        })
        .collect();
    assert_eq!(batches.len(), 4);
    let send = |i: usize| post(&app, &admin, "/api/v1/destinations/batch", batches[i].clone());
    let (a, b, c, d) = tokio::join!(send(0), send(1), send(2), send(3));
    for (status, body) in [a, b, c, d] {
        assert_eq!((status, body), (StatusCode::CREATED, json!({ "rows": 2 })));
    }
    let new = "SELECT COUNT(*) FROM employers WHERE credit_code IN ('{0}', '{1}')";
    let new = new.replace("{0}", &codes[0]).replace("{1}", &codes[1]);
    assert_eq!(app.count(&new).await, 2, "each new employer once");
    let entered = "SELECT COUNT(*) FROM audit_log WHERE action = 'record_from_destination'";
    assert_eq!(app.count(entered).await, 2, "one audit record for each new employer");
    let pointed = "SELECT COUNT(*) FROM destinations d JOIN employers e ON e.id = d.employer_id \
                   WHERE e.credit_code = d.credit_code AND d.employer_name = '并发新单位有限公司'";
    assert_eq!(app.count(pointed).await, 8, "every row names its employer");
}

#[tokio::test]
async fn agreement_steps_follow_the_state_machine_and_states_page_by_key() {
    let app = TestApp::demo().await;
    let r = app.db.fetch_one("SELECT g.name, g.student_no, g.id_number FROM graduates g JOIN accounts a ON a.graduate_id = g.id WHERE a.username = 'graduate'", &[]).await.unwrap();
    let (name, student_no, id_number) =
        (r.text("name").unwrap(), r.text("student_no").unwrap(), r.text("id_number").unwrap());
    let mut employer = app.login("employer").await;
    let fields = [
        ("name", name.as_str()),
        ("student_no", student_no.as_str()),
        ("id_number", id_number.as_str()),
        ("position_title", "软件工程师"),
        ("work_region_code", "430104"),
    ];
    assert_eq!(employer.post("/agreements", &fields).await.status, StatusCode::SEE_OTHER);
    let id = app.id("SELECT MAX(id) FROM agreements").await;
    let number = app
        .db
        .fetch_one("SELECT number FROM agreements WHERE id = $1", &[id.into()])
        .await
        .unwrap()
        .text("number")
        .unwrap();
    let steps = format!("/api/v1/agreements/{number}/steps");

    let staff = token_for(&app, "staff").await;
    let (status, body) = post(&app, &staff, &steps, json!({ "step": "college_approve" })).await;
    assert_eq!(status, StatusCode::CONFLICT, "the graduate has not signed yet: {body}");
    assert_eq!(body["status"], 409);
    assert_eq!(
        post(&app, &staff, &steps, json!({ "step": "seal" })).await.0,
        StatusCode::FORBIDDEN,
        "the employer's step"
    );
    assert_eq!(post(&app, &staff, &steps, json!({ "step": "fly" })).await.0, StatusCode::BAD_REQUEST);
    let other = token_for(&app, "staff10532").await;
    assert_eq!(post(&app, &other, &steps, json!({ "step": "college_approve" })).await.0, StatusCode::FORBIDDEN);
    assert_eq!(
        post(&app, &staff, "/api/v1/agreements/NOSUCH/steps", json!({ "step": "accept" })).await.0,
        StatusCode::NOT_FOUND
    );

    let mut graduate = app.login("graduate").await;
    assert_eq!(
        graduate.post(&format!("/agreements/{id}/steps"), &[("step", "accept")]).await.status,
        StatusCode::SEE_OTHER
    );
    let (status, body) = post(&app, &staff, &steps, json!({ "step": "college_approve" })).await;
    assert_eq!((status, body), (StatusCode::OK, json!({ "number": number, "status": "college_approved" })));
    let approved = "SELECT COUNT(*) FROM audit_log WHERE entity = 'agreement' AND action = 'college_approve' AND actor_label LIKE 'staff (api_token:%'";
    assert_eq!(app.count(approved).await, 1);

    let (status, page) = get(&app, &staff, "/api/v1/agreements?since=2000-01-01").await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let item = page["items"].as_array().unwrap().iter().find(|a| a["number"] == json!(number)).expect("listed").clone();
    assert_eq!(item["status"], "college_approved");
    assert_eq!(item["graduate"]["student_no"], json!(student_no));
    assert!(page.get("next").is_none(), "one page");
    let (_, later) = get(&app, &staff, "/api/v1/agreements?since=2999-01-01").await;
    assert_eq!(later["items"], json!([]));
    let (_, others) = get(&app, &other, "/api/v1/agreements").await;
    assert!(!others["items"].as_array().unwrap().iter().any(|a| a["number"] == json!(number)), "scoped");
    assert_eq!(get(&app, &staff, "/api/v1/agreements?since=yesterday").await.0, StatusCode::BAD_REQUEST);
    let expert = token_for(&app, "expert").await;
    assert_eq!(get(&app, &expert, "/api/v1/agreements").await.0, StatusCode::FORBIDDEN);
}

/// (label, graduates, placed) per row of the placement page's CSV export
/// (no label there holds a comma or a quote).
fn csv_rows(csv: &str) -> Vec<(String, u64, u64)> {
    csv.trim_start_matches('\u{feff}')
        .lines()
        .skip(1)
        .filter(|line| !line.trim().is_empty())
        .map(|line| {
            let cells: Vec<&str> = line.split(',').map(|c| c.trim().trim_matches('"')).collect();
            (cells[0].to_owned(), cells[1].parse().unwrap(), cells[2].parse().unwrap())
        })
        .collect()
}

#[tokio::test]
async fn placement_pulled_by_any_grouping_matches_the_pages_figures() {
    let app = TestApp::demo().await;
    let students = students(&app, 5).await;
    let staff = token_for(&app, "staff").await;
    let rows: Vec<Value> = students.iter().take(3).map(|(s, _)| destination(s, "10", "长沙某公司")).collect();
    let batch = json!({ "institution": "10530", "cohort": 2022, "rows": rows });
    assert_eq!(post(&app, &staff, "/api/v1/destinations/batch", batch).await.0, StatusCode::CREATED);
    let today = kernel::time::today_china().format("%Y-%m-%d").to_string();
    let admin = token_for(&app, "admin").await;
    let mut page_reader = app.login("admin").await;
    for by in ["institution", "discipline"] {
        let (status, api) = get(&app, &admin, &format!("/api/v1/placement?cohort=2022&as_of={today}&by={by}")).await;
        assert_eq!(status, StatusCode::OK, "{api}");
        let csv =
            page_reader.get(&format!("/outcomes/placement?cohort=2022&as_of={today}&by={by}&format=csv")).await.body;
        let page = csv_rows(&csv);
        let (total, groups) = page.split_last().unwrap();
        assert_eq!(
            (api["total"]["graduates"].as_u64(), api["total"]["placed"].as_u64()),
            (Some(total.1), Some(total.2))
        );
        assert_eq!(api["groups"].as_array().unwrap().len(), groups.len(), "{by}");
        for (g, (label, graduates, placed)) in api["groups"].as_array().unwrap().iter().zip(groups) {
            assert_eq!(
                (g["label"].as_str(), g["graduates"].as_u64(), g["placed"].as_u64()),
                (Some(label.as_str()), Some(*graduates), Some(*placed)),
                "{by}"
            );
        }
    }
    let (_, whole) = get(&app, &admin, "/api/v1/placement?cohort=2022").await;
    assert_eq!(whole["total"]["placed"], 3);
    assert_eq!(whole["by"], "province");
    // A university sees only its own.
    let (_, own) = get(&app, &staff, "/api/v1/placement?cohort=2022&by=institution").await;
    assert_eq!(own["groups"].as_array().unwrap().len(), 1);
    assert_eq!(own["groups"][0]["placed"], 3);
    assert_eq!(get(&app, &staff, "/api/v1/placement?by=planet").await.0, StatusCode::BAD_REQUEST);
    assert_eq!(get(&app, &token_for(&app, "employer").await, "/api/v1/placement").await.0, StatusCode::FORBIDDEN);
    assert_eq!(
        send(&mut app.client(), "GET", "/api/v1/placement", None, None, "zh").await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn the_document_lists_every_new_path_with_401_and_403_and_the_bearer_scheme() {
    let doc = serde_json::to_value(jiuye::openapi()).unwrap();
    for (path, method) in [
        ("/api/v1/roster", "post"),
        ("/api/v1/destinations", "post"),
        ("/api/v1/destinations/batch", "post"),
        ("/api/v1/agreements", "get"),
        ("/api/v1/agreements/{number}/steps", "post"),
        ("/api/v1/placement", "get"),
    ] {
        let op = &doc["paths"][path][method];
        for status in ["200", "401", "403"] {
            let alt = if status == "200" { "201" } else { status };
            assert!(op["responses"].get(status).is_some() || op["responses"].get(alt).is_some(), "{path} {status}");
        }
        assert_eq!(op["security"][0]["bearer"], json!([]), "{path}");
    }
    assert_eq!(
        // Refused, or the error body when the JSON does not match the request's schema at all.
        doc["paths"]["/api/v1/roster"]["post"]["responses"]["422"]["content"]["application/json"]["schema"]["oneOf"][0]
            ["$ref"],
        "#/components/schemas/Refused"
    );
    assert!(doc["paths"]["/api/v1/agreements/{number}/steps"]["post"]["responses"]["409"].is_object());
    assert_eq!(doc["components"]["securitySchemes"]["bearer"]["scheme"], "bearer");
}
