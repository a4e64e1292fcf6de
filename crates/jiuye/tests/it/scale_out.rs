//! Several app servers on one database (issue 17): two `jiuye::router`s over
//! the same database, each with a connection pool and a data folder of its own
//! (its search index) and one shared files folder, served on two loopback
//! ports, with a small round-robin balancer of the test's own in front (no
//! sticky sessions). A login, an import's progress (PostgreSQL), a published
//! posting, a recorded destination and an uploaded file made through one
//! server are found through the other; a daily job both servers start runs once.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Request, StatusCode, Uri};
use axum::Router;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

use kernel::config::Config;
use kernel::db::Backend;
use kernel::Db;

use crate::support::{Client, TestApp};

/// Two app servers on the test's database, and the balancer in front.
struct Deployment {
    /// The database as server A opened it, and A's configuration; its router
    /// is whichever way in the test last chose (`through`).
    app: TestApp,
    /// Server B's own pool on the same database.
    db_b: Db,
    a: Router,
    b: Router,
    both: Router,
    _b_data: tempfile::TempDir,
    _files: tempfile::TempDir,
}

impl Deployment {
    /// The small demo province served by two servers.
    async fn start() -> Deployment {
        let mut app = TestApp::demo().await;
        let files = tempfile::tempdir().expect("shared files folder");
        let b_data = tempfile::tempdir().expect("B's data folder");
        app.config.files_dir = Some(files.path().to_owned());
        let config_b = Config { data_dir: b_data.path().to_owned(), ..app.config.clone() };
        let url = app.config.database_url.clone().expect("the test database's URL");
        let db_b = Db::connect(&url).await.expect("B's own pool");
        let a = serve(app.db.clone(), app.config.clone()).await;
        let b = serve(db_b.clone(), config_b).await;
        let both = balancer(vec![a, b]);
        let (a, b) = (balancer(vec![a]), balancer(vec![b]));
        app.router = both.clone();
        Deployment { app, db_b, a, b, both, _b_data: b_data, _files: files }
    }

    /// A client whose requests go the way `router` sends them.
    fn through(&mut self, router: &Router) -> Client {
        self.app.router = router.clone();
        self.app.client()
    }

    /// A client logged in as `username` through `router`.
    async fn login(&mut self, router: &Router, username: &str) -> Client {
        self.app.router = router.clone();
        self.app.login(username).await
    }

    /// The same session (its cookies) taken to `router`, as a balancer sends a browser's next request.
    fn moved(&mut self, client: &Client, router: &Router) -> Client {
        let mut other = self.through(router);
        other.cookies = client.cookies.clone();
        other
    }
}

/// Serves one app server as `jiuye serve` does (its search index following
/// the postings' changes); the port it listens on.
async fn serve(db: Db, config: Config) -> u16 {
    let states = jiuye::state(db.clone(), config);
    states.recruitment.jobs.start(db);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let app = jiuye::router(states).into_make_service_with_connect_info::<SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, app).await.ok() });
    port
}

/// A load balancer without sticky sessions: each request goes to the next
/// upstream in turn, over HTTP on loopback, as nginx's or HAProxy's round robin.
fn balancer(ports: Vec<u16>) -> Router {
    let client = hyper_util::client::legacy::Client::builder(TokioExecutor::new()).build(HttpConnector::new());
    let next = Arc::new(AtomicUsize::new(0));
    Router::new().fallback(move |mut request: Request<Body>| {
        let client = client.clone();
        let port = ports[next.fetch_add(1, Ordering::Relaxed) % ports.len()];
        async move {
            let path = request.uri().path_and_query().map_or("/", |p| p.as_str()).to_owned();
            *request.uri_mut() = format!("http://127.0.0.1:{port}{path}").parse::<Uri>().expect("upstream URI");
            match client.request(request).await {
                Ok(response) => response.map(Body::new),
                Err(e) => {
                    axum::response::IntoResponse::into_response((StatusCode::BAD_GATEWAY, format!("upstream: {e}")))
                }
            }
        }
    })
}

/// Asks `check` again until it holds or `within` has passed; whether it held.
async fn eventually<F, Fut>(within: Duration, mut check: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let until = Instant::now() + within;
    loop {
        if check().await {
            return true;
        }
        if Instant::now() > until {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn a_login_through_one_server_holds_on_the_other_and_behind_the_balancer() {
    let mut d = Deployment::start().await;
    let (a, b, both) = (d.a.clone(), d.b.clone(), d.both.clone());
    let on_a = d.login(&a, "staff").await;
    let mut on_b = d.moved(&on_a, &b);
    let page = on_b.get("/account/sessions").await;
    assert_eq!(page.status, StatusCode::OK, "the session made on A is valid on B");
    // Behind the balancer every request goes to the other server from the last.
    let mut anywhere = d.moved(&on_a, &both);
    for _ in 0..4 {
        assert_eq!(anywhere.get("/account/sessions").await.status, StatusCode::OK);
    }
    // A form whose page came from one server is accepted by the other (the CSRF cookie is signed with the shared key).
    let reply = on_b.post("/logout", &[]).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    let mut back_on_a = d.moved(&on_a, &a);
    let after = back_on_a.get("/account/sessions").await;
    assert_eq!(after.status, StatusCode::SEE_OTHER, "logged out on B, so on A too");
    assert!(after.location.unwrap_or_default().starts_with("/login"));
}

#[tokio::test]
async fn an_imports_progress_started_on_one_server_is_read_on_the_other() {
    let mut d = Deployment::start().await;
    crate::roster::prepare(&d.app).await;
    let (a, b) = (d.a.clone(), d.b.clone());
    let rows: Vec<Vec<String>> = (1..=30).map(crate::roster::good_row).collect();
    let token = "5ca1e0u7a1b2c3d4e5f60718293a4b5c";
    let mut staff = d.login(&a, "staff").await;
    let fields = [("institution", "10530"), ("cohort", "2022"), ("progress", token)];
    let bytes = crate::roster::xlsx(&crate::roster::HEADERS, &rows);
    let reply = staff.post_file("/outcomes/roster", &fields, "r.xlsx", bytes).await;
    assert_eq!(crate::roster::between(&reply.body, "new-rows"), "30", "{}", reply.body);
    let read = staff.get(&format!("/progress/{token}")).await;
    assert_eq!(read.status, StatusCode::OK, "the server that did the work reads it from memory");
    let mut on_b = d.moved(&staff, &b);
    let path = format!("/progress/{token}");
    match d.app.db.backend() {
        Backend::Postgres => {
            // The last report reaches the database a moment after the work ends.
            let finished = eventually(Duration::from_secs(5), || {
                let mut on_b = on_b.clone();
                let path = path.clone();
                async move {
                    let r = on_b.get(&path).await;
                    r.status == StatusCode::OK && {
                        let done: serde_json::Value = serde_json::from_str(&r.body).unwrap_or_default();
                        done["done"] == 30 && done["total"] == 30
                    }
                }
            })
            .await;
            assert!(finished, "B reads the progress A wrote");
            // Only the account that started the work, on either server.
            for role in ["staff10532", "admin"] {
                let mut other = d.login(&b, role).await;
                assert_eq!(other.get(&path).await.status, StatusCode::NOT_FOUND, "{role}");
            }
            assert_eq!(d.app.count("SELECT COUNT(*) FROM progress_reports").await, 1);
        }
        Backend::Sqlite => {
            // One server per SQLite file (the embedded mode): the board is in memory only,
            // as an import holds SQLite's one writer for its whole transaction.
            assert_eq!(on_b.get(&path).await.status, StatusCode::NOT_FOUND);
            assert_eq!(d.app.count("SELECT COUNT(*) FROM progress_reports").await, 0);
        }
    }
}

#[tokio::test]
async fn a_posting_published_through_one_server_is_found_by_the_others_search() {
    let mut d = Deployment::start().await;
    let (a, b) = (d.a.clone(), d.b.clone());
    let mut visitor_b = d.through(&b);
    assert!(!visitor_b.get("/jobs?q=Rust").await.body.contains("Rust 扩展性工程师"), "B's index starts without it");
    d.app.router = a;
    let id = crate::recruitment::published(&d.app, "Rust 扩展性工程师").await;
    let link = format!("href=\"/jobs/{id}\"");
    let found = eventually(Duration::from_secs(5), || {
        let mut visitor_b = visitor_b.clone();
        let link = link.clone();
        async move { visitor_b.get("/jobs?q=Rust").await.body.contains(&link) }
    })
    .await;
    assert!(found, "B's search finds the posting A published within seconds");
}

#[tokio::test]
async fn a_destination_recorded_through_one_server_shows_in_the_others_statistics() {
    let mut d = Deployment::start().await;
    let (a, b) = (d.a.clone(), d.b.clone());
    let placed = |body: &str| {
        body.split("id=\"total-placed\">").nth(1).and_then(|s| s.split('<').next()).unwrap_or("").trim().to_owned()
    };
    // B has loaded its projection before the write.
    let mut staff_b = d.login(&b, "staff").await;
    let before = staff_b.get("/outcomes/placement").await;
    assert_eq!(before.status, StatusCode::OK);
    assert_eq!(placed(&before.body), "0");
    let graduate = d
        .app
        .id("SELECT MIN(g.id) FROM graduates g JOIN institutions i ON i.id = g.institution_id WHERE i.code = '10530'")
        .await;
    let mut staff_a = d.moved(&staff_b, &a);
    let fields = [
        ("category_code", "10"),
        ("employer_name", "湘江软件有限公司"),
        ("credit_code", "91350100M000100Y43"),
        ("region_code", "430104"),
        ("industry_code", "34"),
    ];
    let reply = staff_a.post(&format!("/outcomes/graduates/{graduate}/destination"), &fields).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    // B reads the revision counters with the next request and catches up.
    assert_eq!(placed(&staff_b.get("/outcomes/placement").await.body), "1");
    assert_eq!(placed(&staff_a.get("/outcomes/placement").await.body), "1", "both agree");
}

#[tokio::test]
async fn a_daily_job_both_servers_start_runs_once() {
    let d = Deployment::start().await;
    let day = kernel::time::today_china();
    let (on_a, on_b) = tokio::join!(
        verification::nightly::run_for_day(&d.app.db, day, "server-a"),
        verification::nightly::run_for_day(&d.db_b, day, "server-b"),
    );
    let outcomes = [on_a.expect("A claims or finds it claimed"), on_b.expect("B claims or finds it claimed")];
    let ran = outcomes.iter().filter(|o| matches!(o, kernel::jobs::Outcome::Ran(_))).count();
    assert_eq!(ran, 1, "{outcomes:?}");
    assert!(outcomes.contains(&kernel::jobs::Outcome::Taken));
    let runs = kernel::jobs::runs(&d.app.db, verification::nightly::JOB).await.expect("runs");
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0].status, kernel::jobs::FINISHED);
    // A later start of either (a restart) finds the day taken.
    let again = verification::nightly::run_for_day(&d.db_b, day, "server-b").await.expect("claim");
    assert_eq!(again, kernel::jobs::Outcome::Taken);
}

#[tokio::test]
async fn a_file_uploaded_through_one_server_downloads_from_the_other() {
    let mut d = Deployment::start().await;
    let (a, b) = (d.a.clone(), d.b.clone());
    let graduate_id = d.app.id("SELECT graduate_id FROM accounts WHERE username = 'graduate'").await;
    let mut graduate = d.login(&a, "graduate").await;
    let profile = [("skills", "Rust"), ("intended_regions", "430100"), ("visibility", "applied")];
    assert_eq!(graduate.post("/recruitment/profile", &profile).await.status, StatusCode::SEE_OTHER);
    let pdf = b"%PDF-1.4\n% a scale-out resume\nstartxref\n0\n%%EOF\n".to_vec();
    let reply = graduate.post_file("/recruitment/profile/resume", &[], "简历.pdf", pdf.clone()).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    // Stored in the shared files folder, not in A's data folder.
    let shared = std::fs::read_dir(d.app.config.files_dir()).expect("the shared files folder").count();
    assert_eq!(shared, 1, "one file, under its hash's first two digits");
    assert!(!d.app.config.data_dir.join("files").exists());
    let mut on_b = d.moved(&graduate, &b);
    let download = on_b.get(&format!("/recruitment/profiles/{graduate_id}/resume")).await;
    assert_eq!(download.status, StatusCode::OK);
    assert_eq!(download.bytes, pdf, "B serves the bytes A stored");
}
