//! The employer network (issue 12, measures 4 and 5): parks and key employers
//! designated and given plaques by the province, visits recorded by
//! universities and summed up, duplicate employers merged with everything
//! they hold and the merge undone; who may do which, and bad input refused
//! with nothing written.

use axum::http::StatusCode;
use kernel::db::Backend;
use recruitment::network::merge::REFERENCES;

use crate::support::{Client, TestApp};

/// An account `username` (demo password) for employer `employer_id`.
async fn employer_account(app: &TestApp, username: &str, employer_id: i64) {
    let mut tx = app.db.begin().await.unwrap();
    tx.execute(
        "INSERT INTO accounts (username, display_name, password_hash, role, employer_id, active, created_at) \
         SELECT $1, $1, a.password_hash, 'employer', $2, TRUE, a.created_at FROM accounts a WHERE a.username = 'employer'",
        &[username.into(), employer_id.into()],
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

/// An approved employer of Hunan that is no key employer and not the demo's, with its credit code.
async fn plain_employer(app: &TestApp) -> (i64, String) {
    let r = app
        .db
        .fetch_one(
            "SELECT id, credit_code FROM employers WHERE status = 'approved' AND region_code LIKE '43%' \
             AND id NOT IN (SELECT employer_id FROM key_employers) \
             AND id NOT IN (SELECT employer_id FROM accounts WHERE employer_id IS NOT NULL) ORDER BY id",
            &[],
        )
        .await
        .unwrap();
    (r.i64("id").unwrap(), r.text("credit_code").unwrap())
}

fn today() -> String {
    kernel::time::today_china().to_string()
}

fn tomorrow() -> String {
    (kernel::time::today_china() + chrono::Days::new(1)).to_string()
}

#[tokio::test]
async fn the_demo_has_parks_key_employers_and_visits_out_of_the_province() {
    let app = TestApp::demo().await;
    assert!(app.count("SELECT COUNT(*) FROM parks WHERE name = '岳麓山国家大学科技城'").await == 1);
    let demo_employer = app.id("SELECT employer_id FROM accounts WHERE username = 'employer'").await;
    let plaque =
        format!("SELECT COUNT(*) FROM key_employers WHERE employer_id = {demo_employer} AND plaque_no IS NOT NULL");
    assert_eq!(app.count(&plaque).await, 1);
    assert!(app.count("SELECT COUNT(*) FROM visits WHERE region_code NOT LIKE '43%'").await > 0);
    assert!(app.count("SELECT COUNT(*) FROM visits WHERE region_code LIKE '43%'").await > 0);
    let mut hr = app.login("employer").await;
    let home = hr.get("/").await.body;
    assert!(
        home.contains("workbench-key-employer") && home.contains("湖南湘江新区") && home.contains("湘就重"),
        "{home}"
    );
}

#[tokio::test]
async fn the_province_designates_a_key_employer_in_a_park_and_issues_its_plaque() {
    let app = TestApp::demo().await;
    let (employer, code) = plain_employer(&app).await;
    employer_account(&app, "keyhr", employer).await;
    let mut hr = app.login("keyhr").await;
    assert!(!hr.get("/").await.body.contains("workbench-key-employer"), "nothing to show before a designation");

    let mut admin = app.login("admin").await;
    let reply = admin.post("/recruitment/network/parks", &[("name", "测试产业园"), ("region_code", "430104")]).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    let park = app.id("SELECT id FROM parks WHERE name = '测试产业园'").await.to_string();
    let same = admin.post("/recruitment/network/parks", &[("name", "测试产业园"), ("region_code", "430104")]).await;
    assert!(same.body.contains("已有同名园区"));

    let lower = code.to_lowercase();
    let fields =
        [("credit_code", lower.as_str()), ("park_id", &park), ("field_code", "M01"), ("designated_on", &today())];
    let reply = admin.post("/recruitment/network/key-employers", &fields).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    let again = admin.post("/recruitment/network/key-employers", &fields).await;
    assert!(again.body.contains("该单位已是重点用人单位"));
    let key = app.id(&format!("SELECT id FROM key_employers WHERE employer_id = {employer}")).await;
    let plaque = [("plaque_no", "湘就重〔2026〕T01号"), ("issued_on", &today()), ("issued_by", "湖南省教育厅")];
    let reply = admin.post(&format!("/recruitment/network/key-employers/{key}/plaque"), &plaque).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    let twice = admin.post(&format!("/recruitment/network/key-employers/{key}/plaque"), &plaque).await;
    assert_eq!(twice.status, StatusCode::CONFLICT);

    let page = admin.get("/recruitment/network").await.body;
    assert!(page.contains("测试产业园") && page.contains("湘就重〔2026〕T01号") && page.contains("工程机械"));
    let home = hr.get("/").await.body;
    assert!(home.contains("测试产业园") && home.contains("湘就重〔2026〕T01号") && home.contains("湖南省教育厅"));
    let audited = "SELECT COUNT(*) FROM audit_log WHERE entity IN ('park', 'key_employer')";
    assert_eq!(app.count(audited).await, 3);
}

#[tokio::test]
async fn bad_designations_plaques_and_parks_are_refused_with_nothing_written() {
    let app = TestApp::demo().await;
    let (_, code) = plain_employer(&app).await;
    let mut admin = app.login("admin").await;
    let before = app.count("SELECT COUNT(*) FROM key_employers").await;
    let future = [("credit_code", code.as_str()), ("field_code", "M"), ("designated_on", &tomorrow())];
    let reply = admin.post("/recruitment/network/key-employers", &future).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.body.contains("日期不能晚于今天") && reply.body.contains("请选择“三高四新”领域"), "{}", reply.body);
    let unknown = [("credit_code", "91430100MA4L00000X"), ("field_code", "M01"), ("designated_on", "2022-01-01")];
    assert!(admin
        .post("/recruitment/network/key-employers", &unknown)
        .await
        .body
        .contains("找不到该统一社会信用代码的单位"));
    assert_eq!(app.count("SELECT COUNT(*) FROM key_employers").await, before);

    let key = app.id("SELECT MIN(id) FROM key_employers WHERE plaque_no IS NULL").await;
    let designated: String = app
        .db
        .fetch_one("SELECT designated_on FROM key_employers WHERE id = $1", &[key.into()])
        .await
        .unwrap()
        .text("designated_on")
        .unwrap();
    let early = [("plaque_no", "X-1"), ("issued_on", "2000-01-01"), ("issued_by", "湖南省教育厅")];
    let reply = admin.post(&format!("/recruitment/network/key-employers/{key}/plaque"), &early).await;
    assert!(reply.body.contains("授牌日期不能早于认定日期"), "designated {designated}");
    let mut english = app.login("admin").await;
    english.get("/lang?to=en&back=%2F").await;
    let reply = english.post("/recruitment/network/parks", &[("name", ""), ("region_code", "990000")]).await;
    assert!(reply.body.contains("This field is required") && reply.body.contains("Choose where the park is"));
    assert_eq!(app.count("SELECT COUNT(*) FROM key_employers WHERE plaque_no = 'X-1'").await, 0);
}

/// A visit form's fields, to an employer by its credit code.
fn visit<'a>(code: &'a str, on: &'a str, pay: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("kind", "expand"),
        ("visited_on", on),
        ("visitors", "校长 王五，就业处 李四"),
        ("credit_code", code),
        ("region_code", "YRD"),
        ("majors", "软件工程、自动化"),
        ("positions", "25"),
        ("average_pay", pay),
        ("follow_up", "暑期来校专场"),
    ]
}

#[tokio::test]
async fn a_university_records_its_visits_and_sees_its_own_beside_the_province() {
    let app = TestApp::demo().await;
    let (_, code) = plain_employer(&app).await;
    let mut staff = app.login("staff").await;
    assert_eq!(staff.get("/recruitment/visits/new").await.status, StatusCode::OK);
    let before = app.count("SELECT COUNT(*) FROM visits").await;

    // A visit tomorrow, pay in words: refused, nothing written.
    let reply = staff.post("/recruitment/visits", &visit(&code, &tomorrow(), "六千")).await;
    assert!(reply.body.contains("日期不能晚于今天") && reply.body.contains("请填写整数"), "{}", reply.body);
    let nowhere = [("kind", "survey"), ("visited_on", "2022-05-01"), ("visitors", "某某"), ("region_code", "YRD")];
    assert!(staff.post("/recruitment/visits", &nowhere).await.body.contains("请填写走访的单位或选择园区"));
    assert_eq!(app.count("SELECT COUNT(*) FROM visits").await, before);

    let reply = staff.post("/recruitment/visits", &visit(&code, &today(), "6,800")).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    let id = app.id("SELECT MAX(id) FROM visits").await;
    assert_eq!(app.count(&format!("SELECT COUNT(*) FROM visits WHERE id = {id} AND average_pay = 6800")).await, 1);
    assert!(staff.get("/recruitment/visits").await.body.contains("暑期来校专场"));
    let edit = format!("/recruitment/visits/{id}/edit");
    assert!(staff.get(&edit).await.body.contains("value=\"暑期来校专场\""));
    let reply = staff.post(&edit, &visit(&code, &today(), "7000")).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log WHERE entity = 'visit'").await, 2);

    // Another university sees neither the visit nor whose it is; the province's figures include it.
    let xtu = app
        .count("SELECT COUNT(*) FROM visits v JOIN institutions i ON i.id = v.institution_id WHERE i.code = '10530'")
        .await;
    let mut other = app.login("staff10532").await;
    assert_eq!(other.get(&edit).await.status, StatusCode::NOT_FOUND);
    assert_eq!(other.post(&edit, &visit(&code, "2022-05-18", "1")).await.status, StatusCode::NOT_FOUND);
    let list = other.get("/recruitment/visits").await.body;
    assert!(!list.contains("暑期来校专场") && !list.contains("湘潭大学"));
    let summary = other.get("/recruitment/visits/summary").await.body;
    assert!(summary.contains("长三角") && !summary.contains("湘潭大学"), "{summary}");
    let own = staff.get("/recruitment/visits/summary").await.body;
    assert!(own.contains("湘潭大学") && !own.contains("湖南大学"));
    assert!(own.contains(&format!("<td class=\"num\">{xtu}</td>")), "the university's own count");
    let all = app.login("admin").await.get("/recruitment/visits/summary").await.body;
    assert!(all.contains("湘潭大学") && all.contains("湖南大学") && all.contains("<svg"));
    // The province reads every visit but records none.
    let mut admin = app.login("admin").await;
    assert!(admin.get("/recruitment/visits").await.body.contains("暑期来校专场"));
    assert_eq!(admin.post("/recruitment/visits", &visit(&code, "2022-05-18", "1")).await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn each_role_gets_only_its_network_pages_and_writes() {
    let app = TestApp::demo().await;
    let visit_of_xtu = app
        .id("SELECT MIN(v.id) FROM visits v JOIN institutions i ON i.id = v.institution_id WHERE i.code = '10530'")
        .await;
    let edit = format!("/recruitment/visits/{visit_of_xtu}/edit");
    const OFFICES: &[&str] = &["admin", "staff", "college"];
    let pages: Vec<(&str, &[&str])> = vec![
        ("/recruitment/network", OFFICES),
        ("/recruitment/visits", OFFICES),
        ("/recruitment/visits/summary", OFFICES),
        ("/recruitment/visits/new", &["staff", "college"]),
        (&edit, &["staff", "college"]),
        ("/recruitment/duplicates", &["admin"]),
    ];
    let key = app.id("SELECT MIN(id) FROM key_employers").await;
    let plaque = format!("/recruitment/network/key-employers/{key}/plaque");
    let writes = [
        "/recruitment/network/parks",
        "/recruitment/network/key-employers",
        &plaque,
        "/recruitment/duplicates/merge",
        "/recruitment/merges/1/undo",
    ];
    let audit_before =
        app.count("SELECT COUNT(*) FROM audit_log WHERE entity IN ('park', 'key_employer', 'employer')").await;
    for role in ["admin", "staff", "college", "employer", "graduate", "expert"] {
        let mut c: Client = app.login(role).await;
        for (path, allowed) in &pages {
            let status = c.get(path).await.status;
            match allowed.contains(&role) {
                true => assert_eq!(status, StatusCode::OK, "{role} {path}"),
                false => assert!(
                    status == StatusCode::FORBIDDEN || status == StatusCode::NOT_FOUND,
                    "{role} {path}: {status}"
                ),
            }
        }
        if role != "admin" {
            for path in writes {
                assert_eq!(c.post(path, &[("name", "x")]).await.status, StatusCode::FORBIDDEN, "{role} {path}");
            }
        }
        if !["staff", "college"].contains(&role) {
            assert_eq!(
                c.post("/recruitment/visits", &[("kind", "expand")]).await.status,
                StatusCode::FORBIDDEN,
                "{role}"
            );
        }
    }
    let mut anonymous = app.client();
    for (path, _) in &pages {
        assert_eq!(anonymous.get(path).await.status, StatusCode::SEE_OTHER, "anonymous {path}");
    }
    let audit_after =
        app.count("SELECT COUNT(*) FROM audit_log WHERE entity IN ('park', 'key_employer', 'employer')").await;
    assert_eq!(audit_before, audit_after, "no refused write was written");
}

/// The counts of each kind of record an employer holds.
async fn holdings(app: &TestApp, employer: i64) -> [i64; 4] {
    let mut out = [0; 4];
    for (i, table) in ["postings", "applications", "destinations", "agreements"].iter().enumerate() {
        out[i] = app.count(&format!("SELECT COUNT(*) FROM {table} WHERE employer_id = {employer}")).await;
    }
    out
}

#[tokio::test]
async fn a_merge_keeps_every_record_of_both_employers_and_an_undo_restores_them() {
    let app = TestApp::demo().await;
    let kept = app.id("SELECT employer_id FROM accounts WHERE username = 'employer'").await;
    let (merged, merged_code) = plain_employer(&app).await;
    employer_account(&app, "twin", merged).await;
    // Both have postings and applications; the twin an agreement and a destination too.
    crate::recruitment::published(&app, "机械工程师").await;
    let mut twin = app.login("twin").await;
    let deadline = crate::recruitment::in_days(30);
    let posting = crate::recruitment::post_job(&mut twin, &crate::recruitment::posting("电气工程师", &deadline)).await;
    app.login("admin").await.post(&format!("/recruitment/postings/{posting}/review"), &[("decision", "approve")]).await;
    let mut graduate = app.login("graduate").await;
    for id in app.db.fetch_all("SELECT id FROM postings", &[]).await.unwrap() {
        graduate.post(&format!("/jobs/{}/apply", id.i64("id").unwrap()), &[]).await;
    }
    assert_eq!(crate::agreements::invite(&mut twin, &app).await.status, StatusCode::SEE_OTHER);
    let someone = app
        .id("SELECT MIN(g.id) FROM graduates g JOIN institutions i ON i.id = g.institution_id WHERE i.code = '10530' \
             AND g.id NOT IN (SELECT graduate_id FROM accounts WHERE graduate_id IS NOT NULL)")
        .await;
    let name: String = app
        .db
        .fetch_one("SELECT name FROM employers WHERE id = $1", &[merged.into()])
        .await
        .unwrap()
        .text("name")
        .unwrap();
    let destination = [
        ("category_code", "10"),
        ("employer_name", name.as_str()),
        ("credit_code", merged_code.as_str()),
        ("region_code", "430104"),
        ("signed_on", "2022-05-20"),
        ("industry_code", "34"),
    ];
    let reply =
        app.login("staff").await.post(&format!("/outcomes/graduates/{someone}/destination"), &destination).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    let (a, b) = (holdings(&app, kept).await, holdings(&app, merged).await);
    assert_eq!(b, [1, 1, 1, 1], "the twin holds one of each");
    assert!(a[0] >= 1 && a[1] >= 1);
    let events = |id: i64| format!("SELECT COUNT(*) FROM destination_events WHERE employer_id = {id}");
    let twin_events = app.count(&events(merged)).await;

    let mut admin = app.login("admin").await;
    let itself = admin
        .post("/recruitment/duplicates/merge", &[("kept", &kept.to_string()), ("merged", &kept.to_string())])
        .await;
    assert!(itself.body.contains("不能把单位与它自己合并"), "{}", itself.body);
    assert_eq!(app.count("SELECT COUNT(*) FROM employer_merges").await, 0);

    let pair = [("kept", kept.to_string()), ("merged", merged.to_string())];
    let pair: Vec<(&str, &str)> = pair.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let reply = admin.post("/recruitment/duplicates/merge", &pair).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    let sum: Vec<i64> = a.iter().zip(b).map(|(x, y)| x + y).collect();
    assert_eq!(holdings(&app, kept).await.to_vec(), sum, "everything of both is under the kept one");
    assert_eq!(holdings(&app, merged).await, [0, 0, 0, 0]);
    assert_eq!(app.count(&events(merged)).await, 0);
    assert_eq!(
        app.count(&format!("SELECT COUNT(*) FROM employers WHERE id = {merged} AND status = 'merged'")).await,
        1
    );
    assert!(admin.get(&format!("/registry/employers/{merged}")).await.body.contains("已合并到其他单位"));
    // The twin's people now work under the kept employer and see its postings.
    assert!(app.login("twin").await.get("/recruitment/postings").await.body.contains("电气工程师"));
    let again = admin.post("/recruitment/duplicates/merge", &pair).await;
    assert!(again.body.contains("该单位已被合并"));
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log WHERE entity = 'employer' AND action = 'merge'").await, 1);

    let merge = app.id("SELECT id FROM employer_merges").await;
    assert!(admin.get("/recruitment/duplicates").await.body.contains(&format!("/recruitment/merges/{merge}/undo")));
    let reply = admin.post(&format!("/recruitment/merges/{merge}/undo"), &[]).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    assert_eq!(holdings(&app, kept).await, a);
    assert_eq!(holdings(&app, merged).await, b);
    assert_eq!(app.count(&events(merged)).await, twin_events);
    assert_eq!(
        app.count(&format!("SELECT COUNT(*) FROM employers WHERE id = {merged} AND status = 'approved'")).await,
        1
    );
    assert_eq!(admin.post(&format!("/recruitment/merges/{merge}/undo"), &[]).await.status, StatusCode::CONFLICT);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE entity = 'employer' AND action = 'undo_merge'").await,
        1
    );
}

#[tokio::test]
async fn look_alike_employers_are_listed_for_review() {
    let app = TestApp::demo().await;
    let (id, code) = plain_employer(&app).await;
    let mut tx = app.db.begin().await.unwrap();
    // The same code typed in lower case with a space; a name one character apart in the same city.
    tx.execute(
        "INSERT INTO employers (credit_code, name, region_code, contact_name, contact_phone, status, created_at) \
         SELECT $1, name || '分部', region_code, contact_name, contact_phone, 'recorded', created_at FROM employers WHERE id = $2",
        &[format!(" {}", code.to_lowercase()).into(), id.into()],
    )
    .await
    .unwrap();
    tx.execute(
        "INSERT INTO employers (credit_code, name, region_code, contact_name, contact_phone, status, created_at) \
         VALUES ('TWIN-NAME-CODE', '湖南测重复科技有限公司', '430104', '张三', '13800000000', 'recorded', '2022-01-01T00:00:00Z'), \
         ('TWIN-NAME-CODF', '湖南测重复科技公司', '430105', '李四', '13800000001', 'recorded', '2022-01-01T00:00:00Z')",
        &[],
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let page = app.login("admin").await.get("/recruitment/duplicates").await.body;
    assert!(page.contains("统一社会信用代码相同"), "same code");
    assert!(page.contains("湖南测重复科技公司") && page.contains("同一地区名称几乎相同"), "near names");
}

#[tokio::test]
async fn every_employer_reference_in_the_schema_is_moved_by_a_merge() {
    let app = TestApp::empty().await;
    let sql = match app.db.backend() {
        Backend::Sqlite => {
            "SELECT m.name AS t, c.name AS c FROM sqlite_master m JOIN pragma_table_info(m.name) c \
             WHERE m.type = 'table' AND c.name LIKE '%employer_id' \
             UNION SELECT m.name AS t, f.\"from\" AS c FROM sqlite_master m JOIN pragma_foreign_key_list(m.name) f \
             WHERE m.type = 'table' AND f.\"table\" = 'employers'"
        }
        Backend::Postgres => {
            "SELECT table_name AS t, column_name AS c FROM information_schema.columns \
             WHERE table_schema = current_schema() AND column_name LIKE '%employer_id' \
             UNION SELECT k.table_name AS t, k.column_name AS c FROM information_schema.referential_constraints r \
             JOIN information_schema.key_column_usage k ON k.constraint_name = r.constraint_name \
             JOIN information_schema.constraint_column_usage u ON u.constraint_name = r.unique_constraint_name \
             WHERE u.table_name = 'employers' AND k.table_schema = current_schema()"
        }
    };
    // A merge's own record names both employers; it is what an undo reads, never moved.
    let own = [("employer_merges", "kept_id"), ("employer_merges", "merged_id")];
    let mut found: Vec<(String, String)> = app
        .db
        .fetch_all(sql, &[])
        .await
        .unwrap()
        .iter()
        .map(|r| (r.text("t").unwrap(), r.text("c").unwrap()))
        .filter(|(t, c)| !own.contains(&(t.as_str(), c.as_str())))
        .collect();
    found.sort();
    found.dedup();
    let mut listed: Vec<(String, String)> = REFERENCES.iter().map(|(t, c, _)| (t.to_string(), c.to_string())).collect();
    listed.sort();
    assert_eq!(found, listed, "merge::REFERENCES must list every column that references an employer");
}

#[tokio::test]
async fn in_a_browser_the_province_designates_staff_record_a_visit_and_a_duplicate_is_merged_and_undone() {
    use crate::browser::{click, fill, log_in, log_out, nav, pick, serve, start_browser, text};
    let Some((_driver, c)) = start_browser().await else { return };
    let app = TestApp::demo().await;
    let (employer, code) = plain_employer(&app).await;
    // A second record of the same employer (its code typed in lower case), holding a posting of its own.
    let mut tx = app.db.begin().await.unwrap();
    tx.execute(
        "INSERT INTO employers (credit_code, name, region_code, contact_name, contact_phone, status, created_at) \
         SELECT lower(credit_code), name, region_code, contact_name, contact_phone, 'recorded', created_at FROM employers WHERE id = $1",
        &[employer.into()],
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let twin = app.id("SELECT MAX(id) FROM employers").await;
    let posting = crate::recruitment::published(&app, "数控工程师").await;
    let mut tx = app.db.begin().await.unwrap();
    tx.execute("UPDATE postings SET employer_id = $1 WHERE id = $2", &[twin.into(), posting.into()]).await.unwrap();
    tx.commit().await.unwrap();
    let base = serve(&app).await;

    // The province adds a park, designates the employer in it and issues the plaque.
    c.set_window_size(1280, 900).await.expect("desktop");
    log_in(&c, &base, "admin", crate::support::PASSWORD).await;
    nav(&c, "/recruitment/network").await;
    fill(&c, "#park-name", "麓谷测试园").await;
    pick(&c, "#park-region option[value='430104']").await;
    click(&c, "#add-park").await;
    assert!(text(&c, ".flash").await.contains("园区已添加"));
    let park = app.id("SELECT id FROM parks WHERE name = '麓谷测试园'").await;
    fill(&c, "#credit_code", &code).await;
    pick(&c, &format!("#park_id option[value='{park}']")).await;
    pick(&c, "#field_code option[value='M04']").await;
    fill(&c, "#designated_on", &today()).await;
    click(&c, "#designate").await;
    assert!(text(&c, ".flash").await.contains("已认定为重点用人单位"));
    let key = app.id(&format!("SELECT id FROM key_employers WHERE employer_id = {employer}")).await;
    let form = format!("form[action='/recruitment/network/key-employers/{key}/plaque']");
    fill(&c, &format!("{form} input[name=plaque_no]"), "湘就重〔2026〕B01号").await;
    fill(&c, &format!("{form} input[name=issued_on]"), &today()).await;
    click(&c, &format!("{form} button")).await;
    assert!(text(&c, "#key-employers").await.contains("湘就重〔2026〕B01号"));
    log_out(&c).await;

    // University staff record a visit to the Pearl River Delta from a phone; the summary shows it.
    c.set_window_size(375, 812).await.expect("phone");
    log_in(&c, &base, "staff", crate::support::PASSWORD).await;
    nav(&c, "/recruitment/visits").await;
    click(&c, "#new-visit").await;
    pick(&c, "#region_code option[value='PRD']").await;
    fill(&c, "#visited_on", &today()).await;
    fill(&c, "#visitors", "副校长 赵六").await;
    fill(&c, "#credit_code", &code).await;
    fill(&c, "#positions", "12").await;
    fill(&c, "#average_pay", "九千").await;
    click(&c, "#save-visit").await;
    assert!(text(&c, "#average_pay-error").await.contains("请填写整数"));
    fill(&c, "#average_pay", "9000").await;
    click(&c, "#save-visit").await;
    assert!(text(&c, ".flash").await.contains("走访记录已保存"));
    assert!(text(&c, "#visits").await.contains("副校长 赵六"));
    c.goto(&format!("{base}/recruitment/visits/summary")).await.expect("summary");
    assert!(text(&c, "#by-region").await.contains("珠三角"));
    log_out(&c).await;

    // The province merges the second record into the first, then undoes it.
    c.set_window_size(1280, 900).await.expect("desktop");
    let (a, b) = (holdings(&app, employer).await, holdings(&app, twin).await);
    log_in(&c, &base, "admin", crate::support::PASSWORD).await;
    nav(&c, "/recruitment/duplicates").await;
    click(&c, &format!("button.keep-a[data-kept='{employer}'][data-merged='{twin}']")).await;
    assert!(text(&c, ".flash").await.contains("已合并到"));
    let sum: Vec<i64> = a.iter().zip(b).map(|(x, y)| x + y).collect();
    assert_eq!(holdings(&app, employer).await.to_vec(), sum);
    assert_eq!(holdings(&app, twin).await, [0, 0, 0, 0]);
    click(&c, "#merges button.undo-merge").await;
    assert!(text(&c, ".flash").await.contains("合并已撤销"));
    assert_eq!((holdings(&app, employer).await, holdings(&app, twin).await), (a, b));
    c.close().await.ok();
}
