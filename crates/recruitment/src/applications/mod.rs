//! Applications (投递): a graduate applies to an open posting once; the
//! employer moves the application through its stages; the graduate follows
//! it, withdraws, and answers an offer. Each move is kept in
//! `application_steps` and the audit log.

pub mod api;
pub mod flow;
pub mod interview;
pub mod pages;

use std::collections::HashMap;

use chrono::NaiveDate;
use kernel::audit::{self, AuditActor, Change, Subject};
use kernel::auth::{Owners, Scope};
use kernel::db::SqlBuilder;
use kernel::web::table::Paging;
use kernel::{time, Db, DbResult, Locale, Row, Tx};
use serde_json::json;

use crate::postings::Posting;
use flow::Stage;

/// An application as the graduate and the employer see it.
#[derive(Debug, Clone)]
pub struct Application {
    pub id: i64,
    pub posting_id: i64,
    pub posting_title: String,
    pub employer_id: i64,
    pub employer: String,
    pub graduate_id: i64,
    /// The graduate's institution, for the audit record's subject.
    pub graduate_institution_id: i64,
    pub stage: Stage,
    pub applied_at: String,
    pub updated_at: String,
}

/// An applicant as the employer sees it: what the roster says, the phone masked
/// (the platform carries the conversation until an agreement needs more).
#[derive(Debug, Clone)]
pub struct Applicant {
    pub application: Application,
    pub name: String,
    pub gender: String,
    pub institution: String,
    pub college: String,
    pub major: String,
    pub education_level: String,
    pub phone: String,
}

const COLUMNS: &str =
    "a.id, a.posting_id, p.title AS posting_title, a.employer_id, e.name AS employer, a.graduate_id, \
    gr.institution_id AS graduate_institution_id, a.stage, a.applied_at, a.updated_at";
const FROM: &str =
    " FROM applications a JOIN postings p ON p.id = a.posting_id JOIN employers e ON e.id = a.employer_id \
    JOIN graduates gr ON gr.id = a.graduate_id";

/// Who owns an application (alias `a`): the graduate who applied and the
/// employer it went to. No institution column: a university's staff follow
/// their graduates' applications in the figures, not one by one.
const OWNERS: Owners = Owners { graduate: Some("a.graduate_id"), employer: Some("a.employer_id"), ..Owners::NONE };

fn application_of(r: &Row) -> DbResult<Application> {
    Ok(Application {
        id: r.i64("id")?,
        posting_id: r.i64("posting_id")?,
        posting_title: r.text("posting_title")?,
        employer_id: r.i64("employer_id")?,
        employer: r.text("employer")?,
        graduate_id: r.i64("graduate_id")?,
        graduate_institution_id: r.i64("graduate_institution_id")?,
        stage: Stage::parse(&r.text("stage")?).unwrap_or(Stage::Received),
        applied_at: r.text("applied_at")?,
        updated_at: r.text("updated_at")?,
    })
}

/// Why an application was not taken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The graduate already applied (the stage it is at).
    AlreadyApplied(Stage),
    /// The posting is not published or its deadline has passed.
    Closed,
    /// A campus channel's posting (校园专场), open to that university's graduates only (its name).
    OtherCampus(String),
}

impl Refusal {
    pub fn message(&self, l: Locale) -> String {
        match self {
            Refusal::AlreadyApplied(stage) => format!(
                "{}{}{}",
                l.pick("你已申请过这个岗位（", "You have already applied to this posting ("),
                stage.label(l),
                l.pick("），无需再次申请。", "); no need to apply again.")
            ),
            Refusal::Closed => l
                .pick(
                    "这个岗位已截止或已停止招聘，不能再申请。",
                    "This posting is closed; it takes no more applications.",
                )
                .to_owned(),
            Refusal::OtherCampus(university) => campus_only(university, l),
        }
    }
}

/// What a graduate of another university is told of a campus channel's posting.
pub fn campus_only(university: &str, l: Locale) -> String {
    format!(
        "{}{university}{}",
        l.pick("这是", "This posting is in the campus channel of "),
        l.pick("的校园专场岗位，仅限该校毕业生申请。", "; only its graduates may apply.")
    )
}

/// Whether a graduate of `institution_id` may apply to the posting: anyone to a
/// province-wide one, only that university's graduates to a campus channel's.
pub fn may_apply_from(posting: &Posting, institution_id: i64) -> bool {
    posting.channel_institution_id.is_none_or(|channel| channel == institution_id)
}

/// The institution whose roster holds the graduate.
pub async fn institution_of(db: &Db, graduate_id: i64) -> DbResult<Option<i64>> {
    let row = db.fetch_optional("SELECT institution_id FROM graduates WHERE id = $1", &[graduate_id.into()]).await?;
    row.map(|r| r.i64("institution_id")).transpose()
}

/// The graduate's application to `posting`, unless refused.
pub async fn apply(
    tx: &mut Tx,
    who: &AuditActor,
    posting: &Posting,
    graduate_id: i64,
    today: NaiveDate,
) -> DbResult<Result<i64, Refusal>> {
    if !posting.is_open(today) {
        return Ok(Err(Refusal::Closed));
    }
    let institution_id = tx
        .fetch_one("SELECT institution_id FROM graduates WHERE id = $1", &[graduate_id.into()])
        .await?
        .i64("institution_id")?;
    if !may_apply_from(posting, institution_id) {
        return Ok(Err(Refusal::OtherCampus(posting.channel.clone().unwrap_or_default())));
    }
    let existing = tx
        .fetch_optional(
            "SELECT stage FROM applications WHERE posting_id = $1 AND graduate_id = $2",
            &[posting.id.into(), graduate_id.into()],
        )
        .await?;
    if let Some(row) = existing {
        let stage = Stage::parse(&row.text("stage")?).unwrap_or(Stage::Received);
        return Ok(Err(Refusal::AlreadyApplied(stage)));
    }
    let now = time::now_utc();
    let id = tx
        .insert_returning_id(
            "INSERT INTO applications (posting_id, graduate_id, employer_id, stage, applied_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5)",
            &[posting.id.into(), graduate_id.into(), posting.employer_id.into(), Stage::Received.key().into(), now.as_str().into()],
        )
        .await?;
    step(tx, id, Stage::Received, who, None, &now).await?;
    let change = Change::new("apply", "application", id)
        .after(json!({ "posting_id": posting.id, "stage": Stage::Received.key() }))
        .about(Subject::graduate(graduate_id, institution_id));
    audit::record(tx, who, change).await?;
    Ok(Ok(id))
}

async fn step(tx: &mut Tx, id: i64, stage: Stage, who: &AuditActor, note: Option<&str>, now: &str) -> DbResult<()> {
    tx.execute(
        "INSERT INTO application_steps (application_id, stage, at, by_account, note) VALUES ($1, $2, $3, $4, $5)",
        &[id.into(), stage.key().into(), now.into(), who.account_id.into(), note.map(str::to_owned).into()],
    )
    .await?;
    Ok(())
}

/// Moves an application to `to` (already allowed by `flow`), with its step and audit record.
pub async fn move_to(tx: &mut Tx, who: &AuditActor, a: &Application, to: Stage, note: Option<&str>) -> DbResult<()> {
    let now = time::now_utc();
    // The stage it was read at is part of the condition: two clicks at once move it once.
    let moved = tx
        .execute(
            "UPDATE applications SET stage = $1, updated_at = $2 WHERE id = $3 AND stage = $4",
            &[to.key().into(), now.as_str().into(), a.id.into(), a.stage.key().into()],
        )
        .await?;
    if moved == 0 {
        return Ok(());
    }
    step(tx, a.id, to, who, note, &now).await?;
    let change = Change::new("move", "application", a.id)
        .before(json!({ "stage": a.stage.key() }))
        .after(json!({ "stage": to.key(), "note": note }))
        .about(Subject::graduate(a.graduate_id, a.graduate_institution_id));
    audit::record(tx, who, change).await?;
    Ok(())
}

/// One application, if the scope owns it (its graduate or its employer).
pub async fn get(db: &Db, scope: &Scope, id: i64) -> DbResult<Option<Application>> {
    let mut sql = SqlBuilder::new(&format!("SELECT {COLUMNS}{FROM} WHERE a.id = "));
    sql.bind(id);
    if scope.restrict(&mut sql, OWNERS).is_err() {
        return Ok(None);
    }
    db.fetch_optional(&sql.sql, &sql.params).await?.map(|r| application_of(&r)).transpose()
}

/// The graduate's own application to a posting, if any.
pub async fn of_graduate_for(db: &Db, graduate_id: i64, posting_id: i64) -> DbResult<Option<Application>> {
    let sql = format!("SELECT {COLUMNS}{FROM} WHERE a.graduate_id = $1 AND a.posting_id = $2");
    db.fetch_optional(&sql, &[graduate_id.into(), posting_id.into()]).await?.map(|r| application_of(&r)).transpose()
}

/// Which of the scope's applications a list shows.
#[derive(Debug, Clone, Copy, Default)]
pub struct Which {
    pub posting_id: Option<i64>,
    pub stage: Option<Stage>,
    pub id: Option<i64>,
    /// Newest first (我的申请) rather than in the order they came.
    pub newest_first: bool,
}

/// The applications the scope owns (a graduate's own, an employer's postings'),
/// with what the roster says of each applicant, in the order they came (or newest first); the
/// phone masked for all but the graduate itself. Another scope gets none.
pub async fn applicants(
    db: &Db,
    scope: &Scope,
    which: Which,
    paging: &mut Paging,
    l: Locale,
) -> DbResult<Vec<Applicant>> {
    let mut filter = SqlBuilder::new(" WHERE 1 = 1");
    if scope.restrict(&mut filter, OWNERS).is_err() {
        paging.total = 0;
        return Ok(Vec::new());
    }
    if let Some(posting_id) = which.posting_id {
        filter.push(" AND a.posting_id = ").bind(posting_id);
    }
    if let Some(stage) = which.stage {
        filter.push(" AND a.stage = ").bind(stage.key());
    }
    if let Some(id) = which.id {
        filter.push(" AND a.id = ").bind(id);
    }
    let count = format!("SELECT COUNT(*) AS n FROM applications a{}", filter.sql);
    paging.total = db.fetch_one(&count, &filter.params).await?.i64("n")?;
    let sql = format!(
        "SELECT {COLUMNS}, g.name, g.gender, g.phone, g.education_level, i.name AS institution, c.name AS college, m.name AS major \
         {FROM} JOIN graduates g ON g.id = a.graduate_id JOIN institutions i ON i.id = g.institution_id \
         JOIN colleges c ON c.id = g.college_id JOIN majors m ON m.id = g.major_id{} ORDER BY a.id{}{}",
        filter.sql,
        if which.newest_first { " DESC" } else { "" },
        paging.limit_sql()
    );
    let rows = db.fetch_all(&sql, &filter.params).await?;
    let genders = kernel::codes::labels_by_name(db, "gender", l).await?;
    let levels = kernel::codes::labels_by_name(db, "education_level", l).await?;
    let own = matches!(scope, Scope::Graduate { .. });
    rows.iter()
        .map(|r| {
            let label = |map: &HashMap<String, String>, v: String| map.get(&v).cloned().unwrap_or(v);
            let phone = r.text("phone")?;
            Ok(Applicant {
                application: application_of(r)?,
                name: r.text("name")?,
                gender: label(&genders, r.text("gender")?),
                institution: r.text("institution")?,
                college: r.text("college")?,
                major: r.text("major")?,
                education_level: label(&levels, r.text("education_level")?),
                phone: if own { phone } else { kernel::mask::phone(&phone) },
            })
        })
        .collect()
}

/// How far a posting's applications went: each counted once for every stage it reached.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub applications: i64,
    /// Not yet opened by the employer.
    pub unseen: i64,
    pub interviews: i64,
    pub offers: i64,
    pub hires: i64,
}

/// The counts of each posting of the scope's (an employer's own) that has applications.
pub async fn counts(db: &Db, scope: &Scope) -> DbResult<HashMap<i64, Counts>> {
    let reached = |stage: Stage| {
        format!(
            "CAST(SUM(CASE WHEN EXISTS (SELECT 1 FROM application_steps s WHERE s.application_id = a.id AND s.stage = '{}') \
             THEN 1 ELSE 0 END) AS BIGINT)",
            stage.key()
        )
    };
    let mut sql = SqlBuilder::new(&format!(
        "SELECT a.posting_id, COUNT(*) AS n, CAST(SUM(CASE WHEN a.stage = '{}' THEN 1 ELSE 0 END) AS BIGINT) AS unseen, \
         {} AS interviews, {} AS offers, {} AS hires FROM applications a WHERE 1 = 1",
        Stage::Received.key(),
        reached(Stage::Interview),
        reached(Stage::Offer),
        reached(Stage::Hired)
    ));
    if scope.restrict(&mut sql, OWNERS).is_err() {
        return Ok(HashMap::new());
    }
    sql.push(" GROUP BY a.posting_id");
    let rows = db.fetch_all(&sql.sql, &sql.params).await?;
    rows.iter()
        .map(|r| {
            let counts = Counts {
                applications: r.i64("n")?,
                unseen: r.i64("unseen")?,
                interviews: r.i64("interviews")?,
                offers: r.i64("offers")?,
                hires: r.i64("hires")?,
            };
            Ok((r.i64("posting_id")?, counts))
        })
        .collect()
}

/// An interview proposal and the graduate's answer.
#[derive(Debug, Clone)]
pub struct Interview {
    pub id: i64,
    pub application_id: i64,
    /// As stored (UTC); pages show it in China time.
    pub starts_at: String,
    pub place: Option<String>,
    pub meeting_url: Option<String>,
    pub note: Option<String>,
    pub answer: interview::Answer,
    pub answer_note: Option<String>,
}

impl Interview {
    pub fn when(&self) -> String {
        time::display(&self.starts_at)
    }
}

const INTERVIEW: &str = "i.id, i.application_id, i.starts_at, i.place, i.meeting_url, i.note, i.answer, i.answer_note";
/// Interviews with the application that owns them (alias `a`, for `OWNERS`).
const INTERVIEW_FROM: &str = " FROM interviews i JOIN applications a ON a.id = i.application_id";

fn interview_of(r: &Row) -> DbResult<Interview> {
    Ok(Interview {
        id: r.i64("id")?,
        application_id: r.i64("application_id")?,
        starts_at: r.text("starts_at")?,
        place: r.opt_text("place")?,
        meeting_url: r.opt_text("meeting_url")?,
        note: r.opt_text("note")?,
        answer: interview::Answer::parse(&r.text("answer")?).unwrap_or(interview::Answer::Pending),
        answer_note: r.opt_text("answer_note")?,
    })
}

/// Whether the employer may propose an interview (or another time) at this stage.
pub fn may_schedule(stage: Stage) -> bool {
    matches!(stage, Stage::Shortlisted | Stage::Interview)
}

/// Proposes an interview; a shortlisted application moves to 面试.
pub async fn schedule(tx: &mut Tx, who: &AuditActor, a: &Application, p: &interview::Proposal) -> DbResult<i64> {
    let now = time::now_utc();
    let starts_at = time::format_utc(p.starts_at);
    let id = tx
        .insert_returning_id(
            "INSERT INTO interviews (application_id, starts_at, place, meeting_url, note, answer, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            &[
                a.id.into(),
                starts_at.as_str().into(),
                p.place.clone().into(),
                p.meeting_url.clone().into(),
                p.note.clone().into(),
                interview::Answer::Pending.key().into(),
                now.as_str().into(),
            ],
        )
        .await?;
    let change = Change::new("schedule", "interview", id)
        .after(
            json!({ "application_id": a.id, "starts_at": starts_at, "place": p.place, "meeting_url": p.meeting_url }),
        )
        .about(Subject::graduate(a.graduate_id, a.graduate_institution_id));
    audit::record(tx, who, change).await?;
    if a.stage == Stage::Shortlisted {
        move_to(tx, who, a, Stage::Interview, None).await?;
    }
    Ok(id)
}

/// The graduate's answer to the interview it was proposed.
pub async fn answer_interview(
    tx: &mut Tx,
    who: &AuditActor,
    a: &Application,
    i: &Interview,
    answer: interview::Answer,
    note: Option<&str>,
) -> DbResult<()> {
    let now = time::now_utc();
    tx.execute(
        "UPDATE interviews SET answer = $1, answer_note = $2, answered_at = $3 WHERE id = $4",
        &[answer.key().into(), note.map(str::to_owned).into(), now.as_str().into(), i.id.into()],
    )
    .await?;
    let change = Change::new("answer", "interview", i.id)
        .before(json!({ "answer": i.answer.key() }))
        .after(json!({ "answer": answer.key(), "answer_note": note }))
        .about(Subject::graduate(a.graduate_id, a.graduate_institution_id));
    audit::record(tx, who, change).await?;
    Ok(())
}

/// One interview, if the scope owns its application.
pub async fn interview(db: &Db, scope: &Scope, id: i64) -> DbResult<Option<Interview>> {
    let mut sql = SqlBuilder::new(&format!("SELECT {INTERVIEW}{INTERVIEW_FROM} WHERE i.id = "));
    sql.bind(id);
    if scope.restrict(&mut sql, OWNERS).is_err() {
        return Ok(None);
    }
    db.fetch_optional(&sql.sql, &sql.params).await?.map(|r| interview_of(&r)).transpose()
}

/// The standing (latest) interview of each of these applications that the scope owns.
pub async fn latest_interviews(db: &Db, scope: &Scope, application_ids: &[i64]) -> DbResult<HashMap<i64, Interview>> {
    let mut latest = HashMap::new();
    if application_ids.is_empty() {
        return Ok(latest);
    }
    // Ids are integers read from the database: safe to write into the statement.
    let list = application_ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    let mut sql = SqlBuilder::new(&format!("SELECT {INTERVIEW}{INTERVIEW_FROM} WHERE i.application_id IN ({list})"));
    if scope.restrict(&mut sql, OWNERS).is_err() {
        return Ok(latest);
    }
    sql.push(" ORDER BY i.id");
    for row in db.fetch_all(&sql.sql, &sql.params).await? {
        let i = interview_of(&row)?;
        latest.insert(i.application_id, i);
    }
    Ok(latest)
}
