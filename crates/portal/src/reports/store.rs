//! The quality reports' store: a cohort's deadline, each institution's report
//! (the PDF kept in `kernel::files`, the row saying whose it is), publishing,
//! and the submission list every page and the status notice read.

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::json;

use kernel::audit::{self, AuditActor, Change, Subject};
use kernel::files::Stored;
use kernel::{time, Db, DbResult, Record, Row, Tx};

use super::rules::{self, Standing};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(transparent)]
    Db(#[from] kernel::DbError),
    /// The province published the report: it stands as published.
    #[error("the report is published and can no longer be replaced")]
    Published,
}

/// A cohort's deadline (提交截止日期).
#[derive(Debug, Clone)]
pub struct Deadline {
    pub due_on: NaiveDate,
    pub set_by: String,
}

pub async fn deadline(db: &Db, cohort: i64) -> DbResult<Option<Deadline>> {
    let row = db
        .fetch_optional(
            "SELECT due_on, set_by_label FROM quality_report_deadlines WHERE cohort_year = $1",
            &[cohort.into()],
        )
        .await?;
    row.map(|r| {
        let due_on = r.text("due_on")?;
        let due_on = NaiveDate::parse_from_str(&due_on, "%Y-%m-%d")
            .map_err(|_| kernel::DbError::Column("quality_report_deadlines.due_on".to_owned()))?;
        Ok(Deadline { due_on, set_by: r.text("set_by_label")? })
    })
    .transpose()
}

/// Sets or moves a cohort's deadline. Moving it changes the standing of
/// reports already in, as the notice then reads them against the new day.
pub async fn set_deadline(tx: &mut Tx, who: &AuditActor, cohort: i64, due_on: NaiveDate) -> DbResult<()> {
    let before = tx
        .fetch_optional("SELECT due_on FROM quality_report_deadlines WHERE cohort_year = $1", &[cohort.into()])
        .await?
        .map(|r| r.text("due_on"))
        .transpose()?;
    let day = due_on.format("%Y-%m-%d").to_string();
    match &before {
        Some(_) => {
            tx.execute(
                "UPDATE quality_report_deadlines SET due_on = $1, set_at = $2, set_by_label = $3 WHERE cohort_year = $4",
                &[day.as_str().into(), time::now_utc().into(), who.label.as_str().into(), cohort.into()],
            )
            .await?;
        }
        None => {
            let row = Record::new()
                .set("cohort_year", cohort)
                .set("due_on", day.as_str())
                .set("set_at", time::now_utc())
                .set("set_by_label", who.label.as_str());
            tx.insert("quality_report_deadlines", row).await?;
        }
    }
    let change = Change::new("set", "quality_report_deadline", cohort)
        .before(before.map(|d| json!({ "due_on": d })))
        .after(json!({ "due_on": day }));
    audit::record(tx, who, change).await
}

/// One institution's report.
#[derive(Debug, Clone)]
pub struct Report {
    pub id: i64,
    pub cohort: i64,
    pub institution_id: i64,
    pub institution: String,
    pub file_name: String,
    pub content_type: String,
    pub file_sha256: String,
    pub size: i64,
    pub submitted_at: String,
    pub uploaded_at: String,
    pub uploaded_by: String,
    pub replacements: i64,
    pub published_at: Option<String>,
}

impl Report {
    pub fn published(&self) -> bool {
        self.published_at.is_some()
    }

    pub fn submitted(&self) -> Option<DateTime<Utc>> {
        rules::instant(&self.submitted_at)
    }

    pub fn size_kb(&self) -> i64 {
        (self.size + 1023) / 1024
    }

    pub fn shown_submitted(&self) -> String {
        time::display(&self.submitted_at)
    }

    pub fn shown_uploaded(&self) -> String {
        time::display(&self.uploaded_at)
    }

    pub fn shown_published(&self) -> String {
        self.published_at.as_deref().map(time::display).unwrap_or_default()
    }
}

const REPORT: &str =
    "SELECT r.id, r.cohort_year, r.institution_id, i.name AS institution, r.file_name, r.content_type, \
    r.file_sha256, r.size, r.submitted_at, r.uploaded_at, r.uploaded_by_label, r.replacements, r.published_at \
    FROM quality_reports r JOIN institutions i ON i.id = r.institution_id";

fn report(r: &Row) -> DbResult<Report> {
    Ok(Report {
        id: r.i64("id")?,
        cohort: r.i64("cohort_year")?,
        institution_id: r.i64("institution_id")?,
        institution: r.text("institution")?,
        file_name: r.text("file_name")?,
        content_type: r.text("content_type")?,
        file_sha256: r.text("file_sha256")?,
        size: r.i64("size")?,
        submitted_at: r.text("submitted_at")?,
        uploaded_at: r.text("uploaded_at")?,
        uploaded_by: r.text("uploaded_by_label")?,
        replacements: r.i64("replacements")?,
        published_at: r.opt_text("published_at")?,
    })
}

pub async fn get(db: &Db, id: i64) -> DbResult<Option<Report>> {
    db.fetch_optional(&format!("{REPORT} WHERE r.id = $1"), &[id.into()]).await?.as_ref().map(report).transpose()
}

pub async fn of_institution(db: &Db, cohort: i64, institution: i64) -> DbResult<Option<Report>> {
    db.fetch_optional(
        &format!("{REPORT} WHERE r.cohort_year = $1 AND r.institution_id = $2"),
        &[cohort.into(), institution.into()],
    )
    .await?
    .as_ref()
    .map(report)
    .transpose()
}

/// Published reports, newest cohort first, then by institution code.
pub async fn published(db: &Db) -> DbResult<Vec<Report>> {
    let sql = format!("{REPORT} WHERE r.published_at IS NOT NULL ORDER BY r.cohort_year DESC, i.code, r.id");
    db.fetch_all(&sql, &[]).await?.iter().map(report).collect()
}

/// Keeps an institution's report: the first upload submits it (its instant
/// judged against the deadline), a later one replaces the file until the
/// province publishes it. Whether it replaced one.
pub async fn upload(
    tx: &mut Tx,
    who: &AuditActor,
    (cohort, institution): (i64, i64),
    name: &str,
    stored: &Stored,
) -> Result<bool, StoreError> {
    let existing = tx
        .fetch_optional(
            "SELECT id, file_name, published_at FROM quality_reports WHERE cohort_year = $1 AND institution_id = $2",
            &[cohort.into(), institution.into()],
        )
        .await?;
    let now = time::now_utc();
    let after = json!({ "cohort": cohort, "file_name": name, "size": stored.size });
    match existing {
        Some(row) => {
            if row.opt_text("published_at")?.is_some() {
                return Err(StoreError::Published);
            }
            let id = row.i64("id")?;
            // Guarded by "not published" again, so a publish between the read and this write wins.
            let changed = tx
                .execute(
                    "UPDATE quality_reports SET file_sha256 = $1, file_name = $2, content_type = $3, size = $4, \
                     uploaded_at = $5, uploaded_by_label = $6, replacements = replacements + 1 \
                     WHERE id = $7 AND published_at IS NULL",
                    &[
                        stored.sha256.as_str().into(),
                        name.into(),
                        stored.kind.content_type().into(),
                        (stored.size as i64).into(),
                        now.as_str().into(),
                        who.label.as_str().into(),
                        id.into(),
                    ],
                )
                .await?;
            if changed == 0 {
                return Err(StoreError::Published);
            }
            let change = Change::new("replace", "quality_report", id)
                .before(json!({ "file_name": row.text("file_name")? }))
                .after(after)
                .about(Subject::institution(institution));
            audit::record(tx, who, change).await?;
            Ok(true)
        }
        None => {
            let row = Record::new()
                .set("cohort_year", cohort)
                .set("institution_id", institution)
                .set("file_sha256", stored.sha256.as_str())
                .set("file_name", name)
                .set("content_type", stored.kind.content_type())
                .set("size", stored.size as i64)
                .set("submitted_at", now.as_str())
                .set("uploaded_at", now.as_str())
                .set("uploaded_by_label", who.label.as_str());
            let id = tx.insert_id("quality_reports", row).await?;
            let change =
                Change::new("upload", "quality_report", id).after(after).about(Subject::institution(institution));
            audit::record(tx, who, change).await?;
            Ok(false)
        }
    }
}

/// Publishes one report on the portal; false when it was already published.
pub async fn publish(tx: &mut Tx, who: &AuditActor, id: i64) -> DbResult<bool> {
    let row = tx
        .fetch_optional("SELECT institution_id, cohort_year FROM quality_reports WHERE id = $1", &[id.into()])
        .await?;
    let Some(row) = row else { return Ok(false) };
    let changed = tx
        .execute(
            "UPDATE quality_reports SET published_at = $1, published_by_label = $2 WHERE id = $3 AND published_at IS NULL",
            &[time::now_utc().into(), who.label.as_str().into(), id.into()],
        )
        .await?;
    if changed == 0 {
        return Ok(false);
    }
    let change = Change::new("publish", "quality_report", id)
        .after(json!({ "cohort": row.i64("cohort_year")? }))
        .about(Subject::institution(row.i64("institution_id")?));
    audit::record(tx, who, change).await?;
    Ok(true)
}

/// Publishes every submitted, unpublished report of the cohort; how many.
pub async fn publish_all(tx: &mut Tx, who: &AuditActor, cohort: i64) -> DbResult<usize> {
    let rows = tx
        .fetch_all(
            "SELECT id FROM quality_reports WHERE cohort_year = $1 AND published_at IS NULL ORDER BY id",
            &[cohort.into()],
        )
        .await?;
    let mut n = 0;
    for r in &rows {
        if publish(tx, who, r.i64("id")?).await? {
            n += 1;
        }
    }
    Ok(n)
}

/// An institution expected to report for a cohort (it has graduates in it),
/// with its report if one came and its standing.
#[derive(Debug, Clone)]
pub struct Submission {
    pub institution_id: i64,
    pub code: String,
    pub institution: String,
    pub report: Option<Report>,
    pub standing: Standing,
}

/// Every institution with graduates in the cohort, by code, and where it stands.
/// Without a deadline, a report in counts as on time and none as not yet.
pub async fn submissions(
    db: &Db,
    cohort: i64,
    due_on: Option<NaiveDate>,
    now: DateTime<Utc>,
) -> DbResult<Vec<Submission>> {
    let institutions = db
        .fetch_all(
            "SELECT i.id, i.code, i.name FROM institutions i WHERE EXISTS \
             (SELECT 1 FROM graduates g WHERE g.institution_id = i.id AND g.cohort_year = $1) ORDER BY i.code",
            &[cohort.into()],
        )
        .await?;
    let reports: Vec<Report> = db
        .fetch_all(&format!("{REPORT} WHERE r.cohort_year = $1"), &[cohort.into()])
        .await?
        .iter()
        .map(report)
        .collect::<DbResult<_>>()?;
    let mut by_institution: std::collections::HashMap<i64, Report> =
        reports.into_iter().map(|r| (r.institution_id, r)).collect();
    institutions
        .iter()
        .map(|i| {
            let id = i.i64("id")?;
            let report = by_institution.remove(&id);
            let submitted = report.as_ref().and_then(Report::submitted);
            let standing = match due_on {
                Some(due) => rules::standing(due, submitted, now),
                None if submitted.is_some() => Standing::OnTime,
                None => Standing::NotYet,
            };
            Ok(Submission { institution_id: id, code: i.text("code")?, institution: i.text("name")?, report, standing })
        })
        .collect()
}

/// Institutions with graduates in the cohort (one, or all), and how many of
/// them have a report in and how many published: the live figures.
pub async fn counts(db: &Db, cohort: i64, institution: Option<i64>) -> DbResult<(i64, i64, i64)> {
    let mut sql = "SELECT i.id, r.id AS report, r.published_at FROM institutions i \
                   LEFT JOIN quality_reports r ON r.institution_id = i.id AND r.cohort_year = $1 \
                   WHERE EXISTS (SELECT 1 FROM graduates g WHERE g.institution_id = i.id AND g.cohort_year = $2)"
        .to_owned();
    let rows = match institution {
        Some(id) => {
            sql.push_str(" AND i.id = $3");
            db.fetch_all(&sql, &[cohort.into(), cohort.into(), id.into()]).await?
        }
        None => db.fetch_all(&sql, &[cohort.into(), cohort.into()]).await?,
    };
    let mut submitted = 0;
    let mut published = 0;
    for r in &rows {
        submitted += i64::from(r.opt_i64("report")?.is_some());
        published += i64::from(r.opt_text("published_at")?.is_some());
    }
    Ok((rows.len() as i64, submitted, published))
}

impl Submission {
    /// Whether its report is in and published.
    pub fn published(&self) -> bool {
        self.report.as_ref().is_some_and(Report::published)
    }
}
