//! Destinations: staff record them as events, graduates confirm or dispute,
//! and the placement rate is rebuilt for any as-of date.

use axum::http::StatusCode;

use crate::support::TestApp;

async fn graduate_of(app: &TestApp, code: &str) -> i64 {
    app.id(&format!(
        "SELECT MIN(g.id) FROM graduates g JOIN institutions i ON i.id = g.institution_id WHERE i.code = '{code}'"
    ))
    .await
}

#[tokio::test]
async fn staff_record_a_destination_and_the_history_shows_it() {
    let app = TestApp::demo().await;
    let id = graduate_of(&app, "10530").await;
    let mut staff = app.login("staff").await;
    let reply = staff
        .post(
            &format!("/outcomes/graduates/{id}/destination"),
            &[
                ("category_code", "99999"),
                ("credit_code", "91350100M000100Y44"),
                ("region_code", "990000"),
                ("signed_on", "someday"),
            ],
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    for message in ["不在本届代码表中", "校验位错误", "地区代码不存在", "日期格式"] {
        assert!(reply.body.contains(message), "{message}");
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM destination_events").await, 0);

    let fields = [
        ("category_code", "10"),
        ("employer_name", "湘江软件有限公司"),
        ("credit_code", "91350100m000100y43"),
        ("region_code", "430104"),
        ("signed_on", "2022/5/20"),
        ("industry_code", "34"),
    ];
    let before = app.count("SELECT COUNT(*) FROM audit_log").await;
    let reply = staff.post(&format!("/outcomes/graduates/{id}/destination"), &fields).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    // The destination, and the employer it names entered into the registry.
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log").await, before + 2);
    let page = staff.get(&format!("/outcomes/graduates/{id}")).await.body;
    assert!(page.contains("签就业协议形式就业"));
    // The form starts from the current record, ready to update.
    assert!(page.contains("value=\"湘江软件有限公司\"") && page.contains("<option value=\"10\" selected>"));
    assert!(page.contains("91350100M000100Y43"));
    assert!(page.contains("2022-05-20"));
    staff
        .post(
            &format!("/outcomes/graduates/{id}/destination"),
            &[("category_code", "801"), ("employer_name", "湘潭大学")],
        )
        .await;
    assert_eq!(app.count(&format!("SELECT COUNT(*) FROM destination_events WHERE graduate_id = {id}")).await, 2);
    let current = app
        .db
        .fetch_one("SELECT category_code, confirmation FROM destinations WHERE graduate_id = $1", &[id.into()])
        .await
        .unwrap();
    assert_eq!(current.text("category_code").unwrap(), "801");
    assert_eq!(current.text("confirmation").unwrap(), "pending");
    let page = staff.get(&format!("/outcomes/graduates/{id}")).await.body;
    let history = page.split("id=\"history\"").nth(1).unwrap();
    assert!(history.find("境内升学-研究生").unwrap() < history.find("签就业协议形式就业").unwrap(), "newest first");
}

#[tokio::test]
async fn destinations_stay_within_scope() {
    let app = TestApp::demo().await;
    let hnu_graduate = graduate_of(&app, "10532").await;
    let mut staff = app.login("staff").await;
    assert_eq!(staff.get(&format!("/outcomes/graduates/{hnu_graduate}")).await.status, StatusCode::FORBIDDEN);
    let reply =
        staff.post(&format!("/outcomes/graduates/{hnu_graduate}/destination"), &[("category_code", "10")]).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert_eq!(app.count("SELECT COUNT(*) FROM destination_events").await, 0);
    let list = staff.get("/outcomes/graduates").await.body;
    assert!(!list.contains("湖南大学"));
    // College staff see only their college's graduates.
    let college = app.id("SELECT college_id FROM accounts WHERE username = 'college'").await;
    let other = app.id(&format!("SELECT MIN(g.id) FROM graduates g JOIN institutions i ON i.id = g.institution_id WHERE i.code = '10530' AND g.college_id <> {college}")).await;
    let mut college_staff = app.login("college").await;
    assert_eq!(college_staff.get(&format!("/outcomes/graduates/{other}")).await.status, StatusCode::FORBIDDEN);
    // Admin sees the ID number masked; the institution's staff see it whole.
    let xtu_graduate = graduate_of(&app, "10530").await;
    let number = app
        .db
        .fetch_one("SELECT id_number FROM graduates WHERE id = $1", &[xtu_graduate.into()])
        .await
        .unwrap()
        .text("id_number")
        .unwrap();
    assert!(staff.get(&format!("/outcomes/graduates/{xtu_graduate}")).await.body.contains(&number));
    let mut admin = app.login("admin").await;
    let page = admin.get(&format!("/outcomes/graduates/{xtu_graduate}")).await.body;
    assert!(!page.contains(&number) && page.contains(&kernel::mask::id_number(&number)));
}

#[tokio::test]
async fn the_graduate_confirms_or_disputes_its_own_record() {
    let app = TestApp::demo().await;
    let id = app.id("SELECT graduate_id FROM accounts WHERE username = 'graduate'").await;
    let mut graduate = app.login("graduate").await;
    let reply = graduate.post("/outcomes/me/answer", &[("answer", "confirm")]).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert!(
        graduate.get("/").await.body.contains("还没有登记")
            || app.count("SELECT COUNT(*) FROM destinations").await == 0
    );

    let mut staff = app.login("staff").await;
    staff
        .post(
            &format!("/outcomes/graduates/{id}/destination"),
            &[("category_code", "11"), ("employer_name", "长沙某公司")],
        )
        .await;
    let page = graduate.get("/outcomes/me").await.body;
    assert!(page.contains("签劳动合同形式就业") && page.contains("待确认"));
    let reply = graduate.post("/outcomes/me/answer", &[("answer", "dispute"), ("reason", "")]).await;
    assert!(reply.body.contains("请写明异议理由"));
    graduate.post("/outcomes/me/answer", &[("answer", "dispute"), ("reason", "我没有和这家公司签约")]).await;
    let row = app
        .db
        .fetch_one("SELECT confirmation, dispute_reason FROM destinations WHERE graduate_id = $1", &[id.into()])
        .await
        .unwrap();
    assert_eq!(row.text("confirmation").unwrap(), "disputed");
    let queue = staff.get("/outcomes/graduates?confirmation=disputed").await.body;
    assert!(queue.contains("共 1 条"));
    // The dashboards' work list counts it, within each one's scope.
    let disputed = |body: &str| crate::support::text_of(body, "work-disputed");
    assert_eq!(disputed(&staff.get("/outcomes/dashboard").await.body), "1", "the institution's work list");
    assert_eq!(disputed(&app.login("admin").await.get("/outcomes/dashboard").await.body), "1", "the province's");
    let other = app.login("staff10532").await.get("/outcomes/dashboard").await.body;
    assert_eq!(disputed(&other), "0", "another institution's");
    graduate.post("/outcomes/me/answer", &[("answer", "confirm")]).await;
    assert!(graduate.get("/outcomes/me").await.body.contains("已确认"));
    for role in ["admin", "staff", "employer", "expert"] {
        let mut c = app.login(role).await;
        assert_eq!(c.get("/outcomes/me").await.status, StatusCode::FORBIDDEN, "{role}");
        assert_eq!(
            c.post("/outcomes/me/answer", &[("answer", "confirm")]).await.status,
            StatusCode::FORBIDDEN,
            "{role}"
        );
    }
}

/// Records a destination at a chosen instant, as the history would hold it.
async fn event(app: &TestApp, graduate: i64, at: &str, code: &str) {
    use outcomes::destinations::{append, Checked, Codes, Owner};
    let mut tx = app.db.begin().await.unwrap();
    let owner = Owner::of(&mut tx, graduate).await.unwrap();
    let codes = Codes::load(&mut tx, "2021").await.unwrap();
    let checked = Checked { category: code.to_owned(), ..Checked::default() };
    append(&mut tx, &kernel::audit::AuditActor::system("test"), &owner, &codes, &checked, at).await.unwrap();
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn remembered_figures_follow_each_change_to_the_days_it_reaches() {
    let app = TestApp::demo().await;
    let unplaced: Vec<i64> = app
        .db
        .fetch_all(
            "SELECT id FROM graduates g WHERE cohort_year = 2022 AND NOT EXISTS \
             (SELECT 1 FROM destination_events e WHERE e.graduate_id = g.id) ORDER BY id LIMIT 2",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| r.i64("id").unwrap())
        .collect();
    let placements = outcomes::statistics::Placements::new(app.db.clone(), "43");
    let days: Vec<chrono::NaiveDate> =
        ["2022-06-30", "2022-08-31", "2022-12-31"].iter().map(|d| d.parse().unwrap()).collect();
    let d = outcomes::statistics::rates::Definition::V2021;
    let placed = || async {
        let by_day = outcomes::statistics::by_group_days(
            &placements,
            &kernel::auth::Scope::Province,
            2022,
            &days,
            outcomes::statistics::Grouping::Institution,
            d,
            kernel::Locale::Zh,
        )
        .await
        .unwrap();
        by_day.iter().map(|b| b.total.placed(d)).collect::<Vec<u64>>()
    };
    let before = placed().await;
    // Recorded on 10 September: only the year's end moves.
    event(&app, unplaced[0], "2022-09-10T02:00:00.000Z", "10").await;
    assert_eq!(placed().await, vec![before[0], before[1], before[2] + 1]);
    // Recorded on 1 May: every day moves.
    event(&app, unplaced[1], "2022-05-01T02:00:00.000Z", "10").await;
    assert_eq!(placed().await, vec![before[0] + 1, before[1] + 1, before[2] + 2]);
    // A revision bump with no event changes nothing.
    let mut tx = app.db.begin().await.unwrap();
    tx.execute("UPDATE cohorts SET destination_revision = destination_revision + 1", &[]).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(placed().await, vec![before[0] + 1, before[1] + 1, before[2] + 2]);
}

#[tokio::test]
async fn the_rate_as_of_any_day_is_rebuilt_from_the_history() {
    let app = TestApp::demo().await;
    let xtu = app.id("SELECT id FROM institutions WHERE code = '10530'").await;
    let ids: Vec<i64> = app
        .db
        .fetch_all("SELECT id FROM graduates WHERE institution_id = $1 ORDER BY id LIMIT 4", &[xtu.into()])
        .await
        .unwrap()
        .iter()
        .map(|r| r.i64("id").unwrap())
        .collect();
    let total = app.count(&format!("SELECT COUNT(*) FROM graduates WHERE institution_id = {xtu}")).await;
    // A: signed in May, cancelled in September. B: further study from July. C: freelance on 31 August 23:30 China time. D: nothing.
    event(&app, ids[0], "2022-05-10T02:00:00.000Z", "10").await;
    event(&app, ids[0], "2022-09-10T02:00:00.000Z", "701").await;
    event(&app, ids[1], "2022-07-01T02:00:00.000Z", "801").await;
    event(&app, ids[2], "2022-08-31T15:30:00.000Z", "76").await;
    let mut staff = app.login("staff").await;
    let rate = |body: &str| {
        body.split("id=\"total-placed\">").nth(1).and_then(|s| s.split('<').next()).unwrap_or("").to_owned()
    };
    let at = |day: &str| format!("/outcomes/placement?as_of={day}&by=institution");
    assert_eq!(rate(&staff.get(&at("2022-04-30")).await.body), "0");
    assert_eq!(rate(&staff.get(&at("2022-06-30")).await.body), "1");
    assert_eq!(rate(&staff.get(&at("2022-08-31")).await.body), "3", "the end of 31 August in China counts");
    assert_eq!(rate(&staff.get(&at("2022-12-31")).await.body), "2");
    let page = staff.get(&at("2022-08-31")).await.body;
    assert!(page.contains(&format!(">{total}<")));
    let expected = format!("{:.2}%", 300.0 / total as f64);
    assert!(page.contains(&expected), "rate {expected}");
    // The 2024 definition counts 76 as 自由职业; the total placed stays the same here.
    let page = staff.get(&format!("{}&definition=2024", at("2022-08-31"))).await.body;
    assert_eq!(rate(&page), "3");
    assert!(page.contains("自由职业"));
    // The export has the same numbers.
    let csv = staff.get(&format!("{}&format=csv", at("2022-08-31"))).await.body;
    assert!(csv.contains(&format!("湘潭大学,{total},3,{expected}")), "{csv}");
    // The command line writes the same numbers, as CSV and as .xlsx.
    let dir = tempfile::tempdir().unwrap();
    let url = app.config.database_url.clone().unwrap();
    for format in ["csv", "xlsx"] {
        let out = dir.path().join(format!("placement.{format}"));
        let args = [
            "jiuye",
            "--database-url",
            &url,
            "export",
            "placement",
            "--as-of",
            "2022-08-31",
            "--by",
            "institution",
            "--format",
            format,
            "--output",
            out.to_str().unwrap(),
        ];
        jiuye::cli::run(<jiuye::cli::Cli as clap::Parser>::parse_from(args)).await.unwrap();
    }
    let exported = std::fs::read_to_string(dir.path().join("placement.csv")).unwrap();
    assert!(exported.contains(&format!("湘潭大学,{total},3,{expected}")), "{exported}");
    let mut book: calamine::Xlsx<_> = calamine::open_workbook(dir.path().join("placement.xlsx")).unwrap();
    let sheet = calamine::Reader::worksheet_range_at(&mut book, 0).unwrap().unwrap();
    let xtu_row = sheet.rows().find(|r| r[0] == "湘潭大学").expect("湘潭大学 row");
    assert_eq!(xtu_row[2].to_string(), "3");
    assert_eq!(sheet.get((0, 3)).unwrap().to_string(), "落实率");
    // Staff see only their institution; the province sees all of them.
    assert!(!staff.get(&at("2022-08-31")).await.body.contains("湖南大学"));
    let mut admin = app.login("admin").await;
    assert!(admin.get(&at("2022-08-31")).await.body.contains("湖南大学"));
    // Graduates in several key groups count in each group, and once in the total.
    for by in outcomes::statistics::GROUPINGS.iter().map(|g| g.1) {
        let reply = admin.get(&format!("/outcomes/placement?as_of=2022-08-31&by={by}")).await;
        assert_eq!(reply.status, StatusCode::OK, "{by}");
        assert_eq!(rate(&reply.body), "3", "{by}");
    }
}

#[tokio::test]
async fn demo_destinations_follow_the_year() {
    let app = TestApp::empty().await;
    let opts = jiuye::demo::DemoOptions {
        seed: 11,
        graduates: 3000,
        employers: 200,
        destinations: true,
        postings: 0,
        files: Some(app.config.files()),
        ..Default::default()
    };
    let summary = jiuye::demo::generate(&app.db, &opts, &|_, _| {}).await.unwrap();
    assert!(summary.destination_events > 2500);
    let scope = kernel::auth::Scope::Province;
    let d = outcomes::statistics::rates::Definition::V2021;
    let placements = outcomes::statistics::Placements::new(app.db.clone(), "43");
    let rate = |day: &str| {
        let day = chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d").unwrap();
        let placements = &placements;
        async move {
            let level = outcomes::statistics::Grouping::Level;
            let b = outcomes::statistics::by_group(placements, &scope, 2022, day, level, d, kernel::Locale::Zh)
                .await
                .unwrap();
            let mut by_level = outcomes::statistics::rates::Tally::default();
            for g in &b.groups {
                by_level.merge(&g.tally);
            }
            assert_eq!(by_level, b.total);
            // The projection agrees with the event log read directly.
            let cutoff = kernel::time::end_of_china_day(day);
            let sql = format!(
                "SELECT e.category_code, COUNT(*) AS n FROM destination_events e WHERE e.id = (SELECT MAX(id) FROM destination_events x \
                 WHERE x.graduate_id = e.graduate_id AND x.at < '{cutoff}') GROUP BY e.category_code"
            );
            let from_log: std::collections::HashMap<Option<String>, u64> = placements
                .db()
                .fetch_all(&sql, &[])
                .await
                .unwrap()
                .iter()
                .map(|r| (Some(r.text("category_code").unwrap()), r.i64("n").unwrap() as u64))
                .collect();
            let counted = placements.with(2022, |p| p.count(&scope, day, level)).await.unwrap().unwrap();
            let mut projected = counted.by_code(&counted.total);
            projected.remove(&None);
            assert_eq!(projected, from_log, "{day}");
            (b.total.rate(d), b.total.graduates)
        }
    };
    let (early, n) = rate("2022-02-28").await;
    assert_eq!(n, 3000);
    assert!(early < 0.1, "few before March: {early}");
    let (august, _) = rate("2022-08-31").await;
    let (year_end, _) = rate("2022-12-31").await;
    assert!((0.65..0.95).contains(&august), "31 August: {august}");
    assert!((0.75..0.97).contains(&year_end) && year_end > august, "year end: {year_end}");
    assert!(app.count("SELECT COUNT(*) FROM destinations WHERE confirmation = 'disputed'").await > 0);
    let out_of_order = app
        .count("SELECT COUNT(*) FROM destination_events a JOIN destination_events b ON a.graduate_id = b.graduate_id AND a.id < b.id AND a.at > b.at")
        .await;
    assert_eq!(out_of_order, 0, "a graduate's later event is later in time");
    let stale = app.count("SELECT COUNT(*) FROM destinations d JOIN destination_events e ON e.id = d.last_event_id WHERE e.category_code <> d.category_code").await;
    assert_eq!(stale, 0, "the current state is the last event");
    // Part of the agreement-type destinations came through online signing, as agreements in force.
    let online = app.count("SELECT COUNT(*) FROM agreements WHERE status = 'effective'").await;
    let code10 = app.count("SELECT COUNT(*) FROM destinations WHERE category_code = '10'").await;
    assert!(online > 0 && online < code10, "{online} of {code10}");
    let mismatched = app.count("SELECT COUNT(*) FROM agreements a JOIN destinations d ON d.graduate_id = a.graduate_id WHERE d.category_code <> '10'").await;
    assert_eq!(mismatched, 0);
    let trail = "SELECT COUNT(*) FROM agreement_events e JOIN agreements a ON a.id = e.agreement_id WHERE a.status = 'effective'";
    assert_eq!(app.count(trail).await, online * 5, "invited, signed, approved, sealed, in force");
    assert_eq!(app.count("SELECT COUNT(*) FROM agreements WHERE verify_code IS NULL").await, 0, "each can be checked");
    // Agreements in force are their own evidence; most other records have their documents, some still lack them.
    let online_evidence =
        "SELECT COUNT(*) FROM destination_evidence WHERE kind = 'agreement' AND agreement_id IS NOT NULL";
    assert_eq!(app.count(online_evidence).await, online);
    assert!(app.count("SELECT COUNT(*) FROM destinations WHERE evidence_missing <> ''").await > 0);
    let document = app.id("SELECT MIN(id) FROM destination_evidence WHERE file_sha256 IS NOT NULL").await;
    let mut admin = app.login("admin").await;
    let reply = admin.get(&format!("/outcomes/evidence/{document}")).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.body.starts_with("%PDF-1.4"));
}

#[tokio::test]
async fn demo_data_looks_like_hunan() {
    let app = TestApp::empty().await;
    let opts = jiuye::demo::DemoOptions {
        seed: 5,
        graduates: 30_000,
        employers: 2_000,
        destinations: true,
        postings: 0,
        files: None,
        ..Default::default()
    };
    jiuye::demo::generate(&app.db, &opts, &|_, _| {}).await.unwrap();
    let colleges_of = |code: &str| {
        format!(
            "SELECT COUNT(*) FROM colleges c JOIN institutions i ON i.id = c.institution_id WHERE i.code = '{code}'"
        )
    };
    // Colleges and majors follow the institution's kind.
    let xtu = colleges_of("10530");
    let medicine_or_farming =
        "('临床医学院', '基础医学院', '护理学院', '药学院', '农学院', '动物科学技术学院', '林学院')";
    assert_eq!(app.count(&format!("{xtu} AND c.name IN {medicine_or_farming}")).await, 0);
    let hnu_odd = "SELECT COUNT(*) FROM majors m JOIN institutions i ON i.id = m.institution_id \
                   WHERE i.code = '10532' AND m.name IN ('麻醉学', '水产养殖学', '临床医学')";
    assert_eq!(app.count(hnu_odd).await, 0);
    let arts = colleges_of("13921");
    assert_eq!(app.count(&format!("{arts} AND (c.name LIKE '%水利%' OR c.name LIKE '%医%')")).await, 0);
    let medical = colleges_of("10541");
    assert!(
        app.count(&format!("{medical} AND (c.name LIKE '%医%' OR c.name LIKE '%药%' OR c.name LIKE '%护理%')")).await
            >= 3
    );
    // 哲学 is a small major, not one graduate in thirty.
    let philosophy =
        app.count("SELECT COUNT(*) FROM graduates g JOIN majors m ON m.id = g.major_id WHERE m.name = '哲学'").await;
    assert!(philosophy * 200 < 30_000, "哲学: {philosophy}");
    // Placement on 31 August spreads by institution.
    let cutoff = kernel::time::end_of_china_day(chrono::NaiveDate::from_ymd_opt(2022, 8, 31).unwrap());
    let rates: Vec<f64> = app
        .db
        .fetch_all(
            &format!(
                "SELECT g.institution_id, COUNT(*) AS n, SUM(CASE WHEN e.category_code NOT LIKE '70%' AND e.category_code NOT LIKE '71%' AND e.category_code NOT LIKE '72%' THEN 1 ELSE 0 END) AS placed \
                 FROM graduates g LEFT JOIN destination_events e ON e.id = (SELECT MAX(id) FROM destination_events x WHERE x.graduate_id = g.id AND x.at < '{cutoff}') \
                 GROUP BY g.institution_id HAVING COUNT(*) >= 200"
            ),
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| r.i64("placed").unwrap() as f64 / r.i64("n").unwrap() as f64)
        .collect();
    let (low, high) = rates.iter().fold((1.0f64, 0.0f64), |(l, h), r| (l.min(*r), h.max(*r)));
    assert!(rates.len() > 40 && high - low > 0.2, "31 August from {low:.3} to {high:.3} over {}", rates.len());
    // About half stay in Hunan, 长沙 first; 广东 first outside.
    let employed = "FROM destinations WHERE region_code IS NOT NULL";
    let all = app.count(&format!("SELECT COUNT(*) {employed}")).await as f64;
    let hunan = app.count(&format!("SELECT COUNT(*) {employed} AND region_code LIKE '43%'")).await as f64;
    assert!((0.4..0.65).contains(&(hunan / all)), "in Hunan: {}", hunan / all);
    let first = |width: usize, filter: &str| {
        let sql = format!(
            "SELECT SUBSTR(region_code, 1, {width}) AS area, COUNT(*) AS n {employed} AND {filter} GROUP BY SUBSTR(region_code, 1, {width}) ORDER BY n DESC, area"
        );
        let db = app.db.clone();
        async move { db.fetch_all(&sql, &[]).await.unwrap()[0].text("area").unwrap() }
    };
    assert_eq!(first(4, "region_code LIKE '43%'").await, "4301");
    assert_eq!(first(2, "region_code NOT LIKE '43%'").await, "44");
    // The demo employer has agreements in force and under way.
    let employer = app.id("SELECT employer_id FROM accounts WHERE username = 'employer'").await;
    let agreements =
        |status: &str| format!("SELECT COUNT(*) FROM agreements WHERE employer_id = {employer} AND status {status}");
    assert!(app.count(&agreements("= 'effective'")).await > 0);
    assert!(app.count(&agreements("<> 'effective'")).await > 0);
    // An edit today does not move the dashboard to a flat today.
    let mut staff = app.login("staff").await;
    let graduate = app
        .id("SELECT MIN(g.id) FROM graduates g JOIN institutions i ON i.id = g.institution_id WHERE i.code = '10530'")
        .await;
    let fields = [("category_code", "801"), ("employer_name", "湘潭大学")];
    staff.post(&format!("/outcomes/graduates/{graduate}/destination"), &fields).await;
    let page = staff.get("/outcomes/dashboard").await.body;
    assert!(page.contains("value=\"2022-12-"), "the dashboard opens on the cohort's last days");
}

#[tokio::test]
async fn destinations_in_a_batch_all_or_nothing() {
    let app = TestApp::demo().await;
    let students: Vec<String> = app
        .db
        .fetch_all("SELECT g.student_no FROM graduates g JOIN institutions i ON i.id = g.institution_id WHERE i.code = '10530' ORDER BY g.id LIMIT 3", &[])
        .await
        .unwrap()
        .iter()
        .map(|r| r.text("student_no").unwrap())
        .collect();
    let headers = ["学号", "毕业去向类别代码", "单位名称", "统一社会信用代码", "签约日期"];
    let row = |s: &str, code: &str, credit: &str| {
        vec![s.to_owned(), code.to_owned(), "长沙某公司".to_owned(), credit.to_owned(), "2022-06-01".to_owned()]
    };
    let bad = vec![
        row(&students[0], "10", "91350100M000100Y43"),
        row("NOSUCH", "10", ""),
        row(&students[1], "999", ""),
        row(&students[2], "11", "91350100M000100Y44"),
        row(&students[0], "11", ""),
    ];
    let mut staff = app.login("staff").await;
    let reply = crate::roster::batch_upload(&mut staff, crate::roster::xlsx(&headers, &bad)).await;
    for expected in ["本校本届没有这个学号", "不在本届代码表中", "校验位错误", "与第 2 行重复"]
    {
        assert!(reply.body.contains(expected), "{expected}");
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM destination_events").await, 0);

    let good =
        vec![row(&students[0], "10", "91350100M000100Y43"), row(&students[1], "801", ""), row(&students[2], "76", "")];
    let reply = crate::roster::batch_upload(&mut staff, crate::roster::xlsx(&headers, &good)).await;
    assert_eq!(crate::roster::between(&reply.body, "recorded-rows"), "3", "{}", reply.body);
    assert_eq!(app.count("SELECT COUNT(*) FROM destinations").await, 3);
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log WHERE entity = 'destination_batch'").await, 1);

    // Students of another institution cannot be reached from this one.
    let hnu_student = app.db.fetch_one("SELECT g.student_no FROM graduates g JOIN institutions i ON i.id = g.institution_id WHERE i.code = '10532' ORDER BY g.id", &[]).await.unwrap().text("student_no").unwrap();
    if !students.contains(&hnu_student) {
        let reply =
            crate::roster::batch_upload(&mut staff, crate::roster::xlsx(&headers, &[row(&hnu_student, "10", "")]))
                .await;
        assert!(reply.body.contains("本校本届没有这个学号"));
    }
    for role in ["college", "employer", "graduate", "expert"] {
        let mut c = app.login(role).await;
        assert_eq!(c.get("/outcomes/destinations/import").await.status, StatusCode::FORBIDDEN, "{role}");
        let reply = crate::roster::batch_upload(&mut c, crate::roster::xlsx(&headers, &good)).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{role} posting a batch");
    }
}

#[tokio::test]
async fn a_batch_row_naming_a_registered_employer_by_code_is_filled_in_like_the_form() {
    let app = TestApp::demo().await;
    let (code, name, nature) = {
        let r = app
            .db
            .fetch_one("SELECT credit_code, name, nature_code FROM employers WHERE status = 'approved' AND nature_code IS NOT NULL ORDER BY id LIMIT 1", &[])
            .await
            .unwrap();
        (r.text("credit_code").unwrap(), r.text("name").unwrap(), r.text("nature_code").unwrap())
    };
    let student = app
        .db
        .fetch_one("SELECT g.student_no FROM graduates g JOIN institutions i ON i.id = g.institution_id WHERE i.code = '10530' ORDER BY g.id", &[])
        .await
        .unwrap()
        .text("student_no")
        .unwrap();
    let headers = ["学号", "毕业去向类别代码", "统一社会信用代码", "签约日期"];
    let rows = [vec![student.clone(), "10".to_owned(), code.to_lowercase(), "2022-06-01".to_owned()]];
    let mut staff = app.login("staff").await;
    let reply = crate::roster::batch_upload(&mut staff, crate::roster::xlsx(&headers, &rows)).await;
    assert_eq!(crate::roster::between(&reply.body, "recorded-rows"), "1", "{}", reply.body);
    let row = app
        .db
        .fetch_one("SELECT e.employer_name, e.nature_code FROM destination_events e JOIN graduates g ON g.id = e.graduate_id WHERE g.student_no = $1", &[student.as_str().into()])
        .await
        .unwrap();
    assert_eq!(row.text("employer_name").unwrap(), name);
    assert_eq!(row.text("nature_code").unwrap(), nature);
}

#[tokio::test]
async fn periodic_reports_show_change_and_ranking() {
    let app = TestApp::demo().await;
    let xtu = graduate_of(&app, "10530").await;
    let hnu = graduate_of(&app, "10532").await;
    event(&app, xtu, "2022-08-20T02:00:00.000Z", "10").await;
    event(&app, hnu, "2022-08-30T02:00:00.000Z", "11").await;
    let mut admin = app.login("admin").await;
    let weekly = admin.get("/outcomes/reports?period=weekly&date=2022-08-31").await.body;
    assert!(weekly.contains("周报") && weekly.contains("2022-08-24"));
    let placed = weekly.split("id=\"report-placed\">").nth(1).and_then(|s| s.split('<').next()).unwrap();
    assert_eq!(placed, "2");
    assert!(weekly.contains("<svg"), "a chart in the page");
    let table = weekly.split("id=\"report-table\"").nth(1).unwrap();
    // 湖南大学 gained one this week; 湘潭大学 had its one already.
    let hnu_row = table.split("<tr>").find(|r| r.contains("湖南大学")).unwrap();
    assert!(hnu_row.contains(">1<") && hnu_row.contains("+"), "{hnu_row}");
    // The same report as a workbook, with the ranking charted natively.
    let xlsx = admin.get("/outcomes/reports?period=weekly&date=2022-08-31&format=xlsx").await;
    assert_eq!(xlsx.status, StatusCode::OK);
    assert!(xlsx.body.starts_with("PK") && xlsx.body.contains("xl/charts/chart1.xml"), "a chart in the workbook");
    let png = admin.get("/outcomes/reports?period=weekly&date=2022-08-31&format=png").await;
    assert_eq!(png.status, StatusCode::OK);
    assert!(png.bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "a PNG chart");
    let daily = admin.get("/outcomes/reports?period=daily&date=2022-08-30").await.body;
    assert!(daily.contains("日报"));
    let monthly = admin.get("/outcomes/reports?period=monthly&date=2022-08-31&by=college").await;
    assert_eq!(monthly.status, StatusCode::OK);
    let mut staff = app.login("staff").await;
    let own = staff.get("/outcomes/reports?period=annual&date=2022-12-31").await.body;
    assert!(own.contains("湘潭大学") && !own.contains("湖南大学"));
    for role in ["employer", "graduate", "expert"] {
        let mut c = app.login(role).await;
        assert_eq!(c.get("/outcomes/reports").await.status, StatusCode::FORBIDDEN, "{role}");
    }
}

#[tokio::test]
async fn the_quarterly_briefing_has_every_table() {
    let app = TestApp::demo().await;
    let id = graduate_of(&app, "10530").await;
    let mut staff = app.login("staff").await;
    staff
        .post(
            &format!("/outcomes/graduates/{id}/destination"),
            &[
                ("category_code", "10"),
                ("employer_name", "湘江软件有限公司"),
                ("credit_code", "91350100M000100Y43"),
                ("region_code", "430104"),
            ],
        )
        .await;
    let mut admin = app.login("admin").await;
    let today = kernel::time::today_china();
    let page = admin.get(&format!("/outcomes/briefing?as_of={today}")).await.body;
    for heading in ["总体情况", "按学历层次", "按性别", "按生源地", "按城乡生源", "按学科门类/专业大类", "按就业地区"]
    {
        assert!(page.contains(heading), "{heading}");
    }
    assert!(page.contains("长沙市"), "employment region by prefecture");
    assert!(page.contains("数据来源"));
    let mut graduate = app.login("graduate").await;
    assert_eq!(graduate.get("/outcomes/briefing").await.status, StatusCode::FORBIDDEN);
    // The command line knows the new groupings too.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("region.csv");
    let url = app.config.database_url.clone().unwrap();
    let args = [
        "jiuye",
        "--database-url",
        &url,
        "export",
        "placement",
        "--by",
        "employer_region",
        "--output",
        out.to_str().unwrap(),
    ];
    jiuye::cli::run(<jiuye::cli::Cli as clap::Parser>::parse_from(args)).await.unwrap();
    assert!(std::fs::read_to_string(out).unwrap().contains("长沙市,1,1,100.00%"));
}

#[tokio::test]
async fn the_dashboard_compares_today_with_yesterday_and_last_week() {
    let app = TestApp::demo().await;
    let xtu = app.id("SELECT id FROM institutions WHERE code = '10530'").await;
    let hnu = app.id("SELECT id FROM institutions WHERE code = '10532'").await;
    let ids: Vec<i64> = app
        .db
        .fetch_all("SELECT id FROM graduates WHERE institution_id = $1 ORDER BY id LIMIT 7", &[xtu.into()])
        .await
        .unwrap()
        .iter()
        .map(|r| r.i64("id").unwrap())
        .collect();
    // Two placed before the week began, three during it, one on the day itself (China time).
    for (i, at) in [
        "2022-08-20T02:00:00.000Z",
        "2022-08-24T10:00:00.000Z",
        "2022-08-25T02:00:00.000Z",
        "2022-08-28T02:00:00.000Z",
        "2022-08-30T15:59:00.000Z",
        "2022-08-30T16:00:00.000Z",
    ]
    .iter()
    .enumerate()
    {
        event(&app, ids[i], at, "10").await;
    }
    let mut admin = app.login("admin").await;
    let page = admin.get("/outcomes/dashboard?date=2022-08-31").await;
    assert_eq!(page.status, StatusCode::OK);
    let value = |body: &str, id: &str| {
        body.split(&format!("id=\"{id}\">")).nth(1).and_then(|s| s.split('<').next()).unwrap_or("").to_owned()
    };
    assert_eq!(value(&page.body, "placed-today"), "6");
    assert_eq!(value(&page.body, "added-day"), "1");
    assert_eq!(value(&page.body, "added-week"), "4");
    assert_eq!(value(&page.body, "scope-name"), "全省");
    let risers = page.body.split("id=\"risers\"").nth(1).unwrap();
    assert!(
        risers.contains(&format!(
            "href=\"/outcomes/placement?institution={xtu}&#38;by=college&#38;as_of=2022-08-31\">湘潭大学"
        )),
        "湘潭大学 rose fastest: {}",
        &risers[..risers.len().min(900)]
    );
    assert!(page.body.contains("<polyline"), "the weekly trend");
    // Drilling down: one institution's colleges, within what the role may see.
    let drill = admin.get(&format!("/outcomes/placement?institution={xtu}&by=college&as_of=2022-08-31")).await.body;
    assert_eq!(value(&drill, "total-placed"), "6");
    assert!(drill.contains("<strong>湘潭大学</strong>") && !drill.contains("湖南大学"));
    let mut staff = app.login("staff").await;
    let own = staff.get("/outcomes/dashboard?date=2022-08-31").await.body;
    assert_eq!(value(&own, "scope-name"), "湘潭大学");
    assert_eq!(value(&own, "placed-today"), "6");
    assert!(own.contains("by=major"), "staff drill into a college's majors");
    let college = app.id(&format!("SELECT college_id FROM graduates WHERE id = {}", ids[0])).await;
    assert_eq!(staff.get(&format!("/outcomes/placement?college={college}&by=major")).await.status, StatusCode::OK);
    assert_eq!(staff.get(&format!("/outcomes/placement?institution={hnu}")).await.status, StatusCode::FORBIDDEN);
    let hnu_college = app.id(&format!("SELECT id FROM colleges WHERE institution_id = {hnu} LIMIT 1")).await;
    assert_eq!(staff.get(&format!("/outcomes/placement?college={hnu_college}")).await.status, StatusCode::FORBIDDEN);
    // The projection follows a new write at once.
    event(&app, ids[6], "2022-08-31T03:00:00.000Z", "10").await;
    let page = admin.get("/outcomes/dashboard?date=2022-08-31").await.body;
    assert_eq!(value(&page, "placed-today"), "7");
    // Without a date, a cohort whose records went quiet opens on its last day of changes.
    let page = admin.get("/outcomes/dashboard").await.body;
    assert!(page.contains("value=\"2022-08-31\"") && value(&page, "added-day") == "2", "{}", value(&page, "added-day"));
}

#[tokio::test]
async fn the_destination_list_filters_by_category_and_goes_to_excel() {
    let app = TestApp::demo().await;
    let xtu = graduate_of(&app, "10530").await;
    let student_no = app
        .db
        .fetch_one("SELECT student_no FROM graduates WHERE id = $1", &[xtu.into()])
        .await
        .unwrap()
        .text("student_no")
        .unwrap();
    let mut staff = app.login("staff").await;
    staff
        .post(
            &format!("/outcomes/graduates/{xtu}/destination"),
            &[("category_code", "801"), ("employer_name", "湘潭大学")],
        )
        .await;
    let list = staff.get("/outcomes/graduates?category=801").await.body;
    assert!(list.contains(&student_no) && list.contains("id=\"export-xlsx\""));
    let none = staff.get("/outcomes/graduates?category=none").await.body;
    assert!(!none.contains(&format!(">{student_no}<")), "recorded graduates are not in the unrecorded list");

    // The list as a workbook: the same filter, student numbers kept as text.
    let xlsx = staff.get("/outcomes/graduates?category=801&format=xlsx").await;
    assert_eq!(xlsx.status, StatusCode::OK);
    let mut book: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(xlsx.bytes)).unwrap();
    let sheet = calamine::Reader::worksheet_range_at(&mut book, 0).unwrap().unwrap();
    assert_eq!(sheet.height(), 2, "the header and one graduate");
    assert_eq!(sheet.get((1, 0)), Some(&calamine::Data::String(student_no.clone())));
    assert_eq!(sheet.get((1, 6)).unwrap().to_string(), "境内升学-研究生");
    // As CSV, within the staff member's own institution only.
    let csv = staff.get("/outcomes/graduates?format=csv").await.body;
    assert!(csv.starts_with("\u{feff}学号,姓名,院校"));
    let hnu_student = app.db.fetch_one("SELECT g.student_no FROM graduates g JOIN institutions i ON i.id = g.institution_id WHERE i.code = '10532' ORDER BY g.id", &[]).await.unwrap().text("student_no").unwrap();
    assert!(!csv.contains(&format!("{hnu_student},")), "no other institution's graduates");
    assert_eq!(
        csv.lines().count() as i64 - 1,
        app.count(
            "SELECT COUNT(*) FROM graduates g JOIN institutions i ON i.id = g.institution_id WHERE i.code = '10530'"
        )
        .await
    );
}

#[tokio::test]
async fn answers_in_bulk_reach_every_graduate_named() {
    let app = TestApp::demo().await;
    let graduates =
        app.db.fetch_all("SELECT id, institution_id FROM graduates ORDER BY id LIMIT 7", &[]).await.unwrap();
    let mut tx = app.db.begin().await.unwrap();
    let mut ids = Vec::new();
    for g in &graduates {
        let (id, institution) = (g.i64("id").unwrap(), g.i64("institution_id").unwrap());
        let current = kernel::Record::new()
            .set("graduate_id", id)
            .set("cohort_year", 2022)
            .set("institution_id", institution)
            .set("last_event_id", 0)
            .set("category_code", "701")
            .set("updated_at", "2022-06-01T00:00:00Z");
        tx.insert_records("destinations", vec![current], "").await.unwrap();
        ids.push(id);
    }
    tx.commit().await.unwrap();
    let answers: Vec<(i64, Option<String>)> =
        ids.iter().map(|id| (*id, (id % 2 == 0).then(|| "单位名称有误".to_owned()))).collect();
    let mut tx = app.db.begin().await.unwrap();
    outcomes::destinations::answer_many(&mut tx, &answers).await.unwrap();
    tx.commit().await.unwrap();
    let list = ids.iter().map(|i| i.to_string()).collect::<Vec<_>>().join(",");
    let answered = format!(
        "SELECT COUNT(*) FROM destinations WHERE graduate_id IN ({list}) AND (confirmation = 'confirmed' AND \
         dispute_reason IS NULL OR confirmation = 'disputed' AND dispute_reason = '单位名称有误')"
    );
    assert_eq!(app.count(&answered).await, 7);
}

/// A batch larger than one slice of appends (5,000 rows) is written slice after
/// slice in its one transaction: every row recorded once, one batch record
/// naming each graduate, and the figures count them all.
#[tokio::test]
async fn a_batch_of_more_rows_than_one_slice_records_every_row_once() {
    let app = TestApp::demo().await;
    crate::roster::prepare(&app).await;
    let n = 5_200;
    let mut staff = app.login("staff").await;
    let roster = crate::roster::xlsx(&crate::roster::HEADERS, &crate::roster::many_rows(n));
    let reply = crate::roster::upload(&mut staff, "10530", "big.xlsx", roster).await;
    assert_eq!(crate::roster::between(&reply.body, "new-rows"), n.to_string(), "{}", reply.body);

    let headers = ["学号", "毕业去向类别代码", "单位名称", "签约日期"];
    let rows: Vec<Vec<String>> = (1..=n)
        .map(|i| {
            let category = if i % 2 == 0 { "801" } else { "76" };
            vec![format!("T{i:06}"), category.to_owned(), "长沙某公司".to_owned(), "2022-06-01".to_owned()]
        })
        .collect();
    let reply = crate::roster::batch_upload(&mut staff, crate::roster::xlsx(&headers, &rows)).await;
    assert_eq!(crate::roster::between(&reply.body, "recorded-rows"), n.to_string(), "{}", reply.body);
    let recorded =
        "SELECT COUNT(*) FROM destinations d JOIN graduates g ON g.id = d.graduate_id WHERE g.student_no LIKE 'T%'";
    assert_eq!(app.count(recorded).await, i64::from(n));
    let events = "SELECT COUNT(*) FROM destination_events e JOIN graduates g ON g.id = e.graduate_id WHERE g.student_no LIKE 'T%'";
    assert_eq!(app.count(events).await, i64::from(n), "one event per row, none twice");
    let batch = app.id("SELECT id FROM audit_log WHERE entity = 'destination_batch'").await;
    assert_eq!(app.count(&format!("SELECT COUNT(*) FROM audit_log WHERE batch_id = {batch}")).await, i64::from(n));
    let copied = "SELECT COUNT(*) FROM graduates WHERE student_no LIKE 'T%' AND destination_category IN ('801', '76')";
    assert_eq!(app.count(copied).await, i64::from(n), "each graduate row carries its destination's category");
}
