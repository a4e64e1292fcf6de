//! The trainings' SQL: trainings, enrolments, attendance and completion.
//! Every write is audited in its transaction; completion writes the ledger
//! entry of the training kind in the same transaction.

use std::collections::HashMap;

use kernel::audit::{self, AuditActor, Change, Subject};
use kernel::auth::{Owners, Scope};
use kernel::db::{Record, SqlBuilder};
use kernel::{codes, time, Db, DbResult, Locale, Row, Tx};
use serde_json::json;

use super::rules::{self, Audience, Checked, CheckedSession, Rule};
use crate::store::{NewEntry, Person};

/// The training kinds' code table.
pub const KINDS: &str = "training_kind";

fn owners() -> Owners<'static> {
    Owners { institution: Some("g.institution_id"), college: Some("g.college_id"), ..Owners::NONE }
}

/// The training kinds: (code, name).
pub async fn kinds(db: &Db, l: Locale) -> DbResult<Vec<(String, String)>> {
    Ok(codes::list(db, KINDS, codes::BASE_VERSION)
        .await?
        .iter()
        .map(|c| (c.code.clone(), c.label(l).to_owned()))
        .collect())
}

/// A training as its pages show it.
#[derive(Debug, Clone)]
pub struct Training {
    pub id: i64,
    pub base_id: Option<i64>,
    pub base_name: Option<String>,
    /// The host institution of its base, whose staff manage it.
    pub host_institution: Option<i64>,
    pub title: String,
    pub kind: String,
    pub starts_on: String,
    pub ends_on: String,
    pub online: bool,
    pub place: String,
    pub capacity: i64,
    pub audience: Audience,
    pub rule: Rule,
    pub enrolled: i64,
    /// When and why it was cancelled; a cancelled training takes nothing more.
    pub cancelled_at: Option<String>,
    pub cancel_reason: Option<String>,
}

impl Training {
    pub fn is_cancelled(&self) -> bool {
        self.cancelled_at.is_some()
    }
}

const TRAINING: &str = "SELECT t.id, t.base_id, b.name AS base_name, b.host_institution_id, t.title, t.kind_code, \
    t.starts_on, t.ends_on, t.online, t.place, t.capacity, t.audience_groups, t.audience_institutions, \
    (SELECT COUNT(*) FROM training_sessions s WHERE s.training_id = t.id) AS sessions, t.required, \
    (SELECT COUNT(*) FROM training_enrolments e WHERE e.training_id = t.id) AS enrolled, t.cancelled_at, t.cancel_reason \
    FROM trainings t LEFT JOIN training_bases b ON b.id = t.base_id";

fn training_of(r: &Row) -> DbResult<Training> {
    let n = |v: i64| u32::try_from(v).unwrap_or(0);
    Ok(Training {
        id: r.i64("id")?,
        base_id: r.opt_i64("base_id")?,
        base_name: r.opt_text("base_name")?,
        host_institution: r.opt_i64("host_institution_id")?,
        title: r.text("title")?,
        kind: r.text("kind_code")?,
        starts_on: r.text("starts_on")?,
        ends_on: r.text("ends_on")?,
        online: r.i64("online")? != 0,
        place: r.text("place")?,
        capacity: r.i64("capacity")?,
        audience: Audience::from_columns(&r.text("audience_groups")?, &r.text("audience_institutions")?),
        rule: Rule { sessions: n(r.i64("sessions")?), required: n(r.i64("required")?) },
        enrolled: r.i64("enrolled")?,
        cancelled_at: r.opt_text("cancelled_at")?,
        cancel_reason: r.opt_text("cancel_reason")?,
    })
}

/// Every training, the latest first; `base` keeps one base's.
pub async fn list(db: &Db, base: Option<i64>) -> DbResult<Vec<Training>> {
    let rows = match base {
        Some(b) => {
            db.fetch_all(&format!("{TRAINING} WHERE t.base_id = $1 ORDER BY t.starts_on DESC, t.id"), &[b.into()])
                .await?
        }
        None => db.fetch_all(&format!("{TRAINING} ORDER BY t.starts_on DESC, t.id"), &[]).await?,
    };
    rows.iter().map(training_of).collect()
}

pub async fn get(db: &Db, id: i64) -> DbResult<Option<Training>> {
    db.fetch_optional(&format!("{TRAINING} WHERE t.id = $1"), &[id.into()]).await?.as_ref().map(training_of).transpose()
}

/// Stores a new training (of a base, or the province's own).
pub async fn create(tx: &mut Tx, who: &AuditActor, base: Option<i64>, c: &Checked) -> DbResult<i64> {
    let row = Record::new()
        .set("base_id", base)
        .set("title", c.title.as_str())
        .set("kind_code", c.kind.as_str())
        .set("starts_on", c.starts_on.to_string())
        .set("ends_on", c.ends_on.to_string())
        .set("online", i64::from(c.online))
        .set("place", c.place.as_str())
        .set("capacity", c.capacity)
        .set("audience_groups", c.audience.groups_column())
        .set("audience_institutions", c.audience.institutions_column())
        .set("sessions", i64::from(c.rule.sessions))
        .set("required", i64::from(c.rule.required))
        .set("created_at", time::now_utc())
        .set("created_by_label", who.label.as_str());
    let id = tx.insert_id("trainings", row).await?;
    for (k, day) in rules::spread(c.starts_on, c.ends_on, c.rule.sessions).into_iter().enumerate() {
        let session = CheckedSession {
            held_on: day,
            starts_at: rules::DEFAULT_TIMES.0.to_owned(),
            ends_at: rules::DEFAULT_TIMES.1.to_owned(),
            online: c.online,
            place: c.place.clone(),
        };
        insert_session(tx, id, u32::try_from(k + 1).unwrap_or(u32::MAX), &session).await?;
    }
    let after = json!({ "base_id": base, "title": c.title, "kind_code": c.kind, "starts_on": c.starts_on,
        "ends_on": c.ends_on, "online": c.online, "place": c.place, "capacity": c.capacity,
        "audience_groups": c.audience.groups, "audience_institutions": c.audience.institutions,
        "sessions": c.rule.sessions, "required": c.rule.required });
    audit::record(tx, who, Change::created("training", id, after)).await?;
    Ok(id)
}

/// An enrolment with the sessions attended.
#[derive(Debug, Clone)]
pub struct Enrolment {
    pub id: i64,
    pub graduate_id: i64,
    pub name: String,
    pub student_no: String,
    pub institution_id: i64,
    pub institution: String,
    pub attended: Vec<u32>,
    pub completed_at: Option<String>,
}

impl Enrolment {
    pub fn was_at(&self, session: &u32) -> bool {
        self.attended.contains(session)
    }
}

/// The training's enrolments within the scope, by institution and student number.
/// A training's enrolments the viewer may see: an enrolment tells a key
/// group, so a college's staff see only the graduates they help.
pub async fn enrolments(db: &Db, viewer: &crate::store::Viewer, training: i64) -> DbResult<Vec<Enrolment>> {
    let mut w = SqlBuilder::new(
        "SELECT e.id, e.graduate_id, g.name, g.student_no, g.institution_id, i.name AS institution, e.completed_at \
         FROM training_enrolments e JOIN graduates g ON g.id = e.graduate_id \
         JOIN institutions i ON i.id = g.institution_id WHERE e.training_id = ",
    );
    w.bind(training);
    if viewer.restrict(&mut w).is_err() {
        return Ok(Vec::new());
    }
    w.push(" ORDER BY i.code, g.student_no");
    let rows = db.fetch_all(&w.sql, &w.params).await?;
    let mut attended = attendance(db, training).await?;
    rows.iter()
        .map(|r| {
            let graduate_id = r.i64("graduate_id")?;
            Ok(Enrolment {
                id: r.i64("id")?,
                graduate_id,
                name: r.text("name")?,
                student_no: r.text("student_no")?,
                institution_id: r.i64("institution_id")?,
                institution: r.text("institution")?,
                attended: attended.remove(&graduate_id).unwrap_or_default(),
                completed_at: r.opt_text("completed_at")?,
            })
        })
        .collect()
}

/// Sessions attended, by graduate.
async fn attendance(db: &Db, training: i64) -> DbResult<HashMap<i64, Vec<u32>>> {
    let rows = db
        .fetch_all(
            "SELECT a.graduate_id, a.session_no FROM training_attendance a JOIN training_sessions s \
             ON s.training_id = a.training_id AND s.session_no = a.session_no WHERE a.training_id = $1 ORDER BY a.session_no",
            &[training.into()],
        )
        .await?;
    let mut by: HashMap<i64, Vec<u32>> = HashMap::new();
    for r in rows {
        by.entry(r.i64("graduate_id")?).or_default().push(u32::try_from(r.i64("session_no")?).unwrap_or(0));
    }
    Ok(by)
}

/// Whether the graduate is enrolled.
pub async fn is_enrolled(db: &Db, training: i64, graduate: i64) -> DbResult<bool> {
    let n = db
        .scalar_i64(
            "SELECT COUNT(*) FROM training_enrolments WHERE training_id = $1 AND graduate_id = $2",
            &[training.into(), graduate.into()],
        )
        .await?;
    Ok(n > 0)
}

/// What an enrolment came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Enrolled {
    Done(i64),
    Already,
    Full,
}

/// Enrols the graduate unless it is enrolled already or the training is full,
/// both read again inside the transaction.
pub async fn enrol(tx: &mut Tx, who: &AuditActor, t: &Training, p: &Person) -> DbResult<Enrolled> {
    let already = tx
        .fetch_optional(
            "SELECT id FROM training_enrolments WHERE training_id = $1 AND graduate_id = $2",
            &[t.id.into(), p.id.into()],
        )
        .await?;
    if already.is_some() {
        return Ok(Enrolled::Already);
    }
    let taken = tx
        .fetch_one("SELECT COUNT(*) AS n FROM training_enrolments WHERE training_id = $1", &[t.id.into()])
        .await?
        .i64("n")?;
    if !super::rules::has_place(taken, t.capacity) {
        return Ok(Enrolled::Full);
    }
    let row = Record::new()
        .set("training_id", t.id)
        .set("graduate_id", p.id)
        .set("institution_id", p.institution_id)
        .set("enrolled_at", time::now_utc())
        .set("enrolled_by_label", who.label.as_str());
    let id = tx.insert_id("training_enrolments", row).await?;
    let change = Change::created("training_enrolment", id, json!({ "training_id": t.id, "graduate_id": p.id }))
        .about(Subject::graduate(p.id, p.institution_id));
    audit::record(tx, who, change).await?;
    Ok(Enrolled::Done(id))
}

/// Sets who attended one session, among the graduates the taker may see:
/// those in `present` are marked, the others of `listed` cleared.
pub async fn set_attendance(
    tx: &mut Tx,
    who: &AuditActor,
    t: &Training,
    session: u32,
    listed: &[i64],
    present: &[i64],
) -> DbResult<()> {
    let mut before = Vec::new();
    for g in listed {
        let was = tx
            .fetch_optional(
                "SELECT graduate_id FROM training_attendance WHERE training_id = $1 AND session_no = $2 AND graduate_id = $3",
                &[t.id.into(), i64::from(session).into(), (*g).into()],
            )
            .await?
            .is_some();
        if was {
            before.push(*g);
        }
        let now = present.contains(g);
        if was && !now {
            tx.execute(
                "DELETE FROM training_attendance WHERE training_id = $1 AND session_no = $2 AND graduate_id = $3",
                &[t.id.into(), i64::from(session).into(), (*g).into()],
            )
            .await?;
        } else if now && !was {
            let row = Record::new()
                .set("training_id", t.id)
                .set("session_no", i64::from(session))
                .set("graduate_id", *g)
                .set("marked_at", time::now_utc())
                .set("marked_by_label", who.label.as_str());
            tx.insert("training_attendance", row).await?;
        }
    }
    let now: Vec<i64> = listed.iter().copied().filter(|g| present.contains(g)).collect();
    let change = Change::new("attendance", "training", t.id)
        .before(json!({ "session": session, "present": before }))
        .after(json!({ "session": session, "present": now }));
    audit::record(tx, who, change).await
}

/// The ledger's kind for a completed training (职业培训或就业见习).
pub const LEDGER_KIND: &str = "04";

/// Marks the enrolment complete and writes the training's ledger entry for the graduate.
pub async fn complete(tx: &mut Tx, who: &AuditActor, t: &Training, p: &Person, enrolment: i64) -> DbResult<i64> {
    let entry = NewEntry {
        kind: LEDGER_KIND.to_owned(),
        at: time::today_china(),
        note: format!("完成培训：{}", t.title),
        ..NewEntry::default()
    };
    let entry_id = crate::store::add_entry(tx, who, p, &entry).await?;
    let done = Record::new().set("completed_at", time::now_utc()).set("entry_id", entry_id);
    tx.update("training_enrolments", done, "id", enrolment).await?;
    let change = Change::new("complete", "training_enrolment", enrolment)
        .after(json!({ "training_id": t.id, "entry_id": entry_id }))
        .about(Subject::graduate(p.id, p.institution_id));
    audit::record(tx, who, change).await?;
    Ok(entry_id)
}

/// One of the graduate's own enrolments.
#[derive(Debug, Clone)]
pub struct Mine {
    pub training: Training,
    pub sessions: Vec<Session>,
    pub attended: u32,
    pub completed: bool,
}

pub async fn mine(db: &Db, graduate: i64) -> DbResult<Vec<Mine>> {
    let rows = db
        .fetch_all(
            &format!(
                "{TRAINING} JOIN training_enrolments me ON me.training_id = t.id AND me.graduate_id = $1 \
                 ORDER BY t.starts_on DESC, t.id"
            ),
            &[graduate.into()],
        )
        .await?;
    let mut out = Vec::new();
    for r in &rows {
        let training = training_of(r)?;
        let attended = db
            .scalar_i64(
                "SELECT COUNT(*) FROM training_attendance a JOIN training_sessions s ON s.training_id = a.training_id \
                 AND s.session_no = a.session_no WHERE a.training_id = $1 AND a.graduate_id = $2",
                &[training.id.into(), graduate.into()],
            )
            .await?;
        let completed = db
            .scalar_i64(
                "SELECT COUNT(*) FROM training_enrolments WHERE training_id = $1 AND graduate_id = $2 AND completed_at IS NOT NULL",
                &[training.id.into(), graduate.into()],
            )
            .await?
            > 0;
        let sessions = sessions(db, training.id).await?;
        out.push(Mine { attended: u32::try_from(attended).unwrap_or(0), completed, sessions, training });
    }
    Ok(out)
}

/// One row of the per-institution table.
#[derive(Debug, Clone)]
pub struct TableRow {
    pub training_id: i64,
    pub title: String,
    pub institution: String,
    pub enrolled: i64,
    pub attended: i64,
    pub completed: i64,
}

/// Enrolment, attendance (at least one session) and completion per training
/// and institution within the scope; `training` keeps one.
pub async fn table(db: &Db, scope: &Scope, training: Option<i64>) -> DbResult<Vec<TableRow>> {
    let mut w = SqlBuilder::new(
        "SELECT t.id, t.title, i.name AS institution, COUNT(*) AS enrolled, \
         SUM(CASE WHEN EXISTS (SELECT 1 FROM training_attendance a WHERE a.training_id = e.training_id \
         AND a.graduate_id = e.graduate_id) THEN 1 ELSE 0 END) AS attended, \
         SUM(CASE WHEN e.completed_at IS NULL THEN 0 ELSE 1 END) AS completed \
         FROM training_enrolments e JOIN trainings t ON t.id = e.training_id \
         JOIN graduates g ON g.id = e.graduate_id JOIN institutions i ON i.id = g.institution_id WHERE 1 = 1",
    );
    if let Some(id) = training {
        w.push(" AND t.id = ").bind(id);
    }
    if scope.restrict(&mut w, owners()).is_err() {
        return Ok(Vec::new());
    }
    w.push(" GROUP BY t.id, t.title, t.starts_on, i.code, i.name ORDER BY t.starts_on DESC, t.id, i.code");
    let rows = db.fetch_all(&w.sql, &w.params).await?;
    rows.iter()
        .map(|r| {
            Ok(TableRow {
                training_id: r.i64("id")?,
                title: r.text("title")?,
                institution: r.text("institution")?,
                enrolled: r.i64("enrolled")?,
                attended: r.i64("attended")?,
                completed: r.i64("completed")?,
            })
        })
        .collect()
}

/// The graduate's key-group categories (the roster's and those staff added).
pub async fn categories_of(db: &Db, p: &Person) -> DbResult<Vec<String>> {
    Ok(crate::store::flags_of(db, p).await?.into_iter().map(|f| f.code).collect())
}

// ---------------------------------------------------------------- sessions

/// A session of a training: its number (never reused), day, times and place.
#[derive(Debug, Clone)]
pub struct Session {
    pub id: i64,
    pub no: u32,
    pub held_on: String,
    pub starts_at: String,
    pub ends_at: String,
    pub online: bool,
    pub place: String,
    /// How many attended it.
    pub present: i64,
}

/// The training's sessions by day and time.
pub async fn sessions(db: &Db, training: i64) -> DbResult<Vec<Session>> {
    let rows = db
        .fetch_all(
            "SELECT s.id, s.session_no, s.held_on, s.starts_at, s.ends_at, s.online, s.place, \
             (SELECT COUNT(*) FROM training_attendance a WHERE a.training_id = s.training_id \
             AND a.session_no = s.session_no) AS present \
             FROM training_sessions s WHERE s.training_id = $1 ORDER BY s.held_on, s.starts_at, s.session_no",
            &[training.into()],
        )
        .await?;
    rows.iter()
        .map(|r| {
            Ok(Session {
                id: r.i64("id")?,
                no: u32::try_from(r.i64("session_no")?).unwrap_or(0),
                held_on: r.text("held_on")?,
                starts_at: r.text("starts_at")?,
                ends_at: r.text("ends_at")?,
                online: r.i64("online")? != 0,
                place: r.text("place")?,
                present: r.i64("present")?,
            })
        })
        .collect()
}

fn session_image(no: u32, s: &CheckedSession) -> serde_json::Value {
    json!({ "session": no, "held_on": s.held_on, "starts_at": s.starts_at, "ends_at": s.ends_at,
        "online": s.online, "place": s.place })
}

async fn insert_session(tx: &mut Tx, training: i64, no: u32, s: &CheckedSession) -> DbResult<i64> {
    let row = Record::new()
        .set("training_id", training)
        .set("session_no", i64::from(no))
        .set("held_on", s.held_on.to_string())
        .set("starts_at", s.starts_at.as_str())
        .set("ends_at", s.ends_at.as_str())
        .set("online", i64::from(s.online))
        .set("place", s.place.as_str());
    tx.insert_id("training_sessions", row).await
}

/// The training's dates become its sessions' span, its count their number.
async fn sync_span(tx: &mut Tx, training: i64) -> DbResult<()> {
    let r = tx
        .fetch_one(
            "SELECT MIN(held_on) AS first, MAX(held_on) AS last, COUNT(*) AS n FROM training_sessions WHERE training_id = $1",
            &[training.into()],
        )
        .await?;
    if let (Some(first), Some(last)) = (r.opt_text("first")?, r.opt_text("last")?) {
        let row = Record::new().set("starts_on", first).set("ends_on", last).set("sessions", r.i64("n")?);
        tx.update("trainings", row, "id", training).await?;
    }
    Ok(())
}

/// Adds a session (the next number); returns its number.
pub async fn add_session(tx: &mut Tx, who: &AuditActor, t: &Training, s: &CheckedSession) -> DbResult<u32> {
    let last = tx
        .fetch_one(
            "SELECT COALESCE(MAX(session_no), 0) AS n FROM training_sessions WHERE training_id = $1",
            &[t.id.into()],
        )
        .await?
        .i64("n")?;
    let no = u32::try_from(last + 1).unwrap_or(u32::MAX);
    let id = insert_session(tx, t.id, no, s).await?;
    sync_span(tx, t.id).await?;
    let mut after = session_image(no, s);
    after["training_id"] = json!(t.id);
    audit::record(tx, who, Change::created("training_session", id, after)).await?;
    Ok(no)
}

/// Moves a session to another day, time or place.
pub async fn move_session(
    tx: &mut Tx,
    who: &AuditActor,
    t: &Training,
    before: &Session,
    s: &CheckedSession,
) -> DbResult<()> {
    let row = Record::new()
        .set("held_on", s.held_on.to_string())
        .set("starts_at", s.starts_at.as_str())
        .set("ends_at", s.ends_at.as_str())
        .set("online", i64::from(s.online))
        .set("place", s.place.as_str());
    tx.update("training_sessions", row, "id", before.id).await?;
    sync_span(tx, t.id).await?;
    let was = json!({ "session": before.no, "held_on": before.held_on, "starts_at": before.starts_at,
        "ends_at": before.ends_at, "online": before.online, "place": before.place });
    let change = Change::new("move", "training_session", before.id).before(was).after(session_image(before.no, s));
    audit::record(tx, who, change).await
}

/// Whether anyone's attendance is recorded at the session (read in the transaction).
pub async fn has_attendance(tx: &mut Tx, training: i64, no: u32) -> DbResult<bool> {
    Ok(tx
        .fetch_optional(
            "SELECT graduate_id FROM training_attendance WHERE training_id = $1 AND session_no = $2",
            &[training.into(), i64::from(no).into()],
        )
        .await?
        .is_some())
}

/// Removes a session the caller checked may go.
pub async fn remove_session(tx: &mut Tx, who: &AuditActor, t: &Training, s: &Session) -> DbResult<()> {
    tx.execute("DELETE FROM training_sessions WHERE id = $1", &[s.id.into()]).await?;
    sync_span(tx, t.id).await?;
    let was = json!({ "training_id": t.id, "session": s.no, "held_on": s.held_on, "starts_at": s.starts_at,
        "ends_at": s.ends_at, "place": s.place });
    audit::record(tx, who, Change::new("delete", "training_session", s.id).before(was)).await
}

// ---------------------------------------------------------------- edit and cancel

fn image(t: &Training) -> serde_json::Value {
    json!({ "title": t.title, "kind_code": t.kind, "online": t.online, "place": t.place, "capacity": t.capacity,
        "audience_groups": t.audience.groups, "audience_institutions": t.audience.institutions,
        "required": t.rule.required })
}

/// Saves a training's edited fields (its dates are its sessions').
pub async fn update(tx: &mut Tx, who: &AuditActor, t: &Training, c: &Checked) -> DbResult<()> {
    let row = Record::new()
        .set("title", c.title.as_str())
        .set("kind_code", c.kind.as_str())
        .set("online", i64::from(c.online))
        .set("place", c.place.as_str())
        .set("capacity", c.capacity)
        .set("audience_groups", c.audience.groups_column())
        .set("audience_institutions", c.audience.institutions_column())
        .set("required", i64::from(c.rule.required));
    tx.update("trainings", row, "id", t.id).await?;
    let after = json!({ "title": c.title, "kind_code": c.kind, "online": c.online, "place": c.place,
        "capacity": c.capacity, "audience_groups": c.audience.groups,
        "audience_institutions": c.audience.institutions, "required": c.rule.required });
    audit::record(tx, who, Change::updated("training", t.id, image(t), after)).await
}

/// Cancels the training with a reason and tells each enrolled graduate in
/// their messages; returns how many accounts were told.
pub async fn cancel(tx: &mut Tx, who: &AuditActor, t: &Training, reason: &str) -> DbResult<usize> {
    let done = tx
        .execute(
            "UPDATE trainings SET cancelled_at = $1, cancel_reason = $2, cancelled_by_label = $3 \
             WHERE id = $4 AND cancelled_at IS NULL",
            &[time::now_utc().into(), reason.into(), who.label.as_str().into(), t.id.into()],
        )
        .await?;
    if done == 0 {
        return Ok(0);
    }
    audit::record(tx, who, Change::new("cancel", "training", t.id).after(json!({ "reason": reason }))).await?;
    let enrolled = tx
        .fetch_all("SELECT graduate_id FROM training_enrolments WHERE training_id = $1 ORDER BY id", &[t.id.into()])
        .await?;
    let message = format!("培训“{}”已取消：{}（Training cancelled: {}）", t.title, reason, t.title);
    let mut told = 0;
    for e in &enrolled {
        let recipient = registry::notices::Recipient::Graduate(e.i64("graduate_id")?);
        told += registry::notices::tell_recipient(tx, who, recipient, "training", &message, Some(MINE)).await?;
    }
    Ok(told)
}

/// The graduate's trainings page, where messages about trainings lead.
pub const MINE: &str = "/me/assistance/trainings";

// ---------------------------------------------------------------- check-in at the door

/// The purpose a training's pass is signed for (`kernel::pass`), bound to the training.
pub const PASS_PURPOSE: &str = "training_pass";

/// The enrolled graduate with this student number, if any.
pub async fn enrolled_by_number(db: &Db, training: i64, student_no: &str) -> DbResult<Option<i64>> {
    db.fetch_optional(
        "SELECT e.graduate_id FROM training_enrolments e JOIN graduates g ON g.id = e.graduate_id \
             WHERE e.training_id = $1 AND UPPER(g.student_no) = $2",
        &[training.into(), student_no.to_uppercase().into()],
    )
    .await?
    .map(|r| r.i64("graduate_id"))
    .transpose()
}

/// Ticks the graduate present at the session; false when it was already.
pub async fn check_in(tx: &mut Tx, who: &AuditActor, t: &Training, session: u32, p: &Person) -> DbResult<bool> {
    let was = tx
        .fetch_optional(
            "SELECT graduate_id FROM training_attendance WHERE training_id = $1 AND session_no = $2 AND graduate_id = $3",
            &[t.id.into(), i64::from(session).into(), p.id.into()],
        )
        .await?;
    if was.is_some() {
        return Ok(false);
    }
    let row = Record::new()
        .set("training_id", t.id)
        .set("session_no", i64::from(session))
        .set("graduate_id", p.id)
        .set("marked_at", time::now_utc())
        .set("marked_by_label", who.label.as_str());
    tx.insert("training_attendance", row).await?;
    let change = Change::new("check_in", "training", t.id)
        .after(json!({ "session": session, "graduate_id": p.id }))
        .about(Subject::graduate(p.id, p.institution_id));
    audit::record(tx, who, change).await?;
    Ok(true)
}
