//! The cohort's placement held in memory: each graduate's grouping attributes
//! and destination events, compact enough (a server grows by about 130 MB for
//! 450,000 graduates) that a pass over them for any as-of day and any grouping
//! takes a few milliseconds. The event log stays the record; this is a projection of it.
//!
//! It knows it is current by two counters on the cohort row: the roster
//! revision (any roster import: reload everything) and the destination
//! revision (any destination write: read the events after the last one held).
//! Every destination write bumps the counter before it appends, which takes the
//! cohort's row lock on PostgreSQL, so within a cohort event ids commit in
//! order and "after the last id held" never skips one.

use std::any::Any;
use std::collections::{BTreeSet, HashMap};
use std::future::Future;
use std::sync::{Arc, Mutex, RwLock};

use chrono::{DateTime, Datelike, NaiveDate};

use kernel::auth::{Owner, Scope};
use kernel::db::Reads;
use kernel::{time, Db, DbError, DbResult, Locale};

use super::groups::Grouping;

/// An interned text value; `NONE` for a missing one.
pub type Sym = u32;
pub const NONE: Sym = u32::MAX;

#[derive(Default, Clone)]
struct Symbols {
    names: Vec<String>,
    index: foldhash::HashMap<String, Sym>,
}

impl Symbols {
    fn intern(&mut self, s: &str) -> Sym {
        if let Some(&sym) = self.index.get(s) {
            return sym;
        }
        let sym = self.names.len() as Sym;
        self.names.push(s.to_owned());
        self.index.insert(s.to_owned(), sym);
        sym
    }

    fn opt(&mut self, s: Option<&str>) -> Sym {
        match s {
            Some(s) if !s.is_empty() => self.intern(s),
            _ => NONE,
        }
    }
}

#[derive(Clone)]
struct Graduate {
    id: i64,
    institution: i64,
    college: i64,
    major: i64,
    level: Sym,
    gender: Sym,
    urban_rural: Sym,
    discipline: Sym,
    home_origin: bool,
    key_groups: Vec<Sym>,
    /// The China day (from CE) the graduate entered the roster; `i32::MIN`: before this was kept.
    joined: i32,
}

#[derive(Clone, Copy)]
struct Event {
    id: i64,
    /// Days since 0001-01-01 of the China calendar day it was recorded on.
    day: i32,
    /// Index into `Projection::categories`.
    category: u16,
    /// The employment region as reports count it: prefecture at home, province elsewhere.
    region: Sym,
    industry: Sym,
    nature: Sym,
}

/// One cohort's graduates and events.
#[derive(Clone)]
pub struct Projection {
    roster_revision: i64,
    destination_revision: i64,
    last_event_id: i64,
    /// The China days (from CE) on which events were recorded: a few hundred a
    /// year, so the dashboard finds its opening day without a pass over the events.
    days: BTreeSet<i32>,
    symbols: Symbols,
    /// Destination codes, numbered densely so a code is an index into counters.
    categories: Symbols,
    // Unchanged from one catch-up to the next, so shared by the copies.
    graduates: Arc<Vec<Graduate>>,
    position: Arc<foldhash::HashMap<i64, u32>>,
    /// Each institution's graduates (positions, ascending): a count in one
    /// institution's scope walks these instead of the whole cohort, which at
    /// national scale is 3,000 times as many (docs/national-scale.md).
    members: Arc<foldhash::HashMap<i64, Vec<u32>>>,
    /// Every graduate's events in one run, graduate by graduate and each in id
    /// order: graduate `i` has `events[starts[i]..starts[i + 1]]`. One run
    /// instead of a list per graduate keeps a pass over the cohort sequential.
    events: Vec<Event>,
    starts: Vec<u32>,
    /// The catch-ups since the load, oldest first: the destination revision
    /// reached and the earliest day among the events read (`i32::MAX`: none).
    /// Figures for days before that day are still right after it.
    catch_ups: Vec<(i64, i32)>,
    /// The revision from which `catch_ups` accounts for every change.
    accounted_from: i64,
}

/// Catch-ups remembered; older figures are simply counted again.
const CATCH_UPS_KEPT: usize = 1024;

/// Counts by group key and destination code: every run of counters is laid
/// out as `codes` (the last, `None`, is "nothing recorded"). Runs rather than a
/// map per group: at national scale a report by major has 150,000 groups, and
/// a map of code names for each took longer than the count itself.
#[derive(Default)]
pub struct Counts {
    pub codes: Arc<[Option<String>]>,
    pub total: Vec<u64>,
    /// Every group met in the count, in the order met, even if none of its
    /// graduates counts on this day (they joined the roster later).
    pub groups: Vec<(String, Vec<u64>)>,
}

impl Counts {
    /// A run of counters as a map from each code counted to its count.
    pub fn by_code(&self, run: &[u64]) -> HashMap<Option<String>, u64> {
        self.codes.iter().zip(run).filter(|(_, n)| **n > 0).map(|(code, n)| (code.clone(), *n)).collect()
    }

    /// The group's counters by code, as `by_code` gives them.
    #[cfg(test)]
    fn group(&self, key: &str) -> Option<HashMap<Option<String>, u64>> {
        self.groups.iter().find(|(k, _)| k == key).map(|(_, run)| self.by_code(run))
    }
}

impl Projection {
    /// The roster `graduates` at the revisions given, with no events yet.
    fn new((roster, destinations): Revisions, symbols: Symbols, categories: Symbols, graduates: Vec<Graduate>) -> Self {
        Projection {
            roster_revision: roster,
            destination_revision: destinations,
            last_event_id: 0,
            days: BTreeSet::new(),
            symbols,
            categories,
            position: Arc::new(graduates.iter().enumerate().map(|(i, g)| (g.id, i as u32)).collect()),
            members: Arc::new(members_of(&graduates)),
            starts: vec![0; graduates.len() + 1],
            graduates: Arc::new(graduates),
            events: Vec::new(),
            catch_ups: Vec::new(),
            accounted_from: destinations,
        }
    }

    /// The last China day on which a destination was recorded.
    pub fn last_day(&self) -> Option<NaiveDate> {
        self.days.last().copied().and_then(NaiveDate::from_num_days_from_ce_opt)
    }

    /// The last China day on or before `limit` on which a destination was recorded.
    pub fn last_day_until(&self, limit: NaiveDate) -> Option<NaiveDate> {
        self.days.range(..=limit.num_days_from_ce()).next_back().copied().and_then(NaiveDate::from_num_days_from_ce_opt)
    }

    /// Graduates in `scope` counted by their destination as of the end of `day`.
    pub fn count(&self, scope: &Scope, day: NaiveDate, grouping: Grouping) -> Counts {
        self.count_days(scope, &[day], grouping).pop().unwrap_or_default()
    }

    /// The same counts for several days, in one pass over the graduates: an
    /// institution's own, or everyone's in parts on the machine's cores.
    pub fn count_days(&self, scope: &Scope, days: &[NaiveDate], grouping: Grouping) -> Vec<Counts> {
        let days: Vec<i32> = days.iter().map(|d| d.num_days_from_ce()).collect();
        let ask = Ask { scope, days: &days, grouping, width: self.categories.names.len() + 1 };
        let tally = match scope {
            Scope::Institution { institution_id, .. } => {
                let own = self.members.get(institution_id).map_or(&[][..], Vec::as_slice);
                self.tally(&ask, own.iter().map(|at| *at as usize))
            }
            _ => self.tally_in_parts(&ask),
        };
        let width = ask.width;
        let codes = self.codes();
        (0..days.len()).map(|d| counts_of_day(&codes, &tally, |k| self.key_name(k), d * width, width)).collect()
    }

    /// The destination codes as a count lays its counters out.
    fn codes(&self) -> Arc<[Option<String>]> {
        self.categories.names.iter().cloned().map(Some).chain([None]).collect()
    }

    fn key_name(&self, key: &Key) -> String {
        match *key {
            Key::Id(id) => id.to_string(),
            Key::Sym(s) if s == NONE => String::new(),
            Key::Sym(s) => self.symbols.names[s as usize].clone(),
            Key::Text(t) => t.to_owned(),
        }
    }

    /// Every graduate tallied in as many parts as the machine has cores (a
    /// part at least `PART_AT_LEAST` graduates), the parts then added up: the
    /// first count after a change is what a dashboard waits for.
    fn tally_in_parts(&self, ask: &Ask) -> Tally {
        let n = self.graduates.len();
        let cores = std::thread::available_parallelism().map_or(1, |c| c.get());
        let parts = cores.min(n / PART_AT_LEAST).max(1);
        if parts == 1 {
            return self.tally(ask, 0..n);
        }
        let size = n.div_ceil(parts);
        std::thread::scope(|s| {
            let running: Vec<_> =
                (0..parts).map(|p| s.spawn(move || self.tally(ask, p * size..((p + 1) * size).min(n)))).collect();
            let mut tallies = running.into_iter().map(|t| t.join().unwrap_or_else(|e| std::panic::resume_unwind(e)));
            let first = tallies.next().unwrap_or_else(|| Tally::new(ask));
            tallies.fold(first, Tally::add)
        })
    }

    /// The graduates at positions `walk`, counted for `ask`.
    fn tally(&self, ask: &Ask, walk: impl Iterator<Item = usize>) -> Tally {
        let Ask { scope, days, grouping, width } = *ask;
        let mut t = Tally::new(ask);
        let by_event = matches!(grouping, Grouping::EmployerRegion | Grouping::Industry | Grouping::Nature);
        let mut key_groups = Vec::new();
        for i in walk {
            let g = &self.graduates[i];
            if !in_scope(scope, g) {
                continue;
            }
            let events = self.held(i);
            // The graduate's own groups are the same every day; only the destination moves.
            key_groups.clear();
            match grouping {
                Grouping::KeyGroup if g.key_groups.is_empty() => key_groups.push(t.groups.slot(Key::Sym(NONE))),
                Grouping::KeyGroup => key_groups.extend(g.key_groups.iter().map(|k| t.groups.slot(Key::Sym(*k)))),
                _ if by_event => {}
                _ => key_groups.push(t.groups.slot(self.key(g, None, grouping))),
            }
            for (d, day) in days.iter().enumerate() {
                // A report as of a day counts the roster as it stood that day.
                if g.joined > *day {
                    continue;
                }
                let last = events.iter().filter(|e| e.day <= *day).max_by_key(|e| e.id);
                let at = d * width + last.map_or(width - 1, |e| e.category as usize);
                t.totals[at] += 1;
                if by_event {
                    let slot = t.groups.slot(self.key(g, last, grouping));
                    t.groups.counts[slot + at] += 1;
                }
                for slot in &key_groups {
                    t.groups.counts[slot + at] += 1;
                }
            }
        }
        t
    }

    fn key(&self, g: &Graduate, last: Option<&Event>, grouping: Grouping) -> Key {
        let of_event = |f: fn(&Event) -> Sym| Key::Sym(last.map(f).unwrap_or(NONE));
        match grouping {
            Grouping::Institution => Key::Id(g.institution),
            Grouping::College => Key::Id(g.college),
            Grouping::Major => Key::Id(g.major),
            Grouping::Level => Key::Sym(g.level),
            Grouping::Gender => Key::Sym(g.gender),
            Grouping::Discipline => Key::Sym(g.discipline),
            Grouping::UrbanRural => Key::Sym(g.urban_rural),
            Grouping::Origin => Key::Text(if g.home_origin { "in" } else { "out" }),
            Grouping::EmployerRegion => of_event(|e| e.region),
            Grouping::Industry => of_event(|e| e.industry),
            Grouping::Nature => of_event(|e| e.nature),
            Grouping::KeyGroup => Key::Sym(NONE),
        }
    }

    /// The earliest day (from CE) among the events read since destination
    /// revision `since`: figures made at `since` for earlier days still stand.
    /// `i32::MAX` when nothing was read; `None` when it cannot tell.
    fn earliest_change_since(&self, since: i64) -> Option<i32> {
        (since >= self.accounted_from).then(|| {
            self.catch_ups
                .iter()
                .filter(|(revision, _)| *revision > since)
                .map(|(_, day)| *day)
                .min()
                .unwrap_or(i32::MAX)
        })
    }

    /// Records a catch-up to `revision` that read events recorded from `earliest` on.
    fn caught_up(&mut self, revision: i64, earliest: i32) {
        self.destination_revision = self.destination_revision.max(revision);
        self.catch_ups.push((self.destination_revision, earliest));
        if self.catch_ups.len() > CATCH_UPS_KEPT {
            let (forgotten, _) = self.catch_ups.remove(0);
            self.accounted_from = forgotten;
        }
    }

    /// The events held for the graduate at `at`.
    fn held(&self, at: usize) -> &[Event] {
        &self.events[self.starts[at] as usize..self.starts[at + 1] as usize]
    }

    /// Takes graduates changed in the roster: a graduate held is replaced, a new
    /// one joins with no events yet (the catch-up reads its events next).
    fn take_graduates(&mut self, changed: Vec<Graduate>) {
        if changed.is_empty() {
            return;
        }
        let graduates = Arc::make_mut(&mut self.graduates);
        let position = Arc::make_mut(&mut self.position);
        let members = Arc::make_mut(&mut self.members);
        for g in changed {
            match position.get(&g.id) {
                Some(&at) => {
                    let before = graduates[at as usize].institution;
                    if before != g.institution {
                        if let Some(list) = members.get_mut(&before) {
                            list.retain(|p| *p != at);
                        }
                        let list = members.entry(g.institution).or_default();
                        let to = list.partition_point(|p| *p < at);
                        list.insert(to, at);
                    }
                    graduates[at as usize] = g;
                }
                None => {
                    members.entry(g.institution).or_default().push(graduates.len() as u32);
                    position.insert(g.id, graduates.len() as u32);
                    graduates.push(g);
                    self.starts.push(self.starts.last().copied().unwrap_or(0));
                }
            }
        }
    }

    /// Merges events read after the last one held (in id order) into the run.
    fn add_events(&mut self, new: Vec<(i64, Event)>) {
        // Where each new event goes; a reload and a catch-up may both have read one.
        let mut placed: Vec<(u32, Event)> = Vec::with_capacity(new.len());
        for (graduate_id, e) in new {
            self.last_event_id = self.last_event_id.max(e.id);
            self.days.insert(e.day);
            let Some(&at) = self.position.get(&graduate_id) else { continue };
            if self.held(at as usize).last().is_none_or(|last| last.id < e.id) {
                placed.push((at, e));
            }
        }
        if placed.is_empty() {
            return;
        }
        // Graduate by graduate, each in id order; the run is copied in stretches
        // between the graduates that gain events, so a catch-up of a few events
        // costs one copy of the run, not a pass per graduate.
        placed.sort_unstable_by_key(|(at, e)| (*at, e.id));
        let mut events = Vec::with_capacity(self.events.len() + placed.len());
        let mut copied = 0;
        for (at, e) in &placed {
            let end = self.starts[*at as usize + 1] as usize;
            events.extend_from_slice(&self.events[copied..end]);
            copied = end;
            events.push(*e);
        }
        events.extend_from_slice(&self.events[copied..]);
        let mut starts = Vec::with_capacity(self.starts.len());
        let (mut added, mut next) = (0u32, 0);
        for (at, start) in self.starts.iter().enumerate() {
            starts.push(start + added);
            while next < placed.len() && placed[next].0 as usize == at {
                added += 1;
                next += 1;
            }
        }
        self.events = events;
        self.starts = starts;
    }
}

/// A projection made in memory rather than loaded: for sizes this machine's
/// disk cannot hold as a database (`examples/national_projection.rs`, 12
/// million graduates) and for tests.
#[derive(Default)]
pub struct Builder {
    symbols: Symbols,
    categories: Symbols,
    graduates: Vec<Graduate>,
    events: Vec<(i64, Event)>,
}

impl Builder {
    /// A graduate on the roster from the start; `level` and `gender` as the code tables spell them.
    pub fn graduate(&mut self, id: i64, (institution, college, major): (i64, i64, i64), level: &str, gender: &str) {
        let (level, gender) = (self.symbols.intern(level), self.symbols.intern(gender));
        self.graduates.push(Graduate {
            id,
            institution,
            college,
            major,
            level,
            gender,
            urban_rural: NONE,
            discipline: NONE,
            home_origin: true,
            key_groups: Vec::new(),
            joined: i32::MIN,
        });
    }

    /// A destination event (`id`, unique) of a graduate already given, recorded on `day`.
    pub fn event(&mut self, graduate: i64, id: i64, day: NaiveDate, category: &str, region: Option<&str>) {
        let category = self.categories.intern(category) as u16;
        let region = self.symbols.opt(region);
        let day = day.num_days_from_ce();
        self.events.push((graduate, Event { id, day, category, region, industry: NONE, nature: NONE }));
    }

    pub fn build(self) -> Projection {
        let mut p = Projection::new((0, 0), self.symbols, self.categories, self.graduates);
        p.add_events(self.events);
        p
    }
}

/// The China day (from CE) of an RFC 3339 instant.
fn china_day(at: &str) -> DbResult<i32> {
    DateTime::parse_from_rfc3339(at)
        .map(|t| t.with_timezone(&time::china()).date_naive().num_days_from_ce())
        .map_err(|_| DbError::Column(format!("instant {at}")))
}

/// Graduates in a part of the cohort below this are counted on one core: a
/// thread costs more than it saves.
const PART_AT_LEAST: usize = 100_000;

/// What a count is asked for.
#[derive(Clone, Copy)]
struct Ask<'a> {
    scope: &'a Scope,
    /// Days from CE.
    days: &'a [i32],
    grouping: Grouping,
    /// Counters a day: every destination code and "nothing recorded".
    width: usize,
}

/// Counters of a pass or a part of one, laid out group by group, day by day,
/// code by code; the last code is "nothing recorded".
struct Tally {
    totals: Vec<u64>,
    groups: Groups,
}

impl Tally {
    fn new(ask: &Ask) -> Tally {
        let span = ask.days.len() * ask.width;
        let groups =
            Groups { span, index: foldhash::HashMap::default(), keys: Vec::new(), counts: Vec::new(), last: None };
        Tally { totals: vec![0; span], groups }
    }

    /// Both parts' counters in one.
    fn add(mut self, other: Tally) -> Tally {
        self.totals.iter_mut().zip(&other.totals).for_each(|(a, b)| *a += b);
        let span = other.groups.span;
        for (i, key) in other.groups.keys.iter().enumerate() {
            let at = self.groups.slot(*key);
            let theirs = &other.groups.counts[i * span..(i + 1) * span];
            self.groups.counts[at..at + span].iter_mut().zip(theirs).for_each(|(a, b)| *a += b);
        }
        self
    }
}

/// The groups met in one pass, each with a run of `span` counters; consecutive
/// graduates of one group skip the lookup.
struct Groups {
    span: usize,
    index: foldhash::HashMap<Key, usize>,
    keys: Vec<Key>,
    counts: Vec<u64>,
    last: Option<(Key, usize)>,
}

impl Groups {
    /// Where the group's counters start.
    fn slot(&mut self, key: Key) -> usize {
        if let Some((k, at)) = self.last {
            if k == key {
                return at;
            }
        }
        let next = self.keys.len();
        let i = *self.index.entry(key).or_insert(next);
        if i == next {
            self.keys.push(key);
            self.counts.resize(self.counts.len() + self.span, 0);
        }
        let at = i * self.span;
        self.last = Some((key, at));
        at
    }
}

#[derive(Hash, PartialEq, Eq, Clone, Copy)]
enum Key {
    Id(i64),
    Sym(Sym),
    Text(&'static str),
}

/// One day's counters of `tally`: `from` is where the day starts within each group's run.
fn counts_of_day(
    codes: &Arc<[Option<String>]>,
    tally: &Tally,
    name: impl Fn(&Key) -> String,
    from: usize,
    width: usize,
) -> Counts {
    let Groups { span, keys, counts, .. } = &tally.groups;
    let groups = keys
        .iter()
        .enumerate()
        .map(|(i, key)| (name(key), counts[i * span + from..i * span + from + width].to_vec()))
        .collect();
    Counts { codes: codes.clone(), total: tally.totals[from..from + width].to_vec(), groups }
}

/// Each institution's graduates by position, ascending.
fn members_of(graduates: &[Graduate]) -> foldhash::HashMap<i64, Vec<u32>> {
    let mut members: foldhash::HashMap<i64, Vec<u32>> = foldhash::HashMap::default();
    for (at, g) in graduates.iter().enumerate() {
        members.entry(g.institution).or_default().push(at as u32);
    }
    members
}

fn in_scope(scope: &Scope, g: &Graduate) -> bool {
    let owner =
        Owner { institution: Some(g.institution), college: Some(g.college), graduate: Some(g.id), ..Owner::default() };
    scope.may_see(owner)
}

/// The projections this server holds, one per cohort asked about.
pub struct Placements {
    reads: Reads,
    home_province: String,
    cohorts: Mutex<HashMap<i64, Arc<Slot>>>,
    /// Group names by grouping, institution and language, and when they were read.
    names: Mutex<HashMap<String, (std::time::Instant, Names)>>,
    /// Figures with names on, by key and language, and the counts and names they were made from.
    labelled: Mutex<HashMap<String, Labelled>>,
}

/// Named figures and what they were named from.
type Labelled = (Arc<dyn Any + Send + Sync>, Names, Arc<dyn Any + Send + Sync>);

#[derive(Default)]
struct Slot {
    catching_up: tokio::sync::Mutex<()>,
    /// Replaced whole by each catch-up, so a count in progress keeps the
    /// projection it started with and a catch-up never waits for it.
    projection: RwLock<Option<Arc<Projection>>>,
    /// Figures already made, with the revisions they were made at.
    memo: Mutex<HashMap<String, Remembered>>,
    computing: tokio::sync::Mutex<()>,
    /// The last read of the cohort's revisions and when it began.
    last_read: tokio::sync::Mutex<Option<(std::time::Instant, Option<Revisions>)>>,
}

/// Group names by key.
type Names = Arc<HashMap<String, String>>;

/// A cohort's roster and destination revisions.
type Revisions = (i64, i64);

/// Remembered figures (one per day asked), the revisions they stand at and
/// when the oldest of them was made.
struct Remembered {
    revisions: Revisions,
    made: std::time::Instant,
    value: Arc<dyn Any + Send + Sync>,
}

/// What the memo holds for a key, for the revisions and days asked.
enum Found<T> {
    /// Every day's figures still stand.
    All(Arc<Vec<T>>),
    /// The days at `stale` (indices into the days asked) must be counted again.
    Some {
        value: Arc<Vec<T>>,
        stale: Vec<usize>,
        made: std::time::Instant,
    },
    None,
}

impl Slot {
    fn find<T: Send + Sync + 'static>(&self, key: &str, revisions: Revisions, days: &[NaiveDate]) -> Found<T> {
        let mut memo = self.memo.lock().unwrap_or_else(|p| p.into_inner());
        let Some(hit) = memo.get_mut(key) else { return Found::None };
        let Ok(value) = hit.value.clone().downcast::<Vec<T>>() else { return Found::None };
        if hit.revisions == revisions {
            return Found::All(value);
        }
        if hit.revisions.0 != revisions.0 || hit.made.elapsed() >= CARRIED_AT_MOST {
            return Found::None;
        }
        let earliest = {
            let projection = self.projection.read().unwrap_or_else(|p| p.into_inner());
            projection.as_ref().and_then(|p| p.earliest_change_since(hit.revisions.1))
        };
        let Some(earliest) = earliest else { return Found::None };
        let stale: Vec<usize> = (0..days.len()).filter(|i| days[*i].num_days_from_ce() >= earliest).collect();
        if stale.is_empty() {
            hit.revisions = revisions;
            return Found::All(value);
        }
        Found::Some { value, stale, made: hit.made }
    }
}

/// How long a value may be carried past changes that do not touch its days;
/// names it shows (a renamed college) are read again after this.
const CARRIED_AT_MOST: std::time::Duration = std::time::Duration::from_secs(600);

/// Memo entries kept per cohort before the oldest ones are dropped wholesale.
const MEMO_LIMIT: usize = 128;

impl Placements {
    pub fn new(db: Db, home_province: &str) -> Placements {
        Placements::reading(Reads::primary(db), home_province)
    }

    /// Placements read from `reads`: a streaming replica while it is current enough.
    pub fn reading(reads: Reads, home_province: &str) -> Placements {
        Placements {
            reads,
            home_province: home_province.to_owned(),
            cohorts: Mutex::new(HashMap::new()),
            names: Mutex::new(HashMap::new()),
            labelled: Mutex::new(HashMap::new()),
        }
    }

    /// Where the figures are read now (see [`Reads::reader`]).
    pub fn db(&self) -> &Db {
        self.reads.reader()
    }

    /// How old the figures may be when they are read from a replica; `None` from the primary.
    pub fn staleness(&self) -> Option<std::time::Duration> {
        self.reads.staleness()
    }

    /// `counted` with names put on by `name` (one day's figures at a time),
    /// remembered under `key` and `l` while the counts and the names stay the
    /// same values, so a burst of views names the figures once.
    pub fn labelled<T: Send + Sync + 'static>(
        &self,
        key: &str,
        l: Locale,
        counted: &Arc<Vec<T>>,
        names: &Names,
        name: impl Fn(&T) -> T,
    ) -> Arc<Vec<T>> {
        let key = format!("{key} {l:?}");
        let held = self.labelled.lock().unwrap_or_else(|p| p.into_inner()).get(&key).cloned();
        if let Some((from, by, value)) = held {
            let same_counts = from.downcast::<Vec<T>>().is_ok_and(|from| Arc::ptr_eq(&from, counted));
            if same_counts && Arc::ptr_eq(&by, names) {
                if let Ok(value) = value.downcast::<Vec<T>>() {
                    return value;
                }
            }
        }
        let value: Arc<Vec<T>> = Arc::new(counted.iter().map(name).collect());
        let mut held = self.labelled.lock().unwrap_or_else(|p| p.into_inner());
        if held.len() >= MEMO_LIMIT {
            held.clear();
        }
        held.insert(key, (counted.clone(), names.clone(), value.clone()));
        value
    }

    /// The names of a grouping's groups in `l`, within one institution when
    /// given; read again once they are older than `CARRIED_AT_MOST`.
    pub async fn names(&self, grouping: Grouping, institution: Option<i64>, l: Locale) -> DbResult<Names> {
        let key = format!("{grouping:?} {institution:?} {l:?}");
        let held = self.names.lock().unwrap_or_else(|p| p.into_inner()).get(&key).cloned();
        if let Some((_, names)) = held.filter(|(read, _)| read.elapsed() < CARRIED_AT_MOST) {
            return Ok(names);
        }
        let names = Arc::new(grouping.names(self.db(), institution, l).await?);
        let mut held = self.names.lock().unwrap_or_else(|p| p.into_inner());
        if held.len() >= MEMO_LIMIT {
            held.clear();
        }
        held.insert(key, (std::time::Instant::now(), names.clone()));
        Ok(names)
    }

    /// Runs `f` on the cohort's projection once it is current; `None` for an unknown cohort.
    pub async fn with<R>(&self, cohort: i64, f: impl FnOnce(&Projection) -> R) -> DbResult<Option<R>> {
        let Some((slot, _)) = self.current(cohort).await? else {
            return Ok(None);
        };
        let projection = slot.projection.read().unwrap_or_else(|p| p.into_inner()).clone();
        Ok(projection.as_deref().map(f))
    }

    /// What `compute` makes of the cohort's figures for each of `days`,
    /// remembered under `key`. After the cohort's records change, only the
    /// days the change reaches are computed again (a destination is recorded
    /// today, so a past day never moves), and a burst of views after a change
    /// computes once. `None` for an unknown cohort.
    pub async fn remember_days<T, E, F, Fut>(
        &self,
        cohort: i64,
        key: String,
        days: &[NaiveDate],
        compute: F,
    ) -> Result<Option<Arc<Vec<T>>>, E>
    where
        T: Clone + Send + Sync + 'static,
        E: From<DbError>,
        F: FnOnce(Vec<NaiveDate>) -> Fut,
        Fut: Future<Output = Result<Vec<T>, E>>,
    {
        let Some((slot, revisions)) = self.current(cohort).await? else {
            return Ok(None);
        };
        if let Found::All(value) = slot.find(&key, revisions, days) {
            return Ok(Some(value));
        }
        // After a change, the burst of views waiting for new figures computes them once.
        let _one_at_a_time = slot.computing.lock().await;
        let (value, made) = match slot.find(&key, revisions, days) {
            Found::All(value) => return Ok(Some(value)),
            Found::Some { value, stale, made } => {
                let fresh = compute(stale.iter().map(|i| days[*i]).collect()).await?;
                let mut merged = value.as_ref().clone();
                for (i, figures) in stale.into_iter().zip(fresh) {
                    merged[i] = figures;
                }
                (Arc::new(merged), made)
            }
            Found::None => (Arc::new(compute(days.to_vec()).await?), std::time::Instant::now()),
        };
        let mut memo = slot.memo.lock().unwrap_or_else(|p| p.into_inner());
        if memo.len() >= MEMO_LIMIT {
            memo.clear();
        }
        memo.insert(key, Remembered { revisions, made, value: value.clone() });
        Ok(Some(value))
    }

    /// The cohort's slot, caught up with the database, and the revisions it is at.
    async fn current(&self, cohort: i64) -> DbResult<Option<(Arc<Slot>, Revisions)>> {
        let asked = std::time::Instant::now();
        let known = self.cohorts.lock().unwrap_or_else(|p| p.into_inner()).get(&cohort).cloned();
        let revisions = match &known {
            Some(slot) => self.revisions_since(slot, cohort, asked).await?,
            None => self.revisions(cohort).await?,
        };
        let Some(revisions) = revisions else {
            return Ok(None);
        };
        let slot = match known {
            Some(slot) => slot,
            None => self.cohorts.lock().unwrap_or_else(|p| p.into_inner()).entry(cohort).or_default().clone(),
        };
        if !is_current(&slot, revisions) {
            let held = slot.projection.read().unwrap_or_else(|p| p.into_inner()).clone();
            let _one_at_a_time = match (slot.catching_up.try_lock(), held) {
                (Ok(guard), _) => guard,
                // While a roster change is being taken, views are served the
                // projection held, at its own revisions, rather than wait.
                (Err(_), Some(held)) if held.roster_revision != revisions.0 => {
                    let at = (held.roster_revision, held.destination_revision);
                    return Ok(Some((slot.clone(), at)));
                }
                (Err(_), _) => slot.catching_up.lock().await,
            };
            if !is_current(&slot, revisions) {
                self.catch_up(&slot, cohort, revisions).await?;
            }
        }
        Ok(Some((slot, revisions)))
    }

    async fn revisions(&self, cohort: i64) -> DbResult<Option<Revisions>> {
        registry::cohorts::revisions(self.db(), cohort).await
    }

    /// The cohort's revisions as read by a read that began after `asked`:
    /// views arriving together share one read, and each still sees every
    /// write committed before it arrived. Under load on PostgreSQL this
    /// turns a round trip per view into a few per burst.
    async fn revisions_since(
        &self,
        slot: &Slot,
        cohort: i64,
        asked: std::time::Instant,
    ) -> DbResult<Option<Revisions>> {
        let mut last = slot.last_read.lock().await;
        if let Some((began, revisions)) = *last {
            if began >= asked {
                return Ok(revisions);
            }
        }
        let began = std::time::Instant::now();
        let revisions = self.revisions(cohort).await?;
        *last = Some((began, revisions));
        Ok(revisions)
    }

    async fn catch_up(&self, slot: &Slot, cohort: i64, (roster, destinations): Revisions) -> DbResult<()> {
        let current = slot.projection.read().unwrap_or_else(|p| p.into_inner()).clone();
        match current {
            Some(current) => {
                // The next projection is made beside the current one, which counts go on using.
                let mut next = Projection::clone(&current);
                if next.roster_revision != roster {
                    let changed = self
                        .graduates(cohort, "g.roster_revision > $2", next.roster_revision, &mut next.symbols)
                        .await?;
                    tracing::debug!(cohort, changed = changed.len(), "placement projection takes roster changes");
                    next.take_graduates(changed);
                    next.roster_revision = roster;
                }
                let after = next.last_event_id;
                let events = self.events(cohort, after, &mut next.symbols, &mut next.categories).await?;
                let earliest = events.iter().map(|(_, e)| e.day).min().unwrap_or(i32::MAX);
                next.add_events(events);
                next.caught_up(destinations, earliest);
                *slot.projection.write().unwrap_or_else(|p| p.into_inner()) = Some(Arc::new(next));
            }
            None => {
                let started = std::time::Instant::now();
                let fresh = self.load(cohort, roster, destinations).await?;
                tracing::info!(cohort, graduates = fresh.graduates.len(), elapsed = ?started.elapsed(), "placement projection loaded");
                *slot.projection.write().unwrap_or_else(|p| p.into_inner()) = Some(Arc::new(fresh));
            }
        }
        Ok(())
    }

    async fn load(&self, cohort: i64, roster_revision: i64, destination_revision: i64) -> DbResult<Projection> {
        // Graduates and events are read side by side, each with its own symbols; the events' are renumbered after.
        let (mut symbols, mut categories, mut event_symbols) = Default::default();
        let (graduates, events) = tokio::try_join!(
            self.graduates(cohort, "g.id > $2", 0, &mut symbols),
            self.events(cohort, 0, &mut event_symbols, &mut categories),
        )?;
        let mut p = Projection::new((roster_revision, destination_revision), symbols, categories, graduates);
        let renumbered: Vec<Sym> = event_symbols.names.iter().map(|name| p.symbols.intern(name)).collect();
        let renumber = |sym: Sym| if sym == NONE { NONE } else { renumbered[sym as usize] };
        let events = events
            .into_iter()
            .map(|(graduate, e)| {
                (
                    graduate,
                    Event {
                        region: renumber(e.region),
                        industry: renumber(e.industry),
                        nature: renumber(e.nature),
                        ..e
                    },
                )
            })
            .collect();
        p.add_events(events);
        Ok(p)
    }

    /// The cohort's graduates that pass `filter` (on `$2`, which is `value`), in id order.
    async fn graduates(&self, cohort: i64, filter: &str, value: i64, s: &mut Symbols) -> DbResult<Vec<Graduate>> {
        let disciplines: HashMap<i64, Sym> = self
            .db()
            .fetch_all(
                "SELECT m.id, mc.discipline_code FROM majors m \
                 LEFT JOIN major_catalogue mc ON mc.catalogue = m.catalogue AND mc.code = m.code",
                &[],
            )
            .await?
            .iter()
            .map(|r| Ok((r.i64("id")?, s.opt(r.opt_text("discipline_code")?.as_deref()))))
            .collect::<DbResult<_>>()?;
        let sql = format!(
            "SELECT g.id, g.institution_id, g.college_id, g.major_id, g.education_level, g.gender, g.urban_rural, \
             g.origin_region_code, g.key_groups, g.joined_at FROM graduates g \
             WHERE g.cohort_year = $1 AND {filter}"
        );
        let home = self.home_province.clone();
        let state = (Vec::new(), std::mem::take(s));
        let (mut graduates, symbols): (Vec<Graduate>, Symbols) = self
            .db()
            .scan(&sql, &[cohort.into(), value.into()], state, move |(graduates, s), r| {
                let major = r.i64(3)?;
                let Some(&discipline) = disciplines.get(&major) else { return Ok(()) };
                graduates.push(Graduate {
                    id: r.i64(0)?,
                    institution: r.i64(1)?,
                    college: r.i64(2)?,
                    major,
                    level: s.intern(r.text(4)?),
                    gender: s.intern(r.text(5)?),
                    urban_rural: s.intern(r.text(6)?),
                    discipline,
                    home_origin: r.text(7)?.starts_with(&home),
                    key_groups: r
                        .text(8)?
                        .split([',', ';', '，'])
                        .map(str::trim)
                        .filter(|k| !k.is_empty())
                        .map(|k| s.intern(k))
                        .collect(),
                    joined: r.opt_text(9)?.map(china_day).transpose()?.unwrap_or(i32::MIN),
                });
                Ok(())
            })
            .await?;
        *s = symbols;
        // Sorted here: SQLite would sort them in a temporary b-tree, more slowly.
        graduates.sort_unstable_by_key(|g| g.id);
        Ok(graduates)
    }

    /// The cohort's events after `after`, in id order.
    async fn events(
        &self,
        cohort: i64,
        after: i64,
        s: &mut Symbols,
        categories: &mut Symbols,
    ) -> DbResult<Vec<(i64, Event)>> {
        let home = self.home_province.clone();
        let state = (Vec::new(), std::mem::take(s), std::mem::take(categories));
        let (events, symbols, codes) = self
            .db()
            .scan(
                "SELECT id, graduate_id, at, category_code, region_code, industry_code, nature_code FROM destination_events \
                 WHERE id > $1 AND cohort_year = $2 ORDER BY id",
                &[after.into(), cohort.into()],
                state,
                move |(events, s, categories), r| {
                    let e = Event {
                        id: r.i64(0)?,
                        day: china_day(r.text(2)?)?,
                        category: categories.intern(r.text(3)?) as u16,
                        region: s.opt(r.opt_text(4)?.map(|code| report_region(&home, code)).as_deref()),
                        industry: s.opt(r.opt_text(5)?),
                        nature: s.opt(r.opt_text(6)?),
                    };
                    events.push((r.i64(1)?, e));
                    Ok(())
                },
            )
            .await?;
        (*s, *categories) = (symbols, codes);
        Ok(events)
    }
}

/// Employment regions count by prefecture in the home province and by province elsewhere.
fn report_region(home_province: &str, code: &str) -> String {
    match code.get(..2) {
        Some(p) if p == home_province => format!("{}00", code.get(..4).unwrap_or(p)),
        Some(p) => format!("{p}0000"),
        None => String::new(),
    }
}

fn is_current(slot: &Slot, (roster, destinations): Revisions) -> bool {
    let projection = slot.projection.read().unwrap_or_else(|p| p.into_inner());
    projection.as_ref().is_some_and(|p| p.roster_revision == roster && p.destination_revision >= destinations)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn projection(ids: &[i64]) -> Projection {
        let mut b = Builder::default();
        for id in ids {
            b.graduate(*id, (1, 1, 1), "本科生毕业", if id % 20 == 0 { "女" } else { "男" });
        }
        b.categories.intern("10");
        b.categories.intern("701");
        b.build()
    }

    fn event(id: i64, day: &str, category: u16) -> Event {
        let day = NaiveDate::parse_from_str(day, "%Y-%m-%d").unwrap().num_days_from_ce();
        Event { id, day, category, region: NONE, industry: NONE, nature: NONE }
    }

    fn ids(p: &Projection, at: usize) -> Vec<i64> {
        p.held(at).iter().map(|e| e.id).collect()
    }

    #[test]
    fn the_last_days_recorded_are_found_before_a_limit_and_at_all() {
        let day = |d: &str| NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap();
        let mut p = projection(&[10, 20]);
        assert_eq!((p.last_day(), p.last_day_until(day("2022-12-31"))), (None, None));
        p.add_events(vec![(10, event(1, "2022-08-31", 0)), (20, event(2, "2023-01-05", 0))]);
        p.add_events(vec![(10, event(3, "2022-06-01", 1))]);
        assert_eq!(p.last_day(), Some(day("2023-01-05")));
        assert_eq!(p.last_day_until(day("2022-12-31")), Some(day("2022-08-31")));
        assert_eq!(p.last_day_until(day("2022-08-30")), Some(day("2022-06-01")));
        assert_eq!(p.last_day_until(day("2022-05-31")), None);
    }

    #[test]
    fn roster_changes_replace_and_add_graduates_and_count_from_the_day_they_joined() {
        let mut p = projection(&[10, 20]);
        p.add_events(vec![(10, event(1, "2022-05-01", 0)), (20, event(2, "2022-05-02", 0))]);
        let day = |d: &str| NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap();
        let mut moved = p.graduates[1].clone();
        moved.institution = 2;
        let mut joined = p.graduates[0].clone();
        joined.id = 30;
        joined.joined = day("2022-09-01").num_days_from_ce();
        p.take_graduates(vec![moved, joined]);
        assert_eq!((p.graduates.len(), ids(&p, 1), ids(&p, 2)), (3, vec![2], vec![]));
        p.add_events(vec![(30, event(3, "2022-09-02", 0))]);
        assert_eq!(ids(&p, 2), vec![3]);
        let total = |d: &str| p.count(&Scope::Province, day(d), Grouping::Institution);
        assert_eq!(total("2022-08-31").group("2").map(|c| c.values().sum::<u64>()), Some(1));
        let on = |d: &str| total(d).groups.iter().flat_map(|(_, run)| run).sum::<u64>();
        assert_eq!(
            (on("2022-08-31"), on("2022-09-30")),
            (2, 3),
            "the graduate who joined in September counts from then"
        );
    }

    #[test]
    fn an_institutions_count_walks_its_own_graduates_and_follows_moves() {
        let mut p = projection(&[10, 20, 30, 40]);
        let mut second = p.graduates[2].clone();
        second.institution = 2;
        p.take_graduates(vec![second]);
        p.add_events(vec![(10, event(1, "2022-05-01", 0)), (30, event(2, "2022-05-02", 0))]);
        let day = NaiveDate::from_ymd_opt(2022, 8, 31).unwrap();
        let of = |p: &Projection, id: i64| {
            let scope = Scope::Institution { institution_id: id, college_id: None };
            let counts = p.count(&scope, day, Grouping::Institution);
            let mut total: Vec<(Option<String>, u64)> = counts.by_code(&counts.total).into_iter().collect();
            total.sort();
            total
        };
        assert_eq!(of(&p, 1), vec![(None, 2), (Some("10".into()), 1)]);
        assert_eq!(of(&p, 2), vec![(Some("10".into()), 1)]);
        assert_eq!(of(&p, 3), vec![]);
        // Graduate 10 moves to institution 2, and a graduate joins institution 1.
        let mut moved = p.graduates[0].clone();
        moved.institution = 2;
        let mut joined = p.graduates[1].clone();
        joined.id = 50;
        p.take_graduates(vec![moved, joined]);
        assert_eq!(p.members.get(&2), Some(&vec![0, 2]));
        assert_eq!(p.members.get(&1), Some(&vec![1, 3, 4]));
        assert_eq!(of(&p, 1), vec![(None, 3)]);
        assert_eq!(of(&p, 2), vec![(Some("10".into()), 2)]);
    }

    #[test]
    fn events_merge_in_order_and_what_is_held_is_not_added_twice() {
        let mut p = projection(&[10, 20, 30]);
        p.add_events(vec![
            (10, event(1, "2022-05-01", 0)),
            (30, event(2, "2022-05-02", 0)),
            (10, event(3, "2022-09-01", 1)),
        ]);
        assert_eq!((ids(&p, 0), ids(&p, 1), ids(&p, 2)), (vec![1, 3], vec![], vec![2]));
        // A catch-up that reads an event again, and one for a graduate not in the cohort.
        p.add_events(vec![
            (10, event(3, "2022-09-01", 1)),
            (20, event(4, "2022-06-01", 0)),
            (99, event(5, "2022-06-02", 0)),
        ]);
        assert_eq!((ids(&p, 0), ids(&p, 1), ids(&p, 2)), (vec![1, 3], vec![4], vec![2]));
        assert_eq!(p.last_event_id, 5);
    }

    #[test]
    fn a_day_counts_each_graduates_last_event_recorded_by_its_end() {
        let mut p = projection(&[10, 20, 30]);
        p.add_events(vec![
            (10, event(1, "2022-05-01", 0)),
            (20, event(2, "2022-06-01", 0)),
            (10, event(3, "2022-09-01", 1)),
        ]);
        let day = |d: &str| NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap();
        let [april, august, december]: [Counts; 3] = p
            .count_days(&Scope::Province, &[day("2022-04-30"), day("2022-08-31"), day("2022-12-31")], Grouping::Gender)
            .try_into()
            .unwrap_or_else(|_| panic!("three days"));
        let code = |c: &str| Some(c.to_owned());
        assert_eq!(april.by_code(&april.total), HashMap::from([(None, 3)]));
        assert_eq!(august.by_code(&august.total), HashMap::from([(code("10"), 2), (None, 1)]));
        assert_eq!(december.by_code(&december.total), HashMap::from([(code("10"), 1), (code("701"), 1), (None, 1)]));
        // Graduate 20 is 女 and placed from June; the others are 男.
        assert_eq!(august.group("女"), Some(HashMap::from([(code("10"), 1)])));
        let staff = Scope::Institution { institution_id: 2, college_id: None };
        let other = p.count(&staff, day("2022-12-31"), Grouping::Gender);
        assert!(other.by_code(&other.total).is_empty(), "another institution's");
    }

    #[test]
    fn parts_added_up_count_as_one_pass() {
        let ids: Vec<i64> = (1..=60).collect();
        let mut p = projection(&ids);
        let events = ids.iter().filter(|id| *id % 3 != 0).map(|id| {
            let (day, category) = if id % 2 == 0 { ("2022-05-01", 0) } else { ("2022-07-15", 1) };
            (*id, event(*id, day, category))
        });
        p.add_events(events.collect());
        let days: Vec<i32> = ["2022-06-30", "2022-08-31"]
            .iter()
            .map(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap().num_days_from_ce())
            .collect();
        for grouping in [Grouping::Gender, Grouping::Level, Grouping::EmployerRegion] {
            let ask = Ask { scope: &Scope::Province, days: &days, grouping, width: p.categories.names.len() + 1 };
            let one = p.tally(&ask, 0..60);
            let parts = p.tally(&ask, 0..7).add(p.tally(&ask, 7..41)).add(p.tally(&ask, 41..60));
            let day = |t: &Tally, d: usize| counts_of_day(&p.codes(), t, |k| p.key_name(k), d * ask.width, ask.width);
            for d in 0..days.len() {
                let (a, b) = (day(&one, d), day(&parts, d));
                assert_eq!((a.total, a.groups), (b.total, b.groups), "{grouping:?}, day {d}");
            }
        }
    }

    #[test]
    fn figures_stand_until_a_change_reaches_their_days() {
        let day = |d: &str| NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap().num_days_from_ce();
        let mut p = projection(&[10]);
        // Revision 1 read nothing (a bump without events), revision 2 an event recorded on 1 September.
        p.caught_up(1, i32::MAX);
        assert_eq!(p.earliest_change_since(0), Some(i32::MAX), "nothing moved");
        p.caught_up(2, day("2022-09-01"));
        p.caught_up(3, day("2022-10-01"));
        assert_eq!(p.earliest_change_since(0), Some(day("2022-09-01")), "August's figures stand");
        assert_eq!(p.earliest_change_since(2), Some(day("2022-10-01")), "made after the first change");
        assert_eq!(p.earliest_change_since(3), Some(i32::MAX));
        for revision in 4..(4 + CATCH_UPS_KEPT as i64) {
            p.caught_up(revision, i32::MAX);
        }
        assert_eq!(p.earliest_change_since(1), None, "older than the changes remembered");
    }
}
