//! 找工作 (/jobs): the public job list, searched through the index: words in
//! Chinese, filters with the number of results beside each value, matches
//! marked, best match or newest first.

use std::collections::HashMap;
use std::sync::Arc;

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use axum::Router;

use fulltext::text::{highlight, query_words, Piece};
use kernel::web::table::{ListUrl, Paging};
use kernel::web::{AppError, AppState, Ctx};
use kernel::{time, Locale};

use super::{Building, Counts, JobIndex};
use crate::postings::{Choices, Posting, Search};
use crate::RecruitmentState;

pub fn routes() -> Router<RecruitmentState> {
    Router::new().route("/jobs", get(search_page))
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
}

impl SearchPage {
    fn percent_built(&self) -> u64 {
        self.building.map_or(0, |b| b.done * 100 / b.total.max(1))
    }
}

/// The search's parameters as a link keeps them.
fn list_url(s: &Search) -> ListUrl {
    ListUrl::new(
        "/jobs",
        &[
            ("q", &s.q),
            ("region", &s.region),
            ("industry", &s.industry),
            ("position", &s.position),
            ("education", &s.education),
            ("major", &s.major),
            ("salary", &s.salary),
            ("until", &s.until),
            ("public", &s.public),
            ("sort", &s.sort),
        ],
    )
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
