//! Demo plan board (工作台账): Hunan 2022's 26 measures loaded from the plan
//! file; most universities' 四到位 returns signed by a named school leader,
//! some accepted by the province and one returned with a reason. Written
//! through the plan's own store, so the audit log holds them as the pages
//! would have written them.

use chrono::NaiveDate;
use kernel::audit::AuditActor;
use kernel::Tx;
use portal::plan::rules::CheckedReturn;
use portal::plan::store;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::DemoError;

const LEADERS: [(&str, &str); 6] = [
    ("王建华", "校长"),
    ("李志刚", "副校长"),
    ("陈晓东", "党委副书记"),
    ("刘美玲", "副校长"),
    ("张国庆", "副校长"),
    ("周文斌", "党委书记"),
];

/// Loads the plan and writes the returns; how many returns were signed.
pub async fn generate(tx: &mut Tx, rng: &mut ChaCha8Rng, province: &str, cohort: i64) -> Result<usize, DemoError> {
    let province_actor = AuditActor::system("demo");
    store::load_in(tx, &province_actor, province, cohort)
        .await
        .map_err(|_| DemoError::Missing("the plan file for the demo's province and cohort"))?;
    let institutions: Vec<i64> = tx
        .fetch_all("SELECT id FROM institutions ORDER BY code", &[])
        .await?
        .iter()
        .map(|r| r.i64("id"))
        .collect::<kernel::DbResult<_>>()?;
    let signed_on = NaiveDate::from_ymd_opt(2022, 3, 15).unwrap_or_default();
    let mut signed = 0;
    for (n, institution) in institutions.iter().enumerate() {
        // About one in six has not signed yet.
        if rng.gen_ratio(1, 6) {
            continue;
        }
        let held = store::held_in(tx, *institution, cohort).await?;
        let (name, title) = LEADERS[n % LEADERS.len()];
        let c = CheckedReturn {
            staff_fulltime: (held.graduates / 500).max(2) + rng.gen_range(0..4),
            funds_wan: rng.gen_range(20..300),
            venue_sqm: rng.gen_range(150..1500),
            organisation: "招生就业处（就业指导中心），校长任就业工作领导小组组长".to_owned(),
            leader_name: name.to_owned(),
            leader_title: title.to_owned(),
        };
        let office = AuditActor::system("demo");
        if !store::sign(tx, &office, *institution, cohort, held, &c, signed_on).await? {
            continue;
        }
        signed += 1;
        let Some(r) = store::return_of_institution_in(tx, *institution, cohort).await? else { continue };
        match n % 4 {
            0 | 1 => {
                store::review(tx, &province_actor, &r, true, "").await?;
            }
            2 if n < 12 => {
                store::review(tx, &province_actor, &r, false, "经费数据与财务报表不一致，请核实后重新签发。").await?;
            }
            _ => {}
        }
    }
    Ok(signed)
}
