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
use kernel::db::{like_pattern, SqlBuilder};
use kernel::web::table::{ListUrl, Paging};
use kernel::web::{redirect_with_flash, AppError, AppState, CsrfForm, Ctx};
use kernel::Locale;

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

pub async fn regions(db: &kernel::Db, f: &RegionFilter, paging: &mut Paging) -> kernel::DbResult<Vec<Region>> {
    let mut w = SqlBuilder::new(" WHERE 1 = 1");
    if !f.q.trim().is_empty() {
        let p = like_pattern(f.q.trim());
        w.push(" AND (name LIKE ").bind(p.clone()).push(" ESCAPE '\\' OR code LIKE ").bind(p).push(" ESCAPE '\\')");
    }
    if !f.level.is_empty() {
        w.push(" AND level = ").bind(f.level.as_str());
    }
    if !f.parent.is_empty() {
        w.push(" AND parent_code = ").bind(f.parent.as_str());
    }
    paging.total = db.scalar_i64(&format!("SELECT COUNT(*) AS n FROM regions{}", w.sql), &w.params).await?;
    let sql = format!(
        "SELECT code, name, parent_code, level, retired FROM regions{} ORDER BY code{}",
        w.sql,
        paging.limit_sql()
    );
    db.fetch_all(&sql, &w.params)
        .await?
        .iter()
        .map(|r| {
            Ok(Region {
                code: r.text("code")?,
                name: r.text("name")?,
                parent_code: r.opt_text("parent_code")?,
                level: r.text("level")?,
                retired: r.bool("retired")?,
            })
        })
        .collect()
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

#[derive(Template)]
#[template(path = "catalogue.html")]
struct CataloguePage<'a> {
    l: Locale,
    f: &'a CatalogueFilter,
    rows: Vec<(String, String, String, String, String, bool)>,
    pager: String,
}

async fn catalogue_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(f): Query<CatalogueFilter>,
) -> Result<Response, AppError> {
    ctx.require(READERS)?;
    let mut paging = Paging::parse(f.page.as_deref());
    let mut w = SqlBuilder::new(" WHERE 1 = 1");
    if !f.q.trim().is_empty() {
        let p = like_pattern(f.q.trim());
        w.push(" AND (name LIKE ").bind(p.clone()).push(" ESCAPE '\\' OR code LIKE ").bind(p).push(" ESCAPE '\\')");
    }
    if !f.level.is_empty() {
        w.push(" AND level = ").bind(f.level.as_str());
    }
    paging.total =
        state.db.scalar_i64(&format!("SELECT COUNT(*) AS n FROM major_catalogue{}", w.sql), &w.params).await?;
    let sql = format!("SELECT code, name, discipline_code, discipline_name, level, unverified FROM major_catalogue{} ORDER BY level, code{}", w.sql, paging.limit_sql());
    let rows = state
        .db
        .fetch_all(&sql, &w.params)
        .await?
        .iter()
        .map(|r| {
            Ok((
                r.text("code")?,
                r.text("name")?,
                r.text("discipline_code")?,
                r.text("discipline_name")?,
                r.text("level")?,
                r.bool("unverified")?,
            ))
        })
        .collect::<kernel::DbResult<_>>()?;
    let url = ListUrl::new("/registry/majors", &[("q", &f.q), ("level", &f.level)]);
    let pager = paging.html(&url, ctx.locale);
    ctx.page(ctx.t("专业目录", "Major catalogue"), &CataloguePage { l: ctx.locale, f: &f, rows, pager })
}

/// A cohort (届) and the settings its work runs by.
pub struct Cohort {
    pub year: i64,
    pub destination_version: String,
    pub rate_definition: String,
    pub graduation_date: String,
    /// 违约次数上限: agreements a graduate of the cohort may cancel.
    pub breach_limit: i64,
    pub graduates: i64,
}

#[derive(Template)]
#[template(path = "cohorts.html")]
struct CohortsPage<'a> {
    ctx: &'a Ctx,
    l: Locale,
    rows: Vec<Cohort>,
    can_edit: bool,
    error: String,
}

/// Agreements a graduate may cancel, at most, as the settings form accepts it.
const BREACH_LIMIT_MAX: i64 = 5;

async fn render_cohorts(state: &AppState, ctx: &Ctx, error: String) -> Result<Response, AppError> {
    let actor = ctx.require(READERS)?;
    let mut sql = SqlBuilder::new("SELECT c.year, c.destination_version, c.rate_definition, c.graduation_date, c.breach_limit, (SELECT COUNT(*) FROM graduates g WHERE g.cohort_year = c.year");
    if let Some(own) = actor.scope().institution() {
        sql.push(" AND g.institution_id = ").bind(own);
    }
    sql.push(") AS graduates FROM cohorts c ORDER BY c.year DESC");
    let rows = state
        .db
        .fetch_all(&sql.sql, &sql.params)
        .await?
        .iter()
        .map(|r| {
            Ok(Cohort {
                year: r.i64("year")?,
                destination_version: r.text("destination_version")?,
                rate_definition: r.text("rate_definition")?,
                graduation_date: r.text("graduation_date")?,
                breach_limit: r.i64("breach_limit")?,
                graduates: r.i64("graduates")?,
            })
        })
        .collect::<kernel::DbResult<_>>()?;
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
    let before = tx
        .fetch_optional("SELECT rate_definition, breach_limit FROM cohorts WHERE year = $1", &[year.into()])
        .await?
        .ok_or(AppError::NotFound)?
        .to_json();
    tx.execute(
        "UPDATE cohorts SET rate_definition = $1, breach_limit = $2 WHERE year = $3",
        &[definition.into(), limit.into(), year.into()],
    )
    .await?;
    let after = serde_json::json!({ "rate_definition": definition, "breach_limit": limit });
    let change = Change {
        action: "update",
        entity: "cohort",
        entity_id: year.to_string(),
        before: Some(before),
        after: Some(after),
    };
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

#[cfg(test)]
mod tests {
    use super::RegionIndex;

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
