//! Demo job postings, pure: the same seed and sources always give the same
//! postings, with no I/O, so the demo and a search benchmark (a million
//! postings) share them. Titles and descriptions by industry and position
//! (`jobs`), pay by education and place (长沙 above 湘西, 研究生 above 专科, a
//! few 面议), places of work mostly in Hunan, about 8% public-sector posts,
//! most published over the 2021-10 .. 2022-09 recruitment year and a share
//! still open on the day generated.

use std::collections::{HashMap, HashSet};
use std::fmt::Write;

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};
use rand::distributions::{Distribution, WeightedIndex};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use recruitment::postings::rules::Status;

use super::jobs::{self, Family, FAMILIES};
use crate::demo::people::weighted;

/// An employer that posts, as the demo's employers table holds it.
#[derive(Debug, Clone)]
pub struct Employer {
    pub id: i64,
    /// Its county (or prefecture) code.
    pub region_code: String,
    pub industry_code: String,
    /// Its 单位性质 code: a public-sector post comes from an agency, an institution or a state firm.
    pub nature_code: String,
    pub contact_name: String,
    pub contact_phone: String,
}

/// A catalogue major: code, name, and level (专科, 本科, 研究生).
#[derive(Debug, Clone)]
pub struct Major {
    pub code: String,
    pub name: String,
    pub level: String,
}

/// What postings are made of, read from the database once.
#[derive(Debug, Clone, Default)]
pub struct Sources {
    /// The employers that post (approved ones).
    pub employers: Vec<Employer>,
    /// Region codes a posting may name (current ones).
    pub regions: HashSet<String>,
    pub majors: Vec<Major>,
    /// Institutions whose campus channel (校园专场) a few postings go to.
    pub institutions: Vec<i64>,
}

/// How many postings and how they sit in time.
#[derive(Debug, Clone)]
pub struct Plan {
    pub seed: u64,
    pub count: usize,
    /// The day generated (China time): open postings run from before it to after it.
    pub today: NaiveDate,
    /// Share of postings still taking applications on `today`; the rest belong to the recruitment year.
    pub open_share: f64,
    /// An employer (its id) whose first `FEATURED` postings are published and open: the demo employer's.
    pub featured: Option<i64>,
}

/// How many open postings the featured employer gets.
pub const FEATURED: usize = 6;

/// One generated posting, ready to insert.
#[derive(Debug, Clone)]
pub struct DemoPosting<'a> {
    pub employer_id: i64,
    pub channel_institution_id: Option<i64>,
    pub title: &'static str,
    pub description: String,
    pub position_code: &'static str,
    pub industry_code: &'a str,
    /// A `major_level` code, or `None` for 不限.
    pub education_level: Option<&'static str>,
    pub headcount: i64,
    /// Monthly (min, max) yuan; `None` is 面议.
    pub salary: Option<(i64, i64)>,
    pub contact_name: &'a str,
    pub contact_phone: &'a str,
    pub region_codes: Vec<&'a str>,
    pub major_codes: Vec<&'a str>,
    pub deadline: NaiveDate,
    pub public_sector_kind: Option<&'static str>,
    pub notice_url: Option<String>,
    pub status: Status,
    pub review_reason: Option<&'static str>,
    pub created_at: DateTime<Utc>,
    pub reviewed_at: Option<DateTime<Utc>>,
    pub approved_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
}

/// A posting's days and review.
struct Timeline {
    deadline: NaiveDate,
    status: Status,
    review_reason: Option<&'static str>,
    created_at: DateTime<Utc>,
    reviewed_at: Option<DateTime<Utc>>,
    approved_at: Option<DateTime<Utc>>,
    updated_at: DateTime<Utc>,
}

/// The recruitment year's months, 秋招 and 春招 busiest.
const MONTHS: &[((i32, u32), u32)] = &[
    ((2021, 10), 16),
    ((2021, 11), 14),
    ((2021, 12), 6),
    ((2022, 1), 4),
    ((2022, 2), 6),
    ((2022, 3), 14),
    ((2022, 4), 12),
    ((2022, 5), 9),
    ((2022, 6), 7),
    ((2022, 7), 5),
    ((2022, 8), 4),
    ((2022, 9), 3),
];
const YEAR_END: (i32, u32, u32) = (2022, 9, 30);

/// Places of work outside Hunan a posting may add: 广州, 杭州, 南京, 武汉, 成都, 上海, 北京.
const ELSEWHERE: &[&str] = &["440100", "330100", "320100", "420100", "510100", "310000", "110000"];

const HEADCOUNTS: &[((i64, i64), u32)] =
    &[((1, 1), 30), ((2, 2), 25), ((3, 5), 25), ((6, 10), 12), ((11, 30), 6), ((31, 100), 2)];

const ENDINGS: &[&str] = &[
    "欢迎优秀的2022届毕业生加入！",
    "表现优秀者可提前转正。",
    "公司提供完善的培训体系和晋升通道。",
    "试用期三个月，转正后享受全部福利。",
    "有意者请在平台投递简历，我们会尽快与你联系。",
];

/// Pay against 长沙: the prefecture (Hunan) or province elsewhere.
fn region_factor(code: &str) -> f64 {
    match code.get(..4).unwrap_or("") {
        "4301" => 1.0,
        "4302" | "4303" => 0.88,
        "4304" | "4306" | "4307" => 0.84,
        "4308" | "4331" => 0.72,
        p if p.starts_with("43") => 0.78,
        p => match p.get(..2).unwrap_or("") {
            "31" | "11" => 1.45,
            "44" => 1.3,
            "33" | "32" => 1.25,
            _ => 1.0,
        },
    }
}

/// 不限, 专科, 本科, 研究生: the code and the pay against 本科.
const EDUCATION: [(Option<&str>, f64, &str); 4] = [
    (None, 0.9, "学历不限"),
    (Some("1"), 0.82, "专科及以上学历"),
    (Some("2"), 1.0, "全日制本科及以上学历"),
    (Some("3"), 1.35, "硕士研究生及以上学历"),
];

/// The `public_sector_kind` an employer of this 单位性质 posts public posts as.
fn public_kind(nature: &str) -> Option<&'static str> {
    match nature {
        "10" => Some("1"),
        "20" | "21" | "22" | "29" => Some("2"),
        "23" => Some("4"),
        "31" => Some("3"),
        "55" | "56" => Some("5"),
        _ => None,
    }
}

/// The postings of a plan, one at a time.
pub struct Postings<'a> {
    rng: ChaCha8Rng,
    plan: Plan,
    sources: &'a Sources,
    by_size: Option<WeightedIndex<u32>>,
    featured: Option<&'a Employer>,
    /// Family choices per industry code (public-only families left out).
    families: HashMap<&'a str, WeightedIndex<u32>>,
    any_industry: WeightedIndex<u32>,
    /// Per family, the education it asks (不限, 专科, 本科, 研究生).
    education: Vec<WeightedIndex<u32>>,
    /// Per family, its majors' (code, name) at 专科, 本科, 研究生.
    majors: Vec<[Vec<(&'a str, &'a str)>; 3]>,
    hunan: Vec<&'a str>,
    elsewhere: Vec<&'a str>,
    made: usize,
}

/// The postings `plan` asks for, from `sources`.
pub fn postings<'a>(sources: &'a Sources, plan: &Plan) -> Postings<'a> {
    let mut rng = ChaCha8Rng::seed_from_u64(plan.seed);
    // A few employers recruit far more than the rest.
    let sizes: Vec<u32> =
        sources.employers.iter().map(|_| if rng.gen_bool(0.05) { rng.gen_range(10..40) } else { 1 }).collect();
    let weight =
        |f: &Family, industry: &str| match (f.public, f.industries.contains(&industry), f.industries.is_empty()) {
            (Some(_), _, _) => 0,
            (None, true, _) => 10,
            (None, false, true) => 3,
            (None, false, false) => 0,
        };
    let mut families = HashMap::new();
    for e in &sources.employers {
        let industry = e.industry_code.as_str();
        if !families.contains_key(industry) {
            if let Ok(w) = WeightedIndex::new(FAMILIES.iter().map(|f| weight(f, industry))) {
                families.insert(industry, w);
            }
        }
    }
    let majors = FAMILIES
        .iter()
        .map(|f| {
            ["专科", "本科", "研究生"].map(|level| {
                sources
                    .majors
                    .iter()
                    .filter(|m| m.level == level && f.majors.iter().any(|w| m.name.contains(w)))
                    .map(|m| (m.code.as_str(), m.name.as_str()))
                    .collect()
            })
        })
        .collect();
    let mut hunan: Vec<&str> = sources
        .regions
        .iter()
        .map(String::as_str)
        .filter(|c| c.len() == 6 && c.starts_with("43") && c.ends_with("00") && *c != "430000")
        .collect();
    hunan.sort_unstable();
    Postings {
        rng,
        plan: plan.clone(),
        sources,
        by_size: WeightedIndex::new(&sizes).ok(),
        featured: plan.featured.and_then(|id| sources.employers.iter().find(|e| e.id == id)),
        families,
        any_industry: WeightedIndex::new(FAMILIES.iter().map(|f| weight(f, ""))).expect("generic families"),
        education: FAMILIES.iter().map(|f| WeightedIndex::new(f.education).expect("education weights")).collect(),
        majors,
        hunan,
        elsewhere: ELSEWHERE.iter().copied().filter(|c| sources.regions.contains(*c)).collect(),
        made: 0,
    }
}

impl<'a> Iterator for Postings<'a> {
    type Item = DemoPosting<'a>;

    fn next(&mut self) -> Option<DemoPosting<'a>> {
        if self.made >= self.plan.count {
            return None;
        }
        let featured = self.featured.filter(|_| self.made < FEATURED);
        self.made += 1;
        let employer = match (featured, &self.by_size) {
            (Some(e), _) => e,
            (None, Some(sizes)) => &self.sources.employers[sizes.sample(&mut self.rng)],
            (None, None) => return None,
        };
        Some(self.make(employer, featured.is_some()))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = self.plan.count.saturating_sub(self.made);
        (left, Some(left))
    }
}

impl<'a> Postings<'a> {
    fn make(&mut self, employer: &'a Employer, featured: bool) -> DemoPosting<'a> {
        let public = public_kind(&employer.nature_code).filter(|_| !featured && self.rng.gen_bool(0.34));
        let family_index = self.family(employer, public);
        let family = &FAMILIES[family_index];
        let title = family.titles[self.rng.gen_range(0..family.titles.len())];
        let level = self.education[family_index].sample(&mut self.rng);
        let (education_level, pay_factor, education_text) = EDUCATION[level];
        let region_codes = self.regions(employer);
        let major_codes = self.wanted_majors(family_index, level);
        let salary = self.salary(family, pay_factor, region_codes[0], public.is_some());
        let mut description = String::with_capacity(640);
        self.describe(&mut description, family, education_text, &major_codes, public.is_some());
        let (lo, hi) = *weighted(&mut self.rng, HEADCOUNTS);
        let headcount = self.rng.gen_range(lo..=hi);
        let channel = (!self.sources.institutions.is_empty() && !featured && self.rng.gen_bool(0.05))
            .then(|| self.sources.institutions[self.rng.gen_range(0..self.sources.institutions.len())]);
        let open = featured || self.rng.gen_bool(self.plan.open_share.clamp(0.0, 1.0));
        let t = self.timeline(open, featured);
        let notice_url =
            public.map(|_| format!("https://notice.example.com/hunan/{}/{:07}.html", t.created_at.year(), self.made));
        DemoPosting {
            employer_id: employer.id,
            channel_institution_id: channel,
            title,
            description,
            position_code: family.position,
            industry_code: self.industry(employer, public),
            education_level,
            headcount,
            salary,
            contact_name: &employer.contact_name,
            contact_phone: &employer.contact_phone,
            region_codes,
            major_codes: major_codes.iter().map(|(code, _)| *code).collect(),
            deadline: t.deadline,
            public_sector_kind: public,
            notice_url,
            status: t.status,
            review_reason: t.review_reason,
            created_at: t.created_at,
            reviewed_at: t.reviewed_at,
            approved_at: t.approved_at,
            updated_at: t.updated_at,
        }
    }

    /// A family the employer's trade posts, or the public-sector kind's own.
    fn family(&mut self, employer: &Employer, public: Option<&str>) -> usize {
        let own = |kind: &str| FAMILIES.iter().position(|f| f.public == Some(kind));
        // A school's teachers and a hospital's staff are public posts of their own trade.
        let trade = match employer.industry_code.as_str() {
            "42" => FAMILIES.iter().position(|f| f.public.is_none() && f.position == "24"),
            "43" => FAMILIES.iter().position(|f| f.public.is_none() && f.position == "19"),
            _ => None,
        };
        let chosen = match public {
            Some("1") => own("1"),
            Some("2") => trade.filter(|_| self.rng.gen_bool(0.6)).or_else(|| own("2")),
            Some("4") => own("4").filter(|_| self.rng.gen_bool(0.7)).or(trade),
            Some("5") => own("5"),
            _ => None,
        };
        match chosen {
            Some(i) => i,
            None => match self.families.get(employer.industry_code.as_str()) {
                Some(w) => w.sample(&mut self.rng),
                None => self.any_industry.sample(&mut self.rng),
            },
        }
    }

    /// A public post of an agency or a community is in public administration; others keep the employer's trade.
    fn industry(&self, employer: &'a Employer, public: Option<&str>) -> &'a str {
        match public {
            Some("1") | Some("5") => "45",
            Some("4") => "43",
            _ if employer.industry_code.is_empty() => "37",
            _ => &employer.industry_code,
        }
    }

    /// The employer's county or its prefecture first, sometimes one or two places more.
    fn regions(&mut self, employer: &'a Employer) -> Vec<&'a str> {
        let regions = &self.sources.regions;
        let own = regions.get(employer.region_code.as_str()).map(String::as_str);
        let mut prefecture = [b'0'; 6];
        let code = employer.region_code.as_bytes();
        if code.len() == 6 {
            prefecture[..4].copy_from_slice(&code[..4]);
        }
        let prefecture = std::str::from_utf8(&prefecture).ok().and_then(|p| regions.get(p)).map(String::as_str);
        let first = match (own, prefecture) {
            (Some(_), Some(p)) if self.rng.gen_bool(0.3) => p,
            (Some(c), _) | (None, Some(c)) => c,
            (None, None) => self.hunan.first().copied().unwrap_or("430100"),
        };
        let mut out = Vec::with_capacity(3);
        out.push(first);
        let more = match self.rng.gen_range(0..100) {
            0..=5 => 2,
            6..=21 => 1,
            _ => 0,
        };
        for _ in 0..more {
            let pool = if self.rng.gen_bool(0.75) || self.elsewhere.is_empty() { &self.hunan } else { &self.elsewhere };
            if let Some(code) = (!pool.is_empty()).then(|| pool[self.rng.gen_range(0..pool.len())]) {
                if !out.contains(&code) {
                    out.push(code);
                }
            }
        }
        out
    }

    /// None (不限) about a third of the time, else one to four majors of the family at the level asked.
    fn wanted_majors(&mut self, family: usize, level: usize) -> Vec<(&'a str, &'a str)> {
        // 不限 postings that name majors name 本科 ones.
        let pool = &self.majors[family][match level {
            1 => 0,
            3 => 2,
            _ => 1,
        }];
        if pool.is_empty() || self.rng.gen_bool(0.35) {
            return Vec::new();
        }
        let n = self.rng.gen_range(1..=4).min(pool.len());
        rand::seq::index::sample(&mut self.rng, pool.len(), n).into_iter().map(|i| pool[i]).collect()
    }

    fn salary(&mut self, family: &Family, education: f64, region: &str, public: bool) -> Option<(i64, i64)> {
        if self.rng.gen_bool(if public { 0.3 } else { 0.04 }) {
            return None;
        }
        let round = |x: f64| ((x / 500.0).round() * 500.0) as i64;
        let base = family.pay as f64 * education * region_factor(region) * self.rng.gen_range(0.85..1.2);
        let min = round(base).clamp(2000, 40_000);
        let max = round(min as f64 * self.rng.gen_range(1.15..1.8)).clamp(min, 50_000);
        Some((min, max))
    }

    fn describe(&mut self, out: &mut String, family: &Family, education: &str, majors: &[(&str, &str)], public: bool) {
        out.push_str("【岗位职责】\n");
        let duties = self.rng.gen_range(2..=4);
        self.numbered(out, family.duties, duties, 1);
        out.push_str("【任职要求】\n1. ");
        out.push_str(education);
        match majors.first() {
            Some((_, name)) => {
                out.push('，');
                out.push_str(name);
                out.push_str(if majors.len() > 1 { "等相关专业；\n" } else { "相关专业；\n" });
            }
            None => out.push_str("，专业不限；\n"),
        }
        let asked = self.rng.gen_range(1..=2);
        let next = self.numbered(out, family.requirements, asked, 2);
        self.numbered(out, jobs::COMMON_REQUIREMENTS, 1, next);
        out.push_str("【福利待遇】\n");
        if public {
            self.listed(out, jobs::PUBLIC_BENEFITS, 2, "；");
            out.push_str("。报名时间、方式及资格审查详见招聘公告。");
        } else {
            let n = self.rng.gen_range(3..=6);
            self.listed(out, jobs::BENEFITS, n, "、");
            out.push('。');
            out.push_str(ENDINGS[self.rng.gen_range(0..ENDINGS.len())]);
        }
    }

    /// Writes `k` of `items`, in their order, as numbered lines from `from`; returns the next number.
    fn numbered(&mut self, out: &mut String, items: &[&str], k: usize, from: usize) -> usize {
        let mut number = from;
        self.each_chosen(items, k, |item| {
            let _ = writeln!(out, "{number}. {item}；");
            number += 1;
        });
        number
    }

    /// Writes `k` of `items`, in their order, joined by `separator`.
    fn listed(&mut self, out: &mut String, items: &[&str], k: usize, separator: &str) {
        let mut first = true;
        self.each_chosen(items, k, |item| {
            if !first {
                out.push_str(separator);
            }
            out.push_str(item);
            first = false;
        });
    }

    /// Selection sampling: `k` of `items` in order, each equally likely, no allocation.
    fn each_chosen(&mut self, items: &[&str], k: usize, mut f: impl FnMut(&str)) {
        let mut wanted = k.min(items.len());
        for (i, item) in items.iter().enumerate() {
            let left = items.len() - i;
            if wanted > 0 && self.rng.gen_range(0..left) < wanted {
                f(item);
                wanted -= 1;
            }
        }
    }

    /// When it was posted, reviewed and closes, and how its review went.
    fn timeline(&mut self, open: bool, featured: bool) -> Timeline {
        let today = self.plan.today;
        let day = if open {
            today - Duration::days(self.rng.gen_range(1..40))
        } else {
            let (year, month) = *weighted(&mut self.rng, MONTHS);
            let first = NaiveDate::from_ymd_opt(year, month, 1).unwrap_or(today);
            let days = first.checked_add_months(chrono::Months::new(1)).map(|n| (n - first).num_days()).unwrap_or(28);
            first + Duration::days(self.rng.gen_range(0..days))
        };
        let approved = self.instant(day);
        let created = approved - Duration::days(self.rng.gen_range(0..3)) - Duration::hours(self.rng.gen_range(1..6));
        let year_end = NaiveDate::from_ymd_opt(YEAR_END.0, YEAR_END.1, YEAR_END.2).unwrap_or(today);
        let deadline = match open {
            true => today + Duration::days(self.rng.gen_range(7..=120)),
            false => (day + Duration::days(self.rng.gen_range(14..=75))).min(year_end).max(day),
        };
        let published = Timeline {
            deadline,
            status: Status::Approved,
            review_reason: None,
            created_at: created,
            reviewed_at: Some(approved),
            approved_at: Some(approved),
            updated_at: approved,
        };
        match (featured, open, self.rng.gen_range(0..100)) {
            (false, true, 0..=4) => {
                // Still in the review queue: sent in these last days.
                let sent = today - Duration::days(self.rng.gen_range(1..6));
                let sent = self.instant(sent);
                Timeline {
                    status: Status::Pending,
                    created_at: sent,
                    reviewed_at: None,
                    approved_at: None,
                    updated_at: sent,
                    ..published
                }
            }
            (false, false, 0..=2) => Timeline {
                status: Status::Rejected,
                review_reason: Some(jobs::REJECTIONS[self.rng.gen_range(0..jobs::REJECTIONS.len())]),
                approved_at: None,
                ..published
            },
            (false, false, 3..=5) => Timeline {
                status: Status::Withdrawn,
                updated_at: approved + Duration::days(self.rng.gen_range(1..20)),
                ..published
            },
            _ => published,
        }
    }

    /// A working-hours instant (China time) on `day`.
    fn instant(&mut self, day: NaiveDate) -> DateTime<Utc> {
        let (hour, minute) = (self.rng.gen_range(1..10), self.rng.gen_range(0..60));
        Utc.from_utc_datetime(&day.and_hms_opt(hour, minute, 0).unwrap_or_default())
    }
}

#[cfg(test)]
mod tests {
    use std::collections::{HashMap, HashSet};

    use chrono::NaiveDate;
    use kernel::Locale;
    use recruitment::postings::rules::{self, Allowed, PostingForm, Status};

    use super::*;

    fn csv(text: &str) -> Vec<Vec<&str>> {
        text.lines().skip(1).map(|l| l.split(',').collect()).collect()
    }

    fn codes(text: &str) -> HashSet<String> {
        csv(text).iter().map(|r| r[0].to_owned()).collect()
    }

    const REGIONS: &str = include_str!("../../../../../data/regions.csv");
    const MAJORS: &str = include_str!("../../../../../data/majors.csv");

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, 15).unwrap()
    }

    /// The seeded reference data, and employers of every trade and nature across Hunan and beyond.
    fn sources() -> Sources {
        let regions: HashSet<String> = csv(REGIONS).iter().filter(|r| r[4] == "0").map(|r| r[0].to_owned()).collect();
        let mut counties: Vec<&str> =
            csv(REGIONS).iter().filter(|r| r[3] == "county" && r[4] == "0").map(|r| r[0]).collect();
        counties.sort_unstable();
        let industries =
            ["34", "22", "24", "38", "31", "32", "33", "44", "42", "43", "11", "36", "37", "23", "39", "35", "41"];
        // About the demo's mix: mostly private firms, a quarter agencies, public institutions and state firms.
        let mut natures = vec!["39"; 12];
        natures.extend(["32", "31", "10", "22", "23", "56"]);
        let employers = (0..400)
            .map(|i| Employer {
                id: 1000 + i as i64,
                region_code: counties[(i * 7) % counties.len()].to_owned(),
                industry_code: industries[i % industries.len()].to_owned(),
                nature_code: natures[(i / 3) % natures.len()].to_owned(),
                contact_name: "王芳".to_owned(),
                contact_phone: "13807310000".to_owned(),
            })
            .collect();
        let majors = csv(MAJORS)
            .iter()
            .map(|r| Major { code: r[1].to_owned(), name: r[2].to_owned(), level: r[5].to_owned() })
            .collect();
        Sources { employers, regions, majors, institutions: vec![1, 2, 3] }
    }

    fn plan(seed: u64, count: usize) -> Plan {
        Plan { seed, count, today: today(), open_share: 0.25, featured: Some(1003) }
    }

    #[test]
    fn the_same_seed_gives_the_same_postings() {
        let s = sources();
        let once: Vec<String> = postings(&s, &plan(3, 500)).map(|p| format!("{p:?}")).collect();
        let again: Vec<String> = postings(&s, &plan(3, 500)).map(|p| format!("{p:?}")).collect();
        let other: Vec<String> = postings(&s, &plan(4, 500)).map(|p| format!("{p:?}")).collect();
        assert_eq!(once.len(), 500);
        assert_eq!(once, again);
        assert_ne!(once, other);
    }

    #[test]
    fn every_posting_passes_the_employers_own_form_checks() {
        let s = sources();
        let allowed = Allowed {
            positions: codes(include_str!("../../../../../data/codes/position_category.csv")),
            industries: codes(include_str!("../../../../../data/codes/industry.csv")),
            education_levels: codes(include_str!("../../../../../data/codes/major_level.csv")),
            public_sector_kinds: codes(include_str!("../../../../../data/codes/public_sector_kind.csv")),
            regions: s.regions.clone(),
            majors: s.majors.iter().map(|m| m.code.clone()).collect(),
            institutions: s.institutions.iter().copied().collect(),
        };
        for p in postings(&s, &plan(1, 3000)) {
            let text = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
            let form = PostingForm {
                title: p.title.to_owned(),
                description: p.description.clone(),
                position_code: p.position_code.to_owned(),
                industry_code: p.industry_code.to_owned(),
                education_level: p.education_level.unwrap_or("").to_owned(),
                region_codes: p.region_codes.iter().map(|c| c.to_string()).collect(),
                major_codes: p.major_codes.join(","),
                headcount: p.headcount.to_string(),
                salary_min: text(p.salary.map(|s| s.0)),
                salary_max: text(p.salary.map(|s| s.1)),
                contact_name: p.contact_name.to_owned(),
                contact_phone: p.contact_phone.to_owned(),
                deadline: p.deadline.to_string(),
                public_sector_kind: p.public_sector_kind.unwrap_or("").to_owned(),
                notice_url: p.notice_url.clone().unwrap_or_default(),
                channel_institution_id: text(p.channel_institution_id),
            };
            let posted_on = p.created_at.with_timezone(&kernel::time::china()).date_naive();
            let checked = rules::check(&form, &allowed, posted_on, Locale::Zh);
            assert!(checked.is_ok(), "{:?}: {p:?}", checked.err());
            let hints = rules::hints(
                p.title,
                &p.description,
                rules::Salary::from_columns(p.salary.map(|s| s.0), p.salary.map(|s| s.1)),
                None,
                true,
            );
            assert!(hints.is_empty(), "{hints:?}: {p:?}");
            if let Some((min, max)) = p.salary {
                assert!(min <= max);
            }
            assert!(p.created_at <= p.updated_at && p.approved_at.is_none_or(|a| a >= p.created_at), "{p:?}");
        }
    }

    #[test]
    fn postings_vary_by_trade_place_level_and_time() {
        let s = sources();
        let all: Vec<DemoPosting> = postings(&s, &plan(9, 20_000)).collect();
        let titles: HashSet<&str> = all.iter().map(|p| p.title).collect();
        assert!(titles.len() >= 150, "{} titles", titles.len());
        let described: HashSet<&str> = all.iter().map(|p| p.description.as_str()).collect();
        assert!(described.len() > 19_000, "descriptions differ");
        let industries: HashSet<&str> = all.iter().map(|p| p.industry_code).collect();
        let positions: HashSet<&str> = all.iter().map(|p| p.position_code).collect();
        assert!(industries.len() >= 16 && positions.len() >= 14, "{industries:?} {positions:?}");

        let share = |f: &dyn Fn(&DemoPosting) -> bool| all.iter().filter(|p| f(p)).count() as f64 / all.len() as f64;
        let public = share(&|p| p.public_sector_kind.is_some());
        assert!((0.05..0.12).contains(&public), "public {public}");
        assert!(all.iter().filter(|p| p.public_sector_kind.is_some()).all(|p| p.notice_url.is_some()));
        let negotiable = share(&|p| p.salary.is_none());
        assert!((0.02..0.1).contains(&negotiable), "面议 {negotiable}");
        assert!(share(&|p| p.region_codes.iter().any(|c| !c.starts_with("43"))) > 0.03);
        assert!(share(&|p| p.major_codes.is_empty()) > 0.2);

        let mean = |f: &dyn Fn(&DemoPosting) -> bool| {
            let pay: Vec<i64> = all.iter().filter(|p| f(p)).filter_map(|p| p.salary.map(|s| s.0)).collect();
            pay.iter().sum::<i64>() as f64 / pay.len().max(1) as f64
        };
        let in_prefecture = |code: &'static str| move |p: &DemoPosting| p.region_codes[0].starts_with(code);
        assert!(mean(&in_prefecture("4301")) > mean(&in_prefecture("4331")) * 1.2, "长沙 above 湘西");
        assert!(mean(&|p| p.education_level == Some("3")) > mean(&|p| p.education_level == Some("1")) * 1.3);

        let mut statuses: HashMap<&str, usize> = HashMap::new();
        for p in &all {
            *statuses.entry(p.status.key()).or_default() += 1;
        }
        assert!(statuses["approved"] > 18_000, "{statuses:?}");
        for st in ["pending", "rejected", "withdrawn"] {
            assert!(statuses.get(st).copied().unwrap_or(0) > 50, "{st}: {statuses:?}");
        }
        assert!(all.iter().filter(|p| p.status == Status::Rejected).all(|p| p.review_reason.is_some()));

        let year = NaiveDate::from_ymd_opt(2021, 10, 1).unwrap()..=NaiveDate::from_ymd_opt(2022, 9, 30).unwrap();
        let open = share(&|p| p.deadline >= today());
        assert!((0.2..0.3).contains(&open), "open {open}");
        for p in all.iter().filter(|p| p.deadline < today()) {
            let reviewed = p.reviewed_at.map(|t| t.date_naive());
            assert!(reviewed.is_some_and(|d| year.contains(&d)) && year.contains(&p.deadline), "{p:?}");
        }
        let featured: Vec<&DemoPosting> = all.iter().take(FEATURED).collect();
        assert!(featured
            .iter()
            .all(|p| p.employer_id == 1003 && p.status == Status::Approved && p.deadline >= today()));
    }
}
