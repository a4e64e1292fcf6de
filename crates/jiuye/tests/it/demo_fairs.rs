//! The demo's fairs: the 2022 plan's events with their counts and targets,
//! statuses as of today, registrations and check-ins; booths, booth visits
//! and fair applications when the demo has postings.

use crate::support::TestApp;

async fn count_of(app: &TestApp, filter: &str) -> i64 {
    app.count(&format!("SELECT COUNT(*) FROM fairs f WHERE {filter}")).await
}

#[tokio::test]
async fn the_demo_holds_the_plans_fairs_and_their_targets() {
    let app = TestApp::demo().await;
    assert_eq!(count_of(&app, "f.kind_code = '03'").await, 40, "forty permanent-market sessions");
    assert_eq!(count_of(&app, "f.kind_code = '03' AND f.status = 'finished'").await, 36);
    let key_groups = count_of(&app, "f.kind_code = '10' AND f.audience = 'key_groups'").await;
    assert!((15..=20).contains(&key_groups), "{key_groups} key-group fairs");
    assert_eq!(count_of(&app, "f.kind_code = '10'").await, key_groups);
    let touring = "SELECT COUNT(DISTINCT h.institution_id) FROM fairs f JOIN fair_series s ON s.id = f.series_id \
                   JOIN fair_hosts h ON h.fair_id = f.id WHERE s.name LIKE '%湘粤名企高校行%'";
    assert_eq!(app.count(touring).await, 5, "one series, five universities");
    assert_eq!(count_of(&app, "f.kind_code = '08' AND f.title LIKE '%岳麓山国家大学科技城%'").await, 1);
    let rural = "f.kind_code = '09' AND f.id IN (SELECT h.fair_id FROM fair_hosts h JOIN institutions i \
                 ON i.id = h.institution_id WHERE i.name = '湖南农业大学')";
    assert_eq!(count_of(&app, rural).await, 1);
    assert!(count_of(&app, "f.kind_code = '04' AND f.mode = 'online'").await >= 8);
    assert_eq!(count_of(&app, "f.status = 'postponed'").await, 1);
    assert_eq!(count_of(&app, "f.status = 'online' AND f.mode = 'online'").await, 1);
    assert!(count_of(&app, "f.status = 'registration'").await >= 2);
    for (kind, min, max) in [("03", 40, 40), ("10", 15, 20), ("07", 5, 5)] {
        let sql = format!(
            "SELECT COUNT(*) FROM fair_targets WHERE cohort = 2022 AND kind_code = '{kind}' \
             AND planned_min = {min} AND planned_max = {max}"
        );
        assert_eq!(app.count(&sql).await, 1, "target for {kind}");
    }
    let mut admin = app.login("admin").await;
    let page = admin.get("/recruitment/fairs").await.body;
    assert!(page.contains("36 / 40") && page.contains("17 / 15–20"), "{page}");

    // People: every finished fair had registrations; only on-site ones checked in, about two in three.
    let empty = "f.status = 'finished' AND NOT EXISTS (SELECT 1 FROM fair_registrations r WHERE r.fair_id = f.id)";
    assert_eq!(count_of(&app, empty).await, 0);
    let online_in = "SELECT COUNT(*) FROM fair_registrations r JOIN fairs f ON f.id = r.fair_id \
                     WHERE r.checked_in_at IS NOT NULL AND (f.mode = 'online' OR f.status <> 'finished')";
    assert_eq!(app.count(online_in).await, 0);
    let on_site = "FROM fair_registrations r JOIN fairs f ON f.id = r.fair_id \
                   WHERE f.status = 'finished' AND f.mode <> 'online' AND r.status = 'registered'";
    let registered = app.count(&format!("SELECT COUNT(*) {on_site}")).await;
    let came = app.count(&format!("SELECT COUNT(*) {on_site} AND r.checked_in_at IS NOT NULL")).await;
    assert!(came * 100 > registered * 50 && came * 100 < registered * 85, "{came} of {registered} came");
    let outsiders = "SELECT COUNT(*) FROM fair_registrations r JOIN fairs f ON f.id = r.fair_id \
                     JOIN graduates g ON g.id = r.graduate_id WHERE f.audience = 'key_groups' AND g.key_groups = ''";
    assert_eq!(app.count(outsiders).await, 0, "key-group fairs hold key groups only");
    assert_eq!(app.count("SELECT COUNT(*) FROM fair_booths").await, 0, "no postings, no booths");

    // The demo graduate registered for a fair ahead.
    let mut graduate = app.login("graduate").await;
    let mine = graduate.get("/recruitment/my-fairs").await.body;
    assert!(mine.contains("省级常设市场"), "{mine}");
}

#[tokio::test]
async fn with_postings_booths_bring_approved_jobs_and_fairs_source_applications() {
    let app = TestApp::demo_with_postings(600).await;
    assert!(app.count("SELECT COUNT(*) FROM fair_booths WHERE status = 'approved'").await > 0);
    let foreign = "SELECT COUNT(*) FROM fair_booth_postings bp JOIN fair_booths b ON b.id = bp.booth_id \
                   JOIN postings p ON p.id = bp.posting_id JOIN fairs f ON f.id = b.fair_id \
                   WHERE p.employer_id <> b.employer_id OR p.status <> 'approved' OR p.approved_at > f.starts_at";
    assert_eq!(app.count(foreign).await, 0, "a booth brings its own approved postings");
    assert!(app.count("SELECT COUNT(*) FROM fair_booth_visits").await > 0);
    let sourced = app.count("SELECT COUNT(*) FROM applications WHERE fair_id IS NOT NULL").await;
    assert!(sourced > 0, "applications made at fairs");
    let consistent = "SELECT COUNT(*) FROM applications a JOIN fairs f ON f.id = a.fair_id \
        WHERE EXISTS (SELECT 1 FROM fair_booth_postings bp JOIN fair_booths b ON b.id = bp.booth_id \
                      WHERE b.fair_id = f.id AND bp.posting_id = a.posting_id) \
        AND EXISTS (SELECT 1 FROM fair_registrations r WHERE r.fair_id = f.id AND r.graduate_id = a.graduate_id \
                    AND (r.checked_in_at IS NOT NULL OR f.mode = 'online'))";
    assert_eq!(app.count(consistent).await, sourced, "each at a booth of a fair its graduate came to");
    let employer = app.id("SELECT employer_id FROM accounts WHERE username = 'employer'").await;
    let mut hr = app.login("employer").await;
    let booths = hr.get("/recruitment/booths").await.body;
    let ahead = format!(
        "SELECT COUNT(*) FROM fair_booths b JOIN fairs f ON f.id = b.fair_id \
         WHERE b.employer_id = {employer} AND f.status = 'registration'"
    );
    assert!(app.count(&ahead).await > 0 && booths.contains("省级常设市场"), "{booths}");
}
