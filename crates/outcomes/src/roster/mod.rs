//! Roster import (生源信息导入): read a file, judge every row, and write all of
//! them in one transaction or none of them.

pub mod check;
pub mod columns;
pub mod read;
pub mod report;

use std::collections::HashMap;

use kernel::audit::{self, AuditActor, Change};
use kernel::{Db, DbError, Locale, Tx, Value};

pub use check::{RosterRow, RowError};

/// Uploads larger than this are refused before they are read.
pub const MAX_UPLOAD: usize = 20 * 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error(transparent)]
    Read(#[from] read::ReadError),
    #[error(transparent)]
    Db(#[from] DbError),
    #[error("no such institution")]
    NoInstitution,
    #[error("no such cohort")]
    NoCohort,
    #[error("report: {0}")]
    Report(#[from] rust_xlsxwriter::XlsxError),
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
        errors: Vec<RowError>,
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

async fn reference(
    db: &Db,
    institution_id: i64,
    cohort: i64,
    id_numbers: &[String],
) -> Result<check::Reference, ImportError> {
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
        .collect::<Result<_, DbError>>()?;
    let mut elsewhere = HashMap::new();
    for chunk in id_numbers.chunks(500) {
        // The cohort is a number we hold, so it can stand in the text and every marker can be positional.
        let sql = format!(
            "SELECT id_number, institution_id, student_no FROM graduates WHERE cohort_year = {cohort} AND id_number IN ({})",
            kernel::db::placeholders(db.backend(), 1, chunk.len())
        );
        let params: Vec<Value> = chunk.iter().map(Value::from).collect();
        for r in db.fetch_all(&sql, &params).await? {
            elsewhere.insert(r.text("id_number")?, (r.i64("institution_id")?, r.text("student_no")?));
        }
    }
    Ok(check::Reference {
        cohort,
        regions: registry::reference::region_index(db).await?,
        ethnicities: code_pairs(db, "ethnicity").await?,
        political: code_pairs(db, "political_status").await?,
        urban_rural: code_pairs(db, "urban_rural").await?,
        levels: code_pairs(db, "education_level").await?,
        majors,
        id_numbers_elsewhere: elsewhere,
        institution_id,
    })
}

/// Reads, judges and — only when every row passes — writes a roster.
pub async fn import(
    db: &Db,
    who: &AuditActor,
    institution_id: i64,
    cohort: i64,
    file_name: &str,
    bytes: &[u8],
    l: Locale,
) -> Result<Outcome, ImportError> {
    if db.fetch_optional("SELECT year FROM cohorts WHERE year = $1", &[cohort.into()]).await?.is_none() {
        return Err(ImportError::NoCohort);
    }
    if db.fetch_optional("SELECT id FROM institutions WHERE id = $1", &[institution_id.into()]).await?.is_none() {
        return Err(ImportError::NoInstitution);
    }
    let started = std::time::Instant::now();
    let table = read::read(file_name, bytes)?;
    tracing::debug!(rows = table.rows.len(), elapsed = ?started.elapsed(), "roster read");
    let layout = columns::Layout::of(&table.headers);
    let id_numbers: Vec<String> = match layout.index(columns::Field::IdNumber) {
        Some(i) => table.rows.iter().filter_map(|r| r.get(i)).map(|v| kernel::validate::normalize(v)).collect(),
        None => Vec::new(),
    };
    let reference = reference(db, institution_id, cohort, &id_numbers).await?;
    tracing::debug!(elapsed = ?started.elapsed(), "roster reference loaded");
    let checked = check::check(&table.headers, &table.rows, &reference);
    tracing::debug!(elapsed = ?started.elapsed(), "roster checked");
    let good = match checked {
        Ok(good) => good,
        Err(errors) => {
            let report = report::error_report(&table.headers, &table.rows, &errors, l)?;
            return Ok(Outcome::Rejected { rows: table.rows.len(), errors, report });
        }
    };
    let mut tx = db.begin().await?;
    let (new, updated, unchanged) = write(&mut tx, institution_id, cohort, &good).await?;
    let after = serde_json::json!({
        "institution_id": institution_id, "cohort": cohort, "file": file_name,
        "rows": good.len(), "new": new, "updated": updated, "unchanged": unchanged,
    });
    audit::record(
        &mut tx,
        who,
        Change {
            action: "import",
            entity: "roster",
            entity_id: format!("{institution_id}:{cohort}"),
            before: None,
            after: Some(after),
        },
    )
    .await?;
    tx.commit().await?;
    tracing::debug!(elapsed = ?started.elapsed(), "roster written");
    Ok(Outcome::Imported { new, updated, unchanged, ignored_columns: layout.ignored })
}

use registry::GRADUATE_COLUMNS as COLUMNS;

fn values(row: &RosterRow, institution_id: i64, cohort: i64) -> Vec<Value> {
    vec![
        cohort.into(),
        institution_id.into(),
        row.college_id.into(),
        row.major_id.into(),
        row.student_no.as_str().into(),
        row.id_number.as_str().into(),
        row.name.as_str().into(),
        row.gender.as_str().into(),
        row.birth_date.as_str().into(),
        row.ethnicity_code.as_str().into(),
        row.political_code.as_str().into(),
        row.origin_region_code.as_str().into(),
        row.urban_rural.as_str().into(),
        row.education_level.as_str().into(),
        "".into(),
        row.phone.clone().into(),
    ]
}

/// New rows are inserted, rows matched by student number are updated where a
/// field changed; returns (new, updated, unchanged).
async fn write(
    tx: &mut Tx,
    institution_id: i64,
    cohort: i64,
    rows: &[RosterRow],
) -> Result<(usize, usize, usize), DbError> {
    let existing = tx
        .fetch_all(
            &format!("SELECT id, {} FROM graduates WHERE institution_id = $1 AND cohort_year = $2", COLUMNS.join(", ")),
            &[institution_id.into(), cohort.into()],
        )
        .await?;
    let mut by_student: HashMap<String, (i64, Vec<Value>)> = HashMap::with_capacity(existing.len());
    for r in &existing {
        let current: Vec<Value> = COLUMNS
            .iter()
            .map(|c| match *c {
                "cohort_year" | "institution_id" | "college_id" | "major_id" => r.i64(c).map(Value::from),
                _ => r.opt_text(c).map(Value::from),
            })
            .collect::<Result<_, DbError>>()?;
        by_student.insert(r.text("student_no")?, (r.i64("id")?, current));
    }
    let (mut inserts, mut updated, mut unchanged) = (Vec::new(), 0, 0);
    for row in rows {
        let mut new_values = values(row, institution_id, cohort);
        match by_student.get(&row.student_no) {
            None => inserts.push(new_values),
            Some((id, current)) => {
                // Key-group flags are kept by assistance work, not the roster.
                new_values[14] = current[14].clone();
                if *current == new_values {
                    unchanged += 1;
                } else {
                    let sets: Vec<String> =
                        COLUMNS.iter().enumerate().map(|(i, c)| format!("{c} = ${}", i + 1)).collect();
                    let sql = format!("UPDATE graduates SET {} WHERE id = ${}", sets.join(", "), COLUMNS.len() + 1);
                    new_values.push((*id).into());
                    tx.execute(&sql, &new_values).await?;
                    updated += 1;
                }
            }
        }
    }
    tx.insert_many("graduates", &COLUMNS, &inserts).await?;
    if updated + inserts.len() > 0 {
        // Tells the placement projection to reload the cohort.
        tx.execute("UPDATE cohorts SET roster_revision = roster_revision + 1 WHERE year = $1", &[cohort.into()])
            .await?;
    }
    Ok((inserts.len(), updated, unchanged))
}
