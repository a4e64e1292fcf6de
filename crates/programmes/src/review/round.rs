//! A call's review round, the pure part: its settings and state, which
//! applications reach review, checking an expert's marks, the ranking table
//! (weighted totals, finals by the chosen method, spread flags, competition
//! rank) and the decision with the province's picks at a tie. No I/O.

use std::collections::{HashMap, HashSet};

use kernel::Locale;

use super::scores::{self, Candidate, Dimension, Mark, Method, SpreadRule, Verdict};

/// Totals are reckoned on this many points.
pub const FULL: f64 = 100.0;

pub const NOT_STARTED: &str = "not_started";
pub const ASSIGNING: &str = "assigning";
pub const SCORING: &str = "scoring";
pub const CLOSED: &str = "closed";

pub const ASSIGNED: &str = "assigned";
pub const RECUSED: &str = "recused";
pub const SUBMITTED: &str = "submitted";

/// A round's state in the reader's language.
pub fn state_name(state: &str, l: Locale) -> &'static str {
    match state {
        ASSIGNING => l.pick("分配中", "Assigning"),
        SCORING => l.pick("评分中", "Scoring"),
        CLOSED => l.pick("已决定", "Decided"),
        _ => l.pick("未开始", "Not started"),
    }
}

/// An assignment's state in the reader's language.
pub fn assignment_state(state: &str, l: Locale) -> &'static str {
    match state {
        RECUSED => l.pick("已回避", "Recused"),
        SUBMITTED => l.pick("已提交", "Submitted"),
        _ => l.pick("待评", "To score"),
    }
}

pub fn method_code(m: Method) -> &'static str {
    match m {
        Method::TrimmedMean => "trimmed",
        Method::ZScore => "zscore",
    }
}

pub fn parse_method(s: &str) -> Option<Method> {
    match s {
        "trimmed" => Some(Method::TrimmedMean),
        "zscore" => Some(Method::ZScore),
        _ => None,
    }
}

pub fn method_name(m: Method, l: Locale) -> &'static str {
    match m {
        Method::TrimmedMean => l.pick("去掉最高最低分取平均", "Trimmed mean"),
        Method::ZScore => l.pick("按专家标准分（z 分数）", "Per-expert z-scores"),
    }
}

/// A round's settings as checked.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    pub k: i64,
    pub load_limit: i64,
    pub mismatch: i64,
    /// The call's review field code, empty for none.
    pub field: String,
    pub blind: bool,
    pub method: Method,
    /// Range of totals (on 100) above which re-review is suggested; 0 none.
    pub spread: i64,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            k: 5,
            load_limit: 25,
            mismatch: 20,
            field: String::new(),
            blind: false,
            method: Method::TrimmedMean,
            spread: 20,
        }
    }
}

impl Settings {
    pub fn spread_rule(&self) -> SpreadRule {
        SpreadRule { range: (self.spread > 0).then_some(self.spread as f64), std_dev: None }
    }
}

/// The settings form as typed.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct SettingsForm {
    #[serde(default)]
    pub k: String,
    #[serde(default)]
    pub load_limit: String,
    #[serde(default)]
    pub mismatch: String,
    #[serde(default)]
    pub field: String,
    #[serde(default)]
    pub blind: String,
    #[serde(default)]
    pub method: String,
    #[serde(default)]
    pub spread: String,
}

impl SettingsForm {
    pub fn of(s: &Settings) -> SettingsForm {
        SettingsForm {
            k: s.k.to_string(),
            load_limit: s.load_limit.to_string(),
            mismatch: s.mismatch.to_string(),
            field: s.field.clone(),
            blind: if s.blind { "1".into() } else { String::new() },
            method: method_code(s.method).into(),
            spread: s.spread.to_string(),
        }
    }
}

fn number(s: &str, lo: i64, hi: i64) -> Option<i64> {
    s.trim().parse::<i64>().ok().filter(|n| (lo..=hi).contains(n))
}

/// Checks the settings form: the settings, or every message.
pub fn check_settings(f: &SettingsForm, fields: &[String], l: Locale) -> Result<Settings, Vec<String>> {
    let mut errors = Vec::new();
    let k = number(&f.k, 1, 15);
    if k.is_none() {
        errors.push(
            l.pick("每份申报的专家数应为 1 到 15 的整数。", "Experts per application: a whole number from 1 to 15.")
                .into(),
        );
    }
    let limit = number(&f.load_limit, 1, 500);
    if limit.is_none() {
        errors
            .push(l.pick("每位专家评审上限应为 1 到 500 的整数。", "Load limit: a whole number from 1 to 500.").into());
    }
    let mismatch = number(&f.mismatch, 0, 1000);
    if mismatch.is_none() {
        errors.push(
            l.pick("领域不符权重应为 0 到 1000 的整数。", "Field-mismatch weight: a whole number from 0 to 1000.")
                .into(),
        );
    }
    let field = f.field.trim().to_owned();
    if !field.is_empty() && !fields.contains(&field) {
        errors.push(l.pick("请选择评审领域。", "Choose a review field.").into());
    }
    let method = parse_method(f.method.trim());
    if method.is_none() {
        errors.push(l.pick("请选择成绩计算方法。", "Choose how marks are combined.").into());
    }
    let spread = if f.spread.trim().is_empty() { Some(0) } else { number(&f.spread, 0, 100) };
    if spread.is_none() {
        errors.push(
            l.pick(
                "分差阈值应为 0 到 100 的整数（0 为不提示）。",
                "Spread threshold: a whole number from 0 to 100 (0: none).",
            )
            .into(),
        );
    }
    match (k, limit, mismatch, method, spread) {
        (Some(k), Some(load_limit), Some(mismatch), Some(method), Some(spread)) if errors.is_empty() => {
            Ok(Settings { k, load_limit, mismatch, field, blind: !f.blind.trim().is_empty(), method, spread })
        }
        _ => Err(errors),
    }
}

/// The application status that reaches the province's review: recommended
/// when the flow has a school round (校赛 or 学校推荐), submitted otherwise.
pub fn review_status(rounds: &str) -> &'static str {
    if rounds.split(',').map(str::trim).any(|r| r == "school" || r == "recommend") {
        crate::calls::rules::RECOMMENDED
    } else {
        crate::calls::rules::SUBMITTED
    }
}

/// A rubric dimension as marking sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct Dim {
    pub id: i64,
    pub points: i64,
    pub weight: i64,
    /// Empty: every track.
    pub track: String,
}

/// The dimensions that score an application of `track`.
pub fn dims_for<'a>(rubric: &'a [Dim], track: &str) -> Vec<&'a Dim> {
    rubric.iter().filter(|d| d.track.is_empty() || d.track == track).collect()
}

/// Checks typed marks (dimension id → text). A draft may leave some blank;
/// a submission needs every dimension. Returns the marks to keep.
pub fn check_marks(
    dims: &[&Dim],
    typed: &HashMap<i64, String>,
    complete: bool,
    l: Locale,
) -> Result<Vec<(i64, i64)>, Vec<String>> {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for (n, d) in dims.iter().enumerate() {
        let text = typed.get(&d.id).map(|s| s.trim()).unwrap_or("");
        if text.is_empty() {
            if complete {
                errors.push(match l {
                    Locale::Zh => format!("第 {} 项未打分。", n + 1),
                    Locale::En => format!("Dimension {} has no score.", n + 1),
                });
            }
            continue;
        }
        match text.parse::<i64>().ok().filter(|s| (0..=d.points).contains(s)) {
            Some(s) => out.push((d.id, s)),
            None => errors.push(match l {
                Locale::Zh => format!("第 {} 项的分数应为 0 到 {} 的整数。", n + 1, d.points),
                Locale::En => format!("Dimension {}: a whole number from 0 to {}.", n + 1, d.points),
            }),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// An expert's weighted total (on [`FULL`]) from its marks, None when any
/// dimension is unmarked or out of range.
pub fn total(dims: &[&Dim], marks: &HashMap<i64, i64>) -> Option<f64> {
    let rubric: Vec<Dimension> =
        dims.iter().map(|d| Dimension { points: d.points as f64, weight: d.weight as f64 }).collect();
    let scores: Vec<f64> = dims.iter().map(|d| marks.get(&d.id).map(|&s| s as f64)).collect::<Option<_>>()?;
    scores::weighted_total(&rubric, &scores, FULL).ok()
}

/// A ranked application.
#[derive(Debug, Clone, PartialEq)]
pub struct Ranked {
    pub application: i64,
    pub totals: Vec<f64>,
    pub score: f64,
    pub rank: usize,
    pub spread: bool,
}

/// The ranking from submitted totals: finals by the method, competition rank,
/// spread flags. Applications with no submitted total are left out.
pub fn ranking(marks: &[Mark], method: Method, rule: &SpreadRule) -> Vec<Ranked> {
    let finals = scores::finals(marks, method, FULL);
    let ranked = scores::rank(&finals);
    let mut totals: HashMap<i64, Vec<f64>> = HashMap::new();
    for m in marks {
        totals.entry(m.application).or_default().push(m.total);
    }
    ranked
        .into_iter()
        .map(|(application, score, rank)| {
            let t = totals.remove(&application).unwrap_or_default();
            Ranked { spread: scores::needs_rereview(&t, rule), application, totals: t, score, rank }
        })
        .collect()
}

/// Why a decision cannot be written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecideError {
    /// More tied candidates ticked than slots left (ticked, left).
    TooManyPicked(usize, usize),
}

impl DecideError {
    pub fn message(&self, l: Locale) -> String {
        match (self, l) {
            (DecideError::TooManyPicked(p, n), Locale::Zh) => {
                format!("并列者中勾选了 {p} 项，但只剩 {n} 个名额。")
            }
            (DecideError::TooManyPicked(p, n), Locale::En) => {
                format!("{p} tied applications ticked, but only {n} slots are left.")
            }
        }
    }
}

/// The decision: `scores::decide`'s verdicts with the ticked tied candidates
/// taken (no more than the slots left); every other tied one is not taken.
/// Returns (application, approved).
pub fn decide(
    candidates: &[Candidate],
    slots: usize,
    caps: &HashMap<i64, usize>,
    default_cap: Option<usize>,
    picked: &HashSet<i64>,
) -> Result<Vec<(i64, bool)>, DecideError> {
    let verdicts = scores::decide(candidates, slots, caps, default_cap);
    let selected = verdicts.iter().filter(|(_, v)| *v == Verdict::Selected).count();
    let left = slots.saturating_sub(selected);
    let ticked = verdicts.iter().filter(|(id, v)| *v == Verdict::TieAtCut && picked.contains(id)).count();
    if ticked > left {
        return Err(DecideError::TooManyPicked(ticked, left));
    }
    Ok(verdicts
        .into_iter()
        .map(|(id, v)| (id, v == Verdict::Selected || (v == Verdict::TieAtCut && picked.contains(&id))))
        .collect())
}

/// Why an expert may not replace another on an application: conflicted,
/// already on it, or at the load limit. None: the replacement may go ahead.
pub fn replacement_problem(
    conflicts: &[super::conflicts::Conflict],
    on_it: bool,
    load: i64,
    limit: i64,
    l: Locale,
) -> Option<String> {
    if let Some(c) = conflicts.first() {
        return Some(match l {
            Locale::Zh => format!("该专家须回避这份申报：{}。", c.label(l)),
            Locale::En => format!("This expert must not review the application: {}.", c.label(l)),
        });
    }
    if on_it {
        return Some(l.pick("该专家已在评审这份申报。", "This expert reviews the application already.").into());
    }
    if load >= limit {
        return Some(match l {
            Locale::Zh => format!("该专家已分配 {load} 份，达到上限 {limit}。"),
            Locale::En => format!("This expert has {load} applications, the limit being {limit}."),
        });
    }
    None
}

/// A verdict in the reader's language.
pub fn verdict_name(v: Verdict, l: Locale) -> &'static str {
    match v {
        Verdict::Selected => l.pick("入选", "Selected"),
        Verdict::NotSelected => l.pick("未入选", "Not selected"),
        Verdict::OverInstitutionCap => l.pick("超出本校名额", "Over the institution's cap"),
        Verdict::TieAtCut => l.pick("名额线并列，请勾选", "Tied at the cut: tick whom to take"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(k: &str, limit: &str, method: &str) -> SettingsForm {
        SettingsForm {
            k: k.into(),
            load_limit: limit.into(),
            mismatch: "20".into(),
            field: String::new(),
            blind: "1".into(),
            method: method.into(),
            spread: "".into(),
        }
    }

    #[test]
    fn settings_are_checked() {
        let s = check_settings(&form("3", "10", "zscore"), &[], Locale::Zh).unwrap();
        assert_eq!((s.k, s.load_limit, s.blind, s.method, s.spread), (3, 10, true, Method::ZScore, 0));
        assert_eq!(s.spread_rule().range, None);
        let e = check_settings(&form("0", "x", "median"), &[], Locale::En).unwrap_err();
        assert_eq!(e.len(), 3);
        assert_eq!(SettingsForm::of(&s).k, "3");
    }

    #[test]
    fn which_applications_reach_review() {
        assert_eq!(review_status("school,province"), "recommended");
        assert_eq!(review_status("recommend,province"), "recommended");
        assert_eq!(review_status("province"), "submitted");
    }

    fn dims() -> Vec<Dim> {
        vec![
            Dim { id: 1, points: 10, weight: 40, track: String::new() },
            Dim { id: 2, points: 20, weight: 60, track: "A".into() },
            Dim { id: 3, points: 5, weight: 60, track: "B".into() },
        ]
    }

    #[test]
    fn marks_are_checked_against_the_track() {
        let rubric = dims();
        let d = dims_for(&rubric, "A");
        assert_eq!(d.len(), 2);
        let mut typed = HashMap::new();
        typed.insert(1, "8".to_owned());
        assert_eq!(check_marks(&d, &typed, false, Locale::Zh), Ok(vec![(1, 8)]));
        assert_eq!(check_marks(&d, &typed, true, Locale::Zh).unwrap_err().len(), 1);
        typed.insert(2, "21".to_owned());
        assert!(check_marks(&d, &typed, false, Locale::En).unwrap_err()[0].contains("0 to 20"));
        typed.insert(2, "15".to_owned());
        let kept: HashMap<i64, i64> = check_marks(&d, &typed, true, Locale::Zh).unwrap().into_iter().collect();
        // 40 × 8/10 + 60 × 15/20 = 32 + 45.
        assert!((total(&d, &kept).unwrap() - 77.0).abs() < 1e-9);
        assert!(!kept.contains_key(&3), "no B dimension");
        assert_eq!(total(&dims_for(&rubric, "B"), &kept), None);
    }

    #[test]
    fn ranking_flags_spread() {
        let m = |e, a, t| Mark { expert: e, application: a, total: t };
        let marks =
            vec![m(1, 10, 90.0), m(2, 10, 60.0), m(1, 11, 80.0), m(2, 11, 82.0), m(1, 12, 80.0), m(2, 12, 82.0)];
        let r = ranking(&marks, Method::TrimmedMean, &SpreadRule { range: Some(20.0), std_dev: None });
        assert_eq!(
            r.iter().map(|x| (x.application, x.rank, x.spread)).collect::<Vec<_>>(),
            vec![(11, 1, false), (12, 1, false), (10, 3, true)]
        );
    }

    #[test]
    fn replacements_are_checked() {
        use super::super::conflicts::Conflict;
        assert!(replacement_problem(&[Conflict::SameInstitution], false, 0, 5, Locale::Zh).unwrap().contains("同单位"));
        assert!(replacement_problem(&[], true, 0, 5, Locale::Zh).is_some());
        assert!(replacement_problem(&[], false, 5, 5, Locale::En).unwrap().contains("limit"));
        assert_eq!(replacement_problem(&[], false, 4, 5, Locale::Zh), None);
    }

    #[test]
    fn ties_at_the_cut_are_picked() {
        let c = |id, inst, score| Candidate { id, institution_id: inst, score };
        let cands = vec![c(1, 1, 95.0), c(2, 2, 90.0), c(3, 3, 90.0), c(4, 4, 80.0)];
        let none = HashSet::new();
        let d: HashMap<i64, bool> = decide(&cands, 2, &HashMap::new(), None, &none).unwrap().into_iter().collect();
        assert_eq!((d[&1], d[&2], d[&3], d[&4]), (true, false, false, false));
        let pick: HashSet<i64> = [3].into();
        let d: HashMap<i64, bool> = decide(&cands, 2, &HashMap::new(), None, &pick).unwrap().into_iter().collect();
        assert_eq!((d[&1], d[&2], d[&3], d[&4]), (true, false, true, false));
        let both: HashSet<i64> = [2, 3].into();
        assert_eq!(decide(&cands, 2, &HashMap::new(), None, &both), Err(DecideError::TooManyPicked(2, 1)));
        // Caps hold: institution 1 capped at 0 leaves it out.
        let caps: HashMap<i64, usize> = [(1, 0)].into();
        let d: HashMap<i64, bool> = decide(&cands, 2, &caps, None, &none).unwrap().into_iter().collect();
        assert_eq!((d[&1], d[&2], d[&3]), (false, true, true));
    }
}
