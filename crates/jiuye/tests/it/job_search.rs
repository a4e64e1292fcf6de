//! Job search through the index: Chinese relevance fixtures, filters and
//! their counts, traditional and mistyped queries, the index following the
//! database across two app instances, and a corrupt index rebuilt.

use crate::support::TestApp;
use kernel::config::Config;

/// A published posting, written as the store writes one (with its change-feed row).
#[derive(Clone, Copy)]
struct Fixture {
    title: &'static str,
    description: &'static str,
    regions: &'static [&'static str],
    industry: &'static str,
    position: &'static str,
    education: Option<&'static str>,
    salary_max: Option<i64>,
    public_kind: Option<&'static str>,
}

const FIXTURES: &[Fixture] = &[
    Fixture {
        title: "数据分析师",
        description: "负责业务数据的统计与建模，输出分析报告。",
        regions: &["430104"],
        industry: "34",
        position: "13",
        education: Some("2"),
        salary_max: Some(12000),
        public_kind: None,
    },
    Fixture {
        title: "Java后端软件开发工程师",
        description: "参与平台后端开发，熟悉Spring与数据库。",
        regions: &["430102"],
        industry: "34",
        position: "13",
        education: Some("2"),
        salary_max: Some(15000),
        public_kind: None,
    },
    Fixture {
        title: "软件测试工程师",
        description: "编写测试用例，执行功能与性能测试。",
        regions: &["440305"],
        industry: "34",
        position: "13",
        education: Some("1"),
        salary_max: Some(11000),
        public_kind: None,
    },
    Fixture {
        title: "会计",
        description: "负责日常账务处理，熟悉财务软件者优先。",
        regions: &["430103"],
        industry: "35",
        position: "21",
        education: None,
        salary_max: Some(6000),
        public_kind: None,
    },
    Fixture {
        title: "中学数学教师",
        description: "承担初中数学教学工作，具备教师资格证。",
        regions: &["430602"],
        industry: "42",
        position: "24",
        education: Some("2"),
        salary_max: None,
        public_kind: Some("2"),
    },
    Fixture {
        title: "乡镇综合岗（选调生）",
        description: "面向应届毕业生的选调生招录，按公告报名考试。",
        regions: &["433101"],
        industry: "45",
        position: "10",
        education: Some("2"),
        salary_max: Some(5000),
        public_kind: Some("1"),
    },
];

/// One statement in a transaction of its own.
async fn exec(app: &TestApp, sql: &str, params: &[kernel::Value]) {
    let mut tx = app.db.begin().await.expect("begin");
    tx.execute(sql, params).await.expect(sql);
    tx.commit().await.expect("commit");
}

async fn employer(app: &TestApp) -> i64 {
    exec(
        app,
            "INSERT INTO employers (credit_code, name, contact_name, contact_phone, status, created_at) \
             VALUES ('91430100MA4L000000', '湖南麓谷信息科技有限公司', '王经理', '13800000000', 'approved', '2022-01-01T00:00:00.000Z')",
        &[],
    )
    .await;
    app.id("SELECT MAX(id) FROM employers").await
}

/// Writes a published posting the way the store does: row, places, change-feed entry.
async fn publish(app: &TestApp, employer: i64, f: &Fixture) -> i64 {
    publish_at(app, employer, f, "2022-03-01T00:00:00.000Z").await
}

async fn publish_at(app: &TestApp, employer: i64, f: &Fixture, approved_at: &str) -> i64 {
    let mut tx = app.db.begin().await.expect("begin");
    let id = tx
        .insert_returning_id(
            "INSERT INTO postings (employer_id, title, description, position_code, industry_code, education_level, headcount, \
             salary_min, salary_max, contact_name, contact_phone, deadline, public_sector_kind, status, approved_at, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, 3, $7, $8, '王经理', '13800000000', '2099-12-31', $9, 'approved', \
             $10, '2022-03-01T00:00:00.000Z', '2022-03-01T00:00:00.000Z')",
            &[
                employer.into(),
                f.title.into(),
                f.description.into(),
                f.position.into(),
                f.industry.into(),
                f.education.map(str::to_owned).into(),
                f.salary_max.map(|m| m / 2).into(),
                f.salary_max.into(),
                f.public_kind.map(str::to_owned).into(),
                approved_at.into(),
            ],
        )
        .await
        .expect("posting");
    for region in f.regions {
        tx.execute(
            "INSERT INTO posting_regions (posting_id, region_code) VALUES ($1, $2)",
            &[id.into(), (*region).into()],
        )
        .await
        .expect("region");
    }
    tx.execute(
        "INSERT INTO posting_changes (posting_id, changed_at) VALUES ($1, '2022-03-01T00:00:00.000Z')",
        &[id.into()],
    )
    .await
    .expect("change");
    tx.commit().await.expect("commit");
    id
}

async fn fixtures(app: &TestApp) -> Vec<i64> {
    let employer = employer(app).await;
    let mut ids = Vec::new();
    for f in FIXTURES {
        ids.push(publish(app, employer, f).await);
    }
    ids
}

/// The posting ids a job list shows, in order.
fn listed(body: &str) -> Vec<i64> {
    let list = body.split("id=\"jobs\"").nth(1).unwrap_or("");
    list.split("href=\"/jobs/").skip(1).filter_map(|rest| rest.split('"').next()?.parse().ok()).collect()
}

async fn search(app: &TestApp, query: &str) -> (Vec<i64>, String) {
    let r = app.client().get(&format!("/jobs?{query}")).await;
    assert_eq!(r.status, 200, "{query}: {}", r.body);
    (listed(&r.body), r.body)
}

fn q(words: &str) -> String {
    format!("q={}", url::form_urlencoded::byte_serialize(words.as_bytes()).collect::<String>())
}

#[tokio::test]
async fn chinese_words_find_and_rank_the_right_postings() {
    let app = TestApp::empty().await;
    let ids = fixtures(&app).await;
    let (analyst, java, tester, accountant, teacher) = (ids[0], ids[1], ids[2], ids[3], ids[4]);

    // Segmentation: 数据分析 finds 数据分析师 first.
    let (found, body) = search(&app, &q("数据分析")).await;
    assert_eq!(found.first(), Some(&analyst), "{found:?}");
    assert!(body.contains("<mark>数据分析</mark>"), "the match is marked");

    // A place and a word: software postings in 长沙 (a title match before a description one), not 深圳's.
    let (found, _) = search(&app, &q("长沙 软件")).await;
    assert_eq!(found.first(), Some(&java), "{found:?}");
    assert!(found.contains(&accountant), "财务软件 in 长沙: {found:?}");
    assert!(!found.contains(&tester), "深圳 is not 长沙: {found:?}");

    // Traditional characters and full-width letters fold to what postings say.
    let (found, _) = search(&app, &q("軟件 測試")).await;
    assert_eq!(found, [tester]);
    let (found, _) = search(&app, &q("ＪＡＶＡ")).await;
    assert_eq!(found, [java]);

    // The employer's name and the position category's name are searched too.
    let (found, _) = search(&app, &q("麓谷 教学")).await;
    assert_eq!(found, [teacher]);

    // Mistyped: nothing matches strictly, near matches are offered and said to be near.
    let (found, body) = search(&app, &q("软件开法")).await;
    assert_eq!(found.first(), Some(&java), "{found:?}");
    assert!(body.contains("id=\"near\""), "near matches are said to be near");
    let (found, _) = search(&app, &q("jvaa")).await;
    assert_eq!(found, [java]);

    // What is typed is words, never query syntax.
    let (found, _) = search(&app, &q("title:会计 OR \"*\" (")).await;
    assert!(found.is_empty() || found == [accountant], "{found:?}");
    let (found, _) = search(&app, &q("！！！")).await;
    assert_eq!(found.len(), FIXTURES.len(), "punctuation only: every open posting");
}

#[tokio::test]
async fn filters_narrow_and_count_beside_each_value() {
    let app = TestApp::empty().await;
    let ids = fixtures(&app).await;

    // 长沙 (4301) takes in its districts; the count beside 长沙's districts adds up.
    let (found, body) = search(&app, "region=430100").await;
    assert_eq!(found.len(), 3, "{found:?}");
    assert!(body.contains("id=\"facet-industry\""), "counts beside the filters");
    let industry = body.split("id=\"facet-industry\"").nth(1).unwrap_or("").split("</section>").next().unwrap_or("");
    assert!(industry.contains("信息传输、软件和信息技术服务业</a> <span class=\"count\">2</span>"), "{industry}");

    // Two filters and words: 深圳's tester is out; the 工程技术人员 category's analyst comes after the title's match.
    let (found, _) = search(&app, &format!("{}&region=430000&industry=34", q("工程师"))).await;
    assert_eq!(found, [ids[1], ids[0]]);

    // Education: a 本科 graduate sees 本科 posts and those open to any level.
    let (found, _) = search(&app, "education=2").await;
    assert!(found.contains(&ids[3]) && !found.contains(&ids[2]), "{found:?}");

    // Pay floor (面议 left out), public-sector kinds, still open on a later day.
    let (found, _) = search(&app, "salary=11500").await;
    assert_eq!(found.len(), 2, "{found:?}");
    let (found, _) = search(&app, "public=all").await;
    assert_eq!(found.len(), 2);
    let (found, _) = search(&app, "public=1").await;
    assert_eq!(found, [ids[5]], "kind 1 is 机关, not any kind");
    let (found, _) = search(&app, "public=2").await;
    assert_eq!(found, [ids[4]]);
    let (found, _) = search(&app, "until=2100-01-01").await;
    assert!(found.is_empty());

    // Nonsense in the filters narrows nothing and breaks nothing.
    let (found, _) = search(&app, "industry=%3Cscript%3E&region=abc&salary=-5&until=nonsense&page=99999").await;
    assert!(found.is_empty(), "page far beyond the last: {found:?}");
}

#[tokio::test]
async fn a_posting_written_through_one_instance_is_found_through_another() {
    let app = TestApp::empty().await;
    let employer = employer(&app).await;
    // The second server on the same database, with a data folder of its own.
    let other_dir = tempfile::tempdir().expect("dir");
    let other = jiuye::app(app.db.clone(), Config { data_dir: other_dir.path().to_owned(), ..app.config.clone() });
    let ask = |router: axum::Router, words: &'static str| async move {
        let request = axum::http::Request::get(format!("/jobs?{}", q(words))).body(axum::body::Body::empty()).unwrap();
        let response = tower::ServiceExt::oneshot(router, request).await.unwrap();
        let bytes = http_body_util::BodyExt::collect(response.into_body()).await.unwrap().to_bytes();
        listed(&String::from_utf8_lossy(&bytes))
    };
    assert!(ask(other.clone(), "数据分析").await.is_empty(), "both indexes start (and are built) empty");
    assert!(ask(app.router.clone(), "数据分析").await.is_empty());

    let id = publish(&app, employer, &FIXTURES[0]).await;
    assert_eq!(ask(other.clone(), "数据分析").await, [id]);
    assert_eq!(ask(app.router.clone(), "数据分析").await, [id]);

    // Taken down: gone from both.
    exec(&app, "UPDATE postings SET status = 'withdrawn' WHERE id = $1", &[id.into()]).await;
    exec(
        &app,
        "INSERT INTO posting_changes (posting_id, changed_at) VALUES ($1, '2022-03-02T00:00:00.000Z')",
        &[id.into()],
    )
    .await;
    assert!(ask(other, "数据分析").await.is_empty());
    assert!(ask(app.router.clone(), "数据分析").await.is_empty());

    // A third server on the first one's data folder takes an index folder of its own.
    let third = jiuye::app(app.db.clone(), app.config.clone());
    assert!(ask(third, "数据分析").await.is_empty());
    assert!(app.config.data_dir.join("search/postings.2").exists());
}

#[tokio::test]
async fn a_corrupt_index_is_rebuilt_from_the_database() {
    let app = TestApp::empty().await;
    let ids = fixtures(&app).await;
    let folder = app.config.data_dir.join("search/postings");
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(folder.join("meta.json"), b"{ this is not an index").unwrap();
    let (found, _) = search(&app, &q("会计")).await;
    assert_eq!(found, [ids[3]]);
}

#[tokio::test]
async fn a_saved_search_tells_its_graduate_of_new_postings_once() {
    let app = TestApp::demo().await;
    let employer = employer(&app).await;
    let old = publish(&app, employer, &FIXTURES[0]).await;
    let mut graduate = app.login("graduate").await;
    let page = graduate.get(&format!("/jobs?{}&region=430000", q("数据分析"))).await.body;
    assert!(page.contains("id=\"save-search\""), "a graduate may save the search it looks at");
    let query = format!("{}&region=430000", q("数据分析"));
    let r = graduate.post("/jobs/saved", &[("query", &query), ("name", ""), ("notify", "1")]).await;
    assert_eq!(r.status, 303);
    let list = graduate.get("/recruitment/saved-searches").await.body;
    assert!(list.contains("数据分析") && list.contains("有新岗位时提醒"), "{list}");

    // Refused: nothing to search for; another role; someone else's search.
    let r = graduate.post("/jobs/saved", &[("query", "page=2"), ("name", "")]).await;
    assert_eq!(r.status, 303);
    assert_eq!(app.count("SELECT COUNT(*) FROM saved_searches").await, 1, "an empty search is not kept");
    let mut hr = app.login("employer").await;
    assert_eq!(hr.post("/jobs/saved", &[("query", &query)]).await.status, 403);
    let id = app.id("SELECT MAX(id) FROM saved_searches").await;
    assert_eq!(hr.post(&format!("/recruitment/saved-searches/{id}/delete"), &[]).await.status, 403);

    // A check finds nothing new: the posting was there before the search was saved.
    let due = "UPDATE saved_searches SET checked_at = '2000-01-01T00:00:00.000Z'";
    exec(&app, due, &[]).await;
    let jobs_dir = tempfile::tempdir().unwrap();
    let jobs = recruitment::search::JobIndex::new(jobs_dir.path());
    let today = kernel::time::today_china();
    assert_eq!(recruitment::search::saved::tell_new(&app.db, &jobs, today).await.unwrap(), 0);

    // Two new matching postings and one elsewhere: one message, counting two, linking to the search.
    let now = kernel::time::now_utc();
    publish_at(&app, employer, &FIXTURES[0], &now).await;
    publish_at(&app, employer, &FIXTURES[0], &now).await;
    publish_at(&app, employer, &FIXTURES[2], &now).await;
    assert_eq!(recruitment::search::saved::tell_new(&app.db, &jobs, today).await.unwrap(), 0, "not due yet");
    exec(&app, due, &[]).await;
    assert_eq!(recruitment::search::saved::tell_new(&app.db, &jobs, today).await.unwrap(), 1);
    let messages = graduate.get("/messages").await.body;
    assert!(messages.contains("你保存的搜索“数据分析”有 2 个新岗位。"), "{messages}");
    assert!(
        messages.contains("href=\"/jobs?q=%E6%95%B0%E6%8D%AE%E5%88%86%E6%9E%90&#38;region=430000&#38;sort=new\""),
        "{messages}"
    );
    assert!(!hr.get("/messages").await.body.contains("新岗位"), "only its owner is told");

    // Told once: the next check finds nothing newer.
    exec(&app, due, &[]).await;
    assert_eq!(recruitment::search::saved::tell_new(&app.db, &jobs, today).await.unwrap(), 0);
    assert_eq!(graduate.post("/messages/read", &[]).await.status, 303);
    assert!(graduate.get("/messages").await.body.contains("没有未读消息"));
    let audit = "SELECT COUNT(*) FROM audit_log WHERE entity IN ('saved_search', 'message')";
    assert_eq!(app.count(audit).await, 2, "saved and told");

    // Deleted by its owner, it is gone.
    assert_eq!(graduate.post(&format!("/recruitment/saved-searches/{id}/delete"), &[]).await.status, 303);
    assert_eq!(app.count("SELECT COUNT(*) FROM saved_searches").await, 0);
    let _ = old;
}

#[tokio::test]
async fn a_graduate_is_recommended_jobs_with_the_reasons() {
    let app = TestApp::demo().await;
    let employer = employer(&app).await;
    let graduate_id = app.id("SELECT graduate_id FROM accounts WHERE username = 'graduate'").await;
    let me = app
        .db
        .fetch_one(
            "SELECT m.code, m.name FROM graduates g JOIN majors m ON m.id = g.major_id WHERE g.id = $1",
            &[graduate_id.into()],
        )
        .await
        .unwrap();
    let (major_code, major) = (me.text("code").unwrap(), me.text("name").unwrap());
    let now = kernel::time::now_utc();
    // Open to any level, so the graduate's own level does not matter here.
    let any_level = |f: &Fixture| Fixture { education: None, regions: &["440305"], ..*f };
    let wants_major = publish_at(&app, employer, &any_level(&FIXTURES[2]), &now).await;
    let same_kind = publish_at(&app, employer, &any_level(&FIXTURES[0]), &now).await;
    exec(
        &app,
        "INSERT INTO posting_majors (posting_id, major_code) VALUES ($1, $2)",
        &[wants_major.into(), major_code.as_str().into()],
    )
    .await;
    exec(
        &app,
        "INSERT INTO posting_changes (posting_id, changed_at) VALUES ($1, $2)",
        &[wants_major.into(), now.as_str().into()],
    )
    .await;
    let in_changsha = publish_at(&app, employer, &FIXTURES[3], &now).await;
    exec(
        &app,
        "INSERT INTO profiles (graduate_id, intended_regions, visibility, updated_at) VALUES ($1, '430100', 'applied', $2)",
        &[graduate_id.into(), now.as_str().into()],
    )
    .await;

    let mut graduate = app.login("graduate").await;
    let page = graduate.get("/recruitment/recommended").await.body;
    let list = page.split("id=\"recommended\"").nth(1).unwrap_or("");
    let card = |id: i64| {
        list.split(&format!("href=\"/jobs/{id}\""))
            .nth(1)
            .unwrap_or("")
            .split("</li>\n")
            .next()
            .unwrap_or("")
            .to_owned()
    };
    assert!(card(wants_major).contains(&format!("与你的专业 {major} 相符")), "{page}");
    assert!(card(in_changsha).contains("在你想去的 湖南省长沙市"), "{page}");
    let first = listed_in(list);
    assert_eq!(first.first(), Some(&wants_major), "the major weighs most: {first:?}");

    // Applied to, it leaves the picks; postings of its kind are said to be like it.
    let r = graduate.post(&format!("/jobs/{wants_major}/apply"), &[]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let page = graduate.get("/recruitment/recommended").await.body;
    assert!(!page.contains(&format!("href=\"/jobs/{wants_major}\"")));
    let list = page.split("id=\"recommended\"").nth(1).unwrap_or("");
    let card = list.split(&format!("href=\"/jobs/{same_kind}\"")).nth(1).unwrap_or("");
    assert!(card.split("</li>\n").next().unwrap_or("").contains("与你申请过的“软件测试工程师”同类"), "{page}");

    // Looked at, a kind of post brings others of its kind.
    let another = publish_at(&app, employer, &any_level(&FIXTURES[3]), &now).await;
    assert_eq!(graduate.get(&format!("/jobs/{in_changsha}")).await.status, 200);
    let page = graduate.get("/recruitment/recommended").await.body;
    let list = page.split("id=\"recommended\"").nth(1).unwrap_or("");
    let card = list.split(&format!("href=\"/jobs/{another}\"")).nth(1).unwrap_or("");
    assert!(card.split("</li>\n").next().unwrap_or("").contains("与你看过的“会计”同类"), "{page}");

    // Nobody else's page.
    assert_eq!(app.login("employer").await.get("/recruitment/recommended").await.status, 403);
}

/// The posting ids linked from a piece of a page, in order.
fn listed_in(html: &str) -> Vec<i64> {
    html.split("href=\"/jobs/").skip(1).filter_map(|rest| rest.split('"').next()?.parse().ok()).collect()
}
