//! Demo key-group assistance (重点群体帮扶): at every institution, the
//! graduates the roster flags get their institution's office (`staff{code}`)
//! as helper, a file, a plan of two measures and a cohort year of ledger
//! entries. How fully an institution gives the standard's services differs
//! (30% to 95% of its graduates meet "1131", a few named institutions at set
//! shares), so 帮扶覆盖 differs by institution on first start. At 湘潭大学 the
//! college's demo account (`college`) helps its college's graduates too, so
//! its view of only the graduates it helps has something in it. Referrals
//! name open postings when the demo has any, and carry the graduates' answers.
//! The demo graduate's own plan is left empty, to be tried from the start.
//! Written in bulk: the whole province's 37,000-odd take a few seconds.

use std::collections::HashMap;

use chrono::{Days, NaiveDate};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use kernel::{time, Tx};

use super::{DemoError, COHORT};

/// Institutions whose share of graduates given the whole standard is set, to
/// keep the first pages' contrasts; the others draw theirs from 30% to 95%.
const GIVING: [(&str, f64); 4] = [("10532", 0.85), ("10533", 0.6), ("10542", 0.35), ("10536", 0.3)];

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

/// The standard's kinds at their "1131" counts, then fair invitations and subsidies.
const KINDS: [(&str, u32); 6] = [("01", 1), ("02", 1), ("03", 3), ("04", 1), ("05", 1), ("06", 1)];

const ENTRY_COLUMNS: [&str; 13] = [
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
];

/// Entries written: (graduates helped, ledger entries).
pub async fn generate(tx: &mut Tx, rng: &mut ChaCha8Rng) -> Result<(usize, usize), DemoError> {
    let postings: Vec<i64> = tx
        .fetch_all("SELECT id FROM postings WHERE status = 'approved' ORDER BY id DESC LIMIT 200", &[])
        .await?
        .iter()
        .map(|r| r.i64("id"))
        .collect::<Result<_, _>>()?;
    // Each institution's office and how fully it gives the services.
    let mut offices: HashMap<i64, (i64, String, f64)> = HashMap::new();
    for r in tx
        .fetch_all(
            "SELECT a.id, a.username, i.id AS institution, i.code FROM accounts a JOIN institutions i ON i.id = a.institution_id \
             WHERE a.username = 'staff' || i.code ORDER BY i.code",
            &[],
        )
        .await?
    {
        let code = r.text("code")?;
        let giving = GIVING.iter().find(|(c, _)| *c == code).map(|(_, g)| *g).unwrap_or_else(|| rng.gen_range(0.3..0.95));
        offices.insert(r.i64("institution")?, (r.i64("id")?, r.text("username")?, giving));
    }
    // The college's demo account helps its own college's graduates as well.
    let college = tx
        .fetch_optional("SELECT id, username, college_id FROM accounts WHERE username = 'college'", &[])
        .await?
        .map(|r| Ok::<_, kernel::DbError>((r.i64("id")?, r.text("username")?, r.opt_i64("college_id")?)))
        .transpose()?;
    let graduates = tx
        .fetch_all(
            "SELECT id, institution_id, college_id FROM graduates WHERE cohort_year = $1 AND key_groups <> '' \
             AND id NOT IN (SELECT graduate_id FROM accounts WHERE username = 'graduate' AND graduate_id IS NOT NULL) ORDER BY id",
            &[COHORT.into()],
        )
        .await?;
    let now = time::now_utc();
    let start = NaiveDate::from_ymd_opt(COHORT as i32 - 1, 10, 1).unwrap_or_default();
    let today = time::today_china();
    let (mut helpers, mut files, mut measures, mut entries) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut helped = 0;
    for r in &graduates {
        let (g, institution) = (r.i64("id")?, r.i64("institution_id")?);
        let Some((helper, label, giving)) = offices.get(&institution) else { continue };
        let (helper, giving) = (*helper, *giving);
        helped += 1;
        helpers.push(vec![g.into(), helper.into(), institution.into(), now.as_str().into(), label.as_str().into()]);
        if let Some((account, name, Some(own))) = &college {
            if r.i64("college_id")? == *own {
                helpers.push(vec![g.into(), (*account).into(), institution.into(), now.as_str().into(), name.into()]);
            }
        }
        files.push(vec![
            g.into(),
            DIFFICULTIES[rng.gen_range(0..DIFFICULTIES.len())].into(),
            INTENTIONS[rng.gen_range(0..INTENTIONS.len())].into(),
            "本人手机；家长电话见学籍档案".into(),
            helper.into(),
            label.as_str().into(),
            now.as_str().into(),
        ]);
        for (goal, measure) in
            [("完善求职材料", "一对一修改简历并模拟面试"), ("落实就业岗位", "每月推送匹配岗位不少于 3 个")]
        {
            let due = start + Days::new(rng.gen_range(60..300));
            let state = match (due < today, rng.gen_bool(giving)) {
                (true, true) => "done",
                _ => "open",
            };
            measures.push(vec![
                g.into(),
                institution.into(),
                goal.into(),
                measure.into(),
                due.to_string().into(),
                state.into(),
                now.as_str().into(),
                label.as_str().into(),
            ]);
        }
        // Served in full: every kind of the standard at its count; otherwise
        // each kind now and then, one of the standard's kinds always short.
        let full = rng.gen_bool(giving);
        let short = rng.gen_range(0..4);
        for (i, (kind, count)) in KINDS.iter().enumerate() {
            let n = match (full, i) {
                (_, 4) => u32::from(rng.gen_bool(0.5)),
                (_, 5) => u32::from(rng.gen_bool(0.3)),
                (true, _) => *count,
                (false, i) if i == short => rng.gen_range(0..*count),
                (false, _) if rng.gen_bool(0.6) => *count,
                (false, _) => rng.gen_range(0..*count),
            };
            for _ in 0..n {
                let at = (start + Days::new(rng.gen_range(0..330))).min(today).to_string();
                let posting = match *kind == ::assistance::REFERRAL && !postings.is_empty() {
                    true => Some(postings[rng.gen_range(0..postings.len())]),
                    false => None,
                };
                let answer = posting.and_then(|_| match rng.gen_range(0..4) {
                    0 => None,
                    1 => Some("interested"),
                    2 => Some("applied"),
                    _ => Some("declined"),
                });
                let subsidy = *kind == ::assistance::SUBSIDY;
                entries.push(vec![
                    g.into(),
                    institution.into(),
                    (*kind).into(),
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
    let written = entries.len();
    tx.insert_many(
        "assistance_helpers",
        &["graduate_id", "account_id", "institution_id", "assigned_at", "assigned_by_label"],
        helpers,
    )
    .await?;
    tx.insert_many(
        "assistance_files",
        &["graduate_id", "difficulties", "intentions", "contacts", "updated_by", "updated_by_label", "updated_at"],
        files,
    )
    .await?;
    tx.insert_many(
        "assistance_measures",
        &["graduate_id", "institution_id", "goal", "measure", "due_on", "state", "created_at", "created_by_label"],
        measures,
    )
    .await?;
    tx.insert_many("assistance_entries", &ENTRY_COLUMNS, entries).await?;
    Ok((helped, written))
}
