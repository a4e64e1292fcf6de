//! The plan board's pure rules: a plan file's rows into measures and targets
//! (工作台账), a target's goal (a number, a range or a share), a measure's
//! state over today, its dates, its goal and the live reading, and when a
//! deadline's reminder is due; the 四到位 return's form. Deadlines count
//! working days over the working-day calendar (工作日历), so a holiday week
//! before a deadline brings "deadline near" forward.

use chrono::NaiveDate;
use kernel::calendar::Calendar;
use kernel::web::figure::Reading;
use kernel::Locale;

/// How many working days before a deadline a measure not yet done counts as
/// "deadline near" and the reminder goes out (two ordinary weeks).
pub const NEAR_WORKING_DAYS: u32 = 10;

/// Whether `ends_on` is `NEAR_WORKING_DAYS` working days away or fewer,
/// counted over `calendar`, from `today` not after it.
pub fn deadline_near(calendar: &Calendar, today: NaiveDate, ends_on: NaiveDate) -> bool {
    today <= ends_on && calendar.working_days_between(today, ends_on) <= NEAR_WORKING_DAYS
}

/// What a target asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Goal {
    /// At least this many (`low`), or within `low..=high` (a range such as 15-20 fairs).
    Count { low: i64, high: Option<i64> },
    /// At least this share in per cent (every archive through the platform: 100).
    Share { percent: i64 },
    /// No number in the plan: the figure is shown for the record.
    Watch,
}

impl Goal {
    /// From a plan file's `unit`, `low` and `high` cells.
    pub fn parse(unit: &str, low: &str, high: &str) -> Result<Goal, String> {
        let low = low.trim();
        let high = high.trim();
        if low.is_empty() {
            return match high.is_empty() {
                true => Ok(Goal::Watch),
                false => Err("high without low".into()),
            };
        }
        let low: i64 = low.parse().map_err(|_| format!("low {low:?} is not a number"))?;
        if low < 0 {
            return Err("low below zero".into());
        }
        match unit.trim() {
            "count" => {
                let high = match high {
                    "" => None,
                    h => Some(h.parse::<i64>().map_err(|_| format!("high {h:?} is not a number"))?),
                };
                if high.is_some_and(|h| h < low) {
                    return Err("high below low".into());
                }
                Ok(Goal::Count { low, high })
            }
            "percent" if low <= 100 && high.is_empty() => Ok(Goal::Share { percent: low }),
            other => Err(format!("unit {other:?} with these bounds")),
        }
    }

    /// The cells it is kept in: (unit, low, high).
    pub fn cells(self) -> (&'static str, Option<i64>, Option<i64>) {
        match self {
            Goal::Count { low, high } => ("count", Some(low), high),
            Goal::Share { percent } => ("percent", Some(percent), None),
            Goal::Watch => ("count", None, None),
        }
    }

    /// As the board shows it: "40", "15–20", "100%", "—".
    pub fn label(self) -> String {
        match self {
            Goal::Count { low, high: None } => low.to_string(),
            Goal::Count { low, high: Some(h) } if h == low => low.to_string(),
            Goal::Count { low, high: Some(h) } => format!("{low}–{h}"),
            Goal::Share { percent } => format!("{percent}%"),
            Goal::Watch => "—".into(),
        }
    }

    /// Whether the reading meets the goal (a range is met at its lower end).
    pub fn met(self, r: Reading) -> bool {
        match self {
            Goal::Count { low, .. } => r.count >= low,
            // count/of >= percent/100, in whole numbers.
            Goal::Share { percent } => match r.of {
                Some(of) if of > 0 => r.count * 100 >= percent * of,
                _ => false,
            },
            Goal::Watch => false,
        }
    }

    /// How far along the reading is, 0..=1, for the pace check.
    fn progress(self, r: Reading) -> Option<f64> {
        match self {
            Goal::Count { low, .. } if low > 0 => Some(r.count as f64 / low as f64),
            Goal::Share { percent } if percent > 0 => r.percent().map(|p| p / percent as f64).or(Some(0.0)),
            _ => None,
        }
    }
}

/// A measure's state on the board.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum State {
    /// 已完成: the goal is met (or a measure without a goal is past its end).
    Done,
    /// 正常推进
    OnTrack,
    /// 临近截止: not met, the deadline within `NEAR_WORKING_DAYS` working days.
    Near,
    /// 滞后: past the deadline unmet, or under half the pace its dates ask for.
    Behind,
    /// 暂无数据: the figure is not offered (yet) by any area.
    NoFigure,
}

impl State {
    pub fn key(self) -> &'static str {
        match self {
            State::Done => "done",
            State::OnTrack => "on_track",
            State::Near => "near",
            State::Behind => "behind",
            State::NoFigure => "no_figure",
        }
    }

    pub fn label(self, l: Locale) -> &'static str {
        match self {
            State::Done => l.pick("已完成", "Done"),
            State::OnTrack => l.pick("正常推进", "On track"),
            State::Near => l.pick("临近截止", "Deadline near"),
            State::Behind => l.pick("滞后", "Behind"),
            State::NoFigure => l.pick("暂无数据", "No figure"),
        }
    }

    /// The worse of two, for a measure with several targets.
    pub fn worse(self, other: State) -> State {
        fn rank(s: State) -> u8 {
            match s {
                State::Behind => 4,
                State::Near => 3,
                State::NoFigure => 2,
                State::OnTrack => 1,
                State::Done => 0,
            }
        }
        if rank(other) > rank(self) {
            other
        } else {
            self
        }
    }
}

/// The state of one target on `today`: `reading` is `None` when no area offers the figure.
pub fn state(
    calendar: &Calendar,
    today: NaiveDate,
    starts_on: NaiveDate,
    ends_on: NaiveDate,
    goal: Goal,
    reading: Option<Reading>,
) -> State {
    let Some(r) = reading else { return State::NoFigure };
    if goal.met(r) {
        return State::Done;
    }
    if today > ends_on {
        return match goal {
            Goal::Watch => State::Done,
            _ => State::Behind,
        };
    }
    if goal == Goal::Watch {
        return State::OnTrack;
    }
    if deadline_near(calendar, today, ends_on) {
        return State::Near;
    }
    // Pace: by now the reading should be at least half of the share of the
    // goal the elapsed days are of the whole period.
    let total = (ends_on - starts_on).num_days().max(1) as f64;
    let elapsed = (today - starts_on).num_days().clamp(0, total as i64) as f64;
    match goal.progress(r) {
        Some(p) if p < 0.5 * elapsed / total => State::Behind,
        _ => State::OnTrack,
    }
}

/// A measure's state on `today` from its targets' goals and readings: the
/// worst of theirs; a measure without a target is watched (on track until its
/// end, then done).
pub fn measure_state(
    calendar: &Calendar,
    today: NaiveDate,
    starts_on: NaiveDate,
    ends_on: NaiveDate,
    targets: &[(Goal, Option<Reading>)],
) -> State {
    match targets.is_empty() {
        true => state(calendar, today, starts_on, ends_on, Goal::Watch, Some(Reading::count(0))),
        false => targets
            .iter()
            .map(|(g, r)| state(calendar, today, starts_on, ends_on, *g, *r))
            .fold(State::Done, State::worse),
    }
}

/// Whether the reminder for a deadline is due on `today`: the measure is not
/// done (its targets met) and the deadline is near, the deadline itself
/// included (sent once per measure and deadline; a moved deadline is a new one).
pub fn reminder_due(calendar: &Calendar, today: NaiveDate, ends_on: NaiveDate, standing: State) -> bool {
    standing != State::Done && deadline_near(calendar, today, ends_on)
}

/// One row of a plan file (data/plans/<province>-<cohort>.csv).
#[derive(Debug, Clone, PartialEq)]
pub struct PlanRow {
    pub no: i64,
    pub title: String,
    pub title_en: String,
    pub owner: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    /// The target, if the row has one: (zh, en, figure key, goal).
    pub target: Option<(String, String, String, Goal)>,
}

/// The plan file's rows; a measure with several targets repeats its columns.
/// The file is ours and has no quoted cells (Chinese commas only).
pub fn parse_plan(text: &str) -> Result<Vec<PlanRow>, String> {
    let mut rows = Vec::new();
    for (i, line) in text.lines().enumerate().skip(1) {
        if line.trim().is_empty() {
            continue;
        }
        let cells: Vec<&str> = line.split(',').map(str::trim).collect();
        let at = |e: String| format!("line {}: {e}", i + 1);
        if cells.len() != 12 {
            return Err(at(format!("{} cells, 12 expected", cells.len())));
        }
        let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| at(format!("date {s:?}")));
        let (starts_on, ends_on) = (day(cells[4])?, day(cells[5])?);
        if ends_on < starts_on {
            return Err(at("ends before it starts".into()));
        }
        let target = match cells[8] {
            "" => None,
            key => Some((
                cells[6].to_owned(),
                cells[7].to_owned(),
                key.to_owned(),
                Goal::parse(cells[9], cells[10], cells[11]).map_err(at)?,
            )),
        };
        rows.push(PlanRow {
            no: cells[0].parse().map_err(|_| at(format!("measure number {:?}", cells[0])))?,
            title: cells[1].to_owned(),
            title_en: cells[2].to_owned(),
            owner: cells[3].to_owned(),
            starts_on,
            ends_on,
            target,
        });
    }
    Ok(rows)
}

/// The 四到位 return as typed: what the platform does not hold.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReturnForm {
    /// 人员到位: full-time employment staff.
    pub staff_fulltime: String,
    /// 经费到位: funds in 万元.
    pub funds_wan: String,
    /// 场地到位: venue in square metres.
    pub venue_sqm: String,
    /// 机构到位: the office and who leads it.
    pub organisation: String,
    pub leader_name: String,
    pub leader_title: String,
}

/// The typed figures of a return, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckedReturn {
    pub staff_fulltime: i64,
    pub funds_wan: i64,
    pub venue_sqm: i64,
    pub organisation: String,
    pub leader_name: String,
    pub leader_title: String,
}

/// Checks a return to be signed: every messages in the reader's language.
pub fn check_return(f: &ReturnForm, l: Locale) -> Result<CheckedReturn, Vec<String>> {
    let mut errors = Vec::new();
    let mut number = |s: &str, zh: &str, en: &str| -> i64 {
        match s.trim().parse::<i64>() {
            Ok(n) if (0..=10_000_000).contains(&n) => n,
            _ => {
                errors.push(match l {
                    Locale::Zh => format!("{zh}应为不小于 0 的整数。"),
                    _ => format!("{en} must be a whole number, 0 or more."),
                });
                0
            }
        }
    };
    let staff_fulltime = number(&f.staff_fulltime, "专职工作人员数", "Full-time staff");
    let funds_wan = number(&f.funds_wan, "就业工作经费（万元）", "Funds (10,000 yuan)");
    let venue_sqm = number(&f.venue_sqm, "场地面积（平方米）", "Venue (m²)");
    let text = |s: &str| s.trim().chars().take(200).collect::<String>();
    let (organisation, leader_name, leader_title) =
        (text(&f.organisation), text(&f.leader_name), text(&f.leader_title));
    if organisation.is_empty() {
        errors.push(l.pick("请填写机构设置。", "Describe the organisation.").into());
    }
    if leader_name.is_empty() || leader_title.is_empty() {
        errors
            .push(l.pick("请填写签字校领导的姓名和职务。", "Give the signing school leader's name and title.").into());
    }
    match errors.is_empty() {
        true => Ok(CheckedReturn { staff_fulltime, funds_wan, venue_sqm, organisation, leader_name, leader_title }),
        false => Err(errors),
    }
}

/// Where a return stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReturnStatus {
    /// 草稿: the figures from the records, not signed yet.
    Draft,
    /// 已签发: signed by a school leader, waiting for the province.
    Signed,
    /// 已通过
    Accepted,
    /// 已退回: returned with a reason; signed again after changes.
    Returned,
}

impl ReturnStatus {
    pub fn key(self) -> &'static str {
        match self {
            ReturnStatus::Draft => "draft",
            ReturnStatus::Signed => "signed",
            ReturnStatus::Accepted => "accepted",
            ReturnStatus::Returned => "returned",
        }
    }

    pub fn parse(s: &str) -> Option<ReturnStatus> {
        [ReturnStatus::Draft, ReturnStatus::Signed, ReturnStatus::Accepted, ReturnStatus::Returned]
            .into_iter()
            .find(|x| x.key() == s)
    }

    pub fn label(self, l: Locale) -> &'static str {
        match self {
            ReturnStatus::Draft => l.pick("未签发", "Not signed"),
            ReturnStatus::Signed => l.pick("已签发待审核", "Signed, awaiting review"),
            ReturnStatus::Accepted => l.pick("已通过", "Accepted"),
            ReturnStatus::Returned => l.pick("已退回", "Returned"),
        }
    }

    /// The university may sign (again) a draft or a returned return.
    pub fn may_sign(self) -> bool {
        matches!(self, ReturnStatus::Draft | ReturnStatus::Returned)
    }

    /// The province reviews a signed return only.
    pub fn may_review(self) -> bool {
        self == ReturnStatus::Signed
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    const FORTY: Goal = Goal::Count { low: 40, high: None };

    /// Weekends only: the tests of the holiday weeks use the 2022 notice.
    fn cal() -> Calendar {
        Calendar::default()
    }

    #[test]
    fn the_states_over_a_year() {
        let (start, end) = (d("2021-11-01"), d("2022-06-30"));
        assert_eq!(state(&cal(), d("2022-01-01"), start, end, FORTY, Some(Reading::count(40))), State::Done);
        assert_eq!(state(&cal(), d("2022-01-01"), start, end, FORTY, Some(Reading::count(10))), State::OnTrack);
        // Eight of 40 by mid-May is under half the pace (40 × 0.83 / 2 = 16.6).
        assert_eq!(state(&cal(), d("2022-05-15"), start, end, FORTY, Some(Reading::count(8))), State::Behind);
        assert_eq!(state(&cal(), d("2022-06-20"), start, end, FORTY, Some(Reading::count(39))), State::Near);
        assert_eq!(state(&cal(), d("2022-07-01"), start, end, FORTY, Some(Reading::count(39))), State::Behind);
        assert_eq!(state(&cal(), d("2022-01-01"), start, end, FORTY, None), State::NoFigure);
        assert_eq!(state(&cal(), d("2021-10-01"), start, end, FORTY, Some(Reading::count(0))), State::OnTrack);
    }

    #[test]
    fn a_range_is_met_at_its_lower_end_and_a_share_by_whole_numbers() {
        let range = Goal::Count { low: 15, high: Some(20) };
        assert!(range.met(Reading::count(15)));
        assert!(!range.met(Reading::count(14)));
        assert_eq!(range.label(), "15–20");
        let all = Goal::Share { percent: 100 };
        assert!(all.met(Reading::share(300, 300)));
        assert!(!all.met(Reading::share(299, 300)));
        assert!(!all.met(Reading::share(0, 0)));
        assert_eq!(all.label(), "100%");
    }

    #[test]
    fn a_measure_without_a_number_is_watched_then_done() {
        let (start, end) = (d("2021-11-01"), d("2022-06-30"));
        assert_eq!(state(&cal(), d("2022-06-29"), start, end, Goal::Watch, Some(Reading::count(3))), State::OnTrack);
        assert_eq!(state(&cal(), d("2022-07-01"), start, end, Goal::Watch, Some(Reading::count(3))), State::Done);
    }

    #[test]
    fn goals_parse_from_the_file_cells() {
        assert_eq!(Goal::parse("count", "40", ""), Ok(FORTY));
        assert_eq!(Goal::parse("count", "15", "20"), Ok(Goal::Count { low: 15, high: Some(20) }));
        assert_eq!(Goal::parse("percent", "100", ""), Ok(Goal::Share { percent: 100 }));
        assert_eq!(Goal::parse("count", "", ""), Ok(Goal::Watch));
        assert!(Goal::parse("count", "20", "15").is_err());
        assert!(Goal::parse("percent", "101", "").is_err());
        assert!(Goal::parse("count", "x", "").is_err());
    }

    #[test]
    fn the_hunan_plan_has_26_measures_and_its_targets() {
        let rows = parse_plan(include_str!("../../../../data/plans/hunan-2022.csv")).expect("the plan parses");
        let mut numbers: Vec<i64> = rows.iter().map(|r| r.no).collect();
        numbers.dedup();
        assert_eq!(numbers, (1..=26).collect::<Vec<_>>());
        let goal = |key: &str| rows.iter().find_map(|r| r.target.as_ref().filter(|t| t.2 == key).map(|t| t.3));
        assert_eq!(goal("recruitment.fairs.permanent"), Some(FORTY));
        assert_eq!(goal("recruitment.fairs.key_group"), Some(Goal::Count { low: 15, high: Some(20) }));
        assert_eq!(goal("assistance.trainings"), Some(Goal::Count { low: 6, high: None }));
        assert_eq!(goal("programmes.roadshow"), Some(Goal::Count { low: 10, high: Some(20) }));
        assert_eq!(goal("archives.transferred"), Some(Goal::Share { percent: 100 }));
    }

    #[test]
    fn a_bad_plan_line_is_named() {
        let e = parse_plan("header\n1,a,b,c,2022-01-01,2021-01-01,,,,,,\n").unwrap_err();
        assert!(e.starts_with("line 2"), "{e}");
    }

    #[test]
    fn a_return_needs_numbers_and_a_named_leader() {
        let f = ReturnForm {
            staff_fulltime: "6".into(),
            funds_wan: "120".into(),
            venue_sqm: "800".into(),
            organisation: "招生就业处".into(),
            leader_name: "李明".into(),
            leader_title: "副校长".into(),
        };
        assert!(check_return(&f, Locale::Zh).is_ok());
        let bad = ReturnForm { funds_wan: "-1".into(), leader_name: " ".into(), ..f };
        assert_eq!(check_return(&bad, Locale::En).unwrap_err().len(), 2);
    }

    #[test]
    fn reminders_fall_in_the_ten_working_days_before() {
        let near = State::Near;
        // Thursday 30 June: ten working days back is Thursday 16 June.
        assert!(reminder_due(&cal(), d("2022-06-16"), d("2022-06-30"), near));
        assert!(reminder_due(&cal(), d("2022-06-30"), d("2022-06-30"), near));
        assert!(!reminder_due(&cal(), d("2022-06-15"), d("2022-06-30"), near));
        assert!(!reminder_due(&cal(), d("2022-07-01"), d("2022-06-30"), near));
    }

    #[test]
    fn a_measure_done_gets_no_reminder() {
        assert!(!reminder_due(&cal(), d("2022-06-20"), d("2022-06-30"), State::Done));
        for s in [State::Near, State::Behind, State::OnTrack, State::NoFigure] {
            assert!(reminder_due(&cal(), d("2022-06-20"), d("2022-06-30"), s), "{s:?}");
        }
        // Its targets met: done, whatever the day.
        let done = measure_state(
            &cal(),
            d("2022-06-20"),
            d("2021-11-01"),
            d("2022-06-30"),
            &[(FORTY, Some(Reading::count(41))), (Goal::Count { low: 6, high: None }, Some(Reading::count(6)))],
        );
        assert_eq!(done, State::Done);
        let one_short = measure_state(
            &cal(),
            d("2022-06-20"),
            d("2021-11-01"),
            d("2022-06-30"),
            &[(FORTY, Some(Reading::count(41))), (Goal::Count { low: 6, high: None }, Some(Reading::count(5)))],
        );
        assert_eq!(one_short, State::Near);
    }

    #[test]
    fn a_holiday_week_brings_the_deadline_near_sooner() {
        let china = kernel::calendar::fixtures::china_2022();
        let (start, end) = (d("2022-03-01"), d("2022-10-12"));
        let short = Some(Reading::count(39));
        // Monday 26 September, a deadline on Wednesday 12 October: 16 days, but
        // over the National Day week only 9 working days (27–30 Sep, the
        // swapped Saturday 8 and Sunday 9 Oct, 10–12 Oct).
        assert_eq!(china.working_days_between(d("2022-09-26"), end), 9);
        assert!(deadline_near(&china, d("2022-09-26"), end));
        assert_eq!(state(&china, d("2022-09-26"), start, end, FORTY, short), State::Near);
        assert!(reminder_due(&china, d("2022-09-26"), end, State::Near));
        // Without the holidays the same day is twelve working days away.
        assert!(!deadline_near(&cal(), d("2022-09-26"), end));
        assert_eq!(state(&cal(), d("2022-09-26"), start, end, FORTY, short), State::OnTrack);
        // A week earlier it is not near even with the holiday.
        assert!(!deadline_near(&china, d("2022-09-19"), end));
    }

    fn goal() -> impl Strategy<Value = Goal> {
        prop_oneof![
            (0i64..100, proptest::option::of(0i64..50))
                .prop_map(|(low, extra)| Goal::Count { low, high: extra.map(|e| low + e) }),
            (0i64..=100).prop_map(|percent| Goal::Share { percent }),
            Just(Goal::Watch),
        ]
    }

    proptest! {
        #[test]
        fn a_met_goal_is_done_whatever_the_day(
            g in goal(), today in 0i64..600, span in 0i64..400, count in 0i64..200, of in 0i64..200,
        ) {
            let start = d("2021-11-01");
            let r = Reading { count, of: matches!(g, Goal::Share { .. }).then_some(of.max(count)) };
            let s = state(&cal(), start + chrono::Duration::days(today), start, start + chrono::Duration::days(span), g, Some(r));
            if g.met(r) {
                prop_assert_eq!(s, State::Done);
            } else if g != Goal::Watch {
                prop_assert_ne!(s, State::Done);
            }
        }

        #[test]
        fn more_never_makes_it_worse(
            low in 1i64..100, today in 0i64..400, span in 1i64..400, count in 0i64..100, more in 0i64..100,
        ) {
            let start = d("2021-11-01");
            let (day, end) = (start + chrono::Duration::days(today), start + chrono::Duration::days(span));
            let g = Goal::Count { low, high: None };
            let before = state(&cal(), day, start, end, g, Some(Reading::count(count)));
            let after = state(&cal(), day, start, end, g, Some(Reading::count(count + more)));
            prop_assert_eq!(after.worse(before), before);
        }

        #[test]
        fn past_the_deadline_unmet_is_behind(low in 1i64..100, count in 0i64..100, late in 1i64..100) {
            prop_assume!(count < low);
            let (start, end) = (d("2021-11-01"), d("2022-06-30"));
            let s = state(&cal(), end + chrono::Duration::days(late), start, end, Goal::Count { low, high: None }, Some(Reading::count(count)));
            prop_assert_eq!(s, State::Behind);
        }
    }
}
