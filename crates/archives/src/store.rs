//! The archives' SQL: talent centres, a transfer per graduate with its
//! proposal, the state changes (each a row in `archive_steps` and an audit
//! entry in the same transaction), batches with deadlines, the tracking
//! import, the public check and the figures.

use std::collections::HashMap;

use kernel::audit::{self, AuditActor, Change, Subject};
use kernel::db::Record;
use kernel::sheet::report::{ReportError, Source};
use kernel::sheet::{self, Errors, Limits, Problem, ReadError, RowError};
use kernel::web::listing::Listing;
use kernel::{codes, time, Db, DbResult, FromRow, Locale, Row, Tx, Value};
use serde_json::json;

use crate::flow::{self, Action, Channel, Refused, State};
use crate::rules::{self, Facts, NoReceiver, Receiver};

// ---------------------------------------------------------------- centres

/// A talent service centre (公共就业人才服务机构) the province keeps.
#[derive(Debug, Clone, Default)]
pub struct Centre {
    pub id: i64,
    pub region_code: String,
    pub region_name: String,
    pub name: String,
    pub address: String,
    pub phone: String,
}

pub async fn centres(db: &Db) -> DbResult<Vec<Centre>> {
    let rows = db
        .fetch_all(
            "SELECT c.id, c.region_code, COALESCE(r.name, '') AS region_name, c.name, c.address, c.phone \
             FROM archive_centres c LEFT JOIN regions r ON r.code = c.region_code ORDER BY c.region_code",
            &[],
        )
        .await?;
    rows.iter()
        .map(|r| {
            Ok(Centre {
                id: r.i64("id")?,
                region_code: r.text("region_code")?,
                region_name: r.text("region_name")?,
                name: r.text("name")?,
                address: r.text("address")?,
                phone: r.text("phone")?,
            })
        })
        .collect()
}

/// A centre's form, checked.
#[derive(Debug, Clone, Default)]
pub struct CentreForm {
    pub region_code: String,
    pub name: String,
    pub address: String,
    pub phone: String,
}

impl CentreForm {
    pub fn from_pairs(pairs: &[(String, String)]) -> CentreForm {
        let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.trim().to_owned()).unwrap_or_default();
        CentreForm { region_code: get("region_code"), name: get("name"), address: get("address"), phone: get("phone") }
    }
}

/// The form's problem, in the reader's language; `region_known` whether the code is a region.
pub fn check_centre(f: &CentreForm, region_known: bool, l: Locale) -> Result<(), (&'static str, String)> {
    if f.region_code.len() != 6 || !f.region_code.bytes().all(|b| b.is_ascii_digit()) || !region_known {
        return Err((
            "region_code",
            l.pick("区划代码须为 6 位的有效行政区划代码。", "The region code must be a valid six-digit code.").into(),
        ));
    }
    if f.name.is_empty() || f.name.chars().count() > 100 {
        return Err((
            "name",
            l.pick("请填写机构名称（100 字以内）。", "Give the centre's name (at most 100 characters).").into(),
        ));
    }
    if f.address.chars().count() > 200 || f.phone.chars().count() > 40 {
        return Err(("address", l.pick("地址或电话过长。", "The address or phone is too long.").into()));
    }
    Ok(())
}

pub async fn region_known(tx: &mut Tx, code: &str) -> DbResult<bool> {
    Ok(tx.fetch_optional("SELECT code FROM regions WHERE code = $1", &[code.into()]).await?.is_some())
}

/// Adds a centre, or saves the one kept for its region code (one per region).
pub async fn save_centre(tx: &mut Tx, who: &AuditActor, f: &CentreForm) -> DbResult<i64> {
    let image = json!({ "region_code": f.region_code, "name": f.name, "address": f.address, "phone": f.phone });
    let before = tx
        .fetch_optional(
            "SELECT id, name, address, phone FROM archive_centres WHERE region_code = $1",
            &[f.region_code.as_str().into()],
        )
        .await?;
    let row = Record::new()
        .set("name", f.name.as_str())
        .set("address", f.address.as_str())
        .set("phone", f.phone.as_str())
        .set("updated_at", time::now_utc());
    match before {
        Some(b) => {
            let id = b.i64("id")?;
            tx.update("archive_centres", row, "id", id).await?;
            let was = json!({ "region_code": f.region_code, "name": b.text("name")?, "address": b.text("address")?,
                "phone": b.text("phone")? });
            audit::record(tx, who, Change::updated("archive_centre", id, was, image)).await?;
            Ok(id)
        }
        None => {
            let id = tx.insert_id("archive_centres", row.set("region_code", f.region_code.as_str())).await?;
            audit::record(tx, who, Change::created("archive_centre", id, image)).await?;
            Ok(id)
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error(transparent)]
    Db(#[from] kernel::DbError),
    #[error(transparent)]
    Read(#[from] ReadError),
    #[error(transparent)]
    Report(#[from] ReportError),
    #[error("the reader stopped: {0}")]
    Reader(String),
}

pub enum Outcome {
    Imported { rows: usize },
    Rejected { rows: usize, errors: Errors<Problem>, report: Vec<u8> },
}

fn field_error(line: usize, column: &str, value: &str, message: String) -> RowError<Problem> {
    RowError { row: line, column: column.to_owned(), value: value.to_owned(), problem: Problem::Field(message) }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CentreColumn {
    Region,
    Name,
    Address,
    Phone,
}

pub const CENTRE_COLUMNS: &[(CentreColumn, &[&str])] = &[
    (CentreColumn::Region, &["区划代码", "行政区划代码", "REGIONCODE", "REGION"]),
    (CentreColumn::Name, &["机构名称", "名称", "NAME"]),
    (CentreColumn::Address, &["地址", "ADDRESS"]),
    (CentreColumn::Phone, &["电话", "联系电话", "PHONE"]),
];

fn centre_columns() -> sheet::Columns {
    sheet::Columns::of(CENTRE_COLUMNS, &[CentreColumn::Region, CentreColumn::Name], &[])
}

/// Reads a sheet in a blocking thread and finds its columns.
async fn read_sheet<C: Copy + Eq + std::hash::Hash + Send + 'static>(
    file_name: &str,
    bytes: std::sync::Arc<Vec<u8>>,
    columns: fn() -> sheet::Columns,
    table_of: &'static [(C, &'static [&'static str])],
    limits: Limits,
) -> Result<(sheet::Table, HashMap<C, usize>), ImportError> {
    let name = file_name.to_owned();
    let read = move || sheet::read(&name, &bytes, &columns(), &limits);
    let table = tokio::task::spawn_blocking(read).await.map_err(|e| ImportError::Reader(e.to_string()))??;
    if table.headers.is_empty() {
        return Err(ImportError::Read(ReadError::Empty));
    }
    let mut at = HashMap::new();
    for (i, h) in table.headers.iter().enumerate() {
        if let Some(c) = sheet::field_of(table_of, h) {
            at.entry(c).or_insert(i);
        }
    }
    Ok((table, at))
}

async fn rejected(
    file_name: &str,
    bytes: std::sync::Arc<Vec<u8>>,
    columns: fn() -> sheet::Columns,
    limits: Limits,
    rows: usize,
    errors: Errors<Problem>,
    l: Locale,
) -> Result<Outcome, ImportError> {
    let file_name = file_name.to_owned();
    let write = move || {
        let columns = columns();
        let source = Source { file_name: &file_name, bytes: &bytes, columns: &columns, limits: &limits };
        sheet::report::error_report(source, &errors, l).map(|report| (errors, report))
    };
    let (errors, report) =
        tokio::task::spawn_blocking(write).await.map_err(|e| ImportError::Reader(e.to_string()))??;
    Ok(Outcome::Rejected { rows, errors, report })
}

/// The province's centres from a sheet, all or none.
pub async fn import_centres(
    db: &Db,
    who: &AuditActor,
    file_name: &str,
    bytes: Vec<u8>,
    limits: Limits,
    l: Locale,
) -> Result<Outcome, ImportError> {
    use CentreColumn as C;
    let bytes = std::sync::Arc::new(bytes);
    let (table, at) = read_sheet(file_name, bytes.clone(), centre_columns, CENTRE_COLUMNS, limits).await?;
    let header = |c: C| {
        at.get(&c).and_then(|i| table.headers.get(*i)).cloned().unwrap_or_else(|| {
            CENTRE_COLUMNS.iter().find(|(k, _)| *k == c).map(|(_, h)| h[0].to_owned()).unwrap_or_default()
        })
    };
    let mut errors = Errors::new(&limits);
    let mut kept = Vec::new();
    let mut first: HashMap<String, usize> = HashMap::new();
    let mut tx = db.begin().await?;
    for row in &table.rows {
        let cell = |c: C| at.get(&c).and_then(|i| row.cells.get(*i)).map(|s| s.trim().to_owned()).unwrap_or_default();
        let before = errors.total;
        errors.extend(row.refused.iter().cloned());
        if errors.total > before {
            continue;
        }
        let f = CentreForm {
            region_code: cell(C::Region),
            name: cell(C::Name),
            address: cell(C::Address),
            phone: cell(C::Phone),
        };
        let known = region_known(&mut tx, &f.region_code).await?;
        if let Err((field, m)) = check_centre(&f, known, l) {
            let c = match field {
                "region_code" => C::Region,
                "name" => C::Name,
                _ => C::Address,
            };
            errors.push(field_error(row.line, &header(c), &cell(c), m));
            continue;
        }
        if let Some(line) = first.get(&f.region_code) {
            let problem = Problem::DuplicateInFile(*line);
            errors.push(RowError { row: row.line, column: header(C::Region), value: f.region_code.clone(), problem });
            continue;
        }
        first.insert(f.region_code.clone(), row.line);
        kept.push(f);
    }
    let rows = table.rows.len();
    drop(table);
    if !errors.is_empty() {
        drop(tx);
        return rejected(file_name, bytes, centre_columns, limits, rows, errors, l).await;
    }
    if kept.is_empty() {
        return Err(ImportError::Read(ReadError::Empty));
    }
    for f in &kept {
        save_centre(&mut tx, who, f).await?;
    }
    audit::record(
        &mut tx,
        who,
        Change::new("import", "archive_centre", 0).after(json!({ "file": file_name, "rows": kept.len() })),
    )
    .await?;
    tx.commit().await?;
    Ok(Outcome::Imported { rows })
}

// ---------------------------------------------------------------- transfers

/// A graduate's archive transfer as pages show it.
#[derive(Debug, Clone)]
pub struct Transfer {
    pub id: i64,
    pub graduate_id: i64,
    pub name: String,
    pub student_no: String,
    pub institution_id: i64,
    pub institution: String,
    pub cohort: i64,
    pub transfer_no: String,
    pub state: State,
    pub state_since: String,
    pub proposed: Option<Receiver>,
    pub problem: Option<NoReceiver>,
    pub receiver: Option<Receiver>,
    pub batch_id: Option<i64>,
    pub batch_name: String,
    pub deadline: String,
    pub channel: Option<Channel>,
    pub tracking_no: String,
    pub return_reason: String,
    pub returns: i64,
}

impl Transfer {
    pub fn overdue(&self, today: chrono::NaiveDate) -> bool {
        flow::overdue(self.state, self.deadline.parse().ok(), today)
    }

    pub fn since_day(&self) -> String {
        time::display(&self.state_since).chars().take(10).collect()
    }

    pub fn receiver_name(&self) -> &str {
        self.receiver.as_ref().map(Receiver::name).unwrap_or("")
    }

    pub fn proposed_name(&self) -> &str {
        self.proposed.as_ref().map(Receiver::name).unwrap_or("")
    }
}

/// A transfer's columns over `archive_transfers t`, `graduates g`,
/// `institutions i` and `archive_batches b`.
macro_rules! transfer_columns {
    () => {
        "t.id, t.graduate_id, g.name, g.student_no, t.institution_id, i.name AS institution, \
         t.cohort_year, t.transfer_no, t.state, t.state_since, t.proposed_kind, t.proposed_name, t.proposed_centre_id, \
         t.problem, t.receiver_kind, t.receiver_name, t.receiver_centre_id, t.batch_id, COALESCE(b.name, '') AS batch_name, \
         COALESCE(b.deadline, '') AS deadline, t.channel, COALESCE(t.tracking_no, '') AS tracking_no, \
         COALESCE(t.return_reason, '') AS return_reason, t.returns"
    };
}

/// What names a transfer: its graduate, institution and batch.
macro_rules! transfer_from {
    () => {
        "FROM archive_transfers t JOIN graduates g ON g.id = t.graduate_id JOIN institutions i ON i.id = t.institution_id \
         LEFT JOIN archive_batches b ON b.id = t.batch_id"
    };
}

const TRANSFER: &str = concat!("SELECT ", transfer_columns!(), " ", transfer_from!());

fn receiver_of(kind: Option<String>, name: Option<String>, centre: Option<i64>) -> Option<Receiver> {
    match (kind.as_deref(), name, centre) {
        (Some("direct"), Some(name), _) => Some(Receiver::Direct { name }),
        (Some("centre"), Some(name), Some(id)) => Some(Receiver::Centre { id, name }),
        _ => None,
    }
}

fn transfer_of(r: &Row) -> DbResult<Transfer> {
    Ok(Transfer {
        id: r.i64("id")?,
        graduate_id: r.i64("graduate_id")?,
        name: r.text("name")?,
        student_no: r.text("student_no")?,
        institution_id: r.i64("institution_id")?,
        institution: r.text("institution")?,
        cohort: r.i64("cohort_year")?,
        transfer_no: r.text("transfer_no")?,
        state: State::parse(&r.text("state")?).unwrap_or(State::Pending),
        state_since: r.text("state_since")?,
        proposed: receiver_of(
            r.opt_text("proposed_kind")?,
            r.opt_text("proposed_name")?,
            r.opt_i64("proposed_centre_id")?,
        ),
        problem: r.opt_text("problem")?.as_deref().and_then(NoReceiver::parse),
        receiver: receiver_of(
            r.opt_text("receiver_kind")?,
            r.opt_text("receiver_name")?,
            r.opt_i64("receiver_centre_id")?,
        ),
        batch_id: r.opt_i64("batch_id")?,
        batch_name: r.text("batch_name")?,
        deadline: r.text("deadline")?,
        channel: r.opt_text("channel")?.as_deref().and_then(Channel::parse),
        tracking_no: r.text("tracking_no")?,
        return_reason: r.text("return_reason")?,
        returns: r.i64("returns")?,
    })
}

/// Which transfers a list shows.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub cohort: i64,
    /// `None`: every institution (the province).
    pub institution: Option<i64>,
    pub state: Option<State>,
    /// Only those without a valid receiver proposed.
    pub unassigned: bool,
    pub batch: Option<i64>,
    pub overdue_on: Option<String>,
}

/// Up to `limit` transfers, by student number.
pub async fn list(db: &Db, f: &Filter, limit: i64) -> DbResult<Vec<Transfer>> {
    let mut sql = format!("{TRANSFER} WHERE t.cohort_year = $1");
    let mut args: Vec<Value> = vec![f.cohort.into()];
    if let Some(i) = f.institution {
        args.push(i.into());
        sql.push_str(&format!(" AND t.institution_id = ${}", args.len()));
    }
    if let Some(s) = f.state {
        args.push(s.key().into());
        sql.push_str(&format!(" AND t.state = ${}", args.len()));
    }
    if f.unassigned {
        sql.push_str(" AND t.state = 'pending' AND t.problem IS NOT NULL");
    }
    if let Some(b) = f.batch {
        args.push(b.into());
        sql.push_str(&format!(" AND t.batch_id = ${}", args.len()));
    }
    if let Some(day) = &f.overdue_on {
        args.push(day.as_str().into());
        sql.push_str(&format!(" AND t.state <> 'received' AND b.deadline < ${}", args.len()));
    }
    args.push(limit.into());
    sql.push_str(&format!(" ORDER BY i.code, g.student_no LIMIT ${}", args.len()));
    db.fetch_all(&sql, &args).await?.iter().map(transfer_of).collect()
}

impl FromRow for Transfer {
    fn from_row(r: &Row) -> DbResult<Transfer> {
        transfer_of(r)
    }
}

/// What the transfers lists' filters need, without the joins that only name
/// things: counting and choosing a page's rows read this, and only the rows
/// kept are joined to their graduate, institution and batch.
const COUNTED_FROM: &str = "FROM archive_transfers t LEFT JOIN archive_batches b ON b.id = t.batch_id";

/// The lists' order: the transfer number (unique, indexed), which is the
/// cohort and the graduate's id, so an institution's graduates come in roster order.
pub const SORTS: &[(&str, &str)] = &[("transfer_no", "t.transfer_no")];

/// The id column the lists page on after their sort column.
pub const ID: &str = "t.id";

/// The columns a listed transfer is read with (`Transfer: FromRow`).
pub const COLUMNS: &str = transfer_columns!();

/// The transfers `f` asks for, a page at a time (`Listing::page_by_key`, as
/// the other big lists): the whole cohort of a province pages as cheaply as
/// its first fifty.
pub fn listing(f: &Filter) -> Listing {
    let mut l = Listing::new(transfer_from!()).counted_over(COUNTED_FROM).condition_with("t.cohort_year = ", f.cohort);
    if let Some(i) = f.institution {
        l = l.condition_with("t.institution_id = ", i);
    }
    if let Some(s) = f.state {
        l = l.equals("t.state", s.key());
    }
    if f.unassigned {
        l = l.condition("t.state = 'pending' AND t.problem IS NOT NULL");
    }
    if let Some(b) = f.batch {
        l = l.condition_with("t.batch_id = ", b);
    }
    if let Some(day) = &f.overdue_on {
        l = l.condition("t.state <> 'received'").condition_with("b.deadline < ", day.as_str());
    }
    l
}

/// The institutions with confirmed transfers of the cohort waiting for a
/// batch, by code: (id, name, how many), for the province's batch form.
pub async fn waiting_by_institution(db: &Db, cohort: i64) -> DbResult<Vec<(i64, String, i64)>> {
    db.fetch_all(
        "SELECT i.id, i.name, COUNT(*) AS n FROM archive_transfers t JOIN institutions i ON i.id = t.institution_id \
         WHERE t.cohort_year = $1 AND t.state = 'confirmed' AND t.batch_id IS NULL GROUP BY i.id, i.name, i.code ORDER BY i.code",
        &[cohort.into()],
    )
    .await?
    .iter()
    .map(|r| Ok((r.i64("id")?, r.text("name")?, r.i64("n")?)))
    .collect()
}

/// Confirmed transfers of the institution and cohort not yet in a batch.
pub async fn waiting_for_batch(db: &Db, institution: i64, cohort: i64) -> DbResult<i64> {
    db.scalar_i64(
        "SELECT COUNT(*) AS n FROM archive_transfers WHERE institution_id = $1 AND cohort_year = $2 \
         AND state = 'confirmed' AND batch_id IS NULL",
        &[institution.into(), cohort.into()],
    )
    .await
}

pub async fn get(db: &Db, id: i64) -> DbResult<Option<Transfer>> {
    db.fetch_optional(&format!("{TRANSFER} WHERE t.id = $1"), &[id.into()]).await?.as_ref().map(transfer_of).transpose()
}

async fn get_in(tx: &mut Tx, id: i64) -> DbResult<Option<Transfer>> {
    tx.fetch_optional(&format!("{TRANSFER} WHERE t.id = $1"), &[id.into()]).await?.as_ref().map(transfer_of).transpose()
}

pub async fn of_graduate(db: &Db, graduate_id: i64) -> DbResult<Option<Transfer>> {
    db.fetch_optional(&format!("{TRANSFER} WHERE t.graduate_id = $1"), &[graduate_id.into()])
        .await?
        .as_ref()
        .map(transfer_of)
        .transpose()
}

/// One step of a transfer's path.
#[derive(Debug, Clone)]
pub struct Step {
    pub step: String,
    pub at: String,
    pub actor: String,
    pub channel: Option<Channel>,
    pub tracking_no: String,
    pub note: String,
}

impl Step {
    pub fn label(&self, l: Locale) -> &'static str {
        match self.step.as_str() {
            "confirm" => l.pick("确认接收单位", "Receiver confirmed"),
            "seal" => l.pick("装袋封存", "Sealed"),
            "dispatch" => l.pick("寄出", "Dispatched"),
            "receive" => l.pick("接收单位签收", "Received"),
            "return" => l.pick("退回", "Returned"),
            _ => l.pick("其他", "Other"),
        }
    }

    pub fn when(&self) -> String {
        time::display(&self.at)
    }
}

pub async fn steps(db: &Db, transfer: i64) -> DbResult<Vec<Step>> {
    let rows = db
        .fetch_all(
            "SELECT step, at, actor_label, channel, COALESCE(tracking_no, '') AS tracking_no, COALESCE(note, '') AS note \
             FROM archive_steps WHERE transfer_id = $1 ORDER BY at, id",
            &[transfer.into()],
        )
        .await?;
    rows.iter()
        .map(|r| {
            Ok(Step {
                step: r.text("step")?,
                at: r.text("at")?,
                actor: r.text("actor_label")?,
                channel: r.opt_text("channel")?.as_deref().and_then(Channel::parse),
                tracking_no: r.text("tracking_no")?,
                note: r.text("note")?,
            })
        })
        .collect()
}

/// Gives every graduate of the cohort (of one institution, or all) without a
/// transfer its transfer, pending, numbered. Returns how many were added.
pub async fn open_transfers(tx: &mut Tx, cohort: i64, institution: Option<i64>) -> DbResult<usize> {
    let mut sql = "SELECT g.id, g.institution_id FROM graduates g WHERE g.cohort_year = $1 \
                   AND NOT EXISTS (SELECT 1 FROM archive_transfers t WHERE t.graduate_id = g.id)"
        .to_owned();
    let mut args: Vec<Value> = vec![cohort.into()];
    if let Some(i) = institution {
        sql.push_str(" AND g.institution_id = $2");
        args.push(i.into());
    }
    let rows = tx.fetch_all(&sql, &args).await?;
    let now = time::now_utc();
    let mut values = Vec::with_capacity(rows.len());
    for r in &rows {
        let id = r.i64("id")?;
        values.push(vec![
            id.into(),
            cohort.into(),
            r.i64("institution_id")?.into(),
            rules::transfer_no(cohort, id).into(),
            State::Pending.key().into(),
            now.as_str().into(),
        ]);
    }
    let n = values.len();
    tx.insert_many(
        "archive_transfers",
        &["graduate_id", "cohort_year", "institution_id", "transfer_no", "state", "state_since"],
        values,
    )
    .await?;
    Ok(n)
}

/// The natures that receive directly, from the seeded code table.
pub async fn direct_natures(db: &Db) -> DbResult<Vec<String>> {
    Ok(codes::list(db, rules::DIRECT_NATURES, codes::BASE_VERSION).await?.into_iter().map(|c| c.code).collect())
}

/// Opens the missing transfers and proposes a receiver for every pending one
/// of the cohort (one institution or all) from its destination; returns
/// (proposed, without a receiver). One transaction and a handful of
/// statements whatever the number of graduates: the destinations are read in
/// one statement (`pending_facts`), proposed in pure code
/// (`rules::propose_all`) and written back a chunk at a time (`write_proposals`).
pub async fn propose(db: &Db, who: &AuditActor, cohort: i64, institution: Option<i64>) -> DbResult<(usize, usize)> {
    let direct = direct_natures(db).await?;
    let centres: HashMap<String, (i64, String)> =
        centres(db).await?.into_iter().map(|c| (c.region_code, (c.id, c.name))).collect();
    let mut tx = db.begin().await?;
    open_transfers(&mut tx, cohort, institution).await?;
    let read = pending_facts(&mut tx, cohort, institution).await?;
    let proposals = rules::propose_all(read, &direct, &centres);
    let (ok, none) = rules::tally(&proposals);
    write_proposals(&mut tx, &proposals).await?;
    let mut change = Change::new("propose", "archive_transfer", 0)
        .after(json!({ "cohort": cohort, "proposed": ok, "without_receiver": none }));
    if let Some(i) = institution {
        change = change.about(Subject::institution(i));
    }
    audit::record(&mut tx, who, change).await?;
    tx.commit().await?;
    Ok((ok, none))
}

/// What the proposal reads of every pending transfer of the cohort (one
/// institution or all), in one statement: the current destination as
/// outcomes' `DestinationForm::current` reads it (the last event's category,
/// employer, nature and region; blank when none is recorded) and the
/// graduate's region of origin.
async fn pending_facts(tx: &mut Tx, cohort: i64, institution: Option<i64>) -> DbResult<Vec<(i64, Facts)>> {
    let mut sql = "SELECT t.id, g.origin_region_code, e.category_code, e.employer_name, e.nature_code, e.region_code \
                   FROM archive_transfers t JOIN graduates g ON g.id = t.graduate_id \
                   LEFT JOIN destinations d ON d.graduate_id = t.graduate_id \
                   LEFT JOIN destination_events e ON e.id = d.last_event_id \
                   WHERE t.cohort_year = $1 AND t.state = 'pending'"
        .to_owned();
    let mut args: Vec<Value> = vec![cohort.into()];
    if let Some(i) = institution {
        sql.push_str(" AND t.institution_id = $2");
        args.push(i.into());
    }
    sql.push_str(" ORDER BY t.id");
    let rows = tx.fetch_all(&sql, &args).await?;
    let text = |r: &Row, c: &str| r.opt_text(c).map(Option::unwrap_or_default);
    rows.iter()
        .map(|r| {
            let facts = Facts {
                category: text(r, "category_code")?,
                employer_name: text(r, "employer_name")?,
                nature: text(r, "nature_code")?,
                work_region: text(r, "region_code")?,
                origin_region: text(r, "origin_region_code")?,
            };
            Ok((r.i64("id")?, facts))
        })
        .collect()
}

/// Proposals written per statement: five values each, well under both
/// engines' parameter limits.
const PROPOSALS_PER_STATEMENT: usize = 2_000;

/// Writes the proposals with one `UPDATE … FROM (VALUES …)` per chunk (both
/// engines name a VALUES list's columns column1, column2, …), each row still
/// guarded by its state so a transfer confirmed meanwhile keeps its receiver.
async fn write_proposals(tx: &mut Tx, proposals: &rules::Proposals) -> DbResult<()> {
    let sqlite = tx.backend() == kernel::db::Backend::Sqlite;
    for chunk in proposals.chunks(PROPOSALS_PER_STATEMENT) {
        let mut values = String::with_capacity(chunk.len() * 24);
        let mut params: Vec<Value> = Vec::with_capacity(chunk.len() * 5);
        for (n, (id, p)) in chunk.iter().enumerate() {
            let (kind, name, centre, problem) = match p {
                Ok(r) => (Some(r.kind()), Some(r.name().to_owned()), r.centre(), None),
                Err(e) => (None, None, None, Some(e.key())),
            };
            if n > 0 {
                values.push(',');
            }
            values.push('(');
            values.push_str(&kernel::db::placeholders(tx.backend(), params.len() + 1, 5));
            values.push(')');
            params.extend([(*id).into(), kind.into(), name.into(), centre.into(), problem.into()]);
        }
        // PostgreSQL needs the VALUES' types where a whole column may be NULL.
        let (id, text, int) = if sqlite { ("", "", "") } else { ("::BIGINT", "::TEXT", "::BIGINT") };
        let sql = format!(
            "UPDATE archive_transfers SET proposed_kind = v.column2{text}, proposed_name = v.column3{text}, \
             proposed_centre_id = v.column4{int}, problem = v.column5{text} FROM (VALUES {values}) AS v \
             WHERE archive_transfers.id = v.column1{id} AND archive_transfers.state = 'pending'"
        );
        tx.execute(&sql, &params).await?;
    }
    Ok(())
}

/// Applies `action` to the transfer in `tx`: the new state, a step, the audit
/// entry. `receiver` is the one confirmed with a `Confirm`.
pub async fn act(
    tx: &mut Tx,
    who: &AuditActor,
    t: &Transfer,
    action: &Action,
    receiver: Option<&Receiver>,
) -> DbResult<Result<State, Refused>> {
    let has_receiver = match action {
        Action::Confirm { .. } => receiver.is_some(),
        _ => t.receiver.is_some(),
    };
    let action = match action {
        Action::Confirm { .. } => Action::Confirm { has_receiver },
        a => a.clone(),
    };
    let next = match flow::next(t.state, has_receiver, &action) {
        Ok(n) => n,
        Err(e) => return Ok(Err(e)),
    };
    let now = time::now_utc();
    // Guarded by the state read, so two hands on one transfer cannot both move it.
    let changed = tx
        .execute(
            "UPDATE archive_transfers SET state = $1, state_since = $2 WHERE id = $3 AND state = $4",
            &[next.key().into(), now.as_str().into(), t.id.into(), t.state.key().into()],
        )
        .await?;
    if changed == 0 {
        return Ok(Err(Refused::Skipped));
    }
    let (mut channel, mut tracking, mut note) = (None, None, None);
    let row = match &action {
        Action::Confirm { .. } => receiver.map(|r| {
            note = Some(r.name().to_owned());
            Record::new()
                .set("receiver_kind", r.kind())
                .set("receiver_name", r.name())
                .set("receiver_centre_id", r.centre())
                .set("problem", Option::<String>::None)
        }),
        Action::Dispatch { channel: c, tracking_no } => {
            channel = Some(c.key());
            tracking = Some(tracking_no.clone());
            Some(Record::new().set("channel", c.key()).set("tracking_no", tracking_no.as_str()))
        }
        Action::Return { reason } => {
            note = Some(reason.trim().to_owned());
            tracking = Some(t.tracking_no.clone());
            Some(
                Record::new()
                    .set("return_reason", reason.trim())
                    .set("returns", t.returns + 1)
                    .set("batch_id", Option::<i64>::None),
            )
        }
        Action::Seal | Action::Receive => None,
    };
    if let Some(row) = row {
        tx.update("archive_transfers", row, "id", t.id).await?;
    }
    tx.insert(
        "archive_steps",
        Record::new()
            .set("transfer_id", t.id)
            .set("step", action.step())
            .set("at", now.as_str())
            .set("actor_label", who.label.as_str())
            .set("channel", channel)
            .set("tracking_no", tracking.clone())
            .set("note", note.clone()),
    )
    .await?;
    let change = Change::new(action.step(), "archive_transfer", t.id)
        .before(json!({ "state": t.state.key(), "receiver": t.receiver_name() }))
        .after(json!({ "state": next.key(), "receiver": receiver.map(Receiver::name).unwrap_or(t.receiver_name()),
            "tracking_no": tracking, "note": note }))
        .about(Subject::graduate(t.graduate_id, t.institution_id));
    audit::record(tx, who, change).await?;
    Ok(Ok(next))
}

/// Acts on one transfer in its own transaction.
pub async fn act_one(
    db: &Db,
    who: &AuditActor,
    id: i64,
    action: &Action,
    receiver: Option<&Receiver>,
) -> DbResult<Result<State, Refused>> {
    let mut tx = db.begin().await?;
    let Some(t) = get_in(&mut tx, id).await? else { return Ok(Err(Refused::Skipped)) };
    let r = act(&mut tx, who, &t, action, receiver).await?;
    if r.is_ok() {
        tx.commit().await?;
    }
    Ok(r)
}

/// Confirms the proposals of these transfers (of `institution` when given);
/// those without a proposal or not pending are skipped. How many were confirmed.
pub async fn confirm_proposals(db: &Db, who: &AuditActor, ids: &[i64], institution: Option<i64>) -> DbResult<usize> {
    let mut tx = db.begin().await?;
    let mut n = 0;
    for id in ids {
        let Some(t) = get_in(&mut tx, *id).await? else { continue };
        if institution.is_some_and(|i| i != t.institution_id) {
            continue;
        }
        let Some(p) = t.proposed.clone() else { continue };
        if act(&mut tx, who, &t, &Action::Confirm { has_receiver: true }, Some(&p)).await?.is_ok() {
            n += 1;
        }
    }
    tx.commit().await?;
    Ok(n)
}

// ---------------------------------------------------------------- batches

#[derive(Debug, Clone)]
pub struct Batch {
    pub id: i64,
    pub institution_id: i64,
    pub institution: String,
    pub cohort: i64,
    pub name: String,
    pub deadline: String,
    pub created_at: String,
    pub items: i64,
    pub confirmed: i64,
    pub sealed: i64,
    pub dispatched: i64,
    pub received: i64,
}

impl Batch {
    pub fn overdue(&self, today: chrono::NaiveDate) -> bool {
        self.received < self.items && self.deadline.parse::<chrono::NaiveDate>().is_ok_and(|d| d < today)
    }
}

const BATCH: &str =
    "SELECT b.id, b.institution_id, i.name AS institution, b.cohort_year, b.name, b.deadline, b.created_at, \
     (SELECT COUNT(*) FROM archive_transfers t WHERE t.batch_id = b.id) AS items, \
     (SELECT COUNT(*) FROM archive_transfers t WHERE t.batch_id = b.id AND t.state = 'confirmed') AS confirmed, \
     (SELECT COUNT(*) FROM archive_transfers t WHERE t.batch_id = b.id AND t.state = 'sealed') AS sealed, \
     (SELECT COUNT(*) FROM archive_transfers t WHERE t.batch_id = b.id AND t.state = 'dispatched') AS dispatched, \
     (SELECT COUNT(*) FROM archive_transfers t WHERE t.batch_id = b.id AND t.state = 'received') AS received \
     FROM archive_batches b JOIN institutions i ON i.id = b.institution_id";

fn batch_of(r: &Row) -> DbResult<Batch> {
    Ok(Batch {
        id: r.i64("id")?,
        institution_id: r.i64("institution_id")?,
        institution: r.text("institution")?,
        cohort: r.i64("cohort_year")?,
        name: r.text("name")?,
        deadline: r.text("deadline")?,
        created_at: r.text("created_at")?,
        items: r.i64("items")?,
        confirmed: r.i64("confirmed")?,
        sealed: r.i64("sealed")?,
        dispatched: r.i64("dispatched")?,
        received: r.i64("received")?,
    })
}

pub async fn batches(db: &Db, cohort: i64, institution: Option<i64>) -> DbResult<Vec<Batch>> {
    let rows = match institution {
        Some(i) => {
            db.fetch_all(
                &format!("{BATCH} WHERE b.cohort_year = $1 AND b.institution_id = $2 ORDER BY b.deadline, b.id"),
                &[cohort.into(), i.into()],
            )
            .await?
        }
        None => {
            db.fetch_all(
                &format!("{BATCH} WHERE b.cohort_year = $1 ORDER BY b.deadline, b.id LIMIT 500"),
                &[cohort.into()],
            )
            .await?
        }
    };
    rows.iter().map(batch_of).collect()
}

pub async fn batch(db: &Db, id: i64) -> DbResult<Option<Batch>> {
    db.fetch_optional(&format!("{BATCH} WHERE b.id = $1"), &[id.into()]).await?.as_ref().map(batch_of).transpose()
}

/// A batch of the institution's confirmed transfers not yet in one; `None`
/// when there are none.
pub async fn create_batch(
    db: &Db,
    who: &AuditActor,
    institution: i64,
    cohort: i64,
    name: &str,
    deadline: chrono::NaiveDate,
) -> DbResult<Option<i64>> {
    let mut tx = db.begin().await?;
    let waiting = tx
        .fetch_one(
            "SELECT COUNT(*) AS n FROM archive_transfers WHERE institution_id = $1 AND cohort_year = $2 \
             AND state = 'confirmed' AND batch_id IS NULL",
            &[institution.into(), cohort.into()],
        )
        .await?
        .i64("n")?;
    if waiting == 0 {
        return Ok(None);
    }
    let row = Record::new()
        .set("institution_id", institution)
        .set("cohort_year", cohort)
        .set("name", name)
        .set("deadline", deadline.to_string())
        .set("created_at", time::now_utc())
        .set("created_by_label", who.label.as_str());
    let id = tx.insert_id("archive_batches", row).await?;
    tx.execute(
        "UPDATE archive_transfers SET batch_id = $1 WHERE institution_id = $2 AND cohort_year = $3 \
         AND state = 'confirmed' AND batch_id IS NULL",
        &[id.into(), institution.into(), cohort.into()],
    )
    .await?;
    let change = Change::created(
        "archive_batch",
        id,
        json!({ "name": name, "deadline": deadline.to_string(), "items": waiting }),
    )
    .about(Subject::institution(institution));
    audit::record(&mut tx, who, change).await?;
    tx.commit().await?;
    Ok(Some(id))
}

/// Moves every transfer of the batch in the step's starting state (seals the
/// confirmed ones, or marks the dispatched ones received as the receivers'
/// slips come back), in one transaction; how many moved.
pub async fn move_batch(db: &Db, who: &AuditActor, batch: i64, step: flow::BatchStep) -> DbResult<usize> {
    let (from, action) = (step.from().key(), step.action());
    let mut tx = db.begin().await?;
    let rows = tx
        .fetch_all(&format!("{TRANSFER} WHERE t.batch_id = $1 AND t.state = $2"), &[batch.into(), from.into()])
        .await?;
    let mut n = 0;
    for r in &rows {
        let t = transfer_of(r)?;
        if act(&mut tx, who, &t, &action, None).await?.is_ok() {
            n += 1;
        }
    }
    tx.commit().await?;
    Ok(n)
}

/// The batch's tracking numbers from a sheet (学号 or 转递编号, 寄送方式,
/// 邮件号): every row dispatches its transfer, all in one transaction or none.
pub async fn import_tracking(
    db: &Db,
    who: &AuditActor,
    batch: &Batch,
    file_name: &str,
    bytes: Vec<u8>,
    limits: Limits,
    l: Locale,
) -> Result<Outcome, ImportError> {
    use rules::TrackingColumn as C;
    let bytes = std::sync::Arc::new(bytes);
    let (table, at) =
        read_sheet(file_name, bytes.clone(), rules::tracking_columns, rules::TRACKING_COLUMNS, limits).await?;
    let header = |c: C| {
        at.get(&c).and_then(|i| table.headers.get(*i)).cloned().unwrap_or_else(|| {
            rules::TRACKING_COLUMNS.iter().find(|(k, _)| *k == c).map(|(_, h)| h[0].to_owned()).unwrap_or_default()
        })
    };
    let mut errors = Errors::new(&limits);
    let mut first: HashMap<i64, usize> = HashMap::new();
    let mut tx = db.begin().await?;
    let rows = tx.fetch_all(&format!("{TRANSFER} WHERE t.batch_id = $1"), &[batch.id.into()]).await?;
    let items: Vec<Transfer> = rows.iter().map(transfer_of).collect::<DbResult<_>>()?;
    let mut done = 0;
    for row in &table.rows {
        let cell = |c: C| at.get(&c).and_then(|i| row.cells.get(*i)).map(|s| s.trim().to_owned()).unwrap_or_default();
        let before = errors.total;
        errors.extend(row.refused.iter().cloned());
        if errors.total > before {
            continue;
        }
        let who_cell = cell(C::Who);
        let number = rules::normalise_transfer_no(&who_cell);
        let Some(t) = items.iter().find(|t| Some(&t.transfer_no) == number.as_ref() || t.student_no == who_cell) else {
            let m = l.pick(
                "本批次中没有该学号或转递编号的档案。",
                "No archive of this batch has this student or transfer number.",
            );
            errors.push(field_error(row.line, &header(C::Who), &who_cell, m.into()));
            continue;
        };
        if let Some(line) = first.get(&t.id) {
            let problem = Problem::DuplicateInFile(*line);
            errors.push(RowError { row: row.line, column: header(C::Who), value: who_cell.clone(), problem });
            continue;
        }
        first.insert(t.id, row.line);
        let Some(channel) = Channel::parse(&cell(C::Channel)) else {
            let m = l.pick("寄送方式须为“机要”或“EMS”。", "The channel must be 机要 or EMS.");
            errors.push(field_error(row.line, &header(C::Channel), &cell(C::Channel), m.into()));
            continue;
        };
        let tracking_no = cell(C::TrackingNo).to_uppercase();
        let action = Action::Dispatch { channel, tracking_no };
        match act(&mut tx, who, t, &action, None).await? {
            Ok(_) => done += 1,
            Err(e) => {
                let column = match e {
                    Refused::NoTrackingNo => C::TrackingNo,
                    _ => C::Who,
                };
                let m = match e {
                    Refused::Skipped => format!("{}（{}）", e.told(l), t.state.label(l)),
                    _ => e.told(l).to_owned(),
                };
                errors.push(field_error(row.line, &header(column), &cell(column), m));
            }
        }
    }
    let rows = table.rows.len();
    drop(table);
    if !errors.is_empty() {
        drop(tx);
        return rejected(file_name, bytes, rules::tracking_columns, limits, rows, errors, l).await;
    }
    if done == 0 {
        return Err(ImportError::Read(ReadError::Empty));
    }
    let change = Change::new("import", "archive_batch", batch.id)
        .after(json!({ "file": file_name, "rows": done }))
        .about(Subject::institution(batch.institution_id));
    audit::record(&mut tx, who, change).await?;
    tx.commit().await?;
    Ok(Outcome::Imported { rows })
}

/// The state and since when of the transfer with this number for this name;
/// nothing else, and `None` alike for an unknown number and a wrong name.
pub async fn check(tx: &mut Tx, number: &str, name: &str) -> DbResult<Option<(State, String)>> {
    let Some(number) = rules::normalise_transfer_no(number) else { return Ok(None) };
    let r = tx
        .fetch_optional(
            "SELECT g.name, t.state, t.state_since FROM archive_transfers t JOIN graduates g ON g.id = t.graduate_id \
             WHERE t.transfer_no = $1",
            &[number.into()],
        )
        .await?;
    let Some(r) = r else { return Ok(None) };
    let wanted = rules::normalise_name(name);
    if wanted.is_empty() || rules::normalise_name(&r.text("name")?) != wanted {
        return Ok(None);
    }
    let since: String = time::display(&r.text("state_since")?).chars().take(10).collect();
    Ok(Some((State::parse(&r.text("state")?).unwrap_or(State::Pending), since)))
}

// ---------------------------------------------------------------- figures

/// The counts of a cohort's transfers, for one institution or the province.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counts {
    pub institution_id: i64,
    pub institution: String,
    pub graduates: i64,
    pub pending: i64,
    pub no_receiver: i64,
    pub confirmed: i64,
    pub sealed: i64,
    pub dispatched: i64,
    pub received: i64,
    pub returned: i64,
    pub overdue: i64,
}

impl Counts {
    /// Receivers confirmed: every transfer past pending.
    pub fn with_receiver(&self) -> i64 {
        self.confirmed + self.sealed + self.dispatched + self.received
    }

    /// Received out of graduates, in per cent with one place.
    pub fn completion(&self) -> String {
        match self.graduates {
            0 => "—".into(),
            g => format!("{:.1}%", self.received as f64 * 100.0 / g as f64),
        }
    }
}

/// Per institution (all of them when `institution` is `None`), by code.
pub async fn counts(db: &Db, cohort: i64, institution: Option<i64>, today: chrono::NaiveDate) -> DbResult<Vec<Counts>> {
    let mut sql = "SELECT i.id, i.name, \
         (SELECT COUNT(*) FROM graduates g WHERE g.institution_id = i.id AND g.cohort_year = $1) AS graduates, \
         SUM(CASE WHEN t.state = 'pending' THEN 1 ELSE 0 END) AS pending, \
         SUM(CASE WHEN t.state = 'pending' AND t.problem IS NOT NULL THEN 1 ELSE 0 END) AS no_receiver, \
         SUM(CASE WHEN t.state = 'confirmed' THEN 1 ELSE 0 END) AS confirmed, \
         SUM(CASE WHEN t.state = 'sealed' THEN 1 ELSE 0 END) AS sealed, \
         SUM(CASE WHEN t.state = 'dispatched' THEN 1 ELSE 0 END) AS dispatched, \
         SUM(CASE WHEN t.state = 'received' THEN 1 ELSE 0 END) AS received, \
         SUM(CASE WHEN t.returns > 0 THEN 1 ELSE 0 END) AS returned, \
         SUM(CASE WHEN t.state <> 'received' AND b.deadline < $2 THEN 1 ELSE 0 END) AS overdue \
         FROM institutions i LEFT JOIN archive_transfers t ON t.institution_id = i.id AND t.cohort_year = $1 \
         LEFT JOIN archive_batches b ON b.id = t.batch_id WHERE 1 = 1"
        .to_owned();
    let mut args: Vec<Value> = vec![cohort.into(), today.to_string().into()];
    if let Some(i) = institution {
        sql.push_str(" AND i.id = $3");
        args.push(i.into());
    }
    sql.push_str(" GROUP BY i.id, i.name, i.code ORDER BY i.code");
    let rows = db.fetch_all(&sql, &args).await?;
    let n = |r: &Row, c: &str| r.opt_i64(c).map(Option::unwrap_or_default);
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        let c = Counts {
            institution_id: r.i64("id")?,
            institution: r.text("name")?,
            graduates: n(r, "graduates")?,
            pending: n(r, "pending")?,
            no_receiver: n(r, "no_receiver")?,
            confirmed: n(r, "confirmed")?,
            sealed: n(r, "sealed")?,
            dispatched: n(r, "dispatched")?,
            received: n(r, "received")?,
            returned: n(r, "returned")?,
            overdue: n(r, "overdue")?,
        };
        // Institutions without graduates of the cohort are left out of the province's table.
        if c.graduates > 0 || institution.is_some() {
            out.push(c);
        }
    }
    Ok(out)
}

/// The sum of per-institution counts.
pub fn total(rows: &[Counts]) -> Counts {
    let mut t = Counts::default();
    for c in rows {
        t.graduates += c.graduates;
        t.pending += c.pending;
        t.no_receiver += c.no_receiver;
        t.confirmed += c.confirmed;
        t.sealed += c.sealed;
        t.dispatched += c.dispatched;
        t.received += c.received;
        t.returned += c.returned;
        t.overdue += c.overdue;
    }
    t
}

/// (received, dispatched so far, graduates) of the cohort, for the live figures.
pub async fn reading(db: &Db, cohort: i64, institution: Option<i64>) -> DbResult<(i64, i64, i64)> {
    let (wt, wg, args): (&str, &str, Vec<Value>) = match institution {
        Some(i) => (" AND institution_id = $2", " AND institution_id = $2", vec![cohort.into(), i.into()]),
        None => ("", "", vec![cohort.into()]),
    };
    let r = db
        .fetch_one(
            &format!(
                "SELECT (SELECT COUNT(*) FROM archive_transfers WHERE cohort_year = $1 AND state = 'received'{wt}) AS received, \
                 (SELECT COUNT(*) FROM archive_transfers WHERE cohort_year = $1 AND state IN ('dispatched', 'received'){wt}) AS dispatched, \
                 (SELECT COUNT(*) FROM graduates WHERE cohort_year = $1{wg}) AS graduates"
            ),
            &args,
        )
        .await?;
    Ok((r.i64("received")?, r.i64("dispatched")?, r.i64("graduates")?))
}

// ---------------------------------------------------------------- reminders

/// The reminders' job in `job_runs`.
pub const JOB: &str = "archive_reminders";

/// A batch the reminders look at.
struct Due {
    id: i64,
    institution_id: i64,
    name: String,
    deadline: chrono::NaiveDate,
    waiting: i64,
}

/// A return still waiting to be sent again.
struct Waiting {
    id: i64,
    institution_id: i64,
    returns: i64,
    returned_on: chrono::NaiveDate,
}

/// Remembers one reminder; false when it was sent before (another run, another server).
async fn remembered(tx: &mut Tx, kind: &str, ref_id: i64, round: i64) -> DbResult<bool> {
    let wrote = tx
        .execute(
            "INSERT INTO archive_reminders (kind, ref_id, round, sent_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (kind, ref_id, round) DO NOTHING",
            &[kind.into(), ref_id.into(), round.into(), time::now_utc().into()],
        )
        .await?;
    Ok(wrote > 0)
}

/// Tells each institution (`registry::notices::send`) about its batches
/// whose deadline is within `days` of `today` (China) or has passed with
/// archives not yet dispatched, and about its returned archives not sent
/// again `days` after the return: each batch once per state, each return
/// once. Returns how many notices were sent.
pub async fn send_reminders(db: &Db, today: chrono::NaiveDate, days: u32) -> DbResult<usize> {
    use crate::remind::{self, BatchReminder};
    let who = AuditActor::system(JOB);
    let until = today + chrono::Duration::days(i64::from(days));
    let rows = db
        .fetch_all(
            "SELECT b.id, b.institution_id, b.name, b.deadline, \
             (SELECT COUNT(*) FROM archive_transfers t WHERE t.batch_id = b.id AND t.state IN ('confirmed', 'sealed')) AS waiting \
             FROM archive_batches b WHERE b.deadline <= $1 \
             AND NOT EXISTS (SELECT 1 FROM archive_reminders r WHERE r.kind = 'batch_passed' AND r.ref_id = b.id) \
             ORDER BY b.deadline, b.id",
            &[until.to_string().into()],
        )
        .await?;
    let mut due = Vec::with_capacity(rows.len());
    for r in &rows {
        let Ok(deadline) = r.text("deadline")?.parse::<chrono::NaiveDate>() else { continue };
        due.push(Due {
            id: r.i64("id")?,
            institution_id: r.i64("institution_id")?,
            name: r.text("name")?,
            deadline,
            waiting: r.i64("waiting")?,
        });
    }
    let mut sent = 0;
    for b in due {
        let Some(reminder) = remind::batch_reminder(b.deadline, today, days, b.waiting) else { continue };
        let mut tx = db.begin().await?;
        if !remembered(&mut tx, reminder.key(), b.id, 0).await? {
            continue;
        }
        let (name, deadline, n) = (&b.name, b.deadline, b.waiting);
        let message = match reminder {
            BatchReminder::Near => format!(
                "档案转递提醒：批次“{name}”将于 {deadline} 截止，尚有 {n} 份档案未寄出。 / Archive reminder: batch “{name}” is due on {deadline} and {n} archives are not dispatched yet."
            ),
            BatchReminder::Passed => format!(
                "档案转递提醒：批次“{name}”已于 {deadline} 截止，仍有 {n} 份档案未寄出，请尽快寄出。 / Archive reminder: batch “{name}” was due on {deadline} and {n} archives are still not dispatched."
            ),
        };
        // A topic per batch and state: the notices page keeps one unread notice per topic.
        let topic = format!("archives_{}_{}", reminder.key(), b.id);
        registry::notices::send(&mut tx, &who, b.institution_id, &topic, &message).await?;
        let change = Change::new("remind", "archive_batch", b.id)
            .after(json!({ "kind": reminder.key(), "deadline": deadline.to_string(), "waiting": n }))
            .about(Subject::institution(b.institution_id));
        audit::record(&mut tx, &who, change).await?;
        tx.commit().await?;
        sent += 1;
    }

    // Returns: one notice per institution listing how many wait.
    let rows = db
        .fetch_all(
            "SELECT t.id, t.institution_id, t.returns, \
             (SELECT MAX(s.at) FROM archive_steps s WHERE s.step = 'return' AND s.transfer_id = t.id) AS returned_at \
             FROM archive_transfers t WHERE t.returns > 0 AND t.state IN ('confirmed', 'sealed') \
             AND NOT EXISTS (SELECT 1 FROM archive_reminders r WHERE r.kind = $1 AND r.ref_id = t.id AND r.round = t.returns) \
             ORDER BY t.institution_id, t.id",
            &[remind::RETURNED.into()],
        )
        .await?;
    let mut by_institution: std::collections::BTreeMap<i64, Vec<Waiting>> = std::collections::BTreeMap::new();
    for r in &rows {
        let Some(at) = r.opt_text("returned_at")? else { continue };
        let Ok(at) = chrono::DateTime::parse_from_rfc3339(&at) else { continue };
        let w = Waiting {
            id: r.i64("id")?,
            institution_id: r.i64("institution_id")?,
            returns: r.i64("returns")?,
            returned_on: at.with_timezone(&time::china()).date_naive(),
        };
        if remind::return_waiting(w.returned_on, today, days) {
            by_institution.entry(w.institution_id).or_default().push(w);
        }
    }
    for (institution, waiting) in by_institution {
        let mut tx = db.begin().await?;
        let n = waiting.len();
        let message = format!(
            "档案转递提醒：有 {n} 份退回的档案尚未重新寄出，请确认接收单位后重新寄送。 / Archive reminder: {n} returned archives have not been sent again; confirm their receivers and send them."
        );
        // Not told while the last such notice is unread: those stay unremembered, for the next one.
        if !registry::notices::send(&mut tx, &who, institution, "archives_returned", &message).await? {
            continue;
        }
        for w in &waiting {
            remembered(&mut tx, remind::RETURNED, w.id, w.returns).await?;
        }
        let ids: Vec<i64> = waiting.iter().map(|w| w.id).collect();
        let change = Change::new("remind", "archive_transfer", 0)
            .after(json!({ "kind": remind::RETURNED, "transfers": ids }))
            .about(Subject::institution(institution));
        audit::record(&mut tx, &who, change).await?;
        tx.commit().await?;
        sent += 1;
    }
    Ok(sent)
}
