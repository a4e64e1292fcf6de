//! What the job index reads from the database: published postings as
//! documents, and the change feed (`posting_changes`) it follows.

use std::collections::HashMap;

use kernel::codes::{self, BASE_VERSION};
use kernel::{Db, DbResult, Locale, Row};

use super::query::day_number;
use super::schema::JobDoc;
use crate::postings::rules::Status;

const COLUMNS: &str = "SELECT p.id, p.title, p.description, p.industry_code, p.position_code, p.education_level, \
    p.salary_max, p.deadline, p.public_sector_kind, p.approved_at, e.name AS employer \
    FROM postings p JOIN employers e ON e.id = p.employer_id WHERE p.status = $1";

/// Code names written into documents, read once per batch of documents.
pub struct Names {
    industries: HashMap<String, String>,
    positions: HashMap<String, String>,
}

impl Names {
    pub async fn load(db: &Db) -> DbResult<Names> {
        Ok(Names {
            industries: codes::labels(db, "industry", BASE_VERSION, Locale::Zh).await?,
            positions: codes::labels(db, "position_category", BASE_VERSION, Locale::Zh).await?,
        })
    }
}

/// The published postings among `ids` (the others are to leave the index).
pub async fn documents_of(db: &Db, names: &Names, ids: &[i64]) -> DbResult<Vec<JobDoc>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    // Ids are integers read from our own tables: safe to write into the statement.
    let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    let rows = db.fetch_all(&format!("{COLUMNS} AND p.id IN ({list})"), &[Status::Approved.key().into()]).await?;
    documents(db, names, &rows).await
}

/// Up to `limit` published postings with ids above `after`, in id order (for a rebuild).
pub async fn documents_after(db: &Db, names: &Names, after: i64, limit: i64) -> DbResult<Vec<JobDoc>> {
    let rows = db
        .fetch_all(
            &format!("{COLUMNS} AND p.id > $2 ORDER BY p.id LIMIT $3"),
            &[Status::Approved.key().into(), after.into(), limit.into()],
        )
        .await?;
    documents(db, names, &rows).await
}

/// Published postings, for a rebuild's progress.
pub async fn published(db: &Db) -> DbResult<i64> {
    db.fetch_one("SELECT COUNT(*) AS n FROM postings WHERE status = $1", &[Status::Approved.key().into()])
        .await?
        .i64("n")
}

async fn documents(db: &Db, names: &Names, rows: &[Row]) -> DbResult<Vec<JobDoc>> {
    let mut docs = rows.iter().map(|r| document(r, names)).collect::<DbResult<Vec<JobDoc>>>()?;
    if docs.is_empty() {
        return Ok(docs);
    }
    let list = docs.iter().map(|d| d.id.to_string()).collect::<Vec<_>>().join(",");
    let at: HashMap<i64, usize> = docs.iter().enumerate().map(|(i, d)| (d.id, i)).collect();
    for r in db
        .fetch_all(&format!("SELECT posting_id, region_code FROM posting_regions WHERE posting_id IN ({list})"), &[])
        .await?
    {
        if let Some(&i) = at.get(&r.i64("posting_id")?) {
            docs[i].region_codes.push(r.text("region_code")?);
        }
    }
    for r in db
        .fetch_all(&format!("SELECT posting_id, major_code FROM posting_majors WHERE posting_id IN ({list})"), &[])
        .await?
    {
        if let Some(&i) = at.get(&r.i64("posting_id")?) {
            docs[i].major_codes.push(r.text("major_code")?);
        }
    }
    let places =
        registry::reference::full_region_names(db, docs.iter().flat_map(|d| d.region_codes.iter().map(String::as_str)))
            .await?;
    for d in &mut docs {
        d.places = d.region_codes.iter().map(|c| places.full(c)).collect();
    }
    Ok(docs)
}

fn document(r: &Row, names: &Names) -> DbResult<JobDoc> {
    let industry_code = r.text("industry_code")?;
    let position_code = r.text("position_code")?;
    let labels = [names.industries.get(&industry_code), names.positions.get(&position_code)];
    Ok(JobDoc {
        id: r.i64("id")?,
        title: r.text("title")?,
        employer: r.text("employer")?,
        description: r.text("description")?,
        labels: labels.into_iter().flatten().cloned().collect(),
        industry_code,
        position_code,
        education_level: r.opt_text("education_level")?,
        public_sector_kind: r.opt_text("public_sector_kind")?,
        salary_max: r.opt_i64("salary_max")?.unwrap_or(0).max(0) as u64,
        deadline: kernel::validate::parse_date(&r.text("deadline")?).map_or(0, day_number),
        approved: r
            .opt_text("approved_at")?
            .and_then(|t| chrono::DateTime::parse_from_rfc3339(&t).ok())
            .map_or(0, |t| t.timestamp_millis()),
        ..JobDoc::default()
    })
}

/// The newest change, or 0.
pub async fn last_change(db: &Db) -> DbResult<i64> {
    Ok(db.fetch_one("SELECT MAX(id) AS n FROM posting_changes", &[]).await?.opt_i64("n")?.unwrap_or(0))
}

/// Changes after `after`, oldest first: (change id, posting id).
pub async fn changes_after(db: &Db, after: i64, limit: i64) -> DbResult<Vec<(i64, i64)>> {
    db.fetch_all(
        "SELECT id, posting_id FROM posting_changes WHERE id > $1 ORDER BY id LIMIT $2",
        &[after.into(), limit.into()],
    )
    .await?
    .iter()
    .map(|r| Ok((r.i64("id")?, r.i64("posting_id")?)))
    .collect()
}
