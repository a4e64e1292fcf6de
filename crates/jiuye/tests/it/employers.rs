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

    // The province reviews registrations (`employers::may_review`).
    let mut staff = app.login("admin").await;
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

/// An employer known only from a graduate's destination (未注册).
async fn recorded(app: &TestApp) -> i64 {
    let mut staff = app.login("staff").await;
    let graduate = app
        .id("SELECT g.id FROM graduates g JOIN institutions i ON i.id = g.institution_id WHERE i.code = '10530' ORDER BY g.id LIMIT 1")
        .await;
    let form = [
        ("category_code", "11"),
        ("employer_name", "长沙星辰软件有限公司"),
        ("credit_code", CODE),
        ("nature_code", "39"),
    ];
    staff.post(&format!("/outcomes/graduates/{graduate}/destination"), &form).await;
    app.id(&format!("SELECT id FROM employers WHERE credit_code = '{CODE}' AND status = 'recorded'")).await
}

#[tokio::test]
async fn a_recorded_employer_is_claimed_with_proof_and_renamed_only_on_approval() {
    let app = TestApp::demo().await;
    let id = recorded(&app).await;
    let unchanged = format!("SELECT COUNT(*) FROM employers WHERE id = {id} AND name = '长沙星辰软件有限公司'");

    // Without the business licence the claim is refused and nothing changes.
    let mut squatter = app.client();
    let (token, answer) = squatter.registration_question().await;
    let mut fields = form(CODE, "squatter");
    fields[0].1 = "冒名顶替有限公司";
    fields.extend([("nature_code", "39"), ("industry_code", "34"), ("question", &token), ("answer", &answer)]);
    let reply = squatter.post_file("/employers/register", &fields, "", Vec::new()).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.body.contains("请上传营业执照"), "{}", reply.body);
    assert_eq!(app.count("SELECT COUNT(*) FROM accounts WHERE username = 'squatter'").await, 0);
    assert_eq!(app.count(&format!("SELECT COUNT(*) FROM employers WHERE id = {id} AND status = 'recorded'")).await, 1);

    // With one it waits for review under its old name; the proposed name is shown to reviewers.
    let mut claimant = app.client();
    let mut fields = form(CODE, "claimant");
    fields[0].1 = "星辰软件（改名）有限公司";
    assert_eq!(claimant.register(&fields).await.status, StatusCode::SEE_OTHER);
    assert_eq!(app.count(&unchanged).await, 1, "not renamed before approval");
    let mut admin = app.login("admin").await;
    let page = admin.get(&format!("/registry/employers/{id}")).await.body;
    assert!(page.contains("星辰软件（改名）有限公司") && page.contains("id=\"proposed-name\""));
    let reply = admin.post(&format!("/registry/employers/{id}/review"), &[("decision", "approve")]).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    let renamed = format!("SELECT COUNT(*) FROM employers WHERE id = {id} AND name = '星辰软件（改名）有限公司' AND proposed IS NULL AND status = 'approved'");
    assert_eq!(app.count(&renamed).await, 1);
}

#[tokio::test]
async fn a_turned_down_claim_gives_the_employer_back_to_a_proven_claim() {
    let app = TestApp::demo().await;
    let id = recorded(&app).await;
    let mut squatter = app.client();
    let mut fields = form(CODE, "squatter");
    fields[0].1 = "冒名顶替有限公司";
    assert_eq!(squatter.register(&fields).await.status, StatusCode::SEE_OTHER);
    assert_eq!(squatter.login("squatter", "hrpass2022").await.status, StatusCode::SEE_OTHER);
    let mut admin = app.login("admin").await;
    let reason = [("decision", "reject"), ("reason", "营业执照与单位不符")];
    let reply = admin.post(&format!("/registry/employers/{id}/review"), &reason).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    let back = format!("SELECT COUNT(*) FROM employers WHERE id = {id} AND status = 'recorded' AND proposed IS NULL AND licence_sha256 IS NULL AND name = '长沙星辰软件有限公司'");
    assert_eq!(app.count(&back).await, 1, "unclaimed again, under its own name");
    assert_eq!(app.count("SELECT COUNT(*) FROM accounts WHERE username = 'squatter' AND active = FALSE").await, 1);
    assert_ne!(squatter.get("/account/sessions").await.status, StatusCode::OK, "the squatter's session is over");

    // The real employer can now claim it, and approval gives it to them alone.
    let mut owner = app.client();
    assert_eq!(owner.register(&form(CODE, "owner")).await.status, StatusCode::SEE_OTHER);
    admin.post(&format!("/registry/employers/{id}/review"), &[("decision", "approve")]).await;
    assert_eq!(app.count(&format!("SELECT COUNT(*) FROM employers WHERE id = {id} AND status = 'approved'")).await, 1);
    let holders = app.count(&format!("SELECT COUNT(*) FROM accounts WHERE employer_id = {id} AND active = TRUE")).await;
    assert_eq!(holders, 1);
    let audit = app
        .count(&format!(
            "SELECT COUNT(*) FROM audit_log WHERE entity = 'employer' AND entity_id = '{id}' AND action = 'review'"
        ))
        .await;
    assert_eq!(audit, 2);
}

#[tokio::test]
async fn only_the_province_reviews_employers() {
    let app = TestApp::demo().await;
    let mut visitor = app.client();
    assert_eq!(visitor.register(&form(CODE, "xingchen")).await.status, StatusCode::SEE_OTHER);
    let id = app.id(&format!("SELECT id FROM employers WHERE credit_code = '{CODE}'")).await;
    for role in ["college", "staff"] {
        let mut c = app.login(role).await;
        let reply = c.post(&format!("/registry/employers/{id}/review"), &[("decision", "approve")]).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{role}");
        assert!(!c.get(&format!("/registry/employers/{id}")).await.body.contains("review-form"), "{role}");
        assert!(!c.get("/").await.body.contains("待审核单位"), "{role}: no card for what it cannot do");
    }
    assert_eq!(app.count(&format!("SELECT COUNT(*) FROM employers WHERE id = {id} AND status = 'pending'")).await, 1);
    let mut admin = app.login("admin").await;
    assert!(admin.get(&format!("/registry/employers/{id}")).await.body.contains("review-form"));
}

#[tokio::test]
async fn a_script_cannot_register_without_answering_nor_register_in_bulk() {
    let app = TestApp::demo().await;
    let mut script = app.client();
    // A wrong answer, or a question made up, is refused.
    let (token, answer) = script.registration_question().await;
    let wrong = (answer.parse::<u32>().unwrap() + 1).to_string();
    for (question, typed) in [(token.as_str(), wrong.as_str()), ("made-up", "8")] {
        let mut fields = form(CODE, "bot");
        fields.extend([("question", question), ("answer", typed)]);
        let reply = script.register(&fields).await;
        assert_eq!(reply.status, StatusCode::OK);
        assert!(reply.body.contains("答案不对"));
    }
    // A right answer once is not a key: the question is spent.
    let mut fields = form(CODE, "bot");
    fields.extend([("question", token.as_str()), ("answer", answer.as_str())]);
    assert!(script.register(&fields).await.body.contains("答案不对"));
    assert_eq!(app.count("SELECT COUNT(*) FROM employers WHERE status = 'pending'").await, 0);

    // Five registrations an hour from one address; the sixth is refused with a message.
    for n in 0..6 {
        let first17 = format!("91430100MA4L00{n:03}");
        let code = format!("{first17}{}", kernel::validate::credit_code_check_char(&first17).unwrap());
        let username = format!("hr{n}");
        let reply = script.register(&form(&code, &username)).await;
        if n < 5 {
            assert_eq!(reply.status, StatusCode::SEE_OTHER, "{code}: {}", reply.body);
        } else {
            assert_eq!(reply.status, StatusCode::OK);
            assert!(reply.body.contains("一小时内已注册 5 家单位"), "{}", reply.body);
        }
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM employers WHERE status = 'pending'").await, 5);
}

#[tokio::test]
async fn an_export_never_hands_a_spreadsheet_a_formula() {
    let app = TestApp::demo().await;
    let id = recorded(&app).await;
    let mut tx = app.db.begin().await.unwrap();
    let formula = "=HYPERLINK(\"http://evil.example\",\"点击\")";
    tx.execute("UPDATE employers SET name = $1 WHERE id = $2", &[formula.into(), id.into()]).await.unwrap();
    tx.commit().await.unwrap();
    let csv = app.login("admin").await.get(&format!("/registry/employers?format=csv&q={CODE}")).await.body;
    assert!(csv.contains(",\"'=HYPERLINK("), "{csv}");
    assert!(!csv.contains(",=HYPERLINK") && !csv.contains(",\"=HYPERLINK"), "{csv}");
}
