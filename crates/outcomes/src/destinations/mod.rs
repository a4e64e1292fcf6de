//! Destinations (毕业去向): registering and updating a graduate's destination as
//! an append-only event with the current state beside it, and the graduate's
//! own confirmation or dispute (实名核验).

use std::collections::{HashMap, HashSet};

use kernel::audit::{self, AuditActor, Change, Subject};
use kernel::web::FieldErrors;
use kernel::{time, DbError, DbResult, FromRow, Locale, Record, Row, Tx};

pub mod batch;
pub mod evidence;
pub mod listing;
pub mod pages;
mod rules;

pub use rules::{check, documents, missing, Checked, Codes, DestinationForm, Rules};

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

pub async fn current(db: &kernel::Db, graduate_id: i64) -> DbResult<Current> {
    let row = db
        .first(
            "SELECT co.destination_version, ct.name AS category, d.employer_name, d.signed_on, d.confirmation, d.dispute_reason \
             FROM graduates g JOIN cohorts co ON co.year = g.cohort_year LEFT JOIN destinations d ON d.graduate_id = g.id \
             LEFT JOIN code_tables ct ON ct.kind = 'destination' AND ct.version = co.destination_version AND ct.code = d.category_code \
             WHERE g.id = $1",
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
        })
    }
}

/// A graduate's destination events, newest first.
pub async fn history(db: &kernel::Db, graduate_id: i64) -> DbResult<Vec<Event>> {
    db.all(
        "SELECT e.id, e.at, e.actor_label, ct.name AS category, e.employer_name, e.credit_code, e.region_code, e.signed_on, e.note \
         FROM destination_events e LEFT JOIN code_tables ct ON ct.kind = 'destination' AND ct.version = e.code_version AND ct.code = e.category_code \
         WHERE e.graduate_id = $1 ORDER BY e.id DESC",
        &[graduate_id.into()],
    )
    .await
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
        Ok(Codes { version: version.to_owned(), categories, positions, natures, industries, regions, evidence })
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
/// current state; the one way destination events are written. Tells the
/// statistics projection first, so the cohort's row lock orders event ids
/// (see `statistics::projection`). No audit record: callers write one per
/// form or per batch.
pub async fn append(
    tx: &mut Tx,
    who: &AuditActor,
    owner: &Owner,
    codes: &Codes,
    d: &Checked,
    at: &str,
) -> DbResult<i64> {
    registry::cohorts::destinations_changing(tx, owner.cohort).await?;
    let employer_id = match &d.credit_code {
        Some(code) => {
            let known = registry::employers::Known {
                credit_code: code,
                name: d.employer_name.as_deref(),
                region_code: d.region.as_deref(),
                nature_code: d.nature.as_deref(),
                industry_code: d.industry.as_deref(),
            };
            Some(registry::employers::id_for_destination(tx, who, known).await?)
        }
        None => None,
    };
    let event = Record::new()
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
        .set("employer_id", employer_id);
    let event_id = tx.insert_id("destination_events", event).await?;
    // A changed destination needs the graduate's confirmation again, and its own evidence.
    tx.execute(
        "INSERT INTO destinations (graduate_id, cohort_year, institution_id, last_event_id, category_code, employer_name, credit_code, region_code, signed_on, updated_at, confirmation, evidence_missing, employer_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'pending', $11, $12) \
         ON CONFLICT (graduate_id) DO UPDATE SET last_event_id = excluded.last_event_id, category_code = excluded.category_code, \
         employer_name = excluded.employer_name, credit_code = excluded.credit_code, region_code = excluded.region_code, \
         signed_on = excluded.signed_on, updated_at = excluded.updated_at, confirmation = 'pending', dispute_reason = NULL, \
         evidence_missing = excluded.evidence_missing, employer_id = excluded.employer_id",
        &[
            owner.graduate_id.into(),
            owner.cohort.into(),
            owner.institution_id.into(),
            event_id.into(),
            d.category.as_str().into(),
            d.employer_name.clone().into(),
            d.credit_code.clone().into(),
            d.region.clone().into(),
            d.signed_on.clone().into(),
            at.into(),
            missing(codes.evidence.required(&d.category), &[]).into(),
            employer_id.into(),
        ],
    )
    .await?;
    Ok(event_id)
}

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

/// Checks the form and, when it is right, appends the event, moves the current
/// state and writes the audit record, all in `tx`. The graduate must already
/// be known to be in the caller's scope.
pub async fn record(
    tx: &mut Tx,
    who: &AuditActor,
    graduate_id: i64,
    form: &DestinationForm,
    l: Locale,
) -> Result<Result<i64, FieldErrors>, kernel::DbError> {
    let cohort = registry::cohorts::of_graduate(tx, graduate_id).await?.ok_or(DbError::Missing("graduate"))?;
    let codes = Codes::load(tx, &cohort.destination_version).await?;
    let checked = match check(form, &codes, l) {
        Ok(c) => c,
        Err(errors) => return Ok(Err(errors)),
    };
    let sql = format!("SELECT {IMAGE} FROM destinations WHERE graduate_id = $1");
    let before = tx.fetch_optional(&sql, &[graduate_id.into()]).await?.map(|r| r.to_json());
    let owner = Owner::of(tx, graduate_id).await?;
    let event_id = write(tx, who, &owner, &codes, &checked).await?;
    let change = Change::new("record", "destination", graduate_id).before(before).after(image(&checked));
    audit::record(tx, who, change.about(owner.subject())).await?;
    Ok(Ok(event_id))
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
