//! The quarterly briefing (季度通报): a print-ready set of tables for the
//! department head — the overall figures; institutions ranked within their
//! ranking group with the change since the previous quarter's end; the rate
//! by level, sex, origin, urban or rural origin and discipline; and where
//! placed graduates went, by prefecture at home and by province elsewhere —
//! each table starting an A4 page.

use std::cmp::Ordering;
use std::collections::HashMap;
use std::sync::Arc;

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use chrono::{Datelike, NaiveDate};
use serde::Deserialize;

use kernel::auth::{Actor, Role, Scope};
use kernel::web::export::AsOf;
use kernel::web::{AppError, AppState, Ctx};
use kernel::{time, Locale};

use super::groups::{ranking_group_of, ranking_groups, RankingGroup};
use super::rates::{percent, Definition, Tally};
use super::reports::points;
use super::{by_group, by_group_days, definition_of, row, table, Breakdown, GroupRate, Grouping, Placements};

pub fn routes() -> Router<crate::OutcomesState> {
    Router::new().route("/outcomes/briefing", get(page))
}

const SECTIONS: [Grouping; 5] =
    [Grouping::Level, Grouping::Gender, Grouping::Origin, Grouping::UrbanRural, Grouping::Discipline];

/// Regions charted: the most frequent destinations.
const CHARTED_REGIONS: usize = 10;

/// One table of the briefing: its title, rows (header first), notes under it
/// and a chart (SVG, empty when none).
pub struct Section {
    pub id: String,
    pub title: String,
    pub rows: Vec<Vec<String>>,
    pub notes: Vec<String>,
    pub chart: String,
}

impl Section {
    fn new(id: &str, title: String, rows: Vec<Vec<String>>) -> Section {
        Section { id: id.to_owned(), title, rows, notes: Vec::new(), chart: String::new() }
    }
}

/// The end of the quarter before the one `day` falls in — the day the previous
/// briefing was made as of; a quarter's last day compares with the quarter before.
pub fn previous_quarter_end(day: NaiveDate) -> NaiveDate {
    let quarter_start = NaiveDate::from_ymd_opt(day.year(), (day.month() - 1) / 3 * 3 + 1, 1);
    quarter_start.and_then(|d| d.pred_opt()).unwrap_or(day)
}

/// One institution's line in its group's ranking.
#[derive(Debug, Clone)]
pub struct Ranked {
    pub key: String,
    pub label: String,
    pub rank: usize,
    pub now: Tally,
    pub before: Tally,
    /// The rank at the previous quarter's end.
    pub before_rank: usize,
}

/// Higher rate first, compared as exact fractions so equal rates are equal.
fn by_rate(a: &Tally, b: &Tally, d: Definition) -> Ordering {
    let side = |t: &Tally, other: &Tally| t.placed(d) as u128 * other.graduates.max(1) as u128;
    side(b, a).cmp(&side(a, b))
}

/// Ranks by rate, highest first; equal rates share a rank and the next rank
/// skips as many (1, 2, 2, 4). Returns each item's rank in the order given.
fn ranks(tallies: &[&Tally], d: Definition) -> Vec<usize> {
    tallies.iter().map(|t| 1 + tallies.iter().filter(|o| by_rate(o, t, d) == Ordering::Less).count()).collect()
}

/// Institutions ranked within their ranking group (by `group_of`, an index into
/// `groups` groups), each with its figures and rank at the previous quarter's end.
pub fn ranking(
    now: &[GroupRate],
    before: &[GroupRate],
    group_of: &HashMap<String, usize>,
    groups: usize,
    d: Definition,
) -> Vec<Vec<Ranked>> {
    let before: HashMap<&str, &Tally> = before.iter().map(|g| (g.key.as_str(), &g.tally)).collect();
    let mut ranked: Vec<Vec<Ranked>> = vec![Vec::new(); groups];
    for g in now {
        let at = group_of.get(&g.key).copied().unwrap_or(groups - 1).min(groups - 1);
        ranked[at].push(Ranked {
            key: g.key.clone(),
            label: g.label.clone(),
            rank: 0,
            now: g.tally.clone(),
            before: before.get(g.key.as_str()).map(|t| (*t).clone()).unwrap_or_default(),
            before_rank: 0,
        });
    }
    for lines in &mut ranked {
        let now = ranks(&lines.iter().map(|r| &r.now).collect::<Vec<_>>(), d);
        let before = ranks(&lines.iter().map(|r| &r.before).collect::<Vec<_>>(), d);
        for (line, (rank, before_rank)) in lines.iter_mut().zip(now.into_iter().zip(before)) {
            (line.rank, line.before_rank) = (rank, before_rank);
        }
        lines.sort_by(|a, b| a.rank.cmp(&b.rank).then(a.label.cmp(&b.label)));
    }
    ranked
}

/// A ranking's table as text cells, header first.
pub fn ranking_table(lines: &[&Ranked], d: Definition, l: Locale) -> Vec<Vec<String>> {
    let header = [
        ("排名", "Rank"),
        ("院校", "Institution"),
        ("毕业生数", "Graduates"),
        ("已落实", "Placed"),
        ("落实率", "Rate"),
        ("上期落实率", "Previous rate"),
        ("较上期（百分点）", "Change (points)"),
        ("上期排名", "Previous rank"),
    ];
    let mut rows = vec![header.iter().map(|(zh, en)| l.pick(zh, en).to_owned()).collect::<Vec<_>>()];
    rows.extend(lines.iter().map(|r| {
        vec![
            r.rank.to_string(),
            r.label.clone(),
            r.now.graduates.to_string(),
            r.now.placed(d).to_string(),
            percent(r.now.rate(d)),
            percent(r.before.rate(d)),
            points(r.now.rate(d), r.before.rate(d)),
            r.before_rank.to_string(),
        ]
    }));
    rows
}

/// Where placed graduates went: by prefecture in the home province and by
/// province elsewhere, largest first; those placed with no region recorded
/// (further study among them) are counted apart and share in nothing.
#[derive(Debug, Default, PartialEq)]
pub struct Regions {
    pub home: Vec<(String, u64)>,
    pub elsewhere: Vec<(String, u64)>,
    pub unrecorded: u64,
}

impl Regions {
    pub fn of(groups: &[GroupRate], home_province: &str, d: Definition) -> Regions {
        let mut regions = Regions::default();
        for g in groups {
            let placed = g.tally.placed(d);
            if placed == 0 {
                continue;
            }
            if g.key.is_empty() {
                regions.unrecorded += placed;
            } else if g.key.starts_with(home_province) {
                regions.home.push((g.label.clone(), placed));
            } else {
                regions.elsewhere.push((g.label.clone(), placed));
            }
        }
        for list in [&mut regions.home, &mut regions.elsewhere] {
            list.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        }
        regions
    }

    fn sum(list: &[(String, u64)]) -> u64 {
        list.iter().map(|r| r.1).sum()
    }

    /// Placed graduates with a region recorded: what the shares are of.
    pub fn recorded(&self) -> u64 {
        Regions::sum(&self.home) + Regions::sum(&self.elsewhere)
    }

    /// The table: region, placed graduates, share; a subtotal over each part's lines.
    pub fn table(&self, l: Locale) -> Vec<Vec<String>> {
        let total = self.recorded();
        let share = |n: u64| if total == 0 { percent(0.0) } else { percent(n as f64 / total as f64) };
        let mut rows = vec![vec![
            l.pick("就业地区", "Region").to_owned(),
            l.pick("已落实人数", "Placed graduates").to_owned(),
            l.pick("占比", "Share").to_owned(),
        ]];
        for (part, list) in
            [(l.pick("省内", "In the province"), &self.home), (l.pick("省外", "Elsewhere"), &self.elsewhere)]
        {
            rows.push(vec![part.to_owned(), Regions::sum(list).to_string(), share(Regions::sum(list))]);
            rows.extend(list.iter().map(|(name, n)| vec![format!("　{name}"), n.to_string(), share(*n)]));
        }
        rows.push(vec![l.pick("合计", "Total").to_owned(), total.to_string(), share(total)]);
        rows
    }
}

#[derive(Debug, Default, Deserialize)]
struct BriefingQuery {
    #[serde(default)]
    as_of: String,
    #[serde(default)]
    cohort: String,
    /// `xlsx`: the ranking tables as a workbook.
    #[serde(default)]
    format: String,
}

/// The ranking tables as one sheet: the header once, then each group's name and its lines.
fn ranking_sheet(sections: &[Section]) -> Vec<Vec<String>> {
    let mut rows: Vec<Vec<String>> = sections.first().and_then(|s| s.rows.first()).cloned().into_iter().collect();
    for s in sections {
        rows.push(vec![s.title.clone()]);
        rows.extend(s.rows.iter().skip(1).cloned());
    }
    rows
}

#[derive(Template)]
#[template(path = "briefing.html")]
struct BriefingPage {
    l: Locale,
    as_of: String,
    previous: String,
    sections: Vec<Section>,
    printed: String,
}

async fn page(
    State(state): State<AppState>,
    State(placements): State<Arc<Placements>>,
    ctx: Ctx,
    Query(q): Query<BriefingQuery>,
) -> Result<Response, AppError> {
    let actor = ctx.require(&[Role::ProvinceAdmin, Role::UniversityStaff])?;
    let day = NaiveDate::parse_from_str(q.as_of.trim(), "%Y-%m-%d").unwrap_or_else(|_| time::today_china());
    let previous = previous_quarter_end(day);
    let cohort = registry::cohorts::year_or_latest(&state, &q.cohort).await?;
    let d = definition_of(&state.db, cohort, "").await?;
    let scope = actor.scope();
    let l = ctx.locale;
    let ranked = rankings(&state, &placements, actor, cohort, (day, previous), d, l).await?;
    if q.format == "xlsx" {
        let day = day.to_string();
        let dated = AsOf { cohort, day: &day };
        let title = dated.title(l.pick("院校排名", "Ranking"), l);
        return kernel::web::export::download(
            &ranking_sheet(&ranked),
            "xlsx",
            &dated.stem("briefing-ranking"),
            &title,
            None,
        );
    }
    let overall = by_group(&placements, &scope, cohort, day, Grouping::Level, d, l).await?;
    let header = table(&Breakdown { total: Tally::default(), groups: Vec::new() }, d, l.pick("全省", "Province"), l);
    let total_row = row(l.pick("合计", "Total"), &overall.total, d);
    let mut sections =
        vec![Section::new("overall", l.pick("总体情况", "Overall").to_owned(), vec![header[0].clone(), total_row])];
    sections.extend(ranked);
    for grouping in SECTIONS {
        let breakdown = by_group(&placements, &scope, cohort, day, grouping, d, l).await?;
        let label = grouping.heading(l);
        let mut rows = table(&breakdown, d, label, l);
        // The total row repeats the overall table; the sections keep only their groups.
        rows.pop();
        sections.push(Section::new(grouping.key(), format!("{}{}", l.pick("按", "By "), label), rows));
    }
    sections.push(region_section(&state, &placements, &scope, cohort, day, d, l).await?);
    let page = BriefingPage {
        l,
        as_of: day.to_string(),
        previous: previous.to_string(),
        sections,
        printed: time::today_china().to_string(),
    };
    let title = format!("{cohort}{}", l.pick("届高校毕业生毕业去向落实情况通报", " graduate placement briefing"));
    let title = match l {
        Locale::Zh => format!("{title}（{day}）"),
        Locale::En => format!("{title} ({day})"),
    };
    ctx.page(&title, &page)
}

/// The ranking tables, one per ranking group with institutions in it. The
/// ranks are the province's; a university's staff see their own line with
/// its rank among all, as the daily report shows them, and no other figures.
/// A college's staff see no ranking: the institution's line is wider than their scope.
async fn rankings(
    state: &AppState,
    placements: &Placements,
    actor: &Actor,
    cohort: i64,
    (day, previous): (NaiveDate, NaiveDate),
    d: Definition,
    l: Locale,
) -> Result<Vec<Section>, AppError> {
    let both =
        by_group_days(placements, &Scope::Province, cohort, &[day, previous], Grouping::Institution, d, l).await?;
    let [now, before] = both.as_slice() else {
        return Err(AppError::NotFound);
    };
    let groups = ranking_groups();
    let group_of = ranking_group_of(&state.db, &groups).await?;
    let ranked = ranking(&now.groups, &before.groups, &group_of, groups.len(), d);
    let scope = actor.scope();
    let province = matches!(scope, Scope::Province);
    // A college's staff see their college's figures elsewhere, not the institution's line.
    let own = |r: &&Ranked| match scope {
        Scope::Province => true,
        Scope::Institution { institution_id, college_id: None } => r.key == institution_id.to_string(),
        _ => false,
    };
    let mut sections = Vec::new();
    let mut group_rates = Vec::new();
    for (group, lines) in groups.iter().zip(&ranked) {
        let shown: Vec<&Ranked> = lines.iter().filter(own).collect();
        if shown.is_empty() {
            continue;
        }
        let mut section = Section::new(
            &format!("ranking-{}", group.group),
            format!("{}{}", l.pick("院校排名：", "Ranking: "), group.name(l)),
            ranking_table(&shown, d, l),
        );
        section.notes.push(ranked_note(group, lines.len(), l));
        group_rates.push((group.name(l).to_owned(), group_rate(lines, d)));
        sections.push(section);
    }
    // Group averages would give away a small group's figures; the province sees them.
    if province && !group_rates.is_empty() {
        if let Some(first) = sections.first_mut() {
            first.chart =
                kernel::chart::bars(l.pick("各类院校落实率", "Placement rate by group of institutions"), &group_rates);
        }
    }
    Ok(sections)
}

fn ranked_note(group: &RankingGroup, count: usize, l: Locale) -> String {
    match l {
        Locale::Zh => format!("{}共 {count} 所参加排名；落实率相同者名次并列。", group.name(l)),
        Locale::En => format!("{count} {} ranked; equal rates share a rank.", group.name(l).to_lowercase()),
    }
}

fn group_rate(lines: &[Ranked], d: Definition) -> f64 {
    let mut total = Tally::default();
    for line in lines {
        total.merge(&line.now);
    }
    total.rate(d)
}

async fn region_section(
    state: &AppState,
    placements: &Placements,
    scope: &Scope,
    cohort: i64,
    day: NaiveDate,
    d: Definition,
    l: Locale,
) -> Result<Section, AppError> {
    let breakdown = by_group(placements, scope, cohort, day, Grouping::EmployerRegion, d, l).await?;
    let regions = Regions::of(&breakdown.groups, &state.config.home_province, d);
    let title = format!("{}{}", l.pick("按", "By "), Grouping::EmployerRegion.heading(l));
    let mut section = Section::new("employer_region", title, regions.table(l));
    let placed = breakdown.total.placed(d);
    section.notes.push(match l {
        Locale::Zh => format!(
            "已落实 {placed} 人，其中登记就业地区 {} 人；未登记就业地区 {} 人（含升学等无工作地点的去向），不计入占比。",
            regions.recorded(),
            regions.unrecorded
        ),
        Locale::En => format!(
            "{placed} placed, {} with a region recorded; {} with no region recorded (further study among them), not in the shares.",
            regions.recorded(),
            regions.unrecorded
        ),
    });
    let mut charted: Vec<(String, u64)> = regions.home.iter().chain(&regions.elsewhere).cloned().collect();
    charted.sort_by_key(|r| std::cmp::Reverse(r.1));
    charted.truncate(CHARTED_REGIONS);
    if !charted.is_empty() {
        section.chart = kernel::chart::count_bars(
            l.pick("主要就业地区（已落实人数）", "Main regions (placed graduates)"),
            &charted,
        );
    }
    Ok(section)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tally(placed: u64, graduates: u64) -> Tally {
        let mut t = Tally::default();
        t.add(Some("contract"), placed);
        t.add(None, graduates - placed);
        t
    }

    fn rate(key: &str, label: &str, t: Tally) -> GroupRate {
        GroupRate { key: key.into(), label: label.into(), tally: t }
    }

    #[test]
    fn the_previous_briefing_is_the_previous_quarters_end() {
        let on = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(previous_quarter_end(on("2022-08-15")), on("2022-06-30"));
        assert_eq!(previous_quarter_end(on("2022-09-30")), on("2022-06-30"));
        assert_eq!(previous_quarter_end(on("2022-10-01")), on("2022-09-30"));
        assert_eq!(previous_quarter_end(on("2022-03-31")), on("2021-12-31"));
        assert_eq!(previous_quarter_end(on("2022-02-10")), on("2021-12-31"));
        assert_eq!(previous_quarter_end(on("2022-12-31")), on("2022-09-30"));
    }

    #[test]
    fn institutions_rank_within_their_group_and_ties_share_a_rank() {
        let now = vec![
            rate("1", "甲大学", tally(9, 10)),
            rate("2", "乙大学", tally(18, 20)),
            rate("3", "丙大学", tally(7, 10)),
            rate("4", "丁学院", tally(5, 10)),
            rate("5", "戊职院", tally(8, 10)),
            rate("6", "己职院", tally(6, 10)),
            rate("7", "未分组", tally(1, 10)),
        ];
        let before = vec![rate("1", "甲大学", tally(5, 10)), rate("3", "丙大学", tally(6, 10))];
        let group_of: HashMap<String, usize> =
            [("1", 0), ("2", 0), ("3", 0), ("4", 1), ("5", 2), ("6", 2)].map(|(k, g)| (k.to_owned(), g)).into();
        let ranked = ranking(&now, &before, &group_of, 4, Definition::V2021);
        let lines = |g: usize| ranked[g].iter().map(|r| (r.rank, r.label.as_str())).collect::<Vec<_>>();
        assert_eq!(lines(0), [(1, "乙大学"), (1, "甲大学"), (3, "丙大学")]);
        assert_eq!(lines(1), [(1, "丁学院")]);
        assert_eq!(lines(2), [(1, "戊职院"), (2, "己职院")]);
        assert_eq!(lines(3), [(1, "未分组")], "an institution no group holds goes to the last");
        let jia = &ranked[0][1];
        assert_eq!(
            (jia.before_rank, points(jia.now.rate(Definition::V2021), jia.before.rate(Definition::V2021))),
            (2, "+40.00".into())
        );
        let table = ranking_table(&ranked[0].iter().collect::<Vec<_>>(), Definition::V2021, Locale::Zh);
        assert_eq!(table[3], ["3", "丙大学", "10", "7", "70.00%", "60.00%", "+10.00", "1"]);
    }

    #[test]
    fn regions_add_up_and_no_region_is_a_count() {
        let groups = vec![
            rate("430100", "长沙市", tally(6, 6)),
            rate("430300", "湘潭市", tally(2, 2)),
            rate("440000", "广东省", tally(2, 3)),
            rate("", "未登记就业地区", tally(5, 40)),
        ];
        let regions = Regions::of(&groups, "43", Definition::V2021);
        assert_eq!(regions.home, [("长沙市".to_owned(), 6), ("湘潭市".to_owned(), 2)]);
        assert_eq!(regions.elsewhere, [("广东省".to_owned(), 2)]);
        assert_eq!((regions.recorded(), regions.unrecorded), (10, 5));
        let table = regions.table(Locale::Zh);
        assert_eq!(table[1], ["省内", "8", "80.00%"]);
        assert_eq!(table[2], ["　长沙市", "6", "60.00%"]);
        assert_eq!(table.last().unwrap(), &["合计", "10", "100.00%"]);
        assert!(!table.iter().any(|r| r[0].contains("未登记")), "no region is not a row with a share");
    }
}
