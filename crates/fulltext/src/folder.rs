//! An index's folder in the data folder. Opening never fails on what is on
//! disk: a folder missing, made for another schema or unreadable is started
//! afresh and reported as needing a rebuild. One process writes a folder at a
//! time (tantivy's lock), so a second server on the same data folder takes
//! the next folder (`postings.2`) and follows the feed on its own.

use std::path::{Path, PathBuf};

use tantivy::schema::Schema;
use tantivy::{Index, IndexWriter, TantivyError};

use crate::{text, SearchError, SearchResult};

/// Servers that may share one data folder, each with its own index folder.
const MAX_FOLDERS: usize = 8;

/// An index opened for writing by this process.
pub struct Opened {
    pub index: Index,
    pub writer: IndexWriter,
    pub path: PathBuf,
    /// How far the index has followed its feed, as its last commit recorded;
    /// `None`: started afresh, to be built from the database.
    pub position: Option<i64>,
}

/// How an index is written.
#[derive(Debug, Clone, Copy)]
pub struct Writing {
    pub threads: usize,
    /// Indexing arena, in bytes, shared by the threads.
    pub memory: usize,
    /// Whether a folder held by another process sends this one to the next
    /// folder (a server) or is refused (a rebuild from the command line).
    pub spare_folders: bool,
}

/// Opens (or starts) the index `name` under `root` for `schema`, with a writer.
pub fn open(root: &Path, name: &str, schema: &Schema, how: Writing) -> SearchResult<Opened> {
    std::fs::create_dir_all(root)?;
    let folders = if how.spare_folders { MAX_FOLDERS } else { 1 };
    for n in 1..=folders {
        let path = match n {
            1 => root.join(name),
            _ => root.join(format!("{name}.{n}")),
        };
        let (index, position) = open_or_start(&path, schema)?;
        match index.writer_with_num_threads(how.threads, how.memory) {
            Ok(writer) => return Ok(Opened { index, writer, path, position }),
            Err(TantivyError::LockFailure(..)) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(SearchError::Busy(root.display().to_string()))
}

fn open_or_start(path: &Path, schema: &Schema) -> SearchResult<(Index, Option<i64>)> {
    if path.join("meta.json").exists() {
        match Index::open_in_dir(path) {
            Ok(index) if same_schema(&index.schema(), schema) => {
                text::register(&index);
                let position = index.load_metas()?.payload.and_then(|p| p.parse().ok());
                return Ok((index, position));
            }
            Ok(_) => tracing::warn!(path = %path.display(), "search index made for another schema: rebuilding"),
            Err(error) => tracing::warn!(path = %path.display(), %error, "search index unreadable: rebuilding"),
        }
        std::fs::remove_dir_all(path)?;
    }
    std::fs::create_dir_all(path)?;
    let index = match Index::create_in_dir(path, schema.clone()) {
        Ok(index) => index,
        // Leftovers without meta.json (a crash mid-creation): start clean.
        Err(TantivyError::IndexAlreadyExists) => {
            std::fs::remove_dir_all(path)?;
            std::fs::create_dir_all(path)?;
            Index::create_in_dir(path, schema.clone())?
        }
        Err(e) => return Err(e.into()),
    };
    text::register(&index);
    Ok((index, None))
}

fn same_schema(a: &Schema, b: &Schema) -> bool {
    serde_json::to_string(a).ok() == serde_json::to_string(b).ok()
}

/// Commits what the writer holds, recording how far the feed was applied.
pub fn commit(writer: &mut IndexWriter, position: i64) -> SearchResult<()> {
    let mut prepared = writer.prepare_commit()?;
    prepared.set_payload(&position.to_string());
    prepared.commit()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::schema::{Schema, STORED, STRING};

    const SERVER: Writing = Writing { threads: 1, memory: 15_000_000, spare_folders: true };

    fn schema() -> Schema {
        let mut b = Schema::builder();
        b.add_text_field("id", STRING | STORED);
        b.build()
    }

    #[test]
    fn a_new_folder_needs_building_and_a_commit_records_the_position() {
        let root = tempfile::tempdir().unwrap();
        let mut opened = open(root.path(), "x", &schema(), SERVER).unwrap();
        assert_eq!(opened.position, None);
        commit(&mut opened.writer, 42).unwrap();
        drop(opened);
        assert_eq!(open(root.path(), "x", &schema(), SERVER).unwrap().position, Some(42));
    }

    #[test]
    fn a_corrupt_folder_is_started_afresh() {
        let root = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(root.path().join("x")).unwrap();
        std::fs::write(root.path().join("x/meta.json"), b"{not json").unwrap();
        let opened = open(root.path(), "x", &schema(), SERVER).unwrap();
        assert_eq!(opened.position, None);
    }

    #[test]
    fn a_second_writer_takes_the_next_folder() {
        let root = tempfile::tempdir().unwrap();
        let first = open(root.path(), "x", &schema(), SERVER).unwrap();
        let second = open(root.path(), "x", &schema(), SERVER).unwrap();
        assert_ne!(first.path, second.path);
        assert!(second.path.ends_with("x.2"));
        let alone = Writing { spare_folders: false, ..SERVER };
        assert!(matches!(open(root.path(), "x", &schema(), alone), Err(SearchError::Busy(_))));
    }
}
