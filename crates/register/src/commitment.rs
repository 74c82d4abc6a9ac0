//! Salted hash commitments for confidential fields.
//!
//! A public record carries `commit(label, salt, value)` instead of a
//! confidential value; whoever holds the [`Opening`] (salt and value) can
//! later prove what was committed to. The 32-byte random salt stops anyone
//! confirming a guessed value; the label binds the commitment to one field so
//! it cannot be replayed as another.

use rand::{CryptoRng, RngCore};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::merkle::Hash;

/// Domain tag that starts every committed message.
pub const COMMITMENT_DOMAIN: &[u8] = b"probity/commitment/v1\n";

/// Salt length in bytes.
pub const SALT_LEN: usize = 32;

/// The commitment to `value` for field `label` under `salt`:
///
/// ```text
/// SHA-256(
///     "probity/commitment/v1\n"          22 bytes, ASCII, fixed
///   ‖ u64_be(len(label)) ‖ label         label as UTF-8
///   ‖ salt                               32 bytes
///   ‖ u64_be(len(value)) ‖ value
/// )
/// ```
///
/// Every variable-length part is length-prefixed, so no two distinct
/// `(label, salt, value)` triples produce the same message.
pub fn commit(label: &str, salt: [u8; SALT_LEN], value: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update(COMMITMENT_DOMAIN);
    h.update((label.len() as u64).to_be_bytes());
    h.update(label.as_bytes());
    h.update(salt);
    h.update((value.len() as u64).to_be_bytes());
    h.update(value);
    h.finalize().into()
}

/// What opens a commitment: the salt and the value. Keep it confidential.
/// Serialises (serde) with both fields as lowercase hex.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Opening {
    #[serde(with = "hex_salt")]
    pub salt: [u8; SALT_LEN],
    #[serde(with = "hex_bytes")]
    pub value: Vec<u8>,
}

impl std::fmt::Debug for Opening {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Openings are confidential: never print them into logs.
        f.write_str("Opening { .. }")
    }
}

impl Opening {
    /// An opening for `value` with a fresh random salt.
    pub fn new<R: RngCore + CryptoRng>(value: impl Into<Vec<u8>>, rng: &mut R) -> Self {
        let mut salt = [0u8; SALT_LEN];
        rng.fill_bytes(&mut salt);
        Opening {
            salt,
            value: value.into(),
        }
    }

    /// The commitment this opening opens, for field `label`.
    pub fn commitment(&self, label: &str) -> Hash {
        commit(label, self.salt, &self.value)
    }

    /// Whether this opening opens `commitment` for field `label`.
    pub fn verify(&self, label: &str, commitment: &Hash) -> bool {
        verify(label, commitment, self)
    }
}

/// Whether `opening` opens `commitment` for field `label`. Compares in
/// constant time.
pub fn verify(label: &str, commitment: &Hash, opening: &Opening) -> bool {
    let computed = opening.commitment(label);
    computed
        .iter()
        .zip(commitment)
        .fold(0u8, |acc, (a, b)| acc | (a ^ b))
        == 0
}

mod hex_bytes {
    use serde::{de::Error as _, Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex::encode(bytes))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        hex::decode(String::deserialize(d)?).map_err(D::Error::custom)
    }
}

mod hex_salt {
    use serde::{de::Error as _, Deserialize, Deserializer, Serializer};

    use super::SALT_LEN;

    pub fn serialize<S: Serializer>(salt: &[u8; SALT_LEN], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex::encode(salt))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<[u8; SALT_LEN], D::Error> {
        let s = String::deserialize(d)?;
        let bytes = hex::decode(&s).map_err(D::Error::custom)?;
        bytes
            .try_into()
            .map_err(|_| D::Error::custom("salt must be 32 bytes"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_is_as_documented() {
        let salt = [7u8; 32];
        let mut msg = COMMITMENT_DOMAIN.to_vec();
        msg.extend_from_slice(&5u64.to_be_bytes());
        msg.extend_from_slice(b"party");
        msg.extend_from_slice(&salt);
        msg.extend_from_slice(&3u64.to_be_bytes());
        msg.extend_from_slice(b"ACM");
        let want: Hash = Sha256::digest(&msg).into();
        assert_eq!(commit("party", salt, b"ACM"), want);
        assert_eq!(COMMITMENT_DOMAIN.len(), 22);
    }

    #[test]
    fn binds_label_salt_and_value() {
        let salt = [1u8; 32];
        let c = commit("exporter", salt, b"ACME Ltd");
        assert_ne!(c, commit("consignee", salt, b"ACME Ltd"));
        assert_ne!(c, commit("exporter", [2u8; 32], b"ACME Ltd"));
        assert_ne!(c, commit("exporter", salt, b"ACME Ltd."));
        // Moving bytes between label and value changes the message.
        assert_ne!(commit("ab", salt, b"c"), commit("a", salt, b"bc"));
    }

    #[test]
    fn opening_verifies_and_serialises() {
        let mut rng = rand::thread_rng();
        let o = Opening::new(b"secret".to_vec(), &mut rng);
        let c = o.commitment("description");
        assert!(o.verify("description", &c));
        assert!(!o.verify("other", &c));
        let mut wrong = o.clone();
        wrong.value.push(b'!');
        assert!(!verify("description", &c, &wrong));
        let json = serde_json::to_string(&o).unwrap();
        assert!(json.contains(&hex::encode(b"secret")));
        let back: Opening = serde_json::from_str(&json).unwrap();
        assert_eq!(back, o);
        assert!(serde_json::from_str::<Opening>(r#"{"salt":"00","value":""}"#).is_err());
        assert_eq!(format!("{o:?}"), "Opening { .. }");
    }
}
