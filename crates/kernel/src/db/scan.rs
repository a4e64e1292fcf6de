//! Whole-table reads (the statistics projection, exports of every row): each
//! row is handed to a function as it is read, by column position, without
//! building a [`Row`](super::Row) for it.
//!
//! On SQLite the rows are read through a read-only connection of their own
//! (rusqlite) on a blocking thread. sqlx's SQLite driver hands every row from
//! its worker thread to the task over a channel; for 900,000 rows that hand-off,
//! not SQLite, was most of the time (the projection of a province loaded 3.4
//! times slower than DuckDB read the same file).
//!
//! On PostgreSQL a query whose parameters are all numbers is read with `COPY
//! (query) TO STDOUT`: the rows arrive as tab-separated text in large chunks and
//! are split here, instead of being decoded one protocol message at a time
//! (as DuckDB's postgres extension reads them). Other queries stream as rows.

use std::borrow::Cow;

use futures_util::TryStreamExt;
use sqlx::postgres::{PgPool, PgPoolCopyExt, PgRow};
use sqlx::{Row as _, SqlitePool};

use super::{bind_pg, classify, Db, DbError, DbResult, Value};

/// One row of a scan, read by column position.
pub struct ScanRow<'r>(Source<'r>);

enum Source<'r> {
    Sqlite(&'r rusqlite::Row<'r>),
    Postgres(&'r PgRow),
    Copied(&'r [Option<Cow<'r, str>>]),
}

impl ScanRow<'_> {
    pub fn opt_i64(&self, i: usize) -> DbResult<Option<i64>> {
        match &self.0 {
            Source::Sqlite(r) => r.get(i).map_err(|e| column(i, e)),
            Source::Postgres(r) => r.try_get(i).map_err(DbError::from),
            Source::Copied(fields) => match field(fields, i)? {
                Some(text) => text.parse().map(Some).map_err(|e| column(i, e)),
                None => Ok(None),
            },
        }
    }

    pub fn i64(&self, i: usize) -> DbResult<i64> {
        self.opt_i64(i)?.ok_or_else(|| DbError::Column(format!("#{i}")))
    }

    pub fn opt_text(&self, i: usize) -> DbResult<Option<&str>> {
        match &self.0 {
            Source::Sqlite(r) => match r.get_ref(i).map_err(|e| column(i, e))? {
                rusqlite::types::ValueRef::Null => Ok(None),
                v => v.as_str().map(Some).map_err(|e| column(i, e)),
            },
            Source::Postgres(r) => r.try_get(i).map_err(DbError::from),
            Source::Copied(fields) => field(fields, i),
        }
    }

    pub fn text(&self, i: usize) -> DbResult<&str> {
        self.opt_text(i)?.ok_or_else(|| DbError::Column(format!("#{i}")))
    }
}

fn field<'r>(fields: &'r [Option<Cow<'r, str>>], i: usize) -> DbResult<Option<&'r str>> {
    fields.get(i).map(|f| f.as_deref()).ok_or_else(|| DbError::Column(format!("#{i}: no such column")))
}

fn column(i: usize, e: impl std::fmt::Display) -> DbError {
    DbError::Column(format!("#{i}: {e}"))
}

impl Db {
    /// Reads every row of `sql` into `state` with `each`, in the query's order,
    /// and gives the state back.
    pub async fn scan<S, F>(&self, sql: &str, params: &[Value], state: S, each: F) -> DbResult<S>
    where
        S: Send + 'static,
        F: FnMut(&mut S, &ScanRow) -> DbResult<()> + Send + 'static,
    {
        match self {
            Db::Sqlite { read, .. } => sqlite_scan(read, sql, params, state, each).await,
            Db::Postgres(pool) => match with_numbers_written(sql, params) {
                Some(query) => copy_scan(pool, &query, state, each).await,
                None => {
                    let (mut state, mut each) = (state, each);
                    let mut rows = bind_pg(sqlx::query(sql), params).fetch(pool);
                    while let Some(row) = rows.try_next().await.map_err(classify)? {
                        each(&mut state, &ScanRow(Source::Postgres(&row)))?;
                    }
                    Ok(state)
                }
            },
        }
    }
}

/// `sql` with each `$n` written as its parameter, when every parameter is a
/// number (COPY takes none); `None` otherwise, so no text is ever written into SQL.
fn with_numbers_written(sql: &str, params: &[Value]) -> Option<String> {
    let numbers: Vec<String> = params
        .iter()
        .map(|v| match v {
            Value::Int(n) => Some(n.map_or_else(|| "NULL".to_owned(), |n| n.to_string())),
            _ => None,
        })
        .collect::<Option<_>>()?;
    let mut out = String::with_capacity(sql.len());
    let mut rest = sql;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        let digits = rest[at + 1..].bytes().take_while(u8::is_ascii_digit).count();
        let n: usize = rest[at + 1..at + 1 + digits].parse().ok()?;
        out.push_str(numbers.get(n.checked_sub(1)?)?);
        rest = &rest[at + 1 + digits..];
    }
    out.push_str(rest);
    Some(out)
}

/// Reads `query`'s rows with COPY in text format, a line at a time.
async fn copy_scan<S, F>(pool: &PgPool, query: &str, mut state: S, mut each: F) -> DbResult<S>
where
    F: FnMut(&mut S, &ScanRow) -> DbResult<()>,
{
    let mut chunks = pool.copy_out_raw(&format!("COPY ({query}) TO STDOUT")).await.map_err(classify)?;
    let mut pending: Vec<u8> = Vec::new();
    while let Some(chunk) = chunks.try_next().await.map_err(classify)? {
        pending.extend_from_slice(&chunk);
        // A row's newline is never inside a field (COPY writes it as `\n`).
        let mut start = 0;
        let mut fields = Vec::new();
        while let Some(end) = pending[start..].iter().position(|b| *b == b'\n') {
            fields.clear();
            for text in pending[start..start + end].split(|b| *b == b'\t') {
                fields.push(copy_field(text)?);
            }
            each(&mut state, &ScanRow(Source::Copied(&fields)))?;
            start += end + 1;
        }
        drop(fields);
        pending.drain(..start);
    }
    Ok(state)
}

/// One field of COPY's text format: `\N` is NULL, a backslash escapes.
fn copy_field(text: &[u8]) -> DbResult<Option<Cow<'_, str>>> {
    if text == b"\\N" {
        return Ok(None);
    }
    let invalid = |e: std::str::Utf8Error| DbError::Mismatch(format!("COPY: {e}"));
    if !text.contains(&b'\\') {
        return Ok(Some(Cow::Borrowed(std::str::from_utf8(text).map_err(invalid)?)));
    }
    let mut out = Vec::with_capacity(text.len());
    let mut bytes = text.iter().copied();
    while let Some(b) = bytes.next() {
        if b != b'\\' {
            out.push(b);
            continue;
        }
        out.push(match bytes.next() {
            Some(b'n') => b'\n',
            Some(b't') => b'\t',
            Some(b'r') => b'\r',
            Some(b'b') => 8,
            Some(b'f') => 12,
            Some(b'v') => 11,
            Some(other) => other,
            None => b'\\',
        });
    }
    Ok(Some(Cow::Owned(String::from_utf8(out).map_err(|e| invalid(e.utf8_error()))?)))
}

async fn sqlite_scan<S, F>(pool: &SqlitePool, sql: &str, params: &[Value], state: S, each: F) -> DbResult<S>
where
    S: Send + 'static,
    F: FnMut(&mut S, &ScanRow) -> DbResult<()> + Send + 'static,
{
    let path = pool.connect_options().get_filename().to_owned();
    let (sql, params) = (sql.to_owned(), params.to_vec());
    tokio::task::spawn_blocking(move || {
        let flags = rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = rusqlite::Connection::open_with_flags(&path, flags).map_err(sqlite)?;
        conn.busy_timeout(std::time::Duration::from_secs(30)).map_err(sqlite)?;
        // The pool's readers map the file too: the operating system keeps one copy.
        conn.pragma_update(None, "mmap_size", 1_073_741_824i64).map_err(sqlite)?;
        let mut statement = conn.prepare(&sql).map_err(sqlite)?;
        bind_sqlite(&mut statement, &params)?;
        let (mut state, mut each) = (state, each);
        let mut rows = statement.raw_query();
        while let Some(row) = rows.next().map_err(sqlite)? {
            each(&mut state, &ScanRow(Source::Sqlite(row)))?;
        }
        Ok(state)
    })
    .await
    .map_err(|e| DbError::Mismatch(format!("scan stopped: {e}")))?
}

/// Binds `$1, $2...` by name: SQLite numbers named parameters in the order
/// they first appear, which need not be theirs.
fn bind_sqlite(statement: &mut rusqlite::Statement, params: &[Value]) -> DbResult<()> {
    for (i, value) in params.iter().enumerate() {
        let Some(at) = statement.parameter_index(&format!("${}", i + 1)).map_err(sqlite)? else {
            continue;
        };
        let bound = match value {
            Value::Int(v) => statement.raw_bind_parameter(at, v),
            Value::Real(v) => statement.raw_bind_parameter(at, v),
            Value::Text(v) => statement.raw_bind_parameter(at, v),
            Value::Bool(v) => statement.raw_bind_parameter(at, v),
        };
        bound.map_err(sqlite)?;
    }
    Ok(())
}

fn sqlite(e: rusqlite::Error) -> DbError {
    DbError::Mismatch(format!("database error: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_written_into_a_copy_and_nothing_else_is() {
        let sql = "SELECT a FROM t WHERE x = $1 AND y > $10 AND z = $2";
        let params: Vec<Value> = (1..=10i64).map(|n| (n * 100).into()).collect();
        assert_eq!(
            with_numbers_written(sql, &params).as_deref(),
            Some("SELECT a FROM t WHERE x = 100 AND y > 1000 AND z = 200")
        );
        assert_eq!(with_numbers_written(sql, &[1i64.into()]), None, "a parameter missing");
        assert_eq!(with_numbers_written("SELECT $1", &["x'; DROP TABLE t; --".into()]), None);
        assert_eq!(with_numbers_written("SELECT '$' || $1", &[1i64.into()]), None, "a dollar that is no parameter");
        assert_eq!(with_numbers_written("SELECT $0", &[1i64.into()]), None);
    }

    #[test]
    fn copy_fields_read_null_plain_and_escaped_text() {
        assert_eq!(copy_field(b"\\N").unwrap(), None);
        assert_eq!(copy_field("湖南".as_bytes()).unwrap().as_deref(), Some("湖南"));
        assert_eq!(copy_field(b"a\\tb\\\\c\\nd").unwrap().as_deref(), Some("a\tb\\c\nd"));
        assert_eq!(copy_field(b"").unwrap().as_deref(), Some(""));
    }

    #[tokio::test]
    async fn a_scan_reads_every_row_by_position_with_parameters_bound_by_number() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::connect(&format!("sqlite://{}/scan.db", dir.path().display())).await.unwrap();
        let mut tx = db.begin().await.unwrap();
        tx.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, n INTEGER)", &[]).await.unwrap();
        for (id, name) in [(1, Some("一")), (2, None), (3, Some("三"))] {
            tx.execute("INSERT INTO t (id, name, n) VALUES ($1, $2, $1 * 10)", &[id.into(), name.into()])
                .await
                .unwrap();
        }
        tx.commit().await.unwrap();
        // $2 appears before $1 in the text.
        let sql = "SELECT id, name, n FROM t WHERE n <= $2 AND id >= $1 ORDER BY id";
        let read = db
            .scan(sql, &[1i64.into(), 20i64.into()], Vec::new(), |out, r| {
                out.push((r.i64(0)?, r.opt_text(1)?.map(str::to_owned), r.i64(2)?));
                Ok(())
            })
            .await
            .unwrap();
        assert_eq!(read, vec![(1, Some("一".to_owned()), 10), (2, None, 20)]);
    }
}
