//! The national demo (`jiuye demo --provinces N`): several provinces, Hunan
//! with its real institutions and the others with synthetic ones whose codes
//! cannot meet a real one, every graduate asked for, valid ID numbers, and a
//! staff account for every institution.

use std::collections::BTreeSet;

use crate::support::TestApp;

const GRADUATES: usize = 3000;

async fn national() -> TestApp {
    let app = TestApp::empty().await;
    let opts = jiuye::demo::DemoOptions {
        seed: 11,
        graduates: GRADUATES,
        employers: 200,
        destinations: true,
        postings: 0,
        files: Some(app.config.files()),
        provinces: 4,
        ..Default::default()
    };
    let reported = std::sync::Mutex::new(Vec::new());
    let progress = |done: u64, total: u64| reported.lock().expect("progress").push((done, total));
    let summary = jiuye::demo::generate(&app.db, &opts, &progress).await.expect("national demo");
    assert_eq!(summary.graduates, GRADUATES);
    let reported = reported.into_inner().expect("progress");
    assert!(reported.len() > 2 && reported.last().is_some_and(|(d, t)| d == t), "{reported:?}");
    app
}

#[tokio::test]
async fn the_national_demo_has_several_provinces_with_unique_institutions_and_valid_graduates() {
    let app = national().await;
    let db = &app.db;
    let n = |sql: &'static str| async move { db.scalar_i64(sql, &[]).await.expect(sql) };
    assert_eq!(n("SELECT COUNT(*) AS n FROM graduates").await, GRADUATES as i64);

    // Hunan and the three provinces with the most graduates after it (河南, 广东, 山东), each with graduates.
    let rows = db
        .fetch_all(
            "SELECT DISTINCT substr(i.region_code, 1, 2) AS p FROM graduates g \
             JOIN institutions i ON i.id = g.institution_id",
            &[],
        )
        .await
        .unwrap();
    let provinces: BTreeSet<String> = rows.iter().map(|r| r.text("p").unwrap()).collect();
    assert_eq!(provinces, ["37", "41", "43", "44"].map(String::from).into(), "{provinces:?}");

    // Codes unique; the real ones kept, the synthetic ones 7xxxx, five digits.
    assert_eq!(
        n("SELECT COUNT(DISTINCT code) AS n FROM institutions").await,
        n("SELECT COUNT(*) AS n FROM institutions").await
    );
    assert_eq!(n("SELECT COUNT(*) AS n FROM institutions WHERE code = '10530' AND name = '湘潭大学'").await, 1);
    let synthetic = n("SELECT COUNT(*) AS n FROM institutions WHERE code LIKE '7____'").await;
    assert!(synthetic >= 3, "{synthetic}");
    assert_eq!(
        n("SELECT COUNT(*) AS n FROM institutions WHERE code NOT LIKE '1____' AND code NOT LIKE '7____'").await,
        0
    );
    assert_eq!(
        n("SELECT COUNT(DISTINCT name) AS n FROM institutions").await,
        n("SELECT COUNT(*) AS n FROM institutions").await
    );

    // Every ID number valid (check digit, birth date) and unique; graduates of a synthetic
    // institution mostly come from their own province.
    let rows = db.fetch_all("SELECT id_number FROM graduates", &[]).await.unwrap();
    let ids: BTreeSet<String> = rows.iter().map(|r| r.text("id_number").unwrap()).collect();
    assert_eq!(ids.len(), GRADUATES);
    for id in &ids {
        kernel::validate::id_card(id, |_| true).unwrap_or_else(|e| panic!("{id}: {e:?}"));
    }
    let own = n("SELECT COUNT(*) AS n FROM graduates g JOIN institutions i ON i.id = g.institution_id \
                 WHERE i.code LIKE '7%' AND substr(g.origin_region_code, 1, 2) = substr(i.region_code, 1, 2)")
    .await;
    let away = n(
        "SELECT COUNT(*) AS n FROM graduates g JOIN institutions i ON i.id = g.institution_id WHERE i.code LIKE '7%'",
    )
    .await;
    assert!(away > 0 && own * 10 > away * 7, "{own} of {away}");

    // Their year's destinations, and a staff account for every institution as in the one-province demo.
    let placed = n("SELECT COUNT(DISTINCT e.graduate_id) AS n FROM destination_events e \
                    JOIN graduates g ON g.id = e.graduate_id JOIN institutions i ON i.id = g.institution_id \
                    WHERE i.code LIKE '7%'")
    .await;
    assert!(placed * 2 > away, "{placed} of {away}");
    assert_eq!(
        n("SELECT COUNT(*) AS n FROM institutions i JOIN accounts a ON a.username = 'staff' || i.code \
           AND a.institution_id = i.id AND a.role = 'university_staff'")
        .await,
        n("SELECT COUNT(*) AS n FROM institutions").await
    );
}
