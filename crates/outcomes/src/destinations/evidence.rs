//! Evidence (证明材料) for a destination: which kinds of document a category
//! needs is data (the `evidence` column of the destination codes, the kinds in
//! `evidence_kind`); uploads go to the file store and attach to the
//! graduate's current destination event, so the history shows what evidence
//! stood behind each record. An online agreement in force is its own evidence.

use std::collections::HashMap;

use kernel::audit::{self, AuditActor, Change, Subject};
use kernel::{codes, time, Db, DbResult, Locale, Record, Tx};

use super::rules::{documents, missing, Rules};

/// The largest document accepted.
pub const LIMIT: usize = 10 * 1024 * 1024;

/// What `evidence_kind` marks as a check on the documents rather than a document.
pub(crate) const CHECK: &str = "check";

impl Rules {
    pub async fn load(tx: &mut Tx, version: &str) -> DbResult<Rules> {
        let checks: Vec<String> = tx
            .fetch_all("SELECT code FROM code_tables WHERE kind = 'evidence_kind' AND evidence = $1", &[CHECK.into()])
            .await?
            .iter()
            .map(|r| r.text("code"))
            .collect::<DbResult<_>>()?;
        let rows = tx
            .fetch_all(
                "SELECT code, evidence FROM code_tables WHERE kind = 'destination' AND version = $1",
                &[version.into()],
            )
            .await?;
        let mut by_category = HashMap::new();
        for r in &rows {
            let rule = r.opt_text("evidence")?.unwrap_or_default();
            by_category.insert(r.text("code")?, documents(&rule, &checks));
        }
        Ok(Rules { by_category })
    }
}

/// One piece of evidence as pages list it.
pub struct Evidence {
    pub id: i64,
    pub event_id: i64,
    pub kind: String,
    pub kind_name: String,
    pub file_name: String,
    pub size: i64,
    /// An online agreement standing as evidence has no file.
    pub has_file: bool,
    pub uploaded_at: String,
    pub actor: String,
}

impl Evidence {
    pub fn size_text(&self) -> String {
        match self.size {
            n if n >= 1024 * 1024 => format!("{:.1} MB", n as f64 / 1024.0 / 1024.0),
            n => format!("{} KB", (n + 1023) / 1024),
        }
    }
}

/// A graduate's evidence, newest first.
pub async fn list(db: &Db, graduate_id: i64, l: Locale) -> DbResult<Vec<Evidence>> {
    let names = kind_names(db, l).await?;
    db.fetch_all(
        "SELECT id, event_id, kind, file_name, file_sha256, size, uploaded_at, actor_label FROM destination_evidence \
         WHERE graduate_id = $1 ORDER BY id DESC",
        &[graduate_id.into()],
    )
    .await?
    .iter()
    .map(|r| {
        let kind = r.text("kind")?;
        Ok(Evidence {
            id: r.i64("id")?,
            event_id: r.i64("event_id")?,
            kind_name: names.get(&kind).cloned().unwrap_or_else(|| kind.clone()),
            kind,
            file_name: r.opt_text("file_name")?.unwrap_or_default(),
            size: r.opt_i64("size")?.unwrap_or(0),
            has_file: r.opt_text("file_sha256")?.is_some(),
            uploaded_at: time::display(&r.text("uploaded_at")?),
            actor: r.text("actor_label")?,
        })
    })
    .collect()
}

/// Kind code → name in the reader's language.
pub async fn kind_names(db: &Db, l: Locale) -> DbResult<HashMap<String, String>> {
    codes::labels(db, "evidence_kind", codes::BASE_VERSION, l).await
}

/// The kinds the graduate's current destination needs, each with whether it is there.
pub async fn checklist(db: &Db, graduate_id: i64, l: Locale) -> DbResult<Vec<(String, bool)>> {
    let Some(row) = db
        .fetch_optional(
            "SELECT d.evidence_missing, ct.evidence FROM destinations d JOIN destination_events e ON e.id = d.last_event_id \
             LEFT JOIN code_tables ct ON ct.kind = 'destination' AND ct.version = e.code_version AND ct.code = e.category_code \
             WHERE d.graduate_id = $1",
            &[graduate_id.into()],
        )
        .await?
    else {
        return Ok(Vec::new());
    };
    let kinds = codes::list(db, "evidence_kind", codes::BASE_VERSION).await?;
    let names: HashMap<&str, &str> = kinds.iter().map(|k| (k.code.as_str(), k.label(l))).collect();
    let checks: Vec<String> =
        kinds.iter().filter(|k| k.evidence.as_deref() == Some(CHECK)).map(|k| k.code.clone()).collect();
    let missing = row.text("evidence_missing")?;
    let missing: Vec<&str> = missing.split(';').collect();
    Ok(documents(&row.opt_text("evidence")?.unwrap_or_default(), &checks)
        .into_iter()
        .map(|k| {
            let present = !missing.contains(&k.as_str());
            (names.get(k.as_str()).map(|n| (*n).to_owned()).unwrap_or(k), present)
        })
        .collect())
}

/// Attaches evidence to the graduate's current destination and updates what is
/// still missing. `Ok(None)`: nothing recorded yet to attach it to.
pub async fn attach(
    tx: &mut Tx,
    who: &AuditActor,
    graduate_id: i64,
    kind: &str,
    file: Option<(&str, &kernel::files::Stored)>,
    agreement_id: Option<i64>,
) -> DbResult<Option<i64>> {
    let Some(current) = tx
        .fetch_optional(
            "SELECT d.last_event_id, d.institution_id, e.code_version, e.category_code FROM destinations d \
             JOIN destination_events e ON e.id = d.last_event_id WHERE d.graduate_id = $1",
            &[graduate_id.into()],
        )
        .await?
    else {
        return Ok(None);
    };
    let event_id = current.i64("last_event_id")?;
    let id = tx
        .insert_returning_id(
            "INSERT INTO destination_evidence (graduate_id, event_id, kind, file_sha256, file_name, content_type, size, agreement_id, \
             uploaded_at, actor_id, actor_label) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            &[
                graduate_id.into(),
                event_id.into(),
                kind.into(),
                file.map(|(_, s)| s.sha256.clone()).into(),
                file.map(|(name, _)| name.to_owned()).into(),
                file.map(|(_, s)| s.kind.content_type().to_owned()).into(),
                file.map(|(_, s)| s.size as i64).into(),
                agreement_id.into(),
                time::now_utc().into(),
                who.account_id.into(),
                who.label.as_str().into(),
            ],
        )
        .await?;
    let rules = Rules::load(tx, &current.text("code_version")?).await?;
    let have: Vec<String> = tx
        .fetch_all("SELECT DISTINCT kind FROM destination_evidence WHERE event_id = $1", &[event_id.into()])
        .await?
        .iter()
        .map(|r| r.text("kind"))
        .collect::<DbResult<_>>()?;
    let still = missing(rules.required(&current.text("category_code")?), &have);
    tx.execute(
        "UPDATE destinations SET evidence_missing = $1 WHERE graduate_id = $2",
        &[still.into(), graduate_id.into()],
    )
    .await?;
    let after = serde_json::json!({ "graduate_id": graduate_id, "event_id": event_id, "kind": kind,
        "file": file.map(|(name, s)| serde_json::json!({ "name": name, "sha256": s.sha256, "size": s.size })), "agreement_id": agreement_id });
    let subject = Subject::graduate(graduate_id, current.i64("institution_id")?);
    audit::record(tx, who, Change::new("attach", "destination_evidence", id).after(after).about(subject)).await?;
    Ok(Some(id))
}

/// The evidence row of a document that came with an event (`append_many`).
pub(super) fn held_record(who: &AuditActor, graduate_id: i64, event_id: i64, h: &super::Held, at: &str) -> Record {
    let file = h.file.as_ref();
    Record::new()
        .set("graduate_id", graduate_id)
        .set("event_id", event_id)
        .set("kind", h.kind.as_str())
        .set("file_sha256", file.map(|(_, s)| s.sha256.clone()))
        .set("file_name", file.map(|(name, _)| name.clone()))
        .set("content_type", file.map(|(_, s)| s.kind.content_type().to_owned()))
        .set("size", file.map(|(_, s)| s.size as i64))
        .set("agreement_id", h.agreement_id)
        .set("uploaded_at", at)
        .set("actor_id", who.account_id)
        .set("actor_label", who.label.as_str())
}

/// A stored document's place in the file store, and whose record it belongs to.
pub struct Document {
    pub graduate_id: i64,
    /// None for an online agreement standing as evidence.
    pub sha256: Option<String>,
    pub file_name: String,
    pub content_type: String,
}

pub async fn document(db: &Db, id: i64) -> DbResult<Option<Document>> {
    let Some(row) = db
        .fetch_optional(
            "SELECT graduate_id, file_sha256, file_name, content_type FROM destination_evidence WHERE id = $1",
            &[id.into()],
        )
        .await?
    else {
        return Ok(None);
    };
    Ok(Some(Document {
        graduate_id: row.i64("graduate_id")?,
        sha256: row.opt_text("file_sha256")?,
        file_name: row.opt_text("file_name")?.unwrap_or_else(|| "evidence".to_owned()),
        content_type: row.opt_text("content_type")?.unwrap_or_else(|| "application/octet-stream".to_owned()),
    }))
}
