//! Registrations (报名) and the door (签到). A graduate of the fair's audience
//! registers; past the capacity it waits and moves up, in order, when a place
//! is given back. At the door a host scans the graduate's pass or types its
//! student or ID number; the first scan checks it in, every later one (a
//! second scanner, a retry after a dropped connection) changes nothing.

use chrono::{DateTime, Utc};
use kernel::audit::{self, AuditActor, Change, Subject};
use kernel::auth::secret::SigningKey;
use kernel::db::Record;
use kernel::{time, Db, DbResult, Locale, Row, Tx};
use registry::notices::{tell_recipient, Recipient};
use serde_json::json;

use super::booths::{self, lock_fair, BoothStatus};
use super::rules::{door_code, place, read_pass, Attendee, DoorCode, Holder, PassRefusal, Place};
use super::Fair;

/// A graduate as the fair's pages and the door know it.
#[derive(Debug, Clone)]
pub struct Person {
    pub id: i64,
    pub institution_id: i64,
    pub institution: String,
    pub name: String,
    pub level: String,
    pub in_key_group: bool,
}

impl Person {
    pub fn attendee(&self) -> Attendee {
        Attendee { institution_id: self.institution_id, level: self.level.clone(), in_key_group: self.in_key_group }
    }
}

const PERSON: &str = "SELECT g.id, g.institution_id, i.name AS institution, g.name, g.education_level, g.key_groups \
    FROM graduates g JOIN institutions i ON i.id = g.institution_id";

fn person_of(r: &Row) -> DbResult<Person> {
    Ok(Person {
        id: r.i64("id")?,
        institution_id: r.i64("institution_id")?,
        institution: r.text("institution")?,
        name: r.text("name")?,
        level: r.text("education_level")?,
        in_key_group: !r.text("key_groups")?.trim().is_empty(),
    })
}

pub async fn person(db: &Db, graduate_id: i64) -> DbResult<Option<Person>> {
    db.fetch_optional(&format!("{PERSON} WHERE g.id = $1"), &[graduate_id.into()])
        .await?
        .as_ref()
        .map(person_of)
        .transpose()
}

/// Where a registration stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Registered {
    /// 已报名
    Confirmed,
    /// 候补
    Waiting,
    /// 已取消
    Cancelled,
    /// 现场签到（未报名）
    WalkIn,
}

impl Registered {
    pub fn key(self) -> &'static str {
        match self {
            Registered::Confirmed => "registered",
            Registered::Waiting => "waiting",
            Registered::Cancelled => "cancelled",
            Registered::WalkIn => "walk_in",
        }
    }
    pub fn parse(s: &str) -> Registered {
        match s {
            "waiting" => Registered::Waiting,
            "cancelled" => Registered::Cancelled,
            "walk_in" => Registered::WalkIn,
            _ => Registered::Confirmed,
        }
    }
    pub fn label(self, l: Locale) -> &'static str {
        match self {
            Registered::Confirmed => l.pick("已报名", "Registered"),
            Registered::Waiting => l.pick("候补", "Waiting list"),
            Registered::Cancelled => l.pick("已取消", "Cancelled"),
            Registered::WalkIn => l.pick("现场签到", "Walk-in"),
        }
    }
}

/// A graduate's registration for a fair.
#[derive(Debug, Clone)]
pub struct Registration {
    pub id: i64,
    pub fair_id: i64,
    pub status: Registered,
    pub checked_in_at: Option<String>,
}

pub async fn of_graduate_at(db: &Db, fair_id: i64, graduate_id: i64) -> DbResult<Option<Registration>> {
    let row = db
        .fetch_optional(
            "SELECT id, fair_id, status, checked_in_at FROM fair_registrations WHERE fair_id = $1 AND graduate_id = $2",
            &[fair_id.into(), graduate_id.into()],
        )
        .await?;
    row.map(|r| {
        Ok(Registration {
            id: r.i64("id")?,
            fair_id: r.i64("fair_id")?,
            status: Registered::parse(&r.text("status")?),
            checked_in_at: r.opt_text("checked_in_at")?.map(|t| time::display(&t)),
        })
    })
    .transpose()
}

/// The fairs a graduate registered for (not cancelled), soonest first: (fair id, registration).
pub async fn of_graduate(db: &Db, graduate_id: i64) -> DbResult<Vec<i64>> {
    db.fetch_all(
        "SELECT r.fair_id FROM fair_registrations r JOIN fairs f ON f.id = r.fair_id \
         WHERE r.graduate_id = $1 AND r.status <> 'cancelled' ORDER BY f.starts_at",
        &[graduate_id.into()],
    )
    .await?
    .iter()
    .map(|r| r.i64("fair_id"))
    .collect()
}

/// Why a registration is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegistrationRefusal {
    NotOpen,
    Ended,
    NotInAudience,
    Already,
}

impl RegistrationRefusal {
    pub fn message(self, l: Locale) -> &'static str {
        match self {
            RegistrationRefusal::NotOpen => {
                l.pick("该活动当前不接受报名。", "This event is not taking registrations now.")
            }
            RegistrationRefusal::Ended => {
                l.pick("活动已结束，报名已关闭。", "The event has ended; registration is closed.")
            }
            RegistrationRefusal::NotInAudience => {
                l.pick("本场活动不面向你所在的群体，无法报名。", "This event is not open to you.")
            }
            RegistrationRefusal::Already => l.pick("你已报名本场活动。", "You have already registered."),
        }
    }
}

async fn taken(tx: &mut Tx, fair_id: i64) -> DbResult<i64> {
    tx.fetch_one(
        "SELECT COUNT(*) AS n FROM fair_registrations WHERE fair_id = $1 AND status IN ('registered', 'walk_in')",
        &[fair_id.into()],
    )
    .await?
    .i64("n")
}

/// A graduate registers: a place, or the waiting list when the fair is full.
pub async fn register(
    tx: &mut Tx,
    who: &AuditActor,
    fair: &Fair,
    person: &Person,
    now: DateTime<Utc>,
) -> DbResult<Result<Place, RegistrationRefusal>> {
    if fair.ends_at < now {
        return Ok(Err(RegistrationRefusal::Ended));
    }
    if !fair.status.takes_registrations() {
        return Ok(Err(RegistrationRefusal::NotOpen));
    }
    if !fair.audience.admits(&person.attendee()) {
        return Ok(Err(RegistrationRefusal::NotInAudience));
    }
    lock_fair(tx, fair.id).await?;
    let existing = tx
        .fetch_optional(
            "SELECT id, status FROM fair_registrations WHERE fair_id = $1 AND graduate_id = $2",
            &[fair.id.into(), person.id.into()],
        )
        .await?;
    let placed = place(taken(tx, fair.id).await?, fair.capacity);
    let status = match placed {
        Place::Confirmed => Registered::Confirmed,
        Place::Waiting => Registered::Waiting,
    };
    let now = time::now_utc();
    let id = match existing {
        Some(r) if Registered::parse(&r.text("status")?) != Registered::Cancelled => {
            return Ok(Err(RegistrationRefusal::Already));
        }
        Some(r) => {
            let id = r.i64("id")?;
            let row = Record::new().set("status", status.key()).set("registered_at", now.as_str());
            tx.update("fair_registrations", row, "id", id).await?;
            id
        }
        None => {
            let row = Record::new()
                .set("fair_id", fair.id)
                .set("graduate_id", person.id)
                .set("status", status.key())
                .set("registered_at", now.as_str());
            tx.insert_id("fair_registrations", row).await?
        }
    };
    let change = Change::created("fair_registration", id, json!({ "fair_id": fair.id, "status": status.key() }))
        .about(Subject::graduate(person.id, person.institution_id));
    audit::record(tx, who, change).await?;
    Ok(Ok(placed))
}

/// A graduate gives its place back; the longest-waiting one moves up and is told.
pub async fn cancel(tx: &mut Tx, who: &AuditActor, fair: &Fair, person: &Person, r: &Registration) -> DbResult<()> {
    lock_fair(tx, fair.id).await?;
    tx.update("fair_registrations", Record::new().set("status", Registered::Cancelled.key()), "id", r.id).await?;
    let change = Change::new("cancel", "fair_registration", r.id)
        .before(json!({ "status": r.status.key() }))
        .after(json!({ "status": Registered::Cancelled.key() }))
        .about(Subject::graduate(person.id, person.institution_id));
    audit::record(tx, who, change).await?;
    if place(taken(tx, fair.id).await?, fair.capacity) == Place::Waiting {
        return Ok(());
    }
    let next = tx
        .fetch_optional(
            "SELECT r.id, r.graduate_id, g.institution_id FROM fair_registrations r JOIN graduates g ON g.id = r.graduate_id \
             WHERE r.fair_id = $1 AND r.status = 'waiting' ORDER BY r.registered_at, r.id LIMIT 1",
            &[fair.id.into()],
        )
        .await?;
    let Some(next) = next else { return Ok(()) };
    let (id, graduate_id) = (next.i64("id")?, next.i64("graduate_id")?);
    tx.update("fair_registrations", Record::new().set("status", Registered::Confirmed.key()), "id", id).await?;
    let change = Change::new("move_up", "fair_registration", id)
        .before(json!({ "status": "waiting" }))
        .after(json!({ "status": "registered" }))
        .about(Subject::graduate(graduate_id, next.i64("institution_id")?));
    audit::record(tx, who, change).await?;
    let message = format!("「{}」有名额空出，你已从候补转为报名成功。", fair.title);
    let link = format!("/fairs/{}", fair.id);
    tell_recipient(tx, who, Recipient::Graduate(graduate_id), "fair", &message, Some(&link)).await?;
    Ok(())
}

/// Who came through the door.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Admitted {
    /// A graduate; `first` is false for a repeated scan, `at` the first check-in.
    Graduate { name: String, institution: String, first: bool, at: String },
    /// An employer at its booth.
    Booth { employer: String, booth_no: String, first: bool, at: String },
}

/// Why the door refuses a code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DoorRefusal {
    Pass(PassRefusal),
    /// Neither a pass nor a student or ID number.
    Unreadable,
    /// No graduate of the cohort with that number.
    Unknown,
    /// Several graduates share the student number (at different universities).
    Ambiguous,
    NotOpen,
    NotInAudience,
    /// A booth pass for a booth that is not approved at this fair.
    BoothNotApproved,
}

impl DoorRefusal {
    pub fn message(&self, l: Locale) -> String {
        match self {
            DoorRefusal::Pass(p) => p.message(l),
            DoorRefusal::Unreadable => l
                .pick(
                    "无法识别：请扫描入场码，或输入学号、身份证号。",
                    "Not readable: scan a pass, or type a student or ID number.",
                )
                .into(),
            DoorRefusal::Unknown => {
                l.pick("没有找到该学号或身份证号的本届毕业生。", "No graduate of this cohort has that number.").into()
            }
            DoorRefusal::Ambiguous => l
                .pick(
                    "多所高校有相同学号的毕业生，请改用身份证号或扫码。",
                    "Several graduates share that student number; use the ID number or the pass.",
                )
                .into(),
            DoorRefusal::NotOpen => l.pick("该活动当前不在签到时段。", "This event is not checking in now.").into(),
            DoorRefusal::NotInAudience => {
                l.pick("该毕业生不在本场活动的面向范围内。", "This graduate is not in the event's audience.").into()
            }
            DoorRefusal::BoothNotApproved => {
                l.pick("该单位在本场没有已通过的展位。", "This employer has no approved booth at this event.").into()
            }
        }
    }
}

/// The graduate a typed number names: an ID number (18 characters) or a
/// student number; a student number shared across universities is ambiguous
/// unless only one of them registered for this fair.
async fn by_number(db: &Db, fair: &Fair, number: &str) -> DbResult<Result<Person, DoorRefusal>> {
    let rows = db
        .fetch_all(
            &format!(
                "{PERSON} WHERE g.cohort_year = $1 AND (g.student_no = $2 OR g.id_number = $2) ORDER BY g.id LIMIT 20"
            ),
            &[fair.cohort.into(), number.into()],
        )
        .await?;
    let people = rows.iter().map(person_of).collect::<DbResult<Vec<_>>>()?;
    if people.len() <= 1 {
        return Ok(people.into_iter().next().ok_or(DoorRefusal::Unknown));
    }
    let mut registered = Vec::new();
    for p in people {
        let found = db
            .fetch_optional(
                "SELECT 1 AS x FROM fair_registrations WHERE fair_id = $1 AND graduate_id = $2",
                &[fair.id.into(), p.id.into()],
            )
            .await?;
        if found.is_some() {
            registered.push(p);
        }
    }
    match registered.len() {
        1 => Ok(registered.pop().ok_or(DoorRefusal::Ambiguous)),
        _ => Ok(Err(DoorRefusal::Ambiguous)),
    }
}

async fn by_id(db: &Db, graduate_id: i64) -> DbResult<Option<Person>> {
    db.fetch_optional(&format!("{PERSON} WHERE g.id = $1"), &[graduate_id.into()])
        .await?
        .as_ref()
        .map(person_of)
        .transpose()
}

/// The graduate a scanned pass or a typed number names, for a fair open at the door.
pub async fn graduate_of(
    db: &Db,
    key: &SigningKey,
    fair: &Fair,
    code: &str,
    now: DateTime<Utc>,
) -> DbResult<Result<Person, DoorRefusal>> {
    match door_code(code) {
        None => Ok(Err(DoorRefusal::Unreadable)),
        Some(DoorCode::Number(n)) => by_number(db, fair, &n).await,
        Some(DoorCode::Pass(token)) => match read_pass(key, &token, fair.id, now) {
            Err(refusal) => Ok(Err(DoorRefusal::Pass(refusal))),
            Ok(Holder::Booth(_)) => Ok(Err(DoorRefusal::Unreadable)),
            Ok(Holder::Graduate(id)) => Ok(by_id(db, id).await?.ok_or(DoorRefusal::Unknown)),
        },
    }
}

/// Who a code at the door names, read before the door's transaction so the
/// writer is held only for the writes.
#[derive(Debug, Clone)]
pub enum Entrant {
    Graduate(Person),
    Booth(i64),
}

/// Whom the code names at the fair's door, or why the door refuses it.
pub async fn entrant(
    db: &Db,
    key: &SigningKey,
    fair: &Fair,
    code: &str,
    now: DateTime<Utc>,
) -> DbResult<Result<Entrant, DoorRefusal>> {
    if !fair.status.checks_in() {
        return Ok(Err(DoorRefusal::NotOpen));
    }
    if let Some(DoorCode::Pass(token)) = door_code(code) {
        if let Ok(Holder::Booth(booth_id)) = read_pass(key, &token, fair.id, now) {
            return Ok(Ok(Entrant::Booth(booth_id)));
        }
    }
    Ok(match graduate_of(db, key, fair, code, now).await? {
        Ok(p) if !fair.audience.admits(&p.attendee()) => Err(DoorRefusal::NotInAudience),
        Ok(p) => Ok(Entrant::Graduate(p)),
        Err(refusal) => Err(refusal),
    })
}

/// Checks in whom [`entrant`] found, in the caller's transaction.
pub async fn check_in(
    tx: &mut Tx,
    who: &AuditActor,
    fair: &Fair,
    entrant: Entrant,
    by_account: i64,
) -> DbResult<Result<Admitted, DoorRefusal>> {
    let person = match entrant {
        Entrant::Booth(booth_id) => return booth_in(tx, who, fair, booth_id).await,
        Entrant::Graduate(p) => p,
    };
    // One statement for a first check-in (registered or walking in): the conflict's update only
    // touches a registration not yet checked in, so a repeated scan returns no row and writes nothing.
    let stamp = time::now_utc();
    let checked = tx
        .fetch_optional(
            "INSERT INTO fair_registrations (fair_id, graduate_id, status, registered_at, checked_in_at, checked_in_by) \
             VALUES ($1, $2, 'walk_in', $3, $3, $4) ON CONFLICT (fair_id, graduate_id) DO UPDATE \
             SET checked_in_at = excluded.checked_in_at, checked_in_by = excluded.checked_in_by, \
             status = CASE WHEN fair_registrations.status = 'cancelled' THEN 'walk_in' ELSE fair_registrations.status END \
             WHERE fair_registrations.checked_in_at IS NULL RETURNING id, checked_in_at",
            &[fair.id.into(), person.id.into(), stamp.as_str().into(), by_account.into()],
        )
        .await?;
    let first = checked.is_some();
    let row = match checked {
        Some(row) => row,
        None => {
            tx.fetch_one(
                "SELECT id, checked_in_at FROM fair_registrations WHERE fair_id = $1 AND graduate_id = $2",
                &[fair.id.into(), person.id.into()],
            )
            .await?
        }
    };
    let at = row.text("checked_in_at")?;
    if first {
        let change = Change::new("check_in", "fair_registration", row.i64("id")?)
            .after(json!({ "fair_id": fair.id, "checked_in_at": at }))
            .about(Subject::graduate(person.id, person.institution_id));
        audit::record(tx, who, change).await?;
    }
    Ok(Ok(Admitted::Graduate { name: person.name, institution: person.institution, first, at: time::display(&at) }))
}

async fn booth_in(
    tx: &mut Tx,
    who: &AuditActor,
    fair: &Fair,
    booth_id: i64,
) -> DbResult<Result<Admitted, DoorRefusal>> {
    let row = tx
        .fetch_optional(
            "SELECT b.id, b.status, b.booth_no, e.name FROM fair_booths b JOIN employers e ON e.id = b.employer_id \
             WHERE b.id = $1 AND b.fair_id = $2",
            &[booth_id.into(), fair.id.into()],
        )
        .await?;
    let Some(row) = row.filter(|r| r.text("status").is_ok_and(|s| s == BoothStatus::Approved.key())) else {
        return Ok(Err(DoorRefusal::BoothNotApproved));
    };
    let first = booths::check_in(tx, who, booth_id).await?;
    let at = tx.fetch_one("SELECT checked_in_at FROM fair_booths WHERE id = $1", &[booth_id.into()]).await?;
    Ok(Ok(Admitted::Booth {
        employer: row.text("name")?,
        booth_no: row.opt_text("booth_no")?.unwrap_or_default(),
        first,
        at: time::display(&at.text("checked_in_at")?),
    }))
}

/// The postings a graduate has applied to among those the fair's booths bring.
pub async fn applied_at(db: &Db, fair_id: i64, graduate_id: i64) -> DbResult<Vec<i64>> {
    db.fetch_all(
        "SELECT a.posting_id FROM applications a WHERE a.graduate_id = $1 AND a.posting_id IN \
         (SELECT bp.posting_id FROM fair_booth_postings bp JOIN fair_booths b ON b.id = bp.booth_id WHERE b.fair_id = $2)",
        &[graduate_id.into(), fair_id.into()],
    )
    .await?
    .iter()
    .map(|r| r.i64("posting_id"))
    .collect()
}

/// The approved booth at the fair that brings a posting, if any.
pub async fn booth_bringing(db: &Db, fair_id: i64, posting_id: i64) -> DbResult<Option<i64>> {
    db.fetch_optional(
        "SELECT b.id FROM fair_booths b JOIN fair_booth_postings bp ON bp.booth_id = b.id \
         WHERE b.fair_id = $1 AND bp.posting_id = $2 AND b.status = 'approved'",
        &[fair_id.into(), posting_id.into()],
    )
    .await?
    .map(|r| r.i64("id"))
    .transpose()
}

/// Marks an application as made at a fair, so its interviews and offers count there.
pub async fn applied_at_fair(tx: &mut Tx, application_id: i64, fair_id: i64) -> DbResult<()> {
    tx.execute("UPDATE applications SET fair_id = $1 WHERE id = $2", &[fair_id.into(), application_id.into()]).await?;
    Ok(())
}

/// How many came through the door.
pub async fn attended(db: &Db, fair_id: i64) -> DbResult<i64> {
    db.fetch_one(
        "SELECT COUNT(*) AS n FROM fair_registrations WHERE fair_id = $1 AND checked_in_at IS NOT NULL",
        &[fair_id.into()],
    )
    .await?
    .i64("n")
}
