//! The UK control list as data (`data/control-list.csv`) and control-list ratings.
//!
//! A rating is an entry code optionally followed by a sub-item, e.g. `ML10.b` or `5A002.a.1`.
//! Exporters type ratings in every style (`ml10b`, `5a002 a1`), so parsing normalises to one
//! canonical spelling; statistics and the public register group by that spelling.

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

const UK_CONTROL_LIST_CSV: &str = include_str!("../data/control-list.csv");

/// Longest suffix (after the base code, without a leading dot) a rating may carry.
const MAX_SUFFIX_CHARS: usize = 12;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RatingKind {
    Military,
    DualUse,
    National,
}

impl RatingKind {
    pub const ALL: [RatingKind; 3] = [Self::Military, Self::DualUse, Self::National];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Military => "military",
            Self::DualUse => "dual_use",
            Self::National => "national",
        }
    }

    pub const fn label(self) -> &'static str {
        match self {
            Self::Military => "Military",
            Self::DualUse => "Dual-use",
            Self::National => "UK national",
        }
    }
}

impl FromStr for RatingKind {
    type Err = ControlListError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| ControlListError::Kind(s.to_string()))
    }
}

/// One entry of the control list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ControlEntry {
    pub code: String,
    pub kind: RatingKind,
    pub description: String,
}

/// Why control-list data could not be loaded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ControlListError {
    #[error("line {line}: {message}")]
    Line { line: usize, message: String },
    #[error("unknown rating kind {0:?}: expected military, dual_use or national")]
    Kind(String),
}

/// Why a typed rating was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RatingError {
    #[error("{0:?} is not on the control list")]
    Unknown(String),
    #[error("{0:?} is not a rating: expected a control-list code such as ML10.b or 5A002.a.1")]
    Malformed(String),
}

/// A validated, canonical rating such as `ML10.b` or `5A002.a.1`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Rating(String);

impl Rating {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The control-list entry code, e.g. `ML10` for `ML10.b`.
    pub fn base(&self) -> &str {
        self.0.split('.').next().unwrap_or(&self.0)
    }

    /// Military, dual-use or national, decided by the code's shape (ML… and PL5… are military,
    /// PL8…/PL9… national, the rest dual-use) so a stored rating needs no list to answer.
    pub fn kind(&self) -> RatingKind {
        kind_of_code(self.base())
    }
}

fn kind_of_code(code: &str) -> RatingKind {
    if code.starts_with("ML") || code.starts_with("PL5") {
        RatingKind::Military
    } else if code.starts_with("PL") {
        RatingKind::National
    } else {
        RatingKind::DualUse
    }
}

impl fmt::Display for Rating {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Deserialising checks the syntax and canonicalises, but does not require the code to be on
/// today's list: a rating stored years ago must still load after the list changes.
impl TryFrom<String> for Rating {
    type Error = RatingError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        normalise(&s).map(|(_, rating)| rating)
    }
}

impl From<Rating> for String {
    fn from(r: Rating) -> String {
        r.0
    }
}

/// Splits typed input into (base code, canonical rating) by syntax alone.
fn normalise(input: &str) -> Result<(String, Rating), RatingError> {
    let malformed = || RatingError::Malformed(input.trim().chars().take(40).collect());
    let compact: String = input.chars().filter(|c| !c.is_whitespace()).collect();
    if compact.is_empty() || compact.len() > 40 || !compact.is_ascii() {
        return Err(malformed());
    }
    let upper = compact.to_ascii_uppercase();
    let base_len = base_length(&upper).ok_or_else(malformed)?;
    let (base, rest) = upper.split_at(base_len);
    let suffix = canonical_suffix(rest).ok_or_else(malformed)?;
    let canonical = if suffix.is_empty() {
        base.to_string()
    } else {
        format!("{base}.{suffix}")
    };
    Ok((base.to_string(), Rating(canonical)))
}

/// Length of the base code at the start of `upper`: `ML<digits>`, `PL<digits>` or `\d[A-E]\d{3}`.
fn base_length(upper: &str) -> Option<usize> {
    let bytes = upper.as_bytes();
    let digits_from = |start: usize| {
        bytes[start..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count()
    };
    if upper.starts_with("ML") || upper.starts_with("PL") {
        let n = digits_from(2);
        return (n > 0).then_some(2 + n);
    }
    let entry_like = bytes.len() >= 5
        && bytes[0].is_ascii_digit()
        && (b'A'..=b'E').contains(&bytes[1])
        && bytes[2..5].iter().all(u8::is_ascii_digit);
    // A sixth digit would make the code ambiguous (5A0021 is not 5A002 + 1).
    (entry_like && bytes.get(5).is_none_or(|b| !b.is_ascii_digit())).then_some(5)
}

/// Canonical sub-item suffix: segments are runs of letters or runs of digits, joined by dots,
/// letters lowercase. `rest` is uppercase and free of whitespace.
fn canonical_suffix(rest: &str) -> Option<String> {
    let body = rest.strip_prefix('.').unwrap_or(rest);
    if rest.is_empty() {
        return Some(String::new());
    }
    // Without a dot the suffix must start with a letter, or base and suffix digits would merge.
    if body.is_empty()
        || body.len() > MAX_SUFFIX_CHARS
        || (!rest.starts_with('.') && !body.as_bytes()[0].is_ascii_alphabetic())
    {
        return None;
    }
    let mut segments: Vec<String> = Vec::new();
    for part in body.split('.') {
        if part.is_empty() || !part.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return None;
        }
        let mut current = String::new();
        for ch in part.chars() {
            let switches = current
                .chars()
                .last()
                .is_some_and(|prev| prev.is_ascii_digit() != ch.is_ascii_digit());
            if switches {
                segments.push(std::mem::take(&mut current));
            }
            current.push(ch.to_ascii_lowercase());
        }
        segments.push(current);
    }
    Some(segments.join("."))
}

/// A control list: its entries and a lookup by code.
#[derive(Debug, Clone)]
pub struct ControlList {
    entries: Vec<ControlEntry>,
    by_code: HashMap<String, usize>,
}

impl ControlList {
    /// The shipped UK list, parsed once.
    pub fn uk() -> &'static ControlList {
        static UK: OnceLock<ControlList> = OnceLock::new();
        UK.get_or_init(|| {
            // The file is compiled in and checked by the tests, so failure is a build defect.
            ControlList::from_csv(UK_CONTROL_LIST_CSV).expect("shipped control list is valid")
        })
    }

    /// Parses `code,kind,description` CSV with a header line; codes must be unique and
    /// well-formed entry codes.
    pub fn from_csv(text: &str) -> Result<ControlList, ControlListError> {
        let mut entries = Vec::new();
        let mut by_code = HashMap::new();
        for (i, line) in text.lines().enumerate().skip(1) {
            let line_no = i + 1;
            let err = |message: String| ControlListError::Line {
                line: line_no,
                message,
            };
            if line.trim().is_empty() {
                continue;
            }
            let fields = split_csv_line(line).ok_or_else(|| err("unbalanced quotes".into()))?;
            let [code, kind, description] = fields.as_slice() else {
                return Err(err(format!("expected 3 fields, found {}", fields.len())));
            };
            let kind: RatingKind = kind.parse()?;
            match normalise(code) {
                Ok((base, rating)) if rating.as_str() == code && base == *code => {}
                _ => return Err(err(format!("{code:?} is not a canonical entry code"))),
            }
            if description.trim().is_empty() {
                return Err(err(format!("{code} has no description")));
            }
            if by_code.insert(code.clone(), entries.len()).is_some() {
                return Err(err(format!("{code} is listed twice")));
            }
            entries.push(ControlEntry {
                code: code.clone(),
                kind,
                description: description.clone(),
            });
        }
        Ok(ControlList { entries, by_code })
    }

    pub fn entries(&self) -> &[ControlEntry] {
        &self.entries
    }

    /// The entry for a base code (case and surrounding spaces ignored).
    pub fn get(&self, code: &str) -> Option<&ControlEntry> {
        let code = code.trim().to_ascii_uppercase();
        self.by_code.get(&code).map(|&i| &self.entries[i])
    }

    /// Validates typed input as a rating on this list and returns its canonical form.
    pub fn rating(&self, input: &str) -> Result<Rating, RatingError> {
        let (base, rating) = normalise(input)?;
        if self.by_code.contains_key(&base) {
            Ok(rating)
        } else {
            Err(RatingError::Unknown(
                input.trim().chars().take(40).collect(),
            ))
        }
    }
}

/// Splits one CSV line; fields may be quoted, with `""` for a quote inside.
pub(crate) fn split_csv_line(line: &str) -> Option<Vec<String>> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut chars = line.chars().peekable();
    let mut quoted = false;
    while let Some(ch) = chars.next() {
        match (quoted, ch) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (false, '"') if field.is_empty() => quoted = true,
            (false, ',') => fields.push(std::mem::take(&mut field)),
            (_, c) => field.push(c),
        }
    }
    if quoted {
        return None;
    }
    fields.push(field);
    Some(fields)
}

#[cfg(test)]
#[path = "control_list_tests.rs"]
mod tests;
