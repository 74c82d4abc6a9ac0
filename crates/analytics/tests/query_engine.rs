//! The query engine against a naive model, by property tests.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::synth::{build, date, Row, CRITERIA, PLACES, RATINGS};
use probity_analytics::countries::{self, Region};
use probity_analytics::ratings::{self, RatingKind};
use probity_analytics::{
    Decision, Destination, Dim, Key, LicenceOrder, Measures, OrderBy, Query, QueryError,
    RatingFilter, Source, Table,
};
use proptest::prelude::*;

fn row_strategy() -> impl Strategy<Value = (u16, usize, usize, u8, Option<i64>, bool)> {
    (
        0u16..900,
        0..RATINGS.len(),
        0..PLACES.len(),
        0u8..4,
        prop::option::weighted(0.9, -5i64..1_000_000),
        prop::bool::weighted(0.1),
    )
}

/// `consistent`: the share of groups whose rows agree on all but the rating.
fn groups_strategy(consistent: f64) -> impl Strategy<Value = Vec<Row>> {
    // Each group: a source, a criteria subset, a "consistent" flag and 1..4 rows. Every fifth
    // group reuses an earlier id (so one licence's rows may differ and be scattered), and half
    // the time the rows are shuffled.
    let base = prop::collection::vec(
        (
            prop::bool::ANY,
            prop::collection::btree_set(0..CRITERIA.len(), 0..3),
            prop::bool::weighted(consistent),
            prop::collection::vec(row_strategy(), 1..4),
        ),
        1..40,
    )
    .prop_map(|groups| {
        let mut rows = Vec::new();
        for (g, (probity, crits, consistent, rs)) in groups.into_iter().enumerate() {
            let criteria: Vec<String> =
                crits.into_iter().map(|c| CRITERIA[c].to_string()).collect();
            let first = rs[0];
            for (day, rating, place, decision, value, outlier) in rs {
                let (day, place) = if consistent {
                    (first.0, first.2)
                } else {
                    (day, place)
                };
                let decision = if consistent { first.3 } else { decision };
                rows.push(Row {
                    source: if probity {
                        Source::Probity
                    } else {
                        Source::Caat
                    },
                    licence: if g % 5 == 4 { g as u64 / 5 } else { g as u64 },
                    date: date(day),
                    rating: RATINGS[rating],
                    place: PLACES[place],
                    decision: [
                        Decision::Granted,
                        Decision::Refused,
                        Decision::Revoked,
                        Decision::Granted,
                    ][decision as usize],
                    value,
                    criteria: criteria.clone(),
                    outlier,
                });
            }
        }
        rows
    })
    .boxed();
    prop_oneof![base.clone(), base.prop_shuffle()]
}

fn code(place: &str) -> (&'static str, Region) {
    countries::lookup(place).map_or((countries::UNKNOWN_CODE, Region::Unknown), |c| {
        (c.code, c.region)
    })
}

/// Criteria of a group are the union over its rows (the table's rule).
fn group_criteria(rows: &[Row]) -> BTreeMap<(Source, u64), BTreeSet<String>> {
    let mut m: BTreeMap<(Source, u64), BTreeSet<String>> = BTreeMap::new();
    for r in rows {
        m.entry((r.source, r.licence))
            .or_default()
            .extend(r.criteria.iter().cloned());
    }
    m
}

fn matches(q: &Query, r: &Row, crits: &BTreeSet<String>) -> bool {
    let (c, region) = code(r.place);
    let dest_ok = match &q.destination {
        None => true,
        Some(Destination::Code(x)) => c == x,
        Some(Destination::Name(n)) => r.place == n,
        Some(Destination::Region(x)) => region == *x,
    };
    let rating_ok = match &q.rating {
        None => true,
        Some(RatingFilter::Exact(x)) => r.rating == x,
        Some(RatingFilter::Prefix(p)) => ratings::matches_prefix(r.rating, p),
    };
    dest_ok
        && rating_ok
        && q.kind
            .is_none_or(|k| ratings::classify(r.rating, None) == k)
        && q.decision.is_none_or(|d| r.decision == d)
        && q.source.is_none_or(|s| r.source == s)
        && q.from.is_none_or(|f| r.date >= f)
        && q.to.is_none_or(|t| r.date <= t)
        && q.criterion.as_ref().is_none_or(|c| crits.contains(c))
        && !(q.exclude_outliers && r.outlier)
        && !q.exclude_licences.contains(&(r.source, r.licence))
}

fn keys(q: &Query, r: &Row, crits: &BTreeSet<String>) -> Vec<Vec<String>> {
    let mut out: Vec<Vec<String>> = vec![vec![]];
    for d in &q.group_by {
        let (c, region) = code(r.place);
        let month = r.date.month() as u8;
        let vals: Vec<String> = match d {
            Dim::Destination => vec![format!("d:{c}")],
            Dim::DestinationName => vec![format!("n:{}", r.place)],
            Dim::Region => vec![format!("r:{region:?}")],
            Dim::Year => vec![format!("y:{}", r.date.year())],
            Dim::Quarter => vec![format!("q:{}-{}", r.date.year(), (month - 1) / 3 + 1)],
            Dim::Month => vec![format!("m:{}-{month}", r.date.year())],
            Dim::Rating => vec![format!("rt:{}", r.rating)],
            Dim::Kind => vec![format!("k:{:?}", ratings::classify(r.rating, None))],
            Dim::Decision => vec![format!("dc:{:?}", r.decision)],
            Dim::Source => vec![format!("s:{:?}", r.source)],
            Dim::LicenceType => vec!["lt:Unspecified".to_string()],
            Dim::Criterion => {
                let cited: Vec<&String> = crits
                    .iter()
                    .filter(|c| q.criterion.as_ref().is_none_or(|f| f == *c))
                    .collect();
                if cited.is_empty() {
                    vec!["c:-".to_string()]
                } else {
                    cited.iter().map(|c| format!("c:{c}")).collect()
                }
            }
        };
        out = out
            .into_iter()
            .flat_map(|k| {
                vals.iter()
                    .map(move |v| [k.clone(), vec![v.clone()]].concat())
            })
            .collect();
    }
    out
}

fn key_strings(keys: &[Key]) -> Vec<String> {
    keys.iter()
        .map(|k| match k {
            Key::Destination { code, .. } => format!("d:{code}"),
            Key::DestinationName { name, .. } => format!("n:{name}"),
            Key::Region(r) => format!("r:{r:?}"),
            Key::Year(y) => format!("y:{y}"),
            Key::Quarter { year, quarter } => format!("q:{year}-{quarter}"),
            Key::Month { year, month } => format!("m:{year}-{month}"),
            Key::Rating(r) => format!("rt:{r}"),
            Key::Kind(k) => format!("k:{k:?}"),
            Key::Decision(d) => format!("dc:{d:?}"),
            Key::Source(s) => format!("s:{s:?}"),
            Key::LicenceType(l) => format!("lt:{l:?}"),
            Key::Criterion(c) => format!("c:{}", c.as_deref().unwrap_or("-")),
        })
        .collect()
}

#[derive(Default)]
struct Naive {
    groups: BTreeSet<(Source, u64)>,
    refused: BTreeSet<(Source, u64)>,
    citations: BTreeSet<(Source, u64, String)>,
    value: i128,
}

fn measures(n: &Naive) -> Measures {
    Measures {
        licences: n.groups.len() as u64,
        value_gbp: n.value,
        refused: n.refused.len() as u64,
        criteria_citations: n.citations.len() as u64,
    }
}

fn naive(rows: &[Row], q: &Query) -> (Measures, BTreeMap<Vec<String>, Measures>) {
    let crits = group_criteria(rows);
    let mut total = Naive::default();
    let mut buckets: BTreeMap<Vec<String>, Naive> = BTreeMap::new();
    for r in rows {
        let g = (r.source, r.licence);
        let cs = &crits[&g];
        if !matches(q, r, cs) {
            continue;
        }
        let cited: Vec<&String> = cs
            .iter()
            .filter(|c| q.criterion.as_ref().is_none_or(|f| f == *c))
            .collect();
        let add = |n: &mut Naive, only: Option<&str>| {
            n.groups.insert(g);
            if r.decision == Decision::Refused {
                n.refused.insert(g);
            }
            for c in &cited {
                if only.is_none_or(|o| o == c.as_str()) {
                    n.citations.insert((g.0, g.1, c.to_string()));
                }
            }
            n.value += r.value.unwrap_or(0) as i128;
        };
        add(&mut total, None);
        if q.group_by.is_empty() {
            continue;
        }
        for k in keys(q, r, cs) {
            let only = k
                .iter()
                .find_map(|s| s.strip_prefix("c:"))
                .map(str::to_string);
            let only = match only.as_deref() {
                Some("-") => Some("\u{0}"), // the no-criterion bucket cites nothing
                o => o,
            };
            add(buckets.entry(k).or_default(), only);
        }
    }
    (
        measures(&total),
        buckets
            .iter()
            .map(|(k, n)| (k.clone(), measures(n)))
            .collect(),
    )
}

fn query_strategy() -> impl Strategy<Value = Query> {
    let dest = prop_oneof![
        6 => Just(None),
        1 => Just(Some(Destination::Code("MY".into()))),
        1 => Just(Some(Destination::Code("IL".into()))),
        1 => Just(Some(Destination::Name("Sarawak".into()))),
        1 => Just(Some(Destination::Region(Region::MiddleEastNorthAfrica))),
        1 => Just(Some(Destination::Code("ZZ".into()))),
    ];
    let rating = prop_oneof![
        6 => Just(None),
        1 => Just(Some(RatingFilter::Exact("ML10".into()))),
        1 => Just(Some(RatingFilter::Prefix("ML1".into()))),
        // ML10 and ML10a: a group holding both matches once.
        1 => Just(Some(RatingFilter::Prefix("ML10".into()))),
        1 => Just(Some(RatingFilter::Prefix("ML".into()))),
        1 => Just(Some(RatingFilter::Prefix("5A".into()))),
    ];
    let kind = prop_oneof![4 => Just(None), 1 => Just(Some(RatingKind::Military)), 1 => Just(Some(RatingKind::DualUse))];
    let decision = prop_oneof![4 => Just(None), 1 => Just(Some(Decision::Refused)), 1 => Just(Some(Decision::Granted))];
    let source = prop_oneof![4 => Just(None), 1 => Just(Some(Source::Caat))];
    let crit = prop_oneof![6 => Just(None), 1 => Just(Some("2".to_string())), 1 => Just(Some("7".to_string()))];
    let dates = (
        prop::option::weighted(0.3, 0u16..900),
        prop::option::weighted(0.3, 0u16..900),
    )
        .prop_map(|(a, b)| match (a, b) {
            (Some(a), Some(b)) => (Some(date(a.min(b))), Some(date(a.max(b)))),
            (a, b) => (a.map(date), b.map(date)),
        });
    let dims = prop::sample::subsequence(Dim::ALL.to_vec(), 0..3).prop_shuffle();
    (
        dest,
        rating,
        kind,
        decision,
        source,
        crit,
        dates,
        dims,
        prop::bool::weighted(0.2),
        prop::option::weighted(0.2, 0usize..1000),
    )
        .prop_map(
            |(
                destination,
                rating,
                kind,
                decision,
                source,
                criterion,
                (from, to),
                group_by,
                exclude_outliers,
                ex,
            )| Query {
                destination,
                rating,
                kind,
                decision,
                source,
                criterion,
                from,
                to,
                group_by,
                exclude_outliers,
                // An index into the generated rows, resolved to a licence in the test.
                limit: ex,
                ..Default::default()
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

    #[test]
    fn engine_matches_naive_model(rows in groups_strategy(0.85), q in query_strategy()) {
        check_against_naive(&rows, q, true)?;
    }

    /// Every group pre-aggregated: queries come from the cells alone (those that filter or
    /// group by a rating from the per-rating sub-cells), and must still match the naive model.
    #[test]
    fn cells_match_naive_model(rows in groups_strategy(1.0), q in query_strategy()) {
        check_against_naive(&rows, q, true)?;
    }

    /// The row scan alone (cells off) matches the model too, so the two paths agree.
    #[test]
    fn row_scan_matches_naive_model(rows in groups_strategy(0.85), q in query_strategy()) {
        check_against_naive(&rows, q, false)?;
    }

    /// Imported and Probity rows built as two parts and answered together (as the service
    /// keeps them) match the model of all rows at once: totals, buckets, order and limits.
    #[test]
    fn parts_match_naive_model(
        rows in groups_strategy(0.85),
        q in query_strategy(),
        cells in prop::bool::ANY,
        order in prop_oneof![Just(OrderBy::Keys), Just(OrderBy::ValueDesc), Just(OrderBy::LicencesDesc)],
        limit in prop::option::weighted(0.3, 1usize..6),
    ) {
        let (caat, own): (Vec<Row>, Vec<Row>) =
            rows.iter().cloned().partition(|r| r.source == Source::Caat);
        let mut t = Table::combine(&build(&caat), &build(&own)).expect("sources are disjoint");
        prop_assert_eq!(t.part_count(), 2);
        t.set_use_cells(cells);
        check_table(&rows, q.clone(), &t)?;
        // Ordered and limited after merging: the same rows as one table of everything.
        let q = Query { order_by: order, limit, exclude_licences: vec![], ..q };
        let mut whole = build(&rows);
        whole.set_use_cells(cells);
        prop_assert_eq!(t.query(&q).ok(), whole.query(&q).ok());
        for lo in [LicenceOrder::ValueDesc, LicenceOrder::Date] {
            prop_assert_eq!(
                t.licences(&q, lo, limit.unwrap_or(usize::MAX)).ok(),
                whole.licences(&q, lo, limit.unwrap_or(usize::MAX)).ok()
            );
        }
    }
}

#[test]
fn parts_sharing_a_licence_are_not_combined() {
    let rows = |source| Row {
        source,
        licence: 7,
        date: date(3),
        rating: "ML10",
        place: "Israel",
        decision: Decision::Granted,
        value: Some(5),
        criteria: vec![],
        outlier: false,
    };
    let a = build(&[rows(Source::Caat)]);
    assert!(Table::combine(&a, &build(&[rows(Source::Caat)])).is_none());
    let both = Table::combine(&a, &build(&[rows(Source::Probity)])).unwrap();
    assert_eq!(both.query(&Query::default()).unwrap().total.licences, 2);
}

fn check_against_naive(rows: &[Row], q: Query, cells: bool) -> Result<(), TestCaseError> {
    let mut t = build(rows);
    t.set_use_cells(cells);
    check_table(rows, q, &t)
}

/// `t` holds `rows`; its answers to `q` must be the naive model's.
fn check_table(rows: &[Row], q: Query, t: &Table) -> Result<(), TestCaseError> {
    {
        let mut q = q;
        if let Some(i) = q.limit.take() {
            let r = &rows[i % rows.len()];
            q.exclude_licences = vec![(r.source, r.licence)];
            if i % 3 == 0 {
                // The same group twice, and a second group.
                let r2 = &rows[(i / 3) % rows.len()];
                q.exclude_licences.push((r.source, r.licence));
                q.exclude_licences.push((r2.source, r2.licence));
            }
        }
        match t.query(&q) {
            Ok(res) => {
                let (total, buckets) = naive(rows, &q);
                prop_assert_eq!(res.total, total);
                let got: BTreeMap<Vec<String>, Measures> = res
                    .rows
                    .iter()
                    .map(|r| (key_strings(&r.keys), r.measures))
                    .collect();
                prop_assert_eq!(got.len(), res.rows.len(), "duplicate keys");
                prop_assert_eq!(got, buckets);
                // Drill-down lists exactly the matching groups.
                let listed = t.licences(&q, LicenceOrder::Date, usize::MAX).unwrap();
                prop_assert_eq!(listed.len() as u64, total.licences);
                prop_assert_eq!(
                    listed.iter().map(|l| l.value_gbp).sum::<i128>(),
                    total.value_gbp
                );
            }
            // Only legitimate refusals: a filter naming something absent from this table.
            Err(
                QueryError::UnknownRating(_)
                | QueryError::UnknownRatingPrefix(_)
                | QueryError::UnknownCriterion(_)
                | QueryError::UnknownLicence(..),
            ) => {}
            Err(e) => prop_assert!(false, "unexpected error {e}"),
        }
    }
    Ok(())
}
