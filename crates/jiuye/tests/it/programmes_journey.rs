//! Issue 15 end to end in real Chromium: a call walked from its opening to the
//! published result as people would, through the pages and their links only —
//! the province opens a call, a school drafts, attaches, self-assesses, submits
//! and recommends, the province runs a blind review round, an expert scores on
//! a phone, the province ranks and decides, publishes the 公示, a visitor files
//! a named objection, the province handles it and publishes the result.

use fantoccini::Locator;

use crate::browser::{attach, click, fill, fits_the_screen, log_in, log_out, nav, pick, serve, start_browser, text};
use crate::programmes_calls::id_number;
use crate::support::{TestApp, PASSWORD};

const TITLE: &str = "高校毕业生返乡就业意愿调查";
const LEADER: &str = "王建国";
const MEMBER: &str = "赵晓雨";
const PDF: &[u8] = b"%PDF-1.4\n% form\nstartxref\n0\n%%EOF\n";

/// Ticks a checkbox unless it is ticked already.
async fn tick(c: &fantoccini::Client, selector: &str) {
    let el = c.find(Locator::Css(selector)).await.unwrap_or_else(|e| panic!("no {selector}: {e}"));
    if !el.is_selected().await.expect("checked?") {
        el.click().await.expect("tick");
    }
}

#[tokio::test]
async fn a_call_goes_from_its_opening_to_the_published_result_in_a_browser() {
    let Some((_driver, c)) = start_browser().await else { return };
    let app = TestApp::demo().await;
    let base = serve(&app).await;
    let dir = tempfile::tempdir().unwrap();

    // 1. The province opens a call asking for a self-assessment.
    log_in(&c, &base, "admin", PASSWORD).await;
    nav(&c, "/programmes").await;
    click(&c, "#new-call").await;
    fill(&c, "#call-title", "2026年就业创业研究专项课题").await;
    pick(&c, "#call-type option[value='02']").await;
    fill(&c, "#call-quota", "1").await;
    fill(&c, "#call-fields", "研究摘要 | Summary | 长文本 | 必填\n申报书 | Application form | 附件 | 必填").await;
    fill(&c, "#call-rubric", "创新性 | Innovation | 60 | 10\n可行性 | Feasibility | 40 | 10").await;
    tick(&c, "#call-self").await;
    click(&c, "#call-submit").await;
    assert!(text(&c, ".flash").await.contains("申报批次已创建"));
    click(&c, "#open-call").await;
    assert!(text(&c, "#call-status").await.contains("申报中"));
    let call = app.id("SELECT MAX(id) FROM programme_calls").await;
    log_out(&c).await;

    // 2. A university's staff draft, fill, self-assess, attach, submit and recommend.
    log_in(&c, &base, "staff", PASSWORD).await;
    nav(&c, "/programmes").await;
    click(&c, &format!("#call-{call} a")).await;
    fill(&c, "#app-title", TITLE).await;
    fill(&c, "#app-leader", LEADER).await;
    fill(&c, "#app-leader-id", &id_number("19800606", 21)).await;
    fill(&c, "#app-members", &format!("{MEMBER} {}", id_number("20000202", 22))).await;
    click(&c, "#app-create").await;
    assert!(text(&c, ".flash").await.contains("申报书已创建"));
    let summary = c.find(Locator::Css("textarea[id^='field-']")).await.expect("the summary field");
    summary.send_keys("调查省内高校毕业生返乡就业的意愿及其影响因素。").await.expect("type the summary");
    let scores = c.find_all(Locator::Css("#self-assessment input[id^='score-']")).await.expect("self-assessment");
    assert_eq!(scores.len(), 2, "the call asks for a self-assessment on its two dimensions");
    assert!(text(&c, "#self-assessment-hint").await.contains("佐证"), "the form says evidence is needed");
    for (score, value) in scores.iter().zip(["8", "9"]) {
        score.send_keys(value).await.expect("self-assess");
    }
    let evidence = c.find_all(Locator::Css("#self-assessment input[id^='evidence-']")).await.expect("evidence");
    for (field, value) in evidence.iter().zip(["问卷已通过预调查", "调查学校已同意配合"]) {
        field.send_keys(value).await.expect("evidence");
    }
    click(&c, "#app-save").await;
    assert!(text(&c, ".flash").await.contains("申报书已保存"));
    // The file name carries the leader's name: blind review must not show it.
    let path = dir.path().join(format!("{LEADER}申报书.pdf"));
    std::fs::write(&path, PDF).unwrap();
    attach(&c, "#file", &path).await;
    click(&c, "#attach-submit").await;
    let attachments = text(&c, "#attachment-list").await;
    assert!(attachments.contains("申报书.pdf"), "{attachments}");
    assert!(!attachments.contains('Z'), "the upload time in China time, not a UTC stamp: {attachments}");
    click(&c, "#app-submit").await;
    let status = text(&c, "#application-status").await;
    assert!(status.contains("已提交"), "{status}: {}", text(&c, "main").await);
    click(&c, "#app-recommend").await;
    assert!(text(&c, "#application-status").await.contains("学校已推荐"));
    log_out(&c).await;

    // 3. The province closes the call, sets a blind round of one expert each and assigns.
    log_in(&c, &base, "admin", PASSWORD).await;
    nav(&c, "/programmes").await;
    click(&c, &format!("#call-{call} a")).await;
    click(&c, "#close-call").await;
    click(&c, "#call-review").await;
    assert_eq!(text(&c, "#round-applications").await.trim(), "1");
    fill(&c, "#round-k", "1").await;
    fill(&c, "#round-limit", "40").await;
    tick(&c, "#round-blind").await;
    click(&c, "#round-save").await;
    assert!(text(&c, ".flash").await.contains("评审设置已保存"));
    click(&c, "#round-assign").await;
    assert!(text(&c, ".flash").await.contains("已分配专家"));
    assert!(text(&c, "#round-state").await.contains("评分中"));
    log_out(&c).await;

    // 4. The assigned expert, on a phone. (Which demo account the assignment
    // chose is read, not set: the expert is told by the province in life.)
    let username = app
        .db
        .fetch_one(
            "SELECT a.username FROM review_assignments r JOIN review_experts e ON e.id = r.expert_id \
             JOIN accounts a ON a.id = e.account_id WHERE r.call_id = $1",
            &[call.into()],
        )
        .await
        .expect("one assignment to an expert with an account")
        .text("username")
        .unwrap();
    c.set_window_size(390, 844).await.expect("phone-sized window");
    log_in(&c, &base, &username, PASSWORD).await;
    nav(&c, "/programmes/reviews").await;
    fits_the_screen(&c, "my reviews").await;
    let list = text(&c, "main").await;
    assert!(list.contains(TITLE), "{list}");
    let link = c
        .find(Locator::XPath(&format!("//ul[contains(@class, 'review-list')]//a[contains(., '{TITLE}')]")))
        .await
        .expect("the journey's review in the list");
    let href = link.attr("href").await.expect("href").expect("a link");
    click(&c, &format!(".review-list a[href='{href}']")).await;
    assert!(text(&c, "#review-title").await.contains(TITLE));
    fits_the_screen(&c, "the review page").await;
    let page = c.source().await.expect("source");
    for hidden in [LEADER, MEMBER, "湘潭大学"] {
        assert!(!page.contains(hidden), "blind review shows {hidden}");
    }
    assert!(text(&c, "#review-blind").await.contains("盲评"));
    for mark in c.find_all(Locator::Css("input[id^='mark-']")).await.expect("marks") {
        mark.send_keys("9").await.expect("mark");
    }
    fill(&c, "#review-comment", "选题贴近实际，调查设计可行，建议立项。").await;
    click(&c, "#review-submit").await;
    assert!(text(&c, ".flash").await.contains("评分已提交"));
    fits_the_screen(&c, "my reviews after submitting").await;
    log_out(&c).await;

    // 5. The province ranks and decides on one slot.
    c.set_window_size(1280, 900).await.expect("desktop window");
    log_in(&c, &base, "admin", PASSWORD).await;
    nav(&c, "/programmes").await;
    click(&c, &format!("#call-{call} a")).await;
    click(&c, "#call-review").await;
    assert!(text(&c, "#round-ranking").await.contains(TITLE));
    fill(&c, "#preview-slots", "1").await;
    click(&c, "#preview-submit").await;
    click(&c, "#round-decide-submit").await;
    assert!(text(&c, ".flash").await.contains("评审结果已确定"));
    assert!(text(&c, "#round-state").await.contains("已决定"));
    assert!(text(&c, "#round-ranking").await.contains("拟立项"));

    // 6. From the decided round to the 公示 form, the call chosen already.
    click(&c, "#round-notice").await;
    let chosen = c.find(Locator::Css("#notice-call")).await.expect("call").prop("value").await.expect("value");
    assert_eq!(chosen.as_deref(), Some(call.to_string().as_str()), "the call is chosen");
    fill(&c, "#notice-title", "2026年就业创业研究专项课题拟立项公示").await;
    fill(&c, "#notice-office", "省教育厅学生处 0731-84714000").await;
    click(&c, "#notice-submit").await;
    assert!(text(&c, ".flash").await.contains("公示已发布"));
    assert!(text(&c, "#notice-items").await.contains(TITLE));
    let notice = app.id("SELECT MAX(id) FROM programme_notices").await;
    log_out(&c).await;

    // 7. An anonymous visitor files a named objection with evidence.
    nav(&c, "/notices").await;
    click(&c, &format!("#public-notice-{notice} a")).await;
    assert!(text(&c, "#notice-items").await.contains(TITLE));
    let item = app.id(&format!("SELECT MIN(id) FROM programme_notice_items WHERE notice_id = {notice}")).await;
    pick(&c, &format!("#objection-item option[value='{item}']")).await;
    fill(&c, "#objection-name", "孙明").await;
    fill(&c, "#objection-phone", "13912345678").await;
    fill(&c, "#objection-reasons", "该项目的预调查数据与学校公布的数据不一致。").await;
    let evidence = dir.path().join("证据.pdf");
    std::fs::write(&evidence, PDF).unwrap();
    attach(&c, "#objection-file", &evidence).await;
    click(&c, "#objection-submit").await;
    assert!(text(&c, ".flash").await.contains("异议已收到"));

    // 8. The working days pass. The platform reads today from the system
    // clock (kernel::time::today_china, not configurable), so the notice's
    // dates are moved into the past with one UPDATE: the only SQL write here.
    let mut tx = app.db.begin().await.unwrap();
    tx.execute(
        "UPDATE programme_notices SET starts_on = '2022-09-30', ends_on = '2022-10-11' WHERE id = $1",
        &[notice.into()],
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();

    // 9. The province handles the objection and publishes the result.
    log_in(&c, &base, "admin", PASSWORD).await;
    nav(&c, "/programmes/notices").await;
    click(&c, &format!("#notice-{notice} a")).await;
    assert!(text(&c, "#result-refusal").await.contains("未处理"));
    c.find(Locator::Css(".handle-form input[value='dismissed']")).await.unwrap().click().await.unwrap();
    fill(&c, ".handle-form textarea", "经核实，预调查数据来源可靠，异议不成立。").await;
    click(&c, ".handle-form button").await;
    assert!(text(&c, ".flash").await.contains("异议处理结果已记录"));
    assert!(text(&c, ".objection-status").await.contains("异议不成立"));
    click(&c, "#result-submit").await;
    assert!(text(&c, ".flash").await.contains("结果已公布"));
    log_out(&c).await;

    // 10. The public result page lists the approved project.
    nav(&c, "/notices").await;
    click(&c, &format!("#public-notice-{notice} a[href='/notices/{notice}/result']")).await;
    let result = text(&c, "#result-items").await;
    assert!(result.contains(TITLE) && result.contains(LEADER), "{result}");

    // 11. The school reads the outcome on its application, now that the result is out.
    let application = app.id(&format!("SELECT id FROM programme_applications WHERE title = '{TITLE}'")).await;
    log_in(&c, &base, "staff", PASSWORD).await;
    c.goto(&format!("{base}/programmes/applications/{application}")).await.expect("open the application");
    assert!(text(&c, "#application-outcome").await.contains("已立项"));
    c.close().await.ok();
}
