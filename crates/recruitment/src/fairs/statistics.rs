//! A fair's figures (活动统计), live while it runs and afterwards, and the
//! plan's targets as progress: read straight from the fair's rows, so they
//! move with every check-in.

use std::collections::BTreeMap;

use kernel::audit::{self, AuditActor, Change};
use kernel::codes::{self, BASE_VERSION};
use kernel::{Db, DbResult, Locale, Tx};
use serde_json::json;

use super::rules::{target_label, target_percent};

/// A row of a breakdown: (label, registered, attended).
pub type Split = (String, i64, i64);

#[derive(Debug, Clone, Default)]
pub struct Figures {
    /// Employers with an approved booth, and those checked in at it.
    pub employers: i64,
    pub employers_present: i64,
    /// Distinct postings the approved booths bring, and their headcount.
    pub jobs: i64,
    pub headcount: i64,
    pub registered: i64,
    pub waiting: i64,
    pub attended: i64,
    /// Graduates who came to booths (scanned or online), counted per booth.
    pub booth_visits: i64,
    pub online_visits: i64,
    /// Applications made at the fair, those that reached an interview, an offer.
    pub applications: i64,
    pub interviews: i64,
    pub offers: i64,
    pub by_institution: Vec<Split>,
    pub by_level: Vec<Split>,
    pub by_key_group: Vec<Split>,
}

async fn one(db: &Db, sql: &str, fair_id: i64) -> DbResult<i64> {
    db.fetch_one(sql, &[fair_id.into()]).await?.i64("n")
}

/// Everything the statistics page shows for one fair.
pub async fn figures(db: &Db, fair_id: i64, l: Locale) -> DbResult<Figures> {
    let approved = "FROM fair_booths WHERE fair_id = $1 AND status = 'approved'";
    let booth_jobs = "FROM postings p WHERE p.id IN (SELECT bp.posting_id FROM fair_booth_postings bp \
        JOIN fair_booths b ON b.id = bp.booth_id WHERE b.fair_id = $1 AND b.status = 'approved')";
    let registrations = "FROM fair_registrations WHERE fair_id = $1";
    let visits = "FROM fair_booth_visits v JOIN fair_booths b ON b.id = v.booth_id WHERE b.fair_id = $1";
    let applied = "FROM applications a WHERE a.fair_id = $1";
    let mut f = Figures {
        employers: one(db, &format!("SELECT COUNT(*) AS n {approved}"), fair_id).await?,
        employers_present: one(db, &format!("SELECT COUNT(*) AS n {approved} AND checked_in_at IS NOT NULL"), fair_id)
            .await?,
        jobs: one(db, &format!("SELECT COUNT(*) AS n {booth_jobs}"), fair_id).await?,
        headcount: one(db, &format!("SELECT CAST(COALESCE(SUM(p.headcount), 0) AS BIGINT) AS n {booth_jobs}"), fair_id)
            .await?,
        registered: one(db, &format!("SELECT COUNT(*) AS n {registrations} AND status = 'registered'"), fair_id)
            .await?,
        waiting: one(db, &format!("SELECT COUNT(*) AS n {registrations} AND status = 'waiting'"), fair_id).await?,
        attended: one(db, &format!("SELECT COUNT(*) AS n {registrations} AND checked_in_at IS NOT NULL"), fair_id)
            .await?,
        booth_visits: one(db, &format!("SELECT COUNT(*) AS n {visits}"), fair_id).await?,
        online_visits: one(db, &format!("SELECT COUNT(*) AS n {visits} AND v.source = 'online'"), fair_id).await?,
        applications: one(db, &format!("SELECT COUNT(*) AS n {applied}"), fair_id).await?,
        interviews: one(
            db,
            &format!(
                "SELECT COUNT(*) AS n {applied} AND EXISTS (SELECT 1 FROM interviews i WHERE i.application_id = a.id)"
            ),
            fair_id,
        )
        .await?,
        offers: one(db, &format!("SELECT COUNT(*) AS n {applied} AND a.stage IN ('offer', 'hired')"), fair_id).await?,
        ..Figures::default()
    };
    let people = db
        .fetch_all(
            "SELECT i.name AS institution, g.education_level, g.key_groups, r.status, r.checked_in_at \
             FROM fair_registrations r JOIN graduates g ON g.id = r.graduate_id \
             JOIN institutions i ON i.id = g.institution_id WHERE r.fair_id = $1 AND r.status <> 'cancelled'",
            &[fair_id.into()],
        )
        .await?;
    let levels = codes::labels(db, "major_level", BASE_VERSION, l).await?;
    let groups = codes::labels(db, "key_group", BASE_VERSION, l).await?;
    let (mut by_institution, mut by_level, mut by_key_group) = (BTreeMap::new(), BTreeMap::new(), BTreeMap::new());
    for r in &people {
        let counted = (r.text("status")? == "registered") as i64;
        let came = r.opt_text("checked_in_at")?.is_some() as i64;
        let add = |map: &mut BTreeMap<String, (i64, i64)>, key: String| {
            let e = map.entry(key).or_insert((0, 0));
            e.0 += counted;
            e.1 += came;
        };
        add(&mut by_institution, r.text("institution")?);
        let level = r.text("education_level")?;
        add(&mut by_level, levels.get(&level).cloned().unwrap_or(level));
        for code in r.text("key_groups")?.split(|c: char| !c.is_ascii_alphanumeric()).filter(|c| !c.is_empty()) {
            add(&mut by_key_group, groups.get(code).cloned().unwrap_or_else(|| code.to_owned()));
        }
    }
    let sorted = |map: BTreeMap<String, (i64, i64)>| {
        let mut rows: Vec<Split> = map.into_iter().map(|(k, (r, a))| (k, r, a)).collect();
        rows.sort_by(|a, b| (b.1 + b.2).cmp(&(a.1 + a.2)).then_with(|| a.0.cmp(&b.0)));
        rows
    };
    f.by_institution = sorted(by_institution);
    f.by_level = sorted(by_level);
    f.by_key_group = sorted(by_key_group);
    Ok(f)
}

impl Figures {
    /// The headline figures as (label, value), for the page, the file and the print.
    pub fn headline(&self, l: Locale) -> Vec<(&'static str, i64)> {
        vec![
            (l.pick("参会单位", "Employers"), self.employers),
            (l.pick("到场单位", "Employers present"), self.employers_present),
            (l.pick("岗位数", "Jobs"), self.jobs),
            (l.pick("招聘人数", "Openings"), self.headcount),
            (l.pick("报名人数", "Registered"), self.registered),
            (l.pick("候补人数", "Waiting list"), self.waiting),
            (l.pick("签到人数", "Attended"), self.attended),
            (l.pick("展位到访", "Booth visits"), self.booth_visits),
            (l.pick("其中线上", "of which online"), self.online_visits),
            (l.pick("现场投递", "Applications at the fair"), self.applications),
            (l.pick("进入面试", "Reached interview"), self.interviews),
            (l.pick("录用意向", "Offers"), self.offers),
        ]
    }

    /// Every table as rows for a spreadsheet: the headline, then each breakdown.
    pub fn rows(&self, title: &str, l: Locale) -> Vec<Vec<String>> {
        let mut rows = vec![vec![title.to_owned()]];
        rows.extend(self.headline(l).into_iter().map(|(k, v)| vec![k.to_owned(), v.to_string()]));
        for (name, split) in self.splits(l) {
            rows.push(Vec::new());
            rows.push(vec![
                name.to_owned(),
                l.pick("报名", "Registered").to_owned(),
                l.pick("签到", "Attended").to_owned(),
            ]);
            rows.extend(split.iter().map(|(k, r, a)| vec![k.clone(), r.to_string(), a.to_string()]));
        }
        rows
    }

    pub fn splits(&self, l: Locale) -> Vec<(&'static str, &Vec<Split>)> {
        vec![
            (l.pick("按高校", "By university"), &self.by_institution),
            (l.pick("按学历层次", "By education level"), &self.by_level),
            (l.pick("按重点群体", "By key group"), &self.by_key_group),
        ]
    }
}

/// A plan's target for one kind of fair, with where it stands.
#[derive(Debug, Clone)]
pub struct Target {
    pub kind_code: String,
    pub kind: String,
    /// Held: finished fairs of the kind in the cohort.
    pub held: i64,
    /// Scheduled and not cancelled, finished ones included.
    pub scheduled: i64,
    pub planned_min: i64,
    pub planned_max: i64,
}

impl Target {
    pub fn label(&self) -> String {
        target_label(self.held, self.planned_min, self.planned_max)
    }
    pub fn percent(&self) -> i64 {
        target_percent(self.held, self.planned_min)
    }
}

/// The cohort's targets, by kind; kinds without a target are left out.
pub async fn targets(db: &Db, cohort: i64, l: Locale) -> DbResult<Vec<Target>> {
    let kinds = codes::labels(db, "fair_kind", BASE_VERSION, l).await?;
    let rows = db
        .fetch_all(
            "SELECT t.kind_code, t.planned_min, t.planned_max, \
             (SELECT COUNT(*) FROM fairs f WHERE f.cohort = t.cohort AND f.kind_code = t.kind_code \
              AND f.status = 'finished') AS held, \
             (SELECT COUNT(*) FROM fairs f WHERE f.cohort = t.cohort AND f.kind_code = t.kind_code \
              AND f.status <> 'cancelled') AS scheduled \
             FROM fair_targets t WHERE t.cohort = $1 ORDER BY t.kind_code",
            &[cohort.into()],
        )
        .await?;
    rows.iter()
        .map(|r| {
            let kind_code = r.text("kind_code")?;
            Ok(Target {
                kind: kinds.get(&kind_code).cloned().unwrap_or_else(|| kind_code.clone()),
                kind_code,
                held: r.i64("held")?,
                scheduled: r.i64("scheduled")?,
                planned_min: r.i64("planned_min")?,
                planned_max: r.i64("planned_max")?,
            })
        })
        .collect()
}

/// Sets (or, with both bounds 0, removes) the cohort's target for a kind.
pub async fn set_target(
    tx: &mut Tx,
    who: &AuditActor,
    cohort: i64,
    kind_code: &str,
    planned: (i64, i64),
) -> DbResult<()> {
    tx.execute("DELETE FROM fair_targets WHERE cohort = $1 AND kind_code = $2", &[cohort.into(), kind_code.into()])
        .await?;
    if planned.1 > 0 {
        tx.execute(
            "INSERT INTO fair_targets (cohort, kind_code, planned_min, planned_max) VALUES ($1, $2, $3, $4)",
            &[cohort.into(), kind_code.into(), planned.0.into(), planned.1.into()],
        )
        .await?;
    }
    let change = Change::new("target", "fair_target", cohort)
        .after(json!({ "kind_code": kind_code, "planned_min": planned.0, "planned_max": planned.1 }));
    audit::record(tx, who, change).await
}

/// A touring series (巡回) of the cohort: its stops and how many were held.
#[derive(Debug, Clone)]
pub struct Series {
    pub name: String,
    pub stops: i64,
    pub held: i64,
}

pub async fn series(db: &Db, cohort: i64) -> DbResult<Vec<Series>> {
    db.fetch_all(
        "SELECT s.name, COUNT(f.id) AS stops, \
         CAST(COALESCE(SUM(CASE WHEN f.status = 'finished' THEN 1 ELSE 0 END), 0) AS BIGINT) AS held \
         FROM fair_series s JOIN fairs f ON f.series_id = s.id AND f.status <> 'cancelled' \
         WHERE s.cohort = $1 GROUP BY s.id, s.name ORDER BY s.name",
        &[cohort.into()],
    )
    .await?
    .iter()
    .map(|r| Ok(Series { name: r.text("name")?, stops: r.i64("stops")?, held: r.i64("held")? }))
    .collect()
}

/// Fairs of these kinds held (finished) for the cohort; for one institution,
/// those it hosted. The plan board's figures, the same count as the `held` of
/// `targets` for a kind.
pub async fn held(db: &Db, cohort: i64, kinds: &[&str], institution: Option<i64>) -> DbResult<i64> {
    let mut sql =
        kernel::db::SqlBuilder::new("SELECT COUNT(*) AS n FROM fairs f WHERE f.status = 'finished' AND f.cohort = ");
    sql.bind(cohort).push(" AND f.kind_code IN (");
    for (i, k) in kinds.iter().enumerate() {
        if i > 0 {
            sql.push(", ");
        }
        sql.bind(*k);
    }
    sql.push(")");
    if let Some(i) = institution {
        sql.push(" AND f.id IN (SELECT fair_id FROM fair_hosts WHERE institution_id = ").bind(i).push(")");
    }
    db.fetch_one(&sql.sql, &sql.params).await?.i64("n")
}
