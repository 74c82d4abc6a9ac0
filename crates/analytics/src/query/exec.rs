//! The scan: one pass over the selected row ranges with tight per-row checks, accumulating
//! into dense arrays (or a hash map when the key space is large). Rows of a licence group are
//! adjacent, so "distinct groups" is "group differs from the last one this bucket saw".
//! Large scans are split at group boundaries across threads and merged exactly.

use std::collections::HashMap;

use super::cells;
use super::plan::Plan;
use super::rating_cells;
use super::result::{self, Measures};
use super::Query;
use crate::table::{Decision, Part};

/// Above this many buckets, accumulate in a hash map instead of an array.
const DENSE_LIMIT: u64 = 1 << 16;
/// Below this many rows, one thread is faster than spawning more.
const PARALLEL_MIN_ROWS: usize = 400_000;

#[derive(Debug, Clone, Copy)]
pub(super) struct Acc {
    pub licences: u64,
    pub refused: u64,
    pub citations: u64,
    pub value: i128,
    /// Last group counted, and last group counted as refused (a group's rows may differ).
    last: u32,
    last_refused: u32,
}

impl Default for Acc {
    fn default() -> Self {
        Acc {
            licences: 0,
            refused: 0,
            citations: 0,
            value: 0,
            last: u32::MAX,
            last_refused: u32::MAX,
        }
    }
}

impl Acc {
    #[inline(always)]
    fn add(&mut self, g: u32, refused: bool, cites: u32, value: i64) {
        if self.last != g {
            self.last = g;
            self.licences += 1;
            self.citations += cites as u64;
        }
        if refused && self.last_refused != g {
            self.last_refused = g;
            self.refused += 1;
        }
        self.value += value as i128;
    }

    /// Add `n` whole licence groups (negative: take them away), each citing `cites` criteria.
    #[inline(always)]
    pub(super) fn add_groups(&mut self, n: i64, refused: bool, cites: u64, value: i128) {
        self.licences = self.licences.wrapping_add_signed(n);
        if refused {
            self.refused = self.refused.wrapping_add_signed(n);
        }
        self.citations = self.citations.wrapping_add_signed(n * cites as i64);
        self.value += value;
    }

    fn merge(&mut self, o: &Acc) {
        self.licences += o.licences;
        self.refused += o.refused;
        self.citations += o.citations;
        self.value += o.value;
    }

    pub fn measures(&self) -> Measures {
        Measures {
            licences: self.licences,
            value_gbp: self.value,
            refused: self.refused,
            criteria_citations: self.citations,
        }
    }
}

pub(super) trait Sink: Send {
    fn at(&mut self, key: u64) -> &mut Acc;
}

struct Dense(Vec<Acc>);
struct Sparse(HashMap<u64, Acc>);

impl Sink for Dense {
    #[inline(always)]
    fn at(&mut self, key: u64) -> &mut Acc {
        &mut self.0[key as usize]
    }
}

impl Sink for Sparse {
    #[inline(always)]
    fn at(&mut self, key: u64) -> &mut Acc {
        self.0.entry(key).or_default()
    }
}

/// Scan the candidate rows within `ranges` into `total` and `sink`.
pub(super) fn scan<S: Sink>(
    t: &Part,
    p: &Plan,
    ranges: &[(usize, usize)],
    total: &mut Acc,
    sink: &mut S,
) {
    let refused_code = Decision::Refused as u8;
    let grouped = !p.dims.is_empty();
    p.visit(t, ranges, |i| {
        let Some(key) = p.key_of(t, i) else {
            return;
        };
        let g = t.gidx[i];
        let refused = t.decision[i] == refused_code;
        let cited = t.group_crit[g as usize] & p.cite_mask;
        let value = t.value[i];
        total.add(g, refused, cited.count_ones(), value);
        if !grouped {
            return;
        }
        match p.crit_dim {
            None => sink.at(key).add(g, refused, cited.count_ones(), value),
            Some((stride, radix)) if cited == 0 => sink
                .at(key + (radix - 1) * stride)
                .add(g, refused, 0, value),
            Some((stride, _)) => {
                let mut bits = cited;
                while bits != 0 {
                    let b = bits.trailing_zeros() as u64;
                    bits &= bits - 1;
                    sink.at(key + b * stride).add(g, refused, 1, value);
                }
            }
        }
    });
}

/// Split the plan's ranges into about `parts` chunks of rows, cutting only at group boundaries.
fn chunks(t: &Part, p: &Plan, parts: usize) -> Vec<Vec<(usize, usize)>> {
    let rows: usize = p.ranges.iter().map(|(a, b)| b - a).sum();
    let target = rows.div_ceil(parts.max(1)).max(1);
    let mut out = vec![Vec::new()];
    let mut filled = 0;
    for &(mut lo, hi) in &p.ranges {
        while lo < hi {
            let room = target - filled;
            let mut cut = (lo + room).min(hi);
            // Advance to a group boundary so no group is split between threads.
            while cut < hi && cut > 0 && t.gidx[cut] == t.gidx[cut - 1] {
                cut += 1;
            }
            if let Some(last) = out.last_mut() {
                last.push((lo, cut));
            }
            filled += cut - lo;
            lo = cut;
            if filled >= target {
                out.push(Vec::new());
                filled = 0;
            }
        }
    }
    out.retain(|c| !c.is_empty());
    out
}

fn run_with<S: Sink>(t: &Part, p: &Plan, new_sink: impl Fn() -> S + Sync) -> (Acc, Vec<S>) {
    let rows: usize = p.ranges.iter().map(|(a, b)| b - a).sum();
    let cores = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(8);
    let threads = if t.max_threads == 0 {
        cores
    } else {
        t.max_threads
    };
    if rows < PARALLEL_MIN_ROWS || threads < 2 || p.postings.is_some() {
        let mut total = Acc::default();
        let mut sink = new_sink();
        scan(t, p, &p.ranges, &mut total, &mut sink);
        return (total, vec![sink]);
    }
    let parts = chunks(t, p, threads);
    let results: Vec<(Acc, S)> = std::thread::scope(|s| {
        let handles: Vec<_> = parts
            .iter()
            .map(|ranges| {
                let new_sink = &new_sink;
                s.spawn(move || {
                    let mut total = Acc::default();
                    let mut sink = new_sink();
                    scan(t, p, ranges, &mut total, &mut sink);
                    (total, sink)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    });
    let mut total = Acc::default();
    let mut sinks = Vec::with_capacity(results.len());
    for (acc, sink) in results {
        total.merge(&acc);
        sinks.push(sink);
    }
    (total, sinks)
}

/// Scan rows (and add cells, where the query allows them) into a total and per-thread sinks.
fn gather<S: Sink>(t: &Part, p: &Plan, new_sink: impl Fn() -> S + Sync) -> (Acc, Vec<S>) {
    if !t.use_cells {
        return run_with(t, p, new_sink);
    }
    // Rows of the groups without a cell are scanned; the rest is summed from the cells.
    let rows = Plan {
        ranges: cells::intersect(&p.ranges, &t.cells.residual),
        ..p.clone()
    };
    let (mut total, mut sinks) = run_with(t, &rows, &new_sink);
    if sinks.is_empty() {
        sinks.push(new_sink());
    }
    if p.cells_apply(t) {
        cells::scan_cells(t, p, &mut total, &mut sinks[0]);
    } else {
        rating_cells::scan_rating_cells(t, p, &mut total, &mut sinks[0]);
    }
    (total, sinks)
}

pub(super) fn run(t: &Part, p: &Plan, q: &Query) -> result::QueryResult {
    let mut buckets: Vec<(u64, Acc)> = Vec::new();
    let total = if p.dims.is_empty() || p.buckets <= DENSE_LIMIT {
        let n = if p.dims.is_empty() {
            0
        } else {
            p.buckets as usize
        };
        let (total, sinks) = gather(t, p, || Dense(vec![Acc::default(); n]));
        let mut merged = vec![Acc::default(); n];
        for s in &sinks {
            for (m, a) in merged.iter_mut().zip(&s.0) {
                m.merge(a);
            }
        }
        buckets.extend(
            merged
                .into_iter()
                .enumerate()
                .filter(|(_, a)| a.licences > 0)
                .map(|(k, a)| (k as u64, a)),
        );
        total
    } else {
        let (total, sinks) = gather(t, p, || Sparse(HashMap::new()));
        let mut merged: HashMap<u64, Acc> = HashMap::new();
        for s in sinks {
            for (k, a) in s.0 {
                merged.entry(k).or_default().merge(&a);
            }
        }
        // Cells may take excluded groups away again, leaving empty buckets.
        buckets.extend(merged.into_iter().filter(|(_, a)| a.licences > 0));
        total
    };
    result::assemble(t, p, q, total.measures(), buckets)
}
