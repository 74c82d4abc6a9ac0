//! Ed25519 note keys and their text forms (C2SP signed-note, Go
//! `golang.org/x/mod/sumdb/note` compatible):
//!
//! * verifier key: `<name>+<hex8 key ID>+<base64(type ‖ public key)>`
//! * signer key: `PRIVATE+KEY+<name>+<hex8 key ID>+<base64(type ‖ seed)>`
//!
//! with key ID = `SHA-256(name ‖ 0x0A ‖ type ‖ public key)[:4]`, big-endian.

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};
use rand::{CryptoRng, RngCore};
use sha2::{Digest, Sha256};
use thiserror::Error;

use super::{NoteError, NoteSigner, NoteVerifier};

/// Signature type byte for plain Ed25519 note signatures.
pub const ALG_ED25519: u8 = 0x01;

const SKEY_PREFIX: &str = "PRIVATE+KEY+";

/// A key or key text form that is not acceptable.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum KeyError {
    #[error(
        "invalid key name {0:?}: must be non-empty, without spaces, '+' or control characters"
    )]
    InvalidName(String),
    #[error("malformed key text: {0}")]
    Malformed(&'static str),
    #[error("key ID {declared:08x} does not match the computed {computed:08x}")]
    KeyIdMismatch { declared: u32, computed: u32 },
    #[error("unsupported signature type 0x{0:02x}")]
    UnsupportedType(u8),
    #[error("invalid Ed25519 public key")]
    BadPublicKey,
}

/// Key names are non-empty and contain no Unicode whitespace and no `+`.
/// Control characters are refused too: a note may not contain them.
pub fn is_valid_key_name(name: &str) -> bool {
    !name.is_empty()
        && !name
            .chars()
            .any(|c| c.is_whitespace() || c == '+' || c.is_control())
}

pub(crate) fn check_name(name: &str) -> Result<(), KeyError> {
    if is_valid_key_name(name) {
        Ok(())
    } else {
        Err(KeyError::InvalidName(name.chars().take(100).collect()))
    }
}

/// `SHA-256(name ‖ 0x0A ‖ sig_type ‖ public_key)[:4]` as a big-endian u32.
pub fn key_id(name: &str, sig_type: u8, public_key: &[u8]) -> u32 {
    let mut h = Sha256::new();
    h.update(name.as_bytes());
    h.update([b'\n', sig_type]);
    h.update(public_key);
    let d = h.finalize();
    u32::from_be_bytes([d[0], d[1], d[2], d[3]])
}

/// Parses `<name>+<hex8>+<base64>` and checks the key ID. Returns the name,
/// key ID and the decoded key data (type byte first).
pub(crate) fn parse_key_text(text: &str) -> Result<(String, u32, Vec<u8>), KeyError> {
    // The base64 part may itself contain '+', so split twice only.
    let mut parts = text.splitn(3, '+');
    let (Some(name), Some(id_hex), Some(data_b64)) = (parts.next(), parts.next(), parts.next())
    else {
        return Err(KeyError::Malformed("want <name>+<key id>+<key data>"));
    };
    check_name(name)?;
    if id_hex.len() != 8 || !id_hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(KeyError::Malformed("key ID must be 8 hex digits"));
    }
    let declared =
        u32::from_str_radix(id_hex, 16).map_err(|_| KeyError::Malformed("key ID is not hex"))?;
    let data = B64
        .decode(data_b64)
        .map_err(|_| KeyError::Malformed("key data is not canonical base64"))?;
    if data.is_empty() {
        return Err(KeyError::Malformed("key data is empty"));
    }
    Ok((name.to_owned(), declared, data))
}

/// Text form `<name>+<hex8 id>+<base64(data)>`.
pub(crate) fn format_key_text(name: &str, id: u32, data: &[u8]) -> String {
    format!("{name}+{id:08x}+{}", B64.encode(data))
}

/// Parses a verifier key whose data is `sig_type ‖ 32-byte Ed25519 key`,
/// checking the declared key ID.
pub(crate) fn parse_ed25519_vkey(
    vkey: &str,
    sig_type: u8,
) -> Result<(String, u32, VerifyingKey), KeyError> {
    let (name, declared, data) = parse_key_text(vkey)?;
    if data[0] != sig_type {
        return Err(KeyError::UnsupportedType(data[0]));
    }
    let computed = key_id(&name, sig_type, &data[1..]);
    if computed != declared {
        return Err(KeyError::KeyIdMismatch { declared, computed });
    }
    let bytes: [u8; 32] = data[1..]
        .try_into()
        .map_err(|_| KeyError::Malformed("Ed25519 public key must be 32 bytes"))?;
    let key = VerifyingKey::from_bytes(&bytes).map_err(|_| KeyError::BadPublicKey)?;
    Ok((name, declared, key))
}

/// Verifies plain Ed25519 note signatures (type 0x01).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ed25519Verifier {
    name: String,
    key_id: u32,
    key: VerifyingKey,
}

impl Ed25519Verifier {
    pub fn new(name: &str, key: VerifyingKey) -> Result<Self, KeyError> {
        check_name(name)?;
        Ok(Ed25519Verifier {
            name: name.to_owned(),
            key_id: key_id(name, ALG_ED25519, key.as_bytes()),
            key,
        })
    }

    /// Parses `<name>+<hex8 id>+<base64(0x01 ‖ public key)>`.
    pub fn from_vkey(vkey: &str) -> Result<Self, KeyError> {
        let (name, key_id, key) = parse_ed25519_vkey(vkey, ALG_ED25519)?;
        Ok(Ed25519Verifier { name, key_id, key })
    }

    /// The verifier key text form.
    pub fn vkey(&self) -> String {
        let mut data = vec![ALG_ED25519];
        data.extend_from_slice(self.key.as_bytes());
        format_key_text(&self.name, self.key_id, &data)
    }

    pub fn public_key(&self) -> &VerifyingKey {
        &self.key
    }
}

impl NoteVerifier for Ed25519Verifier {
    fn name(&self) -> &str {
        &self.name
    }

    fn key_id(&self) -> u32 {
        self.key_id
    }

    fn verify(&self, msg: &[u8], sig: &[u8]) -> bool {
        let Ok(sig) = Signature::from_slice(sig) else {
            return false;
        };
        // Strict verification refuses malleable signatures and weak keys;
        // honest signers never produce either.
        self.key.verify_strict(msg, &sig).is_ok()
    }
}

/// Signs notes with Ed25519 (type 0x01). Debug output never shows the key.
#[derive(Clone)]
pub struct Ed25519Signer {
    name: String,
    key_id: u32,
    key: SigningKey,
}

impl std::fmt::Debug for Ed25519Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ed25519Signer")
            .field("name", &self.name)
            .field("key_id", &format_args!("{:08x}", self.key_id))
            .finish_non_exhaustive()
    }
}

impl Ed25519Signer {
    pub fn new(name: &str, key: SigningKey) -> Result<Self, KeyError> {
        check_name(name)?;
        Ok(Ed25519Signer {
            name: name.to_owned(),
            key_id: key_id(name, ALG_ED25519, key.verifying_key().as_bytes()),
            key,
        })
    }

    /// A signer from a 32-byte Ed25519 seed (the private key).
    pub fn from_seed(name: &str, seed: &[u8; 32]) -> Result<Self, KeyError> {
        Self::new(name, SigningKey::from_bytes(seed))
    }

    /// A fresh random key.
    pub fn generate<R: RngCore + CryptoRng>(name: &str, rng: &mut R) -> Result<Self, KeyError> {
        let mut seed = [0u8; 32];
        rng.fill_bytes(&mut seed);
        Self::new(name, SigningKey::from_bytes(&seed))
    }

    /// Parses `PRIVATE+KEY+<name>+<hex8 id>+<base64(0x01 ‖ seed)>`; the key ID
    /// must match the public key derived from the seed.
    pub fn from_skey(skey: &str) -> Result<Self, KeyError> {
        let rest = skey.strip_prefix(SKEY_PREFIX).ok_or(KeyError::Malformed(
            "signer key must start with PRIVATE+KEY+",
        ))?;
        let (name, declared, data) = parse_key_text(rest)?;
        if data[0] != ALG_ED25519 {
            return Err(KeyError::UnsupportedType(data[0]));
        }
        let seed: [u8; 32] = data[1..]
            .try_into()
            .map_err(|_| KeyError::Malformed("Ed25519 seed must be 32 bytes"))?;
        let signer = Self::new(&name, SigningKey::from_bytes(&seed))?;
        if signer.key_id != declared {
            return Err(KeyError::KeyIdMismatch {
                declared,
                computed: signer.key_id,
            });
        }
        Ok(signer)
    }

    /// The signer key text form. This is secret material.
    pub fn skey(&self) -> String {
        let mut data = vec![ALG_ED25519];
        data.extend_from_slice(self.key.as_bytes());
        format!(
            "{SKEY_PREFIX}{}",
            format_key_text(&self.name, self.key_id, &data)
        )
    }

    pub fn verifier(&self) -> Ed25519Verifier {
        Ed25519Verifier {
            name: self.name.clone(),
            key_id: self.key_id,
            key: self.key.verifying_key(),
        }
    }
}

impl NoteSigner for Ed25519Signer {
    fn name(&self) -> &str {
        &self.name
    }

    fn key_id(&self) -> u32 {
        self.key_id
    }

    fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, NoteError> {
        Ok(self.key.sign(msg).to_bytes().to_vec())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // The example key pair from the Go sumdb/note documentation and tests.
    pub(crate) const PETER_VKEY: &str =
        "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
    pub(crate) const PETER_SKEY: &str =
        "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";

    #[test]
    fn known_keys_parse_and_round_trip() {
        let v = Ed25519Verifier::from_vkey(PETER_VKEY).unwrap();
        assert_eq!(v.key_id(), 0xc74f20a3);
        assert_eq!(v.vkey(), PETER_VKEY);
        let s = Ed25519Signer::from_skey(PETER_SKEY).unwrap();
        assert_eq!(s.skey(), PETER_SKEY);
        assert_eq!(s.verifier(), v);
        assert!(!format!("{s:?}").contains("AYEK"));
    }

    #[test]
    fn mangled_keys_are_refused() {
        // Every proper substring of the key must fail, as in Go's tests.
        let b = PETER_VKEY;
        for i in 0..=b.len() {
            for j in i + 1..=b.len() {
                if (i, j) == (0, b.len()) || !b.is_char_boundary(i) || !b.is_char_boundary(j) {
                    continue;
                }
                let k = format!("{}{}", &b[..i], &b[j..]);
                assert!(Ed25519Verifier::from_vkey(&k).is_err(), "accepted {k:?}");
            }
        }
        for bad in [
            "PeterNeumann+c74f20a3+AhpC2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
            "Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
            "PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
            "PeterNeumann+0xc74f20a+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        ] {
            assert!(Ed25519Verifier::from_vkey(bad).is_err(), "accepted {bad:?}");
        }
        assert!(Ed25519Signer::from_skey(PETER_VKEY).is_err());
        assert!(Ed25519Signer::from_skey(
            "PRIVATE+KEY+PeterNeumann+c74f20a4+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
        )
        .is_err());
    }

    #[test]
    fn names() {
        for ok in ["a", "example.com/log", "ünïcode/ok"] {
            assert!(is_valid_key_name(ok));
        }
        for bad in [
            "",
            "a b",
            "a+b",
            "a\tb",
            "a\u{00a0}b",
            "a\u{2003}b",
            "a\u{1}b",
        ] {
            assert!(!is_valid_key_name(bad), "{bad:?}");
        }
    }
}
