//! The file store (文件库): evidence, licences and scanned documents, kept
//! under the data folder and named by the SHA-256 of their content, so the
//! same file uploaded twice is stored once and a name can never be guessed
//! into another file. Rows in the database say whose a file is; this only
//! keeps bytes.

use std::io::Write;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error("the file is larger than {limit} bytes")]
    TooLarge { limit: usize },
    #[error("the file is empty")]
    Empty,
    #[error("only PDF, JPEG and PNG files are accepted")]
    Type,
    #[error("no such file")]
    Missing,
    #[error("file store: {0}")]
    Io(#[from] std::io::Error),
}

/// The kinds of file people may upload as documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Pdf,
    Jpeg,
    Png,
}

impl Kind {
    /// Judged by the content's first bytes, never by the name a browser sends.
    pub fn sniff(bytes: &[u8]) -> Option<Kind> {
        if bytes.starts_with(b"%PDF-") {
            Some(Kind::Pdf)
        } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(Kind::Jpeg)
        } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(Kind::Png)
        } else {
            None
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Kind::Pdf => "application/pdf",
            Kind::Jpeg => "image/jpeg",
            Kind::Png => "image/png",
        }
    }
}

pub struct FileStore {
    root: PathBuf,
}

/// A stored file: its name in the store and what it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    pub sha256: String,
    pub kind: Kind,
    pub size: usize,
}

impl FileStore {
    pub fn new(data_dir: &Path) -> FileStore {
        FileStore { root: data_dir.join("files") }
    }

    /// Checks and keeps a document; storing the same content again is a no-op.
    pub fn put_document(&self, bytes: &[u8], limit: usize) -> Result<Stored, FileError> {
        if bytes.is_empty() {
            return Err(FileError::Empty);
        }
        if bytes.len() > limit {
            return Err(FileError::TooLarge { limit });
        }
        let kind = Kind::sniff(bytes).ok_or(FileError::Type)?;
        let sha256 = hex::encode(Sha256::digest(bytes));
        let path = self.path(&sha256).ok_or(FileError::Missing)?;
        if !path.exists() {
            let dir = path.parent().ok_or(FileError::Missing)?;
            std::fs::create_dir_all(dir)?;
            // Written aside and renamed, so a reader never sees half a file.
            let mut temp = tempfile::NamedTempFile::new_in(dir)?;
            temp.write_all(bytes)?;
            temp.as_file().sync_all()?;
            temp.persist(&path).map_err(|e| e.error)?;
        }
        Ok(Stored { sha256, kind, size: bytes.len() })
    }

    pub fn get(&self, sha256: &str) -> Result<Vec<u8>, FileError> {
        let path = self.path(sha256).ok_or(FileError::Missing)?;
        std::fs::read(path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => FileError::Missing,
            _ => FileError::Io(e),
        })
    }

    /// `files/ab/abcdef…`; `None` unless `sha256` is 64 hex digits.
    fn path(&self, sha256: &str) -> Option<PathBuf> {
        let valid = sha256.len() == 64 && sha256.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase());
        valid.then(|| self.root.join(&sha256[..2]).join(sha256))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_are_stored_once_by_content() {
        let dir = tempfile::tempdir().unwrap();
        let store = FileStore::new(dir.path());
        let pdf = b"%PDF-1.4\n% a tiny document\n%%EOF\n";
        let a = store.put_document(pdf, 1024).unwrap();
        let b = store.put_document(pdf, 1024).unwrap();
        assert_eq!(a, b);
        assert_eq!(a.kind, Kind::Pdf);
        assert_eq!(store.get(&a.sha256).unwrap(), pdf);
    }

    #[test]
    fn wrong_kinds_sizes_and_names_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let store = FileStore::new(dir.path());
        assert!(matches!(store.put_document(b"MZ\x90\x00 program", 1024), Err(FileError::Type)));
        assert!(matches!(store.put_document(&[0x89; 2048], 1024), Err(FileError::TooLarge { limit: 1024 })));
        assert!(matches!(store.put_document(b"", 1024), Err(FileError::Empty)));
        assert!(matches!(store.get("../../etc/passwd"), Err(FileError::Missing)));
        assert!(matches!(store.get(&"a".repeat(64)), Err(FileError::Missing)));
    }
}
