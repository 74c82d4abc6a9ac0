//! Query validation errors, input parsing, the JSON shape, and the multi-threaded path.

mod common;

use common::synth::{build, date, Row, CRITERIA, PLACES, RATINGS};
use probity_analytics::countries::Region;
use probity_analytics::{
    Decision, Destination, Dim, Measures, OrderBy, Query, QueryError, RatingFilter, RatingKind,
    Source, Table,
};

fn sample_table() -> Table {
    let mut rows = Vec::new();
    for g in 0..2_000u64 {
        for (k, rating) in RATINGS.iter().enumerate().take(1 + (g % 3) as usize) {
            rows.push(Row {
                source: Source::Caat,
                licence: g,
                date: date((g % 900) as u16),
                rating,
                place: PLACES[(g % 5) as usize],
                decision: if g % 11 == 0 {
                    Decision::Refused
                } else {
                    Decision::Granted
                },
                value: Some((g * 37 + k as u64) as i64),
                criteria: if g % 11 == 0 {
                    vec!["1".into(), "7".into()]
                } else {
                    vec![]
                },
                outlier: g == 1999,
            });
        }
    }
    build(&rows)
}

#[test]
fn validation_errors_are_clear() {
    let t = sample_table();
    let err = |q: Query| t.query(&q).unwrap_err();
    assert_eq!(
        err(Query {
            rating: Some(RatingFilter::Exact("ML99".into())),
            ..Default::default()
        }),
        QueryError::UnknownRating("ML99".into())
    );
    assert_eq!(
        err(Query {
            rating: Some(RatingFilter::Prefix("9Z".into())),
            ..Default::default()
        }),
        QueryError::UnknownRatingPrefix("9Z".into())
    );
    assert_eq!(
        err(Query {
            destination: Some(Destination::Code("QQ".into())),
            ..Default::default()
        }),
        QueryError::UnknownCountry("QQ".into())
    );
    assert_eq!(
        err(Query {
            destination: Some(Destination::Name("Atlantis2".into())),
            ..Default::default()
        }),
        QueryError::UnknownCountry("Atlantis2".into())
    );
    assert_eq!(
        err(Query {
            criterion: Some("9".into()),
            ..Default::default()
        }),
        QueryError::UnknownCriterion("9".into())
    );
    let (a, b) = (date(10), date(5));
    assert_eq!(
        err(Query {
            from: Some(a),
            to: Some(b),
            ..Default::default()
        }),
        QueryError::ReversedDateRange { from: a, to: b }
    );
    assert_eq!(
        err(Query {
            group_by: vec![Dim::Year, Dim::Year],
            ..Default::default()
        }),
        QueryError::DuplicateDim("year")
    );
    assert_eq!(
        err(Query {
            exclude_licences: vec![(Source::Probity, 1)],
            ..Default::default()
        }),
        QueryError::UnknownLicence(Source::Probity, 1)
    );
    assert!(QueryError::ReversedDateRange { from: a, to: b }
        .to_string()
        .contains("reversed"));
    // A known country with no rows is an empty answer, not an error.
    let fr = t
        .query(&Query {
            destination: Some(Destination::Code("FR".into())),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(fr.total, Measures::default());
}

#[test]
fn destination_parsing() {
    assert_eq!(
        Destination::parse("IL").unwrap(),
        Destination::Code("IL".into())
    );
    assert_eq!(
        Destination::parse("il").unwrap(),
        Destination::Code("IL".into())
    );
    assert_eq!(
        Destination::parse("Israel").unwrap(),
        Destination::Name("Israel".into())
    );
    assert_eq!(
        Destination::parse("saudi arabia").unwrap(),
        Destination::Name("Saudi Arabia".into())
    );
    assert_eq!(
        Destination::parse("MENA").unwrap(),
        Destination::Region(Region::MiddleEastNorthAfrica)
    );
    assert_eq!(
        Destination::parse("Sub-Saharan Africa").unwrap(),
        Destination::Region(Region::SubSaharanAfrica)
    );
    assert_eq!(
        Destination::parse("Narnia").unwrap_err(),
        QueryError::UnknownCountry("Narnia".into())
    );
    assert_eq!(Dim::parse("destination"), Some(Dim::Destination));
    assert_eq!(Dim::parse("licence_type"), Some(Dim::LicenceType));
    assert_eq!(Decision::parse("Refused"), Some(Decision::Refused));
    assert_eq!(RatingKind::parse("dual_use"), Some(RatingKind::DualUse));
}

#[test]
fn json_has_total_and_flat_rows() {
    let t = sample_table();
    let q = Query {
        group_by: vec![Dim::Destination, Dim::Year],
        order_by: OrderBy::ValueDesc,
        limit: Some(3),
        ..Default::default()
    };
    let v = serde_json::to_value(t.query(&q).unwrap()).unwrap();
    let total = &v["total"];
    for m in ["licences", "value_gbp", "refused", "criteria_citations"] {
        assert!(total[m].is_u64(), "{m} in {total}");
    }
    let rows = v["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 3);
    for r in rows {
        assert!(
            r["destination"].is_string() && r["destination_name"].is_string() && r["year"].is_i64(),
            "{r}"
        );
        assert!(
            r["licences"].is_u64() && r["value_gbp"].is_u64() && r["refused"].is_u64(),
            "{r}"
        );
    }
    let values: Vec<u64> = rows
        .iter()
        .map(|r| r["value_gbp"].as_u64().unwrap())
        .collect();
    assert!(
        values.windows(2).all(|w| w[0] >= w[1]),
        "ordered by value: {values:?}"
    );
    let by_crit = t
        .query(&Query {
            decision: Some(Decision::Refused),
            group_by: vec![Dim::Criterion, Dim::Quarter, Dim::Month],
            ..Default::default()
        })
        .unwrap();
    let v = serde_json::to_value(&by_crit).unwrap();
    let r0 = &v["rows"][0];
    assert!(
        r0["criterion"].is_string()
            && r0["quarter"].as_str().unwrap().contains("-Q")
            && r0["month"].is_string(),
        "{r0}"
    );
}

#[test]
fn parallel_scan_equals_single_threaded() {
    // Enough rows to take the parallel path (400,000+), with groups spanning chunk boundaries.
    let mut rows = Vec::new();
    for g in 0..300_000u64 {
        for (k, rating) in RATINGS.iter().enumerate().take(1 + (g % 3) as usize) {
            rows.push(Row {
                source: if g % 13 == 0 {
                    Source::Probity
                } else {
                    Source::Caat
                },
                licence: g,
                date: date((g % 900) as u16),
                rating,
                place: PLACES[(g % 5) as usize],
                decision: if g % 11 == 0 {
                    Decision::Refused
                } else {
                    Decision::Granted
                },
                value: Some((g * 37 + k as u64) as i64),
                criteria: if g % 11 == 0 {
                    vec![CRITERIA[(g % 4) as usize].into(), "7".into()]
                } else {
                    vec![]
                },
                outlier: false,
            });
        }
    }
    let mut multi = build(&rows);
    multi.set_max_threads(4);
    let mut single = multi.clone();
    single.set_max_threads(1);
    assert!(multi.len() > 400_000);
    for group_by in [
        vec![],
        vec![Dim::Destination, Dim::Year],
        vec![Dim::Criterion],
        vec![Dim::Rating, Dim::Month, Dim::Destination],
    ] {
        for kind in [None, Some(RatingKind::Military)] {
            let q = Query {
                group_by: group_by.clone(),
                kind,
                ..Default::default()
            };
            assert_eq!(multi.query(&q).unwrap(), single.query(&q).unwrap(), "{q:?}");
        }
    }
    let all = single.query(&Query::default()).unwrap();
    assert_eq!(all.total.licences, 300_000);
}
