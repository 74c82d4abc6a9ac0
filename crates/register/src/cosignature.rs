//! Ed25519 witness cosignatures per C2SP tlog-cosignature (`cosignature/v1`).
//!
//! A cosignature is a note signature line whose key ID uses type byte 0x04,
//! `SHA-256(name ‖ 0x0A ‖ 0x04 ‖ public key)[:4]`, and whose signature bytes
//! are `timestamp (u64, big-endian) ‖ Ed25519 signature (64 bytes)` over
//!
//! ```text
//! cosignature/v1
//! time <timestamp, decimal, no leading zeros>
//! <the whole checkpoint note text, final newline included>
//! ```
//!
//! The signed message does not include the cosigner's name, so one key must
//! serve only one cosigner name.

use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};
use rand::{CryptoRng, RngCore};
use thiserror::Error;

use crate::checkpoint::{Checkpoint, CheckpointError};
use crate::note::{
    check_name, format_key_text, key_id, parse_ed25519_vkey, KeyError, NoteError, NoteSignature,
    NoteSigner, NoteVerifier,
};

/// Signature type byte for timestamped Ed25519 cosignatures.
pub const ALG_COSIGNATURE_V1: u8 = 0x04;

/// Largest timestamp allowed (2^63 − 1).
pub const MAX_TIMESTAMP: u64 = i64::MAX as u64;

/// Length of the signature bytes after the key ID.
pub const COSIGNATURE_LEN: usize = 8 + 64;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CosignatureError {
    #[error("cosignature has {0} bytes, want {COSIGNATURE_LEN}")]
    WrongLength(usize),
    #[error("timestamp {0} exceeds 2^63-1")]
    TimestampTooLarge(u64),
    #[error("cosignature does not verify")]
    BadSignature,
    #[error(transparent)]
    Key(#[from] KeyError),
    #[error("not a checkpoint: {0}")]
    NotCheckpoint(#[from] CheckpointError),
}

/// The message a `cosignature/v1` signature covers.
pub fn cosigned_message(note_text: &[u8], timestamp: u64) -> Vec<u8> {
    let mut msg = format!("cosignature/v1\ntime {timestamp}\n").into_bytes();
    msg.extend_from_slice(note_text);
    msg
}

/// The timestamp in a cosignature's signature bytes, if well-formed.
pub fn cosignature_timestamp(sig: &NoteSignature) -> Option<u64> {
    if sig.signature.len() != COSIGNATURE_LEN {
        return None;
    }
    let ts = u64::from_be_bytes(sig.signature[..8].try_into().ok()?);
    (ts <= MAX_TIMESTAMP).then_some(ts)
}

/// Verifies `cosignature/v1` signatures by one cosigner key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CosignatureVerifier {
    name: String,
    key_id: u32,
    key: VerifyingKey,
}

impl CosignatureVerifier {
    pub fn new(name: &str, key: VerifyingKey) -> Result<Self, KeyError> {
        check_name(name)?;
        Ok(CosignatureVerifier {
            name: name.to_owned(),
            key_id: key_id(name, ALG_COSIGNATURE_V1, key.as_bytes()),
            key,
        })
    }

    /// Parses `<name>+<hex8 id>+<base64(0x04 ‖ public key)>`.
    pub fn from_vkey(vkey: &str) -> Result<Self, KeyError> {
        let (name, key_id, key) = parse_ed25519_vkey(vkey, ALG_COSIGNATURE_V1)?;
        Ok(CosignatureVerifier { name, key_id, key })
    }

    pub fn vkey(&self) -> String {
        let mut data = vec![ALG_COSIGNATURE_V1];
        data.extend_from_slice(self.key.as_bytes());
        format_key_text(&self.name, self.key_id, &data)
    }

    /// Verifies `sig` (timestamp ‖ signature) over `note_text`; returns the
    /// timestamp. Whether the timestamp is acceptable (e.g. not in the
    /// future) is the caller's policy.
    pub fn verify_cosignature(
        &self,
        note_text: &[u8],
        sig: &[u8],
    ) -> Result<u64, CosignatureError> {
        if sig.len() != COSIGNATURE_LEN {
            return Err(CosignatureError::WrongLength(sig.len()));
        }
        let (ts, ed) = sig.split_at(8);
        let ts = u64::from_be_bytes(
            ts.try_into()
                .map_err(|_| CosignatureError::WrongLength(0))?,
        );
        if ts > MAX_TIMESTAMP {
            return Err(CosignatureError::TimestampTooLarge(ts));
        }
        let ed = Signature::from_slice(ed).map_err(|_| CosignatureError::BadSignature)?;
        self.key
            .verify_strict(&cosigned_message(note_text, ts), &ed)
            .map_err(|_| CosignatureError::BadSignature)?;
        Ok(ts)
    }
}

impl NoteVerifier for CosignatureVerifier {
    fn name(&self) -> &str {
        &self.name
    }

    fn key_id(&self) -> u32 {
        self.key_id
    }

    fn verify(&self, msg: &[u8], sig: &[u8]) -> bool {
        self.verify_cosignature(msg, sig).is_ok()
    }
}

/// A witness's cosigning key. Debug output never shows the key.
#[derive(Clone)]
pub struct Cosigner {
    name: String,
    key_id: u32,
    key: SigningKey,
}

impl std::fmt::Debug for Cosigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cosigner")
            .field("name", &self.name)
            .field("key_id", &format_args!("{:08x}", self.key_id))
            .finish_non_exhaustive()
    }
}

impl Cosigner {
    pub fn new(name: &str, key: SigningKey) -> Result<Self, KeyError> {
        check_name(name)?;
        Ok(Cosigner {
            name: name.to_owned(),
            key_id: key_id(name, ALG_COSIGNATURE_V1, key.verifying_key().as_bytes()),
            key,
        })
    }

    /// A signer from a 32-byte Ed25519 seed (the private key).
    pub fn from_seed(name: &str, seed: &[u8; 32]) -> Result<Self, KeyError> {
        Self::new(name, SigningKey::from_bytes(seed))
    }

    pub fn generate<R: RngCore + CryptoRng>(name: &str, rng: &mut R) -> Result<Self, KeyError> {
        let mut seed = [0u8; 32];
        rng.fill_bytes(&mut seed);
        Self::new(name, SigningKey::from_bytes(&seed))
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn key_id(&self) -> u32 {
        self.key_id
    }

    pub fn verifier(&self) -> CosignatureVerifier {
        CosignatureVerifier {
            name: self.name.clone(),
            key_id: self.key_id,
            key: self.key.verifying_key(),
        }
    }

    /// Cosigns checkpoint note text at `timestamp`. The text must parse as
    /// a checkpoint: v1 cosignatures are statements about checkpoints.
    pub fn cosign(
        &self,
        checkpoint_text: &str,
        timestamp: u64,
    ) -> Result<NoteSignature, CosignatureError> {
        Checkpoint::parse(checkpoint_text)?;
        let signature = self.sign_at(checkpoint_text.as_bytes(), timestamp)?;
        Ok(NoteSignature {
            name: self.name.clone(),
            key_id: self.key_id,
            signature,
        })
    }

    fn sign_at(&self, text: &[u8], timestamp: u64) -> Result<Vec<u8>, CosignatureError> {
        if timestamp > MAX_TIMESTAMP {
            return Err(CosignatureError::TimestampTooLarge(timestamp));
        }
        let mut out = timestamp.to_be_bytes().to_vec();
        out.extend_from_slice(&self.key.sign(&cosigned_message(text, timestamp)).to_bytes());
        Ok(out)
    }

    /// This cosigner as a [`NoteSigner`] stamping `timestamp`.
    pub fn at(&self, timestamp: u64) -> TimestampedCosigner<'_> {
        TimestampedCosigner {
            cosigner: self,
            timestamp,
        }
    }
}

/// A [`Cosigner`] with a fixed timestamp, usable with [`crate::note::sign_note`].
#[derive(Debug, Clone, Copy)]
pub struct TimestampedCosigner<'a> {
    cosigner: &'a Cosigner,
    timestamp: u64,
}

impl NoteSigner for TimestampedCosigner<'_> {
    fn name(&self) -> &str {
        &self.cosigner.name
    }

    fn key_id(&self) -> u32 {
        self.cosigner.key_id
    }

    fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, NoteError> {
        self.cosigner
            .sign_at(msg, self.timestamp)
            .map_err(|e| NoteError::Signing(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::note::{format_note, open_note, parse_note, sign_note, Ed25519Signer};

    const CP: &str =
        "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";

    #[test]
    fn message_layout_matches_spec_example() {
        let msg = cosigned_message(CP.as_bytes(), 1679315147);
        assert_eq!(
            msg,
            b"cosignature/v1\ntime 1679315147\nexample.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
        );
        assert!(cosigned_message(b"x\n", 0).starts_with(b"cosignature/v1\ntime 0\n"));
    }

    #[test]
    fn cosign_and_verify_in_a_note() {
        let mut rng = rand::thread_rng();
        let log = Ed25519Signer::generate("example.com/behind-the-sofa", &mut rng).unwrap();
        let w = Cosigner::generate("witness.example.com/w1", &mut rng).unwrap();
        // Key ID uses type 0x04, so it differs from the 0x01 ID of the same key.
        assert_ne!(
            w.key_id(),
            key_id(w.name(), 0x01, w.verifier().key.as_bytes())
        );
        let note = sign_note(CP, &[&log, &w.at(1679315147)]).unwrap();
        let wv = CosignatureVerifier::from_vkey(&w.verifier().vkey()).unwrap();
        let lv = log.verifier();
        let opened = open_note(note.as_bytes(), &[&lv, &wv]).unwrap();
        assert_eq!(opened.verified.len(), 2);
        assert_eq!(cosignature_timestamp(&opened.verified[1]), Some(1679315147));

        // A cosignature line built separately is the same bytes (Ed25519 is
        // deterministic).
        let line = w.cosign(CP, 1679315147).unwrap();
        assert_eq!(parse_note(note.as_bytes()).unwrap().signatures[1], line);
        assert_eq!(
            format_note(CP, std::slice::from_ref(&line))
                .unwrap()
                .matches('\u{2014}')
                .count(),
            1
        );

        // Changing the timestamp breaks the signature.
        let mut moved = line.clone();
        moved.signature[7] ^= 1;
        assert_eq!(
            wv.verify_cosignature(CP.as_bytes(), &moved.signature),
            Err(CosignatureError::BadSignature)
        );
        // Plain Ed25519 verifier keys are not cosignature keys.
        assert!(CosignatureVerifier::from_vkey(&lv.vkey()).is_err());
    }

    #[test]
    fn refuses_bad_input() {
        let mut rng = rand::thread_rng();
        let w = Cosigner::generate("w", &mut rng).unwrap();
        let v = w.verifier();
        assert_eq!(
            w.cosign(CP, MAX_TIMESTAMP + 1),
            Err(CosignatureError::TimestampTooLarge(MAX_TIMESTAMP + 1))
        );
        assert!(w.cosign("not a checkpoint\n", 1).is_err());
        assert_eq!(
            v.verify_cosignature(CP.as_bytes(), &[0; 71]),
            Err(CosignatureError::WrongLength(71))
        );
        let mut big = vec![0xff; 8];
        big.extend_from_slice(&[0; 64]);
        assert_eq!(
            v.verify_cosignature(CP.as_bytes(), &big),
            Err(CosignatureError::TimestampTooLarge(u64::MAX))
        );
        let ok = w.cosign(CP, MAX_TIMESTAMP).unwrap();
        assert_eq!(
            v.verify_cosignature(CP.as_bytes(), &ok.signature),
            Ok(MAX_TIMESTAMP)
        );
        assert_eq!(cosignature_timestamp(&ok), Some(MAX_TIMESTAMP));
    }
}
