//! Recruitment figures (招聘统计) for the province and for one university:
//! open postings and the headcount they offer by industry and by region,
//! how often postings were viewed, and how far applications went
//! (interviews, offers, hires). Reads the other rooms' tables; writes nothing.

pub mod pages;

use chrono::NaiveDate;
use kernel::{Db, DbResult};

use crate::applications::flow::Stage;
use crate::postings::rules::Status;

/// Whose figures: the province's, or one university's (its campus channel's
/// postings and its own graduates' applications).
#[derive(Debug, Clone, Copy)]
pub enum Whose {
    Province,
    Institution(i64),
}

/// The headline figures.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Totals {
    pub open_postings: i64,
    pub open_headcount: i64,
    /// Views of postings' public pages (浏览), every posting's, open or not.
    pub views: i64,
    pub applications: i64,
    pub interviews: i64,
    pub offers: i64,
    pub hires: i64,
}

/// (code, postings, headcount) of open postings by a grouping.
pub type Breakdown = Vec<(String, i64, i64)>;

fn postings_filter(whose: Whose, today: NaiveDate) -> (String, Vec<kernel::Value>) {
    let mut params: Vec<kernel::Value> = vec![Status::Approved.key().into(), today.to_string().into()];
    let mut sql = "p.status = $1 AND p.deadline >= $2".to_owned();
    if let Whose::Institution(id) = whose {
        sql.push_str(" AND p.channel_institution_id = $3");
        params.push(id.into());
    }
    (sql, params)
}

fn applications_filter(whose: Whose) -> (String, Vec<kernel::Value>) {
    match whose {
        Whose::Province => (String::new(), Vec::new()),
        Whose::Institution(id) => {
            (" JOIN graduates g ON g.id = a.graduate_id WHERE g.institution_id = $1".to_owned(), vec![id.into()])
        }
    }
}

pub async fn totals(db: &Db, whose: Whose, today: NaiveDate) -> DbResult<Totals> {
    let (filter, params) = postings_filter(whose, today);
    let open = db
        .fetch_one(&format!("SELECT COUNT(*) AS n, CAST(COALESCE(SUM(p.headcount), 0) AS BIGINT) AS h FROM postings p WHERE {filter}"), &params)
        .await?;
    let views = match whose {
        Whose::Province => db.fetch_one("SELECT COUNT(*) AS n FROM posting_views", &[]).await?,
        Whose::Institution(id) => {
            db.fetch_one(
                "SELECT COUNT(*) AS n FROM posting_views v JOIN postings p ON p.id = v.posting_id WHERE p.channel_institution_id = $1",
                &[id.into()],
            )
            .await?
        }
    };
    let (join, params) = applications_filter(whose);
    let applications =
        db.fetch_one(&format!("SELECT COUNT(*) AS n FROM applications a{join}"), &params).await?.i64("n")?;
    // An application counts once for each stage it reached, whatever came after.
    let reached = |stage: Stage| {
        let (join, mut params) = applications_filter(whose);
        let mark = format!("${}", params.len() + 1);
        params.push(stage.key().into());
        let sql = format!(
            "SELECT COUNT(DISTINCT s.application_id) AS n FROM application_steps s JOIN applications a ON a.id = s.application_id{join}{} s.stage = {mark}",
            if join.is_empty() { " WHERE" } else { " AND" }
        );
        async move { db.fetch_one(&sql, &params).await?.i64("n") }
    };
    Ok(Totals {
        open_postings: open.i64("n")?,
        open_headcount: open.i64("h")?,
        views: views.i64("n")?,
        applications,
        interviews: reached(Stage::Interview).await?,
        offers: reached(Stage::Offer).await?,
        hires: reached(Stage::Hired).await?,
    })
}

/// Open postings and headcount by industry code, largest headcount first.
pub async fn by_industry(db: &Db, whose: Whose, today: NaiveDate) -> DbResult<Breakdown> {
    let (filter, params) = postings_filter(whose, today);
    let sql = format!(
        "SELECT p.industry_code AS code, COUNT(*) AS n, CAST(SUM(p.headcount) AS BIGINT) AS h FROM postings p WHERE {filter} \
         GROUP BY p.industry_code ORDER BY h DESC, code"
    );
    breakdown(db, &sql, &params).await
}

/// Open postings and headcount by the province of each place of work (a
/// posting in two provinces counts in both), largest headcount first.
pub async fn by_province(db: &Db, whose: Whose, today: NaiveDate) -> DbResult<Breakdown> {
    let (filter, params) = postings_filter(whose, today);
    // Each posting once per province, however many of its places lie there.
    let sql = format!(
        "SELECT code, COUNT(*) AS n, CAST(SUM(headcount) AS BIGINT) AS h FROM (\
         SELECT DISTINCT p.id, p.headcount, SUBSTR(r.region_code, 1, 2) AS code \
         FROM postings p JOIN posting_regions r ON r.posting_id = p.id WHERE {filter}) places \
         GROUP BY code ORDER BY h DESC, code"
    );
    breakdown(db, &sql, &params).await
}

async fn breakdown(db: &Db, sql: &str, params: &[kernel::Value]) -> DbResult<Breakdown> {
    db.fetch_all(sql, params).await?.iter().map(|r| Ok((r.text("code")?, r.i64("n")?, r.i64("h")?))).collect()
}
