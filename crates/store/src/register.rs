//! Storage of the public register (the transparency log): entries, stored Merkle hashes,
//! signed checkpoints and the private openings of each entry's commitments.
//!
//! Entries are stored as base64 TEXT and hashes as hex TEXT so the same schema serves SQLite
//! and PostgreSQL through the `Any` driver. Every function takes a connection, so the
//! sequencer can do all of its work inside one transaction; [`hashes`] adapts the stored
//! hashes to `probity_register`'s synchronous [`probity_register::HashReader`] and
//! [`probity_register::store::HashStore`] traits.

mod hashes;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use probity_register::Hash;
use sqlx::{AnyConnection, Row};
use time::OffsetDateTime;

use crate::{from_micros, to_micros, StoreError, Tx};

pub use hashes::{read_tile, DbHashes};

/// Rows per multi-row INSERT or `IN (…)` list; well inside both backends' parameter limits.
const BATCH: usize = 400;

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
    pub outbox_seq: i64,
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

/// An unpublished outbox row, as the sequencer needs it.
#[derive(Debug, Clone)]
pub struct PendingRecord {
    pub seq: i64,
    pub case_id: String,
    pub record_json: String,
}

/// The confidential facts of a case, for commitments.
#[derive(Clone, Default)]
pub struct CaseSecrets {
    pub exporter: String,
    /// (role, name) in application order.
    pub parties: Vec<(String, String)>,
    /// (description, quantity, unit) in line order.
    pub goods: Vec<(String, i64, String)>,
}

impl std::fmt::Debug for CaseSecrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CaseSecrets { .. }")
    }
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
            tree_size: to_u64(r.try_get(0)?, "checkpoint size")?,
            note: r.try_get(1)?,
            created_at: from_micros(r.try_get(2)?),
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
            tree_size: to_u64(r.try_get(0)?, "checkpoint size")?,
            note: r.try_get(1)?,
            created_at: from_micros(r.try_get(2)?),
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

async fn count(conn: &mut AnyConnection, sql: &str) -> Result<u64, StoreError> {
    let n: i64 = sqlx::query_scalar(sql).fetch_one(&mut *conn).await?;
    to_u64(n, "row count")
}

/// Number of stored entries.
pub async fn entry_count(conn: &mut AnyConnection) -> Result<u64, StoreError> {
    count(
        conn,
        "SELECT CAST(COUNT(*) AS BIGINT) FROM register_entries",
    )
    .await
}

/// Number of stored hashes.
pub async fn hash_count(conn: &mut AnyConnection) -> Result<u64, StoreError> {
    count(conn, "SELECT CAST(COUNT(*) AS BIGINT) FROM register_hashes").await
}

fn placeholders(from: usize, n: usize, per_row: usize) -> String {
    (0..n)
        .map(|r| {
            let cols: Vec<String> = (0..per_row)
                .map(|c| format!("${}", from + r * per_row + c))
                .collect();
            format!("({})", cols.join(", "))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Appends entries (their indexes must continue the log).
pub async fn insert_entries(
    conn: &mut AnyConnection,
    entries: &[StoredEntry],
    at: OffsetDateTime,
) -> Result<(), StoreError> {
    for chunk in entries.chunks(BATCH) {
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
    let index = to_u64(row.try_get(0)?, "entry index")?;
    let text: String = row.try_get(2)?;
    let bytes = B64
        .decode(text.as_bytes())
        .map_err(|_| StoreError::Corrupt(format!("register entry {index} is not base64")))?;
    Ok(StoredEntry {
        index,
        outbox_seq: row.try_get(1)?,
        bytes,
    })
}

/// Entries with index in `[from, from + count)`, in index order.
pub async fn read_entries(
    conn: &mut AnyConnection,
    from: u64,
    count: u64,
) -> Result<Vec<StoredEntry>, StoreError> {
    let rows = sqlx::query(
        "SELECT idx, outbox_seq, entry FROM register_entries \
         WHERE idx >= $1 AND idx < $2 ORDER BY idx",
    )
    .bind(to_i64(from, "entry index")?)
    .bind(to_i64(from.saturating_add(count), "entry index")?)
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

pub async fn insert_openings(
    conn: &mut AnyConnection,
    openings: &[StoredOpening],
) -> Result<(), StoreError> {
    for chunk in openings.chunks(BATCH) {
        let sql = format!(
            "INSERT INTO register_openings (entry_idx, field, salt, value) VALUES {}",
            placeholders(1, chunk.len(), 4)
        );
        let mut q = sqlx::query(&sql);
        for o in chunk {
            q = q
                .bind(to_i64(o.index, "entry index")?)
                .bind(o.field.clone())
                .bind(o.salt.clone())
                .bind(o.value.clone());
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

/// The private openings of entry `index` (for authorised disclosure only).
pub async fn openings(
    conn: &mut AnyConnection,
    index: u64,
) -> Result<Vec<StoredOpening>, StoreError> {
    let rows = sqlx::query(
        "SELECT entry_idx, field, salt, value FROM register_openings WHERE entry_idx = $1 \
         ORDER BY field",
    )
    .bind(to_i64(index, "entry index")?)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(StoredOpening {
                index: to_u64(r.try_get(0)?, "entry index")?,
                field: r.try_get(1)?,
                salt: r.try_get(2)?,
                value: r.try_get(3)?,
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
pub async fn unpublished(
    conn: &mut AnyConnection,
    limit: i64,
) -> Result<Vec<PendingRecord>, StoreError> {
    let rows = sqlx::query(
        "SELECT seq, case_id, record_json FROM decision_outbox WHERE published_at IS NULL \
         ORDER BY seq LIMIT $1",
    )
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(PendingRecord {
                seq: r.try_get(0)?,
                case_id: r.try_get(1)?,
                record_json: r.try_get(2)?,
            })
        })
        .collect()
}

/// Marks outbox row `seq` as published at register index `index`. Fails (changing nothing)
/// if the row was already published.
pub async fn mark_published(
    conn: &mut AnyConnection,
    seq: i64,
    index: u64,
    at: OffsetDateTime,
) -> Result<(), StoreError> {
    let done = sqlx::query(
        "UPDATE decision_outbox SET published_at = $1, register_index = $2 \
         WHERE seq = $3 AND published_at IS NULL",
    )
    .bind(to_micros(at))
    .bind(to_i64(index, "entry index")?)
    .bind(seq)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if done != 1 {
        return Err(StoreError::Corrupt(format!(
            "outbox row {seq} was already published or does not exist"
        )));
    }
    Ok(())
}

/// The confidential facts of case `case_id`: exporter name, parties, goods.
pub async fn case_secrets(
    conn: &mut AnyConnection,
    case_id: &str,
) -> Result<CaseSecrets, StoreError> {
    let exporter: Option<String> = sqlx::query_scalar(
        "SELECT o.name FROM cases c JOIN organisations o ON o.id = c.organisation_id \
         WHERE c.id = $1",
    )
    .bind(case_id)
    .fetch_optional(&mut *conn)
    .await?;
    let exporter =
        exporter.ok_or_else(|| StoreError::Corrupt(format!("case {case_id} not found")))?;
    let parties =
        sqlx::query("SELECT role, name FROM parties WHERE case_id = $1 ORDER BY position")
            .bind(case_id)
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
            .collect::<Result<Vec<_>, sqlx::Error>>()?;
    let goods = sqlx::query(
        "SELECT description, quantity, unit FROM goods_lines WHERE case_id = $1 ORDER BY position",
    )
    .bind(case_id)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
    .collect::<Result<Vec<_>, sqlx::Error>>()?;
    Ok(CaseSecrets {
        exporter,
        parties,
        goods,
    })
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
