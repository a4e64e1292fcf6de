//! Fairs and events (招聘会与活动): a host (the province, or one or more
//! universities) creates a fair of a kind from the `fair_kind` code table,
//! possibly one stop of a touring series, and moves it through its statuses;
//! every change of status tells the booked employers and the registered
//! graduates. Booths (`booths`), registrations and the door (`attendance`)
//! and the figures (`statistics`) build on it.

pub mod api;
pub mod attendance;
pub mod booths;
pub mod host_pages;
pub mod online;
pub mod online_pages;
pub mod pages;
pub mod rules;
pub mod statistics;

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use kernel::audit::{self, AuditActor, Change, Subject};
use kernel::auth::{Actor, Role};
use kernel::codes::{self, BASE_VERSION};
use kernel::db::{Record, SqlBuilder};
use kernel::web::table::Paging;
use kernel::{time, Db, DbResult, Locale, Row, Tx};
use serde_json::json;

use rules::{Allowed, Audience, Checked, Mode, Status};

/// A fair as pages show it.
#[derive(Debug, Clone)]
pub struct Fair {
    pub id: i64,
    pub cohort: i64,
    pub series_id: Option<i64>,
    pub series: Option<String>,
    pub kind_code: String,
    pub kind: String,
    pub title: String,
    pub description: String,
    pub mode: Mode,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub region_code: String,
    /// Where, written out ("湖南省长沙市").
    pub region: String,
    pub venue: Option<String>,
    pub online_url: Option<String>,
    pub booths: i64,
    pub layout: Option<String>,
    pub capacity: i64,
    pub audience: Audience,
    pub organisers: String,
    pub co_organisers: Option<String>,
    pub status: Status,
    /// The host universities (id, name); none for the province's own fairs.
    pub hosts: Vec<(i64, String)>,
}

impl Fair {
    /// "2022-03-12 09:00 – 16:00", or with both days when it spans several.
    pub fn when(&self) -> String {
        let (s, e) = (self.starts_at.with_timezone(&time::china()), self.ends_at.with_timezone(&time::china()));
        match s.date_naive() == e.date_naive() {
            true => format!("{} – {}", s.format("%Y-%m-%d %H:%M"), e.format("%H:%M")),
            false => format!("{} – {}", s.format("%Y-%m-%d %H:%M"), e.format("%Y-%m-%d %H:%M")),
        }
    }

    pub fn host_names(&self, l: Locale) -> String {
        match self.hosts.is_empty() {
            true => l.pick("省级", "Province").to_owned(),
            false => self.hosts.iter().map(|(_, n)| n.as_str()).collect::<Vec<_>>().join("、"),
        }
    }

    /// The province admin hosts every fair; a university's employment office
    /// (not a college's) the fairs it co-hosts.
    pub fn hosted_by(&self, actor: &Actor) -> bool {
        match (actor.role, actor.institution_id, actor.college_id) {
            (Role::ProvinceAdmin, _, _) => true,
            (Role::UniversityStaff, Some(i), None) => self.hosts.iter().any(|(h, _)| *h == i),
            _ => false,
        }
    }

    /// The form, filled from the fair, for editing.
    pub fn form(&self) -> rules::FairForm {
        let minute = |t: DateTime<Utc>| t.with_timezone(&time::china()).format("%Y-%m-%d %H:%M").to_string();
        let (audience_level, audience_institutions) = match &self.audience {
            Audience::Level(level) => (level.clone(), Vec::new()),
            Audience::Institutions(ids) => (String::new(), ids.iter().map(i64::to_string).collect()),
            _ => (String::new(), Vec::new()),
        };
        rules::FairForm {
            kind_code: self.kind_code.clone(),
            title: self.title.clone(),
            description: self.description.clone(),
            mode: self.mode.key().to_owned(),
            starts_at: minute(self.starts_at),
            ends_at: minute(self.ends_at),
            region_code: self.region_code.clone(),
            venue: self.venue.clone().unwrap_or_default(),
            online_url: self.online_url.clone().unwrap_or_default(),
            booths: self.booths.to_string(),
            layout: self.layout.clone().unwrap_or_default(),
            capacity: self.capacity.to_string(),
            audience: self.audience.key().to_owned(),
            audience_level,
            audience_institutions,
            hosts: self.hosts.iter().map(|(id, _)| id.to_string()).collect(),
            organisers: self.organisers.clone(),
            co_organisers: self.co_organisers.clone().unwrap_or_default(),
            series: self.series.clone().unwrap_or_default(),
        }
    }
}

const COLUMNS: &str = "f.id, f.cohort, f.series_id, s.name AS series, f.kind_code, f.title, f.description, f.mode, \
    f.starts_at, f.ends_at, f.region_code, f.venue, f.online_url, f.booths, f.layout, f.capacity, f.audience, \
    f.audience_level, f.organisers, f.co_organisers, f.status";
const FROM: &str = " FROM fairs f LEFT JOIN fair_series s ON s.id = f.series_id";

fn instant(r: &Row, column: &str) -> DbResult<DateTime<Utc>> {
    let stored = r.text(column)?;
    DateTime::parse_from_rfc3339(&stored)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| kernel::DbError::Column(format!("fairs.{column}")))
}

fn fair_of(r: &Row, kinds: &HashMap<String, String>) -> DbResult<Fair> {
    let kind_code = r.text("kind_code")?;
    Ok(Fair {
        id: r.i64("id")?,
        cohort: r.i64("cohort")?,
        series_id: r.opt_i64("series_id")?,
        series: r.opt_text("series")?,
        kind: kinds.get(&kind_code).cloned().unwrap_or_else(|| kind_code.clone()),
        kind_code,
        title: r.text("title")?,
        description: r.text("description")?,
        mode: Mode::parse(&r.text("mode")?).unwrap_or(Mode::Offline),
        starts_at: instant(r, "starts_at")?,
        ends_at: instant(r, "ends_at")?,
        region_code: r.text("region_code")?,
        region: String::new(),
        venue: r.opt_text("venue")?,
        online_url: r.opt_text("online_url")?,
        booths: r.i64("booths")?,
        layout: r.opt_text("layout")?,
        capacity: r.i64("capacity")?,
        audience: Audience::from_columns(&r.text("audience")?, r.opt_text("audience_level")?, Vec::new()),
        organisers: r.text("organisers")?,
        co_organisers: r.opt_text("co_organisers")?,
        status: Status::parse(&r.text("status")?).unwrap_or(Status::Planned),
        hosts: Vec::new(),
    })
}

/// Fills the fairs' hosts, audience universities and places written out.
async fn fill(db: &Db, fairs: &mut [Fair]) -> DbResult<()> {
    if fairs.is_empty() {
        return Ok(());
    }
    // Ids we read ourselves: safe to write into the statement.
    let list = fairs.iter().map(|f| f.id.to_string()).collect::<Vec<_>>().join(",");
    let hosts = db
        .fetch_all(
            &format!(
                "SELECT h.fair_id, i.id, i.name FROM fair_hosts h JOIN institutions i ON i.id = h.institution_id \
                 WHERE h.fair_id IN ({list}) ORDER BY i.code"
            ),
            &[],
        )
        .await?;
    let audience = db
        .fetch_all(&format!("SELECT fair_id, institution_id FROM fair_audience WHERE fair_id IN ({list})"), &[])
        .await?;
    let names = registry::reference::full_region_names(db, fairs.iter().map(|f| f.region_code.as_str())).await?;
    let mut by_id: HashMap<i64, &mut Fair> = fairs.iter_mut().map(|f| (f.id, f)).collect();
    for r in &hosts {
        if let Some(f) = by_id.get_mut(&r.i64("fair_id")?) {
            f.hosts.push((r.i64("id")?, r.text("name")?));
        }
    }
    for r in &audience {
        if let Some(f) = by_id.get_mut(&r.i64("fair_id")?) {
            if let Audience::Institutions(ids) = &mut f.audience {
                ids.push(r.i64("institution_id")?);
            }
        }
    }
    for f in by_id.into_values() {
        f.region = names.full(&f.region_code);
    }
    Ok(())
}

async fn fairs_of(db: &Db, sql: &SqlBuilder, l: Locale) -> DbResult<Vec<Fair>> {
    let rows = db.fetch_all(&sql.sql, &sql.params).await?;
    let kinds = codes::labels(db, "fair_kind", BASE_VERSION, l).await?;
    let mut fairs = rows.iter().map(|r| fair_of(r, &kinds)).collect::<DbResult<Vec<_>>>()?;
    fill(db, &mut fairs).await?;
    Ok(fairs)
}

/// One fair; no scope (fairs are public once past planning; the caller decides).
pub async fn get(db: &Db, id: i64, l: Locale) -> DbResult<Option<Fair>> {
    let mut sql = SqlBuilder::new(&format!("SELECT {COLUMNS}{FROM} WHERE f.id = "));
    sql.bind(id);
    Ok(fairs_of(db, &sql, l).await?.pop())
}

/// What the form may name.
pub async fn allowed(db: &Db) -> DbResult<Allowed> {
    let kinds = codes::list(db, "fair_kind", BASE_VERSION).await?.into_iter().map(|c| c.code).collect();
    let levels = codes::list(db, "major_level", BASE_VERSION).await?.into_iter().map(|c| c.code).collect();
    let regions = db
        .fetch_all("SELECT code FROM regions WHERE retired = FALSE", &[])
        .await?
        .iter()
        .map(|r| r.text("code"))
        .collect::<DbResult<_>>()?;
    let institutions =
        db.fetch_all("SELECT id FROM institutions", &[]).await?.iter().map(|r| r.i64("id")).collect::<DbResult<_>>()?;
    Ok(Allowed { kinds, levels, regions, institutions })
}

fn record(c: &Checked, series_id: Option<i64>, now: &str) -> Record {
    let level = match &c.audience {
        Audience::Level(level) => Some(level.clone()),
        _ => None,
    };
    Record::new()
        .set("series_id", series_id)
        .set("kind_code", c.kind_code.as_str())
        .set("title", c.title.as_str())
        .set("description", c.description.as_str())
        .set("mode", c.mode.key())
        .set("starts_at", time::format_utc(c.starts_at))
        .set("ends_at", time::format_utc(c.ends_at))
        .set("region_code", c.region_code.as_str())
        .set("venue", c.venue.clone())
        .set("online_url", c.online_url.clone())
        .set("booths", c.booths)
        .set("layout", c.layout.clone())
        .set("capacity", c.capacity)
        .set("audience", c.audience.key())
        .set("audience_level", level)
        .set("organisers", c.organisers.as_str())
        .set("co_organisers", c.co_organisers.clone())
        .set("updated_at", now)
}

fn image(c: &Checked) -> serde_json::Value {
    json!({
        "title": c.title, "kind_code": c.kind_code, "mode": c.mode.key(),
        "starts_at": time::format_utc(c.starts_at), "ends_at": time::format_utc(c.ends_at),
        "region_code": c.region_code, "venue": c.venue, "booths": c.booths, "capacity": c.capacity,
        "audience": c.audience.key(), "hosts": c.hosts, "series": c.series,
    })
}

/// A touring series of the cohort by name, made at its first stop.
async fn series_id(tx: &mut Tx, cohort: i64, name: Option<&str>) -> DbResult<Option<i64>> {
    let Some(name) = name else { return Ok(None) };
    let found = tx
        .fetch_optional("SELECT id FROM fair_series WHERE cohort = $1 AND name = $2", &[cohort.into(), name.into()])
        .await?;
    if let Some(r) = found {
        return Ok(Some(r.i64("id")?));
    }
    let row = Record::new().set("cohort", cohort).set("name", name).set("created_at", time::now_utc());
    Ok(Some(tx.insert_id("fair_series", row).await?))
}

async fn write_lists(tx: &mut Tx, id: i64, c: &Checked) -> DbResult<()> {
    tx.execute("DELETE FROM fair_hosts WHERE fair_id = $1", &[id.into()]).await?;
    tx.execute("DELETE FROM fair_audience WHERE fair_id = $1", &[id.into()]).await?;
    for host in &c.hosts {
        tx.execute("INSERT INTO fair_hosts (fair_id, institution_id) VALUES ($1, $2)", &[id.into(), (*host).into()])
            .await?;
    }
    if let Audience::Institutions(ids) = &c.audience {
        for i in ids {
            tx.execute(
                "INSERT INTO fair_audience (fair_id, institution_id) VALUES ($1, $2)",
                &[id.into(), (*i).into()],
            )
            .await?;
        }
    }
    Ok(())
}

fn subject(hosts: &[i64]) -> Subject {
    match hosts.first() {
        Some(i) => Subject::institution(*i),
        None => Subject::default(),
    }
}

/// A new fair of the cohort, planned.
pub async fn create(tx: &mut Tx, who: &AuditActor, cohort: i64, created_by: i64, c: &Checked) -> DbResult<i64> {
    let now = time::now_utc();
    let series = series_id(tx, cohort, c.series.as_deref()).await?;
    let row = record(c, series, &now)
        .set("cohort", cohort)
        .set("status", Status::Planned.key())
        .set("created_by", created_by)
        .set("created_at", now.as_str());
    let id = tx.insert_id("fairs", row).await?;
    write_lists(tx, id, c).await?;
    audit::record(tx, who, Change::created("fair", id, image(c)).about(subject(&c.hosts))).await?;
    Ok(id)
}

/// A host's edit; the status stays.
pub async fn update(tx: &mut Tx, who: &AuditActor, before: &Fair, c: &Checked) -> DbResult<()> {
    let now = time::now_utc();
    let series = series_id(tx, before.cohort, c.series.as_deref()).await?;
    tx.update("fairs", record(c, series, &now), "id", before.id).await?;
    write_lists(tx, before.id, c).await?;
    let old = json!({
        "title": before.title, "starts_at": time::format_utc(before.starts_at),
        "ends_at": time::format_utc(before.ends_at), "venue": before.venue, "booths": before.booths,
        "capacity": before.capacity,
    });
    audit::record(tx, who, Change::updated("fair", before.id, old, image(c)).about(subject(&c.hosts))).await?;
    Ok(())
}

/// Moves a fair to another status (already allowed by `Status::may_become`)
/// and tells everyone booked or registered; moved online, its mode is online.
/// Returns how many accounts were told.
pub async fn set_status(tx: &mut Tx, who: &AuditActor, fair: &Fair, to: Status, l: Locale) -> DbResult<usize> {
    let mut row = Record::new().set("status", to.key()).set("updated_at", time::now_utc());
    if to == Status::MovedOnline {
        row = row.set("mode", Mode::Online.key());
    }
    tx.update("fairs", row, "id", fair.id).await?;
    let change = Change::new("status", "fair", fair.id)
        .before(json!({ "status": fair.status.key() }))
        .after(json!({ "status": to.key() }));
    let hosts: Vec<i64> = fair.hosts.iter().map(|(id, _)| *id).collect();
    audit::record(tx, who, change.about(subject(&hosts))).await?;
    let accounts = tx
        .fetch_all(
            "SELECT a.id FROM accounts a JOIN fair_registrations r ON r.graduate_id = a.graduate_id \
             WHERE r.fair_id = $1 AND r.status <> 'cancelled' AND a.active = TRUE \
             UNION SELECT a.id FROM accounts a JOIN fair_booths b ON b.employer_id = a.employer_id \
             WHERE b.fair_id = $1 AND b.status IN ('pending', 'approved', 'waiting') AND a.active = TRUE",
            &[fair.id.into()],
        )
        .await?;
    let message =
        format!("{}{}{}{}", l.pick("「", "\""), fair.title, l.pick("」状态变更为：", "\" is now: "), to.label(l));
    let link = format!("/fairs/{}", fair.id);
    for r in &accounts {
        registry::notices::tell(tx, who, r.i64("id")?, "fair", &message, Some(&link)).await?;
    }
    Ok(accounts.len())
}

/// What the calendar (招聘会日历) is filtered by.
#[derive(Debug, Default, Clone)]
pub struct Filters {
    pub kind: Option<String>,
    /// A region code: the fairs held in it or its sub-regions.
    pub region: Option<String>,
    pub from: Option<chrono::NaiveDate>,
    pub to: Option<chrono::NaiveDate>,
    pub mode: Option<Mode>,
    /// Fairs for key groups (重点群体) only.
    pub key_groups: bool,
}

/// The public calendar: fairs past planning, soonest first, ended ones last.
pub async fn calendar(db: &Db, f: &Filters, paging: &mut Paging, l: Locale) -> DbResult<Vec<Fair>> {
    let mut sql = SqlBuilder::new(" WHERE f.status <> 'planned'");
    filter(&mut sql, f);
    list(db, sql, paging, " ORDER BY f.starts_at, f.id", l).await
}

fn filter(sql: &mut SqlBuilder, f: &Filters) {
    if let Some(kind) = &f.kind {
        sql.push(" AND f.kind_code = ").bind(kind.as_str());
    }
    if let Some(region) = &f.region {
        // Region codes nest by their digits: 430000 ⊃ 430100 ⊃ 430104.
        let prefix = region.trim_end_matches("00");
        sql.push(" AND f.region_code LIKE ").bind(format!("{prefix}%"));
    }
    if let Some(from) = f.from {
        let start = from.and_hms_opt(0, 0, 0).and_then(|t| t.and_local_timezone(time::china()).single());
        if let Some(start) = start {
            sql.push(" AND f.ends_at >= ").bind(time::format_utc(start.with_timezone(&Utc)));
        }
    }
    if let Some(to) = f.to {
        sql.push(" AND f.starts_at < ").bind(time::end_of_china_day(to));
    }
    if let Some(mode) = f.mode {
        match mode {
            Mode::Both => sql.push(" AND f.mode = 'both'"),
            other => sql.push(" AND f.mode IN ('both', ").bind(other.key()).push(")"),
        };
    }
    if f.key_groups {
        sql.push(" AND f.audience = 'key_groups'");
    }
}

async fn list(db: &Db, mut tail: SqlBuilder, paging: &mut Paging, order: &str, l: Locale) -> DbResult<Vec<Fair>> {
    let count = format!("SELECT COUNT(*) AS n{FROM}{}", tail.sql);
    paging.total = db.fetch_one(&count, &tail.params).await?.i64("n")?;
    tail.push(order).push(&paging.limit_sql());
    let sql = SqlBuilder { sql: format!("SELECT {COLUMNS}{FROM}{}", tail.sql), params: tail.params };
    fairs_of(db, &sql, l).await
}

/// The fairs an actor hosts (all for the province), newest first.
pub async fn hosted(db: &Db, actor: &Actor, paging: &mut Paging, l: Locale) -> DbResult<Vec<Fair>> {
    let mut sql = SqlBuilder::new(" WHERE 1 = 1");
    match (actor.role, actor.institution_id, actor.college_id) {
        (Role::ProvinceAdmin, _, _) => {}
        (Role::UniversityStaff, Some(i), None) => {
            sql.push(" AND f.id IN (SELECT fair_id FROM fair_hosts WHERE institution_id = ").bind(i).push(")");
        }
        _ => return Ok(Vec::new()),
    }
    list(db, sql, paging, " ORDER BY f.starts_at DESC, f.id DESC", l).await
}

/// What a fair already holds: (approved booths, confirmed registrations). An
/// edit may not shrink the fair below them.
pub async fn taken(db: &Db, fair_id: i64) -> DbResult<(i64, i64)> {
    let row = db
        .fetch_one(
            "SELECT (SELECT COUNT(*) FROM fair_booths WHERE fair_id = $1 AND status = 'approved') AS booths, \
             (SELECT COUNT(*) FROM fair_registrations WHERE fair_id = $1 AND status IN ('registered', 'walk_in')) AS places",
            &[fair_id.into()],
        )
        .await?;
    Ok((row.i64("booths")?, row.i64("places")?))
}
