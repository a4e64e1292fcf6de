//! Job postings: an approved employer posts, a reviewer decides, anyone finds
//! an open posting; bad input and scopes.

use axum::http::StatusCode;

use crate::support::{Client, TestApp};

pub(crate) fn in_days(days: i64) -> String {
    (kernel::time::today_china() + chrono::Duration::days(days)).to_string()
}

pub(crate) fn posting<'a>(title: &'a str, deadline: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("title", title),
        ("description", "负责后端服务的设计与开发，熟悉 Rust 或 Java，有实习经历者优先。"),
        ("position_code", "13"),
        ("industry_code", "34"),
        ("education_level", "2"),
        ("region_codes", "430104"),
        ("region_codes", "430200"),
        ("major_codes", ""),
        ("headcount", "5"),
        ("salary_min", "6000"),
        ("salary_max", "9000"),
        ("contact_name", "王芳"),
        ("contact_phone", "0731-88888888"),
        ("deadline", deadline),
        ("public_sector_kind", ""),
        ("notice_url", ""),
        ("channel_institution_id", ""),
    ]
}

pub(crate) async fn post_job(c: &mut Client, fields: &[(&str, &str)]) -> i64 {
    let reply = c.post("/recruitment/postings", fields).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    let location = reply.location.unwrap_or_default();
    location.trim_start_matches("/jobs/").parse().expect("the posting's page")
}

#[tokio::test]
async fn an_employer_posts_the_province_approves_and_anyone_finds_it() {
    let app = TestApp::demo().await;
    let mut hr = app.login("employer").await;
    let deadline = in_days(30);
    let id = post_job(&mut hr, &posting("Rust 后端开发工程师", &deadline)).await;
    let page = hr.get(&format!("/jobs/{id}")).await.body;
    assert!(page.contains("待审核") && page.contains("湖南省长沙市岳麓区"), "{page}");

    // Unpublished, it is nobody else's business.
    let mut visitor = app.client();
    assert_eq!(visitor.get(&format!("/jobs/{id}")).await.status, StatusCode::NOT_FOUND);
    assert!(!visitor.get("/jobs?q=Rust").await.body.contains(&format!("href=\"/jobs/{id}\"")));

    let mut admin = app.login("admin").await;
    assert!(admin.get("/recruitment/review").await.body.contains("Rust 后端开发工程师"));
    let reply = admin.post(&format!("/recruitment/postings/{id}/review"), &[("decision", "approve")]).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);

    for search in [
        "/jobs?q=Rust",
        "/jobs?q=后端+开发",
        "/jobs?region=430000",
        "/jobs?region=430100&salary=8000",
        "/jobs?industry=34",
    ] {
        let page = visitor.get(search).await.body;
        assert!(page.contains(&format!("href=\"/jobs/{id}\"")), "{search}");
    }
    for search in ["/jobs?region=420000", "/jobs?salary=10000", "/jobs?public=all", "/jobs?q=会计"] {
        assert!(!visitor.get(search).await.body.contains(&format!("href=\"/jobs/{id}\"")), "{search}");
    }
    let page = visitor.get(&format!("/jobs/{id}")).await.body;
    assert!(page.contains("6000–9000 元/月") && page.contains("已发布"));
    assert_eq!(app.count(&format!("SELECT COUNT(*) FROM posting_changes WHERE posting_id = {id}")).await, 2);
    let audit = format!("SELECT COUNT(*) FROM audit_log WHERE entity = 'posting' AND entity_id = '{id}'");
    assert_eq!(app.count(&audit).await, 2, "created and reviewed");

    // Past its deadline it leaves the list on its own.
    let mut tx = app.db.begin().await.unwrap();
    tx.execute("UPDATE postings SET deadline = $1 WHERE id = $2", &[in_days(-1).into(), id.into()]).await.unwrap();
    // As every write to a posting does, so the search index reads it again.
    tx.execute(
        "INSERT INTO posting_changes (posting_id, changed_at) VALUES ($1, '2022-03-01T00:00:00.000Z')",
        &[id.into()],
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    assert!(!visitor.get("/jobs?q=Rust").await.body.contains(&format!("href=\"/jobs/{id}\"")));
    assert!(visitor.get(&format!("/jobs/{id}")).await.body.contains("已截止"));
}

#[tokio::test]
async fn bad_input_is_named_beside_its_field_and_nothing_is_stored() {
    let app = TestApp::demo().await;
    let mut hr = app.login("employer").await;
    let yesterday = in_days(-1);
    let mut fields = posting("会", &yesterday);
    fields.retain(|(k, _)| *k != "region_codes");
    for (key, value) in
        [("salary_min", "9000"), ("salary_max", "6000"), ("public_sector_kind", "2"), ("major_codes", "999999")]
    {
        fields.iter_mut().find(|(k, _)| *k == key).unwrap().1 = value;
    }
    let reply = hr.post("/recruitment/postings", &fields).await;
    assert_eq!(reply.status, StatusCode::OK);
    for message in [
        "岗位名称须为 2-60 个字",
        "截止日期已过",
        "请至少选择一个工作地点",
        "最低月薪高于最高月薪",
        "须附招考或招聘公告的链接",
        "专业目录中没有这个代码：999999",
    ] {
        assert!(reply.body.contains(message), "{message}");
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM postings").await, 0);

    // Markup in a description is text, never markup.
    let deadline = in_days(10);
    let mut fields = posting("前端开发", &deadline);
    fields[1].1 = "<script>alert(1)</script> 负责网页开发与维护工作。";
    let id = post_job(&mut hr, &fields).await;
    let page = hr.get(&format!("/jobs/{id}")).await.body;
    assert!(page.contains("&#60;script&#62;alert(1)&#60;/script&#62;") && !page.contains("<script>alert(1)"), "{page}");
}

#[tokio::test]
async fn a_rejected_posting_says_why_and_is_resubmitted_then_withdrawn() {
    let app = TestApp::demo().await;
    let mut hr = app.login("employer").await;
    let deadline = in_days(20);
    let mut fields = posting("销售代表", &deadline);
    fields[1].1 = "入职需缴纳押金 500 元，负责产品销售。";
    let id = post_job(&mut hr, &fields).await;
    let again = post_job(&mut hr, &posting("销售代表", &deadline)).await;
    let mut admin = app.login("admin").await;
    let page = admin.get(&format!("/jobs/{id}")).await.body;
    assert!(page.contains("含收费字样：押金"), "the review hints at the fee");
    let queue = admin.get("/recruitment/review").await.body;
    for (one, other) in [(id, again), (again, id)] {
        assert!(queue.contains(&format!("30 天内同一单位有同名岗位：#{other}")), "#{one} names #{other}: {queue}");
    }
    hr.post(&format!("/recruitment/postings/{again}/withdraw"), &[]).await;
    let reply = admin.post(&format!("/recruitment/postings/{id}/review"), &[("decision", "reject")]).await;
    assert!(reply.body.contains("请写明原因"), "a rejection needs a reason");
    let reason = [("decision", "reject"), ("reason", "不得向求职者收取押金")];
    assert_eq!(admin.post(&format!("/recruitment/postings/{id}/review"), &reason).await.status, StatusCode::SEE_OTHER);
    let own = hr.get("/recruitment/postings").await.body;
    assert!(own.contains("未通过") && own.contains("不得向求职者收取押金"));

    fields[1].1 = "负责产品销售与客户维护，底薪加提成。";
    let reply = hr.post(&format!("/recruitment/postings/{id}/edit"), &fields).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    let status =
        format!("SELECT COUNT(*) FROM postings WHERE id = {id} AND status = 'pending' AND review_reason IS NULL");
    assert_eq!(app.count(&status).await, 1, "back in the queue");
    assert_eq!(hr.post(&format!("/recruitment/postings/{id}/withdraw"), &[]).await.status, StatusCode::SEE_OTHER);
    assert_eq!(app.count(&format!("SELECT COUNT(*) FROM postings WHERE id = {id} AND status = 'withdrawn'")).await, 1);
    assert_eq!(hr.post(&format!("/recruitment/postings/{id}/edit"), &fields).await.status, StatusCode::CONFLICT);
}

/// A second approved employer with an account, for scope checks.
pub(crate) async fn rival(app: &TestApp) {
    let mut tx = app.db.begin().await.unwrap();
    tx.execute(
        "INSERT INTO accounts (username, display_name, password_hash, role, employer_id, active, created_at) \
         SELECT 'rival', 'rival', a.password_hash, 'employer', \
         (SELECT MAX(id) FROM employers WHERE status = 'approved' AND id <> a.employer_id), TRUE, a.created_at \
         FROM accounts a WHERE a.username = 'employer'",
        &[],
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn each_sees_and_decides_only_what_is_theirs() {
    let app = TestApp::demo().await;
    rival(&app).await;
    let mut hr = app.login("employer").await;
    let deadline = in_days(15);
    let province_wide = post_job(&mut hr, &posting("数据分析师", &deadline)).await;
    let staff_institution = app.id("SELECT institution_id FROM accounts WHERE username = 'staff'").await.to_string();
    let campus_only = post_job(&mut hr, &in_channel(posting("管理培训生", &deadline), &staff_institution)).await;

    let mut other = app.login("rival").await;
    assert_eq!(other.get(&format!("/jobs/{province_wide}")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(other.get(&format!("/recruitment/postings/{province_wide}/edit")).await.status, StatusCode::NOT_FOUND);
    let reply = other.post(&format!("/recruitment/postings/{province_wide}/withdraw"), &[]).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert!(!other.get("/recruitment/postings").await.body.contains("数据分析师"));

    // The university reviews its campus channel, not the province's postings; a college reviews nothing.
    let mut staff = app.login("staff").await;
    let queue = staff.get("/recruitment/review").await.body;
    assert!(queue.contains("管理培训生") && !queue.contains("数据分析师"));
    let approve = [("decision", "approve")];
    let reply = staff.post(&format!("/recruitment/postings/{province_wide}/review"), &approve).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    let mut college = app.login("college").await;
    assert_eq!(college.get("/recruitment/review").await.status, StatusCode::FORBIDDEN);
    let reply = college.post(&format!("/recruitment/postings/{campus_only}/review"), &approve).await;
    assert_ne!(reply.status, StatusCode::SEE_OTHER);
    for role in ["graduate", "employer"] {
        assert_eq!(app.login(role).await.get("/recruitment/review").await.status, StatusCode::FORBIDDEN, "{role}");
    }
    assert_eq!(
        staff.post(&format!("/recruitment/postings/{campus_only}/review"), &approve).await.status,
        StatusCode::SEE_OTHER
    );
    assert!(app.client().get("/jobs").await.body.contains("管理培训生"));
    assert_eq!(app.count("SELECT COUNT(*) FROM postings WHERE status = 'approved'").await, 1);
}

#[tokio::test]
async fn an_employer_under_review_cannot_post_yet() {
    let app = TestApp::demo().await;
    let mut tx = app.db.begin().await.unwrap();
    tx.execute("UPDATE employers SET status = 'pending' WHERE id = (SELECT employer_id FROM accounts WHERE username = 'employer')", &[])
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let mut hr = app.login("employer").await;
    assert!(hr.get("/recruitment/postings").await.body.contains("单位通过审核后才能发布岗位"));
    assert_eq!(hr.get("/recruitment/postings/new").await.status, StatusCode::CONFLICT);
    let deadline = in_days(5);
    assert_eq!(hr.post("/recruitment/postings", &posting("文员", &deadline)).await.status, StatusCode::CONFLICT);
    assert_eq!(app.count("SELECT COUNT(*) FROM postings").await, 0);
}

/// A posting by the demo employer, published by the province.
pub(crate) async fn published(app: &TestApp, title: &str) -> i64 {
    let mut hr = app.login("employer").await;
    let deadline = in_days(30);
    let id = post_job(&mut hr, &posting(title, &deadline)).await;
    let mut admin = app.login("admin").await;
    admin.post(&format!("/recruitment/postings/{id}/review"), &[("decision", "approve")]).await;
    id
}

async fn stage_of(app: &TestApp, application: i64) -> String {
    let row = app.db.fetch_one("SELECT stage FROM applications WHERE id = $1", &[application.into()]).await.unwrap();
    row.text("stage").unwrap()
}

#[tokio::test]
async fn a_graduate_applies_once_and_the_employer_carries_it_to_a_hire() {
    let app = TestApp::demo().await;
    let id = published(&app, "测试工程师").await;
    let mut graduate = app.login("graduate").await;
    assert!(graduate.get(&format!("/jobs/{id}")).await.body.contains("id=\"apply\""));
    assert_eq!(graduate.post(&format!("/jobs/{id}/apply"), &[]).await.status, StatusCode::SEE_OTHER);
    let again = graduate.post(&format!("/jobs/{id}/apply"), &[]).await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);
    let page = graduate.get(&format!("/jobs/{id}")).await.body;
    assert!(page.contains("你已申请过这个岗位") && page.contains("id=\"my-application\""), "told politely, once");
    assert_eq!(app.count("SELECT COUNT(*) FROM applications").await, 1);
    let application = app.id("SELECT id FROM applications").await;

    // The employer sees the applicant with the phone masked; opening the list marks it viewed.
    let mut hr = app.login("employer").await;
    assert!(hr.get("/recruitment/postings").await.body.contains("新 1"));
    let page = hr.get(&format!("/recruitment/postings/{id}/applicants")).await.body;
    let phone = graduate_phone(&app).await;
    assert!(!phone.is_empty() && !page.contains(&phone), "the phone is masked");
    assert!(page.contains(&kernel::mask::phone(&phone)));
    assert_eq!(stage_of(&app, application).await, "viewed");
    let file = hr.get(&format!("/recruitment/postings/{id}/applicants?format=xlsx")).await;
    assert!(file.disposition.unwrap_or_default().contains(".xlsx") && file.bytes.starts_with(b"PK"));

    // An offer cannot be skipped to a hire; the graduate's answer makes it one.
    let stage = format!("/recruitment/applications/{application}/stage");
    assert_eq!(hr.post(&stage, &[("to", "hired")]).await.status, StatusCode::CONFLICT);
    let interview = format!("/recruitment/applications/{application}/interview");
    assert_eq!(hr.get(&interview).await.status, StatusCode::CONFLICT, "shortlist first");
    assert_eq!(hr.post(&stage, &[("to", "shortlisted")]).await.status, StatusCode::SEE_OTHER);
    // An interview in the past or nowhere is refused beside its fields.
    let refused = hr.post(&interview, &[("starts_at", "2020-01-01 10:00"), ("place", "")]).await.body;
    assert!(refused.contains("面试时间须在现在之后") && refused.contains("请填写面试地点或线上会议链接"));
    let tomorrow = format!("{} 10:00", in_days(1));
    let proposal = [("starts_at", tomorrow.as_str()), ("place", "岳麓区麓谷大道 1 号 3 楼"), ("note", "请带简历")];
    assert_eq!(hr.post(&interview, &proposal).await.status, StatusCode::SEE_OTHER);
    assert_eq!(stage_of(&app, application).await, "interview");
    let first = app.id("SELECT MAX(id) FROM interviews").await;
    let asked = [("answer", "reschedule"), ("note", "当天有考试，后天可以")];
    let reply = graduate.post(&format!("/recruitment/interviews/{first}/answer"), &asked).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert!(hr.get(&format!("/recruitment/postings/{id}/applicants")).await.body.contains("当天有考试，后天可以"));
    let later = format!("{} 15:30", in_days(2));
    let online = [("starts_at", later.as_str()), ("meeting_url", "https://meeting.example.cn/j/123")];
    assert_eq!(hr.post(&interview, &online).await.status, StatusCode::SEE_OTHER);
    let second = app.id("SELECT MAX(id) FROM interviews").await;
    let stale = graduate.post(&format!("/recruitment/interviews/{first}/answer"), &[("answer", "accepted")]).await;
    assert_eq!(stale.status, StatusCode::CONFLICT, "only the standing proposal is answered");
    let mine = graduate.get("/recruitment/applications").await.body;
    assert!(mine.contains("https://meeting.example.cn/j/123") && mine.contains("15:30"));
    graduate.post(&format!("/recruitment/interviews/{second}/answer"), &[("answer", "accepted")]).await;
    assert_eq!(
        app.count(&format!("SELECT COUNT(*) FROM interviews WHERE id = {second} AND answer = 'accepted'")).await,
        1
    );
    assert_eq!(hr.post(&stage, &[("to", "offer")]).await.status, StatusCode::SEE_OTHER);
    let mine = graduate.get("/recruitment/applications").await.body;
    assert!(mine.contains("录用意向") && mine.contains("接受录用"));
    let answer = format!("/recruitment/applications/{application}/answer");
    assert_eq!(graduate.post(&answer, &[("answer", "accept")]).await.status, StatusCode::SEE_OTHER);
    assert_eq!(stage_of(&app, application).await, "hired");
    let own = hr.get("/recruitment/postings").await.body;
    let counts = "<td class=\"num\">1</td><td class=\"num\">1</td><td class=\"num\">1</td>";
    assert!(own.contains(counts), "interviews, offers and hires of the posting: {own}");
    assert_eq!(
        graduate.post(&format!("/recruitment/applications/{application}/withdraw"), &[]).await.status,
        StatusCode::CONFLICT
    );
    // From the accepted offer the employer invites the graduate to sign, already identified.
    let invite = format!("/recruitment/applications/{application}/agreement");
    let form = hr.get(&invite).await.body;
    assert!(form.contains("测试工程师") && form.contains("6000-9000") && !form.contains("id=\"id_number\""), "{form}");
    let terms = [
        ("position_title", "测试工程师"),
        ("work_region_code", "430104"),
        ("monthly_salary", "7500"),
        ("term_months", "36"),
        ("probation_months", "3"),
    ];
    let reply = hr.post(&invite, &terms).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    assert!(reply.location.unwrap_or_default().starts_with("/agreements/"));
    let graduate_id = app.id("SELECT graduate_id FROM accounts WHERE username = 'graduate'").await;
    let invited = format!("SELECT COUNT(*) FROM agreements WHERE graduate_id = {graduate_id} AND status = 'invited' AND position_title = '测试工程师'");
    assert_eq!(app.count(&invited).await, 1);
    assert!(graduate.get("/agreements").await.body.contains("测试工程师"));
    // A second invitation meets the one-live-agreement rule, said beside the form.
    assert!(hr.post(&invite, &terms).await.body.contains("errors-summary"));
    let steps =
        app.count(&format!("SELECT COUNT(*) FROM application_steps WHERE application_id = {application}")).await;
    assert_eq!(steps, 6, "received, viewed, shortlisted, interview, offer, hired");
    let audit = app
        .count(&format!("SELECT COUNT(*) FROM audit_log WHERE entity = 'application' AND entity_id = '{application}'"))
        .await;
    assert_eq!(audit, 6);
}

#[tokio::test]
async fn applications_stay_with_their_graduate_and_their_employer() {
    let app = TestApp::demo().await;
    rival(&app).await;
    let id = published(&app, "运维工程师").await;
    let mut graduate = app.login("graduate").await;
    graduate.post(&format!("/jobs/{id}/apply"), &[]).await;
    let application = app.id("SELECT id FROM applications").await;

    let mut other = app.login("rival").await;
    assert_eq!(other.get(&format!("/recruitment/postings/{id}/applicants")).await.status, StatusCode::NOT_FOUND);
    let reply = other.post(&format!("/recruitment/applications/{application}/stage"), &[("to", "rejected")]).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert_eq!(
        other.get(&format!("/recruitment/applications/{application}/agreement")).await.status,
        StatusCode::NOT_FOUND
    );
    // Its own employer may not invite before the graduate accepted an offer.
    let early = app.login("employer").await.get(&format!("/recruitment/applications/{application}/agreement")).await;
    assert_eq!(early.status, StatusCode::CONFLICT);
    for role in ["admin", "staff", "college", "expert"] {
        let mut c = app.login(role).await;
        let reply = c.post(&format!("/recruitment/applications/{application}/withdraw"), &[]).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{role}");
        assert_eq!(c.post(&format!("/jobs/{id}/apply"), &[]).await.status, StatusCode::FORBIDDEN, "{role}");
    }
    assert_eq!(stage_of(&app, application).await, "received");

    // Withdrawn by its employer, a posting takes no more applications; nor past its deadline.
    let mut hr = app.login("employer").await;
    let later = published(&app, "网络工程师").await;
    let mut tx = app.db.begin().await.unwrap();
    tx.execute("UPDATE postings SET deadline = $1 WHERE id = $2", &[in_days(-1).into(), later.into()]).await.unwrap();
    tx.commit().await.unwrap();
    graduate.post(&format!("/jobs/{later}/apply"), &[]).await;
    assert!(graduate.get(&format!("/jobs/{later}")).await.body.contains("已截止或已停止招聘"));
    hr.post(&format!("/recruitment/postings/{id}/withdraw"), &[]).await;
    assert_eq!(graduate.post(&format!("/jobs/{id}/apply"), &[]).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.count("SELECT COUNT(*) FROM applications").await, 1);
    // The graduate withdraws its own application.
    let reply = graduate.post(&format!("/recruitment/applications/{application}/withdraw"), &[]).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert_eq!(stage_of(&app, application).await, "withdrawn");
}

#[tokio::test]
async fn a_profile_is_seen_only_by_whom_the_graduate_allows() {
    let app = TestApp::demo().await;
    rival(&app).await;
    let graduate_id = app.id("SELECT graduate_id FROM accounts WHERE username = 'graduate'").await;
    let code = app
        .db
        .fetch_one(
            "SELECT i.code FROM graduates g JOIN institutions i ON i.id = g.institution_id WHERE g.id = $1",
            &[graduate_id.into()],
        )
        .await
        .unwrap()
        .text("code")
        .unwrap();
    let own_staff = format!("staff{code}");
    let other_staff = if code == "10530" { "staff10532" } else { "staff10530" };
    let mut graduate = app.login("graduate").await;
    let form = graduate.get("/recruitment/profile").await.body;
    assert!(form.contains("教育经历（来自生源信息）"), "education comes from the roster");
    let bad = graduate.post("/recruitment/profile", &[("intended_salary", "abc"), ("intended_industries", "99")]).await;
    assert!(bad.body.contains("期望月薪须为") && bad.body.contains("不在代码表中"));
    let fields = [
        ("skills", "Rust、PostgreSQL、数据分析"),
        ("intended_regions", "430100"),
        ("intended_industries", "34"),
        ("intended_salary", "8000"),
        ("visibility", "applied"),
    ];
    assert_eq!(graduate.post("/recruitment/profile", &fields).await.status, StatusCode::SEE_OTHER);
    let refused = graduate.post_file("/recruitment/profile/resume", &[], "简历.pdf", b"MZ not a pdf".to_vec()).await;
    assert!(refused.body.contains("简历只接受完整的 PDF 文件"));
    let pdf = crate::support::LICENCE.to_vec();
    assert_eq!(
        graduate.post_file("/recruitment/profile/resume", &[], "简历.pdf", pdf).await.status,
        StatusCode::SEE_OTHER
    );

    // An employer sees it once applied to; not before.
    let profile = format!("/recruitment/profiles/{graduate_id}");
    let mut hr = app.login("employer").await;
    assert_eq!(hr.get(&profile).await.status, StatusCode::NOT_FOUND);
    let id = published(&app, "数据工程师").await;
    graduate.post(&format!("/jobs/{id}/apply"), &[]).await;
    let seen = hr.get(&profile).await.body;
    assert!(seen.contains("Rust、PostgreSQL、数据分析") && seen.contains("长沙市"));
    assert!(hr.get(&format!("{profile}/resume")).await.bytes.starts_with(b"%PDF"));
    let mut other = app.login("rival").await;
    assert_eq!(other.get(&profile).await.status, StatusCode::NOT_FOUND);
    let mut fields = fields.to_vec();
    fields[4].1 = "employers";
    graduate.post("/recruitment/profile", &fields).await;
    assert_eq!(other.get(&profile).await.status, StatusCode::OK, "every approved employer now");

    // Hidden: the graduate's own university's staff only.
    fields[4].1 = "nobody";
    graduate.post("/recruitment/profile", &fields).await;
    for (who, status) in [
        ("employer", StatusCode::NOT_FOUND),
        ("rival", StatusCode::NOT_FOUND),
        ("admin", StatusCode::NOT_FOUND),
        (other_staff, StatusCode::NOT_FOUND),
        (own_staff.as_str(), StatusCode::OK),
    ] {
        assert_eq!(app.login(who).await.get(&profile).await.status, status, "{who}");
        assert_eq!(app.login(who).await.get(&format!("{profile}/resume")).await.status, status, "{who}: résumé");
    }
    assert_eq!(graduate.get(&profile).await.status, StatusCode::OK);
}

#[tokio::test]
async fn the_figures_count_open_postings_and_how_far_applications_went() {
    let app = TestApp::demo().await;
    let id = published(&app, "财务分析师").await;
    let mut graduate = app.login("graduate").await;
    graduate.post(&format!("/jobs/{id}/apply"), &[]).await;
    let application = app.id("SELECT id FROM applications").await;
    let mut hr = app.login("employer").await;
    let stage = format!("/recruitment/applications/{application}/stage");
    for to in ["shortlisted", "offer"] {
        hr.post(&stage, &[("to", to)]).await;
    }
    let mut admin = app.login("admin").await;
    let page = admin.get("/recruitment/statistics").await.body;
    let figure = |id: &str| {
        page.split(&format!("id=\"{id}\">")).nth(1).and_then(|s| s.split('<').next()).unwrap_or("").to_owned()
    };
    assert_eq!((figure("open-postings"), figure("open-headcount")), ("1".to_owned(), "5".to_owned()));
    assert_eq!(
        (figure("applications"), figure("interviews"), figure("offers"), figure("hires")),
        ("1".into(), "0".into(), "1".into(), "0".into())
    );
    assert!(page.contains("信息传输、软件和信息技术服务业") && page.contains("湖南省"), "{page}");
    let file = admin.get("/recruitment/statistics?table=province&format=csv").await.body;
    assert!(file.contains("湖南省,1,5"), "{file}");
    // A university counts its campus channel's postings and its own graduates' applications.
    let mut staff = app.login("staff").await;
    let page = staff.get("/recruitment/statistics").await.body;
    assert!(page.contains("id=\"open-postings\">0<"));
}

#[tokio::test]
async fn open_postings_are_served_to_api_clients() {
    let app = TestApp::demo().await;
    let id = published(&app, "嵌入式开发工程师").await;
    let mut hr = app.login("employer").await;
    let deadline = in_days(9);
    let pending = post_job(&mut hr, &posting("仍在审核的岗位", &deadline)).await;
    let mut client = app.login("graduate").await;
    let page = client.get("/api/v1/postings?q=嵌入式&region=430000").await;
    assert_eq!(page.status, StatusCode::OK);
    let json: serde_json::Value = serde_json::from_str(&page.body).unwrap();
    assert_eq!(json["total"], 1);
    assert_eq!(json["items"][0]["id"], id);
    assert_eq!(json["items"][0]["salary_min"], 6000);
    assert_eq!(json["items"][0]["region_codes"], serde_json::json!(["430104", "430200"]));
    assert_eq!(client.get(&format!("/api/v1/postings/{id}")).await.status, StatusCode::OK);
    assert_eq!(client.get(&format!("/api/v1/postings/{pending}")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.client().get("/api/v1/postings").await.status, StatusCode::UNAUTHORIZED);
}

/// The posting sent to one university's campus channel (校园专场).
fn in_channel<'a>(mut fields: Vec<(&'a str, &'a str)>, institution: &'a str) -> Vec<(&'a str, &'a str)> {
    fields.iter_mut().filter(|(k, _)| *k == "channel_institution_id").for_each(|f| f.1 = institution);
    fields
}

/// The demo graduate's phone as the roster holds it.
async fn graduate_phone(app: &TestApp) -> String {
    let sql = "SELECT g.phone FROM graduates g JOIN accounts a ON a.graduate_id = g.id WHERE a.username = 'graduate'";
    app.db.fetch_one(sql, &[]).await.unwrap().text("phone").unwrap()
}

#[tokio::test]
async fn a_campus_channels_posting_is_listed_for_all_and_taken_from_its_universitys_graduates_only() {
    let app = TestApp::demo().await;
    let own = app
        .id("SELECT g.institution_id FROM graduates g JOIN accounts a ON a.graduate_id = g.id WHERE a.username = 'graduate'")
        .await;
    let other = app.id(&format!("SELECT MIN(id) FROM institutions WHERE id <> {own}")).await;
    let other_name = app
        .db
        .fetch_one("SELECT name FROM institutions WHERE id = $1", &[other.into()])
        .await
        .unwrap()
        .text("name")
        .unwrap();
    let mut hr = app.login("employer").await;
    let mut admin = app.login("admin").await;
    let (deadline, other_id, own_id) = (in_days(30), other.to_string(), own.to_string());
    let theirs = post_job(&mut hr, &in_channel(posting("外校专场管培生", &deadline), &other_id)).await;
    let ours = post_job(&mut hr, &in_channel(posting("本校专场研发岗", &deadline), &own_id)).await;
    for id in [theirs, ours] {
        admin.post(&format!("/recruitment/postings/{id}/review"), &[("decision", "approve")]).await;
    }

    // The public list shows both, each marked with its university.
    let list = app.client().get("/jobs").await.body;
    assert!(list.contains("外校专场管培生") && list.contains(&format!("校园专场：{other_name}")), "{list}");

    // Another university's graduate is told why, without a button, and a POST stores nothing.
    let mut graduate = app.login("graduate").await;
    let page = graduate.get(&format!("/jobs/{theirs}")).await.body;
    let why = format!("这是{other_name}的校园专场岗位，仅限该校毕业生申请。");
    assert!(page.contains(&why) && page.contains("id=\"campus-only\"") && !page.contains("id=\"apply\""), "{page}");
    let reply = graduate.post(&format!("/jobs/{theirs}/apply"), &[]).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    let told = graduate.get(&format!("/jobs/{theirs}")).await.body;
    assert_eq!(told.matches(&why).count(), 2, "the refusal flashed above the notice: {told}");
    assert_eq!(app.count("SELECT COUNT(*) FROM applications").await, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log WHERE entity = 'application'").await, 0);

    // Its own university's channel takes it.
    assert!(graduate.get(&format!("/jobs/{ours}")).await.body.contains("id=\"apply\""));
    assert_eq!(graduate.post(&format!("/jobs/{ours}/apply"), &[]).await.status, StatusCode::SEE_OTHER);
    assert_eq!(app.count(&format!("SELECT COUNT(*) FROM applications WHERE posting_id = {ours}")).await, 1);
}

#[tokio::test]
async fn views_by_others_count_once_a_day_in_the_employers_counts_and_the_figures() {
    let app = TestApp::demo().await;
    let id = published(&app, "前端工程师").await;
    let page = format!("/jobs/{id}");
    let mut hr = app.login("employer").await;
    let mut graduate = app.login("graduate").await;
    let mut visitor = app.client();
    for _ in 0..2 {
        for client in [&mut hr, &mut graduate, &mut visitor] {
            assert_eq!(client.get(&page).await.status, StatusCode::OK);
        }
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM posting_views").await, 2, "the graduate and the visitor, once each");
    let viewers = app.db.fetch_all("SELECT viewer FROM posting_views", &[]).await.unwrap();
    for v in viewers {
        let viewer = v.text("viewer").unwrap();
        assert!(viewer.len() == 32 && viewer.chars().all(|c| c.is_ascii_hexdigit()), "a pseudonym, not {viewer}");
    }
    // A posting not published is not counted, even by its reviewer.
    let deadline = in_days(9);
    let pending = post_job(&mut hr, &posting("仍在审核的岗位", &deadline)).await;
    app.login("admin").await.get(&format!("/jobs/{pending}")).await;
    assert_eq!(app.count(&format!("SELECT COUNT(*) FROM posting_views WHERE posting_id = {pending}")).await, 0);

    let own = hr.get("/recruitment/postings").await.body;
    assert!(own.contains("<td class=\"num views\">2</td>"), "{own}");
    let figures = app.login("admin").await.get("/recruitment/statistics").await.body;
    assert!(figures.contains("id=\"views\">2<"), "{figures}");
}

#[tokio::test]
async fn the_applications_api_gives_each_its_own() {
    let app = TestApp::demo().await;
    rival(&app).await;
    let id = published(&app, "接口工程师").await;
    app.login("graduate").await.post(&format!("/jobs/{id}/apply"), &[]).await;
    let application = app.id("SELECT id FROM applications").await;
    let phone = graduate_phone(&app).await;
    let mut machine = app.client();
    let ask = |token: String, path: String| {
        let mut machine = app.client();
        async move {
            let reply = machine.get_with(&path, "authorization", &token).await;
            let json = serde_json::from_str(&reply.body).unwrap_or(serde_json::Value::Null);
            (reply.status, json)
        }
    };
    let graduate = crate::api_write::token_for(&app, "graduate").await;
    let (status, mine) = ask(graduate.clone(), "/api/v1/applications".into()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!((mine["total"].as_i64(), mine["items"][0]["id"].as_i64()), (Some(1), Some(application)));
    assert_eq!(mine["items"][0]["phone"], phone, "its own phone in full");
    let (status, one) = ask(graduate, format!("/api/v1/applications/{application}")).await;
    assert_eq!((status, one["stage"].as_str()), (StatusCode::OK, Some("received")));

    let employer = crate::api_write::token_for(&app, "employer").await;
    let (_, theirs) = ask(employer.clone(), format!("/api/v1/applications?posting={id}&stage=received")).await;
    assert_eq!(theirs["total"], 1);
    assert_eq!(theirs["items"][0]["phone"], kernel::mask::phone(&phone), "masked for the employer");
    assert_eq!(ask(employer.clone(), "/api/v1/applications?stage=hired".into()).await.1["total"], 0);
    assert_eq!(ask(employer, format!("/api/v1/applications/{application}")).await.0, StatusCode::OK);

    let other = crate::api_write::token_for(&app, "rival").await;
    assert_eq!(ask(other.clone(), "/api/v1/applications".into()).await.1["total"], 0);
    assert_eq!(ask(other, format!("/api/v1/applications/{application}")).await.0, StatusCode::NOT_FOUND);
    let staff = crate::api_write::token_for(&app, "staff").await;
    for path in ["/api/v1/applications".to_owned(), format!("/api/v1/applications/{application}")] {
        assert_eq!(ask(staff.clone(), path.clone()).await.0, StatusCode::FORBIDDEN, "{path}");
        assert_eq!(machine.get(&path).await.status, StatusCode::UNAUTHORIZED, "{path}");
    }
}
