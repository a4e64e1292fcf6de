//! Audited writes per second under concurrent writers (issue 8): each writer
//! begins a transaction, inserts one small row, records it with
//! `audit::record` and commits, as a fair's door checking graduates in does.
//! `cargo run --release --example audit_throughput -- DB_URL WRITERS [SECONDS]`
//! on a database of its own (it creates a scratch table and fills the audit log).

use std::time::{Duration, Instant};

use kernel::audit::{self, AuditActor, Change};
use kernel::db::Backend;
use kernel::Db;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let (url, writers, seconds) = match args.as_slice() {
        [_, url, writers] => (url, writers.parse::<usize>()?, 10.0),
        [_, url, writers, seconds] => (url, writers.parse::<usize>()?, seconds.parse::<f64>()?),
        _ => anyhow::bail!("usage: audit_throughput DB_URL WRITERS [SECONDS]"),
    };
    anyhow::ensure!(writers > 0 && seconds > 0.0, "WRITERS and SECONDS must be positive");
    let db = Db::connect(url).await?;
    db.migrate().await?;
    let mut tx = db.begin().await?;
    // No id column: the two engines spell one differently, and the write only has to be small.
    tx.execute(
        "CREATE TABLE IF NOT EXISTS bench_checkins (writer BIGINT NOT NULL, n BIGINT NOT NULL, at TEXT NOT NULL)",
        &[],
    )
    .await?;
    tx.commit().await?;
    let records_before = db.scalar_i64("SELECT COUNT(*) AS n FROM audit_log", &[]).await?;

    let started = Instant::now();
    let deadline = started + Duration::from_secs_f64(seconds);
    let tasks: Vec<_> = (0..writers).map(|w| tokio::spawn(writer(db.clone(), w as i64, deadline))).collect();
    let mut latencies = Vec::new();
    for task in tasks {
        latencies.extend(task.await??);
    }
    let elapsed = started.elapsed().as_secs_f64();
    latencies.sort_unstable();
    let percentile = |p: usize| latencies.get(latencies.len() * p / 100).map_or(0.0, |d| d.as_secs_f64() * 1000.0);
    let engine = match db.backend() {
        Backend::Sqlite => "SQLite",
        Backend::Postgres => "PostgreSQL",
    };
    println!(
        "{engine}, {writers} writers: {} audited writes in {elapsed:.1} s = {:.0} writes/s (p50 {:.1} ms, p99 {:.1} ms)",
        latencies.len(),
        latencies.len() as f64 / elapsed,
        percentile(50),
        percentile(99),
    );

    let started = Instant::now();
    let status = audit::verify(&db).await?;
    let records = db.scalar_i64("SELECT COUNT(*) AS n FROM audit_log", &[]).await?;
    println!(
        "verify: {status:?} in {:.2} s ({} records written here, {records} in the log)",
        started.elapsed().as_secs_f64(),
        records - records_before,
    );
    db.close().await;
    Ok(())
}

/// Writes until the deadline; returns how long each write took, begin to commit.
async fn writer(db: Db, writer: i64, deadline: Instant) -> anyhow::Result<Vec<Duration>> {
    let who = AuditActor { account_id: None, label: format!("door-{writer}"), client_addr: Some("10.8.0.7".into()) };
    let mut latencies = Vec::new();
    let mut n = 0i64;
    while Instant::now() < deadline {
        let started = Instant::now();
        let mut tx = db.begin().await?;
        let at = kernel::time::now_utc();
        tx.execute(
            "INSERT INTO bench_checkins (writer, n, at) VALUES ($1, $2, $3)",
            &[writer.into(), n.into(), at.into()],
        )
        .await?;
        let change = Change::new("check_in", "bench_checkin", format!("{writer}-{n}"))
            .after(serde_json::json!({ "writer": writer, "n": n }));
        audit::record(&mut tx, &who, change).await?;
        tx.commit().await?;
        latencies.push(started.elapsed());
        n += 1;
    }
    Ok(latencies)
}
