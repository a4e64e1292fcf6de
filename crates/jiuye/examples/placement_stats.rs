//! Times the placement projection on a demo database, to set beside DuckDB
//! running the same aggregate (bench/duckdb_placement.py):
//! `cargo run --release --example placement_stats -- DB_URL`.

use std::time::Instant;

use chrono::{Duration, NaiveDate};
use kernel::auth::Scope;
use outcomes::statistics::{Grouping, Placements};

// As the server: its allocator decides what a loaded projection leaves resident.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let [_, url] = args.as_slice() else {
        anyhow::bail!("usage: placement_stats DB_URL");
    };
    let db = kernel::Db::connect(url).await?;
    let graduates = db.scalar_i64("SELECT COUNT(*) AS n FROM graduates WHERE cohort_year = 2022", &[]).await?;
    let placements = Placements::new(db, "43");
    let before = resident_bytes();
    let started = Instant::now();
    placements.with(2022, |_| ()).await?;
    println!("projection load: {:.2} s ({graduates} graduates)", started.elapsed().as_secs_f64());
    // What the loaded projection holds resident (the load's transient buffers freed by then).
    let held = resident_bytes().saturating_sub(before);
    println!(
        "projection resident: {:.0} MB, {:.0} bytes per graduate",
        held as f64 / 1e6,
        held as f64 / (graduates.max(1) as f64)
    );
    let day = NaiveDate::from_ymd_opt(2022, 8, 31).unwrap_or_default();
    let mut dashboard: Vec<NaiveDate> = (1..=12).rev().map(|w| day - Duration::weeks(w)).collect();
    dashboard.extend([day - Duration::days(1), day]);
    let staff = Scope::Institution { institution_id: 1, college_id: None };
    for (what, scope, days, grouping) in [
        ("as-of report by institution (one day)", Scope::Province, vec![day], Grouping::Institution),
        ("as-of report by major (one day)", Scope::Province, vec![day], Grouping::Major),
        ("as-of report by key group (one day)", Scope::Province, vec![day], Grouping::KeyGroup),
        ("dashboard, province (14 days)", Scope::Province, dashboard.clone(), Grouping::Institution),
        ("dashboard, one university (14 days)", staff, dashboard.clone(), Grouping::College),
    ] {
        let mut samples = Vec::new();
        for _ in 0..7 {
            let started = Instant::now();
            placements.with(2022, |p| p.count_days(&scope, &days, grouping)).await?;
            samples.push(started.elapsed().as_secs_f64() * 1000.0);
        }
        samples.sort_by(f64::total_cmp);
        println!("{what}: {:.1} ms median", samples[samples.len() / 2]);
    }
    Ok(())
}

/// The process's resident memory (VmRSS), 0 where /proc is not there.
fn resident_bytes() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kb| kb * 1024)
}
