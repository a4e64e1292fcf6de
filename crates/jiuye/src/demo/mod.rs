//! `jiuye demo`: the Hunan 2022届 demo province — colleges and majors for all
//! institutions, about 450,000 graduates, about 20,000 employers and accounts
//! for every role, and the year's job postings, applications and offers
//! (`recruitment`). The same seed always gives the same data, but for the
//! open postings' days, which are counted from the day it is generated.

mod archives;
mod assistance;
mod assistance_appointments;
mod assistance_trainings;
mod campaign;
mod destinations;
pub mod fairs;
mod kinds;
mod mentors;
pub mod national;
mod network;
mod notices;
mod people;
mod plan;
pub mod planted;
mod portal_site;
mod programmes;
mod quality_reports;
pub mod recruitment;
mod review;
mod services;
mod training;

use std::collections::{BTreeMap, HashSet};
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use rand::distributions::{Distribution, WeightedIndex};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use kernel::audit::{self, AuditActor, Change};
use kernel::auth::{password, Role};
use kernel::{time, Db, Tx, Value};

use people::weighted;

/// The number of a demo agreement, by the platform's scheme.
fn agreement_number(institution_code: &str, level: &str, serial: i64) -> String {
    outcomes::agreements::flow::number(COHORT, institution_code, level, serial)
}

/// Password of every demo account, printed at first start.
pub const DEMO_PASSWORD: &str = "jiuye2022";
pub const COHORT: i64 = 2022;

#[derive(Debug, Clone)]
pub struct DemoOptions {
    pub seed: u64,
    pub graduates: usize,
    pub employers: usize,
    /// Also record the cohort's destinations through the year.
    pub destinations: bool,
    /// Job postings of the demo employers; with none, no profiles or applications either.
    pub postings: usize,
    /// The file store (`Config::files`), where a sample evidence document is
    /// stored for the destinations; without one, only online agreements stand as evidence.
    pub files: Option<kernel::files::FileStore>,
    /// The province the statistics count as home (`Config::home_province`).
    pub home_province: String,
    /// Provinces in the demo: 1 is Hunan alone; more add the next provinces by
    /// graduate numbers with synthetic institutions (`national`).
    pub provinces: usize,
}

impl Default for DemoOptions {
    fn default() -> Self {
        DemoOptions {
            seed: 2022,
            graduates: 450_000,
            employers: 20_000,
            destinations: true,
            postings: 60_000,
            files: None,
            home_province: "43".to_owned(),
            provinces: 1,
        }
    }
}

impl DemoOptions {
    /// The rows the progress bar counts: graduates, employers and postings.
    pub fn work(&self) -> u64 {
        (self.graduates + self.employers + self.postings) as u64
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("the database already holds graduates; demo data goes only into an empty database")]
    NotEmpty,
    #[error("reference data is missing: {0}")]
    Missing(&'static str),
    #[error("the demo asked for is too large: {0}")]
    TooLarge(&'static str),
    #[error(transparent)]
    Db(#[from] kernel::DbError),
    #[error(transparent)]
    Files(#[from] kernel::files::FileError),
    #[error(transparent)]
    Statistics(#[from] outcomes::statistics::StatisticsError),
}

/// A one-page PDF that says it is demo evidence, not a real document.
pub fn sample_evidence() -> Vec<u8> {
    sample_evidence_numbered("")
}

/// The same, with a line of its own (so each stand-in file differs).
fn sample_evidence_numbered(line: &str) -> Vec<u8> {
    let own = match line.is_empty() {
        true => String::new(),
        false => format!(" 0 -20 Td ({line}) Tj"),
    };
    let text = format!(
        "BT /F1 18 Tf 72 720 Td (Jiuye demo evidence) Tj 0 -28 Td /F1 12 Tf \
         (Generated with the demo data: not a real document.) Tj{own} ET"
    );
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>"
            .to_owned(),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_owned(),
        format!("<< /Length {} >>\nstream\n{text}\nendstream", text.len()),
    ];
    let mut pdf = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.extend(format!("{} 0 obj\n{body}\nendobj\n", i + 1).as_bytes());
    }
    let xref = pdf.len();
    pdf.extend(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes());
    for offset in offsets {
        pdf.extend(format!("{offset:010} 00000 n \n").as_bytes());
    }
    pdf.extend(
        format!("trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n", objects.len() + 1).as_bytes(),
    );
    pdf
}

#[derive(Debug, Default)]
pub struct DemoSummary {
    pub colleges: usize,
    pub majors: usize,
    pub graduates: usize,
    pub employers: usize,
    pub destination_events: usize,
    pub recruitment: recruitment::Written,
    /// Parks, key employers and visits (`network`).
    pub network: (usize, usize, usize),
    pub fairs: fairs::Written,
    /// Key-group graduates helped and their ledger entries (`assistance`).
    pub assistance: (usize, usize),
    /// Guidance slots opened and appointments booked (`assistance_appointments`).
    pub appointments: (usize, usize),
    /// Key-group trainings, their enrolments and training bases (`assistance_trainings`).
    pub trainings: (usize, usize, usize),
    /// Calls and applications (`programmes`).
    pub programmes: (usize, usize),
    /// Notices, objections, follow-up records and alliance bases (`notices`).
    pub notices: (usize, usize, usize, usize),
    /// Experts in the pool and calls reviewed and decided (`review`).
    pub review: (usize, usize),
    /// Training classes, their participants and certificates (`training`).
    pub classes: (usize, usize, usize),
    /// Mentors, their slots and bookings, and courses (`mentors`).
    pub mentors: (usize, usize, usize, usize),
    /// Answers in the demo census (实名普查).
    pub census_answers: usize,
    /// Findings kept, records sampled and calls made (`campaign`).
    pub verification: campaign::Written,
    pub accounts: Vec<(String, &'static str, String)>,
    pub elapsed: Duration,
}

/// Progress callback: (done, total) graduates and employers.
pub type Progress<'a> = &'a (dyn Fn(u64, u64) + Sync);

#[derive(Clone)]
struct Institution {
    id: i64,
    code: String,
    name: String,
    level: String,
    ownership: String,
    /// Its region code (a prefecture's), whose first two digits are its province.
    region: String,
}

struct CatalogueEntry {
    catalogue: String,
    code: String,
    name: String,
    discipline_code: String,
    discipline_name: String,
    level: String,
}

/// A major offered by one college, with its id.
#[derive(Clone)]
struct Offered {
    id: i64,
    college_id: i64,
    college_code: String,
    level: String,
    discipline: String,
    /// Its share of the institution's graduates at its level, before normalising.
    weight: f64,
}

/// The national demo's synthetic institutions' own stream ("national").
const NATIONAL_STREAM: u64 = 0x6e61_7469_6f6e_616c;

/// Mixed into the seed for the key-group assistance's stream.
const ASSISTANCE_STREAM: u64 = 0x0061_7373_6973_7420;

/// Mixed into the seed for the employer network's stream.
const NETWORK_STREAM: u64 = 0x006e_6574_776f_726b;
/// The quality reports' own stream ("qreport").
const QUALITY_REPORTS_STREAM: u64 = 0x0071_7265_706f_7274;
/// The expert review's own stream ("review").
const REVIEW_STREAM: u64 = 0x7265_7669_6577;
/// One-stop services' own stream ("services").
const SERVICES_STREAM: u64 = 0x7365_7276_6963_6573;
/// The plan board's own stream ("plan").
const PLAN_STREAM: u64 = 0x706c_616e;
/// The public portal's own stream ("portal").
const PORTAL_STREAM: u64 = 0x706f_7274_616c;
/// The archive transfers' own stream ("archive").
const ARCHIVES_STREAM: u64 = 0x0061_7263_6869_7665;

/// The tables the demo fills by the hundred thousand before it reads them by
/// their secondary indexes: those indexes, and the foreign keys checked for
/// each row, are made once after the rows are in (`Tx::set_aside`). Not the
/// agreements: the offers carried into agreements are those of graduates with
/// none, looked up by that index (on SQLite a scan of every agreement for each
/// offer without it); not the assistance ledger, which finds the key groups by
/// theirs. A phase that reads one of these by such an index must come after
/// `Tx::restore`.
const BULK_TABLES: &[&str] = &[
    "graduates",
    "destinations",
    "destination_events",
    "destination_evidence",
    "applications",
    "application_steps",
    "agreement_events",
];
/// The demo's transaction keeps its pages in memory up to this (`Tx::writer_cache`):
/// with the usual 64 MB, a sixth of its time on SQLite went to finding spilled pages again.
const DEMO_CACHE_MIB: u32 = 1024;
/// The archive transfers' tables, filled the same way in their own phase.
const ARCHIVE_TABLES: &[&str] = &["archive_transfers", "archive_steps"];

pub async fn generate(db: &Db, opts: &DemoOptions, progress: Progress<'_>) -> Result<DemoSummary, DemoError> {
    let started = Instant::now();
    if db.scalar_i64("SELECT COUNT(*) AS n FROM graduates", &[]).await? > 0 {
        return Err(DemoError::NotEmpty);
    }
    let mut rng = ChaCha8Rng::seed_from_u64(opts.seed);
    let mut tx = db.begin().await?;
    tx.writer_cache(Some(DEMO_CACHE_MIB)).await?;
    let set_aside = tx.set_aside(BULK_TABLES).await?;
    if opts.provinces > 1 {
        add_provinces(&mut tx, opts).await?;
    }
    let institutions = load_institutions(&mut tx).await?;
    let catalogue = load_catalogue(&mut tx).await?;
    let (hunan_counties, other_counties) = load_counties(&mut tx).await?;
    if institutions.is_empty() || catalogue.is_empty() || hunan_counties.is_empty() {
        return Err(DemoError::Missing("institutions, majors or regions"));
    }
    let revision = registry::cohorts::roster_changed(&mut tx, COHORT).await?;
    let mut summary = DemoSummary::default();
    let offered = colleges_and_majors(&mut tx, &mut rng, &institutions, &catalogue, &mut summary).await?;
    let total = opts.work();
    progress(0, total);
    let counties = (hunan_counties.as_slice(), other_counties.as_slice());
    summary.graduates =
        graduates(&mut tx, &mut rng, opts, &institutions, &offered, counties, revision, progress).await?;
    summary.employers = employers(&mut tx, &mut rng, opts, &hunan_counties, &other_counties, progress).await?;
    let demo_employer = demo_employer(&mut tx).await?;
    let mut night = None;
    if opts.destinations {
        let thresholds = verification::signals::Thresholds::default();
        let plan = plan(&mut tx, opts.seed, &institutions, &thresholds).await?;
        let documents = match &opts.files {
            Some(store) => documents(&mut tx, store, &thresholds).await?,
            None => destinations::Documents::default(),
        };
        let written =
            destinations::generate(&mut tx, &mut rng, progress, total, total, &documents, Some(demo_employer), &plan)
                .await?;
        summary.destination_events = written.events;
        night = plan.night_edit.map(|(institution, changes)| (institution, changes, written.night));
    }
    accounts(&mut tx, &institutions, demo_employer, &mut summary).await?;
    if let Some((institution, changes, candidates)) = night {
        let code = institutions.iter().find(|i| i.id == institution).map(|i| i.code.clone()).unwrap_or_default();
        let username = format!("staff{code}");
        let staff = tx.fetch_one("SELECT id FROM accounts WHERE username = $1", &[username.as_str().into()]).await?;
        let codes = outcomes::destinations::Codes::load(&mut tx, "2021").await?;
        summary.destination_events +=
            planted::night_edit(&mut tx, &codes, &candidates, changes, (staff.i64("id")?, &username)).await?;
    }
    if opts.destinations {
        let admin = tx.fetch_one("SELECT id FROM accounts WHERE username = 'admin'", &[]).await?.i64("id")?;
        summary.census_answers = planted::census(&mut tx, opts.seed, admin).await?.1;
    }
    if opts.postings > 0 {
        let done = (opts.graduates + opts.employers) as u64;
        summary.recruitment = job_market(&mut tx, &mut rng, opts, demo_employer, progress, done).await?;
    }
    // A stream of its own, so the network leaves the rest of the demo as it was.
    let mut network_rng = ChaCha8Rng::seed_from_u64(opts.seed ^ NETWORK_STREAM);
    summary.network = network::generate(&mut tx, &mut network_rng, demo_employer).await?;
    summary.fairs = fair_year(&mut tx, opts.seed, demo_employer).await?;
    tx.restore(set_aside).await?;
    // A stream of its own, so the assistance leaves the rest of the demo as it was.
    let mut assistance_rng = ChaCha8Rng::seed_from_u64(opts.seed ^ ASSISTANCE_STREAM);
    summary.assistance = assistance::generate(&mut tx, &mut assistance_rng).await?;
    summary.appointments = assistance_appointments::generate(&mut tx, &mut assistance_rng).await?;
    summary.trainings = assistance_trainings::generate(&mut tx, &mut assistance_rng).await?;
    summary.mentors = mentors::generate(&mut tx, &mut assistance_rng, opts.files.as_ref()).await?;
    // The ledger was written in bulk: each graduate's standing against the standard, kept in one statement.
    ::assistance::store::refresh_standing(&mut tx, 0).await?;
    summary.programmes = programmes::generate(&mut tx).await?;
    let mut review_rng = ChaCha8Rng::seed_from_u64(opts.seed ^ REVIEW_STREAM);
    let scores;
    (summary.review, scores) = review::generate(&mut tx, &mut review_rng).await?;
    summary.notices = notices::generate(&mut tx, &scores).await?;
    summary.classes = training::generate(&mut tx).await?;
    let mut services_rng = ChaCha8Rng::seed_from_u64(opts.seed ^ SERVICES_STREAM);
    let (items, requests, escalated) = services::generate(&mut tx, &mut services_rng).await?;
    tracing::info!(items, requests, escalated, "demo one-stop services");
    plan::generate(&mut tx, &mut ChaCha8Rng::seed_from_u64(opts.seed ^ PLAN_STREAM), &opts.home_province, COHORT)
        .await?;
    let mut reports_rng = ChaCha8Rng::seed_from_u64(opts.seed ^ QUALITY_REPORTS_STREAM);
    let reports = quality_reports::generate(&mut tx, &mut reports_rng, opts.files.as_ref()).await?;
    tracing::info!(submitted = reports.0, late = reports.1, published = reports.2, "demo quality reports");
    let mut portal_rng = ChaCha8Rng::seed_from_u64(opts.seed ^ PORTAL_STREAM);
    let (articles, work_news) = portal_site::generate(&mut tx, &mut portal_rng, opts.files.as_ref()).await?;
    tracing::debug!(articles, work_news, "demo portal");
    let mut archives_rng = ChaCha8Rng::seed_from_u64(opts.seed ^ ARCHIVES_STREAM);
    let set_aside = tx.set_aside(ARCHIVE_TABLES).await?;
    let (centres, transfers, received, returned) = archives::generate(&mut tx, &mut archives_rng).await?;
    tx.restore(set_aside).await?;
    tracing::info!(centres, transfers, received, returned, "demo archive transfers");
    registry::cohorts::destinations_changing(&mut tx, COHORT).await?;
    let r = &summary.recruitment;
    let after = serde_json::json!({ "seed": opts.seed, "colleges": summary.colleges, "majors": summary.majors, "graduates": summary.graduates, "employers": summary.employers,
        "postings": r.postings, "profiles": r.profiles, "applications": r.applications, "agreements": r.agreements,
        "fairs": summary.fairs.fairs, "fair_registrations": summary.fairs.registrations, "fair_booths": summary.fairs.booths });
    audit::record(&mut tx, &AuditActor::system("demo"), Change::new("generate", "demo", COHORT).after(after)).await?;
    tx.writer_cache(None).await?;
    tx.commit().await?;
    db.analyze().await?;
    if opts.destinations {
        summary.verification = campaign::generate(db, opts.seed, &opts.home_province).await?;
    }
    progress(total, total);
    summary.elapsed = started.elapsed();
    Ok(summary)
}

/// Which graduates the planted anomalies take (`planted::Plan`).
async fn plan(
    tx: &mut Tx,
    seed: u64,
    institutions: &[Institution],
    t: &verification::signals::Thresholds,
) -> Result<planted::Plan, DemoError> {
    let rows =
        tx.fetch_all("SELECT id, institution_id FROM graduates WHERE cohort_year = $1", &[COHORT.into()]).await?;
    let graduates: Vec<(i64, i64)> =
        rows.iter().map(|r| Ok((r.i64("id")?, r.i64("institution_id")?))).collect::<kernel::DbResult<_>>()?;
    let institutions: Vec<(i64, String)> = institutions.iter().map(|i| (i.id, i.code.clone())).collect();
    Ok(planted::Plan::choose(seed, &institutions, &graduates, t))
}

/// The stand-in documents stored in the file store: enough distinct files
/// that none is behind as many graduates of one institution as the evidence
/// rule counts, and the planted shared one.
async fn documents(
    tx: &mut Tx,
    store: &kernel::files::FileStore,
    t: &verification::signals::Thresholds,
) -> Result<destinations::Documents, DemoError> {
    let largest = tx
        .fetch_one(
            "SELECT COALESCE(MAX(n), 0) AS n FROM (SELECT COUNT(*) AS n FROM graduates WHERE cohort_year = $1 \
             GROUP BY institution_id) x",
            &[COHORT.into()],
        )
        .await?
        .i64("n")?
        .max(1) as usize;
    let per_file = t.evidence_reuse_min.saturating_sub(1).max(1) as usize;
    let limit = outcomes::destinations::evidence::LIMIT;
    let pool = (0..largest.div_ceil(per_file) + 1)
        .map(|n| store.put_document(&sample_evidence_numbered(&format!("No. {n:05}")), limit))
        .collect::<Result<Vec<_>, _>>()?;
    let shared = store.put_document(&sample_evidence_numbered("one contract for many (planted)"), limit)?;
    Ok(destinations::Documents { pool, shared: Some(shared) })
}

/// The recruitment year: postings from today's point of view, the demo accounts' part in it.
async fn job_market(
    tx: &mut Tx,
    rng: &mut ChaCha8Rng,
    opts: &DemoOptions,
    demo_employer: i64,
    progress: Progress<'_>,
    done: u64,
) -> Result<recruitment::Written, DemoError> {
    let graduate =
        tx.fetch_one("SELECT graduate_id FROM accounts WHERE username = 'graduate'", &[]).await?.i64("graduate_id")?;
    let admin = tx.fetch_optional("SELECT id FROM accounts WHERE username = 'admin'", &[]).await?;
    let reviewer = admin.map(|r| r.i64("id")).transpose()?;
    let plan = recruitment::postings::Plan {
        seed: opts.seed,
        count: opts.postings,
        today: time::today_china(),
        open_share: recruitment::OPEN_SHARE,
        featured: Some(demo_employer),
    };
    let accounts = recruitment::Accounts { employer: demo_employer, graduate, reviewer };
    recruitment::generate(tx, rng, plan, &accounts, progress, done, opts.work()).await
}

/// The plan's fairs, with registrations, check-ins and booths.
async fn fair_year(tx: &mut Tx, seed: u64, demo_employer: i64) -> Result<fairs::Written, DemoError> {
    let id = |r: kernel::Row, column: &str| r.i64(column);
    let admin = id(tx.fetch_one("SELECT id FROM accounts WHERE username = 'admin'", &[]).await?, "id")?;
    let graduate =
        id(tx.fetch_one("SELECT graduate_id FROM accounts WHERE username = 'graduate'", &[]).await?, "graduate_id")?;
    fairs::generate(tx, seed, &fairs::Accounts { admin, graduate, employer: demo_employer }).await
}

/// The national demo's other provinces: synthetic institutions beside the home province's real ones.
async fn add_provinces(tx: &mut Tx, opts: &DemoOptions) -> Result<(), DemoError> {
    if opts.provinces > national::most() {
        return Err(DemoError::TooLarge("more provinces than data/provinces.csv holds"));
    }
    let sql = "SELECT level, ownership, COUNT(*) AS n FROM institutions WHERE code < $1 \
               GROUP BY level, ownership ORDER BY level, ownership";
    let first = national::FIRST_CODE.to_string();
    let mix = tx
        .fetch_all(sql, &[first.as_str().into()])
        .await?
        .iter()
        .map(|r| Ok(((r.text("level")?, r.text("ownership")?), r.i64("n")?.max(0) as usize)))
        .collect::<kernel::DbResult<Vec<_>>>()?;
    let shares = national::shares(opts.provinces, opts.graduates);
    let mut rng = ChaCha8Rng::seed_from_u64(opts.seed ^ NATIONAL_STREAM);
    let made = national::synthetic(&mut rng, &shares, &mix)?;
    tracing::info!(provinces = shares.len(), institutions = made.len(), "national demo: synthetic institutions");
    national::insert(tx, &made).await
}

async fn load_institutions(tx: &mut Tx) -> Result<Vec<Institution>, DemoError> {
    let rows = tx
        .fetch_all(
            "SELECT id, code, name, level, ownership, COALESCE(region_code, '') AS region_code FROM institutions ORDER BY code",
            &[],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|r| {
            Ok(Institution {
                id: r.i64("id")?,
                code: r.text("code")?,
                name: r.text("name")?,
                level: r.text("level")?,
                ownership: r.text("ownership")?,
                region: r.text("region_code")?,
            })
        })
        .collect::<kernel::DbResult<_>>()?)
}

async fn load_catalogue(tx: &mut Tx) -> Result<Vec<CatalogueEntry>, DemoError> {
    let rows = tx.fetch_all("SELECT catalogue, code, name, discipline_code, discipline_name, level FROM major_catalogue ORDER BY catalogue, code", &[]).await?;
    Ok(rows
        .iter()
        .map(|r| {
            Ok(CatalogueEntry {
                catalogue: r.text("catalogue")?,
                code: r.text("code")?,
                name: r.text("name")?,
                discipline_code: r.text("discipline_code")?,
                discipline_name: r.text("discipline_name")?,
                level: r.text("level")?,
            })
        })
        .collect::<kernel::DbResult<_>>()?)
}

/// Current county-level codes: Hunan's, and the few others we hold.
async fn load_counties(tx: &mut Tx) -> Result<(Vec<String>, Vec<String>), DemoError> {
    let rows =
        tx.fetch_all("SELECT code FROM regions WHERE level = 'county' AND retired = FALSE ORDER BY code", &[]).await?;
    let codes: Vec<String> = rows.iter().map(|r| r.text("code")).collect::<kernel::DbResult<_>>()?;
    let (hunan, other) = codes
        .into_iter()
        .filter(|c| {
            !c.ends_with("01")
                || c.starts_with("11")
                || c.starts_with("12")
                || c.starts_with("31")
                || c.starts_with("50")
        })
        .partition(|c| c.starts_with("43"));
    Ok((hunan, other))
}

/// Colleges and majors by the institution's kind: each college by the weight
/// of what it teaches there, its majors by how many graduates such a major has.
async fn colleges_and_majors(
    tx: &mut Tx,
    rng: &mut ChaCha8Rng,
    institutions: &[Institution],
    catalogue: &[CatalogueEntry],
    summary: &mut DemoSummary,
) -> Result<Vec<Vec<Offered>>, DemoError> {
    let mut next_college = tx.fetch_one("SELECT COALESCE(MAX(id), 0) + 1 AS n FROM colleges", &[]).await?.i64("n")?;
    let mut next_major = tx.fetch_one("SELECT COALESCE(MAX(id), 0) + 1 AS n FROM majors", &[]).await?.i64("n")?;
    let college_of = |e: &CatalogueEntry| kinds::college_name(&e.code, &e.discipline_code, &e.discipline_name);
    let mut college_rows = Vec::new();
    let mut major_rows = Vec::new();
    let mut offered_all = Vec::with_capacity(institutions.len());
    for inst in institutions {
        let kind = kinds::kind_of(&inst.name);
        let weight = |discipline: &str| kinds::discipline_weight(&inst.code, &inst.name, kind, discipline);
        let undergraduate = inst.level == "本科";
        let level = if undergraduate { "本科" } else { "专科" };
        let mut by_college: BTreeMap<String, Vec<&CatalogueEntry>> = BTreeMap::new();
        for e in catalogue.iter().filter(|e| e.level == level && weight(&e.discipline_code) > 0.0) {
            by_college.entry(college_of(e)).or_default().push(e);
        }
        // A discipline's weight is shared by the colleges that teach it, by how much of it each teaches;
        // a college with less than 2% of the whole is not founded.
        let mut taught: std::collections::HashMap<&str, f64> = std::collections::HashMap::new();
        for e in by_college.values().flatten() {
            *taught.entry(e.discipline_code.as_str()).or_default() += 1.0;
        }
        let mut candidates: Vec<(&String, f64)> = by_college
            .iter()
            .map(|(name, entries)| {
                let share = |e: &&CatalogueEntry| weight(&e.discipline_code) / taught[e.discipline_code.as_str()];
                (name, entries.iter().map(share).sum::<f64>())
            })
            .collect();
        let whole: f64 = candidates.iter().map(|(_, w)| w).sum();
        candidates.retain(|(_, w)| *w >= 0.02 * whole);
        let public = inst.ownership == "公办";
        let n_colleges = match (undergraduate, public) {
            (true, true) => rng.gen_range(8..=14),
            (true, false) => rng.gen_range(5..=8),
            (false, _) => rng.gen_range(5..=9),
        };
        let mut offered = Vec::new();
        for i in 0..n_colleges {
            let Some(name) = take_weighted(rng, &mut candidates) else { break };
            let college_id = next_college;
            next_college += 1;
            let college_code = format!("{:02}", i + 1);
            college_rows.push(vec![
                Value::from(college_id),
                inst.id.into(),
                college_code.as_str().into(),
                name.as_str().into(),
            ]);
            let mut majors: Vec<(&CatalogueEntry, f64)> =
                by_college[name].iter().map(|e| (*e, kinds::popularity(&e.name))).collect();
            let n_majors = rng.gen_range(2..=5);
            let mut chosen: Vec<&CatalogueEntry> =
                (0..n_majors).map_while(|_| take_weighted(rng, &mut majors)).collect();
            // Public universities also graduate master's and doctoral students in their colleges' fields.
            if undergraduate && public {
                let disciplines: HashSet<&str> = chosen.iter().map(|e| e.discipline_code.as_str()).collect();
                let fields = |e: &&CatalogueEntry| e.level == "研究生" && college_of(e) == *name;
                let near =
                    |e: &&CatalogueEntry| e.level == "研究生" && disciplines.contains(e.code.get(..2).unwrap_or(""));
                let mut grads: Vec<&CatalogueEntry> = catalogue.iter().filter(fields).collect();
                if grads.is_empty() {
                    grads = catalogue.iter().filter(near).collect();
                }
                let n = rng.gen_range(1..=2).min(grads.len());
                chosen.extend(grads.choose_multiple(rng, n));
            }
            for e in chosen {
                major_rows.push(vec![
                    Value::from(next_major),
                    inst.id.into(),
                    college_id.into(),
                    e.catalogue.as_str().into(),
                    e.code.as_str().into(),
                    e.name.as_str().into(),
                    e.level.as_str().into(),
                ]);
                let discipline = e.code.get(..2).unwrap_or("");
                let weight = weight(discipline).max(1.0) * kinds::popularity(&e.name) * rng.gen_range(0.6..1.4);
                offered.push(Offered {
                    id: next_major,
                    college_id,
                    college_code: college_code.clone(),
                    level: e.level.clone(),
                    discipline: discipline.to_owned(),
                    weight,
                });
                next_major += 1;
            }
        }
        share_by_discipline(&mut offered);
        offered_all.push(offered);
    }
    summary.colleges = college_rows.len();
    summary.majors = major_rows.len();
    tx.insert_many("colleges", &["id", "institution_id", "code", "name"], college_rows).await?;
    tx.insert_many("majors", &["id", "institution_id", "college_id", "catalogue", "code", "name", "level"], major_rows)
        .await?;
    tx.sync_id_sequence("colleges").await?;
    tx.sync_id_sequence("majors").await?;
    Ok(offered_all)
}

/// Removes and returns one of `items`, chosen by weight; `None` when none is left.
fn take_weighted<T>(rng: &mut ChaCha8Rng, items: &mut Vec<(T, f64)>) -> Option<T> {
    let total: f64 = items.iter().map(|(_, w)| w).sum();
    if items.is_empty() || total <= 0.0 {
        return None;
    }
    let mut pick = rng.gen_range(0.0..total);
    let at = items.iter().position(|(_, w)| {
        pick -= w;
        pick < 0.0
    });
    Some(items.remove(at.unwrap_or(items.len() - 1)).0)
}

/// A discipline's weight is its share of the institution, however many majors
/// teach it: five engineering majors split engineering's share between them.
fn share_by_discipline(offered: &mut [Offered]) {
    let mut counts: std::collections::HashMap<(String, String), f64> = std::collections::HashMap::new();
    for o in offered.iter() {
        *counts.entry((o.level.clone(), o.discipline.clone())).or_default() += 1.0;
    }
    for o in offered.iter_mut() {
        o.weight /= counts.get(&(o.level.clone(), o.discipline.clone())).copied().unwrap_or(1.0);
    }
}

/// How many graduates each institution has at each level, by the Hunan level
/// mix (about 46% 本科, 49% 专科, 5% 研究生) and a size that varies by institution.
fn allocate(
    rng: &mut ChaCha8Rng,
    total: usize,
    institutions: &[Institution],
    offered: &[Vec<Offered>],
) -> Vec<[usize; 3]> {
    const BIG: &[&str] = &["10533", "10532", "10542", "10530", "10536", "10537", "10538", "10534"];
    let weights: Vec<f64> = institutions
        .iter()
        .map(|i| {
            let base = if i.ownership == "公办" { 1.0 } else { 0.6 };
            let big = if BIG.contains(&i.code.as_str()) { 2.2 } else { 1.0 };
            base * big * rng.gen_range(0.6..1.4)
        })
        .collect();
    let has = |i: usize, level: &str| offered[i].iter().any(|o| o.level == level);
    let share = |level_idx: usize, fraction: f64, eligible: &dyn Fn(usize) -> bool| -> Vec<usize> {
        let sum: f64 = (0..institutions.len()).filter(|i| eligible(*i)).map(|i| weights[i]).sum();
        let _ = level_idx;
        (0..institutions.len())
            .map(|i| {
                if eligible(i) && sum > 0.0 {
                    (total as f64 * fraction * weights[i] / sum).round() as usize
                } else {
                    0
                }
            })
            .collect()
    };
    let specialist = share(0, 0.49, &|i| institutions[i].level == "专科" && has(i, "专科"));
    let bachelor = share(1, 0.46, &|i| institutions[i].level == "本科" && has(i, "本科"));
    let postgraduate = share(2, 0.05, &|i| has(i, "研究生"));
    let mut out: Vec<[usize; 3]> =
        (0..institutions.len()).map(|i| [specialist[i], bachelor[i], postgraduate[i]]).collect();
    // Rounding drift goes to the largest institution so the total is exact.
    let assigned: usize = out.iter().map(|a| a.iter().sum::<usize>()).sum();
    if let Some(largest) = (0..out.len()).max_by(|a, b| weights[*a].total_cmp(&weights[*b])) {
        let slot = if institutions[largest].level == "本科" { 1 } else { 0 };
        out[largest][slot] = (out[largest][slot] + total).saturating_sub(assigned);
    }
    out
}

/// `allocate` within each province of the national demo, so that each gets its share of the graduates.
fn allocate_by_province(
    rng: &mut ChaCha8Rng,
    opts: &DemoOptions,
    institutions: &[Institution],
    offered: &[Vec<Offered>],
) -> Vec<[usize; 3]> {
    let mut out = vec![[0usize; 3]; institutions.len()];
    for share in national::shares(opts.provinces, opts.graduates) {
        let at: Vec<usize> = (0..institutions.len())
            .filter(|i| institutions[*i].region.get(..2) == Some(share.province.code.as_str()))
            .collect();
        let own: Vec<Institution> = at.iter().map(|i| institutions[*i].clone()).collect();
        let theirs: Vec<Vec<Offered>> = at.iter().map(|i| offered[*i].clone()).collect();
        for (k, counts) in allocate(rng, share.graduates, &own, &theirs).into_iter().enumerate() {
            out[at[k]] = counts;
        }
    }
    out
}

/// When the demo's universities imported the 2022届 roster: the autumn before graduation.
const ROSTER_IMPORTED: &str = "2021-10-15T02:00:00.000Z";

const LEVELS: [(&str, &str, i32); 3] =
    [("专科", "专科生毕业", 2001), ("本科", "本科生毕业", 2000), ("研究生", "硕士生毕业", 1997)];

const ETHNICITIES: &[(&str, u32)] = &[
    ("01", 880),
    ("15", 45),
    ("06", 30),
    ("12", 15),
    ("13", 12),
    ("14", 3),
    ("03", 3),
    ("08", 2),
    ("10", 2),
    ("04", 2),
    ("05", 2),
    ("02", 2),
    ("11", 2),
];
const POLITICAL: &[(&str, u32)] = &[("03", 700), ("13", 200), ("01", 60), ("02", 40)];
const KEY_GROUPS: &[(&str, f64)] =
    &[("01", 0.05), ("02", 0.015), ("03", 0.01), ("04", 0.002), ("05", 0.003), ("06", 0.004), ("07", 0.001)];

#[allow(clippy::too_many_arguments)]
async fn graduates(
    tx: &mut Tx,
    rng: &mut ChaCha8Rng,
    opts: &DemoOptions,
    institutions: &[Institution],
    offered: &[Vec<Offered>],
    (hunan, other): (&[String], &[String]),
    revision: i64,
    progress: Progress<'_>,
) -> Result<usize, DemoError> {
    let columns: Vec<&str> = std::iter::once("id")
        .chain(registry::GRADUATE_COLUMNS)
        .chain(["joined_at", "roster_revision", "name_initials"])
        .collect();
    let plan = match opts.provinces > 1 {
        true => allocate_by_province(rng, opts, institutions, offered),
        false => allocate(rng, opts.graduates, institutions, offered),
    };
    // The counties a graduate of each province comes from at home: Hunan's, or its own province's.
    let mut home_counties: std::collections::HashMap<&str, Vec<String>> = std::collections::HashMap::new();
    for c in other {
        home_counties.entry(c.get(..2).unwrap_or("")).or_default().push(c.clone());
    }
    let mut next_id = tx.fetch_one("SELECT COALESCE(MAX(id), 0) + 1 AS n FROM graduates", &[]).await?.i64("n")?;
    // The first 17 digits as a number: the check digit follows from them, and 12 million fit in little memory.
    let mut seen_ids: HashSet<u64> = HashSet::with_capacity(opts.graduates);
    let mut batch: Vec<Vec<Value>> = Vec::with_capacity(20_000);
    let mut done = 0usize;
    let total = opts.work();
    for (i, inst) in institutions.iter().enumerate() {
        let province = inst.region.get(..2).unwrap_or(national::HOME);
        let home: &[String] = match province == national::HOME {
            true => hunan,
            false => home_counties.get(province).map(Vec::as_slice).filter(|c| !c.is_empty()).unwrap_or(hunan),
        };
        for (slot, (level, level_label, birth_year)) in LEVELS.iter().enumerate() {
            let majors: Vec<&Offered> = offered[i].iter().filter(|o| o.level == *level).collect();
            if majors.is_empty() {
                continue;
            }
            let by_size = WeightedIndex::new(majors.iter().map(|o| o.weight)).ok();
            for seq in 0..plan[i][slot] {
                let at = match &by_size {
                    Some(sizes) => sizes.sample(rng),
                    None => rng.gen_range(0..majors.len()),
                };
                let major = majors[at];
                let male = rng.gen_bool(if *level == "专科" { 0.54 } else { 0.48 });
                let in_province = rng.gen_bool(0.86);
                let region = if in_province || other.is_empty() {
                    &home[rng.gen_range(0..home.len())]
                } else {
                    &other[rng.gen_range(0..other.len())]
                };
                let id_number = loop {
                    let birth = NaiveDate::from_ymd_opt(
                        *birth_year + rng.gen_range(-1..=1),
                        rng.gen_range(1..=12),
                        rng.gen_range(1..=28),
                    )
                    .unwrap_or_default();
                    let candidate = people::id_number(rng, region, birth, male);
                    let key = candidate.get(..17).and_then(|d| d.parse::<u64>().ok()).unwrap_or_default();
                    if seen_ids.insert(key) {
                        break (candidate, birth);
                    }
                };
                let (id_number, birth) = id_number;
                let ethnicity = if region.starts_with("4331") && rng.gen_bool(0.6) {
                    if rng.gen_bool(0.6) {
                        "15"
                    } else {
                        "06"
                    }
                } else {
                    weighted(rng, ETHNICITIES)
                };
                let groups: Vec<&str> = KEY_GROUPS.iter().filter(|(_, p)| rng.gen_bool(*p)).map(|(c, _)| *c).collect();
                let entry_year = COHORT
                    - if *level == "专科" {
                        3
                    } else if *level == "本科" {
                        4
                    } else {
                        3
                    };
                let student_no = format!("{entry_year}{}{}{:05}", slot, major.college_code, seq);
                let name = people::person_name(rng, male);
                let initials = registry::graduates::name_initials(&name);
                batch.push(vec![
                    next_id.into(),
                    COHORT.into(),
                    inst.id.into(),
                    major.college_id.into(),
                    major.id.into(),
                    student_no.into(),
                    id_number.into(),
                    name.into(),
                    (if male { "男" } else { "女" }).into(),
                    birth.format("%Y-%m-%d").to_string().into(),
                    ethnicity.into(),
                    weighted(rng, POLITICAL).to_string().into(),
                    region.as_str().into(),
                    (if rng.gen_bool(0.55) { "2" } else { "1" }).into(),
                    level_label.to_string().into(),
                    groups.join(",").into(),
                    people::mobile(rng).into(),
                    ROSTER_IMPORTED.into(),
                    revision.into(),
                    initials.into(),
                ]);
                next_id += 1;
                done += 1;
                if batch.len() >= 20_000 {
                    tx.insert_many("graduates", &columns, std::mem::take(&mut batch)).await?;
                    progress(done as u64, total);
                }
            }
        }
    }
    tx.insert_many("graduates", &columns, batch).await?;
    tx.sync_id_sequence("graduates").await?;
    progress(done as u64, total);
    Ok(done)
}

const NATURES: &[(&str, u32)] = &[
    ("39", 700),
    ("31", 90),
    ("32", 40),
    ("22", 40),
    ("23", 40),
    ("29", 30),
    ("21", 10),
    ("20", 10),
    ("10", 20),
    ("56", 10),
    ("55", 10),
];

/// Where recruiting employers are: Hunan's by prefecture, 长沙 far ahead.
const HUNAN_PREFECTURES: &[(&str, u32)] = &[
    ("4301", 40),
    ("4302", 8),
    ("4303", 7),
    ("4304", 7),
    ("4306", 6),
    ("4307", 5),
    ("4310", 5),
    ("4305", 4),
    ("4309", 3),
    ("4313", 3),
    ("4311", 3),
    ("4312", 3),
    ("4308", 1),
    ("4331", 1),
];
/// And outside Hunan by province, 广东 first.
const PROVINCES: &[(&str, u32)] = &[
    ("44", 38),
    ("33", 10),
    ("31", 9),
    ("32", 8),
    ("11", 7),
    ("42", 7),
    ("35", 4),
    ("50", 3),
    ("51", 3),
    ("36", 3),
    ("45", 3),
    ("37", 2),
    ("41", 2),
    ("61", 1),
];

/// A county of the area `weights` picks, or of any area when none of the picked one is held.
fn county<'a>(rng: &mut ChaCha8Rng, weights: &[(&str, u32)], counties: &'a [String]) -> &'a String {
    let prefix = *weighted(rng, weights);
    let within: Vec<&String> = counties.iter().filter(|c| c.starts_with(prefix)).collect();
    match within.is_empty() {
        true => &counties[rng.gen_range(0..counties.len())],
        false => within[rng.gen_range(0..within.len())],
    }
}

async fn employers(
    tx: &mut Tx,
    rng: &mut ChaCha8Rng,
    opts: &DemoOptions,
    hunan: &[String],
    other: &[String],
    progress: Progress<'_>,
) -> Result<usize, DemoError> {
    const COLUMNS: &[&str] = &[
        "credit_code",
        "name",
        "region_code",
        "nature_code",
        "industry_code",
        "contact_name",
        "contact_phone",
        "status",
        "created_at",
    ];
    let cities =
        tx.fetch_all("SELECT code, name FROM regions WHERE level = 'prefecture' AND code LIKE '43%'", &[]).await?;
    let city_name = |code: &str| -> String {
        let prefix = format!("{}00", code.get(..4).unwrap_or(""));
        cities
            .iter()
            .find(|r| r.text("code").ok().as_deref() == Some(prefix.as_str()))
            .and_then(|r| r.text("name").ok())
            .unwrap_or_else(|| "湖南".into())
    };
    let mut codes = HashSet::new();
    let mut names = HashSet::new();
    let mut batch = Vec::with_capacity(opts.employers);
    let base = (opts.graduates) as u64;
    let created = time::format_utc(
        chrono::DateTime::parse_from_rfc3339("2021-09-01T01:00:00Z").map(|t| t.to_utc()).unwrap_or_default(),
    );
    while batch.len() < opts.employers {
        let region = if rng.gen_bool(0.6) || other.is_empty() {
            county(rng, HUNAN_PREFECTURES, hunan).clone()
        } else {
            county(rng, PROVINCES, other).clone()
        };
        let code = people::credit_code(rng, &region);
        let (name, industry) =
            people::firm(rng, &if region.starts_with("43") { city_name(&region) } else { String::new() });
        if !codes.insert(code.clone()) || !names.insert(name.clone()) {
            continue;
        }
        let male = rng.gen_bool(0.5);
        let status = if rng.gen_bool(0.01) { "pending" } else { "approved" };
        batch.push(vec![
            Value::from(code),
            name.into(),
            region.into(),
            weighted(rng, NATURES).to_string().into(),
            industry.into(),
            people::person_name(rng, male).into(),
            people::mobile(rng).into(),
            status.into(),
            created.as_str().into(),
        ]);
        if batch.len() % 5000 == 0 {
            progress(base + batch.len() as u64, opts.work());
        }
    }
    let written = batch.len();
    tx.insert_many("employers", COLUMNS, batch).await?;
    Ok(written)
}

/// One account per role to try the platform with, and a staff account for every institution.
/// The employer the demo employer account belongs to: the first approved one in 长沙.
async fn demo_employer(tx: &mut Tx) -> Result<i64, DemoError> {
    let sql = "SELECT id FROM employers WHERE status = 'approved' ORDER BY CASE WHEN region_code LIKE '4301%' THEN 0 ELSE 1 END, id";
    Ok(tx.fetch_optional(sql, &[]).await?.ok_or(DemoError::Missing("employers"))?.i64("id")?)
}

async fn accounts(
    tx: &mut Tx,
    institutions: &[Institution],
    employer: i64,
    summary: &mut DemoSummary,
) -> Result<(), DemoError> {
    // One hash for all demo accounts: they share the printed demo password.
    let hash = password::hash(DEMO_PASSWORD);
    let now = time::now_utc();
    let xtu = institutions
        .iter()
        .find(|i| i.code == "10530")
        .or(institutions.first())
        .ok_or(DemoError::Missing("institutions"))?;
    let college = tx
        .fetch_one("SELECT id FROM colleges WHERE institution_id = $1 ORDER BY code", &[xtu.id.into()])
        .await?
        .i64("id")?;
    let graduate = tx
        .fetch_one("SELECT id FROM graduates WHERE institution_id = $1 ORDER BY id", &[xtu.id.into()])
        .await?
        .i64("id")?;
    let mut rows: Vec<Vec<Value>> = vec![
        account_row("admin", "省教育厅管理员", Role::ProvinceAdmin, None, None, None, None, &hash, &now),
        account_row("staff", "湘潭大学就业办", Role::UniversityStaff, Some(xtu.id), None, None, None, &hash, &now),
        account_row(
            "college",
            "湘潭大学院系就业专干",
            Role::UniversityStaff,
            Some(xtu.id),
            Some(college),
            None,
            None,
            &hash,
            &now,
        ),
        account_row("employer", "用人单位 HR", Role::Employer, None, None, Some(employer), None, &hash, &now),
        account_row("graduate", "毕业生", Role::Graduate, None, None, None, Some(graduate), &hash, &now),
        account_row("expert", "评审专家", Role::Expert, None, None, None, None, &hash, &now),
    ];
    for (username, role) in [
        ("admin", "province_admin"),
        ("staff", "university_staff"),
        ("college", "university_staff"),
        ("employer", "employer"),
        ("graduate", "graduate"),
        ("expert", "expert"),
    ] {
        summary.accounts.push((
            username.to_owned(),
            Role::parse(role).map(|r| r.as_str()).unwrap_or(""),
            DEMO_PASSWORD.to_owned(),
        ));
    }
    for inst in institutions {
        rows.push(account_row(
            &format!("staff{}", inst.code),
            "就业办",
            Role::UniversityStaff,
            Some(inst.id),
            None,
            None,
            None,
            &hash,
            &now,
        ));
    }
    tx.insert_many(
        "accounts",
        &[
            "username",
            "display_name",
            "password_hash",
            "role",
            "institution_id",
            "college_id",
            "employer_id",
            "graduate_id",
            "active",
            "created_at",
        ],
        rows,
    )
    .await?;
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn account_row(
    username: &str,
    display: &str,
    role: Role,
    inst: Option<i64>,
    college: Option<i64>,
    employer: Option<i64>,
    graduate: Option<i64>,
    hash: &str,
    now: &str,
) -> Vec<Value> {
    vec![
        username.into(),
        display.into(),
        hash.into(),
        role.as_str().into(),
        inst.into(),
        college.into(),
        employer.into(),
        graduate.into(),
        true.into(),
        now.into(),
    ]
}
