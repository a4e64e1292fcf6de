//! Destination pages: staff register destinations graduate by graduate or in
//! a batch from a spreadsheet, and add evidence; graduates confirm or dispute
//! their own record and add evidence too.

use std::sync::Arc;

use askama::Template;
use axum::extract::{DefaultBodyLimit, Multipart, Path, Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;

use kernel::auth::{Actor, Role, Scope};
use kernel::codes;
use kernel::db::Backend;
use kernel::web::export::AsOf;
use kernel::web::listing::Listing;
use kernel::web::table::{KeyPaging, KeyQuery, ListUrl, Sort};
use kernel::web::{redirect_with_flash, AppError, AppState, CsrfForm, Ctx, FieldErrors, Upload};
use kernel::Locale;

use super::batch::{self, BatchOutcome};
use super::listing::{graduates, graduates_exported, Exported, Filter, Listed, ID, SORTS};
use super::{evidence, Current, DestinationForm, Event};
use crate::roster;
use crate::roster::pages::{accept, import_failure, page, progress_of, rejected, uploader, Target, TemplateQuery};
use registry::graduates::Graduate;

pub fn routes() -> Router<crate::OutcomesState> {
    Router::new()
        .route("/outcomes/graduates", get(list_page))
        .route("/outcomes/graduates/{id}", get(detail_page))
        .route("/outcomes/graduates/{id}/destination", post(save_destination))
        .route("/outcomes/me", get(my_page))
        .route("/outcomes/me/answer", post(answer))
        .route(
            "/outcomes/destinations/import",
            get(batch_form).post(batch_upload).layer(DefaultBodyLimit::max(roster::MAX_UPLOAD + 64 * 1024)),
        )
        .route("/outcomes/destinations/import/template", get(batch_template))
        .merge(
            Router::new()
                .route("/outcomes/graduates/{id}/evidence", post(staff_upload))
                .route("/outcomes/me/evidence", post(own_upload))
                .layer(DefaultBodyLimit::max(evidence::LIMIT + 64 * 1024)),
        )
        .route("/outcomes/evidence/{id}", get(evidence_download))
}

const STAFF: &[Role] = &[Role::ProvinceAdmin, Role::UniversityStaff];

pub fn confirmation_label(state: &str, l: Locale) -> &'static str {
    match state {
        "confirmed" => l.pick("已确认", "Confirmed"),
        "disputed" => l.pick("有异议", "Disputed"),
        "pending" => l.pick("待确认", "Awaiting confirmation"),
        _ => l.pick("未登记", "Not recorded"),
    }
}

#[derive(Debug, Default, Deserialize)]
struct ListFilter {
    #[serde(default)]
    q: String,
    #[serde(default)]
    confirmation: String,
    /// `missing`: destinations still lacking a document their category needs.
    #[serde(default)]
    evidence: String,
    /// A destination code; `none` for graduates with nothing recorded.
    #[serde(default)]
    category: String,
    /// `xlsx` or `csv`: every matching graduate as a file.
    #[serde(default)]
    format: String,
    #[serde(default)]
    sort: String,
    #[serde(default)]
    dir: String,
    #[serde(flatten)]
    paging: KeyQuery,
}

/// From how many matches a searched page on PostgreSQL may walk its sort's
/// index (`Listing::walks_from`): a walk reads about 51 × all ÷ matches index
/// entries (6,300 for 3,665 of 450,000), each checked without the table, where
/// sorting fetches every match from the table.
const SEARCH_WALK_FROM_PG: i64 = 1_500;

/// Rows an export reads from the database at a time.
const EXPORT_BATCH: i64 = 5_000;

#[derive(Template)]
#[template(path = "graduates.html")]
struct ListPage<'a> {
    l: Locale,
    f: &'a ListFilter,
    rows: Vec<Listed>,
    pager: String,
    /// The sortable column headers.
    student_no_header: String,
    name_header: String,
    categories: Vec<(String, String)>,
    /// The same list as files.
    xlsx_url: String,
    csv_url: String,
}

impl ListFilter {
    fn filter(&self) -> Filter<'_> {
        Filter { q: &self.q, confirmation: &self.confirmation, evidence: &self.evidence, category: &self.category }
    }
}

async fn list_page(State(state): State<AppState>, ctx: Ctx, Query(f): Query<ListFilter>) -> Result<Response, AppError> {
    let actor = ctx.require(STAFF)?;
    let sort = Sort::parse(Some(&f.sort), Some(&f.dir), SORTS);
    if f.format == "xlsx" || f.format == "csv" {
        let listing = graduates_exported(&actor.scope(), &f.filter()).map_err(|_| AppError::Forbidden)?;
        return export(&state, &ctx, listing, sort, &f.format).await;
    }
    let mut listing = graduates(&actor.scope(), &f.filter()).map_err(|_| AppError::Forbidden)?;
    if state.db.backend() == Backend::Postgres && !f.q.trim().is_empty() {
        // The sort indexes carry the searched columns there (migration 0057): a
        // search matching a few thousand is cheaper walked from the index alone
        // than fetched whole and sorted, and the planner is left to choose.
        listing = listing.walks_from(SEARCH_WALK_FROM_PG);
    }
    let mut paging = KeyPaging::parse(&f.paging);
    let l = ctx.locale;
    let rows: Vec<Listed> =
        listing.page_by_key(&state.db, &state.cache, &Listed::columns(l), &sort, ID, &mut paging).await?;
    let filters =
        [("q", f.q.as_str()), ("confirmation", &f.confirmation), ("evidence", &f.evidence), ("category", &f.category)];
    let url = ListUrl::new("/outcomes/graduates", &filters);
    // Pages and files keep the order the visitor chose.
    let dir = if sort.desc { "desc" } else { "asc" };
    let sorted = ListUrl::new("/outcomes/graduates", &[&filters[..], &[("sort", &sort.key), ("dir", dir)]].concat());
    let pager = paging.html(&sorted, l);
    // The cohort and its code table come from the cache: the page's statements are its own.
    let version = registry::cohorts::latest_cached(&state).await?.map(|c| c.destination_version).unwrap_or_default();
    let categories = codes::list_cached(&state.db, &state.cache, "destination", &version)
        .await?
        .iter()
        .map(|c| (c.code.clone(), c.label(l).to_owned()))
        .collect();
    let page = ListPage {
        l,
        f: &f,
        rows,
        pager,
        student_no_header: sort.header(&url, "student_no", l.pick("学号", "Student no.")),
        name_header: sort.header(&url, "name", l.pick("姓名", "Name")),
        categories,
        xlsx_url: sorted.with("format", "xlsx"),
        csv_url: sorted.with("format", "csv"),
    };
    ctx.page(ctx.t("毕业生与毕业去向", "Graduates and destinations"), &page)
}

/// Every graduate the filters match, with the destination, as .xlsx or CSV,
/// read a batch at a time in the list's order: the whole province fits.
async fn export(state: &AppState, ctx: &Ctx, listing: Listing, sort: Sort, format: &str) -> Result<Response, AppError> {
    let l = ctx.locale;
    let header = [
        ("学号", "Student no."),
        ("姓名", "Name"),
        ("院校", "Institution"),
        ("院系", "College"),
        ("专业", "Major"),
        ("学历层次", "Level"),
        ("毕业去向", "Destination"),
        ("单位名称", "Employer"),
        ("签约日期", "Signed on"),
        ("本人确认", "Confirmation"),
        ("缺少证明材料", "Missing evidence"),
    ];
    let header = header.iter().map(|(zh, en)| l.pick(zh, en).to_owned()).collect();
    let levels = codes::labels_by_name(&state.db, "education_level", l).await?;
    let (db, listing, levels) = (state.db.clone(), Arc::new(listing), Arc::new(levels));
    let columns = Exported::columns(l);
    // (the key of the last row sent, whether the list has ended)
    let batches = futures_util::stream::try_unfold((None, false), move |(after, ended)| {
        let (db, listing, columns, sort, levels) =
            (db.clone(), listing.clone(), columns.clone(), sort.clone(), levels.clone());
        async move {
            if ended {
                return Ok(None);
            }
            let (graduates, last) =
                listing.batch_after::<Exported>(&db, &columns, &sort, ID, after.as_ref(), EXPORT_BATCH).await?;
            let ended = (graduates.len() as i64) < EXPORT_BATCH;
            let rows = graduates.into_iter().map(|g| exported_row(g, &levels, l)).collect::<Vec<_>>();
            Ok::<_, AppError>(if rows.is_empty() { None } else { Some((rows, (last, ended))) })
        }
    });
    let cohort = registry::cohorts::latest(&state.db).await?.map(|c| c.year).unwrap_or_default();
    let day = kernel::time::today_china().format("%Y-%m-%d").to_string();
    let dated = AsOf { cohort, day: &day };
    let title = dated.title(l.pick("毕业去向", "Destinations"), l);
    kernel::web::export::download_stream(header, Box::pin(batches), format, &dated.stem("graduates"), &title).await
}

/// A graduate as a row of the export. A student number such as 001234 stays
/// text, leading zeros and all.
fn exported_row(g: Exported, levels: &std::collections::HashMap<String, String>, l: Locale) -> Vec<String> {
    let confirmation =
        if g.confirmation.is_empty() { String::new() } else { confirmation_label(&g.confirmation, l).to_owned() };
    vec![
        g.student_no,
        g.name,
        g.institution,
        g.college,
        g.major,
        levels.get(&g.level).cloned().unwrap_or(g.level),
        g.category,
        g.employer,
        g.signed_on,
        confirmation,
        g.evidence_missing,
    ]
}

/// Loads a graduate the actor may see (numbers masked unless the role needs
/// them), with the current destination and its history, in the reader's language.
async fn load(
    state: &AppState,
    actor: &Actor,
    id: i64,
    l: Locale,
) -> Result<(Graduate, Current, Vec<Event>), AppError> {
    let g = registry::graduates::get(&state.db, &actor.scope(), id)
        .await?
        .masked_for(actor)
        .in_locale(&state.db, l)
        .await?;
    Ok((g, super::current(&state.db, id, l).await?, super::history(&state.db, id, l).await?))
}

/// (code, name) options of a code table, named in the reader's language.
async fn options(state: &AppState, kind: &str, version: &str, l: Locale) -> Result<Vec<(String, String)>, AppError> {
    Ok(codes::list(&state.db, kind, version).await?.iter().map(|c| (c.code.clone(), c.label(l).to_owned())).collect())
}

#[derive(Template)]
#[template(path = "graduate.html")]
struct DetailPage<'a> {
    ctx: &'a Ctx,
    l: Locale,
    g: Graduate,
    d: Current,
    events: Vec<Event>,
    form: DestinationForm,
    errors: FieldErrors,
    categories: Vec<(String, String)>,
    positions: Vec<(String, String)>,
    natures: Vec<(String, String)>,
    industries: Vec<(String, String)>,
    can_record: bool,
    files: Files,
    /// The graduate's audit trail, for roles that read the audit log.
    audit_url: Option<String>,
}

/// A graduate's evidence as its pages show it: the checklist for the current
/// destination, every upload, the kinds one may choose, and an upload error.
pub struct Files {
    pub checklist: Vec<(String, bool)>,
    pub evidence: Vec<evidence::Evidence>,
    pub kinds: Vec<(String, String)>,
    pub error: String,
}

impl Files {
    async fn load(state: &AppState, graduate_id: i64, l: Locale, error: &str) -> Result<Files, AppError> {
        let mut kinds: Vec<(String, String)> = evidence::kind_names(&state.db, l).await?.into_iter().collect();
        kinds.retain(|(code, _)| code != "min_wage");
        kinds.sort();
        Ok(Files {
            checklist: evidence::checklist(&state.db, graduate_id, l).await?,
            evidence: evidence::list(&state.db, graduate_id, l).await?,
            kinds,
            error: error.to_owned(),
        })
    }

    /// The evidence names attached to one event, for the history.
    pub fn of_event(&self, event_id: &i64) -> String {
        self.evidence
            .iter()
            .filter(|e| e.event_id == *event_id)
            .map(|e| e.kind_name.as_str())
            .collect::<Vec<_>>()
            .join("、")
    }
}

/// (field, label zh, label en, options, current value) of a code picker.
type Select<'a> = (&'static str, &'static str, &'static str, &'a [(String, String)], &'a str);
/// (field, label zh, label en, current value) of a text input.
type Input<'a> = (&'static str, &'static str, &'static str, &'a str);

impl DetailPage<'_> {
    fn evidence_action(&self) -> String {
        format!("/outcomes/graduates/{}/evidence", self.g.id)
    }

    fn selects(&self) -> Vec<Select<'_>> {
        let f = &self.form;
        vec![
            ("category_code", "毕业去向类别", "Destination category", &self.categories, &f.category_code),
            ("position_code", "工作职位类别", "Position category", &self.positions, &f.position_code),
            ("nature_code", "单位性质", "Employer nature", &self.natures, &f.nature_code),
            ("industry_code", "单位行业", "Industry", &self.industries, &f.industry_code),
        ]
    }

    fn inputs(&self) -> Vec<Input<'_>> {
        let f = &self.form;
        vec![
            (
                "employer_name",
                "单位名称（升学填录取院校）",
                "Employer (for further study, the school)",
                &f.employer_name,
            ),
            ("credit_code", "统一社会信用代码", "Credit code", &f.credit_code),
            ("region_code", "所在地区代码", "Region code", &f.region_code),
            ("signed_on", "签约日期", "Signed on", &f.signed_on),
            ("note", "备注", "Note", &f.note),
            (
                "correction",
                "核查更正说明（因数据核查更正时填写）",
                "Correction after verification: why (only then)",
                &f.correction,
            ),
        ]
    }

    /// How `pickers.js` helps with an input: employers by name or credit code, regions.
    fn lookup(&self, field: &str) -> &'static str {
        match field {
            "employer_name" => "employer",
            "credit_code" => "credit",
            "region_code" => "region",
            _ => "",
        }
    }

    fn same(&self, a: &str, b: &str) -> bool {
        a == b
    }

    fn confirmation(&self) -> &'static str {
        confirmation_label(&self.d.confirmation, self.l)
    }
}

/// The detail page with a message beside the evidence upload.
async fn render_detail_with(state: &AppState, ctx: &Ctx, id: i64, evidence_error: &str) -> Result<Response, AppError> {
    render_detail(state, ctx, id, None, FieldErrors::default(), evidence_error).await
}

async fn render_detail(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    form: Option<DestinationForm>,
    errors: FieldErrors,
    evidence_error: &str,
) -> Result<Response, AppError> {
    let actor = ctx.require(STAFF)?;
    let (g, d, events) = load(state, actor, id, ctx.locale).await?;
    g.shown_to(&state.db, &ctx.audit_actor(), actor).await?;
    let files = Files::load(state, id, ctx.locale, evidence_error).await?;
    let can_record = matches!(actor.scope(), Scope::Province | Scope::Institution { .. });
    let audit_url = (actor.role == Role::ProvinceAdmin).then(|| registry::audit_page::graduate_url(id));
    let version = d.version.clone();
    let title = format!("{} {}", g.name, g.student_no);
    let page = DetailPage {
        ctx,
        l: ctx.locale,
        form: match form {
            Some(form) => form,
            None => DestinationForm::current(&state.db, id).await?,
        },
        g,
        d,
        events,
        errors,
        categories: options(state, "destination", &version, ctx.locale).await?,
        positions: options(state, "position_category", "base", ctx.locale).await?,
        natures: options(state, "unit_nature", "base", ctx.locale).await?,
        industries: options(state, "industry", "base", ctx.locale).await?,
        can_record,
        files,
        audit_url,
    };
    ctx.page(&title, &page)
}

/// `?correction=` comes with a link from the verification pages: the form opens
/// with the current record and the correction's reason already written.
#[derive(Deserialize)]
struct Correcting {
    correction: Option<String>,
}

async fn detail_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<Correcting>,
) -> Result<Response, AppError> {
    let form = match q.correction.filter(|c| !c.trim().is_empty()) {
        Some(correction) => Some(DestinationForm { correction, ..DestinationForm::current(&state.db, id).await? }),
        None => None,
    };
    render_detail(&state, &ctx, id, form, FieldErrors::default(), "").await
}

async fn save_destination(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<DestinationForm>,
) -> Result<Response, AppError> {
    let actor = ctx.require(STAFF)?;
    load(&state, actor, id, ctx.locale).await?;
    let mut tx = state.db.begin().await?;
    match super::record(&mut tx, &ctx.audit_actor(), id, form, ctx.locale).await? {
        Ok(_) => {
            tx.commit().await?;
            state.cache.clear();
            Ok(redirect_with_flash(
                &format!("/outcomes/graduates/{id}"),
                ctx.t("毕业去向已登记。", "Destination recorded."),
            ))
        }
        Err((form, errors)) => {
            // Ended before the page records its view: SQLite has one writer.
            drop(tx);
            render_detail(&state, &ctx, id, Some(form), errors, "").await
        }
    }
}

#[derive(Template)]
#[template(path = "me.html")]
struct MyPage<'a> {
    ctx: &'a Ctx,
    l: Locale,
    g: Graduate,
    d: Current,
    error: &'a str,
    files: Files,
}

impl MyPage<'_> {
    fn evidence_action(&self) -> &'static str {
        "/outcomes/me/evidence"
    }

    fn confirmation(&self) -> &'static str {
        confirmation_label(&self.d.confirmation, self.l)
    }
}

async fn my_page(State(state): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    let actor = ctx.require(&[Role::Graduate])?;
    let id = actor.graduate_id.ok_or(AppError::Forbidden)?;
    render_me(&state, &ctx, actor, id, "", "").await
}

/// The graduate's own page with a message beside the evidence upload.
async fn render_me_with(state: &AppState, ctx: &Ctx, evidence_error: &str) -> Result<Response, AppError> {
    let actor = ctx.require(&[Role::Graduate])?;
    let id = actor.graduate_id.ok_or(AppError::Forbidden)?;
    render_me(state, ctx, actor, id, "", evidence_error).await
}

async fn render_me(
    state: &AppState,
    ctx: &Ctx,
    actor: &Actor,
    id: i64,
    error: &str,
    evidence_error: &str,
) -> Result<Response, AppError> {
    let (g, d, _) = load(state, actor, id, ctx.locale).await?;
    let files = Files::load(state, id, ctx.locale, evidence_error).await?;
    ctx.page(ctx.t("我的毕业去向", "My destination"), &MyPage { ctx, l: ctx.locale, g, d, error, files })
}

#[derive(Deserialize)]
struct AnswerForm {
    #[serde(default)]
    answer: String,
    #[serde(default)]
    reason: String,
}

async fn answer(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(form): CsrfForm<AnswerForm>,
) -> Result<Response, AppError> {
    let actor = ctx.require(&[Role::Graduate])?;
    let id = actor.graduate_id.ok_or(AppError::Forbidden)?;
    let reason = form.reason.trim();
    let dispute = match form.answer.as_str() {
        "confirm" => None,
        "dispute" if !reason.is_empty() && reason.chars().count() <= 500 => Some(reason),
        "dispute" => {
            let error =
                ctx.t("请写明异议理由（不超过 500 字）。", "Give the reason for the dispute (at most 500 characters).");
            return render_me(&state, &ctx, actor, id, error, "").await;
        }
        _ => {
            return Err(AppError::BadRequest(ctx.t("请选择确认或提出异议。", "Choose confirm or dispute.").to_owned()))
        }
    };
    let mut tx = state.db.begin().await?;
    if !super::answer(&mut tx, &ctx.audit_actor(), id, dispute).await? {
        return Ok(redirect_with_flash(
            "/outcomes/me",
            ctx.t("学校还没有登记你的毕业去向。", "Your school has not recorded a destination yet."),
        ));
    }
    tx.commit().await?;
    state.cache.clear();
    let message = if dispute.is_some() {
        ctx.t("异议已提交，学校将核实处理。", "Dispute sent; your school will look into it.")
    } else {
        ctx.t("已确认毕业去向。", "Destination confirmed.")
    };
    Ok(redirect_with_flash("/outcomes/me", message))
}

/// Stores an upload for a graduate the actor may see; the message to show beside the form.
async fn store_upload(
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
    let kinds = evidence::kind_names(&state.db, l).await?;
    if !kinds.contains_key(kind) {
        return Ok(Err(l.pick("请选择材料类型。", "Choose what kind of document it is.").to_owned()));
    }
    let accepted = kernel::files::accept_document(
        &state.config.files(),
        &upload.file_name,
        &upload.bytes,
        evidence::LIMIT,
        kind,
        l,
    )
    .map_err(|e| AppError::Internal(anyhow::anyhow!(e)))?;
    let (name, stored) = match accepted {
        Ok(a) => (a.shown_name, a.stored),
        Err(message) => return Ok(Err(message)),
    };
    let mut tx = state.db.begin().await?;
    match evidence::attach(&mut tx, &ctx.audit_actor(), graduate_id, kind, Some((&name, &stored)), None).await? {
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
    load(&state, actor, id, ctx.locale).await?;
    match store_upload(&state, &ctx, id, multipart).await? {
        Ok(()) => Ok(kernel::web::redirect_with_flash(
            &format!("/outcomes/graduates/{id}#evidence"),
            ctx.t("证明材料已上传。", "Evidence uploaded."),
        )),
        Err(message) => render_detail_with(&state, &ctx, id, &message).await,
    }
}

async fn own_upload(State(state): State<AppState>, ctx: Ctx, multipart: Multipart) -> Result<Response, AppError> {
    let actor = ctx.require(&[Role::Graduate])?;
    let id = actor.graduate_id.ok_or(AppError::Forbidden)?;
    match store_upload(&state, &ctx, id, multipart).await? {
        Ok(()) => Ok(kernel::web::redirect_with_flash(
            "/outcomes/me#evidence",
            ctx.t("证明材料已上传。", "Evidence uploaded."),
        )),
        Err(message) => render_me_with(&state, &ctx, &message).await,
    }
}

/// A stored document, for those who may see the graduate's record.
async fn evidence_download(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, AppError> {
    let actor = ctx.require(&[Role::ProvinceAdmin, Role::UniversityStaff, Role::Graduate])?;
    let doc = evidence::document(&state.db, id).await?.ok_or(AppError::NotFound)?;
    load(&state, actor, doc.graduate_id, ctx.locale).await?;
    let sha = doc.sha256.ok_or(AppError::NotFound)?;
    kernel::web::export::stored_document(
        &state.config.files(),
        &sha,
        ctx.t("证明材料", "evidence"),
        id,
        &doc.content_type,
    )
}

async fn batch_form(State(state): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    let scope = uploader(&ctx)?;
    let mut p = page(&state, &ctx, &scope).await?;
    p.batch = true;
    ctx.page(ctx.t("毕业去向批量登记", "Destinations in a batch"), &p)
}

/// `GET /outcomes/destinations/import/template?cohort=`: the batch template for the cohort (else the latest).
async fn batch_template(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<TemplateQuery>,
) -> Result<Response, AppError> {
    uploader(&ctx)?;
    let cohort = registry::cohorts::year_or_latest(&state, &q.cohort).await?;
    let bytes = batch::template(&state.db, cohort, ctx.locale).await?;
    let name = ctx.t("毕业去向批量登记模板.xlsx", "destinations-template.xlsx");
    Ok(kernel::web::export::attachment(kernel::web::export::XLSX, name, bytes))
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
    let (name, limits) = (upload.file_name.clone(), state.config.sheet_limits());
    let input = kernel::sheet::Input::File { name: name.clone(), bytes: upload.bytes };
    match batch::import(&state.db, &who, into, input, ctx.locale, limits, report).await {
        Ok(BatchOutcome::Recorded { rows }) => {
            state.cache.clear();
            p.recorded = Some(rows);
        }
        Ok(BatchOutcome::Rejected { rows, errors, report }) => {
            rejected(&state, &ctx, &mut p, &name, rows, errors, report).await?
        }
        Err(e) => import_failure(&ctx, &mut p, e)?,
    }
    ctx.page(title, &p)
}
