//! Bulk loads into an empty database (the demo): what a table checks and
//! indexes row by row is set aside while its rows go in and made again once,
//! after, as PostgreSQL's manual advises for populating a database ("Remove
//! Indexes", "Remove Foreign Key Constraints").
//!
//! - Secondary indexes, on both engines. Every row inserted into a table with
//!   many indexes writes into each at a random place; building an index after
//!   the load sorts once. The graduates carry 25 (each list's order, by scope),
//!   and a destination written for a graduate updates the graduate's listed
//!   destination through a trigger, which rewrote all 25 entries for each event.
//! - Foreign keys, on PostgreSQL: each row's check is a query of its own, run
//!   from a trigger (about a third of the demo's time there); adding the key
//!   back checks every row in one join. SQLite checks in its own process, at
//!   little cost, and cannot turn the checks off inside a transaction.
//!
//! - On SQLite, the writer's page cache, widened for the load's transaction:
//!   pages that do not fit spill into the write-ahead log before the commit,
//!   and each later read of one looks it up there again.
//!
//! Unique indexes, primary keys and the indexes behind constraints stay: they
//! keep the data correct, and `ON CONFLICT` needs them. Everything is dropped
//! and made inside the caller's transaction, so a load that fails leaves the
//! schema as it was, and rows that break a key fail the load when it is added.

use super::{Backend, DbResult, Tx, WRITER_CACHE_KIB};

/// What `Tx::set_aside` dropped, as the statements that make it again.
#[must_use = "what was set aside must be made again with Tx::restore"]
pub struct SetAside {
    statements: Vec<String>,
}

impl Tx {
    /// Drops the secondary indexes of `tables` and, on PostgreSQL, their
    /// foreign keys, until [`Tx::restore`].
    pub async fn set_aside(&mut self, tables: &[&str]) -> DbResult<SetAside> {
        let mut indexes = Vec::new();
        let mut keys = Vec::new();
        for table in tables {
            for row in self.fetch_all(secondary_indexes_sql(self.backend()), &[(*table).into()]).await? {
                self.execute(&format!("DROP INDEX {}", row.text("name")?), &[]).await?;
                indexes.push(row.text("definition")?);
            }
            if self.backend() == Backend::Postgres {
                for row in self.fetch_all(FOREIGN_KEYS_SQL, &[(*table).into()]).await? {
                    let name = row.text("name")?;
                    self.execute(&format!("ALTER TABLE {table} DROP CONSTRAINT {name}"), &[]).await?;
                    keys.push(format!("ALTER TABLE {table} ADD CONSTRAINT {name} {}", row.text("definition")?));
                }
            }
        }
        // Indexes first: checking a key may use them.
        indexes.extend(keys);
        Ok(SetAside { statements: indexes })
    }

    /// Makes again what `set_aside` dropped, checking every row against the keys.
    pub async fn restore(&mut self, set_aside: SetAside) -> DbResult<()> {
        if self.backend() == Backend::Postgres && !set_aside.statements.is_empty() {
            // Sorting in memory rather than in runs on disk; for this transaction only.
            self.execute("SET LOCAL maintenance_work_mem = '256MB'", &[]).await?;
        }
        for statement in set_aside.statements {
            self.execute(&statement, &[]).await?;
        }
        Ok(())
    }

    /// On SQLite, the writer's page cache: `mib` megabytes, or `None` for the
    /// usual size. The size belongs to the writer's connection, not to the
    /// transaction: a load puts it back before its commit (the pages beyond it
    /// are let go once written). Nothing on PostgreSQL, whose server keeps its
    /// own buffers.
    pub async fn writer_cache(&mut self, mib: Option<u32>) -> DbResult<()> {
        if self.backend() == Backend::Sqlite {
            let kib = mib.map_or(WRITER_CACHE_KIB, |mib| mib.saturating_mul(1024));
            self.execute(&format!("PRAGMA cache_size = -{kib}"), &[]).await?;
        }
        Ok(())
    }
}

fn secondary_indexes_sql(backend: Backend) -> &'static str {
    match backend {
        // Automatic indexes (of UNIQUE and PRIMARY KEY) have no SQL of their own.
        Backend::Sqlite => {
            "SELECT name, sql AS definition FROM sqlite_master
             WHERE type = 'index' AND tbl_name = $1 AND sql IS NOT NULL
               AND upper(substr(ltrim(sql), 1, 13)) <> 'CREATE UNIQUE'
             ORDER BY name"
        }
        Backend::Postgres => {
            "SELECT quote_ident(c.relname) AS name, pg_get_indexdef(i.indexrelid) AS definition
             FROM pg_index i
             JOIN pg_class c ON c.oid = i.indexrelid
             JOIN pg_class t ON t.oid = i.indrelid
             WHERE t.relname = $1 AND t.relnamespace = current_schema()::regnamespace
               AND NOT i.indisunique AND NOT i.indisprimary
               AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)
             ORDER BY c.relname"
        }
    }
}

const FOREIGN_KEYS_SQL: &str = "SELECT quote_ident(k.conname) AS name, pg_get_constraintdef(k.oid) AS definition
     FROM pg_constraint k
     JOIN pg_class t ON t.oid = k.conrelid
     WHERE t.relname = $1 AND t.relnamespace = current_schema()::regnamespace AND k.contype = 'f'
     ORDER BY k.conname";
