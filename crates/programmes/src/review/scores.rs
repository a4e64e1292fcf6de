//! Scores: weighted rubric totals, normalisation (trimmed mean, per-expert
//! z-scores rescaled to the rubric's points), the spread flag for re-review,
//! ranking with ties and the decision within quotas. Pure.

use std::collections::HashMap;

/// A rubric dimension as scoring sees it: the most points an expert may give
/// and its weight.
#[derive(Debug, Clone, PartialEq)]
pub struct Dimension {
    pub points: f64,
    pub weight: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScoreError {
    /// The scores given do not match the rubric's dimensions.
    WrongCount,
    /// A score below 0 or above its dimension's points (dimension index).
    OutOfRange(usize),
    /// The rubric has no weight at all.
    NoWeight,
}

/// The weighted total on `full` points: Σ wᵢ·sᵢ/pᵢ ÷ Σ wᵢ × full.
pub fn weighted_total(rubric: &[Dimension], scores: &[f64], full: f64) -> Result<f64, ScoreError> {
    if rubric.len() != scores.len() {
        return Err(ScoreError::WrongCount);
    }
    let weights: f64 = rubric.iter().map(|d| d.weight).sum();
    if weights <= 0.0 {
        return Err(ScoreError::NoWeight);
    }
    let mut sum = 0.0;
    for (i, (d, &s)) in rubric.iter().zip(scores).enumerate() {
        if !s.is_finite() || s < 0.0 || s > d.points || d.points <= 0.0 {
            return Err(ScoreError::OutOfRange(i));
        }
        sum += d.weight * s / d.points;
    }
    Ok(sum / weights * full)
}

pub fn mean(xs: &[f64]) -> Option<f64> {
    (!xs.is_empty()).then(|| xs.iter().sum::<f64>() / xs.len() as f64)
}

/// The population standard deviation.
pub fn std_dev(xs: &[f64]) -> Option<f64> {
    let m = mean(xs)?;
    Some((xs.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / xs.len() as f64).sqrt())
}

/// The mean after dropping one highest and one lowest score when there are
/// at least three; the plain mean otherwise.
pub fn trimmed_mean(xs: &[f64]) -> Option<f64> {
    if xs.len() < 3 {
        return mean(xs);
    }
    let mut v = xs.to_vec();
    v.sort_by(f64::total_cmp);
    mean(&v[1..v.len() - 1])
}

/// One expert's total for one application.
#[derive(Debug, Clone, PartialEq)]
pub struct Mark {
    pub expert: i64,
    pub application: i64,
    pub total: f64,
}

/// Per-expert z-scores rescaled to the rubric's points: each mark becomes
/// `M + z·S`, z taken over the expert's own marks and M, S the mean and
/// standard deviation of all marks, clamped to [0, full]. An expert who gave
/// everyone the same total (or only one mark) gets z = 0, i.e. M.
pub fn z_rescaled(marks: &[Mark], full: f64) -> Vec<Mark> {
    let all: Vec<f64> = marks.iter().map(|m| m.total).collect();
    let (Some(big_m), Some(big_s)) = (mean(&all), std_dev(&all)) else {
        return Vec::new();
    };
    let mut by: HashMap<i64, Vec<f64>> = HashMap::new();
    for m in marks {
        by.entry(m.expert).or_default().push(m.total);
    }
    let stats: HashMap<i64, (f64, f64)> =
        by.iter().map(|(e, xs)| (*e, (mean(xs).unwrap_or_default(), std_dev(xs).unwrap_or_default()))).collect();
    marks
        .iter()
        .map(|m| {
            let (mu, sd) = stats[&m.expert];
            let z = if sd > 1e-9 { (m.total - mu) / sd } else { 0.0 };
            Mark { total: (big_m + z * big_s).clamp(0.0, full), ..m.clone() }
        })
        .collect()
}

/// How an application's marks are combined.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    TrimmedMean,
    ZScore,
}

/// Each application's final score (by application id, in first-seen order).
pub fn finals(marks: &[Mark], method: Method, full: f64) -> Vec<(i64, f64)> {
    let marks = match method {
        Method::TrimmedMean => marks.to_vec(),
        Method::ZScore => z_rescaled(marks, full),
    };
    let mut order = Vec::new();
    let mut by: HashMap<i64, Vec<f64>> = HashMap::new();
    for m in &marks {
        by.entry(m.application)
            .or_insert_with(|| {
                order.push(m.application);
                Vec::new()
            })
            .push(m.total);
    }
    order
        .into_iter()
        .map(|a| {
            let xs = &by[&a];
            let v = match method {
                Method::TrimmedMean => trimmed_mean(xs),
                Method::ZScore => mean(xs),
            };
            (a, v.unwrap_or_default())
        })
        .collect()
}

/// When an application's marks disagree enough to be reviewed again.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct SpreadRule {
    /// Highest minus lowest above this.
    pub range: Option<f64>,
    /// Standard deviation above this.
    pub std_dev: Option<f64>,
}

pub fn needs_rereview(xs: &[f64], rule: &SpreadRule) -> bool {
    if xs.len() < 2 {
        return false;
    }
    let max = xs.iter().copied().fold(f64::MIN, f64::max);
    let min = xs.iter().copied().fold(f64::MAX, f64::min);
    rule.range.is_some_and(|r| max - min > r) || rule.std_dev.is_some_and(|s| std_dev(xs).is_some_and(|d| d > s))
}

/// Scores equal to this many decimals tie.
fn key(x: f64) -> i64 {
    (x * 100.0).round() as i64
}

/// Competition ranking (1, 2, 2, 4) by descending score, ties to two
/// decimals; returns (id, score, rank) best first, ties in id order.
pub fn rank(scores: &[(i64, f64)]) -> Vec<(i64, f64, usize)> {
    let mut v = scores.to_vec();
    v.sort_by(|a, b| key(b.1).cmp(&key(a.1)).then(a.0.cmp(&b.0)));
    let mut out: Vec<(i64, f64, usize)> = Vec::with_capacity(v.len());
    for (i, (id, s)) in v.into_iter().enumerate() {
        let r = match out.last() {
            Some(&(_, prev, r)) if key(prev) == key(s) => r,
            _ => i + 1,
        };
        out.push((id, s, r));
    }
    out
}

/// A ranked candidate for the decision.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub id: i64,
    pub institution_id: i64,
    pub score: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Selected,
    /// Below the line: the slots are taken.
    NotSelected,
    /// Their institution's cap is reached.
    OverInstitutionCap,
    /// Tied at the last slots with more candidates than slots: the province decides.
    TieAtCut,
}

/// Decides within quotas: down the ranking, a candidate is selected while
/// slots remain and its institution is under its cap (`caps`, else
/// `default_cap`, None for no cap). A group tied on score that does not fit
/// the remaining slots entirely is not split: all of it is `TieAtCut`.
pub fn decide(
    candidates: &[Candidate],
    slots: usize,
    caps: &HashMap<i64, usize>,
    default_cap: Option<usize>,
) -> Vec<(i64, Verdict)> {
    let ranked = rank(&candidates.iter().map(|c| (c.id, c.score)).collect::<Vec<_>>());
    let inst: HashMap<i64, i64> = candidates.iter().map(|c| (c.id, c.institution_id)).collect();
    let cap_of = |i: i64| caps.get(&i).copied().or(default_cap);
    let mut used: HashMap<i64, usize> = HashMap::new();
    let mut left = slots;
    let mut out = Vec::new();
    let mut i = 0;
    while i < ranked.len() {
        let r = ranked[i].2;
        let group: Vec<i64> = ranked[i..].iter().take_while(|x| x.2 == r).map(|x| x.0).collect();
        i += group.len();
        // Within the group, who is still under their institution's cap.
        let mut eligible = Vec::new();
        let mut tentative = used.clone();
        for &id in &group {
            let inst = inst[&id];
            let n = tentative.entry(inst).or_default();
            if cap_of(inst).is_some_and(|c| *n >= c) {
                out.push((id, Verdict::OverInstitutionCap));
            } else {
                *n += 1;
                eligible.push(id);
            }
        }
        if eligible.len() <= left {
            left -= eligible.len();
            used = tentative;
            out.extend(eligible.into_iter().map(|id| (id, Verdict::Selected)));
        } else if left == 0 {
            out.extend(eligible.into_iter().map(|id| (id, Verdict::NotSelected)));
        } else {
            left = 0;
            out.extend(eligible.into_iter().map(|id| (id, Verdict::TieAtCut)));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn weighted_totals() {
        let r = vec![Dimension { points: 10.0, weight: 30.0 }, Dimension { points: 20.0, weight: 70.0 }];
        assert!(close(weighted_total(&r, &[10.0, 20.0], 100.0).unwrap(), 100.0));
        assert!(close(weighted_total(&r, &[5.0, 10.0], 100.0).unwrap(), 50.0));
        assert!(close(weighted_total(&r, &[10.0, 0.0], 100.0).unwrap(), 30.0));
        assert_eq!(weighted_total(&r, &[11.0, 0.0], 100.0), Err(ScoreError::OutOfRange(0)));
        assert_eq!(weighted_total(&r, &[1.0], 100.0), Err(ScoreError::WrongCount));
        assert_eq!(weighted_total(&r, &[1.0, f64::NAN], 100.0), Err(ScoreError::OutOfRange(1)));
    }

    #[test]
    fn trimmed_means() {
        assert_eq!(trimmed_mean(&[]), None);
        assert!(close(trimmed_mean(&[80.0, 90.0]).unwrap(), 85.0));
        assert!(close(trimmed_mean(&[60.0, 80.0, 99.0]).unwrap(), 80.0));
        // Drops one highest and one lowest only.
        assert!(close(trimmed_mean(&[90.0, 70.0, 90.0, 80.0, 70.0]).unwrap(), (70.0 + 80.0 + 90.0) / 3.0));
    }

    #[test]
    fn z_scores_undo_a_harsh_expert() {
        // Expert 2 marks 20 lower than expert 1 across the board.
        let marks = vec![
            Mark { expert: 1, application: 10, total: 90.0 },
            Mark { expert: 1, application: 11, total: 80.0 },
            Mark { expert: 2, application: 10, total: 70.0 },
            Mark { expert: 2, application: 11, total: 60.0 },
        ];
        let z = z_rescaled(&marks, 100.0);
        // M = 75, S = sqrt(125); each expert's z are +1 and -1.
        let s = 125f64.sqrt();
        assert!(close(z[0].total, 75.0 + s) && close(z[2].total, 75.0 + s));
        assert!(close(z[1].total, 75.0 - s) && close(z[3].total, 75.0 - s));
        let f = finals(&marks, Method::ZScore, 100.0);
        assert_eq!(f.len(), 2);
        assert!(close(f[0].1, 75.0 + s));
        // The plain trimmed mean keeps the raw figures.
        assert_eq!(finals(&marks, Method::TrimmedMean, 100.0), vec![(10, 80.0), (11, 70.0)]);
        // A flat expert gets the overall mean; rescaling stays within the points.
        let flat =
            vec![Mark { expert: 3, application: 1, total: 50.0 }, Mark { expert: 3, application: 2, total: 50.0 }];
        assert!(z_rescaled(&flat, 100.0).iter().all(|m| close(m.total, 50.0)));
        let wild = vec![
            Mark { expert: 1, application: 1, total: 100.0 },
            Mark { expert: 1, application: 2, total: 0.0 },
            Mark { expert: 2, application: 1, total: 100.0 },
            Mark { expert: 2, application: 2, total: 99.0 },
        ];
        assert!(z_rescaled(&wild, 100.0).iter().all(|m| (0.0..=100.0).contains(&m.total)));
    }

    #[test]
    fn spread_flags() {
        let r = SpreadRule { range: Some(20.0), std_dev: None };
        assert!(!needs_rereview(&[70.0, 90.0], &r));
        assert!(needs_rereview(&[69.0, 90.0], &r));
        assert!(!needs_rereview(&[10.0], &r));
        let s = SpreadRule { range: None, std_dev: Some(5.0) };
        assert!(!needs_rereview(&[80.0, 90.0], &s));
        assert!(needs_rereview(&[79.0, 90.0], &s));
        assert!(!needs_rereview(&[0.0, 100.0], &SpreadRule::default()));
    }

    #[test]
    fn ranking_with_ties() {
        let r = rank(&[(1, 80.0), (2, 90.0), (3, 80.001), (4, 70.0)]);
        assert_eq!(r.iter().map(|x| (x.0, x.2)).collect::<Vec<_>>(), vec![(2, 1), (1, 2), (3, 2), (4, 4)]);
    }

    #[test]
    fn decisions_within_quotas() {
        let c = |id, inst, score| Candidate { id, institution_id: inst, score };
        let cands = vec![c(1, 1, 95.0), c(2, 1, 94.0), c(3, 1, 93.0), c(4, 2, 92.0), c(5, 3, 91.0), c(6, 4, 91.0)];
        let mut caps = HashMap::new();
        caps.insert(1, 2);
        let d: HashMap<i64, Verdict> = decide(&cands, 4, &caps, None).into_iter().collect();
        assert_eq!(d[&1], Verdict::Selected);
        assert_eq!(d[&2], Verdict::Selected);
        assert_eq!(d[&3], Verdict::OverInstitutionCap);
        assert_eq!(d[&4], Verdict::Selected);
        // One slot left, two tied candidates: not split.
        assert_eq!(d[&5], Verdict::TieAtCut);
        assert_eq!(d[&6], Verdict::TieAtCut);
        let d: HashMap<i64, Verdict> = decide(&cands, 5, &caps, None).into_iter().collect();
        assert_eq!((d[&5], d[&6]), (Verdict::Selected, Verdict::Selected));
        let d: HashMap<i64, Verdict> = decide(&cands, 2, &HashMap::new(), Some(1)).into_iter().collect();
        assert_eq!(
            (d[&1], d[&2], d[&4], d[&5]),
            (Verdict::Selected, Verdict::OverInstitutionCap, Verdict::Selected, Verdict::NotSelected)
        );
    }
}
