//! 外部名单比对 pages: the province (and a university, for its own graduates)
//! uploads a list; refused rows come back with the roster's error report; a
//! list's mismatches by institution and kind, as a page and as .xlsx.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{DefaultBodyLimit, Multipart, Path, Query, State};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use serde::Deserialize;

use kernel::auth::{Role, Scope};
use kernel::sheet::{self, Errors, Problem, RowError};
use kernel::web::{redirect_with_flash, AppError, AppState, Ctx, Upload};
use kernel::Locale;

use crate::outside_list_store::{self as store, Filter, ImportError, List, NewList, Outcome, Shown};

use crate::outside_lists::{phrase_in, Kind};

/// Errors shown on the page; the report holds all of them.
const SHOWN_ERRORS: usize = 500;
/// Mismatches a page lists; the download has them all.
const LISTED: i64 = 1000;
/// Mismatches a download holds at most.
const DOWNLOADED: i64 = 1_000_000;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/verification/lists",
            get(lists_page).post(upload).layer(DefaultBodyLimit::max(store::MAX_UPLOAD + 64 * 1024)),
        )
        .route("/verification/lists/{id}", get(list_page))
}

/// Who reads lists: the province, a university's staff (its own graduates).
fn reader(ctx: &Ctx) -> Result<Scope, AppError> {
    ctx.require(&[Role::ProvinceAdmin, Role::UniversityStaff])?;
    match ctx.scope() {
        s @ (Scope::Province | Scope::Institution { .. }) => Ok(s),
        _ => Err(AppError::Forbidden),
    }
}

/// Who uploads: the province, or staff of a whole institution (not a college's office).
fn uploader(ctx: &Ctx) -> Result<Scope, AppError> {
    match reader(ctx)? {
        s @ (Scope::Province | Scope::Institution { college_id: None, .. }) => Ok(s),
        _ => Err(AppError::Forbidden),
    }
}

#[derive(Template)]
#[template(path = "outside_lists.html")]
struct ListsPage<'a> {
    ctx: &'a Ctx,
    l: Locale,
    lists: Vec<List>,
    kinds: Vec<(String, String)>,
    cohorts: Vec<i64>,
    may_upload: bool,
    /// The form as sent: kind, cohort, name.
    kind: String,
    cohort: String,
    name: String,
    message: String,
    errors: Vec<RowError<String>>,
    error_count: usize,
    listed: usize,
    rows: usize,
    report_url: String,
}

impl ListsPage<'_> {
    fn problem(&self, e: &RowError<String>) -> String {
        e.reason(self.l)
    }
}

async fn page<'a>(state: &AppState, ctx: &'a Ctx, scope: &Scope) -> Result<ListsPage<'a>, AppError> {
    let l = ctx.locale;
    let cohorts: Vec<i64> = registry::cohorts::all(&state.db).await?.into_iter().map(|c| c.year).collect();
    Ok(ListsPage {
        ctx,
        l,
        lists: store::lists(&state.db, scope, l).await?,
        kinds: store::kinds(&state.db, l).await?,
        cohort: registry::cohorts::latest_year(state).await?.to_string(),
        cohorts,
        may_upload: matches!(scope, Scope::Province | Scope::Institution { college_id: None, .. }),
        kind: String::new(),
        name: String::new(),
        message: String::new(),
        errors: Vec::new(),
        error_count: 0,
        listed: 0,
        rows: 0,
        report_url: String::new(),
    })
}

fn title(ctx: &Ctx) -> &'static str {
    ctx.t("外部名单比对", "Outside lists")
}

async fn lists_page(State(state): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    let scope = reader(&ctx)?;
    let p = page(&state, &ctx, &scope).await?;
    ctx.page(title(&ctx), &p)
}

/// Lists the errors and keeps the report for download, as the roster import does.
async fn rejected(
    state: &AppState,
    ctx: &Ctx,
    p: &mut ListsPage<'_>,
    file_name: &str,
    rows: usize,
    errors: Errors<Problem>,
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

async fn upload(State(state): State<AppState>, ctx: Ctx, multipart: Multipart) -> Result<Response, AppError> {
    let scope = uploader(&ctx)?;
    let l = ctx.locale;
    let mut p = page(&state, &ctx, &scope).await?;
    let Some(mut upload) = Upload::read(multipart).await else {
        p.message = l
            .pick(
                "上传失败：文件超过 20 MB 或传输中断。请拆分文件后重试。",
                "Upload failed: the file is over 20 MB or the transfer broke. Split the file and try again.",
            )
            .to_owned();
        return ctx.page(title(&ctx), &p);
    };
    if !upload.csrf_matches(&ctx.csrf) {
        return Err(AppError::Csrf);
    }
    p.kind = upload.field("kind").trim().to_owned();
    p.cohort = upload.field("cohort").trim().to_owned();
    p.name = upload.field("name").trim().to_owned();
    let cohort = p.cohort.parse::<i64>().ok().filter(|c| p.cohorts.contains(c));
    let kind_known = p.kinds.iter().any(|(code, _)| *code == p.kind);
    let (Some(cohort), true, 1..=60) = (cohort, kind_known, p.name.chars().count()) else {
        p.message = l
            .pick(
                "请选择名单类型和届别，并填写名单名称（不超过 60 字）。",
                "Choose the kind and the cohort, and name the list (at most 60 characters).",
            )
            .to_owned();
        return ctx.page(title(&ctx), &p);
    };
    if upload.bytes.is_empty() {
        p.message = l
            .pick("请选择要上传的文件（.xlsx、.xls 或 .csv）。", "Choose a file to upload (.xlsx, .xls or .csv).")
            .to_owned();
        return ctx.page(title(&ctx), &p);
    }
    if upload.file_name.is_empty() {
        upload.file_name = "list.xlsx".to_owned();
    }
    let list = NewList { kind_code: p.kind.clone(), cohort, name: p.name.clone(), institution_id: scope.institution() };
    let file_name = upload.file_name.clone();
    let bytes = std::mem::take(&mut upload.bytes);
    let limits = state.config.sheet_limits();
    let outcome = store::import(&state.db, &ctx.audit_actor(), &scope, list, &file_name, bytes, limits, l).await;
    match outcome {
        Ok(Outcome::Imported { id, rows, mismatches }) => {
            let message = match l {
                Locale::Zh => format!("名单已导入：{rows} 行全部匹配，发现 {mismatches} 处不一致。"),
                Locale::En => format!("List imported: all {rows} rows matched; {mismatches} mismatches found."),
            };
            Ok(redirect_with_flash(&format!("/verification/lists/{id}"), &message))
        }
        Ok(Outcome::Rejected { rows, errors, report }) => {
            rejected(&state, &ctx, &mut p, &file_name, rows, errors, report).await?;
            ctx.page(title(&ctx), &p)
        }
        Err(ImportError::Read(e)) => {
            p.message = e.message(l);
            ctx.page(title(&ctx), &p)
        }
        Err(ImportError::NoCohort) => {
            p.message = l.pick("请选择届别。", "Choose the cohort.").to_owned();
            ctx.page(title(&ctx), &p)
        }
        Err(ImportError::Db(e)) => Err(e.into()),
        Err(e) => Err(AppError::Internal(anyhow::anyhow!(e.to_string()))),
    }
}

#[derive(Debug, Default, Deserialize)]
struct ListQuery {
    #[serde(default)]
    institution: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    format: String,
}

#[derive(Template)]
#[template(path = "outside_list.html")]
struct ListPage {
    l: Locale,
    list: List,
    province: bool,
    shown: Vec<Shown>,
    /// (institution id, name, mismatches) under the kind filter.
    counts: Vec<(i64, String, i64)>,
    total: i64,
    institution: Option<i64>,
    kind: Option<Kind>,
    kinds: Vec<(&'static str, &'static str)>,
    /// Destination categories' Chinese names in the reader's language.
    names: HashMap<String, String>,
}

impl ListPage {
    /// Fewer listed than found.
    fn cut(&self) -> bool {
        (self.shown.len() as i64) < self.total
    }
    fn masked(&self, id_number: &str) -> String {
        kernel::mask::id_number(id_number)
    }
    fn chosen_institution(&self, id: &i64) -> bool {
        self.institution == Some(*id)
    }
    fn chosen_kind(&self, key: &str) -> bool {
        self.kind.is_some_and(|k| k.key() == key)
    }
    fn said(&self, text: &str) -> String {
        said(text, &self.names, self.l)
    }
    fn kind_label(&self, k: &Kind) -> &'static str {
        k.label(self.l)
    }
    /// The same filters as a download.
    fn download_url(&self) -> String {
        let mut url = format!("/verification/lists/{}?format=xlsx", self.list.id);
        if let Some(i) = self.institution {
            url.push_str(&format!("&institution={i}"));
        }
        if let Some(k) = self.kind {
            url.push_str(&format!("&kind={}", k.key()));
        }
        url
    }
}

/// What a mismatch says, kept in Chinese, in the reader's language.
fn said(text: &str, names: &HashMap<String, String>, l: Locale) -> String {
    match (l, phrase_in(text, l)) {
        (Locale::Zh, _) => text.to_owned(),
        (_, Some(phrase)) => phrase.to_owned(),
        _ => names.get(text).cloned().unwrap_or_else(|| text.to_owned()),
    }
}

/// The cohort's destination categories: Chinese name → name in the reader's language.
async fn category_names(state: &AppState, cohort: i64, l: Locale) -> Result<HashMap<String, String>, AppError> {
    let Some(scope) = crate::scan::Scope::of_cohort(&state.db, cohort, None).await? else { return Ok(HashMap::new()) };
    let codes = kernel::codes::list(&state.db, "destination", &scope.code_version).await?;
    Ok(codes.iter().map(|c| (c.name.clone(), c.label(l).to_owned())).collect())
}

async fn list_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    let scope = reader(&ctx)?;
    let l = ctx.locale;
    let list = store::get(&state.db, id, l).await?.ok_or(AppError::NotFound)?;
    if !store::may_read(&scope, &list) {
        return Err(AppError::NotFound);
    }
    let filter = Filter { institution: q.institution.trim().parse().ok(), kind: Kind::parse(q.kind.trim()) };
    let names = category_names(&state, list.cohort, l).await?;
    if q.format == "xlsx" {
        let shown = store::mismatches(&state.db, &scope, id, &filter, DOWNLOADED).await?;
        let mut rows = vec![[
            l.pick("行号", "Row"),
            l.pick("高校", "Institution"),
            l.pick("学号", "Student no."),
            l.pick("姓名", "Name"),
            l.pick("身份证号", "ID number"),
            l.pick("不一致", "Mismatch"),
            l.pick("名单", "List says"),
            l.pick("记录", "Record says"),
        ]
        .map(str::to_owned)
        .to_vec()];
        rows.extend(shown.iter().map(|m| {
            vec![
                m.line.to_string(),
                m.institution.clone(),
                m.student_no.clone(),
                m.name.clone(),
                kernel::mask::id_number(&m.id_number),
                m.kind.label(l).to_owned(),
                said(&m.listed, &names, l),
                said(&m.recorded, &names, l),
            ]
        }));
        let stem = format!("{}-{}", l.pick("外部名单不一致", "outside-list-mismatches"), id);
        return kernel::web::export::download(&rows, "xlsx", &stem, l.pick("不一致", "Mismatches"), None);
    }
    let shown = store::mismatches(&state.db, &scope, id, &filter, LISTED).await?;
    let counts = store::counts(&state.db, &scope, id, &filter).await?;
    let total = counts.iter().filter(|(i, _, _)| filter.institution.is_none_or(|f| f == *i)).map(|(_, _, n)| n).sum();
    let kinds = Kind::ALL.iter().map(|k| (k.key(), k.label(l))).collect();
    let province = scope == Scope::Province;
    let title = format!("{}：{}", title(&ctx), list.name);
    let page = ListPage {
        l,
        list,
        province,
        shown,
        counts,
        total,
        institution: filter.institution,
        kind: filter.kind,
        kinds,
        names,
    };
    ctx.page(&title, &page)
}
