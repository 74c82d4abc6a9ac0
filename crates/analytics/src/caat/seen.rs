//! What one part of a values file has met so far: each rating and destination spelling once,
//! with the checks on it worked out once, and the last date (a group's rows share theirs). A
//! file of millions of rows has a few hundred spellings: a part's rows share one [`RowRating`]
//! and [`RowDestination`] per spelling instead of allocating strings of their own (at 5 M rows
//! that was 10 M allocations and most of the import's page faults), and the rating's canonical
//! form and the destination's mapping are looked up once per spelling and part, not once per
//! row. Rows of different parts hold equal values, not the same one. A part that meets more
//! than [`MAX_SPELLINGS`] of a kind (no published file does) makes each row its own beyond
//! that, so memory stays bounded by the rows.

use std::sync::Arc;

use foldhash::HashMap as FastMap;

use super::csvread::parse_date;
use super::row::{RowDestination, RowRating};
use crate::countries::{self, CountryInfo};
use crate::ratings;

/// A rating spelling as met in the file.
pub(super) struct SeenRating {
    /// What its rows hold: the canonical spelling and, when it differed, the file's.
    pub row: Arc<RowRating>,
    /// Whether ratings.csv defines the canonical code.
    pub known: bool,
}

/// A destination spelling as met in the file.
pub(super) struct SeenPlace {
    /// What the country mapping says of it.
    pub info: Option<CountryInfo>,
    /// What its rows hold, one for each code the file gives it (almost always one).
    by_code: Vec<Arc<RowDestination>>,
}

/// Spellings of one kind remembered per part; a destination's codes likewise.
pub(super) const MAX_SPELLINGS: usize = 1 << 16;
const MAX_CODES: usize = 16;

#[derive(Default)]
pub(super) struct Seen {
    // Spelling → index into the vectors: one lookup a row (a map of the values themselves
    // would need two to satisfy the borrow checker).
    rating_ix: FastMap<Box<str>, usize>,
    ratings: Vec<SeenRating>,
    place_ix: FastMap<Box<str>, usize>,
    places: Vec<SeenPlace>,
    // Beyond MAX_SPELLINGS: the last one met, lent to its row and not remembered.
    unremembered_rating: Option<SeenRating>,
    // The last date read, as written: a group's rows share theirs.
    last_date: Option<(String, time::Date)>,
}

impl Seen {
    /// The rating published as `published` (trimmed, not empty); `known` as
    /// [`super::values::parse_values`] takes it.
    pub(super) fn rating(
        &mut self,
        published: &str,
        known: &foldhash::HashMap<String, bool>,
    ) -> &SeenRating {
        // Not `entry`: that would allocate the key for every row.
        if let Some(&i) = self.rating_ix.get(published) {
            return &self.ratings[i];
        }
        let canonical = ratings::normalise(published);
        let seen = SeenRating {
            known: known.contains_key(&canonical),
            row: Arc::new(RowRating::new(
                &canonical,
                (canonical != published).then_some(published),
            )),
        };
        if self.ratings.len() >= MAX_SPELLINGS {
            return self.unremembered_rating.insert(seen);
        }
        self.ratings.push(seen);
        self.rating_ix
            .insert(published.into(), self.ratings.len() - 1);
        &self.ratings[self.ratings.len() - 1]
    }

    /// The date written `text`, as [`parse_date`] reads it (the last one remembered).
    pub(super) fn date(&mut self, text: &str) -> Result<time::Date, String> {
        if let Some((t, d)) = &self.last_date {
            if t == text {
                return Ok(*d);
            }
        }
        let d = parse_date(text)?;
        let (t, last) = self.last_date.get_or_insert_with(|| (String::new(), d));
        t.clear();
        t.push_str(text);
        *last = d;
        Ok(d)
    }

    /// The destination named `name` (trimmed, not empty) with the file's code `iso2`, and
    /// what the country mapping says of the name.
    pub(super) fn destination(
        &mut self,
        name: &str,
        iso2: Option<&str>,
    ) -> (Arc<RowDestination>, Option<CountryInfo>) {
        let i = match self.place_ix.get(name) {
            Some(&i) => i,
            None if self.places.len() >= MAX_SPELLINGS => {
                let info = countries::lookup(name);
                return (Arc::new(RowDestination::new(name, iso2)), info);
            }
            None => {
                self.places.push(SeenPlace {
                    info: countries::lookup(name),
                    by_code: Vec::new(),
                });
                self.place_ix.insert(name.into(), self.places.len() - 1);
                self.places.len() - 1
            }
        };
        let place = &mut self.places[i];
        let info = place.info;
        if let Some(d) = place.by_code.iter().find(|d| d.iso2() == iso2) {
            return (d.clone(), info);
        }
        let d = Arc::new(RowDestination::new(name, iso2));
        if place.by_code.len() < MAX_CODES {
            place.by_code.push(d.clone());
        }
        (d, info)
    }
}

#[cfg(test)]
mod tests {
    use super::{Seen, MAX_CODES, MAX_SPELLINGS};

    #[test]
    fn spellings_beyond_the_limit_are_given_but_not_remembered() {
        let known = foldhash::HashMap::default();
        let mut seen = Seen::default();
        for i in 0..MAX_SPELLINGS + 3 {
            let spelling = format!("ml{i}");
            let r = seen.rating(&spelling, &known);
            assert_eq!(r.row.code(), format!("ML{i}"));
            assert_eq!(r.row.as_published(), Some(spelling.as_str()));
            let (d, _) = seen.destination(&format!("Place {i}"), None);
            assert_eq!(d.name(), format!("Place {i}"));
        }
        assert_eq!(seen.rating_ix.len(), MAX_SPELLINGS);
        assert_eq!(seen.place_ix.len(), MAX_SPELLINGS);
        // A remembered spelling is still found, as the same rating.
        let a = seen.rating("ml7", &known).row.clone();
        let b = seen.rating("ml7", &known).row.clone();
        assert!(std::sync::Arc::ptr_eq(&a, &b));
    }

    #[test]
    fn a_date_is_read_as_parse_date_reads_it_however_often_it_repeats() {
        let mut seen = Seen::default();
        for text in [
            "2012-02-29",
            "2012-02-29",
            "2013-02-29",
            "2012-02-29",
            " 2012-03-01",
            "",
        ] {
            assert_eq!(seen.date(text), super::parse_date(text), "{text:?}");
        }
    }

    #[test]
    fn a_destination_is_shared_per_name_and_code() {
        let mut seen = Seen::default();
        let (a, info) = seen.destination("Saudi Arabia", Some("SA"));
        assert!(info.is_some());
        let (b, _) = seen.destination("Saudi Arabia", Some("SA"));
        let (c, _) = seen.destination("Saudi Arabia", None);
        assert!(std::sync::Arc::ptr_eq(&a, &b));
        assert!(!std::sync::Arc::ptr_eq(&a, &c));
        assert_eq!((c.name(), c.iso2()), ("Saudi Arabia", None));
        // Codes beyond the limit are given but not remembered.
        for i in 0..MAX_CODES + 3 {
            let code = format!("X{i}");
            let (d, _) = seen.destination("Atlantis", Some(&code));
            assert_eq!(d.iso2(), Some(code.as_str()));
        }
        assert_eq!(
            seen.places[seen.place_ix["Atlantis"]].by_code.len(),
            MAX_CODES
        );
    }
}
