//! The real-name census (实名普查): the province asks every graduate of
//! chosen institutions to confirm or dispute its recorded destination by a
//! day, in the platform (我的消息, and a link or QR code a university passes on
//! by WeChat). An answer goes through the destinations area's own `answer`,
//! and is kept under the census too, so its response rate, confirmed share
//! and the corrections that followed are live per institution.

use chrono::NaiveDate;
use kernel::audit::{self, AuditActor, Change};
use kernel::db::Record;
use kernel::{time, Db, DbResult, Tx};
use serde_json::json;

/// A census as pages show it.
#[derive(Debug, Clone)]
pub struct Census {
    pub id: i64,
    pub cohort: i64,
    pub title: String,
    pub ends_on: NaiveDate,
    pub created_at: String,
}

impl Census {
    pub fn is_open(&self, today: NaiveDate) -> bool {
        today <= self.ends_on
    }
}

fn census_of(r: &kernel::Row) -> DbResult<Census> {
    Ok(Census {
        id: r.i64("id")?,
        cohort: r.i64("cohort")?,
        title: r.text("title")?,
        ends_on: kernel::validate::parse_date(&r.text("ends_on")?).unwrap_or_default(),
        created_at: r.text("created_at")?,
    })
}

const COLUMNS: &str = "SELECT c.id, c.cohort, c.title, c.ends_on, c.created_at FROM verification_censuses c";

/// Opens a census over the institutions and tells every graduate account of them.
/// Returns (its id, accounts told).
pub async fn create(
    tx: &mut Tx,
    who: &AuditActor,
    cohort: i64,
    created_by: i64,
    title: &str,
    ends_on: NaiveDate,
    institutions: &[i64],
) -> DbResult<(i64, usize)> {
    let row = Record::new()
        .set("cohort", cohort)
        .set("title", title)
        .set("ends_on", ends_on.to_string())
        .set("created_by", created_by)
        .set("created_at", time::now_utc());
    let id = tx.insert_id("verification_censuses", row).await?;
    let mut told = 0;
    for institution in institutions {
        tx.execute(
            "INSERT INTO verification_census_institutions (census_id, institution_id) VALUES ($1, $2)",
            &[id.into(), (*institution).into()],
        )
        .await?;
        let accounts = tx
            .fetch_all(
                "SELECT a.id FROM accounts a JOIN graduates g ON g.id = a.graduate_id \
                 WHERE g.institution_id = $1 AND g.cohort_year = $2 AND a.active = TRUE",
                &[(*institution).into(), cohort.into()],
            )
            .await?;
        let message = format!("{}：请在 {ends_on} 前确认你的毕业去向是否属实。", title);
        for a in &accounts {
            registry::notices::tell(tx, who, a.i64("id")?, "census", &message, Some(&format!("/census/{id}"))).await?;
        }
        told += accounts.len();
    }
    let after =
        json!({ "cohort": cohort, "title": title, "ends_on": ends_on.to_string(), "institutions": institutions });
    audit::record(tx, who, Change::created("verification_census", id, after)).await?;
    Ok((id, told))
}

pub async fn get(db: &Db, id: i64) -> DbResult<Option<Census>> {
    db.fetch_optional(&format!("{COLUMNS} WHERE c.id = $1"), &[id.into()]).await?.as_ref().map(census_of).transpose()
}

/// The censuses of a cohort, newest first; one institution's only when given.
pub async fn list(db: &Db, cohort: i64, institution: Option<i64>) -> DbResult<Vec<Census>> {
    let rows = match institution {
        None => db.fetch_all(&format!("{COLUMNS} WHERE c.cohort = $1 ORDER BY c.id DESC"), &[cohort.into()]).await?,
        Some(i) => {
            db.fetch_all(
                &format!(
                    "{COLUMNS} WHERE c.cohort = $1 AND c.id IN \
                     (SELECT census_id FROM verification_census_institutions WHERE institution_id = $2) ORDER BY c.id DESC"
                ),
                &[cohort.into(), i.into()],
            )
            .await?
        }
    };
    rows.iter().map(census_of).collect()
}

/// Whether a graduate is asked by the census (its institution is in it).
pub async fn asks(db: &Db, census_id: i64, graduate_id: i64) -> DbResult<bool> {
    Ok(db
        .fetch_optional(
            "SELECT 1 AS x FROM verification_census_institutions ci JOIN graduates g ON g.institution_id = ci.institution_id \
             WHERE ci.census_id = $1 AND g.id = $2",
            &[census_id.into(), graduate_id.into()],
        )
        .await?
        .is_some())
}

/// The graduate's answer under the census, if it gave one: (answer, reason).
pub async fn answer_of(db: &Db, census_id: i64, graduate_id: i64) -> DbResult<Option<(String, Option<String>)>> {
    db.fetch_optional(
        "SELECT answer, reason FROM verification_census_answers WHERE census_id = $1 AND graduate_id = $2",
        &[census_id.into(), graduate_id.into()],
    )
    .await?
    .map(|r| Ok((r.text("answer")?, r.opt_text("reason")?)))
    .transpose()
}

/// Keeps a graduate's answer under the census (a later one replaces it); the
/// destination's own confirmation is written by the caller through the
/// destinations area, in the same transaction.
pub async fn keep_answer(tx: &mut Tx, census_id: i64, graduate_id: i64, dispute: Option<&str>) -> DbResult<()> {
    tx.execute(
        "DELETE FROM verification_census_answers WHERE census_id = $1 AND graduate_id = $2",
        &[census_id.into(), graduate_id.into()],
    )
    .await?;
    let answer = if dispute.is_some() { "disputed" } else { "confirmed" };
    tx.execute(
        "INSERT INTO verification_census_answers (census_id, graduate_id, answer, reason, answered_at) VALUES ($1, $2, $3, $4, $5)",
        &[census_id.into(), graduate_id.into(), answer.into(), dispute.map(str::to_owned).into(), time::now_utc().into()],
    )
    .await?;
    Ok(())
}

/// Answers under the census in bulk, as `keep_answer` keeps one (`None`
/// confirms, a reason disputes), for graduates who had not answered it: for
/// generated data, the destinations' own confirmations written by the caller.
pub async fn keep_answers(tx: &mut Tx, census_id: i64, answers: &[(i64, Option<String>)]) -> DbResult<()> {
    let now = time::now_utc();
    let rows = answers
        .iter()
        .map(|(graduate, dispute)| {
            let answer = if dispute.is_some() { "disputed" } else { "confirmed" };
            vec![census_id.into(), (*graduate).into(), answer.into(), dispute.clone().into(), now.as_str().into()]
        })
        .collect();
    tx.insert_many(
        "verification_census_answers",
        &["census_id", "graduate_id", "answer", "reason", "answered_at"],
        rows,
    )
    .await
}

/// One institution's census figures.
#[derive(Debug, Clone)]
pub struct Progress {
    pub institution_id: i64,
    pub institution: String,
    pub graduates: i64,
    pub answered: i64,
    pub confirmed: i64,
    pub disputed: i64,
    /// Graduates whose destination was recorded again after the census began.
    pub corrected: i64,
}

impl Progress {
    fn share(&self, n: i64, of: i64) -> String {
        match of > 0 {
            true => format!("{:.1}%", n as f64 * 100.0 / of as f64),
            false => "—".into(),
        }
    }
    pub fn response_rate(&self) -> String {
        self.share(self.answered, self.graduates)
    }
    pub fn confirmed_share(&self) -> String {
        self.share(self.confirmed, self.answered)
    }
}

/// The census's figures per institution (one institution's only when given), live.
pub async fn progress(db: &Db, c: &Census, institution: Option<i64>) -> DbResult<Vec<Progress>> {
    let mut sql = String::from(
        "SELECT i.id, i.name, \
         (SELECT COUNT(*) FROM graduates g WHERE g.institution_id = i.id AND g.cohort_year = $2) AS graduates, \
         (SELECT COUNT(*) FROM verification_census_answers a JOIN graduates g ON g.id = a.graduate_id \
          WHERE a.census_id = $1 AND g.institution_id = i.id) AS answered, \
         (SELECT COUNT(*) FROM verification_census_answers a JOIN graduates g ON g.id = a.graduate_id \
          WHERE a.census_id = $1 AND g.institution_id = i.id AND a.answer = 'confirmed') AS confirmed, \
         (SELECT COUNT(DISTINCT e.graduate_id) FROM destination_events e \
          WHERE e.institution_id = i.id AND e.cohort_year = $2 AND e.at > $3) AS corrected \
         FROM verification_census_institutions ci JOIN institutions i ON i.id = ci.institution_id WHERE ci.census_id = $1",
    );
    let mut params = vec![c.id.into(), c.cohort.into(), c.created_at.as_str().into()];
    if let Some(i) = institution {
        sql.push_str(" AND i.id = $4");
        params.push(i.into());
    }
    sql.push_str(" ORDER BY i.code");
    db.fetch_all(&sql, &params)
        .await?
        .iter()
        .map(|r| {
            let (answered, confirmed) = (r.i64("answered")?, r.i64("confirmed")?);
            Ok(Progress {
                institution_id: r.i64("id")?,
                institution: r.text("name")?,
                graduates: r.i64("graduates")?,
                answered,
                confirmed,
                disputed: answered - confirmed,
                corrected: r.i64("corrected")?,
            })
        })
        .collect()
}
