//! Key-group assistance (重点群体帮扶): the register and its scopes, the audit
//! of every file view, the ledger moving the coverage, the standard as
//! configuration, referrals answered by the graduate.

use std::collections::HashMap;

use axum::http::StatusCode;

use crate::support::{Client, TestApp};

/// The demo graduate (湘潭大学), put in the register through the roster's column: (id, name, student no).
pub(crate) async fn flagged_graduate(app: &TestApp) -> (i64, String, String) {
    let id = app.id("SELECT graduate_id FROM accounts WHERE username = 'graduate'").await;
    let mut tx = app.db.begin().await.unwrap();
    tx.execute("UPDATE graduates SET key_groups = '01' WHERE id = $1", &[id.into()]).await.unwrap();
    tx.commit().await.unwrap();
    let r = app.db.fetch_one("SELECT name, student_no FROM graduates WHERE id = $1", &[id.into()]).await.unwrap();
    (id, r.text("name").unwrap(), r.text("student_no").unwrap())
}

/// An account `username` (demo password) copied from `like`, at another institution or for another graduate.
pub(crate) async fn account_like(
    app: &TestApp,
    username: &str,
    like: &str,
    institution: Option<i64>,
    graduate: Option<i64>,
) {
    let mut tx = app.db.begin().await.unwrap();
    tx.execute(
        "INSERT INTO accounts (username, display_name, password_hash, role, institution_id, graduate_id, active, created_at) \
         SELECT $1, $1, a.password_hash, a.role, $2, $3, TRUE, a.created_at FROM accounts a WHERE a.username = $4",
        &[username.into(), institution.into(), graduate.into(), like.into()],
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

/// Records `graduate` as employed by a unit (the first such code of its cohort's table), as the destinations area would.
pub async fn place(app: &TestApp, graduate: i64) {
    let placed = app
        .db
        .fetch_one(
            "SELECT ct.code FROM code_tables ct JOIN graduates g ON g.id = $1 JOIN cohorts c ON c.year = g.cohort_year \
             WHERE ct.kind = 'destination' AND ct.version = c.destination_version AND ct.bucket_2024 = 'unit_employed' \
             ORDER BY ct.code",
            &[graduate.into()],
        )
        .await
        .unwrap()
        .text("code")
        .unwrap();
    let mut tx = app.db.begin().await.unwrap();
    tx.execute(
        "INSERT INTO destinations (graduate_id, cohort_year, institution_id, last_event_id, category_code, updated_at) \
         SELECT id, cohort_year, institution_id, 0, $2, '2022-07-01T00:00:00Z' FROM graduates WHERE id = $1 \
         ON CONFLICT (graduate_id) DO UPDATE SET category_code = excluded.category_code",
        &[graduate.into(), placed.as_str().into()],
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

async fn views_of(app: &TestApp, graduate: i64) -> i64 {
    app.count(&format!(
        "SELECT COUNT(*) FROM audit_log WHERE entity = 'assistance_file' AND action = 'view' AND entity_id = '{graduate}'"
    ))
    .await
}

/// Records an entry of `kind` on the file as `c`; the reply.
async fn record(c: &mut Client, graduate: i64, kind: &str, extra: &[(&str, &str)]) -> crate::support::Reply {
    let today = kernel::time::today_china().to_string();
    let mut fields = vec![("kind", kind), ("at", today.as_str()), ("note", "电话联系")];
    fields.extend_from_slice(extra);
    c.post(&format!("/assistance/{graduate}/entries"), &fields).await
}

#[tokio::test]
async fn files_are_seen_only_in_scope_and_every_view_is_audited() {
    let app = TestApp::demo().await;
    let graduate = app.id("SELECT graduate_id FROM accounts WHERE username = 'graduate'").await;
    let mut tx = app.db.begin().await.unwrap();
    tx.execute("UPDATE graduates SET key_groups = '' WHERE id = $1", &[graduate.into()]).await.unwrap();
    tx.commit().await.unwrap();
    let mut me = app.login("graduate").await;
    assert_eq!(me.get("/me/assistance").await.status, StatusCode::NOT_FOUND, "not in the register");
    assert!(!me.get("/").await.body.contains("my-assistance-panel"));

    let (graduate, name, _) = flagged_graduate(&app).await;
    let id_number = app
        .db
        .fetch_one("SELECT id_number FROM graduates WHERE id = $1", &[graduate.into()])
        .await
        .unwrap()
        .text("id_number")
        .unwrap();
    let mut staff = app.login("staff").await;
    let list = staff.get("/assistance").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.body.contains(&name) && list.body.contains(&format!("member-{graduate}")));
    assert!(!list.body.contains(&id_number), "ID numbers masked in the register");
    assert!(list.body.contains("脱贫家庭"));

    let before = views_of(&app, graduate).await;
    let file = staff.get(&format!("/assistance/{graduate}")).await;
    assert_eq!(file.status, StatusCode::OK);
    assert!(file.body.contains(&name) && file.body.contains("生源名单"));
    assert_eq!(views_of(&app, graduate).await, before + 1, "the view is in the audit log");
    let mut admin = app.login("admin").await;
    assert_eq!(admin.get(&format!("/assistance/{graduate}")).await.status, StatusCode::OK);
    assert!(
        !admin.get(&format!("/assistance/{graduate}")).await.body.contains(&id_number),
        "the province sees it masked"
    );
    assert_eq!(views_of(&app, graduate).await, before + 3, "each view, by whoever");
    let who = app
        .db
        .fetch_one(
            "SELECT actor_label, graduate_id FROM audit_log WHERE entity = 'assistance_file' AND action = 'view' ORDER BY id DESC",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(who.text("actor_label").unwrap(), "admin");
    assert_eq!(who.opt_i64("graduate_id").unwrap(), Some(graduate));

    // Another university's staff: not found, and not in their register.
    let hnu = app.id("SELECT id FROM institutions WHERE code = '10532'").await;
    account_like(&app, "hnu_staff", "staff", Some(hnu), None).await;
    let mut other = app.login("hnu_staff").await;
    assert_eq!(other.get(&format!("/assistance/{graduate}")).await.status, StatusCode::NOT_FOUND);
    assert!(!other.get("/assistance").await.body.contains(&name));
    assert_eq!(views_of(&app, graduate).await, before + 3, "a refused view is no view");
    // An employer: refused everywhere; the graduate: its own page only, which names no category.
    let mut employer = app.login("employer").await;
    for path in [format!("/assistance/{graduate}"), "/assistance".into(), "/me/assistance".into()] {
        assert_eq!(employer.get(&path).await.status, StatusCode::FORBIDDEN, "{path}");
    }
    assert_eq!(me.get(&format!("/assistance/{graduate}")).await.status, StatusCode::FORBIDDEN);
    let mine = me.get("/me/assistance").await;
    assert_eq!(mine.status, StatusCode::OK);
    assert!(!mine.body.contains("脱贫家庭"), "no category on the graduate's page");
    assert!(me.get("/").await.body.contains("my-assistance-panel"), "the workbench links to the plan");
    // A second graduate of the register sees its own plan, never the first one's referrals.
    let second = app
        .id(&format!("SELECT MIN(id) FROM graduates WHERE id <> {graduate} AND institution_id = (SELECT institution_id FROM graduates WHERE id = {graduate})"))
        .await;
    let mut tx = app.db.begin().await.unwrap();
    tx.execute("UPDATE graduates SET key_groups = '02' WHERE id = $1", &[second.into()]).await.unwrap();
    tx.commit().await.unwrap();
    account_like(&app, "second_graduate", "graduate", None, Some(second)).await;
    let posting = crate::recruitment::published(&app, "帮扶推介岗位").await;
    let reply = record(&mut staff, graduate, "03", &[("posting", &posting.to_string())]).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    let referral = app.id("SELECT MAX(id) FROM assistance_entries").await;
    let mut second_client = app.login("second_graduate").await;
    assert!(!second_client.get("/me/assistance").await.body.contains("帮扶推介岗位"));
    let path = format!("/me/assistance/referrals/{referral}/answer");
    assert_eq!(second_client.post(&path, &[("answer", "applied")]).await.status, StatusCode::NOT_FOUND);
    assert_eq!(me.post(&path, &[("answer", "applied")]).await.status, StatusCode::SEE_OTHER);
    assert!(me.get("/me/assistance").await.body.contains("已投递"));
    assert!(staff.get(&format!("/assistance/{graduate}")).await.body.contains("已投递"), "the helper sees the answer");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE entity = 'assistance_entry' AND action = 'answer'").await,
        1
    );
}

#[tokio::test]
async fn coverage_moves_with_the_ledger_and_follows_the_configured_standard() {
    let app = TestApp::demo().await;
    let (graduate, _, _) = flagged_graduate(&app).await;
    let mut staff = app.login("staff").await;
    let mut admin = app.login("admin").await;
    let total = |body: &str| -> String {
        let at = body.find("id=\"total-covered\">").expect("total") + "id=\"total-covered\">".len();
        body[at..].split('<').next().unwrap_or_default().to_owned()
    };
    let province_before = total(&admin.get("/assistance/coverage").await.body);
    let registered = app.count("SELECT COUNT(*) FROM graduates WHERE key_groups <> ''").await;
    assert!(registered >= 1);

    // Bad input: a referral without a posting, a date in the future: the form answers 200 with the reason.
    let no_posting = record(&mut staff, graduate, "03", &[]).await;
    assert_eq!(no_posting.status, StatusCode::OK);
    assert!(no_posting.body.contains("岗位推介须选择一个正在招聘的岗位"));
    let future = (kernel::time::today_china() + chrono::Duration::days(3)).to_string();
    let reply = staff.post(&format!("/assistance/{graduate}/entries"), &[("kind", "01"), ("at", &future)]).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.body.contains("不能晚于今天"));
    assert_eq!(app.count(&format!("SELECT COUNT(*) FROM assistance_entries WHERE graduate_id = {graduate}")).await, 0);

    // "1131": one briefing, one guidance, three referrals, one training.
    let posting = crate::recruitment::published(&app, "帮扶推介岗位").await.to_string();
    for kind in ["01", "02", "04"] {
        assert_eq!(record(&mut staff, graduate, kind, &[]).await.status, StatusCode::SEE_OTHER);
    }
    for _ in 0..2 {
        assert_eq!(record(&mut staff, graduate, "03", &[("posting_no", &posting)]).await.status, StatusCode::SEE_OTHER);
    }
    let file = staff.get(&format!("/assistance/{graduate}")).await.body;
    assert!(file.contains("差 1 次"), "one referral short");
    assert!(staff.get("/assistance?standard=unmet").await.body.contains(&format!("member-{graduate}")));
    assert_eq!(record(&mut staff, graduate, "03", &[("posting", &posting)]).await.status, StatusCode::SEE_OTHER);
    let file = staff.get(&format!("/assistance/{graduate}")).await.body;
    assert!(file.contains("id=\"coverage-state\">已达标"), "the standard met");
    assert!(staff.get("/assistance?standard=met").await.body.contains(&format!("member-{graduate}")));
    assert!(!staff.get("/assistance?standard=unmet").await.body.contains(&format!("member-{graduate}")));
    assert!(!staff.get("/assistance?silent=7").await.body.contains(&format!("member-{graduate}")), "contacted today");
    let province_after = total(&admin.get("/assistance/coverage").await.body);
    assert_ne!(province_before, province_after, "the province's coverage moved");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE entity = 'assistance_entry' AND action = 'create'").await,
        6
    );

    // The helper view: assigned, the university's coverage by helper shows the helper at 100%.
    let helper = app.id("SELECT id FROM accounts WHERE username = 'staff'").await.to_string();
    let reply = staff.post(&format!("/assistance/{graduate}/helpers"), &[("account", &helper)]).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    let by_helper = staff.get("/assistance/coverage").await.body;
    assert!(by_helper.contains("湘潭大学就业办</td><td class=\"num\">1</td><td class=\"num\">100.0%"), "{by_helper}");

    // The standard is configuration: four referrals required, and the graduate is short again.
    let reply = admin
        .post("/assistance/coverage/standard", &[("n_01", "1"), ("n_02", "1"), ("n_03", "4"), ("n_04", "1")])
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert!(admin.get("/assistance/coverage").await.body.contains("id=\"standard-label\">1141"));
    let file = staff.get(&format!("/assistance/{graduate}")).await.body;
    assert!(file.contains("差 1 次"), "short by the fourth referral");
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log WHERE entity = 'assistance_standard'").await, 1);
    // Nothing required is a standard too, not a return to the default.
    let zeros: Vec<(String, String)> = (1..=7).map(|k| (format!("n_0{k}"), "0".to_owned())).collect();
    let zeros: Vec<(&str, &str)> = zeros.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    assert_eq!(admin.post("/assistance/coverage/standard", &zeros).await.status, StatusCode::SEE_OTHER);
    assert!(admin.get("/assistance/coverage").await.body.contains("id=\"standard-label\"></span>"));
    // Staff may not set it.
    assert_eq!(staff.post("/assistance/coverage/standard", &[("n_03", "1")]).await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn staff_keep_the_register_the_file_and_the_plan() {
    let app = TestApp::demo().await;
    let xtu = app.id("SELECT id FROM institutions WHERE code = '10530'").await;
    let row = app
        .db
        .fetch_one(
            "SELECT id, student_no FROM graduates WHERE institution_id = $1 AND key_groups = '' ORDER BY id DESC",
            &[xtu.into()],
        )
        .await
        .unwrap();
    let (graduate, student_no) = (row.i64("id").unwrap(), row.text("student_no").unwrap());
    let mut staff = app.login("staff").await;
    assert_eq!(
        staff.get(&format!("/assistance/{graduate}")).await.status,
        StatusCode::NOT_FOUND,
        "not in the register"
    );
    // The register's count, as the office's page shows it (kept on the graduate row by triggers).
    let count = |body: String| -> i64 {
        body.split("id=\"register-count\">").nth(1).and_then(|s| s.split('<').next()).unwrap().parse().unwrap()
    };
    let before = count(staff.get("/assistance").await.body);
    let unknown = staff.post("/assistance/flags", &[("student_no", "no-such"), ("category", "07")]).await;
    assert_eq!(unknown.status, StatusCode::SEE_OTHER);
    assert_eq!(app.count("SELECT COUNT(*) FROM assistance_flags").await, 0);
    let added = staff.post("/assistance/flags", &[("student_no", &student_no), ("category", "07")]).await;
    assert_eq!(added.location.as_deref(), Some(format!("/assistance/{graduate}").as_str()));
    let file = staff.get(&format!("/assistance/{graduate}")).await.body;
    assert!(file.contains("学校认定"), "the staff flag with its source");
    assert_eq!(count(staff.get("/assistance").await.body), before + 1, "a staff flag adds to the register");
    let flag = app.id("SELECT MAX(id) FROM assistance_flags").await;
    let english = staff.get(&format!("/assistance/{graduate}?lang=en")).await.body;
    assert!(
        english.contains("Added by staff") && english.contains("Record assistance") && english.contains("The plan")
    );
    assert!(staff.get("/assistance?lang=en").await.body.contains("Add to the register"));

    // The file, a measure done, a measure overdue.
    let reply = staff
        .post(
            &format!("/assistance/{graduate}/file"),
            &[("difficulties", "父母务工"), ("intentions", "长沙 软件"), ("contacts", "母亲")],
        )
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert!(staff.get(&format!("/assistance/{graduate}")).await.body.contains("父母务工"));
    let bad = staff
        .post(&format!("/assistance/{graduate}/measures"), &[("goal", "x"), ("measure", "y"), ("due_on", "soon")])
        .await;
    assert_eq!(bad.status, StatusCode::OK);
    assert!(bad.body.contains("完成期限"));
    let past = (kernel::time::today_china() - chrono::Duration::days(2)).to_string();
    let path = format!("/assistance/{graduate}/measures");
    assert_eq!(
        staff.post(&path, &[("goal", "简历"), ("measure", "修改简历"), ("due_on", &past)]).await.status,
        StatusCode::SEE_OTHER
    );
    assert!(staff.get("/assistance?overdue=1").await.body.contains(&format!("member-{graduate}")));
    let measure = app.id("SELECT MAX(id) FROM assistance_measures").await;
    let close = format!("/assistance/{graduate}/measures/{measure}/close");
    assert_eq!(staff.post(&close, &[("state", "done")]).await.status, StatusCode::SEE_OTHER);
    assert!(!staff.get("/assistance?overdue=1").await.body.contains(&format!("member-{graduate}")));
    assert_eq!(staff.post(&close, &[("state", "done")]).await.status, StatusCode::NOT_FOUND, "closed once");

    // A helper must be the institution's staff.
    let admin_id = app.id("SELECT id FROM accounts WHERE username = 'admin'").await.to_string();
    let refused = staff.post(&format!("/assistance/{graduate}/helpers"), &[("account", &admin_id)]).await;
    assert_eq!(refused.status, StatusCode::OK);
    assert!(refused.body.contains("本校的工作人员"));

    // Removing the staff flag needs a reason; then the graduate leaves the register.
    let remove = format!("/assistance/{graduate}/flags/{flag}/remove");
    assert_eq!(staff.post(&remove, &[("reason", "")]).await.status, StatusCode::OK);
    let reply = staff.post(&remove, &[("reason", "家庭情况已好转")]).await;
    assert_eq!(reply.location.as_deref(), Some("/assistance"));
    assert_eq!(staff.get(&format!("/assistance/{graduate}")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(count(staff.get("/assistance").await.body), before, "and its removal takes away");
    // The roster's own categories, written by any writer of the graduate row, keep it too.
    let in_register = format!("SELECT in_register FROM graduates WHERE id = {graduate}");
    for (groups, member) in [("01；03", 1), ("", 0)] {
        let mut tx = app.db.begin().await.unwrap();
        tx.execute("UPDATE graduates SET key_groups = $1 WHERE id = $2", &[groups.into(), graduate.into()])
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(app.count(&in_register).await, member, "key_groups '{groups}'");
    }
    for (entity, action) in [
        ("assistance_flag", "create"),
        ("assistance_flag", "remove"),
        ("assistance_file", "update"),
        ("assistance_measure", "create"),
        ("assistance_measure", "done"),
    ] {
        let n = app
            .count(&format!("SELECT COUNT(*) FROM audit_log WHERE entity = '{entity}' AND action = '{action}'"))
            .await;
        assert_eq!(n, 1, "{entity} {action}");
        assert!(registry::audit_names::knows(entity, action), "{entity} {action} named");
    }
}

#[tokio::test]
async fn a_helper_refers_a_job_and_the_graduate_answers_on_a_phone() {
    use crate::browser::{click, fits_the_screen, log_in, log_out, serve, start_browser, text};
    let Some((_driver, c)) = start_browser().await else { return };
    let app = TestApp::demo().await;
    let (graduate, name, _) = flagged_graduate(&app).await;
    let posting = crate::recruitment::published(&app, "帮扶推介岗位").await;
    let base = serve(&app).await;
    log_in(&c, &base, "staff", crate::support::PASSWORD).await;
    crate::browser::nav(&c, "/assistance").await;
    click(&c, &format!("#member-{graduate} a")).await;
    assert!(text(&c, "#person").await.contains(&name));
    let before = text(&c, "#item-03").await;
    assert!(before.contains("0"), "{before}");
    crate::browser::pick(&c, "#entry-kind option[value='03']").await;
    crate::browser::fill(&c, "#entry-posting-no", &posting.to_string()).await;
    crate::browser::fill(&c, "#entry-note", "推荐投递").await;
    click(&c, "#record-entry").await;
    assert!(text(&c, ".flash").await.contains("帮扶记录已登记"));
    assert!(text(&c, "#entries").await.contains("帮扶推介岗位"));
    assert!(text(&c, "#item-03").await.contains("差 2"));
    log_out(&c).await;

    c.set_window_size(375, 812).await.expect("phone-sized window");
    log_in(&c, &base, "graduate", crate::support::PASSWORD).await;
    click(&c, "#my-assistance-link").await;
    assert!(text(&c, "main").await.contains("帮扶推介岗位"));
    fits_the_screen(&c, "my assistance").await;
    let referral = app.id("SELECT MAX(id) FROM assistance_entries").await;
    click(&c, &format!("#answer-{referral}-interested")).await;
    assert!(text(&c, &format!("#referral-{referral} .referral-answer")).await.contains("感兴趣"));
    log_out(&c).await;

    c.set_window_size(1280, 900).await.expect("desktop window");
    log_in(&c, &base, "admin", crate::support::PASSWORD).await;
    c.goto(&format!("{base}/assistance/coverage")).await.expect("coverage");
    assert!(text(&c, "#coverage").await.contains("湘潭大学"));
    c.goto(&format!("{base}/assistance/{graduate}")).await.expect("the file");
    assert!(text(&c, "#entries").await.contains("感兴趣"));
    c.close().await.ok();
}

type Rows = Vec<Vec<String>>;
type ByHeader = HashMap<String, String>;

/// A hand-over workbook: its summary sheet, and every graduate on the
/// prefectures' sheets by header (with "sheet" naming the sheet it is on).
fn handover_rows(bytes: Vec<u8>) -> (Rows, Vec<ByHeader>) {
    let (mut sheets, rows) = handover_sheets(bytes);
    let summary = sheets.remove(0);
    (summary, rows.into_iter().filter(|r| r["sheet"] != "汇总").collect())
}

/// The first sheet's rows and every sheet's rows by header.
fn handover_rows_all(bytes: Vec<u8>) -> (Rows, Vec<ByHeader>) {
    let (mut sheets, rows) = handover_sheets(bytes);
    (sheets.remove(0), rows)
}

fn handover_sheets(bytes: Vec<u8>) -> (Vec<Rows>, Vec<ByHeader>) {
    let mut book: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
    let (mut sheets, mut people) = (Vec::new(), Vec::new());
    for (name, range) in calamine::Reader::worksheets(&mut book) {
        let rows: Vec<Vec<String>> = range.rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect();
        for row in rows.iter().skip(1) {
            let mut by_header: ByHeader = rows[0].iter().cloned().zip(row.iter().cloned()).collect();
            by_header.insert("sheet".into(), name.clone());
            people.push(by_header);
        }
        sheets.push(rows);
    }
    (sheets, people)
}

#[tokio::test]
async fn the_hand_over_list_names_the_unplaced_by_home_region_and_is_audited() {
    let app = TestApp::demo().await;
    let (graduate, name, _) = flagged_graduate(&app).await;
    let id_number = app
        .db
        .fetch_one("SELECT id_number FROM graduates WHERE id = $1", &[graduate.into()])
        .await
        .unwrap()
        .text("id_number")
        .unwrap();
    let mut staff = app.login("staff").await;
    let file = staff.get("/assistance/handover").await;
    assert_eq!(file.status, StatusCode::OK);
    let (summary, rows) = handover_rows(file.bytes.clone());
    assert_eq!(summary[0], ["户籍地（市州）", "代码", "移交人数"]);
    let total: usize = summary[1..summary.len() - 1].iter().map(|r| r[2].parse::<usize>().unwrap()).sum();
    assert_eq!((total, summary.last().unwrap()[2].clone()), (rows.len(), rows.len().to_string()));
    let mine = rows.iter().find(|r| r["姓名"] == name).expect("the unplaced graduate is listed");
    assert_eq!(mine["身份证号码"], id_number, "the university's office sees the number in full");
    assert_eq!(mine["毕业年份"], "2022");
    assert!(rows.iter().all(|r| r["毕业院校"] == "湘潭大学"), "its own institution only");
    assert!(rows.iter().all(|r| r["户籍地（市州）"] == r["sheet"]), "each prefecture on its own sheet");
    // One prefecture's file for its employment service.
    let city = mine["sheet"].clone();
    let code = summary.iter().find(|r| r[0] == city).unwrap()[1].clone();
    let (first, only) = handover_rows_all(staff.get(&format!("/assistance/handover?city={code}")).await.bytes);
    assert_eq!(first[0][0], "序号", "no summary in one prefecture's file");
    assert!(only.iter().any(|r| r["姓名"] == name) && only.iter().all(|r| r["sheet"] == city));
    assert_eq!(
        staff.get("/assistance/handover?city=430104").await.status,
        StatusCode::NOT_FOUND,
        "a county is no prefecture"
    );
    let mut admin = app.login("admin").await;
    let (_, rows) = handover_rows(admin.get("/assistance/handover").await.bytes);
    let theirs = rows.iter().find(|r| r["姓名"] == name).expect("listed for the province");
    assert_ne!(theirs["身份证号码"], id_number, "masked for the province");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE entity = 'assistance_handover' AND action = 'export'").await,
        3
    );
    // A graduate placed by the destinations area leaves the list.
    place(&app, graduate).await;
    let (_, rows) = handover_rows(staff.get("/assistance/handover").await.bytes);
    assert!(!rows.iter().any(|r| r["姓名"] == name), "placed: not handed over");
    assert!(staff.get("/assistance?placed=yes").await.body.contains(&format!("member-{graduate}")));
}

#[tokio::test]
async fn the_referral_form_suggests_open_postings_that_fit_the_graduate() {
    let app = TestApp::demo().await;
    let (graduate, _, _) = flagged_graduate(&app).await;
    let r = app
        .db
        .fetch_one(
            "SELECT m.code, m.level FROM graduates g JOIN majors m ON m.id = g.major_id WHERE g.id = $1",
            &[graduate.into()],
        )
        .await
        .unwrap();
    let (major, level_name) = (r.text("code").unwrap(), r.text("level").unwrap());
    let level = app
        .db
        .fetch_one(
            "SELECT code FROM code_tables WHERE kind = 'major_level' AND name = $1",
            &[level_name.as_str().into()],
        )
        .await
        .unwrap()
        .text("code")
        .unwrap();
    let other_level = if level == "3" { "1" } else { "3" };
    let other_major = app
        .db
        .fetch_one("SELECT code FROM major_catalogue WHERE code <> $1 ORDER BY code", &[major.as_str().into()])
        .await
        .unwrap()
        .text("code")
        .unwrap();
    let deadline = crate::recruitment::in_days(30);
    let mut hr = app.login("employer").await;
    let mut admin = app.login("admin").await;
    let mut ids = Vec::new();
    // Its major at its level; another major only; its major at another level.
    for (title, majors, wanted_level) in [
        ("对口岗位", major.as_str(), level.as_str()),
        ("他专业岗位", other_major.as_str(), level.as_str()),
        ("他学历岗位", major.as_str(), other_level),
    ] {
        let mut fields = crate::recruitment::posting(title, &deadline);
        for (k, v) in fields.iter_mut() {
            match *k {
                "major_codes" => *v = majors,
                "education_level" => *v = wanted_level,
                _ => {}
            }
        }
        let id = crate::recruitment::post_job(&mut hr, &fields).await;
        admin.post(&format!("/recruitment/postings/{id}/review"), &[("decision", "approve")]).await;
        ids.push(id);
    }
    let page = app.login("staff").await.get(&format!("/assistance/{graduate}")).await.body;
    let form = &page[page.find("id=\"entry-posting\"").expect("the posting picker")..];
    let picker = &form[..form.find("</select>").unwrap_or(form.len())];
    assert!(picker.contains(&format!("value=\"{}\"", ids[0])) && picker.contains("专业对口"), "{picker}");
    assert!(!picker.contains(&format!("value=\"{}\"", ids[1])), "another major only");
    assert!(!picker.contains(&format!("value=\"{}\"", ids[2])), "another level");
}

/// The coverage summed in SQL for `viewer`, grouped `by`, against the pure rule over each graduate's counts.
async fn sums_agree(app: &TestApp, viewer: &assistance::store::Viewer, by: assistance::store::By) -> usize {
    use assistance::store::{self, By};
    use std::collections::BTreeMap;
    let cohort = app.id("SELECT MAX(year) FROM cohorts").await;
    let standard = store::standard(&app.db, cohort).await.unwrap();
    let members = store::register(&app.db, viewer, cohort).await.unwrap();
    let mut tallies = store::tallies(&app.db, viewer, cohort).await.unwrap();
    let helpers = store::helpers_in(&app.db, viewer, cohort).await.unwrap();
    let graduates = members.iter().map(|m| {
        let keys = match by {
            By::Total => vec![0],
            By::Institution => vec![m.institution_id],
            By::Helper => match helpers.get(&m.id) {
                Some(h) if !h.is_empty() => h.iter().map(|(id, _)| *id).collect(),
                _ => vec![0],
            },
        };
        (keys, tallies.remove(&m.id).map(|t| t.counts).unwrap_or_default())
    });
    let pure: BTreeMap<i64, assistance::coverage::Aggregate> =
        assistance::coverage::aggregate(&standard, graduates.collect::<Vec<_>>());
    let sql: BTreeMap<i64, assistance::coverage::Aggregate> =
        store::coverage_sums(&app.db, viewer, cohort, &standard, by)
            .await
            .unwrap()
            .into_iter()
            .map(|(k, _, a)| (k, a))
            .collect();
    assert_eq!(sql, pure, "{by:?} for {viewer:?} under {standard:?}");
    sql.len()
}

#[tokio::test]
async fn coverage_summed_in_sql_agrees_with_the_pure_rule() {
    use assistance::store::{By, Viewer};
    use kernel::auth::Scope;
    let app = TestApp::demo().await;
    let xtu = app.id("SELECT id FROM institutions WHERE code = '10530'").await;
    let entries = app.count("SELECT COUNT(*) FROM assistance_entries").await;
    let institutions = app.count("SELECT COUNT(DISTINCT institution_id) FROM assistance_entries").await;
    assert!(entries > 0 && institutions > 4, "the demo's ledger spans every institution: {entries} at {institutions}");
    // A staff flag of a graduate the roster does not flag, with no entry: in the register, short of everything.
    let unflagged = app.id("SELECT MIN(id) FROM graduates WHERE key_groups = ''").await;
    let mut tx = app.db.begin().await.unwrap();
    tx.execute(
        "INSERT INTO assistance_flags (graduate_id, category_code, source, noted_at, noted_by_label) \
         VALUES ($1, '08', 'staff', '2022-03-01T00:00:00Z', 'test')",
        &[unflagged.into()],
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let province = Viewer { scope: Scope::Province, helper: None };
    let office = Viewer { scope: Scope::Institution { institution_id: xtu, college_id: None }, helper: None };
    let college = app.id("SELECT id FROM accounts WHERE username = 'college'").await;
    let helper = Viewer { scope: Scope::Institution { institution_id: xtu, college_id: None }, helper: Some(college) };
    let check = |standards: &'static [(&'static str, i64)]| {
        let app = &app;
        let (province, office, helper) = (&province, &office, &helper);
        async move {
            let mut tx = app.db.begin().await.unwrap();
            let cohort = app.id("SELECT MAX(year) FROM cohorts").await;
            tx.execute("DELETE FROM assistance_standards WHERE cohort_year = $1", &[cohort.into()]).await.unwrap();
            for (kind, n) in standards {
                tx.execute(
                    "INSERT INTO assistance_standards (cohort_year, kind_code, required) VALUES ($1, $2, $3)",
                    &[cohort.into(), (*kind).into(), (*n).into()],
                )
                .await
                .unwrap();
            }
            tx.commit().await.unwrap();
            assert_eq!(sums_agree(app, province, By::Total).await, 1);
            assert!(sums_agree(app, province, By::Institution).await > 4);
            assert!(sums_agree(app, office, By::Helper).await >= 1, "the office's helpers");
            sums_agree(app, helper, By::Helper).await;
            sums_agree(app, helper, By::Total).await;
        }
    };
    // The default "1131", one of the cohort's own, and nothing required.
    check(&[("01", 1), ("02", 1), ("03", 3), ("04", 1)]).await;
    check(&[("03", 2), ("05", 1), ("06", 1)]).await;
    check(&[("01", 0)]).await;
    let totals = assistance::store::coverage_sums(
        &app.db,
        &province,
        app.id("SELECT MAX(year) FROM cohorts").await,
        &assistance::coverage::Standard::default(),
        By::Total,
    )
    .await
    .unwrap();
    assert_eq!(totals[0].2.covered, totals[0].2.graduates, "nothing required: everyone covered");
}

#[tokio::test]
async fn the_register_pages_by_key_and_keeps_its_filters() {
    let app = TestApp::demo().await;
    // Enough of the register for three pages of 50.
    let mut tx = app.db.begin().await.unwrap();
    tx.execute("UPDATE graduates SET key_groups = '03' WHERE key_groups = '' AND id % 3 = 0", &[]).await.unwrap();
    tx.commit().await.unwrap();
    let members = app.count("SELECT COUNT(*) FROM graduates WHERE key_groups <> ''").await;
    let in_03 = app.count("SELECT COUNT(*) FROM graduates WHERE key_groups LIKE '%03%'").await;
    assert!(members > 100 && in_03 > 50, "{members} {in_03}");
    let mut admin = app.login("admin").await;
    let first = admin.get("/assistance").await;
    assert_eq!(first.status, StatusCode::OK);
    assert!(first.body.contains(&format!("id=\"register-count\">{members}<")), "the count");
    let rows = |body: &str| -> Vec<String> {
        body.split("<tr id=\"member-").skip(1).map(|s| s.split('"').next().unwrap_or_default().to_owned()).collect()
    };
    assert_eq!(rows(&first.body).len(), 50);
    let next = |body: &str| -> String {
        let at = body.find("rel=\"next\" href=\"").expect("a next page") + "rel=\"next\" href=\"".len();
        body[at..].split('"').next().unwrap_or_default().replace("&amp;", "&")
    };
    let link = next(&first.body);
    assert!(link.contains("after=") && !link.contains("offset"), "{link}");
    let second = admin.get(&link).await;
    let (a, b) = (rows(&first.body), rows(&second.body));
    assert_eq!(b.len(), 50);
    assert!(a.iter().all(|id| !b.contains(id)), "no row twice");
    // A filter stays in the pager's links, and each page keeps to it.
    let filtered = admin.get("/assistance?category=03").await;
    assert!(filtered.body.contains(&format!("id=\"register-count\">{in_03}<")));
    let link = next(&filtered.body);
    assert!(link.contains("category=03"), "{link}");
    let page = admin.get(&link).await.body;
    for id in rows(&page) {
        let groups = app
            .db
            .fetch_one("SELECT key_groups FROM graduates WHERE id = $1", &[id.parse::<i64>().unwrap().into()])
            .await
            .unwrap();
        assert!(groups.text("key_groups").unwrap().contains("03"));
    }
    // The last page, and back.
    let last = admin.get("/assistance?category=03&end=1").await;
    assert_eq!(last.status, StatusCode::OK);
    assert!(last.body.contains("rel=\"prev\""));
    // Sorted by name, descending.
    assert_eq!(admin.get("/assistance?sort=name&dir=desc").await.status, StatusCode::OK);
    // An institution's filter, for the province.
    let xtu = app.id("SELECT id FROM institutions WHERE code = '10530'").await;
    let at_xtu =
        app.count(&format!("SELECT COUNT(*) FROM graduates WHERE key_groups <> '' AND institution_id = {xtu}")).await;
    let body = admin.get(&format!("/assistance?institution={xtu}")).await.body;
    assert!(body.contains(&format!("id=\"register-count\">{at_xtu}<")));
    // Bad numbers are ignored, not errors.
    assert_eq!(admin.get("/assistance?silent=abc&institution=x&after=zz").await.status, StatusCode::OK);
}

/// The register's placed filter, alone, with an institution picked and with
/// the standard unmet, for the province and for a university: the count it
/// shows is the count recomputed from `destinations` and the cohort's placed
/// codes, and the first page holds exactly the first such graduates by student number.
#[tokio::test]
async fn the_registers_placed_filter_agrees_with_the_destinations() {
    let app = TestApp::demo().await;
    let mut tx = app.db.begin().await.unwrap();
    tx.execute("UPDATE graduates SET key_groups = '01' WHERE key_groups = '' AND id % 4 = 0", &[]).await.unwrap();
    tx.commit().await.unwrap();
    let xtu = app.id("SELECT id FROM institutions WHERE code = '10530'").await;
    // Some members placed, at 湘潭大学 and elsewhere.
    let unplaced = |at: &str| {
        format!(
            "SELECT id FROM graduates WHERE key_groups <> '' AND institution_id {at} \
             AND id % 8 = 0 AND id NOT IN (SELECT graduate_id FROM destinations) ORDER BY id LIMIT 60"
        )
    };
    for sql in [unplaced(&format!("= {xtu}")), unplaced(&format!("<> {xtu}"))] {
        for r in app.db.fetch_all(&sql, &[]).await.unwrap() {
            place(&app, r.i64("id").unwrap()).await;
        }
    }
    let cohort = app.id("SELECT MAX(year) FROM cohorts").await;
    let placed: Vec<String> = assistance::store::placed_codes(&app.db, cohort).await.unwrap().into_iter().collect();
    assert!(!placed.is_empty());
    let codes = placed.iter().map(|c| format!("'{c}'")).collect::<Vec<_>>().join(", ");
    // Recomputed from the destinations themselves, not the graduate row's copy the page reads.
    // `unmet`: no standing met kept for the graduate (the standing's own test checks it against the rule).
    let expected = |placed: bool, institution: Option<i64>, unmet: bool| {
        let not = if placed { "" } else { "NOT " };
        let at = institution.map(|i| format!(" AND g.institution_id = {i}")).unwrap_or_default();
        let standing = match unmet {
            true => " AND NOT EXISTS (SELECT 1 FROM assistance_standing s WHERE s.graduate_id = g.id AND s.met = 1)",
            false => "",
        };
        format!(
            "SELECT g.id, g.student_no FROM graduates g WHERE g.key_groups <> '' AND g.cohort_year = {cohort}{at} \
             AND {not}EXISTS (SELECT 1 FROM destinations d WHERE d.graduate_id = g.id AND d.category_code IN ({codes})) \
             {standing} ORDER BY g.student_no, g.id"
        )
    };
    let rows = |body: &str| -> Vec<i64> {
        body.split("<tr id=\"member-").skip(1).filter_map(|s| s.split('"').next()?.parse().ok()).collect()
    };
    let mut admin = app.login("admin").await;
    let mut staff = app.login("staff").await;
    let cases = [
        (false, "placed=yes".to_owned(), true, None, false),
        (false, "placed=no".to_owned(), false, None, false),
        (false, "placed=no&standard=unmet".to_owned(), false, None, true),
        (false, format!("placed=no&institution={xtu}"), false, Some(xtu), false),
        (false, format!("placed=yes&institution={xtu}"), true, Some(xtu), false),
        (false, format!("placed=no&standard=unmet&institution={xtu}"), false, Some(xtu), true),
        (true, "placed=no".to_owned(), false, Some(xtu), false),
        (true, "placed=yes".to_owned(), true, Some(xtu), false),
        (true, "placed=no&standard=unmet".to_owned(), false, Some(xtu), true),
    ];
    for (as_staff, query, placed, institution, unmet) in cases {
        let want: Vec<i64> = app
            .db
            .fetch_all(&expected(placed, institution, unmet), &[])
            .await
            .unwrap()
            .iter()
            .map(|r| r.i64("id").unwrap())
            .collect();
        assert!(!want.is_empty(), "{query}: the demo has such graduates");
        let who = if as_staff { &mut staff } else { &mut admin };
        let page = who.get(&format!("/assistance?{query}")).await;
        assert_eq!(page.status, StatusCode::OK, "{query}");
        assert!(page.body.contains(&format!("id=\"register-count\">{}<", want.len())), "{query}: the count");
        let got = rows(&page.body);
        assert_eq!(got, want[..want.len().min(50)], "{query}: the first page, in student-number order");
    }
}

#[tokio::test]
async fn college_staff_see_only_the_graduates_they_help() {
    let app = TestApp::demo().await;
    let college = app.id("SELECT college_id FROM accounts WHERE username = 'college'").await;
    let account = app.id("SELECT id FROM accounts WHERE username = 'college'").await;
    // Two graduates of the college in the register; the college's account helps only the first.
    let ids: Vec<i64> = app
        .db
        .fetch_all(
            "SELECT id FROM graduates WHERE college_id = $1 AND key_groups = '' ORDER BY id LIMIT 2",
            &[college.into()],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| r.i64("id").unwrap())
        .collect();
    let (helped, other) = (ids[0], ids[1]);
    let mut tx = app.db.begin().await.unwrap();
    for id in [helped, other] {
        tx.execute("UPDATE graduates SET key_groups = '01' WHERE id = $1", &[id.into()]).await.unwrap();
    }
    tx.commit().await.unwrap();
    let mut staff = app.login("staff").await;
    let reply = staff.post(&format!("/assistance/{helped}/helpers"), &[("account", &account.to_string())]).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    let name_of = |id: i64| {
        let app = &app;
        async move {
            app.db
                .fetch_one("SELECT name FROM graduates WHERE id = $1", &[id.into()])
                .await
                .unwrap()
                .text("name")
                .unwrap()
        }
    };
    let mut c = app.login("college").await;
    // The register: only the helped, all of them its own.
    let list = c.get("/assistance").await.body;
    assert!(list.contains(&format!("member-{helped}")), "the helped graduate is listed");
    assert!(!list.contains(&format!("member-{other}")), "not one it does not help");
    let mine = app.count(&format!("SELECT COUNT(*) FROM assistance_helpers WHERE account_id = {account}")).await;
    assert!(list.contains(&format!("id=\"register-count\">{mine}<")), "counted: only its own");
    // The file.
    assert_eq!(c.get(&format!("/assistance/{helped}")).await.status, StatusCode::OK);
    assert_eq!(c.get(&format!("/assistance/{other}")).await.status, StatusCode::NOT_FOUND);
    let path = format!("/assistance/{other}/entries");
    let today = kernel::time::today_china().to_string();
    assert_eq!(
        c.post(&path, &[("kind", "01"), ("at", &today)]).await.status,
        StatusCode::NOT_FOUND,
        "nor writes to it"
    );
    // The coverage: the graduates it helps only.
    let coverage = c.get("/assistance/coverage").await.body;
    assert!(coverage.contains(&format!("id=\"total-graduates\">{mine}<")), "coverage of its own");
    // The hand-over export.
    let (_, rows) = handover_rows(c.get("/assistance/handover").await.bytes);
    let names: Vec<String> = rows.iter().map(|r| r["姓名"].clone()).collect();
    assert!(names.contains(&name_of(helped).await) && !names.contains(&name_of(other).await), "{names:?}");
    // The institution's office sees both.
    let list = staff.get("/assistance").await.body;
    assert!(list.contains(&format!("member-{helped}")) || list.contains("rel=\"next\""));
    assert_eq!(staff.get(&format!("/assistance/{other}")).await.status, StatusCode::OK);
    // Unassigned, the college's account no longer sees the first either.
    let reply = staff.post(&format!("/assistance/{helped}/helpers/{account}/remove"), &[]).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert_eq!(c.get(&format!("/assistance/{helped}")).await.status, StatusCode::NOT_FOUND);
    assert!(!c.get("/assistance").await.body.contains(&format!("member-{helped}")));
}
