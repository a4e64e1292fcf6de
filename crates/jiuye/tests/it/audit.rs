//! Every write leaves exactly one audit record; tampering breaks the chain.

use std::path::Path;

use kernel::audit::{self, AuditActor, ChainStatus, Change};
use kernel::db::Backend;
use kernel::Db;

use crate::support::{self, TestApp};

/// A form post: path, fields, and the entity its audit record names.
type Write = (String, Vec<(&'static str, String)>, &'static str);

#[tokio::test]
async fn each_write_records_exactly_one_entry() {
    let app = TestApp::demo().await;
    let xtu = app.id("SELECT id FROM institutions WHERE code = '10530'").await;
    let employer = app.id("SELECT MAX(id) FROM employers").await;
    let mut admin = app.login("admin").await;
    let college = app.id(&format!("SELECT MIN(id) FROM colleges WHERE institution_id = {xtu}")).await;
    let expert = app.id("SELECT id FROM accounts WHERE username = 'expert'").await;
    let writes: Vec<Write> = vec![
        (
            format!("/registry/institutions/{xtu}/colleges"),
            vec![("code", "70".into()), ("name", "审计学院".into())],
            "college",
        ),
        (format!("/registry/colleges/{college}"), vec![("name", "改过名的学院".into())], "college"),
        (
            format!("/registry/institutions/{xtu}/majors"),
            vec![("college_id", college.to_string()), ("major_code", "080910T|本科".into())],
            "major",
        ),
        (
            format!("/registry/employers/{employer}/review"),
            vec![("decision", "reject".into()), ("reason", "营业执照不清晰".into())],
            "employer",
        ),
        (
            "/admin/accounts".into(),
            vec![
                ("username", "audited".into()),
                ("display_name", "审计".into()),
                ("password", "audit2022x".into()),
                ("role", "expert".into()),
            ],
            "account",
        ),
        (
            format!("/admin/accounts/{expert}"),
            vec![("display_name", "专家甲".into()), ("role", "expert".into()), ("active", "on".into())],
            "account",
        ),
        ("/admin/tokens".into(), vec![("username", "staff".into()), ("name", "同步".into())], "api_token"),
        (
            "/account/password".into(),
            vec![
                ("current", "jiuye2022".into()),
                ("new_password", "jiuye2023x".into()),
                ("confirm", "jiuye2023x".into()),
            ],
            "account",
        ),
    ];
    for (path, fields, entity) in writes {
        let before = app.count("SELECT COUNT(*) FROM audit_log").await;
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let reply = admin.post(&path, &fields).await;
        assert!(reply.status.is_success() || reply.status.is_redirection(), "{path}: {}", reply.body);
        assert_eq!(app.count("SELECT COUNT(*) FROM audit_log").await, before + 1, "{path}");
        let last = app
            .db
            .fetch_one("SELECT entity, actor_label, client_addr FROM audit_log ORDER BY id DESC LIMIT 1", &[])
            .await
            .unwrap();
        assert_eq!(last.text("entity").unwrap(), entity);
        assert_eq!(last.text("actor_label").unwrap(), "admin");
    }
    let page = admin.get("/admin/audit?entity=college").await.body;
    assert!(page.contains("审计学院"));
    assert!(
        !app.db.fetch_all("SELECT after_json FROM audit_log", &[]).await.unwrap().iter().any(|r| r
            .opt_text("after_json")
            .unwrap()
            .unwrap_or_default()
            .contains("argon2")),
        "no password hash in the log"
    );
    assert_eq!(
        audit::verify(&app.db).await.unwrap(),
        ChainStatus::Intact { records: app.count("SELECT COUNT(*) FROM audit_log").await }
    );
}

#[tokio::test]
async fn editing_a_record_breaks_the_chain_at_that_record() {
    let app = TestApp::demo().await;
    let mut staff = app.login("staff").await;
    staff.get("/").await;
    assert!(matches!(audit::verify(&app.db).await.unwrap(), ChainStatus::Intact { .. }));
    let target = app.id("SELECT MIN(id) FROM audit_log WHERE action = 'login'").await;
    let mut tx = app.db.begin().await.unwrap();
    tx.execute("UPDATE audit_log SET actor_label = 'someone-else' WHERE id = $1", &[target.into()]).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        audit::verify(&app.db).await.unwrap(),
        ChainStatus::Broken { record_id: target, reason: "record content was changed" }
    );
}

#[tokio::test]
async fn the_cli_verifies_the_chain() {
    let app = TestApp::demo().await;
    let cli = |args: &[&str]| {
        let mut all = vec!["jiuye", "--database-url", app.config.database_url.as_deref().unwrap()];
        all.extend_from_slice(args);
        <jiuye::cli::Cli as clap::Parser>::parse_from(all)
    };
    assert!(jiuye::cli::run(cli(&["audit", "verify"])).await.is_ok());
    let mut tx = app.db.begin().await.unwrap();
    tx.execute("UPDATE audit_log SET after_json = '{}' WHERE id = 1", &[]).await.unwrap();
    tx.commit().await.unwrap();
    let err = jiuye::cli::run(cli(&["audit", "verify"])).await.unwrap_err();
    assert!(err.to_string().contains("record 1"), "{err}");
}

#[tokio::test]
async fn registration_logout_and_token_revocation_are_audited() {
    let app = TestApp::demo().await;
    let mut visitor = app.client();
    let before = app.count("SELECT COUNT(*) FROM audit_log").await;
    let form = [
        ("name", "审计测试有限公司"),
        ("credit_code", "91350100M000100Y43"),
        ("contact_name", "赵六"),
        ("contact_phone", "13700001111"),
        ("username", "auditco"),
        ("password", "auditco2022"),
    ];
    visitor.register(&form).await;
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log").await, before + 1);
    let mut admin = app.login("admin").await;
    admin.post("/admin/tokens", &[("username", "staff"), ("name", "x")]).await;
    let token = app.id("SELECT MAX(id) FROM api_tokens").await;
    let n = app.count("SELECT COUNT(*) FROM audit_log").await;
    admin.post(&format!("/admin/tokens/{token}/revoke"), &[]).await;
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log").await, n + 1);
    admin.post("/logout", &[]).await;
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log").await, n + 2);
    assert!(matches!(audit::verify(&app.db).await.unwrap(), ChainStatus::Intact { .. }));
}

#[tokio::test]
async fn the_cli_adds_users_for_real_deployments() {
    let app = TestApp::empty().await;
    let url = app.config.database_url.clone().unwrap();
    let run = |args: &[&str]| {
        let mut all = vec!["jiuye", "--database-url", url.as_str(), "user", "add"];
        all.extend_from_slice(args);
        jiuye::cli::run(<jiuye::cli::Cli as clap::Parser>::parse_from(all))
    };
    run(&["chief", "--role", "province_admin", "--name", "处长", "--password", "chief2022x"]).await.unwrap();
    run(&["xtu", "--role", "university_staff", "--institution", "10530", "--password", "xtu2022xx"]).await.unwrap();
    assert!(run(&["weak", "--password", "short"]).await.is_err());
    assert!(run(&["chief", "--password", "chief2022x"]).await.unwrap_err().to_string().contains("taken"));
    assert!(run(&["nobody", "--role", "university_staff", "--password", "xtu2022xx"]).await.is_err());
    let mut c = app.client();
    assert_eq!(c.login("chief", "chief2022x").await.status, axum::http::StatusCode::SEE_OTHER);
    assert!(c.get("/").await.body.contains("处长"));
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log WHERE entity = 'account' AND action = 'create'").await, 2);
}

/// Has `writers` tasks record `each` changes at once, each change in a
/// transaction of its own, as the doors of a job fair check graduates in.
async fn record_at_once(db: &Db, writers: usize, each: usize) {
    let tasks: Vec<_> = (0..writers)
        .map(|w| {
            let db = db.clone();
            tokio::spawn(async move {
                let who =
                    AuditActor { account_id: None, label: format!("door-{w}"), client_addr: Some("10.8.0.7".into()) };
                for n in 0..each {
                    let mut tx = db.begin().await.expect("begin");
                    let change = Change::new("check_in", "graduate", format!("{w}-{n}"))
                        .after(serde_json::json!({ "door": w, "n": n }));
                    audit::record(&mut tx, &who, change).await.expect("record");
                    tx.commit().await.expect("commit");
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.expect("writer");
    }
}

async fn execute(app: &TestApp, sql: &str, params: &[kernel::Value]) {
    let mut tx = app.db.begin().await.unwrap();
    tx.execute(sql, params).await.unwrap();
    tx.commit().await.unwrap();
}

/// Fills the log and picks a chain other than 0 with at least three records:
/// its number and its records' ids in chain order.
async fn a_later_chain(app: &TestApp) -> (i64, Vec<i64>) {
    record_at_once(&app.db, 4, 40).await;
    let chain = app
        .id("SELECT chain FROM audit_log WHERE chain <> 0 GROUP BY chain HAVING COUNT(*) >= 3 ORDER BY chain LIMIT 1")
        .await;
    let ids =
        app.db.fetch_all("SELECT id FROM audit_log WHERE chain = $1 ORDER BY seq", &[chain.into()]).await.unwrap();
    (chain, ids.iter().map(|r| r.i64("id").unwrap()).collect())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn writers_at_once_leave_every_chain_intact() {
    let app = TestApp::empty().await;
    let before = app.count("SELECT COUNT(*) FROM audit_log").await;
    record_at_once(&app.db, 20, 10).await;
    let records = app.count("SELECT COUNT(*) FROM audit_log").await;
    assert_eq!(records, before + 200);
    assert_eq!(audit::verify(&app.db).await.unwrap(), ChainStatus::Intact { records });
    assert!(app.count("SELECT COUNT(DISTINCT chain) FROM audit_log").await > 1, "the writers shared one chain");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn verifying_while_writers_write_finds_nothing_wrong() {
    let app = TestApp::empty().await;
    let writers = tokio::spawn({
        let db = app.db.clone();
        async move { record_at_once(&db, 10, 20).await }
    });
    while !writers.is_finished() {
        assert!(matches!(audit::verify(&app.db).await.unwrap(), ChainStatus::Intact { .. }));
    }
    writers.await.unwrap();
    let records = app.count("SELECT COUNT(*) FROM audit_log").await;
    assert_eq!(audit::verify(&app.db).await.unwrap(), ChainStatus::Intact { records });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn editing_a_record_in_a_later_chain_is_found() {
    let app = TestApp::empty().await;
    let (_, ids) = a_later_chain(&app).await;
    assert!(matches!(audit::verify(&app.db).await.unwrap(), ChainStatus::Intact { .. }));
    execute(&app, "UPDATE audit_log SET entity_id = 'forged' WHERE id = $1", &[ids[1].into()]).await;
    assert_eq!(
        audit::verify(&app.db).await.unwrap(),
        ChainStatus::Broken { record_id: ids[1], reason: "record content was changed" }
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn removing_the_last_record_of_a_chain_is_found() {
    let app = TestApp::empty().await;
    let (chain, ids) = a_later_chain(&app).await;
    let (last, before_last) = (ids[ids.len() - 1], ids[ids.len() - 2]);
    execute(&app, "DELETE FROM audit_log WHERE id = $1", &[last.into()]).await;
    assert_eq!(
        audit::verify(&app.db).await.unwrap(),
        ChainStatus::Broken { record_id: last, reason: "the end of its chain was removed, up to this record" }
    );
    // Winding the head back by one is not enough: it still holds the removed record's hash.
    execute(
        &app,
        "UPDATE audit_head SET seq = seq - 1, last_id = $1 WHERE id = $2",
        &[before_last.into(), chain.into()],
    )
    .await;
    assert_eq!(
        audit::verify(&app.db).await.unwrap(),
        ChainStatus::Broken { record_id: before_last, reason: "its chain's head names another record" }
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn removing_a_record_inside_a_chain_is_found() {
    let app = TestApp::empty().await;
    let (_, ids) = a_later_chain(&app).await;
    execute(&app, "DELETE FROM audit_log WHERE id = $1", &[ids[1].into()]).await;
    assert_eq!(
        audit::verify(&app.db).await.unwrap(),
        ChainStatus::Broken { record_id: ids[2], reason: "the record before this one in its chain is missing" }
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_record_added_beyond_its_chains_head_is_found() {
    let app = TestApp::empty().await;
    let (chain, ids) = a_later_chain(&app).await;
    let last = app.db.fetch_one("SELECT * FROM audit_log WHERE id = $1", &[ids[ids.len() - 1].into()]).await.unwrap();
    // A copy of the chain's last record, numbered next, hashes and all.
    let mut tx = app.db.begin().await.unwrap();
    let forged = tx
        .insert_returning_id(
            "INSERT INTO audit_log (chain, seq, at, actor_label, action, entity, entity_id, prev_hash, hash) \
             VALUES ($1, $2, $3, 'door-0', 'check_in', 'graduate', 'forged', $4, $5)",
            &[
                chain.into(),
                (last.i64("seq").unwrap() + 1).into(),
                last.text("at").unwrap().into(),
                last.text("hash").unwrap().into(),
                last.text("hash").unwrap().into(),
            ],
        )
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        audit::verify(&app.db).await.unwrap(),
        ChainStatus::Broken { record_id: forged, reason: "record beyond its chain's head" }
    );
}

/// Three records and the head as the code before migration 0011 wrote them
/// (one chain, hashes covering the record id).
const BEFORE_CHAINS: [&str; 4] = [
    r#"INSERT INTO audit_log (id, at, actor_id, actor_label, action, entity, entity_id, before_json, after_json, client_addr, prev_hash, hash)
       VALUES (1, '2026-12-01T21:41:06.377Z', 1, 'admin', 'create', 'college', '7', NULL, '{"code":"70","institution_id":1,"name":"审计学院"}', '127.0.0.1',
       '0000000000000000000000000000000000000000000000000000000000000000', 'e5e51586b1a140132ca3060fbd1720f69977015115bf063777fae6f808c6155a')"#,
    r#"INSERT INTO audit_log (id, at, actor_id, actor_label, action, entity, entity_id, before_json, after_json, client_addr, prev_hash, hash)
       VALUES (2, '2026-12-01T21:41:06.377Z', 1, 'admin', 'update', 'college', '7', '{"name":"审计学院"}', '{"name":"改过名的学院"}', '127.0.0.1',
       'e5e51586b1a140132ca3060fbd1720f69977015115bf063777fae6f808c6155a', 'ed4e3f814ab0eefeaf332e9a0593399c1c7dcffa493f11fe81b3c2a7b3082fac')"#,
    r#"INSERT INTO audit_log (id, at, actor_id, actor_label, action, entity, entity_id, before_json, after_json, client_addr, prev_hash, hash)
       VALUES (3, '2026-12-01T21:41:06.378Z', NULL, 'seed', 'login_failed', 'account', 'nobody', NULL, NULL, NULL,
       'ed4e3f814ab0eefeaf332e9a0593399c1c7dcffa493f11fe81b3c2a7b3082fac', 'e7a973cde14a7a0d3c41479bf0001bb84762fb4cf8c7b0970c3878662d223e34')"#,
    "UPDATE audit_head SET last_hash = 'e7a973cde14a7a0d3c41479bf0001bb84762fb4cf8c7b0970c3878662d223e34' WHERE id = 1",
];

#[tokio::test]
async fn records_from_before_the_chains_still_verify() {
    let (url, _dir) = support::fresh_database_url().await;
    let db = Db::connect(&url).await.unwrap();
    // The schema as it was before chains: the migrations before 0011, run from a copy.
    let engine = match db.backend() {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    let earlier = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../migrations").join(engine)).unwrap()
    {
        let entry = entry.unwrap();
        if entry.file_name().to_string_lossy().as_ref() < "0011" {
            std::fs::copy(entry.path(), earlier.path().join(entry.file_name())).unwrap();
        }
    }
    db.migrate_from(earlier.path()).await.unwrap();
    let mut tx = db.begin().await.unwrap();
    for sql in BEFORE_CHAINS {
        tx.execute(sql, &[]).await.unwrap();
    }
    tx.commit().await.unwrap();

    db.migrate().await.unwrap();
    assert_eq!(audit::verify(&db).await.unwrap(), ChainStatus::Intact { records: 3 });
    // New records get new ids and chain on: chain 0's next record follows the last old one.
    let mut rounds = 0;
    while db.scalar_i64("SELECT COUNT(*) FROM audit_log WHERE chain = 0", &[]).await.unwrap() < 4 {
        assert!(rounds < 50, "no new record went to chain 0");
        record_at_once(&db, 1, 32).await;
        rounds += 1;
    }
    let fourth = db.fetch_one("SELECT id, prev_hash FROM audit_log WHERE chain = 0 AND seq = 4", &[]).await.unwrap();
    assert_eq!(fourth.text("prev_hash").unwrap(), "e7a973cde14a7a0d3c41479bf0001bb84762fb4cf8c7b0970c3878662d223e34");
    assert!(fourth.i64("id").unwrap() > 3);
    let records = db.scalar_i64("SELECT COUNT(*) FROM audit_log", &[]).await.unwrap();
    assert_eq!(audit::verify(&db).await.unwrap(), ChainStatus::Intact { records });
    db.close().await;
}
