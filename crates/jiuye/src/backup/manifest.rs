//! A backup archive's manifest (备份清单): what the archive holds and how to
//! know it arrived whole. Pure: no files, no database, so every rule here has
//! a unit test.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// What `format` says in every Jiuye backup; anything else is not ours.
pub const FORMAT: &str = "jiuye-backup";
/// The layout of the archive itself; a restore refuses a newer one.
pub const FORMAT_VERSION: u32 = 1;
/// The manifest's own name in the archive.
pub const MANIFEST: &str = "manifest.json";
/// The SQLite database's name in the archive.
pub const DATABASE: &str = "jiuye.db";
/// The folder of uploaded files in the archive, laid out as in the data folder.
pub const FILES: &str = "files/";

/// The manifest, written last into the archive (it lists every other member's hash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: String,
    pub format_version: u32,
    /// The release that made the backup.
    pub app_version: String,
    pub engine: String,
    /// The highest migration the database had (e.g. 72 for 0072_…).
    pub schema_version: i64,
    /// RFC 3339, UTC.
    pub created_at: String,
    /// Rows per table when the copy was taken.
    pub tables: BTreeMap<String, i64>,
    /// Every member but the manifest, in the order written.
    pub members: Vec<Member>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    pub name: String,
    pub size: u64,
    pub sha256: String,
}

/// Why an archive is not restored; each names what to do.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ManifestError {
    #[error("不是就业平台的备份文件 / not a Jiuye backup ({0})")]
    NotOurs(String),
    #[error("备份格式 {0} 比本程序新，请用更新的版本恢复 / backup format {0} is newer than this program knows ({FORMAT_VERSION}): restore with a newer release")]
    NewerFormat(u32),
    #[error("备份来自 {0} 数据库，此命令只恢复 SQLite；PostgreSQL 见 docs/backup.md / the backup is of a {0} database; this restores SQLite only (PostgreSQL: docs/backup.md)")]
    Engine(String),
    #[error("备份中缺少数据库 / the backup has no database ({DATABASE})")]
    NoDatabase,
    #[error("备份中的文件名不安全：{0} / unsafe member name in the backup: {0}")]
    UnsafeName(String),
    #[error("备份文件 {0} 出现两次 / {0} is listed twice")]
    Twice(String),
    #[error("备份已损坏：{0} 的校验值不符 / the backup is damaged: {0} does not match its SHA-256")]
    Damaged(String),
    #[error("备份已损坏：缺少 {0} / the backup is damaged: {0} is missing")]
    Missing(String),
    #[error("备份中有清单未列出的文件 {0} / the backup holds {0}, which its manifest does not list")]
    Unlisted(String),
}

impl Manifest {
    pub fn to_json(&self) -> Vec<u8> {
        // A manifest of strings and numbers always serialises.
        serde_json::to_vec_pretty(self).unwrap_or_default()
    }

    /// Reads and checks a manifest: ours, a format we know, SQLite, a
    /// database member, and only names that stay inside the data folder.
    pub fn parse(bytes: &[u8]) -> Result<Manifest, ManifestError> {
        let manifest: Manifest =
            serde_json::from_slice(bytes).map_err(|e| ManifestError::NotOurs(format!("{MANIFEST}: {e}")))?;
        if manifest.format != FORMAT {
            return Err(ManifestError::NotOurs(manifest.format));
        }
        if manifest.format_version > FORMAT_VERSION {
            return Err(ManifestError::NewerFormat(manifest.format_version));
        }
        if manifest.engine != "sqlite" {
            return Err(ManifestError::Engine(manifest.engine));
        }
        let mut seen = std::collections::BTreeSet::new();
        for m in &manifest.members {
            if !safe_member(&m.name) {
                return Err(ManifestError::UnsafeName(m.name.clone()));
            }
            if !seen.insert(m.name.as_str()) {
                return Err(ManifestError::Twice(m.name.clone()));
            }
        }
        if !seen.contains(DATABASE) {
            return Err(ManifestError::NoDatabase);
        }
        Ok(manifest)
    }

    /// The listed member of that name.
    pub fn member(&self, name: &str) -> Option<&Member> {
        self.members.iter().find(|m| m.name == name)
    }

    /// The uploaded files' members, with their path below the files folder.
    pub fn files(&self) -> impl Iterator<Item = (&Member, &str)> {
        self.members.iter().filter_map(|m| m.name.strip_prefix(FILES).map(|rest| (m, rest)))
    }
}

/// The database or a file below `files/` whose every part is a plain name:
/// nothing absolute, no `..`, no backslash, so extracting it cannot write
/// outside the data folder whatever the archive says.
pub fn safe_member(name: &str) -> bool {
    if name == DATABASE {
        return true;
    }
    let Some(rest) = name.strip_prefix(FILES) else { return false };
    !rest.is_empty()
        && rest.split('/').all(|part| {
            !part.is_empty()
                && part != "."
                && part != ".."
                && part.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
        })
}

/// The SQLite file a `sqlite:` URL names (`sqlite://path`, `sqlite:path`,
/// options after `?` left off); `None` for PostgreSQL or an in-memory database.
pub fn sqlite_path(url: &str) -> Option<std::path::PathBuf> {
    let rest = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or("");
    if path.is_empty() || path == ":memory:" {
        return None;
    }
    Some(std::path::PathBuf::from(path))
}

/// The migration number a schema version stands for, as a person reads it.
pub fn schema_label(version: i64) -> String {
    format!("{version:04}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest() -> Manifest {
        Manifest {
            format: FORMAT.to_owned(),
            format_version: FORMAT_VERSION,
            app_version: "0.1.0".to_owned(),
            engine: "sqlite".to_owned(),
            schema_version: 72,
            created_at: "2026-12-04T03:00:00Z".to_owned(),
            tables: BTreeMap::from([("graduates".to_owned(), 400)]),
            members: vec![
                Member { name: DATABASE.to_owned(), size: 10, sha256: "00".repeat(32) },
                Member { name: format!("files/ab/{}", "ab".repeat(32)), size: 3, sha256: "ab".repeat(32) },
            ],
        }
    }

    #[test]
    fn a_manifest_reads_back_as_written() {
        let m = manifest();
        assert_eq!(Manifest::parse(&m.to_json()), Ok(m.clone()));
        assert_eq!(m.files().count(), 1);
        assert_eq!(m.files().next().map(|(_, p)| p.len()), Some(3 + 64));
    }

    #[test]
    fn foreign_newer_or_postgres_backups_are_refused_with_a_reason() {
        assert!(matches!(Manifest::parse(b"{}"), Err(ManifestError::NotOurs(_))));
        assert!(matches!(Manifest::parse(b"PK\x03\x04"), Err(ManifestError::NotOurs(_))));
        let mut m = manifest();
        m.format = "other".to_owned();
        assert_eq!(Manifest::parse(&m.to_json()), Err(ManifestError::NotOurs("other".to_owned())));
        let mut m = manifest();
        m.format_version = FORMAT_VERSION + 1;
        assert_eq!(Manifest::parse(&m.to_json()), Err(ManifestError::NewerFormat(FORMAT_VERSION + 1)));
        let mut m = manifest();
        m.engine = "postgres".to_owned();
        assert!(matches!(Manifest::parse(&m.to_json()), Err(ManifestError::Engine(_))));
        let mut m = manifest();
        m.members.remove(0);
        assert_eq!(Manifest::parse(&m.to_json()), Err(ManifestError::NoDatabase));
        let mut m = manifest();
        m.members.push(m.members[1].clone());
        assert!(matches!(Manifest::parse(&m.to_json()), Err(ManifestError::Twice(_))));
    }

    #[test]
    fn no_member_writes_outside_the_data_folder() {
        for bad in [
            "files/../jiuye.db",
            "/etc/passwd",
            "files/",
            "files//x",
            "files/./x",
            "files\\..\\x",
            "other.db",
            "files/a b",
            "../files/x",
            "manifest.json",
        ] {
            assert!(!safe_member(bad), "{bad}");
            let mut m = manifest();
            m.members[1].name = bad.to_owned();
            assert!(Manifest::parse(&m.to_json()).is_err(), "{bad}");
        }
        for good in ["jiuye.db", "files/ab/abcdef", "files/videos/x.mp4", "files/import-reports/3.xlsx"] {
            assert!(safe_member(good), "{good}");
        }
    }

    #[test]
    fn the_database_file_comes_from_its_url() {
        use std::path::PathBuf;
        assert_eq!(sqlite_path("sqlite:///tmp/x/jiuye.db"), Some(PathBuf::from("/tmp/x/jiuye.db")));
        assert_eq!(sqlite_path("sqlite://jiuye-data/jiuye.db"), Some(PathBuf::from("jiuye-data/jiuye.db")));
        assert_eq!(sqlite_path("sqlite:data.db?mode=rwc"), Some(PathBuf::from("data.db")));
        assert_eq!(sqlite_path("sqlite::memory:"), None);
        assert_eq!(sqlite_path("postgres://u@h/db"), None);
        assert_eq!(schema_label(72), "0072");
    }
}
