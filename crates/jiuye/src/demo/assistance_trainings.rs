//! Demo key-group trainings and training bases (measures 22 and 23): the
//! province's six December sessions and the March one-to-one online guidance
//! for graduates of formerly registered poor families, with enrolment,
//! attendance and completion (each completion a ledger entry of the training
//! kind, so coverage counts it), each session with its own day and hours;
//! one training still to come, open to enrol; one called off (cancelled with
//! its reason) before anyone enrolled;
//! a handful of national (宏志助航) and provincial bases, each with a
//! training, its trainees from low-income families and a few supervision visits.

use chrono::{Days, NaiveDate};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use kernel::db::Record;
use kernel::{time, Tx};

use super::{DemoError, COHORT};

/// (name, host institution code, level, since, contact).
const BASES: [(&str, &str, &str, i64, &str); 5] = [
    ("湘潭大学就业能力培训基地", "10530", "1", 2021, "就业指导中心 李老师 0731-58290000"),
    ("中南大学就业能力培训基地", "10533", "1", 2021, "学生就业指导中心 王老师 0731-88830000"),
    ("湖南师范大学就业能力培训基地", "10542", "2", 2022, "就业指导中心 刘老师 0731-88870000"),
    ("长沙理工大学就业能力培训基地", "10536", "2", 2022, "招生就业处 陈老师 0731-85250000"),
    ("湖南农业大学就业能力培训基地", "10537", "2", 2022, "就业指导中心 周老师 0731-84610000"),
];

/// Low-income families' categories (脱贫、低保、低收入): a base's trainees.
const LOW_INCOME: [&str; 3] = ["01", "02", "03"];

struct NewTraining<'a> {
    base: Option<i64>,
    title: &'a str,
    kind: &'a str,
    starts: NaiveDate,
    ends: NaiveDate,
    online: bool,
    place: &'a str,
    capacity: i64,
    groups: &'a str,
    institutions: String,
    sessions: i64,
    required: i64,
    /// The sessions' days (as many as `sessions`) and their hours; the dates above are their span.
    days: Vec<NaiveDate>,
    hours: (&'a str, &'a str),
}

async fn training(tx: &mut Tx, t: &NewTraining<'_>, now: &str) -> Result<i64, DemoError> {
    let starts = t.days.iter().min().copied().unwrap_or(t.starts);
    let ends = t.days.iter().max().copied().unwrap_or(t.ends);
    let row = Record::new()
        .set("base_id", t.base)
        .set("title", t.title)
        .set("kind_code", t.kind)
        .set("starts_on", starts.to_string())
        .set("ends_on", ends.to_string())
        .set("online", i64::from(t.online))
        .set("place", t.place)
        .set("capacity", t.capacity)
        .set("audience_groups", t.groups)
        .set("audience_institutions", t.institutions.as_str())
        .set("sessions", t.sessions)
        .set("required", t.required)
        .set("created_at", now)
        .set("created_by_label", "admin");
    let id = tx.insert_id("trainings", row).await?;
    for (n, day) in t.days.iter().enumerate() {
        let session = Record::new()
            .set("training_id", id)
            .set("session_no", i64::try_from(n + 1).unwrap_or(i64::MAX))
            .set("held_on", day.to_string())
            .set("starts_at", t.hours.0)
            .set("ends_at", t.hours.1)
            .set("online", i64::from(t.online))
            .set("place", t.place);
        tx.insert("training_sessions", session).await?;
    }
    Ok(id)
}

/// Enrols the graduates (id, institution), ticks each session with chance
/// `attends` and completes those meeting the rule, writing their ledger entries.
async fn run(
    tx: &mut Tx,
    rng: &mut ChaCha8Rng,
    training: (i64, &NewTraining<'_>),
    graduates: &[(i64, i64)],
    attends: f64,
    admin: i64,
    now: &str,
) -> Result<usize, DemoError> {
    let (id, t) = training;
    for &(g, institution) in graduates {
        let mut attended = 0;
        for session in 1..=t.sessions {
            if rng.gen_bool(attends) {
                attended += 1;
                let a = Record::new()
                    .set("training_id", id)
                    .set("session_no", session)
                    .set("graduate_id", g)
                    .set("marked_at", now)
                    .set("marked_by_label", "admin");
                tx.insert("training_attendance", a).await?;
            }
        }
        let entry = match attended >= t.required {
            true => {
                let e = Record::new()
                    .set("graduate_id", g)
                    .set("institution_id", institution)
                    .set("kind_code", ::assistance::trainings::store::LEDGER_KIND)
                    .set("at", t.ends.to_string())
                    .set("by_account", admin)
                    .set("by_label", "admin")
                    .set("note", format!("完成培训：{}", t.title))
                    .set("recorded_at", now);
                Some(tx.insert_id("assistance_entries", e).await?)
            }
            false => None,
        };
        let row = Record::new()
            .set("training_id", id)
            .set("graduate_id", g)
            .set("institution_id", institution)
            .set("enrolled_at", now)
            .set("enrolled_by_label", "demo")
            .set("completed_at", entry.map(|_| now.to_owned()))
            .set("entry_id", entry);
        tx.insert("training_enrolments", row).await?;
    }
    Ok(graduates.len())
}

/// Key-group graduates of the cohort: (id, institution, roster categories).
async fn key_group_graduates(tx: &mut Tx) -> Result<Vec<(i64, i64, Vec<String>)>, DemoError> {
    let rows = tx
        .fetch_all(
            "SELECT id, institution_id, key_groups FROM graduates WHERE cohort_year = $1 AND key_groups <> '' ORDER BY id",
            &[COHORT.into()],
        )
        .await?;
    rows.iter()
        .map(|r| {
            Ok((r.i64("id")?, r.i64("institution_id")?, ::assistance::store::roster_codes(&r.text("key_groups")?)))
        })
        .collect()
}

/// Written: (trainings, enrolments, bases).
pub async fn generate(tx: &mut Tx, rng: &mut ChaCha8Rng) -> Result<(usize, usize, usize), DemoError> {
    let Some(admin) = tx.fetch_optional("SELECT id FROM accounts WHERE username = 'admin'", &[]).await? else {
        return Ok((0, 0, 0));
    };
    let admin = admin.i64("id")?;
    let now = time::now_utc();
    let year = COHORT as i32;
    let date = |y: i32, m: u32, d: u32| NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default();
    let everyone = key_group_graduates(tx).await?;
    let (mut trainings, mut enrolments) = (0, 0);

    // The six December sessions: every key group, every institution; five of six to complete.
    let december = NewTraining {
        base: None,
        title: "重点群体毕业生就业能力提升专项培训（十二月六期）",
        kind: "01",
        starts: date(year - 1, 12, 4),
        ends: date(year - 1, 12, 25),
        online: false,
        place: "湖南省教育厅主会场及各高校分会场",
        capacity: 300,
        groups: "",
        institutions: String::new(),
        sessions: 6,
        required: 5,
        days: [4, 8, 11, 15, 18, 25].iter().map(|d| date(year - 1, 12, *d)).collect(),
        hours: ("14:30", "17:00"),
    };
    let id = training(tx, &december, &now).await?;
    let picked: Vec<(i64, i64)> =
        everyone.iter().filter(|_| rng.gen_bool(0.25)).take(80).map(|(g, i, _)| (*g, *i)).collect();
    enrolments += run(tx, rng, (id, &december), &picked, 0.85, admin, &now).await?;
    trainings += 1;

    // The March one-to-one online guidance for graduates of formerly registered poor families (01).
    let march = NewTraining {
        base: None,
        title: "原建档立卡家庭毕业生一对一线上就业指导（三月）",
        kind: "05",
        starts: date(year, 3, 18),
        ends: date(year, 3, 18),
        online: true,
        place: "线上（腾讯会议，会议号由学校就业办通知）",
        capacity: 200,
        groups: "01",
        institutions: String::new(),
        sessions: 1,
        required: 1,
        days: vec![date(year, 3, 18)],
        hours: ("19:00", "21:00"),
    };
    let id = training(tx, &march, &now).await?;
    let poor: Vec<(i64, i64)> = everyone
        .iter()
        .filter(|(_, _, c)| c.iter().any(|c| c == "01"))
        .filter(|_| rng.gen_bool(0.6))
        .take(60)
        .map(|(g, i, _)| (*g, *i))
        .collect();
    enrolments += run(tx, rng, (id, &march), &poor, 0.8, admin, &now).await?;
    trainings += 1;

    // One still to come, open for enrolment.
    let today = time::today_china();
    let coming = NewTraining {
        base: None,
        title: "重点群体毕业生求职技能线上训练营",
        kind: "02",
        starts: today + Days::new(14),
        ends: today + Days::new(35),
        online: true,
        place: "线上（省大学生就业服务平台直播间）",
        capacity: 500,
        groups: "",
        institutions: String::new(),
        sessions: 4,
        required: 3,
        days: [14, 21, 28, 35].iter().map(|d| today + Days::new(*d)).collect(),
        hours: ("19:00", "20:30"),
    };
    training(tx, &coming, &now).await?;
    trainings += 1;

    let mut bases = 0;
    for (n, (name, code, level, since, contact)) in BASES.iter().enumerate() {
        let Some(host) = tx.fetch_optional("SELECT id FROM institutions WHERE code = $1", &[(*code).into()]).await?
        else {
            continue;
        };
        let host = host.i64("id")?;
        let row = Record::new()
            .set("name", *name)
            .set("host_institution_id", host)
            .set("level_code", *level)
            .set("since_year", *since)
            .set("contact", *contact)
            .set("created_at", now.as_str())
            .set("created_by_label", "admin");
        let base = tx.insert_id("training_bases", row).await?;
        bases += 1;
        let title = format!("{}第一期就业能力培训班", name.trim_end_matches("就业能力培训基地"));
        let t = NewTraining {
            base: Some(base),
            title: &title,
            kind: if n % 2 == 0 { "01" } else { "04" },
            starts: date(year, 4, 9 + n as u32),
            ends: date(year, 4, 23 + n as u32),
            online: false,
            place: name,
            capacity: 50,
            groups: "01,02,03",
            institutions: host.to_string(),
            sessions: 3,
            required: 2,
            days: [9, 16, 23].iter().map(|d| date(year, 4, *d + n as u32)).collect(),
            hours: ("09:00", "12:00"),
        };
        let id = training(tx, &t, &now).await?;
        let trainees: Vec<(i64, i64)> = everyone
            .iter()
            .filter(|(_, i, c)| *i == host && c.iter().any(|c| LOW_INCOME.contains(&c.as_str())))
            .take(15)
            .map(|(g, i, _)| (*g, *i))
            .collect();
        enrolments += run(tx, rng, (id, &t), &trainees, 0.8, admin, &now).await?;
        trainings += 1;
        // The province's supervision: the first bases visited, one rectification closed, one overdue.
        if n < 3 {
            let visited = date(year, 5, 10 + n as u32);
            let (findings, closed) = match n {
                0 => ("培训台账完整，学员结业考核记录齐全。", true),
                1 => ("部分学员签到记录缺失，需补齐并完善出勤管理。", false),
                _ => ("培训课程与岗位需求衔接不够，需调整课程设置。", false),
            };
            let v = Record::new()
                .set("base_id", base)
                .set("visited_on", visited.to_string())
                .set("visitors", "省教育厅高校学生处、省就业指导中心")
                .set("findings", findings)
                .set("rectify_by", (n > 0).then(|| (visited + Days::new(30)).to_string()))
                .set("closed_at", closed.then(|| now.clone()))
                .set("recorded_at", now.as_str())
                .set("recorded_by_label", "admin");
            tx.insert("base_visits", v).await?;
        }
    }
    // One called off before anyone enrolled: it stays on the list, marked, with its reason.
    let called_off = NewTraining {
        base: None,
        title: "重点群体毕业生创业实务培训（线下班）",
        kind: "01",
        starts: today + Days::new(20),
        ends: today + Days::new(27),
        online: false,
        place: "湖南省大中专学校学生就业指导服务中心",
        capacity: 100,
        groups: "",
        institutions: String::new(),
        sessions: 2,
        required: 2,
        days: vec![today + Days::new(20), today + Days::new(27)],
        hours: ("09:00", "17:00"),
    };
    let id = training(tx, &called_off, &now).await?;
    let cancelled = Record::new()
        .set("cancelled_at", now.as_str())
        .set("cancel_reason", "报名人数不足，并入线上求职技能训练营")
        .set("cancelled_by_label", "admin");
    tx.update("trainings", cancelled, "id", id).await?;
    trainings += 1;
    Ok((trainings, enrolments, bases))
}
