//! Roots and proofs computed from stored hashes and from tiles equal the
//! naive RFC 9162 definitions, and verify.

mod common;

use std::sync::OnceLock;

use common::{entry, naive, StoreTiles, WrittenTiles};
use probity_register::merkle::{verify_consistency, verify_inclusion, Hash};
use probity_register::store::{append_entries, MemoryStore};
use probity_register::tilereader::TileHashReader;
use probity_register::tlog::{prove_consistency, prove_inclusion, tree_hash};
use proptest::prelude::*;

/// A few leaf indexes worth checking in a tree of `n` leaves.
fn sample_indexes(n: u64) -> Vec<u64> {
    let mut v = vec![0, n - 1, n / 2, (n.wrapping_mul(7919) + 13) % n];
    v.sort_unstable();
    v.dedup();
    v
}

/// A few old sizes worth checking against a tree of `n` leaves.
fn sample_old_sizes(n: u64) -> Vec<u64> {
    let mut v = vec![
        1,
        (n / 2).max(1),
        (n - 1).max(1),
        n,
        (n.wrapping_mul(104_729) + 7) % n + 1,
    ];
    v.sort_unstable();
    v.dedup();
    v
}

fn check_inclusion<R: probity_register::tlog::HashReader + ?Sized>(
    leaves: &[Hash],
    n: u64,
    i: u64,
    reader: &R,
    root: &Hash,
) {
    let want = naive::path(i as usize, &leaves[..n as usize]);
    let got = prove_inclusion(n, i, reader).unwrap();
    assert_eq!(got, want, "inclusion proof n={n} i={i}");
    verify_inclusion(i, n, &leaves[i as usize], &got, root).unwrap();
}

fn check_consistency<R: probity_register::tlog::HashReader + ?Sized>(
    leaves: &[Hash],
    m: u64,
    n: u64,
    reader: &R,
    root: &Hash,
) {
    let want = naive::proof(m as usize, &leaves[..n as usize]);
    let got = prove_consistency(m, n, reader).unwrap();
    assert_eq!(got, want, "consistency proof m={m} n={n}");
    let old_root = naive::mth(&leaves[..m as usize]);
    verify_consistency(m, n, &old_root, root, &got).unwrap();
}

#[test]
fn every_size_up_to_1000_from_store_and_written_tiles() {
    let mut store = MemoryStore::new();
    let mut leaves = Vec::new();
    let mut written = WrittenTiles::default();
    for n in 1..=1000u64 {
        // One leaf per append, so every size is a checkpoint size and its
        // partial tiles exist.
        let e = entry(n - 1);
        leaves.push(naive::leaf(&e));
        let appended = append_entries(&mut store, n - 1, &[e]).unwrap();
        written.tiles.extend(appended.tiles);
        let root = naive::mth(&leaves);
        assert_eq!(appended.root, root, "builder root n={n}");
        assert_eq!(tree_hash(n, &store).unwrap(), root, "stored root n={n}");

        let tiles = TileHashReader::new(n, root, &written);
        assert_eq!(tree_hash(n, &tiles).unwrap(), root, "tile root n={n}");

        let indexes = sample_indexes(n);
        for &i in &indexes {
            check_inclusion(&leaves, n, i, &store, &root);
        }
        let olds = sample_old_sizes(n);
        for &m in &olds {
            check_consistency(&leaves, m, n, &store, &root);
        }
        // From tiles alone: the last sampled index and old size.
        check_inclusion(&leaves, n, indexes[indexes.len() - 1], &tiles, &root);
        check_consistency(&leaves, olds[olds.len() / 2], n, &tiles, &root);
    }
}

#[test]
fn all_indexes_and_old_sizes_up_to_64() {
    let mut store = MemoryStore::new();
    let entries: Vec<Vec<u8>> = (0..64).map(entry).collect();
    append_entries(&mut store, 0, &entries).unwrap();
    let leaves: Vec<Hash> = entries.iter().map(|e| naive::leaf(e)).collect();
    let server = StoreTiles(&store);
    for n in 1..=64u64 {
        let root = naive::mth(&leaves[..n as usize]);
        let tiles = TileHashReader::new(n, root, &server);
        for i in 0..n {
            check_inclusion(&leaves, n, i, &store, &root);
            check_inclusion(&leaves, n, i, &tiles, &root);
        }
        for m in 1..=n {
            check_consistency(&leaves, m, n, &store, &root);
            check_consistency(&leaves, m, n, &tiles, &root);
        }
    }
}

const BIG: u64 = 70_000;

/// A store of BIG leaves, appended in uneven batches, built once.
fn big() -> &'static (MemoryStore, Vec<Hash>) {
    static BIG_STORE: OnceLock<(MemoryStore, Vec<Hash>)> = OnceLock::new();
    BIG_STORE.get_or_init(|| {
        let mut store = MemoryStore::new();
        let mut leaves = Vec::new();
        let mut size = 0u64;
        let mut batch = 1u64;
        while size < BIG {
            let take = batch.min(BIG - size);
            let entries: Vec<Vec<u8>> = (size..size + take).map(entry).collect();
            leaves.extend(entries.iter().map(|e| naive::leaf(e)));
            let a = append_entries(&mut store, size, &entries).unwrap();
            size += take;
            assert_eq!(a.new_size, size);
            batch = batch * 3 % 4099 + 1;
        }
        (store, leaves)
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn random_large_trees(n in 1u64..=BIG, a in any::<u64>(), b in any::<u64>(), flip in any::<(usize, u8)>()) {
        let (store, leaves) = big();
        let (i, m) = (a % n, b % n + 1);
        let root = naive::mth(&leaves[..n as usize]);
        prop_assert_eq!(tree_hash(n, store).unwrap(), root);
        check_inclusion(leaves, n, i, store, &root);
        check_consistency(leaves, m, n, store, &root);

        let server = StoreTiles(store);
        let tiles = TileHashReader::new(n, root, &server);
        prop_assert_eq!(tree_hash(n, &tiles).unwrap(), root);
        check_inclusion(leaves, n, i, &tiles, &root);
        check_consistency(leaves, m, n, &tiles, &root);

        // Any flipped bit in a non-empty proof is caught.
        let mut proof = prove_inclusion(n, i, store).unwrap();
        if !proof.is_empty() {
            let k = flip.0 % proof.len();
            proof[k][usize::from(flip.1) % 32] ^= 1;
            prop_assert!(verify_inclusion(i, n, &leaves[i as usize], &proof, &root).is_err());
        }
        let mut proof = prove_consistency(m, n, store).unwrap();
        if !proof.is_empty() {
            let k = flip.0 % proof.len();
            proof[k][usize::from(flip.1) % 32] ^= 1;
            let old = naive::mth(&leaves[..m as usize]);
            prop_assert!(verify_consistency(m, n, &old, &root, &proof).is_err());
        }
    }
}
