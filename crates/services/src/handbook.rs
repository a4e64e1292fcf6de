//! The handbook (业务办理操作手册) the province keeps as pages: sections with
//! text, searched by a Chinese substring over title and body, and the
//! micro-videos (微视频) kept with it: MP4 files in the file store, each with a
//! title, a summary and optionally the service item it explains, found by the
//! same search and watched in the browser's own player from our route (byte
//! ranges, so the player can seek). Only the province writes; every write is
//! audited in its transaction.

use askama::Template;
use axum::extract::{DefaultBodyLimit, Multipart, Path, Query, State};
use axum::http::{header, HeaderMap};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;
use serde_json::json;

use kernel::audit::{self, AuditActor, Change};
use kernel::auth::Role;
use kernel::db::{like_pattern, Record};
use kernel::files::FileError;
use kernel::web::form::Upload;
use kernel::web::{redirect_with_flash, AppError, AppState, CsrfForm, Ctx, NoFields};
use kernel::{time, Db, DbResult, Locale, Row, Tx};

const MAX_TITLE: usize = 100;
const MAX_BODY: usize = 20_000;
const MAX_SUMMARY: usize = 1000;
/// The body a video upload may bring at most; the configured video limit
/// (`--video-limit-mb`) is checked below it, as for the course library.
const BODY_CEILING: usize = 1024 * 1024 * 1024;

/// Checks a section: a title and a body within their lengths.
pub fn check_section(title: &str, body: &str, l: Locale) -> Result<(), String> {
    if title.is_empty() || title.chars().count() > MAX_TITLE || body.is_empty() || body.chars().count() > MAX_BODY {
        return Err(l
            .pick(
                "请填写章节标题（100 字以内）和正文（2 万字以内）。",
                "Give a title (at most 100 characters) and a text (at most 20,000).",
            )
            .to_owned());
    }
    Ok(())
}

/// Checks a micro-video's words: a title, a summary within its length, and
/// the related service item (关联事项) one of `items` or none.
pub fn check_video(title: &str, summary: &str, item: &str, items: &[String], l: Locale) -> Result<(), String> {
    if title.is_empty() || title.chars().count() > MAX_TITLE {
        return Err(l
            .pick("请填写视频标题（100 字以内）。", "Give the video a title (at most 100 characters).")
            .to_owned());
    }
    if summary.chars().count() > MAX_SUMMARY {
        return Err(l.pick("简介不超过 1000 字。", "The summary is at most 1000 characters.").to_owned());
    }
    if !item.is_empty() && !items.iter().any(|c| c == item) {
        return Err(l.pick("请选择关联的服务事项。", "Choose the related service item.").to_owned());
    }
    Ok(())
}

/// A section: (id, title, body).
pub type Section = (i64, String, String);

/// The sections whose title or body holds `q` (all when empty), in order.
pub async fn sections(db: &Db, q: &str) -> DbResult<Vec<Section>> {
    let rows = if q.is_empty() {
        db.fetch_all("SELECT id, title, body FROM service_handbook ORDER BY id", &[]).await?
    } else {
        let p = like_pattern(q);
        db.fetch_all(
            "SELECT id, title, body FROM service_handbook WHERE title LIKE $1 ESCAPE '\\' OR body LIKE $2 ESCAPE '\\' ORDER BY id",
            &[p.as_str().into(), p.as_str().into()],
        )
        .await?
    };
    rows.iter().map(|r| Ok((r.i64("id")?, r.text("title")?, r.text("body")?))).collect()
}

pub async fn add_section(tx: &mut Tx, who: &AuditActor, title: &str, body: &str) -> DbResult<i64> {
    let row = Record::new()
        .set("title", title)
        .set("body", body)
        .set("updated_at", time::now_utc())
        .set("updated_by_label", who.label.as_str());
    let id = tx.insert_id("service_handbook", row).await?;
    audit::record(tx, who, Change::created("service_handbook", id, json!({ "title": title, "body": body }))).await?;
    Ok(id)
}

async fn section_in(tx: &mut Tx, id: i64) -> DbResult<Option<(String, String)>> {
    tx.fetch_optional("SELECT title, body FROM service_handbook WHERE id = $1", &[id.into()])
        .await?
        .map(|r| Ok((r.text("title")?, r.text("body")?)))
        .transpose()
}

/// Saves a section's new title and text; false when there is no such section.
pub async fn save_section(tx: &mut Tx, who: &AuditActor, id: i64, title: &str, body: &str) -> DbResult<bool> {
    let Some((was_title, was_body)) = section_in(tx, id).await? else { return Ok(false) };
    let row = Record::new()
        .set("title", title)
        .set("body", body)
        .set("updated_at", time::now_utc())
        .set("updated_by_label", who.label.as_str());
    tx.update("service_handbook", row, "id", id).await?;
    let change = Change::updated(
        "service_handbook",
        id,
        json!({ "title": was_title, "body": was_body }),
        json!({ "title": title, "body": body }),
    );
    audit::record(tx, who, change).await?;
    Ok(true)
}

/// Removes a section, its text kept in the audit log; false when there is none.
pub async fn remove_section(tx: &mut Tx, who: &AuditActor, id: i64) -> DbResult<bool> {
    let Some((title, body)) = section_in(tx, id).await? else { return Ok(false) };
    tx.execute("DELETE FROM service_handbook WHERE id = $1", &[id.into()]).await?;
    let change = Change::new("delete", "service_handbook", id).before(json!({ "title": title, "body": body }));
    audit::record(tx, who, change).await?;
    Ok(true)
}

// ---------------------------------------------------------------- micro-videos

/// A micro-video (微视频).
#[derive(Debug, Clone)]
pub struct Video {
    pub id: i64,
    pub title: String,
    pub summary: String,
    /// The related service item's code, or empty.
    pub item_code: String,
    pub sha256: String,
    pub size: i64,
}

impl Video {
    fn image(&self) -> serde_json::Value {
        json!({ "title": self.title, "summary": self.summary, "item_code": self.item_code, "sha256": self.sha256 })
    }

    pub fn size_text(&self) -> String {
        format!("{:.1} MB", self.size as f64 / (1024.0 * 1024.0))
    }
}

const VIDEO: &str = "SELECT id, title, summary, item_code, sha256, size FROM service_videos";

fn video_of(r: &Row) -> DbResult<Video> {
    Ok(Video {
        id: r.i64("id")?,
        title: r.text("title")?,
        summary: r.text("summary")?,
        item_code: r.text("item_code")?,
        sha256: r.text("sha256")?,
        size: r.i64("size")?,
    })
}

/// The videos whose title or summary holds `q` (all when empty), newest first.
pub async fn videos(db: &Db, q: &str) -> DbResult<Vec<Video>> {
    let rows = if q.is_empty() {
        db.fetch_all(&format!("{VIDEO} ORDER BY id DESC"), &[]).await?
    } else {
        let p = like_pattern(q);
        db.fetch_all(
            &format!("{VIDEO} WHERE title LIKE $1 ESCAPE '\\' OR summary LIKE $2 ESCAPE '\\' ORDER BY id DESC"),
            &[p.as_str().into(), p.as_str().into()],
        )
        .await?
    };
    rows.iter().map(video_of).collect()
}

/// The videos that explain a service item, for its guide.
pub async fn videos_of_item(db: &Db, code: &str) -> DbResult<Vec<Video>> {
    db.fetch_all(&format!("{VIDEO} WHERE item_code = $1 ORDER BY id"), &[code.into()])
        .await?
        .iter()
        .map(video_of)
        .collect()
}

pub async fn video(db: &Db, id: i64) -> DbResult<Option<Video>> {
    db.fetch_optional(&format!("{VIDEO} WHERE id = $1"), &[id.into()]).await?.as_ref().map(video_of).transpose()
}

/// A new video's words and its stored file.
pub struct NewVideo<'a> {
    pub title: &'a str,
    pub summary: &'a str,
    pub item_code: &'a str,
    pub sha256: &'a str,
    pub size: usize,
}

pub async fn add_video(tx: &mut Tx, who: &AuditActor, v: &NewVideo<'_>) -> DbResult<i64> {
    let row = Record::new()
        .set("title", v.title)
        .set("summary", v.summary)
        .set("item_code", v.item_code)
        .set("sha256", v.sha256)
        .set("size", i64::try_from(v.size).unwrap_or(i64::MAX))
        .set("updated_at", time::now_utc())
        .set("updated_by_label", who.label.as_str());
    let id = tx.insert_id("service_videos", row).await?;
    let after = json!({ "title": v.title, "summary": v.summary, "item_code": v.item_code, "sha256": v.sha256 });
    audit::record(tx, who, Change::created("service_video", id, after)).await?;
    Ok(id)
}

/// Saves a video's title, summary and related item (the file stays).
pub async fn save_video(
    tx: &mut Tx,
    who: &AuditActor,
    before: &Video,
    title: &str,
    summary: &str,
    item: &str,
) -> DbResult<()> {
    let row = Record::new()
        .set("title", title)
        .set("summary", summary)
        .set("item_code", item)
        .set("updated_at", time::now_utc())
        .set("updated_by_label", who.label.as_str());
    tx.update("service_videos", row, "id", before.id).await?;
    let after = json!({ "title": title, "summary": summary, "item_code": item, "sha256": before.sha256 });
    audit::record(tx, who, Change::updated("service_video", before.id, before.image(), after)).await
}

/// Removes a video from the list; its bytes stay in the content-addressed
/// store, which other rows may share.
pub async fn remove_video(tx: &mut Tx, who: &AuditActor, before: &Video) -> DbResult<()> {
    tx.execute("DELETE FROM service_videos WHERE id = $1", &[before.id.into()]).await?;
    audit::record(tx, who, Change::new("delete", "service_video", before.id).before(before.image())).await
}

// ---------------------------------------------------------------- pages

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/services/handbook", get(handbook_page).post(add))
        .route("/services/handbook/{id}/edit", post(edit_section))
        .route("/services/handbook/{id}/remove", post(drop_section))
        .route("/services/videos", post(upload).layer(DefaultBodyLimit::max(BODY_CEILING + 64 * 1024)))
        .route("/services/videos/{id}", get(video_page).post(edit_video))
        .route("/services/videos/{id}/remove", post(drop_video))
        .route("/services/videos/{id}/file", get(video_file))
}

#[derive(Deserialize, Default)]
struct Search {
    #[serde(default)]
    q: String,
}

#[derive(Template)]
#[template(path = "handbook.html")]
struct HandbookPage<'a> {
    ctx: &'a Ctx,
    l: Locale,
    q: String,
    province: bool,
    sections: Vec<Section>,
    videos: Vec<Video>,
    /// (code, name) of the service items, for a video's related item.
    items: Vec<(String, String)>,
    video_mb: usize,
    error: String,
}

impl HandbookPage<'_> {
    fn item_name(&self, code: &str) -> String {
        self.items.iter().find(|(c, _)| c == code).map(|(_, n)| n.clone()).unwrap_or_default()
    }
}

async fn item_names(db: &Db, l: Locale) -> Result<Vec<(String, String)>, AppError> {
    Ok(crate::store::items(db).await?.iter().map(|i| (i.code.clone(), i.label(l).to_owned())).collect())
}

async fn render(state: &AppState, ctx: &Ctx, q: String, error: String) -> Result<Response, AppError> {
    let province = ctx.actor.as_ref().is_some_and(|a| a.role == Role::ProvinceAdmin);
    let sections = sections(&state.db, q.trim()).await?;
    let videos = videos(&state.db, q.trim()).await?;
    let items = item_names(&state.db, ctx.locale).await?;
    let video_mb = state.config.video_limit_mb;
    let page = HandbookPage { ctx, l: ctx.locale, q, province, sections, videos, items, video_mb, error };
    ctx.page(ctx.t("业务办理操作手册", "Procedures handbook"), &page)
}

async fn handbook_page(State(state): State<AppState>, ctx: Ctx, Query(s): Query<Search>) -> Result<Response, AppError> {
    render(&state, &ctx, s.q, String::new()).await
}

fn get_field(pairs: &[(String, String)], k: &str) -> String {
    pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.trim().to_owned()).unwrap_or_default()
}

async fn add(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    ctx.require(&[Role::ProvinceAdmin])?;
    let (title, body) = (get_field(&pairs, "title"), get_field(&pairs, "body"));
    if let Err(e) = check_section(&title, &body, ctx.locale) {
        return render(&state, &ctx, String::new(), e).await;
    }
    let mut tx = state.db.begin().await?;
    add_section(&mut tx, &ctx.audit_actor(), &title, &body).await?;
    tx.commit().await?;
    Ok(redirect_with_flash("/services/handbook", ctx.t("章节已添加。", "Section added.")))
}

async fn edit_section(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    ctx.require(&[Role::ProvinceAdmin])?;
    let (title, body) = (get_field(&pairs, "title"), get_field(&pairs, "body"));
    if let Err(e) = check_section(&title, &body, ctx.locale) {
        return render(&state, &ctx, String::new(), e).await;
    }
    let mut tx = state.db.begin().await?;
    let saved = save_section(&mut tx, &ctx.audit_actor(), id, &title, &body).await?;
    if !saved {
        return Err(AppError::NotFound);
    }
    tx.commit().await?;
    Ok(redirect_with_flash(&format!("/services/handbook#section-{id}"), ctx.t("章节已保存。", "Section saved.")))
}

async fn drop_section(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> Result<Response, AppError> {
    ctx.require(&[Role::ProvinceAdmin])?;
    let mut tx = state.db.begin().await?;
    if !remove_section(&mut tx, &ctx.audit_actor(), id).await? {
        return Err(AppError::NotFound);
    }
    tx.commit().await?;
    Ok(redirect_with_flash("/services/handbook", ctx.t("章节已删除。", "Section removed.")))
}

async fn upload(State(state): State<AppState>, ctx: Ctx, multipart: Multipart) -> Result<Response, AppError> {
    ctx.require(&[Role::ProvinceAdmin])?;
    let l = ctx.locale;
    let Some(upload) = Upload::read(multipart).await else {
        let error =
            l.pick("上传失败：文件过大或传输中断。", "Upload failed: the file is too large or the transfer broke.");
        return render(&state, &ctx, String::new(), error.to_owned()).await;
    };
    if !upload.csrf_matches(&ctx.csrf) {
        return Err(AppError::Csrf);
    }
    let (title, summary, item) = (upload.field("title"), upload.field("summary"), upload.field("item"));
    let codes: Vec<String> = item_names(&state.db, l).await?.into_iter().map(|(c, _)| c).collect();
    if let Err(e) = check_video(title, summary, item, &codes, l) {
        return render(&state, &ctx, String::new(), e).await;
    }
    let stored = match state.config.files().put_video(&upload.bytes, state.config.video_limit()) {
        Ok(stored) => stored,
        Err(FileError::TooLarge { .. }) => {
            let e = match l {
                Locale::Zh => format!("视频不能超过 {} MB。", state.config.video_limit_mb),
                Locale::En => format!("Videos may be at most {} MB.", state.config.video_limit_mb),
            };
            return render(&state, &ctx, String::new(), e).await;
        }
        Err(FileError::Empty) => {
            let e = l.pick("请选择要上传的视频文件。", "Choose the video file to upload.").to_owned();
            return render(&state, &ctx, String::new(), e).await;
        }
        Err(FileError::Type) => {
            let e = l.pick("只接受完整的 MP4 视频文件。", "Only whole MP4 video files are accepted.").to_owned();
            return render(&state, &ctx, String::new(), e).await;
        }
        Err(e) => return Err(AppError::Internal(e.into())),
    };
    let new = NewVideo { title, summary, item_code: item, sha256: &stored.sha256, size: stored.size };
    let mut tx = state.db.begin().await?;
    let id = add_video(&mut tx, &ctx.audit_actor(), &new).await?;
    tx.commit().await?;
    Ok(redirect_with_flash(&format!("/services/videos/{id}"), l.pick("微视频已上传。", "Video uploaded.")))
}

#[derive(Template)]
#[template(path = "video.html")]
struct VideoPage<'a> {
    ctx: &'a Ctx,
    l: Locale,
    v: Video,
    province: bool,
    items: Vec<(String, String)>,
    error: String,
}

impl VideoPage<'_> {
    fn item_name(&self) -> String {
        self.items.iter().find(|(c, _)| *c == self.v.item_code).map(|(_, n)| n.clone()).unwrap_or_default()
    }
}

async fn render_video(state: &AppState, ctx: &Ctx, v: Video, error: String) -> Result<Response, AppError> {
    let province = ctx.actor.as_ref().is_some_and(|a| a.role == Role::ProvinceAdmin);
    let items = item_names(&state.db, ctx.locale).await?;
    let title = format!("{}{}", ctx.t("微视频：", "Video: "), v.title);
    ctx.page(&title, &VideoPage { ctx, l: ctx.locale, v, province, items, error })
}

async fn video_page(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, AppError> {
    let v = video(&state.db, id).await?.ok_or(AppError::NotFound)?;
    render_video(&state, &ctx, v, String::new()).await
}

async fn edit_video(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    ctx.require(&[Role::ProvinceAdmin])?;
    let v = video(&state.db, id).await?.ok_or(AppError::NotFound)?;
    let (title, summary, item) = (get_field(&pairs, "title"), get_field(&pairs, "summary"), get_field(&pairs, "item"));
    let codes: Vec<String> = item_names(&state.db, ctx.locale).await?.into_iter().map(|(c, _)| c).collect();
    if let Err(e) = check_video(&title, &summary, &item, &codes, ctx.locale) {
        return render_video(&state, &ctx, v, e).await;
    }
    let mut tx = state.db.begin().await?;
    save_video(&mut tx, &ctx.audit_actor(), &v, &title, &summary, &item).await?;
    tx.commit().await?;
    Ok(redirect_with_flash(&format!("/services/videos/{id}"), ctx.t("微视频已保存。", "Video saved.")))
}

async fn drop_video(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> Result<Response, AppError> {
    ctx.require(&[Role::ProvinceAdmin])?;
    let v = video(&state.db, id).await?.ok_or(AppError::NotFound)?;
    let mut tx = state.db.begin().await?;
    remove_video(&mut tx, &ctx.audit_actor(), &v).await?;
    tx.commit().await?;
    Ok(redirect_with_flash("/services/handbook", ctx.t("微视频已删除。", "Video removed.")))
}

/// The video's bytes for the player, through the course library's ranged responder.
async fn video_file(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let v = video(&state.db, id).await?.ok_or(AppError::NotFound)?;
    let bytes = state.config.files().get(&v.sha256).map_err(|e| match e {
        FileError::Missing => AppError::NotFound,
        e => AppError::Internal(e.into()),
    })?;
    let asked = headers.get(header::RANGE).and_then(|v| v.to_str().ok());
    Ok(training::mentors::course_pages::video(bytes, asked))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_section_needs_title_and_text() {
        assert!(check_section("报到", "到接收单位报到。", Locale::Zh).is_ok());
        assert!(check_section("", "x", Locale::Zh).is_err());
        assert!(check_section("x", "", Locale::Zh).is_err());
    }

    #[test]
    fn a_video_needs_a_title_and_a_known_item() {
        let items = vec!["archive_query".to_owned()];
        assert!(check_video("档案查询", "", "", &items, Locale::Zh).is_ok());
        assert!(check_video("档案查询", "三分钟看懂", "archive_query", &items, Locale::Zh).is_ok());
        assert!(check_video("", "", "", &items, Locale::Zh).is_err());
        assert!(check_video("x", "", "nothing", &items, Locale::En).is_err());
        assert!(check_video("x", &"长".repeat(1001), "", &items, Locale::Zh).is_err());
    }
}
