//! Calls (批次) and applications (issue 15, part 1): the province configures a
//! call (form fields, rubric, quotas, rules) and opens it; a school's staff
//! draft, attach, self-assess and submit an application (rules checked),
//! withdraw one, and recommend within quota; scopes, the locked form, bans,
//! audit records, and the demo's calls.

use axum::http::StatusCode;

use crate::support::{Client, TestApp};

async fn audited(app: &TestApp, entity: &str, action: &str) -> i64 {
    assert!(registry::audit_names::knows(entity, action), "{entity} {action} named");
    app.count(&format!("SELECT COUNT(*) FROM audit_log WHERE entity = '{entity}' AND action = '{action}'")).await
}

/// A valid ID number born on the date (yyyymmdd), with a sequence.
pub fn id_number(birth: &str, seq: u32) -> String {
    let first17 = format!("430103{birth}{seq:03}");
    format!("{first17}{}", kernel::validate::id_card_check_char(&first17).unwrap())
}

const FIELDS: &str = "研究摘要 | Summary | 长文本 | 必填\n申报书 | Application form | 附件 | 必填";
const RUBRIC: &str = "创新性 | Innovation | 60 | 10\n可行性 | Feasibility | 40 | 10";

fn call_fields<'a>(title: &'a str, quota: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("title", title),
        ("type_code", "02"),
        ("year", "2022"),
        ("opens_on", "2022-06-01"),
        ("closes_on", "2022-07-15"),
        ("review_on", "2022-07-25"),
        ("notice_on", "2022-08-05"),
        ("levels", "本科"),
        ("quota_default", quota),
        ("fields", FIELDS),
        ("rubric", RUBRIC),
        ("self_assessment", "1"),
        ("one_live", "1"),
        ("block_unfinished", "1"),
        ("team_min", "2"),
        ("team_max", "4"),
        ("young_age", "35"),
        ("young_percent", "50"),
    ]
}

/// The province creates and opens a call of the 本科 level; its id.
async fn open_call(app: &TestApp, admin: &mut Client, title: &str, quota: &str) -> i64 {
    let reply = admin.post("/programmes/calls", &call_fields(title, quota)).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    let call = app.id("SELECT MAX(id) FROM programme_calls").await;
    let reply = admin.post(&format!("/programmes/calls/{call}/status"), &[("to", "open")]).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    call
}

/// Staff draft an application (leader born 1980, one member born 2000); its id.
async fn draft(app: &TestApp, staff: &mut Client, call: i64, title: &str, leader: &str) -> i64 {
    let members = format!("李四 {}", id_number("20000101", 11));
    let reply = staff
        .post(
            &format!("/programmes/calls/{call}/applications"),
            &[("title", title), ("leader_name", "张老师"), ("leader_id", leader), ("members", &members)],
        )
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    app.id("SELECT MAX(id) FROM programme_applications").await
}

/// Fills the form, self-assesses and attaches the file, then submits.
async fn complete_and_submit(
    app: &TestApp,
    staff: &mut Client,
    call: i64,
    application: i64,
    title: &str,
    leader: &str,
) -> crate::support::Reply {
    let summary =
        app.id(&format!("SELECT id FROM programme_call_fields WHERE call_id = {call} AND kind = 'long'")).await;
    let file = app.id(&format!("SELECT id FROM programme_call_fields WHERE call_id = {call} AND kind = 'file'")).await;
    let dims: Vec<i64> = app
        .db
        .fetch_all(&format!("SELECT id FROM programme_rubric WHERE call_id = {call} ORDER BY id"), &[])
        .await
        .unwrap()
        .iter()
        .map(|r| r.i64("id").unwrap())
        .collect();
    let members = format!("李四 {}", id_number("20000101", 11));
    let (f, s0, e0, s1, e1) = (
        format!("f_{summary}"),
        format!("s_{}", dims[0]),
        format!("e_{}", dims[0]),
        format!("s_{}", dims[1]),
        format!("e_{}", dims[1]),
    );
    let reply = staff
        .post(
            &format!("/programmes/applications/{application}"),
            &[
                ("title", title),
                ("leader_name", "张老师"),
                ("leader_id", leader),
                ("members", &members),
                (&f, "研究高校毕业生就业观念的变化。"),
                (&s0, "8"),
                (&e0, "已发表论文两篇"),
                (&s1, "9"),
                (&e1, "有前期调查数据"),
            ],
        )
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    let pdf = b"%PDF-1.4\n% form\nstartxref\n0\n%%EOF\n".to_vec();
    let reply = staff
        .post_file(
            &format!("/programmes/applications/{application}/files"),
            &[("field", &file.to_string())],
            "申报书.pdf",
            pdf,
        )
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    staff.post(&format!("/programmes/applications/{application}/submit"), &[]).await
}

#[tokio::test]
async fn a_school_applies_submits_and_recommends_within_quota() {
    let app = TestApp::demo().await;
    let mut admin = app.login("admin").await;
    let mut staff = app.login("staff").await;

    // Bad configuration answers 200 with the reasons, nothing stored.
    let calls = app.count("SELECT COUNT(*) FROM programme_calls").await;
    let mut bad = call_fields("测试课题", "1");
    bad.retain(|(k, _)| *k != "rubric");
    bad.push(("rubric", "创新性 | Innovation | 60 | 10"));
    let reply = admin.post("/programmes/calls", &bad).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.body.contains("权重合计应为 100"), "{}", reply.body);
    assert_eq!(app.count("SELECT COUNT(*) FROM programme_calls").await, calls);

    let reply = admin.post("/programmes/calls", &call_fields("测试课题", "1")).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    let call = app.id("SELECT MAX(id) FROM programme_calls").await;
    // A draft call is the province's alone.
    assert_eq!(staff.get(&format!("/programmes/calls/{call}")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        admin.post(&format!("/programmes/calls/{call}/status"), &[("to", "open")]).await.status,
        StatusCode::SEE_OTHER
    );
    let page = staff.get(&format!("/programmes/calls/{call}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("研究摘要") && page.body.contains("id=\"application-form\""));
    assert_eq!(audited(&app, "program_call", "create").await, calls + 1);
    assert!(audited(&app, "program_call", "open").await >= 1);

    // A wrong check digit is refused with the reason.
    let mut wrong = id_number("19800101", 7);
    let last = if wrong.ends_with('1') { '2' } else { '1' };
    wrong.pop();
    wrong.push(last);
    let reply = staff
        .post(
            &format!("/programmes/calls/{call}/applications"),
            &[("title", "x"), ("leader_name", "张老师"), ("leader_id", &wrong)],
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.body.contains("校验位错误"), "{}", reply.body);

    let leader = id_number("19800101", 7);
    let first = draft(&app, &mut staff, call, "课题甲", &leader).await;
    // Submitting an empty draft: every missing part named.
    let reply = staff.post(&format!("/programmes/applications/{first}/submit"), &[]).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.body.contains("请填写“研究摘要”"), "{}", reply.body);
    assert!(reply.body.contains("请上传“申报书”"));
    assert!(reply.body.contains("自评“创新性”应为 0 到 10 分"));
    let reply = complete_and_submit(&app, &mut staff, call, first, "课题甲", &leader).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    assert_eq!(
        app.count(&format!("SELECT COUNT(*) FROM programme_applications WHERE id = {first} AND status = 'submitted'"))
            .await,
        1
    );

    // The form is locked once applications exist.
    let reply = admin.post(&format!("/programmes/calls/{call}/edit"), &call_fields("改名", "1")).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.body.contains("不能再修改"));
    assert_eq!(app.count("SELECT COUNT(*) FROM programme_calls WHERE title = '改名'").await, 0);

    // The same leader again: one live application per leader.
    let second = draft(&app, &mut staff, call, "课题乙", &leader).await;
    let reply = complete_and_submit(&app, &mut staff, call, second, "课题乙", &leader).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.body.contains("同一负责人同时只能申报一项"), "{}", reply.body);

    // A banned leader.
    let banned = id_number("19820202", 8);
    let reply =
        admin.post("/programmes/bans", &[("id_number", &banned), ("until_on", "2030-01-01"), ("reason", "撤项")]).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert_eq!(audited(&app, "program_ban", "create").await, 2, "the demo's and this");
    let third = draft(&app, &mut staff, call, "课题丙", &banned).await;
    let reply = complete_and_submit(&app, &mut staff, call, third, "课题丙", &banned).await;
    assert!(reply.body.contains("2030-01-01 前不得申报"), "{}", reply.body);

    // Another leader submits; the quota of one lets only one be recommended.
    let other = id_number("19850505", 9);
    let fourth = draft(&app, &mut staff, call, "课题丁", &other).await;
    let reply = complete_and_submit(&app, &mut staff, call, fourth, "课题丁", &other).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    assert_eq!(
        staff.post(&format!("/programmes/applications/{first}/recommend"), &[]).await.status,
        StatusCode::SEE_OTHER
    );
    let reply = staff.post(&format!("/programmes/applications/{fourth}/recommend"), &[]).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.body.contains("推荐名额已满"), "{}", reply.body);
    // It can still be withdrawn while the call is open.
    assert_eq!(
        staff.post(&format!("/programmes/applications/{fourth}/withdraw"), &[]).await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        app.count(&format!("SELECT COUNT(*) FROM programme_applications WHERE id = {fourth} AND status = 'withdrawn'"))
            .await,
        1
    );

    // The province sees it, filtered by institution and status; the leader's ID number masked.
    let xtu = app.id("SELECT id FROM institutions WHERE code = '10530'").await;
    let page = admin.get(&format!("/programmes/calls/{call}?institution={xtu}&status=recommended")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("课题甲") && !page.body.contains("课题丁"));
    assert!(!page.body.contains(&leader));
    let page = admin.get(&format!("/programmes/applications/{first}")).await;
    assert!(page.body.contains("学校已推荐") && !page.body.contains(&leader));
    // The attachment downloads for the school and the province.
    let file = app.id(&format!("SELECT id FROM programme_application_files WHERE application_id = {first}")).await;
    assert_eq!(admin.get(&format!("/programmes/files/{file}")).await.status, StatusCode::OK);

    // Scopes: another school's staff 404, graduates and employers 403.
    let mut hnu = app.login("staff10532").await;
    assert_eq!(hnu.get(&format!("/programmes/applications/{first}")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(hnu.get(&format!("/programmes/files/{file}")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        hnu.post(&format!("/programmes/applications/{first}/withdraw"), &[]).await.status,
        StatusCode::NOT_FOUND
    );
    for role in ["graduate", "employer", "expert"] {
        let mut c = app.login(role).await;
        assert_eq!(c.get(&format!("/programmes/applications/{first}")).await.status, StatusCode::FORBIDDEN, "{role}");
        assert_eq!(c.get(&format!("/programmes/calls/{call}")).await.status, StatusCode::FORBIDDEN, "{role}");
    }

    // Every write audited.
    for (entity, action, at_least) in [
        ("program_application", "create", 4),
        ("program_application", "update", 4),
        ("program_application", "attach", 4),
        ("program_application", "submit", 2),
        ("program_application", "recommend", 1),
        ("program_application", "withdraw", 1),
    ] {
        let demo = app
            .count(&format!(
                "SELECT COUNT(*) FROM audit_log WHERE entity = '{entity}' AND action = '{action}' AND actor_label = 'demo'"
            ))
            .await;
        assert!(audited(&app, entity, action).await - demo >= at_least, "{entity} {action}");
    }
}

#[tokio::test]
async fn closing_a_call_stops_submissions_and_the_demo_holds_the_plans_calls() {
    let app = TestApp::demo().await;
    assert_eq!(app.count("SELECT COUNT(*) FROM programme_calls").await, 5);
    assert!(app.count("SELECT COUNT(*) FROM programme_applications").await >= 20);
    assert!(app.count("SELECT COUNT(*) FROM programme_applications WHERE status = 'recommended'").await > 0);
    let mut admin = app.login("admin").await;
    let mut staff = app.login("staff").await;
    let list = staff.get("/programmes").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.body.contains("路演项目遴选") || list.body.contains("路演遴选"));
    assert!(!list.body.contains("高职院校就业创业教育教学改革"), "a 本科 school does not see the 高职 call");

    let call = open_call(&app, &mut admin, "截止测试", "2").await;
    let leader = id_number("19810303", 5);
    let application = draft(&app, &mut staff, call, "截止前草稿", &leader).await;
    assert_eq!(
        admin.post(&format!("/programmes/calls/{call}/status"), &[("to", "closed")]).await.status,
        StatusCode::SEE_OTHER
    );
    assert!(audited(&app, "program_call", "close").await >= 1);
    let reply = complete_and_submit(&app, &mut staff, call, application, "截止前草稿", &leader).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.body.contains("不在申报期内"), "{}", reply.body);
    let reply = staff.post(&format!("/programmes/calls/{call}/applications"), &[("title", "x")]).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.body.contains("不在申报期内"));
}

#[tokio::test]
async fn the_province_opens_a_call_and_a_school_submits_and_recommends_in_a_browser() {
    use crate::browser::{attach, click, fill, log_in, log_out, nav, serve, start_browser, text};
    let Some((_driver, c)) = start_browser().await else { return };
    let app = TestApp::demo().await;
    let base = serve(&app).await;
    log_in(&c, &base, "admin", crate::support::PASSWORD).await;
    nav(&c, "/programmes").await;
    click(&c, "#new-call").await;
    fill(&c, "#call-title", "浏览器测试课题").await;
    crate::browser::pick(&c, "#call-type option[value='02']").await;
    // The dates come filled in: today, then a month, six weeks and two months on.
    fill(&c, "#call-quota", "1").await;
    fill(&c, "#call-fields", "研究摘要 | Summary | 长文本 | 必填\n申报书 | Application form | 附件 | 必填").await;
    fill(&c, "#call-rubric", "创新性 | Innovation | 60 | 10\n可行性 | Feasibility | 40 | 10").await;
    click(&c, "#call-submit").await;
    assert!(text(&c, ".flash").await.contains("申报批次已创建"));
    click(&c, "#open-call").await;
    assert!(text(&c, "#call-status").await.contains("申报中"));
    log_out(&c).await;

    log_in(&c, &base, "staff", crate::support::PASSWORD).await;
    let call = app.id("SELECT MAX(id) FROM programme_calls").await;
    nav(&c, "/programmes").await;
    click(&c, &format!("#call-{call} a")).await;
    fill(&c, "#app-title", "浏览器申报项目").await;
    fill(&c, "#app-leader", "王老师").await;
    fill(&c, "#app-leader-id", &id_number("19790909", 3)).await;
    fill(&c, "#app-members", &format!("赵同学 {}", id_number("20010101", 4))).await;
    click(&c, "#app-create").await;
    assert!(text(&c, ".flash").await.contains("申报书已创建"));
    let summary =
        app.id(&format!("SELECT id FROM programme_call_fields WHERE call_id = {call} AND kind = 'long'")).await;
    fill(&c, &format!("#field-{summary}"), "研究毕业生就业观念。").await;
    click(&c, "#app-save").await;
    assert!(text(&c, ".flash").await.contains("申报书已保存"));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("申报书.pdf");
    std::fs::write(&path, b"%PDF-1.4\n% form\nstartxref\n0\n%%EOF\n").unwrap();
    attach(&c, "#file", &path).await;
    click(&c, "#attach-submit").await;
    assert!(text(&c, "#attachment-list").await.contains("申报书.pdf"));
    click(&c, "#app-submit").await;
    assert!(text(&c, "#application-status").await.contains("已提交"));
    click(&c, "#app-recommend").await;
    assert!(text(&c, "#application-status").await.contains("学校已推荐"));
    log_out(&c).await;

    log_in(&c, &base, "admin", crate::support::PASSWORD).await;
    nav(&c, "/programmes").await;
    click(&c, &format!("#call-{call} a")).await;
    assert!(text(&c, "#application-list").await.contains("浏览器申报项目"));
    assert!(text(&c, "#application-list").await.contains("学校已推荐"));
    c.close().await.ok();
}
