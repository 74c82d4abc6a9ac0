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
