//! Online fairs (网络专场 / 云就业): a booth goes online; registered graduates
//! queue at it (排队), see its jobs and apply, and write with it in text; the
//! employer calls the next one and offers an interview with a meeting link
//! through the applications' own interview step. Joining a queue counts as a
//! visit to the booth, as a scan does on site.

use kernel::audit::{self, AuditActor, Change, Subject};
use kernel::db::Record;
use kernel::{time, Db, DbResult, Locale, Row, Tx};
use serde_json::json;

use crate::applications::flow::Stage;

use super::attendance::Person;
use super::booths::{self, Booth};
use super::rules::Mode;
use super::Fair;

/// Whether a fair has an online hall: held online (or both), or moved online.
pub fn has_lobby(fair: &Fair) -> bool {
    fair.mode != Mode::Offline
}

/// Where a graduate stands in a booth's queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InQueue {
    /// 排队中
    Waiting,
    /// 已叫号: the employer is ready to talk
    Called,
    /// 已离开
    Left,
}

impl InQueue {
    pub fn key(self) -> &'static str {
        match self {
            InQueue::Waiting => "waiting",
            InQueue::Called => "called",
            InQueue::Left => "left",
        }
    }
    pub fn parse(s: &str) -> InQueue {
        match s {
            "called" => InQueue::Called,
            "left" => InQueue::Left,
            _ => InQueue::Waiting,
        }
    }
    pub fn label(self, l: Locale) -> &'static str {
        match self {
            InQueue::Waiting => l.pick("排队中", "Waiting"),
            InQueue::Called => l.pick("已叫号，请与单位沟通", "Called: talk to the employer"),
            InQueue::Left => l.pick("已离开", "Left"),
        }
    }
}

/// A booth in the lobby, with how many wait at it (online or not is the booth's own).
#[derive(Debug, Clone)]
pub struct LobbyBooth {
    pub booth: Booth,
    pub waiting: i64,
}

/// The fair's approved booths, online ones first, with their queues' lengths.
pub async fn lobby(db: &Db, fair_id: i64) -> DbResult<Vec<LobbyBooth>> {
    let rows = db
        .fetch_all(
            "SELECT q.booth_id, COUNT(*) AS waiting FROM fair_queue q JOIN fair_booths b ON b.id = q.booth_id \
             WHERE b.fair_id = $1 AND q.status = 'waiting' GROUP BY q.booth_id",
            &[fair_id.into()],
        )
        .await?;
    let waiting: std::collections::HashMap<i64, i64> =
        rows.iter().map(|r| Ok((r.i64("booth_id")?, r.i64("waiting")?))).collect::<DbResult<_>>()?;
    let mut booths: Vec<LobbyBooth> = booths::of_fair(db, fair_id)
        .await?
        .into_iter()
        .filter(|b| b.status == booths::BoothStatus::Approved)
        .map(|b| LobbyBooth { waiting: waiting.get(&b.id).copied().unwrap_or(0), booth: b })
        .collect();
    booths.sort_by_key(|b| !b.booth.online);
    Ok(booths)
}

/// How many wait at one booth.
pub async fn waiting(db: &Db, booth_id: i64) -> DbResult<i64> {
    db.fetch_one("SELECT COUNT(*) AS n FROM fair_queue WHERE booth_id = $1 AND status = 'waiting'", &[booth_id.into()])
        .await?
        .i64("n")
}

/// The employer takes its booth online, or offline.
pub async fn set_online(tx: &mut Tx, who: &AuditActor, booth: &Booth, online: bool) -> DbResult<()> {
    let at = online.then(time::now_utc);
    tx.update("fair_booths", Record::new().set("online_at", at), "id", booth.id).await?;
    let action = if online { "go_online" } else { "go_offline" };
    audit::record(tx, who, Change::new(action, "fair_booth", booth.id)).await
}

/// A graduate's place in a booth's queue.
#[derive(Debug, Clone)]
pub struct Place {
    pub status: InQueue,
    /// 1 for the first waiting; `None` unless waiting.
    pub position: Option<i64>,
}

/// Where a graduate stands at a booth, if it ever queued there.
pub async fn place_of(db: &Db, booth_id: i64, graduate_id: i64) -> DbResult<Option<Place>> {
    let row = db
        .fetch_optional(
            "SELECT q.status, (SELECT COUNT(*) FROM fair_queue o WHERE o.booth_id = q.booth_id AND o.status = 'waiting' \
             AND (o.joined_at < q.joined_at OR (o.joined_at = q.joined_at AND o.id <= q.id))) AS position \
             FROM fair_queue q WHERE q.booth_id = $1 AND q.graduate_id = $2",
            &[booth_id.into(), graduate_id.into()],
        )
        .await?;
    row.map(|r| {
        let status = InQueue::parse(&r.text("status")?);
        Ok(Place { status, position: (status == InQueue::Waiting).then_some(r.i64("position")?) })
    })
    .transpose()
}

/// A graduate joins a booth's queue (again, if it left): counted as a visit.
pub async fn join(tx: &mut Tx, who: &AuditActor, booth: &Booth, person: &Person) -> DbResult<()> {
    let now = time::now_utc();
    let existing = tx
        .fetch_optional(
            "SELECT id, status FROM fair_queue WHERE booth_id = $1 AND graduate_id = $2",
            &[booth.id.into(), person.id.into()],
        )
        .await?;
    let id = match existing {
        Some(r) if InQueue::parse(&r.text("status")?) != InQueue::Left => return Ok(()),
        Some(r) => {
            let id = r.i64("id")?;
            let row = Record::new()
                .set("status", InQueue::Waiting.key())
                .set("joined_at", now.as_str())
                .set("called_at", None::<String>);
            tx.update("fair_queue", row, "id", id).await?;
            id
        }
        None => {
            let row = Record::new()
                .set("booth_id", booth.id)
                .set("graduate_id", person.id)
                .set("status", InQueue::Waiting.key())
                .set("joined_at", now.as_str());
            tx.insert_id("fair_queue", row).await?
        }
    };
    let change = Change::new("join", "fair_queue", id)
        .after(json!({ "booth_id": booth.id, "status": "waiting" }))
        .about(Subject::graduate(person.id, person.institution_id));
    audit::record(tx, who, change).await?;
    booths::visit(tx, who, booth.id, person, "online").await?;
    Ok(())
}

/// A graduate leaves a booth's queue.
pub async fn leave(tx: &mut Tx, who: &AuditActor, booth: &Booth, person: &Person) -> DbResult<bool> {
    let changed = tx
        .execute(
            "UPDATE fair_queue SET status = 'left' WHERE booth_id = $1 AND graduate_id = $2 AND status <> 'left'",
            &[booth.id.into(), person.id.into()],
        )
        .await?;
    if changed == 1 {
        let change = Change::new("leave", "fair_queue", booth.id)
            .after(json!({ "status": "left" }))
            .about(Subject::graduate(person.id, person.institution_id));
        audit::record(tx, who, change).await?;
    }
    Ok(changed == 1)
}

/// A graduate at the booth's desk, as the employer sees it (no ID or phone number).
#[derive(Debug, Clone)]
pub struct Queued {
    pub graduate_id: i64,
    pub name: String,
    pub institution: String,
    pub major: String,
    pub status: InQueue,
    pub joined_at: String,
    /// Its applications to the jobs this booth brings.
    pub applications: Vec<Applied>,
}

/// An application to one of the booth's jobs, as the desk shows it.
#[derive(Debug, Clone)]
pub struct Applied {
    pub id: i64,
    pub title: String,
    pub stage: Stage,
}

impl Applied {
    /// 初筛 comes before an interview may be offered.
    pub fn may_shortlist(&self) -> bool {
        self.stage.employer_moves().contains(&Stage::Shortlisted)
    }
    pub fn may_interview(&self) -> bool {
        self.stage == Stage::Shortlisted
    }
}

fn queued_of(r: &Row) -> DbResult<Queued> {
    Ok(Queued {
        graduate_id: r.i64("graduate_id")?,
        name: r.text("name")?,
        institution: r.text("institution")?,
        major: r.text("major")?,
        status: InQueue::parse(&r.text("status")?),
        joined_at: time::display(&r.text("joined_at")?),
        applications: Vec::new(),
    })
}

/// The booth's queue, called ones first, then the waiting in order of arrival.
pub async fn queue(db: &Db, booth_id: i64) -> DbResult<Vec<Queued>> {
    let rows = db
        .fetch_all(
            "SELECT q.graduate_id, g.name, i.name AS institution, m.name AS major, q.status, q.joined_at \
             FROM fair_queue q JOIN graduates g ON g.id = q.graduate_id JOIN institutions i ON i.id = g.institution_id \
             JOIN majors m ON m.id = g.major_id WHERE q.booth_id = $1 AND q.status <> 'left' \
             ORDER BY CASE q.status WHEN 'called' THEN 0 ELSE 1 END, q.joined_at, q.id",
            &[booth_id.into()],
        )
        .await?;
    let mut queued = rows.iter().map(queued_of).collect::<DbResult<Vec<_>>>()?;
    let applications = db
        .fetch_all(
            "SELECT a.id, a.graduate_id, p.title, a.stage FROM applications a JOIN postings p ON p.id = a.posting_id \
             JOIN fair_booth_postings bp ON bp.posting_id = a.posting_id WHERE bp.booth_id = $1 \
             AND a.graduate_id IN (SELECT graduate_id FROM fair_queue WHERE booth_id = $1 AND status <> 'left') ORDER BY a.id",
            &[booth_id.into()],
        )
        .await?;
    for r in &applications {
        let graduate_id = r.i64("graduate_id")?;
        let stage = Stage::parse(&r.text("stage")?).unwrap_or(Stage::Received);
        if let Some(q) = queued.iter_mut().find(|q| q.graduate_id == graduate_id) {
            q.applications.push(Applied { id: r.i64("id")?, title: r.text("title")?, stage });
        }
    }
    Ok(queued)
}

/// The employer calls the longest-waiting graduate; returns it, if anyone waits. The graduate is told.
pub async fn call_next(tx: &mut Tx, who: &AuditActor, fair: &Fair, booth: &Booth) -> DbResult<Option<i64>> {
    let next = tx
        .fetch_optional(
            "SELECT id, graduate_id FROM fair_queue WHERE booth_id = $1 AND status = 'waiting' ORDER BY joined_at, id LIMIT 1",
            &[booth.id.into()],
        )
        .await?;
    let Some(next) = next else { return Ok(None) };
    let (id, graduate_id) = (next.i64("id")?, next.i64("graduate_id")?);
    let now = time::now_utc();
    // Guarded by the status read, so two of the employer's tabs never call the same graduate twice.
    let called = tx
        .execute(
            "UPDATE fair_queue SET status = 'called', called_at = $1 WHERE id = $2 AND status = 'waiting'",
            &[now.as_str().into(), id.into()],
        )
        .await?;
    if called == 0 {
        return Ok(None);
    }
    audit::record(tx, who, Change::new("call", "fair_queue", id).after(json!({ "status": "called" }))).await?;
    let message = format!("「{}」{}：轮到你了，请进入展位沟通。", fair.title, booth.employer);
    let link = format!("/fairs/{}/booths/{}", fair.id, booth.id);
    let graduate = registry::notices::Recipient::Graduate(graduate_id);
    registry::notices::tell_recipient(tx, who, graduate, "fair", &message, Some(&link)).await?;
    Ok(Some(graduate_id))
}

/// One line of a booth's conversation with a graduate.
#[derive(Debug, Clone)]
pub struct Line {
    pub from_employer: bool,
    pub body: String,
    pub at: String,
}

/// The most a line may hold: a chat, not a letter.
pub const LINE_CHARS: usize = 1_000;

/// Writes a line in the conversation between a booth and a graduate.
pub async fn say(
    tx: &mut Tx,
    who: &AuditActor,
    booth_id: i64,
    person: &Person,
    from_employer: bool,
    body: &str,
) -> DbResult<()> {
    let row = Record::new()
        .set("booth_id", booth_id)
        .set("graduate_id", person.id)
        .set("from_employer", from_employer)
        .set("body", body)
        .set("at", time::now_utc());
    let id = tx.insert_id("fair_chat", row).await?;
    let change = Change::created("fair_chat", id, json!({ "booth_id": booth_id, "from_employer": from_employer }))
        .about(Subject::graduate(person.id, person.institution_id));
    audit::record(tx, who, change).await
}

/// The conversation, oldest first; the latest 200 lines.
pub async fn thread(db: &Db, booth_id: i64, graduate_id: i64) -> DbResult<Vec<Line>> {
    let rows = db
        .fetch_all(
            "SELECT from_employer, body, at FROM fair_chat WHERE booth_id = $1 AND graduate_id = $2 ORDER BY id DESC LIMIT 200",
            &[booth_id.into(), graduate_id.into()],
        )
        .await?;
    let mut lines = rows
        .iter()
        .map(|r| {
            Ok(Line {
                from_employer: r.bool("from_employer")?,
                body: r.text("body")?,
                at: time::display(&r.text("at")?),
            })
        })
        .collect::<DbResult<Vec<_>>>()?;
    lines.reverse();
    Ok(lines)
}

/// Whether the graduate queued at the booth (so the employer may write to it).
pub async fn queued_at(db: &Db, booth_id: i64, graduate_id: i64) -> DbResult<bool> {
    Ok(db
        .fetch_optional(
            "SELECT 1 AS x FROM fair_queue WHERE booth_id = $1 AND graduate_id = $2",
            &[booth_id.into(), graduate_id.into()],
        )
        .await?
        .is_some())
}
