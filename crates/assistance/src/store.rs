//! The assistance area's SQL: the register, flags, files, helpers, measures,
//! the ledger and the standard. Every write is audited in its transaction.
//!
//! The roster's own categories (`graduates.key_groups`) are read live rather
//! than copied into `assistance_flags`: the roster import owns that column and
//! rewrites it on every re-import, so a copy would need the roster area to
//! keep it in step and would go stale when it did not. Only what staff add
//! (source 'staff') is kept here, with who noted it and when.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use chrono::NaiveDate;
use kernel::audit::{self, AuditActor, Change, Subject};
use kernel::auth::{Actor, OutOfScope, Owner, Owners, Scope};
use kernel::db::{placeholders, prefix_pattern, Backend, Record, SqlBuilder};
use kernel::web::cache::Cache;
use kernel::web::listing::Listing;
use kernel::{codes, time, Db, DbResult, FromRow, Locale, Row, Tx, Value};
use serde_json::json;

use crate::coverage::{Aggregate, Standard};
use crate::suggest::{Candidate, Wants};

/// The roster's category codes: split on anything that is not a letter or digit.
pub fn roster_codes(key_groups: &str) -> Vec<String> {
    key_groups.split(|c: char| !c.is_ascii_alphanumeric()).filter(|c| !c.is_empty()).map(str::to_owned).collect()
}

fn owners() -> Owners<'static> {
    Owners { institution: Some("g.institution_id"), college: Some("g.college_id"), ..Owners::NONE }
}

/// Who reads the register, its files and its coverage. The province sees every
/// graduate, an institution's employment office (staff of the whole
/// institution) its own; staff whose account is scoped to a college see only
/// the graduates they are assigned to as helpers (issue 14, privacy: the
/// categories are sensitive), whichever college those study in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Viewer {
    pub scope: Scope,
    /// The helper's account, when only its assigned graduates may be seen.
    pub helper: Option<i64>,
}

impl Viewer {
    pub fn of(actor: &Actor) -> Viewer {
        match actor.scope() {
            Scope::Institution { institution_id, college_id: Some(_) } => Viewer {
                scope: Scope::Institution { institution_id, college_id: None },
                helper: Some(actor.account_id),
            },
            scope => Viewer { scope, helper: None },
        }
    }

    /// Narrows a query whose graduates are `g` to those the viewer sees.
    pub fn restrict(&self, w: &mut SqlBuilder) -> Result<(), OutOfScope> {
        self.scope.restrict(w, owners())?;
        if let Some(account) = self.helper {
            w.push(" AND EXISTS (SELECT 1 FROM assistance_helpers hv WHERE hv.graduate_id = g.id AND hv.account_id = ")
                .bind(account)
                .push(")");
        }
        Ok(())
    }

    /// Whether the viewer may see the graduate's file (its register membership aside).
    pub async fn may_see(&self, db: &Db, p: &Person) -> DbResult<bool> {
        let owner = Owner { institution: Some(p.institution_id), college: Some(p.college_id), ..Owner::default() };
        if !self.scope.may_see(owner) {
            return Ok(false);
        }
        match self.helper {
            None => Ok(true),
            Some(account) => Ok(db
                .scalar_i64(
                    "SELECT COUNT(*) FROM assistance_helpers WHERE graduate_id = $1 AND account_id = $2",
                    &[p.id.into(), account.into()],
                )
                .await?
                > 0),
        }
    }
}

/// The standard of a cohort: its own rows, else the default (cohort 0).
pub async fn standard(db: &Db, cohort: i64) -> DbResult<Standard> {
    let rows = db
        .fetch_all(
            "SELECT cohort_year, kind_code, required FROM assistance_standards WHERE cohort_year IN ($1, 0) \
             ORDER BY cohort_year DESC, kind_code",
            &[cohort.into()],
        )
        .await?;
    let own = rows.iter().any(|r| r.i64("cohort_year").ok() == Some(cohort) && cohort != 0);
    let wanted = if own { cohort } else { 0 };
    let mut items = Vec::new();
    for r in &rows {
        let required = u32::try_from(r.i64("required")?).unwrap_or(0);
        // A kind kept at 0 is not required; kept, it still says the cohort has a standard of its own.
        if r.i64("cohort_year")? == wanted && required > 0 {
            items.push((r.text("kind_code")?, required));
        }
    }
    Ok(Standard { items })
}

/// Sets a cohort's standard (an item required 0 times is kept at 0: not required).
pub async fn save_standard(tx: &mut Tx, who: &AuditActor, cohort: i64, items: &[(String, u32)]) -> DbResult<()> {
    let before = tx
        .fetch_all("SELECT kind_code, required FROM assistance_standards WHERE cohort_year = $1", &[cohort.into()])
        .await?
        .iter()
        .map(|r| Ok((r.text("kind_code")?, r.i64("required")?)))
        .collect::<DbResult<Vec<_>>>()?;
    tx.execute("DELETE FROM assistance_standards WHERE cohort_year = $1", &[cohort.into()]).await?;
    for (kind, n) in items {
        let row = Record::new().set("cohort_year", cohort).set("kind_code", kind.as_str()).set("required", *n);
        tx.insert("assistance_standards", row).await?;
    }
    refresh_standing(tx, cohort).await?;
    let change = Change::updated("assistance_standard", cohort, json!(before), json!(items));
    audit::record(tx, who, change).await
}

/// Each graduate with ledger entries judged by its cohort's standard (its own,
/// else the default of cohort 0), as [`crate::coverage::of_graduate`] judges it,
/// written as rows of `assistance_standing`: the statement's head, then
/// `STANDING_WHERE`, then the graduates it covers, then `STANDING_UPSERT`.
const STANDING: &str = "INSERT INTO assistance_standing (graduate_id, cohort_year, met) \
     SELECT g.id, g.cohort_year, CASE WHEN NOT EXISTS (SELECT 1 FROM assistance_standards s WHERE s.required > 0 \
     AND s.cohort_year = CASE WHEN g.cohort_year <> 0 AND EXISTS (SELECT 1 FROM assistance_standards o \
     WHERE o.cohort_year = g.cohort_year) THEN g.cohort_year ELSE 0 END \
     AND (SELECT COUNT(*) FROM assistance_entries e WHERE e.graduate_id = g.id AND e.kind_code = s.kind_code) < s.required) \
     THEN 1 ELSE 0 END FROM graduates g WHERE g.id IN (SELECT graduate_id FROM assistance_entries)";
const STANDING_UPSERT: &str =
    " ON CONFLICT (graduate_id) DO UPDATE SET cohort_year = excluded.cohort_year, met = excluded.met";

/// Recomputes the kept standing of a cohort's graduates in one statement
/// (every cohort's without a standard of its own when `cohort` is 0, the default's).
pub async fn refresh_standing(tx: &mut Tx, cohort: i64) -> DbResult<()> {
    if cohort == 0 {
        tx.execute(&format!("{STANDING}{STANDING_UPSERT}"), &[]).await?;
    } else {
        tx.execute(&format!("{STANDING} AND g.cohort_year = $1{STANDING_UPSERT}"), &[cohort.into()]).await?;
    }
    Ok(())
}

/// Recomputes one graduate's kept standing after a ledger write.
pub async fn refresh_standing_of(tx: &mut Tx, graduate: i64) -> DbResult<()> {
    tx.execute(&format!("{STANDING} AND g.id = $1{STANDING_UPSERT}"), &[graduate.into()]).await?;
    Ok(())
}

/// The kept standing of graduates: met or not, by graduate (none without entries).
pub async fn standing_of(db: &Db, cohort: i64) -> DbResult<HashMap<i64, bool>> {
    let rows = db
        .fetch_all("SELECT graduate_id, met FROM assistance_standing WHERE cohort_year = $1", &[cohort.into()])
        .await?;
    rows.iter().map(|r| Ok((r.i64("graduate_id")?, r.i64("met")? != 0))).collect()
}

/// What the register's pages look up and what changes seldom: the cohort's
/// standard, the destination codes counted as placed, the categories and the
/// institutions. Kept in the app's cache (every assistance write, a changed
/// standard included, and every cohort setting clears it; code tables and
/// institutions change only when the platform is seeded at start).
#[derive(Debug, Clone, Default)]
pub struct Lookups {
    pub standard: Standard,
    pub placed: HashSet<String>,
    pub categories: Vec<codes::Code>,
    /// The ledger's kinds.
    pub kinds: Vec<codes::Code>,
    pub institutions: Vec<(i64, String)>,
}

impl Lookups {
    /// The categories: (code, name in the reader's language).
    pub fn categories(&self, l: Locale) -> Vec<(String, String)> {
        self.categories.iter().map(|c| (c.code.clone(), c.label(l).to_owned())).collect()
    }
    /// The ledger's kinds: (code, name in the reader's language).
    pub fn kinds(&self, l: Locale) -> Vec<(String, String)> {
        self.kinds.iter().map(|c| (c.code.clone(), c.label(l).to_owned())).collect()
    }
}

/// The cohort's [`Lookups`], from the cache when it holds them.
pub async fn lookups(db: &Db, cache: &Cache, cohort: i64) -> DbResult<Arc<Lookups>> {
    cache
        .get_or(&format!("assistance lookups {cohort}"), || async {
            Ok::<_, kernel::DbError>(Lookups {
                standard: standard(db, cohort).await?,
                placed: placed_codes(db, cohort).await?,
                categories: codes::list(db, crate::CATEGORIES, codes::BASE_VERSION).await?,
                kinds: codes::list(db, crate::KINDS, codes::BASE_VERSION).await?,
                institutions: institutions(db).await?,
            })
        })
        .await
}

/// The ledger's kinds: (code, name in the reader's language).
pub async fn kinds(db: &Db, l: Locale) -> DbResult<Vec<(String, String)>> {
    Ok(codes::list(db, crate::KINDS, codes::BASE_VERSION)
        .await?
        .iter()
        .map(|c| (c.code.clone(), c.label(l).to_owned()))
        .collect())
}

/// The key-group categories: (code, name).
pub async fn categories(db: &Db, l: Locale) -> DbResult<Vec<(String, String)>> {
    Ok(codes::list(db, crate::CATEGORIES, codes::BASE_VERSION)
        .await?
        .iter()
        .map(|c| (c.code.clone(), c.label(l).to_owned()))
        .collect())
}

/// The destination codes of the cohort's version that count as placed (bucket set, not `not_placed`).
pub async fn placed_codes(db: &Db, cohort: i64) -> DbResult<HashSet<String>> {
    let version = registry::cohorts::get(db, cohort).await?.map(|c| c.destination_version).unwrap_or_default();
    Ok(codes::list(db, "destination", &version)
        .await?
        .into_iter()
        .filter(|c| c.bucket_2024.as_deref().is_some_and(|b| b != "not_placed"))
        .map(|c| c.code)
        .collect())
}

/// A graduate in the register as the list shows it.
#[derive(Debug, Clone)]
pub struct Member {
    pub id: i64,
    pub name: String,
    pub student_no: String,
    pub id_masked: String,
    pub institution_id: i64,
    pub institution: String,
    /// Category codes: the roster's, then those staff added.
    pub categories: Vec<String>,
    pub destination: Option<String>,
}

/// The register of the cohort within the scope: graduates the roster flags
/// or staff added, by institution and student number.
pub async fn register(db: &Db, viewer: &Viewer, cohort: i64) -> DbResult<Vec<Member>> {
    let mut w = SqlBuilder::new(
        "SELECT g.id, g.name, g.student_no, g.id_number, g.institution_id, i.name AS institution, g.key_groups, \
         d.category_code FROM graduates g JOIN institutions i ON i.id = g.institution_id \
         LEFT JOIN destinations d ON d.graduate_id = g.id WHERE g.cohort_year = ",
    );
    w.bind(cohort);
    w.push(" AND ").push(IN_REGISTER);
    if viewer.restrict(&mut w).is_err() {
        return Ok(Vec::new());
    }
    w.push(" ORDER BY i.code, g.student_no");
    let rows = db.fetch_all(&w.sql, &w.params).await?;
    let staff_flags = flags_in(db, viewer, cohort).await?;
    rows.iter()
        .map(|r| {
            let id = r.i64("id")?;
            let mut categories = roster_codes(&r.text("key_groups")?);
            for code in staff_flags.get(&id).into_iter().flatten() {
                if !categories.contains(code) {
                    categories.push(code.clone());
                }
            }
            Ok(Member {
                id,
                name: r.text("name")?,
                student_no: r.text("student_no")?,
                id_masked: kernel::mask::id_number(&r.text("id_number")?),
                institution_id: r.i64("institution_id")?,
                institution: r.text("institution")?,
                categories,
                destination: r.opt_text("category_code")?,
            })
        })
        .collect()
}

/// The staff flags in force, by graduate.
async fn flags_in(db: &Db, viewer: &Viewer, cohort: i64) -> DbResult<HashMap<i64, Vec<String>>> {
    let mut w = SqlBuilder::new(
        "SELECT f.graduate_id, f.category_code FROM assistance_flags f JOIN graduates g ON g.id = f.graduate_id \
         WHERE f.removed_at IS NULL AND g.cohort_year = ",
    );
    w.bind(cohort);
    if viewer.restrict(&mut w).is_err() {
        return Ok(HashMap::new());
    }
    w.push(" ORDER BY f.id");
    let mut by: HashMap<i64, Vec<String>> = HashMap::new();
    for r in db.fetch_all(&w.sql, &w.params).await? {
        by.entry(r.i64("graduate_id")?).or_default().push(r.text("category_code")?);
    }
    Ok(by)
}

/// What the ledger holds per graduate: entries by kind and the last day of contact.
#[derive(Debug, Clone, Default)]
pub struct Tally {
    pub counts: HashMap<String, u32>,
    pub last: Option<String>,
}

/// The ledger summed per graduate of the cohort within the scope.
pub async fn tallies(db: &Db, viewer: &Viewer, cohort: i64) -> DbResult<HashMap<i64, Tally>> {
    let mut w = SqlBuilder::new(
        "SELECT e.graduate_id, e.kind_code, COUNT(*) AS n, MAX(e.at) AS last FROM assistance_entries e \
         JOIN graduates g ON g.id = e.graduate_id WHERE g.cohort_year = ",
    );
    w.bind(cohort);
    if viewer.restrict(&mut w).is_err() {
        return Ok(HashMap::new());
    }
    w.push(" GROUP BY e.graduate_id, e.kind_code");
    let mut by: HashMap<i64, Tally> = HashMap::new();
    for r in db.fetch_all(&w.sql, &w.params).await? {
        let t = by.entry(r.i64("graduate_id")?).or_default();
        t.counts.insert(r.text("kind_code")?, u32::try_from(r.i64("n")?).unwrap_or(0));
        let last = r.text("last")?;
        if t.last.as_ref().is_none_or(|l| *l < last) {
            t.last = Some(last);
        }
    }
    Ok(by)
}

/// Open measures past their due date, per graduate.
pub async fn overdue(db: &Db, viewer: &Viewer, cohort: i64, today: NaiveDate) -> DbResult<HashMap<i64, u32>> {
    let mut w = SqlBuilder::new(
        "SELECT m.graduate_id, COUNT(*) AS n FROM assistance_measures m JOIN graduates g ON g.id = m.graduate_id \
         WHERE m.state = 'open' AND m.due_on < ",
    );
    w.bind(today.to_string()).push(" AND g.cohort_year = ").bind(cohort);
    if viewer.restrict(&mut w).is_err() {
        return Ok(HashMap::new());
    }
    w.push(" GROUP BY m.graduate_id");
    let mut by = HashMap::new();
    for r in db.fetch_all(&w.sql, &w.params).await? {
        by.insert(r.i64("graduate_id")?, u32::try_from(r.i64("n")?).unwrap_or(0));
    }
    Ok(by)
}

/// The helpers of each graduate of the cohort within the scope: (account id, name).
pub async fn helpers_in(db: &Db, viewer: &Viewer, cohort: i64) -> DbResult<HashMap<i64, Vec<(i64, String)>>> {
    let mut w = SqlBuilder::new(
        "SELECT h.graduate_id, h.account_id, a.display_name FROM assistance_helpers h \
         JOIN accounts a ON a.id = h.account_id JOIN graduates g ON g.id = h.graduate_id WHERE g.cohort_year = ",
    );
    w.bind(cohort);
    if viewer.restrict(&mut w).is_err() {
        return Ok(HashMap::new());
    }
    w.push(" ORDER BY a.display_name, h.account_id");
    let mut by: HashMap<i64, Vec<(i64, String)>> = HashMap::new();
    for r in db.fetch_all(&w.sql, &w.params).await? {
        by.entry(r.i64("graduate_id")?).or_default().push((r.i64("account_id")?, r.text("display_name")?));
    }
    Ok(by)
}

/// The institutions the scope sees: (id, name).
pub async fn institutions(db: &Db) -> DbResult<Vec<(i64, String)>> {
    let rows = db.fetch_all("SELECT id, name FROM institutions ORDER BY code", &[]).await?;
    rows.iter().map(|r| Ok((r.i64("id")?, r.text("name")?))).collect()
}

/// One graduate as the file shows it.
#[derive(Debug, Clone)]
pub struct Person {
    pub id: i64,
    pub cohort: i64,
    pub institution_id: i64,
    pub college_id: i64,
    pub name: String,
    pub student_no: String,
    pub id_number: String,
    pub institution: String,
    pub college: String,
    pub major: String,
    pub major_code: String,
    /// The major's level as the catalogue names it (本科), a code of `major_level` by name.
    pub major_level: String,
    pub level: String,
    pub key_groups: String,
    pub destination: Option<String>,
}

const PERSON: &str = "SELECT g.id, g.cohort_year, g.institution_id, g.college_id, g.name, g.student_no, g.id_number, \
     i.name AS institution, c.name AS college, m.name AS major, m.code AS major_code, m.level AS major_level, g.education_level, g.key_groups, \
     d.category_code FROM graduates g JOIN institutions i ON i.id = g.institution_id JOIN colleges c ON c.id = g.college_id \
     JOIN majors m ON m.id = g.major_id LEFT JOIN destinations d ON d.graduate_id = g.id";

fn person_of(r: &Row) -> DbResult<Person> {
    Ok(Person {
        id: r.i64("id")?,
        cohort: r.i64("cohort_year")?,
        institution_id: r.i64("institution_id")?,
        college_id: r.i64("college_id")?,
        name: r.text("name")?,
        student_no: r.text("student_no")?,
        id_number: r.text("id_number")?,
        institution: r.text("institution")?,
        college: r.text("college")?,
        major: r.text("major")?,
        major_code: r.text("major_code")?,
        major_level: r.text("major_level")?,
        level: r.text("education_level")?,
        key_groups: r.text("key_groups")?,
        destination: r.opt_text("category_code")?,
    })
}

pub async fn person(db: &Db, id: i64) -> DbResult<Option<Person>> {
    let row = db.fetch_optional(&format!("{PERSON} WHERE g.id = $1"), &[id.into()]).await?;
    row.as_ref().map(person_of).transpose()
}

/// A graduate of the institution's cohort by student number.
pub async fn by_student_no(db: &Db, institution: i64, cohort: i64, student_no: &str) -> DbResult<Option<Person>> {
    let row = db
        .fetch_optional(
            &format!("{PERSON} WHERE g.institution_id = $1 AND g.cohort_year = $2 AND g.student_no = $3"),
            &[institution.into(), cohort.into(), student_no.into()],
        )
        .await?;
    row.as_ref().map(person_of).transpose()
}

/// Whether the graduate is in the register: flagged by the roster or by staff.
pub async fn in_register(db: &Db, p: &Person) -> DbResult<bool> {
    if !roster_codes(&p.key_groups).is_empty() {
        return Ok(true);
    }
    let n = db
        .scalar_i64(
            "SELECT COUNT(*) FROM assistance_flags WHERE graduate_id = $1 AND removed_at IS NULL",
            &[p.id.into()],
        )
        .await?;
    Ok(n > 0)
}

/// A flag as the file lists it.
#[derive(Debug, Clone)]
pub struct Flag {
    /// `None` for the roster's.
    pub id: Option<i64>,
    pub code: String,
    pub source: &'static str,
    pub noted: String,
}

pub async fn flags_of(db: &Db, p: &Person) -> DbResult<Vec<Flag>> {
    let mut flags: Vec<Flag> = roster_codes(&p.key_groups)
        .into_iter()
        .map(|code| Flag { id: None, code, source: "roster", noted: String::new() })
        .collect();
    let rows = db
        .fetch_all(
            "SELECT id, category_code, noted_at, noted_by_label FROM assistance_flags WHERE graduate_id = $1 \
             AND removed_at IS NULL ORDER BY id",
            &[p.id.into()],
        )
        .await?;
    for r in rows {
        flags.push(Flag {
            id: Some(r.i64("id")?),
            code: r.text("category_code")?,
            source: "staff",
            noted: format!("{} {}", time::display(&r.text("noted_at")?), r.text("noted_by_label")?),
        });
    }
    Ok(flags)
}

/// Staff add a graduate to the register in a category; the flag's id.
pub async fn add_flag(tx: &mut Tx, who: &AuditActor, p: &Person, category: &str) -> DbResult<i64> {
    let row = Record::new()
        .set("graduate_id", p.id)
        .set("category_code", category)
        .set("source", "staff")
        .set("noted_at", time::now_utc())
        .set("noted_by", who.account_id)
        .set("noted_by_label", who.label.as_str());
    let id = tx.insert_id("assistance_flags", row).await?;
    let change = Change::created("assistance_flag", id, json!({ "category_code": category, "source": "staff" }))
        .about(Subject::graduate(p.id, p.institution_id));
    audit::record(tx, who, change).await?;
    Ok(id)
}

/// Removes a staff flag of the graduate with a reason; false when there is no such flag in force.
pub async fn remove_flag(tx: &mut Tx, who: &AuditActor, p: &Person, flag: i64, reason: &str) -> DbResult<bool> {
    let row = tx
        .fetch_optional(
            "SELECT category_code FROM assistance_flags WHERE id = $1 AND graduate_id = $2 AND removed_at IS NULL",
            &[flag.into(), p.id.into()],
        )
        .await?;
    let Some(row) = row else { return Ok(false) };
    let update = Record::new()
        .set("removed_at", time::now_utc())
        .set("removed_by_label", who.label.as_str())
        .set("removed_reason", reason);
    tx.update("assistance_flags", update, "id", flag).await?;
    let change = Change::new("remove", "assistance_flag", flag)
        .before(json!({ "category_code": row.text("category_code")? }))
        .after(json!({ "reason": reason }))
        .about(Subject::graduate(p.id, p.institution_id));
    audit::record(tx, who, change).await?;
    Ok(true)
}

/// 一人一档.
#[derive(Debug, Clone, Default)]
pub struct File {
    pub difficulties: String,
    pub intentions: String,
    pub contacts: String,
    /// (who, when) of the last change.
    pub updated: Option<(String, String)>,
}

pub async fn file_of(db: &Db, graduate: i64) -> DbResult<File> {
    let row = db
        .fetch_optional(
            "SELECT difficulties, intentions, contacts, updated_by_label, updated_at FROM assistance_files WHERE graduate_id = $1",
            &[graduate.into()],
        )
        .await?;
    let Some(r) = row else { return Ok(File::default()) };
    Ok(File {
        difficulties: r.text("difficulties")?,
        intentions: r.text("intentions")?,
        contacts: r.text("contacts")?,
        updated: Some((r.text("updated_by_label")?, time::display(&r.text("updated_at")?))),
    })
}

pub async fn save_file(tx: &mut Tx, who: &AuditActor, p: &Person, f: &File) -> DbResult<()> {
    let before = tx
        .fetch_optional(
            "SELECT difficulties, intentions, contacts FROM assistance_files WHERE graduate_id = $1",
            &[p.id.into()],
        )
        .await?;
    let now = time::now_utc();
    tx.execute(
        "INSERT INTO assistance_files (graduate_id, difficulties, intentions, contacts, updated_by, updated_by_label, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (graduate_id) DO UPDATE SET difficulties = excluded.difficulties, \
         intentions = excluded.intentions, contacts = excluded.contacts, updated_by = excluded.updated_by, \
         updated_by_label = excluded.updated_by_label, updated_at = excluded.updated_at",
        &[
            p.id.into(),
            f.difficulties.as_str().into(),
            f.intentions.as_str().into(),
            f.contacts.as_str().into(),
            who.account_id.into(),
            who.label.as_str().into(),
            now.as_str().into(),
        ],
    )
    .await?;
    let after = json!({ "difficulties": f.difficulties, "intentions": f.intentions, "contacts": f.contacts });
    let change = Change::updated("assistance_file", p.id, before.map(|r| r.to_json()), after)
        .about(Subject::graduate(p.id, p.institution_id));
    audit::record(tx, who, change).await
}

/// Each view of a file is recorded: who read whose file, when.
pub async fn record_view(db: &Db, who: &AuditActor, p: &Person) -> DbResult<()> {
    let change = Change::new("view", "assistance_file", p.id).about(Subject::graduate(p.id, p.institution_id));
    audit::record_view(db, who, change).await
}

/// A graduate's helpers: (account id, name).
pub async fn helpers_of(db: &Db, graduate: i64) -> DbResult<Vec<(i64, String)>> {
    let rows = db
        .fetch_all(
            "SELECT h.account_id, a.display_name FROM assistance_helpers h JOIN accounts a ON a.id = h.account_id \
             WHERE h.graduate_id = $1 ORDER BY h.assigned_at, h.account_id",
            &[graduate.into()],
        )
        .await?;
    rows.iter().map(|r| Ok((r.i64("account_id")?, r.text("display_name")?))).collect()
}

/// The institution's active staff accounts, who may help: (id, name).
pub async fn staff_of(db: &Db, institution: i64) -> DbResult<Vec<(i64, String)>> {
    let rows = db
        .fetch_all(
            "SELECT id, display_name FROM accounts WHERE role = 'university_staff' AND institution_id = $1 AND active \
             ORDER BY display_name, id",
            &[institution.into()],
        )
        .await?;
    rows.iter().map(|r| Ok((r.i64("id")?, r.text("display_name")?))).collect()
}

/// Assigns a helper; false when already assigned.
pub async fn assign(tx: &mut Tx, who: &AuditActor, p: &Person, account: i64) -> DbResult<bool> {
    let n = tx
        .fetch_one(
            "SELECT COUNT(*) AS n FROM assistance_helpers WHERE graduate_id = $1 AND account_id = $2",
            &[p.id.into(), account.into()],
        )
        .await?
        .i64("n")?;
    if n > 0 {
        return Ok(false);
    }
    let row = Record::new()
        .set("graduate_id", p.id)
        .set("account_id", account)
        .set("institution_id", p.institution_id)
        .set("assigned_at", time::now_utc())
        .set("assigned_by_label", who.label.as_str());
    tx.insert("assistance_helpers", row).await?;
    let change = Change::new("assign", "assistance_helper", p.id)
        .after(json!({ "account_id": account }))
        .about(Subject::graduate(p.id, p.institution_id));
    audit::record(tx, who, change).await?;
    Ok(true)
}

pub async fn unassign(tx: &mut Tx, who: &AuditActor, p: &Person, account: i64) -> DbResult<bool> {
    let n = tx
        .execute(
            "DELETE FROM assistance_helpers WHERE graduate_id = $1 AND account_id = $2",
            &[p.id.into(), account.into()],
        )
        .await?;
    if n == 0 {
        return Ok(false);
    }
    let change = Change::new("unassign", "assistance_helper", p.id)
        .before(json!({ "account_id": account }))
        .about(Subject::graduate(p.id, p.institution_id));
    audit::record(tx, who, change).await?;
    Ok(true)
}

/// A measure of the plan.
#[derive(Debug, Clone)]
pub struct Measure {
    pub id: i64,
    pub goal: String,
    pub measure: String,
    pub due_on: String,
    pub state: String,
}

impl Measure {
    pub fn state_label(&self, l: Locale) -> &'static str {
        match self.state.as_str() {
            "done" => l.pick("已完成", "Done"),
            "dropped" => l.pick("已放弃", "Dropped"),
            _ => l.pick("进行中", "Open"),
        }
    }
    pub fn is_open(&self) -> bool {
        self.state == "open"
    }
    pub fn overdue(&self, today: &str) -> bool {
        self.is_open() && self.due_on.as_str() < today
    }
}

pub async fn measures_of(db: &Db, graduate: i64) -> DbResult<Vec<Measure>> {
    let rows = db
        .fetch_all(
            "SELECT id, goal, measure, due_on, state FROM assistance_measures WHERE graduate_id = $1 ORDER BY due_on, id",
            &[graduate.into()],
        )
        .await?;
    rows.iter()
        .map(|r| {
            Ok(Measure {
                id: r.i64("id")?,
                goal: r.text("goal")?,
                measure: r.text("measure")?,
                due_on: r.text("due_on")?,
                state: r.text("state")?,
            })
        })
        .collect()
}

pub async fn add_measure(
    tx: &mut Tx,
    who: &AuditActor,
    p: &Person,
    goal: &str,
    measure: &str,
    due: NaiveDate,
) -> DbResult<i64> {
    let row = Record::new()
        .set("graduate_id", p.id)
        .set("institution_id", p.institution_id)
        .set("goal", goal)
        .set("measure", measure)
        .set("due_on", due.to_string())
        .set("state", "open")
        .set("created_at", time::now_utc())
        .set("created_by_label", who.label.as_str());
    let id = tx.insert_id("assistance_measures", row).await?;
    let change = Change::created("assistance_measure", id, json!({ "goal": goal, "measure": measure, "due_on": due }))
        .about(Subject::graduate(p.id, p.institution_id));
    audit::record(tx, who, change).await?;
    Ok(id)
}

/// Closes an open measure of the graduate as done or dropped; false when there is none such.
pub async fn close_measure(tx: &mut Tx, who: &AuditActor, p: &Person, id: i64, state: &str) -> DbResult<bool> {
    let n = tx
        .execute(
            "UPDATE assistance_measures SET state = $1, closed_at = $2 WHERE id = $3 AND graduate_id = $4 AND state = 'open'",
            &[state.into(), time::now_utc().into(), id.into(), p.id.into()],
        )
        .await?;
    if n == 0 {
        return Ok(false);
    }
    let change = Change::new(state, "assistance_measure", id)
        .before(json!({ "state": "open" }))
        .after(json!({ "state": state }))
        .about(Subject::graduate(p.id, p.institution_id));
    audit::record(tx, who, change).await?;
    Ok(true)
}

/// A ledger entry as the file and the graduate's page show it.
#[derive(Debug, Clone)]
pub struct Entry {
    pub id: i64,
    pub kind: String,
    pub kind_name: String,
    pub at: String,
    pub by: String,
    pub note: String,
    pub posting: Option<(i64, String, String)>,
    pub fair: Option<(i64, String)>,
    pub answer: Option<String>,
    pub answered_at: Option<String>,
    pub amount_yuan: Option<i64>,
    pub approved_at: Option<String>,
    pub paid_at: Option<String>,
}

/// The graduate's answer to a referral in words.
pub fn answer_label(answer: &str, l: Locale) -> &'static str {
    match answer {
        "interested" => l.pick("感兴趣", "Interested"),
        "applied" => l.pick("已投递", "Applied"),
        "declined" => l.pick("不考虑", "Declined"),
        _ => l.pick("未回复", "No answer yet"),
    }
}

pub const ANSWERS: [&str; 3] = ["interested", "applied", "declined"];

/// The graduate's ledger, newest first; only referrals when `referrals_only`.
pub async fn entries_of(db: &Db, graduate: i64, referrals_only: bool, l: Locale) -> DbResult<Vec<Entry>> {
    let mut sql = format!(
        "SELECT e.id, e.kind_code, {} AS kind_name, e.at, e.by_label, e.note, e.posting_id, p.title, emp.name AS employer, \
         e.fair_id, f.title AS fair_title, e.answer, e.answered_at, e.amount_yuan, e.approved_at, e.paid_at \
         FROM assistance_entries e LEFT JOIN code_tables ct ON ct.kind = 'assistance_kind' AND ct.version = 'base' \
         AND ct.code = e.kind_code LEFT JOIN postings p ON p.id = e.posting_id LEFT JOIN employers emp ON emp.id = p.employer_id \
         LEFT JOIN fairs f ON f.id = e.fair_id WHERE e.graduate_id = $1",
        codes::name_sql("ct", l)
    );
    let mut params = vec![graduate.into()];
    if referrals_only {
        sql.push_str(" AND e.kind_code = $2");
        params.push(crate::REFERRAL.into());
    }
    sql.push_str(" ORDER BY e.at DESC, e.id DESC");
    db.fetch_all(&sql, &params)
        .await?
        .iter()
        .map(|r| {
            let posting = match r.opt_i64("posting_id")? {
                Some(id) => {
                    Some((id, r.opt_text("title")?.unwrap_or_default(), r.opt_text("employer")?.unwrap_or_default()))
                }
                None => None,
            };
            let fair = match r.opt_i64("fair_id")? {
                Some(id) => Some((id, r.opt_text("fair_title")?.unwrap_or_default())),
                None => None,
            };
            Ok(Entry {
                id: r.i64("id")?,
                kind: r.text("kind_code")?,
                kind_name: r.opt_text("kind_name")?.unwrap_or_else(|| r.text("kind_code").unwrap_or_default()),
                at: r.text("at")?,
                by: r.text("by_label")?,
                note: r.text("note")?,
                posting,
                fair,
                answer: r.opt_text("answer")?,
                answered_at: r.opt_text("answered_at")?.map(|t| time::display(&t)),
                amount_yuan: r.opt_i64("amount_yuan")?,
                approved_at: r.opt_text("approved_at")?,
                paid_at: r.opt_text("paid_at")?,
            })
        })
        .collect()
}

/// A new ledger entry, checked.
#[derive(Debug, Clone, Default)]
pub struct NewEntry {
    pub kind: String,
    pub at: NaiveDate,
    pub note: String,
    pub posting_id: Option<i64>,
    pub fair_id: Option<i64>,
    pub amount_yuan: Option<i64>,
    pub approved_at: Option<NaiveDate>,
    pub paid_at: Option<NaiveDate>,
}

pub async fn add_entry(tx: &mut Tx, who: &AuditActor, p: &Person, e: &NewEntry) -> DbResult<i64> {
    let row = Record::new()
        .set("graduate_id", p.id)
        .set("institution_id", p.institution_id)
        .set("kind_code", e.kind.as_str())
        .set("at", e.at.to_string())
        .set("by_account", who.account_id)
        .set("by_label", who.label.as_str())
        .set("note", e.note.as_str())
        .set("posting_id", e.posting_id)
        .set("fair_id", e.fair_id)
        .set("amount_yuan", e.amount_yuan)
        .set("approved_at", e.approved_at.map(|d| d.to_string()))
        .set("paid_at", e.paid_at.map(|d| d.to_string()))
        .set("recorded_at", time::now_utc());
    let id = tx.insert_id("assistance_entries", row).await?;
    refresh_standing_of(tx, p.id).await?;
    let after = json!({ "kind_code": e.kind, "at": e.at, "note": e.note, "posting_id": e.posting_id,
                        "fair_id": e.fair_id, "amount_yuan": e.amount_yuan });
    let change = Change::created("assistance_entry", id, after).about(Subject::graduate(p.id, p.institution_id));
    audit::record(tx, who, change).await?;
    Ok(id)
}

/// The graduate answers one of its referrals; false when it is not its referral.
pub async fn answer_referral(tx: &mut Tx, who: &AuditActor, p: &Person, entry: i64, answer: &str) -> DbResult<bool> {
    let before = tx
        .fetch_optional(
            "SELECT answer FROM assistance_entries WHERE id = $1 AND graduate_id = $2 AND kind_code = $3",
            &[entry.into(), p.id.into(), crate::REFERRAL.into()],
        )
        .await?;
    let Some(before) = before else { return Ok(false) };
    let update = Record::new().set("answer", answer).set("answered_at", time::now_utc());
    tx.update("assistance_entries", update, "id", entry).await?;
    let change = Change::new("answer", "assistance_entry", entry)
        .before(json!({ "answer": before.opt_text("answer")? }))
        .after(json!({ "answer": answer }))
        .about(Subject::graduate(p.id, p.institution_id));
    audit::record(tx, who, change).await?;
    Ok(true)
}

/// What the graduate's job profile says it wants.
pub async fn wants_of(db: &Db, p: &Person) -> DbResult<Wants> {
    let row = db
        .fetch_optional(
            "SELECT intended_regions, intended_positions FROM profiles WHERE graduate_id = $1",
            &[p.id.into()],
        )
        .await?;
    let split = |s: Option<String>| -> Vec<String> {
        s.map(|s| s.split(',').filter(|v| !v.is_empty()).map(str::to_owned).collect()).unwrap_or_default()
    };
    let (regions, positions) = match row {
        Some(r) => (split(r.opt_text("intended_regions")?), split(r.opt_text("intended_positions")?)),
        None => (Vec::new(), Vec::new()),
    };
    // Postings ask for a level by its `major_level` code; the major keeps the level's name.
    let level = codes::list(db, "major_level", codes::BASE_VERSION)
        .await?
        .into_iter()
        .find(|c| c.name == p.major_level)
        .map(|c| c.code)
        .unwrap_or_default();
    Ok(Wants { major_code: p.major_code.clone(), level, regions, positions })
}

/// An open posting offered for a referral.
#[derive(Debug, Clone)]
pub struct Open {
    pub candidate: Candidate,
    pub title: String,
    pub employer: String,
}

/// The open postings (published, deadline not passed) the graduate's level may
/// take and that ask for its major or for any: at most `most`, ordered in SQL
/// by the weights of [`crate::suggest::rank`] (major 4 or any major 1, a wanted
/// region 2, a wanted kind of post 2), then newest first. The pure rule then
/// ranks these few and gives the reasons.
pub async fn open_postings(db: &Db, w: &Wants, today: NaiveDate, most: i64) -> DbResult<Vec<Open>> {
    let mut q = SqlBuilder::new(
        "SELECT p.id, p.title, e.name AS employer, p.education_level, p.position_code, \
         CASE WHEN EXISTS (SELECT 1 FROM posting_majors pm WHERE pm.posting_id = p.id AND pm.major_code = ",
    );
    q.bind(w.major_code.as_str()).push(") THEN 4 ELSE 1 END");
    let wanted: Vec<String> =
        w.regions.iter().map(|r| crate::suggest::region_prefix(r).to_owned()).filter(|r| !r.is_empty()).collect();
    if !wanted.is_empty() {
        q.push(" + CASE WHEN EXISTS (SELECT 1 FROM posting_regions pr WHERE pr.posting_id = p.id AND (");
        for (i, r) in wanted.iter().enumerate() {
            q.push(if i == 0 { "" } else { " OR " }).push("pr.region_code LIKE ").bind(prefix_pattern(r));
            q.push(" ESCAPE '\\'");
        }
        q.push(")) THEN 2 ELSE 0 END");
    }
    if !w.positions.is_empty() {
        q.push(" + CASE WHEN p.position_code IN (");
        for (i, code) in w.positions.iter().enumerate() {
            q.push(if i == 0 { "" } else { ", " }).bind(code.as_str());
        }
        q.push(") THEN 2 ELSE 0 END");
    }
    q.push(" AS score FROM postings p JOIN employers e ON e.id = p.employer_id WHERE p.status = 'approved' AND p.deadline >= ")
        .bind(today.to_string())
        .push(" AND (p.education_level IS NULL OR p.education_level = '' OR p.education_level = ")
        .bind(w.level.as_str())
        .push(") AND (EXISTS (SELECT 1 FROM posting_majors pm WHERE pm.posting_id = p.id AND pm.major_code = ")
        .bind(w.major_code.as_str())
        .push(") OR NOT EXISTS (SELECT 1 FROM posting_majors pa WHERE pa.posting_id = p.id)) ORDER BY score DESC, p.id DESC LIMIT ")
        .bind(most);
    let rows = db.fetch_all(&q.sql, &q.params).await?;
    let mut open: Vec<Open> = rows
        .iter()
        .map(|r| {
            Ok(Open {
                candidate: Candidate {
                    id: r.i64("id")?,
                    level: r.opt_text("education_level")?,
                    position_code: r.text("position_code")?,
                    regions: Vec::new(),
                    majors: Vec::new(),
                },
                title: r.text("title")?,
                employer: r.text("employer")?,
            })
        })
        .collect::<DbResult<_>>()?;
    if open.is_empty() {
        return Ok(open);
    }
    let index: HashMap<i64, usize> = open.iter().enumerate().map(|(i, o)| (o.candidate.id, i)).collect();
    let list = placeholders(db.backend(), 1, open.len());
    let ids: Vec<Value> = open.iter().map(|o| Value::from(o.candidate.id)).collect();
    let sql = format!("SELECT posting_id, region_code FROM posting_regions WHERE posting_id IN ({list})");
    for r in db.fetch_all(&sql, &ids).await? {
        if let Some(i) = index.get(&r.i64("posting_id")?) {
            open[*i].candidate.regions.push(r.text("region_code")?);
        }
    }
    let sql = format!("SELECT posting_id, major_code FROM posting_majors WHERE posting_id IN ({list})");
    for r in db.fetch_all(&sql, &ids).await? {
        if let Some(i) = index.get(&r.i64("posting_id")?) {
            open[*i].candidate.majors.push(r.text("major_code")?);
        }
    }
    Ok(open)
}

/// Whether a posting is open for a referral.
pub async fn posting_is_open(db: &Db, posting: i64, today: NaiveDate) -> DbResult<bool> {
    let n = db
        .scalar_i64(
            "SELECT COUNT(*) FROM postings WHERE id = $1 AND status = 'approved' AND deadline >= $2",
            &[posting.into(), today.to_string().into()],
        )
        .await?;
    Ok(n > 0)
}

/// Fairs not yet over, key-group fairs first: (id, title).
pub async fn coming_fairs(db: &Db) -> DbResult<Vec<(i64, String)>> {
    let rows = db
        .fetch_all(
            "SELECT id, title FROM fairs WHERE ends_at >= $1 AND status <> 'cancelled' \
             ORDER BY CASE audience WHEN 'key_groups' THEN 0 ELSE 1 END, starts_at, id LIMIT 50",
            &[time::now_utc().into()],
        )
        .await?;
    rows.iter().map(|r| Ok((r.i64("id")?, r.text("title")?))).collect()
}

/// One graduate of the hand-over list (离校未就业), as the store reads it.
#[derive(Debug, Clone)]
pub struct Leaver {
    pub member: Member,
    pub gender: String,
    pub id_number: String,
    pub phone: String,
    pub origin_code: String,
    pub major: String,
    pub level: String,
    pub birth_date: String,
    pub ethnicity_code: String,
    pub political_code: String,
    /// From the graduate's file (一人一档), empty without one.
    pub intentions: String,
    pub difficulties: String,
    /// The day of the latest ledger entry.
    pub last_contact: Option<String>,
}

/// The register's graduates of the cohort within the scope not placed by the
/// destinations area's live record, with what the employment services need.
pub async fn leavers(db: &Db, viewer: &Viewer, cohort: i64) -> DbResult<Vec<Leaver>> {
    let placed = placed_codes(db, cohort).await?;
    let members: HashMap<i64, Member> = register(db, viewer, cohort)
        .await?
        .into_iter()
        .filter(|m| !m.destination.as_ref().is_some_and(|c| placed.contains(c)))
        .map(|m| (m.id, m))
        .collect();
    let mut w = SqlBuilder::new(
        "SELECT g.id, g.gender, g.id_number, g.phone, g.origin_region_code, m.name AS major, g.education_level, \
         g.birth_date, g.ethnicity_code, g.political_code, f.intentions, f.difficulties, \
         (SELECT MAX(e.at) FROM assistance_entries e WHERE e.graduate_id = g.id) AS last_contact \
         FROM graduates g JOIN majors m ON m.id = g.major_id \
         LEFT JOIN assistance_files f ON f.graduate_id = g.id WHERE g.cohort_year = ",
    );
    w.bind(cohort);
    // The register's graduates only, found through its indexes, not the whole cohort.
    w.push(" AND ").push(IN_REGISTER);
    if viewer.restrict(&mut w).is_err() {
        return Ok(Vec::new());
    }
    let mut leavers = Vec::new();
    let mut members = members;
    for r in db.fetch_all(&w.sql, &w.params).await? {
        let Some(member) = members.remove(&r.i64("id")?) else { continue };
        leavers.push(Leaver {
            member,
            gender: r.text("gender")?,
            id_number: r.text("id_number")?,
            phone: r.opt_text("phone")?.unwrap_or_default(),
            origin_code: r.text("origin_region_code")?,
            major: r.text("major")?,
            level: r.text("education_level")?,
            birth_date: r.text("birth_date")?,
            ethnicity_code: r.text("ethnicity_code")?,
            political_code: r.text("political_code")?,
            intentions: r.opt_text("intentions")?.unwrap_or_default(),
            difficulties: r.opt_text("difficulties")?.unwrap_or_default(),
            last_contact: r.opt_text("last_contact")?.map(|at| at.chars().take(10).collect()),
        });
    }
    Ok(leavers)
}

/// Region code → name.
pub async fn region_names(db: &Db) -> DbResult<HashMap<String, String>> {
    let rows = db.fetch_all("SELECT code, name FROM regions", &[]).await?;
    rows.iter().map(|r| Ok((r.text("code")?, r.text("name")?))).collect()
}

/// The hand-over list was exported (with full numbers when `full`).
pub async fn record_handover(db: &Db, who: &AuditActor, cohort: i64, rows: usize, full: bool) -> DbResult<()> {
    let change =
        Change::new("export", "assistance_handover", cohort).after(json!({ "count": rows, "full_numbers": full }));
    audit::record_view(db, who, change).await
}

// ---------------------------------------------------------------- the register as a keyset-paged list

/// What the register is narrowed to; `None` or blank: everyone.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// A category code, the roster's or added by staff.
    pub category: String,
    pub institution: Option<i64>,
    /// Placed by the destinations area's live record, or not.
    pub placed: Option<bool>,
    /// Meeting every item of the cohort's standard, or not.
    pub met: Option<bool>,
    /// No ledger entry on or after this day.
    pub silent_since: Option<NaiveDate>,
    /// With an open measure due before this day.
    pub overdue_on: Option<NaiveDate>,
}

/// The register's FROM: the page's rows named; counting and choosing them reads `graduates` alone.
const REGISTER_FROM: &str =
    "FROM graduates g JOIN institutions i ON i.id = g.institution_id LEFT JOIN destinations d ON d.graduate_id = g.id";

/// The register's orders (the first is the default), each with an index (…, column, id) on `graduates`.
pub const SORTS: &[(&str, &str)] = &[("student_no", "g.student_no"), ("name", "g.name")];

/// The register's id column.
pub const ID: &str = "g.id";

/// The columns of a page of the register.
pub const REGISTER_COLUMNS: &str = "g.id, g.name, g.student_no, g.id_number, g.institution_id, i.name AS institution, \
     g.key_groups, d.category_code";

/// In the register: flagged by the roster or by staff, kept on the graduate
/// row by triggers (migration 0075), with partial indexes of its own.
const IN_REGISTER: &str = "g.in_register = 1";

/// The roster's categories with any of its separators made a comma, between commas: `,01,02,`.
const ROSTER_CODES_SQL: &str =
    "(',' || replace(replace(replace(replace(g.key_groups, ';', ','), '；', ','), '、', ','), ' ', ',') || ',')";

/// The register of the cohort the viewer sees, narrowed by `f`, as a list
/// paged by key; `None` when the viewer sees none of it.
pub fn listing(viewer: &Viewer, cohort: i64, lookups: &Lookups, f: &Filter) -> Option<Listing> {
    // The cohort's members: a range of the register's own indexes (migration
    // 0075), each page walked in order, at most the register's rows read.
    let mut l = Listing::new(REGISTER_FROM)
        .counted_over("FROM graduates g")
        .scoped(&viewer.scope, owners())
        .ok()?
        .keyed_condition(&format!("g.cohort_year = {cohort} AND {IN_REGISTER}"));
    if let Some(account) = viewer.helper {
        l = l.condition_binding(
            &["EXISTS (SELECT 1 FROM assistance_helpers hv WHERE hv.graduate_id = g.id AND hv.account_id = ", ")"],
            vec![account.into()],
        );
    }
    let category = f.category.trim();
    if !category.is_empty() {
        l = l.condition_binding(
            &[
                &format!("({ROSTER_CODES_SQL} LIKE "),
                " ESCAPE '\\' OR g.id IN (SELECT fc.graduate_id FROM assistance_flags fc WHERE fc.removed_at IS NULL \
                 AND fc.category_code = ",
                "))",
            ],
            vec![format!("%,{}", prefix_pattern(&format!("{category},"))).into(), category.into()],
        );
    }
    if let Some(institution) = f.institution {
        l = l.condition_with("g.institution_id = ", institution);
    }
    if let Some(placed) = f.placed {
        // The codes counted as placed, bound, against the graduate row's copy of
        // its destination's category (migration 0023, '' for none): a walk
        // checks it from the register's own index (migration 0075) without a look-up.
        let mut codes: Vec<&String> = lookups.placed.iter().collect();
        codes.sort();
        l = match (codes.is_empty(), placed) {
            (true, true) => l.condition("1 = 0"),
            (true, false) => l,
            (false, _) => {
                let not = if placed { "" } else { "NOT " };
                let listed = |column: &str| {
                    let mut parts = vec![format!("{column} {not}IN (")];
                    parts.extend((1..codes.len()).map(|_| ", ".to_owned()));
                    parts.push(")".to_owned());
                    parts
                };
                let (given, walked) = (listed("g.destination_category"), listed("(g.destination_category || '')"));
                let given: Vec<&str> = given.iter().map(String::as_str).collect();
                let walked: Vec<&str> = walked.iter().map(String::as_str).collect();
                l.condition_binding_walked(&given, &walked, codes.iter().map(|c| Value::from(c.as_str())).collect())
            }
        };
    }
    if let Some(met) = f.met {
        l = match (lookups.standard.items.is_empty(), met) {
            // Nothing required: everyone meets it.
            (true, true) => l,
            (true, false) => l.condition("1 = 0"),
            // The kept standing (migration 0057): counted through its index; a walk
            // looks each member up by its key (a scalar subquery, which PostgreSQL
            // cannot turn into a join that reads the whole standing first: 3.4 ms
            // against 0.4 ms for `?institution=1&standard=met`).
            (false, true) => l.condition_binding_walked(
                &[
                    "g.id IN (SELECT sm.graduate_id FROM assistance_standing sm WHERE sm.cohort_year = ",
                    " AND sm.met = 1)",
                ],
                &[
                    "(SELECT sm.met FROM assistance_standing sm WHERE sm.graduate_id = g.id AND sm.cohort_year = ",
                    ") = 1",
                ],
                vec![cohort.into()],
            ),
            (false, false) => l.condition_binding_walked(
                &[
                    "NOT EXISTS (SELECT 1 FROM assistance_standing sm WHERE sm.graduate_id = g.id \
                     AND sm.cohort_year = ",
                    " AND sm.met = 1)",
                ],
                &[
                    "COALESCE((SELECT sm.met FROM assistance_standing sm WHERE sm.graduate_id = g.id \
                     AND sm.cohort_year = ",
                    "), 0) <> 1",
                ],
                vec![cohort.into()],
            ),
        };
    }
    if let Some(since) = f.silent_since {
        l = l.condition_binding(
            &["NOT EXISTS (SELECT 1 FROM assistance_entries es WHERE es.graduate_id = g.id AND es.at >= ", ")"],
            vec![since.to_string().into()],
        );
    }
    if let Some(today) = f.overdue_on {
        // Walked, each member's measures looked up by its index: as a join,
        // PostgreSQL hashed every open measure of the province first (16 ms a page).
        l = l.condition_binding_walked(
            &[
                "EXISTS (SELECT 1 FROM assistance_measures mo WHERE mo.graduate_id = g.id AND mo.state = 'open' \
                 AND mo.due_on < ",
                ")",
            ],
            &[
                "(SELECT 1 FROM assistance_measures mo WHERE mo.graduate_id = g.id AND mo.state = 'open' \
                 AND mo.due_on < ",
                " LIMIT 1) IS NOT NULL",
            ],
            vec![today.to_string().into()],
        );
    }
    Some(l)
}

/// A graduate of a register page before its categories and ledger are added.
#[derive(Debug, Clone)]
pub struct Listed(pub Member);

impl FromRow for Listed {
    fn from_row(r: &Row) -> DbResult<Listed> {
        Ok(Listed(Member {
            id: r.i64("id")?,
            name: r.text("name")?,
            student_no: r.text("student_no")?,
            id_masked: kernel::mask::id_number(&r.text("id_number")?),
            institution_id: r.i64("institution_id")?,
            institution: r.text("institution")?,
            categories: roster_codes(&r.text("key_groups")?),
            destination: r.opt_text("category_code")?,
        }))
    }
}

/// What a register page shows beside each of its graduates.
#[derive(Debug, Clone, Default)]
pub struct Beside {
    pub flags: HashMap<i64, Vec<String>>,
    pub tallies: HashMap<i64, Tally>,
    pub overdue: HashMap<i64, u32>,
    pub helpers: HashMap<i64, Vec<(i64, String)>>,
}

/// Staff flags, ledger tallies, overdue measures and helpers of the page's
/// graduates, read in one statement (four lists as one union: a round trip each
/// had been half the page's statements).
pub async fn beside(db: &Db, ids: &[i64], today: NaiveDate) -> DbResult<Beside> {
    let mut b = Beside::default();
    if ids.is_empty() {
        return Ok(b);
    }
    let backend = db.backend();
    let list = placeholders(backend, 1, ids.len());
    let day = placeholders(backend, ids.len() + 1, 1);
    let sql = format!(
        "SELECT 'f' AS t, graduate_id, category_code AS a, '' AS b, id AS n FROM assistance_flags \
         WHERE removed_at IS NULL AND graduate_id IN ({list}) \
         UNION ALL SELECT 't', graduate_id, kind_code, MAX(at), COUNT(*) FROM assistance_entries \
         WHERE graduate_id IN ({list}) GROUP BY graduate_id, kind_code \
         UNION ALL SELECT 'o', graduate_id, '', '', COUNT(*) FROM assistance_measures WHERE graduate_id IN ({list}) \
         AND state = 'open' AND due_on < {day} GROUP BY graduate_id \
         UNION ALL SELECT 'h', h.graduate_id, a.display_name, '', h.account_id FROM assistance_helpers h \
         JOIN accounts a ON a.id = h.account_id WHERE h.graduate_id IN ({list})"
    );
    let idv = || ids.iter().map(|id| Value::from(*id));
    let params: Vec<Value> = match backend {
        // `$n` marks: the ids once, the day after them.
        Backend::Postgres => idv().chain([today.to_string().into()]).collect(),
        // Plain `?` marks, bound in the order they stand.
        Backend::Sqlite => idv().chain(idv()).chain(idv()).chain([today.to_string().into()]).chain(idv()).collect(),
    };
    let mut flags: Vec<(i64, i64, String)> = Vec::new();
    let mut helpers: Vec<(i64, String, i64)> = Vec::new();
    for r in db.fetch_all(&sql, &params).await? {
        let graduate = r.i64("graduate_id")?;
        let n = r.i64("n")?;
        match r.text("t")?.as_str() {
            "f" => flags.push((n, graduate, r.text("a")?)),
            "t" => {
                let t = b.tallies.entry(graduate).or_default();
                t.counts.insert(r.text("a")?, u32::try_from(n).unwrap_or(0));
                let last = r.text("b")?;
                if t.last.as_ref().is_none_or(|l| *l < last) {
                    t.last = Some(last);
                }
            }
            "o" => {
                b.overdue.insert(graduate, u32::try_from(n).unwrap_or(0));
            }
            _ => helpers.push((graduate, r.text("a")?, n)),
        }
    }
    flags.sort();
    for (_, graduate, code) in flags {
        b.flags.entry(graduate).or_default().push(code);
    }
    helpers.sort_by(|x, y| (&x.1, x.2).cmp(&(&y.1, y.2)));
    for (graduate, name, account) in helpers {
        b.helpers.entry(graduate).or_default().push((account, name));
    }
    Ok(b)
}

// ---------------------------------------------------------------- coverage summed in SQL

/// How the coverage is grouped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum By {
    /// One group of everyone.
    Total,
    Institution,
    /// Each helper's graduates (a graduate with two helpers counts for both); key 0: no helper.
    Helper,
}

/// The standard's coverage of the register's graduates the viewer sees, summed
/// in SQL: (group key, group name, figures), by name. The same figures as
/// [`crate::coverage::aggregate`] over each graduate's counts by kind, read
/// from the index (graduate, kind, at) rather than from the ledger's rows.
pub async fn coverage_sums(
    db: &Db,
    viewer: &Viewer,
    cohort: i64,
    standard: &Standard,
    by: By,
) -> DbResult<Vec<(i64, String, Aggregate)>> {
    let n = standard.items.len();
    let (key, join) = match by {
        By::Total => ("0", ""),
        By::Institution => ("g.institution_id", ""),
        By::Helper => ("COALESCE(h.account_id, 0)", " LEFT JOIN assistance_helpers h ON h.graduate_id = g.id"),
    };
    let mut w = SqlBuilder::new(&format!("SELECT {key} AS k"));
    for (i, (kind, required)) in standard.items.iter().enumerate() {
        w.push(", CASE WHEN (SELECT COUNT(*) FROM assistance_entries e WHERE e.graduate_id = g.id AND e.kind_code = ")
            .bind(kind.as_str())
            .push(") >= ")
            .bind(i64::from(*required))
            .push(&format!(" THEN 1 ELSE 0 END AS m{i}"));
    }
    w.push(&format!(" FROM graduates g{join} WHERE g.cohort_year = ")).bind(cohort);
    w.push(" AND ").push(IN_REGISTER);
    if viewer.restrict(&mut w).is_err() {
        return Ok(Vec::new());
    }
    let all_met = match n {
        0 => "1".to_owned(),
        _ => format!(
            "CASE WHEN {} = {n} THEN 1 ELSE 0 END",
            (0..n).map(|i| format!("m{i}")).collect::<Vec<_>>().join(" + ")
        ),
    };
    let items: String = (0..n).map(|i| format!(", SUM(m{i}) AS item{i}")).collect();
    let sql =
        format!("SELECT k, COUNT(*) AS graduates, SUM({all_met}) AS covered{items} FROM ({}) x GROUP BY k", w.sql);
    let rows = db.fetch_all(&sql, &w.params).await?;
    let names: HashMap<i64, String> = match by {
        By::Total => HashMap::new(),
        By::Institution => institutions(db).await?.into_iter().collect(),
        By::Helper => {
            let rows = db
                .fetch_all(
                    "SELECT a.id, a.display_name FROM accounts a WHERE a.role = 'university_staff' AND a.id IN \
                     (SELECT account_id FROM assistance_helpers)",
                    &[],
                )
                .await?;
            rows.iter().map(|r| Ok((r.i64("id")?, r.text("display_name")?))).collect::<DbResult<_>>()?
        }
    };
    let count = |r: &Row, c: &str| -> DbResult<u32> { Ok(u32::try_from(r.opt_i64(c)?.unwrap_or(0)).unwrap_or(0)) };
    let mut groups = rows
        .iter()
        .map(|r| {
            let k = r.i64("k")?;
            let a = Aggregate {
                graduates: count(r, "graduates")?,
                covered: count(r, "covered")?,
                per_item: (0..n).map(|i| count(r, &format!("item{i}"))).collect::<DbResult<_>>()?,
            };
            Ok((k, names.get(&k).cloned().unwrap_or_default(), a))
        })
        .collect::<DbResult<Vec<_>>>()?;
    groups.sort_by(|a, b| (&a.1, a.0).cmp(&(&b.1, b.0)));
    Ok(groups)
}
