//! Job search (找工作): a full-text index of the published postings in the
//! data folder (tantivy, Chinese words by jieba), a projection the database
//! feeds: every write to a posting appends to `posting_changes` in its own
//! transaction, and each server's index follows that feed from where its
//! last commit recorded, every second and before each search. A missing,
//! outdated or corrupt index is rebuilt from the database when first needed
//! (the server starts it at once); until it is ready the job list reads the
//! database directly.

pub mod pages;
pub mod query;
pub mod recommend;
pub mod saved;
pub mod schema;
pub mod source;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use fulltext::feed::Cursor;
use fulltext::folder;
use fulltext::tantivy::collector::{Count, FacetCollector, FacetCounts, TopDocs};
use fulltext::tantivy::indexer::{LogMergePolicy, NoMergePolicy};
use fulltext::tantivy::query::Query;
use fulltext::tantivy::schema::Facet;
use fulltext::tantivy::{DocAddress, Index, IndexReader, IndexWriter, Order, ReloadPolicy, Searcher, Term};
use fulltext::text::QueryWord;
use kernel::web::table::Paging;
use kernel::{Db, DbResult};
use tokio::sync::mpsc;

use query::Filters;
use schema::{document, Fields, JobDoc};

/// A search index's own errors, apart from the database's.
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    #[error(transparent)]
    Search(#[from] fulltext::SearchError),
    #[error(transparent)]
    Db(#[from] kernel::DbError),
}

impl From<fulltext::tantivy::TantivyError> for IndexError {
    fn from(e: fulltext::tantivy::TantivyError) -> IndexError {
        IndexError::Search(e.into())
    }
}

impl From<IndexError> for kernel::web::AppError {
    fn from(e: IndexError) -> kernel::web::AppError {
        match e {
            IndexError::Db(e) => e.into(),
            IndexError::Search(e) => kernel::web::AppError::Internal(anyhow::anyhow!(e)),
        }
    }
}

/// A server's writer: one thread beside the requests, a spare folder when another server holds this one.
const SERVER: folder::Writing = folder::Writing { threads: 1, memory: 64 << 20, spare_folders: true };
/// `jiuye reindex`: the machine to itself, the data folder's own index or none.
pub const REBUILD: folder::Writing = folder::Writing { threads: 2, memory: 512 << 20, spare_folders: false };
/// Postings read from the database at a time, building or following.
const BATCH: i64 = 2_000;
/// The deepest page of results offered.
pub const MAX_PAGE: i64 = 20;

/// The job index of one server.
pub struct JobIndex {
    root: PathBuf,
    writing: folder::Writing,
    live: OnceLock<Live>,
    opening: tokio::sync::Mutex<()>,
    /// A build's progress: postings indexed, of how many.
    built: AtomicU64,
    to_build: AtomicU64,
}

struct Live {
    reader: IndexReader,
    fields: Fields,
    writer: tokio::sync::Mutex<Writer>,
    /// The newest change applied.
    newest: AtomicI64,
    _index: Index,
}

struct Writer {
    writer: IndexWriter,
    cursor: Cursor,
}

/// Where a search stands when the index is not ready: how far its build has come.
#[derive(Debug, Clone, Copy)]
pub struct Building {
    pub done: u64,
    pub total: u64,
}

impl JobIndex {
    /// The index under `<data>/search`; nothing is opened until first needed.
    pub fn new(data_dir: &Path) -> JobIndex {
        JobIndex::writing(data_dir, SERVER)
    }

    pub fn writing(data_dir: &Path, writing: folder::Writing) -> JobIndex {
        JobIndex {
            root: data_dir.join("search"),
            writing,
            live: OnceLock::new(),
            opening: tokio::sync::Mutex::new(()),
            built: AtomicU64::new(0),
            to_build: AtomicU64::new(0),
        }
    }

    pub fn building(&self) -> Building {
        Building { done: self.built.load(Ordering::Relaxed), total: self.to_build.load(Ordering::Relaxed) }
    }

    /// The open index; built first when it must be. `None` while another task builds it.
    async fn live(&self, db: &Db, progress: &(dyn Fn(u64, u64) + Sync)) -> Result<Option<&Live>, IndexError> {
        if let Some(live) = self.live.get() {
            return Ok(Some(live));
        }
        let Ok(_opening) = self.opening.try_lock() else { return Ok(None) };
        if self.live.get().is_none() {
            let live = self.open(db, progress).await?;
            let _ = self.live.set(live);
        }
        Ok(self.live.get())
    }

    async fn open(&self, db: &Db, progress: &(dyn Fn(u64, u64) + Sync)) -> Result<Live, IndexError> {
        let (schema, fields) = schema::schema();
        let opened = folder::open(&self.root, "postings", &schema, self.writing)?;
        let reader = opened.index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
        let mut writer = Writer { writer: opened.writer, cursor: Cursor::new(opened.position.unwrap_or(0)) };
        if opened.position.is_none() {
            tracing::info!(path = %opened.path.display(), "building the job search index from the database");
            self.build(db, &fields, &mut writer, progress).await?;
        }
        let live = Live {
            reader,
            fields,
            newest: AtomicI64::new(writer.cursor.floor()),
            writer: tokio::sync::Mutex::new(writer),
            _index: opened.index,
        };
        live.reader.reload()?;
        Ok(live)
    }

    /// Every published posting into an emptied index, then the feed's
    /// position as it was before reading (what changed meanwhile is read again).
    async fn build(
        &self,
        db: &Db,
        fields: &Fields,
        w: &mut Writer,
        progress: &(dyn Fn(u64, u64) + Sync),
    ) -> Result<(), IndexError> {
        let started = Instant::now();
        let position = source::last_change(db).await?;
        let total = source::published(db).await?.max(0) as u64;
        self.to_build.store(total, Ordering::Relaxed);
        w.writer.delete_all_documents()?;
        // Merges during a build take the cores the build needs, for segments
        // a later merge would merge again; the first commit after it merges.
        w.writer.set_merge_policy(Box::new(NoMergePolicy));
        let mut batches = read_all(db.clone(), source::Names::load(db).await?);
        let mut done = 0u64;
        while let Some(docs) = batches.recv().await {
            let docs = docs?;
            for d in &docs {
                w.writer.add_document(document(fields, d))?;
            }
            done += docs.len() as u64;
            self.built.store(done, Ordering::Relaxed);
            progress(done, total.max(done));
        }
        folder::commit(&mut w.writer, position)?;
        w.writer.set_merge_policy(Box::<LogMergePolicy>::default());
        w.cursor = Cursor::new(position);
        tracing::info!(postings = done, seconds = started.elapsed().as_secs_f32(), "job search index built");
        Ok(())
    }

    /// Rebuilds the index from the database whatever it holds (`jiuye reindex`);
    /// returns how many postings it holds.
    pub async fn rebuild(&self, db: &Db, progress: &(dyn Fn(u64, u64) + Sync)) -> Result<u64, IndexError> {
        let Some(live) = self.live(db, progress).await? else { return Ok(0) };
        let mut w = live.writer.lock().await;
        if self.to_build.load(Ordering::Relaxed) == 0 {
            self.build(db, &live.fields, &mut w, progress).await?;
        }
        live.reader.reload()?;
        live.newest.store(w.cursor.floor(), Ordering::Relaxed);
        Ok(self.built.load(Ordering::Relaxed))
    }

    /// Applies the feed's new changes; returns how many postings it rewrote.
    pub async fn follow(&self, db: &Db) -> Result<usize, IndexError> {
        let Some(live) = self.live(db, &|_, _| {}).await? else { return Ok(0) };
        follow(db, live).await
    }

    /// Opens (building if need be) and follows the feed every second, and
    /// checks the saved searches due every minute, for as long as the server runs.
    pub fn start(self: &Arc<Self>, db: Db) {
        let index = self.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(1));
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            for second in 0u64.. {
                tick.tick().await;
                if let Err(error) = index.follow(&db).await {
                    tracing::warn!(%error, "job search index: following the postings' changes failed");
                }
                if second % 60 == 30 {
                    if let Err(error) = saved::tell_new(&db, &index, kernel::time::today_china()).await {
                        tracing::warn!(%error, "saved searches: checking for new postings failed");
                    }
                }
            }
        });
    }

    /// Searches the open index, once it has applied every change already
    /// committed; `Err(Building)` while it is being built.
    pub async fn search(&self, db: &Db, asked: &Asked) -> Result<Result<Found, Building>, IndexError> {
        let Some(live) = self.live(db, &|_, _| {}).await? else { return Ok(Err(self.building())) };
        if source::last_change(db).await? > live.newest.load(Ordering::Relaxed) {
            follow(db, live).await?;
        }
        Ok(Ok(run(&live.reader.searcher(), &live.fields, asked)?))
    }
}

/// Every published posting, in batches read by a task of its own, so that
/// reading the next batch from the database overlaps indexing this one.
fn read_all(db: Db, names: source::Names) -> mpsc::Receiver<DbResult<Vec<JobDoc>>> {
    let (batches, received) = mpsc::channel(2);
    tokio::spawn(async move {
        let mut after = 0;
        loop {
            let batch = source::documents_after(&db, &names, after, BATCH).await;
            let next = match &batch {
                Ok(docs) => match docs.last() {
                    Some(last) => Some(last.id),
                    None => return,
                },
                Err(_) => None,
            };
            // A build that failed no longer receives.
            if batches.send(batch).await.is_err() {
                return;
            }
            match next {
                Some(id) => after = id,
                None => return,
            }
        }
    });
    received
}

async fn follow(db: &Db, live: &Live) -> Result<usize, IndexError> {
    let mut w = live.writer.lock().await;
    let mut rewritten = 0;
    let mut names = None;
    loop {
        let changes = source::changes_after(db, w.cursor.floor(), BATCH).await?;
        let ids: Vec<i64> = changes.iter().map(|c| c.0).collect();
        let fresh = w.cursor.fresh(&ids);
        let floor = w.cursor.floor();
        if fresh.is_empty() {
            w.cursor.applied(&[], Instant::now());
            let moved = w.cursor.floor();
            if moved != floor {
                folder::commit(&mut w.writer, moved)?;
            }
            return Ok(rewritten);
        }
        let postings: Vec<i64> =
            changes.iter().filter(|c| fresh.contains(&c.0)).map(|c| c.1).collect::<BTreeSet<_>>().into_iter().collect();
        for id in &postings {
            w.writer.delete_term(Term::from_field_i64(live.fields.id, *id));
        }
        let names = match &mut names {
            Some(n) => n,
            None => names.insert(source::Names::load(db).await?),
        };
        for d in source::documents_of(db, names, &postings).await? {
            w.writer.add_document(document(&live.fields, &d))?;
        }
        w.cursor.applied(&fresh, Instant::now());
        let floor = w.cursor.floor();
        folder::commit(&mut w.writer, floor)?;
        live.reader.reload()?;
        live.newest.fetch_max(fresh.iter().copied().max().unwrap_or(0), Ordering::Relaxed);
        rewritten += postings.len();
        if (changes.len() as i64) < BATCH {
            return Ok(rewritten);
        }
    }
}

/// A page of the job list: from the index, or from the database while the index is built.
pub struct Listed {
    pub postings: Vec<crate::postings::Posting>,
    pub counts: Counts,
    pub near: bool,
    pub building: Option<Building>,
}

/// The page of open postings a search asks for; `paging.total` set.
pub async fn find(
    db: &Db,
    jobs: &JobIndex,
    s: &crate::postings::Search,
    today: chrono::NaiveDate,
    paging: &mut Paging,
    l: kernel::Locale,
) -> Result<Listed, IndexError> {
    paging.page = paging.page.min(MAX_PAGE);
    let asked = Asked {
        words: fulltext::text::query_words(&s.q),
        filters: Filters::of(s, today),
        sort: if s.sort == "new" { Sort::Newest } else { Sort::Relevance },
        offset: paging.offset().max(0) as usize,
        limit: paging.size().clamp(1, 1_000) as usize,
    };
    match jobs.search(db, &asked).await? {
        Ok(found) => {
            paging.total = found.total as i64;
            let postings = crate::postings::by_ids(db, &found.ids, l).await?;
            Ok(Listed { postings, counts: found.counts, near: found.near, building: None })
        }
        Err(building) => {
            let postings = crate::postings::search(db, s, today, paging, l).await?;
            Ok(Listed { postings, counts: Counts::default(), near: false, building: Some(building) })
        }
    }
}

/// How results are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sort {
    /// Best match first (the default when words are given).
    Relevance,
    /// Newest published first.
    Newest,
}

/// A search as the index runs it.
#[derive(Debug, Clone)]
pub struct Asked {
    pub words: Vec<QueryWord>,
    pub filters: Filters,
    pub sort: Sort,
    /// Results to skip (paging).
    pub offset: usize,
    pub limit: usize,
}

/// How many results each value of a filter would give, biggest first.
#[derive(Debug, Clone, Default)]
pub struct Counts {
    /// Under the region picked (or the provinces, when none is).
    pub regions: Vec<(String, u64)>,
    pub industries: Vec<(String, u64)>,
    pub positions: Vec<(String, u64)>,
    /// Education levels; "any" is 不限.
    pub education: Vec<(String, u64)>,
    pub public: Vec<(String, u64)>,
}

#[derive(Debug, Clone, Default)]
pub struct Found {
    pub total: usize,
    /// Posting ids, in order.
    pub ids: Vec<i64>,
    pub counts: Counts,
    /// Nothing matched every word: these are near matches.
    pub near: bool,
}

fn run(searcher: &Searcher, f: &Fields, asked: &Asked) -> Result<Found, IndexError> {
    let found = run_query(searcher, f, asked, query::strict(f, &asked.words))?;
    if found.total > 0 || asked.words.is_empty() {
        return Ok(found);
    }
    match query::loose(f, &asked.words) {
        Some(loose) => Ok(Found { near: true, ..run_query(searcher, f, asked, Some(loose))? }),
        None => Ok(found),
    }
}

fn facet_collector(field: &str, under: Facet) -> FacetCollector {
    let mut c = FacetCollector::for_field(field);
    c.add_facet(under);
    c
}

fn run_query(
    searcher: &Searcher,
    f: &Fields,
    asked: &Asked,
    words: Option<Box<dyn Query>>,
) -> Result<Found, IndexError> {
    let scored = words.is_some() && asked.sort == Sort::Relevance;
    let q = query::combine(words, asked.filters.queries(f));
    let region_under = asked.filters.region.clone().unwrap_or_else(Facet::root);
    let facets = (
        (facet_collector("region", region_under.clone()), facet_collector("industry", Facet::root())),
        (facet_collector("position", Facet::root()), facet_collector("education", Facet::root())),
        facet_collector("public", Facet::from_path(["public"])),
    );
    let top = TopDocs::with_limit(asked.limit.max(1)).and_offset(asked.offset);
    let (total, addresses, ((regions, industries), (positions, education), public)) = if scored {
        let (total, hits, facets) = searcher.search(&q, &(Count, top.order_by_score(), facets))?;
        (total, hits.into_iter().map(|h| h.1).collect::<Vec<_>>(), facets)
    } else {
        let newest = top.order_by_fast_field::<i64>("approved", Order::Desc);
        let (total, hits, facets) = searcher.search(&q, &(Count, newest, facets))?;
        (total, hits.into_iter().map(|h| h.1).collect(), facets)
    };
    Ok(Found {
        total,
        ids: ids_of(searcher, &addresses)?,
        counts: Counts {
            regions: children(&regions, &region_under),
            industries: children(&industries, &Facet::root()),
            positions: children(&positions, &Facet::root()),
            education: children(&education, &Facet::root()),
            public: children(&public, &Facet::from_path(["public"])),
        },
        near: false,
    })
}

fn children(counts: &FacetCounts, under: &Facet) -> Vec<(String, u64)> {
    let mut out: Vec<(String, u64)> = counts
        .get(under.clone())
        .filter_map(|(facet, n)| facet.to_path().last().map(|code| (code.to_string(), n)))
        .collect();
    out.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    out
}

fn ids_of(searcher: &Searcher, addresses: &[DocAddress]) -> Result<Vec<i64>, IndexError> {
    let mut ids = Vec::with_capacity(addresses.len());
    for a in addresses {
        let column = searcher.segment_reader(a.segment_ord).fast_fields().i64("id")?;
        ids.extend(column.first(a.doc_id));
    }
    Ok(ids)
}
