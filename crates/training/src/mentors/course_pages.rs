//! The course library's pages: /training/courses (search by title, only the
//! courses the visitor's role may see; the province and universities add a
//! course with a document or an MP4 video) and /training/courses/files/{id}
//! (the download, refused unless the course's audience admits the visitor;
//! videos served inline with `video/mp4` and byte ranges, so a player can seek).

use askama::Template;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, Multipart, Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;

use kernel::auth::{Actor, Role};
use kernel::files::FileError;
use kernel::web::form::Upload;
use kernel::web::{redirect_with_flash, AppError, AppState, CsrfForm, Ctx, NoFields};
use kernel::Locale;

use super::courses::{self, Course, NewCourse};
use super::rules::{self, CourseForm};

/// Documents: the size every document upload keeps to.
const DOCUMENT_LIMIT: usize = 10 * 1024 * 1024;
/// The body a course upload may bring at most; the configured video limit
/// (`--video-limit-mb`) is checked below it.
const BODY_CEILING: usize = 1024 * 1024 * 1024;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/training/courses", get(list).post(add).layer(DefaultBodyLimit::max(BODY_CEILING + 64 * 1024)))
        .route("/training/courses/files/{id}", get(download))
        .route("/training/courses/{id}", get(course_page).post(save))
        .route("/training/courses/{id}/files", post(add_file).layer(DefaultBodyLimit::max(BODY_CEILING + 64 * 1024)))
        .route("/training/courses/{id}/files/{file}/remove", post(remove_file))
        .route("/training/courses/{id}/withdraw", post(withdraw))
}

const EVERYONE: &[Role] = &[Role::ProvinceAdmin, Role::UniversityStaff, Role::Employer, Role::Graduate, Role::Expert];

#[derive(Deserialize, Default)]
struct ListQuery {
    #[serde(default)]
    q: String,
}

#[derive(Template)]
#[template(path = "mentors/courses.html")]
struct ListPage<'a> {
    ctx: &'a Ctx,
    l: Locale,
    courses: Vec<Course>,
    q: String,
    may_add: bool,
    /// The actor's role and institution, for the owner's link on its courses.
    role: Role,
    institution: Option<i64>,
    form: CourseForm,
    error: String,
    video_mb: usize,
}

impl ListPage<'_> {
    fn owns(&self, c: &Course) -> bool {
        rules::owns_course(self.role, self.institution, c.institution_id)
    }
    fn audiences(&self) -> Vec<(&'static str, &'static str)> {
        rules::AUDIENCES.iter().map(|a| (*a, rules::audience_label(a, self.l))).collect()
    }
}

async fn render(state: &AppState, ctx: &Ctx, q: String, form: CourseForm, error: String) -> Result<Response, AppError> {
    let actor = ctx.require(EVERYONE)?;
    let audiences = rules::audiences_for(Some(actor.role));
    let page = ListPage {
        ctx,
        l: ctx.locale,
        courses: courses::list(&state.db, &audiences, &q).await?,
        q,
        may_add: matches!(actor.role, Role::ProvinceAdmin | Role::UniversityStaff),
        role: actor.role,
        institution: actor.institution_id,
        form,
        error,
        video_mb: state.config.video_limit_mb,
    };
    ctx.page(ctx.t("课程资源库", "Course library"), &page)
}

async fn list(State(state): State<AppState>, ctx: Ctx, Query(q): Query<ListQuery>) -> Result<Response, AppError> {
    render(&state, &ctx, q.q, CourseForm::default(), String::new()).await
}

async fn add(State(state): State<AppState>, ctx: Ctx, multipart: Multipart) -> Result<Response, AppError> {
    let actor = ctx.require(&[Role::ProvinceAdmin, Role::UniversityStaff])?.clone();
    let l = ctx.locale;
    let Some(upload) = Upload::read(multipart).await else {
        let error =
            l.pick("上传失败：文件过大或传输中断。", "Upload failed: the file is too large or the transfer broke.");
        return render(&state, &ctx, String::new(), CourseForm::default(), error.to_owned()).await;
    };
    if !upload.csrf_matches(&ctx.csrf) {
        return Err(AppError::Csrf);
    }
    let form = CourseForm {
        kind: upload.field("kind").to_owned(),
        title: upload.field("title").to_owned(),
        summary: upload.field("summary").to_owned(),
        audience: upload.field("audience").to_owned(),
    };
    let (kind, title, summary, audience) = match rules::check_course(&form) {
        Ok(c) => c,
        Err(problem) => return render(&state, &ctx, String::new(), form, problem.text(l).to_owned()).await,
    };
    let (stored, shown) = match accept(&state, &upload, l)? {
        Ok(s) => s,
        Err(message) => return render(&state, &ctx, String::new(), form, message).await,
    };
    let mut tx = state.db.begin().await?;
    let who = ctx.audit_actor();
    let new = NewCourse {
        kind: &kind,
        title: &title,
        summary: &summary,
        audience: &audience,
        institution: actor.institution_id,
        account: actor.account_id,
    };
    let id = courses::add(&mut tx, &who, &new).await?;
    courses::add_file(&mut tx, &who, id, &shown, &stored).await?;
    tx.commit().await?;
    Ok(redirect_with_flash("/training/courses", l.pick("已加入课程资源库。", "Added to the course library.")))
}

/// Keeps an uploaded course file: a video by its bytes (MP4, within the
/// configured limit), otherwise a document (PDF, JPG, PNG) as every upload
/// form keeps one; the file and its shown name, or why not.
fn accept(
    state: &AppState,
    upload: &Upload,
    l: Locale,
) -> Result<Result<(kernel::files::Stored, String), String>, AppError> {
    let stored = if kernel::files::is_mp4(&upload.bytes) {
        match state.config.files().put_video(&upload.bytes, state.config.video_limit()) {
            Ok(stored) => Ok((stored, kernel::files::display_name(&upload.file_name))),
            Err(FileError::TooLarge { .. }) => Err(match l {
                Locale::Zh => format!("视频不能超过 {} MB。", state.config.video_limit_mb),
                Locale::En => format!("Videos may be at most {} MB.", state.config.video_limit_mb),
            }),
            Err(e) => return Err(AppError::Internal(e.into())),
        }
    } else {
        let fallback = l.pick("课程资料", "course-file");
        kernel::files::accept_document(
            &state.config.files(),
            &upload.file_name,
            &upload.bytes,
            DOCUMENT_LIMIT,
            fallback,
            l,
        )
        .map_err(|e| AppError::Internal(e.into()))?
        .map(|a| (a.stored, a.shown_name))
        .map_err(|message| format!("{message} {}", l.pick("视频请上传 MP4 文件。", "Videos are accepted as MP4.")))
    };
    Ok(stored.map(|(stored, shown)| {
        let shown = if shown.trim().is_empty() { l.pick("课程资料", "course-file").to_owned() } else { shown };
        (stored, shown)
    }))
}

// ---------------------------------------------------------------- the owner's page

#[derive(Template)]
#[template(path = "mentors/course.html")]
struct CoursePage<'a> {
    ctx: &'a Ctx,
    l: Locale,
    c: Course,
    form: CourseForm,
    error: String,
    video_mb: usize,
}

impl CoursePage<'_> {
    fn audiences(&self) -> Vec<(&'static str, &'static str)> {
        rules::AUDIENCES.iter().map(|a| (*a, rules::audience_label(a, self.l))).collect()
    }
}

/// The course, for its owner only (the province's own, or a university's own).
async fn owned(state: &AppState, ctx: &Ctx, id: i64) -> Result<(Actor, Course), AppError> {
    let actor = ctx.require(&[Role::ProvinceAdmin, Role::UniversityStaff])?.clone();
    let c = courses::get(&state.db, id).await?.ok_or(AppError::NotFound)?;
    if !rules::owns_course(actor.role, actor.institution_id, c.institution_id) {
        return Err(AppError::Forbidden);
    }
    Ok((actor, c))
}

fn form_of(c: &Course) -> CourseForm {
    CourseForm {
        kind: c.kind.clone(),
        title: c.title.clone(),
        summary: c.summary.clone(),
        audience: c.audience.clone(),
    }
}

fn render_course(
    state: &AppState,
    ctx: &Ctx,
    c: Course,
    form: CourseForm,
    error: String,
) -> Result<Response, AppError> {
    let title = format!("{}：{}", ctx.t("课程资源", "Course"), c.title);
    let page = CoursePage { ctx, l: ctx.locale, c, form, error, video_mb: state.config.video_limit_mb };
    ctx.page(&title, &page)
}

async fn course_page(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, AppError> {
    let (_, c) = owned(&state, &ctx, id).await?;
    let form = form_of(&c);
    render_course(&state, &ctx, c, form, String::new())
}

fn withdrawn_error(l: Locale) -> String {
    l.pick("该课程已撤下，不能再修改。", "The course was withdrawn and cannot change.").to_owned()
}

async fn save(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<CourseForm>,
) -> Result<Response, AppError> {
    let (_, c) = owned(&state, &ctx, id).await?;
    let l = ctx.locale;
    if c.withdrawn {
        return render_course(&state, &ctx, c, form, withdrawn_error(l));
    }
    let (kind, title, summary, audience) = match rules::check_course(&form) {
        Ok(checked) => checked,
        Err(problem) => return render_course(&state, &ctx, c, form, problem.text(l).to_owned()),
    };
    let mut tx = state.db.begin().await?;
    let edit = courses::Edit { kind: &kind, title: &title, summary: &summary, audience: &audience };
    courses::update(&mut tx, &ctx.audit_actor(), &c, &edit).await?;
    tx.commit().await?;
    Ok(redirect_with_flash(&format!("/training/courses/{id}"), l.pick("课程已保存。", "Course saved.")))
}

async fn add_file(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    multipart: Multipart,
) -> Result<Response, AppError> {
    let (_, c) = owned(&state, &ctx, id).await?;
    let l = ctx.locale;
    let form = form_of(&c);
    let Some(upload) = Upload::read(multipart).await else {
        let error =
            l.pick("上传失败：文件过大或传输中断。", "Upload failed: the file is too large or the transfer broke.");
        return render_course(&state, &ctx, c, form, error.to_owned());
    };
    if !upload.csrf_matches(&ctx.csrf) {
        return Err(AppError::Csrf);
    }
    if c.withdrawn {
        return render_course(&state, &ctx, c, form, withdrawn_error(l));
    }
    if upload.bytes.is_empty() {
        let error = l.pick("请选择要上传的文件。", "Choose a file to upload.");
        return render_course(&state, &ctx, c, form, error.to_owned());
    }
    let (stored, shown) = match accept(&state, &upload, l)? {
        Ok(s) => s,
        Err(message) => return render_course(&state, &ctx, c, form, message),
    };
    let mut tx = state.db.begin().await?;
    courses::add_file(&mut tx, &ctx.audit_actor(), c.id, &shown, &stored).await?;
    tx.commit().await?;
    Ok(redirect_with_flash(&format!("/training/courses/{id}"), l.pick("文件已添加。", "File added.")))
}

async fn remove_file(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, file)): Path<(i64, i64)>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> Result<Response, AppError> {
    let (_, c) = owned(&state, &ctx, id).await?;
    let l = ctx.locale;
    if c.withdrawn {
        let form = form_of(&c);
        return render_course(&state, &ctx, c, form, withdrawn_error(l));
    }
    let mut tx = state.db.begin().await?;
    let removed = courses::remove_file(&mut tx, &ctx.audit_actor(), &c, file).await?;
    tx.commit().await?;
    if !removed {
        return Err(AppError::NotFound);
    }
    Ok(redirect_with_flash(&format!("/training/courses/{id}"), l.pick("文件已删除。", "File removed.")))
}

async fn withdraw(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> Result<Response, AppError> {
    let (_, c) = owned(&state, &ctx, id).await?;
    let mut tx = state.db.begin().await?;
    courses::withdraw(&mut tx, &ctx.audit_actor(), &c).await?;
    tx.commit().await?;
    Ok(redirect_with_flash("/training/courses", ctx.t("课程已从资源库撤下。", "Course withdrawn from the library.")))
}

async fn download(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let (audience, sha, content_type) = courses::file(&state.db, id).await?.ok_or(AppError::NotFound)?;
    let role = ctx.actor.as_ref().map(|a| a.role);
    if !rules::audience_admits(&audience, role) {
        // Not signed in: to the login form; signed in with the wrong role: refused.
        ctx.actor()?;
        return Err(AppError::Forbidden);
    }
    if content_type != "video/mp4" {
        return kernel::web::export::stored_document(&state.config.files(), &sha, "课程资料", id, &content_type);
    }
    let bytes = state.config.files().get(&sha).map_err(|e| match e {
        FileError::Missing => AppError::NotFound,
        e => AppError::Internal(e.into()),
    })?;
    Ok(video(bytes, headers.get(header::RANGE).and_then(|v| v.to_str().ok())))
}

/// A single byte range `bytes=a-b`, `bytes=a-` or `bytes=-n` within `len`.
pub fn range(spec: &str, len: usize) -> Option<(usize, usize)> {
    let spec = spec.trim().strip_prefix("bytes=")?;
    if spec.contains(',') || len == 0 {
        return None;
    }
    let (a, b) = spec.split_once('-')?;
    let (start, end) = match (a.trim(), b.trim()) {
        ("", n) => {
            let n: usize = n.parse().ok()?;
            (len.saturating_sub(n), len - 1)
        }
        (a, "") => (a.parse().ok()?, len - 1),
        (a, b) => (a.parse().ok()?, b.parse::<usize>().ok()?.min(len - 1)),
    };
    (start <= end && start < len).then_some((start, end))
}

/// A stored MP4 served inline with byte ranges (`asked`: the Range header),
/// so a player can seek; one-stop services' micro-videos are served by it too.
pub fn video(bytes: Vec<u8>, asked: Option<&str>) -> Response {
    let len = bytes.len();
    let mut response = match asked {
        Some(spec) => match range(spec, len) {
            Some((start, end)) => {
                let mut r = Body::from(bytes[start..=end].to_vec()).into_response();
                *r.status_mut() = StatusCode::PARTIAL_CONTENT;
                if let Ok(v) = HeaderValue::from_str(&format!("bytes {start}-{end}/{len}")) {
                    r.headers_mut().insert(header::CONTENT_RANGE, v);
                }
                r
            }
            None => {
                let mut r = StatusCode::RANGE_NOT_SATISFIABLE.into_response();
                if let Ok(v) = HeaderValue::from_str(&format!("bytes */{len}")) {
                    r.headers_mut().insert(header::CONTENT_RANGE, v);
                }
                return r;
            }
        },
        None => Body::from(bytes).into_response(),
    };
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("video/mp4"));
    h.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    response
}

#[cfg(test)]
mod tests {
    use super::range;

    #[test]
    fn ranges_are_read_within_the_file() {
        assert_eq!(range("bytes=0-99", 1000), Some((0, 99)));
        assert_eq!(range("bytes=900-", 1000), Some((900, 999)));
        assert_eq!(range("bytes=-100", 1000), Some((900, 999)));
        assert_eq!(range("bytes=990-2000", 1000), Some((990, 999)));
        assert_eq!(range("bytes=1000-", 1000), None);
        assert_eq!(range("bytes=5-1", 1000), None);
        assert_eq!(range("bytes=0-1,5-6", 1000), None);
        assert_eq!(range("items=0-1", 1000), None);
    }
}
