//! What a campaign's calls say about an institution: the share of checked
//! records confirmed (with a Wilson interval), and the placement rate
//! estimated from a stratified sample (每类去向 a stratum) beside the one
//! reported, with its interval.

use crate::sampling::z_for;

/// A share with its interval, all as fractions of 1.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Interval {
    pub value: f64,
    pub low: f64,
    pub high: f64,
}

/// The Wilson score interval for `successes` of `n` at a confidence; `None` for no trials.
pub fn wilson(successes: u64, n: u64, confidence: f64) -> Option<Interval> {
    if n == 0 || successes > n {
        return None;
    }
    let z = z_for(confidence);
    let (n, p) = (n as f64, successes as f64 / n as f64);
    let denominator = 1.0 + z * z / n;
    let centre = (p + z * z / (2.0 * n)) / denominator;
    let half = z * (p * (1.0 - p) / n + z * z / (4.0 * n * n)).sqrt() / denominator;
    Some(Interval { value: p, low: (centre - half).max(0.0), high: (centre + half).min(1.0) })
}

/// One stratum of an institution's graduates (one destination category, or a
/// group of them): how many there are, how many were reached by a call, and
/// how many of those were found truly placed (counted in the rate).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stratum {
    pub population: u64,
    pub reached: u64,
    pub found_placed: u64,
}

/// The placement rate the calls support: Σ N_h·p_h / N, where p_h is the
/// share found placed among those reached in stratum h; its variance
/// Σ N_h²·(1 − n_h/N_h)·p_h(1 − p_h)/(n_h − 1) / N² (the stratified estimator
/// of a proportion with the finite-population correction). A stratum nobody
/// in it was reached is taken at the share reported for it (`reported_placed`
/// of its population), adding nothing to the variance: the interval then
/// speaks only for what was checked. `None` when no stratum was reached.
pub fn corrected_rate(strata: &[(Stratum, u64)], confidence: f64) -> Option<Interval> {
    let total: u64 = strata.iter().map(|(s, _)| s.population).sum();
    if total == 0 || strata.iter().all(|(s, _)| s.reached == 0) {
        return None;
    }
    let (mut placed, mut variance) = (0.0, 0.0);
    for (s, reported_placed) in strata {
        let big_n = s.population as f64;
        if s.reached == 0 {
            placed += (*reported_placed).min(s.population) as f64;
            continue;
        }
        let n = s.reached.min(s.population) as f64;
        let p = s.found_placed.min(s.reached) as f64 / s.reached as f64;
        placed += big_n * p;
        if n > 1.0 {
            variance += big_n * big_n * (1.0 - n / big_n) * p * (1.0 - p) / (n - 1.0);
        }
    }
    let total = total as f64;
    let rate = placed / total;
    let half = z_for(confidence) * variance.sqrt() / total;
    Some(Interval { value: rate, low: (rate - half).max(0.0), high: (rate + half).min(1.0) })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 5e-5
    }

    #[test]
    fn the_wilson_interval_of_hand_computed_cases() {
        // 45 of 50 at 95 %: p = 0.9, interval 0.7864 .. 0.9565.
        let i = wilson(45, 50, 0.95).expect("trials");
        assert!(close(i.value, 0.9) && close(i.low, 0.78640) && close(i.high, 0.95652), "{i:?}");
        // All confirmed still leaves room below 1.
        let all = wilson(20, 20, 0.95).expect("trials");
        assert!(close(all.high, 1.0) && close(all.low, 0.83887), "{all:?}");
        assert_eq!(wilson(0, 0, 0.95), None);
    }

    #[test]
    fn the_corrected_rate_of_a_hand_computed_campaign() {
        // Reported placed: 800 signed (stratum 1), 150 flexible (stratum 2); 50 not placed (stratum 3).
        // Calls: 40 of 800 signed reached, 38 truly placed; 30 of 150 flexible, 18 placed; 10 of 50 unplaced, 1 placed.
        let strata = [
            (Stratum { population: 800, reached: 40, found_placed: 38 }, 800),
            (Stratum { population: 150, reached: 30, found_placed: 18 }, 150),
            (Stratum { population: 50, reached: 10, found_placed: 1 }, 0),
        ];
        let e = corrected_rate(&strata, 0.95).expect("reached");
        // 800·0.95 + 150·0.6 + 50·0.1 = 760 + 90 + 5 = 855 of 1,000.
        assert!(close(e.value, 0.855), "{e:?}");
        // Variance: 800²·0.95·0.0475/39 + 150²·0.8·0.24/29 + 50²·0.8·0.09/9
        //         = 740.51 + 148.97 + 20.00 = 909.48; sd = 30.158 / 1000; ±1.96·0.030158 = ±0.05911.
        assert!(close(e.low, 0.855 - 0.05911) && close(e.high, 0.855 + 0.05911), "{e:?}");
    }

    #[test]
    fn strata_nobody_reached_count_as_reported() {
        let strata = [
            (Stratum { population: 100, reached: 10, found_placed: 10 }, 100),
            (Stratum { population: 100, reached: 0, found_placed: 0 }, 60),
        ];
        let e = corrected_rate(&strata, 0.95).expect("reached");
        assert!(close(e.value, 0.8) && close(e.low, 0.8) && close(e.high, 0.8), "{e:?}");
        assert_eq!(corrected_rate(&[(Stratum { population: 5, reached: 0, found_placed: 0 }, 5)], 0.95), None);
    }
}
