//! A job seeker's search as index queries, built in code from what was typed
//! and picked: nothing is parsed as query syntax.

use std::ops::Bound;

use fulltext::tantivy::query::{BooleanQuery, BoostQuery, FuzzyTermQuery, Occur, Query, RangeQuery, TermQuery};
use fulltext::tantivy::schema::{Facet, Field, IndexRecordOption};
use fulltext::tantivy::Term;
use fulltext::text::QueryWord;

use super::schema::{code_facet, major_facet, public_facet, region_facet, Fields, ANY};
use crate::postings::Search;

/// The filters of a search, checked: a value that is not a code is dropped.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filters {
    pub region: Option<Facet>,
    pub industry: Option<String>,
    pub position: Option<String>,
    pub education: Option<String>,
    pub major: Option<String>,
    pub salary_floor: Option<u64>,
    /// Still taking applications on this day (yyyymmdd); today at the least.
    pub open_on: u64,
    /// Public-sector posts only: of any kind (`Some(None)`) or of one kind.
    pub public: Option<Option<String>>,
    /// Posts that name this major (不限 ones left out): a recommendation's "wants your major".
    pub wants_major: Option<String>,
    /// Published after this instant (milliseconds since 1970): a saved search's new postings.
    pub published_after: Option<i64>,
}

/// The `public` value that asks for public-sector posts of any kind (a kind is a code: 1 is 机关).
pub const ANY_PUBLIC: &str = "all";

/// A code as typed in a URL: letters and digits, short.
fn code(value: &str) -> Option<String> {
    let v = value.trim();
    (!v.is_empty() && v.len() <= 16 && v.chars().all(|c| c.is_ascii_alphanumeric())).then(|| v.to_owned())
}

/// A day as yyyymmdd.
pub fn day_number(day: chrono::NaiveDate) -> u64 {
    day.format("%Y%m%d").to_string().parse().unwrap_or(0)
}

impl Filters {
    pub fn of(s: &Search, today: chrono::NaiveDate) -> Filters {
        let open_on = kernel::validate::parse_date(&s.until).filter(|d| *d > today).unwrap_or(today);
        Filters {
            region: region_facet(&s.region),
            industry: code(&s.industry),
            position: code(&s.position),
            education: code(&s.education),
            major: code(&s.major),
            salary_floor: s.salary.trim().parse::<u64>().ok().filter(|v| *v > 0),
            open_on: day_number(open_on),
            public: match s.public.trim() {
                "" => None,
                ANY_PUBLIC => Some(None),
                kind => code(kind).map(Some),
            },
            wants_major: None,
            published_after: None,
        }
    }

    /// The filters as index queries, every one required.
    pub fn queries(&self, f: &Fields) -> Vec<Box<dyn Query>> {
        let mut out: Vec<Box<dyn Query>> = vec![at_least(f.deadline, self.open_on)];
        if let Some(region) = &self.region {
            out.push(facet(f.region, region));
        }
        for (field, value) in [(f.industry, &self.industry), (f.position, &self.position)] {
            if let Some(v) = value {
                out.push(facet(field, &code_facet(v)));
            }
        }
        if let Some(level) = &self.education {
            out.push(either(facet(f.education, &code_facet(level)), facet(f.education, &code_facet(ANY))));
        }
        if let Some(major) = &self.major {
            out.push(either(facet(f.major, &major_facet(major)), facet(f.major, &code_facet(ANY))));
        }
        if let Some(major) = &self.wants_major {
            out.push(facet(f.major, &major_facet(major)));
        }
        if let Some(floor) = self.salary_floor {
            out.push(at_least(f.salary_max, floor));
        }
        if let Some(after) = self.published_after {
            let after = Term::from_field_i64(f.approved, after);
            out.push(Box::new(RangeQuery::new(Bound::Excluded(after), Bound::Unbounded)));
        }
        match &self.public {
            Some(None) => out.push(facet(f.public, &Facet::from_path(["public"]))),
            Some(Some(kind)) => out.push(facet(f.public, &public_facet(kind))),
            None => {}
        }
        out
    }
}

fn facet(field: Field, facet: &Facet) -> Box<dyn Query> {
    Box::new(TermQuery::new(Term::from_facet(field, facet), IndexRecordOption::Basic))
}

fn either(a: Box<dyn Query>, b: Box<dyn Query>) -> Box<dyn Query> {
    Box::new(BooleanQuery::new(vec![(Occur::Should, a), (Occur::Should, b)]))
}

fn at_least(field: Field, value: u64) -> Box<dyn Query> {
    Box::new(RangeQuery::new(Bound::Included(Term::from_field_u64(field, value)), Bound::Unbounded))
}

fn term(field: Field, text: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(Term::from_field_text(field, text), IndexRecordOption::WithFreqs))
}

/// A word in any of the word fields, each match weighed by its field.
fn in_any_field(f: &Fields, word: &str) -> Box<dyn Query> {
    let clauses = f
        .weighted()
        .iter()
        .map(|&(field, weight)| (Occur::Should, Box::new(BoostQuery::new(term(field, word), weight)) as Box<dyn Query>))
        .collect();
    Box::new(BooleanQuery::new(clauses))
}

/// How much a match found only through character grams weighs beside one through words.
const GRAMS_WEIGHT: f32 = 0.3;

/// One typed word: found when each of its finest words is in the posting, or,
/// where segmentation cut the posting's text otherwise, each of its character pairs.
fn word_query(f: &Fields, w: &QueryWord) -> Box<dyn Query> {
    let mut by_words: Vec<(Occur, Box<dyn Query>)> =
        w.leaves.iter().map(|l| (Occur::Must, in_any_field(f, l))).collect();
    by_words.extend(w.wholes.iter().map(|whole| (Occur::Should, in_any_field(f, whole))));
    let by_grams: Vec<(Occur, Box<dyn Query>)> = w.grams.iter().map(|g| (Occur::Must, term(f.grams, g))).collect();
    let mut either: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    if !w.leaves.is_empty() {
        either.push((Occur::Should, Box::new(BooleanQuery::new(by_words))));
    }
    if !by_grams.is_empty() {
        either.push((Occur::Should, Box::new(BoostQuery::new(Box::new(BooleanQuery::new(by_grams)), GRAMS_WEIGHT))));
    }
    Box::new(BooleanQuery::new(either))
}

/// Every typed word must be found.
pub fn strict(f: &Fields, words: &[QueryWord]) -> Option<Box<dyn Query>> {
    (!words.is_empty()).then(|| {
        Box::new(BooleanQuery::new(words.iter().map(|w| (Occur::Must, word_query(f, w))).collect())) as Box<dyn Query>
    })
}

/// For when nothing matches strictly (a mistyped character or letter): a
/// word is near when half its character pairs are there, or a Latin word is
/// one or two edits away; any near word will do.
pub fn loose(f: &Fields, words: &[QueryWord]) -> Option<Box<dyn Query>> {
    let mut near: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    for w in words {
        if w.grams.len() >= 2 {
            let pairs = w.grams.iter().map(|g| (Occur::Should, term(f.grams, g))).collect();
            let q = BooleanQuery::with_minimum_required_clauses(pairs, w.grams.len().div_ceil(2));
            near.push((Occur::Should, Box::new(q)));
        }
        let letters = w.text.chars().count();
        if w.is_latin() && letters >= 4 {
            let distance = if letters >= 8 { 2 } else { 1 };
            for field in [f.title, f.employer, f.description] {
                let fuzzy = FuzzyTermQuery::new(Term::from_field_text(field, &w.text), distance, true);
                near.push((Occur::Should, Box::new(fuzzy)));
            }
        }
    }
    (!near.is_empty()).then(|| Box::new(BooleanQuery::new(near)) as Box<dyn Query>)
}

/// Words (if any) and filters together.
pub fn combine(words: Option<Box<dyn Query>>, filters: Vec<Box<dyn Query>>) -> Box<dyn Query> {
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = words.into_iter().map(|q| (Occur::Must, q)).collect();
    // Filters narrow without scoring.
    clauses.extend(
        filters
            .into_iter()
            .map(|q| (Occur::Must, Box::new(fulltext::tantivy::query::ConstScoreQuery::new(q, 0.0)) as Box<dyn Query>)),
    );
    Box::new(BooleanQuery::new(clauses))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_take_codes_and_drop_what_is_not_one() {
        let today = chrono::NaiveDate::from_ymd_opt(2022, 3, 1).unwrap();
        let s = Search {
            region: "430100".into(),
            industry: "I65".into(),
            position: "<script>".into(),
            education: "3".into(),
            salary: "8000".into(),
            public: "all".into(),
            until: "2021-01-01".into(),
            ..Search::default()
        };
        let f = Filters::of(&s, today);
        assert_eq!(f.region, Some(Facet::from_path(["43", "4301"])));
        assert_eq!((f.industry.as_deref(), f.position.as_deref()), (Some("I65"), None));
        assert_eq!(f.salary_floor, Some(8000));
        assert_eq!(f.public, Some(None));
        assert_eq!(f.open_on, 20220301, "a day already past does not widen the search");
        let later = Filters::of(&Search { until: "2022-06-30".into(), ..Search::default() }, today);
        assert_eq!(later.open_on, 20220630);
    }
}
