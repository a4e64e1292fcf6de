//! The portal's SQL: articles and their review steps, a policy's documents,
//! the cover image, the public lists and the counts of work news. Every
//! write is audited in the caller's transaction.

use kernel::audit::{self, AuditActor, Change, Subject};
use kernel::auth::{Actor, Role};
use kernel::auth::{Owner, Owners, Scope};
use kernel::db::{Record, SqlBuilder};
use kernel::files::Stored;
use kernel::web::table::Paging;
use kernel::{time, Db, DbResult, Row, Tx};
use serde_json::json;

use super::rules::{Action, Checked, Kind, Status};

/// Whose an article is, for `Scope`: a university's work news is its
/// institution's; the province's articles name no owner.
pub const OWNERS: Owners<'static> = Owners { institution: Some("a.institution_id"), ..Owners::NONE };

/// An article (稿件) as pages show it.
#[derive(Debug, Clone)]
pub struct Article {
    pub id: i64,
    pub kind: Kind,
    pub institution_id: Option<i64>,
    pub institution: String,
    pub cohort_year: i64,
    pub title: String,
    pub title_en: String,
    pub summary: String,
    pub body: String,
    pub cover_type: Option<String>,
    pub cover_sha256: Option<String>,
    pub status: Status,
    pub recommended: bool,
    pub return_reason: String,
    pub author_label: String,
    pub created_at: String,
    pub updated_at: String,
    pub published_at: Option<String>,
}

impl Article {
    /// The title in the reader's language: the English one where there is one.
    pub fn title_in(&self, l: kernel::Locale) -> &str {
        match l {
            kernel::Locale::En if !self.title_en.is_empty() => &self.title_en,
            _ => &self.title,
        }
    }

    /// The China day it was published, for lists.
    pub fn day(&self) -> String {
        self.published_at.as_deref().map(time::display).unwrap_or_default().chars().take(10).collect()
    }

    pub fn owner(&self) -> Owner {
        Owner { institution: self.institution_id, ..Owner::default() }
    }

    /// Whether an actor opens it among the editor's pages: the province every
    /// article; a university's staff their own institution's work news.
    pub fn may_open(&self, actor: &Actor) -> bool {
        match (actor.role, self.kind) {
            (Role::ProvinceAdmin, _) => true,
            (Role::UniversityStaff, Kind::WorkNews) => actor.scope().may_see(self.owner()),
            _ => false,
        }
    }

    fn about(&self) -> Subject {
        self.institution_id.map(Subject::institution).unwrap_or_default()
    }
}

const COLUMNS: &str = "SELECT a.id, a.kind, a.institution_id, i.name AS institution, a.cohort_year, a.title, \
    a.title_en, a.summary, a.body, a.cover_sha256, a.cover_type, a.status, a.recommended, a.return_reason, \
    a.author_label, a.created_at, a.updated_at, a.published_at \
    FROM portal_articles a LEFT JOIN institutions i ON i.id = a.institution_id";

fn article_of(r: &Row) -> DbResult<Article> {
    let kind = r.text("kind")?;
    let status = r.text("status")?;
    Ok(Article {
        id: r.i64("id")?,
        kind: Kind::parse(&kind).unwrap_or(Kind::News),
        institution_id: r.opt_i64("institution_id")?,
        institution: r.opt_text("institution")?.unwrap_or_default(),
        cohort_year: r.i64("cohort_year")?,
        title: r.text("title")?,
        title_en: r.text("title_en")?,
        summary: r.text("summary")?,
        body: r.text("body")?,
        cover_sha256: r.opt_text("cover_sha256")?,
        cover_type: r.opt_text("cover_type")?,
        status: Status::parse(&status).unwrap_or(Status::Draft),
        recommended: r.i64("recommended")? != 0,
        return_reason: r.text("return_reason")?,
        author_label: r.text("author_label")?,
        created_at: r.text("created_at")?,
        updated_at: r.text("updated_at")?,
        published_at: r.opt_text("published_at")?,
    })
}

pub async fn get(db: &Db, id: i64) -> DbResult<Option<Article>> {
    db.fetch_optional(&format!("{COLUMNS} WHERE a.id = $1"), &[id.into()]).await?.as_ref().map(article_of).transpose()
}

async fn get_tx(tx: &mut Tx, id: i64) -> DbResult<Article> {
    article_of(&tx.fetch_one(&format!("{COLUMNS} WHERE a.id = $1"), &[id.into()]).await?)
}

/// A published article, or `None` (a draft is not there for the public).
pub async fn published_one(db: &Db, id: i64) -> DbResult<Option<Article>> {
    Ok(get(db, id).await?.filter(|a| a.status == Status::Published))
}

/// Published articles of a kind, newest first, a page at a time.
pub async fn published(db: &Db, kind: Kind, paging: &mut Paging) -> DbResult<Vec<Article>> {
    let params = [Status::Published.key().into(), kind.key().into()];
    paging.total = db
        .scalar_i64("SELECT COUNT(*) AS n FROM portal_articles a WHERE a.status = $1 AND a.kind = $2", &params)
        .await?;
    let sql = format!(
        "{COLUMNS} WHERE a.status = $1 AND a.kind = $2 ORDER BY a.published_at DESC, a.id DESC{}",
        paging.limit_sql()
    );
    db.fetch_all(&sql, &params).await?.iter().map(article_of).collect()
}

/// The newest `n` published articles of a kind (the portal's home).
pub async fn latest(db: &Db, kind: Kind, n: i64) -> DbResult<Vec<Article>> {
    let sql =
        format!("{COLUMNS} WHERE a.status = $1 AND a.kind = $2 ORDER BY a.published_at DESC, a.id DESC LIMIT {n}");
    db.fetch_all(&sql, &[Status::Published.key().into(), kind.key().into()]).await?.iter().map(article_of).collect()
}

/// What the editor's list is narrowed to.
#[derive(Debug, Default, Clone)]
pub struct Filter {
    pub kind: Option<Kind>,
    pub status: Option<Status>,
}

/// The articles an actor edits or reviews, newest first: the province all of
/// them, a university its own work news (through `Scope`).
pub async fn for_editor(db: &Db, actor: &Actor, f: &Filter, paging: &mut Paging) -> DbResult<Vec<Article>> {
    let mut w = SqlBuilder::new(" WHERE 1 = 1");
    if actor.role != Role::ProvinceAdmin {
        w.push(" AND a.kind = ").bind(Kind::WorkNews.key());
        if actor.scope().restrict(&mut w, OWNERS).is_err() {
            paging.total = 0;
            return Ok(Vec::new());
        }
    }
    if let Some(k) = f.kind {
        w.push(" AND a.kind = ").bind(k.key());
    }
    if let Some(s) = f.status {
        w.push(" AND a.status = ").bind(s.key());
    }
    paging.total = db.scalar_i64(&format!("SELECT COUNT(*) AS n FROM portal_articles a{}", w.sql), &w.params).await?;
    let sql = format!("{COLUMNS}{} ORDER BY a.updated_at DESC, a.id DESC{}", w.sql, paging.limit_sql());
    db.fetch_all(&sql, &w.params).await?.iter().map(article_of).collect()
}

/// A new draft; its id. `institution` is the submitting university's for work news.
pub async fn create(
    tx: &mut Tx,
    who: &AuditActor,
    institution: Option<i64>,
    cohort: i64,
    c: &Checked,
) -> DbResult<i64> {
    let now = time::now_utc();
    let row = Record::new()
        .set("kind", c.kind.key())
        .set("institution_id", institution)
        .set("cohort_year", cohort)
        .set("title", c.title.as_str())
        .set("title_en", c.title_en.as_str())
        .set("summary", c.summary.as_str())
        .set("body", c.body.as_str())
        .set("status", Status::Draft.key())
        .set("recommended", 0i64)
        .set("return_reason", "")
        .set("author_label", who.label.as_str())
        .set("created_at", now.as_str())
        .set("updated_at", now.as_str());
    let id = tx.insert_id("portal_articles", row).await?;
    step(tx, who, id, "create", Status::Draft, "").await?;
    let after =
        json!({ "kind": c.kind.key(), "title": c.title, "title_en": c.title_en, "status": Status::Draft.key() });
    let about = institution.map(Subject::institution).unwrap_or_default();
    audit::record(tx, who, Change::created("portal_article", id, after).about(about)).await?;
    Ok(id)
}

/// Saves an edit; false when the article left an editable state meanwhile.
pub async fn update(tx: &mut Tx, who: &AuditActor, a: &Article, c: &Checked) -> DbResult<bool> {
    let moved = tx
        .execute(
            "UPDATE portal_articles SET title = $1, title_en = $2, summary = $3, body = $4, updated_at = $5 \
             WHERE id = $6 AND status = $7",
            &[
                c.title.as_str().into(),
                c.title_en.as_str().into(),
                c.summary.as_str().into(),
                c.body.as_str().into(),
                time::now_utc().into(),
                a.id.into(),
                a.status.key().into(),
            ],
        )
        .await?;
    if moved == 0 {
        return Ok(false);
    }
    let change = Change::new("update", "portal_article", a.id)
        .before(json!({ "title": a.title, "title_en": a.title_en, "summary": a.summary, "body_chars": a.body.chars().count() }))
        .after(json!({ "title": c.title, "title_en": c.title_en, "summary": c.summary, "body_chars": c.body.chars().count() }))
        .about(a.about());
    audit::record(tx, who, change).await?;
    Ok(true)
}

/// Makes a review move read at `a.status`; false when another request moved it first.
pub async fn move_to(
    tx: &mut Tx,
    who: &AuditActor,
    a: &Article,
    action: Action,
    to: Status,
    reason: &str,
) -> DbResult<bool> {
    let now = time::now_utc();
    let mut w = SqlBuilder::new("UPDATE portal_articles SET status = ");
    w.bind(to.key());
    w.push(", updated_at = ").bind(now.as_str());
    match action {
        Action::Return => {
            w.push(", return_reason = ").bind(reason);
        }
        Action::Submit => {
            w.push(", return_reason = ''");
        }
        Action::Recommend => {
            w.push(", recommended = 1");
        }
        _ => {}
    }
    if to == Status::Published && a.status != Status::Published {
        w.push(", published_at = ").bind(now.as_str());
    }
    w.push(" WHERE id = ").bind(a.id);
    w.push(" AND status = ").bind(a.status.key());
    if tx.execute(&w.sql, &w.params).await? == 0 {
        return Ok(false);
    }
    step(tx, who, a.id, action.key(), to, reason).await?;
    let mut after = json!({ "status": to.key() });
    if !reason.is_empty() {
        after["reason"] = json!(reason);
    }
    if action == Action::Recommend {
        after["recommended"] = json!(true);
    }
    let change = Change::new(action.key(), "portal_article", a.id)
        .before(json!({ "status": a.status.key() }))
        .after(after)
        .about(a.about());
    audit::record(tx, who, change).await?;
    // The university hears of its work news' review on its notices.
    if let (Kind::WorkNews, Some(institution), Action::Publish | Action::Return | Action::Recommend) =
        (a.kind, a.institution_id, action)
    {
        let message = match action {
            Action::Return => format!("工作动态《{}》被退回：{reason}", a.title),
            Action::Recommend => format!("工作动态《{}》已发布并推荐教育部。", a.title),
            _ => format!("工作动态《{}》已审核发布。", a.title),
        };
        registry::notices::send(tx, who, institution, &format!("portal_work_news_{}", a.id), &message).await?;
    }
    Ok(true)
}

async fn step(tx: &mut Tx, who: &AuditActor, article: i64, action: &str, status: Status, reason: &str) -> DbResult<()> {
    let row = Record::new()
        .set("article_id", article)
        .set("action", action)
        .set("status", status.key())
        .set("reason", reason)
        .set("actor_label", who.label.as_str())
        .set("at", time::now_utc());
    tx.insert_id("portal_article_steps", row).await?;
    Ok(())
}

/// One move of an article's history (who did what, when).
#[derive(Debug, Clone)]
pub struct Step {
    pub action: String,
    pub status: Status,
    pub reason: String,
    pub actor_label: String,
    pub at: String,
}

pub async fn steps(db: &Db, article: i64) -> DbResult<Vec<Step>> {
    let rows = db
        .fetch_all(
            "SELECT action, status, reason, actor_label, at FROM portal_article_steps WHERE article_id = $1 ORDER BY id",
            &[article.into()],
        )
        .await?;
    rows.iter()
        .map(|r| {
            Ok(Step {
                action: r.text("action")?,
                status: Status::parse(&r.text("status")?).unwrap_or(Status::Draft),
                reason: r.text("reason")?,
                actor_label: r.text("actor_label")?,
                at: time::display(&r.text("at")?),
            })
        })
        .collect()
}

/// A document attached to an article (a policy's PDF).
#[derive(Debug, Clone)]
pub struct Document {
    pub id: i64,
    pub file_sha256: String,
    pub file_name: String,
    pub size: i64,
}

impl Document {
    pub fn size_kb(&self) -> i64 {
        (self.size + 1023) / 1024
    }
}

fn document_of(r: &Row) -> DbResult<Document> {
    Ok(Document {
        id: r.i64("id")?,
        file_sha256: r.text("file_sha256")?,
        file_name: r.text("file_name")?,
        size: r.i64("size")?,
    })
}

pub async fn documents(db: &Db, article: i64) -> DbResult<Vec<Document>> {
    db.fetch_all(
        "SELECT id, file_sha256, file_name, size FROM portal_documents WHERE article_id = $1 ORDER BY id",
        &[article.into()],
    )
    .await?
    .iter()
    .map(document_of)
    .collect()
}

pub async fn document(db: &Db, article: i64, id: i64) -> DbResult<Option<Document>> {
    db.fetch_optional(
        "SELECT id, file_sha256, file_name, size FROM portal_documents WHERE article_id = $1 AND id = $2",
        &[article.into(), id.into()],
    )
    .await?
    .as_ref()
    .map(document_of)
    .transpose()
}

/// Attaches a stored PDF; its id.
pub async fn add_document(tx: &mut Tx, who: &AuditActor, a: &Article, name: &str, stored: &Stored) -> DbResult<i64> {
    let row = Record::new()
        .set("article_id", a.id)
        .set("file_sha256", stored.sha256.as_str())
        .set("file_name", name)
        .set("size", stored.size as i64)
        .set("uploaded_at", time::now_utc());
    let id = tx.insert_id("portal_documents", row).await?;
    let after = json!({ "article_id": a.id, "file_name": name, "sha256": stored.sha256, "size": stored.size });
    audit::record(tx, who, Change::created("portal_document", id, after).about(a.about())).await?;
    Ok(id)
}

/// Sets the cover image.
pub async fn set_cover(tx: &mut Tx, who: &AuditActor, a: &Article, stored: &Stored) -> DbResult<()> {
    tx.execute(
        "UPDATE portal_articles SET cover_sha256 = $1, cover_type = $2, updated_at = $3 WHERE id = $4",
        &[stored.sha256.as_str().into(), stored.kind.content_type().into(), time::now_utc().into(), a.id.into()],
    )
    .await?;
    let change = Change::new("cover", "portal_article", a.id)
        .before(json!({ "cover": a.cover_sha256 }))
        .after(json!({ "cover": stored.sha256 }))
        .about(a.about());
    audit::record(tx, who, change).await
}

/// One university's work news (就业创业工作动态): submitted (ever sent for
/// review), published (now public, recommended ones included) and recommended.
#[derive(Debug, Clone)]
pub struct Counts {
    pub institution_id: i64,
    pub institution: String,
    pub submitted: i64,
    pub published: i64,
    pub recommended: i64,
}

/// Counts per university with any work news, in the actor's scope, for a cohort.
pub async fn counts(db: &Db, scope: Scope, cohort: i64) -> DbResult<Vec<Counts>> {
    let mut w = SqlBuilder::new(
        "SELECT a.institution_id, i.name AS institution, \
         SUM(CASE WHEN a.status <> 'draft' THEN 1 ELSE 0 END) AS submitted, \
         SUM(CASE WHEN a.status = 'published' THEN 1 ELSE 0 END) AS published, \
         SUM(CASE WHEN a.recommended = 1 THEN 1 ELSE 0 END) AS recommended \
         FROM portal_articles a JOIN institutions i ON i.id = a.institution_id WHERE a.kind = ",
    );
    w.bind(Kind::WorkNews.key());
    w.push(" AND a.cohort_year = ").bind(cohort);
    if scope.restrict(&mut w, OWNERS).is_err() {
        return Ok(Vec::new());
    }
    w.push(" GROUP BY a.institution_id, i.name, i.code ORDER BY i.code");
    db.fetch_all(&w.sql, &w.params)
        .await?
        .iter()
        .map(|r| {
            Ok(Counts {
                institution_id: r.i64("institution_id")?,
                institution: r.text("institution")?,
                submitted: r.i64("submitted")?,
                published: r.i64("published")?,
                recommended: r.i64("recommended")?,
            })
        })
        .collect()
}

/// Work news of a cohort, province-wide or of one university: published ones,
/// or those recommended to the Ministry.
pub async fn work_news_count(db: &Db, cohort: i64, institution: Option<i64>, recommended: bool) -> DbResult<i64> {
    let mut w = SqlBuilder::new("SELECT COUNT(*) AS n FROM portal_articles a WHERE a.kind = ");
    w.bind(Kind::WorkNews.key());
    w.push(" AND a.cohort_year = ").bind(cohort);
    match recommended {
        true => w.push(" AND a.recommended = 1"),
        false => w.push(" AND a.status = ").bind(Status::Published.key()),
    };
    if let Some(i) = institution {
        w.push(" AND a.institution_id = ").bind(i);
    }
    db.scalar_i64(&w.sql, &w.params).await
}

/// The article as stored now, inside a transaction (to re-read after a move).
pub async fn reread(tx: &mut Tx, id: i64) -> DbResult<Article> {
    get_tx(tx, id).await
}
