//! What a list holds, whichever format it came in: entries with the source's own id, their
//! names and aliases, and the supporting details a match can be weighed against.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Which list a version belongs to. `Other` is any list loaded through the documented CSV
/// format (and Probity's own denials), named by whoever loads it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum ListKind {
    /// HM Treasury (OFSI) consolidated list, CSV.
    UkHmt,
    /// UN Security Council consolidated list, XML.
    Un,
    /// US OFAC Specially Designated Nationals list, `sdn.csv`.
    OfacSdn,
    /// Probity's own denials: parties of refused cases.
    Denials,
    /// A list in the documented CSV format, with its own short name (`[a-z0-9-]`, 1–40).
    Other(String),
}

impl ListKind {
    /// The list's stable short name, as used in `probity screen` output.
    pub fn name(&self) -> &str {
        match self {
            Self::UkHmt => "uk-hmt",
            Self::Un => "un",
            Self::OfacSdn => "ofac-sdn",
            Self::Denials => "denials",
            Self::Other(name) => name,
        }
    }

    /// Parses a short name; anything other than the built-in names must be a valid custom name.
    pub fn parse(name: &str) -> Result<Self, String> {
        match name {
            "uk-hmt" => Ok(Self::UkHmt),
            "un" => Ok(Self::Un),
            "ofac-sdn" => Ok(Self::OfacSdn),
            "denials" => Ok(Self::Denials),
            other => {
                let ok = !other.is_empty()
                    && other.len() <= 40
                    && other
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                    && !other.starts_with('-');
                if ok {
                    Ok(Self::Other(other.to_owned()))
                } else {
                    Err(format!(
                        "\"{other}\" is not a list name: use uk-hmt, un, ofac-sdn, denials, or a \
                         name of 1 to 40 lower-case letters, digits and hyphens"
                    ))
                }
            }
        }
    }
}

impl fmt::Display for ListKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Whether an entry is a person, an organisation, or a vessel or aircraft.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    Individual,
    Entity,
    Vessel,
    Aircraft,
    /// The source does not say.
    Unknown,
}

impl EntryKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Individual => "individual",
            Self::Entity => "entity",
            Self::Vessel => "vessel",
            Self::Aircraft => "aircraft",
            Self::Unknown => "unknown",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text.trim().to_ascii_lowercase().as_str() {
            "individual" | "person" => Some(Self::Individual),
            "entity" | "organisation" | "organization" | "company" => Some(Self::Entity),
            "vessel" | "ship" => Some(Self::Vessel),
            "aircraft" => Some(Self::Aircraft),
            "" | "unknown" => Some(Self::Unknown),
            _ => None,
        }
    }
}

/// How the source describes a name of an entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NameKind {
    /// The primary name (HMT "Prime Alias", UN FIRST..FOURTH_NAME, OFAC SDN_Name).
    Primary,
    /// An alias (HMT "AKA", UN alias of good quality, OFAC `a.k.a.`).
    Alias,
    /// A weak alias (UN quality "Low", OFAC `w.k.a.`): matches on it are scored lower.
    WeakAlias,
    /// A former name (HMT "FKA", OFAC `f.k.a.`).
    Former,
    /// The name in its original script (UN NAME_ORIGINAL_SCRIPT).
    OriginalScript,
}

impl NameKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Primary => "primary name",
            Self::Alias => "alias",
            Self::WeakAlias => "weak alias",
            Self::Former => "former name",
            Self::OriginalScript => "name in original script",
        }
    }
}

/// One name of an entry, as the source spells it (trimmed, inner runs of spaces collapsed).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct EntryName {
    pub name: String,
    pub kind: NameKind,
}

/// A date as lists give them: often only a year, sometimes a year and month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct PartialDate {
    pub year: u16,
    pub month: Option<u8>,
    pub day: Option<u8>,
}

impl fmt::Display for PartialDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.month, self.day) {
            (Some(m), Some(d)) => write!(f, "{:04}-{m:02}-{d:02}", self.year),
            (Some(m), None) => write!(f, "{:04}-{m:02}", self.year),
            _ => write!(f, "{:04}", self.year),
        }
    }
}

/// One listed person, organisation, vessel or aircraft.
///
/// Every `Vec` is de-duplicated and kept in the source's order, so that two parses of the same
/// entry compare equal and [`ListEntry::fingerprint`] is stable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListEntry {
    /// The source's own id: HMT Group ID, UN REFERENCE_NUMBER (`QDi.001`), OFAC `ent_num`.
    pub entry_id: String,
    pub kind: EntryKind,
    /// The primary name first, then aliases, former names and original-script names.
    pub names: Vec<EntryName>,
    pub dates_of_birth: Vec<PartialDate>,
    /// Countries as the source names them (nationality, citizenship, address, registration).
    pub countries: Vec<String>,
    /// Addresses, one line each, as the source gives them.
    pub addresses: Vec<String>,
    /// Sanctions programmes or regimes (OFAC programs, HMT Regime, UN_LIST_TYPE).
    pub programmes: Vec<String>,
    /// The date the entry was listed, when the source says.
    pub listed_on: Option<PartialDate>,
    /// Free text the source gives (remarks, other information, comments).
    pub remarks: String,
}

impl ListEntry {
    /// The primary name (the first name; parsers guarantee there is one).
    pub fn primary_name(&self) -> &str {
        self.names.first().map(|n| n.name.as_str()).unwrap_or("")
    }

    /// A SHA-256 of the entry's content, hex: two versions of a list compare entries by id and
    /// fingerprint to say what changed.
    pub fn fingerprint(&self) -> String {
        use sha2::{Digest, Sha256};
        let mut hasher = Sha256::new();
        // serde_json is not a dependency of the library; a simple length-prefixed encoding of
        // every field is as stable and cannot be confused across field boundaries.
        let mut put = |s: &str| {
            hasher.update((s.len() as u64).to_be_bytes());
            hasher.update(s.as_bytes());
        };
        put(&self.entry_id);
        put(self.kind.as_str());
        for n in &self.names {
            put(n.kind.as_str());
            put(&n.name);
        }
        put("|dob");
        for d in &self.dates_of_birth {
            put(&d.to_string());
        }
        put("|countries");
        for c in &self.countries {
            put(c);
        }
        put("|addresses");
        for a in &self.addresses {
            put(a);
        }
        put("|programmes");
        for p in &self.programmes {
            put(p);
        }
        put("|listed");
        put(&self.listed_on.map(|d| d.to_string()).unwrap_or_default());
        put(&self.remarks);
        hex::encode(hasher.finalize())
    }
}

/// A line the parser could not take, with the reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SkippedLine {
    /// 1-based line number in the file (for XML, the line where the element starts).
    pub line: u64,
    pub reason: String,
}

impl fmt::Display for SkippedLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.reason)
    }
}

/// A parsed list file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedList {
    pub kind: ListKind,
    /// The date the source says the list was generated or last updated, if it says.
    pub published: Option<PartialDate>,
    /// SHA-256 of the file's bytes, hex.
    pub file_sha256: String,
    /// Entries in file order, each id once.
    pub entries: Vec<ListEntry>,
    /// Lines skipped (only when parsing with [`BadLines::Skip`]).
    pub skipped: Vec<SkippedLine>,
}

/// What to do with a bad line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BadLines {
    /// Refuse the whole file at the first bad line: nothing loads.
    Refuse,
    /// Skip bad lines, report every one in [`ParsedList::skipped`].
    Skip,
}
