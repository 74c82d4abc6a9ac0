//! Stored Merkle hashes and their adapters to `probity_register`'s synchronous traits.
//!
//! The register's [`HashReader`] is synchronous and the database is not, so hashes are read
//! ahead: the indexes an operation needs are known before it runs (the right edge of the tree
//! and the tiles that change for an append; a dry run for proofs), loaded in one batched
//! query, and served from memory.

use std::cell::RefCell;
use std::collections::BTreeMap;

use probity_register::store::HashStore;
use probity_register::tile::{new_tiles, tiles_for_size, Tile};
use probity_register::tlog::{range_subtrees, stored_hash_count, stored_hash_index};
use probity_register::{Hash, HashReader, StorageError, TreeError};
use sqlx::{AnyConnection, Row};

use super::{hash_count, hash_from_hex, to_i64, to_u64};
use crate::bulk::{in_list, placeholders, rows_per_statement};
use crate::StoreError;

/// Loads the hashes at `indexes` (any order, duplicates allowed).
async fn load(
    conn: &mut AnyConnection,
    indexes: &[u64],
) -> Result<BTreeMap<u64, Hash>, StoreError> {
    let mut wanted: Vec<u64> = indexes.to_vec();
    wanted.sort_unstable();
    wanted.dedup();
    let mut out = BTreeMap::new();
    for chunk in wanted.chunks(rows_per_statement(conn, 1)) {
        let sql = format!(
            "SELECT idx, hash FROM register_hashes WHERE idx IN ({})",
            in_list(1, chunk.len())
        );
        let mut q = sqlx::query(&sql);
        for &i in chunk {
            q = q.bind(to_i64(i, "stored hash index")?);
        }
        for row in q.fetch_all(&mut *conn).await? {
            let idx = to_u64(row.try_get("idx")?, "stored hash index")?;
            let text: String = row.try_get("hash")?;
            out.insert(idx, hash_from_hex(idx, &text)?);
        }
    }
    Ok(out)
}

/// Appends hashes at stored index `first` onwards.
async fn insert(conn: &mut AnyConnection, first: u64, hashes: &[Hash]) -> Result<(), StoreError> {
    let per = rows_per_statement(conn, 2);
    for (k, chunk) in hashes.chunks(per).enumerate() {
        let sql = format!(
            "INSERT INTO register_hashes (idx, hash) VALUES {}",
            placeholders(1, chunk.len(), 2)
        );
        let base = first + (k * per) as u64;
        let mut q = sqlx::query(&sql);
        for (i, h) in chunk.iter().enumerate() {
            q = q
                .bind(to_i64(base + i as u64, "stored hash index")?)
                .bind(hex::encode(h));
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

/// A [`HashReader`] and [`HashStore`] over hashes read ahead from the database, with appends
/// buffered in memory until [`DbHashes::write_appended`].
#[derive(Debug, Clone, Default)]
pub struct DbHashes {
    known: BTreeMap<u64, Hash>,
    /// Hashes stored in the database when loaded.
    stored: u64,
    appended: Vec<Hash>,
}

impl DbHashes {
    /// Everything extending the tree of `old_size` leaves to at most `max_new_size` needs:
    /// the right edge, and the older hashes inside every tile that changes. Fails if the
    /// number of stored hashes does not match `old_size`.
    pub async fn load_for_append(
        conn: &mut AnyConnection,
        old_size: u64,
        max_new_size: u64,
    ) -> Result<DbHashes, StoreError> {
        let stored = hash_count(conn).await?;
        let expected = stored_hash_count(old_size)
            .ok_or_else(|| StoreError::Corrupt(format!("tree size {old_size} is too large")))?;
        if stored != expected {
            return Err(StoreError::Corrupt(format!(
                "{stored} stored hashes, but a tree of {old_size} entries has {expected}"
            )));
        }
        let mut indexes = Vec::new();
        for (level, n) in range_subtrees(0, old_size) {
            indexes.extend(stored_hash_index(level, n));
        }
        // The tiles that change, and the current tree's partial tiles (so the caller can
        // check them against the last checkpoint before building on them).
        let mut tiles =
            new_tiles(old_size, max_new_size).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        tiles.extend(
            tiles_for_size(old_size)
                .map_err(|e| StoreError::Corrupt(e.to_string()))?
                .into_iter()
                .filter(|t| !t.is_full()),
        );
        for t in tiles {
            indexes.extend(
                t.stored_indexes()
                    .unwrap_or_default()
                    .into_iter()
                    .filter(|&i| i < stored),
            );
        }
        let known = load(conn, &indexes).await?;
        Ok(DbHashes {
            known,
            stored,
            appended: Vec::new(),
        })
    }

    /// Runs `f` (a root, proof or tile computation) against the stored hashes: a dry run
    /// records which hashes it reads, they are loaded in one query, then `f` runs for real.
    pub async fn compute<T>(
        conn: &mut AnyConnection,
        f: impl Fn(&dyn HashReader) -> Result<T, TreeError>,
    ) -> Result<Result<T, TreeError>, StoreError> {
        let recorder = Recorder::default();
        // The dry run sees zero hashes: its result is meaningless, only its reads matter.
        let _ = f(&recorder);
        let indexes = recorder.0.into_inner();
        let known = load(conn, &indexes).await?;
        let reader = DbHashes {
            known,
            stored: 0,
            appended: Vec::new(),
        };
        Ok(f(&reader))
    }

    /// Writes the hashes appended since loading.
    pub async fn write_appended(&self, conn: &mut AnyConnection) -> Result<(), StoreError> {
        insert(conn, self.stored, &self.appended).await
    }
}

impl HashReader for DbHashes {
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, StorageError> {
        indexes
            .iter()
            .map(|&i| {
                if let Some(h) = self.known.get(&i) {
                    return Ok(*h);
                }
                i.checked_sub(self.stored)
                    .and_then(|k| usize::try_from(k).ok())
                    .and_then(|k| self.appended.get(k))
                    .copied()
                    .ok_or(StorageError::NotFound { index: i })
            })
            .collect()
    }
}

impl HashStore for DbHashes {
    fn stored_count(&self) -> Result<u64, StorageError> {
        Ok(self.stored + self.appended.len() as u64)
    }

    fn append_hashes(&mut self, first_index: u64, hashes: &[Hash]) -> Result<(), StorageError> {
        let want = self.stored_count()?;
        if first_index != want {
            return Err(StorageError::AppendMismatch {
                got: first_index,
                want,
            });
        }
        self.appended.extend_from_slice(hashes);
        Ok(())
    }
}

/// Records the indexes read and answers with zero hashes.
#[derive(Default)]
struct Recorder(RefCell<Vec<u64>>);

impl HashReader for Recorder {
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, StorageError> {
        self.0.borrow_mut().extend_from_slice(indexes);
        Ok(vec![[0u8; 32]; indexes.len()])
    }
}

/// The data of `tile` (its hashes concatenated), read from the stored hashes.
pub async fn read_tile(conn: &mut AnyConnection, tile: &Tile) -> Result<Vec<u8>, StoreError> {
    let indexes = tile
        .stored_indexes()
        .ok_or_else(|| StoreError::Corrupt(format!("tile {} is out of range", tile.path())))?;
    let known = load(conn, &indexes).await?;
    let mut out = Vec::with_capacity(tile.data_len());
    for i in indexes {
        let h = known
            .get(&i)
            .ok_or_else(|| StoreError::Corrupt(format!("stored hash {i} is missing")))?;
        out.extend_from_slice(h);
    }
    Ok(out)
}
