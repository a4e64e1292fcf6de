//! The anomaly scan (异常扫描) over a cohort as of a day: reads the
//! destinations area's events and records, the registry's employers and the
//! agreements, shapes them into the rules' plain figures and runs every rule.
//! It only reads.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, NaiveDate, NaiveDateTime};
use kernel::db::Value;
use kernel::{time, Db, DbResult};
use rustc_hash::FxHashMap;

use crate::signals::{self, Answers, Change, Recorded, Share, Signal, Thresholds};

/// What a scan is over.
#[derive(Debug, Clone)]
pub struct Scope {
    pub cohort: i64,
    /// The destination code table's version and the rate definition's bucket column (`bucket_2021`…).
    pub code_version: String,
    pub bucket_column: &'static str,
    /// The statistic day (China time); today's state when `None`.
    pub as_of: Option<NaiveDate>,
}

impl Scope {
    /// A cohort's scan as of a day, under the cohort's own code table and rate definition.
    pub async fn of_cohort(db: &Db, cohort: i64, as_of: Option<NaiveDate>) -> DbResult<Option<Scope>> {
        let Some(c) = registry::cohorts::get(db, cohort).await? else { return Ok(None) };
        let definition = outcomes::statistics::rates::Definition::parse(&c.rate_definition)
            .unwrap_or(outcomes::statistics::rates::Definition::V2021);
        Ok(Some(Scope {
            cohort,
            code_version: c.destination_version,
            bucket_column: definition.bucket_column(),
            as_of,
        }))
    }
}

/// The categories' buckets under the cohort's definition, and which categories are agreement-type.
struct Categories {
    bucket: HashMap<String, String>,
    agreement_type: HashSet<String>,
}

async fn categories(db: &Db, s: &Scope) -> DbResult<Categories> {
    let rows = db
        .fetch_all(
            &format!(
                "SELECT code, {} AS bucket, evidence FROM code_tables WHERE kind = 'destination' AND version = $1",
                s.bucket_column
            ),
            &[s.code_version.as_str().into()],
        )
        .await?;
    let mut c = Categories { bucket: HashMap::new(), agreement_type: HashSet::new() };
    for r in &rows {
        let code = r.text("code")?;
        if r.opt_text("evidence")?.is_some_and(|e| e.split(';').any(|k| k == "agreement")) {
            c.agreement_type.insert(code.clone());
        }
        c.bucket.insert(code, r.opt_text("bucket")?.unwrap_or_else(|| "not_placed".into()));
    }
    Ok(c)
}

/// An institution as the rules compare it.
struct Institution {
    code: String,
    level: String,
    graduates: u64,
}

async fn institutions(db: &Db, cohort: i64) -> DbResult<HashMap<i64, Institution>> {
    let rows = db
        .fetch_all(
            "SELECT i.id, i.code, i.level, COUNT(g.id) AS graduates FROM institutions i \
             JOIN graduates g ON g.institution_id = i.id AND g.cohort_year = $1 GROUP BY i.id, i.code, i.level",
            &[cohort.into()],
        )
        .await?;
    rows.iter()
        .map(|r| {
            let graduates = r.i64("graduates")?.max(0) as u64;
            Ok((r.i64("id")?, Institution { code: r.text("code")?, level: r.text("level")?, graduates }))
        })
        .collect()
}

/// A graduate's destination as the events stood at the end of the day scanned.
#[derive(Default, Clone)]
struct Latest {
    institution: i64,
    category: String,
    employer: Option<String>,
    credit_code: Option<String>,
}

/// What the events give: each institution's daily placed count, every change, and the latest state.
#[derive(Default)]
struct Replay {
    placed_by_day: BTreeMap<(i64, NaiveDate), i64>,
    changes: Vec<(String, i64, NaiveDateTime, i64)>,
    /// Keyed by graduate: integer keys from our own database need no DoS-proof hash.
    latest: FxHashMap<i64, Latest>,
}

/// One event as the replay needs it.
struct Event {
    at: NaiveDateTime,
    id: i64,
    graduate: i64,
    institution: i64,
    actor: String,
    category: String,
    employer: Option<String>,
    credit_code: Option<String>,
}

async fn replay(db: &Db, s: &Scope, categories: &Categories) -> DbResult<Replay> {
    let until = s.as_of.map(time::end_of_china_day).unwrap_or_else(|| "9999".into());
    let placed: HashSet<String> =
        categories.bucket.iter().filter(|(_, b)| *b != "not_placed").map(|(c, _)| c.clone()).collect();
    // `cohort_year + 0` keeps SQLite off the (cohort_year, at) index: a whole cohort read in
    // time order through it is a random read per event (1.7 s at 450,000 graduates), where
    // reading the table as stored and sorting here takes a fraction of that.
    let sql = "SELECT id, graduate_id, institution_id, at, actor_label, category_code, employer_name, credit_code \
               FROM destination_events WHERE cohort_year + 0 = $1 AND at < $2";
    let params: Vec<Value> = vec![s.cohort.into(), until.into()];
    let mut events = db
        .scan(sql, &params, Vec::new(), |events: &mut Vec<Event>, row| {
            let at = DateTime::parse_from_rfc3339(row.text(3)?)
                .map(|t| t.with_timezone(&time::china()).naive_local())
                .map_err(|_| kernel::DbError::Column("destination_events.at".into()))?;
            events.push(Event {
                at,
                id: row.i64(0)?,
                graduate: row.i64(1)?,
                institution: row.i64(2)?,
                actor: row.text(4)?.to_owned(),
                category: row.text(5)?.to_owned(),
                employer: row.opt_text(6)?.map(str::to_owned),
                credit_code: row.opt_text(7)?.map(str::to_owned),
            });
            Ok(())
        })
        .await?;
    events.sort_unstable_by_key(|e| (e.at, e.id));
    let mut r = Replay::default();
    for e in events {
        let was = r.latest.get(&e.graduate).is_some_and(|l| placed.contains(&l.category));
        let delta = placed.contains(&e.category) as i64 - was as i64;
        if delta != 0 {
            *r.placed_by_day.entry((e.institution, e.at.date())).or_default() += delta;
        }
        r.changes.push((e.actor, e.institution, e.at, e.graduate));
        let latest = Latest {
            institution: e.institution,
            category: e.category,
            employer: e.employer,
            credit_code: e.credit_code,
        };
        r.latest.insert(e.graduate, latest);
    }
    Ok(r)
}

/// Each institution's rate (percent) at the end of each day something changed.
fn series(replay: &Replay, institutions: &HashMap<i64, Institution>) -> HashMap<i64, Vec<(NaiveDate, f64)>> {
    let mut out: HashMap<i64, Vec<(NaiveDate, f64)>> = HashMap::new();
    let mut running: HashMap<i64, i64> = HashMap::new();
    for ((institution, day), delta) in &replay.placed_by_day {
        let placed = running.entry(*institution).or_default();
        *placed += delta;
        let graduates = institutions.get(institution).map(|i| i.graduates).unwrap_or(0).max(1) as f64;
        out.entry(*institution).or_default().push((*day, *placed as f64 * 100.0 / graduates));
    }
    out
}

/// The registry's employers by credit code: (approved, recorded on).
async fn registry(db: &Db) -> DbResult<HashMap<String, (bool, String)>> {
    let rows = db.fetch_all("SELECT credit_code, status, created_at FROM employers", &[]).await?;
    rows.iter()
        .map(|r| Ok((r.text("credit_code")?, (r.text("status")? == "approved", r.text("created_at")?))))
        .collect()
}

/// Why an employer named in a destination is doubtful, if it is.
fn doubts(latest: &Latest, registry: &HashMap<String, (bool, String)>, cohort: i64) -> Vec<&'static str> {
    let Some(code) = latest.credit_code.as_deref().filter(|c| !c.trim().is_empty()) else {
        return match latest.employer.is_some() {
            true => vec!["unregistered"],
            false => Vec::new(),
        };
    };
    let mut doubts = Vec::new();
    if kernel::validate::credit_code(code).is_err() {
        doubts.push("credit_code");
    }
    match registry.get(code) {
        None => doubts.push("unregistered"),
        Some((approved, created_at)) => {
            if !approved {
                doubts.push("unapproved");
            }
            // Recorded in the registry during the cohort's own graduation year.
            if created_at.get(..4).and_then(|y| y.parse::<i64>().ok()).is_some_and(|y| y >= cohort) {
                doubts.push("new");
            }
        }
    }
    doubts
}

async fn evidence(db: &Db, cohort: i64, codes: &HashMap<i64, Institution>) -> DbResult<Vec<(String, String, i64)>> {
    let sql = "SELECT e.graduate_id, g.institution_id, e.file_sha256 FROM destination_evidence e \
               JOIN graduates g ON g.id = e.graduate_id WHERE g.cohort_year = $1 AND e.file_sha256 IS NOT NULL";
    let codes: HashMap<i64, String> = codes.iter().map(|(id, i)| (*id, i.code.clone())).collect();
    let (out, _) = db
        .scan(sql, &[cohort.into()], (Vec::new(), codes), |(out, codes), row| {
            if let (Some(code), Some(sha)) = (codes.get(&row.i64(1)?), row.opt_text(2)?) {
                out.push((code.clone(), sha.to_owned(), row.i64(0)?));
            }
            Ok(())
        })
        .await?;
    Ok(out)
}

async fn answers(db: &Db, cohort: i64) -> DbResult<HashMap<i64, (u64, u64, u64)>> {
    let rows = db
        .fetch_all(
            "SELECT institution_id, COUNT(*) AS recorded, \
             CAST(SUM(CASE WHEN confirmation = 'confirmed' THEN 1 ELSE 0 END) AS BIGINT) AS confirmed, \
             CAST(SUM(CASE WHEN confirmation = 'disputed' THEN 1 ELSE 0 END) AS BIGINT) AS disputed \
             FROM destinations WHERE cohort_year = $1 GROUP BY institution_id",
            &[cohort.into()],
        )
        .await?;
    let n = |r: &kernel::Row, c: &str| r.opt_i64(c).map(|v| v.unwrap_or(0).max(0) as u64);
    rows.iter()
        .map(|r| Ok((r.i64("institution_id")?, (n(r, "recorded")?, n(r, "confirmed")?, n(r, "disputed")?))))
        .collect()
}

/// Graduates with an agreement signed through the platform and in force (a cancellation asked for still is).
async fn signed_here(db: &Db, cohort: i64) -> DbResult<HashMap<i64, u64>> {
    let rows = db
        .fetch_all(
            "SELECT institution_id, COUNT(DISTINCT graduate_id) AS n FROM agreements \
             WHERE cohort_year = $1 AND status IN ('effective', 'cancel_requested', 'cancel_college_approved', \
             'cancel_employer_approved') GROUP BY institution_id",
            &[cohort.into()],
        )
        .await?;
    rows.iter().map(|r| Ok((r.i64("institution_id")?, r.i64("n")?.max(0) as u64))).collect()
}

/// The statistics dates of the cohort's year ("08-31" → 2022-08-31).
fn statistics_dates(cohort: i64, t: &Thresholds) -> Vec<NaiveDate> {
    t.statistics_days
        .iter()
        .filter_map(|d| NaiveDate::parse_from_str(&format!("{cohort}-{d}"), "%Y-%m-%d").ok())
        .collect()
}

/// Every rule over the cohort; the strongest signals first.
pub async fn scan(db: &Db, s: &Scope, t: &Thresholds) -> DbResult<Vec<Signal>> {
    let categories = categories(db, s).await?;
    let institutions = institutions(db, s.cohort).await?;
    let replay = replay(db, s, &categories).await?;
    let code = |id: &i64| institutions.get(id).map(|i| i.code.clone()).unwrap_or_default();
    let mut out = Vec::new();
    // Institutions too small to compare (their rates swing) are left out of the peers' rule.
    let mut compared = Vec::new();
    for (institution, points) in series(&replay, &institutions) {
        out.extend(signals::sudden_rise(&code(&institution), &points, t));
        if institutions.get(&institution).is_some_and(|i| i.graduates >= t.share_min_graduates) {
            compared.push((code(&institution), points));
        }
    }
    compared.sort_by(|a, b| a.0.cmp(&b.0));
    let sudden: Vec<String> = out.iter().map(|s: &Signal| s.institution.clone()).collect();
    out.extend(signals::unusual_rise(&compared, &sudden, t));
    for category in ["flexible", "freelance", "self_employed"] {
        let mut counts: HashMap<i64, u64> = HashMap::new();
        for l in replay.latest.values().filter(|l| categories.bucket.get(&l.category).is_some_and(|b| b == category)) {
            *counts.entry(l.institution).or_default() += 1;
        }
        let shares: Vec<Share> = institutions
            .iter()
            .map(|(id, i)| Share {
                institution: i.code.clone(),
                level: i.level.clone(),
                graduates: i.graduates,
                in_category: counts.get(id).copied().unwrap_or(0),
            })
            .collect();
        out.extend(signals::share_outliers(category, &shares, t));
    }
    let registry = registry(db).await?;
    // A few thousand employers stand behind 450,000 records: each credit code is judged once.
    let mut judged: HashMap<Option<&str>, Vec<&'static str>> = HashMap::new();
    let recorded: Vec<Recorded> = replay
        .latest
        .iter()
        .map(|(graduate, l)| Recorded {
            graduate: *graduate,
            institution: code(&l.institution),
            employer: l.credit_code.clone().filter(|c| !c.is_empty()).or_else(|| l.employer.clone()),
            doubts: match l.credit_code.as_deref().filter(|c| !c.trim().is_empty()) {
                None => doubts(l, &registry, s.cohort),
                key => judged.entry(key).or_insert_with(|| doubts(l, &registry, s.cohort)).clone(),
            },
            contact: String::new(),
        })
        .collect();
    out.extend(signals::clusters(&recorded, t));
    let changes: Vec<Change> = replay
        .changes
        .iter()
        .map(|(account, institution, at, graduate)| Change {
            account: account.clone(),
            institution: code(institution),
            at: *at,
            graduate: *graduate,
        })
        .collect();
    out.extend(signals::bulk_edits(&changes, &statistics_dates(s.cohort, t), t));
    out.extend(signals::evidence_reused(&evidence(db, s.cohort, &institutions).await?, t));
    for (institution, (recorded, confirmed, disputed)) in answers(db, s.cohort).await? {
        out.extend(signals::answers(&Answers { institution: code(&institution), recorded, confirmed, disputed }, t));
    }
    let signed = signed_here(db, s.cohort).await?;
    let mut agreement_type: HashMap<i64, u64> = HashMap::new();
    for l in replay.latest.values().filter(|l| categories.agreement_type.contains(&l.category)) {
        *agreement_type.entry(l.institution).or_default() += 1;
    }
    for (institution, n) in agreement_type {
        out.extend(signals::signing(&code(&institution), signed.get(&institution).copied().unwrap_or(0), n, t));
    }
    out.sort_by(|a, b| b.severity.cmp(&a.severity).then(a.institution.cmp(&b.institution)).then(a.kind.cmp(&b.kind)));
    Ok(out)
}

/// The signals as a table: a header, then one row each (the figures as `name=value`, the graduates counted).
pub fn rows(signals: &[Signal]) -> Vec<Vec<String>> {
    let mut rows = vec![["institution", "kind", "severity", "figures", "graduates"].map(str::to_owned).to_vec()];
    for s in signals {
        let figures =
            s.figures.iter().map(|(k, v)| format!("{k}={}", (v * 10_000.0).round() / 10_000.0)).collect::<Vec<_>>();
        rows.push(vec![
            s.institution.clone(),
            s.kind.key(),
            s.severity.key().to_owned(),
            figures.join("; "),
            s.graduates.len().to_string(),
        ]);
    }
    rows
}
