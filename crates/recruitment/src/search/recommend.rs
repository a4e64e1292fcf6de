//! Jobs recommended to a graduate (为你推荐), each with why: its major, the
//! places, industries and kinds of post its profile says it wants, and what
//! it applied to and looked at lately. Each reason is one search of the index (open postings its
//! level may take, newest first); a posting found by several reasons shows
//! them all and ranks higher. Postings it applied to are left out.

use std::collections::{HashMap, HashSet};

use kernel::codes::{self, BASE_VERSION};
use kernel::{Db, Locale};

use super::query::Filters;
use super::schema::region_facet;
use super::{Asked, IndexError, JobIndex, Sort};
use crate::postings::{self, Posting};

/// Why a posting is recommended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    /// It asks for the graduate's major (by name).
    Major(String),
    /// It is in a place the graduate wants (written out).
    Place(String),
    Industry(String),
    Position(String),
    /// Of the same kind of post as one the graduate applied to (that posting's title).
    LikeApplied(String),
    /// Of the same kind of post as one the graduate looked at lately (its title).
    LikeViewed(String),
    /// Nothing else known: open to the graduate's level (its name).
    Level(String),
}

impl Reason {
    pub fn text(&self, l: Locale) -> String {
        let (zh, en, what) = match self {
            Reason::Major(m) => ("与你的专业 {} 相符", "Wants your major, {}", m),
            Reason::Place(p) => ("在你想去的 {}", "In {}, where you want to work", p),
            Reason::Industry(i) => ("属于你意向的行业：{}", "In an industry you want: {}", i),
            Reason::Position(p) => ("属于你意向的职位类别：{}", "A kind of post you want: {}", p),
            Reason::LikeApplied(t) => ("与你申请过的“{}”同类", "Like “{}”, which you applied to", t),
            Reason::LikeViewed(t) => ("与你看过的“{}”同类", "Like “{}”, which you looked at", t),
            Reason::Level(v) => ("面向 {} 学历", "Open to {} graduates", v),
        };
        l.pick(zh, en).replacen("{}", what, 1)
    }

    /// How much the reason counts when postings are ranked.
    fn weight(&self) -> f32 {
        match self {
            Reason::Major(_) => 3.0,
            Reason::Place(_) => 2.0,
            Reason::LikeApplied(_) => 1.5,
            Reason::Industry(_) | Reason::Position(_) | Reason::LikeViewed(_) => 1.0,
            Reason::Level(_) => 0.5,
        }
    }
}

/// Merges what each reason found (each list newest first): a posting's
/// reasons together, the weightiest sum first, the newer first among equals;
/// postings in `applied` left out; at most `most`.
pub fn rank(found: Vec<(Reason, Vec<i64>)>, applied: &HashSet<i64>, most: usize) -> Vec<(i64, Vec<Reason>)> {
    let mut by_posting: HashMap<i64, (f32, Vec<Reason>)> = HashMap::new();
    for (reason, ids) in found {
        for (at, id) in ids.into_iter().enumerate().filter(|(_, id)| !applied.contains(id)) {
            let entry = by_posting.entry(id).or_insert((0.0, Vec::new()));
            // Newer postings (earlier in each list) a little before older ones.
            entry.0 += reason.weight() - at as f32 * 0.001;
            if !entry.1.contains(&reason) {
                entry.1.push(reason.clone());
            }
        }
    }
    let mut ranked: Vec<(i64, f32, Vec<Reason>)> = by_posting.into_iter().map(|(id, (s, r))| (id, s, r)).collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(b.0.cmp(&a.0)));
    ranked.into_iter().take(most).map(|(id, _, reasons)| (id, reasons)).collect()
}

/// A recommended posting and why.
pub struct Recommended {
    pub posting: Posting,
    pub reasons: Vec<String>,
}

/// Postings each reason looks at.
const PER_REASON: usize = 30;
/// Days of views that count.
pub const VIEWS_DAYS: i64 = 14;
/// Intentions of each kind that count.
const INTENTIONS: usize = 3;

/// What the graduate is, wants and did, as searches with their reasons.
async fn asks(
    db: &Db,
    graduate_id: i64,
    viewed_as: &[String],
    today: chrono::NaiveDate,
    l: Locale,
) -> Result<Vec<(Reason, Filters)>, IndexError> {
    let base = Filters::of(&Default::default(), today);
    let Some(me) = db
        .fetch_optional(
            "SELECT m.code, m.name, m.level FROM graduates g JOIN majors m ON m.id = g.major_id WHERE g.id = $1",
            &[graduate_id.into()],
        )
        .await?
    else {
        return Ok(Vec::new());
    };
    let level_name = me.text("level")?;
    let level = codes::list(db, "major_level", BASE_VERSION).await?.into_iter().find(|c| c.name == level_name);
    let base = Filters { education: level.as_ref().map(|c| c.code.clone()), ..base };
    let mut asks =
        vec![(Reason::Major(me.text("name")?), Filters { wants_major: Some(me.text("code")?), ..base.clone() })];
    let profile = crate::profiles::get(db, graduate_id).await?.content;
    let places =
        registry::reference::full_region_names(db, profile.intended_regions.iter().map(String::as_str)).await?;
    for code in profile.intended_regions.iter().take(INTENTIONS) {
        asks.push((Reason::Place(places.full(code)), Filters { region: region_facet(code), ..base.clone() }));
    }
    let industries = codes::labels(db, "industry", BASE_VERSION, l).await?;
    let positions = codes::labels(db, "position_category", BASE_VERSION, l).await?;
    let name =
        |names: &HashMap<String, String>, code: &String| names.get(code).cloned().unwrap_or_else(|| code.clone());
    for code in profile.intended_industries.iter().take(INTENTIONS) {
        asks.push((
            Reason::Industry(name(&industries, code)),
            Filters { industry: Some(code.clone()), ..base.clone() },
        ));
    }
    for code in profile.intended_positions.iter().take(INTENTIONS) {
        asks.push((Reason::Position(name(&positions, code)), Filters { position: Some(code.clone()), ..base.clone() }));
    }
    let applied = db
        .fetch_all(
            "SELECT p.title, p.position_code FROM applications a JOIN postings p ON p.id = a.posting_id \
             WHERE a.graduate_id = $1 ORDER BY a.id DESC LIMIT 20",
            &[graduate_id.into()],
        )
        .await?;
    let mut kinds = HashSet::new();
    for r in &applied {
        let position = r.text("position_code")?;
        if kinds.len() < 2 && kinds.insert(position.clone()) {
            asks.push((Reason::LikeApplied(r.text("title")?), Filters { position: Some(position), ..base.clone() }));
        }
    }
    for r in &viewed(db, viewed_as).await? {
        let position = r.text("position_code")?;
        if kinds.len() < 4 && kinds.insert(position.clone()) {
            asks.push((Reason::LikeViewed(r.text("title")?), Filters { position: Some(position), ..base.clone() }));
        }
    }
    asks.push((Reason::Level(level.map(|c| c.label(l).to_owned()).unwrap_or(level_name)), base));
    Ok(asks)
}

/// The postings viewed under these pseudonyms (the graduate's account's, day by day), latest first.
async fn viewed(db: &Db, viewed_as: &[String]) -> kernel::DbResult<Vec<kernel::Row>> {
    if viewed_as.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = kernel::db::SqlBuilder::new(
        "SELECT p.title, p.position_code FROM posting_views v JOIN postings p ON p.id = v.posting_id WHERE v.viewer IN (",
    );
    for (i, viewer) in viewed_as.iter().enumerate() {
        if i > 0 {
            sql.push(", ");
        }
        sql.bind(viewer.clone());
    }
    sql.push(") ORDER BY v.day DESC LIMIT 20");
    db.fetch_all(&sql.sql, &sql.params).await
}

/// Up to `most` open postings for the graduate, each with its reasons;
/// `viewed_as`: the pseudonyms its views were counted under lately. Empty
/// while the index is being built.
pub async fn for_graduate(
    db: &Db,
    jobs: &JobIndex,
    graduate_id: i64,
    viewed_as: &[String],
    today: chrono::NaiveDate,
    most: usize,
    l: Locale,
) -> Result<Vec<Recommended>, IndexError> {
    let mut found = Vec::new();
    for (reason, filters) in asks(db, graduate_id, viewed_as, today, l).await? {
        let asked = Asked { words: Vec::new(), filters, sort: Sort::Newest, offset: 0, limit: PER_REASON };
        match jobs.search(db, &asked).await? {
            Ok(f) => found.push((reason, f.ids)),
            Err(_) => return Ok(Vec::new()),
        }
    }
    let applied: HashSet<i64> = db
        .fetch_all("SELECT posting_id FROM applications WHERE graduate_id = $1", &[graduate_id.into()])
        .await?
        .iter()
        .map(|r| r.i64("posting_id"))
        .collect::<kernel::DbResult<_>>()?;
    let ranked = rank(found, &applied, most);
    let ids: Vec<i64> = ranked.iter().map(|(id, _)| *id).collect();
    let mut postings: HashMap<i64, Posting> =
        postings::by_ids(db, &ids, l).await?.into_iter().map(|p| (p.id, p)).collect();
    Ok(ranked
        .into_iter()
        .filter_map(|(id, reasons)| {
            let posting = postings.remove(&id)?;
            Some(Recommended { posting, reasons: reasons.iter().map(|r| r.text(l)).collect() })
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_add_up_and_applied_postings_leave() {
        let major = Reason::Major("软件工程".into());
        let place = Reason::Place("湖南省长沙市".into());
        let level = Reason::Level("本科".into());
        let found =
            vec![(major.clone(), vec![5, 4]), (place.clone(), vec![9, 4, 7]), (level.clone(), vec![9, 8, 7, 5, 4])];
        let ranked = rank(found, &HashSet::from([7]), 3);
        let ids: Vec<i64> = ranked.iter().map(|r| r.0).collect();
        assert_eq!(ids, [4, 5, 9], "major + place + level first; 7 was applied to");
        assert_eq!(ranked[0].1, [major, place, level]);
    }

    #[test]
    fn a_reason_says_why_in_the_readers_language() {
        assert_eq!(Reason::Major("软件工程".into()).text(Locale::Zh), "与你的专业 软件工程 相符");
        assert_eq!(Reason::LikeApplied("会计".into()).text(Locale::En), "Like “会计”, which you applied to");
    }
}
