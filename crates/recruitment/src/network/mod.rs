//! The employer network (用人单位网络, measures 4 and 5 of the plan): industrial
//! parks (产业园区) and the key employers (重点用人单位) the province designates
//! in them for a 三高四新 field, with the plaque (授牌) it issues; universities'
//! visits (visits.rs); duplicate employers found and merged (merge.rs). The
//! parks' and designations' store is here.

pub mod merge;
pub mod pages;
pub mod rules;
pub mod visits;

use std::collections::HashSet;

use kernel::audit::{self, AuditActor, Change};
use kernel::codes::{self, BASE_VERSION};
use kernel::{time, Db, DbResult, Locale, Row, Tx};
use serde_json::json;

use rules::{Allowed, Designation, ParkForm, Plaque};

/// The code table of the 三高四新 strategy fields.
pub const FIELDS: &str = "strategy_field";
/// The code table of the regions a visit may name.
pub const REGIONS: &str = "visit_region";

/// The codes of a table that people choose: those under a group.
async fn leaves(db: &Db, kind: &str) -> DbResult<Vec<codes::Code>> {
    Ok(codes::list(db, kind, BASE_VERSION).await?.into_iter().filter(|c| c.parent_code.is_some()).collect())
}

/// (code, "group · name") of a code table's leaves, for a picker.
pub async fn choices(db: &Db, kind: &str, l: Locale) -> DbResult<Vec<(String, String)>> {
    let all = codes::list(db, kind, BASE_VERSION).await?;
    let group = |code: &Option<String>| {
        all.iter().find(|g| Some(&g.code) == code.as_ref()).map(|g| g.label(l).to_owned()).unwrap_or_default()
    };
    Ok(all
        .iter()
        .filter(|c| c.parent_code.is_some())
        .map(|c| (c.code.clone(), format!("{} · {}", group(&c.parent_code), c.label(l))))
        .collect())
}

/// What the forms may name.
pub async fn allowed(db: &Db) -> DbResult<Allowed> {
    let codes_of = |kind: &'static str| async move {
        Ok::<HashSet<String>, kernel::DbError>(leaves(db, kind).await?.into_iter().map(|c| c.code).collect())
    };
    Ok(Allowed {
        fields: codes_of(FIELDS).await?,
        regions: codes_of(REGIONS).await?,
        parks: db.fetch_all("SELECT id FROM parks", &[]).await?.iter().map(|r| r.i64("id")).collect::<DbResult<_>>()?,
    })
}

/// The employer holding a credit code, as typed; a merged employer is not found.
pub async fn employer_by_code(db: &Db, code: &str) -> DbResult<Option<i64>> {
    let code = rules::normal_credit_code(code);
    if code.is_empty() {
        return Ok(None);
    }
    let row = db
        .fetch_optional(
            "SELECT id FROM employers WHERE credit_code = $1 AND status <> $2",
            &[code.into(), rules::MERGED.into()],
        )
        .await?;
    row.map(|r| r.i64("id")).transpose()
}

/// An industrial park with how many key employers it holds.
#[derive(Debug, Clone)]
pub struct Park {
    pub id: i64,
    pub name: String,
    pub region: String,
    pub key_employers: i64,
}

pub async fn parks(db: &Db) -> DbResult<Vec<Park>> {
    let sql = "SELECT p.id, p.name, COALESCE(r.name, p.region_code) AS region, \
               (SELECT COUNT(*) FROM key_employers k WHERE k.park_id = p.id) AS n \
               FROM parks p LEFT JOIN regions r ON r.code = p.region_code ORDER BY p.name";
    db.fetch_all(sql, &[])
        .await?
        .iter()
        .map(|r| {
            Ok(Park { id: r.i64("id")?, name: r.text("name")?, region: r.text("region")?, key_employers: r.i64("n")? })
        })
        .collect()
}

/// Whether a park of this name exists already.
pub async fn park_named(db: &Db, name: &str) -> DbResult<bool> {
    Ok(db.fetch_optional("SELECT id FROM parks WHERE name = $1", &[name.into()]).await?.is_some())
}

/// Hunan's region codes a park may lie in.
pub async fn park_regions(db: &Db) -> DbResult<Vec<(String, String)>> {
    let rows = db
        .fetch_all(
            "SELECT code, name FROM regions WHERE retired = FALSE AND level <> 'province' AND code LIKE '43%' ORDER BY code",
            &[],
        )
        .await?;
    rows.iter().map(|r| Ok((r.text("code")?, r.text("name")?))).collect()
}

pub async fn create_park(tx: &mut Tx, who: &AuditActor, f: &ParkForm) -> DbResult<i64> {
    let row = kernel::db::Record::new()
        .set("name", f.name.as_str())
        .set("region_code", f.region_code.as_str())
        .set("created_at", time::now_utc());
    let id = tx.insert_id("parks", row).await?;
    let image = json!({ "name": f.name, "region_code": f.region_code });
    audit::record(tx, who, Change::created("park", id, image)).await?;
    Ok(id)
}

/// A key employer's designation, its plaque if issued.
#[derive(Debug, Clone)]
pub struct KeyEmployer {
    pub id: i64,
    pub employer_id: i64,
    pub employer: String,
    pub park: Option<String>,
    pub field: String,
    pub designated_on: String,
    pub plaque_no: Option<String>,
    pub plaque_issued_on: Option<String>,
    pub plaque_issued_by: Option<String>,
}

const KEY_SQL: &str = "SELECT k.id, k.employer_id, e.name AS employer, p.name AS park, k.field_code, k.designated_on, \
    k.plaque_no, k.plaque_issued_on, k.plaque_issued_by FROM key_employers k JOIN employers e ON e.id = k.employer_id \
    LEFT JOIN parks p ON p.id = k.park_id";

fn key_employer_of(r: &Row, fields: &std::collections::HashMap<String, String>) -> DbResult<KeyEmployer> {
    let field = r.text("field_code")?;
    Ok(KeyEmployer {
        id: r.i64("id")?,
        employer_id: r.i64("employer_id")?,
        employer: r.text("employer")?,
        park: r.opt_text("park")?,
        field: fields.get(&field).cloned().unwrap_or(field),
        designated_on: r.text("designated_on")?,
        plaque_no: r.opt_text("plaque_no")?,
        plaque_issued_on: r.opt_text("plaque_issued_on")?,
        plaque_issued_by: r.opt_text("plaque_issued_by")?,
    })
}

/// Key employers, newest designation first; of one employer when given (its workbench).
pub async fn key_employers(db: &Db, employer: Option<i64>, l: Locale) -> DbResult<Vec<KeyEmployer>> {
    let fields = codes::labels(db, FIELDS, BASE_VERSION, l).await?;
    let (sql, params) = match employer {
        Some(id) => (format!("{KEY_SQL} WHERE k.employer_id = $1 ORDER BY k.id DESC"), vec![id.into()]),
        None => (format!("{KEY_SQL} ORDER BY k.designated_on DESC, k.id DESC"), vec![]),
    };
    db.fetch_all(&sql, &params).await?.iter().map(|r| key_employer_of(r, &fields)).collect()
}

/// One designation and the day it was made, for a plaque.
pub async fn designated_on(db: &Db, id: i64) -> DbResult<Option<(chrono::NaiveDate, bool)>> {
    let row =
        db.fetch_optional("SELECT designated_on, plaque_no FROM key_employers WHERE id = $1", &[id.into()]).await?;
    let Some(r) = row else { return Ok(None) };
    let day = kernel::validate::parse_date(&r.text("designated_on")?).unwrap_or_default();
    Ok(Some((day, r.opt_text("plaque_no")?.is_some())))
}

/// Whether an employer holds a designation already.
pub async fn is_designated(db: &Db, employer_id: i64) -> DbResult<bool> {
    Ok(db.fetch_optional("SELECT id FROM key_employers WHERE employer_id = $1", &[employer_id.into()]).await?.is_some())
}

pub async fn designate(tx: &mut Tx, who: &AuditActor, d: &Designation) -> DbResult<i64> {
    let row = kernel::db::Record::new()
        .set("employer_id", d.employer_id)
        .set("park_id", d.park_id)
        .set("field_code", d.field_code.as_str())
        .set("designated_on", d.designated_on.to_string())
        .set("created_at", time::now_utc());
    let id = tx.insert_id("key_employers", row).await?;
    let image = json!({ "employer_id": d.employer_id, "park_id": d.park_id, "field_code": d.field_code,
        "designated_on": d.designated_on.to_string() });
    audit::record(tx, who, Change::new("designate", "key_employer", id).after(image)).await?;
    Ok(id)
}

pub async fn issue_plaque(tx: &mut Tx, who: &AuditActor, id: i64, p: &Plaque) -> DbResult<()> {
    let row = kernel::db::Record::new()
        .set("plaque_no", p.plaque_no.as_str())
        .set("plaque_issued_on", p.issued_on.to_string())
        .set("plaque_issued_by", p.issued_by.as_str());
    tx.update("key_employers", row, "id", id).await?;
    let image = json!({ "plaque_no": p.plaque_no, "plaque_issued_on": p.issued_on.to_string(),
        "plaque_issued_by": p.issued_by });
    audit::record(tx, who, Change::new("issue_plaque", "key_employer", id).after(image)).await?;
    Ok(())
}
