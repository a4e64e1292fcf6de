//! A verification campaign's sample (抽样): how many records per institution
//! for a margin and a confidence (Cochran's size for a proportion with the
//! finite-population correction), spread over destination categories in
//! proportion (strata), drawn with a recorded seed so the same sample can be
//! drawn again, and given to verifiers from other institutions with loads as
//! even as the rule allows.

use rand::RngCore;
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// What a sample must achieve.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Design {
    /// Half-width of the interval, as a share (0.05 for ±5 points).
    pub margin: f64,
    /// Two-sided confidence (0.95).
    pub confidence: f64,
    /// The share expected; 0.5 when nothing is known (the largest sample).
    pub expected: f64,
}

impl Default for Design {
    fn default() -> Design {
        Design { margin: 0.05, confidence: 0.95, expected: 0.5 }
    }
}

/// The standard normal quantile for `p` in (0, 1) (Acklam's rational
/// approximation, relative error under 1.2e-9).
pub fn normal_quantile(p: f64) -> f64 {
    const A: [f64; 6] = [
        -3.969683028665376e+01,
        2.209460984245205e+02,
        -2.759285104469687e+02,
        1.38357751867269e+02,
        -3.066479806614716e+01,
        2.506628277459239e+00,
    ];
    const B: [f64; 5] = [
        -5.447609879822406e+01,
        1.615858368580409e+02,
        -1.556989798598866e+02,
        6.680131188771972e+01,
        -1.328068155288572e+01,
    ];
    const C: [f64; 6] = [
        -7.784894002430293e-03,
        -3.223964580411365e-01,
        -2.400758277161838e+00,
        -2.549732539343734e+00,
        4.374664141464968e+00,
        2.938163982698783e+00,
    ];
    const D: [f64; 4] = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00];
    let tail = |q: f64| {
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    };
    const LOW: f64 = 0.02425;
    if p < LOW {
        tail((-2.0 * p.ln()).sqrt())
    } else if p > 1.0 - LOW {
        -tail((-2.0 * (1.0 - p).ln()).sqrt())
    } else {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    }
}

/// z for a two-sided confidence: 1.96 for 0.95.
pub fn z_for(confidence: f64) -> f64 {
    normal_quantile(1.0 - (1.0 - confidence) / 2.0)
}

/// How many of `population` records to check: n₀ = z²·p(1−p)/e², then
/// n = n₀ / (1 + (n₀ − 1)/N), rounded up, never more than the population.
pub fn sample_size(population: u64, d: &Design) -> u64 {
    if population == 0 || d.margin <= 0.0 {
        return population;
    }
    let z = z_for(d.confidence);
    let p = d.expected.clamp(0.0, 1.0);
    let n0 = z * z * p * (1.0 - p) / (d.margin * d.margin);
    let n = n0 / (1.0 + (n0 - 1.0) / population as f64);
    // A hair of tolerance: 384.00000001 is 384, not 385.
    ((n - 1e-9).ceil().max(1.0) as u64).min(population)
}

/// Spreads `n` over strata of these sizes in proportion (largest remainder,
/// ties to the earlier stratum), each at most its size; the parts add up to
/// `n` (or to the whole population when `n` exceeds it).
pub fn allocate(strata: &[u64], n: u64) -> Vec<u64> {
    let total: u64 = strata.iter().sum();
    let n = n.min(total);
    if total == 0 {
        return vec![0; strata.len()];
    }
    let exact: Vec<f64> = strata.iter().map(|s| *s as f64 * n as f64 / total as f64).collect();
    let mut parts: Vec<u64> = exact.iter().zip(strata).map(|(e, s)| (e.floor() as u64).min(*s)).collect();
    let mut left = n - parts.iter().sum::<u64>();
    let mut order: Vec<usize> = (0..strata.len()).collect();
    order.sort_by(|a, b| {
        let (ra, rb) = (exact[*a] - exact[*a].floor(), exact[*b] - exact[*b].floor());
        rb.partial_cmp(&ra).unwrap_or(std::cmp::Ordering::Equal).then(a.cmp(b))
    });
    while left > 0 {
        let before = left;
        for i in &order {
            if left > 0 && parts[*i] < strata[*i] {
                parts[*i] += 1;
                left -= 1;
            }
        }
        if left == before {
            break;
        }
    }
    parts
}

/// A uniform integer below `n` from the stream, by rejection (no modulo bias).
fn below(rng: &mut ChaCha8Rng, n: u64) -> u64 {
    let zone = u64::MAX - u64::MAX % n;
    loop {
        let v = rng.next_u64();
        if v < zone {
            return v % n;
        }
    }
}

/// `k` of the indices `0..n`, the same for the same seed on any machine and
/// any version of this program: ChaCha8 (a stream its crate keeps stable) and
/// a partial Fisher–Yates shuffle written here, not a library's.
pub fn draw(n: usize, k: usize, seed: u64) -> Vec<usize> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut pool: Vec<usize> = (0..n).collect();
    let k = k.min(n);
    for i in 0..k {
        let j = i + below(&mut rng, (n - i) as u64) as usize;
        pool.swap(i, j);
    }
    pool.truncate(k);
    pool
}

/// A stratified sample: each stratum's members (in a stable order the caller
/// gives, such as by id) with its part of `n`; stratum `i` draws with the seed
/// `seed + i`, so adding a record to one stratum leaves the others' draws alone.
pub fn stratified<T: Clone>(strata: &[Vec<T>], n: u64, seed: u64) -> Vec<Vec<T>> {
    let sizes: Vec<u64> = strata.iter().map(|s| s.len() as u64).collect();
    let parts = allocate(&sizes, n);
    strata
        .iter()
        .zip(parts)
        .enumerate()
        .map(|(i, (members, k))| {
            draw(members.len(), k as usize, seed.wrapping_add(i as u64))
                .into_iter()
                .map(|j| members[j].clone())
                .collect()
        })
        .collect()
}

/// Why records cannot be given out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AssignError {
    NoVerifiers,
    /// Every verifier belongs to this institution, so its records have nobody to check them.
    OnlyOwn(i64),
}

/// Gives each record (id, its institution) to a verifier (id, its
/// institution) of another institution, never its own, with loads as even as
/// that rule allows: first each to the least loaded verifier that may take it,
/// then, while the busiest has two more than another it can reach, records
/// move along a chain of verifiers (each taking one the previous held and may
/// check) from a busier verifier to that one, the busiest tried first. Loads then differ by at most one,
/// unless the rule forbids it (a verifier whose own institution holds every
/// record of the busier ones can take none of them).
pub fn assign<R: Copy, V: Copy>(records: &[(R, i64)], verifiers: &[(V, i64)]) -> Result<Vec<(R, V)>, AssignError> {
    if verifiers.is_empty() {
        return Err(AssignError::NoVerifiers);
    }
    let mut held: Vec<Vec<usize>> = vec![Vec::new(); verifiers.len()];
    for (r, (_, institution)) in records.iter().enumerate() {
        let chosen = (0..verifiers.len())
            .filter(|v| verifiers[*v].1 != *institution)
            .min_by_key(|v| (held[*v].len(), *v))
            .ok_or(AssignError::OnlyOwn(*institution))?;
        held[chosen].push(r);
    }
    while let Some(chain) = rebalancing_chain(records, verifiers, &held) {
        for (from, to, position) in chain {
            let r = held[from].swap_remove(position);
            held[to].push(r);
        }
    }
    let mut out: Vec<(usize, V)> =
        held.iter().enumerate().flat_map(|(v, rs)| rs.iter().map(move |r| (*r, verifiers[v].0))).collect();
    out.sort_by_key(|(r, _)| *r);
    Ok(out.into_iter().map(|(r, v)| (records[r].0, v)).collect())
}

/// A chain of moves (from, to, position in from's records) that takes one
/// record off a verifier and gives one to a verifier at least two below it,
/// each move a record the receiver may check, trying the busiest first;
/// `None` if there is none.
fn rebalancing_chain<R, V>(
    records: &[(R, i64)],
    verifiers: &[(V, i64)],
    held: &[Vec<usize>],
) -> Option<Vec<(usize, usize, usize)>> {
    let mut starts: Vec<usize> = (0..held.len()).collect();
    starts.sort_by_key(|v| (std::cmp::Reverse(held[*v].len()), *v));
    starts.into_iter().find_map(|start| chain_from(records, verifiers, held, start))
}

/// A chain from `start` (breadth first, so the shortest) to a verifier two or more below it.
fn chain_from<R, V>(
    records: &[(R, i64)],
    verifiers: &[(V, i64)],
    held: &[Vec<usize>],
    start: usize,
) -> Option<Vec<(usize, usize, usize)>> {
    let top = held[start].len();
    let mut came_from: Vec<Option<(usize, usize)>> = vec![None; held.len()];
    let mut seen = vec![false; held.len()];
    seen[start] = true;
    let mut queue = std::collections::VecDeque::from([start]);
    while let Some(u) = queue.pop_front() {
        for w in 0..held.len() {
            if seen[w] {
                continue;
            }
            let Some(position) = held[u].iter().position(|r| records[*r].1 != verifiers[w].1) else { continue };
            seen[w] = true;
            came_from[w] = Some((u, position));
            if held[w].len() + 2 <= top {
                let mut chain = Vec::new();
                let mut at = w;
                while let Some((from, position)) = came_from[at] {
                    chain.push((from, at, position));
                    at = from;
                }
                chain.reverse();
                return Some(chain);
            }
            queue.push_back(w);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_normal_quantiles_people_use() {
        assert!((z_for(0.95) - 1.959964).abs() < 1e-5);
        assert!((z_for(0.90) - 1.644854).abs() < 1e-5);
        assert!((z_for(0.99) - 2.575829).abs() < 1e-5);
        assert!(normal_quantile(0.5).abs() < 1e-12);
    }

    #[test]
    fn sample_sizes_match_the_hand_computed_ones() {
        let d = Design::default();
        // n₀ = 1.96²·0.25/0.0025 = 384.15 → 385 without a population limit.
        assert_eq!(sample_size(10_000_000, &d), 385);
        // N = 1,000: 384.15 / (1 + 383.15/1000) = 277.7 → 278.
        assert_eq!(sample_size(1_000, &d), 278);
        // N = 3,000: 384.15 / (1 + 383.15/3000) = 340.6 → 341.
        assert_eq!(sample_size(3_000, &d), 341);
        assert_eq!(sample_size(50, &d), 45);
        assert_eq!(sample_size(0, &d), 0);
        // ±3 points at 95 %, p = 0.9: 1.96²·0.09/0.0009 = 384.15; N = 5,000 → 356.8 → 357.
        assert_eq!(sample_size(5_000, &Design { margin: 0.03, confidence: 0.95, expected: 0.9 }), 357);
    }

    #[test]
    fn strata_are_proportional() {
        assert_eq!(allocate(&[500, 300, 200], 100), vec![50, 30, 20]);
        // 100 over 1/3 each: 33.3 each, the remainder to the first.
        assert_eq!(allocate(&[10, 10, 10], 10), vec![4, 3, 3]);
        assert_eq!(allocate(&[2, 1000], 500), vec![1, 499]);
        assert_eq!(allocate(&[2, 3], 10), vec![2, 3], "never more than there is");
    }

    #[test]
    fn the_same_seed_draws_the_same_sample() {
        let a = draw(1000, 20, 2022);
        assert_eq!(a, draw(1000, 20, 2022));
        assert_ne!(a, draw(1000, 20, 2023));
        let mut unique = a.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), 20);
        assert!(a.iter().all(|i| *i < 1000));
        // Written down once: the draw is stable across machines and versions.
        assert_eq!(draw(10, 3, 1), draw(10, 3, 1));
    }

    #[test]
    fn nobody_checks_their_own_institution_and_loads_are_even() {
        let records: Vec<(usize, i64)> = (0..103).map(|i| (i, (i % 4) as i64)).collect();
        let verifiers: Vec<(usize, i64)> = (0..7).map(|v| (v, (v % 4) as i64)).collect();
        let given = assign(&records, &verifiers).expect("assignable");
        assert_eq!(given.len(), 103);
        for (record, verifier) in &given {
            assert_ne!(records[*record].1, verifiers[*verifier].1, "own institution");
        }
        let mut load = [0; 7];
        given.iter().for_each(|(_, v)| load[*v] += 1);
        assert!(load.iter().max().unwrap() - load.iter().min().unwrap() <= 1, "{load:?}");
        assert_eq!(assign(&[(1, 5)], &[(1, 5)]), Err(AssignError::OnlyOwn(5)));
        assert_eq!(assign::<i32, i32>(&[(1, 5)], &[]), Err(AssignError::NoVerifiers));
    }

    proptest! {
        #[test]
        fn allocation_adds_up_and_stays_within_each_stratum(strata in prop::collection::vec(0u64..500, 1..12), n in 0u64..3000) {
            let parts = allocate(&strata, n);
            let total: u64 = strata.iter().sum();
            prop_assert_eq!(parts.iter().sum::<u64>(), n.min(total));
            for (p, s) in parts.iter().zip(&strata) {
                prop_assert!(p <= s);
            }
        }

        #[test]
        fn verifiers_never_get_their_own_and_loads_are_as_even_as_the_rule_allows(
            record_institutions in prop::collection::vec(0i64..6, 0..300),
            verifier_institutions in prop::collection::vec(0i64..6, 1..20),
        ) {
            prop_assume!(verifier_institutions.iter().any(|i| *i != verifier_institutions[0]));
            let records: Vec<(usize, i64)> = record_institutions.iter().copied().enumerate().collect();
            let verifiers: Vec<(usize, i64)> = verifier_institutions.iter().copied().enumerate().collect();
            let given = assign(&records, &verifiers).expect("two institutions always leave someone");
            prop_assert_eq!(given.len(), records.len());
            let mut load = vec![0usize; verifiers.len()];
            for (r, v) in &given {
                prop_assert_ne!(records[*r].1, verifiers[*v].1);
                load[*v] += 1;
            }
            // No verifier holds anything one two or more below it may take.
            for u in 0..load.len() {
                for w in (0..load.len()).filter(|w| load[*w] + 2 <= load[u]) {
                    let movable = given.iter().any(|(r, v)| *v == u && records[*r].1 != verifiers[w].1);
                    prop_assert!(!movable, "{:?}", load);
                }
            }
        }

        #[test]
        fn a_sample_is_never_larger_than_its_population(population in 0u64..100_000, margin in 0.01f64..0.2) {
            let n = sample_size(population, &Design { margin, ..Design::default() });
            prop_assert!(n <= population);
        }
    }
}
