//! One database layer for SQLite (the embedded default) and PostgreSQL (scale).
//!
//! Queries are plain SQL written once, with `$1, $2...` placeholders that both
//! engines accept. Values travel as [`Value`] and come back as [`Row`], so store
//! functions never see which engine runs them. Per-engine SQL is confined to the
//! migration folders. We avoid `sqlx::Any` on purpose: its type mapping breaks
//! on PostgreSQL.

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions, PgRow};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteRow, SqliteSynchronous};
use sqlx::{Column, ConnectOptions, PgPool, Postgres, Row as _, Sqlite, SqlitePool, TypeInfo, ValueRef};

mod bulk;
mod replica;
mod scan;
pub use bulk::SetAside;
pub use replica::Reads;
pub use scan::ScanRow;

tokio::task_local! {
    /// Statements sent while [`counting`] runs, for tests that count a page's round trips.
    static STATEMENTS: std::cell::Cell<u64>;
}

/// Runs `f` and counts the statements it sends to the database from this
/// task (reads, a write's statements, `BEGIN`): how many round trips a page costs.
pub async fn counting<F: std::future::Future>(f: F) -> (F::Output, u64) {
    STATEMENTS
        .scope(std::cell::Cell::new(0), async move {
            let out = f.await;
            (out, STATEMENTS.with(std::cell::Cell::get))
        })
        .await
}

/// One statement sent (nothing unless [`counting`] runs).
fn sent() {
    let _ = STATEMENTS.try_with(|n| n.set(n.get() + 1));
}

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("database error: {0}")]
    Sqlx(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("no {0} with that key")]
    Missing(&'static str),
    #[error("a record with the same {0} already exists")]
    Duplicate(String),
    #[error("column {0} is missing or has an unexpected type")]
    Column(String),
    #[error("unsupported column type {0}")]
    UnsupportedType(String),
    #[error("unsupported database url: {0}")]
    Url(String),
    #[error("{0}")]
    Mismatch(String),
}

pub type DbResult<T> = Result<T, DbError>;

/// A value bound to or read from a query. Nulls carry their type because
/// PostgreSQL refuses an untyped parameter in many positions.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Int(Option<i64>),
    Real(Option<f64>),
    Text(Option<String>),
    Bool(Option<bool>),
}

impl Value {
    /// A readable form for audit records and exports.
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Value::Int(Some(v)) => (*v).into(),
            Value::Real(Some(v)) => (*v).into(),
            Value::Text(Some(v)) => v.clone().into(),
            Value::Bool(Some(v)) => (*v).into(),
            _ => serde_json::Value::Null,
        }
    }
}

macro_rules! value_from {
    ($t:ty, $variant:ident, $conv:expr) => {
        impl From<$t> for Value {
            fn from(v: $t) -> Self {
                Value::$variant(Some($conv(v)))
            }
        }
        impl From<Option<$t>> for Value {
            fn from(v: Option<$t>) -> Self {
                Value::$variant(v.map($conv))
            }
        }
    };
}
value_from!(i64, Int, |v| v);
value_from!(i32, Int, i64::from);
value_from!(u32, Int, i64::from);
value_from!(f64, Real, |v| v);
value_from!(bool, Bool, |v| v);
value_from!(String, Text, |v| v);
value_from!(&str, Text, |v: &str| v.to_owned());
value_from!(&String, Text, |v: &String| v.clone());

/// One result row, read by column name.
#[derive(Debug, Clone)]
pub struct Row {
    columns: Arc<[String]>,
    values: Vec<Value>,
}

impl Row {
    fn value(&self, name: &str) -> DbResult<&Value> {
        self.columns
            .iter()
            .position(|c| c == name)
            .map(|i| &self.values[i])
            .ok_or_else(|| DbError::Column(name.to_owned()))
    }
    pub fn opt_i64(&self, name: &str) -> DbResult<Option<i64>> {
        match self.value(name)? {
            Value::Int(v) => Ok(*v),
            Value::Bool(v) => Ok(v.map(i64::from)),
            Value::Real(v) => Ok(v.map(|f| f as i64)),
            Value::Text(None) => Ok(None),
            Value::Text(Some(s)) => s.parse().map(Some).map_err(|_| DbError::Column(name.to_owned())),
        }
    }
    pub fn i64(&self, name: &str) -> DbResult<i64> {
        self.opt_i64(name)?.ok_or_else(|| DbError::Column(name.to_owned()))
    }
    pub fn opt_f64(&self, name: &str) -> DbResult<Option<f64>> {
        match self.value(name)? {
            Value::Real(v) => Ok(*v),
            Value::Int(v) => Ok(v.map(|i| i as f64)),
            _ => Err(DbError::Column(name.to_owned())),
        }
    }
    pub fn f64(&self, name: &str) -> DbResult<f64> {
        self.opt_f64(name)?.ok_or_else(|| DbError::Column(name.to_owned()))
    }
    pub fn opt_text(&self, name: &str) -> DbResult<Option<String>> {
        match self.value(name)? {
            Value::Text(v) => Ok(v.clone()),
            Value::Int(v) => Ok(v.map(|i| i.to_string())),
            Value::Real(v) => Ok(v.map(|f| f.to_string())),
            Value::Bool(v) => Ok(v.map(|b| b.to_string())),
        }
    }
    pub fn text(&self, name: &str) -> DbResult<String> {
        self.opt_text(name)?.ok_or_else(|| DbError::Column(name.to_owned()))
    }
    pub fn bool(&self, name: &str) -> DbResult<bool> {
        match self.value(name)? {
            Value::Bool(Some(b)) => Ok(*b),
            Value::Int(Some(i)) => Ok(*i != 0),
            _ => Err(DbError::Column(name.to_owned())),
        }
    }
    /// The row as a JSON object: the before and after images of audit records.
    pub fn to_json(&self) -> serde_json::Value {
        let map = self.columns.iter().zip(&self.values).map(|(c, v)| (c.clone(), v.to_json())).collect();
        serde_json::Value::Object(map)
    }
}

/// A type read from one result row. One mapping per type, written beside the
/// type, so a store function reads `db.first::<Cohort>(...)` instead of
/// picking columns by name at every call.
pub trait FromRow: Sized {
    fn from_row(row: &Row) -> DbResult<Self>;
}

/// A row as it came, for readers that need more than the row to map it (the reader's role, say).
impl FromRow for Row {
    fn from_row(row: &Row) -> DbResult<Row> {
        Ok(row.clone())
    }
}

/// The columns of one record to insert or update, named one by one, so a
/// store function reads like the record it writes and no placeholder is
/// counted by hand.
#[derive(Debug, Default, Clone)]
pub struct Record {
    columns: Vec<&'static str>,
    values: Vec<Value>,
}

impl Record {
    pub fn new() -> Record {
        Record::default()
    }
    pub fn set(mut self, column: &'static str, value: impl Into<Value>) -> Record {
        self.columns.push(column);
        self.values.push(value.into());
        self
    }
    fn insert_sql(&self, table: &str) -> String {
        let marks: Vec<String> = (1..=self.columns.len()).map(|i| format!("${i}")).collect();
        format!("INSERT INTO {table} ({}) VALUES ({})", self.columns.join(", "), marks.join(", "))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The connection pools. SQLite gets one writer connection (SQLite has one
/// writer anyway; queueing in the pool avoids busy errors) and several readers.
#[derive(Clone, Debug)]
pub enum Db {
    Sqlite { read: SqlitePool, write: SqlitePool },
    Postgres(PgPool),
}

static SQLITE_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations/sqlite");
static POSTGRES_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations/postgres");

impl Db {
    /// Connects to `sqlite://path` or `postgres://...`.
    pub async fn connect(url: &str) -> DbResult<Db> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            // No JIT: the platform's statements read a page or a province's
            // figures; compiling one of them (0.9 s seen on a register count)
            // cost far more than running it.
            let options = PgConnectOptions::from_str(url)?.options([("jit", "off")]).disable_statement_logging();
            let pool = PgPoolOptions::new()
                .max_connections(16)
                .acquire_timeout(Duration::from_secs(30))
                .connect_with(options)
                .await?;
            Ok(Db::Postgres(pool))
        } else if url.starts_with("sqlite:") {
            let options = SqliteConnectOptions::from_str(url)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(30))
                .foreign_keys(true)
                .pragma("temp_store", "memory")
                // Readers share the file through the operating system's page cache
                // (memory-mapped, counted once however many connections read it)
                // and keep a small private cache each; the one writer keeps a large
                // one for imports. Nine private 64 MB caches had grown a server to 1 GB.
                .pragma("mmap_size", "1073741824")
                .disable_statement_logging();
            let write = SqlitePoolOptions::new()
                .max_connections(1)
                .acquire_timeout(Duration::from_secs(120))
                .connect_with(options.clone().pragma("cache_size", format!("-{WRITER_CACHE_KIB}")))
                .await?;
            let read =
                SqlitePoolOptions::new().max_connections(8).connect_with(options.pragma("cache_size", "-8192")).await?;
            Ok(Db::Sqlite { read, write })
        } else {
            Err(DbError::Url(url.to_owned()))
        }
    }

    pub fn backend(&self) -> Backend {
        match self {
            Db::Sqlite { .. } => Backend::Sqlite,
            Db::Postgres(_) => Backend::Postgres,
        }
    }

    /// Applies the embedded migrations. A database that held data before and
    /// gained migrations is analysed afterwards: indexes a migration adds are
    /// chosen by the planner only once it has statistics for them.
    pub async fn migrate(&self) -> DbResult<()> {
        let before = self.migrations_applied().await;
        match self {
            Db::Sqlite { write, .. } => SQLITE_MIGRATOR.run(write).await?,
            Db::Postgres(pool) => POSTGRES_MIGRATOR.run(pool).await?,
        }
        if before > 0 && self.migrations_applied().await > before {
            self.analyze().await?;
        }
        Ok(())
    }

    /// How many migrations the database has had; 0 for a new one.
    async fn migrations_applied(&self) -> i64 {
        self.scalar_i64("SELECT COUNT(*) AS n FROM _sqlx_migrations", &[]).await.unwrap_or(0)
    }

    /// Applies the migrations found in `dir` rather than the embedded ones:
    /// for tests of a migration against data in the schema before it.
    pub async fn migrate_from(&self, dir: &std::path::Path) -> DbResult<()> {
        let migrator = sqlx::migrate::Migrator::new(dir).await?;
        match self {
            Db::Sqlite { write, .. } => migrator.run(write).await?,
            Db::Postgres(pool) => migrator.run(pool).await?,
        }
        Ok(())
    }

    /// Starts a write transaction. Every write goes through one, together with
    /// its audit record.
    pub async fn begin(&self) -> DbResult<Tx> {
        sent();
        Ok(match self {
            Db::Sqlite { write, .. } => Tx::Sqlite(write.begin().await?),
            Db::Postgres(pool) => Tx::Postgres(pool.begin().await?),
        })
    }

    pub async fn fetch_all(&self, sql: &str, params: &[Value]) -> DbResult<Vec<Row>> {
        sent();
        match self {
            Db::Sqlite { read, .. } => sqlite_fetch(read, sql, params).await,
            Db::Postgres(pool) => pg_fetch(pool, sql, params).await,
        }
    }

    /// The first row, without reading the rest.
    pub async fn fetch_optional(&self, sql: &str, params: &[Value]) -> DbResult<Option<Row>> {
        sent();
        match self {
            Db::Sqlite { read, .. } => sqlite_fetch_first(read, sql, params).await,
            Db::Postgres(pool) => pg_fetch_first(pool, sql, params).await,
        }
    }

    pub async fn fetch_one(&self, sql: &str, params: &[Value]) -> DbResult<Row> {
        self.fetch_optional(sql, params).await?.ok_or(DbError::Missing("row"))
    }

    /// Every row, each read as a `T`.
    pub async fn all<T: FromRow>(&self, sql: &str, params: &[Value]) -> DbResult<Vec<T>> {
        self.fetch_all(sql, params).await?.iter().map(T::from_row).collect()
    }

    /// The first row read as a `T`, if there is one.
    pub async fn first<T: FromRow>(&self, sql: &str, params: &[Value]) -> DbResult<Option<T>> {
        self.fetch_optional(sql, params).await?.as_ref().map(T::from_row).transpose()
    }

    /// A single integer, e.g. `SELECT COUNT(*) AS n ...`.
    pub async fn scalar_i64(&self, sql: &str, params: &[Value]) -> DbResult<i64> {
        let row = self.fetch_one(sql, params).await?;
        let name = row.columns.first().cloned().unwrap_or_default();
        Ok(row.opt_i64(&name)?.unwrap_or(0))
    }

    /// Refreshes planner statistics (and PostgreSQL's visibility map) after bulk
    /// loads, so counts and sorted lists use their indexes at once.
    pub async fn analyze(&self) -> DbResult<()> {
        match self {
            Db::Sqlite { write, .. } => {
                sqlx::query("ANALYZE").execute(write).await?;
            }
            Db::Postgres(pool) => {
                sqlx::query("VACUUM ANALYZE").execute(pool).await?;
            }
        }
        Ok(())
    }

    /// Creates a database beside this one on a PostgreSQL server (each test
    /// gets its own); SQLite databases are files and need none.
    pub async fn create_database(&self, name: &str) -> DbResult<()> {
        match self {
            Db::Postgres(pool) => {
                if !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                    return Err(DbError::Url(name.to_owned()));
                }
                sqlx::query(&format!("CREATE DATABASE {name}")).execute(pool).await?;
                Ok(())
            }
            Db::Sqlite { .. } => Err(DbError::Url("create_database is for PostgreSQL".to_owned())),
        }
    }

    pub async fn close(&self) {
        match self {
            Db::Sqlite { read, write } => {
                read.close().await;
                write.close().await;
            }
            Db::Postgres(pool) => pool.close().await,
        }
    }
}

/// The SQLite writer's page cache, in KiB (imports fit in it).
const WRITER_CACHE_KIB: u32 = 65_536;

/// A write transaction on either engine.
pub enum Tx {
    Sqlite(sqlx::Transaction<'static, Sqlite>),
    Postgres(sqlx::Transaction<'static, Postgres>),
}

impl Tx {
    pub fn backend(&self) -> Backend {
        match self {
            Tx::Sqlite(_) => Backend::Sqlite,
            Tx::Postgres(_) => Backend::Postgres,
        }
    }

    pub async fn execute(&mut self, sql: &str, params: &[Value]) -> DbResult<u64> {
        sent();
        let result = match self {
            Tx::Sqlite(tx) => bind_sqlite(sqlx::query(sql), params).execute(&mut **tx).await.map(|r| r.rows_affected()),
            Tx::Postgres(tx) => bind_pg(sqlx::query(sql), params).execute(&mut **tx).await.map(|r| r.rows_affected()),
        };
        result.map_err(classify)
    }

    pub async fn fetch_all(&mut self, sql: &str, params: &[Value]) -> DbResult<Vec<Row>> {
        sent();
        match self {
            Tx::Sqlite(tx) => sqlite_fetch(&mut **tx, sql, params).await,
            Tx::Postgres(tx) => pg_fetch(&mut **tx, sql, params).await,
        }
    }

    /// The first row, without reading the rest.
    pub async fn fetch_optional(&mut self, sql: &str, params: &[Value]) -> DbResult<Option<Row>> {
        sent();
        match self {
            Tx::Sqlite(tx) => sqlite_fetch_first(&mut **tx, sql, params).await,
            Tx::Postgres(tx) => pg_fetch_first(&mut **tx, sql, params).await,
        }
    }

    pub async fn fetch_one(&mut self, sql: &str, params: &[Value]) -> DbResult<Row> {
        self.fetch_optional(sql, params).await?.ok_or(DbError::Missing("row"))
    }

    /// Every row, each read as a `T`.
    pub async fn all<T: FromRow>(&mut self, sql: &str, params: &[Value]) -> DbResult<Vec<T>> {
        self.fetch_all(sql, params).await?.iter().map(T::from_row).collect()
    }

    /// The first row read as a `T`, if there is one.
    pub async fn first<T: FromRow>(&mut self, sql: &str, params: &[Value]) -> DbResult<Option<T>> {
        self.fetch_optional(sql, params).await?.as_ref().map(T::from_row).transpose()
    }

    /// Inserts one record into `table`.
    pub async fn insert(&mut self, table: &str, record: Record) -> DbResult<u64> {
        let sql = record.insert_sql(table);
        self.execute(&sql, &record.values).await
    }

    /// Inserts one record into `table` and returns its new `id`.
    pub async fn insert_id(&mut self, table: &str, record: Record) -> DbResult<i64> {
        let sql = record.insert_sql(table);
        self.insert_returning_id(&sql, &record.values).await
    }

    /// Inserts one record into `table` unless a row with the same `unique`
    /// column(s) is there, and returns its new `id`; `None` when one was (on
    /// PostgreSQL, also one a transaction running beside this one committed
    /// meanwhile: the insert waits for it rather than failing).
    pub async fn insert_id_unless(&mut self, table: &str, record: Record, unique: &str) -> DbResult<Option<i64>> {
        let sql = format!("{} ON CONFLICT ({unique}) DO NOTHING RETURNING id", record.insert_sql(table));
        self.fetch_optional(&sql, &record.values).await?.map(|r| r.i64("id")).transpose()
    }

    /// Sets the record's columns on the rows of `table` whose `key` column is `key_value`.
    pub async fn update(
        &mut self,
        table: &str,
        record: Record,
        key: &str,
        key_value: impl Into<Value>,
    ) -> DbResult<u64> {
        let sets: Vec<String> = record.columns.iter().enumerate().map(|(i, c)| format!("{c} = ${}", i + 1)).collect();
        let sql = format!("UPDATE {table} SET {} WHERE {key} = ${}", sets.join(", "), record.columns.len() + 1);
        let mut values = record.values;
        values.push(key_value.into());
        self.execute(&sql, &values).await
    }

    /// Inserts and returns the new row's `id`.
    pub async fn insert_returning_id(&mut self, sql: &str, params: &[Value]) -> DbResult<i64> {
        let sql = format!("{sql} RETURNING id");
        self.fetch_one(&sql, params).await?.i64("id")
    }

    /// Inserts many rows with multi-row `VALUES` statements, chunked to stay
    /// under both engines' parameter limits. Takes the rows to move their
    /// values into the statement rather than copy them.
    pub async fn insert_many(&mut self, table: &str, columns: &[&str], rows: Vec<Vec<Value>>) -> DbResult<()> {
        self.insert_many_then(table, columns, rows, "").await
    }

    /// Records that set the same columns, inserted in bulk like `insert_many`;
    /// `then` follows each statement (an `ON CONFLICT …` clause, or nothing).
    pub async fn insert_records(&mut self, table: &str, records: Vec<Record>, then: &str) -> DbResult<()> {
        let Some(columns) = records.first().map(|r| r.columns.clone()) else { return Ok(()) };
        let mut rows = Vec::with_capacity(records.len());
        for record in records {
            if record.columns != columns {
                return Err(DbError::Mismatch(format!("records for {table} set different columns")));
            }
            rows.push(record.values);
        }
        self.insert_many_then(table, &columns, rows, then).await
    }

    /// Ids from `table`'s own sequence for `n` rows about to be inserted in bulk,
    /// so rows that refer to them can be made first. Safe beside concurrent
    /// writers: PostgreSQL hands them out from the sequence, and SQLite has one
    /// writer at a time.
    pub async fn reserve_ids(&mut self, table: &str, n: usize) -> DbResult<Vec<i64>> {
        match self {
            Tx::Postgres(_) => {
                let sql = format!(
                    "SELECT nextval(pg_get_serial_sequence('{table}', 'id')) AS id FROM generate_series(1, $1) ORDER BY 1"
                );
                self.fetch_all(&sql, &[(n as i64).into()]).await?.iter().map(|r| r.i64("id")).collect()
            }
            Tx::Sqlite(_) => {
                let first = self.fetch_one(&format!("SELECT COALESCE(MAX(id), 0) + 1 AS n FROM {table}"), &[]).await?;
                let first = first.i64("n")?;
                Ok((first..first + n as i64).collect())
            }
        }
    }

    async fn insert_many_then(
        &mut self,
        table: &str,
        columns: &[&str],
        rows: Vec<Vec<Value>>,
        then: &str,
    ) -> DbResult<()> {
        let per_row = columns.len();
        // On SQLite, plain `?`: numbered or named parameters make every bind
        // look its name up in a list, quadratic over thousands of values.
        let sqlite = self.backend() == Backend::Sqlite;
        let chunk_rows = (30_000 / per_row).max(1);
        let mut rows = rows.into_iter().peekable();
        while rows.peek().is_some() {
            let chunk: Vec<Vec<Value>> = rows.by_ref().take(chunk_rows).collect();
            let mut sql = format!("INSERT INTO {table} ({}) VALUES ", columns.join(", "));
            let mut params = Vec::with_capacity(chunk.len() * per_row);
            for (r, row) in chunk.into_iter().enumerate() {
                if r > 0 {
                    sql.push(',');
                }
                sql.push('(');
                for c in 0..per_row {
                    if c > 0 {
                        sql.push(',');
                    }
                    if sqlite {
                        sql.push('?');
                    } else {
                        sql.push('$');
                        sql.push_str(&(r * per_row + c + 1).to_string());
                    }
                }
                sql.push(')');
                params.extend(row);
            }
            if !then.is_empty() {
                sql.push(' ');
                sql.push_str(then);
            }
            self.execute(&sql, &params).await?;
        }
        Ok(())
    }

    /// After rows were inserted with explicit ids, moves PostgreSQL's identity
    /// sequence past them; SQLite needs nothing.
    pub async fn sync_id_sequence(&mut self, table: &str) -> DbResult<()> {
        if let Tx::Postgres(_) = self {
            let sql = format!("SELECT setval(pg_get_serial_sequence('{table}', 'id'), GREATEST((SELECT MAX(id) FROM {table}), 1)) AS v");
            self.fetch_all(&sql, &[]).await?;
        }
        Ok(())
    }

    pub async fn commit(self) -> DbResult<()> {
        match self {
            Tx::Sqlite(tx) => tx.commit().await?,
            Tx::Postgres(tx) => tx.commit().await?,
        }
        Ok(())
    }
}

fn classify(e: sqlx::Error) -> DbError {
    if let sqlx::Error::Database(db) = &e {
        if db.is_unique_violation() {
            return DbError::Duplicate(db.constraint().unwrap_or("key").to_owned());
        }
    }
    DbError::Sqlx(e)
}

type SqliteQuery<'q> = sqlx::query::Query<'q, Sqlite, sqlx::sqlite::SqliteArguments<'q>>;
type PgQuery<'q> = sqlx::query::Query<'q, Postgres, sqlx::postgres::PgArguments>;

fn bind_sqlite<'q>(mut q: SqliteQuery<'q>, params: &'q [Value]) -> SqliteQuery<'q> {
    for p in params {
        q = match p {
            Value::Int(v) => q.bind(*v),
            Value::Real(v) => q.bind(*v),
            Value::Text(v) => q.bind(v.as_deref()),
            Value::Bool(v) => q.bind(*v),
        };
    }
    q
}

fn bind_pg<'q>(mut q: PgQuery<'q>, params: &'q [Value]) -> PgQuery<'q> {
    for p in params {
        q = match p {
            Value::Int(v) => q.bind(*v),
            Value::Real(v) => q.bind(*v),
            Value::Text(v) => q.bind(v.as_deref()),
            Value::Bool(v) => q.bind(*v),
        };
    }
    q
}

async fn sqlite_fetch<'e, E>(executor: E, sql: &str, params: &[Value]) -> DbResult<Vec<Row>>
where
    E: sqlx::Executor<'e, Database = Sqlite>,
{
    let rows = bind_sqlite(sqlx::query(sql), params).fetch_all(executor).await.map_err(classify)?;
    let Some(first) = rows.first() else {
        return Ok(Vec::new());
    };
    let columns: Arc<[String]> = first.columns().iter().map(|c| c.name().to_owned()).collect();
    rows.iter().map(|r| sqlite_row(r, &columns)).collect()
}

async fn sqlite_fetch_first<'e, E>(executor: E, sql: &str, params: &[Value]) -> DbResult<Option<Row>>
where
    E: sqlx::Executor<'e, Database = Sqlite>,
{
    let row = bind_sqlite(sqlx::query(sql), params).fetch_optional(executor).await.map_err(classify)?;
    row.map(|r| {
        let columns: Arc<[String]> = r.columns().iter().map(|c| c.name().to_owned()).collect();
        sqlite_row(&r, &columns)
    })
    .transpose()
}

fn sqlite_row(row: &SqliteRow, columns: &Arc<[String]>) -> DbResult<Row> {
    let mut values = Vec::with_capacity(columns.len());
    for i in 0..columns.len() {
        let raw = row.try_get_raw(i)?;
        let value = if raw.is_null() {
            Value::Text(None)
        } else {
            match raw.type_info().name() {
                "INTEGER" | "BOOLEAN" => Value::Int(Some(row.try_get::<i64, _>(i)?)),
                "REAL" => Value::Real(Some(row.try_get::<f64, _>(i)?)),
                "TEXT" | "DATE" | "DATETIME" | "TIME" => Value::Text(Some(row.try_get::<String, _>(i)?)),
                other => return Err(DbError::UnsupportedType(other.to_owned())),
            }
        };
        values.push(value);
    }
    Ok(Row { columns: columns.clone(), values })
}

async fn pg_fetch<'e, E>(executor: E, sql: &str, params: &[Value]) -> DbResult<Vec<Row>>
where
    E: sqlx::Executor<'e, Database = Postgres>,
{
    let rows = bind_pg(sqlx::query(sql), params).fetch_all(executor).await.map_err(classify)?;
    let Some(first) = rows.first() else {
        return Ok(Vec::new());
    };
    let columns: Arc<[String]> = first.columns().iter().map(|c| c.name().to_owned()).collect();
    rows.iter().map(|r| pg_row(r, &columns)).collect()
}

async fn pg_fetch_first<'e, E>(executor: E, sql: &str, params: &[Value]) -> DbResult<Option<Row>>
where
    E: sqlx::Executor<'e, Database = Postgres>,
{
    let row = bind_pg(sqlx::query(sql), params).fetch_optional(executor).await.map_err(classify)?;
    row.map(|r| {
        let columns: Arc<[String]> = r.columns().iter().map(|c| c.name().to_owned()).collect();
        pg_row(&r, &columns)
    })
    .transpose()
}

fn pg_row(row: &PgRow, columns: &Arc<[String]>) -> DbResult<Row> {
    let mut values = Vec::with_capacity(columns.len());
    for (i, column) in row.columns().iter().enumerate() {
        let value = match column.type_info().name() {
            "INT8" => Value::Int(row.try_get::<Option<i64>, _>(i)?),
            "INT4" => Value::Int(row.try_get::<Option<i32>, _>(i)?.map(i64::from)),
            "INT2" => Value::Int(row.try_get::<Option<i16>, _>(i)?.map(i64::from)),
            "FLOAT8" => Value::Real(row.try_get::<Option<f64>, _>(i)?),
            "FLOAT4" => Value::Real(row.try_get::<Option<f32>, _>(i)?.map(f64::from)),
            "BOOL" => Value::Bool(row.try_get::<Option<bool>, _>(i)?),
            "TEXT" | "VARCHAR" | "BPCHAR" | "NAME" => Value::Text(row.try_get::<Option<String>, _>(i)?),
            other => return Err(DbError::UnsupportedType(other.to_owned())),
        };
        values.push(value);
    }
    Ok(Row { columns: columns.clone(), values })
}

/// Builds a SQL text and its parameters together, numbering placeholders as
/// they are pushed, for queries whose filters depend on the request.
#[derive(Default, Debug)]
pub struct SqlBuilder {
    pub sql: String,
    pub params: Vec<Value>,
}

impl SqlBuilder {
    pub fn new(sql: &str) -> Self {
        SqlBuilder { sql: sql.to_owned(), params: Vec::new() }
    }
    pub fn push(&mut self, text: &str) -> &mut Self {
        self.sql.push_str(text);
        self
    }
    /// Appends a placeholder bound to `value`.
    pub fn bind(&mut self, value: impl Into<Value>) -> &mut Self {
        self.params.push(value.into());
        self.sql.push('$');
        self.sql.push_str(&self.params.len().to_string());
        self
    }
}

/// Placeholders for `count` values whose first is parameter number `first`:
/// `$2,$3,...` on PostgreSQL; on SQLite plain `?`, whose binding cost does not grow
/// with the list (the statement must then use only plain `?` placeholders).
pub fn placeholders(backend: Backend, first: usize, count: usize) -> String {
    match backend {
        Backend::Sqlite => vec!["?"; count].join(","),
        Backend::Postgres => (first..first + count).map(|i| format!("${i}")).collect::<Vec<_>>().join(","),
    }
}

/// `%text%` for a LIKE filter, with the wildcards in the user's text escaped.
pub fn like_pattern(text: &str) -> String {
    format!("%{}", prefix_pattern(text))
}

/// `text%` for a LIKE filter that an index can answer, wildcards escaped.
pub fn prefix_pattern(text: &str) -> String {
    let escaped = text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
    format!("{escaped}%")
}
