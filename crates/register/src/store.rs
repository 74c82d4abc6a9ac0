//! Append-only hash storage and the tree builder that extends it.
//!
//! A log keeps its stored hashes (layout in [`crate::tlog`]) in a
//! [`HashStore`]. To append, [`TreeBuilder::resume`] reads the hashes of the
//! complete subtrees on the tree's right edge (at most 62), leaves are pushed
//! in memory, and [`TreeBuilder::finish`] returns the new stored hashes, the
//! new root and the tiles that changed, for the caller to write in one
//! transaction.

use crate::merkle::{empty_root, leaf_hash, node_hash, Hash};
use crate::tile::{new_tiles, read_tile_data, Tile};
use crate::tlog::{
    fold_subtrees, range_subtrees, stored_hash_count, stored_hash_index, HashReader, StorageError,
    TreeError, MAX_TREE_SIZE,
};

/// A [`HashReader`] that can also append.
pub trait HashStore: HashReader {
    /// Number of hashes stored.
    fn stored_count(&self) -> Result<u64, StorageError>;

    /// Appends `hashes` at stored index `first_index`, which must equal
    /// [`HashStore::stored_count`].
    fn append_hashes(&mut self, first_index: u64, hashes: &[Hash]) -> Result<(), StorageError>;
}

/// An in-memory [`HashStore`], for tests and small tools.
#[derive(Debug, Clone, Default)]
pub struct MemoryStore {
    hashes: Vec<Hash>,
}

impl MemoryStore {
    pub fn new() -> Self {
        Self::default()
    }

    /// All stored hashes, in stored-index order.
    pub fn hashes(&self) -> &[Hash] {
        &self.hashes
    }
}

impl HashReader for MemoryStore {
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, StorageError> {
        self.hashes.read_hashes(indexes)
    }
}

impl HashStore for MemoryStore {
    fn stored_count(&self) -> Result<u64, StorageError> {
        Ok(self.hashes.len() as u64)
    }

    fn append_hashes(&mut self, first_index: u64, hashes: &[Hash]) -> Result<(), StorageError> {
        let want = self.hashes.len() as u64;
        if first_index != want {
            return Err(StorageError::AppendMismatch {
                got: first_index,
                want,
            });
        }
        self.hashes.extend_from_slice(hashes);
        Ok(())
    }
}

/// Reads new hashes from memory and older ones from the base reader.
struct Overlay<'a, R: HashReader + ?Sized> {
    base: &'a R,
    first: u64,
    extra: &'a [Hash],
}

impl<R: HashReader + ?Sized> HashReader for Overlay<'_, R> {
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, StorageError> {
        let old: Vec<u64> = indexes
            .iter()
            .copied()
            .filter(|&i| i < self.first)
            .collect();
        let mut old_hashes = self.base.read_hashes(&old)?.into_iter();
        indexes
            .iter()
            .map(|&i| {
                if i < self.first {
                    old_hashes.next().ok_or(StorageError::NotFound { index: i })
                } else {
                    usize::try_from(i - self.first)
                        .ok()
                        .and_then(|k| self.extra.get(k))
                        .copied()
                        .ok_or(StorageError::NotFound { index: i })
                }
            })
            .collect()
    }
}

/// The outcome of appending leaves: everything a log must persist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Appended {
    pub old_size: u64,
    pub new_size: u64,
    /// Root of the tree of `new_size` leaves.
    pub root: Hash,
    /// Stored index of `hashes[0]`; equals `stored_hash_count(old_size)`.
    pub first_index: u64,
    /// New stored hashes, contiguous from `first_index`.
    pub hashes: Vec<Hash>,
    /// Tiles that changed, at their width for `new_size`, with their data.
    /// The level-0 ones name the entry bundles that changed too.
    pub tiles: Vec<(Tile, Vec<u8>)>,
}

/// Extends a tree one leaf at a time, keeping only its right edge in memory.
#[derive(Debug, Clone)]
pub struct TreeBuilder {
    old_size: u64,
    size: u64,
    /// Complete subtrees on the right edge, left to right, as (level, hash).
    edge: Vec<(u8, Hash)>,
    hashes: Vec<Hash>,
}

impl Default for TreeBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl TreeBuilder {
    /// A builder for an empty tree.
    pub fn new() -> Self {
        TreeBuilder {
            old_size: 0,
            size: 0,
            edge: Vec::new(),
            hashes: Vec::new(),
        }
    }

    /// A builder continuing the tree of `size` leaves held by `reader`.
    pub fn resume<R: HashReader + ?Sized>(size: u64, reader: &R) -> Result<Self, TreeError> {
        if size > MAX_TREE_SIZE {
            return Err(TreeError::TooLarge(size));
        }
        let subtrees = range_subtrees(0, size);
        let mut indexes = Vec::with_capacity(subtrees.len());
        for &(level, n) in &subtrees {
            indexes.push(stored_hash_index(level, n).ok_or(TreeError::TooLarge(size))?);
        }
        let hashes = reader.read_hashes(&indexes)?;
        if hashes.len() != indexes.len() {
            return Err(TreeError::ShortRead {
                got: hashes.len(),
                want: indexes.len(),
            });
        }
        let edge = subtrees.iter().map(|&(l, _)| l).zip(hashes).collect();
        Ok(TreeBuilder {
            old_size: size,
            size,
            edge,
            hashes: Vec::new(),
        })
    }

    /// Like [`TreeBuilder::resume`], but first checks that the stored hashes
    /// give `root` (e.g. the root of the last signed checkpoint), so a
    /// damaged store is caught before anything is appended to it.
    pub fn resume_verified<R: HashReader + ?Sized>(
        size: u64,
        root: &Hash,
        reader: &R,
    ) -> Result<Self, TreeError> {
        let builder = Self::resume(size, reader)?;
        if builder.root() != *root {
            return Err(TreeError::Storage(StorageError::Corrupt(format!(
                "stored hashes do not give the expected root at size {size}"
            ))));
        }
        Ok(builder)
    }

    /// Current number of leaves.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Root of the tree as it stands.
    pub fn root(&self) -> Hash {
        if self.edge.is_empty() {
            return empty_root();
        }
        let hashes: Vec<Hash> = self.edge.iter().map(|(_, h)| *h).collect();
        fold_subtrees(&hashes)
    }

    /// Appends one entry; returns its leaf index.
    pub fn push_entry(&mut self, entry: &[u8]) -> Result<u64, TreeError> {
        self.push_leaf_hash(leaf_hash(entry))
    }

    /// Appends one leaf by its leaf hash; returns its leaf index.
    pub fn push_leaf_hash(&mut self, leaf: Hash) -> Result<u64, TreeError> {
        if self.size >= MAX_TREE_SIZE {
            return Err(TreeError::TooLarge(self.size.saturating_add(1)));
        }
        // The leaf, then each subtree it completes, in increasing level: the
        // stored-hash order.
        let mut level = 0u8;
        let mut h = leaf;
        self.hashes.push(h);
        while let Some(&(l, left)) = self.edge.last() {
            if l != level {
                break;
            }
            self.edge.pop();
            h = node_hash(&left, &h);
            level += 1;
            self.hashes.push(h);
        }
        self.edge.push((level, h));
        self.size += 1;
        Ok(self.size - 1)
    }

    /// Finishes the batch: the new stored hashes, root and changed tiles.
    /// `reader` must be the store the builder was resumed from (it supplies
    /// the older hashes inside changed tiles).
    pub fn finish<R: HashReader + ?Sized>(self, reader: &R) -> Result<Appended, TreeError> {
        let first_index =
            stored_hash_count(self.old_size).ok_or(TreeError::TooLarge(self.old_size))?;
        let tiles = new_tiles(self.old_size, self.size)?;
        let overlay = Overlay {
            base: reader,
            first: first_index,
            extra: &self.hashes,
        };
        let data = read_tile_data(&tiles, &overlay)?;
        Ok(Appended {
            old_size: self.old_size,
            new_size: self.size,
            root: self.root(),
            first_index,
            hashes: self.hashes,
            tiles: tiles.into_iter().zip(data).collect(),
        })
    }
}

/// Appends `entries` to the tree of `size` leaves in `store`, persisting the
/// new hashes. Returns what was appended (including the changed tiles).
pub fn append_entries<S: HashStore + ?Sized, E: AsRef<[u8]>>(
    store: &mut S,
    size: u64,
    entries: &[E],
) -> Result<Appended, TreeError> {
    let expected = stored_hash_count(size).ok_or(TreeError::TooLarge(size))?;
    let have = store.stored_count()?;
    if have != expected {
        return Err(TreeError::Storage(StorageError::AppendMismatch {
            got: expected,
            want: have,
        }));
    }
    let mut builder = TreeBuilder::resume(size, &*store)?;
    for e in entries {
        builder.push_entry(e.as_ref())?;
    }
    let appended = builder.finish(&*store)?;
    store.append_hashes(appended.first_index, &appended.hashes)?;
    Ok(appended)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::merkle::root_from_leaf_hashes;

    #[test]
    fn builder_matches_direct_root_and_store_grows_correctly() {
        let mut store = MemoryStore::new();
        let mut leaves = Vec::new();
        let mut size = 0u64;
        for batch in [1usize, 2, 5, 300, 1, 0, 17] {
            let entries: Vec<Vec<u8>> = (0..batch)
                .map(|i| format!("entry {}", size + i as u64).into_bytes())
                .collect();
            leaves.extend(entries.iter().map(|e| leaf_hash(e)));
            let a = append_entries(&mut store, size, &entries).unwrap();
            size += batch as u64;
            assert_eq!(a.new_size, size);
            assert_eq!(a.root, root_from_leaf_hashes(&leaves));
            assert_eq!(
                store.stored_count().unwrap(),
                stored_hash_count(size).unwrap()
            );
        }
    }

    #[test]
    fn resume_verified_checks_root() {
        let mut store = MemoryStore::new();
        let a = append_entries(&mut store, 0, &[b"a", b"b", b"c"]).unwrap();
        assert!(TreeBuilder::resume_verified(3, &a.root, &store).is_ok());
        let mut wrong = a.root;
        wrong[31] ^= 1;
        assert!(TreeBuilder::resume_verified(3, &wrong, &store).is_err());
        assert!(TreeBuilder::resume(4, &store).is_err());
    }

    #[test]
    fn append_refuses_wrong_size() {
        let mut store = MemoryStore::new();
        append_entries(&mut store, 0, &[b"a"]).unwrap();
        assert!(append_entries(&mut store, 0, &[b"b"]).is_err());
        assert!(append_entries(&mut store, 2, &[b"b"]).is_err());
        assert!(store.append_hashes(5, &[[0; 32]]).is_err());
    }
}
