//! Journeys in a real headless Chromium (Debian's chromium and chromium-driver),
//! driven as a person would: through the login form, links and buttons.
//! Skipped when chromedriver is missing, unless JIUYE_REQUIRE_BROWSER is set
//! (as CI does).

use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, Locator};
use serde_json::json;

use crate::support::{TestApp, PASSWORD};

pub(crate) struct Driver {
    child: Child,
    port: u16,
    _profile: tempfile::TempDir,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn find(paths: &[&str]) -> Option<String> {
    paths.iter().find(|p| std::path::Path::new(p).exists()).map(|p| p.to_string())
}

pub(crate) async fn start_browser() -> Option<(Driver, Client)> {
    start_browser_with(json!({})).await
}

/// A browser that runs no JavaScript, as some offices' locked-down machines.
async fn start_browser_without_javascript() -> Option<(Driver, Client)> {
    start_browser_with(json!({ "profile.managed_default_content_settings.javascript": 2 })).await
}

/// A browser with Chromium preferences added to the usual ones.
async fn start_browser_with(prefs: serde_json::Value) -> Option<(Driver, Client)> {
    let required = std::env::var("JIUYE_REQUIRE_BROWSER").is_ok();
    let (Some(driver), Some(chromium)) =
        (find(&["/usr/bin/chromedriver"]), find(&["/usr/bin/chromium", "/usr/bin/chromium-browser"]))
    else {
        assert!(!required, "JIUYE_REQUIRE_BROWSER is set but chromium or chromedriver is missing");
        eprintln!("browser tests skipped: install Debian's chromium and chromium-driver");
        return None;
    };
    let port = std::net::TcpListener::bind("127.0.0.1:0").ok()?.local_addr().ok()?.port();
    let child = Command::new(driver)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromedriver");
    let profile = tempfile::tempdir().expect("profile dir");
    let mut all_prefs = json!({ "intl.accept_languages": "zh-CN,zh" });
    if let (Some(all), Some(extra)) = (all_prefs.as_object_mut(), prefs.as_object()) {
        all.extend(extra.clone());
    }
    let caps = json!({
        "browserName": "chrome",
        "goog:chromeOptions": {
            "binary": chromium,
            "prefs": all_prefs,
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync", "--window-size=1280,900", "--lang=zh-CN",
                     format!("--user-data-dir={}", profile.path().display())]
        }
    });
    let caps = caps.as_object().cloned().unwrap_or_default();
    let url = format!("http://127.0.0.1:{port}");
    let driver = Driver { child, port, _profile: profile };
    for _ in 0..100 {
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        if let Ok(client) = Client::with_capabilities_and_connector(&url, &caps, connector).await {
            return Some((driver, client));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("chromedriver on port {} did not start", driver.port);
}

pub(crate) async fn serve(app: &TestApp) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let router = app.router.clone().into_make_service_with_connect_info::<SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, router).await.ok() });
    format!("http://{addr}")
}

pub(crate) async fn fill(c: &Client, selector: &str, text: &str) {
    // A field the page's script adds (a picker's filter box) may come a moment after the page.
    let field = c.wait().at_most(Duration::from_secs(10)).for_element(Locator::Css(selector)).await;
    let field = field.unwrap_or_else(|e| panic!("no {selector}: {e}"));
    field.clear().await.expect("clear");
    field.send_keys(text).await.expect("type");
}

/// Clicks and waits until the browser has left the current page.
/// Follows a link of the navigation bar as a person would, opening its menu
/// first when it sits in one.
pub(crate) async fn nav(c: &Client, href: &str) {
    let selector = format!("nav.main-nav a[href='{href}']");
    let link = c.find(Locator::Css(&selector)).await.unwrap_or_else(|e| panic!("no {selector}: {e}"));
    if !link.is_displayed().await.unwrap_or(false) {
        let menu = format!("//nav[contains(@class, 'main-nav')]//details[.//a[@href='{href}']]/summary");
        c.find(Locator::XPath(&menu)).await.expect("the link's menu").click().await.expect("open the menu");
    }
    follow(c, link).await;
}

pub(crate) async fn click(c: &Client, selector: &str) {
    let element = c.find(Locator::Css(selector)).await.unwrap_or_else(|e| panic!("no {selector}: {e}"));
    follow(c, element).await;
}

async fn follow(c: &Client, element: fantoccini::elements::Element) {
    let old = c.find(Locator::Css("html")).await.expect("page");
    element.click().await.expect("click");
    for _ in 0..200 {
        if old.tag_name().await.is_err() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the click did not load a new page");
}

/// The text of an element, retried while a navigation replaces the page: for
/// up to 20 s, as a form's answer can take seconds when CI's tests share two
/// cores with the browser (a destination saved on PostgreSQL once took over 5 s).
pub(crate) async fn text(c: &Client, selector: &str) -> String {
    let mut last = String::new();
    for _ in 0..200 {
        match c.find(Locator::Css(selector)).await {
            Ok(element) => match element.text().await {
                Ok(text) => return text,
                Err(e) => last = e.to_string(),
            },
            Err(e) => last = e.to_string(),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("no text at {selector}: {last}");
}

/// Chooses an option of a select.
pub(crate) async fn pick(c: &Client, option: &str) {
    c.find(Locator::Css(option)).await.unwrap_or_else(|e| panic!("no {option}: {e}")).click().await.expect("pick");
}

/// Chooses a file for a file input.
pub(crate) async fn attach(c: &Client, input: &str, path: &std::path::Path) {
    let field = c.find(Locator::Css(input)).await.unwrap_or_else(|e| panic!("no {input}: {e}"));
    field.send_keys(&path.display().to_string()).await.expect("choose file");
}

/// Fetches what a link points to in the browser's own session, as a click would:
/// [status, content type, disposition (decoded), the first two bytes].
pub(crate) async fn download(c: &Client, link: &str) -> Vec<serde_json::Value> {
    let href = c.find(Locator::Css(link)).await.expect("link").attr("href").await.expect("href");
    let got = c
        .execute_async(
            "const [href, done] = arguments; fetch(href).then(r => r.arrayBuffer().then(b => done([r.status, \
             r.headers.get('content-type'), decodeURIComponent(r.headers.get('content-disposition')), \
             String.fromCharCode(...new Uint8Array(b).slice(0, 2))])));",
            vec![json!(href.unwrap_or_else(|| panic!("{link} has no href")))],
        )
        .await
        .expect("fetch the file");
    got.as_array().cloned().unwrap_or_default()
}

/// Asserts that the page is no wider than the (phone-sized) window.
pub(crate) async fn fits_the_screen(c: &Client, what: &str) {
    let widths =
        c.execute("return [document.documentElement.scrollWidth, window.innerWidth];", vec![]).await.expect("widths");
    let (page, screen) = (widths[0].as_i64().unwrap_or(i64::MAX), widths[1].as_i64().unwrap_or(0));
    assert!(page <= screen, "{what} is {page} px wide on a {screen} px screen");
}

/// A business licence scan on disk, for the registration form.
/// Answers the registration form's question as a person would, reading it.
async fn answer_question(c: &Client) {
    let answer = crate::support::answer_to(&text(c, "#question-text").await);
    fill(c, "#answer", &answer.to_string()).await;
}

fn licence_file() -> tempfile::NamedTempFile {
    let file = tempfile::Builder::new().suffix(".pdf").tempfile().expect("temp file");
    std::fs::write(file.path(), crate::support::LICENCE).expect("write licence");
    file
}

pub(crate) async fn log_in(c: &Client, base: &str, username: &str, password: &str) {
    c.goto(&format!("{base}/login")).await.expect("open login");
    fill(c, "#username", username).await;
    fill(c, "#password", password).await;
    click(c, "form.stacked button[type=submit]").await;
}

pub(crate) async fn log_out(c: &Client) {
    click(c, "header .who form button").await;
}

#[tokio::test]
async fn people_use_the_platform_in_a_real_browser() {
    let Some((_driver, c)) = start_browser().await else {
        return;
    };
    let app = TestApp::demo().await;
    let base = serve(&app).await;

    // The public home page, then each role logs in through the form and finds its start page.
    c.goto(&base).await.expect("home");
    assert!(text(&c, "h1").await.contains("就业创业工作平台"));
    for (user, name, on_bar, start) in [
        ("admin", "省教育厅管理员", "系统管理", "就业看板"),
        ("staff", "湘潭大学就业办", "基础数据", "就业看板"),
        ("college", "院系就业专干", "基础数据", "就业看板"),
        ("employer", "用人单位 HR", "用人单位", "工作台"),
        ("graduate", "毕业生", "工作台", "工作台"),
        ("expert", "评审专家", "工作台", "工作台"),
    ] {
        log_in(&c, &base, user, PASSWORD).await;
        assert_eq!(text(&c, "h1").await, start, "{user} lands on its start page");
        assert!(text(&c, "header .user").await.contains(name), "{user}");
        assert!(text(&c, "nav.main-nav").await.contains(on_bar), "{user} navigation");
        if user == "graduate" {
            assert!(text(&c, "#my-record").await.contains("湘潭大学"));
        }
        if user == "admin" {
            // The audit log sits in the 系统管理 menu, closed until clicked.
            assert!(!text(&c, "nav.main-nav").await.contains("审计日志"));
            nav(&c, "/admin/audit").await;
            assert!(text(&c, "h1").await.contains("审计日志"));
        }
        log_out(&c).await;
        assert!(c.find(Locator::Css("header .who a[href='/login']")).await.is_ok(), "{user} logged out");
    }

    // A wrong password keeps the user on the form with a message.
    log_in(&c, &base, "admin", "wrong-password-1").await;
    assert!(text(&c, ".errors-summary").await.contains("用户名或密码不正确"));

    // An employer registers, mistypes the credit code, corrects it.
    c.goto(&format!("{base}/employers/register")).await.expect("register page");
    fill(&c, "#name", "湘江云数据科技有限公司").await;
    fill(&c, "#credit_code", "91350100M000100Y44").await;
    fill(&c, "#contact_name", "李娜").await;
    fill(&c, "#contact_phone", "13912345678").await;
    fill(&c, "#username", "xjcloud").await;
    fill(&c, "#password", "cloud2022hr").await;
    pick(&c, "#nature_code option[value='39']").await;
    pick(&c, "#industry_code option[value='34']").await;
    let licence = licence_file();
    attach(&c, "#licence", licence.path()).await;
    // The question is asked in words; a wrong answer is refused like any field.
    assert!(text(&c, "#question-text").await.ends_with("等于几？"));
    fill(&c, "#answer", "99").await;
    click(&c, "form.stacked button[type=submit]").await;
    assert!(text(&c, "#credit_code-error").await.contains("校验位错误"));
    assert!(text(&c, "#answer-error").await.contains("答案不对"));
    assert_eq!(
        c.find(Locator::Css("#name")).await.unwrap().prop("value").await.unwrap().unwrap_or_default(),
        "湘江云数据科技有限公司"
    );
    fill(&c, "#credit_code", "91350100m000100y43").await;
    fill(&c, "#password", "cloud2022hr").await;
    attach(&c, "#licence", licence.path()).await;
    answer_question(&c).await;
    click(&c, "form.stacked button[type=submit]").await;
    assert!(text(&c, ".flash").await.contains("注册成功"));
    log_in(&c, &base, "xjcloud", "cloud2022hr").await;
    assert_eq!(text(&c, "#employer-status").await, "待审核");
    log_out(&c).await;

    // The province approves it, in English this time.
    log_in(&c, &base, "admin", PASSWORD).await;
    click(&c, "header .who a[hreflang=en]").await;
    assert_eq!(text(&c, "h1").await, "Placement dashboard");
    c.goto(&format!("{base}/registry/employers?status=pending")).await.expect("employers");
    follow(&c, c.find(Locator::LinkText("湘江云数据科技有限公司")).await.expect("listed")).await;
    click(&c, "button[value=approve]").await;
    assert_eq!(text(&c, "#employer-status").await, "Approved");

    // Institutions: search, open one, see its colleges.
    c.goto(&format!("{base}/registry/institutions")).await.expect("institutions");
    fill(&c, "#q", "湘潭").await;
    click(&c, "form.filters button[type=submit]").await;
    follow(&c, c.find(Locator::LinkText("湘潭大学")).await.expect("found")).await;
    assert_eq!(text(&c, "h1").await, "湘潭大学");
    assert!(text(&c, "main").await.contains("4143010530"));
    log_out(&c).await;

    // University staff add a college through the form.
    log_in(&c, &base, "staff", PASSWORD).await;
    click(&c, "header .who a[hreflang=zh-CN]").await;
    c.goto(&format!("{base}/registry/institutions")).await.expect("institutions");
    follow(&c, c.find(Locator::LinkText("湘潭大学")).await.expect("own institution")).await;
    fill(&c, "#college_code", "88").await;
    fill(&c, "#college_name", "数字经济学院").await;
    click(&c, "form[action$='/colleges'] button[type=submit]").await;
    assert!(text(&c, ".flash").await.contains("院系已添加"));
    assert!(text(&c, "main").await.contains("数字经济学院"));
    c.close().await.ok();
}

#[tokio::test]
async fn the_province_administers_accounts_and_reads_the_registry_in_a_real_browser() {
    let Some((_driver, c)) = start_browser().await else { return };
    let app = TestApp::demo().await;
    let base = serve(&app).await;
    log_in(&c, &base, "admin", PASSWORD).await;

    // A new staff account: first with mistakes, then right; then edited.
    c.goto(&format!("{base}/admin/accounts")).await.expect("accounts");
    click(&c, "a[href='/admin/accounts/new']").await;
    fill(&c, "#username", "hnu.office").await;
    fill(&c, "#display_name", "湖南大学就业指导中心").await;
    fill(&c, "#password", "short").await;
    c.find(Locator::Css("#role option[value=university_staff]")).await.expect("role").click().await.expect("pick");
    fill(&c, "#institution_code", "99999").await;
    click(&c, "form.stacked button[type=submit]").await;
    assert!(text(&c, "#password-error").await.contains("至少 8 位"));
    assert!(text(&c, "#institution_code-error").await.contains("院校代码不存在"));
    fill(&c, "#password", "hnu2022office").await;
    fill(&c, "#institution_code", "10532").await;
    click(&c, "form.stacked button[type=submit]").await;
    assert!(text(&c, ".flash").await.contains("账号已创建"));
    fill(&c, "#display_name", "湖南大学就业处").await;
    click(&c, "form.stacked button[type=submit]").await;
    assert!(text(&c, ".flash").await.contains("账号已保存"));

    // The cohort's settings: one cancellation more allowed this year.
    c.goto(&format!("{base}/registry/cohorts")).await.expect("cohorts");
    fill(&c, "#cohort-2022 input[name=breach_limit]", "2").await;
    click(&c, "#cohort-2022 button[type=submit]").await;
    assert!(text(&c, ".flash").await.contains("届别设置已保存"));

    // The audit log shows both writes, filtered by actor and entity.
    c.goto(&format!("{base}/admin/audit")).await.expect("audit");
    fill(&c, "#actor", "admin").await;
    c.find(Locator::Css("#entity option[value=account]")).await.expect("entity").click().await.expect("pick");
    click(&c, "form.filters button[type=submit]").await;
    let log = text(&c, "main table").await;
    assert!(log.contains("湖南大学就业处") && log.contains("新增") && log.contains("修改"), "{log}");

    // An API token is shown once.
    c.goto(&format!("{base}/admin/tokens")).await.expect("tokens");
    fill(&c, "#username", "hnu.office").await;
    fill(&c, "#name", "学校系统对接").await;
    click(&c, "form.filters button[type=submit]").await;
    assert!(text(&c, "#new-token").await.starts_with("jy_"));

    // Reference tables: regions by parent, the major catalogue, cohorts, code tables.
    c.goto(&format!("{base}/registry/regions")).await.expect("regions");
    fill(&c, "#parent", "433100").await;
    click(&c, "form.filters button[type=submit]").await;
    assert!(text(&c, "main table").await.contains("吉首市"));
    c.goto(&format!("{base}/registry/majors")).await.expect("majors");
    fill(&c, "#q", "软件").await;
    click(&c, "form.filters button[type=submit]").await;
    assert!(text(&c, "main table").await.contains("080902"));
    c.goto(&format!("{base}/registry/cohorts")).await.expect("cohorts");
    assert!(text(&c, "main table").await.contains("2022"));
    c.goto(&format!("{base}/registry/codes")).await.expect("codes");
    follow(
        &c,
        c.find(Locator::Css("a[href*='kind=destination'][href*='version=2021']")).await.expect("destination codes"),
    )
    .await;
    assert!(text(&c, "main").await.contains("签就业协议形式就业"));
    log_out(&c).await;

    // The new staff member logs in, changes the password, and is kept out of the province's pages.
    log_in(&c, &base, "hnu.office", "hnu2022office").await;
    assert!(text(&c, "#scope-name").await.contains("湖南大学"));
    click(&c, "header .who a[href='/account/password']").await;
    fill(&c, "#current", "hnu2022office").await;
    fill(&c, "#new_password", "hnu2023office").await;
    fill(&c, "#confirm", "hnu2023office").await;
    click(&c, "form.stacked button[type=submit]").await;
    assert!(text(&c, ".flash").await.contains("密码已修改"));
    c.goto(&format!("{base}/admin/audit")).await.expect("audit");
    assert_eq!(text(&c, "h1").await, "无权访问");
    c.close().await.ok();
}

#[tokio::test]
async fn university_staff_upload_a_roster_fix_the_errors_and_upload_again() {
    use crate::roster::{good_row, prepare, xlsx, HEADERS};
    let Some((_driver, c)) = start_browser().await else { return };
    let app = TestApp::demo().await;
    prepare(&app).await;
    let base = serve(&app).await;
    let dir = tempfile::tempdir().expect("dir");
    let mut rows: Vec<Vec<String>> = (1..=6).map(good_row).collect();
    let good = xlsx(&HEADERS, &rows);
    rows[3][3] = format!("{}{}", &rows[3][3][..17], if rows[3][3].ends_with('0') { '1' } else { '0' });
    let bad_path = dir.path().join("生源-有错.xlsx");
    let good_path = dir.path().join("生源.xlsx");
    std::fs::write(&bad_path, xlsx(&HEADERS, &rows)).expect("write");
    std::fs::write(&good_path, good).expect("write");

    log_in(&c, &base, "staff", PASSWORD).await;
    nav(&c, "/outcomes/roster").await;
    c.find(Locator::Css("#file"))
        .await
        .expect("file input")
        .send_keys(bad_path.to_str().unwrap())
        .await
        .expect("choose file");
    click(&c, "#roster-form button[type=submit]").await;
    assert_eq!(text(&c, "#error-count").await, "1");
    let table = text(&c, "#error-table").await;
    assert!(table.contains("5") && table.contains("身份证号") && table.contains("校验位错误"), "{table}");
    let href = c
        .find(Locator::Css("#report-link"))
        .await
        .expect("report link")
        .attr("href")
        .await
        .expect("href")
        .expect("href");
    let mut same_account = app.login("staff").await;
    let report = same_account.get(&href).await;
    assert_eq!(report.status, axum::http::StatusCode::OK);
    assert!(report.body.starts_with("PK"), "an .xlsx file");

    c.find(Locator::Css("#file"))
        .await
        .expect("file input")
        .send_keys(good_path.to_str().unwrap())
        .await
        .expect("choose file");
    click(&c, "#roster-form button[type=submit]").await;
    assert_eq!(text(&c, "#new-rows").await, "6");

    // Then their destinations, in a batch.
    let batch_path = dir.path().join("去向.xlsx");
    let batch_rows: Vec<Vec<String>> = (1..=6)
        .map(|n| vec![format!("T{n:06}"), "10".to_owned(), "长沙某公司".to_owned(), "91350100M000100Y43".to_owned()])
        .collect();
    std::fs::write(&batch_path, xlsx(&["学号", "毕业去向类别代码", "单位名称", "统一社会信用代码"], &batch_rows))
        .expect("write");
    nav(&c, "/outcomes/destinations/import").await;
    c.find(Locator::Css("#file"))
        .await
        .expect("file input")
        .send_keys(batch_path.to_str().unwrap())
        .await
        .expect("choose file");
    click(&c, "#roster-form button[type=submit]").await;
    assert_eq!(text(&c, "#recorded-rows").await, "6");
    c.close().await.ok();
}

#[tokio::test]
async fn staff_download_the_import_templates_from_the_upload_pages() {
    let Some((_driver, c)) = start_browser().await else { return };
    let app = TestApp::demo().await;
    let base = serve(&app).await;
    log_in(&c, &base, "staff", PASSWORD).await;
    for (page, name) in
        [("/outcomes/roster", "生源信息导入模板.xlsx"), ("/outcomes/destinations/import", "毕业去向批量登记模板.xlsx")]
    {
        nav(&c, page).await;
        assert!(text(&c, "#template-link").await.contains("下载导入模板"), "{page}");
        let got = download(&c, "#template-link").await;
        assert_eq!(got[0], 200, "{page}");
        assert_eq!(got[1], kernel::web::export::XLSX);
        assert!(got[2].as_str().unwrap_or("").contains(name), "{got:?}");
        assert_eq!(got[3], "PK", "an .xlsx file");
    }
    c.close().await.ok();
}

#[tokio::test]
async fn a_destination_is_registered_confirmed_and_the_rate_moves() {
    let Some((_driver, c)) = start_browser().await else { return };
    let app = TestApp::demo().await;
    // The demo's own notices read, so the dashboard shows only the reminder this journey sends.
    crate::agreements::read_every_notice(&app).await;
    let base = serve(&app).await;
    let graduate_name = app
        .db
        .fetch_one(
            "SELECT g.name FROM graduates g JOIN accounts a ON a.graduate_id = g.id WHERE a.username = 'graduate'",
            &[],
        )
        .await
        .unwrap()
        .text("name")
        .unwrap();
    let student_no = app.db.fetch_one("SELECT g.student_no FROM graduates g JOIN accounts a ON a.graduate_id = g.id WHERE a.username = 'graduate'", &[]).await.unwrap().text("student_no").unwrap();

    log_in(&c, &base, "staff", PASSWORD).await;
    assert_eq!(text(&c, "#placed-today").await, "0", "staff land on the dashboard");
    nav(&c, "/outcomes/placement").await;
    assert_eq!(text(&c, "#total-placed").await, "0");
    nav(&c, "/outcomes/graduates").await;
    fill(&c, "#q", &student_no).await;
    click(&c, "form.filters button[type=submit]").await;
    follow(&c, c.find(Locator::LinkText(&graduate_name)).await.expect("graduate listed")).await;
    c.find(Locator::Css("#category_code option[value='10']")).await.expect("code 10").click().await.expect("pick");
    fill(&c, "#employer_name", "湘江软件有限公司").await;
    fill(&c, "#credit_code", "91350100M000100Y43").await;
    click(&c, "form.stacked button[type=submit]").await;
    assert!(text(&c, ".flash").await.contains("毕业去向已登记"));
    assert_eq!(text(&c, "#category").await, "签就业协议形式就业");
    assert!(text(&c, "#history").await.contains("湘江软件有限公司"));
    // The agreement's scan goes up as its evidence.
    assert!(text(&c, "#evidence-checklist").await.contains("✗ 就业协议书"));
    let scan = tempfile::Builder::new().suffix(".pdf").tempfile().expect("temp file");
    std::fs::write(scan.path(), b"%PDF-1.4\n% scanned agreement\nstartxref\n0\n%%EOF\n").expect("write scan");
    c.find(Locator::Css("#kind option[value=agreement]")).await.expect("kind").click().await.expect("pick");
    c.find(Locator::Css("#evidence-file"))
        .await
        .expect("file input")
        .send_keys(&scan.path().display().to_string())
        .await
        .expect("choose file");
    click(&c, "#evidence form button[type=submit]").await;
    assert!(text(&c, ".flash").await.contains("证明材料已上传"));
    assert!(text(&c, "#evidence-checklist").await.contains("✓ 就业协议书"));
    assert!(text(&c, "#evidence-files").await.contains(".pdf"));
    // The list narrowed to agreement-type destinations finds the graduate.
    nav(&c, "/outcomes/graduates").await;
    c.find(Locator::Css("#category option[value='10']")).await.expect("category").click().await.expect("pick");
    click(&c, "form.filters button[type=submit]").await;
    assert!(text(&c, "main table").await.contains(&graduate_name));
    log_out(&c).await;

    log_in(&c, &base, "graduate", PASSWORD).await;
    nav(&c, "/outcomes/me").await;
    assert!(text(&c, "#confirmation").await.contains("待确认"));
    click(&c, "button[value=confirm]").await;
    assert!(text(&c, ".flash").await.contains("已确认"));
    assert!(text(&c, "#confirmation").await.contains("已确认"));
    log_out(&c).await;

    log_in(&c, &base, "staff", PASSWORD).await;
    assert_eq!(text(&c, "#placed-today").await, "1", "the dashboard moved");
    assert_eq!(text(&c, "#added-day").await, "1");
    assert!(c.find(Locator::Css("figure svg polyline")).await.is_ok(), "the trend renders");
    c.goto(&format!("{base}/outcomes/placement")).await.expect("placement");
    assert_eq!(text(&c, "#total-placed").await, "1");
    nav(&c, "/outcomes/reports").await;
    c.find(Locator::Css("#period option[value=weekly]")).await.expect("weekly").click().await.expect("pick");
    click(&c, "form.filters button[type=submit]").await;
    assert_eq!(text(&c, "#report-placed").await, "1");
    assert!(c.find(Locator::Css("figure svg")).await.is_ok(), "the chart renders");
    nav(&c, "/outcomes/briefing").await;
    assert!(text(&c, "main").await.contains("按性别"));
    log_out(&c).await;

    // The province sees 湘潭大学 rise, and drills down into its colleges and then majors.
    log_in(&c, &base, "admin", PASSWORD).await;
    assert_eq!(text(&c, "#scope-name").await, "全省");
    assert_eq!(text(&c, "#risers tbody tr:first-child td:first-child").await, "湘潭大学");
    click(&c, "#risers tbody tr:first-child a").await;
    assert_eq!(text(&c, "#unit strong").await, "湘潭大学");
    assert_eq!(text(&c, "#total-placed").await, "1");
    assert!(!text(&c, "#placement-table").await.contains("湖南大学"));
    click(&c, "#placement-table tbody tr:first-child a").await;
    assert!(text(&c, "#unit strong").await.starts_with("湘潭大学 "), "a college of 湘潭大学");
    assert!(text(&c, "#placement-table thead").await.contains("专业"));

    // 湘潭大学's one agreement was signed on paper: the province reminds it to sign online.
    nav(&c, "/outcomes/signing").await;
    click(&c, "#remind-10530").await;
    assert!(text(&c, ".flash").await.contains("已向 1 所院校发送提醒"));
    log_out(&c).await;
    log_in(&c, &base, "staff", PASSWORD).await;
    assert!(text(&c, "#notices").await.contains("网签使用率"));
    click(&c, "#notices button[type=submit]").await;
    assert!(text(&c, ".flash").await.contains("已阅"));
    assert!(c.find(Locator::Css("#notices")).await.is_err(), "read notices leave the dashboard");
    c.close().await.ok();
}

#[tokio::test]
async fn three_parties_sign_an_agreement_online() {
    let Some((_driver, c)) = start_browser().await else { return };
    let app = TestApp::demo().await;
    let base = serve(&app).await;
    let r = app.db.fetch_one("SELECT g.name, g.student_no, g.id_number FROM graduates g JOIN accounts a ON a.graduate_id = g.id WHERE a.username = 'graduate'", &[]).await.unwrap();

    log_in(&c, &base, "employer", PASSWORD).await;
    nav(&c, "/agreements").await;
    fill(&c, "#name", &r.text("name").unwrap()).await;
    fill(&c, "#student_no", &r.text("student_no").unwrap()).await;
    fill(&c, "#id_number", &r.text("id_number").unwrap()).await;
    fill(&c, "#position_title", "软件工程师").await;
    fill(&c, "#monthly_salary", "8000").await;
    click(&c, "form.stacked button[type=submit]").await;
    assert!(text(&c, ".flash").await.contains("签约邀请已发出"));
    let url = c.current_url().await.expect("url").to_string();
    log_out(&c).await;

    for (user, button, status) in [
        ("graduate", "accept", "学生已签名"),
        ("staff", "college_approve", "学院已审核"),
        ("employer", "seal", "单位已盖章"),
        ("staff", "confirm", "生效"),
    ] {
        log_in(&c, &base, user, PASSWORD).await;
        c.goto(&url).await.expect("agreement");
        click(&c, &format!("button[value={button}]")).await;
        assert_eq!(text(&c, "#agreement-status").await, status, "{user} {button}");
        log_out(&c).await;
    }
    // The school finds it among the agreements in force.
    log_in(&c, &base, "staff", PASSWORD).await;
    nav(&c, "/agreements").await;
    c.find(Locator::Css("#status option[value=effective]")).await.expect("status").click().await.expect("pick");
    click(&c, "form.filters button[type=submit]").await;
    assert!(text(&c, "#agreements").await.contains(&r.text("name").unwrap()));
    log_out(&c).await;

    log_in(&c, &base, "graduate", PASSWORD).await;
    c.goto(&url).await.expect("agreement");
    click(&c, "#print-link").await;
    assert!(text(&c, "main").await.contains("软件工程师"));
    nav(&c, "/outcomes/me").await;
    assert_eq!(text(&c, "#category").await, "签就业协议形式就业");
    log_out(&c).await;

    log_in(&c, &base, "admin", PASSWORD).await;
    nav(&c, "/outcomes/signing").await;
    assert!(text(&c, "#above").await.contains("湘潭大学"), "one online agreement of one: 100%");
    c.close().await.ok();
}

#[tokio::test]
async fn an_employer_scans_the_graduates_signing_card() {
    let Some((_driver, c)) = start_browser().await else { return };
    let app = TestApp::demo().await;
    let base = serve(&app).await;
    log_in(&c, &base, "graduate", PASSWORD).await;
    nav(&c, "/agreements/card").await;
    assert!(c.find(Locator::Css("#signing-card figure.qr svg")).await.is_ok(), "the QR code shows");
    let url = text(&c, "#card-url").await;
    assert!(url.starts_with(&format!("{base}/agreements/card/")), "{url}");
    log_out(&c).await;

    // The phone opens the card's address; the employer logs in and lands back on it.
    c.goto(&url).await.expect("card address");
    fill(&c, "#username", "employer").await;
    fill(&c, "#password", PASSWORD).await;
    click(&c, "form.stacked button[type=submit]").await;
    assert!(text(&c, "#card-holder").await.contains("*"), "the ID number is masked");
    fill(&c, "#position_title", "数据分析师").await;
    fill(&c, "#monthly_salary", "7500").await;
    fill(&c, "#work_region_code", "430104").await;
    click(&c, "form.stacked button[type=submit]").await;
    assert!(text(&c, ".flash").await.contains("签约邀请已发出"));
    assert!(text(&c, "#agreement").await.contains("数据分析师"));
    let agreement = format!("{base}/agreements/{}", app.id("SELECT MAX(id) FROM agreements").await);
    log_out(&c).await;

    // Accepted and approved; the employer has no e-seal and uploads the stamped paper's scan.
    for (user, step) in [("graduate", "accept"), ("staff", "college_approve")] {
        log_in(&c, &base, user, PASSWORD).await;
        c.goto(&agreement).await.expect("agreement");
        click(&c, &format!("button[value={step}]")).await;
        log_out(&c).await;
    }
    log_in(&c, &base, "employer", PASSWORD).await;
    c.goto(&agreement).await.expect("agreement");
    let scan = tempfile::Builder::new().suffix(".jpg").tempfile().expect("temp file");
    std::fs::write(scan.path(), crate::support::JPEG).expect("write scan");
    c.find(Locator::Css("#seal-file"))
        .await
        .expect("scan input")
        .send_keys(&scan.path().display().to_string())
        .await
        .expect("choose file");
    click(&c, "#seal-scan-form button[type=submit]").await;
    assert!(text(&c, ".flash").await.contains("已上传盖章扫描件"));
    assert_eq!(text(&c, "#agreement-status").await, "单位已盖章");
    assert!(text(&c, "#seal-method").await.contains("纸质盖章扫描件"));
    c.close().await.ok();
}

#[tokio::test]
async fn a_rejected_employer_reads_why_and_a_graduate_uses_the_workbench_and_card_on_a_phone() {
    let Some((_driver, c)) = start_browser().await else { return };
    let app = TestApp::demo().await;
    let base = serve(&app).await;

    // An employer registers with its licence; the province rejects it, first forgetting the reason.
    c.goto(&format!("{base}/employers/register")).await.expect("register page");
    for (field, value) in [
        ("#name", "麓山数据有限公司"),
        ("#credit_code", "91350100M000100Y43"),
        ("#contact_name", "周敏"),
        ("#contact_phone", "13912345678"),
        ("#username", "lushan"),
        ("#password", "lushan2022hr"),
    ] {
        fill(&c, field, value).await;
    }
    pick(&c, "#nature_code option[value='31']").await;
    pick(&c, "#industry_code option[value='34']").await;
    let licence = licence_file();
    attach(&c, "#licence", licence.path()).await;
    answer_question(&c).await;
    click(&c, "form.stacked button[type=submit]").await;
    assert!(text(&c, ".flash").await.contains("注册成功"));
    log_in(&c, &base, "admin", PASSWORD).await;
    c.goto(&format!("{base}/registry/employers?status=pending")).await.expect("employers");
    follow(&c, c.find(Locator::LinkText("麓山数据有限公司")).await.expect("listed")).await;
    assert_eq!(text(&c, "#employer-nature").await, "国有企业");
    assert!(c.find(Locator::Css("#licence-link")).await.is_ok(), "the licence can be opened");
    click(&c, "button[value=reject]").await;
    assert!(text(&c, "#reason-error").await.contains("请写明不通过的原因"));
    fill(&c, "#reason", "营业执照与单位名称不一致").await;
    click(&c, "button[value=reject]").await;
    assert!(text(&c, ".flash").await.contains("已退回"));
    assert_eq!(text(&c, "#review-reason").await, "营业执照与单位名称不一致");
    log_out(&c).await;
    log_in(&c, &base, "lushan", "lushan2022hr").await;
    assert!(text(&c, "#review-reason").await.contains("营业执照与单位名称不一致"));
    nav(&c, "/agreements").await;
    assert!(text(&c, "#invite-held-back").await.contains("未通过"));
    assert!(c.find(Locator::Css("#position_title")).await.is_err(), "no invitation form");
    log_out(&c).await;

    // The school records a destination; the graduate finds it on the workbench and follows the link.
    let graduate = app.id("SELECT graduate_id FROM accounts WHERE username = 'graduate'").await;
    log_in(&c, &base, "staff", PASSWORD).await;
    c.goto(&format!("{base}/outcomes/graduates/{graduate}")).await.expect("record");
    pick(&c, "#category_code option[value='10']").await;
    fill(&c, "#employer_name", "湘江软件有限公司").await;
    fill(&c, "#credit_code", "91350100M000100Y43").await;
    click(&c, "form.stacked button[type=submit]").await;
    assert!(text(&c, ".flash").await.contains("毕业去向已登记"));
    // The daily report: the province's average, the school's rank, and what the rates mean.
    nav(&c, "/outcomes/reports").await;
    assert_eq!(text(&c, "#own-rank").await.split(" / ").next(), Some("1"));
    assert!(text(&c, "#province-rate").await.ends_with('%'));
    click(&c, "#definitions-link").await;
    assert!(text(&c, "h1").await.contains("统计说明"));
    assert!(text(&c, "#definitions").await.contains("10 签就业协议形式就业"));
    log_out(&c).await;

    log_in(&c, &base, "graduate", PASSWORD).await;
    assert!(text(&c, "#my-destination").await.contains("签就业协议形式就业"));
    click(&c, "#my-destination-link").await;
    assert!(text(&c, "#confirmation").await.contains("待确认"));

    // The signing card on a phone: nothing wider than the screen.
    c.set_window_size(375, 812).await.expect("phone-sized window");
    nav(&c, "/agreements/card").await;
    let widths =
        c.execute("return [document.documentElement.scrollWidth, window.innerWidth];", vec![]).await.expect("widths");
    let (page, screen) = (widths[0].as_i64().unwrap_or(i64::MAX), widths[1].as_i64().unwrap_or(0));
    assert!(screen <= 400, "a phone-sized viewport, not {screen}");
    assert!(page <= screen, "the card page is {page} px wide on a {screen} px screen");
    assert!(c.find(Locator::Css("#signing-card figure.qr svg")).await.is_ok());
    c.close().await.ok();
}

/// Waits until the script has put a value into a field.
async fn value_becomes(c: &Client, selector: &str, expected: &str) {
    let mut last = String::new();
    for _ in 0..100 {
        let field = c.find(Locator::Css(selector)).await.expect("field");
        last = field.prop("value").await.ok().flatten().unwrap_or_default();
        if last == expected {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{selector} holds {last:?}, not {expected:?}");
}

/// Waits until a datalist offers an option with this value.
async fn offered(c: &Client, list: &str, value: &str) {
    let selector = format!("{list} option[value='{value}']");
    for _ in 0..100 {
        if c.find(Locator::Css(&selector)).await.is_ok() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{list} never offered {value}");
}

async fn open_first_graduate(c: &Client, base: &str, app: &TestApp) {
    let id = app
        .id("SELECT MIN(g.id) FROM graduates g JOIN institutions i ON i.id = g.institution_id WHERE i.code = '10530'")
        .await;
    c.goto(&format!("{base}/outcomes/graduates/{id}")).await.expect("open the graduate");
}

#[tokio::test]
async fn the_destination_pickers_search_as_one_types() {
    let Some((_driver, c)) = start_browser().await else { return };
    let app = TestApp::demo().await;
    let base = serve(&app).await;
    let (_, code, name) = crate::forms::registered_employer(&app).await;
    log_in(&c, &base, "staff", PASSWORD).await;
    open_first_graduate(&c, &base, &app).await;
    // A filter box above each code list narrows it; the one code left is picked.
    fill(&c, "#category_code-filter", "研究生").await;
    value_becomes(&c, "#category_code", "801").await;
    let hidden = c
        .find(Locator::Css("#category_code option[value='10']"))
        .await
        .expect("code 10 stays in the list")
        .prop("hidden")
        .await
        .expect("hidden");
    assert_eq!(hidden.as_deref(), Some("true"), "codes that do not match are hidden");
    fill(&c, "#category_code-filter", "签就业协议").await;
    value_becomes(&c, "#category_code", "10").await;
    // Regions and employers are offered by name.
    fill(&c, "#region_code", "岳麓").await;
    offered(&c, "#region_code-options", "430104").await;
    fill(&c, "#region_code", "").await;
    let head: String = name.chars().take(2).collect();
    fill(&c, "#employer_name", &head).await;
    offered(&c, "#employer_name-options", &name).await;
    fill(&c, "#employer_name", "").await;
    // A registered employer's credit code fills in the rest.
    fill(&c, "#credit_code", &code).await;
    value_becomes(&c, "#employer_name", &name).await;
    value_becomes(&c, "#nature_code", "39").await;
    value_becomes(&c, "#industry_code", "34").await;
    value_becomes(&c, "#region_code", "430104").await;
    click(&c, "#destination-form button[type=submit]").await;
    assert!(text(&c, ".flash").await.contains("毕业去向已登记"));
    let history = text(&c, "#history").await;
    assert!(history.contains(&name) && history.contains("湖南省长沙市岳麓区"), "{history}");
    c.close().await.ok();
}

#[tokio::test]
async fn the_destination_form_works_without_javascript() {
    let Some((_driver, c)) = start_browser_without_javascript().await else { return };
    let app = TestApp::demo().await;
    let base = serve(&app).await;
    let (_, code, name) = crate::forms::registered_employer(&app).await;
    log_in(&c, &base, "staff", PASSWORD).await;
    open_first_graduate(&c, &base, &app).await;
    assert!(c.find(Locator::Css("#category_code-filter")).await.is_err(), "no script ran");
    c.find(Locator::Css("#category_code option[value='10']")).await.expect("code 10").click().await.expect("pick");
    fill(&c, "#credit_code", &code).await;
    click(&c, "#destination-form button[type=submit]").await;
    assert!(text(&c, ".flash").await.contains("毕业去向已登记"));
    let history = text(&c, "#history").await;
    assert!(history.contains(&name) && history.contains("湖南省长沙市岳麓区"), "filled in on the server: {history}");
    c.close().await.ok();
}

#[tokio::test]
async fn the_province_follows_a_graduates_audit_trail() {
    let Some((_driver, c)) = start_browser().await else { return };
    let app = TestApp::demo().await;
    let base = serve(&app).await;
    let g = app
        .db
        .fetch_one(
            "SELECT g.id, g.name, g.student_no FROM graduates g JOIN institutions i ON i.id = g.institution_id \
             WHERE i.code = '10530' ORDER BY g.id",
            &[],
        )
        .await
        .unwrap();
    let (id, name, student_no) = (g.i64("id").unwrap(), g.text("name").unwrap(), g.text("student_no").unwrap());
    // Last night the university's staff recorded a destination, then changed the employer.
    let mut staff = app.login("staff").await;
    for employer in ["湘江软件有限公司", "岳麓数据有限公司"] {
        let fields = [("category_code", "10"), ("employer_name", employer), ("credit_code", "91350100M000100Y43")];
        staff.post(&format!("/outcomes/graduates/{id}/destination"), &fields).await;
    }

    log_in(&c, &base, "admin", PASSWORD).await;
    c.goto(&format!("{base}/outcomes/graduates?q={student_no}")).await.expect("graduates");
    follow(&c, c.find(Locator::LinkText(&name)).await.expect("graduate listed")).await;
    click(&c, "#audit-trail").await;
    assert!(text(&c, "#audit-subject").await.contains(&student_no));
    let log = text(&c, "#audit").await;
    assert!(log.contains("staff") && log.contains("登记") && log.contains("毕业去向"), "{log}");
    assert!(log.contains("单位名称：湘江软件有限公司 → 岳麓数据有限公司"), "{log}");
    c.close().await.ok();
}

/// Issue 10: the graduate account form names its graduate by a masked ID
/// number and saves without it; a staff member's view of a graduate's full
/// numbers shows under its own kind in the audit log.
#[tokio::test]
async fn the_province_edits_a_graduate_account_and_finds_who_viewed_personal_data() {
    let Some((_driver, c)) = start_browser().await else { return };
    let app = TestApp::demo().await;
    let base = serve(&app).await;
    let account = app.id("SELECT id FROM accounts WHERE username = 'graduate'").await;
    let g = app
        .db
        .fetch_one(
            "SELECT g.id, g.id_number FROM graduates g JOIN accounts a ON a.graduate_id = g.id WHERE a.id = $1",
            &[account.into()],
        )
        .await
        .unwrap();
    let (graduate, number) = (g.i64("id").unwrap(), g.text("id_number").unwrap());
    app.login("staff").await.get(&format!("/outcomes/graduates/{graduate}")).await;

    log_in(&c, &base, "admin", PASSWORD).await;
    c.goto(&format!("{base}/admin/accounts/{account}")).await.expect("account form");
    let linked = text(&c, "#linked-graduate").await;
    assert!(linked.contains(&kernel::mask::id_number(&number)) && !linked.contains(&number), "{linked}");
    assert!(!c.source().await.expect("source").contains(&number), "no full ID number anywhere in the form");
    fill(&c, "#display_name", "毕业生本人").await;
    click(&c, "form.stacked button[type=submit]").await;
    assert!(text(&c, ".flash").await.contains("账号已保存"));

    c.goto(&format!("{base}/admin/audit")).await.expect("audit");
    pick(&c, "#kind option[value=view]").await;
    click(&c, "form.filters button[type=submit]").await;
    let log = text(&c, "#audit").await;
    assert!(log.contains("查看个人信息") && log.contains("staff") && !log.contains("修改"), "{log}");
    c.close().await.ok();
}

#[tokio::test]
async fn the_province_pages_and_sorts_the_graduates_list() {
    let Some((_driver, c)) = start_browser().await else { return };
    let app = TestApp::demo().await;
    let base = serve(&app).await;
    log_in(&c, &base, "admin", PASSWORD).await;
    c.goto(&format!("{base}/outcomes/graduates")).await.expect("graduates");
    let total = app.count("SELECT COUNT(*) FROM graduates").await;
    let pages = (total + 49) / 50;
    assert!(text(&c, "nav.pager").await.contains(&format!("共 {total} 条，第 1 / {pages} 页")));
    let first = text(&c, "main tbody").await;

    // Forward twice and back once, then to the end and back to the start.
    click(&c, "nav.pager a[rel=next]").await;
    click(&c, "nav.pager a[rel=next]").await;
    assert!(text(&c, "nav.pager").await.contains(&format!("第 3 / {pages} 页")));
    let third = text(&c, "main tbody").await;
    click(&c, "nav.pager a[rel=prev]").await;
    assert!(text(&c, "nav.pager").await.contains(&format!("第 2 / {pages} 页")));
    click(&c, "nav.pager a[rel=next]").await;
    assert_eq!(text(&c, "main tbody").await, third, "the same page again");
    click(&c, "nav.pager a[rel=last]").await;
    assert!(text(&c, "nav.pager").await.contains(&format!("第 {pages} / {pages} 页")));
    click(&c, "nav.pager a[rel=first]").await;
    assert_eq!(text(&c, "main tbody").await, first);

    // By name, then by name again: the other way round, the first name now last.
    let names = |body: String| -> Vec<String> {
        body.lines().filter_map(|l| l.split_whitespace().nth(1).map(str::to_owned)).collect()
    };
    click(&c, "thead a[href*='sort=name']").await;
    let ascending = names(text(&c, "main tbody").await);
    assert!(ascending.windows(2).all(|w| w[0] <= w[1]), "{ascending:?}");
    assert!(c.current_url().await.expect("url").as_str().contains("dir=asc"));
    click(&c, "thead a[href*='sort=name']").await;
    let descending = names(text(&c, "main tbody").await);
    assert!(descending.windows(2).all(|w| w[0] >= w[1]), "{descending:?}");
    let url = c.current_url().await.expect("url").to_string();
    assert!(url.contains("dir=desc") && url.matches("dir=").count() == 1, "{url}");
    // Paging keeps the order.
    click(&c, "nav.pager a[rel=next]").await;
    let next = names(text(&c, "main tbody").await);
    assert!(next.first() <= descending.last(), "{next:?}");
}

#[tokio::test]
async fn the_owner_ends_a_forgotten_session_in_a_real_browser() {
    let Some((_driver, c)) = start_browser().await else { return };
    let app = TestApp::demo().await;
    let base = serve(&app).await;
    // A session left open on another machine.
    let mut forgotten = app.login("staff").await;
    log_in(&c, &base, "staff", PASSWORD).await;
    click(&c, "header .who a[href='/account/sessions']").await;
    assert!(text(&c, "h1").await.contains("我的会话"));
    assert!(text(&c, "#sessions tr.current").await.contains("当前会话"));
    assert!(text(&c, "#sessions tr.current").await.contains("Chrome"), "the browser is named");
    click(&c, "#sessions form button").await;
    assert!(text(&c, ".flash").await.contains("会话已结束"));
    assert_eq!(c.find_all(Locator::Css("#sessions tbody tr")).await.expect("rows").len(), 1);
    assert_eq!(forgotten.get("/account/password").await.status, axum::http::StatusCode::SEE_OTHER);
    c.close().await.ok();
}

#[tokio::test]
async fn an_employer_posts_a_job_the_province_publishes_it_and_a_graduate_finds_it_on_a_phone() {
    let app = TestApp::demo().await;
    let Some((_driver, c)) = start_browser().await else { return };
    let base = serve(&app).await;
    log_in(&c, &base, "employer", PASSWORD).await;
    nav(&c, "/recruitment/postings").await;
    click(&c, "#new-posting").await;
    fill(&c, "#title", "嵌入式软件工程师").await;
    fill(&c, "#description", "负责车载控制器的嵌入式软件开发，熟悉 C 语言。").await;
    pick(&c, "#position_code option[value='13']").await;
    pick(&c, "#industry_code option[value='22']").await;
    pick(&c, "#education_level option[value='2']").await;
    pick(&c, "#region_codes option[value='430200']").await;
    fill(&c, "#headcount", "3").await;
    fill(&c, "#salary_min", "7000").await;
    fill(&c, "#salary_max", "10000").await;
    fill(&c, "#contact_phone", "13912345678").await;
    // First a deadline already past: the form says so beside the field and keeps what was typed.
    fill(&c, "#deadline", "2020-01-01").await;
    click(&c, "#submit-posting").await;
    assert!(text(&c, "#deadline-error").await.contains("截止日期已过"));
    let deadline = (kernel::time::today_china() + chrono::Duration::days(30)).to_string();
    fill(&c, "#deadline", &deadline).await;
    click(&c, "#submit-posting").await;
    assert_eq!(text(&c, "#posting-status").await, "待审核");
    log_out(&c).await;

    log_in(&c, &base, "admin", PASSWORD).await;
    nav(&c, "/recruitment/review").await;
    click(&c, "#review-queue a").await;
    click(&c, "#approve").await;
    log_out(&c).await;

    // A graduate on a phone finds it on the job list and reads it.
    c.set_window_size(375, 812).await.expect("phone-sized window");
    log_in(&c, &base, "graduate", PASSWORD).await;
    nav(&c, "/jobs").await;
    fill(&c, "#q", "嵌入式").await;
    pick(&c, "#region option[value='430000']").await;
    click(&c, "#job-search button[type=submit]").await;
    assert!(text(&c, "#jobs").await.contains("嵌入式软件工程师"));
    assert!(text(&c, "#jobs mark").await.contains("嵌入式"), "the match is marked");
    assert!(text(&c, "#facet-industry").await.contains("制造业"), "counts beside the filters");
    fits_the_screen(&c, "the job list").await;
    // Kept, to be told of new postings like it.
    fill(&c, "#save-name", "株洲嵌入式").await;
    click(&c, "#save-search button[type=submit]").await;
    assert!(text(&c, ".flash").await.contains("已保存"));
    click(&c, "#jobs a").await;
    assert!(text(&c, "#posting-salary").await.contains("7000–10000"));
    assert!(text(&c, "#posting-regions").await.contains("株洲市"));
    click(&c, "#apply").await;
    assert!(text(&c, "#my-application").await.contains("已投递"));
    log_out(&c).await;

    // The employer finds the applicant and shortlists them; the graduate sees it move.
    c.set_window_size(1280, 900).await.expect("desktop window");
    log_in(&c, &base, "employer", PASSWORD).await;
    nav(&c, "/recruitment/postings").await;
    click(&c, "#postings .applicants-link").await;
    assert!(text(&c, "#applicants").await.contains("已查看"));
    click(&c, "#applicants button[value='shortlisted']").await;
    assert!(text(&c, "#applicants").await.contains("初筛通过"));
    log_out(&c).await;
    log_in(&c, &base, "graduate", PASSWORD).await;
    nav(&c, "/recruitment/applications").await;
    assert!(text(&c, "#applications").await.contains("初筛通过"));
    nav(&c, "/recruitment/recommended").await;
    assert!(text(&c, "h1").await.contains("为你推荐"));
    nav(&c, "/recruitment/saved-searches").await;
    click(&c, "#saved-searches h3 a").await;
    assert!(text(&c, "#jobs").await.contains("嵌入式软件工程师"), "the saved search runs again");
    nav(&c, "/messages").await;
    assert!(text(&c, "#unread").await.contains("没有未读消息"));
    c.close().await.ok();
}
