//! The province's expert pool (/programmes/experts: list, add, import from
//! .xlsx, edit, links, deactivate) and the working-day calendar
//! (/programmes/calendar: holidays and swapped working days, with a 公示
//! end-date reckoner). Only the province sees the pool; university staff may
//! read the calendar. Handlers are thin: checks in `pool`, SQL in `store`.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{DefaultBodyLimit, Multipart, Path, Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;

use kernel::auth::Role;
use kernel::sheet::{self, RowError};
use kernel::web::{redirect_with_flash, AppError, AppState, CsrfForm, Ctx, Upload};
use kernel::{mask, time, validate, Locale};

use super::pool::{self, ExpertForm, LinkKind};
use super::store::{self, Day, Expert, ImportError, Link, Outcome};
use kernel::calendar::DayKind;

/// Uploads at most this large.
const MAX_UPLOAD: usize = 20 * 1024 * 1024;
/// Errors shown on the page; the report holds all of them.
const SHOWN_ERRORS: usize = 500;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/programmes/experts", get(pool_page).post(create))
        .route("/programmes/experts/import", post(import).layer(DefaultBodyLimit::max(MAX_UPLOAD + 64 * 1024)))
        .route("/programmes/experts/{id}", get(expert_page).post(save))
        .route("/programmes/experts/{id}/active", post(set_active))
        .route("/programmes/experts/{id}/links", post(add_link))
        .route("/programmes/experts/{id}/links/{link}/delete", post(remove_link))
        .route("/programmes/calendar", get(calendar_page).post(set_day))
        .route("/programmes/calendar/delete", post(remove_day))
}

const PROVINCE: &[Role] = &[Role::ProvinceAdmin];

/// (id, name) of every institution.
type Institutions = Vec<(i64, String)>;

async fn institutions(state: &AppState) -> Result<Institutions, AppError> {
    Ok(store::institutions(&state.db).await?.into_iter().map(|(id, _, name)| (id, name)).collect())
}

fn ids(i: &Institutions) -> Vec<i64> {
    i.iter().map(|(id, _)| *id).collect()
}

// ---------------------------------------------------------------- the pool

#[derive(Template)]
#[template(path = "review/experts.html")]
struct PoolPage<'a> {
    ctx: &'a Ctx,
    l: Locale,
    experts: Vec<Expert>,
    field_names: HashMap<String, String>,
    fields: Vec<(String, String)>,
    institutions: Institutions,
    form: ExpertForm,
    error: String,
    message: String,
    errors: Vec<RowError<String>>,
    error_count: usize,
    listed: usize,
    rows: usize,
    report_url: String,
}

impl PoolPage<'_> {
    fn fields_of(&self, e: &Expert) -> String {
        e.fields
            .iter()
            .map(|c| self.field_names.get(c).cloned().unwrap_or_else(|| c.clone()))
            .collect::<Vec<_>>()
            .join("、")
    }
    fn phone(&self, e: &Expert) -> String {
        phone_for(self.ctx, &e.phone)
    }
    fn institution_selected(&self, id: &i64) -> bool {
        self.form.institution == id.to_string()
    }
}

/// The phone as the reader may see it: whole for the province, masked otherwise.
fn phone_for(ctx: &Ctx, phone: &str) -> String {
    match ctx.actor() {
        Ok(a) if a.role == Role::ProvinceAdmin => phone.to_owned(),
        _ => mask::phone(phone),
    }
}

async fn pool_view<'a>(
    state: &AppState,
    ctx: &'a Ctx,
    form: ExpertForm,
    error: String,
) -> Result<PoolPage<'a>, AppError> {
    let fields = store::fields(&state.db, ctx.locale).await?;
    Ok(PoolPage {
        ctx,
        l: ctx.locale,
        experts: store::list(&state.db).await?,
        field_names: fields.iter().cloned().collect(),
        fields,
        institutions: institutions(state).await?,
        form,
        error,
        message: String::new(),
        errors: Vec::new(),
        error_count: 0,
        listed: 0,
        rows: 0,
        report_url: String::new(),
    })
}

fn pool_title(ctx: &Ctx) -> &'static str {
    ctx.t("评审专家库", "Expert pool")
}

async fn pool_page(State(state): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    ctx.require(PROVINCE)?;
    let p = pool_view(&state, &ctx, ExpertForm::default(), String::new()).await?;
    ctx.page(pool_title(&ctx), &p)
}

/// The expert form's fields; `fields` repeats (one checkbox per field code).
fn expert_form(pairs: &[(String, String)]) -> ExpertForm {
    let mut f = ExpertForm::default();
    for (k, v) in pairs {
        match k.as_str() {
            "name" => f.name = v.clone(),
            "institution" => f.institution = v.clone(),
            "affiliation" => f.affiliation = v.clone(),
            "title" => f.title = v.clone(),
            "phone" => f.phone = v.clone(),
            "fields" => f.fields.push(v.clone()),
            "account" => f.account = v.clone(),
            _ => {}
        }
    }
    f
}

/// Checks a form: the expert, or the message.
async fn checked(state: &AppState, ctx: &Ctx, form: &ExpertForm) -> Result<Result<pool::NewExpert, String>, AppError> {
    let l = ctx.locale;
    let insts = ids(&institutions(state).await?);
    let fields: Vec<String> = store::fields(&state.db, l).await?.into_iter().map(|(c, _)| c).collect();
    Ok(pool::check_expert(form, &insts, &fields, l))
}

/// The account an expert names, resolved inside the writing transaction.
async fn account_of(
    ctx: &Ctx,
    e: &pool::NewExpert,
    tx: &mut kernel::Tx,
    except: Option<i64>,
) -> Result<Result<Option<i64>, String>, AppError> {
    Ok(match &e.account {
        None => Ok(None),
        Some(u) => store::account_for(tx, u, except).await?.map(Some).map_err(|p| p.message(ctx.locale).to_owned()),
    })
}

async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    ctx.require(PROVINCE)?;
    let form = expert_form(&pairs);
    let e = match checked(&state, &ctx, &form).await? {
        Ok(e) => e,
        Err(error) => {
            let p = pool_view(&state, &ctx, form, error).await?;
            return ctx.page(pool_title(&ctx), &p);
        }
    };
    let mut tx = state.db.begin().await?;
    let account = match account_of(&ctx, &e, &mut tx, None).await? {
        Ok(a) => a,
        Err(error) => {
            drop(tx);
            let p = pool_view(&state, &ctx, form, error).await?;
            return ctx.page(pool_title(&ctx), &p);
        }
    };
    let id = store::create(&mut tx, &ctx.audit_actor(), &e, account).await?;
    tx.commit().await?;
    Ok(redirect_with_flash(&format!("/programmes/experts/{id}"), ctx.t("专家已入库。", "Expert added to the pool.")))
}

async fn import(State(state): State<AppState>, ctx: Ctx, multipart: Multipart) -> Result<Response, AppError> {
    ctx.require(PROVINCE)?;
    let l = ctx.locale;
    let mut p = pool_view(&state, &ctx, ExpertForm::default(), String::new()).await?;
    let Some(mut upload) = Upload::read(multipart).await else {
        p.message = l
            .pick(
                "上传失败：文件超过 20 MB 或传输中断。请拆分文件后重试。",
                "Upload failed: the file is over 20 MB or the transfer broke. Split the file and try again.",
            )
            .to_owned();
        return ctx.page(pool_title(&ctx), &p);
    };
    if !upload.csrf_matches(&ctx.csrf) {
        return Err(AppError::Csrf);
    }
    if upload.bytes.is_empty() {
        p.message = l
            .pick("请选择要上传的文件（.xlsx、.xls 或 .csv）。", "Choose a file to upload (.xlsx, .xls or .csv).")
            .to_owned();
        return ctx.page(pool_title(&ctx), &p);
    }
    if upload.file_name.is_empty() {
        upload.file_name = "experts.xlsx".to_owned();
    }
    let file_name = upload.file_name.clone();
    let bytes = std::mem::take(&mut upload.bytes);
    let limits = state.config.sheet_limits();
    match store::import(&state.db, &ctx.audit_actor(), &file_name, bytes, limits, l).await {
        Ok(Outcome::Imported { rows }) => {
            let message = match l {
                Locale::Zh => format!("已导入 {rows} 位专家。"),
                Locale::En => format!("{rows} experts imported."),
            };
            Ok(redirect_with_flash("/programmes/experts", &message))
        }
        Ok(Outcome::Rejected { rows, errors, report }) => {
            p.rows = rows;
            p.error_count = errors.total;
            p.listed = errors.listed.len();
            p.errors = errors.listed.into_iter().take(SHOWN_ERRORS).map(|e| e.told(l)).collect();
            let days = state.config.import_reports_days;
            let token = sheet::reports::keep(&state.db, ctx.actor()?, &file_name, &report, days).await?;
            p.report_url = sheet::reports::url(&token);
            ctx.page(pool_title(&ctx), &p)
        }
        Err(ImportError::Read(e)) => {
            p.message = e.message(l);
            ctx.page(pool_title(&ctx), &p)
        }
        Err(ImportError::Db(e)) => Err(e.into()),
        Err(e) => Err(AppError::Internal(anyhow::anyhow!(e.to_string()))),
    }
}

// ---------------------------------------------------------------- one expert

#[derive(Template)]
#[template(path = "review/expert.html")]
struct ExpertPage<'a> {
    ctx: &'a Ctx,
    l: Locale,
    e: Expert,
    links: Vec<Link>,
    fields: Vec<(String, String)>,
    institutions: Institutions,
    kinds: Vec<(&'static str, &'static str)>,
    form: ExpertForm,
    error: String,
    link_error: String,
}

impl ExpertPage<'_> {
    fn institution_selected(&self, id: &i64) -> bool {
        self.form.institution == id.to_string()
    }
    fn kind_label(&self, k: &LinkKind) -> &'static str {
        k.label(self.l)
    }
}

fn form_of(e: &Expert) -> ExpertForm {
    ExpertForm {
        name: e.name.clone(),
        institution: e.institution_id.map(|i| i.to_string()).unwrap_or_default(),
        affiliation: e.affiliation.clone(),
        title: e.title.clone(),
        phone: e.phone.clone(),
        fields: e.fields.clone(),
        account: e.username.clone().unwrap_or_default(),
    }
}

async fn render_expert(
    state: &AppState,
    ctx: &Ctx,
    e: Expert,
    form: Option<ExpertForm>,
    error: String,
    link_error: String,
) -> Result<Response, AppError> {
    let l = ctx.locale;
    let page = ExpertPage {
        ctx,
        l,
        links: store::links(&state.db, e.id).await?,
        fields: store::fields(&state.db, l).await?,
        institutions: institutions(state).await?,
        kinds: LinkKind::ALL.iter().map(|k| (k.code(), k.label(l))).collect(),
        form: form.unwrap_or_else(|| form_of(&e)),
        error,
        link_error,
        e,
    };
    let title = format!("{}：{}", ctx.t("评审专家", "Expert"), page.e.name);
    ctx.page(&title, &page)
}

async fn expert_of(state: &AppState, ctx: &Ctx, id: i64) -> Result<Expert, AppError> {
    ctx.require(PROVINCE)?;
    store::get(&state.db, id).await?.ok_or(AppError::NotFound)
}

async fn expert_page(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, AppError> {
    let e = expert_of(&state, &ctx, id).await?;
    render_expert(&state, &ctx, e, None, String::new(), String::new()).await
}

async fn save(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let old = expert_of(&state, &ctx, id).await?;
    let form = expert_form(&pairs);
    let e = match checked(&state, &ctx, &form).await? {
        Ok(e) => e,
        Err(error) => return render_expert(&state, &ctx, old, Some(form), error, String::new()).await,
    };
    let mut tx = state.db.begin().await?;
    let account = match account_of(&ctx, &e, &mut tx, Some(id)).await? {
        Ok(a) => a,
        Err(error) => {
            drop(tx);
            return render_expert(&state, &ctx, old, Some(form), error, String::new()).await;
        }
    };
    store::update(&mut tx, &ctx.audit_actor(), &old, &e, account).await?;
    tx.commit().await?;
    Ok(redirect_with_flash(&format!("/programmes/experts/{id}"), ctx.t("已保存。", "Saved.")))
}

#[derive(Deserialize)]
struct ActiveFields {
    #[serde(default)]
    active: String,
}

async fn set_active(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<ActiveFields>,
) -> Result<Response, AppError> {
    let e = expert_of(&state, &ctx, id).await?;
    let active = f.active == "1";
    let mut tx = state.db.begin().await?;
    store::set_active(&mut tx, &ctx.audit_actor(), e.id, active).await?;
    tx.commit().await?;
    let m = if active {
        ctx.t("专家已恢复。", "Expert reactivated.")
    } else {
        ctx.t("专家已停用。", "Expert deactivated.")
    };
    Ok(redirect_with_flash(&format!("/programmes/experts/{id}"), m))
}

#[derive(Deserialize)]
struct LinkFields {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    institution: String,
    #[serde(default)]
    note: String,
}

async fn add_link(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<LinkFields>,
) -> Result<Response, AppError> {
    let e = expert_of(&state, &ctx, id).await?;
    let insts = ids(&institutions(&state).await?);
    let link = match pool::check_link(&f.kind, &f.name, &f.institution, &f.note, &insts, ctx.locale) {
        Ok(k) => k,
        Err(m) => return render_expert(&state, &ctx, e, None, String::new(), m).await,
    };
    let mut tx = state.db.begin().await?;
    store::add_link(&mut tx, &ctx.audit_actor(), e.id, &link).await?;
    tx.commit().await?;
    Ok(redirect_with_flash(&format!("/programmes/experts/{id}#links"), ctx.t("回避关系已添加。", "Link added.")))
}

async fn remove_link(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, link)): Path<(i64, i64)>,
    CsrfForm(_): CsrfForm<kernel::web::NoFields>,
) -> Result<Response, AppError> {
    let e = expert_of(&state, &ctx, id).await?;
    let mut tx = state.db.begin().await?;
    let removed = store::remove_link(&mut tx, &ctx.audit_actor(), e.id, link).await?;
    tx.commit().await?;
    if !removed {
        return Err(AppError::NotFound);
    }
    Ok(redirect_with_flash(&format!("/programmes/experts/{id}#links"), ctx.t("回避关系已删除。", "Link removed.")))
}

// ---------------------------------------------------------------- calendar

#[derive(Template)]
#[template(path = "review/calendar.html")]
struct CalendarPage<'a> {
    ctx: &'a Ctx,
    l: Locale,
    province: bool,
    year: i32,
    years: Vec<i32>,
    days: Vec<Day>,
    covered: bool,
    day: String,
    kind: String,
    name: String,
    error: String,
    start: String,
    n: String,
    /// The reckoner's answer: (end of the notice, the n working days listed).
    end: Option<(String, Vec<String>)>,
    reckon_error: String,
}

impl CalendarPage<'_> {
    fn kind_label(&self, k: &DayKind) -> &'static str {
        match k {
            DayKind::Holiday => self.l.pick("放假", "Holiday"),
            DayKind::Workday => self.l.pick("调休上班", "Working day (swapped)"),
        }
    }
}

#[derive(Debug, Default, Deserialize)]
struct CalendarQuery {
    #[serde(default)]
    year: String,
    #[serde(default)]
    start: String,
    #[serde(default)]
    n: String,
}

fn calendar_title(ctx: &Ctx) -> &'static str {
    ctx.t("工作日历", "Working-day calendar")
}

async fn calendar_view<'a>(state: &AppState, ctx: &'a Ctx, q: &CalendarQuery) -> Result<CalendarPage<'a>, AppError> {
    let actor = ctx.require(&[Role::ProvinceAdmin, Role::UniversityStaff])?;
    let l = ctx.locale;
    let today = time::today_china();
    let year = q.year.trim().parse::<i32>().ok().filter(|y| (2000..=2100).contains(y)).unwrap_or_else(|| {
        use chrono::Datelike;
        today.year()
    });
    let cal = kernel::calendar::load(&state.db).await?;
    let mut end = None;
    let mut reckon_error = String::new();
    if !q.start.trim().is_empty() || !q.n.trim().is_empty() {
        match (validate::parse_date(q.start.trim()), q.n.trim().parse::<u32>().ok().filter(|n| (1..=60).contains(n))) {
            (Some(start), Some(n)) => {
                let last = cal.notice_end(start, n);
                let mut listed = Vec::new();
                let mut d = start;
                while d <= last {
                    if cal.is_working(d) {
                        listed.push(d.to_string());
                    }
                    d += chrono::Duration::days(1);
                }
                end = Some((last.to_string(), listed));
            }
            _ => {
                reckon_error = l
                    .pick(
                        "请填写开始日期（如 2022-09-29）和 1 至 60 个工作日。",
                        "Give a start date (such as 2022-09-29) and 1 to 60 working days.",
                    )
                    .to_owned()
            }
        }
    }
    Ok(CalendarPage {
        ctx,
        l,
        province: actor.role == Role::ProvinceAdmin,
        year,
        years: store::years(&state.db).await?,
        days: store::days(&state.db, year).await?,
        covered: cal.covers(year),
        day: String::new(),
        kind: "holiday".into(),
        name: String::new(),
        error: String::new(),
        start: q.start.clone(),
        n: if q.n.is_empty() { "5".into() } else { q.n.clone() },
        end,
        reckon_error,
    })
}

async fn calendar_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<CalendarQuery>,
) -> Result<Response, AppError> {
    let p = calendar_view(&state, &ctx, &q).await?;
    ctx.page(calendar_title(&ctx), &p)
}

#[derive(Deserialize)]
struct DayFields {
    #[serde(default)]
    day: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    name: String,
}

async fn set_day(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(f): CsrfForm<DayFields>,
) -> Result<Response, AppError> {
    ctx.require(PROVINCE)?;
    let d = match pool::check_day(&f.day, &f.kind, &f.name, ctx.locale) {
        Ok(d) => d,
        Err(error) => {
            let year = f.day.get(..4).unwrap_or_default().to_owned();
            let mut p = calendar_view(&state, &ctx, &CalendarQuery { year, ..CalendarQuery::default() }).await?;
            p.day = f.day;
            p.kind = f.kind;
            p.name = f.name;
            p.error = error;
            return ctx.page(calendar_title(&ctx), &p);
        }
    };
    let mut tx = state.db.begin().await?;
    store::set_day(&mut tx, &ctx.audit_actor(), &d).await?;
    tx.commit().await?;
    use chrono::Datelike;
    Ok(redirect_with_flash(
        &format!("/programmes/calendar?year={}", d.day.year()),
        ctx.t("日历已更新。", "Calendar updated."),
    ))
}

#[derive(Deserialize)]
struct RemoveFields {
    #[serde(default)]
    day: String,
}

async fn remove_day(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(f): CsrfForm<RemoveFields>,
) -> Result<Response, AppError> {
    ctx.require(PROVINCE)?;
    let day = validate::parse_date(f.day.trim()).ok_or(AppError::NotFound)?;
    let mut tx = state.db.begin().await?;
    let removed = store::remove_day(&mut tx, &ctx.audit_actor(), day).await?;
    tx.commit().await?;
    if !removed {
        return Err(AppError::NotFound);
    }
    use chrono::Datelike;
    Ok(redirect_with_flash(
        &format!("/programmes/calendar?year={}", day.year()),
        ctx.t("已从日历删除。", "Removed from the calendar."),
    ))
}
