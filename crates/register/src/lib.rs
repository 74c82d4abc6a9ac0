//! probity-register: a generic transparency log. It knows bytes, not licences.
//!
//! * [`merkle`]: RFC 9162 hashing and proof verification.
//! * [`tlog`]: the stored-hash layout, [`HashReader`], and roots and
//!   inclusion/consistency proofs computed from stored hashes.
//! * [`store`]: [`store::HashStore`], an in-memory store, and the
//!   [`store::TreeBuilder`] that appends leaves.
//! * [`tile`], [`tilereader`], [`bundle`]: C2SP tlog-tiles paths, tiles,
//!   verified reading from tiles, entry bundles.
//! * [`note`], [`checkpoint`], [`cosignature`]: C2SP signed notes,
//!   checkpoints and `cosignature/v1` witness cosignatures.
//! * [`commitment`]: salted commitments for confidential fields.
//! * [`verify`]: full verification of a log from its checkpoint, tiles and bundles.
//! * [`monitor`]: following a log from one checkpoint to the next (consistency, new entries).
//! * [`witness`]: the C2SP tlog-witness `add-checkpoint` protocol, both sides, and k-of-n.
//!
//! ```
//! use probity_register::checkpoint::Checkpoint;
//! use probity_register::merkle::{leaf_hash, verify_consistency, verify_inclusion};
//! use probity_register::note::{sign_note, Ed25519Signer};
//! use probity_register::store::{append_entries, MemoryStore};
//! use probity_register::{prove_consistency, prove_inclusion};
//!
//! // The log appends entries and signs a checkpoint.
//! let mut store = MemoryStore::new();
//! let first = append_entries(&mut store, 0, &["one", "two", "three"])?;
//! let later = append_entries(&mut store, 3, &["four"])?;
//! let log = Ed25519Signer::from_seed("example.com/log", &[7; 32])?;
//! let checkpoint = Checkpoint::new("example.com/log", later.new_size, later.root)?;
//! let signed = sign_note(&checkpoint.to_text(), &[&log])?;
//!
//! // A client opens the checkpoint and checks proofs against it.
//! let (cp, _) = Checkpoint::open(signed.as_bytes(), "example.com/log", &[&log.verifier()])?;
//! let proof = prove_inclusion(cp.size(), 1, &store)?;
//! verify_inclusion(1, cp.size(), &leaf_hash(b"two"), &proof, cp.root())?;
//! let proof = prove_consistency(3, cp.size(), &store)?;
//! verify_consistency(3, cp.size(), &first.root, cp.root(), &proof)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod bundle;
pub mod checkpoint;
pub mod commitment;
pub mod cosignature;
pub mod merkle;
pub mod monitor;
pub mod note;
pub mod store;
pub mod tile;
pub mod tilereader;
pub mod tlog;
pub mod verify;
pub mod witness;

/// The Ed25519 implementation used for keys, re-exported so callers use the
/// same version.
pub use ed25519_dalek;
pub use merkle::{Hash, ProofError};
pub use tlog::{
    prove_consistency, prove_inclusion, tree_hash, HashReader, StorageError, TreeError,
};
