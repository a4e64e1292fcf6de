//! Duplicate employers (重复单位): listed for review by the rules of
//! `rules::duplicates`, merged by the province. A merge moves every reference
//! to the merged employer (postings, applications, destinations, agreements,
//! accounts, designations, visits) to the kept one and marks the merged one
//! `merged`; which rows moved is kept in `employer_merges` and the audit log,
//! so an undo moves exactly those back.

use std::collections::BTreeMap;

use kernel::audit::{self, AuditActor, Change};
use kernel::{time, Db, DbResult, Tx};
use serde_json::json;

use super::rules::{self, Candidate, Likeness};

/// Every column that references an employer, as (table, column, the table's
/// key). A test reads the schema and fails when a column named `…employer_id`
/// is missing here: a reference left out would stay with the merged employer.
pub const REFERENCES: &[(&str, &str, &str)] = &[
    ("accounts", "employer_id", "id"),
    ("agreements", "employer_id", "id"),
    ("applications", "employer_id", "id"),
    ("destination_events", "employer_id", "id"),
    ("destinations", "employer_id", "graduate_id"),
    ("fair_booths", "employer_id", "id"),
    ("key_employers", "employer_id", "id"),
    ("mentors", "employer_id", "id"),
    ("postings", "employer_id", "id"),
    ("visits", "employer_id", "id"),
];

/// Keys are moved back this many to a statement.
const CHUNK: usize = 500;

/// An employer as the duplicates list shows it.
#[derive(Debug, Clone)]
pub struct Side {
    pub id: i64,
    pub name: String,
    pub credit_code: String,
    pub region: String,
    pub status: String,
    pub postings: i64,
}

/// A pair that looks like one employer.
#[derive(Debug, Clone)]
pub struct Pair {
    pub a: Side,
    pub b: Side,
    pub likeness: Likeness,
}

/// Pairs that look like duplicates among employers not merged already.
pub async fn duplicates(db: &Db) -> DbResult<Vec<Pair>> {
    let rows = db
        .fetch_all(
            "SELECT id, name, credit_code, region_code FROM employers WHERE status <> $1",
            &[rules::MERGED.into()],
        )
        .await?;
    let candidates = rows
        .iter()
        .map(|r| {
            Ok(Candidate {
                id: r.i64("id")?,
                name: r.text("name")?,
                credit_code: r.text("credit_code")?,
                region_code: r.opt_text("region_code")?,
            })
        })
        .collect::<DbResult<Vec<_>>>()?;
    let mut pairs = Vec::new();
    for (a, b, likeness) in rules::duplicates(&candidates) {
        if let (Some(a), Some(b)) = (side(db, a).await?, side(db, b).await?) {
            pairs.push(Pair { a, b, likeness });
        }
    }
    Ok(pairs)
}

/// One employer as a merge shows it.
pub async fn side(db: &Db, id: i64) -> DbResult<Option<Side>> {
    let sql = "SELECT e.id, e.name, e.credit_code, e.status, COALESCE(r.name, e.region_code, '') AS region, \
               (SELECT COUNT(*) FROM postings p WHERE p.employer_id = e.id) AS postings \
               FROM employers e LEFT JOIN regions r ON r.code = e.region_code WHERE e.id = $1";
    let row = db.fetch_optional(sql, &[id.into()]).await?;
    row.map(|r| {
        Ok(Side {
            id: r.i64("id")?,
            name: r.text("name")?,
            credit_code: r.text("credit_code")?,
            region: r.text("region")?,
            status: r.text("status")?,
            postings: r.i64("postings")?,
        })
    })
    .transpose()
}

/// The fairs at which both employers hold a booth: a fair has one booth per
/// employer, so such a merge waits until one of the booths is given back.
pub async fn shared_fairs(db: &Db, kept: i64, merged: i64) -> DbResult<Vec<String>> {
    db.fetch_all(
        "SELECT f.title FROM fairs f WHERE EXISTS (SELECT 1 FROM fair_booths b WHERE b.fair_id = f.id AND b.employer_id = $1) \
         AND EXISTS (SELECT 1 FROM fair_booths b WHERE b.fair_id = f.id AND b.employer_id = $2) ORDER BY f.id",
        &[kept.into(), merged.into()],
    )
    .await?
    .iter()
    .map(|r| r.text("title"))
    .collect()
}

/// The keys of each table's rows that moved: {"postings": [3, 9], …}.
type Moved = BTreeMap<String, Vec<serde_json::Value>>;

/// Moves everything of `merged` to `kept` and marks `merged` merged; returns
/// the merge's id, or `None` when either was merged meanwhile (nothing written).
pub async fn merge(
    tx: &mut Tx,
    who: &AuditActor,
    account: Option<i64>,
    kept: &Side,
    merged: &Side,
) -> DbResult<Option<i64>> {
    let marked = tx
        .execute(
            "UPDATE employers SET status = $1 WHERE id = $2 AND status <> $1 \
             AND EXISTS (SELECT 1 FROM employers k WHERE k.id = $3 AND k.status <> $1)",
            &[rules::MERGED.into(), merged.id.into(), kept.id.into()],
        )
        .await?;
    if marked == 0 {
        return Ok(None);
    }
    let mut moved = Moved::new();
    for (table, column, key) in REFERENCES {
        let rows =
            tx.fetch_all(&format!("SELECT {key} AS k FROM {table} WHERE {column} = $1"), &[merged.id.into()]).await?;
        let keys: Vec<serde_json::Value> = rows.iter().map(|r| r.i64("k").map(Into::into)).collect::<DbResult<_>>()?;
        if keys.is_empty() {
            continue;
        }
        tx.execute(
            &format!("UPDATE {table} SET {column} = $1 WHERE {column} = $2"),
            &[kept.id.into(), merged.id.into()],
        )
        .await?;
        moved.insert((*table).to_owned(), keys);
    }
    feed_postings(tx, moved.get("postings")).await?;
    let moved_json = serde_json::to_string(&moved).unwrap_or_default();
    let row = kernel::db::Record::new()
        .set("kept_id", kept.id)
        .set("merged_id", merged.id)
        .set("merged_status", merged.status.as_str())
        .set("moved", moved_json)
        .set("merged_by", account)
        .set("merged_at", time::now_utc());
    let id = tx.insert_id("employer_merges", row).await?;
    let after = json!({ "merge_id": id, "merged_id": merged.id, "name": merged.name,
        "credit_code": merged.credit_code, "status": rules::MERGED, "moved": moved });
    let change = Change::new("merge", "employer", kept.id).before(json!({ "status": merged.status })).after(after);
    audit::record(tx, who, change).await?;
    Ok(Some(id))
}

/// A merge not yet undone.
#[derive(Debug, Clone)]
pub struct Merge {
    pub id: i64,
    pub kept_id: i64,
    pub kept: String,
    pub merged_id: i64,
    pub merged: String,
    pub merged_status: String,
    pub moved: Moved,
    pub merged_at: String,
}

impl Merge {
    /// How many rows moved, all tables together.
    pub fn rows_moved(&self) -> usize {
        self.moved.values().map(Vec::len).sum()
    }
}

const MERGES: &str =
    "SELECT m.id, m.kept_id, k.name AS kept, m.merged_id, d.name AS merged, m.merged_status, m.moved, \
    m.merged_at FROM employer_merges m JOIN employers k ON k.id = m.kept_id JOIN employers d ON d.id = m.merged_id \
    WHERE m.undone_at IS NULL";

fn merge_of(r: &kernel::Row) -> DbResult<Merge> {
    Ok(Merge {
        id: r.i64("id")?,
        kept_id: r.i64("kept_id")?,
        kept: r.text("kept")?,
        merged_id: r.i64("merged_id")?,
        merged: r.text("merged")?,
        merged_status: r.text("merged_status")?,
        moved: serde_json::from_str(&r.text("moved")?).unwrap_or_default(),
        merged_at: r.text("merged_at")?,
    })
}

/// Merges that may be undone, newest first.
pub async fn merges(db: &Db) -> DbResult<Vec<Merge>> {
    db.fetch_all(&format!("{MERGES} ORDER BY m.id DESC"), &[]).await?.iter().map(merge_of).collect()
}

/// A merge not yet undone, read inside the transaction that undoes it.
pub async fn open_merge(tx: &mut Tx, id: i64) -> DbResult<Option<Merge>> {
    tx.fetch_optional(&format!("{MERGES} AND m.id = $1"), &[id.into()]).await?.map(|r| merge_of(&r)).transpose()
}

/// Puts back what the merge moved (rows still with the kept employer) and the
/// merged employer's status; `false` when it was undone meanwhile (nothing written).
pub async fn undo(tx: &mut Tx, who: &AuditActor, m: &Merge) -> DbResult<bool> {
    let marked = tx
        .execute(
            "UPDATE employer_merges SET undone_at = $1 WHERE id = $2 AND undone_at IS NULL",
            &[time::now_utc().into(), m.id.into()],
        )
        .await?;
    if marked == 0 {
        return Ok(false);
    }
    for (table, column, key) in REFERENCES {
        let Some(keys) = m.moved.get(*table) else { continue };
        let keys: Vec<String> = keys.iter().filter_map(|k| k.as_i64()).map(|k| k.to_string()).collect();
        for chunk in keys.chunks(CHUNK) {
            // The keys are integers read back from our own record, written into the statement as numbers.
            let sql =
                format!("UPDATE {table} SET {column} = $1 WHERE {column} = $2 AND {key} IN ({})", chunk.join(", "));
            tx.execute(&sql, &[m.merged_id.into(), m.kept_id.into()]).await?;
        }
    }
    feed_postings(tx, m.moved.get("postings")).await?;
    tx.execute(
        "UPDATE employers SET status = $1 WHERE id = $2",
        &[m.merged_status.as_str().into(), m.merged_id.into()],
    )
    .await?;
    let change = Change::new("undo_merge", "employer", m.kept_id)
        .before(json!({ "merge_id": m.id, "moved": m.moved }))
        .after(json!({ "merged_id": m.merged_id, "status": m.merged_status }));
    audit::record(tx, who, change).await?;
    Ok(true)
}

/// Postings whose employer changed are fed again to the search index (their employer's name is indexed).
async fn feed_postings(tx: &mut Tx, keys: Option<&Vec<serde_json::Value>>) -> DbResult<()> {
    let now = time::now_utc();
    for id in keys.into_iter().flatten().filter_map(|k| k.as_i64()) {
        crate::postings::changed(tx, id, &now).await?;
    }
    Ok(())
}
