//! Tiles written by the builder, verified reading from tiles, and entry
//! bundles.

mod common;

use std::cell::RefCell;

use common::{entry, naive, StoreTiles, Tamper, WrittenTiles};
use probity_register::bundle::{encode_bundle, verify_bundle};
use probity_register::merkle::Hash;
use probity_register::store::{append_entries, MemoryStore};
use probity_register::tile::{new_tiles, parse_tile_path, read_tile_data, Tile, TileResource};
use probity_register::tilereader::{TileHashReader, TileReader};
use probity_register::tlog::{
    prove_consistency, prove_inclusion, tree_hash, HashReader, StorageError, TreeError,
};

/// Counts how many tiles one request asked for.
struct Counting<'a, T: TileReader>(&'a T, RefCell<usize>);

impl<T: TileReader> TileReader for Counting<'_, T> {
    fn read_tiles(&self, tiles: &[Tile]) -> Result<Vec<Vec<u8>>, StorageError> {
        *self.1.borrow_mut() = tiles.len();
        self.0.read_tiles(tiles)
    }
}

fn build(n: u64) -> (MemoryStore, Vec<Vec<u8>>, Hash) {
    let mut store = MemoryStore::new();
    let entries: Vec<Vec<u8>> = (0..n).map(entry).collect();
    let a = append_entries(&mut store, 0, &entries).unwrap();
    (store, entries, a.root)
}

fn is_corrupt(r: Result<impl std::fmt::Debug, TreeError>) -> bool {
    matches!(r, Err(TreeError::Storage(StorageError::Corrupt(_))))
}

type Op<'a> = &'a dyn Fn(&dyn HashReader) -> Result<Vec<Hash>, TreeError>;

/// Flipping a bit anywhere in any tile that `op` reads makes it fail.
fn check_tampering(
    n: u64,
    root: Hash,
    server: &StoreTiles<'_, MemoryStore>,
    what: &str,
    op: Op<'_>,
) {
    let counting = Counting(server, RefCell::new(0));
    op(&TileHashReader::new(n, root, &counting)).unwrap();
    // Zero when the answer needs no hashes (e.g. the empty proof for n = 1).
    let requested = *counting.1.borrow();
    for victim in 0..requested {
        for byte in [0usize, 31, 32 * 200 + 5, usize::MAX / 2] {
            let bad = Tamper {
                inner: server,
                victim,
                byte,
            };
            assert!(
                is_corrupt(op(&TileHashReader::new(n, root, &bad))),
                "{what}: n={n} tampered tile {victim} byte {byte} not detected"
            );
        }
    }
}

#[test]
fn any_tampered_tile_is_detected() {
    for n in [
        1u64, 2, 255, 256, 257, 511, 512, 513, 65_535, 65_536, 65_537, 70_000,
    ] {
        let (store, _, root) = build(n);
        let server = StoreTiles(&store);
        let root_op = |r: &dyn HashReader| tree_hash(n, r).map(|h| vec![h]);
        check_tampering(n, root, &server, "root", &root_op);
        for i in [0, n / 3, n - 1] {
            let op = |r: &dyn HashReader| prove_inclusion(n, i, r);
            check_tampering(n, root, &server, "inclusion", &op);
        }
        for m in [1, n / 2, n - 1] {
            if m == 0 {
                continue;
            }
            let op = |r: &dyn HashReader| prove_consistency(m, n, r);
            check_tampering(n, root, &server, "consistency", &op);
        }
        // The wrong root rejects every tile set.
        let mut wrong = root;
        wrong[0] ^= 1;
        let reader = TileHashReader::new(n, wrong, &server);
        assert!(is_corrupt(tree_hash(n, &reader)));
    }
}

#[test]
fn short_or_missing_tiles_are_errors() {
    let (store, _, root) = build(600);
    struct Short<'a>(StoreTiles<'a, MemoryStore>);
    impl TileReader for Short<'_> {
        fn read_tiles(&self, tiles: &[Tile]) -> Result<Vec<Vec<u8>>, StorageError> {
            let mut d = self.0.read_tiles(tiles)?;
            d[0].pop();
            Ok(d)
        }
    }
    let short = Short(StoreTiles(&store));
    assert!(is_corrupt(tree_hash(
        600,
        &TileHashReader::new(600, root, &short)
    )));
    let empty = WrittenTiles::default();
    assert!(tree_hash(600, &TileHashReader::new(600, root, &empty)).is_err());
    // Nodes outside the tree are refused before any fetch.
    let server = StoreTiles(&store);
    let reader = TileHashReader::new(600, root, &server);
    assert!(matches!(
        tree_hash(601, &reader),
        Err(TreeError::Storage(StorageError::Invalid(_)))
    ));
}

#[test]
fn builder_writes_exactly_the_changed_tiles() {
    let mut store = MemoryStore::new();
    let mut written = WrittenTiles::default();
    let mut size = 0u64;
    let mut all_entries = Vec::new();
    for batch in [1u64, 255, 1, 300, 65_000, 7, 4_436] {
        let entries: Vec<Vec<u8>> = (size..size + batch).map(entry).collect();
        all_entries.extend(entries.iter().cloned());
        let a = append_entries(&mut store, size, &entries).unwrap();
        let tiles: Vec<Tile> = a.tiles.iter().map(|(t, _)| *t).collect();
        assert_eq!(tiles, new_tiles(size, size + batch).unwrap());
        for (t, data) in &a.tiles {
            assert_eq!(data, &read_tile_data(&[*t], &store).unwrap()[0]);
            assert_eq!(parse_tile_path(&t.path()), Ok(TileResource::Hashes(*t)));
            // The matching entry bundle verifies against the level-0 tile.
            if t.level() == 0 {
                let first = (t.index() * 256) as usize;
                let bundle =
                    encode_bundle(&all_entries[first..first + usize::from(t.width())]).unwrap();
                assert_eq!(
                    verify_bundle(t, data, &bundle).unwrap().len(),
                    usize::from(t.width())
                );
            }
        }
        written.tiles.extend(a.tiles);
        size += batch;
        // Only written tiles are needed to read this checkpoint.
        let reader = TileHashReader::new(size, a.root, &written);
        assert_eq!(tree_hash(size, &reader).unwrap(), a.root);
        let leaves: Vec<Hash> = all_entries.iter().map(|e| naive::leaf(e)).collect();
        assert_eq!(naive::mth(&leaves), a.root);
    }
    assert_eq!(size, 70_000);
}
