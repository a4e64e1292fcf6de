//! The demo's recruitment (招聘): the employers' postings over the 2022届's
//! year and a share still open today (`postings`, pure), with their places,
//! majors and one change-feed row each; profiles for about a fifth of the
//! graduates, about three applications each to published postings that fit
//! their major and level, interviews and offers, and a few accepted offers
//! carried into online agreements the way the offer page does it. The demo
//! `employer` gets open postings with applicants, and the demo `graduate` a
//! profile, a pending interview and an offer. Written in bulk, inside the
//! demo's one transaction; the demo's own audit record counts them.

mod applications;
pub mod jobs;
pub mod postings;

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use rand_chacha::ChaCha8Rng;

use kernel::audit::AuditActor;
use kernel::{time, Locale, Tx, Value};
use recruitment::applications::flow::Stage;
use recruitment::postings::rules::Status;

use super::{DemoError, Progress};
use postings::{DemoPosting, Employer, Major, Plan, Sources};

/// Postings are written this many at a time.
const BATCH: usize = 5_000;
/// Share of the demo's postings still open on the day it is generated.
pub const OPEN_SHARE: f64 = 0.25;
/// Accepted offers carried into online agreements.
const AGREEMENTS: usize = 30;

/// What the recruitment part wrote.
#[derive(Debug, Default)]
pub struct Written {
    pub postings: usize,
    pub profiles: usize,
    pub applications: usize,
    pub interviews: usize,
    pub agreements: usize,
}

/// Who the demo's own accounts are.
pub struct Accounts {
    pub employer: i64,
    pub graduate: i64,
    /// The province admin who reviewed the postings.
    pub reviewer: Option<i64>,
}

pub async fn generate(
    tx: &mut Tx,
    rng: &mut ChaCha8Rng,
    plan: Plan,
    accounts: &Accounts,
    progress: Progress<'_>,
    done_before: u64,
    total: u64,
) -> Result<Written, DemoError> {
    let started = std::time::Instant::now();
    let sources = load_sources(tx).await?;
    let mut written = Written::default();
    let board = write_postings(tx, &sources, &plan, accounts.reviewer, |n| {
        progress(done_before + n as u64, total);
    })
    .await?;
    written.postings = board.written;
    tracing::info!(postings = written.postings, seconds = started.elapsed().as_secs_f64(), "demo postings written");
    let seekers = applications::write(tx, rng, &board, &sources.regions, accounts.graduate).await?;
    (written.profiles, written.applications, written.interviews) = seekers;
    written.agreements = agreements(tx, accounts.employer).await?;
    tracing::info!(?written, seconds = started.elapsed().as_secs_f64(), "demo recruitment written");
    Ok(written)
}

async fn load_sources(tx: &mut Tx) -> Result<Sources, DemoError> {
    let mut sources = Sources::default();
    let sql = "SELECT id, region_code, industry_code, nature_code, contact_name, contact_phone FROM employers \
               WHERE status = 'approved' ORDER BY id";
    for r in tx.fetch_all(sql, &[]).await? {
        sources.employers.push(Employer {
            id: r.i64("id")?,
            region_code: r.opt_text("region_code")?.unwrap_or_default(),
            industry_code: r.opt_text("industry_code")?.unwrap_or_default(),
            nature_code: r.opt_text("nature_code")?.unwrap_or_default(),
            contact_name: r.opt_text("contact_name")?.unwrap_or_else(|| "招聘负责人".to_owned()),
            contact_phone: r.opt_text("contact_phone")?.unwrap_or_else(|| "0731-88888888".to_owned()),
        });
    }
    for r in tx.fetch_all("SELECT code FROM regions WHERE retired = FALSE", &[]).await? {
        sources.regions.insert(r.text("code")?);
    }
    for r in tx.fetch_all("SELECT code, name, level FROM major_catalogue ORDER BY catalogue, code", &[]).await? {
        sources.majors.push(Major { code: r.text("code")?, name: r.text("name")?, level: r.text("level")? });
    }
    for r in tx.fetch_all("SELECT id FROM institutions ORDER BY code", &[]).await? {
        sources.institutions.push(r.i64("id")?);
    }
    Ok(sources)
}

/// A published posting, as applications need it.
struct Posted {
    id: i64,
    employer_id: i64,
    /// 0 for 不限, else the `major_level` code.
    level: u8,
    approved: DateTime<Utc>,
    deadline: NaiveDate,
    /// A campus channel's (校园专场): its university's graduates only apply.
    channel: Option<i64>,
    /// One of the demo employer's open postings.
    featured: bool,
}

/// The published postings, found by the majors they want.
struct Board<'a> {
    written: usize,
    posted: Vec<Posted>,
    by_major: HashMap<&'a str, Vec<usize>>,
    any_major: Vec<usize>,
    /// The day generated (China time).
    today: NaiveDate,
}

/// Generates and writes the postings, batch by batch; `done` hears how many so far.
async fn write_postings<'a>(
    tx: &mut Tx,
    sources: &'a Sources,
    plan: &Plan,
    reviewer: Option<i64>,
    done: impl Fn(usize),
) -> Result<Board<'a>, DemoError> {
    let mut next_id = tx.fetch_one("SELECT COALESCE(MAX(id), 0) + 1 AS n FROM postings", &[]).await?.i64("n")?;
    let mut board =
        Board { written: 0, posted: Vec::new(), by_major: HashMap::new(), any_major: Vec::new(), today: plan.today };
    let mut rows = PostingRows::default();
    for (i, p) in postings::postings(sources, plan).enumerate() {
        if p.status == Status::Approved {
            let at = board.posted.len();
            match p.major_codes.is_empty() {
                true => board.any_major.push(at),
                false => p.major_codes.iter().for_each(|m| board.by_major.entry(*m).or_default().push(at)),
            }
            board.posted.push(Posted {
                id: next_id,
                employer_id: p.employer_id,
                level: p.education_level.and_then(|l| l.parse().ok()).unwrap_or(0),
                approved: p.approved_at.unwrap_or(p.created_at),
                deadline: p.deadline,
                channel: p.channel_institution_id,
                featured: Some(p.employer_id) == plan.featured && i < postings::FEATURED,
            });
        }
        rows.push(next_id, p, reviewer);
        next_id += 1;
        board.written += 1;
        if rows.postings.len() >= BATCH {
            rows.flush(tx).await?;
            done(board.written);
        }
    }
    rows.flush(tx).await?;
    tx.sync_id_sequence("postings").await?;
    done(board.written);
    Ok(board)
}

#[derive(Default)]
struct PostingRows {
    postings: Vec<Vec<Value>>,
    regions: Vec<Vec<Value>>,
    majors: Vec<Vec<Value>>,
    changes: Vec<Vec<Value>>,
}

const POSTING_COLUMNS: &[&str] = &[
    "id",
    "employer_id",
    "channel_institution_id",
    "title",
    "description",
    "position_code",
    "industry_code",
    "education_level",
    "headcount",
    "salary_min",
    "salary_max",
    "contact_name",
    "contact_phone",
    "deadline",
    "public_sector_kind",
    "notice_url",
    "status",
    "review_reason",
    "reviewed_by",
    "reviewed_at",
    "approved_at",
    "created_at",
    "updated_at",
];

impl PostingRows {
    fn push(&mut self, id: i64, p: DemoPosting<'_>, reviewer: Option<i64>) {
        let at = |t: Option<DateTime<Utc>>| t.map(time::format_utc);
        let updated = time::format_utc(p.updated_at);
        for code in &p.region_codes {
            self.regions.push(vec![id.into(), (*code).into()]);
        }
        for code in &p.major_codes {
            self.majors.push(vec![id.into(), (*code).into()]);
        }
        self.changes.push(vec![id.into(), updated.as_str().into()]);
        self.postings.push(vec![
            id.into(),
            p.employer_id.into(),
            p.channel_institution_id.into(),
            p.title.into(),
            p.description.into(),
            p.position_code.into(),
            p.industry_code.into(),
            p.education_level.into(),
            p.headcount.into(),
            p.salary.map(|s| s.0).into(),
            p.salary.map(|s| s.1).into(),
            p.contact_name.into(),
            p.contact_phone.into(),
            p.deadline.to_string().into(),
            p.public_sector_kind.into(),
            p.notice_url.into(),
            p.status.key().into(),
            p.review_reason.into(),
            reviewer.filter(|_| p.reviewed_at.is_some()).into(),
            at(p.reviewed_at).into(),
            at(p.approved_at).into(),
            time::format_utc(p.created_at).into(),
            updated.into(),
        ]);
    }

    async fn flush(&mut self, tx: &mut Tx) -> Result<(), DemoError> {
        tx.insert_many("postings", POSTING_COLUMNS, std::mem::take(&mut self.postings)).await?;
        tx.insert_many("posting_regions", &["posting_id", "region_code"], std::mem::take(&mut self.regions)).await?;
        tx.insert_many("posting_majors", &["posting_id", "major_code"], std::mem::take(&mut self.majors)).await?;
        tx.insert_many("posting_changes", &["posting_id", "changed_at"], std::mem::take(&mut self.changes)).await?;
        Ok(())
    }
}

/// Accepted offers of graduates with no agreement and no destination yet, carried into
/// online agreements as the offer page does (`invite_graduate`: its checks, number,
/// event and audit record); the demo employer's first.
async fn agreements(tx: &mut Tx, demo_employer: i64) -> Result<usize, DemoError> {
    let sql = "SELECT a.employer_id, g.id_number, p.title, p.salary_min, p.salary_max, \
               (SELECT MIN(r.region_code) FROM posting_regions r WHERE r.posting_id = p.id) AS region \
               FROM applications a JOIN graduates g ON g.id = a.graduate_id JOIN postings p ON p.id = a.posting_id \
               WHERE a.stage = $1 \
               AND NOT EXISTS (SELECT 1 FROM agreements x WHERE x.graduate_id = a.graduate_id) \
               AND NOT EXISTS (SELECT 1 FROM destinations d WHERE d.graduate_id = a.graduate_id) \
               ORDER BY CASE WHEN a.employer_id = $2 THEN 0 ELSE 1 END, a.updated_at DESC, a.id";
    let offers = tx.fetch_all(sql, &[Stage::Hired.key().into(), demo_employer.into()]).await?;
    let who = AuditActor::system("demo");
    let mut made = 0;
    for offer in &offers {
        if made >= AGREEMENTS {
            break;
        }
        let Some(graduate) = registry::graduates::by_id_number(tx, &offer.text("id_number")?).await? else {
            continue;
        };
        let mut form = outcomes::agreements::Invitation {
            position_title: offer.text("title")?,
            work_region_code: offer.opt_text("region")?.unwrap_or_default(),
            ..Default::default()
        };
        form.terms.monthly_salary = match (offer.opt_i64("salary_min")?, offer.opt_i64("salary_max")?) {
            (Some(min), Some(max)) => format!("{}", (min + max) / 2 / 100 * 100),
            _ => String::new(),
        };
        form.terms.term_months = "36".to_owned();
        form.terms.probation_months = "3".to_owned();
        let employer = offer.i64("employer_id")?;
        let invited = outcomes::agreements::invite_graduate(tx, &who, employer, &graduate, &form, Locale::Zh).await?;
        match invited {
            Ok(_) => made += 1,
            Err(errors) => tracing::debug!(?errors, "a demo offer was not carried into an agreement"),
        }
    }
    Ok(made)
}
