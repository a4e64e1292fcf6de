//! Demo destinations for the 2022届, written as the platform writes them
//! (`destinations::append_many`): a time course (few before March, most signed
//! from April to August, a tail to the year's end) that runs early or late by
//! institution, a placement share that differs by institution and level (a
//! Hunan briefing spreads from about 60% to 98%), regional flows (about half
//! stay in Hunan, 长沙 first; 广东 first outside), some changes of mind, the
//! graduates' confirmations and disputes, and agreements under way at the
//! demo employer.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate, TimeZone, Utc};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use kernel::audit::AuditActor;
use kernel::{time, Tx, Value};
use outcomes::destinations::{Appended, Checked, Codes, Held, Owner};

use super::people::weighted;
use super::planted::{self, NightCandidate, Plan, Role};
use super::{DemoError, Progress};

/// Months of 2022 in which destinations are recorded, with weights.
const MONTHS: &[(u32, u32)] =
    &[(1, 1), (2, 2), (3, 6), (4, 12), (5, 18), (6, 22), (7, 14), (8, 12), (9, 3), (10, 2), (11, 1), (12, 1)];

/// How placed destinations divide by level (2021 codes).
const SPECIALIST: &[(&str, u32)] =
    &[("10", 260), ("11", 250), ("12", 120), ("76", 40), ("75", 20), ("46", 20), ("803", 130)];
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
];
const POSTGRADUATE: &[(&str, u32)] =
    &[("10", 420), ("11", 300), ("12", 40), ("271", 30), ("801", 80), ("85", 20), ("512", 20)];
/// Those not placed: seeking work, signing, sitting exams, preparing to study on; "" = nothing recorded.
const NOT_PLACED: &[(&str, u32)] = &[("701", 35), ("702", 10), ("703", 15), ("711", 20), ("721", 5), ("", 15)];

const EMPLOYED: &[&str] = &["10", "11", "12", "271", "46", "502", "503", "512"];

/// Share of destinations whose school has uploaded every document the category needs.
const EVIDENCE_COMPLETE: f64 = 0.8;

/// Events are appended every this many, so the cohort is never held whole.
const FLUSH_EVENTS: usize = 20_000;

/// 中南大学, 湖南大学, 湖南师范大学: the national universities place nearly everyone.
const NATIONAL: &[&str] = &["10533", "10532", "10542"];

#[derive(Clone)]
struct Employer {
    id: i64,
    name: String,
    credit_code: String,
    region: String,
    industry: String,
    nature: String,
}

/// How an institution's year goes: the share of its graduates placed by the
/// year's end, and how many months early (−) or late (+) its records come in.
struct Course {
    placed: f64,
    lag: i32,
}

fn course(rng: &mut ChaCha8Rng, code: &str, name: &str, level: &str, ownership: &str) -> Course {
    let (low, high): (f64, f64) = match (level, ownership == "公办") {
        _ if NATIONAL.contains(&code) => (0.97, 0.995),
        ("本科", true) => (0.86, 0.97),
        ("本科", false) => (0.72, 0.92),
        (_, true) => (0.86, 0.995),
        (_, false) => (0.70, 0.95),
    };
    let kind = super::kinds::kind_of(name);
    let tilt = match kind {
        super::kinds::Kind::Arts => -0.06,
        super::kinds::Kind::Law | super::kinds::Kind::Medical => 0.02,
        _ => 0.0,
    };
    let placed = (rng.gen_range(low..high) + tilt).clamp(0.5, 0.995);
    let lag = *weighted(rng, &[(-1, 35), (0, 50), (1, 13), (2, 2)]);
    Course { placed, lag }
}

fn instant(rng: &mut ChaCha8Rng, lag: i32) -> (String, NaiveDate) {
    let month = (*weighted(rng, MONTHS) as i32 + lag).clamp(1, 12) as u32;
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

/// Where the demo's employers are, and the one the demo employer account belongs to.
struct Employers {
    hunan: Vec<Employer>,
    elsewhere: Vec<Employer>,
    demo: Option<Employer>,
}

impl Employers {
    /// Graduates of higher levels leave Hunan more often.
    fn pick(&self, rng: &mut ChaCha8Rng, level: &str) -> Option<&Employer> {
        if let Some(demo) = self.demo.as_ref().filter(|_| rng.gen_bool(0.0015)) {
            return Some(demo);
        }
        let stay = if level.starts_with("专科") {
            0.6
        } else if level.starts_with("本科") {
            0.5
        } else {
            0.42
        };
        let pool = if rng.gen_bool(stay) || self.elsewhere.is_empty() { &self.hunan } else { &self.elsewhere };
        (!pool.is_empty()).then(|| &pool[rng.gen_range(0..pool.len())])
    }
}

async fn load_employers(tx: &mut Tx, demo_employer: Option<i64>) -> Result<Employers, DemoError> {
    let rows = tx
        .fetch_all("SELECT id, name, credit_code, region_code, industry_code, nature_code FROM employers WHERE status = 'approved' ORDER BY id", &[])
        .await?;
    let mut employers = Employers { hunan: Vec::new(), elsewhere: Vec::new(), demo: None };
    for r in &rows {
        let e = Employer {
            id: r.i64("id")?,
            name: r.text("name")?,
            credit_code: r.text("credit_code")?,
            region: r.opt_text("region_code")?.unwrap_or_default(),
            industry: r.opt_text("industry_code")?.unwrap_or_default(),
            nature: r.opt_text("nature_code")?.unwrap_or_default(),
        };
        if Some(e.id) == demo_employer {
            employers.demo = Some(e);
        } else if e.region.starts_with("43") {
            employers.hunan.push(e);
        } else {
            employers.elsewhere.push(e);
        }
    }
    Ok(employers)
}

/// Rows made and not yet written.
#[derive(Default)]
struct Pending {
    events: Vec<Appended>,
    answers: Vec<(i64, Option<String>)>,
    agreements: Vec<Vec<Value>>,
    agreement_events: Vec<Vec<Value>>,
}

impl Pending {
    async fn flush(&mut self, tx: &mut Tx, codes: &Codes) -> Result<usize, DemoError> {
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
                "monthly_salary",
                "work_region_code",
                "probation_months",
                "verify_code",
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
        let events = std::mem::take(&mut self.events);
        let written = events.len();
        outcomes::destinations::append_many(tx, &AuditActor::system("demo"), codes, events).await?;
        outcomes::destinations::answer_many(tx, &std::mem::take(&mut self.answers)).await?;
        Ok(written)
    }
}

/// The agreement an employer and a graduate are making, and how far it has come.
struct Agreement {
    id: i64,
    number: String,
    institution: i64,
    college: i64,
    graduate: i64,
    employer: Employer,
    at: String,
    status: &'static str,
}

impl Pending {
    fn agreement(&mut self, rng: &mut ChaCha8Rng, a: Agreement) {
        let salary = (rng.gen_range(35..=120) * 100).to_string();
        self.agreements.push(vec![
            a.id.into(),
            a.number.into(),
            2022i64.into(),
            a.institution.into(),
            a.college.into(),
            a.graduate.into(),
            a.employer.id.into(),
            a.status.into(),
            "专业技术岗".into(),
            salary.into(),
            a.employer.region.as_str().into(),
            (*weighted(rng, &[(3i64, 5), (6, 4), (1, 1)])).into(),
            outcomes::agreements::flow::verify_code(rng.gen()).into(),
            a.at.as_str().into(),
            a.at.as_str().into(),
        ]);
        let invited = time::format_utc(
            chrono::DateTime::parse_from_rfc3339(&a.at)
                .map(|t| t.to_utc() - chrono::Duration::days(7))
                .unwrap_or_default(),
        );
        let steps: &[(&str, Option<&str>, &str)] = &[
            ("invite", None, "invited"),
            ("accept", Some("invited"), "signed"),
            ("college_approve", Some("signed"), "college_approved"),
            ("seal", Some("college_approved"), "sealed"),
            ("confirm", Some("sealed"), "effective"),
        ];
        let reached = steps.iter().position(|(_, _, to)| *to == a.status).unwrap_or(0);
        for (i, (action, from, to)) in steps.iter().take(reached + 1).enumerate() {
            let when = if i == reached { a.at.as_str() } else { invited.as_str() };
            self.agreement_events.push(vec![
                a.id.into(),
                when.into(),
                "demo".into(),
                (*action).into(),
                (*from).into(),
                (*to).into(),
            ]);
        }
    }
}

/// One graduate of the cohort, as the generator needs it.
struct Graduate {
    id: i64,
    institution: i64,
    college: i64,
    level: String,
    institution_code: String,
}

/// Stand-in documents: a pool of distinct files (each behind a few graduates
/// of an institution at most, so no file looks reused), and the planted
/// shared one. Empty without a data folder: then only online agreements stand.
#[derive(Default)]
pub struct Documents {
    pub pool: Vec<kernel::files::Stored>,
    pub shared: Option<kernel::files::Stored>,
}

/// What was written: events, and the records the planted night edit may rewrite.
pub struct Written {
    pub events: usize,
    pub night: Vec<NightCandidate>,
}

#[allow(clippy::too_many_arguments)]
pub async fn generate(
    tx: &mut Tx,
    rng: &mut ChaCha8Rng,
    progress: Progress<'_>,
    done_before: u64,
    total: u64,
    docs: &Documents,
    demo_employer: Option<i64>,
    plan: &Plan,
) -> Result<Written, DemoError> {
    let codes = Codes::load(tx, "2021").await?;
    let employers = load_employers(tx, demo_employer).await?;
    let mut courses: HashMap<(i64, bool), Course> = HashMap::new();
    for r in tx.fetch_all("SELECT id, code, name, level, ownership FROM institutions ORDER BY code", &[]).await? {
        let (code, name, ownership) = (r.text("code")?, r.text("name")?, r.text("ownership")?);
        let undergraduate = course(rng, &code, &name, &r.text("level")?, &ownership);
        let postgraduate = Course { placed: (undergraduate.placed + 0.03).min(0.995), lag: undergraduate.lag };
        courses.insert((r.i64("id")?, false), undergraduate);
        courses.insert((r.i64("id")?, true), postgraduate);
    }
    let graduates: Vec<Graduate> = tx
        .fetch_all(
            "SELECT g.id, g.institution_id, g.college_id, g.education_level, i.code AS institution_code \
             FROM graduates g JOIN institutions i ON i.id = g.institution_id WHERE g.cohort_year = 2022 ORDER BY g.id",
            &[],
        )
        .await?
        .iter()
        .map(|r| {
            Ok(Graduate {
                id: r.i64("id")?,
                institution: r.i64("institution_id")?,
                college: r.i64("college_id")?,
                level: r.text("education_level")?,
                institution_code: r.text("institution_code")?,
            })
        })
        .collect::<kernel::DbResult<_>>()?;
    // How much each institution signs online: most use the platform for most agreements, a few
    // (about one in thirty) for under half of them, below the scan's signing threshold.
    let mut online_share: HashMap<i64, f64> = HashMap::new();
    let mut serials: HashMap<i64, i64> = HashMap::new();
    let mut agreement_id = tx.fetch_one("SELECT COALESCE(MAX(id), 0) + 1 AS n FROM agreements", &[]).await?.i64("n")?;
    // The next agreement of a graduate's institution, numbered by the platform's scheme.
    let mut agreement = |g: &Graduate, employer: &'_ Employer, at: &str, status: &'static str| {
        let serial = serials.entry(g.institution).or_insert(0);
        *serial += 1;
        let number = super::agreement_number(&g.institution_code, &g.level, *serial);
        agreement_id += 1;
        Agreement {
            id: agreement_id - 1,
            number,
            institution: g.institution,
            college: g.college,
            graduate: g.id,
            employer: employer.clone(),
            at: at.to_owned(),
            status,
        }
    };
    let mut rows = Pending::default();
    let mut written = 0;
    let mut night = Vec::new();
    let mut ordinal: HashMap<i64, usize> = HashMap::new();
    let dubious = Employer {
        id: 0,
        name: planted::DUBIOUS_NAME.to_owned(),
        credit_code: planted::dubious_credit_code(),
        region: "430102".to_owned(),
        industry: String::new(),
        nature: String::new(),
    };
    let night_before = NaiveDate::from_ymd_opt(2022, 8, 30).unwrap_or_default();
    for (i, g) in graduates.iter().enumerate() {
        let role = plan.roles.get(&g.id).copied();
        let nth = {
            let n = ordinal.entry(g.institution).or_insert(0);
            *n += 1;
            *n
        };
        let postgraduate = !g.level.starts_with("专科") && !g.level.starts_with("本科");
        let Some(course) = courses.get(&(g.institution, postgraduate)) else { continue };
        let mix = if g.level.starts_with("专科") {
            SPECIALIST
        } else if g.level.starts_with("本科") {
            BACHELOR
        } else {
            POSTGRADUATE
        };
        let placed = rng.gen_bool(course.placed) || role.is_some();
        let final_code = match role {
            Some(Role::Flexible(code)) => code,
            Some(Role::Agreement) => "10",
            Some(Role::Dubious | Role::SharedEvidence) => "11",
            _ => *weighted(rng, if placed { mix } else { NOT_PLACED }),
        };
        if final_code.is_empty() {
            // Some at the demo employer are still signing: an agreement under way, no destination yet.
            if let Some(e) = employers.demo.as_ref().filter(|_| rng.gen_bool(0.01)) {
                let status = *weighted(rng, &[("invited", 3), ("signed", 2), ("college_approved", 2), ("sealed", 1)]);
                rows.agreement(rng, agreement(g, e, "2022-09-20T02:00:00.000Z", status));
            }
            continue;
        }
        // About one in ten first recorded a different status, changed later.
        let changes = if rng.gen_bool(0.1) && role.is_none() { 2 } else { 1 };
        let mut instants: Vec<(String, NaiveDate)> = (0..changes).map(|_| instant(rng, course.lag)).collect();
        instants.sort();
        if let (Some(Role::Rise(day)), Some(last)) = (role, instants.last_mut()) {
            let at = Utc
                .with_ymd_and_hms(2022, day.month(), day.day(), rng.gen_range(1..9), rng.gen_range(0..60), 0)
                .single()
                .unwrap_or_default();
            *last = (time::format_utc(at), day);
        }
        for (step, (at, date)) in instants.into_iter().enumerate() {
            let last = step + 1 == changes;
            let code = if !last { "701" } else { final_code };
            let employer = match role {
                Some(Role::Dubious) if last => Some(&dubious),
                _ if EMPLOYED.contains(&code) => employers.pick(rng, &g.level),
                _ => None,
            };
            let destination = Checked {
                category: code.to_owned(),
                employer_name: employer.map(|e| e.name.clone()),
                credit_code: employer.map(|e| e.credit_code.clone()),
                position: None,
                nature: employer.map(|e| e.nature.clone()).filter(|n| !n.is_empty()),
                industry: employer.map(|e| e.industry.clone()).filter(|n| !n.is_empty()),
                region: employer.map(|e| e.region.clone()).filter(|n| !n.is_empty()),
                signed_on: employer.map(|_| date.format("%Y-%m-%d").to_string()),
                note: None,
                correction: None,
            };
            let mut documents = Vec::new();
            let share = *online_share.entry(g.institution).or_insert_with(|| {
                if rng.gen_bool(0.03) {
                    rng.gen_range(0.2..0.45)
                } else {
                    rng.gen_range(0.6..0.95)
                }
            });
            let share = plan.online_share.get(&g.institution).copied().unwrap_or(share);
            if let (true, "10", Some(e)) = (last, code, employer) {
                if rng.gen_bool(share) {
                    let a = agreement(g, e, &at, "effective");
                    let id = a.id;
                    rows.agreement(rng, a);
                    documents.push(Held { kind: "agreement".to_owned(), file: None, agreement_id: Some(id) });
                }
            }
            // The graduate's own stand-in file, one of the pool taken in turn; the planted graduates' shared one.
            let file = match (role, &docs.shared) {
                (Some(Role::SharedEvidence), Some(shared)) => Some(shared),
                _ => docs.pool.get(nth % docs.pool.len().max(1)),
            };
            let complete = role == Some(Role::SharedEvidence) || rng.gen_bool(EVIDENCE_COMPLETE);
            if let (true, Some(file), true) = (last, file, complete) {
                for kind in codes.evidence.required(code) {
                    if !documents.iter().any(|d| &d.kind == kind) {
                        let stored = (format!("{kind}.pdf"), file.clone());
                        documents.push(Held { kind: kind.clone(), file: Some(stored), agreement_id: None });
                    }
                }
            }
            let owner = Owner { graduate_id: g.id, cohort: 2022, institution_id: g.institution };
            let employer_id = employer.map(|e| e.id).filter(|id| *id > 0);
            if last && plan.in_night_edit(g.institution) && date < night_before {
                let owner = Owner { graduate_id: g.id, cohort: 2022, institution_id: g.institution };
                night.push(NightCandidate { owner, destination: destination.clone(), employer_id });
            }
            rows.events.push(Appended { owner, destination, at, employer_id, documents });
        }
        match rng.gen_range(0..100) {
            0..=1 => rows.answers.push((g.id, Some("毕业去向与实际不符".to_owned()))),
            2..=71 => rows.answers.push((g.id, None)),
            _ => {}
        }
        if rows.events.len() >= FLUSH_EVENTS {
            written += rows.flush(tx, &codes).await?;
        }
        if i % 50_000 == 0 {
            progress(done_before + i as u64, total);
        }
    }
    written += rows.flush(tx, &codes).await?;
    tx.sync_id_sequence("agreements").await?;
    Ok(Written { events: written, night })
}
