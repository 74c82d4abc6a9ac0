//! The columnar licence table: one row per (licence group, rating), dictionary-encoded.
//!
//! A [`Table`] is one or more [`Part`]s (`parts`): the imported history and Probity's own
//! decisions are built apart, so a new decision rebuilds only the small part. In a part, rows
//! are sorted by (group date, source, licence group), so all rows of a group are adjacent
//! (distinct counts need only compare with the previous row's group) and, when every group has a
//! single date, the date column is sorted (date ranges become binary searches).

mod build;
pub(crate) mod cells;
mod order;
mod parts;
pub(crate) mod rating_cells;
mod types;

use serde::Serialize;
use time::Date;

pub use build::{RowInput, TableBuilder, TableError};
pub use types::{Decision, LicenceType, Source};

use crate::countries::Region;
use crate::ratings::RatingKind;

pub(crate) const FLAG_OUTLIER: u8 = 1;
pub(crate) const FLAG_NO_VALUE: u8 = 2;
/// Dates are stored as days since 1970-01-01, whose Julian day number this is.
pub(crate) const UNIX_EPOCH_JULIAN_DAY: i32 = 2_440_588;
pub(crate) const BASE_YEAR: i32 = 1900;

/// A rating in the table's dictionary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RatingEntry {
    pub code: String,
    pub kind: RatingKind,
    pub description: String,
}

/// A destination name as published, with its mapping.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlaceEntry {
    pub name: String,
    pub code: String,
    pub region: Region,
}

/// A destination code (ISO 3166-1 alpha-2 or pseudo-code) with the name shown for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CodeEntry {
    pub code: String,
    pub name: String,
    pub region: Region,
}

/// A refusal criterion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CriterionEntry {
    pub code: String,
    pub description: String,
}

pub use parts::Table;

/// One part of a table: rows built, sorted and pre-aggregated together, with their own
/// dictionaries. Build one with [`TableBuilder`] or [`Table::from_caat`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Part {
    // Per row.
    pub(crate) gidx: Vec<u32>,
    pub(crate) date: Vec<i32>,
    /// Months since January 1900.
    pub(crate) ym: Vec<u16>,
    pub(crate) rating: Vec<u16>,
    pub(crate) place: Vec<u16>,
    pub(crate) decision: Vec<u8>,
    pub(crate) source: Vec<u8>,
    pub(crate) ltype: Vec<u8>,
    pub(crate) flags: Vec<u8>,
    pub(crate) value: Vec<i64>,
    pub(crate) count: Vec<u32>,
    // Per group (dense index `gidx`).
    pub(crate) group_id: Vec<u64>,
    /// Criteria cited by the group: a bitset over `criteria` (the union over its rows' input).
    pub(crate) group_crit: Vec<u32>,
    /// Row range of group g is `group_start[g]..group_start[g + 1]`.
    pub(crate) group_start: Vec<u32>,
    /// Rows of each place, ascending: an index for selective destination filters.
    pub(crate) place_rows: Vec<Vec<u32>>,
    /// True if every group's rows share one destination, so per-place row lists never split a
    /// group between lists.
    pub(crate) single_place_groups: bool,
    /// (source, licence id, gidx), sorted, for lookups by id.
    pub(crate) group_lookup: Vec<(u8, u64, u32)>,
    // Dictionaries, each in display order.
    pub(crate) ratings: Vec<RatingEntry>,
    pub(crate) places: Vec<PlaceEntry>,
    pub(crate) codes: Vec<CodeEntry>,
    /// Index into `codes` for each place.
    pub(crate) place_code: Vec<u16>,
    pub(crate) criteria: Vec<CriterionEntry>,
    pub(crate) ym_min: u16,
    pub(crate) ym_max: u16,
    pub(crate) sorted_by_date: bool,
    /// Most threads a query may use; 0 means one per available core (at most 8).
    pub(crate) max_threads: usize,
    /// Groups pre-aggregated for queries that do not look at ratings.
    pub(crate) cells: cells::Cells,
    /// The cells split by rating set, for queries that filter or group by a rating.
    pub(crate) rating_cells: rating_cells::RatingCells,
    /// Answer from the cells where a query allows (tests turn it off to compare).
    pub(crate) use_cells: bool,
}

/// One row, decoded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowView<'a> {
    pub source: Source,
    pub licence: u64,
    pub date: Date,
    pub rating: &'a str,
    pub rating_kind: RatingKind,
    pub destination: &'a str,
    pub iso2: &'a str,
    pub region: Region,
    pub decision: Decision,
    pub licence_type: LicenceType,
    /// `None` where the source has no value (CAAT refused rows).
    pub value_gbp: Option<i64>,
    pub count: u32,
    pub criteria: Vec<&'a str>,
    pub outlier: bool,
}

pub(crate) fn days_to_date(days: i32) -> Date {
    Date::from_julian_day(days + UNIX_EPOCH_JULIAN_DAY).unwrap_or(Date::MIN)
}

pub(crate) fn date_to_days(d: Date) -> i32 {
    d.to_julian_day() - UNIX_EPOCH_JULIAN_DAY
}

impl Part {
    /// Number of pre-aggregated cells, and rows left to scan row by row.
    #[doc(hidden)]
    pub fn cell_stats(&self) -> (usize, usize) {
        let rows = self.cells.residual.iter().map(|(a, b)| b - a).sum();
        (self.cells.len(), rows)
    }

    /// Build the pre-aggregated cells again (benchmarks time it).
    #[doc(hidden)]
    pub fn rebuild_cells(&mut self) {
        self.cells = cells::Cells::build(self);
        self.rating_cells = rating_cells::RatingCells::build(self);
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.gidx.len()
    }

    /// Number of distinct licence groups.
    pub fn groups(&self) -> usize {
        self.group_id.len()
    }

    /// Earliest and latest row dates.
    pub fn date_range(&self) -> Option<(Date, Date)> {
        if self.sorted_by_date {
            let (a, b) = (self.date.first()?, self.date.last()?);
            return Some((days_to_date(*a), days_to_date(*b)));
        }
        let min = self.date.iter().min()?;
        let max = self.date.iter().max()?;
        Some((days_to_date(*min), days_to_date(*max)))
    }

    /// Row `i` decoded, or `None` past the end.
    pub fn row(&self, i: usize) -> Option<RowView<'_>> {
        let g = *self.gidx.get(i)? as usize;
        let rating = &self.ratings[self.rating[i] as usize];
        let place = &self.places[self.place[i] as usize];
        let flags = self.flags[i];
        Some(RowView {
            source: Source::from_u8(self.source[i]),
            licence: self.group_id[g],
            date: days_to_date(self.date[i]),
            rating: &rating.code,
            rating_kind: rating.kind,
            destination: &place.name,
            iso2: &place.code,
            region: place.region,
            decision: Decision::from_u8(self.decision[i]),
            licence_type: LicenceType::from_u8(self.ltype[i]),
            value_gbp: (flags & FLAG_NO_VALUE == 0).then_some(self.value[i]),
            count: self.count[i],
            criteria: self.criteria_of(self.group_crit[g]),
            outlier: flags & FLAG_OUTLIER != 0,
        })
    }

    pub(crate) fn criteria_of(&self, mask: u32) -> Vec<&str> {
        (0..self.criteria.len())
            .filter(|b| mask & (1u32 << b) != 0)
            .map(|b| self.criteria[b].code.as_str())
            .collect()
    }

    /// The dense group index of a licence, if present.
    pub(crate) fn find_group(&self, source: Source, licence: u64) -> Option<u32> {
        let key = (source as u8, licence);
        self.group_lookup
            .binary_search_by(|&(s, id, _)| (s, id).cmp(&key))
            .ok()
            .map(|i| self.group_lookup[i].2)
    }

    /// Rows `[lo, hi)` whose date lies in `[from, to]` when the date column is sorted.
    pub(crate) fn date_rows(&self, from: i32, to: i32) -> Option<(usize, usize)> {
        if !self.sorted_by_date {
            return None;
        }
        let lo = self.date.partition_point(|&d| d < from);
        let hi = self.date.partition_point(|&d| d <= to);
        Some((lo, hi.max(lo)))
    }
}
