//! The table's row order: groups by (earliest date, source, id), each group's rows adjacent and
//! in input order. Sorts runs of adjacent same-group rows rather than rows, so input that is
//! already grouped (as CAAT's is) costs one pass and sorts of the groups.

struct Run {
    source: u8,
    licence: u64,
    start: u32,
    end: u32,
    min_date: i32,
}

/// `key(i)` gives row i's (source, licence, date). Returns the row order and, sorted by
/// (source, licence), each group's position in that order (its dense index).
pub(super) fn group_order(
    n: usize,
    key: impl Fn(usize) -> (u8, u64, i32),
) -> (Vec<u32>, Vec<(u8, u64, u32)>) {
    // Room for a run a row, and a group a run: what is not filled is never touched, where
    // growing by doubling copied (and faulted in) every run made so far.
    let mut runs: Vec<Run> = Vec::with_capacity(n);
    for i in 0..n {
        let (source, licence, date) = key(i);
        match runs.last_mut() {
            Some(r) if r.source == source && r.licence == licence => {
                r.end = i as u32 + 1;
                r.min_date = r.min_date.min(date);
            }
            _ => runs.push(Run {
                source,
                licence,
                start: i as u32,
                end: i as u32 + 1,
                min_date: date,
            }),
        }
    }
    runs.sort_unstable_by_key(|r| (r.source, r.licence, r.start));
    // Groups in (source, licence) order: where each starts among the runs, and its earliest
    // date. (A group is one run when its rows are together, as published files list them.)
    let mut starts: Vec<u32> = Vec::with_capacity(runs.len() + 1);
    let mut dates: Vec<i32> = Vec::with_capacity(runs.len());
    for (k, r) in runs.iter().enumerate() {
        match k.checked_sub(1).map(|p| &runs[p]) {
            Some(p) if p.source == r.source && p.licence == r.licence => {
                let d = dates.last_mut().expect("a group for the run before");
                *d = (*d).min(r.min_date);
            }
            _ => {
                starts.push(k as u32);
                dates.push(r.min_date);
            }
        }
    }
    starts.push(runs.len() as u32);
    let by_date = by_date(&dates);
    let mut order = Vec::with_capacity(n);
    let mut gidx_of = vec![0u32; dates.len()];
    for (pos, &g) in by_date.iter().enumerate() {
        gidx_of[g as usize] = pos as u32;
        let (first, end) = (starts[g as usize], starts[g as usize + 1]);
        for r in &runs[first as usize..end as usize] {
            order.extend(r.start..r.end);
        }
    }
    let lookup = starts
        .iter()
        .zip(&gidx_of)
        .map(|(&first, &gidx)| {
            let r = &runs[first as usize];
            (r.source, r.licence, gidx)
        })
        .collect();
    (order, lookup)
}

/// The groups (numbered in (source, licence) order) by date, then number: a counting sort
/// over the days, when they span fewer than a few times as many days as there are groups
/// (years of daily decisions do), else a sort of (day, number) packed in one integer. Both
/// are a tenth of what sorting (date, source, licence, number) tuples cost at 3 M groups.
fn by_date(dates: &[i32]) -> Vec<u32> {
    let (Some(&lo), Some(&hi)) = (dates.iter().min(), dates.iter().max()) else {
        return Vec::new();
    };
    let span = (i64::from(hi) - i64::from(lo)) as usize + 1;
    if span > dates.len().max(1 << 16).saturating_mul(4) {
        let mut packed: Vec<u64> = dates
            .iter()
            .enumerate()
            .map(|(g, &d)| ((i64::from(d) - i64::from(lo)) as u64) << 32 | g as u64)
            .collect();
        packed.sort_unstable();
        return packed.into_iter().map(|k| k as u32).collect();
    }
    // Where each day's groups go; groups are placed in number order (the sort is stable).
    let mut next = vec![0u32; span + 1];
    for &d in dates {
        next[(d - lo) as usize + 1] += 1;
    }
    for i in 1..next.len() {
        next[i] += next[i - 1];
    }
    let mut out = vec![0u32; dates.len()];
    for (g, &d) in dates.iter().enumerate() {
        let at = &mut next[(d - lo) as usize];
        out[*at as usize] = g as u32;
        *at += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::group_order;

    /// The order by its definition: rows by their group's earliest date, then source, id and
    /// place in the input; and the groups sorted by (source, id) with their place in it.
    #[allow(clippy::type_complexity)]
    fn by_definition(rows: &[(u8, u64, i32)]) -> (Vec<u32>, Vec<(u8, u64, u32)>) {
        let earliest = |s: u8, l: u64| {
            rows.iter()
                .filter(|r| (r.0, r.1) == (s, l))
                .map(|r| r.2)
                .min()
                .expect("a row of the group")
        };
        let mut order: Vec<u32> = (0..rows.len() as u32).collect();
        order.sort_by_key(|&i| {
            let (s, l, _) = rows[i as usize];
            (earliest(s, l), s, l, i)
        });
        let mut groups: Vec<(u8, u64)> = rows.iter().map(|r| (r.0, r.1)).collect();
        groups.sort_unstable();
        groups.dedup();
        let mut by_date = groups.clone();
        by_date.sort_by_key(|&(s, l)| (earliest(s, l), s, l));
        let lookup = groups
            .iter()
            .map(|&(s, l)| {
                (
                    s,
                    l,
                    by_date.iter().position(|&g| g == (s, l)).unwrap() as u32,
                )
            })
            .collect();
        (order, lookup)
    }

    proptest! {
        #[test]
        fn the_order_is_the_definitions(
            rows in proptest::collection::vec((0u8..2, 0u64..6, -3i32..9), 0..40),
            wide in any::<bool>(),
        ) {
            // Dates far apart take the sort that is not a counting one.
            let rows: Vec<_> = rows
                .into_iter()
                .map(|(s, l, d)| (s, l, if wide { d.saturating_mul(50_000_000) } else { d }))
                .collect();
            prop_assert_eq!(group_order(rows.len(), |i| rows[i]), by_definition(&rows));
        }
    }

    #[test]
    fn groups_rows_and_orders_by_earliest_date() {
        // (source, licence, date): group (0, 7) is split in the input and dated 1 by its
        // second run; group (0, 5) is dated 2.
        let rows = [(0, 7, 9), (0, 5, 2), (0, 7, 1), (1, 5, 2), (0, 5, 3)];
        let (order, lookup) = group_order(rows.len(), |i| rows[i]);
        assert_eq!(order, [0, 2, 1, 4, 3]);
        assert_eq!(lookup, [(0, 5, 1), (0, 7, 0), (1, 5, 2)]);
    }
}
