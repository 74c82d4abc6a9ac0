//! Licensing criteria as data. A refusal cites criteria by code ("2c"); each set of criteria
//! (UK 2021, EU Common Position) is a table, so adding a set is adding data, not code.
//! The titles and summaries are paraphrases for orientation; the published texts govern.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::criteria_text::{EU_COMMON_POSITION, UK_SELC};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CriteriaError {
    #[error("{0:?} is not a criterion: expected a number with an optional letter, such as 2c")]
    Malformed(String),
    #[error("criterion {code} is not one of the {set}")]
    NotInSet { code: String, set: &'static str },
}

/// A criterion code: a number with an optional lowercase letter, e.g. "1", "2c", "7a".
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CriterionCode(String);

impl CriterionCode {
    /// Builds a code from its canonical text (digits then at most one lowercase letter).
    pub fn new(code: &str) -> Result<Self, CriteriaError> {
        let digits = code.bytes().take_while(u8::is_ascii_digit).count();
        let rest = &code[digits..];
        let letter_ok =
            rest.is_empty() || (rest.len() == 1 && rest.as_bytes()[0].is_ascii_lowercase());
        if digits == 0 || digits > 2 || code.starts_with('0') || !letter_ok {
            return Err(CriteriaError::Malformed(code.chars().take(40).collect()));
        }
        Ok(Self(code.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The number without its letter: "2" for "2c".
    pub fn number(&self) -> u8 {
        let digits: String = self.0.chars().take_while(char::is_ascii_digit).collect();
        digits.parse().unwrap_or(0)
    }

    /// The parent criterion ("2" for "2c"), or `None` for a top-level criterion.
    pub fn parent(&self) -> Option<CriterionCode> {
        let n = self.number().to_string();
        (n != self.0).then_some(Self(n))
    }

    fn sort_key(&self) -> (u8, &str) {
        let n = self.number();
        (n, self.0.trim_start_matches(|c: char| c.is_ascii_digit()))
    }
}

/// Numeric order, then letter: 1, 1a, 2, 2a, …, 10.
impl Ord for CriterionCode {
    fn cmp(&self, other: &Self) -> Ordering {
        self.sort_key().cmp(&other.sort_key())
    }
}

impl PartialOrd for CriterionCode {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for CriterionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for CriterionCode {
    type Err = CriteriaError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::new(s)
    }
}

impl TryFrom<String> for CriterionCode {
    type Error = CriteriaError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::new(&s)
    }
}

impl From<CriterionCode> for String {
    fn from(c: CriterionCode) -> String {
        c.0
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Criterion {
    pub code: CriterionCode,
    pub title: String,
    pub summary: String,
}

/// A named set of criteria against which applications are assessed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CriteriaSet {
    pub id: &'static str,
    pub name: &'static str,
    pub criteria: Vec<Criterion>,
}

/// Raw table row: (code, title, summary).
pub(crate) type CriterionRow = (&'static str, &'static str, &'static str);

impl CriteriaSet {
    fn from_rows(id: &'static str, name: &'static str, rows: &[CriterionRow]) -> Self {
        let criteria = rows
            .iter()
            .map(|(code, title, summary)| Criterion {
                // The tables are compiled in and checked by the tests.
                code: CriterionCode::new(code).expect("criteria tables hold valid codes"),
                title: (*title).to_string(),
                summary: (*summary).to_string(),
            })
            .collect();
        Self { id, name, criteria }
    }

    /// The UK Strategic Export Licensing Criteria (2021).
    pub fn uk_selc() -> &'static CriteriaSet {
        static SET: OnceLock<CriteriaSet> = OnceLock::new();
        SET.get_or_init(|| {
            Self::from_rows(
                "uk-selc-2021",
                "UK Strategic Export Licensing Criteria (2021)",
                UK_SELC,
            )
        })
    }

    /// The EU Council Common Position 2008/944/CFSP criteria.
    pub fn eu_common_position() -> &'static CriteriaSet {
        static SET: OnceLock<CriteriaSet> = OnceLock::new();
        SET.get_or_init(|| {
            Self::from_rows(
                "eu-cp-2008-944",
                "EU Council Common Position 2008/944/CFSP",
                EU_COMMON_POSITION,
            )
        })
    }

    pub fn all_sets() -> [&'static CriteriaSet; 2] {
        [Self::uk_selc(), Self::eu_common_position()]
    }

    pub fn by_id(id: &str) -> Option<&'static CriteriaSet> {
        Self::all_sets().into_iter().find(|s| s.id == id)
    }

    pub fn get(&self, code: &CriterionCode) -> Option<&Criterion> {
        self.criteria.iter().find(|c| &c.code == code)
    }

    /// Reads a citation such as "2c", "Criterion 2c", " 2C " or "2(c)" and checks that the
    /// criterion exists in this set.
    pub fn parse_citation(&self, input: &str) -> Result<CriterionCode, CriteriaError> {
        let lower = input.trim().to_lowercase();
        let body = lower.strip_prefix("criterion").unwrap_or(&lower);
        let compact: String = body
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '(' && *c != ')')
            .collect();
        let code = CriterionCode::new(&compact)
            .map_err(|_| CriteriaError::Malformed(input.trim().chars().take(40).collect()))?;
        match self.get(&code) {
            Some(_) => Ok(code),
            None => Err(CriteriaError::NotInSet {
                code: code.0,
                set: self.name,
            }),
        }
    }
}

/// Every criteria set shipped with Probity.
pub fn all_sets() -> [&'static CriteriaSet; 2] {
    CriteriaSet::all_sets()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(s: &str) -> CriterionCode {
        CriterionCode::new(s).unwrap()
    }

    #[test]
    fn tables_are_valid_sorted_and_complete() {
        for set in all_sets() {
            let codes: Vec<&CriterionCode> = set.criteria.iter().map(|c| &c.code).collect();
            for pair in codes.windows(2) {
                assert!(
                    pair[0] < pair[1],
                    "{}: {} before {}",
                    set.id,
                    pair[0],
                    pair[1]
                );
            }
            for n in 1..=8 {
                assert!(
                    set.get(&code(&n.to_string())).is_some(),
                    "{} lacks {n}",
                    set.id
                );
            }
            for c in &set.criteria {
                assert!(
                    c.title.len() >= 5 && c.summary.len() >= 20,
                    "{} {}",
                    set.id,
                    c.code
                );
                if let Some(parent) = c.code.parent() {
                    assert!(set.get(&parent).is_some(), "{} orphan {}", set.id, c.code);
                }
            }
            assert_eq!(CriteriaSet::by_id(set.id), Some(set));
        }
        assert_eq!(CriteriaSet::by_id("nope"), None);
    }

    #[test]
    fn uk_set_has_the_sub_criteria_refusals_cite() {
        let uk = CriteriaSet::uk_selc();
        for c in [
            "1a", "1d", "2a", "2b", "2c", "2d", "4a", "6c", "7a", "7b", "7c", "7d", "7e", "7f",
        ] {
            assert!(uk.get(&code(c)).is_some(), "{c}");
        }
        let eu = CriteriaSet::eu_common_position();
        for c in ["2a", "2b", "2c", "7f"] {
            assert!(eu.get(&code(c)).is_some(), "{c}");
        }
        assert!(eu.get(&code("2d")).is_none());
    }

    #[test]
    fn citations() {
        let uk = CriteriaSet::uk_selc();
        let ok = [
            ("2c", "2c"),
            ("Criterion 2c", "2c"),
            (" 2C ", "2c"),
            ("criterion 7a", "7a"),
            ("CRITERION 2 (c)", "2c"),
            ("2(d)", "2d"),
            ("2", "2"),
            ("8", "8"),
        ];
        for (input, expected) in ok {
            assert_eq!(uk.parse_citation(input), Ok(code(expected)), "{input:?}");
        }
        let malformed = [
            "",
            "criterion",
            "c2",
            "2cc",
            "02",
            "2-c",
            "two",
            "2c!",
            "123",
        ];
        for input in malformed {
            assert!(
                matches!(uk.parse_citation(input), Err(CriteriaError::Malformed(_))),
                "{input:?}"
            );
        }
        for input in ["9", "2z", "3a", "10"] {
            assert!(
                matches!(
                    uk.parse_citation(input),
                    Err(CriteriaError::NotInSet { .. })
                ),
                "{input:?}"
            );
        }
        let err = CriteriaSet::eu_common_position()
            .parse_citation("2d")
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "criterion 2d is not one of the EU Council Common Position 2008/944/CFSP"
        );
    }

    #[test]
    fn codes_order_numerically() {
        let mut codes: Vec<CriterionCode> = ["10", "2c", "1", "2", "1a", "7f", "2a"]
            .iter()
            .map(|s| code(s))
            .collect();
        codes.sort();
        let sorted: Vec<&str> = codes.iter().map(|c| c.as_str()).collect();
        assert_eq!(sorted, ["1", "1a", "2", "2a", "2c", "7f", "10"]);
        assert_eq!(code("2c").parent(), Some(code("2")));
        assert_eq!(code("2").parent(), None);
        assert_eq!(code("12b").number(), 12);
    }

    #[test]
    fn serde_validates() {
        assert_eq!(serde_json::to_string(&code("2c")).unwrap(), "\"2c\"");
        assert_eq!(
            serde_json::from_str::<CriterionCode>("\"7a\"").unwrap(),
            code("7a")
        );
        assert!(serde_json::from_str::<CriterionCode>("\"2C\"").is_err());
        assert!(serde_json::from_str::<CriterionCode>("\"\"").is_err());
    }
}
