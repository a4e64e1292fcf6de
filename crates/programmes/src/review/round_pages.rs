//! The province's review round of a call, /programmes/calls/{id}/review:
//! settings, assignment (conflicts + min-cost flow) with shortages and why,
//! replacing one expert, progress, the ranking (weighted totals, finals by the
//! chosen method, spread flags with re-review), its xlsx export and the
//! decision within quotas. Handlers are thin: rules in `round`, SQL in
//! `round_store`.

use std::collections::{HashMap, HashSet};

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;

use kernel::auth::Role;
use kernel::web::{redirect_with_flash, AppError, AppState, CsrfForm, Ctx};
use kernel::Locale;

use super::assignment::{self, Shortage};
use super::conflicts;
use super::round::{self, Ranked, Settings, SettingsForm};
use super::round_store::{self as rs, Assignment, Round};
use super::scores::{Candidate, Verdict};
use super::store;
use crate::calls::store::{self as calls, Application, Call};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/programmes/calls/{id}/review", get(round_page))
        .route("/programmes/calls/{id}/review/settings", post(save_settings))
        .route("/programmes/calls/{id}/review/assign", post(assign))
        .route("/programmes/calls/{id}/review/replace", post(replace))
        .route("/programmes/calls/{id}/review/rereview", post(rereview))
        .route("/programmes/calls/{id}/review/decide", post(decide))
        .route("/programmes/calls/{id}/review/ranking.xlsx", get(export))
}

const PROVINCE: &[Role] = &[Role::ProvinceAdmin];

async fn province_call(state: &AppState, ctx: &Ctx, id: i64) -> Result<Call, AppError> {
    ctx.require(PROVINCE)?;
    calls::call(&state.db, id).await?.ok_or(AppError::NotFound)
}

/// The applications that reached the province's review.
async fn under_review(state: &AppState, c: &Call) -> Result<Vec<Application>, AppError> {
    Ok(calls::applications(&state.db, c.id, None, Some(round::review_status(&c.rounds))).await?)
}

/// An application as conflict detection sees it.
fn conflict_app(a: &Application, field: &str) -> conflicts::Application {
    let inst = Some(a.institution_id);
    conflicts::Application {
        id: a.id,
        institution_id: inst,
        field: field.to_owned(),
        leader: conflicts::Person::new(&a.leader.name, inst),
        members: a.members.iter().map(|m| conflicts::Person::new(&m.name, inst)).collect(),
        ..conflicts::Application::default()
    }
}

/// The ranking of a call with its applications and round.
struct Standing {
    ranked: Vec<Ranked>,
    open: usize,
}

async fn standing(
    state: &AppState,
    c: &Call,
    r: &Round,
    apps: &[Application],
    assignments: &[Assignment],
) -> Result<Standing, AppError> {
    Ok(Standing {
        ranked: super::ranking_of(&state.db, c.id, r, apps, assignments).await?,
        open: assignments.iter().filter(|s| s.state == round::ASSIGNED).count(),
    })
}

/// Caps per institution from the call's quotas; the default cap when positive.
async fn caps(state: &AppState, c: &Call) -> Result<(HashMap<i64, usize>, Option<usize>), AppError> {
    let caps = calls::quotas(&state.db, c.id).await?.into_iter().map(|(i, q)| (i, q.max(0) as usize)).collect();
    Ok((caps, (c.quota_default > 0).then_some(c.quota_default as usize)))
}

fn candidates(ranked: &[Ranked], apps: &[Application]) -> Vec<Candidate> {
    let inst: HashMap<i64, i64> = apps.iter().map(|a| (a.id, a.institution_id)).collect();
    ranked
        .iter()
        .map(|r| Candidate {
            id: r.application,
            institution_id: inst.get(&r.application).copied().unwrap_or_default(),
            score: r.score,
        })
        .collect()
}

// ---------------------------------------------------------------- the page

struct ShortRow {
    title: String,
    assigned: usize,
    why: String,
}

struct ExpertRow {
    name: String,
    done: usize,
    total: usize,
}

struct AppRow {
    id: i64,
    title: String,
    institution: String,
    experts: String,
    done: usize,
    total: usize,
}

struct RankRow {
    id: i64,
    rank: usize,
    title: String,
    institution: String,
    totals: String,
    score: String,
    spread: bool,
    rereviews: i64,
    verdict: String,
    tie: bool,
    picked: bool,
    outcome: String,
}

#[derive(Template)]
#[template(path = "review/round.html")]
struct RoundPage<'a> {
    ctx: &'a Ctx,
    l: Locale,
    c: Call,
    state_name: &'static str,
    state: String,
    form: SettingsForm,
    fields: Vec<(String, String)>,
    errors: Vec<String>,
    applications: usize,
    pool: usize,
    shortages: Vec<ShortRow>,
    experts: Vec<ExpertRow>,
    progress: Vec<AppRow>,
    choices: Vec<(i64, String)>,
    pool_choices: Vec<(i64, String)>,
    ranking: Vec<RankRow>,
    open: usize,
    slots: String,
    has_ties: bool,
}

#[derive(Deserialize, Default)]
struct RoundQuery {
    #[serde(default)]
    slots: String,
}

#[allow(clippy::too_many_arguments)]
async fn render(
    state: &AppState,
    ctx: &Ctx,
    c: Call,
    form: Option<SettingsForm>,
    errors: Vec<String>,
    slots: String,
    picked: &HashSet<i64>,
) -> Result<Response, AppError> {
    let l = ctx.locale;
    let db = &state.db;
    let r = rs::round(db, c.id).await?;
    let apps = under_review(state, &c).await?;
    let assignments = rs::assignments(db, c.id).await?;
    let pool = store::list(db).await?;
    let active: Vec<&store::Expert> = pool.iter().filter(|e| e.active).collect();
    let settings = r.as_ref().map(|r| r.settings.clone()).unwrap_or_default();
    // Shortages: applications with fewer than k live experts, and why.
    let mut shortages = Vec::new();
    if r.is_some() && !assignments.is_empty() {
        let profiles = store::profiles(db).await?;
        let capps: Vec<conflicts::Application> = apps.iter().map(|a| conflict_app(a, &settings.field)).collect();
        let free = conflicts::free_experts(&capps, &profiles);
        for (i, a) in apps.iter().enumerate() {
            let n = assignments.iter().filter(|s| s.application_id == a.id && s.state != round::RECUSED).count();
            if (n as i64) < settings.k {
                let f = free[i].len();
                let why = if (f as i64) < settings.k {
                    Shortage::TooFewFree { free: f }
                } else {
                    Shortage::LoadLimits { free: f }
                };
                shortages.push(ShortRow { title: a.title.clone(), assigned: n, why: shortage_text(why, l) });
            }
        }
    }
    let mut experts: Vec<ExpertRow> = Vec::new();
    let mut by_expert: HashMap<i64, usize> = HashMap::new();
    for s in assignments.iter().filter(|s| s.state != round::RECUSED) {
        let i = *by_expert.entry(s.expert_id).or_insert_with(|| {
            experts.push(ExpertRow { name: s.expert_name.clone(), done: 0, total: 0 });
            experts.len() - 1
        });
        experts[i].total += 1;
        if s.state == round::SUBMITTED {
            experts[i].done += 1;
        }
    }
    let title: HashMap<i64, &Application> = apps.iter().map(|a| (a.id, a)).collect();
    let progress = apps
        .iter()
        .map(|a| {
            let mine: Vec<&Assignment> = assignments.iter().filter(|s| s.application_id == a.id).collect();
            AppRow {
                id: a.id,
                title: a.title.clone(),
                institution: a.institution.clone(),
                experts: mine
                    .iter()
                    .map(|s| format!("{}（{}）", s.expert_name, round::assignment_state(&s.state, l)))
                    .collect::<Vec<_>>()
                    .join("、"),
                done: mine.iter().filter(|s| s.state == round::SUBMITTED).count(),
                total: mine.iter().filter(|s| s.state != round::RECUSED).count(),
            }
        })
        .collect();
    let choices = assignments
        .iter()
        .filter(|s| s.state != round::SUBMITTED)
        .map(|s| {
            let t = title.get(&s.application_id).map(|a| a.title.as_str()).unwrap_or("");
            (s.id, format!("{t} — {}（{}）", s.expert_name, round::assignment_state(&s.state, l)))
        })
        .collect();
    let pool_choices = active.iter().map(|e| (e.id, format!("{}（{}）", e.name, e.unit()))).collect();
    let mut ranking = Vec::new();
    let mut open = 0;
    let mut has_ties = false;
    if let Some(r) = &r {
        let st = standing(state, &c, r, &apps, &assignments).await?;
        open = st.open;
        let rereviews = rs::rereviews(db, c.id).await?;
        let verdicts: HashMap<i64, Verdict> = match slots.trim().parse::<usize>() {
            Ok(n) => {
                let (caps, default_cap) = caps(state, &c).await?;
                super::scores::decide(&candidates(&st.ranked, &apps), n, &caps, default_cap).into_iter().collect()
            }
            Err(_) => HashMap::new(),
        };
        for x in &st.ranked {
            let a = title.get(&x.application);
            let v = verdicts.get(&x.application).copied();
            has_ties |= v == Some(Verdict::TieAtCut);
            ranking.push(RankRow {
                id: x.application,
                rank: x.rank,
                title: a.map(|a| a.title.clone()).unwrap_or_default(),
                institution: a.map(|a| a.institution.clone()).unwrap_or_default(),
                totals: x.totals.iter().map(|t| format!("{t:.1}")).collect::<Vec<_>>().join(" / "),
                score: format!("{:.2}", x.score),
                spread: x.spread,
                rereviews: rereviews.get(&x.application).copied().unwrap_or_default(),
                verdict: v.map(|v| round::verdict_name(v, l).to_owned()).unwrap_or_default(),
                tie: v == Some(Verdict::TieAtCut),
                picked: picked.contains(&x.application),
                outcome: match a.and_then(|a| a.outcome.as_deref()) {
                    Some("approved") => l.pick("拟立项", "Approved").to_owned(),
                    Some("rejected") => l.pick("未通过", "Rejected").to_owned(),
                    _ => String::new(),
                },
            });
        }
    }
    let page = RoundPage {
        ctx,
        l,
        state_name: round::state_name(r.as_ref().map(|r| r.state.as_str()).unwrap_or(round::NOT_STARTED), l),
        state: r.as_ref().map(|r| r.state.clone()).unwrap_or_else(|| round::NOT_STARTED.to_owned()),
        form: form.unwrap_or_else(|| SettingsForm::of(&settings)),
        fields: store::fields(db, l).await?,
        errors,
        applications: apps.len(),
        pool: active.len(),
        shortages,
        experts,
        progress,
        choices,
        pool_choices,
        ranking,
        open,
        slots: if slots.is_empty() {
            r.and_then(|r| r.slots).map(|s| s.to_string()).unwrap_or_default()
        } else {
            slots
        },
        has_ties,
        c,
    };
    let title = format!("{}：{}", ctx.t("专家评审", "Expert review"), page.c.title);
    ctx.page(&title, &page)
}

fn shortage_text(s: Shortage, l: Locale) -> String {
    match (s, l) {
        (Shortage::TooFewFree { free }, Locale::Zh) => format!("无回避关系的专家只有 {free} 位"),
        (Shortage::TooFewFree { free }, Locale::En) => format!("only {free} experts are free of conflicts"),
        (Shortage::LoadLimits { free }, Locale::Zh) => {
            format!("{free} 位专家无回避关系，但评审上限已用完")
        }
        (Shortage::LoadLimits { free }, Locale::En) => {
            format!("{free} experts are free, but their load limits are used up")
        }
    }
}

async fn round_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<RoundQuery>,
) -> Result<Response, AppError> {
    let c = province_call(&state, &ctx, id).await?;
    render(&state, &ctx, c, None, Vec::new(), q.slots, &HashSet::new()).await
}

async fn save_settings(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<SettingsForm>,
) -> Result<Response, AppError> {
    let c = province_call(&state, &ctx, id).await?;
    let codes: Vec<String> = store::fields(&state.db, ctx.locale).await?.into_iter().map(|(c, _)| c).collect();
    let s: Settings = match round::check_settings(&f, &codes, ctx.locale) {
        Ok(s) => s,
        Err(errors) => return render(&state, &ctx, c, Some(f), errors, String::new(), &HashSet::new()).await,
    };
    if rs::round(&state.db, id).await?.is_some_and(|r| r.state == round::CLOSED) {
        let e = ctx.t("评审已决定，不能再改设置。", "The review is decided; its settings are locked.").to_owned();
        return render(&state, &ctx, c, Some(f), vec![e], String::new(), &HashSet::new()).await;
    }
    let mut tx = state.db.begin().await?;
    rs::save_settings(&mut tx, &ctx.audit_actor(), id, &s).await?;
    tx.commit().await?;
    Ok(redirect_with_flash(&format!("/programmes/calls/{id}/review"), ctx.t("评审设置已保存。", "Settings saved.")))
}

async fn assign(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    CsrfForm(_): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let c = province_call(&state, &ctx, id).await?;
    let l = ctx.locale;
    let Some(r) = rs::round(&state.db, id).await? else {
        let e = l.pick("请先保存评审设置。", "Save the settings first.").to_owned();
        return render(&state, &ctx, c, None, vec![e], String::new(), &HashSet::new()).await;
    };
    let apps = under_review(&state, &c).await?;
    let profiles = store::profiles(&state.db).await?;
    if apps.is_empty() || profiles.is_empty() {
        let e = l
            .pick("没有待评审的申报书或在库专家。", "There is no application under review or no active expert.")
            .to_owned();
        return render(&state, &ctx, c, None, vec![e], String::new(), &HashSet::new()).await;
    }
    let capps: Vec<conflicts::Application> = apps.iter().map(|a| conflict_app(a, &r.settings.field)).collect();
    let free = conflicts::free_experts(&capps, &profiles);
    let s = assignment::Settings {
        k: r.settings.k as usize,
        limit: r.settings.load_limit as usize,
        mismatch: r.settings.mismatch,
        load_weight: 1,
        blind: r.settings.blind,
    };
    let result = assignment::assign_free(&capps, &profiles, &free, &s);
    let pairs: Vec<(i64, i64)> = result
        .experts_of
        .iter()
        .enumerate()
        .flat_map(|(i, es)| es.iter().map(move |&j| (i, j)))
        .map(|(i, j)| (apps[i].id, profiles[j].id))
        .collect();
    let mut tx = state.db.begin().await?;
    if !rs::assign(&mut tx, &ctx.audit_actor(), id, &pairs).await? {
        drop(tx);
        let e = l
            .pick(
                "已有专家提交评分，不能重新分配；请逐个更换专家。",
                "Experts have submitted: replace experts one by one instead.",
            )
            .to_owned();
        return render(&state, &ctx, c, None, vec![e], String::new(), &HashSet::new()).await;
    }
    tx.commit().await?;
    let msg = match (result.short.len(), l) {
        (0, _) => l.pick("已分配专家。", "Experts assigned.").to_owned(),
        (n, Locale::Zh) => format!("已分配专家；{n} 份申报专家不足，见下表。"),
        (n, Locale::En) => format!("Experts assigned; {n} applications are short, see below."),
    };
    Ok(redirect_with_flash(&format!("/programmes/calls/{id}/review"), &msg))
}

#[derive(Deserialize, Default)]
struct ReplaceForm {
    #[serde(default)]
    assignment: String,
    #[serde(default)]
    expert: String,
}

async fn replace(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<ReplaceForm>,
) -> Result<Response, AppError> {
    let c = province_call(&state, &ctx, id).await?;
    let l = ctx.locale;
    let db = &state.db;
    let a = match f.assignment.trim().parse::<i64>() {
        Ok(n) => rs::assignment(db, n).await?.filter(|a| a.call_id == id && a.state != round::SUBMITTED),
        Err(_) => None,
    };
    let expert = match f.expert.trim().parse::<i64>() {
        Ok(n) => store::profiles(db).await?.into_iter().find(|e| e.id == n),
        Err(_) => None,
    };
    let (Some(a), Some(expert)) = (a, expert) else {
        let e = l.pick("请选择要更换的分配和在库专家。", "Choose an open assignment and an active expert.").to_owned();
        return render(&state, &ctx, c, None, vec![e], String::new(), &HashSet::new()).await;
    };
    let r = rs::round(db, id).await?.ok_or(AppError::NotFound)?;
    let app = calls::application(db, a.application_id).await?.ok_or(AppError::NotFound)?;
    let found = conflicts::conflicts(&expert, &conflict_app(&app, &r.settings.field));
    let on_it = rs::assignments(db, id)
        .await?
        .iter()
        .any(|s| s.application_id == a.application_id && s.expert_id == expert.id && s.state != round::RECUSED);
    let load = rs::loads(db, id).await?.get(&expert.id).copied().unwrap_or_default();
    if let Some(e) = round::replacement_problem(&found, on_it, load, r.settings.load_limit, l) {
        return render(&state, &ctx, c, None, vec![e], String::new(), &HashSet::new()).await;
    }
    let mut tx = db.begin().await?;
    rs::replace(&mut tx, &ctx.audit_actor(), &a, expert.id).await?;
    tx.commit().await?;
    Ok(redirect_with_flash(
        &format!("/programmes/calls/{id}/review#progress"),
        ctx.t("已更换专家。", "Expert replaced."),
    ))
}

#[derive(Deserialize, Default)]
struct RereviewForm {
    #[serde(default)]
    application: String,
}

async fn rereview(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<RereviewForm>,
) -> Result<Response, AppError> {
    let c = province_call(&state, &ctx, id).await?;
    let apps = under_review(&state, &c).await?;
    let Some(app) = f.application.trim().parse::<i64>().ok().and_then(|n| apps.iter().find(|a| a.id == n)) else {
        return Err(AppError::NotFound);
    };
    let mut tx = state.db.begin().await?;
    rs::rereview(&mut tx, &ctx.audit_actor(), id, app.id, "spread").await?;
    tx.commit().await?;
    Ok(redirect_with_flash(
        &format!("/programmes/calls/{id}/review#ranking"),
        ctx.t("已退回专家重新评审。", "Sent back to the experts for a re-review."),
    ))
}

async fn decide(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let c = province_call(&state, &ctx, id).await?;
    let l = ctx.locale;
    let slots_text = pairs.iter().find(|(k, _)| k == "slots").map(|(_, v)| v.trim().to_owned()).unwrap_or_default();
    let picked: HashSet<i64> =
        pairs.iter().filter(|(k, _)| k == "pick").filter_map(|(_, v)| v.trim().parse().ok()).collect();
    let fail = |e: String| (vec![e], slots_text.clone());
    let Some(r) = rs::round(&state.db, id).await? else {
        return Err(AppError::NotFound);
    };
    let apps = under_review(&state, &c).await?;
    let assignments = rs::assignments(&state.db, id).await?;
    let st = standing(&state, &c, &r, &apps, &assignments).await?;
    let problem = match slots_text.parse::<usize>() {
        _ if st.open > 0 => Some(fail(match l {
            Locale::Zh => format!("还有 {} 份评分未提交。", st.open),
            Locale::En => format!("{} assignments are not submitted yet.", st.open),
        })),
        _ if st.ranked.is_empty() => Some(fail(l.pick("还没有成绩。", "There are no scores yet.").to_owned())),
        Ok(n) if n >= 1 => None,
        _ => Some(fail(
            l.pick("请填写立项名额（正整数）。", "Enter the number of slots (a positive whole number).").into(),
        )),
    };
    if let Some((errors, slots)) = problem {
        return render(&state, &ctx, c, None, errors, slots, &picked).await;
    }
    let slots: usize = slots_text.parse().unwrap_or_default();
    let (caps, default_cap) = caps(&state, &c).await?;
    let outcomes = match round::decide(&candidates(&st.ranked, &apps), slots, &caps, default_cap, &picked) {
        Ok(o) => o,
        Err(e) => return render(&state, &ctx, c, None, vec![e.message(l)], slots_text, &picked).await,
    };
    let mut tx = state.db.begin().await?;
    rs::decide(&mut tx, &ctx.audit_actor(), id, slots as i64, &outcomes).await?;
    tx.commit().await?;
    let n = outcomes.iter().filter(|(_, a)| *a).count();
    let msg = match l {
        Locale::Zh => format!("评审结果已确定：{n} 项拟立项。"),
        Locale::En => format!("Decided: {n} applications approved."),
    };
    Ok(redirect_with_flash(&format!("/programmes/calls/{id}/review#ranking"), &msg))
}

async fn export(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, AppError> {
    let c = province_call(&state, &ctx, id).await?;
    let l = ctx.locale;
    let r = rs::round(&state.db, id).await?.ok_or(AppError::NotFound)?;
    let apps = under_review(&state, &c).await?;
    let assignments = rs::assignments(&state.db, id).await?;
    let st = standing(&state, &c, &r, &apps, &assignments).await?;
    let by: HashMap<i64, &Application> = apps.iter().map(|a| (a.id, a)).collect();
    let mut rows = vec![vec![
        l.pick("名次", "Rank").to_owned(),
        l.pick("项目名称", "Title").to_owned(),
        l.pick("高校", "Institution").to_owned(),
        l.pick("专家总分", "Experts' totals").to_owned(),
        l.pick("最终成绩", "Final score").to_owned(),
        l.pick("分差过大", "High spread").to_owned(),
        l.pick("结果", "Outcome").to_owned(),
    ]];
    for x in &st.ranked {
        let a = by.get(&x.application);
        rows.push(vec![
            x.rank.to_string(),
            a.map(|a| a.title.clone()).unwrap_or_default(),
            a.map(|a| a.institution.clone()).unwrap_or_default(),
            x.totals.iter().map(|t| format!("{t:.1}")).collect::<Vec<_>>().join(" / "),
            format!("{:.2}", x.score),
            if x.spread { l.pick("是", "yes") } else { "" }.to_owned(),
            a.and_then(|a| a.outcome.clone()).unwrap_or_default(),
        ]);
    }
    kernel::web::export::download(&rows, "xlsx", &format!("review-ranking-{id}"), l.pick("评审排名", "Ranking"), None)
}
