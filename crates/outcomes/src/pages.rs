//! The roster import pages: upload, the result (a summary, or every error with
//! a downloadable report), and the report download.

use askama::Template;
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use base64::Engine;

use kernel::auth::{session, Role, Scope};
use kernel::web::{AppError, AppState, Ctx, Upload};
use kernel::{time, Locale};

use crate::batch::{self, BatchOutcome};
use crate::roster::{self, ImportError, Outcome, RowError};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/outcomes/roster", get(form).post(upload).layer(DefaultBodyLimit::max(roster::MAX_UPLOAD + 64 * 1024)))
        .route("/outcomes/roster/reports/{token}", get(download))
        .route(
            "/outcomes/destinations/import",
            get(batch_form).post(batch_upload).layer(DefaultBodyLimit::max(roster::MAX_UPLOAD + 64 * 1024)),
        )
}

/// Errors shown on the page; the report holds all of them.
const SHOWN_ERRORS: usize = 500;

#[derive(Template)]
#[template(path = "roster.html")]
struct RosterPage<'a> {
    ctx: &'a Ctx,
    l: Locale,
    institutions: Vec<(String, String)>,
    chosen_institution: String,
    cohorts: Vec<i64>,
    message: String,
    summary: Option<(usize, usize, usize, String)>,
    errors: Vec<RowError>,
    error_count: usize,
    rows: usize,
    report_token: String,
    /// The destinations batch page rather than the roster page.
    batch: bool,
    recorded: Option<usize>,
}

impl RosterPage<'_> {
    fn problem(&self, e: &RowError) -> String {
        e.problem.message(self.l)
    }
}

fn uploader(ctx: &Ctx) -> Result<Scope, AppError> {
    let actor = ctx.require(&[Role::ProvinceAdmin, Role::UniversityStaff])?;
    match actor.scope() {
        s @ (Scope::Province | Scope::Institution { college_id: None, .. }) => Ok(s),
        _ => Err(AppError::Forbidden),
    }
}

async fn page<'a>(state: &AppState, ctx: &'a Ctx, scope: &Scope) -> Result<RosterPage<'a>, AppError> {
    let institutions = match scope.institution() {
        Some(id) => state.db.fetch_all("SELECT code, name FROM institutions WHERE id = $1", &[id.into()]).await?,
        None => state.db.fetch_all("SELECT code, name FROM institutions ORDER BY code", &[]).await?,
    };
    let institutions =
        institutions.iter().map(|r| Ok((r.text("code")?, r.text("name")?))).collect::<kernel::DbResult<_>>()?;
    let cohorts = state.db.fetch_all("SELECT year FROM cohorts ORDER BY year DESC", &[]).await?;
    let cohorts = cohorts.iter().map(|r| r.i64("year")).collect::<kernel::DbResult<_>>()?;
    Ok(RosterPage {
        ctx,
        l: ctx.locale,
        institutions,
        chosen_institution: String::new(),
        cohorts,
        message: String::new(),
        summary: None,
        errors: Vec::new(),
        error_count: 0,
        rows: 0,
        report_token: String::new(),
        batch: false,
        recorded: None,
    })
}

async fn form(State(state): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    let scope = uploader(&ctx)?;
    let p = page(&state, &ctx, &scope).await?;
    ctx.page(ctx.t("生源信息导入", "Roster import"), &p)
}

/// An accepted upload: the institution and cohort it is for, and the file.
struct Target {
    institution_id: i64,
    cohort: i64,
    upload: Upload,
}

/// Reads the form and answers with the page itself when something is missing.
async fn accept<'a>(
    state: &AppState,
    ctx: &'a Ctx,
    scope: &Scope,
    p: &mut RosterPage<'a>,
    multipart: Multipart,
    title: &str,
) -> Result<Result<Target, Response>, AppError> {
    let mut upload = match Upload::read(multipart).await {
        Some(u) => u,
        None => {
            p.message = ctx
                .t(
                    "上传失败：文件超过 20 MB 或传输中断。请拆分文件后重试。",
                    "Upload failed: the file is over 20 MB or the transfer broke. Split the file and try again.",
                )
                .to_owned();
            let mut response = ctx.page(title, &*p)?;
            *response.status_mut() = axum::http::StatusCode::PAYLOAD_TOO_LARGE;
            return Ok(Err(response));
        }
    };
    if !upload.csrf_matches(&ctx.csrf) {
        return Err(AppError::Csrf);
    }
    if upload.file_name.is_empty() {
        upload.file_name = "roster".to_owned();
    }
    p.chosen_institution = upload.field("institution").to_owned();
    let institution_id = match scope.institution() {
        Some(own) => Some(own),
        None => state
            .db
            .fetch_optional("SELECT id FROM institutions WHERE code = $1", &[upload.field("institution").into()])
            .await?
            .map(|r| r.i64("id"))
            .transpose()?,
    };
    let (Some(institution_id), Ok(cohort)) = (institution_id, upload.field("cohort").parse::<i64>()) else {
        p.message = ctx.t("请选择院校和届别。", "Choose the institution and the cohort.").to_owned();
        return Ok(Err(ctx.page(title, &*p)?));
    };
    if upload.bytes.is_empty() {
        p.message = ctx
            .t("请选择要上传的文件（.xlsx、.xls 或 .csv）。", "Choose a file to upload (.xlsx, .xls or .csv).")
            .to_owned();
        return Ok(Err(ctx.page(title, &*p)?));
    }
    Ok(Ok(Target { institution_id, cohort, upload }))
}

/// Shows why a file could not be used.
fn import_failure(ctx: &Ctx, p: &mut RosterPage, e: ImportError) -> Result<(), AppError> {
    match e {
        ImportError::Read(e) => {
            p.message = match ctx.locale {
                Locale::Zh => format!("无法读取文件：{e}。请上传 .xlsx、.xls 或 .csv 文件。"),
                Locale::En => format!("The file could not be read: {e}. Upload an .xlsx, .xls or .csv file."),
            };
            Ok(())
        }
        ImportError::NoCohort | ImportError::NoInstitution => {
            p.message = ctx.t("请选择院校和届别。", "Choose the institution and the cohort.").to_owned();
            Ok(())
        }
        e => Err(AppError::Internal(anyhow::anyhow!(e.to_string()))),
    }
}

/// Lists the errors and keeps the report for download.
async fn rejected(
    state: &AppState,
    ctx: &Ctx,
    p: &mut RosterPage<'_>,
    file_name: &str,
    rows: usize,
    errors: Vec<RowError>,
    report: Vec<u8>,
) -> Result<(), AppError> {
    p.rows = rows;
    p.error_count = errors.len();
    p.errors = errors.into_iter().take(SHOWN_ERRORS).collect();
    p.report_token = store_report(state, ctx, file_name, &report).await?;
    Ok(())
}

/// Reports how far the upload's rows have come to the page polling for them
/// (`upload.js` sends the token as the `progress` field).
fn progress_of(state: &AppState, ctx: &Ctx, upload: &Upload) -> Result<impl Fn(roster::Progress), AppError> {
    let token = upload.fields.get("progress").map(String::as_str);
    let reporter = state.progress.reporter(ctx.actor()?.account_id, token);
    Ok(move |p: roster::Progress| reporter.report(p.rows as u64, p.of.map(|n| n as u64)))
}

async fn upload(State(state): State<AppState>, ctx: Ctx, multipart: Multipart) -> Result<Response, AppError> {
    let scope = uploader(&ctx)?;
    let mut p = page(&state, &ctx, &scope).await?;
    let title = ctx.t("生源信息导入", "Roster import");
    let Target { institution_id, cohort, upload } = match accept(&state, &ctx, &scope, &mut p, multipart, title).await?
    {
        Ok(target) => target,
        Err(response) => return Ok(response),
    };
    let who = ctx.audit_actor();
    let into = roster::InstitutionCohort { institution_id, cohort };
    let report = progress_of(&state, &ctx, &upload)?;
    let outcome = roster::import(&state.db, &who, into, &upload.file_name, upload.bytes, ctx.locale, report);
    match outcome.await {
        Ok(Outcome::Imported { new, updated, unchanged, ignored_columns }) => {
            state.cache.clear();
            p.summary = Some((new, updated, unchanged, ignored_columns.join("、")));
        }
        Ok(Outcome::Rejected { rows, errors, report }) => {
            rejected(&state, &ctx, &mut p, &upload.file_name, rows, errors, report).await?
        }
        Err(e) => import_failure(&ctx, &mut p, e)?,
    }
    ctx.page(title, &p)
}

async fn batch_form(State(state): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    let scope = uploader(&ctx)?;
    let mut p = page(&state, &ctx, &scope).await?;
    p.batch = true;
    ctx.page(ctx.t("毕业去向批量登记", "Destinations in a batch"), &p)
}

async fn batch_upload(State(state): State<AppState>, ctx: Ctx, multipart: Multipart) -> Result<Response, AppError> {
    let scope = uploader(&ctx)?;
    let mut p = page(&state, &ctx, &scope).await?;
    p.batch = true;
    let title = ctx.t("毕业去向批量登记", "Destinations in a batch");
    let Target { institution_id, cohort, upload } = match accept(&state, &ctx, &scope, &mut p, multipart, title).await?
    {
        Ok(target) => target,
        Err(response) => return Ok(response),
    };
    let report = progress_of(&state, &ctx, &upload)?;
    let into = roster::InstitutionCohort { institution_id, cohort };
    let who = ctx.audit_actor();
    match batch::import(&state.db, &who, into, &upload.file_name, &upload.bytes, ctx.locale, report).await {
        Ok(BatchOutcome::Recorded { rows }) => {
            state.cache.clear();
            p.recorded = Some(rows);
        }
        Ok(BatchOutcome::Rejected { rows, errors, report }) => {
            rejected(&state, &ctx, &mut p, &upload.file_name, rows, errors, report).await?
        }
        Err(e) => import_failure(&ctx, &mut p, e)?,
    }
    ctx.page(title, &p)
}

async fn store_report(state: &AppState, ctx: &Ctx, file_name: &str, report: &[u8]) -> Result<String, AppError> {
    let actor = ctx.actor()?;
    let token = session::random_token();
    let mut tx = state.db.begin().await?;
    tx.execute(
        "INSERT INTO import_reports (token_hash, account_id, file_name, content_base64, created_at) VALUES ($1, $2, $3, $4, $5)",
        &[
            session::token_hash(&token).into(),
            actor.account_id.into(),
            file_name.into(),
            base64::engine::general_purpose::STANDARD.encode(report).into(),
            time::now_utc().into(),
        ],
    )
    .await?;
    tx.commit().await?;
    Ok(token)
}

async fn download(State(state): State<AppState>, ctx: Ctx, Path(token): Path<String>) -> Result<Response, AppError> {
    let actor = ctx.actor()?;
    let row = state
        .db
        .fetch_optional(
            "SELECT account_id, file_name, content_base64 FROM import_reports WHERE token_hash = $1",
            &[session::token_hash(&token).into()],
        )
        .await?
        .ok_or(AppError::NotFound)?;
    if row.i64("account_id")? != actor.account_id {
        return Err(AppError::Forbidden);
    }
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(row.text("content_base64")?)
        .map_err(|e| AppError::Internal(anyhow::anyhow!(e)))?;
    let stem = row.text("file_name")?;
    let stem = stem.rsplit_once('.').map(|(s, _)| s.to_owned()).unwrap_or(stem);
    let name = format!("{stem}-错误报告.xlsx");
    let disposition =
        format!("attachment; filename=\"report.xlsx\"; filename*=UTF-8''{}", kernel::web::form::url_encode(&name));
    Ok((
        [
            (header::CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response())
}
