//! Signed notes per C2SP signed-note.
//!
//! A note is UTF-8 text ending in a newline, a blank line, then one or more
//! signature lines `— <key name> <base64(key ID ‖ signature)>` (em dash
//! U+2014). The text is everything up to and including the newline before the
//! *last* blank line. No ASCII control characters other than newline are
//! allowed anywhere.

mod key;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use thiserror::Error;

pub(crate) use key::{check_name, format_key_text, parse_ed25519_vkey};
pub use key::{is_valid_key_name, key_id, Ed25519Signer, Ed25519Verifier, KeyError, ALG_ED25519};

/// Most signature lines accepted in one note (the spec requires at least 16).
pub const MAX_SIGNATURES: usize = 100;

const SIG_PREFIX: &str = "\u{2014} ";

/// Why a note was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum NoteError {
    #[error("note is not valid UTF-8")]
    NotUtf8,
    #[error("note contains a control character other than newline")]
    ControlCharacter,
    #[error("note does not end with a newline")]
    MissingFinalNewline,
    #[error("note has no blank line before its signatures")]
    NoSignatureBlock,
    #[error("note has no signature lines")]
    NoSignatures,
    #[error("malformed signature line {line}: {reason}")]
    MalformedSignature { line: usize, reason: &'static str },
    #[error("note has more than {MAX_SIGNATURES} signatures")]
    TooManySignatures,
    #[error("two known keys share name {name:?} and key ID {key_id:08x}")]
    AmbiguousKey { name: String, key_id: u32 },
    #[error("signature by known key {name:?} ({key_id:08x}) does not verify")]
    InvalidSignature { name: String, key_id: u32 },
    #[error("no signature by a known key")]
    NoVerifiedSignature,
    #[error("note text must be non-empty, end in a newline and contain no control characters")]
    InvalidText,
    #[error("no signers given")]
    NoSigners,
    #[error("signing failed: {0}")]
    Signing(String),
    #[error(transparent)]
    Key(#[from] KeyError),
}

/// Something that can check note signatures for one (name, key ID).
pub trait NoteVerifier {
    fn name(&self) -> &str;
    fn key_id(&self) -> u32;
    /// Whether `sig` (without the 4-byte key ID) is valid over `msg`, the
    /// note text.
    fn verify(&self, msg: &[u8], sig: &[u8]) -> bool;
}

/// Something that can sign note text as one (name, key ID).
pub trait NoteSigner {
    fn name(&self) -> &str;
    fn key_id(&self) -> u32;
    /// The signature over `msg`, the note text, without the key ID.
    fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, NoteError>;
}

/// One signature line of a note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteSignature {
    pub name: String,
    pub key_id: u32,
    /// Signature bytes after the key ID.
    pub signature: Vec<u8>,
}

impl NoteSignature {
    /// `— <name> <base64(key ID ‖ signature)>\n`
    pub fn line(&self) -> String {
        let mut blob = self.key_id.to_be_bytes().to_vec();
        blob.extend_from_slice(&self.signature);
        format!("{SIG_PREFIX}{} {}\n", self.name, B64.encode(blob))
    }
}

/// A note split into text and signatures, none of them checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedNote {
    pub text: String,
    pub signatures: Vec<NoteSignature>,
}

/// A note with at least one signature verified by a known key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedNote {
    pub text: String,
    /// Signatures by known keys, all verified, one per key.
    pub verified: Vec<NoteSignature>,
    /// Signatures by keys not in the verifier set, ignored.
    pub unverified: Vec<NoteSignature>,
}

fn check_chars(s: &str) -> Result<(), NoteError> {
    if s.chars().any(|c| c < ' ' && c != '\n') {
        return Err(NoteError::ControlCharacter);
    }
    Ok(())
}

/// Splits a note into text and signature lines, strictly, without verifying.
pub fn parse_note(msg: &[u8]) -> Result<ParsedNote, NoteError> {
    let s = std::str::from_utf8(msg).map_err(|_| NoteError::NotUtf8)?;
    check_chars(s)?;
    if !s.ends_with('\n') {
        return Err(NoteError::MissingFinalNewline);
    }
    let split = s.rfind("\n\n").ok_or(NoteError::NoSignatureBlock)?;
    let (text, block) = (&s[..split + 1], &s[split + 2..]);
    if block.is_empty() {
        return Err(NoteError::NoSignatures);
    }
    let mut signatures = Vec::new();
    // `block` ends in '\n' and, split at the last blank line, has no empty
    // lines.
    for (i, line) in block.split_terminator('\n').enumerate() {
        let bad = |reason| NoteError::MalformedSignature {
            line: i + 1,
            reason,
        };
        if signatures.len() == MAX_SIGNATURES {
            return Err(NoteError::TooManySignatures);
        }
        let rest = line
            .strip_prefix(SIG_PREFIX)
            .ok_or_else(|| bad("does not start with an em dash and a space"))?;
        let (name, b64) = rest
            .split_once(' ')
            .ok_or_else(|| bad("no space between key name and signature"))?;
        if !is_valid_key_name(name) {
            return Err(bad("invalid key name"));
        }
        let blob = B64
            .decode(b64)
            .map_err(|_| bad("signature is not canonical base64"))?;
        if blob.len() < 5 {
            return Err(bad("signature is shorter than a key ID and one byte"));
        }
        signatures.push(NoteSignature {
            name: name.to_owned(),
            key_id: u32::from_be_bytes([blob[0], blob[1], blob[2], blob[3]]),
            signature: blob[4..].to_vec(),
        });
    }
    Ok(ParsedNote {
        text: text.to_owned(),
        signatures,
    })
}

/// Parses a note and verifies it against `verifiers`. Signatures from
/// unknown keys (name and key ID not both matching) are ignored; a known
/// key's signature that fails rejects the whole note; at least one known
/// key's signature must verify.
pub fn open_note(msg: &[u8], verifiers: &[&dyn NoteVerifier]) -> Result<VerifiedNote, NoteError> {
    let parsed = parse_note(msg)?;
    let mut verified: Vec<NoteSignature> = Vec::new();
    let mut unverified = Vec::new();
    for sig in parsed.signatures {
        let mut known = verifiers
            .iter()
            .filter(|v| v.name() == sig.name && v.key_id() == sig.key_id);
        let Some(v) = known.next() else {
            unverified.push(sig);
            continue;
        };
        if known.next().is_some() {
            return Err(NoteError::AmbiguousKey {
                name: sig.name,
                key_id: sig.key_id,
            });
        }
        if !v.verify(parsed.text.as_bytes(), &sig.signature) {
            return Err(NoteError::InvalidSignature {
                name: sig.name,
                key_id: sig.key_id,
            });
        }
        if !verified
            .iter()
            .any(|s| s.name == sig.name && s.key_id == sig.key_id)
        {
            verified.push(sig);
        }
    }
    if verified.is_empty() {
        return Err(NoteError::NoVerifiedSignature);
    }
    Ok(VerifiedNote {
        text: parsed.text,
        verified,
        unverified,
    })
}

/// Checks that `text` can be the text of a note.
pub fn check_text(text: &str) -> Result<(), NoteError> {
    if text.is_empty() || !text.ends_with('\n') || check_chars(text).is_err() {
        return Err(NoteError::InvalidText);
    }
    Ok(())
}

/// Assembles a note from text and signature lines.
pub fn format_note(text: &str, signatures: &[NoteSignature]) -> Result<String, NoteError> {
    check_text(text)?;
    if signatures.is_empty() {
        return Err(NoteError::NoSigners);
    }
    if signatures.len() > MAX_SIGNATURES {
        return Err(NoteError::TooManySignatures);
    }
    let mut out = format!("{text}\n");
    for s in signatures {
        check_name(&s.name)?;
        out.push_str(&s.line());
    }
    Ok(out)
}

/// Signs `text` with every signer (in order) and returns the note.
pub fn sign_note(text: &str, signers: &[&dyn NoteSigner]) -> Result<String, NoteError> {
    check_text(text)?;
    let signatures = signers
        .iter()
        .map(|s| {
            Ok(NoteSignature {
                name: s.name().to_owned(),
                key_id: s.key_id(),
                signature: s.sign(text.as_bytes())?,
            })
        })
        .collect::<Result<Vec<_>, NoteError>>()?;
    format_note(text, &signatures)
}

#[cfg(test)]
mod tests;
