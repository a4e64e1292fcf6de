//! The review area's SQL: the expert pool with its links, the pool's import
//! and the working-day calendar. Every write is audited.

use std::collections::HashMap;

use chrono::NaiveDate;
use kernel::audit::{self, AuditActor, Change};
use kernel::db::Record;
use kernel::sheet::report::{ReportError, Source};
use kernel::sheet::{self, Errors, Limits, Problem, ReadError, RowError};
use kernel::{codes, time, Db, DbResult, Locale, Row, Tx};
use serde_json::json;

use super::conflicts;
use super::pool::{self, Column, LinkKind, NewDay, NewExpert, NewLink};
use kernel::calendar::DayKind;

/// The review fields, (code, name) in the reader's language.
pub async fn fields(db: &Db, l: Locale) -> DbResult<Vec<(String, String)>> {
    Ok(codes::list(db, pool::FIELDS, codes::BASE_VERSION)
        .await?
        .iter()
        .map(|c| (c.code.clone(), c.label(l).to_owned()))
        .collect())
}

/// Every institution: (id, code, name), by code.
pub async fn institutions(db: &Db) -> DbResult<Vec<(i64, String, String)>> {
    let rows = db.fetch_all("SELECT id, code, name FROM institutions ORDER BY code", &[]).await?;
    rows.iter().map(|r| Ok((r.i64("id")?, r.text("code")?, r.text("name")?))).collect()
}

#[derive(Debug, Clone)]
pub struct Expert {
    pub id: i64,
    pub account_id: Option<i64>,
    pub username: Option<String>,
    pub name: String,
    pub institution_id: Option<i64>,
    pub institution: Option<String>,
    pub affiliation: String,
    pub title: String,
    pub phone: String,
    pub fields: Vec<String>,
    pub active: bool,
}

impl Expert {
    /// Where the expert works: the institution, else the work unit.
    pub fn unit(&self) -> &str {
        self.institution.as_deref().unwrap_or(&self.affiliation)
    }
}

const EXPERT: &str = "SELECT e.id, e.account_id, a.username, e.name, e.institution_id, i.name AS institution, \
    e.affiliation, e.title, e.phone, e.fields, e.active FROM review_experts e \
    LEFT JOIN accounts a ON a.id = e.account_id LEFT JOIN institutions i ON i.id = e.institution_id";

fn expert_of(r: &Row) -> DbResult<Expert> {
    Ok(Expert {
        id: r.i64("id")?,
        account_id: r.opt_i64("account_id")?,
        username: r.opt_text("username")?,
        name: r.text("name")?,
        institution_id: r.opt_i64("institution_id")?,
        institution: r.opt_text("institution")?,
        affiliation: r.text("affiliation")?,
        title: r.text("title")?,
        phone: r.text("phone")?,
        fields: pool::split_codes(&r.text("fields")?),
        active: r.bool("active")?,
    })
}

/// The pool, active experts first.
pub async fn list(db: &Db) -> DbResult<Vec<Expert>> {
    let sql = format!("{EXPERT} ORDER BY CASE WHEN e.active THEN 0 ELSE 1 END, e.id");
    db.fetch_all(&sql, &[]).await?.iter().map(expert_of).collect()
}

pub async fn get(db: &Db, id: i64) -> DbResult<Option<Expert>> {
    db.fetch_optional(&format!("{EXPERT} WHERE e.id = $1"), &[id.into()]).await?.as_ref().map(expert_of).transpose()
}

/// Why an account cannot be linked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountProblem {
    Unknown,
    NotExpert,
    Taken,
}

impl AccountProblem {
    pub fn message(self, l: Locale) -> &'static str {
        match self {
            AccountProblem::Unknown => l.pick("没有这个用户名的账号。", "No account has this user name."),
            AccountProblem::NotExpert => {
                l.pick("该账号不是评审专家角色。", "This account does not have the expert role.")
            }
            AccountProblem::Taken => {
                l.pick("该账号已关联库中另一位专家。", "This account is linked to another expert already.")
            }
        }
    }
}

/// The account an expert record may be linked to: an account of the expert
/// role not linked to another record (`except`: the record being edited).
pub async fn account_for(tx: &mut Tx, username: &str, except: Option<i64>) -> DbResult<Result<i64, AccountProblem>> {
    let Some(r) = tx.fetch_optional("SELECT id, role FROM accounts WHERE username = $1", &[username.into()]).await?
    else {
        return Ok(Err(AccountProblem::Unknown));
    };
    let id = r.i64("id")?;
    if r.text("role")? != kernel::auth::Role::Expert.as_str() {
        return Ok(Err(AccountProblem::NotExpert));
    }
    let other = tx
        .fetch_optional(
            "SELECT id FROM review_experts WHERE account_id = $1 AND id <> $2",
            &[id.into(), except.unwrap_or(0).into()],
        )
        .await?;
    Ok(if other.is_some() { Err(AccountProblem::Taken) } else { Ok(id) })
}

fn image(e: &NewExpert, account_id: Option<i64>) -> serde_json::Value {
    json!({ "name": e.name, "institution_id": e.institution_id, "affiliation": e.affiliation, "title": e.title,
        "phone": e.phone, "fields": e.fields.join(","), "account_id": account_id })
}

pub async fn create(tx: &mut Tx, who: &AuditActor, e: &NewExpert, account_id: Option<i64>) -> DbResult<i64> {
    let row = Record::new()
        .set("account_id", account_id)
        .set("name", e.name.as_str())
        .set("institution_id", e.institution_id)
        .set("affiliation", e.affiliation.as_str())
        .set("title", e.title.as_str())
        .set("phone", e.phone.as_str())
        .set("fields", e.fields.join(","))
        .set("active", true)
        .set("created_at", time::now_utc())
        .set("created_by_label", who.label.as_str());
    let id = tx.insert_id("review_experts", row).await?;
    audit::record(tx, who, Change::created("review_expert", id, image(e, account_id))).await?;
    Ok(id)
}

pub async fn update(
    tx: &mut Tx,
    who: &AuditActor,
    old: &Expert,
    e: &NewExpert,
    account_id: Option<i64>,
) -> DbResult<()> {
    let before = json!({ "name": old.name, "institution_id": old.institution_id, "affiliation": old.affiliation,
        "title": old.title, "phone": old.phone, "fields": old.fields.join(","), "account_id": old.account_id });
    let row = Record::new()
        .set("account_id", account_id)
        .set("name", e.name.as_str())
        .set("institution_id", e.institution_id)
        .set("affiliation", e.affiliation.as_str())
        .set("title", e.title.as_str())
        .set("phone", e.phone.as_str())
        .set("fields", e.fields.join(","));
    tx.update("review_experts", row, "id", old.id).await?;
    audit::record(tx, who, Change::updated("review_expert", old.id, before, image(e, account_id))).await
}

/// Deactivates (or reactivates) an expert; false when nothing changed.
pub async fn set_active(tx: &mut Tx, who: &AuditActor, id: i64, active: bool) -> DbResult<bool> {
    let n = tx
        .execute(
            "UPDATE review_experts SET active = $1 WHERE id = $2 AND active <> $3",
            &[active.into(), id.into(), active.into()],
        )
        .await?;
    if n == 0 {
        return Ok(false);
    }
    let action = if active { "reactivate" } else { "deactivate" };
    audit::record(tx, who, Change::new(action, "review_expert", id).after(json!({ "active": active }))).await?;
    Ok(true)
}

#[derive(Debug, Clone)]
pub struct Link {
    pub id: i64,
    pub kind: LinkKind,
    pub name: String,
    pub institution_id: Option<i64>,
    pub institution: Option<String>,
    pub note: String,
}

fn link_of(r: &Row) -> DbResult<Link> {
    Ok(Link {
        id: r.i64("id")?,
        kind: LinkKind::parse(&r.text("kind")?).unwrap_or(LinkKind::Relation),
        name: r.text("person_name")?,
        institution_id: r.opt_i64("person_institution_id")?,
        institution: r.opt_text("institution")?,
        note: r.text("note")?,
    })
}

const LINK: &str = "SELECT k.id, k.expert_id, k.kind, k.person_name, k.person_institution_id, i.name AS institution, \
    k.note FROM review_expert_links k LEFT JOIN institutions i ON i.id = k.person_institution_id";

pub async fn links(db: &Db, expert: i64) -> DbResult<Vec<Link>> {
    let sql = format!("{LINK} WHERE k.expert_id = $1 ORDER BY k.kind, k.id");
    db.fetch_all(&sql, &[expert.into()]).await?.iter().map(link_of).collect()
}

pub async fn add_link(tx: &mut Tx, who: &AuditActor, expert: i64, k: &NewLink) -> DbResult<i64> {
    let row = Record::new()
        .set("expert_id", expert)
        .set("kind", k.kind.code())
        .set("person_name", k.name.as_str())
        .set("person_institution_id", k.institution_id)
        .set("note", k.note.as_str())
        .set("created_at", time::now_utc());
    let id = tx.insert_id("review_expert_links", row).await?;
    let after = json!({ "expert_id": expert, "kind": k.kind.code(), "person_name": k.name,
        "person_institution_id": k.institution_id, "note": k.note });
    audit::record(tx, who, Change::created("review_expert_link", id, after)).await?;
    Ok(id)
}

pub async fn remove_link(tx: &mut Tx, who: &AuditActor, expert: i64, link: i64) -> DbResult<bool> {
    let Some(r) = tx
        .fetch_optional(&format!("{LINK} WHERE k.id = $1 AND k.expert_id = $2"), &[link.into(), expert.into()])
        .await?
    else {
        return Ok(false);
    };
    let k = link_of(&r)?;
    tx.execute("DELETE FROM review_expert_links WHERE id = $1", &[link.into()]).await?;
    let before = json!({ "expert_id": expert, "kind": k.kind.code(), "person_name": k.name,
        "person_institution_id": k.institution_id, "note": k.note });
    audit::record(tx, who, Change::new("delete", "review_expert_link", link).before(before)).await?;
    Ok(true)
}

/// The active pool as conflict detection and assignment read it.
pub async fn profiles(db: &Db) -> DbResult<Vec<conflicts::Expert>> {
    let experts: Vec<Expert> = list(db).await?.into_iter().filter(|e| e.active).collect();
    let rows = db.fetch_all(&format!("{LINK} ORDER BY k.id"), &[]).await?;
    let mut by: HashMap<i64, Vec<(LinkKind, conflicts::Person)>> = HashMap::new();
    for r in &rows {
        let k = link_of(r)?;
        by.entry(r.i64("expert_id")?).or_default().push((k.kind, conflicts::Person::new(&k.name, k.institution_id)));
    }
    Ok(experts
        .into_iter()
        .map(|e| {
            let mut p = conflicts::Expert {
                id: e.id,
                person: conflicts::Person::new(&e.name, e.institution_id),
                fields: e.fields,
                ..conflicts::Expert::default()
            };
            for (kind, person) in by.remove(&e.id).unwrap_or_default() {
                match kind {
                    LinkKind::CoApplicant => p.co_applicants.push(person),
                    LinkKind::Supervisee => p.supervisees.push(person),
                    LinkKind::Relation => p.relations.push(person),
                }
            }
            p
        })
        .collect())
}

// ---------------------------------------------------------------- import

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error(transparent)]
    Db(#[from] kernel::DbError),
    #[error(transparent)]
    Read(#[from] ReadError),
    #[error(transparent)]
    Report(#[from] ReportError),
    #[error("the reader stopped: {0}")]
    Reader(String),
}

pub enum Outcome {
    Imported { rows: usize },
    Rejected { rows: usize, errors: Errors<Problem>, report: Vec<u8> },
}

fn field_error(line: usize, column: &str, value: &str, message: String) -> RowError<Problem> {
    RowError { row: line, column: column.to_owned(), value: value.to_owned(), problem: Problem::Field(message) }
}

/// Reads a pool sheet and adds every row in one transaction; a file with any
/// refused row adds nothing and is answered with its errors and the report.
pub async fn import(
    db: &Db,
    who: &AuditActor,
    file_name: &str,
    bytes: Vec<u8>,
    limits: Limits,
    l: Locale,
) -> Result<Outcome, ImportError> {
    let bytes = std::sync::Arc::new(bytes);
    let table = {
        let (name, bytes, limits) = (file_name.to_owned(), bytes.clone(), limits);
        let read = move || sheet::read(&name, &bytes, &pool::columns(), &limits);
        tokio::task::spawn_blocking(read).await.map_err(|e| ImportError::Reader(e.to_string()))??
    };
    if table.headers.is_empty() {
        return Err(ImportError::Read(ReadError::Empty));
    }
    let mut at: HashMap<Column, usize> = HashMap::new();
    for (i, h) in table.headers.iter().enumerate() {
        if let Some(c) = pool::column_of(h) {
            at.entry(c).or_insert(i);
        }
    }
    let header = |c: Column| {
        at.get(&c).and_then(|i| table.headers.get(*i)).cloned().unwrap_or_else(|| {
            pool::COLUMNS.iter().find(|(k, _)| *k == c).map(|(_, h)| h[0].to_owned()).unwrap_or_default()
        })
    };
    let insts = institutions(db).await?;
    let by_code: HashMap<&str, i64> =
        insts.iter().flat_map(|(id, code, name)| [(code.as_str(), *id), (name.as_str(), *id)]).collect();
    let inst_ids: Vec<i64> = insts.iter().map(|(id, _, _)| *id).collect();
    let field_codes: Vec<String> = fields(db, l).await?.into_iter().map(|(c, _)| c).collect();
    let mut errors = Errors::new(&limits);
    let mut kept: Vec<(NewExpert, Option<String>)> = Vec::new();
    let mut tx = db.begin().await?;
    let mut first_phone: HashMap<String, usize> = HashMap::new();
    let pooled: std::collections::HashSet<String> = tx
        .fetch_all("SELECT phone FROM review_experts", &[])
        .await?
        .iter()
        .map(|r| r.text("phone"))
        .collect::<DbResult<_>>()?;
    for row in &table.rows {
        let cell = |c: Column| at.get(&c).and_then(|i| row.cells.get(*i)).map(|s| s.trim()).unwrap_or("");
        let before = errors.total;
        errors.extend(row.refused.iter().cloned());
        if errors.total > before {
            continue;
        }
        let inst_cell = cell(Column::Institution);
        let institution = match inst_cell {
            "" => String::new(),
            s => match by_code.get(s) {
                Some(id) => id.to_string(),
                None => {
                    let m = l.pick("没有这个代码或名称的高校", "no institution has this code or name");
                    errors.push(field_error(row.line, &header(Column::Institution), s, m.to_owned()));
                    continue;
                }
            },
        };
        let form = pool::ExpertForm {
            name: cell(Column::Name).to_owned(),
            institution,
            affiliation: cell(Column::Affiliation).to_owned(),
            title: cell(Column::Title).to_owned(),
            phone: cell(Column::Phone).to_owned(),
            fields: pool::split_codes(cell(Column::Fields)),
            account: cell(Column::Account).to_owned(),
        };
        let e = match pool::check_expert(&form, &inst_ids, &field_codes, l) {
            Ok(e) => e,
            Err(m) => {
                // Name the column the message is about.
                let column = if m.contains(l.pick("手机", "obile")) {
                    Column::Phone
                } else if m.contains(l.pick("领域", "field")) {
                    Column::Fields
                } else if m.contains(l.pick("职称", "title")) {
                    Column::Title
                } else if m.contains(l.pick("工作单位", "work unit")) {
                    Column::Affiliation
                } else {
                    Column::Name
                };
                errors.push(field_error(row.line, &header(column), cell(column), m));
                continue;
            }
        };
        if let Some(first) = first_phone.get(&e.phone) {
            errors.push(RowError {
                row: row.line,
                column: header(Column::Phone),
                value: e.phone.clone(),
                problem: Problem::DuplicateInFile(*first),
            });
            continue;
        }
        first_phone.insert(e.phone.clone(), row.line);
        if pooled.contains(&e.phone) {
            let m = l.pick("库中已有使用这个手机号的专家", "an expert in the pool has this mobile number already");
            errors.push(field_error(row.line, &header(Column::Phone), &e.phone, m.to_owned()));
            continue;
        }
        if let Some(u) = &e.account {
            if let Err(p) = account_for(&mut tx, u, None).await? {
                errors.push(field_error(row.line, &header(Column::Account), u, p.message(l).to_owned()));
                continue;
            }
        }
        let username = e.account.clone();
        kept.push((e, username));
    }
    let rows = table.rows.len();
    drop(table);
    if !errors.is_empty() || kept.is_empty() {
        if errors.is_empty() {
            return Err(ImportError::Read(ReadError::Empty));
        }
        drop(tx);
        let write = {
            let file_name = file_name.to_owned();
            move || {
                let columns = pool::columns();
                let source = Source { file_name: &file_name, bytes: &bytes, columns: &columns, limits: &limits };
                sheet::report::error_report(source, &errors, l).map(|report| (errors, report))
            }
        };
        let (errors, report) =
            tokio::task::spawn_blocking(write).await.map_err(|e| ImportError::Reader(e.to_string()))??;
        return Ok(Outcome::Rejected { rows, errors, report });
    }
    for (e, username) in &kept {
        let account = match username {
            Some(u) => account_for(&mut tx, u, None).await?.ok(),
            None => None,
        };
        create(&mut tx, who, e, account).await?;
    }
    audit::record(
        &mut tx,
        who,
        Change::new("import", "review_expert", 0).after(json!({ "file": file_name, "rows": kept.len() })),
    )
    .await?;
    tx.commit().await?;
    Ok(Outcome::Imported { rows })
}

// ---------------------------------------------------------------- calendar

#[derive(Debug, Clone)]
pub struct Day {
    pub day: String,
    pub kind: DayKind,
    pub name: String,
}

/// The listed days of a year, in date order.
pub async fn days(db: &Db, year: i32) -> DbResult<Vec<Day>> {
    let rows = db
        .fetch_all(
            "SELECT day, kind, name FROM work_calendar_days WHERE day >= $1 AND day <= $2 ORDER BY day",
            &[format!("{year:04}-01-01").into(), format!("{year:04}-12-31").into()],
        )
        .await?;
    rows.iter()
        .map(|r| {
            Ok(Day {
                day: r.text("day")?,
                kind: DayKind::from_code(&r.text("kind")?).unwrap_or(DayKind::Holiday),
                name: r.text("name")?,
            })
        })
        .collect()
}

/// The years with listed days.
pub async fn years(db: &Db) -> DbResult<Vec<i32>> {
    let rows = db.fetch_all("SELECT day FROM work_calendar_days ORDER BY day", &[]).await?;
    let mut out: Vec<i32> = Vec::new();
    for r in rows {
        if let Some(y) = r.text("day")?.get(..4).and_then(|y| y.parse().ok()) {
            if !out.contains(&y) {
                out.push(y);
            }
        }
    }
    Ok(out)
}

/// Adds a day or changes what it is.
pub async fn set_day(tx: &mut Tx, who: &AuditActor, d: &NewDay) -> DbResult<()> {
    let day = d.day.to_string();
    let before = tx
        .fetch_optional("SELECT kind, name FROM work_calendar_days WHERE day = $1", &[day.as_str().into()])
        .await?
        .map(|r| -> DbResult<_> { Ok(json!({ "kind": r.text("kind")?, "name": r.text("name")? })) })
        .transpose()?;
    tx.execute("DELETE FROM work_calendar_days WHERE day = $1", &[day.as_str().into()]).await?;
    let row = Record::new()
        .set("day", day.as_str())
        .set("kind", d.kind.code())
        .set("name", d.name.as_str())
        .set("updated_at", time::now_utc())
        .set("updated_by_label", who.label.as_str());
    tx.insert("work_calendar_days", row).await?;
    let after = json!({ "kind": d.kind.code(), "name": d.name });
    audit::record(tx, who, Change::updated("calendar_day", &day, before, after)).await
}

pub async fn remove_day(tx: &mut Tx, who: &AuditActor, day: NaiveDate) -> DbResult<bool> {
    let day = day.to_string();
    let Some(r) =
        tx.fetch_optional("SELECT kind, name FROM work_calendar_days WHERE day = $1", &[day.as_str().into()]).await?
    else {
        return Ok(false);
    };
    let before = json!({ "kind": r.text("kind")?, "name": r.text("name")? });
    tx.execute("DELETE FROM work_calendar_days WHERE day = $1", &[day.as_str().into()]).await?;
    audit::record(tx, who, Change::new("delete", "calendar_day", &day).before(before)).await?;
    Ok(true)
}
