//! The placement rate by group, as the records stood at the end of any day:
//! rebuilt from the destination event log, so an as-of date in the past shows
//! what was known then.

use std::collections::{BTreeMap, HashMap};

use askama::Template;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use chrono::NaiveDate;
use serde::Deserialize;

use kernel::auth::{Role, Scope};
use kernel::db::SqlBuilder;
use kernel::web::{AppError, AppState, Ctx};
use kernel::{codes, time, Db, Locale};

use crate::destinations::scope_filter;
use crate::rates::{percent, Definition, Tally, NOT_PLACED};

pub fn routes() -> Router<AppState> {
    Router::new().route("/outcomes/placement", get(page))
}

/// The groupings the page offers: (key, SQL for the group's id, SQL for its label, zh, en).
const GROUPS: &[(&str, &str, &str, &str, &str)] = &[
    ("institution", "i.code", "i.name", "院校", "Institution"),
    ("college", "CAST(c.id AS TEXT)", "i.name || ' ' || c.name", "院系", "College"),
    ("major", "CAST(m.id AS TEXT)", "i.name || ' ' || m.name || '（' || m.level || '）'", "专业", "Major"),
    ("level", "g.education_level", "g.education_level", "学历层次", "Level"),
    ("gender", "g.gender", "g.gender", "性别", "Sex"),
    (
        "discipline",
        "COALESCE(mc.discipline_code, '')",
        "COALESCE(mc.discipline_name, '')",
        "学科门类/专业大类",
        "Discipline",
    ),
    (
        "employer_region",
        "COALESCE(er.code, '')",
        "COALESCE(er.name, '未登记就业地区')",
        "就业地区",
        "Region of employment",
    ),
    (
        "origin",
        "CASE WHEN g.origin_region_code LIKE '43%' THEN 'in' ELSE 'out' END",
        "CASE WHEN g.origin_region_code LIKE '43%' THEN '省内生源' ELSE '省外生源' END",
        "生源地",
        "Origin",
    ),
    (
        "urban_rural",
        "g.urban_rural",
        "CASE WHEN g.urban_rural = '2' THEN '农村' ELSE '城镇' END",
        "城乡生源",
        "Urban or rural",
    ),
];

/// The heading of a grouping, e.g. 院校 for `institution`.
pub fn group_label(key: &str, l: Locale) -> Option<&'static str> {
    GROUPS.iter().find(|g| g.0 == key).map(|g| l.pick(g.3, g.4))
}

/// One group's counts.
pub struct GroupRate {
    pub key: String,
    pub label: String,
    pub tally: Tally,
}

/// Tallies of a cohort by group as of the end of `as_of` (China time), within `scope`.
pub async fn by_group(
    db: &Db,
    scope: &Scope,
    cohort: i64,
    as_of: NaiveDate,
    group: &str,
    d: Definition,
) -> Result<Vec<GroupRate>, AppError> {
    let (_, key_sql, label_sql, _, _) = GROUPS.iter().find(|g| g.0 == group).copied().unwrap_or(GROUPS[0]);
    let version = db
        .fetch_optional("SELECT destination_version FROM cohorts WHERE year = $1", &[cohort.into()])
        .await?
        .ok_or(AppError::NotFound)?
        .text("destination_version")?;
    let buckets: HashMap<String, Option<String>> = codes::list(db, "destination", &version)
        .await?
        .into_iter()
        .map(|c| {
            let bucket = match d {
                Definition::V2021 => c.bucket_2021,
                Definition::V2024 => c.bucket_2024,
            };
            (c.code, bucket)
        })
        .collect();
    let mut sql = SqlBuilder::new(&format!(
        "SELECT {key_sql} AS group_key, {label_sql} AS group_label, le.category_code, COUNT(*) AS n \
         FROM graduates g JOIN institutions i ON i.id = g.institution_id JOIN colleges c ON c.id = g.college_id \
         JOIN majors m ON m.id = g.major_id \
         LEFT JOIN major_catalogue mc ON mc.catalogue = m.catalogue AND mc.code = m.code LEFT JOIN ( \
           SELECT e.graduate_id, e.category_code, e.region_code FROM destination_events e JOIN ( \
             SELECT graduate_id, MAX(id) AS last FROM destination_events WHERE cohort_year = "
    ));
    sql.bind(cohort).push(" AND at < ").bind(time::end_of_china_day(as_of));
    // Employment regions count by prefecture in the home province and by province elsewhere.
    sql.push(
        " GROUP BY graduate_id) x ON x.last = e.id) le ON le.graduate_id = g.id \
         LEFT JOIN regions er ON er.code = CASE WHEN le.region_code LIKE '43%' THEN substr(le.region_code, 1, 4) || '00' \
         ELSE substr(le.region_code, 1, 2) || '0000' END WHERE g.cohort_year = ",
    )
        .bind(cohort);
    if !scope_filter(&mut sql, scope) {
        return Err(AppError::Forbidden);
    }
    sql.push(&format!(" GROUP BY {key_sql}, {label_sql}, le.category_code"));
    let rows = db.fetch_all(&sql.sql, &sql.params).await?;
    let mut groups: BTreeMap<String, GroupRate> = BTreeMap::new();
    for r in &rows {
        let key = r.text("group_key")?;
        let code = r.opt_text("category_code")?;
        let bucket = code.as_ref().and_then(|c| buckets.get(c).cloned().flatten());
        let entry = groups.entry(key.clone()).or_insert_with(|| GroupRate {
            key,
            label: String::new(),
            tally: Tally::default(),
        });
        entry.label = r.text("group_label")?;
        entry.tally.add(Some(bucket.as_deref().unwrap_or(NOT_PLACED)), r.i64("n")? as u64);
    }
    let mut out: Vec<GroupRate> = groups.into_values().collect();
    out.sort_by(|a, b| b.tally.graduates.cmp(&a.tally.graduates).then(a.label.cmp(&b.label)));
    Ok(out)
}

#[derive(Debug, Default, Deserialize)]
struct PlacementQuery {
    #[serde(default)]
    cohort: String,
    #[serde(default)]
    as_of: String,
    #[serde(default)]
    by: String,
    #[serde(default)]
    definition: String,
    #[serde(default)]
    format: String,
}

#[derive(Template)]
#[template(path = "placement.html")]
struct PlacementPage<'a> {
    l: Locale,
    cohort: i64,
    as_of: String,
    by: &'a str,
    definition: Definition,
    date_error: bool,
    total: Tally,
    groups: Vec<GroupRate>,
    group_label: &'static str,
}

impl PlacementPage<'_> {
    fn groups_offered(&self) -> Vec<(&'static str, &'static str)> {
        GROUPS.iter().map(|g| (g.0, self.l.pick(g.3, g.4))).collect()
    }
    fn parts(&self) -> Vec<(&'static str, &'static str)> {
        self.definition.parts().iter().map(|b| (*b, Definition::part_label(b, self.l))).collect()
    }
    fn rate(&self, t: &Tally) -> String {
        percent(t.rate(self.definition))
    }
    fn part(&self, t: &Tally, bucket: &str) -> String {
        percent(t.part(bucket))
    }
    fn placed(&self, t: &Tally) -> u64 {
        t.placed(self.definition)
    }
}

async fn page(State(state): State<AppState>, ctx: Ctx, Query(q): Query<PlacementQuery>) -> Result<Response, AppError> {
    let actor = ctx.require(&[Role::ProvinceAdmin, Role::UniversityStaff])?;
    let cohort = q.cohort.parse().unwrap_or(2022);
    let today = time::today_china();
    let parsed =
        if q.as_of.is_empty() { Some(today) } else { NaiveDate::parse_from_str(q.as_of.trim(), "%Y-%m-%d").ok() };
    let as_of = parsed.unwrap_or(today);
    let by = GROUPS.iter().find(|g| g.0 == q.by).map(|g| g.0).unwrap_or("institution");
    let bound =
        state.db.fetch_optional("SELECT rate_definition FROM cohorts WHERE year = $1", &[cohort.into()]).await?;
    let bound = bound.map(|r| r.text("rate_definition")).transpose()?.unwrap_or_else(|| "2021".to_owned());
    let definition = Definition::parse(&q.definition).or(Definition::parse(&bound)).unwrap_or(Definition::V2021);
    let groups = by_group(&state.db, &actor.scope(), cohort, as_of, by, definition).await?;
    let mut total = Tally::default();
    for g in &groups {
        total.merge(&g.tally);
    }
    let group_label = GROUPS.iter().find(|g| g.0 == by).map(|g| ctx.locale.pick(g.3, g.4)).unwrap_or("");
    if q.format == "csv" || q.format == "xlsx" {
        return download(&table(&groups, definition, group_label, ctx.locale), &q.format);
    }
    let page = PlacementPage {
        l: ctx.locale,
        cohort,
        as_of: as_of.format("%Y-%m-%d").to_string(),
        by,
        definition,
        date_error: parsed.is_none(),
        total,
        groups,
        group_label,
    };
    ctx.page(ctx.t("毕业去向落实率", "Placement rate"), &page)
}

/// The table the page shows, as text cells: a header row, then one row per group and the total.
pub fn table(groups: &[GroupRate], d: Definition, group_label: &str, l: Locale) -> Vec<Vec<String>> {
    let mut header = vec![
        group_label.to_owned(),
        l.pick("毕业生数", "Graduates").to_owned(),
        l.pick("已落实", "Placed").to_owned(),
        l.pick("落实率", "Rate").to_owned(),
    ];
    header.extend(d.parts().iter().map(|b| Definition::part_label(b, l).to_owned()));
    let row = |label: &str, t: &Tally| {
        let mut cells = vec![label.to_owned(), t.graduates.to_string(), t.placed(d).to_string(), percent(t.rate(d))];
        cells.extend(d.parts().iter().map(|b| percent(t.part(b))));
        cells
    };
    let mut total = Tally::default();
    let mut rows = vec![header];
    for g in groups {
        total.merge(&g.tally);
        rows.push(row(&g.label, &g.tally));
    }
    rows.push(row(l.pick("合计", "Total"), &total));
    rows
}

/// CSV with a BOM, so Excel and WPS read the Chinese headers.
pub fn to_csv(rows: &[Vec<String>]) -> String {
    let mut writer = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(Vec::new());
    for r in rows {
        let _ = writer.write_record(r);
    }
    let bytes = writer.into_inner().unwrap_or_default();
    format!("\u{feff}{}", String::from_utf8_lossy(&bytes))
}

/// An .xlsx with readable column widths and numbers as numbers.
pub fn to_xlsx(rows: &[Vec<String>], title: &str) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name(title)?;
    let bold = rust_xlsxwriter::Format::new().set_bold();
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            let (r, c) = (r as u32, c as u16);
            match (r, cell.parse::<f64>(), cell.strip_suffix('%').and_then(|p| p.parse::<f64>().ok())) {
                (0, _, _) => sheet.write_string_with_format(r, c, cell, &bold).map(|_| ())?,
                (_, Ok(n), _) => sheet.write_number(r, c, n).map(|_| ())?,
                (_, _, Some(p)) => sheet
                    .write_number_with_format(r, c, p / 100.0, &rust_xlsxwriter::Format::new().set_num_format("0.00%"))
                    .map(|_| ())?,
                _ => sheet.write_string(r, c, cell).map(|_| ())?,
            }
        }
    }
    sheet.set_column_width(0, 34)?;
    for c in 1..rows.first().map(|r| r.len()).unwrap_or(1) {
        sheet.set_column_width(c as u16, 14)?;
    }
    sheet.set_freeze_panes(1, 1)?;
    workbook.save_to_buffer()
}

fn download(rows: &[Vec<String>], format: &str) -> Result<Response, AppError> {
    if format == "xlsx" {
        let bytes = to_xlsx(rows, "落实率").map_err(|e| AppError::Internal(anyhow::anyhow!(e)))?;
        return Ok((
            [
                (header::CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
                (header::CONTENT_DISPOSITION, "attachment; filename=\"placement.xlsx\""),
            ],
            bytes,
        )
            .into_response());
    }
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"placement.csv\""),
        ],
        to_csv(rows),
    )
        .into_response())
}
