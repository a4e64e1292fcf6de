//! Full-text search (全文检索) for every area: Chinese text as an index sees it
//! (traditional characters folded to simplified, jieba words, character
//! grams), highlighting, the change-feed cursor an index follows, and the
//! index folder in the data folder (opened, or rebuilt when missing, of
//! another schema or corrupt). An area keeps its own schema, documents and
//! queries; the database stays the source of truth.

pub mod feed;
pub mod folder;
pub mod text;

pub use tantivy;

#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("search index: {0}")]
    Index(#[from] tantivy::TantivyError),
    #[error("search index folder: {0}")]
    Io(#[from] std::io::Error),
    #[error("search index: every folder under {0} is held by another running server")]
    Busy(String),
}

pub type SearchResult<T> = Result<T, SearchError>;
