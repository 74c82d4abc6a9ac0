//! Destination names → ISO 3166-1 alpha-2 codes and regions.
//!
//! Every name met in the CAAT UK files is listed explicitly (in `countries/data.rs`); a name not
//! listed is *unknown* (the importer reports it and uses [`UNKNOWN_CODE`]), never matched fuzzily.
//! Names that denote part of a country (Sarawak, a continental-shelf sector, British Antarctic
//! Territory) carry the code of the country or area they belong to, with [`NameKind::Part`].
//! Places with no ISO code of their own get a documented pseudo-code (see [`pseudo_codes`]).
//! Regions are documented on [`Region`].

mod data;

// Looked up once or twice for every imported row: foldhash, not SipHash.
use foldhash::{HashMap, HashMapExt};
use std::fmt;
use std::sync::OnceLock;

use serde::{Serialize, Serializer};

/// The code used for a name that is not in the mapping (ISO user-assigned `ZZ`).
pub const UNKNOWN_CODE: &str = "ZZ";

/// World regions: the World Bank's classification with Europe and Central Asia split
/// (see `ISO_BY_REGION` in the data module for the exact rules).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Region {
    Europe,
    CentralAsia,
    MiddleEastNorthAfrica,
    SubSaharanAfrica,
    SouthAsia,
    EastAsiaPacific,
    NorthAmerica,
    LatinAmericaCaribbean,
    Antarctica,
    /// Non-countries: unspecified territories, international waters, "non specific country".
    Other,
    /// A destination name not in the mapping.
    Unknown,
}

impl Region {
    pub const ALL: [Region; 11] = [
        Region::Europe,
        Region::CentralAsia,
        Region::MiddleEastNorthAfrica,
        Region::SubSaharanAfrica,
        Region::SouthAsia,
        Region::EastAsiaPacific,
        Region::NorthAmerica,
        Region::LatinAmericaCaribbean,
        Region::Antarctica,
        Region::Other,
        Region::Unknown,
    ];

    /// Human-readable name, e.g. "Middle East and North Africa".
    pub fn name(self) -> &'static str {
        match self {
            Region::Europe => "Europe",
            Region::CentralAsia => "Central Asia",
            Region::MiddleEastNorthAfrica => "Middle East and North Africa",
            Region::SubSaharanAfrica => "Sub-Saharan Africa",
            Region::SouthAsia => "South Asia",
            Region::EastAsiaPacific => "East Asia and Pacific",
            Region::NorthAmerica => "North America",
            Region::LatinAmericaCaribbean => "Latin America and Caribbean",
            Region::Antarctica => "Antarctica",
            Region::Other => "Other",
            Region::Unknown => "Unknown",
        }
    }

    /// URL-friendly identifier, e.g. "middle-east-north-africa".
    pub fn slug(self) -> &'static str {
        match self {
            Region::Europe => "europe",
            Region::CentralAsia => "central-asia",
            Region::MiddleEastNorthAfrica => "middle-east-north-africa",
            Region::SubSaharanAfrica => "sub-saharan-africa",
            Region::SouthAsia => "south-asia",
            Region::EastAsiaPacific => "east-asia-pacific",
            Region::NorthAmerica => "north-america",
            Region::LatinAmericaCaribbean => "latin-america-caribbean",
            Region::Antarctica => "antarctica",
            Region::Other => "other",
            Region::Unknown => "unknown",
        }
    }

    /// Parse a name or slug (case-insensitive), or the abbreviation "MENA".
    pub fn parse(text: &str) -> Option<Region> {
        let t = text.trim();
        if t.eq_ignore_ascii_case("mena") {
            return Some(Region::MiddleEastNorthAfrica);
        }
        Region::ALL
            .into_iter()
            .find(|r| t.eq_ignore_ascii_case(r.name()) || t.eq_ignore_ascii_case(r.slug()))
    }

    pub(crate) fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl Serialize for Region {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

/// How a name relates to its code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NameKind {
    /// The name shown for the code.
    Country,
    /// Another name for the same place (e.g. Burma for Myanmar).
    Alias,
    /// Part of the place the code denotes (e.g. Sarawak, in Malaysia).
    Part,
    /// A place with a pseudo-code (see [`pseudo_codes`]).
    Pseudo,
}

/// What a destination name maps to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct CountryInfo {
    pub name: &'static str,
    pub code: &'static str,
    pub region: Region,
    pub kind: NameKind,
}

struct Index {
    by_name: HashMap<&'static str, usize>,
    region_by_code: HashMap<&'static str, Region>,
    name_by_code: HashMap<&'static str, &'static str>,
}

fn index() -> &'static Index {
    static INDEX: OnceLock<Index> = OnceLock::new();
    INDEX.get_or_init(|| {
        let mut region_by_code = HashMap::new();
        for (region, codes) in data::ISO_BY_REGION {
            for code in codes.split_whitespace() {
                region_by_code.insert(code, *region);
            }
        }
        for (code, region, _) in data::PSEUDO_CODES {
            region_by_code.insert(*code, *region);
        }
        let mut by_name = HashMap::new();
        let mut name_by_code = HashMap::new();
        for (i, (name, code, kind)) in data::NAMES.iter().enumerate() {
            by_name.insert(*name, i);
            // Pseudo-coded places are shown by their own name; other codes by their Country name.
            if matches!(kind, NameKind::Country | NameKind::Pseudo) {
                name_by_code.entry(*code).or_insert(*name);
            }
        }
        name_by_code.insert(UNKNOWN_CODE, "Unknown");
        Index {
            by_name,
            region_by_code,
            name_by_code,
        }
    })
}

/// The code kept for a destination name as published: the mapping's, else the file's own
/// `iso2` when it is a known code, else [`UNKNOWN_CODE`] (the import reports the name).
pub fn code_for(name: &str, iso2: Option<&str>) -> String {
    lookup(name)
        .map(|c| c.code.to_string())
        .or_else(|| {
            iso2.map(str::to_ascii_uppercase)
                .filter(|c| is_known_code(c))
        })
        .unwrap_or_else(|| UNKNOWN_CODE.to_string())
}

/// Map a destination name exactly as published. `None` means unknown: report it, do not guess.
pub fn lookup(name: &str) -> Option<CountryInfo> {
    let idx = index();
    let &i = idx.by_name.get(name)?;
    let (name, code, kind) = data::NAMES[i];
    let region = idx
        .region_by_code
        .get(code)
        .copied()
        .unwrap_or(Region::Unknown);
    Some(CountryInfo {
        name,
        code,
        region,
        kind,
    })
}

/// The region of an ISO or pseudo code (upper case), if the code is known.
pub fn region_of(code: &str) -> Option<Region> {
    index().region_by_code.get(code).copied()
}

/// True for the 249 officially assigned ISO 3166-1 alpha-2 codes.
pub fn is_iso_code(code: &str) -> bool {
    data::ISO_BY_REGION
        .iter()
        .any(|(_, codes)| codes.split_whitespace().any(|c| c == code))
}

/// True for ISO codes and the pseudo-codes (including [`UNKNOWN_CODE`]).
pub fn is_known_code(code: &str) -> bool {
    index().region_by_code.contains_key(code)
}

/// The name shown for a code (the CAAT spelling where the data uses one).
pub fn display_name(code: &str) -> Option<&'static str> {
    index().name_by_code.get(code).copied()
}

/// Every listed name with its mapping.
pub fn names() -> impl Iterator<Item = CountryInfo> {
    data::NAMES.iter().filter_map(|(name, _, _)| lookup(name))
}

/// The pseudo-codes: (code, region, meaning).
pub fn pseudo_codes() -> &'static [(&'static str, Region, &'static str)] {
    data::PSEUDO_CODES
}

/// All ISO 3166-1 alpha-2 codes with their region.
pub fn iso_codes() -> impl Iterator<Item = (&'static str, Region)> {
    data::ISO_BY_REGION
        .iter()
        .flat_map(|(region, codes)| codes.split_whitespace().map(move |c| (c, *region)))
}

/// The mapping for a name not in the table: [`UNKNOWN_CODE`], region Unknown.
pub fn unknown() -> (&'static str, Region) {
    (UNKNOWN_CODE, Region::Unknown)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    // Typed independently of the region table, so a typo in either shows up.
    const ISO_3166_1: &str = "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI \
        BJ BL BM BN BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY \
        CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN \
        GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH \
        KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO \
        MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL \
        PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV \
        SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN \
        VU WF WS YE YT ZA ZM ZW";

    #[test]
    fn region_table_covers_every_iso_code_exactly_once() {
        let expected: BTreeSet<&str> = ISO_3166_1.split_whitespace().collect();
        assert_eq!(expected.len(), 249);
        let listed: Vec<&str> = iso_codes().map(|(c, _)| c).collect();
        let unique: BTreeSet<&str> = listed.iter().copied().collect();
        assert_eq!(listed.len(), unique.len(), "a code is in two regions");
        assert_eq!(unique, expected);
    }

    #[test]
    fn every_name_has_a_known_code_and_every_code_a_name() {
        for info in names() {
            assert!(is_known_code(info.code), "{} → {}", info.name, info.code);
            assert_ne!(info.region, Region::Unknown, "{}", info.name);
        }
        for (code, _) in iso_codes() {
            assert!(display_name(code).is_some(), "no name for {code}");
        }
        for (code, _, _) in pseudo_codes() {
            assert!(!is_iso_code(code), "{code} collides with ISO");
            assert!(display_name(code).is_some(), "no name for {code}");
        }
    }

    #[test]
    fn lookups() {
        let sa = lookup("Saudi Arabia").unwrap();
        assert_eq!((sa.code, sa.region), ("SA", Region::MiddleEastNorthAfrica));
        assert_eq!(lookup("Burma").unwrap().code, "MM");
        assert_eq!(lookup("Sarawak").unwrap().kind, NameKind::Part);
        assert_eq!(lookup("Kosovo").unwrap().code, "XK");
        assert_eq!(lookup("Korea, South").unwrap().code, "KR");
        assert_eq!(
            lookup("saudi arabia"),
            None,
            "matching is exact, never guessed"
        );
        assert_eq!(lookup("Atlantis"), None);
        assert_eq!(display_name("MM"), Some("Myanmar"));
        assert_eq!(display_name("GB"), Some("United Kingdom"));
        assert_eq!(Region::parse("MENA"), Some(Region::MiddleEastNorthAfrica));
        assert_eq!(
            Region::parse("sub-saharan-africa"),
            Some(Region::SubSaharanAfrica)
        );
        assert_eq!(
            Region::parse("Middle East and North Africa"),
            Some(Region::MiddleEastNorthAfrica)
        );
    }
}
