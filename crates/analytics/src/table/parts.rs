//! The public [`Table`]: one or more parts answered together. Parts hold disjoint licence
//! groups (checked when they are combined), so totals, buckets and distinct-licence counts of
//! the parts add up exactly; the table keeps the union of their dictionaries for display and
//! for ordering merged results.

use std::sync::{Arc, OnceLock};

use time::Date;

use super::{CodeEntry, CriterionEntry, Part, PlaceEntry, RatingEntry, RowView};
use crate::ratings;

/// The table. Build it with [`super::TableBuilder`] or [`Table::from_caat`]; put parts built
/// apart together with [`Table::combine`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Table {
    pub(crate) parts: Vec<Arc<Part>>,
    pub(crate) ratings: Vec<RatingEntry>,
    pub(crate) places: Vec<PlaceEntry>,
    pub(crate) codes: Vec<CodeEntry>,
    pub(crate) criteria: Vec<CriterionEntry>,
}

/// Add the entries of `more` to `into`, replacing those of the same key (a later definition
/// wins, as in [`super::TableBuilder`]), then sort.
fn union<T: Clone, K: PartialEq>(
    into: &mut Vec<T>,
    more: &[T],
    key: impl Fn(&T) -> K,
    cmp: impl Fn(&T, &T) -> std::cmp::Ordering,
) {
    for e in more {
        match into.iter_mut().find(|x| key(x) == key(e)) {
            Some(x) => *x = e.clone(),
            None => into.push(e.clone()),
        }
    }
    into.sort_by(cmp);
}

impl Table {
    pub(crate) fn from_part(p: Part) -> Table {
        Table {
            ratings: p.ratings.clone(),
            places: p.places.clone(),
            codes: p.codes.clone(),
            criteria: p.criteria.clone(),
            parts: vec![Arc::new(p)],
        }
    }

    /// Both tables' parts as one table, sharing their rows (nothing is copied), or `None` if a
    /// licence group (source and id) is in both.
    pub fn combine(a: &Table, b: &Table) -> Option<Table> {
        for x in &a.parts {
            for y in &b.parts {
                let (small, big) = if x.group_lookup.len() <= y.group_lookup.len() {
                    (x, y)
                } else {
                    (y, x)
                };
                let shared = small.group_lookup.iter().any(|&(s, id, _)| {
                    big.group_lookup
                        .binary_search_by(|&(bs, bid, _)| (bs, bid).cmp(&(s, id)))
                        .is_ok()
                });
                if shared {
                    return None;
                }
            }
        }
        let mut t = a.clone();
        t.parts.extend(b.parts.iter().cloned());
        let natural = |x: &str, y: &str| ratings::natural_cmp(x, y);
        union(
            &mut t.ratings,
            &b.ratings,
            |e| e.code.clone(),
            |x, y| natural(&x.code, &y.code),
        );
        union(
            &mut t.places,
            &b.places,
            |e| e.name.clone(),
            |x, y| x.name.cmp(&y.name),
        );
        union(
            &mut t.codes,
            &b.codes,
            |e| e.code.clone(),
            |x, y| x.name.cmp(&y.name).then_with(|| x.code.cmp(&y.code)),
        );
        union(
            &mut t.criteria,
            &b.criteria,
            |e| e.code.clone(),
            |x, y| natural(&x.code, &y.code),
        );
        Some(t)
    }

    /// The parts, or one empty part for an empty table.
    pub(crate) fn parts(&self) -> Vec<&Part> {
        static EMPTY: OnceLock<Part> = OnceLock::new();
        if self.parts.is_empty() {
            return vec![EMPTY.get_or_init(Part::default)];
        }
        self.parts.iter().map(|p| &**p).collect()
    }

    /// Number of parts (built apart, answered together).
    #[doc(hidden)]
    pub fn part_count(&self) -> usize {
        self.parts.len()
    }

    fn each_part_mut(&mut self, f: impl Fn(&mut Part)) {
        for p in &mut self.parts {
            f(Arc::make_mut(p));
        }
    }

    /// Limit the threads a query may use (0: one per available core, at most 8). Queries over
    /// fewer than 400,000 rows always use one.
    pub fn set_max_threads(&mut self, n: usize) {
        self.each_part_mut(|p| p.max_threads = n);
    }

    /// Whether queries are answered from the pre-aggregated cells (the default) rather than
    /// by scanning rows; both give the same answers, which the tests check.
    #[doc(hidden)]
    pub fn set_use_cells(&mut self, on: bool) {
        self.each_part_mut(|p| p.use_cells = on);
    }

    /// Number of pre-aggregated cells, and rows left to scan row by row.
    #[doc(hidden)]
    pub fn cell_stats(&self) -> (usize, usize) {
        self.parts.iter().fold((0, 0), |(c, r), p| {
            let (pc, pr) = p.cell_stats();
            (c + pc, r + pr)
        })
    }

    /// Number of per-rating sub-cells.
    #[doc(hidden)]
    pub fn rating_cell_count(&self) -> usize {
        self.parts.iter().map(|p| p.rating_cells.len()).sum()
    }

    /// Build the pre-aggregated cells again (benchmarks time it).
    #[doc(hidden)]
    pub fn rebuild_cells(&mut self) {
        self.each_part_mut(Part::rebuild_cells);
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.parts.iter().map(|p| p.len()).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Number of distinct licence groups.
    pub fn groups(&self) -> usize {
        self.parts.iter().map(|p| p.groups()).sum()
    }

    pub fn ratings(&self) -> &[RatingEntry] {
        &self.ratings
    }

    /// Destination names as published.
    pub fn places(&self) -> &[PlaceEntry] {
        &self.places
    }

    /// Destination codes.
    pub fn codes(&self) -> &[CodeEntry] {
        &self.codes
    }

    pub fn criteria(&self) -> &[CriterionEntry] {
        &self.criteria
    }

    /// Earliest and latest row dates.
    pub fn date_range(&self) -> Option<(Date, Date)> {
        self.parts
            .iter()
            .filter_map(|p| p.date_range())
            .reduce(|(a, b), (c, d)| (a.min(c), b.max(d)))
    }

    /// Row `i` decoded (the parts' rows one after the other), or `None` past the end.
    pub fn row(&self, mut i: usize) -> Option<RowView<'_>> {
        for p in &self.parts {
            if i < p.len() {
                return p.row(i);
            }
            i -= p.len();
        }
        None
    }

    /// All rows, decoded: each part's in its order.
    pub fn rows(&self) -> impl Iterator<Item = RowView<'_>> {
        self.parts
            .iter()
            .flat_map(|p| (0..p.len()).filter_map(move |i| p.row(i)))
    }
}
