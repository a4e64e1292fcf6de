//! The mentor pool's SQL: recommendations, the province's review, the yearly
//! review, residencies and secondments, the published list, and mentors active
//! per institution. Every write is audited in its transaction; the recommender
//! is told of decisions through `registry::notices`.

use kernel::audit::{self, AuditActor, Change, Subject};
use kernel::auth::Role;
use kernel::db::Record;
use kernel::{time, Db, DbError, DbResult, Locale, Row, Tx};
use registry::notices;
use serde_json::json;

use super::rules::{self, Activity, Linked, NewMentor, Problem, Recommender};

/// A mentor record.
#[derive(Debug, Clone)]
pub struct Mentor {
    pub id: i64,
    pub account_id: i64,
    pub name: String,
    pub kind: String,
    pub fields: Vec<String>,
    pub organisation: String,
    pub title: String,
    pub phone: String,
    pub bio: String,
    pub availability: String,
    pub institution_id: Option<i64>,
    pub institution: Option<String>,
    pub employer_id: Option<i64>,
    pub status: String,
    pub reason: Option<String>,
    pub recommended_by: i64,
    pub recommended_at: String,
}

impl Mentor {
    pub fn kind_label(&self, l: Locale) -> &'static str {
        rules::kind_label(&self.kind, l)
    }
    pub fn status_label(&self, l: Locale) -> &'static str {
        rules::status_label(&self.status, l)
    }
    pub fn masked_phone(&self) -> String {
        kernel::mask::phone(&self.phone)
    }
    pub fn is_published(&self) -> bool {
        self.status == rules::PUBLISHED
    }
    pub fn is_pending(&self) -> bool {
        self.status == rules::PENDING
    }
    /// Whether the signed-in recommender owns this record.
    pub fn recommended_by_scope(&self, by: Recommender) -> bool {
        match by {
            Recommender::Institution(i) => self.institution_id == Some(i) && self.employer_id.is_none(),
            Recommender::Employer(e) => self.employer_id == Some(e),
        }
    }
}

const MENTOR: &str = "SELECT m.id, m.account_id, m.name, m.kind, m.fields, m.organisation, m.title, m.phone, m.bio, \
     m.availability, m.institution_id, i.name AS institution, m.employer_id, m.status, m.reason, m.recommended_by, \
     m.recommended_at FROM mentors m LEFT JOIN institutions i ON i.id = m.institution_id";

fn mentor_of(r: &Row) -> DbResult<Mentor> {
    Ok(Mentor {
        id: r.i64("id")?,
        account_id: r.i64("account_id")?,
        name: r.text("name")?,
        kind: r.text("kind")?,
        fields: r.text("fields")?.split(',').filter(|c| !c.is_empty()).map(str::to_owned).collect(),
        organisation: r.text("organisation")?,
        title: r.text("title")?,
        phone: r.text("phone")?,
        bio: r.text("bio")?,
        availability: r.text("availability")?,
        institution_id: r.opt_i64("institution_id")?,
        institution: r.opt_text("institution")?,
        employer_id: r.opt_i64("employer_id")?,
        status: r.text("status")?,
        reason: r.opt_text("reason")?,
        recommended_by: r.i64("recommended_by")?,
        recommended_at: r.text("recommended_at")?,
    })
}

pub async fn get(db: &Db, id: i64) -> DbResult<Option<Mentor>> {
    let row = db.fetch_optional(&format!("{MENTOR} WHERE m.id = $1"), &[id.into()]).await?;
    row.as_ref().map(mentor_of).transpose()
}

/// The published mentor record of an account: what opens the mentor's pages.
pub async fn published_of_account(db: &Db, account: i64) -> DbResult<Option<Mentor>> {
    let row = db
        .fetch_optional(&format!("{MENTOR} WHERE m.account_id = $1 AND m.status = 'published'"), &[account.into()])
        .await?;
    row.as_ref().map(mentor_of).transpose()
}

/// The filters of the published list.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub kind: Option<String>,
    pub field: Option<String>,
    pub institution: Option<i64>,
    pub status: Option<String>,
}

/// Mentors by filter, newest first (at most 500).
pub async fn list(db: &Db, f: &Filter) -> DbResult<Vec<Mentor>> {
    let mut sql = format!("{MENTOR} WHERE 1 = 1");
    let mut params: Vec<kernel::Value> = Vec::new();
    if let Some(s) = &f.status {
        params.push(s.as_str().into());
        sql.push_str(&format!(" AND m.status = ${}", params.len()));
    }
    if let Some(k) = &f.kind {
        params.push(k.as_str().into());
        sql.push_str(&format!(" AND m.kind = ${}", params.len()));
    }
    if let Some(field) = &f.field {
        params.push(format!("%,{field},%").into());
        sql.push_str(&format!(" AND (',' || m.fields || ',') LIKE ${}", params.len()));
    }
    if let Some(i) = f.institution {
        params.push(i.into());
        sql.push_str(&format!(" AND m.institution_id = ${}", params.len()));
    }
    sql.push_str(" ORDER BY m.id DESC LIMIT 500");
    let rows = db.fetch_all(&sql, &params).await?;
    rows.iter().map(mentor_of).collect()
}

/// The records a recommender made, newest first.
pub async fn recommended_by(db: &Db, by: Recommender) -> DbResult<Vec<Mentor>> {
    let (sql, id) = match by {
        Recommender::Institution(i) => (format!("{MENTOR} WHERE m.institution_id = $1 AND m.employer_id IS NULL"), i),
        Recommender::Employer(e) => (format!("{MENTOR} WHERE m.employer_id = $1"), e),
    };
    let rows = db.fetch_all(&format!("{sql} ORDER BY m.id DESC LIMIT 500"), &[id.into()]).await?;
    rows.iter().map(mentor_of).collect()
}

/// An account by user name, as a recommendation may link it.
pub async fn account_by_username(db: &Db, username: &str) -> DbResult<Option<(i64, Linked)>> {
    let row = db
        .fetch_optional(
            "SELECT id, role, institution_id, employer_id FROM accounts WHERE username = $1 AND active = TRUE",
            &[username.into()],
        )
        .await?;
    let Some(r) = row else { return Ok(None) };
    let Some(role) = Role::parse(&r.text("role")?) else { return Ok(None) };
    Ok(Some((
        r.i64("id")?,
        Linked { role, institution_id: r.opt_i64("institution_id")?, employer_id: r.opt_i64("employer_id")? },
    )))
}

pub const ALREADY: Problem =
    Problem("该账号已有待审核或已发布的导师记录。", "This account already has a mentor record pending or published.");

/// Records a recommendation (pending the province's review).
pub async fn recommend(
    tx: &mut Tx,
    who: &AuditActor,
    by: Recommender,
    recommender: i64,
    account: i64,
    m: &NewMentor,
) -> DbResult<Result<i64, Problem>> {
    let (institution, employer) = match by {
        Recommender::Institution(i) => (Some(i), None),
        Recommender::Employer(e) => (None, Some(e)),
    };
    let row = Record::new()
        .set("account_id", account)
        .set("name", m.name.as_str())
        .set("kind", m.kind.as_str())
        .set("fields", m.fields.join(","))
        .set("organisation", m.organisation.as_str())
        .set("title", m.title.as_str())
        .set("phone", m.phone.as_str())
        .set("bio", m.bio.as_str())
        .set("availability", m.availability.as_str())
        .set("institution_id", institution)
        .set("employer_id", employer)
        .set("status", rules::PENDING)
        .set("recommended_by", recommender)
        .set("recommended_at", time::now_utc());
    let id = match tx.insert_id("mentors", row).await {
        Ok(id) => id,
        Err(DbError::Duplicate(_)) => return Ok(Err(ALREADY)),
        Err(e) => return Err(e),
    };
    let after = json!({ "account_id": account, "name": m.name, "kind": m.kind, "fields": m.fields.join(","),
                        "organisation": m.organisation, "title": m.title, "phone": m.phone, "status": rules::PENDING });
    let mut change = Change::created("mentor", id, after);
    if let Some(i) = institution {
        change = change.about(Subject::institution(i));
    }
    audit::record(tx, who, change).await?;
    Ok(Ok(id))
}

fn subject<'a>(m: &Mentor, change: Change<'a>) -> Change<'a> {
    match m.institution_id {
        Some(i) => change.about(Subject::institution(i)),
        None => change,
    }
}

/// The province approves (publishes) or rejects a pending record; the
/// recommender and the mentor are told. False when it was no longer pending.
pub async fn decide(tx: &mut Tx, who: &AuditActor, m: &Mentor, approve: bool, reason: &str) -> DbResult<bool> {
    let to = if approve { rules::PUBLISHED } else { rules::REJECTED };
    let n = tx
        .execute(
            "UPDATE mentors SET status = $1, decided_at = $2, decided_by_label = $3, reason = $4 \
             WHERE id = $5 AND status = 'pending'",
            &[to.into(), time::now_utc().into(), who.label.as_str().into(), reason.into(), m.id.into()],
        )
        .await?;
    if n == 0 {
        return Ok(false);
    }
    let action = if approve { "approve" } else { "reject" };
    let change = Change::new(action, "mentor", m.id)
        .before(json!({ "status": rules::PENDING }))
        .after(json!({ "status": to, "reason": reason }));
    audit::record(tx, who, subject(m, change)).await?;
    let link = format!("/training/mentors/{}", m.id);
    let message = match approve {
        true => format!("导师 {} 已审核通过并发布。 / Mentor {} is approved and published.", m.name, m.name),
        false => format!("导师 {} 未通过审核：{reason} / Mentor {} was not approved: {reason}", m.name, m.name),
    };
    notices::tell(tx, who, m.recommended_by, "mentor", &message, Some(&link)).await?;
    if approve && m.account_id != m.recommended_by {
        let to_mentor = "你已入选就业创业导师库，可以开放一对一指导时段。 / You are in the mentor pool and may open guidance slots.";
        notices::tell(tx, who, m.account_id, "mentor", to_mentor, Some(super::MINE)).await?;
    }
    Ok(true)
}

/// A mentor's activity in a calendar year.
pub async fn activity(db: &Db, mentor: i64, year: i32) -> DbResult<Activity> {
    let (from, to) = (format!("{year}-01-01"), format!("{}-01-01", year + 1));
    let slots = db
        .scalar_i64(
            "SELECT COUNT(*) FROM mentor_slots WHERE mentor_id = $1 AND cancelled_at IS NULL \
             AND starts_at >= $2 AND starts_at < $3",
            &[mentor.into(), from.as_str().into(), to.as_str().into()],
        )
        .await?;
    let sessions = db
        .scalar_i64(
            "SELECT COUNT(*) FROM mentor_bookings b JOIN mentor_slots s ON s.id = b.slot_id \
             WHERE b.mentor_id = $1 AND b.state = 'held' AND s.starts_at >= $2 AND s.starts_at < $3",
            &[mentor.into(), from.as_str().into(), to.as_str().into()],
        )
        .await?;
    Ok(Activity { slots, sessions })
}

/// A yearly review kept.
#[derive(Debug, Clone)]
pub struct Review {
    pub year: i64,
    pub slots: i64,
    pub sessions: i64,
    pub keep: bool,
    pub reason: String,
    pub by: String,
}

pub async fn reviews(db: &Db, mentor: i64) -> DbResult<Vec<Review>> {
    let rows = db
        .fetch_all(
            "SELECT year, slots, sessions, decision, reason, decided_by_label FROM mentor_reviews \
             WHERE mentor_id = $1 ORDER BY year DESC",
            &[mentor.into()],
        )
        .await?;
    rows.iter()
        .map(|r| {
            Ok(Review {
                year: r.i64("year")?,
                slots: r.i64("slots")?,
                sessions: r.i64("sessions")?,
                keep: r.text("decision")? == "keep",
                reason: r.text("reason")?,
                by: r.text("decided_by_label")?,
            })
        })
        .collect()
}

pub const REVIEWED: Problem = Problem("该导师本年度已考核。", "This mentor has been reviewed for the year.");

/// Records the yearly review; removal takes the mentor out of the pool (its
/// open slots stay until cancelled by the mentor, bookings kept).
pub async fn yearly(
    tx: &mut Tx,
    who: &AuditActor,
    m: &Mentor,
    year: i32,
    a: Activity,
    keep: bool,
    reason: &str,
) -> DbResult<Result<(), Problem>> {
    let decision = if keep { "keep" } else { "remove" };
    let row = Record::new()
        .set("mentor_id", m.id)
        .set("year", i64::from(year))
        .set("slots", a.slots)
        .set("sessions", a.sessions)
        .set("decision", decision)
        .set("reason", reason)
        .set("decided_at", time::now_utc())
        .set("decided_by_label", who.label.as_str());
    match tx.insert_id("mentor_reviews", row).await {
        Ok(_) => {}
        Err(DbError::Duplicate(_)) => return Ok(Err(REVIEWED)),
        Err(e) => return Err(e),
    }
    if !keep {
        tx.execute(
            "UPDATE mentors SET status = 'removed', decided_at = $1, decided_by_label = $2, reason = $3 WHERE id = $4",
            &[time::now_utc().into(), who.label.as_str().into(), reason.into(), m.id.into()],
        )
        .await?;
    }
    let change = Change::new(decision, "mentor", m.id)
        .after(json!({ "year": year, "slots": a.slots, "sessions": a.sessions, "reason": reason,
                "status": if keep { rules::PUBLISHED } else { rules::REMOVED } }));
    audit::record(tx, who, subject(m, change)).await?;
    if !keep {
        let message = format!(
            "导师 {} 经年度考核移出导师库：{reason} / Mentor {} was removed at the yearly review: {reason}",
            m.name, m.name
        );
        notices::tell(tx, who, m.recommended_by, "mentor", &message, Some(&format!("/training/mentors/{}", m.id)))
            .await?;
    }
    Ok(Ok(()))
}

/// A residency or secondment.
#[derive(Debug, Clone)]
pub struct Posting {
    pub kind: String,
    pub place: String,
    pub from_on: String,
    pub to_on: String,
}

impl Posting {
    pub fn kind_label(&self, l: Locale) -> &'static str {
        rules::posting_kind_label(&self.kind, l)
    }
}

pub async fn postings(db: &Db, mentor: i64) -> DbResult<Vec<Posting>> {
    let rows = db
        .fetch_all(
            "SELECT kind, place, from_on, to_on FROM mentor_postings WHERE mentor_id = $1 ORDER BY from_on DESC, id DESC",
            &[mentor.into()],
        )
        .await?;
    rows.iter()
        .map(|r| {
            Ok(Posting {
                kind: r.text("kind")?,
                place: r.text("place")?,
                from_on: r.text("from_on")?,
                to_on: r.text("to_on")?,
            })
        })
        .collect()
}

pub async fn add_posting(
    tx: &mut Tx,
    who: &AuditActor,
    m: &Mentor,
    (kind, place, from, to): &(String, String, chrono::NaiveDate, chrono::NaiveDate),
) -> DbResult<i64> {
    let row = Record::new()
        .set("mentor_id", m.id)
        .set("kind", kind.as_str())
        .set("place", place.as_str())
        .set("from_on", from.to_string())
        .set("to_on", to.to_string())
        .set("created_at", time::now_utc())
        .set("created_by_label", who.label.as_str());
    let id = tx.insert_id("mentor_postings", row).await?;
    let after = json!({ "mentor_id": m.id, "kind": kind, "place": place, "from_on": from.to_string(),
                        "to_on": to.to_string() });
    audit::record(tx, who, subject(m, Change::created("mentor_posting", id, after))).await?;
    Ok(id)
}

/// One institution's line of the activity table.
#[derive(Debug, Clone)]
pub struct Active {
    pub institution_id: i64,
    pub institution: String,
    pub published: i64,
    /// Published with at least one session held this year.
    pub active: i64,
    pub sessions: i64,
}

/// Mentors published and active in `year` per recommending institution (one only when `institution`).
pub async fn active_by_institution(db: &Db, year: i32, institution: Option<i64>) -> DbResult<Vec<Active>> {
    let (from, to) = (format!("{year}-01-01"), format!("{}-01-01", year + 1));
    let mut params: Vec<kernel::Value> = vec![from.into(), to.into()];
    let filter = match institution {
        Some(i) => {
            params.push(i.into());
            " AND m.institution_id = $3"
        }
        None => "",
    };
    let sql = format!(
        "SELECT m.institution_id, i.name, COUNT(*) AS published, \
         CAST(SUM(CASE WHEN COALESCE(h.n, 0) > 0 THEN 1 ELSE 0 END) AS BIGINT) AS active, \
         CAST(SUM(COALESCE(h.n, 0)) AS BIGINT) AS sessions \
         FROM mentors m JOIN institutions i ON i.id = m.institution_id \
         LEFT JOIN (SELECT b.mentor_id, COUNT(*) AS n FROM mentor_bookings b JOIN mentor_slots s ON s.id = b.slot_id \
                    WHERE b.state = 'held' AND s.starts_at >= $1 AND s.starts_at < $2 GROUP BY b.mentor_id) h \
           ON h.mentor_id = m.id \
         WHERE m.status = 'published'{filter} GROUP BY m.institution_id, i.name ORDER BY active DESC, i.name"
    );
    let rows = db.fetch_all(&sql, &params).await?;
    rows.iter()
        .map(|r| {
            Ok(Active {
                institution_id: r.i64("institution_id")?,
                institution: r.text("name")?,
                published: r.i64("published")?,
                active: r.i64("active")?,
                sessions: r.i64("sessions")?,
            })
        })
        .collect()
}

/// The institutions that have a published mentor, by name: the list's filter.
pub async fn published_institutions(db: &Db) -> DbResult<Vec<(i64, String)>> {
    db.fetch_all(
        "SELECT DISTINCT i.id, i.name FROM mentors m JOIN institutions i ON i.id = m.institution_id \
         WHERE m.status = 'published' ORDER BY i.name",
        &[],
    )
    .await?
    .iter()
    .map(|r| Ok((r.i64("id")?, r.text("name")?)))
    .collect()
}
