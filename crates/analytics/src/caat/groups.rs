//! Checks across a values file's rows of one licence group: each group should have one date,
//! one country and one refused flag, and each rating once. The same pass numbers each row's
//! [`ValueRow::occurrence`] (the row's key with its group and rating).
//!
//! Published files list a group's rows together, groups in ascending order: then a group's
//! first row is where its run starts and a rating's repeats are in the run, and the check is
//! one pass with no map ([`check_runs`]). Any other order is checked with maps
//! ([`check_scattered`]); both give the same notes and numbers (property-tested).

use std::sync::Arc;

use foldhash::{HashMap as FastMap, HashMapExt};

use super::ValueRow;
use crate::report::{AnomalyKind, ImportReport};

/// Runs longer than this are checked with maps (a rating's repeats are found by a scan of
/// the run so far).
const MAX_RUN: usize = 64;

/// The licence groups of a values file, sorted.
#[derive(Debug, Default)]
pub(super) struct Groups(Vec<u64>);

impl Groups {
    pub(super) fn contains(&self, group: &u64) -> bool {
        self.0.binary_search(group).is_ok()
    }
}

/// Check the rows' groups (noting what is wrong), number their occurrences, and return the
/// groups.
pub(super) fn check_groups(file: &str, rows: &mut [ValueRow], report: &mut ImportReport) -> Groups {
    check_groups_split(file, rows, report, SPLIT_FROM_ROWS)
}

/// Rows in ascending runs from this many are checked in two halves, one on another thread.
const SPLIT_FROM_ROWS: usize = 1 << 16;

/// [`check_groups`]; rows in ascending runs are checked in two halves split between groups
/// (no run crosses the split) from `split_from` rows: the second half on another thread, its
/// notes put after the first's.
fn check_groups_split(
    file: &str,
    rows: &mut [ValueRow],
    report: &mut ImportReport,
    split_from: usize,
) -> Groups {
    if !in_ascending_runs(rows) {
        return check_scattered(file, rows, report);
    }
    let mut mid = rows.len() / 2;
    while mid > 0 && mid < rows.len() && rows[mid - 1].group == rows[mid].group {
        mid += 1;
    }
    if rows.len() < split_from || mid == 0 || mid >= rows.len() {
        return check_runs(file, rows, report);
    }
    let (first, second) = rows.split_at_mut(mid);
    let mut later = report.fresh();
    let (Groups(mut groups), Groups(more)) = std::thread::scope(|scope| {
        let other = scope.spawn(|| check_runs(file, second, &mut later));
        let groups = check_runs(file, first, report);
        let more = other
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (groups, more)
    });
    report.absorb(later);
    groups.extend(more);
    Groups(groups)
}

/// Whether each group's rows are together, the groups ascend, and no run is long.
fn in_ascending_runs(rows: &[ValueRow]) -> bool {
    let mut run = 0;
    for (i, r) in rows.iter().enumerate() {
        match i.checked_sub(1).map(|p| rows[p].group) {
            Some(prev) if prev == r.group => run += 1,
            Some(prev) if prev > r.group => return false,
            _ => run = 1,
        }
        if run > MAX_RUN {
            return false;
        }
    }
    true
}

fn check_runs(file: &str, rows: &mut [ValueRow], report: &mut ImportReport) -> Groups {
    let mut groups = Vec::new();
    let mut occurrences = Vec::with_capacity(rows.len());
    let mut start = 0;
    for (i, r) in rows.iter().enumerate() {
        if i == 0 || rows[i - 1].group != r.group {
            start = i;
            groups.push(r.group);
        }
        check_row(file, &rows[start], r, report);
        let n = 1 + rows[start..i].iter().filter(|p| same_rating(p, r)).count() as u32;
        note_repeat(file, r, n, report);
        occurrences.push(n);
    }
    number(rows, occurrences);
    Groups(groups)
}

fn check_scattered(file: &str, rows: &mut [ValueRow], report: &mut ImportReport) -> Groups {
    let mut first: FastMap<u64, usize> = FastMap::with_capacity(rows.len());
    let mut pairs: FastMap<(u64, &str), u32> = FastMap::with_capacity(rows.len());
    let mut occurrences = Vec::with_capacity(rows.len());
    for (i, r) in rows.iter().enumerate() {
        check_row(file, &rows[*first.entry(r.group).or_insert(i)], r, report);
        let n = pairs.entry((r.group, r.rating.code())).or_insert(0);
        *n += 1;
        note_repeat(file, r, *n, report);
        occurrences.push(*n);
    }
    drop(pairs);
    number(rows, occurrences);
    let mut groups: Vec<u64> = first.into_keys().collect();
    groups.sort_unstable();
    Groups(groups)
}

/// Note where `r` disagrees with `f`, the first row of its group.
fn check_row(file: &str, f: &ValueRow, r: &ValueRow, report: &mut ImportReport) {
    let mut diffs = Vec::new();
    if f.date != r.date {
        diffs.push(format!("date {} vs {}", r.date, f.date));
    }
    if !Arc::ptr_eq(&f.destination, &r.destination) && f.destination.name() != r.destination.name()
    {
        let (r, f) = (r.destination.name(), f.destination.name());
        diffs.push(format!("country {r:?} vs {f:?}"));
    }
    if f.refused != r.refused {
        diffs.push(format!(
            "refused {} vs {}",
            r.refused as u8, f.refused as u8
        ));
    }
    if !diffs.is_empty() {
        let reason = format!(
            "licence {} disagrees with its line {}: {}; row kept as published",
            r.group,
            f.line,
            diffs.join(", ")
        );
        report.note(AnomalyKind::InconsistentGroup, file, r.line, reason);
    }
}

/// Note a rating met the `n`th time in its group (n > 1).
fn note_repeat(file: &str, r: &ValueRow, n: u32, report: &mut ImportReport) {
    if n > 1 {
        let reason = format!(
            "licence {} has rating {} more than once; all rows kept",
            r.group,
            r.rating.code()
        );
        report.note(AnomalyKind::DuplicateGroupRating, file, r.line, reason);
    }
}

/// Whether two rows have the same rating, however published (rows of one spelling share
/// theirs: compared by pointer first).
fn same_rating(a: &ValueRow, b: &ValueRow) -> bool {
    Arc::ptr_eq(&a.rating, &b.rating) || a.rating.code() == b.rating.code()
}

fn number(rows: &mut [ValueRow], occurrences: Vec<u32>) {
    for (r, n) in rows.iter_mut().zip(occurrences) {
        r.occurrence = n;
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use time::macros::date;

    use super::*;
    use crate::caat::{RowDestination, RowRating};

    fn row(line: u64, group: u64, rating: &str, day: u8, country: &str) -> ValueRow {
        ValueRow {
            line,
            group,
            date: date!(2014 - 01 - 01)
                .replace_day(day)
                .expect("a day of January"),
            rating: Arc::new(RowRating::new(rating, None)),
            occurrence: 0,
            count: Some(1),
            value_gbp: Some(10),
            destination: Arc::new(RowDestination::new(country, None)),
            refused: day.is_multiple_of(2),
            outlier: false,
        }
    }

    /// The rows checked by runs, by maps, and by runs in two halves on two threads.
    fn checked(rows: &[ValueRow]) -> [(Vec<ValueRow>, ImportReport, Vec<u64>); 3] {
        let run = |check: fn(&str, &mut [ValueRow], &mut ImportReport) -> Groups| {
            let mut rows = rows.to_vec();
            let mut report = ImportReport::new(5);
            let groups = check("values.csv", &mut rows, &mut report);
            (rows, report, groups.0)
        };
        let halves = |file: &str, rows: &mut [ValueRow], report: &mut ImportReport| {
            check_groups_split(file, rows, report, 0)
        };
        [run(check_runs), run(check_scattered), run(halves)]
    }

    #[test]
    fn repeats_are_numbered_and_disagreements_noted() {
        let rows = vec![
            row(2, 1, "ML10", 1, "Israel"),
            row(3, 1, "ML4", 1, "Israel"),
            row(4, 1, "ML10", 3, "Israel"),
            row(5, 7, "ML1", 2, "Qatar"),
        ];
        assert!(in_ascending_runs(&rows));
        let [(runs, report, groups), scattered, halves] = checked(&rows);
        let numbers: Vec<u32> = runs.iter().map(|r| r.occurrence).collect();
        assert_eq!(numbers, vec![1, 1, 2, 1]);
        assert_eq!(groups, vec![1, 7]);
        assert_eq!(report.counts[&AnomalyKind::DuplicateGroupRating], 1);
        assert_eq!(report.counts[&AnomalyKind::InconsistentGroup], 1);
        assert_eq!((runs, report, groups), scattered);
        assert_eq!(halves, scattered);
    }

    #[test]
    fn other_orders_are_not_runs() {
        let back = [row(2, 5, "A", 1, "X"), row(3, 4, "A", 1, "X")];
        assert!(!in_ascending_runs(&back));
        let split = [
            row(2, 5, "A", 1, "X"),
            row(3, 6, "A", 1, "X"),
            row(4, 5, "B", 1, "X"),
        ];
        assert!(!in_ascending_runs(&split));
        let long: Vec<_> = (0..=MAX_RUN as u64)
            .map(|i| row(i, 1, "A", 1, "X"))
            .collect();
        assert!(!in_ascending_runs(&long));
    }

    proptest! {
        /// On rows in ascending runs, the pass without maps gives what the maps give, in one
        /// piece or in two halves on two threads.
        #[test]
        fn runs_check_like_maps(
            runs in prop::collection::vec(
                (1u64..4, prop::collection::vec((0usize..3, 1u8..3, 0usize..2), 1..6)),
                0..40,
            ),
        ) {
            let mut rows = Vec::new();
            let mut group = 0;
            for (step, members) in &runs {
                group += step;
                for &(rating, day, country) in members {
                    let line = rows.len() as u64 + 2;
                    rows.push(row(line, group, ["ML1", "ML4", "ML10"][rating], day, ["A", "B"][country]));
                }
            }
            prop_assert!(in_ascending_runs(&rows));
            let [runs, scattered, halves] = checked(&rows);
            prop_assert_eq!(&runs, &scattered);
            prop_assert_eq!(halves, runs);
        }
    }
}
