//! A university's answers to a finding (情况说明): what it explains, with a
//! document where it has one. Every answer is kept; the province reads them
//! beside the figures before it dismisses the finding or takes it further.

use serde_json::json;

use kernel::audit::{self, AuditActor, Change, Subject};
use kernel::files::Stored;
use kernel::{time, Db, DbResult, Locale, Record, Row, Tx};

use crate::findings::Finding;

/// The longest explanation kept.
pub const MAX_EXPLANATION: usize = 2000;

/// The explanation as kept, or why it is refused (pure).
pub fn check_explanation(text: &str, l: Locale) -> Result<String, &'static str> {
    let text = text.trim();
    match text.chars().count() {
        0 => Err(l.pick("请写明情况说明。", "Write the explanation.")),
        n if n > MAX_EXPLANATION => Err(l.pick("情况说明不能超过 2000 字。", "At most 2,000 characters.")),
        _ => Ok(text.to_owned()),
    }
}

/// One answer as the finding's page shows it.
pub struct Answer {
    pub id: i64,
    pub explanation: String,
    /// The uploaded document's name, when one came with it.
    pub file_name: Option<String>,
    pub by: String,
    pub at: String,
}

fn answer_of(r: &Row) -> DbResult<Answer> {
    Ok(Answer {
        id: r.i64("id")?,
        explanation: r.text("explanation")?,
        file_name: r.opt_text("file_name")?,
        by: r.text("answered_label")?,
        at: time::display(&r.text("answered_at")?),
    })
}

/// A finding's answers, newest first.
pub async fn of_finding(db: &Db, finding_id: i64) -> DbResult<Vec<Answer>> {
    let rows = db
        .fetch_all(
            "SELECT id, explanation, file_name, answered_label, answered_at FROM verification_answers \
             WHERE finding_id = $1 ORDER BY id DESC",
            &[finding_id.into()],
        )
        .await?;
    rows.iter().map(answer_of).collect()
}

/// How many answers each finding has, for the findings list.
pub async fn counts(db: &Db, finding_ids: &[i64]) -> DbResult<std::collections::HashMap<i64, i64>> {
    let mut counts = std::collections::HashMap::new();
    for chunk in finding_ids.chunks(500) {
        let marks = kernel::db::placeholders(db.backend(), 1, chunk.len());
        let sql = format!(
            "SELECT finding_id, COUNT(*) AS n FROM verification_answers WHERE finding_id IN ({marks}) GROUP BY finding_id"
        );
        let params: Vec<kernel::Value> = chunk.iter().map(|id| (*id).into()).collect();
        for r in db.fetch_all(&sql, &params).await? {
            counts.insert(r.i64("finding_id")?, r.i64("n")?);
        }
    }
    Ok(counts)
}

/// Keeps an answer of the finding's institution, audited.
pub async fn add(
    tx: &mut Tx,
    who: &AuditActor,
    f: &Finding,
    explanation: &str,
    document: Option<(&str, &Stored)>,
) -> DbResult<i64> {
    let row = Record::new()
        .set("finding_id", f.id)
        .set("institution_id", f.institution_id)
        .set("explanation", explanation)
        .set("file_sha256", document.map(|(_, s)| s.sha256.clone()))
        .set("file_name", document.map(|(name, _)| name.to_owned()))
        .set("content_type", document.map(|(_, s)| s.kind.content_type().to_owned()))
        .set("answered_by", who.account_id)
        .set("answered_label", who.label.as_str())
        .set("answered_at", time::now_utc());
    let id = tx.insert_id("verification_answers", row).await?;
    let after = json!({ "explanation": explanation, "file_name": document.map(|(name, _)| name) });
    let change =
        Change::new("answer", "verification_finding", f.id).after(after).about(Subject::institution(f.institution_id));
    audit::record(tx, who, change).await?;
    Ok(id)
}

/// An answer's document: (its finding, the stored file's hash, its type).
pub async fn document(db: &Db, answer_id: i64) -> DbResult<Option<(i64, String, String)>> {
    let row = db
        .fetch_optional(
            "SELECT finding_id, file_sha256, content_type FROM verification_answers WHERE id = $1 \
             AND file_sha256 IS NOT NULL",
            &[answer_id.into()],
        )
        .await?;
    row.map(|r| Ok((r.i64("finding_id")?, r.text("file_sha256")?, r.text("content_type")?))).transpose()
}

/// A graduate a finding concerns, with the record as it stands.
pub struct Concerned {
    pub id: i64,
    pub name: String,
    pub student_no: String,
    pub category: String,
    pub employer: String,
    pub confirmation: String,
}

/// The first `limit` graduates a finding names, of its own institution only.
pub async fn concerned(db: &Db, f: &Finding, limit: usize, l: Locale) -> DbResult<Vec<Concerned>> {
    let ids: Vec<i64> = crate::findings::graduate_ids(db, f.id).await?.into_iter().take(limit).collect();
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    // Only plain `?` on SQLite: the institution, a number of ours, is written into the statement.
    let marks = kernel::db::placeholders(db.backend(), 1, ids.len());
    let sql = format!(
        "SELECT g.id, g.name, g.student_no, {} AS category, d.employer_name, d.confirmation FROM graduates g \
         JOIN cohorts co ON co.year = g.cohort_year LEFT JOIN destinations d ON d.graduate_id = g.id \
         LEFT JOIN code_tables ct ON ct.kind = 'destination' AND ct.version = co.destination_version \
         AND ct.code = d.category_code WHERE g.institution_id = {} AND g.id IN ({marks}) ORDER BY g.student_no",
        kernel::codes::name_sql("ct", l),
        f.institution_id
    );
    let params: Vec<kernel::Value> = ids.iter().map(|id| kernel::Value::from(*id)).collect();
    let rows = db.fetch_all(&sql, &params).await?;
    rows.iter()
        .map(|r| {
            let text = |c: &str| r.opt_text(c).map(Option::unwrap_or_default);
            Ok(Concerned {
                id: r.i64("id")?,
                name: r.text("name")?,
                student_no: r.text("student_no")?,
                category: text("category")?,
                employer: text("employer_name")?,
                confirmation: text("confirmation")?,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_explanation_is_needed_and_kept_trimmed_up_to_its_limit() {
        assert!(check_explanation("  ", Locale::Zh).is_err());
        assert_eq!(check_explanation(" 已核实 ", Locale::Zh).unwrap(), "已核实");
        assert!(check_explanation(&"字".repeat(MAX_EXPLANATION), Locale::Zh).is_ok());
        assert!(check_explanation(&"字".repeat(MAX_EXPLANATION + 1), Locale::En).is_err());
    }
}
