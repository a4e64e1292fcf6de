//! Verification campaigns (核查抽样) as kept: the institutions taken in (from
//! findings, the top and bottom of the placement-rate ranking, or by hand),
//! each one's population split over destination-category strata with its
//! sample (Cochran with the finite-population correction, `sampling`), the
//! verifiers, and the sampled records with what each call found. The seed
//! is recorded: the same seed over the same records draws the same sample.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde_json::json;

use kernel::audit::{self, AuditActor, Change, Subject};
use kernel::files::Stored;
use kernel::{time, Db, DbResult, Locale, Record, Row, Tx};

use outcomes::statistics::rates::Definition;
use outcomes::statistics::{by_group, Grouping, Placements, StatisticsError};

use crate::estimate::{self, Interval, Stratum};
use crate::sampling::{self, AssignError, Design};

/// What a verifier's call found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// 属实: the recorded destination is what the graduate says.
    Confirmed,
    /// 去向不符: the graduate is somewhere else (the destination found is kept).
    Different,
    /// 无法联系
    Unreachable,
    /// 拒绝回答
    Refused,
}

impl Outcome {
    pub const ALL: [Outcome; 4] = [Outcome::Confirmed, Outcome::Different, Outcome::Unreachable, Outcome::Refused];

    pub fn key(self) -> &'static str {
        match self {
            Outcome::Confirmed => "confirmed",
            Outcome::Different => "different",
            Outcome::Unreachable => "unreachable",
            Outcome::Refused => "refused",
        }
    }

    pub fn parse(s: &str) -> Option<Outcome> {
        Outcome::ALL.into_iter().find(|o| o.key() == s)
    }

    pub fn label(self, l: Locale) -> &'static str {
        match self {
            Outcome::Confirmed => l.pick("属实", "Confirmed"),
            Outcome::Different => l.pick("去向不符", "Different destination"),
            Outcome::Unreachable => l.pick("无法联系", "Unreachable"),
            Outcome::Refused => l.pick("拒绝回答", "Refused"),
        }
    }

    /// Whether the call reached the graduate and learnt where it is.
    pub fn reached(self) -> bool {
        matches!(self, Outcome::Confirmed | Outcome::Different)
    }
}

/// Why an institution is in a campaign.
pub const WHY: [(&str, &str, &str); 4] = [
    ("finding", "异常信号", "Anomaly signal"),
    ("top", "落实率靠前", "Top of the ranking"),
    ("bottom", "落实率靠后", "Bottom of the ranking"),
    ("chosen", "指定", "Chosen"),
];

/// The reasons, as kept (`finding,top`), in the reader's language.
pub fn why_label(keys: &str, l: Locale) -> String {
    keys.split(',')
        .filter_map(|k| WHY.iter().find(|(key, _, _)| *key == k).map(|(_, zh, en)| l.pick(zh, en)))
        .collect::<Vec<_>>()
        .join("、")
}

/// The seed one institution's strata draw from: the campaign's, mixed with the
/// institution, so adding an institution leaves the others' samples alone.
pub fn institution_seed(seed: u64, institution: i64) -> u64 {
    seed ^ (institution as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

/// One stratum of an institution planned: its category code ('' for no record), size and sample.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedStratum {
    pub code: String,
    pub population: u64,
    pub size: u64,
}

/// An institution as the campaign would sample it.
#[derive(Debug, Clone)]
pub struct Planned {
    pub institution_id: i64,
    pub name: String,
    pub why: String,
    pub population: u64,
    pub size: u64,
    pub strata: Vec<PlannedStratum>,
}

/// A record drawn into the sample.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Drawn {
    pub graduate_id: i64,
    pub institution_id: i64,
    pub stratum: String,
    pub employer: Option<String>,
}

/// The institution's graduates of the cohort by stratum (their category code,
/// '' with none recorded), each stratum in graduate-id order: (id, employer).
async fn strata_of(db: &Db, cohort: i64, institution: i64) -> DbResult<BTreeMap<String, Vec<(i64, Option<String>)>>> {
    let rows = db
        .fetch_all(
            "SELECT g.id, d.category_code, d.employer_name FROM graduates g LEFT JOIN destinations d ON d.graduate_id = g.id \
             WHERE g.institution_id = $1 AND g.cohort_year = $2 ORDER BY g.id",
            &[institution.into(), cohort.into()],
        )
        .await?;
    let mut strata: BTreeMap<String, Vec<(i64, Option<String>)>> = BTreeMap::new();
    for r in &rows {
        let code = r.opt_text("category_code")?.unwrap_or_default();
        strata.entry(code).or_default().push((r.i64("id")?, r.opt_text("employer_name")?));
    }
    Ok(strata)
}

/// The plan for each institution (id, why): population, sample size and its split over strata.
pub async fn plan(db: &Db, cohort: i64, chosen: &[(i64, String)], design: &Design) -> DbResult<Vec<Planned>> {
    let names: HashMap<i64, String> = db
        .fetch_all("SELECT id, name FROM institutions", &[])
        .await?
        .iter()
        .map(|r| Ok((r.i64("id")?, r.text("name")?)))
        .collect::<DbResult<_>>()?;
    let mut out = Vec::new();
    for (institution, why) in chosen {
        let strata = strata_of(db, cohort, *institution).await?;
        let sizes: Vec<u64> = strata.values().map(|m| m.len() as u64).collect();
        let population: u64 = sizes.iter().sum();
        let size = sampling::sample_size(population, design);
        let parts = sampling::allocate(&sizes, size);
        out.push(Planned {
            institution_id: *institution,
            name: names.get(institution).cloned().unwrap_or_default(),
            why: why.clone(),
            population,
            size,
            strata: strata
                .keys()
                .zip(sizes.iter().zip(parts))
                .map(|(code, (p, n))| PlannedStratum { code: code.clone(), population: *p, size: n })
                .collect(),
        });
    }
    Ok(out)
}

/// The stratified sample of the institutions with the seed: the same seed over
/// the same records gives the same records.
pub async fn draw(db: &Db, cohort: i64, institutions: &[i64], design: &Design, seed: u64) -> DbResult<Vec<Drawn>> {
    let mut drawn = Vec::new();
    for institution in institutions {
        let strata = strata_of(db, cohort, *institution).await?;
        let population: u64 = strata.values().map(|m| m.len() as u64).sum();
        let n = sampling::sample_size(population, design);
        let members: Vec<Vec<(i64, Option<String>)>> = strata.values().cloned().collect();
        let picked = sampling::stratified(&members, n, institution_seed(seed, *institution));
        for (code, records) in strata.keys().zip(picked) {
            for (graduate_id, employer) in records {
                drawn.push(Drawn { graduate_id, institution_id: *institution, stratum: code.clone(), employer });
            }
        }
    }
    Ok(drawn)
}

/// A university-staff account that may verify: (account, its institution, a label with both).
#[derive(Debug, Clone)]
pub struct Verifier {
    pub account_id: i64,
    pub institution_id: i64,
    pub label: String,
}

/// Every active university-staff account, by institution.
pub async fn staff_accounts(db: &Db) -> DbResult<Vec<Verifier>> {
    let rows = db
        .fetch_all(
            "SELECT a.id, a.institution_id, a.display_name, a.username, i.name FROM accounts a \
             JOIN institutions i ON i.id = a.institution_id WHERE a.role = $1 AND a.active = TRUE ORDER BY i.code, a.username",
            &[kernel::auth::Role::UniversityStaff.as_str().into()],
        )
        .await?;
    rows.iter()
        .map(|r| {
            Ok(Verifier {
                account_id: r.i64("id")?,
                institution_id: r.i64("institution_id")?,
                label: format!("{} · {}（{}）", r.text("name")?, r.text("display_name")?, r.text("username")?),
            })
        })
        .collect()
}

/// The ranking by placement rate today (highest first), as the statistics count it: (institution, rate).
pub async fn ranking(
    placements: &Placements,
    cohort: i64,
    d: Definition,
    l: Locale,
) -> Result<Vec<(i64, f64)>, StatisticsError> {
    let breakdown =
        by_group(placements, &kernel::auth::Scope::Province, cohort, time::today_china(), Grouping::Institution, d, l)
            .await?;
    let lines = outcomes::statistics::reports::rank(
        breakdown
            .groups
            .iter()
            .filter(|g| g.tally.graduates > 0)
            .map(|g| (g.key.clone(), g.label.clone(), g.tally.clone()))
            .collect(),
        &HashMap::new(),
        d,
    );
    Ok(lines.iter().filter_map(|line| Some((line.key.parse().ok()?, line.now.rate(d)))).collect())
}

/// What a launch keeps.
pub struct Launch<'a> {
    pub cohort: i64,
    pub name: &'a str,
    pub design: Design,
    pub seed: u64,
    /// The rate definition's key (2021, 2024) the results count under.
    pub definition: &'a str,
    pub created_by: i64,
    pub planned: &'a [Planned],
    /// Reported placement rate per institution at launch.
    pub reported: &'a HashMap<i64, f64>,
    pub verifiers: &'a [Verifier],
}

/// Gives the sample drawn (`draw`, with the launch's seed) to the verifiers and
/// keeps it all; the institutions' open findings become taken. `Ok(Err(_))`
/// when the records cannot be given out (no verifier, or only verifiers of
/// their own institution).
pub async fn launch(
    tx: &mut Tx,
    who: &AuditActor,
    l: &Launch<'_>,
    drawn: &[Drawn],
) -> DbResult<Result<i64, AssignError>> {
    let ids: Vec<i64> = l.planned.iter().map(|p| p.institution_id).collect();
    let records: Vec<(usize, i64)> = drawn.iter().enumerate().map(|(i, d)| (i, d.institution_id)).collect();
    let verifiers: Vec<(i64, i64)> = l.verifiers.iter().map(|v| (v.account_id, v.institution_id)).collect();
    let given = match sampling::assign(&records, &verifiers) {
        Ok(given) => given,
        Err(e) => return Ok(Err(e)),
    };
    let now = time::now_utc();
    let campaign = Record::new()
        .set("cohort", l.cohort)
        .set("name", l.name)
        .set("margin", l.design.margin)
        .set("confidence", l.design.confidence)
        .set("expected", l.design.expected)
        .set("seed", l.seed as i64)
        .set("definition", l.definition)
        .set("status", "open")
        .set("created_by", l.created_by)
        .set("launched_at", now.as_str());
    let id = tx.insert_id("verification_campaigns", campaign).await?;
    for p in l.planned {
        let row = Record::new()
            .set("campaign_id", id)
            .set("institution_id", p.institution_id)
            .set("why", p.why.as_str())
            .set("population", p.population as i64)
            .set("sample_size", p.size as i64)
            .set("reported_rate", l.reported.get(&p.institution_id).copied().unwrap_or(0.0));
        tx.insert("verification_campaign_institutions", row).await?;
        for s in &p.strata {
            let row = Record::new()
                .set("campaign_id", id)
                .set("institution_id", p.institution_id)
                .set("stratum", s.code.as_str())
                .set("population", s.population as i64)
                .set("sample_size", s.size as i64);
            tx.insert("verification_campaign_strata", row).await?;
        }
    }
    for v in l.verifiers {
        let row = Record::new()
            .set("campaign_id", id)
            .set("account_id", v.account_id)
            .set("institution_id", v.institution_id);
        tx.insert("verification_campaign_verifiers", row).await?;
    }
    let samples: Vec<Record> = given
        .iter()
        .map(|(i, verifier)| {
            let d = &drawn[*i];
            Record::new()
                .set("campaign_id", id)
                .set("graduate_id", d.graduate_id)
                .set("institution_id", d.institution_id)
                .set("stratum", d.stratum.as_str())
                .set("recorded_employer", d.employer.clone())
                .set("verifier_id", *verifier)
        })
        .collect();
    for row in samples {
        tx.insert("verification_samples", row).await?;
    }
    let taken = crate::findings::take(tx, who, l.cohort, &ids, id).await?;
    let after = json!({
        "cohort": l.cohort, "name": l.name, "margin": l.design.margin, "confidence": l.design.confidence,
        "expected": l.design.expected, "seed": l.seed.to_string(), "institutions": ids,
        "verifiers": l.verifiers.iter().map(|v| v.account_id).collect::<Vec<_>>(), "sampled": drawn.len(),
        "findings_taken": taken,
    });
    audit::record(tx, who, Change::created("verification_campaign", id, after)).await?;
    Ok(Ok(id))
}

/// A campaign as pages show it.
#[derive(Debug, Clone)]
pub struct Campaign {
    pub id: i64,
    pub cohort: i64,
    pub name: String,
    pub design: Design,
    pub seed: u64,
    pub definition: String,
    pub open: bool,
    pub launched_at: String,
    pub closed_at: Option<String>,
}

const COLUMNS: &str = "SELECT c.id, c.cohort, c.name, c.margin, c.confidence, c.expected, c.seed, c.definition, \
                       c.status, c.launched_at, c.closed_at FROM verification_campaigns c";

fn campaign_of(r: &Row) -> DbResult<Campaign> {
    Ok(Campaign {
        id: r.i64("id")?,
        cohort: r.i64("cohort")?,
        name: r.text("name")?,
        design: Design { margin: r.f64("margin")?, confidence: r.f64("confidence")?, expected: r.f64("expected")? },
        seed: r.i64("seed")? as u64,
        definition: r.text("definition")?,
        open: r.text("status")? == "open",
        launched_at: r.text("launched_at")?,
        closed_at: r.opt_text("closed_at")?,
    })
}

pub async fn get(db: &Db, id: i64) -> DbResult<Option<Campaign>> {
    db.fetch_optional(&format!("{COLUMNS} WHERE c.id = $1"), &[id.into()]).await?.as_ref().map(campaign_of).transpose()
}

/// The cohort's campaigns, newest first; only those sampling the institution when given.
pub async fn list(db: &Db, cohort: i64, institution: Option<i64>) -> DbResult<Vec<Campaign>> {
    let rows = match institution {
        None => db.fetch_all(&format!("{COLUMNS} WHERE c.cohort = $1 ORDER BY c.id DESC"), &[cohort.into()]).await?,
        Some(i) => {
            let sql = format!(
                "{COLUMNS} WHERE c.cohort = $1 AND c.id IN (SELECT campaign_id FROM verification_campaign_institutions \
                 WHERE institution_id = $2) ORDER BY c.id DESC"
            );
            db.fetch_all(&sql, &[cohort.into(), i.into()]).await?
        }
    };
    rows.iter().map(campaign_of).collect()
}

/// The province closes a campaign: its queue empties, its results stay.
pub async fn close(tx: &mut Tx, who: &AuditActor, c: &Campaign) -> DbResult<()> {
    let row = Record::new().set("status", "closed").set("closed_at", time::now_utc());
    tx.update("verification_campaigns", row, "id", c.id).await?;
    let change = Change::new("close", "verification_campaign", c.id)
        .before(json!({ "status": "open" }))
        .after(json!({ "status": "closed" }));
    audit::record(tx, who, change).await
}

/// A campaign's strata per institution as kept at launch, by institution then code.
pub async fn strata(db: &Db, campaign: i64) -> DbResult<Vec<(i64, PlannedStratum)>> {
    let rows = db
        .fetch_all(
            "SELECT institution_id, stratum, population, sample_size FROM verification_campaign_strata \
             WHERE campaign_id = $1 ORDER BY institution_id, stratum",
            &[campaign.into()],
        )
        .await?;
    rows.iter()
        .map(|r| {
            let s = PlannedStratum {
                code: r.text("stratum")?,
                population: r.i64("population")? as u64,
                size: r.i64("sample_size")? as u64,
            };
            Ok((r.i64("institution_id")?, s))
        })
        .collect()
}

/// A sampled record's graduate and verifier, for tests and the results: (graduate, institution, stratum, verifier).
pub async fn samples(db: &Db, campaign: i64) -> DbResult<Vec<(i64, i64, String, i64)>> {
    let rows = db
        .fetch_all(
            "SELECT graduate_id, institution_id, stratum, verifier_id FROM verification_samples WHERE campaign_id = $1 \
             ORDER BY graduate_id",
            &[campaign.into()],
        )
        .await?;
    rows.iter()
        .map(|r| Ok((r.i64("graduate_id")?, r.i64("institution_id")?, r.text("stratum")?, r.i64("verifier_id")?)))
        .collect()
}

/// One sampled record as its verifier sees it: what a call needs.
#[derive(Debug, Clone)]
pub struct Task {
    pub id: i64,
    pub campaign: String,
    pub open: bool,
    pub name: String,
    /// Masked: a call does not need it whole.
    pub id_number: String,
    /// Whole: a call needs it.
    pub phone: String,
    pub institution: String,
    pub category: String,
    pub employer: String,
    pub outcome: Option<Outcome>,
    pub found_category: String,
    pub found_employer: String,
    pub note: String,
    pub file_name: Option<String>,
}

fn task_of(r: &Row) -> DbResult<Task> {
    let text = |c: &str| r.opt_text(c).map(Option::unwrap_or_default);
    Ok(Task {
        id: r.i64("id")?,
        campaign: r.text("campaign")?,
        open: r.text("status")? == "open",
        name: r.text("name")?,
        id_number: kernel::mask::id_number(&r.text("id_number")?),
        phone: text("phone")?,
        institution: r.text("institution")?,
        category: text("category")?,
        employer: text("recorded_employer")?,
        outcome: r.opt_text("outcome")?.as_deref().and_then(Outcome::parse),
        found_category: text("found_category")?,
        found_employer: text("found_employer")?,
        note: text("note")?,
        file_name: r.opt_text("file_name")?,
    })
}

fn task_sql(l: Locale) -> String {
    format!(
        "SELECT s.id, c.name AS campaign, c.status, g.name, g.id_number, g.phone, i.name AS institution, \
         {} AS category, s.recorded_employer, s.outcome, s.found_category, s.found_employer, s.note, s.file_name \
         FROM verification_samples s JOIN verification_campaigns c ON c.id = s.campaign_id \
         JOIN graduates g ON g.id = s.graduate_id JOIN institutions i ON i.id = s.institution_id \
         JOIN cohorts co ON co.year = c.cohort LEFT JOIN code_tables ct ON ct.kind = 'destination' \
         AND ct.version = co.destination_version AND ct.code = s.stratum",
        kernel::codes::name_sql("ct", l)
    )
}

/// The record if it is assigned to this account; `None` otherwise (the page answers 404).
pub async fn task(db: &Db, id: i64, verifier: i64, l: Locale) -> DbResult<Option<Task>> {
    let sql = format!("{} WHERE s.id = $1 AND s.verifier_id = $2", task_sql(l));
    db.fetch_optional(&sql, &[id.into(), verifier.into()]).await?.as_ref().map(task_of).transpose()
}

/// The account's records in open campaigns: those not yet called first, each group in order.
pub async fn queue(db: &Db, verifier: i64, l: Locale) -> DbResult<Vec<Task>> {
    let sql = format!(
        "{} WHERE s.verifier_id = $1 AND c.status = 'open' ORDER BY CASE WHEN s.outcome IS NULL THEN 0 ELSE 1 END, s.id",
        task_sql(l)
    );
    db.fetch_all(&sql, &[verifier.into()]).await?.iter().map(task_of).collect()
}

/// What a call found, as the verifier records it.
pub struct Call<'a> {
    pub outcome: Outcome,
    /// The destination found (category code, employer), when different.
    pub found: Option<(&'a str, &'a str)>,
    pub note: &'a str,
    pub document: Option<(&'a str, &'a Stored)>,
}

/// Keeps a call's outcome on the record (a later one replaces it), audited.
pub async fn record_call(tx: &mut Tx, who: &AuditActor, task: &Task, call: &Call<'_>) -> DbResult<()> {
    let row = Record::new()
        .set("outcome", call.outcome.key())
        .set("found_category", call.found.map(|(c, _)| c.to_owned()))
        .set("found_employer", call.found.map(|(_, e)| e.to_owned()).filter(|e| !e.is_empty()))
        .set("note", Some(call.note.to_owned()).filter(|n| !n.is_empty()))
        .set("checked_at", time::now_utc());
    let row = match call.document {
        Some((name, stored)) => row
            .set("file_sha256", stored.sha256.clone())
            .set("file_name", name.to_owned())
            .set("content_type", stored.kind.content_type().to_owned()),
        None => row,
    };
    tx.update("verification_samples", row, "id", task.id).await?;
    let after = json!({
        "outcome": call.outcome.key(), "found_category": call.found.map(|(c, _)| c),
        "found_employer": call.found.map(|(_, e)| e), "note": call.note,
        "file_name": call.document.map(|(name, _)| name),
    });
    let before = json!({ "outcome": task.outcome.map(Outcome::key) });
    let institution = tx
        .fetch_one("SELECT institution_id FROM verification_samples WHERE id = $1", &[task.id.into()])
        .await?
        .i64("institution_id")?;
    let change = Change::new("check", "verification_sample", task.id)
        .before(before)
        .after(after)
        .about(Subject::institution(institution));
    audit::record(tx, who, change).await
}

/// A sample's evidence file, for its verifier: (hash, type).
pub async fn document(db: &Db, id: i64, verifier: i64) -> DbResult<Option<(String, String)>> {
    db.fetch_optional(
        "SELECT file_sha256, content_type FROM verification_samples WHERE id = $1 AND verifier_id = $2 \
         AND file_sha256 IS NOT NULL",
        &[id.into(), verifier.into()],
    )
    .await?
    .map(|r| Ok((r.text("file_sha256")?, r.text("content_type")?)))
    .transpose()
}

/// One call as the results count it: its stratum, its outcome, the category found when different.
#[derive(Debug, Clone)]
pub struct Called {
    pub stratum: String,
    pub outcome: Option<Outcome>,
    pub found: Option<String>,
}

/// An institution's figures from its calls (pure).
#[derive(Debug, Clone, PartialEq)]
pub struct Estimate {
    pub sampled: u64,
    pub reached: u64,
    pub confirmed: u64,
    /// Confirmed among those reached, with its Wilson interval.
    pub confirmed_share: Option<Interval>,
    /// The placement rate the calls support (strata = categories), with its interval.
    pub corrected: Option<Interval>,
    /// The rate the strata at launch report.
    pub reported: f64,
}

/// What the calls say of an institution: strata (code, population) as at launch,
/// the calls, and whether a category counts as placed under the rate definition.
pub fn estimate_of(
    strata: &[PlannedStratum],
    calls: &[Called],
    placed: &dyn Fn(&str) -> bool,
    confidence: f64,
) -> Estimate {
    let mut by_stratum: Vec<(Stratum, u64)> = strata
        .iter()
        .map(|s| {
            let reported = if placed(&s.code) { s.population } else { 0 };
            (Stratum { population: s.population, reached: 0, found_placed: 0 }, reported)
        })
        .collect();
    let (mut reached, mut confirmed) = (0, 0);
    for c in calls {
        let Some(outcome) = c.outcome.filter(|o| o.reached()) else { continue };
        reached += 1;
        let truly_placed = match outcome {
            Outcome::Confirmed => {
                confirmed += 1;
                placed(&c.stratum)
            }
            _ => c.found.as_deref().is_some_and(placed),
        };
        if let Some(i) = strata.iter().position(|s| s.code == c.stratum) {
            by_stratum[i].0.reached += 1;
            by_stratum[i].0.found_placed += u64::from(truly_placed);
        }
    }
    let population: u64 = strata.iter().map(|s| s.population).sum();
    let reported_placed: u64 = by_stratum.iter().map(|(_, r)| r).sum();
    Estimate {
        sampled: calls.len() as u64,
        reached,
        confirmed,
        confirmed_share: estimate::wilson(confirmed, reached, confidence),
        corrected: estimate::corrected_rate(&by_stratum, confidence),
        reported: if population == 0 { 0.0 } else { reported_placed as f64 / population as f64 },
    }
}

/// One institution's line of a campaign's results.
#[derive(Debug, Clone)]
pub struct ResultRow {
    pub institution_id: i64,
    pub institution: String,
    pub why: String,
    pub population: u64,
    pub size: u64,
    pub estimate: Estimate,
    /// The rate the statistics reported at launch.
    pub reported_rate: f64,
    /// Findings of the cohort at the institution not dismissed.
    pub findings: i64,
    /// Graduates whose destination was corrected (核查更正) since launch.
    pub corrections: i64,
}

/// The campaign's results per institution (one institution's only when given), live.
pub async fn results(db: &Db, c: &Campaign, institution: Option<i64>) -> DbResult<Vec<ResultRow>> {
    let version = registry::cohorts::get(db, c.cohort).await?.map(|co| co.destination_version).unwrap_or_default();
    let d = outcomes::statistics::rates::Definition::parse(&c.definition)
        .unwrap_or(outcomes::statistics::rates::Definition::V2021);
    let placed_codes: HashSet<String> = kernel::codes::list(db, "destination", &version)
        .await?
        .into_iter()
        .filter(|code| {
            let bucket = match d {
                outcomes::statistics::rates::Definition::V2021 => code.bucket_2021.as_deref(),
                outcomes::statistics::rates::Definition::V2024 => code.bucket_2024.as_deref(),
            };
            bucket.is_some_and(|b| d.parts().contains(&b))
        })
        .map(|code| code.code)
        .collect();
    let placed = |code: &str| placed_codes.contains(code);
    let mut strata_by: HashMap<i64, Vec<PlannedStratum>> = HashMap::new();
    for (i, s) in strata(db, c.id).await? {
        strata_by.entry(i).or_default().push(s);
    }
    let mut calls_by: HashMap<i64, Vec<Called>> = HashMap::new();
    let rows = db
        .fetch_all(
            "SELECT institution_id, stratum, outcome, found_category FROM verification_samples WHERE campaign_id = $1",
            &[c.id.into()],
        )
        .await?;
    for r in &rows {
        calls_by.entry(r.i64("institution_id")?).or_default().push(Called {
            stratum: r.text("stratum")?,
            outcome: r.opt_text("outcome")?.as_deref().and_then(Outcome::parse),
            found: r.opt_text("found_category")?,
        });
    }
    let findings: HashMap<i64, i64> = db
        .fetch_all(
            "SELECT institution_id, COUNT(*) AS n FROM verification_findings WHERE cohort = $1 AND status <> 'dismissed' \
             GROUP BY institution_id",
            &[c.cohort.into()],
        )
        .await?
        .iter()
        .map(|r| Ok((r.i64("institution_id")?, r.i64("n")?)))
        .collect::<DbResult<_>>()?;
    let corrections: HashMap<i64, i64> = db
        .fetch_all(
            "SELECT institution_id, COUNT(DISTINCT graduate_id) AS n FROM destination_events WHERE cohort_year = $1 \
             AND correction IS NOT NULL AND at > $2 GROUP BY institution_id",
            &[c.cohort.into(), c.launched_at.as_str().into()],
        )
        .await?
        .iter()
        .map(|r| Ok((r.i64("institution_id")?, r.i64("n")?)))
        .collect::<DbResult<_>>()?;
    let mut sql = String::from(
        "SELECT ci.institution_id, i.name, ci.why, ci.population, ci.sample_size, ci.reported_rate \
         FROM verification_campaign_institutions ci JOIN institutions i ON i.id = ci.institution_id WHERE ci.campaign_id = $1",
    );
    let mut params = vec![c.id.into()];
    if let Some(i) = institution {
        sql.push_str(" AND ci.institution_id = $2");
        params.push(i.into());
    }
    sql.push_str(" ORDER BY i.code");
    let empty = Vec::new();
    db.fetch_all(&sql, &params)
        .await?
        .iter()
        .map(|r| {
            let id = r.i64("institution_id")?;
            let strata = strata_by.get(&id).unwrap_or(&empty);
            let calls = calls_by.get(&id).map(Vec::as_slice).unwrap_or(&[]);
            Ok(ResultRow {
                institution_id: id,
                institution: r.text("name")?,
                why: r.text("why")?,
                population: r.i64("population")? as u64,
                size: r.i64("sample_size")? as u64,
                estimate: estimate_of(strata, calls, &placed, c.design.confidence),
                reported_rate: r.f64("reported_rate")?,
                findings: findings.get(&id).copied().unwrap_or(0),
                corrections: corrections.get(&id).copied().unwrap_or(0),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stratum(code: &str, population: u64) -> PlannedStratum {
        PlannedStratum { code: code.into(), population, size: 0 }
    }

    fn call(stratum: &str, outcome: Option<Outcome>, found: Option<&str>) -> Called {
        Called { stratum: stratum.into(), outcome, found: found.map(str::to_owned) }
    }

    #[test]
    fn an_institutions_figures_from_its_calls_by_hand() {
        // 10 signed (placed), 10 with nothing recorded (not placed).
        let strata = [stratum("", 10), stratum("10", 10)];
        let calls = [
            call("10", Some(Outcome::Confirmed), None),
            call("10", Some(Outcome::Different), Some("701")),
            call("10", Some(Outcome::Unreachable), None),
            call("", Some(Outcome::Different), Some("10")),
            call("", Some(Outcome::Confirmed), None),
            call("", None, None),
        ];
        let placed = |c: &str| c == "10";
        let e = estimate_of(&strata, &calls, &placed, 0.95);
        assert_eq!((e.sampled, e.reached, e.confirmed), (6, 4, 2));
        assert_eq!(e.reported, 0.5);
        assert_eq!(e.confirmed_share.map(|i| i.value), Some(0.5));
        // Signed: 1 of 2 reached placed → 5 of 10; nothing recorded: 1 of 2 placed → 5 of 10: 10 of 20.
        let c = e.corrected.expect("reached");
        assert!((c.value - 0.5).abs() < 1e-12);
        // Variance: 2 · 10²·(1 − 2/10)·0.25/1 = 40; sd = √40/20 = 0.31623; ±1.96 · that, clamped.
        assert!((c.high - (0.5 + 1.959964 * 40f64.sqrt() / 20.0).min(1.0)).abs() < 1e-5, "{c:?}");
        assert_eq!(why_label("finding,top", Locale::Zh), "异常信号、落实率靠前");
        assert_eq!(Outcome::parse("refused"), Some(Outcome::Refused));
        assert!(!Outcome::Refused.reached());
    }

    #[test]
    fn each_institution_draws_from_its_own_seed() {
        assert_eq!(institution_seed(7, 3), institution_seed(7, 3));
        assert_ne!(institution_seed(7, 3), institution_seed(7, 4));
        assert_ne!(institution_seed(7, 3), institution_seed(8, 3));
    }
}
