//! Monitoring a log: from the last checkpoint a monitor verified, check a new signed
//! checkpoint — its signature, that it is consistent with the remembered one (a consistency
//! proof computed from tiles that are themselves verified against the new root), and the new
//! entries' bytes against the new tree.
//!
//! Fetching is the caller's business. [`check_update`] reads resources through `fetch`; when a
//! resource it needs is not (yet) available it reports [`Step::NeedMore`] with the paths to
//! fetch, and the caller calls again with them added. What an entry *means* is also the
//! caller's business: [`Update::entries`] hands back the verified new entries.

use std::cell::RefCell;
use std::collections::BTreeSet;

use thiserror::Error;

use crate::bundle::parse_bundle;
use crate::checkpoint::Checkpoint;
use crate::merkle::{leaf_hash, verify_consistency, Hash};
use crate::note::Ed25519Verifier;
use crate::tile::{tile_at, Tile};
use crate::tilereader::{TileHashReader, TileReader};
use crate::tlog::{prove_consistency, stored_hash_index, HashReader, StorageError};
use crate::verify::{open_checkpoint, VerifyError};

/// A checkpoint the monitor has verified before, with its signed note (kept as evidence).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trusted {
    pub checkpoint: Checkpoint,
    pub note: Vec<u8>,
}

impl Trusted {
    /// Re-opens a remembered signed checkpoint (so a tampered state file is noticed).
    pub fn open(note: &[u8], key: &Ed25519Verifier) -> Result<Self, VerifyError> {
        Ok(Trusted {
            checkpoint: open_checkpoint(note, key)?,
            note: note.to_vec(),
        })
    }
}

/// Why a new checkpoint was not accepted.
#[derive(Debug, Error)]
pub enum MonitorError {
    /// The new checkpoint's signature or text is bad: not evidence of anything.
    #[error("the new checkpoint is not valid: {0}")]
    Checkpoint(#[from] VerifyError),
    /// A validly signed checkpoint for a smaller tree than one already seen.
    #[error(
        "rollback: the log now signs a tree of {new} entries, but it signed {old} entries before"
    )]
    Rollback { old: u64, new: u64 },
    /// Two validly signed checkpoints that cannot both be true: a forked history.
    #[error("fork: the signed checkpoint of {new} entries is not consistent with the signed checkpoint of {old} entries ({reason})")]
    Fork { old: u64, new: u64, reason: String },
    /// The served tiles do not match the signed root (the server, not the signer, is at fault).
    #[error("the tiles served for the tree of {size} entries do not verify: {reason}")]
    Tiles { size: u64, reason: String },
    /// An entry bundle is malformed or does not hash to the signed tree.
    #[error("{path}: {reason}")]
    Bundle { path: String, reason: String },
}

impl MonitorError {
    /// Whether the error is proof of misbehaviour by the log's signer (both checkpoints are
    /// signed): a rollback or a fork.
    pub fn is_signed_inconsistency(&self) -> bool {
        matches!(
            self,
            MonitorError::Rollback { .. } | MonitorError::Fork { .. }
        )
    }
}

/// A verified step forward: the new checkpoint and the entries added since the remembered one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Update {
    pub checkpoint: Checkpoint,
    pub note: Vec<u8>,
    /// Index of the first new entry (the remembered size).
    pub first: u64,
    /// The new entries, in order, each checked against the new tree's leaf hashes.
    pub entries: Vec<Vec<u8>>,
}

/// The outcome of one call of [`check_update`].
#[derive(Debug)]
pub enum Step {
    /// Call again once these resources (paths relative to the log prefix) are fetched.
    NeedMore(Vec<String>),
    Done(Result<Update, MonitorError>),
}

/// Serves tiles through `fetch`, recording the ones missing.
struct FetchTiles<'f, F: Fn(&str) -> Option<Vec<u8>>> {
    fetch: &'f F,
    missing: RefCell<BTreeSet<String>>,
}

impl<F: Fn(&str) -> Option<Vec<u8>>> TileReader for FetchTiles<'_, F> {
    fn read_tiles(&self, tiles: &[Tile]) -> Result<Vec<Vec<u8>>, StorageError> {
        let mut out = Vec::with_capacity(tiles.len());
        for t in tiles {
            match (self.fetch)(&t.path()) {
                Some(d) => out.push(d),
                None => {
                    self.missing.borrow_mut().insert(t.path());
                }
            }
        }
        if out.len() != tiles.len() {
            return Err(StorageError::NotFound { index: 0 });
        }
        Ok(out)
    }
}

/// Checks the signed checkpoint `note` against the remembered `prev` (none on a first run:
/// then every entry is new). `fetch(path)` returns a fetched tile or entry bundle, or `None`
/// if the caller has not fetched it yet.
pub fn check_update<F: Fn(&str) -> Option<Vec<u8>>>(
    prev: Option<&Trusted>,
    note: &[u8],
    key: &Ed25519Verifier,
    fetch: &F,
) -> Step {
    let cp = match open_checkpoint(note, key) {
        Ok(cp) => cp,
        Err(e) => return Step::Done(Err(e.into())),
    };
    let (old_size, old_root) = prev.map_or((0, None), |p| {
        (p.checkpoint.size(), Some(*p.checkpoint.root()))
    });
    let new = cp.size();
    if new < old_size {
        return Step::Done(Err(MonitorError::Rollback { old: old_size, new }));
    }
    let tiles = FetchTiles {
        fetch,
        missing: RefCell::new(BTreeSet::new()),
    };
    let reader = TileHashReader::new(new, *cp.root(), &tiles);
    // A storage failure with missing tiles means "fetch more"; otherwise the tiles are bad.
    let storage = |e: String, tiles: &FetchTiles<'_, F>| -> Step {
        let missing = tiles.missing.take();
        if missing.is_empty() {
            Step::Done(Err(MonitorError::Tiles {
                size: new,
                reason: e,
            }))
        } else {
            Step::NeedMore(missing.into_iter().collect())
        }
    };

    if let Some(old_root) = old_root {
        if new == old_size {
            if old_root != *cp.root() {
                return Step::Done(Err(MonitorError::Fork {
                    old: old_size,
                    new,
                    reason: "same size, different root hashes".into(),
                }));
            }
        } else if old_size > 0 {
            let proof = match prove_consistency(old_size, new, &reader) {
                Ok(p) => p,
                Err(e) => return storage(e.to_string(), &tiles),
            };
            if let Err(e) = verify_consistency(old_size, new, &old_root, cp.root(), &proof) {
                return Step::Done(Err(MonitorError::Fork {
                    old: old_size,
                    new,
                    reason: format!("consistency proof from verified tiles fails: {e}"),
                }));
            }
        }
    }

    // The new entries, bundle by bundle, against the verified leaf hashes.
    let mut entries = Vec::new();
    if new > old_size {
        let indexes: Option<Vec<u64>> = (old_size..new).map(|i| stored_hash_index(0, i)).collect();
        let Some(indexes) = indexes else {
            return Step::Done(Err(MonitorError::Tiles {
                size: new,
                reason: "tree too large".into(),
            }));
        };
        let leaves: Vec<Hash> = match reader.read_hashes(&indexes) {
            Ok(l) => l,
            Err(e) => return storage(e.to_string(), &tiles),
        };
        let mut missing = Vec::new();
        let mut bundles = Vec::new();
        for n in (old_size / 256)..=((new - 1) / 256) {
            let Some(t) = tile_at(new, 0, n) else {
                continue;
            };
            let path = match t.entries_path() {
                Ok(p) => p,
                Err(e) => {
                    return Step::Done(Err(MonitorError::Bundle {
                        path: t.path(),
                        reason: e.to_string(),
                    }))
                }
            };
            match fetch(&path) {
                Some(d) => bundles.push((t, path, d)),
                None => missing.push(path),
            }
        }
        if !missing.is_empty() {
            return Step::NeedMore(missing);
        }
        for (t, path, data) in bundles {
            let parsed = match parse_bundle(&data) {
                Ok(p) => p,
                Err(e) => {
                    return Step::Done(Err(MonitorError::Bundle {
                        path,
                        reason: format!("malformed: {e}"),
                    }))
                }
            };
            if parsed.len() != usize::from(t.width()) {
                return Step::Done(Err(MonitorError::Bundle {
                    path,
                    reason: format!("holds {} entries, want {}", parsed.len(), t.width()),
                }));
            }
            let first_in_tile = t.index() * 256;
            for (k, e) in parsed.into_iter().enumerate() {
                let index = first_in_tile + k as u64;
                if index < old_size {
                    continue;
                }
                let want = leaves[(index - old_size) as usize];
                if leaf_hash(&e) != want {
                    return Step::Done(Err(MonitorError::Bundle {
                        path,
                        reason: format!(
                            "entry {index} does not hash to its leaf in the signed tree"
                        ),
                    }));
                }
                entries.push(e);
            }
        }
    }
    Step::Done(Ok(Update {
        checkpoint: cp,
        note: note.to_vec(),
        first: old_size,
        entries,
    }))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::bundle::encode_bundle;
    use crate::note::{sign_note, Ed25519Signer};
    use crate::store::{append_entries, MemoryStore};

    const ORIGIN: &str = "example.com/log";

    fn signer() -> Ed25519Signer {
        Ed25519Signer::from_seed(ORIGIN, &[5; 32]).unwrap()
    }

    /// A served log of `entries`: its signed checkpoint and its files.
    fn log(entries: &[Vec<u8>]) -> (Vec<u8>, BTreeMap<String, Vec<u8>>) {
        let mut store = MemoryStore::new();
        let a = append_entries(&mut store, 0, entries).unwrap();
        let mut files = BTreeMap::new();
        for (t, data) in &a.tiles {
            files.insert(t.path(), data.clone());
            if t.level() == 0 {
                let first = (t.index() * 256) as usize;
                let b = encode_bundle(&entries[first..first + usize::from(t.width())]).unwrap();
                files.insert(t.entries_path().unwrap(), b);
            }
        }
        let cp = Checkpoint::new(ORIGIN, entries.len() as u64, a.root).unwrap();
        let note = sign_note(&cp.to_text(), &[&signer()]).unwrap();
        (note.into_bytes(), files)
    }

    fn entries(range: std::ops::Range<u64>, tag: &str) -> Vec<Vec<u8>> {
        range.map(|i| format!("{tag}{i}").into_bytes()).collect()
    }

    /// Runs the fetch loop to completion, counting rounds.
    fn run(
        prev: Option<&Trusted>,
        note: &[u8],
        files: &BTreeMap<String, Vec<u8>>,
    ) -> Result<Update, MonitorError> {
        let fetched = RefCell::new(BTreeMap::new());
        for _ in 0..20 {
            let f = |p: &str| fetched.borrow().get(p).cloned();
            match check_update(prev, note, &signer().verifier(), &f) {
                Step::Done(r) => return r,
                Step::NeedMore(paths) => {
                    for p in paths {
                        let data = files.get(&p).cloned().unwrap_or_default();
                        fetched.borrow_mut().insert(p, data);
                    }
                }
            }
        }
        panic!("fetch loop did not finish");
    }

    fn trust(u: &Update) -> Trusted {
        Trusted::open(&u.note, &signer().verifier()).unwrap()
    }

    #[test]
    fn follows_an_honest_log() {
        let all = entries(0..700, "e");
        let mut prev: Option<Trusted> = None;
        for size in [0usize, 1, 3, 255, 256, 257, 600, 600, 700] {
            let (note, files) = log(&all[..size]);
            let u = run(prev.as_ref(), &note, &files).unwrap();
            let old = prev.as_ref().map_or(0, |p| p.checkpoint.size());
            assert_eq!(u.first, old);
            assert_eq!(u.entries, all[old as usize..size].to_vec());
            prev = Some(trust(&u));
        }
    }

    #[test]
    fn detects_fork_and_rollback() {
        let honest = entries(0..300, "e");
        let (note, files) = log(&honest[..200]);
        let prev = trust(&run(None, &note, &files).unwrap());

        // A history that differs at entry 150, signed by the same key.
        let mut forked = honest.clone();
        forked[150] = b"forged".to_vec();
        let (fnote, ffiles) = log(&forked);
        let err = run(Some(&prev), &fnote, &ffiles).unwrap_err();
        assert!(
            matches!(
                err,
                MonitorError::Fork {
                    old: 200,
                    new: 300,
                    ..
                }
            ),
            "{err}"
        );
        assert!(err.is_signed_inconsistency());

        // Same size, different root.
        let (fnote, ffiles) = log(&forked[..200]);
        let err = run(Some(&prev), &fnote, &ffiles).unwrap_err();
        assert!(matches!(err, MonitorError::Fork { .. }), "{err}");

        // Rollback.
        let (rnote, rfiles) = log(&honest[..100]);
        let err = run(Some(&prev), &rnote, &rfiles).unwrap_err();
        assert!(
            matches!(err, MonitorError::Rollback { old: 200, new: 100 }),
            "{err}"
        );
    }

    #[test]
    fn detects_bad_tiles_bundles_and_signatures() {
        let all = entries(0..300, "e");
        let (note, files) = log(&all[..100]);
        let prev = trust(&run(None, &note, &files).unwrap());
        let (note, files) = log(&all);

        let mut f = files.clone();
        f.get_mut("tile/entries/001.p/44").unwrap()[5] ^= 1;
        let err = run(Some(&prev), &note, &f).unwrap_err();
        assert!(matches!(err, MonitorError::Bundle { .. }), "{err}");
        assert!(!err.is_signed_inconsistency());

        let mut f = files.clone();
        f.get_mut("tile/0/001.p/44").unwrap()[0] ^= 1;
        let err = run(Some(&prev), &note, &f).unwrap_err();
        assert!(matches!(err, MonitorError::Tiles { .. }), "{err}");

        let mut f = files.clone();
        f.insert("tile/entries/001.p/44".into(), b"\x00".to_vec());
        assert!(matches!(
            run(Some(&prev), &note, &f),
            Err(MonitorError::Bundle { .. })
        ));

        let other = Ed25519Signer::from_seed(ORIGIN, &[6; 32]).unwrap();
        let text = crate::note::parse_note(&note).unwrap().text;
        let wrong = sign_note(&text, &[&other]).unwrap();
        assert!(matches!(
            run(Some(&prev), wrong.as_bytes(), &files),
            Err(MonitorError::Checkpoint(_))
        ));
    }
}
