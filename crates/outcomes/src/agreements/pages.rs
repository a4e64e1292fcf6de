//! Agreement pages for every party: the list (with the employer's invitation
//! form), one agreement with its history and the steps the viewer may take,
//! and the print view once in force.

use askama::Template;
use axum::extract::{DefaultBodyLimit, Multipart, Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;

use kernel::audit::{self, Change, Subject};
use kernel::auth::Role;
use kernel::mask;
use kernel::web::table::{KeyPaging, ListUrl};
use kernel::web::{redirect_with_flash, AppError, AppState, CsrfForm, Ctx, FieldErrors, Upload};
use kernel::Locale;

use super::flow::{self, Step};
use super::{Agreement, HistoryEntry, Invitation};

pub fn routes() -> Router<crate::OutcomesState> {
    Router::new()
        .route("/agreements", get(list_page).post(invite))
        .route("/agreements/{id}", get(detail_page))
        .route("/agreements/{id}/steps", post(step))
        .route("/agreements/{id}/print", get(print_page))
        .route("/verify/agreement/{code}", get(verify_page))
        .route(
            "/agreements/{id}/seal-scan",
            get(seal_scan).post(seal_with_scan).layer(DefaultBodyLimit::max(SCAN_LIMIT + 64 * 1024)),
        )
}

/// The largest scan of a stamped agreement accepted.
const SCAN_LIMIT: usize = crate::destinations::evidence::LIMIT;

const PARTIES: &[Role] = &[Role::ProvinceAdmin, Role::UniversityStaff, Role::Employer, Role::Graduate];

#[derive(Template)]
#[template(path = "agreements.html")]
struct ListPage<'a> {
    ctx: &'a Ctx,
    l: Locale,
    rows: Vec<Agreement>,
    filter: super::ListFilter,
    statuses: Vec<(&'static str, &'static str)>,
    total: i64,
    pager: String,
    can_invite: bool,
    /// An employer not (yet) approved is told where its review stands instead of the form.
    held_back: Option<&'static str>,
    form: Invitation,
    errors: FieldErrors,
}

/// (field, label zh, label en, current value) of an invitation field.
type Field<'a> = (&'static str, &'static str, &'static str, &'a str);

impl ListPage<'_> {
    fn fields(&self) -> Vec<Field<'_>> {
        let f = &self.form;
        [
            ("name", "毕业生姓名", "Graduate's name", f.name.as_str()),
            ("student_no", "学号", "Student number", f.student_no.as_str()),
            ("id_number", "身份证号", "ID number", f.id_number.as_str()),
        ]
        .into_iter()
        .chain(f.offer_fields())
        .collect()
    }
}

async fn render_list(
    state: &AppState,
    ctx: &Ctx,
    filter: super::ListFilter,
    form: Invitation,
    errors: FieldErrors,
) -> Result<Response, AppError> {
    let actor = ctx.require(PARTIES)?;
    let mut paging = KeyPaging::parse(&filter.paging);
    let rows = super::list(&state.db, &state.cache, &actor.scope(), &filter, &mut paging).await?;
    let url = ListUrl::new("/agreements", &[("status", &filter.status), ("q", &filter.q)]);
    let pager = paging.html(&url, ctx.locale);
    let statuses = flow::Status::ALL.iter().map(|s| (s.key(), s.label(ctx.locale))).collect();
    let held_back = registry::employers::held_back(&state.db, actor, ctx.locale).await?;
    let can_invite = actor.role == Role::Employer && held_back.is_none();
    let page = ListPage {
        ctx,
        l: ctx.locale,
        rows,
        filter,
        statuses,
        total: paging.total,
        pager,
        can_invite,
        held_back,
        form,
        errors,
    };
    ctx.page(ctx.t("网上签约", "Online agreements"), &page)
}

async fn list_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(filter): Query<super::ListFilter>,
) -> Result<Response, AppError> {
    render_list(&state, &ctx, filter, Invitation::default(), FieldErrors::default()).await
}

async fn invite(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(form): CsrfForm<Invitation>,
) -> Result<Response, AppError> {
    let actor = ctx.require(&[Role::Employer])?;
    let employer_id = actor.employer_id.ok_or(AppError::Forbidden)?;
    let mut tx = state.db.begin().await?;
    match super::invite(&mut tx, &ctx.audit_actor(), employer_id, &form, ctx.locale).await? {
        Ok(id) => {
            tx.commit().await?;
            state.cache.clear();
            Ok(redirect_with_flash(&format!("/agreements/{id}"), ctx.t("签约邀请已发出。", "Invitation sent.")))
        }
        Err(errors) => {
            // Give the connection back before rendering reads through the pool: under a burst of
            // invitations, refused ones holding theirs while waiting for another exhaust it.
            drop(tx);
            render_list(&state, &ctx, super::ListFilter::default(), form, errors).await
        }
    }
}

#[derive(Template)]
#[template(path = "agreement.html")]
struct DetailPage<'a> {
    ctx: &'a Ctx,
    l: Locale,
    a: Agreement,
    id_number: String,
    verification: Verification,
    steps: Vec<Step>,
    history: Vec<HistoryEntry>,
}

impl DetailPage<'_> {
    fn can_seal(&self) -> bool {
        self.steps.contains(&Step::Seal)
    }

    fn action<'k>(&self, key: &'k str) -> &'k str {
        flow::action_label(key, self.l)
    }
}

/// The graduate's ID number as this viewer may see it (`flow::sees_id_number`);
/// shown in full to anyone but the graduate, it is recorded as a view of personal data.
async fn id_number_for(state: &AppState, ctx: &Ctx, a: &Agreement, printing: bool) -> Result<String, AppError> {
    let parties = super::parties(ctx.actor()?, a);
    if !flow::sees_id_number(&parties, printing) {
        return Ok(mask::id_number(&a.id_number));
    }
    if parties != [flow::Party::Graduate] {
        let view = Change::viewed("agreement", a.id).about(Subject::graduate(a.graduate_id, a.institution_id));
        audit::record_view(&state.db, &ctx.audit_actor(), view).await?;
    }
    Ok(a.id_number.clone())
}

/// The verification code as printed and where anyone checks it; empty for
/// agreements from before codes.
fn verification(state: &AppState, headers: &HeaderMap, a: &Agreement) -> Verification {
    if a.verify_code.is_empty() {
        return Verification::default();
    }
    let code = flow::grouped(&a.verify_code);
    let url = format!("{}/verify/agreement/{code}", kernel::web::url::public_base(&state.config, headers));
    Verification { code, url }
}

#[derive(Default)]
struct Verification {
    code: String,
    url: String,
}

async fn load(state: &AppState, ctx: &Ctx, id: i64) -> Result<Agreement, AppError> {
    let actor = ctx.require(PARTIES)?;
    match super::get(&state.db, &actor.scope(), id).await? {
        Some(a) => Ok(a),
        None => {
            let exists =
                state.db.fetch_optional("SELECT id FROM agreements WHERE id = $1", &[id.into()]).await?.is_some();
            Err(if exists { AppError::Forbidden } else { AppError::NotFound })
        }
    }
}

async fn detail_page(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let a = load(&state, &ctx, id).await?;
    let parties = super::parties(ctx.actor()?, &a);
    let steps = flow::steps_for(a.status, &parties);
    let history = super::history(&state.db, id).await?;
    let title = format!("{} {}", ctx.t("三方协议", "Agreement"), a.number);
    let id_number = id_number_for(&state, &ctx, &a, false).await?;
    let verification = verification(&state, &headers, &a);
    ctx.page(&title, &DetailPage { ctx: &ctx, l: ctx.locale, a, id_number, verification, steps, history })
}

#[derive(Deserialize)]
struct StepForm {
    #[serde(default)]
    step: String,
}

async fn step(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<StepForm>,
) -> Result<Response, AppError> {
    let a = load(&state, &ctx, id).await?;
    let parties = super::parties(ctx.actor()?, &a);
    let step = Step::parse(&form.step)
        .ok_or_else(|| AppError::BadRequest(ctx.t("未知的操作。", "Unknown step.").to_owned()))?;
    if !step.parties().iter().any(|p| parties.contains(p)) {
        return Err(AppError::Forbidden);
    }
    let mut tx = state.db.begin().await?;
    match super::take_online_step(&mut tx, &ctx.audit_actor(), &a, step, &parties).await? {
        Some(to) => {
            tx.commit().await?;
            state.cache.clear();
            let message = format!("{}{}", ctx.t("协议状态：", "Agreement status: "), to.label(ctx.locale));
            Ok(redirect_with_flash(&format!("/agreements/{id}"), &message))
        }
        None => Ok(redirect_with_flash(
            &format!("/agreements/{id}"),
            ctx.t("协议状态已变化，这一步不能再做。", "The agreement has moved on; this step is no longer possible."),
        )),
    }
}

/// The employer seals by uploading a scan of the agreement it stamped on paper
/// instead of applying its e-seal: the same step, with the scan kept.
async fn seal_with_scan(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    multipart: Multipart,
) -> Result<Response, AppError> {
    let a = load(&state, &ctx, id).await?;
    let parties = super::parties(ctx.actor()?, &a);
    if !Step::Seal.parties().iter().any(|p| parties.contains(p)) {
        return Err(AppError::Forbidden);
    }
    let back = format!("/agreements/{id}");
    let Some(upload) = Upload::read(multipart).await else {
        return Ok(redirect_with_flash(
            &back,
            ctx.t("上传失败：文件超过 10 MB。", "Upload failed: the file is over 10 MB."),
        ));
    };
    if !upload.csrf_matches(&ctx.csrf) {
        return Err(AppError::Csrf);
    }
    let name: String = match upload.file_name.as_str() {
        "" => "scan".to_owned(),
        name => name.chars().take(100).collect(),
    };
    let bytes = upload.bytes;
    let stored = match state.config.files().put_document(&bytes, SCAN_LIMIT) {
        Ok(stored) => stored,
        Err(kernel::files::FileError::Io(e)) => return Err(AppError::Internal(anyhow::anyhow!(e))),
        Err(_) => {
            let message = ctx.t(
                "请上传盖章协议的扫描件或照片（PDF、JPG 或 PNG，不超过 10 MB）。",
                "Upload a scan or photo of the stamped agreement (PDF, JPG or PNG, at most 10 MB).",
            );
            return Ok(redirect_with_flash(&back, message));
        }
    };
    let mut tx = state.db.begin().await?;
    let Some(to) = super::take_step(&mut tx, &ctx.audit_actor(), &a, Step::Seal, &parties).await? else {
        let message =
            ctx.t("协议状态已变化，这一步不能再做。", "The agreement has moved on; this step is no longer possible.");
        return Ok(redirect_with_flash(&back, message));
    };
    tx.execute(
        "UPDATE agreements SET seal_method = 'scan', seal_file_sha256 = $1, seal_file_name = $2 WHERE id = $3",
        &[stored.sha256.as_str().into(), name.as_str().into(), id.into()],
    )
    .await?;
    tx.commit().await?;
    state.cache.clear();
    let message = format!(
        "{}{}",
        ctx.t("已上传盖章扫描件。协议状态：", "Stamped scan uploaded. Agreement status: "),
        to.label(ctx.locale)
    );
    Ok(redirect_with_flash(&back, &message))
}

/// The stamped scan, for the agreement's parties.
async fn seal_scan(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, AppError> {
    load(&state, &ctx, id).await?;
    let row = state
        .db
        .fetch_one("SELECT seal_file_sha256, seal_file_name FROM agreements WHERE id = $1", &[id.into()])
        .await?;
    let sha = row.opt_text("seal_file_sha256")?.ok_or(AppError::NotFound)?;
    let bytes = state.config.files().get(&sha).map_err(|e| match e {
        kernel::files::FileError::Missing => AppError::NotFound,
        e => AppError::Internal(anyhow::anyhow!(e)),
    })?;
    let kind = kernel::files::Kind::sniff(&bytes).map(|k| k.content_type()).unwrap_or("application/octet-stream");
    let extension = match kind {
        "image/jpeg" => "jpg",
        "image/png" => "png",
        _ => "pdf",
    };
    Ok(kernel::web::export::attachment(kind, &format!("agreement-{id}-stamped.{extension}"), bytes))
}

#[derive(Template)]
#[template(path = "agreement_print.html")]
struct PrintPage {
    l: Locale,
    a: Agreement,
    id_number: String,
    verification: Verification,
}

async fn print_page(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let a = load(&state, &ctx, id).await?;
    if a.status != flow::Status::Effective {
        return Err(AppError::BadRequest(
            ctx.t("协议生效后才能打印。", "An agreement prints once it is in force.").to_owned(),
        ));
    }
    let title = format!("{} {}", ctx.t("毕业生就业协议书", "Graduate employment agreement"), a.number);
    let id_number = id_number_for(&state, &ctx, &a, true).await?;
    let verification = verification(&state, &headers, &a);
    ctx.page(&title, &PrintPage { l: ctx.locale, a, id_number, verification })
}

#[derive(Template)]
#[template(path = "agreement_verify.html")]
struct VerifyPage {
    l: Locale,
    v: super::Verified,
}

/// Anyone holding a printed agreement checks it here, without logging in.
/// An unknown code is simply not found: 80 random bits are not walked through.
async fn verify_page(State(state): State<AppState>, ctx: Ctx, Path(code): Path<String>) -> Result<Response, AppError> {
    let v = super::verify(&state.db, &code).await?.ok_or(AppError::NotFound)?;
    ctx.page(ctx.t("协议查验", "Agreement check"), &VerifyPage { l: ctx.locale, v })
}
