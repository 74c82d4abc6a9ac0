//! Timings in release mode: import of the real CAAT data, and the queries over it and over
//! the data replicated to at least 5,000,000 rows.
//!
//! cargo run -p probity-analytics --release --example timing -- [caat-uk dir] [copies]

use std::path::PathBuf;
use std::time::{Duration, Instant};

use probity_analytics::{
    import_dir, Decision, Destination, Dim, ImportOptions, OrderBy, Query, RatingFilter,
    RatingKind, Region, RowInput, Source, Table, TableBuilder,
};
use time::macros::date;

fn median(mut f: impl FnMut(), runs: usize) -> Duration {
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .collect();
    times.sort();
    times[runs / 2]
}

fn queries() -> Vec<(&'static str, Query)> {
    vec![
        (
            "military value, Saudi Arabia, 2012",
            Query {
                destination: Some(Destination::Code("SA".into())),
                from: Some(date!(2012 - 01 - 01)),
                to: Some(date!(2012 - 12 - 31)),
                kind: Some(RatingKind::Military),
                ..Default::default()
            },
        ),
        (
            "military, Israel, 2014-09-01..2014-12-31",
            Query {
                destination: Some(Destination::Code("IL".into())),
                from: Some(date!(2014 - 09 - 01)),
                to: Some(date!(2014 - 12 - 31)),
                kind: Some(RatingKind::Military),
                ..Default::default()
            },
        ),
        (
            "refusals to Israel by criterion",
            Query {
                destination: Some(Destination::Code("IL".into())),
                decision: Some(Decision::Refused),
                group_by: vec![Dim::Criterion],
                ..Default::default()
            },
        ),
        (
            "top 10 destinations by value",
            Query {
                group_by: vec![Dim::Destination],
                order_by: OrderBy::ValueDesc,
                limit: Some(10),
                ..Default::default()
            },
        ),
        (
            "top 10 destinations, without largest",
            Query {
                group_by: vec![Dim::Destination],
                order_by: OrderBy::ValueDesc,
                limit: Some(10),
                exclude_licences: vec![(Source::Caat, 51396)],
                ..Default::default()
            },
        ),
        (
            "value by destination and year",
            Query {
                group_by: vec![Dim::Destination, Dim::Year],
                ..Default::default()
            },
        ),
        (
            "ML10* by quarter, MENA",
            Query {
                destination: Some(Destination::Region(Region::MiddleEastNorthAfrica)),
                rating: Some(RatingFilter::Prefix("ML10".into())),
                group_by: vec![Dim::Quarter],
                ..Default::default()
            },
        ),
        (
            "by rating and month",
            Query {
                group_by: vec![Dim::Rating, Dim::Month],
                ..Default::default()
            },
        ),
    ]
}

fn run(t: &Table, runs: usize) {
    for (name, q) in queries() {
        let r = t.query(&q).expect("query");
        let d = median(
            || {
                std::hint::black_box(t.query(&q).ok());
            },
            runs,
        );
        println!(
            "  {name:<42} {:>9.3} ms   licences {:>9} value £{:>16} rows {}",
            d.as_secs_f64() * 1e3,
            r.total.licences,
            r.total.value_gbp,
            r.rows.len()
        );
    }
}

fn main() {
    let mut args = std::env::args().skip(1);
    let dir = args.next().map(PathBuf::from).unwrap_or_else(|| {
        std::env::var_os("PROBITY_SHARED_DATA")
            .map(PathBuf::from)
            .unwrap_or_else(|| {
                PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data")
            })
            .join("caat-uk")
    });
    let copies: u64 = args.next().and_then(|s| s.parse().ok()).unwrap_or(52);

    let opts = ImportOptions::default();
    let (ds, report) = import_dir(&dir, &opts).expect("import");
    let import = median(|| drop(import_dir(&dir, &opts)), 5);
    let build = median(|| drop(Table::from_caat(&ds)), 5);
    let t = Table::from_caat(&ds).expect("table");
    println!("{report}");
    println!(
        "import: {:.1} ms (median of 5); table build: {:.1} ms",
        import.as_secs_f64() * 1e3,
        build.as_secs_f64() * 1e3
    );
    println!("{} rows, {} licence groups:", t.len(), t.groups());
    run(&t, 201);

    // Replicate: copy k gets licence ids offset by k * 10^6, same dates and everything else.
    let started = Instant::now();
    let mut b = TableBuilder::new();
    for r in &ds.ratings {
        b.define_rating(&r.code, r.kind, &r.short_description)
            .expect("rating");
    }
    let none = Vec::new();
    let crits: std::collections::HashMap<u64, Vec<String>> = ds
        .refusal_criteria
        .iter()
        .map(|(g, c)| (*g, c.iter().cloned().collect()))
        .collect();
    for k in 0..copies {
        for r in &ds.values {
            b.push(&RowInput {
                source: Source::Caat,
                licence: r.group + k * 1_000_000,
                date: r.date,
                rating: r.rating.code(),
                destination: r.destination.name(),
                decision: if r.refused {
                    Decision::Refused
                } else {
                    Decision::Granted
                },
                licence_type: probity_analytics::LicenceType::Unspecified,
                value_gbp: r.value_gbp,
                count: r.count.unwrap_or(0),
                criteria: crits.get(&r.group).unwrap_or(&none),
                outlier: r.outlier,
            })
            .expect("push");
        }
    }
    let pushed = started.elapsed();
    let big = b.build();
    println!(
        "pushes {:.2} s, build {:.2} s",
        pushed.as_secs_f64(),
        (started.elapsed() - pushed).as_secs_f64()
    );
    println!(
        "\nreplicated ×{copies}: {} rows, {} groups, built in {:.2} s:",
        big.len(),
        big.groups(),
        started.elapsed().as_secs_f64()
    );
    run(&big, 21);
    let mut one = big;
    one.set_max_threads(1);
    println!("\nsame, one thread:");
    run(&one, 11);
}
