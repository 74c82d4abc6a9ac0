//! Salted SHA-256 commitments to the confidential facts of a decision, and openings of them.
//! The same construction as `probity_register::commitment` (a test in the service crate checks
//! that both agree byte for byte); the domain does not depend on the register crate.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::register_entry::RegisterEntry;

/// Domain tag that starts every committed message (the same as `probity_register::commitment`).
pub const COMMITMENT_DOMAIN: &[u8] = b"probity/commitment/v1\n";
/// Salt length in bytes.
pub const SALT_LEN: usize = 32;
/// A 32-byte SHA-256 commitment.
pub type Commitment = [u8; 32];

/// `SHA-256("probity/commitment/v1\n" ‖ u64(len label) ‖ label ‖ salt ‖ u64(len value) ‖ value)`.
pub fn commit(label: &str, salt: &[u8; SALT_LEN], value: &[u8]) -> Commitment {
    let mut h = Sha256::new();
    h.update(COMMITMENT_DOMAIN);
    h.update((label.len() as u64).to_be_bytes());
    h.update(label.as_bytes());
    h.update(salt);
    h.update((value.len() as u64).to_be_bytes());
    h.update(value);
    h.finalize().into()
}

/// A confidential field of a decision, in encoding order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConfidentialField {
    Exporter,
    Consignee,
    EndUser,
    GoodsDescription,
    Quantity,
}

impl ConfidentialField {
    pub const ALL: [ConfidentialField; 5] = [
        Self::Exporter,
        Self::Consignee,
        Self::EndUser,
        Self::GoodsDescription,
        Self::Quantity,
    ];

    /// The label bound into the commitment (and the field's name in openings).
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Exporter => "exporter",
            Self::Consignee => "consignee",
            Self::EndUser => "end_user",
            Self::GoodsDescription => "goods_description",
            Self::Quantity => "quantity",
        }
    }

    const fn position(self) -> usize {
        self as usize
    }
}
crate::case::str_enum!(ConfidentialField, "confidential field");

/// The confidential facts of one decision. Each field's committed value is UTF-8: the
/// exporter's name as is; every other field a compact JSON array of strings (one per party or
/// goods line, in application order; quantities as `"<quantity> <unit>"`).
#[derive(Clone, PartialEq, Eq, Default)]
pub struct ConfidentialValues {
    pub exporter: String,
    pub consignees: Vec<String>,
    pub end_users: Vec<String>,
    pub goods_descriptions: Vec<String>,
    pub quantities: Vec<String>,
}

impl std::fmt::Debug for ConfidentialValues {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Confidential: never printed into logs.
        f.write_str("ConfidentialValues { .. }")
    }
}

impl ConfidentialValues {
    /// The committed value of `field`.
    pub fn value(&self, field: ConfidentialField) -> String {
        let list = |v: &Vec<String>| serde_json::to_string(v).unwrap_or_else(|_| "[]".into());
        match field {
            ConfidentialField::Exporter => self.exporter.clone(),
            ConfidentialField::Consignee => list(&self.consignees),
            ConfidentialField::EndUser => list(&self.end_users),
            ConfidentialField::GoodsDescription => list(&self.goods_descriptions),
            ConfidentialField::Quantity => list(&self.quantities),
        }
    }
}

/// One salt per confidential field, in [`ConfidentialField::ALL`] order.
#[derive(Clone, PartialEq, Eq)]
pub struct FieldSalts(pub [[u8; SALT_LEN]; 5]);

impl std::fmt::Debug for FieldSalts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FieldSalts { .. }")
    }
}

impl FieldSalts {
    pub fn get(&self, field: ConfidentialField) -> &[u8; SALT_LEN] {
        &self.0[field.position()]
    }
}

/// The five commitments of an entry, in [`ConfidentialField::ALL`] order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Commitments(pub [Commitment; 5]);

impl Commitments {
    pub fn get(&self, field: ConfidentialField) -> &Commitment {
        &self.0[field.position()]
    }
}

/// What opens one commitment of one entry: anyone holding it can check it against the
/// published entry. Confidential: give it only to someone entitled to the value.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntryOpening {
    /// The entry's index in the register.
    pub register_index: u64,
    pub field: ConfidentialField,
    /// The salt, 64 lowercase hex digits.
    pub salt: String,
    /// The committed value (see [`ConfidentialValues`]).
    pub value: String,
}

impl std::fmt::Debug for EntryOpening {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EntryOpening")
            .field("register_index", &self.register_index)
            .field("field", &self.field)
            .finish_non_exhaustive()
    }
}

impl EntryOpening {
    /// Whether this opening opens the matching commitment of `entry`.
    pub fn opens(&self, entry: &RegisterEntry) -> bool {
        let Some(salt) = parse_salt(&self.salt) else {
            return false;
        };
        let computed = commit(self.field.as_str(), &salt, self.value.as_bytes());
        let want = entry.commitments.get(self.field);
        // Constant time: the comparison does not leak how much matched.
        computed
            .iter()
            .zip(want)
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
    }
}

/// Parses 64 hex digits into a salt.
pub fn parse_salt(hex: &str) -> Option<[u8; SALT_LEN]> {
    let b = hex.as_bytes();
    if b.len() != 2 * SALT_LEN {
        return None;
    }
    let nibble = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
    let mut out = [0u8; SALT_LEN];
    for (i, pair) in b.chunks_exact(2).enumerate() {
        out[i] = (nibble(pair[0])? << 4) | nibble(pair[1])?;
    }
    Some(out)
}

/// Lowercase hex of a salt.
pub fn salt_hex(salt: &[u8; SALT_LEN]) -> String {
    // Written out rather than `format!` per byte: the sequencer hexes five salts per entry.
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(2 * SALT_LEN);
    for b in salt {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    out
}
