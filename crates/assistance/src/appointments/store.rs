//! The appointments' SQL: slots, bookings, marks and reminders. Every write
//! is audited in its transaction; the people concerned are told through the
//! platform's messages (`registry::notices`).
//!
//! Two graduates booking one slot at once: the partial unique index
//! `assistance_appointments_slot` lets one booking stand per slot, so the
//! second insert fails whichever engine runs it (SQLite queues writers on one
//! connection, and then sees the slot taken by its check), and its transaction
//! is dropped whole: nothing half-written.

use chrono::{Duration, NaiveDate, NaiveDateTime};
use kernel::audit::{self, AuditActor, Change, Subject};
use kernel::db::Record;
use kernel::{time, Db, DbError, DbResult, Locale, Row, Tx};
use registry::notices::{self, Recipient};
use serde_json::json;

use super::rules::{self, Mode, NewSlots, Problem, Reminder};
use crate::store::{NewEntry, Person};

/// A staff account that keeps a calendar.
#[derive(Debug, Clone)]
pub struct Helper {
    pub id: i64,
    pub name: String,
    pub institution_id: i64,
}

/// An active university staff account.
pub async fn helper(db: &Db, account: i64) -> DbResult<Option<Helper>> {
    let row = db
        .fetch_optional(
            "SELECT id, display_name, institution_id FROM accounts WHERE id = $1 AND role = 'university_staff' \
             AND institution_id IS NOT NULL",
            &[account.into()],
        )
        .await?;
    row.map(|r| {
        Ok(Helper { id: r.i64("id")?, name: r.text("display_name")?, institution_id: r.i64("institution_id")? })
    })
    .transpose()
}

/// The helpers of an institution who keep a calendar or are assigned to someone: (id, name).
pub async fn helpers_at(db: &Db, institution: Option<i64>) -> DbResult<Vec<(i64, String)>> {
    let (filter, params) = match institution {
        Some(i) => (" AND a.institution_id = $1", vec![i.into()]),
        None => ("", Vec::new()),
    };
    let sql = format!(
        "SELECT a.id, a.display_name FROM accounts a WHERE a.role = 'university_staff'{filter} AND (a.id IN \
         (SELECT helper_id FROM assistance_slots) OR a.id IN (SELECT account_id FROM assistance_helpers)) \
         ORDER BY a.display_name, a.id LIMIT 200"
    );
    let rows = db.fetch_all(&sql, &params).await?;
    rows.iter().map(|r| Ok((r.i64("id")?, r.text("display_name")?))).collect()
}

/// The booking a slot holds (booked, held or missed).
#[derive(Debug, Clone)]
pub struct Booking {
    pub id: i64,
    pub graduate_id: i64,
    pub graduate: String,
    pub topic: String,
    pub state: String,
    pub note: Option<String>,
}

/// A slot of a calendar.
#[derive(Debug, Clone)]
pub struct Slot {
    pub id: i64,
    pub helper_id: i64,
    pub helper: String,
    pub institution_id: i64,
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
        rules::at_text(self.starts)
    }
    pub fn day(&self) -> NaiveDate {
        self.starts.date()
    }
    pub fn time_text(&self) -> String {
        let ends = self.starts + Duration::minutes(self.minutes);
        format!("{}–{}", self.starts.format("%H:%M"), ends.format("%H:%M"))
    }
    pub fn mode_label(&self, l: Locale) -> &'static str {
        Mode::label(&self.mode, l)
    }
}

const SLOT: &str = "SELECT s.id, s.helper_id, h.display_name AS helper, s.institution_id, s.starts_at, s.minutes, s.mode, \
     s.place, s.cancelled_at, s.cancel_reason, b.id AS booking_id, b.graduate_id, g.name AS graduate, b.topic, b.state, \
     b.note FROM assistance_slots s JOIN accounts h ON h.id = s.helper_id \
     LEFT JOIN assistance_appointments b ON b.slot_id = s.id AND b.state IN ('booked', 'held', 'missed') \
     LEFT JOIN graduates g ON g.id = b.graduate_id";

fn slot_of(r: &Row) -> DbResult<Slot> {
    let starts_at = r.text("starts_at")?;
    let starts = rules::parse_at(&starts_at).ok_or_else(|| DbError::Column(format!("starts_at {starts_at}")))?;
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
        helper_id: r.i64("helper_id")?,
        helper: r.text("helper")?,
        institution_id: r.i64("institution_id")?,
        starts,
        minutes: r.i64("minutes")?,
        mode: r.text("mode")?,
        place: r.text("place")?,
        cancel_reason,
        booking,
    })
}

/// A helper's slots from `from` for `days` days, by time.
pub async fn calendar(db: &Db, helper: i64, from: NaiveDate, days: i64) -> DbResult<Vec<Slot>> {
    let to = from + Duration::days(days);
    let rows = db
        .fetch_all(
            &format!(
                "{SLOT} WHERE s.helper_id = $1 AND s.starts_at >= $2 AND s.starts_at < $3 ORDER BY s.starts_at, s.id"
            ),
            &[helper.into(), from.to_string().into(), to.to_string().into()],
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

/// Opens the slots on the helper's calendar; refused whole when one overlaps a slot still open.
pub async fn open_slots(
    tx: &mut Tx,
    who: &AuditActor,
    helper: &Helper,
    new: &NewSlots,
) -> DbResult<Result<Vec<i64>, Problem>> {
    let (Some(first), Some(last)) = (new.starts.first(), new.starts.last()) else { return Ok(Ok(Vec::new())) };
    let from = (first.date() - Duration::days(1)).to_string();
    let to = (last.date() + Duration::days(2)).to_string();
    let existing = tx
        .fetch_all(
            "SELECT starts_at, minutes FROM assistance_slots WHERE helper_id = $1 AND cancelled_at IS NULL \
             AND starts_at >= $2 AND starts_at < $3",
            &[helper.id.into(), from.into(), to.into()],
        )
        .await?;
    for r in &existing {
        let Some(at) = rules::parse_at(&r.text("starts_at")?) else { continue };
        let minutes = u32::try_from(r.i64("minutes")?).unwrap_or(0);
        if new.starts.iter().any(|s| rules::overlaps(*s, new.minutes, at, minutes)) {
            return Ok(Err(rules::OVERLAP));
        }
    }
    let now = time::now_utc();
    let mut ids = Vec::new();
    for starts in &new.starts {
        let row = Record::new()
            .set("helper_id", helper.id)
            .set("institution_id", helper.institution_id)
            .set("starts_at", rules::at_text(*starts))
            .set("minutes", new.minutes)
            .set("mode", new.mode.key())
            .set("place", new.place.as_str())
            .set("created_at", now.as_str())
            .set("created_by_label", who.label.as_str());
        let id = tx.insert_id("assistance_slots", row).await?;
        let after = json!({ "helper_id": helper.id, "starts_at": rules::at_text(*starts), "minutes": new.minutes,
                            "mode": new.mode.key(), "place": new.place });
        audit::record(
            tx,
            who,
            Change::created("assistance_slot", id, after).about(Subject::institution(helper.institution_id)),
        )
        .await?;
        ids.push(id);
    }
    Ok(Ok(ids))
}

/// Cancels a slot still open, with the reason; a graduate who booked it is
/// told and its booking withdrawn. False when the slot was already cancelled.
pub async fn cancel_slot(tx: &mut Tx, who: &AuditActor, slot: &Slot, reason: &str) -> DbResult<bool> {
    let n = tx
        .execute(
            "UPDATE assistance_slots SET cancelled_at = $1, cancel_reason = $2 WHERE id = $3 AND cancelled_at IS NULL",
            &[time::now_utc().into(), reason.into(), slot.id.into()],
        )
        .await?;
    if n == 0 {
        return Ok(false);
    }
    let change = Change::new("cancel", "assistance_slot", slot.id)
        .after(json!({ "reason": reason }))
        .about(Subject::institution(slot.institution_id));
    audit::record(tx, who, change).await?;
    if let Some(b) = slot.booking.as_ref().filter(|b| b.state == rules::BOOKED) {
        close(tx, who, b.id, b.graduate_id, slot.institution_id, rules::BOOKED, rules::WITHDRAWN, Some(reason)).await?;
        let message = format!(
            "帮扶老师取消了 {} 的一对一指导（原因：{reason}），请另选时段预约。 / Your helper cancelled the guidance at {} (reason: {reason}); please book another time.",
            slot.starts_text(),
            slot.starts_text()
        );
        notices::tell_recipient(tx, who, Recipient::Graduate(b.graduate_id), "appointment", &message, Some(MINE))
            .await?;
    }
    Ok(true)
}

/// The graduate's page.
pub const MINE: &str = "/me/assistance/appointments";

/// Moves a booking from one state to another; false when it was not in `from`.
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
            "UPDATE assistance_appointments SET state = $1, closed_at = $2, closed_by_label = $3, note = $4 \
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
    let change = Change::new(to, "assistance_appointment", id)
        .before(json!({ "state": from }))
        .after(json!({ "state": to, "note": note }))
        .about(Subject::graduate(graduate, institution));
    audit::record(tx, who, change).await?;
    Ok(true)
}

/// An appointment as the graduate's page and the mark form see it.
#[derive(Debug, Clone)]
pub struct Appointment {
    pub id: i64,
    pub slot: Slot,
    pub graduate_id: i64,
    pub topic: String,
    pub state: String,
    pub note: Option<String>,
}

impl Appointment {
    pub fn state_label(&self, l: Locale) -> &'static str {
        rules::state_label(&self.state, l)
    }
    pub fn is_booked(&self) -> bool {
        self.state == rules::BOOKED
    }
}

const APPOINTMENT: &str = "SELECT a.id AS appointment_id, a.graduate_id AS owner_id, a.topic AS owner_topic, \
     a.state AS owner_state, a.note AS owner_note, s.id, s.helper_id, h.display_name AS helper, s.institution_id, \
     s.starts_at, s.minutes, s.mode, s.place, s.cancelled_at, s.cancel_reason, NULL AS booking_id, NULL AS graduate_id, \
     NULL AS graduate, NULL AS topic, NULL AS state, NULL AS note FROM assistance_appointments a \
     JOIN assistance_slots s ON s.id = a.slot_id JOIN accounts h ON h.id = s.helper_id";

fn appointment_of(r: &Row) -> DbResult<Appointment> {
    Ok(Appointment {
        id: r.i64("appointment_id")?,
        slot: slot_of(r)?,
        graduate_id: r.i64("owner_id")?,
        topic: r.text("owner_topic")?,
        state: r.text("owner_state")?,
        note: r.opt_text("owner_note")?,
    })
}

pub async fn appointment(db: &Db, id: i64) -> DbResult<Option<Appointment>> {
    let row = db.fetch_optional(&format!("{APPOINTMENT} WHERE a.id = $1"), &[id.into()]).await?;
    row.as_ref().map(appointment_of).transpose()
}

/// The graduate's appointments, the coming ones first, then the rest newest first.
pub async fn appointments_of(db: &Db, graduate: i64) -> DbResult<Vec<Appointment>> {
    let rows = db
        .fetch_all(
            &format!(
                "{APPOINTMENT} WHERE a.graduate_id = $1 ORDER BY CASE a.state WHEN 'booked' THEN 0 ELSE 1 END, \
                      CASE a.state WHEN 'booked' THEN s.starts_at END, s.starts_at DESC, a.id DESC LIMIT 100"
            ),
            &[graduate.into()],
        )
        .await?;
    rows.iter().map(appointment_of).collect()
}

/// The free slots of the graduate's own helpers from `now` for `OFFER_DAYS` days.
pub async fn free_slots_for(db: &Db, graduate: i64, now: NaiveDateTime) -> DbResult<Vec<Slot>> {
    let to = now.date() + Duration::days(rules::OFFER_DAYS);
    let rows = db
        .fetch_all(
            &format!(
                "{SLOT} WHERE s.helper_id IN (SELECT account_id FROM assistance_helpers WHERE graduate_id = $1) \
                 AND s.cancelled_at IS NULL AND s.starts_at > $2 AND s.starts_at < $3 AND b.id IS NULL \
                 ORDER BY s.starts_at, s.id LIMIT 200"
            ),
            &[graduate.into(), rules::at_text(now).into(), to.to_string().into()],
        )
        .await?;
    rows.iter().map(slot_of).collect()
}

/// Why a booking did not happen.
#[derive(Debug)]
pub enum NotBooked {
    /// No such slot, or not one of the graduate's helpers': a 404.
    NotFound,
    /// Refused with a reason the graduate reads.
    Refused(Problem),
}

/// Books a free slot of one of the graduate's helpers. On `Err` the caller
/// drops the transaction (on PostgreSQL a failed insert has aborted it).
pub async fn book(
    tx: &mut Tx,
    who: &AuditActor,
    p: &Person,
    slot_id: i64,
    topic: &str,
    now: NaiveDateTime,
) -> DbResult<Result<i64, NotBooked>> {
    let Some(slot) = slot_in(tx, slot_id).await? else { return Ok(Err(NotBooked::NotFound)) };
    let mine = tx
        .fetch_optional(
            "SELECT 1 AS yes FROM assistance_helpers WHERE graduate_id = $1 AND account_id = $2",
            &[p.id.into(), slot.helper_id.into()],
        )
        .await?;
    if mine.is_none() {
        return Ok(Err(NotBooked::NotFound));
    }
    if let Err(problem) = rules::bookable(slot.starts, slot.cancelled(), now) {
        return Ok(Err(NotBooked::Refused(problem)));
    }
    if slot.booking.is_some() {
        return Ok(Err(NotBooked::Refused(rules::TAKEN)));
    }
    let open = tx
        .fetch_optional(
            "SELECT id FROM assistance_appointments WHERE graduate_id = $1 AND helper_id = $2 AND state = 'booked'",
            &[p.id.into(), slot.helper_id.into()],
        )
        .await?;
    if open.is_some() {
        return Ok(Err(NotBooked::Refused(rules::ONE_OPEN)));
    }
    let row = Record::new()
        .set("slot_id", slot.id)
        .set("graduate_id", p.id)
        .set("helper_id", slot.helper_id)
        .set("institution_id", p.institution_id)
        .set("topic", topic)
        .set("state", rules::BOOKED)
        .set("booked_at", time::now_utc());
    let id = match tx.insert_id("assistance_appointments", row).await {
        Ok(id) => id,
        // The other booking won the slot between our check and our insert.
        Err(DbError::Duplicate(key)) => {
            tracing::info!(slot = slot.id, key, "a concurrent booking took the slot");
            let problem = if key.contains("open") { rules::ONE_OPEN } else { rules::TAKEN };
            return Ok(Err(NotBooked::Refused(problem)));
        }
        Err(e) => return Err(e),
    };
    let after =
        json!({ "slot_id": slot.id, "helper_id": slot.helper_id, "starts_at": slot.starts_text(), "topic": topic });
    audit::record(
        tx,
        who,
        Change::created("assistance_appointment", id, after).about(Subject::graduate(p.id, p.institution_id)),
    )
    .await?;
    let message = format!(
        "{} 预约了你 {} 的一对一指导：{topic} / {} booked your guidance slot at {}: {topic}",
        p.name,
        slot.starts_text(),
        p.name,
        slot.starts_text()
    );
    let link = format!("/assistance/calendar?week={}", rules::week_of(slot.day()));
    notices::tell(tx, who, slot.helper_id, "appointment", &message, Some(&link)).await?;
    Ok(Ok(id))
}

/// The graduate cancels its booking (asking for another time when `again`); the helper is told.
pub async fn cancel_by_graduate(
    tx: &mut Tx,
    who: &AuditActor,
    p: &Person,
    a: &Appointment,
    again: bool,
) -> DbResult<bool> {
    let note = if again { Some("请老师另约时间 / asks for another time") } else { None };
    if !close(tx, who, a.id, p.id, p.institution_id, rules::BOOKED, rules::CANCELLED_BY_GRADUATE, note).await? {
        return Ok(false);
    }
    let message = match again {
        true => format!(
            "{} 取消了 {} 的一对一指导，并请你另约时间。 / {} cancelled the guidance at {} and asks for another time.",
            p.name,
            a.slot.starts_text(),
            p.name,
            a.slot.starts_text()
        ),
        false => format!(
            "{} 取消了 {} 的一对一指导。 / {} cancelled the guidance at {}.",
            p.name,
            a.slot.starts_text(),
            p.name,
            a.slot.starts_text()
        ),
    };
    let link = format!("/assistance/calendar?week={}", rules::week_of(a.slot.day()));
    notices::tell(tx, who, a.slot.helper_id, "appointment", &message, Some(&link)).await?;
    Ok(true)
}

/// The graduate moves its booking to another free slot: the old one marked
/// moved and the new one booked in one transaction.
pub async fn move_to(
    tx: &mut Tx,
    who: &AuditActor,
    p: &Person,
    a: &Appointment,
    slot_id: i64,
    now: NaiveDateTime,
) -> DbResult<Result<i64, NotBooked>> {
    if !close(tx, who, a.id, p.id, p.institution_id, rules::BOOKED, rules::MOVED, None).await? {
        return Ok(Err(NotBooked::NotFound));
    }
    book(tx, who, p, slot_id, &a.topic, now).await
}

/// The helper marks a booked appointment held (with a note: one guidance entry
/// in the ledger, of kind `crate::GUIDANCE`) or missed; false when it was not booked.
pub async fn mark(
    tx: &mut Tx,
    who: &AuditActor,
    p: &Person,
    a: &Appointment,
    held: bool,
    note: &str,
) -> DbResult<bool> {
    let to = if held { rules::HELD } else { rules::MISSED };
    let note = Some(note).filter(|n| !n.is_empty());
    if !close(tx, who, a.id, p.id, p.institution_id, rules::BOOKED, to, note).await? {
        return Ok(false);
    }
    if held {
        let entry = NewEntry {
            kind: crate::GUIDANCE.to_owned(),
            at: a.slot.day(),
            note: format!(
                "一对一指导 {} {}：{}",
                a.slot.starts_text(),
                a.slot.mode_label(Locale::Zh),
                note.unwrap_or_default()
            ),
            ..NewEntry::default()
        };
        let entry_id = crate::store::add_entry(tx, who, p, &entry).await?;
        tx.execute("UPDATE assistance_appointments SET entry_id = $1 WHERE id = $2", &[entry_id.into(), a.id.into()])
            .await?;
    }
    Ok(true)
}

/// Booked appointments starting after `now` and within two days: (appointment, graduate name).
async fn coming(db: &Db, now: NaiveDateTime) -> DbResult<Vec<(Appointment, String)>> {
    let to = now + Duration::days(2);
    let rows = db
        .fetch_all(
            &format!(
                "{} WHERE a.state = 'booked' AND s.starts_at > $1 AND s.starts_at <= $2 ORDER BY s.starts_at, a.id",
                APPOINTMENT
                    .replace("NULL AS graduate,", "(SELECT name FROM graduates WHERE id = a.graduate_id) AS graduate,")
            ),
            &[rules::at_text(now).into(), rules::at_text(to).into()],
        )
        .await?;
    rows.iter().map(|r| Ok((appointment_of(r)?, r.opt_text("graduate")?.unwrap_or_default()))).collect()
}

/// Sends the reminders due at `now` (China time) to the graduate and the
/// helper, each once: a reminder is written with its (appointment, kind) key
/// first, and only the run whose insert wrote it tells anyone. Returns how many were sent.
pub async fn send_reminders(db: &Db, now: NaiveDateTime, hours: u32) -> DbResult<usize> {
    let who = AuditActor::system("assistance_reminders");
    let mut sent = 0;
    for (a, graduate) in coming(db, now).await? {
        for reminder in rules::reminders_due(a.slot.starts, now, hours) {
            let mut tx = db.begin().await?;
            let wrote = tx
                .execute(
                    "INSERT INTO assistance_reminders (appointment_id, kind, sent_at) VALUES ($1, $2, $3) \
                     ON CONFLICT (appointment_id, kind) DO NOTHING",
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
                "提醒：一对一指导{zh}（{when}，{place}，{}老师）。 / Reminder: your guidance is {en} ({when}, {}, with {}).",
                a.slot.helper, a.slot.place, a.slot.helper
            );
            let to_helper = format!(
                "提醒：与 {graduate} 的一对一指导{zh}（{when}，{place}）。 / Reminder: guidance with {graduate} is {en} ({when}, {}).",
                a.slot.place
            );
            notices::tell_recipient(
                &mut tx,
                &who,
                Recipient::Graduate(a.graduate_id),
                "appointment",
                &to_graduate,
                Some(MINE),
            )
            .await?;
            let link = format!("/assistance/calendar?week={}", rules::week_of(a.slot.day()));
            notices::tell(&mut tx, &who, a.slot.helper_id, "appointment", &to_helper, Some(&link)).await?;
            let change = Change::new("remind", "assistance_appointment", a.id)
                .after(json!({ "kind": reminder.key(), "starts_at": when }))
                .about(Subject::graduate(a.graduate_id, a.slot.institution_id));
            audit::record(&mut tx, &who, change).await?;
            tx.commit().await?;
            sent += 1;
        }
    }
    Ok(sent)
}
