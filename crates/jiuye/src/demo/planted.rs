//! Planted anomalies (埋设的异常): a few institutions, named by code, whose
//! records are bent so the anomaly scan (统计核查) has something to find, one
//! signal each, scaled to the demo's size so they fire at a test's few
//! thousand graduates as at the full 450,000; and a demo real-name census
//! (实名普查) with answers, so the census page shows figures on first start.
//! The README's table lists them.
//!
//! The choice of graduates is pure and seeded (`Plan::choose`); the
//! destinations generator asks the plan what each graduate gets, and the
//! night's bulk edit is written once the staff accounts exist (`night_edit`).

use std::collections::HashMap;

use chrono::{Duration, NaiveDate};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use kernel::audit::AuditActor;
use kernel::{time, Tx};
use outcomes::destinations::{Appended, Checked, Codes, Owner};
use verification::signals::Thresholds;

use super::{DemoError, COHORT};

/// What is planted at an institution.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Anomaly {
    /// A quarter of the graduates recorded placed within five days of May.
    SuddenRise,
    /// Over half of the graduates in 12 (其他录用形式) or 76 (自由职业).
    FlexibleShare,
    /// Graduates recorded at one employer outside the registry whose credit code fails its check.
    DubiousEmployer,
    /// One staff account rewriting many records within the hour before midnight on 30 August.
    NightEdit,
    /// Most graduates on agreements (10), almost none signed in the platform.
    LowSigning,
    /// One document file behind many graduates' labour contracts.
    SharedEvidence,
}

/// The planted institutions, by code (all among the demo's larger ones).
pub const PLANTED: &[(&str, Anomaly)] = &[
    ("10536", Anomaly::SuddenRise),      // 长沙理工大学
    ("10537", Anomaly::FlexibleShare),   // 湖南农业大学
    ("10538", Anomaly::DubiousEmployer), // 中南林业科技大学
    ("10530", Anomaly::NightEdit),       // 湘潭大学 (the `staff` account's own)
    ("10534", Anomaly::LowSigning),      // 湖南科技大学
    ("10542", Anomaly::SharedEvidence),  // 湖南师范大学
];

/// The institutions the demo census asks (湘潭大学 first, so the demo accounts see it).
pub const CENSUS: &[&str] = &["10530", "10532", "10537"];

/// The days of the sudden rise (China time).
const RISE_FROM: (u32, u32) = (5, 16);
const RISE_DAYS: i64 = 5;
/// Shares of an institution's graduates the plants take.
const RISE_SHARE: f64 = 0.25;
const FLEXIBLE_SHARE: f64 = 0.55;
const AGREEMENT_SHARE: f64 = 0.6;
/// The share of agreements the low-signing institution signs in the platform.
pub const LOW_ONLINE_SHARE: f64 = 0.03;

/// The dubious employer: a name, and a credit code whose check character is wrong.
pub const DUBIOUS_NAME: &str = "湖南鑫源人力资源服务有限公司";
const DUBIOUS_FIRST17: &str = "91430102MA4L7Q8R3";

pub fn dubious_credit_code() -> String {
    let right = kernel::validate::credit_code_check_char(DUBIOUS_FIRST17).unwrap_or('0');
    format!("{DUBIOUS_FIRST17}{}", if right == '0' { '1' } else { '0' })
}

/// What one planted graduate gets.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Role {
    /// Placed, recorded on this day of the rise.
    Rise(NaiveDate),
    /// Placed in this flexible category.
    Flexible(&'static str),
    /// At the dubious employer (code 11).
    Dubious,
    /// On an agreement (10), signed on paper.
    Agreement,
    /// A labour contract (11) whose document is the shared file.
    SharedEvidence,
}

/// Which graduates carry which plant, and the night edit's institution and size.
#[derive(Debug, Default)]
pub struct Plan {
    pub roles: HashMap<i64, Role>,
    /// Institution id → its share of agreements signed online, where planted.
    pub online_share: HashMap<i64, f64>,
    /// (institution id, changes to make) of the night edit.
    pub night_edit: Option<(i64, usize)>,
    /// The institution ids planted, by anomaly.
    pub planted: HashMap<Anomaly, i64>,
}

/// At least `share` of `n`, and never fewer than `floor` (up to all `n`).
fn scaled(n: usize, share: f64, floor: u64) -> usize {
    ((n as f64 * share).round() as usize).max(floor as usize).min(n)
}

impl Plan {
    /// The plan for the demo's graduates: `institutions` are (id, code),
    /// `graduates` (graduate id, institution id); `t` the thresholds the plants
    /// must pass (the defaults a new deployment scans with).
    pub fn choose(seed: u64, institutions: &[(i64, String)], graduates: &[(i64, i64)], t: &Thresholds) -> Plan {
        let mut rng = ChaCha8Rng::seed_from_u64(seed ^ PLANT_STREAM);
        let mut of: HashMap<i64, Vec<i64>> = HashMap::new();
        for (g, i) in graduates {
            of.entry(*i).or_default().push(*g);
        }
        let rise_from = NaiveDate::from_ymd_opt(COHORT as i32, RISE_FROM.0, RISE_FROM.1).unwrap_or_default();
        let mut plan = Plan::default();
        for (code, anomaly) in PLANTED {
            let Some((id, _)) = institutions.iter().find(|(_, c)| c.as_str() == *code) else { continue };
            let mut ids = of.get(id).cloned().unwrap_or_default();
            ids.sort_unstable();
            ids.shuffle(&mut rng);
            let n = ids.len();
            plan.planted.insert(*anomaly, *id);
            let take = match anomaly {
                Anomaly::SuddenRise => scaled(n, RISE_SHARE, 0),
                Anomaly::FlexibleShare => scaled(n, FLEXIBLE_SHARE, 0),
                Anomaly::DubiousEmployer => scaled(n, 0.03, t.cluster_min + t.cluster_min / 2),
                Anomaly::LowSigning => scaled(n, AGREEMENT_SHARE, 0),
                Anomaly::SharedEvidence => scaled(n, 0.01, t.evidence_reuse_min + t.evidence_reuse_min / 2),
                Anomaly::NightEdit => {
                    // A fifth over the threshold, or one change for every fifty graduates.
                    let changes = ((t.bulk_changes + t.bulk_changes / 5) as usize).max(n / 50);
                    plan.night_edit = Some((*id, changes));
                    0
                }
            };
            for (k, g) in ids.into_iter().take(take).enumerate() {
                let role = match anomaly {
                    Anomaly::SuddenRise => Role::Rise(rise_from + Duration::days(k as i64 % RISE_DAYS)),
                    Anomaly::FlexibleShare => Role::Flexible(if rng.gen_bool(0.75) { "12" } else { "76" }),
                    Anomaly::DubiousEmployer => Role::Dubious,
                    Anomaly::LowSigning => Role::Agreement,
                    Anomaly::SharedEvidence => Role::SharedEvidence,
                    Anomaly::NightEdit => continue,
                };
                plan.roles.insert(g, role);
            }
            if *anomaly == Anomaly::LowSigning {
                plan.online_share.insert(*id, LOW_ONLINE_SHARE);
            }
        }
        plan
    }

    /// Whether the graduate's institution is the night edit's.
    pub fn in_night_edit(&self, institution: i64) -> bool {
        self.night_edit.is_some_and(|(i, _)| i == institution)
    }
}

/// Mixed into the seed for the plants' own stream.
const PLANT_STREAM: u64 = 0x0070_6c61_6e74_6564;

/// A record the night edit may rewrite: recorded before 30 August.
pub struct NightCandidate {
    pub owner: Owner,
    pub destination: Checked,
    pub employer_id: Option<i64>,
}

/// The night edit: one staff account rewrites `changes` records (its
/// candidates in turn, again when there are fewer) between 23:00 and 23:59 on
/// 30 August, China time, the night before the 31 August statistics date.
/// Each record is written again as it was, so the rate does not move.
pub async fn night_edit(
    tx: &mut Tx,
    codes: &Codes,
    candidates: &[NightCandidate],
    changes: usize,
    staff: (i64, &str),
) -> Result<usize, DemoError> {
    if candidates.is_empty() || changes == 0 {
        return Ok(0);
    }
    let start = chrono::DateTime::parse_from_rfc3339(&format!("{COHORT}-08-30T23:00:00+08:00"))
        .map(|t| t.to_utc())
        .unwrap_or_default();
    let step = 3_540_000 / changes as i64;
    let events: Vec<Appended> = (0..changes)
        .map(|j| {
            let c = &candidates[j % candidates.len()];
            let mut destination = c.destination.clone();
            destination.note = Some("批量更新".to_owned());
            Appended {
                owner: Owner {
                    graduate_id: c.owner.graduate_id,
                    cohort: c.owner.cohort,
                    institution_id: c.owner.institution_id,
                },
                destination,
                at: time::format_utc(start + Duration::milliseconds(step * j as i64)),
                employer_id: c.employer_id,
                documents: Vec::new(),
            }
        })
        .collect();
    let who = AuditActor { account_id: Some(staff.0), label: staff.1.to_owned(), client_addr: None };
    outcomes::destinations::append_many(tx, &who, codes, events).await?;
    Ok(changes)
}

/// The demo census: asks the graduates of `CENSUS`' institutions, open for a
/// month from today, with the answers of about three in five of those who
/// had confirmed or disputed their record. Returns (census id, answers).
pub async fn census(tx: &mut Tx, seed: u64, admin: i64) -> Result<(i64, usize), DemoError> {
    let mut institutions = Vec::new();
    for code in CENSUS {
        if let Some(r) = tx.fetch_optional("SELECT id FROM institutions WHERE code = $1", &[(*code).into()]).await? {
            institutions.push(r.i64("id")?);
        }
    }
    let ends_on = time::today_china() + Duration::days(30);
    let who = AuditActor::system("demo");
    let title = format!("{COHORT}届毕业去向实名普查（演示）");
    let (id, _) = verification::census::create(tx, &who, COHORT, admin, &title, ends_on, &institutions).await?;
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ PLANT_STREAM ^ 0x63);
    let mut answers = Vec::new();
    for institution in &institutions {
        for (graduate, confirmation, reason) in outcomes::destinations::answers_of(tx, COHORT, *institution).await? {
            if confirmation != "pending" && rng.gen_bool(0.6) {
                answers.push((graduate, (confirmation == "disputed").then(|| reason.unwrap_or_default())));
            }
        }
    }
    verification::census::keep_answers(tx, id, &answers).await?;
    Ok((id, answers.len()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    /// (institutions as (id, code), graduates as (id, institution)).
    type Province = (Vec<(i64, String)>, Vec<(i64, i64)>);

    fn province() -> Province {
        let institutions: Vec<(i64, String)> =
            PLANTED.iter().enumerate().map(|(i, (c, _))| (i as i64 + 1, c.to_string())).collect();
        let graduates = (0..600).map(|g| (g, g % 6 + 1)).collect();
        (institutions, graduates)
    }

    #[test]
    fn plants_scale_with_the_institution_and_pass_the_thresholds() {
        let (institutions, graduates) = province();
        let t = Thresholds::default();
        let plan = Plan::choose(7, &institutions, &graduates, &t);
        let count = |f: &dyn Fn(&Role) -> bool| plan.roles.values().filter(|r| f(r)).count();
        assert_eq!(count(&|r| matches!(r, Role::Rise(_))), 25, "a quarter of 100");
        assert_eq!(count(&|r| matches!(r, Role::Flexible(_))), 55);
        assert_eq!(count(&|r| *r == Role::Dubious) as u64, t.cluster_min + t.cluster_min / 2);
        assert_eq!(count(&|r| *r == Role::SharedEvidence) as u64, t.evidence_reuse_min + t.evidence_reuse_min / 2);
        assert_eq!(count(&|r| *r == Role::Agreement), 60);
        let (_, changes) = plan.night_edit.expect("a night edit");
        assert!(changes as u64 > t.bulk_changes);
        // Every rise inside the five days.
        let days: HashSet<NaiveDate> =
            plan.roles.values().filter_map(|r| if let Role::Rise(d) = r { Some(*d) } else { None }).collect();
        assert_eq!(days.len(), 5);
        // The same seed, the same graduates.
        assert_eq!(Plan::choose(7, &institutions, &graduates, &t).roles, plan.roles);
        // At the full size the shares grow with the institution.
        let big: Vec<(i64, i64)> = (0..60_000).map(|g| (g, g % 6 + 1)).collect();
        let plan = Plan::choose(7, &institutions, &big, &t);
        assert_eq!(plan.roles.values().filter(|r| **r == Role::Dubious).count(), 300);
        assert_eq!(plan.night_edit.map(|(_, n)| n), Some(200));
    }

    #[test]
    fn the_dubious_credit_code_fails_its_check() {
        assert!(kernel::validate::credit_code(&dubious_credit_code()).is_err());
        assert_eq!(dubious_credit_code().len(), 18);
    }
}
