//! Public notices (公示) and results (issue 15, part 4): the province publishes
//! a call's proposed list, anyone files a named objection while it is open
//! (refused after), the handling office records the handling, the result
//! waits for the end and every objection; a school's own notice; contacts
//! masked for all but the handling office; follow-up with revocation and a
//! ban; the registries; audit records; the demo's notices; a Chromium journey.

use axum::http::StatusCode;
use kernel::audit::AuditActor;

use crate::support::{Client, TestApp};

async fn audited(app: &TestApp, entity: &str, action: &str) -> i64 {
    assert!(registry::audit_names::knows(entity, action), "{entity} {action} named");
    app.count(&format!("SELECT COUNT(*) FROM audit_log WHERE entity = '{entity}' AND action = '{action}'")).await
}

const PDF: &[u8] = b"%PDF-1.4\n% evidence\nstartxref\n0\n%%EOF\n";
const PHONE: &str = "13912345678";

/// The demo's 2021 call, its recommended applications approved through the store; (call, approved).
async fn approved_call(app: &TestApp) -> (i64, Vec<i64>) {
    let call = app.id("SELECT id FROM programme_calls WHERE year = 2021").await;
    let ids: Vec<i64> = app
        .db
        .fetch_all(
            &format!(
                "SELECT id FROM programme_applications WHERE call_id = {call} AND status = 'recommended' ORDER BY id"
            ),
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| r.i64("id").unwrap())
        .collect();
    assert!(ids.len() >= 3, "the demo recommends several");
    let mut tx = app.db.begin().await.unwrap();
    for id in &ids[..3] {
        assert!(programmes::notices::store::set_outcome(&mut tx, &AuditActor::system("test"), *id, Some("approved"))
            .await
            .unwrap());
    }
    tx.commit().await.unwrap();
    (call, ids[..3].to_vec())
}

async fn publish(client: &mut Client, call: i64, title: &str, days: &str) -> crate::support::Reply {
    let today = kernel::time::today_china().to_string();
    client
        .post(
            "/programmes/notices",
            &[
                ("call", &call.to_string()),
                ("title", title),
                ("office", "省教育厅学生处 0731-84714000"),
                ("starts_on", &today),
                ("working_days", days),
            ],
        )
        .await
}

async fn object(client: &mut Client, notice: i64, item: i64, name: &str) -> crate::support::Reply {
    client
        .post_file(
            &format!("/notices/{notice}/objections"),
            &[
                ("item", &item.to_string()),
                ("name", name),
                ("phone", PHONE),
                ("email", "objector@example.com"),
                ("reasons", "该项目负责人另有在研项目尚未结题。"),
            ],
            "证据.pdf",
            PDF.to_vec(),
        )
        .await
}

/// Moves a notice into the past: it ran 30 Sep to 11 Oct 2022.
async fn end(app: &TestApp, notice: i64) {
    let mut tx = app.db.begin().await.unwrap();
    tx.execute(
        "UPDATE programme_notices SET starts_on = '2022-09-30', ends_on = '2022-10-11' WHERE id = $1",
        &[notice.into()],
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn the_province_publishes_a_notice_handles_objections_and_the_result() {
    let app = TestApp::demo().await;
    let (call, approved) = approved_call(&app).await;
    let mut admin = app.login("admin").await;

    // Bad input answers 200 with the reasons.
    let before = app.count("SELECT COUNT(*) FROM programme_notices").await;
    let reply = publish(&mut admin, call, "公示", "0").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.body.contains("1 至 30 个工作日"), "{}", reply.body);
    assert_eq!(app.count("SELECT COUNT(*) FROM programme_notices").await, before);

    let reply = publish(&mut admin, call, "2021年专项课题拟立项公示", "5").await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    let notice = app.id("SELECT MAX(id) FROM programme_notices").await;
    assert_eq!(app.count(&format!("SELECT COUNT(*) FROM programme_notice_items WHERE notice_id = {notice}")).await, 3);
    assert_eq!(audited(&app, "program_notice", "create").await, before + 1);
    let reply = publish(&mut admin, call, "重复公示", "5").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.body.contains("尚未公布结果的公示"), "one pending notice per call and publisher");
    assert!(audited(&app, "program_application", "outcome").await >= 3);

    // The public pages need no account; full names, never ID numbers.
    let mut visitor = app.client();
    assert!(visitor.get("/notices").await.body.contains("2021年专项课题拟立项公示"));
    let page = visitor.get(&format!("/notices/{notice}")).await;
    assert_eq!(page.status, StatusCode::OK);
    let leader = app
        .db
        .fetch_one(
            "SELECT leader_name, leader_id_number FROM programme_applications WHERE id = $1",
            &[approved[0].into()],
        )
        .await
        .unwrap();
    assert!(page.body.contains(&leader.text("leader_name").unwrap()));
    assert!(!page.body.contains(&leader.text("leader_id_number").unwrap()));
    assert!(page.body.contains("匿名异议不予受理") && page.body.contains("id=\"objection-form\""));
    assert_eq!(visitor.get(&format!("/notices/{notice}/result")).await.status, StatusCode::NOT_FOUND);

    // A named objector is required; then the objection is received, with its evidence.
    let items: Vec<i64> = app
        .db
        .fetch_all(&format!("SELECT id FROM programme_notice_items WHERE notice_id = {notice} ORDER BY position"), &[])
        .await
        .unwrap()
        .iter()
        .map(|r| r.i64("id").unwrap())
        .collect();
    let reply = object(&mut visitor, notice, items[0], " ").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.body.contains("匿名异议不予受理"), "{}", reply.body);
    assert_eq!(app.count("SELECT COUNT(*) FROM programme_objections").await, 1, "the demo's one");
    let reply = object(&mut visitor, notice, items[0], "王五").await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    let objection = app.id("SELECT MAX(id) FROM programme_objections").await;
    assert_eq!(audited(&app, "program_objection", "create").await, 2);
    let public = visitor.get(&format!("/notices/{notice}")).await.body;
    assert!(!public.contains(PHONE) && !public.contains("王五"), "nothing of the objection but its count");

    // The handling office sees the contact in full and the evidence.
    let page = admin.get(&format!("/programmes/notices/{notice}")).await;
    assert!(page.body.contains(PHONE) && page.body.contains("objector@example.com"));
    assert_eq!(admin.get(&format!("/programmes/objections/{objection}/file")).await.status, StatusCode::OK);
    // A school's staff handle nothing of the province's notice.
    let mut staff = app.login("staff").await;
    assert_eq!(staff.get(&format!("/programmes/notices/{notice}")).await.status, StatusCode::FORBIDDEN);
    let reply = staff
        .post(
            &format!("/programmes/notices/{notice}/objections/{objection}"),
            &[("decision", "dismissed"), ("reply", "x"), ("handled_on", "2022-10-12")],
        )
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert_eq!(staff.get(&format!("/programmes/objections/{objection}/file")).await.status, StatusCode::FORBIDDEN);

    // The result waits for the end of the notice, then for every objection.
    let reply = admin.post(&format!("/programmes/notices/{notice}/result"), &[]).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.body.contains("公示期结束后"), "{}", reply.body);
    end(&app, notice).await;
    let reply = object(&mut visitor, notice, items[1], "李六").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.body.contains("公示期已结束"), "{}", reply.body);
    assert_eq!(app.count(&format!("SELECT COUNT(*) FROM programme_objections WHERE notice_id = {notice}")).await, 1);
    let reply = admin.post(&format!("/programmes/notices/{notice}/result"), &[]).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.body.contains("尚有未处理的异议"), "{}", reply.body);
    assert_eq!(
        app.count(&format!("SELECT COUNT(*) FROM programme_notices WHERE id = {notice} AND status = 'open'")).await,
        1
    );

    // Handling: bad input shown; upheld takes the item off the list and the application's approval away.
    let reply =
        admin.post(&format!("/programmes/notices/{notice}/objections/{objection}"), &[("decision", "upheld")]).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.body.contains("请填写答复意见"));
    let reply = admin
        .post(
            &format!("/programmes/notices/{notice}/objections/{objection}"),
            &[
                ("decision", "upheld"),
                ("reply", "经核实异议属实，撤出名单。"),
                ("handled_on", "2022-10-12"),
                ("remove", "1"),
            ],
        )
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    assert_eq!(audited(&app, "program_objection", "handle").await, 2, "the demo's and this one");
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM programme_applications WHERE id = {} AND outcome = 'rejected'",
            approved[0]
        ))
        .await,
        1
    );

    // Before the result the province reads outcomes as proposed; the school reads none.
    let code = app
        .db
        .fetch_one(
            "SELECT i.code FROM institutions i JOIN programme_applications a ON a.institution_id = i.id WHERE a.id = $1",
            &[approved[1].into()],
        )
        .await
        .unwrap()
        .text("code")
        .unwrap();
    let mut school =
        app.login(if code == "10530" { "staff".to_owned() } else { format!("staff{code}") }.as_str()).await;
    let own = format!("/programmes/applications/{}", approved[1]);
    assert!(admin
        .get(&format!("/programmes/applications/{}", approved[0]))
        .await
        .body
        .contains("拟不立项（结果待公布）"));
    let page = school.get(&own).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains("application-outcome"), "{}", page.body);
    let reply = admin.post(&format!("/programmes/notices/{notice}/result"), &[]).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    assert!(audited(&app, "program_notice", "result").await >= 1);
    assert!(school.get(&own).await.body.contains("已立项（结果已公布）"));
    let result = visitor.get(&format!("/notices/{notice}/result")).await;
    assert_eq!(result.status, StatusCode::OK);
    let title = |id: i64| {
        let db = app.db.clone();
        async move {
            db.fetch_one("SELECT title FROM programme_applications WHERE id = $1", &[id.into()])
                .await
                .unwrap()
                .text("title")
                .unwrap()
        }
    };
    assert!(result.body.contains(&title(approved[1]).await));
    assert!(!result.body.contains(&title(approved[0]).await), "the upheld one is off the result");
    // Outcomes are final now.
    let mut tx = app.db.begin().await.unwrap();
    let changed =
        programmes::notices::store::set_outcome(&mut tx, &AuditActor::system("test"), approved[1], None).await.unwrap();
    tx.commit().await.unwrap();
    assert!(!changed, "a published result's outcome is final");
    let reply = admin.post(&format!("/programmes/notices/{notice}/result"), &[]).await;
    assert!(reply.body.contains("结果已公布"));
}

#[tokio::test]
async fn one_address_files_only_so_many_objections_an_hour() {
    let app = TestApp::demo().await;
    let (call, _) = approved_call(&app).await;
    let mut admin = app.login("admin").await;
    let reply = publish(&mut admin, call, "2021年专项课题拟立项公示", "5").await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    let notice = app.id("SELECT MAX(id) FROM programme_notices").await;
    let item = app.id(&format!("SELECT MIN(id) FROM programme_notice_items WHERE notice_id = {notice}")).await;
    let mut visitor = app.client();
    for n in 0..10 {
        let reply = object(&mut visitor, notice, item, &format!("异议人{n}")).await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    }
    let filed = app.count(&format!("SELECT COUNT(*) FROM programme_objections WHERE notice_id = {notice}")).await;
    let reply = object(&mut visitor, notice, item, "异议人十一").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.body.contains("一小时内提交的异议已达上限"), "{}", reply.body);
    let after = app.count(&format!("SELECT COUNT(*) FROM programme_objections WHERE notice_id = {notice}")).await;
    assert_eq!(after, filed, "nothing written past the allowance");
}

#[tokio::test]
async fn a_school_publishes_and_handles_only_its_own_notice() {
    let app = TestApp::demo().await;
    let xtu = app.id("SELECT id FROM institutions WHERE code = '10530'").await;
    let call = app.id("SELECT id FROM programme_calls WHERE status = 'open'").await;
    let mut staff = app.login("staff").await;
    let reply = publish(&mut staff, call, "湘潭大学路演项目校内推荐公示", "3").await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    let notice = app.id("SELECT MAX(id) FROM programme_notices").await;
    assert_eq!(
        app.count(&format!("SELECT COUNT(*) FROM programme_notices WHERE id = {notice} AND institution_id = {xtu}"))
            .await,
        1
    );
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM programme_notice_items i JOIN programme_applications a ON a.id = i.application_id \
             WHERE i.notice_id = {notice} AND a.institution_id <> {xtu}"
        ))
        .await,
        0,
        "its own applications only"
    );
    // Shown on the call and on the public list.
    assert!(staff.get(&format!("/programmes/calls/{call}")).await.body.contains("id=\"call-notices\""));
    assert!(staff.get(&format!("/programmes/notices?call={call}")).await.body.contains("湘潭大学路演项目校内推荐公示"));
    assert!(app.client().get("/notices").await.body.contains("湘潭大学路演项目校内推荐公示"));

    let item = app.id(&format!("SELECT MIN(id) FROM programme_notice_items WHERE notice_id = {notice}")).await;
    let reply = object(&mut app.client(), notice, item, "赵七").await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    let objection = app.id("SELECT MAX(id) FROM programme_objections").await;

    // The province reads it with the contact masked and cannot handle it; the school sees it in full.
    let mut admin = app.login("admin").await;
    let page = admin.get(&format!("/programmes/notices/{notice}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains(PHONE) && page.body.contains(&kernel::mask::phone(PHONE)));
    assert!(!page.body.contains("objector@example.com"));
    let handle = [("decision", "dismissed"), ("reply", "经核实不属实。"), ("handled_on", "2022-10-12")];
    let path = format!("/programmes/notices/{notice}/objections/{objection}");
    assert_eq!(admin.post(&path, &handle).await.status, StatusCode::FORBIDDEN);
    assert!(staff.get(&format!("/programmes/notices/{notice}")).await.body.contains(PHONE));

    // Another school's notice is not theirs.
    let hnu = app.id("SELECT id FROM institutions WHERE code = '10532'").await;
    let mut tx = app.db.begin().await.unwrap();
    tx.execute("UPDATE programme_notices SET institution_id = $1 WHERE id = $2", &[hnu.into(), notice.into()])
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(staff.get(&format!("/programmes/notices/{notice}")).await.status, StatusCode::FORBIDDEN);
    assert_eq!(staff.post(&path, &handle).await.status, StatusCode::FORBIDDEN);
    assert!(!staff.get("/programmes/notices").await.body.contains("湘潭大学路演项目校内推荐公示"));
    let mut tx = app.db.begin().await.unwrap();
    tx.execute("UPDATE programme_notices SET institution_id = $1 WHERE id = $2", &[xtu.into(), notice.into()])
        .await
        .unwrap();
    tx.commit().await.unwrap();

    let handled = audited(&app, "program_objection", "handle").await;
    assert_eq!(staff.post(&path, &handle).await.status, StatusCode::SEE_OTHER);
    assert_eq!(audited(&app, "program_objection", "handle").await, handled + 1);
    end(&app, notice).await;
    assert_eq!(staff.post(&format!("/programmes/notices/{notice}/result"), &[]).await.status, StatusCode::SEE_OTHER);
    assert_eq!(app.client().get(&format!("/notices/{notice}/result")).await.status, StatusCode::OK);
}

#[tokio::test]
async fn funded_items_are_followed_graded_and_revoked() {
    let app = TestApp::demo().await;
    // The demo's published results: funded items with records.
    assert!(app.count("SELECT COUNT(*) FROM programme_notices WHERE status = 'result'").await >= 3);
    assert!(app.count("SELECT COUNT(*) FROM programme_followups").await >= 3);
    let mut admin = app.login("admin").await;
    let list = admin.get("/programmes/followups").await;
    assert_eq!(list.status, StatusCode::OK);
    let xtu = app.id("SELECT id FROM institutions WHERE code = '10530'").await;
    let funded = |sql: &'static str| {
        let db = app.db.clone();
        async move { db.fetch_all(sql, &[]).await.unwrap().iter().map(|r| r.i64("id").unwrap()).collect::<Vec<i64>>() }
    };
    let items = funded(
        "SELECT a.id FROM programme_applications a JOIN programme_calls c ON c.id = a.call_id \
         WHERE a.outcome = 'approved' AND a.finished_on IS NULL AND c.type_code = '02' ORDER BY a.id",
    )
    .await;
    assert!(items.len() >= 2);
    let (first, second) = (items[0], items[1]);

    // Completion sets finished_on, which the eligibility rule reads.
    let reply = admin
        .post(
            &format!("/programmes/followups/{first}"),
            &[("kind", "completion"), ("on_date", "2023-11-01"), ("verdict", "pass")],
        )
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM programme_applications WHERE id = {first} AND finished_on = '2023-11-01'"
        ))
        .await,
        1
    );

    // Revocation after the call's configured failing years (set to 2), with a ban.
    let call = app.id(&format!("SELECT call_id FROM programme_applications WHERE id = {second}")).await;
    let reply = admin
        .post(
            "/programmes/followups/settings",
            &[("call", &call.to_string()), ("revoke_after", "0"), ("ban_years", "3")],
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.body.contains("不合格年数应为"));
    let reply = admin
        .post(
            "/programmes/followups/settings",
            &[("call", &call.to_string()), ("revoke_after", "2"), ("ban_years", "3")],
        )
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    let bans = app.count("SELECT COUNT(*) FROM programme_bans").await;
    let grade =
        |year: &'static str| [("kind", "grading"), ("on_date", "2024-01-10"), ("year", year), ("verdict", "fail")];
    let path = format!("/programmes/followups/{second}");
    // Staff do not grade.
    let mut staff = app.login("staff").await;
    let own = app.id(&format!("SELECT institution_id FROM programme_applications WHERE id = {second}")).await;
    if own == xtu {
        assert_eq!(staff.post(&path, &grade("2030")).await.status, StatusCode::FORBIDDEN);
    } else {
        assert_eq!(staff.get(&path).await.status, StatusCode::NOT_FOUND, "another school's item");
    }
    let years: Vec<i64> = app
        .db
        .fetch_all(&format!("SELECT year FROM programme_followups WHERE application_id = {second} AND kind = 'grading' AND verdict = 'fail'"), &[])
        .await
        .unwrap()
        .iter()
        .map(|r| r.i64("year").unwrap())
        .collect();
    assert!(years.len() < 2);
    let good = [("kind", "grading"), ("on_date", "2024-01-10"), ("year", "2024"), ("verdict", "good")];
    assert_eq!(admin.post(&path, &good).await.status, StatusCode::SEE_OTHER);
    let reply = admin.post(&path, &good).await;
    assert!(reply.body.contains("该年度已考核"), "a year is graded once");
    if years.is_empty() {
        assert_eq!(admin.post(&path, &grade("2025")).await.status, StatusCode::SEE_OTHER);
        assert_eq!(
            app.count(&format!(
                "SELECT COUNT(*) FROM programme_applications WHERE id = {second} AND outcome = 'approved'"
            ))
            .await,
            1,
            "one failing year is not enough"
        );
    }
    let reply = admin.post(&path, &grade("2026")).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    let page = admin.get(&path).await.body;
    assert!(page.contains("已撤项"), "{page}");
    assert_eq!(
        app.count(&format!("SELECT COUNT(*) FROM programme_applications WHERE id = {second} AND outcome = 'revoked'"))
            .await,
        1
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM programme_bans").await, bans + 1);
    assert!(audited(&app, "program_application", "revoke").await >= 1);
    assert!(audited(&app, "program_followup", "create").await >= 4);
    let leader = app
        .db
        .fetch_one("SELECT leader_id_number FROM programme_applications WHERE id = $1", &[second.into()])
        .await
        .unwrap()
        .text("leader_id_number")
        .unwrap();
    assert_eq!(app.count(&format!("SELECT COUNT(*) FROM programme_bans WHERE id_number = '{leader}'")).await, 1);

    // A university sees its own items only.
    let page = staff.get("/programmes/followups").await.body;
    let others = app
        .count(&format!(
            "SELECT COUNT(*) FROM programme_applications WHERE outcome IN ('approved', 'revoked') AND institution_id <> {xtu}"
        ))
        .await;
    assert!(others > 0);
    let other = app
        .id(&format!(
            "SELECT MIN(id) FROM programme_applications WHERE outcome = 'approved' AND institution_id <> {xtu}"
        ))
        .await;
    assert!(!page.contains(&format!("funded-{other}\"")));
    assert_eq!(staff.get(&format!("/programmes/followups/{other}")).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_alliance_has_one_lead_base_and_studios_are_registered() {
    let app = TestApp::demo().await;
    let mut admin = app.login("admin").await;
    let page = admin.get("/programmes/registries").await;
    assert!(page.body.contains("省级牵头基地") && page.body.contains("/assistance/bases"));
    let bases = app.count("SELECT COUNT(*) FROM incubation_bases").await;
    let reply = admin
        .post(
            "/programmes/registries/bases",
            &[("name", "第二个牵头基地"), ("lead", "1"), ("designated_on", "2023-01-01")],
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.body.contains("已有省级牵头基地"), "{}", reply.body);
    let reply = admin
        .post(
            "/programmes/registries/bases",
            &[("name", "长沙成员基地"), ("application", "999999"), ("designated_on", "2023-01-01")],
        )
        .await;
    assert!(reply.body.contains("评审通过的申报书"), "an entry comes from an approved application only");
    let reply =
        admin.post("/programmes/registries/bases", &[("name", "长沙成员基地"), ("designated_on", "2023-01-01")]).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert_eq!(app.count("SELECT COUNT(*) FROM incubation_bases").await, bases + 1);
    let base = app.id("SELECT MAX(id) FROM incubation_bases").await;
    let reply = admin
        .post(
            &format!("/programmes/registries/bases/{base}/projects"),
            &[("name", "智慧农业项目"), ("since_on", "2023-02-01")],
        )
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    let xtu = app.id("SELECT id FROM institutions WHERE code = '10530'").await.to_string();
    let reply = admin
        .post(
            "/programmes/registries/studios",
            &[
                ("name", "湘大名师工作室"),
                ("leader_name", "周老师"),
                ("institution", &xtu),
                ("funding", "-1"),
                ("established_on", "2023-03-01"),
            ],
        )
        .await;
    assert!(reply.body.contains("资助金额应为"));
    let reply = admin
        .post(
            "/programmes/registries/studios",
            &[
                ("name", "湘大名师工作室"),
                ("leader_name", "周老师"),
                ("institution", &xtu),
                ("funding", "80000"),
                ("established_on", "2023-03-01"),
            ],
        )
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert!(audited(&app, "incubation_base", "create").await >= 2);
    assert!(audited(&app, "incubation_project", "create").await >= 1);
    assert!(audited(&app, "mentor_studio", "create").await >= 1);
    let mut staff = app.login("staff").await;
    let page = staff.get("/programmes/registries").await;
    assert!(page.body.contains("智慧农业项目") && page.body.contains("湘大名师工作室"));
    assert!(!page.body.contains("id=\"base-form\""));
}

#[tokio::test]
async fn the_demo_notices_ran_their_working_days() {
    let app = TestApp::demo().await;
    // The 2022 本科 call's notice from Fri 5 Aug 2022, five working days: to Thu 11 Aug.
    let row = app
        .db
        .fetch_one(
            "SELECT n.starts_on, n.ends_on, n.status FROM programme_notices n JOIN programme_calls c ON c.id = n.call_id \
             WHERE c.type_code = '02' AND c.year = 2022 AND n.institution_id IS NULL",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(row.text("starts_on").unwrap(), "2022-08-05");
    assert_eq!(row.text("ends_on").unwrap(), "2022-08-11");
    assert_eq!(row.text("status").unwrap(), "result");
    assert_eq!(app.count("SELECT COUNT(*) FROM programme_objections WHERE status = 'dismissed'").await, 1);
    assert_eq!(app.count("SELECT COUNT(*) FROM programme_notices WHERE institution_id IS NOT NULL").await, 1);
    assert_eq!(app.count("SELECT COUNT(*) FROM incubation_bases WHERE lead = 1").await, 1);
    // The notice that shows scores carries the review's final score of every project it lists.
    let shown = app.id("SELECT MIN(id) FROM programme_notices WHERE show_scores = 1 AND institution_id IS NULL").await;
    let items = app
        .db
        .fetch_all("SELECT score FROM programme_notice_items WHERE notice_id = $1", &[shown.into()])
        .await
        .unwrap();
    assert!(!items.is_empty());
    let scores: Vec<f64> = items.iter().map(|r| r.text("score").unwrap().parse::<f64>().unwrap()).collect();
    assert!(scores.iter().all(|x| (0.0..=100.0).contains(x)), "{scores:?}");
    let page = app.client().get(&format!("/notices/{shown}")).await;
    assert!(page.body.contains(&format!("{:.2}", scores[0])), "{}", page.body);
}

#[tokio::test]
async fn the_province_publishes_a_visitor_objects_and_the_result_is_public_in_a_browser() {
    use crate::browser::{attach, click, fill, log_in, log_out, nav, pick, serve, start_browser, text};
    let Some((_driver, c)) = start_browser().await else { return };
    let app = TestApp::demo().await;
    let (call, approved) = approved_call(&app).await;
    let base = serve(&app).await;
    log_in(&c, &base, "admin", crate::support::PASSWORD).await;
    nav(&c, "/programmes/notices").await;
    pick(&c, &format!("#notice-call option[value='{call}']")).await;
    fill(&c, "#notice-title", "浏览器拟立项公示").await;
    fill(&c, "#notice-office", "省教育厅学生处 0731-84714000").await;
    click(&c, "#notice-submit").await;
    assert!(text(&c, ".flash").await.contains("公示已发布"));
    let notice = app.id("SELECT MAX(id) FROM programme_notices").await;
    log_out(&c).await;

    // A visitor, no account, files a named objection with evidence.
    nav(&c, "/notices").await;
    click(&c, &format!("#public-notice-{notice} a")).await;
    let item = app.id(&format!("SELECT MIN(id) FROM programme_notice_items WHERE notice_id = {notice}")).await;
    pick(&c, &format!("#objection-item option[value='{item}']")).await;
    fill(&c, "#objection-name", "钱八").await;
    fill(&c, "#objection-phone", PHONE).await;
    fill(&c, "#objection-reasons", "申报材料中的成果与实际不符。").await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("证据.pdf");
    std::fs::write(&path, PDF).unwrap();
    attach(&c, "#objection-file", &path).await;
    click(&c, "#objection-submit").await;
    assert!(text(&c, ".flash").await.contains("异议已收到"));

    // Time passes: the notice has ended. The province handles the objection and publishes the result.
    end(&app, notice).await;
    log_in(&c, &base, "admin", crate::support::PASSWORD).await;
    nav(&c, "/programmes/notices").await;
    click(&c, &format!("#notice-{notice} a")).await;
    assert!(text(&c, "#result-refusal").await.contains("未处理"));
    c.find(fantoccini::Locator::Css(".handle-form input[value='dismissed']")).await.unwrap().click().await.unwrap();
    fill(&c, ".handle-form textarea", "经核实，成果属实，异议不成立。").await;
    click(&c, ".handle-form button").await;
    assert!(text(&c, ".flash").await.contains("异议处理结果已记录"));
    assert!(text(&c, ".objection-status").await.contains("异议不成立"));
    click(&c, "#result-submit").await;
    assert!(text(&c, ".flash").await.contains("结果已公布"));
    log_out(&c).await;

    nav(&c, "/notices").await;
    click(&c, &format!("#public-notice-{notice} a[href='/notices/{notice}/result']")).await;
    let title = app
        .db
        .fetch_one("SELECT title FROM programme_applications WHERE id = $1", &[approved[0].into()])
        .await
        .unwrap()
        .text("title")
        .unwrap();
    assert!(text(&c, "#result-items").await.contains(&title));
    c.close().await.ok();
}
