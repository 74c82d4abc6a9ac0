//! The hash-chained internal audit log.
//!
//! Each event's hash is SHA-256 over the previous hash and the event's stored fields, each
//! length-prefixed, so no field boundary can be shifted. `verify` recomputes the chain from
//! the first event and names the first broken link.
use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::{AnyConnection, Row};
use time::OffsetDateTime;

use crate::{bulk, from_micros, to_micros, Store, StoreError, Tx};

pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// An event to append. Never put secrets or personal data beyond ids in `detail`.
#[derive(Debug, Clone)]
pub struct NewEvent<'a> {
    pub at: OffsetDateTime,
    pub actor_id: Option<&'a str>,
    pub actor_role: &'a str,
    pub action: &'a str,
    pub subject_type: &'a str,
    pub subject_id: &'a str,
    pub detail: serde_json::Value,
}

#[derive(Debug, Clone, Serialize)]
pub struct AuditEvent {
    pub seq: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    pub actor_id: Option<String>,
    pub actor_role: String,
    pub action: String,
    pub subject_type: String,
    pub subject_id: String,
    pub detail: serde_json::Value,
    pub prev_hash: String,
    pub hash: String,
}

/// The hash of one event: SHA-256 of `probity-audit-v1\n` and then, each as a big-endian u64
/// length and its bytes, the previous event's hash (hex), the event number and time (µs),
/// both in decimal, the actor id (empty for none), role, action, subject type and id, and the
/// detail JSON as stored. Lowercase hex.
#[allow(clippy::too_many_arguments)]
pub fn event_hash(
    prev_hash: &str,
    seq: i64,
    at: i64,
    actor_id: &str,
    actor_role: &str,
    action: &str,
    subject_type: &str,
    subject_id: &str,
    detail_json: &str,
) -> String {
    let mut h = Sha256::new();
    h.update(b"probity-audit-v1\n");
    for field in [
        prev_hash.as_bytes(),
        seq.to_string().as_bytes(),
        at.to_string().as_bytes(),
        actor_id.as_bytes(),
        actor_role.as_bytes(),
        action.as_bytes(),
        subject_type.as_bytes(),
        subject_id.as_bytes(),
        detail_json.as_bytes(),
    ] {
        h.update((field.len() as u64).to_be_bytes());
        h.update(field);
    }
    hex::encode(h.finalize())
}

/// Append an event inside a command transaction (which holds the command lock, so the chain
/// head cannot move underneath us). Returns the new sequence number.
pub async fn append(tx: &mut Tx, event: NewEvent<'_>) -> Result<i64, StoreError> {
    let head = sqlx::query("SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1")
        .fetch_optional(&mut **tx)
        .await?;
    let (prev_seq, prev_hash) = match head {
        Some(row) => (
            row.try_get::<i64, _>("seq")?,
            row.try_get::<String, _>("hash")?,
        ),
        None => (0, GENESIS_HASH.to_string()),
    };
    let seq = prev_seq + 1;
    let at = to_micros(event.at);
    let detail_json = event.detail.to_string();
    let actor_id = event.actor_id.unwrap_or("");
    let hash = event_hash(
        &prev_hash,
        seq,
        at,
        actor_id,
        event.actor_role,
        event.action,
        event.subject_type,
        event.subject_id,
        &detail_json,
    );
    sqlx::query(
        "INSERT INTO audit_events (seq, at, actor_id, actor_role, action, subject_type, \
         subject_id, detail_json, prev_hash, hash) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)",
    )
    .bind(seq)
    .bind(at)
    .bind(event.actor_id.map(str::to_string))
    .bind(event.actor_role)
    .bind(event.action)
    .bind(event.subject_type)
    .bind(event.subject_id)
    .bind(detail_json)
    .bind(prev_hash)
    .bind(hash)
    .execute(&mut **tx)
    .await?;
    Ok(seq)
}

/// Append many events in order inside one command transaction: the chain is computed here
/// exactly as [`append`] computes it, and written in multi-row statements. Returns their
/// sequence numbers.
pub async fn append_many(tx: &mut Tx, events: &[NewEvent<'_>]) -> Result<Vec<i64>, StoreError> {
    if events.is_empty() {
        return Ok(Vec::new());
    }
    let head = sqlx::query("SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1")
        .fetch_optional(&mut **tx)
        .await?;
    let (mut seq, mut prev_hash) = match head {
        Some(row) => (
            row.try_get::<i64, _>("seq")?,
            row.try_get::<String, _>("hash")?,
        ),
        None => (0, GENESIS_HASH.to_string()),
    };
    let mut rows = Vec::with_capacity(events.len());
    let mut seqs = Vec::with_capacity(events.len());
    for e in events {
        seq += 1;
        let at = to_micros(e.at);
        let detail_json = e.detail.to_string();
        let hash = event_hash(
            &prev_hash,
            seq,
            at,
            e.actor_id.unwrap_or(""),
            e.actor_role,
            e.action,
            e.subject_type,
            e.subject_id,
            &detail_json,
        );
        rows.push(vec![
            bulk::Value::Int(seq),
            bulk::Value::Int(at),
            bulk::Value::OptText(e.actor_id),
            bulk::Value::Text(e.actor_role),
            bulk::Value::Text(e.action),
            bulk::Value::Text(e.subject_type),
            bulk::Value::Text(e.subject_id),
            bulk::Value::Owned(detail_json),
            bulk::Value::Owned(std::mem::replace(&mut prev_hash, hash.clone())),
            bulk::Value::Owned(hash),
        ]);
        seqs.push(seq);
    }
    let written = bulk::insert_rows(
        &mut *tx,
        "audit_events",
        &[
            "seq",
            "at",
            "actor_id",
            "actor_role",
            "action",
            "subject_type",
            "subject_id",
            "detail_json",
            "prev_hash",
            "hash",
        ],
        &rows,
        &mut |_| {},
    )
    .await?;
    if written != rows.len() as u64 {
        return Err(StoreError::Corrupt(
            "the audit chain moved while events were appended".into(),
        ));
    }
    Ok(seqs)
}

const SELECT_EVENTS: &str = "SELECT seq, at, actor_id, actor_role, action, subject_type, \
    subject_id, detail_json, prev_hash, hash FROM audit_events";

fn decode(row: &sqlx::any::AnyRow) -> Result<(AuditEvent, String), StoreError> {
    let detail_json: String = row.try_get("detail_json")?;
    let event = AuditEvent {
        seq: row.try_get("seq")?,
        at: from_micros(row.try_get("at")?),
        actor_id: row.try_get("actor_id")?,
        actor_role: row.try_get("actor_role")?,
        action: row.try_get("action")?,
        subject_type: row.try_get("subject_type")?,
        subject_id: row.try_get("subject_id")?,
        detail: serde_json::from_str(&detail_json).unwrap_or(serde_json::Value::Null),
        prev_hash: row.try_get("prev_hash")?,
        hash: row.try_get("hash")?,
    };
    Ok((event, detail_json))
}

/// Events about one subject (e.g. a case), oldest first.
pub async fn for_subject(
    store: &Store,
    subject_type: &str,
    subject_id: &str,
) -> Result<Vec<AuditEvent>, StoreError> {
    let rows = sqlx::query(&format!(
        "{SELECT_EVENTS} WHERE subject_type = $1 AND subject_id = $2 ORDER BY seq"
    ))
    .bind(subject_type)
    .bind(subject_id)
    .fetch_all(store.pool())
    .await?;
    rows.iter().map(|r| decode(r).map(|(e, _)| e)).collect()
}

/// A case's whole history: events about the case and about any licence issued on it.
pub async fn for_case(store: &Store, case_id: &str) -> Result<Vec<AuditEvent>, StoreError> {
    let rows = sqlx::query(&format!(
        "{SELECT_EVENTS} WHERE (subject_type = 'case' AND subject_id = $1) \
         OR (subject_type = 'licence' AND subject_id IN (SELECT id FROM licences WHERE case_id = $1)) \
         ORDER BY seq"
    ))
    .bind(case_id)
    .fetch_all(store.pool())
    .await?;
    rows.iter().map(|r| decode(r).map(|(e, _)| e)).collect()
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainReport {
    pub events: i64,
    pub head: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("audit chain broken at event {seq}: {reason}")]
pub struct BrokenLink {
    pub seq: i64,
    pub reason: String,
}

/// The newest event's number and hash (the chain's length and head, as stored), or `None`
/// for an empty chain. Inside a transaction this is the chain as that transaction sees it.
pub async fn head(conn: &mut AnyConnection) -> Result<Option<ChainReport>, StoreError> {
    let row = sqlx::query("SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1")
        .fetch_optional(&mut *conn)
        .await?;
    row.map(|r| {
        Ok(ChainReport {
            events: r.try_get("seq")?,
            head: r.try_get("hash")?,
        })
    })
    .transpose()
}

/// The stored hash of event number `seq`, if there is such an event.
pub async fn hash_at(conn: &mut AnyConnection, seq: i64) -> Result<Option<String>, StoreError> {
    let row = sqlx::query("SELECT hash FROM audit_events WHERE seq = $1")
        .bind(seq)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(row.map(|r| r.try_get("hash")).transpose()?)
}

/// Recompute the whole chain, in pages, and name the first broken link.
pub async fn verify(store: &Store) -> Result<Result<ChainReport, BrokenLink>, StoreError> {
    Ok(verify_recording(store, &BTreeSet::new())
        .await?
        .map(|(report, _)| report))
}

/// [`verify`], also returning the recomputed hash of each event numbered in `at` that the
/// chain holds (what audit anchors are compared with).
pub async fn verify_recording(
    store: &Store,
    at: &BTreeSet<i64>,
) -> Result<Result<(ChainReport, BTreeMap<i64, String>), BrokenLink>, StoreError> {
    let mut recorded = BTreeMap::new();
    let mut expected_prev = GENESIS_HASH.to_string();
    let mut expected_seq = 1i64;
    loop {
        let rows = sqlx::query(&format!(
            "{SELECT_EVENTS} WHERE seq >= $1 ORDER BY seq LIMIT 5000"
        ))
        .bind(expected_seq)
        .fetch_all(store.pool())
        .await?;
        if rows.is_empty() {
            break;
        }
        for row in &rows {
            let (e, detail_json) = decode(row)?;
            let broken = |reason: String| Ok(Err(BrokenLink { seq: e.seq, reason }));
            if e.seq != expected_seq {
                return Ok(Err(BrokenLink {
                    seq: expected_seq,
                    reason: format!("event {expected_seq} is missing (next is {})", e.seq),
                }));
            }
            if e.prev_hash != expected_prev {
                return broken("its previous-hash does not match the event before it".into());
            }
            let recomputed = event_hash(
                &e.prev_hash,
                e.seq,
                to_micros(e.at),
                e.actor_id.as_deref().unwrap_or(""),
                &e.actor_role,
                &e.action,
                &e.subject_type,
                &e.subject_id,
                &detail_json,
            );
            if recomputed != e.hash {
                return broken("its contents do not match its hash (the event was altered)".into());
            }
            if at.contains(&e.seq) {
                recorded.insert(e.seq, e.hash.clone());
            }
            expected_prev = e.hash;
            expected_seq += 1;
        }
    }
    Ok(Ok((
        ChainReport {
            events: expected_seq - 1,
            head: expected_prev,
        },
        recorded,
    )))
}
