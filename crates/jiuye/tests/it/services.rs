//! One-stop services (issue 16, measure 26): the public catalogue and guides
//! the province edits, a graduate's one form, the steps with their handlers
//! and deadlines, return and resubmit, refusal, completion on time or late,
//! escalation of overdue requests to the province, the figures; each office
//! seeing its own, a graduate only itself; every write audited.

use axum::http::StatusCode;

use crate::support::{Client, TestApp};

async fn audited(app: &TestApp, entity: &str, action: &str) -> i64 {
    assert!(registry::audit_names::knows(entity, action), "{entity} {action} named");
    app.count(&format!("SELECT COUNT(*) FROM audit_log WHERE entity = '{entity}' AND action = '{action}'")).await
}

/// The demo graduate applies for a destination change; the request's id.
pub(crate) async fn apply_for_change(app: &TestApp, graduate: &mut Client) -> i64 {
    let reply = graduate
        .post(
            "/services/apply/destination_change",
            &[
                ("f_old_destination", "长沙某科技公司"),
                ("f_new_destination", "湘潭大学读研"),
                ("f_reason", "考取研究生"),
            ],
        )
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    app.id("SELECT MAX(id) FROM service_requests").await
}

async fn act(client: &mut Client, id: i64, action: &str, note: &str) -> crate::support::Reply {
    client.post(&format!("/services/requests/{id}/act"), &[("action", action), ("note", note)]).await
}

#[tokio::test]
async fn the_catalogue_is_public_and_the_province_edits_a_guide() {
    let app = TestApp::demo().await;
    let mut anonymous = app.client();
    let page = anonymous.get("/services").await;
    assert_eq!(page.status, StatusCode::OK);
    for name in ["毕业去向变更", "就业协议书补办", "档案去向查询", "就业证明/未就业证明", "报到手续办理"]
    {
        assert!(page.body.contains(name), "{name} listed");
    }
    let guide = anonymous.get("/services/guide/employment_proof").await;
    assert_eq!(guide.status, StatusCode::OK);
    assert!(guide.body.contains("就业证明（落户）") && guide.body.contains("学院审核"));
    assert!(!guide.body.contains("id=\"apply\""), "applying needs a graduate's sign-in");
    assert_eq!(anonymous.get("/services/guide/nothing").await.status, StatusCode::NOT_FOUND);
    let english = anonymous.get("/services/guide/employment_proof?lang=en").await;
    assert!(english.body.contains("Employment, for residence"), "English names shown");

    let mut staff = app.login("staff").await;
    assert_eq!(staff.get("/services/guide/employment_proof/edit").await.status, StatusCode::FORBIDDEN);

    let mut admin = app.login("admin").await;
    let edit = admin.get("/services/guide/employment_proof/edit").await;
    assert_eq!(edit.status, StatusCode::OK);
    let base = [
        ("name", "就业证明/未就业证明"),
        ("name_en", "Proof of employment"),
        ("conditions", "毕业两年内"),
        ("conditions_en", ""),
        ("materials", "身份证"),
        ("materials_en", ""),
        ("variants", "hukou | 就业证明（落户） | For residence\nsocial | 就业证明（社保） | For social insurance"),
        ("fields", "purpose | 用途说明 | Purpose | required"),
    ];
    // Steps longer than the time limit, and a step nobody handles: refused whole, nothing saved.
    let mut bad = base.to_vec();
    bad.extend([("time_limit", "3"), ("steps", "学院审核 | College | institution | 2\n出具 | Issue | nobody | 2")]);
    let reply = admin.post("/services/guide/employment_proof/edit", &bad).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.body.contains("guide-errors") && reply.body.contains("办理环节第 2 行"), "{}", reply.body);
    assert_eq!(app.count("SELECT COUNT(*) FROM service_items WHERE conditions = '毕业两年内'").await, 0);
    let mut good = base.to_vec();
    good.extend([("time_limit", "4"), ("steps", "学校就业办出具 | Office issues it | institution | 4")]);
    let reply = admin.post("/services/guide/employment_proof/edit", &good).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    let guide = anonymous.get("/services/guide/employment_proof").await;
    assert!(guide.body.contains("学校就业办出具") && !guide.body.contains("未就业证明</li>"));
    assert_eq!(audited(&app, "service_item", "update").await, 1);
}

#[tokio::test]
async fn a_request_goes_through_every_step_to_completion() {
    let app = TestApp::demo().await;
    let mut graduate = app.login("graduate").await;
    let form = graduate.get("/services/apply/employment_proof").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("variant-unemployed"));

    let before = app.count("SELECT COUNT(*) FROM service_requests").await;
    let audited_before = (
        audited(&app, "service_request", "create").await,
        audited(&app, "service_request", "approve").await,
        audited(&app, "service_request", "complete").await,
    );
    // A required field empty and no kind chosen: both said, nothing written.
    let reply = graduate.post("/services/apply/employment_proof", &[("f_purpose", " ")]).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.body.contains("请选择办理情形") && reply.body.contains("请填写：用途说明"), "{}", reply.body);
    assert_eq!(app.count("SELECT COUNT(*) FROM service_requests").await, before);
    let reply =
        graduate.post("/services/apply/employment_proof", &[("variant", "nonsense"), ("f_purpose", "落户")]).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(app.count("SELECT COUNT(*) FROM service_requests").await, before);

    let id = apply_for_change(&app, &mut graduate).await;
    let page = graduate.get(&format!("/services/requests/{id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("办理中") && page.body.contains("id=\"request-step\">学院审核"), "{}", page.body);
    assert!(page.body.contains("个工作日"), "time left shown");
    assert!(!page.body.contains("act-form"), "a graduate does not handle");
    let mine = graduate.get("/services/mine").await;
    assert!(mine.body.contains(&format!("request-{id}")));
    assert_eq!(audited(&app, "service_request", "create").await, audited_before.0 + 1);

    // The institution's two steps, then the province's.
    let mut staff = app.login("staff").await;
    let queue = staff.get("/services/requests").await;
    assert!(queue.body.contains(&format!("request-{id}")), "in the office's queue");
    assert_eq!(act(&mut staff, id, "complete", "done").await.status, StatusCode::OK, "not the last step");
    assert_eq!(app.count(&format!("SELECT step_no FROM service_requests WHERE id = {id}")).await, 0);
    assert_eq!(act(&mut staff, id, "approve", "").await.status, StatusCode::SEE_OTHER);
    assert_eq!(act(&mut staff, id, "approve", "材料齐全").await.status, StatusCode::SEE_OTHER);
    assert_eq!(app.count(&format!("SELECT step_no FROM service_requests WHERE id = {id}")).await, 2);
    assert!(!staff.get("/services/requests").await.body.contains(&format!("request-{id}")), "now the province's");
    let refused = act(&mut staff, id, "approve", "").await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "the province's step is not the school's");

    let mut admin = app.login("admin").await;
    assert!(admin.get("/services/requests").await.body.contains(&format!("request-{id}")));
    let page = admin.get(&format!("/services/requests/{id}")).await;
    assert!(page.body.contains("act-complete") && !page.body.contains("act-approve"), "the last step completes");
    assert_eq!(act(&mut admin, id, "approve", "").await.status, StatusCode::OK, "no step past the last");
    let reply = act(&mut admin, id, "complete", "").await;
    assert!(reply.body.contains("请填写理由或办理结果"), "a result is needed");
    assert_eq!(act(&mut admin, id, "complete", "已备案").await.status, StatusCode::SEE_OTHER);
    let row = app
        .db
        .fetch_one(&format!("SELECT state, on_time, result_note FROM service_requests WHERE id = {id}"), &[])
        .await
        .unwrap();
    assert_eq!(row.text("state").unwrap(), "completed");
    assert_eq!(row.opt_i64("on_time").unwrap(), Some(1));
    let page = graduate.get(&format!("/services/requests/{id}")).await;
    assert!(page.body.contains("已办结") && page.body.contains("已备案") && page.body.contains("按时办结"));
    assert_eq!(act(&mut admin, id, "refuse", "x").await.status, StatusCode::FORBIDDEN, "closed");
    assert_eq!(audited(&app, "service_request", "approve").await, audited_before.1 + 2);
    assert_eq!(audited(&app, "service_request", "complete").await, audited_before.2 + 1);
    assert_eq!(app.count(&format!("SELECT COUNT(*) FROM service_request_events WHERE request_id = {id}")).await, 4);
}

#[tokio::test]
async fn a_returned_request_is_amended_and_then_refused() {
    let app = TestApp::demo().await;
    let mut graduate = app.login("graduate").await;
    let id = apply_for_change(&app, &mut graduate).await;
    let counted = [
        audited(&app, "service_request", "return").await,
        audited(&app, "service_request", "resubmit").await,
        audited(&app, "service_request", "refuse").await,
    ];
    let mut staff = app.login("staff").await;
    let reply = act(&mut staff, id, "return", "  ").await;
    assert!(reply.body.contains("请填写理由或办理结果"), "a reason is needed");
    assert_eq!(act(&mut staff, id, "return", "请补充解约证明").await.status, StatusCode::SEE_OTHER);
    assert!(!staff.get("/services/requests").await.body.contains(&format!("request-{id}")), "with the graduate now");
    assert_eq!(act(&mut staff, id, "approve", "").await.status, StatusCode::FORBIDDEN);

    let page = graduate.get(&format!("/services/requests/{id}")).await;
    assert!(
        page.body.contains("退回补正") && page.body.contains("请补充解约证明") && page.body.contains("resubmit-form")
    );
    // Emptying a required answer is refused; the request stays returned.
    let reply = graduate
        .post(
            &format!("/services/requests/{id}/resubmit"),
            &[("f_old_destination", "长沙某科技公司"), ("f_new_destination", ""), ("f_reason", "考研")],
        )
        .await;
    assert!(reply.body.contains("请填写：新去向"), "{}", reply.body);
    assert_eq!(
        app.count(&format!("SELECT COUNT(*) FROM service_requests WHERE id = {id} AND state = 'returned'")).await,
        1
    );
    let reply = graduate
        .post(
            &format!("/services/requests/{id}/resubmit"),
            &[
                ("f_old_destination", "长沙某科技公司"),
                ("f_new_destination", "湘潭大学研究生院"),
                ("f_reason", "考取研究生，已解约"),
                ("note", "已补充解约证明"),
            ],
        )
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    let page = staff.get(&format!("/services/requests/{id}")).await;
    assert!(page.body.contains("湘潭大学研究生院") && page.body.contains("act-approve"));
    assert_eq!(act(&mut staff, id, "refuse", "不符合变更条件").await.status, StatusCode::SEE_OTHER);
    let page = graduate.get(&format!("/services/requests/{id}")).await;
    assert!(page.body.contains("不予办理") && page.body.contains("不符合变更条件"));
    let reply = graduate.post(&format!("/services/requests/{id}/resubmit"), &[("f_reason", "x")]).await;
    assert!(reply.body.contains("不能再处理"), "a refused request is closed");
    assert_eq!(audited(&app, "service_request", "return").await, counted[0] + 1);
    assert_eq!(audited(&app, "service_request", "resubmit").await, counted[1] + 1);
    assert_eq!(audited(&app, "service_request", "refuse").await, counted[2] + 1);
}

#[tokio::test]
async fn each_sees_only_its_own_requests() {
    let app = TestApp::demo().await;
    let mut graduate = app.login("graduate").await;
    let id = apply_for_change(&app, &mut graduate).await;
    // Another graduate's request at another institution (湖南大学).
    let hnu = app.id("SELECT id FROM institutions WHERE code = '10532'").await;
    let mut tx = app.db.begin().await.unwrap();
    tx.execute(
        &format!(
            "INSERT INTO service_requests (item_id, graduate_id, institution_id, college_id, variant, answers, steps, state, \
             step_no, step_level, step_due, escalated, was_overdue, reason, result_note, submitted_on, created_at, updated_at) \
             SELECT item_id, g.id, g.institution_id, g.college_id, variant, answers, steps, state, step_no, step_level, \
             step_due, escalated, was_overdue, reason, result_note, submitted_on, created_at, updated_at \
             FROM service_requests r, graduates g WHERE r.id = {id} AND g.id = (SELECT MIN(id) FROM graduates WHERE institution_id = {hnu})"
        ),
        &[],
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let other = app.id("SELECT MAX(id) FROM service_requests").await;
    let other_name = app
        .db
        .fetch_one(
            &format!(
                "SELECT g.name FROM graduates g JOIN service_requests r ON r.graduate_id = g.id WHERE r.id = {other}"
            ),
            &[],
        )
        .await
        .unwrap()
        .text("name")
        .unwrap();

    assert_eq!(graduate.get(&format!("/services/requests/{other}")).await.status, StatusCode::FORBIDDEN);
    assert!(!graduate.get("/services/mine").await.body.contains(&format!("request-{other}")));
    let mut staff = app.login("staff").await;
    assert_eq!(staff.get(&format!("/services/requests/{other}")).await.status, StatusCode::FORBIDDEN);
    assert_eq!(act(&mut staff, other, "approve", "").await.status, StatusCode::FORBIDDEN);
    let all = staff.get("/services/requests?show=all").await;
    assert!(all.body.contains(&format!("request-{id}")) && !all.body.contains(&other_name));
    let mut hnu_staff = app.login("staff10532").await;
    assert_eq!(hnu_staff.get(&format!("/services/requests/{id}")).await.status, StatusCode::FORBIDDEN);
    assert!(hnu_staff.get("/services/requests").await.body.contains(&format!("request-{other}")));
    let mut employer = app.login("employer").await;
    assert_eq!(employer.get(&format!("/services/requests/{id}")).await.status, StatusCode::FORBIDDEN);
    assert_eq!(employer.get("/services/requests").await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.count(&format!("SELECT step_no FROM service_requests WHERE id = {other}")).await, 0);
    // Staff cannot file a request for a graduate.
    let reply = staff.post("/services/apply/destination_change", &[("f_reason", "x")]).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn overdue_requests_escalate_to_the_province_once() {
    let app = TestApp::demo().await;
    let mut graduate = app.login("graduate").await;
    let late = apply_for_change(&app, &mut graduate).await;
    let fresh = apply_for_change(&app, &mut graduate).await;
    let today = kernel::time::today_china();
    let past = (today - chrono::Duration::days(10)).to_string();
    let mut tx = app.db.begin().await.unwrap();
    tx.execute(&format!("UPDATE service_requests SET step_due = '{past}' WHERE id = {late}"), &[]).await.unwrap();
    tx.commit().await.unwrap();
    let xtu = app.id("SELECT id FROM institutions WHERE code = '10530'").await;
    let cohort = app
        .id(&format!(
            "SELECT g.cohort_year FROM graduates g JOIN service_requests r ON r.graduate_id = g.id WHERE r.id = {late}"
        ))
        .await;
    // The demo's own overdue requests were escalated when it was written.
    let demo_overdue = services::store::overdue(&app.db, cohort, Some(xtu), today).await.unwrap();
    let demo_done = services::store::on_time(&app.db, cohort, Some(xtu)).await.unwrap();
    let escalations = audited(&app, "service_request", "escalate").await;
    let mut tx = app.db.begin().await.unwrap();
    tx.execute("UPDATE notices SET read_at = '2026-01-01T00:00:00Z' WHERE topic = 'services_overdue'", &[])
        .await
        .unwrap();
    tx.commit().await.unwrap();

    let page = graduate.get(&format!("/services/requests/{late}")).await;
    assert!(page.body.contains("已超时"), "the graduate sees it is late");
    let mut admin = app.login("admin").await;
    assert!(!admin.get("/services/requests").await.body.contains(&format!("request-{late}")), "not escalated yet");

    assert_eq!(services::escalate(&app.db, today).await.unwrap(), "1 requests escalated");
    assert_eq!(services::escalate(&app.db, today).await.unwrap(), "0 requests escalated", "once per step");
    assert_eq!(audited(&app, "service_request", "escalate").await, escalations + 1);
    assert_eq!(
        app.count(&format!("SELECT COUNT(*) FROM notices WHERE institution_id = {xtu} AND topic = 'services_overdue' AND read_at IS NULL")).await,
        1
    );
    let queue = admin.get("/services/requests").await;
    assert!(queue.body.contains(&format!("request-{late}")) && queue.body.contains("已超时"), "{}", queue.body);
    assert!(!queue.body.contains(&format!("request-{fresh}")));
    let overdue = admin.get("/services/requests?show=overdue").await;
    assert!(overdue.body.contains(&format!("request-{late}")) && !overdue.body.contains(&format!("request-{fresh}")));
    // The province moves the escalated request on itself; the next step's clock starts afresh.
    assert_eq!(act(&mut admin, late, "approve", "督办").await.status, StatusCode::SEE_OTHER);
    let row = app
        .db
        .fetch_one(&format!("SELECT escalated, was_overdue, step_due FROM service_requests WHERE id = {late}"), &[])
        .await
        .unwrap();
    assert_eq!(row.i64("escalated").unwrap(), 0);
    assert_eq!(row.i64("was_overdue").unwrap(), 1);
    assert!(row.text("step_due").unwrap() >= today.to_string());
    let mut staff = app.login("staff").await;
    assert_eq!(act(&mut staff, late, "approve", "").await.status, StatusCode::SEE_OTHER);
    assert_eq!(act(&mut admin, late, "complete", "已备案").await.status, StatusCode::SEE_OTHER);
    assert_eq!(app.count(&format!("SELECT on_time FROM service_requests WHERE id = {late}")).await, 0, "done late");
    assert_eq!(services::store::on_time(&app.db, cohort, Some(xtu)).await.unwrap(), (demo_done.0, demo_done.1 + 1));
    assert_eq!(services::store::overdue(&app.db, cohort, Some(xtu), today).await.unwrap(), demo_overdue - 1);
    let keys: Vec<&str> = services::figures().iter().map(|f| f.key).collect();
    assert_eq!(keys, ["services.on_time", "services.overdue"]);
}

/// A graduate on a phone reads the guide, applies with the one form and
/// follows the request; the office approves it in its queue and the
/// graduate sees the next step.
#[tokio::test]
async fn a_graduate_applies_on_a_phone_and_the_office_handles_it() {
    use crate::browser::{click, fill, fits_the_screen, log_in, log_out, pick, serve, start_browser, text};
    let Some((_driver, c)) = start_browser().await else {
        return;
    };
    let app = TestApp::demo().await;
    let base = serve(&app).await;
    c.set_window_size(375, 812).await.expect("phone-sized window");

    log_in(&c, &base, "graduate", crate::support::PASSWORD).await;
    c.goto(&format!("{base}/services")).await.expect("open the catalogue");
    fits_the_screen(&c, "the catalogue").await;
    click(&c, "#item-employment_proof a").await;
    assert!(text(&c, "#guide-steps").await.contains("学院审核"));
    fits_the_screen(&c, "the guide").await;
    click(&c, "#apply").await;
    // Submitted without a kind chosen: told so, the typed answer kept.
    fill(&c, "#field-purpose", "办理长沙市落户").await;
    click(&c, "#apply-submit").await;
    assert!(text(&c, "#apply-errors").await.contains("请选择办理情形"));
    pick(&c, "#variant-employed_hukou").await;
    click(&c, "#apply-submit").await;
    assert_eq!(text(&c, "#request-state").await, "办理中");
    assert_eq!(text(&c, "#request-step").await, "学院审核");
    assert!(text(&c, "#request-left").await.contains("个工作日"));
    assert_eq!(text(&c, "#request-variant").await, "就业证明（落户）");
    fits_the_screen(&c, "the request").await;
    let id = app.id("SELECT MAX(id) FROM service_requests").await;
    log_out(&c).await;

    c.set_window_size(1280, 900).await.expect("desktop window");
    log_in(&c, &base, "staff", crate::support::PASSWORD).await;
    c.goto(&format!("{base}/services/requests")).await.expect("open the queue");
    click(&c, &format!("#request-{id} a")).await;
    fill(&c, "#act-note", "材料齐全").await;
    click(&c, "#act-approve").await;
    assert_eq!(text(&c, "#request-step").await, "学校就业办出具");
    log_out(&c).await;

    c.set_window_size(375, 812).await.expect("phone-sized window");
    log_in(&c, &base, "graduate", crate::support::PASSWORD).await;
    c.goto(&format!("{base}/services/mine")).await.expect("open my requests");
    click(&c, &format!("#request-{id} h3 a")).await;
    assert_eq!(text(&c, "#request-step").await, "学校就业办出具");
    assert!(text(&c, "#request-events").await.contains("审核通过"));
}

#[tokio::test]
async fn the_desk_logs_questions_and_the_province_turns_one_into_an_faq() {
    let app = TestApp::demo().await;
    let mut staff = app.login("staff").await;
    let before = app.count("SELECT COUNT(*) FROM service_consultations").await;
    let (consultations, faqs) =
        (audited(&app, "service_consultation", "create").await, audited(&app, "service_faq", "create").await);
    // No category and no question: both said, nothing written.
    let reply =
        staff.post("/services/consultations", &[("channel", "phone"), ("category", ""), ("question", " ")]).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.body.contains("请选择问题类别") && reply.body.contains("请填写咨询问题"), "{}", reply.body);
    assert_eq!(app.count("SELECT COUNT(*) FROM service_consultations").await, before);
    for channel in ["phone", "walk_in"] {
        let reply = staff
            .post(
                "/services/consultations",
                &[
                    ("channel", channel),
                    ("category", "03"),
                    ("question", "测试：档案几时寄出？"),
                    ("answer", "毕业后一个月内按报到地址寄出。"),
                    ("follow_up", "1"),
                ],
            )
            .await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    }
    assert_eq!(audited(&app, "service_consultation", "create").await, consultations + 2);
    let desk = staff.get("/services/consultations?category=03&follow=open").await;
    assert!(
        desk.body.contains("测试：档案几时寄出？") && desk.body.contains("<td class=\"num\">2</td>"),
        "{}",
        desk.body
    );
    let mine = app.id("SELECT MAX(id) FROM service_consultations").await;
    assert_eq!(staff.post(&format!("/services/consultations/{mine}/done"), &[]).await.status, StatusCode::SEE_OTHER);
    assert_eq!(app.count(&format!("SELECT follow_up FROM service_consultations WHERE id = {mine}")).await, 2);

    // Another institution neither sees nor closes them; staff do not write the FAQ.
    let mut hnu = app.login("staff10532").await;
    assert!(!hnu.get("/services/consultations").await.body.contains("测试：档案几时寄出？"));
    let first = app.id("SELECT MIN(id) FROM service_consultations WHERE question = '测试：档案几时寄出？'").await;
    assert_eq!(hnu.post(&format!("/services/consultations/{first}/done"), &[]).await.status, StatusCode::FORBIDDEN);
    let faq = [("category", "03"), ("question", "测试：档案几时寄出？"), ("answer", "毕业后一个月内寄出。")];
    assert_eq!(staff.post("/services/faq", &faq).await.status, StatusCode::FORBIDDEN);

    let mut admin = app.login("admin").await;
    assert!(admin.get("/services/consultations").await.body.contains("测试：档案几时寄出？"));
    let reply =
        admin.post("/services/faq", &[("category", "03"), ("question", "测试：档案几时寄出？"), ("answer", "")]).await;
    assert!(reply.body.contains("常见问题需要类别、问题和答复"));
    assert_eq!(admin.post("/services/faq", &faq).await.status, StatusCode::SEE_OTHER);
    let public = app.client().get("/services/faq").await;
    assert_eq!(public.status, StatusCode::OK);
    assert!(public.body.contains("毕业后一个月内寄出。") && public.body.contains("档案转递"));
    assert_eq!(audited(&app, "service_faq", "create").await, faqs + 1);
}

#[tokio::test]
async fn the_province_keeps_a_searchable_handbook() {
    let app = TestApp::demo().await;
    let mut admin = app.login("admin").await;
    let reply = admin.post("/services/handbook", &[("title", "四、档案查询"), ("body", "")]).await;
    assert!(reply.body.contains("handbook-error"), "a body is needed");
    let body = "毕业生可在“档案去向查询”中查询机要编号。";
    assert_eq!(
        admin.post("/services/handbook", &[("title", "四、档案查询"), ("body", body)]).await.status,
        StatusCode::SEE_OTHER
    );
    let mut staff = app.login("staff").await;
    assert_eq!(staff.post("/services/handbook", &[("title", "x"), ("body", "y")]).await.status, StatusCode::FORBIDDEN);
    let mut anonymous = app.client();
    // 机要编号 is only in the new section's body.
    let found = anonymous.get("/services/handbook?q=%E6%9C%BA%E8%A6%81%E7%BC%96%E5%8F%B7").await;
    assert_eq!(found.status, StatusCode::OK);
    assert!(found.body.contains("四、档案查询") && !found.body.contains("二、报到手续"), "{}", found.body);
    let none = anonymous.get("/services/handbook?q=%25").await;
    assert!(none.body.contains("no-section"), "a % is a character, not a wildcard");
    assert!(anonymous.get("/services/handbook").await.body.contains("二、报到手续"));
}

/// A tiny MP4 as `kernel::files::is_mp4` knows one: an `ftyp` box, then `mdat`.
const MP4: &[u8] = b"\0\0\0\x18ftypisom\0\0\x02\0isomiso2\0\0\0\x10mdat12345678";
/// A 1×1 PNG.
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89\0\0\0\rIDATx\x9cc\xf8\xff\xff?\0\x05\xfe\x02\xfe\xa7\x35\x81\x84\0\0\0\0IEND\xaeB`\x82";

#[tokio::test]
async fn the_catalogue_is_seeded_at_start_not_on_a_visit() {
    let app = TestApp::empty().await;
    assert_eq!(app.count("SELECT COUNT(*) FROM service_items").await, 5, "there before any page is asked");
    assert_eq!(audited(&app, "service_item", "create").await, 5);
    // A second start writes nothing again.
    jiuye::open(&app.config).await.expect("open again");
    assert_eq!(app.count("SELECT COUNT(*) FROM service_items").await, 5);
    assert_eq!(audited(&app, "service_item", "create").await, 5);
}

#[tokio::test]
async fn the_province_keeps_micro_videos_that_everyone_watches_and_finds() {
    let app = TestApp::demo().await;
    let mut staff = app.login("staff").await;
    let fields = [("title", "档案查询三分钟"), ("summary", "教你查询机要编号"), ("item", "archive_enquiry")];
    let reply = staff.post_file("/services/videos", &fields, "a.mp4", MP4.to_vec()).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN, "only the province uploads");

    let mut admin = app.login("admin").await;
    // A program named .mp4, a PDF, an MP4 with something behind it and no title: each refused, nothing written.
    type Form<'a> = &'a [(&'a str, &'a str)];
    let hostile: [(Form, &str, Vec<u8>, &str); 4] = [
        (&fields, "video.mp4", b"MZ\x90\0\x03 This program cannot be run".to_vec(), "只接受完整的 MP4 视频文件"),
        (&fields, "video.mp4", crate::support::LICENCE.to_vec(), "只接受完整的 MP4 视频文件"),
        (&fields, "video.mp4", [MP4, b"MZ\x90\0"].concat(), "只接受完整的 MP4 视频文件"),
        (&[("title", ""), ("summary", ""), ("item", "")], "video.mp4", MP4.to_vec(), "请填写视频标题"),
    ];
    for (f, name, bytes, said) in hostile {
        let reply = admin.post_file("/services/videos", f, name, bytes).await;
        assert_eq!(reply.status, StatusCode::OK);
        assert!(reply.body.contains("handbook-error") && reply.body.contains(said), "{}", reply.body);
    }
    let english = admin.post_file("/services/videos?lang=en", &fields, "x.mp4", b"%PDF-".to_vec()).await;
    assert!(english.body.contains("Only whole MP4 video files are accepted"), "{}", english.body);
    assert_eq!(app.count("SELECT COUNT(*) FROM service_videos").await, 0);

    let reply = admin.post_file("/services/videos", &fields, "a.mp4", MP4.to_vec()).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    let id = app.id("SELECT MAX(id) FROM service_videos").await;
    assert_eq!(audited(&app, "service_video", "create").await, 1);

    // A graduate finds it by the handbook's search and watches it from our own route, seeking by range.
    let mut graduate = app.login("graduate").await;
    let found = graduate.get("/services/handbook?q=%E6%9C%BA%E8%A6%81%E7%BC%96%E5%8F%B7").await;
    assert!(found.body.contains(&format!("video-{id}")) && found.body.contains("档案查询三分钟"), "{}", found.body);
    let none = graduate.get("/services/handbook?q=%E8%90%BD%E6%88%B7%E5%8A%9E%E7%90%86").await;
    assert!(!none.body.contains(&format!("video-{id}")) && none.body.contains("no-video"));
    let page = graduate.get(&format!("/services/videos/{id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(&format!("<video controls preload=\"metadata\" src=\"/services/videos/{id}/file\"")));
    assert!(!page.body.contains("video-edit"), "a graduate does not edit");
    let whole = graduate.get(&format!("/services/videos/{id}/file")).await;
    assert_eq!(whole.status, StatusCode::OK);
    assert_eq!(whole.bytes, MP4);
    assert_eq!(whole.headers.get("content-type").map(String::as_str), Some("video/mp4"));
    let ranged = axum::http::Request::get(format!("/services/videos/{id}/file"))
        .header(axum::http::header::RANGE, "bytes=4-11")
        .body(axum::body::Body::empty())
        .unwrap();
    let part = graduate.send(ranged).await;
    assert_eq!(part.status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(part.bytes, b"ftypisom");
    assert_eq!(part.headers.get("content-range").map(String::as_str), Some(&*format!("bytes 4-11/{}", MP4.len())));
    assert_eq!(graduate.get("/services/videos/999999").await.status, StatusCode::NOT_FOUND);
    let guide = graduate.get("/services/guide/archive_enquiry").await;
    assert!(guide.body.contains(&format!("guide-video-{id}")), "the item's guide links its video");
    assert!(!graduate.get("/services/guide/employment_proof").await.body.contains("guide-videos"));

    // The province edits its words; staff may not; a bad item is refused.
    let edit = [("title", "档案去向查询演示"), ("summary", "机要编号在哪里看"), ("item", "")];
    assert_eq!(staff.post(&format!("/services/videos/{id}"), &edit).await.status, StatusCode::FORBIDDEN);
    let bad =
        admin.post(&format!("/services/videos/{id}"), &[("title", "x"), ("summary", ""), ("item", "nothing")]).await;
    assert!(bad.body.contains("请选择关联的服务事项"), "{}", bad.body);
    assert_eq!(admin.post(&format!("/services/videos/{id}"), &edit).await.status, StatusCode::SEE_OTHER);
    assert!(graduate.get(&format!("/services/videos/{id}")).await.body.contains("档案去向查询演示"));
    assert_eq!(audited(&app, "service_video", "update").await, 1);
    assert_eq!(staff.post(&format!("/services/videos/{id}/remove"), &[]).await.status, StatusCode::FORBIDDEN);
    assert_eq!(admin.post(&format!("/services/videos/{id}/remove"), &[]).await.status, StatusCode::SEE_OTHER);
    assert_eq!(graduate.get(&format!("/services/videos/{id}")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(audited(&app, "service_video", "delete").await, 1);
}

/// Posts the one form with material files, as a browser sends a multiple file input.
async fn apply_with(
    client: &mut Client,
    path: &str,
    fields: &[(&str, &str)],
    files: &[(&str, &[u8])],
) -> crate::support::Reply {
    let csrf = client.csrf().await;
    let boundary = "----jiuye-services-boundary";
    let mut body = Vec::new();
    for (name, value) in [("_csrf", csrf.as_str())].iter().chain(fields) {
        body.extend(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").as_bytes(),
        );
    }
    for (name, bytes) in files {
        body.extend(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"material\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n")
                .as_bytes(),
        );
        body.extend(*bytes);
        body.extend(b"\r\n");
    }
    body.extend(format!("--{boundary}--\r\n").as_bytes());
    let cookies = client.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ");
    let request = axum::http::Request::post(path)
        .header(axum::http::header::COOKIE, cookies)
        .header(axum::http::header::CONTENT_TYPE, format!("multipart/form-data; boundary={boundary}"))
        .body(axum::body::Body::from(body))
        .unwrap();
    client.send(request).await
}

#[tokio::test]
async fn a_request_carries_materials_its_handlers_alone_see() {
    let app = TestApp::demo().await;
    let mut graduate = app.login("graduate").await;
    let fields =
        [("f_old_destination", "长沙某科技公司"), ("f_new_destination", "湘潭大学读研"), ("f_reason", "考取研究生")];
    let (requests, materials) = (
        app.count("SELECT COUNT(*) FROM service_requests").await,
        app.count("SELECT COUNT(*) FROM service_request_materials").await,
    );
    // A good PDF beside a program posing as one: refused with the name and the reason, nothing kept.
    let exe: &[u8] = b"MZ\x90\0\x03\0\0\0 This program cannot be run in DOS mode";
    let reply = apply_with(
        &mut graduate,
        "/services/apply/destination_change",
        &fields,
        &[("录取通知书.pdf", crate::support::LICENCE), ("说明.pdf", exe)],
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.body.contains("说明.pdf：只接受 PDF、JPG 或 PNG 文件"), "{}", reply.body);
    assert!(reply.body.contains("湘潭大学读研"), "the typed answers are kept");
    let six: Vec<(&str, &[u8])> = (0..6).map(|_| ("a.png", PNG)).collect();
    let reply = apply_with(&mut graduate, "/services/apply/destination_change?lang=en", &fields, &six).await;
    assert!(reply.body.contains("At most 5 material files."), "{}", reply.body);
    assert_eq!(app.count("SELECT COUNT(*) FROM service_requests").await, requests);
    assert_eq!(app.count("SELECT COUNT(*) FROM service_request_materials").await, materials);

    let reply = apply_with(
        &mut graduate,
        "/services/apply/destination_change",
        &fields,
        &[("录取通知书.pdf", crate::support::LICENCE), ("照片.png", PNG)],
    )
    .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    let id = app.id("SELECT MAX(id) FROM service_requests").await;
    assert_eq!(app.count(&format!("SELECT COUNT(*) FROM service_request_materials WHERE request_id = {id}")).await, 2);
    assert_eq!(audited(&app, "service_request_material", "create").await, 2);
    let page = graduate.get(&format!("/services/requests/{id}")).await;
    assert!(page.body.contains("request-materials") && page.body.contains("录取通知书.pdf"), "{}", page.body);
    let first = app.id(&format!("SELECT MIN(id) FROM service_request_materials WHERE request_id = {id}")).await;
    let file = format!("/services/requests/{id}/materials/{first}");
    let got = graduate.get(&file).await;
    assert_eq!(got.status, StatusCode::OK);
    assert_eq!(got.bytes, crate::support::LICENCE);
    assert!(got.disposition.unwrap_or_default().contains(".pdf"));

    // The handling office sees them; another institution's office does not, nor does anyone signed out.
    let mut staff = app.login("staff").await;
    assert!(staff.get(&format!("/services/requests/{id}")).await.body.contains("照片.png"));
    assert_eq!(staff.get(&file).await.status, StatusCode::OK);
    let mut hnu = app.login("staff10532").await;
    assert_eq!(hnu.get(&file).await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.client().get(&file).await.status, StatusCode::SEE_OTHER);
    // A material is reached only through its own request.
    let other = apply_for_change(&app, &mut graduate).await;
    assert_eq!(
        graduate.get(&format!("/services/requests/{other}/materials/{first}")).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn the_province_edits_and_removes_handbook_sections_and_faq_entries() {
    let app = TestApp::demo().await;
    let mut admin = app.login("admin").await;
    let body = "毕业生可在“档案去向查询”中查询机要编号。";
    assert_eq!(
        admin.post("/services/handbook", &[("title", "四、档案查询"), ("body", body)]).await.status,
        StatusCode::SEE_OTHER
    );
    let id = app.id("SELECT MAX(id) FROM service_handbook").await;
    let mut staff = app.login("staff").await;
    let edit = [("title", "四、档案去向查询"), ("body", "登录后在“档案去向查询”中查看机要编号。")];
    assert_eq!(staff.post(&format!("/services/handbook/{id}/edit"), &edit).await.status, StatusCode::FORBIDDEN);
    let reply =
        admin.post(&format!("/services/handbook/{id}/edit"), &[("title", "四、档案去向查询"), ("body", "")]).await;
    assert!(reply.body.contains("handbook-error"), "a text is needed");
    assert_eq!(
        app.count(&format!("SELECT COUNT(*) FROM service_handbook WHERE id = {id} AND title = '四、档案查询'")).await,
        1
    );
    assert_eq!(admin.post(&format!("/services/handbook/{id}/edit"), &edit).await.status, StatusCode::SEE_OTHER);
    let page = app.client().get("/services/handbook").await;
    assert!(page.body.contains("四、档案去向查询") && page.body.contains("登录后在"), "{}", page.body);
    assert!(!page.body.contains("section-form-"), "only the province sees the edit forms");
    assert_eq!(admin.post("/services/handbook/999999/edit", &edit).await.status, StatusCode::NOT_FOUND);
    assert_eq!(audited(&app, "service_handbook", "update").await, 1);
    assert_eq!(staff.post(&format!("/services/handbook/{id}/remove"), &[]).await.status, StatusCode::FORBIDDEN);
    assert_eq!(admin.post(&format!("/services/handbook/{id}/remove"), &[]).await.status, StatusCode::SEE_OTHER);
    assert!(!app.client().get("/services/handbook").await.body.contains("四、档案去向查询"));
    assert_eq!(audited(&app, "service_handbook", "delete").await, 1);

    let faq = [("category", "03"), ("question", "测试：档案几时寄出？"), ("answer", "毕业后一个月内寄出。")];
    assert_eq!(admin.post("/services/faq", &faq).await.status, StatusCode::SEE_OTHER);
    let entry = app.id("SELECT MAX(id) FROM service_faq").await;
    let changed =
        [("category", "03"), ("question", "测试：档案什么时候寄出？"), ("answer", "毕业后十个工作日内寄出。")];
    assert_eq!(staff.post(&format!("/services/faq/{entry}/edit"), &changed).await.status, StatusCode::FORBIDDEN);
    let reply = admin
        .post(&format!("/services/faq/{entry}/edit"), &[("category", "77"), ("question", "x"), ("answer", "y")])
        .await;
    assert!(reply.body.contains("faq-error") && reply.body.contains("常见问题需要类别、问题和答复"), "{}", reply.body);
    assert_eq!(admin.post(&format!("/services/faq/{entry}/edit"), &changed).await.status, StatusCode::SEE_OTHER);
    let public = app.client().get("/services/faq").await;
    assert!(public.body.contains("毕业后十个工作日内寄出。") && !public.body.contains("毕业后一个月内寄出。"));
    assert!(!public.body.contains("faq-form-"), "only the province sees the edit forms");
    assert_eq!(audited(&app, "service_faq", "update").await, 1);
    assert_eq!(staff.post(&format!("/services/faq/{entry}/remove"), &[]).await.status, StatusCode::FORBIDDEN);
    assert_eq!(admin.post(&format!("/services/faq/{entry}/remove"), &[]).await.status, StatusCode::SEE_OTHER);
    assert!(!app.client().get("/services/faq").await.body.contains("毕业后十个工作日内寄出。"));
    assert_eq!(audited(&app, "service_faq", "delete").await, 1);
    assert_eq!(admin.post(&format!("/services/faq/{entry}/remove"), &[]).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_consultation_log_pages() {
    let app = TestApp::demo().await;
    let xtu = app.id("SELECT institution_id FROM accounts WHERE username = 'staff'").await;
    let who = kernel::audit::AuditActor::system("test");
    let mut tx = app.db.begin().await.unwrap();
    for n in 0..60 {
        let e = services::desk::Entry {
            channel: "phone".into(),
            category: "03".into(),
            question: format!("分页测试问题 {n:02}"),
            answer: String::new(),
            follow_up: false,
        };
        services::desk::record(&mut tx, &who, Some(xtu), &e, "2099-01-01").await.unwrap();
    }
    tx.commit().await.unwrap();
    let mine = app.count(&format!("SELECT COUNT(*) FROM service_consultations WHERE institution_id = {xtu}")).await;
    let rows = |body: &str| body.matches("<tr id=\"consultation-").count() as i64;
    let mut staff = app.login("staff").await;
    let first = staff.get("/services/consultations").await;
    assert_eq!(rows(&first.body), 50);
    assert!(first.body.contains("分页测试问题 59") && !first.body.contains("分页测试问题 09"), "newest first");
    assert!(first.body.contains("page=2"), "a link to the next page");
    let second = staff.get("/services/consultations?page=2").await;
    assert_eq!(rows(&second.body), (mine - 50).min(50));
    assert!(second.body.contains("分页测试问题 09"));
    // The filters ride along the page bar, and the count follows them.
    let filtered = staff.get("/services/consultations?channel=phone&category=03").await;
    assert!(filtered.body.contains("channel=phone") && filtered.body.contains("category=03"), "{}", filtered.body);
    let beyond = staff.get("/services/consultations?page=999").await;
    assert_eq!(rows(&beyond.body), 0);
    assert_eq!(staff.get("/services/consultations?page=x").await.status, StatusCode::OK, "a bad page is the first");
}

/// The offices' and the province's pages in a real browser: staff log a
/// call and find it listed; the province edits a handbook section and an
/// FAQ entry; a graduate searches the handbook and watches a micro-video.
#[tokio::test]
async fn the_desk_the_handbook_and_the_faq_in_a_browser() {
    use crate::browser::{attach, click, fill, fits_the_screen, log_in, log_out, serve, start_browser, text};
    use fantoccini::Locator;
    let Some((_driver, c)) = start_browser().await else {
        return;
    };
    let app = TestApp::demo().await;
    let base = serve(&app).await;
    c.set_window_size(1280, 900).await.expect("desktop window");

    log_in(&c, &base, "staff", crate::support::PASSWORD).await;
    c.goto(&format!("{base}/services/consultations")).await.expect("open the desk");
    c.find(Locator::Css("details:has(#desk-form) > summary"))
        .await
        .expect("the form's summary")
        .click()
        .await
        .expect("open");
    fill(&c, "#desk-question", "浏览器测试：报到证丢了怎么办？").await;
    fill(&c, "#desk-answer", "到学校就业办申请补办。").await;
    click(&c, "#desk-save").await;
    assert!(text(&c, "#consultations").await.contains("浏览器测试：报到证丢了怎么办？"));
    log_out(&c).await;

    log_in(&c, &base, "admin", crate::support::PASSWORD).await;
    c.goto(&format!("{base}/services/handbook")).await.expect("open the handbook");
    let section = app.id("SELECT MIN(id) FROM service_handbook").await;
    c.find(Locator::Css(&format!("#section-{section} details > summary")))
        .await
        .expect("edit")
        .click()
        .await
        .expect("open");
    fill(&c, &format!("#section-title-{section}"), "一、浏览器修改的章节").await;
    click(&c, &format!("#section-save-{section}")).await;
    assert!(text(&c, &format!("#section-{section} h3")).await.contains("一、浏览器修改的章节"));
    // A micro-video, uploaded through the form.
    let video = tempfile::Builder::new().suffix(".mp4").tempfile().expect("temp file");
    std::fs::write(video.path(), MP4).expect("write the video");
    let upload = c.find(Locator::Css("details:has(#video-form) > summary")).await.expect("the upload's summary");
    upload.click().await.expect("open");
    fill(&c, "#video-title", "报到手续三分钟").await;
    fill(&c, "#video-summary", "浏览器上传的微视频").await;
    attach(&c, "#video-file", video.path()).await;
    click(&c, "#video-save").await;
    assert!(c.find(Locator::Css("video#player")).await.is_ok(), "the watch page after the upload");
    // An FAQ entry, edited.
    let faq = [("category", "03"), ("question", "浏览器测试：档案几时寄出？"), ("answer", "一个月内。")];
    let mut admin = app.login("admin").await;
    assert_eq!(admin.post("/services/faq", &faq).await.status, StatusCode::SEE_OTHER);
    let entry = app.id("SELECT MAX(id) FROM service_faq").await;
    c.goto(&format!("{base}/services/faq")).await.expect("open the FAQ");
    c.find(Locator::Css(&format!("#faq-{entry} details > summary"))).await.expect("edit").click().await.expect("open");
    fill(&c, &format!("#faq-answer-{entry}"), "毕业后十个工作日内寄出。").await;
    click(&c, &format!("#faq-save-{entry}")).await;
    assert!(text(&c, &format!("#faq-{entry}")).await.contains("毕业后十个工作日内寄出。"));
    log_out(&c).await;

    // A graduate on a phone searches the handbook, finds the video and plays it from our own route.
    c.set_window_size(375, 812).await.expect("phone-sized window");
    log_in(&c, &base, "graduate", crate::support::PASSWORD).await;
    c.goto(&format!("{base}/services/handbook")).await.expect("open the handbook");
    fill(&c, "#handbook-q", "报到手续三分钟").await;
    click(&c, "#handbook-go").await;
    assert!(text(&c, "#videos").await.contains("报到手续三分钟"));
    fits_the_screen(&c, "the handbook").await;
    click(&c, "#videos li a").await;
    fits_the_screen(&c, "the video").await;
    let got = c
        .execute_async(
            "const done = arguments[0]; const src = document.querySelector('video#player').getAttribute('src'); \
             fetch(src, { headers: { Range: 'bytes=4-11' } }).then(r => r.text().then(t => done([r.status, \
             r.headers.get('content-type'), t])));",
            vec![],
        )
        .await
        .expect("fetch the video");
    assert_eq!(got, serde_json::json!([206, "video/mp4", "ftypisom"]));
    c.goto(&format!("{base}/services/faq")).await.expect("open the FAQ");
    assert!(text(&c, &format!("#faq-{entry}")).await.contains("毕业后十个工作日内寄出。"));
    assert!(c.find(Locator::Css(&format!("#faq-form-{entry}"))).await.is_err(), "a graduate does not edit");
}
