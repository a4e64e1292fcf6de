//! The portal's pages. Public, no account needed: the home (/portal) with its
//! sections, each section's paged list (/portal/{section}), an article
//! (/portal/articles/{id}) with its documents and cover. The editors'
//! (/portal/editor): the list of articles, the form, one article with its
//! history and review, uploads, and the universities' counts of work news.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{DefaultBodyLimit, Multipart, Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;

use kernel::auth::{Actor, Role};
use kernel::files::Kind as FileKind;
use kernel::web::form::Upload;
use kernel::web::table::{ListUrl, Paging};
use kernel::web::{redirect_with_flash, AppError, AppState, CsrfForm, Ctx};
use kernel::{time, Locale};
use outcomes::OutcomesState;

use super::rules::{self, Action, Block, Form, Kind, Status};
use super::store::{self, Article, Counts, Document, Filter, Step};

/// A document or cover at most this large.
const FILE_LIMIT: usize = 10 * 1024 * 1024;
/// Articles of each section on the portal's home.
const ON_HOME: i64 = 5;

const EDITORS: &[Role] = &[Role::ProvinceAdmin, Role::UniversityStaff];

pub fn routes() -> Router<OutcomesState> {
    Router::new()
        .route("/portal", get(home))
        .route("/portal/{section}", get(section_page))
        .route("/portal/articles/{id}", get(article_page))
        .route("/portal/articles/{id}/cover", get(cover))
        .route("/portal/articles/{id}/documents/{doc}", get(document_download))
        .route("/portal/editor", get(editor_list).post(create))
        .route("/portal/editor/new", get(new_page))
        .route("/portal/editor/work-news", get(counts_page))
        .route("/portal/editor/articles/{id}", get(editor_article))
        .route("/portal/editor/articles/{id}/edit", get(edit_page).post(edit))
        .route("/portal/editor/articles/{id}/act", post(act))
        .route("/portal/editor/articles/{id}/files", post(upload).layer(DefaultBodyLimit::max(FILE_LIMIT + 64 * 1024)))
}

type Params = Query<HashMap<String, String>>;

fn param<'a>(q: &'a Params, key: &str) -> Option<&'a str> {
    q.get(key).map(String::as_str).filter(|v| !v.is_empty())
}

/// The article body's blocks, for templates.
fn shown(body: &str) -> Vec<(bool, String)> {
    rules::blocks(body)
        .into_iter()
        .map(|b| match b {
            Block::Heading(h) => (true, h),
            Block::Paragraph(p) => (false, p),
        })
        .collect()
}

/// A line of a list: the article with its title and teaser in the reader's language.
struct Line {
    id: i64,
    title: String,
    teaser: String,
    day: String,
    institution: String,
    recommended: bool,
}

fn line(a: &Article, l: Locale) -> Line {
    Line {
        id: a.id,
        title: a.title_in(l).to_owned(),
        teaser: rules::teaser(&a.summary, &a.body),
        day: a.day(),
        institution: a.institution.clone(),
        recommended: a.recommended,
    }
}

// ---------------------------------------------------------------- public

struct Section {
    key: &'static str,
    title: &'static str,
    lines: Vec<Line>,
}

struct PolicyLine {
    line: Line,
    documents: Vec<Document>,
}

struct FairLine {
    id: i64,
    title: String,
    when: String,
    place: String,
    hosts: String,
}

#[derive(Template)]
#[template(path = "site/home.html")]
struct HomePage {
    l: Locale,
    /// A visitor not signed in: the sign-in and registration cards.
    anonymous: bool,
    news: Section,
    policies: Vec<PolicyLine>,
    sections: Vec<Section>,
    fairs: Vec<FairLine>,
    more_fairs: bool,
}

async fn section_of(state: &AppState, kind: Kind, l: Locale) -> Result<Section, AppError> {
    let lines = store::latest(&state.db, kind, ON_HOME).await?.iter().map(|a| line(a, l)).collect();
    Ok(Section { key: kind.section(), title: kind.label(l), lines })
}

async fn home(State(state): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    let l = ctx.locale;
    let news = section_of(&state, Kind::News, l).await?;
    let mut policies = Vec::new();
    for a in store::latest(&state.db, Kind::Policy, ON_HOME).await? {
        policies.push(PolicyLine { documents: store::documents(&state.db, a.id).await?, line: line(&a, l) });
    }
    let mut sections = Vec::new();
    for kind in [Kind::Person, Kind::Case, Kind::Project, Kind::WorkNews] {
        sections.push(section_of(&state, kind, l).await?);
    }
    // The fair calendar: what is on from today, soonest first.
    let filters = recruitment::fairs::Filters { from: Some(time::today_china()), ..Default::default() };
    let mut paging = Paging::parse(None);
    let found = recruitment::fairs::calendar(&state.db, &filters, &mut paging, l).await?;
    let more_fairs = found.len() > ON_HOME as usize;
    let fairs = found
        .into_iter()
        .take(ON_HOME as usize)
        .map(|f| FairLine {
            id: f.id,
            when: f.when(),
            place: f.venue.clone().filter(|v| !v.is_empty()).unwrap_or_else(|| f.region.clone()),
            hosts: f.host_names(l),
            title: f.title,
        })
        .collect();
    let page = HomePage { l, anonymous: ctx.actor.is_none(), news, policies, sections, fairs, more_fairs };
    ctx.page(ctx.t("就业创业工作平台 · 信息门户", "Graduate employment platform · Portal"), &page)
}

#[derive(Template)]
#[template(path = "site/section.html")]
struct SectionPage {
    l: Locale,
    lines: Vec<Line>,
    pages: String,
    total: i64,
}

async fn section_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(section): Path<String>,
    q: Params,
) -> Result<Response, AppError> {
    let kind = Kind::of_section(&section).ok_or(AppError::NotFound)?;
    let l = ctx.locale;
    let mut paging = Paging::parse(param(&q, "page"));
    let lines = store::published(&state.db, kind, &mut paging).await?.iter().map(|a| line(a, l)).collect();
    let pages = paging.html(&ListUrl::new(&format!("/portal/{section}"), &[]), l);
    ctx.page(kind.label(l), &SectionPage { l, lines, pages, total: paging.total })
}

#[derive(Template)]
#[template(path = "site/article.html")]
struct ArticlePage {
    l: Locale,
    a: Article,
    section: &'static str,
    section_label: &'static str,
    blocks: Vec<(bool, String)>,
    documents: Vec<Document>,
    day: String,
}

async fn article_page(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, AppError> {
    let a = store::published_one(&state.db, id).await?.ok_or(AppError::NotFound)?;
    let l = ctx.locale;
    let page = ArticlePage {
        l,
        section: a.kind.section(),
        section_label: a.kind.label(l),
        blocks: shown(&a.body),
        documents: store::documents(&state.db, a.id).await?,
        day: a.day(),
        a,
    };
    let title = page.a.title_in(l).to_owned();
    ctx.page(&title, &page)
}

/// A published article's, or one the editor may open.
async fn visible(state: &AppState, ctx: &Ctx, id: i64) -> Result<Article, AppError> {
    let a = store::get(&state.db, id).await?.ok_or(AppError::NotFound)?;
    let open = a.status == Status::Published || ctx.actor.as_ref().is_some_and(|actor| a.may_open(actor));
    match open {
        true => Ok(a),
        false => Err(AppError::NotFound),
    }
}

async fn cover(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, AppError> {
    let a = visible(&state, &ctx, id).await?;
    let (Some(sha), Some(kind)) = (a.cover_sha256.as_deref(), a.cover_type.as_deref()) else {
        return Err(AppError::NotFound);
    };
    let kind = FileKind::of_content_type(kind).filter(|k| matches!(k, FileKind::Jpeg | FileKind::Png));
    let kind = kind.ok_or(AppError::NotFound)?;
    let bytes = state.config.files().get(sha).map_err(|e| match e {
        kernel::files::FileError::Missing => AppError::NotFound,
        e => AppError::Internal(e.into()),
    })?;
    Ok(([(header::CONTENT_TYPE, kind.content_type()), (header::CACHE_CONTROL, "no-store")], bytes).into_response())
}

async fn document_download(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, doc)): Path<(i64, i64)>,
) -> Result<Response, AppError> {
    let a = visible(&state, &ctx, id).await?;
    let d = store::document(&state.db, a.id, doc).await?.ok_or(AppError::NotFound)?;
    kernel::web::export::stored_document(&state.config.files(), &d.file_sha256, "policy", d.id, "application/pdf")
}

// ---------------------------------------------------------------- editors

struct EditorLine {
    id: i64,
    kind: &'static str,
    title: String,
    institution: String,
    status: Status,
    status_label: &'static str,
    recommended: bool,
    updated: String,
}

#[derive(Template)]
#[template(path = "site/editor_list.html")]
struct EditorList {
    l: Locale,
    province: bool,
    kinds: Vec<(&'static str, &'static str, bool)>,
    statuses: Vec<(&'static str, &'static str, bool)>,
    lines: Vec<EditorLine>,
    pages: String,
    total: i64,
}

async fn editor_list(State(state): State<AppState>, ctx: Ctx, q: Params) -> Result<Response, AppError> {
    let actor = ctx.require(EDITORS)?;
    let l = ctx.locale;
    let f =
        Filter { kind: param(&q, "kind").and_then(Kind::parse), status: param(&q, "status").and_then(Status::parse) };
    let mut paging = Paging::parse(param(&q, "page"));
    let lines = store::for_editor(&state.db, actor, &f, &mut paging)
        .await?
        .into_iter()
        .map(|a| EditorLine {
            id: a.id,
            kind: a.kind.label(l),
            title: a.title.clone(),
            institution: a.institution.clone(),
            status: a.status,
            status_label: a.status.label(l),
            recommended: a.recommended,
            updated: time::display(&a.updated_at),
        })
        .collect();
    let kind = f.kind.map(|k| k.key()).unwrap_or("");
    let status = f.status.map(|s| s.key()).unwrap_or("");
    let url = ListUrl::new("/portal/editor", &[("kind", kind), ("status", status)]);
    let province = actor.role == Role::ProvinceAdmin;
    let page = EditorList {
        l,
        province,
        kinds: Kind::ALL.iter().map(|k| (k.key(), k.label(l), f.kind == Some(*k))).collect(),
        statuses: Status::ALL.iter().map(|s| (s.key(), s.label(l), f.status == Some(*s))).collect(),
        lines,
        pages: paging.html(&url, l),
        total: paging.total,
    };
    ctx.page(ctx.t("门户稿件", "Portal articles"), &page)
}

#[derive(Template)]
#[template(path = "site/form.html")]
struct FormPage<'a> {
    ctx: &'a Ctx,
    l: Locale,
    id: Option<i64>,
    form: Form,
    kinds: Vec<(&'static str, &'static str)>,
    errors: Vec<String>,
}

/// The kinds an actor writes.
fn writable(actor: &Actor, l: Locale) -> Vec<(&'static str, &'static str)> {
    Kind::ALL.iter().filter(|k| rules::may_write(actor.role, **k)).map(|k| (k.key(), k.label(l))).collect()
}

fn render_form(
    ctx: &Ctx,
    actor: &Actor,
    id: Option<i64>,
    form: Form,
    errors: Vec<String>,
) -> Result<Response, AppError> {
    let l = ctx.locale;
    let page = FormPage { ctx, l, id, kinds: writable(actor, l), form, errors };
    let title = match id {
        Some(_) => ctx.t("修改稿件", "Edit the article"),
        None => ctx.t("新建稿件", "New article"),
    };
    ctx.page(title, &page)
}

async fn new_page(ctx: Ctx, q: Params) -> Result<Response, AppError> {
    let actor = ctx.require(EDITORS)?;
    let default = match actor.role {
        Role::ProvinceAdmin => Kind::News,
        _ => Kind::WorkNews,
    };
    let kind = param(&q, "kind").and_then(Kind::parse).filter(|k| rules::may_write(actor.role, *k)).unwrap_or(default);
    render_form(&ctx, actor, None, Form { kind: kind.key().to_owned(), ..Form::default() }, Vec::new())
}

async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let actor = ctx.require(EDITORS)?;
    let form = Form::from_pairs(&pairs);
    let c = match rules::check(&form, actor.role, ctx.locale) {
        Ok(c) => c,
        Err(errors) => return render_form(&ctx, actor, None, form, errors),
    };
    // A university's work news is its institution's; the province's articles are nobody's.
    let institution = match c.kind {
        Kind::WorkNews => Some(actor.institution_id.ok_or(AppError::Forbidden)?),
        _ => None,
    };
    let cohort = registry::cohorts::latest_year(&state).await?;
    let mut tx = state.db.begin().await?;
    let id = store::create(&mut tx, &ctx.audit_actor(), institution, cohort, &c).await?;
    tx.commit().await?;
    Ok(redirect_with_flash(&format!("/portal/editor/articles/{id}"), ctx.t("草稿已保存。", "Draft saved.")))
}

/// The article if the actor may open it among the editor's pages; 404 otherwise,
/// so another university's work news is not even known to exist.
async fn opened(state: &AppState, actor: &Actor, id: i64) -> Result<Article, AppError> {
    store::get(&state.db, id).await?.filter(|a| a.may_open(actor)).ok_or(AppError::NotFound)
}

async fn edit_page(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, AppError> {
    let actor = ctx.require(EDITORS)?;
    let a = opened(&state, actor, id).await?;
    if !rules::may_write(actor.role, a.kind) || !a.status.editable() {
        return Err(AppError::Forbidden);
    }
    let form =
        Form { kind: a.kind.key().to_owned(), title: a.title, title_en: a.title_en, summary: a.summary, body: a.body };
    render_form(&ctx, actor, Some(id), form, Vec::new())
}

async fn edit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let actor = ctx.require(EDITORS)?;
    let a = opened(&state, actor, id).await?;
    if !rules::may_write(actor.role, a.kind) || !a.status.editable() {
        return Err(AppError::Forbidden);
    }
    // The kind stays what it was.
    let form = Form { kind: a.kind.key().to_owned(), ..Form::from_pairs(&pairs) };
    let c = match rules::check(&form, actor.role, ctx.locale) {
        Ok(c) => c,
        Err(errors) => return render_form(&ctx, actor, Some(id), form, errors),
    };
    let mut tx = state.db.begin().await?;
    if !store::update(&mut tx, &ctx.audit_actor(), &a, &c).await? {
        return Err(AppError::Conflict(
            ctx.t("稿件状态已变化，请刷新后再试。", "The article changed meanwhile; reload and try again.").to_owned(),
        ));
    }
    tx.commit().await?;
    Ok(redirect_with_flash(&format!("/portal/editor/articles/{id}"), ctx.t("已保存。", "Saved.")))
}

struct StepLine {
    action: &'static str,
    status: &'static str,
    reason: String,
    actor_label: String,
    at: String,
}

#[derive(Template)]
#[template(path = "site/editor_article.html")]
struct EditorArticle<'a> {
    ctx: &'a Ctx,
    l: Locale,
    a: Article,
    kind_label: &'static str,
    status_label: &'static str,
    blocks: Vec<(bool, String)>,
    documents: Vec<Document>,
    steps: Vec<StepLine>,
    /// The moves this actor may make now: (key, button label).
    moves: Vec<(&'static str, &'static str)>,
    may_edit: bool,
    may_return: bool,
    errors: Vec<String>,
}

fn step_line(s: Step, l: Locale) -> StepLine {
    let action = match s.action.as_str() {
        "create" => l.pick("创建草稿", "Draft created"),
        other => Action::parse(other).map(|a| a.label(l)).unwrap_or(""),
    };
    StepLine { action, status: s.status.label(l), reason: s.reason, actor_label: s.actor_label, at: s.at }
}

fn button(action: Action, l: Locale) -> &'static str {
    match action {
        Action::Submit => l.pick("提交审核", "Submit for review"),
        Action::Publish => l.pick("审核通过并发布", "Approve and publish"),
        Action::Return => l.pick("退回修改", "Return"),
        Action::Recommend => l.pick("发布并推荐教育部", "Publish and recommend to the Ministry"),
        Action::Unpublish => l.pick("撤下", "Unpublish"),
    }
}

async fn render_article(
    state: &AppState,
    ctx: &Ctx,
    actor: &Actor,
    a: Article,
    errors: Vec<String>,
) -> Result<Response, AppError> {
    let l = ctx.locale;
    let moves = [Action::Submit, Action::Publish, Action::Recommend, Action::Unpublish]
        .into_iter()
        .filter(|m| rules::may(actor.role, a.kind, *m) && rules::next(a.kind, a.status, *m, a.recommended).is_some())
        .map(|m| (m.key(), button(m, l)))
        .collect();
    let may_return = rules::may(actor.role, a.kind, Action::Return)
        && rules::next(a.kind, a.status, Action::Return, a.recommended).is_some();
    let page = EditorArticle {
        ctx,
        l,
        kind_label: a.kind.label(l),
        status_label: a.status.label(l),
        blocks: shown(&a.body),
        documents: store::documents(&state.db, a.id).await?,
        steps: store::steps(&state.db, a.id).await?.into_iter().map(|s| step_line(s, l)).collect(),
        moves,
        may_edit: rules::may_write(actor.role, a.kind) && a.status.editable(),
        may_return,
        errors,
        a,
    };
    let title = page.a.title.clone();
    ctx.page(&title, &page)
}

async fn editor_article(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, AppError> {
    let actor = ctx.require(EDITORS)?;
    let a = opened(&state, actor, id).await?;
    render_article(&state, &ctx, actor, a, Vec::new()).await
}

async fn act(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let actor = ctx.require(EDITORS)?;
    let l = ctx.locale;
    let a = opened(&state, actor, id).await?;
    let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str()).unwrap_or_default();
    let action = Action::parse(get("action")).ok_or_else(|| AppError::BadRequest("action".into()))?;
    if !rules::may(actor.role, a.kind, action) {
        return Err(AppError::Forbidden);
    }
    let Some(to) = rules::next(a.kind, a.status, action, a.recommended) else {
        let e = l.pick("稿件当前状态下不能这样操作。", "That cannot be done to the article as it stands.");
        return render_article(&state, &ctx, actor, a, vec![e.to_owned()]).await;
    };
    let reason = match action {
        Action::Return => match rules::check_reason(get("reason"), l) {
            Ok(r) => r,
            Err(e) => return render_article(&state, &ctx, actor, a, vec![e]).await,
        },
        _ => String::new(),
    };
    let mut tx = state.db.begin().await?;
    if !store::move_to(&mut tx, &ctx.audit_actor(), &a, action, to, &reason).await? {
        let e = l.pick("稿件状态已变化，请刷新后再试。", "The article changed meanwhile; reload and try again.");
        drop(tx);
        let a = opened(&state, actor, id).await?;
        return render_article(&state, &ctx, actor, a, vec![e.to_owned()]).await;
    }
    tx.commit().await?;
    let done = match action {
        Action::Submit => l.pick("已提交审核。", "Submitted for review."),
        Action::Publish => l.pick("已发布。", "Published."),
        Action::Return => l.pick("已退回。", "Returned."),
        Action::Recommend => l.pick("已发布并推荐教育部。", "Published and recommended to the Ministry."),
        Action::Unpublish => l.pick("已撤下。", "Unpublished."),
    };
    Ok(redirect_with_flash(&format!("/portal/editor/articles/{id}"), done))
}

async fn upload(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    multipart: Multipart,
) -> Result<Response, AppError> {
    let actor = ctx.require(EDITORS)?;
    let l = ctx.locale;
    let a = opened(&state, actor, id).await?;
    let Some(upload) = Upload::read(multipart).await else {
        let e = l.pick(
            "上传失败：文件超过 10 MB 或传输中断。",
            "Not uploaded: the file is over 10 MB or the transfer broke.",
        );
        return render_article(&state, &ctx, actor, a, vec![e.to_owned()]).await;
    };
    if !upload.csrf_matches(&ctx.csrf) {
        return Err(AppError::Csrf);
    }
    if !rules::may_write(actor.role, a.kind) || !a.status.editable() {
        let e = l.pick(
            "只有草稿、退回或撤下的稿件可以更换附件和封面。",
            "Files change only on a draft, returned or unpublished article.",
        );
        return render_article(&state, &ctx, actor, a, vec![e.to_owned()]).await;
    }
    let cover = upload.field("purpose") == "cover";
    let fallback = if cover { l.pick("封面", "cover") } else { l.pick("政策文件", "policy document") };
    let accepted = kernel::files::accept_document(
        &state.config.files(),
        &upload.file_name,
        &upload.bytes,
        FILE_LIMIT,
        fallback,
        l,
    )
    .map_err(|e| AppError::Internal(e.into()))?;
    let accepted = match accepted {
        Ok(x) => x,
        Err(e) => return render_article(&state, &ctx, actor, a, vec![e]).await,
    };
    let fits = match cover {
        true => matches!(accepted.stored.kind, FileKind::Jpeg | FileKind::Png),
        false => accepted.stored.kind == FileKind::Pdf,
    };
    if !fits {
        let e = match cover {
            true => l.pick("封面只接受 JPG 或 PNG 图片。", "A cover must be a JPG or PNG image."),
            false => l.pick("附件只接受 PDF 文件。", "Documents must be PDF files."),
        };
        return render_article(&state, &ctx, actor, a, vec![e.to_owned()]).await;
    }
    let mut tx = state.db.begin().await?;
    match cover {
        true => store::set_cover(&mut tx, &ctx.audit_actor(), &a, &accepted.stored).await?,
        false => {
            store::add_document(&mut tx, &ctx.audit_actor(), &a, &accepted.shown_name, &accepted.stored).await?;
        }
    }
    tx.commit().await?;
    let done = if cover {
        l.pick("封面已上传。", "Cover uploaded.")
    } else {
        l.pick("附件已上传。", "Document uploaded.")
    };
    Ok(redirect_with_flash(&format!("/portal/editor/articles/{id}"), done))
}

#[derive(Template)]
#[template(path = "site/counts.html")]
struct CountsPage {
    l: Locale,
    cohort: i64,
    rows: Vec<Counts>,
    total: (i64, i64, i64),
}

async fn counts_page(State(state): State<AppState>, ctx: Ctx, q: Params) -> Result<Response, AppError> {
    let actor = ctx.require(EDITORS)?;
    let cohort = registry::cohorts::year_or_latest(&state, param(&q, "cohort").unwrap_or("")).await?;
    let rows = store::counts(&state.db, actor.scope(), cohort).await?;
    let total = rows.iter().fold((0, 0, 0), |t, r| (t.0 + r.submitted, t.1 + r.published, t.2 + r.recommended));
    ctx.page(ctx.t("高校工作动态统计", "Universities' work news"), &CountsPage { l: ctx.locale, cohort, rows, total })
}
