//! The audit log answers "who changed this graduate's destination last
//! night" (issue 9): records found by student number, ID number, name and
//! institution whatever wrote them (a form, a destination batch, a roster
//! import), names in the reader's language, changes field by field, sign-ins
//! apart, and the chains still proving that nothing was altered.

use std::path::Path;

use axum::http::StatusCode;
use kernel::audit::{self, ChainStatus};
use kernel::Row;

use crate::roster::{batch_upload, good_row, prepare, upload, xlsx, HEADERS};
use crate::support::TestApp;

/// Id, student number, ID number and name of XTU's first graduates.
async fn xtu_graduates(app: &TestApp, n: usize) -> Vec<Row> {
    app.db
        .fetch_all(
            "SELECT g.id, g.student_no, g.id_number, g.name FROM graduates g JOIN institutions i ON i.id = g.institution_id \
             WHERE i.code = '10530' ORDER BY g.id",
            &[],
        )
        .await
        .unwrap()
        .into_iter()
        .take(n)
        .collect()
}

async fn intact(app: &TestApp) {
    let records = app.count("SELECT COUNT(*) FROM audit_log").await;
    assert_eq!(audit::verify(&app.db).await.unwrap(), ChainStatus::Intact { records });
}

/// The staff of XTU record a destination on the graduate's page.
async fn record_destination(app: &TestApp, graduate_id: i64, employer: &str) {
    let mut staff = app.login("staff").await;
    let fields = [("category_code", "10"), ("employer_name", employer), ("credit_code", "91350100M000100Y43")];
    let reply = staff.post(&format!("/outcomes/graduates/{graduate_id}/destination"), &fields).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
}

#[tokio::test]
async fn a_destination_edited_on_the_web_is_found_by_student_number_id_number_and_name() {
    let app = TestApp::demo().await;
    let g = &xtu_graduates(&app, 1).await[0];
    let (id, student_no, id_number, name) =
        (g.i64("id").unwrap(), g.text("student_no").unwrap(), g.text("id_number").unwrap(), g.text("name").unwrap());
    record_destination(&app, id, "湘江软件有限公司").await;
    record_destination(&app, id, "岳麓数据有限公司").await;
    let mut admin = app.login("admin").await;
    for person in [&student_no, &id_number, &name] {
        let page = admin.get(&format!("/admin/audit?person={}", urlencode(person))).await.body;
        assert!(page.contains("<td>登记</td>") && page.contains("毕业去向"), "{person}: {page}");
        // The second change shows only what changed, field by field.
        assert!(
            page.contains("<strong>单位名称</strong>：<del>湘江软件有限公司</del> → <ins>岳麓数据有限公司</ins>"),
            "{page}"
        );
        assert!(!page.contains("before_json") && !page.contains("{&quot;"), "no raw JSON");
    }
    // Typed in full, shown masked: the graduate's own trail masks the ID number.
    let trail = admin.get(&format!("/admin/audit?graduate={id}")).await.body;
    assert!(trail.contains(&kernel::mask::id_number(&id_number)) && !trail.contains(&id_number));
    assert!(trail.contains("岳麓数据有限公司"));
    let nobody = admin.get("/admin/audit?person=NOSUCH0001").await.body;
    assert!(nobody.contains("没有找到") && nobody.contains("没有符合条件的记录"));

    // By institution: XTU's picker finds it, another institution's does not.
    let xtu = app.id("SELECT id FROM institutions WHERE code = '10530'").await;
    let hnu = app.id("SELECT id FROM institutions WHERE code = '10532'").await;
    let page = admin.get(&format!("/admin/audit?institution={xtu}&entity=destination")).await.body;
    assert!(page.contains("岳麓数据有限公司") && page.contains(&format!("<option value=\"{xtu}\" selected>")));
    let page = admin.get(&format!("/admin/audit?institution={hnu}&person={student_no}")).await.body;
    assert!(page.contains("没有符合条件的记录"));
    assert!(
        admin.get("/admin/audit?institution=abc").await.body.contains("没有符合条件的记录"),
        "a bad number widens nothing"
    );
    intact(&app).await;
}

fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect()
}

#[tokio::test]
async fn entities_actions_and_fields_are_named_in_chinese_and_english() {
    let app = TestApp::demo().await;
    let g = &xtu_graduates(&app, 1).await[0];
    record_destination(&app, g.i64("id").unwrap(), "湘江软件有限公司").await;
    let mut admin = app.login("admin").await;
    let zh = admin.get("/admin/audit").await.body;
    for text in
        ["<td>登记</td>", "毕业去向", "<strong>单位名称</strong>", "<option value=\"destination\">毕业去向</option>"]
    {
        assert!(zh.contains(text), "{text}");
    }
    let en = admin.get("/admin/audit?lang=en").await.body;
    for text in [
        "<td>Record</td>",
        "Destination",
        "<strong>Employer name</strong>",
        "<option value=\"roster\">Roster import</option>",
    ] {
        assert!(en.contains(text), "{text}");
    }
    assert!(!en.contains("<td>record</td>"));
}

/// Every entity type and action the code writes has a name, so the entity
/// filter offers all of them and no page shows a bare key.
#[test]
fn every_entity_and_action_written_has_a_name() {
    let crates = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = vec![crates];
    let mut written = Vec::new();
    while let Some(path) = files.pop() {
        if path.is_dir() {
            let skip = ["tests", "examples", "target"].iter().any(|d| path.ends_with(d));
            if !skip {
                files.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
            }
        } else if path.extension().is_some_and(|e| e == "rs") {
            written.extend(changes_in(&std::fs::read_to_string(&path).unwrap()));
        }
    }
    assert!(written.len() > 20, "{written:?}");
    for (entity, action) in written {
        let action = action.as_deref().unwrap_or("record");
        assert!(registry::audit_names::knows(&entity, action), "no name for {entity} / {action}");
    }
}

/// (entity, action when written as a literal) of every `Change` built in `source`.
fn changes_in(source: &str) -> Vec<(String, Option<String>)> {
    let literal = |arg: &str| arg.trim().strip_prefix('"').and_then(|a| a.split('"').next()).map(str::to_owned);
    let mut found = Vec::new();
    for (i, _) in source.match_indices("Change::") {
        let rest = &source[i + "Change::".len()..];
        let Some((kind, args)) = rest.split_once('(') else { continue };
        let args: Vec<&str> = args.splitn(3, ',').collect();
        match kind {
            "new" if args.len() > 1 => {
                if let Some(entity) = literal(args[1]) {
                    found.push((entity, literal(args[0])));
                }
            }
            "viewed" => {
                if let Some(entity) = literal(args[0]) {
                    found.push((entity, Some(kernel::audit::VIEWED.to_owned())));
                }
            }
            "created" | "updated" => {
                if let Some(entity) = literal(args[0]) {
                    found.push((entity, Some(if kind == "created" { "create" } else { "update" }.to_owned())));
                }
            }
            _ => {}
        }
    }
    found
}

#[tokio::test]
async fn a_destination_batch_names_each_graduate_it_changed() {
    let app = TestApp::demo().await;
    let graduates = xtu_graduates(&app, 3).await;
    let headers = ["学号", "毕业去向类别代码", "单位名称", "统一社会信用代码", "签约日期"];
    let rows: Vec<Vec<String>> = graduates
        .iter()
        .map(|g| {
            let no = g.text("student_no").unwrap();
            vec![no, "10".into(), "长沙某公司".into(), "91350100M000100Y43".into(), "2022-06-01".into()]
        })
        .collect();
    let mut staff = app.login("staff").await;
    let reply = batch_upload(&mut staff, xlsx(&headers, &rows)).await;
    assert_eq!(crate::roster::between(&reply.body, "recorded-rows"), "3", "{}", reply.body);
    let batch = app.id("SELECT id FROM audit_log WHERE entity = 'destination_batch'").await;
    assert_eq!(app.count(&format!("SELECT COUNT(*) FROM audit_log WHERE batch_id = {batch}")).await, 3);

    let mut admin = app.login("admin").await;
    let student_no = graduates[1].text("student_no").unwrap();
    let page = admin.get(&format!("/admin/audit?person={student_no}")).await.body;
    assert!(page.contains(&format!("批次 #{batch}")) && page.contains("<ins>长沙某公司</ins>"), "{page}");
    let members = admin.get(&format!("/admin/audit?batch={batch}&kind=all")).await.body;
    for g in &graduates {
        assert!(members.contains(&g.text("student_no").unwrap()));
    }
    assert!(members.contains("去向批量登记") && members.contains("本批次的毕业生"));
    intact(&app).await;
}

#[tokio::test]
async fn a_roster_import_names_each_graduate_it_added_or_changed() {
    let app = TestApp::demo().await;
    let xtu = prepare(&app).await;
    let mut rows: Vec<Vec<String>> = (1..=40).map(good_row).collect();
    let mut staff = app.login("staff").await;
    upload(&mut staff, "10530", "roster.xlsx", xlsx(&HEADERS, &rows)).await;
    let first = app.id("SELECT id FROM audit_log WHERE entity = 'roster'").await;
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM audit_log WHERE batch_id = {first} AND entity = 'graduate' AND action = 'create'"
        ))
        .await,
        40
    );
    assert_eq!(
        app.count(&format!("SELECT COUNT(*) FROM audit_log WHERE batch_id = {first} AND institution_id = {xtu} AND graduate_id IS NOT NULL")).await,
        40
    );
    rows[0][1] = "改名一".into();
    upload(&mut staff, "10530", "roster.xlsx", xlsx(&HEADERS, &rows)).await;
    let second = app.id("SELECT MAX(id) FROM audit_log WHERE entity = 'roster'").await;
    assert_eq!(
        app.count(&format!("SELECT COUNT(*) FROM audit_log WHERE batch_id = {second}")).await,
        1,
        "only the changed graduate"
    );

    let mut admin = app.login("admin").await;
    let page = admin.get("/admin/audit?person=T000001").await.body;
    assert!(page.contains("<strong>姓名</strong>：<del>测试1</del> → <ins>改名一</ins>"), "{page}");
    assert!(page.contains("毕业生信息") && page.contains("<td>新增</td>") && page.contains(&format!("批次 #{first}")));
    // The new graduate's record names the graduate, not the personal numbers.
    assert!(page.contains("<strong>学号</strong>：<del>（空）</del> → <ins>T000001</ins>"), "{page}");
    assert!(!page.contains(rows[0][3].as_str()) && !page.contains(rows[0][11].as_str()));
    intact(&app).await;
}

#[tokio::test]
async fn sign_ins_are_kept_apart_from_data_changes() {
    let app = TestApp::demo().await;
    let g = &xtu_graduates(&app, 1).await[0];
    record_destination(&app, g.i64("id").unwrap(), "湘江软件有限公司").await;
    let mut visitor = app.client();
    visitor.login("staff", "wrong-password").await;
    let mut admin = app.login("admin").await;
    let data = admin.get("/admin/audit").await.body;
    assert!(data.contains("<td>登记</td>"));
    assert!(!data.contains("<td>登录</td>") && !data.contains("<td>登录失败</td>"), "sign-ins hidden by default");
    let sign_ins = admin.get("/admin/audit?kind=signin").await.body;
    assert!(sign_ins.contains("<td>登录</td>") && sign_ins.contains("<td>登录失败</td>"));
    assert!(!sign_ins.contains("<td>登记</td>"));
    let all = admin.get("/admin/audit?kind=all").await.body;
    assert!(all.contains("<td>登录</td>") && all.contains("<td>登记</td>"));
}

#[tokio::test]
async fn tampering_with_a_records_subject_breaks_the_chain() {
    let app = TestApp::demo().await;
    let graduates = xtu_graduates(&app, 2).await;
    record_destination(&app, graduates[0].i64("id").unwrap(), "湘江软件有限公司").await;
    intact(&app).await;
    let target = app.id("SELECT id FROM audit_log WHERE entity = 'destination'").await;
    let other = graduates[1].i64("id").unwrap();
    for forgery in [
        format!("UPDATE audit_log SET graduate_id = {other} WHERE id = {target}"),
        format!("UPDATE audit_log SET graduate_id = NULL, institution_id = NULL WHERE id = {target}"),
        format!("UPDATE audit_log SET batch_id = 1 WHERE id = {target}"),
    ] {
        let original = app
            .db
            .fetch_one(&format!("SELECT graduate_id, institution_id FROM audit_log WHERE id = {target}"), &[])
            .await
            .unwrap();
        let mut tx = app.db.begin().await.unwrap();
        tx.execute(&forgery, &[]).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(
            audit::verify(&app.db).await.unwrap(),
            ChainStatus::Broken { record_id: target, reason: "record content was changed" },
            "{forgery}"
        );
        let mut tx = app.db.begin().await.unwrap();
        tx.execute(
            "UPDATE audit_log SET graduate_id = $1, institution_id = $2, batch_id = NULL WHERE id = $3",
            &[
                original.opt_i64("graduate_id").unwrap().into(),
                original.opt_i64("institution_id").unwrap().into(),
                target.into(),
            ],
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        intact(&app).await;
    }
}

#[tokio::test]
async fn the_graduates_record_links_to_its_audit_trail_for_the_province() {
    let app = TestApp::demo().await;
    let id = xtu_graduates(&app, 1).await[0].i64("id").unwrap();
    let link = format!("href=\"/admin/audit?graduate={id}\"");
    let mut admin = app.login("admin").await;
    assert!(admin.get(&format!("/outcomes/graduates/{id}")).await.body.contains(&link));
    let mut staff = app.login("staff").await;
    let page = staff.get(&format!("/outcomes/graduates/{id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains(&link), "the audit log is the province's");
    assert_eq!(staff.get(&format!("/admin/audit?graduate={id}")).await.status, StatusCode::FORBIDDEN);
}
