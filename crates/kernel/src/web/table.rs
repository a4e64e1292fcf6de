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
        let mut out = format!(
            "<nav class=\"pager\" aria-label=\"{}\"><span>{}</span>",
            l.pick("分页", "Pages"),
            escape(&match l {
                Locale::Zh => format!("共 {} 条，第 {} / {} 页", self.total, self.page, self.pages()),
                Locale::En => format!("{} rows, page {} of {}", self.total, self.page, self.pages()),
            })
        );
        if self.page > 1 {
            out += &format!(
                " <a rel=\"prev\" href=\"{}\">{}</a>",
                escape(&url.with("page", &(self.page - 1).to_string())),
                l.pick("上一页", "Previous")
            );
        }
        if self.page < self.pages() {
            out += &format!(
                " <a rel=\"next\" href=\"{}\">{}</a>",
                escape(&url.with("page", &(self.page + 1).to_string())),
                l.pick("下一页", "Next")
            );
        }
        out + "</nav>"
    }
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
    fn sort_whitelist() {
        let s = Sort::parse(Some("name; DROP TABLE x"), Some("desc"), &[("code", "code"), ("name", "name")]);
        assert_eq!(s.order_by(), " ORDER BY code DESC");
    }
}
