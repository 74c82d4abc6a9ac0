//! The questions, answered by the library on the real data and checked against an
//! independent computation written here straight from the CSV (see `common`).

mod common;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use probity_analytics::{
    import_dir, Decision, Destination, Dim, ImportOptions, Key, LicenceOrder, OrderBy, Query,
    RatingKind, Source, Table,
};
use time::macros::date;

fn table() -> Table {
    let (ds, _) = import_dir(&common::caat_dir(), &ImportOptions::default()).unwrap();
    Table::from_caat(&ds).unwrap()
}

/// (value, distinct groups) of military rows matching `keep`.
fn military(keep: impl Fn(&common::V) -> bool) -> (i128, usize) {
    let flags = common::military_flags();
    let rows: Vec<common::V> = common::values()
        .into_iter()
        .filter(|v| common::is_military(&flags, &v.rating) && keep(v))
        .collect();
    let groups: BTreeSet<u64> = rows.iter().map(|v| v.group).collect();
    (rows.iter().map(|v| v.value as i128).sum(), groups.len())
}

#[test]
fn military_value_to_saudi_arabia_in_2012() {
    let (value, groups) = military(|v| v.country == "Saudi Arabia" && v.date.starts_with("2012-"));
    let q = Query {
        destination: Some(Destination::Code("SA".into())),
        from: Some(date!(2012 - 01 - 01)),
        to: Some(date!(2012 - 12 - 31)),
        kind: Some(RatingKind::Military),
        ..Default::default()
    };
    let r = table().query(&q).unwrap();
    eprintln!(
        "Saudi Arabia 2012, military: £{} in {} licence groups",
        r.total.value_gbp, r.total.licences
    );
    assert_eq!(r.total.value_gbp, value);
    assert_eq!(r.total.licences as usize, groups);
    assert_eq!((value, groups), (111_721_756, 91));
}

#[test]
fn military_licences_to_israel_september_to_december_2014() {
    let (value, groups) = military(|v| {
        v.country == "Israel" && v.date.as_str() >= "2014-09-01" && v.date.as_str() <= "2014-12-31"
    });
    let q = Query {
        destination: Some(Destination::parse("Israel").unwrap()),
        from: Some(date!(2014 - 09 - 01)),
        to: Some(date!(2014 - 12 - 31)),
        kind: Some(RatingKind::Military),
        ..Default::default()
    };
    let r = table().query(&q).unwrap();
    eprintln!(
        "Israel 2014-09-01..12-31, military: £{} in {} licence groups",
        r.total.value_gbp, r.total.licences
    );
    assert_eq!(
        (r.total.value_gbp, r.total.licences as usize),
        (value, groups)
    );
    assert_eq!((value, groups), (3_977_106, 32));
}

#[test]
fn military_totals_over_everything_match() {
    let (value, groups) = military(|_| true);
    let r = table()
        .query(&Query {
            kind: Some(RatingKind::Military),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(
        (r.total.value_gbp, r.total.licences as usize),
        (value, groups)
    );
}

#[test]
fn refusals_to_israel_by_criterion_2008_2015() {
    // Independent: refused Israel groups, criteria de-duplicated per group.
    let refused: BTreeSet<u64> = common::values()
        .into_iter()
        .filter(|v| v.country == "Israel" && v.refused)
        .map(|v| v.group)
        .collect();
    let (h, rows) = common::read_csv("refusal-criteria.csv");
    assert_eq!(h[..2], ["licence_group", "criteria"]);
    let mut cited: BTreeMap<u64, BTreeSet<String>> = BTreeMap::new();
    for r in rows {
        let g: u64 = r[0].parse().unwrap();
        if refused.contains(&g) {
            cited.entry(g).or_default().insert(r[1].clone());
        }
    }
    let mut by_criterion: BTreeMap<String, u64> = BTreeMap::new();
    for set in cited.values() {
        for c in set {
            *by_criterion.entry(c.clone()).or_default() += 1;
        }
    }
    let uncited = refused.iter().filter(|g| !cited.contains_key(g)).count() as u64;

    let q = Query {
        destination: Some(Destination::Name("Israel".into())),
        from: Some(date!(2008 - 01 - 01)),
        to: Some(date!(2015 - 12 - 31)),
        decision: Some(Decision::Refused),
        group_by: vec![Dim::Criterion],
        ..Default::default()
    };
    let r = table().query(&q).unwrap();
    eprintln!(
        "Refusals to Israel 2008–2015: {} refused groups",
        r.total.refused
    );
    assert_eq!(r.total.refused as usize, refused.len());
    assert_eq!(r.total.licences as usize, refused.len());
    assert_eq!(
        r.total.criteria_citations,
        by_criterion.values().sum::<u64>()
    );
    let mut got: BTreeMap<String, u64> = BTreeMap::new();
    for row in &r.rows {
        eprintln!(
            "  criterion {:?}: {} refusals",
            row.keys[0], row.measures.refused
        );
        assert_eq!(row.measures.refused, row.measures.licences);
        match &row.keys[0] {
            Key::Criterion(Some(c)) => {
                assert_eq!(row.measures.criteria_citations, row.measures.refused);
                got.insert(c.clone(), row.measures.refused);
            }
            Key::Criterion(None) => assert_eq!(row.measures.refused, uncited),
            k => panic!("unexpected key {k:?}"),
        }
    }
    assert_eq!(got, by_criterion);
    let expect: BTreeMap<String, u64> = [
        ("1", 8),
        ("2", 24),
        ("3", 23),
        ("4", 11),
        ("5", 1),
        ("6", 1),
        ("7", 15),
    ]
    .into_iter()
    .map(|(c, n)| (c.to_string(), n))
    .collect();
    assert_eq!(got, expect);
    assert_eq!(refused.len(), 52);
}

/// Names in values.csv that denote part of another destination (by destination code they count
/// with it). Written out here so the by-code check does not depend on the library's mapping.
const PARTS: &[(&str, &str)] = &[
    ("Sarawak", "Malaysia"),
    ("Continental Shelf Danish Sector", "Denmark"),
    ("Continental Shelf Netherlands Sector", "Netherlands"),
    ("Continental Shelf Norwegian Sector", "Norway"),
    ("Continental Shelf: United Kingdom sector", "United Kingdom"),
    ("British Antarctic Territory", "Antarctica"),
];

/// Independent top 10 by value, per published name (or with `PARTS` merged), optionally
/// without one group.
fn top10_independent(without: Option<u64>, merge_parts: bool) -> Vec<(String, i128)> {
    let mut by: HashMap<String, i128> = HashMap::new();
    for v in common::values() {
        if Some(v.group) != without {
            let name = match PARTS
                .iter()
                .find(|(part, _)| merge_parts && *part == v.country)
            {
                Some((_, whole)) => whole.to_string(),
                None => v.country,
            };
            *by.entry(name).or_default() += v.value as i128;
        }
    }
    let mut v: Vec<(String, i128)> = by.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    v.truncate(10);
    v
}

fn top10_library(t: &Table, dim: Dim, exclude: Vec<(Source, u64)>) -> Vec<(String, i128)> {
    let q = Query {
        group_by: vec![dim],
        order_by: OrderBy::ValueDesc,
        limit: Some(10),
        exclude_licences: exclude,
        ..Default::default()
    };
    t.query(&q)
        .unwrap()
        .rows
        .into_iter()
        .map(|r| match &r.keys[0] {
            Key::DestinationName { name, .. } | Key::Destination { name, .. } => {
                (name.clone(), r.measures.value_gbp)
            }
            k => panic!("unexpected key {k:?}"),
        })
        .collect()
}

#[test]
fn top_10_destinations_by_value_with_and_without_the_largest_licence() {
    let t = table();
    // The single largest licence group, independently.
    let mut per_group: HashMap<u64, i128> = HashMap::new();
    for v in common::values() {
        *per_group.entry(v.group).or_default() += v.value as i128;
    }
    let (&largest, &largest_value) = per_group
        .iter()
        .max_by_key(|(g, v)| (**v, std::cmp::Reverse(**g)))
        .unwrap();
    let top = t
        .licences(&Query::default(), LicenceOrder::ValueDesc, 1)
        .unwrap();
    assert_eq!((top[0].licence, top[0].value_gbp), (largest, largest_value));
    assert_eq!(largest, 51396);

    // Per destination as published.
    let with = top10_independent(None, false);
    let without = top10_independent(Some(largest), false);
    assert_eq!(top10_library(&t, Dim::DestinationName, vec![]), with);
    assert_eq!(
        top10_library(&t, Dim::DestinationName, vec![(Source::Caat, largest)]),
        without
    );
    // Per destination code: Sarawak's £22,000 counts with Malaysia.
    let with_code = top10_independent(None, true);
    let without_code = top10_independent(Some(largest), true);
    assert_eq!(top10_library(&t, Dim::Destination, vec![]), with_code);
    assert_eq!(
        top10_library(&t, Dim::Destination, vec![(Source::Caat, largest)]),
        without_code
    );
    eprintln!(
        "By code, Malaysia: £{}",
        with_code.iter().find(|(n, _)| n == "Malaysia").unwrap().1
    );
    eprintln!("Top 10 with licence {largest} (£{largest_value}):");
    for (n, v) in &with {
        eprintln!("  {n}: £{v}");
    }
    eprintln!("Top 10 without it:");
    for (n, v) in &without {
        eprintln!("  {n}: £{v}");
    }
    assert_eq!(with[0].0, "Israel");
    assert!(without.iter().all(|(n, _)| n != "Israel"));
}
