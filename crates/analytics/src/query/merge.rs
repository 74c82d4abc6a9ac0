//! Queries over a table of several parts: each part answers on its own, then the answers are
//! added up. Parts hold disjoint licence groups, so a group counted in one part is never
//! counted in another: totals and each bucket's measures are plain sums. Results are ordered
//! and limited after merging, by the table's merged dictionaries (the order a single part
//! gives).

use std::cmp::Ordering;

use super::licences::{self, LicenceOrder, LicenceSummary};
use super::result::{Key, Measures, QueryResult, QueryRow};
use super::{exec, plan, Destination, OrderBy, Query, QueryError, RatingFilter};
use crate::countries;
use crate::ratings::{self, natural_cmp};
use crate::table::{Part, Table};

/// A part may not know a rating, criterion or destination another part has: it then simply
/// matches nothing.
fn absent_here(e: &QueryError) -> bool {
    matches!(
        e,
        QueryError::UnknownRating(_)
            | QueryError::UnknownRatingPrefix(_)
            | QueryError::UnknownCriterion(_)
            | QueryError::UnknownCountry(_)
    )
}

/// What the table as a whole refuses of the names a query uses (in the order a single part
/// checks them), judged by the merged dictionaries.
fn whole_refusal(t: &Table, q: &Query) -> Option<QueryError> {
    match &q.destination {
        Some(Destination::Code(c)) => {
            let c = c.trim().to_ascii_uppercase();
            if !countries::is_known_code(&c) && !t.codes().iter().any(|e| e.code == c) {
                return Some(QueryError::UnknownCountry(c));
            }
        }
        Some(Destination::Name(n)) => {
            let n = n.trim();
            if countries::lookup(n).is_none() && !t.places().iter().any(|p| p.name == n) {
                return Some(QueryError::UnknownCountry(n.to_string()));
            }
        }
        _ => {}
    }
    match &q.rating {
        Some(RatingFilter::Exact(code)) => {
            let code = ratings::normalise(code);
            if !t.ratings().iter().any(|r| r.code == code) {
                return Some(QueryError::UnknownRating(code));
            }
        }
        Some(RatingFilter::Prefix(p))
            if !t
                .ratings()
                .iter()
                .any(|r| ratings::matches_prefix(&r.code, p)) =>
        {
            return Some(QueryError::UnknownRatingPrefix(p.trim().to_string()));
        }
        _ => {}
    }
    if let Some(c) = &q.criterion {
        let c = c.trim();
        if !t.criteria().iter().any(|e| e.code == c) {
            return Some(QueryError::UnknownCriterion(c.to_string()));
        }
    }
    if let (Some(from), Some(to)) = (q.from, q.to) {
        if from > to {
            return Some(QueryError::ReversedDateRange { from, to });
        }
    }
    None
}

/// Run `f` on each part with the query's exclusions narrowed to the part's licences: the
/// answers of the parts that know every name the query uses (the others match nothing).
fn per_part<T>(
    t: &Table,
    q: &Query,
    f: impl Fn(&Part, &plan::Plan, &Query) -> T,
) -> Result<Vec<T>, QueryError> {
    if let Some(e) = whole_refusal(t, q) {
        return Err(e);
    }
    let parts = t.parts();
    for &(s, id) in &q.exclude_licences {
        if parts.iter().all(|p| p.find_group(s, id).is_none()) {
            return Err(QueryError::UnknownLicence(s, id));
        }
    }
    let mut out = Vec::with_capacity(parts.len());
    for p in parts {
        let q = Query {
            exclude_licences: (q.exclude_licences.iter())
                .filter(|&&(s, id)| p.find_group(s, id).is_some())
                .copied()
                .collect(),
            limit: None,
            ..q.clone()
        };
        match plan::Plan::new(p, &q) {
            Ok(plan) => out.push(f(p, &plan, &q)),
            Err(e) if absent_here(&e) => {
                // The part matches nothing, but the query's other refusals still hold.
                let bare = Query {
                    destination: None,
                    rating: None,
                    criterion: None,
                    ..q
                };
                match plan::Plan::new(p, &bare) {
                    Err(e) if !absent_here(&e) => return Err(e),
                    _ => {}
                }
            }
            Err(e) => return Err(e),
        }
    }
    Ok(out)
}

fn add(a: &mut Measures, b: &Measures) {
    a.licences += b.licences;
    a.value_gbp += b.value_gbp;
    a.refused += b.refused;
    a.criteria_citations += b.criteria_citations;
}

/// A key's position in display order (the order of the table's dictionaries).
fn rank(t: &Table, k: &Key) -> u64 {
    let at = |r: Result<usize, usize>| r.unwrap_or_else(|i| i) as u64;
    match k {
        Key::Destination { code, name } => at(t.codes().binary_search_by(|c| {
            (c.name.as_str(), c.code.as_str()).cmp(&(name.as_str(), code.as_str()))
        })),
        Key::DestinationName { name, .. } => {
            at(t.places().binary_search_by(|p| p.name.as_str().cmp(name)))
        }
        Key::Region(r) => r.index() as u64,
        Key::Year(y) => *y as u64,
        Key::Quarter { year, quarter } => *year as u64 * 4 + *quarter as u64,
        Key::Month { year, month } => *year as u64 * 12 + *month as u64,
        Key::Rating(r) => at(t.ratings().binary_search_by(|e| natural_cmp(&e.code, r))),
        Key::Kind(k) => *k as u64,
        Key::Decision(d) => *d as u64,
        Key::Criterion(None) => u64::MAX,
        Key::Criterion(Some(c)) => at(t.criteria().binary_search_by(|e| natural_cmp(&e.code, c))),
        Key::Source(s) => *s as u64,
        Key::LicenceType(l) => *l as u64,
    }
}

fn merge(t: &Table, q: &Query, answers: Vec<QueryResult>) -> QueryResult {
    let mut total = Measures::default();
    let mut rows: Vec<(Vec<u64>, QueryRow)> = Vec::new();
    for a in answers {
        add(&mut total, &a.total);
        rows.extend(
            a.rows
                .into_iter()
                .map(|r| (r.keys.iter().map(|k| rank(t, k)).collect(), r)),
        );
    }
    rows.sort_by(|a, b| a.0.cmp(&b.0));
    let mut merged: Vec<(Vec<u64>, QueryRow)> = Vec::with_capacity(rows.len());
    for (rank, row) in rows {
        match merged.last_mut() {
            Some((_, last)) if last.keys == row.keys => add(&mut last.measures, &row.measures),
            _ => merged.push((rank, row)),
        }
    }
    let by = |m: &Measures| match q.order_by {
        OrderBy::Keys => 0,
        OrderBy::ValueDesc => m.value_gbp,
        OrderBy::LicencesDesc => m.licences as i128,
        OrderBy::RefusedDesc => m.refused as i128,
    };
    merged.sort_by(|a, b| {
        by(&b.1.measures)
            .cmp(&by(&a.1.measures))
            .then_with(|| a.0.cmp(&b.0))
    });
    if let Some(n) = q.limit {
        merged.truncate(n);
    }
    QueryResult {
        group_by: q.group_by.clone(),
        total,
        rows: merged.into_iter().map(|(_, r)| r).collect(),
    }
}

/// Drill-down order across parts: as within a part (value ties in table order: earliest date,
/// then source and id).
fn licence_cmp(
    order: LicenceOrder,
    a: &(i32, LicenceSummary),
    b: &(i32, LicenceSummary),
) -> Ordering {
    let table_order = |x: &(i32, LicenceSummary)| (x.0, x.1.source, x.1.licence);
    let (a1, b1) = (&a.1, &b.1);
    match order {
        LicenceOrder::ValueDesc => b1
            .value_gbp
            .cmp(&a1.value_gbp)
            .then_with(|| table_order(a).cmp(&table_order(b))),
        LicenceOrder::Date => table_order(a).cmp(&table_order(b)),
    }
}

impl Table {
    /// Run a query.
    pub fn query(&self, q: &Query) -> Result<QueryResult, QueryError> {
        let parts = self.parts();
        if let [p] = parts[..] {
            let plan = plan::Plan::new(p, q)?;
            return Ok(exec::run(p, &plan, q));
        }
        let answers = per_part(self, q, exec::run)?;
        Ok(merge(self, q, answers))
    }

    /// The licence groups behind a query (for drill-down), ordered and limited.
    pub fn licences(
        &self,
        q: &Query,
        order: LicenceOrder,
        limit: usize,
    ) -> Result<Vec<LicenceSummary>, QueryError> {
        let parts = self.parts();
        if let [p] = parts[..] {
            let plan = plan::Plan::new(p, q)?;
            let list = licences::collect(p, &plan, order, limit);
            return Ok(list.into_iter().map(|(_, l)| l).collect());
        }
        // Each part's first `limit` include every one of the merged first `limit`.
        let lists = per_part(self, q, |p, plan, _| {
            licences::collect(p, plan, order, limit)
        })?;
        let mut all: Vec<(i32, LicenceSummary)> = lists.into_iter().flatten().collect();
        all.sort_by(|a, b| licence_cmp(order, a, b));
        all.truncate(limit);
        Ok(all.into_iter().map(|(_, l)| l).collect())
    }
}
