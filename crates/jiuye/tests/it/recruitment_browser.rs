//! Recruitment journeys in a real headless Chromium, one per role-flow: the
//! graduate's profile and résumé (on a phone) read by an employer; an
//! interview, an offer and the agreement it leads to; the province's review
//! and its figures. What a journey only needs as its start is set up over HTTP.

use fantoccini::Locator;

use crate::browser::{
    attach, click, download, fill, fits_the_screen, log_in, log_out, nav, pick, serve, start_browser, text,
};
use crate::recruitment::{in_days, post_job, posting, published};
use crate::support::{TestApp, PASSWORD};

/// A file of these bytes on disk, for a file input.
fn file_of(bytes: &[u8]) -> tempfile::NamedTempFile {
    let file = tempfile::Builder::new().suffix(".pdf").tempfile().expect("temp file");
    std::fs::write(file.path(), bytes).expect("write the file");
    file
}

async fn phone(c: &fantoccini::Client) {
    c.set_window_size(375, 812).await.expect("phone-sized window");
}

async fn desktop(c: &fantoccini::Client) {
    c.set_window_size(1280, 900).await.expect("desktop window");
}

/// The graduate logs in on a phone and follows a link of its navigation.
async fn graduate_at(c: &fantoccini::Client, base: &str, href: &str) {
    phone(c).await;
    log_in(c, base, "graduate", PASSWORD).await;
    nav(c, href).await;
}

/// The employer logs in at its desk and opens a page.
async fn employer_at(c: &fantoccini::Client, base: &str, url: &str) {
    desktop(c).await;
    log_in(c, base, "employer", PASSWORD).await;
    c.goto(url).await.expect("the employer's page");
}

#[tokio::test]
async fn a_graduate_writes_a_profile_on_a_phone_and_the_employer_applied_to_reads_it() {
    let Some((_driver, c)) = start_browser().await else { return };
    let app = TestApp::demo().await;
    let base = serve(&app).await;
    let id = published(&app, "数据工程师").await;

    graduate_at(&c, &base, "/recruitment/profile").await;
    assert!(text(&c, "#profile-education").await.contains("湘潭大学"), "education comes from the roster");
    fill(&c, "#skills", "Rust、PostgreSQL、数据分析").await;
    pick(&c, "#intended_regions option[value='430100']").await;
    fill(&c, "#intended_salary", "8000").await;
    c.find(Locator::Css("input[name=visibility][value=applied]")).await.expect("radio").click().await.expect("choose");
    click(&c, "#save-profile").await;
    assert!(text(&c, ".flash").await.contains("简历已保存"));
    fits_the_screen(&c, "the profile form").await;

    // A file that only calls itself a PDF is refused beside the field; a whole PDF is kept.
    let fake = file_of(b"MZ\x90\0 not a pdf at all");
    attach(&c, "#resume", fake.path()).await;
    click(&c, "#upload-resume").await;
    assert!(text(&c, "#resume-error").await.contains("简历只接受完整的 PDF 文件"));
    assert!(text(&c, "#resume-state").await.contains("尚未上传"));
    let pdf = file_of(crate::support::LICENCE);
    attach(&c, "#resume", pdf.path()).await;
    click(&c, "#upload-resume").await;
    assert!(text(&c, ".flash").await.contains("简历 PDF 已上传"));
    assert!(text(&c, "#resume-state").await.contains("已上传"));

    c.goto(&format!("{base}/jobs/{id}")).await.expect("the posting");
    click(&c, "#apply").await;
    assert!(text(&c, "#my-application").await.contains("已投递"));
    log_out(&c).await;

    // The employer applied to opens the applicant's profile from the applicants.
    employer_at(&c, &base, &format!("{base}/recruitment/postings")).await;
    click(&c, "#postings .applicants-link").await;
    click(&c, "#applicants .applicant-profile").await;
    let profile = text(&c, "#profile").await;
    assert!(profile.contains("Rust、PostgreSQL、数据分析") && profile.contains("长沙市"), "{profile}");
    let resume = download(&c, "#resume-link").await;
    assert_eq!((resume[0].as_i64(), resume[3].as_str()), (Some(200), Some("%P")), "{resume:?}");
    c.close().await.ok();
}

#[tokio::test]
async fn an_interview_is_agreed_the_offer_accepted_and_the_graduate_invited_to_sign() {
    let Some((_driver, c)) = start_browser().await else { return };
    let app = TestApp::demo().await;
    let base = serve(&app).await;
    let id = published(&app, "测试工程师").await;
    app.login("graduate").await.post(&format!("/jobs/{id}/apply"), &[]).await;
    let application = app.id("SELECT id FROM applications").await;
    let stage = format!("/recruitment/applications/{application}/stage");
    app.login("employer").await.post(&stage, &[("to", "shortlisted")]).await;
    let applicants = format!("{base}/recruitment/postings/{id}/applicants");

    // The employer proposes a time: first one already past, then tomorrow.
    employer_at(&c, &base, &applicants).await;
    click(&c, "#applicants .schedule-interview").await;
    fill(&c, "#starts_at", "2020-01-01 10:00").await;
    fill(&c, "#place", "岳麓区麓谷大道 1 号 3 楼").await;
    click(&c, "#send-interview").await;
    assert!(text(&c, "#starts_at-error").await.contains("面试时间须在现在之后"));
    fill(&c, "#starts_at", &format!("{} 10:00", in_days(1))).await;
    click(&c, "#send-interview").await;
    assert!(text(&c, ".flash").await.contains("面试安排已发给毕业生"));
    assert!(text(&c, "#applicants").await.contains("待毕业生确认"));
    log_out(&c).await;

    // The graduate, on a phone, asks for another time.
    graduate_at(&c, &base, "/recruitment/applications").await;
    assert!(text(&c, "#applications .interview").await.contains("岳麓区麓谷大道 1 号 3 楼"));
    fits_the_screen(&c, "my applications").await;
    fill(&c, "#applications input[name=note]", "当天有考试，后天可以").await;
    click(&c, "#applications button[value=reschedule]").await;
    assert!(text(&c, ".flash").await.contains("已申请改期"));
    log_out(&c).await;

    // The employer reads why and proposes an online meeting; the graduate accepts it.
    employer_at(&c, &base, &applicants).await;
    assert!(text(&c, "#applicants .interview").await.contains("当天有考试，后天可以"));
    click(&c, "#applicants .schedule-interview").await;
    fill(&c, "#starts_at", &format!("{} 15:30", in_days(2))).await;
    fill(&c, "#meeting_url", "https://meeting.example.cn/j/123").await;
    click(&c, "#send-interview").await;
    log_out(&c).await;
    graduate_at(&c, &base, "/recruitment/applications").await;
    assert!(text(&c, "#applications .interview").await.contains("15:30"));
    click(&c, "#applications .accept-interview").await;
    assert!(text(&c, ".flash").await.contains("已确认面试"));
    log_out(&c).await;

    // An offer, accepted by the graduate.
    employer_at(&c, &base, &applicants).await;
    assert!(text(&c, "#applicants .interview").await.contains("毕业生已确认"));
    click(&c, "#applicants button[value=offer]").await;
    assert!(text(&c, "#applicants").await.contains("录用意向"));
    log_out(&c).await;
    graduate_at(&c, &base, "/recruitment/applications").await;
    click(&c, "#applications .accept-offer").await;
    assert!(text(&c, ".flash").await.contains("已接受录用意向"));
    log_out(&c).await;

    // From the offer the employer invites the graduate to sign, already identified.
    employer_at(&c, &base, &applicants).await;
    click(&c, "#applicants a[href$='/agreement']").await;
    let name = app
        .db
        .fetch_one(
            "SELECT g.name FROM graduates g JOIN accounts a ON a.graduate_id = g.id WHERE a.username = 'graduate'",
            &[],
        )
        .await
        .unwrap()
        .text("name")
        .unwrap();
    assert!(text(&c, "#offer-graduate").await.contains(&name));
    assert!(c.find(Locator::Css("#offer-agreement #id_number")).await.is_err(), "no ID number to type");
    fill(&c, "#monthly_salary", "7500").await;
    fill(&c, "#term_months", "36").await;
    fill(&c, "#probation_months", "3").await;
    click(&c, "#send-invitation").await;
    assert!(text(&c, ".flash").await.contains("签约邀请已发出"));
    log_out(&c).await;
    graduate_at(&c, &base, "/agreements").await;
    assert!(text(&c, "main").await.contains("测试工程师"));
    c.close().await.ok();
}

#[tokio::test]
async fn the_province_rejects_with_a_reason_takes_a_posting_down_and_reads_the_figures() {
    let Some((_driver, c)) = start_browser().await else { return };
    let app = TestApp::demo().await;
    let base = serve(&app).await;
    published(&app, "财务分析师").await;
    let taken_down = published(&app, "网络工程师").await;
    let deadline = in_days(20);
    let mut fee = posting("销售代表", &deadline);
    fee[1].1 = "入职需缴纳押金 500 元，负责产品销售。";
    post_job(&mut app.login("employer").await, &fee).await;

    log_in(&c, &base, "admin", PASSWORD).await;
    nav(&c, "/recruitment/review").await;
    assert!(text(&c, "#review-queue").await.contains("含收费字样：押金"), "the queue hints at the fee");
    click(&c, "#review-queue a").await;
    click(&c, "#reject").await;
    assert!(text(&c, "#reason-error").await.contains("请写明原因"));
    fill(&c, "#reason", "不得向求职者收取押金").await;
    click(&c, "#reject").await;
    assert!(text(&c, ".flash").await.contains("已退回"));

    c.goto(&format!("{base}/jobs/{taken_down}")).await.expect("a published posting");
    fill(&c, "#reason", "招聘信息与单位实际不符").await;
    click(&c, "#take-down").await;
    assert!(text(&c, ".flash").await.contains("已下架"));

    // 招聘统计: the one posting still open, and each table as a file.
    nav(&c, "/recruitment/statistics").await;
    assert_eq!(text(&c, "#open-postings").await, "1");
    assert_eq!(text(&c, "#open-headcount").await, "5");
    assert!(text(&c, "#by-industry").await.contains("信息传输、软件和信息技术服务业"));
    let file = download(&c, "#industry-xlsx").await;
    assert_eq!(file[0], 200);
    assert_eq!(file[1], kernel::web::export::XLSX);
    assert_eq!(file[3], "PK", "an .xlsx file");
    log_out(&c).await;

    // The employer reads both reasons beside its postings.
    log_in(&c, &base, "employer", PASSWORD).await;
    nav(&c, "/recruitment/postings").await;
    let own = text(&c, "#postings").await;
    assert!(own.contains("不得向求职者收取押金") && own.contains("招聘信息与单位实际不符"), "{own}");
    assert!(own.contains("未通过") && own.contains("已下架"), "{own}");
    c.close().await.ok();
}
