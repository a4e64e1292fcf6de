//! Load at the deadlines (issue 17), on loopback against a running `jiuye serve`:
//!
//! 1. **Submission day**: every institution's office pushes its graduates'
//!    destinations through `POST /api/v1/destinations/batch` at the same moment,
//!    one client per institution, batch after batch. Afterwards the database must
//!    hold exactly one new destination and one audit record per row sent.
//! 2. **31 August**: the province and every institution's office open the
//!    dashboard (`/outcomes/dashboard`) and the placement API at once, repeatedly,
//!    while the statistics take in what was just submitted.
//! 3. **Job search at peak**: anonymous visitors search the postings on the
//!    public job search page (`/jobs?q=`) with the most asked queries.
//!
//! Each phase prints its requests, errors, throughput and p50/p95/p99/max.
//! `cargo run --release --example deadline_rush -- JIUYE_BIN DB_URL DATA_DIR [GRADUATES] [SHARE_PERCENT] [BATCH_ROWS] [SECONDS]`
//! on a fresh database (it generates the demo province first, without destinations).

use std::collections::HashMap;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use axum::body::Bytes;
use axum::http::{Request, Uri};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;

use jiuye::demo::{self, DemoOptions};
use kernel::auth::session::{self, Origin};
use kernel::config::Config;
use kernel::db::Backend;
use kernel::Db;

const PORT: u16 = 18_092;
/// What visitors type most, by the demo's position titles and places.
const QUERIES: &[&str] =
    &["软件", "数据分析", "长沙 软件", "教师", "会计", "护士", "销售", "机械", "行政", "电气工程师"];

type Http = Client<HttpConnector, Full<Bytes>>;

struct Args {
    bin: String,
    url: String,
    data: String,
    graduates: usize,
    share_percent: usize,
    batch_rows: usize,
    seconds: u64,
}

fn args() -> anyhow::Result<Args> {
    let a: Vec<String> = std::env::args().collect();
    let number = |i: usize, default: usize| a.get(i).map_or(Ok(default), |s| s.parse::<usize>());
    anyhow::ensure!(
        (4..=8).contains(&a.len()),
        "usage: deadline_rush JIUYE_BIN DB_URL DATA_DIR [GRADUATES] [SHARE_PERCENT] [BATCH_ROWS] [SECONDS]"
    );
    Ok(Args {
        bin: a[1].clone(),
        url: a[2].clone(),
        data: a[3].clone(),
        graduates: number(4, 450_000)?,
        share_percent: number(5, 20)?.clamp(1, 100),
        batch_rows: number(6, 500)?.max(1),
        seconds: number(7, 20)? as u64,
    })
}

/// One institution's office at the deadline: its token and its batches.
struct Office {
    code: String,
    bearer: String,
    batches: Vec<String>,
    rows: usize,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = args()?;
    let config = Config { data_dir: args.data.clone().into(), ..Config::for_database(&args.url) };
    let db = jiuye::open(&config).await?;
    let started = Instant::now();
    // Employers and postings in the full demo's proportion to graduates (20,000 and 60,000 to 450,000).
    let opts = DemoOptions {
        graduates: args.graduates,
        employers: (args.graduates / 22).max(50),
        postings: (args.graduates * 2 / 15).max(100),
        destinations: false,
        ..DemoOptions::default()
    };
    let made = demo::generate(&db, &opts, &|_, _| {}).await?;
    println!(
        "{}: demo of {} graduates, {} postings in {:.0} s",
        engine(&db),
        made.graduates,
        opts.postings,
        started.elapsed().as_secs_f64()
    );
    let offices = offices(&db, &args).await?;
    let sessions = dashboard_sessions(&db).await?;
    let mut server = serve(&args)?;
    let outcome = run(&db, &args, offices, sessions).await;
    let _ = server.kill();
    let _ = server.wait();
    db.close().await;
    outcome
}

async fn run(db: &Db, args: &Args, offices: Vec<Office>, sessions: Vec<String>) -> anyhow::Result<()> {
    let client: Http = Client::builder(TokioExecutor::new()).pool_max_idle_per_host(256).build_http();
    wait_for_health(&client).await?;
    // The projection loads in the background at start; the deadline does not wait for it.
    let rows = offices.iter().map(|o| o.rows).sum::<usize>() as i64;
    let institutions = offices.len();
    let before = counts(db).await?;
    let submitted = submission_day(&client, offices).await?;
    submitted.print(&format!("submission day: {institutions} offices send destination batches"), Some(rows as usize));
    let after = counts(db).await?;
    let (recorded, audited) = (after.0 - before.0, after.1 - before.1);
    println!("  {rows} rows sent; database: +{recorded} destinations, +{audited} destination audit records");
    anyhow::ensure!(submitted.failed == 0, "batches refused or lost at the deadline");
    anyhow::ensure!(recorded == rows && audited == rows, "rows lost, doubled or unaudited");

    let dashboard = statistics_day(&client, &sessions, args.seconds).await?;
    dashboard.print(&format!("31 August: {} offices on the dashboard and the placement API", sessions.len()), None);
    let search = search_peak(&client, 200, args.seconds).await?;
    search.print("job search at peak: 200 visitors", None);
    anyhow::ensure!(dashboard.failed == 0 && search.failed == 0, "errors under load");
    Ok(())
}

fn engine(db: &Db) -> &'static str {
    match db.backend() {
        Backend::Sqlite => "SQLite",
        Backend::Postgres => "PostgreSQL",
    }
}

/// (destinations, destination audit records)
async fn counts(db: &Db) -> anyhow::Result<(i64, i64)> {
    let events = db.scalar_i64("SELECT COUNT(*) AS n FROM destination_events", &[]).await?;
    let audited = db.scalar_i64("SELECT COUNT(*) AS n FROM audit_log WHERE entity = 'destination'", &[]).await?;
    Ok((events, audited))
}

/// Every institution's office with an API token and `share_percent` of its graduates in batches.
async fn offices(db: &Db, args: &Args) -> anyhow::Result<Vec<Office>> {
    let sql = "SELECT i.code, a.id AS account, g.student_no FROM graduates g \
               JOIN institutions i ON i.id = g.institution_id \
               JOIN accounts a ON a.username = 'staff' || i.code \
               WHERE g.cohort_year = $1 ORDER BY i.code, g.id";
    let rows = db.fetch_all(sql, &[demo::COHORT.into()]).await?;
    let mut by_office: HashMap<(String, i64), Vec<String>> = HashMap::new();
    for r in &rows {
        by_office.entry((r.text("code")?, r.i64("account")?)).or_default().push(r.text("student_no")?);
    }
    let mut offices = Vec::new();
    let mut tx = db.begin().await?;
    for ((code, account), students) in by_office {
        let (_, token) = session::issue_api_token(&mut tx, account, "截止日报送").await?;
        let take = students.len() * args.share_percent / 100;
        let batches =
            students[..take].chunks(args.batch_rows).map(|chunk| batch(&code, chunk)).collect::<Result<Vec<_>, _>>()?;
        offices.push(Office { code, bearer: format!("Bearer {token}"), batches, rows: take });
    }
    tx.commit().await?;
    offices.sort_by(|a, b| a.code.cmp(&b.code));
    Ok(offices)
}

/// A batch the office's system sends: employment at a company in 长沙, signed in June.
fn batch(code: &str, students: &[String]) -> serde_json::Result<String> {
    let rows: Vec<_> = students
        .iter()
        .map(|s| {
            serde_json::json!({ "student_no": s, "category_code": "10", "employer_name": "长沙截止日科技有限公司",
                                "credit_code": "91350100M000100Y43", "region_code": "430100", "signed_on": "2022-06-20" })
        })
        .collect();
    serde_json::to_string(&serde_json::json!({ "institution": code, "cohort": demo::COHORT, "rows": rows }))
}

/// Sessions for the province admin and every institution's office, as if each had logged in.
async fn dashboard_sessions(db: &Db) -> anyhow::Result<Vec<String>> {
    let sql = "SELECT a.id FROM accounts a WHERE a.username = 'admin' \
               OR EXISTS (SELECT 1 FROM institutions i WHERE a.username = 'staff' || i.code) ORDER BY a.id";
    let accounts = db.fetch_all(sql, &[]).await?;
    let origin = Origin { user_agent: "deadline_rush", client_addr: "127.0.0.1" };
    let mut tx = db.begin().await?;
    let mut cookies = Vec::new();
    for a in &accounts {
        cookies.push(format!("jiuye_session={}", session::create_session(&mut tx, a.i64("id")?, &origin).await?));
    }
    tx.commit().await?;
    Ok(cookies)
}

fn serve(args: &Args) -> anyhow::Result<Child> {
    Command::new(&args.bin)
        .args(["--data-dir", &args.data, "--database-url", &args.url, "--bind", &format!("127.0.0.1:{PORT}")])
        .args(["--log", "warn", "serve", "--no-demo"])
        .stdout(Stdio::null())
        .spawn()
        .with_context(|| format!("starting {}", args.bin))
}

async fn wait_for_health(client: &Http) -> anyhow::Result<()> {
    let health: Uri = format!("http://127.0.0.1:{PORT}/healthz").parse()?;
    for _ in 0..300 {
        if client.get(health.clone()).await.is_ok_and(|r| r.status().is_success()) {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    anyhow::bail!("the server did not answer /healthz")
}

/// What one phase saw.
#[derive(Default)]
struct Seen {
    elapsed: Duration,
    latencies: Vec<Duration>,
    ok: usize,
    failed: usize,
    first_failure: Option<String>,
}

impl Seen {
    fn add(&mut self, other: Seen) {
        self.latencies.extend(other.latencies);
        self.ok += other.ok;
        self.failed += other.failed;
        self.first_failure = self.first_failure.take().or(other.first_failure);
    }

    fn record(&mut self, took: Duration, answer: Result<(), String>) {
        self.latencies.push(took);
        match answer {
            Ok(()) => self.ok += 1,
            Err(why) => {
                self.failed += 1;
                self.first_failure.get_or_insert(why);
            }
        }
    }

    /// Sends `request`, timing it until the whole answer is read; `what` names a failure.
    async fn send(
        &mut self,
        client: &Http,
        request: Result<Request<Full<Bytes>>, axum::http::Error>,
        status: u16,
        what: impl FnOnce() -> String,
    ) {
        let sent = Instant::now();
        let answer = match request {
            Ok(request) => expect(client, request, status).await,
            Err(e) => Err(e.to_string()),
        };
        self.record(sent.elapsed(), answer.map_err(|e| format!("{}: {e}", what())));
    }

    fn print(&self, what: &str, rows: Option<usize>) {
        let mut ms: Vec<f64> = self.latencies.iter().map(|d| d.as_secs_f64() * 1000.0).collect();
        ms.sort_by(f64::total_cmp);
        let p = |q: usize| ms.get((ms.len() * q / 100).min(ms.len().saturating_sub(1))).copied().unwrap_or(0.0);
        let secs = self.elapsed.as_secs_f64().max(f64::EPSILON);
        let rows = rows.map(|n| format!(" ({:.0} rows/s)", n as f64 / secs)).unwrap_or_default();
        println!(
            "{what}: {} requests, {} failed, in {secs:.1} s = {:.0}/s{rows}; p50 {:.0} ms, p95 {:.0} ms, p99 {:.0} ms, max {:.0} ms",
            ms.len(),
            self.failed,
            ms.len() as f64 / secs,
            p(50),
            p(95),
            p(99),
            ms.last().copied().unwrap_or(0.0),
        );
        if let Some(why) = &self.first_failure {
            println!("  first failure: {why}");
        }
    }
}

async fn submission_day(client: &Http, offices: Vec<Office>) -> anyhow::Result<Seen> {
    let uri: Uri = format!("http://127.0.0.1:{PORT}/api/v1/destinations/batch").parse()?;
    let started = Instant::now();
    let tasks: Vec<_> = offices
        .into_iter()
        .map(|office| {
            let (client, uri) = (client.clone(), uri.clone());
            tokio::spawn(async move {
                let mut seen = Seen::default();
                for body in office.batches {
                    let request = Request::post(uri.clone())
                        .header("authorization", &office.bearer)
                        .header("content-type", "application/json")
                        .body(Full::new(Bytes::from(body)));
                    seen.send(&client, request, 201, || office.code.clone()).await;
                }
                seen
            })
        })
        .collect();
    gather(tasks, started).await
}

/// Each office alternates the dashboard page and its placement figures by institution for `seconds`.
async fn statistics_day(client: &Http, sessions: &[String], seconds: u64) -> anyhow::Result<Seen> {
    let pages: Vec<Uri> = [
        "/outcomes/dashboard?cohort=2022",
        "/api/v1/placement?cohort=2022&by=institution",
        "/outcomes/dashboard?cohort=2022&as_of=2022-08-31",
    ]
    .iter()
    .map(|p| format!("http://127.0.0.1:{PORT}{p}").parse())
    .collect::<Result<_, _>>()?;
    let pages = Arc::new(pages);
    let until = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let tasks: Vec<_> = sessions
        .iter()
        .cloned()
        .map(|cookie| {
            let (client, pages) = (client.clone(), pages.clone());
            tokio::spawn(async move {
                let mut seen = Seen::default();
                for page in pages.iter().cycle() {
                    if Instant::now() >= until {
                        break;
                    }
                    let request = Request::get(page.clone()).header("cookie", &cookie).body(Full::new(Bytes::new()));
                    seen.send(&client, request, 200, || page.to_string()).await;
                }
                seen
            })
        })
        .collect();
    gather(tasks, started).await
}

async fn search_peak(client: &Http, visitors: usize, seconds: u64) -> anyhow::Result<Seen> {
    let until = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let tasks: Vec<_> = (0..visitors)
        .map(|v| {
            let client = client.clone();
            tokio::spawn(async move {
                let mut seen = Seen::default();
                for q in QUERIES.iter().cycle().skip(v % QUERIES.len()) {
                    if Instant::now() >= until {
                        break;
                    }
                    let query = url_encode(q);
                    let uri = format!("http://127.0.0.1:{PORT}/jobs?q={query}");
                    let request = Request::get(uri.as_str()).body(Full::new(Bytes::new()));
                    seen.send(&client, request, 200, || uri.clone()).await;
                }
                seen
            })
        })
        .collect();
    gather(tasks, started).await
}

fn url_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            b' ' => "+".to_owned(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

async fn gather(tasks: Vec<tokio::task::JoinHandle<Seen>>, started: Instant) -> anyhow::Result<Seen> {
    let mut all = Seen::default();
    for task in tasks {
        all.add(task.await?);
    }
    all.elapsed = started.elapsed();
    Ok(all)
}

/// The answer read whole; an error names the status and the start of the body.
async fn expect(client: &Http, request: Request<Full<Bytes>>, status: u16) -> Result<(), String> {
    let response = client.request(request).await.map_err(|e| e.to_string())?;
    let got = response.status().as_u16();
    let body = response.into_body().collect().await.map_err(|e| e.to_string())?.to_bytes();
    if got == status {
        Ok(())
    } else {
        Err(format!("{got} {}", String::from_utf8_lossy(&body[..body.len().min(300)])))
    }
}
