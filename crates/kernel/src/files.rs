//! The file store (文件库): evidence, licences and scanned documents, kept
//! in the files folder (`Config::files`: `--files-dir`, by default `files` in
//! the data folder; shared storage when several app servers serve one
//! database) and named by the SHA-256 of their content, so the
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
    #[error("only whole PDF, JPEG and PNG files are accepted")]
    Type,
    #[error("no such file")]
    Missing,
    #[error("file store: {0}")]
    Io(#[from] std::io::Error),
}

/// A document an upload form brought, checked and kept: the name to show (the
/// end of what the browser sent, where the extension is) and what is stored.
pub struct Accepted {
    pub shown_name: String,
    pub stored: Stored,
}

/// Keeps an uploaded document for any area's form: `Ok(Err(message))` is the
/// refusal to show beside the form in the reader's language (nothing chosen,
/// too large, not a whole PDF, JPEG or PNG); `fallback` names a nameless file.
pub fn accept_document(
    store: &FileStore,
    file_name: &str,
    bytes: &[u8],
    limit: usize,
    fallback: &str,
    l: crate::Locale,
) -> Result<Result<Accepted, String>, FileError> {
    let stored = match store.put_document(bytes, limit) {
        Ok(stored) => stored,
        Err(FileError::Empty) => return Ok(Err(l.pick("请选择要上传的文件。", "Choose a file to upload.").to_owned())),
        Err(FileError::TooLarge { limit }) => {
            let mb = limit / (1024 * 1024);
            return Ok(Err(match l {
                crate::Locale::Zh => format!("文件不能超过 {mb} MB。"),
                crate::Locale::En => format!("Files may be at most {mb} MB."),
            }));
        }
        Err(FileError::Type) => {
            return Ok(Err(l
                .pick(
                    "只接受 PDF、JPG 或 PNG 文件（请扫描或拍照后上传）。",
                    "Only PDF, JPG or PNG files are accepted (scan or photograph the document).",
                )
                .to_owned()))
        }
        Err(e) => return Err(e),
    };
    let shown = display_name(file_name);
    let tail: Vec<char> = shown.chars().rev().take(100).collect();
    let shown_name = if shown.trim().is_empty() { fallback.to_owned() } else { tail.into_iter().rev().collect() };
    Ok(Ok(Accepted { shown_name, stored }))
}

/// The kinds of file people may upload as documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Pdf,
    Jpeg,
    Png,
    /// A video (MP4), only through [`FileStore::put_video`]: never an upload form's document.
    Mp4,
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

    /// Judged by the whole content: the first bytes say which kind it claims
    /// to be, and it must then be that kind from start to end, so nothing
    /// (an executable, say) rides behind a PDF header or an image.
    pub fn judge(bytes: &[u8]) -> Option<Kind> {
        let kind = Kind::sniff(bytes)?;
        let whole = match kind {
            Kind::Pdf => whole_pdf(bytes),
            Kind::Jpeg => whole_image(bytes, imagesize::ImageType::Jpeg, b"\xFF\xD9"),
            Kind::Png => whole_image(bytes, imagesize::ImageType::Png, b"\0\0\0\0IEND\xAE\x42\x60\x82"),
            Kind::Mp4 => false,
        };
        whole.then_some(kind)
    }

    /// The extension a file of this kind is saved with.
    pub fn extension(self) -> &'static str {
        match self {
            Kind::Pdf => "pdf",
            Kind::Jpeg => "jpg",
            Kind::Png => "png",
            Kind::Mp4 => "mp4",
        }
    }

    /// The kind a stored content type names.
    pub fn of_content_type(content_type: &str) -> Option<Kind> {
        [Kind::Pdf, Kind::Jpeg, Kind::Png, Kind::Mp4].into_iter().find(|k| k.content_type() == content_type)
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Kind::Pdf => "application/pdf",
            Kind::Jpeg => "image/jpeg",
            Kind::Png => "image/png",
            Kind::Mp4 => "video/mp4",
        }
    }
}

/// Whether the bytes are an MP4 (ISO base media) file: a first box of type
/// `ftyp` whose size fits, with a major brand of printable characters, and
/// boxes chained to the end. Judged by the content, never by a name.
pub fn is_mp4(bytes: &[u8]) -> bool {
    let boxed = |at: usize| -> Option<(usize, [u8; 4])> {
        let head = bytes.get(at..at + 8)?;
        let size = u32::from_be_bytes([head[0], head[1], head[2], head[3]]) as usize;
        let kind = [head[4], head[5], head[6], head[7]];
        let size = match size {
            0 => bytes.len() - at,
            1 => {
                let big = bytes.get(at + 8..at + 16)?;
                usize::try_from(u64::from_be_bytes(big.try_into().ok()?)).ok()?
            }
            n => n,
        };
        (size >= 8 && at + size <= bytes.len() && kind.iter().all(|b| b.is_ascii_graphic() || *b == b' '))
            .then_some((size, kind))
    };
    let Some((size, kind)) = boxed(0) else { return false };
    if &kind != b"ftyp" || size < 16 || !bytes[8..12].iter().all(|b| b.is_ascii_alphanumeric() || *b == b' ') {
        return false;
    }
    let mut at = size;
    while at < bytes.len() {
        let Some((size, _)) = boxed(at) else { return false };
        at += size;
    }
    true
}

/// A PDF's skeleton: the header, a `startxref` pointing at its
/// cross-reference, and the `%%EOF` trailer with nothing but line ends after it.
fn whole_pdf(bytes: &[u8]) -> bool {
    let Some(end) = last_position(bytes, b"%%EOF") else { return false };
    let after_end = &bytes[end + b"%%EOF".len()..];
    // A trailer's `startxref` sits just before its `%%EOF`.
    let before_end = &bytes[end.saturating_sub(1024)..end];
    after_end.iter().all(u8::is_ascii_whitespace) && last_position(before_end, b"startxref").is_some()
}

/// An image whose header and dimensions decode as `kind` and whose bytes end
/// with the format's end marker (trailing NUL padding allowed, as some scanners write).
fn whole_image(bytes: &[u8], kind: imagesize::ImageType, end_marker: &[u8]) -> bool {
    let decodes = imagesize::image_type(bytes).is_ok_and(|t| t == kind)
        && imagesize::blob_size(bytes).is_ok_and(|size| size.width > 0 && size.height > 0);
    let unpadded = bytes.iter().rposition(|&b| b != 0).map_or(&bytes[..0], |last| &bytes[..=last]);
    let ends = if kind == imagesize::ImageType::Png { bytes } else { unpadded };
    decodes && ends.ends_with(end_marker)
}

fn last_position(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).rposition(|w| w == needle)
}

/// A name for saving a stored document, of our choosing (`证明材料-12.pdf`):
/// names people uploaded can carry `.bat`, control or right-to-left
/// characters, so they are shown on pages but never used for the file.
pub fn download_name(stem: &str, id: impl std::fmt::Display, content_type: &str) -> String {
    let extension = Kind::of_content_type(content_type).map_or("bin", Kind::extension);
    format!("{stem}-{id}.{extension}")
}

/// A name people typed or uploaded, fit to show: control and text-direction
/// characters (U+202E and its kin) removed, so `报告\u{202E}fdp.bat` cannot pose as a PDF.
pub fn display_name(name: &str) -> String {
    name.chars()
        .filter(|c| !c.is_control() && !matches!(c, '\u{200E}' | '\u{200F}' | '\u{061C}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'))
        .collect()
}

/// The files folder. Made from the configuration (`Config::files`), never
/// from the data folder by hand, so every area reads `--files-dir`.
#[derive(Debug, Clone)]
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
    /// The store kept in `root` (the files folder itself).
    pub fn at(root: &Path) -> FileStore {
        FileStore { root: root.to_owned() }
    }

    /// Checks and keeps a document; storing the same content again is a no-op.
    pub fn put_document(&self, bytes: &[u8], limit: usize) -> Result<Stored, FileError> {
        if bytes.is_empty() {
            return Err(FileError::Empty);
        }
        if bytes.len() > limit {
            return Err(FileError::TooLarge { limit });
        }
        let kind = Kind::judge(bytes).ok_or(FileError::Type)?;
        self.keep(bytes, kind)
    }

    /// Keeps a video: an MP4 by its bytes (`is_mp4`), at most `limit` bytes.
    pub fn put_video(&self, bytes: &[u8], limit: usize) -> Result<Stored, FileError> {
        if bytes.is_empty() {
            return Err(FileError::Empty);
        }
        if bytes.len() > limit {
            return Err(FileError::TooLarge { limit });
        }
        if !is_mp4(bytes) {
            return Err(FileError::Type);
        }
        self.keep(bytes, Kind::Mp4)
    }

    fn keep(&self, bytes: &[u8], kind: Kind) -> Result<Stored, FileError> {
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

    const PDF: &[u8] = b"%PDF-1.4\n% a tiny document\nxref\n0 1\ntrailer << >>\nstartxref\n27\n%%EOF\n";
    /// A 1×1 PNG.
    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89\0\0\0\rIDATx\x9cc\xf8\xff\xff?\0\x05\xfe\x02\xfe\xa7\x35\x81\x84\0\0\0\0IEND\xaeB`\x82";
    const JPEG_HEAD: &[u8] =
        b"\xFF\xD8\xFF\xE0\0\x10JFIF\0\x01\x01\0\0\x01\0\x01\0\0\xFF\xC0\0\x0B\x08\0\x02\0\x03\x01\x01\x11\0";

    #[test]
    fn whole_documents_pass_and_anything_riding_behind_them_does_not() {
        assert_eq!(Kind::judge(PDF), Some(Kind::Pdf));
        assert_eq!(Kind::judge(PNG), Some(Kind::Png));
        let jpeg = [JPEG_HEAD, b"\xFF\xD9"].concat();
        assert_eq!(Kind::judge(&jpeg), Some(Kind::Jpeg));
        let exe = b"MZ\x90\0\x03\0\0\0 This program cannot be run in DOS mode";
        for whole in [PDF, PNG, &jpeg[..]] {
            assert_eq!(Kind::judge(&[whole, &exe[..]].concat()), None);
        }
        assert_eq!(Kind::judge(b"%PDF-1.4\n%%EOF\n"), None, "no cross-reference");
        assert_eq!(Kind::judge(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR pay records"), None);
        assert_eq!(Kind::judge(JPEG_HEAD), None, "no end of image");
    }

    #[test]
    fn mp4_is_known_by_its_boxes() {
        let mut mp4 = b"\0\0\0\x18ftypisom\0\0\x02\0isomiso2".to_vec();
        mp4.extend_from_slice(b"\0\0\0\x10mdat12345678");
        assert!(is_mp4(&mp4));
        assert!(!is_mp4(b"\0\0\0\x18ftypisom"), "cut short");
        assert!(!is_mp4(&[&mp4[..], b"MZ\x90\0"].concat()), "something behind it");
        assert!(!is_mp4(b"%PDF-1.4"));
        let dir = tempfile::tempdir().unwrap();
        let store = FileStore::at(dir.path());
        assert_eq!(store.put_video(&mp4, 1024).unwrap().kind, Kind::Mp4);
        assert!(matches!(store.put_video(&mp4, 8), Err(FileError::TooLarge { .. })));
        assert!(matches!(store.put_video(PDF, 1024), Err(FileError::Type)));
    }

    #[test]
    fn names_are_ours_to_save_and_clean_to_show() {
        assert_eq!(download_name("证明材料", 12, "application/pdf"), "证明材料-12.pdf");
        assert_eq!(download_name("证明材料", 3, "application/x-msdownload"), "证明材料-3.bin");
        assert_eq!(display_name("报告\u{202E}fdp.bat"), "报告fdp.bat");
        assert_eq!(display_name("a\r\nb\u{2067}.pdf"), "ab.pdf");
    }

    #[test]
    fn documents_are_stored_once_by_content() {
        let dir = tempfile::tempdir().unwrap();
        let store = FileStore::at(dir.path());
        let pdf = PDF;
        let a = store.put_document(pdf, 1024).unwrap();
        let b = store.put_document(pdf, 1024).unwrap();
        assert_eq!(a, b);
        assert_eq!(a.kind, Kind::Pdf);
        assert_eq!(store.get(&a.sha256).unwrap(), pdf);
    }

    #[test]
    fn wrong_kinds_sizes_and_names_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let store = FileStore::at(dir.path());
        assert!(matches!(store.put_document(b"MZ\x90\x00 program", 1024), Err(FileError::Type)));
        assert!(matches!(store.put_document(&[0x89; 2048], 1024), Err(FileError::TooLarge { limit: 1024 })));
        assert!(matches!(store.put_document(b"", 1024), Err(FileError::Empty)));
        assert!(matches!(store.get("../../etc/passwd"), Err(FileError::Missing)));
        assert!(matches!(store.get(&"a".repeat(64)), Err(FileError::Missing)));
    }
}
