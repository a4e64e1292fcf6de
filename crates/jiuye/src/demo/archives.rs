//! Demo archive transfers (档案转递, measure 24 of the 2022 plan): talent
//! centres for Hunan's cities and every province, a transfer for each 2022
//! graduate with its receiver proposed from the destination by the archives'
//! own rule, two batches per institution (deadlines at the end of August and
//! October 2022), and the year's path: most received, some in transit, some
//! returned with a reason and waiting to go again, a few sealed or confirmed
//! only, and the graduates without a valid receiver. Written in bulk
//! (`Tx::insert_many`) so it stays fast at province scale; the demo graduate's
//! own archive is in transit, so its page shows a parcel on the way. Graduates
//! without a recorded destination are taken as unplaced (all but a few).

use std::collections::HashMap;

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use ::archives::flow::State;
use ::archives::rules::{self, Facts};
use kernel::{Tx, Value};

use super::{DemoError, COHORT};

const RETURN_REASONS: [&str; 4] =
    ["接收单位地址变更，无法投递", "接收单位无档案管理权限", "档案材料缺少毕业生登记表", "收件人信息有误，原件退回"];

/// (centres, transfers, received, returned).
pub type Written = (usize, usize, usize, usize);

fn at(day: NaiveDate, hour: u32) -> String {
    let t = day.and_hms_opt(hour, 0, 0).unwrap_or_default();
    kernel::time::format_utc(Utc.from_utc_datetime(&t))
}

fn day(m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2022, m, d).unwrap_or_default()
}

pub async fn generate(tx: &mut Tx, rng: &mut ChaCha8Rng) -> Result<Written, DemoError> {
    // Centres: each Hunan city and each province's own.
    let regions = tx
        .fetch_all("SELECT code, name FROM regions WHERE (code LIKE '43__00' OR code LIKE '__0000') ORDER BY code", &[])
        .await?;
    let now = kernel::time::now_utc();
    let mut rows: Vec<Vec<Value>> = Vec::new();
    for r in &regions {
        let (code, name) = (r.text("code")?, r.text("name")?);
        rows.push(vec![
            code.as_str().into(),
            format!("{name}人才交流服务中心").into(),
            format!("{name}人民政府政务服务中心").into(),
            String::new().into(),
            now.as_str().into(),
        ]);
    }
    let centres_written = rows.len();
    tx.insert_many("archive_centres", &["region_code", "name", "address", "phone", "updated_at"], rows).await?;
    let centres: HashMap<String, (i64, String)> = tx
        .fetch_all("SELECT id, region_code, name FROM archive_centres", &[])
        .await?
        .iter()
        .map(|r| Ok((r.text("region_code")?, (r.i64("id")?, r.text("name")?))))
        .collect::<kernel::DbResult<_>>()?;
    let direct: Vec<String> = tx
        .fetch_all(
            "SELECT code FROM code_tables WHERE kind = $1 AND version = $2",
            &[rules::DIRECT_NATURES.into(), kernel::codes::BASE_VERSION.into()],
        )
        .await?
        .iter()
        .map(|r| r.text("code"))
        .collect::<kernel::DbResult<_>>()?;

    // Two batches per institution.
    let institutions =
        tx.fetch_all("SELECT DISTINCT institution_id FROM graduates WHERE cohort_year = $1", &[COHORT.into()]).await?;
    let mut batches: HashMap<i64, [i64; 2]> = HashMap::new();
    for r in &institutions {
        let i = r.i64("institution_id")?;
        let mut ids = [0; 2];
        for (k, (name, deadline)) in
            [("2022届第一批", day(8, 31)), ("2022届第二批", day(10, 31))].into_iter().enumerate()
        {
            let row = kernel::Record::new()
                .set("institution_id", i)
                .set("cohort_year", COHORT)
                .set("name", name)
                .set("deadline", deadline.to_string())
                .set("created_at", at(deadline - Duration::days(60), 2))
                .set("created_by_label", "就业指导中心");
            ids[k] = tx.insert_id("archive_batches", row).await?;
        }
        batches.insert(i, ids);
    }

    let demo_graduate = tx
        .fetch_optional("SELECT graduate_id FROM accounts WHERE username = 'graduate'", &[])
        .await?
        .and_then(|r| r.opt_i64("graduate_id").ok().flatten());
    let graduates = tx
        .fetch_all(
            "SELECT g.id, g.institution_id, g.origin_region_code, e.category_code, e.employer_name, e.nature_code, \
             e.region_code FROM graduates g LEFT JOIN destinations d ON d.graduate_id = g.id \
             LEFT JOIN destination_events e ON e.id = d.last_event_id WHERE g.cohort_year = $1 ORDER BY g.id",
            &[COHORT.into()],
        )
        .await?;

    struct Plan {
        graduate: i64,
        state: State,
        batch: Option<i64>,
        returned: Option<&'static str>,
        channel: &'static str,
        tracking: String,
        /// Days after 1 June the confirmation came.
        start: i64,
    }
    let mut transfers = Vec::with_capacity(graduates.len());
    let mut plans = Vec::with_capacity(graduates.len());
    let (mut received, mut returned) = (0, 0);
    for g in &graduates {
        let id = g.i64("id")?;
        let institution = g.i64("institution_id")?;
        let text = |c: &str| g.opt_text(c).map(Option::unwrap_or_default);
        let facts = Facts {
            category: text("category_code")?,
            employer_name: text("employer_name")?,
            nature: text("nature_code")?,
            work_region: text("region_code")?,
            origin_region: text("origin_region_code")?,
        };
        let mut proposal = rules::propose(&facts, &direct, |code| centres.get(code).cloned());
        // A demo without destinations (or a graduate without one) still has
        // its year of transfers: most such archives went to the place of
        // origin as for the unplaced; a few stay without a receiver.
        if proposal == Err(rules::NoReceiver::NoDestination) && rng.gen_bool(0.97) {
            let unplaced = Facts { category: "70".into(), ..facts.clone() };
            proposal = rules::propose(&unplaced, &direct, |code| centres.get(code).cloned());
        }
        let roll: f64 = rng.gen();
        let start = rng.gen_range(0..60);
        let mut plan = Plan {
            graduate: id,
            state: State::Pending,
            batch: None,
            returned: None,
            channel: "jiyao",
            tracking: String::new(),
            start,
        };
        let [first, second] = batches.get(&institution).copied().unwrap_or_default();
        if proposal.is_ok() {
            plan.state = match roll {
                r if r < 0.80 => State::Received,
                r if r < 0.86 => State::Dispatched,
                r if r < 0.89 => State::Confirmed, // returned, waiting to go again
                r if r < 0.92 => State::Sealed,
                r if r < 0.97 => State::Confirmed,
                _ => State::Pending,
            };
            if (0.86..0.89).contains(&roll) {
                plan.returned = Some(RETURN_REASONS[rng.gen_range(0..RETURN_REASONS.len())]);
            }
            if Some(id) == demo_graduate {
                plan.state = State::Dispatched;
                plan.returned = None;
            }
            if matches!(plan.state, State::Sealed | State::Dispatched | State::Received) {
                plan.batch = Some(if start < 40 { first } else { second });
            }
            if matches!(plan.state, State::Dispatched | State::Received) || plan.returned.is_some() {
                plan.channel = if rng.gen_bool(0.6) { "jiyao" } else { "ems" };
                plan.tracking = format!(
                    "{}{:09}CN",
                    if plan.channel == "ems" { "EA" } else { "JY" },
                    rng.gen_range(0..1_000_000_000u32)
                );
            }
        }
        let last = match plan.state {
            State::Pending => day(6, 1),
            State::Confirmed => day(6, 1) + Duration::days(start + if plan.returned.is_some() { 50 } else { 0 }),
            State::Sealed => day(6, 1) + Duration::days(start + 10),
            State::Dispatched => day(6, 1) + Duration::days(start + 20),
            State::Received => day(6, 1) + Duration::days(start + 30),
        };
        let (pk, pn, pc, problem): (Option<&str>, Option<String>, Option<i64>, Option<&str>) = match &proposal {
            Ok(r) => (Some(r.kind()), Some(r.name().to_owned()), r.centre(), None),
            Err(e) => (None, None, None, Some(e.key())),
        };
        let confirmed = plan.state != State::Pending;
        let v: Vec<Value> = vec![
            id.into(),
            COHORT.into(),
            institution.into(),
            rules::transfer_no(COHORT, id).into(),
            plan.state.key().into(),
            at(last, 2).into(),
            pk.into(),
            pn.clone().into(),
            pc.into(),
            problem.into(),
            confirmed.then_some(pk).flatten().into(),
            confirmed.then_some(pn).flatten().into(),
            confirmed.then_some(pc).flatten().into(),
            plan.batch.into(),
            (!plan.tracking.is_empty()).then_some(plan.channel).into(),
            (!plan.tracking.is_empty()).then(|| plan.tracking.clone()).into(),
            plan.returned.into(),
            i64::from(plan.returned.is_some()).into(),
        ];
        transfers.push(v);
        if plan.state == State::Received {
            received += 1;
        }
        if plan.returned.is_some() {
            returned += 1;
        }
        plans.push(plan);
    }
    let written = transfers.len();
    tx.insert_many(
        "archive_transfers",
        &[
            "graduate_id",
            "cohort_year",
            "institution_id",
            "transfer_no",
            "state",
            "state_since",
            "proposed_kind",
            "proposed_name",
            "proposed_centre_id",
            "problem",
            "receiver_kind",
            "receiver_name",
            "receiver_centre_id",
            "batch_id",
            "channel",
            "tracking_no",
            "return_reason",
            "returns",
        ],
        transfers,
    )
    .await?;
    let ids: HashMap<i64, i64> = tx
        .fetch_all("SELECT id, graduate_id FROM archive_transfers WHERE cohort_year = $1", &[COHORT.into()])
        .await?
        .iter()
        .map(|r| Ok((r.i64("graduate_id")?, r.i64("id")?)))
        .collect::<kernel::DbResult<_>>()?;

    let mut steps: Vec<Vec<Value>> = Vec::new();
    let office = "就业指导中心";
    for p in &plans {
        let Some(&t) = ids.get(&p.graduate) else { continue };
        let start = day(6, 1) + Duration::days(p.start);
        let mut step = |s: &str, d: NaiveDate, channel: Option<&str>, tracking: Option<&str>, note: Option<&str>| {
            steps.push(vec![
                t.into(),
                s.into(),
                at(d, 2).into(),
                office.into(),
                channel.map(str::to_owned).into(),
                tracking.map(str::to_owned).into(),
                note.map(str::to_owned).into(),
            ]);
        };
        if p.state == State::Pending {
            continue;
        }
        step("confirm", start, None, None, None);
        if let Some(reason) = p.returned {
            step("seal", start + Duration::days(10), None, None, None);
            step("dispatch", start + Duration::days(20), Some(p.channel), Some(p.tracking.as_str()), None);
            step("return", start + Duration::days(50), None, Some(p.tracking.as_str()), Some(reason));
            continue;
        }
        if matches!(p.state, State::Sealed | State::Dispatched | State::Received) {
            step("seal", start + Duration::days(10), None, None, None);
        }
        if matches!(p.state, State::Dispatched | State::Received) {
            step("dispatch", start + Duration::days(20), Some(p.channel), Some(p.tracking.as_str()), None);
        }
        if p.state == State::Received {
            step("receive", start + Duration::days(30), None, None, None);
        }
    }
    tx.insert_many(
        "archive_steps",
        &["transfer_id", "step", "at", "actor_label", "channel", "tracking_no", "note"],
        steps,
    )
    .await?;
    Ok((centres_written, written, received, returned))
}
