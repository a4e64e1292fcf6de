//! The quality reports' pages: the public list of published reports
//! (/reports, no login) and their downloads; the submission page
//! (/reports/manage: the province's deadline, list and publishing, an
//! institution's upload); the status notice (/reports/notice) as a print and
//! an .xlsx, sent to late and missing institutions; the data appendix
//! (/reports/appendix) as a print and an .xlsx.

use std::sync::Arc;

use askama::Template;
use axum::extract::{DefaultBodyLimit, Multipart, Path, Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use chrono::{NaiveDate, Utc};
use serde::Deserialize;

use kernel::auth::{Actor, Role, Scope};
use kernel::files::Kind;
use kernel::web::export::{self, Sheet};
use kernel::web::{redirect_with_flash, AppError, AppState, CsrfForm, Ctx, Upload};
use kernel::{time, Locale};
use outcomes::statistics::Placements;
use outcomes::OutcomesState;

use super::appendix::{self, Appendix};
use super::rules::{self, Standing};
use super::store::{self, Deadline, Report, StoreError, Submission};

/// A report's PDF at most this large.
pub const REPORT_LIMIT: usize = 20 * 1024 * 1024;

pub fn routes() -> Router<OutcomesState> {
    Router::new()
        .route("/reports", get(public_page))
        .route("/reports/{id}/file", get(download))
        .route("/reports/manage", get(manage_page))
        .route("/reports/deadline", post(set_deadline))
        .route("/reports/upload", post(upload).layer(DefaultBodyLimit::max(REPORT_LIMIT + 64 * 1024)))
        .route("/reports/{id}/publish", post(publish))
        .route("/reports/publish-all", post(publish_all))
        .route("/reports/notice", get(notice_page))
        .route("/reports/notice/send", post(send_notice))
        .route("/reports/appendix", get(appendix_page))
}

const OFFICES: &[Role] = &[Role::ProvinceAdmin, Role::UniversityStaff];

/// The province, or an institution's own office: a report is the whole
/// institution's, so a college's staff neither submit it nor read its appendix.
fn office(ctx: &Ctx) -> Result<&Actor, AppError> {
    let actor = ctx.require(OFFICES)?;
    match actor.role {
        Role::UniversityStaff if actor.college_id.is_some() || actor.institution_id.is_none() => {
            Err(AppError::Forbidden)
        }
        _ => Ok(actor),
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> AppError {
        match e {
            StoreError::Db(e) => AppError::Db(e),
            StoreError::Published => AppError::Conflict("published".to_owned()),
        }
    }
}

#[derive(Debug, Default, Deserialize)]
struct CohortQuery {
    #[serde(default)]
    cohort: String,
    #[serde(default)]
    format: String,
}

// ---------------------------------------------------------------- public

#[derive(Template)]
#[template(path = "reports/public.html")]
struct PublicPage {
    l: Locale,
    /// Published reports by cohort, newest first.
    cohorts: Vec<(i64, Vec<Report>)>,
}

async fn public_page(State(state): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    let mut cohorts: Vec<(i64, Vec<Report>)> = Vec::new();
    for r in store::published(&state.db).await? {
        match cohorts.last_mut() {
            Some((year, list)) if *year == r.cohort => list.push(r),
            _ => cohorts.push((r.cohort, vec![r])),
        }
    }
    ctx.page(
        ctx.t("高校毕业生就业质量年度报告", "Annual employment quality reports"),
        &PublicPage { l: ctx.locale, cohorts },
    )
}

/// Whether the actor may read a report the province has not published: the
/// province, and the staff of the report's institution.
fn may_read_unpublished(actor: Option<&Actor>, r: &Report) -> bool {
    actor.is_some_and(|a| match a.role {
        Role::ProvinceAdmin => true,
        Role::UniversityStaff => a.institution_id == Some(r.institution_id),
        _ => false,
    })
}

/// The report's PDF under a name of ours; an unpublished one is 404 to anyone
/// who may not read it, as if it did not exist.
async fn download(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, AppError> {
    let r = store::get(&state.db, id).await?.ok_or(AppError::NotFound)?;
    if !r.published() && !may_read_unpublished(ctx.actor.as_ref(), &r) {
        return Err(AppError::NotFound);
    }
    let stem = format!("{}{}", r.cohort, ctx.t("届就业质量年度报告", "-quality-report"));
    export::stored_document(&state.config.files(), &r.file_sha256, &stem, r.id, &r.content_type)
}

// ---------------------------------------------------------------- submission

#[derive(Template)]
#[template(path = "reports/manage.html")]
struct ManagePage<'a> {
    ctx: &'a Ctx,
    l: Locale,
    cohort: i64,
    cohorts: Vec<i64>,
    deadline: Option<Deadline>,
    province: bool,
    /// The province's list, or the institution's own line.
    submissions: Vec<Submission>,
    on_time: usize,
    late: usize,
    missing: usize,
    unpublished: usize,
    error: String,
}

impl ManagePage<'_> {
    fn due(&self) -> String {
        self.deadline.as_ref().map(|d| d.due_on.to_string()).unwrap_or_default()
    }
}

async fn cohort_years(state: &AppState) -> Result<Vec<i64>, AppError> {
    let mut years: Vec<i64> = registry::cohorts::all(&state.db).await?.into_iter().map(|c| c.year).collect();
    years.sort_unstable_by(|a, b| b.cmp(a));
    Ok(years)
}

/// The submissions the actor sees: all for the province, its own for staff.
async fn visible(
    state: &AppState,
    actor: &Actor,
    cohort: i64,
) -> Result<(Option<Deadline>, Vec<Submission>), AppError> {
    let deadline = store::deadline(&state.db, cohort).await?;
    let mut list = store::submissions(&state.db, cohort, deadline.as_ref().map(|d| d.due_on), Utc::now()).await?;
    if actor.role != Role::ProvinceAdmin {
        let own = actor.institution_id.ok_or(AppError::Forbidden)?;
        list.retain(|s| s.institution_id == own);
    }
    Ok((deadline, list))
}

async fn render_manage(state: &AppState, ctx: &Ctx, cohort: i64, error: String) -> Result<Response, AppError> {
    let actor = office(ctx)?;
    let (deadline, submissions) = visible(state, actor, cohort).await?;
    let count = |f: fn(&Standing) -> bool| submissions.iter().filter(|s| f(&s.standing)).count();
    let page = ManagePage {
        ctx,
        l: ctx.locale,
        cohort,
        cohorts: cohort_years(state).await?,
        deadline,
        province: actor.role == Role::ProvinceAdmin,
        on_time: count(|s| *s == Standing::OnTime),
        late: count(|s| matches!(s, Standing::Late { .. })),
        missing: count(|s| *s == Standing::Missing),
        unpublished: submissions.iter().filter(|s| s.report.as_ref().is_some_and(|r| !r.published())).count(),
        submissions,
        error,
    };
    ctx.page(ctx.t("就业质量年度报告", "Employment quality reports"), &page)
}

async fn manage_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<CohortQuery>,
) -> Result<Response, AppError> {
    office(&ctx)?;
    let cohort = registry::cohorts::year_or_latest(&state, &q.cohort).await?;
    render_manage(&state, &ctx, cohort, String::new()).await
}

#[derive(Debug, Deserialize)]
struct DeadlineForm {
    #[serde(default)]
    cohort: String,
    #[serde(default)]
    due_on: String,
}

async fn set_deadline(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(f): CsrfForm<DeadlineForm>,
) -> Result<Response, AppError> {
    ctx.require(&[Role::ProvinceAdmin])?;
    let cohort = registry::cohorts::year_or_latest(&state, &f.cohort).await?;
    let due_on = match rules::due_on(&f.due_on, ctx.locale) {
        Ok(d) => d,
        Err(message) => return render_manage(&state, &ctx, cohort, message).await,
    };
    let mut tx = state.db.begin().await?;
    store::set_deadline(&mut tx, &ctx.audit_actor(), cohort, due_on).await?;
    tx.commit().await?;
    Ok(redirect_with_flash(&format!("/reports/manage?cohort={cohort}"), ctx.t("截止日期已保存。", "Due date saved.")))
}

async fn upload(State(state): State<AppState>, ctx: Ctx, multipart: Multipart) -> Result<Response, AppError> {
    let actor = office(&ctx)?;
    if actor.role != Role::UniversityStaff {
        return Err(AppError::Forbidden);
    }
    // Staff upload for their own institution only: the institution is the account's, never a form field.
    let institution = actor.institution_id.ok_or(AppError::Forbidden)?;
    let l = ctx.locale;
    let Some(form) = Upload::read(multipart).await else {
        let cohort = registry::cohorts::year_or_latest(&state, "").await?;
        let message = l.pick(
            "上传失败：文件超过 20 MB 或传输中断。",
            "Upload failed: the file is over 20 MB or the transfer broke.",
        );
        return render_manage(&state, &ctx, cohort, message.to_owned()).await;
    };
    if !form.csrf_matches(&ctx.csrf) {
        return Err(AppError::Csrf);
    }
    let cohort = registry::cohorts::year_or_latest(&state, form.field("cohort")).await?;
    let refuse = |message: &str| render_manage(&state, &ctx, cohort, message.to_owned());
    if form.bytes.is_empty() {
        return refuse(l.pick("请选择报告的 PDF 文件。", "Choose the report's PDF file.")).await;
    }
    // A report is read and printed as a PDF: a scan as an image is not a report.
    if form.bytes.len() <= REPORT_LIMIT && Kind::judge(&form.bytes) != Some(Kind::Pdf) {
        return refuse(l.pick("只接受完整的 PDF 文件。", "Only a whole PDF file is accepted.")).await;
    }
    let fallback = l.pick("就业质量年度报告.pdf", "quality-report.pdf");
    let accepted =
        kernel::files::accept_document(&state.config.files(), &form.file_name, &form.bytes, REPORT_LIMIT, fallback, l)
            .map_err(|e| AppError::Internal(e.into()))?;
    let accepted = match accepted {
        Ok(a) => a,
        Err(message) => return refuse(&message).await,
    };
    let who = ctx.audit_actor();
    let mut tx = state.db.begin().await?;
    let replaced =
        match store::upload(&mut tx, &who, (cohort, institution), &accepted.shown_name, &accepted.stored).await {
            Ok(replaced) => replaced,
            Err(StoreError::Published) => {
                drop(tx);
                return refuse(
                    l.pick("报告已由省厅发布，不能再替换。", "The report is published and can no longer be replaced."),
                )
                .await;
            }
            Err(e) => return Err(e.into()),
        };
    tx.commit().await?;
    let flash = match replaced {
        true => l.pick("报告已替换。", "Report replaced."),
        false => l.pick("报告已提交。", "Report submitted."),
    };
    Ok(redirect_with_flash(&format!("/reports/manage?cohort={cohort}"), flash))
}

#[derive(Debug, Deserialize)]
struct CohortForm {
    #[serde(default)]
    cohort: String,
}

async fn publish(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    CsrfForm(_f): CsrfForm<CohortForm>,
) -> Result<Response, AppError> {
    ctx.require(&[Role::ProvinceAdmin])?;
    let r = store::get(&state.db, id).await?.ok_or(AppError::NotFound)?;
    let mut tx = state.db.begin().await?;
    let done = store::publish(&mut tx, &ctx.audit_actor(), id).await?;
    tx.commit().await?;
    let flash = match done {
        true => ctx.t("报告已发布到门户。", "Report published on the portal."),
        false => ctx.t("报告此前已发布。", "The report was already published."),
    };
    Ok(redirect_with_flash(&format!("/reports/manage?cohort={}", r.cohort), flash))
}

async fn publish_all(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(f): CsrfForm<CohortForm>,
) -> Result<Response, AppError> {
    ctx.require(&[Role::ProvinceAdmin])?;
    let cohort = registry::cohorts::year_or_latest(&state, &f.cohort).await?;
    let mut tx = state.db.begin().await?;
    let n = store::publish_all(&mut tx, &ctx.audit_actor(), cohort).await?;
    tx.commit().await?;
    let flash = match ctx.locale {
        Locale::Zh => format!("已发布 {n} 份报告。"),
        Locale::En => format!("{n} reports published."),
    };
    Ok(redirect_with_flash(&format!("/reports/manage?cohort={cohort}"), &flash))
}

// ---------------------------------------------------------------- the status notice

#[derive(Template)]
#[template(path = "reports/notice.html")]
struct NoticePage<'a> {
    ctx: &'a Ctx,
    l: Locale,
    cohort: i64,
    deadline: Option<Deadline>,
    on_time: Vec<Submission>,
    late: Vec<Submission>,
    missing: Vec<Submission>,
    expected: usize,
    printed: NaiveDate,
}

/// The notice's table: one row per institution, grouped on time, late, missing.
fn notice_rows(list: &[Submission], l: Locale) -> Vec<Vec<String>> {
    let mut rows = vec![vec![
        l.pick("序号", "No.").to_owned(),
        l.pick("院校代码", "Code").to_owned(),
        l.pick("院校", "Institution").to_owned(),
        l.pick("提交情况", "Standing").to_owned(),
        l.pick("逾期天数", "Days late").to_owned(),
        l.pick("提交时间", "Submitted").to_owned(),
    ]];
    let order = |s: &Standing| match s {
        Standing::OnTime => 0,
        Standing::Late { .. } => 1,
        Standing::Missing | Standing::NotYet => 2,
    };
    let mut sorted: Vec<&Submission> = list.iter().collect();
    sorted.sort_by_key(|s| (order(&s.standing), s.code.clone()));
    for (n, s) in sorted.iter().enumerate() {
        let days = match s.standing {
            Standing::Late { days } => days.to_string(),
            _ => String::new(),
        };
        let at = s.report.as_ref().map(Report::shown_submitted).unwrap_or_default();
        rows.push(vec![(n + 1).to_string(), s.code.clone(), s.institution.clone(), s.standing.label(l), days, at]);
    }
    rows
}

async fn notice_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<CohortQuery>,
) -> Result<Response, AppError> {
    let actor = ctx.require(&[Role::ProvinceAdmin])?;
    let cohort = registry::cohorts::year_or_latest(&state, &q.cohort).await?;
    let (deadline, list) = visible(&state, actor, cohort).await?;
    if q.format == "xlsx" {
        let rows = notice_rows(&list, ctx.locale);
        let title = format!("{cohort}{}", ctx.t("届质量报告提交通报", " quality reports"));
        let stem = format!("{}-{cohort}", ctx.t("质量报告提交通报", "quality-report-notice"));
        return export::download(&rows, "xlsx", &stem, &title, None);
    }
    let (mut on_time, mut late, mut missing) = (Vec::new(), Vec::new(), Vec::new());
    let expected = list.len();
    for s in list {
        match s.standing {
            Standing::OnTime => on_time.push(s),
            Standing::Late { .. } => late.push(s),
            Standing::Missing | Standing::NotYet => missing.push(s),
        }
    }
    late.sort_by_key(|s| {
        std::cmp::Reverse(match s.standing {
            Standing::Late { days } => days,
            _ => 0,
        })
    });
    let page = NoticePage {
        ctx: &ctx,
        l: ctx.locale,
        cohort,
        deadline,
        on_time,
        late,
        missing,
        expected,
        printed: time::today_china(),
    };
    let title =
        format!("{cohort}{}", ctx.t("届高校毕业生就业质量年度报告提交情况通报", " cohort: quality report submissions"));
    ctx.page(&title, &page)
}

/// Tells each late and missing institution (通知提醒), once per unread notice.
async fn send_notice(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(f): CsrfForm<CohortForm>,
) -> Result<Response, AppError> {
    let actor = ctx.require(&[Role::ProvinceAdmin])?;
    let cohort = registry::cohorts::year_or_latest(&state, &f.cohort).await?;
    let (deadline, list) = visible(&state, actor, cohort).await?;
    let Some(deadline) = deadline else {
        return render_manage(
            &state,
            &ctx,
            cohort,
            ctx.t("请先设定提交截止日期。", "Set the due date first.").to_owned(),
        )
        .await;
    };
    let who = ctx.audit_actor();
    let topic = format!("quality_report:{cohort}");
    let mut tx = state.db.begin().await?;
    let mut sent = 0;
    for s in &list {
        if let Some(message) = rules::notice_message(cohort, deadline.due_on, s.standing) {
            sent += usize::from(registry::notices::send(&mut tx, &who, s.institution_id, &topic, &message).await?);
        }
    }
    tx.commit().await?;
    let flash = match ctx.locale {
        Locale::Zh => format!("已向 {sent} 所逾期或未提交的高校发送通报。"),
        Locale::En => format!("Notice sent to {sent} late or missing institutions."),
    };
    Ok(redirect_with_flash(&format!("/reports/notice?cohort={cohort}"), &flash))
}

// ---------------------------------------------------------------- the data appendix

#[derive(Debug, Default, Deserialize)]
struct AppendixQuery {
    #[serde(default)]
    cohort: String,
    #[serde(default)]
    institution: String,
    #[serde(default)]
    as_of: String,
    #[serde(default)]
    format: String,
}

#[derive(Template)]
#[template(path = "reports/appendix.html")]
struct AppendixPage {
    l: Locale,
    cohort: i64,
    as_of: String,
    date_error: bool,
    province: bool,
    institution: Option<i64>,
    institutions: Vec<(i64, String)>,
    appendix: Option<Appendix>,
    printed: NaiveDate,
}

impl AppendixPage {
    fn picked(&self, id: &i64) -> bool {
        self.institution == Some(*id)
    }
}

async fn appendix_page(
    State(state): State<AppState>,
    State(placements): State<Arc<Placements>>,
    ctx: Ctx,
    Query(q): Query<AppendixQuery>,
) -> Result<Response, AppError> {
    let actor = office(&ctx)?;
    let l = ctx.locale;
    let cohort = registry::cohorts::year_or_latest(&state, &q.cohort).await?;
    let today = time::today_china();
    let parsed = if q.as_of.trim().is_empty() {
        Some(today)
    } else {
        NaiveDate::parse_from_str(q.as_of.trim(), "%Y-%m-%d").ok()
    };
    let as_of = parsed.unwrap_or(today);
    let province = actor.role == Role::ProvinceAdmin;
    let institution = match (q.institution.trim().parse::<i64>().ok(), actor.institution_id) {
        (Some(asked), _) => Some(asked),
        (None, own) if !province => own,
        _ => None,
    };
    if let Some(id) = institution {
        // The whole institution, and only where the actor sees it (a college's staff do not).
        let asked = Scope::Institution { institution_id: id, college_id: None };
        if !actor.scope().covers(&asked) {
            return Err(AppError::Forbidden);
        }
    }
    let institutions: Vec<(i64, String)> = match province {
        true => store::submissions(&state.db, cohort, None, Utc::now())
            .await?
            .into_iter()
            .map(|s| (s.institution_id, s.institution))
            .collect(),
        false => Vec::new(),
    };
    let appendix = match institution {
        Some(id) => {
            let name = state
                .db
                .fetch_optional("SELECT name FROM institutions WHERE id = $1", &[id.into()])
                .await?
                .ok_or(AppError::NotFound)?
                .text("name")?;
            Some(appendix::build(&placements, &state.db, (id, name), cohort, as_of, l).await?)
        }
        None => None,
    };
    if q.format == "xlsx" {
        let a = appendix.ok_or(AppError::NotFound)?;
        return appendix_xlsx(&a, l);
    }
    let page = AppendixPage {
        l,
        cohort,
        as_of: as_of.to_string(),
        date_error: parsed.is_none(),
        province,
        institution,
        institutions,
        appendix,
        printed: today,
    };
    ctx.page(ctx.t("就业质量年度报告数据附录", "Quality report data appendix"), &page)
}

/// The appendix as a workbook: a sheet per table, numbered in the page's order.
fn appendix_xlsx(a: &Appendix, l: Locale) -> Result<Response, AppError> {
    let mut names = Vec::new();
    for (p, part) in a.parts.iter().enumerate() {
        for (t, table) in part.tables.iter().enumerate() {
            names.push(format!("{}.{} {}", p + 1, t + 1, table.title));
        }
    }
    let tables = a.parts.iter().flat_map(|p| p.tables.iter());
    let sheets: Vec<Sheet> =
        tables.zip(names.iter()).map(|(t, name)| Sheet { name, rows: &t.rows, text_columns: &[0] }).collect();
    let bytes = export::book_to_xlsx(&sheets).map_err(|e| AppError::Internal(e.into()))?;
    let stem = export::AsOf { cohort: a.cohort, day: &a.as_of.to_string() }.stem(&format!(
        "{}-{}",
        l.pick("数据附录", "data-appendix"),
        a.institution
    ));
    Ok(export::attachment(export::XLSX, &format!("{stem}.xlsx"), bytes))
}
