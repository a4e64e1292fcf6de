//! Destinations (毕业去向): registering and updating a graduate's destination as
//! an append-only event with the current state beside it, and the graduate's
//! own confirmation or dispute (实名核验).

use std::collections::{HashMap, HashSet};

use kernel::audit::{self, AuditActor, Change, Subject};
use kernel::web::FieldErrors;
use kernel::{codes, time, DbError, DbResult, FromRow, Locale, Record, Row, Tx, Value};

pub mod api;
pub mod batch;
pub mod evidence;
pub mod listing;
pub mod pages;
mod rules;

pub use rules::{check, documents, missing, Checked, Codes, DestinationForm, Needs, Rules};

impl DestinationForm {
    /// The graduate's current destination as the form shows it, ready to update;
    /// empty when nothing is recorded. The note is per change, so it starts empty.
    pub async fn current(db: &kernel::Db, graduate_id: i64) -> kernel::DbResult<DestinationForm> {
        let row = db
            .fetch_optional(
                "SELECT e.category_code, e.employer_name, e.credit_code, e.position_code, e.nature_code, e.industry_code, \
                 e.region_code, e.signed_on FROM destinations d JOIN destination_events e ON e.id = d.last_event_id \
                 WHERE d.graduate_id = $1",
                &[graduate_id.into()],
            )
            .await?;
        let Some(r) = row else { return Ok(DestinationForm::default()) };
        let text = |c: &str| r.opt_text(c).map(Option::unwrap_or_default);
        Ok(DestinationForm {
            category_code: text("category_code")?,
            employer_name: text("employer_name")?,
            credit_code: text("credit_code")?,
            position_code: text("position_code")?,
            nature_code: text("nature_code")?,
            industry_code: text("industry_code")?,
            region_code: text("region_code")?,
            signed_on: text("signed_on")?,
            note: String::new(),
            correction: String::new(),
        })
    }
}

/// A graduate's current destination as pages show it; empty when none is recorded.
#[derive(Debug, Default)]
pub struct Current {
    /// The cohort's destination code-table version.
    pub version: String,
    pub category: String,
    pub employer: String,
    pub signed_on: String,
    pub confirmation: String,
    pub dispute_reason: String,
}

impl FromRow for Current {
    fn from_row(r: &Row) -> DbResult<Current> {
        let text = |c: &str| r.opt_text(c).map(Option::unwrap_or_default);
        Ok(Current {
            version: text("destination_version")?,
            category: text("category")?,
            employer: text("employer_name")?,
            signed_on: text("signed_on")?,
            confirmation: text("confirmation")?,
            dispute_reason: text("dispute_reason")?,
        })
    }
}

/// The graduate's current destination, its category named in the reader's language.
pub async fn current(db: &kernel::Db, graduate_id: i64, l: Locale) -> DbResult<Current> {
    let row = db
        .first(
            &format!(
                "SELECT co.destination_version, {} AS category, d.employer_name, d.signed_on, d.confirmation, d.dispute_reason \
                 FROM graduates g JOIN cohorts co ON co.year = g.cohort_year LEFT JOIN destinations d ON d.graduate_id = g.id \
                 LEFT JOIN code_tables ct ON ct.kind = 'destination' AND ct.version = co.destination_version AND ct.code = d.category_code \
                 WHERE g.id = $1",
                codes::name_sql("ct", l)
            ),
            &[graduate_id.into()],
        )
        .await?;
    Ok(row.unwrap_or_default())
}

/// One change in the destination history.
pub struct Event {
    pub id: i64,
    pub at: String,
    pub actor: String,
    pub category: String,
    pub employer: String,
    pub credit_code: String,
    pub region: String,
    pub signed_on: String,
    pub note: String,
    /// 核查更正: why this change corrected the record; empty for other changes.
    pub correction: String,
}

impl FromRow for Event {
    fn from_row(r: &Row) -> DbResult<Event> {
        let text = |c: &str| r.opt_text(c).map(Option::unwrap_or_default);
        Ok(Event {
            id: r.i64("id")?,
            at: time::display(&r.text("at")?),
            actor: r.text("actor_label")?,
            category: text("category")?,
            employer: text("employer_name")?,
            credit_code: text("credit_code")?,
            region: text("region_code")?,
            signed_on: text("signed_on")?,
            note: text("note")?,
            correction: text("correction")?,
        })
    }
}

/// A graduate's destination events, newest first, named in the reader's
/// language; regions written out in full ("湖南省长沙市岳麓区").
pub async fn history(db: &kernel::Db, graduate_id: i64, l: Locale) -> DbResult<Vec<Event>> {
    let sql = format!(
        "SELECT e.id, e.at, e.actor_label, {} AS category, e.employer_name, e.credit_code, e.region_code, e.signed_on, e.note, \
         e.correction FROM destination_events e LEFT JOIN code_tables ct ON ct.kind = 'destination' AND ct.version = e.code_version AND ct.code = e.category_code \
         WHERE e.graduate_id = $1 ORDER BY e.id DESC",
        codes::name_sql("ct", l)
    );
    let mut events: Vec<Event> = db.all(&sql, &[graduate_id.into()]).await?;
    let names = registry::reference::full_region_names(db, events.iter().map(|e| e.region.as_str())).await?;
    for e in &mut events {
        e.region = names.full(&e.region);
    }
    Ok(events)
}

impl Codes {
    pub async fn load(tx: &mut Tx, version: &str) -> Result<Codes, kernel::DbError> {
        let mut sets: Vec<HashSet<String>> = Vec::new();
        for (kind, v) in
            [("destination", version), ("position_category", "base"), ("unit_nature", "base"), ("industry", "base")]
        {
            let rows = tx
                .fetch_all("SELECT code FROM code_tables WHERE kind = $1 AND version = $2", &[kind.into(), v.into()])
                .await?;
            sets.push(rows.iter().map(|r| r.text("code")).collect::<Result<_, _>>()?);
        }
        let industries = sets.pop().unwrap_or_default();
        let natures = sets.pop().unwrap_or_default();
        let positions = sets.pop().unwrap_or_default();
        let categories = sets.pop().unwrap_or_default();
        let regions = registry::reference::region_index_in(tx).await?;
        let evidence = Rules::load(tx, version).await?;
        let rows = tx.fetch_all("SELECT category_code, fields FROM destination_fields", &[]).await?;
        let pairs: Vec<(String, String)> =
            rows.iter().map(|r| Ok((r.text("category_code")?, r.text("fields")?))).collect::<DbResult<_>>()?;
        let needs = Needs::from_rows(pairs.iter().map(|(c, f)| (c.as_str(), f.as_str())));
        Ok(Codes { version: version.to_owned(), categories, positions, natures, industries, regions, evidence, needs })
    }
}

/// Where a graduate belongs: what an event needs besides the destination.
pub struct Owner {
    pub graduate_id: i64,
    pub cohort: i64,
    pub institution_id: i64,
}

impl Owner {
    pub async fn of(tx: &mut Tx, graduate_id: i64) -> DbResult<Owner> {
        let g = tx
            .fetch_optional("SELECT cohort_year, institution_id FROM graduates WHERE id = $1", &[graduate_id.into()])
            .await?
            .ok_or(DbError::Missing("graduate"))?;
        Ok(Owner { graduate_id, cohort: g.i64("cohort_year")?, institution_id: g.i64("institution_id")? })
    }

    /// Whom the audit record of a change to this destination is about.
    pub fn subject(&self) -> Subject {
        Subject::graduate(self.graduate_id, self.institution_id)
    }
}

/// Appends the event recorded at `at` (an RFC 3339 instant) and moves the
/// current state; with `append_many`, the one way destination events are
/// written. Tells the statistics projection first, so the cohort's row lock
/// orders event ids (see `statistics::projection`). No audit record: callers
/// write one per form or per batch, after the append. Locks are taken in one
/// order, the cohort's row, then a new employer's code, then an audit chain's
/// head: a caller that wrote an audit record first could hold a chain that a
/// batch holding the cohort waits for, and the two would deadlock.
pub async fn append(
    tx: &mut Tx,
    who: &AuditActor,
    owner: &Owner,
    codes: &Codes,
    d: &Checked,
    at: &str,
) -> DbResult<i64> {
    registry::cohorts::destinations_changing(tx, owner.cohort).await?;
    let employer_id = employer_of(tx, who, d).await?;
    let event_id = tx.insert_id("destination_events", event_record(who, owner, codes, d, at, employer_id)).await?;
    let missing = missing(codes.evidence.required(&d.category), &[]);
    let current = current_record(owner, event_id, d, at, missing, employer_id);
    tx.insert_records("destinations", vec![current], MOVE_CURRENT).await?;
    Ok(event_id)
}

/// The registered employer a destination names by credit code, recorded in
/// the registry when it is new there (`registry::employers::id_for_destination`).
async fn employer_of(tx: &mut Tx, who: &AuditActor, d: &Checked) -> DbResult<Option<i64>> {
    match known_employer(d) {
        Some(known) => registry::employers::id_for_destination(tx, who, known).await.map(Some),
        None => Ok(None),
    }
}

/// What a destination says of its employer, when it names one by credit code.
fn known_employer(d: &Checked) -> Option<registry::employers::Known<'_>> {
    Some(registry::employers::Known {
        credit_code: d.credit_code.as_deref()?,
        name: d.employer_name.as_deref(),
        region_code: d.region.as_deref(),
        nature_code: d.nature.as_deref(),
        industry_code: d.industry.as_deref(),
    })
}

/// One event of a batch for `append_many`.
pub struct Appended {
    pub owner: Owner,
    pub destination: Checked,
    /// When it was recorded (RFC 3339).
    pub at: String,
    /// The registered employer, as `registry::employers::id_for_destination` found it.
    pub employer_id: Option<i64>,
    /// Documents that came with the record, attached to its event.
    pub documents: Vec<Held>,
}

/// A document in hand when an event is appended: a stored file, or an online agreement.
pub struct Held {
    pub kind: String,
    pub file: Option<(String, kernel::files::Stored)>,
    pub agreement_id: Option<i64>,
}

/// Appends many events in bulk, as `append` does one by one: the events in
/// the order given (a graduate's last one becomes its current state), each
/// with the documents that came with it. Returns the events' ids in order.
pub async fn append_many(tx: &mut Tx, who: &AuditActor, codes: &Codes, events: Vec<Appended>) -> DbResult<Vec<i64>> {
    let cohorts: std::collections::BTreeSet<i64> = events.iter().map(|e| e.owner.cohort).collect();
    for cohort in cohorts {
        registry::cohorts::destinations_changing(tx, cohort).await?;
    }
    let ids = tx.reserve_ids("destination_events", events.len()).await?;
    let mut records = Vec::with_capacity(events.len());
    let mut documents = Vec::new();
    let mut current = std::collections::HashMap::with_capacity(events.len());
    for (e, &id) in events.iter().zip(&ids) {
        records.push(event_record(who, &e.owner, codes, &e.destination, &e.at, e.employer_id).set("id", id));
        let have: Vec<String> = e.documents.iter().map(|h| h.kind.clone()).collect();
        let missing = missing(codes.evidence.required(&e.destination.category), &have);
        let state = current_record(&e.owner, id, &e.destination, &e.at, missing, e.employer_id);
        current.insert(e.owner.graduate_id, (id, state));
        documents.extend(e.documents.iter().map(|h| evidence::held_record(who, e.owner.graduate_id, id, h, &e.at)));
    }
    tx.insert_records("destination_events", records, "").await?;
    let mut current: Vec<(i64, Record)> = current.into_values().collect();
    current.sort_by_key(|(id, _)| *id);
    tx.insert_records("destinations", current.into_iter().map(|(_, r)| r).collect(), MOVE_CURRENT).await?;
    tx.insert_records("destination_evidence", documents, "").await?;
    Ok(ids)
}

fn event_record(
    who: &AuditActor,
    owner: &Owner,
    codes: &Codes,
    d: &Checked,
    at: &str,
    employer_id: Option<i64>,
) -> Record {
    Record::new()
        .set("graduate_id", owner.graduate_id)
        .set("cohort_year", owner.cohort)
        .set("institution_id", owner.institution_id)
        .set("at", at)
        .set("actor_id", who.account_id)
        .set("actor_label", who.label.as_str())
        .set("code_version", codes.version.as_str())
        .set("category_code", d.category.as_str())
        .set("employer_name", d.employer_name.clone())
        .set("credit_code", d.credit_code.clone())
        .set("position_code", d.position.clone())
        .set("nature_code", d.nature.clone())
        .set("industry_code", d.industry.clone())
        .set("region_code", d.region.clone())
        .set("signed_on", d.signed_on.clone())
        .set("note", d.note.clone())
        .set("correction", d.correction.clone())
        .set("employer_id", employer_id)
}

/// The graduate's current destination after an event: a changed destination
/// needs the graduate's confirmation again, and its own evidence.
fn current_record(
    owner: &Owner,
    event_id: i64,
    d: &Checked,
    at: &str,
    missing: String,
    employer_id: Option<i64>,
) -> Record {
    Record::new()
        .set("graduate_id", owner.graduate_id)
        .set("cohort_year", owner.cohort)
        .set("institution_id", owner.institution_id)
        .set("last_event_id", event_id)
        .set("category_code", d.category.as_str())
        .set("employer_name", d.employer_name.clone())
        .set("credit_code", d.credit_code.clone())
        .set("region_code", d.region.clone())
        .set("signed_on", d.signed_on.clone())
        .set("updated_at", at)
        .set("confirmation", "pending")
        .set("evidence_missing", missing)
        .set("employer_id", employer_id)
}

const MOVE_CURRENT: &str = "ON CONFLICT (graduate_id) DO UPDATE SET last_event_id = excluded.last_event_id, \
    category_code = excluded.category_code, employer_name = excluded.employer_name, credit_code = excluded.credit_code, \
    region_code = excluded.region_code, signed_on = excluded.signed_on, updated_at = excluded.updated_at, \
    confirmation = 'pending', dispute_reason = NULL, evidence_missing = excluded.evidence_missing, \
    employer_id = excluded.employer_id";

/// `append` now: what forms, batches and agreements record.
pub async fn write(tx: &mut Tx, who: &AuditActor, owner: &Owner, codes: &Codes, d: &Checked) -> DbResult<i64> {
    append(tx, who, owner, codes, d, &time::now_utc()).await
}

/// What the audit log keeps of a current destination.
const IMAGE: &str = "category_code, employer_name, credit_code, region_code, signed_on";

/// The audit image (`IMAGE`) of the destination `d` has just become.
fn image(d: &Checked) -> serde_json::Value {
    serde_json::json!({
        "category_code": d.category, "employer_name": d.employer_name, "credit_code": d.credit_code,
        "region_code": d.region, "signed_on": d.signed_on,
    })
}

/// The audit images of the current destinations of an institution's cohort, by graduate.
async fn images(tx: &mut Tx, institution_id: i64, cohort: i64) -> DbResult<HashMap<i64, serde_json::Value>> {
    let sql = format!("SELECT graduate_id, {IMAGE} FROM destinations WHERE institution_id = $1 AND cohort_year = $2");
    let rows = tx.fetch_all(&sql, &[institution_id.into(), cohort.into()]).await?;
    rows.iter()
        .map(|r| {
            let mut image = r.to_json();
            if let Some(fields) = image.as_object_mut() {
                fields.remove("graduate_id");
            }
            Ok((r.i64("graduate_id")?, image))
        })
        .collect()
}

/// The graduate of an institution's cohort with this student number.
pub async fn graduate_by_student_no(
    db: &kernel::Db,
    institution_id: i64,
    cohort: i64,
    student_no: &str,
) -> DbResult<Option<i64>> {
    let row = db
        .fetch_optional(
            "SELECT id FROM graduates WHERE institution_id = $1 AND cohort_year = $2 AND student_no = $3",
            &[institution_id.into(), cohort.into(), student_no.into()],
        )
        .await?;
    row.map(|r| r.i64("id")).transpose()
}

/// Fills in a registered employer from its credit code, checks the form and,
/// when it is right, appends the event, moves the current
/// state and writes the audit record, all in `tx`. The graduate must already
/// be known to be in the caller's scope.
pub async fn record(
    tx: &mut Tx,
    who: &AuditActor,
    graduate_id: i64,
    mut form: DestinationForm,
    l: Locale,
) -> Result<Result<i64, (DestinationForm, FieldErrors)>, kernel::DbError> {
    let cohort = registry::cohorts::of_graduate(tx, graduate_id).await?.ok_or(DbError::Missing("graduate"))?;
    let codes = Codes::load(tx, &cohort.destination_version).await?;
    // A registered employer's credit code fills in what staff left empty, with or without the page's script.
    if let Ok(code) = kernel::validate::credit_code(form.credit_code.trim()) {
        if let Some(card) = registry::employers::card_in(tx, &code).await? {
            form.fill_from(&card);
        }
    }
    let checked = match check(&form, &codes, l) {
        Ok(c) => c,
        Err(errors) => return Ok(Err((form, errors))),
    };
    let sql = format!("SELECT {IMAGE} FROM destinations WHERE graduate_id = $1");
    let before = tx.fetch_optional(&sql, &[graduate_id.into()]).await?.map(|r| r.to_json());
    let owner = Owner::of(tx, graduate_id).await?;
    let event_id = write(tx, who, &owner, &codes, &checked).await?;
    let mut after = image(&checked);
    // A correction after verification is its own action in the audit log, with its reason.
    let action = match (&checked.correction, after.as_object_mut()) {
        (Some(why), Some(fields)) => {
            fields.insert("correction".into(), why.clone().into());
            "correct"
        }
        _ => "record",
    };
    let change = Change::new(action, "destination", graduate_id).before(before).after(after);
    audit::record(tx, who, change.about(owner.subject())).await?;
    Ok(Ok(event_id))
}

/// Graduates' answers in bulk, as `answer` gives one: `None` confirms, a
/// reason disputes. For generated and migrated records; no audit record (the
/// caller writes one for the whole run).
pub async fn answer_many(tx: &mut Tx, answers: &[(i64, Option<String>)]) -> DbResult<()> {
    let mut by_answer: std::collections::BTreeMap<Option<&str>, Vec<Value>> = std::collections::BTreeMap::new();
    for (graduate_id, reason) in answers {
        by_answer.entry(reason.as_deref()).or_default().push((*graduate_id).into());
    }
    for (reason, graduates) in by_answer {
        let state = if reason.is_some() { "disputed" } else { "confirmed" };
        for chunk in graduates.chunks(10_000) {
            // On SQLite `placeholders` gives plain `?`, which cannot follow `$1`: every mark comes from it.
            let b = tx.backend();
            let (state_mark, reason_mark) = (kernel::db::placeholders(b, 1, 1), kernel::db::placeholders(b, 2, 1));
            let marks = kernel::db::placeholders(b, 3, chunk.len());
            let sql = format!(
                "UPDATE destinations SET confirmation = {state_mark}, dispute_reason = {reason_mark} \
                 WHERE graduate_id IN ({marks})"
            );
            let mut params: Vec<Value> = vec![state.into(), reason.map(str::to_owned).into()];
            params.extend(chunk.iter().cloned());
            tx.execute(&sql, &params).await?;
        }
    }
    Ok(())
}

/// The answers to an institution's recorded destinations in a cohort:
/// (graduate, confirmation, dispute reason), by graduate; inside a write, for generated data.
pub async fn answers_of(tx: &mut Tx, cohort: i64, institution_id: i64) -> DbResult<Vec<(i64, String, Option<String>)>> {
    let rows = tx
        .fetch_all(
            "SELECT graduate_id, confirmation, dispute_reason FROM destinations \
             WHERE cohort_year = $1 AND institution_id = $2 ORDER BY graduate_id",
            &[cohort.into(), institution_id.into()],
        )
        .await?;
    rows.iter().map(|r| Ok((r.i64("graduate_id")?, r.text("confirmation")?, r.opt_text("dispute_reason")?))).collect()
}

/// The graduate's answer to its own record: confirm, or dispute with a reason.
pub async fn answer(
    tx: &mut Tx,
    who: &AuditActor,
    graduate_id: i64,
    dispute: Option<&str>,
) -> Result<bool, kernel::DbError> {
    let before = tx
        .fetch_optional(
            "SELECT confirmation, dispute_reason, institution_id FROM destinations WHERE graduate_id = $1",
            &[graduate_id.into()],
        )
        .await?;
    let Some(before) = before else { return Ok(false) };
    let subject = Subject::graduate(graduate_id, before.i64("institution_id")?);
    let before = serde_json::json!({
        "confirmation": before.text("confirmation")?, "dispute_reason": before.opt_text("dispute_reason")?,
    });
    let (state, reason) = match dispute {
        Some(reason) => ("disputed", Some(reason.to_owned())),
        None => ("confirmed", None),
    };
    tx.execute(
        "UPDATE destinations SET confirmation = $1, dispute_reason = $2 WHERE graduate_id = $3",
        &[state.into(), reason.clone().into(), graduate_id.into()],
    )
    .await?;
    let after = serde_json::json!({ "confirmation": state, "dispute_reason": reason });
    let action = if dispute.is_some() { "dispute" } else { "confirm" };
    audit::record(tx, who, Change::new(action, "destination", graduate_id).before(before).after(after).about(subject))
        .await?;
    Ok(true)
}
