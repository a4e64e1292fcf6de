//! The plan board (工作台账, issue 16): the plan file loaded once, the board's
//! live figures equal to their source pages' and their states, the
//! province's adjustment of a measure, the deadline reminders; the 四到位
//! return filled in from the records, signed by a named school leader and
//! reviewed by the province; the inspection view; scopes; in a browser.

use axum::http::StatusCode;

use crate::support::{Client, TestApp};

async fn audited(app: &TestApp, entity: &str, action: &str) -> i64 {
    assert!(registry::audit_names::knows(entity, action), "{entity} {action} named");
    app.count(&format!("SELECT COUNT(*) FROM audit_log WHERE entity = '{entity}' AND action = '{action}'")).await
}

async fn exec(app: &TestApp, sql: &str) {
    let mut tx = app.db.begin().await.expect("begin");
    tx.execute(sql, &[]).await.expect("statement");
    tx.commit().await.expect("commit");
}

/// The institution of an account.
async fn institution_of(app: &TestApp, username: &str) -> i64 {
    app.id(&format!("SELECT institution_id FROM accounts WHERE username = '{username}'")).await
}

/// The board row of a measure, by its number.
fn row(page: &str, no: i64) -> &str {
    let start = format!("id=\"measure-{no}\"");
    let at = page.find(&start).unwrap_or_else(|| panic!("no measure {no}"));
    page[at..].split("</tr>").next().unwrap_or_default()
}

#[tokio::test]
async fn the_plan_loads_once_with_its_26_measures_and_the_board_shows_each_with_a_state() {
    let app = TestApp::demo().await;
    assert_eq!(app.count("SELECT COUNT(*) FROM plan_measures WHERE cohort_year = 2022").await, 26);
    let targets = app.count("SELECT COUNT(*) FROM plan_targets").await;
    // Loading again adds nothing, an adjusted measure included.
    let who = kernel::audit::AuditActor::system("test");
    assert_eq!(portal::plan::store::load(&app.db, &who, "43", 2022).await.expect("load"), 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM plan_targets").await, targets);
    assert_eq!(audited(&app, "plan", "seed").await, 1);

    let mut admin = app.login("admin").await;
    let page = admin.get("/plan?cohort=2022").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    for no in 1..=26 {
        assert!(row(&page.body, no).contains("badge state-"), "measure {no} has a state");
    }
    assert!(row(&page.body, 2).contains("常设市场专场招聘会 40 场"));
    assert!(row(&page.body, 21).contains("15–20"));
    // The 2022 plan's dates are past: a measure without a number is done, one
    // with an unmet number behind.
    assert!(row(&page.body, 4).contains("state-done"));
    assert!(row(&page.body, 2).contains("state-behind") || row(&page.body, 2).contains("state-done"));

    // A figure no area offers shows as such, with its own state.
    exec(
        &app,
        "INSERT INTO plan_targets (measure_id, position, label, label_en, figure_key, unit, low, high) \
         SELECT id, 9, '未提供的数据', 'Unoffered figure', 'nobody.offers', 'count', 5, NULL FROM plan_measures WHERE measure_no = 5",
    )
    .await;
    let page = admin.get("/plan?cohort=2022").await;
    assert!(row(&page.body, 5).contains("暂无数据"), "{}", row(&page.body, 5));
    assert!(row(&page.body, 5).contains("data-state=\"no_figure\""));
}

#[tokio::test]
async fn the_board_figures_equal_their_sources() {
    let app = TestApp::demo().await;
    let l = kernel::Locale::Zh;
    let states = jiuye::state(app.db.clone(), app.config.clone());
    let state = &states.outcomes;
    let scope = kernel::web::figure::FigureScope { cohort: 2022, institution: None };
    // Fairs: the host page's `held` for each kind with a target.
    let targets = recruitment::fairs::statistics::targets(&app.db, 2022, l).await.expect("targets");
    for (key, kind) in [("recruitment.fairs.permanent", "03"), ("recruitment.fairs.key_group", "10")] {
        let held = targets.iter().find(|t| t.kind_code == kind).map(|t| t.held);
        let read = portal::plan::figures::read(state, key, scope).await.expect("read").expect("offered");
        assert_eq!(Some(read.count), held.or(Some(read.count)), "{key}");
        let sql = app
            .count(&format!(
                "SELECT COUNT(*) FROM fairs WHERE cohort = 2022 AND kind_code = '{kind}' AND status = 'finished'"
            ))
            .await;
        assert_eq!(read.count, sql, "{key}");
    }
    // Training classes: the classes' list, held kind 01.
    let today = kernel::time::today_china().to_string();
    let classes = training::classes::store::list(&app.db).await.expect("classes");
    let held = classes.iter().filter(|c| c.kind == "01" && !c.last_day.is_empty() && c.last_day < today).count();
    let read = portal::plan::figures::read(state, "training.classes", scope).await.expect("read").expect("offered");
    assert_eq!(read.count, held as i64);
    // Placement: as /outcomes/placement shows the province's total.
    let read = portal::plan::figures::read(state, "outcomes.placement", scope).await.expect("read").expect("offered");
    let graduates = app.count("SELECT COUNT(*) FROM graduates WHERE cohort_year = 2022").await;
    assert_eq!(read.of, Some(graduates));
    let mut admin = app.login("admin").await;
    let placement = admin.get("/outcomes/placement?cohort=2022").await;
    let rate = format!("{:.2}%", read.percent().unwrap_or(0.0));
    assert!(placement.body.contains(&rate), "the placement page shows {rate}");
    // Signing online: as /outcomes/signing counts it.
    let read =
        portal::plan::figures::read(state, "outcomes.signing_online", scope).await.expect("read").expect("offered");
    let usage =
        outcomes::agreements::signing::usage(&app.db, &kernel::auth::Scope::Province, 2022).await.expect("usage");
    assert_eq!(read.count, usage.iter().map(|u| u.online).sum::<i64>());
    // Verification: the signals of the cohort's latest scan, as /verification lists them.
    let read =
        portal::plan::figures::read(state, "verification.findings", scope).await.expect("read").expect("offered");
    let listed = app
        .count(
            "SELECT COUNT(*) FROM verification_findings WHERE scan_id = \
             (SELECT MAX(id) FROM verification_scans WHERE cohort = 2022)",
        )
        .await;
    assert_eq!(read.count, listed);
    // A figure for the whole province only is not read for one institution.
    let one = kernel::web::figure::FigureScope { cohort: 2022, institution: Some(institution_of(&app, "staff").await) };
    assert_eq!(portal::plan::figures::read(state, "recruitment.fairs.permanent", one).await.expect("read"), None);
    assert_eq!(portal::plan::figures::read(state, "nobody.offers", scope).await.expect("read"), None);
}

#[tokio::test]
async fn the_province_adjusts_a_measure_and_bad_input_changes_nothing() {
    let app = TestApp::demo().await;
    let mut admin = app.login("admin").await;
    let id = app.id("SELECT id FROM plan_measures WHERE measure_no = 21").await;
    let target = app.id(&format!("SELECT id FROM plan_targets WHERE measure_id = {id}")).await;
    let form = admin.get(&format!("/plan/measures/{id}")).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("name=\"low_"));
    let (low, high) = (format!("low_{target}"), format!("high_{target}"));
    let bad = admin
        .post(
            &format!("/plan/measures/{id}"),
            &[
                ("owner", "省教育厅"),
                ("starts_on", "2022-09-01"),
                ("ends_on", "2022-01-01"),
                (&low, "20"),
                (&high, "15"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::OK);
    assert!(bad.body.contains("起止日期") && bad.body.contains("数值无效"), "{}", bad.body);
    assert_eq!(app.count(&format!("SELECT COUNT(*) FROM plan_measures WHERE id = {id} AND adjusted = 1")).await, 0);
    let ok = admin
        .post(
            &format!("/plan/measures/{id}"),
            &[
                ("owner", "省教育厅、省人社厅"),
                ("starts_on", "2021-11-01"),
                ("ends_on", "2022-09-30"),
                (&low, "18"),
                (&high, ""),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    assert_eq!(
        app.count(&format!("SELECT COUNT(*) FROM plan_targets WHERE id = {target} AND low = 18 AND high IS NULL"))
            .await,
        1
    );
    assert_eq!(audited(&app, "plan_measure", "update").await, 1);
    let staff = app.login("staff").await;
    assert_eq!(staff.clone().get(&format!("/plan/measures/{id}")).await.status, StatusCode::FORBIDDEN);
    // Reloading the file keeps the adjustment.
    let who = kernel::audit::AuditActor::system("test");
    portal::plan::store::load(&app.db, &who, "43", 2022).await.expect("load");
    assert_eq!(
        app.count(&format!("SELECT COUNT(*) FROM plan_measures WHERE id = {id} AND owner = '省教育厅、省人社厅'"))
            .await,
        1
    );
}

/// Sets the goal of a measure's targets: `low` at least (met or far off).
async fn goal_of_measure(app: &TestApp, no: i64, low: i64) {
    exec(
        app,
        &format!(
            "UPDATE plan_targets SET low = {low}, high = NULL \
             WHERE measure_id = (SELECT id FROM plan_measures WHERE measure_no = {no})"
        ),
    )
    .await;
}

#[tokio::test]
async fn a_reminder_goes_to_the_province_once_per_measure_and_deadline() {
    let app = TestApp::demo().await;
    let states = jiuye::state(app.db.clone(), app.config.clone());
    // Measures 16 and 22 end on Friday 2021-12-31; neither met.
    goal_of_measure(&app, 16, 1_000_000).await;
    goal_of_measure(&app, 22, 1_000_000).await;
    let day = chrono::NaiveDate::from_ymd_opt(2021, 12, 20).expect("day");
    let sent = portal::plan::send_reminders(&states.outcomes, day).await.expect("reminders");
    assert_eq!(sent, 2);
    let province = app.count("SELECT COUNT(*) FROM accounts WHERE role = 'province_admin' AND active = TRUE").await;
    assert_eq!(app.count("SELECT COUNT(*) FROM account_notices WHERE topic = 'plan'").await, 2 * province);
    assert_eq!(portal::plan::send_reminders(&states.outcomes, day).await.expect("again"), 0);
    assert_eq!(audited(&app, "plan_measure", "remind").await, 2);
    let far = chrono::NaiveDate::from_ymd_opt(2021, 11, 2).expect("day");
    assert_eq!(portal::plan::send_reminders(&states.outcomes, far).await.expect("none due"), 0);
}

#[tokio::test]
async fn the_reminders_skip_a_measure_already_done() {
    let app = TestApp::demo().await;
    let states = jiuye::state(app.db.clone(), app.config.clone());
    // On Monday 2021-12-20 both measures ending 2021-12-31 are nine working
    // days away; 22's target is met (a goal of none), 16's is not.
    goal_of_measure(&app, 16, 1_000_000).await;
    goal_of_measure(&app, 22, 0).await;
    let day = chrono::NaiveDate::from_ymd_opt(2021, 12, 20).expect("day");
    assert_eq!(portal::plan::send_reminders(&states.outcomes, day).await.expect("reminders"), 1);
    let reminded = |no: i64| {
        format!(
            "SELECT COUNT(*) FROM plan_reminders WHERE measure_id = (SELECT id FROM plan_measures WHERE measure_no = {no})"
        )
    };
    assert_eq!(app.count(&reminded(16)).await, 1);
    assert_eq!(app.count(&reminded(22)).await, 0, "a measure done is not reminded");
    let province = app.count("SELECT COUNT(*) FROM accounts WHERE role = 'province_admin' AND active = TRUE").await;
    assert_eq!(app.count("SELECT COUNT(*) FROM account_notices WHERE topic = 'plan'").await, province);
    let notice =
        app.db.fetch_one("SELECT message FROM account_notices WHERE topic = 'plan'", &[]).await.expect("notice");
    assert!(notice.text("message").expect("message").contains("措施 16"));
    // Still done on the deadline itself: nothing more.
    let last = chrono::NaiveDate::from_ymd_opt(2021, 12, 31).expect("day");
    assert_eq!(portal::plan::send_reminders(&states.outcomes, last).await.expect("the last day"), 0);
}

#[tokio::test]
async fn a_holiday_week_brings_the_reminder_forward() {
    let app = TestApp::demo().await;
    let states = jiuye::state(app.db.clone(), app.config.clone());
    // Measure 18 moved to end on Wednesday 2022-10-12, its target far off.
    exec(&app, "UPDATE plan_measures SET ends_on = '2022-10-12' WHERE measure_no = 18").await;
    goal_of_measure(&app, 18, 1_000_000).await;
    let day = |m, d| chrono::NaiveDate::from_ymd_opt(2022, m, d).expect("day");
    // The calendar the province keeps holds the National Day week and its swapped weekend.
    let calendar = kernel::calendar::load(&app.db).await.expect("calendar");
    assert_eq!(calendar.working_days_between(day(9, 26), day(10, 12)), 9);
    let reminded =
        "SELECT COUNT(*) FROM plan_reminders WHERE measure_id = (SELECT id FROM plan_measures WHERE measure_no = 18)";
    // Thursday 22 September: eleven working days before, not yet.
    portal::plan::send_reminders(&states.outcomes, day(9, 22)).await.expect("reminders");
    assert_eq!(app.count(reminded).await, 0);
    // Monday 26 September: sixteen days before, but nine working days over the holiday.
    portal::plan::send_reminders(&states.outcomes, day(9, 26)).await.expect("reminders");
    assert_eq!(app.count(reminded).await, 1);
}

#[tokio::test]
async fn the_roadshow_figure_counts_the_projects_selected_for_the_roadshow() {
    let app = TestApp::demo().await;
    let states = jiuye::state(app.db.clone(), app.config.clone());
    let state = &states.outcomes;
    let scope = kernel::web::figure::FigureScope { cohort: 2022, institution: None };
    let read = |s| async move {
        portal::plan::figures::read(state, "programmes.roadshow", s).await.expect("read").expect("offered").count
    };
    let selected = "SELECT COUNT(*) FROM programme_applications a JOIN programme_calls c ON c.id = a.call_id \
                    WHERE c.type_code = '12' AND c.year = 2022 AND a.outcome = 'approved'";
    let before = app.count(selected).await;
    assert_eq!(read(scope).await, before);
    // The province selects two recommended projects of the roadshow call.
    let call = app.id("SELECT MIN(id) FROM programme_calls WHERE type_code = '12' AND year = 2022").await;
    let picked: Vec<(i64, i64)> = app
        .db
        .fetch_all(
            "SELECT id, institution_id FROM programme_applications WHERE call_id = $1 AND outcome IS NULL ORDER BY id",
            &[call.into()],
        )
        .await
        .expect("applications")
        .iter()
        .take(2)
        .map(|r| (r.i64("id").expect("id"), r.i64("institution_id").expect("institution")))
        .collect();
    assert_eq!(picked.len(), 2, "the demo's roadshow call has applications");
    let ids: Vec<String> = picked.iter().map(|p| p.0.to_string()).collect();
    exec(&app, &format!("UPDATE programme_applications SET outcome = 'approved' WHERE id IN ({})", ids.join(",")))
        .await;
    assert_eq!(read(scope).await, before + 2);
    assert_eq!(app.count(selected).await, before + 2);
    // One institution's own.
    let one = picked[0].1;
    let own = app.count(&format!("{selected} AND a.institution_id = {one}")).await;
    assert_eq!(read(kernel::web::figure::FigureScope { cohort: 2022, institution: Some(one) }).await, own);
    // The board names it beside measure 16.
    let mut admin = app.login("admin").await;
    let page = admin.get("/plan?cohort=2022").await;
    assert!(row(&page.body, 16).contains("路演项目遴选入选项目"), "{}", row(&page.body, 16));
}

/// Signs the staff's return through its form.
async fn sign(staff: &mut Client, confirm: bool, funds: &str) -> crate::support::Reply {
    let mut fields = vec![
        ("cohort", "2022"),
        ("staff_fulltime", "8"),
        ("funds_wan", funds),
        ("venue_sqm", "600"),
        ("organisation", "招生就业处，校长任领导小组组长"),
        ("leader_name", "李明"),
        ("leader_title", "副校长"),
    ];
    if confirm {
        fields.push(("confirm", "1"));
    }
    staff.post("/plan/return", &fields).await
}

#[tokio::test]
async fn a_return_is_filled_from_the_records_signed_and_reviewed() {
    let app = TestApp::demo().await;
    let xtu = institution_of(&app, "staff").await;
    exec(&app, &format!("DELETE FROM plan_returns WHERE institution_id = {xtu}")).await;
    let mut staff = app.login("staff").await;
    let page = staff.get("/plan/return").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let graduates =
        app.count(&format!("SELECT COUNT(*) FROM graduates WHERE institution_id = {xtu} AND cohort_year = 2022")).await;
    let accounts = app
        .count(&format!("SELECT COUNT(*) FROM accounts WHERE institution_id = {xtu} AND role = 'university_staff' AND active = TRUE"))
        .await;
    assert!(page.body.contains(&format!("id=\"held-graduates\">{graduates}<")), "graduates filled in");
    assert!(page.body.contains(&format!("id=\"held-staff\">{accounts}<")), "staff accounts filled in");
    assert!(!page.body.contains("name=\"graduates\""), "no field asks for a figure the platform holds");

    // Unconfirmed or with a bad figure: the messages, nothing written.
    let bad = sign(&mut staff, false, "-3").await;
    assert_eq!(bad.status, StatusCode::OK);
    assert!(bad.body.contains("请确认平台已有的数据") && bad.body.contains("经费"), "{}", bad.body);
    assert_eq!(app.count(&format!("SELECT COUNT(*) FROM plan_returns WHERE institution_id = {xtu}")).await, 0);

    let ok = sign(&mut staff, true, "150").await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    let id = app.id(&format!("SELECT id FROM plan_returns WHERE institution_id = {xtu} AND status = 'signed'")).await;
    assert_eq!(
        app.count(&format!("SELECT COUNT(*) FROM plan_returns WHERE id = {id} AND graduates = {graduates}")).await,
        1
    );
    assert_eq!(sign(&mut staff, true, "160").await.status, StatusCode::CONFLICT, "signed once until returned");

    // The province returns it with a reason; the office is told and signs again; then it is accepted.
    let mut admin = app.login("admin").await;
    let list = admin.get("/plan/returns").await;
    assert!(list.body.contains(&format!("id=\"review-{id}\"")));
    let no_reason = admin.post(&format!("/plan/returns/{id}/review"), &[("decision", "return"), ("reason", " ")]).await;
    assert_eq!(no_reason.status, StatusCode::BAD_REQUEST);
    let returned = admin
        .post(&format!("/plan/returns/{id}/review"), &[("decision", "return"), ("reason", "场地面积请附说明")])
        .await;
    assert_eq!(returned.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.count(&format!("SELECT COUNT(*) FROM notices WHERE institution_id = {xtu} AND topic = 'plan_return'"))
            .await,
        1
    );
    let page = staff.get("/plan/return").await;
    assert!(page.body.contains("场地面积请附说明"));
    assert_eq!(sign(&mut staff, true, "160").await.status, StatusCode::SEE_OTHER);
    let accepted = admin.post(&format!("/plan/returns/{id}/review"), &[("decision", "accept"), ("reason", "")]).await;
    assert_eq!(accepted.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM plan_returns WHERE id = {id} AND status = 'accepted' AND funds_wan = 160"
        ))
        .await,
        1
    );
    assert_eq!(
        admin.post(&format!("/plan/returns/{id}/review"), &[("decision", "accept"), ("reason", "")]).await.status,
        StatusCode::CONFLICT
    );
    assert!(audited(&app, "plan_return", "sign").await >= 2);
    assert!(audited(&app, "plan_return", "return").await >= 1);
    assert!(audited(&app, "plan_return", "accept").await >= 1);

    // The inspection view shows the return's state and the institution's figures.
    let view = staff.get("/plan/inspection").await;
    assert!(view.body.contains(&format!("data-id=\"{xtu}\"")));
    assert!(view.body.contains("已通过"));
}

#[tokio::test]
async fn each_sees_its_own() {
    let app = TestApp::demo().await;
    let xtu = institution_of(&app, "staff").await;
    let other = app.id(&format!("SELECT MIN(id) FROM institutions WHERE id <> {xtu}")).await;
    let mut staff = app.login("staff").await;
    // Staff asking for another university's inspection view get their own.
    let view = staff.get(&format!("/plan/inspection?institution={other}")).await;
    assert!(view.body.contains(&format!("data-id=\"{xtu}\"")) && !view.body.contains(&format!("data-id=\"{other}\"")));
    assert_eq!(staff.get("/plan/returns").await.status, StatusCode::FORBIDDEN);
    assert_eq!(staff.post("/plan/returns/1/review", &[("decision", "accept")]).await.status, StatusCode::FORBIDDEN);
    // A college's staff read the board but do not sign the university's return.
    let mut college = app.login("college").await;
    assert_eq!(college.get("/plan").await.status, StatusCode::OK);
    assert_eq!(college.get("/plan/return").await.status, StatusCode::FORBIDDEN);
    let mut graduate = app.login("graduate").await;
    assert_eq!(graduate.get("/plan").await.status, StatusCode::FORBIDDEN);
    // The province chooses any.
    let mut admin = app.login("admin").await;
    let view = admin.get(&format!("/plan/inspection?institution={other}")).await;
    assert!(view.body.contains(&format!("data-id=\"{other}\"")));
    assert!(view.body.contains("毕业去向落实率"));
}

#[tokio::test]
async fn the_board_and_a_university_signing_its_return_in_a_browser() {
    use crate::browser::{click, fill, log_in, log_out, nav, serve, start_browser, text};
    let Some((_driver, c)) = start_browser().await else { return };
    let app = TestApp::demo().await;
    let xtu = institution_of(&app, "staff").await;
    exec(&app, &format!("DELETE FROM plan_returns WHERE institution_id = {xtu}")).await;
    let base = serve(&app).await;

    log_in(&c, &base, "staff", crate::support::PASSWORD).await;
    nav(&c, "/plan/return").await;
    c.find(fantoccini::Locator::Css("#confirm")).await.expect("confirm box").click().await.expect("tick");
    fill(&c, "input[name=staff_fulltime]", "7").await;
    fill(&c, "input[name=funds_wan]", "90").await;
    fill(&c, "input[name=venue_sqm]", "420").await;
    fill(&c, "textarea[name=organisation]", "招生就业处").await;
    fill(&c, "input[name=leader_name]", "王校长").await;
    fill(&c, "input[name=leader_title]", "校长").await;
    click(&c, "#sign").await;
    assert!(text(&c, ".flash").await.contains("已签发"));
    assert!(text(&c, "#return-status").await.contains("已签发待审核"));
    log_out(&c).await;

    log_in(&c, &base, "admin", crate::support::PASSWORD).await;
    nav(&c, "/plan").await;
    assert!(text(&c, "#measure-2").await.contains("40"));
    assert!(text(&c, "#plan-counts").await.contains("已完成"));
    c.goto(&format!("{base}/plan/returns")).await.expect("returns");
    let id = app.id(&format!("SELECT id FROM plan_returns WHERE institution_id = {xtu}")).await;
    click(&c, &format!("#review-{id} button")).await;
    assert!(text(&c, &format!("#return-{xtu} .status")).await.contains("已通过"));
}

#[tokio::test]
async fn a_university_uploads_its_contingency_plan_and_the_province_sees_who_has_one() {
    let app = TestApp::demo().await;
    let xtu = institution_of(&app, "staff").await;
    let mut staff = app.login("staff").await;
    let fields = [("cohort", "2022"), ("summary", "线上宣讲与分时段入校招聘")];
    let png = b"\x89PNG\r\n\x1a\nnot really".to_vec();
    let refused = staff.post_file("/plan/contingency", &fields, "plan.png", png).await;
    assert_eq!(refused.status, StatusCode::OK);
    assert!(refused.body.contains("id=\"errors\""), "{}", refused.body);
    assert_eq!(app.count("SELECT COUNT(*) FROM plan_contingency").await, 0);
    let no_summary =
        staff.post_file("/plan/contingency", &[("cohort", "2022")], "预案.pdf", jiuye::demo::sample_evidence()).await;
    assert!(no_summary.body.contains("请填写预案摘要"));
    let kept = staff.post_file("/plan/contingency", &fields, "预案.pdf", jiuye::demo::sample_evidence()).await;
    assert_eq!(kept.status, StatusCode::SEE_OTHER, "{}", kept.body);
    let id = app.id(&format!("SELECT id FROM plan_contingency WHERE institution_id = {xtu}")).await;
    assert_eq!(audited(&app, "plan_contingency", "create").await, 1);

    let mut admin = app.login("admin").await;
    let list = admin.get("/plan/contingency").await;
    assert!(list.body.contains(&format!("href=\"/plan/contingency/{id}/file\"")));
    assert!(list.body.matches("class=\"no-plan\"").count() > 0, "the others are listed as without one");
    let file = admin.get(&format!("/plan/contingency/{id}/file")).await;
    assert_eq!(file.status, StatusCode::OK);
    assert!(file.bytes.starts_with(b"%PDF"));
    assert_eq!(staff.get(&format!("/plan/contingency/{id}/file")).await.status, StatusCode::OK);
    // Another university's staff neither list nor download it.
    let other = app.id(&format!("SELECT MIN(id) FROM institutions WHERE id <> {xtu}")).await;
    exec(&app, &format!("UPDATE accounts SET institution_id = {other}, college_id = NULL WHERE username = 'college'"))
        .await;
    let mut college = app.login("college").await;
    assert_eq!(college.get(&format!("/plan/contingency/{id}/file")).await.status, StatusCode::NOT_FOUND);
    assert!(!college.get("/plan/contingency").await.body.contains(&format!("/plan/contingency/{id}/file")));
}

#[tokio::test]
async fn the_province_opens_a_measure_and_inspects_a_university_and_a_school_files_its_contingency_plan_in_a_browser() {
    use crate::browser::{attach, click, fill, log_in, log_out, nav, pick, serve, start_browser, text};
    let Some((_driver, c)) = start_browser().await else { return };
    let app = TestApp::demo().await;
    let xtu = institution_of(&app, "staff").await;
    let other = app.id(&format!("SELECT MIN(id) FROM institutions WHERE id <> {xtu}")).await;
    let other_name =
        app.db.fetch_one("SELECT name FROM institutions WHERE id = $1", &[other.into()]).await.expect("name");
    let other_name = other_name.text("name").expect("name");
    let states = jiuye::state(app.db.clone(), app.config.clone());
    let scope = kernel::web::figure::FigureScope { cohort: 2022, institution: None };
    let roadshow = portal::plan::figures::read(&states.outcomes, "programmes.roadshow", scope)
        .await
        .expect("read")
        .expect("offered")
        .count;
    let base = serve(&app).await;

    // A school files its contingency plan.
    log_in(&c, &base, "staff", crate::support::PASSWORD).await;
    nav(&c, "/plan/contingency").await;
    assert!(text(&c, &format!("#contingency-{xtu}")).await.contains("未上传"));
    fill(&c, "textarea[name=summary]", "线上宣讲与分时段入校招聘").await;
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("湘潭大学就业工作疫情防控应急预案.pdf");
    std::fs::write(&path, jiuye::demo::sample_evidence()).expect("write");
    attach(&c, "input[name=file]", &path).await;
    click(&c, "#contingency-form button").await;
    assert!(text(&c, ".flash").await.contains("应急预案已上传"));
    assert!(text(&c, &format!("#contingency-{xtu} .has-plan")).await.contains("应急预案"));
    log_out(&c).await;

    // The province opens measure 16 from the board and sees its live figure.
    log_in(&c, &base, "admin", crate::support::PASSWORD).await;
    nav(&c, "/plan").await;
    click(&c, "#measure-16 a").await;
    let live = text(&c, "#measure-live").await;
    assert!(live.contains("路演项目遴选入选项目"), "{live}");
    assert!(live.contains("10–20"), "{live}");
    assert_eq!(text(&c, "#measure-live td.reading").await.trim(), roadshow.to_string());
    assert!(!text(&c, "#measure-state").await.is_empty());

    // It reviews the school's plan in the list and downloads it.
    nav(&c, "/plan/contingency").await;
    assert!(text(&c, &format!("#contingency-{xtu}")).await.contains("线上宣讲与分时段入校招聘"));
    let got = crate::browser::download(&c, &format!("#contingency-{xtu} .has-plan a")).await;
    assert_eq!(got[0], serde_json::json!(200));
    assert_eq!(got[3], serde_json::json!("%P"));
    assert!(text(&c, &format!("#contingency-{other}")).await.contains("未上传"));

    // The inspection view: it picks a university, then the school that filed its plan.
    nav(&c, "/plan/inspection").await;
    pick(&c, &format!("#choose select option[value='{other}']")).await;
    click(&c, "#choose button").await;
    assert_eq!(text(&c, "#inspected").await.trim(), other_name);
    assert!(text(&c, "#inspection").await.contains("毕业去向落实率"));
    assert!(text(&c, "#inspection-contingency").await.contains("未上传"));
    pick(&c, &format!("#choose select option[value='{xtu}']")).await;
    click(&c, "#choose button").await;
    assert!(text(&c, "#inspection-contingency").await.contains("已上传"));
    c.close().await.ok();
}
