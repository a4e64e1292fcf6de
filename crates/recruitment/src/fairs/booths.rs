//! Booths (展位): an approved employer applies with approved postings of its
//! own; a host approves (with a booth number) or rejects with a reason. Past
//! the fair's booth count, applications wait (候补) and move up, in order,
//! when a booth is given back.

use chrono::NaiveDate;
use kernel::audit::{self, AuditActor, Change, Subject};
use kernel::db::Record;
use kernel::{time, Db, DbResult, Locale, Row, Tx};
use registry::notices::{tell_recipient, Recipient};
use serde_json::json;

use super::attendance::Person;
use super::rules::{place, Place};
use super::Fair;

/// Where a booth application stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BoothStatus {
    /// 待审核
    Pending,
    /// 已通过
    Approved,
    /// 候补
    Waiting,
    /// 未通过
    Rejected,
    /// 已撤回
    Withdrawn,
}

impl BoothStatus {
    pub const ALL: [BoothStatus; 5] = [
        BoothStatus::Pending,
        BoothStatus::Approved,
        BoothStatus::Waiting,
        BoothStatus::Rejected,
        BoothStatus::Withdrawn,
    ];
    pub fn key(self) -> &'static str {
        match self {
            BoothStatus::Pending => "pending",
            BoothStatus::Approved => "approved",
            BoothStatus::Waiting => "waiting",
            BoothStatus::Rejected => "rejected",
            BoothStatus::Withdrawn => "withdrawn",
        }
    }
    pub fn parse(s: &str) -> Option<BoothStatus> {
        BoothStatus::ALL.into_iter().find(|b| b.key() == s)
    }
    pub fn label(self, l: Locale) -> &'static str {
        match self {
            BoothStatus::Pending => l.pick("待审核", "Under review"),
            BoothStatus::Approved => l.pick("已通过", "Approved"),
            BoothStatus::Waiting => l.pick("候补", "Waiting list"),
            BoothStatus::Rejected => l.pick("未通过", "Rejected"),
            BoothStatus::Withdrawn => l.pick("已撤回", "Withdrawn"),
        }
    }
    /// Still in the running for a booth.
    pub fn is_live(self) -> bool {
        matches!(self, BoothStatus::Pending | BoothStatus::Approved | BoothStatus::Waiting)
    }
}

/// A booth application as pages show it.
#[derive(Debug, Clone)]
pub struct Booth {
    pub id: i64,
    pub fair_id: i64,
    pub fair: String,
    pub employer_id: i64,
    pub employer: String,
    pub status: BoothStatus,
    pub booth_no: Option<String>,
    pub reason: Option<String>,
    pub applied_at: String,
    pub checked_in_at: Option<String>,
    /// Online now, at an online fair's hall.
    pub online: bool,
    /// The jobs it brings: (posting id, title, headcount).
    pub postings: Vec<(i64, String, i64)>,
}

const COLUMNS: &str = "SELECT b.id, b.fair_id, f.title AS fair, b.employer_id, e.name AS employer, b.status, \
    b.booth_no, b.reason, b.applied_at, b.checked_in_at, b.online_at FROM fair_booths b JOIN fairs f ON f.id = b.fair_id \
    JOIN employers e ON e.id = b.employer_id";

fn booth_of(r: &Row) -> DbResult<Booth> {
    Ok(Booth {
        id: r.i64("id")?,
        fair_id: r.i64("fair_id")?,
        fair: r.text("fair")?,
        employer_id: r.i64("employer_id")?,
        employer: r.text("employer")?,
        status: BoothStatus::parse(&r.text("status")?).unwrap_or(BoothStatus::Pending),
        booth_no: r.opt_text("booth_no")?,
        reason: r.opt_text("reason")?,
        applied_at: r.text("applied_at")?,
        checked_in_at: r.opt_text("checked_in_at")?,
        online: r.opt_text("online_at")?.is_some(),
        postings: Vec::new(),
    })
}

async fn booths(db: &Db, tail: &str, params: &[kernel::db::Value]) -> DbResult<Vec<Booth>> {
    let rows = db.fetch_all(&format!("{COLUMNS} {tail}"), params).await?;
    let mut booths = rows.iter().map(booth_of).collect::<DbResult<Vec<_>>>()?;
    if booths.is_empty() {
        return Ok(booths);
    }
    // Ids we read ourselves: safe to write into the statement.
    let list = booths.iter().map(|b| b.id.to_string()).collect::<Vec<_>>().join(",");
    let postings = db
        .fetch_all(
            &format!(
                "SELECT bp.booth_id, p.id, p.title, p.headcount FROM fair_booth_postings bp \
                 JOIN postings p ON p.id = bp.posting_id WHERE bp.booth_id IN ({list}) ORDER BY p.id"
            ),
            &[],
        )
        .await?;
    for r in &postings {
        let booth_id = r.i64("booth_id")?;
        if let Some(b) = booths.iter_mut().find(|b| b.id == booth_id) {
            b.postings.push((r.i64("id")?, r.text("title")?, r.i64("headcount")?));
        }
    }
    Ok(booths)
}

/// A fair's booths, approved first by number, then the queue in order of application.
pub async fn of_fair(db: &Db, fair_id: i64) -> DbResult<Vec<Booth>> {
    let order = "WHERE b.fair_id = $1 ORDER BY CASE b.status WHEN 'approved' THEN 0 WHEN 'pending' THEN 1 \
        WHEN 'waiting' THEN 2 ELSE 3 END, b.booth_no, b.id";
    booths(db, order, &[fair_id.into()]).await
}

/// An employer's booths at every fair, newest application first.
pub async fn of_employer(db: &Db, employer_id: i64) -> DbResult<Vec<Booth>> {
    booths(db, "WHERE b.employer_id = $1 ORDER BY b.id DESC", &[employer_id.into()]).await
}

pub async fn get(db: &Db, id: i64) -> DbResult<Option<Booth>> {
    Ok(booths(db, "WHERE b.id = $1", &[id.into()]).await?.pop())
}

/// An employer's application at one fair, if any.
pub async fn of_employer_at(db: &Db, fair_id: i64, employer_id: i64) -> DbResult<Option<Booth>> {
    Ok(booths(db, "WHERE b.fair_id = $1 AND b.employer_id = $2", &[fair_id.into(), employer_id.into()]).await?.pop())
}

/// The employer's postings it may bring: approved and open on `today`: (id, title).
pub async fn bringable(db: &Db, employer_id: i64, today: NaiveDate) -> DbResult<Vec<(i64, String)>> {
    db.fetch_all(
        "SELECT id, title FROM postings WHERE employer_id = $1 AND status = 'approved' AND deadline >= $2 ORDER BY id DESC",
        &[employer_id.into(), today.to_string().into()],
    )
    .await?
    .iter()
    .map(|r| Ok((r.i64("id")?, r.text("title")?)))
    .collect()
}

/// Why a booth application is refused.
#[derive(Debug, Clone, PartialEq)]
pub enum BoothRefusal {
    /// The fair is not taking booth applications in its status.
    NotBooking,
    AlreadyApplied,
    NoPostings,
    /// Postings (ids) that are not the employer's own approved and open ones.
    Unapproved(Vec<i64>),
    /// All booths are taken (on approval).
    Full,
    /// The number is another booth's.
    NumberTaken(String),
}

impl BoothRefusal {
    pub fn message(&self, l: Locale) -> String {
        match self {
            BoothRefusal::NotBooking => {
                l.pick("该活动当前不接受展位预订。", "This event is not taking booth bookings now.").into()
            }
            BoothRefusal::AlreadyApplied => {
                l.pick("贵单位已申请过本场展位。", "Your organisation has already applied for a booth here.").into()
            }
            BoothRefusal::NoPostings => {
                l.pick("请至少选择一个已发布的岗位带到现场。", "Choose at least one published posting to bring.").into()
            }
            BoothRefusal::Unapproved(ids) => format!(
                "{}{}",
                l.pick(
                    "只能带贵单位已审核通过且未截止的岗位，这些岗位不符合：",
                    "Only your approved, still-open postings may be brought; these are not: "
                ),
                ids.iter().map(|i| format!("#{i}")).collect::<Vec<_>>().join(", ")
            ),
            BoothRefusal::Full => l
                .pick(
                    "展位已满，该申请留在候补名单中。",
                    "All booths are taken; the application stays on the waiting list.",
                )
                .into(),
            BoothRefusal::NumberTaken(no) => {
                format!("{}{no}", l.pick("展位号已被占用：", "Booth number already taken: "))
            }
        }
    }
}

/// Takes the fair's row lock, so counting places and taking one is one step
/// on both engines (PostgreSQL row lock; SQLite's write lock).
pub(crate) async fn lock_fair(tx: &mut Tx, fair_id: i64) -> DbResult<()> {
    tx.execute("UPDATE fairs SET updated_at = updated_at WHERE id = $1", &[fair_id.into()]).await?;
    Ok(())
}

async fn approved_count(tx: &mut Tx, fair_id: i64) -> DbResult<i64> {
    tx.fetch_one(
        "SELECT COUNT(*) AS n FROM fair_booths WHERE fair_id = $1 AND status IN ('approved', 'pending')",
        &[fair_id.into()],
    )
    .await?
    .i64("n")
}

/// An employer applies for a booth with postings of its own.
pub async fn apply(
    tx: &mut Tx,
    who: &AuditActor,
    fair: &Fair,
    employer_id: i64,
    posting_ids: &[i64],
    today: NaiveDate,
) -> DbResult<Result<(i64, Place), BoothRefusal>> {
    if !fair.status.takes_booths() {
        return Ok(Err(BoothRefusal::NotBooking));
    }
    if posting_ids.is_empty() {
        return Ok(Err(BoothRefusal::NoPostings));
    }
    let mut bad = Vec::new();
    for id in posting_ids {
        let ok = tx
            .fetch_optional(
                "SELECT 1 AS ok FROM postings WHERE id = $1 AND employer_id = $2 AND status = 'approved' AND deadline >= $3",
                &[(*id).into(), employer_id.into(), today.to_string().into()],
            )
            .await?
            .is_some();
        if !ok {
            bad.push(*id);
        }
    }
    if !bad.is_empty() {
        return Ok(Err(BoothRefusal::Unapproved(bad)));
    }
    lock_fair(tx, fair.id).await?;
    let exists = tx
        .fetch_optional(
            "SELECT 1 AS x FROM fair_booths WHERE fair_id = $1 AND employer_id = $2",
            &[fair.id.into(), employer_id.into()],
        )
        .await?;
    if exists.is_some() {
        return Ok(Err(BoothRefusal::AlreadyApplied));
    }
    let placed = place(approved_count(tx, fair.id).await?, fair.booths);
    let status = match placed {
        Place::Confirmed => BoothStatus::Pending,
        Place::Waiting => BoothStatus::Waiting,
    };
    let row = Record::new()
        .set("fair_id", fair.id)
        .set("employer_id", employer_id)
        .set("status", status.key())
        .set("applied_at", time::now_utc());
    let id = tx.insert_id("fair_booths", row).await?;
    for posting in posting_ids {
        tx.execute(
            "INSERT INTO fair_booth_postings (booth_id, posting_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            &[id.into(), (*posting).into()],
        )
        .await?;
    }
    let after =
        json!({ "fair_id": fair.id, "employer_id": employer_id, "status": status.key(), "postings": posting_ids });
    audit::record(tx, who, Change::created("fair_booth", id, after)).await?;
    Ok(Ok((id, placed)))
}

/// The next free booth number ("1", "2", ...) at a fair.
async fn next_number(tx: &mut Tx, fair_id: i64) -> DbResult<String> {
    let taken = tx
        .fetch_all("SELECT booth_no FROM fair_booths WHERE fair_id = $1 AND booth_no IS NOT NULL", &[fair_id.into()])
        .await?
        .iter()
        .map(|r| r.text("booth_no"))
        .collect::<DbResult<std::collections::HashSet<String>>>()?;
    Ok((1..).map(|n: i64| n.to_string()).find(|n| !taken.contains(n)).unwrap_or_default())
}

/// A host approves a booth, with the number given or the next free one.
pub async fn approve(
    tx: &mut Tx,
    who: &AuditActor,
    reviewer: i64,
    fair: &Fair,
    booth: &Booth,
    number: Option<&str>,
) -> DbResult<Result<String, BoothRefusal>> {
    lock_fair(tx, fair.id).await?;
    let approved = tx
        .fetch_one(
            "SELECT COUNT(*) AS n FROM fair_booths WHERE fair_id = $1 AND status = 'approved' AND id <> $2",
            &[fair.id.into(), booth.id.into()],
        )
        .await?
        .i64("n")?;
    if place(approved, fair.booths) == Place::Waiting {
        return Ok(Err(BoothRefusal::Full));
    }
    let number = match number.map(str::trim).filter(|n| !n.is_empty()) {
        Some(n) => n.chars().take(20).collect(),
        None => next_number(tx, fair.id).await?,
    };
    let clash = tx
        .fetch_optional(
            "SELECT 1 AS x FROM fair_booths WHERE fair_id = $1 AND booth_no = $2 AND id <> $3",
            &[fair.id.into(), number.as_str().into(), booth.id.into()],
        )
        .await?;
    if clash.is_some() {
        return Ok(Err(BoothRefusal::NumberTaken(number)));
    }
    decide(tx, who, reviewer, booth, BoothStatus::Approved, Some(&number), None).await?;
    Ok(Ok(number))
}

/// A host rejects a booth with a reason; the next waiting one moves up.
pub async fn reject(
    tx: &mut Tx,
    who: &AuditActor,
    reviewer: i64,
    fair: &Fair,
    booth: &Booth,
    reason: &str,
) -> DbResult<()> {
    lock_fair(tx, fair.id).await?;
    decide(tx, who, reviewer, booth, BoothStatus::Rejected, None, Some(reason)).await?;
    move_up(tx, who, fair).await
}

/// The employer gives its booth back; the next waiting one moves up.
pub async fn withdraw(tx: &mut Tx, who: &AuditActor, fair: &Fair, booth: &Booth) -> DbResult<()> {
    lock_fair(tx, fair.id).await?;
    decide(tx, who, booth.employer_id, booth, BoothStatus::Withdrawn, None, None).await?;
    move_up(tx, who, fair).await
}

async fn decide(
    tx: &mut Tx,
    who: &AuditActor,
    by: i64,
    booth: &Booth,
    to: BoothStatus,
    number: Option<&str>,
    reason: Option<&str>,
) -> DbResult<()> {
    let row = Record::new()
        .set("status", to.key())
        .set("booth_no", number.map(str::to_owned))
        .set("reason", reason.map(str::to_owned))
        .set("reviewed_by", by)
        .set("reviewed_at", time::now_utc());
    tx.update("fair_booths", row, "id", booth.id).await?;
    let change = Change::new("review", "fair_booth", booth.id)
        .before(json!({ "status": booth.status.key(), "booth_no": booth.booth_no }))
        .after(json!({ "status": to.key(), "booth_no": number, "reason": reason }));
    audit::record(tx, who, change).await
}

/// When a place is free, the longest-waiting application goes to review, and its employer is told.
async fn move_up(tx: &mut Tx, who: &AuditActor, fair: &Fair) -> DbResult<()> {
    if place(approved_count(tx, fair.id).await?, fair.booths) == Place::Waiting {
        return Ok(());
    }
    let next = tx
        .fetch_optional(
            "SELECT id, employer_id FROM fair_booths WHERE fair_id = $1 AND status = 'waiting' ORDER BY id LIMIT 1",
            &[fair.id.into()],
        )
        .await?;
    let Some(next) = next else { return Ok(()) };
    let (id, employer_id) = (next.i64("id")?, next.i64("employer_id")?);
    tx.update("fair_booths", Record::new().set("status", BoothStatus::Pending.key()), "id", id).await?;
    let change = Change::new("move_up", "fair_booth", id)
        .before(json!({ "status": "waiting" }))
        .after(json!({ "status": "pending" }));
    audit::record(tx, who, change).await?;
    let message = format!("「{}」有展位空出，贵单位的候补申请已转入审核。", fair.title);
    let link = format!("/fairs/{}", fair.id);
    tell_recipient(tx, who, Recipient::Employer(employer_id), "fair", &message, Some(&link)).await?;
    Ok(())
}

/// An employer's booth checked in at the door: once; later scans change nothing.
/// Returns whether this was the first.
pub async fn check_in(tx: &mut Tx, who: &AuditActor, booth_id: i64) -> DbResult<bool> {
    let now = time::now_utc();
    let first = tx
        .execute(
            "UPDATE fair_booths SET checked_in_at = $1 WHERE id = $2 AND checked_in_at IS NULL",
            &[now.as_str().into(), booth_id.into()],
        )
        .await?
        == 1;
    if first {
        let change = Change::new("check_in", "fair_booth", booth_id).after(json!({ "checked_in_at": now }));
        audit::record(tx, who, change).await?;
    }
    Ok(first)
}

/// A graduate who came to a booth (scanned there, or online): once per booth.
/// Returns whether this visit is new.
pub async fn visit(tx: &mut Tx, who: &AuditActor, booth_id: i64, graduate: &Person, source: &str) -> DbResult<bool> {
    let graduate_id = graduate.id;
    let now = time::now_utc();
    let new = tx
        .execute(
            "INSERT INTO fair_booth_visits (booth_id, graduate_id, source, visited_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT DO NOTHING",
            &[booth_id.into(), graduate_id.into(), source.into(), now.as_str().into()],
        )
        .await?
        == 1;
    if new {
        let change = Change::created("fair_visit", booth_id, json!({ "graduate_id": graduate_id, "source": source }))
            .about(Subject::graduate(graduate_id, graduate.institution_id));
        audit::record(tx, who, change).await?;
    }
    Ok(new)
}

/// A booth's visitors, latest first: (graduate id, name, institution, source, when).
pub async fn visitors(db: &Db, booth_id: i64) -> DbResult<Vec<Visitor>> {
    db.fetch_all(
        "SELECT v.graduate_id, g.name, i.name AS institution, m.name AS major, g.education_level, v.source, v.visited_at \
         FROM fair_booth_visits v JOIN graduates g ON g.id = v.graduate_id JOIN institutions i ON i.id = g.institution_id \
         JOIN majors m ON m.id = g.major_id WHERE v.booth_id = $1 ORDER BY v.visited_at DESC",
        &[booth_id.into()],
    )
    .await?
    .iter()
    .map(|r| {
        Ok(Visitor {
            graduate_id: r.i64("graduate_id")?,
            name: r.text("name")?,
            institution: r.text("institution")?,
            major: r.text("major")?,
            level: r.text("education_level")?,
            online: r.text("source")? == "online",
            at: time::display(&r.text("visited_at")?),
        })
    })
    .collect()
}

/// A graduate who visited a booth, as the employer sees it (no ID or phone number).
#[derive(Debug, Clone)]
pub struct Visitor {
    pub graduate_id: i64,
    pub name: String,
    pub institution: String,
    pub major: String,
    pub level: String,
    pub online: bool,
    pub at: String,
}
