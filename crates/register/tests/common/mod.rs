//! Shared helpers for the integration tests: a naive RFC 9162 reference, and
//! tile readers over a store or over the tiles a builder wrote.
#![allow(dead_code)]

use std::cell::RefCell;
use std::collections::HashMap;

use probity_register::merkle::Hash;
use probity_register::tile::{read_tile_data, Tile};
use probity_register::tilereader::TileReader;
use probity_register::tlog::StorageError;
use sha2::{Digest, Sha256};

/// The RFC 9162 §2.1 definitions, written out literally and independently
/// of the crate.
pub mod naive {
    use super::*;

    pub fn leaf(entry: &[u8]) -> Hash {
        Sha256::new()
            .chain_update([0u8])
            .chain_update(entry)
            .finalize()
            .into()
    }

    fn node(l: &Hash, r: &Hash) -> Hash {
        Sha256::new()
            .chain_update([1u8])
            .chain_update(l)
            .chain_update(r)
            .finalize()
            .into()
    }

    /// Largest power of two strictly less than n (n >= 2).
    fn k(n: usize) -> usize {
        let mut k = 1;
        while k * 2 < n {
            k *= 2;
        }
        k
    }

    /// MTH(D[n]).
    pub fn mth(d: &[Hash]) -> Hash {
        match d.len() {
            0 => Sha256::digest(b"").into(),
            1 => d[0],
            n => node(&mth(&d[..k(n)]), &mth(&d[k(n)..])),
        }
    }

    /// PATH(m, D[n]).
    pub fn path(m: usize, d: &[Hash]) -> Vec<Hash> {
        let n = d.len();
        if n <= 1 {
            return vec![];
        }
        let k = k(n);
        if m < k {
            let mut p = path(m, &d[..k]);
            p.push(mth(&d[k..]));
            p
        } else {
            let mut p = path(m - k, &d[k..]);
            p.push(mth(&d[..k]));
            p
        }
    }

    /// PROOF(m, D[n]) = SUBPROOF(m, D[n], true).
    pub fn proof(m: usize, d: &[Hash]) -> Vec<Hash> {
        subproof(m, d, true)
    }

    fn subproof(m: usize, d: &[Hash], b: bool) -> Vec<Hash> {
        let n = d.len();
        if m == n {
            return if b { vec![] } else { vec![mth(d)] };
        }
        let k = k(n);
        if m <= k {
            let mut p = subproof(m, &d[..k], b);
            p.push(mth(&d[k..]));
            p
        } else {
            let mut p = subproof(m - k, &d[k..], false);
            p.push(mth(&d[..k]));
            p
        }
    }
}

/// Serves any tile by computing it from stored hashes, as a log server with
/// a hash database would.
pub struct StoreTiles<'a, R: probity_register::tlog::HashReader>(pub &'a R);

impl<R: probity_register::tlog::HashReader> TileReader for StoreTiles<'_, R> {
    fn read_tiles(&self, tiles: &[Tile]) -> Result<Vec<Vec<u8>>, StorageError> {
        read_tile_data(tiles, self.0).map_err(|e| StorageError::Invalid(e.to_string()))
    }
}

/// Serves only the tiles that were written (e.g. by `TreeBuilder::finish`),
/// as a static file server would; counts fetches.
#[derive(Default)]
pub struct WrittenTiles {
    pub tiles: HashMap<Tile, Vec<u8>>,
    pub fetched: RefCell<usize>,
}

impl TileReader for WrittenTiles {
    fn read_tiles(&self, tiles: &[Tile]) -> Result<Vec<Vec<u8>>, StorageError> {
        *self.fetched.borrow_mut() += tiles.len();
        tiles
            .iter()
            .map(|t| {
                self.tiles
                    .get(t)
                    .cloned()
                    .ok_or_else(|| StorageError::Invalid(format!("no tile {}", t.path())))
            })
            .collect()
    }
}

/// Wraps a tile reader and flips one bit in the `victim`-th tile of each
/// request.
pub struct Tamper<'a, T: TileReader> {
    pub inner: &'a T,
    pub victim: usize,
    pub byte: usize,
}

impl<T: TileReader> TileReader for Tamper<'_, T> {
    fn read_tiles(&self, tiles: &[Tile]) -> Result<Vec<Vec<u8>>, StorageError> {
        let mut data = self.inner.read_tiles(tiles)?;
        if let Some(d) = data.get_mut(self.victim) {
            let i = self.byte % d.len();
            d[i] ^= 0x80;
        }
        Ok(data)
    }
}

/// Deterministic entry bytes for leaf `i`.
pub fn entry(i: u64) -> Vec<u8> {
    format!("entry #{i}").into_bytes()
}

/// The shared data folder `sub` (e.g. `caat-uk`): under `PROBITY_SHARED_DATA` (scripts/test.sh
/// exports it), else under `../shared/data` beside the repository. Panics saying where it
/// looked when absent: the tests that need it never pass without it.
pub fn shared_data(sub: &str) -> std::path::PathBuf {
    let base = match std::env::var_os("PROBITY_SHARED_DATA") {
        Some(d) if !d.is_empty() => std::path::PathBuf::from(d),
        _ => std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"),
    };
    let dir = base.join(sub);
    assert!(
        dir.exists(),
        "shared test data not found at {} (set PROBITY_SHARED_DATA to the shared/data folder, \
         as scripts/test.sh does); these tests refuse to pass without it",
        dir.display()
    );
    dir
}
