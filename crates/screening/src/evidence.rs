//! Supporting evidence: what is known about a party besides its name (kind, country, date of
//! birth, address) moves a name's score a little, and says so in the explanation. One rule
//! is decisive: a state body's generic name in another country is another body.

use crate::entry::{EntryKind, NameKind};
use crate::index::{country_key, Index};
use crate::matcher::{Query, Scored};

/// Words that name parts of any state, normalised: a listed name made only of these names a
/// body every country has, told apart by its country alone.
const STATE_BODY_WORDS: &[&str] = &[
    "administration",
    "affairs",
    "agency",
    "air",
    "armed",
    "army",
    "authority",
    "bank",
    "border",
    "cabinet",
    "central",
    "command",
    "commission",
    "committee",
    "council",
    "corps",
    "customs",
    "defence",
    "defense",
    "department",
    "directorate",
    "energy",
    "federal",
    "finance",
    "force",
    "forces",
    "foreign",
    "general",
    "government",
    "guard",
    "guards",
    "headquarters",
    "industry",
    "information",
    "intelligence",
    "interior",
    "justice",
    "military",
    "ministry",
    "national",
    "naval",
    "navy",
    "office",
    "oil",
    "police",
    "presidential",
    "procurement",
    "public",
    "security",
    "service",
    "services",
    "special",
    "staff",
    "state",
    "supreme",
    "trade",
];

/// What an address in common adds: little, as addresses on lists are often old or partial;
/// an address that differs takes nothing away for the same reason.
pub(crate) const ADDRESS_BONUS: f32 = 0.03;

/// Words of an address that place it (Deira, Dubai, Pyongyang), normalised: at least four
/// letters, not a word every address has (street, road, building, office...).
pub(crate) fn place_words(address: &str) -> Vec<Box<str>> {
    let text = crate::normalise::transliterate(address);
    let mut words: Vec<Box<str>> = text
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| w.len() >= 4 && w.bytes().all(|b| b.is_ascii_alphabetic()))
        .filter(|w| !ADDRESS_WORDS.contains(w))
        .map(Into::into)
        .collect();
    words.sort();
    words.dedup();
    words
}

/// The query address's place words that the entry's addresses have too.
fn shared_place_words<'a>(listed: &'a [Box<str>], address: &str) -> Vec<&'a str> {
    let wanted = place_words(address);
    listed
        .iter()
        .filter(|w| wanted.contains(w))
        .map(|w| &**w)
        .collect()
}

/// Words found in addresses everywhere: they place nothing.
const ADDRESS_WORDS: &[&str] = &[
    "apartment",
    "area",
    "avenue",
    "block",
    "boulevard",
    "branch",
    "building",
    "centre",
    "center",
    "city",
    "district",
    "east",
    "estate",
    "floor",
    "free",
    "highway",
    "house",
    "industrial",
    "lane",
    "level",
    "north",
    "office",
    "park",
    "plaza",
    "province",
    "region",
    "road",
    "room",
    "south",
    "square",
    "state",
    "street",
    "suite",
    "tower",
    "trade",
    "unit",
    "west",
    "zone",
];

impl Index {
    /// The score after supporting evidence, and what moved it.
    pub(crate) fn with_evidence(
        &self,
        scored: &Scored,
        n: u32,
        query: &Query<'_>,
    ) -> (f32, Vec<String>) {
        let name = &self.names[n as usize];
        let entry = &self.entries[name.entry as usize];
        let mut score = scored.score;
        let mut notes = Vec::new();
        if name.kind == NameKind::WeakAlias {
            score *= 0.95;
            notes.push("the list marks this alias as weak (−5%)".to_owned());
        }
        if let Some(kind) = query.kind {
            let known = |k: EntryKind| k != EntryKind::Unknown;
            if known(kind) && known(entry.kind) && kind != entry.kind {
                score -= 0.10;
                notes.push(format!(
                    "the party is of kind {} but the entry of kind {} (−0.10)",
                    kind.as_str(),
                    entry.kind.as_str()
                ));
            }
        }
        if let Some(country) = query.country.filter(|c| !c.trim().is_empty()) {
            if !entry.countries.is_empty() {
                let wanted = country_key(country);
                let hit = entry.countries.iter().position(|c| {
                    c == &wanted || c.contains(&wanted) || wanted.contains(c.as_str())
                });
                match hit {
                    Some(k) => {
                        score += 0.03;
                        notes.push(format!(
                            "the entry names {} (+0.03)",
                            entry.country_names[k]
                        ));
                    }
                    // A state body's name ("Ministry of Defence") is the same in every
                    // country: in another country it is another body, not a match.
                    None if entry.kind != EntryKind::Individual && self.is_state_body_name(n) => {
                        score = 0.0;
                        notes.push(format!(
                            "a state body's name, and the entry is of {}, not {country}: another body",
                            entry.country_names.join(", ")
                        ));
                    }
                    None => {
                        score -= 0.05;
                        notes.push(format!(
                            "the entry names {}, not {country} (−0.05)",
                            entry.country_names.join(", ")
                        ));
                    }
                }
            }
        }
        if let Some(address) = query.address {
            let shared = shared_place_words(&entry.address_words, address);
            if !shared.is_empty() {
                score += ADDRESS_BONUS;
                notes.push(format!(
                    "the entry's address also names {} (+{ADDRESS_BONUS:.2})",
                    shared.join(", ")
                ));
            }
        }
        if let Some(dob) = query.date_of_birth {
            if !entry.dates_of_birth.is_empty() {
                let close = entry
                    .dates_of_birth
                    .iter()
                    .any(|d| d.year.abs_diff(dob.year) <= 1);
                if entry.dates_of_birth.iter().any(|d| d.year == dob.year) {
                    score += 0.05;
                    notes.push(format!("born in {} like the entry (+0.05)", dob.year));
                } else if !close {
                    score -= 0.10;
                    let listed: Vec<String> =
                        entry.dates_of_birth.iter().map(|d| d.to_string()).collect();
                    notes.push(format!(
                        "the entry was born {}, not {} (−0.10)",
                        listed.join(" or "),
                        dob.year
                    ));
                }
            }
        }
        (score.clamp(0.0, 1.0), notes)
    }

    /// Is every word of the listed name one that names a part of any state (ministry,
    /// defence, armed forces, central bank...)?
    fn is_state_body_name(&self, n: u32) -> bool {
        let name = &self.names[n as usize];
        !name.tokens.is_empty()
            && name
                .tokens
                .iter()
                .all(|&t| STATE_BODY_WORDS.contains(&&*self.vocab[t as usize].text))
    }
}
