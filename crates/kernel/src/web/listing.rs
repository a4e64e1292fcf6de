//! The list-page recipe, once: a list's FROM clause, its filters (each
//! skipped when the visitor left it blank), the actor's scope, text search
//! with LIKE escaped, the count, one page of typed rows or all of them for an
//! export. Pages keep only what is theirs: which filters, which columns.
//!
//! Big lists page by key (`page_by_key`): each page starts from the row the
//! link named, through an index on (sort column, id), so page 2,000 costs what
//! page 1 does; their count is counted once per filter and kept briefly.

use crate::auth::{OutOfScope, Owners, Scope};
use crate::db::{like_pattern, prefix_pattern, Db, DbResult, FromRow, Row, SqlBuilder, Value};
use crate::validate;
use crate::web::cache::Cache;
use crate::web::table::{Key, KeyPaging, Paging, Sort, PER_PAGE};

/// How a search box matches one column.
#[derive(Debug, Clone, Copy)]
pub enum Match<'a> {
    /// The text anywhere in the column, as typed.
    Contains(&'a str),
    /// The text anywhere in the column, normalised first (codes typed in full-width).
    ContainsNormalized(&'a str),
    /// The whole column, normalised first (student and ID numbers).
    Equals(&'a str),
    /// The column's start, as typed (a name from its surname): an index answers it.
    Prefix(&'a str),
}

/// A list's query under construction.
#[derive(Debug)]
pub struct Listing {
    from: String,
    /// The joins the filters need, when counting can leave out those that only name things.
    counted_from: Option<String>,
    filter: SqlBuilder,
}

impl Listing {
    /// `from` is the list's FROM clause with its joins, e.g. `FROM regions`.
    pub fn new(from: &str) -> Listing {
        Listing { from: format!(" {}", from.trim()), counted_from: None, filter: SqlBuilder::new(" WHERE 1 = 1") }
    }

    /// Counts over `from` instead: the list's FROM without the joins that only
    /// fetch names for the page (each filtered column must still be in it).
    pub fn counted_over(mut self, from: &str) -> Listing {
        self.counted_from = Some(format!(" {}", from.trim()));
        self
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
                Match::Prefix(c) => self.filter.push(c).push(" LIKE ").bind(prefix_pattern(text)).push(" ESCAPE '\\'"),
            };
        }
        self.filter.push(")");
        self
    }

    /// How many rows the filters match.
    pub async fn count(&self, db: &Db) -> DbResult<i64> {
        let from = self.counted_from.as_deref().unwrap_or(&self.from);
        db.scalar_i64(&format!("SELECT COUNT(*) AS n{from}{}", self.filter.sql), &self.filter.params).await
    }

    /// The count, counted once per filter and scope while `cache` keeps it
    /// (writers that change the rows clear the cache).
    pub async fn count_cached(&self, db: &Db, cache: &Cache) -> DbResult<i64> {
        let key = format!(
            "listing {}{} {:?}",
            self.counted_from.as_deref().unwrap_or(&self.from),
            self.filter.sql,
            self.filter.params
        );
        Ok(*cache.get_or(&key, || self.count(db)).await?)
    }

    /// The page `paging` asks for, by `sort` and then `id` (the id column),
    /// with `paging` told the count and what to link on. The sort column holds
    /// text and no NULL; an index on (sort column, id) makes any page as cheap as the first.
    pub async fn page_by_key<T: FromRow>(
        &self,
        db: &Db,
        cache: &Cache,
        select: &str,
        sort: &Sort,
        id: &str,
        paging: &mut KeyPaging,
    ) -> DbResult<Vec<T>> {
        paging.total = self.count_cached(db, cache).await?;
        let from = match &paging.cursor {
            crate::web::table::Cursor::After(k) | crate::web::table::Cursor::Before(k) => Some(k),
            _ => None,
        };
        let ascending = sort.desc == paging.backward();
        let mut rows =
            self.rows_by_key(db, select, sort.column(), id, ascending, from, PER_PAGE + 1, paging.offset()).await?;
        let more = rows.len() as i64 > PER_PAGE;
        rows.truncate(PER_PAGE as usize);
        if paging.backward() {
            rows.reverse();
        }
        let key = |r: Option<&Row>| -> DbResult<Option<Key>> {
            r.map(|r| Ok(Key { sort: r.text("k_sort")?, id: r.i64("k_id")? })).transpose()
        };
        paging.found(key(rows.first())?, key(rows.last())?, more);
        rows.iter().map(T::from_row).collect()
    }

    /// Up to `size` rows after `after` in the order of `sort` and `id`, and
    /// the key of the last: an export reads a list of any length this way,
    /// one batch in memory at a time.
    pub async fn batch_after<T: FromRow>(
        &self,
        db: &Db,
        select: &str,
        sort: &Sort,
        id: &str,
        after: Option<&Key>,
        size: i64,
    ) -> DbResult<(Vec<T>, Option<Key>)> {
        let rows = self.rows_by_key(db, select, sort.column(), id, !sort.desc, after, size, 0).await?;
        let last =
            rows.last().map(|r| Ok::<_, crate::db::DbError>(Key { sort: r.text("k_sort")?, id: r.i64("k_id")? }));
        Ok((rows.iter().map(T::from_row).collect::<DbResult<_>>()?, last.transpose()?))
    }

    /// Rows in (column, id) order, ascending or not, from just past `from`.
    #[allow(clippy::too_many_arguments)]
    async fn rows_by_key(
        &self,
        db: &Db,
        select: &str,
        column: &str,
        id: &str,
        ascending: bool,
        from: Option<&Key>,
        limit: i64,
        offset: i64,
    ) -> DbResult<Vec<Row>> {
        let mut sql = SqlBuilder { sql: self.filter.sql.clone(), params: self.filter.params.clone() };
        let (op, dir) = if ascending { (">", "ASC") } else { ("<", "DESC") };
        if let Some(key) = from {
            // `column >= x` first, so the index's range starts at the key; ties go by id.
            sql.push(&format!(" AND {column} {op}= ")).bind(key.sort.as_str());
            sql.push(&format!(" AND ({column} {op} ")).bind(key.sort.as_str());
            sql.push(&format!(" OR {id} {op} ")).bind(key.id).push(")");
        }
        let text = format!(
            "SELECT {select}, {column} AS k_sort, {id} AS k_id{}{} ORDER BY {column} {dir}, {id} {dir} LIMIT {limit} OFFSET {offset}",
            self.from, sql.sql
        );
        db.fetch_all(&text, &sql.params).await
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
