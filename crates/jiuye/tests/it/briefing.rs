//! The quarterly briefing (季度通报): institutions ranked within their group
//! with the change since the previous quarter's end, where graduates went,
//! the university's own view, and the printed A4 layout in Chromium.

use axum::http::StatusCode;
use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{Client, Locator};
use serde_json::json;

use crate::browser::{log_in, log_out, nav, serve, start_browser, text};
use crate::support::{TestApp, PASSWORD};

/// The rows of the table in `<section id="{id}">`, as cell texts (header cells included).
fn rows(page: &str, id: &str) -> Vec<Vec<String>> {
    let Some(start) = page.find(&format!("id=\"{id}\"")) else { return Vec::new() };
    let section = &page[start..start + page[start..].find("</section>").unwrap_or(page.len() - start)];
    section
        .split("<tr>")
        .skip(1)
        .map(|tr| {
            let tr = &tr[..tr.find("</tr>").unwrap_or(tr.len())];
            tr.split("<t")
                .skip(1)
                .map(|cell| {
                    cell[cell.find('>').map_or(0, |at| at + 1)..].split('<').next().unwrap_or("").trim().to_owned()
                })
                .collect()
        })
        .collect()
}

fn rate(cell: &str) -> f64 {
    cell.trim_end_matches('%').parse().unwrap_or(f64::NAN)
}

/// Institutions of a level and ownership with at least two graduates, by code: (code, name).
async fn institutions(app: &TestApp, level: &str, ownership: &str) -> Vec<(String, String)> {
    let sql = "SELECT i.code, i.name FROM institutions i JOIN graduates g ON g.institution_id = i.id \
               WHERE i.level = $1 AND i.ownership = $2 GROUP BY i.code, i.name HAVING COUNT(*) >= 2 ORDER BY i.code";
    let rows = app.db.fetch_all(sql, &[level.into(), ownership.into()]).await.unwrap();
    rows.iter().map(|r| (r.text("code").unwrap(), r.text("name").unwrap())).collect()
}

async fn graduates_of(app: &TestApp, code: &str) -> Vec<i64> {
    let sql =
        "SELECT g.id FROM graduates g JOIN institutions i ON i.id = g.institution_id WHERE i.code = $1 ORDER BY g.id";
    app.db.fetch_all(sql, &[code.into()]).await.unwrap().iter().map(|r| r.i64("id").unwrap()).collect()
}

/// Records a destination as the province would: a category and a region (empty: none),
/// with the employer (or, for further study, the school) the category needs.
async fn place(admin: &mut crate::support::Client, graduate: i64, category: &str, region: &str) {
    let mut fields = vec![("category_code", category), ("region_code", region)];
    match category {
        "10" => fields.extend([("employer_name", "湘江软件有限公司"), ("credit_code", "91350100M000100Y43")]),
        _ if category.starts_with('8') => fields.push(("employer_name", "湘潭大学")),
        _ => {}
    }
    let reply = admin.post(&format!("/outcomes/graduates/{graduate}/destination"), &fields).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "destination {category} for {graduate}: {}", reply.body);
}

/// A known province: two public undergraduate institutions wholly placed (a tie), a
/// third with one graduate gone on to further study (no region), one
/// vocational graduate placed in 长沙; nothing placed before this quarter.
struct Known {
    tied: [(String, String); 2],
    third: (String, String),
    third_graduates: usize,
    in_changsha: usize,
    in_guangdong: usize,
    vocational: String,
}

async fn known_province(app: &TestApp) -> Known {
    let public = institutions(app, "本科", "公办").await;
    let vocational = institutions(app, "专科", "公办").await;
    let mut admin = app.login("admin").await;
    let (a, b, c) = (public[0].clone(), public[1].clone(), public[2].clone());
    let (a_ids, b_ids, c_ids) =
        (graduates_of(app, &a.0).await, graduates_of(app, &b.0).await, graduates_of(app, &c.0).await);
    for id in &a_ids {
        place(&mut admin, *id, "10", "430104").await;
    }
    for id in &b_ids {
        place(&mut admin, *id, "10", "440000").await;
    }
    place(&mut admin, c_ids[0], "80", "").await;
    place(&mut admin, graduates_of(app, &vocational[0].0).await[0], "10", "430104").await;
    let vocational = vocational[0].1.clone();
    let mut tied = [a, b];
    tied.sort_by(|x, y| x.1.cmp(&y.1));
    Known {
        tied,
        third: c,
        third_graduates: c_ids.len(),
        in_changsha: a_ids.len() + 1,
        in_guangdong: b_ids.len(),
        vocational,
    }
}

#[tokio::test]
async fn institutions_are_ranked_within_their_group_with_the_change_since_last_quarter() {
    let app = TestApp::demo().await;
    let known = known_province(&app).await;
    let today = kernel::time::today_china();
    let mut admin = app.login("admin").await;
    let page = admin.get(&format!("/outcomes/briefing?as_of={today}")).await.body;

    let public = rows(&page, "briefing-ranking-undergraduate_public");
    assert_eq!(
        public[0],
        ["排名", "院校", "毕业生数", "已落实", "落实率", "上期落实率", "较上期（百分点）", "上期排名"]
    );
    let lines = &public[1..];
    let all_public = app.count("SELECT COUNT(DISTINCT g.institution_id) FROM graduates g JOIN institutions i ON i.id = g.institution_id WHERE i.level = '本科' AND i.ownership = '公办'").await;
    assert_eq!(lines.len() as i64, all_public);
    // The tie shares first place, the next rank skips to 3, and the rest share 4th.
    let ranked: Vec<(&str, &str)> = lines.iter().take(3).map(|r| (r[0].as_str(), r[1].as_str())).collect();
    assert_eq!(
        ranked,
        [("1", known.tied[0].1.as_str()), ("1", known.tied[1].1.as_str()), ("3", known.third.1.as_str())]
    );
    assert!(lines[3..].iter().all(|r| r[0] == "4" && r[4] == "0.00%"), "the rest tie at 0%");
    // Since the previous quarter's end (nothing placed then, so everyone was first).
    assert_eq!(lines[0][4..], ["100.00%", "0.00%", "+100.00", "1"]);
    let third_change = format!("{:+.2}", 100.0 / known.third_graduates as f64);
    assert_eq!(lines[2][6..], [third_change.as_str(), "1"]);
    assert!(page.contains(&format!("id=\"briefing-previous\">{}", briefing_previous(today))));

    // Groups by level and ownership from data/ranking_groups.csv: the vocational graduate ranks among vocational colleges.
    let vocational = rows(&page, "briefing-ranking-vocational");
    assert_eq!(vocational[1][0], "1");
    assert_eq!(vocational[1][1], known.vocational);
    assert!(vocational.iter().skip(2).all(|r| r[0] == "2"));
    let private = app
        .count("SELECT COUNT(DISTINCT g.institution_id) FROM graduates g JOIN institutions i ON i.id = g.institution_id WHERE i.level = '本科' AND i.ownership = '民办'")
        .await;
    assert_eq!(rows(&page, "briefing-ranking-undergraduate_private").len() as i64 - 1, private);
    assert!(page.contains("民办本科院校和独立学院") && page.contains("各类院校落实率"));

    // Where they went: 长沙 at home, 广东 elsewhere, further study counted apart.
    let regions = rows(&page, "briefing-employer_region");
    let (c, g) = (known.in_changsha, known.in_guangdong);
    let share = |n: usize| format!("{:.2}%", n as f64 / (c + g) as f64 * 100.0);
    assert_eq!(regions[1], ["省内", &c.to_string(), &share(c)]);
    assert_eq!(regions[2], ["长沙市", &c.to_string(), &share(c)]);
    assert_eq!(regions[3], ["省外", &g.to_string(), &share(g)]);
    assert_eq!(regions[4], ["广东省", &g.to_string(), &share(g)]);
    assert_eq!(regions[5], ["合计", &(c + g).to_string(), "100.00%"]);
    assert!(page.contains(&format!("已落实 {} 人，其中登记就业地区 {} 人；未登记就业地区 1 人", c + g + 1, c + g)));

    // A university's staff see their own line and its rank among all, and no one else's figures.
    let mut staff = app.login("staff").await;
    let own = staff.get(&format!("/outcomes/briefing?as_of={today}")).await.body;
    let mine = rows(&own, "briefing-ranking-undergraduate_public");
    let xtu = lines.iter().find(|r| r[1] == "湘潭大学").expect("湘潭大学 ranked");
    assert_eq!(&mine[1..], std::slice::from_ref(xtu));
    assert!(own.contains(&format!("公办本科院校共 {all_public} 所参加排名")));
    for other in [&known.tied[0].1, &known.tied[1].1, &known.third.1] {
        assert!(other == "湘潭大学" || !own.contains(other.as_str()), "{other} is not for 湘潭大学's staff");
    }
    assert!(!own.contains("briefing-ranking-vocational") && !own.contains("各类院校落实率"));

    // The ranking as a workbook: the header, then each group's name and lines, as on the page.
    let xlsx = admin.get(&format!("/outcomes/briefing?as_of={today}&format=xlsx")).await;
    assert_eq!(xlsx.status, StatusCode::OK);
    let mut book: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(xlsx.bytes)).unwrap();
    let sheet = calamine::Reader::worksheet_range_at(&mut book, 0).unwrap().unwrap();
    let cell = |r: usize, c: usize| sheet.get((r, c)).map(|d| d.to_string()).unwrap_or_default();
    assert_eq!(
        (cell(0, 0), cell(1, 0), cell(2, 1)),
        ("排名".into(), "院校排名：公办本科院校".into(), known.tied[0].1.clone())
    );
    let staff_xlsx = staff.get(&format!("/outcomes/briefing?as_of={today}&format=xlsx")).await;
    let mut book: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(staff_xlsx.bytes)).unwrap();
    let sheet = calamine::Reader::worksheet_range_at(&mut book, 0).unwrap().unwrap();
    assert_eq!(sheet.height(), 3, "the header, the group and 湘潭大学's line");

    // In English too.
    let en = admin.get(&format!("/outcomes/briefing?as_of={today}&lang=en")).await.body;
    assert!(en.contains("Ranking: Public undergraduate institutions") && en.contains("Previous rank"));
    assert!(en.contains("In the province") && en.contains("with no region recorded"));
}

/// The last day of the quarter before `day`'s.
fn briefing_previous(day: chrono::NaiveDate) -> chrono::NaiveDate {
    outcomes::statistics::briefing::previous_quarter_end(day)
}

#[tokio::test]
async fn the_region_table_shares_add_up_with_no_region_as_a_count() {
    let app = TestApp::demo().await;
    known_province(&app).await;
    let mut admin = app.login("admin").await;
    let page = admin.get("/outcomes/briefing").await.body;
    let table = rows(&page, "briefing-employer_region");
    let count = |r: &Vec<String>| r[1].parse::<u64>().unwrap();
    let home = table.iter().position(|r| r[0] == "省内").expect("in the province");
    let away = table.iter().position(|r| r[0] == "省外").expect("elsewhere");
    let total = table.last().unwrap();
    assert_eq!(count(&table[home]) + count(&table[away]), count(total));
    let (prefectures, provinces) = (&table[home + 1..away], &table[away + 1..table.len() - 1]);
    assert_eq!(prefectures.iter().chain(provinces).map(count).sum::<u64>(), count(total));
    let shares: f64 = prefectures.iter().chain(provinces).map(|r| rate(&r[2])).sum();
    assert!((shares - 100.0).abs() < 0.01 * table.len() as f64, "shares add up: {shares}");
    assert!(!table.iter().any(|r| r[0].contains("未登记")), "no region is not a region with a rate");
}

/// A Chrome DevTools command through chromedriver.
#[derive(Debug)]
struct DevTools(&'static str, serde_json::Value);

impl WebDriverCompatibleCommand for DevTools {
    fn endpoint(&self, base: &url::Url, session: Option<&str>) -> Result<url::Url, url::ParseError> {
        base.join(&format!("session/{}/goog/cdp/execute", session.unwrap_or_default()))
    }

    fn method_and_body(&self, _: &url::Url) -> (axum::http::Method, Option<String>) {
        (axum::http::Method::POST, Some(json!({ "cmd": self.0, "params": self.1 }).to_string()))
    }
}

/// A4 portrait between 15 mm margins: 180 mm at 96 CSS px to the inch.
const A4_PRINTABLE_PX: f64 = 180.0 / 25.4 * 96.0;

/// As the page lays out for print on A4: the furthest right edge of any
/// table or of its last row's cells, and the most any table's box hides by
/// scrolling (a scroll box prints clipped).
async fn printed_widths(c: &Client) -> (f64, f64) {
    c.issue_cmd(DevTools("Emulation.setEmulatedMedia", json!({ "media": "print" }))).await.expect("print media");
    let metrics =
        json!({ "width": A4_PRINTABLE_PX.floor() as i64, "height": 1000, "deviceScaleFactor": 1, "mobile": false });
    c.issue_cmd(DevTools("Emulation.setDeviceMetricsOverride", metrics)).await.expect("A4 width");
    let measured = c
        .execute(
            "const tables = [...document.querySelectorAll('table')];
             const right = (e) => e.getBoundingClientRect().right;
             const last = tables.flatMap(t => [...t.rows[t.rows.length - 1].cells].map(right));
             const furthest = Math.max(document.documentElement.scrollWidth, ...tables.map(right), ...last);
             const hidden = Math.max(0, ...[...document.querySelectorAll('.table-wrap')].map(w => w.scrollWidth - w.clientWidth));
             return [furthest, hidden];",
            vec![],
        )
        .await
        .expect("measure");
    let width = |i: usize| measured[i].as_f64().unwrap_or(f64::MAX);
    (width(0), width(1))
}

/// Back to the screen.
async fn screen(c: &Client) {
    c.issue_cmd(DevTools("Emulation.clearDeviceMetricsOverride", json!({}))).await.expect("screen size");
    c.issue_cmd(DevTools("Emulation.setEmulatedMedia", json!({ "media": "" }))).await.expect("screen media");
}

/// The page printed to PDF on A4, and its number of pages.
async fn printed_pages(c: &Client) -> usize {
    let pdf = c
        .issue_cmd(DevTools(
            "Page.printToPDF",
            json!({ "paperWidth": 8.27, "paperHeight": 11.69, "preferCSSPageSize": true }),
        ))
        .await
        .expect("print to PDF");
    let data = pdf["data"].as_str().expect("PDF data");
    let bytes = base64::Engine::decode(&base64::engine::general_purpose::STANDARD, data).expect("base64");
    assert!(bytes.starts_with(b"%PDF"));
    let text = String::from_utf8_lossy(&bytes);
    text.matches("/Type /Page").count() - text.matches("/Type /Pages").count()
}

#[tokio::test]
async fn the_briefing_prints_on_a4_and_each_reader_sees_their_part() {
    let app = TestApp::demo().await;
    known_province(&app).await;
    let Some((_driver, c)) = start_browser().await else { return };
    let base = serve(&app).await;

    log_in(&c, &base, "admin", PASSWORD).await;
    nav(&c, "/outcomes/briefing").await;
    assert!(text(&c, "#briefing-ranking-vocational").await.contains("职业技术学院"));
    assert!(text(&c, "#briefing-employer_region").await.contains("长沙市"));
    assert!(
        c.find(Locator::Css("#briefing-ranking-undergraduate_public figure svg")).await.is_ok(),
        "the groups' rates charted"
    );
    let sections = c.find_all(Locator::Css("section.briefing-page")).await.expect("sections").len();
    let last_discipline = text(&c, "#briefing-discipline tbody tr:last-child td:first-child").await;
    let (right, hidden) = printed_widths(&c).await;
    assert!(right <= A4_PRINTABLE_PX, "a table reaches {right}px, past A4's {A4_PRINTABLE_PX}px");
    assert_eq!(hidden, 0.0, "a table is cut by its scroll box");
    assert!(text(&c, "#briefing-discipline tbody tr:last-child").await.contains(&last_discipline));
    let pages = printed_pages(&c).await;
    assert!(pages >= sections && pages <= 2 * sections, "{pages} pages for {sections} tables, each starting a page");
    screen(&c).await;
    // English headers are longer; they wrap rather than widen the table.
    c.goto(&format!("{base}/outcomes/briefing?lang=en")).await.expect("in English");
    let (right, hidden) = printed_widths(&c).await;
    assert!(right <= A4_PRINTABLE_PX && hidden == 0.0, "in English: {right}px, {hidden}px hidden");
    screen(&c).await;
    c.goto(&format!("{base}/outcomes/briefing?lang=zh")).await.expect("in Chinese");
    log_out(&c).await;

    log_in(&c, &base, "staff", PASSWORD).await;
    nav(&c, "/outcomes/briefing").await;
    let ranking = text(&c, "#briefing-ranking-undergraduate_public tbody").await;
    assert!(ranking.contains("湘潭大学") && !ranking.contains("湖南大学"), "{ranking}");
    assert!(c.find(Locator::Css("#briefing-ranking-vocational")).await.is_err());
    assert!(text(&c, "#briefing-ranking-undergraduate_public").await.contains("所参加排名"));
    log_out(&c).await;
    c.close().await.ok();
}
