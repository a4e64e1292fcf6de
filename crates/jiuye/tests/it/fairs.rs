//! Fairs: a host creates one, employers book booths with approved jobs,
//! graduates register and are checked in once at the door; waiting lists,
//! status notices, figures, bad input and scopes.

use axum::http::StatusCode;
use chrono::{Duration, Utc};
use kernel::auth::secret::SigningKey;
use recruitment::fairs::rules::{pass, Holder};

use crate::recruitment::{in_days, post_job, posting};
use crate::support::{Client, TestApp};

/// A China-time minute `hours` from now, as the form takes it.
pub(crate) fn in_hours(hours: i64) -> String {
    (Utc::now() + Duration::hours(hours)).with_timezone(&kernel::time::china()).format("%Y-%m-%d %H:%M").to_string()
}

pub(crate) fn fair<'a>(
    title: &'a str,
    starts: &'a str,
    ends: &'a str,
    booths: &'a str,
    capacity: &'a str,
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("kind_code", "03"),
        ("title", title),
        ("description", "面向 2022 届毕业生的专场招聘。"),
        ("mode", "offline"),
        ("starts_at", starts),
        ("ends_at", ends),
        ("region_code", "430100"),
        ("venue", "湖南省大中专学校学生就业指导服务中心"),
        ("online_url", ""),
        ("booths", booths),
        ("layout", "A 区 1-40 号"),
        ("capacity", capacity),
        ("audience", "all"),
        ("audience_level", ""),
        ("organisers", "湖南省教育厅"),
        ("co_organisers", ""),
        ("series", ""),
    ]
}

pub(crate) async fn create_fair(c: &mut Client, fields: &[(&str, &str)]) -> i64 {
    let reply = c.post("/recruitment/fairs", fields).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    reply.location.unwrap_or_default().trim_start_matches("/fairs/").parse().expect("the fair's page")
}

pub(crate) async fn set_status(c: &mut Client, fair: i64, status: &str) {
    let reply = c.post(&format!("/recruitment/fairs/{fair}/status"), &[("status", status)]).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
}

/// An approved posting of the demo employer.
pub(crate) async fn approved_job(app: &TestApp, hr: &mut Client, title: &str) -> i64 {
    let id = post_job(hr, &posting(title, &in_days(30))).await;
    let mut admin = app.login("admin").await;
    let reply = admin.post(&format!("/recruitment/postings/{id}/review"), &[("decision", "approve")]).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    id
}

/// A second graduate of the demo graduate's university, with an account.
pub(crate) async fn classmate(app: &TestApp) -> i64 {
    let mut tx = app.db.begin().await.unwrap();
    tx.execute(
        "INSERT INTO accounts (username, display_name, password_hash, role, graduate_id, active, created_at) \
         SELECT 'classmate', 'classmate', a.password_hash, 'graduate', \
         (SELECT MIN(g.id) FROM graduates g WHERE g.id <> a.graduate_id AND g.institution_id = \
          (SELECT institution_id FROM graduates WHERE id = a.graduate_id)), TRUE, a.created_at \
         FROM accounts a WHERE a.username = 'graduate'",
        &[],
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    app.id("SELECT graduate_id FROM accounts WHERE username = 'classmate'").await
}

fn token_of(page: &str) -> String {
    let start = page.find("id=\"pass-token\">").expect("the pass's code") + "id=\"pass-token\">".len();
    page[start..].split('<').next().unwrap_or_default().to_owned()
}

/// A fair open for registration with one approved booth bringing one job: (fair, posting).
pub(crate) async fn open_fair(app: &TestApp, capacity: &str) -> (i64, i64) {
    let mut admin = app.login("admin").await;
    let (starts, ends) = (in_hours(2), in_hours(8));
    let id = create_fair(&mut admin, &fair("长沙常设市场第12场专场招聘会", &starts, &ends, "2", capacity)).await;
    set_status(&mut admin, id, "booking").await;
    let mut hr = app.login("employer").await;
    let job = approved_job(app, &mut hr, "现场招聘：机械设计工程师").await;
    let reply = hr.post(&format!("/fairs/{id}/booth"), &[("posting_ids", &job.to_string())]).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    let booth = app.id(&format!("SELECT id FROM fair_booths WHERE fair_id = {id}")).await;
    let reply = admin
        .post(&format!("/recruitment/fairs/{id}/booths/{booth}"), &[("decision", "approve"), ("booth_no", "A-01")])
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    set_status(&mut admin, id, "registration").await;
    (id, job)
}

#[tokio::test]
async fn a_fair_runs_from_booth_to_door_to_figures() {
    let app = TestApp::demo().await;
    let (id, job) = open_fair(&app, "100").await;
    let mut anyone = app.client();
    let calendar = anyone.get("/fairs?kind=03&region=430000").await.body;
    assert!(calendar.contains(&format!("href=\"/fairs/{id}\"")), "{calendar}");
    assert!(!anyone.get("/fairs?kind=10").await.body.contains(&format!("href=\"/fairs/{id}\"")));
    // The calendar starts today; ended fairs on asking.
    let ended = app
        .id("SELECT id FROM fairs WHERE status = 'finished' AND kind_code = '03' ORDER BY starts_at, id LIMIT 1")
        .await;
    assert!(!anyone.get("/fairs?kind=03").await.body.contains(&format!("href=\"/fairs/{ended}\"")));
    let past = anyone.get("/fairs?past=1&kind=03&from=2021-09-01&to=2022-12-31").await.body;
    assert!(past.contains(&format!("href=\"/fairs/{ended}\"")), "{past}");
    let page = anyone.get(&format!("/fairs/{id}")).await.body;
    assert!(page.contains("现场招聘：机械设计工程师") && page.contains("A-01") && page.contains("报名中"), "{page}");

    let mut graduate = app.login("graduate").await;
    assert_eq!(graduate.post(&format!("/fairs/{id}/register"), &[]).await.status, StatusCode::SEE_OTHER);
    assert!(graduate.get(&format!("/fairs/{id}")).await.body.contains("已报名"));
    let pass_page = graduate.get(&format!("/fairs/{id}/pass")).await.body;
    assert!(pass_page.contains("<svg"), "a QR code drawn on the server");
    let token = token_of(&pass_page);

    // One tap at the fair: an application that names the fair, and a visit to the booth.
    let reply = graduate.post(&format!("/fairs/{id}/apply"), &[("posting_id", &job.to_string())]).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    assert_eq!(app.count(&format!("SELECT COUNT(*) FROM applications WHERE fair_id = {id}")).await, 1);

    let mut admin = app.login("admin").await;
    let door = admin.post(&format!("/recruitment/fairs/{id}/door"), &[("code", &token)]).await.body;
    assert!(door.contains("签到成功"), "{door}");
    let again = admin.post(&format!("/recruitment/fairs/{id}/door"), &[("code", &token)]).await.body;
    assert!(again.contains("已签到过") && again.contains("不重复计数"), "{again}");
    let checked = format!("SELECT COUNT(*) FROM fair_registrations WHERE fair_id = {id} AND checked_in_at IS NOT NULL");
    assert_eq!(app.count(&checked).await, 1);

    // A walk-in is checked in by a typed ID number; a student number that
    // several universities use is not enough to tell who it is.
    let other = app.id("SELECT MAX(id) FROM graduates WHERE cohort_year = 2022").await;
    let row =
        app.db.fetch_one("SELECT student_no, id_number FROM graduates WHERE id = $1", &[other.into()]).await.unwrap();
    let (student_no, id_number) = (row.text("student_no").unwrap(), row.text("id_number").unwrap());
    let shared = format!("SELECT COUNT(*) FROM graduates WHERE cohort_year = 2022 AND student_no = '{student_no}'");
    if app.count(&shared).await > 1 {
        let door = admin.post(&format!("/recruitment/fairs/{id}/door"), &[("code", &student_no)]).await.body;
        assert!(door.contains("请改用身份证号"), "{door}");
    }
    let door = admin.post(&format!("/recruitment/fairs/{id}/door"), &[("code", &id_number.to_lowercase())]).await.body;
    assert!(door.contains("签到成功"), "{door}");
    assert_eq!(app.count(&checked).await, 2);

    // The employer scans the graduate's pass at its booth.
    let mut hr = app.login("employer").await;
    let scan = hr.post(&format!("/fairs/{id}/booth/visitors"), &[("code", &token)]).await.body;
    assert!(scan.contains("已记录") && scan.contains("visitors"), "{scan}");

    let graduate_id = app.id("SELECT graduate_id FROM accounts WHERE username = 'graduate'").await;
    let reply = hr.post(&format!("/fairs/{id}/booth/visitors/{graduate_id}/invite"), &[]).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert!(graduate.get("/messages").await.body.contains("邀请你投递：现场招聘：机械设计工程师"));
    let stranger = app.id(&format!("SELECT MIN(id) FROM graduates WHERE id NOT IN ({graduate_id}, {other})")).await;
    let reply = hr.post(&format!("/fairs/{id}/booth/visitors/{stranger}/invite"), &[]).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND, "only the booth's visitors");

    // The fair cannot shrink below what it already holds.
    let (starts, ends) = (in_hours(2), in_hours(8));
    let reply = admin
        .post(
            &format!("/recruitment/fairs/{id}/edit"),
            &fair("长沙常设市场第12场专场招聘会", &starts, &ends, "0", "100"),
        )
        .await;
    assert!(reply.body.contains("已有 1 个展位通过审核，展位数不能更少"), "{}", reply.body);
    assert_eq!(app.count(&format!("SELECT booths FROM fairs WHERE id = {id}")).await, 2);

    let figures = admin.get(&format!("/recruitment/fairs/{id}/statistics")).await.body;
    assert!(figures.contains("签到人数") && figures.contains("湘潭大学"), "{figures}");
    let file = admin.get(&format!("/recruitment/fairs/{id}/statistics?format=csv")).await.body;
    for line in ["签到人数,2", "参会单位,1", "现场投递,1", "报名人数,1"] {
        assert!(file.contains(line), "{line} in {file}");
    }
    let audited = "SELECT COUNT(*) FROM audit_log WHERE entity = 'fair_registration' AND action = 'check_in'";
    assert_eq!(app.count(audited).await, 2, "each first check-in audited, the repeat not");
}

#[tokio::test]
async fn concurrent_scans_of_one_pass_count_once() {
    let app = TestApp::demo().await;
    let (id, _) = open_fair(&app, "100").await;
    let mut graduate = app.login("graduate").await;
    graduate.post(&format!("/fairs/{id}/register"), &[]).await;
    let token = token_of(&graduate.get(&format!("/fairs/{id}/pass")).await.body);
    let admin = app.login("admin").await;
    let path = format!("/recruitment/fairs/{id}/door");
    let mut scans = tokio::task::JoinSet::new();
    for _ in 0..12 {
        let mut tab = admin.clone();
        let (path, token) = (path.clone(), token.clone());
        scans.spawn(async move { tab.post(&path, &[("code", &token)]).await });
    }
    let replies = scans.join_all().await;
    assert!(replies.iter().all(|r| r.status == StatusCode::OK));
    assert_eq!(replies.iter().filter(|r| r.body.contains("签到成功")).count(), 1, "one first scan");
    let checked = format!("SELECT COUNT(*) FROM fair_registrations WHERE fair_id = {id} AND checked_in_at IS NOT NULL");
    assert_eq!(app.count(&checked).await, 1);
    let audited = "SELECT COUNT(*) FROM audit_log WHERE entity = 'fair_registration' AND action = 'check_in'";
    assert_eq!(app.count(audited).await, 1);
}

#[tokio::test]
async fn expired_forged_and_other_fairs_passes_are_refused() {
    let app = TestApp::demo().await;
    let (id, _) = open_fair(&app, "100").await;
    let mut admin = app.login("admin").await;
    let other = create_fair(&mut admin, &fair("另一场招聘会测试", &in_hours(3), &in_hours(6), "5", "10")).await;
    set_status(&mut admin, other, "registration").await;
    let graduate_id = app.id("SELECT graduate_id FROM accounts WHERE username = 'graduate'").await;
    let key = SigningKey::load_or_create(&app.db).await.unwrap();
    let door = format!("/recruitment/fairs/{id}/door");

    let expired = pass(&key, id, Holder::Graduate(graduate_id), Utc::now() - Duration::minutes(1));
    assert!(admin.post(&door, &[("code", &expired)]).await.body.contains("入场码已过期"));
    let good = pass(&key, id, Holder::Graduate(graduate_id), Utc::now() + Duration::minutes(5));
    let forged = good.replacen(&format!("g{graduate_id}"), &format!("g{}", graduate_id + 1), 1);
    assert!(admin.post(&door, &[("code", &forged)]).await.body.contains("无效的入场码"));
    let elsewhere = pass(&key, other, Holder::Graduate(graduate_id), Utc::now() + Duration::minutes(5));
    let body = admin.post(&door, &[("code", &elsewhere)]).await.body;
    assert!(body.contains(&format!("另一场活动（编号 {other}）")), "{body}");
    assert!(admin.post(&door, &[("code", "<script>alert(1)</script>")]).await.body.contains("无法识别"));
    let checked = format!(
        "SELECT COUNT(*) FROM fair_registrations WHERE fair_id IN ({id}, {other}) AND checked_in_at IS NOT NULL"
    );
    assert_eq!(app.count(&checked).await, 0);
}

#[tokio::test]
async fn a_full_fair_keeps_a_waiting_list_and_status_changes_are_told() {
    let app = TestApp::demo().await;
    let (id, _) = open_fair(&app, "1").await;
    classmate(&app).await;
    let mut first = app.login("graduate").await;
    let mut second = app.login("classmate").await;
    assert_eq!(first.post(&format!("/fairs/{id}/register"), &[]).await.status, StatusCode::SEE_OTHER);
    assert_eq!(second.post(&format!("/fairs/{id}/register"), &[]).await.status, StatusCode::SEE_OTHER);
    assert!(second.get(&format!("/fairs/{id}")).await.body.contains("候补"));
    assert_eq!(second.post(&format!("/fairs/{id}/register"), &[]).await.status, StatusCode::CONFLICT, "once");

    assert_eq!(first.post(&format!("/fairs/{id}/cancel"), &[]).await.status, StatusCode::SEE_OTHER);
    assert!(second.get(&format!("/fairs/{id}")).await.body.contains("已报名"), "moved up");
    assert!(second.get("/messages").await.body.contains("候补转为报名成功"));

    // Booths: two of them; a third employer waits. An unapproved job cannot be brought.
    let mut hr = app.login("employer").await;
    let pending = post_job(&mut hr, &posting("尚未审核的岗位", &in_days(20))).await;
    crate::recruitment::rival(&app).await;
    let mut rival = app.login("rival").await;
    let reply = rival.post(&format!("/fairs/{id}/booth"), &[("posting_ids", &pending.to_string())]).await;
    assert!(reply.body.contains("只能带贵单位已审核通过且未截止的岗位"), "{}", reply.body);
    assert_eq!(app.count(&format!("SELECT COUNT(*) FROM fair_booths WHERE fair_id = {id}")).await, 1);

    let mut admin = app.login("admin").await;
    set_status(&mut admin, id, "postponed").await;
    let told = "SELECT COUNT(*) FROM account_notices WHERE message LIKE '%状态变更为：延期%'";
    assert_eq!(app.count(told).await, 2, "the registered graduate and the booked employer");
    assert!(hr.get("/messages").await.body.contains("延期"));
    set_status(&mut admin, id, "cancelled").await;
    let reply = admin.post(&format!("/recruitment/fairs/{id}/status"), &[("status", "running")]).await;
    assert_eq!(reply.status, StatusCode::CONFLICT, "cancelled is final");
    assert_eq!(second.post(&format!("/fairs/{id}/register"), &[]).await.status, StatusCode::CONFLICT);
}

#[tokio::test]
async fn bad_fairs_are_named_field_by_field_and_nothing_is_stored() {
    let app = TestApp::demo().await;
    let mut admin = app.login("admin").await;
    let (starts, ends) = (in_hours(5), in_hours(2));
    let mut fields = fair("坏", &starts, &ends, "-3", "0");
    fields.retain(|(k, _)| *k != "venue");
    let reply = admin.post("/recruitment/fairs", &fields).await;
    assert_eq!(reply.status, StatusCode::OK);
    for message in [
        "名称须为 4-80 个字",
        "结束时间须晚于开始时间",
        "展位数须为 0 到 5000 的整数",
        "可容纳人数须为 1 到 500000",
        "线下活动须填写场地",
    ] {
        assert!(reply.body.contains(message), "{message}");
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM fairs WHERE title = '坏'").await, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log WHERE entity = 'fair'").await, 0);
}

#[tokio::test]
async fn hosts_see_only_their_fairs_and_employers_only_their_booths() {
    let app = TestApp::demo().await;
    let mut staff = app.login("staff").await;
    let own = app.id("SELECT institution_id FROM accounts WHERE username = 'staff'").await;
    let id = create_fair(&mut staff, &fair("湘潭大学校园双选会", &in_hours(4), &in_hours(9), "10", "500")).await;
    assert_eq!(
        app.count(&format!("SELECT COUNT(*) FROM fair_hosts WHERE fair_id = {id} AND institution_id = {own}")).await,
        1
    );
    // A planned fair is the host's business only.
    assert_eq!(app.client().get(&format!("/fairs/{id}")).await.status, StatusCode::NOT_FOUND);
    let other = app.id(&format!("SELECT MIN(id) FROM institutions WHERE id <> {own}")).await;
    let code = app
        .db
        .fetch_one("SELECT code FROM institutions WHERE id = $1", &[other.into()])
        .await
        .unwrap()
        .text("code")
        .unwrap();
    let mut stranger = app.login(&format!("staff{code}")).await;
    for path in ["edit", "booths", "door", "statistics"] {
        assert_eq!(
            stranger.get(&format!("/recruitment/fairs/{id}/{path}")).await.status,
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    assert_eq!(
        stranger.post(&format!("/recruitment/fairs/{id}/status"), &[("status", "booking")]).await.status,
        StatusCode::NOT_FOUND
    );
    assert!(!stranger.get("/recruitment/fairs").await.body.contains("湘潭大学校园双选会"));
    let mut college = app.login("college").await;
    assert_eq!(college.get("/recruitment/fairs/new").await.status, StatusCode::FORBIDDEN);

    set_status(&mut staff, id, "booking").await;
    let mut hr = app.login("employer").await;
    let job = approved_job(&app, &mut hr, "校园招聘：管理培训生").await;
    hr.post(&format!("/fairs/{id}/booth"), &[("posting_ids", &job.to_string())]).await;
    crate::recruitment::rival(&app).await;
    let mut rival = app.login("rival").await;
    assert!(!rival.get("/recruitment/booths").await.body.contains("湘潭大学校园双选会"));
    assert!(!rival.get(&format!("/fairs/{id}/booth")).await.body.contains("管理培训生"));
    assert_eq!(rival.get(&format!("/fairs/{id}/booth/visitors")).await.status, StatusCode::CONFLICT);
    let mut graduate = app.login("graduate").await;
    assert_eq!(graduate.get(&format!("/recruitment/fairs/{id}/door")).await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn an_online_booth_queue_turns_into_an_interview() {
    let app = TestApp::demo().await;
    let mut admin = app.login("admin").await;
    let (starts, ends) = (in_hours(-1), in_hours(5));
    let mut fields = fair("云就业网络专场招聘会", &starts, &ends, "20", "1000");
    for (key, value) in [("kind_code", "04"), ("mode", "online"), ("venue", "")] {
        fields.iter_mut().find(|(k, _)| *k == key).unwrap().1 = value;
    }
    let id = create_fair(&mut admin, &fields).await;
    set_status(&mut admin, id, "booking").await;
    let mut hr = app.login("employer").await;
    let job = approved_job(&app, &mut hr, "线上招聘：数据分析师").await;
    hr.post(&format!("/fairs/{id}/booth"), &[("posting_ids", &job.to_string())]).await;
    let booth = app.id(&format!("SELECT id FROM fair_booths WHERE fair_id = {id}")).await;
    admin.post(&format!("/recruitment/fairs/{id}/booths/{booth}"), &[("decision", "approve")]).await;
    set_status(&mut admin, id, "running").await;
    assert_eq!(hr.post(&format!("/fairs/{id}/booth/online"), &[("online", "1")]).await.status, StatusCode::SEE_OTHER);

    let mut graduate = app.login("graduate").await;
    let room = format!("/fairs/{id}/booths/{booth}");
    assert_eq!(graduate.post(&format!("{room}/join"), &[]).await.status, StatusCode::CONFLICT, "register first");
    graduate.post(&format!("/fairs/{id}/register"), &[]).await;
    assert_eq!(graduate.post(&format!("{room}/join"), &[]).await.status, StatusCode::SEE_OTHER);
    let lobby = app.client().get(&format!("/fairs/{id}/lobby")).await.body;
    assert!(lobby.contains("在线") && lobby.contains("排队 1"), "{lobby}");
    assert!(graduate.get(&room).await.body.contains("排队中"));
    graduate.post(&format!("{room}/say"), &[("body", "您好，我想了解数据分析岗位。")]).await;
    graduate.post(&format!("/fairs/{id}/apply"), &[("posting_id", &job.to_string())]).await;

    let graduate_id = app.id("SELECT graduate_id FROM accounts WHERE username = 'graduate'").await;
    let reply = hr.post(&format!("/fairs/{id}/booth/call"), &[]).await;
    assert_eq!(reply.location.as_deref(), Some(format!("/fairs/{id}/booth/desk/{graduate_id}").as_str()));
    let talk = hr.get(&format!("/fairs/{id}/booth/desk/{graduate_id}")).await.body;
    assert!(talk.contains("我想了解数据分析岗位") && talk.contains("初筛通过"), "{talk}");
    hr.post(&format!("/fairs/{id}/booth/desk/{graduate_id}"), &[("body", "请稍候，马上发送面试邀请。")]).await;
    let application = app.id(&format!("SELECT id FROM applications WHERE fair_id = {id}")).await;
    let next = format!("/fairs/{id}/booth/desk/{graduate_id}");
    let reply = hr
        .post(&format!("/recruitment/applications/{application}/stage"), &[("to", "shortlisted"), ("next", &next)])
        .await;
    assert_eq!(reply.location.as_deref(), Some(next.as_str()));
    let when = in_hours(2);
    let reply = hr
        .post(
            &format!("/recruitment/applications/{application}/interview"),
            &[("starts_at", &when), ("place", ""), ("meeting_url", "https://meeting.example.cn/j/123"), ("note", "")],
        )
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);

    let page = graduate.get(&room).await.body;
    assert!(page.contains("已叫号") && page.contains("马上发送面试邀请"), "{page}");
    assert!(graduate.get("/messages").await.body.contains("轮到你了"));
    assert!(graduate.get("/recruitment/applications").await.body.contains("https://meeting.example.cn/j/123"));
    let file = admin.get(&format!("/recruitment/fairs/{id}/statistics?format=csv")).await.body;
    for line in ["其中线上,1", "现场投递,1", "进入面试,1"] {
        assert!(file.contains(line), "{line} in {file}");
    }

    // Another employer has no desk here and cannot read the conversation.
    crate::recruitment::rival(&app).await;
    let mut rival = app.login("rival").await;
    assert_eq!(rival.get(&format!("/fairs/{id}/booth/desk/{graduate_id}")).await.status, StatusCode::CONFLICT);
    let classmate = classmate(&app).await;
    assert_eq!(
        hr.get(&format!("/fairs/{id}/booth/desk/{classmate}")).await.status,
        StatusCode::NOT_FOUND,
        "not queued"
    );
}
