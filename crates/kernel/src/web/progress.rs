//! How far a long piece of work has come (进度), for the page waiting on it.
//! The browser names the work with a random token when it submits the form;
//! the handler reports rows done into the board; the page polls
//! `/progress/{token}`. Only the account that started the work can read it.
//! Kept in memory: a page polls the server that serves its upload, and a
//! poll that finds nothing leaves the bar as it was.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::Serialize;

/// Entries are dropped this long after their last report.
const KEEP: Duration = Duration::from_secs(3600);

/// Rows (or items) done, out of how many where that is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Done {
    pub done: u64,
    pub total: Option<u64>,
}

#[derive(Default)]
pub struct Board {
    entries: Mutex<HashMap<(i64, String), (Instant, Done)>>,
}

impl Board {
    /// A reporter for the work `token` names, started by `account`; one that
    /// reports nowhere when the token is missing or malformed (no JavaScript).
    pub fn reporter(self: &Arc<Self>, account: i64, token: Option<&str>) -> Reporter {
        let key = token.filter(|t| valid_token(t)).map(|t| (account, t.to_owned()));
        Reporter { board: self.clone(), key }
    }

    /// What `account`'s work `token` last reported.
    pub fn read(&self, account: i64, token: &str) -> Option<Done> {
        let entries = self.entries.lock().ok()?;
        entries.get(&(account, token.to_owned())).map(|(_, done)| *done)
    }

    fn report(&self, key: &(i64, String), done: Done) {
        if let Ok(mut entries) = self.entries.lock() {
            if !entries.contains_key(key) {
                let now = Instant::now();
                entries.retain(|_, (at, _)| now.duration_since(*at) < KEEP);
            }
            entries.insert(key.clone(), (Instant::now(), done));
        }
    }
}

/// Tokens are what `upload.js` makes: 16 to 64 letters, digits and dashes.
fn valid_token(token: &str) -> bool {
    (16..=64).contains(&token.len()) && token.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// Reports one piece of work's progress.
pub struct Reporter {
    board: Arc<Board>,
    key: Option<(i64, String)>,
}

impl Reporter {
    pub fn report(&self, done: u64, total: Option<u64>) {
        if let Some(key) = &self.key {
            self.board.report(key, Done { done, total });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_starting_account_reads_and_bad_tokens_report_nowhere() {
        let board = Arc::new(Board::default());
        let token = "0123456789abcdef";
        board.reporter(7, Some(token)).report(10, Some(50));
        assert_eq!(board.read(7, token), Some(Done { done: 10, total: Some(50) }));
        assert_eq!(board.read(8, token), None);
        board.reporter(7, Some("short")).report(1, None);
        board.reporter(7, None).report(1, None);
        assert_eq!(board.read(7, "short"), None);
    }
}
