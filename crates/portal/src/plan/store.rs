//! The plan board's SQL: the plan files loaded into `plan_measures` and
//! `plan_targets` (idempotent: a measure already there, adjusted or not, is
//! left as it is), the province's adjustments, the deadline reminders, and
//! the universities' 四到位 returns. Every write is audited in its transaction.

use chrono::NaiveDate;
use kernel::audit::{self, AuditActor, Change, Subject};
use kernel::auth::Role;
use kernel::{time, Db, DbResult, Row, Tx};
use registry::notices;
use serde_json::json;

use super::rules::{self, CheckedReturn, Goal, ReturnStatus};

/// A plan file in the repository, embedded: (province region code, cohort, name, text).
pub struct PlanFile {
    pub province: &'static str,
    pub cohort: i64,
    pub name: &'static str,
    pub text: &'static str,
}

pub const PLANS: &[PlanFile] = &[PlanFile {
    province: "43",
    cohort: 2022,
    name: "hunan-2022",
    text: include_str!("../../../../data/plans/hunan-2022.csv"),
}];

/// The store's errors: the database, or a plan file that does not read.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(transparent)]
    Db(#[from] kernel::DbError),
    #[error("plan file {0}: {1}")]
    Plan(&'static str, String),
}

impl From<StoreError> for kernel::web::AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Db(e) => e.into(),
            other => kernel::web::AppError::Conflict(other.to_string()),
        }
    }
}

pub fn plan_file(province: &str, cohort: i64) -> Option<&'static PlanFile> {
    PLANS.iter().find(|p| p.province == province && p.cohort == cohort)
}

/// Loads the province's plan for the cohort from its file, if there is one:
/// the measures not there yet, with their targets. How many were added.
pub async fn load(db: &Db, who: &AuditActor, province: &str, cohort: i64) -> Result<usize, StoreError> {
    let mut tx = db.begin().await?;
    let added = load_in(&mut tx, who, province, cohort).await?;
    tx.commit().await?;
    Ok(added)
}

/// `load` inside the caller's transaction (the demo's).
pub async fn load_in(tx: &mut Tx, who: &AuditActor, province: &str, cohort: i64) -> Result<usize, StoreError> {
    let Some(file) = plan_file(province, cohort) else { return Ok(0) };
    let rows = rules::parse_plan(file.text).map_err(|e| StoreError::Plan(file.name, e))?;
    let mut added = 0;
    let mut current: Option<(i64, Option<i64>)> = None; // (measure no, id when newly added)
    let mut position = 0;
    for row in &rows {
        if current.map(|c| c.0) != Some(row.no) {
            let inserted = tx
                .execute(
                    "INSERT INTO plan_measures (province, cohort_year, measure_no, title, title_en, owner, starts_on, ends_on) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (province, cohort_year, measure_no) DO NOTHING",
                    &[
                        province.into(),
                        cohort.into(),
                        row.no.into(),
                        row.title.as_str().into(),
                        row.title_en.as_str().into(),
                        row.owner.as_str().into(),
                        row.starts_on.to_string().into(),
                        row.ends_on.to_string().into(),
                    ],
                )
                .await?;
            let id = match inserted {
                0 => None,
                _ => {
                    added += 1;
                    Some(
                        tx.fetch_one(
                            "SELECT id FROM plan_measures WHERE province = $1 AND cohort_year = $2 AND measure_no = $3",
                            &[province.into(), cohort.into(), row.no.into()],
                        )
                        .await?
                        .i64("id")?,
                    )
                }
            };
            current = Some((row.no, id));
            position = 0;
        }
        if let (Some((_, Some(measure))), Some((zh, en, key, goal))) = (current, &row.target) {
            position += 1;
            let (unit, low, high) = goal.cells();
            tx.execute(
                "INSERT INTO plan_targets (measure_id, position, label, label_en, figure_key, unit, low, high) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                &[
                    measure.into(),
                    position.into(),
                    zh.as_str().into(),
                    en.as_str().into(),
                    key.as_str().into(),
                    unit.into(),
                    low.unwrap_or(-1).into(),
                    high.into(),
                ],
            )
            .await?;
        }
    }
    if added > 0 {
        let change = Change::new("seed", "plan", cohort).after(json!({ "file": file.name, "measures": added }));
        audit::record(tx, who, change).await?;
    }
    Ok(added)
}

/// A target as the board reads it.
#[derive(Debug, Clone)]
pub struct Target {
    pub id: i64,
    pub label: String,
    pub label_en: String,
    pub figure_key: String,
    pub goal: Goal,
}

/// A measure (措施) with its targets.
#[derive(Debug, Clone)]
pub struct Measure {
    pub id: i64,
    /// The graduating year (届) the plan is for.
    pub cohort: i64,
    pub no: i64,
    pub title: String,
    pub title_en: String,
    pub owner: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub adjusted: bool,
    pub targets: Vec<Target>,
}

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default()
}

fn measure_of(r: &Row) -> DbResult<Measure> {
    Ok(Measure {
        id: r.i64("id")?,
        cohort: r.i64("cohort_year")?,
        no: r.i64("measure_no")?,
        title: r.text("title")?,
        title_en: r.text("title_en")?,
        owner: r.text("owner")?,
        starts_on: day(&r.text("starts_on")?),
        ends_on: day(&r.text("ends_on")?),
        adjusted: r.i64("adjusted")? != 0,
        targets: Vec::new(),
    })
}

fn goal_of(r: &Row) -> DbResult<Goal> {
    let low = r.i64("low")?;
    let high = r.opt_i64("high")?;
    Ok(match (r.text("unit")?.as_str(), low) {
        (_, l) if l < 0 => Goal::Watch,
        ("percent", l) => Goal::Share { percent: l },
        (_, l) => Goal::Count { low: l, high },
    })
}

const MEASURE: &str =
    "SELECT id, cohort_year, measure_no, title, title_en, owner, starts_on, ends_on, adjusted FROM plan_measures";

/// The cohort's measures in order, with their targets.
pub async fn measures(db: &Db, province: &str, cohort: i64) -> DbResult<Vec<Measure>> {
    let rows = db
        .fetch_all(
            &format!("{MEASURE} WHERE province = $1 AND cohort_year = $2 ORDER BY measure_no"),
            &[province.into(), cohort.into()],
        )
        .await?;
    let mut measures: Vec<Measure> = rows.iter().map(measure_of).collect::<DbResult<_>>()?;
    let targets = db
        .fetch_all(
            "SELECT t.id, t.measure_id, t.label, t.label_en, t.figure_key, t.unit, t.low, t.high \
             FROM plan_targets t JOIN plan_measures m ON m.id = t.measure_id \
             WHERE m.province = $1 AND m.cohort_year = $2 ORDER BY t.measure_id, t.position",
            &[province.into(), cohort.into()],
        )
        .await?;
    for t in &targets {
        let measure = t.i64("measure_id")?;
        if let Some(m) = measures.iter_mut().find(|m| m.id == measure) {
            m.targets.push(target_of(t)?);
        }
    }
    Ok(measures)
}

fn target_of(t: &Row) -> DbResult<Target> {
    Ok(Target {
        id: t.i64("id")?,
        label: t.text("label")?,
        label_en: t.text("label_en")?,
        figure_key: t.text("figure_key")?,
        goal: goal_of(t)?,
    })
}

pub async fn measure(db: &Db, id: i64) -> DbResult<Option<Measure>> {
    let Some(row) = db.fetch_optional(&format!("{MEASURE} WHERE id = $1"), &[id.into()]).await? else {
        return Ok(None);
    };
    let mut m = measure_of(&row)?;
    let targets = db
        .fetch_all(
            "SELECT id, measure_id, label, label_en, figure_key, unit, low, high FROM plan_targets \
             WHERE measure_id = $1 ORDER BY position",
            &[id.into()],
        )
        .await?;
    m.targets = targets.iter().map(target_of).collect::<DbResult<_>>()?;
    Ok(Some(m))
}

fn image(owner: &str, starts_on: NaiveDate, ends_on: NaiveDate, goals: &[(i64, Goal)]) -> serde_json::Value {
    json!({
        "owner": owner,
        "starts_on": starts_on.to_string(),
        "ends_on": ends_on.to_string(),
        "targets": goals.iter().map(|(id, g)| json!({ "id": id, "goal": g.label() })).collect::<Vec<_>>(),
    })
}

/// The province's adjustment of a measure's owner, dates and targets' goals.
pub async fn adjust(
    tx: &mut Tx,
    who: &AuditActor,
    before: &Measure,
    owner: &str,
    starts_on: NaiveDate,
    ends_on: NaiveDate,
    goals: &[(i64, Goal)],
) -> DbResult<()> {
    tx.execute(
        "UPDATE plan_measures SET owner = $1, starts_on = $2, ends_on = $3, adjusted = 1 WHERE id = $4",
        &[owner.into(), starts_on.to_string().into(), ends_on.to_string().into(), before.id.into()],
    )
    .await?;
    for (id, goal) in goals {
        let (unit, low, high) = goal.cells();
        tx.execute(
            "UPDATE plan_targets SET unit = $1, low = $2, high = $3 WHERE id = $4 AND measure_id = $5",
            &[unit.into(), low.unwrap_or(-1).into(), high.into(), (*id).into(), before.id.into()],
        )
        .await?;
    }
    let was: Vec<(i64, Goal)> = before.targets.iter().map(|t| (t.id, t.goal)).collect();
    let change = Change::updated(
        "plan_measure",
        before.id,
        image(&before.owner, before.starts_on, before.ends_on, &was),
        image(owner, starts_on, ends_on, goals),
    );
    audit::record(tx, who, change).await
}

/// The reminders' job in `job_runs`.
pub const JOB: &str = "plan_reminders";

/// Every cohort's measures whose deadline falls in `from..=to`, with their
/// targets, for the reminders.
pub async fn measures_ending(db: &Db, from: NaiveDate, to: NaiveDate) -> DbResult<Vec<Measure>> {
    let rows = db
        .fetch_all(
            &format!("{MEASURE} WHERE ends_on >= $1 AND ends_on <= $2 ORDER BY cohort_year, measure_no"),
            &[from.to_string().into(), to.to_string().into()],
        )
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        if let Some(m) = measure(db, r.i64("id")?).await? {
            out.push(m);
        }
    }
    Ok(out)
}

/// Tells every province account of the `due` measures (their deadline near
/// and their targets not met), once per measure and deadline
/// (`plan_reminders`); how many measures.
pub async fn send_reminders(db: &Db, due: &[Measure]) -> DbResult<usize> {
    let who = AuditActor::system(JOB);
    if due.is_empty() {
        return Ok(0);
    }
    let province: Vec<i64> = db
        .fetch_all(
            "SELECT id FROM accounts WHERE role = $1 AND active = $2 ORDER BY id",
            &[Role::ProvinceAdmin.as_str().into(), true.into()],
        )
        .await?
        .iter()
        .map(|r| r.i64("id"))
        .collect::<DbResult<_>>()?;
    let mut sent = 0;
    for m in due {
        let mut tx = db.begin().await?;
        let wrote = tx
            .execute(
                "INSERT INTO plan_reminders (measure_id, due_on, sent_at) VALUES ($1, $2, $3) \
                 ON CONFLICT (measure_id, due_on) DO NOTHING",
                &[m.id.into(), m.ends_on.to_string().into(), time::now_utc().into()],
            )
            .await?;
        if wrote == 0 {
            continue;
        }
        let message = format!(
            "工作台账提醒：措施 {}「{}」将于 {} 截止（牵头单位：{}）。 / Plan reminder: measure {} ({}) is due on {} (owner: {}).",
            m.no, m.title, m.ends_on, m.owner, m.no, m.title_en, m.ends_on, m.owner
        );
        for account in &province {
            notices::tell(&mut tx, &who, *account, "plan", &message, Some("/plan")).await?;
        }
        let change = Change::new("remind", "plan_measure", m.id).after(json!({ "due_on": m.ends_on.to_string() }));
        audit::record(&mut tx, &who, change).await?;
        tx.commit().await?;
        sent += 1;
    }
    Ok(sent)
}

/// The figures of a return the platform holds: filled in, only confirmed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Held {
    /// The cohort's graduates of the institution (the roster).
    pub graduates: i64,
    /// Active staff accounts of the institution on the platform.
    pub staff_accounts: i64,
    /// Fairs the institution hosted for the cohort (recruitment's figure).
    pub campus_fairs: i64,
}

/// Graduates and staff accounts from the registry's records; the fairs come from the figure.
pub async fn held(db: &Db, institution: i64, cohort: i64, campus_fairs: i64) -> DbResult<Held> {
    let graduates = db
        .scalar_i64(
            "SELECT COUNT(*) FROM graduates WHERE institution_id = $1 AND cohort_year = $2",
            &[institution.into(), cohort.into()],
        )
        .await?;
    let staff_accounts = db
        .scalar_i64(
            "SELECT COUNT(*) FROM accounts WHERE institution_id = $1 AND role = $2 AND active = $3",
            &[institution.into(), Role::UniversityStaff.as_str().into(), true.into()],
        )
        .await?;
    Ok(Held { graduates, staff_accounts, campus_fairs })
}

/// `held` inside a transaction (the demo's), the fairs counted as recruitment's figure counts them.
pub async fn held_in(tx: &mut Tx, institution: i64, cohort: i64) -> DbResult<Held> {
    let n = |r: Row| r.i64("n");
    let graduates = n(tx
        .fetch_one(
            "SELECT COUNT(*) AS n FROM graduates WHERE institution_id = $1 AND cohort_year = $2",
            &[institution.into(), cohort.into()],
        )
        .await?)?;
    let staff_accounts = n(tx
        .fetch_one(
            "SELECT COUNT(*) AS n FROM accounts WHERE institution_id = $1 AND role = $2 AND active = $3",
            &[institution.into(), Role::UniversityStaff.as_str().into(), true.into()],
        )
        .await?)?;
    let campus_fairs = n(tx
        .fetch_one(
            "SELECT COUNT(*) AS n FROM fairs f WHERE f.status = 'finished' AND f.cohort = $1 \
             AND f.kind_code IN ('05', '06') AND f.id IN (SELECT fair_id FROM fair_hosts WHERE institution_id = $2)",
            &[cohort.into(), institution.into()],
        )
        .await?)?;
    Ok(Held { graduates, staff_accounts, campus_fairs })
}

/// A 四到位 return as kept.
#[derive(Debug, Clone)]
pub struct Return {
    pub id: i64,
    pub institution_id: i64,
    pub held: Held,
    pub staff_fulltime: i64,
    pub funds_wan: i64,
    pub venue_sqm: i64,
    pub organisation: String,
    pub leader_name: String,
    pub leader_title: String,
    pub signed_on: String,
    pub status: ReturnStatus,
    pub review_reason: String,
}

const RETURN: &str = "SELECT id, institution_id, graduates, staff_accounts, campus_fairs, staff_fulltime, funds_wan, \
     venue_sqm, organisation, leader_name, leader_title, signed_on, status, review_reason FROM plan_returns";

fn return_of(r: &Row) -> DbResult<Return> {
    Ok(Return {
        id: r.i64("id")?,
        institution_id: r.i64("institution_id")?,
        held: Held {
            graduates: r.i64("graduates")?,
            staff_accounts: r.i64("staff_accounts")?,
            campus_fairs: r.i64("campus_fairs")?,
        },
        staff_fulltime: r.i64("staff_fulltime")?,
        funds_wan: r.i64("funds_wan")?,
        venue_sqm: r.i64("venue_sqm")?,
        organisation: r.text("organisation")?,
        leader_name: r.text("leader_name")?,
        leader_title: r.text("leader_title")?,
        signed_on: r.text("signed_on")?,
        status: ReturnStatus::parse(&r.text("status")?).unwrap_or(ReturnStatus::Draft),
        review_reason: r.text("review_reason")?,
    })
}

pub async fn return_of_institution(db: &Db, institution: i64, cohort: i64) -> DbResult<Option<Return>> {
    db.fetch_optional(
        &format!("{RETURN} WHERE institution_id = $1 AND cohort_year = $2"),
        &[institution.into(), cohort.into()],
    )
    .await?
    .as_ref()
    .map(return_of)
    .transpose()
}

pub async fn return_of_institution_in(tx: &mut Tx, institution: i64, cohort: i64) -> DbResult<Option<Return>> {
    tx.fetch_optional(
        &format!("{RETURN} WHERE institution_id = $1 AND cohort_year = $2"),
        &[institution.into(), cohort.into()],
    )
    .await?
    .as_ref()
    .map(return_of)
    .transpose()
}

pub async fn get_return(db: &Db, id: i64) -> DbResult<Option<Return>> {
    db.fetch_optional(&format!("{RETURN} WHERE id = $1"), &[id.into()]).await?.as_ref().map(return_of).transpose()
}

/// Every institution with its return for the cohort, if any: (id, name, return).
pub async fn returns(db: &Db, cohort: i64) -> DbResult<Vec<(i64, String, Option<Return>)>> {
    let institutions = institutions(db).await?;
    let rows = db.fetch_all(&format!("{RETURN} WHERE cohort_year = $1"), &[cohort.into()]).await?;
    let mut kept: Vec<Return> = rows.iter().map(return_of).collect::<DbResult<_>>()?;
    Ok(institutions
        .into_iter()
        .map(|(id, name)| {
            let r = kept.iter().position(|r| r.institution_id == id).map(|at| kept.swap_remove(at));
            (id, name, r)
        })
        .collect())
}

/// Institutions by code: (id, name).
pub async fn institutions(db: &Db) -> DbResult<Vec<(i64, String)>> {
    let rows = db.fetch_all("SELECT id, name FROM institutions ORDER BY code", &[]).await?;
    rows.iter().map(|r| Ok((r.i64("id")?, r.text("name")?))).collect()
}

fn return_image(held: Held, c: &CheckedReturn, status: ReturnStatus) -> serde_json::Value {
    json!({
        "graduates": held.graduates,
        "staff_accounts": held.staff_accounts,
        "campus_fairs": held.campus_fairs,
        "staff_fulltime": c.staff_fulltime,
        "funds_wan": c.funds_wan,
        "venue_sqm": c.venue_sqm,
        "organisation": c.organisation,
        "leader_name": c.leader_name,
        "leader_title": c.leader_title,
        "status": status.key(),
    })
}

/// Signs the institution's return for the cohort with the figures the
/// platform holds as confirmed and the typed ones; refused (`false`) when a
/// signed or accepted return is there.
pub async fn sign(
    tx: &mut Tx,
    who: &AuditActor,
    institution: i64,
    cohort: i64,
    held: Held,
    c: &CheckedReturn,
    today: NaiveDate,
) -> DbResult<bool> {
    let before = tx
        .fetch_optional(
            &format!("{RETURN} WHERE institution_id = $1 AND cohort_year = $2"),
            &[institution.into(), cohort.into()],
        )
        .await?
        .as_ref()
        .map(return_of)
        .transpose()?;
    if before.as_ref().is_some_and(|r| !r.status.may_sign()) {
        return Ok(false);
    }
    let values = [
        held.graduates.into(),
        held.staff_accounts.into(),
        held.campus_fairs.into(),
        c.staff_fulltime.into(),
        c.funds_wan.into(),
        c.venue_sqm.into(),
        c.organisation.as_str().into(),
        c.leader_name.as_str().into(),
        c.leader_title.as_str().into(),
        today.to_string().into(),
        ReturnStatus::Signed.key().into(),
        time::now_utc().into(),
        institution.into(),
        cohort.into(),
    ];
    let id = match &before {
        Some(r) => {
            tx.execute(
                "UPDATE plan_returns SET graduates = $1, staff_accounts = $2, campus_fairs = $3, staff_fulltime = $4, \
                 funds_wan = $5, venue_sqm = $6, organisation = $7, leader_name = $8, leader_title = $9, \
                 signed_on = $10, status = $11, review_reason = '', updated_at = $12 \
                 WHERE institution_id = $13 AND cohort_year = $14",
                &values,
            )
            .await?;
            r.id
        }
        None => {
            tx.insert_returning_id(
                "INSERT INTO plan_returns (graduates, staff_accounts, campus_fairs, staff_fulltime, funds_wan, venue_sqm, \
                 organisation, leader_name, leader_title, signed_on, status, review_reason, updated_at, institution_id, \
                 cohort_year) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, '', $12, $13, $14)",
                &values,
            )
            .await?
        }
    };
    let change = Change::new("sign", "plan_return", id)
        .after(return_image(held, c, ReturnStatus::Signed))
        .about(Subject::institution(institution));
    audit::record(tx, who, change).await?;
    Ok(true)
}

/// The province accepts a signed return, or returns it with a reason; `false` when it is not signed.
pub async fn review(tx: &mut Tx, who: &AuditActor, r: &Return, accept: bool, reason: &str) -> DbResult<bool> {
    let to = if accept { ReturnStatus::Accepted } else { ReturnStatus::Returned };
    let changed = tx
        .execute(
            "UPDATE plan_returns SET status = $1, review_reason = $2, updated_at = $3 WHERE id = $4 AND status = $5",
            &[to.key().into(), reason.into(), time::now_utc().into(), r.id.into(), ReturnStatus::Signed.key().into()],
        )
        .await?;
    if changed == 0 {
        return Ok(false);
    }
    let action = if accept { "accept" } else { "return" };
    let change = Change::new(action, "plan_return", r.id)
        .before(json!({ "status": r.status.key() }))
        .after(json!({ "status": to.key(), "reason": reason }))
        .about(Subject::institution(r.institution_id));
    audit::record(tx, who, change).await?;
    Ok(true)
}

/// A university's epidemic contingency plan (疫情防控应急预案): a PDF and a summary.
#[derive(Debug, Clone)]
pub struct Contingency {
    pub id: i64,
    pub institution_id: i64,
    pub summary: String,
    pub file_hash: String,
    pub file_name: String,
    pub uploaded_at: String,
}

const CONTINGENCY: &str = "SELECT id, institution_id, summary, file_hash, file_name, uploaded_at FROM plan_contingency";

fn contingency_of(r: &Row) -> DbResult<Contingency> {
    Ok(Contingency {
        id: r.i64("id")?,
        institution_id: r.i64("institution_id")?,
        summary: r.text("summary")?,
        file_hash: r.text("file_hash")?,
        file_name: r.text("file_name")?,
        uploaded_at: r.text("uploaded_at")?,
    })
}

/// The cohort's plans, every institution's (`None`) or one's.
pub async fn contingencies(db: &Db, cohort: i64, institution: Option<i64>) -> DbResult<Vec<Contingency>> {
    let rows = match institution {
        Some(i) => {
            db.fetch_all(
                &format!("{CONTINGENCY} WHERE cohort_year = $1 AND institution_id = $2"),
                &[cohort.into(), i.into()],
            )
            .await?
        }
        None => db.fetch_all(&format!("{CONTINGENCY} WHERE cohort_year = $1"), &[cohort.into()]).await?,
    };
    rows.iter().map(contingency_of).collect()
}

pub async fn contingency(db: &Db, id: i64) -> DbResult<Option<Contingency>> {
    db.fetch_optional(&format!("{CONTINGENCY} WHERE id = $1"), &[id.into()])
        .await?
        .as_ref()
        .map(contingency_of)
        .transpose()
}

/// Keeps the institution's plan for the cohort, replacing an earlier one.
pub async fn keep_contingency(
    tx: &mut Tx,
    who: &AuditActor,
    institution: i64,
    cohort: i64,
    summary: &str,
    file_hash: &str,
    file_name: &str,
) -> DbResult<()> {
    let before = tx
        .fetch_optional(
            &format!("{CONTINGENCY} WHERE institution_id = $1 AND cohort_year = $2"),
            &[institution.into(), cohort.into()],
        )
        .await?
        .as_ref()
        .map(contingency_of)
        .transpose()?;
    let now = time::now_utc();
    let id = match &before {
        Some(c) => {
            tx.execute(
                "UPDATE plan_contingency SET summary = $1, file_hash = $2, file_name = $3, uploaded_at = $4 WHERE id = $5",
                &[summary.into(), file_hash.into(), file_name.into(), now.into(), c.id.into()],
            )
            .await?;
            c.id
        }
        None => {
            tx.insert_returning_id(
                "INSERT INTO plan_contingency (institution_id, cohort_year, summary, file_hash, file_name, uploaded_at) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
                &[institution.into(), cohort.into(), summary.into(), file_hash.into(), file_name.into(), now.into()],
            )
            .await?
        }
    };
    let after = change_after(summary, file_hash, file_name);
    let change = match &before {
        Some(c) => Change::updated("plan_contingency", id, change_after(&c.summary, &c.file_hash, &c.file_name), after),
        None => Change::created("plan_contingency", id, after),
    };
    audit::record(tx, who, change.about(Subject::institution(institution))).await
}

fn change_after(summary: &str, file_hash: &str, file_name: &str) -> serde_json::Value {
    json!({ "summary": summary, "file_sha256": file_hash, "file_name": file_name })
}
