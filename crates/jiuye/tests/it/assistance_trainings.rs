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
    assert!(page.contains("十二月六期") && page.contains("一对一线上就业指导"));
    assert!(admin.get("/assistance/bases").await.body.contains("湘潭大学就业能力培训基地"));
}

#[tokio::test]
async fn staff_enrol_the_province_ticks_and_the_graduate_sees_completion_on_a_phone() {
    use crate::browser::{click, fits_the_screen, log_in, log_out, pick, serve, start_browser, text};
    let Some((_driver, c)) = start_browser().await else { return };
    let app = TestApp::demo().await;
    let (graduate, name, _) = flagged_graduate(&app).await;
    let mut admin = app.login("admin").await;
    let training = province_training(&app, &mut admin, &[("sessions", "2"), ("required", "1")]).await;
    let base = serve(&app).await;

    log_in(&c, &base, "staff", crate::support::PASSWORD).await;
    crate::browser::nav(&c, "/assistance/trainings").await;
    click(&c, &format!("#training-{training} a")).await;
    pick(&c, &format!("#enrol-graduate option[value='{graduate}']")).await;
    click(&c, "#enrol-submit").await;
    assert!(text(&c, ".flash").await.contains("已报名"));
    assert!(text(&c, &format!("#enrolment-{graduate}")).await.contains(&name));
    log_out(&c).await;

    log_in(&c, &base, "admin", crate::support::PASSWORD).await;
    c.goto(&format!("{base}/assistance/trainings/{training}")).await.expect("the training");
    // A tick on the list (no navigation), then the form's button.
    let tick = c.find(fantoccini::Locator::Css(&format!("#present-{graduate}"))).await.expect("the tick");
    tick.click().await.expect("tick");
    click(&c, "#attendance-submit").await;
    assert!(text(&c, ".flash").await.contains("签到已保存"));
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
