//! The roster import page: upload, then the result (a summary, or every error
//! with a downloadable report). The destinations batch shares the page's
//! form and result (`UploadPage`), since both fill one institution's cohort.

use askama::Template;
use axum::extract::{DefaultBodyLimit, Multipart, Query, State};
use axum::response::Response;
use axum::routing::get;
use axum::Router;

use kernel::auth::{Role, Scope};
use kernel::sheet::{self, Errors, Explain, Input, RowError};
use kernel::web::{AppError, AppState, Ctx, Upload};
use kernel::Locale;

use crate::roster::{self, ImportError, Outcome};

pub fn routes() -> Router<crate::OutcomesState> {
    Router::new()
        .route("/outcomes/roster", get(form).post(upload).layer(DefaultBodyLimit::max(roster::MAX_UPLOAD + 64 * 1024)))
        .route("/outcomes/roster/template", get(template))
}

/// Errors shown on the page; the report holds all of them.
const SHOWN_ERRORS: usize = 500;

/// An upload into one institution's cohort: the form, and the result.
#[derive(Template)]
#[template(path = "roster.html")]
pub(crate) struct UploadPage<'a> {
    ctx: &'a Ctx,
    l: Locale,
    institutions: Vec<(String, String)>,
    chosen_institution: String,
    cohorts: Vec<i64>,
    pub message: String,
    summary: Option<(usize, usize, usize, String)>,
    errors: Vec<RowError<String>>,
    error_count: usize,
    /// Errors the report lists (all of them, unless there were too many).
    listed: usize,
    rows: usize,
    report_url: String,
    /// The destinations batch page rather than the roster page.
    pub batch: bool,
    pub recorded: Option<usize>,
}

impl UploadPage<'_> {
    fn problem(&self, e: &RowError<String>) -> String {
        e.reason(self.l)
    }
}

/// Who may upload into a cohort: the province, or staff of a whole institution.
pub(crate) fn uploader(ctx: &Ctx) -> Result<Scope, AppError> {
    let actor = ctx.require(&[Role::ProvinceAdmin, Role::UniversityStaff])?;
    match actor.scope() {
        s @ (Scope::Province | Scope::Institution { college_id: None, .. }) => Ok(s),
        _ => Err(AppError::Forbidden),
    }
}

pub(crate) async fn page<'a>(state: &AppState, ctx: &'a Ctx, scope: &Scope) -> Result<UploadPage<'a>, AppError> {
    let institutions = match scope.institution() {
        Some(id) => state.db.fetch_all("SELECT code, name FROM institutions WHERE id = $1", &[id.into()]).await?,
        None => state.db.fetch_all("SELECT code, name FROM institutions ORDER BY code", &[]).await?,
    };
    let institutions =
        institutions.iter().map(|r| Ok((r.text("code")?, r.text("name")?))).collect::<kernel::DbResult<_>>()?;
    let cohorts = registry::cohorts::all(&state.db).await?.into_iter().map(|c| c.year).collect();
    Ok(UploadPage {
        ctx,
        l: ctx.locale,
        institutions,
        chosen_institution: String::new(),
        cohorts,
        message: String::new(),
        summary: None,
        errors: Vec::new(),
        error_count: 0,
        listed: 0,
        rows: 0,
        report_url: String::new(),
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
pub(crate) struct Target {
    pub institution_id: i64,
    pub cohort: i64,
    pub upload: Upload,
}

/// Reads the form and answers with the page itself when something is missing.
pub(crate) async fn accept<'a>(
    state: &AppState,
    ctx: &'a Ctx,
    scope: &Scope,
    p: &mut UploadPage<'a>,
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
pub(crate) fn import_failure(ctx: &Ctx, p: &mut UploadPage, e: ImportError) -> Result<(), AppError> {
    match e {
        ImportError::Read(e) => {
            p.message = e.message(ctx.locale);
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
pub(crate) async fn rejected<P: Explain>(
    state: &AppState,
    ctx: &Ctx,
    p: &mut UploadPage<'_>,
    file_name: &str,
    rows: usize,
    errors: Errors<P>,
    report: Vec<u8>,
) -> Result<(), AppError> {
    p.rows = rows;
    p.error_count = errors.total;
    p.listed = errors.listed.len();
    p.errors = errors.listed.into_iter().take(SHOWN_ERRORS).map(|e| e.told(ctx.locale)).collect();
    let days = state.config.import_reports_days;
    let token = sheet::reports::keep(&state.db, ctx.actor()?, file_name, &report, days).await?;
    p.report_url = sheet::reports::url(&token);
    Ok(())
}

/// Reports how far the upload's rows have come to the page polling for them
/// (`upload.js` sends the token as the `progress` field).
pub(crate) fn progress_of(state: &AppState, ctx: &Ctx, upload: &Upload) -> Result<impl Fn(sheet::Progress), AppError> {
    let token = upload.fields.get("progress").map(String::as_str);
    let reporter = state.progress.reporter(ctx.actor()?.account_id, token);
    Ok(move |p: sheet::Progress| reporter.report(p.rows as u64, p.of.map(|n| n as u64)))
}

/// Which template: the institution (province only; else the first) and the cohort (else the latest).
#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct TemplateQuery {
    #[serde(default)]
    institution: String,
    #[serde(default)]
    pub cohort: String,
}

/// `GET /outcomes/roster/template`: the roster template, its example a graduate of the institution.
async fn template(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<TemplateQuery>,
) -> Result<Response, AppError> {
    let scope = uploader(&ctx)?;
    let institution_id = roster::template_institution(&state.db, &scope, &q.institution).await?;
    let cohort = registry::cohorts::year_or_latest(&state, &q.cohort).await?;
    let bytes = roster::template::template(&state.db, institution_id, cohort, ctx.locale).await?;
    let name = ctx.t("生源信息导入模板.xlsx", "roster-template.xlsx");
    Ok(kernel::web::export::attachment(kernel::web::export::XLSX, name, bytes))
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
    let limits = state.config.sheet_limits();
    let outcome = roster::import(
        &state.db,
        &who,
        into,
        Input::File { name: upload.file_name.clone(), bytes: upload.bytes },
        ctx.locale,
        limits,
        report,
    );
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
