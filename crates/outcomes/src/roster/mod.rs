//! Roster import (生源信息导入): read a file, judge every row, and write all of
//! them in one transaction or none of them.

pub mod api;
pub mod check;
pub mod columns;
mod judge;
pub mod pages;
pub mod template;

use std::collections::{HashMap, HashSet};

use kernel::audit::{self, AuditActor, Change, Subject};
use kernel::auth::Scope;
use kernel::sheet::report::{ReportError, Source};
use kernel::sheet::{self, Errors, Input, Limits, ReadError};
use kernel::{Db, DbError, Locale, Tx, Value};
use serde_json::Value as Json;

use check::{CodeTable, Problem};
pub use check::{RosterRow, RowError};
use columns::{Field, Layout};
use judge::Judged;
pub use kernel::sheet::Progress;

/// Uploads larger than this are refused before they are read.
pub const MAX_UPLOAD: usize = 20 * 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error(transparent)]
    Read(#[from] ReadError),
    #[error(transparent)]
    Db(#[from] DbError),
    #[error("no such institution")]
    NoInstitution,
    #[error("no such cohort")]
    NoCohort,
    #[error("the reading thread stopped: {0}")]
    Reader(String),
    #[error("report: {0}")]
    Report(#[from] rust_xlsxwriter::XlsxError),
}

impl From<ReportError> for ImportError {
    fn from(e: ReportError) -> Self {
        match e {
            ReportError::Read(e) => ImportError::Read(e),
            ReportError::Xlsx(e) => ImportError::Report(e),
        }
    }
}

impl From<ImportError> for kernel::web::AppError {
    fn from(e: ImportError) -> Self {
        match e {
            ImportError::Db(e) => e.into(),
            ImportError::NoInstitution | ImportError::NoCohort => kernel::web::AppError::NotFound,
            e => kernel::web::AppError::Internal(anyhow::anyhow!(e.to_string())),
        }
    }
}

/// The institution a template is for: the staff's own, else the one `code`
/// names, else the first by code (as the upload form offers them).
pub async fn template_institution(db: &Db, scope: &Scope, code: &str) -> Result<i64, ImportError> {
    if let Some(own) = scope.institution() {
        return Ok(own);
    }
    let row = match code.trim() {
        "" => db.fetch_optional("SELECT id FROM institutions ORDER BY code LIMIT 1", &[]).await?,
        code => db.fetch_optional("SELECT id FROM institutions WHERE code = $1", &[code.into()]).await?,
    };
    Ok(row.ok_or(ImportError::NoInstitution)?.i64("id")?)
}

/// What an import did.
#[derive(Debug)]
pub enum Outcome {
    Imported {
        new: usize,
        updated: usize,
        unchanged: usize,
        ignored_columns: Vec<String>,
    },
    /// Nothing was written; `report` is the .xlsx of the rows with an error column.
    Rejected {
        rows: usize,
        errors: Errors<Problem>,
        report: Vec<u8>,
    },
}

async fn code_pairs(db: &Db, kind: &str) -> Result<Vec<(String, String)>, DbError> {
    let rows = db
        .fetch_all(
            "SELECT code, name FROM code_tables WHERE kind = $1 AND version = 'base' ORDER BY code",
            &[kind.into()],
        )
        .await?;
    rows.iter().map(|r| Ok((r.text("code")?, r.text("name")?))).collect()
}

async fn reference(db: &Db, institution_id: i64, cohort: i64) -> Result<check::Reference, ImportError> {
    let majors = db
        .fetch_all(
            "SELECT m.id, m.college_id, c.code AS college_code, c.name AS college_name, m.code, m.name, m.level \
             FROM majors m JOIN colleges c ON c.id = m.college_id WHERE m.institution_id = $1",
            &[institution_id.into()],
        )
        .await?
        .iter()
        .map(|r| {
            Ok(check::OfferedMajor {
                id: r.i64("id")?,
                college_id: r.i64("college_id")?,
                college_code: r.text("college_code")?,
                college_name: r.text("college_name")?,
                code: r.text("code")?,
                name: r.text("name")?,
                level: r.text("level")?,
            })
        })
        .collect::<Result<Vec<_>, DbError>>()?;
    Ok(check::Reference {
        cohort,
        regions: registry::reference::region_index(db).await?,
        ethnicities: CodeTable::new(code_pairs(db, "ethnicity").await?),
        political: CodeTable::new(code_pairs(db, "political_status").await?),
        urban_rural: CodeTable::new(code_pairs(db, "urban_rural").await?),
        genders: CodeTable::new(code_pairs(db, "gender").await?),
        levels: CodeTable::new(code_pairs(db, "education_level").await?),
        majors: check::Majors::new(majors),
    })
}

/// The graduates of one institution and cohort: what a roster file fills.
#[derive(Debug, Clone, Copy)]
pub struct InstitutionCohort {
    pub institution_id: i64,
    pub cohort: i64,
}

/// The report of refused rows: a file is read again on a blocking thread,
/// within the same limits, and annotated; rows pushed through the API are
/// answered with their errors as JSON and get none.
pub async fn report<P: sheet::Explain + Send + Sync + 'static>(
    input: Input,
    columns: sheet::Columns,
    limits: Limits,
    errors: Errors<P>,
    l: Locale,
) -> Result<(Errors<P>, Vec<u8>), ImportError> {
    let Input::File { name, bytes } = input else { return Ok((errors, Vec::new())) };
    let write = move || {
        let source = Source { file_name: &name, bytes: &bytes, columns: &columns, limits: &limits };
        sheet::report::error_report(source, &errors, l).map(|report| (errors, report))
    };
    Ok(tokio::task::spawn_blocking(write).await.map_err(|e| ImportError::Reader(e.to_string()))??)
}

/// Reads, judges and writes a roster (a file, or rows pushed through the API)
/// in one transaction, which commits only when every row passed. The rows are
/// read and judged on a blocking thread while this task writes the batches
/// already judged; a failing row stops the writing, the rest is still judged
/// for the report, and the transaction is dropped, so nothing of it is kept.
pub async fn import(
    db: &Db,
    who: &AuditActor,
    InstitutionCohort { institution_id, cohort }: InstitutionCohort,
    input: Input,
    l: Locale,
    limits: Limits,
    progress: impl Fn(Progress),
) -> Result<Outcome, ImportError> {
    if registry::cohorts::get(db, cohort).await?.is_none() {
        return Err(ImportError::NoCohort);
    }
    if db.fetch_optional("SELECT id FROM institutions WHERE id = $1", &[institution_id.into()]).await?.is_none() {
        return Err(ImportError::NoInstitution);
    }
    let started = std::time::Instant::now();
    let (reference_tx, reference_rx) = tokio::sync::oneshot::channel();
    let (judged_tx, mut judged) = tokio::sync::mpsc::channel(4);
    let reader = tokio::task::spawn_blocking(move || judge::run(input, &limits, reference_rx, judged_tx));
    // If the receiver is gone the reader has failed; its error comes from the join below.
    let _ = reference_tx.send(reference(db, institution_id, cohort).await?);
    let mut tx = db.begin().await?;
    let mut import = Import::new(&mut tx, institution_id, cohort, &limits).await?;
    tracing::debug!(elapsed = ?started.elapsed(), "roster reference loaded");
    while let Some(batch) = judged.recv().await {
        import.take(db, &mut tx, batch).await?;
        progress(Progress { rows: import.rows, of: import.rows_hint });
    }
    let input = reader.await.map_err(|e| ImportError::Reader(e.to_string()))??;
    tracing::debug!(rows = import.rows, elapsed = ?started.elapsed(), "roster read, judged and written");
    if import.headers.is_empty() {
        return Err(ImportError::Read(ReadError::Empty));
    }
    if !import.errors.is_empty() {
        // The rows were let go batch by batch; a refused file is read once more for its report.
        drop(tx);
        let (errors, report) = report(input, Field::columns(), limits, import.errors, l).await?;
        return Ok(Outcome::Rejected { rows: import.rows, errors, report });
    }
    let Import { new, updated, unchanged, .. } = import;
    let after = serde_json::json!({
        "institution_id": institution_id, "cohort": cohort, "file": input.name(),
        "rows": import.rows, "new": new, "updated": updated, "unchanged": unchanged,
    });
    let batch = Change::new("import", "roster", format!("{institution_id}:{cohort}"))
        .after(after)
        .about(Subject::institution(institution_id));
    let members = audit_changes(&mut tx, institution_id, cohort, import.changed).await?;
    audit::record_batch(&mut tx, who, batch, members).await?;
    tx.commit().await?;
    tracing::debug!(elapsed_ms = started.elapsed().as_millis() as u64, "roster committed");
    Ok(Outcome::Imported { new, updated, unchanged, ignored_columns: Layout::of(&import.headers).ignored })
}

/// What a refused batch is looked into by: a passed row's line and keys.
struct Key {
    line: usize,
    id_number: String,
    student_no: String,
}

/// The writing side's account of an import in progress.
struct Import {
    institution_id: i64,
    cohort: i64,
    /// The roster revision the rows written carry, and when they enter the roster.
    revision: i64,
    at: String,
    /// Student numbers of the institution's cohort stored before the import.
    stored: HashSet<String>,
    headers: Vec<String>,
    layout: Layout,
    rows_hint: Option<usize>,
    /// Data rows taken so far.
    rows: usize,
    errors: Errors<Problem>,
    new: usize,
    updated: usize,
    unchanged: usize,
    /// The graduates written, for the audit log.
    changed: Vec<Changed>,
}

/// A graduate an import wrote, as its audit record will show it.
enum Changed {
    /// Known by student number: its id comes from the insert, read once at the end.
    New {
        student_no: String,
        after: Json,
    },
    Updated {
        id: i64,
        before: Json,
        after: Json,
    },
}

/// One audit change per graduate the import wrote, each about that graduate.
async fn audit_changes(
    tx: &mut Tx,
    institution_id: i64,
    cohort: i64,
    changed: Vec<Changed>,
) -> Result<Vec<Change<'static>>, DbError> {
    let mut ids = HashMap::new();
    if changed.iter().any(|c| matches!(c, Changed::New { .. })) {
        let sql = "SELECT id, student_no FROM graduates WHERE institution_id = $1 AND cohort_year = $2";
        for r in tx.fetch_all(sql, &[institution_id.into(), cohort.into()]).await? {
            ids.insert(r.text("student_no")?, r.i64("id")?);
        }
    }
    let about = |id: i64| Subject::graduate(id, institution_id);
    changed
        .into_iter()
        .map(|c| match c {
            Changed::New { student_no, after } => {
                let id = *ids.get(&student_no).ok_or(DbError::Missing("graduate"))?;
                Ok(Change::created("graduate", id, after).about(about(id)))
            }
            Changed::Updated { id, before, after } => {
                Ok(Change::updated("graduate", id, before, after).about(about(id)))
            }
        })
        .collect()
}

/// The roster fields at `positions` of a row in `COLUMNS` order, as JSON.
fn image(values: &[Value], positions: impl Iterator<Item = usize>) -> Json {
    Json::Object(positions.map(|i| (COLUMNS[i].to_owned(), values[i].to_json())).collect())
}

/// What a new graduate's audit record shows: who it is. The row itself is in
/// the graduates table and every later change records what it was before, so
/// the import's row can be told from them; copying all of it into the log would
/// double the import's writes (a 50,000-row import took half as long again and
/// three times the memory) and every ID and phone number with them.
fn shown(i: &usize) -> bool {
    matches!(COLUMNS[*i], "student_no" | "name")
}

impl Import {
    async fn new(tx: &mut Tx, institution_id: i64, cohort: i64, limits: &Limits) -> Result<Import, DbError> {
        let revision = registry::cohorts::roster_changed(tx, cohort).await?;
        let stored = tx
            .fetch_all(
                "SELECT student_no FROM graduates WHERE institution_id = $1 AND cohort_year = $2",
                &[institution_id.into(), cohort.into()],
            )
            .await?
            .iter()
            .map(|r| r.text("student_no"))
            .collect::<Result<_, DbError>>()?;
        Ok(Import {
            institution_id,
            cohort,
            revision,
            at: kernel::time::now_utc(),
            stored,
            headers: Vec::new(),
            layout: Layout::default(),
            rows_hint: None,
            rows: 0,
            errors: Errors::new(limits),
            new: 0,
            updated: 0,
            unchanged: 0,
            changed: Vec::new(),
        })
    }

    async fn take(&mut self, db: &Db, tx: &mut Tx, judged: Judged) -> Result<(), DbError> {
        match judged {
            Judged::Headers { cells, rows_hint, refused } => {
                self.layout = Layout::of(&cells);
                self.headers = cells;
                self.rows_hint = rows_hint;
                self.errors.extend(refused);
            }
            Judged::Rows { rows, verdicts } => {
                let mut passed = Vec::with_capacity(verdicts.len());
                for (line, verdict) in verdicts {
                    match verdict {
                        Ok(row) => passed.push((line, row)),
                        Err(errors) => self.errors.extend(errors),
                    }
                }
                self.rows += rows;
                let keys: Vec<Key> = passed
                    .iter()
                    .map(|(line, row)| Key {
                        line: *line,
                        id_number: row.id_number.clone(),
                        student_no: row.student_no.clone(),
                    })
                    .collect();
                if !self.errors.is_empty() {
                    self.refuse_taken(db, &keys).await?;
                    return Ok(());
                }
                // The graduates table's unique key on (cohort, ID number) does
                // the look-up; only a refused batch is looked into.
                match self.write(tx, passed).await {
                    Err(DbError::Duplicate(key)) => {
                        if !self.refuse_taken(db, &keys).await? {
                            // Not an ID number held before the import: another import wrote meanwhile.
                            return Err(DbError::Duplicate(key));
                        }
                    }
                    other => other?,
                }
            }
        }
        Ok(())
    }

    /// Inserts the new rows and updates stored ones where a field changed.
    async fn write(&mut self, tx: &mut Tx, passed: Vec<(usize, RosterRow)>) -> Result<(), DbError> {
        let (institution_id, cohort) = (self.institution_id, self.cohort);
        let (stored, new): (Vec<RosterRow>, Vec<RosterRow>) =
            passed.into_iter().map(|(_, row)| row).partition(|row| self.stored.contains(&row.student_no));
        self.new += new.len();
        let (revision, at) = (self.revision, self.at.as_str());
        let mut inserts = Vec::with_capacity(new.len());
        for row in new {
            let student_no = row.student_no.clone();
            let initials = registry::graduates::name_initials(&row.name);
            let mut values = values(row, institution_id, cohort);
            self.changed.push(Changed::New { student_no, after: image(&values, (0..COLUMNS.len()).filter(shown)) });
            values.extend([at.into(), revision.into(), initials.into()]);
            inserts.push(values);
        }
        let columns: Vec<&str> =
            COLUMNS.iter().copied().chain(["joined_at", "roster_revision", "name_initials"]).collect();
        tx.insert_many("graduates", &columns, inserts).await?;
        if stored.is_empty() {
            return Ok(());
        }
        let sql = format!(
            "SELECT id, {} FROM graduates WHERE institution_id = {institution_id} AND cohort_year = {cohort} AND student_no IN ({})",
            COLUMNS.join(", "),
            kernel::db::placeholders(tx.backend(), 1, stored.len())
        );
        let params: Vec<Value> = stored.iter().map(|r| r.student_no.as_str().into()).collect();
        let mut current: HashMap<String, (i64, Vec<Value>)> = HashMap::new();
        for r in &tx.fetch_all(&sql, &params).await? {
            let values: Vec<Value> = COLUMNS
                .iter()
                .map(|c| match *c {
                    "cohort_year" | "institution_id" | "college_id" | "major_id" => r.i64(c).map(Value::from),
                    _ => r.opt_text(c).map(Value::from),
                })
                .collect::<Result<_, DbError>>()?;
            current.insert(r.text("student_no")?, (r.i64("id")?, values));
        }
        let sets: Vec<String> = COLUMNS.iter().enumerate().map(|(i, c)| format!("{c} = ${}", i + 1)).collect();
        let update = format!(
            "UPDATE graduates SET {}, roster_revision = {revision}, name_initials = ${} WHERE id = ${}",
            sets.join(", "),
            COLUMNS.len() + 1,
            COLUMNS.len() + 2
        );
        for row in stored {
            let Some((id, now)) = current.get(&row.student_no) else { continue };
            let initials = registry::graduates::name_initials(&row.name);
            let mut values = values(row, institution_id, cohort);
            // Key-group flags are kept by assistance work, not the roster.
            values[14] = now[14].clone();
            if *now == values {
                self.unchanged += 1;
            } else {
                let differ: Vec<usize> = (0..COLUMNS.len()).filter(|&i| now[i] != values[i]).collect();
                let (before, after) = (image(now, differ.iter().copied()), image(&values, differ.into_iter()));
                self.changed.push(Changed::Updated { id: *id, before, after });
                values.extend([initials.into(), (*id).into()]);
                tx.execute(&update, &values).await?;
                self.updated += 1;
            }
        }
        Ok(())
    }

    /// Records an error for each passed row whose ID number a graduate of the
    /// cohort already held (under another institution or student number);
    /// true when there was one. Asks outside the import's transaction, which
    /// PostgreSQL aborts on a refused insert.
    async fn refuse_taken(&mut self, db: &Db, keys: &[Key]) -> Result<bool, DbError> {
        if keys.is_empty() {
            return Ok(false);
        }
        // The cohort is a number we hold, so it can stand in the text and every marker can be positional.
        let sql = format!(
            "SELECT id_number, institution_id, student_no FROM graduates WHERE cohort_year = {} AND id_number IN ({})",
            self.cohort,
            kernel::db::placeholders(db.backend(), 1, keys.len())
        );
        let params: Vec<Value> = keys.iter().map(|k| k.id_number.as_str().into()).collect();
        let held: HashMap<String, (i64, String)> = db
            .fetch_all(&sql, &params)
            .await?
            .iter()
            .map(|r| Ok((r.text("id_number")?, (r.i64("institution_id")?, r.text("student_no")?))))
            .collect::<Result<_, DbError>>()?;
        let before = self.errors.total;
        for key in keys {
            match held.get(&key.id_number) {
                Some((institution, student_no))
                    if *institution != self.institution_id || *student_no != key.student_no =>
                {
                    let e = RowError {
                        row: key.line,
                        column: check::column(&self.layout, &self.headers, Field::IdNumber),
                        value: key.id_number.clone(),
                        problem: Problem::IdNumberTaken,
                    };
                    self.errors.push(e);
                }
                _ => {}
            }
        }
        Ok(self.errors.total > before)
    }
}

use registry::GRADUATE_COLUMNS as COLUMNS;

/// The row in `COLUMNS` order.
fn values(row: RosterRow, institution_id: i64, cohort: i64) -> Vec<Value> {
    vec![
        cohort.into(),
        institution_id.into(),
        row.college_id.into(),
        row.major_id.into(),
        row.student_no.into(),
        row.id_number.into(),
        row.name.into(),
        row.gender.into(),
        row.birth_date.into(),
        row.ethnicity_code.into(),
        row.political_code.into(),
        row.origin_region_code.into(),
        row.urban_rural.into(),
        row.education_level.into(),
        "".into(),
        row.phone.into(),
    ]
}
