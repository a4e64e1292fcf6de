//! 招聘统计: the figures as tables and charts, each table downloadable.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use serde::Deserialize;

use kernel::auth::Role;
use kernel::codes::{self, BASE_VERSION};
use kernel::web::{AppError, AppState, Ctx};
use kernel::{time, Locale};

use super::{Breakdown, Totals, Whose};

pub fn routes() -> Router<crate::RecruitmentState> {
    Router::new().route("/recruitment/statistics", get(page))
}

#[derive(Template)]
#[template(path = "recruitment_statistics.html")]
struct Page {
    l: Locale,
    totals: Totals,
    /// (name, postings, headcount)
    industries: Vec<(String, i64, i64)>,
    provinces: Vec<(String, i64, i64)>,
    industry_chart: String,
    province_chart: String,
}

/// (key, title, rows, chart) of each table.
type Table<'a> = (&'static str, &'static str, &'a Vec<(String, i64, i64)>, &'a String);

impl Page {
    fn tables(&self) -> Vec<Table<'_>> {
        let l = self.l;
        vec![
            ("industry", l.pick("按行业", "By industry"), &self.industries, &self.industry_chart),
            ("province", l.pick("按工作地省份", "By province of work"), &self.provinces, &self.province_chart),
        ]
    }
}

#[derive(Deserialize)]
struct Ask {
    /// `industry` or `province`, with `format`: that table as a file.
    table: Option<String>,
    format: Option<String>,
}

async fn page(State(state): State<AppState>, ctx: Ctx, Query(ask): Query<Ask>) -> Result<Response, AppError> {
    let actor = ctx.require(&[Role::ProvinceAdmin, Role::UniversityStaff])?;
    let whose = match (actor.role, actor.institution_id) {
        (Role::ProvinceAdmin, _) => Whose::Province,
        (_, Some(id)) => Whose::Institution(id),
        _ => return Err(AppError::Forbidden),
    };
    let l = ctx.locale;
    let today = time::today_china();
    let industry_names = codes::labels(&state.db, "industry", BASE_VERSION, l).await?;
    let industries =
        named(super::by_industry(&state.db, whose, today).await?, |code| industry_names.get(code).cloned());
    let province_names = registry::reference::region_names(&state.db).await?;
    let provinces = named(super::by_province(&state.db, whose, today).await?, |code| {
        province_names.iter().find(|(c, _)| *c == format!("{code}0000")).map(|(_, n)| n.clone())
    });
    if let (Some(table), Some(format)) = (ask.table.as_deref(), ask.format.as_deref()) {
        let (rows, first) = match table {
            "province" => (&provinces, l.pick("省份", "Province")),
            _ => (&industries, l.pick("行业", "Industry")),
        };
        let mut out = vec![vec![
            first.to_owned(),
            l.pick("在招岗位", "Open postings").to_owned(),
            l.pick("招聘人数", "Openings").to_owned(),
        ]];
        out.extend(rows.iter().map(|(name, n, h)| vec![name.clone(), n.to_string(), h.to_string()]));
        let stem = format!("{}-{table}-{today}", l.pick("招聘统计", "recruitment"));
        return kernel::web::export::download(&out, format, &stem, l.pick("招聘统计", "Recruitment"), None);
    }
    let chart = |title: &str, rows: &[(String, i64, i64)]| {
        let items: Vec<(String, u64)> =
            rows.iter().take(12).map(|(name, _, h)| (name.clone(), (*h).max(0) as u64)).collect();
        kernel::chart::count_bars(title, &items)
    };
    let industry_chart = chart(l.pick("按行业的招聘人数", "Openings by industry"), &industries);
    let province_chart = chart(l.pick("按省份的招聘人数", "Openings by province"), &provinces);
    let totals = super::totals(&state.db, whose, today).await?;
    let page = Page { l, totals, industries, provinces, industry_chart, province_chart };
    ctx.page(ctx.t("招聘统计", "Recruitment figures"), &page)
}

/// The breakdown with each code written out; a code with no name stays as it is.
fn named(rows: Breakdown, name: impl Fn(&str) -> Option<String>) -> Vec<(String, i64, i64)> {
    rows.into_iter().map(|(code, n, h)| (name(&code).unwrap_or(code), n, h)).collect()
}
