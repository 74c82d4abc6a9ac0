//! Checkpoints per C2SP tlog-checkpoint: the text of a signed note made of
//!
//! ```text
//! <origin>
//! <tree size, decimal, no leading zeros>
//! <base64 root hash>
//! [<extension line>...]
//! ```
//!
//! every line non-empty and newline-terminated.

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use thiserror::Error;

use crate::merkle::Hash;
use crate::note::{open_note, NoteError, NoteVerifier, VerifiedNote};

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CheckpointError {
    #[error("checkpoint text must end with a newline")]
    MissingFinalNewline,
    #[error("checkpoint needs origin, size and root lines")]
    TooFewLines,
    #[error("line {0} is empty")]
    EmptyLine(usize),
    #[error("line {0} contains a control character")]
    ControlCharacter(usize),
    #[error("tree size is not canonical decimal")]
    BadSize,
    #[error("root hash is not canonical base64 of 32 bytes")]
    BadRoot,
    #[error("origin {got:?} is not the expected {want:?}")]
    WrongOrigin { got: String, want: String },
    #[error(transparent)]
    Note(#[from] NoteError),
}

/// A parsed checkpoint body. Fields are private so that every value can be
/// formatted back into a valid checkpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    origin: String,
    size: u64,
    root: Hash,
    extensions: Vec<String>,
}

fn check_line(line: &str, number: usize) -> Result<(), CheckpointError> {
    if line.is_empty() {
        return Err(CheckpointError::EmptyLine(number));
    }
    if line.chars().any(|c| c < ' ') {
        return Err(CheckpointError::ControlCharacter(number));
    }
    Ok(())
}

impl Checkpoint {
    /// A checkpoint without extension lines. The origin must be a non-empty
    /// line; the spec recommends (but does not require) a schema-less URL.
    pub fn new(origin: &str, size: u64, root: Hash) -> Result<Self, CheckpointError> {
        check_line(origin, 1)?;
        Ok(Checkpoint {
            origin: origin.to_owned(),
            size,
            root,
            extensions: Vec::new(),
        })
    }

    /// Adds an extension line (non-empty, no control characters). The spec
    /// discourages extensions: monitors cannot audit them.
    pub fn with_extension(mut self, line: &str) -> Result<Self, CheckpointError> {
        check_line(line, 4 + self.extensions.len())?;
        self.extensions.push(line.to_owned());
        Ok(self)
    }

    pub fn origin(&self) -> &str {
        &self.origin
    }

    pub fn size(&self) -> u64 {
        self.size
    }

    pub fn root(&self) -> &Hash {
        &self.root
    }

    pub fn extensions(&self) -> &[String] {
        &self.extensions
    }

    /// Strictly parses checkpoint note text.
    pub fn parse(text: &str) -> Result<Self, CheckpointError> {
        let body = text
            .strip_suffix('\n')
            .ok_or(CheckpointError::MissingFinalNewline)?;
        let lines: Vec<&str> = body.split('\n').collect();
        if lines.len() < 3 {
            return Err(CheckpointError::TooFewLines);
        }
        for (i, line) in lines.iter().enumerate() {
            check_line(line, i + 1)?;
        }
        let size = parse_size(lines[1]).ok_or(CheckpointError::BadSize)?;
        let root: Hash = B64
            .decode(lines[2])
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or(CheckpointError::BadRoot)?;
        Ok(Checkpoint {
            origin: lines[0].to_owned(),
            size,
            root,
            extensions: lines[3..].iter().map(|s| (*s).to_owned()).collect(),
        })
    }

    /// The checkpoint as note text, ending in a newline.
    pub fn to_text(&self) -> String {
        let mut s = format!(
            "{}\n{}\n{}\n",
            self.origin,
            self.size,
            B64.encode(self.root)
        );
        for e in &self.extensions {
            s.push_str(e);
            s.push('\n');
        }
        s
    }

    /// Parses a checkpoint from a verified note and checks its origin.
    pub fn from_note(note: &VerifiedNote, origin: &str) -> Result<Self, CheckpointError> {
        let c = Self::parse(&note.text)?;
        if c.origin != origin {
            return Err(CheckpointError::WrongOrigin {
                got: c.origin,
                want: origin.to_owned(),
            });
        }
        Ok(c)
    }

    /// Opens a signed checkpoint: verifies the note against `verifiers`,
    /// parses the body and checks the origin.
    pub fn open(
        msg: &[u8],
        origin: &str,
        verifiers: &[&dyn NoteVerifier],
    ) -> Result<(Self, VerifiedNote), CheckpointError> {
        let note = open_note(msg, verifiers)?;
        let c = Self::from_note(&note, origin)?;
        Ok((c, note))
    }
}

/// ASCII decimal with no leading zeros (except "0"), fitting in u64.
fn parse_size(s: &str) -> Option<u64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) || (s.len() > 1 && s.starts_with('0'))
    {
        return None;
    }
    s.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::note::{sign_note, Ed25519Signer};

    const SPEC: &str =
        "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";

    #[test]
    fn spec_example_round_trips() {
        let c = Checkpoint::parse(SPEC).unwrap();
        assert_eq!(c.origin(), "example.com/behind-the-sofa");
        assert_eq!(c.size(), 20852163);
        assert!(c.extensions().is_empty());
        assert_eq!(c.to_text(), SPEC);
        let ext = c.clone().with_extension("x y z").unwrap();
        assert_eq!(Checkpoint::parse(&ext.to_text()).unwrap(), ext);
        assert!(c.with_extension("").is_err());
    }

    #[test]
    fn strict_parse() {
        let root = "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=";
        for bad in [
            "".to_owned(),
            "o\n1\n".to_owned(),
            format!("o\n1\n{root}"),
            format!("\n1\n{root}\n"),
            format!("o\n01\n{root}\n"),
            format!("o\n+1\n{root}\n"),
            format!("o\n-1\n{root}\n"),
            format!("o\n 1\n{root}\n"),
            format!("o\n1.0\n{root}\n"),
            format!("o\n\n{root}\n"),
            format!("o\n18446744073709551616\n{root}\n"),
            "o\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I\n".to_owned(),
            "o\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2J=\n".to_owned(),
            "o\n1\nCsUYapGGPo4dkMgIAUqom_Xajj7h2fB2MPA3j2jxq2I=\n".to_owned(),
            "o\n1\nAAAA\n".to_owned(),
            format!("o\n1\n{root}\n\n"),
            format!("o\n1\n{root}\next\n\n"),
            format!("o\n1\n{root}\n\next\n"),
            format!("o\r\n1\n{root}\n"),
            format!("o\n1\n{root}\r\n"),
        ] {
            assert!(Checkpoint::parse(&bad).is_err(), "accepted {bad:?}");
        }
        assert_eq!(
            Checkpoint::parse(&format!("o\n0\n{root}\n"))
                .unwrap()
                .size(),
            0
        );
        let max = format!("o\n18446744073709551615\n{root}\n");
        assert_eq!(Checkpoint::parse(&max).unwrap().size(), u64::MAX);
    }

    #[test]
    fn signed_checkpoint_opens_with_origin_check() {
        let mut rng = rand::thread_rng();
        let log = Ed25519Signer::generate("example.com/log", &mut rng).unwrap();
        let c = Checkpoint::new("example.com/log", 3, [9; 32]).unwrap();
        let note = sign_note(&c.to_text(), &[&log]).unwrap();
        let v = log.verifier();
        let (got, _) = Checkpoint::open(note.as_bytes(), "example.com/log", &[&v]).unwrap();
        assert_eq!(got, c);
        assert!(matches!(
            Checkpoint::open(note.as_bytes(), "example.com/other", &[&v]),
            Err(CheckpointError::WrongOrigin { .. })
        ));
    }
}
