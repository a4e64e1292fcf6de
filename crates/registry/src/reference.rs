//! Reference tables people look things up in: regions (行政区划), the major
//! catalogues (专业目录), cohorts (届) and the code tables (代码表).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};

use kernel::audit::{self, Change};
use kernel::auth::Role;
use kernel::codes::{self, Code};
use kernel::db::SqlBuilder;
use kernel::web::listing::{Listing, Match};
use kernel::web::table::{ListUrl, Paging};
use kernel::web::{redirect_with_flash, AppError, AppState, CsrfForm, Ctx};
use kernel::{DbResult, FromRow, Locale, Row};

use crate::cohorts::Cohort;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/registry/regions", get(regions_page))
        .route("/registry/majors", get(catalogue_page))
        .route("/registry/cohorts", get(cohorts_page))
        .route("/registry/cohorts/{year}", post(save_cohort))
        .route("/registry/codes", get(codes_page))
}

const READERS: &[Role] = &[Role::ProvinceAdmin, Role::UniversityStaff];

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Region {
    pub code: String,
    pub name: String,
    pub parent_code: Option<String>,
    pub level: String,
    pub retired: bool,
}

#[derive(Debug, Default, Deserialize)]
pub struct RegionFilter {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub level: String,
    #[serde(default)]
    pub parent: String,
    pub page: Option<String>,
}

impl FromRow for Region {
    fn from_row(r: &Row) -> DbResult<Region> {
        Ok(Region {
            code: r.text("code")?,
            name: r.text("name")?,
            parent_code: r.opt_text("parent_code")?,
            level: r.text("level")?,
            retired: r.bool("retired")?,
        })
    }
}

pub async fn regions(db: &kernel::Db, f: &RegionFilter, paging: &mut Paging) -> DbResult<Vec<Region>> {
    Listing::new("FROM regions")
        .search(&f.q, &[Match::Contains("name"), Match::Contains("code")])
        .equals("level", &f.level)
        .equals("parent_code", &f.parent)
        .page(db, "code, name, parent_code, level, retired", " ORDER BY code", paging)
        .await
}

/// Every region in use as (code, name), in code order: the code list templates give.
pub async fn region_names(db: &kernel::Db) -> DbResult<Vec<(String, String)>> {
    let rows = db.fetch_all("SELECT code, name FROM regions WHERE retired = $1 ORDER BY code", &[false.into()]).await?;
    rows.iter().map(|r| Ok((r.text("code")?, r.text("name")?))).collect()
}

pub fn level_label(level: &str, l: Locale) -> &'static str {
    match level {
        "province" => l.pick("省级", "Province"),
        "prefecture" => l.pick("地级", "Prefecture"),
        _ => l.pick("县级", "County"),
    }
}

#[derive(Template)]
#[template(path = "regions.html")]
struct RegionsPage<'a> {
    l: Locale,
    f: &'a RegionFilter,
    rows: Vec<Region>,
    pager: String,
}

async fn regions_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(f): Query<RegionFilter>,
) -> Result<Response, AppError> {
    ctx.require(READERS)?;
    let mut paging = Paging::parse(f.page.as_deref());
    let rows = regions(&state.db, &f, &mut paging).await?;
    let url = ListUrl::new("/registry/regions", &[("q", &f.q), ("level", &f.level), ("parent", &f.parent)]);
    let pager = paging.html(&url, ctx.locale);
    ctx.page(ctx.t("行政区划", "Regions"), &RegionsPage { l: ctx.locale, f: &f, rows, pager })
}

#[derive(Debug, Default, Deserialize)]
struct CatalogueFilter {
    #[serde(default)]
    q: String,
    #[serde(default)]
    level: String,
    page: Option<String>,
}

/// A major of the national catalogue (专业目录).
struct CatalogueMajor {
    code: String,
    name: String,
    discipline_code: String,
    discipline_name: String,
    level: String,
    /// Seeded from a source not yet checked against the ministry's list.
    unverified: bool,
}

impl CatalogueMajor {
    const COLUMNS: &str = "code, name, discipline_code, discipline_name, level, unverified";
}

impl FromRow for CatalogueMajor {
    fn from_row(r: &Row) -> DbResult<CatalogueMajor> {
        Ok(CatalogueMajor {
            code: r.text("code")?,
            name: r.text("name")?,
            discipline_code: r.text("discipline_code")?,
            discipline_name: r.text("discipline_name")?,
            level: r.text("level")?,
            unverified: r.bool("unverified")?,
        })
    }
}

#[derive(Template)]
#[template(path = "catalogue.html")]
struct CataloguePage<'a> {
    l: Locale,
    f: &'a CatalogueFilter,
    rows: Vec<CatalogueMajor>,
    pager: String,
}

async fn catalogue_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(f): Query<CatalogueFilter>,
) -> Result<Response, AppError> {
    ctx.require(READERS)?;
    let mut paging = Paging::parse(f.page.as_deref());
    let rows = Listing::new("FROM major_catalogue")
        .search(&f.q, &[Match::Contains("name"), Match::Contains("code")])
        .equals("level", &f.level)
        .page(&state.db, CatalogueMajor::COLUMNS, " ORDER BY level, code", &mut paging)
        .await?;
    let url = ListUrl::new("/registry/majors", &[("q", &f.q), ("level", &f.level)]);
    let pager = paging.html(&url, ctx.locale);
    ctx.page(ctx.t("专业目录", "Major catalogue"), &CataloguePage { l: ctx.locale, f: &f, rows, pager })
}

/// A cohort as its page lists it: the settings, and graduates in the reader's scope.
struct CohortRow {
    c: Cohort,
    graduates: i64,
}

impl std::ops::Deref for CohortRow {
    type Target = Cohort;
    fn deref(&self) -> &Cohort {
        &self.c
    }
}

#[derive(Template)]
#[template(path = "cohorts.html")]
struct CohortsPage<'a> {
    ctx: &'a Ctx,
    l: Locale,
    rows: Vec<CohortRow>,
    can_edit: bool,
    error: String,
}

/// Agreements a graduate may cancel, at most, as the settings form accepts it.
const BREACH_LIMIT_MAX: i64 = 5;

async fn render_cohorts(state: &AppState, ctx: &Ctx, error: String) -> Result<Response, AppError> {
    let actor = ctx.require(READERS)?;
    let mut counts = SqlBuilder::new("SELECT g.cohort_year, COUNT(*) AS n FROM graduates g WHERE 1 = 1");
    if actor.scope().restrict(&mut counts, crate::graduates::OWNERS).is_err() {
        return Err(AppError::Forbidden);
    }
    counts.push(" GROUP BY g.cohort_year");
    let counts: HashMap<i64, i64> = state
        .db
        .fetch_all(&counts.sql, &counts.params)
        .await?
        .iter()
        .map(|r| Ok((r.i64("cohort_year")?, r.i64("n")?)))
        .collect::<DbResult<_>>()?;
    let rows = crate::cohorts::all(&state.db)
        .await?
        .into_iter()
        .map(|c| CohortRow { graduates: counts.get(&c.year).copied().unwrap_or(0), c })
        .collect();
    let can_edit = actor.role == Role::ProvinceAdmin;
    ctx.page(ctx.t("届别", "Cohorts"), &CohortsPage { ctx, l: ctx.locale, rows, can_edit, error })
}

async fn cohorts_page(State(state): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    render_cohorts(&state, &ctx, String::new()).await
}

#[derive(Debug, Default, Deserialize)]
struct CohortForm {
    #[serde(default)]
    rate_definition: String,
    #[serde(default)]
    breach_limit: String,
}

/// The province sets a cohort's rate definition and breach limit.
async fn save_cohort(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(year): Path<i64>,
    CsrfForm(form): CsrfForm<CohortForm>,
) -> Result<Response, AppError> {
    ctx.require(&[Role::ProvinceAdmin])?;
    let limit = form.breach_limit.trim().parse::<i64>().ok().filter(|n| (0..=BREACH_LIMIT_MAX).contains(n));
    let definition = Some(form.rate_definition.as_str()).filter(|d| ["2021", "2024"].contains(d));
    let (Some(limit), Some(definition)) = (limit, definition) else {
        let error = match ctx.locale {
            Locale::Zh => format!("{year}届：违约次数上限应为 0 到 {BREACH_LIMIT_MAX} 的整数，统计口径为 2021 或 2024。"),
            Locale::En => format!("{year}: the breach limit is a whole number from 0 to {BREACH_LIMIT_MAX}; the definition is 2021 or 2024."),
        };
        return render_cohorts(&state, &ctx, error).await;
    };
    let mut tx = state.db.begin().await?;
    let before = crate::cohorts::save_settings(&mut tx, year, definition, limit).await?.ok_or(AppError::NotFound)?;
    let before = serde_json::json!({ "rate_definition": before.rate_definition, "breach_limit": before.breach_limit });
    let after = serde_json::json!({ "rate_definition": definition, "breach_limit": limit });
    let change = Change::updated("cohort", year, before, after);
    audit::record(&mut tx, &ctx.audit_actor(), change).await?;
    tx.commit().await?;
    state.cache.clear();
    Ok(redirect_with_flash("/registry/cohorts", ctx.t("届别设置已保存。", "Cohort settings saved.")))
}

#[derive(Debug, Default, Deserialize)]
struct CodesQuery {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    version: String,
}

#[derive(Template)]
#[template(path = "codes.html")]
struct CodesPage<'a> {
    l: Locale,
    q: &'a CodesQuery,
    kinds: Vec<(String, String, i64)>,
    rows: Vec<Code>,
}

async fn codes_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<CodesQuery>,
) -> Result<Response, AppError> {
    ctx.require(READERS)?;
    let kinds = codes::kinds(&state.db).await?;
    let rows = if q.kind.is_empty() { Vec::new() } else { codes::list(&state.db, &q.kind, &q.version).await? };
    ctx.page(ctx.t("代码表", "Code tables"), &CodesPage { l: ctx.locale, q: &q, kinds, rows })
}

/// What the registry knows about region codes, for checking the address part
/// of ID numbers. A province whose counties the registry holds in more than one
/// prefecture (Hunan, in the seed data) is checked to the prefecture; others
/// only to the province, because the seed data holds just a few of their districts.
#[derive(Debug, Default)]
pub struct RegionIndex {
    // Asked twice for every roster row: a fast hasher.
    provinces: foldhash::HashSet<String>,
    prefectures: foldhash::HashSet<String>,
    detailed: foldhash::HashSet<String>,
}

impl RegionIndex {
    pub fn from_codes<'a>(codes: impl IntoIterator<Item = (&'a str, &'a str)>) -> RegionIndex {
        let mut index = RegionIndex::default();
        let mut county_prefectures: HashMap<String, HashSet<String>> = HashMap::new();
        for (code, level) in codes {
            let (Some(province), Some(prefecture)) = (code.get(..2), code.get(..4)) else { continue };
            index.provinces.insert(province.to_owned());
            index.prefectures.insert(prefecture.to_owned());
            if level == "county" {
                county_prefectures.entry(province.to_owned()).or_default().insert(prefecture.to_owned());
            }
        }
        index.detailed = county_prefectures.into_iter().filter(|(_, p)| p.len() > 1).map(|(k, _)| k).collect();
        index
    }

    /// Whether a 6-digit address code can be real.
    pub fn knows(&self, code: &str) -> bool {
        match (code.get(..2), code.get(..4)) {
            (Some(province), Some(prefecture)) => {
                self.provinces.contains(province)
                    && (!self.detailed.contains(province) || self.prefectures.contains(prefecture))
            }
            _ => false,
        }
    }
}

const REGION_CODES: &str = "SELECT code, level FROM regions";

pub async fn region_index(db: &kernel::Db) -> kernel::DbResult<RegionIndex> {
    region_index_of(&db.fetch_all(REGION_CODES, &[]).await?)
}

pub async fn region_index_in(tx: &mut kernel::Tx) -> kernel::DbResult<RegionIndex> {
    region_index_of(&tx.fetch_all(REGION_CODES, &[]).await?)
}

fn region_index_of(rows: &[kernel::Row]) -> kernel::DbResult<RegionIndex> {
    let pairs: Vec<(String, String)> =
        rows.iter().map(|r| Ok((r.text("code")?, r.text("level")?))).collect::<kernel::DbResult<_>>()?;
    Ok(RegionIndex::from_codes(pairs.iter().map(|(c, l)| (c.as_str(), l.as_str()))))
}

/// Region names by code, enough to write codes out as "湖南省长沙市岳麓区".
#[derive(Debug, Default)]
pub struct RegionNames(HashMap<String, String>);

/// The codes a full name is made of: the province, the prefecture and the region itself.
fn parts(code: &str) -> Vec<String> {
    match (code.get(..2), code.get(..4)) {
        (Some(province), Some(prefecture)) => {
            let mut parts = vec![format!("{province}0000"), format!("{prefecture}00"), code.to_owned()];
            parts.dedup();
            parts
        }
        _ => vec![code.to_owned()],
    }
}

impl RegionNames {
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> RegionNames {
        RegionNames(pairs.into_iter().map(|(c, n)| (c.to_owned(), n.to_owned())).collect())
    }

    /// The full name of a 6-digit code; the code itself when the registry does not know it.
    /// Municipalities' 市辖区 and 县 levels add nothing to a name and are left out.
    pub fn full(&self, code: &str) -> String {
        if code.is_empty() || !self.0.contains_key(code) {
            return code.to_owned();
        }
        parts(code)
            .iter()
            .filter_map(|c| self.0.get(c))
            .filter(|n| !matches!(n.as_str(), "市辖区" | "县"))
            .map(String::as_str)
            .collect()
    }
}

/// The names needed to write out the given region codes in full.
pub async fn full_region_names<'a>(
    db: &kernel::Db,
    codes: impl IntoIterator<Item = &'a str>,
) -> kernel::DbResult<RegionNames> {
    let mut wanted: Vec<String> = codes.into_iter().filter(|c| !c.is_empty()).flat_map(parts).collect();
    wanted.sort();
    wanted.dedup();
    if wanted.is_empty() {
        return Ok(RegionNames::default());
    }
    let mut sql = SqlBuilder::new("SELECT code, name FROM regions WHERE code IN (");
    for (i, code) in wanted.into_iter().enumerate() {
        if i > 0 {
            sql.push(", ");
        }
        sql.bind(code);
    }
    sql.push(")");
    let rows = db.fetch_all(&sql.sql, &sql.params).await?;
    let pairs: Vec<(String, String)> =
        rows.iter().map(|r| Ok((r.text("code")?, r.text("name")?))).collect::<kernel::DbResult<_>>()?;
    Ok(RegionNames::from_pairs(pairs.iter().map(|(c, n)| (c.as_str(), n.as_str()))))
}

#[cfg(test)]
mod tests {
    use super::{RegionIndex, RegionNames};

    #[test]
    fn regions_are_named_in_full() {
        let names = RegionNames::from_pairs([
            ("430000", "湖南省"),
            ("430100", "长沙市"),
            ("430104", "岳麓区"),
            ("110000", "北京市"),
            ("110100", "市辖区"),
            ("110105", "朝阳区"),
        ]);
        assert_eq!(names.full("430104"), "湖南省长沙市岳麓区");
        assert_eq!(names.full("430100"), "湖南省长沙市");
        assert_eq!(names.full("430000"), "湖南省");
        assert_eq!(names.full("110105"), "北京市朝阳区");
        assert_eq!(names.full("439999"), "439999", "an unknown code shows as it is");
        assert_eq!(names.full(""), "");
    }

    #[test]
    fn hunan_is_checked_to_the_prefecture_others_to_the_province() {
        let index = RegionIndex::from_codes([
            ("430000", "province"),
            ("430100", "prefecture"),
            ("430104", "county"),
            ("431300", "prefecture"),
            ("431302", "county"),
            ("110000", "province"),
            ("110101", "county"),
        ]);
        assert!(index.knows("430104"));
        assert!(index.knows("431321"), "a county we do not list, in a known prefecture");
        assert!(!index.knows("439901"), "an unknown Hunan prefecture");
        assert!(index.knows("110228"), "Beijing is only checked to the province");
        assert!(!index.knows("990101"));
        assert!(!index.knows("4"));
    }
}
