//! Fair journeys in a real headless Chromium: an employer books a booth with
//! its jobs, the host university approves it and opens registration, a
//! graduate registers on a phone and shows its pass, the host checks it in
//! from a phone at the door and reads the figures; and an online booth's
//! queue that turns into an interview. What a journey only needs as its start
//! is set up over HTTP.

use fantoccini::Locator;

use crate::browser::{click, fill, fits_the_screen, log_in, log_out, nav, serve, start_browser, text};
use crate::fairs::{create_fair, fair, in_hours, set_status};
use crate::recruitment::published;
use crate::support::{TestApp, PASSWORD};

async fn phone(c: &fantoccini::Client) {
    c.set_window_size(375, 812).await.expect("phone-sized window");
}

async fn desktop(c: &fantoccini::Client) {
    c.set_window_size(1280, 900).await.expect("desktop window");
}

#[tokio::test]
async fn a_booth_is_booked_approved_and_a_graduate_checked_in_from_a_phone() {
    let Some((_driver, c)) = start_browser().await else { return };
    let app = TestApp::demo().await;
    let base = serve(&app).await;
    let job = published(&app, "双选会：电气工程师").await;
    let xtu = app.id("SELECT id FROM institutions WHERE code = '10530'").await.to_string();
    let (starts, ends) = (in_hours(1), in_hours(6));
    let mut fields = fair("湘潭大学2022届春季双选会", &starts, &ends, "30", "800");
    fields.push(("hosts", &xtu));
    let mut admin = app.login("admin").await;
    let id = create_fair(&mut admin, &fields).await;
    set_status(&mut admin, id, "booking").await;

    // The employer finds the fair in the calendar and books a booth with its job.
    desktop(&c).await;
    log_in(&c, &base, "employer", PASSWORD).await;
    nav(&c, "/fairs").await;
    click(&c, &format!("#fair-list a[href='/fairs/{id}']")).await;
    click(&c, "#book-booth").await;
    c.find(Locator::Css(&format!("#bring-{job}"))).await.expect("the job").click().await.expect("tick");
    click(&c, "#submit-booth").await;
    assert!(text(&c, ".flash").await.contains("展位申请已提交"));
    assert!(text(&c, "#booth-status").await.contains("待审核"));
    log_out(&c).await;

    // The host university's office approves it with a number and opens registration.
    log_in(&c, &base, "staff", PASSWORD).await;
    nav(&c, "/recruitment/fairs").await;
    click(&c, &format!("#hosted-fairs a[href='/recruitment/fairs/{id}/booths']")).await;
    fill(&c, "#booth-applications input[name=booth_no]", "B-12").await;
    click(&c, "#booth-applications button[value=approve]").await;
    assert!(text(&c, ".flash").await.contains("B-12"));
    c.goto(&format!("{base}/fairs/{id}")).await.expect("the fair");
    c.find(Locator::Css("#status option[value=registration]")).await.expect("status").click().await.expect("pick");
    click(&c, "#change-status").await;
    assert!(text(&c, "#fair-status").await.contains("报名中"));
    log_out(&c).await;

    // A graduate registers on a phone and shows the pass.
    phone(&c).await;
    log_in(&c, &base, "graduate", PASSWORD).await;
    nav(&c, "/fairs").await;
    click(&c, &format!("#fair-list a[href='/fairs/{id}']")).await;
    assert!(text(&c, "#fair-jobs").await.contains("双选会：电气工程师"));
    click(&c, "#register").await;
    assert!(text(&c, ".flash").await.contains("报名成功"));
    click(&c, "#show-pass").await;
    assert!(c.find(Locator::Css("#pass-qr svg")).await.is_ok(), "the QR code");
    fits_the_screen(&c, "the pass").await;
    let token = c.execute("return document.querySelector('#pass-token').textContent", vec![]).await.expect("token");
    let token = token.as_str().unwrap_or_default().to_owned();
    log_out(&c).await;

    // The host checks it in at the door from a phone; a second scan counts once.
    log_in(&c, &base, "staff", PASSWORD).await;
    c.goto(&format!("{base}/recruitment/fairs/{id}/door")).await.expect("the door");
    fits_the_screen(&c, "the door").await;
    fill(&c, "#code", &token).await;
    click(&c, "#check-in").await;
    assert!(text(&c, "#door-result").await.contains("签到成功"));
    assert_eq!(text(&c, "#door-attended").await, "1");
    fill(&c, "#code", &token).await;
    click(&c, "#check-in").await;
    assert!(text(&c, "#door-result").await.contains("已签到过"));
    assert_eq!(text(&c, "#door-attended").await, "1");
    c.goto(&format!("{base}/recruitment/fairs/{id}/statistics")).await.expect("the figures");
    let figures = text(&c, "#fair-figures").await;
    assert!(figures.contains("签到人数\n1") || figures.contains("签到人数 1"), "{figures}");
    c.close().await.ok();
}

#[tokio::test]
async fn an_online_booth_queue_turns_into_an_interview_in_a_browser() {
    let Some((_driver, c)) = start_browser().await else { return };
    let app = TestApp::demo().await;
    let base = serve(&app).await;
    let job = published(&app, "云端：前端开发工程师").await;
    let (starts, ends) = (in_hours(-1), in_hours(4));
    let mut fields = fair("2022届云就业网络专场", &starts, &ends, "50", "5000");
    for (key, value) in [("kind_code", "04"), ("mode", "online"), ("venue", "")] {
        fields.iter_mut().find(|(k, _)| *k == key).expect("field").1 = value;
    }
    let mut admin = app.login("admin").await;
    let id = create_fair(&mut admin, &fields).await;
    set_status(&mut admin, id, "booking").await;
    let mut hr = app.login("employer").await;
    hr.post(&format!("/fairs/{id}/booth"), &[("posting_ids", &job.to_string())]).await;
    let booth = app.id(&format!("SELECT id FROM fair_booths WHERE fair_id = {id}")).await;
    admin.post(&format!("/recruitment/fairs/{id}/booths/{booth}"), &[("decision", "approve")]).await;
    set_status(&mut admin, id, "running").await;
    hr.post(&format!("/fairs/{id}/booth/online"), &[("online", "1")]).await;
    app.login("graduate").await.post(&format!("/fairs/{id}/register"), &[]).await;

    // On a phone the graduate enters the hall, queues at the booth, writes and applies.
    phone(&c).await;
    log_in(&c, &base, "graduate", PASSWORD).await;
    c.goto(&format!("{base}/fairs/{id}")).await.expect("the fair");
    click(&c, "#open-lobby").await;
    click(&c, &format!("#lobby a[href='/fairs/{id}/booths/{booth}']")).await;
    click(&c, "#join-queue").await;
    assert!(text(&c, "#queue-status").await.contains("排队中"));
    fill(&c, "#body", "您好，请问前端岗位可以远程面试吗？").await;
    click(&c, "#send-line").await;
    click(&c, &format!("#apply-{job}")).await;
    fits_the_screen(&c, "the online booth").await;
    log_out(&c).await;

    // The employer calls the next one, shortlists and offers an online interview.
    desktop(&c).await;
    log_in(&c, &base, "employer", PASSWORD).await;
    c.goto(&format!("{base}/fairs/{id}")).await.expect("the fair");
    click(&c, "#booth-desk").await;
    assert!(text(&c, "#desk-queue").await.contains("排队中"));
    click(&c, "#call-next").await;
    assert!(text(&c, "#chat-lines").await.contains("可以远程面试吗"));
    fill(&c, "#body", "可以，稍后发您会议链接。").await;
    click(&c, "#send-line").await;
    click(&c, "#talk-applications button[id^=shortlist-]").await;
    click(&c, "#talk-applications a[id^=interview-]").await;
    fill(&c, "#starts_at", &in_hours(3)).await;
    fill(&c, "#meeting_url", "https://meeting.example.cn/j/2022").await;
    click(&c, "#send-interview").await;
    log_out(&c).await;

    phone(&c).await;
    log_in(&c, &base, "graduate", PASSWORD).await;
    c.goto(&format!("{base}/fairs/{id}/booths/{booth}")).await.expect("the booth");
    assert!(text(&c, "#chat-lines").await.contains("稍后发您会议链接"));
    nav(&c, "/recruitment/applications").await;
    assert!(text(&c, "main").await.contains("面试"));
    let link = c.find(Locator::Css("main a[href='https://meeting.example.cn/j/2022']")).await;
    assert!(link.is_ok(), "the meeting link the employer gave");
    c.close().await.ok();
}

#[tokio::test]
async fn the_province_plans_a_fair_through_its_form_and_each_finds_it_on_their_own_page() {
    let Some((_driver, c)) = start_browser().await else { return };
    let app = TestApp::demo().await;
    let base = serve(&app).await;
    let job = published(&app, "专场：土木工程师").await;

    // The form names a bad end time beside its field and keeps what was typed.
    desktop(&c).await;
    log_in(&c, &base, "admin", PASSWORD).await;
    nav(&c, "/recruitment/fairs").await;
    click(&c, "#new-fair").await;
    c.find(Locator::Css("#kind_code option[value='03']")).await.expect("kind").click().await.expect("pick");
    fill(&c, "#title", "省级常设市场土建类专场").await;
    c.find(Locator::Css("#region_code option[value='430100']")).await.expect("region").click().await.expect("pick");
    fill(&c, "#starts_at", &in_hours(5)).await;
    fill(&c, "#ends_at", &in_hours(2)).await;
    fill(&c, "#venue", "湖南省大中专学校学生就业指导服务中心").await;
    click(&c, "#save-fair").await;
    assert!(text(&c, "#ends_at-error").await.contains("结束时间须晚于开始时间"));
    fill(&c, "#ends_at", &in_hours(9)).await;
    click(&c, "#save-fair").await;
    assert!(text(&c, ".flash").await.contains("活动已创建"));
    c.find(Locator::Css("#status option[value=booking]")).await.expect("status").click().await.expect("pick");
    click(&c, "#change-status").await;
    nav(&c, "/recruitment/fairs").await;
    c.find(Locator::Css("#kind_code option[value='03']")).await.expect("kind").click().await.expect("pick");
    fill(&c, "#planned_min", "40").await;
    fill(&c, "#planned_max", "40").await;
    click(&c, "#save-target").await;
    assert!(text(&c, ".flash").await.contains("计划已保存"));
    let held = app.count("SELECT COUNT(*) FROM fairs WHERE kind_code = '03' AND status = 'finished'").await;
    assert!(text(&c, "#fair-targets").await.contains(&format!("{held} / 40")));
    log_out(&c).await;
    let id = app.id("SELECT id FROM fairs WHERE title = '省级常设市场土建类专场'").await;

    // The employer books, finds it among its booths, and once approved scans a visitor's pass.
    log_in(&c, &base, "employer", PASSWORD).await;
    c.goto(&format!("{base}/fairs/{id}/booth")).await.expect("the booth form");
    c.find(Locator::Css(&format!("#bring-{job}"))).await.expect("the job").click().await.expect("tick");
    click(&c, "#submit-booth").await;
    nav(&c, "/recruitment/booths").await;
    assert!(text(&c, "#my-booths").await.contains("省级常设市场土建类专场"));
    let booth = app.id(&format!("SELECT id FROM fair_booths WHERE fair_id = {id}")).await;
    let mut admin = app.login("admin").await;
    admin.post(&format!("/recruitment/fairs/{id}/booths/{booth}"), &[("decision", "approve")]).await;
    set_status(&mut admin, id, "registration").await;
    let mut graduate = app.login("graduate").await;
    graduate.post(&format!("/fairs/{id}/register"), &[]).await;
    let pass = graduate.get(&format!("/fairs/{id}/pass")).await.body;
    let start = pass.find("id=\"pass-token\">").expect("the pass") + "id=\"pass-token\">".len();
    let token = pass[start..].split('<').next().unwrap_or_default().to_owned();
    c.goto(&format!("{base}/fairs/{id}/booth")).await.expect("the booth");
    click(&c, "#booth-visitors").await;
    fill(&c, "#code", &token).await;
    click(&c, "#record-visit").await;
    assert!(text(&c, "#scan-result").await.contains("已记录到访"));
    assert_eq!(text(&c, "#visitor-count").await, "1");
    log_out(&c).await;

    // The graduate finds it on 我的招聘会, on a phone.
    phone(&c).await;
    log_in(&c, &base, "graduate", PASSWORD).await;
    nav(&c, "/recruitment/my-fairs").await;
    assert!(text(&c, "#my-fairs").await.contains("省级常设市场土建类专场"));
    fits_the_screen(&c, "my fairs").await;
    c.close().await.ok();
}
