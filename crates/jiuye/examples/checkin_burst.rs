//! A check-in burst at the door of a big fair (issue 12): CHECKINS graduates
//! registered for one running fair, their passes minted with the server's
//! signing key, `jiuye serve` started, and every pass fired once (plus some
//! duplicates) at `POST /api/v1/fairs/{id}/checkins` from CLIENTS concurrent
//! clients on loopback with the province admin's API token. Then the database
//! must hold exactly CHECKINS check-ins and CHECKINS check-in audit records.
//! `cargo run --release --example checkin_burst -- JIUYE_BIN DB_URL DATA_DIR [CHECKINS] [CLIENTS] [RATE]`
//! on a fresh database (it generates a small demo province first).
//!
//! Without RATE every client fires its next scan as soon as the last is
//! answered (flat out: the server's capacity, and latency is then the queue
//! of 200 clients, by Little's law). With RATE (scans a second over all
//! clients) scan k is due at k/RATE seconds, as scanners at a door work, and
//! its latency counts from when it was due, so a server falling behind shows
//! its queue in the figures instead of slowing the clients down.

use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use axum::body::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use rand::seq::SliceRandom;
use rand::SeedableRng;

use jiuye::demo::{self, DemoOptions};
use kernel::auth::secret::SigningKey;
use kernel::auth::session;
use kernel::config::Config;
use kernel::db::{Backend, Record};
use kernel::{time, Db, Value};
use recruitment::fairs::rules::{pass, Holder};

const PORT: u16 = 18_091;
/// Scans repeated on purpose, as a second scanner or a retry would.
const DUPLICATE_SHARE: usize = 20;

struct Args {
    bin: String,
    url: String,
    data: String,
    checkins: usize,
    clients: usize,
    rate: Option<f64>,
}

fn args() -> anyhow::Result<Args> {
    let a: Vec<String> = std::env::args().collect();
    let number = |i: usize, default: usize| a.get(i).map_or(Ok(default), |s| s.parse::<usize>());
    match a.len() {
        4..=7 => Ok(Args {
            bin: a[1].clone(),
            url: a[2].clone(),
            data: a[3].clone(),
            checkins: number(4, 10_000)?,
            clients: number(5, 200)?,
            rate: a.get(6).map(|s| s.parse::<f64>()).transpose()?.filter(|r| *r > 0.0),
        }),
        _ => anyhow::bail!("usage: checkin_burst JIUYE_BIN DB_URL DATA_DIR [CHECKINS] [CLIENTS] [RATE]"),
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = args()?;
    let config = Config { data_dir: args.data.clone().into(), ..Config::for_database(&args.url) };
    let db = jiuye::open(&config).await?;
    let opts = DemoOptions {
        seed: 12,
        graduates: args.checkins + 200,
        employers: 50,
        destinations: false,
        postings: 0,
        files: None,
        ..DemoOptions::default()
    };
    demo::generate(&db, &opts, &|_, _| {}).await?;
    let (fair, graduates) = big_fair(&db, args.checkins).await?;
    let key = SigningKey::load_or_create(&db).await?;
    let expires = chrono::Utc::now() + chrono::Duration::minutes(30);
    let mut codes: Vec<String> = graduates.iter().map(|g| pass(&key, fair, Holder::Graduate(*g), expires)).collect();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(12);
    let again: Vec<String> = codes.choose_multiple(&mut rng, codes.len() / DUPLICATE_SHARE).cloned().collect();
    codes.extend(again);
    codes.shuffle(&mut rng);
    let token = admin_token(&db).await?;
    let mut server = serve(&args)?;
    let fired = fire(fair, codes, &token, args.clients, args.rate).await;
    let _ = server.kill();
    let _ = server.wait();
    let fired = fired?;
    report(&db, &args, fair, &fired).await?;
    db.close().await;
    Ok(())
}

/// A running fair for everyone with `n` registered graduates: (fair id, graduate ids).
async fn big_fair(db: &Db, n: usize) -> anyhow::Result<(i64, Vec<i64>)> {
    let now = chrono::Utc::now();
    let admin = db.scalar_i64("SELECT id AS n FROM accounts WHERE username = 'admin'", &[]).await?;
    let mut tx = db.begin().await?;
    let row = Record::new()
        .set("cohort", demo::COHORT)
        .set("kind_code", "01")
        .set("title", "2022届长株潭片区高校毕业生供需见面会（签到压力测试）")
        .set("description", "签到压力测试")
        .set("mode", "offline")
        .set("starts_at", time::format_utc(now - chrono::Duration::hours(1)))
        .set("ends_at", time::format_utc(now + chrono::Duration::hours(6)))
        .set("region_code", "430100")
        .set("venue", "湖南国际会展中心")
        .set("booths", 500i64)
        .set("capacity", (n * 2) as i64)
        .set("audience", "all")
        .set("organisers", "湖南省教育厅")
        .set("status", "running")
        .set("created_by", admin)
        .set("created_at", time::now_utc())
        .set("updated_at", time::now_utc());
    let fair = tx.insert_id("fairs", row).await?;
    let sql = "SELECT id FROM graduates WHERE cohort_year = $1 ORDER BY id";
    let graduates: Vec<i64> = tx
        .fetch_all(sql, &[demo::COHORT.into()])
        .await?
        .iter()
        .take(n)
        .map(|r| r.i64("id"))
        .collect::<Result<_, _>>()?;
    anyhow::ensure!(graduates.len() == n, "only {} graduates", graduates.len());
    let at = time::now_utc();
    let rows: Vec<Vec<Value>> =
        graduates.iter().map(|g| vec![fair.into(), (*g).into(), "registered".into(), at.as_str().into()]).collect();
    tx.insert_many("fair_registrations", &["fair_id", "graduate_id", "status", "registered_at"], rows).await?;
    tx.commit().await?;
    Ok((fair, graduates))
}

async fn admin_token(db: &Db) -> anyhow::Result<String> {
    let admin = db.scalar_i64("SELECT id AS n FROM accounts WHERE username = 'admin'", &[]).await?;
    let mut tx = db.begin().await?;
    let (_, token) = session::issue_api_token(&mut tx, admin, "签到闸机").await?;
    tx.commit().await?;
    Ok(token)
}

fn serve(args: &Args) -> anyhow::Result<Child> {
    let child = Command::new(&args.bin)
        .args(["--data-dir", &args.data, "--database-url", &args.url, "--bind", &format!("127.0.0.1:{PORT}")])
        .args(["--log", "warn", "serve", "--no-demo"])
        .stdout(Stdio::null())
        .spawn()
        .with_context(|| format!("starting {}", args.bin))?;
    Ok(child)
}

/// What the burst saw.
struct Fired {
    elapsed: Duration,
    latencies: Vec<Duration>,
    first: usize,
    again: usize,
    failed: usize,
}

async fn fire(fair: i64, codes: Vec<String>, token: &str, clients: usize, rate: Option<f64>) -> anyhow::Result<Fired> {
    let client: Client<_, Full<Bytes>> =
        Client::builder(TokioExecutor::new()).pool_max_idle_per_host(clients).build_http();
    let health = format!("http://127.0.0.1:{PORT}/healthz").parse::<axum::http::Uri>()?;
    let mut up = false;
    for _ in 0..150 {
        if client.get(health.clone()).await.is_ok_and(|r| r.status().is_success()) {
            up = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    anyhow::ensure!(up, "the server did not answer /healthz");
    let uri: axum::http::Uri = format!("http://127.0.0.1:{PORT}/api/v1/fairs/{fair}/checkins").parse()?;
    let codes = Arc::new(codes);
    let next = Arc::new(AtomicUsize::new(0));
    let bearer = format!("Bearer {token}");
    let started = Instant::now();
    let tasks: Vec<_> = (0..clients)
        .map(|_| {
            let (client, uri, codes, next, bearer) =
                (client.clone(), uri.clone(), codes.clone(), next.clone(), bearer.clone());
            tokio::spawn(async move {
                let mut seen = Fired { elapsed: Duration::ZERO, latencies: Vec::new(), first: 0, again: 0, failed: 0 };
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(code) = codes.get(i) else { return seen };
                    let due = rate.map(|r| started + Duration::from_secs_f64(i as f64 / r));
                    if let Some(due) = due {
                        tokio::time::sleep_until(due.into()).await;
                    }
                    let body = serde_json::json!({ "code": code }).to_string();
                    let request = axum::http::Request::post(uri.clone())
                        .header("authorization", &bearer)
                        .header("content-type", "application/json")
                        .body(Full::new(Bytes::from(body)));
                    let sent = due.unwrap_or_else(Instant::now);
                    let answer = match request {
                        Ok(request) => answer(&client, request).await,
                        Err(_) => None,
                    };
                    seen.latencies.push(sent.elapsed());
                    match answer {
                        Some(true) => seen.first += 1,
                        Some(false) => seen.again += 1,
                        None => seen.failed += 1,
                    }
                }
            })
        })
        .collect();
    let mut all = Fired { elapsed: Duration::ZERO, latencies: Vec::new(), first: 0, again: 0, failed: 0 };
    for task in tasks {
        let seen = task.await?;
        all.latencies.extend(seen.latencies);
        (all.first, all.again, all.failed) = (all.first + seen.first, all.again + seen.again, all.failed + seen.failed);
    }
    all.elapsed = started.elapsed();
    Ok(all)
}

/// Whether the door admitted the code for the first time; `None` for any other answer.
async fn answer(
    client: &Client<hyper_util::client::legacy::connect::HttpConnector, Full<Bytes>>,
    request: axum::http::Request<Full<Bytes>>,
) -> Option<bool> {
    let response = client.request(request).await.ok()?;
    if !response.status().is_success() {
        return None;
    }
    let body = response.into_body().collect().await.ok()?.to_bytes();
    let json: serde_json::Value = serde_json::from_slice(&body).ok()?;
    json["first"].as_bool()
}

async fn report(db: &Db, args: &Args, fair: i64, fired: &Fired) -> anyhow::Result<()> {
    let mut ms: Vec<f64> = fired.latencies.iter().map(|d| d.as_secs_f64() * 1000.0).collect();
    ms.sort_by(f64::total_cmp);
    let p = |q: usize| ms.get((ms.len() * q / 100).min(ms.len().saturating_sub(1))).copied().unwrap_or(0.0);
    let engine = match db.backend() {
        Backend::Sqlite => "SQLite",
        Backend::Postgres => "PostgreSQL",
    };
    let checked = db
        .scalar_i64(
            "SELECT COUNT(*) AS n FROM fair_registrations WHERE fair_id = $1 AND checked_in_at IS NOT NULL",
            &[fair.into()],
        )
        .await?;
    let audited = db
        .scalar_i64(
            "SELECT COUNT(*) AS n FROM audit_log WHERE entity = 'fair_registration' AND action = 'check_in' \
             AND entity_id IN (SELECT CAST(id AS TEXT) FROM fair_registrations WHERE fair_id = $1)",
            &[fair.into()],
        )
        .await?;
    let pace = args.rate.map_or("flat out".to_owned(), |r| format!("due at {r:.0}/s"));
    println!(
        "{engine}: {} requests ({} passes, {} repeated) from {} clients, {pace}, in {:.1} s = {:.0}/s; \
         p50 {:.1} ms, p95 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        ms.len(),
        args.checkins,
        ms.len() - args.checkins,
        args.clients,
        fired.elapsed.as_secs_f64(),
        ms.len() as f64 / fired.elapsed.as_secs_f64(),
        p(50),
        p(95),
        p(99),
        ms.last().copied().unwrap_or(0.0),
    );
    println!(
        "answers: {} first, {} again, {} failed; database: {checked} checked in, {audited} check-in audit records",
        fired.first, fired.again, fired.failed
    );
    let whole = args.checkins as i64;
    anyhow::ensure!(
        checked == whole && audited == whole && fired.first == args.checkins && fired.failed == 0,
        "lost or doubled check-ins"
    );
    Ok(())
}
