//! One-to-one guidance with mentors (导师一对一指导): the SQL of slots,
//! bookings, marks and reminders. The time rules are the appointments' rules
//! (`assistance::appointments::rules`); the partial unique indexes of
//! `mentor_bookings` let one booking stand per slot and one open booking per
//! graduate and mentor, whichever engine runs two at once. A held booking of a
//! graduate in the key-group register becomes a guidance entry in its
//! assistance file in the same transaction (`assistance::store::add_entry`).

use chrono::{Duration, NaiveDate, NaiveDateTime};
use kernel::audit::{self, AuditActor, Change, Subject};
use kernel::db::Record;
use kernel::{time, Db, DbError, DbResult, Locale, Row, Tx};
use registry::notices::{self, Recipient};
use serde_json::json;

use assistance::appointments::rules::{self as times, Mode, NewSlots, Problem, Reminder};

use super::pool::Mentor;
use super::rules;

/// Booking states (the appointments' words).
pub use assistance::appointments::rules::{BOOKED, CANCELLED_BY_GRADUATE, HELD, MISSED, WITHDRAWN};

#[derive(Debug, Clone)]
pub struct Booking {
    pub id: i64,
    pub graduate_id: i64,
    pub graduate: String,
    pub topic: String,
    pub state: String,
    pub note: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Slot {
    pub id: i64,
    pub mentor_id: i64,
    pub mentor: String,
    pub mentor_account: i64,
    pub organisation: String,
    pub starts: NaiveDateTime,
    pub minutes: i64,
    pub mode: String,
    pub place: String,
    pub cancel_reason: Option<String>,
    pub booking: Option<Booking>,
}

impl Slot {
    pub fn cancelled(&self) -> bool {
        self.cancel_reason.is_some()
    }
    pub fn starts_text(&self) -> String {
        times::at_text(self.starts)
    }
    pub fn day(&self) -> NaiveDate {
        self.starts.date()
    }
    pub fn mode_label(&self, l: Locale) -> &'static str {
        Mode::label(&self.mode, l)
    }
    pub fn state_label(&self, state: &str, l: Locale) -> &'static str {
        times::state_label(state, l)
    }
}

const SLOT: &str = "SELECT s.id, s.mentor_id, m.name AS mentor, m.account_id AS mentor_account, m.organisation, \
     s.starts_at, s.minutes, s.mode, s.place, s.cancelled_at, s.cancel_reason, b.id AS booking_id, b.graduate_id, \
     g.name AS graduate, b.topic, b.state, b.note FROM mentor_slots s JOIN mentors m ON m.id = s.mentor_id \
     LEFT JOIN mentor_bookings b ON b.slot_id = s.id AND b.state IN ('booked', 'held', 'missed') \
     LEFT JOIN graduates g ON g.id = b.graduate_id";

fn slot_of(r: &Row) -> DbResult<Slot> {
    let starts_at = r.text("starts_at")?;
    let starts = times::parse_at(&starts_at).ok_or_else(|| DbError::Column(format!("starts_at {starts_at}")))?;
    let booking = match r.opt_i64("booking_id")? {
        Some(id) => Some(Booking {
            id,
            graduate_id: r.i64("graduate_id")?,
            graduate: r.opt_text("graduate")?.unwrap_or_default(),
            topic: r.text("topic")?,
            state: r.text("state")?,
            note: r.opt_text("note")?,
        }),
        None => None,
    };
    let cancel_reason = match r.opt_text("cancelled_at")? {
        Some(_) => Some(r.opt_text("cancel_reason")?.unwrap_or_default()),
        None => None,
    };
    Ok(Slot {
        id: r.i64("id")?,
        mentor_id: r.i64("mentor_id")?,
        mentor: r.text("mentor")?,
        mentor_account: r.i64("mentor_account")?,
        organisation: r.text("organisation")?,
        starts,
        minutes: r.i64("minutes")?,
        mode: r.text("mode")?,
        place: r.text("place")?,
        cancel_reason,
        booking,
    })
}

/// A mentor's slots from `from`, by time (at most 300).
pub async fn of_mentor(db: &Db, mentor: i64, from: NaiveDate) -> DbResult<Vec<Slot>> {
    let rows = db
        .fetch_all(
            &format!("{SLOT} WHERE s.mentor_id = $1 AND s.starts_at >= $2 ORDER BY s.starts_at, s.id LIMIT 300"),
            &[mentor.into(), from.to_string().into()],
        )
        .await?;
    rows.iter().map(slot_of).collect()
}

pub async fn slot(db: &Db, id: i64) -> DbResult<Option<Slot>> {
    let row = db.fetch_optional(&format!("{SLOT} WHERE s.id = $1"), &[id.into()]).await?;
    row.as_ref().map(slot_of).transpose()
}

async fn slot_in(tx: &mut Tx, id: i64) -> DbResult<Option<Slot>> {
    let row = tx.fetch_optional(&format!("{SLOT} WHERE s.id = $1"), &[id.into()]).await?;
    row.as_ref().map(slot_of).transpose()
}

/// Opens slots; refused whole when one overlaps an open slot of the mentor.
pub async fn open(tx: &mut Tx, who: &AuditActor, m: &Mentor, new: &NewSlots) -> DbResult<Result<Vec<i64>, Problem>> {
    let (Some(first), Some(last)) = (new.starts.first(), new.starts.last()) else { return Ok(Ok(Vec::new())) };
    let from = (first.date() - Duration::days(1)).to_string();
    let to = (last.date() + Duration::days(2)).to_string();
    let existing = tx
        .fetch_all(
            "SELECT starts_at, minutes FROM mentor_slots WHERE mentor_id = $1 AND cancelled_at IS NULL \
             AND starts_at >= $2 AND starts_at < $3",
            &[m.id.into(), from.into(), to.into()],
        )
        .await?;
    for r in &existing {
        let Some(at) = times::parse_at(&r.text("starts_at")?) else { continue };
        let minutes = u32::try_from(r.i64("minutes")?).unwrap_or(0);
        if new.starts.iter().any(|s| times::overlaps(*s, new.minutes, at, minutes)) {
            return Ok(Err(times::OVERLAP));
        }
    }
    let mut ids = Vec::new();
    for starts in &new.starts {
        let row = Record::new()
            .set("mentor_id", m.id)
            .set("starts_at", times::at_text(*starts))
            .set("minutes", new.minutes)
            .set("mode", new.mode.key())
            .set("place", new.place.as_str())
            .set("created_at", time::now_utc());
        let id = tx.insert_id("mentor_slots", row).await?;
        let after = json!({ "mentor_id": m.id, "starts_at": times::at_text(*starts), "minutes": new.minutes,
                            "mode": new.mode.key(), "place": new.place });
        audit::record(tx, who, Change::created("mentor_slot", id, after)).await?;
        ids.push(id);
    }
    Ok(Ok(ids))
}

/// The graduate's page.
pub const MINE: &str = "/me/mentors";

#[allow(clippy::too_many_arguments)]
async fn close(
    tx: &mut Tx,
    who: &AuditActor,
    id: i64,
    graduate: i64,
    institution: i64,
    from: &str,
    to: &str,
    note: Option<&str>,
) -> DbResult<bool> {
    let n = tx
        .execute(
            "UPDATE mentor_bookings SET state = $1, closed_at = $2, closed_by_label = $3, note = $4 \
             WHERE id = $5 AND state = $6",
            &[
                to.into(),
                time::now_utc().into(),
                who.label.as_str().into(),
                note.map(str::to_owned).into(),
                id.into(),
                from.into(),
            ],
        )
        .await?;
    if n == 0 {
        return Ok(false);
    }
    let change = Change::new(to, "mentor_booking", id)
        .before(json!({ "state": from }))
        .after(json!({ "state": to, "note": note }))
        .about(Subject::graduate(graduate, institution));
    audit::record(tx, who, change).await?;
    Ok(true)
}

/// The mentor cancels an open slot with a reason; a graduate who booked it is told.
pub async fn cancel_slot(tx: &mut Tx, who: &AuditActor, slot: &Slot, reason: &str) -> DbResult<bool> {
    let n = tx
        .execute(
            "UPDATE mentor_slots SET cancelled_at = $1, cancel_reason = $2 WHERE id = $3 AND cancelled_at IS NULL",
            &[time::now_utc().into(), reason.into(), slot.id.into()],
        )
        .await?;
    if n == 0 {
        return Ok(false);
    }
    audit::record(tx, who, Change::new("cancel", "mentor_slot", slot.id).after(json!({ "reason": reason }))).await?;
    if let Some(b) = slot.booking.as_ref().filter(|b| b.state == BOOKED) {
        let institution = institution_of(tx, b.graduate_id).await?;
        close(tx, who, b.id, b.graduate_id, institution, BOOKED, WITHDRAWN, Some(reason)).await?;
        let message = format!(
            "导师 {} 取消了 {} 的一对一指导（原因：{reason}）。 / Mentor {} cancelled the guidance at {} (reason: {reason}).",
            slot.mentor,
            slot.starts_text(),
            slot.mentor,
            slot.starts_text()
        );
        notices::tell_recipient(tx, who, Recipient::Graduate(b.graduate_id), "mentor", &message, Some(MINE)).await?;
    }
    Ok(true)
}

async fn institution_of(tx: &mut Tx, graduate: i64) -> DbResult<i64> {
    tx.fetch_one("SELECT institution_id FROM graduates WHERE id = $1", &[graduate.into()]).await?.i64("institution_id")
}

/// A booking as the graduate's page and the mark form see it.
#[derive(Debug, Clone)]
pub struct Appointment {
    pub id: i64,
    pub slot: Slot,
    pub graduate_id: i64,
    pub institution_id: i64,
    pub topic: String,
    pub state: String,
    pub note: Option<String>,
}

impl Appointment {
    pub fn state_label(&self, l: Locale) -> &'static str {
        times::state_label(&self.state, l)
    }
    pub fn is_booked(&self) -> bool {
        self.state == BOOKED
    }
}

const APPOINTMENT: &str =
    "SELECT a.id AS appointment_id, a.graduate_id AS owner_id, a.institution_id AS owner_institution, \
     a.topic AS owner_topic, a.state AS owner_state, a.note AS owner_note, s.id, s.mentor_id, m.name AS mentor, \
     m.account_id AS mentor_account, m.organisation, s.starts_at, s.minutes, s.mode, s.place, s.cancelled_at, \
     s.cancel_reason, NULL AS booking_id, NULL AS graduate_id, NULL AS graduate, NULL AS topic, NULL AS state, \
     NULL AS note FROM mentor_bookings a JOIN mentor_slots s ON s.id = a.slot_id JOIN mentors m ON m.id = s.mentor_id";

fn appointment_of(r: &Row) -> DbResult<Appointment> {
    Ok(Appointment {
        id: r.i64("appointment_id")?,
        slot: slot_of(r)?,
        graduate_id: r.i64("owner_id")?,
        institution_id: r.i64("owner_institution")?,
        topic: r.text("owner_topic")?,
        state: r.text("owner_state")?,
        note: r.opt_text("owner_note")?,
    })
}

pub async fn appointment(db: &Db, id: i64) -> DbResult<Option<Appointment>> {
    let row = db.fetch_optional(&format!("{APPOINTMENT} WHERE a.id = $1"), &[id.into()]).await?;
    row.as_ref().map(appointment_of).transpose()
}

/// The graduate's own bookings, the coming ones first.
pub async fn of_graduate(db: &Db, graduate: i64) -> DbResult<Vec<Appointment>> {
    let rows = db
        .fetch_all(
            &format!(
                "{APPOINTMENT} WHERE a.graduate_id = $1 ORDER BY CASE a.state WHEN 'booked' THEN 0 ELSE 1 END, \
                 s.starts_at DESC, a.id DESC LIMIT 100"
            ),
            &[graduate.into()],
        )
        .await?;
    rows.iter().map(appointment_of).collect()
}

/// Free slots of published mentors from `now` for the appointments' offer window, optionally one mentor's.
pub async fn free(db: &Db, now: NaiveDateTime, mentor: Option<i64>) -> DbResult<Vec<Slot>> {
    let to = now.date() + Duration::days(times::OFFER_DAYS);
    let mut params: Vec<kernel::Value> = vec![times::at_text(now).into(), to.to_string().into()];
    let filter = match mentor {
        Some(m) => {
            params.push(m.into());
            " AND s.mentor_id = $3"
        }
        None => "",
    };
    let rows = db
        .fetch_all(
            &format!(
                "{SLOT} WHERE m.status = 'published' AND s.cancelled_at IS NULL AND s.starts_at > $1 \
                 AND s.starts_at < $2 AND b.id IS NULL{filter} ORDER BY s.starts_at, s.id LIMIT 200"
            ),
            &params,
        )
        .await?;
    rows.iter().map(slot_of).collect()
}

/// Why a booking did not happen.
#[derive(Debug)]
pub enum NotBooked {
    NotFound,
    Refused(Problem),
}

/// The graduate (id, name, institution) books a free slot of a published mentor.
pub async fn book(
    tx: &mut Tx,
    who: &AuditActor,
    graduate: (i64, &str, i64),
    slot_id: i64,
    topic: &str,
    now: NaiveDateTime,
) -> DbResult<Result<i64, NotBooked>> {
    let (graduate_id, name, institution) = graduate;
    let Some(slot) = slot_in(tx, slot_id).await? else { return Ok(Err(NotBooked::NotFound)) };
    let published = tx
        .fetch_optional("SELECT 1 AS yes FROM mentors WHERE id = $1 AND status = 'published'", &[slot.mentor_id.into()])
        .await?;
    if published.is_none() {
        return Ok(Err(NotBooked::NotFound));
    }
    if let Err(problem) = times::bookable(slot.starts, slot.cancelled(), now) {
        return Ok(Err(NotBooked::Refused(problem)));
    }
    if slot.booking.is_some() {
        return Ok(Err(NotBooked::Refused(times::TAKEN)));
    }
    let open = tx
        .fetch_one(
            "SELECT COUNT(*) AS n FROM mentor_bookings WHERE graduate_id = $1 AND state = 'booked'",
            &[graduate_id.into()],
        )
        .await?
        .i64("n")?;
    if let Err(problem) = rules::within_limit(open) {
        return Ok(Err(NotBooked::Refused(problem)));
    }
    let row = Record::new()
        .set("slot_id", slot.id)
        .set("mentor_id", slot.mentor_id)
        .set("graduate_id", graduate_id)
        .set("institution_id", institution)
        .set("topic", topic)
        .set("state", BOOKED)
        .set("booked_at", time::now_utc());
    let id = match tx.insert_id("mentor_bookings", row).await {
        Ok(id) => id,
        Err(DbError::Duplicate(key)) => {
            tracing::info!(slot = slot.id, key, "a concurrent or second booking was refused");
            let problem = if key.contains("open") { ONE_OPEN } else { times::TAKEN };
            return Ok(Err(NotBooked::Refused(problem)));
        }
        Err(e) => return Err(e),
    };
    let after =
        json!({ "slot_id": slot.id, "mentor_id": slot.mentor_id, "starts_at": slot.starts_text(), "topic": topic });
    audit::record(
        tx,
        who,
        Change::created("mentor_booking", id, after).about(Subject::graduate(graduate_id, institution)),
    )
    .await?;
    let message = format!(
        "{name} 预约了你 {} 的一对一指导：{topic} / {name} booked your guidance slot at {}: {topic}",
        slot.starts_text(),
        slot.starts_text()
    );
    notices::tell(tx, who, slot.mentor_account, "mentor", &message, Some(super::MINE)).await?;
    let to_graduate = format!(
        "已预约导师 {} {} 的一对一指导（{} {}）。 / Booked mentor {} at {} ({}).",
        slot.mentor,
        slot.starts_text(),
        slot.mode_label(Locale::Zh),
        slot.place,
        slot.mentor,
        slot.starts_text(),
        slot.place
    );
    notices::tell_recipient(tx, who, Recipient::Graduate(graduate_id), "mentor", &to_graduate, Some(MINE)).await?;
    Ok(Ok(id))
}

pub const ONE_OPEN: Problem = Problem(
    "你已有一个与这位导师的预约尚未进行；请先完成或取消它。",
    "You already hold a booking with this mentor that has not taken place; keep or cancel it first.",
);

/// The graduate cancels its own booking; the mentor is told.
pub async fn cancel_by_graduate(tx: &mut Tx, who: &AuditActor, name: &str, a: &Appointment) -> DbResult<bool> {
    if !close(tx, who, a.id, a.graduate_id, a.institution_id, BOOKED, CANCELLED_BY_GRADUATE, None).await? {
        return Ok(false);
    }
    let message = format!(
        "{name} 取消了 {} 的一对一指导。 / {name} cancelled the guidance at {}.",
        a.slot.starts_text(),
        a.slot.starts_text()
    );
    notices::tell(tx, who, a.slot.mentor_account, "mentor", &message, Some(super::MINE)).await?;
    Ok(true)
}

/// The mentor marks a booking held (with the outcome) or missed. A held one of
/// a graduate in the key-group register (`person` given) becomes a guidance
/// entry in its assistance file. False when it was not booked.
pub async fn mark(
    tx: &mut Tx,
    who: &AuditActor,
    a: &Appointment,
    held: bool,
    note: &str,
    person: Option<&assistance::store::Person>,
) -> DbResult<bool> {
    let to = if held { HELD } else { MISSED };
    let note = Some(note).filter(|n| !n.is_empty());
    if !close(tx, who, a.id, a.graduate_id, a.institution_id, BOOKED, to, note).await? {
        return Ok(false);
    }
    if let (true, Some(p)) = (held, person) {
        let entry = assistance::store::NewEntry {
            kind: assistance::GUIDANCE.to_owned(),
            at: a.slot.day(),
            note: format!(
                "导师一对一指导（{}，{}）：{}",
                a.slot.mentor,
                a.slot.starts_text(),
                note.unwrap_or_default()
            ),
            ..assistance::store::NewEntry::default()
        };
        let entry_id = assistance::store::add_entry(tx, who, p, &entry).await?;
        tx.execute("UPDATE mentor_bookings SET entry_id = $1 WHERE id = $2", &[entry_id.into(), a.id.into()]).await?;
    }
    Ok(true)
}

/// The reminders' job in `job_runs`.
pub const JOB: &str = "mentor_reminders";

/// Sends the reminders due at `now` (China time) to the graduate and the
/// mentor, each once (keyed by booking and kind), as the appointments do.
pub async fn send_reminders(db: &Db, now: NaiveDateTime, hours: u32) -> DbResult<usize> {
    let who = AuditActor::system(JOB);
    let to = now + Duration::days(2);
    let rows = db
        .fetch_all(
            &format!(
                "{} WHERE a.state = 'booked' AND s.starts_at > $1 AND s.starts_at <= $2 ORDER BY s.starts_at, a.id",
                APPOINTMENT
                    .replace("NULL AS graduate,", "(SELECT name FROM graduates WHERE id = a.graduate_id) AS graduate,")
            ),
            &[times::at_text(now).into(), times::at_text(to).into()],
        )
        .await?;
    let coming: Vec<(Appointment, String)> = rows
        .iter()
        .map(|r| Ok((appointment_of(r)?, r.opt_text("graduate")?.unwrap_or_default())))
        .collect::<DbResult<_>>()?;
    let mut sent = 0;
    for (a, graduate) in coming {
        for reminder in times::reminders_due(a.slot.starts, now, hours) {
            let mut tx = db.begin().await?;
            let wrote = tx
                .execute(
                    "INSERT INTO mentor_reminders (booking_id, kind, sent_at) VALUES ($1, $2, $3) \
                     ON CONFLICT (booking_id, kind) DO NOTHING",
                    &[a.id.into(), reminder.key().into(), time::now_utc().into()],
                )
                .await?;
            if wrote == 0 {
                continue;
            }
            let when = a.slot.starts_text();
            let (zh, en) = match reminder {
                Reminder::DayBefore => ("明天", "tomorrow"),
                Reminder::HoursBefore => ("即将开始", "soon"),
            };
            let place = format!("{} {}", a.slot.mode_label(Locale::Zh), a.slot.place);
            let to_graduate = format!(
                "提醒：导师一对一指导{zh}（{when}，{place}，{}）。 / Reminder: your mentor guidance is {en} ({when}, {}, with {}).",
                a.slot.mentor, a.slot.place, a.slot.mentor
            );
            let to_mentor = format!(
                "提醒：与 {graduate} 的一对一指导{zh}（{when}，{place}）。 / Reminder: guidance with {graduate} is {en} ({when}, {}).",
                a.slot.place
            );
            notices::tell_recipient(
                &mut tx,
                &who,
                Recipient::Graduate(a.graduate_id),
                "mentor",
                &to_graduate,
                Some(MINE),
            )
            .await?;
            notices::tell(&mut tx, &who, a.slot.mentor_account, "mentor", &to_mentor, Some(super::MINE)).await?;
            let change = Change::new("remind", "mentor_booking", a.id)
                .after(json!({ "kind": reminder.key(), "starts_at": when }))
                .about(Subject::graduate(a.graduate_id, a.institution_id));
            audit::record(&mut tx, &who, change).await?;
            tx.commit().await?;
            sent += 1;
        }
    }
    Ok(sent)
}
