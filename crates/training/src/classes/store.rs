//! The classes' SQL: classes with their modules, sessions and quotas;
//! teachers; participants, attendance and assessment; certificates numbered
//! from a counter row per prefix and year in the completing transaction; the
//! public check and the per-institution figures. Every write is audited in
//! its transaction.

use std::collections::HashMap;

use kernel::audit::{self, AuditActor, Change, Subject};
use kernel::db::Record;
use kernel::sheet::report::{ReportError, Source};
use kernel::sheet::{self, Errors, Limits, Problem, ReadError, RowError};
use kernel::{codes, time, Db, DbResult, Locale, Row, Tx};
use serde_json::json;

use super::rules::{self, Assessment, Audience, Checked, CheckedTeacher, Module, NoPlace, Rule};

/// The class kinds' code table.
pub const KINDS: &str = "training_class_kind";

pub async fn kinds(db: &Db, l: Locale) -> DbResult<Vec<(String, String)>> {
    Ok(codes::list(db, KINDS, codes::BASE_VERSION)
        .await?
        .iter()
        .map(|c| (c.code.clone(), c.label(l).to_owned()))
        .collect())
}

/// Institutions: (id, code, name) by code.
pub async fn institutions(db: &Db) -> DbResult<Vec<(i64, String, String)>> {
    let rows = db.fetch_all("SELECT id, code, name FROM institutions ORDER BY code", &[]).await?;
    rows.iter().map(|r| Ok((r.i64("id")?, r.text("code")?, r.text("name")?))).collect()
}

/// A class as its pages show it.
#[derive(Debug, Clone)]
pub struct Class {
    pub id: i64,
    pub kind: String,
    pub title: String,
    pub audience: Audience,
    pub capacity: i64,
    pub quota: i64,
    pub rule: Rule,
    pub pass_mark: i64,
    pub prefix: String,
    pub organiser: Option<i64>,
    pub organiser_name: Option<String>,
    pub hours: i64,
    pub enrolled: i64,
    pub first_day: String,
    pub last_day: String,
}

const CLASS: &str = "SELECT c.id, c.kind_code, c.title, c.audience, c.capacity, c.quota, c.required_sessions, c.assessed, \
     c.pass_mark, c.cert_prefix, c.organiser_institution_id, i.name AS organiser_name, \
     (SELECT CAST(COALESCE(SUM(m.hours), 0) AS BIGINT) FROM training_class_modules m WHERE m.class_id = c.id) AS hours, \
     (SELECT COUNT(*) FROM training_class_participants p WHERE p.class_id = c.id) AS enrolled, \
     (SELECT COALESCE(MIN(s.held_on), '') FROM training_class_sessions s WHERE s.class_id = c.id) AS first_day, \
     (SELECT COALESCE(MAX(s.held_on), '') FROM training_class_sessions s WHERE s.class_id = c.id) AS last_day \
     FROM training_classes c LEFT JOIN institutions i ON i.id = c.organiser_institution_id";

fn class_of(r: &Row) -> DbResult<Class> {
    Ok(Class {
        id: r.i64("id")?,
        kind: r.text("kind_code")?,
        title: r.text("title")?,
        audience: Audience::parse(&r.text("audience")?).unwrap_or(Audience::Teachers),
        capacity: r.i64("capacity")?,
        quota: r.i64("quota")?,
        rule: Rule { required: r.i64("required_sessions")?, assessed: r.i64("assessed")? != 0 },
        pass_mark: r.i64("pass_mark")?,
        prefix: r.text("cert_prefix")?,
        organiser: r.opt_i64("organiser_institution_id")?,
        organiser_name: r.opt_text("organiser_name")?,
        hours: r.i64("hours")?,
        enrolled: r.i64("enrolled")?,
        first_day: r.text("first_day")?,
        last_day: r.text("last_day")?,
    })
}

pub async fn list(db: &Db) -> DbResult<Vec<Class>> {
    let rows = db.fetch_all(&format!("{CLASS} ORDER BY first_day DESC, c.id DESC"), &[]).await?;
    rows.iter().map(class_of).collect()
}

pub async fn get(db: &Db, id: i64) -> DbResult<Option<Class>> {
    db.fetch_optional(&format!("{CLASS} WHERE c.id = $1"), &[id.into()]).await?.as_ref().map(class_of).transpose()
}

pub async fn modules(db: &Db, class: i64) -> DbResult<Vec<Module>> {
    let rows = db
        .fetch_all(
            "SELECT title, hours, trainer FROM training_class_modules WHERE class_id = $1 ORDER BY position",
            &[class.into()],
        )
        .await?;
    rows.iter()
        .map(|r| Ok(Module { title: r.text("title")?, hours: r.i64("hours")?, trainer: r.text("trainer")? }))
        .collect()
}

/// A session with how many were present.
#[derive(Debug, Clone)]
pub struct Session {
    pub no: i64,
    pub held_on: String,
    pub starts_at: String,
    pub ends_at: String,
    pub online: bool,
    pub place: String,
    pub present: i64,
}

impl Session {
    /// The form's line for it.
    pub fn line(&self) -> String {
        format!("{} | {}-{} | {}", self.held_on, self.starts_at, self.ends_at, self.place)
    }
}

pub async fn sessions(db: &Db, class: i64) -> DbResult<Vec<Session>> {
    let rows = db
        .fetch_all(
            "SELECT s.session_no, s.held_on, s.starts_at, s.ends_at, s.online, s.place, \
             (SELECT COUNT(*) FROM training_class_attendance a WHERE a.class_id = s.class_id \
             AND a.session_no = s.session_no) AS present \
             FROM training_class_sessions s WHERE s.class_id = $1 ORDER BY s.session_no",
            &[class.into()],
        )
        .await?;
    rows.iter()
        .map(|r| {
            Ok(Session {
                no: r.i64("session_no")?,
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

/// The institutions' own quotas: (institution id, quota).
pub async fn quotas(db: &Db, class: i64) -> DbResult<Vec<(i64, i64)>> {
    let rows = db
        .fetch_all(
            "SELECT institution_id, quota FROM training_class_quotas WHERE class_id = $1 ORDER BY institution_id",
            &[class.into()],
        )
        .await?;
    rows.iter().map(|r| Ok((r.i64("institution_id")?, r.i64("quota")?))).collect()
}

fn image(c: &Checked) -> serde_json::Value {
    json!({ "kind_code": c.kind, "title": c.title, "audience": c.audience.key(), "capacity": c.capacity,
        "quota": c.quota, "quotas": c.quotas, "required_sessions": c.rule.required, "assessed": c.rule.assessed,
        "pass_mark": c.pass_mark, "cert_prefix": c.prefix, "organiser_institution_id": c.organiser,
        "hours": c.hours(), "sessions": c.sessions.len(),
        "modules": c.modules.iter().map(|m| json!([m.title, m.hours, m.trainer])).collect::<Vec<_>>() })
}

fn class_row(c: &Checked) -> Record {
    Record::new()
        .set("kind_code", c.kind.as_str())
        .set("title", c.title.as_str())
        .set("audience", c.audience.key())
        .set("capacity", c.capacity)
        .set("quota", c.quota)
        .set("required_sessions", c.rule.required)
        .set("assessed", i64::from(c.rule.assessed))
        .set("pass_mark", c.pass_mark)
        .set("cert_prefix", c.prefix.as_str())
        .set("organiser_institution_id", c.organiser)
}

async fn write_parts(tx: &mut Tx, id: i64, c: &Checked) -> DbResult<()> {
    tx.execute("DELETE FROM training_class_modules WHERE class_id = $1", &[id.into()]).await?;
    for (k, m) in c.modules.iter().enumerate() {
        let row = Record::new()
            .set("class_id", id)
            .set("position", i64::try_from(k).unwrap_or(0) + 1)
            .set("title", m.title.as_str())
            .set("hours", m.hours)
            .set("trainer", m.trainer.as_str());
        tx.insert("training_class_modules", row).await?;
    }
    tx.execute("DELETE FROM training_class_quotas WHERE class_id = $1", &[id.into()]).await?;
    for (institution, quota) in &c.quotas {
        let row = Record::new().set("class_id", id).set("institution_id", *institution).set("quota", *quota);
        tx.insert("training_class_quotas", row).await?;
    }
    Ok(())
}

fn session_row(s: &rules::SessionLine) -> Record {
    Record::new()
        .set("held_on", s.held_on.to_string())
        .set("starts_at", s.starts_at.as_str())
        .set("ends_at", s.ends_at.as_str())
        .set("online", i64::from(s.online))
        .set("place", s.place.as_str())
}

/// Creates a class with its modules, sessions (numbered 1..) and quotas.
pub async fn create(tx: &mut Tx, who: &AuditActor, c: &Checked) -> DbResult<i64> {
    let row = class_row(c).set("created_at", time::now_utc()).set("created_by_label", who.label.as_str());
    let id = tx.insert_id("training_classes", row).await?;
    write_parts(tx, id, c).await?;
    for (k, s) in c.sessions.iter().enumerate() {
        let row = session_row(s).set("class_id", id).set("session_no", i64::try_from(k).unwrap_or(0) + 1);
        tx.insert("training_class_sessions", row).await?;
    }
    audit::record(tx, who, Change::created("training_class", id, image(c))).await?;
    Ok(id)
}

/// Saves an edited class. Session lines keep their numbers by position; a
/// session beyond the new count goes only when no one attended it (false then).
pub async fn update(tx: &mut Tx, who: &AuditActor, before: &Class, c: &Checked) -> DbResult<bool> {
    let count = i64::try_from(c.sessions.len()).unwrap_or(0);
    let dropped_attended = tx
        .fetch_one(
            "SELECT COUNT(*) AS n FROM training_class_attendance WHERE class_id = $1 AND session_no > $2",
            &[before.id.into(), count.into()],
        )
        .await?
        .i64("n")?;
    if dropped_attended > 0 {
        return Ok(false);
    }
    tx.update("training_classes", class_row(c), "id", before.id).await?;
    write_parts(tx, before.id, c).await?;
    tx.execute(
        "DELETE FROM training_class_sessions WHERE class_id = $1 AND session_no > $2",
        &[before.id.into(), count.into()],
    )
    .await?;
    for (k, s) in c.sessions.iter().enumerate() {
        let no = i64::try_from(k).unwrap_or(0) + 1;
        let changed = tx
            .execute(
                "UPDATE training_class_sessions SET held_on = $1, starts_at = $2, ends_at = $3, online = $4, place = $5 \
                 WHERE class_id = $6 AND session_no = $7",
                &[
                    s.held_on.to_string().into(),
                    s.starts_at.as_str().into(),
                    s.ends_at.as_str().into(),
                    i64::from(s.online).into(),
                    s.place.as_str().into(),
                    before.id.into(),
                    no.into(),
                ],
            )
            .await?;
        if changed == 0 {
            tx.insert("training_class_sessions", session_row(s).set("class_id", before.id).set("session_no", no))
                .await?;
        }
    }
    let was = json!({ "kind_code": before.kind, "title": before.title, "audience": before.audience.key(),
        "capacity": before.capacity, "quota": before.quota, "required_sessions": before.rule.required,
        "assessed": before.rule.assessed, "pass_mark": before.pass_mark, "cert_prefix": before.prefix,
        "organiser_institution_id": before.organiser, "hours": before.hours });
    audit::record(tx, who, Change::updated("training_class", before.id, was, image(c))).await?;
    Ok(true)
}

// ---------------------------------------------------------------- teachers

/// A guidance teacher of an institution.
#[derive(Debug, Clone)]
pub struct Teacher {
    pub id: i64,
    pub institution_id: i64,
    pub institution: String,
    pub name: String,
    pub id_number: String,
    pub phone: String,
    pub title: String,
    pub department: String,
    pub account: Option<String>,
    /// Not removed by its office (`left_at` unset).
    pub active: bool,
    /// Hours of the classes it completed (its certificates' hours), toward its professional title.
    pub hours: i64,
}

impl Teacher {
    pub fn line(&self) -> rules::TeacherLine {
        rules::TeacherLine {
            name: self.name.clone(),
            institution: self.institution.clone(),
            department: self.department.clone(),
            title: self.title.clone(),
            id_number: self.id_number.clone(),
            phone: self.phone.clone(),
            hours: self.hours,
            active: self.active,
        }
    }
}

const TEACHER: &str = "SELECT t.id, t.institution_id, i.name AS institution, t.name, t.id_number, t.phone, t.title, \
     t.department, a.username, t.left_at, \
     (SELECT CAST(COALESCE(SUM(c.hours), 0) AS BIGINT) FROM training_certificates c \
      JOIN training_class_participants p ON p.id = c.participant_id WHERE p.teacher_id = t.id) AS hours \
     FROM training_teachers t JOIN institutions i ON i.id = t.institution_id \
     LEFT JOIN accounts a ON a.id = t.account_id";

fn teacher_of(r: &Row) -> DbResult<Teacher> {
    Ok(Teacher {
        id: r.i64("id")?,
        institution_id: r.i64("institution_id")?,
        institution: r.text("institution")?,
        name: r.text("name")?,
        id_number: r.text("id_number")?,
        phone: r.text("phone")?,
        title: r.text("title")?,
        department: r.text("department")?,
        account: r.opt_text("username")?,
        active: r.opt_text("left_at")?.is_none(),
        hours: r.i64("hours")?,
    })
}

/// The teachers of one institution, or all.
pub async fn teachers(db: &Db, institution: Option<i64>) -> DbResult<Vec<Teacher>> {
    let rows = match institution {
        Some(i) => {
            db.fetch_all(
                &format!("{TEACHER} WHERE t.institution_id = $1 ORDER BY t.left_at IS NOT NULL, t.name, t.id"),
                &[i.into()],
            )
            .await?
        }
        None => db.fetch_all(&format!("{TEACHER} ORDER BY i.code, t.left_at IS NOT NULL, t.name, t.id"), &[]).await?,
    };
    rows.iter().map(teacher_of).collect()
}

pub async fn teacher(db: &Db, id: i64) -> DbResult<Option<Teacher>> {
    db.fetch_optional(&format!("{TEACHER} WHERE t.id = $1"), &[id.into()]).await?.as_ref().map(teacher_of).transpose()
}

/// The teacher record of a university-staff account, if it is one and not removed.
pub async fn teacher_of_account(db: &Db, account: i64) -> DbResult<Option<Teacher>> {
    db.fetch_optional(&format!("{TEACHER} WHERE t.account_id = $1 AND t.left_at IS NULL"), &[account.into()])
        .await?
        .as_ref()
        .map(teacher_of)
        .transpose()
}

/// Why a teacher was not added.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TeacherRefusal {
    /// The ID number is kept already (here or at another institution).
    Kept,
    /// No university-staff account of the institution has that username, or it is another teacher's.
    NoAccount,
}

impl TeacherRefusal {
    pub fn message(self, l: Locale) -> &'static str {
        match self {
            TeacherRefusal::Kept => {
                l.pick("该身份证号的教师已登记。", "A teacher with this ID number is kept already.")
            }
            TeacherRefusal::NoAccount => l.pick(
                "本校没有该用户名的工作人员账号，或该账号已关联其他教师。",
                "No free university-staff account of your institution has this username.",
            ),
        }
    }
}

/// The free university-staff account of `institution` with this username
/// (free: no other teacher than `except` has it); `Ok(None)` for no username.
async fn account_for(
    tx: &mut Tx,
    institution: i64,
    username: &str,
    except: i64,
) -> DbResult<Result<Option<i64>, TeacherRefusal>> {
    if username.is_empty() {
        return Ok(Ok(None));
    }
    let found = tx
        .fetch_optional(
            "SELECT a.id FROM accounts a WHERE a.username = $1 AND a.role = 'university_staff' \
             AND a.institution_id = $2 AND NOT EXISTS (SELECT 1 FROM training_teachers t WHERE t.account_id = a.id \
             AND t.id <> $3)",
            &[username.into(), institution.into(), except.into()],
        )
        .await?;
    match found {
        Some(r) => Ok(Ok(Some(r.i64("id")?))),
        None => Ok(Err(TeacherRefusal::NoAccount)),
    }
}

/// Whether another teacher than `except` has this ID number.
async fn id_number_kept(tx: &mut Tx, id_number: &str, except: i64) -> DbResult<bool> {
    Ok(tx
        .fetch_optional(
            "SELECT id FROM training_teachers WHERE id_number = $1 AND id <> $2",
            &[id_number.into(), except.into()],
        )
        .await?
        .is_some())
}

fn teacher_image(t: &CheckedTeacher, account: Option<i64>) -> serde_json::Value {
    json!({ "name": t.name, "id_number": kernel::mask::id_number(&t.id_number),
        "phone": kernel::mask::phone(&t.phone), "title": t.title, "department": t.department,
        "account_id": account })
}

/// Adds a teacher of `institution`, linked to a staff account of it when a username is given.
pub async fn add_teacher(
    tx: &mut Tx,
    who: &AuditActor,
    institution: i64,
    t: &CheckedTeacher,
) -> DbResult<Result<i64, TeacherRefusal>> {
    if id_number_kept(tx, &t.id_number, 0).await? {
        return Ok(Err(TeacherRefusal::Kept));
    }
    let account = match account_for(tx, institution, &t.username, 0).await? {
        Ok(a) => a,
        Err(refusal) => return Ok(Err(refusal)),
    };
    let row = Record::new()
        .set("institution_id", institution)
        .set("name", t.name.as_str())
        .set("id_number", t.id_number.as_str())
        .set("phone", t.phone.as_str())
        .set("title", t.title.as_str())
        .set("department", t.department.as_str())
        .set("account_id", account)
        .set("created_at", time::now_utc())
        .set("created_by_label", who.label.as_str());
    let id = tx.insert_id("training_teachers", row).await?;
    let after = teacher_image(t, account);
    audit::record(tx, who, Change::created("training_teacher", id, after).about(Subject::institution(institution)))
        .await?;
    Ok(Ok(id))
}

/// Saves an office's edit of its teacher (the account relinked or unlinked as the username says).
pub async fn update_teacher(
    tx: &mut Tx,
    who: &AuditActor,
    before: &Teacher,
    t: &CheckedTeacher,
) -> DbResult<Result<(), TeacherRefusal>> {
    if id_number_kept(tx, &t.id_number, before.id).await? {
        return Ok(Err(TeacherRefusal::Kept));
    }
    let account = match account_for(tx, before.institution_id, &t.username, before.id).await? {
        Ok(a) => a,
        Err(refusal) => return Ok(Err(refusal)),
    };
    let row = Record::new()
        .set("name", t.name.as_str())
        .set("id_number", t.id_number.as_str())
        .set("phone", t.phone.as_str())
        .set("title", t.title.as_str())
        .set("department", t.department.as_str())
        .set("account_id", account);
    tx.update("training_teachers", row, "id", before.id).await?;
    let was = json!({ "name": before.name, "id_number": kernel::mask::id_number(&before.id_number),
        "phone": kernel::mask::phone(&before.phone), "title": before.title, "department": before.department,
        "account": before.account });
    let change = Change::updated("training_teacher", before.id, was, teacher_image(t, account))
        .about(Subject::institution(before.institution_id));
    audit::record(tx, who, change).await?;
    Ok(Ok(()))
}

/// Removes a teacher from the office's list: deactivated, never deleted, so
/// its enrolments, certificates and hours stay; its account is unlinked so
/// it no longer enrols itself. False when it was removed already.
pub async fn deactivate_teacher(tx: &mut Tx, who: &AuditActor, t: &Teacher) -> DbResult<bool> {
    let changed = tx
        .execute(
            "UPDATE training_teachers SET left_at = $1, left_by_label = $2 WHERE id = $3 AND left_at IS NULL",
            &[time::now_utc().into(), who.label.as_str().into(), t.id.into()],
        )
        .await?;
    if changed == 0 {
        return Ok(false);
    }
    let change = Change::new("deactivate", "training_teacher", t.id)
        .before(json!({ "active": true }))
        .after(json!({ "active": false, "hours": t.hours }))
        .about(Subject::institution(t.institution_id));
    audit::record(tx, who, change).await?;
    Ok(true)
}

// ---------------------------------------------------------------- the teachers' import

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

/// Reads a teachers' sheet (xlsx, xls or csv) for `institution` and adds
/// every row in one transaction; a file with any refused row adds nothing
/// and is answered with its errors and the error report.
pub async fn import_teachers(
    db: &Db,
    who: &AuditActor,
    institution: i64,
    file_name: &str,
    bytes: Vec<u8>,
    limits: Limits,
    l: Locale,
) -> Result<Outcome, ImportError> {
    use rules::TeacherColumn as C;
    let bytes = std::sync::Arc::new(bytes);
    let table = {
        let (name, bytes, limits) = (file_name.to_owned(), bytes.clone(), limits);
        let read = move || sheet::read(&name, &bytes, &rules::teacher_columns(), &limits);
        tokio::task::spawn_blocking(read).await.map_err(|e| ImportError::Reader(e.to_string()))??
    };
    if table.headers.is_empty() {
        return Err(ImportError::Read(ReadError::Empty));
    }
    let mut at: HashMap<C, usize> = HashMap::new();
    for (i, h) in table.headers.iter().enumerate() {
        if let Some(c) = rules::teacher_column_of(h) {
            at.entry(c).or_insert(i);
        }
    }
    let header = |c: C| {
        at.get(&c).and_then(|i| table.headers.get(*i)).cloned().unwrap_or_else(|| {
            rules::TEACHER_COLUMNS.iter().find(|(k, _)| *k == c).map(|(_, h)| h[0].to_owned()).unwrap_or_default()
        })
    };
    let mut errors = Errors::new(&limits);
    let mut kept: Vec<CheckedTeacher> = Vec::new();
    let mut first_id: HashMap<String, usize> = HashMap::new();
    let mut first_account: HashMap<String, usize> = HashMap::new();
    let mut tx = db.begin().await?;
    for row in &table.rows {
        let cell = |c: C| at.get(&c).and_then(|i| row.cells.get(*i)).map(|s| s.trim().to_owned()).unwrap_or_default();
        let before = errors.total;
        errors.extend(row.refused.iter().cloned());
        if errors.total > before {
            continue;
        }
        let t = match rules::check_teacher(&rules::teacher_form_of(cell), l) {
            Ok(t) => t,
            Err(m) => {
                let column = rules::teacher_column_told(&m, l);
                errors.push(field_error(row.line, &header(column), &cell(column), m));
                continue;
            }
        };
        if let Some(first) = first_id.get(&t.id_number) {
            let problem = Problem::DuplicateInFile(*first);
            let value = kernel::mask::id_number(&t.id_number);
            errors.push(RowError { row: row.line, column: header(C::IdNumber), value, problem });
            continue;
        }
        first_id.insert(t.id_number.clone(), row.line);
        if id_number_kept(&mut tx, &t.id_number, 0).await? {
            let value = kernel::mask::id_number(&t.id_number);
            errors.push(field_error(row.line, &header(C::IdNumber), &value, TeacherRefusal::Kept.message(l).into()));
            continue;
        }
        if !t.username.is_empty() {
            if let Some(first) = first_account.get(&t.username) {
                let problem = Problem::DuplicateInFile(*first);
                errors.push(RowError { row: row.line, column: header(C::Account), value: t.username.clone(), problem });
                continue;
            }
            first_account.insert(t.username.clone(), row.line);
            if let Err(refusal) = account_for(&mut tx, institution, &t.username, 0).await? {
                errors.push(field_error(row.line, &header(C::Account), &t.username, refusal.message(l).into()));
                continue;
            }
        }
        kept.push(t);
    }
    let rows = table.rows.len();
    drop(table);
    if !errors.is_empty() || kept.is_empty() {
        if errors.is_empty() {
            return Err(ImportError::Read(ReadError::Empty));
        }
        drop(tx);
        let write = {
            let file_name = file_name.to_owned();
            move || {
                let columns = rules::teacher_columns();
                let source = Source { file_name: &file_name, bytes: &bytes, columns: &columns, limits: &limits };
                sheet::report::error_report(source, &errors, l).map(|report| (errors, report))
            }
        };
        let (errors, report) =
            tokio::task::spawn_blocking(write).await.map_err(|e| ImportError::Reader(e.to_string()))??;
        return Ok(Outcome::Rejected { rows, errors, report });
    }
    for t in &kept {
        if add_teacher(&mut tx, who, institution, t).await?.is_err() {
            // Checked above in this transaction; a refusal now means the rows collide with each other.
            return Err(ImportError::Reader("a row was refused after its check".into()));
        }
    }
    let change = Change::new("import", "training_teacher", 0)
        .after(json!({ "file": file_name, "rows": kept.len() }))
        .about(Subject::institution(institution));
    audit::record(&mut tx, who, change).await?;
    tx.commit().await?;
    Ok(Outcome::Imported { rows })
}

// ---------------------------------------------------------------- participants

/// One enrolled: a teacher or a graduate.
#[derive(Debug, Clone)]
pub struct Participant {
    pub id: i64,
    pub class_id: i64,
    pub teacher_id: Option<i64>,
    pub graduate_id: Option<i64>,
    pub institution_id: i64,
    pub institution: String,
    pub name: String,
    /// The teacher's ID number or the graduate's student number, as stored (mask before showing).
    pub number: String,
    pub score: Option<i64>,
    pub passed: Option<bool>,
    pub completed_at: Option<String>,
    pub attended: i64,
    pub certificate: Option<String>,
}

impl Participant {
    pub fn is_teacher(&self) -> bool {
        self.teacher_id.is_some()
    }
    /// The number as staff see it: an ID number masked, a student number whole.
    pub fn shown_number(&self) -> String {
        match self.is_teacher() {
            true => kernel::mask::id_number(&self.number),
            false => self.number.clone(),
        }
    }
}

const PARTICIPANT: &str = "SELECT p.id, p.class_id, p.teacher_id, p.graduate_id, p.institution_id, i.name AS institution, \
     COALESCE(t.name, g.name) AS name, COALESCE(t.id_number, g.student_no) AS number, p.score, p.passed, p.completed_at, \
     (SELECT COUNT(*) FROM training_class_attendance a WHERE a.participant_id = p.id) AS attended, \
     (SELECT c.number FROM training_certificates c WHERE c.participant_id = p.id) AS certificate \
     FROM training_class_participants p JOIN institutions i ON i.id = p.institution_id \
     LEFT JOIN training_teachers t ON t.id = p.teacher_id LEFT JOIN graduates g ON g.id = p.graduate_id";

fn participant_of(r: &Row) -> DbResult<Participant> {
    Ok(Participant {
        id: r.i64("id")?,
        class_id: r.i64("class_id")?,
        teacher_id: r.opt_i64("teacher_id")?,
        graduate_id: r.opt_i64("graduate_id")?,
        institution_id: r.i64("institution_id")?,
        institution: r.text("institution")?,
        name: r.text("name")?,
        number: r.text("number")?,
        score: r.opt_i64("score")?,
        passed: r.opt_i64("passed")?.map(|p| p != 0),
        completed_at: r.opt_text("completed_at")?,
        attended: r.i64("attended")?,
        certificate: r.opt_text("certificate")?,
    })
}

/// The class's participants, of one institution or all.
pub async fn participants(db: &Db, class: i64, institution: Option<i64>) -> DbResult<Vec<Participant>> {
    let rows = match institution {
        Some(i) => {
            db.fetch_all(
                &format!("{PARTICIPANT} WHERE p.class_id = $1 AND p.institution_id = $2 ORDER BY i.code, p.id"),
                &[class.into(), i.into()],
            )
            .await?
        }
        None => {
            db.fetch_all(&format!("{PARTICIPANT} WHERE p.class_id = $1 ORDER BY i.code, p.id"), &[class.into()]).await?
        }
    };
    rows.iter().map(participant_of).collect()
}

pub async fn participant(db: &Db, id: i64) -> DbResult<Option<Participant>> {
    db.fetch_optional(&format!("{PARTICIPANT} WHERE p.id = $1"), &[id.into()])
        .await?
        .as_ref()
        .map(participant_of)
        .transpose()
}

/// The participant of the class with this ID number or student number (upper-cased).
pub async fn participant_by_number(db: &Db, class: i64, number: &str) -> DbResult<Option<Participant>> {
    db.fetch_optional(
        &format!(
            "{PARTICIPANT} WHERE p.class_id = $1 AND (UPPER(t.id_number) = $2 OR UPPER(g.student_no) = $2 \
             OR UPPER(g.id_number) = $2) ORDER BY p.id"
        ),
        &[class.into(), number.into()],
    )
    .await?
    .as_ref()
    .map(participant_of)
    .transpose()
}

/// Who is enrolled.
#[derive(Debug, Clone, Copy)]
pub enum Enrollee {
    Teacher { id: i64, institution: i64 },
    Graduate { id: i64, institution: i64 },
}

/// What an enrolment came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Enrolled {
    Done(i64),
    Already,
    NoPlace(NoPlace),
}

/// Enrols within the capacity and the institution's quota, counted in the transaction.
pub async fn enrol(tx: &mut Tx, who: &AuditActor, c: &Class, e: Enrollee) -> DbResult<Enrolled> {
    let (column, person, institution) = match e {
        Enrollee::Teacher { id, institution } => ("teacher_id", id, institution),
        Enrollee::Graduate { id, institution } => ("graduate_id", id, institution),
    };
    // Enrolments in one class queue here (a row lock on PostgreSQL, the write lock on SQLite), so two at
    // once cannot both take the last place.
    tx.execute("UPDATE training_classes SET capacity = capacity WHERE id = $1", &[c.id.into()]).await?;
    let already = tx
        .fetch_optional(
            &format!("SELECT id FROM training_class_participants WHERE class_id = $1 AND {column} = $2"),
            &[c.id.into(), person.into()],
        )
        .await?;
    if already.is_some() {
        return Ok(Enrolled::Already);
    }
    let counts = tx
        .fetch_one(
            "SELECT COUNT(*) AS n, SUM(CASE WHEN institution_id = $2 THEN 1 ELSE 0 END) AS here \
             FROM training_class_participants WHERE class_id = $1",
            &[c.id.into(), institution.into()],
        )
        .await?;
    let own = tx
        .fetch_optional(
            "SELECT quota FROM training_class_quotas WHERE class_id = $1 AND institution_id = $2",
            &[c.id.into(), institution.into()],
        )
        .await?;
    let quota = match own {
        Some(r) => r.i64("quota")?,
        None => c.quota,
    };
    let here = counts.opt_i64("here")?.unwrap_or(0);
    if let Err(no) = rules::place_for(c.capacity, counts.i64("n")?, quota, here) {
        return Ok(Enrolled::NoPlace(no));
    }
    let row = Record::new()
        .set("class_id", c.id)
        .set(column, person)
        .set("institution_id", institution)
        .set("enrolled_at", time::now_utc())
        .set("enrolled_by_label", who.label.as_str());
    let id = tx.insert_id("training_class_participants", row).await?;
    let subject = match e {
        Enrollee::Graduate { id, institution } => Subject::graduate(id, institution),
        Enrollee::Teacher { .. } => Subject::institution(institution),
    };
    let mut after = json!({ "class_id": c.id, "institution_id": institution });
    after[column] = json!(person);
    let change = Change::new("enrol", "training_class_participant", id).after(after).about(subject);
    audit::record(tx, who, change).await?;
    Ok(Enrolled::Done(id))
}

fn subject_of(p: &Participant) -> Subject {
    match p.graduate_id {
        Some(g) => Subject::graduate(g, p.institution_id),
        None => Subject::institution(p.institution_id),
    }
}

/// Marks the participant present at the session; false when it was already.
pub async fn check_in(tx: &mut Tx, who: &AuditActor, c: &Class, session: i64, p: &Participant) -> DbResult<bool> {
    let was = tx
        .fetch_optional(
            "SELECT participant_id FROM training_class_attendance WHERE participant_id = $1 AND session_no = $2",
            &[p.id.into(), session.into()],
        )
        .await?;
    if was.is_some() {
        return Ok(false);
    }
    let row = Record::new()
        .set("participant_id", p.id)
        .set("session_no", session)
        .set("class_id", c.id)
        .set("marked_at", time::now_utc())
        .set("marked_by_label", who.label.as_str());
    tx.insert("training_class_attendance", row).await?;
    let change = Change::new("check_in", "training_class_participant", p.id)
        .after(json!({ "class_id": c.id, "session": session }))
        .about(subject_of(p));
    audit::record(tx, who, change).await?;
    Ok(true)
}

/// Records the participant's assessment.
pub async fn assess(tx: &mut Tx, who: &AuditActor, p: &Participant, a: Assessment) -> DbResult<()> {
    let row =
        Record::new().set("score", a.score).set("passed", i64::from(a.passed)).set("assessed_at", time::now_utc());
    tx.update("training_class_participants", row, "id", p.id).await?;
    let change = Change::new("assess", "training_class_participant", p.id)
        .before(json!({ "score": p.score, "passed": p.passed }))
        .after(json!({ "score": a.score, "passed": a.passed }))
        .about(subject_of(p));
    audit::record(tx, who, change).await
}

/// The next serial for the prefix and year, from its counter row.
async fn next_serial(tx: &mut Tx, prefix: &str, year: i32) -> DbResult<i64> {
    tx.fetch_one(
        "INSERT INTO training_certificate_serials (prefix, year, last_serial) VALUES ($1, $2, 1) \
         ON CONFLICT (prefix, year) DO UPDATE SET last_serial = training_certificate_serials.last_serial + 1 \
         RETURNING last_serial",
        &[prefix.into(), i64::from(year).into()],
    )
    .await?
    .i64("last_serial")
}

/// Completes every participant who meets the rule and is not complete yet,
/// and issues each a certificate dated `today` numbered prefix-year-sequence;
/// returns the numbers.
pub async fn complete(tx: &mut Tx, who: &AuditActor, c: &Class, today: chrono::NaiveDate) -> DbResult<Vec<String>> {
    let rows = tx
        .fetch_all(
            &format!("{PARTICIPANT} WHERE p.class_id = $1 AND p.completed_at IS NULL ORDER BY i.code, p.id"),
            &[c.id.into()],
        )
        .await?;
    let year = chrono::Datelike::year(&today);
    let mut numbers = Vec::new();
    for r in &rows {
        let p = participant_of(r)?;
        if !c.rule.completes(p.attended, p.passed) {
            continue;
        }
        let serial = next_serial(tx, &c.prefix, year).await?;
        let number = rules::certificate_number(&c.prefix, year, serial);
        tx.update("training_class_participants", Record::new().set("completed_at", time::now_utc()), "id", p.id)
            .await?;
        let row = Record::new()
            .set("number", number.as_str())
            .set("participant_id", p.id)
            .set("class_id", c.id)
            .set("holder_name", p.name.as_str())
            .set("hours", c.hours)
            .set("issued_on", today.to_string())
            .set("issued_at", time::now_utc())
            .set("issued_by_label", who.label.as_str());
        let id = tx.insert_id("training_certificates", row).await?;
        let change = Change::new("issue", "training_certificate", id)
            .after(json!({ "number": number, "class_id": c.id, "participant_id": p.id, "hours": c.hours }))
            .about(subject_of(&p));
        audit::record(tx, who, change).await?;
        numbers.push(number);
    }
    Ok(numbers)
}

// ---------------------------------------------------------------- certificates

/// A certificate with what its print shows and who may see it.
#[derive(Debug, Clone)]
pub struct Certificate {
    pub number: String,
    pub class_id: i64,
    pub class_title: String,
    pub kind: String,
    pub holder_name: String,
    pub hours: i64,
    pub issued_on: String,
    pub institution_id: i64,
    pub institution: String,
    pub organiser: Option<i64>,
    pub teacher_account: Option<i64>,
    pub graduate_id: Option<i64>,
}

pub async fn certificate(db: &Db, number: &str) -> DbResult<Option<Certificate>> {
    let r = db
        .fetch_optional(
            "SELECT c.number, c.class_id, k.title, k.kind_code, c.holder_name, c.hours, c.issued_on, p.institution_id, \
             i.name AS institution, k.organiser_institution_id, t.account_id, p.graduate_id \
             FROM training_certificates c JOIN training_classes k ON k.id = c.class_id \
             JOIN training_class_participants p ON p.id = c.participant_id JOIN institutions i ON i.id = p.institution_id \
             LEFT JOIN training_teachers t ON t.id = p.teacher_id WHERE c.number = $1",
            &[number.into()],
        )
        .await?;
    r.map(|r| {
        Ok(Certificate {
            number: r.text("number")?,
            class_id: r.i64("class_id")?,
            class_title: r.text("title")?,
            kind: r.text("kind_code")?,
            holder_name: r.text("holder_name")?,
            hours: r.i64("hours")?,
            issued_on: r.text("issued_on")?,
            institution_id: r.i64("institution_id")?,
            institution: r.text("institution")?,
            organiser: r.opt_i64("organiser_institution_id")?,
            teacher_account: r.opt_i64("account_id")?,
            graduate_id: r.opt_i64("graduate_id")?,
        })
    })
    .transpose()
}

/// What the public check answers on a match: nothing more.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    pub class_title: String,
    pub hours: i64,
    pub issued_on: String,
}

/// The certificate with this number held by this name (both normalised), if any.
pub async fn verify(tx: &mut Tx, number: &str, name: &str) -> DbResult<Option<Verified>> {
    let r = tx
        .fetch_optional(
            "SELECT c.holder_name, c.hours, c.issued_on, k.title FROM training_certificates c \
             JOIN training_classes k ON k.id = c.class_id WHERE c.number = $1",
            &[rules::normalise_number(number).into()],
        )
        .await?;
    let Some(r) = r else { return Ok(None) };
    if rules::normalise_name(&r.text("holder_name")?) != rules::normalise_name(name) || name.trim().is_empty() {
        return Ok(None);
    }
    Ok(Some(Verified { class_title: r.text("title")?, hours: r.i64("hours")?, issued_on: r.text("issued_on")? }))
}

// ---------------------------------------------------------------- the participant's own

/// One of a person's own enrolments.
#[derive(Debug, Clone)]
pub struct Mine {
    pub class: Class,
    pub participant: Participant,
    pub sessions: Vec<Session>,
}

/// The enrolments of a teacher or a graduate.
pub async fn mine(db: &Db, teacher: Option<i64>, graduate: Option<i64>) -> DbResult<Vec<Mine>> {
    let rows = db
        .fetch_all(
            &format!("{PARTICIPANT} WHERE (p.teacher_id = $1 OR p.graduate_id = $2) ORDER BY p.id DESC"),
            &[teacher.unwrap_or(-1).into(), graduate.unwrap_or(-1).into()],
        )
        .await?;
    let mut out = Vec::new();
    for r in &rows {
        let participant = participant_of(r)?;
        let Some(class) = get(db, participant.class_id).await? else { continue };
        let sessions = sessions(db, class.id).await?;
        out.push(Mine { class, participant, sessions });
    }
    Ok(out)
}

// ---------------------------------------------------------------- figures

/// One institution's figures.
#[derive(Debug, Clone)]
pub struct Figures {
    pub institution_id: i64,
    pub institution: String,
    pub enrolled: i64,
    pub teachers_trained: i64,
    pub hours: i64,
    pub certificates: i64,
    /// Mentors the institution recommended that are published, and those of them active in the year
    /// (`mentors::pool::active_by_institution`).
    pub mentors: i64,
    pub mentors_active: i64,
}

/// Per institution: enrolments, teachers trained (distinct, completed), the
/// hours of completed classes and certificates; one institution or all.
pub async fn figures(db: &Db, institution: Option<i64>) -> DbResult<Vec<Figures>> {
    let sql = "SELECT i.id, i.name, COUNT(*) AS enrolled, \
         COUNT(DISTINCT CASE WHEN p.completed_at IS NOT NULL THEN p.teacher_id END) AS teachers_trained, \
         CAST(COALESCE(SUM(CASE WHEN p.completed_at IS NOT NULL THEN \
           (SELECT COALESCE(SUM(m.hours), 0) FROM training_class_modules m WHERE m.class_id = p.class_id) ELSE 0 END), 0) AS BIGINT) AS hours, \
         COUNT(c.id) AS certificates \
         FROM training_class_participants p JOIN institutions i ON i.id = p.institution_id \
         LEFT JOIN training_certificates c ON c.participant_id = p.id";
    let rows = match institution {
        Some(id) => {
            db.fetch_all(
                &format!("{sql} WHERE p.institution_id = $1 GROUP BY i.id, i.code, i.name ORDER BY i.code"),
                &[id.into()],
            )
            .await?
        }
        None => db.fetch_all(&format!("{sql} GROUP BY i.id, i.code, i.name ORDER BY i.code"), &[]).await?,
    };
    rows.iter()
        .map(|r| {
            Ok(Figures {
                institution_id: r.i64("id")?,
                institution: r.text("name")?,
                enrolled: r.i64("enrolled")?,
                teachers_trained: r.i64("teachers_trained")?,
                hours: r.i64("hours")?,
                certificates: r.i64("certificates")?,
                mentors: 0,
                mentors_active: 0,
            })
        })
        .collect()
}

/// The figures with the mentors published and active in `year` beside them,
/// an institution with mentors but no enrolment on a line of its own.
pub async fn figures_with_mentors(db: &Db, year: i32, institution: Option<i64>) -> DbResult<Vec<Figures>> {
    let figures = figures(db, institution).await?;
    let active = crate::mentors::pool::active_by_institution(db, year, institution).await?;
    Ok(with_mentors(figures, &active))
}

/// Puts each institution's mentor line beside its training figures.
pub fn with_mentors(mut figures: Vec<Figures>, active: &[crate::mentors::pool::Active]) -> Vec<Figures> {
    for a in active {
        match figures.iter_mut().find(|f| f.institution_id == a.institution_id) {
            Some(f) => {
                f.mentors = a.published;
                f.mentors_active = a.active;
            }
            None => figures.push(Figures {
                institution_id: a.institution_id,
                institution: a.institution.clone(),
                enrolled: 0,
                teachers_trained: 0,
                hours: 0,
                certificates: 0,
                mentors: a.published,
                mentors_active: a.active,
            }),
        }
    }
    figures
}

/// The figures as a sheet, a header and a line per institution.
pub fn figures_sheet(rows: &[Figures], l: Locale) -> Vec<Vec<String>> {
    let mut out = vec![[
        l.pick("高校", "Institution"),
        l.pick("报名人次", "Enrolments"),
        l.pick("培训合格教师", "Teachers trained"),
        l.pick("结业学时", "Hours completed"),
        l.pick("证书", "Certificates"),
        l.pick("在库导师", "Mentors published"),
        l.pick("活跃导师", "Mentors active"),
    ]
    .iter()
    .map(|h| (*h).to_owned())
    .collect()];
    for r in rows {
        out.push(vec![
            r.institution.clone(),
            r.enrolled.to_string(),
            r.teachers_trained.to_string(),
            r.hours.to_string(),
            r.certificates.to_string(),
            r.mentors.to_string(),
            r.mentors_active.to_string(),
        ]);
    }
    out
}
