//! Expert review, part 3 (issue 15): a call's review round. The province
//! sets it up, assigns experts (no conflicted pair), replaces one, follows
//! progress, ranks and decides within quotas; an expert sees only its own
//! assignments, scores, submits (locked) or recuses; blind review hides
//! names and institutions from the expert's pages and downloads. Audit
//! records for every write.

use axum::http::StatusCode;

use crate::support::{Client, TestApp};

/// The demo's 2021 call (closed, left un-reviewed by the demo).
const CALL: &str = "2021年高职院校就业创业教育教学改革专项课题";

/// Sets the demo's pool and reviews aside, for tests that build a pool of their own.
pub async fn without_demo_pool(app: &TestApp) {
    let mut tx = app.db.begin().await.unwrap();
    for sql in [
        "DELETE FROM review_marks",
        "DELETE FROM review_assignments",
        "DELETE FROM review_rereviews",
        "DELETE FROM review_rounds",
        "DELETE FROM review_expert_links",
        "DELETE FROM review_experts",
        "UPDATE programme_applications SET outcome = NULL",
    ] {
        tx.execute(sql, &[]).await.unwrap();
    }
    tx.commit().await.unwrap();
}

async fn audited(app: &TestApp, entity: &str, action: &str) -> i64 {
    assert!(registry::audit_names::knows(entity, action), "{entity} {action} named");
    app.count(&format!("SELECT COUNT(*) FROM audit_log WHERE entity = '{entity}' AND action = '{action}'")).await
}

struct Setup {
    call: i64,
    /// The applications under review: (id, institution, title, leader).
    apps: Vec<(i64, i64, String, String, String)>,
    /// The pool's experts made here, the first linked to the demo `expert` account.
    experts: Vec<i64>,
}

/// Six experts: the first linked to the `expert` account, at the first
/// application's institution (a conflict), the rest from other units.
async fn setup(app: &TestApp) -> Setup {
    let call = app.id(&format!("SELECT id FROM programme_calls WHERE title = '{CALL}'")).await;
    let rows = app
        .db
        .fetch_all(
            "SELECT a.id, a.institution_id, a.title, a.leader_name, i.name FROM programme_applications a \
             JOIN institutions i ON i.id = a.institution_id WHERE a.call_id = $1 AND a.status = 'recommended' ORDER BY a.id",
            &[call.into()],
        )
        .await
        .unwrap();
    let apps: Vec<(i64, i64, String, String, String)> = rows
        .iter()
        .map(|r| {
            (
                r.i64("id").unwrap(),
                r.i64("institution_id").unwrap(),
                r.text("title").unwrap(),
                r.text("leader_name").unwrap(),
                r.text("name").unwrap(),
            )
        })
        .collect();
    assert!(apps.len() >= 2, "the demo call has applications under review");
    let account = app.id("SELECT id FROM accounts WHERE username = 'expert'").await;
    let mut tx = app.db.begin().await.unwrap();
    tx.execute("UPDATE review_experts SET account_id = NULL WHERE account_id = $1", &[account.into()]).await.unwrap();
    let mut experts = Vec::new();
    for n in 0..6 {
        let mut e = kernel::Record::new()
            .set("name", format!("轮次专家{n}"))
            .set("affiliation", "省教育厅")
            .set("title", "教授")
            .set("phone", format!("1380013800{n}"))
            .set("fields", "04")
            .set("active", true)
            .set("created_at", "2022-01-01T00:00:00Z")
            .set("created_by_label", "test");
        if n == 0 {
            e = e.set("institution_id", apps[0].1).set("account_id", account);
        }
        experts.push(tx.insert_id("review_experts", e).await.unwrap());
    }
    // Only these experts are active, so the test knows the pool.
    tx.execute("UPDATE review_experts SET active = FALSE WHERE name NOT LIKE '轮次专家%'", &[]).await.unwrap();
    tx.commit().await.unwrap();
    Setup { call, apps, experts }
}

async fn settings(admin: &mut Client, call: i64, blind: bool) -> crate::support::Reply {
    let mut f = vec![("k", "2"), ("load_limit", "40"), ("mismatch", "20"), ("method", "trimmed"), ("spread", "30")];
    if blind {
        f.push(("blind", "1"));
    }
    admin.post(&format!("/programmes/calls/{call}/review/settings"), &f).await
}

/// Every dimension of the call at `fraction` of its points.
async fn dims(app: &TestApp, call: i64) -> Vec<(i64, i64)> {
    let rows = app
        .db
        .fetch_all("SELECT id, points FROM programme_rubric WHERE call_id = $1 ORDER BY position", &[call.into()])
        .await
        .unwrap();
    rows.iter().map(|r| (r.i64("id").unwrap(), r.i64("points").unwrap())).collect()
}

#[tokio::test]
async fn the_province_assigns_ranks_and_decides_and_every_write_is_audited() {
    let app = TestApp::demo().await;
    let s = setup(&app).await;
    let mut admin = app.login("admin").await;
    let base = format!("/programmes/calls/{}/review", s.call);
    assert_eq!(admin.get(&base).await.status, StatusCode::OK);
    assert!(
        admin.get(&format!("/programmes/calls/{}", s.call)).await.body.contains(&base),
        "the call links its review"
    );

    // Bad settings answer 200 with the reasons; nothing stored.
    let reply =
        admin.post(&format!("{base}/settings"), &[("k", "0"), ("load_limit", "x"), ("method", "trimmed")]).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.body.contains("round-errors") && reply.body.contains("每份申报的专家数"), "{}", reply.body);
    assert_eq!(app.count(&format!("SELECT COUNT(*) FROM review_rounds WHERE call_id = {}", s.call)).await, 0);
    let created = audited(&app, "review_round", "create").await;
    assert_eq!(settings(&mut admin, s.call, true).await.status, StatusCode::SEE_OTHER);
    assert_eq!(audited(&app, "review_round", "create").await, created + 1);

    // Assign: k experts each, no pair sharing an institution.
    let assigned = audited(&app, "review_round", "assign").await;
    assert_eq!(admin.post(&format!("{base}/assign"), &[]).await.status, StatusCode::SEE_OTHER);
    assert_eq!(audited(&app, "review_round", "assign").await, assigned + 1);
    let n = app.count(&format!("SELECT COUNT(*) FROM review_assignments WHERE call_id = {}", s.call)).await;
    assert_eq!(n, 2 * s.apps.len() as i64);
    let conflicted = app
        .count(&format!(
            "SELECT COUNT(*) FROM review_assignments r JOIN review_experts e ON e.id = r.expert_id \
             JOIN programme_applications a ON a.id = r.application_id \
             WHERE r.call_id = {} AND e.institution_id = a.institution_id",
            s.call
        ))
        .await;
    assert_eq!(conflicted, 0, "no conflicted pair");
    let page = admin.get(&base).await.body;
    assert!(page.contains("round-progress") && page.contains("轮次专家1"), "{page}");

    // Replace: a conflicted expert is refused with the reason; a free one goes in.
    let on_first = app
        .id(&format!(
            "SELECT MIN(id) FROM review_assignments WHERE call_id = {} AND application_id = {}",
            s.call, s.apps[0].0
        ))
        .await;
    let reply = admin
        .post(
            &format!("{base}/replace"),
            &[("assignment", &on_first.to_string()), ("expert", &s.experts[0].to_string())],
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.body.contains("同单位"), "{}", reply.body);
    let free = app
        .id(&format!(
            "SELECT MIN(e.id) FROM review_experts e WHERE e.active AND e.id NOT IN \
             (SELECT expert_id FROM review_assignments WHERE application_id = {}) AND e.id <> {}",
            s.apps[0].0, s.experts[0]
        ))
        .await;
    let replaced = audited(&app, "review_assignment", "replace").await;
    let reply = admin
        .post(&format!("{base}/replace"), &[("assignment", &on_first.to_string()), ("expert", &free.to_string())])
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    assert_eq!(audited(&app, "review_assignment", "replace").await, replaced + 1);
    assert_eq!(app.count(&format!("SELECT expert_id FROM review_assignments WHERE id = {on_first}")).await, free);

    // Deciding before every mark is in is refused.
    let reply = admin.post(&format!("{base}/decide"), &[("slots", "1")]).await;
    assert!(reply.body.contains("份评分未提交"), "{}", reply.body);

    // Every assignment marked and submitted (a spread on one application).
    let rubric = dims(&app, s.call).await;
    let rows = app
        .db
        .fetch_all("SELECT id, application_id FROM review_assignments WHERE call_id = $1 ORDER BY id", &[s.call.into()])
        .await
        .unwrap();
    let mut tx = app.db.begin().await.unwrap();
    for (i, r) in rows.iter().enumerate() {
        let id = r.i64("id").unwrap();
        let application = r.i64("application_id").unwrap();
        let rank = s.apps.iter().position(|a| a.0 == application).unwrap() as i64;
        for (dim, points) in &rubric {
            let score = (points * (90 - 5 * rank - (i as i64 % 2))) / 100;
            tx.insert(
                "review_marks",
                kernel::Record::new().set("assignment_id", id).set("dimension_id", *dim).set("score", score.max(0)),
            )
            .await
            .unwrap();
        }
        tx.execute("UPDATE review_assignments SET state = 'submitted', submitted_at = 'x' WHERE id = $1", &[id.into()])
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
    let page = admin.get(&format!("{base}?slots=1")).await.body;
    assert!(page.contains("round-ranking") && page.contains(&s.apps[0].2), "{page}");
    let xlsx = admin.get(&format!("{base}/ranking.xlsx")).await;
    assert_eq!(xlsx.status, StatusCode::OK);
    assert!(xlsx.bytes.starts_with(b"PK"), "an xlsx");

    // Re-review reopens the application's assignments.
    let rereview = audited(&app, "program_application", "rereview").await;
    let reply = admin.post(&format!("{base}/rereview"), &[("application", &s.apps[1].0.to_string())]).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert_eq!(audited(&app, "program_application", "rereview").await, rereview + 1);
    let reopened = app
        .count(&format!(
            "SELECT COUNT(*) FROM review_assignments WHERE application_id = {} AND state = 'assigned'",
            s.apps[1].0
        ))
        .await;
    assert_eq!(reopened, 2);
    let mut tx = app.db.begin().await.unwrap();
    tx.execute("UPDATE review_assignments SET state = 'submitted' WHERE call_id = $1", &[s.call.into()]).await.unwrap();
    tx.commit().await.unwrap();

    // Decide within quotas: no more than the slots, no institution over its cap.
    let slots = (s.apps.len() - 1).max(1);
    let decided = audited(&app, "program_application", "decide").await;
    let reply = admin.post(&format!("{base}/decide"), &[("slots", &slots.to_string())]).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    assert_eq!(audited(&app, "program_application", "decide").await, decided + s.apps.len() as i64);
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM audit_log WHERE entity = 'review_round' AND action = 'decide' AND entity_id = '{}'",
            s.call
        ))
        .await,
        1
    );
    let approved = app
        .count(&format!(
            "SELECT COUNT(*) FROM programme_applications WHERE call_id = {} AND outcome = 'approved'",
            s.call
        ))
        .await;
    assert!(approved >= 1 && approved <= slots as i64, "{approved} of {slots}");
    let quota = app.count(&format!("SELECT quota_default FROM programme_calls WHERE id = {}", s.call)).await;
    let worst = app
        .count(&format!(
            "SELECT COALESCE(MAX(n), 0) FROM (SELECT COUNT(*) AS n FROM programme_applications \
             WHERE call_id = {} AND outcome = 'approved' GROUP BY institution_id) t",
            s.call
        ))
        .await;
    assert!(worst <= quota, "{worst} over the cap {quota}");
    assert_eq!(
        app.count(&format!("SELECT COUNT(*) FROM programme_applications WHERE call_id = {} AND outcome IS NULL AND status = 'recommended'", s.call)).await,
        0
    );
    assert!(admin.get(&base).await.body.contains("已决定"));
}

#[tokio::test]
async fn an_expert_sees_only_its_own_assignments_and_blind_review_hides_names() {
    let app = TestApp::demo().await;
    let s = setup(&app).await;
    let mut admin = app.login("admin").await;
    let base = format!("/programmes/calls/{}/review", s.call);
    assert_eq!(settings(&mut admin, s.call, true).await.status, StatusCode::SEE_OTHER);
    assert_eq!(admin.post(&format!("{base}/assign"), &[]).await.status, StatusCode::SEE_OTHER);
    let mine = app
        .db
        .fetch_all(
            "SELECT id, application_id FROM review_assignments WHERE expert_id = $1 ORDER BY id",
            &[s.experts[0].into()],
        )
        .await
        .unwrap();
    assert!(mine.len() >= 2, "the expert has assignments");
    let own = mine[0].i64("id").unwrap();
    let own_app = mine[0].i64("application_id").unwrap();
    let other = app
        .id(&format!(
            "SELECT MIN(id) FROM review_assignments WHERE expert_id <> {} AND call_id = {}",
            s.experts[0], s.call
        ))
        .await;

    // A neutral attachment on the expert's application, and one on another.
    let stored = app.config.files().put_document(b"%PDF-1.4\nstartxref\n0\n%%EOF\n", 1 << 20).unwrap();
    let field = app.id(&format!("SELECT MIN(id) FROM programme_call_fields WHERE call_id = {}", s.call)).await;
    let mut tx = app.db.begin().await.unwrap();
    let mut files = Vec::new();
    for application in [own_app, s.apps.iter().map(|a| a.0).find(|&a| a != own_app).unwrap()] {
        let r = kernel::Record::new()
            .set("application_id", application)
            .set("field_id", field)
            .set("file_sha256", stored.sha256.as_str())
            .set("file_name", "张三的申报书.pdf")
            .set("content_type", "application/pdf")
            .set("added_at", "2021-10-01T00:00:00Z")
            .set("added_by_label", "test");
        files.push(tx.insert_id("programme_application_files", r).await.unwrap());
    }
    tx.commit().await.unwrap();

    let mut expert = app.login("expert").await;
    let list = expert.get("/programmes/reviews").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(
        list.body.contains(&format!("/programmes/reviews/{own}")) && !list.body.contains(&format!("review-{other}\""))
    );
    let page = expert.get(&format!("/programmes/reviews/{own}")).await;
    assert_eq!(page.status, StatusCode::OK);
    let (_, _, title, leader, institution) = s.apps.iter().find(|a| a.0 == own_app).unwrap().clone();
    assert!(page.body.contains(&title) && page.body.contains("review-blind"));
    assert!(!page.body.contains(&leader), "blind: no leader name");
    assert!(!page.body.contains(&institution), "blind: no institution");
    assert!(!page.body.contains("张三的申报书"), "blind: attachments under neutral names");
    let file = expert.get(&format!("/programmes/reviews/{own}/files/{}", files[0])).await;
    assert_eq!(file.status, StatusCode::OK);
    let disposition = file.disposition.unwrap_or_default();
    assert!(disposition.contains("review-file") && !disposition.contains("%E5%BC%A0"), "{disposition}");
    assert_eq!(
        expert.get(&format!("/programmes/reviews/{own}/files/{}", files[1])).await.status,
        StatusCode::NOT_FOUND,
        "another application's file"
    );
    // Another expert's assignment, and every other role: 404.
    assert_eq!(expert.get(&format!("/programmes/reviews/{other}")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        expert.post(&format!("/programmes/reviews/{other}"), &[("action", "draft")]).await.status,
        StatusCode::NOT_FOUND
    );
    for role in ["staff", "employer", "admin", "graduate"] {
        let mut c = app.login(role).await;
        assert_eq!(c.get(&format!("/programmes/reviews/{own}")).await.status, StatusCode::NOT_FOUND, "{role}");
        assert_eq!(c.get("/programmes/reviews").await.status, StatusCode::NOT_FOUND, "{role}");
    }
    // The expert is refused the province's pages.
    assert_eq!(expert.get(&base).await.status, StatusCode::FORBIDDEN);

    // Marks out of range answer 200 with the reason; a draft keeps; submit locks.
    let rubric = dims(&app, s.call).await;
    let over = (rubric[0].1 + 1).to_string();
    let key0 = format!("m_{}", rubric[0].0);
    let reply = expert.post(&format!("/programmes/reviews/{own}"), &[(&key0, &over), ("action", "draft")]).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.body.contains("review-errors"), "{}", reply.body);
    let keys: Vec<(String, String)> =
        rubric.iter().map(|(id, p)| (format!("m_{id}"), (p * 8 / 10).to_string())).collect();
    let mut fields: Vec<(&str, &str)> = keys.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    fields.push(("comment", "选题扎实，论证充分。"));
    let mut draft = fields.clone();
    draft.push(("action", "draft"));
    assert_eq!(expert.post(&format!("/programmes/reviews/{own}"), &draft).await.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.count(&format!("SELECT COUNT(*) FROM review_marks WHERE assignment_id = {own}")).await,
        rubric.len() as i64
    );
    let submitted = audited(&app, "review_assignment", "submit").await;
    fields.push(("action", "submit"));
    assert_eq!(expert.post(&format!("/programmes/reviews/{own}"), &fields).await.status, StatusCode::SEE_OTHER);
    assert_eq!(audited(&app, "review_assignment", "submit").await, submitted + 1);
    let reply = expert.post(&format!("/programmes/reviews/{own}"), &fields).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.body.contains("不能修改"), "locked");

    // Recuse: a reason is needed; then the assignment is out.
    let second = mine[1].i64("id").unwrap();
    let reply = expert.post(&format!("/programmes/reviews/{second}/recuse"), &[("reason", " ")]).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.body.contains("回避理由"));
    let recused = audited(&app, "review_assignment", "recuse").await;
    let reply = expert.post(&format!("/programmes/reviews/{second}/recuse"), &[("reason", "曾指导其团队成员")]).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert_eq!(audited(&app, "review_assignment", "recuse").await, recused + 1);
    assert_eq!(
        app.count(&format!("SELECT COUNT(*) FROM review_assignments WHERE id = {second} AND state = 'recused'")).await,
        1
    );
    // The province sees the shortage it left.
    assert!(admin.get(&base).await.body.contains("round-shortages"));
}

/// Marks every open assignment of the call as a steady expert would, and submits it.
async fn mark_the_rest(app: &TestApp, call: i64, apps: &[(i64, i64, String, String, String)]) {
    let rubric = dims(app, call).await;
    let rows = app
        .db
        .fetch_all(
            "SELECT id, application_id FROM review_assignments WHERE call_id = $1 AND state = 'assigned' ORDER BY id",
            &[call.into()],
        )
        .await
        .unwrap();
    let mut tx = app.db.begin().await.unwrap();
    for r in &rows {
        let id = r.i64("id").unwrap();
        let rank = apps.iter().position(|a| a.0 == r.i64("application_id").unwrap()).unwrap() as i64;
        for (dim, points) in &rubric {
            let score = points * (85 - 7 * rank).max(0) / 100;
            let mark = kernel::Record::new().set("assignment_id", id).set("dimension_id", *dim).set("score", score);
            tx.insert("review_marks", mark).await.unwrap();
        }
        tx.execute("UPDATE review_assignments SET state = 'submitted', submitted_at = 'x' WHERE id = $1", &[id.into()])
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn the_province_assigns_an_expert_scores_on_a_phone_and_the_province_decides_in_a_browser() {
    use crate::browser::{click, fill, fits_the_screen, log_in, log_out, serve, start_browser, text};
    let Some((_driver, c)) = start_browser().await else { return };
    let app = TestApp::demo().await;
    let s = setup(&app).await;
    let base = serve(&app).await;
    let review = format!("{base}/programmes/calls/{}/review", s.call);

    log_in(&c, &base, "admin", crate::support::PASSWORD).await;
    c.goto(&format!("{base}/programmes/calls/{}", s.call)).await.expect("the call");
    click(&c, "#call-review").await;
    fill(&c, "#round-k", "2").await;
    fill(&c, "#round-limit", "40").await;
    c.find(fantoccini::Locator::Css("#round-blind")).await.expect("blind").click().await.expect("tick blind");
    click(&c, "#round-save").await;
    assert!(text(&c, ".flash").await.contains("评审设置已保存"));
    click(&c, "#round-assign").await;
    assert!(text(&c, ".flash").await.contains("已分配专家"));
    assert!(text(&c, "#round-state").await.contains("评分中"));
    log_out(&c).await;

    // The expert, on a phone.
    c.set_window_size(390, 844).await.expect("phone-sized window");
    log_in(&c, &base, "expert", crate::support::PASSWORD).await;
    c.goto(&format!("{base}/programmes/reviews")).await.expect("my reviews");
    fits_the_screen(&c, "my reviews").await;
    click(&c, ".review-list a").await;
    fits_the_screen(&c, "the review page").await;
    let body = text(&c, "main").await;
    assert!(s.apps.iter().all(|a| !body.contains(&a.3) && !body.contains(&a.4)), "blind: no names");
    for (dim, points) in dims(&app, s.call).await {
        if c.find(fantoccini::Locator::Css(&format!("#mark-{dim}"))).await.is_ok() {
            fill(&c, &format!("#mark-{dim}"), &points.to_string()).await;
        }
    }
    fill(&c, "#review-comment", "选题扎实，建议立项。").await;
    click(&c, "#review-submit").await;
    assert!(text(&c, ".flash").await.contains("评分已提交"));
    fits_the_screen(&c, "my reviews after submitting").await;
    log_out(&c).await;
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM review_assignments WHERE expert_id = {} AND state = 'submitted'",
            s.experts[0]
        ))
        .await,
        1
    );

    // The other experts' marks come in; the province ranks and decides.
    mark_the_rest(&app, s.call, &s.apps).await;
    c.set_window_size(1280, 900).await.expect("desktop window");
    log_in(&c, &base, "admin", crate::support::PASSWORD).await;
    c.goto(&review).await.expect("the review");
    assert!(text(&c, "#round-ranking").await.contains(&s.apps[1].2));
    fill(&c, "#preview-slots", "1").await;
    click(&c, "#preview-submit").await;
    click(&c, "#round-decide-submit").await;
    assert!(text(&c, ".flash").await.contains("评审结果已确定"));
    assert!(text(&c, "#round-state").await.contains("已决定"));
    let approved = app
        .count(&format!(
            "SELECT COUNT(*) FROM programme_applications WHERE call_id = {} AND outcome = 'approved'",
            s.call
        ))
        .await;
    assert_eq!(approved, 1);
    c.close().await.ok();
}
