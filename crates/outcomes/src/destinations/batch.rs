//! Destinations in batches from a spreadsheet (毕业去向批量登记): one row per
//! graduate, found by student number; every row checked first, then all
//! written in one transaction, or none (a new employer a row names is entered
//! in the registry just before, in a transaction of its own).

use std::borrow::Cow;
use std::collections::HashMap;
use std::ops::ControlFlow;

use kernel::audit::{self, AuditActor, Change, Subject};
use kernel::codes::{self, BASE_VERSION};
use kernel::sheet::template::{to_xlsx, CodeList, Template, TemplateColumn};
use kernel::sheet::{self, Errors, Input, Limits, Line, Problem, Progress, ReadError, RowError};
use kernel::{validate, Db, Locale};

use super::{Appended, Checked, Codes, DestinationForm, Owner};
use crate::roster::{ImportError, InstitutionCohort};

/// Header aliases of the batch file: (form field, headers).
pub const COLUMNS: &[(&str, &[&str])] = &[
    ("student_no", &["学号"]),
    ("category_code", &["毕业去向类别代码", "毕业去向代码", "去向代码"]),
    ("employer_name", &["单位名称", "就业单位"]),
    ("credit_code", &["统一社会信用代码", "单位统一社会信用代码", "信用代码"]),
    ("position_code", &["工作职位类别代码", "职位类别代码"]),
    ("nature_code", &["单位性质代码"]),
    ("industry_code", &["单位行业代码", "行业代码"]),
    ("region_code", &["单位所在地代码", "就业地区代码"]),
    ("signed_on", &["签约日期"]),
    ("note", &["备注"]),
];

/// Columns a batch must have.
const REQUIRED: [&str; 2] = ["student_no", "category_code"];

/// What the reader needs to know of the batch's columns.
fn columns() -> sheet::Columns {
    sheet::Columns::of(COLUMNS, &REQUIRED, &[])
}

/// The batch's import template (毕业去向批量登记模板): its columns, an
/// example row, and the code lists of the cohort's code tables, as .xlsx.
pub async fn template(db: &Db, cohort: i64, l: Locale) -> Result<Vec<u8>, ImportError> {
    let version = registry::cohorts::get(db, cohort).await?.ok_or(ImportError::NoCohort)?.destination_version;
    let mut code_lists = Vec::new();
    for (field, kind, version) in [
        ("category_code", "destination", version.as_str()),
        ("position_code", "position_category", BASE_VERSION),
        ("nature_code", "unit_nature", BASE_VERSION),
        ("industry_code", "industry", BASE_VERSION),
    ] {
        let codes = codes::list(db, kind, version).await?.into_iter().map(|c| (c.code, c.name)).collect();
        code_lists.push(CodeList { title: header(field).to_owned(), codes });
    }
    let regions = registry::reference::region_names(db).await?;
    let first_code = |i: usize| code_lists.get(i).and_then(|l: &CodeList| l.codes.first()).map(|(c, _)| c.clone());
    let example = |field: &str| -> String {
        match field {
            "student_no" => crate::roster::template::EXAMPLE_STUDENT_NO.to_owned(),
            "category_code" => first_code(0).unwrap_or_default(),
            "employer_name" => "示例科技有限公司".to_owned(),
            "credit_code" => "91350100M000100Y43".to_owned(),
            "position_code" => first_code(1).unwrap_or_default(),
            "nature_code" => first_code(2).unwrap_or_default(),
            "industry_code" => first_code(3).unwrap_or_default(),
            "region_code" => regions.first().map(|(c, _)| c.clone()).unwrap_or_default(),
            "signed_on" => format!("{cohort}-06-30"),
            _ => String::new(),
        }
    };
    let columns = COLUMNS
        .iter()
        .map(|(field, _)| TemplateColumn {
            header: header(field).to_owned(),
            required: REQUIRED.contains(field),
            text: *field != "signed_on",
            example: example(field),
        })
        .collect();
    code_lists.push(CodeList { title: header("region_code").to_owned(), codes: regions });
    let template = Template { sheet: l.pick("毕业去向", "Destinations").to_owned(), columns, code_lists };
    Ok(to_xlsx(&template, l)?)
}

/// A field's header as templates and reports write it: its first alias.
pub fn header(field: &str) -> &str {
    COLUMNS.iter().find(|(f, _)| *f == field).map(|(_, names)| names[0]).unwrap_or(field)
}

/// What a batch did.
#[derive(Debug)]
pub enum BatchOutcome {
    Recorded { rows: usize },
    Rejected { rows: usize, errors: Errors, report: Vec<u8> },
}

/// Rows appended per statement group, between two reports of progress.
const WRITTEN_AT_ONCE: usize = 5_000;

/// Checks every row of a batch (a file's, or rows pushed through the API),
/// then records them all at once. The rows are read and judged on a blocking
/// thread, away from the workers that answer requests, and the write
/// transaction opens only once every row has passed. Employers the registry
/// lacks are entered first, in a transaction of their own
/// (`registry::employers::ids_for_destinations`), so that offices sending
/// at the same deadline never wait for each other's.
pub async fn import(
    db: &Db,
    who: &AuditActor,
    InstitutionCohort { institution_id, cohort }: InstitutionCohort,
    input: Input,
    l: Locale,
    limits: Limits,
    progress: impl Fn(Progress),
) -> Result<BatchOutcome, ImportError> {
    let version = registry::cohorts::get(db, cohort).await?.ok_or(ImportError::NoCohort)?.destination_version;
    let students: HashMap<String, i64> = db
        .fetch_all(
            "SELECT id, student_no FROM graduates WHERE institution_id = $1 AND cohort_year = $2",
            &[institution_id.into(), cohort.into()],
        )
        .await?
        .iter()
        .map(|r| Ok((r.text("student_no")?, r.i64("id")?)))
        .collect::<Result<_, kernel::DbError>>()?;
    let codes = Codes::load(&mut db.begin().await?, &version).await?;
    let employers = Employers { db: db.clone(), runtime: tokio::runtime::Handle::current(), known: HashMap::new() };
    let judging = move || judge(input, Judge::new(students, codes, employers, l, &limits), &limits);
    let (judged, input) =
        tokio::task::spawn_blocking(judging).await.map_err(|e| ImportError::Reader(e.to_string()))??;
    let Judge { rows, good, errors, codes, .. } = judged;
    if !errors.is_empty() {
        let (errors, report) = crate::roster::report(input, columns(), limits, errors, l).await?;
        return Ok(BatchOutcome::Rejected { rows, errors, report });
    }
    let rows = good.len();
    progress(Progress { rows: 0, of: Some(rows) });
    let known: Vec<registry::employers::Known> = good.iter().filter_map(|(_, d)| super::known_employer(d)).collect();
    let employers = registry::employers::ids_for_destinations(db, who, &known).await?;
    let mut tx = db.begin().await?;
    let mut before = super::images(&mut tx, institution_id, cohort).await?;
    let (mut events, mut changes) = (Vec::with_capacity(rows), Vec::with_capacity(rows));
    let at = kernel::time::now_utc();
    for (graduate_id, checked) in good {
        let owner = Owner { graduate_id, cohort, institution_id };
        let change = Change::new("record", "destination", graduate_id)
            .before(before.remove(&graduate_id))
            .after(super::image(&checked));
        changes.push(change.about(owner.subject()));
        let employer_id = checked.credit_code.as_ref().and_then(|code| employers.get(code).copied());
        events.push(Appended { owner, destination: checked, at: at.clone(), employer_id, documents: Vec::new() });
    }
    // In bulk, and the audit records after the events (see `append`): from the
    // append to commit the cohort's lock is held, and at a deadline every
    // institution's batch waits for it. In slices, to tell how far it is
    // (a graduate is in a batch once, so no slice moves another's state).
    let mut written = 0;
    while !events.is_empty() {
        let rest = events.split_off(events.len().min(WRITTEN_AT_ONCE));
        written += events.len();
        super::append_many(&mut tx, who, &codes, events).await?;
        progress(Progress { rows: written, of: Some(rows) });
        events = rest;
    }
    let after =
        serde_json::json!({ "institution_id": institution_id, "cohort": cohort, "file": input.name(), "rows": rows });
    let batch = Change::new("import", "destination_batch", format!("{institution_id}:{cohort}"))
        .after(after)
        .about(Subject::institution(institution_id));
    audit::record_batch(&mut tx, who, batch, changes).await?;
    tx.commit().await?;
    Ok(BatchOutcome::Recorded { rows })
}

/// Reads the rows one by one into `judge`; hands the input back for the report.
fn judge(input: Input, mut judge: Judge, limits: &Limits) -> Result<(Judge, Input), ReadError> {
    input.stream(&columns(), limits, |line| {
        match line {
            Line::Headers { line, cells, .. } => judge.headers(line, cells),
            Line::Row(row) => judge.row(row.line, row.cells, row.refused),
        }
        ControlFlow::Continue(())
    })?;
    Ok((judge, input))
}

/// Registered employers by credit code, looked up as the rows name them (each
/// code once) from the judging thread, so that a row with a registered
/// employer's code is filled in as the destination form fills it.
struct Employers {
    db: Db,
    runtime: tokio::runtime::Handle,
    known: HashMap<String, Option<registry::employers::Card>>,
}

impl Employers {
    fn fill(&mut self, form: &mut DestinationForm) {
        let Ok(code) = validate::credit_code(form.credit_code.trim()) else { return };
        let (db, runtime) = (&self.db, &self.runtime);
        let card = self.known.entry(code).or_insert_with_key(|code| {
            runtime.block_on(registry::employers::card(db, code)).unwrap_or_else(|e| {
                tracing::warn!(error = %e, "employer look-up for a batch row failed");
                None
            })
        });
        if let Some(card) = card {
            form.fill_from(card);
        }
    }
}

/// The batch's rows judged so far: the rows that passed, the errors of the rest.
struct Judge {
    students: HashMap<String, i64>,
    codes: Codes,
    employers: Employers,
    l: Locale,
    headers: Vec<String>,
    /// Each field's column in the file.
    positions: Vec<(&'static str, usize)>,
    /// A required column is missing: no row is judged.
    columns_missing: bool,
    /// Each graduate's first row in the file.
    seen: HashMap<i64, usize>,
    rows: usize,
    good: Vec<(i64, Checked)>,
    errors: Errors,
}

impl Judge {
    fn new(students: HashMap<String, i64>, codes: Codes, employers: Employers, l: Locale, limits: &Limits) -> Judge {
        Judge {
            students,
            codes,
            employers,
            l,
            headers: Vec::new(),
            positions: Vec::new(),
            columns_missing: false,
            seen: HashMap::new(),
            rows: 0,
            good: Vec::new(),
            errors: Errors::new(limits),
        }
    }

    fn headers(&mut self, line: usize, headers: Vec<String>) {
        self.positions =
            headers.iter().enumerate().filter_map(|(i, h)| sheet::field_of(COLUMNS, h).map(|f| (f, i))).collect();
        self.headers = headers;
        for required in REQUIRED {
            if self.column_of(required).is_none() {
                self.columns_missing = true;
                self.errors.push(RowError {
                    row: line,
                    column: header(required).to_owned(),
                    value: String::new(),
                    problem: Problem::MissingColumn,
                });
            }
        }
    }

    fn column_of(&self, field: &str) -> Option<usize> {
        column_in(&self.positions, field)
    }

    fn row(&mut self, line: usize, cells: &[Cow<str>], refused: Vec<RowError>) {
        self.rows += 1;
        if self.columns_missing {
            return;
        }
        if !refused.is_empty() {
            self.errors.extend(refused);
            return;
        }
        let positions = &self.positions;
        let cell = |field: &str| {
            column_in(positions, field).and_then(|c| cells.get(c)).map(|c| c.to_string()).unwrap_or_default()
        };
        let header_of = |field: &str| {
            column_in(positions, field).and_then(|i| self.headers.get(i).cloned()).unwrap_or_else(|| field.to_owned())
        };
        let fail = |field: &str, problem: Problem| RowError {
            row: line,
            column: header_of(field),
            value: cell(field),
            problem,
        };
        let student_no = validate::normalize(&cell("student_no"));
        let Some(&graduate_id) = self.students.get(&student_no) else {
            let problem = match student_no.is_empty() {
                true => Problem::Required,
                false => Problem::Field(
                    self.l
                        .pick("本校本届没有这个学号", "no graduate of this cohort has this student number")
                        .to_owned(),
                ),
            };
            let e = fail("student_no", problem);
            self.errors.push(e);
            return;
        };
        if let Some(first) = self.seen.insert(graduate_id, line) {
            let e = fail("student_no", Problem::DuplicateInFile(first));
            self.errors.push(e);
            return;
        }
        let mut form = DestinationForm {
            category_code: cell("category_code"),
            employer_name: cell("employer_name"),
            credit_code: cell("credit_code"),
            position_code: cell("position_code"),
            nature_code: cell("nature_code"),
            industry_code: cell("industry_code"),
            region_code: cell("region_code"),
            signed_on: cell("signed_on"),
            note: cell("note"),
            correction: String::new(),
        };
        self.employers.fill(&mut form);
        match super::check(&form, &self.codes, self.l) {
            Ok(checked) => self.good.push((graduate_id, checked)),
            Err(field_errors) => {
                let errors: Vec<RowError> = field_errors
                    .iter()
                    .map(|(field, message)| fail(field, Problem::Field(message.to_owned())))
                    .collect();
                self.errors.extend(errors);
            }
        }
    }
}

/// The column a field is read from.
fn column_in(positions: &[(&str, usize)], field: &str) -> Option<usize> {
    positions.iter().find(|(f, _)| *f == field).map(|(_, i)| *i)
}
