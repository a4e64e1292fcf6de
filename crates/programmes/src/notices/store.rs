//! Notices', objections' and outcomes' SQL. Every write is audited.

use kernel::audit::{self, AuditActor, Change, Subject};
use kernel::db::{Record, SqlBuilder};
use kernel::files::Stored;
use kernel::{time, Db, DbResult, Row, Tx};
use serde_json::json;
use std::collections::HashMap;

use super::rules::{self, NewNotice, NewObjection};

fn about(institution: Option<i64>) -> Subject {
    institution.map(Subject::institution).unwrap_or_default()
}

// ---------------------------------------------------------------- outcomes

/// Sets an application's outcome ('approved', 'rejected', or none); false
/// when the outcome is final (a published result lists the application).
pub async fn set_outcome(tx: &mut Tx, who: &AuditActor, application: i64, outcome: Option<&str>) -> DbResult<bool> {
    let row = tx
        .fetch_optional(
            "SELECT outcome, institution_id FROM programme_applications WHERE id = $1",
            &[application.into()],
        )
        .await?;
    let Some(row) = row else { return Ok(false) };
    if is_final(tx, application).await? {
        return Ok(false);
    }
    let before = row.opt_text("outcome")?;
    tx.execute(
        "UPDATE programme_applications SET outcome = $1 WHERE id = $2",
        &[outcome.map(str::to_owned).into(), application.into()],
    )
    .await?;
    let change = Change::new("outcome", "program_application", application)
        .before(json!({ "outcome": before }))
        .after(json!({ "outcome": outcome }))
        .about(Subject::institution(row.i64("institution_id")?));
    audit::record(tx, who, change).await?;
    Ok(true)
}

/// Whether the province published a result listing the application.
pub async fn is_final(tx: &mut Tx, application: i64) -> DbResult<bool> {
    let n = tx
        .fetch_one(
            "SELECT COUNT(*) AS n FROM programme_notice_items i JOIN programme_notices n ON n.id = i.notice_id \
             WHERE i.application_id = $1 AND n.institution_id IS NULL AND n.status = $2",
            &[application.into(), rules::RESULT.into()],
        )
        .await?
        .i64("n")?;
    Ok(n > 0)
}

/// Whether the province published the call's result (outcomes final and shown to the schools).
pub async fn result_published(tx: &mut Tx, call: i64) -> DbResult<bool> {
    let n = tx
        .fetch_one(
            "SELECT COUNT(*) AS n FROM programme_notices WHERE call_id = $1 AND institution_id IS NULL AND status = $2",
            &[call.into(), rules::RESULT.into()],
        )
        .await?
        .i64("n")?;
    Ok(n > 0)
}

// ---------------------------------------------------------------- notices

#[derive(Debug, Clone)]
pub struct Notice {
    pub id: i64,
    pub call_id: i64,
    pub call_title: String,
    pub institution_id: Option<i64>,
    pub institution: String,
    pub title: String,
    pub body: String,
    pub office: String,
    pub starts_on: String,
    pub working_days: i64,
    pub ends_on: String,
    pub show_scores: bool,
    pub status: String,
    pub result_at: Option<String>,
}

impl Notice {
    pub fn starts(&self) -> chrono::NaiveDate {
        kernel::validate::parse_date(&self.starts_on).unwrap_or_default()
    }
    pub fn ends(&self) -> chrono::NaiveDate {
        kernel::validate::parse_date(&self.ends_on).unwrap_or_default()
    }
    pub fn window(&self, today: chrono::NaiveDate) -> rules::Window {
        rules::window(today, self.starts(), self.ends())
    }
    pub fn is_school(&self) -> bool {
        self.institution_id.is_some()
    }
}

const NOTICE: &str =
    "SELECT n.id, n.call_id, c.title AS call_title, n.institution_id, i.name AS institution, n.title, \
    n.body, n.office, n.starts_on, n.working_days, n.ends_on, n.show_scores, n.status, n.result_at \
    FROM programme_notices n JOIN programme_calls c ON c.id = n.call_id \
    LEFT JOIN institutions i ON i.id = n.institution_id";

fn notice_of(r: &Row) -> DbResult<Notice> {
    Ok(Notice {
        id: r.i64("id")?,
        call_id: r.i64("call_id")?,
        call_title: r.text("call_title")?,
        institution_id: r.opt_i64("institution_id")?,
        institution: r.opt_text("institution")?.unwrap_or_default(),
        title: r.text("title")?,
        body: r.text("body")?,
        office: r.text("office")?,
        starts_on: r.text("starts_on")?,
        working_days: r.i64("working_days")?,
        ends_on: r.text("ends_on")?,
        show_scores: r.i64("show_scores")? != 0,
        status: r.text("status")?,
        result_at: r.opt_text("result_at")?,
    })
}

/// Notices, newest first: of one call or all; of one institution (with the
/// province's when `with_province`) or all.
pub async fn notices(
    db: &Db,
    call: Option<i64>,
    institution: Option<i64>,
    with_province: bool,
) -> DbResult<Vec<Notice>> {
    let mut w = SqlBuilder::new(&format!("{NOTICE} WHERE 1 = 1"));
    if let Some(c) = call {
        w.push(" AND n.call_id = ").bind(c);
    }
    if let Some(i) = institution {
        w.push(" AND (n.institution_id = ").bind(i);
        w.push(if with_province { " OR n.institution_id IS NULL)" } else { ")" });
    }
    w.push(" ORDER BY n.starts_on DESC, n.id DESC");
    db.fetch_all(&w.sql, &w.params).await?.iter().map(notice_of).collect()
}

pub async fn notice_tx(tx: &mut Tx, id: i64) -> DbResult<Notice> {
    notice_of(&tx.fetch_one(&format!("{NOTICE} WHERE n.id = $1"), &[id.into()]).await?)
}

pub async fn notice(db: &Db, id: i64) -> DbResult<Option<Notice>> {
    db.fetch_optional(&format!("{NOTICE} WHERE n.id = $1"), &[id.into()]).await?.as_ref().map(notice_of).transpose()
}

#[derive(Debug, Clone)]
pub struct Item {
    pub id: i64,
    pub application_id: i64,
    pub position: i64,
    pub title: String,
    pub institution: String,
    pub leader_name: String,
    pub score: String,
    pub removed: bool,
}

pub async fn items(db: &Db, notice: i64) -> DbResult<Vec<Item>> {
    let rows = db
        .fetch_all(
            "SELECT id, application_id, position, title, institution, leader_name, score, removed \
             FROM programme_notice_items WHERE notice_id = $1 ORDER BY position, id",
            &[notice.into()],
        )
        .await?;
    rows.iter()
        .map(|r| {
            Ok(Item {
                id: r.i64("id")?,
                application_id: r.i64("application_id")?,
                position: r.i64("position")?,
                title: r.text("title")?,
                institution: r.text("institution")?,
                leader_name: r.text("leader_name")?,
                score: r.text("score")?,
                removed: r.i64("removed")? != 0,
            })
        })
        .collect()
}

fn proposed_sql(call: i64, institution: Option<i64>) -> SqlBuilder {
    let mut w = SqlBuilder::new(
        "SELECT a.id, a.title, i.name AS institution, a.leader_name FROM programme_applications a \
         JOIN institutions i ON i.id = a.institution_id WHERE a.call_id = ",
    );
    w.bind(call);
    match institution {
        None => {
            w.push(" AND a.outcome = ").bind("approved");
        }
        Some(i) => {
            w.push(" AND a.institution_id = ").bind(i);
            w.push(" AND a.status IN (").bind(crate::calls::rules::SUBMITTED);
            w.push(", ").bind(crate::calls::rules::RECOMMENDED);
            w.push(")");
        }
    }
    w.push(" ORDER BY i.code, a.id");
    w
}

type Proposed = Vec<(i64, String, String, String)>;

fn proposed_of(rows: &[Row]) -> DbResult<Proposed> {
    rows.iter().map(|r| Ok((r.i64("id")?, r.text("title")?, r.text("institution")?, r.text("leader_name")?))).collect()
}

/// The list a notice would publish: the province's the call's approved
/// applications; a school's its applications submitted or recommended.
/// (application id, title, institution, leader name).
pub async fn proposed(db: &Db, call: i64, institution: Option<i64>) -> DbResult<Proposed> {
    let w = proposed_sql(call, institution);
    proposed_of(&db.fetch_all(&w.sql, &w.params).await?)
}

pub async fn proposed_tx(tx: &mut Tx, call: i64, institution: Option<i64>) -> DbResult<Proposed> {
    let w = proposed_sql(call, institution);
    proposed_of(&tx.fetch_all(&w.sql, &w.params).await?)
}

/// Publishes a notice with its list (a snapshot) and the review's final scores
/// where it had them; its id.
pub async fn create_notice(
    tx: &mut Tx,
    who: &AuditActor,
    call: i64,
    institution: Option<i64>,
    n: &NewNotice,
    list: &[(i64, String, String, String)],
    scores: &HashMap<i64, f64>,
) -> DbResult<i64> {
    let row = Record::new()
        .set("call_id", call)
        .set("institution_id", institution)
        .set("title", n.title.as_str())
        .set("body", n.body.as_str())
        .set("office", n.office.as_str())
        .set("starts_on", n.starts_on.to_string())
        .set("working_days", i64::from(n.working_days))
        .set("ends_on", n.ends_on.to_string())
        .set("show_scores", i64::from(n.show_scores))
        .set("status", rules::OPEN)
        .set("created_at", time::now_utc())
        .set("created_by_label", who.label.as_str());
    let id = tx.insert_id("programme_notices", row).await?;
    for (position, (application, title, inst, leader)) in list.iter().enumerate() {
        let item = Record::new()
            .set("notice_id", id)
            .set("application_id", *application)
            .set("position", position as i64 + 1)
            .set("title", title.as_str())
            .set("institution", inst.as_str())
            .set("leader_name", leader.as_str())
            .set("score", scores.get(application).map(|x| format!("{x:.2}")).unwrap_or_default())
            .set("removed", 0i64);
        tx.insert_id("programme_notice_items", item).await?;
    }
    let after = json!({
        "call_id": call, "title": n.title, "starts_on": n.starts_on, "working_days": n.working_days,
        "ends_on": n.ends_on, "items": list.len(),
    });
    audit::record(tx, who, Change::created("program_notice", id, after).about(about(institution))).await?;
    Ok(id)
}

/// Whether the call has a notice of this publisher (the province, or the school) whose result is not published yet.
pub async fn has_pending(db: &Db, call: i64, institution: Option<i64>) -> DbResult<bool> {
    let mut w = SqlBuilder::new("SELECT COUNT(*) FROM programme_notices WHERE call_id = ");
    w.bind(call);
    w.push(" AND status = ").bind(rules::OPEN);
    match institution {
        Some(i) => {
            w.push(" AND institution_id = ").bind(i);
        }
        None => {
            w.push(" AND institution_id IS NULL");
        }
    }
    Ok(db.scalar_i64(&w.sql, &w.params).await? > 0)
}

pub async fn open_objections(db: &Db, notice: i64) -> DbResult<i64> {
    db.scalar_i64(
        "SELECT COUNT(*) FROM programme_objections WHERE notice_id = $1 AND status = $2",
        &[notice.into(), rules::OBJECTION_OPEN.into()],
    )
    .await
}

/// Publishes the result; false when another request did first.
pub async fn publish_result(tx: &mut Tx, who: &AuditActor, n: &Notice) -> DbResult<bool> {
    let open = tx
        .fetch_one(
            "SELECT COUNT(*) AS n FROM programme_objections WHERE notice_id = $1 AND status = $2",
            &[n.id.into(), rules::OBJECTION_OPEN.into()],
        )
        .await?
        .i64("n")?;
    if open > 0 {
        return Ok(false);
    }
    let moved = tx
        .execute(
            "UPDATE programme_notices SET status = $1, result_at = $2 WHERE id = $3 AND status = $4",
            &[rules::RESULT.into(), time::now_utc().into(), n.id.into(), rules::OPEN.into()],
        )
        .await?;
    if moved == 0 {
        return Ok(false);
    }
    let change = Change::new("result", "program_notice", n.id)
        .before(json!({ "status": rules::OPEN }))
        .after(json!({ "status": rules::RESULT }))
        .about(about(n.institution_id));
    audit::record(tx, who, change).await?;
    Ok(true)
}

// ---------------------------------------------------------------- objections

#[derive(Debug, Clone)]
pub struct Objection {
    pub id: i64,
    pub notice_id: i64,
    pub item_id: i64,
    pub item_title: String,
    pub objector_name: String,
    pub contact_phone: String,
    pub contact_email: String,
    pub reasons: String,
    pub has_file: bool,
    pub filed_at: String,
    pub status: String,
    pub reply: String,
    pub handled_on: Option<String>,
}

const OBJECTION: &str =
    "SELECT o.id, o.notice_id, o.item_id, i.title AS item_title, o.objector_name, o.contact_phone, \
    o.contact_email, o.reasons, o.file_sha256, o.filed_at, o.status, o.reply, o.handled_on \
    FROM programme_objections o JOIN programme_notice_items i ON i.id = o.item_id";

fn objection_of(r: &Row) -> DbResult<Objection> {
    Ok(Objection {
        id: r.i64("id")?,
        notice_id: r.i64("notice_id")?,
        item_id: r.i64("item_id")?,
        item_title: r.text("item_title")?,
        objector_name: r.text("objector_name")?,
        contact_phone: r.text("contact_phone")?,
        contact_email: r.text("contact_email")?,
        reasons: r.text("reasons")?,
        has_file: r.opt_text("file_sha256")?.is_some(),
        filed_at: r.text("filed_at")?,
        status: r.text("status")?,
        reply: r.text("reply")?,
        handled_on: r.opt_text("handled_on")?,
    })
}

pub async fn objections(db: &Db, notice: i64) -> DbResult<Vec<Objection>> {
    db.fetch_all(&format!("{OBJECTION} WHERE o.notice_id = $1 ORDER BY o.id"), &[notice.into()])
        .await?
        .iter()
        .map(objection_of)
        .collect()
}

pub async fn objection_tx(tx: &mut Tx, id: i64) -> DbResult<Objection> {
    objection_of(&tx.fetch_one(&format!("{OBJECTION} WHERE o.id = $1"), &[id.into()]).await?)
}

pub async fn objection(db: &Db, id: i64) -> DbResult<Option<Objection>> {
    db.fetch_optional(&format!("{OBJECTION} WHERE o.id = $1"), &[id.into()])
        .await?
        .as_ref()
        .map(objection_of)
        .transpose()
}

/// An objection's evidence: stored name and content type.
pub async fn objection_file(db: &Db, id: i64) -> DbResult<Option<(String, String)>> {
    let row = db
        .fetch_optional("SELECT file_sha256, content_type FROM programme_objections WHERE id = $1", &[id.into()])
        .await?;
    Ok(match row {
        Some(r) => match (r.opt_text("file_sha256")?, r.opt_text("content_type")?) {
            (Some(sha), Some(ct)) => Some((sha, ct)),
            _ => None,
        },
        None => None,
    })
}

/// Files an objection; its id.
pub async fn file_objection(
    tx: &mut Tx,
    who: &AuditActor,
    n: &Notice,
    o: &NewObjection,
    file: Option<(&str, &Stored)>,
) -> DbResult<i64> {
    let row = Record::new()
        .set("notice_id", n.id)
        .set("item_id", o.item)
        .set("objector_name", o.name.as_str())
        .set("contact_phone", o.phone.as_str())
        .set("contact_email", o.email.as_str())
        .set("reasons", o.reasons.as_str())
        .set("file_sha256", file.map(|(_, s)| s.sha256.clone()))
        .set("file_name", file.map(|(name, _)| name.to_owned()))
        .set("content_type", file.map(|(_, s)| s.kind.content_type()))
        .set("filed_at", time::now_utc())
        .set("status", rules::OBJECTION_OPEN)
        .set("reply", "")
        .set("handled_on", None::<String>)
        .set("handled_by_label", None::<String>);
    let id = tx.insert_id("programme_objections", row).await?;
    let after = json!({
        "notice_id": n.id, "item_id": o.item, "objector_name": o.name,
        "phone": kernel::mask::phone(&o.phone), "email": rules::mask_email(&o.email), "evidence": file.is_some(),
    });
    audit::record(tx, who, Change::created("program_objection", id, after).about(about(n.institution_id))).await?;
    Ok(id)
}

/// Records how an objection was handled; when upheld and `remove`, the item
/// leaves the list (and, on the province's notice, its application is no
/// longer approved). False when it was handled meanwhile.
#[allow(clippy::too_many_arguments)]
pub async fn handle_objection(
    tx: &mut Tx,
    who: &AuditActor,
    n: &Notice,
    o: &Objection,
    decision: &str,
    reply: &str,
    on: chrono::NaiveDate,
    remove: bool,
) -> DbResult<bool> {
    let moved = tx
        .execute(
            "UPDATE programme_objections SET status = $1, reply = $2, handled_on = $3, handled_by_label = $4 \
             WHERE id = $5 AND status = $6",
            &[
                decision.into(),
                reply.into(),
                on.to_string().into(),
                who.label.as_str().into(),
                o.id.into(),
                rules::OBJECTION_OPEN.into(),
            ],
        )
        .await?;
    if moved == 0 {
        return Ok(false);
    }
    let removed = decision == rules::UPHELD && remove;
    let change = Change::new("handle", "program_objection", o.id)
        .before(json!({ "status": rules::OBJECTION_OPEN }))
        .after(json!({ "status": decision, "reply": reply, "handled_on": on, "item_removed": removed }))
        .about(about(n.institution_id));
    audit::record(tx, who, change).await?;
    if removed {
        tx.execute("UPDATE programme_notice_items SET removed = 1 WHERE id = $1", &[o.item_id.into()]).await?;
        if !n.is_school() {
            let application = tx
                .fetch_one("SELECT application_id FROM programme_notice_items WHERE id = $1", &[o.item_id.into()])
                .await?
                .i64("application_id")?;
            set_outcome(tx, who, application, Some("rejected")).await?;
        }
    }
    Ok(true)
}
