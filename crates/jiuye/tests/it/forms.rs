//! The destination form helps the office (a registered employer filled in from
//! its credit code, the fields each category needs, look-ups for the pickers,
//! regions by name), and a three-party agreement carries what a 就业协议书 says,
//! with a public check by its verification code.

use axum::http::StatusCode;

use crate::support::{Client, TestApp};

/// A registered employer of the demo with known attributes: (id, credit code, name).
pub async fn registered_employer(app: &TestApp) -> (i64, String, String) {
    let r = app
        .db
        .fetch_one("SELECT id, credit_code, name FROM employers WHERE status = 'approved' ORDER BY id", &[])
        .await
        .unwrap();
    let id = r.i64("id").unwrap();
    let mut tx = app.db.begin().await.unwrap();
    tx.execute(
        "UPDATE employers SET nature_code = '39', industry_code = '34', region_code = '430104' WHERE id = $1",
        &[id.into()],
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    (id, r.text("credit_code").unwrap(), r.text("name").unwrap())
}

async fn xtu_graduate(app: &TestApp) -> i64 {
    app.id("SELECT MIN(g.id) FROM graduates g JOIN institutions i ON i.id = g.institution_id WHERE i.code = '10530'")
        .await
}

#[tokio::test]
async fn a_registered_employers_credit_code_fills_in_the_employer_without_javascript() {
    let app = TestApp::demo().await;
    let (employer_id, code, name) = registered_employer(&app).await;
    let id = xtu_graduate(&app).await;
    let mut staff = app.login("staff").await;
    let reply = staff
        .post(
            &format!("/outcomes/graduates/{id}/destination"),
            &[("category_code", "10"), ("credit_code", &code.to_lowercase())],
        )
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    let e = app
        .db
        .fetch_one(
            "SELECT employer_name, nature_code, industry_code, region_code, employer_id FROM destination_events WHERE graduate_id = $1",
            &[id.into()],
        )
        .await
        .unwrap();
    assert_eq!(e.text("employer_name").unwrap(), name);
    assert_eq!(e.text("nature_code").unwrap(), "39");
    assert_eq!(e.text("industry_code").unwrap(), "34");
    assert_eq!(e.text("region_code").unwrap(), "430104");
    assert_eq!(e.i64("employer_id").unwrap(), employer_id);
    // What staff type stays theirs.
    let reply = staff
        .post(
            &format!("/outcomes/graduates/{id}/destination"),
            &[("category_code", "10"), ("credit_code", &code), ("nature_code", "31")],
        )
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    let nature = "SELECT nature_code FROM destination_events WHERE graduate_id = $1 ORDER BY id DESC";
    assert_eq!(app.db.fetch_one(nature, &[id.into()]).await.unwrap().text("nature_code").unwrap(), "31");
    // The history names the region rather than its code.
    let page = staff.get(&format!("/outcomes/graduates/{id}")).await.body;
    let history = page.split("id=\"history\"").nth(1).unwrap();
    assert!(history.contains("湖南省长沙市岳麓区") && !history.contains(">430104<"), "{history}");
}

#[tokio::test]
async fn each_category_asks_for_its_own_fields() {
    let app = TestApp::demo().await;
    let id = xtu_graduate(&app).await;
    let mut staff = app.login("staff").await;
    let page = format!("/outcomes/graduates/{id}/destination");
    let reply = staff.post(&page, &[("category_code", "10")]).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.body.contains("此类毕业去向须填写单位名称"), "code 10 needs the employer's name");
    assert!(reply.body.contains("此类毕业去向须填写单位的统一社会信用代码"), "and its credit code");
    let reply = staff.post(&format!("{page}?lang=en"), &[("category_code", "801")]).await;
    assert!(reply.body.contains("for further study, the school"), "further study needs the school");
    let reply = staff.post(&page, &[("category_code", "46")]).await;
    assert!(reply.body.contains("入伍地"), "enlistment needs the region");
    let reply = staff.post(&page, &[("category_code", "502"), ("employer_name", "某县农业局")]).await;
    assert!(reply.body.contains("服务地"), "a grassroots project needs where it serves");
    assert_eq!(app.count("SELECT COUNT(*) FROM destination_events").await, 0, "nothing half-written");
    let reply = staff.post(&page, &[("category_code", "76")]).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "freelance needs no employer");
}

#[tokio::test]
async fn the_look_ups_are_for_staff_only() {
    let app = TestApp::demo().await;
    let (_, code, name) = registered_employer(&app).await;
    let path = |q: &str| format!("/api/v1/employers/lookup?q={}", kernel::web::url::url_encode(q));
    assert_eq!(app.client().get(&path(&code)).await.status, StatusCode::UNAUTHORIZED);
    for role in ["graduate", "employer", "expert"] {
        assert_eq!(app.login(role).await.get(&path(&code)).await.status, StatusCode::FORBIDDEN, "{role}");
    }
    let mut staff = app.login("staff").await;
    let found: serde_json::Value = serde_json::from_str(&staff.get(&path(&code)).await.body).unwrap();
    assert_eq!(found[0]["name"], name.as_str());
    assert_eq!(found[0]["region_code"], "430104");
    let head: String = name.chars().take(2).collect();
    let by_name: serde_json::Value = serde_json::from_str(&staff.get(&path(&head)).await.body).unwrap();
    let cards = by_name.as_array().unwrap();
    assert!(!cards.is_empty() && cards.len() <= 10, "a few to pick from");
    assert!(cards.iter().any(|c| c["credit_code"] == code.as_str()));
    let none: serde_json::Value = serde_json::from_str(&staff.get(&path("")).await.body).unwrap();
    assert_eq!(none.as_array().map(Vec::len), Some(0));
    assert_eq!(app.client().get("/api/v1/regions?q=%E5%B2%B3%E9%BA%93").await.status, StatusCode::UNAUTHORIZED);
    assert!(staff.get("/api/v1/regions?q=%E5%B2%B3%E9%BA%93").await.body.contains("430104"));
}

/// The demo graduate's identity: (name, student number, ID number, phone).
async fn identity(app: &TestApp) -> (String, String, String, String) {
    let r = app
        .db
        .fetch_one(
            "SELECT g.name, g.student_no, g.id_number, g.phone FROM graduates g JOIN accounts a ON a.graduate_id = g.id WHERE a.username = 'graduate'",
            &[],
        )
        .await
        .unwrap();
    let phone = r.opt_text("phone").unwrap().unwrap_or_default();
    (r.text("name").unwrap(), r.text("student_no").unwrap(), r.text("id_number").unwrap(), phone)
}

const BREACH: &str = "任何一方违约，向守约方支付违约金 3000 元";
const ARCHIVE: &str = "长沙市人才服务中心（岳麓区）";
const HUKOU: &str = "长沙市岳麓区公安分局";

async fn invite_with_terms(employer: &mut Client, app: &TestApp, probation: &str) -> crate::support::Reply {
    let (name, student_no, id_number, _) = identity(app).await;
    employer
        .post(
            "/agreements",
            &[
                ("name", &name),
                ("student_no", &student_no),
                ("id_number", &id_number),
                ("position_title", "软件工程师"),
                ("monthly_salary", "8000"),
                ("work_region_code", "430104"),
                ("term_months", "36"),
                ("probation_months", probation),
                ("breach_terms", BREACH),
                ("archive_to", ARCHIVE),
                ("hukou_to", HUKOU),
            ],
        )
        .await
}

fn shows_terms(page: &str) -> bool {
    ["36 个月", "6 个月", BREACH, ARCHIVE, HUKOU, "8000", "湖南省长沙市岳麓区"].iter().all(|t| page.contains(t))
}

async fn step(c: &mut Client, id: i64, step: &str) {
    let reply = c.post(&format!("/agreements/{id}/steps"), &[("step", step)]).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{step}");
}

#[tokio::test]
async fn an_agreement_carries_its_terms_from_invitation_to_print() {
    let app = TestApp::demo().await;
    let mut employer = app.login("employer").await;
    let reply = invite_with_terms(&mut employer, &app, "7").await;
    assert!(reply.body.contains("请填写 0 到 6 之间的月数"), "probation beyond the law is refused");
    let reply = invite_with_terms(&mut employer, &app, "6").await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    let id = app.id("SELECT MAX(id) FROM agreements").await;
    let (name, _, id_number, _) = identity(&app).await;
    let major = app
        .db
        .fetch_one(
            "SELECT m.name FROM graduates g JOIN majors m ON m.id = g.major_id JOIN accounts a ON a.graduate_id = g.id WHERE a.username = 'graduate'",
            &[],
        )
        .await
        .unwrap()
        .text("name")
        .unwrap();
    let detail = format!("/agreements/{id}");

    // The graduate reads the terms before accepting, the college before approving.
    let mut graduate = app.login("graduate").await;
    let page = graduate.get(&detail).await.body;
    assert!(shows_terms(&page) && page.contains(&major) && page.contains(&id_number), "{page}");
    step(&mut graduate, id, "accept").await;
    let mut staff = app.login("staff").await;
    let page = staff.get(&detail).await.body;
    assert!(shows_terms(&page) && page.contains(&id_number));
    step(&mut staff, id, "college_approve").await;
    // The employer sees the number masked until the agreement is printed.
    let page = employer.get(&detail).await.body;
    assert!(shows_terms(&page) && !page.contains(&id_number) && page.contains(&kernel::mask::id_number(&id_number)));
    step(&mut employer, id, "seal").await;
    step(&mut staff, id, "confirm").await;

    let print = format!("/agreements/{id}/print");
    for (role, full) in [("graduate", true), ("staff", true), ("employer", true), ("admin", false)] {
        let page = app.login(role).await.get(&print).await.body;
        assert!(shows_terms(&page) && page.contains(&major) && page.contains(&name), "{role}");
        assert_eq!(page.contains(&id_number), full, "{role} sees the ID number in full: {full}");
        assert!(page.contains("/verify/agreement/"), "{role}: where to check it");
    }

    // Step names in the reader's language, from one table.
    let page = graduate.get(&detail).await.body;
    let history = page.split("id=\"agreement-history\"").nth(1).unwrap();
    for zh in ["单位发起邀约", "接受并签名", "学院审核通过", "单位盖章", "学校确认生效"] {
        assert!(history.contains(zh), "{zh}");
    }
    for key in [">invite<", ">accept<", ">college_approve<", ">seal<", ">confirm<"] {
        assert!(!history.contains(key), "{key}");
    }
    let english = graduate.get(&format!("{detail}?lang=en")).await.body;
    assert!(english.contains("Accept and sign") && english.contains("Confirm (school)"));
}

#[tokio::test]
async fn anyone_checks_an_agreement_by_its_code_and_learns_no_numbers() {
    let app = TestApp::demo().await;
    let mut employer = app.login("employer").await;
    invite_with_terms(&mut employer, &app, "3").await;
    let r = app.db.fetch_one("SELECT number, verify_code FROM agreements ORDER BY id DESC", &[]).await.unwrap();
    let (number, code) = (r.text("number").unwrap(), r.text("verify_code").unwrap());
    assert_eq!(code.len(), 16);
    let (name, _, id_number, phone) = identity(&app).await;
    // As printed, in groups, or typed back in lower case: the same agreement, without logging in.
    let grouped: Vec<String> = code.as_bytes().chunks(4).map(|c| String::from_utf8_lossy(c).into_owned()).collect();
    for typed in [code.clone(), grouped.join("-").to_lowercase()] {
        let reply = app.client().get(&format!("/verify/agreement/{typed}")).await;
        assert_eq!(reply.status, StatusCode::OK, "{typed}");
        assert!(reply.body.contains(&number) && reply.body.contains("单位已邀约"));
        assert!(!reply.body.contains(&id_number) && !reply.body.contains(&id_number[..10]), "no ID number");
        assert!(phone.is_empty() || !reply.body.contains(&phone), "no phone number");
        assert!(!reply.body.contains(&name) || name.chars().count() == 1, "the name is partly hidden");
    }
    let mut wrong = code.clone();
    wrong.replace_range(0..1, if code.starts_with('A') { "B" } else { "A" });
    assert_eq!(app.client().get(&format!("/verify/agreement/{wrong}")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.client().get(&format!("/verify/agreement/{number}")).await.status, StatusCode::NOT_FOUND);
}
