//! Reading stored hashes from tiles, authenticated against a tree head.
//!
//! A client that trusts a checkpoint `(size, root)` but not the server that
//! serves tiles uses [`TileHashReader`] as a [`HashReader`]: every tile it
//! fetches is checked before any hash from it is returned. The tiles on the
//! right edge of the tree are checked by recomputing `root` from them; every
//! full tile is checked against its entry in the parent tile, and so on up to
//! an edge tile. With that, [`crate::tlog::tree_hash`],
//! [`crate::tlog::prove_inclusion`] and [`crate::tlog::prove_consistency`]
//! work from tiles alone.

use std::collections::{BTreeMap, BTreeSet};

use crate::merkle::{root_from_leaf_hashes, Hash};
use crate::tile::{locate, tile_at, tile_hashes, Tile};
use crate::tlog::{
    fold_subtrees, range_subtrees, split_stored_hash_index, HashReader, StorageError, MAX_TREE_SIZE,
};

/// Fetches tile data, e.g. over HTTP or from a directory of static files.
pub trait TileReader {
    /// Returns the data of each tile, in order. Should fetch in parallel or in
    /// one round trip where the transport allows.
    fn read_tiles(&self, tiles: &[Tile]) -> Result<Vec<Vec<u8>>, StorageError>;

    /// Called with tiles that passed verification, for caching.
    fn save_tiles(&self, _tiles: &[Tile], _data: &[Vec<u8>]) {}
}

/// A [`HashReader`] over the tiles of the tree with `size` leaves and root
/// `root`, verifying every tile it reads.
pub struct TileHashReader<'a, T: TileReader + ?Sized> {
    size: u64,
    root: Hash,
    reader: &'a T,
}

impl<'a, T: TileReader + ?Sized> TileHashReader<'a, T> {
    pub fn new(size: u64, root: Hash, reader: &'a T) -> Self {
        TileHashReader { size, root, reader }
    }

    fn tile_of(&self, level: u8, n: u64) -> Result<crate::tile::NodeInTile, StorageError> {
        locate(self.size, level, n).ok_or_else(|| {
            StorageError::Invalid(format!(
                "node ({level}, {n}) is not in the tree of size {}",
                self.size
            ))
        })
    }
}

/// Hash of the node covering positions `[start, end)` of a tile, where the
/// range is a power of two wide and aligned.
fn hash_in_tile(hashes: &[Hash], start: usize, end: usize) -> Result<Hash, StorageError> {
    hashes
        .get(start..end)
        .map(root_from_leaf_hashes)
        .ok_or_else(|| StorageError::Corrupt("tile shorter than expected".into()))
}

impl<T: TileReader + ?Sized> HashReader for TileHashReader<'_, T> {
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, StorageError> {
        if self.size > MAX_TREE_SIZE {
            return Err(StorageError::Invalid(format!(
                "tree size {} is too large",
                self.size
            )));
        }
        let mut wanted = Vec::with_capacity(indexes.len());
        let mut needed = BTreeSet::new();
        for &i in indexes {
            let (level, n) = split_stored_hash_index(i)
                .ok_or_else(|| StorageError::Invalid(format!("stored index {i} out of range")))?;
            let loc = self.tile_of(level, n)?;
            needed.insert(loc.tile);
            wanted.push(loc);
        }
        if needed.is_empty() {
            return Ok(Vec::new());
        }
        // The edge tiles that the root is computed from.
        let mut edge = Vec::new();
        for (level, n) in range_subtrees(0, self.size) {
            let loc = self.tile_of(level, n)?;
            needed.insert(loc.tile);
            edge.push(loc);
        }
        // Every full tile is vouched for by its parent, up to an edge tile.
        let mut pending: Vec<Tile> = needed.iter().copied().filter(Tile::is_full).collect();
        while let Some(t) = pending.pop() {
            let parent = tile_at(self.size, t.level().saturating_add(1), t.index() >> 8)
                .ok_or_else(|| StorageError::Corrupt("full tile has no parent".into()))?;
            if needed.insert(parent) && parent.is_full() {
                pending.push(parent);
            }
        }

        let tiles: Vec<Tile> = needed.into_iter().collect();
        let data = self.reader.read_tiles(&tiles)?;
        if data.len() != tiles.len() {
            return Err(StorageError::Corrupt(format!(
                "tile reader returned {} tiles for {}",
                data.len(),
                tiles.len()
            )));
        }
        let mut by_tile = BTreeMap::new();
        for (t, d) in tiles.iter().zip(&data) {
            let hashes = tile_hashes(t, d).map_err(|e| StorageError::Corrupt(e.to_string()))?;
            by_tile.insert(*t, hashes);
        }
        let get = |t: &Tile| {
            by_tile
                .get(t)
                .ok_or_else(|| StorageError::Corrupt("tile missing".into()))
        };

        let mut subtree_hashes = Vec::with_capacity(edge.len());
        for loc in &edge {
            subtree_hashes.push(hash_in_tile(get(&loc.tile)?, loc.start, loc.end)?);
        }
        if fold_subtrees(&subtree_hashes) != self.root {
            return Err(StorageError::Corrupt(format!(
                "tiles do not match the root of the tree of size {}",
                self.size
            )));
        }
        for t in tiles.iter().filter(|t| t.is_full()) {
            let parent = tile_at(self.size, t.level().saturating_add(1), t.index() >> 8)
                .ok_or_else(|| StorageError::Corrupt("full tile has no parent".into()))?;
            let slot = usize::try_from(t.index() & 0xff).unwrap_or(usize::MAX);
            let expected = get(&parent)?.get(slot).copied();
            if expected != Some(root_from_leaf_hashes(get(t)?)) {
                return Err(StorageError::Corrupt(format!(
                    "tile {} does not match its parent",
                    t.path()
                )));
            }
        }
        self.reader.save_tiles(&tiles, &data);

        wanted
            .iter()
            .map(|loc| hash_in_tile(get(&loc.tile)?, loc.start, loc.end))
            .collect()
    }
}
