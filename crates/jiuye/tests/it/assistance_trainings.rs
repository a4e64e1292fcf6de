//! Key-group trainings (measure 22) and training bases (measure 23): staff
//! enrol their graduates, the province ticks attendance and marks completion
//! (N of M sessions), completion writes the ledger's training entry so
//! coverage moves; scopes, self-enrolment, the per-institution table, bases
//! with trainees and supervision visits; every write audited.

use axum::http::StatusCode;

use crate::assistance::{account_like, flagged_graduate};
use crate::support::{Client, TestApp};

async fn audited(app: &TestApp, entity: &str, action: &str) -> i64 {
    assert!(registry::audit_names::knows(entity, action), "{entity} {action} named");
    app.count(&format!("SELECT COUNT(*) FROM audit_log WHERE entity = '{entity}' AND action = '{action}'")).await
}

/// A training the province creates through the form; its id.
async fn province_training(app: &TestApp, admin: &mut Client, extra: &[(&str, &str)]) -> i64 {
    let starts = (kernel::time::today_china() + chrono::Duration::days(7)).to_string();
    let ends = (kernel::time::today_china() + chrono::Duration::days(21)).to_string();
    let mut fields = vec![
        ("base", ""),
        ("title", "测试专项培训"),
        ("kind", "01"),
        ("starts_on", starts.as_str()),
        ("ends_on", ends.as_str()),
        ("place", "长沙"),
        ("capacity", "10"),
        ("sessions", "3"),
        ("required", "2"),
    ];
    fields.extend_from_slice(extra);
    let reply = admin.post("/assistance/trainings", &fields).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    app.id("SELECT MAX(id) FROM trainings").await
}

async fn ledger_trainings(app: &TestApp, graduate: i64) -> i64 {
    app.count(&format!("SELECT COUNT(*) FROM assistance_entries WHERE graduate_id = {graduate} AND kind_code = '04'"))
        .await
}

#[tokio::test]
async fn staff_enrol_the_province_takes_attendance_and_completion_moves_coverage() {
    let app = TestApp::demo().await;
    let (graduate, name, _) = flagged_graduate(&app).await;
    let mut admin = app.login("admin").await;
    let mut staff = app.login("staff").await;

    // Bad input answers 200 with the reason, nothing stored.
    let before = app.count("SELECT COUNT(*) FROM trainings").await;
    let reply = admin
        .post(
            "/assistance/trainings",
            &[
                ("title", "x"),
                ("kind", "01"),
                ("starts_on", "2022-12-05"),
                ("ends_on", "2022-12-06"),
                ("place", "长沙"),
                ("capacity", "10"),
                ("sessions", "3"),
                ("required", "4"),
            ],
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.body.contains("结业所需出勤次数"), "{}", reply.body);
    assert_eq!(app.count("SELECT COUNT(*) FROM trainings").await, before);
    let training = province_training(&app, &mut admin, &[("group", "01")]).await;
    assert_eq!(audited(&app, "training", "create").await, 1);

    // The institution's staff see their key-group graduate among those to enrol, and enrol it.
    let page = staff.get(&format!("/assistance/trainings/{training}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(&format!("<option value=\"{graduate}\">")), "the graduate is offered");
    assert!(!page.body.contains("id=\"attendance\""), "staff do not take the province's attendance");
    let reply =
        staff.post(&format!("/assistance/trainings/{training}/enrol"), &[("graduate", &graduate.to_string())]).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert_eq!(audited(&app, "training_enrolment", "create").await, 1);
    let again =
        staff.post(&format!("/assistance/trainings/{training}/enrol"), &[("graduate", &graduate.to_string())]).await;
    assert_eq!(again.status, StatusCode::OK);
    assert!(again.body.contains("已报名"));

    // Another university's staff: cannot enrol it, do not see it in the list, 404 on the province's attendance.
    let hnu = app.id("SELECT id FROM institutions WHERE code = '10532'").await;
    account_like(&app, "hnu_staff", "staff", Some(hnu), None).await;
    let mut other = app.login("hnu_staff").await;
    let refused =
        other.post(&format!("/assistance/trainings/{training}/enrol"), &[("graduate", &graduate.to_string())]).await;
    assert_eq!(refused.status, StatusCode::OK);
    assert!(refused.body.contains("请选择本校的毕业生"));
    assert!(!other.get(&format!("/assistance/trainings/{training}")).await.body.contains(&name));
    let reply = other.post(&format!("/assistance/trainings/{training}/attendance"), &[("session", "1")]).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert_eq!(
        staff.post(&format!("/assistance/trainings/{training}/complete"), &[]).await.status,
        StatusCode::NOT_FOUND
    );

    // Staff of the graduate's own college who are not its helpers: an enrolment tells a key group, so not listed.
    let (institution, college) = (
        app.id(&format!("SELECT institution_id FROM graduates WHERE id = {graduate}")).await,
        app.id(&format!("SELECT college_id FROM graduates WHERE id = {graduate}")).await,
    );
    let mut tx = app.db.begin().await.unwrap();
    tx.execute(
        "INSERT INTO accounts (username, display_name, password_hash, role, institution_id, college_id, active, created_at) \
         SELECT 'college_not_helper', 'college_not_helper', a.password_hash, a.role, $1, $2, TRUE, a.created_at \
         FROM accounts a WHERE a.username = 'college'",
        &[institution.into(), college.into()],
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let page = app.login("college_not_helper").await.get(&format!("/assistance/trainings/{training}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains(&name), "not its helper: the enrolment is not shown");

    let ledger = ledger_trainings(&app, graduate).await;
    // One session of three attended: the rule (two of three) is not met; nothing completes.
    let g = graduate.to_string();
    let tick = |session: &'static str| vec![("session", session), ("present", g.as_str())];
    let reply = admin.post(&format!("/assistance/trainings/{training}/attendance"), &tick("1")).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert_eq!(audited(&app, "training", "attendance").await, 1);
    let reply = admin.post(&format!("/assistance/trainings/{training}/complete"), &[]).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert_eq!(ledger_trainings(&app, graduate).await, ledger);
    assert!(admin.get(&format!("/assistance/trainings/{training}")).await.body.contains("1/3"));

    // The second session: it completes, one ledger entry of the training kind, the coverage's item met.
    let file = staff.get(&format!("/assistance/{graduate}")).await.body;
    assert!(!file.contains("完成培训：测试专项培训"));
    admin.post(&format!("/assistance/trainings/{training}/attendance"), &tick("2")).await;
    admin.post(&format!("/assistance/trainings/{training}/complete"), &[]).await;
    assert_eq!(ledger_trainings(&app, graduate).await, ledger + 1);
    assert_eq!(audited(&app, "training_enrolment", "complete").await, 1);
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM training_enrolments WHERE training_id = {training} AND completed_at IS NOT NULL \
             AND entry_id IS NOT NULL"
        ))
        .await,
        1
    );
    let file = staff.get(&format!("/assistance/{graduate}")).await.body;
    assert!(file.contains("完成培训：测试专项培训"), "the ledger shows it");
    // Marking again writes nothing twice.
    admin.post(&format!("/assistance/trainings/{training}/complete"), &[]).await;
    assert_eq!(ledger_trainings(&app, graduate).await, ledger + 1);
    // Unticking a session keeps the completion already given.
    admin.post(&format!("/assistance/trainings/{training}/attendance"), &[("session", "2")]).await;
    assert_eq!(audited(&app, "training", "attendance").await, 3);
    assert!(admin.get(&format!("/assistance/trainings/{training}")).await.body.contains("已结业"));

    // The per-institution table: the province's has every institution, the staff's only their own; xlsx.
    let table = admin.get("/assistance/trainings/table").await;
    assert_eq!(table.status, StatusCode::OK);
    assert!(table.body.contains("<td>湘潭大学</td>"));
    let institutions = |body: &str| body.matches("</a></td><td>").count();
    let theirs = staff.get("/assistance/trainings/table").await.body;
    assert!(institutions(&table.body) > institutions(&theirs), "the demo's enrolments elsewhere are the province's");
    assert!(!theirs.contains("<td>湖南大学</td>"));
    let xlsx = admin.get("/assistance/trainings/table?format=xlsx").await;
    assert_eq!(xlsx.status, StatusCode::OK);
    assert!(xlsx.headers.get("content-type").is_some_and(|t| t.contains("spreadsheetml")));

    // The graduate sees its own enrolment and completion, no category.
    let mut me = app.login("graduate").await;
    let mine = me.get("/me/assistance/trainings").await;
    assert_eq!(mine.status, StatusCode::OK);
    assert!(mine.body.contains("测试专项培训") && mine.body.contains("已结业"));
    assert!(!mine.body.contains("脱贫家庭"));
    assert_eq!(me.get(&format!("/assistance/trainings/{training}")).await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn graduates_in_the_audience_enrol_themselves_and_see_only_their_own() {
    let app = TestApp::demo().await;
    let (graduate, _, _) = flagged_graduate(&app).await;
    let mut admin = app.login("admin").await;
    let training = province_training(&app, &mut admin, &[("group", "01"), ("capacity", "1")]).await;
    let other_group = province_training(&app, &mut admin, &[("group", "06"), ("title", "残疾毕业生专场")]).await;

    let mut me = app.login("graduate").await;
    let page = me.get("/me/assistance/trainings").await.body;
    assert!(page.contains(&format!("id=\"enrol-{training}\"")));
    assert!(!page.contains("残疾毕业生专场"), "not in that audience");
    assert!(me.get("/").await.body.contains("my-trainings-panel"), "the workbench links to the trainings");
    let reply = me.post(&format!("/me/assistance/trainings/{other_group}/enrol"), &[]).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    let reply = me.post(&format!("/me/assistance/trainings/{training}/enrol"), &[]).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM training_enrolments WHERE graduate_id = {graduate} AND training_id = {training}"
        ))
        .await,
        1
    );
    let who = app
        .db
        .fetch_one("SELECT graduate_id FROM audit_log WHERE entity = 'training_enrolment' ORDER BY id DESC", &[])
        .await
        .unwrap();
    assert_eq!(who.opt_i64("graduate_id").unwrap(), Some(graduate));

    // A second graduate of the same group: the single place is taken; it sees none of the first one's.
    let second = app
        .id(&format!(
            "SELECT MIN(id) FROM graduates WHERE institution_id = (SELECT institution_id FROM graduates WHERE id = {graduate}) \
             AND id <> {graduate}"
        ))
        .await;
    let mut tx = app.db.begin().await.unwrap();
    tx.execute("UPDATE graduates SET key_groups = '01' WHERE id = $1", &[second.into()]).await.unwrap();
    tx.commit().await.unwrap();
    account_like(&app, "second", "graduate", None, Some(second)).await;
    let mut them = app.login("second").await;
    let reply = them.post(&format!("/me/assistance/trainings/{training}/enrol"), &[]).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    let theirs = them.get("/me/assistance/trainings").await.body;
    assert!(!theirs.contains(&format!("id=\"my-training-{training}\"")), "the first graduate's place is not theirs");
    assert_eq!(app.count(&format!("SELECT COUNT(*) FROM training_enrolments WHERE training_id = {training}")).await, 1);

    // A graduate in no key group has no trainings page; staff and employers are refused.
    let mut tx = app.db.begin().await.unwrap();
    tx.execute("UPDATE graduates SET key_groups = '' WHERE id = $1", &[second.into()]).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(them.get("/me/assistance/trainings").await.status, StatusCode::NOT_FOUND);
    let mut employer = app.login("employer").await;
    for path in ["/me/assistance/trainings", "/assistance/trainings", "/assistance/bases"] {
        assert_eq!(employer.get(path).await.status, StatusCode::FORBIDDEN, "{path}");
    }
}

#[tokio::test]
async fn bases_keep_their_trainings_trainees_and_supervision_in_scope() {
    let app = TestApp::demo().await;
    let (graduate, name, _) = flagged_graduate(&app).await;
    let xtu = app.id("SELECT id FROM institutions WHERE code = '10530'").await.to_string();
    let mut admin = app.login("admin").await;
    let mut staff = app.login("staff").await;

    // The province adds a base; bad input answers 200.
    let base_fields = |since: &'static str| {
        vec![
            ("name", "测试就业能力培训基地"),
            ("host", xtu.as_str()),
            ("level", "2"),
            ("since", since),
            ("contact", "李老师"),
        ]
    };
    let reply = admin.post("/assistance/bases", &base_fields("1999")).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.body.contains("设立年份"));
    assert_eq!(admin.post("/assistance/bases", &base_fields("2022")).await.status, StatusCode::SEE_OTHER);
    let base = app.id("SELECT MAX(id) FROM training_bases").await;
    assert_eq!(audited(&app, "training_base", "create").await, 1);
    assert_eq!(staff.post("/assistance/bases", &base_fields("2022")).await.status, StatusCode::FORBIDDEN);
    // The province edits it (bad input answers 200 on the base's page); the host's staff may not.
    let edit = format!("/assistance/bases/{base}/edit");
    let reply = admin.post(&edit, &base_fields("abc")).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.body.contains("id=\"edit-base-error\""), "{}", reply.body);
    let mut renamed = base_fields("2021");
    renamed[4] = ("contact", "张老师 0731-00000000");
    assert_eq!(admin.post(&edit, &renamed).await.status, StatusCode::SEE_OTHER);
    assert_eq!(staff.post(&edit, &renamed).await.status, StatusCode::FORBIDDEN);
    assert!(admin.get(&format!("/assistance/bases/{base}")).await.body.contains("张老师 0731-00000000"));
    assert_eq!(audited(&app, "training_base", "update").await, 1);

    // The host's staff add a training to their base and run it; another university's staff cannot.
    let hnu = app.id("SELECT id FROM institutions WHERE code = '10532'").await;
    account_like(&app, "hnu_staff", "staff", Some(hnu), None).await;
    let mut other = app.login("hnu_staff").await;
    let b = base.to_string();
    let starts = kernel::time::today_china().to_string();
    let training_fields = vec![
        ("base", b.as_str()),
        ("title", "基地就业能力培训班"),
        ("kind", "01"),
        ("starts_on", starts.as_str()),
        ("ends_on", starts.as_str()),
        ("place", "湘潭"),
        ("capacity", "30"),
        ("sessions", "2"),
        ("required", "2"),
        ("group", "01"),
        ("institution", xtu.as_str()),
    ];
    let refused = other.post("/assistance/trainings", &training_fields).await;
    assert_eq!(refused.status, StatusCode::OK);
    assert!(refused.body.contains("请选择本校承办的培训基地"));
    assert_eq!(staff.post("/assistance/trainings", &training_fields).await.status, StatusCode::SEE_OTHER);
    let training = app.id("SELECT MAX(id) FROM trainings").await;
    assert_eq!(other.get(&format!("/assistance/bases/{base}")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(other.get(&format!("/assistance/trainings/{training}")).await.status, StatusCode::NOT_FOUND);
    assert!(!other.get("/assistance/bases").await.body.contains("测试就业能力培训基地"));

    let ledger = ledger_trainings(&app, graduate).await;
    staff.post(&format!("/assistance/trainings/{training}/enrol"), &[("graduate", &graduate.to_string())]).await;
    let g = graduate.to_string();
    for session in ["1", "2"] {
        let reply = staff
            .post(&format!("/assistance/trainings/{training}/attendance"), &[("session", session), ("present", &g)])
            .await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "the host takes attendance");
    }
    assert_eq!(
        staff.post(&format!("/assistance/trainings/{training}/complete"), &[]).await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(ledger_trainings(&app, graduate).await, ledger + 1);

    // The base page: its trainee with categories, completion and placement (no destination: not placed).
    let page = admin.get(&format!("/assistance/bases/{base}")).await.body;
    assert!(page.contains(&name) && page.contains("脱贫家庭"));
    assert!(page.contains("id=\"base-completion\">1 · 100.0%"), "{page}");
    assert!(page.contains("id=\"base-placement\">0 · 0.0%"));
    // Placed by the destinations area: the base's placement moves, read live.
    crate::assistance::place(&app, graduate).await;
    let page = staff.get(&format!("/assistance/bases/{base}")).await.body;
    assert!(page.contains("id=\"base-placement\">1 · 100.0%"), "{page}");
    assert!(page.contains(&format!("id=\"trainee-{graduate}\"")), "the host's staff see their trainee");
    let table = admin.get("/assistance/bases").await.body;
    assert!(table.contains(&format!("id=\"base-{base}\"")) && table.contains("湘潭大学就业能力培训基地"), "every base");

    // Supervision: the province records a visit and closes it; staff may not.
    let future = (kernel::time::today_china() + chrono::Duration::days(2)).to_string();
    let bad = [("visited_on", future.as_str()), ("visitors", "省教育厅"), ("findings", "台账不全")];
    let reply = admin.post(&format!("/assistance/bases/{base}/visits"), &bad).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.body.contains("不能晚于今天"));
    let today = kernel::time::today_china().to_string();
    let good = [("visited_on", today.as_str()), ("visitors", "省教育厅"), ("findings", "台账不全")];
    assert_eq!(admin.post(&format!("/assistance/bases/{base}/visits"), &good).await.status, StatusCode::SEE_OTHER);
    assert_eq!(staff.post(&format!("/assistance/bases/{base}/visits"), &good).await.status, StatusCode::FORBIDDEN);
    let v = app.id("SELECT MAX(id) FROM base_visits").await;
    assert!(staff.get(&format!("/assistance/bases/{base}")).await.body.contains("台账不全"), "the host reads it");
    let close = format!("/assistance/bases/{base}/visits/{v}/close");
    assert_eq!(admin.post(&close, &[]).await.status, StatusCode::SEE_OTHER);
    assert_eq!(admin.post(&close, &[]).await.status, StatusCode::NOT_FOUND, "closed once");
    assert_eq!(audited(&app, "base_visit", "create").await, 1);
    assert_eq!(audited(&app, "base_visit", "close").await, 1);
}

#[tokio::test]
async fn the_demo_runs_the_december_sessions_the_march_guidance_and_the_bases() {
    let app = TestApp::demo().await;
    assert!(app.count("SELECT COUNT(*) FROM trainings WHERE base_id IS NULL").await >= 3);
    assert!(app.count("SELECT COUNT(*) FROM training_bases WHERE level_code = '1'").await >= 2);
    assert!(app.count("SELECT COUNT(*) FROM training_enrolments").await > 0);
    assert!(app.count("SELECT COUNT(*) FROM training_attendance").await > 0);
    assert!(app.count("SELECT COUNT(*) FROM base_visits").await >= 3);
    // Every training has its dated sessions; the December one six, from the 4th to the 25th.
    assert_eq!(
        app.count("SELECT COUNT(*) FROM trainings t WHERE NOT EXISTS (SELECT 1 FROM training_sessions s WHERE s.training_id = t.id)").await,
        0
    );
    let december = app.id("SELECT id FROM trainings WHERE title LIKE '%十二月六期%'").await;
    assert_eq!(app.count(&format!("SELECT COUNT(*) FROM training_sessions WHERE training_id = {december}")).await, 6);
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM training_attendance a WHERE a.training_id = {december} AND NOT EXISTS \
             (SELECT 1 FROM training_sessions s WHERE s.training_id = a.training_id AND s.session_no = a.session_no)"
        ))
        .await,
        0,
        "every attendance is at a session"
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM trainings WHERE cancelled_at IS NOT NULL").await, 1);
    let completed = app.count("SELECT COUNT(*) FROM training_enrolments WHERE completed_at IS NOT NULL").await;
    let entries = app
        .count(
            "SELECT COUNT(*) FROM assistance_entries e JOIN training_enrolments t ON t.entry_id = e.id \
             WHERE e.kind_code = '04'",
        )
        .await;
    assert_eq!(completed, entries, "each completion is in the ledger");
    let mut admin = app.login("admin").await;
    let page = admin.get("/assistance/trainings").await.body;
    assert!(page.contains("十二月六期") && page.contains("一对一线上就业指导") && page.contains("已取消"));
    let sessions = admin.get(&format!("/assistance/trainings/{december}")).await.body;
    assert!(sessions.contains("-12-04</td>") && sessions.contains("-12-25</td>") && sessions.contains("14:30–17:00"));
    assert!(admin.get("/assistance/bases").await.body.contains("湘潭大学就业能力培训基地"));
}

#[tokio::test]
async fn staff_enrol_the_province_ticks_and_the_graduate_sees_completion_on_a_phone() {
    use crate::browser::{click, fill, fits_the_screen, log_in, log_out, pick, serve, start_browser, text};
    let Some((_driver, c)) = start_browser().await else { return };
    let app = TestApp::demo().await;
    let (graduate, name, _) = flagged_graduate(&app).await;
    let mut admin = app.login("admin").await;
    let today = kernel::time::today_china().to_string();
    let training =
        province_training(&app, &mut admin, &[("sessions", "2"), ("required", "1"), ("starts_on", today.as_str())])
            .await;
    let base = serve(&app).await;

    log_in(&c, &base, "staff", crate::support::PASSWORD).await;
    crate::browser::nav(&c, "/assistance/trainings").await;
    click(&c, &format!("#training-{training} a")).await;
    pick(&c, &format!("#enrol-graduate option[value='{graduate}']")).await;
    click(&c, "#enrol-submit").await;
    assert!(text(&c, ".flash").await.contains("已报名"));
    assert!(text(&c, &format!("#enrolment-{graduate}")).await.contains(&name));
    log_out(&c).await;

    // On the phone, the graduate sees its dated sessions and today's pass (a QR code and the code as text).
    c.set_window_size(375, 812).await.expect("phone-sized window");
    log_in(&c, &base, "graduate", crate::support::PASSWORD).await;
    click(&c, "#my-trainings-link").await;
    assert!(text(&c, &format!("#my-sessions-{training}")).await.contains(&today));
    let qr = c.find(fantoccini::Locator::Css(&format!("#my-pass-{training} svg"))).await;
    assert!(qr.is_ok(), "the pass is drawn as a QR code");
    let pass = text(&c, &format!("#my-pass-token-{training}")).await;
    fits_the_screen(&c, "my pass").await;
    log_out(&c).await;
    c.set_window_size(1280, 900).await.expect("desk-sized window");

    // The province opens the first session's door and types the pass (a scanner types it the same way).
    log_in(&c, &base, "admin", crate::support::PASSWORD).await;
    c.goto(&format!("{base}/assistance/trainings/{training}")).await.expect("the training");
    assert!(text(&c, "#session-1").await.contains(&today), "the session's date");
    click(&c, "#door-1").await;
    fill(&c, "#door-code", &pass).await;
    click(&c, "#door-submit").await;
    assert!(text(&c, "#door-done").await.contains("签到成功"));
    fill(&c, "#door-code", "not-a-pass.forged").await;
    click(&c, "#door-submit").await;
    assert!(text(&c, "#door-error").await.contains("无效的入场码"));
    c.goto(&format!("{base}/assistance/trainings/{training}")).await.expect("the training");
    let present = c.find(fantoccini::Locator::Css(&format!("#present-{graduate}"))).await.expect("the tick");
    assert!(present.prop("checked").await.expect("checked").is_some_and(|v| v == "true"), "the door ticked it");
    click(&c, "#complete-submit").await;
    assert!(text(&c, ".flash").await.contains("已评定结业 1 人"));
    assert!(text(&c, &format!("#enrolment-{graduate} .completion")).await.contains("已结业"));
    log_out(&c).await;

    c.set_window_size(375, 812).await.expect("phone-sized window");
    log_in(&c, &base, "graduate", crate::support::PASSWORD).await;
    click(&c, "#my-trainings-link").await;
    let mine = text(&c, &format!("#my-training-{training}")).await;
    assert!(mine.contains("测试专项培训") && mine.contains("已结业"), "{mine}");
    fits_the_screen(&c, "my trainings").await;
    c.close().await.ok();
}

/// The pass the graduate's page shows for today's session of the training.
fn pass_on(page: &str, training: i64) -> String {
    let start = format!("id=\"my-pass-token-{training}\">");
    let at = page.find(&start).unwrap_or_else(|| panic!("no pass for {training}: {page}")) + start.len();
    page[at..].split("</code>").next().unwrap_or_default().to_owned()
}

#[tokio::test]
async fn sessions_have_dates_move_and_go_and_a_cancelled_training_takes_nothing() {
    let app = TestApp::demo().await;
    let (graduate, _, _) = flagged_graduate(&app).await;
    let mut admin = app.login("admin").await;
    let mut staff = app.login("staff").await;
    let training = province_training(&app, &mut admin, &[]).await;
    let day = |d: i64| (kernel::time::today_china() + chrono::Duration::days(d)).to_string();
    // Three sessions made on consecutive days from the start, each with its own row.
    let days = app
        .db
        .fetch_all(
            "SELECT held_on FROM training_sessions WHERE training_id = $1 ORDER BY session_no",
            &[training.into()],
        )
        .await
        .unwrap();
    let days: Vec<String> = days.iter().map(|r| r.text("held_on").unwrap()).collect();
    assert_eq!(days, vec![day(7), day(8), day(9)]);
    let page = admin.get(&format!("/assistance/trainings/{training}")).await.body;
    assert!(page.contains(&format!("<td class=\"session-day\">{}</td>", day(8))), "{page}");

    // Move session 3 later and add a fourth: the training's dates are the sessions' span.
    let path = format!("/assistance/trainings/{training}/sessions");
    let bad =
        [("held_on", day(30)), ("starts_at", "14:00".into()), ("ends_at", "13:00".into()), ("place", "长沙".into())];
    let bad: Vec<(&str, &str)> = bad.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let reply = admin.post(&format!("{path}/3"), &bad).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.body.contains("结束时间须晚于开始时间"));
    let moved = day(30);
    let good = [("held_on", moved.as_str()), ("starts_at", "14:00"), ("ends_at", "16:30"), ("place", "湖南大学报告厅")];
    assert_eq!(admin.post(&format!("{path}/3"), &good).await.status, StatusCode::SEE_OTHER);
    let fourth = day(31);
    let online = [
        ("held_on", fourth.as_str()),
        ("starts_at", "19:00"),
        ("ends_at", "20:30"),
        ("online", "1"),
        ("place", "https://meeting.example/1"),
    ];
    assert_eq!(admin.post(&path, &online).await.status, StatusCode::SEE_OTHER);
    let span = app
        .db
        .fetch_one("SELECT starts_on, ends_on, sessions FROM trainings WHERE id = $1", &[training.into()])
        .await
        .unwrap();
    assert_eq!(
        (span.text("starts_on").unwrap(), span.text("ends_on").unwrap(), span.i64("sessions").unwrap()),
        (day(7), fourth.clone(), 4)
    );
    assert_eq!(audited(&app, "training_session", "move").await, 1);
    assert_eq!(audited(&app, "training_session", "create").await, 1);
    assert_eq!(
        staff.post(&format!("{path}/3"), &good).await.status,
        StatusCode::FORBIDDEN,
        "the province moves sessions"
    );

    // Attendance is per session; a session with attendance cannot go, one without can; the rule counts what exists.
    staff.post(&format!("/assistance/trainings/{training}/enrol"), &[("graduate", &graduate.to_string())]).await;
    let g = graduate.to_string();
    admin.post(&format!("/assistance/trainings/{training}/attendance"), &[("session", "1"), ("present", &g)]).await;
    let reply = admin.post(&format!("{path}/1/remove"), &[]).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.body.contains("已有签到记录"), "{}", reply.body);
    assert_eq!(admin.post(&format!("{path}/2/remove"), &[]).await.status, StatusCode::SEE_OTHER);
    assert_eq!(audited(&app, "training_session", "delete").await, 1);
    let page = admin.get(&format!("/assistance/trainings/{training}?session=4")).await.body;
    assert!(page.contains("1/3") && !page.contains("id=\"session-2\""), "{page}");
    admin.post(&format!("/assistance/trainings/{training}/attendance"), &[("session", "4"), ("present", &g)]).await;
    admin.post(&format!("/assistance/trainings/{training}/complete"), &[]).await;
    assert!(admin.get(&format!("/assistance/trainings/{training}")).await.body.contains("已结业"), "2 of 3 sessions");
    let mine = app.login("graduate").await.get("/me/assistance/trainings").await.body;
    assert!(
        mine.contains(&format!("id=\"my-sessions-{training}\"")) && mine.contains(&fourth),
        "the graduate sees the dates"
    );

    // Edit every field but the dates; bad input answers 200.
    let edit = format!("/assistance/trainings/{training}/edit");
    assert!(admin.get(&edit).await.body.contains("测试专项培训"));
    let reply = admin
        .post(
            &edit,
            &[("title", "改名后的培训"), ("kind", "01"), ("place", "长沙"), ("capacity", "0"), ("required", "2")],
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.body.contains("容量"));
    let fields = [("title", "改名后的培训"), ("kind", "01"), ("place", "湘潭"), ("capacity", "20"), ("required", "3")];
    assert_eq!(admin.post(&edit, &fields).await.status, StatusCode::SEE_OTHER);
    let page = admin.get(&format!("/assistance/trainings/{training}")).await.body;
    assert!(page.contains("改名后的培训") && page.contains("1/20") && page.contains("3 次中至少参加 3 次"), "{page}");
    assert_eq!(audited(&app, "training", "update").await, 1);

    // Cancel with a reason: the enrolled graduate is told; the training stays, marked, and takes nothing more.
    let cancel = format!("/assistance/trainings/{training}/cancel");
    let reply = admin.post(&cancel, &[("reason", " ")]).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.body.contains("请填写取消原因"));
    assert_eq!(admin.post(&cancel, &[("reason", "场地调整，另行通知")]).await.status, StatusCode::SEE_OTHER);
    assert_eq!(audited(&app, "training", "cancel").await, 1);
    assert!(app.count("SELECT COUNT(*) FROM account_notices WHERE topic = 'training'").await >= 1);
    let mut me = app.login("graduate").await;
    assert!(me.get("/messages").await.body.contains("场地调整，另行通知"));
    assert!(me.get("/me/assistance/trainings").await.body.contains(&format!("id=\"cancelled-{training}\"")));
    let page = admin.get(&format!("/assistance/trainings/{training}")).await.body;
    assert!(page.contains("id=\"training-cancelled\"") && !page.contains("id=\"attendance-submit\""));
    for (path, fields) in [
        (format!("/assistance/trainings/{training}/attendance"), vec![("session", "1")]),
        (format!("/assistance/trainings/{training}/complete"), vec![]),
        (format!("{path}/1/remove"), vec![]),
        (edit.clone(), fields.to_vec()),
    ] {
        let reply = admin.post(&path, &fields).await;
        assert_eq!(reply.status, StatusCode::OK, "{path}");
        assert!(reply.body.contains("该培训已取消"), "{path}");
    }
    let reply = staff.post(&format!("/assistance/trainings/{training}/enrol"), &[("graduate", &g)]).await;
    assert!(reply.body.contains("该培训已取消"));
    assert!(admin.get("/assistance/trainings").await.body.contains("已取消"));
}

#[tokio::test]
async fn the_door_checks_in_a_pass_of_this_training_only() {
    let app = TestApp::demo().await;
    let (graduate, name, _) = flagged_graduate(&app).await;
    let mut admin = app.login("admin").await;
    let mut staff = app.login("staff").await;
    let today = kernel::time::today_china().to_string();
    let training = province_training(&app, &mut admin, &[("starts_on", today.as_str())]).await;
    let other = province_training(&app, &mut admin, &[("starts_on", today.as_str()), ("title", "另一项培训")]).await;
    let g = graduate.to_string();
    staff.post(&format!("/assistance/trainings/{training}/enrol"), &[("graduate", g.as_str())]).await;

    // The enrolled graduate's page shows today's session with its pass as a QR code and as text.
    let mut me = app.login("graduate").await;
    let mine = me.get("/me/assistance/trainings").await.body;
    assert!(mine.contains(&format!("id=\"my-pass-{training}\"")) && mine.contains("<svg"), "{mine}");
    let pass = pass_on(&mine, training);
    assert!(!mine.contains(&format!("id=\"my-pass-{other}\"")), "no pass where it is not enrolled");

    let door = format!("/assistance/trainings/{training}/sessions/1/door");
    let page = admin.get(&door).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("id=\"door-form\""));
    let reply = admin.post(&door, &[("code", pass.as_str())]).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.body.contains(&format!("{name} 签到成功")), "{}", reply.body);
    let ticked =
        format!("SELECT COUNT(*) FROM training_attendance WHERE training_id = {training} AND graduate_id = {graduate}");
    assert_eq!(app.count(&ticked).await, 1);
    assert_eq!(audited(&app, "training", "check_in").await, 1);
    assert!(admin.post(&door, &[("code", pass.as_str())]).await.body.contains("已签到过"));
    assert_eq!(app.count(&ticked).await, 1);

    // Refused, each with its reason: another training's door, a forged pass, an unenrolled person, unreadable.
    let elsewhere =
        admin.post(&format!("/assistance/trainings/{other}/sessions/1/door"), &[("code", pass.as_str())]).await;
    assert!(elsewhere.body.contains("另一项培训"), "{}", elsewhere.body);
    let forged = pass.replacen(&format!("g{graduate}"), &format!("g{}", graduate + 1), 1);
    assert!(admin.post(&door, &[("code", forged.as_str())]).await.body.contains("无效的入场码"));
    let stranger = app
        .db
        .fetch_one("SELECT student_no FROM graduates WHERE id <> $1 ORDER BY id", &[graduate.into()])
        .await
        .unwrap()
        .text("student_no")
        .unwrap();
    assert!(admin.post(&door, &[("code", stranger.as_str())]).await.body.contains("未报名本培训"));
    assert!(admin.post(&door, &[("code", "<script>")]).await.body.contains("无法识别"));
    let english = admin.post(&format!("{door}?lang=en"), &[("code", forged.as_str())]).await.body;
    assert!(english.contains("Invalid pass"), "{english}");
    // A typed student number of an enrolled graduate checks in at the second session.
    let number = app
        .db
        .fetch_one("SELECT student_no FROM graduates WHERE id = $1", &[graduate.into()])
        .await
        .unwrap()
        .text("student_no")
        .unwrap();
    let second = format!("/assistance/trainings/{training}/sessions/2/door");
    assert!(admin.post(&second, &[("code", number.as_str())]).await.body.contains("签到成功"));
    assert_eq!(app.count(&ticked).await, 2);
    // Staff who do not host the training are refused at its door.
    assert_eq!(staff.get(&door).await.status, StatusCode::FORBIDDEN);
    assert_eq!(staff.post(&door, &[("code", pass.as_str())]).await.status, StatusCode::FORBIDDEN);
    // Cancelled: the door refuses, and the graduate's page shows no pass.
    admin.post(&format!("/assistance/trainings/{training}/cancel"), &[("reason", "天气原因")]).await;
    assert!(admin.post(&door, &[("code", pass.as_str())]).await.body.contains("已取消"));
    assert!(!me.get("/me/assistance/trainings").await.body.contains(&format!("id=\"my-pass-{training}\"")));
}

#[tokio::test]
async fn the_province_keeps_a_base_in_a_browser() {
    use crate::browser::{click, fill, log_in, nav, pick, serve, start_browser, text};
    let Some((_driver, c)) = start_browser().await else { return };
    let app = TestApp::demo().await;
    let base = serve(&app).await;
    let xtu = app.id("SELECT id FROM institutions WHERE code = '10530'").await;
    log_in(&c, &base, "admin", crate::support::PASSWORD).await;

    // Create a base.
    nav(&c, "/assistance/bases").await;
    fill(&c, "#base-name", "浏览器测试培训基地").await;
    pick(&c, &format!("#base-host option[value='{xtu}']")).await;
    fill(&c, "#base-since", "2023").await;
    fill(&c, "#base-contact", "王老师 0731-12345678").await;
    click(&c, "#base-submit").await;
    assert!(text(&c, ".flash").await.contains("培训基地已添加"));
    let id = app.id("SELECT MAX(id) FROM training_bases").await;
    assert!(text(&c, "#base-facts").await.contains("王老师"));

    // Edit it.
    c.find(fantoccini::Locator::Css("#edit-base summary")).await.expect("edit").click().await.expect("open");
    fill(&c, "#edit-base-contact", "赵老师 0731-87654321").await;
    click(&c, "#edit-base-submit").await;
    assert!(text(&c, ".flash").await.contains("基地信息已保存"));
    assert!(text(&c, "#base-facts").await.contains("赵老师"));

    // Add a training to it.
    nav(&c, "/assistance/trainings").await;
    fill(&c, "#training-title", "基地浏览器培训班").await;
    pick(&c, &format!("#training-base option[value='{id}']")).await;
    let start = (kernel::time::today_china() + chrono::Duration::days(3)).to_string();
    c.execute(
        "document.getElementById('training-starts').value = arguments[0]; document.getElementById('training-ends').value = arguments[0];",
        vec![serde_json::json!(start)],
    )
    .await
    .expect("dates");
    fill(&c, "#training-place", "湘潭").await;
    fill(&c, "#training-capacity", "30").await;
    fill(&c, "#training-sessions", "2").await;
    fill(&c, "#training-required", "1").await;
    click(&c, "#training-submit").await;
    assert!(text(&c, ".flash").await.contains("培训已创建"));
    assert!(text(&c, "#session-list").await.contains(&start), "its sessions are dated");
    c.goto(&format!("{base}/assistance/bases/{id}")).await.expect("the base");
    assert!(text(&c, "#base-trainings").await.contains("基地浏览器培训班"));

    // Record a supervision visit, then close its rectification.
    let today = kernel::time::today_china().to_string();
    c.execute("document.getElementById('visit-date').value = arguments[0];", vec![serde_json::json!(today)])
        .await
        .expect("visit date");
    fill(&c, "#visit-visitors", "省教育厅督导组").await;
    fill(&c, "#visit-findings", "学员台账不全").await;
    click(&c, "#visit-submit").await;
    assert!(text(&c, ".flash").await.contains("督导记录已保存"));
    let visit = app.id("SELECT MAX(id) FROM base_visits").await;
    let row = text(&c, &format!("#visit-{visit}")).await;
    assert!(row.contains("学员台账不全") && row.contains("整改中"), "{row}");
    click(&c, &format!("#close-visit-{visit}")).await;
    assert!(text(&c, ".flash").await.contains("整改已销号"));
    assert!(text(&c, &format!("#visit-{visit}")).await.contains("已销号"));
    c.close().await.ok();
}
