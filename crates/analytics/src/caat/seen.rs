//! What one part of a values file has met so far: each rating and destination spelling once,
//! with the checks on it worked out once. A file of millions of rows has a few hundred
//! spellings: a part's rows share one string per spelling instead of allocating their own (at
//! 5 M rows that was 10 M allocations and most of the import's page faults), and the rating's
//! canonical form and the destination's mapping are looked up once per spelling and part, not
//! once per row. Rows of different parts hold equal strings, not the same one. A part that
//! meets more than [`MAX_SPELLINGS`] of a kind (no published file does) makes each row its own
//! beyond that, so memory stays bounded by the rows.

use std::sync::Arc;

use foldhash::HashMap as FastMap;

use crate::countries::{self, CountryInfo};
use crate::ratings;

/// A rating spelling as met in the file.
pub(super) struct SeenRating {
    /// Canonical spelling (e.g. `ML16`).
    pub canonical: Arc<str>,
    /// The spelling in the file, when it differed (e.g. `ml16`).
    pub published: Option<Arc<str>>,
    /// Whether ratings.csv defines the canonical code.
    pub known: bool,
}

/// A destination spelling as met in the file.
pub(super) struct SeenPlace {
    pub name: Arc<str>,
    /// What the country mapping says of it.
    pub info: Option<CountryInfo>,
}

/// Spellings of one kind remembered per part.
pub(super) const MAX_SPELLINGS: usize = 1 << 16;

#[derive(Default)]
pub(super) struct Seen {
    // Spelling → index into the vectors: one lookup a row (a map of the values themselves
    // would need two to satisfy the borrow checker).
    rating_ix: FastMap<Box<str>, usize>,
    ratings: Vec<SeenRating>,
    place_ix: FastMap<Box<str>, usize>,
    places: Vec<SeenPlace>,
    codes: FastMap<Box<str>, Arc<str>>,
    // Beyond MAX_SPELLINGS: the last one met, lent to its row and not remembered.
    unremembered_rating: Option<SeenRating>,
    unremembered_place: Option<SeenPlace>,
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
            published: (canonical != published).then(|| Arc::from(published)),
            canonical: Arc::from(canonical),
        };
        if self.ratings.len() >= MAX_SPELLINGS {
            return self.unremembered_rating.insert(seen);
        }
        self.ratings.push(seen);
        self.rating_ix
            .insert(published.into(), self.ratings.len() - 1);
        &self.ratings[self.ratings.len() - 1]
    }

    /// The destination named `name` (trimmed, not empty).
    pub(super) fn place(&mut self, name: &str) -> &SeenPlace {
        if let Some(&i) = self.place_ix.get(name) {
            return &self.places[i];
        }
        let seen = SeenPlace {
            name: Arc::from(name),
            info: countries::lookup(name),
        };
        if self.places.len() >= MAX_SPELLINGS {
            return self.unremembered_place.insert(seen);
        }
        self.places.push(seen);
        self.place_ix.insert(name.into(), self.places.len() - 1);
        &self.places[self.places.len() - 1]
    }

    /// The file's own country code, as written.
    pub(super) fn code(&mut self, code: &str) -> Arc<str> {
        if let Some(c) = self.codes.get(code) {
            return c.clone();
        }
        let c: Arc<str> = Arc::from(code);
        if self.codes.len() < MAX_SPELLINGS {
            self.codes.insert(code.into(), c.clone());
        }
        c
    }
}

#[cfg(test)]
mod tests {
    use super::{Seen, MAX_SPELLINGS};

    #[test]
    fn spellings_beyond_the_limit_are_given_but_not_remembered() {
        let known = foldhash::HashMap::default();
        let mut seen = Seen::default();
        for i in 0..MAX_SPELLINGS + 3 {
            let spelling = format!("ml{i}");
            let r = seen.rating(&spelling, &known);
            assert_eq!(&*r.canonical, format!("ML{i}"));
            assert_eq!(r.published.as_deref(), Some(spelling.as_str()));
            let p = seen.place(&format!("Place {i}"));
            assert_eq!(&*p.name, format!("Place {i}"));
            assert_eq!(&*seen.code(&format!("C{i}")), format!("C{i}"));
        }
        assert_eq!(seen.rating_ix.len(), MAX_SPELLINGS);
        assert_eq!(seen.place_ix.len(), MAX_SPELLINGS);
        assert_eq!(seen.codes.len(), MAX_SPELLINGS);
        // A remembered spelling is still found, as the same string.
        let a = seen.rating("ml7", &known).canonical.clone();
        let b = seen.rating("ml7", &known).canonical.clone();
        assert!(std::sync::Arc::ptr_eq(&a, &b));
    }
}
