//! The national demo (`jiuye demo --provinces N`): Hunan with its real
//! institutions (data/institutions.csv) and, beside it, the next N−1 provinces
//! by graduate numbers with synthetic institutions, the graduates shared among
//! the provinces by the weights of data/provinces.csv (roughly each province's
//! 2022 graduates, in thousands). At 31 provinces and 12 million graduates that
//! is about 3,000 institutions, as in the nation.
//!
//! Synthetic institution codes are 7xxxx: the Ministry's five-digit codes of
//! 普通高校 are 1xxxx (成人高校 5xxxx, research institutes 8xxxx, military 9xxxx),
//! so they can never meet a real one.

use std::collections::HashSet;

use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

use kernel::{Tx, Value};

use super::DemoError;

/// The weights, one line a province: code, name, short name, thousands of graduates, cities.
const TABLE: &str = include_str!("../../../../data/provinces.csv");

/// The home province of the demo, whose institutions are the real ones.
pub const HOME: &str = "43";

/// Graduates of one synthetic institution on average: the nation's ~11.6 million over ~3,000.
pub const GRADUATES_PER_INSTITUTION: usize = 3_900;

/// The first synthetic institution code; 7xxxx is no real kind of institution.
pub const FIRST_CODE: u32 = 70_000;
/// One past the last: ten thousand synthetic institutions at most.
pub const END_CODE: u32 = 80_000;

/// The most provinces the table holds (the 31 on the mainland).
pub fn most() -> usize {
    table().len()
}

#[derive(Debug, Clone, PartialEq)]
pub struct Province {
    pub code: String,
    pub name: String,
    pub short: String,
    pub weight: f64,
    pub cities: Vec<String>,
}

/// The table, Hunan first and the others by weight, the larger first.
pub fn table() -> Vec<Province> {
    let mut provinces: Vec<Province> = TABLE
        .lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .filter_map(|line| {
            let f: Vec<&str> = line.split(',').map(str::trim).collect();
            let [code, name, short, weight, cities] = f.as_slice() else { return None };
            Some(Province {
                code: (*code).to_owned(),
                name: (*name).to_owned(),
                short: (*short).to_owned(),
                weight: weight.parse().ok()?,
                cities: cities.split('|').map(str::to_owned).collect(),
            })
        })
        .collect();
    provinces.sort_by(|a, b| (a.code != HOME).cmp(&(b.code != HOME)).then(b.weight.total_cmp(&a.weight)));
    provinces
}

/// One province's part of the demo.
#[derive(Debug, Clone, PartialEq)]
pub struct Share {
    pub province: Province,
    pub graduates: usize,
    /// Synthetic institutions to found (none at home: Hunan's are real).
    pub institutions: usize,
}

/// The first `provinces` of the table and their graduates, in proportion to
/// the weights and summing to `total` exactly (largest remainders).
pub fn shares(provinces: usize, total: usize) -> Vec<Share> {
    let chosen: Vec<Province> = table().into_iter().take(provinces.max(1)).collect();
    let whole: f64 = chosen.iter().map(|p| p.weight).sum::<f64>().max(f64::MIN_POSITIVE);
    let exact: Vec<f64> = chosen.iter().map(|p| total as f64 * p.weight / whole).collect();
    let mut counts: Vec<usize> = exact.iter().map(|x| x.floor() as usize).collect();
    let mut order: Vec<usize> = (0..chosen.len()).collect();
    order.sort_by(|a, b| (exact[*b] - exact[*b].floor()).total_cmp(&(exact[*a] - exact[*a].floor())));
    let short = total.saturating_sub(counts.iter().sum());
    for i in order.into_iter().take(short) {
        counts[i] += 1;
    }
    chosen
        .into_iter()
        .zip(counts)
        .map(|(province, graduates)| {
            let institutions = match province.code == HOME {
                true => 0,
                false => ((graduates as f64 / GRADUATES_PER_INSTITUTION as f64).round() as usize).max(1),
            };
            Share { province, graduates, institutions }
        })
        .collect()
}

/// A synthetic institution, as the `institutions` table holds it.
#[derive(Debug, Clone, PartialEq)]
pub struct NewInstitution {
    pub code: String,
    pub identifier: String,
    pub name: String,
    pub city: String,
    pub region_code: String,
    pub level: String,
    pub ownership: String,
}

/// Names by level and ownership: `{S}` the province's short name, `{C}` a city.
/// The words are those `kinds::kind_of` reads, so the colleges follow the name.
const PUBLIC_BACHELOR: &[&str] = &[
    "{S}大学",
    "{S}师范大学",
    "{S}理工大学",
    "{S}农业大学",
    "{S}医科大学",
    "{S}中医药大学",
    "{S}财经大学",
    "{S}工业大学",
    "{S}科技大学",
    "{S}工程学院",
    "{S}警察学院",
    "{S}第一师范学院",
    "{S}外国语大学",
    "{S}艺术学院",
    "{S}体育学院",
    "{S}交通大学",
    "{S}工商大学",
    "{S}城市建设学院",
    "{C}大学",
    "{C}学院",
    "{C}师范学院",
    "{C}理工学院",
    "{C}医学院",
    "{C}科技学院",
    "{C}文理学院",
];
const PRIVATE_BACHELOR: &[&str] = &[
    "{S}涉外经济学院",
    "{S}信息学院",
    "{S}应用科技学院",
    "{S}传媒学院",
    "{C}城市学院",
    "{C}信息工程学院",
    "{C}工商学院",
    "{C}应用技术学院",
    "{C}医药学院",
];
const PUBLIC_SPECIALIST: &[&str] = &[
    "{S}交通职业技术学院",
    "{S}工业职业技术学院",
    "{S}铁道职业技术学院",
    "{S}水利水电职业技术学院",
    "{S}商务职业技术学院",
    "{S}司法警官职业学院",
    "{S}艺术职业学院",
    "{S}化工职业技术学院",
    "{S}机电职业技术学院",
    "{S}电子信息职业技术学院",
    "{S}农业职业技术学院",
    "{S}体育职业学院",
    "{S}邮电职业技术学院",
    "{S}食品药品职业学院",
    "{S}汽车工程职业学院",
    "{S}环境生物职业技术学院",
    "{S}民政职业技术学院",
    "{S}劳动人事职业学院",
    "{S}安全技术职业学院",
    "{S}有色金属职业技术学院",
    "{S}石油化工职业技术学院",
    "{S}城建职业技术学院",
    "{S}外贸职业学院",
    "{S}工艺美术职业学院",
    "{S}国防工业职业技术学院",
    "{S}电气职业技术学院",
    "{C}职业技术学院",
    "{C}卫生职业学院",
    "{C}幼儿师范高等专科学校",
    "{C}医学高等专科学校",
    "{C}航空职业技术学院",
    "{C}工业职业技术学院",
    "{C}科技职业学院",
    "{C}商贸旅游职业技术学院",
    "{C}师范高等专科学校",
    "{C}民族职业学院",
    "{C}软件职业技术学院",
    "{C}电力职业技术学院",
    "{C}环境保护职业技术学院",
    "{C}轨道交通职业学院",
];
const PRIVATE_SPECIALIST: &[&str] = &[
    "{S}现代物流职业技术学院",
    "{S}外国语职业学院",
    "{S}网络工程职业学院",
    "{C}南方职业学院",
    "{C}工商职业学院",
    "{C}软件职业学院",
    "{C}电子科技职业学院",
    "{C}涉外职业学院",
    "{C}信息职业技术学院",
    "{C}健康职业学院",
];

fn templates(level: &str, ownership: &str) -> &'static [&'static str] {
    match (level == "本科", ownership == "公办") {
        (true, true) => PUBLIC_BACHELOR,
        (true, false) => PRIVATE_BACHELOR,
        (false, true) => PUBLIC_SPECIALIST,
        (false, false) => PRIVATE_SPECIALIST,
    }
}

/// Every name the templates give a province, with the city each is in.
fn names(province: &Province, level: &str, ownership: &str) -> Vec<(String, String)> {
    let capital = province.cities.first().cloned().unwrap_or_else(|| province.short.clone());
    let mut out = Vec::new();
    for t in templates(level, ownership) {
        match t.contains("{C}") {
            true => {
                out.extend(province.cities.iter().map(|c| (t.replace("{C}", c), c.clone())));
            }
            false => out.push((t.replace("{S}", &province.short), capital.clone())),
        }
    }
    out
}

/// The synthetic institutions of every province but home, their levels and
/// ownership drawn as `mix` has them (the home province's (level, ownership)
/// counts), names unique across the nation, codes 7xxxx in the provinces' order.
pub fn synthetic(
    rng: &mut ChaCha8Rng,
    shares: &[Share],
    mix: &[((String, String), usize)],
) -> Result<Vec<NewInstitution>, DemoError> {
    let wanted: usize = shares.iter().map(|s| s.institutions).sum();
    if wanted > (END_CODE - FIRST_CODE) as usize {
        return Err(DemoError::TooLarge("more than 10,000 synthetic institutions"));
    }
    if mix.is_empty() && wanted > 0 {
        return Err(DemoError::Missing("institutions"));
    }
    let whole: usize = mix.iter().map(|(_, n)| n).sum::<usize>().max(1);
    let mut taken: HashSet<String> = HashSet::new();
    let mut code = FIRST_CODE;
    let mut out = Vec::with_capacity(wanted);
    for share in shares.iter().filter(|s| s.institutions > 0) {
        let p = &share.province;
        // Each kind gets its share of the province's institutions; drift to the commonest kind.
        let mut kinds: Vec<(&(String, String), usize)> = mix
            .iter()
            .map(|(k, n)| (k, (share.institutions * n) as f64 / whole as f64))
            .map(|(k, x)| (k, x.round() as usize))
            .collect();
        let counted: usize = kinds.iter().map(|(_, n)| n).sum();
        if let Some(top) = kinds.iter_mut().max_by_key(|(_, n)| *n) {
            top.1 = (top.1 + share.institutions).saturating_sub(counted);
        }
        for ((level, ownership), n) in kinds {
            let mut pool = names(p, level, ownership);
            pool.shuffle(rng);
            let mut pool = pool.into_iter();
            for k in 0..n {
                let free = pool.by_ref().find(|(name, _)| !taken.contains(name));
                // Past the templates (only in a province far larger than any real one): numbered campuses.
                let (name, city) = free.unwrap_or_else(|| {
                    let base = names(p, level, ownership).into_iter().next().unwrap_or_default();
                    (format!("{}（第{}校区）", base.0, k + 1), base.1)
                });
                taken.insert(name.clone());
                let code_text = code.to_string();
                out.push(NewInstitution {
                    identifier: format!("41{}0{code_text}", p.code),
                    code: code_text,
                    name,
                    city: format!("{city}市"),
                    region_code: format!("{}0100", p.code),
                    level: level.clone(),
                    ownership: ownership.clone(),
                });
                code += 1;
            }
        }
    }
    Ok(out)
}

/// Writes the synthetic institutions (and nothing when there are none).
pub async fn insert(tx: &mut Tx, institutions: &[NewInstitution]) -> Result<(), DemoError> {
    let rows: Vec<Vec<Value>> = institutions
        .iter()
        .map(|i| {
            vec![
                i.code.as_str().into(),
                i.identifier.as_str().into(),
                i.name.as_str().into(),
                i.region_code.as_str().into(),
                i.city.as_str().into(),
                i.level.as_str().into(),
                i.ownership.as_str().into(),
            ]
        })
        .collect();
    if !rows.is_empty() {
        tx.insert_many(
            "institutions",
            &["code", "identifier", "name", "region_code", "city", "level", "ownership"],
            rows,
        )
        .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;

    use super::*;

    fn hunan_mix() -> Vec<((String, String), usize)> {
        [("专科", "公办", 61), ("专科", "民办", 11), ("本科", "公办", 31), ("本科", "民办", 20)]
            .iter()
            .map(|(l, o, n)| ((l.to_string(), o.to_string()), *n))
            .collect()
    }

    #[test]
    fn the_table_has_the_mainland_with_hunan_first() {
        let t = table();
        assert_eq!(t.len(), 31);
        assert_eq!(t[0].code, HOME);
        assert_eq!(t[1].code, "41", "河南 has the most graduates");
        let codes: HashSet<&str> = t.iter().map(|p| p.code.as_str()).collect();
        assert_eq!(codes.len(), 31);
        assert!(t.iter().all(|p| p.weight > 0.0 && !p.cities.is_empty()));
    }

    #[test]
    fn shares_sum_to_the_total_in_proportion() {
        let s = shares(31, 12_000_000);
        assert_eq!(s.iter().map(|s| s.graduates).sum::<usize>(), 12_000_000);
        let institutions: usize = s.iter().map(|s| s.institutions).sum::<usize>() + 123;
        assert!((2_800..=3_300).contains(&institutions), "{institutions}");
        let henan = s.iter().find(|s| s.province.code == "41").map(|s| s.graduates).unwrap_or(0);
        let tibet = s.iter().find(|s| s.province.code == "54").map(|s| s.graduates).unwrap_or(0);
        assert!(henan > 30 * tibet, "{henan} {tibet}");
        let small = shares(3, 1000);
        assert_eq!(small.len(), 3);
        assert_eq!(small.iter().map(|s| s.graduates).sum::<usize>(), 1000);
        assert_eq!(small[0].institutions, 0);
        assert!(small[1..].iter().all(|s| s.institutions >= 1));
        assert_eq!(shares(1, 450_000)[0].graduates, 450_000);
    }

    #[test]
    fn synthetic_institutions_are_unique_and_cannot_meet_real_codes() {
        let s = shares(31, 12_000_000);
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let made = synthetic(&mut rng, &s, &hunan_mix()).unwrap();
        assert_eq!(made.len(), s.iter().map(|s| s.institutions).sum::<usize>());
        let codes: HashSet<&str> = made.iter().map(|i| i.code.as_str()).collect();
        let names: HashSet<&str> = made.iter().map(|i| i.name.as_str()).collect();
        assert_eq!(codes.len(), made.len());
        assert_eq!(names.len(), made.len());
        assert!(made.iter().all(|i| i.code.len() == 5 && i.code.starts_with('7')));
        assert!(made.iter().all(|i| i.identifier.len() == 10 && i.identifier.ends_with(&i.code)));
        let bachelor = made.iter().filter(|i| i.level == "本科").count() as f64 / made.len() as f64;
        assert!((0.35..0.48).contains(&bachelor), "{bachelor}");
        assert!(made.iter().any(|i| i.name == "广东师范大学" || i.name.starts_with("广东")));
        // The same seed gives the same nation.
        let again = synthetic(&mut ChaCha8Rng::seed_from_u64(1), &s, &hunan_mix()).unwrap();
        assert_eq!(made, again);
    }
}
