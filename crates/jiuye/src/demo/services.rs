//! Demo one-stop services (一件事一次办, measure 26): the shipped catalogue
//! and graduates' requests in every state: done over the 2022 year (most in
//! time, some late), refused, returned for more material, and open ones
//! submitted in the last weeks, some past their step's deadline and
//! escalated to the province. Written through the services' own store, so
//! the audit log and the events hold them as the pages would have. The demo
//! graduate has one of each kind it can act on; 湘潭大学's queue has work.

use chrono::{Duration, NaiveDate};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use ::services::rules::{self, Action, State};
use ::services::store::{self, Answer, Item, NewRequest};
use kernel::audit::AuditActor;
use kernel::calendar::Calendar;
use kernel::{time, Tx};

use super::DemoError;

/// Requests per institution, and how many institutions have them.
const PER_INSTITUTION: usize = 8;
const INSTITUTIONS: usize = 10;

/// A plausible answer to a field of the shipped catalogue, by its key.
fn answer(key: &str, k: usize) -> &'static str {
    let pick = |options: &'static [&'static str]| options[k % options.len()];
    match key {
        "old_destination" => pick(&["湖南某电子科技有限公司", "长沙某建设集团", "待就业"]),
        "new_destination" => pick(&["湘潭大学硕士研究生", "株洲某轨道交通公司", "自主创业"]),
        "reason" => pick(&["考取研究生，已与原单位解约", "原协议书遗失", "单位变更，重新签约"]),
        "agreement_no" => pick(&["HN2022-0012345", ""]),
        "question" => pick(&["档案是否已寄到长沙市人才服务中心", "档案机要编号是多少"]),
        "purpose" => pick(&["办理长沙市落户", "缴纳社会保险", "失业登记"]),
        "employer" => pick(&["湖南某科技有限公司", ""]),
        "receiver" => pick(&["长沙市人才服务中心", "株洲市人力资源服务中心"]),
        "receiver_region" => pick(&["湖南省长沙市", "湖南省株洲市"]),
        _ => "见附件说明",
    }
}

fn answers(item: &Item, k: usize) -> Vec<Answer> {
    item.fields
        .iter()
        .map(|f| Answer {
            key: f.key.clone(),
            label: f.label.clone(),
            label_en: f.label_en.clone(),
            value: answer(&f.key, k).to_owned(),
        })
        .collect()
}

/// What becomes of a demo request.
#[derive(Clone, Copy)]
enum Fate {
    Completed {
        late: bool,
    },
    Refused,
    Returned,
    /// Open now, `days_ago` submitted; overdue ones get escalated.
    Open {
        days_ago: i64,
    },
}

fn fate(rng: &mut ChaCha8Rng) -> Fate {
    match rng.gen_range(0..100) {
        0..=44 => Fate::Completed { late: false },
        45..=54 => Fate::Completed { late: true },
        55..=62 => Fate::Refused,
        63..=70 => Fate::Returned,
        _ => Fate::Open { days_ago: rng.gen_range(0..20) },
    }
}

/// Writes the catalogue and the requests; (items, requests, escalated).
pub async fn generate(tx: &mut Tx, rng: &mut ChaCha8Rng) -> Result<(usize, usize, usize), DemoError> {
    let who = AuditActor::system("demo");
    let items = store::items_in(tx).await?;
    if items.is_empty() {
        return Err(DemoError::Missing("data/services/catalogue.json"));
    }
    // Weekends only: the calendar's holidays are the province's to enter.
    let calendar = Calendar::default();
    let today = time::today_china();
    let mut institutions = Vec::new();
    for r in tx.fetch_all("SELECT id, code FROM institutions ORDER BY code", &[]).await? {
        institutions.push((r.i64("id")?, r.text("code")?));
    }
    institutions.sort_by_key(|(_, code)| (code.as_str() != "10530", code.clone()));
    institutions.truncate(INSTITUTIONS);
    let demo_graduate = tx
        .fetch_optional("SELECT graduate_id FROM accounts WHERE username = 'graduate'", &[])
        .await?
        .and_then(|r| r.opt_i64("graduate_id").ok().flatten());
    let mut planned: Vec<(i64, i64, i64, Fate)> = Vec::new();
    if let Some(g) = demo_graduate {
        let home = tx.fetch_one("SELECT institution_id, college_id FROM graduates WHERE id = $1", &[g.into()]).await?;
        let (i, c) = (home.i64("institution_id")?, home.i64("college_id")?);
        planned.push((g, i, c, Fate::Completed { late: false }));
        planned.push((g, i, c, Fate::Returned));
        planned.push((g, i, c, Fate::Open { days_ago: 1 }));
    }
    for (institution, _) in &institutions {
        let rows = tx
            .fetch_all(
                "SELECT id, college_id FROM graduates WHERE institution_id = $1 ORDER BY id LIMIT $2 OFFSET 1",
                &[(*institution).into(), i64::try_from(PER_INSTITUTION).unwrap_or(8).into()],
            )
            .await?;
        for r in rows {
            planned.push((r.i64("id")?, *institution, r.i64("college_id")?, fate(rng)));
        }
    }
    let (mut requests, mut escalated) = (0, 0);
    for (k, (graduate_id, institution_id, college_id, fate)) in planned.into_iter().enumerate() {
        let item = &items[rng.gen_range(0..items.len())];
        let variant = match item.variants.len() {
            0 => String::new(),
            n => item.variants[rng.gen_range(0..n)].code.clone(),
        };
        let submitted = match fate {
            Fate::Open { days_ago } => today - Duration::days(days_ago),
            // Over the 2022 graduating year, March to November.
            _ => day_of_2022(rng.gen_range(60..330)),
        };
        let n = NewRequest {
            item,
            graduate_id,
            institution_id,
            college_id,
            variant,
            answers: answers(item, k),
            today: submitted,
        };
        let id = store::create(tx, &who, &calendar, &n).await?;
        requests += 1;
        let mut day = submitted;
        let steps = item.steps.len();
        match fate {
            Fate::Completed { late } => {
                for step in 0..steps {
                    let r = store::request_in(tx, id).await?.ok_or(DemoError::Missing("service request"))?;
                    let days = i64::from(item.steps[step].days);
                    // Done within the step's days, or a few working days past them when late.
                    day = if late && step == 0 {
                        calendar.add_working_days(r.step_due, rng.gen_range(1..4))
                    } else {
                        calendar.add_working_days(day, u32::try_from(rng.gen_range(0..=days)).unwrap_or(0))
                    };
                    let (action, note) = if step + 1 == steps {
                        (Action::Complete, result_note(item, &r.variant))
                    } else {
                        (Action::Approve, String::new())
                    };
                    if let Ok(next) = rules::act(r.position(), action, &note) {
                        store::act(tx, &who, &calendar, &r, action, next, &note, None, day).await?;
                    }
                }
            }
            Fate::Refused | Fate::Returned => {
                let r = store::request_in(tx, id).await?.ok_or(DemoError::Missing("service request"))?;
                let (action, note) = match fate {
                    Fate::Refused => (Action::Refuse, "不符合办理条件：已超过毕业两年。"),
                    _ => (Action::Return, "请补充原单位出具的解约证明。"),
                };
                let day = calendar.add_working_days(submitted, 1);
                if let Ok(next) = rules::act(r.position(), action, note) {
                    store::act(tx, &who, &calendar, &r, action, next, note, None, day).await?;
                }
            }
            Fate::Open { .. } => {
                let r = store::request_in(tx, id).await?.ok_or(DemoError::Missing("service request"))?;
                if r.state == State::Open
                    && rules::escalates(r.state, today, r.step_due, r.escalated)
                    && store::escalate_one(tx, &AuditActor::system(store::JOB), &r).await?
                {
                    escalated += 1;
                }
            }
        }
    }
    desk(tx, rng, &institutions).await?;
    Ok((items.len(), requests, escalated))
}

/// Questions the offices' desks answered (some asked again and again), and the FAQ the province made of them.
const QUESTIONS: [(&str, &str, &str); 6] = [
    ("03", "档案什么时候寄出？", "毕业离校后一个月内，按登记的报到地址以机要方式寄出。"),
    ("01", "升学后毕业去向怎么变更？", "在“一件事一次办”申请毕业去向变更，附录取通知书。"),
    ("04", "报到证取消后还需要报到吗？", "不再发放报到证；到接收单位或人才服务机构办理报到即可。"),
    ("05", "未就业证明在哪里开？", "在“一件事一次办”申请未就业证明，学校就业办出具。"),
    ("02", "三方协议丢了怎么办？", "申请就业协议书补办，附本人签字的遗失说明。"),
    ("06", "基层就业有哪些补贴？", "见省教育厅发布的基层就业政策汇编。"),
];

/// The handbook's first sections.
const HANDBOOK: [(&str, &str); 3] = [
    (
        "一、毕业去向变更办理",
        "1. 毕业生在“一件事一次办”选择“毕业去向变更”，填写原去向、新去向和变更原因。\n2. 学院在 3 个工作日内审核；学校就业办在 3 个工作日内审核；省教育厅在 4 个工作日内备案。\n3. 材料不全的退回补正，毕业生补正后重新提交。",
    ),
    (
        "二、报到手续（报到证改革后）",
        "不再发放《全国普通高等学校本专科毕业生就业报到证》。毕业生持接收单位或人才服务机构的接收证明办理报到；需要改派的，在“报到手续办理”中选择“改派”。",
    ),
    (
        "三、就业证明与未就业证明",
        "毕业两年内的毕业生可申请。办理落户、社保的选择对应情形；学校就业办在 5 个工作日内出具。",
    ),
];

async fn desk(tx: &mut Tx, rng: &mut ChaCha8Rng, institutions: &[(i64, String)]) -> Result<(), DemoError> {
    use ::services::desk::{self, Entry};
    let who = AuditActor::system("demo");
    let today = time::today_china();
    for (k, (institution, _)) in institutions.iter().take(4).enumerate() {
        for n in 0..6 {
            let (category, question, answer) = QUESTIONS[(k + n * n) % QUESTIONS.len()];
            let entry = Entry {
                channel: if rng.gen_bool(0.6) { "phone" } else { "walk_in" }.to_owned(),
                category: category.to_owned(),
                question: question.to_owned(),
                answer: answer.to_owned(),
                follow_up: rng.gen_bool(0.2),
            };
            let day = today - Duration::days(rng.gen_range(0..60));
            desk::record(tx, &who, Some(*institution), &entry, &day.to_string()).await?;
        }
    }
    for (category, question, answer) in QUESTIONS.iter().take(3) {
        desk::add_faq(tx, &who, category, question, answer).await?;
    }
    for (title, body) in HANDBOOK {
        ::services::handbook::add_section(tx, &who, title, body).await?;
    }
    Ok(())
}

fn day_of_2022(ordinal: u32) -> NaiveDate {
    NaiveDate::from_yo_opt(2022, ordinal).unwrap_or_default()
}

fn result_note(item: &Item, variant: &str) -> String {
    let kind = item.variant(variant).map(|v| v.name.clone()).unwrap_or_else(|| item.name.clone());
    format!("已办结：{kind}已出具，可在学校就业办领取或下载电子版。")
}
