//! Human-facing case references (`GBSIEL/2026/0000123`) and licence numbers
//! (`GBSIEL/2026/0000123/L1`). Parsing is strict: only the canonical rendering is accepted,
//! so a reference has exactly one spelling in the register.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// The letters in front of a reference; they tell the kind of case at a glance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ReferencePrefix {
    Siel,
    Oiel,
    Appeal,
}

impl ReferencePrefix {
    pub const ALL: [ReferencePrefix; 3] = [Self::Siel, Self::Oiel, Self::Appeal];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Siel => "GBSIEL",
            Self::Oiel => "GBOIEL",
            Self::Appeal => "GBAPL",
        }
    }
}

impl fmt::Display for ReferencePrefix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ReferencePrefix {
    type Err = ReferenceError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|p| p.as_str() == s)
            .ok_or_else(|| ReferenceError::Prefix(s.to_string()))
    }
}

/// What is wrong with a case reference or licence number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReferenceError {
    #[error("expected PREFIX/YEAR/NUMBER such as GBSIEL/2026/0000123, got {0:?}")]
    Shape(String),
    #[error("unknown reference prefix {0:?}: expected GBSIEL, GBOIEL or GBAPL")]
    Prefix(String),
    #[error("reference year {0:?} must be four digits")]
    Year(String),
    #[error("reference number {0:?} must be at least seven digits, zero-padded to seven")]
    Number(String),
    #[error(
        "licence number {0:?} must end in /L followed by a sequence number from 1, such as /L1"
    )]
    LicenceSuffix(String),
}

/// A case reference, e.g. `GBSIEL/2026/0000123`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CaseReference {
    pub prefix: ReferencePrefix,
    pub year: u16,
    pub number: u32,
}

impl CaseReference {
    pub const fn new(prefix: ReferencePrefix, year: u16, number: u32) -> Self {
        Self {
            prefix,
            year,
            number,
        }
    }
}

impl fmt::Display for CaseReference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{:04}/{:07}", self.prefix, self.year, self.number)
    }
}

fn all_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

impl FromStr for CaseReference {
    type Err = ReferenceError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let parts: Vec<&str> = s.split('/').collect();
        let [prefix, year, number] = parts.as_slice() else {
            return Err(ReferenceError::Shape(s.to_string()));
        };
        let prefix: ReferencePrefix = prefix.parse()?;
        if year.len() != 4 || !all_digits(year) {
            return Err(ReferenceError::Year(year.to_string()));
        }
        let year: u16 = year
            .parse()
            .map_err(|_| ReferenceError::Year(year.to_string()))?;
        let bad_number = || ReferenceError::Number(number.to_string());
        if number.len() < 7 || !all_digits(number) {
            return Err(bad_number());
        }
        // Wider than the padding: no extra leading zeros, so each number has one spelling.
        if number.len() > 7 && number.starts_with('0') {
            return Err(bad_number());
        }
        let number: u32 = number.parse().map_err(|_| bad_number())?;
        Ok(Self::new(prefix, year, number))
    }
}

impl TryFrom<String> for CaseReference {
    type Error = ReferenceError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<CaseReference> for String {
    fn from(r: CaseReference) -> String {
        r.to_string()
    }
}

/// A licence number: the case reference plus `/L<n>` (a case may yield several licences).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct LicenceNumber(String);

impl LicenceNumber {
    pub fn for_case(case: &CaseReference, n: u32) -> Self {
        Self(format!("{case}/L{n}"))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The case this licence was issued on.
    pub fn case_reference(&self) -> CaseReference {
        let (case, _) = self.split();
        // Every constructor renders a canonical case reference, so this parse cannot fail;
        // the fallback only keeps the function total.
        case.parse()
            .unwrap_or(CaseReference::new(ReferencePrefix::Siel, 0, 0))
    }

    /// The `n` in `/L<n>`.
    pub fn sequence(&self) -> u32 {
        self.split().1.parse().unwrap_or(0)
    }

    fn split(&self) -> (&str, &str) {
        match self.0.rsplit_once("/L") {
            Some((case, n)) => (case, n),
            None => (&self.0, ""),
        }
    }
}

impl fmt::Display for LicenceNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for LicenceNumber {
    type Err = ReferenceError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let Some((case, n)) = s.rsplit_once('/') else {
            return Err(ReferenceError::Shape(s.to_string()));
        };
        let case: CaseReference = case.parse()?;
        let bad = || ReferenceError::LicenceSuffix(s.to_string());
        let digits = n.strip_prefix('L').ok_or_else(bad)?;
        if !all_digits(digits) || digits.starts_with('0') {
            return Err(bad());
        }
        let n: u32 = digits.parse().map_err(|_| bad())?;
        Ok(Self::for_case(&case, n))
    }
}

impl TryFrom<String> for LicenceNumber {
    type Error = ReferenceError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<LicenceNumber> for String {
    fn from(n: LicenceNumber) -> String {
        n.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn renders_zero_padded() {
        let cases = [
            (ReferencePrefix::Siel, 2026, 123, "GBSIEL/2026/0000123"),
            (ReferencePrefix::Oiel, 2025, 1, "GBOIEL/2025/0000001"),
            (
                ReferencePrefix::Appeal,
                2030,
                9_999_999,
                "GBAPL/2030/9999999",
            ),
            (
                ReferencePrefix::Siel,
                2026,
                12_345_678,
                "GBSIEL/2026/12345678",
            ),
        ];
        for (prefix, year, number, text) in cases {
            let r = CaseReference::new(prefix, year, number);
            assert_eq!(r.to_string(), text);
            assert_eq!(text.parse::<CaseReference>().unwrap(), r);
        }
    }

    #[test]
    fn rejects_non_canonical_references() {
        use ReferenceError as E;
        type Check = fn(&ReferenceError) -> bool;
        let table: &[(&str, Check)] = &[
            ("", |e| matches!(e, E::Shape(_))),
            ("GBSIEL/2026", |e| matches!(e, E::Shape(_))),
            ("GBSIEL/2026/0000123/x", |e| matches!(e, E::Shape(_))),
            ("gbsiel/2026/0000123", |e| matches!(e, E::Prefix(_))),
            ("GBXYZ/2026/0000123", |e| matches!(e, E::Prefix(_))),
            (" GBSIEL/2026/0000123", |e| matches!(e, E::Prefix(_))),
            ("GBSIEL/26/0000123", |e| matches!(e, E::Year(_))),
            ("GBSIEL/20a6/0000123", |e| matches!(e, E::Year(_))),
            ("GBSIEL/+202/0000123", |e| matches!(e, E::Year(_))),
            ("GBSIEL/2026/123", |e| matches!(e, E::Number(_))),
            ("GBSIEL/2026/000012a", |e| matches!(e, E::Number(_))),
            ("GBSIEL/2026/00000123", |e| matches!(e, E::Number(_))),
            ("GBSIEL/2026/+000123", |e| matches!(e, E::Number(_))),
            ("GBSIEL/2026/99999999999", |e| matches!(e, E::Number(_))),
            ("GBSIEL/2026/0000123 ", |e| matches!(e, E::Number(_))),
        ];
        for (input, expected) in table {
            let err = input.parse::<CaseReference>().unwrap_err();
            assert!(expected(&err), "{input:?} gave {err:?}");
        }
    }

    #[test]
    fn errors_say_what_is_wrong() {
        let err = "GBSIEL/26/0000123".parse::<CaseReference>().unwrap_err();
        assert!(err.to_string().contains("year"), "{err}");
        let err = "GBX/2026/0000123".parse::<CaseReference>().unwrap_err();
        assert!(err.to_string().contains("prefix"), "{err}");
    }

    #[test]
    fn licence_numbers() {
        let case = CaseReference::new(ReferencePrefix::Siel, 2026, 123);
        let n = LicenceNumber::for_case(&case, 1);
        assert_eq!(n.as_str(), "GBSIEL/2026/0000123/L1");
        assert_eq!(n.case_reference(), case);
        assert_eq!(n.sequence(), 1);
        assert_eq!(n.as_str().parse::<LicenceNumber>().unwrap(), n);
        let n12 = LicenceNumber::for_case(&case, 12);
        assert_eq!(n12.sequence(), 12);
        for bad in [
            "GBSIEL/2026/0000123",
            "GBSIEL/2026/0000123/",
            "GBSIEL/2026/0000123/L",
            "GBSIEL/2026/0000123/L0",
            "GBSIEL/2026/0000123/L01",
            "GBSIEL/2026/0000123/1",
            "GBSIEL/2026/0000123/l1",
            "GBSIEL/2026/123/L1",
            "L1",
        ] {
            assert!(bad.parse::<LicenceNumber>().is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn serde_as_strings() {
        let case = CaseReference::new(ReferencePrefix::Oiel, 2026, 42);
        assert_eq!(
            serde_json::to_string(&case).unwrap(),
            "\"GBOIEL/2026/0000042\""
        );
        let n = LicenceNumber::for_case(&case, 3);
        let json = serde_json::to_string(&n).unwrap();
        assert_eq!(json, "\"GBOIEL/2026/0000042/L3\"");
        assert_eq!(serde_json::from_str::<LicenceNumber>(&json).unwrap(), n);
        assert!(serde_json::from_str::<CaseReference>("\"GBOIEL/2026/42\"").is_err());
        assert!(serde_json::from_str::<LicenceNumber>("\"GBOIEL/2026/0000042\"").is_err());
    }

    proptest! {
        #[test]
        fn round_trip(p in 0usize..3, year in 0u16..=9999, number in any::<u32>(), seq in 1u32..) {
            let r = CaseReference::new(ReferencePrefix::ALL[p], year, number);
            prop_assert_eq!(r.to_string().parse::<CaseReference>().unwrap(), r);
            let n = LicenceNumber::for_case(&r, seq);
            let parsed: LicenceNumber = n.as_str().parse().unwrap();
            prop_assert_eq!(parsed.case_reference(), r);
            prop_assert_eq!(parsed.sequence(), seq);
        }

        #[test]
        fn parse_never_panics(s in "\\PC{0,40}") {
            let _ = s.parse::<CaseReference>();
            let _ = s.parse::<LicenceNumber>();
        }
    }
}
