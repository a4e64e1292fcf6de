//! Demo destinations for the 2022届: a realistic time course (few before March,
//! most signed from April to August, a tail to the year's end), a category mix
//! by level, regional flow (about 55% stay in Hunan), some changes of mind,
//! and the graduates' confirmations and disputes.

use chrono::{NaiveDate, TimeZone, Utc};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use kernel::{time, Tx, Value};

use super::people::weighted;
use super::{DemoError, Progress};

/// Months of 2022 in which destinations are recorded, with weights.
const MONTHS: &[(u32, u32)] =
    &[(1, 1), (2, 2), (3, 6), (4, 12), (5, 18), (6, 22), (7, 14), (8, 12), (9, 3), (10, 2), (11, 1), (12, 1)];

/// Category mixes (2021 codes) by level; "" = nothing recorded.
const SPECIALIST: &[(&str, u32)] = &[
    ("10", 260),
    ("11", 250),
    ("12", 120),
    ("76", 40),
    ("75", 20),
    ("46", 20),
    ("803", 130),
    ("701", 50),
    ("711", 20),
    ("", 70),
];
const BACHELOR: &[(&str, u32)] = &[
    ("10", 280),
    ("11", 200),
    ("12", 80),
    ("76", 30),
    ("75", 10),
    ("46", 10),
    ("502", 10),
    ("503", 8),
    ("512", 12),
    ("801", 180),
    ("85", 25),
    ("271", 10),
    ("701", 60),
    ("711", 40),
    ("", 45),
];
const POSTGRADUATE: &[(&str, u32)] =
    &[("10", 420), ("11", 300), ("12", 40), ("271", 30), ("801", 80), ("85", 20), ("512", 20), ("701", 50), ("", 40)];

const EMPLOYED: &[&str] = &["10", "11", "12", "271", "46", "502", "503", "512"];

struct Employer {
    id: i64,
    name: String,
    credit_code: String,
    region: String,
    industry: String,
    nature: String,
}

fn instant(rng: &mut ChaCha8Rng) -> (String, NaiveDate) {
    let month = *weighted(rng, MONTHS);
    let first = NaiveDate::from_ymd_opt(2022, month, 1).unwrap_or_default();
    let days_in_month =
        first.checked_add_months(chrono::Months::new(1)).map(|next| (next - first).num_days()).unwrap_or(28);
    let day = rng.gen_range(1..=days_in_month as u32);
    let date = NaiveDate::from_ymd_opt(2022, month, day).unwrap_or_default();
    let at = Utc
        .with_ymd_and_hms(2022, month, day, rng.gen_range(0..11), rng.gen_range(0..60), 0)
        .single()
        .unwrap_or_default();
    (time::format_utc(at), date)
}

/// Share of destinations whose school has uploaded every document the category needs.
const EVIDENCE_COMPLETE: f64 = 0.8;

/// Rows are written every this many events, so the cohort is never held whole.
const FLUSH_ROWS: usize = 20_000;

/// Rows made and not yet written. A graduate's rows are made together, so
/// writing them table by table in this order keeps every reference satisfied.
#[derive(Default)]
struct Pending {
    events: Vec<Vec<Value>>,
    agreements: Vec<Vec<Value>>,
    agreement_events: Vec<Vec<Value>>,
    current: Vec<Vec<Value>>,
    evidence: Vec<Vec<Value>>,
}

impl Pending {
    async fn flush(&mut self, tx: &mut Tx) -> Result<(), DemoError> {
        tx.insert_many(
            "destination_events",
            &[
                "id",
                "graduate_id",
                "cohort_year",
                "institution_id",
                "at",
                "actor_label",
                "code_version",
                "category_code",
                "employer_name",
                "credit_code",
                "region_code",
                "industry_code",
                "nature_code",
                "signed_on",
                "employer_id",
            ],
            std::mem::take(&mut self.events),
        )
        .await?;
        tx.insert_many(
            "agreements",
            &[
                "id",
                "number",
                "cohort_year",
                "institution_id",
                "college_id",
                "graduate_id",
                "employer_id",
                "status",
                "position_title",
                "created_at",
                "updated_at",
            ],
            std::mem::take(&mut self.agreements),
        )
        .await?;
        tx.insert_many(
            "agreement_events",
            &["agreement_id", "at", "actor_label", "action", "from_status", "to_status"],
            std::mem::take(&mut self.agreement_events),
        )
        .await?;
        tx.insert_many(
            "destinations",
            &[
                "graduate_id",
                "cohort_year",
                "institution_id",
                "last_event_id",
                "category_code",
                "employer_name",
                "credit_code",
                "region_code",
                "signed_on",
                "updated_at",
                "confirmation",
                "dispute_reason",
                "evidence_missing",
                "employer_id",
            ],
            std::mem::take(&mut self.current),
        )
        .await?;
        tx.insert_many(
            "destination_evidence",
            &[
                "graduate_id",
                "event_id",
                "kind",
                "file_sha256",
                "file_name",
                "content_type",
                "size",
                "agreement_id",
                "uploaded_at",
                "actor_label",
            ],
            std::mem::take(&mut self.evidence),
        )
        .await?;
        Ok(())
    }
}

pub async fn generate(
    tx: &mut Tx,
    rng: &mut ChaCha8Rng,
    progress: Progress<'_>,
    done_before: u64,
    total: u64,
    sample: Option<&kernel::files::Stored>,
) -> Result<usize, DemoError> {
    let rules = outcomes::destinations::Rules::load(tx, "2021").await?;
    let employers: Vec<Employer> = tx
        .fetch_all("SELECT id, name, credit_code, region_code, industry_code, nature_code FROM employers WHERE status = 'approved' ORDER BY id", &[])
        .await?
        .iter()
        .map(|r| {
            Ok(Employer {
                id: r.i64("id")?,
                name: r.text("name")?,
                credit_code: r.text("credit_code")?,
                region: r.opt_text("region_code")?.unwrap_or_default(),
                industry: r.opt_text("industry_code")?.unwrap_or_default(),
                nature: r.opt_text("nature_code")?.unwrap_or_default(),
            })
        })
        .collect::<kernel::DbResult<_>>()?;
    let (hunan, elsewhere): (Vec<&Employer>, Vec<&Employer>) =
        employers.iter().partition(|e| e.region.starts_with("43"));
    let graduates = tx
        .fetch_all(
            "SELECT g.id, g.institution_id, g.college_id, g.education_level, i.code AS institution_code \
             FROM graduates g JOIN institutions i ON i.id = g.institution_id WHERE g.cohort_year = 2022 ORDER BY g.id",
            &[],
        )
        .await?;
    // How much each institution signs online: most use the platform for most agreements, a few barely.
    let mut online_share: std::collections::HashMap<i64, f64> = std::collections::HashMap::new();
    let mut serials: std::collections::HashMap<i64, i64> = std::collections::HashMap::new();
    let mut agreement_id = tx.fetch_one("SELECT COALESCE(MAX(id), 0) + 1 AS n FROM agreements", &[]).await?.i64("n")?;
    let mut rows = Pending::default();
    let mut written = 0;
    let mut event_id =
        tx.fetch_one("SELECT COALESCE(MAX(id), 0) + 1 AS n FROM destination_events", &[]).await?.i64("n")?;
    for (i, g) in graduates.iter().enumerate() {
        let level = g.text("education_level")?;
        let mix = if level.starts_with("专科") {
            SPECIALIST
        } else if level.starts_with("本科") {
            BACHELOR
        } else {
            POSTGRADUATE
        };
        let final_code = *weighted(rng, mix);
        if final_code.is_empty() {
            continue;
        }
        let (graduate, institution) = (g.i64("id")?, g.i64("institution_id")?);
        // About one in ten first recorded a different status, changed later.
        let changes = if rng.gen_bool(0.1) { 2 } else { 1 };
        let mut instants: Vec<(String, NaiveDate)> = (0..changes).map(|_| instant(rng)).collect();
        instants.sort();
        for (step, (at, date)) in instants.into_iter().enumerate() {
            let first_code = if step == 0 && changes == 2 { "701" } else { final_code };
            let employer = EMPLOYED.contains(&first_code).then(|| {
                let pool = if rng.gen_bool(0.55) || elsewhere.is_empty() { &hunan } else { &elsewhere };
                pool[rng.gen_range(0..pool.len())]
            });
            let signed = employer.map(|_| date.format("%Y-%m-%d").to_string());
            rows.events.push(vec![
                event_id.into(),
                graduate.into(),
                2022i64.into(),
                institution.into(),
                at.as_str().into(),
                "demo".into(),
                "2021".into(),
                first_code.into(),
                employer.map(|e| e.name.clone()).into(),
                employer.map(|e| e.credit_code.clone()).into(),
                employer.map(|e| e.region.clone()).into(),
                employer.map(|e| e.industry.clone()).into(),
                employer.map(|e| e.nature.clone()).into(),
                signed.clone().into(),
                employer.map(|e| e.id).into(),
            ]);
            let share = *online_share.entry(institution).or_insert_with(|| {
                if rng.gen_bool(0.12) {
                    rng.gen_range(0.05..0.4)
                } else {
                    rng.gen_range(0.6..0.95)
                }
            });
            let mut have: Vec<String> = Vec::new();
            if step + 1 == changes && first_code == "10" && employer.is_some() && rng.gen_bool(share) {
                rows.evidence.push(vec![
                    graduate.into(),
                    event_id.into(),
                    "agreement".into(),
                    None::<String>.into(),
                    None::<String>.into(),
                    None::<String>.into(),
                    None::<i64>.into(),
                    agreement_id.into(),
                    at.as_str().into(),
                    "demo".into(),
                ]);
                have.push("agreement".to_owned());
                let e = employer.map(|e| e.id).unwrap_or_default();
                let serial = serials.entry(institution).or_insert(0);
                *serial += 1;
                let number = crate::demo::agreement_number(&g.text("institution_code")?, &level, *serial);
                let invited = time::format_utc(
                    chrono::DateTime::parse_from_rfc3339(&at)
                        .map(|t| t.to_utc() - chrono::Duration::days(7))
                        .unwrap_or_default(),
                );
                rows.agreements.push(vec![
                    agreement_id.into(),
                    number.into(),
                    2022i64.into(),
                    institution.into(),
                    g.i64("college_id")?.into(),
                    graduate.into(),
                    e.into(),
                    "effective".into(),
                    "专业技术岗".into(),
                    at.as_str().into(),
                    at.as_str().into(),
                ]);
                for (when, action, from, to) in [
                    (invited.as_str(), "invite", None, "invited"),
                    (at.as_str(), "confirm", Some("sealed"), "effective"),
                ] {
                    rows.agreement_events.push(vec![
                        agreement_id.into(),
                        when.into(),
                        "demo".into(),
                        action.into(),
                        from.into(),
                        to.into(),
                    ]);
                }
                agreement_id += 1;
            }
            if step + 1 == changes {
                let required = rules.required(first_code);
                if let (Some(file), true) = (sample, rng.gen_bool(EVIDENCE_COMPLETE)) {
                    let to_upload: Vec<&String> = required.iter().filter(|k| !have.contains(k)).collect();
                    for kind in to_upload {
                        rows.evidence.push(vec![
                            graduate.into(),
                            event_id.into(),
                            kind.as_str().into(),
                            file.sha256.as_str().into(),
                            format!("{kind}.pdf").into(),
                            file.kind.content_type().into(),
                            (file.size as i64).into(),
                            None::<i64>.into(),
                            at.as_str().into(),
                            "demo".into(),
                        ]);
                        have.push(kind.clone());
                    }
                }
                let missing = outcomes::destinations::missing(required, &have);
                let confirmation = match rng.gen_range(0..100) {
                    0..=1 => "disputed",
                    2..=71 => "confirmed",
                    _ => "pending",
                };
                rows.current.push(vec![
                    graduate.into(),
                    2022i64.into(),
                    institution.into(),
                    event_id.into(),
                    first_code.into(),
                    employer.map(|e| e.name.clone()).into(),
                    employer.map(|e| e.credit_code.clone()).into(),
                    employer.map(|e| e.region.clone()).into(),
                    signed.into(),
                    at.as_str().into(),
                    confirmation.into(),
                    (confirmation == "disputed").then(|| "毕业去向与实际不符".to_owned()).into(),
                    missing.into(),
                    employer.map(|e| e.id).into(),
                ]);
            }
            event_id += 1;
        }
        if rows.events.len() >= FLUSH_ROWS {
            written += rows.events.len();
            rows.flush(tx).await?;
        }
        if i % 50_000 == 0 {
            progress(done_before + i as u64, total);
        }
    }
    written += rows.events.len();
    rows.flush(tx).await?;
    tx.sync_id_sequence("destination_events").await?;
    tx.sync_id_sequence("agreements").await?;
    Ok(written)
}
