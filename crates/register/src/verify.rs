//! Full verification of a log: from a signed checkpoint, every hash tile and every entry
//! bundle of its tree (C2SP tlog-tiles), recompute the tree from the entries and check that
//! it gives the signed root and exactly the served tiles.
//!
//! Fetching is the caller's business (HTTP, a directory, a database): [`required_paths`]
//! lists what to fetch, [`verify_log`] checks it. Every failure names the resource and
//! position at fault.

use sha2::{Digest as _, Sha256};
use thiserror::Error;

use crate::bundle::{for_each_bundle_entry, BundleError};
use crate::checkpoint::{Checkpoint, CheckpointError};
use crate::merkle::{empty_root, node_hash, Hash, HASH_SIZE};
use crate::note::{Ed25519Verifier, NoteVerifier as _};
use crate::tile::{tiles_for_size, Tile, TileError, TILE_HEIGHT, TILE_WIDTH};
use crate::tlog::{fold_subtrees, TreeError};

/// Why a log failed verification.
#[derive(Debug, Error)]
pub enum VerifyError {
    #[error("checkpoint signature not verified by key {key}: {source}")]
    Checkpoint {
        key: String,
        source: CheckpointError,
    },
    #[error("{path} is missing")]
    Missing { path: String },
    #[error("{path} is malformed: {source}")]
    Bundle { path: String, source: BundleError },
    #[error("{path} holds {got} entries, want {want}")]
    BundleWidth { path: String, got: usize, want: u16 },
    #[error("entry {index} is not a valid entry: {reason}")]
    Entry { index: u64, reason: String },
    #[error(
        "the root recomputed from the {size} entries does not match the signed checkpoint root"
    )]
    RootMismatch { size: u64 },
    #[error("{path} does not match the tree recomputed from the entries (first difference at hash {position})")]
    TileMismatch { path: String, position: usize },
    #[error("tree error: {0}")]
    Tree(#[from] TreeError),
}

/// What a verified log contains.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogReport {
    pub origin: String,
    pub size: u64,
    pub root: Hash,
    pub tiles: usize,
    pub bundles: usize,
}

/// Opens a signed checkpoint with `key`; its origin must be the key's name.
pub fn open_checkpoint(note: &[u8], key: &Ed25519Verifier) -> Result<Checkpoint, VerifyError> {
    Checkpoint::open(note, key.name(), &[key])
        .map(|(cp, _)| cp)
        .map_err(|source| VerifyError::Checkpoint {
            key: key.vkey(),
            source,
        })
}

/// Every resource of the tree of `size` leaves, as paths relative to the log prefix: each
/// hash tile, and each entry bundle right after its level-0 tile.
pub fn required_paths(size: u64) -> Result<Vec<String>, TreeError> {
    let mut out = Vec::new();
    for t in tiles_for_size(size)? {
        out.push(t.path());
        if let Ok(p) = t.entries_path() {
            out.push(p);
        }
    }
    Ok(out)
}

/// Verifies the whole log of checkpoint `note`: its signature by `key`, that the bundles hold
/// exactly `size` entries, that `check_entry` accepts each (e.g. it decodes), that they hash
/// to the signed root, and that every hash tile equals the tile recomputed from them.
/// `fetch(path)` returns a fetched resource (see [`required_paths`]).
///
/// Errors are reported in this order: the checkpoint; the first faulty entry bundle or entry
/// (in log order); a root that differs from the signed one; then the first missing or
/// differing hash tile, lowest level first and, within a level, lowest index first.
///
/// The tree is recomputed in one pass, tile by tile: the leaf hashes of each bundle fill a
/// level-0 tile; each full tile is compared with the served one and reduced in place to its
/// root, which becomes one hash of the tile a level up. Memory stays at one tile per level.
pub fn verify_log<'a>(
    note: &[u8],
    key: &Ed25519Verifier,
    fetch: impl Fn(&str) -> Option<&'a [u8]>,
    mut check_entry: impl FnMut(u64, &[u8]) -> Result<(), String>,
) -> Result<LogReport, VerifyError> {
    let cp = open_checkpoint(note, key)?;
    let tiles: Vec<Tile> = tiles_for_size(cp.size())?;
    let get = |path: &str| {
        fetch(path).ok_or_else(|| VerifyError::Missing {
            path: path.to_owned(),
        })
    };
    let mut levels = Levels::default();
    let hasher = LeafHasher::new();
    let mut entries: Vec<&[u8]> = Vec::with_capacity(usize::from(TILE_WIDTH));
    let mut index: u64 = 0;
    let mut bundles = 0;
    for t in tiles.iter().filter(|t| t.level() == 0) {
        let path = t.entries_path().map_err(|e| VerifyError::Missing {
            path: e.to_string(),
        })?;
        // Each entry is hashed as it is parsed, while its bytes are in cache.
        let leaves = levels.level(0);
        let before = leaves.len();
        entries.clear();
        let parsed = for_each_bundle_entry(get(&path)?, |e| {
            entries.push(e);
            leaves.push(hasher.leaf(e));
        });
        if let Err(source) = parsed {
            leaves.truncate(before);
            return Err(VerifyError::Bundle { path, source });
        }
        if entries.len() != usize::from(t.width()) {
            return Err(VerifyError::BundleWidth {
                path,
                got: entries.len(),
                want: t.width(),
            });
        }
        for e in &entries {
            check_entry(index, e).map_err(|reason| VerifyError::Entry { index, reason })?;
            index += 1;
        }
        levels.complete_tiles(&get);
        bundles += 1;
    }
    let (root, compared) = levels.finish(&get);
    if root != *cp.root() {
        return Err(VerifyError::RootMismatch { size: cp.size() });
    }
    if let Some(err) = levels.first_error.into_iter().flatten().next() {
        return Err(err);
    }
    debug_assert_eq!(compared, tiles.len());
    Ok(LogReport {
        origin: cp.origin().to_owned(),
        size: cp.size(),
        root: *cp.root(),
        tiles: compared,
        bundles,
    })
}

/// The tree being recomputed: per tile level, the hashes of the tile not yet complete.
#[derive(Default)]
struct Levels {
    /// `open[l]`: the hashes so far of the next tile at level `l` (tree level `8·l`).
    open: Vec<Vec<Hash>>,
    /// `done[l]`: full tiles already compared at level `l`.
    done: Vec<u64>,
    /// `first_error[l]`: the first tile at level `l` that was missing or differed.
    first_error: Vec<Option<VerifyError>>,
    /// Tiles compared.
    compared: usize,
}

impl Levels {
    fn level(&mut self, l: usize) -> &mut Vec<Hash> {
        while self.open.len() <= l {
            self.open.push(Vec::with_capacity(usize::from(TILE_WIDTH)));
            self.done.push(0);
            self.first_error.push(None);
        }
        &mut self.open[l]
    }

    /// Completes every full open tile, from level 0 up: compares it with the served tile
    /// and moves its root into the tile a level up.
    fn complete_tiles<'a, G>(&mut self, get: &G)
    where
        G: Fn(&str) -> Result<&'a [u8], VerifyError>,
    {
        let mut l = 0;
        while self
            .open
            .get(l)
            .is_some_and(|t| t.len() == usize::from(TILE_WIDTH))
        {
            self.compare(l, get);
            let top = reduce(&mut self.open[l]);
            self.open[l].clear();
            self.done[l] += 1;
            l += 1;
            self.level(l).push(top);
        }
    }

    /// Compares the open tile at level `l` with the served one, keeping the first error.
    fn compare<'a, G>(&mut self, l: usize, get: &G)
    where
        G: Fn(&str) -> Result<&'a [u8], VerifyError>,
    {
        self.compared += 1;
        if self.first_error[l].is_some() {
            return;
        }
        let want = &self.open[l];
        // A tree of at most MAX_TREE_SIZE leaves has at most 8 tile levels, and an open
        // tile at most 256 hashes, so this always names a tile; if it did not, that would
        // be reported rather than the tile skipped.
        let tile = u8::try_from(l)
            .map_err(|_| TileError::LevelOutOfRange(l as u64))
            .and_then(|level| Tile::new(level, self.done[l], want.len().try_into().unwrap_or(0)));
        let path = match tile {
            Ok(tile) => tile.path(),
            Err(e) => {
                self.first_error[l] = Some(VerifyError::Missing {
                    path: e.to_string(),
                });
                return;
            }
        };
        let got = match get(&path) {
            Ok(got) => got,
            Err(e) => {
                self.first_error[l] = Some(e);
                return;
            }
        };
        let same = got.len() == want.len() * HASH_SIZE
            && got.chunks_exact(HASH_SIZE).zip(want).all(|(a, b)| a == b);
        if !same {
            let position = got
                .chunks(HASH_SIZE)
                .zip(want)
                .position(|(a, b)| a != b)
                .unwrap_or(got.len().min(want.len() * HASH_SIZE) / HASH_SIZE);
            self.first_error[l] = Some(VerifyError::TileMismatch { path, position });
        }
    }

    /// Compares the partial tiles on the right edge and returns the root with the number
    /// of tiles compared.
    fn finish<'a, G>(&mut self, get: &G) -> (Hash, usize)
    where
        G: Fn(&str) -> Result<&'a [u8], VerifyError>,
    {
        // The complete subtrees on the right edge, left to right: the highest level's
        // hashes cover the oldest leaves.
        let mut edge = Vec::new();
        for l in (0..self.open.len()).rev() {
            if self.open[l].is_empty() {
                continue;
            }
            self.compare(l, get);
            let hashes = &self.open[l];
            let mut at = 0;
            for bit in (0..TILE_HEIGHT).rev() {
                let n = 1usize << bit;
                if hashes.len() - at >= n {
                    let mut part = hashes[at..at + n].to_vec();
                    edge.push(reduce(&mut part));
                    at += n;
                }
            }
        }
        (fold_subtrees(&edge), self.compared)
    }
}

/// `SHA-256(0x00 ‖ entry)` from a state that has already absorbed the prefix.
struct LeafHasher(Sha256);

impl LeafHasher {
    fn new() -> Self {
        LeafHasher(Sha256::new_with_prefix([0x00]))
    }

    fn leaf(&self, entry: &[u8]) -> Hash {
        let mut h = self.0.clone();
        h.update(entry);
        h.finalize().into()
    }
}

/// Reduces a power-of-two run of hashes, in place, to the root of the subtree they span.
fn reduce(hashes: &mut [Hash]) -> Hash {
    let mut n = hashes.len();
    while n > 1 {
        for i in 0..n / 2 {
            hashes[i] = node_hash(&hashes[2 * i], &hashes[2 * i + 1]);
        }
        n /= 2;
    }
    hashes.first().copied().unwrap_or_else(empty_root)
}

#[cfg(test)]
mod tests;
