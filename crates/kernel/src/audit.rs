//! The audit log (审计日志): every write records who did what to which entity,
//! the before and after images, when and from where, in the same transaction
//! as the write. Records are hash-chained so that editing or deleting one
//! shows: `jiuye audit verify` recomputes the chain.

use serde_json::Value as Json;
use sha2::{Digest, Sha256};

use crate::auth::Actor;
use crate::db::{Db, DbResult, Row, Tx};
use crate::time;

pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

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

/// One change to record.
pub struct Change<'a> {
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: String,
    pub before: Option<Json>,
    pub after: Option<Json>,
}

impl<'a> Change<'a> {
    /// `action` done to `entity` number `id`; add what it was and became with
    /// `before` and `after`.
    pub fn new(action: &'a str, entity: &'a str, id: impl ToString) -> Change<'a> {
        Change { action, entity, entity_id: id.to_string(), before: None, after: None }
    }

    /// A new record and what it holds.
    pub fn created(entity: &'a str, id: impl ToString, after: Json) -> Change<'a> {
        Change::new("create", entity, id).after(after)
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
}

struct Fields<'a> {
    id: i64,
    at: &'a str,
    actor_id: Option<i64>,
    actor_label: &'a str,
    action: &'a str,
    entity: &'a str,
    entity_id: &'a str,
    before: Option<&'a str>,
    after: Option<&'a str>,
    client_addr: Option<&'a str>,
}

fn chain_hash(prev: &str, f: &Fields) -> String {
    let mut h = Sha256::new();
    for part in [
        prev,
        &f.id.to_string(),
        f.at,
        &f.actor_id.map(|i| i.to_string()).unwrap_or_default(),
        f.actor_label,
        f.action,
        f.entity,
        f.entity_id,
        f.before.unwrap_or(""),
        f.after.unwrap_or(""),
        f.client_addr.unwrap_or(""),
    ] {
        h.update(part.as_bytes());
        h.update([0x1f]);
    }
    hex::encode(h.finalize())
}

/// Appends one record to the chain inside the caller's transaction.
pub async fn record(tx: &mut Tx, who: &AuditActor, change: Change<'_>) -> DbResult<()> {
    // Taking the head row's lock first serialises concurrent writers on PostgreSQL.
    tx.execute("UPDATE audit_head SET last_hash = last_hash WHERE id = 1", &[]).await?;
    let prev = tx.fetch_one("SELECT last_hash FROM audit_head WHERE id = 1", &[]).await?.text("last_hash")?;
    let id = tx.fetch_one("SELECT COALESCE(MAX(id), 0) + 1 AS next FROM audit_log", &[]).await?.i64("next")?;
    let at = time::now_utc();
    let before = change.before.map(|j| j.to_string());
    let after = change.after.map(|j| j.to_string());
    let fields = Fields {
        id,
        at: &at,
        actor_id: who.account_id,
        actor_label: &who.label,
        action: change.action,
        entity: change.entity,
        entity_id: &change.entity_id,
        before: before.as_deref(),
        after: after.as_deref(),
        client_addr: who.client_addr.as_deref(),
    };
    let hash = chain_hash(&prev, &fields);
    tx.execute(
        "INSERT INTO audit_log (id, at, actor_id, actor_label, action, entity, entity_id, before_json, after_json, client_addr, prev_hash, hash) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        &[
            id.into(),
            at.clone().into(),
            who.account_id.into(),
            who.label.clone().into(),
            change.action.into(),
            change.entity.into(),
            change.entity_id.clone().into(),
            before.into(),
            after.into(),
            who.client_addr.clone().into(),
            prev.into(),
            hash.clone().into(),
        ],
    )
    .await?;
    tx.execute("UPDATE audit_head SET last_hash = $1 WHERE id = 1", &[hash.into()]).await?;
    Ok(())
}

/// What `verify` found.
#[derive(Debug, PartialEq, Eq)]
pub enum ChainStatus {
    Intact { records: i64 },
    Broken { record_id: i64, reason: &'static str },
}

/// Walks the chain in id order and names the first record that does not fit.
pub async fn verify(db: &Db) -> DbResult<ChainStatus> {
    let mut prev = GENESIS_HASH.to_owned();
    let mut after_id = 0i64;
    let mut count = 0;
    loop {
        let rows = db
            .fetch_all(
                "SELECT id, at, actor_id, actor_label, action, entity, entity_id, before_json, after_json, client_addr, prev_hash, hash \
                 FROM audit_log WHERE id > $1 ORDER BY id LIMIT 5000",
                &[after_id.into()],
            )
            .await?;
        if rows.is_empty() {
            break;
        }
        for row in &rows {
            let id = row.i64("id")?;
            if id != after_id + 1 {
                return Ok(ChainStatus::Broken { record_id: after_id + 1, reason: "record missing" });
            }
            if row.text("prev_hash")? != prev {
                return Ok(ChainStatus::Broken { record_id: id, reason: "previous hash does not match" });
            }
            let expected = hash_of_row(&prev, row)?;
            if row.text("hash")? != expected {
                return Ok(ChainStatus::Broken { record_id: id, reason: "record content was changed" });
            }
            prev = expected;
            after_id = id;
            count += 1;
        }
    }
    let head = db.fetch_one("SELECT last_hash FROM audit_head WHERE id = 1", &[]).await?.text("last_hash")?;
    if head != prev {
        return Ok(ChainStatus::Broken { record_id: after_id + 1, reason: "records after this point were removed" });
    }
    Ok(ChainStatus::Intact { records: count })
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
            id: row.i64("id")?,
            at: &at,
            actor_id: row.opt_i64("actor_id")?,
            actor_label: &actor_label,
            action: &action,
            entity: &entity,
            entity_id: &entity_id,
            before: before.as_deref(),
            after: after.as_deref(),
            client_addr: client.as_deref(),
        },
    ))
}
