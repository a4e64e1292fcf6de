//! Assigning experts to applications: each application gets `k` experts,
//! each expert at most `limit` applications, never a conflicted pair. Among
//! the assignments that do so the one of least cost is chosen, cost being the
//! field mismatch of every pair plus a convex load cost per expert
//! (`load_weight × load²`, so loads even out). Computed as a min-cost flow:
//! source → application (capacity k) → expert (capacity 1, the pair's
//! mismatch) → sink through `limit` unit arcs costing `load_weight × (2j − 1)`
//! for the j-th application, whose sum is `load_weight × load²`.
//!
//! When not every application can get `k` experts the best partial
//! assignment is kept and the short ones are reported with the reason.

use super::conflicts::{conflicts, Application, Expert};
use super::flow::MinCostFlow;

/// The assignment's settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settings {
    /// Experts per application.
    pub k: usize,
    /// Applications per expert at most.
    pub limit: usize,
    /// The cost of a pair whose fields differ entirely; half of it when only
    /// the discipline (the first two characters of the code) is shared.
    pub mismatch: i64,
    /// The weight of the convex load cost.
    pub load_weight: i64,
    /// Blind review: experts see neither names nor institutions.
    pub blind: bool,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings { k: 5, limit: 25, mismatch: 20, load_weight: 1, blind: false }
    }
}

/// The cost of an expert reviewing an application of `field`.
pub fn field_cost(field: &str, expert_fields: &[String], mismatch: i64) -> i64 {
    if expert_fields.iter().any(|f| f == field) {
        0
    } else if field.chars().count() >= 2
        && expert_fields.iter().any(|f| f.chars().take(2).eq(field.chars().take(2)) && f.chars().count() >= 2)
    {
        mismatch / 2
    } else {
        mismatch
    }
}

/// Why an application is short of experts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shortage {
    /// Fewer experts than `k` are free of conflicts with it.
    TooFewFree { free: usize },
    /// Enough free experts, but their load limits are used up elsewhere.
    LoadLimits { free: usize },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Short {
    /// Index into the applications given.
    pub application: usize,
    pub assigned: usize,
    pub why: Shortage,
}

/// The result: for each application (by index) the indexes of its experts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    pub experts_of: Vec<Vec<usize>>,
    pub loads: Vec<usize>,
    pub cost: i64,
    pub short: Vec<Short>,
    /// Shortest-path searches the flow made.
    pub searches: usize,
}

impl Assignment {
    pub fn feasible(&self) -> bool {
        self.short.is_empty()
    }
}

/// The cost of a given assignment under the settings (what the flow minimises).
pub fn cost_of(apps: &[Application], experts: &[Expert], experts_of: &[Vec<usize>], s: &Settings) -> i64 {
    let mut loads = vec![0i64; experts.len()];
    let mut cost = 0;
    for (i, es) in experts_of.iter().enumerate() {
        for &j in es {
            cost += field_cost(&apps[i].field, &experts[j].fields, s.mismatch);
            loads[j] += 1;
        }
    }
    cost + loads.iter().map(|l| s.load_weight * l * l).sum::<i64>()
}

/// The least-cost conflict-free assignment (or the best partial one).
pub fn assign(apps: &[Application], experts: &[Expert], s: &Settings) -> Assignment {
    let free: Vec<Vec<usize>> =
        apps.iter().map(|a| (0..experts.len()).filter(|&j| conflicts(&experts[j], a).is_empty()).collect()).collect();
    assign_free(apps, experts, &free, s)
}

/// As [`assign`], with each application's conflict-free experts given (by
/// index), for callers that computed conflicts already.
pub fn assign_free(apps: &[Application], experts: &[Expert], free: &[Vec<usize>], s: &Settings) -> Assignment {
    let (n, m) = (apps.len(), experts.len());
    let source = n + m;
    let sink = source + 1;
    let mut g = MinCostFlow::new(n + m + 2);
    for i in 0..n {
        g.add(source, i, s.k as i64, 0);
    }
    let mut pairs = Vec::new();
    for (i, js) in free.iter().enumerate() {
        for &j in js {
            let id = g.add(i, n + j, 1, field_cost(&apps[i].field, &experts[j].fields, s.mismatch));
            pairs.push((i, j, id));
        }
    }
    for j in 0..m {
        for step in 1..=s.limit as i64 {
            g.add(n + j, sink, 1, s.load_weight * (2 * step - 1));
        }
    }
    let (_, cost) = g.run(source, sink, (n * s.k) as i64);
    let mut experts_of = vec![Vec::new(); n];
    let mut loads = vec![0usize; m];
    for (i, j, id) in pairs {
        if g.flow(id) > 0 {
            experts_of[i].push(j);
            loads[j] += 1;
        }
    }
    let short = experts_of
        .iter()
        .enumerate()
        .filter(|(_, es)| es.len() < s.k)
        .map(|(i, es)| {
            let free = free[i].len();
            let why = if free < s.k { Shortage::TooFewFree { free } } else { Shortage::LoadLimits { free } };
            Short { application: i, assigned: es.len(), why }
        })
        .collect();
    Assignment { experts_of, loads, cost, short, searches: g.searches }
}

#[cfg(test)]
mod tests {
    use super::super::conflicts::Person;
    use super::*;
    use proptest::prelude::*;

    fn expert(id: i64, inst: i64, fields: &[&str]) -> Expert {
        Expert {
            id,
            person: Person::new(&format!("专家{id}"), Some(inst)),
            fields: fields.iter().map(|f| f.to_string()).collect(),
            ..Expert::default()
        }
    }

    fn app(id: i64, inst: i64, field: &str) -> Application {
        Application {
            id,
            institution_id: Some(inst),
            field: field.into(),
            leader: Person::new(&format!("申报人{id}"), Some(inst)),
            ..Application::default()
        }
    }

    #[test]
    fn field_costs() {
        let f = vec!["0812".to_string(), "1202".to_string()];
        assert_eq!(field_cost("0812", &f, 20), 0);
        assert_eq!(field_cost("0835", &f, 20), 10);
        assert_eq!(field_cost("0401", &f, 20), 20);
    }

    #[test]
    fn matches_fields_and_avoids_conflicts() {
        let experts = vec![expert(1, 1, &["0812"]), expert(2, 2, &["0401"]), expert(3, 3, &["0812"])];
        let apps = vec![app(1, 1, "0812"), app(2, 9, "0401")];
        let s = Settings { k: 1, limit: 1, ..Settings::default() };
        let a = assign(&apps, &experts, &s);
        assert!(a.feasible());
        // Expert 0 shares the first application's institution.
        assert_eq!(a.experts_of, vec![vec![2], vec![1]]);
        assert_eq!(a.cost, 2);
    }

    #[test]
    fn evens_loads() {
        let experts = vec![expert(1, 1, &["01"]), expert(2, 2, &["01"])];
        let apps: Vec<_> = (0..4).map(|i| app(i, 9, "01")).collect();
        let a = assign(&apps, &experts, &Settings { k: 1, limit: 4, ..Settings::default() });
        assert_eq!(a.loads, vec![2, 2]);
        assert_eq!(a.cost, 8);
    }

    #[test]
    fn reports_shortages() {
        let experts = vec![expert(1, 1, &["01"]), expert(2, 2, &["01"]), expert(3, 3, &["01"])];
        let apps = vec![app(1, 1, "01"), app(2, 9, "01"), app(3, 9, "01")];
        let a = assign(&apps, &experts, &Settings { k: 3, limit: 3, ..Settings::default() });
        assert!(!a.feasible());
        assert_eq!(a.short, vec![Short { application: 0, assigned: 2, why: Shortage::TooFewFree { free: 2 } }]);
        let a = assign(&apps, &experts, &Settings { k: 2, limit: 1, ..Settings::default() });
        assert_eq!(a.experts_of.iter().map(Vec::len).sum::<usize>(), 3);
        assert!(a.short.iter().all(|s| matches!(s.why, Shortage::LoadLimits { .. })));
    }

    /// A small instance of the benchmark's shape: every application gets k
    /// experts with none conflicted, and with fields alike the loads differ by one at most.
    #[test]
    fn a_seeded_pool_is_assigned_evenly() {
        let experts: Vec<Expert> = (0..30).map(|j| expert(j, j % 10, &["0812"])).collect();
        let apps: Vec<Application> = (0..121).map(|i| app(i, (i * 7) % 10, "0812")).collect();
        let s = Settings { k: 3, limit: 14, ..Settings::default() };
        let a = assign(&apps, &experts, &s);
        assert!(a.feasible(), "{:?}", a.short);
        for (i, es) in a.experts_of.iter().enumerate() {
            assert_eq!(es.len(), 3);
            assert!(es.iter().all(|&j| conflicts(&experts[j], &apps[i]).is_empty()));
        }
        let (lo, hi) = (a.loads.iter().min().unwrap(), a.loads.iter().max().unwrap());
        assert!(hi - lo <= 1, "{:?}", a.loads);
        assert_eq!(a.loads.iter().sum::<usize>(), 363);
    }

    /// The least cost over every assignment by exhaustive search (None: none
    /// gives every application k experts).
    fn brute(apps: &[Application], experts: &[Expert], s: &Settings) -> Option<i64> {
        fn subsets(free: &[usize], k: usize) -> Vec<Vec<usize>> {
            if k == 0 {
                return vec![Vec::new()];
            }
            let mut out = Vec::new();
            for (x, &j) in free.iter().enumerate() {
                for mut rest in subsets(&free[x + 1..], k - 1) {
                    rest.insert(0, j);
                    out.push(rest);
                }
            }
            out
        }
        fn go(
            i: usize,
            choices: &[Vec<Vec<usize>>],
            chosen: &mut Vec<Vec<usize>>,
            loads: &mut [usize],
            limit: usize,
            best: &mut Option<i64>,
            eval: &dyn Fn(&[Vec<usize>]) -> i64,
        ) {
            if i == choices.len() {
                let c = eval(chosen);
                if best.is_none_or(|b| c < b) {
                    *best = Some(c);
                }
                return;
            }
            for set in &choices[i] {
                if set.iter().any(|&j| loads[j] >= limit) {
                    continue;
                }
                set.iter().for_each(|&j| loads[j] += 1);
                chosen.push(set.clone());
                go(i + 1, choices, chosen, loads, limit, best, eval);
                chosen.pop();
                set.iter().for_each(|&j| loads[j] -= 1);
            }
        }
        let choices: Vec<Vec<Vec<usize>>> = apps
            .iter()
            .map(|a| {
                let free: Vec<usize> = (0..experts.len()).filter(|&j| conflicts(&experts[j], a).is_empty()).collect();
                subsets(&free, s.k)
            })
            .collect();
        let mut best = None;
        let eval = |c: &[Vec<usize>]| cost_of(apps, experts, c, s);
        go(0, &choices, &mut Vec::new(), &mut vec![0; experts.len()], s.limit, &mut best, &eval);
        best
    }

    const FIELDS: [&str; 4] = ["0812", "0835", "0401", "1202"];

    fn instance() -> impl Strategy<Value = (Vec<Application>, Vec<Expert>, Settings)> {
        (2usize..=4, 2usize..=5, 1usize..=2, 1usize..=3, 0i64..=3, 0i64..=20).prop_flat_map(
            |(n, m, k, limit, load_weight, mismatch)| {
                (
                    proptest::collection::vec((0i64..4, 0usize..4), n),
                    proptest::collection::vec((0i64..4, proptest::collection::vec(0usize..4, 1..=2)), m),
                )
                    .prop_map(move |(a, e)| {
                        let apps = a.iter().enumerate().map(|(i, &(inst, f))| app(i as i64, inst, FIELDS[f])).collect();
                        let experts = e
                            .iter()
                            .enumerate()
                            .map(|(j, (inst, fs))| {
                                let fs: Vec<&str> = fs.iter().map(|&f| FIELDS[f]).collect();
                                expert(j as i64, *inst, &fs)
                            })
                            .collect();
                        (apps, experts, Settings { k, limit, mismatch, load_weight, blind: false })
                    })
            },
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]
        #[test]
        fn optimal_and_valid((apps, experts, s) in instance()) {
            let a = assign(&apps, &experts, &s);
            // No conflicted pair, no duplicate, loads respected.
            for (i, es) in a.experts_of.iter().enumerate() {
                let mut d = es.clone();
                d.sort_unstable();
                d.dedup();
                prop_assert_eq!(d.len(), es.len());
                prop_assert!(es.len() <= s.k);
                for &j in es {
                    prop_assert!(conflicts(&experts[j], &apps[i]).is_empty());
                }
            }
            prop_assert!(a.loads.iter().all(|&l| l <= s.limit));
            match brute(&apps, &experts, &s) {
                Some(best) => {
                    prop_assert!(a.feasible());
                    prop_assert!(a.experts_of.iter().all(|es| es.len() == s.k));
                    prop_assert_eq!(a.cost, best);
                    prop_assert_eq!(cost_of(&apps, &experts, &a.experts_of, &s), best);
                }
                None => prop_assert!(!a.feasible()),
            }
        }
    }
}
