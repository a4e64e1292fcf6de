//! Big lists: paged by key (every row once, in order, forwards and back),
//! filters and scope on every page, names searched by their start, and
//! exports past the old 100,000-row limit.

use std::collections::HashSet;

use axum::http::StatusCode;

use crate::support::{Client, TestApp};

/// The graduates' ids on a list page, in order.
fn ids(page: &str) -> Vec<i64> {
    linked(page, "/outcomes/graduates/")
}

/// The ids a page links to under `path`, in order.
fn linked(page: &str, path: &str) -> Vec<i64> {
    page.split(&format!("href=\"{path}")).skip(1).filter_map(|rest| rest.split('"').next()?.parse().ok()).collect()
}

/// The href of the pager's link with `rel`, unescaped.
fn link(page: &str, rel: &str) -> Option<String> {
    let at = page.find(&format!("rel=\"{rel}\" href=\""))? + rel.len() + 13;
    Some(page[at..].split('"').next()?.replace("&amp;", "&"))
}

/// Every page from `start` by "next", then back by "previous": the ids in
/// list order, checked to be the same pages both ways.
async fn walk(client: &mut Client, start: &str) -> Vec<i64> {
    walk_by(client, start, ids).await
}

/// `walk`, reading each page's rows with `rows`.
async fn walk_by(client: &mut Client, start: &str, rows: fn(&str) -> Vec<i64>) -> Vec<i64> {
    let mut pages = vec![];
    let mut url = start.to_owned();
    loop {
        let page = client.get(&url).await.body;
        pages.push(rows(&page));
        match link(&page, "next") {
            Some(next) => url = next,
            None => break,
        }
    }
    for expected in pages.iter().rev().skip(1) {
        let page = client.get(&url).await.body;
        url = link(&page, "prev").expect("a previous page");
        assert_eq!(&rows(&client.get(&url).await.body), expected, "the same page going back");
    }
    pages.concat()
}

/// `n` more graduates, copies of the first one of `institution` (or of
/// anywhere) with their own student and ID numbers, `prefix` first.
async fn copies(app: &TestApp, n: i64, institution: Option<i64>, prefix: &str) {
    let of = institution.map(|i| format!("WHERE institution_id = {i}")).unwrap_or_default();
    app.db
        .fetch_all(
            &format!(
                "WITH RECURSIVE n(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM n WHERE k < {n}) \
                 INSERT INTO graduates (cohort_year, institution_id, college_id, major_id, student_no, id_number, name, gender, \
                   birth_date, ethnicity_code, political_code, origin_region_code, urban_rural, education_level, name_initials) \
                 SELECT g.cohort_year, g.institution_id, g.college_id, g.major_id, '{prefix}' || CAST(n.k AS TEXT), \
                   'X{prefix}' || CAST(n.k AS TEXT), g.name, g.gender, g.birth_date, g.ethnicity_code, g.political_code, \
                   g.origin_region_code, g.urban_rural, g.education_level, g.name_initials \
                 FROM n, (SELECT * FROM graduates {of} ORDER BY id LIMIT 1) g"
            ),
            &[],
        )
        .await
        .unwrap();
}

/// Many graduates share a name, and graduates of two institutions share student numbers.
async fn with_ties(app: &TestApp) {
    app.db.fetch_all("UPDATE graduates SET name = '张伟' WHERE id % 3 = 0", &[]).await.unwrap();
    // Numbered from S0 in each institution: unique within it, shared across them.
    let first = "(SELECT MIN(o.id) FROM graduates o WHERE o.institution_id = graduates.institution_id)";
    app.db
        .fetch_all(&format!("UPDATE graduates SET student_no = 'S' || CAST(id - {first} AS TEXT)"), &[])
        .await
        .unwrap();
}

#[tokio::test]
async fn keyset_pages_give_every_graduate_once_in_each_order() {
    let app = TestApp::demo().await;
    with_ties(&app).await;
    let mut admin = app.login("admin").await;
    let all: HashSet<i64> =
        app.db.fetch_all("SELECT id FROM graduates", &[]).await.unwrap().iter().map(|r| r.i64("id").unwrap()).collect();
    for (sort, column) in [("student_no", "student_no"), ("name", "name")] {
        for dir in ["asc", "desc"] {
            let seen = walk(&mut admin, &format!("/outcomes/graduates?sort={sort}&dir={dir}")).await;
            assert_eq!(seen.len(), all.len(), "{sort} {dir}: every row once");
            assert_eq!(seen.iter().copied().collect::<HashSet<_>>(), all, "{sort} {dir}");
            let order = if dir == "asc" { "ASC" } else { "DESC" };
            let expected: Vec<i64> = app
                .db
                .fetch_all(&format!("SELECT id FROM graduates ORDER BY {column} {order}, id {order}"), &[])
                .await
                .unwrap()
                .iter()
                .map(|r| r.i64("id").unwrap())
                .collect();
            assert_eq!(seen, expected, "{sort} {dir}: in order, ties by id");
        }
    }
    // The last page straight away, and an old page number still works.
    let last = admin.get("/outcomes/graduates?end=1").await.body;
    assert!(last.contains(&format!("共 {} 条，第 8 / 8 页", all.len())), "{last}");
    assert!(link(&last, "next").is_none() && link(&last, "prev").is_some());
    let second = admin.get("/outcomes/graduates?page=2").await.body;
    assert!(second.contains("第 2 / 8 页"));
}

#[tokio::test]
async fn agreements_page_newest_first_with_ties() {
    let app = TestApp::demo().await;
    // 130 agreements changed on three days only: most share their time with others.
    app.db
        .fetch_all(
            "INSERT INTO agreements (number, cohort_year, institution_id, college_id, graduate_id, employer_id, status, \
               position_title, created_at, updated_at) \
             SELECT 'N' || CAST(g.id AS TEXT), g.cohort_year, g.institution_id, g.college_id, g.id, \
               (SELECT MIN(id) FROM employers), 'invited', '岗位', '2022-05-01', '2022-05-0' || CAST(g.id % 3 + 1 AS TEXT) \
             FROM graduates g WHERE g.id IN (SELECT id FROM graduates ORDER BY id LIMIT 130)",
            &[],
        )
        .await
        .unwrap();
    let expected: Vec<i64> = app
        .db
        .fetch_all("SELECT id FROM agreements ORDER BY updated_at DESC, id DESC", &[])
        .await
        .unwrap()
        .iter()
        .map(|r| r.i64("id").unwrap())
        .collect();
    let mut admin = app.login("admin").await;
    let rows: fn(&str) -> Vec<i64> = |page| linked(page, "/agreements/");
    assert_eq!(walk_by(&mut admin, "/agreements", rows).await, expected);
}

#[tokio::test]
async fn filters_and_scope_hold_on_every_page() {
    let app = TestApp::demo().await;
    let xtu = app.id("SELECT id FROM institutions WHERE code = '10530'").await;
    copies(&app, 300, Some(xtu), "C").await;
    with_ties(&app).await;
    // Enough destinations for three pages of the staff member's own.
    app.db
        .fetch_all(
            "INSERT INTO destinations (graduate_id, cohort_year, institution_id, last_event_id, category_code, updated_at) \
             SELECT id, cohort_year, institution_id, 0, '10', '2022-06-01' FROM graduates WHERE id % 2 = 0",
            &[],
        )
        .await
        .unwrap();
    let own: HashSet<i64> = app
        .db
        .fetch_all(
            "SELECT g.id FROM graduates g JOIN destinations d ON d.graduate_id = g.id \
             WHERE g.institution_id = $1 AND d.category_code = '10'",
            &[xtu.into()],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| r.i64("id").unwrap())
        .collect();
    assert!(own.len() > 50, "more than a page: {}", own.len());
    let mut staff = app.login("staff").await;
    for sort in ["student_no", "name"] {
        let seen = walk(&mut staff, &format!("/outcomes/graduates?category=10&sort={sort}&dir=desc")).await;
        assert_eq!(seen.len(), own.len(), "{sort}");
        assert_eq!(seen.into_iter().collect::<HashSet<_>>(), own, "only their own, only category 10");
    }
    let first = staff.get("/outcomes/graduates?category=10").await.body;
    assert!(first.contains(&format!("共 {} 条", own.len())));
    // A cursor made up to start among another institution's graduates does not widen the scope.
    let theirs = app
        .id("SELECT MIN(id) FROM graduates WHERE institution_id <> $1".replace("$1", &xtu.to_string()).as_str())
        .await;
    let page = staff.get(&format!("/outcomes/graduates?after={}:", theirs - 1)).await.body;
    let shown = ids(&page);
    assert!(!shown.is_empty());
    for id in shown {
        assert_eq!(app.id(&format!("SELECT institution_id FROM graduates WHERE id = {id}")).await, xtu);
    }
}

#[tokio::test]
async fn names_are_found_by_their_start() {
    let app = TestApp::demo().await;
    let [a, b, c]: [i64; 3] = app
        .db
        .fetch_all("SELECT id FROM graduates ORDER BY id LIMIT 3", &[])
        .await
        .unwrap()
        .iter()
        .map(|r| r.i64("id").unwrap())
        .collect::<Vec<_>>()
        .try_into()
        .unwrap();
    for (id, name) in [(a, "欧阳娜娜"), (b, "欧阳修"), (c, "李欧阳")] {
        app.db.fetch_all("UPDATE graduates SET name = $1 WHERE id = $2", &[name.into(), id.into()]).await.unwrap();
    }
    let mut admin = app.login("admin").await;
    let found = ids(&admin.get("/outcomes/graduates?q=%E6%AC%A7%E9%98%B3").await.body); // 欧阳
    assert_eq!(found.iter().copied().collect::<HashSet<_>>(), HashSet::from([a, b]), "by the start, not the middle");
    let found = ids(&admin.get("/outcomes/graduates?q=%E6%AC%A7%E9%98%B3%E5%A8%9C").await.body); // 欧阳娜
    assert_eq!(found, vec![a]);
    // Wildcards are taken literally.
    assert!(ids(&admin.get("/outcomes/graduates?q=%25").await.body).is_empty());
}

#[tokio::test]
async fn the_whole_province_goes_to_csv_and_excel() {
    let app = TestApp::demo().await;
    let before = app.count("SELECT COUNT(*) FROM graduates").await;
    copies(&app, 100_001, None, "B").await;
    let total = before + 100_001;
    let mut admin = app.login("admin").await;
    let csv = admin.get("/outcomes/graduates?format=csv").await;
    assert_eq!(csv.status, StatusCode::OK);
    assert_eq!(csv.body.lines().count() as i64, total + 1, "the header and every graduate");
    let student_nos: HashSet<&str> = csv.body.lines().skip(1).filter_map(|l| l.split(',').next()).collect();
    assert!(student_nos.contains("B1") && student_nos.contains("B100001"));

    let xlsx = admin.get("/outcomes/graduates?format=xlsx").await;
    assert_eq!(xlsx.status, StatusCode::OK);
    let mut book: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(xlsx.bytes)).unwrap();
    let sheet = calamine::Reader::worksheet_range_at(&mut book, 0).unwrap().unwrap();
    assert_eq!(sheet.height() as i64, total + 1);
    assert_eq!(sheet.get((0, 0)).unwrap().to_string(), "学号");
}

#[tokio::test]
async fn a_database_upgraded_with_new_indexes_is_analysed() {
    let (url, _dir) = crate::support::fresh_database_url().await;
    let db = kernel::Db::connect(&url).await.unwrap();
    let engine = match db.backend() {
        kernel::db::Backend::Sqlite => "sqlite",
        kernel::db::Backend::Postgres => "postgres",
    };
    // The schema before the list indexes, with data in it, then the upgrade.
    let earlier = tempfile::tempdir().unwrap();
    let all = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../migrations").join(engine);
    for entry in std::fs::read_dir(all).unwrap() {
        let entry = entry.unwrap();
        if entry.file_name().to_string_lossy().as_ref() < "0017" {
            std::fs::copy(entry.path(), earlier.path().join(entry.file_name())).unwrap();
        }
    }
    db.migrate_from(earlier.path()).await.unwrap();
    let mut tx = db.begin().await.unwrap();
    tx.execute("INSERT INTO regions (code, name, level) VALUES ('430000', '湖南省', 'province')", &[]).await.unwrap();
    tx.commit().await.unwrap();
    db.migrate().await.unwrap();
    if engine == "sqlite" {
        let stats = db.scalar_i64("SELECT COUNT(*) AS n FROM sqlite_stat1 WHERE tbl = 'regions'", &[]).await.unwrap();
        assert!(stats > 0, "the planner has statistics after the upgrade");
    }
    db.close().await;
}

/// The graduates `condition` (over `g` and `d`) picks, in the list's order.
async fn expected(app: &TestApp, condition: &str, column: &str, dir: &str) -> Vec<i64> {
    app.db
        .fetch_all(
            &format!(
                "SELECT g.id FROM graduates g LEFT JOIN destinations d ON d.graduate_id = g.id \
                 WHERE {condition} ORDER BY g.{column} {dir}, g.id {dir}"
            ),
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| r.i64("id").unwrap())
        .collect()
}

/// A filter that matches many graduates is checked while walking the sort's
/// index, one that matches few is sorted: either way every match comes once, in order.
#[tokio::test]
async fn keyset_pages_give_every_match_once_for_each_filter_and_sort() {
    let app = TestApp::demo().await;
    copies(&app, 9_000, None, "W").await;
    with_ties(&app).await;
    app.db
        .fetch_all(
            "INSERT INTO destinations (graduate_id, cohort_year, institution_id, last_event_id, category_code, updated_at, confirmation) \
             SELECT id, cohort_year, institution_id, 0, CASE WHEN id % 4 = 0 THEN '11' ELSE '10' END, '2022-06-01', \
               CASE WHEN id % 97 = 0 THEN 'disputed' ELSE 'confirmed' END \
             FROM graduates WHERE id % 50 <> 0 AND id NOT IN (SELECT graduate_id FROM destinations)",
            &[],
        )
        .await
        .unwrap();
    // The copies share their original's name and its pinyin initials.
    let shared = app
        .db
        .fetch_one(
            "SELECT name, MAX(name_initials) AS initials FROM graduates WHERE name <> '张伟' \
             GROUP BY name ORDER BY COUNT(*) DESC LIMIT 1",
            &[],
        )
        .await
        .unwrap();
    let (name, initials) = (shared.text("name").unwrap(), shared.text("initials").unwrap());
    let many = kernel::web::listing::WALK_FROM;
    // (the query, the same in SQL, whether it matches enough to be walked)
    let cases = [
        ("category=10".to_owned(), "d.category_code = '10'".to_owned(), Some(true)),
        ("confirmation=disputed".to_owned(), "d.confirmation = 'disputed'".to_owned(), Some(false)),
        ("category=none".to_owned(), "d.graduate_id IS NULL".to_owned(), Some(false)),
        (format!("q={}", percent(&name)), format!("g.name LIKE '{name}%'"), Some(true)),
        ("q=%E5%BC%A0".to_owned(), "g.name LIKE '张%'".to_owned(), None),
        (format!("q={}", initials.to_uppercase()), format!("g.name_initials LIKE '{initials}%'"), Some(true)),
    ];
    let mut admin = app.login("admin").await;
    for (filter, condition, walked) in cases {
        let matches = app
            .count(&format!(
                "SELECT COUNT(*) FROM graduates g LEFT JOIN destinations d ON d.graduate_id = g.id WHERE {condition}"
            ))
            .await;
        if let Some(walked) = walked {
            assert_eq!(matches >= many, walked, "{filter}: {matches} matches");
        }
        for (sort, dir) in [("student_no", "asc"), ("name", "desc"), ("name", "asc"), ("student_no", "desc")] {
            let seen = walk(&mut admin, &format!("/outcomes/graduates?{filter}&sort={sort}&dir={dir}")).await;
            assert_eq!(seen, expected(&app, &condition, sort, dir).await, "{filter} by {sort} {dir}");
        }
    }
}

/// `text` as a URL's query value.
fn percent(text: &str) -> String {
    text.bytes().map(|b| format!("%{b:02X}")).collect()
}

/// A name is found by its pinyin initials (`zs` for 张三), filled when the
/// column was empty, within the searcher's scope.
#[tokio::test]
async fn pinyin_initials_find_a_name_within_the_scope() {
    let app = TestApp::demo().await;
    let xtu = app.id("SELECT id FROM institutions WHERE code = '10530'").await;
    let ours = app.id(&format!("SELECT MIN(id) FROM graduates WHERE institution_id = {xtu}")).await;
    let theirs = app.id(&format!("SELECT MIN(id) FROM graduates WHERE institution_id <> {xtu}")).await;
    app.db
        .fetch_all(
            &format!("UPDATE graduates SET name = '张三', name_initials = '' WHERE id IN ({ours}, {theirs})"),
            &[],
        )
        .await
        .unwrap();
    assert!(registry::graduates::fill_name_initials(&app.db).await.unwrap() >= 2);
    assert_eq!(app.count("SELECT COUNT(*) FROM graduates WHERE name_initials = ''").await, 0, "the demo's too");
    let mut admin = app.login("admin").await;
    for q in ["zs", "ZS", "z"] {
        let found: HashSet<i64> =
            ids(&admin.get(&format!("/outcomes/graduates?q={q}")).await.body).into_iter().collect();
        assert!(found.contains(&ours) && found.contains(&theirs), "{q}: {found:?}");
    }
    assert!(!ids(&admin.get("/outcomes/graduates?q=zsx").await.body).contains(&ours));
    let mut staff = app.login("staff").await;
    let found = ids(&staff.get("/outcomes/graduates?q=zs").await.body);
    assert!(found.contains(&ours) && !found.contains(&theirs), "only their own: {found:?}");
}

/// The category and confirmation filters read the graduate row's copy of its
/// destination (migration 0023): the copy follows every change to the
/// destination (recorded, moved, answered, removed), and each filter, alone or
/// together, pages every match once in every order, within the scope.
#[tokio::test]
async fn destination_filters_follow_each_change_and_hold_the_scope() {
    let app = TestApp::demo().await;
    let xtu = app.id("SELECT id FROM institutions WHERE code = '10530'").await;
    copies(&app, 300, Some(xtu), "K").await;
    with_ties(&app).await;
    let write = |sql: &'static str| {
        let db = app.db.clone();
        async move { db.fetch_all(sql, &[]).await.unwrap() }
    };
    write(
        "INSERT INTO destinations (graduate_id, cohort_year, institution_id, last_event_id, category_code, updated_at) \
         SELECT id, cohort_year, institution_id, 0, '10', '2022-06-01' FROM graduates \
         WHERE id % 3 <> 0 AND id NOT IN (SELECT graduate_id FROM destinations)",
    )
    .await;
    // Moved to another category as a new event moves it, answered, and removed.
    write(
        "INSERT INTO destinations (graduate_id, cohort_year, institution_id, last_event_id, category_code, updated_at) \
         SELECT id, cohort_year, institution_id, 1, '11', '2022-07-01' FROM graduates WHERE id % 5 = 1 \
         ON CONFLICT (graduate_id) DO UPDATE SET category_code = excluded.category_code, confirmation = 'pending'",
    )
    .await;
    write("UPDATE destinations SET confirmation = 'disputed' WHERE graduate_id % 7 = 2").await;
    write("UPDATE destinations SET confirmation = 'confirmed' WHERE graduate_id % 7 = 3").await;
    write("DELETE FROM destinations WHERE graduate_id % 11 = 4").await;
    let stale = app
        .count(
            "SELECT COUNT(*) FROM graduates g LEFT JOIN destinations d ON d.graduate_id = g.id \
             WHERE g.destination_category <> COALESCE(d.category_code, '') \
                OR g.destination_confirmation <> COALESCE(d.confirmation, '')",
        )
        .await;
    assert_eq!(stale, 0, "every graduate row holds its current destination");
    let cases = [
        ("category=11", "d.category_code = '11'"),
        ("confirmation=disputed", "d.confirmation = 'disputed'"),
        ("confirmation=pending&category=10", "d.confirmation = 'pending' AND d.category_code = '10'"),
        ("confirmation=none", "d.graduate_id IS NULL"),
        ("category=none&q=%E5%BC%A0", "d.graduate_id IS NULL AND g.name LIKE '张%'"),
    ];
    let mut admin = app.login("admin").await;
    let mut staff = app.login("staff").await;
    for (filter, condition) in cases {
        for (sort, dir) in [("student_no", "asc"), ("name", "desc"), ("name", "asc"), ("student_no", "desc")] {
            let seen = walk(&mut admin, &format!("/outcomes/graduates?{filter}&sort={sort}&dir={dir}")).await;
            assert_eq!(seen, expected(&app, condition, sort, dir).await, "{filter} by {sort} {dir}");
            let own = format!("{condition} AND g.institution_id = {xtu}");
            let seen = walk(&mut staff, &format!("/outcomes/graduates?{filter}&sort={sort}&dir={dir}")).await;
            assert_eq!(seen, expected(&app, &own, sort, dir).await, "staff: {filter} by {sort} {dir}");
        }
    }
}

/// Agreements searched by a graduate's name page every match once, newest
/// change first, for the province and within a school.
#[tokio::test]
async fn agreements_searched_by_name_page_every_match_once() {
    let app = TestApp::demo().await;
    let xtu = app.id("SELECT id FROM institutions WHERE code = '10530'").await;
    app.db.fetch_all("UPDATE graduates SET name = '张伟' WHERE id % 2 = 0", &[]).await.unwrap();
    // An agreement for every graduate, changed on three days only: most share their time.
    app.db
        .fetch_all(
            "INSERT INTO agreements (number, cohort_year, institution_id, college_id, graduate_id, employer_id, status, \
               position_title, created_at, updated_at) \
             SELECT 'N' || CAST(g.id AS TEXT), g.cohort_year, g.institution_id, g.college_id, g.id, \
               (SELECT MIN(id) FROM employers), 'invited', '岗位', '2022-05-01', '2022-05-0' || CAST(g.id % 3 + 1 AS TEXT) \
             FROM graduates g",
            &[],
        )
        .await
        .unwrap();
    let matching = |scope: String| {
        let db = app.db.clone();
        async move {
            db.fetch_all(
                &format!(
                    "SELECT a.id FROM agreements a JOIN graduates g ON g.id = a.graduate_id \
                     WHERE g.name LIKE '张%' {scope} ORDER BY a.updated_at DESC, a.id DESC"
                ),
                &[],
            )
            .await
            .unwrap()
            .iter()
            .map(|r| r.i64("id").unwrap())
            .collect::<Vec<i64>>()
        }
    };
    let rows: fn(&str) -> Vec<i64> = |page| linked(page, "/agreements/");
    let everyone = matching(String::new()).await;
    assert!(everyone.len() > 50, "more than a page: {}", everyone.len());
    let mut admin = app.login("admin").await;
    assert_eq!(walk_by(&mut admin, "/agreements?q=%E5%BC%A0", rows).await, everyone);
    let own = matching(format!("AND a.institution_id = {xtu}")).await;
    assert!(!own.is_empty());
    let mut staff = app.login("staff").await;
    assert_eq!(walk_by(&mut staff, "/agreements?q=%E5%BC%A0", rows).await, own);
}
