//! 实地调研 / 专项座谈会 pages (/verification/visits): the province records a
//! visit or meeting with an institution, optionally about a finding, with
//! documents; the institution's staff read their own.

use askama::Template;
use axum::extract::{DefaultBodyLimit, Multipart, Path, Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;

use kernel::auth::{Role, Scope};
use kernel::web::{redirect_with_flash, AppError, AppState, Ctx, Upload};
use kernel::{time, Locale};

use crate::field_visits::{self, Document, Filter, Form, Visit, KINDS};

/// The largest document a visit may carry.
const DOCUMENT_LIMIT: usize = 10 * 1024 * 1024;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/verification/visits",
            get(list_page).post(create).layer(DefaultBodyLimit::max(DOCUMENT_LIMIT + 64 * 1024)),
        )
        .route("/verification/visits/{id}", get(visit_page))
        .route(
            "/verification/visits/{id}/documents",
            post(add_document).layer(DefaultBodyLimit::max(DOCUMENT_LIMIT + 64 * 1024)),
        )
        .route("/verification/visit-documents/{id}", get(document))
}

fn reader(ctx: &Ctx) -> Result<Scope, AppError> {
    ctx.require(&[Role::ProvinceAdmin, Role::UniversityStaff])?;
    match ctx.scope() {
        s @ (Scope::Province | Scope::Institution { .. }) => Ok(s),
        _ => Err(AppError::Forbidden),
    }
}

/// The visit, when the scope may read it; 404 otherwise.
async fn visible(state: &AppState, ctx: &Ctx, id: i64) -> Result<Visit, AppError> {
    let scope = reader(ctx)?;
    let visit = field_visits::get(&state.db, id, ctx.locale).await?.ok_or(AppError::NotFound)?;
    match scope {
        Scope::Province => Ok(visit),
        Scope::Institution { institution_id, .. } if institution_id == visit.institution_id => Ok(visit),
        _ => Err(AppError::NotFound),
    }
}

async fn kinds(state: &AppState, l: Locale) -> Result<Vec<(String, String)>, AppError> {
    Ok(kernel::codes::list(&state.db, KINDS, kernel::codes::BASE_VERSION)
        .await?
        .into_iter()
        .map(|c| (c.code.clone(), c.label(l).to_owned()))
        .collect())
}

#[derive(Template)]
#[template(path = "field_visits.html")]
struct ListPage<'a> {
    ctx: &'a Ctx,
    l: Locale,
    province: bool,
    visits: Vec<Visit>,
    kinds: Vec<(String, String)>,
    institutions: Vec<(i64, String)>,
    /// The filters chosen.
    institution: Option<i64>,
    kind: String,
    form: Form,
    problems: Vec<String>,
}

impl ListPage<'_> {
    fn filtered_by(&self, id: &i64) -> bool {
        self.institution == Some(*id)
    }
    fn form_institution(&self, id: &i64) -> bool {
        self.form.institution.trim() == id.to_string()
    }
}

#[derive(Debug, Default, Deserialize)]
struct ListQuery {
    #[serde(default)]
    institution: String,
    #[serde(default)]
    kind: String,
    /// A finding the new visit is about: its institution chosen in the form.
    #[serde(default)]
    finding: String,
}

async fn render(
    state: &AppState,
    ctx: &Ctx,
    q: &ListQuery,
    form: Form,
    problems: Vec<String>,
) -> Result<Response, AppError> {
    let scope = reader(ctx)?;
    let l = ctx.locale;
    let filter = Filter {
        institution: q.institution.trim().parse().ok(),
        kind: Some(q.kind.trim().to_owned()).filter(|k| !k.is_empty()),
        finding: None,
    };
    let visits = field_visits::list(&state.db, &scope, &filter, l).await?;
    let province = scope == Scope::Province;
    let institutions = match province {
        true => registry::institutions::names(&state.db, &scope).await?,
        false => Vec::new(),
    };
    let page = ListPage {
        ctx,
        l,
        province,
        visits,
        kinds: kinds(state, l).await?,
        institutions,
        institution: filter.institution,
        kind: filter.kind.unwrap_or_default(),
        form,
        problems,
    };
    ctx.page(ctx.t("实地调研与专项座谈会", "Field visits and special meetings"), &page)
}

async fn list_page(State(state): State<AppState>, ctx: Ctx, Query(q): Query<ListQuery>) -> Result<Response, AppError> {
    let mut form = Form { visited_on: time::today_china().to_string(), ..Form::default() };
    if let Ok(finding) = q.finding.trim().parse::<i64>() {
        if let Some(f) = crate::findings::get(&state.db, finding).await? {
            form.institution = f.institution_id.to_string();
            form.finding = f.id.to_string();
        }
    }
    render(&state, &ctx, &q, form, Vec::new()).await
}

/// Reads the multipart form; the message to show when the upload broke off.
async fn read_upload(ctx: &Ctx, multipart: Multipart) -> Result<Result<Upload, String>, AppError> {
    let Some(upload) = Upload::read(multipart).await else {
        let message = ctx
            .t("上传失败：文件超过 10 MB 或传输中断。", "Upload failed: the file is over 10 MB or the transfer broke.");
        return Ok(Err(message.to_owned()));
    };
    if !upload.csrf_matches(&ctx.csrf) {
        return Err(AppError::Csrf);
    }
    Ok(Ok(upload))
}

/// The uploaded document, if one came: kept in the file store, or why it was refused.
fn accept(
    state: &AppState,
    ctx: &Ctx,
    upload: &Upload,
) -> Result<Result<Option<kernel::files::Accepted>, String>, AppError> {
    if upload.bytes.is_empty() {
        return Ok(Ok(None));
    }
    let fallback = ctx.t("调研材料", "visit-document");
    let accepted = kernel::files::accept_document(
        &state.config.files(),
        &upload.file_name,
        &upload.bytes,
        DOCUMENT_LIMIT,
        fallback,
        ctx.locale,
    )
    .map_err(|e| AppError::Internal(e.into()))?;
    Ok(accepted.map(Some))
}

async fn create(State(state): State<AppState>, ctx: Ctx, multipart: Multipart) -> Result<Response, AppError> {
    ctx.require(&[Role::ProvinceAdmin])?;
    let l = ctx.locale;
    let q = ListQuery::default();
    let upload = match read_upload(&ctx, multipart).await? {
        Ok(u) => u,
        Err(message) => return render(&state, &ctx, &q, Form::default(), vec![message]).await,
    };
    let form = Form {
        kind: upload.field("kind").to_owned(),
        institution: upload.field("institution").to_owned(),
        finding: upload.field("finding").to_owned(),
        visited_on: upload.field("visited_on").to_owned(),
        people: upload.field("people").to_owned(),
        findings: upload.field("findings").to_owned(),
    };
    let known: Vec<String> = kinds(&state, l).await?.into_iter().map(|(code, _)| code).collect();
    let checked = match field_visits::check(&form, &known, time::today_china(), l) {
        Ok(v) => v,
        Err(problems) => return render(&state, &ctx, &q, form, problems).await,
    };
    let institution_known = state
        .db
        .fetch_optional("SELECT id FROM institutions WHERE id = $1", &[checked.institution_id.into()])
        .await?
        .is_some();
    if !institution_known {
        let problem = l.pick("请选择高校。", "Choose the institution.").to_owned();
        return render(&state, &ctx, &q, form, vec![problem]).await;
    }
    if let Some(finding) = checked.finding_id {
        let same =
            crate::findings::get(&state.db, finding).await?.is_some_and(|f| f.institution_id == checked.institution_id);
        if !same {
            let problem = l.pick("没有这所高校的这条核查线索。", "The institution has no such finding.").to_owned();
            return render(&state, &ctx, &q, form, vec![problem]).await;
        }
    }
    let document = match accept(&state, &ctx, &upload)? {
        Ok(d) => d,
        Err(message) => return render(&state, &ctx, &q, form, vec![message]).await,
    };
    let who = ctx.audit_actor();
    let mut tx = state.db.begin().await?;
    let id = field_visits::add(&mut tx, &who, &checked).await?;
    if let Some(a) = &document {
        let about = (id, checked.institution_id);
        field_visits::add_document(&mut tx, &who, about, &a.shown_name, &a.stored).await?;
    }
    tx.commit().await?;
    Ok(redirect_with_flash(&format!("/verification/visits/{id}"), ctx.t("调研记录已保存。", "Visit recorded.")))
}

#[derive(Template)]
#[template(path = "field_visit.html")]
struct VisitPage<'a> {
    ctx: &'a Ctx,
    l: Locale,
    v: Visit,
    documents: Vec<Document>,
    province: bool,
    error: String,
}

async fn show(state: &AppState, ctx: &Ctx, v: Visit, error: String) -> Result<Response, AppError> {
    let documents = field_visits::documents(&state.db, v.id).await?;
    let province = ctx.actor()?.role == Role::ProvinceAdmin;
    let title = format!("{}：{} {}", v.kind, v.institution, v.visited_on);
    let page = VisitPage { ctx, l: ctx.locale, v, documents, province, error };
    ctx.page(&title, &page)
}

async fn visit_page(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, AppError> {
    let v = visible(&state, &ctx, id).await?;
    show(&state, &ctx, v, String::new()).await
}

async fn add_document(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    multipart: Multipart,
) -> Result<Response, AppError> {
    ctx.require(&[Role::ProvinceAdmin])?;
    let v = visible(&state, &ctx, id).await?;
    let upload = match read_upload(&ctx, multipart).await? {
        Ok(u) => u,
        Err(message) => return show(&state, &ctx, v, message).await,
    };
    let document = match accept(&state, &ctx, &upload)? {
        Ok(Some(d)) => d,
        Ok(None) => {
            let message = ctx.t("请选择文件（PDF、JPG 或 PNG）。", "Choose a file (PDF, JPG or PNG).");
            return show(&state, &ctx, v, message.to_owned()).await;
        }
        Err(message) => return show(&state, &ctx, v, message).await,
    };
    let mut tx = state.db.begin().await?;
    let about = (v.id, v.institution_id);
    field_visits::add_document(&mut tx, &ctx.audit_actor(), about, &document.shown_name, &document.stored).await?;
    tx.commit().await?;
    Ok(redirect_with_flash(&format!("/verification/visits/{id}#documents"), ctx.t("材料已上传。", "Document added.")))
}

async fn document(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, AppError> {
    let (visit, sha, content_type) = field_visits::document(&state.db, id).await?.ok_or(AppError::NotFound)?;
    visible(&state, &ctx, visit).await?;
    let stem = ctx.t("调研材料", "visit-document");
    kernel::web::export::stored_document(&state.config.files(), &sha, stem, id, &content_type)
}
