//! A finding's own page (核查线索): its figures and the graduates it names, each
//! a link to correct the record through the destinations area's form (the
//! change then flagged 核查更正); the institution's answers with their
//! documents, and the answer form for the institution's staff.

use askama::Template;
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;

use kernel::auth::Role;
use kernel::web::{redirect_with_flash, AppError, AppState, Ctx, Upload};
use kernel::Locale;

use crate::answers::{self, Answer, Concerned};
use crate::findings::{self, Finding, Status};

/// The largest document an answer may carry.
const DOCUMENT_LIMIT: usize = 10 * 1024 * 1024;
/// How many of a finding's graduates its page lists.
const LISTED: usize = 200;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/verification/findings/{id}", get(finding_page))
        .route(
            "/verification/findings/{id}/answers",
            post(answer).layer(DefaultBodyLimit::max(DOCUMENT_LIMIT + 64 * 1024)),
        )
        .route("/verification/answers/{id}/document", get(document))
}

/// The finding, when the actor may see it: the province any, a university's staff its own; 404 otherwise.
async fn visible(state: &AppState, ctx: &Ctx, id: i64) -> Result<Finding, AppError> {
    let actor = ctx.require(&[Role::ProvinceAdmin, Role::UniversityStaff])?;
    let finding = findings::get(&state.db, id).await?.ok_or(AppError::NotFound)?;
    match actor.role {
        Role::ProvinceAdmin => Ok(finding),
        _ if actor.institution_id == Some(finding.institution_id) => Ok(finding),
        _ => Err(AppError::NotFound),
    }
}

#[derive(Template)]
#[template(path = "finding.html")]
struct FindingPage<'a> {
    ctx: &'a Ctx,
    l: Locale,
    f: Finding,
    /// How many graduates it names in all; `concerned` lists the first `LISTED`.
    named: usize,
    concerned: Vec<Concerned>,
    answers: Vec<Answer>,
    /// The field visits and meetings held about it.
    visits: Vec<crate::field_visits::Visit>,
    province: bool,
    /// The institution's own staff, who answer.
    answering: bool,
    /// A refused answer, kept with the reason it was refused.
    draft: String,
    error: String,
}

impl FindingPage<'_> {
    fn is_open(&self) -> bool {
        // A finding taken into a campaign is still answered by its institution.
        self.f.status != Status::Dismissed
    }
    fn figures(&self) -> Vec<(String, String)> {
        self.f.figures.iter().map(|(k, v)| (k.clone(), format!("{}", (v * 10_000.0).round() / 10_000.0))).collect()
    }
    /// The destinations form, opened to correct this graduate's record with the reason written.
    fn correct_url(&self, graduate: &i64) -> String {
        let why = format!("{}#{} {}", self.l.t("核查线索", "Finding "), self.f.id, self.f.kind.label(self.l));
        format!("/outcomes/graduates/{graduate}?correction={}#destination-form", kernel::web::url::url_encode(&why))
    }
    fn confirmation(&self, state: &str) -> &'static str {
        outcomes::destinations::pages::confirmation_label(state, self.l)
    }
}

async fn render(state: &AppState, ctx: &Ctx, f: Finding, draft: &str, error: String) -> Result<Response, AppError> {
    let actor = ctx.require(&[Role::ProvinceAdmin, Role::UniversityStaff])?;
    let named = f.graduates;
    let concerned = answers::concerned(&state.db, &f, LISTED, ctx.locale).await?;
    let answers = answers::of_finding(&state.db, f.id).await?;
    let about = crate::field_visits::Filter { finding: Some(f.id), ..Default::default() };
    let visits = crate::field_visits::list(&state.db, &ctx.scope(), &about, ctx.locale).await?;
    let province = actor.role == Role::ProvinceAdmin;
    let answering = actor.role == Role::UniversityStaff;
    let title = format!("{}：{}", f.institution, f.kind.label(ctx.locale));
    let draft = draft.to_owned();
    let page =
        FindingPage { ctx, l: ctx.locale, f, named, concerned, answers, visits, province, answering, draft, error };
    ctx.page(&title, &page)
}

async fn finding_page(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, AppError> {
    let f = visible(&state, &ctx, id).await?;
    render(&state, &ctx, f, "", String::new()).await
}

/// The institution's staff answer with an explanation and, optionally, a document.
async fn answer(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    multipart: Multipart,
) -> Result<Response, AppError> {
    ctx.require(&[Role::UniversityStaff])?;
    let f = visible(&state, &ctx, id).await?;
    let l = ctx.locale;
    let Some(upload) = Upload::read(multipart).await else {
        let error = l.pick(
            "上传失败：文件超过 10 MB 或传输中断。",
            "Upload failed: the file is over 10 MB or the transfer broke.",
        );
        return render(&state, &ctx, f, "", error.into()).await;
    };
    if !upload.csrf_matches(&ctx.csrf) {
        return Err(AppError::Csrf);
    }
    let explanation = match answers::check_explanation(upload.field("explanation"), l) {
        Ok(text) => text,
        Err(message) => return render(&state, &ctx, f, upload.field("explanation"), message.into()).await,
    };
    let document = match upload.bytes.is_empty() {
        true => None,
        false => {
            let fallback = l.pick("情况说明材料", "explanation");
            let accepted = kernel::files::accept_document(
                &state.config.files(),
                &upload.file_name,
                &upload.bytes,
                DOCUMENT_LIMIT,
                fallback,
                l,
            )
            .map_err(|e| AppError::Internal(e.into()))?;
            match accepted {
                Ok(a) => Some(a),
                Err(message) => return render(&state, &ctx, f, &explanation, message).await,
            }
        }
    };
    let mut tx = state.db.begin().await?;
    let held = document.as_ref().map(|a| (a.shown_name.as_str(), &a.stored));
    answers::add(&mut tx, &ctx.audit_actor(), &f, &explanation, held).await?;
    tx.commit().await?;
    Ok(redirect_with_flash(
        &format!("/verification/findings/{id}#answers"),
        ctx.t("情况说明已提交，省厅可见。", "Explanation sent; the province can read it."),
    ))
}

/// An answer's document, for the province and the institution's staff.
async fn document(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, AppError> {
    let (finding, sha, content_type) = answers::document(&state.db, id).await?.ok_or(AppError::NotFound)?;
    visible(&state, &ctx, finding).await?;
    let stem = ctx.t("情况说明材料", "explanation");
    kernel::web::export::stored_document(&state.config.files(), &sha, stem, id, &content_type)
}
