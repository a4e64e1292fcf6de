//! Training classes (issue 15, measures 12 and 13): the province makes a
//! class, offices keep their teachers and enrol them within their quota, a
//! teacher with a staff account enrols itself, the door reads passes and
//! numbers and refuses the rest, assessment and completion issue numbered
//! certificates, and the public check answers a number and a name with a
//! match or nothing; every write audited, each office seeing its own.

use axum::http::StatusCode;

use crate::support::{Client, TestApp};

async fn audited(app: &TestApp, entity: &str, action: &str) -> i64 {
    assert!(registry::audit_names::knows(entity, action), "{entity} {action} named");
    app.count(&format!("SELECT COUNT(*) FROM audit_log WHERE entity = '{entity}' AND action = '{action}'")).await
}

/// A class the province makes through the form, its sessions from `first_day` on; its id.
pub(crate) async fn province_class(app: &TestApp, admin: &mut Client, extra: &[(&str, &str)]) -> i64 {
    let today = kernel::time::today_china();
    let sessions = format!(
        "{} | 09:00-12:00 | 长沙·湖南师范大学\n{} | 14:00-17:00 | https://meeting.example.cn/t",
        today,
        today + chrono::Duration::days(1)
    );
    let mut fields = vec![
        ("title", "测试师资培训班"),
        ("kind", "01"),
        ("audience", "teachers"),
        ("modules", "职业生涯规划 | 8 | 刘教授\n就业指导实务 | 4 | 王老师"),
        ("sessions", sessions.as_str()),
        ("capacity", "20"),
        ("quota", "2"),
        ("quotas", ""),
        ("required", "1"),
        ("assessed", "1"),
        ("pass_mark", "60"),
        ("prefix", "TEST"),
        ("organiser", ""),
    ];
    for (k, v) in extra {
        fields.retain(|(f, _)| f != k);
        fields.push((k, v));
    }
    let reply = admin.post("/training/classes", &fields).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    app.id("SELECT MAX(id) FROM training_classes").await
}

fn id_number(seed: u32) -> String {
    let body = format!("43010219850{}1{:05}", seed % 10, 10_000 + seed);
    let body: String = body.chars().take(17).collect();
    format!("{body}{}", kernel::validate::id_card_check_char(&body).expect("digits"))
}

/// Adds a teacher through the office's form; its id.
async fn add_teacher(app: &TestApp, office: &mut Client, name: &str, seed: u32) -> i64 {
    let id = id_number(seed);
    let phone = format!("1370000{:04}", seed);
    let reply = office
        .post(
            "/training/teachers",
            &[
                ("name", name),
                ("id_number", id.as_str()),
                ("phone", phone.as_str()),
                ("title", "讲师"),
                ("department", "招生就业处"),
            ],
        )
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    app.id(&format!("SELECT id FROM training_teachers WHERE id_number = '{id}'")).await
}

/// The pass the participant's page shows for today's session of the class.
fn pass_on(page: &str, class: i64) -> String {
    let start = format!("id=\"my-pass-token-{class}\">");
    let at = page.find(&start).unwrap_or_else(|| panic!("no pass for {class}: {page}")) + start.len();
    page[at..].split("</code>").next().unwrap_or_default().to_owned()
}

fn between<'a>(page: &'a str, id: &str) -> &'a str {
    let start = format!("id=\"{id}\">");
    let at = page.find(&start).map(|a| a + start.len()).unwrap_or(0);
    page[at..].split("</p>").next().unwrap_or_default()
}

#[tokio::test]
async fn offices_enrol_only_their_own_teachers_within_their_quota_and_see_their_own() {
    let app = TestApp::demo().await;
    let mut admin = app.login("admin").await;
    let mut staff = app.login("staff").await;
    let mut hnu = app.login("staff10532").await;
    // A bad form answers 200 with its error.
    let reply = admin.post("/training/classes", &[("title", "x"), ("kind", "01"), ("audience", "teachers")]).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.body.contains("class-error") && reply.body.contains("课程模块"), "{}", reply.body);
    let created = audited(&app, "training_class", "create").await;
    let class = province_class(&app, &mut admin, &[]).await;
    assert_eq!(audited(&app, "training_class", "create").await, created + 1);
    let page = admin.get(&format!("/training/classes/{class}")).await.body;
    assert!(page.contains("职业生涯规划") && page.contains("id=\"class-hours\">12<"), "{page}");

    // Teachers: a bad ID number is told; a good one kept, masked on the list.
    let reply = staff
        .post(
            "/training/teachers",
            &[("name", "甲"), ("id_number", "430102198501011234"), ("phone", "13700000000"), ("department", "就业处")],
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.body.contains("身份证号校验位错误"), "{}", reply.body);
    let added = audited(&app, "training_teacher", "create").await;
    let a = add_teacher(&app, &mut staff, "测试甲老师", 1).await;
    let b = add_teacher(&app, &mut staff, "测试乙老师", 2).await;
    let c = add_teacher(&app, &mut staff, "测试丙老师", 3).await;
    let other = add_teacher(&app, &mut hnu, "湖大丁老师", 4).await;
    assert_eq!(audited(&app, "training_teacher", "create").await, added + 4);
    let list = staff.get("/training/teachers").await.body;
    assert!(list.contains("测试甲老师") && !list.contains("湖大丁老师"));
    assert!(!list.contains(&id_number(1)) && list.contains(&kernel::mask::id_number(&id_number(1))));

    // Within the quota of two; another institution's teacher is refused.
    let enrolled = audited(&app, "training_class_participant", "enrol").await;
    for t in [a, b] {
        let reply = staff.post(&format!("/training/classes/{class}/enrol"), &[("teacher", &t.to_string())]).await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    }
    let reply = staff.post(&format!("/training/classes/{class}/enrol"), &[("teacher", &c.to_string())]).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.body.contains("本校名额（2 人）已用完"), "{}", reply.body);
    let reply = staff.post(&format!("/training/classes/{class}/enrol"), &[("teacher", &other.to_string())]).await;
    assert!(reply.body.contains("请选择本校的教师"));
    let reply = hnu.post(&format!("/training/classes/{class}/enrol"), &[("teacher", &other.to_string())]).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert_eq!(audited(&app, "training_class_participant", "enrol").await, enrolled + 3);
    assert_eq!(
        app.count(&format!("SELECT COUNT(*) FROM training_class_participants WHERE class_id = {class}")).await,
        3
    );

    // Each office sees its own participants and figures; the province all.
    let mine = staff.get(&format!("/training/classes/{class}")).await.body;
    assert!(mine.contains("测试甲老师") && !mine.contains("湖大丁老师"), "{mine}");
    let all = admin.get(&format!("/training/classes/{class}")).await.body;
    assert!(all.contains("测试甲老师") && all.contains("湖大丁老师"));
    let figures = staff.get("/training/figures").await.body;
    assert!(figures.contains("湘潭大学") && !figures.contains("湖南大学"), "{figures}");
    let figures = admin.get("/training/figures").await.body;
    assert!(figures.contains("湘潭大学") && figures.contains("湖南大学"));
    // Staff of a non-organising institution neither assess nor complete nor open the door.
    let p = app.id(&format!("SELECT id FROM training_class_participants WHERE teacher_id = {a}")).await;
    let reply = staff.post(&format!("/training/classes/{class}/assessment"), &[(&format!("a{p}"), "90")]).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert_eq!(staff.get(&format!("/training/classes/{class}/sessions/1/door")).await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_door_takes_this_classes_passes_and_numbers_and_refuses_the_rest() {
    let app = TestApp::demo().await;
    let mut admin = app.login("admin").await;
    let mut teacher = app.login("college").await;
    let class = province_class(&app, &mut admin, &[]).await;
    let other = province_class(&app, &mut admin, &[("title", "另一个培训班")]).await;
    // The college account is a teacher of 湘潭大学 (the demo's): it enrols itself in both.
    for c in [class, other] {
        let reply = teacher.post(&format!("/training/mine/{c}/enrol"), &[]).await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER);
    }
    let page = teacher.get("/training/mine").await.body;
    let pass = pass_on(&page, class);
    let other_pass = pass_on(&page, other);
    let door = format!("/training/classes/{class}/sessions/1/door");
    let checked = audited(&app, "training_class_participant", "check_in").await;
    let reply = admin.post(&door, &[("code", &pass)]).await;
    assert!(reply.body.contains("签到成功"), "{}", reply.body);
    assert!(admin.post(&door, &[("code", &pass)]).await.body.contains("已签到过"));
    assert_eq!(audited(&app, "training_class_participant", "check_in").await, checked + 1);
    assert!(admin.post(&door, &[("code", &other_pass)]).await.body.contains("这是另一个培训班"));
    let forged = format!("{pass}x");
    assert!(admin.post(&door, &[("code", &forged)]).await.body.contains("无效的入场码"));
    let key = kernel::auth::secret::SigningKey::load_or_create(&app.db).await.unwrap();
    let participant =
        app.id(&format!("SELECT MAX(id) FROM training_class_participants WHERE class_id = {class}")).await;
    let expired = kernel::pass::issue(
        &key,
        training::classes::rules::PASS_PURPOSE,
        class,
        kernel::pass::Holder::new('p', participant),
        chrono::Utc::now() - chrono::Duration::minutes(1),
    );
    assert!(admin.post(&door, &[("code", &expired)]).await.body.contains("已过期"));
    // A pass of the key-group trainings' door is not one of ours.
    let foreign = kernel::pass::issue(
        &key,
        "training_pass",
        class,
        kernel::pass::Holder::new('g', 1),
        chrono::Utc::now() + chrono::Duration::minutes(5),
    );
    assert!(admin.post(&door, &[("code", &foreign)]).await.body.contains("无效的入场码"));
    assert!(admin.post(&door, &[("code", "430102199001011237")]).await.body.contains("未报名本培训班"));
    assert!(admin.post(&door, &[("code", "<b>")]).await.body.contains("无法识别"));
    // The enrolled teacher's ID number, typed, checks it in at the second session.
    let id_number = app
        .db
        .fetch_one(
            "SELECT t.id_number FROM training_teachers t JOIN accounts a ON a.id = t.account_id WHERE a.username = 'college'",
            &[],
        )
        .await
        .unwrap()
        .text("id_number")
        .unwrap();
    let reply =
        admin.post(&format!("/training/classes/{class}/sessions/2/door"), &[("code", &id_number.to_lowercase())]).await;
    assert!(reply.body.contains("签到成功"), "{}", reply.body);
    assert_eq!(audited(&app, "training_class_participant", "check_in").await, checked + 2);
    assert_eq!(app.count(&format!("SELECT COUNT(*) FROM training_class_attendance WHERE class_id = {other}")).await, 0);
}

#[tokio::test]
async fn completion_issues_numbered_certificates_never_reused_and_the_check_reveals_nothing_more() {
    let app = TestApp::demo().await;
    let mut admin = app.login("admin").await;
    let mut teacher = app.login("college").await;
    let mut staff = app.login("staff").await;
    let class = province_class(&app, &mut admin, &[("prefix", "HNT")]).await;
    teacher.post(&format!("/training/mine/{class}/enrol"), &[]).await;
    let a = add_teacher(&app, &mut staff, "测试甲老师", 11).await;
    staff.post(&format!("/training/classes/{class}/enrol"), &[("teacher", &a.to_string())]).await;
    let participants: Vec<i64> = app
        .db
        .fetch_all(&format!("SELECT id FROM training_class_participants WHERE class_id = {class} ORDER BY id"), &[])
        .await
        .unwrap()
        .iter()
        .map(|r| r.i64("id").unwrap())
        .collect();
    assert_eq!(participants.len(), 2);
    let page = teacher.get("/training/mine").await.body;
    let pass = pass_on(&page, class);
    let door = format!("/training/classes/{class}/sessions/1/door");
    admin.post(&door, &[("code", &pass)]).await;
    admin.post(&door, &[("code", &id_number(11))]).await;
    // Assessment: a bad entry is told, nothing recorded; then one passes and one fails.
    let (p1, p2) = (participants[0], participants[1]);
    let reply = admin.post(&format!("/training/classes/{class}/assessment"), &[(&format!("a{p1}"), "abc")]).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.body.contains("0–100"));
    let reply = admin
        .post(
            &format!("/training/classes/{class}/assessment"),
            &[(&format!("a{p1}"), "85"), (&format!("a{p2}"), "不合格")],
        )
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert!(audited(&app, "training_class_participant", "assess").await >= 2);
    let issued = audited(&app, "training_certificate", "issue").await;
    admin.post(&format!("/training/classes/{class}/complete"), &[]).await;
    let year = chrono::Datelike::year(&kernel::time::today_china());
    let first = format!("HNT-{year}-0001");
    assert_eq!(app.count(&format!("SELECT COUNT(*) FROM training_certificates WHERE number = '{first}'")).await, 1);
    assert_eq!(audited(&app, "training_certificate", "issue").await, issued + 1);
    // Completing again issues nothing more; the failed one passes on a retake and gets the next number.
    admin.post(&format!("/training/classes/{class}/complete"), &[]).await;
    assert_eq!(app.count(&format!("SELECT COUNT(*) FROM training_certificates WHERE class_id = {class}")).await, 1);
    admin.post(&format!("/training/classes/{class}/assessment"), &[(&format!("a{p2}"), "合格")]).await;
    admin.post(&format!("/training/classes/{class}/complete"), &[]).await;
    let second = format!("HNT-{year}-0002");
    assert_eq!(app.count(&format!("SELECT COUNT(*) FROM training_certificates WHERE number = '{second}'")).await, 1);
    // Another class with the same prefix continues the sequence.
    let next = province_class(&app, &mut admin, &[("prefix", "HNT"), ("assessed", "0")]).await;
    teacher.post(&format!("/training/mine/{next}/enrol"), &[]).await;
    let page = teacher.get("/training/mine").await.body;
    admin.post(&format!("/training/classes/{next}/sessions/1/door"), &[("code", &pass_on(&page, next))]).await;
    admin.post(&format!("/training/classes/{next}/complete"), &[]).await;
    assert_eq!(
        app.count(&format!("SELECT COUNT(*) FROM training_certificates WHERE number = 'HNT-{year}-0003'")).await,
        1
    );

    // The holder, its office and the province see the print; a graduate or another office does not.
    let name = app
        .db
        .fetch_one(&format!("SELECT holder_name FROM training_certificates WHERE number = '{first}'"), &[])
        .await
        .unwrap()
        .text("holder_name")
        .unwrap();
    let print = teacher.get(&format!("/training/certificates/{first}")).await;
    assert_eq!(print.status, StatusCode::OK);
    assert!(print.body.contains(&name) && print.body.contains("测试师资培训班") && print.body.contains("12 学时"));
    let download = teacher.get(&format!("/training/certificates/{first}?download=1")).await;
    assert!(download.disposition.unwrap_or_default().contains("attachment"));
    assert!(String::from_utf8_lossy(&download.bytes).contains(&first));
    assert_eq!(staff.get(&format!("/training/certificates/{first}")).await.status, StatusCode::OK);
    assert_eq!(admin.get(&format!("/training/certificates/{first}")).await.status, StatusCode::OK);
    let mut graduate = app.login("graduate").await;
    assert_eq!(graduate.get(&format!("/training/certificates/{first}")).await.status, StatusCode::FORBIDDEN);
    let mut hnu = app.login("staff10532").await;
    assert_eq!(hnu.get(&format!("/training/certificates/{first}")).await.status, StatusCode::FORBIDDEN);

    // The public check: a match says class, hours and day only; a wrong name and an unknown number alike say no match.
    let mut anyone = app.client();
    let id_number = app
        .db
        .fetch_one(
            "SELECT t.id_number, t.phone FROM training_teachers t JOIN accounts a ON a.id = t.account_id WHERE a.username = 'college'",
            &[],
        )
        .await
        .unwrap();
    let (id, phone) = (id_number.text("id_number").unwrap(), id_number.text("phone").unwrap());
    let lower = first.to_lowercase();
    let ok = anyone.get(&format!("/verify/certificate?number={lower}&name={}", url(&name))).await;
    assert_eq!(ok.status, StatusCode::OK);
    let result = between(&ok.body, "verify-result");
    assert!(result.contains("证书有效") && result.contains("测试师资培训班") && result.contains("12"), "{result}");
    let masked = [kernel::mask::id_number(&id), kernel::mask::phone(&phone)];
    for secret in [id.as_str(), phone.as_str(), &masked[0], &masked[1], "湘潭大学", second.as_str()] {
        assert!(!ok.body.contains(secret), "the check showed {secret}");
    }
    let wrong_name = anyone.get(&format!("/verify/certificate?number={first}&name={}", url("王五"))).await;
    let unknown = anyone.get(&format!("/verify/certificate?number=HNT-{year}-0999&name={}", url(&name))).await;
    assert_eq!(wrong_name.status, StatusCode::OK);
    assert!(between(&wrong_name.body, "verify-result").contains("没有匹配"));
    assert_eq!(between(&wrong_name.body, "verify-result"), between(&unknown.body, "verify-result"));
    let no_name = anyone.get(&format!("/verify/certificate?number={first}&name=")).await;
    assert!(between(&no_name.body, "verify-result").contains("没有匹配"));
    // Walking numbers is cut short by the hourly limit per address.
    let mut limited = false;
    for k in 0..40 {
        let reply = anyone.get(&format!("/verify/certificate?number=HNT-{year}-{k:04}&name=x")).await;
        assert_eq!(reply.status, StatusCode::OK);
        if reply.body.contains("查验次数过多") {
            assert!(!reply.body.contains("没有匹配"));
            limited = true;
            break;
        }
    }
    assert!(limited, "the check is rate-limited");
}

fn url(s: &str) -> String {
    kernel::web::url::url_encode(s)
}

#[tokio::test]
async fn the_demo_has_the_guidance_teacher_classes_with_certificates() {
    let app = TestApp::demo().await;
    assert!(app.count("SELECT COUNT(*) FROM training_classes WHERE kind_code = '01'").await >= 5);
    assert!(app.count("SELECT COUNT(*) FROM training_classes WHERE kind_code IN ('03', '04', '05')").await >= 1);
    let certificates = app.count("SELECT COUNT(*) FROM training_certificates").await;
    assert!(certificates > 20, "{certificates}");
    assert_eq!(app.count("SELECT COUNT(DISTINCT number) FROM training_certificates").await, certificates);
    assert!(app.count("SELECT COUNT(*) FROM training_class_attendance").await > certificates);
    assert!(app.count("SELECT COUNT(*) FROM training_class_participants WHERE passed = 0").await > 0);
    for (entity, action) in [
        ("training_class", "create"),
        ("training_teacher", "create"),
        ("training_class_participant", "enrol"),
        ("training_class_participant", "check_in"),
        ("training_class_participant", "assess"),
        ("training_certificate", "issue"),
    ] {
        assert!(audited(&app, entity, action).await > 0, "{entity} {action}");
    }
    let mut admin = app.login("admin").await;
    let list = admin.get("/training/classes").await.body;
    assert!(list.contains("2021年第一期高校就业创业指导师资培训班") && list.contains("创业月课堂"));
    let mut staff = app.login("staff").await;
    assert!(staff.get("/training/figures").await.body.contains("湘潭大学"));
}

#[tokio::test]
async fn a_teacher_enrols_is_checked_in_downloads_its_certificate_and_checks_it_in_a_browser() {
    use crate::browser::{click, fill, log_in, log_out, serve, start_browser, text};
    let Some((_driver, c)) = start_browser().await else { return };
    let app = TestApp::demo().await;
    let mut admin = app.login("admin").await;
    let class = province_class(&app, &mut admin, &[("assessed", "0"), ("prefix", "WEB")]).await;
    let base = serve(&app).await;

    // The teacher (a staff account of 湘潭大学) enrols itself and sees today's pass.
    log_in(&c, &base, "college", crate::support::PASSWORD).await;
    c.goto(&format!("{base}/training/mine")).await.expect("my classes");
    click(&c, &format!("#enrol-{class}")).await;
    assert!(text(&c, ".flash").await.contains("已报名"));
    let qr = c.find(fantoccini::Locator::Css(&format!("#my-pass-{class} svg"))).await;
    assert!(qr.is_ok(), "the pass is drawn as a QR code");
    let pass = text(&c, &format!("#my-pass-token-{class}")).await;
    log_out(&c).await;

    // The province reads the pass at the first session's door and completes the class.
    log_in(&c, &base, "admin", crate::support::PASSWORD).await;
    c.goto(&format!("{base}/training/classes/{class}")).await.expect("the class");
    click(&c, "#door-1").await;
    fill(&c, "#door-code", &pass).await;
    click(&c, "#door-submit").await;
    assert!(text(&c, "#door-done").await.contains("签到成功"));
    c.goto(&format!("{base}/training/classes/{class}")).await.expect("the class");
    click(&c, "#complete-submit").await;
    assert!(text(&c, ".flash").await.contains("发放证书 1 张"));
    log_out(&c).await;

    // The teacher opens and downloads its certificate.
    log_in(&c, &base, "college", crate::support::PASSWORD).await;
    c.goto(&format!("{base}/training/mine")).await.expect("my classes");
    let number = text(&c, &format!("#certificate-link-{class}")).await;
    assert!(number.starts_with("WEB-"), "{number}");
    click(&c, &format!("#certificate-link-{class}")).await;
    assert_eq!(text(&c, "#certificate-number").await, number);
    let holder = text(&c, "#certificate-holder").await;
    let href = c
        .find(fantoccini::Locator::Css("#certificate-download"))
        .await
        .expect("the download link")
        .attr("href")
        .await
        .expect("href")
        .unwrap_or_default();
    assert!(href.ends_with("?download=1"));
    let mut client = app.login("college").await;
    let file = client.get(&href).await;
    assert!(file.disposition.unwrap_or_default().contains(&format!("certificate-{number}.html")));
    log_out(&c).await;

    // Anyone checks it on the public page by number and name.
    c.goto(&format!("{base}/verify/certificate")).await.expect("the check");
    fill(&c, "#verify-number", &number).await;
    fill(&c, "#verify-name", &holder).await;
    click(&c, "#verify-submit").await;
    let result = text(&c, "#verify-result").await;
    assert!(result.contains("证书有效") && result.contains("测试师资培训班"), "{result}");
    c.close().await.ok();
}

#[tokio::test]
async fn the_province_edits_a_class_an_organiser_runs_its_door_and_graduates_join_student_classes() {
    let app = TestApp::demo().await;
    let mut admin = app.login("admin").await;
    let mut staff = app.login("staff").await;
    let mut graduate = app.login("graduate").await;
    let xtu = app.id("SELECT id FROM institutions WHERE code = '10530'").await.to_string();
    let class = province_class(&app, &mut admin, &[("audience", "students"), ("assessed", "0"), ("quota", "0")]).await;
    // The graduate enrols itself in a class open to students; the college's teacher may not.
    let page = graduate.get("/training/mine").await.body;
    assert!(page.contains(&format!("enrol-{class}")), "{page}");
    assert_eq!(graduate.post(&format!("/training/mine/{class}/enrol"), &[]).await.status, StatusCode::SEE_OTHER);
    let mut teacher = app.login("college").await;
    teacher.post(&format!("/training/mine/{class}/enrol"), &[]).await;
    assert_eq!(
        app.count(&format!("SELECT COUNT(*) FROM training_class_participants WHERE class_id = {class}")).await,
        1
    );

    // The form shows the class as stored; an edit making 湘潭大学 the organiser lets its office run the door.
    let form = admin.get(&format!("/training/classes/{class}/edit")).await.body;
    assert!(form.contains("职业生涯规划 | 8 | 刘教授") && form.contains("09:00-12:00 | 长沙·湖南师范大学"));
    assert_eq!(staff.get(&format!("/training/classes/{class}/sessions/1/door")).await.status, StatusCode::FORBIDDEN);
    let today = kernel::time::today_china();
    let one_session = format!("{today} | 09:00-12:00 | 湘潭大学");
    let edit = [
        ("title", "改名后的创业培训"),
        ("kind", "02"),
        ("audience", "students"),
        ("modules", "创业基础 | 6 | 陈老师"),
        ("sessions", one_session.as_str()),
        ("capacity", "30"),
        ("quota", "0"),
        ("required", "1"),
        ("prefix", "TEST"),
        ("organiser", xtu.as_str()),
    ];
    let updated = audited(&app, "training_class", "update").await;
    let reply = admin.post(&format!("/training/classes/{class}/edit"), &edit).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    assert_eq!(audited(&app, "training_class", "update").await, updated + 1);
    let page = staff.get(&format!("/training/classes/{class}")).await.body;
    assert!(page.contains("改名后的创业培训") && page.contains("id=\"class-hours\">6<") && page.contains("door-1"));
    let student_no = app
        .db
        .fetch_one(
            "SELECT g.student_no FROM graduates g JOIN accounts a ON a.graduate_id = g.id WHERE a.username = 'graduate'",
            &[],
        )
        .await
        .unwrap()
        .text("student_no")
        .unwrap();
    let reply = staff.post(&format!("/training/classes/{class}/sessions/1/door"), &[("code", &student_no)]).await;
    assert!(reply.body.contains("签到成功"), "{}", reply.body);
    // A session with attendance cannot be edited away; the answer is the form with its error.
    let two = format!("{today} | 09:00-12:00 | 湘潭大学\n{today} | 14:00-16:00 | 湘潭大学");
    let mut more = edit.to_vec();
    more.retain(|(k, _)| *k != "sessions");
    more.push(("sessions", two.as_str()));
    assert_eq!(admin.post(&format!("/training/classes/{class}/edit"), &more).await.status, StatusCode::SEE_OTHER);
    let reply = staff.post(&format!("/training/classes/{class}/sessions/2/door"), &[("code", &student_no)]).await;
    assert!(reply.body.contains("签到成功"), "{}", reply.body);
    let reply = admin.post(&format!("/training/classes/{class}/edit"), &edit).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.body.contains("删去的场次已有签到记录"), "{}", reply.body);
    let mut bad = edit.to_vec();
    bad.retain(|(k, _)| *k != "capacity");
    bad.push(("capacity", "0"));
    let reply = admin.post(&format!("/training/classes/{class}/edit"), &bad).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.body.contains("容量须为"));
    // The organiser completes it: the graduate's certificate shows on its page and prints for it alone.
    assert_eq!(staff.post(&format!("/training/classes/{class}/complete"), &[]).await.status, StatusCode::SEE_OTHER);
    let mine = graduate.get("/training/mine").await.body;
    assert!(mine.contains("TEST-") && mine.contains("已结业"), "{mine}");
    let number = app
        .db
        .fetch_one(&format!("SELECT number FROM training_certificates WHERE class_id = {class}"), &[])
        .await
        .unwrap();
    let number = number.text("number").unwrap();
    assert_eq!(graduate.get(&format!("/training/certificates/{number}")).await.status, StatusCode::OK);
    assert_eq!(
        teacher.get(&format!("/training/certificates/{number}")).await.status,
        StatusCode::OK,
        "its office's staff"
    );
}

#[tokio::test]
async fn two_offices_at_once_cannot_both_take_the_last_place() {
    let app = TestApp::demo().await;
    let mut admin = app.login("admin").await;
    let mut staff = app.login("staff").await;
    let mut hnu = app.login("staff10532").await;
    let class = province_class(&app, &mut admin, &[("capacity", "1")]).await;
    let a = add_teacher(&app, &mut staff, "测试甲老师", 1).await.to_string();
    let b = add_teacher(&app, &mut hnu, "湖大丁老师", 4).await.to_string();
    let path = format!("/training/classes/{class}/enrol");
    let (fa, fb) = ([("teacher", a.as_str())], [("teacher", b.as_str())]);
    let (x, y) = tokio::join!(staff.post(&path, &fa), hnu.post(&path, &fb));
    let taken = [&x, &y].iter().filter(|r| r.status == StatusCode::SEE_OTHER).count();
    assert_eq!(taken, 1, "{} / {}", x.body, y.body);
    assert!(x.body.contains("名额已满") || y.body.contains("名额已满"));
    assert_eq!(
        app.count(&format!("SELECT COUNT(*) FROM training_class_participants WHERE class_id = {class}")).await,
        1
    );
}

fn cells(bytes: Vec<u8>) -> String {
    let mut book: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
    let sheet = calamine::Reader::worksheet_range_at(&mut book, 0).unwrap().unwrap();
    sheet.rows().flat_map(|r| r.iter().map(|c| format!("{c}|"))).collect()
}

#[tokio::test]
async fn an_office_edits_removes_and_imports_its_teachers_and_sees_their_hours() {
    let app = TestApp::demo().await;
    let mut staff = app.login("staff").await;
    let mut hnu = app.login("staff10532").await;
    let mut admin = app.login("admin").await;
    let a = add_teacher(&app, &mut staff, "测试编辑老师", 11).await;
    let other = add_teacher(&app, &mut hnu, "湖大测试老师", 12).await;

    // Edit: a bad mobile is told on the form (200); a good edit saved and audited.
    let id = id_number(11);
    let edit = |phone: &'static str, title: &'static str| {
        vec![
            ("name", "测试编辑老师"),
            ("phone", phone),
            ("title", title),
            ("department", "学生工作部"),
            ("id_number", ""),
        ]
    };
    let mut bad = edit("123", "副教授");
    bad.retain(|(k, _)| *k != "id_number");
    bad.push(("id_number", id.as_str()));
    let reply = staff.post(&format!("/training/teachers/{a}"), &bad).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.body.contains("teacher-error") && reply.body.contains("手机号"), "{}", reply.body);
    let updates = audited(&app, "training_teacher", "update").await;
    let mut good = edit("13700009999", "副教授");
    good.retain(|(k, _)| *k != "id_number");
    good.push(("id_number", id.as_str()));
    let reply = staff.post(&format!("/training/teachers/{a}"), &good).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    assert_eq!(audited(&app, "training_teacher", "update").await, updates + 1);
    assert_eq!(
        app.count(&format!("SELECT COUNT(*) FROM training_teachers WHERE id = {a} AND title = '副教授'")).await,
        1
    );
    // Another office's teacher is not there for it; the province keeps none.
    assert_eq!(staff.get(&format!("/training/teachers/{other}")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(staff.post(&format!("/training/teachers/{other}/remove"), &[]).await.status, StatusCode::NOT_FOUND);
    assert_eq!(admin.get(&format!("/training/teachers/{a}")).await.status, StatusCode::FORBIDDEN);

    // Hours: a teacher with a certificate shows its certificates' hours; removing it keeps them.
    let xtu = app.id("SELECT id FROM institutions WHERE code = '10530'").await;
    let certified = app
        .id(&format!(
            "SELECT MIN(p.teacher_id) FROM training_class_participants p JOIN training_certificates c \
             ON c.participant_id = p.id WHERE p.institution_id = {xtu} AND p.teacher_id IS NOT NULL"
        ))
        .await;
    let hours = app
        .count(&format!(
            "SELECT CAST(SUM(c.hours) AS BIGINT) FROM training_certificates c JOIN training_class_participants p \
             ON p.id = c.participant_id WHERE p.teacher_id = {certified}"
        ))
        .await;
    assert!(hours > 0);
    let list = staff.get("/training/teachers").await.body;
    assert!(list.contains(&format!("id=\"teacher-hours-{certified}\">{hours}<")), "{list}");
    let certificates = app.count("SELECT COUNT(*) FROM training_certificates").await;
    let removed = audited(&app, "training_teacher", "deactivate").await;
    let reply = staff.post(&format!("/training/teachers/{certified}/remove"), &[]).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert_eq!(audited(&app, "training_teacher", "deactivate").await, removed + 1);
    assert_eq!(app.count("SELECT COUNT(*) FROM training_certificates").await, certificates, "history kept");
    assert_eq!(app.count(&format!("SELECT COUNT(*) FROM training_teachers WHERE id = {certified}")).await, 1);
    let list = staff.get("/training/teachers").await.body;
    assert!(list.contains(&format!("id=\"teacher-status-{certified}\">已移出")), "{list}");
    assert!(list.contains(&format!("id=\"teacher-hours-{certified}\">{hours}<")));
    // A removed teacher is offered to no class and cannot be enrolled.
    let class = province_class(&app, &mut admin, &[]).await;
    let page = staff.get(&format!("/training/classes/{class}")).await.body;
    assert!(!page.contains(&format!("value=\"{certified}\"")), "{page}");
    let reply = staff.post(&format!("/training/classes/{class}/enrol"), &[("teacher", &certified.to_string())]).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(
        app.count(&format!("SELECT COUNT(*) FROM training_class_participants WHERE class_id = {class}")).await,
        0
    );

    // The export: own office whole numbers, the province masked; hours in it.
    let mine = staff.get("/training/teachers?format=xlsx").await;
    assert_eq!(mine.status, StatusCode::OK);
    let text = cells(mine.bytes);
    assert!(text.contains(&id) && text.contains("结业培训学时") && !text.contains("湖大测试老师"), "{text}");
    let all = cells(admin.get("/training/teachers?format=xlsx").await.bytes);
    assert!(all.contains("湖大测试老师") && !all.contains(&id) && all.contains(&kernel::mask::id_number(&id)));

    // Import: one bad row refuses the whole file, with row, column, reason and an xlsx report.
    let before = app.count("SELECT COUNT(*) FROM training_teachers").await;
    let bad = format!(
        "姓名,身份证号,手机号,职称,部门,账号\n导入甲,{},13700001111,讲师,就业处,\n导入乙,430102198501011234,13700001112,讲师,就业处,\n导入丙,{},13700001113,讲师,就业处,\n",
        id_number(21),
        id_number(21)
    );
    let reply = staff.post_file("/training/teachers/import", &[], "师资.csv", bad.into_bytes()).await;
    assert_eq!(reply.status, StatusCode::OK);
    let body = &reply.body;
    assert!(body.contains("id=\"error-count\">2<"), "{body}");
    assert!(body.contains("<td class=\"num\">3</td><td>身份证号</td>") && body.contains("与第 2 行重复"), "{body}");
    assert_eq!(app.count("SELECT COUNT(*) FROM training_teachers").await, before, "one transaction");
    let link = body.split("id=\"report-link\" href=\"").nth(1).and_then(|s| s.split('"').next()).unwrap().to_owned();
    let report = staff.get(&link).await;
    assert_eq!(report.status, StatusCode::OK);
    assert!(cells(report.bytes).contains("校验位"));
    // A good xlsx with English headers: every row in, each audited, and the import itself.
    let rows = vec![
        vec!["导入甲".to_owned(), id_number(21), "13700001111".to_owned(), "讲师".to_owned(), "就业处".to_owned()],
        vec!["导入乙".to_owned(), id_number(22), "13700001112".to_owned(), "".to_owned(), "学工部".to_owned()],
    ];
    let book = crate::roster::xlsx(&["Name", "ID number", "Mobile", "Title", "Department"], &rows);
    let creates = audited(&app, "training_teacher", "create").await;
    let reply = staff.post_file("/training/teachers/import", &[], "teachers.xlsx", book.clone()).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    assert_eq!(app.count("SELECT COUNT(*) FROM training_teachers").await, before + 2);
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM training_teachers WHERE name LIKE '导入%' AND institution_id = {xtu}"
        ))
        .await,
        2
    );
    assert_eq!(audited(&app, "training_teacher", "create").await, creates + 2);
    assert_eq!(audited(&app, "training_teacher", "import").await, 1);
    // Again: each row's ID number is kept already.
    let reply = staff.post_file("/training/teachers/import", &[], "teachers.xlsx", book).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.body.contains("该身份证号的教师已登记"), "{}", reply.body);
    // Only an office imports.
    let reply = admin.post_file("/training/teachers/import", &[], "t.csv", b"x".to_vec()).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_figures_show_teachers_hours_certificates_and_mentors_active_with_an_export() {
    let app = TestApp::demo().await;
    let year = chrono::Datelike::year(&kernel::time::today_china());
    let active = training::mentors::pool::active_by_institution(&app.db, year, None).await.unwrap();
    let mut admin = app.login("admin").await;
    let page = admin.get("/training/figures").await.body;
    assert!(page.contains("活跃导师") && page.contains("培训合格教师"), "{page}");
    for a in &active {
        assert!(page.contains(&format!("id=\"mentors-active-{}\">{}<", a.institution_id, a.active)), "{page}");
    }
    let reply = admin.get(&format!("/training/figures?year={year}&format=xlsx")).await;
    assert_eq!(reply.status, StatusCode::OK);
    let text = cells(reply.bytes);
    assert!(text.contains("活跃导师") && text.contains("湘潭大学") && text.contains("湖南大学"), "{text}");
    // An office sees its own line only, in the page and the file.
    let mut staff = app.login("staff").await;
    let text = cells(staff.get("/training/figures?format=xlsx").await.bytes);
    assert!(text.contains("湘潭大学") && !text.contains("湖南大学"), "{text}");
    // An institution with mentors but no enrolment still gets its line.
    let rows = training::classes::store::with_mentors(
        Vec::new(),
        &[training::mentors::pool::Active {
            institution_id: 7,
            institution: "某学院".into(),
            published: 3,
            active: 2,
            sessions: 5,
        }],
    );
    assert_eq!((rows[0].mentors, rows[0].mentors_active, rows[0].certificates), (3, 2, 0));
}
