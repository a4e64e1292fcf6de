//! Periodic reports (日报、周报、月报、年报): the placement by group at the end of
//! the period, the change since the end of the previous one, and the ranking.

use std::collections::HashMap;

use std::sync::Arc;

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use chrono::{Months, NaiveDate};
use serde::Deserialize;

use kernel::auth::{Role, Scope};
use kernel::web::{AppError, AppState, Ctx};
use kernel::{time, Locale};

use super::rates::{percent, Definition, Tally};
use super::{by_group, by_group_days, definition_of, Grouping, Placements};

pub fn routes() -> Router<crate::OutcomesState> {
    Router::new().route("/outcomes/reports", get(page))
}

/// The kinds of periodic report and how far back each compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    Daily,
    Weekly,
    Monthly,
    Annual,
}

impl Period {
    pub fn parse(s: &str) -> Period {
        match s {
            "weekly" => Period::Weekly,
            "monthly" => Period::Monthly,
            "annual" => Period::Annual,
            _ => Period::Daily,
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            Period::Daily => "daily",
            Period::Weekly => "weekly",
            Period::Monthly => "monthly",
            Period::Annual => "annual",
        }
    }

    pub fn label(self, l: Locale) -> &'static str {
        match self {
            Period::Daily => l.pick("日报", "Daily"),
            Period::Weekly => l.pick("周报", "Weekly"),
            Period::Monthly => l.pick("月报", "Monthly"),
            Period::Annual => l.pick("年报", "Annual"),
        }
    }

    /// The end of the previous period for a report ending on `day`.
    pub fn previous(self, day: NaiveDate) -> NaiveDate {
        match self {
            Period::Daily => day.pred_opt().unwrap_or(day),
            Period::Weekly => day - chrono::Days::new(7),
            Period::Monthly => day.checked_sub_months(Months::new(1)).unwrap_or(day),
            Period::Annual => day.checked_sub_months(Months::new(12)).unwrap_or(day),
        }
    }
}

/// One line of a report.
pub struct Line {
    /// The group's key (an institution's or college's id).
    pub key: String,
    pub rank: usize,
    pub label: String,
    pub now: Tally,
    pub before: Tally,
}

/// Lines ranked by rate (highest first), with the previous period beside each.
pub fn rank(now: Vec<(String, String, Tally)>, before: &HashMap<String, Tally>, d: Definition) -> Vec<Line> {
    let mut lines: Vec<Line> = now
        .into_iter()
        .map(|(key, label, tally)| Line {
            rank: 0,
            before: before.get(&key).cloned().unwrap_or_default(),
            key,
            label,
            now: tally,
        })
        .collect();
    lines.sort_by(|a, b| b.now.rate(d).total_cmp(&a.now.rate(d)).then(a.label.cmp(&b.label)));
    for (i, line) in lines.iter_mut().enumerate() {
        line.rank = i + 1;
    }
    lines
}

/// A change in percentage points, signed: `+1.25` or `-0.40`.
pub fn points(now: f64, before: f64) -> String {
    format!("{:+.2}", (now - before) * 100.0)
}

#[derive(Debug, Default, Deserialize)]
struct ReportQuery {
    #[serde(default)]
    period: String,
    #[serde(default)]
    date: String,
    #[serde(default)]
    by: String,
    #[serde(default)]
    cohort: String,
    /// `xlsx`: the table with a chart; `png`: the chart.
    #[serde(default)]
    format: String,
}

/// Shown in the chart: the top of the ranking.
const CHARTED: usize = 15;

/// The report's table as text cells, header first, as the page shows it.
pub fn table(lines: &[Line], d: Definition, l: Locale) -> Vec<Vec<String>> {
    let header = [
        ("排名", "Rank"),
        ("名称", "Name"),
        ("毕业生数", "Graduates"),
        ("已落实", "Placed"),
        ("本期新增", "Added"),
        ("落实率", "Rate"),
        ("较上期（百分点）", "Change (points)"),
    ];
    let mut rows = vec![header.iter().map(|(zh, en)| l.pick(zh, en).to_owned()).collect::<Vec<_>>()];
    rows.extend(lines.iter().map(|line| {
        vec![
            line.rank.to_string(),
            line.label.clone(),
            line.now.graduates.to_string(),
            line.now.placed(d).to_string(),
            (line.now.placed(d) as i64 - line.before.placed(d) as i64).to_string(),
            percent(line.now.rate(d)),
            points(line.now.rate(d), line.before.rate(d)),
        ]
    }));
    rows
}

#[derive(Template)]
#[template(path = "report.html")]
struct ReportPage {
    l: Locale,
    period: Period,
    date: String,
    previous: String,
    by: String,
    definition: Definition,
    total_now: Tally,
    total_before: Tally,
    lines: Vec<Line>,
    chart: String,
    /// The whole province's rate (全省平均): all its placed graduates over all its graduates.
    province_rate: String,
    /// The reader's institution's place among the province's institutions, and how many there are.
    standing: Option<(usize, usize)>,
}

impl ReportPage {
    fn rate(&self, t: &Tally) -> String {
        percent(t.rate(self.definition))
    }
    fn placed(&self, t: &Tally) -> u64 {
        t.placed(self.definition)
    }
    fn change(&self, line: &Line) -> String {
        points(line.now.rate(self.definition), line.before.rate(self.definition))
    }
    fn added(&self, line: &Line) -> i64 {
        line.now.placed(self.definition) as i64 - line.before.placed(self.definition) as i64
    }
    fn periods(&self) -> Vec<(&'static str, &'static str)> {
        [Period::Daily, Period::Weekly, Period::Monthly, Period::Annual]
            .iter()
            .map(|p| (p.key(), p.label(self.l)))
            .collect()
    }
}

async fn page(
    State(state): State<AppState>,
    State(placements): State<Arc<Placements>>,
    ctx: Ctx,
    Query(q): Query<ReportQuery>,
) -> Result<Response, AppError> {
    let actor = ctx.require(&[Role::ProvinceAdmin, Role::UniversityStaff])?;
    let period = Period::parse(&q.period);
    let day = NaiveDate::parse_from_str(q.date.trim(), "%Y-%m-%d").unwrap_or_else(|_| time::today_china());
    let previous = period.previous(day);
    let grouping = if q.by == "college" { Grouping::College } else { Grouping::Institution };
    let cohort = registry::cohorts::year_or_latest(&state, &q.cohort).await?;
    let definition = definition_of(&state.db, cohort, "").await?;
    let scope = actor.scope();
    let l = ctx.locale;
    let both = by_group_days(&placements, &scope, cohort, &[day, previous], grouping, definition, l).await?;
    let [now, before] = both.as_slice() else {
        return Err(AppError::NotFound);
    };
    let (now, before) = (now.clone(), before.clone());
    let total_before = before.total;
    let before: HashMap<String, Tally> = before.groups.into_iter().map(|g| (g.key, g.tally)).collect();
    let lines = rank(now.groups.into_iter().map(|g| (g.key, g.label, g.tally)).collect(), &before, definition);
    let (province_rate, standing) =
        province_standing(&placements, cohort, day, definition, actor.institution_id, l).await?;
    let chart_title = ctx.t("落实率排名（前 15）", "Placement rate, top 15");
    if q.format == "xlsx" {
        let rows = table(&lines, definition, l);
        let title = format!("{}{}", period.label(l), l.pick("", " report"));
        let chart = kernel::web::export::BarChart { title: chart_title, value_column: 5, rows: CHARTED };
        return kernel::web::export::download(
            &rows,
            "xlsx",
            &format!("report-{}-{day}", period.key()),
            &title,
            Some(&chart),
        );
    }
    let shown: Vec<(String, f64)> =
        lines.iter().take(CHARTED).map(|line| (line.label.clone(), line.now.rate(definition))).collect();
    let chart = kernel::chart::bars(chart_title, &shown);
    if q.format == "png" {
        let png = kernel::chart::png(&chart).map_err(|e| AppError::Internal(anyhow::anyhow!(e)))?;
        return Ok(kernel::web::export::attachment("image/png", &format!("report-{}-{day}.png", period.key()), png));
    }
    let page = ReportPage {
        l,
        period,
        date: day.to_string(),
        previous: previous.to_string(),
        by: grouping.key().to_owned(),
        definition,
        total_now: now.total,
        total_before,
        lines,
        chart,
        province_rate,
        standing,
    };
    ctx.page(&format!("{} · {}", ctx.t("毕业去向落实情况", "Placement report"), period.label(ctx.locale)), &page)
}

/// The province's rate on `day`, and where `institution` ranks among the
/// province's institutions: a university sees how it stands without seeing
/// the others' figures.
async fn province_standing(
    placements: &Placements,
    cohort: i64,
    day: NaiveDate,
    d: Definition,
    institution: Option<i64>,
    l: Locale,
) -> Result<(String, Option<(usize, usize)>), AppError> {
    let province = by_group(placements, &Scope::Province, cohort, day, Grouping::Institution, d, l).await?;
    let lines = rank(
        province.groups.iter().map(|g| (g.key.clone(), g.label.clone(), g.tally.clone())).collect(),
        &HashMap::new(),
        d,
    );
    let standing = institution
        .and_then(|id| lines.iter().find(|line| line.key == id.to_string()))
        .map(|line| (line.rank, lines.len()));
    Ok((percent(province.total.rate(d)), standing))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_compare_with_the_right_day() {
        let d = NaiveDate::from_ymd_opt(2022, 8, 31).unwrap();
        assert_eq!(Period::Daily.previous(d).to_string(), "2022-08-30");
        assert_eq!(Period::Weekly.previous(d).to_string(), "2022-08-24");
        assert_eq!(Period::Monthly.previous(d).to_string(), "2022-07-31");
        assert_eq!(Period::Annual.previous(d).to_string(), "2021-08-31");
        assert_eq!(points(0.8125, 0.8), "+1.25");
        assert_eq!(points(0.79, 0.8), "-1.00");
    }

    #[test]
    fn ranking_by_rate() {
        let tally = |placed: u64, total: u64| {
            let mut t = Tally::default();
            t.add(Some("contract"), placed);
            t.add(None, total - placed);
            t
        };
        let now = vec![
            ("a".into(), "甲".into(), tally(5, 10)),
            ("b".into(), "乙".into(), tally(9, 10)),
            ("c".into(), "丙".into(), tally(0, 0)),
        ];
        let lines = rank(now, &HashMap::new(), Definition::V2021);
        assert_eq!(
            lines.iter().map(|l| (l.rank, l.label.as_str())).collect::<Vec<_>>(),
            vec![(1, "乙"), (2, "甲"), (3, "丙")]
        );
    }
}
