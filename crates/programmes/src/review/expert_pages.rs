//! The expert's side of a review round: /programmes/reviews (my assignments
//! by call, done and left) and /programmes/reviews/{assignment} (the
//! application read-only, the rubric form: save a draft, submit and lock,
//! recuse with a reason), its attachments under neutral names. An expert sees
//! only its own assignments; every other id, and every other role, is 404.
//! Under blind review no leader, member or institution name reaches the page.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;

use kernel::auth::Role;
use kernel::web::{redirect_with_flash, AppError, AppState, CsrfForm, Ctx};
use kernel::Locale;

use super::round::{self, Dim};
use super::round_store::{self as rs, Assignment, Mine, Round};
use crate::calls::rules::Kind;
use crate::calls::store::{self as calls, Application, Call};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/programmes/reviews", get(list_page))
        .route("/programmes/reviews/{id}", get(review_page).post(save))
        .route("/programmes/reviews/{id}/recuse", post(recuse))
        .route("/programmes/reviews/{id}/files/{file}", get(download))
}

/// The expert's pool record; any other role, or an expert account not in the pool, is 404.
async fn expert_id(state: &AppState, ctx: &Ctx) -> Result<i64, AppError> {
    let actor = ctx.actor()?;
    if actor.role != Role::Expert {
        return Err(AppError::NotFound);
    }
    rs::expert_of_account(&state.db, actor.account_id).await?.ok_or(AppError::NotFound)
}

/// The actor's own assignment, with its call and application; 404 otherwise.
async fn own(state: &AppState, ctx: &Ctx, id: i64) -> Result<(Assignment, Call, Application, Option<Round>), AppError> {
    let me = expert_id(state, ctx).await?;
    let a = rs::assignment(&state.db, id).await?.filter(|a| a.expert_id == me).ok_or(AppError::NotFound)?;
    let c = calls::call(&state.db, a.call_id).await?.ok_or(AppError::NotFound)?;
    let app = calls::application(&state.db, a.application_id).await?.ok_or(AppError::NotFound)?;
    let r = rs::round(&state.db, a.call_id).await?;
    Ok((a, c, app, r))
}

// ---------------------------------------------------------------- my list

struct CallGroup {
    title: String,
    done: usize,
    items: Vec<Mine>,
}

#[derive(Template)]
#[template(path = "review/reviews.html")]
struct ListPage {
    l: Locale,
    groups: Vec<CallGroup>,
}

impl ListPage {
    fn state_name(&self, s: &str) -> &'static str {
        round::assignment_state(s, self.l)
    }
}

async fn list_page(State(state): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    // An expert account not (or no longer) in the pool has nothing to review.
    let mine = match expert_id(&state, &ctx).await {
        Ok(me) => rs::mine(&state.db, me).await?,
        Err(AppError::NotFound) if ctx.actor()?.role == Role::Expert => Vec::new(),
        Err(e) => return Err(e),
    };
    let mut groups: Vec<CallGroup> = Vec::new();
    let mut at: HashMap<i64, usize> = HashMap::new();
    for m in mine {
        let i = *at.entry(m.call_id).or_insert_with(|| {
            groups.push(CallGroup { title: m.call_title.clone(), done: 0, items: Vec::new() });
            groups.len() - 1
        });
        if m.state != round::ASSIGNED {
            groups[i].done += 1;
        }
        groups[i].items.push(m);
    }
    let page = ListPage { l: ctx.locale, groups };
    ctx.page(ctx.t("我的评审任务", "My reviews"), &page)
}

// ---------------------------------------------------------------- one review

struct Answer {
    label: String,
    text: String,
}

struct DimRow {
    id: i64,
    name: String,
    points: i64,
    weight: i64,
    value: String,
    self_score: String,
    evidence: String,
}

#[derive(Template)]
#[template(path = "review/review.html")]
struct ReviewPage<'a> {
    ctx: &'a Ctx,
    l: Locale,
    id: i64,
    call_title: String,
    title: String,
    track: String,
    blind: bool,
    institution: String,
    leader: String,
    members: String,
    answers: Vec<Answer>,
    files: Vec<(i64, String)>,
    self_assessment: bool,
    dims: Vec<DimRow>,
    comment: String,
    state_name: &'static str,
    open: bool,
    recused: bool,
    recuse_reason: String,
    errors: Vec<String>,
}

async fn render(
    state: &AppState,
    ctx: &Ctx,
    (a, c, app, r): (Assignment, Call, Application, Option<Round>),
    typed: Option<(HashMap<i64, String>, String)>,
    errors: Vec<String>,
) -> Result<Response, AppError> {
    let l = ctx.locale;
    let db = &state.db;
    let blind = r.as_ref().is_some_and(|r| r.settings.blind);
    let fields = calls::fields(db, c.id).await?;
    let answers = fields
        .iter()
        .filter(|f| f.spec.kind != Kind::File)
        .map(|f| Answer { label: f.label(l).to_owned(), text: app.answer(&f.id) })
        .collect();
    let files = calls::attachments(db, app.id)
        .await?
        .into_iter()
        .enumerate()
        .map(|(i, f)| (f.id, format!("{} {}", l.pick("附件", "Attachment"), i + 1)))
        .collect();
    let rubric = calls::rubric(db, c.id).await?;
    let saved = rs::marks(db, a.id).await?;
    let (typed, comment) = match typed {
        Some((t, comment)) => (Some(t), comment),
        None => (None, a.comment.clone()),
    };
    let dims = rubric
        .iter()
        .filter(|(_, d)| d.track.is_empty() || d.track == app.track)
        .map(|(id, d)| {
            let s = app.score(id);
            DimRow {
                id: *id,
                name: l.pick(&d.name_zh, &d.name_en).to_owned(),
                points: d.points,
                weight: d.weight,
                value: match &typed {
                    Some(t) => t.get(id).cloned().unwrap_or_default(),
                    None => saved.get(id).map(|s| s.to_string()).unwrap_or_default(),
                },
                self_score: s.score,
                evidence: s.evidence,
            }
        })
        .collect();
    let scoring = r.as_ref().is_some_and(|r| r.state == round::SCORING);
    let page = ReviewPage {
        ctx,
        l,
        id: a.id,
        call_title: c.title.clone(),
        title: app.title.clone(),
        track: app.track.clone(),
        blind,
        institution: if blind { String::new() } else { app.institution.clone() },
        leader: if blind { String::new() } else { app.leader.name.clone() },
        members: if blind {
            String::new()
        } else {
            app.members.iter().map(|m| m.name.as_str()).collect::<Vec<_>>().join("、")
        },
        answers,
        files,
        self_assessment: c.self_assessment,
        dims,
        comment,
        state_name: round::assignment_state(&a.state, l),
        open: scoring && a.state == round::ASSIGNED,
        recused: a.state == round::RECUSED,
        recuse_reason: a.recuse_reason.clone(),
        errors,
    };
    ctx.page(ctx.t("评审", "Review"), &page)
}

async fn review_page(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, AppError> {
    let found = own(&state, &ctx, id).await?;
    render(&state, &ctx, found, None, Vec::new()).await
}

async fn save(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let found = own(&state, &ctx, id).await?;
    let l = ctx.locale;
    let typed: HashMap<i64, String> = pairs
        .iter()
        .filter_map(|(k, v)| Some((k.strip_prefix("m_")?.parse::<i64>().ok()?, v.trim().to_owned())))
        .collect();
    let comment: String =
        pairs.iter().find(|(k, _)| k == "comment").map(|(_, v)| v.trim().to_owned()).unwrap_or_default();
    let submit = pairs.iter().any(|(k, v)| k == "action" && v == "submit");
    let (a, c, app, r) = &found;
    let scoring = r.as_ref().is_some_and(|r| r.state == round::SCORING);
    if !scoring || a.state != round::ASSIGNED {
        let e = l.pick("这份评审已提交或未在评分阶段，不能修改。", "This review is locked or not open for scoring.");
        return render(&state, &ctx, found, Some((typed, comment)), vec![e.to_owned()]).await;
    }
    if comment.chars().count() > 2000 {
        let e = l.pick("评审意见不超过 2000 字。", "The comment is at most 2,000 characters.");
        return render(&state, &ctx, found, Some((typed, comment)), vec![e.to_owned()]).await;
    }
    let rubric: Vec<Dim> = super::dims(&state.db, c.id).await?;
    let dims = round::dims_for(&rubric, &app.track);
    let mut problems = Vec::new();
    if submit && comment.is_empty() {
        problems.push(l.pick("请填写评审意见。", "Write a comment.").to_owned());
    }
    let marks = match round::check_marks(&dims, &typed, submit, l) {
        Ok(m) if problems.is_empty() => m,
        Ok(_) => Vec::new(),
        Err(e) => {
            problems.extend(e);
            Vec::new()
        }
    };
    if !problems.is_empty() {
        return render(&state, &ctx, found, Some((typed, comment)), problems).await;
    }
    let mut tx = state.db.begin().await?;
    if !rs::save_marks(&mut tx, &ctx.audit_actor(), a, &marks, &comment, submit).await? {
        drop(tx);
        let e = l.pick("这份评审已提交或已回避。", "This review was submitted or recused meanwhile.");
        return render(&state, &ctx, found, Some((typed, comment)), vec![e.to_owned()]).await;
    }
    tx.commit().await?;
    let msg = if submit {
        l.pick("评分已提交。", "Marks submitted.")
    } else {
        l.pick("草稿已保存。", "Draft saved.")
    };
    let to = if submit { "/programmes/reviews".to_owned() } else { format!("/programmes/reviews/{id}") };
    Ok(redirect_with_flash(&to, msg))
}

#[derive(Deserialize, Default)]
struct RecuseForm {
    #[serde(default)]
    reason: String,
}

async fn recuse(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<RecuseForm>,
) -> Result<Response, AppError> {
    let found = own(&state, &ctx, id).await?;
    let l = ctx.locale;
    let reason = f.reason.trim();
    if reason.is_empty() || reason.chars().count() > 500 {
        let e = l.pick("请说明回避理由（不超过 500 字）。", "Give the reason for recusing (at most 500 characters).");
        return render(&state, &ctx, found, None, vec![e.to_owned()]).await;
    }
    let mut tx = state.db.begin().await?;
    if !rs::recuse(&mut tx, &ctx.audit_actor(), &found.0, reason).await? {
        drop(tx);
        let e = l.pick("这份评审已提交或已回避。", "This review was submitted or recused already.");
        return render(&state, &ctx, found, None, vec![e.to_owned()]).await;
    }
    tx.commit().await?;
    Ok(redirect_with_flash("/programmes/reviews", l.pick("已申请回避。", "Recused.")))
}

async fn download(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, file)): Path<(i64, i64)>,
) -> Result<Response, AppError> {
    let (a, ..) = own(&state, &ctx, id).await?;
    let (application, sha, content_type) = calls::attachment(&state.db, file).await?.ok_or(AppError::NotFound)?;
    if application != a.application_id {
        return Err(AppError::NotFound);
    }
    // A neutral name: never the name it was uploaded under.
    kernel::web::export::stored_document(&state.config.files(), &sha, "review-file", file, &content_type)
}
