//! The graduates list with their destinations (毕业生与毕业去向): what its
//! filters mean, a page of it, and every row for an export.

use kernel::auth::{OutOfScope, Scope};
use kernel::web::listing::{Listing, Match};
use kernel::{codes, DbResult, FromRow, Locale, Row};

/// What the list is narrowed to; blank means everything.
pub struct Filter<'a> {
    /// A name's start (a surname) or its pinyin initials' start (`zs`), or a whole student or ID number.
    pub q: &'a str,
    /// `pending`, `confirmed`, `disputed`, or `none` for nothing recorded.
    pub confirmation: &'a str,
    /// `missing`: destinations still lacking a document their category needs.
    pub evidence: &'a str,
    /// A destination code; `none` for graduates with nothing recorded.
    pub category: &'a str,
}

/// What an export reads: each row joined to what names it.
const FROM: &str = "FROM graduates g JOIN institutions i ON i.id = g.institution_id JOIN colleges c ON c.id = g.college_id \
    JOIN majors m ON m.id = g.major_id LEFT JOIN destinations d ON d.graduate_id = g.id \
    LEFT JOIN cohorts co ON co.year = g.cohort_year \
    LEFT JOIN code_tables ct ON ct.kind = 'destination' AND ct.version = co.destination_version AND ct.code = d.category_code";

/// What the filters need, without the joins that only name things: counting
/// and choosing a page's rows read this, and a page names its rows through
/// subqueries (`Listed::columns`). Joined, PostgreSQL planned seven tables
/// afresh for every name search: 5–7 ms of planning for 2 ms of work.
const COUNTED_FROM: &str = "FROM graduates g LEFT JOIN destinations d ON d.graduate_id = g.id";

/// The orders the list offers (the first is the default), each with an
/// index that ends in `g.id`, which breaks ties.
pub const SORTS: &[(&str, &str)] = &[("student_no", "g.student_no"), ("name", "g.name")];

/// The id column the list pages on after its sort column.
pub const ID: &str = "g.id";

/// The graduates the scope may see that match the filter, a page at a time
/// (rows as `Listed`).
pub fn graduates(scope: &Scope, f: &Filter) -> Result<Listing, OutOfScope> {
    narrowed(Listing::new(COUNTED_FROM), scope, f)
}

/// The same graduates for an export (rows as `Exported`): joined, which reads
/// a whole province faster than a subquery per row.
pub fn graduates_exported(scope: &Scope, f: &Filter) -> Result<Listing, OutOfScope> {
    narrowed(Listing::new(FROM), scope, f)
}

fn narrowed(listing: Listing, scope: &Scope, f: &Filter) -> Result<Listing, OutOfScope> {
    let mut listing = listing.counted_over(COUNTED_FROM).scoped(scope, registry::graduates::OWNERS)?.search(
        f.q,
        &[
            Match::Prefix("g.name"),
            Match::Initials("g.name_initials"),
            Match::Equals("g.student_no"),
            Match::Equals("g.id_number"),
        ],
    );
    listing = current("g.destination_confirmation", f.confirmation, listing);
    if f.evidence == "missing" {
        listing = listing.condition("d.evidence_missing <> ''");
    }
    Ok(current("g.destination_category", f.category, listing))
}

/// `column`, the graduate row's copy of its current destination (migration
/// 0023: '' when none is recorded, with an index for each sort), narrowed to
/// `value`; `none` for graduates with nothing recorded.
fn current(column: &str, value: &str, listing: Listing) -> Listing {
    match value.trim() {
        "" => listing,
        "none" => listing.keyed(column, ""),
        value => listing.keyed(column, value),
    }
}

/// A graduate as listed, with the current destination.
pub struct Listed {
    pub id: i64,
    pub student_no: String,
    pub name: String,
    pub institution: String,
    pub college: String,
    pub major: String,
    pub category: String,
    pub confirmation: String,
}

impl Listed {
    /// The columns over `graduates g` and `destinations d` alone, the
    /// destination named in the reader's language.
    pub fn columns(l: Locale) -> String {
        format!(
            "g.id, g.student_no, g.name, (SELECT i.name FROM institutions i WHERE i.id = g.institution_id) AS institution, \
             (SELECT c.name FROM colleges c WHERE c.id = g.college_id) AS college, \
             (SELECT m.name FROM majors m WHERE m.id = g.major_id) AS major, \
             (SELECT {} FROM cohorts co JOIN code_tables ct ON ct.kind = 'destination' \
              AND ct.version = co.destination_version WHERE co.year = g.cohort_year AND ct.code = d.category_code) AS category, \
             d.confirmation",
            codes::name_sql("ct", l)
        )
    }
}

impl FromRow for Listed {
    fn from_row(r: &Row) -> DbResult<Listed> {
        Ok(Listed {
            id: r.i64("id")?,
            student_no: r.text("student_no")?,
            name: r.text("name")?,
            institution: r.text("institution")?,
            college: r.text("college")?,
            major: r.text("major")?,
            category: r.opt_text("category")?.unwrap_or_default(),
            confirmation: r.opt_text("confirmation")?.unwrap_or_default(),
        })
    }
}

/// A graduate as exported: the list's columns and what an office checks in Excel.
pub struct Exported {
    pub student_no: String,
    pub name: String,
    pub institution: String,
    pub college: String,
    pub major: String,
    pub level: String,
    pub category: String,
    pub employer: String,
    pub signed_on: String,
    pub confirmation: String,
    pub evidence_missing: String,
}

impl Exported {
    /// The columns, the destination named in the reader's language.
    pub fn columns(l: Locale) -> String {
        format!(
            "g.student_no, g.name, i.name AS institution, c.name AS college, m.name AS major, \
             g.education_level, {} AS category, d.employer_name, d.signed_on, d.confirmation, d.evidence_missing",
            codes::name_sql("ct", l)
        )
    }
}

impl FromRow for Exported {
    fn from_row(r: &Row) -> DbResult<Exported> {
        let text = |c: &str| r.opt_text(c).map(Option::unwrap_or_default);
        Ok(Exported {
            student_no: text("student_no")?,
            name: text("name")?,
            institution: text("institution")?,
            college: text("college")?,
            major: text("major")?,
            level: text("education_level")?,
            category: text("category")?,
            employer: text("employer_name")?,
            signed_on: text("signed_on")?,
            confirmation: text("confirmation")?,
            evidence_missing: text("evidence_missing")?,
        })
    }
}
