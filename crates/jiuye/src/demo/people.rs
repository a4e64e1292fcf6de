//! Plausible people and organisations: names, ID numbers, phones, credit codes.
//! Pure functions of a seeded random generator, so the same seed gives the same
//! province. No real person's data is used.

use rand::Rng;
use rand_chacha::ChaCha8Rng;

use kernel::validate::{credit_code_check_char, id_card_check_char};

/// Common surnames with rough weights (per thousand people).
const SURNAMES: &[(&str, u32)] = &[
    ("李", 74),
    ("王", 72),
    ("张", 68),
    ("刘", 53),
    ("陈", 45),
    ("杨", 31),
    ("黄", 22),
    ("赵", 22),
    ("吴", 20),
    ("周", 19),
    ("徐", 14),
    ("孙", 13),
    ("马", 12),
    ("朱", 11),
    ("胡", 11),
    ("郭", 10),
    ("何", 10),
    ("高", 9),
    ("林", 9),
    ("罗", 9),
    ("郑", 8),
    ("梁", 8),
    ("谢", 8),
    ("宋", 6),
    ("唐", 6),
    ("许", 6),
    ("韩", 6),
    ("冯", 6),
    ("邓", 6),
    ("曹", 5),
    ("彭", 5),
    ("曾", 5),
    ("肖", 5),
    ("田", 5),
    ("董", 5),
    ("袁", 4),
    ("潘", 4),
    ("于", 4),
    ("蒋", 4),
    ("蔡", 4),
    ("余", 4),
    ("杜", 4),
    ("叶", 4),
    ("程", 4),
    ("苏", 3),
    ("魏", 3),
    ("吕", 3),
    ("丁", 3),
    ("任", 3),
    ("沈", 3),
    ("姚", 3),
    ("卢", 3),
    ("姜", 3),
    ("崔", 3),
    ("钟", 3),
    ("谭", 3),
    ("陆", 3),
    ("汪", 3),
    ("范", 3),
    ("廖", 3),
    ("欧阳", 1),
    ("向", 2),
    ("龙", 2),
    ("石", 2),
    ("贺", 2),
    ("邹", 2),
    ("易", 2),
    ("文", 2),
    ("聂", 1),
    ("伍", 1),
];

const GIVEN_MALE: &str =
    "伟强磊军勇杰涛斌超明辉鹏华飞刚平俊浩宇博文轩然晨阳宁凯健翔峰志成立新海亮波东坤锋旭帅鑫泽睿哲豪";
const GIVEN_FEMALE: &str = "芳娜敏静丽艳娟霞婷雪慧莹颖琳倩洁玲欣怡佳悦琪萱涵媛嘉梦瑶晴雯璐诗蕾薇婧月彤丹宁楠语思雨";

pub fn weighted<'a, T>(rng: &mut ChaCha8Rng, items: &'a [(T, u32)]) -> &'a T {
    let total: u32 = items.iter().map(|(_, w)| w).sum();
    let mut pick = rng.gen_range(0..total.max(1));
    for (item, w) in items {
        if pick < *w {
            return item;
        }
        pick -= w;
    }
    &items[items.len() - 1].0
}

pub fn person_name(rng: &mut ChaCha8Rng, male: bool) -> String {
    let surname = weighted(rng, SURNAMES);
    let pool: Vec<char> = if male { GIVEN_MALE.chars().collect() } else { GIVEN_FEMALE.chars().collect() };
    let len = if rng.gen_bool(0.7) { 2 } else { 1 };
    let mut name = (*surname).to_owned();
    for _ in 0..len {
        name.push(pool[rng.gen_range(0..pool.len())]);
    }
    name
}

/// A valid 18-character ID number for the region, birth date and sex.
pub fn id_number(rng: &mut ChaCha8Rng, region: &str, birth: chrono::NaiveDate, male: bool) -> String {
    let mut seq = rng.gen_range(0..500u32) * 2;
    if male {
        seq += 1;
    }
    let body = format!("{region}{}{seq:03}", birth.format("%Y%m%d"));
    let check = id_card_check_char(&body).unwrap_or('0');
    format!("{body}{check}")
}

pub fn mobile(rng: &mut ChaCha8Rng) -> String {
    const PREFIXES: &[&str] = &[
        "130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "155", "157", "158", "159",
        "166", "173", "177", "180", "182", "183", "185", "187", "188", "189", "191", "199",
    ];
    format!("{}{:08}", PREFIXES[rng.gen_range(0..PREFIXES.len())], rng.gen_range(0..100_000_000u32))
}

const CREDIT_ALPHABET: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";

/// A valid 统一社会信用代码 of an enterprise (91) registered in `region`.
pub fn credit_code(rng: &mut ChaCha8Rng, region: &str) -> String {
    let mut body = format!("91{region}");
    for _ in 0..9 {
        body.push(CREDIT_ALPHABET[rng.gen_range(0..CREDIT_ALPHABET.len())] as char);
    }
    let check = credit_code_check_char(&body).unwrap_or('0');
    format!("{body}{check}")
}

const FIRM_WORDS: &[&str] = &[
    "华", "湘", "楚", "星", "联", "创", "博", "远", "恒", "信", "达", "科", "中", "新", "盛", "融", "智", "汇", "金",
    "天", "鼎", "瑞", "丰", "安", "通", "宏", "泰", "和", "兴", "嘉",
];
const FIRM_TRADES: &[(&str, &str)] = &[
    ("软件", "34"),
    ("信息技术", "34"),
    ("网络科技", "34"),
    ("电子", "22"),
    ("机械", "22"),
    ("重工", "22"),
    ("新材料", "22"),
    ("汽车", "22"),
    ("生物医药", "22"),
    ("建设工程", "24"),
    ("建筑设计", "38"),
    ("商贸", "31"),
    ("物流", "32"),
    ("餐饮管理", "33"),
    ("文化传媒", "44"),
    ("教育咨询", "42"),
    ("医疗", "43"),
    ("农业开发", "11"),
    ("食品", "22"),
    ("置业", "36"),
    ("会计师事务所", "37"),
    ("检测技术", "38"),
    ("电力工程", "23"),
    ("环保科技", "39"),
];
const FIRM_FORMS: &[&str] = &["有限公司", "股份有限公司", "有限责任公司"];

/// A firm name and its 单位行业 code.
pub fn firm(rng: &mut ChaCha8Rng, city: &str) -> (String, &'static str) {
    let (trade, industry) = FIRM_TRADES[rng.gen_range(0..FIRM_TRADES.len())];
    let a = FIRM_WORDS[rng.gen_range(0..FIRM_WORDS.len())];
    let b = FIRM_WORDS[rng.gen_range(0..FIRM_WORDS.len())];
    let city = city.trim_end_matches('市').trim_end_matches("土家族苗族自治州");
    let form = FIRM_FORMS[rng.gen_range(0..FIRM_FORMS.len())];
    (format!("{city}{a}{b}{trade}{form}"), industry)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn generated_numbers_validate() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        for _ in 0..1000 {
            let birth = chrono::NaiveDate::from_ymd_opt(2000, 5, 17).unwrap();
            let male = rng.gen_bool(0.5);
            let id = id_number(&mut rng, "430104", birth, male);
            let card = kernel::validate::id_card(&id, |_| true).unwrap();
            assert_eq!(card.male, male);
            assert!(kernel::validate::credit_code(&credit_code(&mut rng, "430100")).is_ok());
            assert!(kernel::validate::mobile(&mobile(&mut rng)).is_ok());
        }
    }
}
