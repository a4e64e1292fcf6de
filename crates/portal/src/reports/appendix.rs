//! The data appendix (数据附录) of an institution's quality report, generated
//! from its own records as of a day. Every figure comes from the statistics
//! projection (`outcomes::statistics`) through the same `by_group` and
//! `table` the placement page (/outcomes/placement) uses, so the appendix and
//! the page cannot disagree about an institution on a day.

use chrono::{Datelike, NaiveDate};

use kernel::auth::Scope;
use kernel::{codes, Db, Locale};
use outcomes::statistics::rates::{percent, Definition, NOT_PLACED};
use outcomes::statistics::{by_group, definition_of, table, Breakdown, Grouping, Placements, StatisticsError};

/// One table of the appendix, with its chart (inline SVG) when it has one.
pub struct Table {
    pub id: String,
    pub title: String,
    pub rows: Vec<Vec<String>>,
    pub chart: String,
}

/// A chapter: each starts a new page when printed.
pub struct Part {
    pub id: &'static str,
    pub title: String,
    pub tables: Vec<Table>,
    pub notes: Vec<String>,
}

pub struct Appendix {
    pub institution: String,
    pub cohort: i64,
    pub as_of: NaiveDate,
    pub definition: Definition,
    pub graduates: u64,
    pub rate: String,
    pub parts: Vec<Part>,
}

/// At most this many bars in a chart: the rest are in the table.
const BARS: usize = 15;

/// The appendix of `institution` for `cohort` as of the end of `as_of`.
pub async fn build(
    placements: &Placements,
    db: &Db,
    (institution_id, institution): (i64, String),
    cohort: i64,
    as_of: NaiveDate,
    l: Locale,
) -> Result<Appendix, StatisticsError> {
    let scope = Scope::Institution { institution_id, college_id: None };
    let d = definition_of(db, cohort, "").await?;
    let group = |g: Grouping| by_group(placements, &scope, cohort, as_of, g, d, l);

    // 1. Size and structure (规模与结构).
    let mut structure = Vec::new();
    let mut total = None;
    for g in [Grouping::Level, Grouping::Gender, Grouping::College, Grouping::Major, Grouping::Origin] {
        let b = group(g).await?;
        structure.push(share_table(&format!("structure-{}", g.key()), g.heading(l), &b, l, false));
        total.get_or_insert(b.total.clone());
    }
    let total = total.unwrap_or_default();

    // 2. The placement rate and its parts by college and by major (落实率及构成).
    let mut placement = Vec::new();
    for g in [Grouping::College, Grouping::Major] {
        let b = group(g).await?;
        let items: Vec<(String, f64)> =
            b.groups.iter().take(BARS).map(|r| (short(&r.label, &institution), r.tally.rate(d))).collect();
        let title = match l {
            Locale::Zh => format!("分{}落实率", g.heading(l)),
            Locale::En => format!("Placement rate by {}", g.heading(l).to_lowercase()),
        };
        let chart = if items.len() > 1 { kernel::chart::bars(&title, &items) } else { String::new() };
        placement.push(Table {
            id: format!("placement-{}", g.key()),
            title,
            rows: table(&b, d, g.heading(l), l),
            chart,
        });
    }

    // 3. Where the employed went (就业流向): region, industry, employer nature.
    let mut destinations = Vec::new();
    for g in [Grouping::EmployerRegion, Grouping::Industry, Grouping::Nature] {
        let b = group(g).await?;
        destinations.push(share_table(&format!("destination-{}", g.key()), g.heading(l), &b, l, true));
    }

    // 4. Further study (升学与出国（境）深造), by destination code.
    let further = further_study(placements, db, &scope, cohort, as_of, d, l).await?;

    // 5. Key groups (重点群体): the assistance register, as the placement page groups it.
    let key_groups = group(Grouping::KeyGroup).await?;
    let key_table = Table {
        id: "key-groups".to_owned(),
        title: Grouping::KeyGroup.heading(l).to_owned(),
        rows: table(&key_groups, d, Grouping::KeyGroup.heading(l), l),
        chart: String::new(),
    };

    // 6. Against the previous cohort on the same day a year before (与上届对比).
    let trend = trend(placements, db, &scope, cohort, as_of, d, l).await?;

    let parts = vec![
        Part {
            id: "structure",
            title: l.pick("毕业生规模与结构", "Size and structure of the cohort").to_owned(),
            tables: structure,
            notes: Vec::new(),
        },
        Part {
            id: "placement",
            title: l.pick("毕业去向落实率及其构成", "Placement rate and its parts").to_owned(),
            tables: placement,
            notes: vec![d.title(l).to_owned()],
        },
        Part {
            id: "destinations",
            title: l.pick("就业流向", "Where the employed went").to_owned(),
            tables: destinations,
            notes: vec![l
                .pick(
                    "比例为占已登记该项信息毕业生的比例；未登记者单列。",
                    "Shares are of the graduates with the item recorded; the rest are listed apart.",
                )
                .to_owned()],
        },
        Part {
            id: "further-study",
            title: l.pick("升学与出国（境）深造", "Further study in China and abroad").to_owned(),
            tables: vec![further],
            notes: Vec::new(),
        },
        Part {
            id: "key-groups",
            title: l.pick("重点群体毕业生", "Graduates in key groups").to_owned(),
            tables: vec![key_table],
            notes: vec![l
                .pick(
                    "重点群体按帮扶台账统计，一名毕业生属于多个群体时在每个群体中计数。",
                    "Key groups as the assistance register holds them; a graduate in several groups counts in each.",
                )
                .to_owned()],
        },
        Part {
            id: "trend",
            title: l.pick("与上届对比", "Against the previous cohort").to_owned(),
            tables: vec![trend.0],
            notes: trend.1,
        },
    ];
    Ok(Appendix {
        institution,
        cohort,
        as_of,
        definition: d,
        graduates: total.graduates,
        rate: percent(total.rate(d)),
        parts,
    })
}

/// A unit's label without the institution's name in front of it, for charts.
fn short(label: &str, institution: &str) -> String {
    label.strip_prefix(institution).map(str::trim).unwrap_or(label).to_owned()
}

/// Group, graduates and share: of all graduates, or (`recorded_only`) of those
/// the grouping reaches, the rest listed last as "not recorded".
fn share_table(id: &str, heading: &str, b: &Breakdown, l: Locale, recorded_only: bool) -> Table {
    let whole: u64 = match recorded_only {
        true => b.groups.iter().filter(|g| !g.key.is_empty()).map(|g| g.tally.graduates).sum(),
        false => b.total.graduates,
    };
    let share = |n: u64| if whole == 0 { percent(0.0) } else { percent(n as f64 / whole as f64) };
    let mut rows =
        vec![vec![heading.to_owned(), l.pick("人数", "Graduates").to_owned(), l.pick("占比", "Share").to_owned()]];
    let (recorded, unrecorded): (Vec<_>, Vec<_>) = b.groups.iter().partition(|g| !recorded_only || !g.key.is_empty());
    for g in &recorded {
        rows.push(vec![g.label.clone(), g.tally.graduates.to_string(), share(g.tally.graduates)]);
    }
    for g in &unrecorded {
        rows.push(vec![g.label.clone(), g.tally.graduates.to_string(), String::new()]);
    }
    rows.push(vec![l.pick("合计", "Total").to_owned(), b.total.graduates.to_string(), percent(1.0)]);
    let items: Vec<(String, u64)> = recorded.iter().take(BARS).map(|g| (g.label.clone(), g.tally.graduates)).collect();
    let chart = match items.len() > 1 {
        true => kernel::chart::count_bars(heading, &items),
        false => String::new(),
    };
    Table { id: id.to_owned(), title: heading.to_owned(), rows, chart }
}

/// Graduates in further study by destination code (境内升学, 境外留学 …).
async fn further_study(
    placements: &Placements,
    db: &Db,
    scope: &Scope,
    cohort: i64,
    as_of: NaiveDate,
    d: Definition,
    l: Locale,
) -> Result<Table, StatisticsError> {
    let version = registry::cohorts::get(db, cohort)
        .await?
        .map(|c| c.destination_version)
        .ok_or(StatisticsError::NoCohort(cohort))?;
    let codes = codes::list(db, "destination", &version).await?;
    let by_code = placements
        .with(cohort, |p| {
            let counts = p.count(scope, as_of, Grouping::Level);
            counts.by_code(&counts.total)
        })
        .await?
        .ok_or(StatisticsError::NoCohort(cohort))?;
    let graduates: u64 = by_code.values().sum();
    let share = |n: u64| if graduates == 0 { percent(0.0) } else { percent(n as f64 / graduates as f64) };
    let mut rows = vec![vec![
        l.pick("毕业去向", "Destination").to_owned(),
        l.pick("人数", "Graduates").to_owned(),
        l.pick("占毕业生比例", "Share of graduates").to_owned(),
    ]];
    let mut sum = 0;
    for c in &codes {
        let bucket = match d {
            Definition::V2021 => c.bucket_2021.as_deref(),
            Definition::V2024 => c.bucket_2024.as_deref(),
        };
        if bucket != Some("further_study") || bucket == Some(NOT_PLACED) {
            continue;
        }
        let n = by_code.get(&Some(c.code.clone())).copied().unwrap_or(0);
        if n == 0 {
            continue;
        }
        sum += n;
        rows.push(vec![c.label(l).to_owned(), n.to_string(), share(n)]);
    }
    rows.push(vec![l.pick("升学合计", "Further study in all").to_owned(), sum.to_string(), share(sum)]);
    Ok(Table {
        id: "further-study".to_owned(),
        title: l.pick("升学与出国（境）", "Further study").to_owned(),
        rows,
        chart: String::new(),
    })
}

/// This cohort against the previous one, each as of the same day of its own year.
async fn trend(
    placements: &Placements,
    db: &Db,
    scope: &Scope,
    cohort: i64,
    as_of: NaiveDate,
    d: Definition,
    l: Locale,
) -> Result<(Table, Vec<String>), StatisticsError> {
    let mut rows = vec![{
        let mut h = vec![
            l.pick("届别", "Cohort").to_owned(),
            l.pick("毕业生数", "Graduates").to_owned(),
            l.pick("已落实", "Placed").to_owned(),
            l.pick("落实率", "Rate").to_owned(),
        ];
        h.extend(d.parts().iter().map(|b| Definition::part_label(b, l).to_owned()));
        h
    }];
    let mut notes = Vec::new();
    let mut points = Vec::new();
    let previous = cohort - 1;
    let previous_day = as_of.with_year(as_of.year() - 1).unwrap_or(as_of);
    if registry::cohorts::get(db, previous).await?.is_some() {
        match by_group(placements, scope, previous, previous_day, Grouping::Level, d, l).await {
            Ok(b) if b.total.graduates > 0 => {
                rows.push(outcomes::statistics::row(&cohort_label(previous, l), &b.total, d));
                points.push((cohort_label(previous, l), b.total.rate(d)));
            }
            Ok(_) | Err(StatisticsError::NoCohort(_)) => {}
            Err(e) => return Err(e),
        }
    }
    let this = by_group(placements, scope, cohort, as_of, Grouping::Level, d, l).await?;
    rows.push(outcomes::statistics::row(&cohort_label(cohort, l), &this.total, d));
    points.push((cohort_label(cohort, l), this.total.rate(d)));
    if points.len() < 2 {
        notes.push(match l {
            Locale::Zh => format!("平台上没有本校 {previous} 届毕业生的记录，暂无法对比。"),
            Locale::En => format!("The platform holds no {previous} cohort of this institution to compare with."),
        });
    } else {
        notes.push(match l {
            Locale::Zh => format!("上届统计截至 {previous_day}，本届截至 {as_of}。"),
            Locale::En => format!("The previous cohort as of {previous_day}, this one as of {as_of}."),
        });
    }
    let title = l.pick("落实率与上届对比", "Placement rate against the previous cohort");
    let chart = if points.len() > 1 { kernel::chart::bars(title, &points) } else { String::new() };
    Ok((Table { id: "trend".to_owned(), title: title.to_owned(), rows, chart }, notes))
}

fn cohort_label(year: i64, l: Locale) -> String {
    match l {
        Locale::Zh => format!("{year}届"),
        Locale::En => format!("{year} cohort"),
    }
}
