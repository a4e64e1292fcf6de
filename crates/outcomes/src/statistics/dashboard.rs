//! The dashboard (就业看板) the province office and each employment office
//! start the day on: the placement rate today against yesterday and last week,
//! the ten units lowest and the ten that rose fastest, and the weekly trend.
//! The province sees institutions; a university sees its colleges.

use std::sync::Arc;

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use chrono::{Duration, NaiveDate};
use serde::Deserialize;

use kernel::auth::{Owners, Role, Scope};
use kernel::web::{AppError, AppState, Ctx};
use kernel::{time, Locale};

use super::rates::{percent, Definition, Tally};
use super::reports::points;
use super::{by_group_days, definition_of, GroupRate, Grouping, Placements};

pub const PATH: &str = "/outcomes/dashboard";

/// Weeks of history the trend shows.
const WEEKS: i64 = 12;
/// Units in each of the two short lists.
const SHORT_LIST: usize = 10;

pub fn routes() -> Router<crate::OutcomesState> {
    Router::new().route(PATH, get(page))
}

#[derive(Debug, Default, Deserialize)]
struct DashboardQuery {
    #[serde(default)]
    date: String,
    #[serde(default)]
    cohort: String,
}

/// One unit (institution or college) today and a week before.
pub struct Unit {
    pub key: String,
    pub label: String,
    pub now: Tally,
    pub week_ago: Tally,
}

/// The days the dashboard counts, oldest first: one a week back to `WEEKS`
/// weeks before `day`, with the day before `day` slotted in before `day`.
pub fn days(day: NaiveDate) -> Vec<NaiveDate> {
    let mut days: Vec<NaiveDate> = (1..=WEEKS).rev().map(|w| day - Duration::weeks(w)).collect();
    days.push(day - Duration::days(1));
    days.push(day);
    days
}

/// The ten lowest rates, and the ten largest rises over the week, from `units`.
pub fn short_lists(units: &[Unit], d: Definition) -> (Vec<&Unit>, Vec<&Unit>) {
    let mut lowest: Vec<&Unit> = units.iter().filter(|u| u.now.graduates > 0).collect();
    lowest.sort_by(|a, b| a.now.rate(d).total_cmp(&b.now.rate(d)).then(a.label.cmp(&b.label)));
    lowest.truncate(SHORT_LIST);
    let rise = |u: &Unit| u.now.rate(d) - u.week_ago.rate(d);
    let mut risers: Vec<&Unit> = units.iter().filter(|u| u.now.graduates > 0).collect();
    risers.sort_by(|a, b| rise(b).total_cmp(&rise(a)).then(a.label.cmp(&b.label)));
    risers.truncate(SHORT_LIST);
    (lowest, risers)
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage<'a> {
    l: Locale,
    cohort: i64,
    date: String,
    scope_name: String,
    definition: Definition,
    unit_heading: &'static str,
    /// Province admins drill down into an institution; staff into a college's majors.
    drill: &'static str,
    today: &'a Tally,
    yesterday: &'a Tally,
    week_ago: &'a Tally,
    lowest: Vec<&'a Unit>,
    risers: Vec<&'a Unit>,
    chart: String,
    work: Work,
    /// Seconds the figures may lag the records, when read from a replica.
    lag: Option<u64>,
    /// The province's unread notices to this institution.
    notices: Vec<registry::notices::Notice>,
    ctx: &'a Ctx,
}

/// What waits for the office: records the graduates dispute, and destinations
/// still lacking a document their category needs.
#[derive(Debug, Clone, Copy, Default)]
pub struct Work {
    pub disputed: i64,
    pub evidence_missing: i64,
}

/// The office's work list counts, refreshed at most every half minute. Each is
/// a count of its own over a partial index of the rows it counts (migration
/// 0076), not a pass over the cohort's destinations: at national scale that
/// pass took half a second per two million graduates, every half minute on
/// every server.
async fn work(state: &AppState, scope: &Scope, cohort: i64) -> Result<Work, AppError> {
    let disputed = work_count(scope, cohort, "d.confirmation = 'disputed'")?;
    let missing = work_count(scope, cohort, "d.evidence_missing <> ''")?;
    let key = format!("dashboard.work {scope:?} {cohort}");
    let counts = state
        .cache
        .get_or(&key, || async {
            let disputed = state.db.fetch_one(&disputed.sql, &disputed.params).await?.i64("n")?;
            let evidence_missing = state.db.fetch_one(&missing.sql, &missing.params).await?.i64("n")?;
            Ok::<_, kernel::DbError>(Work { disputed, evidence_missing })
        })
        .await?;
    Ok(*counts)
}

/// The cohort's destinations in the scope that meet `condition`, counted.
fn work_count(scope: &Scope, cohort: i64, condition: &str) -> Result<kernel::db::SqlBuilder, AppError> {
    let mut w = kernel::db::SqlBuilder::new(&format!(
        "SELECT COUNT(*) AS n FROM destinations d WHERE {condition} AND d.cohort_year = "
    ));
    w.bind(cohort);
    let destinations = Owners {
        institution: Some("d.institution_id"),
        college: Some("(SELECT g.college_id FROM graduates g WHERE g.id = d.graduate_id)"),
        ..Owners::NONE
    };
    scope.restrict(&mut w, destinations).map_err(|_| AppError::Forbidden)?;
    Ok(w)
}

impl DashboardPage<'_> {
    fn rate(&self, t: &Tally) -> String {
        percent(t.rate(self.definition))
    }
    fn placed(&self, t: &Tally) -> u64 {
        t.placed(self.definition)
    }
    fn change(&self, now: &Tally, before: &Tally) -> String {
        points(now.rate(self.definition), before.rate(self.definition))
    }
    fn added(&self, now: &Tally, before: &Tally) -> i64 {
        now.placed(self.definition) as i64 - before.placed(self.definition) as i64
    }
    /// "落实率最低的 10 个院校" / "The 10 institutions with the lowest rates".
    fn heading(&self, zh: &str, en: &str) -> String {
        match self.l {
            Locale::Zh => format!("{zh}{}", self.unit_heading),
            Locale::En => format!("The {SHORT_LIST} {}s {en}", self.unit_heading.to_lowercase()),
        }
    }
    fn href(&self, u: &Unit) -> String {
        match self.drill {
            "institution" => format!("/outcomes/placement?institution={}&by=college&as_of={}", u.key, self.date),
            "college" => format!("/outcomes/placement?college={}&by=major&as_of={}", u.key, self.date),
            _ => format!("/outcomes/placement?by=major&as_of={}", self.date),
        }
    }
}

async fn page(
    State(state): State<AppState>,
    State(placements): State<Arc<Placements>>,
    ctx: Ctx,
    Query(q): Query<DashboardQuery>,
) -> Result<Response, AppError> {
    let actor = ctx.require(&[Role::ProvinceAdmin, Role::UniversityStaff])?;
    let l = ctx.locale;
    let cohort = registry::cohorts::year_or_latest(&state, &q.cohort).await?;
    let today = time::today_china();
    let year_end = NaiveDate::from_ymd_opt(cohort as i32, 12, 31).unwrap_or(today);
    let last = placements.with(cohort, |p| (p.last_day_until(year_end), p.last_day())).await?.unwrap_or_default();
    let day = match NaiveDate::parse_from_str(q.date.trim(), "%Y-%m-%d") {
        Ok(day) => day,
        Err(_) => opening_day(today, year_end, last),
    };
    let definition = definition_of(&state.db, cohort, "").await?;
    let scope = actor.scope();
    let (grouping, scope_name) = match scope {
        Scope::Province => (Grouping::Institution, l.pick("全省", "Whole province").to_owned()),
        Scope::Institution { institution_id, college_id } => {
            let name = state
                .db
                .fetch_optional(
                    "SELECT i.name || COALESCE(' ' || c.name, '') AS name FROM institutions i \
                     LEFT JOIN colleges c ON c.id = $2 AND c.institution_id = i.id WHERE i.id = $1",
                    &[institution_id.into(), college_id.into()],
                )
                .await?
                .map(|r| r.text("name"))
                .transpose()?
                .unwrap_or_default();
            (if college_id.is_some() { Grouping::Major } else { Grouping::College }, name)
        }
        _ => return Err(AppError::Forbidden),
    };
    let days = days(day);
    let series = by_group_days(&placements, &scope, cohort, &days, grouping, definition, l).await?;
    let [.., week_ago, yesterday, today] = series.as_slice() else {
        return Err(AppError::NotFound);
    };
    let before: std::collections::HashMap<&str, &Tally> =
        week_ago.groups.iter().map(|g| (g.key.as_str(), &g.tally)).collect();
    let units: Vec<Unit> = today
        .groups
        .iter()
        .map(|GroupRate { key, label, tally }| Unit {
            key: key.clone(),
            label: label.clone(),
            now: tally.clone(),
            week_ago: before.get(key.as_str()).map(|t| (*t).clone()).unwrap_or_default(),
        })
        .collect();
    let (lowest, risers) = short_lists(&units, definition);
    let trend: Vec<(String, f64)> = days
        .iter()
        .zip(series.iter())
        .filter(|(d, _)| **d != day - Duration::days(1))
        .map(|(d, b)| (d.format("%m-%d").to_string(), b.total.rate(definition)))
        .collect();
    let chart = kernel::chart::line(l.pick("落实率周走势", "Placement rate by week"), &trend);
    let work = work(&state, &scope, cohort).await?;
    let notices = match scope {
        Scope::Institution { institution_id, .. } => registry::notices::unread(&state.db, institution_id).await?,
        _ => Vec::new(),
    };
    let page = DashboardPage {
        l,
        cohort,
        date: day.to_string(),
        scope_name,
        definition,
        unit_heading: grouping.heading(l),
        drill: grouping.key(),
        today: &today.total,
        yesterday: &yesterday.total,
        week_ago: &week_ago.total,
        lowest,
        risers,
        chart,
        work,
        lag: placements.staleness().map(|d| d.as_secs()),
        notices,
        ctx: &ctx,
    };
    ctx.page(l.pick("就业看板", "Placement dashboard"), &page)
}

/// The day the dashboard opens on, given the cohort's last days of changes
/// (in its statistical year, to 31 December, and at all). A cohort whose
/// records have gone quiet opens on its last day of changes, not on a flat
/// today; once its year is over, on its last day of changes in that year, so a
/// correction made years later does not move the view to a flat today.
fn opening_day(today: NaiveDate, year_end: NaiveDate, last: (Option<NaiveDate>, Option<NaiveDate>)) -> NaiveDate {
    let (in_year, at_all) = last;
    if today > year_end {
        in_year.or(at_all).unwrap_or(year_end)
    } else {
        at_all.filter(|d| *d < today).unwrap_or(today)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(label: &str, now: (u64, u64), week_ago: (u64, u64)) -> Unit {
        let tally = |(placed, all): (u64, u64)| {
            let mut t = Tally::default();
            t.add(Some("contract"), placed);
            t.add(None, all - placed);
            t
        };
        Unit { key: label.to_owned(), label: label.to_owned(), now: tally(now), week_ago: tally(week_ago) }
    }

    #[test]
    fn lowest_and_fastest_risers() {
        let units =
            vec![unit("A", (50, 100), (10, 100)), unit("B", (20, 100), (19, 100)), unit("C", (90, 100), (60, 100))];
        let (lowest, risers) = short_lists(&units, Definition::V2021);
        assert_eq!(lowest.iter().map(|u| u.label.as_str()).collect::<Vec<_>>(), ["B", "A", "C"]);
        assert_eq!(risers.iter().map(|u| u.label.as_str()).collect::<Vec<_>>(), ["A", "C", "B"]);
    }

    #[test]
    fn a_past_cohort_opens_on_its_last_day_of_changes_in_its_year() {
        let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let end = day("2022-12-31");
        let today = day("2026-12-02");
        assert_eq!(opening_day(today, end, (Some(day("2022-12-20")), Some(today))), day("2022-12-20"));
        assert_eq!(opening_day(today, end, (None, Some(today))), today, "a cohort recorded only now opens now");
        assert_eq!(opening_day(today, end, (None, None)), end);
        let in_year = day("2022-09-10");
        assert_eq!(opening_day(in_year, end, (Some(day("2022-08-31")), Some(day("2022-08-31")))), day("2022-08-31"));
        assert_eq!(opening_day(in_year, end, (Some(in_year), Some(in_year))), in_year);
    }

    #[test]
    fn the_days_run_weekly_then_yesterday_and_today() {
        let day = NaiveDate::from_ymd_opt(2022, 8, 31).unwrap();
        let days = days(day);
        assert_eq!(days.len() as i64, WEEKS + 2);
        assert_eq!(days[0], NaiveDate::from_ymd_opt(2022, 6, 8).unwrap());
        assert_eq!(days[days.len() - 3], NaiveDate::from_ymd_opt(2022, 8, 24).unwrap());
        assert_eq!(days[days.len() - 2], NaiveDate::from_ymd_opt(2022, 8, 30).unwrap());
    }
}
