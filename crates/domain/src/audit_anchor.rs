//! The audit anchor: a register entry that publishes the internal audit chain's length and
//! head hash, so that deleting the newest audit events, or editing one and re-hashing every
//! later event, contradicts something the operator can no longer change. It carries nothing
//! about any event (no actor, no action, no detail): only how many events the chain had and
//! the hash of the last one. docs/register-format.md §3 documents every byte.
//!
//! Layout (version 1), all integers big-endian:
//!
//! ```text
//! "probity/audit-anchor/v1\n"   24 bytes
//! anchored_at     i64           when the sequencer read the chain: Unix time in µs, UTC
//! chain_length    u64           number of audit events, 1 ..= i64::MAX
//! chain_head      32 bytes      the hash of event number `chain_length`
//! ```
//!
//! Decoding is strict (label, exact length, ranges) and never panics; every anchor has exactly
//! one encoding, since every field has a fixed width.

use std::fmt;
use std::str::FromStr;

use time::OffsetDateTime;

use crate::commitment::{parse_salt, salt_hex};
use crate::register_entry::{truncate_to_micros, EntryError};

/// The label every version-1 anchor starts with.
pub const ANCHOR_LABEL: &[u8] = b"probity/audit-anchor/v1\n";
/// Every anchor is exactly this long: label, time, length, head.
pub const ANCHOR_LEN: usize = 24 + 8 + 8 + 32;

/// The hash of one audit event (SHA-256; written as 64 lowercase hex digits).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ChainHash(pub [u8; 32]);

impl ChainHash {
    /// The first eight hex digits and an ellipsis, for sentences.
    pub fn short(&self) -> String {
        format!("{}…", &self.to_string()[..8])
    }
}

impl fmt::Display for ChainHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&salt_hex(&self.0))
    }
}

impl fmt::Debug for ChainHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ChainHash({self})")
    }
}

/// Text that is not 64 lowercase hex digits.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("an audit hash is 64 lowercase hex digits")]
pub struct BadChainHash;

impl FromStr for ChainHash {
    type Err = BadChainHash;

    fn from_str(s: &str) -> Result<ChainHash, BadChainHash> {
        // Lowercase only, as the chain writes it, so a hash has one spelling.
        if s.bytes().any(|b| b.is_ascii_uppercase()) {
            return Err(BadChainHash);
        }
        parse_salt(s).map(ChainHash).ok_or(BadChainHash)
    }
}

/// One published statement "the audit chain had `length` events, the last hashing to `head`".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuditAnchor {
    /// When the sequencer read the chain (whole microseconds, UTC).
    pub anchored_at: OffsetDateTime,
    /// Number of events in the chain (event numbers run from 1 to `length`).
    pub length: u64,
    /// The hash of event number `length`.
    pub head: ChainHash,
}

/// The largest chain length an anchor may state: event numbers are stored as `i64`.
const MAX_LENGTH: u64 = i64::MAX as u64;

impl AuditAnchor {
    /// The anchor of a chain of `length` events ending in `head`, read at `at` (truncated to
    /// whole microseconds, the encoding's resolution).
    pub fn new(at: OffsetDateTime, length: u64, head: ChainHash) -> AuditAnchor {
        AuditAnchor {
            anchored_at: truncate_to_micros(at),
            length,
            head,
        }
    }

    /// The anchor's bytes. Fails if the length is 0 or past `i64::MAX` (no such chain is
    /// anchored).
    pub fn encode(&self) -> Result<Vec<u8>, EntryError> {
        check_length(self.length)?;
        let mut out = Vec::with_capacity(ANCHOR_LEN);
        out.extend_from_slice(ANCHOR_LABEL);
        out.extend_from_slice(&micros(self.anchored_at)?.to_be_bytes());
        out.extend_from_slice(&self.length.to_be_bytes());
        out.extend_from_slice(&self.head.0);
        Ok(out)
    }

    /// Strictly decodes an anchor (see the module docs). Never panics.
    pub fn decode(bytes: &[u8]) -> Result<AuditAnchor, EntryError> {
        if !bytes.starts_with(ANCHOR_LABEL) {
            return Err(if bytes.len() < ANCHOR_LABEL.len() {
                EntryError::Truncated {
                    field: "label",
                    at: 0,
                }
            } else {
                EntryError::BadLabel {
                    want: "probity/audit-anchor/v1\\n",
                }
            });
        }
        let field = |name: &'static str, at: usize, len: usize| {
            bytes
                .get(at..at + len)
                .ok_or(EntryError::Truncated { field: name, at })
        };
        let mut at = ANCHOR_LABEL.len();
        let time = field("anchored_at", at, 8)?;
        at += 8;
        let length = field("chain_length", at, 8)?;
        at += 8;
        let head = field("chain_head", at, 32)?;
        at += 32;
        if bytes.len() > at {
            return Err(EntryError::TrailingBytes {
                count: bytes.len() - at,
            });
        }
        let micros = i64::from_be_bytes(time.try_into().unwrap_or_default());
        let anchored_at = OffsetDateTime::from_unix_timestamp_nanos(i128::from(micros) * 1000)
            .map_err(|e| EntryError::Invalid {
                field: "anchored_at",
                reason: e.to_string(),
            })?;
        let length = u64::from_be_bytes(length.try_into().unwrap_or_default());
        check_length(length)?;
        let mut h = [0u8; 32];
        h.copy_from_slice(head);
        Ok(AuditAnchor {
            anchored_at,
            length,
            head: ChainHash(h),
        })
    }
}

fn check_length(length: u64) -> Result<(), EntryError> {
    if length == 0 {
        return Err(EntryError::Invalid {
            field: "chain_length",
            reason: "an anchor covers at least one event".into(),
        });
    }
    if length > MAX_LENGTH {
        return Err(EntryError::Invalid {
            field: "chain_length",
            reason: format!("{length} is past the largest event number, {MAX_LENGTH}"),
        });
    }
    Ok(())
}

fn micros(t: OffsetDateTime) -> Result<i64, EntryError> {
    i64::try_from(t.unix_timestamp_nanos().div_euclid(1000)).map_err(|_| EntryError::Invalid {
        field: "anchored_at",
        reason: "out of range".into(),
    })
}

#[cfg(test)]
#[path = "audit_anchor_tests.rs"]
mod tests;
