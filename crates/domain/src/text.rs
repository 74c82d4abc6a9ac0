//! Free text typed by people: reasons, notes, provisos, grounds, questions, names. Every kind
//! has a minimum and a maximum length (in characters, after trimming) and refuses control
//! characters — NUL above all, which PostgreSQL cannot store in a text column. Multi-line
//! kinds keep line breaks and tabs. Parse once at the edge; the newtypes carry the proof.

use std::fmt;

use serde::Serialize;

use crate::decision::MIN_EXPLANATION_CHARS;

/// The length and character rules of one kind of text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TextRule {
    pub min: usize,
    pub max: usize,
    /// Line breaks (`\n`, `\r`) and tabs are allowed.
    pub multiline: bool,
}

impl TextRule {
    pub const fn new(min: usize, max: usize, multiline: bool) -> Self {
        Self {
            min,
            max,
            multiline,
        }
    }

    /// The same rule without the minimum (a draft may be incomplete, an optional note empty).
    pub const fn without_min(self) -> Self {
        Self { min: 0, ..self }
    }
}

/// Why a text was refused, in words for the person who typed it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    #[error("enter some text")]
    Empty,
    #[error("write at least {min} characters (you wrote {len})")]
    TooShort { min: usize, len: usize },
    #[error("write at most {max} characters (you wrote {len})")]
    TooLong { max: usize, len: usize },
    #[error("remove the control character (U+{code:04X}) at character {at}; it cannot be stored")]
    ControlCharacter { at: usize, code: u32 },
    #[error("keep this on one line (remove the line break or tab at character {at})")]
    LineBreak { at: usize },
}

fn allowed_in_multiline(c: char) -> bool {
    matches!(c, '\n' | '\r' | '\t')
}

/// Trim `input` and check it against `rule`; the trimmed text on success.
pub fn check_text(input: &str, rule: TextRule) -> Result<&str, TextError> {
    let text = input.trim();
    let refused = |c: char| c.is_control() && !(rule.multiline && allowed_in_multiline(c));
    if let Some((i, c)) = text.chars().enumerate().find(|(_, c)| refused(*c)) {
        return Err(if allowed_in_multiline(c) {
            TextError::LineBreak { at: i + 1 }
        } else {
            TextError::ControlCharacter {
                at: i + 1,
                code: u32::from(c),
            }
        });
    }
    let len = text.chars().count();
    if len == 0 && rule.min > 0 {
        Err(TextError::Empty)
    } else if len < rule.min {
        Err(TextError::TooShort { min: rule.min, len })
    } else if len > rule.max {
        Err(TextError::TooLong { max: rule.max, len })
    } else {
        Ok(text)
    }
}

/// One kind of checked text; lets callers parse any kind with a field name attached.
pub trait BoundedText: Sized {
    const RULE: TextRule;
    fn parse(input: &str) -> Result<Self, TextError>;
}

/// A newtype for one kind of checked text: `parse` is the only way in.
macro_rules! bounded_text {
    ($(#[$doc:meta])* $name:ident, $min:expr, $max:expr, multiline: $ml:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl BoundedText for $name {
            const RULE: TextRule = TextRule::new($min, $max, $ml);

            fn parse(input: &str) -> Result<Self, TextError> {
                $name::parse(input)
            }
        }

        impl $name {
            pub const RULE: TextRule = <Self as BoundedText>::RULE;

            pub fn parse(input: &str) -> Result<Self, TextError> {
                check_text(input, Self::RULE).map(|t| Self(t.to_string()))
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }

            pub fn into_string(self) -> String {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
    };
}

bounded_text!(
    /// Why an irreversible or public action is taken: withdrawing an application, returning a
    /// case, suspending, reinstating, revoking, surrendering or reporting a licence used up.
    Reason, MIN_EXPLANATION_CHARS, 5000, multiline: true
);
bounded_text!(
    /// A decision's reasons or a conflict resolution: the length minimum is a finalisation
    /// blocker (so every blocker is reported at once), the maximum and characters are checked here.
    Explanation, 0, 10_000, multiline: true
);
bounded_text!(
    /// An adviser's reasons, or the caseworker's reasons for the final advice.
    AdviceReasons, 10, 10_000, multiline: true
);
bounded_text!(
    /// A condition attached to advice or to a licence.
    Proviso, 5, 2000, multiline: true
);
bounded_text!(
    /// An optional note (with a request for advice, a countersignature).
    Note, 0, 2000, multiline: true
);
bounded_text!(
    /// A question to the exporter.
    QuestionText, 5, 5000, multiline: true
);
bounded_text!(
    /// The exporter's answer to a question.
    AnswerText, 2, 10_000, multiline: true
);
bounded_text!(
    /// The grounds of an appeal.
    Grounds, MIN_EXPLANATION_CHARS, 20_000, multiline: true
);
bounded_text!(
    /// Why oversight needs the openings of a register entry.
    DisclosureReason, 10, 2000, multiline: true
);
bounded_text!(
    /// A one-line name: a person's display name, an organisation, a team, an API token.
    Name, 1, 200, multiline: false
);

/// The free-text fields of an application (checked by `validate` with field paths; drafts
/// apply only the maxima).
pub mod application_text {
    use super::TextRule;

    pub const DESCRIPTION: TextRule = TextRule::new(3, 2000, true);
    pub const UNIT: TextRule = TextRule::new(1, 50, false);
    pub const PARTY_NAME: TextRule = TextRule::new(1, 200, false);
    pub const PARTY_ADDRESS: TextRule = TextRule::new(1, 1000, true);
    pub const END_USE_STATEMENT: TextRule = TextRule::new(10, 5000, true);
}

/// An organisation's registration details.
pub mod organisation_text {
    use super::TextRule;

    pub const REGISTRATION_NUMBER: TextRule = TextRule::new(1, 50, false);
    pub const ADDRESS: TextRule = TextRule::new(0, 1000, true);
}

#[cfg(test)]
#[path = "text_tests.rs"]
mod tests;
