//! Statements per page (issue 14's register, issue 9's lists): slow-changing
//! lookups come from the app's cache, so a page sends only the statements its
//! request asks; and the register's kept standing (migration 0057) agrees with
//! the pure rule of `coverage.rs` after any run of ledger writes and standards.

use std::collections::HashMap;

use assistance::coverage;
use assistance::store::{self, NewEntry};
use axum::http::StatusCode;
use kernel::audit::AuditActor;

use crate::support::{Client, Reply, TestApp};

/// The page at `path`, and how many statements it sent to the database.
async fn counted(c: &mut Client, path: &str) -> (Reply, u64) {
    let (reply, n) = kernel::db::counting(c.get(path)).await;
    assert_eq!(reply.status, StatusCode::OK, "{path}: {}", reply.body);
    (reply, n)
}

/// Statements of a page viewed a second time (its count and lookups cached by the first view).
async fn warm(c: &mut Client, path: &str) -> u64 {
    counted(c, path).await;
    counted(c, path).await.1
}

#[tokio::test]
async fn register_and_list_pages_send_only_their_own_statements() {
    let app = TestApp::demo().await;
    let mut admin = app.login("admin").await;
    let mut staff = app.login("staff").await;
    // What signing in costs every page: the session with its account (one statement).
    let session = warm(&mut admin, "/account/password").await;
    let pages: &[(&str, u64)] = &[
        // The page, and its flags, tallies, overdue measures and helpers in one union.
        ("/assistance", 2),
        ("/assistance?category=01&placed=no&standard=unmet", 2),
        ("/assistance?standard=met&sort=name&dir=desc", 2),
        // Figures cached under the standard: nothing but the session.
        ("/assistance/coverage", 0),
        // The page alone: the cohort and the destination code table are cached.
        ("/outcomes/graduates", 1),
        ("/outcomes/graduates?q=zw", 1),
        ("/outcomes/graduates?category=10&sort=name&dir=desc", 1),
        ("/agreements", 1),
    ];
    for (path, own) in pages {
        let n = warm(&mut admin, path).await;
        assert_eq!(n, session + own, "{path}: {n} statements, the session's {session} and {own} of its own");
        let n = warm(&mut staff, path).await;
        assert!(n <= session + own, "{path} as an institution's staff: {n} statements");
    }
}

/// Whether each graduate's kept standing is what `coverage::of_graduate` says of its ledger.
async fn standing_agrees(app: &TestApp, cohort: i64, graduates: &[i64]) -> usize {
    let standard = store::standard(&app.db, cohort).await.unwrap();
    let kept = store::standing_of(&app.db, cohort).await.unwrap();
    let mut met = 0;
    for g in graduates {
        let counts: HashMap<String, u32> = app
            .db
            .fetch_all(
                "SELECT kind_code, COUNT(*) AS n FROM assistance_entries WHERE graduate_id = $1 GROUP BY kind_code",
                &[(*g).into()],
            )
            .await
            .unwrap()
            .iter()
            .map(|r| (r.text("kind_code").unwrap(), u32::try_from(r.i64("n").unwrap()).unwrap()))
            .collect();
        let pure = coverage::of_graduate(&standard, &counts).met();
        match kept.get(g) {
            Some(kept) => assert_eq!(*kept, pure, "graduate {g}: {counts:?} under {standard:?}"),
            None => assert!(counts.is_empty(), "graduate {g} has entries but no standing"),
        }
        met += usize::from(pure);
    }
    met
}

#[tokio::test]
async fn the_kept_standing_follows_the_pure_rule_through_ledger_writes_and_standards() {
    let app = TestApp::demo().await;
    let cohort = app.id("SELECT MAX(year) FROM cohorts").await;
    // The demo's ledger, kept by the demo's own refresh.
    let helped: Vec<i64> = app
        .db
        .fetch_all("SELECT DISTINCT graduate_id FROM assistance_entries ORDER BY graduate_id", &[])
        .await
        .unwrap()
        .iter()
        .map(|r| r.i64("graduate_id").unwrap())
        .collect();
    assert!(!helped.is_empty());
    standing_agrees(&app, cohort, &helped).await;
    // Graduates with no entry yet, written to at random (a fixed seed: the same run every time).
    let fresh: Vec<i64> = app
        .db
        .fetch_all(
            "SELECT id FROM graduates WHERE id NOT IN (SELECT graduate_id FROM assistance_entries) ORDER BY id LIMIT 8",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| r.i64("id").unwrap())
        .collect();
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move |n: u64| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed % n
    };
    let who = AuditActor::system("test");
    let kinds = ["01", "02", "03", "04", "05", "06"];
    let at = chrono::NaiveDate::from_ymd_opt(2022, 3, 1).unwrap();
    let mut met_seen = (false, false);
    for step in 0..120 {
        let mut tx = app.db.begin().await.unwrap();
        if step % 15 == 14 {
            // A new standard for the cohort or the default: random counts per kind, some 0 (not required).
            let items: Vec<(String, u32)> =
                kinds[..5].iter().map(|k| ((*k).to_owned(), u32::try_from(next(3)).unwrap())).collect();
            let year = if next(2) == 0 { cohort } else { 0 };
            store::save_standard(&mut tx, &who, year, &items).await.unwrap();
        } else {
            let g = fresh[usize::try_from(next(fresh.len() as u64)).unwrap()];
            let p = store::person(&app.db, g).await.unwrap().unwrap();
            let kind = kinds[usize::try_from(next(kinds.len() as u64)).unwrap()];
            store::add_entry(&mut tx, &who, &p, &NewEntry { kind: kind.to_owned(), at, ..NewEntry::default() })
                .await
                .unwrap();
        }
        tx.commit().await.unwrap();
        let met = standing_agrees(&app, cohort, &fresh).await;
        met_seen = (met_seen.0 || met > 0, met_seen.1 || met < fresh.len());
    }
    assert_eq!(met_seen, (true, true), "the run saw graduates meeting the standard and short of it");
    // A standard of the cohort's own removed: the default applies again to every graduate.
    let mut tx = app.db.begin().await.unwrap();
    store::save_standard(&mut tx, &who, cohort, &[]).await.unwrap();
    tx.commit().await.unwrap();
    standing_agrees(&app, cohort, &helped).await;
    standing_agrees(&app, cohort, &fresh).await;
}

#[tokio::test]
async fn the_register_filters_the_standard_as_the_pure_rule_judges_it() {
    let app = TestApp::demo().await;
    let cohort = app.id("SELECT MAX(year) FROM cohorts").await;
    let mut admin = app.login("admin").await;
    let count = |body: &str| -> i64 {
        let at = body.find("id=\"register-count\">").expect("the count") + "id=\"register-count\">".len();
        body[at..].split('<').next().unwrap_or_default().parse().unwrap()
    };
    let all = count(&admin.get("/assistance").await.body);
    let met = count(&admin.get("/assistance?standard=met").await.body);
    let unmet = count(&admin.get("/assistance?standard=unmet").await.body);
    assert_eq!(met + unmet, all, "every member is one or the other");
    // The members meeting the standard by the pure rule over their ledger.
    let standard = store::standard(&app.db, cohort).await.unwrap();
    let viewer = store::Viewer { scope: kernel::auth::Scope::Province, helper: None };
    let tallies = store::tallies(&app.db, &viewer, cohort).await.unwrap();
    let members = store::register(&app.db, &viewer, cohort).await.unwrap();
    let pure = members
        .iter()
        .filter(|m| {
            let counts = tallies.get(&m.id).map(|t| t.counts.clone()).unwrap_or_default();
            coverage::of_graduate(&standard, &counts).met()
        })
        .count();
    assert_eq!(met, i64::try_from(pure).unwrap());
    assert!(met > 0 && unmet > 0, "{met} met, {unmet} not");
    // Nothing required: everyone meets it, at once (the save clears the cached lookups).
    let reply = admin.post("/assistance/coverage/standard", &[("n_01", "0")]).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    assert_eq!(count(&admin.get("/assistance?standard=met").await.body), all);
    assert_eq!(count(&admin.get("/assistance?standard=unmet").await.body), 0);
}
