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
