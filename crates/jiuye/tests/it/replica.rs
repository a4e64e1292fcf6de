//! Dashboards and reports read from a PostgreSQL streaming replica (issue 17):
//! the figures equal the primary's, writes never reach it, a replica further
//! behind than the bound is not read, and the dashboard says when it reads one.
//!
//! With JIUYE_TEST_REPLICA_URL (a standby of the JIUYE_TEST_DATABASE_URL
//! server, as scripts/replica.sh makes one) the test reads a real replica; on
//! PostgreSQL without it, read-only connections to the primary stand in for one.

use std::time::{Duration, Instant};

use kernel::db::{Backend, Reads};
use kernel::Db;

use super::support::TestApp;

/// The test database as the replica serves it: the same database name on the replica's server.
fn replica_url(app: &TestApp) -> String {
    let primary = app.config.database_url();
    let name = primary.rsplit_once('/').map(|(_, n)| n.to_owned()).unwrap_or_default();
    match std::env::var("JIUYE_TEST_REPLICA_URL") {
        Ok(server) if !server.is_empty() => {
            let base = server.rsplit_once('/').map(|(b, _)| b.to_owned()).unwrap_or(server);
            format!("{base}/{name}")
        }
        _ => primary,
    }
}

/// Connects once the replica has replayed the test database's creation.
async fn reads_from_replica(app: &TestApp, bound: Duration) -> Reads {
    let url = replica_url(app);
    let started = Instant::now();
    loop {
        match Reads::with_replica(app.db.clone(), &url, bound).await {
            Ok(reads) => return reads,
            Err(e) if started.elapsed() < Duration::from_secs(30) => {
                tracing::debug!(error = %e, "the replica has not replayed the database yet");
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            Err(e) => panic!("no replica at {url}: {e}"),
        }
    }
}

/// Polls `check` for up to 30 seconds.
async fn eventually<F: std::future::Future<Output = bool>>(what: &str, mut check: impl FnMut() -> F) {
    let started = Instant::now();
    while !check().await {
        assert!(started.elapsed() < Duration::from_secs(30), "{what}: not within 30 s");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn a_replica_needs_postgresql_as_the_primary() {
    let dir = tempfile::tempdir().unwrap();
    let sqlite = Db::connect(&format!("sqlite://{}/t.db", dir.path().display())).await.unwrap();
    let refused = Reads::with_replica(sqlite, "postgres://127.0.0.1:1/none", Duration::from_secs(30)).await;
    assert!(refused.unwrap_err().to_string().contains("PostgreSQL"));
}

#[tokio::test]
async fn reports_read_the_replica_within_the_bound_and_writes_never_go_there() {
    let app = TestApp::demo().await;
    if app.db.backend() != Backend::Postgres {
        return; // a replica is PostgreSQL's; the embedded default has none (the test above)
    }
    let reads = reads_from_replica(&app, Duration::from_secs(30)).await;
    let replica = reads.replica().expect("a replica").clone();
    eventually("the replica within the bound", || async { reads.staleness().is_some() }).await;

    let write = async {
        let mut tx = replica.begin().await?;
        tx.execute("UPDATE cohorts SET destination_revision = destination_revision + 1", &[]).await
    };
    assert!(write.await.is_err(), "a write through the replica's connections must fail");

    // A destination recorded on the primary reaches the replica's figures.
    let graduate = app
        .id("SELECT id FROM graduates g WHERE cohort_year = 2022 AND NOT EXISTS \
             (SELECT 1 FROM destination_events e WHERE e.graduate_id = g.id) ORDER BY id LIMIT 1")
        .await;
    let from_primary = outcomes::statistics::Placements::new(app.db.clone(), "43");
    let from_replica = outcomes::statistics::Placements::reading(reads.clone(), "43");
    let before = placed(&from_primary).await;
    record(&app, graduate).await;
    assert_eq!(placed(&from_primary).await, before + 1);
    eventually("the replica's figures", || async { placed(&from_replica).await == before + 1 }).await;

    // The dashboard served from the replica says so.
    let states = jiuye::state_reading(app.db.clone(), reads.clone(), app.config.clone());
    let served = app.serving(jiuye::router(states));
    let mut admin = served.login("admin").await;
    let page = admin.get("/outcomes/dashboard?cohort=2022").await;
    assert!(page.body.contains("id=\"replica-lag\""), "{}", page.body);
}

#[tokio::test]
async fn a_replica_further_behind_than_the_bound_is_not_read() {
    let app = TestApp::empty().await;
    if app.db.backend() != Backend::Postgres {
        return;
    }
    let reads = reads_from_replica(&app, Duration::ZERO).await;
    tokio::time::sleep(Duration::from_millis(20)).await;
    // Every comparison is already in the past: nothing read from the replica is within a bound of zero.
    assert!(reads.staleness().is_none());
}

async fn placed(p: &outcomes::statistics::Placements) -> u64 {
    let d = outcomes::statistics::rates::Definition::V2021;
    let day = kernel::time::today_china();
    let by_day = outcomes::statistics::by_group_days(
        p,
        &kernel::auth::Scope::Province,
        2022,
        &[day],
        outcomes::statistics::Grouping::Institution,
        d,
        kernel::Locale::Zh,
    )
    .await
    .unwrap();
    by_day[0].total.placed(d)
}

/// Records an employment destination for `graduate` now, as the platform does.
async fn record(app: &TestApp, graduate: i64) {
    use outcomes::destinations::{append, Checked, Codes, Owner};
    let mut tx = app.db.begin().await.unwrap();
    let owner = Owner::of(&mut tx, graduate).await.unwrap();
    let codes = Codes::load(&mut tx, "2021").await.unwrap();
    let checked = Checked { category: "10".to_owned(), ..Checked::default() };
    let at = kernel::time::now_utc();
    append(&mut tx, &kernel::audit::AuditActor::system("test"), &owner, &codes, &checked, &at).await.unwrap();
    tx.commit().await.unwrap();
}
