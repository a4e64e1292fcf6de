//! Demo calls (项目评审, measures 10, 11, 14, 15, 16 and 23 of the 2022
//! plan): the vocational colleges' education-reform special projects
//! (September–November 2021), the universities' research projects
//! (June–July 2022), the provincial round of the Internet+ competition with
//! two tracks, the incubation-base selection and the roadshow selection, the
//! last still open. Applications from several institutions, drafted,
//! submitted, withdrawn and recommended through the calls' own store, so the
//! audit log holds them as the pages would have written them; one ban after
//! a revocation.

use std::collections::HashMap;

use ::programmes::calls::rules::{self, CallForm, Person};
use ::programmes::calls::store::{self, Draft};
use kernel::audit::AuditActor;
use kernel::Tx;

use super::DemoError;

struct DemoCall {
    title: &'static str,
    type_code: &'static str,
    year: &'static str,
    dates: [&'static str; 4],
    levels: &'static [&'static str],
    quota: &'static str,
    self_assessment: bool,
    fields: &'static str,
    rubric: &'static str,
    team: (&'static str, &'static str),
    young: (&'static str, &'static str),
    /// Applications per institution, and the call's status at the end.
    per_institution: usize,
    open: bool,
}

const CALLS: [DemoCall; 5] = [
    DemoCall {
        title: "2021年高职院校就业创业教育教学改革专项课题",
        type_code: "01",
        year: "2021",
        dates: ["2021-09-01", "2021-10-15", "2021-11-01", "2021-11-20"],
        levels: &["高职"],
        quota: "2",
        self_assessment: false,
        fields: "研究内容摘要 | Summary | 长文本 | 必填\n研究期限 | Duration | 选择 | 必填 | 1年/2年\n申报书 | Application form | 附件 | 必填",
        rubric: "选题意义 | Significance | 30 | 100\n研究基础 | Groundwork | 30 | 100\n可行性 | Feasibility | 40 | 100",
        team: ("3", "7"),
        young: ("", ""),
        per_institution: 2,
        open: false,
    },
    DemoCall {
        title: "2022年本科高校就业创业研究课题",
        type_code: "02",
        year: "2022",
        dates: ["2022-06-01", "2022-07-15", "2022-07-25", "2022-08-05"],
        levels: &["本科"],
        quota: "3",
        self_assessment: true,
        fields: "研究内容摘要 | Summary | 长文本 | 必填\n预期成果 | Expected results | 文本 | 必填\n经费预算（万元） | Budget (10k yuan) | 数字 | 选填\n申报书 | Application form | 附件 | 必填",
        rubric: "选题价值 | Value | 40 | 100\n研究设计 | Design | 40 | 100\n团队基础 | Team | 20 | 100",
        team: ("2", "8"),
        young: ("", ""),
        per_institution: 2,
        open: false,
    },
    DemoCall {
        title: "第八届“互联网+”大学生创新创业大赛湖南省赛",
        type_code: "07",
        year: "2022",
        dates: ["2022-04-15", "2022-06-30", "2022-07-20", "2022-08-10"],
        levels: &["本科", "高职"],
        quota: "3",
        self_assessment: false,
        fields: "项目简介 | Summary | 长文本 | 必填\n项目阶段 | Stage | 选择 | 必填 | 创意/初创/成长\n商业计划书 | Business plan | 附件 | 必填",
        rubric: "创新维度 | Innovation | 30 | 100\n团队维度 | Team | 25 | 100\n商业维度 | Business | 45 | 100 | 高教主赛道\n职业维度 | Vocation | 45 | 100 | 职教赛道",
        team: ("3", "15"),
        young: ("35", "60"),
        per_institution: 2,
        open: false,
    },
    DemoCall {
        title: "2022年湖南省大学生创业孵化示范基地评选",
        type_code: "04",
        year: "2022",
        dates: ["2022-05-01", "2022-05-31", "2022-06-15", "2022-06-30"],
        levels: &["本科", "高职"],
        quota: "1",
        self_assessment: true,
        fields: "基地面积（平方米） | Floor area (m²) | 数字 | 必填\n在孵项目数 | Projects incubated | 数字 | 必填\n建设情况报告 | Report | 附件 | 必填",
        rubric: "场地与设施 | Premises | 30 | 100\n孵化成效 | Results | 50 | 100\n管理制度 | Management | 20 | 100",
        team: ("1", ""),
        young: ("", ""),
        per_institution: 1,
        open: false,
    },
    DemoCall {
        title: "2022年大学生创新创业项目路演遴选",
        type_code: "12",
        year: "2022",
        dates: ["2022-09-01", "2022-09-30", "2022-10-15", "2022-10-30"],
        levels: &["本科", "高职"],
        quota: "2",
        self_assessment: false,
        fields: "项目简介 | Summary | 长文本 | 必填\n路演材料 | Pitch deck | 附件 | 选填",
        rubric: "项目创新 | Innovation | 40 | 10\n市场前景 | Market | 30 | 10\n团队 | Team | 30 | 10",
        team: ("2", "10"),
        young: ("", ""),
        per_institution: 2,
        open: true,
    },
];

const LEADERS: [&str; 12] = [
    "刘建华",
    "陈志强",
    "王丽娟",
    "李国平",
    "张晓燕",
    "周文斌",
    "罗红梅",
    "彭立新",
    "谭卫东",
    "曾秋菊",
    "黄海涛",
    "欧阳敏",
];

/// A valid ID number of a leader, born in the 1970s or 1980s.
fn leader_id(n: usize) -> String {
    let first17 = format!("430102{}{:02}{:02}{:03}", 1972 + (n % 16), 1 + n % 12, 1 + (n * 7) % 28, 100 + n);
    let check = kernel::validate::id_card_check_char(&first17).unwrap_or('0');
    format!("{first17}{check}")
}

/// Calls written, applications written.
pub async fn generate(tx: &mut Tx) -> Result<(usize, usize), DemoError> {
    let who = AuditActor::system("demo");
    let types: HashMap<String, String> = store::type_groups(tx).await?;
    let rows = tx.fetch_all("SELECT id, code, level FROM institutions ORDER BY code", &[]).await?;
    let institutions: Vec<(i64, String, String)> =
        rows.iter().map(|r| Ok((r.i64("id")?, r.text("code")?, r.text("level")?))).collect::<kernel::DbResult<_>>()?;
    let codes: HashMap<String, i64> = institutions.iter().map(|(id, code, _)| (code.clone(), *id)).collect();
    let mut leaders = 0usize;
    let mut written = 0usize;
    for (n, d) in CALLS.iter().enumerate() {
        let form = CallForm {
            title: d.title.into(),
            type_code: d.type_code.into(),
            year: d.year.into(),
            opens_on: d.dates[0].into(),
            closes_on: d.dates[1].into(),
            review_on: d.dates[2].into(),
            notice_on: d.dates[3].into(),
            levels: d.levels.iter().map(|s| (*s).to_owned()).collect(),
            institutions: Vec::new(),
            quota_default: d.quota.into(),
            quotas: String::new(),
            self_assessment: d.self_assessment,
            fields: d.fields.into(),
            rubric: d.rubric.into(),
            one_live: true,
            block_unfinished: true,
            team_min: d.team.0.into(),
            team_max: d.team.1.into(),
            young_age: d.young.0.into(),
            young_percent: d.young.1.into(),
        };
        let call = match rules::check_call(&form, &types, &codes, kernel::Locale::Zh) {
            Ok(c) => c,
            Err(_) => return Err(DemoError::Missing("the call types' code table")),
        };
        let id = store::create_call(tx, &who, &call).await?;
        store::set_call_status(tx, &who, id, rules::DRAFT, rules::OPEN).await?;
        let tracks = rules::tracks(&call.rubric);
        let eligible: Vec<&(i64, String, String)> = institutions
            .iter()
            .filter(|(i, _, level)| rules::eligible(&call.levels, &call.institutions, level, *i))
            .take(6)
            .collect();
        let fields = store::fields_tx(tx, id).await?;
        for (k, (institution, _, level)) in eligible.iter().enumerate() {
            let members = tx
                .fetch_all(
                    "SELECT name, id_number FROM graduates WHERE institution_id = $1 ORDER BY id LIMIT 4",
                    &[(*institution).into()],
                )
                .await?;
            let members: Vec<Person> = members
                .iter()
                .skip(n % 2)
                .map(|r| Ok(Person { name: r.text("name")?, id_number: r.text("id_number")? }))
                .collect::<kernel::DbResult<_>>()?;
            for j in 0..d.per_institution {
                let leader = leaders;
                leaders += 1;
                let track = match tracks.as_slice() {
                    [] => String::new(),
                    t => {
                        let pick = usize::from(level == "本科");
                        t[pick % t.len()].clone()
                    }
                };
                let draft = Draft {
                    title: format!("{}（{}）", project_title(n, k + j), j + 1),
                    track,
                    leader: Person { name: LEADERS[leader % LEADERS.len()].to_owned(), id_number: leader_id(leader) },
                    members: members.clone(),
                };
                let app = store::create_application(tx, &who, id, *institution, &draft).await?;
                let answers: HashMap<String, String> = fields
                    .iter()
                    .filter(|f| f.spec.kind != rules::Kind::File)
                    .map(|f| (f.id.to_string(), answer(&f.spec)))
                    .collect();
                let rubric = store::rubric_tx(tx, id).await?;
                let assessment = rubric
                    .iter()
                    .filter(|(_, dim)| dim.track.is_empty() || dim.track == draft.track)
                    .map(|(rid, dim)| {
                        let score = (dim.points * (70 + ((k + j) as i64 * 7) % 25) / 100).to_string();
                        (rid.to_string(), rules::SelfScore { score, evidence: "见申报书附件".into() })
                    })
                    .filter(|_| d.self_assessment)
                    .collect();
                let a = store::application_tx(tx, app).await?;
                store::save_application(tx, &who, &a, &draft, &answers, &assessment).await?;
                written += 1;
                // The open call keeps drafts and submissions; the others went on to recommendation.
                let last = (k + j) % 4;
                if d.open && last == 0 {
                    continue;
                }
                store::set_application_status(tx, &who, &a, rules::DRAFT, rules::SUBMITTED, "submit").await?;
                if d.open {
                    continue;
                }
                if last == 3 {
                    store::set_application_status(tx, &who, &a, rules::SUBMITTED, rules::WITHDRAWN, "withdraw").await?;
                } else if j == 0 {
                    store::set_application_status(tx, &who, &a, rules::SUBMITTED, rules::RECOMMENDED, "recommend")
                        .await?;
                }
            }
        }
        if !d.open {
            store::set_call_status(tx, &who, id, rules::OPEN, rules::CLOSED).await?;
        }
    }
    let until = chrono::NaiveDate::from_ymd_opt(2024, 12, 31).unwrap_or_default();
    store::add_ban(tx, &who, &leader_id(999), until, "2020年课题撤项（湘教通〔2020〕示例号）").await?;
    Ok((CALLS.len(), written))
}

fn project_title(call: usize, n: usize) -> String {
    const TITLES: [&str; 6] = [
        "高职学生职业生涯规划课程改革研究",
        "新时代大学生就业观念引导路径研究",
        "乡村振兴背景下返乡创业项目孵化",
        "智能制造专业群就业能力培养实践",
        "校企协同的创业孵化服务模式研究",
        "大学生灵活就业权益保障调查",
    ];
    TITLES[(call + n) % TITLES.len()].to_owned()
}

fn answer(f: &rules::FieldSpec) -> String {
    match f.kind {
        rules::Kind::Number => "120".into(),
        rules::Kind::Date => "2022-06-01".into(),
        rules::Kind::Choice => f.choices.first().cloned().unwrap_or_default(),
        rules::Kind::Long => "围绕高校毕业生就业创业工作中的突出问题开展研究，形成可推广的做法。".into(),
        _ => "研究报告一份、咨询建议一份".into(),
    }
}
