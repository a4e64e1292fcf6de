//! Demo expert review (issue 15, part 3): an expert pool of forty, each with
//! an expert-role account (the demo `expert` login is the first of them),
//! and the closed 2022 calls reviewed through the round's own store:
//! settings, a conflict-free assignment, every expert's marks (seeded
//! around a latent quality of each application and a leniency of each
//! expert) submitted, and the decision within quotas written as outcomes.

use std::collections::{HashMap, HashSet};

use ::programmes::review::conflicts::{self, Person};
use ::programmes::review::pool::NewExpert;
use ::programmes::review::round::{self, Dim, Settings};
use ::programmes::review::round_store::{self, Assignment};
use ::programmes::review::scores::{Candidate, Mark, Method};
use ::programmes::review::{assignment, store};
use kernel::audit::AuditActor;
use kernel::db::Value;
use kernel::Tx;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::DemoError;

const SURNAMES: [&str; 20] = [
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "周", "吴", "徐", "孙", "胡", "朱", "高", "林", "何", "郭", "马",
    "罗",
];
const GIVEN: [&str; 10] = ["建国", "丽华", "志强", "敏", "海涛", "静", "立新", "雪梅", "文斌", "晓东"];
const TITLES: [&str; 3] = ["教授", "研究员", "高级工程师"];
const UNITS: [&str; 4] = ["省人力资源和社会保障厅", "省就业服务中心", "省创业孵化协会", "长沙高新区管委会"];
const FIELDS: [&str; 3] = ["04", "0812", "1202"];
const COMMENTS: [&str; 4] = [
    "选题切合实际，方案可行，建议立项。",
    "研究基础较好，论证尚需加强。",
    "创新性一般，成果形式需进一步明确。",
    "团队结构合理，预期成果明确。",
];

/// Experts in the pool.
pub const EXPERTS: usize = 40;

/// The pool and the reviewed calls: (experts, calls decided).
/// Also each reviewed application's final score, which the notices show.
pub async fn generate(tx: &mut Tx, rng: &mut ChaCha8Rng) -> Result<((usize, usize), HashMap<i64, f64>), DemoError> {
    let who = AuditActor::system("demo");
    let base = tx
        .fetch_optional("SELECT id, password_hash, created_at FROM accounts WHERE username = 'expert'", &[])
        .await?
        .ok_or(DemoError::Missing("the expert account"))?;
    let (hash, now) = (base.text("password_hash")?, base.text("created_at")?);
    let rows: Vec<Vec<Value>> = (1..EXPERTS)
        .map(|n| {
            vec![
                format!("expert{n:02}").into(),
                "评审专家".into(),
                hash.as_str().into(),
                kernel::auth::Role::Expert.as_str().into(),
                true.into(),
                now.as_str().into(),
            ]
        })
        .collect();
    tx.insert_many("accounts", &["username", "display_name", "password_hash", "role", "active", "created_at"], rows)
        .await?;
    let institutions: Vec<i64> = tx
        .fetch_all("SELECT id FROM institutions ORDER BY code", &[])
        .await?
        .iter()
        .map(|r| r.i64("id"))
        .collect::<kernel::DbResult<_>>()?;
    let mut profiles = Vec::new();
    for n in 0..EXPERTS {
        let username = if n == 0 { "expert".to_owned() } else { format!("expert{n:02}") };
        let account = tx
            .fetch_one("SELECT id FROM accounts WHERE username = $1", &[username.as_str().into()])
            .await?
            .i64("id")?;
        let at_university = n % 2 == 0 && !institutions.is_empty();
        let institution = at_university.then(|| institutions[(n * 7) % institutions.len()]);
        let e = NewExpert {
            name: format!("{}{}", SURNAMES[n % SURNAMES.len()], GIVEN[(n / 2) % GIVEN.len()]),
            institution_id: institution,
            affiliation: if at_university { String::new() } else { UNITS[n % UNITS.len()].to_owned() },
            title: TITLES[n % TITLES.len()].to_owned(),
            phone: format!("139{:08}", 73100000 + n),
            fields: vec![FIELDS[n % FIELDS.len()].to_owned()],
            account: Some(username),
        };
        let id = store::create(tx, &who, &e, Some(account)).await?;
        profiles.push(conflicts::Expert {
            id,
            person: Person::new(&e.name, institution),
            fields: e.fields.clone(),
            ..conflicts::Expert::default()
        });
    }
    let calls = tx
        .fetch_all(
            "SELECT id, rounds, quota_default FROM programme_calls WHERE year = 2022 AND status = 'closed' ORDER BY id",
            &[],
        )
        .await?;
    let mut decided = 0;
    let mut scores = HashMap::new();
    for c in &calls {
        let (call, rounds, quota) = (c.i64("id")?, c.text("rounds")?, c.i64("quota_default")?);
        if let Some(ranked) = review_call(tx, &who, rng, call, &rounds, quota, &profiles).await? {
            scores.extend(ranked);
            decided += 1;
        }
    }
    Ok(((EXPERTS, decided), scores))
}

/// Sets up, assigns, scores and decides one call; its final scores, None when it has nothing to review.
async fn review_call(
    tx: &mut Tx,
    who: &AuditActor,
    rng: &mut ChaCha8Rng,
    call: i64,
    rounds: &str,
    quota: i64,
    profiles: &[conflicts::Expert],
) -> Result<Option<Vec<(i64, f64)>>, DemoError> {
    let rows = tx
        .fetch_all(
            "SELECT id, institution_id, track, leader_name FROM programme_applications \
             WHERE call_id = $1 AND status = $2 ORDER BY id",
            &[call.into(), round::review_status(rounds).into()],
        )
        .await?;
    if rows.is_empty() {
        return Ok(None);
    }
    let mut apps = Vec::new();
    let mut tracks = HashMap::new();
    for r in &rows {
        let (id, inst) = (r.i64("id")?, r.i64("institution_id")?);
        tracks.insert(id, r.text("track")?);
        apps.push(conflicts::Application {
            id,
            institution_id: Some(inst),
            field: "04".into(),
            leader: Person::new(&r.text("leader_name")?, Some(inst)),
            ..conflicts::Application::default()
        });
    }
    let settings = Settings {
        k: 5,
        load_limit: 25,
        mismatch: 20,
        field: "04".into(),
        blind: call % 2 == 0,
        method: if call % 2 == 0 { Method::ZScore } else { Method::TrimmedMean },
        spread: 25,
    };
    round_store::save_settings(tx, who, call, &settings).await?;
    let s = assignment::Settings { k: 5, limit: 25, mismatch: 20, load_weight: 1, blind: settings.blind };
    let result = assignment::assign(&apps, profiles, &s);
    let pairs: Vec<(i64, i64)> = result
        .experts_of
        .iter()
        .enumerate()
        .flat_map(|(i, es)| {
            let app = apps[i].id;
            es.iter().map(move |&j| (app, profiles[j].id))
        })
        .collect();
    round_store::assign(tx, who, call, &pairs).await?;

    let rubric: Vec<Dim> = tx
        .fetch_all(
            "SELECT id, points, weight, track FROM programme_rubric WHERE call_id = $1 ORDER BY position, id",
            &[call.into()],
        )
        .await?
        .iter()
        .map(|r| {
            Ok(Dim { id: r.i64("id")?, points: r.i64("points")?, weight: r.i64("weight")?, track: r.text("track")? })
        })
        .collect::<kernel::DbResult<_>>()?;
    let quality: HashMap<i64, f64> = apps.iter().map(|a| (a.id, rng.gen_range(0.55..0.92))).collect();
    let leniency: HashMap<i64, f64> = profiles.iter().map(|e| (e.id, rng.gen_range(-0.06..0.06))).collect();
    let assigned = tx
        .fetch_all(
            "SELECT id, application_id, expert_id FROM review_assignments WHERE call_id = $1 ORDER BY id",
            &[call.into()],
        )
        .await?;
    let mut marks = Vec::new();
    for r in &assigned {
        let a = Assignment {
            id: r.i64("id")?,
            call_id: call,
            application_id: r.i64("application_id")?,
            expert_id: r.i64("expert_id")?,
            expert_name: String::new(),
            state: round::ASSIGNED.into(),
            recuse_reason: String::new(),
            comment: String::new(),
            submitted_at: None,
        };
        let track = tracks.get(&a.application_id).map(String::as_str).unwrap_or("");
        let dims = round::dims_for(&rubric, track);
        let level = quality[&a.application_id] + leniency[&a.expert_id];
        let given: Vec<(i64, i64)> = dims
            .iter()
            .map(|d| {
                let x = (level + rng.gen_range(-0.05..0.05)).clamp(0.0, 1.0);
                (d.id, ((d.points as f64) * x).round() as i64)
            })
            .collect();
        let comment = COMMENTS[rng.gen_range(0..COMMENTS.len())];
        round_store::save_marks(tx, who, &a, &given, comment, true).await?;
        let kept: HashMap<i64, i64> = given.into_iter().collect();
        if let Some(total) = round::total(&dims, &kept) {
            marks.push(Mark { expert: a.expert_id, application: a.application_id, total });
        }
    }
    let ranked = round::ranking(&marks, settings.method, &settings.spread_rule());
    let inst: HashMap<i64, i64> = apps.iter().map(|a| (a.id, a.institution_id.unwrap_or_default())).collect();
    let candidates: Vec<Candidate> = ranked
        .iter()
        .map(|r| Candidate { id: r.application, institution_id: inst[&r.application], score: r.score })
        .collect();
    let caps: HashMap<i64, usize> = tx
        .fetch_all("SELECT institution_id, quota FROM programme_call_quotas WHERE call_id = $1", &[call.into()])
        .await?
        .iter()
        .map(|r| Ok((r.i64("institution_id")?, r.i64("quota")?.max(0) as usize)))
        .collect::<kernel::DbResult<_>>()?;
    let slots = (candidates.len() * 6 / 10).max(1);
    let default_cap = (quota > 0).then_some(quota as usize);
    let outcomes = round::decide(&candidates, slots, &caps, default_cap, &HashSet::new()).unwrap_or_default();
    round_store::decide(tx, who, call, slots as i64, &outcomes).await?;
    Ok(Some(ranked.iter().map(|r| (r.application, r.score)).collect()))
}
