//! Follow-up records' and the registries' SQL. Every write is audited.

use chrono::NaiveDate;
use kernel::audit::{self, AuditActor, Change, Subject};
use kernel::db::{Record, SqlBuilder};
use kernel::{time, Db, DbResult, Row, Tx};
use serde_json::json;

use super::rules::{self, NewFollowup};

// ---------------------------------------------------------------- funded items

/// An approved (or since revoked) application whose result the province published.
#[derive(Debug, Clone)]
pub struct Funded {
    pub id: i64,
    pub call_id: i64,
    pub call_title: String,
    pub institution_id: i64,
    pub institution: String,
    pub title: String,
    pub leader_name: String,
    pub leader_id_number: String,
    pub outcome: String,
    pub finished_on: Option<String>,
    pub records: i64,
}

const FUNDED: &str =
    "SELECT a.id, a.call_id, c.title AS call_title, a.institution_id, i.name AS institution, a.title, \
    a.leader_name, a.leader_id_number, a.outcome, a.finished_on, \
    (SELECT COUNT(*) FROM programme_followups f WHERE f.application_id = a.id) AS records \
    FROM programme_applications a JOIN programme_calls c ON c.id = a.call_id \
    JOIN institutions i ON i.id = a.institution_id \
    WHERE a.outcome IN ('approved', 'revoked') AND EXISTS (SELECT 1 FROM programme_notice_items t \
    JOIN programme_notices n ON n.id = t.notice_id WHERE t.application_id = a.id AND t.removed = 0 \
    AND n.institution_id IS NULL AND n.status = 'result')";

fn funded_of(r: &Row) -> DbResult<Funded> {
    Ok(Funded {
        id: r.i64("id")?,
        call_id: r.i64("call_id")?,
        call_title: r.text("call_title")?,
        institution_id: r.i64("institution_id")?,
        institution: r.text("institution")?,
        title: r.text("title")?,
        leader_name: r.text("leader_name")?,
        leader_id_number: r.text("leader_id_number")?,
        outcome: r.text("outcome")?,
        finished_on: r.opt_text("finished_on")?,
        records: r.i64("records")?,
    })
}

/// Funded items, of one institution or all.
pub async fn funded(db: &Db, institution: Option<i64>) -> DbResult<Vec<Funded>> {
    let mut w = SqlBuilder::new(FUNDED);
    if let Some(i) = institution {
        w.push(" AND a.institution_id = ").bind(i);
    }
    w.push(" ORDER BY c.year DESC, a.call_id, i.code, a.id");
    db.fetch_all(&w.sql, &w.params).await?.iter().map(funded_of).collect()
}

pub async fn funded_one(db: &Db, application: i64) -> DbResult<Option<Funded>> {
    let mut w = SqlBuilder::new(FUNDED);
    w.push(" AND a.id = ").bind(application);
    db.fetch_optional(&w.sql, &w.params).await?.as_ref().map(funded_of).transpose()
}

pub async fn funded_tx(tx: &mut Tx, application: i64) -> DbResult<Option<Funded>> {
    let mut w = SqlBuilder::new(FUNDED);
    w.push(" AND a.id = ").bind(application);
    tx.fetch_optional(&w.sql, &w.params).await?.as_ref().map(funded_of).transpose()
}

#[derive(Debug, Clone)]
pub struct Followup {
    pub id: i64,
    pub kind: String,
    pub on_date: String,
    pub year: Option<i64>,
    pub verdict: String,
    pub remarks: String,
    pub base: String,
    pub funding_yuan: Option<i64>,
    pub jobs: Option<i64>,
    pub by: String,
}

pub async fn followups(db: &Db, application: i64) -> DbResult<Vec<Followup>> {
    let rows = db
        .fetch_all(
            "SELECT id, kind, on_date, year, verdict, remarks, base, funding_yuan, jobs, created_by_label \
             FROM programme_followups WHERE application_id = $1 ORDER BY on_date, id",
            &[application.into()],
        )
        .await?;
    rows.iter()
        .map(|r| {
            Ok(Followup {
                id: r.i64("id")?,
                kind: r.text("kind")?,
                on_date: r.text("on_date")?,
                year: r.opt_i64("year")?,
                verdict: r.text("verdict")?,
                remarks: r.text("remarks")?,
                base: r.text("base")?,
                funding_yuan: r.opt_i64("funding_yuan")?,
                jobs: r.opt_i64("jobs")?,
                by: r.text("created_by_label")?,
            })
        })
        .collect()
}

/// A call's revocation settings: (failing years before revocation, ban years).
pub async fn settings(db: &Db, call: i64) -> DbResult<(i64, i64)> {
    let row = db
        .fetch_optional(
            "SELECT revoke_after, ban_years FROM programme_followup_rules WHERE call_id = $1",
            &[call.into()],
        )
        .await?;
    Ok(match row {
        Some(r) => (r.i64("revoke_after")?, r.i64("ban_years")?),
        None => (rules::DEFAULT_REVOKE_AFTER, rules::DEFAULT_BAN_YEARS),
    })
}

pub async fn set_settings(tx: &mut Tx, who: &AuditActor, call: i64, revoke_after: i64, ban_years: i64) -> DbResult<()> {
    let before = tx
        .fetch_optional(
            "SELECT revoke_after, ban_years FROM programme_followup_rules WHERE call_id = $1",
            &[call.into()],
        )
        .await?
        .map(|r| r.to_json());
    tx.execute("DELETE FROM programme_followup_rules WHERE call_id = $1", &[call.into()]).await?;
    let row = Record::new().set("call_id", call).set("revoke_after", revoke_after).set("ban_years", ban_years);
    tx.insert("programme_followup_rules", row).await?;
    let after = json!({ "revoke_after": revoke_after, "ban_years": ban_years });
    audit::record(tx, who, Change::updated("program_call", call, before, after)).await?;
    Ok(())
}

/// What adding a record did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Added {
    /// A grading of that year exists already; nothing written.
    YearGraded,
    Recorded {
        revoked: bool,
    },
}

/// Adds a follow-up record: completion passed sets `finished_on`; a failing
/// grade that reaches the call's count revokes the item and bans its leader.
pub async fn add(tx: &mut Tx, who: &AuditActor, a: &Funded, f: &NewFollowup) -> DbResult<Added> {
    if let (rules::GRADING, Some(year)) = (f.kind, f.year) {
        let n = tx
            .fetch_one(
                "SELECT COUNT(*) AS n FROM programme_followups WHERE application_id = $1 AND kind = $2 AND year = $3",
                &[a.id.into(), rules::GRADING.into(), year.into()],
            )
            .await?
            .i64("n")?;
        if n > 0 {
            return Ok(Added::YearGraded);
        }
    }
    let row = Record::new()
        .set("application_id", a.id)
        .set("kind", f.kind)
        .set("on_date", f.on_date.to_string())
        .set("year", f.year)
        .set("verdict", f.verdict.as_str())
        .set("remarks", f.remarks.as_str())
        .set("base", f.base.as_str())
        .set("funding_yuan", f.funding_yuan)
        .set("jobs", f.jobs)
        .set("created_at", time::now_utc())
        .set("created_by_label", who.label.as_str());
    let id = tx.insert_id("programme_followups", row).await?;
    let subject = Subject::institution(a.institution_id);
    let after = json!({
        "application_id": a.id, "kind": f.kind, "on_date": f.on_date, "year": f.year, "verdict": f.verdict,
        "base": f.base, "funding_yuan": f.funding_yuan, "jobs": f.jobs,
    });
    audit::record(tx, who, Change::created("program_followup", id, after).about(subject)).await?;
    if f.kind == rules::COMPLETION && f.verdict == "pass" {
        tx.execute(
            "UPDATE programme_applications SET finished_on = $1 WHERE id = $2",
            &[f.on_date.to_string().into(), a.id.into()],
        )
        .await?;
        let change = Change::updated(
            "program_application",
            a.id,
            json!({ "finished_on": a.finished_on }),
            json!({ "finished_on": f.on_date }),
        )
        .about(subject);
        audit::record(tx, who, change).await?;
    }
    let mut revoked = false;
    if f.kind == rules::GRADING && f.verdict == rules::FAIL && a.outcome == "approved" {
        let fails: Vec<i64> = tx
            .fetch_all(
                "SELECT year FROM programme_followups WHERE application_id = $1 AND kind = $2 AND verdict = $3",
                &[a.id.into(), rules::GRADING.into(), rules::FAIL.into()],
            )
            .await?
            .iter()
            .filter_map(|r| r.opt_i64("year").ok().flatten())
            .collect();
        let (revoke_after, ban_years) = settings_tx(tx, a.call_id).await?;
        if rules::should_revoke(&fails, revoke_after) {
            revoked = revoke(tx, who, a, f.on_date, ban_years, fails.len()).await?;
        }
    }
    Ok(Added::Recorded { revoked })
}

async fn settings_tx(tx: &mut Tx, call: i64) -> DbResult<(i64, i64)> {
    let row = tx
        .fetch_optional(
            "SELECT revoke_after, ban_years FROM programme_followup_rules WHERE call_id = $1",
            &[call.into()],
        )
        .await?;
    Ok(match row {
        Some(r) => (r.i64("revoke_after")?, r.i64("ban_years")?),
        None => (rules::DEFAULT_REVOKE_AFTER, rules::DEFAULT_BAN_YEARS),
    })
}

/// Revokes the item (撤项) and bans its leader through the bans store.
async fn revoke(
    tx: &mut Tx,
    who: &AuditActor,
    a: &Funded,
    on: NaiveDate,
    ban_years: i64,
    fails: usize,
) -> DbResult<bool> {
    let n = tx
        .execute(
            "UPDATE programme_applications SET outcome = 'revoked' WHERE id = $1 AND outcome = 'approved'",
            &[a.id.into()],
        )
        .await?;
    if n == 0 {
        return Ok(false);
    }
    let change = Change::new("revoke", "program_application", a.id)
        .before(json!({ "outcome": "approved" }))
        .after(json!({ "outcome": "revoked", "failing_years": fails }))
        .about(Subject::institution(a.institution_id));
    audit::record(tx, who, change).await?;
    let reason = format!("《{}》年度考核 {fails} 年不合格，撤销立项", a.title);
    crate::calls::store::add_ban(tx, who, &a.leader_id_number, rules::ban_until(on, ban_years), &reason).await?;
    Ok(true)
}

// ---------------------------------------------------------------- registries

#[derive(Debug, Clone)]
pub struct Base {
    pub id: i64,
    pub name: String,
    pub institution: String,
    pub lead: bool,
    pub application_id: Option<i64>,
    pub designated_on: String,
    pub projects: Vec<Project>,
}

#[derive(Debug, Clone)]
pub struct Project {
    pub id: i64,
    pub name: String,
    pub application_id: Option<i64>,
    pub since_on: String,
}

pub async fn bases(db: &Db) -> DbResult<Vec<Base>> {
    let rows = db
        .fetch_all(
            "SELECT b.id, b.name, i.name AS institution, b.lead, b.application_id, b.designated_on \
             FROM incubation_bases b LEFT JOIN institutions i ON i.id = b.institution_id ORDER BY b.lead DESC, b.id",
            &[],
        )
        .await?;
    let projects = db
        .fetch_all(
            "SELECT id, base_id, name, application_id, since_on FROM incubation_base_projects ORDER BY since_on, id",
            &[],
        )
        .await?;
    let mut out = Vec::new();
    for r in &rows {
        let id = r.i64("id")?;
        let mut mine = Vec::new();
        for p in projects.iter().filter(|p| p.i64("base_id").ok() == Some(id)) {
            mine.push(Project {
                id: p.i64("id")?,
                name: p.text("name")?,
                application_id: p.opt_i64("application_id")?,
                since_on: p.text("since_on")?,
            });
        }
        out.push(Base {
            id,
            name: r.text("name")?,
            institution: r.opt_text("institution")?.unwrap_or_default(),
            lead: r.i64("lead")? != 0,
            application_id: r.opt_i64("application_id")?,
            designated_on: r.text("designated_on")?,
            projects: mine,
        });
    }
    Ok(out)
}

pub async fn has_lead(db: &Db) -> DbResult<bool> {
    Ok(db.scalar_i64("SELECT COUNT(*) FROM incubation_bases WHERE lead = 1", &[]).await? > 0)
}

/// Whether the application is approved (the entry it may come from), and its institution.
pub async fn approved(db: &Db, application: i64) -> DbResult<Option<i64>> {
    let row = db
        .fetch_optional(
            "SELECT institution_id FROM programme_applications WHERE id = $1 AND outcome = 'approved'",
            &[application.into()],
        )
        .await?;
    row.map(|r| r.i64("institution_id")).transpose()
}

pub struct NewBase {
    pub name: String,
    pub institution_id: Option<i64>,
    pub lead: bool,
    pub application_id: Option<i64>,
    pub designated_on: NaiveDate,
}

pub async fn add_base(tx: &mut Tx, who: &AuditActor, b: &NewBase) -> DbResult<i64> {
    let row = Record::new()
        .set("name", b.name.as_str())
        .set("institution_id", b.institution_id)
        .set("lead", i64::from(b.lead))
        .set("application_id", b.application_id)
        .set("designated_on", b.designated_on.to_string())
        .set("created_at", time::now_utc())
        .set("created_by_label", who.label.as_str());
    let id = tx.insert_id("incubation_bases", row).await?;
    let after = json!({ "name": b.name, "lead": b.lead, "institution_id": b.institution_id, "application_id": b.application_id });
    audit::record(tx, who, Change::created("incubation_base", id, after)).await?;
    Ok(id)
}

pub async fn base_exists(db: &Db, id: i64) -> DbResult<bool> {
    Ok(db.scalar_i64("SELECT COUNT(*) FROM incubation_bases WHERE id = $1", &[id.into()]).await? > 0)
}

pub async fn add_project(
    tx: &mut Tx,
    who: &AuditActor,
    base: i64,
    name: &str,
    application: Option<i64>,
    since: NaiveDate,
) -> DbResult<i64> {
    let row = Record::new()
        .set("base_id", base)
        .set("name", name)
        .set("application_id", application)
        .set("since_on", since.to_string())
        .set("created_at", time::now_utc())
        .set("created_by_label", who.label.as_str());
    let id = tx.insert_id("incubation_base_projects", row).await?;
    let after = json!({ "base_id": base, "name": name, "application_id": application, "since_on": since });
    audit::record(tx, who, Change::created("incubation_project", id, after)).await?;
    Ok(id)
}

#[derive(Debug, Clone)]
pub struct Studio {
    pub id: i64,
    pub name: String,
    pub leader_name: String,
    pub institution_id: i64,
    pub institution: String,
    pub application_id: Option<i64>,
    pub funding_yuan: i64,
    pub established_on: String,
}

pub async fn studios(db: &Db, institution: Option<i64>) -> DbResult<Vec<Studio>> {
    let mut w = SqlBuilder::new(
        "SELECT s.id, s.name, s.leader_name, s.institution_id, i.name AS institution, s.application_id, \
         s.funding_yuan, s.established_on FROM mentor_studios s JOIN institutions i ON i.id = s.institution_id WHERE 1 = 1",
    );
    if let Some(i) = institution {
        w.push(" AND s.institution_id = ").bind(i);
    }
    w.push(" ORDER BY s.established_on DESC, s.id");
    db.fetch_all(&w.sql, &w.params)
        .await?
        .iter()
        .map(|r| {
            Ok(Studio {
                id: r.i64("id")?,
                name: r.text("name")?,
                leader_name: r.text("leader_name")?,
                institution_id: r.i64("institution_id")?,
                institution: r.text("institution")?,
                application_id: r.opt_i64("application_id")?,
                funding_yuan: r.i64("funding_yuan")?,
                established_on: r.text("established_on")?,
            })
        })
        .collect()
}

pub struct NewStudio {
    pub name: String,
    pub leader_name: String,
    pub institution_id: i64,
    pub application_id: Option<i64>,
    pub funding_yuan: i64,
    pub established_on: NaiveDate,
}

pub async fn add_studio(tx: &mut Tx, who: &AuditActor, s: &NewStudio) -> DbResult<i64> {
    let row = Record::new()
        .set("name", s.name.as_str())
        .set("leader_name", s.leader_name.as_str())
        .set("institution_id", s.institution_id)
        .set("application_id", s.application_id)
        .set("funding_yuan", s.funding_yuan)
        .set("established_on", s.established_on.to_string())
        .set("created_at", time::now_utc())
        .set("created_by_label", who.label.as_str());
    let id = tx.insert_id("mentor_studios", row).await?;
    let after = json!({ "name": s.name, "leader_name": s.leader_name, "funding_yuan": s.funding_yuan, "application_id": s.application_id });
    audit::record(tx, who, Change::created("mentor_studio", id, after).about(Subject::institution(s.institution_id)))
        .await?;
    Ok(id)
}
