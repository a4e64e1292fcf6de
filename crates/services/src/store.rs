//! The services' SQL: the catalogue (seeded once from
//! data/services/catalogue.json, then the province's), requests with their
//! events, the queues, the escalation of overdue steps and the figures.
//! Every write is audited in its transaction.

use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::json;

use kernel::audit::{self, AuditActor, Change, Subject};
use kernel::auth::{Owner, Owners, Scope};
use kernel::calendar::Calendar;
use kernel::db::{Record, SqlBuilder};
use kernel::{time, Db, DbResult, Locale, Row, Tx};

use crate::rules::{self, CheckedItem, Field, Level, Position, State, Step, Variant};

/// The first catalogue, as the repository ships it.
const CATALOGUE: &str = include_str!("../../../data/services/catalogue.json");

// ---------------------------------------------------------------- the catalogue

/// A service item (服务事项) with its guide (办事指南).
#[derive(Debug, Clone)]
pub struct Item {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub name_en: String,
    pub conditions: String,
    pub conditions_en: String,
    pub materials: String,
    pub materials_en: String,
    pub time_limit: i64,
    pub variants: Vec<Variant>,
    pub fields: Vec<Field>,
    pub steps: Vec<Step>,
}

impl Item {
    pub fn label(&self, l: Locale) -> &str {
        pick(l, &self.name, &self.name_en)
    }
    pub fn conditions_in(&self, l: Locale) -> &str {
        pick(l, &self.conditions, &self.conditions_en)
    }
    pub fn materials_in(&self, l: Locale) -> &str {
        pick(l, &self.materials, &self.materials_en)
    }
    pub fn variant(&self, code: &str) -> Option<&Variant> {
        self.variants.iter().find(|v| v.code == code)
    }
}

fn pick<'a>(l: Locale, zh: &'a str, en: &'a str) -> &'a str {
    match l {
        Locale::En if !en.is_empty() => en,
        _ => zh,
    }
}

#[derive(Deserialize)]
struct SeedItem {
    code: String,
    name: String,
    name_en: String,
    conditions: String,
    conditions_en: String,
    materials: String,
    materials_en: String,
    time_limit: u32,
    variants: Vec<SeedVariant>,
    fields: Vec<SeedField>,
    steps: Vec<SeedStep>,
}

#[derive(Deserialize)]
struct SeedVariant {
    code: String,
    name: String,
    name_en: String,
}

#[derive(Deserialize)]
struct SeedField {
    key: String,
    label: String,
    label_en: String,
    required: bool,
}

#[derive(Deserialize)]
struct SeedStep {
    name: String,
    name_en: String,
    level: String,
    days: u32,
}

/// The catalogue file read; a broken file is a build-time mistake the unit test catches.
fn shipped() -> Result<Vec<(String, CheckedItem)>, String> {
    let items: Vec<SeedItem> = serde_json::from_str(CATALOGUE).map_err(|e| e.to_string())?;
    items
        .into_iter()
        .map(|s| {
            let steps = s
                .steps
                .into_iter()
                .map(|t| {
                    let level = Level::from_key(&t.level).ok_or_else(|| format!("{}: level {}", s.code, t.level))?;
                    Ok(Step { name: t.name, name_en: t.name_en, level, days: t.days })
                })
                .collect::<Result<Vec<_>, String>>()?;
            let item = CheckedItem {
                name: s.name,
                name_en: s.name_en,
                conditions: s.conditions,
                conditions_en: s.conditions_en,
                materials: s.materials,
                materials_en: s.materials_en,
                time_limit: s.time_limit,
                variants: s
                    .variants
                    .into_iter()
                    .map(|v| Variant { code: v.code, name: v.name, name_en: v.name_en })
                    .collect(),
                fields: s
                    .fields
                    .into_iter()
                    .map(|f| Field { key: f.key, label: f.label, label_en: f.label_en, required: f.required })
                    .collect(),
                steps,
            };
            Ok((s.code, item))
        })
        .collect()
}

/// Writes the shipped catalogue's items the database lacks (by code); how
/// many. Run at start-up with the reference data (`jiuye::open`), so the
/// catalogue is there before any page asks; the province's edits are kept,
/// as an item already there is never written again.
pub async fn seed_catalogue(tx: &mut Tx) -> DbResult<usize> {
    let items = match shipped() {
        Ok(items) => items,
        Err(e) => {
            tracing::error!(error = %e, "data/services/catalogue.json cannot be read");
            return Ok(0);
        }
    };
    let who = AuditActor::system("services_catalogue");
    let mut written = 0;
    for (position, (code, c)) in items.iter().enumerate() {
        let exists = tx.fetch_optional("SELECT id FROM service_items WHERE code = $1", &[code.as_str().into()]).await?;
        if exists.is_some() {
            continue;
        }
        let row = item_row(c)
            .set("code", code.as_str())
            .set("position", i64::try_from(position).unwrap_or(0))
            .set("updated_by_label", who.label.as_str());
        let id = tx.insert_id("service_items", row).await?;
        audit::record(tx, &who, Change::created("service_item", id, image(c))).await?;
        written += 1;
    }
    Ok(written)
}

fn item_row(c: &CheckedItem) -> Record {
    Record::new()
        .set("name", c.name.as_str())
        .set("name_en", c.name_en.as_str())
        .set("conditions", c.conditions.as_str())
        .set("conditions_en", c.conditions_en.as_str())
        .set("materials", c.materials.as_str())
        .set("materials_en", c.materials_en.as_str())
        .set("time_limit", c.time_limit)
        .set("variants", rules::variants_text(&c.variants))
        .set("fields", rules::fields_text(&c.fields))
        .set("steps", rules::steps_text(&c.steps))
        .set("updated_at", time::now_utc())
}

fn image(c: &CheckedItem) -> serde_json::Value {
    json!({ "name": c.name, "name_en": c.name_en, "conditions": c.conditions, "materials": c.materials,
        "time_limit": c.time_limit, "variants": rules::variants_text(&c.variants),
        "fields": rules::fields_text(&c.fields), "steps": rules::steps_text(&c.steps) })
}

const ITEM: &str = "SELECT id, code, name, name_en, conditions, conditions_en, materials, materials_en, time_limit, \
     variants, fields, steps FROM service_items";

fn item_of(r: &Row) -> DbResult<Item> {
    // Stored lines were checked on the way in; a line that no longer parses is dropped, not fatal.
    let l = Locale::Zh;
    Ok(Item {
        id: r.i64("id")?,
        code: r.text("code")?,
        name: r.text("name")?,
        name_en: r.text("name_en")?,
        conditions: r.text("conditions")?,
        conditions_en: r.text("conditions_en")?,
        materials: r.text("materials")?,
        materials_en: r.text("materials_en")?,
        time_limit: r.i64("time_limit")?,
        variants: rules::parse_variants(&r.text("variants")?, l).unwrap_or_default(),
        fields: rules::parse_fields(&r.text("fields")?, l).unwrap_or_default(),
        steps: rules::parse_steps(&r.text("steps")?, l).unwrap_or_default(),
    })
}

pub async fn items(db: &Db) -> DbResult<Vec<Item>> {
    db.fetch_all(&format!("{ITEM} ORDER BY position, id"), &[]).await?.iter().map(item_of).collect()
}

/// The items inside a transaction (the demo's).
pub async fn items_in(tx: &mut Tx) -> DbResult<Vec<Item>> {
    tx.fetch_all(&format!("{ITEM} ORDER BY position, id"), &[]).await?.iter().map(item_of).collect()
}

pub async fn item(db: &Db, code: &str) -> DbResult<Option<Item>> {
    db.fetch_optional(&format!("{ITEM} WHERE code = $1"), &[code.into()]).await?.as_ref().map(item_of).transpose()
}

/// Saves the province's edit of an item's guide; requests already made keep their own copy of the steps.
pub async fn save_item(tx: &mut Tx, who: &AuditActor, before: &Item, c: &CheckedItem) -> DbResult<()> {
    tx.update("service_items", item_row(c).set("updated_by_label", who.label.as_str()), "id", before.id).await?;
    let was = json!({ "name": before.name, "name_en": before.name_en, "conditions": before.conditions,
        "materials": before.materials, "time_limit": before.time_limit,
        "variants": rules::variants_text(&before.variants), "fields": rules::fields_text(&before.fields),
        "steps": rules::steps_text(&before.steps) });
    audit::record(tx, who, Change::updated("service_item", before.id, was, image(c))).await
}

// ---------------------------------------------------------------- requests

/// One answer on a request, with the field's labels as they were when asked.
#[derive(Debug, Clone, serde::Serialize, Deserialize)]
pub struct Answer {
    pub key: String,
    pub label: String,
    pub label_en: String,
    pub value: String,
}

impl Answer {
    pub fn label(&self, l: Locale) -> &str {
        pick(l, &self.label, &self.label_en)
    }
}

/// A graduate's request (办件).
#[derive(Debug, Clone)]
pub struct Request {
    pub id: i64,
    pub item_code: String,
    pub item_name: String,
    pub item_name_en: String,
    pub graduate_id: i64,
    pub graduate_name: String,
    pub student_no: String,
    pub institution_id: i64,
    pub institution_name: String,
    pub college_id: i64,
    pub variant: String,
    pub answers: Vec<Answer>,
    pub steps: Vec<Step>,
    pub state: State,
    pub step: usize,
    pub step_due: NaiveDate,
    pub escalated: bool,
    pub was_overdue: bool,
    pub on_time: Option<bool>,
    pub reason: String,
    pub result_note: String,
    pub submitted_on: String,
    pub completed_on: Option<String>,
}

impl Request {
    pub fn item_label(&self, l: Locale) -> &str {
        pick(l, &self.item_name, &self.item_name_en)
    }

    pub fn position(&self) -> Position {
        Position { state: self.state, step: self.step, steps: self.steps.len().max(1) }
    }

    pub fn current_step(&self) -> Option<&Step> {
        self.steps.get(self.step)
    }

    pub fn owner(&self) -> Owner {
        Owner {
            institution: Some(self.institution_id),
            college: Some(self.college_id),
            graduate: Some(self.graduate_id),
            ..Owner::default()
        }
    }

    fn subject(&self) -> Subject {
        Subject::graduate(self.graduate_id, self.institution_id)
    }
}

const REQUEST: &str =
    "SELECT r.id, i.code AS item_code, i.name AS item_name, i.name_en AS item_name_en, r.graduate_id, \
     g.name AS graduate_name, g.student_no, r.institution_id, s.name AS institution_name, r.college_id, r.variant, \
     r.answers, r.steps, r.state, r.step_no, r.step_due, r.escalated, r.was_overdue, r.on_time, r.reason, \
     r.result_note, r.submitted_on, r.completed_on \
     FROM service_requests r JOIN service_items i ON i.id = r.item_id JOIN graduates g ON g.id = r.graduate_id \
     JOIN institutions s ON s.id = r.institution_id";

const OWNERS: Owners<'static> = Owners {
    institution: Some("r.institution_id"),
    college: Some("r.college_id"),
    graduate: Some("r.graduate_id"),
    ..Owners::NONE
};

fn request_of(r: &Row) -> DbResult<Request> {
    let step_due = r.text("step_due")?.parse::<NaiveDate>().unwrap_or_else(|_| time::today_china());
    Ok(Request {
        id: r.i64("id")?,
        item_code: r.text("item_code")?,
        item_name: r.text("item_name")?,
        item_name_en: r.text("item_name_en")?,
        graduate_id: r.i64("graduate_id")?,
        graduate_name: r.text("graduate_name")?,
        student_no: r.text("student_no")?,
        institution_id: r.i64("institution_id")?,
        institution_name: r.text("institution_name")?,
        college_id: r.i64("college_id")?,
        variant: r.text("variant")?,
        answers: serde_json::from_str(&r.text("answers")?).unwrap_or_default(),
        steps: rules::parse_steps(&r.text("steps")?, Locale::Zh).unwrap_or_default(),
        state: State::from_key(&r.text("state")?).unwrap_or(State::Open),
        step: usize::try_from(r.i64("step_no")?).unwrap_or(0),
        step_due,
        escalated: r.i64("escalated")? != 0,
        was_overdue: r.i64("was_overdue")? != 0,
        on_time: r.opt_i64("on_time")?.map(|v| v != 0),
        reason: r.text("reason")?,
        result_note: r.text("result_note")?,
        submitted_on: r.text("submitted_on")?,
        completed_on: r.opt_text("completed_on")?,
    })
}

/// One request, whoever owns it: the page decides with `Scope::may_see`.
/// One request inside a transaction (the demo's).
pub async fn request_in(tx: &mut Tx, id: i64) -> DbResult<Option<Request>> {
    tx.fetch_optional(&format!("{REQUEST} WHERE r.id = $1"), &[id.into()]).await?.as_ref().map(request_of).transpose()
}

pub async fn request(db: &Db, id: i64) -> DbResult<Option<Request>> {
    db.fetch_optional(&format!("{REQUEST} WHERE r.id = $1"), &[id.into()]).await?.as_ref().map(request_of).transpose()
}

/// Which requests a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Queue {
    /// Waiting for the institution: open at an institution step.
    Institution,
    /// Waiting for the province: open at a province step, or escalated to it.
    Province,
    /// Any request in this state.
    In(State),
    /// Open and past the step's deadline.
    Overdue,
    All,
}

/// The requests the scope may see in a queue, oldest deadline first; at most 500.
pub async fn list(db: &Db, scope: &Scope, queue: Queue, today: NaiveDate) -> DbResult<Option<Vec<Request>>> {
    let mut w = SqlBuilder::new(&format!("{REQUEST} WHERE 1 = 1"));
    if scope.restrict(&mut w, OWNERS).is_err() {
        return Ok(None);
    }
    match queue {
        Queue::Institution => {
            w.push(" AND r.state = 'open' AND r.step_level = 'institution'");
        }
        Queue::Province => {
            w.push(" AND r.state = 'open' AND (r.step_level = 'province' OR r.escalated = 1)");
        }
        Queue::In(s) => {
            w.push(" AND r.state = ").bind(s.key());
        }
        Queue::Overdue => {
            w.push(" AND r.state = 'open' AND r.step_due < ").bind(today.to_string());
        }
        Queue::All => {}
    }
    w.push(" ORDER BY r.step_due, r.id LIMIT 500");
    let rows = db.fetch_all(&w.sql, &w.params).await?;
    Ok(Some(rows.iter().map(request_of).collect::<DbResult<_>>()?))
}

/// What happened to a request (办理记录).
#[derive(Debug, Clone)]
pub struct Event {
    pub at: String,
    pub by: String,
    pub action: String,
    pub step_no: i64,
    pub note: String,
}

pub async fn events(db: &Db, request_id: i64) -> DbResult<Vec<Event>> {
    let rows = db
        .fetch_all(
            "SELECT at, by_label, action, step_no, note FROM service_request_events WHERE request_id = $1 ORDER BY id",
            &[request_id.into()],
        )
        .await?;
    rows.iter()
        .map(|r| {
            Ok(Event {
                at: time::display(&r.text("at")?),
                by: r.text("by_label")?,
                action: r.text("action")?,
                step_no: r.i64("step_no")?,
                note: r.text("note")?,
            })
        })
        .collect()
}

async fn event(tx: &mut Tx, who: &AuditActor, id: i64, action: &str, step: usize, note: &str) -> DbResult<()> {
    let row = Record::new()
        .set("request_id", id)
        .set("at", time::now_utc())
        .set("by_label", who.label.as_str())
        .set("action", action)
        .set("step_no", i64::try_from(step).unwrap_or(0))
        .set("note", note);
    tx.insert("service_request_events", row).await?;
    Ok(())
}

/// The graduate a request is made for: its institution and college.
pub async fn graduate_home(db: &Db, graduate_id: i64) -> DbResult<Option<(i64, i64)>> {
    db.fetch_optional("SELECT institution_id, college_id FROM graduates WHERE id = $1", &[graduate_id.into()])
        .await?
        .map(|r| -> DbResult<_> { Ok((r.i64("institution_id")?, r.i64("college_id")?)) })
        .transpose()
}

/// What a new request holds.
pub struct NewRequest<'a> {
    pub item: &'a Item,
    pub graduate_id: i64,
    pub institution_id: i64,
    pub college_id: i64,
    pub variant: String,
    pub answers: Vec<Answer>,
    /// The day it is submitted (China time), from which the first step's deadline runs.
    pub today: NaiveDate,
}

/// Files a request at the item's first step; its id.
pub async fn create(tx: &mut Tx, who: &AuditActor, calendar: &Calendar, n: &NewRequest<'_>) -> DbResult<i64> {
    let first = n.item.steps.first().cloned().unwrap_or(Step {
        name: "受理".into(),
        name_en: "Intake".into(),
        level: Level::Institution,
        days: 1,
    });
    let due = rules::step_due(calendar, n.today, first.days);
    let answers = serde_json::to_string(&n.answers).unwrap_or_else(|_| "[]".into());
    let now = time::now_utc();
    let row = Record::new()
        .set("item_id", n.item.id)
        .set("graduate_id", n.graduate_id)
        .set("institution_id", n.institution_id)
        .set("college_id", n.college_id)
        .set("variant", n.variant.as_str())
        .set("answers", answers.as_str())
        .set("steps", rules::steps_text(&n.item.steps))
        .set("state", State::Open.key())
        .set("step_no", 0i64)
        .set("step_level", first.level.key())
        .set("step_due", due.to_string())
        .set("escalated", 0i64)
        .set("was_overdue", 0i64)
        .set("reason", "")
        .set("result_note", "")
        .set("submitted_on", n.today.to_string())
        .set("created_at", now.as_str())
        .set("updated_at", now.as_str());
    let id = tx.insert_id("service_requests", row).await?;
    event(tx, who, id, "submit", 0, "").await?;
    let after = json!({ "item": n.item.code, "variant": n.variant, "answers": n.answers, "step_due": due.to_string() });
    let change =
        Change::created("service_request", id, after).about(Subject::graduate(n.graduate_id, n.institution_id));
    audit::record(tx, who, change).await?;
    Ok(id)
}

/// A material (申请材料) a graduate attached to a request: a checked PDF or image in the file store.
#[derive(Debug, Clone)]
pub struct Material {
    pub id: i64,
    pub file_name: String,
    pub sha256: String,
    pub content_type: String,
    pub size: i64,
}

impl Material {
    pub fn size_text(&self) -> String {
        if self.size < 1024 * 1024 {
            format!("{} KB", (self.size + 1023) / 1024)
        } else {
            format!("{:.1} MB", self.size as f64 / (1024.0 * 1024.0))
        }
    }
}

/// Keeps a material with its request, in the request's transaction.
pub async fn add_material(
    tx: &mut Tx,
    who: &AuditActor,
    request: i64,
    subject: Subject,
    shown: &str,
    stored: &kernel::files::Stored,
) -> DbResult<i64> {
    let row = Record::new()
        .set("request_id", request)
        .set("file_name", shown)
        .set("sha256", stored.sha256.as_str())
        .set("content_type", stored.kind.content_type())
        .set("size", i64::try_from(stored.size).unwrap_or(i64::MAX))
        .set("created_at", time::now_utc());
    let id = tx.insert_id("service_request_materials", row).await?;
    let after = json!({ "request_id": request, "file_name": shown, "sha256": stored.sha256 });
    audit::record(tx, who, Change::created("service_request_material", id, after).about(subject)).await?;
    Ok(id)
}

const MATERIAL: &str = "SELECT id, file_name, sha256, content_type, size FROM service_request_materials";

fn material_of(r: &Row) -> DbResult<Material> {
    Ok(Material {
        id: r.i64("id")?,
        file_name: r.text("file_name")?,
        sha256: r.text("sha256")?,
        content_type: r.text("content_type")?,
        size: r.i64("size")?,
    })
}

/// A request's materials, in the order they came; the page has checked who may see them.
pub async fn materials(db: &Db, request: i64) -> DbResult<Vec<Material>> {
    db.fetch_all(&format!("{MATERIAL} WHERE request_id = $1 ORDER BY id"), &[request.into()])
        .await?
        .iter()
        .map(material_of)
        .collect()
}

/// One material of a request (`None` when it is not that request's).
pub async fn material(db: &Db, request: i64, id: i64) -> DbResult<Option<Material>> {
    db.fetch_optional(&format!("{MATERIAL} WHERE request_id = $1 AND id = $2"), &[request.into(), id.into()])
        .await?
        .as_ref()
        .map(material_of)
        .transpose()
}

/// Writes a handler's or the graduate's action: the new position, the next
/// step's deadline counted from today, the note; resubmitted answers when given.
#[allow(clippy::too_many_arguments)]
pub async fn act(
    tx: &mut Tx,
    who: &AuditActor,
    calendar: &Calendar,
    r: &Request,
    action: rules::Action,
    next: Position,
    note: &str,
    answers: Option<&[Answer]>,
    today: NaiveDate,
) -> DbResult<()> {
    let moved = next.step != r.step || action == rules::Action::Resubmit;
    let late = r.state == State::Open && rules::overdue(today, r.step_due);
    let was_overdue = r.was_overdue || late;
    let mut row = Record::new()
        .set("state", next.state.key())
        .set("step_no", i64::try_from(next.step).unwrap_or(0))
        .set("was_overdue", i64::from(was_overdue))
        .set("updated_at", time::now_utc());
    if moved {
        let step = r.steps.get(next.step);
        let days = step.map(|s| s.days).unwrap_or(1);
        row = row
            .set("step_due", rules::step_due(calendar, today, days).to_string())
            .set("step_level", step.map(|s| s.level).unwrap_or(Level::Institution).key())
            .set("escalated", 0i64);
    }
    match action {
        rules::Action::Return | rules::Action::Refuse => row = row.set("reason", note),
        rules::Action::Complete => {
            row = row
                .set("result_note", note)
                .set("completed_on", today.to_string())
                .set("on_time", i64::from(rules::on_time(was_overdue, today, r.step_due)))
        }
        _ => {}
    }
    if let Some(a) = answers {
        row = row.set("answers", serde_json::to_string(a).unwrap_or_else(|_| "[]".into()));
    }
    tx.update("service_requests", row, "id", r.id).await?;
    event(tx, who, r.id, action.key(), next.step, note).await?;
    let before = json!({ "state": r.state.key(), "step_no": r.step, "step_due": r.step_due.to_string() });
    let after = json!({ "state": next.state.key(), "step_no": next.step, "note": note, "answers": answers });
    let change = Change::new(action.key(), "service_request", r.id).before(before).after(after).about(r.subject());
    audit::record(tx, who, change).await
}

/// The escalation job's name in `job_runs`.
pub const JOB: &str = "service_escalation";

/// Reports every open request past its step's deadline to the next level
/// (超时上报), once per step: marks it escalated (the province's queue then
/// shows it as 已超时), notes it, and tells the institution through its
/// notices. Returns how many were escalated.
pub async fn escalate_overdue(db: &Db, today: NaiveDate) -> DbResult<usize> {
    let who = AuditActor::system(JOB);
    let rows = db
        .fetch_all(
            &format!("{REQUEST} WHERE r.state = 'open' AND r.escalated = 0 AND r.step_due < $1 ORDER BY r.id"),
            &[today.to_string().into()],
        )
        .await?;
    let overdue: Vec<Request> = rows.iter().map(request_of).collect::<DbResult<_>>()?;
    let mut done = 0;
    for r in overdue.iter().filter(|r| rules::escalates(r.state, today, r.step_due, r.escalated)) {
        let mut tx = db.begin().await?;
        if escalate_one(&mut tx, &who, r).await? {
            tx.commit().await?;
            done += 1;
        }
    }
    Ok(done)
}

/// Escalates one overdue request unless another run already did; whether it did.
pub async fn escalate_one(tx: &mut Tx, who: &AuditActor, r: &Request) -> DbResult<bool> {
    let changed = tx
        .execute(
            "UPDATE service_requests SET escalated = 1, was_overdue = 1, updated_at = $1 WHERE id = $2 AND escalated = 0",
            &[time::now_utc().into(), r.id.into()],
        )
        .await?;
    if changed == 0 {
        return Ok(false);
    }
    let step = r.current_step().map(|s| s.name.clone()).unwrap_or_default();
    event(tx, who, r.id, "escalate", r.step, &format!("{step}：{}", r.step_due)).await?;
    let message = format!(
        "一件事一次办：{} 的“{}”申请在“{step}”环节已超过时限（{}），已上报省教育厅。 / A one-stop request by {} is past its step's deadline ({}) and was escalated to the province.",
        r.graduate_name, r.item_name, r.step_due, r.graduate_name, r.step_due
    );
    registry::notices::send(tx, who, r.institution_id, "services_overdue", &message).await?;
    let change = Change::new("escalate", "service_request", r.id)
        .after(json!({ "step_no": r.step, "step_due": r.step_due.to_string() }))
        .about(r.subject());
    audit::record(tx, who, change).await?;
    Ok(true)
}

// ---------------------------------------------------------------- figures

/// Completed requests done within their deadlines, out of all completed, for
/// a cohort's graduates, province-wide or for one institution.
pub async fn on_time(db: &Db, cohort: i64, institution: Option<i64>) -> DbResult<(i64, i64)> {
    let mut w = SqlBuilder::new(
        "SELECT COUNT(*) AS n, COALESCE(SUM(CASE WHEN r.on_time = 1 THEN 1 ELSE 0 END), 0) AS ok \
         FROM service_requests r JOIN graduates g ON g.id = r.graduate_id WHERE r.state = 'completed' AND g.cohort_year = ",
    );
    w.bind(cohort);
    if let Some(i) = institution {
        w.push(" AND r.institution_id = ").bind(i);
    }
    let row = db.fetch_one(&w.sql, &w.params).await?;
    Ok((row.i64("ok")?, row.i64("n")?))
}

/// Open requests past their step's deadline.
pub async fn overdue(db: &Db, cohort: i64, institution: Option<i64>, today: NaiveDate) -> DbResult<i64> {
    let mut w = SqlBuilder::new(
        "SELECT COUNT(*) AS n FROM service_requests r JOIN graduates g ON g.id = r.graduate_id \
         WHERE r.state = 'open' AND r.step_due < ",
    );
    w.bind(today.to_string()).push(" AND g.cohort_year = ").bind(cohort);
    if let Some(i) = institution {
        w.push(" AND r.institution_id = ").bind(i);
    }
    db.fetch_one(&w.sql, &w.params).await?.i64("n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_catalogue_reads_and_passes_the_provinces_checks() {
        let items = shipped().expect("catalogue.json");
        assert!(items.len() >= 5);
        for (code, c) in &items {
            let form = rules::ItemForm {
                name: c.name.clone(),
                name_en: c.name_en.clone(),
                conditions: c.conditions.clone(),
                conditions_en: c.conditions_en.clone(),
                materials: c.materials.clone(),
                materials_en: c.materials_en.clone(),
                time_limit: c.time_limit.to_string(),
                variants: rules::variants_text(&c.variants),
                fields: rules::fields_text(&c.fields),
                steps: rules::steps_text(&c.steps),
            };
            assert!(rules::check_item(&form, Locale::Zh).is_ok(), "{code}");
        }
    }
}
