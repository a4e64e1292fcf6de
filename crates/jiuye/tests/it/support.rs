//! A fresh database and app per test, on SQLite by default or on PostgreSQL
//! when `JIUYE_TEST_DATABASE_URL` names a server (its database is used only to
//! create one new database per test).

use std::collections::BTreeMap;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use tower::ServiceExt;

use jiuye::demo::{self, DemoOptions};
use kernel::config::Config;
use kernel::Db;

pub struct TestApp {
    pub db: Db,
    pub config: Config,
    pub router: Router,
    _dir: tempfile::TempDir,
}

pub const PASSWORD: &str = demo::DEMO_PASSWORD;

/// A business licence scan, as an employer's registration carries one.
pub const LICENCE: &[u8] = b"%PDF-1.4\n% business licence\nstartxref\n0\n%%EOF\n";

/// A stamped page photographed: the smallest whole JPEG (a 3×2 frame header and its end).
pub const JPEG: &[u8] =
    b"\xFF\xD8\xFF\xE0\0\x10JFIF\0\x01\x01\0\0\x01\0\x01\0\0\xFF\xC0\0\x0B\x08\0\x02\0\x03\x01\x01\x11\0\xFF\xD9";

/// A fresh database and a data folder of its own (for stored files).
pub async fn fresh_database_url() -> (String, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    match std::env::var("JIUYE_TEST_DATABASE_URL") {
        Ok(admin_url) if !admin_url.is_empty() => {
            let name = format!("jiuye_t_{}", kernel::auth::session::random_token()[..16].to_owned());
            let admin = Db::connect(&admin_url).await.expect("connect to the PostgreSQL test server");
            admin
                .create_database(&name)
                .await
                .expect("create test database (JIUYE_TEST_DATABASE_URL is a postgres:// URL)");
            admin.close().await;
            let base = admin_url.rsplit_once('/').map(|(b, _)| b.to_owned()).unwrap_or(admin_url);
            (format!("{base}/{name}"), dir)
        }
        _ => (format!("sqlite://{}/test.db", dir.path().display()), dir),
    }
}

impl TestApp {
    /// Schema and reference data only: no graduates, employers or accounts.
    pub async fn empty() -> TestApp {
        let (url, dir) = fresh_database_url().await;
        let config = Config { data_dir: dir.path().to_owned(), ..Config::for_database(&url) };
        let db = jiuye::open(&config).await.expect("open database");
        let router = jiuye::app(db.clone(), config.clone());
        TestApp { db, config, router, _dir: dir }
    }

    /// A small demo province: every institution with colleges and majors, a
    /// few hundred graduates, some employers and the demo accounts; no job
    /// postings, so a test's own are the only ones.
    pub async fn demo() -> TestApp {
        TestApp::demo_with_postings(0).await
    }

    /// The small demo province with its employers' job postings, profiles,
    /// applications, interviews and offers.
    pub async fn demo_with_postings(postings: usize) -> TestApp {
        let app = TestApp::empty().await;
        let opts = DemoOptions {
            seed: 7,
            graduates: 400,
            employers: 60,
            destinations: false,
            postings,
            files: None,
            ..DemoOptions::default()
        };
        demo::generate(&app.db, &opts, &|_, _| {}).await.expect("demo data");
        app
    }

    /// The same database served with a changed configuration.
    pub fn reconfigured(mut self, change: impl FnOnce(&mut Config)) -> TestApp {
        change(&mut self.config);
        self.router = jiuye::app(self.db.clone(), self.config.clone());
        self
    }

    /// The same database served by `router` (built from other state: a replica's reads, say).
    pub fn serving(mut self, router: Router) -> TestApp {
        self.router = router;
        self
    }

    pub fn client(&self) -> Client {
        Client { router: self.router.clone(), cookies: BTreeMap::new() }
    }

    /// A client already logged in as `username` (demo password).
    pub async fn login(&self, username: &str) -> Client {
        let mut c = self.client();
        let r = c.login(username, PASSWORD).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "login as {username} failed: {}", r.body);
        c
    }

    pub async fn count(&self, sql: &str) -> i64 {
        self.db.scalar_i64(sql, &[]).await.expect("count")
    }

    pub async fn id(&self, sql: &str) -> i64 {
        self.db.scalar_i64(sql, &[]).await.expect("id")
    }
}

/// What came back.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub location: Option<String>,
    pub body: String,
    /// The body as sent, for files.
    pub bytes: Vec<u8>,
    /// The response headers, by lower-case name.
    pub headers: BTreeMap<String, String>,
    /// The Content-Disposition header of a download.
    pub disposition: Option<String>,
}

/// A browser-like client: keeps cookies and sends the CSRF token with forms.
/// A clone is a second tab of the same session.
#[derive(Clone)]
pub struct Client {
    router: Router,
    pub cookies: BTreeMap<String, String>,
}

impl Client {
    fn cookie_header(&self) -> String {
        self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ")
    }

    pub async fn send(&mut self, request: Request<Body>) -> Reply {
        let response = self.router.clone().oneshot(request).await.expect("infallible");
        for v in response.headers().get_all(header::SET_COOKIE) {
            let text = v.to_str().unwrap_or("");
            if let Some((name, rest)) = text.split_once('=') {
                let value = rest.split(';').next().unwrap_or("");
                if text.contains("Max-Age=0") {
                    self.cookies.remove(name);
                } else {
                    self.cookies.insert(name.to_owned(), value.to_owned());
                }
            }
        }
        let status = response.status();
        let location = response.headers().get(header::LOCATION).and_then(|v| v.to_str().ok()).map(str::to_owned);
        let disposition =
            response.headers().get(header::CONTENT_DISPOSITION).and_then(|v| v.to_str().ok()).map(str::to_owned);
        let headers = response
            .headers()
            .iter()
            .map(|(k, v)| (k.as_str().to_owned(), v.to_str().unwrap_or("").to_owned()))
            .collect();
        let bytes = response.into_body().collect().await.expect("body").to_bytes();
        Reply {
            status,
            location,
            body: String::from_utf8_lossy(&bytes).into_owned(),
            bytes: bytes.to_vec(),
            headers,
            disposition,
        }
    }

    /// Posts a form with a file as a browser would (multipart), the CSRF token included.
    pub async fn post_file(&mut self, path: &str, fields: &[(&str, &str)], file_name: &str, bytes: Vec<u8>) -> Reply {
        let csrf = self.csrf().await;
        let boundary = "----jiuye-test-boundary";
        let mut body = Vec::new();
        for (name, value) in [("_csrf", csrf.as_str())].iter().chain(fields) {
            body.extend(
                format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                    .as_bytes(),
            );
        }
        body.extend(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n")
                .as_bytes(),
        );
        body.extend(bytes);
        body.extend(format!("\r\n--{boundary}--\r\n").as_bytes());
        let request = Request::post(path)
            .header(header::COOKIE, self.cookie_header())
            .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={boundary}"))
            .body(Body::from(body))
            .expect("request");
        self.send(request).await
    }

    pub async fn get(&mut self, path: &str) -> Reply {
        let request =
            Request::get(path).header(header::COOKIE, self.cookie_header()).body(Body::empty()).expect("request");
        self.send(request).await
    }

    pub async fn get_with(&mut self, path: &str, name: &str, value: &str) -> Reply {
        let request = Request::get(path)
            .header(header::COOKIE, self.cookie_header())
            .header(name, value)
            .body(Body::empty())
            .expect("request");
        self.send(request).await
    }

    /// The CSRF token, fetched from a page first if this client has none yet.
    pub async fn csrf(&mut self) -> String {
        if !self.cookies.contains_key(kernel::web::CSRF_COOKIE) {
            self.get("/login").await;
        }
        self.cookies.get(kernel::web::CSRF_COOKIE).cloned().unwrap_or_default()
    }

    pub async fn post_raw(&mut self, path: &str, body: String) -> Reply {
        let request = Request::post(path)
            .header(header::COOKIE, self.cookie_header())
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .expect("request");
        self.send(request).await
    }

    /// Posts a form with the CSRF token added.
    pub async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Reply {
        let token = self.csrf().await;
        let mut all: Vec<(&str, &str)> = fields.to_vec();
        all.push(("_csrf", &token));
        let body = serde_urlencoded::to_string(&all).expect("encode");
        self.post_raw(path, body).await
    }

    /// Registers an employer through the form as a browser sends it: the
    /// fields given, a nature and an industry unless given, and a licence scan.
    pub async fn register(&mut self, fields: &[(&str, &str)]) -> Reply {
        let (token, answer) = self.registration_question().await;
        let mut all = fields.to_vec();
        for (name, value) in [("nature_code", "39"), ("industry_code", "34"), ("question", &token), ("answer", &answer)]
        {
            if !all.iter().any(|(field, _)| *field == name) {
                all.push((name, value));
            }
        }
        self.post_file("/employers/register", &all, "营业执照.pdf", LICENCE.to_vec()).await
    }

    /// The registration form's question token and its right answer, as a person reads it.
    pub async fn registration_question(&mut self) -> (String, String) {
        let page = self.get("/employers/register").await.body;
        let between = |start: &str, end: &str| {
            page.split(start).nth(1).and_then(|s| s.split(end).next()).unwrap_or("").to_owned()
        };
        let token = between("name=\"question\" value=\"", "\"");
        (token, answer_to(&between("<span id=\"question-text\">", "</span>")).to_string())
    }

    pub async fn login(&mut self, username: &str, password: &str) -> Reply {
        self.post("/login", &[("username", username), ("password", password)]).await
    }
}

/// The answer to `三加五等于几？`.
pub fn answer_to(question: &str) -> u32 {
    let digit = |c: char| "零一二三四五六七八九".chars().position(|d| d == c).unwrap_or(0) as u32;
    let mut chars = question.chars();
    let a = chars.next().map_or(0, digit);
    let b = chars.nth(1).map_or(0, digit);
    a + b
}

/// The text of the element with `id` in a page, whatever attributes follow the id
/// (`<a id="work-disputed" href="…">3</a>` gives "3").
pub fn text_of(body: &str, id: &str) -> String {
    body.split(&format!("id=\"{id}\""))
        .nth(1)
        .and_then(|s| s.split('>').nth(1))
        .and_then(|s| s.split('<').next())
        .unwrap_or("")
        .to_owned()
}
