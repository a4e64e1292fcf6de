//! 核查抽样 pages: the province plans a campaign (institutions from findings,
//! the top and bottom of the ranking, or by hand; the sample shown before
//! launch), launches and closes it; the verifiers' phone queue; the results
//! with the corrected rate, as a page, an xlsx file and a print page.

use std::collections::HashMap;
use std::sync::Arc;

use askama::Template;
use axum::extract::{DefaultBodyLimit, Multipart, Path, Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;

use kernel::auth::Role;
use kernel::web::{redirect_with_flash, AppError, AppState, CsrfForm, Ctx, NoFields, Upload};
use kernel::Locale;
use outcomes::statistics::rates::percent;
use outcomes::statistics::{definition_of, Placements};

use crate::campaigns::{self, Call, Campaign, Outcome, Planned, ResultRow, Task, Verifier};
use crate::estimate::Interval;
use crate::sampling::{AssignError, Design};

/// The largest evidence file a call may carry.
const DOCUMENT_LIMIT: usize = 10 * 1024 * 1024;

pub fn routes() -> Router<outcomes::OutcomesState> {
    Router::new()
        .route("/verification/campaigns", get(list_page).post(submit))
        .route("/verification/campaigns/new", get(new_page))
        .route("/verification/campaigns/{id}/close", post(close))
        .route("/verification/campaigns/{id}/results", get(results_page))
        .route("/verification/campaigns/{id}/print", get(print_page))
        .route("/verification/tasks", get(queue_page))
        .route(
            "/verification/tasks/{id}",
            get(task_page).post(save_call).layer(DefaultBodyLimit::max(DOCUMENT_LIMIT + 64 * 1024)),
        )
        .route("/verification/tasks/{id}/document", get(task_document))
}

/// The province (None) or a university's staff (its institution).
fn whose(ctx: &Ctx) -> Result<Option<i64>, AppError> {
    let actor = ctx.require(&[Role::ProvinceAdmin, Role::UniversityStaff])?;
    match actor.role {
        Role::ProvinceAdmin => Ok(None),
        _ => Ok(Some(actor.institution_id.ok_or(AppError::Forbidden)?)),
    }
}

fn share(i: &Option<Interval>) -> String {
    match i {
        Some(i) => format!("{}（{}–{}）", percent(i.value), percent(i.low), percent(i.high)),
        None => "—".into(),
    }
}

#[derive(Template)]
#[template(path = "campaigns.html")]
struct ListPage<'a> {
    ctx: &'a Ctx,
    l: Locale,
    province: bool,
    campaigns: Vec<Campaign>,
}

async fn list_page(State(state): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    let institution = whose(&ctx)?;
    let cohort = registry::cohorts::latest_year(&state).await?;
    let campaigns = campaigns::list(&state.db, cohort, institution).await?;
    let page = ListPage { ctx: &ctx, l: ctx.locale, province: institution.is_none(), campaigns };
    ctx.page(ctx.t("核查抽样", "Verification campaigns"), &page)
}

/// The plan form as sent (or as first shown).
#[derive(Debug, Clone, Default)]
struct Form {
    name: String,
    margin: String,
    confidence: String,
    expected: String,
    seed: String,
    signaled: Vec<i64>,
    top_k: String,
    bottom_k: String,
    chosen: Vec<i64>,
    verifiers: Vec<i64>,
}

impl Form {
    fn first() -> Form {
        Form {
            name: String::new(),
            margin: "5".into(),
            confidence: "95".into(),
            expected: "0.5".into(),
            seed: (rand::random::<u64>() >> 12).to_string(),
            top_k: "0".into(),
            bottom_k: "0".into(),
            ..Form::default()
        }
    }

    fn of(pairs: &[(String, String)]) -> Form {
        let field =
            |name: &str| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.trim().to_owned()).unwrap_or_default();
        let ids =
            |name: &str| pairs.iter().filter(|(k, _)| k == name).filter_map(|(_, v)| v.trim().parse().ok()).collect();
        Form {
            name: field("name"),
            margin: field("margin"),
            confidence: field("confidence"),
            expected: field("expected"),
            seed: field("seed"),
            signaled: ids("signaled"),
            top_k: field("top_k"),
            bottom_k: field("bottom_k"),
            chosen: ids("institutions"),
            verifiers: ids("verifiers"),
        }
    }
}

/// The plan form checked: (design, seed, top k, bottom k), or the problems in the reader's language (pure).
fn check(f: &Form, l: Locale) -> Result<(Design, u64, usize, usize), Vec<&'static str>> {
    let mut errors = Vec::new();
    if !(2..=60).contains(&f.name.chars().count()) {
        errors.push(l.pick("请填写名称（2-60 字）。", "Give a name (2-60 characters)."));
    }
    let number = |s: &str| s.parse::<f64>().ok().filter(|x| x.is_finite());
    let margin = number(&f.margin).filter(|m| (0.5..=20.0).contains(m));
    if margin.is_none() {
        errors.push(l.pick("误差范围须在 0.5 到 20 个百分点之间。", "The margin must be 0.5 to 20 points."));
    }
    let confidence = number(&f.confidence).filter(|c| (80.0..=99.9).contains(c));
    if confidence.is_none() {
        errors.push(l.pick("置信度须在 80% 到 99.9% 之间。", "The confidence must be 80% to 99.9%."));
    }
    let expected = number(&f.expected).filter(|p| (0.01..=0.99).contains(p));
    if expected.is_none() {
        errors.push(l.pick("预期比例须在 0.01 到 0.99 之间。", "The expected share must be 0.01 to 0.99."));
    }
    let seed = f.seed.parse::<u64>().ok().filter(|s| *s <= i64::MAX as u64);
    if seed.is_none() {
        errors.push(l.pick("随机种子须为非负整数。", "The seed must be a whole number, 0 or more."));
    }
    let k = |s: &str| if s.is_empty() { Some(0) } else { s.parse::<usize>().ok().filter(|k| *k <= 50) };
    let (top, bottom) = (k(&f.top_k), k(&f.bottom_k));
    if top.is_none() || bottom.is_none() {
        errors.push(l.pick("前 k 名、后 k 名须为 0 到 50 的整数。", "Top and bottom k must be 0 to 50."));
    }
    match (margin, confidence, expected, seed, top, bottom, errors.is_empty()) {
        (Some(m), Some(c), Some(p), Some(seed), Some(top), Some(bottom), true) => {
            Ok((Design { margin: m / 100.0, confidence: c / 100.0, expected: p }, seed, top, bottom))
        }
        _ => Err(errors),
    }
}

/// The institutions a plan takes in, each with its reasons (`finding,top`), in the order first named (pure).
fn union(signaled: &[i64], top: &[i64], bottom: &[i64], chosen: &[i64]) -> Vec<(i64, String)> {
    let mut out: Vec<(i64, Vec<&str>)> = Vec::new();
    for (why, ids) in [("finding", signaled), ("top", top), ("bottom", bottom), ("chosen", chosen)] {
        for id in ids {
            match out.iter_mut().find(|(i, _)| i == id) {
                Some((_, whys)) if !whys.contains(&why) => whys.push(why),
                Some(_) => {}
                None => out.push((*id, vec![why])),
            }
        }
    }
    out.into_iter().map(|(id, whys)| (id, whys.join(","))).collect()
}

#[derive(Template)]
#[template(path = "campaign_new.html")]
struct NewPage<'a> {
    ctx: &'a Ctx,
    l: Locale,
    form: Form,
    errors: Vec<String>,
    /// Institutions with open findings: (id, name, how many).
    signaled: Vec<(i64, String, i64)>,
    institutions: Vec<(i64, String)>,
    staff: Vec<Verifier>,
    planned: Vec<Planned>,
    labels: HashMap<String, String>,
}

impl NewPage<'_> {
    fn has(&self, list: &[i64], id: &i64) -> bool {
        list.contains(id)
    }
    fn why(&self, keys: &str) -> String {
        campaigns::why_label(keys, self.l)
    }
    fn split(&self, p: &Planned) -> String {
        p.strata
            .iter()
            .map(|s| format!("{} {}/{}", self.stratum(&s.code), s.size, s.population))
            .collect::<Vec<_>>()
            .join("；")
    }
    fn stratum(&self, code: &str) -> String {
        stratum_label(&self.labels, code, self.l)
    }
    fn total(&self) -> u64 {
        self.planned.iter().map(|p| p.size).sum()
    }
}

fn stratum_label(labels: &HashMap<String, String>, code: &str, l: Locale) -> String {
    match code {
        "" => l.pick("未登记去向", "No destination recorded").to_owned(),
        _ => format!("{code} {}", labels.get(code).map(String::as_str).unwrap_or("")),
    }
}

async fn destination_labels(state: &AppState, cohort: i64, l: Locale) -> Result<HashMap<String, String>, AppError> {
    let version = registry::cohorts::get(&state.db, cohort).await?.map(|c| c.destination_version).unwrap_or_default();
    Ok(kernel::codes::labels(&state.db, "destination", &version, l).await?)
}

async fn render_new(
    state: &AppState,
    ctx: &Ctx,
    form: Form,
    errors: Vec<String>,
    planned: Vec<Planned>,
) -> Result<Response, AppError> {
    let cohort = registry::cohorts::latest_year(state).await?;
    let signaled = crate::findings::institutions_with_open(&state.db, cohort).await?;
    let institutions = registry::institutions::names(&state.db, &ctx.scope()).await?;
    let staff = campaigns::staff_accounts(&state.db).await?;
    let labels = destination_labels(state, cohort, ctx.locale).await?;
    let page = NewPage { ctx, l: ctx.locale, form, errors, signaled, institutions, staff, planned, labels };
    ctx.page(ctx.t("新建核查抽样", "New verification campaign"), &page)
}

async fn new_page(State(state): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    ctx.require(&[Role::ProvinceAdmin])?;
    render_new(&state, &ctx, Form::first(), Vec::new(), Vec::new()).await
}

/// The province previews (`step=preview`) or launches the campaign.
async fn submit(
    State(state): State<AppState>,
    State(placements): State<Arc<Placements>>,
    ctx: Ctx,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let actor = ctx.require(&[Role::ProvinceAdmin])?;
    let l = ctx.locale;
    let form = Form::of(&pairs);
    let launching = pairs.iter().any(|(k, v)| k == "step" && v == "launch");
    let (design, seed, top_k, bottom_k) = match check(&form, l) {
        Ok(checked) => checked,
        Err(errors) => {
            let errors = errors.into_iter().map(str::to_owned).collect();
            return render_new(&state, &ctx, form, errors, Vec::new()).await;
        }
    };
    let cohort = registry::cohorts::latest_year(&state).await?;
    let d = definition_of(&state.db, cohort, "").await?;
    let ranked = campaigns::ranking(&placements, cohort, d, l).await?;
    let top: Vec<i64> = ranked.iter().take(top_k).map(|(id, _)| *id).collect();
    let bottom: Vec<i64> = ranked.iter().rev().take(bottom_k).map(|(id, _)| *id).collect();
    let chosen = union(&form.signaled, &top, &bottom, &form.chosen);
    if chosen.is_empty() {
        let error = l.pick("请至少选择一所高校。", "Choose at least one institution.").to_owned();
        return render_new(&state, &ctx, form, vec![error], Vec::new()).await;
    }
    let planned = campaigns::plan(&state.db, cohort, &chosen, &design).await?;
    if !launching {
        return render_new(&state, &ctx, form, Vec::new(), planned).await;
    }
    let staff = campaigns::staff_accounts(&state.db).await?;
    let verifiers: Vec<Verifier> = staff.into_iter().filter(|v| form.verifiers.contains(&v.account_id)).collect();
    let ids: Vec<i64> = planned.iter().map(|p| p.institution_id).collect();
    let drawn = campaigns::draw(&state.db, cohort, &ids, &design, seed).await?;
    let reported: HashMap<i64, f64> = ranked.into_iter().collect();
    let launch = campaigns::Launch {
        cohort,
        name: &form.name,
        design,
        seed,
        definition: d.key(),
        created_by: actor.account_id,
        planned: &planned,
        reported: &reported,
        verifiers: &verifiers,
    };
    let mut tx = state.db.begin().await?;
    match campaigns::launch(&mut tx, &ctx.audit_actor(), &launch, &drawn).await? {
        Ok(id) => {
            tx.commit().await?;
            let message =
                format!("{}{}", ctx.t("核查已启动，抽取记录：", "Campaign launched; records sampled: "), drawn.len());
            Ok(redirect_with_flash(&format!("/verification/campaigns/{id}/results"), &message))
        }
        Err(e) => {
            drop(tx);
            let error = match e {
                AssignError::NoVerifiers => l.pick("请选择核查人员。", "Choose the verifiers.").to_owned(),
                AssignError::OnlyOwn(i) => {
                    let name =
                        planned.iter().find(|p| p.institution_id == i).map(|p| p.name.clone()).unwrap_or_default();
                    format!(
                        "{}{name}",
                        l.pick(
                            "核查人员不能核查本校记录，请再选择其他高校的人员：",
                            "Verifiers never check their own institution; add staff of another institution for: "
                        )
                    )
                }
            };
            render_new(&state, &ctx, form, vec![error], planned).await
        }
    }
}

async fn close(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> Result<Response, AppError> {
    ctx.require(&[Role::ProvinceAdmin])?;
    let c = campaigns::get(&state.db, id).await?.ok_or(AppError::NotFound)?;
    if c.open {
        let mut tx = state.db.begin().await?;
        campaigns::close(&mut tx, &ctx.audit_actor(), &c).await?;
        tx.commit().await?;
    }
    Ok(redirect_with_flash("/verification/campaigns", ctx.t("核查已结束。", "Campaign closed.")))
}

/// The campaign and its rows the actor may see: the province all, a university its own (404 when not sampled).
async fn visible(state: &AppState, ctx: &Ctx, id: i64) -> Result<(Campaign, Vec<ResultRow>), AppError> {
    let institution = whose(ctx)?;
    let c = campaigns::get(&state.db, id).await?.ok_or(AppError::NotFound)?;
    let rows = campaigns::results(&state.db, &c, institution).await?;
    if institution.is_some() && rows.is_empty() {
        return Err(AppError::NotFound);
    }
    Ok((c, rows))
}

/// The results table as text cells: a header row, then one row per institution.
fn table(rows: &[ResultRow], l: Locale) -> Vec<Vec<String>> {
    let header = [
        l.pick("高校", "Institution"),
        l.pick("纳入原因", "Why"),
        l.pick("毕业生", "Graduates"),
        l.pick("样本量", "Sample"),
        l.pick("已抽取", "Sampled"),
        l.pick("已联系上", "Reached"),
        l.pick("属实", "Confirmed"),
        l.pick("属实比例（置信区间）", "Confirmed share (interval)"),
        l.pick("核查推算落实率（置信区间）", "Estimated true rate (interval)"),
        l.pick("上报落实率", "Reported rate"),
        l.pick("未排除线索", "Findings not dismissed"),
        l.pick("启动后核查更正", "Corrections since launch"),
    ];
    let mut out = vec![header.iter().map(|h| (*h).to_owned()).collect()];
    for r in rows {
        let e = &r.estimate;
        out.push(vec![
            r.institution.clone(),
            campaigns::why_label(&r.why, l),
            r.population.to_string(),
            r.size.to_string(),
            e.sampled.to_string(),
            e.reached.to_string(),
            e.confirmed.to_string(),
            share(&e.confirmed_share),
            share(&e.corrected),
            percent(r.reported_rate),
            r.findings.to_string(),
            r.corrections.to_string(),
        ]);
    }
    out
}

#[derive(Template)]
#[template(path = "campaign_results.html")]
struct ResultsPage {
    l: Locale,
    c: Campaign,
    table: Vec<Vec<String>>,
    /// Per institution: (name, its split over strata as text).
    strata: Vec<(String, String)>,
    print: bool,
}

impl ResultsPage {
    fn design(&self) -> String {
        format!(
            "±{} {} · {}% {} · p = {}",
            self.c.design.margin * 100.0,
            self.l.t("个百分点", "points"),
            self.c.design.confidence * 100.0,
            self.l.t("置信度", "confidence"),
            self.c.design.expected
        )
    }
    fn header(&self) -> &[String] {
        &self.table[0]
    }
    fn body(&self) -> &[Vec<String>] {
        &self.table[1..]
    }
}

#[derive(Debug, Default, Deserialize)]
struct ResultsQuery {
    #[serde(default)]
    format: String,
}

async fn results_of(state: &AppState, ctx: &Ctx, id: i64, print: bool, format: &str) -> Result<Response, AppError> {
    let (c, rows) = visible(state, ctx, id).await?;
    let l = ctx.locale;
    let cells = table(&rows, l);
    if format == "xlsx" {
        let title = format!("{} · {}", c.name, l.pick("核查结果", "Results"));
        return kernel::web::export::download(&cells, "xlsx", &format!("campaign-{id}"), &title, None);
    }
    let labels = destination_labels(state, c.cohort, l).await?;
    let mut by: HashMap<i64, Vec<String>> = HashMap::new();
    for (i, s) in campaigns::strata(&state.db, c.id).await? {
        by.entry(i).or_default().push(format!("{} {}/{}", stratum_label(&labels, &s.code, l), s.size, s.population));
    }
    let strata = rows
        .iter()
        .map(|r| (r.institution.clone(), by.get(&r.institution_id).map(|v| v.join("；")).unwrap_or_default()))
        .collect();
    let title = format!("{} · {}", c.name, l.pick("核查结果", "Results"));
    ctx.page(&title, &ResultsPage { l, c, table: cells, strata, print })
}

async fn results_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<ResultsQuery>,
) -> Result<Response, AppError> {
    results_of(&state, &ctx, id, false, &q.format).await
}

async fn print_page(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, AppError> {
    results_of(&state, &ctx, id, true, "").await
}

#[derive(Template)]
#[template(path = "tasks.html")]
struct QueuePage<'a> {
    ctx: &'a Ctx,
    l: Locale,
    /// The record being worked, when any is left or asked for.
    current: Option<Task>,
    queue: Vec<Task>,
    categories: Vec<(String, String)>,
    error: String,
    /// A refused form's values, kept: (outcome, category, employer, note).
    draft: (String, String, String, String),
}

impl QueuePage<'_> {
    fn pending(&self) -> usize {
        self.queue.iter().filter(|t| t.outcome.is_none()).count()
    }
    fn outcomes(&self) -> Vec<(&'static str, &'static str)> {
        Outcome::ALL.iter().map(|o| (o.key(), o.label(self.l))).collect()
    }
    fn outcome_label(&self, t: &Task) -> &'static str {
        t.outcome.map(|o| o.label(self.l)).unwrap_or(self.l.pick("待核查", "To call"))
    }
}

async fn verifier(ctx: &Ctx) -> Result<i64, AppError> {
    Ok(ctx.require(&[Role::UniversityStaff])?.account_id)
}

async fn render_queue(
    state: &AppState,
    ctx: &Ctx,
    current: Option<Task>,
    error: String,
    draft: (String, String, String, String),
) -> Result<Response, AppError> {
    let me = verifier(ctx).await?;
    let queue = campaigns::queue(&state.db, me, ctx.locale).await?;
    let current = current.or_else(|| queue.iter().find(|t| t.outcome.is_none()).cloned());
    let cohort = registry::cohorts::latest_year(state).await?;
    let mut categories: Vec<(String, String)> =
        destination_labels(state, cohort, ctx.locale).await?.into_iter().collect();
    categories.sort();
    let page = QueuePage { ctx, l: ctx.locale, current, queue, categories, error, draft };
    ctx.page(ctx.t("核查任务", "Verification calls"), &page)
}

async fn queue_page(State(state): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    render_queue(&state, &ctx, None, String::new(), Default::default()).await
}

async fn task_page(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, AppError> {
    let me = verifier(&ctx).await?;
    let task = campaigns::task(&state.db, id, me, ctx.locale).await?.ok_or(AppError::NotFound)?;
    render_queue(&state, &ctx, Some(task), String::new(), Default::default()).await
}

/// A call's outcome and, when different, the (category, employer) found.
type Checked<'a> = (Outcome, Option<(&'a str, &'a str)>);

/// What the call form asks, checked (pure): the outcome and, when different, the category and employer found.
fn check_call<'a>(
    outcome: &str,
    category: &'a str,
    employer: &'a str,
    note: &str,
    known: &dyn Fn(&str) -> bool,
    l: Locale,
) -> Result<Checked<'a>, &'static str> {
    let outcome = Outcome::parse(outcome).ok_or(l.pick("请选择核查结果。", "Choose the outcome of the call."))?;
    if note.chars().count() > 500 {
        return Err(l.pick("备注不能超过 500 字。", "The note may be at most 500 characters."));
    }
    if employer.chars().count() > 100 {
        return Err(l.pick("单位名称不能超过 100 字。", "The employer's name may be at most 100 characters."));
    }
    match outcome {
        Outcome::Different if !known(category) => Err(
            l.pick("去向不符时，请选择核实到的去向类别。", "With a different destination, choose the category found.")
        ),
        Outcome::Different => Ok((outcome, Some((category, employer)))),
        _ => Ok((outcome, None)),
    }
}

async fn save_call(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    multipart: Multipart,
) -> Result<Response, AppError> {
    let me = verifier(&ctx).await?;
    let task = campaigns::task(&state.db, id, me, ctx.locale).await?.ok_or(AppError::NotFound)?;
    let l = ctx.locale;
    let Some(upload) = Upload::read(multipart).await else {
        let error = l.pick(
            "上传失败：文件超过 10 MB 或传输中断。",
            "Upload failed: the file is over 10 MB or the transfer broke.",
        );
        return render_queue(&state, &ctx, Some(task), error.into(), Default::default()).await;
    };
    if !upload.csrf_matches(&ctx.csrf) {
        return Err(AppError::Csrf);
    }
    if !task.open {
        return Err(AppError::Conflict(l.pick("本次核查已结束。", "This campaign has closed.").into()));
    }
    let draft = (
        upload.field("outcome").to_owned(),
        upload.field("found_category").to_owned(),
        upload.field("found_employer").to_owned(),
        upload.field("note").to_owned(),
    );
    let labels = destination_labels(&state, registry::cohorts::latest_year(&state).await?, l).await?;
    let known = |code: &str| labels.contains_key(code);
    let (outcome, found) = match check_call(&draft.0, &draft.1, &draft.2, &draft.3, &known, l) {
        Ok(checked) => checked,
        Err(message) => return render_queue(&state, &ctx, Some(task), message.into(), draft.clone()).await,
    };
    let document = match upload.bytes.is_empty() {
        true => None,
        false => {
            let fallback = l.pick("核查证明材料", "verification evidence");
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
                Err(message) => return render_queue(&state, &ctx, Some(task), message, draft.clone()).await,
            }
        }
    };
    let call = Call {
        outcome,
        found,
        note: &draft.3,
        document: document.as_ref().map(|a| (a.shown_name.as_str(), &a.stored)),
    };
    let mut tx = state.db.begin().await?;
    campaigns::record_call(&mut tx, &ctx.audit_actor(), &task, &call).await?;
    tx.commit().await?;
    Ok(redirect_with_flash("/verification/tasks", ctx.t("已保存，下一条。", "Saved; here is the next.")))
}

/// A call's evidence, for its verifier.
async fn task_document(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, AppError> {
    let me = verifier(&ctx).await?;
    let (sha, content_type) = campaigns::document(&state.db, id, me).await?.ok_or(AppError::NotFound)?;
    let stem = ctx.t("核查证明材料", "verification-evidence");
    kernel::web::export::stored_document(&state.config.files(), &sha, stem, id, &content_type)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_plan_form_is_checked_in_the_readers_language() {
        let mut f = Form::first();
        f.name = "2022届核查".into();
        let (design, _, top, bottom) = check(&f, Locale::Zh).expect("defaults are valid");
        assert_eq!(design, Design { margin: 0.05, confidence: 0.95, expected: 0.5 });
        assert_eq!((top, bottom), (0, 0));
        f.margin = "50".into();
        f.seed = "x".into();
        let errors = check(&f, Locale::Zh).unwrap_err();
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert!(errors[0].contains("误差范围"));
    }

    #[test]
    fn institutions_are_taken_once_with_every_reason() {
        let u = union(&[3, 1], &[1, 2], &[4], &[2, 5]);
        assert_eq!(
            u,
            vec![
                (3, "finding".into()),
                (1, "finding,top".into()),
                (2, "top,chosen".into()),
                (4, "bottom".into()),
                (5, "chosen".into())
            ]
        );
    }

    #[test]
    fn a_different_destination_needs_its_category() {
        let known = |c: &str| c == "10";
        assert!(check_call("", "", "", "", &known, Locale::Zh).is_err());
        assert!(check_call("different", "", "", "", &known, Locale::Zh).is_err());
        assert_eq!(
            check_call("different", "10", "某公司", "", &known, Locale::Zh),
            Ok((Outcome::Different, Some(("10", "某公司"))))
        );
        assert_eq!(check_call("confirmed", "10", "x", "", &known, Locale::Zh), Ok((Outcome::Confirmed, None)));
    }
}
