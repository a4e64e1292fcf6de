//! Field visits and special meetings (实地调研、专项座谈会) the province holds
//! with an institution, optionally about a finding: the day, who took part,
//! what was found, and documents. The form's checks are pure; the store keeps
//! each visit and document with an audit record.

use chrono::NaiveDate;
use serde_json::json;

use kernel::audit::{self, AuditActor, Change, Subject};
use kernel::auth::{Owners, Scope};
use kernel::db::SqlBuilder;
use kernel::files::Stored;
use kernel::{time, validate, Db, DbResult, Locale, Record, Row, Tx};

/// The code table of visit kinds.
pub const KINDS: &str = "field_visit_kind";
pub const MAX_PEOPLE: usize = 500;
pub const MAX_FINDINGS: usize = 4000;

/// The form as typed.
#[derive(Debug, Clone, Default)]
pub struct Form {
    pub kind: String,
    pub institution: String,
    pub finding: String,
    pub visited_on: String,
    pub people: String,
    pub findings: String,
}

/// A visit as it is kept.
#[derive(Debug, Clone, PartialEq)]
pub struct Checked {
    pub kind: String,
    pub institution_id: i64,
    pub finding_id: Option<i64>,
    pub visited_on: NaiveDate,
    pub people: String,
    pub findings: String,
}

/// The form checked against the kinds known and today (China time): the visit,
/// or every problem, each in the reader's language.
pub fn check(form: &Form, kinds: &[String], today: NaiveDate, l: Locale) -> Result<Checked, Vec<String>> {
    let mut problems = Vec::new();
    let mut refuse = |zh: &str, en: &str| problems.push(l.pick(zh, en).to_owned());
    let kind = form.kind.trim();
    if !kinds.iter().any(|k| k == kind) {
        refuse("请选择类型（实地调研或专项座谈会）。", "Choose the kind (field visit or special meeting).");
    }
    let institution_id = form.institution.trim().parse::<i64>().ok();
    if institution_id.is_none() {
        refuse("请选择高校。", "Choose the institution.");
    }
    let finding_id = match form.finding.trim() {
        "" => None,
        f => {
            let id = f.trim_start_matches('#').parse::<i64>().ok();
            if id.is_none() {
                refuse("核查线索编号应是数字。", "The finding number must be a number.");
            }
            id
        }
    };
    let visited_on = validate::parse_date(&form.visited_on);
    match visited_on {
        None => refuse("请填写日期，如 2022-09-15。", "Give the date, e.g. 2022-09-15."),
        Some(d) if d > today => refuse("日期不能晚于今天。", "The date cannot be after today."),
        Some(_) => {}
    }
    let people = form.people.trim();
    match people.chars().count() {
        0 => refuse("请填写参加人员。", "Give who took part."),
        n if n > MAX_PEOPLE => refuse("参加人员不能超过 500 字。", "At most 500 characters for who took part."),
        _ => {}
    }
    let findings = form.findings.trim();
    match findings.chars().count() {
        0 => refuse("请填写调研发现。", "Write what was found."),
        n if n > MAX_FINDINGS => refuse("调研发现不能超过 4000 字。", "At most 4,000 characters for the findings."),
        _ => {}
    }
    match (institution_id, visited_on, problems.is_empty()) {
        (Some(institution_id), Some(visited_on), true) => Ok(Checked {
            kind: kind.to_owned(),
            institution_id,
            finding_id,
            visited_on,
            people: people.to_owned(),
            findings: findings.to_owned(),
        }),
        _ => Err(problems),
    }
}

/// A visit as the pages show it.
#[derive(Debug, Clone)]
pub struct Visit {
    pub id: i64,
    pub kind_code: String,
    pub kind: String,
    pub institution_id: i64,
    pub institution: String,
    pub finding_id: Option<i64>,
    pub visited_on: String,
    pub people: String,
    pub findings: String,
    pub by: String,
    pub at: String,
    pub documents: i64,
}

fn visit_of(r: &Row) -> DbResult<Visit> {
    Ok(Visit {
        id: r.i64("id")?,
        kind_code: r.text("kind_code")?,
        kind: r.opt_text("kind")?.unwrap_or_default(),
        institution_id: r.i64("institution_id")?,
        institution: r.text("institution")?,
        finding_id: r.opt_i64("finding_id")?,
        visited_on: r.text("visited_on")?,
        people: r.text("people")?,
        findings: r.text("findings")?,
        by: r.text("recorded_label")?,
        at: time::display(&r.text("recorded_at")?),
        documents: r.i64("documents")?,
    })
}

fn select(l: Locale) -> String {
    format!(
        "SELECT v.id, v.kind_code, {} AS kind, v.institution_id, i.name AS institution, v.finding_id, v.visited_on, \
         v.people, v.findings, v.recorded_label, v.recorded_at, \
         (SELECT COUNT(*) FROM field_visit_documents d WHERE d.visit_id = v.id) AS documents \
         FROM field_visits v JOIN institutions i ON i.id = v.institution_id \
         LEFT JOIN code_tables ct ON ct.kind = 'field_visit_kind' AND ct.version = 'base' AND ct.code = v.kind_code \
         WHERE 1 = 1",
        kernel::codes::name_sql("ct", l)
    )
}

/// What the list is filtered by.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub institution: Option<i64>,
    pub kind: Option<String>,
    /// Only the visits about this finding.
    pub finding: Option<i64>,
}

/// The visits the scope may read, newest first.
pub async fn list(db: &Db, scope: &Scope, f: &Filter, l: Locale) -> DbResult<Vec<Visit>> {
    let mut w = SqlBuilder::new(&select(l));
    if scope.restrict(&mut w, Owners { institution: Some("v.institution_id"), ..Owners::NONE }).is_err() {
        return Ok(Vec::new());
    }
    if let Some(i) = f.institution {
        w.push(" AND v.institution_id = ").bind(i);
    }
    if let Some(k) = &f.kind {
        w.push(" AND v.kind_code = ").bind(k.as_str());
    }
    if let Some(finding) = f.finding {
        w.push(" AND v.finding_id = ").bind(finding);
    }
    w.push(" ORDER BY v.visited_on DESC, v.id DESC LIMIT 1000");
    db.fetch_all(&w.sql, &w.params).await?.iter().map(visit_of).collect()
}

pub async fn get(db: &Db, id: i64, l: Locale) -> DbResult<Option<Visit>> {
    let sql = format!("{} AND v.id = $1", select(l));
    db.fetch_optional(&sql, &[id.into()]).await?.as_ref().map(visit_of).transpose()
}

/// Keeps a visit, audited as about its institution.
pub async fn add(tx: &mut Tx, who: &AuditActor, v: &Checked) -> DbResult<i64> {
    let row = Record::new()
        .set("kind_code", v.kind.as_str())
        .set("institution_id", v.institution_id)
        .set("finding_id", v.finding_id)
        .set("visited_on", v.visited_on.to_string())
        .set("people", v.people.as_str())
        .set("findings", v.findings.as_str())
        .set("recorded_by", who.account_id)
        .set("recorded_label", who.label.as_str())
        .set("recorded_at", time::now_utc());
    let id = tx.insert_id("field_visits", row).await?;
    let after = json!({
        "kind": v.kind, "institution_id": v.institution_id, "finding_id": v.finding_id,
        "visited_on": v.visited_on.to_string(), "people": v.people, "findings": v.findings,
    });
    audit::record(tx, who, Change::created("field_visit", id, after).about(Subject::institution(v.institution_id)))
        .await?;
    Ok(id)
}

/// Keeps a document of a visit, audited.
/// `visit`: (its id, its institution).
pub async fn add_document(
    tx: &mut Tx,
    who: &AuditActor,
    (visit, institution): (i64, i64),
    name: &str,
    stored: &Stored,
) -> DbResult<i64> {
    let row = Record::new()
        .set("visit_id", visit)
        .set("file_sha256", stored.sha256.as_str())
        .set("file_name", name)
        .set("content_type", stored.kind.content_type())
        .set("added_by_label", who.label.as_str())
        .set("added_at", time::now_utc());
    let id = tx.insert_id("field_visit_documents", row).await?;
    let change = Change::new("add_document", "field_visit", visit)
        .after(json!({ "file_name": name }))
        .about(Subject::institution(institution));
    audit::record(tx, who, change).await?;
    Ok(id)
}

/// A visit's document as listed.
#[derive(Debug, Clone)]
pub struct Document {
    pub id: i64,
    pub name: String,
    pub by: String,
    pub at: String,
}

pub async fn documents(db: &Db, visit: i64) -> DbResult<Vec<Document>> {
    let rows = db
        .fetch_all(
            "SELECT id, file_name, added_by_label, added_at FROM field_visit_documents WHERE visit_id = $1 ORDER BY id",
            &[visit.into()],
        )
        .await?;
    rows.iter()
        .map(|r| {
            Ok(Document {
                id: r.i64("id")?,
                name: r.text("file_name")?,
                by: r.text("added_by_label")?,
                at: time::display(&r.text("added_at")?),
            })
        })
        .collect()
}

/// A document: (its visit, the stored file's hash, its type).
pub async fn document(db: &Db, id: i64) -> DbResult<Option<(i64, String, String)>> {
    let row = db
        .fetch_optional(
            "SELECT visit_id, file_sha256, content_type FROM field_visit_documents WHERE id = $1",
            &[id.into()],
        )
        .await?;
    row.map(|r| Ok((r.i64("visit_id")?, r.text("file_sha256")?, r.text("content_type")?))).transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> Form {
        Form {
            kind: "01".into(),
            institution: "7".into(),
            finding: String::new(),
            visited_on: "2022-09-10".into(),
            people: "省厅 张处长；学校 王老师".into(),
            findings: "抽查 20 人，3 人无劳动合同。".into(),
        }
    }

    fn kinds() -> Vec<String> {
        vec!["01".into(), "02".into()]
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2022, 9, 15).unwrap()
    }

    #[test]
    fn a_complete_form_is_kept_trimmed() {
        let v = check(&Form { finding: "#12".into(), ..form() }, &kinds(), today(), Locale::Zh).unwrap();
        assert_eq!(v.institution_id, 7);
        assert_eq!(v.finding_id, Some(12));
        assert_eq!(v.visited_on.to_string(), "2022-09-10");
    }

    #[test]
    fn each_missing_or_wrong_field_is_named() {
        let empty = Form::default();
        assert_eq!(check(&empty, &kinds(), today(), Locale::Zh).unwrap_err().len(), 5);
        let later = Form { visited_on: "2022-09-16".into(), ..form() };
        assert_eq!(check(&later, &kinds(), today(), Locale::En).unwrap_err(), ["The date cannot be after today."]);
        let unknown = Form { kind: "09".into(), ..form() };
        assert!(check(&unknown, &kinds(), today(), Locale::Zh).is_err());
        let long = Form { findings: "字".repeat(MAX_FINDINGS + 1), ..form() };
        assert!(check(&long, &kinds(), today(), Locale::Zh).is_err());
    }
}
