//! Demo public portal (门户, measure 25): a year of the province's news,
//! policies (each with a small PDF when the demo has a data folder), typical
//! people, cases and projects, and work news from most universities' office
//! accounts, some published, some recommended to the Ministry, some awaiting
//! review or returned. Written through the portal's own store, so the audit
//! log and each article's history hold them as the pages would have; dates
//! are then spread over the year. Every title says it is illustrative (示例).

use chrono::Duration;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use kernel::audit::AuditActor;
use kernel::{time, Tx};
use portal::site::rules::{Action, Checked, Kind};
use portal::site::store::{self, Article};

use super::{DemoError, COHORT};

const NEWS: [&str; 12] = [
    "全省高校毕业生就业工作推进会召开",
    "“百日冲刺”促就业专项行动启动",
    "省级综合招聘会在长沙举行",
    "访企拓岗专项行动进展情况",
    "重点群体毕业生帮扶工作部署",
    "就业创业指导师资培训班开班",
    "大学生创新创业大赛省赛举行",
    "基层就业项目宣讲活动走进高校",
    "毕业去向登记工作提示",
    "离校未就业毕业生服务安排",
    "就业统计核查工作通报",
    "新学年就业工作总结与部署",
];
const POLICIES: [&str; 4] = [
    "高校毕业生就业创业补贴办法（示例）",
    "基层就业服务项目实施细则（示例）",
    "创业担保贷款政策问答（示例）",
    "就业见习管理办法（示例）",
];
const PEOPLE: [&str; 4] =
    ["扎根乡村的选调生", "返乡创业的农学毕业生", "投身西部计划的志愿者", "走进工厂车间的工科毕业生"];
const CASES: [&str; 4] =
    ["一所高校的“一生一策”帮扶", "校企共建就业实习基地", "院系书记走访用人单位", "线上双选会组织经验"];
const PROJECTS: [&str; 3] = ["大学生创业孵化项目展示", "就业育人示范项目", "职业生涯规划课程建设项目"];
const WORK_NEWS: [&str; 5] =
    ["校园双选会举办情况", "书记校长访企拓岗", "就业指导进院系", "困难毕业生帮扶经验", "基层就业宣讲活动"];

fn body(topic: &str) -> String {
    format!(
        "本文为演示数据，内容仅作示意，不代表真实情况。\n\n## 基本情况\n围绕“{topic}”，示例单位开展了相关工作。\n\n## 主要做法\n一是明确责任分工；二是加强信息服务；三是做好跟踪反馈。"
    )
}

fn checked(kind: Kind, title: String) -> Checked {
    Checked { summary: format!("演示数据：{title}"), body: body(&title), title_en: String::new(), title, kind }
}

/// Moves an article through the review as the pages would.
async fn review(tx: &mut Tx, who: &AuditActor, id: i64, moves: &[(Action, &str)]) -> Result<Article, DemoError> {
    let mut a = store::reread(tx, id).await?;
    for (action, reason) in moves {
        if let Some(to) = portal::site::rules::next(a.kind, a.status, *action, a.recommended) {
            store::move_to(tx, who, &a, *action, to, reason).await?;
            a = store::reread(tx, id).await?;
        }
    }
    Ok(a)
}

/// Spreads an article's dates to `days_ago`.
async fn date(tx: &mut Tx, id: i64, days_ago: i64) -> Result<(), DemoError> {
    let at = time::format_utc(chrono::Utc::now() - Duration::days(days_ago));
    tx.execute(
        "UPDATE portal_articles SET created_at = $1, updated_at = $1, \
         published_at = CASE WHEN published_at IS NULL THEN NULL ELSE $1 END WHERE id = $2",
        &[at.as_str().into(), id.into()],
    )
    .await?;
    tx.execute("UPDATE portal_article_steps SET at = $1 WHERE article_id = $2", &[at.into(), id.into()]).await?;
    Ok(())
}

const PUBLISH: &[(Action, &str)] = &[(Action::Submit, ""), (Action::Publish, "")];

/// (province articles, work news) written.
pub async fn generate(
    tx: &mut Tx,
    rng: &mut ChaCha8Rng,
    files: Option<&kernel::files::FileStore>,
) -> Result<(usize, usize), DemoError> {
    let editor = AuditActor::system("demo");
    let mut province = 0;
    let mut all: Vec<(Kind, String)> = Vec::new();
    all.extend(NEWS.iter().map(|t| (Kind::News, format!("示例新闻：{t}"))));
    all.extend(POLICIES.iter().map(|t| (Kind::Policy, format!("示例政策：{t}"))));
    all.extend(PEOPLE.iter().map(|t| (Kind::Person, format!("示例典型人物：{t}"))));
    all.extend(CASES.iter().map(|t| (Kind::Case, format!("示例案例：{t}"))));
    all.extend(PROJECTS.iter().map(|t| (Kind::Project, format!("示例项目：{t}"))));
    let n = all.len();
    for (i, (kind, title)) in all.into_iter().enumerate() {
        let id = store::create(tx, &editor, None, COHORT, &checked(kind, title)).await?;
        let a = store::reread(tx, id).await?;
        if kind == Kind::Policy {
            if let Some(store) = files {
                let pdf = super::sample_evidence_numbered(&format!("policy {id} (demo)"));
                let stored = store.put_document(&pdf, 10 * 1024 * 1024)?;
                store::add_document(tx, &editor, &a, &format!("policy-{id}.pdf"), &stored).await?;
            }
        }
        // The last of the news stays a draft and one awaits review: the editors' work in hand.
        let moves: &[(Action, &str)] = match i {
            0 => &[],
            1 => &[(Action::Submit, "")],
            _ => PUBLISH,
        };
        review(tx, &editor, id, moves).await?;
        // News a month apart, newest first; the rest spread over the year.
        let days =
            if kind == Kind::News { (i as i64) * 30 + rng.gen_range(0..5) } else { rng.gen_range(5..(n as i64 * 12)) };
        date(tx, id, days).await?;
        province += 1;
    }

    let offices = tx
        .fetch_all(
            "SELECT a.username, a.institution_id, i.name FROM accounts a JOIN institutions i ON i.id = a.institution_id \
             WHERE a.role = 'university_staff' AND a.username LIKE 'staff1%' ORDER BY i.code",
            &[],
        )
        .await?;
    // The demo `staff` account's university always has some, so its office finds them.
    let demo_office = tx.fetch_optional("SELECT institution_id FROM accounts WHERE username = 'staff'", &[]).await?;
    let demo_office = match demo_office {
        Some(r) => r.opt_i64("institution_id")?,
        None => None,
    };
    let mut work_news = 0;
    for row in &offices {
        let (username, institution, name) = (row.text("username")?, row.i64("institution_id")?, row.text("name")?);
        // Most universities, not all, have sent work news.
        if Some(institution) != demo_office && !rng.gen_bool(0.85) {
            continue;
        }
        let office = AuditActor::system(&username);
        for _ in 0..rng.gen_range(1..=3) {
            let topic = WORK_NEWS[rng.gen_range(0..WORK_NEWS.len())];
            let title = format!("示例工作动态：{name}{topic}");
            let id = store::create(tx, &office, Some(institution), COHORT, &checked(Kind::WorkNews, title)).await?;
            let roll: f64 = rng.gen();
            let submit = [(Action::Submit, "")];
            review(tx, &office, id, if roll < 0.9 { &submit } else { &[] }).await?;
            let decision: &[(Action, &str)] = match roll {
                r if r < 0.55 => &[(Action::Publish, "")],
                r if r < 0.7 => &[(Action::Recommend, "")],
                r if r < 0.8 => &[(Action::Return, "请补充活动的时间、规模和成效（示例）")],
                _ => &[],
            };
            review(tx, &editor, id, decision).await?;
            date(tx, id, rng.gen_range(1..330)).await?;
            work_news += 1;
        }
    }
    Ok((province, work_news))
}
