//! Job postings (招聘岗位): an approved employer posts, a reviewer approves or
//! rejects with a reason, the posting shows on the public job list until its
//! deadline. Every write appends to `posting_changes` in the same
//! transaction (the feed a search index follows) and to the audit log.

pub mod api;
pub mod pages;
pub mod rules;

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use kernel::audit::{self, AuditActor, Change, Subject};
use kernel::auth::{Owners, Scope};
use kernel::codes::{self, BASE_VERSION};
use kernel::db::{like_pattern, Record, SqlBuilder};
use kernel::web::table::Paging;
use kernel::{time, Db, DbResult, Locale, Row, Tx};
use serde_json::json;

use rules::{Allowed, Checked, Salary, Status};

/// A posting as pages show it, code labels in the reader's language.
#[derive(Debug, Clone)]
pub struct Posting {
    pub id: i64,
    pub employer_id: i64,
    pub employer: String,
    pub channel_institution_id: Option<i64>,
    pub channel: Option<String>,
    pub title: String,
    pub description: String,
    pub position_code: String,
    pub position: String,
    pub industry_code: String,
    pub industry: String,
    pub education_level: Option<String>,
    pub education: String,
    pub headcount: i64,
    pub salary: Salary,
    pub contact_name: String,
    pub contact_phone: String,
    pub deadline: NaiveDate,
    pub public_sector_kind: Option<String>,
    pub public_sector: Option<String>,
    pub notice_url: Option<String>,
    pub status: Status,
    pub review_reason: Option<String>,
    pub created_at: String,
    pub region_codes: Vec<String>,
    /// The places of work written out ("湖南省长沙市").
    pub regions: Vec<String>,
    pub major_codes: Vec<String>,
}

impl Posting {
    pub fn is_open(&self, today: NaiveDate) -> bool {
        rules::is_open(self.status, self.deadline, today)
    }
    /// The status a reader sees: a published posting past its deadline has expired (已截止).
    pub fn status_label(&self, today: NaiveDate, l: Locale) -> &'static str {
        match self.status == Status::Approved && self.deadline < today {
            true => l.pick("已截止", "Closed"),
            false => self.status.label(l),
        }
    }
    pub fn salary_label(&self, l: Locale) -> String {
        self.salary.label(l)
    }
}

const COLUMNS: &str = "p.id, p.employer_id, e.name AS employer, p.channel_institution_id, i.name AS channel, p.title, \
    p.description, p.position_code, p.industry_code, p.education_level, p.headcount, p.salary_min, p.salary_max, \
    p.contact_name, p.contact_phone, p.deadline, p.public_sector_kind, p.notice_url, p.status, p.review_reason, p.created_at";
const FROM: &str = " FROM postings p JOIN employers e ON e.id = p.employer_id \
    LEFT JOIN institutions i ON i.id = p.channel_institution_id";

/// Who owns a posting (alias `p`): its employer. Reviewers and the public read
/// postings through `get`, which applies no scope.
const OWNERS: Owners = Owners { employer: Some("p.employer_id"), ..Owners::NONE };

/// Code labels for the postings on a page.
struct Labels {
    positions: HashMap<String, String>,
    industries: HashMap<String, String>,
    education: HashMap<String, String>,
    public_sector: HashMap<String, String>,
}

impl Labels {
    async fn load(db: &Db, l: Locale) -> DbResult<Labels> {
        Ok(Labels {
            positions: codes::labels(db, "position_category", BASE_VERSION, l).await?,
            industries: codes::labels(db, "industry", BASE_VERSION, l).await?,
            education: codes::labels(db, "major_level", BASE_VERSION, l).await?,
            public_sector: codes::labels(db, "public_sector_kind", BASE_VERSION, l).await?,
        })
    }
}

fn posting_of(r: &Row, labels: &Labels, l: Locale) -> DbResult<Posting> {
    let label = |map: &HashMap<String, String>, code: &str| map.get(code).cloned().unwrap_or_else(|| code.to_owned());
    let position_code = r.text("position_code")?;
    let industry_code = r.text("industry_code")?;
    let education_level = r.opt_text("education_level")?;
    let public_sector_kind = r.opt_text("public_sector_kind")?;
    let deadline = r.text("deadline")?;
    Ok(Posting {
        id: r.i64("id")?,
        employer_id: r.i64("employer_id")?,
        employer: r.text("employer")?,
        channel_institution_id: r.opt_i64("channel_institution_id")?,
        channel: r.opt_text("channel")?,
        title: r.text("title")?,
        description: r.text("description")?,
        position: label(&labels.positions, &position_code),
        position_code,
        industry: label(&labels.industries, &industry_code),
        industry_code,
        education: match &education_level {
            Some(e) => label(&labels.education, e),
            None => l.pick("不限", "Any").to_owned(),
        },
        education_level,
        headcount: r.i64("headcount")?,
        salary: Salary::from_columns(r.opt_i64("salary_min")?, r.opt_i64("salary_max")?),
        contact_name: r.text("contact_name")?,
        contact_phone: r.text("contact_phone")?,
        deadline: kernel::validate::parse_date(&deadline).unwrap_or_default(),
        public_sector: public_sector_kind.as_deref().map(|k| label(&labels.public_sector, k)),
        public_sector_kind,
        notice_url: r.opt_text("notice_url")?,
        status: Status::parse(&r.text("status")?).unwrap_or(Status::Pending),
        review_reason: r.opt_text("review_reason")?,
        created_at: r.text("created_at")?,
        region_codes: Vec::new(),
        regions: Vec::new(),
        major_codes: Vec::new(),
    })
}

/// What the code tables and the registry allow a posting to name.
pub async fn allowed(db: &Db) -> DbResult<Allowed> {
    let codes_of = |kind: &'static str| async move {
        Ok::<HashSet<String>, kernel::DbError>(
            codes::list(db, kind, BASE_VERSION).await?.into_iter().map(|c| c.code).collect(),
        )
    };
    let column = |sql: &'static str| async move {
        db.fetch_all(sql, &[]).await?.iter().map(|r| r.text("code")).collect::<DbResult<HashSet<String>>>()
    };
    Ok(Allowed {
        positions: codes_of("position_category").await?,
        industries: codes_of("industry").await?,
        education_levels: codes_of("major_level").await?,
        public_sector_kinds: codes_of("public_sector_kind").await?,
        regions: column("SELECT code FROM regions WHERE retired = FALSE").await?,
        majors: column("SELECT DISTINCT code FROM major_catalogue").await?,
        institutions: db
            .fetch_all("SELECT id FROM institutions", &[])
            .await?
            .iter()
            .map(|r| r.i64("id"))
            .collect::<DbResult<_>>()?,
    })
}

fn record(c: &Checked, now: &str) -> Record {
    let (salary_min, salary_max) = c.salary.columns();
    Record::new()
        .set("channel_institution_id", c.channel_institution_id)
        .set("title", c.title.as_str())
        .set("description", c.description.as_str())
        .set("position_code", c.position_code.as_str())
        .set("industry_code", c.industry_code.as_str())
        .set("education_level", c.education_level.clone())
        .set("headcount", c.headcount)
        .set("salary_min", salary_min)
        .set("salary_max", salary_max)
        .set("contact_name", c.contact_name.as_str())
        .set("contact_phone", c.contact_phone.as_str())
        .set("deadline", c.deadline.to_string())
        .set("public_sector_kind", c.public_sector_kind.clone())
        .set("notice_url", c.notice_url.clone())
        .set("updated_at", now)
}

/// The audit image of a posting's content.
fn image(c: &Checked, status: Status) -> serde_json::Value {
    let (salary_min, salary_max) = c.salary.columns();
    json!({
        "title": c.title, "position_code": c.position_code, "industry_code": c.industry_code,
        "education_level": c.education_level, "region_codes": c.region_codes, "major_codes": c.major_codes,
        "headcount": c.headcount, "salary_min": salary_min, "salary_max": salary_max,
        "deadline": c.deadline.to_string(), "public_sector_kind": c.public_sector_kind,
        "channel_institution_id": c.channel_institution_id, "status": status.key(),
    })
}

async fn write_lists(tx: &mut Tx, id: i64, c: &Checked) -> DbResult<()> {
    tx.execute("DELETE FROM posting_regions WHERE posting_id = $1", &[id.into()]).await?;
    tx.execute("DELETE FROM posting_majors WHERE posting_id = $1", &[id.into()]).await?;
    for code in &c.region_codes {
        tx.execute(
            "INSERT INTO posting_regions (posting_id, region_code) VALUES ($1, $2)",
            &[id.into(), code.as_str().into()],
        )
        .await?;
    }
    for code in &c.major_codes {
        tx.execute(
            "INSERT INTO posting_majors (posting_id, major_code) VALUES ($1, $2)",
            &[id.into(), code.as_str().into()],
        )
        .await?;
    }
    Ok(())
}

/// Appends to the change feed the search index follows.
pub(crate) async fn changed(tx: &mut Tx, id: i64, now: &str) -> DbResult<()> {
    tx.execute("INSERT INTO posting_changes (posting_id, changed_at) VALUES ($1, $2)", &[id.into(), now.into()])
        .await?;
    Ok(())
}

/// A new posting, awaiting review.
pub async fn create(tx: &mut Tx, who: &AuditActor, employer_id: i64, c: &Checked) -> DbResult<i64> {
    let now = time::now_utc();
    let row = record(c, &now)
        .set("employer_id", employer_id)
        .set("status", Status::Pending.key())
        .set("created_at", now.as_str());
    let id = tx.insert_id("postings", row).await?;
    write_lists(tx, id, c).await?;
    changed(tx, id, &now).await?;
    audit::record(tx, who, Change::created("posting", id, image(c, Status::Pending)).about(subject(c))).await?;
    Ok(id)
}

fn subject(c: &Checked) -> Subject {
    match c.channel_institution_id {
        Some(id) => Subject::institution(id),
        None => Subject::default(),
    }
}

/// An edit: the posting goes back to review (resubmitted), its reason cleared.
pub async fn update(tx: &mut Tx, who: &AuditActor, id: i64, before: &Posting, c: &Checked) -> DbResult<()> {
    let now = time::now_utc();
    let row = record(c, &now).set("status", Status::Pending.key()).set("review_reason", None::<String>);
    tx.update("postings", row, "id", id).await?;
    write_lists(tx, id, c).await?;
    changed(tx, id, &now).await?;
    let before =
        json!({ "title": before.title, "status": before.status.key(), "deadline": before.deadline.to_string() });
    audit::record(tx, who, Change::updated("posting", id, before, image(c, Status::Pending)).about(subject(c))).await?;
    Ok(())
}

/// The employer takes a posting back; it leaves every list but its own.
pub async fn withdraw(tx: &mut Tx, who: &AuditActor, p: &Posting) -> DbResult<()> {
    let now = time::now_utc();
    tx.update(
        "postings",
        Record::new().set("status", Status::Withdrawn.key()).set("updated_at", now.as_str()),
        "id",
        p.id,
    )
    .await?;
    changed(tx, p.id, &now).await?;
    let change = Change::new("withdraw", "posting", p.id)
        .before(json!({ "status": p.status.key() }))
        .after(json!({ "status": Status::Withdrawn.key() }));
    audit::record(tx, who, change).await?;
    Ok(())
}

/// A reviewer's decision, already allowed by `Decision::leads_to`.
pub async fn review(
    tx: &mut Tx,
    who: &AuditActor,
    reviewer: i64,
    p: &Posting,
    to: Status,
    reason: Option<&str>,
) -> DbResult<()> {
    let now = time::now_utc();
    let mut row = Record::new()
        .set("status", to.key())
        .set("review_reason", reason.map(str::to_owned))
        .set("reviewed_by", reviewer)
        .set("reviewed_at", now.as_str())
        .set("updated_at", now.as_str());
    if to == Status::Approved {
        row = row.set("approved_at", now.as_str());
    }
    tx.update("postings", row, "id", p.id).await?;
    changed(tx, p.id, &now).await?;
    let change = Change::new("review", "posting", p.id)
        .before(json!({ "status": p.status.key() }))
        .after(json!({ "status": to.key(), "review_reason": reason }));
    let change = match p.channel_institution_id {
        Some(i) => change.about(Subject::institution(i)),
        None => change,
    };
    audit::record(tx, who, change).await?;
    Ok(())
}

/// One posting, with its places of work and majors; no scope applied (the caller decides).
pub async fn get(db: &Db, id: i64, l: Locale) -> DbResult<Option<Posting>> {
    let mut sql = SqlBuilder::new(&format!("SELECT {COLUMNS}{FROM} WHERE p.id = "));
    sql.bind(id);
    one(db, sql, l).await
}

/// One posting, if the scope owns it (an employer's own).
pub async fn owned(db: &Db, scope: &Scope, id: i64, l: Locale) -> DbResult<Option<Posting>> {
    let mut sql = SqlBuilder::new(&format!("SELECT {COLUMNS}{FROM} WHERE p.id = "));
    sql.bind(id);
    if scope.restrict(&mut sql, OWNERS).is_err() {
        return Ok(None);
    }
    one(db, sql, l).await
}

async fn one(db: &Db, sql: SqlBuilder, l: Locale) -> DbResult<Option<Posting>> {
    let Some(row) = db.fetch_optional(&sql.sql, &sql.params).await? else { return Ok(None) };
    let labels = Labels::load(db, l).await?;
    let mut posting = posting_of(&row, &labels, l)?;
    fill_lists(db, std::slice::from_mut(&mut posting)).await?;
    Ok(Some(posting))
}

/// Fills each posting's regions (written out) and majors.
async fn fill_lists(db: &Db, postings: &mut [Posting]) -> DbResult<()> {
    if postings.is_empty() {
        return Ok(());
    }
    let ids: Vec<String> = postings.iter().map(|p| p.id.to_string()).collect();
    // Ids are integers we read ourselves: safe to write into the statement.
    let list = ids.join(",");
    let regions = db
        .fetch_all(
            &format!(
                "SELECT posting_id, region_code FROM posting_regions WHERE posting_id IN ({list}) ORDER BY region_code"
            ),
            &[],
        )
        .await?;
    let majors = db
        .fetch_all(
            &format!(
                "SELECT posting_id, major_code FROM posting_majors WHERE posting_id IN ({list}) ORDER BY major_code"
            ),
            &[],
        )
        .await?;
    let mut by_id: HashMap<i64, &mut Posting> = postings.iter_mut().map(|p| (p.id, p)).collect();
    for r in &regions {
        if let Some(p) = by_id.get_mut(&r.i64("posting_id")?) {
            p.region_codes.push(r.text("region_code")?);
        }
    }
    for r in &majors {
        if let Some(p) = by_id.get_mut(&r.i64("posting_id")?) {
            p.major_codes.push(r.text("major_code")?);
        }
    }
    drop(by_id);
    let names = registry::reference::full_region_names(
        db,
        postings.iter().flat_map(|p| p.region_codes.iter().map(String::as_str)),
    )
    .await?;
    for p in postings.iter_mut() {
        p.regions = p.region_codes.iter().map(|c| names.full(c)).collect();
    }
    Ok(())
}

async fn page_of(db: &Db, mut sql: SqlBuilder, paging: &mut Paging, order: &str, l: Locale) -> DbResult<Vec<Posting>> {
    let count = format!(
        "SELECT COUNT(*) AS n FROM ({}) counted",
        sql.sql.replacen(&format!("SELECT {COLUMNS}"), "SELECT p.id", 1)
    );
    paging.total = db.fetch_one(&count, &sql.params).await?.i64("n")?;
    sql.push(order).push(&paging.limit_sql());
    let rows = db.fetch_all(&sql.sql, &sql.params).await?;
    let labels = Labels::load(db, l).await?;
    let mut postings = rows.iter().map(|r| posting_of(r, &labels, l)).collect::<DbResult<Vec<_>>>()?;
    fill_lists(db, &mut postings).await?;
    Ok(postings)
}

/// The postings the scope owns (an employer's own), newest first; another scope gets none.
pub async fn owned_list(db: &Db, scope: &Scope, paging: &mut Paging, l: Locale) -> DbResult<Vec<Posting>> {
    let mut sql = SqlBuilder::new(&format!("SELECT {COLUMNS}{FROM} WHERE 1 = 1"));
    if scope.restrict(&mut sql, OWNERS).is_err() {
        return Ok(Vec::new());
    }
    page_of(db, sql, paging, " ORDER BY p.id DESC", l).await
}

/// The pseudonym a viewer (`account:5`, `browser:…`) has on a day: the same all day, another the next.
pub fn viewer(key: &kernel::auth::secret::SigningKey, day: NaiveDate, who: &str) -> String {
    key.pseudonym("posting_view", &format!("{day}:{who}"))
}

/// Counts a view of a posting's public page (浏览) on a China-time day by a
/// viewer (a keyed pseudonym, never an address): once per viewer and day.
/// One short statement of its own, so the page never waits on a long write.
pub async fn count_view(db: &Db, posting_id: i64, day: NaiveDate, viewer: &str) -> DbResult<()> {
    let mut tx = db.begin().await?;
    tx.execute(
        "INSERT INTO posting_views (posting_id, day, viewer) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        &[posting_id.into(), day.to_string().into(), viewer.into()],
    )
    .await?;
    tx.commit().await
}

/// The views of each posting the scope owns that was viewed.
pub async fn views(db: &Db, scope: &Scope) -> DbResult<HashMap<i64, i64>> {
    let mut sql = SqlBuilder::new(
        "SELECT v.posting_id, COUNT(*) AS n FROM posting_views v JOIN postings p ON p.id = v.posting_id WHERE 1 = 1",
    );
    if scope.restrict(&mut sql, OWNERS).is_err() {
        return Ok(HashMap::new());
    }
    sql.push(" GROUP BY v.posting_id");
    db.fetch_all(&sql.sql, &sql.params).await?.iter().map(|r| Ok((r.i64("posting_id")?, r.i64("n")?))).collect()
}

/// Who sees which postings in the review queue.
#[derive(Debug, Clone, Copy)]
pub enum Reviewer {
    Province,
    /// A university's staff: its campus channel.
    Campus(i64),
}

/// The postings a reviewer decides on, in one status, oldest first (the queue's order).
pub async fn queue(
    db: &Db,
    reviewer: Reviewer,
    status: Status,
    paging: &mut Paging,
    l: Locale,
) -> DbResult<Vec<Posting>> {
    let mut sql = SqlBuilder::new(&format!("SELECT {COLUMNS}{FROM} WHERE p.status = "));
    sql.bind(status.key());
    if let Reviewer::Campus(institution_id) = reviewer {
        sql.push(" AND p.channel_institution_id = ").bind(institution_id);
    }
    page_of(db, sql, paging, " ORDER BY p.id", l).await
}

/// The hints a reviewer sees beside each of these postings, by posting id:
/// two queries for the whole page (earlier postings of the same title, the
/// employers' approval), whatever its length.
pub async fn hints(db: &Db, postings: &[Posting]) -> DbResult<HashMap<i64, Vec<rules::Hint>>> {
    if postings.is_empty() {
        return Ok(HashMap::new());
    }
    // Ids are integers we read ourselves: safe to write into the statement.
    let ids = postings.iter().map(|p| p.id.to_string()).collect::<Vec<_>>().join(",");
    let employers = postings.iter().map(|p| p.employer_id.to_string()).collect::<Vec<_>>().join(",");
    let since = time::format_utc(chrono::Utc::now() - chrono::Duration::days(30));
    let duplicates: HashMap<i64, i64> = db
        .fetch_all(
            &format!(
                "SELECT p.id, MAX(q.id) AS duplicate FROM postings p JOIN postings q ON q.employer_id = p.employer_id \
                 AND q.title = p.title AND q.id <> p.id AND q.created_at >= $1 AND q.status <> $2 \
                 WHERE p.id IN ({ids}) GROUP BY p.id"
            ),
            &[since.into(), Status::Withdrawn.key().into()],
        )
        .await?
        .iter()
        .map(|r| Ok((r.i64("id")?, r.i64("duplicate")?)))
        .collect::<DbResult<_>>()?;
    let approved: HashSet<i64> = db
        .fetch_all(
            &format!("SELECT id FROM employers WHERE status = $1 AND id IN ({employers})"),
            &[registry::employers::APPROVED.into()],
        )
        .await?
        .iter()
        .map(|r| r.i64("id"))
        .collect::<DbResult<_>>()?;
    Ok(postings
        .iter()
        .map(|p| {
            let duplicate = duplicates.get(&p.id).copied();
            let hints = rules::hints(&p.title, &p.description, p.salary, duplicate, approved.contains(&p.employer_id));
            (p.id, hints)
        })
        .collect())
}

/// What a job seeker asks of the job list.
#[derive(Debug, Default, Clone, serde::Deserialize, utoipa::IntoParams)]
#[serde(default)]
pub struct Search {
    /// Words, each to be found in the title, the employer's name or the description.
    pub q: String,
    /// A region code: a province or prefecture takes in the places under it.
    pub region: String,
    /// An industry code.
    pub industry: String,
    /// A position category (工作职位类别) code.
    pub position: String,
    /// A `major_level` code.
    pub education: String,
    /// Lowest monthly pay wanted: postings whose top reaches it (面议 left out).
    pub salary: String,
    /// "all": public-sector posts of any kind; a `public_sector_kind` code: posts of that kind.
    pub public: String,
    /// A major catalogue code: posts that want it or any major (不限).
    pub major: String,
    /// Still taking applications on this day (yyyy-mm-dd); today by default.
    pub until: String,
    /// "new": newest first; otherwise best match first when words are given.
    pub sort: String,
    /// Page number, from 1; 50 a page.
    pub page: Option<String>,
}

impl Search {
    /// What the search asks, as (parameter, value) pairs: what it finds, then
    /// how (the day it must still be open on and the order), paging left out.
    pub fn pairs(&self) -> [(&'static str, &str); 10] {
        [
            ("q", &self.q),
            ("region", &self.region),
            ("industry", &self.industry),
            ("position", &self.position),
            ("education", &self.education),
            ("major", &self.major),
            ("salary", &self.salary),
            ("public", &self.public),
            ("until", &self.until),
            ("sort", &self.sort),
        ]
    }
}

/// The region codes under a code: a province's start (43), a prefecture's (4301), or the county itself.
pub fn region_prefix(code: &str) -> Option<String> {
    let code = code.trim();
    if code.len() != 6 || !code.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    Some(match (&code[2..], &code[4..]) {
        ("0000", _) => code[..2].to_owned(),
        (_, "00") => code[..4].to_owned(),
        _ => code.to_owned(),
    })
}

/// Postings by id, in the order given (a search's results).
pub async fn by_ids(db: &Db, ids: &[i64], l: Locale) -> DbResult<Vec<Posting>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    // Ids come from our own index: integers, safe to write into the statement.
    let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    let rows = db.fetch_all(&format!("SELECT {COLUMNS}{FROM} WHERE p.id IN ({list})"), &[]).await?;
    let labels = Labels::load(db, l).await?;
    let mut postings = rows.iter().map(|r| posting_of(r, &labels, l)).collect::<DbResult<Vec<_>>>()?;
    fill_lists(db, &mut postings).await?;
    postings.sort_by_key(|p| ids.iter().position(|id| *id == p.id));
    Ok(postings)
}

/// Open postings (published, deadline not passed) matching a search, newest
/// first, read from the database: the job list while its index is being built.
pub async fn search(db: &Db, s: &Search, today: NaiveDate, paging: &mut Paging, l: Locale) -> DbResult<Vec<Posting>> {
    let mut sql = SqlBuilder::new(&format!("SELECT {COLUMNS}{FROM} WHERE p.status = "));
    let open_on = kernel::validate::parse_date(&s.until).filter(|d| *d > today).unwrap_or(today);
    sql.bind(Status::Approved.key()).push(" AND p.deadline >= ").bind(open_on.to_string());
    if !s.major.trim().is_empty() {
        sql.push(" AND (NOT EXISTS (SELECT 1 FROM posting_majors m WHERE m.posting_id = p.id) OR EXISTS (SELECT 1 FROM posting_majors m WHERE m.posting_id = p.id AND m.major_code = ");
        sql.bind(s.major.trim().to_owned()).push("))");
    }
    for word in s.q.split_whitespace().take(5) {
        let pattern = like_pattern(word);
        sql.push(" AND (p.title LIKE ").bind(pattern.clone()).push(" ESCAPE '\\' OR e.name LIKE ");
        sql.bind(pattern.clone()).push(" ESCAPE '\\' OR p.description LIKE ").bind(pattern).push(" ESCAPE '\\')");
    }
    if let Some(prefix) = region_prefix(&s.region) {
        sql.push(" AND p.id IN (SELECT posting_id FROM posting_regions WHERE region_code LIKE ");
        sql.bind(format!("{prefix}%")).push(")");
    }
    for (column, value) in
        [("p.industry_code", &s.industry), ("p.position_code", &s.position), ("p.education_level", &s.education)]
    {
        if !value.trim().is_empty() {
            sql.push(&format!(" AND {column} = ")).bind(value.trim().to_owned());
        }
    }
    if let Ok(floor) = s.salary.trim().parse::<i64>() {
        sql.push(" AND p.salary_max >= ").bind(floor);
    }
    match s.public.trim() {
        "" => {}
        crate::search::query::ANY_PUBLIC => {
            sql.push(" AND p.public_sector_kind IS NOT NULL");
        }
        kind => {
            sql.push(" AND p.public_sector_kind = ").bind(kind.to_owned());
        }
    }
    page_of(db, sql, paging, " ORDER BY p.approved_at DESC, p.id DESC", l).await
}

impl Posting {
    /// The form as the employer filled it, for editing.
    pub fn form(&self) -> rules::PostingForm {
        let (salary_min, salary_max) = self.salary.columns();
        let text = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
        rules::PostingForm {
            title: self.title.clone(),
            description: self.description.clone(),
            position_code: self.position_code.clone(),
            industry_code: self.industry_code.clone(),
            education_level: self.education_level.clone().unwrap_or_default(),
            region_codes: self.region_codes.clone(),
            major_codes: self.major_codes.join(", "),
            headcount: self.headcount.to_string(),
            salary_min: text(salary_min),
            salary_max: text(salary_max),
            contact_name: self.contact_name.clone(),
            contact_phone: self.contact_phone.clone(),
            deadline: self.deadline.to_string(),
            public_sector_kind: self.public_sector_kind.clone().unwrap_or_default(),
            notice_url: self.notice_url.clone().unwrap_or_default(),
            channel_institution_id: text(self.channel_institution_id),
        }
    }
}

/// (code, label) choices for the posting form and the search filters.
pub struct Choices {
    pub positions: Vec<(String, String)>,
    pub industries: Vec<(String, String)>,
    pub education_levels: Vec<(String, String)>,
    pub public_sector_kinds: Vec<(String, String)>,
    /// Provinces and prefectures, a prefecture's label indented under its province.
    pub regions: Vec<(String, String)>,
    pub institutions: Vec<(String, String)>,
}

impl Choices {
    pub async fn load(db: &Db, l: Locale) -> DbResult<Choices> {
        let table = |kind: &'static str| async move {
            Ok::<_, kernel::DbError>(
                codes::list(db, kind, BASE_VERSION)
                    .await?
                    .into_iter()
                    .map(|c| (c.code.clone(), c.label(l).to_owned()))
                    .collect(),
            )
        };
        let regions = db
            // A municipality's 市辖区 and 县 add nothing to the province's own entry.
            .fetch_all("SELECT code, name, level FROM regions WHERE level IN ('province', 'prefecture') AND name NOT IN ('市辖区', '县') AND retired = FALSE ORDER BY code", &[])
            .await?
            .iter()
            .map(|r| {
                let name = r.text("name")?;
                let indent = if r.text("level")? == "prefecture" { "\u{3000}" } else { "" };
                Ok((r.text("code")?, format!("{indent}{name}")))
            })
            .collect::<DbResult<_>>()?;
        let institutions = db
            .fetch_all("SELECT id, name FROM institutions ORDER BY code", &[])
            .await?
            .iter()
            .map(|r| Ok((r.i64("id")?.to_string(), r.text("name")?)))
            .collect::<DbResult<_>>()?;
        Ok(Choices {
            positions: table("position_category").await?,
            industries: table("industry").await?,
            education_levels: table("major_level").await?,
            public_sector_kinds: table("public_sector_kind").await?,
            regions,
            institutions,
        })
    }
}
