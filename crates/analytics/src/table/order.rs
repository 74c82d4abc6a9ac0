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
    // Groups in (source, licence) order: (first run, end run, earliest date).
    let mut groups: Vec<(usize, usize, i32)> = Vec::with_capacity(runs.len());
    for (k, r) in runs.iter().enumerate() {
        match groups.last_mut() {
            Some(g) if runs[g.0].source == r.source && runs[g.0].licence == r.licence => {
                g.1 = k + 1;
                g.2 = g.2.min(r.min_date);
            }
            _ => groups.push((k, k + 1, r.min_date)),
        }
    }
    // Sorted with the keys beside the indices: a key fetched through the index for every
    // comparison was a cache miss each (millions of groups).
    let mut by_date: Vec<(i32, u8, u64, u32)> = groups
        .iter()
        .enumerate()
        .map(|(g, &(first, _, date))| (date, runs[first].source, runs[first].licence, g as u32))
        .collect();
    by_date.sort_unstable();
    let mut order = Vec::with_capacity(n);
    let mut gidx_of = vec![0u32; groups.len()];
    for (pos, &(_, _, _, g)) in by_date.iter().enumerate() {
        gidx_of[g as usize] = pos as u32;
        let (first, end, _) = groups[g as usize];
        for r in &runs[first..end] {
            order.extend(r.start..r.end);
        }
    }
    let lookup = groups
        .iter()
        .zip(&gidx_of)
        .map(|(&(first, _, _), &gidx)| (runs[first].source, runs[first].licence, gidx))
        .collect();
    (order, lookup)
}

#[cfg(test)]
mod tests {
    use super::group_order;

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
