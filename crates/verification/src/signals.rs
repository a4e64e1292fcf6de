//! The anomaly rules (异常信号), pure: each reads plain figures and yields
//! signals with the figures behind them. Thresholds are data, held per
//! cohort (`Thresholds`, read from configuration), never constants in a rule.

use std::collections::{BTreeMap, HashMap};

use chrono::{Duration, NaiveDate, NaiveDateTime, Timelike};
use serde::{Deserialize, Serialize};

/// The kinds of signal, each one rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// 落实率突增: the rate up by more than a threshold inside a window.
    SuddenRise,
    /// A category's share (灵活就业, 自由职业, 自主创业…) far above the peers of the same level.
    ShareOutlier,
    /// Many graduates recorded to one dubious employer (small, new, unapproved, unregistered, bad credit code).
    EmployerCluster,
    /// Many graduates recorded with one address or phone.
    ContactCluster,
    /// One account changing many destinations in a short window.
    BulkEdit,
    /// One evidence file (same hash) behind many graduates.
    EvidenceReused,
    /// Graduates disputing their record.
    Disputes,
    /// Graduates rarely confirming their record.
    RareConfirmation,
    /// Little use of the signing platform (measure 17).
    LowSigning,
}

impl Kind {
    /// The key stored and written out (its serde name: `sudden_rise`…).
    pub fn key(self) -> String {
        serde_json::to_value(self).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
    }
    pub fn parse(s: &str) -> Option<Kind> {
        serde_json::from_value(serde_json::Value::String(s.to_owned())).ok()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Low,
    Medium,
    High,
}

impl Severity {
    pub const ALL: [Severity; 3] = [Severity::Low, Severity::Medium, Severity::High];
    pub fn key(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
        }
    }
    pub fn parse(s: &str) -> Option<Severity> {
        Severity::ALL.into_iter().find(|v| v.key() == s)
    }
}

/// One finding: whose, which rule, how strong, the figures behind it and the graduates concerned.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Signal {
    pub institution: String,
    pub kind: Kind,
    pub severity: Severity,
    pub figures: BTreeMap<String, f64>,
    pub graduates: Vec<i64>,
}

impl Signal {
    fn new(institution: &str, kind: Kind, severity: Severity) -> Signal {
        Signal { institution: institution.to_owned(), kind, severity, figures: BTreeMap::new(), graduates: Vec::new() }
    }
    fn figure(mut self, name: &str, value: f64) -> Signal {
        self.figures.insert(name.to_owned(), value);
        self
    }
}

/// A cohort's thresholds; every field has the default a province starts from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Thresholds {
    /// Points the rate may rise inside `rise_days` days.
    pub rise_points: f64,
    pub rise_days: i64,
    /// A rise under `rise_points` still stands out when it is this many robust z-scores above
    /// both the institution's own rises over the year and its peers' over the same days,
    pub rise_z: f64,
    /// and at least this many points (so a flat province does not flag a point's wobble).
    pub rise_z_min_points: f64,
    /// Robust z-score above the peers that flags a share.
    pub share_z: f64,
    /// Institutions smaller than this are not compared (their shares swing).
    pub share_min_graduates: u64,
    /// Graduates at one dubious employer, or with one contact, that make a cluster.
    pub cluster_min: u64,
    /// Destination changes by one account inside `bulk_minutes` that make a bulk edit.
    pub bulk_changes: u64,
    pub bulk_minutes: i64,
    /// Days before a statistics date when a bulk edit weighs more.
    pub before_deadline_days: i64,
    /// The statistics dates of the cohort's year, as "MM-DD" (统计时点).
    pub statistics_days: Vec<String>,
    /// Working hours, China time: changes outside them in bulk weigh more.
    pub work_starts: u32,
    pub work_ends: u32,
    /// Graduates behind one evidence file that make it reused.
    pub evidence_reuse_min: u64,
    /// Share of recorded graduates disputing that flags an institution.
    pub dispute_share: f64,
    /// Share of recorded graduates confirming below which an institution is flagged.
    pub confirm_share_min: f64,
    /// Share of agreement-type destinations signed through the platform below which use is low.
    pub signing_share_min: f64,
}

impl Default for Thresholds {
    fn default() -> Thresholds {
        Thresholds {
            rise_points: 10.0,
            rise_days: 7,
            rise_z: 4.0,
            rise_z_min_points: 3.0,
            share_z: 3.5,
            share_min_graduates: 30,
            cluster_min: 10,
            bulk_changes: 50,
            bulk_minutes: 60,
            before_deadline_days: 3,
            statistics_days: vec!["06-30".into(), "08-31".into(), "12-31".into()],
            work_starts: 8,
            work_ends: 20,
            evidence_reuse_min: 5,
            dispute_share: 0.05,
            confirm_share_min: 0.2,
            signing_share_min: 0.5,
        }
    }
}

/// The largest rise of a daily rate series (day, rate in percent) inside the
/// window: (from day, to day, from rate, to rate) when it exceeds the threshold.
pub fn sudden_rise(institution: &str, series: &[(NaiveDate, f64)], t: &Thresholds) -> Option<Signal> {
    let mut best: Option<(usize, usize)> = None;
    let mut start = 0;
    for end in 0..series.len() {
        while series[end].0 - series[start].0 > Duration::days(t.rise_days) {
            start += 1;
        }
        // The lowest point inside the window before `end`.
        let low = (start..=end).min_by(|a, b| series[*a].1.total_cmp(&series[*b].1)).unwrap_or(end);
        let rise = series[end].1 - series[low].1;
        if best.is_none_or(|(l, e)| rise > series[e].1 - series[l].1) {
            best = Some((low, end));
        }
    }
    let (low, end) = best?;
    let rise = series[end].1 - series[low].1;
    (rise > t.rise_points).then(|| {
        let severity = if rise > 2.0 * t.rise_points { Severity::High } else { Severity::Medium };
        Signal::new(institution, Kind::SuddenRise, severity)
            .figure("rise_points", rise)
            .figure("from_rate", series[low].1)
            .figure("to_rate", series[end].1)
            .figure("days", (series[end].0 - series[low].0).num_days() as f64)
    })
}

/// Rises that are not sudden by `rise_points` but far outside the
/// institution's own trend and its peers': every institution's rate is read
/// each day as a step (its latest point, 0 before the first), its rise over
/// each `rise_days` window is compared by robust z-score with its own rises
/// over the year and with every other institution's over the same window; the
/// window where the smaller of the two scores is largest is kept, and flagged
/// when both pass `rise_z` and the rise passes `rise_z_min_points`. An
/// institution `skip` names (already flagged by `sudden_rise`) is left out.
pub fn unusual_rise(series: &[(String, Vec<(NaiveDate, f64)>)], skip: &[String], t: &Thresholds) -> Vec<Signal> {
    let days: Vec<NaiveDate> = {
        let first = series.iter().filter_map(|(_, s)| s.first().map(|p| p.0)).min();
        let last = series.iter().filter_map(|(_, s)| s.last().map(|p| p.0)).max();
        match (first, last) {
            (Some(first), Some(last)) => first.iter_days().take_while(|d| *d <= last).collect(),
            _ => return Vec::new(),
        }
    };
    let window = t.rise_days.max(1) as usize;
    if days.len() <= window || series.len() < 3 {
        return Vec::new();
    }
    // rises[i][k]: institution i's rise over the window ending on day k + window.
    let rises: Vec<Vec<f64>> = series
        .iter()
        .map(|(_, points)| {
            let daily = daily_steps(points, &days);
            (window..days.len()).map(|k| daily[k] - daily[k - window]).collect()
        })
        .collect();
    let own: Vec<Vec<f64>> = rises.iter().map(|r| robust_z(r)).collect();
    let mut best: Vec<Option<(usize, f64, f64)>> = vec![None; series.len()];
    for k in 0..days.len() - window {
        let same_days: Vec<f64> = rises.iter().map(|r| r[k]).collect();
        for (i, peer_z) in robust_z(&same_days).into_iter().enumerate() {
            let score = peer_z.min(own[i][k]);
            if best[i].is_none_or(|(_, p, o)| score > p.min(o)) {
                best[i] = Some((k, peer_z, own[i][k]));
            }
        }
    }
    let mut signals = Vec::new();
    for (i, (institution, _)) in series.iter().enumerate() {
        let Some((k, peer_z, own_z)) = best[i] else { continue };
        let rise = rises[i][k];
        if skip.contains(institution) || peer_z < t.rise_z || own_z < t.rise_z || rise < t.rise_z_min_points {
            continue;
        }
        let daily = daily_steps(&series[i].1, &days);
        signals.push(
            Signal::new(institution, Kind::SuddenRise, Severity::Medium)
                .figure("rise_points", rise)
                .figure("from_rate", daily[k])
                .figure("to_rate", daily[k + window])
                .figure("days", window as f64)
                .figure("peer_z", peer_z)
                .figure("own_z", own_z),
        );
    }
    signals
}

/// The series read on each of `days` as a step: its latest point on or before the day, 0 before the first.
fn daily_steps(points: &[(NaiveDate, f64)], days: &[NaiveDate]) -> Vec<f64> {
    let (mut next, mut value) = (0, 0.0);
    days.iter()
        .map(|d| {
            while next < points.len() && points[next].0 <= *d {
                value = points[next].1;
                next += 1;
            }
            value
        })
        .collect()
}

/// Robust z-scores: (x − median) / (1.4826 · MAD); when the MAD is 0, the
/// mean absolute deviation · 1.2533 stands in; when that is 0 too, all are 0.
pub fn robust_z(values: &[f64]) -> Vec<f64> {
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        let n = v.len();
        match n {
            0 => 0.0,
            _ if n % 2 == 1 => v[n / 2],
            _ => (v[n / 2 - 1] + v[n / 2]) / 2.0,
        }
    };
    let m = median(&mut values.to_vec());
    let mut deviations: Vec<f64> = values.iter().map(|v| (v - m).abs()).collect();
    let mad = median(&mut deviations);
    let scale = match mad > 0.0 {
        true => 1.4826 * mad,
        false => 1.2533 * deviations.iter().sum::<f64>() / values.len().max(1) as f64,
    };
    values.iter().map(|v| if scale > 0.0 { (v - m) / scale } else { 0.0 }).collect()
}

/// One institution's share of a category among its graduates, for `share_outliers`.
#[derive(Debug, Clone)]
pub struct Share {
    pub institution: String,
    /// Institutions are compared with peers of the same level (本科, 专科…).
    pub level: String,
    pub graduates: u64,
    pub in_category: u64,
}

/// Institutions whose share is far above their peers' of the same level.
pub fn share_outliers(category: &str, shares: &[Share], t: &Thresholds) -> Vec<Signal> {
    let mut by_level: HashMap<&str, Vec<&Share>> = HashMap::new();
    for s in shares.iter().filter(|s| s.graduates >= t.share_min_graduates) {
        by_level.entry(s.level.as_str()).or_default().push(s);
    }
    let mut signals = Vec::new();
    for peers in by_level.values() {
        let values: Vec<f64> = peers.iter().map(|s| s.in_category as f64 / s.graduates as f64).collect();
        let province = peers.iter().map(|s| s.in_category).sum::<u64>() as f64
            / peers.iter().map(|s| s.graduates).sum::<u64>().max(1) as f64;
        for ((s, share), z) in peers.iter().zip(&values).zip(robust_z(&values)) {
            if z > t.share_z {
                let severity = if z > 2.0 * t.share_z { Severity::High } else { Severity::Medium };
                signals.push(
                    Signal::new(&s.institution, Kind::ShareOutlier, severity)
                        .figure(&format!("share_{category}"), *share)
                        .figure("peers_share", province)
                        .figure("robust_z", z),
                );
            }
        }
    }
    signals.sort_by(|a, b| a.institution.cmp(&b.institution));
    signals
}

/// A graduate's recorded destination, for the cluster rules: the employer it
/// names (and why that employer is dubious, if it is) and its contact.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub graduate: i64,
    pub institution: String,
    pub employer: Option<String>,
    /// Why the employer is doubtful ("small", "new", "unapproved", "unregistered", "credit_code"); empty if not.
    pub doubts: Vec<&'static str>,
    /// The address or phone recorded, normalised; empty if none.
    pub contact: String,
}

/// Many graduates of an institution at one dubious employer, or with one contact.
pub fn clusters(records: &[Recorded], t: &Thresholds) -> Vec<Signal> {
    let mut employers: BTreeMap<(&str, &str), Vec<&Recorded>> = BTreeMap::new();
    let mut contacts: BTreeMap<(&str, &str), Vec<&Recorded>> = BTreeMap::new();
    for r in records {
        if let (Some(e), false) = (&r.employer, r.doubts.is_empty()) {
            employers.entry((r.institution.as_str(), e.as_str())).or_default().push(r);
        }
        if !r.contact.is_empty() {
            contacts.entry((r.institution.as_str(), r.contact.as_str())).or_default().push(r);
        }
    }
    let mut signals = Vec::new();
    for (kind, groups) in [(Kind::EmployerCluster, employers), (Kind::ContactCluster, contacts)] {
        for ((institution, _), members) in groups {
            let n = members.len() as u64;
            if n < t.cluster_min {
                continue;
            }
            let severity = if n >= 3 * t.cluster_min { Severity::High } else { Severity::Medium };
            let mut s = Signal::new(institution, kind, severity).figure("graduates", n as f64);
            if kind == Kind::EmployerCluster {
                s = s.figure("doubts", members[0].doubts.len() as f64);
            }
            s.graduates = members.iter().map(|m| m.graduate).collect();
            signals.push(s);
        }
    }
    signals
}

/// A destination change: who, when (China time), whose.
#[derive(Debug, Clone)]
pub struct Change {
    pub account: String,
    pub institution: String,
    pub at: NaiveDateTime,
    pub graduate: i64,
}

/// An account changing many destinations inside the window; heavier just
/// before a statistics date or outside working hours.
pub fn bulk_edits(changes: &[Change], statistics_dates: &[NaiveDate], t: &Thresholds) -> Vec<Signal> {
    let mut by_account: BTreeMap<(&str, &str), Vec<&Change>> = BTreeMap::new();
    for c in changes {
        by_account.entry((c.account.as_str(), c.institution.as_str())).or_default().push(c);
    }
    let window = Duration::minutes(t.bulk_minutes);
    let mut signals = Vec::new();
    for ((_, institution), mut list) in by_account {
        list.sort_by_key(|c| c.at);
        let (mut start, mut best) = (0, (0usize, 0usize));
        for end in 0..list.len() {
            while list[end].at - list[start].at > window {
                start += 1;
            }
            if end - start > best.1 - best.0 {
                best = (start, end);
            }
        }
        let burst = &list[best.0..=best.1];
        if (burst.len() as u64) < t.bulk_changes {
            continue;
        }
        let last = burst[burst.len() - 1].at;
        let near_deadline = statistics_dates
            .iter()
            .any(|d| *d >= last.date() && (*d - last.date()).num_days() <= t.before_deadline_days);
        let off_hours = burst.iter().filter(|c| c.at.hour() < t.work_starts || c.at.hour() >= t.work_ends).count();
        let off_hours = off_hours * 2 > burst.len();
        let severity = match (near_deadline, off_hours) {
            (true, true) => Severity::High,
            (true, false) | (false, true) => Severity::Medium,
            (false, false) => Severity::Low,
        };
        let mut s = Signal::new(institution, Kind::BulkEdit, severity)
            .figure("changes", burst.len() as f64)
            .figure("minutes", (last - burst[0].at).num_minutes() as f64)
            .figure("before_deadline", near_deadline as u8 as f64)
            .figure("off_hours", off_hours as u8 as f64);
        s.graduates = burst.iter().map(|c| c.graduate).collect();
        signals.push(s);
    }
    signals
}

/// One evidence file (by hash) behind many graduates of an institution.
pub fn evidence_reused(files: &[(String, String, i64)], t: &Thresholds) -> Vec<Signal> {
    let mut by_hash: BTreeMap<(&str, &str), Vec<i64>> = BTreeMap::new();
    for (institution, hash, graduate) in files {
        by_hash.entry((institution.as_str(), hash.as_str())).or_default().push(*graduate);
    }
    by_hash
        .into_iter()
        .filter(|(_, graduates)| graduates.len() as u64 >= t.evidence_reuse_min)
        .map(|((institution, _), mut graduates)| {
            graduates.sort_unstable();
            graduates.dedup();
            let mut s = Signal::new(institution, Kind::EvidenceReused, Severity::High)
                .figure("graduates", graduates.len() as f64);
            s.graduates = graduates;
            s
        })
        .filter(|s| s.graduates.len() as u64 >= t.evidence_reuse_min)
        .collect()
}

/// An institution's answers from its graduates: recorded destinations, how many confirmed, how many disputed.
#[derive(Debug, Clone)]
pub struct Answers {
    pub institution: String,
    pub recorded: u64,
    pub confirmed: u64,
    pub disputed: u64,
}

/// Many disputes, or few confirmations, among an institution's recorded graduates.
pub fn answers(a: &Answers, t: &Thresholds) -> Vec<Signal> {
    if a.recorded < t.share_min_graduates {
        return Vec::new();
    }
    let (disputed, confirmed) = (a.disputed as f64 / a.recorded as f64, a.confirmed as f64 / a.recorded as f64);
    let mut out = Vec::new();
    if disputed > t.dispute_share {
        let severity = if disputed > 2.0 * t.dispute_share { Severity::High } else { Severity::Medium };
        out.push(Signal::new(&a.institution, Kind::Disputes, severity).figure("disputed_share", disputed));
    }
    if confirmed < t.confirm_share_min {
        out.push(
            Signal::new(&a.institution, Kind::RareConfirmation, Severity::Low).figure("confirmed_share", confirmed),
        );
    }
    out
}

/// Signing-platform use: agreements signed in the platform among agreement-type destinations.
pub fn signing(institution: &str, signed_here: u64, agreement_type: u64, t: &Thresholds) -> Option<Signal> {
    if agreement_type < t.share_min_graduates {
        return None;
    }
    let share = signed_here as f64 / agreement_type as f64;
    (share < t.signing_share_min).then(|| {
        let severity = if share < t.signing_share_min / 2.0 { Severity::Medium } else { Severity::Low };
        Signal::new(institution, Kind::LowSigning, severity)
            .figure("signing_share", share)
            .figure("agreement_type", agreement_type as f64)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2022, 8, d).expect("a day")
    }

    #[test]
    fn a_sudden_rise_fires_inside_its_window_only() {
        let t = Thresholds::default();
        let jump = [(day(1), 60.0), (day(3), 61.0), (day(6), 75.0), (day(20), 76.0)];
        let s = sudden_rise("10530", &jump, &t).expect("a rise of 15 points in 5 days");
        assert_eq!((s.kind, s.severity), (Kind::SuddenRise, Severity::Medium));
        assert_eq!(s.figures["rise_points"], 15.0);
        let slow = [(day(1), 60.0), (day(8), 66.0), (day(15), 72.0), (day(22), 78.0)];
        assert_eq!(sudden_rise("10530", &slow, &t), None, "18 points, but over three weeks");
        let strict = Thresholds { rise_points: 5.0, rise_days: 7, ..t.clone() };
        assert!(sudden_rise("10530", &slow, &strict).is_some(), "thresholds are honoured");
        assert_eq!(sudden_rise("x", &[], &Thresholds::default()), None);
    }

    /// Ten institutions rising a point a week from 50; `odd` also jumps `jump` points in week `at`.
    fn province(odd: &str, jump: f64, at: usize) -> Vec<(String, Vec<(NaiveDate, f64)>)> {
        (0..10)
            .map(|i| {
                let name = format!("1053{i}");
                let extra = if name == odd { jump } else { 0.0 };
                let start = NaiveDate::from_ymd_opt(2022, 3, 1).expect("a day");
                let points = (0..20)
                    .map(|w| {
                        let wobble = (i as f64 * 0.1) * (w % 2) as f64;
                        let rate = 50.0 + w as f64 + wobble + if w >= at { extra } else { 0.0 };
                        (start + Duration::weeks(w as i64), rate)
                    })
                    .collect();
                (name, points)
            })
            .collect()
    }

    #[test]
    fn a_rise_far_outside_its_own_trend_and_its_peers_fires_below_the_points_threshold() {
        let t = Thresholds::default();
        let odd = province("10534", 6.0, 12);
        let signals = unusual_rise(&odd, &[], &t);
        assert_eq!(signals.len(), 1, "{signals:?}");
        let s = &signals[0];
        assert_eq!((s.institution.as_str(), s.kind), ("10534", Kind::SuddenRise));
        assert!(s.figures["rise_points"] >= 6.0 && s.figures["rise_points"] < t.rise_points, "{s:?}");
        assert!(s.figures["peer_z"] >= t.rise_z && s.figures["own_z"] >= t.rise_z);
        assert!(unusual_rise(&province("none", 0.0, 12), &[], &t).is_empty(), "everyone on trend");
        assert!(unusual_rise(&province("10534", 2.0, 12), &[], &t).is_empty(), "under the floor of points");
        assert!(unusual_rise(&odd, &["10534".to_owned()], &t).is_empty(), "already flagged as sudden");
        let lax = Thresholds { rise_z: 1000.0, ..t };
        assert!(unusual_rise(&odd, &[], &lax).is_empty(), "thresholds are honoured");
    }

    #[test]
    fn a_rate_is_read_as_a_step_between_its_points() {
        let points = [(day(2), 10.0), (day(4), 30.0)];
        let days: Vec<NaiveDate> = (1..=5).map(day).collect();
        assert_eq!(daily_steps(&points, &days), vec![0.0, 10.0, 10.0, 30.0, 30.0]);
    }

    #[test]
    fn robust_z_of_a_known_set() {
        // median 0.1, deviations 0.02 0 0.01 0.01 0.4 → MAD 0.01; 0.5 → 0.4 / 0.014826 = 26.98.
        let z = robust_z(&[0.08, 0.1, 0.11, 0.09, 0.5]);
        assert!((z[4] - 26.979).abs() < 0.01 && z[1] == 0.0, "{z:?}");
        assert_eq!(robust_z(&[0.2, 0.2, 0.2]), vec![0.0, 0.0, 0.0]);
    }

    fn share(i: &str, level: &str, n: u64, k: u64) -> Share {
        Share { institution: i.into(), level: level.into(), graduates: n, in_category: k }
    }

    #[test]
    fn an_inflated_flexible_share_stands_out_among_its_level_only() {
        let t = Thresholds::default();
        let mut shares: Vec<Share> = (0..9).map(|i| share(&format!("1{i}"), "本科", 1000, 90 + i)).collect();
        shares.push(share("19", "本科", 1000, 400));
        shares.push(share("20", "专科", 1000, 400));
        shares.push(share("21", "专科", 1000, 380));
        shares.push(share("22", "本科", 10, 9));
        let signals = share_outliers("flexible", &shares, &t);
        assert_eq!(signals.iter().map(|s| s.institution.as_str()).collect::<Vec<_>>(), vec!["19"]);
        let clean: Vec<Share> = (0..9).map(|i| share(&format!("1{i}"), "本科", 1000, 90 + i)).collect();
        assert!(share_outliers("flexible", &clean, &t).is_empty());
    }

    fn recorded(g: i64, employer: &str, doubts: Vec<&'static str>, contact: &str) -> Recorded {
        Recorded {
            graduate: g,
            institution: "10530".into(),
            employer: Some(employer.into()),
            doubts,
            contact: contact.into(),
        }
    }

    #[test]
    fn clusters_at_dubious_employers_and_shared_contacts() {
        let t = Thresholds { cluster_min: 3, ..Thresholds::default() };
        let mut records: Vec<Recorded> = (0..4).map(|g| recorded(g, "某某咨询", vec!["small", "new"], "")).collect();
        records.extend((4..8).map(|g| recorded(g, "国家电网", vec![], "")));
        records.extend((8..11).map(|g| recorded(g, &format!("单位{g}"), vec![], "13800000000")));
        let signals = clusters(&records, &t);
        let kinds: Vec<Kind> = signals.iter().map(|s| s.kind).collect();
        assert_eq!(kinds, vec![Kind::EmployerCluster, Kind::ContactCluster]);
        assert_eq!(signals[0].graduates, vec![0, 1, 2, 3]);
        assert_eq!(signals[1].graduates, vec![8, 9, 10]);
    }

    fn change(account: &str, at: NaiveDateTime, g: i64) -> Change {
        Change { account: account.into(), institution: "10530".into(), at, graduate: g }
    }

    #[test]
    fn a_bulk_edit_the_night_before_the_deadline_is_high() {
        let t = Thresholds { bulk_changes: 20, ..Thresholds::default() };
        let night = day(30).and_hms_opt(23, 0, 0).expect("a time");
        let burst: Vec<Change> = (0..30).map(|i| change("staff", night + Duration::seconds(i * 60), i)).collect();
        let s = bulk_edits(&burst, &[day(31)], &t);
        assert_eq!(s.len(), 1);
        assert_eq!((s[0].severity, s[0].graduates.len()), (Severity::High, 30));
        let daytime = day(10).and_hms_opt(10, 0, 0).expect("a time");
        let spread: Vec<Change> = (0..30).map(|i| change("staff", daytime + Duration::minutes(i * 10), i)).collect();
        assert!(bulk_edits(&spread, &[day(31)], &t).is_empty(), "30 changes over five hours");
        let busy: Vec<Change> = (0..30).map(|i| change("staff", daytime + Duration::seconds(i * 30), i)).collect();
        assert_eq!(bulk_edits(&busy, &[day(31)], &t)[0].severity, Severity::Low, "in working hours, far from a date");
    }

    #[test]
    fn one_file_behind_many_graduates() {
        let t = Thresholds::default();
        let mut files: Vec<(String, String, i64)> = (0..6).map(|g| ("10530".into(), "abc".into(), g)).collect();
        files.extend((6..9).map(|g| ("10530".to_owned(), format!("h{g}"), g)));
        let s = evidence_reused(&files, &t);
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].graduates, vec![0, 1, 2, 3, 4, 5]);
    }

    #[test]
    fn disputes_confirmations_and_signing() {
        let t = Thresholds::default();
        let a = Answers { institution: "10530".into(), recorded: 1000, confirmed: 100, disputed: 120 };
        let kinds: Vec<Kind> = answers(&a, &t).iter().map(|s| s.kind).collect();
        assert_eq!(kinds, vec![Kind::Disputes, Kind::RareConfirmation]);
        let fine = Answers { institution: "10530".into(), recorded: 1000, confirmed: 600, disputed: 10 };
        assert!(answers(&fine, &t).is_empty());
        assert_eq!(signing("10530", 100, 1000, &t).map(|s| s.severity), Some(Severity::Medium));
        assert_eq!(signing("10530", 800, 1000, &t), None);
    }

    #[test]
    fn thresholds_read_from_configuration_keep_defaults_for_what_is_not_given() {
        let t: Thresholds = serde_json::from_str(r#"{"rise_points": 8.0}"#).expect("json");
        assert_eq!((t.rise_points, t.rise_days), (8.0, 7));
    }
}
