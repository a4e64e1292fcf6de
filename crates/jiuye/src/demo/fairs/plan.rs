//! The 2022 plan's events, pure (items 1–4, 16 and 21 of
//! 湖南省2022届高校毕业生就业工作方案; its annexes are not published, so the
//! places and days are plausible Hunan ones). Events of the plan's year are
//! finished; a few more are dated from the day generated, as the demo's open
//! postings are: open for registration, booking, planned, running online,
//! postponed, moved online.

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use recruitment::fairs::rules::{Mode, Status};

/// The plan's targets for the cohort: kind, fewest, most (fair_targets).
pub const TARGETS: &[(&str, i64, i64)] = &[
    ("01", 4, 4),
    ("02", 4, 4),
    ("03", 40, 40),
    ("04", 8, 10),
    ("07", 5, 5),
    ("08", 1, 1),
    ("09", 3, 4),
    ("10", 15, 20),
];

/// The touring series (item 3).
pub const TOURING: &str = "湖南省第二届“湘粤名企高校行”校园巡回招聘会";

const PROVINCE: &str = "湖南省教育厅";
const MARKET: &str = "湖南省大中专学校学生就业指导服务中心（省级常设市场）";

/// One event of the plan.
#[derive(Debug, Clone)]
pub struct Event {
    /// Its `fair_kind` code.
    pub kind: &'static str,
    pub title: String,
    pub mode: Mode,
    /// Its first day (China time) and how many days it runs.
    pub day: NaiveDate,
    pub days: i64,
    pub region: &'static str,
    pub venue: Option<&'static str>,
    /// Host universities by code; none for the province's own.
    pub hosts: Vec<&'static str>,
    pub series: Option<&'static str>,
    /// For key groups (重点群体) only.
    pub key_groups: bool,
    pub booths: i64,
    pub capacity: i64,
    /// The share of its audience that registers.
    pub reach: f64,
    pub status: Status,
    pub organisers: &'static str,
    pub co_organisers: Option<&'static str>,
}

impl Event {
    /// A one-day on-site event of the province, finished.
    fn on(kind: &'static str, title: impl Into<String>, day: NaiveDate, region: &'static str) -> Event {
        Event {
            kind,
            title: title.into(),
            mode: Mode::Offline,
            day,
            days: 1,
            region,
            venue: None,
            hosts: Vec::new(),
            series: None,
            key_groups: false,
            booths: 120,
            capacity: 4_000,
            reach: 0.008,
            status: Status::Finished,
            organisers: PROVINCE,
            co_organisers: None,
        }
    }

    fn at(mut self, venue: &'static str, hosts: &[&'static str]) -> Event {
        self.venue = Some(venue);
        self.hosts = hosts.to_vec();
        self
    }

    /// Online for `days` days: no venue, booths by video, a larger audience.
    fn online(mut self, days: i64) -> Event {
        self.mode = Mode::Online;
        self.days = days;
        self.venue = None;
        self.capacity = 20_000;
        self
    }

    fn sized(mut self, booths: i64, capacity: i64, reach: f64) -> Event {
        (self.booths, self.capacity, self.reach) = (booths, capacity, reach);
        self
    }

    fn status(mut self, status: Status) -> Event {
        self.status = status;
        self
    }

    fn with(mut self, co_organisers: &'static str) -> Event {
        self.co_organisers = Some(co_organisers);
        self
    }

    /// The last day it runs.
    pub fn last_day(&self) -> NaiveDate {
        self.day + Duration::days(self.days - 1)
    }
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

/// Every event of the plan, as of `today`.
pub fn events(today: NaiveDate) -> Vec<Event> {
    let mut all = regional_and_industry(today);
    all.extend(permanent_market(today));
    all.extend(touring());
    all.extend(partner_and_forum());
    all.extend(rural());
    all.extend(key_groups(today));
    all.extend(online(today));
    all
}

/// 附件 1: the regional (片区) and industry (行业) fairs at universities.
fn regional_and_industry(today: NaiveDate) -> Vec<Event> {
    vec![
        Event::on("01", "2022届长株潭片区高校毕业生供需见面会", day(2021, 11, 20), "430300")
            .at("湘潭大学体育馆", &["10530"])
            .sized(200, 6_000, 0.012),
        Event::on("01", "2022届湘西片区高校毕业生供需见面会", day(2021, 12, 11), "433101")
            .at("吉首大学风雨球场", &["10531", "10548"])
            .sized(120, 3_000, 0.006),
        Event::on("01", "2022届湘南片区高校毕业生供需见面会", day(2022, 3, 19), "430400")
            .at("南华大学红湘校区体育馆", &["10555"])
            .sized(160, 5_000, 0.01),
        Event::on("01", "2022届环洞庭湖片区高校毕业生供需见面会", today + Duration::days(20), "430700")
            .at("湖南文理学院体育馆", &["10549"])
            .status(Status::Postponed),
        Event::on("02", "装备制造行业2022届毕业生专场供需见面会", day(2021, 11, 27), "430200")
            .at("湖南工业大学河西校区", &["11535", "12302"])
            .sized(150, 4_000, 0.008),
        Event::on("02", "教育行业2022届毕业生专场供需见面会", day(2021, 12, 4), "430100")
            .at("湖南师范大学二里半校区", &["10542"]),
        Event::on("02", "医药卫生行业2022届毕业生专场供需见面会", day(2022, 3, 26), "430100")
            .at("湖南中医药大学含浦校区", &["10541"]),
        Event::on("02", "信息技术行业2022届毕业生专场供需见面会", day(2022, 4, 16), "430100")
            .at("长沙理工大学云塘校区", &["10536", "10865"]),
    ]
}

/// The sessions' days: Saturdays from November to June but over the New Year
/// and the Spring Festival, and Wednesdays in the spring's busiest weeks.
fn market_days() -> Vec<NaiveDate> {
    let holiday = |d: NaiveDate| d == day(2022, 1, 1) || (day(2022, 1, 22)..=day(2022, 2, 19)).contains(&d);
    let mut days: Vec<NaiveDate> = day(2021, 11, 6)
        .iter_days()
        .take_while(|d| *d <= day(2022, 6, 25))
        .filter(|d| match d.weekday() {
            Weekday::Sat => !holiday(*d),
            Weekday::Wed => (day(2022, 3, 9)..=day(2022, 4, 27)).contains(d),
            _ => false,
        })
        .collect();
    days.sort();
    days
}

const THEMES: &[&str] =
    &["综合类", "理工类", "经管类", "医药卫生类", "师范教育类", "高职高专", "信息技术类", "装备制造类"];

/// Item 2 and 附件 2: forty sessions at the permanent market, the last ones still ahead.
fn permanent_market(today: NaiveDate) -> Vec<Event> {
    let ahead = [(4, Status::Registration), (11, Status::Registration), (18, Status::Booking), (25, Status::Planned)];
    let days = market_days()
        .into_iter()
        .map(|d| (d, Status::Finished))
        .chain(ahead.iter().map(|(n, s)| (today + Duration::days(*n), *s)));
    days.enumerate()
        .map(|(i, (d, status))| {
            let theme = THEMES[i % THEMES.len()];
            Event::on("03", format!("省级常设市场2022届高校毕业生{theme}专场招聘会（第{}场）", i + 1), d, "430104")
                .at(MARKET, &[])
                .sized(80, 2_500, 0.003)
                .status(status)
        })
        .collect()
}

/// Item 3 and 附件 3: the touring series, one stop at each of five universities.
fn touring() -> Vec<Event> {
    let stops: [(&'static str, &'static str, &'static str, NaiveDate); 5] = [
        ("湖南大学", "10532", "430104", day(2021, 11, 18)),
        ("中南大学", "10533", "430104", day(2021, 11, 25)),
        ("湘潭大学", "10530", "430300", day(2021, 12, 2)),
        ("南华大学", "10555", "430400", day(2021, 12, 16)),
        ("吉首大学", "10531", "433101", day(2022, 1, 6)),
    ];
    stops
        .into_iter()
        .map(|(name, code, region, d)| {
            let mut e = Event::on("07", format!("湘粤名企高校行·{name}站"), d, region)
                .sized(100, 3_000, 0.004)
                .with("广东省教育厅、广东省人力资源和社会保障厅");
            e.venue = Some("学校就业指导中心招聘大厅");
            e.hosts = vec![code];
            e.series = Some(TOURING);
            e
        })
        .collect()
}

/// Items 4 and 16: the 岳麓山国家大学科技城 partner session and the forum beside it.
fn partner_and_forum() -> Vec<Event> {
    vec![
        Event::on("08", "湖南省大学生就业工作座谈会暨岳麓山国家大学科技城专场招聘活动", day(2021, 12, 10), "430104")
            .at("岳麓山国家大学科技城创新中心", &[])
            .sized(150, 5_000, 0.01)
            .with("湖南省人力资源和社会保障厅、长沙市人民政府"),
        Event::on("11", "湖南省大学生创新创业论坛暨项目路演活动", day(2021, 12, 17), "430104")
            .at("岳麓山国家大学科技城创新中心", &[])
            .sized(0, 600, 0.001)
            .with("岳麓山国家大学科技城"),
    ]
}

/// Item 4: the rural-revitalisation fairs at the agricultural and rural universities.
fn rural() -> Vec<Event> {
    [
        ("湖南农业大学", "10537", "430100", day(2021, 11, 13)),
        ("中南林业科技大学", "10538", "430100", day(2022, 3, 12)),
        ("吉首大学", "10531", "433101", day(2022, 4, 9)),
        ("湖南生物机电职业技术学院", "12343", "430100", day(2022, 5, 14)),
    ]
    .into_iter()
    .map(|(name, code, region, d)| {
        let mut e = Event::on("09", format!("支持乡村振兴专场招聘会·{name}"), d, region).sized(80, 2_000, 0.004);
        e.venue = Some("学校体育馆");
        e.hosts = vec![code];
        e.co_organisers = Some("湖南省农业农村厅");
        e
    })
    .collect()
}

const GROUPS: &[&str] =
    &["脱贫家庭", "残疾", "少数民族", "零就业家庭", "低保家庭", "女大学生", "退役大学生士兵", "农村生源", "长期未就业"];

/// Item 21: fifteen to twenty fairs for key groups, on site, online or both;
/// the last one, ahead, moved online.
fn key_groups(today: NaiveDate) -> Vec<Event> {
    let mut all: Vec<Event> = (0..17)
        .map(|i| {
            let d = day(2021, 11, 10) + Duration::days(i * 16);
            let group = GROUPS[i as usize % GROUPS.len()];
            let title = format!("2022届{group}毕业生重点群体专场招聘会（第{}场）", i + 1);
            let e = Event::on("10", title, d, "430100").sized(60, 1_500, 0.02);
            let mut e = match i % 3 {
                0 => e.at("湖南省大中专学校学生就业指导服务中心", &[]),
                1 => e.online(5),
                _ => e.at("湖南省大中专学校学生就业指导服务中心", &[]),
            };
            if i % 3 == 2 {
                e.mode = Mode::Both;
            }
            e.key_groups = true;
            e
        })
        .collect();
    let mut last = Event::on("10", "2022届困难毕业生重点群体专场招聘会（第18场）", today + Duration::days(9), "430100")
        .online(3)
        .sized(60, 1_500, 0.02)
        .status(Status::MovedOnline);
    last.key_groups = true;
    all.push(last);
    all
}

/// Item 2: the 云就业 online fairs with the Ministry's 24365 platform, one a
/// month; one running today, one ahead.
fn online(today: NaiveDate) -> Vec<Event> {
    let months = [(2021, 11), (2021, 12), (2022, 1), (2022, 3), (2022, 4), (2022, 5), (2022, 6)];
    let mut all: Vec<Event> = months
        .iter()
        .map(|(y, m)| {
            Event::on("04", format!("“云就业”{y}年{m}月2022届高校毕业生网络招聘会"), day(*y, *m, 10), "430000")
                .online(7)
                .sized(300, 50_000, 0.006)
                .with("教育部“24365校园网络招聘服务”平台")
        })
        .collect();
    let running = Event::on("04", "“云就业”冬季网络双选会", today - Duration::days(2), "430000")
        .online(7)
        .sized(300, 50_000, 0.006)
        .status(Status::Running);
    let ahead = Event::on("04", "“云就业”新春网络双选会", today + Duration::days(10), "430000")
        .online(7)
        .sized(300, 50_000, 0.006)
        .status(Status::Registration);
    all.extend([running, ahead]);
    all
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        day(2026, 3, 15)
    }

    fn of_kind<'a>(all: &'a [Event], kind: &str) -> Vec<&'a Event> {
        all.iter().filter(|e| e.kind == kind).collect()
    }

    #[test]
    fn forty_market_sessions_and_the_plans_other_counts() {
        let all = events(today());
        assert_eq!(of_kind(&all, "03").len(), 40);
        for (kind, min, max) in TARGETS {
            let finished = of_kind(&all, kind).iter().filter(|e| e.status == Status::Finished).count() as i64;
            assert!(finished <= *max, "{kind}: {finished} held of at most {max}");
            assert!(finished >= min - 4, "{kind}: {finished} held, {min} planned");
        }
        let groups = of_kind(&all, "10");
        assert!((15..=20).contains(&groups.len()) && groups.iter().all(|e| e.key_groups));
        assert_eq!(all.iter().filter(|e| e.status == Status::Postponed).count(), 1);
        assert_eq!(all.iter().filter(|e| e.status == Status::MovedOnline).count(), 1);
        assert!(all.iter().any(|e| e.status == Status::Registration));
    }

    #[test]
    fn the_plans_year_is_past_and_the_rest_is_ahead_of_today() {
        for e in events(today()) {
            match e.status {
                Status::Finished => {
                    assert!(e.day >= day(2021, 11, 1) && e.last_day() <= day(2022, 8, 31), "{}", e.title)
                }
                Status::Running => assert!(e.day <= today() && e.last_day() >= today(), "{}", e.title),
                _ => assert!(e.day > today(), "{}", e.title),
            }
            assert_eq!(e.mode.has_venue(), e.venue.is_some(), "{}", e.title);
        }
    }

    #[test]
    fn the_touring_series_stops_at_five_universities_over_the_winter() {
        let all = events(today());
        let stops: Vec<&Event> = all.iter().filter(|e| e.series == Some(TOURING)).collect();
        assert_eq!(stops.len(), 5);
        assert!(stops.iter().all(|e| e.hosts.len() == 1 && e.day >= day(2021, 11, 1) && e.day <= day(2022, 1, 31)));
        let hosts: std::collections::HashSet<_> = stops.iter().map(|e| e.hosts[0]).collect();
        assert_eq!(hosts.len(), 5);
    }
}
