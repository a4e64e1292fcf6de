//! The demo's verification under way: the anomaly scan kept as findings, and a
//! sampled phone-check campaign (抽样核查) over three of the planted
//! institutions and the top and bottom of the ranking, its calls two-thirds
//! made, so 核查结果 shows a corrected rate on first start while the other
//! planted findings wait for the province to act on them.

use std::collections::{HashMap, HashSet};

use kernel::audit::AuditActor;
use kernel::{Db, Locale};
use outcomes::statistics::{definition_of, Placements};
use rand::Rng;
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha8Rng;
use verification::campaigns::{self, Call, Launch, Outcome};
use verification::findings;
use verification::sampling::Design;

use super::planted::{Anomaly, PLANTED};
use super::{DemoError, COHORT};

/// The planted institutions the campaign takes; the others' findings stay open.
const TAKEN: [Anomaly; 3] = [Anomaly::SuddenRise, Anomaly::DubiousEmployer, Anomaly::SharedEvidence];
/// Institutions from each end of the ranking.
const ENDS: usize = 2;
/// Institutions whose staff make the calls.
const VERIFYING: usize = 8;
/// Share of the sample called so far.
const CALLED: f64 = 2.0 / 3.0;
/// Among calls reached at a planted institution, the share found elsewhere.
const DIFFERENT_AT_PLANTED: f64 = 0.3;
/// Elsewhere, the share found elsewhere.
const DIFFERENT_ELSEWHERE: f64 = 0.03;
/// What a call finds when the record was not true: still job hunting (待就业-求职中).
const FOUND: &str = "701";
/// Mixed into the seed for the campaign's own random stream.
const CAMPAIGN_STREAM: u64 = 0x6361_6d70_6169_676e;

/// What the campaign wrote: (findings kept, records sampled, calls made).
#[derive(Debug, Default, Clone, Copy)]
pub struct Written {
    pub findings: usize,
    pub sampled: usize,
    pub calls: usize,
}

/// Scans, keeps the findings and runs the campaign; nothing when the cohort has no destinations.
pub async fn generate(db: &Db, seed: u64, home_province: &str) -> Result<Written, DemoError> {
    let system = AuditActor::system("demo");
    let Some(kept) = findings::scan_and_keep(db, &system, COHORT, None).await? else {
        return Ok(Written::default());
    };
    let codes: HashMap<String, (i64, String)> = db
        .fetch_all("SELECT id, code, name FROM institutions", &[])
        .await?
        .iter()
        .map(|r| Ok((r.text("code")?, (r.i64("id")?, r.text("name")?))))
        .collect::<kernel::DbResult<_>>()?;
    let planted: Vec<&(i64, String)> = PLANTED
        .iter()
        .filter(|(_, anomaly)| TAKEN.contains(anomaly))
        .filter_map(|(code, _)| codes.get(*code))
        .collect();
    let d = definition_of(db, COHORT, "").await?;
    let ranked = campaigns::ranking(&Placements::new(db.clone(), home_province), COHORT, d, Locale::Zh).await?;
    let mut chosen: Vec<(i64, String)> = planted.iter().map(|(id, _)| (*id, "finding".to_owned())).collect();
    let ends =
        ranked.iter().take(ENDS).map(|r| (r.0, "top")).chain(ranked.iter().rev().take(ENDS).map(|r| (r.0, "bottom")));
    for (id, why) in ends {
        match chosen.iter_mut().find(|(i, _)| *i == id) {
            Some((_, whys)) => *whys = format!("{whys},{why}"),
            None => chosen.push((id, why.to_owned())),
        }
    }
    let design = Design { margin: 0.1, ..Design::default() };
    let planned = campaigns::plan(db, COHORT, &chosen, &design).await?;
    let ids: Vec<i64> = planned.iter().map(|p| p.institution_id).collect();
    let verifiers = verifiers(db, &ids).await?;
    let drawn = campaigns::draw(db, COHORT, &ids, &design, seed).await?;
    let admin = db.scalar_i64("SELECT id FROM accounts WHERE username = 'admin'", &[]).await?;
    let reported: HashMap<i64, f64> = ranked.into_iter().collect();
    let launch = Launch {
        cohort: COHORT,
        name: "2022 届毕业去向抽样核查（第一批）",
        design,
        seed,
        definition: d.key(),
        created_by: admin,
        planned: &planned,
        reported: &reported,
        verifiers: &verifiers,
    };
    let mut tx = db.begin().await?;
    let Ok(_) = campaigns::launch(&mut tx, &system, &launch, &drawn).await? else {
        return Err(DemoError::Missing("verifiers from other institutions"));
    };
    tx.commit().await?;
    let planted: HashSet<&str> = planted.iter().map(|(_, name)| name.as_str()).collect();
    let calls = calls(db, seed, &verifiers, &planted).await?;
    Ok(Written { findings: kept, sampled: drawn.len(), calls })
}

/// The staff of the first institutions outside the campaign.
async fn verifiers(db: &Db, taken: &[i64]) -> Result<Vec<campaigns::Verifier>, DemoError> {
    let mut by_institution: Vec<campaigns::Verifier> = Vec::new();
    for v in campaigns::staff_accounts(db).await? {
        let counted = by_institution.iter().any(|b| b.institution_id == v.institution_id);
        if !taken.contains(&v.institution_id) && !counted && by_institution.len() < VERIFYING {
            by_institution.push(v);
        }
    }
    Ok(by_institution)
}

/// Each verifier makes about two-thirds of its calls: mostly confirmed, some
/// unreachable, and at the planted institutions many found elsewhere.
/// (Tasks name their institution, not its id.)
async fn calls(
    db: &Db,
    seed: u64,
    verifiers: &[campaigns::Verifier],
    planted: &HashSet<&str>,
) -> Result<usize, DemoError> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ CAMPAIGN_STREAM);
    let mut tasks = Vec::new();
    for v in verifiers {
        tasks.extend(campaigns::queue(db, v.account_id, Locale::Zh).await?);
    }
    let who = AuditActor::system("demo");
    let mut made = 0;
    let mut tx = db.begin().await?;
    for task in tasks {
        if !rng.gen_bool(CALLED) {
            continue;
        }
        let different = match planted.contains(task.institution.as_str()) {
            true => DIFFERENT_AT_PLANTED,
            false => DIFFERENT_ELSEWHERE,
        };
        let outcome = match rng.gen::<f64>() {
            r if r < 0.08 => Outcome::Unreachable,
            r if r < 0.10 => Outcome::Refused,
            r if r < 0.10 + different * 0.9 => Outcome::Different,
            _ => Outcome::Confirmed,
        };
        let (found, note) = match outcome {
            Outcome::Different => (Some((FOUND, "")), "本人称尚未就业，仍在求职"),
            _ => (None, ""),
        };
        campaigns::record_call(&mut tx, &who, &task, &Call { outcome, found, note, document: None }).await?;
        made += 1;
    }
    tx.commit().await?;
    Ok(made)
}
