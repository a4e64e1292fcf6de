//! The demo's recruitment: open postings anyone finds, the demo employer's
//! applicants, the demo graduate's applications, offers carried into
//! agreements through the platform's own path.

use axum::http::StatusCode;

use crate::support::TestApp;

async fn text(app: &TestApp, sql: &str) -> String {
    app.db.fetch_one(sql, &[]).await.expect(sql).text("v").expect("v")
}

#[tokio::test]
async fn the_demo_has_open_postings_applicants_and_applications() {
    let app = TestApp::demo_with_postings(300).await;
    let today = kernel::time::today_china().to_string();
    assert_eq!(app.count("SELECT COUNT(*) FROM postings").await, 300);
    assert_eq!(app.count("SELECT COUNT(*) FROM posting_changes").await, 300, "one change each for the index");
    let open = format!("SELECT COUNT(*) FROM postings WHERE status = 'approved' AND deadline >= '{today}'");
    assert!(app.count(&open).await > 30);
    let newest = format!(
        "SELECT title AS v FROM postings WHERE status = 'approved' AND deadline >= '{today}' ORDER BY approved_at DESC, id DESC"
    );
    let title = text(&app, &newest).await;
    let mut visitor = app.client();
    assert!(visitor.get("/jobs").await.body.contains(&title), "{title} on the job list");
    for status in ["pending", "rejected", "withdrawn"] {
        let unpublished = app.id(&format!("SELECT COALESCE(MIN(id), 0) FROM postings WHERE status = '{status}'")).await;
        if unpublished > 0 {
            assert_eq!(visitor.get(&format!("/jobs/{unpublished}")).await.status, StatusCode::NOT_FOUND, "{status}");
        }
    }

    // The demo employer's open postings have applicants, its own to see, names from the roster.
    let employer = app.id("SELECT employer_id FROM accounts WHERE username = 'employer'").await;
    let posting = app
        .id(&format!(
            "SELECT MIN(p.id) FROM postings p WHERE p.employer_id = {employer} AND p.deadline >= '{today}' \
             AND EXISTS (SELECT 1 FROM applications a WHERE a.posting_id = p.id)"
        ))
        .await;
    let applicant = text(
        &app,
        &format!("SELECT g.name AS v FROM applications a JOIN graduates g ON g.id = a.graduate_id WHERE a.posting_id = {posting} ORDER BY a.id"),
    )
    .await;
    let mut hr = app.login("employer").await;
    let page = hr.get(&format!("/recruitment/postings/{posting}/applicants")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(&applicant), "{applicant}");
    let mut graduate = app.login("graduate").await;
    let theirs = graduate.get(&format!("/recruitment/postings/{posting}/applicants")).await;
    assert_ne!(theirs.status, StatusCode::OK, "applicants are their employer's alone");

    // The demo graduate has a profile, an interview to answer and an offer.
    let mine = graduate.get("/recruitment/applications").await.body;
    assert!(mine.contains("class=\"accept-interview\"") && mine.contains("class=\"accept-offer\""), "{mine}");
    let graduate_id = app.id("SELECT graduate_id FROM accounts WHERE username = 'graduate'").await;
    let upcoming = format!(
        "SELECT COUNT(*) FROM interviews i JOIN applications a ON a.id = i.application_id \
         WHERE a.graduate_id = {graduate_id} AND i.answer = 'pending' AND i.starts_at > '{}'",
        kernel::time::now_utc()
    );
    assert!(app.count(&upcoming).await >= 1, "an interview ahead, to answer");
    assert!(graduate.get("/recruitment/profile").await.body.contains("教育经历（来自生源信息）"));
    let profile = format!("SELECT COUNT(*) FROM profiles WHERE graduate_id = {graduate_id}");
    assert_eq!(app.count(&profile).await, 1);

    // Every application went through its steps in order, to a published posting.
    let stray = "SELECT COUNT(*) FROM applications a JOIN postings p ON p.id = a.posting_id WHERE p.status <> 'approved' \
                 OR NOT EXISTS (SELECT 1 FROM application_steps s WHERE s.application_id = a.id AND s.stage = 'received') \
                 OR a.applied_at > a.updated_at";
    assert_eq!(app.count(stray).await, 0);
    let other_campus = "SELECT COUNT(*) FROM applications a JOIN postings p ON p.id = a.posting_id \
                        JOIN graduates g ON g.id = a.graduate_id WHERE p.channel_institution_id <> g.institution_id";
    assert_eq!(app.count(other_campus).await, 0, "a campus channel's postings take its own graduates only");
    let profiles = app.count("SELECT COUNT(*) FROM profiles").await;
    assert!((60..=100).contains(&profiles), "about a fifth of 400 graduates: {profiles}");
    assert!(app.count("SELECT COUNT(*) FROM applications").await >= profiles * 2);

    // Accepted offers became invitations to sign, numbered and recorded as the offer page does.
    let agreements = app.count("SELECT COUNT(*) FROM agreements WHERE status = 'invited'").await;
    assert!(agreements > 0);
    let numbers = app.count("SELECT COUNT(DISTINCT number) FROM agreements").await;
    assert_eq!(numbers, agreements);
    let recorded = app.count("SELECT COUNT(*) FROM audit_log WHERE entity = 'agreement' AND action = 'invite'").await;
    assert_eq!(recorded, agreements);
    let hired = "SELECT COUNT(*) FROM agreements x WHERE NOT EXISTS (SELECT 1 FROM applications a \
                 WHERE a.graduate_id = x.graduate_id AND a.employer_id = x.employer_id AND a.stage = 'hired')";
    assert_eq!(app.count(hired).await, 0, "each from an accepted offer");
    assert!(matches!(kernel::audit::verify(&app.db).await.unwrap(), kernel::audit::ChainStatus::Intact { .. }));
}
