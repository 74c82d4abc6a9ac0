//! The register sequencer: turns unpublished outbox rows into log entries.
//!
//! One run is one transaction: take the register lock (a second sequencer waits), check that
//! the stored tree is exactly the tree of the last signed checkpoint, take the next batch of
//! unpublished outbox rows in sequence order, build their entries (with fresh salts for the
//! commitments), append them, store entries, hashes and openings, sign and store a new
//! checkpoint, and mark the rows published. Either all of it commits or none of it does, so a
//! crash at any point loses nothing and duplicates nothing, and a rerun simply continues.
//!
//! A run also appends an audit anchor (the audit chain's length and head, as this
//! transaction reads it) after the batch, or alone, when one is due: see [`super::anchoring`].

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use probity_domain::{
    ConfidentialField, ConfidentialValues, FieldSalts, PublicDecisionRecord, RegisterEntry,
    SALT_LEN,
};
use probity_register::checkpoint::Checkpoint;
use probity_register::merkle::empty_root;
use probity_register::note::{open_note, sign_note, Ed25519Signer, NoteSigner as _};
use probity_register::store::{HashStore as _, TreeBuilder};
use probity_register::tile::{read_tile_data, Tile};
use probity_register::tilereader::{TileHashReader, TileReader};
use probity_register::{tree_hash, Hash, StorageError};
use probity_store::register::{self as reg, CaseSecrets, DbHashes, EntryOpenings, StoredEntry};
use probity_store::{StoreError, Tx};
use rand::RngCore as _;

use super::anchoring::{due_anchor, DEFAULT_ANCHOR_INTERVAL};
use crate::{Ctx, ServiceError, ServiceResult};

/// Outbox rows in the first batch; later batches adapt (see [`Batching`]).
pub const DEFAULT_BATCH: i64 = 1000;

/// Under a backlog, each batch (one transaction, one checkpoint) is sized to take about this
/// long, so a checkpoint is signed at least once a second and, on SQLite, licensing commands
/// wait at most this long for the write lock.
pub const BATCH_TIME: Duration = Duration::from_millis(400);

/// Bounds of the adaptive batch size.
pub const MIN_BATCH: i64 = 256;
pub const MAX_BATCH: i64 = 16_384;

/// How long the background loop sleeps when there is nothing to do.
pub const POLL_INTERVAL: Duration = Duration::from_millis(500);

/// Where a test makes a run fail, to prove that a failure leaves no trace.
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// After entries, hashes and openings are written, before the checkpoint is signed.
    BeforeCheckpoint,
    /// After everything is written, just before commit.
    BeforeCommit,
}

/// How many outbox rows one run takes.
#[derive(Debug)]
enum Batching {
    /// Always this many (tests, and operators who want a fixed size).
    Fixed(i64),
    /// Sized from the last full batch's time per entry to take about [`BATCH_TIME`]: large
    /// batches amortise the per-batch work (tree check, lookups, checkpoint, commit) when a
    /// backlog drains; a quiet register appends whatever is pending.
    Adaptive(AtomicI64),
}

impl Batching {
    fn size(&self) -> i64 {
        match self {
            Batching::Fixed(n) => *n,
            Batching::Adaptive(n) => n.load(Ordering::Relaxed),
        }
    }

    /// Learns from a batch of `taken` rows (of `limit` asked for) that took `took`.
    fn observe(&self, taken: usize, limit: i64, took: Duration) {
        let Batching::Adaptive(n) = self else { return };
        // Only a full batch says how fast a backlog drains; a partial one was all there was.
        if taken == 0 || (taken as i64) < limit {
            return;
        }
        let per_entry = took.as_secs_f64() / taken as f64;
        let next = (BATCH_TIME.as_secs_f64() / per_entry.max(1e-7)) as i64;
        n.store(next.clamp(MIN_BATCH, MAX_BATCH), Ordering::Relaxed);
    }
}

/// The log's identity (origin and signing key), batch size and anchoring interval.
pub struct Sequencer {
    signer: Ed25519Signer,
    batch: Batching,
    anchor_interval: Duration,
    fault: Option<Fault>,
}

impl std::fmt::Debug for Sequencer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sequencer")
            .field("origin", &self.origin())
            .field("batch", &self.batch)
            .field("anchor_interval", &self.anchor_interval)
            .finish_non_exhaustive()
    }
}

fn corrupt(msg: impl Into<String>) -> ServiceError {
    ServiceError::Store(StoreError::Corrupt(msg.into()))
}

impl Sequencer {
    /// A sequencer signing as `signer`, whose key name is the log's origin.
    pub fn new(signer: Ed25519Signer) -> Sequencer {
        Sequencer {
            signer,
            batch: Batching::Adaptive(AtomicI64::new(DEFAULT_BATCH)),
            anchor_interval: DEFAULT_ANCHOR_INTERVAL,
            fault: None,
        }
    }

    /// Anchors a moved audit chain at least this often when no decision is published
    /// (default [`DEFAULT_ANCHOR_INTERVAL`]); a batch of decisions is always anchored.
    pub fn with_anchor_interval(mut self, interval: Duration) -> Sequencer {
        self.anchor_interval = interval;
        self
    }

    /// Takes exactly `batch` rows per run instead of adapting.
    pub fn with_batch(mut self, batch: i64) -> Sequencer {
        self.batch = Batching::Fixed(batch.max(1));
        self
    }

    /// Rows the next run will take at most.
    pub fn batch_size(&self) -> i64 {
        self.batch.size()
    }

    #[doc(hidden)]
    pub fn with_fault(mut self, fault: Option<Fault>) -> Sequencer {
        self.fault = fault;
        self
    }

    pub fn origin(&self) -> &str {
        self.signer.name()
    }

    /// The verifier key, `<origin>+<key id>+<base64>`.
    pub fn vkey(&self) -> String {
        self.signer.verifier().vkey()
    }

    fn fail_at(&self, at: Fault) -> ServiceResult<()> {
        if self.fault == Some(at) {
            return Err(ServiceError::Conflict(format!("injected failure: {at:?}")));
        }
        Ok(())
    }

    /// Appends the next batch of unpublished records, then an audit anchor if one is due (or
    /// the anchor alone). Returns how many records were published (an anchor is not one).
    pub async fn run_once(&self, ctx: &Ctx) -> ServiceResult<u64> {
        // Idle polls must not take the write lock: look before locking.
        {
            let mut conn = ctx.store.pool().acquire().await.map_err(StoreError::from)?;
            self.check_identity_read(&mut conn).await?;
            if !reg::has_unpublished(&mut conn).await?
                && reg::latest_checkpoint(&mut conn).await?.is_some()
                && due_anchor(&mut conn, ctx.clock.now(), false, self.anchor_interval)
                    .await?
                    .is_none()
            {
                return Ok(0);
            }
        }
        let t0 = std::time::Instant::now();
        let mut tx = ctx.store.pool().begin().await.map_err(StoreError::from)?;
        reg::lock(&mut tx).await?;
        self.check_identity(&mut tx).await?;
        let (size, root) = self.current_tree(&mut tx).await?;
        let limit = self.batch.size();
        let pending = reg::unpublished(&mut tx, limit).await?;
        let now = ctx.clock.now();
        // Read in this transaction, after the decisions it publishes: their events are in it.
        let anchor = due_anchor(&mut tx, now, !pending.is_empty(), self.anchor_interval).await?;
        if pending.is_empty() && anchor.is_none() {
            if reg::latest_checkpoint(&mut tx).await?.is_none() {
                // The first run signs the empty tree, so the log is verifiable from the start.
                self.sign(&mut tx, 0, empty_root(), now).await?;
                tx.commit().await.map_err(StoreError::from)?;
            }
            return Ok(0);
        }
        let t_read = t0.elapsed();
        let new_size = size + pending.len() as u64 + u64::from(anchor.is_some());
        let mut hashes = DbHashes::load_for_append(&mut tx, size, new_size).await?;
        let mut builder = TreeBuilder::resume_verified(size, &root, &hashes).map_err(|e| {
            corrupt(format!(
                "the stored tree does not match the last signed checkpoint ({e}); refusing to append"
            ))
        })?;
        check_edge_tiles(size, &root, &hashes)?;
        let case_ids: Vec<&str> = pending.iter().map(|r| r.case_id.as_str()).collect();
        let secrets = reg::cases_secrets(&mut tx, &case_ids).await?;
        let mut entries = Vec::with_capacity(pending.len());
        let mut openings = Vec::with_capacity(pending.len());
        for row in &pending {
            let record: PublicDecisionRecord = serde_json::from_str(&row.record_json)
                .map_err(|e| corrupt(format!("outbox row {}: {e}", row.seq)))?;
            let case = secrets
                .get(&row.case_id)
                .ok_or_else(|| corrupt(format!("outbox row {}: case not found", row.seq)))?;
            let values = confidential_values(case);
            let salts = fresh_salts();
            let seq = u64::try_from(row.seq)
                .map_err(|_| corrupt(format!("outbox row {} has a negative seq", row.seq)))?;
            let bytes = RegisterEntry::build(seq, &record, &values, &salts)
                .encode()
                .map_err(|e| corrupt(format!("outbox row {}: {e}", row.seq)))?;
            let index = builder
                .push_entry(&bytes)
                .map_err(|e| corrupt(e.to_string()))?;
            openings.push(EntryOpenings {
                index,
                fields: ConfidentialField::ALL
                    .map(|f| (probity_domain::salt_hex(salts.get(f)), values.value(f))),
            });
            entries.push(StoredEntry {
                index,
                outbox_seq: Some(row.seq),
                bytes,
            });
        }
        if let Some(anchor) = &anchor {
            // After the batch: an anchor has no outbox row, openings or record number.
            let bytes = anchor
                .encode()
                .map_err(|e| corrupt(format!("audit anchor: {e}")))?;
            let index = builder
                .push_entry(&bytes)
                .map_err(|e| corrupt(e.to_string()))?;
            entries.push(StoredEntry {
                index,
                outbox_seq: None,
                bytes,
            });
        }
        let t_build = t0.elapsed();
        let appended = builder
            .finish(&hashes)
            .map_err(|e| corrupt(e.to_string()))?;
        hashes
            .append_hashes(appended.first_index, &appended.hashes)
            .map_err(|e| corrupt(e.to_string()))?;
        hashes.write_appended(&mut tx).await?;
        reg::insert_entries(&mut tx, &entries, now).await?;
        reg::insert_openings(&mut tx, &openings).await?;
        reg::mark_published_from(&mut tx, size, pending.len(), now).await?;
        let t_write = t0.elapsed();
        self.fail_at(Fault::BeforeCheckpoint)?;
        self.sign(&mut tx, appended.new_size, appended.root, now)
            .await?;
        self.fail_at(Fault::BeforeCommit)?;
        tx.commit().await.map_err(StoreError::from)?;
        self.batch.observe(pending.len(), limit, t0.elapsed());
        tracing::debug!(
            entries = entries.len(),
            anchor = ?anchor.map(|a| a.length),
            read = ?t_read,
            build = ?(t_build - t_read),
            write = ?(t_write - t_build),
            sign_commit = ?(t0.elapsed() - t_write),
            "register: batch appended"
        );
        Ok(pending.len() as u64)
    }

    /// The register keeps one identity: refuse to sign with a different key or origin than
    /// the one it was started with; record it on the first run.
    async fn check_identity(&self, tx: &mut Tx) -> ServiceResult<()> {
        if !self.check_identity_read(tx).await? {
            reg::set_log_key(tx, &self.vkey()).await?;
        }
        Ok(())
    }

    /// Fails if the register was started with another key; `false` if it has not started.
    async fn check_identity_read(&self, conn: &mut sqlx::AnyConnection) -> ServiceResult<bool> {
        let vkey = self.vkey();
        match reg::log_key(conn).await? {
            Some(stored) if stored == vkey => Ok(true),
            Some(stored) => Err(ServiceError::Conflict(format!(
                "this register is signed with the key {stored}, not the configured {vkey}"
            ))),
            None => Ok(false),
        }
    }

    /// Size and root of the last signed checkpoint, after checking its signature and that
    /// the stored entries match its size (the hashes are checked against its root when the
    /// builder resumes).
    async fn current_tree(&self, tx: &mut Tx) -> ServiceResult<(u64, Hash)> {
        let entries = reg::entry_count(tx).await?;
        let Some(stored) = reg::latest_checkpoint(tx).await? else {
            if entries != 0 {
                return Err(corrupt(format!(
                    "{entries} register entries are stored but no checkpoint was signed"
                )));
            }
            return Ok((0, empty_root()));
        };
        let verifier = self.signer.verifier();
        let note = open_note(stored.note.as_bytes(), &[&verifier])
            .map_err(|e| corrupt(format!("the last checkpoint does not verify: {e}")))?;
        let cp = Checkpoint::from_note(&note, self.origin())
            .map_err(|e| corrupt(format!("the last checkpoint is malformed: {e}")))?;
        if cp.size() != stored.tree_size || cp.size() != entries {
            return Err(corrupt(format!(
                "the last checkpoint is for {} entries but {entries} are stored",
                cp.size()
            )));
        }
        Ok((cp.size(), *cp.root()))
    }

    async fn sign(
        &self,
        tx: &mut Tx,
        size: u64,
        root: Hash,
        now: time::OffsetDateTime,
    ) -> ServiceResult<()> {
        let cp = Checkpoint::new(self.origin(), size, root).map_err(|e| corrupt(e.to_string()))?;
        let note = sign_note(&cp.to_text(), &[&self.signer]).map_err(|e| corrupt(e.to_string()))?;
        reg::insert_checkpoint(tx, size, &note, now).await?;
        Ok(())
    }

    /// Runs until the process ends: drains the outbox, then polls every [`POLL_INTERVAL`].
    /// Errors are logged (never with secrets) and retried after a pause.
    pub fn spawn(self, ctx: Ctx) -> tokio::task::JoinHandle<()> {
        tokio::spawn(async move {
            loop {
                match self.run_once(&ctx).await {
                    Ok(n) if n > 0 => {
                        tracing::info!(appended = n, "register: appended entries");
                        continue;
                    }
                    Ok(_) => tokio::time::sleep(POLL_INTERVAL).await,
                    Err(e) => {
                        tracing::error!(error = %e, "register sequencer failed; retrying");
                        tokio::time::sleep(POLL_INTERVAL * 10).await;
                    }
                }
            }
        })
    }
}

/// Serves tile data from the hashes read ahead.
struct StoredTiles<'a>(&'a DbHashes);

impl TileReader for StoredTiles<'_> {
    fn read_tiles(&self, tiles: &[Tile]) -> Result<Vec<Vec<u8>>, StorageError> {
        read_tile_data(tiles, self.0).map_err(|e| StorageError::Corrupt(e.to_string()))
    }
}

/// Checks the current tree's right-edge tiles (whose older hashes go into the tiles this run
/// writes) against the last checkpoint's root, as a tile-reading client would.
fn check_edge_tiles(size: u64, root: &Hash, hashes: &DbHashes) -> ServiceResult<()> {
    if size == 0 {
        return Ok(());
    }
    let tiles = StoredTiles(hashes);
    let reader = TileHashReader::new(size, *root, &tiles);
    tree_hash(size, &reader).map(|_| ()).map_err(|e| {
        corrupt(format!(
            "the stored tree does not match the last signed checkpoint ({e}); refusing to append"
        ))
    })
}

fn fresh_salts() -> FieldSalts {
    // One read from the OS generator for all five salts of an entry.
    let mut bytes = [0u8; SALT_LEN * 5];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let mut salts = [[0u8; SALT_LEN]; 5];
    for (s, chunk) in salts.iter_mut().zip(bytes.chunks_exact(SALT_LEN)) {
        s.copy_from_slice(chunk);
    }
    FieldSalts(salts)
}

/// The committed values of a case (docs/register-format.md §2).
pub fn confidential_values(s: &CaseSecrets) -> ConfidentialValues {
    let names = |roles: &[&str]| {
        s.parties
            .iter()
            .filter(|(role, _)| roles.contains(&role.as_str()))
            .map(|(_, name)| name.clone())
            .collect()
    };
    ConfidentialValues {
        exporter: s.exporter.clone(),
        consignees: names(&["consignee"]),
        end_users: names(&["end_user", "ultimate_end_user"]),
        goods_descriptions: s.goods.iter().map(|(d, _, _)| d.clone()).collect(),
        quantities: s.goods.iter().map(|(_, q, u)| format!("{q} {u}")).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_backlog_grows_the_batch_to_its_time_budget_within_bounds() {
        let adaptive = Batching::Adaptive(AtomicI64::new(DEFAULT_BATCH));
        // 1,000 rows in 40 ms: 40 µs each, so 400 ms holds 10,000.
        adaptive.observe(1000, 1000, Duration::from_millis(40));
        assert_eq!(adaptive.size(), 10_000);
        // A partial batch was everything pending: it says nothing about speed.
        adaptive.observe(3, 10_000, Duration::from_millis(500));
        assert_eq!(adaptive.size(), 10_000);
        // Slow batches shrink it, never below the floor; fast ones never pass the ceiling.
        adaptive.observe(10_000, 10_000, Duration::from_secs(100));
        assert_eq!(adaptive.size(), MIN_BATCH);
        adaptive.observe(256, 256, Duration::from_micros(1));
        assert_eq!(adaptive.size(), MAX_BATCH);

        let fixed = Batching::Fixed(2);
        fixed.observe(2, 2, Duration::from_secs(100));
        assert_eq!(fixed.size(), 2);
    }
}
