//! `jiuye backup FILE` and `jiuye restore FILE` (备份与恢复) for the SQLite
//! engine: the database and the uploaded files in one zip archive with a
//! manifest (schema version, when, rows per table, SHA-256 of each member).
//! PostgreSQL is backed up with its own tools (docs/backup.md); both commands
//! say so there.
//!
//! The database copy is `VACUUM INTO`, not the online backup API: it runs as
//! one read transaction, which in WAL mode never stops the server's writer and
//! always sees one committed state, whereas the backup API's page steps start
//! again whenever another connection writes, so on a busy server a stepped
//! copy may never finish (and one step for everything is the same read
//! transaction without the compaction). `VACUUM INTO` also writes the copy
//! compact, without the free pages of deleted rows.

pub mod manifest;

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use sha2::{Digest, Sha256};

use kernel::audit::{self, ChainStatus};
use kernel::config::Config;

pub use manifest::{Manifest, ManifestError, Member};

/// What went wrong, each in words a person can act on.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("PostgreSQL 请用 pg_dump / pg_restore 备份与恢复（见 docs/backup.md），上传文件目录 {0} 一并复制 / on PostgreSQL back up and restore with pg_dump / pg_restore as docs/backup.md describes, and copy the files folder {0} alongside")]
    Postgres(String),
    #[error("找不到数据库 {0} / no database at {0}")]
    NoDatabase(String),
    #[error("{0} 已存在，不会覆盖 / {0} exists; choose another name")]
    Exists(String),
    #[error("数据库 {0} 已有数据（账号或毕业生），恢复会替换它；确认请加 --force / the database {0} holds data (accounts or graduates); restoring replaces it: add --force to do so")]
    NotEmpty(String),
    #[error("数据库 {0} 正被运行中的就业平台使用，请先停止服务 / a running Jiuye holds the database {0}: stop the server first")]
    InUse(String),
    #[error(transparent)]
    Manifest(#[from] ManifestError),
    #[error("数据库 / database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("{0}")]
    Db(#[from] kernel::DbError),
    #[error("备份文件 / archive: {0}")]
    Zip(#[from] zip::result::ZipError),
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("{0}")]
    Open(String),
}

pub type BackupResult<T> = Result<T, BackupError>;

/// The step a long run is at, for a progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Copying the database (bytes written of about this many).
    Database,
    /// Packing or checking the archive's members (bytes).
    Archive,
    /// Unpacking into the data folder (bytes).
    Unpack,
}

/// Told the step, how far and of how much.
pub type Progress = Arc<dyn Fn(Step, u64, u64) + Send + Sync>;

/// What a backup wrote.
#[derive(Debug, Clone)]
pub struct BackupSummary {
    pub manifest: Manifest,
    pub bytes: u64,
}

/// What a restore did.
#[derive(Debug)]
pub struct RestoreSummary {
    pub manifest: Manifest,
    /// The highest migration after the restore ran them forward.
    pub schema_version: i64,
    pub files: usize,
    /// Where what was there before went (with `--force`), if anything was.
    pub replaced: Option<PathBuf>,
    pub audit: ChainStatus,
}

/// The SQLite database file of the configuration, or why there is none.
fn database_path(config: &Config) -> BackupResult<PathBuf> {
    let url = config.database_url();
    manifest::sqlite_path(&url).ok_or_else(|| BackupError::Postgres(config.files_dir().display().to_string()))
}

/// Writes a consistent backup of the database and the uploaded files to
/// `out`, while the server may go on serving.
pub async fn backup(config: &Config, out: &Path, progress: Progress) -> BackupResult<BackupSummary> {
    let db = database_path(config)?;
    if !db.exists() {
        return Err(BackupError::NoDatabase(db.display().to_string()));
    }
    if out.exists() {
        return Err(BackupError::Exists(out.display().to_string()));
    }
    let files = config.files_dir();
    let out = out.to_owned();
    tokio::task::spawn_blocking(move || write_backup(&db, &files, &out, &progress))
        .await
        .map_err(|e| BackupError::Open(e.to_string()))?
}

fn write_backup(db: &Path, files: &Path, out: &Path, progress: &Progress) -> BackupResult<BackupSummary> {
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
        _ => PathBuf::from("."),
    };
    // The copy and the archive are made beside the destination (its disk has
    // the room) and renamed into place last: a failed run leaves nothing
    // that looks like a backup.
    let work = tempfile::Builder::new().prefix(".jiuye-backup-").tempdir_in(&parent)?;
    let copy = work.path().join(manifest::DATABASE);
    copy_database(db, &copy, progress)?;
    let (schema_version, tables) = describe(&copy)?;

    let partial = work.path().join("archive.zip");
    let mut zip = zip::ZipWriter::new(File::create(&partial)?);
    let deflated =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated).large_file(true);
    // Uploaded documents are PDFs and photographs, already compressed.
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored).large_file(true);
    // The files after the database: files are only ever added, named by
    // their content, and written before the row that names them commits, so
    // every file the copy refers to is already there; a newer one is harmless.
    let uploads = list_files(files)?;
    let total = std::fs::metadata(&copy)?.len() + uploads.iter().map(|(_, size)| size).sum::<u64>();
    let mut done = 0u64;
    let mut members = Vec::with_capacity(uploads.len() + 1);
    zip.start_file(manifest::DATABASE, deflated)?;
    members.push(pack(&mut zip, manifest::DATABASE, &copy, &mut done, total, progress)?);
    for (relative, _) in &uploads {
        let name = format!("{}{}", manifest::FILES, relative);
        zip.start_file(name.as_str(), stored)?;
        members.push(pack(&mut zip, &name, &files.join(relative), &mut done, total, progress)?);
    }
    let manifest = Manifest {
        format: manifest::FORMAT.to_owned(),
        format_version: manifest::FORMAT_VERSION,
        app_version: env!("CARGO_PKG_VERSION").to_owned(),
        engine: "sqlite".to_owned(),
        schema_version,
        created_at: kernel::time::now_utc(),
        tables,
        members,
    };
    zip.start_file(manifest::MANIFEST, deflated)?;
    zip.write_all(&manifest.to_json())?;
    let file = zip.finish()?;
    file.sync_all()?;
    drop(file);
    let bytes = std::fs::metadata(&partial)?.len();
    std::fs::rename(&partial, out)?;
    Ok(BackupSummary { manifest, bytes })
}

/// `VACUUM INTO` the copy, from a connection of its own (see the module's
/// comment), with the copy's growing size as progress.
fn copy_database(db: &Path, copy: &Path, progress: &Progress) -> BackupResult<()> {
    let conn = rusqlite::Connection::open_with_flags(
        db,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(std::time::Duration::from_secs(60))?;
    let pages: i64 = conn.query_row("PRAGMA page_count", [], |r| r.get(0))?;
    let page_size: i64 = conn.query_row("PRAGMA page_size", [], |r| r.get(0))?;
    let expected = (pages * page_size).max(0) as u64;
    let finished = std::sync::atomic::AtomicBool::new(false);
    std::thread::scope(|s| {
        s.spawn(|| {
            while !finished.load(std::sync::atomic::Ordering::Relaxed) {
                let size = std::fs::metadata(copy).map(|m| m.len()).unwrap_or(0);
                progress(Step::Database, size.min(expected), expected);
                std::thread::sleep(std::time::Duration::from_millis(200));
            }
        });
        let result = conn.execute("VACUUM INTO ?1", [copy.to_string_lossy()]);
        finished.store(true, std::sync::atomic::Ordering::Relaxed);
        result
    })?;
    progress(Step::Database, expected, expected);
    Ok(())
}

/// The copy's schema version (highest migration) and rows per table.
fn describe(copy: &Path) -> BackupResult<(i64, BTreeMap<String, i64>)> {
    let conn = rusqlite::Connection::open_with_flags(copy, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let names: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let mut tables = BTreeMap::new();
    for name in names {
        let quoted = name.replace('"', "\"\"");
        let n: i64 = conn.query_row(&format!("SELECT COUNT(*) FROM \"{quoted}\""), [], |r| r.get(0))?;
        tables.insert(name, n);
    }
    let version = match tables.contains_key("_sqlx_migrations") {
        true => {
            conn.query_row("SELECT COALESCE(MAX(version), 0) FROM _sqlx_migrations WHERE success", [], |r| r.get(0))?
        }
        false => 0,
    };
    Ok((version, tables))
}

/// Every regular file below `root` (its path below it, with `/`, and its
/// size), sorted; a missing folder is none. Dot-names are a writer's
/// temporary files, not yet stored.
fn list_files(root: &Path) -> BackupResult<Vec<(String, u64)>> {
    let mut out = Vec::new();
    let mut stack = vec![(root.to_owned(), String::new())];
    while let Some((dir, prefix)) = stack.pop() {
        let entries = match std::fs::read_dir(&dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(e.into()),
        };
        for entry in entries {
            let entry = entry?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') {
                continue;
            }
            let kind = entry.file_type()?;
            let relative = format!("{prefix}{name}");
            if kind.is_dir() {
                stack.push((entry.path(), format!("{relative}/")));
            } else if kind.is_file() {
                out.push((relative, entry.metadata()?.len()));
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Copies one file into the open archive member, hashing as it goes.
fn pack(
    zip: &mut zip::ZipWriter<File>,
    name: &str,
    path: &Path,
    done: &mut u64,
    total: u64,
    progress: &Progress,
) -> BackupResult<Member> {
    let mut input = File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut size = 0u64;
    loop {
        let n = input.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        zip.write_all(&buf[..n])?;
        size += n as u64;
        *done += n as u64;
        progress(Step::Archive, *done, total);
    }
    Ok(Member { name: name.to_owned(), size, sha256: hex::encode(hasher.finalize()) })
}

/// Restores `archive` into the configured data folder: only into an absent
/// or empty database unless `force`, never under a running server; every
/// member checked against the manifest while unpacked to temporary names,
/// renamed into place only when all match; then the migrations run forward
/// and the audit chain is verified.
pub async fn restore(config: &Config, archive: &Path, force: bool, progress: Progress) -> BackupResult<RestoreSummary> {
    let db = database_path(config)?;
    let files = config.files_dir();
    // The job search index is the old database's postings: moved aside with
    // it, so the server rebuilds the index from the restored one.
    let search = config.data_dir.join("search");
    let archive = archive.to_owned();
    let (manifest, count, replaced) = {
        let (db, files) = (db.clone(), files.clone());
        tokio::task::spawn_blocking(move || unpack(&archive, &db, &files, &search, force, &progress))
            .await
            .map_err(|e| BackupError::Open(e.to_string()))??
    };
    // The backup may be of an older release: `open` runs the migrations
    // forward (and refuses a newer schema) as a start of the server would.
    let opened = crate::open(config).await.map_err(|e| BackupError::Open(format!("{e:#}")))?;
    let audit = audit::verify(&opened).await;
    let schema_version = opened
        .scalar_i64("SELECT COALESCE(MAX(version), 0) AS v FROM _sqlx_migrations", &[])
        .await
        .unwrap_or(manifest.schema_version);
    opened.close().await;
    Ok(RestoreSummary { manifest, schema_version, files: count, replaced, audit: audit? })
}

fn unpack(
    archive: &Path,
    db: &Path,
    files: &Path,
    search: &Path,
    force: bool,
    progress: &Progress,
) -> BackupResult<(Manifest, usize, Option<PathBuf>)> {
    let mut zip = zip::ZipArchive::new(File::open(archive)?)
        .map_err(|e| ManifestError::NotOurs(format!("{}: {e}", archive.display())))?;
    let manifest = {
        let mut entry =
            zip.by_name(manifest::MANIFEST).map_err(|_| ManifestError::NotOurs("no manifest".to_owned()))?;
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes)?;
        Manifest::parse(&bytes)?
    };
    for name in zip.file_names() {
        let name = name?;
        if name != manifest::MANIFEST && !name.ends_with('/') && manifest.member(&name).is_none() {
            return Err(ManifestError::Unlisted(name.into_owned()).into());
        }
    }
    check_target(db, force)?;

    // Temporary names beside the targets (the same disk, so the renames are
    // atomic), removed on any failure by their guards.
    let db_parent = parent_of(db);
    std::fs::create_dir_all(&db_parent)?;
    let db_work = tempfile::Builder::new().prefix(".jiuye-restore-").tempdir_in(&db_parent)?;
    let files_parent = parent_of(files);
    std::fs::create_dir_all(&files_parent)?;
    let files_work = tempfile::Builder::new().prefix(".jiuye-restore-files-").tempdir_in(&files_parent)?;
    let total: u64 = manifest.members.iter().map(|m| m.size).sum();
    let mut done = 0u64;
    let new_db = db_work.path().join(manifest::DATABASE);
    for member in &manifest.members {
        let target = match member.name.strip_prefix(manifest::FILES) {
            Some(rest) => files_work.path().join(rest),
            None => new_db.clone(),
        };
        if let Some(dir) = target.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let mut entry = zip.by_name(&member.name).map_err(|_| ManifestError::Missing(member.name.clone()))?;
        let mut out = File::create(&target)?;
        let mut hasher = Sha256::new();
        let mut buf = vec![0u8; 1 << 20];
        let mut size = 0u64;
        loop {
            let n = entry.read(&mut buf)?;
            if n == 0 {
                break;
            }
            hasher.update(&buf[..n]);
            out.write_all(&buf[..n])?;
            size += n as u64;
            done += n as u64;
            progress(Step::Unpack, done, total);
        }
        if size != member.size || hex::encode(hasher.finalize()) != member.sha256 {
            return Err(ManifestError::Damaged(member.name.clone()).into());
        }
        out.sync_all()?;
    }
    // Every member is whole: now what was there moves aside (never deleted)
    // and the restored copies take its place.
    let replaced = move_aside(db, files, search)?;
    std::fs::rename(&new_db, db)?;
    if files.exists() {
        std::fs::remove_dir_all(files)?;
    }
    // The guard then finds nothing at the temporary name to remove.
    std::fs::rename(files_work.path(), files)?;
    Ok((manifest.clone(), manifest.files().count(), replaced))
}

fn parent_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
        _ => PathBuf::from("."),
    }
}

/// Refuses a database a server holds (even with `--force`), and one with
/// accounts or graduates unless `force`.
fn check_target(db: &Path, force: bool) -> BackupResult<()> {
    if !db.exists() {
        return Ok(());
    }
    let shown = db.display().to_string();
    let conn = rusqlite::Connection::open(db)?;
    // Every connection of a server in WAL mode keeps a shared lock, idle or
    // not, so an exclusive lock is granted only when no one has the file open.
    conn.execute_batch("PRAGMA locking_mode = EXCLUSIVE")?;
    match conn.execute_batch("BEGIN EXCLUSIVE") {
        Ok(()) => {}
        Err(rusqlite::Error::SqliteFailure(e, _))
            if matches!(e.code, rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked) =>
        {
            return Err(BackupError::InUse(shown));
        }
        Err(e) => return Err(e.into()),
    }
    let count = |table: &str| -> BackupResult<i64> {
        let exists: i64 =
            conn.query_row("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?1", [table], |r| {
                r.get(0)
            })?;
        if exists == 0 {
            return Ok(0);
        }
        Ok(conn.query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| r.get(0))?)
    };
    let held = count("accounts")? + count("graduates")?;
    conn.execute_batch("ROLLBACK")?;
    drop(conn);
    if held > 0 && !force {
        return Err(BackupError::NotEmpty(shown));
    }
    Ok(())
}

/// Moves the database (with its WAL files, which belong to it and would be
/// replayed into the restored one), the files folder and the search index
/// into `<folder>/replaced-<time>/`; `None` when there was nothing.
fn move_aside(db: &Path, files: &Path, search: &Path) -> BackupResult<Option<PathBuf>> {
    let name = db.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "jiuye.db".to_owned());
    let companions: Vec<PathBuf> = ["", "-wal", "-shm", "-journal"]
        .iter()
        .map(|suffix| parent_of(db).join(format!("{name}{suffix}")))
        .filter(|p| p.exists())
        .collect();
    let has_files = std::fs::read_dir(files).map(|mut d| d.next().is_some()).unwrap_or(false);
    if companions.is_empty() && !has_files && !search.is_dir() {
        return Ok(None);
    }
    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ");
    let aside = parent_of(db).join(format!("replaced-{stamp}"));
    std::fs::create_dir_all(&aside)?;
    for path in companions {
        if let Some(n) = path.file_name() {
            std::fs::rename(&path, aside.join(n))?;
        }
    }
    if has_files {
        std::fs::rename(files, aside.join("files"))?;
    }
    if search.is_dir() {
        std::fs::rename(search, aside.join("search"))?;
    }
    Ok(Some(aside))
}

/// `jiuye backup FILE`, with a progress bar.
pub async fn run_backup(config: &Config, file: &Path) -> anyhow::Result<()> {
    let bar = bytes_bar();
    let shown = bar.clone();
    let progress: Progress = Arc::new(move |step, done, total| {
        shown.set_message(match step {
            Step::Database => "复制数据库 / copying the database",
            _ => "打包 / packing",
        });
        shown.set_length(total);
        shown.set_position(done);
    });
    let summary = backup(config, file, progress).await;
    bar.finish_and_clear();
    let summary = summary?;
    let m = &summary.manifest;
    eprintln!(
        "已备份 / backed up: {} ({} bytes): schema {}, {} tables, {} uploaded files",
        file.display(),
        summary.bytes,
        manifest::schema_label(m.schema_version),
        m.tables.len(),
        m.files().count()
    );
    Ok(())
}

/// `jiuye restore FILE [--force]`, with a progress bar; fails unless the
/// audit log verifies afterwards.
pub async fn run_restore(config: &Config, file: &Path, force: bool) -> anyhow::Result<()> {
    let bar = bytes_bar();
    let shown = bar.clone();
    let progress: Progress = Arc::new(move |_, done, total| {
        shown.set_message("校验并解包 / checking and unpacking");
        shown.set_length(total);
        shown.set_position(done);
    });
    let summary = restore(config, file, force, progress).await;
    bar.finish_and_clear();
    let summary = summary?;
    if let Some(aside) = &summary.replaced {
        eprintln!("原有数据已移至 / what was there is now in {}", aside.display());
    }
    eprintln!(
        "已恢复 / restored {} (made {} by jiuye {}): schema {} → {}, {} uploaded files",
        file.display(),
        summary.manifest.created_at,
        summary.manifest.app_version,
        manifest::schema_label(summary.manifest.schema_version),
        manifest::schema_label(summary.schema_version),
        summary.files
    );
    match summary.audit {
        ChainStatus::Intact { records } => {
            eprintln!("审计日志完整 / audit log intact: {records} records");
            Ok(())
        }
        ChainStatus::Broken { record_id, reason } => {
            anyhow::bail!("恢复后审计日志断裂 / audit log broken after restore at record {record_id}: {reason}")
        }
    }
}

fn bytes_bar() -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new(0);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {bar:40} {bytes}/{total_bytes} {bytes_per_sec} {msg}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    bar.enable_steady_tick(std::time::Duration::from_millis(200));
    bar
}
