//! The demo's fairs (招聘会) after the 2022 plan (`plan`), with the plan's
//! targets. Registrations come from each fair's audience (half of them from
//! the host universities' own graduates); about two thirds of those registered
//! for a finished on-site fair came through the door, and a few walked in.
//! Booths bring approved postings of their employers open on the fair's day,
//! so with no postings (`--postings 0`, the tests' plain demo) there are no
//! booths, booth visits or fair applications. An application made on a
//! fair's days to a posting one of its booths brought names the fair, and its
//! graduate came and visited that booth. The demo graduate is registered for
//! the next fair open for registration, the demo employer has a booth at every
//! fair ahead where its open postings qualify. Written in bulk inside the
//! demo's one transaction; the demo's own audit record counts them.

pub mod plan;

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use chrono::{DateTime, Duration, NaiveDate, Utc};
use rand::seq::index;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use kernel::db::Record;
use kernel::{time, Tx, Value};
use recruitment::fairs::rules::{Mode, Status};

use super::{DemoError, COHORT};
use plan::Event;

/// What the fairs part wrote.
#[derive(Debug, Default)]
pub struct Written {
    pub fairs: usize,
    pub registrations: usize,
    pub checked_in: usize,
    pub booths: usize,
    pub visits: usize,
    pub applications: usize,
}

/// Who the demo's own accounts are.
pub struct Accounts {
    /// The province admin: creator of the fairs, reviewer of booths, at the door.
    pub admin: i64,
    pub graduate: i64,
    pub employer: i64,
}

/// A graduate as a fair's audience needs it.
struct Graduate {
    id: i64,
    institution: i64,
    key_group: bool,
}

/// An approved posting, as a booth needs it.
struct Posting {
    id: i64,
    employer: i64,
    approved_at: String,
    deadline: String,
}

/// An application, as a fair may have been its source.
struct Application {
    id: i64,
    graduate: i64,
    applied_at: String,
}

/// What every fair draws on, read once.
struct Sources {
    graduates: Vec<Graduate>,
    by_institution: HashMap<i64, Vec<usize>>,
    institutions: HashMap<String, i64>,
    postings: Vec<Posting>,
    applications: HashMap<i64, Vec<Application>>,
}

/// The rows written for all fairs, in bulk at the end.
#[derive(Default)]
struct Rows {
    hosts: Vec<Vec<Value>>,
    booths: Vec<Vec<Value>>,
    booth_postings: Vec<Vec<Value>>,
    registrations: Vec<Vec<Value>>,
    visits: Vec<Vec<Value>>,
    /// (application, fair): each application names one fair at most.
    applied: Vec<(i64, i64)>,
    claimed: HashSet<i64>,
}

/// One fair being written: its id, times and what it has so far.
struct Fair<'a> {
    id: i64,
    event: &'a Event,
    starts: DateTime<Utc>,
    ends: DateTime<Utc>,
    /// Approved booths: (booth id, its postings).
    booths: Vec<(i64, Vec<i64>)>,
    /// Graduates who registered, and whether each must come (an application made there).
    registrants: BTreeMap<i64, bool>,
}

pub async fn generate(tx: &mut Tx, seed: u64, accounts: &Accounts) -> Result<Written, DemoError> {
    let started = std::time::Instant::now();
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x0fa1);
    let sources = load_sources(tx).await?;
    let events = plan::events(time::today_china());
    let mut rows = Rows::default();
    let mut written = Written { fairs: events.len(), ..Written::default() };
    let mut next_booth = tx.fetch_one("SELECT COALESCE(MAX(id), 0) + 1 AS n FROM fair_booths", &[]).await?.i64("n")?;
    let mut series = HashMap::new();
    let mut graduate_registered = false;
    for event in &events {
        let id = insert_fair(tx, event, &sources, accounts.admin, &mut series, &mut rows).await?;
        let (starts, ends) = hours(event);
        let mut fair = Fair { id, event, starts, ends, booths: Vec::new(), registrants: BTreeMap::new() };
        if event.status != Status::Planned {
            booths(&mut rng, &mut fair, &sources, accounts, &mut next_booth, &mut rows);
        }
        if takes_people(event.status) {
            applications_at(&mut fair, &sources, &mut rows);
            registrants(&mut rng, &mut fair, &sources);
            if !graduate_registered && event.status == Status::Registration && event.mode.has_venue() {
                fair.registrants.insert(accounts.graduate, false);
                graduate_registered = true;
            }
            people(&mut rng, &fair, &sources, accounts.admin, &mut rows, &mut written);
        }
    }
    write(tx, &mut rows, &mut written).await?;
    tracing::info!(?written, seconds = started.elapsed().as_secs_f64(), "demo fairs written");
    Ok(written)
}

/// Registrations are kept for every fair past booking but the cancelled.
fn takes_people(status: Status) -> bool {
    status.takes_registrations() || matches!(status, Status::Finished | Status::Postponed)
}

async fn load_sources(tx: &mut Tx) -> Result<Sources, DemoError> {
    let sql = "SELECT id, institution_id, CASE WHEN key_groups = '' THEN 0 ELSE 1 END AS kg FROM graduates \
               WHERE cohort_year = $1 ORDER BY id";
    let mut sources = Sources {
        graduates: Vec::new(),
        by_institution: HashMap::new(),
        institutions: HashMap::new(),
        postings: Vec::new(),
        applications: HashMap::new(),
    };
    for r in tx.fetch_all(sql, &[COHORT.into()]).await? {
        let g = Graduate { id: r.i64("id")?, institution: r.i64("institution_id")?, key_group: r.i64("kg")? == 1 };
        sources.by_institution.entry(g.institution).or_default().push(sources.graduates.len());
        sources.graduates.push(g);
    }
    for r in tx.fetch_all("SELECT id, code FROM institutions", &[]).await? {
        sources.institutions.insert(r.text("code")?, r.i64("id")?);
    }
    let sql = "SELECT id, employer_id, approved_at, deadline FROM postings \
               WHERE status = 'approved' AND approved_at IS NOT NULL ORDER BY id";
    for r in tx.fetch_all(sql, &[]).await? {
        sources.postings.push(Posting {
            id: r.i64("id")?,
            employer: r.i64("employer_id")?,
            approved_at: r.text("approved_at")?,
            deadline: r.text("deadline")?,
        });
    }
    for r in tx.fetch_all("SELECT id, posting_id, graduate_id, applied_at FROM applications ORDER BY id", &[]).await? {
        let a = Application { id: r.i64("id")?, graduate: r.i64("graduate_id")?, applied_at: r.text("applied_at")? };
        sources.applications.entry(r.i64("posting_id")?).or_default().push(a);
    }
    Ok(sources)
}

/// An on-site fair runs 09:00–16:00 China time; an online one from 09:00 of
/// its first day to 17:00 of its last.
fn hours(event: &Event) -> (DateTime<Utc>, DateTime<Utc>) {
    let at = |d: NaiveDate, h: u32| d.and_hms_opt(h, 0, 0).unwrap_or_default().and_utc() - Duration::hours(8);
    match event.mode {
        Mode::Online => (at(event.day, 9), at(event.last_day(), 17)),
        _ => (at(event.day, 9), at(event.last_day(), 16)),
    }
}

async fn insert_fair(
    tx: &mut Tx,
    event: &Event,
    sources: &Sources,
    admin: i64,
    series: &mut HashMap<&'static str, i64>,
    rows: &mut Rows,
) -> Result<i64, DemoError> {
    let (starts, ends) = hours(event);
    let created = time::format_utc(starts - Duration::days(45));
    let series_id = match event.series {
        Some(name) if !series.contains_key(name) => {
            let row = Record::new().set("cohort", COHORT).set("name", name).set("created_at", created.as_str());
            let id = tx.insert_id("fair_series", row).await?;
            series.insert(name, id);
            Some(id)
        }
        Some(name) => series.get(name).copied(),
        None => None,
    };
    let online_url = (event.mode != Mode::Offline).then_some("https://job.hnedu.cn/cloud");
    let row = Record::new()
        .set("cohort", COHORT)
        .set("series_id", series_id)
        .set("kind_code", event.kind)
        .set("title", event.title.as_str())
        .set("description", description(event))
        .set("mode", event.mode.key())
        .set("starts_at", time::format_utc(starts))
        .set("ends_at", time::format_utc(ends))
        .set("region_code", event.region)
        .set("venue", event.venue)
        .set("online_url", online_url)
        .set("booths", event.booths)
        .set("layout", (event.booths > 0 && event.mode.has_venue()).then(|| format!("A–D 区 1-{} 号", event.booths)))
        .set("capacity", event.capacity)
        .set("audience", if event.key_groups { "key_groups" } else { "all" })
        .set("organisers", event.organisers)
        .set("co_organisers", event.co_organisers)
        .set("status", event.status.key())
        .set("created_by", admin)
        .set("created_at", created.as_str())
        .set("updated_at", created.as_str());
    let id = tx.insert_id("fairs", row).await?;
    for code in &event.hosts {
        let host = sources.institutions.get(*code).ok_or(DemoError::Missing("a fair's host university"))?;
        rows.hosts.push(vec![id.into(), (*host).into()]);
    }
    Ok(id)
}

fn description(event: &Event) -> String {
    let whom = if event.key_groups {
        "面向脱贫家庭、低保家庭、残疾等重点群体毕业生，"
    } else {
        "面向全省2022届高校毕业生，"
    };
    format!("{whom}邀请省内外优质用人单位参会，提供岗位信息、现场面试与就业指导服务。请提前在平台报名，凭入场码签到。")
}

/// The booths: employers with approved postings open on the fair's day, the
/// demo employer's first; approved with a number, or pending while booking.
fn booths(
    rng: &mut ChaCha8Rng,
    fair: &mut Fair,
    sources: &Sources,
    accounts: &Accounts,
    next: &mut i64,
    rows: &mut Rows,
) {
    if fair.event.booths == 0 || sources.postings.is_empty() {
        return;
    }
    let (opened, day) = (time::format_utc(fair.starts), fair.event.day.to_string());
    let mut by_employer: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
    for p in sources.postings.iter().filter(|p| p.approved_at <= opened && p.deadline >= day) {
        by_employer.entry(p.employer).or_default().push(p.id);
    }
    let employers: Vec<i64> = by_employer.keys().copied().filter(|e| *e != accounts.employer).collect();
    let take = (fair.event.booths as usize).min(employers.len());
    let mut chosen: Vec<i64> = index::sample(rng, employers.len(), take).into_iter().map(|i| employers[i]).collect();
    if by_employer.contains_key(&accounts.employer) && fair.event.status != Status::Finished {
        chosen.insert(0, accounts.employer);
        chosen.truncate(fair.event.booths as usize);
    }
    let pending = fair.event.status == Status::Booking;
    for (n, employer) in chosen.into_iter().enumerate() {
        let postings: Vec<i64> = by_employer[&employer].iter().take(3).copied().collect();
        let applied = fair.starts - Duration::days(rng.gen_range(10..40));
        let reviewed = (!pending).then(|| time::format_utc(applied + Duration::days(2)));
        let booth_no = (!pending).then(|| format!("{}-{:02}", (b'A' + (n / 50) as u8) as char, n % 50 + 1));
        let came = fair.event.status == Status::Finished && fair.event.mode.has_venue() && rng.gen_bool(0.95);
        let checked_in = came.then(|| time::format_utc(fair.starts - Duration::minutes(rng.gen_range(20..60))));
        rows.booths.push(vec![
            (*next).into(),
            fair.id.into(),
            employer.into(),
            (if pending { "pending" } else { "approved" }).into(),
            booth_no.into(),
            time::format_utc(applied).into(),
            reviewed.as_ref().map(|_| accounts.admin).into(),
            reviewed.into(),
            checked_in.into(),
        ]);
        rows.booth_postings.extend(postings.iter().map(|p| vec![(*next).into(), (*p).into()]));
        if !pending {
            fair.booths.push((*next, postings));
        }
        *next += 1;
    }
}

/// Applications made during a fair to a posting its booths brought name the
/// fair; their graduates registered and came to that booth.
fn applications_at(fair: &mut Fair, sources: &Sources, rows: &mut Rows) {
    if !matches!(fair.event.status, Status::Finished | Status::Running) {
        return;
    }
    let (from, to) = (time::format_utc(fair.starts), time::format_utc(fair.ends + Duration::days(1)));
    for (booth, postings) in &fair.booths {
        for p in postings {
            let made = sources.applications.get(p).into_iter().flatten();
            for a in made.filter(|a| a.applied_at >= from && a.applied_at < to) {
                if !fair.registrants.contains_key(&a.graduate) && rows.claimed.insert(a.id) {
                    fair.registrants.insert(a.graduate, true);
                    rows.applied.push((a.id, fair.id));
                    rows.visits.push(visit(*booth, a.graduate, fair.event, &a.applied_at));
                }
            }
        }
    }
}

fn visit(booth: i64, graduate: i64, event: &Event, at: &str) -> Vec<Value> {
    let source = if event.mode == Mode::Online { "online" } else { "scan" };
    vec![booth.into(), graduate.into(), source.into(), at.into()]
}

/// A share of the fair's audience registers, half of it from the hosts' own graduates.
fn registrants(rng: &mut ChaCha8Rng, fair: &mut Fair, sources: &Sources) {
    let key_groups = fair.event.key_groups;
    let admits = |g: &Graduate| !key_groups || g.key_group;
    let pool: Vec<usize> = (0..sources.graduates.len()).filter(|i| admits(&sources.graduates[*i])).collect();
    let wanted = ((pool.len() as f64 * fair.event.reach).round() as usize).max(pool.len().min(8));
    let wanted = wanted.min(fair.event.capacity as usize);
    let mut home: Vec<usize> = Vec::new();
    for code in &fair.event.hosts {
        let id = sources.institutions.get(*code).copied().unwrap_or_default();
        let theirs = sources.by_institution.get(&id).into_iter().flatten();
        home.extend(theirs.filter(|i| admits(&sources.graduates[**i])));
    }
    for (from, n) in [(&home, wanted / 2), (&pool, wanted)] {
        for i in index::sample(rng, from.len(), n.min(from.len())) {
            if fair.registrants.len() >= wanted {
                return;
            }
            fair.registrants.entry(sources.graduates[from[i]].id).or_insert(false);
        }
    }
}

/// Registrations, check-ins at a finished on-site fair (and walk-ins), booth visits.
fn people(rng: &mut ChaCha8Rng, fair: &Fair, sources: &Sources, admin: i64, rows: &mut Rows, written: &mut Written) {
    let on_site = fair.event.status == Status::Finished && fair.event.mode.has_venue();
    let show = rng.gen_range(0.58..0.76);
    let mut walk_ins = BTreeSet::new();
    if on_site {
        let n = fair.registrants.len() / 20;
        for i in index::sample(rng, sources.graduates.len(), n.min(sources.graduates.len())) {
            let g = &sources.graduates[i];
            if !fair.registrants.contains_key(&g.id) && (!fair.event.key_groups || g.key_group) {
                walk_ins.insert(g.id);
            }
        }
    }
    let everyone = fair.registrants.iter().map(|(g, must)| (*g, *must, false));
    for (graduate, must, walk_in) in everyone.chain(walk_ins.iter().map(|g| (*g, true, true))) {
        let came = on_site && (must || rng.gen_bool(show));
        let at = fair.starts + Duration::minutes(rng.gen_range(0..300));
        let registered = fair.starts - Duration::days(rng.gen_range(1..21)) - Duration::minutes(rng.gen_range(0..600));
        let (status, registered) = match walk_in {
            true => ("walk_in", time::format_utc(at)),
            false => ("registered", time::format_utc(registered)),
        };
        let checked_in = came.then(|| time::format_utc(at));
        rows.registrations.push(vec![
            fair.id.into(),
            graduate.into(),
            status.into(),
            registered.into(),
            checked_in.clone().into(),
            came.then_some(admin).into(),
        ]);
        written.checked_in += usize::from(came);
        let browsed =
            fair.event.mode == Mode::Online && matches!(fair.event.status, Status::Finished | Status::Running);
        if !must && !fair.booths.is_empty() && (came || (browsed && rng.gen_bool(0.6))) {
            let seen = checked_in.unwrap_or_else(|| time::format_utc(at));
            let k = rng.gen_range(1..=3).min(fair.booths.len());
            for i in index::sample(rng, fair.booths.len(), k) {
                rows.visits.push(visit(fair.booths[i].0, graduate, fair.event, &seen));
            }
        }
    }
}

async fn write(tx: &mut Tx, rows: &mut Rows, written: &mut Written) -> Result<(), DemoError> {
    let targets =
        plan::TARGETS.iter().map(|(k, min, max)| vec![COHORT.into(), (*k).into(), (*min).into(), (*max).into()]);
    let targets = targets.collect();
    tx.insert_many("fair_targets", &["cohort", "kind_code", "planned_min", "planned_max"], targets).await?;
    tx.insert_many("fair_hosts", &["fair_id", "institution_id"], std::mem::take(&mut rows.hosts)).await?;
    written.booths = rows.booths.len();
    let booth_columns = [
        "id",
        "fair_id",
        "employer_id",
        "status",
        "booth_no",
        "applied_at",
        "reviewed_by",
        "reviewed_at",
        "checked_in_at",
    ];
    tx.insert_many("fair_booths", &booth_columns, std::mem::take(&mut rows.booths)).await?;
    tx.sync_id_sequence("fair_booths").await?;
    tx.insert_many("fair_booth_postings", &["booth_id", "posting_id"], std::mem::take(&mut rows.booth_postings))
        .await?;
    written.registrations = rows.registrations.len();
    let columns = ["fair_id", "graduate_id", "status", "registered_at", "checked_in_at", "checked_in_by"];
    tx.insert_many("fair_registrations", &columns, std::mem::take(&mut rows.registrations)).await?;
    written.visits = rows.visits.len();
    let columns = ["booth_id", "graduate_id", "source", "visited_at"];
    tx.insert_many("fair_booth_visits", &columns, std::mem::take(&mut rows.visits)).await?;
    written.applications = rows.applied.len();
    for (application, fair) in &rows.applied {
        tx.execute("UPDATE applications SET fair_id = $1 WHERE id = $2", &[(*fair).into(), (*application).into()])
            .await?;
    }
    Ok(())
}
