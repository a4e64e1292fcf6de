//! Demo guidance appointments (一对一指导预约): each demo helper (the offices
//! the assistance demo assigned) keeps two slots a week over the past year and
//! the coming three weeks, one in person and one online. About half the past
//! slots were booked by the helper's graduates, most held (each with its
//! career-guidance entry in the ledger) and some missed; a share of the
//! coming slots is booked, the rest free to book, around today.

use std::collections::HashSet;

use chrono::{Duration, NaiveTime};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use kernel::db::Record;
use kernel::{time, Tx};

use super::DemoError;
use ::assistance::appointments::rules;

const TOPICS: [&str; 6] = [
    "简历怎么写更突出实习经历",
    "想了解公务员和选调生考试的准备",
    "面试总是紧张，想做一次模拟面试",
    "回生源地就业还是留在长沙，想听听建议",
    "求职创业补贴怎么申请",
    "专业不对口的岗位值不值得投",
];
const NOTES: [&str; 4] = [
    "修改了简历的实习经历部分，约定下周投递三家单位。",
    "讲解了选调生报考条件和时间安排。",
    "做了一次模拟面试，指出了自我介绍过长的问题。",
    "梳理了求职意向，推荐关注省内国企校招。",
];

/// (slots, appointments) written.
pub async fn generate(tx: &mut Tx, rng: &mut ChaCha8Rng) -> Result<(usize, usize), DemoError> {
    let helpers = tx
        .fetch_all(
            "SELECT DISTINCT h.account_id, h.institution_id, a.username FROM assistance_helpers h \
             JOIN accounts a ON a.id = h.account_id ORDER BY h.account_id",
            &[],
        )
        .await?;
    let now = time::now_utc();
    let today = time::today_china();
    let monday = rules::week_of(today);
    let (mut slots, mut appointments) = (0, 0);
    for h in &helpers {
        let (helper, institution, label) = (h.i64("account_id")?, h.i64("institution_id")?, h.text("username")?);
        let graduates: Vec<i64> = tx
            .fetch_all(
                "SELECT graduate_id FROM assistance_helpers WHERE account_id = $1 ORDER BY graduate_id",
                &[helper.into()],
            )
            .await?
            .iter()
            .map(|r| r.i64("graduate_id"))
            .collect::<Result<_, _>>()?;
        if graduates.is_empty() {
            continue;
        }
        // Graduates holding an open booking with this helper: one each at most.
        let mut open: HashSet<i64> = HashSet::new();
        for week in -48..3_i64 {
            let base = monday + Duration::weeks(week);
            for (weekday, hour, minute, mode, place) in [
                (1, 14, 30, rules::Mode::InPerson, "就业指导中心 201 室"),
                (3, 19, 0, rules::Mode::Online, "腾讯会议 521 386 904"),
            ] {
                let day = base + Duration::days(weekday);
                let starts = day.and_time(NaiveTime::from_hms_opt(hour, minute, 0).unwrap_or_default());
                let row = Record::new()
                    .set("helper_id", helper)
                    .set("institution_id", institution)
                    .set("starts_at", rules::at_text(starts))
                    .set("minutes", 30_i64)
                    .set("mode", mode.key())
                    .set("place", place)
                    .set("created_at", now.as_str())
                    .set("created_by_label", label.as_str());
                let slot = tx.insert_id("assistance_slots", row).await?;
                slots += 1;
                let past = day < today;
                let booked = rng.gen_bool(if past { 0.5 } else { 0.4 });
                if !booked {
                    continue;
                }
                let graduate = graduates[rng.gen_range(0..graduates.len())];
                if !past && !open.insert(graduate) {
                    continue;
                }
                let state = match (past, rng.gen_bool(0.8)) {
                    (false, _) => rules::BOOKED,
                    (true, true) => rules::HELD,
                    (true, false) => rules::MISSED,
                };
                let note = (state == rules::HELD).then(|| NOTES[rng.gen_range(0..NOTES.len())]);
                let entry = match note {
                    Some(note) => {
                        let e = Record::new()
                            .set("graduate_id", graduate)
                            .set("institution_id", institution)
                            .set("kind_code", ::assistance::GUIDANCE)
                            .set("at", day.to_string())
                            .set("by_account", helper)
                            .set("by_label", label.as_str())
                            .set("note", format!("一对一指导 {}：{note}", rules::at_text(starts)))
                            .set("recorded_at", now.as_str());
                        Some(tx.insert_id("assistance_entries", e).await?)
                    }
                    None => None,
                };
                let booked_at = (day - Duration::days(rng.gen_range(1..10))).and_hms_opt(9, 0, 0).unwrap_or_default();
                let a = Record::new()
                    .set("slot_id", slot)
                    .set("graduate_id", graduate)
                    .set("helper_id", helper)
                    .set("institution_id", institution)
                    .set("topic", TOPICS[rng.gen_range(0..TOPICS.len())])
                    .set("state", state)
                    .set("booked_at", booked_at.format("%Y-%m-%dT%H:%M:%SZ").to_string())
                    .set("closed_at", past.then(|| format!("{}T12:00:00Z", day)))
                    .set("closed_by_label", past.then(|| label.clone()))
                    .set("note", note)
                    .set("entry_id", entry);
                tx.insert("assistance_appointments", a).await?;
                appointments += 1;
            }
        }
    }
    Ok((slots, appointments))
}
