//! One row of the values file, as the import holds millions of them.
//!
//! A file of millions of rows has a few hundred rating and destination spellings. Each row
//! points at its spelling's [`RowRating`] and [`RowDestination`], shared by every row of that
//! spelling in one parse part: one pointer each, where four strings (canonical and published
//! rating, destination and code) made a row 120 bytes. At 72 bytes, 5 M rows touch a third
//! less fresh memory, which is most of what the import's page faults cost.

use std::sync::Arc;

use serde::{Serialize, Serializer};
use time::Date;

/// A rating as the rows of one spelling hold it.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct RowRating {
    canonical: Box<str>,
    as_published: Option<Box<str>>,
}

impl RowRating {
    /// `canonical` (e.g. `ML16`), and the file's spelling when it differed (e.g. `ml16`).
    pub fn new(canonical: &str, as_published: Option<&str>) -> Self {
        RowRating {
            canonical: canonical.into(),
            as_published: as_published.map(Into::into),
        }
    }

    /// The canonical spelling: rows of one rating compare equal by this, however published.
    pub fn code(&self) -> &str {
        &self.canonical
    }

    /// The spelling in the file, when it differed from [`RowRating::code`].
    pub fn as_published(&self) -> Option<&str> {
        self.as_published.as_deref()
    }
}

/// A destination as the rows of one spelling hold it.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct RowDestination {
    name: Box<str>,
    iso2: Option<Box<str>>,
}

impl RowDestination {
    /// `name` as published (trimmed), and the file's own country code where it has one.
    pub fn new(name: &str, iso2: Option<&str>) -> Self {
        RowDestination {
            name: name.into(),
            iso2: iso2.map(Into::into),
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// The file's own country code, as written.
    pub fn iso2(&self) -> Option<&str> {
        self.iso2.as_deref()
    }
}

/// One row of the values file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValueRow {
    pub line: u64,
    /// Licence group or cohort id (see [`super::CaatDataset::id_scheme`]).
    pub group: u64,
    pub date: Date,
    pub rating: Arc<RowRating>,
    /// 1 for the file's first row of this (group, rating), 2 for the next, …: with the group
    /// and rating, the row's key (a repeated row is kept, not dropped).
    pub occurrence: u32,
    pub count: Option<u32>,
    /// GBP; `None` where the file has no value (refused rows).
    pub value_gbp: Option<i64>,
    pub destination: Arc<RowDestination>,
    pub refused: bool,
    /// Above [`super::ImportOptions::outlier_threshold_gbp`].
    pub outlier: bool,
}

/// Serialised flat, as the row was before its spellings were shared.
impl Serialize for ValueRow {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Flat<'a> {
            line: u64,
            group: u64,
            date: Date,
            rating: &'a str,
            rating_as_published: Option<&'a str>,
            occurrence: u32,
            count: Option<u32>,
            value_gbp: Option<i64>,
            country: &'a str,
            iso2: Option<&'a str>,
            refused: bool,
            outlier: bool,
        }
        Flat {
            line: self.line,
            group: self.group,
            date: self.date,
            rating: self.rating.code(),
            rating_as_published: self.rating.as_published(),
            occurrence: self.occurrence,
            count: self.count,
            value_gbp: self.value_gbp,
            country: self.destination.name(),
            iso2: self.destination.iso2(),
            refused: self.refused,
            outlier: self.outlier,
        }
        .serialize(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_row_is_a_pointer_per_spelling_not_a_string_each() {
        // What the import's memory was measured against: a row of five million.
        assert!(std::mem::size_of::<ValueRow>() <= 72);
    }

    #[test]
    fn a_row_serialises_as_it_did_before_its_spellings_were_shared() {
        let row = ValueRow {
            line: 3,
            group: 7,
            date: Date::from_calendar_date(2012, time::Month::March, 1).unwrap(),
            rating: Arc::new(RowRating::new("ML16", Some("ml16"))),
            occurrence: 1,
            count: None,
            value_gbp: Some(5),
            destination: Arc::new(RowDestination::new("Saudi Arabia", Some("SA"))),
            refused: false,
            outlier: false,
        };
        let json = serde_json::to_value(&row).unwrap();
        assert_eq!(json["rating"], "ML16");
        assert_eq!(json["rating_as_published"], "ml16");
        assert_eq!(json["country"], "Saudi Arabia");
        assert_eq!(json["iso2"], "SA");
        assert_eq!(json["value_gbp"], 5);
        assert!(json["count"].is_null());
    }
}
