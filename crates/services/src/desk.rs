//! The consultation desk (咨询台账) and the public FAQ (常见问题): offices
//! record phone and walk-in questions with their answers and follow-up; the
//! most frequent (by category and by the same question asked again) are
//! shown so the province turns one into an FAQ entry. Checks are pure
//! (`check_entry`, `check_faq`); SQL below them; pages at the end, thin.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;
use serde_json::json;

use kernel::audit::{self, AuditActor, Change};
use kernel::auth::{Owners, Role, Scope};
use kernel::db::{Record, SqlBuilder};
use kernel::web::table::{ListUrl, Paging};
use kernel::web::{redirect_with_flash, AppError, AppState, CsrfForm, Ctx, NoFields};
use kernel::{codes, time, Db, DbResult, Locale, Tx};

/// The questions' categories' code table.
pub const CATEGORIES: &str = "service_question_category";

/// How a question came in (咨询渠道).
pub const CHANNELS: [(&str, &str, &str); 2] = [("phone", "电话", "Phone"), ("walk_in", "现场", "Walk-in")];

const MAX_TEXT: usize = 1000;

/// A consultation as typed.
#[derive(Debug, Clone, Default)]
pub struct Entry {
    pub channel: String,
    pub category: String,
    pub question: String,
    pub answer: String,
    pub follow_up: bool,
}

/// Checks an entry against the channels and categories; every refusal.
pub fn check_entry(e: &Entry, categories: &[String], l: Locale) -> Result<(), Vec<String>> {
    let mut errors = Vec::new();
    if !CHANNELS.iter().any(|(k, _, _)| *k == e.channel) {
        errors.push(l.pick("请选择咨询渠道。", "Choose how the question came in.").to_owned());
    }
    if !categories.contains(&e.category) {
        errors.push(l.pick("请选择问题类别。", "Choose the question's category.").to_owned());
    }
    if e.question.is_empty() || e.question.chars().count() > MAX_TEXT {
        errors.push(
            l.pick("请填写咨询问题（1000 字以内）。", "Write the question (at most 1000 characters).").to_owned(),
        );
    }
    if e.answer.chars().count() > MAX_TEXT {
        errors.push(l.pick("答复不超过 1000 字。", "The answer is at most 1000 characters.").to_owned());
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// An FAQ entry needs a question, an answer and a category.
pub fn check_faq(category: &str, question: &str, answer: &str, categories: &[String], l: Locale) -> Result<(), String> {
    if !categories.iter().any(|c| c == category) || question.is_empty() || answer.is_empty() {
        return Err(l
            .pick("常见问题需要类别、问题和答复。", "An FAQ entry needs a category, a question and an answer.")
            .to_owned());
    }
    if question.chars().count() > MAX_TEXT || answer.chars().count() > MAX_TEXT {
        return Err(l
            .pick("问题和答复各不超过 1000 字。", "Question and answer are at most 1000 characters each.")
            .to_owned());
    }
    Ok(())
}

// ---------------------------------------------------------------- store

/// A recorded consultation.
#[derive(Debug, Clone)]
pub struct Consultation {
    pub id: i64,
    pub office: String,
    pub channel: String,
    pub category: String,
    pub question: String,
    pub answer: String,
    pub follow_up: i64,
    pub asked_on: String,
}

const OWNERS: Owners<'static> = Owners { institution: Some("c.institution_id"), ..Owners::NONE };

/// Filters of the list.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Filter {
    #[serde(default)]
    pub channel: String,
    #[serde(default)]
    pub category: String,
    /// "open": follow-up needed and not done.
    #[serde(default)]
    pub follow: String,
    /// The page of the list (from 1).
    #[serde(default)]
    pub page: String,
}

impl Filter {
    /// The list's address with these filters, for the page bar's links.
    pub fn url(&self) -> ListUrl {
        ListUrl::new(
            "/services/consultations",
            &[("channel", &self.channel), ("category", &self.category), ("follow", &self.follow), ("page", &self.page)],
        )
    }
}

/// Narrows `w` to the scope and the filters; false when the scope sees none.
fn filtered(w: &mut SqlBuilder, scope: &Scope, f: &Filter) -> bool {
    if scope.restrict(w, OWNERS).is_err() {
        return false;
    }
    if !f.channel.is_empty() {
        w.push(" AND c.channel = ").bind(f.channel.as_str());
    }
    if !f.category.is_empty() {
        w.push(" AND c.category = ").bind(f.category.as_str());
    }
    if f.follow == "open" {
        w.push(" AND c.follow_up = 1");
    }
    true
}

/// One page of the consultations the scope sees, newest first, with the
/// page's count of all that match (`paging.total` set).
pub async fn consultations(
    db: &Db,
    scope: &Scope,
    f: &Filter,
    paging: &mut Paging,
) -> DbResult<Option<Vec<Consultation>>> {
    let mut count = SqlBuilder::new("SELECT COUNT(*) AS n FROM service_consultations c WHERE 1 = 1");
    let mut w = SqlBuilder::new(
        "SELECT c.id, COALESCE(i.name, '省教育厅') AS office, c.channel, c.category, c.question, c.answer, c.follow_up, \
         c.asked_on FROM service_consultations c LEFT JOIN institutions i ON i.id = c.institution_id WHERE 1 = 1",
    );
    if !filtered(&mut count, scope, f) || !filtered(&mut w, scope, f) {
        return Ok(None);
    }
    paging.total = db.scalar_i64(&count.sql, &count.params).await?;
    w.push(" ORDER BY c.asked_on DESC, c.id DESC");
    w.push(&paging.limit_sql());
    let rows = db.fetch_all(&w.sql, &w.params).await?;
    let list = rows
        .iter()
        .map(|r| {
            Ok(Consultation {
                id: r.i64("id")?,
                office: r.text("office")?,
                channel: r.text("channel")?,
                category: r.text("category")?,
                question: r.text("question")?,
                answer: r.text("answer")?,
                follow_up: r.i64("follow_up")?,
                asked_on: r.text("asked_on")?,
            })
        })
        .collect::<DbResult<_>>()?;
    Ok(Some(list))
}

/// The most asked: (category, count) and (question, count) asked more than once; at most 20 each.
pub async fn frequent(db: &Db, scope: &Scope) -> DbResult<Option<(Vec<(String, i64)>, Vec<(String, String, i64)>)>> {
    let mut by_category = SqlBuilder::new("SELECT c.category, COUNT(*) AS n FROM service_consultations c WHERE 1 = 1");
    let mut by_question = SqlBuilder::new(
        "SELECT c.question, MIN(c.category) AS category, COUNT(*) AS n FROM service_consultations c WHERE 1 = 1",
    );
    if scope.restrict(&mut by_category, OWNERS).is_err() || scope.restrict(&mut by_question, OWNERS).is_err() {
        return Ok(None);
    }
    by_category.push(" GROUP BY c.category ORDER BY n DESC, c.category LIMIT 20");
    by_question.push(" GROUP BY c.question HAVING COUNT(*) > 1 ORDER BY n DESC, c.question LIMIT 20");
    let categories = db
        .fetch_all(&by_category.sql, &by_category.params)
        .await?
        .iter()
        .map(|r| Ok((r.text("category")?, r.i64("n")?)))
        .collect::<DbResult<_>>()?;
    let questions = db
        .fetch_all(&by_question.sql, &by_question.params)
        .await?
        .iter()
        .map(|r| Ok((r.text("question")?, r.text("category")?, r.i64("n")?)))
        .collect::<DbResult<_>>()?;
    Ok(Some((categories, questions)))
}

pub async fn record(tx: &mut Tx, who: &AuditActor, institution: Option<i64>, e: &Entry, day: &str) -> DbResult<i64> {
    let row = Record::new()
        .set("institution_id", institution)
        .set("channel", e.channel.as_str())
        .set("category", e.category.as_str())
        .set("question", e.question.as_str())
        .set("answer", e.answer.as_str())
        .set("follow_up", i64::from(e.follow_up))
        .set("asked_on", day)
        .set("created_at", time::now_utc())
        .set("created_by_label", who.label.as_str());
    let id = tx.insert_id("service_consultations", row).await?;
    let after = json!({ "institution_id": institution, "channel": e.channel, "category": e.category,
        "question": e.question, "answer": e.answer, "follow_up": e.follow_up });
    audit::record(tx, who, Change::created("service_consultation", id, after)).await?;
    Ok(id)
}

pub async fn add_faq(tx: &mut Tx, who: &AuditActor, category: &str, question: &str, answer: &str) -> DbResult<i64> {
    let row = Record::new()
        .set("category", category)
        .set("question", question)
        .set("answer", answer)
        .set("created_at", time::now_utc())
        .set("created_by_label", who.label.as_str());
    let id = tx.insert_id("service_faq", row).await?;
    let after = json!({ "category": category, "question": question, "answer": answer });
    audit::record(tx, who, Change::created("service_faq", id, after)).await?;
    Ok(id)
}

/// An FAQ entry (常见问题).
#[derive(Debug, Clone)]
pub struct Faq {
    pub id: i64,
    pub category: String,
    pub question: String,
    pub answer: String,
}

impl Faq {
    fn image(&self) -> serde_json::Value {
        json!({ "category": self.category, "question": self.question, "answer": self.answer })
    }
}

const FAQ: &str = "SELECT id, category, question, answer FROM service_faq";

fn faq_of(r: &kernel::Row) -> DbResult<Faq> {
    Ok(Faq {
        id: r.i64("id")?,
        category: r.text("category")?,
        question: r.text("question")?,
        answer: r.text("answer")?,
    })
}

/// The FAQ, by category then age.
pub async fn faq(db: &Db) -> DbResult<Vec<Faq>> {
    db.fetch_all(&format!("{FAQ} ORDER BY category, id"), &[]).await?.iter().map(faq_of).collect()
}

pub async fn faq_entry(db: &Db, id: i64) -> DbResult<Option<Faq>> {
    db.fetch_optional(&format!("{FAQ} WHERE id = $1"), &[id.into()]).await?.as_ref().map(faq_of).transpose()
}

/// Saves an FAQ entry's new category, question and answer.
pub async fn save_faq(
    tx: &mut Tx,
    who: &AuditActor,
    before: &Faq,
    category: &str,
    question: &str,
    answer: &str,
) -> DbResult<()> {
    let row = Record::new().set("category", category).set("question", question).set("answer", answer);
    tx.update("service_faq", row, "id", before.id).await?;
    let after = json!({ "category": category, "question": question, "answer": answer });
    audit::record(tx, who, Change::updated("service_faq", before.id, before.image(), after)).await
}

/// Removes an FAQ entry, its words kept in the audit log.
pub async fn remove_faq(tx: &mut Tx, who: &AuditActor, before: &Faq) -> DbResult<()> {
    tx.execute("DELETE FROM service_faq WHERE id = $1", &[before.id.into()]).await?;
    audit::record(tx, who, Change::new("delete", "service_faq", before.id).before(before.image())).await
}

async fn categories(db: &Db, l: Locale) -> DbResult<Vec<(String, String)>> {
    Ok(codes::list(db, CATEGORIES, codes::BASE_VERSION)
        .await?
        .iter()
        .map(|c| (c.code.clone(), c.label(l).to_owned()))
        .collect())
}

/// Marks a consultation's follow-up done (回访完成).
pub async fn follow_up_done(tx: &mut Tx, who: &AuditActor, id: i64) -> DbResult<bool> {
    let changed = tx
        .execute("UPDATE service_consultations SET follow_up = 2 WHERE id = $1 AND follow_up = 1", &[id.into()])
        .await?;
    if changed > 0 {
        let change = Change::new("update", "service_consultation", id).after(json!({ "follow_up": 2 }));
        audit::record(tx, who, change).await?;
    }
    Ok(changed > 0)
}

/// The institution whose office recorded a consultation (`None`: the
/// province's own desk); `None` when there is no such consultation.
pub async fn office_of(db: &Db, id: i64) -> DbResult<Option<Option<i64>>> {
    db.fetch_optional("SELECT institution_id FROM service_consultations WHERE id = $1", &[id.into()])
        .await?
        .map(|r| r.opt_i64("institution_id"))
        .transpose()
}

// ---------------------------------------------------------------- pages

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/services/consultations", get(desk_page).post(add))
        .route("/services/consultations/{id}/done", post(done))
        .route("/services/faq", get(faq_page).post(new_faq))
        .route("/services/faq/{id}/edit", post(edit_faq))
        .route("/services/faq/{id}/remove", post(drop_faq))
}

const OFFICES: &[Role] = &[Role::ProvinceAdmin, Role::UniversityStaff];

#[derive(Template)]
#[template(path = "desk.html")]
struct DeskPage<'a> {
    ctx: &'a Ctx,
    l: Locale,
    province: bool,
    filter: Filter,
    categories: Vec<(String, String)>,
    list: Vec<Consultation>,
    /// The page bar's HTML (kernel's pager).
    pager: String,
    by_category: Vec<(String, i64)>,
    by_question: Vec<(String, String, i64)>,
    entry: Entry,
    errors: Vec<String>,
}

impl DeskPage<'_> {
    fn category(&self, code: &str) -> String {
        self.categories.iter().find(|(c, _)| c == code).map(|(_, n)| n.clone()).unwrap_or_else(|| code.to_owned())
    }

    fn channel(&self, key: &str) -> &'static str {
        CHANNELS.iter().find(|(k, _, _)| *k == key).map(|(_, zh, en)| self.l.pick(zh, en)).unwrap_or("")
    }

    fn channels(&self) -> Vec<(&'static str, &'static str)> {
        CHANNELS.iter().map(|(k, zh, en)| (*k, self.l.pick(zh, en))).collect()
    }
}

async fn render_desk(
    state: &AppState,
    ctx: &Ctx,
    filter: Filter,
    entry: Entry,
    errors: Vec<String>,
) -> Result<Response, AppError> {
    let actor = ctx.require(OFFICES)?;
    let scope = ctx.scope();
    let mut paging = Paging::parse(Some(filter.page.as_str()));
    let list = consultations(&state.db, &scope, &filter, &mut paging).await?.ok_or(AppError::Forbidden)?;
    let pager = paging.html(&filter.url(), ctx.locale);
    let (by_category, by_question) = frequent(&state.db, &scope).await?.ok_or(AppError::Forbidden)?;
    let page = DeskPage {
        ctx,
        l: ctx.locale,
        province: actor.role == Role::ProvinceAdmin,
        filter,
        categories: categories(&state.db, ctx.locale).await?,
        list,
        pager,
        by_category,
        by_question,
        entry,
        errors,
    };
    ctx.page(ctx.t("咨询台账", "Consultation log"), &page)
}

async fn desk_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(filter): Query<Filter>,
) -> Result<Response, AppError> {
    render_desk(&state, &ctx, filter, Entry::default(), Vec::new()).await
}

fn field(pairs: &[(String, String)], key: &str) -> String {
    pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v.trim().to_owned()).unwrap_or_default()
}

async fn add(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let actor = ctx.require(OFFICES)?;
    let institution = match actor.role {
        Role::ProvinceAdmin => None,
        _ => Some(actor.institution_id.ok_or(AppError::Forbidden)?),
    };
    let entry = Entry {
        channel: field(&pairs, "channel"),
        category: field(&pairs, "category"),
        question: field(&pairs, "question"),
        answer: field(&pairs, "answer"),
        follow_up: field(&pairs, "follow_up") == "1",
    };
    let known: Vec<String> = categories(&state.db, ctx.locale).await?.into_iter().map(|(c, _)| c).collect();
    if let Err(errors) = check_entry(&entry, &known, ctx.locale) {
        return render_desk(&state, &ctx, Filter::default(), entry, errors).await;
    }
    let mut tx = state.db.begin().await?;
    record(&mut tx, &ctx.audit_actor(), institution, &entry, &time::today_china().to_string()).await?;
    tx.commit().await?;
    Ok(redirect_with_flash("/services/consultations", ctx.t("咨询已记录。", "Consultation recorded.")))
}

#[derive(Template)]
#[template(path = "faq.html")]
struct FaqPage<'a> {
    ctx: &'a Ctx,
    l: Locale,
    province: bool,
    categories: Vec<(String, String)>,
    entries: Vec<Faq>,
    error: String,
}

impl FaqPage<'_> {
    fn category(&self, code: &str) -> String {
        self.categories.iter().find(|(c, _)| c == code).map(|(_, n)| n.clone()).unwrap_or_else(|| code.to_owned())
    }
}

async fn render_faq(state: &AppState, ctx: &Ctx, error: String) -> Result<Response, AppError> {
    let province = ctx.actor.as_ref().is_some_and(|a| a.role == Role::ProvinceAdmin);
    let page = FaqPage {
        ctx,
        l: ctx.locale,
        province,
        categories: categories(&state.db, ctx.locale).await?,
        entries: faq(&state.db).await?,
        error,
    };
    ctx.page(ctx.t("常见问题", "Frequently asked questions"), &page)
}

async fn faq_page(State(state): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    render_faq(&state, &ctx, String::new()).await
}

async fn edit_faq(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    ctx.require(&[Role::ProvinceAdmin])?;
    let before = faq_entry(&state.db, id).await?.ok_or(AppError::NotFound)?;
    let (category, question, answer) = (field(&pairs, "category"), field(&pairs, "question"), field(&pairs, "answer"));
    let known: Vec<String> = categories(&state.db, ctx.locale).await?.into_iter().map(|(c, _)| c).collect();
    if let Err(e) = check_faq(&category, &question, &answer, &known, ctx.locale) {
        return render_faq(&state, &ctx, e).await;
    }
    let mut tx = state.db.begin().await?;
    save_faq(&mut tx, &ctx.audit_actor(), &before, &category, &question, &answer).await?;
    tx.commit().await?;
    Ok(redirect_with_flash(&format!("/services/faq#faq-{id}"), ctx.t("常见问题已保存。", "FAQ entry saved.")))
}

async fn drop_faq(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> Result<Response, AppError> {
    ctx.require(&[Role::ProvinceAdmin])?;
    let before = faq_entry(&state.db, id).await?.ok_or(AppError::NotFound)?;
    let mut tx = state.db.begin().await?;
    remove_faq(&mut tx, &ctx.audit_actor(), &before).await?;
    tx.commit().await?;
    Ok(redirect_with_flash("/services/faq", ctx.t("常见问题已删除。", "FAQ entry removed.")))
}

/// The province turns a question (often a frequent one) into an FAQ entry.
async fn new_faq(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    ctx.require(&[Role::ProvinceAdmin])?;
    let (category, question, answer) = (field(&pairs, "category"), field(&pairs, "question"), field(&pairs, "answer"));
    let known: Vec<String> = categories(&state.db, ctx.locale).await?.into_iter().map(|(c, _)| c).collect();
    if let Err(e) = check_faq(&category, &question, &answer, &known, ctx.locale) {
        return render_desk(&state, &ctx, Filter::default(), Entry::default(), vec![e]).await;
    }
    let mut tx = state.db.begin().await?;
    add_faq(&mut tx, &ctx.audit_actor(), &category, &question, &answer).await?;
    tx.commit().await?;
    Ok(redirect_with_flash("/services/faq", ctx.t("已加入常见问题。", "Added to the FAQ.")))
}

async fn done(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    CsrfForm(_pairs): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    ctx.require(OFFICES)?;
    let office = office_of(&state.db, id).await?.ok_or(AppError::NotFound)?;
    let owner = kernel::auth::Owner { institution: office, ..kernel::auth::Owner::default() };
    // The province's own desk (no institution) is the province's alone.
    if !ctx.scope().may_see(owner) {
        return Err(AppError::Forbidden);
    }
    let mut tx = state.db.begin().await?;
    follow_up_done(&mut tx, &ctx.audit_actor(), id).await?;
    tx.commit().await?;
    Ok(redirect_with_flash("/services/consultations", ctx.t("已完成回访。", "Follow-up done.")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_needs_channel_category_and_question() {
        let cats = vec!["01".to_owned()];
        let ok = Entry {
            channel: "phone".into(),
            category: "01".into(),
            question: "档案寄到哪里？".into(),
            ..Entry::default()
        };
        assert!(check_entry(&ok, &cats, Locale::Zh).is_ok());
        let bad = Entry { channel: "fax".into(), category: "77".into(), ..Entry::default() };
        assert_eq!(check_entry(&bad, &cats, Locale::Zh).unwrap_err().len(), 3);
        assert!(check_faq("01", "问", "答", &cats, Locale::Zh).is_ok());
        assert!(check_faq("01", "问", "", &cats, Locale::Zh).is_err());
    }
}
