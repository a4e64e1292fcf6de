//! The archives' pages: the transfers list with the proposals and bulk
//! confirmation (/archives), those without a receiver (/archives/unassigned),
//! one transfer (/archives/items/{id}) and its printable 档案转递单, batches
//! with their deadlines and tracking import (/archives/batches), the
//! province's talent centres (/archives/centres), the figures
//! (/archives/figures), the graduate's own (/archives/mine) and the public
//! check (/archives/check). Thin: rules in `rules`/`flow`, SQL in `store`.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;

use kernel::auth::{Actor, Role};
use kernel::web::table::{KeyPaging, KeyQuery, ListUrl, Sort};
use kernel::web::{redirect_with_flash, AppError, AppState, CsrfForm, Ctx};
use kernel::{time, Locale};

use crate::flow::{Action, BatchStep, Channel, State as Stage};
use crate::rules::Receiver;
use crate::store::{self, Batch, Centre, Counts, Filter, Step, Transfer};

pub fn routes() -> Router<AppState> {
    let upload = || axum::extract::DefaultBodyLimit::max(MAX_UPLOAD + 64 * 1024);
    Router::new()
        .route("/archives", get(list_page))
        .route("/archives/propose", post(propose))
        .route("/archives/confirm", post(confirm_many))
        .route("/archives/unassigned", get(unassigned_page))
        .route("/archives/items/{id}", get(item_page))
        .route("/archives/items/{id}/receiver", post(set_receiver))
        .route("/archives/items/{id}/dispatch", post(dispatch))
        .route("/archives/items/{id}/receive", post(receive))
        .route("/archives/items/{id}/return", post(give_back))
        .route("/archives/items/{id}/slip", get(slip_page))
        .route("/archives/batches", get(batches_page).post(create_batch))
        .route("/archives/batches/{id}", get(batch_page))
        .route("/archives/batches/{id}/seal", post(|s, c, id, f| move_batch(s, c, id, f, BatchStep::Seal)))
        .route("/archives/batches/{id}/receive", post(|s, c, id, f| move_batch(s, c, id, f, BatchStep::Receive)))
        .route("/archives/batches/{id}/tracking", post(import_tracking).layer(upload()))
        .route("/archives/centres", get(centres_page).post(save_centre))
        .route("/archives/centres/import", post(import_centres).layer(upload()))
        .route("/archives/figures", get(figures_page))
        .route("/archives/mine", get(my_page))
        .route("/archives/check", get(check_page))
}

/// Sheets at most this large.
const MAX_UPLOAD: usize = 20 * 1024 * 1024;
const SHOWN_ERRORS: usize = 500;

const OFFICES: &[Role] = &[Role::ProvinceAdmin, Role::UniversityStaff];

/// The institution an office works on: its own for university staff, the
/// one asked (or all) for the province. Archives are the school office's
/// work: a college's account (院系) is refused, as it would otherwise see
/// every college's graduates.
fn scope(actor: &Actor, asked: Option<i64>) -> Result<Option<i64>, AppError> {
    match actor.role {
        Role::ProvinceAdmin => Ok(asked),
        Role::UniversityStaff if actor.college_id.is_some() => Err(AppError::Forbidden),
        Role::UniversityStaff => actor.institution_id.map(Some).ok_or(AppError::Forbidden),
        _ => Err(AppError::Forbidden),
    }
}

/// A transfer the office may see and act on: another institution's is not found.
async fn transfer_for(state: &AppState, actor: &Actor, id: i64) -> Result<Transfer, AppError> {
    let t = store::get(&state.db, id).await?.ok_or(AppError::NotFound)?;
    match scope(actor, None)? {
        Some(i) if i != t.institution_id => Err(AppError::NotFound),
        _ => Ok(t),
    }
}

async fn batch_for(state: &AppState, actor: &Actor, id: i64) -> Result<Batch, AppError> {
    let b = store::batch(&state.db, id).await?.ok_or(AppError::NotFound)?;
    match scope(actor, None)? {
        Some(i) if i != b.institution_id => Err(AppError::NotFound),
        _ => Ok(b),
    }
}

fn field<'a>(pairs: &'a [(String, String)], name: &str) -> &'a str {
    pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.trim()).unwrap_or("")
}

// ---------------------------------------------------------------- the list

#[derive(Deserialize, Default)]
struct ListQuery {
    #[serde(default)]
    state: String,
    #[serde(default)]
    institution: String,
    #[serde(default)]
    overdue: String,
    #[serde(flatten)]
    paging: KeyQuery,
}

#[derive(Template)]
#[template(path = "archives/list.html")]
struct ListPage<'a> {
    ctx: &'a Ctx,
    l: Locale,
    cohort: i64,
    rows: Vec<Transfer>,
    states: Vec<(&'static str, &'static str, bool)>,
    university: bool,
    institution: String,
    overdue: bool,
    today: chrono::NaiveDate,
    /// The page bar, the filters kept in its links.
    pager: String,
}

async fn list_page(State(state): State<AppState>, ctx: Ctx, Query(q): Query<ListQuery>) -> Result<Response, AppError> {
    let actor = ctx.require(OFFICES)?;
    let institution = scope(actor, q.institution.trim().parse().ok())?;
    let cohort = registry::cohorts::latest_year(&state).await?;
    let wanted = Stage::parse(&q.state);
    let today = time::today_china();
    let overdue = q.overdue == "1";
    let filter = Filter {
        cohort,
        institution,
        state: wanted,
        overdue_on: overdue.then(|| today.to_string()),
        ..Filter::default()
    };
    let l = ctx.locale;
    let institution_text = institution.map(|i| i.to_string()).unwrap_or_default();
    let filters =
        [("state", q.state.as_str()), ("institution", institution_text.as_str()), ("overdue", q.overdue.as_str())];
    let (rows, pager) = paged(&state, &filter, &q.paging, "/archives", &filters, l).await?;
    let states = Stage::ALL.iter().map(|s| (s.key(), s.label(l), Some(*s) == wanted)).collect();
    let page = ListPage {
        ctx: &ctx,
        l,
        cohort,
        rows,
        states,
        university: actor.role == Role::UniversityStaff,
        institution: institution_text,
        overdue,
        today,
        pager,
    };
    ctx.page(ctx.t("档案转递", "Archive transfers"), &page)
}

/// One page of the transfers `filter` asks for and its page bar, whose links
/// keep `filters` (the list's own query) and page by key as the other big lists.
async fn paged(
    state: &AppState,
    filter: &Filter,
    asked: &KeyQuery,
    path: &str,
    filters: &[(&str, &str)],
    l: Locale,
) -> Result<(Vec<Transfer>, String), AppError> {
    let sort = Sort::parse(None, None, store::SORTS);
    let mut paging = KeyPaging::parse(asked);
    let rows = store::listing(filter)
        .page_by_key(&state.db, &state.cache, store::COLUMNS, &sort, store::ID, &mut paging)
        .await?;
    Ok((rows, paging.html(&ListUrl::new(path, filters), l)))
}

async fn propose(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let actor = ctx.require(OFFICES)?;
    let institution = scope(actor, field(&pairs, "institution").parse().ok())?;
    let cohort = registry::cohorts::latest_year(&state).await?;
    let (ok, none) = store::propose(&state.db, &ctx.audit_actor(), cohort, institution).await?;
    // The lists' counts are kept briefly (`page_by_key`): they change now.
    state.cache.clear();
    let message = match ctx.locale {
        Locale::Zh => format!("已为 {ok} 名毕业生推荐接收单位；{none} 名暂无有效接收单位。"),
        Locale::En => format!("Receivers proposed for {ok} graduates; {none} have no valid receiver."),
    };
    Ok(redirect_with_flash("/archives?state=pending", &message))
}

async fn confirm_many(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let actor = ctx.require(OFFICES)?;
    let institution = scope(actor, None)?;
    let ids: Vec<i64> = pairs.iter().filter(|(k, _)| k == "id").filter_map(|(_, v)| v.trim().parse().ok()).collect();
    let n = store::confirm_proposals(&state.db, &ctx.audit_actor(), &ids, institution).await?;
    state.cache.clear();
    let message = match ctx.locale {
        Locale::Zh => format!("已确认 {n} 名毕业生的接收单位。"),
        Locale::En => format!("{n} receivers confirmed."),
    };
    Ok(redirect_with_flash("/archives?state=pending", &message))
}

#[derive(Template)]
#[template(path = "archives/unassigned.html")]
struct UnassignedPage {
    l: Locale,
    rows: Vec<Transfer>,
    pager: String,
}

async fn unassigned_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    let actor = ctx.require(OFFICES)?;
    let institution = scope(actor, q.institution.trim().parse().ok())?;
    let cohort = registry::cohorts::latest_year(&state).await?;
    let filter = Filter { cohort, institution, unassigned: true, ..Filter::default() };
    let institution_text = institution.map(|i| i.to_string()).unwrap_or_default();
    let filters = [("institution", institution_text.as_str())];
    let (rows, pager) = paged(&state, &filter, &q.paging, "/archives/unassigned", &filters, ctx.locale).await?;
    ctx.page(
        ctx.t("无有效接收单位的毕业生", "Graduates without a valid receiver"),
        &UnassignedPage { l: ctx.locale, rows, pager },
    )
}

// ---------------------------------------------------------------- one transfer

#[derive(Template)]
#[template(path = "archives/item.html")]
struct ItemPage<'a> {
    ctx: &'a Ctx,
    l: Locale,
    t: Transfer,
    steps: Vec<Step>,
    centres: Vec<Centre>,
    error: String,
    today: chrono::NaiveDate,
}

impl ItemPage<'_> {
    fn pending_or_confirmed(&self) -> bool {
        matches!(self.t.state, Stage::Pending | Stage::Confirmed)
    }
}

async fn render_item(state: &AppState, ctx: &Ctx, t: Transfer, error: String) -> Result<Response, AppError> {
    let steps = store::steps(&state.db, t.id).await?;
    let centres = match matches!(t.state, Stage::Pending | Stage::Confirmed) {
        true => store::centres(&state.db).await?,
        false => Vec::new(),
    };
    let title = format!("{} · {}", ctx.t("档案转递", "Archive transfer"), t.name);
    let page = ItemPage { ctx, l: ctx.locale, t, steps, centres, error, today: time::today_china() };
    ctx.page(&title, &page)
}

async fn item_page(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, AppError> {
    let actor = ctx.require(OFFICES)?;
    let t = transfer_for(&state, actor, id).await?;
    render_item(&state, &ctx, t, String::new()).await
}

/// After an action: back to the transfer with a flash, or its page with the refusal.
async fn acted(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    action: Action,
    receiver: Option<Receiver>,
    done: (&str, &str),
) -> Result<Response, AppError> {
    match store::act_one(&state.db, &ctx.audit_actor(), id, &action, receiver.as_ref()).await? {
        Ok(_) => {
            state.cache.clear();
            Ok(redirect_with_flash(&format!("/archives/items/{id}"), ctx.t(done.0, done.1)))
        }
        Err(e) => {
            let t = store::get(&state.db, id).await?.ok_or(AppError::NotFound)?;
            render_item(state, ctx, t, e.told(ctx.locale).to_owned()).await
        }
    }
}

async fn set_receiver(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let actor = ctx.require(OFFICES)?;
    let t = transfer_for(&state, actor, id).await?;
    let receiver = match field(&pairs, "kind") {
        "proposed" => t.proposed.clone(),
        "direct" => {
            let name: String = field(&pairs, "name").chars().take(100).collect();
            (!name.is_empty()).then_some(Receiver::Direct { name })
        }
        "centre" => {
            let wanted: Option<i64> = field(&pairs, "centre").parse().ok();
            store::centres(&state.db)
                .await?
                .into_iter()
                .find(|c| Some(c.id) == wanted)
                .map(|c| Receiver::Centre { id: c.id, name: c.name })
        }
        _ => None,
    };
    acted(
        &state,
        &ctx,
        id,
        Action::Confirm { has_receiver: true },
        receiver,
        ("接收单位已确认。", "Receiver confirmed."),
    )
    .await
}

async fn dispatch(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let actor = ctx.require(OFFICES)?;
    transfer_for(&state, actor, id).await?;
    let Some(channel) = Channel::parse(field(&pairs, "channel")) else {
        let t = store::get(&state.db, id).await?.ok_or(AppError::NotFound)?;
        return render_item(&state, &ctx, t, ctx.t("请选择寄送方式。", "Choose the channel.").to_owned()).await;
    };
    let tracking_no = field(&pairs, "tracking_no").to_uppercase();
    acted(&state, &ctx, id, Action::Dispatch { channel, tracking_no }, None, ("已登记寄出。", "Dispatch recorded."))
        .await
}

async fn receive(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    CsrfForm(_): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let actor = ctx.require(OFFICES)?;
    transfer_for(&state, actor, id).await?;
    acted(&state, &ctx, id, Action::Receive, None, ("已登记签收。", "Receipt recorded.")).await
}

async fn give_back(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let actor = ctx.require(OFFICES)?;
    transfer_for(&state, actor, id).await?;
    let reason: String = field(&pairs, "reason").chars().take(200).collect();
    acted(
        &state,
        &ctx,
        id,
        Action::Return { reason },
        None,
        ("已登记退回，请重新确认接收单位。", "Return recorded: confirm the receiver again."),
    )
    .await
}

#[derive(Template)]
#[template(path = "archives/slip.html")]
struct SlipPage<'a> {
    l: Locale,
    t: &'a Transfer,
    qr: String,
    check_url: String,
    operator: &'a str,
    today: String,
}

/// The printable 档案转递单 with the QR code that opens the public check.
async fn slip_page(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: axum::http::HeaderMap,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let actor = ctx.require(OFFICES)?;
    let t = transfer_for(&state, actor, id).await?;
    let check_url = format!(
        "{}/archives/check?number={}",
        kernel::web::url::public_base(&state.config, &headers),
        kernel::web::url::url_encode(&t.transfer_no)
    );
    let qr = kernel::qr::svg(&check_url).unwrap_or_default();
    let page = SlipPage {
        l: ctx.locale,
        t: &t,
        qr,
        check_url,
        operator: ctx.operator(),
        today: time::today_china().to_string(),
    };
    ctx.page(ctx.t("档案转递单", "Archive transfer slip"), &page)
}

// ---------------------------------------------------------------- batches

#[derive(Template)]
#[template(path = "archives/batches.html")]
struct BatchesPage<'a> {
    ctx: &'a Ctx,
    l: Locale,
    batches: Vec<Batch>,
    university: bool,
    waiting: i64,
    /// The province's form: institutions with archives waiting for a batch.
    institutions: Vec<(i64, String, i64)>,
    today: chrono::NaiveDate,
    error: String,
}

async fn render_batches(state: &AppState, ctx: &Ctx, actor: &Actor, error: String) -> Result<Response, AppError> {
    let institution = scope(actor, None)?;
    let cohort = registry::cohorts::latest_year(state).await?;
    let batches = store::batches(&state.db, cohort, institution).await?;
    let (waiting, institutions) = match institution {
        Some(i) => (store::waiting_for_batch(&state.db, i, cohort).await?, Vec::new()),
        None => (0, store::waiting_by_institution(&state.db, cohort).await?),
    };
    let page = BatchesPage {
        ctx,
        l: ctx.locale,
        batches,
        university: actor.role == Role::UniversityStaff,
        waiting,
        institutions,
        today: time::today_china(),
        error,
    };
    ctx.page(ctx.t("转递批次", "Transfer batches"), &page)
}

async fn batches_page(State(state): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    let actor = ctx.require(OFFICES)?;
    render_batches(&state, &ctx, actor, String::new()).await
}

async fn create_batch(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let actor = ctx.require(OFFICES)?;
    // The school office batches its own archives; the province may make one
    // for any institution, which the school then seals and dispatches.
    let institution = match scope(actor, None)? {
        Some(own) => own,
        None => match field(&pairs, "institution").parse::<i64>() {
            // An unknown id has no archive waiting: `create_batch` then makes none.
            Ok(i) => i,
            _ => {
                let m = ctx.t("请选择高校。", "Choose the institution.").to_owned();
                return render_batches(&state, &ctx, actor, m).await;
            }
        },
    };
    let name: String = field(&pairs, "name").chars().take(60).collect();
    let deadline = kernel::validate::parse_date(field(&pairs, "deadline"));
    let (name, deadline) = match (name.is_empty(), deadline) {
        (false, Some(d)) => (name, d),
        _ => {
            let m = ctx.t("请填写批次名称和有效的截止日期。", "Give the batch a name and a valid deadline.").to_owned();
            return render_batches(&state, &ctx, actor, m).await;
        }
    };
    let cohort = registry::cohorts::latest_year(&state).await?;
    match store::create_batch(&state.db, &ctx.audit_actor(), institution, cohort, &name, deadline).await? {
        Some(id) => {
            state.cache.clear();
            Ok(redirect_with_flash(&format!("/archives/batches/{id}"), ctx.t("批次已建立。", "Batch made.")))
        }
        None => {
            let m = ctx.t(
                "没有已确认接收单位、尚未编入批次的档案。",
                "No archive with a confirmed receiver waits for a batch.",
            );
            render_batches(&state, &ctx, actor, m.to_owned()).await
        }
    }
}

#[derive(Template)]
#[template(path = "archives/batch.html")]
struct BatchPage<'a> {
    ctx: &'a Ctx,
    l: Locale,
    b: Batch,
    rows: Vec<Transfer>,
    today: chrono::NaiveDate,
    university: bool,
    message: String,
    rows_read: usize,
    error_count: usize,
    errors: Vec<kernel::sheet::RowError<String>>,
    report_url: String,
}

async fn batch_view<'a>(state: &AppState, ctx: &'a Ctx, actor: &Actor, b: Batch) -> Result<BatchPage<'a>, AppError> {
    let f = Filter { cohort: b.cohort, batch: Some(b.id), ..Filter::default() };
    let rows = store::list(&state.db, &f, 100_000).await?;
    Ok(BatchPage {
        ctx,
        l: ctx.locale,
        b,
        rows,
        today: time::today_china(),
        university: actor.role == Role::UniversityStaff,
        message: String::new(),
        rows_read: 0,
        error_count: 0,
        errors: Vec::new(),
        report_url: String::new(),
    })
}

async fn batch_page(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, AppError> {
    let actor = ctx.require(OFFICES)?;
    let b = batch_for(&state, actor, id).await?;
    let title = format!("{} · {}", ctx.t("转递批次", "Batch"), b.name);
    let page = batch_view(&state, &ctx, actor, b).await?;
    ctx.page(&title, &page)
}

/// Seals or receives a whole batch (one shape for both routes): the school
/// office's step on its own batch; another school's is not found.
async fn move_batch(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    CsrfForm(_): CsrfForm<Vec<(String, String)>>,
    step: BatchStep,
) -> Result<Response, AppError> {
    let actor = ctx.require(&[Role::UniversityStaff])?;
    let b = batch_for(&state, actor, id).await?;
    let n = store::move_batch(&state.db, &ctx.audit_actor(), b.id, step).await?;
    state.cache.clear();
    Ok(redirect_with_flash(&format!("/archives/batches/{id}"), &step.done(n, ctx.locale)))
}

async fn import_tracking(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    multipart: axum::extract::Multipart,
) -> Result<Response, AppError> {
    let actor = ctx.require(&[Role::UniversityStaff])?;
    let b = batch_for(&state, actor, id).await?;
    let l = ctx.locale;
    let title = format!("{} · {}", ctx.t("转递批次", "Batch"), b.name);
    let mut p = batch_view(&state, &ctx, actor, b.clone()).await?;
    let Some(mut upload) = kernel::web::Upload::read(multipart).await else {
        p.message = l
            .pick(
                "上传失败：文件超过 20 MB 或传输中断。",
                "Upload failed: the file is over 20 MB or the transfer broke.",
            )
            .to_owned();
        return ctx.page(&title, &p);
    };
    if !upload.csrf_matches(&ctx.csrf) {
        return Err(AppError::Csrf);
    }
    if upload.bytes.is_empty() {
        p.message = l
            .pick("请选择要上传的文件（.xlsx、.xls 或 .csv）。", "Choose a file to upload (.xlsx, .xls or .csv).")
            .to_owned();
        return ctx.page(&title, &p);
    }
    if upload.file_name.is_empty() {
        upload.file_name = "tracking.xlsx".to_owned();
    }
    let file_name = upload.file_name.clone();
    let bytes = std::mem::take(&mut upload.bytes);
    let limits = state.config.sheet_limits();
    match store::import_tracking(&state.db, &ctx.audit_actor(), &b, &file_name, bytes, limits, l).await {
        Ok(store::Outcome::Imported { rows }) => {
            state.cache.clear();
            let m = match l {
                Locale::Zh => format!("已导入 {rows} 条寄送记录。"),
                Locale::En => format!("{rows} dispatches imported."),
            };
            Ok(redirect_with_flash(&format!("/archives/batches/{id}"), &m))
        }
        Ok(store::Outcome::Rejected { rows, errors, report }) => {
            p.rows_read = rows;
            p.error_count = errors.total;
            p.errors = errors.listed.into_iter().take(SHOWN_ERRORS).map(|e| e.told(l)).collect();
            let token = kernel::sheet::reports::keep(
                &state.db,
                ctx.actor()?,
                &file_name,
                &report,
                state.config.import_reports_days,
            )
            .await?;
            p.report_url = kernel::sheet::reports::url(&token);
            ctx.page(&title, &p)
        }
        Err(store::ImportError::Read(e)) => {
            p.message = e.message(l);
            ctx.page(&title, &p)
        }
        Err(store::ImportError::Db(e)) => Err(e.into()),
        Err(e) => Err(AppError::Internal(anyhow::anyhow!(e.to_string()))),
    }
}

// ---------------------------------------------------------------- centres

#[derive(Template)]
#[template(path = "archives/centres.html")]
struct CentresPage<'a> {
    ctx: &'a Ctx,
    l: Locale,
    centres: Vec<Centre>,
    province: bool,
    form: store::CentreForm,
    error: String,
    message: String,
    rows_read: usize,
    error_count: usize,
    errors: Vec<kernel::sheet::RowError<String>>,
    report_url: String,
}

async fn centres_view<'a>(state: &AppState, ctx: &'a Ctx, actor: &Actor) -> Result<CentresPage<'a>, AppError> {
    Ok(CentresPage {
        ctx,
        l: ctx.locale,
        centres: store::centres(&state.db).await?,
        province: actor.role == Role::ProvinceAdmin,
        form: store::CentreForm::default(),
        error: String::new(),
        message: String::new(),
        rows_read: 0,
        error_count: 0,
        errors: Vec::new(),
        report_url: String::new(),
    })
}

fn centres_title(ctx: &Ctx) -> &'static str {
    ctx.t("人才服务机构", "Talent service centres")
}

async fn centres_page(State(state): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    let actor = ctx.require(OFFICES)?;
    scope(actor, None)?;
    let page = centres_view(&state, &ctx, actor).await?;
    ctx.page(centres_title(&ctx), &page)
}

async fn save_centre(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let actor = ctx.require(&[Role::ProvinceAdmin])?;
    let form = store::CentreForm::from_pairs(&pairs);
    let mut tx = state.db.begin().await?;
    let known = store::region_known(&mut tx, &form.region_code).await?;
    if let Err((_, m)) = store::check_centre(&form, known, ctx.locale) {
        drop(tx);
        let mut page = centres_view(&state, &ctx, actor).await?;
        page.form = form;
        page.error = m;
        return ctx.page(centres_title(&ctx), &page);
    }
    store::save_centre(&mut tx, &ctx.audit_actor(), &form).await?;
    tx.commit().await?;
    Ok(redirect_with_flash("/archives/centres", ctx.t("人才服务机构已保存。", "Centre saved.")))
}

async fn import_centres(
    State(state): State<AppState>,
    ctx: Ctx,
    multipart: axum::extract::Multipart,
) -> Result<Response, AppError> {
    let actor = ctx.require(&[Role::ProvinceAdmin])?;
    let l = ctx.locale;
    let mut p = centres_view(&state, &ctx, actor).await?;
    let Some(mut upload) = kernel::web::Upload::read(multipart).await else {
        p.message = l
            .pick(
                "上传失败：文件超过 20 MB 或传输中断。",
                "Upload failed: the file is over 20 MB or the transfer broke.",
            )
            .to_owned();
        return ctx.page(centres_title(&ctx), &p);
    };
    if !upload.csrf_matches(&ctx.csrf) {
        return Err(AppError::Csrf);
    }
    if upload.bytes.is_empty() {
        p.message = l
            .pick("请选择要上传的文件（.xlsx、.xls 或 .csv）。", "Choose a file to upload (.xlsx, .xls or .csv).")
            .to_owned();
        return ctx.page(centres_title(&ctx), &p);
    }
    if upload.file_name.is_empty() {
        upload.file_name = "centres.xlsx".to_owned();
    }
    let file_name = upload.file_name.clone();
    let bytes = std::mem::take(&mut upload.bytes);
    match store::import_centres(&state.db, &ctx.audit_actor(), &file_name, bytes, state.config.sheet_limits(), l).await
    {
        Ok(store::Outcome::Imported { rows }) => {
            let m = match l {
                Locale::Zh => format!("已导入 {rows} 个人才服务机构。"),
                Locale::En => format!("{rows} centres imported."),
            };
            Ok(redirect_with_flash("/archives/centres", &m))
        }
        Ok(store::Outcome::Rejected { rows, errors, report }) => {
            p.rows_read = rows;
            p.error_count = errors.total;
            p.errors = errors.listed.into_iter().take(SHOWN_ERRORS).map(|e| e.told(l)).collect();
            let token = kernel::sheet::reports::keep(
                &state.db,
                ctx.actor()?,
                &file_name,
                &report,
                state.config.import_reports_days,
            )
            .await?;
            p.report_url = kernel::sheet::reports::url(&token);
            ctx.page(centres_title(&ctx), &p)
        }
        Err(store::ImportError::Read(e)) => {
            p.message = e.message(l);
            ctx.page(centres_title(&ctx), &p)
        }
        Err(store::ImportError::Db(e)) => Err(e.into()),
        Err(e) => Err(AppError::Internal(anyhow::anyhow!(e.to_string()))),
    }
}

// ---------------------------------------------------------------- figures

#[derive(Template)]
#[template(path = "archives/figures.html")]
struct FiguresPage {
    l: Locale,
    cohort: i64,
    rows: Vec<Counts>,
    total: Counts,
    province: bool,
}

#[derive(Deserialize, Default)]
struct FiguresQuery {
    #[serde(default)]
    format: String,
    #[serde(default)]
    institution: String,
}

/// Per institution: receivers confirmed, sealed, dispatched, received,
/// returned, overdue and the completion rate; `?format=xlsx` downloads it.
async fn figures_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<FiguresQuery>,
) -> Result<Response, AppError> {
    let actor = ctx.require(OFFICES)?;
    let institution = scope(actor, q.institution.trim().parse().ok())?;
    let cohort = registry::cohorts::latest_year(&state).await?;
    let rows = store::counts(&state.db, cohort, institution, time::today_china()).await?;
    let total = store::total(&rows);
    let l = ctx.locale;
    if !q.format.is_empty() {
        let mut sheet = vec![[
            l.pick("高校", "Institution"),
            l.pick("毕业生", "Graduates"),
            l.pick("已确认接收单位", "Receivers confirmed"),
            l.pick("已封存", "Sealed"),
            l.pick("已寄出", "Dispatched"),
            l.pick("已签收", "Received"),
            l.pick("曾退回", "Returned"),
            l.pick("逾期", "Overdue"),
            l.pick("完成率", "Completion"),
        ]
        .map(String::from)
        .to_vec()];
        for c in rows.iter().chain(std::iter::once(&total)) {
            let name =
                if c.institution.is_empty() { l.pick("合计", "Total").to_owned() } else { c.institution.clone() };
            sheet.push(vec![
                name,
                c.graduates.to_string(),
                c.with_receiver().to_string(),
                c.sealed.to_string(),
                c.dispatched.to_string(),
                c.received.to_string(),
                c.returned.to_string(),
                c.overdue.to_string(),
                c.completion(),
            ]);
        }
        let stem = format!("{}-{cohort}", l.pick("档案转递情况", "archive-transfers"));
        return kernel::web::export::download(
            &sheet,
            &q.format,
            &stem,
            l.pick("档案转递情况", "Archive transfers"),
            None,
        );
    }
    let page = FiguresPage { l, cohort, rows, total, province: actor.role == Role::ProvinceAdmin };
    ctx.page(ctx.t("档案转递统计", "Archive transfer figures"), &page)
}

// ---------------------------------------------------------------- the graduate's own

#[derive(Template)]
#[template(path = "archives/mine.html")]
struct MinePage {
    l: Locale,
    t: Option<Transfer>,
    steps: Vec<Step>,
}

async fn my_page(State(state): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    let actor = ctx.require(&[Role::Graduate])?;
    let graduate = actor.graduate_id.ok_or(AppError::Forbidden)?;
    let t = store::of_graduate(&state.db, graduate).await?;
    let steps = match &t {
        Some(t) => store::steps(&state.db, t.id).await?,
        None => Vec::new(),
    };
    ctx.page(ctx.t("我的档案", "My archive"), &MinePage { l: ctx.locale, t, steps })
}

// ---------------------------------------------------------------- the public check

#[derive(Deserialize, Default)]
struct CheckQuery {
    #[serde(default)]
    number: String,
    #[serde(default)]
    name: String,
}

#[derive(Template)]
#[template(path = "archives/check.html")]
struct CheckPage<'a> {
    l: Locale,
    number: &'a str,
    name: &'a str,
    asked: bool,
    found: Option<(Stage, String)>,
    limited: bool,
}

/// A receiving office checks a transfer number with the graduate's name: a
/// match answers the state and since when, anything else the same "no match".
async fn check_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<CheckQuery>,
) -> Result<Response, AppError> {
    let number = q.number.chars().take(40).collect::<String>();
    let name = q.name.chars().take(50).collect::<String>();
    // The QR code opens the page with the number alone: that is a form to fill, not a check.
    let asked = !name.trim().is_empty();
    let mut found = None;
    let mut limited = false;
    if asked {
        let mut tx = state.db.begin().await?;
        if crate::rules::CHECKS.take(&mut tx, &ctx.client_addr).await? {
            found = store::check(&mut tx, &number, &name).await?;
        } else {
            limited = true;
        }
        tx.commit().await?;
    }
    let page = CheckPage { l: ctx.locale, number: &number, name: &name, asked, found, limited };
    ctx.page(ctx.t("档案转递查验", "Archive transfer check"), &page)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_sheet_columns_are_found_by_either_language() {
        assert_eq!(crate::rules::tracking_column_of("邮件号"), Some(crate::rules::TrackingColumn::TrackingNo));
        assert_eq!(crate::rules::tracking_column_of("Channel"), Some(crate::rules::TrackingColumn::Channel));
    }
}
