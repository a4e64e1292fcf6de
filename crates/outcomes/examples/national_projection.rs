//! The placement projection at national scale, made in memory: 12 million
//! graduates (the nation's year) in about 3,000 institutions, with about 1.1
//! destination events each, counted as the dashboard and the as-of reports
//! count them (docs/national-scale.md). The database for that many does not
//! fit this machine's disk; the projection every app server holds does fit
//! its memory, and it is what the 500 ms bound is about.
//!
//! cargo run --release -p outcomes --example national_projection -- [GRADUATES] [ROUNDS]
//!
//! Prints the build time, the process's resident memory before and after
//! (the projection's cost per graduate), and for each count the median and
//! the slowest of ROUNDS runs.

use std::time::{Duration, Instant};

use chrono::NaiveDate;
use kernel::auth::Scope;
use outcomes::statistics::dashboard;
use outcomes::statistics::projection::{Builder, Projection};
use outcomes::statistics::Grouping;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// Graduates per institution, as the national demo shares them (~11.6 M over ~3,000).
const PER_INSTITUTION: i64 = 3_900;

fn main() {
    let mut args = std::env::args().skip(1);
    let graduates: i64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(12_000_000);
    let rounds: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(5);
    let before = resident_mb();
    let started = Instant::now();
    let projection = national(graduates);
    let built = started.elapsed();
    let after = resident_mb();
    let institutions = (graduates / PER_INSTITUTION).max(1);
    println!(
        "{graduates} graduates in {institutions} institutions: built in {:.1} s; resident {before} → {after} MB, {:.0} bytes a graduate",
        built.as_secs_f64(),
        (after - before) as f64 * 1_048_576.0 / graduates as f64
    );
    let aug31 = day(2022, 8, 31);
    let weeks = dashboard::days(aug31);
    let (nation, one) = (Scope::Province, Scope::Institution { institution_id: 1, college_id: None });
    let (today, june30) = (vec![aug31], vec![day(2022, 6, 30)]);
    let counts: [(&str, &Scope, &[NaiveDate], Grouping); 6] = [
        ("the nation's dashboard, 31 August, every day afresh", &nation, &weeks, Grouping::Institution),
        ("the nation's dashboard after a change today (today only)", &nation, &today, Grouping::Institution),
        ("an as-of report by institution, 30 June", &nation, &june30, Grouping::Institution),
        ("an as-of report by major, 30 June", &nation, &june30, Grouping::Major),
        ("an as-of report by employer region, 30 June", &nation, &june30, Grouping::EmployerRegion),
        ("one institution's dashboard, every day afresh", &one, &weeks, Grouping::College),
    ];
    for (what, scope, days, grouping) in counts {
        let (median, slowest) = timed(rounds, || projection.count_days(scope, days, grouping).len());
        println!("{what}: median {median:.1} ms, slowest {slowest:.1} ms ({rounds} runs)");
    }
}

/// The nation's graduates: institutions of 3,900 with 8 colleges of 6 majors,
/// four in five placed by 31 August, some twice (a change of destination).
fn national(graduates: i64) -> Projection {
    let mut rng = StdRng::seed_from_u64(2022);
    let mut b = Builder::default();
    let levels = ["本科生毕业", "专科生毕业", "硕士生毕业", "博士生毕业"];
    let placed = ["10", "10", "10", "12", "46", "50", "85", "801", "802"];
    let regions: Vec<String> = (11..66).map(|p| format!("{p}0000")).collect();
    let first = day(2022, 1, 1);
    let mut event = 0;
    for id in 1..=graduates {
        let institution = 1 + (id - 1) / PER_INSTITUTION;
        let college = institution * 10 + rng.gen_range(0..8);
        let major = college * 10 + rng.gen_range(0..6);
        let level = levels[[0, 0, 0, 1, 1, 1, 2, 3][rng.gen_range(0..8)]];
        b.graduate(id, (institution, college, major), level, if rng.gen_bool(0.5) { "女" } else { "男" });
        let events = match rng.gen_range(0..100) {
            0..15 => 0,
            15..92 => 1,
            _ => 2,
        };
        for _ in 0..events {
            event += 1;
            let on = first + chrono::Duration::days(rng.gen_range(0..243));
            let region = &regions[rng.gen_range(0..regions.len())];
            b.event(id, event, on, placed[rng.gen_range(0..placed.len())], Some(region));
        }
    }
    b.build()
}

/// The median and the slowest of `rounds` runs of `f`, in milliseconds.
fn timed(rounds: usize, f: impl Fn() -> usize) -> (f64, f64) {
    let mut times: Vec<Duration> = (0..rounds.max(1))
        .map(|_| {
            let started = Instant::now();
            std::hint::black_box(f());
            started.elapsed()
        })
        .collect();
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    (ms(times[times.len() / 2]), ms(times[times.len() - 1]))
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a real day")
}

/// The process's resident memory (VmRSS), in MB.
fn resident_mb() -> i64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kb = status.lines().find_map(|l| l.strip_prefix("VmRSS:")).and_then(|v| v.split_whitespace().next());
    kb.and_then(|kb| kb.parse::<i64>().ok()).unwrap_or(0) / 1024
}
