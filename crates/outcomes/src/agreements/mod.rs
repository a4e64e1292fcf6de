//! Online three-party agreements (网上签约): the employer invites, the graduate
//! accepts, the college reviews, the employer seals, the school confirms, and
//! the destination is registered from the agreement.

pub mod api;
pub mod card;
pub mod flow;
pub mod pages;
pub mod signing;
pub mod terms;

use kernel::audit::{self, AuditActor, Change, Subject};
use kernel::auth::{Actor, Owners, Role, Scope};
use kernel::db::SqlBuilder;
use kernel::web::listing::{Listing, Match};
use kernel::web::FieldErrors;
use kernel::{time, validate, FromRow, Locale, Row, Tx};

use crate::destinations::{self, Checked, Owner};
use flow::{Party, Status, Step};

/// The destination code a cancelled agreement leaves (待就业-求职中, 2021 list).
pub const CANCELLED_CATEGORY: &str = "701";

/// What an employer fills in to invite a graduate.
#[derive(Debug, Default, Clone, serde::Deserialize)]
pub struct Invitation {
    #[serde(default)]
    pub id_number: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub student_no: String,
    #[serde(default)]
    pub position_title: String,
    #[serde(default)]
    pub work_region_code: String,
    /// Pay, term, probation, breach terms, archive and 户口.
    #[serde(flatten)]
    pub terms: terms::TermsForm,
}

impl Invitation {
    /// (field, label zh, label en, value) of what the employer offers: position,
    /// place of work and the terms; both invitation forms show these.
    pub fn offer_fields(&self) -> Vec<(&'static str, &'static str, &'static str, &str)> {
        let mut fields = vec![
            ("position_title", "岗位名称", "Position", self.position_title.as_str()),
            ("work_region_code", "工作地区代码", "Work region code", self.work_region_code.as_str()),
        ];
        fields.extend(terms::FIELDS.iter().map(|(name, zh, en)| (*name, *zh, *en, self.terms.value(name))));
        fields
    }
}

/// An agreement as pages show it.
pub struct Agreement {
    pub id: i64,
    pub number: String,
    pub status: Status,
    pub graduate_id: i64,
    pub graduate_name: String,
    /// In full here; pages show it as `flow::sees_id_number` says.
    pub id_number: String,
    pub major: String,
    pub institution: String,
    pub institution_id: i64,
    pub college_id: i64,
    pub employer_id: i64,
    pub employer: String,
    pub credit_code: String,
    pub position_title: String,
    pub monthly_salary: String,
    pub work_region_code: String,
    /// The place of work written out ("湖南省长沙市岳麓区"), once `name_region` ran.
    pub work_region: String,
    pub term_months: Option<i64>,
    pub probation_months: Option<i64>,
    pub breach_terms: String,
    pub archive_to: String,
    pub hukou_to: String,
    /// 验证码 for the public check; empty on agreements from before it existed.
    pub verify_code: String,
    pub created_at: String,
    pub updated_at: String,
    /// `electronic` (e-seal), `scan` (uploaded scan of the stamped paper), or empty before sealing.
    pub seal_method: String,
    pub seal_file_name: String,
}

/// An agreement joined to what names it, for the changes a university's systems follow.
const FROM: &str =
    "FROM agreements a JOIN graduates g ON g.id = a.graduate_id JOIN institutions i ON i.id = a.institution_id \
    JOIN employers e ON e.id = a.employer_id JOIN majors m ON m.id = g.major_id";
/// What the list's filters need, without the joins that only name things.
const FILTERED_FROM: &str = "FROM agreements a JOIN graduates g ON g.id = a.graduate_id";
/// An agreement's columns over `FILTERED_FROM` alone, what names it read through
/// subqueries: a list page is planned over two tables, not five (PostgreSQL
/// plans a name search afresh each time).
const COLUMNS: &str = "a.id, a.number, a.status, a.graduate_id, g.name AS graduate_name, g.id_number, \
    (SELECT m.name FROM majors m WHERE m.id = g.major_id) AS major, \
    (SELECT i.name FROM institutions i WHERE i.id = a.institution_id) AS institution, a.institution_id, a.college_id, \
    a.employer_id, (SELECT e.name FROM employers e WHERE e.id = a.employer_id) AS employer, \
    (SELECT e.credit_code FROM employers e WHERE e.id = a.employer_id) AS credit_code, a.position_title, \
    a.monthly_salary, a.work_region_code, a.term_months, a.probation_months, a.breach_terms, a.archive_to, a.hukou_to, a.verify_code, \
    a.created_at, a.updated_at, a.seal_method, a.seal_file_name";

impl FromRow for Agreement {
    fn from_row(r: &Row) -> kernel::DbResult<Agreement> {
        Ok(Agreement {
            id: r.i64("id")?,
            number: r.text("number")?,
            status: Status::parse(&r.text("status")?).unwrap_or(Status::Declined),
            graduate_id: r.i64("graduate_id")?,
            graduate_name: r.text("graduate_name")?,
            id_number: r.text("id_number")?,
            major: r.text("major")?,
            institution: r.text("institution")?,
            institution_id: r.i64("institution_id")?,
            college_id: r.i64("college_id")?,
            employer_id: r.i64("employer_id")?,
            employer: r.text("employer")?,
            credit_code: r.text("credit_code")?,
            position_title: r.text("position_title")?,
            monthly_salary: r.opt_text("monthly_salary")?.unwrap_or_default(),
            work_region_code: r.opt_text("work_region_code")?.unwrap_or_default(),
            work_region: String::new(),
            term_months: r.opt_i64("term_months")?,
            probation_months: r.opt_i64("probation_months")?,
            breach_terms: r.opt_text("breach_terms")?.unwrap_or_default(),
            archive_to: r.opt_text("archive_to")?.unwrap_or_default(),
            hukou_to: r.opt_text("hukou_to")?.unwrap_or_default(),
            verify_code: r.opt_text("verify_code")?.unwrap_or_default(),
            created_at: r.text("created_at")?,
            updated_at: r.text("updated_at")?,
            seal_method: r.opt_text("seal_method")?.unwrap_or_default(),
            seal_file_name: r.opt_text("seal_file_name")?.unwrap_or_default(),
        })
    }
}

impl Agreement {
    /// (label, value) of everything the parties agree on, in the reader's
    /// language, for the detail page and the print; "未约定" where left open.
    pub fn terms(&self, l: Locale) -> Vec<(&'static str, String)> {
        let open = || l.pick("未约定", "Not agreed").to_owned();
        let text = |v: &str| if v.is_empty() { open() } else { v.to_owned() };
        let months = |m: Option<i64>| match (m, l) {
            (None, _) => open(),
            (Some(m), Locale::Zh) => format!("{m} 个月"),
            (Some(m), Locale::En) => format!("{m} months"),
        };
        vec![
            (l.pick("岗位", "Position"), text(&self.position_title)),
            (l.pick("月薪（元）", "Monthly salary (yuan)"), text(&self.monthly_salary)),
            (l.pick("工作地区", "Place of work"), text(&self.work_region)),
            (l.pick("协议期限", "Term"), months(self.term_months)),
            (l.pick("试用期", "Probation"), months(self.probation_months)),
            (l.pick("违约责任（违约金）", "Breach terms (penalty)"), text(&self.breach_terms)),
            (l.pick("档案转递单位及地址", "Archive goes to"), text(&self.archive_to)),
            (l.pick("户口迁移地址", "Household registration (hukou) moves to"), text(&self.hukou_to)),
        ]
    }
}

/// Who owns an agreement (alias `a`): its graduate's institution and college, the graduate, the employer.
const OWNERS: Owners = Owners {
    institution: Some("a.institution_id"),
    college: Some("a.college_id"),
    graduate: Some("a.graduate_id"),
    employer: Some("a.employer_id"),
    directory: false,
};

/// What the agreement list is narrowed to: a status (a party's work queue) and
/// a graduate's name, student number or the agreement number.
#[derive(Debug, Default, Clone, serde::Deserialize)]
pub struct ListFilter {
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub q: String,
    #[serde(flatten)]
    pub paging: kernel::web::table::KeyQuery,
}

/// The list's one order, newest change first, paged by key (`agreements_updated`).
const SORT: &[(&str, &str)] = &[("updated", "a.updated_at")];

/// One page of the agreements the scope may see, newest change first; `paging.total` says how many match.
pub async fn list(
    db: &kernel::Db,
    cache: &kernel::web::cache::Cache,
    scope: &Scope,
    f: &ListFilter,
    paging: &mut kernel::web::table::KeyPaging,
) -> kernel::DbResult<Vec<Agreement>> {
    let Ok(mut listing) = Listing::new(FILTERED_FROM).counted_over(FILTERED_FROM).scoped(scope, OWNERS) else {
        return Ok(Vec::new());
    };
    if let Some(status) = Status::parse(f.status.trim()) {
        listing = listing.equals("a.status", status.key());
    }
    let listing = listing.search(
        &f.q,
        &[
            Match::Prefix("g.name"),
            Match::Initials("g.name_initials"),
            Match::Equals("g.student_no"),
            Match::Equals("a.number"),
        ],
    );
    let newest_first = kernel::web::table::Sort::parse(None, Some("desc"), SORT);
    listing.page_by_key(db, cache, COLUMNS, &newest_first, "a.id", paging).await
}

/// One agreement, if the scope may see it, its place of work written out.
pub async fn get(db: &kernel::Db, scope: &Scope, id: i64) -> kernel::DbResult<Option<Agreement>> {
    let mut w = SqlBuilder::new(&format!("SELECT {COLUMNS} {FILTERED_FROM} WHERE a.id = "));
    w.bind(id);
    if scope.restrict(&mut w, OWNERS).is_err() {
        return Ok(None);
    }
    let Some(mut a): Option<Agreement> = db.first(&w.sql, &w.params).await? else { return Ok(None) };
    let names = registry::reference::full_region_names(db, [a.work_region_code.as_str()]).await?;
    a.work_region = names.full(&a.work_region_code);
    Ok(Some(a))
}

/// What the public check page (/verify/agreement/{code}) shows: no ID or
/// phone number, the graduate's and employer's names partly masked.
pub struct Verified {
    pub number: String,
    pub status: Status,
    pub graduate: String,
    pub employer: String,
    pub institution: String,
    pub created_on: String,
    pub updated_on: String,
}

/// An agreement's state and parties, as the systems that follow agreements read them.
pub struct Followed {
    pub id: i64,
    pub number: String,
    pub status: Status,
    pub graduate_name: String,
    pub student_no: String,
    pub employer: String,
    pub credit_code: String,
    pub institution_code: String,
    pub institution: String,
    pub updated_at: String,
}

impl FromRow for Followed {
    fn from_row(r: &Row) -> kernel::DbResult<Followed> {
        Ok(Followed {
            id: r.i64("id")?,
            number: r.text("number")?,
            status: Status::parse(&r.text("status")?).unwrap_or(Status::Declined),
            graduate_name: r.text("graduate_name")?,
            student_no: r.text("student_no")?,
            employer: r.text("employer")?,
            credit_code: r.text("credit_code")?,
            institution_code: r.text("institution_code")?,
            institution: r.text("institution")?,
            updated_at: r.text("updated_at")?,
        })
    }
}

/// Up to `limit` agreements the scope may see that changed at or after
/// `since` (an RFC 3339 instant), oldest change first, after the key
/// (updated_at, id) of the last one a caller has read.
pub async fn changed_since(
    db: &kernel::Db,
    scope: &Scope,
    since: &str,
    after: Option<(&str, i64)>,
    limit: i64,
) -> kernel::DbResult<Vec<Followed>> {
    let mut w = SqlBuilder::new(
        "SELECT a.id, a.number, a.status, g.name AS graduate_name, g.student_no, e.name AS employer, e.credit_code, \
         i.code AS institution_code, i.name AS institution, a.updated_at ",
    );
    w.push(FROM).push(" WHERE a.updated_at >= ").bind(since);
    if scope.restrict(&mut w, OWNERS).is_err() {
        return Ok(Vec::new());
    }
    if let Some((updated_at, id)) = after {
        w.push(" AND (a.updated_at > ").bind(updated_at).push(" OR (a.updated_at = ").bind(updated_at);
        w.push(" AND a.id > ").bind(id).push("))");
    }
    w.push(" ORDER BY a.updated_at, a.id LIMIT ").bind(limit);
    db.all(&w.sql, &w.params).await
}

/// The id of the agreement with this number, whoever may see it.
pub async fn id_by_number(db: &kernel::Db, number: &str) -> kernel::DbResult<Option<i64>> {
    let row = db.fetch_optional("SELECT id FROM agreements WHERE number = $1", &[number.into()]).await?;
    row.map(|r| r.i64("id")).transpose()
}

/// The agreement a verification code names, as anyone may see it.
pub async fn verify(db: &kernel::Db, code: &str) -> kernel::DbResult<Option<Verified>> {
    let code = flow::normalize_verify_code(code);
    let row = db
        .fetch_optional(
            "SELECT a.number, a.status, g.name AS graduate, e.name AS employer, i.name AS institution, a.created_at, a.updated_at \
             FROM agreements a JOIN graduates g ON g.id = a.graduate_id JOIN employers e ON e.id = a.employer_id \
             JOIN institutions i ON i.id = a.institution_id WHERE a.verify_code = $1",
            &[code.into()],
        )
        .await?;
    let Some(r) = row else { return Ok(None) };
    let day = |c: &str| r.text(c).map(|t| time::display(&t).chars().take(10).collect::<String>());
    Ok(Some(Verified {
        number: r.text("number")?,
        status: Status::parse(&r.text("status")?).unwrap_or(Status::Declined),
        graduate: kernel::mask::person_name(&r.text("graduate")?),
        employer: kernel::mask::organisation_name(&r.text("employer")?),
        institution: r.text("institution")?,
        created_on: day("created_at")?,
        updated_on: day("updated_at")?,
    }))
}

/// The parties an actor speaks for on an agreement.
pub fn parties(actor: &Actor, a: &Agreement) -> Vec<Party> {
    match actor.role {
        Role::Employer if actor.employer_id == Some(a.employer_id) => vec![Party::Employer],
        Role::Graduate if actor.graduate_id == Some(a.graduate_id) => vec![Party::Graduate],
        Role::UniversityStaff if actor.institution_id == Some(a.institution_id) => match actor.college_id {
            Some(c) if c == a.college_id => vec![Party::College],
            Some(_) => vec![],
            None => vec![Party::College, Party::School],
        },
        _ => vec![],
    }
}

async fn event(
    tx: &mut Tx,
    who: &AuditActor,
    id: i64,
    step: &str,
    from: Option<Status>,
    to: Status,
) -> kernel::DbResult<()> {
    tx.execute(
        "INSERT INTO agreement_events (agreement_id, at, actor_id, actor_label, action, from_status, to_status) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        &[id.into(), time::now_utc().into(), who.account_id.into(), who.label.as_str().into(), step.into(), from.map(|s| s.key()).into(), to.key().into()],
    )
    .await?;
    Ok(())
}

/// An approved employer invites a graduate, identified as on the roster by
/// ID number, name and student number. One live agreement per graduate.
const ALREADY_LIVE: (&str, &str) =
    ("该毕业生已有一份进行中或已生效的协议。", "This graduate already has an agreement in progress or in force.");

/// The unique key on agreement numbers (PostgreSQL's name for it), told apart
/// from the one-live rule (`agreements_one_live`; SQLite names neither).
const NUMBER_KEY: &str = "agreements_number_key";

/// The next serial of an institution's agreements in a cohort. The counter
/// row's lock holds other invitations of the institution until this one
/// commits, so two never take the same number; a first row starts after the
/// agreements already numbered (the demo's, written without the counter).
async fn next_serial(tx: &mut Tx, institution_id: i64, cohort: i64) -> Result<i64, kernel::DbError> {
    tx.fetch_one(
        "INSERT INTO agreement_serials (institution_id, cohort_year, last_serial) \
         SELECT $1, $2, COUNT(*) + 1 FROM agreements WHERE institution_id = $1 AND cohort_year = $2 \
         ON CONFLICT (institution_id, cohort_year) DO UPDATE SET last_serial = agreement_serials.last_serial + 1 \
         RETURNING last_serial",
        &[institution_id.into(), cohort.into()],
    )
    .await?
    .i64("last_serial")
}

pub async fn invite(
    tx: &mut Tx,
    who: &AuditActor,
    employer_id: i64,
    form: &Invitation,
    l: Locale,
) -> Result<Result<i64, FieldErrors>, kernel::DbError> {
    let mut errors = FieldErrors::default();
    let employer = tx.fetch_one("SELECT status FROM employers WHERE id = $1", &[employer_id.into()]).await?;
    if employer.text("status")? != "approved" {
        errors.add(
            "id_number",
            l.pick("单位通过审核后才能发起签约。", "Your organisation can invite once it is approved."),
        );
        return Ok(Err(errors));
    }
    let graduate = registry::graduates::by_id_number(tx, &form.id_number).await?;
    let matched =
        graduate.filter(|g| g.name == form.name.trim() && g.student_no == validate::normalize(&form.student_no));
    let Some(g) = matched else {
        errors.add(
            "id_number",
            l.pick(
                "姓名、学号和身份证号与生源信息不一致。",
                "Name, student number and ID number do not match the roster.",
            ),
        );
        return Ok(Err(errors));
    };
    invite_graduate(tx, who, employer_id, &g, form, l).await
}

/// Invites a graduate already identified (by the roster match above, or by an
/// offer the graduate accepted on the platform): the offer's checks, the
/// one-live-agreement rule, the number, the event and the audit record.
pub async fn invite_graduate(
    tx: &mut Tx,
    who: &AuditActor,
    employer_id: i64,
    g: &registry::graduates::Graduate,
    form: &Invitation,
    l: Locale,
) -> Result<Result<i64, FieldErrors>, kernel::DbError> {
    let mut errors = FieldErrors::default();
    let position = form.position_title.trim();
    if position.is_empty() || position.chars().count() > 60 {
        errors.add(
            "position_title",
            l.pick("请填写岗位名称（不超过 60 字）。", "Give the position (at most 60 characters)."),
        );
    }
    let region = validate::normalize(&form.work_region_code);
    if !region.is_empty() && !registry::reference::region_index_in(tx).await?.knows(&region) {
        errors.add("work_region_code", l.pick("地区代码不存在。", "Unknown region code."));
    }
    let terms = terms::check(&form.terms, &mut errors, l);
    let graduate_id = g.id;
    let live = tx
        .fetch_all("SELECT status FROM agreements WHERE graduate_id = $1", &[graduate_id.into()])
        .await?
        .iter()
        .filter(|r| r.text("status").ok().and_then(|s| Status::parse(&s)).is_some_and(Status::is_live))
        .count();
    if live > 0 {
        errors.add("id_number", l.pick(ALREADY_LIVE.0, ALREADY_LIVE.1));
    }
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    let institution_id = g.institution_id;
    let serial = next_serial(tx, institution_id, g.cohort).await?;
    let number = flow::number(g.cohort, &g.institution_code, &g.education_level, serial);
    let now = time::now_utc();
    let inserted = tx
        .insert_returning_id(
            "INSERT INTO agreements (number, cohort_year, institution_id, college_id, graduate_id, employer_id, status, position_title, \
             monthly_salary, work_region_code, created_at, updated_at, term_months, probation_months, breach_terms, archive_to, hukou_to, verify_code) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11, $12, $13, $14, $15, $16, $17)",
            &[
                number.as_str().into(),
                g.cohort.into(),
                institution_id.into(),
                g.college_id.into(),
                graduate_id.into(),
                employer_id.into(),
                Status::Invited.key().into(),
                position.into(),
                terms.monthly_salary.clone().into(),
                Some(region).filter(|s| !s.is_empty()).into(),
                now.as_str().into(),
                terms.term_months.into(),
                terms.probation_months.into(),
                terms.breach_terms.clone().into(),
                terms.archive_to.clone().into(),
                terms.hukou_to.clone().into(),
                flow::verify_code(rand::random()).into(),
            ],
        )
        .await;
    let id = match inserted {
        Ok(id) => id,
        // Another invitation for the graduate committed after the check above:
        // the database's one-live rule refused this one.
        Err(kernel::DbError::Duplicate(key)) if key != NUMBER_KEY => {
            errors.add("id_number", l.pick(ALREADY_LIVE.0, ALREADY_LIVE.1));
            return Ok(Err(errors));
        }
        Err(e) => return Err(e),
    };
    event(tx, who, id, "invite", None, Status::Invited).await?;
    let after = serde_json::json!({
        "number": number, "graduate_id": graduate_id, "employer_id": employer_id, "status": Status::Invited.key(),
        "position_title": position, "monthly_salary": terms.monthly_salary, "term_months": terms.term_months,
        "probation_months": terms.probation_months, "breach_terms": terms.breach_terms, "archive_to": terms.archive_to,
        "hukou_to": terms.hukou_to,
    });
    let change = Change::new("invite", "agreement", id).after(after);
    audit::record(tx, who, change.about(Subject::graduate(graduate_id, institution_id))).await?;
    Ok(Ok(id))
}

/// Takes one step for the parties the actor speaks for. When the agreement
/// comes into force, the graduate's destination is registered from it (code 10).
pub async fn take_step(
    tx: &mut Tx,
    who: &AuditActor,
    a: &Agreement,
    step: Step,
    parties: &[Party],
) -> Result<Option<Status>, kernel::DbError> {
    // Read the status again inside the transaction: another party may have moved it.
    let current = tx.fetch_one("SELECT status FROM agreements WHERE id = $1", &[a.id.into()]).await?.text("status")?;
    let Some(from) = Status::parse(&current) else { return Ok(None) };
    if !step.may_take(from, parties) {
        return Ok(None);
    }
    let Some(to) = flow::next(from, step) else { return Ok(None) };
    if step == Step::RequestCancel {
        let breaches = tx
            .fetch_one(
                "SELECT COUNT(*) AS n FROM agreements WHERE graduate_id = $1 AND status = 'cancelled'",
                &[a.graduate_id.into()],
            )
            .await?
            .i64("n")?;
        // The limit (违约次数上限) is the cohort's setting.
        let cohort = registry::cohorts::of_graduate(tx, a.graduate_id).await?;
        let limit = cohort.ok_or(kernel::DbError::Missing("cohort"))?.breach_limit;
        if breaches >= limit {
            return Ok(None);
        }
    }
    let now = time::now_utc();
    tx.execute(
        "UPDATE agreements SET status = $1, updated_at = $2 WHERE id = $3",
        &[to.key().into(), now.into(), a.id.into()],
    )
    .await?;
    event(tx, who, a.id, step.key(), Some(from), to).await?;
    let checked = match to {
        Status::Effective if from == Status::Sealed => Some(Checked {
            category: "10".to_owned(),
            employer_name: Some(a.employer.clone()),
            credit_code: Some(a.credit_code.clone()),
            position: None,
            nature: None,
            industry: None,
            region: Some(a.work_region_code.clone()).filter(|r| !r.is_empty()),
            signed_on: Some(time::today_china().to_string()),
            note: Some(format!("网签协议 {}", a.number)),
            correction: None,
        }),
        // 已解约 returns the graduate to 待就业-求职中 until the next destination.
        Status::Cancelled => Some(Checked {
            category: CANCELLED_CATEGORY.to_owned(),
            employer_name: None,
            credit_code: None,
            position: None,
            nature: None,
            industry: None,
            region: None,
            signed_on: None,
            note: Some(format!("解约 {}", a.number)),
            correction: None,
        }),
        _ => None,
    };
    if let Some(checked) = checked {
        let g = tx.fetch_one("SELECT cohort_year FROM graduates WHERE id = $1", &[a.graduate_id.into()]).await?;
        let owner =
            Owner { graduate_id: a.graduate_id, cohort: g.i64("cohort_year")?, institution_id: a.institution_id };
        let cohort = registry::cohorts::get_in(tx, owner.cohort).await?.ok_or(kernel::DbError::Missing("cohort"))?;
        let codes = destinations::Codes::load(tx, &cohort.destination_version).await?;
        destinations::write(tx, who, &owner, &codes, &checked).await?;
        if to == Status::Effective {
            // The agreement in force is the destination's evidence.
            crate::destinations::evidence::attach(tx, who, a.graduate_id, "agreement", None, Some(a.id)).await?;
        }
    }
    // After the destination: a transaction that appends one takes the cohort's
    // lock before any audit chain's (see `destinations::append`).
    audit::record(
        tx,
        who,
        Change::new(step.key(), "agreement", a.id)
            .before(serde_json::json!({ "status": from.key() }))
            .after(serde_json::json!({ "status": to.key() }))
            .about(Subject::graduate(a.graduate_id, a.institution_id)),
    )
    .await?;
    Ok(Some(to))
}

/// A step as the pages and the API take it: an employer's seal given here is
/// its e-seal (a scan comes by its own page).
pub async fn take_online_step(
    tx: &mut Tx,
    who: &AuditActor,
    a: &Agreement,
    step: Step,
    parties: &[Party],
) -> Result<Option<Status>, kernel::DbError> {
    let to = take_step(tx, who, a, step, parties).await?;
    if to.is_some() && step == Step::Seal {
        tx.execute("UPDATE agreements SET seal_method = 'electronic' WHERE id = $1", &[a.id.into()]).await?;
    }
    Ok(to)
}

/// A step in an agreement's history.
pub struct HistoryEntry {
    pub at: String,
    pub actor: String,
    pub action: String,
    pub to: Status,
}

pub async fn history(db: &kernel::Db, id: i64) -> kernel::DbResult<Vec<HistoryEntry>> {
    db.fetch_all(
        "SELECT at, actor_label, action, to_status FROM agreement_events WHERE agreement_id = $1 ORDER BY id",
        &[id.into()],
    )
    .await?
    .iter()
    .map(|r| {
        Ok(HistoryEntry {
            at: time::display(&r.text("at")?),
            actor: r.text("actor_label")?,
            action: r.text("action")?,
            to: Status::parse(&r.text("to_status")?).unwrap_or(Status::Declined),
        })
    })
    .collect()
}
