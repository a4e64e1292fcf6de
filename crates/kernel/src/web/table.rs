//! Server-side paging, sorting and filtering for list pages.

use crate::i18n::Locale;

pub const PER_PAGE: i64 = 50;

/// A list page's URL with its current query, to build links that change one
/// parameter (page, sort) and keep the others (filters).
#[derive(Debug, Clone)]
pub struct ListUrl {
    path: String,
    params: Vec<(String, String)>,
}

impl ListUrl {
    pub fn new(path: &str, params: &[(&str, &str)]) -> ListUrl {
        ListUrl {
            path: path.to_owned(),
            params: params.iter().filter(|(_, v)| !v.is_empty()).map(|(k, v)| (k.to_string(), v.to_string())).collect(),
        }
    }

    /// The URL with `key` set to `value` (and the page reset unless it is the key).
    pub fn with(&self, key: &str, value: &str) -> String {
        self.with_all(&[(key, value)])
    }

    /// The URL with each key set to its value, replacing what the query had
    /// (so sorting twice does not send `dir` twice); the page is reset unless
    /// it is one of the keys.
    pub fn with_all(&self, changes: &[(&str, &str)]) -> String {
        let changed = |k: &str| changes.iter().any(|(c, _)| *c == k);
        let keeps_page = changed("page");
        let mut params: Vec<(String, String)> =
            self.params.iter().filter(|(k, _)| !changed(k) && (keeps_page || k != "page")).cloned().collect();
        params.extend(changes.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        format!("{}?{}", self.path, serde_urlencoded::to_string(&params).unwrap_or_default())
    }
}

/// Which column a list is sorted by, from a whitelist of sortable columns.
#[derive(Debug, Clone)]
pub struct Sort {
    pub key: String,
    pub desc: bool,
    column: &'static str,
}

impl Sort {
    /// `allowed` maps the URL key to the SQL expression; the first is the default.
    pub fn parse(key: Option<&str>, dir: Option<&str>, allowed: &[(&str, &'static str)]) -> Sort {
        let (k, column) =
            allowed.iter().find(|(k, _)| Some(*k) == key).or(allowed.first()).copied().unwrap_or(("id", "id"));
        Sort { key: k.to_owned(), desc: dir == Some("desc"), column }
    }

    pub fn order_by(&self) -> String {
        format!(" ORDER BY {} {}", self.column, if self.desc { "DESC" } else { "ASC" })
    }

    /// The SQL expression sorted on.
    pub fn column(&self) -> &'static str {
        self.column
    }

    /// A column header link that sorts by `key`, flipping the direction when it already does.
    pub fn header(&self, url: &ListUrl, key: &str, label: &str) -> String {
        let (dir, mark) = match (self.key == key, self.desc) {
            (true, false) => ("desc", " ▲"),
            (true, true) => ("asc", " ▼"),
            _ => ("asc", ""),
        };
        let href = url.with_all(&[("sort", key), ("dir", dir)]);
        format!("<a href=\"{}\">{}{}</a>", escape(&href), escape(label), mark)
    }
}

/// The page a list shows.
#[derive(Debug, Clone, Copy)]
pub struct Paging {
    pub page: i64,
    pub total: i64,
}

impl Paging {
    pub fn parse(page: Option<&str>) -> Paging {
        Paging { page: page.and_then(|p| p.parse().ok()).filter(|p: &i64| *p >= 1).unwrap_or(1), total: 0 }
    }
    pub fn offset(&self) -> i64 {
        (self.page - 1).max(0) * PER_PAGE
    }
    /// Rows on the page: all of them for `everything`.
    pub fn size(&self) -> i64 {
        if self.page == 0 {
            i64::MAX
        } else {
            PER_PAGE
        }
    }
    /// Every row at once, for a list going to Excel.
    pub fn everything() -> Paging {
        Paging { page: 0, total: 0 }
    }
    pub fn limit_sql(&self) -> String {
        if self.page == 0 {
            return String::new();
        }
        format!(" LIMIT {PER_PAGE} OFFSET {}", self.offset())
    }
    pub fn pages(&self) -> i64 {
        ((self.total + PER_PAGE - 1) / PER_PAGE).max(1)
    }

    /// The pager: counts, previous and next links.
    pub fn html(&self, url: &ListUrl, l: Locale) -> String {
        let mut out = pager_head(self.total, self.page, self.pages(), l);
        if self.page > 1 {
            out += &pager_link("prev", url.with("page", &(self.page - 1).to_string()), l.pick("上一页", "Previous"));
        }
        if self.page < self.pages() {
            out += &pager_link("next", url.with("page", &(self.page + 1).to_string()), l.pick("下一页", "Next"));
        }
        out + "</nav>"
    }
}

/// Page numbers a list still reaches by skipping rows (OFFSET); further pages
/// are reached by "next" from the row before, which costs the same at any depth.
pub const OFFSET_PAGES: i64 = 100;

/// A row's place in a sorted list: its sort value (text) and its id, which
/// breaks ties, so every row has one place and paging never skips or repeats.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Key {
    pub sort: String,
    pub id: i64,
}

impl Key {
    /// `id:sort`, as the pager's links carry it.
    pub fn parse(param: &str) -> Option<Key> {
        let (id, sort) = param.split_once(':')?;
        Some(Key { id: id.parse().ok()?, sort: sort.to_owned() })
    }
    pub fn param(&self) -> String {
        format!("{}:{}", self.id, self.sort)
    }
}

/// Where a keyset page starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cursor {
    /// The first rows, or the page number's rows while that is cheap to skip to.
    Start,
    /// The rows after this one ("next").
    After(Key),
    /// The rows before this one ("previous").
    Before(Key),
    /// The last rows.
    End,
}

/// The URL keys of a keyset pager, for a list's query struct.
#[derive(Debug, Default, Clone, serde::Deserialize)]
pub struct KeyQuery {
    pub page: Option<String>,
    pub after: Option<String>,
    pub before: Option<String>,
    pub end: Option<String>,
}

/// A page of a list paged by key (keyset pagination): what was asked for,
/// and after the query, what the pager links on.
#[derive(Debug, Clone)]
pub struct KeyPaging {
    pub cursor: Cursor,
    /// The page's number as the visitor counted it, for "第 n 页".
    pub page: i64,
    pub total: i64,
    pub first: Option<Key>,
    pub last: Option<Key>,
    pub has_prev: bool,
    pub has_next: bool,
}

impl KeyPaging {
    pub fn parse(q: &KeyQuery) -> KeyPaging {
        let page = Paging::parse(q.page.as_deref()).page;
        let key = |p: &Option<String>| p.as_deref().and_then(Key::parse);
        let cursor = match (key(&q.after), key(&q.before), q.end.as_deref()) {
            (Some(k), _, _) => Cursor::After(k),
            (None, Some(k), _) => Cursor::Before(k),
            (None, None, Some("1")) => Cursor::End,
            _ => Cursor::Start,
        };
        let page = if cursor == Cursor::Start { page.min(OFFSET_PAGES) } else { page };
        KeyPaging { cursor, page, total: 0, first: None, last: None, has_prev: false, has_next: false }
    }

    /// Rows skipped: only for a page number asked without a cursor.
    pub fn offset(&self) -> i64 {
        if self.cursor == Cursor::Start {
            (self.page - 1) * PER_PAGE
        } else {
            0
        }
    }

    /// The query runs from the far end, and its rows are turned round.
    pub fn backward(&self) -> bool {
        matches!(self.cursor, Cursor::Before(_) | Cursor::End)
    }

    /// Records what the query found: `more` when a row beyond the page exists
    /// in the direction it ran.
    pub fn found(&mut self, first: Option<Key>, last: Option<Key>, more: bool) {
        (self.has_prev, self.has_next) = match self.cursor {
            Cursor::Start => (self.page > 1, more),
            Cursor::After(_) => (true, more),
            Cursor::Before(_) => (more, true),
            Cursor::End => (more, false),
        };
        (self.first, self.last) = (first, last);
        let pages = self.pages();
        if self.cursor == Cursor::End {
            self.page = pages;
        }
        self.page = self.page.clamp(1, pages);
    }

    pub fn pages(&self) -> i64 {
        Paging { page: 1, total: self.total }.pages()
    }

    /// The pager: the count, first, previous, next and last.
    pub fn html(&self, url: &ListUrl, l: Locale) -> String {
        let mut out = pager_head(self.total, self.page, self.pages(), l);
        if self.has_prev {
            out += &pager_link("first", url.with("page", "1"), l.pick("首页", "First"));
            if let Some(first) = &self.first {
                let page = (self.page - 1).max(1).to_string();
                out += &pager_link(
                    "prev",
                    url.with_all(&[("page", &page), ("before", &first.param())]),
                    l.pick("上一页", "Previous"),
                );
            }
        }
        if self.has_next {
            if let Some(last) = &self.last {
                let page = (self.page + 1).to_string();
                out += &pager_link(
                    "next",
                    url.with_all(&[("page", &page), ("after", &last.param())]),
                    l.pick("下一页", "Next"),
                );
            }
            out += &pager_link("last", url.with("end", "1"), l.pick("末页", "Last"));
        }
        out + "</nav>"
    }
}

/// A pager's opening: the count of rows and where the page stands among them.
fn pager_head(total: i64, page: i64, pages: i64, l: Locale) -> String {
    let place = match l {
        Locale::Zh => format!("共 {total} 条，第 {page} / {pages} 页"),
        Locale::En => format!("{total} rows, page {page} of {pages}"),
    };
    format!("<nav class=\"pager\" aria-label=\"{}\"><span>{}</span>", l.pick("分页", "Pages"), escape(&place))
}

/// One of a pager's links.
fn pager_link(rel: &str, href: String, label: &str) -> String {
    format!(" <a rel=\"{rel}\" href=\"{}\">{label}</a>", escape(&href))
}

/// HTML-escapes text for the few places that build markup in Rust.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_keep_filters_and_reset_page() {
        let url = ListUrl::new("/registry/institutions", &[("q", "湖南"), ("page", "3"), ("level", "")]);
        assert_eq!(url.with("page", "4"), "/registry/institutions?q=%E6%B9%96%E5%8D%97&page=4");
        assert_eq!(url.with("sort", "name"), "/registry/institutions?q=%E6%B9%96%E5%8D%97&sort=name");
    }

    #[test]
    fn sorting_a_sorted_list_replaces_its_direction() {
        let url = ListUrl::new("/registry/employers", &[("q", ""), ("sort", "name"), ("dir", "asc"), ("page", "2")]);
        let sort = Sort::parse(Some("name"), Some("asc"), &[("created", "e.created_at"), ("name", "e.name")]);
        assert_eq!(
            sort.header(&url, "name", "名称"),
            "<a href=\"/registry/employers?sort=name&amp;dir=desc\">名称 ▲</a>"
        );
        assert_eq!(
            sort.header(&url, "created", "时间"),
            "<a href=\"/registry/employers?sort=created&amp;dir=asc\">时间</a>"
        );
    }

    #[test]
    fn keys_survive_their_link() {
        let key = Key { sort: "张:三".to_owned(), id: 42 };
        assert_eq!(Key::parse(&key.param()), Some(key));
        assert_eq!(Key::parse("x:1"), None);
        let q = |page: &str, after: &str| KeyQuery {
            page: Some(page.to_owned()),
            after: Some(after.to_owned()),
            ..KeyQuery::default()
        };
        assert_eq!(KeyPaging::parse(&q("2000", "")).page, OFFSET_PAGES, "deep pages are not skipped to");
        assert_eq!(KeyPaging::parse(&q("2000", "7:a")).cursor, Cursor::After(Key { sort: "a".into(), id: 7 }));
    }

    #[test]
    fn sort_whitelist() {
        let s = Sort::parse(Some("name; DROP TABLE x"), Some("desc"), &[("code", "code"), ("name", "name")]);
        assert_eq!(s.order_by(), " ORDER BY code DESC");
    }
}
