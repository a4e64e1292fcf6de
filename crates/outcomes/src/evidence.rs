//! Evidence (证明材料) for a destination: which kinds of document a category
//! needs is data (the `evidence` column of the destination codes, the kinds in
//! `evidence_kind`); uploads go to the file store and attach to the
//! graduate's current destination event, so the history shows what evidence
//! stood behind each record. An online agreement in force is its own evidence.

use std::collections::HashMap;

use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;

use kernel::audit::{self, AuditActor, Change};
use kernel::auth::Role;
use kernel::files::{FileError, FileStore};
use kernel::web::{AppError, AppState, Ctx, Upload};
use kernel::{codes, time, Db, DbResult, Locale, Tx};

/// The largest document accepted.
pub const LIMIT: usize = 10 * 1024 * 1024;

/// What `evidence_kind` marks as a check on the documents rather than a document.
const CHECK: &str = "check";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/outcomes/graduates/{id}/evidence", post(staff_upload))
        .route("/outcomes/me/evidence", post(own_upload))
        .layer(DefaultBodyLimit::max(LIMIT + 64 * 1024))
        .route("/outcomes/evidence/{id}", get(download))
}

/// The document kinds each destination code of one code-table version needs.
#[derive(Debug, Default, Clone)]
pub struct Rules {
    by_category: HashMap<String, Vec<String>>,
}

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

    pub fn required(&self, category: &str) -> &[String] {
        self.by_category.get(category).map(Vec::as_slice).unwrap_or_default()
    }
}

/// The document kinds in a rule such as `employment_proof;pay_records;min_wage`, checks left out.
pub fn documents(rule: &str, checks: &[String]) -> Vec<String> {
    rule.split(';')
        .map(str::trim)
        .filter(|k| !k.is_empty() && !checks.iter().any(|c| c == k))
        .map(str::to_owned)
        .collect()
}

/// The required kinds not yet among `have`, as stored: `;`-separated, `''` when complete.
pub fn missing(required: &[String], have: &[String]) -> String {
    required.iter().filter(|k| !have.contains(k)).cloned().collect::<Vec<_>>().join(";")
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
            "SELECT d.last_event_id, e.code_version, e.category_code FROM destinations d \
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
    audit::record(
        tx,
        who,
        Change {
            action: "attach",
            entity: "destination_evidence",
            entity_id: id.to_string(),
            before: None,
            after: Some(after),
        },
    )
    .await?;
    Ok(Some(id))
}

/// Stores an upload for a graduate the actor may see; the message to show beside the form.
async fn upload(
    state: &AppState,
    ctx: &Ctx,
    graduate_id: i64,
    multipart: Multipart,
) -> Result<Result<(), String>, AppError> {
    let l = ctx.locale;
    let Some(upload) = Upload::read(multipart).await else {
        return Ok(Err(l
            .pick(
                "上传失败：文件超过 10 MB 或传输中断。",
                "Upload failed: the file is over 10 MB or the transfer broke.",
            )
            .to_owned()));
    };
    if !upload.csrf_matches(&ctx.csrf) {
        return Err(AppError::Csrf);
    }
    let kind = upload.field("kind");
    let kinds = kind_names(&state.db, l).await?;
    if !kinds.contains_key(kind) {
        return Ok(Err(l.pick("请选择材料类型。", "Choose what kind of document it is.").to_owned()));
    }
    let stored = match FileStore::new(&state.config.data_dir).put_document(&upload.bytes, LIMIT) {
        Ok(stored) => stored,
        Err(FileError::Empty) => return Ok(Err(l.pick("请选择要上传的文件。", "Choose a file to upload.").to_owned())),
        Err(FileError::TooLarge { .. }) => {
            return Ok(Err(l.pick("文件不能超过 10 MB。", "Files may be at most 10 MB.").to_owned()))
        }
        Err(FileError::Type) => {
            return Ok(Err(l
                .pick(
                    "只接受 PDF、JPG 或 PNG 文件（请扫描或拍照后上传）。",
                    "Only PDF, JPG or PNG files are accepted (scan or photograph the document).",
                )
                .to_owned()))
        }
        Err(e) => return Err(AppError::Internal(anyhow::anyhow!(e))),
    };
    // The end of a long name, where its extension is.
    let tail: Vec<char> = upload.file_name.chars().rev().take(100).collect();
    let name: String =
        if upload.file_name.trim().is_empty() { kind.to_owned() } else { tail.into_iter().rev().collect() };
    let mut tx = state.db.begin().await?;
    match attach(&mut tx, &ctx.audit_actor(), graduate_id, kind, Some((&name, &stored)), None).await? {
        Some(_) => {
            tx.commit().await?;
            state.cache.clear();
            Ok(Ok(()))
        }
        None => Ok(Err(l
            .pick(
                "还没有登记毕业去向，请先登记再上传证明材料。",
                "No destination is recorded yet; record one before adding evidence.",
            )
            .to_owned())),
    }
}

async fn staff_upload(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    multipart: Multipart,
) -> Result<Response, AppError> {
    let actor = ctx.require(&[Role::ProvinceAdmin, Role::UniversityStaff])?;
    crate::graduate_pages::load(&state, actor, id).await?;
    match upload(&state, &ctx, id, multipart).await? {
        Ok(()) => Ok(kernel::web::redirect_with_flash(
            &format!("/outcomes/graduates/{id}#evidence"),
            ctx.t("证明材料已上传。", "Evidence uploaded."),
        )),
        Err(message) => crate::graduate_pages::render_detail_with(&state, &ctx, id, &message).await,
    }
}

async fn own_upload(State(state): State<AppState>, ctx: Ctx, multipart: Multipart) -> Result<Response, AppError> {
    let actor = ctx.require(&[Role::Graduate])?;
    let id = actor.graduate_id.ok_or(AppError::Forbidden)?;
    match upload(&state, &ctx, id, multipart).await? {
        Ok(()) => Ok(kernel::web::redirect_with_flash(
            "/outcomes/me#evidence",
            ctx.t("证明材料已上传。", "Evidence uploaded."),
        )),
        Err(message) => crate::graduate_pages::render_me_with(&state, &ctx, &message).await,
    }
}

/// A stored document, for those who may see the graduate's record.
async fn download(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, AppError> {
    let actor = ctx.require(&[Role::ProvinceAdmin, Role::UniversityStaff, Role::Graduate])?;
    let row = state
        .db
        .fetch_optional(
            "SELECT graduate_id, file_sha256, file_name, content_type FROM destination_evidence WHERE id = $1",
            &[id.into()],
        )
        .await?
        .ok_or(AppError::NotFound)?;
    crate::graduate_pages::load(&state, actor, row.i64("graduate_id")?).await?;
    let sha = row.opt_text("file_sha256")?.ok_or(AppError::NotFound)?;
    let bytes = FileStore::new(&state.config.data_dir).get(&sha).map_err(|e| match e {
        FileError::Missing => AppError::NotFound,
        e => AppError::Internal(anyhow::anyhow!(e)),
    })?;
    let name = row.opt_text("file_name")?.unwrap_or_else(|| "evidence".to_owned());
    let disposition = format!("attachment; filename=\"evidence-{id}\"; filename*=UTF-8''{}", percent_encode(&name));
    let content_type = row.opt_text("content_type")?.unwrap_or_else(|| "application/octet-stream".to_owned());
    Ok(([(header::CONTENT_TYPE, content_type), (header::CONTENT_DISPOSITION, disposition)], bytes).into_response())
}

/// RFC 5987 encoding of a file name, so Chinese names survive the header.
fn percent_encode(name: &str) -> String {
    name.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'.' | b'-' | b'_' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks_are_not_documents_and_missing_lists_the_rest() {
        let checks = vec!["min_wage".to_owned()];
        let need = documents("employment_proof;pay_records;min_wage", &checks);
        assert_eq!(need, ["employment_proof", "pay_records"]);
        assert_eq!(missing(&need, &[]), "employment_proof;pay_records");
        assert_eq!(missing(&need, &["pay_records".to_owned()]), "employment_proof");
        assert_eq!(missing(&need, &["pay_records".to_owned(), "employment_proof".to_owned()]), "");
        assert!(documents("", &checks).is_empty());
    }

    #[test]
    fn file_names_are_encoded_for_the_header() {
        assert_eq!(percent_encode("协议.pdf"), "%E5%8D%8F%E8%AE%AE.pdf");
        assert_eq!(percent_encode("a b\".pdf"), "a%20b%22.pdf");
    }
}
