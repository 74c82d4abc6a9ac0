//! Protected disclosure: anyone may tell oversight about the licensing system without saying
//! who they are. The discloser keeps a receipt code — the only key to their disclosure —
//! with which they read oversight's answers and add to what they said.
//!
//! A receipt code is 34 characters of Crockford's base32 (no I, L, O or U; read without
//! regard to case, with I and L as 1 and O as 0), shown in groups of four: the first 8 name
//! the disclosure (40 bits, stored in clear to find it), the other 26 are the secret (130
//! bits), and only a slow salted hash of the whole code is stored.
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::application::FieldError;
use crate::case::str_enum;
use crate::text::{check_text, TextError, TextRule};

const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/// Characters naming the disclosure.
pub const LOOKUP_CHARS: usize = 8;
/// Characters of secret.
pub const SECRET_CHARS: usize = 26;
const CODE_CHARS: usize = LOOKUP_CHARS + SECRET_CHARS;

/// A receipt code, normalised (34 upper-case Crockford characters).
#[derive(Clone, PartialEq, Eq)]
pub struct ReceiptCode(String);

/// Why a typed code cannot be a receipt code (said as one message: see [`ReceiptCode::parse`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a receipt code is 34 letters and digits, as shown when the disclosure was made")]
pub struct NotAReceiptCode;

impl ReceiptCode {
    /// A code from 34 random values (each taken modulo 32; the caller draws them from a
    /// cryptographic generator).
    pub fn from_random(values: &[u8; CODE_CHARS]) -> ReceiptCode {
        ReceiptCode(
            values
                .iter()
                .map(|v| ALPHABET[(*v % 32) as usize] as char)
                .collect(),
        )
    }

    /// Read a typed code: spaces and hyphens ignored, case ignored, I and L read as 1 and O
    /// as 0 (Crockford), so a code read aloud or copied by hand still works.
    pub fn parse(input: &str) -> Result<ReceiptCode, NotAReceiptCode> {
        let mut code = String::with_capacity(CODE_CHARS);
        for c in input.chars() {
            let c = match c.to_ascii_uppercase() {
                ' ' | '-' | '\t' => continue,
                'I' | 'L' => '1',
                'O' => '0',
                c => c,
            };
            if !c.is_ascii() || !ALPHABET.contains(&(c as u8)) {
                return Err(NotAReceiptCode);
            }
            code.push(c);
        }
        if code.len() == CODE_CHARS {
            Ok(ReceiptCode(code))
        } else {
            Err(NotAReceiptCode)
        }
    }

    /// The part that names the disclosure (stored in clear).
    pub fn lookup(&self) -> &str {
        &self.0[..LOOKUP_CHARS]
    }

    /// The whole normalised code (what is hashed).
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ReceiptCode {
    /// In groups of four: `ABCD-EFGH-…`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, chunk) in self.0.as_bytes().chunks(4).enumerate() {
            if i > 0 {
                f.write_str("-")?;
            }
            f.write_str(std::str::from_utf8(chunk).map_err(|_| fmt::Error)?)?;
        }
        Ok(())
    }
}

impl fmt::Debug for ReceiptCode {
    /// Never the secret.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ReceiptCode({}…)", self.lookup())
    }
}

/// Where a disclosure stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DisclosureStatus {
    /// Waiting for oversight's answer (to the disclosure, or to what was added since).
    Open,
    /// Oversight has answered everything said so far.
    Answered,
}

impl DisclosureStatus {
    pub const ALL: [DisclosureStatus; 2] = [Self::Open, Self::Answered];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Answered => "answered",
        }
    }

    pub const fn label(self) -> &'static str {
        match self {
            Self::Open => "Waiting for oversight's answer",
            Self::Answered => "Answered",
        }
    }
}
str_enum!(DisclosureStatus, "disclosure status");

const WHAT: TextRule = TextRule::new(20, 20_000, true);
const CONCERNS: TextRule = TextRule::new(0, 2000, true);
const EVIDENCE: TextRule = TextRule::new(0, 20_000, true);
const ADDITION: TextRule = TextRule::new(10, 20_000, true);
const ANSWER: TextRule = TextRule::new(40, 20_000, true);

/// A disclosure as made: what it is about, which cases, licences or destinations it
/// concerns, and the evidence. Sealed for oversight before it is stored.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DisclosureInput {
    pub what: String,
    pub concerns: String,
    pub evidence: String,
}

impl DisclosureInput {
    /// Check every field; every problem, per field.
    pub fn check(&self) -> Result<DisclosureInput, Vec<FieldError>> {
        let mut problems = Vec::new();
        let mut field = |name: &str, text: &str, rule| match check_text(text, rule) {
            Ok(t) => t.to_string(),
            Err(e) => {
                problems.push(FieldError {
                    field: name.to_string(),
                    message: e.to_string(),
                });
                String::new()
            }
        };
        let checked = DisclosureInput {
            what: field("what", &self.what, WHAT),
            concerns: field("concerns", &self.concerns, CONCERNS),
            evidence: field("evidence", &self.evidence, EVIDENCE),
        };
        if problems.is_empty() {
            Ok(checked)
        } else {
            Err(problems)
        }
    }
}

/// More information from the discloser.
pub fn check_addition(text: &str) -> Result<&str, TextError> {
    check_text(text, ADDITION)
}

/// Oversight's answer: on substance, as for a dissent (a line of thanks is not one).
pub fn check_disclosure_answer(text: &str) -> Result<&str, TextError> {
    check_text(text, ANSWER)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code() -> ReceiptCode {
        let mut v = [0u8; CODE_CHARS];
        for (i, x) in v.iter_mut().enumerate() {
            *x = (i * 7 + 3) as u8;
        }
        ReceiptCode::from_random(&v)
    }

    #[test]
    fn a_code_reads_back_however_it_is_typed() {
        let c = code();
        let shown = c.to_string();
        assert_eq!(
            shown.len(),
            34 + 8,
            "nine groups of four, the last of two: {shown}"
        );
        assert_eq!(ReceiptCode::parse(&shown).unwrap(), c);
        assert_eq!(ReceiptCode::parse(&shown.to_lowercase()).unwrap(), c);
        assert_eq!(ReceiptCode::parse(&shown.replace('-', " ")).unwrap(), c);
        // Crockford: O for 0, I and L for 1.
        let ambiguous = c.expose().replace('0', "o").replace('1', "l");
        assert_eq!(ReceiptCode::parse(&ambiguous).unwrap(), c);
        assert_eq!(c.lookup(), &c.expose()[..8]);
        assert!(
            !format!("{c:?}").contains(&c.expose()[8..]),
            "Debug hides the secret"
        );
    }

    #[test]
    fn anything_else_is_not_a_code() {
        let c = code().to_string();
        for bad in [
            "",
            "ABCD",
            &c[..c.len() - 1],
            &format!("{c}X"),
            &c.replace('A', "U"),
            "é",
        ] {
            assert_eq!(ReceiptCode::parse(bad), Err(NotAReceiptCode), "{bad:?}");
        }
    }

    #[test]
    fn a_disclosure_needs_substance() {
        let ok = DisclosureInput {
            what: "  Advice on case GBSIEL/2026/0000123 was rewritten after a meeting.  ".into(),
            ..Default::default()
        }
        .check()
        .unwrap();
        assert_eq!(
            ok.what,
            "Advice on case GBSIEL/2026/0000123 was rewritten after a meeting."
        );
        let bad = DisclosureInput {
            what: "Bad.".into(),
            concerns: "x".repeat(3000),
            evidence: "nul\0".into(),
        }
        .check()
        .unwrap_err();
        let fields: Vec<&str> = bad.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["what", "concerns", "evidence"]);
        assert!(check_disclosure_answer("Thank you, noted.").is_err());
    }
}
