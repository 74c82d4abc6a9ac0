//! Answering rating filters and rating (or kind) dimensions from the per-rating sub-cells
//! (`table::rating_cells`). A sub-cell's groups share their rating set, so each of them matches
//! the query's ratings, and falls into the same rating buckets, exactly as the others: it adds
//! its group count once to the total and once to each bucket its matching ratings reach, with
//! the value of those ratings. Excluded groups are taken away again the same way.

use super::cells::{put, Share};
use super::exec::{Acc, Sink};
use super::plan::{Plan, REJECT};
use crate::table::cells::NO_CELL;
use crate::table::rating_cells::{RatingCells, RatingPart};
use crate::table::{Decision, Part};

/// Add `groups` groups (negative: take them away) of cell `i` whose ratings are `parts`.
/// `buckets` is scratch space: (rating key contribution, value) per bucket reached.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn add_set<S: Sink>(
    t: &Part,
    p: &Plan,
    i: usize,
    key: u64,
    groups: i64,
    parts: &[RatingPart],
    buckets: &mut Vec<(u64, i128)>,
    total: &mut Acc,
    sink: &mut S,
) {
    let kept_only = p.flag_reject != 0;
    buckets.clear();
    for x in parts {
        if kept_only && !x.kept {
            continue;
        }
        let rk = p.rating_t.as_ref().map_or(0, |tb| tb[x.rating as usize]);
        if rk >= REJECT {
            continue;
        }
        let v = if kept_only { x.value_kept } else { x.value };
        match buckets.iter_mut().find(|b| b.0 == rk) {
            Some(b) => b.1 += v,
            None => buckets.push((rk, v)),
        }
    }
    if buckets.is_empty() {
        return;
    }
    let c = &t.cells;
    let sign = groups.signum() as i128;
    let part = |value: i128| Share {
        n: groups,
        refused: c.decision[i] == Decision::Refused as u8,
        cited: c.crit[i] & p.cite_mask,
        value: sign * value,
    };
    let whole = part(buckets.iter().map(|b| b.1).sum());
    total.add_groups(
        whole.n,
        whole.refused,
        whole.cited.count_ones() as u64,
        whole.value,
    );
    if p.dims.is_empty() {
        return;
    }
    for &(rk, v) in buckets.iter() {
        put(p, key + rk, part(v), sink);
    }
}

/// Add the sub-cells within the query's dates, then take its excluded groups back out.
pub(super) fn scan_rating_cells<S: Sink>(t: &Part, p: &Plan, total: &mut Acc, sink: &mut S) {
    let rc = &t.rating_cells;
    let (lo, hi) = t.cells.date_range(p.days.0, p.days.1);
    let mut buckets = Vec::new();
    for i in lo..hi {
        let Some(key) = p.cell_key(t, i) else {
            continue;
        };
        for s in rc.cell_start[i] as usize..rc.cell_start[i + 1] as usize {
            let parts = &rc.parts[rc.part_start[s] as usize..rc.part_start[s + 1] as usize];
            add_set(
                t,
                p,
                i,
                key,
                rc.groups[s] as i64,
                parts,
                &mut buckets,
                total,
                sink,
            );
        }
    }
    let mut mine = Vec::new();
    for &g in &p.excluded {
        let i = t.cells.group_cell[g as usize];
        if i == NO_CELL || !(lo..hi).contains(&(i as usize)) {
            continue; // scanned as rows (and cut from the ranges), or outside the dates
        }
        let i = i as usize;
        let Some(key) = p.cell_key(t, i) else {
            continue;
        };
        RatingCells::group_parts(t, g as usize, &mut mine);
        add_set(t, p, i, key, -1, &mine, &mut buckets, total, sink);
    }
}
