//! ISO 3166-1 alpha-2 country codes. Only officially assigned codes are accepted: user-assigned
//! codes (`XK`, `XX`), exceptionally reserved ones (`UK`, `EU`) and alpha-3 codes are refused, so
//! every destination in the register names a country that anyone can look up.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::countries_table::COUNTRIES;

/// Why a string is not a country code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CountryError {
    #[error("{0:?} is not a two-letter country code")]
    Malformed(String),
    #[error("{0:?} is not an assigned ISO 3166-1 country code")]
    Unknown(String),
}

/// An officially assigned ISO 3166-1 alpha-2 code, always uppercase.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CountryCode([u8; 2]);

impl CountryCode {
    /// Parses a code, ignoring case and surrounding whitespace.
    pub fn parse(input: &str) -> Result<CountryCode, CountryError> {
        let trimmed = input.trim();
        let bytes = trimmed.as_bytes();
        if bytes.len() != 2 || !bytes.iter().all(u8::is_ascii_alphabetic) {
            return Err(CountryError::Malformed(trimmed.chars().take(32).collect()));
        }
        let code = [bytes[0].to_ascii_uppercase(), bytes[1].to_ascii_uppercase()];
        match lookup(code) {
            Some(_) => Ok(CountryCode(code)),
            None => Err(CountryError::Unknown(
                String::from_utf8_lossy(&code).into_owned(),
            )),
        }
    }

    /// The two uppercase letters.
    pub fn as_str(&self) -> &str {
        // Only ever built from ASCII letters; the fallback keeps this total without a panic.
        std::str::from_utf8(&self.0).unwrap_or("??")
    }

    /// The English short name, e.g. "France".
    pub fn name(&self) -> &'static str {
        lookup(self.0).map_or("", |i| COUNTRIES[i].1)
    }
}

/// Why a country typed by name or code was not found.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CountryLookupError {
    #[error("there is no country called “{0}”: type a country's name, such as Saudi Arabia, or its two-letter code, such as SA")]
    NotFound(String),
    #[error("“{typed}” could be {}: choose one", names(.candidates))]
    Ambiguous {
        typed: String,
        candidates: Vec<CountryCode>,
    },
}

fn names(codes: &[CountryCode]) -> String {
    let mut out: Vec<String> = codes
        .iter()
        .map(|c| format!("{} ({})", c.name(), c.as_str()))
        .collect();
    if let Some(last) = out.pop() {
        if out.is_empty() {
            return last;
        }
        return format!("{} or {last}", out.join(", "));
    }
    String::new()
}

/// Common English names the ISO short names do not start with.
const ALIASES: &[(&str, &str)] = &[
    ("uk", "GB"),
    ("britain", "GB"),
    ("great britain", "GB"),
    ("united kingdom", "GB"),
    ("usa", "US"),
    ("america", "US"),
    ("united states", "US"),
    ("turkey", "TR"),
    ("russia", "RU"),
    ("south korea", "KR"),
    ("north korea", "KP"),
    ("syria", "SY"),
    ("vietnam", "VN"),
    ("laos", "LA"),
    ("czech republic", "CZ"),
    ("ivory coast", "CI"),
    ("burma", "MM"),
    ("taiwan", "TW"),
    ("palestine", "PS"),
];

/// Lower case without the accents the table's names carry, so "Turkiye" finds "Türkiye".
fn fold(s: &str) -> String {
    s.trim()
        .chars()
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'á' | 'à' | 'â' | 'ä' | 'å' | 'ã' => 'a',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'í' | 'ì' | 'î' | 'ï' => 'i',
            'ó' | 'ò' | 'ô' | 'ö' | 'õ' => 'o',
            'ú' | 'ù' | 'û' | 'ü' => 'u',
            'ç' => 'c',
            'ñ' => 'n',
            '’' => '\'',
            c => c,
        })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

impl CountryCode {
    /// A country as a person types it: its code (any case), its name or a common English
    /// name, or the start of a name or of a word in it when that names exactly one country.
    pub fn find(input: &str) -> Result<CountryCode, CountryLookupError> {
        let typed = fold(input);
        if let Ok(code) = CountryCode::parse(&typed) {
            return Ok(code);
        }
        if let Some((_, code)) = ALIASES.iter().find(|(a, _)| *a == typed) {
            return CountryCode::parse(code)
                .map_err(|_| CountryLookupError::NotFound(input.trim().into()));
        }
        if typed.len() >= 3 {
            let named: Vec<(CountryCode, String)> =
                all_countries().map(|(c, n)| (c, fold(n))).collect();
            if let Some((c, _)) = named.iter().find(|(_, n)| *n == typed) {
                return Ok(*c);
            }
            let starts: Vec<CountryCode> = named
                .iter()
                .filter(|(_, n)| {
                    n.starts_with(&typed) || n.split([' ', '(', ',']).any(|w| w.starts_with(&typed))
                })
                .map(|(c, _)| *c)
                .collect();
            match starts.len() {
                1 => return Ok(starts[0]),
                0 => {}
                _ => {
                    return Err(CountryLookupError::Ambiguous {
                        typed: input.trim().chars().take(60).collect(),
                        candidates: starts.into_iter().take(8).collect(),
                    })
                }
            }
        }
        Err(CountryLookupError::NotFound(
            input.trim().chars().take(60).collect(),
        ))
    }
}

fn lookup(code: [u8; 2]) -> Option<usize> {
    COUNTRIES
        .binary_search_by(|(c, _)| c.as_bytes().cmp(&code[..]))
        .ok()
}

/// Every assigned country, in code order.
pub fn all_countries() -> impl Iterator<Item = (CountryCode, &'static str)> {
    COUNTRIES.iter().map(|(code, name)| {
        let b = code.as_bytes();
        (CountryCode([b[0], b[1]]), *name)
    })
}

impl fmt::Display for CountryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for CountryCode {
    type Err = CountryError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for CountryCode {
    type Error = CountryError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<CountryCode> for String {
    fn from(c: CountryCode) -> String {
        c.as_str().to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn countries_are_found_by_name_or_code_as_people_type_them() {
        let found = |s: &str| CountryCode::find(s).map(|c| c.as_str().to_string());
        for (typed, code) in [
            ("sa", "SA"),
            ("Saudi Arabia", "SA"),
            ("saudi", "SA"),
            ("  israel ", "IL"),
            ("Turkey", "TR"),
            ("Turkiye", "TR"),
            ("iran", "IR"),
            ("UK", "GB"),
            ("United Kingdom", "GB"),
            ("South Korea", "KR"),
            ("Russia", "RU"),
            ("united arab", "AE"),
        ] {
            assert_eq!(found(typed).as_deref(), Ok(code), "{typed}");
        }
        match CountryCode::find("korea") {
            Err(CountryLookupError::Ambiguous { candidates, .. }) => {
                let codes: Vec<&str> = candidates.iter().map(|c| c.as_str()).collect();
                assert_eq!(codes, ["KP", "KR"]);
            }
            other => panic!("korea is two countries: {other:?}"),
        }
        let e = CountryCode::find("Narnia").unwrap_err();
        assert!(matches!(e, CountryLookupError::NotFound(_)));
        assert!(e.to_string().contains("no country called “Narnia”"), "{e}");
        // Two letters that are no code are not a name either: no guessing from "ZZ".
        assert!(matches!(
            CountryCode::find("zz"),
            Err(CountryLookupError::NotFound(_))
        ));
    }

    #[test]
    fn table_is_complete_sorted_and_well_formed() {
        assert_eq!(COUNTRIES.len(), 249);
        for pair in COUNTRIES.windows(2) {
            assert!(pair[0].0 < pair[1].0, "{:?} before {:?}", pair[0], pair[1]);
        }
        for (code, name) in COUNTRIES {
            assert_eq!(code.len(), 2);
            assert!(code.bytes().all(|b| b.is_ascii_uppercase()), "{code}");
            assert!(!name.is_empty() && name.trim() == *name, "{code}: {name:?}");
        }
        assert_eq!(all_countries().count(), 249);
    }

    #[test]
    fn accepts_assigned_codes_in_any_case() {
        let table = [
            (
                "GB",
                "GB",
                "United Kingdom of Great Britain and Northern Ireland",
            ),
            (
                "gb",
                "GB",
                "United Kingdom of Great Britain and Northern Ireland",
            ),
            (" fr ", "FR", "France"),
            ("uA", "UA", "Ukraine"),
            ("SS", "SS", "South Sudan"),
            ("ax", "AX", "Åland Islands"),
            ("ZW", "ZW", "Zimbabwe"),
            ("AD", "AD", "Andorra"),
        ];
        for (input, code, name) in table {
            let c = CountryCode::parse(input).unwrap();
            assert_eq!(c.as_str(), code);
            assert_eq!(c.to_string(), code);
            assert_eq!(c.name(), name);
        }
    }

    #[test]
    fn refuses_unassigned_and_malformed() {
        let table = [
            ("UK", CountryError::Unknown("UK".into())),
            ("uk", CountryError::Unknown("UK".into())),
            ("XX", CountryError::Unknown("XX".into())),
            ("XK", CountryError::Unknown("XK".into())),
            ("EU", CountryError::Unknown("EU".into())),
            ("AA", CountryError::Unknown("AA".into())),
            ("A1", CountryError::Malformed("A1".into())),
            ("GBR", CountryError::Malformed("GBR".into())),
            ("", CountryError::Malformed("".into())),
            ("G", CountryError::Malformed("G".into())),
            ("G B", CountryError::Malformed("G B".into())),
            ("ÅL", CountryError::Malformed("ÅL".into())),
            ("--", CountryError::Malformed("--".into())),
        ];
        for (input, expected) in table {
            assert_eq!(CountryCode::parse(input), Err(expected), "{input:?}");
        }
        assert!(CountryCode::parse("UK")
            .unwrap_err()
            .to_string()
            .contains("not an assigned"));
    }

    #[test]
    fn serde_as_string() {
        let de = CountryCode::parse("de").unwrap();
        assert_eq!(serde_json::to_string(&de).unwrap(), "\"DE\"");
        assert_eq!(serde_json::from_str::<CountryCode>("\"de\"").unwrap(), de);
        assert!(serde_json::from_str::<CountryCode>("\"UK\"").is_err());
    }

    #[test]
    fn every_listed_country_round_trips() {
        for (code, name) in all_countries() {
            assert_eq!(CountryCode::parse(code.as_str()), Ok(code));
            assert_eq!(code.name(), name);
        }
    }

    proptest! {
        #[test]
        fn two_letters_parse_iff_listed(a in b'A'..=b'Z', b in b'A'..=b'Z', lower in any::<bool>()) {
            let code = String::from_utf8(vec![a, b]).unwrap();
            let listed = COUNTRIES.iter().any(|(c, _)| *c == code);
            let input = if lower { code.to_lowercase() } else { code.clone() };
            match CountryCode::parse(&input) {
                Ok(c) => { prop_assert!(listed); prop_assert_eq!(c.as_str(), code); }
                Err(CountryError::Unknown(u)) => { prop_assert!(!listed); prop_assert_eq!(u, code); }
                Err(e) => prop_assert!(false, "unexpected {e:?}"),
            }
        }

        #[test]
        fn parse_never_panics(s in "\\PC{0,8}") {
            let _ = CountryCode::parse(&s);
        }
    }
}
