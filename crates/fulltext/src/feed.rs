//! How far an index has followed its change feed (a table every write appends
//! to, with a growing id). Ids are taken when a transaction writes and seen
//! when it commits, so on PostgreSQL a smaller id can appear after a larger
//! one, and a rolled-back id never appears. The cursor therefore keeps a
//! floor (every id at or below it applied) and the ids applied above it; a
//! hole above the floor is waited for a while, then given up as rolled back.
//! Applying a change twice is harmless (a document is rewritten from the
//! database), so after a restart the index reads again from its floor.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

/// How long a hole in the feed is waited for before it counts as rolled back.
pub const PATIENCE: Duration = Duration::from_secs(30);

#[derive(Debug, Clone)]
pub struct Cursor {
    floor: i64,
    applied: BTreeSet<i64>,
    /// When each hole above the floor was first noticed.
    holes: BTreeMap<i64, Instant>,
}

impl Cursor {
    pub fn new(floor: i64) -> Cursor {
        Cursor { floor, applied: BTreeSet::new(), holes: BTreeMap::new() }
    }

    /// Every id at or below it is applied; the next read asks for ids above it.
    pub fn floor(&self) -> i64 {
        self.floor
    }

    /// Of the ids a read returned (above the floor), those not yet applied.
    pub fn fresh(&self, ids: &[i64]) -> Vec<i64> {
        ids.iter().copied().filter(|id| *id > self.floor && !self.applied.contains(id)).collect()
    }

    /// Records applied ids and moves the floor over every id applied or given up.
    pub fn applied(&mut self, ids: &[i64], now: Instant) {
        self.applied.extend(ids.iter().copied().filter(|id| *id > self.floor));
        let Some(&top) = self.applied.last() else { return };
        for hole in (self.floor + 1..top).filter(|id| !self.applied.contains(id)) {
            self.holes.entry(hole).or_insert(now);
        }
        loop {
            let next = self.floor + 1;
            if self.applied.remove(&next) {
                self.floor = next;
            } else if self.holes.get(&next).is_some_and(|since| now.duration_since(*since) >= PATIENCE) {
                self.holes.remove(&next);
                self.floor = next;
            } else {
                break;
            }
        }
        self.holes.retain(|id, _| *id > self.floor);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_floor_follows_an_unbroken_feed() {
        let now = Instant::now();
        let mut c = Cursor::new(0);
        assert_eq!(c.fresh(&[1, 2, 3]), [1, 2, 3]);
        c.applied(&[1, 2, 3], now);
        assert_eq!(c.floor(), 3);
        assert!(c.fresh(&[3]).is_empty());
    }

    #[test]
    fn a_late_commit_is_applied_when_it_shows() {
        let now = Instant::now();
        let mut c = Cursor::new(0);
        c.applied(&[1, 3], now);
        assert_eq!(c.floor(), 1, "2 may still commit");
        assert_eq!(c.fresh(&[2, 3]), [2]);
        c.applied(&[2], now + Duration::from_secs(1));
        assert_eq!(c.floor(), 3);
    }

    #[test]
    fn a_hole_is_given_up_after_the_patience() {
        let now = Instant::now();
        let mut c = Cursor::new(10);
        c.applied(&[12, 13], now);
        assert_eq!(c.floor(), 10);
        c.applied(&[], now + PATIENCE - Duration::from_secs(1));
        assert_eq!(c.floor(), 10);
        c.applied(&[14], now + PATIENCE);
        assert_eq!(c.floor(), 14);
    }
}
