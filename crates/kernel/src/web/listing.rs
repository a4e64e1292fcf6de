//! The list-page recipe, once: a list's FROM clause, its filters (each
//! skipped when the visitor left it blank), the actor's scope, text search
//! with LIKE escaped, the count, one page of typed rows or all of them for an
//! export. Pages keep only what is theirs: which filters, which columns.
//!
//! Big lists page by key (`page_by_key`): each page starts from the row the
//! link named, through an index on (sort column, id), so page 2,000 costs what
//! page 1 does; their count is counted once per filter and kept briefly.
//! The count also decides the plan of a filtered page (`Plan`): a filter that
//! matches many rows is checked while walking the sort's index, one that
//! matches few finds its rows through its own index and sorts them. A keyed
//! filter (`keyed`) has an index (column, sort column, id) of its own and is
//! walked whatever its count. A page's rows are chosen over the narrow FROM
//! (`counted_over`) and only those kept are joined to what names them.

use crate::auth::{OutOfScope, Owners, Scope};
use crate::db::{like_pattern, prefix_pattern, Backend, Db, DbResult, FromRow, Row, SqlBuilder, Value};
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
    /// The whole column, normalised first (student and ID numbers); never
    /// tried for text with Chinese characters, which such numbers do not hold.
    Equals(&'a str),
    /// The column's start, as typed (a name from its surname): an index answers it.
    Prefix(&'a str),
    /// The start of a column of pinyin initials (`zs` for 张三), tried only for
    /// text in Latin letters, in lower case.
    Initials(&'a str),
}

/// From how many matching rows a filtered page walks its sort's index rather
/// than sorting the matches: walking reads about PER_PAGE × all ÷ matches rows
/// (5,100 at 500,000 graduates), more where the matches bunch (a school's);
/// sorting reads every match's key, from an index where one carries it.
pub const WALK_FROM: i64 = 5_000;

/// How a filtered page's query finds its rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Plan {
    /// Through the sort's index, each row checked against the filters, stopping
    /// after a page: the filters are written so that no index answers them.
    Walk,
    /// Through the filters' indexes, the matches then sorted: the sort is
    /// written so that no index answers it.
    Sort,
}

/// A filter of the visitor's, kept so it can be written for the plan.
#[derive(Debug, Clone)]
enum Narrow {
    Equals(String, String),
    Condition(String),
    ConditionWith(String, Value),
    /// Text and bound values in turn: `parts` has one more than `values`;
    /// with the parts to write instead where no index may answer it.
    ConditionBinding(Vec<String>, Vec<Value>, Option<Vec<String>>),
    Search(String, Vec<(Kind, String)>),
}

/// `Match` without its borrow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Contains,
    ContainsNormalized,
    Equals,
    Prefix,
    Initials,
}

/// How a filter is written: as the page gave it, or for SQLite so that no
/// index answers it, marked as likely true (or the planner builds a Bloom
/// filter over the joined table first).
#[derive(Debug, Clone, Copy)]
enum Written {
    AsGiven,
    Unindexed,
    /// As given, but a condition with a text for walks in that text (PostgreSQL's walk).
    Walked,
}

/// A list's query under construction.
#[derive(Debug)]
pub struct Listing {
    from: String,
    /// The joins the filters need, when counting and choosing a page's rows can
    /// leave out those that only name things.
    counted_from: Option<String>,
    /// The scope and every filter, as given.
    filter: SqlBuilder,
    /// The scope and the keyed filters alone, for writing the others again for a plan.
    keyed: SqlBuilder,
    /// The scope is part of the province (a school, a college) or a keyed filter
    /// narrows it: its own index (owner or key, sort column, id) is walked
    /// whatever the other filters, reading at most the part's rows, while the
    /// filters' indexes would read the province's matches.
    restricted: bool,
    narrowing: Vec<Narrow>,
    /// From how many matches a filtered page walks.
    walk_from: i64,
}

impl Listing {
    /// `from` is the list's FROM clause with its joins, e.g. `FROM regions`.
    pub fn new(from: &str) -> Listing {
        Listing {
            from: format!(" {}", from.trim()),
            counted_from: None,
            filter: SqlBuilder::new(" WHERE 1 = 1"),
            keyed: SqlBuilder::new(" WHERE 1 = 1"),
            restricted: false,
            narrowing: Vec::new(),
            walk_from: WALK_FROM,
        }
    }

    /// Counts and chooses a page's rows over `from`: the list's FROM without the
    /// joins that only fetch names for the page (each filtered column and the
    /// sort columns must still be in it); only the rows kept are joined to the rest.
    pub fn counted_over(mut self, from: &str) -> Listing {
        self.counted_from = Some(format!(" {}", from.trim()));
        self
    }

    /// Only the rows the scope may see.
    #[must_use = "a refused scope means the actor may see none of the list"]
    pub fn scoped(mut self, scope: &Scope, owners: Owners) -> Result<Listing, OutOfScope> {
        scope.restrict(&mut self.filter, owners)?;
        scope.restrict(&mut self.keyed, owners)?;
        self.restricted = !self.keyed.params.is_empty();
        Ok(self)
    }

    /// Pages walk their sort's index from `matches` matching rows rather than
    /// [`WALK_FROM`]: for a list that is a scattered part of its table (the
    /// key-group register, one graduate in twelve), where the filters' indexes
    /// would read the whole part and check every row before sorting.
    pub fn walks_from(mut self, matches: i64) -> Listing {
        self.walk_from = matches;
        self
    }

    /// `column = value`, blank included, where an index (column, sort column,
    /// id) exists for every sort the list offers: pages walk that index
    /// however many or few rows match, so it is never written unindexed.
    pub fn keyed(mut self, column: &str, value: &str) -> Listing {
        for sql in [&mut self.filter, &mut self.keyed] {
            sql.push(&format!(" AND {column} = ")).bind(value);
        }
        self.restricted = true;
        self
    }

    /// A condition of the list itself that names a partial index's own
    /// predicate (`g.in_register = 1`) or its leading columns: written as
    /// given on every plan (an engine proves a partial index usable only
    /// from the predicate's own text), and pages walk that index whatever the
    /// count, reading at most the part's rows. Its text is the caller's, never the visitor's.
    pub fn keyed_condition(mut self, sql: &str) -> Listing {
        for built in [&mut self.filter, &mut self.keyed] {
            built.push(" AND ").push(sql);
        }
        self.restricted = true;
        self
    }

    /// `column = value`, unless the visitor left `value` blank.
    pub fn equals(self, column: &str, value: &str) -> Listing {
        let value = value.trim();
        if value.is_empty() {
            return self;
        }
        self.narrowed(Narrow::Equals(column.to_owned(), value.to_owned()))
    }

    /// A condition of the page's own, such as `d.graduate_id IS NULL`.
    pub fn condition(self, sql: &str) -> Listing {
        self.narrowed(Narrow::Condition(sql.to_owned()))
    }

    /// `sql` followed by one bound value, such as (`at >= `, a day).
    pub fn condition_with(self, sql: &str, value: impl Into<Value>) -> Listing {
        self.narrowed(Narrow::ConditionWith(sql.to_owned(), value.into()))
    }

    /// A condition with bound values anywhere in it: `parts[0]`, `values[0]`,
    /// `parts[1]`, … (`parts` one longer than `values`), such as
    /// (`["EXISTS (SELECT 1 FROM t WHERE t.a = ", ")"]`, [a value]).
    pub fn condition_binding(self, parts: &[&str], values: Vec<Value>) -> Listing {
        self.narrowed(Narrow::ConditionBinding(parts.iter().map(|p| (*p).to_owned()).collect(), values, None))
    }

    /// [`Listing::condition_binding`], written as `walked` (the same values in
    /// turn) where a page walks its sort's index, on either engine: the
    /// condition's own text serves the count and a sorted page (e.g. through
    /// the indexes of an OR's two sides), `walked` a walk (its columns written
    /// so that none can answer it on SQLite, which would otherwise read every
    /// match through those indexes and sort them).
    pub fn condition_binding_walked(self, parts: &[&str], walked: &[&str], values: Vec<Value>) -> Listing {
        let own = |p: &[&str]| p.iter().map(|p| (*p).to_owned()).collect();
        self.narrowed(Narrow::ConditionBinding(own(parts), values, Some(own(walked))))
    }

    /// The search box: rows where any of `columns` matches `text`; nothing
    /// when the box is blank. LIKE wildcards in the text are taken literally.
    pub fn search(self, text: &str, columns: &[Match]) -> Listing {
        let text = text.trim();
        if text.is_empty() || columns.is_empty() {
            return self;
        }
        let columns = columns
            .iter()
            .map(|m| match *m {
                Match::Contains(c) => (Kind::Contains, c.to_owned()),
                Match::ContainsNormalized(c) => (Kind::ContainsNormalized, c.to_owned()),
                Match::Equals(c) => (Kind::Equals, c.to_owned()),
                Match::Prefix(c) => (Kind::Prefix, c.to_owned()),
                Match::Initials(c) => (Kind::Initials, c.to_owned()),
            })
            .collect();
        self.narrowed(Narrow::Search(text.to_owned(), columns))
    }

    fn narrowed(mut self, narrow: Narrow) -> Listing {
        write(&mut self.filter, &narrow, Written::AsGiven);
        self.narrowing.push(narrow);
        self
    }

    /// The WHERE clause for `plan`, sorting on `sort`. PostgreSQL's planner
    /// knows how often each value occurs and walks the sort's index by itself
    /// when a filter matches many rows; written unindexed, its filters would be
    /// misjudged as rare and the walk split over parallel workers. A walk by
    /// name gets the searched name's range on either engine.
    fn filter_for(&self, plan: Plan, backend: Backend, sort: &str) -> SqlBuilder {
        let mut sql = SqlBuilder { sql: self.filter.sql.clone(), params: self.filter.params.clone() };
        if plan == Plan::Sort || self.narrowing.is_empty() {
            return sql;
        }
        let walked_text = self.narrowing.iter().any(|n| matches!(n, Narrow::ConditionBinding(_, _, Some(_))));
        if backend == Backend::Sqlite || walked_text {
            let how = if backend == Backend::Sqlite { Written::Unindexed } else { Written::Walked };
            sql = SqlBuilder { sql: self.keyed.sql.clone(), params: self.keyed.params.clone() };
            for narrow in &self.narrowing {
                write(&mut sql, narrow, how);
            }
        }
        for narrow in &self.narrowing {
            if let Narrow::Search(text, columns) = narrow {
                if let [(Kind::Prefix, c)] = tried(text, columns)[..] {
                    if c == sort {
                        name_range(&mut sql, c, text);
                    }
                }
            }
        }
        sql
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
        let plan = if self.narrowing.is_empty() || self.restricted || paging.total >= self.walk_from {
            Plan::Walk
        } else {
            Plan::Sort
        };
        let from = match &paging.cursor {
            crate::web::table::Cursor::After(k) | crate::web::table::Cursor::Before(k) => Some(k),
            _ => None,
        };
        let ascending = sort.desc == paging.backward();
        let order = Order { column: sort.column(), id, ascending, plan };
        let mut rows = self.rows_by_key(db, select, order, from, PER_PAGE + 1, paging.offset()).await?;
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
    /// one batch in memory at a time, walking the sort's index.
    pub async fn batch_after<T: FromRow>(
        &self,
        db: &Db,
        select: &str,
        sort: &Sort,
        id: &str,
        after: Option<&Key>,
        size: i64,
    ) -> DbResult<(Vec<T>, Option<Key>)> {
        let order = Order { column: sort.column(), id, ascending: !sort.desc, plan: Plan::Walk };
        let rows = self.rows_by_key(db, select, order, after, size, 0).await?;
        let last =
            rows.last().map(|r| Ok::<_, crate::db::DbError>(Key { sort: r.text("k_sort")?, id: r.i64("k_id")? }));
        Ok((rows.iter().map(T::from_row).collect::<DbResult<_>>()?, last.transpose()?))
    }

    /// Rows in `order`, from just past `from`.
    async fn rows_by_key(
        &self,
        db: &Db,
        select: &str,
        order: Order<'_>,
        from: Option<&Key>,
        limit: i64,
        offset: i64,
    ) -> DbResult<Vec<Row>> {
        let Order { column, id, ascending, plan } = order;
        let mut sql = self.filter_for(plan, db.backend(), column);
        let sorted = match plan {
            Plan::Walk => column.to_owned(),
            Plan::Sort => format!("({column} || '')"),
        };
        let (op, dir) = if ascending { (">", "ASC") } else { ("<", "DESC") };
        if let Some(key) = from {
            // `column >= x` first, so the index's range starts at the key; ties go by id.
            sql.push(&format!(" AND {sorted} {op}= ")).bind(key.sort.as_str());
            sql.push(&format!(" AND ({sorted} {op} ")).bind(key.sort.as_str());
            sql.push(&format!(" OR {id} {op} ")).bind(key.id).push(")");
        }
        let chosen = format!("{} ORDER BY {sorted} {dir}, {id} {dir} LIMIT {limit} OFFSET {offset}", sql.sql);
        let head = format!("SELECT {select}, {column} AS k_sort, {id} AS k_id{}", self.from);
        let text = match &self.counted_from {
            // Rows chosen by their keys alone, then named: the joins that only
            // name things are done for the kept rows, not for every match.
            Some(narrow) => {
                format!(
                    "{head} WHERE {id} IN (SELECT {id}{narrow}{chosen}) ORDER BY ({column} || '') {dir}, {id} {dir}"
                )
            }
            None => format!("{head}{chosen}"),
        };
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
        self.rows_of_page(db, select, order_by, paging).await
    }

    /// `page` with the count kept while `cache` keeps it (writers that change
    /// the rows clear the cache): for a list whose filters match tens of
    /// thousands of rows, whose exact count costs more than its page.
    pub async fn page_counted_briefly<T: FromRow>(
        &self,
        db: &Db,
        cache: &Cache,
        select: &str,
        order_by: &str,
        paging: &mut Paging,
    ) -> DbResult<Vec<T>> {
        paging.total = self.count_cached(db, cache).await?;
        self.rows_of_page(db, select, order_by, paging).await
    }

    async fn rows_of_page<T: FromRow>(
        &self,
        db: &Db,
        select: &str,
        order_by: &str,
        paging: &Paging,
    ) -> DbResult<Vec<T>> {
        let sql = format!("SELECT {select}{}{}{order_by}{}", self.from, self.filter.sql, paging.limit_sql());
        db.all(&sql, &self.filter.params).await
    }

    /// Every matching row, for an export.
    pub async fn all<T: FromRow>(&self, db: &Db, select: &str, order_by: &str) -> DbResult<Vec<T>> {
        let sql = format!("SELECT {select}{}{}{order_by}", self.from, self.filter.sql);
        db.all(&sql, &self.filter.params).await
    }
}

/// A keyset page's order: the sort column, then the id, and how the query finds it.
#[derive(Debug, Clone, Copy)]
struct Order<'a> {
    column: &'a str,
    id: &'a str,
    ascending: bool,
    plan: Plan,
}

/// Appends ` AND ` and `narrow`, written as `how` says.
fn write(sql: &mut SqlBuilder, narrow: &Narrow, how: Written) {
    let (open, close) = match how {
        Written::AsGiven | Written::Walked => ("", ""),
        Written::Unindexed => ("likely(", ")"),
    };
    let column = |c: &str| match how {
        Written::AsGiven | Written::Walked => c.to_owned(),
        Written::Unindexed => format!("({c} || '')"),
    };
    sql.push(" AND ").push(open);
    match narrow {
        Narrow::Equals(c, value) => {
            sql.push(&column(c)).push(" = ").bind(value.as_str());
        }
        Narrow::Condition(c) => {
            sql.push(c);
        }
        Narrow::ConditionWith(c, value) => {
            sql.push(c).bind(value.clone());
        }
        Narrow::ConditionBinding(parts, values, walked) => {
            let parts = match (how, walked) {
                (Written::Unindexed | Written::Walked, Some(walked)) => walked,
                _ => parts,
            };
            for (i, part) in parts.iter().enumerate() {
                sql.push(part);
                if let Some(value) = values.get(i) {
                    sql.bind(value.clone());
                }
            }
        }
        Narrow::Search(text, columns) => {
            let tried = tried(text, columns);
            if tried.is_empty() {
                sql.push("1 = 0");
            } else {
                search(sql, text, &tried, column);
            }
        }
    }
    sql.push(close);
}

/// The columns a search text can match: numbers hold no Chinese characters,
/// pinyin initials are Latin letters.
fn tried<'a>(text: &str, columns: &'a [(Kind, String)]) -> Vec<(Kind, &'a str)> {
    let chinese = text.chars().any(|c| ('\u{4E00}'..='\u{9FFF}').contains(&c));
    let latin = text.chars().all(|c| c.is_ascii_alphabetic());
    columns
        .iter()
        .filter(|(kind, _)| match kind {
            Kind::Equals => !chinese,
            Kind::Initials => latin,
            _ => true,
        })
        .map(|(kind, c)| (*kind, c.as_str()))
        .collect()
}

/// `(a LIKE .. OR b = ..)`, each column written by `column`.
fn search(sql: &mut SqlBuilder, text: &str, tried: &[(Kind, &str)], column: impl Fn(&str) -> String) {
    let normalized = validate::normalize(text);
    sql.push("(");
    for (i, (kind, c)) in tried.iter().enumerate() {
        if i > 0 {
            sql.push(" OR ");
        }
        let c = column(c);
        match kind {
            Kind::Contains => sql.push(&c).push(" LIKE ").bind(like_pattern(text)).push(" ESCAPE '\\'"),
            Kind::ContainsNormalized => {
                sql.push(&c).push(" LIKE ").bind(like_pattern(&normalized)).push(" ESCAPE '\\'")
            }
            Kind::Equals => sql.push(&c).push(" = ").bind(normalized.as_str()),
            Kind::Prefix => sql.push(&c).push(" LIKE ").bind(prefix_pattern(text)).push(" ESCAPE '\\'"),
            Kind::Initials => {
                sql.push(&c).push(" LIKE ").bind(prefix_pattern(&text.to_ascii_lowercase())).push(" ESCAPE '\\'")
            }
        };
    }
    sql.push(")");
}

/// ` AND c >= text AND c < (text with its last character's successor)`: the
/// names that start with `text` as a range of the name's own index, so a list
/// walking names reads only those. Names compare by their characters' code
/// points on both engines (SQLite by bytes, PostgreSQL's `name` column in
/// collation "C"), which is what makes the range exact; LIKE ignores the case
/// of Latin letters, so text with them gets no range.
fn name_range(sql: &mut SqlBuilder, c: &str, text: &str) {
    if text.chars().any(|ch| ch.is_ascii_alphabetic()) {
        return;
    }
    let Some(end) = successor(text) else { return };
    sql.push(&format!(" AND {c} >= ")).bind(text).push(&format!(" AND {c} < ")).bind(end);
}

/// The least text after every text that starts with `text`.
fn successor(text: &str) -> Option<String> {
    let mut chars: Vec<char> = text.chars().collect();
    let last = chars.pop()?;
    let next = match last {
        '\u{D7FF}' => '\u{E000}',
        c => char::from_u32(c as u32 + 1)?,
    };
    chars.push(next);
    Some(chars.into_iter().collect())
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
    fn a_condition_binds_its_values_where_they_stand() {
        let l = Listing::new("FROM graduates g").condition_binding(
            &["EXISTS (SELECT 1 FROM h WHERE h.g = g.id AND h.a = ", " AND h.b = ", ")"],
            vec![Value::from(7_i64), Value::from("x")],
        );
        assert_eq!(
            l.filter.sql,
            " WHERE 1 = 1 AND EXISTS (SELECT 1 FROM h WHERE h.g = g.id AND h.a = $1 AND h.b = $2)"
        );
        assert_eq!(l.filter.params, vec![Value::from(7_i64), Value::from("x")]);
        let l = Listing::new("FROM graduates g").condition_binding_walked(
            &["(g.a = ", " OR g.b = 1)"],
            &["((g.a || '') = ", " OR g.b = 1)"],
            vec![Value::from("y")],
        );
        assert_eq!(l.filter.sql, " WHERE 1 = 1 AND (g.a = $1 OR g.b = 1)");
        assert_eq!(
            l.filter_for(Plan::Walk, Backend::Sqlite, "g.c").sql,
            " WHERE 1 = 1 AND likely(((g.a || '') = $1 OR g.b = 1))"
        );
        assert_eq!(
            l.filter_for(Plan::Walk, Backend::Postgres, "g.c").sql,
            " WHERE 1 = 1 AND ((g.a || '') = $1 OR g.b = 1)"
        );
        assert_eq!(l.filter_for(Plan::Sort, Backend::Postgres, "g.c").sql, l.filter.sql);
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

    #[test]
    fn a_walked_filter_is_written_unindexed_and_a_name_walks_its_own_range() {
        let l = Listing::new("FROM graduates g")
            .equals("d.category_code", "10")
            .search("张", &[Match::Prefix("g.name"), Match::Initials("g.initials"), Match::Equals("g.student_no")]);
        assert_eq!(l.filter.sql, " WHERE 1 = 1 AND d.category_code = $1 AND (g.name LIKE $2 ESCAPE '\\')");
        let walked = l.filter_for(Plan::Walk, Backend::Sqlite, "g.name");
        assert_eq!(
            walked.sql,
            " WHERE 1 = 1 AND likely((d.category_code || '') = $1) AND likely(((g.name || '') LIKE $2 ESCAPE '\\')) \
             AND g.name >= $3 AND g.name < $4"
        );
        assert_eq!(walked.params[3], Value::from("弡"));
        let by_number = l.filter_for(Plan::Walk, Backend::Sqlite, "g.student_no");
        assert!(!by_number.sql.contains(">="), "{}", by_number.sql);
        assert_eq!(
            l.filter_for(Plan::Walk, Backend::Postgres, "g.name").sql,
            format!("{} AND g.name >= $3 AND g.name < $4", l.filter.sql)
        );
        assert_eq!(l.filter_for(Plan::Walk, Backend::Postgres, "g.student_no").sql, l.filter.sql);
        assert_eq!(l.filter_for(Plan::Sort, Backend::Sqlite, "g.name").sql, l.filter.sql);
    }

    #[test]
    fn a_keyed_filter_stays_indexed_and_walks_even_when_blank() {
        let l = Listing::new("FROM graduates g")
            .keyed("g.destination_category", "")
            .search("张", &[Match::Prefix("g.name")]);
        assert!(l.restricted);
        assert_eq!(l.filter.sql, " WHERE 1 = 1 AND g.destination_category = $1 AND (g.name LIKE $2 ESCAPE '\\')");
        assert_eq!(
            l.filter_for(Plan::Walk, Backend::Sqlite, "g.student_no").sql,
            " WHERE 1 = 1 AND g.destination_category = $1 AND likely(((g.name || '') LIKE $2 ESCAPE '\\'))"
        );
    }

    #[test]
    fn a_keyed_condition_is_written_as_given_on_every_plan() {
        let l = Listing::new("FROM graduates g")
            .keyed_condition("g.cohort_year = 2022 AND g.in_register = 1")
            .condition_with("g.institution_id = ", 3_i64);
        assert!(l.restricted, "a partial index's range is walked whatever the count");
        let given = " WHERE 1 = 1 AND g.cohort_year = 2022 AND g.in_register = 1 AND g.institution_id = $1";
        assert_eq!(l.filter.sql, given);
        assert_eq!(
            l.filter_for(Plan::Walk, Backend::Sqlite, "g.student_no").sql,
            " WHERE 1 = 1 AND g.cohort_year = 2022 AND g.in_register = 1 AND likely(g.institution_id = $1)",
            "the predicate stays bare, so SQLite can prove the partial index usable"
        );
        assert_eq!(l.filter_for(Plan::Walk, Backend::Postgres, "g.student_no").sql, given);
    }

    #[test]
    fn latin_letters_search_initials_and_numbers_but_chinese_only_names() {
        let l = Listing::new("FROM graduates g")
            .search("ZS", &[Match::Prefix("g.name"), Match::Initials("g.initials"), Match::Equals("g.student_no")]);
        assert_eq!(
            l.filter.sql,
            " WHERE 1 = 1 AND (g.name LIKE $1 ESCAPE '\\' OR g.initials LIKE $2 ESCAPE '\\' OR g.student_no = $3)"
        );
        assert_eq!(l.filter.params[1], Value::from("zs%"));
        let l = Listing::new("FROM graduates g").search("张", &[Match::Equals("g.student_no")]);
        assert_eq!(l.filter.sql, " WHERE 1 = 1 AND 1 = 0");
    }

    proptest::proptest! {
        #[test]
        fn every_text_that_starts_with_a_prefix_lies_in_its_range(
            prefix in "[张李王欧阳0-9一-龥]{1,3}",
            rest in "\\PC{0,4}",
        ) {
            let end = successor(&prefix).unwrap();
            let text = format!("{prefix}{rest}");
            proptest::prop_assert!(text.as_str() >= prefix.as_str() && text < end);
        }
    }
}
