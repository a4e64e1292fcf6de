//! 重点群体帮扶 for staff and the province: the register (/assistance), one
//! graduate's file and plan (/assistance/{graduate}, every view audited) and
//! the coverage of the service standard (/assistance/coverage).

use std::collections::{HashMap, HashSet};

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use chrono::NaiveDate;
use serde::Deserialize;

use kernel::auth::{Owner, Role};
use kernel::web::export::Sheet;
use kernel::web::table::{KeyPaging, KeyQuery, ListUrl, Sort};
use kernel::web::{redirect_with_flash, AppError, AppState, CsrfForm, Ctx};
use kernel::{time, Locale};

use crate::coverage::{self, Aggregate, Coverage, Standard};
use crate::handover::{self, prefecture, Column, SheetNames};
use crate::store::{self, By, Entry, File, Flag, Listed, Measure, Member, NewEntry, Person, Viewer};
use crate::suggest::{self, Why};

/// How many open postings the referral form suggests.
const SUGGESTED: usize = 8;
/// How many open postings SQL keeps for the suggestion rule to rank.
const PREFILTERED: i64 = 60;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/assistance", get(register_page))
        .route("/assistance/flags", post(add_flag))
        .route("/assistance/coverage", get(coverage_page))
        .route("/assistance/handover", get(handover))
        .route("/assistance/coverage/standard", post(save_standard))
        .route("/assistance/{graduate}", get(file_page))
        .route("/assistance/{graduate}/file", post(save_file))
        .route("/assistance/{graduate}/flags/{flag}/remove", post(remove_flag))
        .route("/assistance/{graduate}/helpers", post(assign))
        .route("/assistance/{graduate}/helpers/{account}/remove", post(unassign))
        .route("/assistance/{graduate}/measures", post(add_measure))
        .route("/assistance/{graduate}/measures/{id}/close", post(close_measure))
        .route("/assistance/{graduate}/entries", post(add_entry))
        .merge(crate::my_pages::routes())
        .merge(crate::appointments::pages::routes())
        .merge(crate::trainings::pages::routes())
        .merge(crate::bases::pages::routes())
}

const OFFICES: &[Role] = &[Role::ProvinceAdmin, Role::UniversityStaff];

/// Names of codes, for templates.
#[derive(Debug, Clone, Default)]
pub struct Names(HashMap<String, String>);

impl Names {
    fn of(pairs: &[(String, String)]) -> Names {
        Names(pairs.iter().cloned().collect())
    }
    pub fn get(&self, code: &str) -> String {
        self.0.get(code).cloned().unwrap_or_else(|| code.to_owned())
    }
}

// ---------------------------------------------------------------- register

#[derive(Deserialize, Default)]
struct RegisterQuery {
    #[serde(default)]
    category: String,
    #[serde(default)]
    institution: String,
    #[serde(default)]
    placed: String,
    #[serde(default)]
    standard: String,
    #[serde(default)]
    silent: String,
    #[serde(default)]
    overdue: String,
    #[serde(default)]
    sort: String,
    #[serde(default)]
    dir: String,
    #[serde(flatten)]
    paging: KeyQuery,
}

/// One row of the register.
struct Line {
    m: Member,
    placed: bool,
    coverage: Coverage,
    last: Option<String>,
    overdue: u32,
    helpers: String,
}

#[derive(Template)]
#[template(path = "register.html")]
struct RegisterPage<'a> {
    ctx: &'a Ctx,
    l: Locale,
    cohort: i64,
    province: bool,
    q: RegisterQuery,
    institutions: Vec<(i64, String)>,
    categories: Vec<(String, String)>,
    names: Names,
    standard: String,
    total: i64,
    lines: Vec<Line>,
    pager: String,
    student_no_header: String,
    name_header: String,
}

impl RegisterPage<'_> {
    fn categories_of(&self, m: &Member) -> String {
        m.categories.iter().map(|c| self.names.get(c)).collect::<Vec<_>>().join("、")
    }
    fn institution_selected(&self, id: &i64) -> bool {
        self.q.institution == id.to_string()
    }
}

async fn register_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<RegisterQuery>,
) -> Result<Response, AppError> {
    let actor = ctx.require(OFFICES)?;
    let province = actor.role == Role::ProvinceAdmin;
    let viewer = Viewer::of(actor);
    let cohort = registry::cohorts::latest_year(&state).await?;
    let l = ctx.locale;
    let db = &state.db;
    // The standard, placed codes, categories and institutions: cached, so a page
    // runs only the statements its request asks (the page and what is beside it).
    let lookups = store::lookups(db, &state.cache, cohort).await?;
    let standard = &lookups.standard;
    let today = time::today_china();
    let filter = store::Filter {
        category: q.category.trim().to_owned(),
        institution: if province { q.institution.trim().parse().ok() } else { None },
        placed: match q.placed.as_str() {
            "yes" => Some(true),
            "no" => Some(false),
            _ => None,
        },
        met: match q.standard.as_str() {
            "met" => Some(true),
            "unmet" => Some(false),
            _ => None,
        },
        silent_since: q
            .silent
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|n| (1..=3650).contains(n))
            .map(|n| today - chrono::Duration::days(n)),
        overdue_on: (q.overdue == "1").then_some(today),
    };
    let sort = Sort::parse(Some(&q.sort), Some(&q.dir), store::SORTS);
    let mut paging = KeyPaging::parse(&q.paging);
    let members: Vec<Member> = match store::listing(&viewer, cohort, &lookups, &filter) {
        Some(listing) => listing
            .page_by_key::<Listed>(db, &state.cache, store::REGISTER_COLUMNS, &sort, store::ID, &mut paging)
            .await?
            .into_iter()
            .map(|m| m.0)
            .collect(),
        None => Vec::new(),
    };
    let ids: Vec<i64> = members.iter().map(|m| m.id).collect();
    let mut beside = store::beside(db, &ids, today).await?;
    let placed_codes = &lookups.placed;
    let lines = members
        .into_iter()
        .map(|mut m| {
            for code in beside.flags.remove(&m.id).into_iter().flatten() {
                if !m.categories.contains(&code) {
                    m.categories.push(code);
                }
            }
            let tally = beside.tallies.remove(&m.id).unwrap_or_default();
            let helpers = beside.helpers.remove(&m.id).unwrap_or_default();
            Line {
                placed: m.destination.as_ref().is_some_and(|c| placed_codes.contains(c)),
                coverage: coverage::of_graduate(standard, &tally.counts),
                last: tally.last,
                overdue: beside.overdue.get(&m.id).copied().unwrap_or(0),
                helpers: helpers.iter().map(|(_, n)| n.as_str()).collect::<Vec<_>>().join("、"),
                m,
            }
        })
        .collect();
    let filters = [
        ("category", q.category.as_str()),
        ("institution", &q.institution),
        ("placed", &q.placed),
        ("standard", &q.standard),
        ("silent", &q.silent),
        ("overdue", &q.overdue),
    ];
    let url = ListUrl::new("/assistance", &filters);
    let dir = if sort.desc { "desc" } else { "asc" };
    let sorted = ListUrl::new("/assistance", &[&filters[..], &[("sort", &sort.key), ("dir", dir)]].concat());
    let categories = lookups.categories(l);
    let page = RegisterPage {
        ctx: &ctx,
        l,
        cohort,
        province,
        institutions: if province { lookups.institutions.clone() } else { Vec::new() },
        names: Names::of(&categories),
        categories,
        standard: standard.label(),
        total: paging.total,
        lines,
        pager: paging.html(&sorted, l),
        student_no_header: sort.header(&url, "student_no", l.pick("学号", "Student no.")),
        name_header: sort.header(&url, "name", l.pick("姓名", "Name")),
        q,
    };
    ctx.page(ctx.t("重点群体帮扶", "Key-group assistance"), &page)
}

#[derive(Deserialize)]
struct FlagForm {
    #[serde(default)]
    student_no: String,
    #[serde(default)]
    category: String,
}

/// The institution's staff add a graduate to the register by student number.
async fn add_flag(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(form): CsrfForm<FlagForm>,
) -> Result<Response, AppError> {
    let actor = ctx.require(&[Role::UniversityStaff])?;
    let institution = actor.institution_id.ok_or(AppError::Forbidden)?;
    let cohort = registry::cohorts::latest_year(&state).await?;
    let categories = store::categories(&state.db, ctx.locale).await?;
    if !categories.iter().any(|(c, _)| *c == form.category) {
        return Ok(redirect_with_flash("/assistance", ctx.t("请选择帮扶类别。", "Choose a category.")));
    }
    let student_no = form.student_no.trim();
    let found = store::by_student_no(&state.db, institution, cohort, student_no).await?;
    let Some(p) = found.filter(|p| ctx.scope().may_see(owner(p))) else {
        return Ok(redirect_with_flash(
            "/assistance",
            ctx.t("本校本届没有这个学号的毕业生。", "No graduate of this cohort here has that student number."),
        ));
    };
    if store::flags_of(&state.db, &p).await?.iter().any(|f| f.code == form.category) {
        return Ok(redirect_with_flash(
            &format!("/assistance/{}", p.id),
            ctx.t("已在该类别中。", "Already in that category."),
        ));
    }
    let mut tx = state.db.begin().await?;
    store::add_flag(&mut tx, &ctx.audit_actor(), &p, &form.category).await?;
    tx.commit().await?;
    state.cache.clear();
    Ok(redirect_with_flash(&format!("/assistance/{}", p.id), ctx.t("已加入帮扶名册。", "Added to the register.")))
}

// ---------------------------------------------------------------- a graduate's file

fn owner(p: &Person) -> Owner {
    Owner { institution: Some(p.institution_id), college: Some(p.college_id), ..Owner::default() }
}

/// The graduate, when the actor's office may see its file and it is in the register; 404 otherwise.
/// Staff scoped to a college see only the files of the graduates they help.
async fn visible(state: &AppState, ctx: &Ctx, graduate: i64) -> Result<Person, AppError> {
    let viewer = Viewer::of(ctx.require(OFFICES)?);
    let p = store::person(&state.db, graduate).await?.ok_or(AppError::NotFound)?;
    if !viewer.may_see(&state.db, &p).await? || !store::in_register(&state.db, &p).await? {
        return Err(AppError::NotFound);
    }
    Ok(p)
}

#[derive(Template)]
#[template(path = "file.html")]
struct FilePage<'a> {
    ctx: &'a Ctx,
    l: Locale,
    p: Person,
    id_shown: String,
    names: Names,
    flags: Vec<Flag>,
    destination: String,
    placed: bool,
    file: File,
    helpers: Vec<(i64, String)>,
    staff: Vec<(i64, String)>,
    measures: Vec<Measure>,
    entries: Vec<Entry>,
    coverage: Coverage,
    kind_names: Names,
    kinds: Vec<(String, String)>,
    suggestions: Vec<(i64, String, String, Vec<Why>)>,
    fairs: Vec<(i64, String)>,
    today: String,
    error: String,
}

impl FilePage<'_> {
    fn source(&self, f: &Flag) -> &'static str {
        match f.source {
            "roster" => self.l.pick("生源名单", "Roster"),
            _ => self.l.pick("学校认定", "Added by staff"),
        }
    }
    fn whys(&self, why: &[Why]) -> String {
        why.iter().map(|w| w.label(self.l)).collect::<Vec<_>>().join("、")
    }
    fn answer(&self, e: &Entry) -> &'static str {
        store::answer_label(e.answer.as_deref().unwrap_or(""), self.l)
    }
}

async fn render(state: &AppState, ctx: &Ctx, p: Person, error: String) -> Result<Response, AppError> {
    let db = &state.db;
    let l = ctx.locale;
    store::record_view(db, &ctx.audit_actor(), &p).await?;
    let categories = store::categories(db, l).await?;
    let kinds = store::kinds(db, l).await?;
    let flags = store::flags_of(db, &p).await?;
    let placed = match &p.destination {
        Some(code) => store::placed_codes(db, p.cohort).await?.contains(code),
        None => false,
    };
    let destination = match &p.destination {
        Some(code) => {
            let version =
                registry::cohorts::get(db, p.cohort).await?.map(|c| c.destination_version).unwrap_or_default();
            kernel::codes::labels(db, "destination", &version, l).await?.remove(code).unwrap_or_else(|| code.clone())
        }
        None => l.pick("未登记", "Not recorded").to_owned(),
    };
    let standard = store::standard(db, p.cohort).await?;
    let entries = store::entries_of(db, p.id, false, l).await?;
    let mut counts: HashMap<String, u32> = HashMap::new();
    for e in &entries {
        *counts.entry(e.kind.clone()).or_default() += 1;
    }
    let coverage = coverage::of_graduate(&standard, &counts);
    let today = time::today_china();
    let wants = store::wants_of(db, &p).await?;
    let most = PREFILTERED + i64::try_from(entries.len()).unwrap_or(0);
    let open = store::open_postings(db, &wants, today, most).await?;
    let candidates: Vec<_> = open.iter().map(|o| o.candidate.clone()).collect();
    let referred: HashSet<i64> = entries.iter().filter_map(|e| e.posting.as_ref().map(|p| p.0)).collect();
    let by_id: HashMap<i64, &store::Open> = open.iter().map(|o| (o.candidate.id, o)).collect();
    let suggestions = suggest::rank(&wants, &candidates, SUGGESTED + referred.len())
        .into_iter()
        .filter(|(id, _)| !referred.contains(id))
        .take(SUGGESTED)
        .filter_map(|(id, why)| by_id.get(&id).map(|o| (id, o.title.clone(), o.employer.clone(), why)))
        .collect();
    let id_shown = match ctx.actor.as_ref().is_some_and(|a| a.sees_personal_numbers()) {
        true => p.id_number.clone(),
        false => kernel::mask::id_number(&p.id_number),
    };
    let page = FilePage {
        ctx,
        l,
        id_shown,
        names: Names::of(&categories),
        flags,
        destination,
        placed,
        file: store::file_of(db, p.id).await?,
        helpers: store::helpers_of(db, p.id).await?,
        staff: store::staff_of(db, p.institution_id).await?,
        measures: store::measures_of(db, p.id).await?,
        entries,
        coverage,
        kind_names: Names::of(&kinds),
        kinds,
        suggestions,
        fairs: store::coming_fairs(db).await?,
        today: today.to_string(),
        error,
        p,
    };
    let title = format!("{}：{}", ctx.t("帮扶档案", "Assistance file"), page.p.name);
    ctx.page(&title, &page)
}

async fn file_page(State(state): State<AppState>, ctx: Ctx, Path(graduate): Path<i64>) -> Result<Response, AppError> {
    let p = visible(&state, &ctx, graduate).await?;
    render(&state, &ctx, p, String::new()).await
}

/// Text of at most `most` characters, trimmed; `None` when too long.
fn text(s: &str, most: usize) -> Option<String> {
    let s = s.trim();
    (s.chars().count() <= most).then(|| s.to_owned())
}

fn date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok()
}

fn back(p: &Person, anchor: &str) -> String {
    format!("/assistance/{}#{anchor}", p.id)
}

#[derive(Deserialize)]
struct FileForm {
    #[serde(default)]
    difficulties: String,
    #[serde(default)]
    intentions: String,
    #[serde(default)]
    contacts: String,
}

async fn save_file(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(graduate): Path<i64>,
    CsrfForm(form): CsrfForm<FileForm>,
) -> Result<Response, AppError> {
    let p = visible(&state, &ctx, graduate).await?;
    let (Some(difficulties), Some(intentions), Some(contacts)) =
        (text(&form.difficulties, 2000), text(&form.intentions, 2000), text(&form.contacts, 2000))
    else {
        let error = ctx.t("每一项不超过 2000 字。", "Each part takes at most 2000 characters.");
        return render(&state, &ctx, p, error.into()).await;
    };
    let mut tx = state.db.begin().await?;
    store::save_file(&mut tx, &ctx.audit_actor(), &p, &File { difficulties, intentions, contacts, updated: None })
        .await?;
    tx.commit().await?;
    state.cache.clear();
    Ok(redirect_with_flash(&back(&p, "file"), ctx.t("档案已保存。", "File saved.")))
}

#[derive(Deserialize)]
struct RemoveFlagForm {
    #[serde(default)]
    reason: String,
}

async fn remove_flag(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((graduate, flag)): Path<(i64, i64)>,
    CsrfForm(form): CsrfForm<RemoveFlagForm>,
) -> Result<Response, AppError> {
    let p = visible(&state, &ctx, graduate).await?;
    let reason = form.reason.trim();
    if reason.is_empty() || reason.chars().count() > 500 {
        let error =
            ctx.t("请写明移出的理由（不超过 500 字）。", "Give the reason for removing (at most 500 characters).");
        return render(&state, &ctx, p, error.into()).await;
    }
    let mut tx = state.db.begin().await?;
    let removed = store::remove_flag(&mut tx, &ctx.audit_actor(), &p, flag, reason).await?;
    tx.commit().await?;
    state.cache.clear();
    if !removed {
        return Err(AppError::NotFound);
    }
    // Without any flag left the file leaves the register: back to the list.
    let to = match store::in_register(&state.db, &p).await? {
        true => back(&p, "flags"),
        false => "/assistance".to_owned(),
    };
    Ok(redirect_with_flash(&to, ctx.t("已移出该类别。", "Removed from the category.")))
}

#[derive(Deserialize)]
struct HelperForm {
    #[serde(default)]
    account: String,
}

async fn assign(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(graduate): Path<i64>,
    CsrfForm(form): CsrfForm<HelperForm>,
) -> Result<Response, AppError> {
    let p = visible(&state, &ctx, graduate).await?;
    let staff = store::staff_of(&state.db, p.institution_id).await?;
    let Some(account) = form.account.trim().parse::<i64>().ok().filter(|a| staff.iter().any(|(id, _)| id == a)) else {
        let error =
            ctx.t("请选择本校的工作人员作为帮扶责任人。", "Choose a staff member of the institution as helper.");
        return render(&state, &ctx, p, error.into()).await;
    };
    let mut tx = state.db.begin().await?;
    store::assign(&mut tx, &ctx.audit_actor(), &p, account).await?;
    tx.commit().await?;
    state.cache.clear();
    Ok(redirect_with_flash(&back(&p, "helpers"), ctx.t("已指定帮扶责任人。", "Helper assigned.")))
}

async fn unassign(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((graduate, account)): Path<(i64, i64)>,
    CsrfForm(_): CsrfForm<kernel::web::NoFields>,
) -> Result<Response, AppError> {
    let p = visible(&state, &ctx, graduate).await?;
    let mut tx = state.db.begin().await?;
    let removed = store::unassign(&mut tx, &ctx.audit_actor(), &p, account).await?;
    tx.commit().await?;
    state.cache.clear();
    if !removed {
        return Err(AppError::NotFound);
    }
    Ok(redirect_with_flash(&back(&p, "helpers"), ctx.t("已取消该责任人。", "Helper removed.")))
}

#[derive(Deserialize)]
struct MeasureForm {
    #[serde(default)]
    goal: String,
    #[serde(default)]
    measure: String,
    #[serde(default)]
    due_on: String,
}

async fn add_measure(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(graduate): Path<i64>,
    CsrfForm(form): CsrfForm<MeasureForm>,
) -> Result<Response, AppError> {
    let p = visible(&state, &ctx, graduate).await?;
    let goal = text(&form.goal, 500).filter(|s| !s.is_empty());
    let measure = text(&form.measure, 1000).filter(|s| !s.is_empty());
    let (Some(goal), Some(measure), Some(due)) = (goal, measure, date(&form.due_on)) else {
        let error = ctx.t(
            "请填写目标（不超过 500 字）、措施（不超过 1000 字）和完成期限（如 2022-09-30）。",
            "Give the goal (at most 500 characters), the measure (at most 1000) and the due date (e.g. 2022-09-30).",
        );
        return render(&state, &ctx, p, error.into()).await;
    };
    let mut tx = state.db.begin().await?;
    store::add_measure(&mut tx, &ctx.audit_actor(), &p, &goal, &measure, due).await?;
    tx.commit().await?;
    state.cache.clear();
    Ok(redirect_with_flash(&back(&p, "plan"), ctx.t("帮扶措施已添加。", "Measure added.")))
}

#[derive(Deserialize)]
struct CloseForm {
    #[serde(default)]
    state: String,
}

async fn close_measure(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((graduate, id)): Path<(i64, i64)>,
    CsrfForm(form): CsrfForm<CloseForm>,
) -> Result<Response, AppError> {
    let p = visible(&state, &ctx, graduate).await?;
    if !matches!(form.state.as_str(), "done" | "dropped") {
        return render(&state, &ctx, p, ctx.t("请选择完成或放弃。", "Choose done or dropped.").into()).await;
    }
    let mut tx = state.db.begin().await?;
    let closed = store::close_measure(&mut tx, &ctx.audit_actor(), &p, id, &form.state).await?;
    tx.commit().await?;
    state.cache.clear();
    if !closed {
        return Err(AppError::NotFound);
    }
    Ok(redirect_with_flash(&back(&p, "plan"), ctx.t("措施状态已更新。", "Measure updated.")))
}

#[derive(Deserialize)]
struct EntryForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    at: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    posting: String,
    /// A posting's number typed in, when none of the suggestions is picked.
    #[serde(default)]
    posting_no: String,
    #[serde(default)]
    fair: String,
    #[serde(default)]
    amount: String,
    #[serde(default)]
    approved_at: String,
    #[serde(default)]
    paid_at: String,
}

/// The entry the form describes, or what is wrong with it.
async fn check_entry(state: &AppState, ctx: &Ctx, f: &EntryForm) -> Result<Result<NewEntry, &'static str>, AppError> {
    let kinds = store::kinds(&state.db, ctx.locale).await?;
    if !kinds.iter().any(|(c, _)| *c == f.kind) {
        return Ok(Err(ctx.t("请选择帮扶类型。", "Choose the kind of assistance.")));
    }
    let today = time::today_china();
    let Some(at) = date(&f.at).filter(|d| *d <= today) else {
        return Ok(Err(ctx.t(
            "请填写帮扶日期（如 2022-09-15），不能晚于今天。",
            "Give the date (e.g. 2022-09-15), not after today.",
        )));
    };
    let Some(note) = text(&f.note, 1000) else {
        return Ok(Err(ctx.t("情况记录不超过 1000 字。", "The note takes at most 1000 characters.")));
    };
    let mut e = NewEntry { kind: f.kind.clone(), at, note, ..NewEntry::default() };
    match f.kind.as_str() {
        crate::REFERRAL => {
            let picked = if f.posting.trim().is_empty() { &f.posting_no } else { &f.posting };
            let posting = picked.trim().parse::<i64>().ok();
            match posting {
                Some(id) if store::posting_is_open(&state.db, id, today).await? => e.posting_id = Some(id),
                _ => {
                    return Ok(
                        Err(ctx.t("岗位推介须选择一个正在招聘的岗位。", "A job referral needs an open posting.")),
                    )
                }
            }
        }
        crate::FAIR_INVITATION => match f.fair.trim().parse::<i64>().ok() {
            Some(id) if store::coming_fairs(&state.db).await?.iter().any(|(f, _)| *f == id) => e.fair_id = Some(id),
            _ => return Ok(Err(ctx.t("招聘活动邀请须选择一场活动。", "An invitation needs a fair."))),
        },
        crate::SUBSIDY => {
            let Some(amount) = f.amount.trim().parse::<i64>().ok().filter(|a| (1..=100_000).contains(a)) else {
                return Ok(Err(
                    ctx.t("补贴金额须为 1 至 100000 元的整数。", "The subsidy is a whole number of yuan, 1 to 100000.")
                ));
            };
            e.amount_yuan = Some(amount);
            for (field, slot) in [(&f.approved_at, &mut e.approved_at), (&f.paid_at, &mut e.paid_at)] {
                if field.trim().is_empty() {
                    continue;
                }
                match date(field) {
                    Some(d) => *slot = Some(d),
                    None => return Ok(Err(ctx.t("审批和发放日期写作 2022-09-15。", "Write the dates as 2022-09-15."))),
                }
            }
        }
        _ => {}
    }
    Ok(Ok(e))
}

async fn add_entry(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(graduate): Path<i64>,
    CsrfForm(form): CsrfForm<EntryForm>,
) -> Result<Response, AppError> {
    let p = visible(&state, &ctx, graduate).await?;
    let e = match check_entry(&state, &ctx, &form).await? {
        Ok(e) => e,
        Err(message) => return render(&state, &ctx, p, message.into()).await,
    };
    let mut tx = state.db.begin().await?;
    store::add_entry(&mut tx, &ctx.audit_actor(), &p, &e).await?;
    tx.commit().await?;
    state.cache.clear();
    Ok(redirect_with_flash(&back(&p, "ledger"), ctx.t("帮扶记录已登记。", "Assistance recorded.")))
}

// ---------------------------------------------------------------- coverage

/// One row of the coverage table.
#[derive(Debug, Clone)]
struct Group {
    name: String,
    a: Aggregate,
}

#[derive(Template)]
#[template(path = "coverage.html")]
struct CoveragePage<'a> {
    ctx: &'a Ctx,
    l: Locale,
    cohort: i64,
    province: bool,
    standard: Standard,
    kind_names: Names,
    kinds: Vec<(String, String)>,
    total: Group,
    groups: Vec<Group>,
}

impl CoveragePage<'_> {
    fn required(&self, kind: &str) -> u32 {
        self.standard.items.iter().find(|(k, _)| k == kind).map(|(_, n)| *n).unwrap_or(0)
    }
}

/// The coverage figures: the total and the groups, (key, name, figures).
type Sums = (Aggregate, Vec<(i64, String, Aggregate)>);

/// The province by institution, an office by helper: summed in SQL and kept in
/// the cache under the standard itself, so a changed standard is counted at
/// once; every assistance write clears the cache.
async fn coverage_page(State(state): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    let actor = ctx.require(OFFICES)?;
    let province = actor.role == Role::ProvinceAdmin;
    let viewer = Viewer::of(actor);
    let db = &state.db;
    let l = ctx.locale;
    let cohort = registry::cohorts::latest_year(&state).await?;
    let lookups = store::lookups(db, &state.cache, cohort).await?;
    let standard = lookups.standard.clone();
    let by = if province { By::Institution } else { By::Helper };
    let key = format!("assistance coverage {cohort} {by:?} {viewer:?} {standard:?}");
    let sums = state
        .cache
        .get_or(&key, || async {
            let total = store::coverage_sums(db, &viewer, cohort, &standard, By::Total).await?;
            let total = total.into_iter().next().map(|(_, _, a)| a).unwrap_or_default();
            let groups = store::coverage_sums(db, &viewer, cohort, &standard, by).await?;
            Ok::<Sums, AppError>((total, groups))
        })
        .await?;
    let unassigned = l.pick("（未指定责任人）", "(no helper)");
    let groups = sums
        .1
        .iter()
        .map(|(k, name, a)| Group {
            name: if by == By::Helper && *k == 0 { unassigned.to_owned() } else { name.clone() },
            a: a.clone(),
        })
        .collect();
    let kinds = lookups.kinds(l);
    let page = CoveragePage {
        ctx: &ctx,
        l,
        cohort,
        province,
        standard,
        kind_names: Names::of(&kinds),
        kinds,
        total: Group { name: l.pick("合计", "Total").to_owned(), a: sums.0.clone() },
        groups,
    };
    ctx.page(ctx.t("帮扶服务覆盖情况", "Assistance coverage"), &page)
}

/// The province sets the cohort's standard: a count per kind (`n_01`, `n_02`, …).
async fn save_standard(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(form): CsrfForm<HashMap<String, String>>,
) -> Result<Response, AppError> {
    ctx.require(&[Role::ProvinceAdmin])?;
    let cohort = registry::cohorts::latest_year(&state).await?;
    let kinds = store::kinds(&state.db, ctx.locale).await?;
    let mut items = Vec::new();
    for (code, _) in &kinds {
        let given = form.get(&format!("n_{code}")).map(|s| s.trim()).unwrap_or("");
        match given.parse::<u32>() {
            Ok(n) if n <= 20 => items.push((code.clone(), n)),
            _ if given.is_empty() => {}
            _ => {
                return Ok(redirect_with_flash(
                    "/assistance/coverage",
                    ctx.t("每项次数须为 0 至 20 的整数。", "Each count is a whole number from 0 to 20."),
                ))
            }
        }
    }
    let mut tx = state.db.begin().await?;
    store::save_standard(&mut tx, &ctx.audit_actor(), cohort, &items).await?;
    tx.commit().await?;
    state.cache.clear();
    Ok(redirect_with_flash("/assistance/coverage", ctx.t("服务标准已保存。", "Standard saved.")))
}

#[derive(Deserialize)]
struct HandoverQuery {
    /// One prefecture's sheet only (its code, 430100), for its employment service.
    city: Option<String>,
}

/// 离校未就业实名移交: the register's unplaced graduates as xlsx for the public
/// employment services, one sheet per 户籍地 prefecture in the configured
/// layout; numbers in full only for a role that sees them.
async fn handover(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<HandoverQuery>,
) -> Result<Response, AppError> {
    let actor = ctx.require(OFFICES)?;
    let only = q.city.filter(|c| !c.is_empty());
    if only.as_deref().is_some_and(|c| c.len() != 6 || !c.bytes().all(|b| b.is_ascii_digit()) || prefecture(c) != c) {
        return Err(AppError::NotFound);
    }
    let columns = Column::layout(&state.config.handover_columns).map_err(|e| AppError::Internal(e.into()))?;
    let full = actor.sees_personal_numbers();
    let viewer = Viewer::of(actor);
    let db = &state.db;
    let l = ctx.locale;
    let cohort = registry::cohorts::latest_year(&state).await?;
    let leavers: Vec<_> = store::leavers(db, &viewer, cohort)
        .await?
        .into_iter()
        .filter(|x| only.as_deref().is_none_or(|c| prefecture(&x.origin_code) == c))
        .collect();
    let count = leavers.len();
    let names = SheetNames {
        regions: store::region_names(db).await?,
        categories: store::categories(db, l).await?.into_iter().collect(),
        ethnicities: kernel::codes::labels(db, "ethnicity", kernel::codes::BASE_VERSION, l).await?,
        political: kernel::codes::labels(db, "political_status", kernel::codes::BASE_VERSION, l).await?,
        helpers: store::helpers_in(db, &viewer, cohort).await?,
    };
    let sheets = handover::workbook(leavers, &columns, &names, cohort, !full, only.as_deref(), l);
    store::record_handover(db, &ctx.audit_actor(), cohort, count, full).await?;
    let book: Vec<Sheet> =
        sheets.iter().map(|s| Sheet { name: &s.name, rows: &s.rows, text_columns: &s.text_columns }).collect();
    let bytes = kernel::web::export::book_to_xlsx(&book).map_err(|e| AppError::Internal(e.into()))?;
    let stem = match &only {
        Some(city) => format!("handover-{cohort}-{city}"),
        None => format!("handover-{cohort}"),
    };
    Ok(kernel::web::export::attachment(kernel::web::export::XLSX, &format!("{stem}.xlsx"), bytes))
}
