//! Storage of the public register (the transparency log): entries, stored Merkle hashes,
//! signed checkpoints and the private openings of each entry's commitments.
//!
//! Entries are stored as base64 TEXT and hashes as hex TEXT so the same schema serves SQLite
//! and PostgreSQL through the `Any` driver. Every function takes a connection, so the
//! sequencer can do all of its work inside one transaction; [`hashes`] adapts the stored
//! hashes to `probity_register`'s synchronous [`probity_register::HashReader`] and
//! [`probity_register::store::HashStore`] traits.

mod hashes;
mod secrets;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use probity_domain::ConfidentialField;
use probity_register::Hash;
use sqlx::{AnyConnection, Row};
use time::OffsetDateTime;

use crate::bulk::{placeholders, rows_per_statement};
use crate::{from_micros, to_micros, StoreError, Tx};

pub use hashes::{read_tile, DbHashes};
pub use secrets::{cases_secrets, CaseSecrets};

/// A signed checkpoint as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredCheckpoint {
    pub tree_size: u64,
    /// The signed note text.
    pub note: String,
    pub created_at: OffsetDateTime,
}

/// A stored entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEntry {
    pub index: u64,
    /// The decision record's outbox row; `None` for an audit anchor, which has none.
    pub outbox_seq: Option<i64>,
    pub bytes: Vec<u8>,
}

/// One private opening (salt and value of one committed field of one entry).
#[derive(Clone, PartialEq, Eq)]
pub struct StoredOpening {
    pub index: u64,
    pub field: String,
    /// 64 lowercase hex digits.
    pub salt: String,
    pub value: String,
}

impl std::fmt::Debug for StoredOpening {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoredOpening")
            .field("index", &self.index)
            .field("field", &self.field)
            .finish_non_exhaustive()
    }
}

/// The private openings of one appended entry.
#[derive(Clone, PartialEq, Eq)]
pub struct EntryOpenings {
    pub index: u64,
    /// (salt as 64 lowercase hex digits, committed value) per field, in
    /// [`ConfidentialField::ALL`] order.
    pub fields: [(String, String); ConfidentialField::ALL.len()],
}

impl std::fmt::Debug for EntryOpenings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EntryOpenings")
            .field("index", &self.index)
            .finish_non_exhaustive()
    }
}

/// An unpublished outbox row, as the sequencer needs it.
#[derive(Debug, Clone)]
pub struct PendingRecord {
    pub seq: i64,
    pub case_id: String,
    pub record_json: String,
}

pub(crate) fn to_i64(v: u64, what: &str) -> Result<i64, StoreError> {
    i64::try_from(v).map_err(|_| StoreError::Corrupt(format!("{what} {v} is out of range")))
}

pub(crate) fn to_u64(v: i64, what: &str) -> Result<u64, StoreError> {
    u64::try_from(v).map_err(|_| StoreError::Corrupt(format!("{what} {v} is negative")))
}

/// Takes the register lock: the first statement of every sequencer transaction. On
/// PostgreSQL a second sequencer blocks here until the first commits; on SQLite the write
/// lock does the same.
pub async fn lock(tx: &mut Tx) -> Result<(), StoreError> {
    sqlx::query("UPDATE register_lock SET taken = taken + 1 WHERE id = 1")
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// The checkpoint with the largest tree size, if any.
pub async fn latest_checkpoint(
    conn: &mut AnyConnection,
) -> Result<Option<StoredCheckpoint>, StoreError> {
    let row = sqlx::query(
        "SELECT tree_size, note, created_at FROM register_checkpoints \
         ORDER BY tree_size DESC LIMIT 1",
    )
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|r| {
        Ok(StoredCheckpoint {
            tree_size: to_u64(r.try_get("tree_size")?, "checkpoint size")?,
            note: r.try_get("note")?,
            created_at: from_micros(r.try_get("created_at")?),
        })
    })
    .transpose()
}

/// The checkpoint for exactly `size`, if one was signed.
pub async fn checkpoint_at(
    conn: &mut AnyConnection,
    size: u64,
) -> Result<Option<StoredCheckpoint>, StoreError> {
    let row = sqlx::query(
        "SELECT tree_size, note, created_at FROM register_checkpoints WHERE tree_size = $1",
    )
    .bind(to_i64(size, "tree size")?)
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|r| {
        Ok(StoredCheckpoint {
            tree_size: to_u64(r.try_get("tree_size")?, "checkpoint size")?,
            note: r.try_get("note")?,
            created_at: from_micros(r.try_get("created_at")?),
        })
    })
    .transpose()
}

pub async fn insert_checkpoint(
    conn: &mut AnyConnection,
    size: u64,
    note: &str,
    at: OffsetDateTime,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO register_checkpoints (tree_size, note, created_at) VALUES ($1, $2, $3)",
    )
    .bind(to_i64(size, "tree size")?)
    .bind(note)
    .bind(to_micros(at))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// One past the highest index in `table`, or 0 when it is empty: an index lookup, where
/// COUNT(*) would scan a table that only grows. Indexes are contiguous from 0 (appends only),
/// so this is the row count; a missing row in the middle is what `verify` finds.
async fn extent(conn: &mut AnyConnection, table: &str) -> Result<u64, StoreError> {
    let max: Option<i64> =
        sqlx::query_scalar(&format!("SELECT CAST(MAX(idx) AS BIGINT) FROM {table}"))
            .fetch_one(&mut *conn)
            .await?;
    match max {
        None => Ok(0),
        Some(m) => Ok(to_u64(m, "stored index")? + 1),
    }
}

/// Number of stored entries (see [`extent`]).
pub async fn entry_count(conn: &mut AnyConnection) -> Result<u64, StoreError> {
    extent(conn, "register_entries").await
}

/// Number of stored hashes (see [`extent`]).
pub async fn hash_count(conn: &mut AnyConnection) -> Result<u64, StoreError> {
    extent(conn, "register_hashes").await
}

/// Appends entries (their indexes must continue the log).
pub async fn insert_entries(
    conn: &mut AnyConnection,
    entries: &[StoredEntry],
    at: OffsetDateTime,
) -> Result<(), StoreError> {
    for chunk in entries.chunks(rows_per_statement(conn, 4)) {
        let sql = format!(
            "INSERT INTO register_entries (idx, outbox_seq, entry, created_at) VALUES {}",
            placeholders(1, chunk.len(), 4)
        );
        let mut q = sqlx::query(&sql);
        for e in chunk {
            q = q
                .bind(to_i64(e.index, "entry index")?)
                .bind(e.outbox_seq)
                .bind(B64.encode(&e.bytes))
                .bind(to_micros(at));
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

fn decode_entry(row: &sqlx::any::AnyRow) -> Result<StoredEntry, StoreError> {
    let index = to_u64(row.try_get("idx")?, "entry index")?;
    let text: String = row.try_get("entry")?;
    let bytes = B64
        .decode(text.as_bytes())
        .map_err(|_| StoreError::Corrupt(format!("register entry {index} is not base64")))?;
    Ok(StoredEntry {
        index,
        outbox_seq: row.try_get("outbox_seq")?,
        bytes,
    })
}

/// The newest entry without an outbox row (an audit anchor), if any: one step of the partial
/// index `register_entries_anchors`.
pub async fn latest_anchor(conn: &mut AnyConnection) -> Result<Option<StoredEntry>, StoreError> {
    let row = sqlx::query(
        "SELECT idx, outbox_seq, entry FROM register_entries WHERE outbox_seq IS NULL \
         ORDER BY idx DESC LIMIT 1",
    )
    .fetch_optional(&mut *conn)
    .await?;
    row.as_ref().map(decode_entry).transpose()
}

/// Every entry without an outbox row (the audit anchors), in index order.
pub async fn anchors(conn: &mut AnyConnection) -> Result<Vec<StoredEntry>, StoreError> {
    let rows = sqlx::query(
        "SELECT idx, outbox_seq, entry FROM register_entries WHERE outbox_seq IS NULL \
         ORDER BY idx",
    )
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(decode_entry).collect()
}

/// Entries with index in `[from, from + count)`, in index order.
pub async fn read_entries(
    conn: &mut AnyConnection,
    from: u64,
    count: u64,
) -> Result<Vec<StoredEntry>, StoreError> {
    // An index past what a BIGINT holds names no stored entry: that is "none", not corruption.
    let Ok(first) = i64::try_from(from) else {
        return Ok(Vec::new());
    };
    let end = i64::try_from(from.saturating_add(count)).unwrap_or(i64::MAX);
    let rows = sqlx::query(
        "SELECT idx, outbox_seq, entry FROM register_entries \
         WHERE idx >= $1 AND idx < $2 ORDER BY idx",
    )
    .bind(first)
    .bind(end)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(decode_entry).collect()
}

/// The entry for outbox row `seq`, if it has been sequenced.
pub async fn entry_for_seq(
    conn: &mut AnyConnection,
    seq: i64,
) -> Result<Option<StoredEntry>, StoreError> {
    let row =
        sqlx::query("SELECT idx, outbox_seq, entry FROM register_entries WHERE outbox_seq = $1")
            .bind(seq)
            .fetch_optional(&mut *conn)
            .await?;
    row.as_ref().map(decode_entry).transpose()
}

/// Columns of `register_entry_openings` after `entry_idx`: salt and value of each field, in
/// [`ConfidentialField::ALL`] order.
fn opening_columns() -> String {
    ConfidentialField::ALL
        .iter()
        .map(|f| format!("{0}_salt, {0}", f.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Stores the private openings of appended entries, one row per entry.
pub async fn insert_openings(
    conn: &mut AnyConnection,
    openings: &[EntryOpenings],
) -> Result<(), StoreError> {
    const PARAMS: usize = 1 + 2 * ConfidentialField::ALL.len();
    let columns = opening_columns();
    for chunk in openings.chunks(rows_per_statement(conn, PARAMS)) {
        let sql = format!(
            "INSERT INTO register_entry_openings (entry_idx, {columns}) VALUES {}",
            placeholders(1, chunk.len(), PARAMS)
        );
        let mut q = sqlx::query(&sql);
        for o in chunk {
            q = q.bind(to_i64(o.index, "entry index")?);
            for (salt, value) in &o.fields {
                q = q.bind(salt.as_str()).bind(value.as_str());
            }
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

/// The private openings of entry `index`, one per field in [`ConfidentialField::ALL`] order
/// (for authorised disclosure only); empty if there is no such entry.
pub async fn openings(
    conn: &mut AnyConnection,
    index: u64,
) -> Result<Vec<StoredOpening>, StoreError> {
    let sql = format!(
        "SELECT {} FROM register_entry_openings WHERE entry_idx = $1",
        opening_columns()
    );
    let Some(row) = sqlx::query(&sql)
        .bind(to_i64(index, "entry index")?)
        .fetch_optional(&mut *conn)
        .await?
    else {
        return Ok(Vec::new());
    };
    ConfidentialField::ALL
        .iter()
        .map(|f| {
            Ok(StoredOpening {
                index,
                field: f.as_str().to_string(),
                salt: row.try_get(format!("{}_salt", f.as_str()).as_str())?,
                value: row.try_get(f.as_str())?,
            })
        })
        .collect()
}

/// Whether any outbox row awaits publication (a cheap check before taking the lock).
pub async fn has_unpublished(conn: &mut AnyConnection) -> Result<bool, StoreError> {
    let row = sqlx::query("SELECT seq FROM decision_outbox WHERE published_at IS NULL LIMIT 1")
        .fetch_optional(&mut *conn)
        .await?;
    Ok(row.is_some())
}

/// Up to `limit` unpublished outbox rows, oldest first.
///
/// Outbox rows are numbered densely in commit order (under the command lock) and published in
/// that order, so the next rows are the `limit` after the last one published: a range of the
/// primary key. Asking for "unpublished, ordered, limited" instead lets PostgreSQL, whose
/// statistics lag a draining backlog, fetch and sort every unpublished row each batch. Only
/// when that range holds nothing (the first run, or a row somehow skipped) is the general
/// query used, so no row is ever left behind.
pub async fn unpublished(
    conn: &mut AnyConnection,
    limit: i64,
) -> Result<Vec<PendingRecord>, StoreError> {
    let last: Option<i64> =
        sqlx::query_scalar("SELECT CAST(MAX(outbox_seq) AS BIGINT) FROM register_entries")
            .fetch_one(&mut *conn)
            .await?;
    if let Some(last) = last {
        let rows = sqlx::query(
            "SELECT seq, case_id, record_json FROM decision_outbox \
             WHERE seq > $1 AND seq <= $2 AND published_at IS NULL ORDER BY seq",
        )
        .bind(last)
        .bind(last.saturating_add(limit))
        .fetch_all(&mut *conn)
        .await?;
        if !rows.is_empty() {
            return rows.iter().map(pending).collect();
        }
    }
    let rows = sqlx::query(
        "SELECT seq, case_id, record_json FROM decision_outbox WHERE published_at IS NULL \
         ORDER BY seq LIMIT $1",
    )
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(pending).collect()
}

fn pending(r: &sqlx::any::AnyRow) -> Result<PendingRecord, StoreError> {
    Ok(PendingRecord {
        seq: r.try_get("seq")?,
        case_id: r.try_get("case_id")?,
        record_json: r.try_get("record_json")?,
    })
}

/// Marks the outbox rows of the entries from index `first` onwards as published at their
/// register index, in one statement. Fails (changing nothing that commits) unless exactly
/// `expected` unpublished rows were marked: a row already published means two entries for
/// one record.
pub async fn mark_published_from(
    conn: &mut AnyConnection,
    first: u64,
    expected: usize,
    at: OffsetDateTime,
) -> Result<(), StoreError> {
    let done = sqlx::query(
        "UPDATE decision_outbox SET published_at = $1, register_index = e.idx \
         FROM register_entries e \
         WHERE e.outbox_seq = decision_outbox.seq AND e.idx >= $2 \
         AND decision_outbox.published_at IS NULL",
    )
    .bind(to_micros(at))
    .bind(to_i64(first, "entry index")?)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if done != expected as u64 {
        return Err(StoreError::Corrupt(format!(
            "{expected} entries were appended from index {first} but {done} outbox rows \
             awaited them: a record was already published or does not exist"
        )));
    }
    Ok(())
}

/// Settings key under which the log's verifier key is kept.
const LOG_KEY_SETTING: &str = "register.vkey";

/// The verifier key the register was started with, if any.
pub async fn log_key(conn: &mut AnyConnection) -> Result<Option<String>, StoreError> {
    Ok(
        sqlx::query_scalar("SELECT value FROM settings WHERE key = $1")
            .bind(LOG_KEY_SETTING)
            .fetch_optional(&mut *conn)
            .await?,
    )
}

/// Records the register's verifier key (once; the sequencer refuses any other key later).
pub async fn set_log_key(conn: &mut AnyConnection, vkey: &str) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO settings (key, value) VALUES ($1, $2)")
        .bind(LOG_KEY_SETTING)
        .bind(vkey)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub(crate) fn hash_from_hex(index: u64, text: &str) -> Result<Hash, StoreError> {
    let bytes = hex::decode(text)
        .map_err(|_| StoreError::Corrupt(format!("stored hash {index} is not hex")))?;
    bytes
        .try_into()
        .map_err(|_| StoreError::Corrupt(format!("stored hash {index} is not 32 bytes")))
}

#[cfg(test)]
mod tests;
