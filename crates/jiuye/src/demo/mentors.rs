//! Demo mentor pool (就业创业导师库): about sixty mentors on the universities'
//! office accounts (`staff{code}`) and the demo expert account, most published,
//! a few pending or rejected; entrepreneurs in residence with their
//! residencies and some teachers' secondments; slots over the past months and
//! the coming weeks, booked by graduates (held, missed, coming); and a dozen
//! courses, with small documents when the demo has a data folder.

use chrono::{Duration, NaiveTime};
use rand::seq::SliceRandom;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use kernel::db::Record;
use kernel::{time, Tx};

use super::DemoError;
use ::assistance::appointments::rules as times;

const SURNAMES: [&str; 12] = ["王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙"];
const GIVEN: [&str; 10] = ["建国", "丽华", "志强", "晓燕", "海涛", "敏", "静", "军", "文博", "思远"];
const TITLES: [&str; 5] = ["副教授", "讲师", "就业指导中心主任", "创新创业学院副院长", "高级职业指导师"];
const FOUNDERS: [&str; 4] =
    ["长沙智造科技有限公司 创始人", "湘江数字传媒 总经理", "岳麓农创合作社 理事长", "株洲轨道配套 董事长"];
const TOPICS: [&str; 4] =
    ["创业项目商业计划书怎么写", "想了解驻校企业家的孵化支持", "简历和面试怎么准备", "职业方向拿不准"];
const NOTES: [&str; 3] =
    ["梳理了商业计划书的市场部分。", "做了一次模拟面试并给出改进建议。", "讨论了三个可选的职业方向。"];
const COURSES: [(&str, &str, &str); 12] = [
    ("model", "大学生职业生涯规划（示范课）", "public"),
    ("model", "就业指导：从简历到面试", "graduates"),
    ("model", "创新创业基础", "public"),
    ("model", "创业项目路演实务", "graduates"),
    ("model", "职业指导教师工作坊", "staff"),
    ("model", "重点群体毕业生帮扶方法", "staff"),
    ("resource", "求职简历模板（共享资源）", "graduates"),
    ("resource", "公务员与选调生报考指南", "graduates"),
    ("resource", "创业补贴与税收优惠政策汇编", "public"),
    ("resource", "就业指导课程教案集", "staff"),
    ("resource", "面试常见问题 100 问", "graduates"),
    ("resource", "导师工作室共享讲义", "staff"),
];

/// (mentors, slots, bookings, courses) written.
pub async fn generate(
    tx: &mut Tx,
    rng: &mut ChaCha8Rng,
    store: Option<&kernel::files::FileStore>,
) -> Result<(usize, usize, usize, usize), DemoError> {
    let now = time::now_utc();
    let today = time::today_china();
    let offices = tx
        .fetch_all(
            "SELECT a.id, a.institution_id, i.name FROM accounts a JOIN institutions i ON i.id = a.institution_id \
             WHERE a.role = 'university_staff' AND a.username LIKE 'staff1%' ORDER BY a.id LIMIT 59",
            &[],
        )
        .await?;
    let staff = tx.fetch_one("SELECT id, institution_id FROM accounts WHERE username = 'staff'", &[]).await?;
    let expert = tx.fetch_one("SELECT id FROM accounts WHERE username = 'expert'", &[]).await?.i64("id")?;
    // (account, institution, institution name, recommended by)
    let mut people: Vec<(i64, i64, String, i64)> = Vec::new();
    for o in &offices {
        people.push((o.i64("id")?, o.i64("institution_id")?, o.text("name")?, o.i64("id")?));
    }
    let xtu = staff.i64("institution_id")?;
    let xtu_name = tx.fetch_one("SELECT name FROM institutions WHERE id = $1", &[xtu.into()]).await?.text("name")?;
    // The demo expert: an independent mentor the demo university recommended, published.
    people.push((expert, xtu, xtu_name, staff.i64("id")?));
    // (graduate, institution, in the key-group register by the roster)
    let graduates: Vec<(i64, i64, bool)> = tx
        .fetch_all("SELECT id, institution_id, key_groups FROM graduates ORDER BY id LIMIT 2000", &[])
        .await?
        .iter()
        .map(|r| {
            Ok((r.i64("id")?, r.i64("institution_id")?, !r.opt_text("key_groups")?.unwrap_or_default().is_empty()))
        })
        .collect::<kernel::DbResult<_>>()?;
    let (mut mentors, mut slots, mut bookings) = (0, 0, 0);
    let last = people.len() - 1;
    for (n, (account, institution, inst_name, by)) in people.iter().enumerate() {
        let kind = ["guidance", "startup", "resident"][n % 3];
        let status = match (n == last, n % 11) {
            (true, _) => "published",
            (_, 3) => "pending",
            (_, 7) => "rejected",
            _ => "published",
        };
        let mut fields: Vec<String> = (1..=10).map(|i| format!("{i:02}")).collect();
        fields.shuffle(rng);
        let mut fields: Vec<String> = fields.into_iter().take(rng.gen_range(1..=3)).collect();
        fields.sort();
        let name = format!("{}{}", SURNAMES[n % SURNAMES.len()], GIVEN[(n / 3) % GIVEN.len()]);
        let (organisation, title) = match kind {
            "resident" => {
                let f = FOUNDERS[n % FOUNDERS.len()];
                let (org, t) = f.split_once(' ').unwrap_or((f, "创始人"));
                (org.to_owned(), t.to_owned())
            }
            _ => (inst_name.clone(), TITLES[n % TITLES.len()].to_owned()),
        };
        let row = Record::new()
            .set("account_id", *account)
            .set("name", name.as_str())
            .set("kind", kind)
            .set("fields", fields.join(","))
            .set("organisation", organisation.as_str())
            .set("title", title.as_str())
            .set("phone", format!("139{:08}", 10_000_000 + n))
            .set("bio", format!("{name}，{organisation}{title}，长期从事大学生就业创业指导。"))
            .set("availability", ["每周三下午", "每周五上午", "双周周末线上"][n % 3])
            .set("institution_id", *institution)
            .set("status", status)
            .set("recommended_by", *by)
            .set("recommended_at", now.as_str())
            .set("decided_at", if status == "pending" { None } else { Some(now.clone()) })
            .set("decided_by_label", if status == "pending" { None } else { Some("admin".to_owned()) })
            .set("reason", if status == "rejected" { Some("材料不完整，请补充后重新推荐".to_owned()) } else { None });
        let mentor = tx.insert_id("mentors", row).await?;
        mentors += 1;
        if kind == "resident" || n % 5 == 0 {
            let (posting, place) = match kind {
                "resident" => ("residency", inst_name.clone()),
                _ => ("secondment", FOUNDERS[n % FOUNDERS.len()].split(' ').next().unwrap_or("").to_owned()),
            };
            let from = today - Duration::days(rng.gen_range(60..300));
            let row = Record::new()
                .set("mentor_id", mentor)
                .set("kind", posting)
                .set("place", place)
                .set("from_on", from.to_string())
                .set("to_on", (from + Duration::days(120)).to_string())
                .set("created_at", now.as_str())
                .set("created_by_label", "demo");
            tx.insert_id("mentor_postings", row).await?;
        }
        if status != "published" {
            continue;
        }
        // Slots every other week over the past ten weeks and the coming three.
        for week in -5i64..=1 {
            let day = today + Duration::days(week * 14 + (n as i64 % 5) + 1);
            let at = day.and_time(NaiveTime::from_hms_opt(14 + (n as u32 % 3), 0, 0).unwrap_or_default());
            let online = n % 2 == 0;
            let row = Record::new()
                .set("mentor_id", mentor)
                .set("starts_at", times::at_text(at))
                .set("minutes", 40i64)
                .set("mode", if online { "online" } else { "in_person" })
                .set(
                    "place",
                    if online {
                        "腾讯会议 800 100 200".to_owned()
                    } else {
                        format!("{inst_name} 就业指导中心")
                    },
                )
                .set("created_at", now.as_str());
            let slot = tx.insert_id("mentor_slots", row).await?;
            slots += 1;
            let past = day < today;
            // The demo expert's coming slots stay free for the journeys; others are booked at times.
            if (n == last && !past) || !rng.gen_bool(if past { 0.6 } else { 0.3 }) {
                continue;
            }
            let Some(&(graduate, graduate_institution, key_group)) = graduates.choose(rng) else { continue };
            let exists = tx
                .fetch_optional(
                    "SELECT 1 AS yes FROM mentor_bookings WHERE graduate_id = $1 AND mentor_id = $2 AND state = 'booked'",
                    &[graduate.into(), mentor.into()],
                )
                .await?;
            if exists.is_some() {
                continue;
            }
            let state = match (past, rng.gen_bool(0.8)) {
                (false, _) => "booked",
                (true, true) => "held",
                (true, false) => "missed",
            };
            let note = (state == "held").then(|| NOTES[rng.gen_range(0..NOTES.len())]);
            // A held session of a graduate in the key-group register is a guidance entry in its file.
            let entry = match (note, key_group) {
                (Some(note), true) => {
                    let e = Record::new()
                        .set("graduate_id", graduate)
                        .set("institution_id", graduate_institution)
                        .set("kind_code", ::assistance::GUIDANCE)
                        .set("at", day.to_string())
                        .set("by_account", *account)
                        .set("by_label", "demo")
                        .set("note", format!("导师一对一指导（{name}，{}）：{note}", times::at_text(at)))
                        .set("recorded_at", now.as_str());
                    Some(tx.insert_id("assistance_entries", e).await?)
                }
                _ => None,
            };
            let row = Record::new()
                .set("slot_id", slot)
                .set("mentor_id", mentor)
                .set("graduate_id", graduate)
                .set("institution_id", graduate_institution)
                .set("topic", TOPICS[rng.gen_range(0..TOPICS.len())])
                .set("state", state)
                .set("booked_at", now.as_str())
                .set("closed_at", if past { Some(now.clone()) } else { None })
                .set("closed_by_label", if past { Some("demo".to_owned()) } else { None })
                .set("note", note)
                .set("entry_id", entry);
            tx.insert_id("mentor_bookings", row).await?;
            bookings += 1;
        }
    }
    let admin = tx.fetch_one("SELECT id FROM accounts WHERE username = 'admin'", &[]).await?.i64("id")?;
    for (n, (kind, title, audience)) in COURSES.iter().enumerate() {
        let (account, institution) = if n % 2 == 0 { (admin, None) } else { (staff.i64("id")?, Some(xtu)) };
        let row = Record::new()
            .set("kind", *kind)
            .set("title", *title)
            .set("summary", format!("{title}：课程大纲、讲义与案例。"))
            .set("audience", *audience)
            .set("institution_id", institution)
            .set("created_by", account)
            .set("created_by_label", "demo")
            .set("created_at", now.as_str());
        let course = tx.insert_id("courses", row).await?;
        if let Some(store) = store {
            let stored =
                store.put_document(&super::sample_evidence_numbered(&format!("Course {n:02}")), 1024 * 1024)?;
            let row = Record::new()
                .set("course_id", course)
                .set("shown_name", format!("{title}.pdf"))
                .set("sha256", stored.sha256.as_str())
                .set("content_type", stored.kind.content_type())
                .set("size", stored.size as i64)
                .set("created_at", now.as_str());
            tx.insert_id("course_files", row).await?;
        }
    }
    Ok((mentors, slots, bookings, COURSES.len()))
}
