//! The pre-aggregated cells on the real data: every CAAT licence group fits a cell, and every
//! query answered from the cells (or, with a rating filter or rating dimension, from their
//! per-rating sub-cells) gives exactly what the row scan gives.

mod common;

use probity_analytics::{
    import_dir, Decision, Destination, Dim, ImportOptions, OrderBy, Query, RatingFilter,
    RatingKind, Region, Source, Table,
};
use time::macros::date;

#[test]
fn cells_answer_exactly_as_the_row_scan_on_real_data() {
    let (ds, _) = import_dir(&common::caat_dir(), &ImportOptions::default()).unwrap();
    let mut t = Table::from_caat(&ds).unwrap();
    let (cells, residual_rows) = t.cell_stats();
    assert_eq!(
        residual_rows, 0,
        "every CAAT group has one date and destination"
    );
    assert!(
        cells < t.groups() && cells > 0,
        "{cells} cells for {} groups",
        t.groups()
    );

    let dims: Vec<Vec<Dim>> = vec![
        vec![],
        vec![Dim::Destination],
        vec![Dim::DestinationName, Dim::Year],
        vec![Dim::Region, Dim::Quarter],
        vec![Dim::Month],
        vec![Dim::Year, Dim::Decision],
        vec![Dim::Criterion],
        vec![Dim::Criterion, Dim::Destination],
        vec![Dim::Source, Dim::LicenceType],
        vec![Dim::Kind],
        vec![Dim::Destination, Dim::Kind, Dim::Criterion],
        vec![Dim::Rating],
        vec![Dim::Rating, Dim::Month],
        vec![Dim::Kind, Dim::Rating, Dim::Criterion],
    ];
    // ML10 has sub-items (ML10a, …); many licences hold several ML ratings.
    let ratings = [
        None,
        Some(RatingFilter::Exact("ML10".into())),
        Some(RatingFilter::Prefix("ML10".into())),
        Some(RatingFilter::Prefix("ML".into())),
        Some(RatingFilter::Prefix("5A".into())),
    ];
    let filters: Vec<Query> = vec![
        Query::default(),
        Query {
            destination: Some(Destination::Code("IL".into())),
            from: Some(date!(2014 - 09 - 01)),
            to: Some(date!(2014 - 12 - 31)),
            ..Default::default()
        },
        Query {
            destination: Some(Destination::Region(Region::MiddleEastNorthAfrica)),
            decision: Some(Decision::Refused),
            ..Default::default()
        },
        Query {
            criterion: Some("7".into()),
            from: Some(date!(2010 - 03 - 15)),
            ..Default::default()
        },
        Query {
            // The single largest licence, and one excluded twice.
            exclude_licences: vec![
                (Source::Caat, 51396),
                (Source::Caat, 597),
                (Source::Caat, 597),
            ],
            exclude_outliers: true,
            ..Default::default()
        },
        Query {
            exclude_licences: vec![(Source::Caat, 51396)],
            to: Some(date!(2012 - 06 - 30)),
            ..Default::default()
        },
        Query {
            kind: Some(RatingKind::Military),
            ..Default::default()
        },
        Query {
            kind: Some(RatingKind::DualUse),
            exclude_outliers: true,
            exclude_licences: vec![(Source::Caat, 51396), (Source::Caat, 53)],
            destination: Some(Destination::Region(Region::MiddleEastNorthAfrica)),
            ..Default::default()
        },
    ];
    let mut checked = 0;
    for f in &filters {
        for d in &dims {
            for (r, order_by) in ratings
                .iter()
                .zip([OrderBy::Keys, OrderBy::ValueDesc].iter().cycle())
            {
                let q = Query {
                    group_by: d.clone(),
                    order_by: *order_by,
                    rating: r.clone(),
                    ..f.clone()
                };
                t.set_use_cells(true);
                let fast = t.query(&q).unwrap();
                t.set_use_cells(false);
                let scan = t.query(&q).unwrap();
                assert_eq!(fast, scan, "{q:?}");
                checked += 1;
            }
        }
    }
    assert_eq!(checked, filters.len() * dims.len() * ratings.len());
}
