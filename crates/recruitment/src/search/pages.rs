//! 找工作 (/jobs): the public job list, searched through the index: words in
//! Chinese, filters with the number of results beside each value, matches
//! marked, best match or newest first.

use std::collections::HashMap;
use std::sync::Arc;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;

use fulltext::text::{highlight, query_words, Piece};
use kernel::auth::Role;
use kernel::web::table::{ListUrl, Paging};
use kernel::web::{redirect_with_flash, AppError, AppState, CsrfForm, Ctx, NoFields};
use kernel::{time, Locale};

use super::{recommend, saved, Building, Counts, JobIndex};
use crate::postings::{self, Choices, Posting, Search};
use crate::RecruitmentState;

pub fn routes() -> Router<RecruitmentState> {
    Router::new()
        .route("/jobs", get(search_page))
        .route("/jobs/saved", post(save))
        .route("/recruitment/recommended", get(recommended_page))
        .route("/recruitment/saved-searches", get(saved_page))
        .route("/recruitment/saved-searches/{id}/delete", post(delete))
}

/// A result as the list shows it: the posting, its title and an excerpt of its description marked.
pub struct Hit {
    pub posting: Posting,
    pub title: Vec<Piece>,
    pub excerpt: Vec<Piece>,
}

/// One value of a filter beside the list: its name, its count, the link that picks (or drops) it.
pub struct Choice {
    pub label: String,
    pub count: u64,
    pub href: String,
    pub picked: bool,
}

/// A filter's values with their counts.
pub struct Facet {
    pub id: &'static str,
    pub title: &'static str,
    pub choices: Vec<Choice>,
}

#[derive(Template)]
#[template(path = "jobs.html")]
struct SearchPage {
    l: Locale,
    search: Search,
    choices: Choices,
    hits: Vec<Hit>,
    facets: Vec<Facet>,
    total: i64,
    near: bool,
    building: Option<Building>,
    sort_links: Vec<Choice>,
    pager: String,
    /// A graduate may save the search (and be told of new postings); its form's token and query.
    save: Option<(String, String)>,
}

impl SearchPage {
    fn percent_built(&self) -> u64 {
        self.building.map_or(0, |b| b.done * 100 / b.total.max(1))
    }
}

/// The search's parameters as a link keeps them.
fn list_url(s: &Search) -> ListUrl {
    ListUrl::new("/jobs", &s.pairs())
}

/// 找工作: open postings for anyone, an account needed only to apply.
async fn search_page(
    State(state): State<AppState>,
    State(jobs): State<Arc<JobIndex>>,
    ctx: Ctx,
    Query(search): Query<Search>,
) -> Result<Response, AppError> {
    let l = ctx.locale;
    let mut paging = Paging::parse(search.page.as_deref());
    let listed = super::find(&state.db, &jobs, &search, time::today_china(), &mut paging, l).await?;
    let choices = Choices::load(&state.db, l).await?;
    let url = list_url(&search);
    let words = query_words(&search.q);
    let hits = listed
        .postings
        .into_iter()
        .map(|p| Hit {
            title: highlight(&p.title, &words, None),
            excerpt: highlight(&p.description, &words, Some(90)),
            posting: p,
        })
        .collect();
    let save =
        ctx.actor.as_ref().filter(|a| a.role == Role::Graduate).map(|_| (ctx.csrf.clone(), saved::query_of(&search)));
    let page = SearchPage {
        l,
        facets: facets(&search, &listed.counts, &choices, &url, paging.total, l),
        sort_links: sort_links(&search, &url, l),
        search,
        choices,
        hits,
        total: paging.total,
        near: listed.near,
        building: listed.building,
        pager: paging.html(&url, l),
        save,
    };
    ctx.page(ctx.t("找工作", "Find a job"), &page)
}

fn sort_links(s: &Search, url: &ListUrl, l: Locale) -> Vec<Choice> {
    [("", l.pick("最相关", "Best match")), ("new", l.pick("最新发布", "Newest"))]
        .into_iter()
        .map(|(key, label)| Choice {
            label: label.to_owned(),
            count: 0,
            href: url.with_all(&[("sort", key), ("page", "")]),
            picked: s.sort == key || (key.is_empty() && s.sort != "new"),
        })
        .collect()
}

/// One filter as counted: its parameter, title, the value picked, each value's count and names.
struct Dimension<'a> {
    id: &'static str,
    title: &'static str,
    picked: &'a str,
    counted: &'a [(String, u64)],
    names: HashMap<String, String>,
}

impl Dimension<'_> {
    /// Each value's count under the current search; a picked value links to the search without it.
    fn facet(self, url: &ListUrl, total: i64) -> Facet {
        let picked = self.picked.trim();
        let choice = |code: String, count: u64| {
            let is_picked = picked == code;
            Choice {
                label: self.names.get(&code).cloned().unwrap_or_else(|| code.clone()),
                count,
                href: url.with_all(&[(self.id, if is_picked { "" } else { &code }), ("page", "")]),
                picked: is_picked,
            }
        };
        let mut choices: Vec<Choice> =
            self.counted.iter().take(15).map(|(code, count)| choice(region_code(self.id, code), *count)).collect();
        // A picked value the counts do not list (a region, whose places under it are counted) stays, to be dropped.
        if !picked.is_empty() && !choices.iter().any(|c| c.picked) {
            choices.insert(0, choice(picked.to_owned(), total.max(0) as u64));
        }
        Facet { id: self.id, title: self.title, choices }
    }
}

/// The filters beside the list.
fn facets(s: &Search, counts: &Counts, choices: &Choices, url: &ListUrl, total: i64, l: Locale) -> Vec<Facet> {
    let names = |list: &[(String, String)]| -> HashMap<String, String> {
        list.iter().map(|(code, name)| (code.clone(), name.trim_start_matches('\u{3000}').to_owned())).collect()
    };
    let mut education = names(&choices.education_levels);
    education.insert(super::schema::ANY.to_owned(), l.pick("不限学历", "Any level").to_owned());
    let dimension = |id, title, picked, counted, names| Dimension { id, title, picked, counted, names };
    [
        dimension("region", l.pick("工作地点", "Place of work"), &s.region, &counts.regions, names(&choices.regions)),
        dimension("industry", l.pick("行业", "Industry"), &s.industry, &counts.industries, names(&choices.industries)),
        dimension(
            "position",
            l.pick("职位类别", "Position"),
            &s.position,
            &counts.positions,
            names(&choices.positions),
        ),
        dimension("education", l.pick("学历要求", "Education"), &s.education, &counts.education, education),
        dimension(
            "public",
            l.pick("公共部门岗位", "Public sector"),
            &s.public,
            &counts.public,
            names(&choices.public_sector_kinds),
        ),
    ]
    .into_iter()
    .map(|d| d.facet(url, total))
    .filter(|f| !f.choices.is_empty())
    .collect()
}

/// A region facet's value (43, 4301, 430104) as the region code a link carries (430000, 430100, 430104).
fn region_code(dimension: &str, value: &str) -> String {
    match (dimension, value.len()) {
        ("region", 2) => format!("{value}0000"),
        ("region", 4) => format!("{value}00"),
        _ => value.to_owned(),
    }
}

#[derive(serde::Deserialize)]
struct SaveForm {
    #[serde(default)]
    query: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    notify: Option<String>,
}

/// 保存搜索: a graduate keeps the search it is looking at.
async fn save(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(form): CsrfForm<SaveForm>,
) -> Result<Response, AppError> {
    let actor = ctx.require(&[Role::Graduate])?;
    let search = saved::search_of(&form.query);
    let query = saved::query_of(&search);
    let back = format!("/jobs?{query}");
    let kept = saved::count(&state.db, actor.account_id).await?;
    if let Some(why) = saved::refusal(&search, form.name.trim(), kept, ctx.locale) {
        return Ok(redirect_with_flash(&back, why));
    }
    let name = match form.name.trim() {
        "" => default_name(&search),
        given => given.to_owned(),
    };
    let mut tx = state.db.begin().await?;
    saved::save(&mut tx, &ctx.audit_actor(), actor.account_id, &name, &query, form.notify.is_some()).await?;
    tx.commit().await?;
    let message = match form.notify.is_some() {
        true => ctx.t(
            "已保存。有新的符合条件的岗位时，会在“我的消息”里告诉你。",
            "Saved. New matching postings will be told in My messages.",
        ),
        false => ctx.t("已保存。", "Saved."),
    };
    Ok(redirect_with_flash(&back, message))
}

/// A saved search's name when none is given: its words, or its filters' codes.
fn default_name(s: &Search) -> String {
    let words = s.q.split_whitespace().collect::<Vec<_>>().join(" ");
    let name = if words.is_empty() { saved::query_of(s).replace('&', " ") } else { words };
    name.chars().take(60).collect()
}

#[derive(Template)]
#[template(path = "saved_searches.html")]
struct SavedPage {
    l: Locale,
    csrf: String,
    searches: Vec<saved::SavedSearch>,
}

/// 我的搜索订阅: the graduate's saved searches.
async fn saved_page(State(state): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    let actor = ctx.require(&[Role::Graduate])?;
    let searches = saved::of_account(&state.db, actor.account_id).await?;
    let page = SavedPage { l: ctx.locale, csrf: ctx.csrf.clone(), searches };
    ctx.page(ctx.t("我的搜索订阅", "Saved searches"), &page)
}

async fn delete(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> Result<Response, AppError> {
    let actor = ctx.require(&[Role::Graduate])?;
    let mut tx = state.db.begin().await?;
    let gone = saved::delete(&mut tx, &ctx.audit_actor(), actor.account_id, id).await?;
    tx.commit().await?;
    if !gone {
        return Err(AppError::NotFound);
    }
    Ok(redirect_with_flash("/recruitment/saved-searches", ctx.t("已删除。", "Deleted.")))
}

#[derive(Template)]
#[template(path = "recommended.html")]
struct RecommendedPage {
    l: Locale,
    picks: Vec<recommend::Recommended>,
    has_profile: bool,
}

/// 为你推荐: open postings for the graduate, each with why.
async fn recommended_page(
    State(state): State<AppState>,
    State(jobs): State<Arc<JobIndex>>,
    ctx: Ctx,
) -> Result<Response, AppError> {
    let actor = ctx.require(&[Role::Graduate])?;
    let graduate_id = actor.graduate_id.ok_or(AppError::Forbidden)?;
    let today = time::today_china();
    let key = state.signing_key().await?;
    let who = format!("account:{}", actor.account_id);
    let viewed_as: Vec<String> =
        (0..recommend::VIEWS_DAYS).map(|d| postings::viewer(key, today - chrono::Duration::days(d), &who)).collect();
    let picks = recommend::for_graduate(&state.db, &jobs, graduate_id, &viewed_as, today, 30, ctx.locale).await?;
    let has_profile = crate::profiles::get(&state.db, graduate_id).await?.updated_at.is_some();
    let page = RecommendedPage { l: ctx.locale, picks, has_profile };
    ctx.page(ctx.t("为你推荐", "Recommended for you"), &page)
}
