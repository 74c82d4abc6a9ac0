//! Validating a query against a table and compiling it to masks and row ranges.

use super::{Destination, Dim, Query, QueryError, RatingFilter};
use crate::countries;
use crate::ratings;
use crate::table::{date_to_days, Decision, LicenceType, Part, Source, FLAG_OUTLIER};

/// Added to a row's key when a filter rejects it; real keys stay below it.
pub(super) const REJECT: u64 = 1 << 58;

/// A group-by dimension: which one, and its place in the composite key.
#[derive(Debug, Clone)]
pub(super) struct DimPlan {
    pub dim: Dim,
    pub radix: u64,
    pub stride: u64,
    /// Time dimensions: months per step and the first step.
    pub time: (u16, u16),
}

/// A compiled query. Each column that is filtered or grouped on gets a lookup table from its
/// code to a key contribution (`code * stride` per grouped dimension, plus [`REJECT`] for codes
/// a filter excludes), so a row's key is a few loads and adds; untouched columns are not read.
#[derive(Debug, Clone)]
pub(super) struct Plan {
    /// Row ranges to scan, ascending, each starting and ending on a group boundary.
    pub ranges: Vec<(usize, usize)>,
    /// Per-row date bounds, when the date column is not sorted.
    pub date_check: Option<(i32, i32)>,
    /// The query's date bounds in days (inclusive; open ends are `i32::MIN` / `i32::MAX`).
    pub days: (i32, i32),
    /// Dense indexes of the excluded licence groups, without repeats.
    pub excluded: Vec<u32>,
    pub place_t: Option<Vec<u64>>,
    pub rating_t: Option<Vec<u64>>,
    /// Indexed by `ym - table.ym_min`.
    pub ym_t: Option<Vec<u64>>,
    pub decision_t: Option<Vec<u64>>,
    pub source_t: Option<Vec<u64>>,
    pub ltype_t: Option<Vec<u64>>,
    /// Groups must cite one of these criteria (0 = no criterion filter).
    pub crit_need: u32,
    /// Criteria counted as citations.
    pub cite_mask: u32,
    /// Rows with any of these flags are skipped.
    pub flag_reject: u8,
    pub dims: Vec<DimPlan>,
    /// The criterion dimension's stride and radix, if grouped by criterion.
    pub crit_dim: Option<(u64, u64)>,
    /// Neither a rating filter nor the rating dimension (a kind is fine): cells may answer.
    pub rating_free: bool,
    /// The rating-kind filter, as `RatingKind as usize`.
    pub kind: Option<usize>,
    /// The kind dimension's stride, if grouped by kind.
    pub kind_dim: Option<u64>,
    /// Product of radices.
    pub buckets: u64,
    /// Scan only these places' row lists instead of row ranges (selective destination filter).
    pub postings: Option<Vec<usize>>,
}

/// A per-code table: `REJECT` where `ok` is false.
fn filter_table(ok: impl Iterator<Item = bool>) -> Vec<u64> {
    ok.map(|ok| if ok { 0 } else { REJECT }).collect()
}

/// Add `code(x) * stride` to each entry of `t` (creating it, all zero, if absent).
fn add_dim(t: &mut Option<Vec<u64>>, len: usize, stride: u64, code: impl Fn(usize) -> u64) {
    let t = t.get_or_insert_with(|| vec![0; len]);
    for (x, v) in t.iter_mut().enumerate() {
        *v += code(x) * stride;
    }
}

fn enum_filter(bit: Option<u8>, len: usize) -> Option<Vec<u64>> {
    bit.map(|b| filter_table((0..len).map(|x| x == b as usize)))
}

impl Plan {
    pub fn new(t: &Part, q: &Query) -> Result<Plan, QueryError> {
        let mut place_t = match &q.destination {
            None => None,
            Some(Destination::Code(c)) => {
                let c = c.trim().to_ascii_uppercase();
                if !countries::is_known_code(&c) && !t.codes.iter().any(|e| e.code == c) {
                    return Err(QueryError::UnknownCountry(c));
                }
                Some(filter_table(t.places.iter().map(|p| p.code == c)))
            }
            Some(Destination::Name(n)) => {
                let n = n.trim();
                if countries::lookup(n).is_none() && !t.places.iter().any(|p| p.name == n) {
                    return Err(QueryError::UnknownCountry(n.to_string()));
                }
                Some(filter_table(t.places.iter().map(|p| p.name == n)))
            }
            Some(Destination::Region(r)) => {
                Some(filter_table(t.places.iter().map(|p| p.region == *r)))
            }
        };
        let postings = place_t.as_ref().and_then(|pt| postings(t, pt));
        let mut rating_ok: Option<Vec<bool>> = match &q.rating {
            None => None,
            Some(RatingFilter::Exact(code)) => {
                let code = ratings::normalise(code);
                if !t.ratings.iter().any(|r| r.code == code) {
                    return Err(QueryError::UnknownRating(code));
                }
                Some(t.ratings.iter().map(|r| r.code == code).collect())
            }
            Some(RatingFilter::Prefix(p)) => {
                let ok: Vec<bool> = t
                    .ratings
                    .iter()
                    .map(|r| ratings::matches_prefix(&r.code, p))
                    .collect();
                if !ok.contains(&true) {
                    return Err(QueryError::UnknownRatingPrefix(p.trim().to_string()));
                }
                Some(ok)
            }
        };
        if let Some(kind) = q.kind {
            let ok = rating_ok.get_or_insert_with(|| vec![true; t.ratings.len()]);
            for (ok, r) in ok.iter_mut().zip(&t.ratings) {
                *ok &= r.kind == kind;
            }
        }
        let mut rating_t = rating_ok.map(|ok| filter_table(ok.into_iter()));
        let crit_bit = match &q.criterion {
            None => None,
            Some(c) => {
                let c = c.trim();
                let b = t.criteria.iter().position(|e| e.code == c);
                Some(b.ok_or_else(|| QueryError::UnknownCriterion(c.to_string()))? as u8)
            }
        };
        if let (Some(from), Some(to)) = (q.from, q.to) {
            if from > to {
                return Err(QueryError::ReversedDateRange { from, to });
            }
        }
        let from = q.from.map_or(i32::MIN, date_to_days);
        let to = q.to.map_or(i32::MAX, date_to_days);
        let (base, date_check) = match t.date_rows(from, to) {
            Some(r) => (r, None),
            None => (
                (0, t.len()),
                (q.from.is_some() || q.to.is_some()).then_some((from, to)),
            ),
        };
        let (ranges, excluded) = exclude(t, base, &q.exclude_licences)?;

        let mut ym_t = None;
        let mut decision_t = enum_filter(q.decision.map(|d| d as u8), Decision::ALL.len());
        let mut source_t = enum_filter(q.source.map(|s| s as u8), Source::ALL.len());
        let mut ltype_t = enum_filter(q.licence_type.map(|l| l as u8), LicenceType::ALL.len());
        let mut dims: Vec<DimPlan> = Vec::with_capacity(q.group_by.len());
        let mut crit_dim = None;
        let mut kind_dim = None;
        let mut stride: u64 = 1;
        let ym_len = (t.ym_max - t.ym_min) as usize + 1;
        for &dim in &q.group_by {
            if dims.iter().any(|d| d.dim == dim) {
                return Err(QueryError::DuplicateDim(dim.name()));
            }
            let (np, nr) = (t.places.len(), t.ratings.len());
            let mut time = (1, 0);
            let radix = match dim {
                Dim::Destination => {
                    add_dim(&mut place_t, np, stride, |x| t.place_code[x] as u64);
                    t.codes.len()
                }
                Dim::DestinationName => {
                    add_dim(&mut place_t, np, stride, |x| x as u64);
                    np
                }
                Dim::Region => {
                    add_dim(&mut place_t, np, stride, |x| {
                        t.places[x].region.index() as u64
                    });
                    countries::Region::ALL.len()
                }
                Dim::Year | Dim::Quarter | Dim::Month => {
                    let div = match dim {
                        Dim::Year => 12,
                        Dim::Quarter => 3,
                        _ => 1,
                    };
                    let first = t.ym_min / div;
                    time = (div, first);
                    add_dim(&mut ym_t, ym_len, stride, |x| {
                        ((t.ym_min + x as u16) / div - first) as u64
                    });
                    (t.ym_max / div - first) as usize + 1
                }
                Dim::Rating => {
                    add_dim(&mut rating_t, nr, stride, |x| x as u64);
                    nr
                }
                Dim::Kind => {
                    kind_dim = Some(stride);
                    add_dim(&mut rating_t, nr, stride, |x| t.ratings[x].kind as u64);
                    ratings::RatingKind::ALL.len()
                }
                Dim::Decision => {
                    add_dim(&mut decision_t, Decision::ALL.len(), stride, |x| x as u64);
                    Decision::ALL.len()
                }
                Dim::Source => {
                    add_dim(&mut source_t, Source::ALL.len(), stride, |x| x as u64);
                    Source::ALL.len()
                }
                Dim::LicenceType => {
                    add_dim(&mut ltype_t, LicenceType::ALL.len(), stride, |x| x as u64);
                    LicenceType::ALL.len()
                }
                Dim::Criterion => {
                    let radix = t.criteria.len() as u64 + 1;
                    crit_dim = Some((stride, radix));
                    t.criteria.len() + 1
                }
            };
            let radix = radix.max(1) as u64;
            dims.push(DimPlan {
                dim,
                radix,
                stride,
                time,
            });
            stride = stride
                .checked_mul(radix)
                .filter(|&s| s < REJECT)
                .ok_or(QueryError::TooManyGroups)?;
        }
        Ok(Plan {
            ranges,
            date_check,
            days: (from, to),
            excluded,
            place_t,
            rating_t,
            ym_t,
            decision_t,
            source_t,
            ltype_t,
            crit_need: crit_bit.map_or(0, |b| 1 << b),
            cite_mask: crit_bit.map_or(u32::MAX, |b| 1 << b),
            flag_reject: if q.exclude_outliers { FLAG_OUTLIER } else { 0 },
            dims,
            crit_dim,
            rating_free: q.rating.is_none() && !q.group_by.contains(&Dim::Rating),
            kind: q.kind.map(|k| k as usize),
            kind_dim,
            buckets: stride,
            postings,
        })
    }

    /// Call `f(i)` for each candidate row within `ranges`, keeping each group's rows adjacent.
    #[inline(always)]
    pub fn visit(&self, t: &Part, ranges: &[(usize, usize)], mut f: impl FnMut(usize)) {
        match &self.postings {
            None => {
                for &(lo, hi) in ranges {
                    (lo..hi).for_each(&mut f);
                }
            }
            Some(places) => {
                for &pl in places {
                    let list = &t.place_rows[pl];
                    for &(lo, hi) in ranges {
                        let a = list.partition_point(|&r| (r as usize) < lo);
                        let b = list.partition_point(|&r| (r as usize) < hi);
                        list[a..b].iter().for_each(|&r| f(r as usize));
                    }
                }
            }
        }
    }

    /// Row `i`'s key (without the criterion dimension), or `None` if a filter rejects it.
    #[inline(always)]
    pub fn key_of(&self, t: &Part, i: usize) -> Option<u64> {
        let mut k = 0u64;
        if let Some(tb) = &self.place_t {
            k += tb[t.place[i] as usize];
        }
        if let Some(tb) = &self.rating_t {
            k += tb[t.rating[i] as usize];
        }
        if let Some(tb) = &self.ym_t {
            k += tb[(t.ym[i] - t.ym_min) as usize];
        }
        if let Some(tb) = &self.decision_t {
            k += tb[t.decision[i] as usize];
        }
        if let Some(tb) = &self.source_t {
            k += tb[t.source[i] as usize];
        }
        if let Some(tb) = &self.ltype_t {
            k += tb[t.ltype[i] as usize];
        }
        if k >= REJECT || (self.flag_reject != 0 && t.flags[i] & self.flag_reject != 0) {
            return None;
        }
        if let Some((lo, hi)) = self.date_check {
            if t.date[i] < lo || t.date[i] > hi {
                return None;
            }
        }
        if self.crit_need != 0 && t.group_crit[t.gidx[i] as usize] & self.crit_need == 0 {
            return None;
        }
        Some(k)
    }
}

/// The places to scan by row list, if the destination filter selects under a quarter of the rows
/// and no group spans two of the lists.
fn postings(t: &Part, place_t: &[u64]) -> Option<Vec<usize>> {
    let places: Vec<usize> = (0..place_t.len())
        .filter(|&x| place_t[x] < REJECT)
        .collect();
    let rows: usize = places.iter().map(|&x| t.place_rows[x].len()).sum();
    let safe = places.len() == 1 || t.single_place_groups;
    (safe && rows * 4 < t.len()).then_some(places)
}

type Ranges = Vec<(usize, usize)>;

/// Cut the row ranges of excluded licence groups out of `base`; also returns the groups.
fn exclude(
    t: &Part,
    base: (usize, usize),
    ex: &[(Source, u64)],
) -> Result<(Ranges, Vec<u32>), QueryError> {
    let mut cuts = Vec::with_capacity(ex.len());
    let mut groups = Vec::with_capacity(ex.len());
    for &(source, id) in ex {
        let g = t
            .find_group(source, id)
            .ok_or(QueryError::UnknownLicence(source, id))?;
        groups.push(g);
        let g = g as usize;
        cuts.push((t.group_start[g] as usize, t.group_start[g + 1] as usize));
    }
    groups.sort_unstable();
    groups.dedup();
    cuts.sort_unstable();
    let (mut at, end) = base;
    let mut out = Vec::new();
    for (lo, hi) in cuts {
        if hi <= at || lo >= end {
            continue; // outside the range (or already cut)
        }
        if lo > at {
            out.push((at, lo));
        }
        at = at.max(hi);
    }
    if at < end {
        out.push((at, end));
    }
    Ok((out, groups))
}
