//! RFC 9162 §2.1 Merkle tree hashing and proof verification.
//!
//! Hashes are SHA-256 with the RFC 6962 domain separation: leaves are hashed
//! as `SHA-256(0x00 ‖ entry)`, interior nodes as `SHA-256(0x01 ‖ left ‖ right)`.
//! Proof generation from stored hashes lives in [`crate::tlog`].

use sha2::{Digest, Sha256};
use thiserror::Error;

/// Size in bytes of every hash in the tree.
pub const HASH_SIZE: usize = 32;

/// A SHA-256 Merkle tree hash.
pub type Hash = [u8; HASH_SIZE];

/// Why a proof was rejected. Verification never panics; every malformed
/// input maps to one of these.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ProofError {
    #[error("leaf index {index} is not below tree size {size}")]
    IndexOutOfRange { index: u64, size: u64 },
    #[error("first tree size {size1} is greater than second tree size {size2}")]
    SizeDecrease { size1: u64, size2: u64 },
    #[error("a consistency proof from the empty tree proves nothing")]
    EmptyFirstTree,
    #[error("equal tree sizes need an empty proof, got {len} hashes")]
    NonEmptyProof { len: usize },
    #[error("the consistency proof is empty")]
    EmptyProof,
    #[error("a hash has {len} bytes, want {HASH_SIZE}")]
    WrongHashLength { len: usize },
    #[error("the proof has more hashes than the tree sizes allow")]
    ProofTooLong,
    #[error("the proof has fewer hashes than the tree sizes need")]
    ProofTooShort,
    #[error("the computed root does not match the expected root")]
    RootMismatch,
    #[error("the computed first root does not match the expected first root")]
    FirstRootMismatch,
    #[error("the computed second root does not match the expected second root")]
    SecondRootMismatch,
}

/// `SHA-256(0x00 ‖ entry)`: the hash of one log entry.
pub fn leaf_hash(entry: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update([0x00]);
    h.update(entry);
    h.finalize().into()
}

/// `SHA-256(0x01 ‖ left ‖ right)`: the hash of an interior node.
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([0x01]);
    h.update(left);
    h.update(right);
    h.finalize().into()
}

/// The root of the empty tree: `SHA-256("")`.
pub fn empty_root() -> Hash {
    Sha256::digest([]).into()
}

/// Largest power of two strictly less than `n`; `n` must be at least 2.
pub(crate) fn split_point(n: u64) -> u64 {
    debug_assert!(n >= 2);
    1u64 << (63 - (n - 1).leading_zeros())
}

/// `MTH(D[n])` computed from the leaf hashes, following RFC 9162 §2.1.1.
pub fn root_from_leaf_hashes(leaves: &[Hash]) -> Hash {
    match leaves.len() {
        0 => empty_root(),
        1 => leaves[0],
        n => {
            // usize -> u64 is lossless on every supported target.
            let k = split_point(n as u64) as usize;
            node_hash(
                &root_from_leaf_hashes(&leaves[..k]),
                &root_from_leaf_hashes(&leaves[k..]),
            )
        }
    }
}

fn to_hash(bytes: &[u8]) -> Result<Hash, ProofError> {
    bytes
        .try_into()
        .map_err(|_| ProofError::WrongHashLength { len: bytes.len() })
}

/// Recomputes the root implied by an inclusion proof (RFC 9162 §2.1.3.2,
/// steps 1–5 without the final comparison).
pub fn root_from_inclusion_proof<P: AsRef<[u8]>>(
    leaf_index: u64,
    tree_size: u64,
    leaf_hash: &[u8],
    proof: &[P],
) -> Result<Hash, ProofError> {
    if leaf_index >= tree_size {
        return Err(ProofError::IndexOutOfRange {
            index: leaf_index,
            size: tree_size,
        });
    }
    let mut r = to_hash(leaf_hash)?;
    let mut f = leaf_index;
    let mut s = tree_size - 1;
    for p in proof {
        let p = to_hash(p.as_ref())?;
        if s == 0 {
            return Err(ProofError::ProofTooLong);
        }
        if f & 1 == 1 || f == s {
            r = node_hash(&p, &r);
            // Skip the levels where this node has no right sibling.
            while f & 1 == 0 && f != 0 {
                f >>= 1;
                s >>= 1;
            }
        } else {
            r = node_hash(&r, &p);
        }
        f >>= 1;
        s >>= 1;
    }
    if s != 0 {
        return Err(ProofError::ProofTooShort);
    }
    Ok(r)
}

/// Verifies that `leaf_hash` is the leaf at `leaf_index` in the tree of
/// `tree_size` leaves whose root is `root` (RFC 9162 §2.1.3.2).
///
/// Hashes are taken as byte slices so that untrusted wire input of the wrong
/// length is rejected with [`ProofError::WrongHashLength`] rather than being
/// impossible to express.
pub fn verify_inclusion<P: AsRef<[u8]>>(
    leaf_index: u64,
    tree_size: u64,
    leaf_hash: &[u8],
    proof: &[P],
    root: &[u8],
) -> Result<(), ProofError> {
    let computed = root_from_inclusion_proof(leaf_index, tree_size, leaf_hash, proof)?;
    if computed[..] != *root {
        return Err(ProofError::RootMismatch);
    }
    Ok(())
}

/// Verifies that the tree of `size2` leaves with root `root2` extends the
/// tree of `size1` leaves with root `root1` (RFC 9162 §2.1.4.2).
///
/// Edge cases, matching RFC 9162 (which defines proofs for `0 < size1 < size2`)
/// and the transparency-dev test vectors:
/// * `size1 > size2` and `size1 == 0` are errors (nothing is proved);
/// * `size1 == size2` needs an empty proof and byte-identical roots.
pub fn verify_consistency<P: AsRef<[u8]>>(
    size1: u64,
    size2: u64,
    root1: &[u8],
    root2: &[u8],
    proof: &[P],
) -> Result<(), ProofError> {
    if size1 > size2 {
        return Err(ProofError::SizeDecrease { size1, size2 });
    }
    if size1 == 0 {
        return Err(ProofError::EmptyFirstTree);
    }
    if size1 == size2 {
        if !proof.is_empty() {
            return Err(ProofError::NonEmptyProof { len: proof.len() });
        }
        if root1 != root2 {
            return Err(ProofError::RootMismatch);
        }
        return Ok(());
    }
    // Step 1.
    if proof.is_empty() {
        return Err(ProofError::EmptyProof);
    }
    let first_hash = to_hash(root1)?;
    let second_hash = to_hash(root2)?;
    let mut path = Vec::with_capacity(proof.len() + 1);
    // Step 2: when size1 is a power of two its root is a node of the new tree,
    // so the prover leaves it out.
    if size1.is_power_of_two() {
        path.push(first_hash);
    }
    for p in proof {
        path.push(to_hash(p.as_ref())?);
    }
    // Steps 3 and 4.
    let mut f = size1 - 1;
    let mut s = size2 - 1;
    while f & 1 == 1 {
        f >>= 1;
        s >>= 1;
    }
    // Step 5.
    let mut fr = path[0];
    let mut sr = path[0];
    // Step 6.
    for c in &path[1..] {
        if s == 0 {
            return Err(ProofError::ProofTooLong);
        }
        if f & 1 == 1 || f == s {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            while f & 1 == 0 && f != 0 {
                f >>= 1;
                s >>= 1;
            }
        } else {
            sr = node_hash(&sr, c);
        }
        f >>= 1;
        s >>= 1;
    }
    // Step 7.
    if s != 0 {
        return Err(ProofError::ProofTooShort);
    }
    if fr != first_hash {
        return Err(ProofError::FirstRootMismatch);
    }
    if sr != second_hash {
        return Err(ProofError::SecondRootMismatch);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_root_is_sha256_of_nothing() {
        assert_eq!(
            hex::encode(empty_root()),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn leaf_hash_of_empty_entry_matches_rfc6962_vector() {
        // RFC 6962 test vector: the hash of the empty leaf.
        assert_eq!(
            hex::encode(leaf_hash(b"")),
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"
        );
    }

    #[test]
    fn split_point_is_largest_power_below() {
        assert_eq!(split_point(2), 1);
        assert_eq!(split_point(3), 2);
        assert_eq!(split_point(4), 2);
        assert_eq!(split_point(5), 4);
        assert_eq!(split_point(u64::MAX), 1 << 63);
    }

    #[test]
    fn single_leaf_tree_root_is_the_leaf() {
        let l = leaf_hash(b"a");
        assert_eq!(root_from_leaf_hashes(&[l]), l);
        let empty: [Hash; 0] = [];
        assert_eq!(verify_inclusion(0, 1, &l, &empty, &l), Ok(()));
    }

    #[test]
    fn garbage_never_panics() {
        let h = [7u8; 32];
        for size in [0u64, 1, 2, 3, u64::MAX] {
            for idx in [0u64, 1, size.wrapping_sub(1), u64::MAX] {
                let _ = verify_inclusion(idx, size, &h, &[h; 70], &h);
                let _ = verify_consistency(idx, size, &h, &h, &[h; 70]);
                let _ = verify_consistency(idx, size, &h[..3], &h, &[&h[..5]]);
            }
        }
    }
}
