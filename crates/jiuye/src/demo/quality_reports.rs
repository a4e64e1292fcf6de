//! Demo annual employment quality reports (就业质量年度报告) for the 2022
//! cohort: a deadline at the end of 2022; most institutions submitted on time,
//! a few late by some days and a few not at all (湘潭大学 among them, for
//! its `staff` account to upload); most of the submitted ones
//! published. Each report is a one-page stand-in PDF, stored when the demo has
//! a data folder.

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use kernel::db::Record;
use kernel::{time, Tx};

use super::{DemoError, COHORT};

/// The demo's due day for the 2022 reports.
const DUE_ON: (i32, u32, u32) = (2022, 12, 31);

/// The institution left to upload through its page.
const UPLOADS_ITSELF: &str = "10530";

/// (reports submitted, of them late, published) written.
pub async fn generate(
    tx: &mut Tx,
    rng: &mut ChaCha8Rng,
    store: Option<&kernel::files::FileStore>,
) -> Result<(usize, usize, usize), DemoError> {
    let due = NaiveDate::from_ymd_opt(DUE_ON.0, DUE_ON.1, DUE_ON.2).unwrap_or_default();
    let set = Record::new()
        .set("cohort_year", COHORT)
        .set("due_on", due.format("%Y-%m-%d").to_string())
        .set("set_at", "2022-10-15T02:00:00.000Z")
        .set("set_by_label", "admin");
    tx.insert("quality_report_deadlines", set).await?;
    let institutions = tx
        .fetch_all(
            "SELECT i.id, i.code FROM institutions i WHERE EXISTS \
             (SELECT 1 FROM graduates g WHERE g.institution_id = i.id AND g.cohort_year = $1) ORDER BY i.code",
            &[COHORT.into()],
        )
        .await?;
    // The end of the due day in Beijing, as an instant.
    let deadline = Utc.from_utc_datetime(&due.and_hms_opt(16, 0, 0).unwrap_or_default());
    let (mut submitted, mut late, mut published) = (0, 0, 0);
    for i in &institutions {
        let draw: f64 = rng.gen();
        let code = i.text("code")?;
        // 湘潭大学 (the demo `staff` account's) has not submitted, so the demo shows an upload to make.
        if code == UPLOADS_ITSELF || draw < 0.08 {
            continue;
        }
        let at = if draw < 0.2 {
            late += 1;
            deadline + Duration::days(rng.gen_range(0..20)) + Duration::hours(rng.gen_range(1..20))
        } else {
            deadline - Duration::days(rng.gen_range(1..30)) - Duration::hours(rng.gen_range(1..20))
        };
        let pdf = super::sample_evidence_numbered(&format!("{COHORT} employment quality report, institution {code}"));
        let (sha, size) = match store {
            Some(s) => {
                let stored = s.put_document(&pdf, portal::reports::pages::REPORT_LIMIT)?;
                (stored.sha256, stored.size)
            }
            // No data folder: the row without its bytes (a download answers 404).
            None => ("no-file".to_owned(), pdf.len()),
        };
        let at_text = time::format_utc(at);
        let mut row = Record::new()
            .set("cohort_year", COHORT)
            .set("institution_id", i.i64("id")?)
            .set("file_sha256", sha)
            .set("file_name", format!("{COHORT}届毕业生就业质量年度报告.pdf"))
            .set("content_type", "application/pdf")
            .set("size", size as i64)
            .set("submitted_at", at_text.as_str())
            .set("uploaded_at", at_text.as_str())
            .set("uploaded_by_label", format!("staff{code}"));
        if rng.gen_bool(0.85) {
            let on = (at.max(deadline) + Duration::days(rng.gen_range(3..15))).min(Utc::now());
            row = row.set("published_at", time::format_utc(on)).set("published_by_label", "admin");
            published += 1;
        }
        tx.insert("quality_reports", row).await?;
        submitted += 1;
    }
    Ok((submitted, late, published))
}
