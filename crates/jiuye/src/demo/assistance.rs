//! Demo key-group assistance (重点群体帮扶): at four institutions, the
//! graduates the roster flags get their institution's office (`staff{code}`)
//! as helper, a file, a plan of one or two measures and a cohort year of
//! ledger entries, given more fully at some institutions than at others, so
//! 帮扶覆盖 differs by institution on first start. Referrals name open
//! postings when the demo has any, and carry the graduates' answers.

use chrono::{Days, NaiveDate};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use kernel::db::Record;
use kernel::{time, Tx, Value};

use super::{DemoError, COHORT};

/// Institutions with assistance recorded and how fully each gives the standard's services.
const GIVING: [(&str, f64); 4] = [("10532", 0.85), ("10533", 0.6), ("10542", 0.35), ("10536", 0.15)];

const DIFFICULTIES: [&str; 4] = [
    "家庭经济困难，父母务农，求职交通和住宿费用紧张。",
    "性格内向，面试经验少，对求职方向不清楚。",
    "有轻度残疾，希望在长沙找到适合的岗位。",
    "家中无人就业，急于尽快落实工作。",
];
const INTENTIONS: [&str; 3] = [
    "希望回生源地就业，倾向事业单位或国企。",
    "希望在长沙从事本专业相关工作。",
    "考虑参加公务员和选调生考试，同时投递企业。",
];

/// Entries written: (graduates helped, ledger entries).
pub async fn generate(tx: &mut Tx, rng: &mut ChaCha8Rng) -> Result<(usize, usize), DemoError> {
    let postings: Vec<i64> = tx
        .fetch_all("SELECT id FROM postings WHERE status = 'approved' ORDER BY id DESC LIMIT 200", &[])
        .await?
        .iter()
        .map(|r| r.i64("id"))
        .collect::<Result<_, _>>()?;
    let now = time::now_utc();
    let start = NaiveDate::from_ymd_opt(COHORT as i32 - 1, 10, 1).unwrap_or_default();
    let today = time::today_china();
    let (mut helped, mut written) = (0, 0);
    for (code, giving) in GIVING {
        let Some(office) = tx
            .fetch_optional(
                "SELECT a.id, a.username, i.id AS institution FROM accounts a JOIN institutions i ON i.id = a.institution_id \
                 WHERE a.username = $1",
                &[format!("staff{code}").into()],
            )
            .await?
        else {
            continue;
        };
        let (helper, label, institution) = (office.i64("id")?, office.text("username")?, office.i64("institution")?);
        let graduates: Vec<i64> = tx
            .fetch_all(
                "SELECT id FROM graduates WHERE institution_id = $1 AND cohort_year = $2 AND key_groups <> '' ORDER BY id",
                &[institution.into(), COHORT.into()],
            )
            .await?
            .iter()
            .map(|r| r.i64("id"))
            .collect::<Result<_, _>>()?;
        let mut entries: Vec<Vec<Value>> = Vec::new();
        for &g in &graduates {
            let row = Record::new()
                .set("graduate_id", g)
                .set("account_id", helper)
                .set("institution_id", institution)
                .set("assigned_at", now.as_str())
                .set("assigned_by_label", label.as_str());
            tx.insert("assistance_helpers", row).await?;
            let file = Record::new()
                .set("graduate_id", g)
                .set("difficulties", DIFFICULTIES[rng.gen_range(0..DIFFICULTIES.len())])
                .set("intentions", INTENTIONS[rng.gen_range(0..INTENTIONS.len())])
                .set("contacts", "本人手机；家长电话见学籍档案")
                .set("updated_by", helper)
                .set("updated_by_label", label.as_str())
                .set("updated_at", now.as_str());
            tx.insert("assistance_files", file).await?;
            for (goal, measure) in
                [("完善求职材料", "一对一修改简历并模拟面试"), ("落实就业岗位", "每月推送匹配岗位不少于 3 个")]
            {
                let due = start + Days::new(rng.gen_range(60..300));
                let state = match (due < today, rng.gen_bool(giving)) {
                    (true, true) => "done",
                    _ => "open",
                };
                let m = Record::new()
                    .set("graduate_id", g)
                    .set("institution_id", institution)
                    .set("goal", goal)
                    .set("measure", measure)
                    .set("due_on", due.to_string())
                    .set("state", state)
                    .set("created_at", now.as_str())
                    .set("created_by_label", label.as_str());
                tx.insert("assistance_measures", m).await?;
            }
            // The standard's kinds at their counts when given in full, fewer otherwise; now and then a subsidy.
            for (kind, full) in [("01", 1), ("02", 1), ("03", 3), ("04", 1), ("05", 1), ("06", 1)] {
                let n = match rng.gen_bool(giving) {
                    true => full,
                    false => rng.gen_range(0..full),
                };
                let n = if kind == "06" && !rng.gen_bool(0.3) { 0 } else { n };
                for _ in 0..n {
                    let at = (start + Days::new(rng.gen_range(0..330))).min(today).to_string();
                    let posting = match kind == ::assistance::REFERRAL && !postings.is_empty() {
                        true => Some(postings[rng.gen_range(0..postings.len())]),
                        false => None,
                    };
                    let answer = posting.and_then(|_| match rng.gen_range(0..4) {
                        0 => None,
                        1 => Some("interested"),
                        2 => Some("applied"),
                        _ => Some("declined"),
                    });
                    let subsidy = kind == "06";
                    entries.push(vec![
                        g.into(),
                        institution.into(),
                        kind.into(),
                        at.as_str().into(),
                        helper.into(),
                        label.as_str().into(),
                        "".into(),
                        posting.into(),
                        answer.into(),
                        answer.map(|_| now.clone()).into(),
                        subsidy.then_some(1000_i64).into(),
                        subsidy.then(|| at.clone()).into(),
                        now.as_str().into(),
                    ]);
                }
            }
        }
        helped += graduates.len();
        written += entries.len();
        for chunk in entries.chunks(500) {
            tx.insert_many(
                "assistance_entries",
                &[
                    "graduate_id",
                    "institution_id",
                    "kind_code",
                    "at",
                    "by_account",
                    "by_label",
                    "note",
                    "posting_id",
                    "answer",
                    "answered_at",
                    "amount_yuan",
                    "approved_at",
                    "recorded_at",
                ],
                chunk.to_vec(),
            )
            .await?;
        }
    }
    Ok((helped, written))
}
