//! Stored-hash layout, the [`HashReader`] trait, and tree roots and proofs
//! computed from stored hashes.
//!
//! Layout: every complete subtree of the log is stored exactly once, as a
//! hash at a *stored index*. When leaf `k` is appended we store its leaf hash
//! and then, in increasing level, the hash of every subtree that leaf
//! completes. So the hashes stored before leaf `k` number
//! `Σ_{l≥0} ⌊k/2^l⌋ = 2k − popcount(k)`, and the node at `(level, n)`, whose
//! last leaf is `k = (n+1)·2^level − 1`, sits at `2k − popcount(k) + level`.
//! The sequence is append-only, so a store is a plain array of hashes.

use thiserror::Error;

use crate::merkle::{empty_root, node_hash, split_point, Hash};

/// Largest tree size this crate handles. Keeps every stored index and tile
/// coordinate computation well inside `u64`.
pub const MAX_TREE_SIZE: u64 = 1 << 62;

/// Failure of a hash or tile store.
#[derive(Debug, Error)]
pub enum StorageError {
    #[error("no hash stored at index {index}")]
    NotFound { index: u64 },
    #[error("invalid request: {0}")]
    Invalid(String),
    #[error("stored data failed verification: {0}")]
    Corrupt(String),
    #[error("append at index {got}, but the store holds {want} hashes")]
    AppendMismatch { got: u64, want: u64 },
    #[error("storage backend failed")]
    Backend(#[source] Box<dyn std::error::Error + Send + Sync>),
}

/// Reads stored hashes by stored index (see the module docs for the layout).
pub trait HashReader {
    /// Returns the hashes at `indexes`, in the same order. Implementations
    /// should answer the whole batch in one round trip.
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, StorageError>;
}

impl HashReader for [Hash] {
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, StorageError> {
        indexes
            .iter()
            .map(|&i| {
                usize::try_from(i)
                    .ok()
                    .and_then(|i| self.get(i))
                    .copied()
                    .ok_or(StorageError::NotFound { index: i })
            })
            .collect()
    }
}

impl HashReader for Vec<Hash> {
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, StorageError> {
        self.as_slice().read_hashes(indexes)
    }
}

/// Why a root or proof could not be computed.
#[derive(Debug, Error)]
pub enum TreeError {
    #[error("tree size {0} exceeds the supported maximum {MAX_TREE_SIZE}")]
    TooLarge(u64),
    #[error("leaf index {index} is not below tree size {size}")]
    IndexOutOfRange { index: u64, size: u64 },
    #[error("old size {old} is greater than new size {new}")]
    SizeDecrease { old: u64, new: u64 },
    #[error("a consistency proof from the empty tree proves nothing")]
    EmptyFirstTree,
    #[error("hash reader returned {got} hashes for {want} indexes")]
    ShortRead { got: usize, want: usize },
    #[error(transparent)]
    Storage(#[from] StorageError),
}

fn check_size(size: u64) -> Result<(), TreeError> {
    if size > MAX_TREE_SIZE {
        return Err(TreeError::TooLarge(size));
    }
    Ok(())
}

/// Number of hashes stored for a tree of `size` leaves: `2·size − popcount(size)`.
/// `None` past [`MAX_TREE_SIZE`].
pub fn stored_hash_count(size: u64) -> Option<u64> {
    if size > MAX_TREE_SIZE {
        return None;
    }
    Some(2 * size - u64::from(size.count_ones()))
}

/// Stored index of the node at `(level, n)`, or `None` if that node lies
/// beyond a tree of [`MAX_TREE_SIZE`] leaves.
pub fn stored_hash_index(level: u8, n: u64) -> Option<u64> {
    if level > 62 {
        return None;
    }
    let end = (u128::from(n) + 1) << level;
    if end > u128::from(MAX_TREE_SIZE) {
        return None;
    }
    // Lossless: end <= MAX_TREE_SIZE.
    let last_leaf = end as u64 - 1;
    Some(2 * last_leaf - u64::from(last_leaf.count_ones()) + u64::from(level))
}

/// Inverse of [`stored_hash_index`]: the `(level, n)` stored at `index`.
pub fn split_stored_hash_index(index: u64) -> Option<(u8, u64)> {
    if index >= stored_hash_count(MAX_TREE_SIZE)? {
        return None;
    }
    let before = |k: u64| 2 * k - u64::from(k.count_ones());
    // before(k) >= 2k - 64, so the leaf we want is at most (index + 64) / 2;
    // before() is strictly increasing, so walk down to the last k with
    // before(k) <= index.
    let mut k = (index / 2 + 32).min(MAX_TREE_SIZE - 1);
    while before(k) > index {
        k -= 1;
    }
    // Lossless: the level is at most the number of trailing ones in k (< 64).
    let level = (index - before(k)) as u8;
    Some((level, k >> level))
}

/// The complete subtrees, as `(level, n)` from left to right, that make up
/// `D[lo:hi]`. For the ranges RFC 9162 recursion produces (and for `[0, n)`)
/// folding their hashes right to left gives `MTH(D[lo:hi])`.
pub fn range_subtrees(mut lo: u64, hi: u64) -> Vec<(u8, u64)> {
    let mut out = Vec::new();
    while lo < hi {
        let align = if lo == 0 { 63 } else { lo.trailing_zeros() };
        let fit = 63 - (hi - lo).leading_zeros();
        let level = align.min(fit);
        out.push((level as u8, lo >> level));
        lo += 1 << level;
    }
    out
}

/// Folds subtree hashes (left to right) into the Merkle tree hash they span.
pub fn fold_subtrees(hashes: &[Hash]) -> Hash {
    let mut iter = hashes.iter().rev();
    let Some(last) = iter.next() else {
        return empty_root();
    };
    iter.fold(*last, |acc, h| node_hash(h, &acc))
}

/// A proof or root as a list of ranges, each resolved to subtree hashes with
/// one batched read.
fn resolve<R: HashReader + ?Sized>(
    ranges: &[(u64, u64)],
    reader: &R,
) -> Result<Vec<Hash>, TreeError> {
    let parts: Vec<Vec<(u8, u64)>> = ranges
        .iter()
        .map(|&(lo, hi)| range_subtrees(lo, hi))
        .collect();
    let mut indexes = Vec::new();
    for &(level, n) in parts.iter().flatten() {
        let idx = stored_hash_index(level, n).ok_or(TreeError::TooLarge(n))?;
        indexes.push(idx);
    }
    let hashes = reader.read_hashes(&indexes)?;
    if hashes.len() != indexes.len() {
        return Err(TreeError::ShortRead {
            got: hashes.len(),
            want: indexes.len(),
        });
    }
    let mut out = Vec::with_capacity(parts.len());
    let mut offset = 0;
    for p in &parts {
        out.push(fold_subtrees(&hashes[offset..offset + p.len()]));
        offset += p.len();
    }
    Ok(out)
}

/// Root hash of the tree of `size` leaves.
pub fn tree_hash<R: HashReader + ?Sized>(size: u64, reader: &R) -> Result<Hash, TreeError> {
    check_size(size)?;
    if size == 0 {
        return Ok(empty_root());
    }
    let mut roots = resolve(&[(0, size)], reader)?;
    roots.pop().ok_or(TreeError::ShortRead { got: 0, want: 1 })
}

/// Inclusion proof `PATH(index, D[size])` of RFC 9162 §2.1.3.1.
pub fn prove_inclusion<R: HashReader + ?Sized>(
    size: u64,
    index: u64,
    reader: &R,
) -> Result<Vec<Hash>, TreeError> {
    check_size(size)?;
    if index >= size {
        return Err(TreeError::IndexOutOfRange { index, size });
    }
    // Walk from the root down to the leaf, noting the sibling range at each
    // level; the proof lists them leaf-first.
    let mut ranges = Vec::new();
    let (mut lo, mut hi) = (0, size);
    while hi - lo > 1 {
        let k = split_point(hi - lo);
        if index < lo + k {
            ranges.push((lo + k, hi));
            hi = lo + k;
        } else {
            ranges.push((lo, lo + k));
            lo += k;
        }
    }
    ranges.reverse();
    resolve(&ranges, reader)
}

/// Consistency proof `PROOF(old, D[new])` of RFC 9162 §2.1.4.1. Equal sizes
/// give the empty proof; `old == 0` is refused, as in verification.
pub fn prove_consistency<R: HashReader + ?Sized>(
    old: u64,
    new: u64,
    reader: &R,
) -> Result<Vec<Hash>, TreeError> {
    check_size(new)?;
    if old > new {
        return Err(TreeError::SizeDecrease { old, new });
    }
    if old == 0 {
        return Err(TreeError::EmptyFirstTree);
    }
    // SUBPROOF(m, D[lo:hi], b), unrolled from the root down.
    let mut ranges = Vec::new();
    let (mut lo, mut hi, mut m, mut complete) = (0, new, old, true);
    while m != hi - lo {
        let k = split_point(hi - lo);
        if m <= k {
            ranges.push((lo + k, hi));
            hi = lo + k;
        } else {
            ranges.push((lo, lo + k));
            lo += k;
            m -= k;
            complete = false;
        }
    }
    if !complete {
        ranges.push((lo, hi));
    }
    ranges.reverse();
    resolve(&ranges, reader)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_index_layout_matches_append_order() {
        // Leaves 0,1 then node(1,0); leaf 2; leaf 3, node(1,1), node(2,0).
        assert_eq!(stored_hash_index(0, 0), Some(0));
        assert_eq!(stored_hash_index(0, 1), Some(1));
        assert_eq!(stored_hash_index(1, 0), Some(2));
        assert_eq!(stored_hash_index(0, 2), Some(3));
        assert_eq!(stored_hash_index(0, 3), Some(4));
        assert_eq!(stored_hash_index(1, 1), Some(5));
        assert_eq!(stored_hash_index(2, 0), Some(6));
        assert_eq!(stored_hash_count(4), Some(7));
        assert_eq!(stored_hash_index(0, MAX_TREE_SIZE), None);
        assert_eq!(stored_hash_index(200, 0), None);
        assert_eq!(stored_hash_index(0, u64::MAX), None);
    }

    #[test]
    fn split_inverts_index() {
        for level in 0..12u8 {
            for n in 0..300u64 {
                let i = stored_hash_index(level, n).unwrap();
                assert_eq!(split_stored_hash_index(i), Some((level, n)));
            }
        }
        let top = stored_hash_index(62, 0).unwrap();
        assert_eq!(split_stored_hash_index(top), Some((62, 0)));
        assert_eq!(split_stored_hash_index(top + 1), None);
        assert_eq!(split_stored_hash_index(u64::MAX), None);
    }

    #[test]
    fn range_subtrees_decomposes_sizes() {
        assert_eq!(range_subtrees(0, 0), vec![]);
        assert_eq!(range_subtrees(0, 7), vec![(2, 0), (1, 2), (0, 6)]);
        assert_eq!(range_subtrees(8, 13), vec![(2, 2), (0, 12)]);
        assert_eq!(range_subtrees(0, 8), vec![(3, 0)]);
    }

    #[test]
    fn bad_requests_are_errors() {
        let store: Vec<Hash> = vec![];
        assert!(matches!(
            prove_inclusion(0, 0, &store),
            Err(TreeError::IndexOutOfRange { .. })
        ));
        assert!(matches!(
            prove_consistency(3, 2, &store),
            Err(TreeError::SizeDecrease { .. })
        ));
        assert!(matches!(
            prove_consistency(0, 2, &store),
            Err(TreeError::EmptyFirstTree)
        ));
        assert!(matches!(
            tree_hash(u64::MAX, &store),
            Err(TreeError::TooLarge(_))
        ));
        assert!(matches!(
            tree_hash(3, &store),
            Err(TreeError::Storage(StorageError::NotFound { .. }))
        ));
    }
}
