//! Demo training classes (measures 12 and 13 of the 2022 plan): the
//! guidance-teacher classes held periodically from October 2021 to August
//! 2022, each with its curriculum, three sessions, the teachers the offices
//! enrolled within their quotas, attendance, assessment and certificates; and
//! two 创业月课堂 sessions (a salon and a roadshow) that graduates joined.
//! Written through the classes' own store, so the audit log holds them as the
//! pages would have written them. The `college` account is one of 湘潭大学's
//! teachers, so it can enrol itself.

use chrono::NaiveDate;

use ::training::classes::rules::{self, Audience, CheckedTeacher, Module, Rule, SessionLine};
use ::training::classes::store::{self, Class, Enrolled, Enrollee, Participant};
use kernel::audit::AuditActor;
use kernel::Tx;

use super::DemoError;

/// Teachers per institution, and how many institutions send teachers.
const TEACHERS: usize = 3;
const INSTITUTIONS: usize = 12;

const SURNAMES: [&str; 12] = ["王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙"];
const GIVEN: [&str; 8] = ["丽华", "建国", "晓明", "红梅", "志强", "文静", "海燕", "国平"];
const DEPARTMENTS: [&str; 3] = ["招生就业处", "学生工作部", "创新创业学院"];
const TITLES: [&str; 3] = ["讲师", "副教授", "助理研究员"];

/// (title, kind, audience, first day, prefix, capacity, quota, required, assessed, place).
struct DemoClass {
    title: &'static str,
    kind: &'static str,
    audience: Audience,
    first: (i32, u32, u32),
    prefix: &'static str,
    required: i64,
    assessed: bool,
    place: &'static str,
    modules: &'static [(&'static str, i64, &'static str)],
}

const TEACHER_MODULES: &[(&str, i64, &str)] = &[
    ("就业形势与政策解读", 4, "省教育厅学生处"),
    ("职业生涯规划教学设计", 8, "湖南师范大学 刘教授"),
    ("就业指导个体咨询技术", 8, "中南大学 王副教授"),
    ("就业质量年度报告编制", 4, "省就业指导中心"),
];

const CLASSES: [DemoClass; 7] = [
    DemoClass {
        title: "2021年第一期高校就业创业指导师资培训班",
        kind: "01",
        audience: Audience::Teachers,
        first: (2021, 10, 20),
        prefix: "HNSZ",
        required: 2,
        assessed: true,
        place: "长沙·湖南师范大学",
        modules: TEACHER_MODULES,
    },
    DemoClass {
        title: "2021年第二期高校就业创业指导师资培训班",
        kind: "01",
        audience: Audience::Teachers,
        first: (2021, 12, 8),
        prefix: "HNSZ",
        required: 2,
        assessed: true,
        place: "湘潭·湘潭大学",
        modules: TEACHER_MODULES,
    },
    DemoClass {
        title: "2022年第三期高校就业创业指导师资培训班（网上签约与去向登记平台专题）",
        kind: "01",
        audience: Audience::Teachers,
        first: (2022, 3, 16),
        prefix: "HNSZ",
        required: 2,
        assessed: true,
        place: "线上：https://meeting.example.cn/hnsz2022-3",
        modules: &[
            ("全国高校毕业生网上签约与毕业去向登记平台操作", 6, "省就业指导中心"),
            ("毕业去向登记核查要点", 4, "省教育厅学生处"),
        ],
    },
    DemoClass {
        title: "2022年第四期高校就业创业指导师资培训班",
        kind: "01",
        audience: Audience::Teachers,
        first: (2022, 5, 18),
        prefix: "HNSZ",
        required: 2,
        assessed: true,
        place: "长沙·中南大学",
        modules: TEACHER_MODULES,
    },
    DemoClass {
        title: "2022年第五期高校就业创业指导师资培训班（创业指导方向）",
        kind: "01",
        audience: Audience::Teachers,
        first: (2022, 8, 10),
        prefix: "HNSZ",
        required: 3,
        assessed: true,
        place: "长沙·长沙理工大学",
        modules: &[
            ("创业教育课程建设", 8, "创新创业学院 陈教授"),
            ("创业项目辅导与路演点评", 8, "驻校企业家 周总"),
            ("大学生创业政策", 4, "省人社厅"),
        ],
    },
    DemoClass {
        title: "2022年创业月课堂·创业沙龙：从校园到市场",
        kind: "04",
        audience: Audience::Students,
        first: (2022, 4, 12),
        prefix: "HNCY",
        required: 1,
        assessed: false,
        place: "长沙·湖南大学创业孵化基地",
        modules: &[("创业者分享与交流", 3, "青年创业者 李总")],
    },
    DemoClass {
        title: "2022年创业月课堂·创业路演",
        kind: "05",
        audience: Audience::Both,
        first: (2022, 4, 26),
        prefix: "HNCY",
        required: 1,
        assessed: false,
        place: "长沙·湖南省大学生创业孵化示范基地",
        modules: &[("项目路演与投资人点评", 4, "投资机构评委团")],
    },
];

fn id_number(seq: usize) -> String {
    let body = format!("430102{}{:02}{:02}{:03}", 1975 + seq % 20, 1 + seq % 12, 1 + seq % 28, 100 + seq % 900);
    let check = kernel::validate::id_card_check_char(&body).unwrap_or('0');
    format!("{body}{check}")
}

/// Writes the demo teachers and classes; returns (classes, participants, certificates).
pub async fn generate(tx: &mut Tx) -> Result<(usize, usize, usize), DemoError> {
    let who = AuditActor::system("demo");
    let mut institutions = Vec::new();
    for r in tx.fetch_all("SELECT id, code FROM institutions ORDER BY code", &[]).await? {
        institutions.push((r.i64("id")?, r.text("code")?));
    }
    // 湘潭大学 (the demo staff's) first, then others by code.
    institutions.sort_by_key(|(_, code)| (code.as_str() != "10530", code.clone()));
    institutions.truncate(INSTITUTIONS);
    let mut teachers: Vec<(i64, i64)> = Vec::new();
    let mut seq = 0;
    for (institution, code) in &institutions {
        for k in 0..TEACHERS {
            seq += 1;
            let t = CheckedTeacher {
                name: format!("{}{}", SURNAMES[seq % SURNAMES.len()], GIVEN[(seq * 3 + k) % GIVEN.len()]),
                id_number: id_number(seq),
                phone: format!("139{:08}", 73_100_000 + seq),
                title: TITLES[k % TITLES.len()].to_owned(),
                department: DEPARTMENTS[k % DEPARTMENTS.len()].to_owned(),
                username: if code == "10530" && k == 0 { "college".to_owned() } else { String::new() },
            };
            if let Ok(id) = store::add_teacher(tx, &who, *institution, &t).await? {
                teachers.push((id, *institution));
            }
        }
    }
    let mut graduates = Vec::new();
    for r in tx.fetch_all("SELECT id, institution_id FROM graduates ORDER BY id LIMIT 40", &[]).await? {
        graduates.push((r.i64("id")?, r.i64("institution_id")?));
    }
    let (mut classes, mut participants, mut certificates) = (0, 0, 0);
    for (n, d) in CLASSES.iter().enumerate() {
        let Some(first) = NaiveDate::from_ymd_opt(d.first.0, d.first.1, d.first.2) else { continue };
        let sessions: Vec<SessionLine> = (0..3u64)
            .map(|k| SessionLine {
                held_on: first + chrono::Days::new(k),
                starts_at: if k == 2 { "14:30".into() } else { "09:00".into() },
                ends_at: if k == 2 { "17:30".into() } else { "12:00".into() },
                online: d.place.starts_with("线上"),
                place: d.place.to_owned(),
            })
            .collect();
        let checked = rules::Checked {
            kind: d.kind.to_owned(),
            title: d.title.to_owned(),
            audience: d.audience,
            modules: d
                .modules
                .iter()
                .map(|(t, h, tr)| Module { title: (*t).to_owned(), hours: *h, trainer: (*tr).to_owned() })
                .collect(),
            sessions,
            capacity: 150,
            quota: if d.audience == Audience::Teachers { 2 } else { 0 },
            quotas: institutions.first().map(|(id, _)| vec![(*id, 3)]).unwrap_or_default(),
            rule: Rule { required: d.required, assessed: d.assessed },
            pass_mark: 60,
            prefix: d.prefix.to_owned(),
            organiser: None,
        };
        let id = store::create(tx, &who, &checked).await?;
        classes += 1;
        let class = Class {
            id,
            kind: checked.kind.clone(),
            title: checked.title.clone(),
            audience: checked.audience,
            capacity: checked.capacity,
            quota: checked.quota,
            rule: checked.rule,
            pass_mark: checked.pass_mark,
            prefix: checked.prefix.clone(),
            organiser: None,
            organiser_name: None,
            hours: checked.hours(),
            enrolled: 0,
            first_day: first.to_string(),
            last_day: (first + chrono::Days::new(2)).to_string(),
        };
        let mut enrolled: Vec<Participant> = Vec::new();
        let mut people: Vec<Enrollee> = Vec::new();
        if d.audience.admits_teachers() {
            // Each class takes a different slice of the teachers, so most attend more than one.
            people.extend(
                teachers
                    .iter()
                    .enumerate()
                    .filter(|(k, _)| (k + n) % 3 != 2)
                    .map(|(_, (id, institution))| Enrollee::Teacher { id: *id, institution: *institution }),
            );
        }
        if d.audience.admits_students() {
            people.extend(
                graduates
                    .iter()
                    .skip(n * 5)
                    .take(15)
                    .map(|(id, institution)| Enrollee::Graduate { id: *id, institution: *institution }),
            );
        }
        for e in people {
            if let Enrolled::Done(pid) = store::enrol(tx, &who, &class, e).await? {
                let (teacher_id, graduate_id, institution_id) = match e {
                    Enrollee::Teacher { id, institution } => (Some(id), None, institution),
                    Enrollee::Graduate { id, institution } => (None, Some(id), institution),
                };
                enrolled.push(Participant {
                    id: pid,
                    class_id: id,
                    teacher_id,
                    graduate_id,
                    institution_id,
                    institution: String::new(),
                    name: String::new(),
                    number: String::new(),
                    score: None,
                    passed: None,
                    completed_at: None,
                    attended: 0,
                    certificate: None,
                });
            }
        }
        participants += enrolled.len();
        for (k, p) in enrolled.iter().enumerate() {
            // Most attend every session; every seventh misses two.
            let attended = if (k + n) % 7 == 3 { 1 } else { 3 };
            for session in 1..=attended {
                store::check_in(tx, &who, &class, session, p).await?;
            }
            if d.assessed {
                let score = 52 + i64::try_from((k * 17 + n * 5) % 47).unwrap_or(0);
                store::assess(tx, &who, p, rules::Assessment { score: Some(score), passed: score >= 60 }).await?;
            }
        }
        let issued = first + chrono::Days::new(2);
        certificates += store::complete(tx, &who, &class, issued).await?.len();
    }
    Ok((classes, participants, certificates))
}
