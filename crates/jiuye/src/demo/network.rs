//! The demo's employer network: real Hunan parks, key employers among the demo
//! employers of each park's city (the demo `employer` among them, its plaque
//! issued), and the universities' visits of 2022 (访企拓岗, 调研走访), in Hunan
//! and out of the province (长三角, 珠三角, 粤港澳大湾区, capitals). Seeded by
//! the demo's generator, written in bulk inside the demo's transaction.

use chrono::NaiveDate;
use rand::seq::SliceRandom;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use kernel::{time, Tx, Value};

use super::DemoError;

/// (name, county region code) of the parks.
const PARKS: [(&str, &str); 10] = [
    ("长沙经济技术开发区", "430121"),
    ("湖南湘江新区", "430104"),
    ("长沙高新技术产业开发区", "430104"),
    ("岳麓山国家大学科技城", "430104"),
    ("株洲高新技术产业开发区", "430211"),
    ("湘潭高新技术产业开发区", "430304"),
    ("衡阳高新技术产业开发区", "430408"),
    ("岳阳经济技术开发区", "430602"),
    ("常德经济技术开发区", "430702"),
    ("郴州高新技术产业开发区", "431002"),
];

/// Key employers designated per park, at most.
const PER_PARK: usize = 4;

/// Strategy fields (`strategy_field`) by the employer's industry code's first
/// letter or digits; the rest are spread over the others.
const FIELDS: [&str; 12] = ["M01", "M02", "M03", "M04", "M05", "M06", "M07", "M08", "T01", "T02", "O01", "O02"];

/// (visit region, region code prefixes of the employers there).
const AWAY: [(&str, &[&str]); 12] = [
    ("YRD", &["31", "32", "33", "34"]),
    ("PRD", &["4401", "4403", "4404", "4406", "4419", "4420"]),
    ("GBA", &["4401", "4403", "81", "82"]),
    ("BTH", &["11", "12", "13"]),
    ("CY", &["50", "51"]),
    ("CZ", &["42", "36"]),
    ("110000", &["11"]),
    ("310000", &["31"]),
    ("440100", &["4401"]),
    ("420100", &["4201"]),
    ("330100", &["3301"]),
    ("510100", &["5101"]),
];

const MAJORS: [&str; 10] = [
    "机械设计制造及其自动化",
    "计算机科学与技术",
    "软件工程",
    "电气工程及其自动化",
    "材料科学与工程",
    "土木工程",
    "会计学",
    "市场营销",
    "护理学",
    "车辆工程",
];

const FOLLOW_UPS: [&str; 4] = ["已签订校企合作协议", "拟来校举办专场招聘会", "建立实习实践基地", "持续跟进岗位需求"];

struct Employer {
    id: i64,
    region_code: String,
}

/// What the network part wrote: (parks, key employers, visits).
pub async fn generate(
    tx: &mut Tx,
    rng: &mut ChaCha8Rng,
    demo_employer: i64,
) -> Result<(usize, usize, usize), DemoError> {
    let employers: Vec<Employer> = tx
        .fetch_all(
            "SELECT id, region_code FROM employers WHERE status = 'approved' AND region_code IS NOT NULL ORDER BY id",
            &[],
        )
        .await?
        .iter()
        .map(|r| Ok(Employer { id: r.i64("id")?, region_code: r.text("region_code")? }))
        .collect::<Result<_, kernel::DbError>>()?;
    let now = time::now_utc();
    let mut parks = Vec::new();
    for (name, region) in PARKS {
        let row =
            kernel::db::Record::new().set("name", name).set("region_code", region).set("created_at", now.as_str());
        parks.push((tx.insert_id("parks", row).await?, region));
    }
    let designated = key_employers(tx, rng, &employers, &parks, demo_employer, &now).await?;
    let visits = visits(tx, rng, &employers, &parks, &now).await?;
    Ok((parks.len(), designated, visits))
}

fn day(rng: &mut ChaCha8Rng, from: (i32, u32), months: u32) -> String {
    let first = NaiveDate::from_ymd_opt(from.0, from.1, 1).unwrap_or_default();
    let date = first + chrono::Days::new(rng.gen_range(0..months as u64 * 30));
    date.min(time::today_china()).to_string()
}

async fn key_employers(
    tx: &mut Tx,
    rng: &mut ChaCha8Rng,
    employers: &[Employer],
    parks: &[(i64, &str)],
    demo_employer: i64,
    now: &str,
) -> Result<usize, DemoError> {
    let mut rows: Vec<Vec<Value>> = Vec::new();
    let mut taken = std::collections::HashSet::from([demo_employer]);
    // The demo employer is a key employer of the 湘江新区, its plaque issued.
    rows.push(designation(
        demo_employer,
        parks[1].0,
        "M04",
        "2022-03-01",
        Some(("湘就重〔2022〕001号", "2022-03-18")),
        now,
    ));
    for (n, (park, region)) in parks.iter().enumerate() {
        let city = &region[..4];
        let mut local: Vec<&Employer> =
            employers.iter().filter(|e| e.region_code.starts_with(city) && !taken.contains(&e.id)).collect();
        local.shuffle(rng);
        for e in local.into_iter().take(PER_PARK) {
            taken.insert(e.id);
            let on = day(rng, (2021, 9), 6);
            let plaque_no = format!("湘就重〔2022〕{:03}号", rows.len() + 1);
            let issued = rng.gen_bool(0.7).then_some((plaque_no.as_str(), on.as_str()));
            let field = FIELDS[(n + rows.len()) % FIELDS.len()];
            rows.push(designation(e.id, *park, field, &on, issued, now));
        }
    }
    let written = rows.len();
    let columns = [
        "employer_id",
        "park_id",
        "field_code",
        "designated_on",
        "plaque_no",
        "plaque_issued_on",
        "plaque_issued_by",
        "created_at",
    ];
    tx.insert_many("key_employers", &columns, rows).await?;
    Ok(written)
}

fn designation(employer: i64, park: i64, field: &str, on: &str, plaque: Option<(&str, &str)>, now: &str) -> Vec<Value> {
    vec![
        employer.into(),
        park.into(),
        field.into(),
        on.into(),
        plaque.map(|p| p.0.to_owned()).into(),
        plaque.map(|p| p.1.to_owned()).into(),
        plaque.map(|_| "湖南省教育厅".to_owned()).into(),
        now.into(),
    ]
}

/// Three to six visits per university, about a quarter out of the province.
async fn visits(
    tx: &mut Tx,
    rng: &mut ChaCha8Rng,
    employers: &[Employer],
    parks: &[(i64, &str)],
    now: &str,
) -> Result<usize, DemoError> {
    let institutions: Vec<i64> = tx
        .fetch_all("SELECT id FROM institutions ORDER BY code", &[])
        .await?
        .iter()
        .map(|r| r.i64("id"))
        .collect::<Result<_, _>>()?;
    let hunan: Vec<&Employer> = employers.iter().filter(|e| e.region_code.starts_with("43")).collect();
    let mut rows: Vec<Vec<Value>> = Vec::new();
    for institution in institutions {
        for _ in 0..rng.gen_range(3..=6) {
            let out_of_province = rng.gen_bool(0.25);
            let (region, employer, park) = match out_of_province {
                true => away(rng, employers),
                false => home(rng, &hunan, parks),
            };
            let Some(region) = region else { continue };
            let kind = if rng.gen_bool(0.7) { "expand" } else { "survey" };
            let majors: Vec<&str> = MAJORS.choose_multiple(rng, 2).copied().collect();
            let pay: i64 = rng.gen_range(45..=120) * 100 + if out_of_province { 1500 } else { 0 };
            rows.push(vec![
                institution.into(),
                kind.into(),
                day(rng, (2022, 1), 6).into(),
                "校党委书记、校长，就业指导中心负责人".into(),
                employer.into(),
                park.into(),
                region.into(),
                majors.join("、").into(),
                rng.gen_range(5..=80_i64).into(),
                Some(pay).into(),
                (*FOLLOW_UPS.choose(rng).unwrap_or(&"")).into(),
                now.into(),
                now.into(),
            ]);
        }
    }
    let written = rows.len();
    let columns = [
        "institution_id",
        "kind",
        "visited_on",
        "visitors",
        "employer_id",
        "park_id",
        "region_code",
        "majors",
        "positions",
        "average_pay",
        "follow_up",
        "created_at",
        "updated_at",
    ];
    tx.insert_many("visits", &columns, rows).await?;
    Ok(written)
}

/// A visit in Hunan: a park of a city (sometimes with one of its employers), or an employer alone.
fn home(
    rng: &mut ChaCha8Rng,
    hunan: &[&Employer],
    parks: &[(i64, &str)],
) -> (Option<String>, Option<i64>, Option<i64>) {
    if rng.gen_bool(0.3) {
        let (park, region) = parks[rng.gen_range(0..parks.len())];
        return (Some(format!("{}00", &region[..4])), None, Some(park));
    }
    match hunan.choose(rng) {
        Some(e) => (Some(format!("{}00", &e.region_code[..4])), Some(e.id), None),
        None => (None, None, None),
    }
}

/// A visit out of the province, to an employer there; none when the demo has no employer in that region.
fn away(rng: &mut ChaCha8Rng, employers: &[Employer]) -> (Option<String>, Option<i64>, Option<i64>) {
    let (region, prefixes) = AWAY[rng.gen_range(0..AWAY.len())];
    let there: Vec<&Employer> =
        employers.iter().filter(|e| prefixes.iter().any(|p| e.region_code.starts_with(p))).collect();
    match there.choose(rng) {
        Some(e) => (Some(region.to_owned()), Some(e.id), None),
        None => (None, None, None),
    }
}
