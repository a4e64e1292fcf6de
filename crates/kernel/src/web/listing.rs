//! The list-page recipe, once: a list's FROM clause, its filters (each
//! skipped when the visitor left it blank), the actor's scope, text search
//! with LIKE escaped, the count, one page of typed rows or all of them for an
//! export. Pages keep only what is theirs: which filters, which columns.

use crate::auth::{OutOfScope, Owners, Scope};
use crate::db::{like_pattern, Db, DbResult, FromRow, SqlBuilder, Value};
use crate::validate;
use crate::web::table::Paging;

/// How a search box matches one column.
#[derive(Debug, Clone, Copy)]
pub enum Match<'a> {
    /// The text anywhere in the column, as typed.
    Contains(&'a str),
    /// The text anywhere in the column, normalised first (codes typed in full-width).
    ContainsNormalized(&'a str),
    /// The whole column, normalised first (student and ID numbers).
    Equals(&'a str),
}

/// A list's query under construction.
#[derive(Debug)]
pub struct Listing {
    from: String,
    filter: SqlBuilder,
}

impl Listing {
    /// `from` is the list's FROM clause with its joins, e.g. `FROM regions`.
    pub fn new(from: &str) -> Listing {
        Listing { from: format!(" {}", from.trim()), filter: SqlBuilder::new(" WHERE 1 = 1") }
    }

    /// Only the rows the scope may see.
    #[must_use = "a refused scope means the actor may see none of the list"]
    pub fn scoped(mut self, scope: &Scope, owners: Owners) -> Result<Listing, OutOfScope> {
        scope.restrict(&mut self.filter, owners)?;
        Ok(self)
    }

    /// `column = value`, unless the visitor left `value` blank.
    pub fn equals(mut self, column: &str, value: &str) -> Listing {
        let value = value.trim();
        if !value.is_empty() {
            self.filter.push(" AND ").push(column).push(" = ").bind(value);
        }
        self
    }

    /// A condition of the page's own, such as `d.graduate_id IS NULL`.
    pub fn condition(mut self, sql: &str) -> Listing {
        self.filter.push(" AND ").push(sql);
        self
    }

    /// `sql` followed by one bound value, such as (`at >= `, a day).
    pub fn condition_with(mut self, sql: &str, value: impl Into<Value>) -> Listing {
        self.filter.push(" AND ").push(sql).bind(value);
        self
    }

    /// The search box: rows where any of `columns` matches `text`; nothing
    /// when the box is blank. LIKE wildcards in the text are taken literally.
    pub fn search(mut self, text: &str, columns: &[Match]) -> Listing {
        let text = text.trim();
        if text.is_empty() || columns.is_empty() {
            return self;
        }
        let normalized = validate::normalize(text);
        self.filter.push(" AND (");
        for (i, column) in columns.iter().enumerate() {
            if i > 0 {
                self.filter.push(" OR ");
            }
            match column {
                Match::Contains(c) => self.filter.push(c).push(" LIKE ").bind(like_pattern(text)).push(" ESCAPE '\\'"),
                Match::ContainsNormalized(c) => {
                    self.filter.push(c).push(" LIKE ").bind(like_pattern(&normalized)).push(" ESCAPE '\\'")
                }
                Match::Equals(c) => self.filter.push(c).push(" = ").bind(normalized.as_str()),
            };
        }
        self.filter.push(")");
        self
    }

    /// How many rows the filters match.
    pub async fn count(&self, db: &Db) -> DbResult<i64> {
        db.scalar_i64(&format!("SELECT COUNT(*) AS n{}{}", self.from, self.filter.sql), &self.filter.params).await
    }

    /// The page `paging` asks for, with `paging.total` set; `order_by` is the
    /// whole clause (` ORDER BY ...`).
    pub async fn page<T: FromRow>(
        &self,
        db: &Db,
        select: &str,
        order_by: &str,
        paging: &mut Paging,
    ) -> DbResult<Vec<T>> {
        paging.total = self.count(db).await?;
        let sql = format!("SELECT {select}{}{}{order_by}{}", self.from, self.filter.sql, paging.limit_sql());
        db.all(&sql, &self.filter.params).await
    }

    /// Every matching row, for an export.
    pub async fn all<T: FromRow>(&self, db: &Db, select: &str, order_by: &str) -> DbResult<Vec<T>> {
        let sql = format!("SELECT {select}{}{}{order_by}", self.from, self.filter.sql);
        db.all(&sql, &self.filter.params).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_filters_add_nothing_and_search_escapes_wildcards() {
        let l = Listing::new("FROM regions").equals("level", " ").search("", &[Match::Contains("name")]);
        assert_eq!(l.filter.sql, " WHERE 1 = 1");
        let l = Listing::new("FROM graduates g")
            .equals("g.cohort_year", "2022")
            .search("１0%", &[Match::Contains("g.name"), Match::Equals("g.student_no")]);
        assert_eq!(
            l.filter.sql,
            " WHERE 1 = 1 AND g.cohort_year = $1 AND (g.name LIKE $2 ESCAPE '\\' OR g.student_no = $3)"
        );
        assert_eq!(l.filter.params[1], Value::from("%１0\\%%"));
        assert_eq!(l.filter.params[2], Value::from("10%"));
    }

    #[test]
    fn a_refused_scope_refuses_the_list() {
        let owners = Owners { institution: Some("i.id"), ..Owners::NONE };
        assert!(Listing::new("FROM institutions i").scoped(&Scope::Graduate { graduate_id: 1 }, owners).is_err());
        let l = Listing::new("FROM institutions i")
            .scoped(&Scope::Institution { institution_id: 3, college_id: None }, owners)
            .map(|l| l.filter.sql);
        assert_eq!(l, Ok(" WHERE 1 = 1 AND i.id = $1".to_owned()));
    }
}
