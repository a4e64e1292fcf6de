//! The audit log (审计日志): every write records who did what to which entity,
//! the before and after images, when and from where, in the same transaction
//! as the write. Records are hash-chained so that editing or deleting one
//! shows: `jiuye audit verify` recomputes the chains.
//!
//! There are [`CHAINS`] chains rather than one, so that concurrent writers do
//! not all queue behind one row (issue 8). Each chain has a head row in
//! `audit_head` (id = chain number) holding its last sequence number, hash and
//! record id. A writer locks only its chain's head until it commits, gives its
//! record the chain's next sequence number and hashes it together with the
//! chain's last hash; on PostgreSQL the chain is the transaction id modulo
//! [`CHAINS`], on SQLite (one writer anyway) the next in turn. Each chain starts
//! from its own genesis hash (its number in 64 hex digits), so a record cannot
//! move to another chain unnoticed. Record ids come from the table (rowid,
//! identity), not from `MAX(id) + 1`: they order the audit page by time and rise
//! along each chain, but are not hashed. `verify` reads the log once in id
//! order, following all chains at once: a changed record, a missing sequence
//! number (a record removed) or a head whose number and hash are not its chain's
//! last record's (the end removed) all show. The records written before there
//! were chains are chain 0, numbered by their ids (migration 0011), and verify
//! as they did.
//!
//! A record names its subject (`graduate_id`, `institution_id`) and, when a
//! batch wrote it, the batch's own record (`batch_id`), so the log can be
//! searched by graduate and institution through indexes (issue 9). The hash
//! covers the three when any is set; a record with none (every record from
//! before migration 0012) hashes as it did, so old records still verify, and
//! setting or clearing one afterwards shows.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicI64, Ordering};

use serde_json::Value as Json;
use sha2::{Digest, Sha256};

use crate::auth::Actor;
use crate::db::{Backend, Db, DbResult, Row, Tx, Value};
use crate::time;

/// The hash chain 0 starts from: the chain of the records written before there were chains.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// How many chains `record` spreads records over. Migration 0011 made a head row
/// for each; more chains need a migration that adds their head rows first.
pub const CHAINS: i64 = 32;

/// The hash a chain starts from: its number in 64 hex digits.
pub fn genesis_hash(chain: i64) -> String {
    format!("{chain:064x}")
}

/// Who is writing, and from where: the audit half of a request.
#[derive(Debug, Clone)]
pub struct AuditActor {
    pub account_id: Option<i64>,
    pub label: String,
    pub client_addr: Option<String>,
}

impl AuditActor {
    pub fn of(actor: Option<&Actor>, client_addr: &str) -> AuditActor {
        AuditActor {
            account_id: actor.map(|a| a.account_id),
            label: actor.map(|a| a.username.clone()).unwrap_or_else(|| "anonymous".to_owned()),
            client_addr: Some(client_addr.to_owned()),
        }
    }
    /// Batch work started on the command line.
    pub fn system(label: &str) -> AuditActor {
        AuditActor { account_id: None, label: label.to_owned(), client_addr: None }
    }
}

/// Whom a change is about (记录对象), so that the log answers "what happened
/// to this graduate" or "in this institution" from indexed columns.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Subject {
    pub graduate_id: Option<i64>,
    pub institution_id: Option<i64>,
}

impl Subject {
    /// A change to one graduate's records, of the institution they study at.
    pub fn graduate(graduate_id: i64, institution_id: i64) -> Subject {
        Subject { graduate_id: Some(graduate_id), institution_id: Some(institution_id) }
    }

    /// A change to an institution's own records.
    pub fn institution(institution_id: i64) -> Subject {
        Subject { graduate_id: None, institution_id: Some(institution_id) }
    }
}

/// The action of a view of personal data (查看个人信息): a page or download
/// showed someone's ID or phone number in full. The audit page keeps these
/// apart from data changes, which they would otherwise flood.
pub const VIEWED: &str = "view_personal";

/// One change to record.
pub struct Change<'a> {
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: String,
    pub before: Option<Json>,
    pub after: Option<Json>,
    pub subject: Subject,
}

impl<'a> Change<'a> {
    /// `action` done to `entity` number `id`; add what it was and became with
    /// `before` and `after`.
    pub fn new(action: &'a str, entity: &'a str, id: impl ToString) -> Change<'a> {
        Change { action, entity, entity_id: id.to_string(), before: None, after: None, subject: Subject::default() }
    }

    /// A new record and what it holds.
    pub fn created(entity: &'a str, id: impl ToString, after: Json) -> Change<'a> {
        Change::new("create", entity, id).after(after)
    }

    /// Personal data of `entity` number `id` shown in full to the one recording.
    pub fn viewed(entity: &'a str, id: impl ToString) -> Change<'a> {
        Change::new(VIEWED, entity, id)
    }

    /// A changed record, before and after.
    pub fn updated(entity: &'a str, id: impl ToString, before: impl Into<Option<Json>>, after: Json) -> Change<'a> {
        Change::new("update", entity, id).before(before).after(after)
    }

    pub fn before(mut self, image: impl Into<Option<Json>>) -> Change<'a> {
        self.before = image.into();
        self
    }

    pub fn after(mut self, image: impl Into<Option<Json>>) -> Change<'a> {
        self.after = image.into();
        self
    }

    /// Whom the change is about.
    pub fn about(mut self, subject: Subject) -> Change<'a> {
        self.subject = subject;
        self
    }
}

struct Fields<'a> {
    /// The record's number in its chain. Before chains this place held the
    /// record id, which chain 0's records keep as their number, so their hashes
    /// still hold.
    seq: i64,
    at: &'a str,
    actor_id: Option<i64>,
    actor_label: &'a str,
    action: &'a str,
    entity: &'a str,
    entity_id: &'a str,
    before: Option<&'a str>,
    after: Option<&'a str>,
    client_addr: Option<&'a str>,
    subject: Subject,
    batch_id: Option<i64>,
}

fn chain_hash(prev: &str, f: &Fields) -> String {
    let number = |n: Option<i64>| n.map(|i| i.to_string()).unwrap_or_default();
    let mut h = Sha256::new();
    let mut part = |text: &str| {
        h.update(text.as_bytes());
        h.update([0x1f]);
    };
    for text in [
        prev,
        &f.seq.to_string(),
        f.at,
        &number(f.actor_id),
        f.actor_label,
        f.action,
        f.entity,
        f.entity_id,
        f.before.unwrap_or(""),
        f.after.unwrap_or(""),
        f.client_addr.unwrap_or(""),
    ] {
        part(text);
    }
    // Only when set, so that records from before there were subjects keep their hashes.
    if f.subject != Subject::default() || f.batch_id.is_some() {
        for n in [f.subject.graduate_id, f.subject.institution_id, f.batch_id] {
            part(&number(n));
        }
    }
    hex::encode(h.finalize())
}

/// The statement that adds a record, for `record` to wrap per engine.
macro_rules! insert_record {
    () => {
        "INSERT INTO audit_log (chain, seq, at, actor_id, actor_label, action, entity, entity_id, before_json, after_json, client_addr, prev_hash, hash, graduate_id, institution_id, batch_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)"
    };
}

/// The columns `insert_record!` writes, in its order, for multi-row inserts.
const COLUMNS: [&str; 16] = [
    "chain",
    "seq",
    "at",
    "actor_id",
    "actor_label",
    "action",
    "entity",
    "entity_id",
    "before_json",
    "after_json",
    "client_addr",
    "prev_hash",
    "hash",
    "graduate_id",
    "institution_id",
    "batch_id",
];

/// Where a record goes: its chain, its number there and the hash it follows.
struct Place<'a> {
    chain: i64,
    seq: i64,
    prev: &'a str,
    at: &'a str,
}

/// A record's values in `COLUMNS` order, and its hash.
fn prepare(place: Place, who: &AuditActor, change: Change, batch_id: Option<i64>) -> (Vec<Value>, String) {
    let before = change.before.map(|j| j.to_string());
    let after = change.after.map(|j| j.to_string());
    let hash = chain_hash(
        place.prev,
        &Fields {
            seq: place.seq,
            at: place.at,
            actor_id: who.account_id,
            actor_label: &who.label,
            action: change.action,
            entity: change.entity,
            entity_id: &change.entity_id,
            before: before.as_deref(),
            after: after.as_deref(),
            client_addr: who.client_addr.as_deref(),
            subject: change.subject,
            batch_id,
        },
    );
    let values = vec![
        place.chain.into(),
        place.seq.into(),
        place.at.into(),
        who.account_id.into(),
        who.label.as_str().into(),
        change.action.into(),
        change.entity.into(),
        change.entity_id.into(),
        before.into(),
        after.into(),
        who.client_addr.as_deref().into(),
        place.prev.into(),
        hash.as_str().into(),
        change.subject.graduate_id.into(),
        change.subject.institution_id.into(),
        batch_id.into(),
    ];
    (values, hash)
}

/// The chain the next SQLite record goes to. SQLite has one writer, so the
/// chains do not spare it any waiting; taking them in turn keeps them even.
static NEXT_SQLITE_CHAIN: AtomicI64 = AtomicI64::new(0);

/// Takes the head of a chain until commit and gives the next `count` numbers
/// in it: the chain, the last number given and the hash to chain to.
async fn take_numbers(tx: &mut Tx, count: i64) -> DbResult<(i64, i64, String)> {
    // One statement takes the head row's lock until commit, numbers the records
    // and reads the hash to chain to (RETURNING shows the row as updated, and
    // last_hash is not updated here). On PostgreSQL the chain is the transaction
    // id modulo CHAINS: transactions running at the same time have neighbouring
    // ids, so they rarely share a chain, and a transaction that records several
    // changes keeps to the chain it has locked, so it never waits for a second
    // head while holding one (which could deadlock).
    let head = match tx.backend() {
        Backend::Postgres => {
            tx.fetch_one(
                "UPDATE audit_head SET seq = seq + $2 WHERE id = txid_current() % $1 RETURNING id, seq, last_hash",
                &[CHAINS.into(), count.into()],
            )
            .await?
        }
        Backend::Sqlite => {
            let chain = NEXT_SQLITE_CHAIN.fetch_add(1, Ordering::Relaxed).rem_euclid(CHAINS);
            tx.fetch_one(
                "UPDATE audit_head SET seq = seq + $2 WHERE id = $1 RETURNING id, seq, last_hash",
                &[chain.into(), count.into()],
            )
            .await?
        }
    };
    Ok((head.i64("id")?, head.i64("seq")?, head.text("last_hash")?))
}

/// Appends one record to a chain inside the caller's transaction.
pub async fn record(tx: &mut Tx, who: &AuditActor, change: Change<'_>) -> DbResult<()> {
    let (chain, seq, prev) = take_numbers(tx, 1).await?;
    let at = time::now_utc();
    let (values, _) = prepare(Place { chain, seq, prev: &prev, at: &at }, who, change, None);
    // The record and its head's new hash go in one statement: a statement costs
    // more in getting there and back than in its work (on SQLite a hand-over to
    // its worker thread, on PostgreSQL a round trip with the head locked).
    // SQLite runs the two statements in turn, each taking its numbered
    // parameters from the one list.
    let sql = match tx.backend() {
        Backend::Postgres => concat!(
            "WITH r AS (",
            insert_record!(),
            " RETURNING id) UPDATE audit_head SET last_hash = $13, last_id = (SELECT id FROM r) WHERE id = $1"
        ),
        Backend::Sqlite => {
            concat!(
                insert_record!(),
                "; UPDATE audit_head SET last_hash = $13, last_id = last_insert_rowid() WHERE id = $1"
            )
        }
    };
    tx.execute(sql, &values).await?;
    Ok(())
}

/// Records a view of personal data (`Change::viewed`) in a transaction of
/// its own. It is the one write a page that only reads makes: kept in this
/// one function so that, once pages are read from a replica that cannot be
/// written, it can move to wherever views are then written.
pub async fn record_view(db: &Db, who: &AuditActor, view: Change<'_>) -> DbResult<()> {
    let mut tx = db.begin().await?;
    record(&mut tx, who, view).await?;
    tx.commit().await
}

/// Records a batch (a roster or destination import) as one record for the
/// batch and one for each graduate it changed, each naming the batch's record
/// as its `batch_id`, all in one chain, and returns the batch record's id. The
/// head is taken once and the members go in multi-row inserts, so a 50,000-row
/// import costs a few dozen statements rather than 100,000.
pub async fn record_batch(tx: &mut Tx, who: &AuditActor, batch: Change<'_>, members: Vec<Change<'_>>) -> DbResult<i64> {
    let count = members.len() as i64 + 1;
    let (chain, last, prev) = take_numbers(tx, count).await?;
    let at = time::now_utc();
    let first = last - count + 1;
    let (values, mut prev) = prepare(Place { chain, seq: first, prev: &prev, at: &at }, who, batch, None);
    let batch_id = tx.insert_returning_id(insert_record!(), &values).await?;
    let rows: Vec<Vec<Value>> = members
        .into_iter()
        .zip(first + 1..)
        .map(|(change, seq)| {
            let (values, hash) = prepare(Place { chain, seq, prev: &prev, at: &at }, who, change, Some(batch_id));
            prev = hash;
            values
        })
        .collect();
    let last_id = if rows.is_empty() {
        batch_id
    } else {
        tx.insert_many("audit_log", &COLUMNS, rows).await?;
        let sql = match tx.backend() {
            Backend::Postgres => "SELECT currval(pg_get_serial_sequence('audit_log', 'id')) AS id",
            Backend::Sqlite => "SELECT last_insert_rowid() AS id",
        };
        tx.fetch_one(sql, &[]).await?.i64("id")?
    };
    tx.execute(
        "UPDATE audit_head SET last_hash = $1, last_id = $2 WHERE id = $3",
        &[prev.into(), last_id.into(), chain.into()],
    )
    .await?;
    Ok(batch_id)
}

/// What `verify` found.
#[derive(Debug, PartialEq, Eq)]
pub enum ChainStatus {
    Intact { records: i64 },
    Broken { record_id: i64, reason: &'static str },
}

/// Walks the log once in id order, following every chain at the same time, and
/// names the first record that does not fit.
///
/// Safe to run while records are written: the heads are read first, and a
/// record numbered past its chain's head was committed after that and is left
/// to the next run. Ids rise along each chain (a record is written after the one
/// before it in its chain committed), so id order is each chain's order.
pub async fn verify(db: &Db) -> DbResult<ChainStatus> {
    struct Walk {
        head: Row,
        head_seq: i64,
        seq: i64,
        hash: String,
        last_id: i64,
    }
    let mut chains = BTreeMap::new();
    for head in db.fetch_all("SELECT id, seq, last_hash, last_id FROM audit_head ORDER BY id", &[]).await? {
        let chain = head.i64("id")?;
        let head_seq = head.i64("seq")?;
        chains.insert(chain, Walk { head, head_seq, seq: 0, hash: genesis_hash(chain), last_id: 0 });
    }
    let mut after_id = 0i64;
    loop {
        let rows = db
            .fetch_all(
                "SELECT id, chain, seq, at, actor_id, actor_label, action, entity, entity_id, before_json, after_json, client_addr, prev_hash, hash, \
                 graduate_id, institution_id, batch_id \
                 FROM audit_log WHERE id > $1 ORDER BY id LIMIT 5000",
                &[after_id.into()],
            )
            .await?;
        let Some(last) = rows.last() else { break };
        after_id = last.i64("id")?;
        for row in &rows {
            let id = row.i64("id")?;
            let broken = |reason| Ok(ChainStatus::Broken { record_id: id, reason });
            let Some(walk) = chains.get_mut(&row.i64("chain")?) else {
                return broken("record outside every chain");
            };
            let seq = row.i64("seq")?;
            if seq > walk.head_seq {
                continue;
            }
            if seq <= walk.seq {
                return broken("record out of order in its chain");
            }
            if seq > walk.seq + 1 {
                return broken("the record before this one in its chain is missing");
            }
            if row.text("prev_hash")? != walk.hash {
                return broken("previous hash does not match");
            }
            let expected = hash_of_row(&walk.hash, row)?;
            if row.text("hash")? != expected {
                return broken("record content was changed");
            }
            (walk.seq, walk.hash, walk.last_id) = (seq, expected, id);
        }
    }
    let mut records = 0;
    for walk in chains.values() {
        if walk.seq != walk.head_seq {
            // The head names the last record written to the chain.
            let record_id = walk.head.i64("last_id")?;
            return Ok(ChainStatus::Broken {
                record_id,
                reason: "the end of its chain was removed, up to this record",
            });
        }
        if walk.head.text("last_hash")? != walk.hash {
            return Ok(ChainStatus::Broken {
                record_id: walk.last_id,
                reason: "its chain's head names another record",
            });
        }
        records += walk.seq;
    }
    // A record numbered past its head now was not written by `record`, which
    // moves the head in the same transaction. One statement reads both, so a
    // record committed meanwhile comes with its head.
    let beyond = db
        .fetch_one(
            "SELECT MIN(l.id) AS id FROM audit_log l JOIN audit_head h ON h.id = l.chain WHERE l.seq > h.seq",
            &[],
        )
        .await?
        .opt_i64("id")?;
    if let Some(record_id) = beyond {
        return Ok(ChainStatus::Broken { record_id, reason: "record beyond its chain's head" });
    }
    Ok(ChainStatus::Intact { records })
}

fn hash_of_row(prev: &str, row: &Row) -> DbResult<String> {
    let at = row.text("at")?;
    let actor_label = row.text("actor_label")?;
    let action = row.text("action")?;
    let entity = row.text("entity")?;
    let entity_id = row.text("entity_id")?;
    let before = row.opt_text("before_json")?;
    let after = row.opt_text("after_json")?;
    let client = row.opt_text("client_addr")?;
    Ok(chain_hash(
        prev,
        &Fields {
            seq: row.i64("seq")?,
            at: &at,
            actor_id: row.opt_i64("actor_id")?,
            actor_label: &actor_label,
            action: &action,
            entity: &entity,
            entity_id: &entity_id,
            before: before.as_deref(),
            after: after.as_deref(),
            client_addr: client.as_deref(),
            subject: Subject {
                graduate_id: row.opt_i64("graduate_id")?,
                institution_id: row.opt_i64("institution_id")?,
            },
            batch_id: row.opt_i64("batch_id")?,
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(subject: Subject, batch_id: Option<i64>) -> Fields<'static> {
        Fields {
            seq: 1,
            at: "2026-12-01T21:41:06.377Z",
            actor_id: Some(1),
            actor_label: "admin",
            action: "create",
            entity: "college",
            entity_id: "7",
            before: None,
            after: Some(r#"{"code":"70","institution_id":1,"name":"审计学院"}"#),
            client_addr: Some("127.0.0.1"),
            subject,
            batch_id,
        }
    }

    #[test]
    fn a_record_without_a_subject_hashes_as_before_and_each_subject_column_counts() {
        // The first record of the log as written before chains and subjects (tests/it/audit.rs).
        let before_subjects = "e5e51586b1a140132ca3060fbd1720f69977015115bf063777fae6f808c6155a";
        assert_eq!(chain_hash(GENESIS_HASH, &fields(Subject::default(), None)), before_subjects);
        let hashes = [
            chain_hash(GENESIS_HASH, &fields(Subject::institution(1), None)),
            chain_hash(GENESIS_HASH, &fields(Subject::graduate(5, 1), None)),
            chain_hash(GENESIS_HASH, &fields(Subject::graduate(6, 1), None)),
            chain_hash(GENESIS_HASH, &fields(Subject::graduate(5, 1), Some(9))),
            chain_hash(GENESIS_HASH, &fields(Subject::default(), Some(9))),
        ];
        for (i, h) in hashes.iter().enumerate() {
            assert_ne!(h, before_subjects);
            assert!(!hashes[i + 1..].contains(h), "{i}");
        }
    }

    #[test]
    fn chain_zero_starts_where_the_single_chain_did() {
        assert_eq!(genesis_hash(0), GENESIS_HASH);
        assert_eq!(genesis_hash(31), format!("{}1f", "0".repeat(62)));
    }
}
