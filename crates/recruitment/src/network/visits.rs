//! Visits (访企拓岗, 调研走访): a university records its own, the province reads
//! all; summaries by university and by region. A university's staff see their
//! own visits and, by region, the province's totals beside their own (figures
//! only: no other university's visit or name).

use std::collections::HashMap;

use kernel::audit::{self, AuditActor, Change, Subject};
use kernel::auth::{Owners, Scope};
use kernel::codes::{self, BASE_VERSION};
use kernel::db::{Record, SqlBuilder};
use kernel::web::table::Paging;
use kernel::{time, Db, DbResult, Locale, Row, Tx};
use serde_json::json;

use super::rules::{Visit, VisitKind, Whose};

/// Who owns a visit (alias `v`): its university.
const OWNERS: Owners = Owners { institution: Some("v.institution_id"), ..Owners::NONE };

/// A visit as lists show it.
#[derive(Debug, Clone)]
pub struct VisitRow {
    pub id: i64,
    pub institution_id: i64,
    pub institution: String,
    pub visit: Visit,
    pub employer: Option<String>,
    pub credit_code: Option<String>,
    pub park: Option<String>,
    pub region: String,
}

const SELECT: &str = "SELECT v.id, v.institution_id, i.name AS institution, v.kind, v.visited_on, v.visitors, \
    v.employer_id, e.name AS employer, e.credit_code, v.park_id, p.name AS park, v.region_code, v.majors, v.positions, \
    v.average_pay, v.follow_up FROM visits v JOIN institutions i ON i.id = v.institution_id \
    LEFT JOIN employers e ON e.id = v.employer_id LEFT JOIN parks p ON p.id = v.park_id WHERE 1 = 1";

fn visit_of(r: &Row, regions: &HashMap<String, String>) -> DbResult<VisitRow> {
    let region_code = r.text("region_code")?;
    Ok(VisitRow {
        id: r.i64("id")?,
        institution_id: r.i64("institution_id")?,
        institution: r.text("institution")?,
        employer: r.opt_text("employer")?,
        credit_code: r.opt_text("credit_code")?,
        park: r.opt_text("park")?,
        region: regions.get(&region_code).cloned().unwrap_or_else(|| region_code.clone()),
        visit: Visit {
            kind: VisitKind::parse(&r.text("kind")?).unwrap_or(VisitKind::Survey),
            visited_on: kernel::validate::parse_date(&r.text("visited_on")?).unwrap_or_default(),
            visitors: r.text("visitors")?,
            employer_id: r.opt_i64("employer_id")?,
            park_id: r.opt_i64("park_id")?,
            region_code,
            majors: r.text("majors")?,
            positions: r.i64("positions")?,
            average_pay: r.opt_i64("average_pay")?,
            follow_up: r.text("follow_up")?,
        },
    })
}

/// The visits the scope owns (the province all), newest first.
pub async fn list(db: &Db, scope: &Scope, paging: &mut Paging, l: Locale) -> DbResult<Vec<VisitRow>> {
    let mut sql = SqlBuilder::new(SELECT);
    if scope.restrict(&mut sql, OWNERS).is_err() {
        return Ok(Vec::new());
    }
    let count = format!("SELECT COUNT(*) AS n FROM ({}) counted", sql.sql);
    paging.total = db.fetch_one(&count, &sql.params).await?.i64("n")?;
    sql.push(" ORDER BY v.visited_on DESC, v.id DESC").push(&paging.limit_sql());
    let regions = codes::labels(db, super::REGIONS, BASE_VERSION, l).await?;
    db.fetch_all(&sql.sql, &sql.params).await?.iter().map(|r| visit_of(r, &regions)).collect()
}

/// One visit, if the scope owns it.
pub async fn get(db: &Db, scope: &Scope, id: i64, l: Locale) -> DbResult<Option<VisitRow>> {
    let mut sql = SqlBuilder::new(SELECT);
    sql.push(" AND v.id = ").bind(id);
    if scope.restrict(&mut sql, OWNERS).is_err() {
        return Ok(None);
    }
    let regions = codes::labels(db, super::REGIONS, BASE_VERSION, l).await?;
    db.fetch_optional(&sql.sql, &sql.params).await?.map(|r| visit_of(&r, &regions)).transpose()
}

fn record(v: &Visit, now: &str) -> Record {
    Record::new()
        .set("kind", v.kind.key())
        .set("visited_on", v.visited_on.to_string())
        .set("visitors", v.visitors.as_str())
        .set("employer_id", v.employer_id)
        .set("park_id", v.park_id)
        .set("region_code", v.region_code.as_str())
        .set("majors", v.majors.as_str())
        .set("positions", v.positions)
        .set("average_pay", v.average_pay)
        .set("follow_up", v.follow_up.as_str())
        .set("updated_at", now)
}

fn image(v: &Visit) -> serde_json::Value {
    json!({ "kind": v.kind.key(), "visited_on": v.visited_on.to_string(), "visitors": v.visitors,
        "employer_id": v.employer_id, "park_id": v.park_id, "region_code": v.region_code, "majors": v.majors,
        "positions": v.positions, "average_pay": v.average_pay, "follow_up": v.follow_up })
}

pub async fn create(tx: &mut Tx, who: &AuditActor, institution_id: i64, v: &Visit) -> DbResult<i64> {
    let now = time::now_utc();
    let row = record(v, &now).set("institution_id", institution_id).set("created_at", now.as_str());
    let id = tx.insert_id("visits", row).await?;
    audit::record(tx, who, Change::created("visit", id, image(v)).about(Subject::institution(institution_id))).await?;
    Ok(id)
}

pub async fn update(tx: &mut Tx, who: &AuditActor, before: &VisitRow, v: &Visit) -> DbResult<()> {
    tx.update("visits", record(v, &time::now_utc()), "id", before.id).await?;
    let change = Change::updated("visit", before.id, image(&before.visit), image(v))
        .about(Subject::institution(before.institution_id));
    audit::record(tx, who, change).await?;
    Ok(())
}

/// Visits, positions offered and average pay of one group of visits.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Figures {
    pub visits: i64,
    pub positions: i64,
    /// The mean of the visits' average pay where one was noted.
    pub average_pay: Option<i64>,
}

impl Figures {
    pub fn pay_label(&self) -> String {
        self.average_pay.map(|p| p.to_string()).unwrap_or_else(|| "—".to_owned())
    }
}

fn figures_of(r: &Row) -> DbResult<Figures> {
    let (paid, pay_total) = (r.i64("paid")?, r.i64("pay_total")?);
    Ok(Figures {
        visits: r.i64("n")?,
        positions: r.i64("positions")?,
        average_pay: (paid > 0).then(|| (pay_total as f64 / paid as f64).round() as i64),
    })
}

const FIGURES: &str = "COUNT(*) AS n, CAST(COALESCE(SUM(v.positions), 0) AS BIGINT) AS positions, \
    COUNT(v.average_pay) AS paid, CAST(COALESCE(SUM(v.average_pay), 0) AS BIGINT) AS pay_total";

/// Figures by region code, of one university's visits or all.
pub async fn by_region(db: &Db, whose: Whose) -> DbResult<HashMap<String, Figures>> {
    let mut sql = SqlBuilder::new(&format!("SELECT v.region_code, {FIGURES} FROM visits v WHERE 1 = 1"));
    if let Whose::Institution(id) = whose {
        sql.push(" AND v.institution_id = ").bind(id);
    }
    sql.push(" GROUP BY v.region_code");
    let rows = db.fetch_all(&sql.sql, &sql.params).await?;
    rows.iter().map(|r| Ok((r.text("region_code")?, figures_of(r)?))).collect()
}

/// Figures by university with each kind's count: (name, figures, 访企拓岗, 调研走访), most visits first.
pub async fn by_institution(db: &Db, whose: Whose) -> DbResult<Vec<(String, Figures, i64, i64)>> {
    let mut sql = SqlBuilder::new(&format!(
        "SELECT i.name, {FIGURES}, SUM(CASE WHEN v.kind = 'expand' THEN 1 ELSE 0 END) AS expand \
         FROM visits v JOIN institutions i ON i.id = v.institution_id WHERE 1 = 1"
    ));
    if let Whose::Institution(id) = whose {
        sql.push(" AND v.institution_id = ").bind(id);
    }
    sql.push(" GROUP BY i.id, i.name ORDER BY n DESC, i.name");
    let rows = db.fetch_all(&sql.sql, &sql.params).await?;
    rows.iter()
        .map(|r| {
            let f = figures_of(r)?;
            let expand = r.i64("expand")?;
            let survey = f.visits - expand;
            Ok((r.text("name")?, f, expand, survey))
        })
        .collect()
}
