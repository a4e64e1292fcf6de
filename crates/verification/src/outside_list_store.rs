//! Outside lists kept (外部名单比对): a file read with the kernel's sheet
//! machinery, each row matched to a graduate by ID number (its check digit
//! checked) or by student number and institution, and the whole list with its
//! mismatches written in one transaction, or nothing and an error report.

use std::collections::HashMap;

use serde_json::json;

use kernel::audit::{self, AuditActor, Change, Subject};
use kernel::auth::{OutOfScope, Owners, Scope};
use kernel::db::SqlBuilder;
use kernel::sheet::report::{ReportError, Source};
use kernel::sheet::{self, Errors, Limits, Problem, ReadError, RowError};
use kernel::{time, validate, Db, DbError, DbResult, Locale, Record, Value};

use crate::outside_lists::{self as rules, Field, Kind, Listed, Mismatch, Recorded, Status};

/// Uploads larger than this are refused before they are read.
pub const MAX_UPLOAD: usize = 20 * 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error(transparent)]
    Read(#[from] ReadError),
    #[error(transparent)]
    Db(#[from] DbError),
    #[error("no such cohort")]
    NoCohort,
    #[error("the reading thread stopped: {0}")]
    Reader(String),
    #[error("report: {0}")]
    Report(String),
}

impl From<ReportError> for ImportError {
    fn from(e: ReportError) -> Self {
        match e {
            ReportError::Read(e) => ImportError::Read(e),
            ReportError::Xlsx(e) => ImportError::Report(e.to_string()),
        }
    }
}

/// A list to import: its kind (a code of `outside_list_kind`), cohort and name;
/// `institution_id` when a university imports it for its own graduates.
#[derive(Debug, Clone)]
pub struct NewList {
    pub kind_code: String,
    pub cohort: i64,
    pub name: String,
    pub institution_id: Option<i64>,
}

/// What an import did.
#[derive(Debug)]
pub enum Outcome {
    Imported {
        id: i64,
        rows: usize,
        mismatches: usize,
    },
    /// Nothing was written; `report` is the .xlsx of the rows with an error column.
    Rejected {
        rows: usize,
        errors: Errors<Problem>,
        report: Vec<u8>,
    },
}

/// How a row names its graduate.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    Id(String),
    /// (institution as written, student number)
    StudentNo(String, String),
}

/// A row read and checked, waiting for its graduate.
struct Read {
    line: usize,
    key: Key,
    /// The column that names the graduate, for an error.
    key_column: String,
    key_value: String,
    listed: Listed,
}

/// A graduate as a list row is compared with it.
struct Graduate {
    id: i64,
    institution_id: i64,
    recorded: Recorded,
}

fn field_error(line: usize, column: &str, value: &str, message: String) -> RowError<Problem> {
    RowError { row: line, column: column.to_owned(), value: value.to_owned(), problem: Problem::Field(message) }
}

/// Reads the rows (pure but for the file): every row's key and what it lists, or its errors.
fn read_rows(table: &sheet::Table, scoped: bool, l: Locale, errors: &mut Errors<Problem>) -> Vec<Read> {
    let mut at: HashMap<Field, usize> = HashMap::new();
    for (i, h) in table.headers.iter().enumerate() {
        if let Some(f) = rules::field_of(h) {
            at.entry(f).or_insert(i);
        }
    }
    let header = |f: Field| at.get(&f).and_then(|i| table.headers.get(*i)).cloned().unwrap_or_default();
    if !at.contains_key(&Field::IdNumber) && !at.contains_key(&Field::StudentNo) {
        errors.push(RowError {
            row: table.header_line,
            column: l.pick("身份证号或学号", "ID number or student no.").to_owned(),
            value: String::new(),
            problem: Problem::MissingColumn,
        });
        return Vec::new();
    }
    let mut read = Vec::new();
    for row in &table.rows {
        let cell = |f: Field| at.get(&f).and_then(|i| row.cells.get(*i)).map(|c| c.trim()).unwrap_or("");
        let before = errors.total;
        errors.extend(row.refused.iter().cloned());
        let status = match rules::parse_status(cell(Field::Status)) {
            Ok(s) => s,
            Err(rules::Unreadable) => {
                let m = l.pick(
                    "看不出是否就业（可填 已就业、未就业 或去向代码）",
                    "not a known status (employed, not employed or a destination code)",
                );
                errors.push(field_error(row.line, &header(Field::Status), cell(Field::Status), m.to_owned()));
                None
            }
        };
        let insured = match rules::parse_yes_no(cell(Field::Insured)) {
            Ok(v) => v,
            Err(rules::Unreadable) => {
                let m = l.pick("请填 是 或 否", "write yes or no");
                errors.push(field_error(row.line, &header(Field::Insured), cell(Field::Insured), m.to_owned()));
                None
            }
        };
        let credit_code = cell(Field::CreditCode);
        if !credit_code.is_empty() {
            if let Err(e) = validate::credit_code(credit_code) {
                errors.push(RowError {
                    row: row.line,
                    column: header(Field::CreditCode),
                    value: credit_code.to_owned(),
                    problem: Problem::Id(e),
                });
            }
        }
        let (id, student_no) = (cell(Field::IdNumber), cell(Field::StudentNo));
        let key = if !id.is_empty() {
            match validate::id_card(id, |_| true) {
                Ok(card) => Some((Key::Id(card.number), header(Field::IdNumber), id)),
                Err(e) => {
                    let column = header(Field::IdNumber);
                    errors.push(RowError { row: row.line, column, value: id.to_owned(), problem: Problem::Id(e) });
                    None
                }
            }
        } else if !student_no.is_empty() {
            let institution = cell(Field::Institution);
            if institution.is_empty() && !scoped {
                let column = match at.contains_key(&Field::Institution) {
                    true => header(Field::Institution),
                    false => l.pick("院校代码", "Institution").to_owned(),
                };
                let problem =
                    if at.contains_key(&Field::Institution) { Problem::Required } else { Problem::MissingColumn };
                errors.push(RowError { row: row.line, column, value: String::new(), problem });
                None
            } else {
                let key = Key::StudentNo(institution.to_owned(), student_no.to_owned());
                Some((key, header(Field::StudentNo), student_no))
            }
        } else {
            let column = match at.contains_key(&Field::IdNumber) {
                true => header(Field::IdNumber),
                false => header(Field::StudentNo),
            };
            errors.push(RowError { row: row.line, column, value: String::new(), problem: Problem::Required });
            None
        };
        if errors.total > before {
            continue;
        }
        let Some((key, key_column, key_value)) = key else { continue };
        let listed = Listed {
            name: cell(Field::Name).to_owned(),
            status,
            insured,
            employer: cell(Field::Employer).to_owned(),
            credit_code: credit_code.to_owned(),
        };
        read.push(Read { line: row.line, key, key_column, key_value: key_value.to_owned(), listed });
    }
    read
}

/// The SELECT of graduates with their records, for `where_` (plain `?` marks only on SQLite).
fn graduates_sql(cohort: i64, bucket_column: &str, where_: &str) -> String {
    format!(
        "SELECT g.id, g.name, g.institution_id, g.id_number, g.student_no, d.employer_name, d.credit_code, \
         ct.name AS category, ct.{bucket_column} AS bucket, ct.evidence FROM graduates g \
         JOIN cohorts co ON co.year = g.cohort_year LEFT JOIN destinations d ON d.graduate_id = g.id \
         LEFT JOIN code_tables ct ON ct.kind = 'destination' AND ct.version = co.destination_version \
         AND ct.code = d.category_code WHERE g.cohort_year = {cohort} AND {where_}"
    )
}

fn graduate_of(r: &kernel::Row) -> DbResult<Graduate> {
    let text = |c: &str| r.opt_text(c).map(Option::unwrap_or_default);
    let bucket = text("bucket")?;
    let evidence = text("evidence")?;
    Ok(Graduate {
        id: r.i64("id")?,
        institution_id: r.i64("institution_id")?,
        recorded: Recorded {
            name: r.text("name")?,
            category: text("category")?,
            placed: !bucket.is_empty() && bucket != "not_placed",
            contract: evidence.split(';').any(|e| e == "agreement" || e == "contract"),
            employer: text("employer_name")?,
            credit_code: text("credit_code")?,
        },
    })
}

/// The graduates the rows name, by key.
async fn find(db: &Db, cohort: i64, bucket: &str, keys: &[&Key], own: Option<i64>) -> DbResult<HashMap<Key, Graduate>> {
    let mut found = HashMap::new();
    let ids: Vec<&str> = keys.iter().filter_map(|k| if let Key::Id(n) = k { Some(n.as_str()) } else { None }).collect();
    for chunk in ids.chunks(500) {
        let marks = kernel::db::placeholders(db.backend(), 1, chunk.len());
        let sql = graduates_sql(cohort, bucket, &format!("g.id_number IN ({marks})"));
        let params: Vec<Value> = chunk.iter().map(|n| Value::from(*n)).collect();
        for r in db.fetch_all(&sql, &params).await? {
            found.insert(Key::Id(r.text("id_number")?), graduate_of(&r)?);
        }
    }
    // Institutions by code and by name, as a list may write either.
    let mut institutions: HashMap<String, i64> = HashMap::new();
    for r in db.fetch_all("SELECT id, code, name FROM institutions", &[]).await? {
        institutions.insert(r.text("code")?, r.i64("id")?);
        institutions.insert(validate::normalize(&r.text("name")?), r.i64("id")?);
    }
    let mut by_institution: HashMap<i64, Vec<(&str, &str)>> = HashMap::new();
    for k in keys {
        if let Key::StudentNo(written, no) = k {
            let id = match written.trim() {
                "" => own,
                w => institutions.get(w).or_else(|| institutions.get(&validate::normalize(w))).copied(),
            };
            if let Some(id) = id {
                by_institution.entry(id).or_default().push((written.as_str(), no.as_str()));
            }
        }
    }
    for (institution, wanted) in by_institution {
        for chunk in wanted.chunks(500) {
            let marks = kernel::db::placeholders(db.backend(), 1, chunk.len());
            let sql = graduates_sql(
                cohort,
                bucket,
                &format!("g.institution_id = {institution} AND g.student_no IN ({marks})"),
            );
            let params: Vec<Value> = chunk.iter().map(|(_, no)| Value::from(*no)).collect();
            let rows = db.fetch_all(&sql, &params).await?;
            let mut by_no: HashMap<String, Graduate> = HashMap::new();
            for r in &rows {
                by_no.insert(r.text("student_no")?, graduate_of(r)?);
            }
            for (written, no) in chunk {
                if let Some(g) = by_no.remove(*no) {
                    found.insert(Key::StudentNo((*written).to_owned(), (*no).to_owned()), g);
                }
            }
        }
    }
    Ok(found)
}

/// The report of refused rows: the file read again on a blocking thread and annotated.
async fn report(
    file_name: String,
    bytes: std::sync::Arc<Vec<u8>>,
    limits: Limits,
    errors: Errors<Problem>,
    l: Locale,
) -> Result<(Errors<Problem>, Vec<u8>), ImportError> {
    let write = move || {
        let columns = rules::columns();
        let source = Source { file_name: &file_name, bytes: &bytes, columns: &columns, limits: &limits };
        sheet::report::error_report(source, &errors, l).map(|report| (errors, report))
    };
    Ok(tokio::task::spawn_blocking(write).await.map_err(|e| ImportError::Reader(e.to_string()))??)
}

/// Reads, matches and keeps a list with its mismatches in one transaction; a
/// file with any refused row writes nothing and is answered with its errors
/// and the error report. `scope` is the importer's: a university's rows must
/// name its own graduates.
#[allow(clippy::too_many_arguments)]
pub async fn import(
    db: &Db,
    who: &AuditActor,
    scope: &Scope,
    list: NewList,
    file_name: &str,
    bytes: Vec<u8>,
    limits: Limits,
    l: Locale,
) -> Result<Outcome, ImportError> {
    let cohort = crate::scan::Scope::of_cohort(db, list.cohort, None).await?.ok_or(ImportError::NoCohort)?;
    let bytes = std::sync::Arc::new(bytes);
    let table = {
        let (name, bytes, limits) = (file_name.to_owned(), bytes.clone(), limits);
        let read = move || sheet::read(&name, &bytes, &rules::columns(), &limits);
        tokio::task::spawn_blocking(read).await.map_err(|e| ImportError::Reader(e.to_string()))??
    };
    if table.headers.is_empty() {
        return Err(ImportError::Read(ReadError::Empty));
    }
    let own = scope.institution();
    let mut errors = Errors::new(&limits);
    let rows = read_rows(&table, own.is_some(), l, &mut errors);
    let keys: Vec<&Key> = rows.iter().map(|r| &r.key).collect();
    let found = find(db, list.cohort, cohort.bucket_column, &keys, own).await?;
    let contributions = rules::is_contributions(&list.kind_code);
    let mut first_line: HashMap<i64, usize> = HashMap::new();
    let mut kept: Vec<(&Read, &Graduate, Vec<Mismatch>)> = Vec::new();
    for r in &rows {
        let Some(g) = found.get(&r.key) else {
            let m = match (&r.key, l) {
                (Key::Id(_), Locale::Zh) => format!("找不到这个身份证号的 {} 届毕业生", list.cohort),
                (Key::Id(_), Locale::En) => format!("no graduate of the {} cohort has this ID number", list.cohort),
                (Key::StudentNo(..), Locale::Zh) => format!("找不到该院校这个学号的 {} 届毕业生", list.cohort),
                (Key::StudentNo(..), Locale::En) => {
                    format!("no graduate of the {} cohort has this student no. at this institution", list.cohort)
                }
            };
            errors.push(field_error(r.line, &r.key_column, &r.key_value, m));
            continue;
        };
        let in_scope = match scope {
            Scope::Province => true,
            Scope::Institution { institution_id, .. } => *institution_id == g.institution_id,
            _ => false,
        };
        if !in_scope {
            let m = l.pick("不是本校毕业生", "not a graduate of your institution");
            errors.push(field_error(r.line, &r.key_column, &r.key_value, m.to_owned()));
            continue;
        }
        if let Some(first) = first_line.get(&g.id) {
            let problem = Problem::DuplicateInFile(*first);
            errors.push(RowError { row: r.line, column: r.key_column.clone(), value: r.key_value.clone(), problem });
            continue;
        }
        first_line.insert(g.id, r.line);
        // Kept in Chinese, the platform's first language.
        kept.push((r, g, rules::mismatches(contributions, &r.listed, &g.recorded, Locale::Zh)));
    }
    let total_rows = table.rows.len();
    drop(table);
    if !errors.is_empty() {
        let (errors, report) = report(file_name.to_owned(), bytes, limits, errors, l).await?;
        return Ok(Outcome::Rejected { rows: total_rows, errors, report });
    }
    let mismatch_count: usize = kept.iter().map(|(_, _, m)| m.len()).sum();
    let mut tx = db.begin().await?;
    let record = Record::new()
        .set("kind_code", list.kind_code.as_str())
        .set("cohort", list.cohort)
        .set("name", list.name.as_str())
        .set("institution_id", list.institution_id)
        .set("file_name", file_name)
        .set("rows_count", kept.len() as i64)
        .set("mismatch_count", mismatch_count as i64)
        .set("imported_by", who.account_id)
        .set("imported_label", who.label.as_str())
        .set("imported_at", time::now_utc());
    let id = tx.insert_id("outside_lists", record).await?;
    let row_values: Vec<Vec<Value>> = kept
        .iter()
        .map(|(r, g, _)| {
            vec![
                id.into(),
                (r.line as i64).into(),
                g.id.into(),
                g.institution_id.into(),
                r.listed.status.map(Status::key).into(),
                r.listed.insured.map(i64::from).into(),
                Some(r.listed.employer.as_str()).filter(|s| !s.is_empty()).into(),
                Some(r.listed.credit_code.as_str()).filter(|s| !s.is_empty()).into(),
            ]
        })
        .collect();
    let columns = [
        "list_id",
        "line",
        "graduate_id",
        "institution_id",
        "listed_status",
        "insured",
        "employer_name",
        "credit_code",
    ];
    tx.insert_many("outside_list_rows", &columns, row_values).await?;
    let mismatch_values: Vec<Vec<Value>> = kept
        .iter()
        .flat_map(|(r, g, ms)| {
            ms.iter().map(move |m| {
                vec![
                    id.into(),
                    (r.line as i64).into(),
                    g.id.into(),
                    g.institution_id.into(),
                    m.kind.key().into(),
                    m.listed.as_str().into(),
                    m.recorded.as_str().into(),
                ]
            })
        })
        .collect();
    let columns = ["list_id", "line", "graduate_id", "institution_id", "kind", "listed", "recorded"];
    tx.insert_many("outside_list_mismatches", &columns, mismatch_values).await?;
    let after = json!({
        "kind": list.kind_code, "cohort": list.cohort, "name": list.name, "file": file_name,
        "rows": kept.len(), "mismatches": mismatch_count,
    });
    let mut change = Change::new("import", "outside_list", id).after(after);
    if let Some(institution) = list.institution_id {
        change = change.about(Subject::institution(institution));
    }
    audit::record(&mut tx, who, change).await?;
    tx.commit().await?;
    Ok(Outcome::Imported { id, rows: kept.len(), mismatches: mismatch_count })
}

/// A list as the pages show it.
#[derive(Debug, Clone)]
pub struct List {
    pub id: i64,
    pub kind_code: String,
    pub kind: String,
    pub cohort: i64,
    pub name: String,
    pub institution_id: Option<i64>,
    pub institution: String,
    pub file_name: String,
    pub rows: i64,
    pub mismatches: i64,
    pub by: String,
    pub at: String,
}

fn list_of(r: &kernel::Row) -> DbResult<List> {
    Ok(List {
        id: r.i64("id")?,
        kind_code: r.text("kind_code")?,
        kind: r.opt_text("kind")?.unwrap_or_default(),
        cohort: r.i64("cohort")?,
        name: r.text("name")?,
        institution_id: r.opt_i64("institution_id")?,
        institution: r.opt_text("institution")?.unwrap_or_default(),
        file_name: r.text("file_name")?,
        rows: r.i64("rows_count")?,
        mismatches: r.i64("mismatch_count")?,
        by: r.text("imported_label")?,
        at: time::display(&r.text("imported_at")?),
    })
}

fn lists_sql(l: Locale) -> String {
    format!(
        "SELECT o.id, o.kind_code, {} AS kind, o.cohort, o.name, o.institution_id, i.name AS institution, o.file_name, \
         o.rows_count, o.mismatch_count, o.imported_label, o.imported_at FROM outside_lists o \
         LEFT JOIN institutions i ON i.id = o.institution_id \
         LEFT JOIN code_tables ct ON ct.kind = 'outside_list_kind' AND ct.version = 'base' AND ct.code = o.kind_code",
        kernel::codes::name_sql("ct", l)
    )
}

/// Whether the scope may read a list: the province any; a university the
/// province's lists (its own graduates' rows of them) and its own.
pub fn may_read(scope: &Scope, list: &List) -> bool {
    match scope {
        Scope::Province => true,
        Scope::Institution { institution_id, .. } => list.institution_id.is_none_or(|i| i == *institution_id),
        _ => false,
    }
}

/// The lists the scope may read, newest first.
pub async fn lists(db: &Db, scope: &Scope, l: Locale) -> DbResult<Vec<List>> {
    let rows = db.fetch_all(&format!("{} ORDER BY o.id DESC", lists_sql(l)), &[]).await?;
    Ok(rows.iter().map(list_of).collect::<DbResult<Vec<_>>>()?.into_iter().filter(|x| may_read(scope, x)).collect())
}

pub async fn get(db: &Db, id: i64, l: Locale) -> DbResult<Option<List>> {
    let row = db.fetch_optional(&format!("{} WHERE o.id = $1", lists_sql(l)), &[id.into()]).await?;
    row.as_ref().map(list_of).transpose()
}

/// One mismatch as the list's page shows it.
#[derive(Debug, Clone)]
pub struct Shown {
    pub line: i64,
    pub kind: Kind,
    pub listed: String,
    pub recorded: String,
    pub graduate_id: i64,
    pub name: String,
    pub student_no: String,
    pub id_number: String,
    pub institution_id: i64,
    pub institution: String,
}

/// What the mismatch page is filtered by.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub institution: Option<i64>,
    pub kind: Option<Kind>,
}

fn filtered(w: &mut SqlBuilder, scope: &Scope, list: i64, f: &Filter) -> Result<(), OutOfScope> {
    w.push(" WHERE m.list_id = ").bind(list);
    scope
        .restrict(w, Owners { institution: Some("m.institution_id"), college: Some("g.college_id"), ..Owners::NONE })?;
    if let Some(i) = f.institution {
        w.push(" AND m.institution_id = ").bind(i);
    }
    if let Some(k) = f.kind {
        w.push(" AND m.kind = ").bind(k.key());
    }
    Ok(())
}

/// The list's mismatches the scope may see, by institution, student number and kind; at most `limit`.
pub async fn mismatches(db: &Db, scope: &Scope, list: i64, f: &Filter, limit: i64) -> DbResult<Vec<Shown>> {
    let mut w = SqlBuilder::new(
        "SELECT m.line, m.kind, m.listed, m.recorded, m.graduate_id, g.name, g.student_no, g.id_number, \
         m.institution_id, i.name AS institution FROM outside_list_mismatches m JOIN graduates g ON g.id = m.graduate_id \
         JOIN institutions i ON i.id = m.institution_id",
    );
    if filtered(&mut w, scope, list, f).is_err() {
        return Ok(Vec::new());
    }
    w.push(" ORDER BY i.code, g.student_no, m.kind LIMIT ").bind(limit);
    let rows = db.fetch_all(&w.sql, &w.params).await?;
    Ok(rows.iter().map(shown_of).collect::<DbResult<Vec<_>>>()?.into_iter().flatten().collect())
}

/// A mismatch row; `None` for a kind this version does not know.
fn shown_of(r: &kernel::Row) -> DbResult<Option<Shown>> {
    let Some(kind) = Kind::parse(&r.text("kind")?) else { return Ok(None) };
    Ok(Some(Shown {
        line: r.i64("line")?,
        kind,
        listed: r.text("listed")?,
        recorded: r.text("recorded")?,
        graduate_id: r.i64("graduate_id")?,
        name: r.text("name")?,
        student_no: r.text("student_no")?,
        id_number: r.text("id_number")?,
        institution_id: r.i64("institution_id")?,
        institution: r.text("institution")?,
    }))
}

/// (institution id, name, count) of the list's mismatches the scope may see, under the kind filter.
pub async fn counts(db: &Db, scope: &Scope, list: i64, f: &Filter) -> DbResult<Vec<(i64, String, i64)>> {
    let mut w = SqlBuilder::new(
        "SELECT m.institution_id, i.name, i.code, COUNT(*) AS n FROM outside_list_mismatches m \
         JOIN graduates g ON g.id = m.graduate_id JOIN institutions i ON i.id = m.institution_id",
    );
    let f = Filter { institution: None, kind: f.kind };
    if filtered(&mut w, scope, list, &f).is_err() {
        return Ok(Vec::new());
    }
    w.push(" GROUP BY m.institution_id, i.name, i.code ORDER BY i.code");
    let rows = db.fetch_all(&w.sql, &w.params).await?;
    rows.iter().map(|r| Ok((r.i64("institution_id")?, r.text("name")?, r.i64("n")?))).collect()
}

/// The list's kinds of code table `outside_list_kind` as (code, name) in the reader's language.
pub async fn kinds(db: &Db, l: Locale) -> DbResult<Vec<(String, String)>> {
    Ok(kernel::codes::list(db, "outside_list_kind", kernel::codes::BASE_VERSION)
        .await?
        .into_iter()
        .map(|c| (c.code.clone(), c.label(l).to_owned()))
        .collect())
}
