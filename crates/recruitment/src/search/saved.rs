//! Saved searches (保存的搜索): a job seeker keeps a search of the job list and,
//! when it asks to, is told in 我的消息 when postings published since the last
//! check match it. Each server checks those due every few minutes; a check
//! is claimed by moving `checked_at` from the value it read, so of several
//! servers on one database one does each.

use kernel::audit::{self, AuditActor, Change};
use kernel::{time, Db, DbResult, Tx};
use serde_json::json;

use super::query::Filters;
use super::{Asked, IndexError, JobIndex, Sort};
use crate::postings::Search;

/// Searches an account may keep.
pub const MOST: i64 = 20;
/// How often a saved search is checked for new postings.
pub const EVERY: chrono::Duration = chrono::Duration::minutes(10);

/// A saved search as its owner sees it.
#[derive(Debug, Clone)]
pub struct SavedSearch {
    pub id: i64,
    pub name: String,
    /// The job list's query string (`q=…&region=…`).
    pub query: String,
    pub notify: bool,
    pub saved: String,
}

/// The fields of a search that say what it finds, as a query string (paging and order left out).
pub fn query_of(s: &Search) -> String {
    // A saved search finds what is open on the day it is run, in the order of its message.
    let pairs: Vec<(&str, &str)> = s
        .pairs()
        .into_iter()
        .filter(|(k, v)| !matches!(*k, "until" | "sort") && !v.trim().is_empty())
        .map(|(k, v)| (k, v.trim()))
        .collect();
    serde_urlencoded::to_string(pairs).unwrap_or_default()
}

/// A saved query string read back; what does not parse is an empty search.
pub fn search_of(query: &str) -> Search {
    serde_urlencoded::from_str(query).unwrap_or_default()
}

/// Why a search cannot be saved, in the reader's language.
pub fn refusal(s: &Search, name: &str, kept: i64, l: kernel::Locale) -> Option<&'static str> {
    if kept >= MOST {
        return Some(
            l.pick("最多保存 20 个搜索，请先删除不再需要的。", "At most 20 saved searches: delete one first."),
        );
    }
    if query_of(s).is_empty() {
        return Some(l.pick("请先输入关键词或选择条件再保存。", "Type words or pick a filter before saving."));
    }
    if name.chars().count() > 60 {
        return Some(l.pick("名称不能超过 60 个字。", "The name is at most 60 characters."));
    }
    None
}

/// Saves a search; postings published from now on count as new.
pub async fn save(
    tx: &mut Tx,
    who: &AuditActor,
    account_id: i64,
    name: &str,
    query: &str,
    notify: bool,
) -> DbResult<i64> {
    let now = time::now_utc();
    let id = tx
        .insert_returning_id(
            "INSERT INTO saved_searches (account_id, name, query, notify, seen_until, checked_at, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $6)",
            &[
                account_id.into(),
                name.into(),
                query.into(),
                notify.into(),
                chrono::Utc::now().timestamp_millis().into(),
                now.as_str().into(),
            ],
        )
        .await?;
    let after = json!({ "name": name, "query": query, "notify": notify });
    audit::record(tx, who, Change::created("saved_search", id, after)).await?;
    Ok(id)
}

/// An account's saved searches, newest first.
pub async fn of_account(db: &Db, account_id: i64) -> DbResult<Vec<SavedSearch>> {
    db.fetch_all(
        "SELECT id, name, query, notify, created_at FROM saved_searches WHERE account_id = $1 ORDER BY id DESC",
        &[account_id.into()],
    )
    .await?
    .iter()
    .map(|r| {
        Ok(SavedSearch {
            id: r.i64("id")?,
            name: r.text("name")?,
            query: r.text("query")?,
            notify: r.bool("notify")?,
            saved: time::display(&r.text("created_at")?),
        })
    })
    .collect()
}

pub async fn count(db: &Db, account_id: i64) -> DbResult<i64> {
    db.scalar_i64("SELECT COUNT(*) FROM saved_searches WHERE account_id = $1", &[account_id.into()]).await
}

/// Deletes one of the account's saved searches; whether there was one.
pub async fn delete(tx: &mut Tx, who: &AuditActor, account_id: i64, id: i64) -> DbResult<bool> {
    let gone = tx
        .execute("DELETE FROM saved_searches WHERE id = $1 AND account_id = $2", &[id.into(), account_id.into()])
        .await?;
    if gone > 0 {
        audit::record(tx, who, Change::new("delete", "saved_search", id)).await?;
    }
    Ok(gone > 0)
}

/// A saved search whose check is due.
struct Due {
    id: i64,
    account_id: i64,
    name: String,
    query: String,
    seen_until: i64,
    checked_at: String,
}

/// Checks every saved search due (notify on, last checked `EVERY` ago) and
/// tells each owner how many postings published since its last check match;
/// returns how many were told.
pub async fn tell_new(db: &Db, jobs: &JobIndex, today: chrono::NaiveDate) -> Result<usize, IndexError> {
    let before = time::format_utc(chrono::Utc::now() - EVERY);
    let due = db
        .fetch_all(
            "SELECT id, account_id, name, query, seen_until, checked_at FROM saved_searches \
             WHERE notify = TRUE AND checked_at <= $1 ORDER BY checked_at LIMIT 500",
            &[before.into()],
        )
        .await?;
    let mut told = 0;
    for r in &due {
        let d = Due {
            id: r.i64("id")?,
            account_id: r.i64("account_id")?,
            name: r.text("name")?,
            query: r.text("query")?,
            seen_until: r.i64("seen_until")?,
            checked_at: r.text("checked_at")?,
        };
        told += usize::from(check(db, jobs, &d, today).await?);
    }
    Ok(told)
}

/// One saved search: searched for postings published after its last check,
/// then claimed (so of several servers one tells) with its owner told if any;
/// whether a message went.
async fn check(db: &Db, jobs: &JobIndex, d: &Due, today: chrono::NaiveDate) -> Result<bool, IndexError> {
    let now = chrono::Utc::now();
    let search = search_of(&d.query);
    let asked = Asked {
        words: fulltext::text::query_words(&search.q),
        filters: Filters { published_after: Some(d.seen_until), ..Filters::of(&search, today) },
        sort: Sort::Newest,
        offset: 0,
        limit: 1,
    };
    let new = match jobs.search(db, &asked).await? {
        Ok(found) if !found.near => found.total,
        // Only near matches: nothing to tell.
        Ok(_) => 0,
        // The index is being built: the next round checks from the same point.
        Err(_) => return Ok(false),
    };
    let mut tx = db.begin().await?;
    let claimed = tx
        .execute(
            "UPDATE saved_searches SET checked_at = $1, seen_until = $2 WHERE id = $3 AND checked_at = $4",
            &[time::format_utc(now).into(), now.timestamp_millis().into(), d.id.into(), d.checked_at.as_str().into()],
        )
        .await?;
    if claimed == 0 {
        return Ok(false);
    }
    if new > 0 {
        let message = format!("你保存的搜索“{}”有 {new} 个新岗位。", d.name);
        let link = format!("/jobs?{}&sort=new", d.query);
        let who = AuditActor::system("saved_search");
        registry::notices::tell(&mut tx, &who, d.account_id, &format!("saved_search:{}", d.id), &message, Some(&link))
            .await?;
    }
    tx.commit().await?;
    Ok(new > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_search_is_kept_as_what_it_finds() {
        let s = Search {
            q: " 数据分析 ".into(),
            region: "430100".into(),
            sort: "new".into(),
            page: Some("3".into()),
            ..Search::default()
        };
        let query = query_of(&s);
        assert_eq!(query, "q=%E6%95%B0%E6%8D%AE%E5%88%86%E6%9E%90&region=430100");
        let back = search_of(&query);
        assert_eq!((back.q.as_str(), back.region.as_str(), back.page), ("数据分析", "430100", None));
        assert_eq!(search_of("%%%&&=").q, "");
    }

    #[test]
    fn an_empty_search_or_one_too_many_is_refused() {
        let l = kernel::Locale::Zh;
        assert!(refusal(&Search::default(), "", 0, l).is_some());
        let s = Search { q: "会计".into(), ..Search::default() };
        assert!(refusal(&s, "", 0, l).is_none());
        assert!(refusal(&s, "", MOST, l).is_some());
        assert!(refusal(&s, &"名".repeat(61), 0, l).is_some());
    }
}
