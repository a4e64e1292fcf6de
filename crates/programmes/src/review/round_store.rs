//! The review round's SQL: settings and state, assignments, marks,
//! re-reviews and the decision written to `programme_applications.outcome`.
//! Every write is audited.

use std::collections::HashMap;

use kernel::audit::{self, AuditActor, Change};
use kernel::db::Record;
use kernel::{time, Db, DbResult, Row, Tx};
use serde_json::json;

use super::round::{self, Settings};
use super::scores::Method;

#[derive(Debug, Clone)]
pub struct Round {
    pub call_id: i64,
    pub settings: Settings,
    pub state: String,
    pub slots: Option<i64>,
}

fn round_of(r: &Row) -> DbResult<Round> {
    Ok(Round {
        call_id: r.i64("call_id")?,
        settings: Settings {
            k: r.i64("k")?,
            load_limit: r.i64("load_limit")?,
            mismatch: r.i64("mismatch")?,
            field: r.text("field")?,
            blind: r.bool("blind")?,
            method: round::parse_method(&r.text("method")?).unwrap_or(Method::TrimmedMean),
            spread: r.i64("spread")?,
        },
        state: r.text("state")?,
        slots: r.opt_i64("slots")?,
    })
}

const ROUND: &str =
    "SELECT call_id, k, load_limit, mismatch, field, blind, method, spread, state, slots FROM review_rounds";

pub async fn round(db: &Db, call: i64) -> DbResult<Option<Round>> {
    db.fetch_optional(&format!("{ROUND} WHERE call_id = $1"), &[call.into()]).await?.as_ref().map(round_of).transpose()
}

async fn round_tx(tx: &mut Tx, call: i64) -> DbResult<Option<Round>> {
    tx.fetch_optional(&format!("{ROUND} WHERE call_id = $1"), &[call.into()]).await?.as_ref().map(round_of).transpose()
}

fn image(s: &Settings) -> serde_json::Value {
    json!({ "k": s.k, "load_limit": s.load_limit, "mismatch": s.mismatch, "field": s.field, "blind": s.blind,
        "method": round::method_code(s.method), "spread": s.spread })
}

/// Saves the settings; the first save starts the round (assigning).
pub async fn save_settings(tx: &mut Tx, who: &AuditActor, call: i64, s: &Settings) -> DbResult<()> {
    let row = Record::new()
        .set("k", s.k)
        .set("load_limit", s.load_limit)
        .set("mismatch", s.mismatch)
        .set("field", s.field.as_str())
        .set("blind", s.blind)
        .set("method", round::method_code(s.method))
        .set("spread", s.spread)
        .set("updated_at", time::now_utc())
        .set("updated_by_label", who.label.as_str());
    match round_tx(tx, call).await? {
        Some(old) => {
            tx.update("review_rounds", row, "call_id", call).await?;
            audit::record(tx, who, Change::updated("review_round", call, image(&old.settings), image(s))).await
        }
        None => {
            let row = row.set("call_id", call).set("state", round::ASSIGNING);
            tx.insert("review_rounds", row).await?;
            audit::record(tx, who, Change::created("review_round", call, image(s))).await
        }
    }
}

#[derive(Debug, Clone)]
pub struct Assignment {
    pub id: i64,
    pub call_id: i64,
    pub application_id: i64,
    pub expert_id: i64,
    pub expert_name: String,
    pub state: String,
    pub recuse_reason: String,
    pub comment: String,
    pub submitted_at: Option<String>,
}

const ASSIGNMENT: &str = "SELECT s.id, s.call_id, s.application_id, s.expert_id, e.name AS expert_name, s.state, \
    s.recuse_reason, s.comment, s.submitted_at FROM review_assignments s JOIN review_experts e ON e.id = s.expert_id";

fn assignment_of(r: &Row) -> DbResult<Assignment> {
    Ok(Assignment {
        id: r.i64("id")?,
        call_id: r.i64("call_id")?,
        application_id: r.i64("application_id")?,
        expert_id: r.i64("expert_id")?,
        expert_name: r.text("expert_name")?,
        state: r.text("state")?,
        recuse_reason: r.text("recuse_reason")?,
        comment: r.text("comment")?,
        submitted_at: r.opt_text("submitted_at")?,
    })
}

/// A call's assignments, by application then expert.
pub async fn assignments(db: &Db, call: i64) -> DbResult<Vec<Assignment>> {
    let sql = format!("{ASSIGNMENT} WHERE s.call_id = $1 ORDER BY s.application_id, s.id");
    db.fetch_all(&sql, &[call.into()]).await?.iter().map(assignment_of).collect()
}

pub async fn assignment(db: &Db, id: i64) -> DbResult<Option<Assignment>> {
    db.fetch_optional(&format!("{ASSIGNMENT} WHERE s.id = $1"), &[id.into()])
        .await?
        .as_ref()
        .map(assignment_of)
        .transpose()
}

/// The pool record linked to an account.
pub async fn expert_of_account(db: &Db, account: i64) -> DbResult<Option<i64>> {
    let r = db.fetch_optional("SELECT id FROM review_experts WHERE account_id = $1", &[account.into()]).await?;
    r.map(|r| r.i64("id")).transpose()
}

/// An expert's assignment as its list shows it.
#[derive(Debug, Clone)]
pub struct Mine {
    pub id: i64,
    pub call_id: i64,
    pub call_title: String,
    pub title: String,
    pub state: String,
}

/// An expert's assignments, newest call first.
pub async fn mine(db: &Db, expert: i64) -> DbResult<Vec<Mine>> {
    let rows = db
        .fetch_all(
            "SELECT s.id, s.call_id, c.title AS call_title, a.title, s.state FROM review_assignments s \
             JOIN programme_calls c ON c.id = s.call_id JOIN programme_applications a ON a.id = s.application_id \
             WHERE s.expert_id = $1 ORDER BY c.opens_on DESC, c.id DESC, s.id",
            &[expert.into()],
        )
        .await?;
    rows.iter()
        .map(|r| {
            Ok(Mine {
                id: r.i64("id")?,
                call_id: r.i64("call_id")?,
                call_title: r.text("call_title")?,
                title: r.text("title")?,
                state: r.text("state")?,
            })
        })
        .collect()
}

/// Replaces the call's assignments with `pairs` (application, expert) and
/// opens scoring. Refused (false) once any expert has submitted.
pub async fn assign(tx: &mut Tx, who: &AuditActor, call: i64, pairs: &[(i64, i64)]) -> DbResult<bool> {
    let submitted = tx
        .fetch_one(
            "SELECT COUNT(*) AS n FROM review_assignments WHERE call_id = $1 AND state = $2",
            &[call.into(), round::SUBMITTED.into()],
        )
        .await?
        .i64("n")?;
    if submitted > 0 {
        return Ok(false);
    }
    tx.execute(
        "DELETE FROM review_marks WHERE assignment_id IN (SELECT id FROM review_assignments WHERE call_id = $1)",
        &[call.into()],
    )
    .await?;
    tx.execute("DELETE FROM review_assignments WHERE call_id = $1", &[call.into()]).await?;
    let now = time::now_utc();
    let records = pairs
        .iter()
        .map(|&(application, expert)| {
            Record::new()
                .set("call_id", call)
                .set("application_id", application)
                .set("expert_id", expert)
                .set("state", round::ASSIGNED)
                .set("recuse_reason", "")
                .set("comment", "")
                .set("assigned_at", now.as_str())
        })
        .collect::<Vec<_>>();
    for r in records {
        tx.insert("review_assignments", r).await?;
    }
    tx.execute("UPDATE review_rounds SET state = $1 WHERE call_id = $2", &[round::SCORING.into(), call.into()]).await?;
    let pairs: Vec<[i64; 2]> = pairs.iter().map(|&(a, e)| [a, e]).collect();
    audit::record(tx, who, Change::new("assign", "review_round", call).after(json!({ "pairs": pairs }))).await?;
    Ok(true)
}

/// Puts another expert on an assignment (its marks dropped).
pub async fn replace(tx: &mut Tx, who: &AuditActor, a: &Assignment, expert: i64) -> DbResult<()> {
    tx.execute("DELETE FROM review_marks WHERE assignment_id = $1", &[a.id.into()]).await?;
    tx.execute(
        "UPDATE review_assignments SET expert_id = $1, state = $2, recuse_reason = '', comment = '', \
         submitted_at = NULL WHERE id = $3",
        &[expert.into(), round::ASSIGNED.into(), a.id.into()],
    )
    .await?;
    let change = Change::new("replace", "review_assignment", a.id)
        .before(json!({ "expert_id": a.expert_id, "state": a.state }))
        .after(json!({ "expert_id": expert, "application_id": a.application_id }));
    audit::record(tx, who, change).await
}

/// Each expert's count of live (not recused) assignments in the call.
pub async fn loads(db: &Db, call: i64) -> DbResult<HashMap<i64, i64>> {
    let rows = db
        .fetch_all(
            "SELECT expert_id, COUNT(*) AS n FROM review_assignments WHERE call_id = $1 AND state <> $2 \
             GROUP BY expert_id",
            &[call.into(), round::RECUSED.into()],
        )
        .await?;
    rows.iter().map(|r| Ok((r.i64("expert_id")?, r.i64("n")?))).collect()
}

/// One assignment's marks: dimension → score.
pub async fn marks(db: &Db, assignment: i64) -> DbResult<HashMap<i64, i64>> {
    let rows = db
        .fetch_all("SELECT dimension_id, score FROM review_marks WHERE assignment_id = $1", &[assignment.into()])
        .await?;
    rows.iter().map(|r| Ok((r.i64("dimension_id")?, r.i64("score")?))).collect()
}

/// Every mark of a call: assignment → dimension → score.
pub async fn call_marks(db: &Db, call: i64) -> DbResult<HashMap<i64, HashMap<i64, i64>>> {
    let rows = db
        .fetch_all(
            "SELECT m.assignment_id, m.dimension_id, m.score FROM review_marks m \
             JOIN review_assignments s ON s.id = m.assignment_id WHERE s.call_id = $1",
            &[call.into()],
        )
        .await?;
    let mut out: HashMap<i64, HashMap<i64, i64>> = HashMap::new();
    for r in &rows {
        out.entry(r.i64("assignment_id")?).or_default().insert(r.i64("dimension_id")?, r.i64("score")?);
    }
    Ok(out)
}

/// Saves an expert's marks and comment; `submit` locks them. False when the
/// assignment is no longer open (submitted or recused meanwhile).
pub async fn save_marks(
    tx: &mut Tx,
    who: &AuditActor,
    a: &Assignment,
    marks: &[(i64, i64)],
    comment: &str,
    submit: bool,
) -> DbResult<bool> {
    let (state, at) = if submit { (round::SUBMITTED, Some(time::now_utc())) } else { (round::ASSIGNED, None) };
    let n = tx
        .execute(
            "UPDATE review_assignments SET comment = $1, state = $2, submitted_at = $3 WHERE id = $4 AND state = $5",
            &[comment.into(), state.into(), at.into(), a.id.into(), round::ASSIGNED.into()],
        )
        .await?;
    if n == 0 {
        return Ok(false);
    }
    tx.execute("DELETE FROM review_marks WHERE assignment_id = $1", &[a.id.into()]).await?;
    for &(dimension, score) in marks {
        let r = Record::new().set("assignment_id", a.id).set("dimension_id", dimension).set("score", score);
        tx.insert("review_marks", r).await?;
    }
    let scores: HashMap<String, i64> = marks.iter().map(|(d, s)| (d.to_string(), *s)).collect();
    let action = if submit { "submit" } else { "update" };
    let change = Change::new(action, "review_assignment", a.id)
        .after(json!({ "application_id": a.application_id, "marks": scores, "comment": comment }));
    audit::record(tx, who, change).await?;
    Ok(true)
}

/// The expert declines the assignment for a conflict the pool did not know.
pub async fn recuse(tx: &mut Tx, who: &AuditActor, a: &Assignment, reason: &str) -> DbResult<bool> {
    let n = tx
        .execute(
            "UPDATE review_assignments SET state = $1, recuse_reason = $2 WHERE id = $3 AND state = $4",
            &[round::RECUSED.into(), reason.into(), a.id.into(), round::ASSIGNED.into()],
        )
        .await?;
    if n == 0 {
        return Ok(false);
    }
    tx.execute("DELETE FROM review_marks WHERE assignment_id = $1", &[a.id.into()]).await?;
    let change = Change::new("recuse", "review_assignment", a.id)
        .after(json!({ "application_id": a.application_id, "reason": reason }));
    audit::record(tx, who, change).await?;
    Ok(true)
}

/// Reopens an application's submitted assignments for a re-review.
pub async fn rereview(tx: &mut Tx, who: &AuditActor, call: i64, application: i64, reason: &str) -> DbResult<u64> {
    let n = tx
        .execute(
            "UPDATE review_assignments SET state = $1, submitted_at = NULL \
             WHERE call_id = $2 AND application_id = $3 AND state = $4",
            &[round::ASSIGNED.into(), call.into(), application.into(), round::SUBMITTED.into()],
        )
        .await?;
    let r = Record::new()
        .set("call_id", call)
        .set("application_id", application)
        .set("reason", reason)
        .set("requested_at", time::now_utc())
        .set("requested_by_label", who.label.as_str());
    tx.insert_id("review_rereviews", r).await?;
    tx.execute("UPDATE review_rounds SET state = $1 WHERE call_id = $2", &[round::SCORING.into(), call.into()]).await?;
    let change = Change::new("rereview", "program_application", application)
        .after(json!({ "call_id": call, "reason": reason, "reopened": n }));
    audit::record(tx, who, change).await?;
    Ok(n)
}

/// Applications of the call sent back for re-review, with how many times.
pub async fn rereviews(db: &Db, call: i64) -> DbResult<HashMap<i64, i64>> {
    let rows = db
        .fetch_all(
            "SELECT application_id, COUNT(*) AS n FROM review_rereviews WHERE call_id = $1 GROUP BY application_id",
            &[call.into()],
        )
        .await?;
    rows.iter().map(|r| Ok((r.i64("application_id")?, r.i64("n")?))).collect()
}

/// Writes the decision: each application's outcome (approved, rejected) and
/// the round closed with the slots decided on.
pub async fn decide(tx: &mut Tx, who: &AuditActor, call: i64, slots: i64, outcomes: &[(i64, bool)]) -> DbResult<()> {
    for &(application, approved) in outcomes {
        let outcome = if approved { "approved" } else { "rejected" };
        tx.execute(
            "UPDATE programme_applications SET outcome = $1 WHERE id = $2 AND call_id = $3",
            &[outcome.into(), application.into(), call.into()],
        )
        .await?;
        let change = Change::new("decide", "program_application", application).after(json!({ "outcome": outcome }));
        audit::record(tx, who, change).await?;
    }
    tx.execute(
        "UPDATE review_rounds SET state = $1, slots = $2 WHERE call_id = $3",
        &[round::CLOSED.into(), slots.into(), call.into()],
    )
    .await?;
    let approved: Vec<i64> = outcomes.iter().filter(|(_, a)| *a).map(|(id, _)| *id).collect();
    let change = Change::new("decide", "review_round", call).after(json!({ "slots": slots, "approved": approved }));
    audit::record(tx, who, change).await
}
