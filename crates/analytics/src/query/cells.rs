//! Answering from the pre-aggregated cells (`table::cells`): the same keys and measures as the
//! row scan, one step per cell instead of per row. Excluded licence groups that sit in a cell
//! are taken away from it afterwards, exactly as they were added.

use super::exec::{Acc, Sink};
use super::plan::{Plan, REJECT};
use crate::table::cells::{Cells, Sums, NO_CELL};
use crate::table::{Decision, Part};

impl Plan {
    /// Whether the cells can answer: no rating filter and no rating dimension (the rating is
    /// the one attribute a cell's rows differ in; kinds are kept per cell). Other queries are
    /// answered from the per-rating sub-cells (`query::rating_cells`).
    pub fn cells_apply(&self, t: &Part) -> bool {
        t.use_cells && self.rating_free
    }

    /// Cell `i`'s key (without the criterion and kind dimensions), or `None` if a filter
    /// rejects it.
    #[inline(always)]
    pub(super) fn cell_key(&self, t: &Part, i: usize) -> Option<u64> {
        let c = &t.cells;
        let mut k = 0u64;
        if let Some(tb) = &self.place_t {
            k += tb[c.place[i] as usize];
        }
        if let Some(tb) = &self.ym_t {
            k += tb[(c.ym[i] - t.ym_min) as usize];
        }
        if let Some(tb) = &self.decision_t {
            k += tb[c.decision[i] as usize];
        }
        if let Some(tb) = &self.source_t {
            k += tb[c.source[i] as usize];
        }
        if let Some(tb) = &self.ltype_t {
            k += tb[c.ltype[i] as usize];
        }
        if k >= REJECT || (self.crit_need != 0 && c.crit[i] & self.crit_need == 0) {
            return None;
        }
        Some(k)
    }
}

/// What some groups of one cell add (negative `n`: take them away).
#[derive(Clone, Copy)]
pub(super) struct Share {
    pub n: i64,
    pub refused: bool,
    pub cited: u32,
    pub value: i128,
}

/// Add a part under `key`, spread over the criterion dimension as the row scan does.
#[inline(always)]
pub(super) fn put<S: Sink>(p: &Plan, key: u64, x: Share, sink: &mut S) {
    match p.crit_dim {
        None => sink
            .at(key)
            .add_groups(x.n, x.refused, x.cited.count_ones() as u64, x.value),
        Some((stride, radix)) if x.cited == 0 => sink
            .at(key + (radix - 1) * stride)
            .add_groups(x.n, x.refused, 0, x.value),
        Some((stride, _)) => {
            let mut bits = x.cited;
            while bits != 0 {
                let b = bits.trailing_zeros() as u64;
                bits &= bits - 1;
                sink.at(key + b * stride)
                    .add_groups(x.n, x.refused, 1, x.value);
            }
        }
    }
}

/// Add `groups` groups of cell `i` with these sums (or take them away if `sign` is -1).
#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn add_cell<S: Sink>(
    t: &Part,
    p: &Plan,
    i: usize,
    key: u64,
    (groups, sums): (u32, &Sums),
    sign: i64,
    total: &mut Acc,
    sink: &mut S,
) {
    let c = &t.cells;
    let kept = p.flag_reject != 0;
    let kinds = c.kinds[i];
    let (n, value) = sums.share(groups, kinds, p.kind, kept);
    if n == 0 {
        return;
    }
    let part = |n: u32, value: i128| Share {
        n: sign * n as i64,
        refused: c.decision[i] == Decision::Refused as u8,
        cited: c.crit[i] & p.cite_mask,
        value: sign as i128 * value,
    };
    let whole = part(n, value);
    total.add_groups(
        whole.n,
        whole.refused,
        whole.cited.count_ones() as u64,
        whole.value,
    );
    if p.dims.is_empty() {
        return;
    }
    let Some(stride) = p.kind_dim else {
        return put(p, key, whole, sink);
    };
    // Grouped by kind: a group counts once under each kind among its (kept) rows.
    let mut bits = kinds;
    while bits != 0 {
        let k = bits.trailing_zeros() as usize;
        bits &= bits - 1;
        if p.kind.is_some_and(|f| f != k) {
            continue;
        }
        let (n, value) = sums.share(groups, kinds, Some(k), kept);
        if n > 0 {
            put(p, key + k as u64 * stride, part(n, value), sink);
        }
    }
}

/// Add the cells within the query's dates, then take its excluded groups back out.
pub(super) fn scan_cells<S: Sink>(t: &Part, p: &Plan, total: &mut Acc, sink: &mut S) {
    let c = &t.cells;
    let (lo, hi) = c.date_range(p.days.0, p.days.1);
    let simple = p.kind.is_none() && p.kind_dim.is_none() && p.flag_reject == 0;
    for i in lo..hi {
        let Some(key) = p.cell_key(t, i) else {
            continue;
        };
        if simple {
            // The common case, without the per-kind sums.
            let x = Share {
                n: c.groups[i] as i64,
                refused: c.decision[i] == Decision::Refused as u8,
                cited: c.crit[i] & p.cite_mask,
                value: c.value[i],
            };
            total.add_groups(x.n, x.refused, x.cited.count_ones() as u64, x.value);
            if !p.dims.is_empty() {
                put(p, key, x, sink);
            }
        } else {
            add_cell(t, p, i, key, (c.groups[i], &c.sums[i]), 1, total, sink);
        }
    }
    for &g in &p.excluded {
        let i = c.group_cell[g as usize];
        if i == NO_CELL || !(lo..hi).contains(&(i as usize)) {
            continue; // scanned as rows (and cut from the ranges), or outside the dates
        }
        let i = i as usize;
        let Some(key) = p.cell_key(t, i) else {
            continue;
        };
        let (sums, _) = Cells::group_sums(t, g as usize);
        add_cell(t, p, i, key, (1, &sums), -1, total, sink);
    }
}

/// The intersection of two ascending lists of disjoint half-open ranges.
pub(super) fn intersect(a: &[(usize, usize)], b: &[(usize, usize)]) -> Vec<(usize, usize)> {
    let (mut i, mut j) = (0, 0);
    let mut out = Vec::new();
    while i < a.len() && j < b.len() {
        let lo = a[i].0.max(b[j].0);
        let hi = a[i].1.min(b[j].1);
        if lo < hi {
            out.push((lo, hi));
        }
        if a[i].1 < b[j].1 {
            i += 1;
        } else {
            j += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::intersect;

    #[test]
    fn intersects_range_lists() {
        let a = [(0, 5), (8, 12), (20, 30)];
        let b = [(3, 9), (10, 25)];
        assert_eq!(intersect(&a, &b), [(3, 5), (8, 9), (10, 12), (20, 25)]);
        assert_eq!(intersect(&a, &[]), []);
        assert_eq!(intersect(&[(0, 4)], &[(4, 8)]), []);
    }
}
