//! Every write leaves exactly one audit record; tampering breaks the chain.

use kernel::audit::{self, ChainStatus};

use crate::support::TestApp;

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
        (format!("/registry/employers/{employer}/review"), vec![("decision", "reject".into())], "employer"),
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
    visitor.post("/employers/register", &form).await;
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
