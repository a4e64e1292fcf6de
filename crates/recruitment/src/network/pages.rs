//! The employer network's pages: parks and key employers (/recruitment/network:
//! the province designates and issues plaques, universities read), visits
//! (/recruitment/visits: a university records its own) with their summary,
//! duplicate employers and merges (/recruitment/duplicates: the province), and
//! the employer's own designation on its workbench.

use std::collections::HashSet;
use std::future::Future;
use std::pin::Pin;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;

use kernel::auth::{Actor, Role};
use kernel::web::table::{ListUrl, Paging};
use kernel::web::{redirect_with_flash, AppError, AppState, CsrfForm, Ctx, FieldErrors, NoFields, Panel};
use kernel::{time, Locale};

use super::merge::{self, Merge, Pair};
use super::rules::{self, DesignationForm, ParkForm, PlaqueForm, VisitForm, VisitKind, Whose};
use super::visits::{self, Figures, VisitRow};
use super::{KeyEmployer, Park};

pub fn routes() -> Router<crate::RecruitmentState> {
    Router::new()
        .route("/recruitment/network", get(network_page))
        .route("/recruitment/network/parks", post(create_park))
        .route("/recruitment/network/key-employers", post(designate))
        .route("/recruitment/network/key-employers/{id}/plaque", post(issue_plaque))
        .route("/recruitment/visits", get(visits_page).post(create_visit))
        .route("/recruitment/visits/new", get(new_visit_page))
        .route("/recruitment/visits/{id}/edit", get(edit_visit_page).post(edit_visit))
        .route("/recruitment/visits/summary", get(summary_page))
        .route("/recruitment/duplicates", get(duplicates_page))
        .route("/recruitment/duplicates/merge", post(merge_pair))
        .route("/recruitment/merges/{id}/undo", post(undo_merge))
}

/// The employer's part of the workbench: its designation and plaque, when it has one.
pub fn panels() -> Vec<(Role, Panel)> {
    vec![(Role::Employer, employer_panel)]
}

#[derive(Template)]
#[template(path = "network_panel.html")]
struct EmployerPanel {
    l: Locale,
    designations: Vec<KeyEmployer>,
}

fn employer_panel<'a>(
    state: &'a AppState,
    actor: &'a Actor,
    l: Locale,
) -> Pin<Box<dyn Future<Output = Result<String, AppError>> + Send + 'a>> {
    Box::pin(async move {
        let Some(id) = actor.employer_id else { return Ok(String::new()) };
        let designations = super::key_employers(&state.db, Some(id), l).await?;
        match designations.is_empty() {
            true => Ok(String::new()),
            false => Ok(EmployerPanel { l, designations }.render()?),
        }
    })
}

/// Errors of one of the network page's forms, to show beside it.
#[derive(Default)]
struct NetworkErrors {
    park: FieldErrors,
    designation: FieldErrors,
    /// The designation whose plaque form was refused, and why.
    plaque: Option<(i64, FieldErrors)>,
}

#[derive(Template)]
#[template(path = "network.html")]
struct NetworkPage<'a> {
    ctx: &'a Ctx,
    l: Locale,
    admin: bool,
    parks: Vec<Park>,
    key_employers: Vec<KeyEmployer>,
    regions: Vec<(String, String)>,
    fields: Vec<(String, String)>,
    park: ParkForm,
    designation: DesignationForm,
    plaque: PlaqueForm,
    errors: NetworkErrors,
    today: String,
}

impl NetworkPage<'_> {
    /// The plaque form's errors for designation `id`.
    fn plaque_errors(&self, id: &i64) -> Option<&FieldErrors> {
        self.errors.plaque.as_ref().filter(|(p, _)| p == id).map(|(_, e)| e)
    }
}

fn province(ctx: &Ctx) -> Result<&Actor, AppError> {
    ctx.require(&[Role::ProvinceAdmin])
}

/// The page with the forms as typed and their errors.
async fn render_network(
    state: &AppState,
    ctx: &Ctx,
    forms: (ParkForm, DesignationForm, PlaqueForm),
    errors: NetworkErrors,
) -> Result<Response, AppError> {
    let actor = ctx.require(&[Role::ProvinceAdmin, Role::UniversityStaff])?;
    let db = &state.db;
    let (park, designation, plaque) = forms;
    let page = NetworkPage {
        ctx,
        l: ctx.locale,
        admin: actor.role == Role::ProvinceAdmin,
        parks: super::parks(db).await?,
        key_employers: super::key_employers(db, None, ctx.locale).await?,
        regions: super::park_regions(db).await?,
        fields: super::choices(db, super::FIELDS, ctx.locale).await?,
        park,
        designation,
        plaque,
        errors,
        today: time::today_china().to_string(),
    };
    ctx.page(ctx.t("园区与重点用人单位", "Parks and key employers"), &page)
}

/// 园区与重点用人单位: the province's list; its forms for the province.
async fn network_page(State(state): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    render_network(&state, &ctx, Default::default(), NetworkErrors::default()).await
}

#[derive(Deserialize)]
struct ParkFields {
    #[serde(default)]
    name: String,
    #[serde(default)]
    region_code: String,
}

async fn create_park(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(f): CsrfForm<ParkFields>,
) -> Result<Response, AppError> {
    province(&ctx)?;
    let form = ParkForm { name: f.name, region_code: f.region_code };
    let regions: HashSet<String> = super::park_regions(&state.db).await?.into_iter().map(|(c, _)| c).collect();
    let checked = rules::check_park(&form, &regions, ctx.locale);
    let refused = |errors| NetworkErrors { park: errors, ..NetworkErrors::default() };
    let park = match checked {
        Ok(p) => p,
        Err(errors) => {
            return render_network(&state, &ctx, (form, Default::default(), Default::default()), refused(errors)).await
        }
    };
    if super::park_named(&state.db, &park.name).await? {
        let mut errors = FieldErrors::default();
        errors.add("name", ctx.t("已有同名园区。", "A park of this name exists already."));
        return render_network(&state, &ctx, (form, Default::default(), Default::default()), refused(errors)).await;
    }
    let mut tx = state.db.begin().await?;
    super::create_park(&mut tx, &ctx.audit_actor(), &park).await?;
    tx.commit().await?;
    Ok(redirect_with_flash("/recruitment/network", ctx.t("园区已添加。", "Park added.")))
}

#[derive(Deserialize)]
struct DesignationFields {
    #[serde(default)]
    credit_code: String,
    #[serde(default)]
    park_id: String,
    #[serde(default)]
    field_code: String,
    #[serde(default)]
    designated_on: String,
}

async fn designate(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(f): CsrfForm<DesignationFields>,
) -> Result<Response, AppError> {
    province(&ctx)?;
    let form = DesignationForm {
        credit_code: f.credit_code,
        park_id: f.park_id,
        field_code: f.field_code,
        designated_on: f.designated_on,
    };
    let employer = super::employer_by_code(&state.db, &form.credit_code).await?;
    let allowed = super::allowed(&state.db).await?;
    let mut checked = rules::check_designation(&form, employer, &allowed, time::today_china(), ctx.locale);
    if let Ok(d) = &checked {
        if super::is_designated(&state.db, d.employer_id).await? {
            let mut errors = FieldErrors::default();
            errors.add("credit_code", ctx.t("该单位已是重点用人单位。", "This employer is a key employer already."));
            checked = Err(errors);
        }
    }
    let d = match checked {
        Ok(d) => d,
        Err(errors) => {
            let errors = NetworkErrors { designation: errors, ..NetworkErrors::default() };
            return render_network(&state, &ctx, (Default::default(), form, Default::default()), errors).await;
        }
    };
    let mut tx = state.db.begin().await?;
    super::designate(&mut tx, &ctx.audit_actor(), &d).await?;
    tx.commit().await?;
    Ok(redirect_with_flash("/recruitment/network", ctx.t("已认定为重点用人单位。", "Designated a key employer.")))
}

#[derive(Deserialize)]
struct PlaqueFields {
    #[serde(default)]
    plaque_no: String,
    #[serde(default)]
    issued_on: String,
    #[serde(default)]
    issued_by: String,
}

async fn issue_plaque(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<PlaqueFields>,
) -> Result<Response, AppError> {
    province(&ctx)?;
    let (designated_on, issued) = super::designated_on(&state.db, id).await?.ok_or(AppError::NotFound)?;
    if issued {
        return Err(AppError::Conflict(ctx.t("该单位已授牌。", "This plaque has been issued already.").into()));
    }
    let form = PlaqueForm { plaque_no: f.plaque_no, issued_on: f.issued_on, issued_by: f.issued_by };
    let plaque = match rules::check_plaque(&form, designated_on, time::today_china(), ctx.locale) {
        Ok(p) => p,
        Err(errors) => {
            let errors = NetworkErrors { plaque: Some((id, errors)), ..NetworkErrors::default() };
            return render_network(&state, &ctx, (Default::default(), Default::default(), form), errors).await;
        }
    };
    let mut tx = state.db.begin().await?;
    super::issue_plaque(&mut tx, &ctx.audit_actor(), id, &plaque).await?;
    tx.commit().await?;
    Ok(redirect_with_flash("/recruitment/network", ctx.t("已授牌。", "Plaque issued.")))
}

fn whose(actor: &Actor) -> Result<Whose, AppError> {
    Whose::of(actor).ok_or(AppError::Forbidden)
}

#[derive(Template)]
#[template(path = "visits.html")]
struct VisitsPage {
    l: Locale,
    visits: Vec<VisitRow>,
    total: i64,
    pager: String,
    /// University staff record visits; the province reads them.
    can_record: bool,
}

#[derive(Deserialize)]
struct PageQuery {
    page: Option<String>,
}

/// 走访记录: a university's own visits, or every visit for the province.
async fn visits_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<PageQuery>,
) -> Result<Response, AppError> {
    let actor = ctx.require(&[Role::ProvinceAdmin, Role::UniversityStaff])?;
    let can_record = matches!(whose(actor)?, Whose::Institution(_));
    let mut paging = Paging::parse(q.page.as_deref());
    let visits = visits::list(&state.db, &ctx.scope(), &mut paging, ctx.locale).await?;
    let pager = paging.html(&ListUrl::new("/recruitment/visits", &[]), ctx.locale);
    let page = VisitsPage { l: ctx.locale, visits, total: paging.total, pager, can_record };
    ctx.page(ctx.t("走访记录", "Visits"), &page)
}

#[derive(Template)]
#[template(path = "visit_form.html")]
struct VisitFormPage<'a> {
    ctx: &'a Ctx,
    l: Locale,
    /// `None`: a new visit.
    id: Option<i64>,
    form: VisitForm,
    errors: FieldErrors,
    kinds: Vec<(&'static str, &'static str)>,
    parks: Vec<Park>,
    regions: Vec<(String, String)>,
}

impl VisitFormPage<'_> {
    fn action(&self) -> String {
        match self.id {
            Some(id) => format!("/recruitment/visits/{id}/edit"),
            None => "/recruitment/visits".to_owned(),
        }
    }
    fn park_chosen(&self, id: &i64) -> bool {
        self.form.park_id == id.to_string()
    }
    /// (field, label zh, label en, value, inputmode) of the one-line fields.
    fn inputs(&self) -> Vec<(&'static str, &'static str, &'static str, &str, &'static str)> {
        let f = &self.form;
        vec![
            ("visited_on", "走访日期（如 2022-05-18）", "Date (e.g. 2022-05-18)", &f.visited_on, "text"),
            ("visitors", "走访人员（校领导、就业处等）", "Visitors (leaders, careers office…)", &f.visitors, "text"),
            (
                "credit_code",
                "走访单位的统一社会信用代码（走访园区可留空）",
                "Credit code of the employer visited (empty for a park)",
                &f.credit_code,
                "text",
            ),
            ("majors", "需求专业", "Majors in demand", &f.majors, "text"),
            ("positions", "提供岗位数", "Positions offered", &f.positions, "numeric"),
            ("average_pay", "平均月薪（元）", "Average monthly pay (yuan)", &f.average_pay, "numeric"),
            ("follow_up", "后续跟进", "Follow-up", &f.follow_up, "text"),
        ]
    }
}

/// A university's staff, who record its visits.
fn recorder(ctx: &Ctx) -> Result<i64, AppError> {
    let actor = ctx.require(&[Role::UniversityStaff])?;
    actor.institution_id.ok_or(AppError::Forbidden)
}

async fn visit_form(
    state: &AppState,
    ctx: &Ctx,
    id: Option<i64>,
    form: VisitForm,
    errors: FieldErrors,
) -> Result<Response, AppError> {
    let l = ctx.locale;
    let page = VisitFormPage {
        ctx,
        l,
        id,
        form,
        errors,
        kinds: VisitKind::ALL.iter().map(|k| (k.key(), k.label(l))).collect(),
        parks: super::parks(&state.db).await?,
        regions: super::choices(&state.db, super::REGIONS, l).await?,
    };
    ctx.page(ctx.t("走访记录", "Visit"), &page)
}

async fn new_visit_page(State(state): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    recorder(&ctx)?;
    let form = VisitForm { kind: VisitKind::Expand.key().to_owned(), ..VisitForm::default() };
    visit_form(&state, &ctx, None, form, FieldErrors::default()).await
}

/// The form checked, the employer found by its credit code.
async fn checked_visit(
    state: &AppState,
    ctx: &Ctx,
    form: &VisitForm,
) -> Result<Result<rules::Visit, FieldErrors>, AppError> {
    let employer = super::employer_by_code(&state.db, &form.credit_code).await?;
    let allowed = super::allowed(&state.db).await?;
    Ok(rules::check_visit(form, employer, &allowed, time::today_china(), ctx.locale))
}

async fn create_visit(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let institution_id = recorder(&ctx)?;
    let form = VisitForm::from_pairs(&pairs);
    let visit = match checked_visit(&state, &ctx, &form).await? {
        Ok(v) => v,
        Err(errors) => return visit_form(&state, &ctx, None, form, errors).await,
    };
    let mut tx = state.db.begin().await?;
    visits::create(&mut tx, &ctx.audit_actor(), institution_id, &visit).await?;
    tx.commit().await?;
    Ok(redirect_with_flash("/recruitment/visits", ctx.t("走访记录已保存。", "Visit recorded.")))
}

/// A visit of the staff's own university.
async fn own_visit(state: &AppState, ctx: &Ctx, id: i64) -> Result<VisitRow, AppError> {
    recorder(ctx)?;
    visits::get(&state.db, &ctx.scope(), id, ctx.locale).await?.ok_or(AppError::NotFound)
}

async fn edit_visit_page(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, AppError> {
    let v = own_visit(&state, &ctx, id).await?;
    let form = v.visit.form(v.credit_code.as_deref().unwrap_or(""));
    visit_form(&state, &ctx, Some(id), form, FieldErrors::default()).await
}

async fn edit_visit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let before = own_visit(&state, &ctx, id).await?;
    let form = VisitForm::from_pairs(&pairs);
    let visit = match checked_visit(&state, &ctx, &form).await? {
        Ok(v) => v,
        Err(errors) => return visit_form(&state, &ctx, Some(id), form, errors).await,
    };
    let mut tx = state.db.begin().await?;
    visits::update(&mut tx, &ctx.audit_actor(), &before, &visit).await?;
    tx.commit().await?;
    Ok(redirect_with_flash("/recruitment/visits", ctx.t("走访记录已修改。", "Visit updated.")))
}

/// A region tile of the summary's map-like table.
struct Tile {
    name: String,
    /// The reader's own figures (the university's, or the province's for the province).
    own: Figures,
    /// The province's, shown beside a university's own.
    all: Figures,
    /// 0 (none) to 4 (the most visited), for the tile's shade.
    heat: u8,
}

#[derive(Template)]
#[template(path = "visit_summary.html")]
struct SummaryPage {
    l: Locale,
    province: bool,
    /// (group name, its tiles) of the visit regions.
    groups: Vec<(String, Vec<Tile>)>,
    /// (university, figures, 访企拓岗, 调研走访).
    institutions: Vec<(String, Figures, i64, i64)>,
    region_chart: String,
    institution_chart: String,
}

/// 走访统计: by region as tiles grouped like a map (in Hunan, key regions,
/// capitals) and by university, each with a chart.
async fn summary_page(State(state): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    let actor = ctx.require(&[Role::ProvinceAdmin, Role::UniversityStaff])?;
    let whose = whose(actor)?;
    let l = ctx.locale;
    let own = visits::by_region(&state.db, whose).await?;
    let all = match whose {
        Whose::Province => own.clone(),
        Whose::Institution(_) => visits::by_region(&state.db, Whose::Province).await?,
    };
    let most = own.values().map(|f| f.visits).max().unwrap_or(0);
    let codes = kernel::codes::list(&state.db, super::REGIONS, kernel::codes::BASE_VERSION).await?;
    let groups: Vec<(String, Vec<Tile>)> = codes
        .iter()
        .filter(|g| g.parent_code.is_none())
        .map(|g| {
            let tiles = codes
                .iter()
                .filter(|c| c.parent_code.as_deref() == Some(g.code.as_str()))
                .map(|c| {
                    let own = own.get(&c.code).cloned().unwrap_or_default();
                    let heat = heat(own.visits, most);
                    Tile { name: c.label(l).to_owned(), all: all.get(&c.code).cloned().unwrap_or_default(), own, heat }
                })
                .collect();
            (g.label(l).to_owned(), tiles)
        })
        .collect();
    let mut by_region: Vec<(String, u64)> = groups
        .iter()
        .flat_map(|(_, tiles)| tiles.iter().filter(|t| t.own.visits > 0).map(|t| (t.name.clone(), t.own.visits as u64)))
        .collect();
    by_region.sort_by_key(|r| std::cmp::Reverse(r.1));
    by_region.truncate(15);
    let institutions = visits::by_institution(&state.db, whose).await?;
    let by_institution: Vec<(String, u64)> =
        institutions.iter().take(15).map(|(name, f, _, _)| (name.clone(), f.visits as u64)).collect();
    let page = SummaryPage {
        l,
        province: whose == Whose::Province,
        groups,
        region_chart: kernel::chart::count_bars(l.pick("按地区的走访次数", "Visits by region"), &by_region),
        institution_chart: kernel::chart::count_bars(
            l.pick("按高校的走访次数", "Visits by university"),
            &by_institution,
        ),
        institutions,
    };
    ctx.page(ctx.t("走访统计", "Visit summary"), &page)
}

/// A tile's shade: its share of the most visited region's count, in quarters.
fn heat(n: i64, most: i64) -> u8 {
    match (n, most) {
        (0, _) | (_, 0) => 0,
        _ => ((n * 4 + most - 1) / most).clamp(1, 4) as u8,
    }
}

#[derive(Template)]
#[template(path = "duplicates.html")]
struct DuplicatesPage<'a> {
    ctx: &'a Ctx,
    l: Locale,
    pairs: Vec<Pair>,
    merges: Vec<Merge>,
    problem: Option<String>,
}

async fn render_duplicates(state: &AppState, ctx: &Ctx, problem: Option<String>) -> Result<Response, AppError> {
    province(ctx)?;
    let pairs = merge::duplicates(&state.db).await?;
    let merges = merge::merges(&state.db).await?;
    let page = DuplicatesPage { ctx, l: ctx.locale, pairs, merges, problem };
    ctx.page(ctx.t("重复单位", "Duplicate employers"), &page)
}

/// 重复单位: pairs that look like one employer, to merge; merges to undo.
async fn duplicates_page(State(state): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    render_duplicates(&state, &ctx, None).await
}

#[derive(Deserialize)]
struct MergeFields {
    #[serde(default)]
    kept: String,
    #[serde(default)]
    merged: String,
}

async fn merge_pair(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(f): CsrfForm<MergeFields>,
) -> Result<Response, AppError> {
    let actor = province(&ctx)?;
    let side = |text: &str| {
        let id = text.trim().parse::<i64>().ok();
        let db = state.db.clone();
        async move {
            match id {
                Some(id) => merge::side(&db, id).await,
                None => Ok(None),
            }
        }
    };
    let (Some(kept), Some(merged)) = (side(&f.kept).await?, side(&f.merged).await?) else {
        let message = ctx.t("请选择要保留和要合并的单位。", "Choose the employer to keep and the one to merge.");
        return render_duplicates(&state, &ctx, Some(message.to_owned())).await;
    };
    let refused = rules::merge_refused(kept.id, merged.id, &merged.status, ctx.locale).or_else(|| {
        (kept.status == rules::MERGED).then(|| ctx.t("要保留的单位已被合并。", "The employer to keep has been merged."))
    });
    if let Some(problem) = refused {
        return render_duplicates(&state, &ctx, Some(problem.to_owned())).await;
    }
    let shared = merge::shared_fairs(&state.db, kept.id, merged.id).await?;
    if !shared.is_empty() {
        let message = format!(
            "{}{}{}",
            ctx.t("两家单位在同一招聘会都有展位：", "Both hold a booth at the same fair: "),
            shared.join("、"),
            ctx.t("。请先撤回其中一个展位再合并。", ". Give one of the booths back first, then merge.")
        );
        return render_duplicates(&state, &ctx, Some(message)).await;
    }
    let mut tx = state.db.begin().await?;
    let done = merge::merge(&mut tx, &ctx.audit_actor(), Some(actor.account_id), &kept, &merged).await?;
    if done.is_none() {
        let message =
            ctx.t("单位已被合并，请刷新后再试。", "One of them has been merged meanwhile; reload and try again.");
        return render_duplicates(&state, &ctx, Some(message.to_owned())).await;
    }
    tx.commit().await?;
    state.cache.clear(); // the employer list's counts
    let message = format!("{}{}{}", ctx.t("已合并到", "Merged into "), kept.name, ctx.t("。", "."));
    Ok(redirect_with_flash("/recruitment/duplicates", &message))
}

async fn undo_merge(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> Result<Response, AppError> {
    province(&ctx)?;
    let mut tx = state.db.begin().await?;
    let gone = || AppError::Conflict(ctx.t("该合并已撤销。", "This merge has been undone already.").into());
    let m = merge::open_merge(&mut tx, id).await?.ok_or_else(gone)?;
    if !merge::undo(&mut tx, &ctx.audit_actor(), &m).await? {
        return Err(gone());
    }
    tx.commit().await?;
    state.cache.clear();
    Ok(redirect_with_flash("/recruitment/duplicates", ctx.t("合并已撤销。", "Merge undone.")))
}

#[cfg(test)]
mod tests {
    #[test]
    fn heat_in_quarters_of_the_most() {
        assert_eq!([super::heat(0, 9), super::heat(1, 9), super::heat(9, 9), super::heat(5, 9)], [0, 1, 4, 3]);
    }
}
