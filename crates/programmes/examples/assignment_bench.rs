//! Issue 15's assignment target: 2,000 applications × 5 experts each from a
//! pool of 500, conflicts of interest excluded, assigned in under 2 s. Builds
//! a seeded instance (60 institutions, 20 fields in 6 disciplines, each expert
//! with past co-applicants, supervisees and declared relations naming real
//! applicants), finds the conflicts, assigns by min-cost flow and prints the
//! times, the cost and the loads. With `--json PATH` it also writes the
//! instance's flow network (conflicts already excluded) for
//! bench/networkx_assignment.py, which solves the same network with networkx
//! and prints its cost: the two costs must be equal.
//!
//! `cargo run --release -p programmes --example assignment_bench -- [--apps N] [--experts M] [--k K] [--limit L] [--seed S] [--json PATH]`

use std::time::Instant;

use programmes::review::assignment::{self, field_cost, Settings};
use programmes::review::conflicts::{free_experts, Application, Expert, Person};

/// xorshift64*: seeded, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const FIELDS: [&str; 20] = [
    "0401", "0402", "0403", "0812", "0809", "0807", "0802", "1202", "1204", "1201", "1203", "0201", "0202", "0501",
    "0502", "0301", "0302", "1301", "1302", "0701",
];

fn arg(args: &[String], name: &str, default: usize) -> usize {
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (n, m) = (arg(&args, "--apps", 2000), arg(&args, "--experts", 500));
    let s = Settings { k: arg(&args, "--k", 5), limit: arg(&args, "--limit", 25), ..Settings::default() };
    let mut rng = Rng(arg(&args, "--seed", 15) as u64 | 1);
    let json = args.iter().position(|a| a == "--json").and_then(|i| args.get(i + 1)).cloned();
    let institutions = 60;

    let apps: Vec<Application> = (0..n)
        .map(|i| {
            let inst = rng.below(institutions) as i64;
            let members = (0..rng.below(4)).map(|x| Person::new(&format!("成员{i}-{x}"), Some(inst))).collect();
            Application {
                id: i as i64,
                institution_id: Some(inst),
                field: FIELDS[rng.below(FIELDS.len())].to_owned(),
                leader: Person::new(&format!("负责人{i}"), Some(inst)),
                members,
                supervisors: Vec::new(),
                declared_experts: if rng.below(20) == 0 { vec![rng.below(m) as i64] } else { Vec::new() },
            }
        })
        .collect();
    let experts: Vec<Expert> = (0..m)
        .map(|j| {
            // One in five experts works outside the universities.
            let inst = if rng.below(5) == 0 { None } else { Some(rng.below(institutions) as i64) };
            let mut fields = vec![FIELDS[rng.below(FIELDS.len())].to_owned()];
            if rng.below(2) == 0 {
                fields.push(FIELDS[rng.below(FIELDS.len())].to_owned());
            }
            let pick = |rng: &mut Rng| {
                let a = &apps[rng.below(n)];
                a.leader.clone()
            };
            Expert {
                id: j as i64,
                person: Person::new(&format!("专家{j}"), inst),
                fields,
                co_applicants: (0..3).map(|_| pick(&mut rng)).collect(),
                supervisees: (0..2).map(|_| pick(&mut rng)).collect(),
                relations: (0..1).map(|_| pick(&mut rng)).collect(),
            }
        })
        .collect();

    let started = Instant::now();
    let free = free_experts(&apps, &experts);
    let conflicts_ms = started.elapsed().as_secs_f64() * 1000.0;
    let excluded: usize = free.iter().map(|f| m - f.len()).sum();
    let started = Instant::now();
    let a = assignment::assign_free(&apps, &experts, &free, &s);
    let assign_ms = started.elapsed().as_secs_f64() * 1000.0;
    let (lo, hi) = (a.loads.iter().min().copied().unwrap_or(0), a.loads.iter().max().copied().unwrap_or(0));
    let matched: usize = a.experts_of.iter().map(Vec::len).sum();
    println!(
        "{n} applications × {} experts from {m} ({excluded} conflicted pairs excluded): conflicts {conflicts_ms:.0} ms, \
         assignment {assign_ms:.0} ms, total {:.0} ms",
        s.k,
        conflicts_ms + assign_ms
    );
    println!(
        "cost {} (field mismatch + load), {matched} pairs, loads {lo}..{hi}, short {}, {} shortest-path searches",
        a.cost,
        a.short.len(),
        a.searches
    );
    assert!(a.loads.iter().all(|&l| l <= s.limit));

    if let Some(path) = json {
        let pairs: Vec<[i64; 3]> = free
            .iter()
            .enumerate()
            .flat_map(|(i, js)| {
                let apps = &apps;
                let experts = &experts;
                js.iter()
                    .map(move |&j| [i as i64, j as i64, field_cost(&apps[i].field, &experts[j].fields, s.mismatch)])
            })
            .collect();
        let doc = serde_json::json!({
            "applications": n, "experts": m, "k": s.k, "limit": s.limit, "load_weight": s.load_weight,
            "pairs": pairs, "cost": a.cost,
        });
        std::fs::write(&path, doc.to_string()).expect("write the instance");
        println!("instance written to {path}");
    }
}
