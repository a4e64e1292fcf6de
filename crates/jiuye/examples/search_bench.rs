//! Job search at province scale (issue 11), beside the database's own text
//! search: on a data folder filled by `jiuye demo --postings N` and indexed by
//! `jiuye reindex` (bench/run.sh search does both), builds the peer over the
//! same postings in the same database (on SQLite an FTS5 table, trigram
//! tokenizer; on PostgreSQL, with `--database-url`, a table with a pg_trgm GIN
//! index), runs the same typical searches through `JobIndex::search` (what
//! /jobs calls, filter counts included) and through the peer (the same filters
//! as SQL, the same counts by GROUP BY), scores both on labelled queries whose
//! relevant postings are known from the generator's titles, and times how soon
//! a new posting is found.
//!
//! `cargo run --release --example search_bench -- DATA_DIR [--database-url URL] [--runs N] [--keep-fts] [--fresh-only] [--index-only]`
//!
//! `--index-only` times the index alone (no peer, no relevance): a quick look after a change.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use fulltext::tantivy::{self, collector::Count, query::TermQuery, schema::IndexRecordOption};
use jiuye::demo::recruitment::jobs::FAMILIES;
use kernel::audit::AuditActor;
use kernel::{Db, Locale, Value};
use recruitment::postings::{self, rules, rules::Status, Search};
use recruitment::search::query::Filters;
use recruitment::search::{Asked, JobIndex, Sort};

/// Results a page asks for (the /jobs page's size).
const PAGE: usize = 50;
/// Longest a single query is repeated for, per engine (a full scan takes seconds).
const QUERY_BUDGET: Duration = Duration::from_secs(8);

/// A typical search: the words, and the two filters the filtered classes add.
struct Typical {
    q: &'static str,
    /// Region (a prefecture) and industry.
    region: &'static str,
    industry: &'static str,
}

/// Prefecture codes: 长沙 430100, 株洲 430200, 湘潭 430300, 衡阳 430400.
const TYPICAL: &[Typical] = &[
    Typical { q: "数据分析", region: "430100", industry: "34" },
    Typical { q: "软件 开发", region: "430100", industry: "34" },
    Typical { q: "会计", region: "430300", industry: "22" },
    Typical { q: "教师", region: "430400", industry: "42" },
    Typical { q: "长沙 销售", region: "430100", industry: "31" },
    Typical { q: "护士", region: "430200", industry: "43" },
    Typical { q: "Java", region: "430100", industry: "34" },
    Typical { q: "机械设计工程师", region: "430200", industry: "22" },
];

/// The database's own text search beside the index.
#[derive(Clone, Copy, PartialEq)]
enum Peer {
    /// SQLite's FTS5 with the trigram tokenizer.
    Fts5,
    /// PostgreSQL's pg_trgm: a GIN trigram index under ILIKE, ranked by word_similarity.
    Trigram,
}

impl Peer {
    fn name(self) -> &'static str {
        match self {
            Peer::Fts5 => "FTS5",
            Peer::Trigram => "pg_trgm",
        }
    }
}

/// A query class: which filters a typical search carries.
#[derive(Clone, Copy, PartialEq)]
enum Class {
    Words,
    RegionIndustry,
    EducationSalary,
}

impl Class {
    const ALL: [Class; 3] = [Class::Words, Class::RegionIndustry, Class::EducationSalary];

    fn name(self) -> &'static str {
        match self {
            Class::Words => "words only",
            Class::RegionIndustry => "words + region + industry",
            Class::EducationSalary => "words + education 本科 + pay from 8000",
        }
    }

    fn search(self, t: &Typical) -> Search {
        let mut s = Search { q: t.q.to_owned(), ..Search::default() };
        match self {
            Class::Words => {}
            Class::RegionIndustry => (s.region, s.industry) = (t.region.to_owned(), t.industry.to_owned()),
            Class::EducationSalary => (s.education, s.salary) = ("2".to_owned(), "8000".to_owned()),
        }
        s
    }
}

/// A labelled query: the postings relevant to it are those of these titles
/// (the job the generator gave them), in a place under `region` when given.
struct Labelled {
    q: &'static str,
    titles: Vec<&'static str>,
    region: Option<&'static str>,
}

/// Every title of the generator's family holding `title`.
fn family(title: &str) -> Vec<&'static str> {
    FAMILIES.iter().find(|f| f.titles.contains(&title)).map(|f| f.titles.to_vec()).unwrap_or_default()
}

fn labelled() -> Vec<Labelled> {
    let of = |q, titles: &[&'static str]| Labelled { q, titles: titles.to_vec(), region: None };
    let software: Vec<&'static str> =
        family("软件开发工程师").into_iter().chain(["嵌入式软件工程师", "大数据开发工程师", "BI开发工程师"]).collect();
    let teachers: Vec<&'static str> = family("中学数学教师").into_iter().filter(|t| t.ends_with("教师")).collect();
    vec![
        of("数据分析", &["数据分析师", "商业数据分析专员"]),
        Labelled { q: "软件开发", titles: software.clone(), region: None },
        Labelled { q: "軟件開發", titles: software, region: None },
        of("会计", &family("会计")),
        Labelled { q: "教师", titles: teachers, region: None },
        Labelled { q: "长沙 销售", titles: family("销售代表"), region: Some("4301") },
        of("护士", &["护士", "乡镇卫生院护士", "助产士"]),
        Labelled {
            q: "株洲 护士", titles: vec!["护士", "乡镇卫生院护士", "助产士"], region: Some("4302")
        },
        of("前端开发", &["前端开发工程师", "全栈开发工程师", "小程序开发工程师"]),
        of("Java", &["Java后端开发工程师"]),
        of("测试工程师", &["测试工程师", "软件测试工程师", "自动化测试工程师"]),
        of("公务员", &family("选调生")),
        of("新媒体运营", &["新媒体运营", "内容运营", "直播运营", "短视频编导", "社群运营专员"]),
        of("机械设计", &["机械设计工程师", "模具设计师"]),
        of("电气工程师", &["电气工程师", "电气自动化工程师", "PLC工程师"]),
        of("土木工程", &family("土木工程师")),
        of("人力资源", &["人力资源专员", "招聘专员", "薪酬福利专员", "培训专员"]),
        of("物流", &["物流专员", "仓储管理员", "供应链专员", "运输调度员"]),
        of("平面设计", &["平面设计师", "UI设计师"]),
        of("算法工程师", &["算法工程师", "机器学习工程师"]),
        of("小学 教师", &["小学语文教师", "小学数学教师"]),
    ]
}

struct Args {
    data: PathBuf,
    /// PostgreSQL's URL; the data folder's SQLite file when absent.
    database_url: Option<String>,
    runs: usize,
    keep_fts: bool,
    /// Only the new posting's time to be found (the rest measured already).
    fresh_only: bool,
    /// The index's latency alone: no peer, no relevance, no freshness.
    index_only: bool,
}

fn args() -> anyhow::Result<Args> {
    let mut it = std::env::args().skip(1);
    let mut out = Args {
        data: PathBuf::new(),
        database_url: None,
        runs: 30,
        keep_fts: false,
        fresh_only: false,
        index_only: false,
    };
    while let Some(a) = it.next() {
        match a.as_str() {
            "--database-url" => out.database_url = it.next(),
            "--runs" => out.runs = it.next().and_then(|n| n.parse().ok()).unwrap_or(out.runs),
            "--keep-fts" => out.keep_fts = true,
            "--fresh-only" => (out.keep_fts, out.fresh_only) = (true, true),
            "--index-only" => out.index_only = true,
            _ => out.data = PathBuf::from(a),
        }
    }
    if out.data.as_os_str().is_empty() {
        anyhow::bail!(
            "usage: search_bench DATA_DIR [--database-url URL] [--runs N] [--keep-fts] [--fresh-only] [--index-only]"
        );
    }
    Ok(out)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = args()?;
    let sqlite = format!("sqlite://{}/jiuye.db", args.data.display());
    let db = Db::connect(args.database_url.as_deref().unwrap_or(&sqlite)).await?;
    let peer = if args.database_url.is_some() { Peer::Trigram } else { Peer::Fts5 };
    let today = kernel::time::today_china();
    let published = db
        .fetch_one("SELECT COUNT(*) AS n FROM postings WHERE status = $1", &[Status::Approved.key().into()])
        .await?
        .i64("n")?;
    let open = db
        .fetch_one(
            "SELECT COUNT(*) AS n FROM postings WHERE status = $1 AND deadline >= $2",
            &[Status::Approved.key().into(), today.to_string().into()],
        )
        .await?
        .i64("n")?;
    println!("postings: {published} published, {open} of them open on {today} (what a search looks through)");

    if !args.index_only && (!args.keep_fts || !fts_exists(&db, peer).await?) {
        let started = Instant::now();
        build_fts(&db, peer).await?;
        println!("{} built over the published postings: {:.1} s", peer.name(), started.elapsed().as_secs_f64());
    }

    let jobs = Arc::new(JobIndex::new(&args.data));
    let started = Instant::now();
    let first = jobs.search(&db, &asked(&Search { q: "会计".into(), ..Search::default() }, today, PAGE)).await?;
    anyhow::ensure!(first.is_ok(), "the index is being built: run jiuye reindex first");
    println!("index opened and first search: {:.0} ms", started.elapsed().as_secs_f64() * 1000.0);

    if args.index_only {
        return latency(&db, &jobs, today, args.runs, None).await;
    }
    if !args.fresh_only {
        latency(&db, &jobs, today, args.runs, Some(peer)).await?;
        relevance(&db, &jobs, today, peer).await?;
    }
    freshness(&db, jobs, &args.data, today).await?;
    Ok(())
}

fn asked(s: &Search, today: NaiveDate, limit: usize) -> Asked {
    Asked {
        words: fulltext::text::query_words(&s.q),
        filters: Filters::of(s, today),
        sort: Sort::Relevance,
        offset: 0,
        limit,
    }
}

async fn fts_exists(db: &Db, peer: Peer) -> anyhow::Result<bool> {
    let sql = match peer {
        Peer::Fts5 => "SELECT COUNT(*) AS n FROM sqlite_master WHERE name = 'posting_fts'",
        Peer::Trigram => "SELECT COUNT(*) AS n FROM pg_tables WHERE tablename = 'posting_trgm'",
    };
    Ok(db.fetch_one(sql, &[]).await?.i64("n")? > 0)
}

/// Title, employer's name, places written out (湖南省长沙市岳麓区) and
/// description of every published posting, the posting's id its rowid.
async fn build_fts(db: &Db, peer: Peer) -> anyhow::Result<()> {
    if peer == Peer::Trigram {
        return build_trigram(db).await;
    }
    let mut tx = db.begin().await?;
    tx.execute("DROP TABLE IF EXISTS posting_fts", &[]).await?;
    tx.execute(
        "CREATE VIRTUAL TABLE posting_fts USING fts5(title, employer, places, description, tokenize = 'trigram')",
        &[],
    )
    .await?;
    let place = "(SELECT group_concat(r.name, '') FROM regions r WHERE r.code IN \
                 (substr(pr.region_code, 1, 2) || '0000', substr(pr.region_code, 1, 4) || '00', pr.region_code))";
    let sql = format!(
        "INSERT INTO posting_fts (rowid, title, employer, places, description) \
         SELECT p.id, p.title, e.name, \
         (SELECT group_concat({place}, ' ') FROM posting_regions pr WHERE pr.posting_id = p.id), p.description \
         FROM postings p JOIN employers e ON e.id = p.employer_id WHERE p.status = $1"
    );
    tx.execute(&sql, &[Status::Approved.key().into()]).await?;
    tx.commit().await?;
    Ok(())
}

/// The same fields on PostgreSQL, with `doc` (all four) under a pg_trgm GIN index.
async fn build_trigram(db: &Db) -> anyhow::Result<()> {
    let mut tx = db.begin().await?;
    tx.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm", &[]).await?;
    tx.execute("DROP TABLE IF EXISTS posting_trgm", &[]).await?;
    let place = "(SELECT string_agg(r.name, '' ORDER BY r.code) FROM regions r WHERE r.code IN \
                 (substr(pr.region_code, 1, 2) || '0000', substr(pr.region_code, 1, 4) || '00', pr.region_code))";
    let sql = format!(
        "CREATE TABLE posting_trgm AS SELECT id, title, employer, places, description, \
         lower(title || ' ' || employer || ' ' || places || ' ' || description) AS doc FROM \
         (SELECT p.id, p.title, e.name AS employer, \
         COALESCE((SELECT string_agg({place}, ' ') FROM posting_regions pr WHERE pr.posting_id = p.id), '') AS places, \
         p.description FROM postings p JOIN employers e ON e.id = p.employer_id WHERE p.status = $1) AS t"
    );
    tx.execute(&sql, &[Status::Approved.key().into()]).await?;
    tx.execute("ALTER TABLE posting_trgm ADD PRIMARY KEY (id)", &[]).await?;
    tx.execute("CREATE INDEX posting_trgm_doc ON posting_trgm USING gin (doc gin_trgm_ops)", &[]).await?;
    tx.commit().await?;
    db.fetch_all("ANALYZE posting_trgm", &[]).await?;
    Ok(())
}

/// One peer's search: the page and the same counts the index gives.
struct FtsFound {
    total: i64,
    ids: Vec<i64>,
}

/// The peer's statement for a search. FTS5: words of three characters or more
/// through MATCH (ranked by bm25, fields weighed as the index weighs them),
/// shorter words by LIKE over every column (trigrams cannot hold them: a full
/// scan, no rank, newest first). pg_trgm: every word by ILIKE over `doc` (the
/// index serves words of three characters or more), ranked by word_similarity
/// with the same weights. The filters as WHERE; counts by GROUP BY.
fn fts_sql(peer: Peer, s: &Search, today: NaiveDate, limit: usize) -> (String, Vec<Value>) {
    let mut params: Vec<Value> = vec![Status::Approved.key().into(), today.to_string().into()];
    let mut bind = |v: Value| {
        params.push(v);
        format!("${}", params.len())
    };
    let words: Vec<String> = s.q.split_whitespace().map(str::to_lowercase).collect();
    let (long, short): (Vec<&String>, Vec<&String>) = match peer {
        Peer::Fts5 => words.iter().partition(|w| w.chars().count() >= 3),
        Peer::Trigram => (Vec::new(), Vec::new()),
    };
    let mut filter = String::new();
    let mut score = match long.is_empty() {
        true => "-julianday(p.approved_at)".to_owned(),
        false => "bm25(posting_fts, 3.0, 2.0, 1.5, 1.0)".to_owned(),
    };
    let mut from = "posting_fts f JOIN postings p ON p.id = f.rowid";
    if peer == Peer::Trigram {
        for w in &words {
            let escaped = w.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
            filter += &format!(" AND f.doc ILIKE {}", bind(format!("%{escaped}%").into()));
        }
        let q = bind(s.q.clone().into());
        score = format!(
            "-(3 * word_similarity({q}, f.title) + 2 * word_similarity({q}, f.employer) \
             + 1.5 * word_similarity({q}, f.places) + word_similarity({q}, f.description))"
        );
        from = "posting_trgm f JOIN postings p ON p.id = f.id";
    }
    if !long.is_empty() {
        let phrase = long.iter().map(|w| format!("\"{}\"", w.replace('"', ""))).collect::<Vec<_>>().join(" AND ");
        filter += &format!(" AND posting_fts MATCH {}", bind(phrase.into()));
    }
    for w in short {
        let p = bind(format!("%{w}%").into());
        filter +=
            &format!(" AND (f.title LIKE {p} OR f.employer LIKE {p} OR f.places LIKE {p} OR f.description LIKE {p})");
    }
    if let Some(prefix) = postings::region_prefix(&s.region) {
        let p = bind(format!("{prefix}%").into());
        filter += &format!(
            " AND EXISTS (SELECT 1 FROM posting_regions r WHERE r.posting_id = p.id AND r.region_code LIKE {p})"
        );
    }
    if !s.industry.is_empty() {
        filter += &format!(" AND p.industry_code = {}", bind(s.industry.clone().into()));
    }
    if !s.education.is_empty() {
        let p = bind(s.education.clone().into());
        filter += &format!(" AND (p.education_level = {p} OR p.education_level IS NULL)");
    }
    if let Ok(floor) = s.salary.parse::<i64>() {
        filter += &format!(" AND p.salary_max >= {}", bind(floor.into()));
    }
    // The places counted: under the region picked, else the provinces.
    let (under, width) = match postings::region_prefix(&s.region) {
        Some(prefix) => (format!(" WHERE r.region_code LIKE '{prefix}%'"), prefix.len().min(4) + 2),
        None => (String::new(), 2),
    };
    let sql = format!(
        "WITH hits AS MATERIALIZED (SELECT p.id, p.industry_code, p.position_code, p.education_level, \
         p.public_sector_kind, {score} AS score FROM {from} \
         WHERE p.status = $1 AND p.deadline >= $2{filter}) \
         SELECT 'total' AS facet, '' AS value, COUNT(*) AS n FROM hits \
         UNION ALL SELECT 'industry', industry_code, COUNT(*) FROM hits GROUP BY industry_code \
         UNION ALL SELECT 'position', position_code, COUNT(*) FROM hits GROUP BY position_code \
         UNION ALL SELECT 'education', COALESCE(education_level, 'any'), COUNT(*) FROM hits GROUP BY 2 \
         UNION ALL SELECT 'public', public_sector_kind, COUNT(*) FROM hits WHERE public_sector_kind IS NOT NULL GROUP BY 2 \
         UNION ALL SELECT 'region', substr(r.region_code, 1, {width}), COUNT(DISTINCT h.id) FROM hits h \
         JOIN posting_regions r ON r.posting_id = h.id{under} GROUP BY 2 \
         UNION ALL SELECT * FROM (SELECT 'page', CAST(id AS TEXT), ROW_NUMBER() OVER (ORDER BY score, id) FROM hits \
         ORDER BY score, id LIMIT {limit}) AS page"
    );
    (sql, params)
}

async fn fts_search(db: &Db, peer: Peer, s: &Search, today: NaiveDate, limit: usize) -> anyhow::Result<FtsFound> {
    let (sql, params) = fts_sql(peer, s, today, limit);
    let mut found = FtsFound { total: 0, ids: Vec::new() };
    let mut page: Vec<(i64, i64)> = Vec::new();
    for r in db.fetch_all(&sql, &params).await? {
        match r.text("facet")?.as_str() {
            "total" => found.total = r.i64("n")?,
            "page" => page.push((r.i64("n")?, r.text("value")?.parse()?)),
            _ => {}
        }
    }
    page.sort_unstable();
    found.ids = page.into_iter().map(|p| p.1).collect();
    Ok(found)
}

/// p50, p95, p99 of samples in milliseconds.
fn percentiles(samples: &mut [f64]) -> (f64, f64, f64) {
    samples.sort_by(f64::total_cmp);
    let at = |p: f64| samples[((samples.len() as f64 * p).ceil() as usize).clamp(1, samples.len()) - 1];
    (at(0.50), at(0.95), at(0.99))
}

/// Repeats `once` up to `runs` times within the budget; milliseconds each.
async fn timed<F, Fut>(runs: usize, mut once: F) -> anyhow::Result<Vec<f64>>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<()>>,
{
    once().await?; // warm
    let started = Instant::now();
    let mut samples = Vec::with_capacity(runs);
    while samples.len() < runs && (samples.len() < 3 || started.elapsed() < QUERY_BUDGET) {
        let t = Instant::now();
        once().await?;
        samples.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    Ok(samples)
}

async fn latency(db: &Db, jobs: &JobIndex, today: NaiveDate, runs: usize, peer: Option<Peer>) -> anyhow::Result<()> {
    let name = peer.map_or("peer", Peer::name);
    println!("\nlatency, ms (each query repeated up to {runs} times, at most {} s each):", QUERY_BUDGET.as_secs());
    println!("| class | query | index hits | index p50 | {name} hits | {name} p50 | {name} runs |");
    println!("| --- | --- | --- | --- | --- | --- | --- |");
    let mut summary = Vec::new();
    for class in Class::ALL {
        let (mut ours, mut theirs) = (Vec::new(), Vec::new());
        for t in TYPICAL {
            let s = class.search(t);
            let a = asked(&s, today, PAGE);
            let hits = match jobs.search(db, &a).await? {
                Ok(found) => found.total,
                Err(_) => anyhow::bail!("the index is being built"),
            };
            let mut o = timed(runs, || async {
                jobs.search(db, &a).await?.map_err(|_| anyhow::anyhow!("building"))?;
                Ok(())
            })
            .await?;
            let (fts_hits, mut f) = match peer {
                Some(peer) => (
                    fts_search(db, peer, &s, today, PAGE).await?.total,
                    timed(runs, || async {
                        fts_search(db, peer, &s, today, PAGE).await?;
                        Ok(())
                    })
                    .await?,
                ),
                None => (0, vec![0.0]),
            };
            let theirs_p50 = match peer {
                Some(_) => format!("{fts_hits} | {:.1} | {}", percentiles(&mut f).0, f.len()),
                None => "– | – | –".to_owned(),
            };
            println!("| {} | {} | {hits} | {:.1} | {theirs_p50} |", class.name(), t.q, percentiles(&mut o).0);
            ours.extend(o);
            theirs.extend(f);
        }
        summary.push((class, percentiles(&mut ours), percentiles(&mut theirs)));
    }
    println!("\n| class | index p50 / p95 / p99 | {name} p50 / p95 / p99 |");
    println!("| --- | --- | --- |");
    for (class, o, f) in summary {
        let theirs = if peer.is_some() { format!("{:.1} / {:.1} / {:.1}", f.0, f.1, f.2) } else { "–".to_owned() };
        println!("| {} | {:.1} / {:.1} / {:.1} | {theirs} |", class.name(), o.0, o.1, o.2);
    }
    Ok(())
}

/// An open posting as relevance judges it.
struct Judged {
    title: String,
    regions: Vec<String>,
}

async fn open_postings(db: &Db, today: NaiveDate) -> anyhow::Result<HashMap<i64, Judged>> {
    let params = [Status::Approved.key().into(), today.to_string().into()];
    let mut out: HashMap<i64, Judged> = HashMap::new();
    for r in db.fetch_all("SELECT id, title FROM postings WHERE status = $1 AND deadline >= $2", &params).await? {
        out.insert(r.i64("id")?, Judged { title: r.text("title")?, regions: Vec::new() });
    }
    let sql = "SELECT r.posting_id, r.region_code FROM posting_regions r JOIN postings p ON p.id = r.posting_id \
               WHERE p.status = $1 AND p.deadline >= $2";
    for r in db.fetch_all(sql, &params).await? {
        if let Some(j) = out.get_mut(&r.i64("posting_id")?) {
            j.regions.push(r.text("region_code")?);
        }
    }
    Ok(out)
}

fn is_relevant(l: &Labelled, j: &Judged) -> bool {
    l.titles.contains(&j.title.as_str()) && l.region.is_none_or(|p| j.regions.iter().any(|c| c.starts_with(p)))
}

/// precision@10, nDCG@10 (binary gain) and the share of the relevant postings matched at all.
fn scores(ranked: &[i64], matched: &HashSet<i64>, relevant: &HashSet<i64>) -> (f64, f64, f64) {
    let top: Vec<bool> = ranked.iter().take(10).map(|id| relevant.contains(id)).collect();
    let precision = top.iter().filter(|r| **r).count() as f64 / 10.0;
    // An empty sum of f64 is -0.0: start from 0.0.
    let dcg = top.iter().enumerate().filter(|(_, r)| **r).fold(0.0, |sum, (i, _)| sum + 1.0 / (i as f64 + 2.0).log2());
    let ideal: f64 = (0..relevant.len().min(10)).map(|i| 1.0 / (i as f64 + 2.0).log2()).sum();
    let recall = matched.intersection(relevant).count() as f64 / relevant.len().max(1) as f64;
    (precision, if ideal > 0.0 { dcg / ideal } else { 0.0 }, recall)
}

async fn relevance(db: &Db, jobs: &JobIndex, today: NaiveDate, peer: Peer) -> anyhow::Result<()> {
    let name = peer.name();
    let open = open_postings(db, today).await?;
    println!(
        "\nrelevance over the {} open postings (relevant: the titles the generator gave, labelled by hand):",
        open.len()
    );
    println!(
        "| query | relevant | index P@10 | index nDCG@10 | index recall | {name} P@10 | {name} nDCG@10 | {name} recall |"
    );
    println!("| --- | --- | --- | --- | --- | --- | --- | --- |");
    let mut sums = [0.0f64; 6];
    let labels = labelled();
    for l in &labels {
        let relevant: HashSet<i64> = open.iter().filter(|(_, j)| is_relevant(l, j)).map(|(id, _)| *id).collect();
        let s = Search { q: l.q.to_owned(), ..Search::default() };
        let everything = open.len().max(1);
        let ours = match jobs.search(db, &asked(&s, today, everything)).await? {
            Ok(found) => found,
            Err(_) => anyhow::bail!("the index is being built"),
        };
        let theirs = fts_search(db, peer, &s, today, everything).await?;
        let o = scores(&ours.ids, &ours.ids.iter().copied().collect(), &relevant);
        let f = scores(&theirs.ids, &theirs.ids.iter().copied().collect(), &relevant);
        println!(
            "| {} | {} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} |",
            l.q,
            relevant.len(),
            o.0,
            o.1,
            o.2,
            f.0,
            f.1,
            f.2
        );
        for (sum, v) in sums.iter_mut().zip([o.0, o.1, o.2, f.0, f.1, f.2]) {
            *sum += v;
        }
    }
    let n = labels.len() as f64;
    println!(
        "| mean of {} | | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} |",
        labels.len(),
        sums[0] / n,
        sums[1] / n,
        sums[2] / n,
        sums[3] / n,
        sums[4] / n,
        sums[5] / n
    );
    Ok(())
}

/// A new posting written through the store (created, then approved, each
/// with its change-feed row), then: how long until the index's own
/// background follower (as `serve` runs it) has it where any reader of the
/// index folder finds it, and how long the next search takes to find it
/// (a search applies what is new first).
async fn freshness(db: &Db, jobs: Arc<JobIndex>, data: &Path, today: NaiveDate) -> anyhow::Result<()> {
    jobs.start(db.clone());
    let folder = tantivy::Index::open_in_dir(data.join("search").join("postings"))?;
    fulltext::text::register(&folder);
    let id_field = folder.schema().get_field("id")?;
    let reader = folder.reader_builder().reload_policy(tantivy::ReloadPolicy::Manual).try_into()?;
    let template = db
        .fetch_one(
            "SELECT id FROM postings WHERE status = $1 AND deadline >= $2 ORDER BY id LIMIT 1",
            &[Status::Approved.key().into(), today.to_string().into()],
        )
        .await?
        .i64("id")?;
    let reviewer = db.fetch_one("SELECT COALESCE(MAX(reviewed_by), 1) AS id FROM postings", &[]).await?.i64("id")?;
    let allowed = postings::allowed(db).await?;
    let who = AuditActor::system("search-bench");
    println!("\na new posting, created and approved through the store, found after (ms):");
    println!("| round | by the background follower (reader of the folder) | by the next search (catching up first) |");
    println!("| --- | --- | --- |");
    for round in 1..=5 {
        let mut found = Vec::new();
        for through_search in [false, true] {
            let word = format!("benchmark{round}{}", if through_search { "s" } else { "f" });
            let id = publish(db, &who, reviewer, &allowed, template, &word, today).await?;
            let committed = Instant::now();
            if through_search {
                let s = Search { q: word.clone(), ..Search::default() };
                let found_now = jobs.search(db, &asked(&s, today, 10)).await?.is_ok_and(|f| f.ids.contains(&id));
                anyhow::ensure!(found_now, "the next search did not find the new posting");
            } else {
                let q = TermQuery::new(tantivy::Term::from_field_i64(id_field, id), IndexRecordOption::Basic);
                loop {
                    reader.reload()?;
                    if reader.searcher().search(&q, &Count)? > 0 {
                        break;
                    }
                    anyhow::ensure!(committed.elapsed() < Duration::from_secs(30), "not found in 30 s");
                    tokio::time::sleep(Duration::from_millis(5)).await;
                }
            }
            found.push(committed.elapsed().as_secs_f64() * 1000.0);
        }
        println!("| {round} | {:.0} | {:.1} |", found[0], found[1]);
        // Out of step with the follower's second, round by round.
        tokio::time::sleep(Duration::from_millis(317)).await;
    }
    Ok(())
}

/// A copy of posting `template` with `word` in its title, created and approved; its id.
async fn publish(
    db: &Db,
    who: &AuditActor,
    reviewer: i64,
    allowed: &rules::Allowed,
    template: i64,
    word: &str,
    today: NaiveDate,
) -> anyhow::Result<i64> {
    let p = postings::get(db, template, Locale::Zh).await?.ok_or_else(|| anyhow::anyhow!("no template"))?;
    let mut form = p.form();
    form.title = format!("{} {word}", form.title);
    let checked = rules::check(&form, allowed, today, Locale::Zh).map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let mut tx = db.begin().await?;
    let id = postings::create(&mut tx, who, p.employer_id, &checked).await?;
    tx.commit().await?;
    let pending = postings::get(db, id, Locale::Zh).await?.ok_or_else(|| anyhow::anyhow!("not created"))?;
    let mut tx = db.begin().await?;
    postings::review(&mut tx, who, reviewer, &pending, Status::Approved, None).await?;
    tx.commit().await?;
    Ok(id)
}
