//! Online three-party agreements: each step by its party only, one live
//! agreement per graduate, the destination registered when it comes into force.

use axum::http::StatusCode;

use crate::support::{Client, TestApp};

/// The demo graduate's identity as the employer types it.
async fn identity(app: &TestApp) -> (String, String, String) {
    let r = app.db.fetch_one("SELECT g.name, g.student_no, g.id_number FROM graduates g JOIN accounts a ON a.graduate_id = g.id WHERE a.username = 'graduate'", &[]).await.unwrap();
    (r.text("name").unwrap(), r.text("student_no").unwrap(), r.text("id_number").unwrap())
}

pub(crate) async fn invite(employer: &mut Client, app: &TestApp) -> crate::support::Reply {
    let (name, student_no, id_number) = identity(app).await;
    employer
        .post(
            "/agreements",
            &[
                ("name", &name),
                ("student_no", &student_no),
                ("id_number", &id_number.to_lowercase()),
                ("position_title", "软件工程师"),
                ("monthly_salary", "8000"),
                ("work_region_code", "430104"),
            ],
        )
        .await
}

async fn step(c: &mut Client, id: i64, step: &str) -> StatusCode {
    c.post(&format!("/agreements/{id}/steps"), &[("step", step)]).await.status
}

#[tokio::test]
async fn an_agreement_goes_from_invitation_to_force() {
    let app = TestApp::demo().await;
    let mut employer = app.login("employer").await;
    let reply = invite(&mut employer, &app).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    let id = app.id("SELECT MAX(id) FROM agreements").await;
    let number = app
        .db
        .fetch_one("SELECT number FROM agreements WHERE id = $1", &[id.into()])
        .await
        .unwrap()
        .text("number")
        .unwrap();
    assert!(number.starts_with("202210530"), "{number}");

    let mut graduate = app.login("graduate").await;
    let mut staff = app.login("staff").await;
    // Out of turn or by the wrong party: refused, nothing moves.
    assert_eq!(step(&mut staff, id, "confirm").await, StatusCode::SEE_OTHER);
    assert_eq!(step(&mut employer, id, "accept").await, StatusCode::FORBIDDEN);
    assert_eq!(step(&mut staff, id, "accept").await, StatusCode::FORBIDDEN);
    assert_eq!(
        app.db
            .fetch_one("SELECT status FROM agreements WHERE id = $1", &[id.into()])
            .await
            .unwrap()
            .text("status")
            .unwrap(),
        "invited"
    );

    assert_eq!(step(&mut graduate, id, "accept").await, StatusCode::SEE_OTHER);
    // The college's queue: agreements the graduate accepted, found by status and by name.
    let (name, _, _) = identity(&app).await;
    let queue = staff.get("/agreements?status=accepted").await.body;
    assert!(queue.contains(&format!("/agreements/{id}\"")), "in the queue");
    assert!(!staff.get("/agreements?status=effective").await.body.contains(&format!("/agreements/{id}\"")));
    let surname: String = name.chars().take(1).collect();
    assert!(staff.get(&format!("/agreements?q={surname}")).await.body.contains(&format!("/agreements/{id}\"")));
    assert!(staff.get(&format!("/agreements?q={number}")).await.body.contains(&format!("/agreements/{id}\"")));
    assert_eq!(step(&mut staff, id, "college_approve").await, StatusCode::SEE_OTHER);
    assert_eq!(step(&mut employer, id, "seal").await, StatusCode::SEE_OTHER);
    assert_eq!(step(&mut staff, id, "confirm").await, StatusCode::SEE_OTHER);
    let page = graduate.get(&format!("/agreements/{id}")).await.body;
    assert!(page.contains("生效") && page.contains("print-link"));
    assert_eq!(graduate.get(&format!("/agreements/{id}/print")).await.status, StatusCode::OK);
    let graduate_id = app.id("SELECT graduate_id FROM accounts WHERE username = 'graduate'").await;
    let d = app
        .db
        .fetch_one(
            "SELECT category_code, employer_name, evidence_missing FROM destinations WHERE graduate_id = $1",
            &[graduate_id.into()],
        )
        .await
        .unwrap();
    assert_eq!(d.text("category_code").unwrap(), "10");
    assert_eq!(d.text("evidence_missing").unwrap(), "", "the agreement in force is its own evidence");
    let evidence = "SELECT COUNT(*) FROM destination_evidence WHERE kind = 'agreement' AND agreement_id IS NOT NULL";
    assert_eq!(app.count(evidence).await, 1);
    assert_eq!(app.count("SELECT COUNT(*) FROM agreement_events").await, 5);
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log WHERE entity = 'agreement'").await, 5);

    // One live agreement per graduate.
    let reply = invite(&mut employer, &app).await;
    assert!(reply.body.contains("已有一份进行中或已生效的协议"));

    // Signing-platform use: one online agreement out of two code-10 destinations at 湘潭大学.
    let other = app.id(&format!("SELECT MIN(g.id) FROM graduates g JOIN institutions i ON i.id = g.institution_id WHERE i.code = '10530' AND g.id <> {graduate_id}")).await;
    staff
        .post(
            &format!("/outcomes/graduates/{other}/destination"),
            &[("category_code", "10"), ("employer_name", "线下签约单位"), ("credit_code", "91350100M000100Y43")],
        )
        .await;
    let usage = staff.get("/outcomes/signing?threshold=60").await.body;
    let below = usage.split("id=\"below\"").nth(1).unwrap().split("</table>").next().unwrap();
    assert!(below.contains("湘潭大学") && below.contains("50.00%"), "{below}");
    let usage = staff.get("/outcomes/signing?threshold=40").await.body;
    let below = usage.split("id=\"below\"").nth(1).unwrap().split("</table>").next().unwrap();
    assert!(!below.contains("湘潭大学"));
    let mut admin = app.login("admin").await;
    assert!(admin.get("/outcomes/signing").await.body.contains("湘潭大学"));

    // The province reminds 湘潭大学; its office sees it on the dashboard until it is read. The demo's
    // own notices (escalated requests, work news) are read first, so the dashboard shows this one alone.
    read_every_notice(&app).await;
    let audited = app.count("SELECT COUNT(*) FROM audit_log WHERE entity = 'notice'").await;
    assert_eq!(staff.post("/outcomes/signing/remind", &[("threshold", "60")]).await.status, StatusCode::FORBIDDEN);
    let reply = admin.post("/outcomes/signing/remind", &[("threshold", "60"), ("institution", "10530")]).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    admin.post("/outcomes/signing/remind", &[("threshold", "60")]).await;
    assert_eq!(app.count("SELECT COUNT(*) FROM notices WHERE read_at IS NULL").await, 1, "not twice while unread");
    let dashboard = staff.get("/outcomes/dashboard").await.body;
    assert!(dashboard.contains("id=\"notices\"") && dashboard.contains("网签使用率为 50.00%"), "{dashboard}");
    assert!(!app.login("staff10532").await.get("/outcomes/dashboard").await.body.contains("id=\"notices\""));
    let notice = app.id("SELECT id FROM notices WHERE read_at IS NULL").await;
    let read = format!("/notices/{notice}/read");
    assert_eq!(app.login("staff10532").await.post(&read, &[]).await.status, StatusCode::FORBIDDEN);
    assert_eq!(staff.post(&read, &[]).await.status, StatusCode::SEE_OTHER);
    assert!(!staff.get("/outcomes/dashboard").await.body.contains("id=\"notices\""));
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log WHERE entity = 'notice'").await, audited + 2);
}

/// Marks every notice read, as if each office had read what the demo sent it.
pub(crate) async fn read_every_notice(app: &TestApp) {
    let mut tx = app.db.begin().await.unwrap();
    tx.execute("UPDATE notices SET read_at = created_at WHERE read_at IS NULL", &[]).await.unwrap();
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn agreements_stay_with_their_parties() {
    let app = TestApp::demo().await;
    let mut employer = app.login("employer").await;
    invite(&mut employer, &app).await;
    let id = app.id("SELECT MAX(id) FROM agreements").await;
    assert_eq!(
        employer.get(&format!("/agreements/{id}/print")).await.status,
        StatusCode::BAD_REQUEST,
        "no printing before it is in force"
    );
    // Another institution's staff, another employer, the expert: no view, no step.
    let mut other_staff = app.login("staff10532").await;
    assert_eq!(other_staff.get(&format!("/agreements/{id}")).await.status, StatusCode::FORBIDDEN);
    assert!(!other_staff.get("/agreements").await.body.contains(&format!("/agreements/{id}\"")));
    let mut expert = app.login("expert").await;
    assert_eq!(expert.get("/agreements").await.status, StatusCode::FORBIDDEN);
    // A wrong identity is refused with a message.
    let reply = employer
        .post(
            "/agreements",
            &[
                ("name", "不是本人"),
                ("student_no", "x"),
                ("id_number", "11010519491231002X"),
                ("position_title", "工程师"),
            ],
        )
        .await;
    assert!(reply.body.contains("与生源信息不一致"));
    // The graduate declines; then a new invitation may start.
    let mut graduate = app.login("graduate").await;
    assert_eq!(step(&mut graduate, id, "decline").await, StatusCode::SEE_OTHER);
    assert_eq!(invite(&mut employer, &app).await.status, StatusCode::SEE_OTHER);
    // Graduates and staff cannot invite.
    for role in ["graduate", "staff"] {
        let mut c = app.login(role).await;
        assert_eq!(c.post("/agreements", &[("name", "x")]).await.status, StatusCode::FORBIDDEN, "{role}");
    }
}

async fn status(app: &TestApp, id: i64) -> String {
    app.db.fetch_one("SELECT status FROM agreements WHERE id = $1", &[id.into()]).await.unwrap().text("status").unwrap()
}

#[tokio::test]
async fn cancellation_needs_college_employer_and_school() {
    let app = TestApp::demo().await;
    let mut employer = app.login("employer").await;
    let mut graduate = app.login("graduate").await;
    let mut staff = app.login("staff").await;
    invite(&mut employer, &app).await;
    let id = app.id("SELECT MAX(id) FROM agreements").await;
    for (c, s) in [(&mut graduate, "accept"), (&mut staff, "college_approve")] {
        step(c, id, s).await;
    }
    step(&mut employer, id, "seal").await;
    step(&mut staff, id, "confirm").await;
    assert_eq!(status(&app, id).await, "effective");

    // The employer refuses at its turn: the agreement stays in force.
    step(&mut graduate, id, "request_cancel").await;
    step(&mut staff, id, "college_approve_cancel").await;
    assert_eq!(step(&mut employer, id, "refuse_cancel").await, StatusCode::SEE_OTHER);
    assert_eq!(status(&app, id).await, "effective");

    // Asked again: the school cannot approve out of turn; then all three agree.
    step(&mut graduate, id, "request_cancel").await;
    step(&mut staff, id, "school_approve_cancel").await;
    assert_eq!(status(&app, id).await, "cancel_requested");
    assert_eq!(step(&mut graduate, id, "college_approve_cancel").await, StatusCode::FORBIDDEN);
    step(&mut staff, id, "college_approve_cancel").await;
    step(&mut employer, id, "employer_approve_cancel").await;
    step(&mut staff, id, "school_approve_cancel").await;
    assert_eq!(status(&app, id).await, "cancelled");
    let graduate_id = app.id("SELECT graduate_id FROM accounts WHERE username = 'graduate'").await;
    let code = app
        .db
        .fetch_one("SELECT category_code FROM destinations WHERE graduate_id = $1", &[graduate_id.into()])
        .await
        .unwrap()
        .text("category_code")
        .unwrap();
    assert_eq!(code, "701", "back to 待就业 after 解约");

    // A new agreement may start, but a second cancellation is over the limit.
    assert_eq!(invite(&mut employer, &app).await.status, StatusCode::SEE_OTHER);
    let second = app.id("SELECT MAX(id) FROM agreements").await;
    step(&mut graduate, second, "accept").await;
    step(&mut staff, second, "college_approve").await;
    step(&mut employer, second, "seal").await;
    step(&mut staff, second, "confirm").await;
    step(&mut graduate, second, "request_cancel").await;
    assert_eq!(status(&app, second).await, "effective", "one breach per graduate");
    // The limit is the cohort's setting: raised, a second cancellation may be asked for.
    let mut tx = app.db.begin().await.unwrap();
    tx.execute("UPDATE cohorts SET breach_limit = 2 WHERE year = 2022", &[]).await.unwrap();
    tx.commit().await.unwrap();
    step(&mut graduate, second, "request_cancel").await;
    assert_eq!(status(&app, second).await, "cancel_requested");
}

#[tokio::test]
async fn an_employer_invites_from_the_graduates_card_and_seals_with_a_scan() {
    let app = TestApp::demo().await;
    let mut graduate = app.login("graduate").await;
    let card = graduate.get("/agreements/card").await;
    assert_eq!(card.status, StatusCode::OK);
    assert!(card.body.contains("<svg") && card.body.contains("id=\"card-url\""), "a QR code and its address");
    let url = card.body.split("id=\"card-url\">").nth(1).and_then(|s| s.split('<').next()).unwrap().to_owned();
    let path = url.split_once("://").and_then(|(_, rest)| rest.split_once('/')).map(|(_, p)| format!("/{p}")).unwrap();
    assert!(path.starts_with("/agreements/card/"));

    // Scanned by an employer: the graduate without the full ID number, and an invitation without typing it.
    let mut employer = app.login("employer").await;
    let scanned = employer.get(&path).await;
    assert_eq!(scanned.status, StatusCode::OK);
    let (_, _, id_number) = identity(&app).await;
    assert!(!scanned.body.contains(&id_number), "the ID number stays masked");
    let missing = employer.post(&path, &[("position_title", ""), ("monthly_salary", "8000")]).await;
    assert!(missing.body.contains("岗位"), "the form comes back with its message");
    let reply = employer
        .post(&path, &[("position_title", "测试工程师"), ("monthly_salary", "7000"), ("work_region_code", "430104")])
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    let id = app.id("SELECT MAX(id) FROM agreements").await;
    // Only employers use a card; a renewed card retires the old one.
    assert_eq!(app.login("staff").await.get(&path).await.status, StatusCode::FORBIDDEN);
    graduate.post("/agreements/card", &[]).await;
    assert_eq!(employer.get(&path).await.status, StatusCode::NOT_FOUND);

    // Accepted and approved; the employer seals with a scan of the stamped paper.
    let mut staff = app.login("staff").await;
    assert_eq!(step(&mut graduate, id, "accept").await, StatusCode::SEE_OTHER);
    assert_eq!(step(&mut staff, id, "college_approve").await, StatusCode::SEE_OTHER);
    let page = employer.get(&format!("/agreements/{id}")).await.body;
    assert!(page.contains("seal-scan-form"));
    let wrong =
        employer.post_file(&format!("/agreements/{id}/seal-scan"), &[], "scan.docx", b"PK\x03\x04".to_vec()).await;
    assert_eq!(wrong.status, StatusCode::SEE_OTHER);
    assert_eq!(status(&app, id).await, "college_approved", "nothing but a scan or photo seals");
    let scan = crate::support::JPEG.to_vec();
    let sealed = employer.post_file(&format!("/agreements/{id}/seal-scan"), &[], "盖章协议.jpg", scan.clone()).await;
    assert_eq!(sealed.status, StatusCode::SEE_OTHER);
    let row = app.db.fetch_one("SELECT status, seal_method FROM agreements WHERE id = $1", &[id.into()]).await.unwrap();
    assert_eq!(row.text("status").unwrap(), "sealed");
    assert_eq!(row.text("seal_method").unwrap(), "scan");
    // The school sees the scan before confirming; other employers do not.
    let got = staff.get(&format!("/agreements/{id}/seal-scan")).await;
    assert_eq!(got.status, StatusCode::OK);
    assert!(staff.get(&format!("/agreements/{id}")).await.body.contains("纸质盖章扫描件"));
    let other = app
        .db
        .fetch_one(
            "SELECT username FROM accounts WHERE role = 'employer' AND username <> 'employer' ORDER BY id LIMIT 1",
            &[],
        )
        .await;
    if let Ok(other) = other {
        let mut other = app.login(&other.text("username").unwrap()).await;
        assert_eq!(other.get(&format!("/agreements/{id}/seal-scan")).await.status, StatusCode::FORBIDDEN);
    }
    assert_eq!(step(&mut staff, id, "confirm").await, StatusCode::SEE_OTHER);
    assert!(staff.get(&format!("/agreements/{id}/print")).await.body.contains("纸质协议盖章"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn simultaneous_invitations_take_distinct_numbers_and_one_live_agreement_each() {
    let app = TestApp::demo().await;
    let employer = app.login("employer").await;
    // The graduates of the institution with the most, so the invitations share its numbering.
    let graduates = app
        .db
        .fetch_all(
            "SELECT name, student_no, id_number FROM graduates WHERE institution_id = \
               (SELECT institution_id FROM graduates GROUP BY institution_id ORDER BY COUNT(*) DESC, institution_id LIMIT 1) \
             ORDER BY id LIMIT 10",
            &[],
        )
        .await
        .unwrap();
    assert!(graduates.len() >= 3, "{} graduates", graduates.len());
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..30 {
        let g = &graduates[i % graduates.len()];
        let fields: Vec<(String, String)> = vec![
            ("name".into(), g.text("name").unwrap()),
            ("student_no".into(), g.text("student_no").unwrap()),
            ("id_number".into(), g.text("id_number").unwrap()),
            ("position_title".into(), format!("岗位 {i}")),
        ];
        let mut c = app.client();
        c.cookies = employer.cookies.clone();
        tasks.spawn(async move {
            let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            c.post("/agreements", &fields).await
        });
    }
    while let Some(reply) = tasks.join_next().await {
        let reply = reply.unwrap();
        assert!(
            reply.status == StatusCode::SEE_OTHER
                || (reply.status == StatusCode::OK && reply.body.contains("已有一份进行中或已生效的协议")),
            "{}: {}",
            reply.status,
            reply.body
        );
    }
    let agreements = app.count("SELECT COUNT(*) AS n FROM agreements").await;
    assert_eq!(agreements, graduates.len() as i64, "one live agreement per graduate");
    assert_eq!(app.count("SELECT COUNT(DISTINCT number) AS n FROM agreements").await, agreements);
    let serials: Vec<String> = app
        .db
        .fetch_all("SELECT number FROM agreements ORDER BY number", &[])
        .await
        .unwrap()
        .iter()
        .map(|r| r.text("number").unwrap()[10..].to_owned())
        .collect();
    let mut expected: Vec<String> = (1..=agreements).map(|n| format!("{n:05}")).collect();
    let mut got = serials.clone();
    got.sort();
    expected.sort();
    assert_eq!(got, expected, "numbered 1, 2, 3… without gaps or repeats");
}
