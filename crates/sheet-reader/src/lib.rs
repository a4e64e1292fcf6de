//! Reading a spreadsheet's bytes into rows (表格读取): .xlsx streamed cell by
//! cell, .xls through calamine's whole-sheet range, .csv in UTF-8 or
//! GB18030/GBK, each row as trimmed text with its place in the sheet. A file is
//! measured against the import's `Limits` before a parser believes what it
//! claims, and a parser's panic is a refusal like any other: an upload never
//! takes a worker down.
//!
//! Kept apart from the kernel so the fuzzers (fuzz/) build only this: no async,
//! no database. Which row is the header and what a row means are the caller's.

mod book;
pub mod hostile;
mod limits;

pub use book::{Book, Cells};
pub use limits::{check_xls, check_zip, Limit, Limits, EXCEL_CELL_CHARS, EXCEL_COLUMNS, EXCEL_ROWS};

/// Why a file gave no rows. Messages for people are the caller's; these are for logs.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum Error {
    #[error("unsupported file type")]
    Kind,
    #[error("the file could not be read: {0}")]
    Broken(String),
    /// The file goes over one of the import's `Limits`.
    #[error("over an import limit: {0:?}")]
    Over(Limit),
    /// A parser panicked on the file: damaged in a way it does not expect.
    #[error("a parser panicked on the file: {0}")]
    Unreadable(String),
}

/// Runs a parser's step, its panic (the file, not our state, is at fault:
/// whatever it touched is dropped with the book) turned into `Error::Unreadable`.
fn contained<T>(step: impl FnOnce() -> Result<T, Error>) -> Result<T, Error> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(step)).unwrap_or_else(|panic| {
        let said = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        Err(Error::Unreadable(said))
    })
}

/// Decodes UTF-8 (with or without BOM), else GB18030, a superset of GBK.
pub fn decode_text(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_owned(),
        Err(_) => encoding_rs::GB18030.decode(bytes).0.into_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_parsers_panic_is_a_refusal() {
        let panicked = contained(|| -> Result<(), Error> { panic!("index out of bounds") });
        assert_eq!(panicked, Err(Error::Unreadable("index out of bounds".into())));
        let formatted = contained(|| -> Result<(), Error> { panic!("offset {}", 7) });
        assert_eq!(formatted, Err(Error::Unreadable("offset 7".into())));
    }
}
