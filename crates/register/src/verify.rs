//! Full verification of a log: from a signed checkpoint, every hash tile and every entry
//! bundle of its tree (C2SP tlog-tiles), recompute the tree from the entries and check that
//! it gives the signed root and exactly the served tiles.
//!
//! Fetching is the caller's business (HTTP, a directory, a database): [`required_paths`]
//! lists what to fetch, [`verify_log`] checks it. Every failure names the resource and
//! position at fault.

use thiserror::Error;

use crate::bundle::{parse_bundle, BundleError};
use crate::checkpoint::{Checkpoint, CheckpointError};
use crate::merkle::Hash;
use crate::note::{Ed25519Verifier, NoteVerifier as _};
use crate::store::TreeBuilder;
use crate::tile::{tiles_for_size, Tile};
use crate::tlog::TreeError;

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
    let mut builder = TreeBuilder::new();
    let mut bundles = 0;
    for t in tiles.iter().filter(|t| t.level() == 0) {
        let path = t.entries_path().map_err(|e| VerifyError::Missing {
            path: e.to_string(),
        })?;
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
