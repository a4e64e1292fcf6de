//! Backup and restore (备份与恢复) and upgrades: `jiuye backup` / `restore` on
//! SQLite (a round trip gives the same content, files and audit chain, also
//! while writes go on), PostgreSQL's pg_dump / pg_restore as docs/backup.md
//! describes, the release fixtures migrated forward, and a newer schema refused.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use clap::Parser;
use kernel::audit::{self, AuditActor, ChainStatus, Change};
use kernel::config::Config;
use kernel::db::Backend;
use kernel::Db;

use jiuye::backup::{self, BackupError, ManifestError, Progress};

use crate::support::{TestApp, LICENCE};

fn quiet() -> Progress {
    Arc::new(|_, _, _| {})
}

/// A configuration whose data folder (and SQLite database in it) is `dir`.
fn folder(dir: &Path) -> Config {
    Config { data_dir: dir.to_owned(), database_url: None, ..Config::for_database("sqlite::memory:") }
}

/// One audited write, as every write in the platform is: an account and its record.
async fn audited_account(db: &Db, username: &str) {
    let mut tx = db.begin().await.expect("begin");
    let id = tx
        .insert_returning_id(
            "INSERT INTO accounts (username, display_name, password_hash, role, active, created_at) VALUES ($1, $1, 'x', 'expert', TRUE, $2)",
            &[username.into(), kernel::time::now_utc().into()],
        )
        .await
        .expect("insert account");
    let after = serde_json::json!({ "username": username });
    audit::record(&mut tx, &AuditActor::system("test"), Change::created("account", id, after)).await.expect("audit");
    tx.commit().await.expect("commit");
}

/// Every table's rows, in a comparable form: on SQLite the rows themselves
/// (sorted), on PostgreSQL each table's rows as text, hashed.
async fn content(db: &Db) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    match db.backend() {
        Backend::Sqlite => {
            let tables = db
                .fetch_all(
                    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
                    &[],
                )
                .await
                .expect("tables");
            for t in tables {
                let name = t.text("name").expect("name");
                // The checksum is a BLOB, which rows do not carry; its version and name say which migration.
                let sql = match name.as_str() {
                    "_sqlx_migrations" => "SELECT version, description, success FROM _sqlx_migrations".to_owned(),
                    _ => format!("SELECT * FROM \"{name}\""),
                };
                let mut rows: Vec<String> =
                    db.fetch_all(&sql, &[]).await.expect("rows").iter().map(|r| r.to_json().to_string()).collect();
                rows.sort();
                out.insert(name, format!("{} rows: {}", rows.len(), rows.join("\n")));
            }
        }
        Backend::Postgres => {
            let tables = db
                .fetch_all(
                    "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1",
                    &[],
                )
                .await
                .expect("tables");
            for t in tables {
                let name = t.text("name").expect("name");
                let sql = format!(
                    "SELECT COUNT(*)::text || ' rows ' || md5(COALESCE(string_agg(t::text, E'\\n' ORDER BY t::text), '')) AS h FROM \"{name}\" t"
                );
                let h = db.fetch_one(&sql, &[]).await.expect("hash").text("h").expect("h");
                out.insert(name, h);
            }
        }
    }
    out
}

fn same_content(a: &BTreeMap<String, String>, b: &BTreeMap<String, String>) {
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>(), "the same tables");
    for (table, rows) in a {
        assert!(rows == &b[table], "table {table} differs after the round trip");
    }
    assert!(a["graduates"].starts_with("400 rows") || a["graduates"].starts_with("400 "), "{}", &a["graduates"][..20]);
}

/// Every file below `dir` with its bytes.
fn files_below(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else { continue };
        for e in entries.flatten() {
            let path = e.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.insert(path.strip_prefix(dir).expect("below").to_owned(), std::fs::read(&path).expect("read"));
            }
        }
    }
    out
}

fn intact(status: &ChainStatus) -> i64 {
    match status {
        ChainStatus::Intact { records } => *records,
        ChainStatus::Broken { record_id, reason } => panic!("audit chain broken at {record_id}: {reason}"),
    }
}

/// A test app serving `db` (the restored one) with `config`.
async fn serving(db: &Db, config: &Config) -> TestApp {
    let mut app = TestApp::empty().await;
    app.router = jiuye::app(db.clone(), config.clone());
    app.db = db.clone();
    app
}

fn on_sqlite(app: &TestApp) -> bool {
    app.db.backend() == Backend::Sqlite
}

#[tokio::test]
async fn a_sqlite_backup_restores_to_the_same_content_files_and_audit_chain() {
    let app = TestApp::demo().await;
    if !on_sqlite(&app) {
        return;
    }
    for i in 0..5 {
        audited_account(&app.db, &format!("backup-{i}")).await;
    }
    let store = app.config.files();
    let licence = store.put_document(LICENCE, 1 << 20).expect("stored");
    store.put_document(crate::support::JPEG, 1 << 20).expect("stored");
    let before = content(&app.db).await;

    // Taken while the app has the database open, as a running server does.
    let out = tempfile::tempdir().expect("dir");
    let archive = out.path().join("jiuye-backup.zip");
    let summary = backup::backup(&app.config, &archive, quiet()).await.expect("backup");
    assert!(summary.manifest.schema_version >= 72, "{}", summary.manifest.schema_version);
    assert_eq!(summary.manifest.tables["graduates"], 400);
    assert_eq!(summary.manifest.files().count(), 2);
    assert!(summary.manifest.members.iter().all(|m| m.sha256.len() == 64));
    assert!(
        matches!(backup::backup(&app.config, &archive, quiet()).await, Err(BackupError::Exists(_))),
        "an existing backup is never overwritten"
    );

    let target = tempfile::tempdir().expect("dir");
    let config = folder(target.path());
    let restored = backup::restore(&config, &archive, false, quiet()).await.expect("restore");
    assert_eq!(restored.files, 2);
    assert!(restored.replaced.is_none());
    assert!(intact(&restored.audit) >= 5);
    assert_eq!(restored.schema_version, summary.manifest.schema_version);

    let db = jiuye::open(&config).await.expect("open the restored folder");
    same_content(&before, &content(&db).await);
    assert_eq!(files_below(&app.config.files_dir()), files_below(&config.files_dir()));
    assert_eq!(config.files().get(&licence.sha256).expect("the licence is back"), LICENCE);
    // The restored platform serves: the province signs in and reads its audit log.
    let mut c = serving(&db, &config).await.login("admin").await;
    assert!(c.get("/admin/audit").await.status.is_success());
    db.close().await;
}

#[tokio::test]
async fn a_backup_taken_while_writes_go_on_is_consistent() {
    let app = TestApp::demo().await;
    if !on_sqlite(&app) {
        return;
    }
    let written = Arc::new(std::sync::atomic::AtomicI64::new(0));
    let writer = {
        let (db, written) = (app.db.clone(), written.clone());
        tokio::spawn(async move {
            for i in 0..300 {
                audited_account(&db, &format!("during-{i}")).await;
                written.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                tokio::task::yield_now().await;
            }
        })
    };
    let out = tempfile::tempdir().expect("dir");
    let archive = out.path().join("during.zip");
    while written.load(std::sync::atomic::Ordering::SeqCst) < 10 {
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    let first = written.load(std::sync::atomic::Ordering::SeqCst);
    backup::backup(&app.config, &archive, quiet()).await.expect("backup while writing");
    let last = written.load(std::sync::atomic::Ordering::SeqCst);
    writer.await.expect("writer");

    let target = tempfile::tempdir().expect("dir");
    let config = folder(target.path());
    let restored = backup::restore(&config, &archive, false, quiet()).await.expect("restore");
    intact(&restored.audit);
    let db = Db::connect(&config.database_url()).await.expect("connect");
    let accounts =
        db.scalar_i64("SELECT COUNT(*) AS n FROM accounts WHERE username LIKE 'during-%'", &[]).await.expect("n");
    let records = db
        .scalar_i64("SELECT COUNT(*) AS n FROM audit_log WHERE entity = 'account' AND after_json LIKE '%during-%'", &[])
        .await
        .expect("n");
    // Each write's account and its audit record are in the copy together or not at all.
    assert_eq!(accounts, records);
    // The copy is of one moment during the backup (one commit may be done
    // that its task has not yet counted).
    assert!((first..=last + 1).contains(&accounts), "{first} <= {accounts} <= {last} + 1");
    db.close().await;
}

#[tokio::test]
async fn restore_refuses_a_running_server_a_full_database_and_a_damaged_archive() {
    let app = TestApp::demo().await;
    if !on_sqlite(&app) {
        return;
    }
    let out = tempfile::tempdir().expect("dir");
    let archive = out.path().join("b.zip");
    backup::backup(&app.config, &archive, quiet()).await.expect("backup");

    // The app still has its database open, as a running server does.
    let err = backup::restore(&app.config, &archive, true, quiet()).await.expect_err("refused");
    assert!(matches!(err, BackupError::InUse(_)), "{err}");
    assert!(err.to_string().contains("stop the server"), "{err}");
    app.db.close().await;
    let err = backup::restore(&app.config, &archive, false, quiet()).await.expect_err("refused");
    assert!(matches!(err, BackupError::NotEmpty(_)), "{err}");
    assert!(err.to_string().contains("--force"), "{err}");
    // The job index of the old database goes too, to be rebuilt from the restored one.
    std::fs::create_dir_all(app.config.data_dir.join("search")).expect("index folder");
    std::fs::write(app.config.data_dir.join("search/meta.json"), b"{}").expect("index");
    let forced = backup::restore(&app.config, &archive, true, quiet()).await.expect("forced restore");
    let aside = forced.replaced.expect("the old database moved aside");
    assert!(aside.join("test.db").exists(), "{}", aside.display());
    assert!(aside.join("search/meta.json").exists() && !app.config.data_dir.join("search").exists());
    intact(&forced.audit);

    // A member whose bytes do not match the manifest: nothing is written.
    let damaged = out.path().join("damaged.zip");
    rewrite(&archive, &damaged, |manifest| {
        let db = manifest.members.iter_mut().find(|m| m.name == "jiuye.db").expect("db member");
        db.sha256 = "0".repeat(64);
    });
    let target = tempfile::tempdir().expect("dir");
    let err = backup::restore(&folder(target.path()), &damaged, false, quiet()).await.expect_err("refused");
    assert!(matches!(err, BackupError::Manifest(ManifestError::Damaged(_))), "{err}");
    assert_eq!(std::fs::read_dir(target.path()).expect("dir").count(), 0, "nothing half-written is left");

    // Not a backup at all.
    let bogus = out.path().join("bogus.zip");
    std::fs::write(&bogus, b"not a zip").expect("write");
    let err = backup::restore(&folder(target.path()), &bogus, false, quiet()).await.expect_err("refused");
    assert!(matches!(err, BackupError::Manifest(ManifestError::NotOurs(_))), "{err}");
}

/// Copies a backup archive, changing its manifest.
fn rewrite(from: &Path, to: &Path, mut change: impl FnMut(&mut backup::Manifest)) {
    use std::io::{Read, Write};
    let mut zip = zip::ZipArchive::new(std::fs::File::open(from).expect("open")).expect("zip");
    let mut out = zip::ZipWriter::new(std::fs::File::create(to).expect("create"));
    let options = zip::write::SimpleFileOptions::default();
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).expect("entry");
        let name = entry.name().expect("name").into_owned();
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).expect("read");
        if name == "manifest.json" {
            let mut manifest = backup::Manifest::parse(&bytes).expect("manifest");
            change(&mut manifest);
            bytes = manifest.to_json();
        }
        out.start_file(name, options).expect("start");
        out.write_all(&bytes).expect("write");
    }
    out.finish().expect("finish");
}

/// The release fixtures (crates/jiuye/tests/fixtures/releases/, made by
/// scripts/release-fixture at each release): `<version>.zip`, a SQLite backup,
/// and `<version>.pgdump`, the same release's demo in PostgreSQL's custom dump
/// format. Each engine's run takes its own: restored, migrated forward to this
/// release's schema, serving, its audit chain intact.
fn release_fixtures(extension: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/releases");
    let mut fixtures: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("the fixtures folder")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == extension))
        .collect();
    fixtures.sort();
    assert!(!fixtures.is_empty(), "at least the first release's .{extension} fixture");
    fixtures
}

/// What every fixture holds after the upgrade, and the province signs in on it.
async fn upgraded(db: &Db, config: &Config, fixture: &Path) {
    let current = {
        let app = TestApp::empty().await;
        app.db.scalar_i64("SELECT MAX(version) AS v FROM _sqlx_migrations", &[]).await.expect("version")
    };
    let count = |sql: &'static str| {
        let db = db.clone();
        async move { db.scalar_i64(sql, &[]).await.expect(sql) }
    };
    assert_eq!(count("SELECT MAX(version) AS v FROM _sqlx_migrations").await, current, "{}", fixture.display());
    assert!(intact(&audit::verify(db).await.expect("verify")) > 0, "{}", fixture.display());
    assert!(count("SELECT COUNT(*) AS n FROM graduates").await >= 300);
    assert!(count("SELECT COUNT(*) AS n FROM destination_events").await >= 100);
    assert!(count("SELECT COUNT(*) AS n FROM postings").await >= 50);
    assert!(count("SELECT COUNT(*) AS n FROM agreements").await >= 10);
    assert!(count("SELECT COUNT(*) AS n FROM accounts").await >= 5);
    let mut c = serving(db, config).await.login("admin").await;
    let r = c.get("/").await;
    assert!(r.status.is_success() || r.status.is_redirection(), "{}", r.status);
}

#[tokio::test]
async fn every_release_fixture_migrates_forward_and_its_audit_chain_verifies() {
    if std::env::var("JIUYE_TEST_DATABASE_URL").is_ok_and(|u| !u.is_empty()) {
        return; // the .pgdump fixtures' test below
    }
    for fixture in release_fixtures("zip") {
        let target = tempfile::tempdir().expect("dir");
        let config = folder(target.path());
        let restored = backup::restore(&config, &fixture, false, quiet()).await.expect("restore the fixture");
        assert!(intact(&restored.audit) > 0, "{}", fixture.display());
        let db = jiuye::open(&config).await.expect("open");
        upgraded(&db, &config, &fixture).await;
        db.close().await;
    }
}

/// On PostgreSQL, as docs/backup.md restores: pg_restore into a new database,
/// then the platform opens it and runs the later migrations.
#[tokio::test]
async fn every_postgres_release_fixture_migrates_forward_and_its_audit_chain_verifies() {
    if !std::env::var("JIUYE_TEST_DATABASE_URL").is_ok_and(|u| !u.is_empty()) {
        return; // the .zip fixtures' test above
    }
    let fixtures = release_fixtures("pgdump");
    let has_restore =
        std::process::Command::new("pg_restore").arg("--version").output().is_ok_and(|o| o.status.success());
    assert!(has_restore, "pg_restore, from Debian's postgresql-client, which .ci/run installs");
    for fixture in fixtures {
        let (url, dir) = crate::support::fresh_database_url().await;
        let status = std::process::Command::new("pg_restore")
            .args(["--no-owner", "--no-privileges", "--exit-on-error", "--dbname", &url])
            .arg(&fixture)
            .status()
            .expect("pg_restore");
        assert!(status.success(), "pg_restore {}", fixture.display());
        let config = Config { data_dir: dir.path().to_owned(), ..Config::for_database(&url) };
        let db = jiuye::open(&config).await.expect("open and migrate the restored fixture");
        upgraded(&db, &config, &fixture).await;
        db.close().await;
    }
}

/// A database a newer release migrated (a migration this binary lacks):
/// `migrate` and `serve` stop at start and say which and what to do.
#[tokio::test]
async fn a_newer_schema_is_refused_at_start_with_a_clear_message() {
    let app = TestApp::empty().await;
    let checksum = match app.db.backend() {
        Backend::Sqlite => "X'00'",
        Backend::Postgres => "'\\x00'::bytea",
    };
    let mut tx = app.db.begin().await.expect("begin");
    tx.execute(
        &format!("INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) VALUES (9999, 'from a newer release', TRUE, {checksum}, 0)"),
        &[],
    )
    .await
    .expect("a future migration");
    tx.commit().await.expect("commit");
    let url = app.config.database_url();
    let data_dir = app.config.data_dir.display().to_string();
    for command in [vec!["migrate"], vec!["serve", "--no-demo"]] {
        let mut args = vec!["jiuye", "--database-url", &url, "--data-dir", &data_dir, "--bind", "127.0.0.1:0"];
        args.extend(command.iter().copied());
        let cli = jiuye::cli::Cli::parse_from(&args);
        let err = jiuye::cli::run(cli).await.expect_err("refused");
        let text = format!("{err:#}");
        assert!(text.contains("9999") && text.contains("newer") && text.contains("数据库结构比本程序新"), "{text}");
        assert!(text.contains("nothing was changed"), "{text}");
    }
    // Nothing was applied or removed.
    let n = app.db.scalar_i64("SELECT COUNT(*) AS n FROM _sqlx_migrations WHERE version = 9999", &[]).await.expect("n");
    assert_eq!(n, 1);
}

/// PostgreSQL's way (docs/backup.md): `jiuye backup` points there; pg_dump in
/// the custom format, pg_restore into a new database, the same content table
/// by table and an intact audit chain.
#[tokio::test]
async fn postgres_pg_dump_and_pg_restore_round_trip() {
    let app = TestApp::demo().await;
    if on_sqlite(&app) {
        return;
    }
    let out = tempfile::tempdir().expect("dir");
    let err = backup::backup(&app.config, &out.path().join("x.zip"), quiet()).await.expect_err("refused");
    assert!(err.to_string().contains("docs/backup.md") && err.to_string().contains("pg_dump"), "{err}");
    let have =
        |tool: &str| std::process::Command::new(tool).arg("--version").output().is_ok_and(|o| o.status.success());
    if !have("pg_dump") || !have("pg_restore") {
        eprintln!("pg_dump / pg_restore not installed: the round trip is not tried");
        return;
    }
    for i in 0..5 {
        audited_account(&app.db, &format!("pg-backup-{i}")).await;
    }
    let before = content(&app.db).await;
    let url = app.config.database_url();
    let dump = out.path().join("jiuye.dump");
    let status = std::process::Command::new("pg_dump")
        .args(["--format=custom", "--no-owner", "--file"])
        .arg(&dump)
        .arg(&url)
        .status()
        .expect("pg_dump");
    assert!(status.success(), "pg_dump");

    let (new_url, _dir) = crate::support::fresh_database_url().await;
    let status = std::process::Command::new("pg_restore")
        .args(["--no-owner", "--exit-on-error", "--dbname", &new_url])
        .arg(&dump)
        .status()
        .expect("pg_restore");
    assert!(status.success(), "pg_restore");
    let restored = Db::connect(&new_url).await.expect("connect");
    let after = content(&restored).await;
    same_content(&before, &after);
    intact(&audit::verify(&restored).await.expect("verify"));
    restored.close().await;
    // And the platform opens on it with nothing to migrate.
    let config = Config { data_dir: out.path().to_owned(), ..Config::for_database(&new_url) };
    let db = jiuye::open(&config).await.expect("open the restored database");
    same_content(&before, &content(&db).await);
    db.close().await;
}
