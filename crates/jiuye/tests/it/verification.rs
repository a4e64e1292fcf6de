//! The anomaly scan over a cohort: planted anomalies fire, the rest stays
//! quiet, thresholds saved for the cohort are honoured, and the command line
//! writes the signals as JSON.

use kernel::audit::AuditActor;
use verification::scan::{self, Scope};
use verification::signals::{Kind, Severity, Thresholds};

use crate::support::TestApp;

fn scope() -> Scope {
    Scope { cohort: 2022, code_version: "2021".into(), bucket_column: "bucket_2021", as_of: None }
}

/// Records the first `n` graduates of the institution with the most as placed
/// at one employer whose credit code fails its check, one a minute from 23:00
/// China time the night before 31 August, by one account. Returns its code.
async fn plant(app: &TestApp, n: i64) -> String {
    let row = app
        .db
        .fetch_one(
            "SELECT i.id, i.code FROM institutions i JOIN graduates g ON g.institution_id = i.id \
             GROUP BY i.id, i.code ORDER BY COUNT(*) DESC, i.id LIMIT 1",
            &[],
        )
        .await
        .unwrap();
    let (institution, code) = (row.i64("id").unwrap(), row.text("code").unwrap());
    let graduates = app
        .db
        .fetch_all(
            "SELECT id FROM graduates WHERE institution_id = $1 ORDER BY id LIMIT $2",
            &[institution.into(), n.into()],
        )
        .await
        .unwrap();
    let mut tx = app.db.begin().await.unwrap();
    for (i, g) in graduates.iter().enumerate() {
        let at = format!("2022-08-30T15:{:02}:00.000Z", i);
        tx.execute(
            "INSERT INTO destination_events (graduate_id, cohort_year, institution_id, at, actor_label, code_version, \
             category_code, employer_name, credit_code) VALUES ($1, 2022, $2, $3, 'night_owl', '2021', '10', '某某人力资源咨询', \
             '91430100MA4L000000')",
            &[g.i64("id").unwrap().into(), institution.into(), at.into()],
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    code
}

#[tokio::test]
async fn planted_anomalies_fire_and_thresholds_are_honoured() {
    let app = TestApp::demo().await;
    let code = plant(&app, 4).await;
    let mut tx = app.db.begin().await.unwrap();
    let t = Thresholds { cluster_min: 3, bulk_changes: 3, share_min_graduates: 1000, ..Thresholds::default() };
    verification::settings::save(&mut tx, &AuditActor::system("test"), 2022, &t).await.unwrap();
    tx.commit().await.unwrap();

    let t = verification::settings::thresholds(&app.db, 2022).await.unwrap();
    let signals = scan::scan(&app.db, &scope(), &t).await.unwrap();
    let of = |kind: Kind| signals.iter().filter(|s| s.kind == kind).collect::<Vec<_>>();
    let cluster = of(Kind::EmployerCluster);
    assert_eq!(cluster.len(), 1, "{signals:?}");
    assert_eq!((cluster[0].institution.as_str(), cluster[0].graduates.len()), (code.as_str(), 4));
    let bulk = of(Kind::BulkEdit);
    assert_eq!(bulk.len(), 1, "{signals:?}");
    assert_eq!(bulk[0].severity, Severity::High, "at night, the day before a statistics date");
    assert!(signals.iter().all(|s| s.institution == code), "nothing elsewhere: {signals:?}");

    // Stricter thresholds for the cohort: the cluster is too small now.
    let strict = Thresholds { cluster_min: 10, bulk_changes: 10, ..t.clone() };
    assert!(scan::scan(&app.db, &scope(), &strict).await.unwrap().is_empty());
    // As of a day before the planted night, nothing had happened.
    let before = Scope { as_of: chrono::NaiveDate::from_ymd_opt(2022, 8, 29), ..scope() };
    assert!(scan::scan(&app.db, &before, &t).await.unwrap().is_empty());
}

#[tokio::test]
async fn the_command_line_writes_the_signals_as_json() {
    let app = TestApp::demo().await;
    let code = plant(&app, 3).await;
    let mut tx = app.db.begin().await.unwrap();
    let t = Thresholds { cluster_min: 3, bulk_changes: 3, ..Thresholds::default() };
    verification::settings::save(&mut tx, &AuditActor::system("test"), 2022, &t).await.unwrap();
    tx.commit().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("signals.json");
    jiuye::verify::scan(&app.db, 2022, None, "json", Some(&path)).await.unwrap();
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    let first = &json.as_array().expect("a list")[0];
    assert_eq!(first["institution"], code.as_str());
    assert!(first["kind"].is_string() && first["severity"].is_string() && first["figures"].is_object(), "{first}");
    assert_eq!(first["graduates"].as_array().map(Vec::len), Some(3));
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log WHERE entity = 'verification_settings'").await, 1);
}

#[tokio::test]
async fn the_province_scans_dismisses_and_a_changed_finding_opens_again() {
    let app = TestApp::demo().await;
    let code = plant(&app, 3).await;
    let mut tx = app.db.begin().await.unwrap();
    let t = Thresholds { cluster_min: 3, bulk_changes: 3, ..Thresholds::default() };
    verification::settings::save(&mut tx, &AuditActor::system("test"), 2022, &t).await.unwrap();
    tx.commit().await.unwrap();
    let mut admin = app.login("admin").await;
    assert!(admin.get("/verification").await.body.contains("尚未扫描"));
    let reply = admin.post("/verification/scan", &[]).await;
    assert_eq!(reply.status, axum::http::StatusCode::SEE_OTHER);
    let page = admin.get("/verification").await.body;
    assert!(page.contains("扎堆存疑单位") && page.contains("集中批量修改") && page.contains(&code), "{page}");

    let cluster = app.id("SELECT id FROM verification_findings WHERE kind = 'employer_cluster'").await;
    let reply = admin.post(&format!("/verification/findings/{cluster}/dismiss"), &[("reason", "")]).await;
    assert_eq!(reply.status, axum::http::StatusCode::BAD_REQUEST, "a reason is required");
    admin.post(&format!("/verification/findings/{cluster}/dismiss"), &[("reason", "已核实：该单位为集团子公司")]).await;
    admin.post("/verification/scan", &[]).await;
    let status = format!("SELECT status FROM verification_findings WHERE id = {cluster}");
    let still = app.db.fetch_one(&status, &[]).await.unwrap().text("status").unwrap();
    assert_eq!(still, "dismissed", "same figures, still dismissed");

    // A fourth graduate at the same employer changes the figures: it opens again.
    let fourth = app
        .db
        .fetch_one(
            "SELECT g.id, g.institution_id FROM graduates g JOIN institutions i ON i.id = g.institution_id \
             WHERE i.code = $1 AND g.id NOT IN (SELECT graduate_id FROM destination_events) ORDER BY g.id",
            &[code.as_str().into()],
        )
        .await
        .unwrap();
    let mut tx = app.db.begin().await.unwrap();
    tx.execute(
        "INSERT INTO destination_events (graduate_id, cohort_year, institution_id, at, actor_label, code_version, \
         category_code, employer_name, credit_code) VALUES ($1, 2022, $2, '2022-09-05T02:00:00.000Z', 'other', '2021', \
         '10', '某某人力资源咨询', '91430100MA4L000000')",
        &[fourth.i64("id").unwrap().into(), fourth.i64("institution_id").unwrap().into()],
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    admin.post("/verification/scan", &[]).await;
    let again = app.db.fetch_one(&status, &[]).await.unwrap().text("status").unwrap();
    assert_eq!(again, "open");
    let history =
        format!("SELECT COUNT(*) FROM audit_log WHERE entity = 'verification_finding' AND entity_id = '{cluster}'");
    assert_eq!(app.count(&history).await, 2, "dismissed, then reopened");

    // A university sees its own signals only; another sees none of them.
    let own = app.db.fetch_one("SELECT id FROM institutions WHERE code = $1", &[code.as_str().into()]).await.unwrap();
    let other = app.id(&format!("SELECT MIN(id) FROM institutions WHERE id <> {}", own.i64("id").unwrap())).await;
    let other_code = app.db.fetch_one("SELECT code FROM institutions WHERE id = $1", &[other.into()]).await.unwrap();
    let mut stranger = app.login(&format!("staff{}", other_code.text("code").unwrap())).await;
    let page = stranger.get("/verification").await.body;
    assert!(!page.contains(&code) && page.contains("没有异常信号"), "{page}");
    let mut own_staff = app.login(&format!("staff{code}")).await;
    assert!(own_staff.get("/verification").await.body.contains("扎堆存疑单位"));
    assert_eq!(own_staff.post("/verification/scan", &[]).await.status, axum::http::StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_province_runs_the_scan_and_dismisses_a_signal_in_a_browser() {
    use crate::browser::{click, fill, log_in, nav, serve, start_browser, text};
    let Some((_driver, c)) = start_browser().await else { return };
    let app = TestApp::demo().await;
    plant(&app, 3).await;
    let mut tx = app.db.begin().await.unwrap();
    let t = Thresholds { cluster_min: 3, bulk_changes: 3, ..Thresholds::default() };
    verification::settings::save(&mut tx, &AuditActor::system("test"), 2022, &t).await.unwrap();
    tx.commit().await.unwrap();
    let base = serve(&app).await;
    log_in(&c, &base, "admin", crate::support::PASSWORD).await;
    nav(&c, "/verification").await;
    assert!(text(&c, "#scanned-at").await.contains("尚未扫描"));
    click(&c, "#run-scan").await;
    assert!(text(&c, ".flash").await.contains("扫描完成"));
    assert!(text(&c, "#findings").await.contains("集中批量修改"));
    fill(&c, "#findings tr:first-child input[name=reason]", "已约谈学校，系补录").await;
    click(&c, "#findings tr:first-child button").await;
    assert!(text(&c, ".flash").await.contains("已排除"));
    assert!(text(&c, "#findings").await.contains("已约谈学校，系补录"));
    c.close().await.ok();
}

/// Records the demo graduate's destination as its school would (an event and the record).
async fn recorded_destination(app: &TestApp) -> (i64, i64) {
    let row = app
        .db
        .fetch_one(
            "SELECT g.id, g.institution_id FROM accounts a JOIN graduates g ON g.id = a.graduate_id WHERE a.username = 'graduate'",
            &[],
        )
        .await
        .unwrap();
    let (graduate, institution) = (row.i64("id").unwrap(), row.i64("institution_id").unwrap());
    let mut tx = app.db.begin().await.unwrap();
    let event = tx
        .insert_returning_id(
            "INSERT INTO destination_events (graduate_id, cohort_year, institution_id, at, actor_label, code_version, \
             category_code, employer_name) VALUES ($1, 2022, $2, '2022-06-01T02:00:00.000Z', 'staff', '2021', '11', '湘潭钢铁集团')",
            &[graduate.into(), institution.into()],
        )
        .await
        .unwrap();
    tx.execute(
        "INSERT INTO destinations (graduate_id, cohort_year, institution_id, last_event_id, category_code, employer_name, \
         updated_at) VALUES ($1, 2022, $2, $3, '11', '湘潭钢铁集团', '2022-06-01T02:00:00.000Z')",
        &[graduate.into(), institution.into(), event.into()],
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    (graduate, institution)
}

#[tokio::test]
async fn a_census_asks_the_graduates_and_its_figures_move() {
    let app = TestApp::demo().await;
    let (graduate, institution) = recorded_destination(&app).await;
    let mut admin = app.login("admin").await;
    let ends = (kernel::time::today_china() + chrono::Duration::days(10)).to_string();
    let bad = admin.post("/verification/census", &[("title", "普查"), ("ends_on", &ends)]).await;
    assert!(bad.body.contains("至少选择一所高校"), "{}", bad.body);
    assert_eq!(app.count("SELECT COUNT(*) FROM verification_censuses").await, 0);
    let reply = admin
        .post(
            "/verification/census",
            &[("title", "2022届毕业去向实名普查"), ("ends_on", &ends), ("institutions", &institution.to_string())],
        )
        .await;
    assert_eq!(reply.status, axum::http::StatusCode::SEE_OTHER, "{}", reply.body);
    let id = app.id("SELECT id FROM verification_censuses").await;

    let mut me = app.login("graduate").await;
    assert!(me.get("/messages").await.body.contains("请在"));
    let page = me.get(&format!("/census/{id}")).await.body;
    assert!(page.contains("湘潭钢铁集团"), "{page}");
    let reply = me.post(&format!("/census/{id}"), &[("answer", "dispute"), ("reason", "")]).await;
    assert!(reply.body.contains("请选择「属实」"), "{}", reply.body);
    me.post(&format!("/census/{id}"), &[("answer", "confirm"), ("reason", "")]).await;
    let confirmed =
        format!("SELECT COUNT(*) FROM destinations WHERE graduate_id = {graduate} AND confirmation = 'confirmed'");
    assert_eq!(app.count(&confirmed).await, 1, "through the destinations area's own answer");

    let figures = admin.get(&format!("/verification/census/{id}")).await.body;
    assert!(figures.contains("100.0%") && figures.contains(&format!("/census/{id}")), "{figures}");
    // Another university's staff do not see this census; a graduate not asked gets nothing.
    let other = app.id(&format!("SELECT MIN(id) FROM institutions WHERE id <> {institution}")).await;
    let code = app.db.fetch_one("SELECT code FROM institutions WHERE id = $1", &[other.into()]).await.unwrap();
    let mut stranger = app.login(&format!("staff{}", code.text("code").unwrap())).await;
    assert_eq!(stranger.get(&format!("/verification/census/{id}")).await.status, axum::http::StatusCode::NOT_FOUND);
    assert!(!stranger.get("/verification/census").await.body.contains("2022届毕业去向实名普查"));
    let mut staff = app.login("staff").await;
    assert!(staff.get(&format!("/verification/census/{id}")).await.body.contains("湘潭大学"));
}

#[tokio::test]
async fn a_graduate_answers_the_census_on_a_phone_and_the_province_sees_it() {
    use crate::browser::{click, fits_the_screen, log_in, log_out, nav, pick, serve, start_browser, text};
    let Some((_driver, c)) = start_browser().await else { return };
    let app = TestApp::demo().await;
    let (_, institution) = recorded_destination(&app).await;
    let base = serve(&app).await;
    log_in(&c, &base, "admin", crate::support::PASSWORD).await;
    nav(&c, "/verification/census").await;
    let ends = (kernel::time::today_china() + chrono::Duration::days(7)).to_string();
    crate::browser::fill(&c, "#ends_on", &ends).await;
    pick(&c, &format!("#institutions option[value='{institution}']")).await;
    click(&c, "#open-census").await;
    assert!(text(&c, ".flash").await.contains("普查已发起"));
    let link = text(&c, "#census-link").await;
    log_out(&c).await;

    c.set_window_size(375, 812).await.expect("phone-sized window");
    log_in(&c, &base, "graduate", crate::support::PASSWORD).await;
    c.goto(&link).await.expect("the census link");
    assert!(text(&c, "#my-destination").await.contains("湘潭钢铁集团"));
    fits_the_screen(&c, "the census").await;
    click(&c, "#census-confirm").await;
    assert!(text(&c, "#census-given").await.contains("属实"));
    log_out(&c).await;

    c.set_window_size(1280, 900).await.expect("desktop window");
    log_in(&c, &base, "admin", crate::support::PASSWORD).await;
    c.goto(&link.replace("/census/", "/verification/census/")).await.expect("the figures");
    assert!(text(&c, "#census-progress").await.contains("100.0%"));
    c.close().await.ok();
}

/// Runs the scan as the province after planting a cluster; the cluster finding's id.
async fn cluster_finding(app: &TestApp) -> (i64, String) {
    let code = plant(app, 3).await;
    let mut tx = app.db.begin().await.unwrap();
    let t = Thresholds { cluster_min: 3, bulk_changes: 3, ..Thresholds::default() };
    verification::settings::save(&mut tx, &AuditActor::system("test"), 2022, &t).await.unwrap();
    tx.commit().await.unwrap();
    app.login("admin").await.post("/verification/scan", &[]).await;
    (app.id("SELECT id FROM verification_findings WHERE kind = 'employer_cluster'").await, code)
}

#[tokio::test]
async fn a_university_answers_its_finding_with_a_document_and_only_its_own() {
    const PDF: &[u8] = b"%PDF-1.4\n% explanation\nstartxref\n0\n%%EOF\n";
    let app = TestApp::demo().await;
    let (finding, code) = cluster_finding(&app).await;
    let page = format!("/verification/findings/{finding}");
    let mut staff = app.login(&format!("staff{code}")).await;
    let shown = staff.get(&page).await;
    assert_eq!(shown.status, axum::http::StatusCode::OK);
    assert_eq!(shown.body.matches("?correction=").count(), 3, "each graduate links to the correcting form");

    // No explanation: refused beside the form, nothing kept.
    let empty = staff.post_file(&format!("{page}/answers"), &[("explanation", " ")], "说明.pdf", PDF.to_vec()).await;
    assert!(empty.body.contains("请写明情况说明"), "{}", empty.body);
    let bad =
        staff.post_file(&format!("{page}/answers"), &[("explanation", "见附件")], "a.exe", b"MZ..".to_vec()).await;
    assert!(bad.body.contains("只接受 PDF、JPG 或 PNG") && bad.body.contains("见附件"), "the draft is kept");
    assert_eq!(app.count("SELECT COUNT(*) FROM verification_answers").await, 0);

    let sent = staff
        .post_file(
            &format!("{page}/answers"),
            &[("explanation", "经核实，三人均在该公司长沙分部就业。")],
            "说明.pdf",
            PDF.to_vec(),
        )
        .await;
    assert_eq!(sent.status, axum::http::StatusCode::SEE_OTHER);
    let answer = app.id("SELECT id FROM verification_answers").await;
    let audited = format!(
        "SELECT COUNT(*) FROM audit_log WHERE entity = 'verification_finding' AND action = 'answer' AND entity_id = '{finding}'"
    );
    assert_eq!(app.count(&audited).await, 1);

    let mut admin = app.login("admin").await;
    let seen = admin.get(&page).await.body;
    assert!(seen.contains("长沙分部") && seen.contains("说明.pdf") && !seen.contains("answer-form"), "{seen}");
    let file = admin.get(&format!("/verification/answers/{answer}/document")).await;
    assert_eq!(file.status, axum::http::StatusCode::OK);

    // Another university sees neither the finding nor the document, and cannot answer.
    let other = app
        .db
        .fetch_one("SELECT code FROM institutions WHERE code <> $1 ORDER BY id", &[code.as_str().into()])
        .await
        .unwrap();
    let mut stranger = app.login(&format!("staff{}", other.text("code").unwrap())).await;
    assert_eq!(stranger.get(&page).await.status, axum::http::StatusCode::NOT_FOUND);
    assert_eq!(
        stranger.get(&format!("/verification/answers/{answer}/document")).await.status,
        axum::http::StatusCode::NOT_FOUND
    );
    let tried = stranger.post_file(&format!("{page}/answers"), &[("explanation", "x")], "a.pdf", PDF.to_vec()).await;
    assert_eq!(tried.status, axum::http::StatusCode::NOT_FOUND);
    assert_eq!(app.count("SELECT COUNT(*) FROM verification_answers").await, 1);
    let mut graduate = app.login("graduate").await;
    assert_eq!(graduate.get(&page).await.status, axum::http::StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_correction_after_verification_is_flagged_in_the_history_and_the_audit_log() {
    let app = TestApp::demo().await;
    let (graduate, institution) = recorded_destination(&app).await;
    let code = app.db.fetch_one("SELECT code FROM institutions WHERE id = $1", &[institution.into()]).await.unwrap();
    let mut staff = app.login(&format!("staff{}", code.text("code").unwrap())).await;
    let page = format!("/outcomes/graduates/{graduate}");
    let opened = staff.get(&format!("{page}?correction=%E6%A0%B8%E6%9F%A5%E7%BA%BF%E7%B4%A2%237")).await.body;
    assert!(opened.contains("value=\"核查线索#7\""), "the reason is written in");
    let saved = staff
        .post(
            &format!("{page}/destination"),
            &[("category_code", "701"), ("correction", "核查线索#7：电话核实，尚未就业")],
        )
        .await;
    assert_eq!(saved.status, axum::http::StatusCode::SEE_OTHER, "{}", saved.body);
    let history = staff.get(&page).await.body;
    assert!(history.contains("badge correction") && history.contains("电话核实，尚未就业"), "{history}");
    let kept =
        format!("SELECT COUNT(*) FROM destination_events WHERE graduate_id = {graduate} AND correction IS NOT NULL");
    assert_eq!(app.count(&kept).await, 1);
    let audited = format!(
        "SELECT COUNT(*) FROM audit_log WHERE entity = 'destination' AND action = 'correct' AND entity_id = '{graduate}'"
    );
    assert_eq!(app.count(&audited).await, 1);

    // An ordinary change is not a correction.
    staff.post(&format!("{page}/destination"), &[("category_code", "701"), ("note", "复核")]).await;
    assert_eq!(app.count(&kept).await, 1);
}

#[tokio::test]
async fn a_university_answers_a_finding_and_corrects_a_record_from_it_in_a_browser() {
    use crate::browser::{attach, click, fill, log_in, nav, pick, serve, start_browser, text};
    let Some((_driver, c)) = start_browser().await else { return };
    let app = TestApp::demo().await;
    let (finding, code) = cluster_finding(&app).await;
    let base = serve(&app).await;
    log_in(&c, &base, &format!("staff{code}"), crate::support::PASSWORD).await;
    nav(&c, "/verification").await;
    click(&c, &format!("#finding-{finding} a")).await;
    assert!(text(&c, "#finding").await.contains("扎堆存疑单位"));
    assert_eq!(text(&c, "#concerned").await.matches("核实更正").count(), 3, "the three planted");

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("情况说明.pdf");
    std::fs::write(&path, b"%PDF-1.4\n% explanation\nstartxref\n0\n%%EOF\n").unwrap();
    fill(&c, "#explanation", "三人均在该公司长沙分部就业，劳动合同见附件。").await;
    attach(&c, "#file", &path).await;
    click(&c, "#send-answer").await;
    assert!(text(&c, ".flash").await.contains("情况说明已提交"));
    assert!(text(&c, "#answers ~ article").await.contains("长沙分部"));

    // One of them, called again, turns out not to be employed: corrected from the finding.
    click(&c, "#concerned a[id^=correct-]").await;
    assert!(text(&c, "#destination-form").await.contains("核查更正说明"));
    pick(&c, "#category_code option[value='701']").await;
    fill(&c, "#employer_name", "").await;
    fill(&c, "#credit_code", "").await;
    click(&c, "#destination-form button[type=submit]").await;
    assert!(text(&c, ".flash").await.contains("毕业去向已登记"));
    assert!(text(&c, "#history").await.contains("核查更正"));
    c.close().await.ok();
}
