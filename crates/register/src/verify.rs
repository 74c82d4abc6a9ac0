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
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::bundle::encode_bundle;
    use crate::note::{sign_note, Ed25519Signer};
    use crate::store::{append_entries, MemoryStore};

    fn log(n: u64) -> (Ed25519Signer, String, BTreeMap<String, Vec<u8>>) {
        let signer = Ed25519Signer::from_seed("example.com/log", &[3; 32]).unwrap();
        let entries: Vec<Vec<u8>> = (0..n).map(|i| format!("e{i}").into_bytes()).collect();
        let mut store = MemoryStore::new();
        let a = append_entries(&mut store, 0, &entries).unwrap();
        let mut files = BTreeMap::new();
        for (t, data) in &a.tiles {
            files.insert(t.path(), data.clone());
            if t.level() == 0 {
                let first = (t.index() * 256) as usize;
                let b = encode_bundle(&entries[first..first + usize::from(t.width())]).unwrap();
                files.insert(t.entries_path().unwrap(), b);
            }
        }
        let cp = Checkpoint::new("example.com/log", n, a.root).unwrap();
        let note = sign_note(&cp.to_text(), &[&signer]).unwrap();
        (signer, note, files)
    }

    fn run(
        note: &str,
        key: &Ed25519Verifier,
        files: &BTreeMap<String, Vec<u8>>,
    ) -> Result<LogReport, VerifyError> {
        verify_log(
            note.as_bytes(),
            key,
            |p| files.get(p).map(Vec::as_slice),
            |_, e| {
                e.starts_with(b"e")
                    .then_some(())
                    .ok_or_else(|| "bad".to_string())
            },
        )
    }

    /// `verify_log` as it was before the one-pass version (parse every bundle into owned
    /// entries, rebuild all stored hashes with `TreeBuilder`, then compare every tile): the
    /// reference the one-pass version must agree with, result for result and error for error.
    fn reference_verify_log<'a>(
        note: &[u8],
        key: &Ed25519Verifier,
        fetch: impl Fn(&str) -> Option<&'a [u8]>,
        mut check_entry: impl FnMut(u64, &[u8]) -> Result<(), String>,
    ) -> Result<LogReport, VerifyError> {
        use crate::bundle::parse_bundle;
        use crate::store::TreeBuilder;
        let cp = open_checkpoint(note, key)?;
        let tiles: Vec<Tile> = tiles_for_size(cp.size())?;
        let get = |path: &str| {
            fetch(path).ok_or_else(|| VerifyError::Missing {
                path: path.to_owned(),
            })
        };
        let mut builder = TreeBuilder::new();
        let mut bundles = 0;
        for t in tiles.iter().filter(|t| t.level() == 0) {
            let path = t.entries_path().unwrap();
            let entries = parse_bundle(get(&path)?).map_err(|source| VerifyError::Bundle {
                path: path.clone(),
                source,
            })?;
            if entries.len() != usize::from(t.width()) {
                return Err(VerifyError::BundleWidth {
                    path,
                    got: entries.len(),
                    want: t.width(),
                });
            }
            for e in &entries {
                let index = builder.size();
                check_entry(index, e).map_err(|reason| VerifyError::Entry { index, reason })?;
                builder.push_entry(e)?;
            }
            bundles += 1;
        }
        if builder.root() != *cp.root() {
            return Err(VerifyError::RootMismatch { size: cp.size() });
        }
        let empty: Vec<Hash> = Vec::new();
        let rebuilt = builder.finish(&empty)?;
        for (t, want) in &rebuilt.tiles {
            let path = t.path();
            let got = get(&path)?;
            if got != want.as_slice() {
                let position = got
                    .chunks(32)
                    .zip(want.chunks(32))
                    .position(|(a, b)| a != b)
                    .unwrap_or(got.len().min(want.len()) / 32);
                return Err(VerifyError::TileMismatch { path, position });
            }
        }
        Ok(LogReport {
            origin: cp.origin().to_owned(),
            size: cp.size(),
            root: *cp.root(),
            tiles: rebuilt.tiles.len(),
            bundles,
        })
    }

    fn check_agrees(note: &str, key: &Ed25519Verifier, files: &BTreeMap<String, Vec<u8>>) {
        let check = |_, e: &[u8]| {
            e.starts_with(b"e")
                .then_some(())
                .ok_or_else(|| "bad".to_string())
        };
        let got = verify_log(
            note.as_bytes(),
            key,
            |p| files.get(p).map(Vec::as_slice),
            check,
        );
        let want = reference_verify_log(
            note.as_bytes(),
            key,
            |p| files.get(p).map(Vec::as_slice),
            check,
        );
        assert_eq!(format!("{got:?}"), format!("{want:?}"));
    }

    /// Damages the served files of a log in one of several ways, at positions chosen by
    /// `at` and `byte`.
    fn damage(files: &mut BTreeMap<String, Vec<u8>>, how: u8, at: usize, byte: u8) {
        let keys: Vec<String> = files.keys().cloned().collect();
        let Some(k) = keys.get(at % keys.len().max(1)).cloned() else {
            return;
        };
        let other = keys[(at / 7) % keys.len()].clone();
        let f = files.get_mut(&k).unwrap();
        let i = (at / 3) % f.len().max(1);
        match how {
            0 => {}
            1 if !f.is_empty() => f[i] ^= byte | 1,
            2 => f.truncate(i),
            3 => f.push(byte),
            4 => {
                files.remove(&k);
            }
            5 => {
                let o = files[&other].clone();
                files.insert(k, o);
            }
            _ => {
                // Two files damaged: the order of the errors matters.
                if !f.is_empty() {
                    f[i] ^= 1;
                }
                let g = files.get_mut(&other).unwrap();
                let j = (at / 11) % g.len().max(1);
                if !g.is_empty() {
                    g[j] ^= byte | 1;
                }
            }
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
        #[test]
        fn one_pass_verification_agrees_with_the_reference(
            n in 0u64..1300,
            how in 0u8..7,
            at in proptest::prelude::any::<usize>(),
            byte in proptest::prelude::any::<u8>(),
        ) {
            let (s, note, mut files) = log(n);
            damage(&mut files, how, at, byte);
            check_agrees(&note, &s.verifier(), &files);
        }
    }

    #[test]
    fn one_pass_verification_agrees_across_tile_levels() {
        // 65,536 leaves is the first tree with a level-2 tile.
        for n in [65_535u64, 65_536, 65_537 + 256] {
            let (s, note, files) = log(n);
            let key = s.verifier();
            check_agrees(&note, &key, &files);
            assert_eq!(run(&note, &key, &files).unwrap().size, n);
            let paths: Vec<String> = files
                .keys()
                .filter(|p| p.starts_with("tile/1/") || p.starts_with("tile/2/"))
                .cloned()
                .collect();
            for (k, p) in paths.iter().enumerate() {
                let mut f = files.clone();
                let d = f.get_mut(p).unwrap();
                let i = (k * 37) % d.len();
                d[i] ^= 0x40;
                check_agrees(&note, &key, &f);
                assert!(
                    matches!(run(&note, &key, &f), Err(VerifyError::TileMismatch { path, .. }) if &path == p)
                );
            }
            let mut f = files.clone();
            f.get_mut("tile/0/100").unwrap()[5] ^= 1;
            let level1 = paths.iter().find(|p| p.starts_with("tile/1/")).unwrap();
            f.get_mut(level1).unwrap()[5] ^= 1;
            check_agrees(&note, &key, &f);
        }
    }

    #[test]
    fn accepts_an_honest_log_and_lists_its_paths() {
        for n in [0u64, 1, 255, 256, 257, 600] {
            let (s, note, files) = log(n);
            let r = run(&note, &s.verifier(), &files).unwrap();
            assert_eq!(r.size, n);
            let mut want: Vec<&String> = files.keys().collect();
            let paths = required_paths(n).unwrap();
            let mut got: Vec<&String> = paths.iter().collect();
            want.sort();
            got.sort();
            assert_eq!(got, want);
        }
    }

    #[test]
    fn finds_every_kind_of_tampering() {
        let (s, note, files) = log(300);
        let key = s.verifier();
        let other = Ed25519Signer::from_seed("example.com/log", &[4; 32]).unwrap();
        let err = run(&note, &other.verifier(), &files).unwrap_err();
        assert!(err.to_string().contains("signature not verified"), "{err}");

        let mut f = files.clone();
        f.get_mut("tile/entries/000").unwrap()[3] ^= 1;
        assert!(matches!(
            run(&note, &key, &f),
            Err(VerifyError::RootMismatch { size: 300 })
        ));

        let mut f = files.clone();
        f.get_mut("tile/0/001.p/44").unwrap()[40] ^= 1;
        let err = run(&note, &key, &f).unwrap_err();
        assert!(
            matches!(&err, VerifyError::TileMismatch { path, position: 1 } if path == "tile/0/001.p/44"),
            "{err}"
        );

        let mut f = files.clone();
        f.remove("tile/1/000.p/1");
        assert!(matches!(
            run(&note, &key, &f),
            Err(VerifyError::Missing { .. })
        ));

        let mut f = files.clone();
        f.insert("tile/entries/001.p/44".into(), b"\x00\x02e1".to_vec());
        assert!(matches!(
            run(&note, &key, &f),
            Err(VerifyError::BundleWidth { .. })
        ));

        let tampered = note.replace("\n300\n", "\n299\n");
        assert!(matches!(
            run(&tampered, &key, &files),
            Err(VerifyError::Checkpoint { .. })
        ));
    }
}
