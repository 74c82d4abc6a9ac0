//! probity-screening: screening names of parties against sanctions and denial lists.
//!
//! It knows lists and names, not licences (it does not depend on `probity-domain`):
//!
//! * [`entry`]: what a list holds — entries with the source's own ids, names and aliases,
//!   dates of birth, countries — whatever format it came in.
//! * [`lists`]: parsers for the real files — UK HM Treasury consolidated list CSV, UN Security
//!   Council consolidated XML, US OFAC SDN CSV — and a documented CSV for any other list.
//! * [`diff`]: what a new version of a list added, changed and removed.
//! * [`normalise`]: case, punctuation, diacritics, legal forms, honorifics, transliteration of
//!   other scripts to Latin, and the phonetic keys that make spelling variants meet.
//! * [`index`] and [`matcher`]: a candidate index over every listed name and the scorer that
//!   explains each match, with supporting evidence (kind, country, date of birth, address).

pub mod diff;
pub mod entry;
pub mod error;
mod evidence;
pub mod index;
pub mod lists;
pub mod matcher;
pub mod normalise;

pub use entry::{
    BadLines, EntryKind, EntryName, ListEntry, ListKind, NameKind, ParsedList, PartialDate,
    SkippedLine,
};
pub use error::ListError;
pub use index::Index;
pub use matcher::{Match, Query, Scratch, DEFAULT_THRESHOLD, MAX_MATCHES};
