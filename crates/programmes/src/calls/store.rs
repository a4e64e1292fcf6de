//! Calls' and applications' SQL. Every write is audited.

use std::collections::HashMap;

use chrono::NaiveDate;
use kernel::audit::{self, AuditActor, Change, Subject};
use kernel::db::{Record, SqlBuilder};
use kernel::files::Stored;
use kernel::{codes, time, Db, DbResult, Locale, Row, Tx};
use serde_json::json;

use super::rules::{self, Dimension, Field, FieldSpec, History, Kind, NewCall, Person, Rules, SelfScore};

/// The call types' code table; a code's parent is its group (project, selection, competition).
pub const TYPES: &str = "call_type";

/// The call types' groups: code → group.
pub async fn type_groups(tx: &mut Tx) -> DbResult<HashMap<String, String>> {
    let rows = tx
        .fetch_all(
            "SELECT code, parent_code FROM code_tables WHERE kind = $1 AND version = $2",
            &[TYPES.into(), codes::BASE_VERSION.into()],
        )
        .await?;
    rows.iter().map(|r| Ok((r.text("code")?, r.opt_text("parent_code")?.unwrap_or_default()))).collect()
}

/// (code, name, group).
pub async fn types(db: &Db, l: Locale) -> DbResult<Vec<(String, String, String)>> {
    Ok(codes::list(db, TYPES, codes::BASE_VERSION)
        .await?
        .iter()
        .map(|c| (c.code.clone(), c.label(l).to_owned(), c.parent_code.clone().unwrap_or_default()))
        .collect())
}

#[derive(Debug, Clone)]
pub struct Institution {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub level: String,
}

pub async fn institutions(db: &Db) -> DbResult<Vec<Institution>> {
    let rows = db.fetch_all("SELECT id, code, name, level FROM institutions ORDER BY code", &[]).await?;
    rows.iter()
        .map(|r| {
            Ok(Institution { id: r.i64("id")?, code: r.text("code")?, name: r.text("name")?, level: r.text("level")? })
        })
        .collect()
}

#[derive(Debug, Clone)]
pub struct Call {
    pub id: i64,
    pub title: String,
    pub type_code: String,
    pub year: i64,
    pub opens_on: String,
    pub closes_on: String,
    pub review_on: String,
    pub notice_on: String,
    pub levels: Vec<String>,
    pub institution_ids: Vec<i64>,
    pub quota_default: i64,
    pub rounds: String,
    pub self_assessment: bool,
    pub rules: Rules,
    pub status: String,
}

impl Call {
    pub fn opens(&self) -> NaiveDate {
        kernel::validate::parse_date(&self.opens_on).unwrap_or_default()
    }
}

const CALL: &str =
    "SELECT id, title, type_code, year, opens_on, closes_on, review_on, notice_on, levels, institution_ids, \
    quota_default, rounds, self_assessment, rules, status FROM programme_calls";

fn list_of(s: &str) -> Vec<String> {
    s.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect()
}

fn call_of(r: &Row) -> DbResult<Call> {
    Ok(Call {
        id: r.i64("id")?,
        title: r.text("title")?,
        type_code: r.text("type_code")?,
        year: r.i64("year")?,
        opens_on: r.text("opens_on")?,
        closes_on: r.text("closes_on")?,
        review_on: r.text("review_on")?,
        notice_on: r.text("notice_on")?,
        levels: list_of(&r.text("levels")?),
        institution_ids: list_of(&r.text("institution_ids")?).iter().filter_map(|s| s.parse().ok()).collect(),
        quota_default: r.i64("quota_default")?,
        rounds: r.text("rounds")?,
        self_assessment: r.i64("self_assessment")? != 0,
        rules: serde_json::from_str(&r.text("rules")?).unwrap_or_default(),
        status: r.text("status")?,
    })
}

pub async fn calls(db: &Db) -> DbResult<Vec<Call>> {
    db.fetch_all(&format!("{CALL} ORDER BY opens_on DESC, id DESC"), &[]).await?.iter().map(call_of).collect()
}

pub async fn call(db: &Db, id: i64) -> DbResult<Option<Call>> {
    db.fetch_optional(&format!("{CALL} WHERE id = $1"), &[id.into()]).await?.as_ref().map(call_of).transpose()
}

const FIELDS: &str =
    "SELECT id, label_zh, label_en, kind, required, choices FROM programme_call_fields WHERE call_id = $1 \
    ORDER BY position, id";

fn field_of(r: &Row) -> DbResult<Field> {
    Ok(Field {
        id: r.i64("id")?,
        spec: FieldSpec {
            label_zh: r.text("label_zh")?,
            label_en: r.text("label_en")?,
            kind: Kind::parse(&r.text("kind")?).unwrap_or(Kind::Text),
            required: r.i64("required")? != 0,
            choices: r.text("choices")?.split('|').filter(|s| !s.is_empty()).map(str::to_owned).collect(),
        },
    })
}

pub async fn fields(db: &Db, call: i64) -> DbResult<Vec<Field>> {
    db.fetch_all(FIELDS, &[call.into()]).await?.iter().map(field_of).collect()
}

pub async fn fields_tx(tx: &mut Tx, call: i64) -> DbResult<Vec<Field>> {
    tx.fetch_all(FIELDS, &[call.into()]).await?.iter().map(field_of).collect()
}

const RUBRIC: &str =
    "SELECT id, name_zh, name_en, weight, points, track FROM programme_rubric WHERE call_id = $1 ORDER BY position, id";

fn dimension_of(r: &Row) -> DbResult<(i64, Dimension)> {
    Ok((
        r.i64("id")?,
        Dimension {
            name_zh: r.text("name_zh")?,
            name_en: r.text("name_en")?,
            weight: r.i64("weight")?,
            points: r.i64("points")?,
            track: r.text("track")?,
        },
    ))
}

pub async fn rubric(db: &Db, call: i64) -> DbResult<Vec<(i64, Dimension)>> {
    db.fetch_all(RUBRIC, &[call.into()]).await?.iter().map(dimension_of).collect()
}

pub async fn rubric_tx(tx: &mut Tx, call: i64) -> DbResult<Vec<(i64, Dimension)>> {
    tx.fetch_all(RUBRIC, &[call.into()]).await?.iter().map(dimension_of).collect()
}

pub async fn quotas(db: &Db, call: i64) -> DbResult<HashMap<i64, i64>> {
    let rows = db
        .fetch_all("SELECT institution_id, quota FROM programme_call_quotas WHERE call_id = $1", &[call.into()])
        .await?;
    rows.iter().map(|r| Ok((r.i64("institution_id")?, r.i64("quota")?))).collect()
}

fn call_image(c: &NewCall) -> serde_json::Value {
    json!({ "title": c.title, "type_code": c.type_code, "year": c.year, "opens_on": c.opens_on, "closes_on": c.closes_on,
        "review_on": c.review_on, "notice_on": c.notice_on, "levels": c.levels, "institution_ids": c.institutions,
        "quota_default": c.quota_default, "quotas": c.quotas, "rounds": c.rounds, "self_assessment": c.self_assessment,
        "fields": rules::fields_text(&c.fields), "rubric": rules::rubric_text(&c.rubric),
        "rules": serde_json::to_value(&c.rules).unwrap_or_default() })
}

fn join_ids(ids: &[i64]) -> String {
    ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
}

async fn write_parts(tx: &mut Tx, id: i64, c: &NewCall) -> DbResult<()> {
    for (table, _) in [("programme_call_fields", ()), ("programme_rubric", ()), ("programme_call_quotas", ())] {
        tx.execute(&format!("DELETE FROM {table} WHERE call_id = $1"), &[id.into()]).await?;
    }
    for (i, f) in c.fields.iter().enumerate() {
        let row = Record::new()
            .set("call_id", id)
            .set("position", i as i64)
            .set("label_zh", f.label_zh.as_str())
            .set("label_en", f.label_en.as_str())
            .set("kind", f.kind.key())
            .set("required", i64::from(f.required))
            .set("choices", f.choices.join("|"));
        tx.insert_id("programme_call_fields", row).await?;
    }
    for (i, d) in c.rubric.iter().enumerate() {
        let row = Record::new()
            .set("call_id", id)
            .set("position", i as i64)
            .set("name_zh", d.name_zh.as_str())
            .set("name_en", d.name_en.as_str())
            .set("weight", d.weight)
            .set("points", d.points)
            .set("track", d.track.as_str());
        tx.insert_id("programme_rubric", row).await?;
    }
    for (institution, quota) in &c.quotas {
        let row = Record::new().set("call_id", id).set("institution_id", *institution).set("quota", *quota);
        tx.insert("programme_call_quotas", row).await?;
    }
    Ok(())
}

fn call_record(c: &NewCall) -> Record {
    Record::new()
        .set("title", c.title.as_str())
        .set("type_code", c.type_code.as_str())
        .set("year", c.year)
        .set("opens_on", c.opens_on.to_string())
        .set("closes_on", c.closes_on.to_string())
        .set("review_on", c.review_on.to_string())
        .set("notice_on", c.notice_on.to_string())
        .set("levels", c.levels.join(","))
        .set("institution_ids", join_ids(&c.institutions))
        .set("quota_default", c.quota_default)
        .set("rounds", c.rounds.as_str())
        .set("self_assessment", i64::from(c.self_assessment))
        .set("rules", serde_json::to_string(&c.rules).unwrap_or_default())
}

pub async fn create_call(tx: &mut Tx, who: &AuditActor, c: &NewCall) -> DbResult<i64> {
    let row = call_record(c)
        .set("status", rules::DRAFT)
        .set("created_at", time::now_utc())
        .set("created_by_label", who.label.as_str());
    let id = tx.insert_id("programme_calls", row).await?;
    write_parts(tx, id, c).await?;
    audit::record(tx, who, Change::created("program_call", id, call_image(c))).await?;
    Ok(id)
}

/// Rewrites a call's configuration; false when applications exist (checked again inside the transaction).
pub async fn update_call(tx: &mut Tx, who: &AuditActor, id: i64, c: &NewCall) -> DbResult<bool> {
    let n = tx
        .fetch_one("SELECT COUNT(*) AS n FROM programme_applications WHERE call_id = $1", &[id.into()])
        .await?
        .i64("n")?;
    if n > 0 {
        return Ok(false);
    }
    tx.execute(
        "UPDATE programme_calls SET title = $1, type_code = $2, year = $3, opens_on = $4, closes_on = $5, review_on = $6, \
         notice_on = $7, levels = $8, institution_ids = $9, quota_default = $10, rounds = $11, self_assessment = $12, \
         rules = $13 WHERE id = $14",
        &[
            c.title.as_str().into(),
            c.type_code.as_str().into(),
            c.year.into(),
            c.opens_on.to_string().into(),
            c.closes_on.to_string().into(),
            c.review_on.to_string().into(),
            c.notice_on.to_string().into(),
            c.levels.join(",").into(),
            join_ids(&c.institutions).into(),
            c.quota_default.into(),
            c.rounds.as_str().into(),
            i64::from(c.self_assessment).into(),
            serde_json::to_string(&c.rules).unwrap_or_default().into(),
            id.into(),
        ],
    )
    .await?;
    write_parts(tx, id, c).await?;
    audit::record(tx, who, Change::new("update", "program_call", id).after(call_image(c))).await?;
    Ok(true)
}

/// Moves a call from one status to the next (draft → open → closed); false when it was not in `from`.
pub async fn set_call_status(tx: &mut Tx, who: &AuditActor, id: i64, from: &str, to: &str) -> DbResult<bool> {
    let n = tx
        .execute(
            "UPDATE programme_calls SET status = $1 WHERE id = $2 AND status = $3",
            &[to.into(), id.into(), from.into()],
        )
        .await?;
    if n == 0 {
        return Ok(false);
    }
    let action = if to == rules::OPEN { "open" } else { "close" };
    audit::record(
        tx,
        who,
        Change::new(action, "program_call", id).before(json!({ "status": from })).after(json!({ "status": to })),
    )
    .await?;
    Ok(true)
}

/// The call type of a roadshow's project selection (路演项目遴选, code table `call_type`).
pub const ROADSHOW_TYPE: &str = "12";

/// Projects selected for the roadshow (路演项目): applications the province
/// approved in a roadshow-selection call of the year, one institution's or
/// every one's. Programmes keeps no record of the roadshow day itself, so the
/// selection is the nearest record of "projects shown at the roadshow".
pub async fn roadshow_projects(db: &Db, year: i64, institution: Option<i64>) -> DbResult<i64> {
    let mut q = SqlBuilder::new(
        "SELECT COUNT(*) FROM programme_applications a JOIN programme_calls c ON c.id = a.call_id \
         WHERE a.outcome = 'approved' AND c.type_code = ",
    );
    q.bind(ROADSHOW_TYPE).push(" AND c.year = ").bind(year);
    if let Some(i) = institution {
        q.push(" AND a.institution_id = ").bind(i);
    }
    db.scalar_i64(&q.sql, &q.params).await
}

pub async fn application_count(db: &Db, call: i64) -> DbResult<i64> {
    db.scalar_i64("SELECT COUNT(*) FROM programme_applications WHERE call_id = $1", &[call.into()]).await
}

// ---------------------------------------------------------------- applications

#[derive(Debug, Clone)]
pub struct Application {
    pub id: i64,
    pub call_id: i64,
    pub institution_id: i64,
    pub institution: String,
    pub title: String,
    pub track: String,
    pub leader: Person,
    pub members: Vec<Person>,
    pub answers: HashMap<String, String>,
    pub assessment: HashMap<String, SelfScore>,
    pub status: String,
    pub outcome: Option<String>,
    pub submitted_at: Option<String>,
    pub recommended_at: Option<String>,
}

impl Application {
    pub fn answer(&self, field: &i64) -> String {
        self.answers.get(&field.to_string()).cloned().unwrap_or_default()
    }
    pub fn score(&self, dimension: &i64) -> SelfScore {
        self.assessment.get(&dimension.to_string()).cloned().unwrap_or_default()
    }
    pub fn team_size(&self) -> usize {
        self.members.len() + 1
    }
}

const APPLICATION: &str =
    "SELECT a.id, a.call_id, a.institution_id, i.name AS institution, a.title, a.track, a.leader_name, \
    a.leader_id_number, a.members, a.answers, a.assessment, a.status, a.outcome, a.submitted_at, a.recommended_at \
    FROM programme_applications a JOIN institutions i ON i.id = a.institution_id";

fn application_of(r: &Row) -> DbResult<Application> {
    Ok(Application {
        id: r.i64("id")?,
        call_id: r.i64("call_id")?,
        institution_id: r.i64("institution_id")?,
        institution: r.text("institution")?,
        title: r.text("title")?,
        track: r.text("track")?,
        leader: Person { name: r.text("leader_name")?, id_number: r.text("leader_id_number")? },
        members: serde_json::from_str(&r.text("members")?).unwrap_or_default(),
        answers: serde_json::from_str(&r.text("answers")?).unwrap_or_default(),
        assessment: serde_json::from_str(&r.text("assessment")?).unwrap_or_default(),
        status: r.text("status")?,
        outcome: r.opt_text("outcome")?,
        submitted_at: r.opt_text("submitted_at")?,
        recommended_at: r.opt_text("recommended_at")?,
    })
}

/// A call's applications, of one institution or all, of one status or all.
pub async fn applications(
    db: &Db,
    call: i64,
    institution: Option<i64>,
    status: Option<&str>,
) -> DbResult<Vec<Application>> {
    let mut w = SqlBuilder::new(&format!("{APPLICATION} WHERE a.call_id = "));
    w.bind(call);
    if let Some(i) = institution {
        w.push(" AND a.institution_id = ").bind(i);
    }
    if let Some(s) = status {
        w.push(" AND a.status = ").bind(s);
    }
    w.push(" ORDER BY i.code, a.id");
    db.fetch_all(&w.sql, &w.params).await?.iter().map(application_of).collect()
}

pub async fn application_tx(tx: &mut Tx, id: i64) -> DbResult<Application> {
    application_of(&tx.fetch_one(&format!("{APPLICATION} WHERE a.id = $1"), &[id.into()]).await?)
}

pub async fn application(db: &Db, id: i64) -> DbResult<Option<Application>> {
    db.fetch_optional(&format!("{APPLICATION} WHERE a.id = $1"), &[id.into()])
        .await?
        .as_ref()
        .map(application_of)
        .transpose()
}

/// An application's parts as typed and checked.
#[derive(Debug, Clone)]
pub struct Draft {
    pub title: String,
    pub track: String,
    pub leader: Person,
    pub members: Vec<Person>,
}

fn about(institution: i64) -> Subject {
    Subject::institution(institution)
}

pub async fn create_application(
    tx: &mut Tx,
    who: &AuditActor,
    call: i64,
    institution: i64,
    d: &Draft,
) -> DbResult<i64> {
    let row = Record::new()
        .set("call_id", call)
        .set("institution_id", institution)
        .set("title", d.title.as_str())
        .set("track", d.track.as_str())
        .set("leader_name", d.leader.name.as_str())
        .set("leader_id_number", d.leader.id_number.as_str())
        .set("members", serde_json::to_string(&d.members).unwrap_or_default())
        .set("answers", "{}")
        .set("assessment", "{}")
        .set("status", rules::DRAFT)
        .set("created_at", time::now_utc())
        .set("created_by_label", who.label.as_str());
    let id = tx.insert_id("programme_applications", row).await?;
    let after = json!({ "call_id": call, "title": d.title, "track": d.track, "leader": d.leader.name,
        "members": d.members.len() });
    audit::record(tx, who, Change::created("program_application", id, after).about(about(institution))).await?;
    Ok(id)
}

/// Saves a draft's parts, answers and self-assessment; false when it is no longer a draft.
pub async fn save_application(
    tx: &mut Tx,
    who: &AuditActor,
    a: &Application,
    d: &Draft,
    answers: &HashMap<String, String>,
    assessment: &HashMap<String, SelfScore>,
) -> DbResult<bool> {
    let n = tx
        .execute(
            "UPDATE programme_applications SET title = $1, track = $2, leader_name = $3, leader_id_number = $4, \
             members = $5, answers = $6, assessment = $7 WHERE id = $8 AND status = $9",
            &[
                d.title.as_str().into(),
                d.track.as_str().into(),
                d.leader.name.as_str().into(),
                d.leader.id_number.as_str().into(),
                serde_json::to_string(&d.members).unwrap_or_default().into(),
                serde_json::to_string(answers).unwrap_or_default().into(),
                serde_json::to_string(assessment).unwrap_or_default().into(),
                a.id.into(),
                rules::DRAFT.into(),
            ],
        )
        .await?;
    if n == 0 {
        return Ok(false);
    }
    let after = json!({ "title": d.title, "track": d.track, "leader": d.leader.name, "members": d.members.len(),
        "answers": answers, "assessment": assessment });
    audit::record(
        tx,
        who,
        Change::new("update", "program_application", a.id).after(after).about(about(a.institution_id)),
    )
    .await?;
    Ok(true)
}

/// Moves an application between statuses; false when it was not in `from`.
pub async fn set_application_status(
    tx: &mut Tx,
    who: &AuditActor,
    a: &Application,
    from: &str,
    to: &str,
    action: &str,
) -> DbResult<bool> {
    let stamp = match to {
        rules::SUBMITTED => Some("submitted_at"),
        rules::RECOMMENDED => Some("recommended_at"),
        _ => None,
    };
    let n = match stamp {
        Some(column) => {
            tx.execute(
                &format!("UPDATE programme_applications SET status = $1, {column} = $2 WHERE id = $3 AND status = $4"),
                &[to.into(), time::now_utc().into(), a.id.into(), from.into()],
            )
            .await?
        }
        None => {
            tx.execute(
                "UPDATE programme_applications SET status = $1 WHERE id = $2 AND status = $3",
                &[to.into(), a.id.into(), from.into()],
            )
            .await?
        }
    };
    if n == 0 {
        return Ok(false);
    }
    let change = Change::new(action, "program_application", a.id)
        .before(json!({ "status": from }))
        .after(json!({ "status": to }))
        .about(about(a.institution_id));
    audit::record(tx, who, change).await?;
    Ok(true)
}

/// How many of the institution's applications to the call are recommended.
pub async fn recommended(tx: &mut Tx, call: i64, institution: i64) -> DbResult<i64> {
    tx.fetch_one(
        "SELECT COUNT(*) AS n FROM programme_applications WHERE call_id = $1 AND institution_id = $2 AND status = $3",
        &[call.into(), institution.into(), rules::RECOMMENDED.into()],
    )
    .await?
    .i64("n")
}

/// What the rules need to know of a leader, apart from the application `except`.
pub async fn history(db: &Db, id_number: &str, except: i64) -> DbResult<History> {
    let live = db
        .scalar_i64(
            "SELECT COUNT(*) FROM programme_applications a JOIN programme_calls c ON c.id = a.call_id \
             WHERE a.leader_id_number = $1 AND a.id <> $2 AND a.status IN ($3, $4) AND c.status <> $5 AND a.outcome IS NULL",
            &[id_number.into(), except.into(), rules::SUBMITTED.into(), rules::RECOMMENDED.into(), rules::CLOSED.into()],
        )
        .await?;
    let unfinished = db
        .scalar_i64(
            "SELECT COUNT(*) FROM programme_applications WHERE leader_id_number = $1 AND id <> $2 \
             AND outcome = 'approved' AND finished_on IS NULL",
            &[id_number.into(), except.into()],
        )
        .await?;
    let ban = db
        .fetch_optional(
            "SELECT MAX(until_on) AS until_on FROM programme_bans WHERE id_number = $1",
            &[id_number.into()],
        )
        .await?;
    let banned_until = match ban {
        Some(r) => r.opt_text("until_on")?.and_then(|s| kernel::validate::parse_date(&s)),
        None => None,
    };
    Ok(History { live_elsewhere: live > 0, unfinished: unfinished > 0, banned_until })
}

// ---------------------------------------------------------------- attachments

#[derive(Debug, Clone)]
pub struct Attachment {
    pub id: i64,
    pub field_id: i64,
    pub name: String,
    pub at: String,
}

pub async fn attachments(db: &Db, application: i64) -> DbResult<Vec<Attachment>> {
    let rows = db
        .fetch_all(
            "SELECT id, field_id, file_name, added_at FROM programme_application_files WHERE application_id = $1 ORDER BY id",
            &[application.into()],
        )
        .await?;
    rows.iter()
        .map(|r| {
            Ok(Attachment {
                id: r.i64("id")?,
                field_id: r.i64("field_id")?,
                name: r.text("file_name")?,
                at: r.text("added_at")?,
            })
        })
        .collect()
}

pub async fn attach(
    tx: &mut Tx,
    who: &AuditActor,
    a: &Application,
    field: i64,
    name: &str,
    stored: &Stored,
) -> DbResult<i64> {
    let row = Record::new()
        .set("application_id", a.id)
        .set("field_id", field)
        .set("file_sha256", stored.sha256.as_str())
        .set("file_name", name)
        .set("content_type", stored.kind.content_type())
        .set("added_at", time::now_utc())
        .set("added_by_label", who.label.as_str());
    let id = tx.insert_id("programme_application_files", row).await?;
    let change = Change::new("attach", "program_application", a.id)
        .after(json!({ "field_id": field, "file_name": name }))
        .about(about(a.institution_id));
    audit::record(tx, who, change).await?;
    Ok(id)
}

/// An attachment's application, stored name and content type.
pub async fn attachment(db: &Db, id: i64) -> DbResult<Option<(i64, String, String)>> {
    let row = db
        .fetch_optional(
            "SELECT application_id, file_sha256, content_type FROM programme_application_files WHERE id = $1",
            &[id.into()],
        )
        .await?;
    row.map(|r| Ok((r.i64("application_id")?, r.text("file_sha256")?, r.text("content_type")?))).transpose()
}

// ---------------------------------------------------------------- bans

#[derive(Debug, Clone)]
pub struct Ban {
    pub id: i64,
    pub id_number: String,
    pub until_on: String,
    pub reason: String,
}

pub async fn bans(db: &Db) -> DbResult<Vec<Ban>> {
    let rows = db
        .fetch_all("SELECT id, id_number, until_on, reason FROM programme_bans ORDER BY until_on DESC, id", &[])
        .await?;
    rows.iter()
        .map(|r| {
            Ok(Ban {
                id: r.i64("id")?,
                id_number: r.text("id_number")?,
                until_on: r.text("until_on")?,
                reason: r.text("reason")?,
            })
        })
        .collect()
}

pub async fn add_ban(tx: &mut Tx, who: &AuditActor, id_number: &str, until: NaiveDate, reason: &str) -> DbResult<i64> {
    let row = Record::new()
        .set("id_number", id_number)
        .set("until_on", until.to_string())
        .set("reason", reason)
        .set("created_at", time::now_utc())
        .set("created_by_label", who.label.as_str());
    let id = tx.insert_id("programme_bans", row).await?;
    let after = json!({ "id_number": kernel::mask::id_number(id_number), "until_on": until, "reason": reason });
    audit::record(tx, who, Change::created("program_ban", id, after)).await?;
    Ok(id)
}
