//! The training bases' SQL: bases, their trainees (graduates enrolled in the
//! base's trainings, with completion and destination read live) and the
//! province's supervision visits. Every write is audited.

use std::collections::{HashMap, HashSet};

use kernel::audit::{self, AuditActor, Change};
use kernel::db::{Record, SqlBuilder};
use kernel::{codes, time, Db, DbResult, Locale, Row, Tx};
use serde_json::json;

use super::rules::{NewBase, NewVisit};

/// The base levels' code table (national 宏志助航, provincial).
pub const LEVELS: &str = "base_level";

pub async fn levels(db: &Db, l: Locale) -> DbResult<Vec<(String, String)>> {
    Ok(codes::list(db, LEVELS, codes::BASE_VERSION)
        .await?
        .iter()
        .map(|c| (c.code.clone(), c.label(l).to_owned()))
        .collect())
}

#[derive(Debug, Clone)]
pub struct Base {
    pub id: i64,
    pub name: String,
    pub host_institution_id: i64,
    pub host: String,
    pub level: String,
    pub since_year: i64,
    pub contact: String,
}

const BASE: &str = "SELECT b.id, b.name, b.host_institution_id, i.name AS host, b.level_code, b.since_year, b.contact \
    FROM training_bases b JOIN institutions i ON i.id = b.host_institution_id";

fn base_of(r: &Row) -> DbResult<Base> {
    Ok(Base {
        id: r.i64("id")?,
        name: r.text("name")?,
        host_institution_id: r.i64("host_institution_id")?,
        host: r.text("host")?,
        level: r.text("level_code")?,
        since_year: r.i64("since_year")?,
        contact: r.text("contact")?,
    })
}

/// Every base, national first.
pub async fn list(db: &Db) -> DbResult<Vec<Base>> {
    db.fetch_all(&format!("{BASE} ORDER BY b.level_code, b.since_year, b.id"), &[]).await?.iter().map(base_of).collect()
}

pub async fn get(db: &Db, id: i64) -> DbResult<Option<Base>> {
    db.fetch_optional(&format!("{BASE} WHERE b.id = $1"), &[id.into()]).await?.as_ref().map(base_of).transpose()
}

pub async fn create(tx: &mut Tx, who: &AuditActor, b: &NewBase) -> DbResult<i64> {
    let row = Record::new()
        .set("name", b.name.as_str())
        .set("host_institution_id", b.host_institution_id)
        .set("level_code", b.level.as_str())
        .set("since_year", b.since_year)
        .set("contact", b.contact.as_str())
        .set("created_at", time::now_utc())
        .set("created_by_label", who.label.as_str());
    let id = tx.insert_id("training_bases", row).await?;
    let after = json!({ "name": b.name, "host_institution_id": b.host_institution_id, "level_code": b.level,
        "since_year": b.since_year, "contact": b.contact });
    audit::record(tx, who, Change::created("training_base", id, after)).await?;
    Ok(id)
}

/// Saves a base's edited fields.
pub async fn update(tx: &mut Tx, who: &AuditActor, before: &Base, b: &NewBase) -> DbResult<()> {
    let row = Record::new()
        .set("name", b.name.as_str())
        .set("host_institution_id", b.host_institution_id)
        .set("level_code", b.level.as_str())
        .set("since_year", b.since_year)
        .set("contact", b.contact.as_str());
    tx.update("training_bases", row, "id", before.id).await?;
    let was = json!({ "name": before.name, "host_institution_id": before.host_institution_id,
        "level_code": before.level, "since_year": before.since_year, "contact": before.contact });
    let after = json!({ "name": b.name, "host_institution_id": b.host_institution_id, "level_code": b.level,
        "since_year": b.since_year, "contact": b.contact });
    audit::record(tx, who, Change::updated("training_base", before.id, was, after)).await
}

/// A base's trainee.
#[derive(Debug, Clone)]
pub struct Trainee {
    pub graduate_id: i64,
    pub name: String,
    pub student_no: String,
    pub institution: String,
    /// Key-group category codes: the roster's and those staff added.
    pub categories: Vec<String>,
    pub trainings: i64,
    pub completed: bool,
    pub placed: bool,
}

/// The base's trainees within the scope: graduates enrolled in its trainings.
/// A base's trainees the viewer may see (with their key groups: a college's
/// staff see only the graduates they help).
pub async fn trainees(db: &Db, viewer: &crate::store::Viewer, base: i64) -> DbResult<Vec<Trainee>> {
    let mut w = SqlBuilder::new(
        "SELECT g.id, g.name, g.student_no, g.cohort_year, g.key_groups, i.name AS institution, d.category_code, \
         COUNT(*) AS trainings, SUM(CASE WHEN e.completed_at IS NULL THEN 0 ELSE 1 END) AS completed \
         FROM training_enrolments e JOIN trainings t ON t.id = e.training_id JOIN graduates g ON g.id = e.graduate_id \
         JOIN institutions i ON i.id = g.institution_id LEFT JOIN destinations d ON d.graduate_id = g.id \
         WHERE t.base_id = ",
    );
    w.bind(base);
    if viewer.restrict(&mut w).is_err() {
        return Ok(Vec::new());
    }
    w.push(
        " GROUP BY g.id, g.name, g.student_no, g.cohort_year, g.key_groups, i.code, i.name, d.category_code \
         ORDER BY i.code, g.student_no",
    );
    let rows = db.fetch_all(&w.sql, &w.params).await?;
    let mut placed_codes: HashMap<i64, HashSet<String>> = HashMap::new();
    let mut staff_flags: HashMap<i64, Vec<String>> = HashMap::new();
    let flags = db
        .fetch_all(
            "SELECT f.graduate_id, f.category_code FROM assistance_flags f JOIN training_enrolments e \
             ON e.graduate_id = f.graduate_id JOIN trainings t ON t.id = e.training_id \
             WHERE t.base_id = $1 AND f.removed_at IS NULL ORDER BY f.id",
            &[base.into()],
        )
        .await?;
    for r in flags {
        staff_flags.entry(r.i64("graduate_id")?).or_default().push(r.text("category_code")?);
    }
    let mut out = Vec::new();
    for r in &rows {
        let id = r.i64("id")?;
        let cohort = r.i64("cohort_year")?;
        if let std::collections::hash_map::Entry::Vacant(e) = placed_codes.entry(cohort) {
            e.insert(crate::store::placed_codes(db, cohort).await?);
        }
        let placed =
            r.opt_text("category_code")?.is_some_and(|c| placed_codes.get(&cohort).is_some_and(|p| p.contains(&c)));
        let mut categories = crate::store::roster_codes(&r.text("key_groups")?);
        for c in staff_flags.remove(&id).unwrap_or_default() {
            if !categories.contains(&c) {
                categories.push(c);
            }
        }
        out.push(Trainee {
            graduate_id: id,
            name: r.text("name")?,
            student_no: r.text("student_no")?,
            institution: r.text("institution")?,
            categories,
            trainings: r.i64("trainings")?,
            completed: r.i64("completed")? > 0,
            placed,
        });
    }
    Ok(out)
}

#[derive(Debug, Clone)]
pub struct Visit {
    pub id: i64,
    pub visited_on: String,
    pub visitors: String,
    pub findings: String,
    pub rectify_by: Option<String>,
    pub closed_at: Option<String>,
}

pub async fn visits(db: &Db, base: i64) -> DbResult<Vec<Visit>> {
    let rows = db
        .fetch_all(
            "SELECT id, visited_on, visitors, findings, rectify_by, closed_at FROM base_visits WHERE base_id = $1 \
             ORDER BY visited_on DESC, id DESC",
            &[base.into()],
        )
        .await?;
    rows.iter()
        .map(|r| {
            Ok(Visit {
                id: r.i64("id")?,
                visited_on: r.text("visited_on")?,
                visitors: r.text("visitors")?,
                findings: r.text("findings")?,
                rectify_by: r.opt_text("rectify_by")?,
                closed_at: r.opt_text("closed_at")?,
            })
        })
        .collect()
}

pub async fn add_visit(tx: &mut Tx, who: &AuditActor, base: i64, v: &NewVisit) -> DbResult<i64> {
    let row = Record::new()
        .set("base_id", base)
        .set("visited_on", v.visited_on.to_string())
        .set("visitors", v.visitors.as_str())
        .set("findings", v.findings.as_str())
        .set("rectify_by", v.rectify_by.map(|d| d.to_string()))
        .set("recorded_at", time::now_utc())
        .set("recorded_by_label", who.label.as_str());
    let id = tx.insert_id("base_visits", row).await?;
    let after = json!({ "base_id": base, "visited_on": v.visited_on, "visitors": v.visitors, "findings": v.findings,
        "rectify_by": v.rectify_by });
    audit::record(tx, who, Change::created("base_visit", id, after)).await?;
    Ok(id)
}

/// Closes an open visit of the base (rectification done); false when there is none.
pub async fn close_visit(tx: &mut Tx, who: &AuditActor, base: i64, visit: i64) -> DbResult<bool> {
    let n = tx
        .execute(
            "UPDATE base_visits SET closed_at = $1 WHERE id = $2 AND base_id = $3 AND closed_at IS NULL",
            &[time::now_utc().into(), visit.into(), base.into()],
        )
        .await?;
    if n == 0 {
        return Ok(false);
    }
    audit::record(tx, who, Change::new("close", "base_visit", visit).after(json!({ "base_id": base }))).await?;
    Ok(true)
}

/// Open visits per base, and how many of them are past their rectification date.
pub async fn open_visits(db: &Db, today: &str) -> DbResult<HashMap<i64, (i64, i64)>> {
    let rows = db.fetch_all("SELECT base_id, rectify_by FROM base_visits WHERE closed_at IS NULL", &[]).await?;
    let mut by: HashMap<i64, (i64, i64)> = HashMap::new();
    for r in rows {
        let e = by.entry(r.i64("base_id")?).or_default();
        e.0 += 1;
        if super::rules::overdue(r.opt_text("rectify_by")?.as_deref(), false, today) {
            e.1 += 1;
        }
    }
    Ok(by)
}
