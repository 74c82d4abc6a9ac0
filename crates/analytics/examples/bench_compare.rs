//! Probity's side of the analytics benchmark (scripts/bench-analytics.sh runs it beside DuckDB
//! on the same files): ingest a CAAT directory (parse the CSV files and build the table), then
//! time each query (median of `runs`). Prints one JSON object.
//!
//! cargo run --release -p probity-analytics --example bench_compare -- <caat dir> [runs] [threads]

use std::path::PathBuf;
use std::time::{Duration, Instant};

use probity_analytics::{
    import_dir, Decision, Destination, Dim, ImportOptions, OrderBy, Query, RatingKind, Source,
    Table,
};
use serde_json::json;
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

/// The benchmark's queries; bench_compare.py has the same ones in SQL, in the same order.
pub fn queries() -> Vec<(&'static str, Query)> {
    let military = |code: &str, from, to| Query {
        destination: Some(Destination::Name(code.into())),
        from: Some(from),
        to: Some(to),
        kind: Some(RatingKind::Military),
        ..Default::default()
    };
    let top = |exclude: Vec<(Source, u64)>| Query {
        group_by: vec![Dim::DestinationName],
        order_by: OrderBy::ValueDesc,
        limit: Some(10),
        exclude_licences: exclude,
        ..Default::default()
    };
    vec![
        (
            "military value to Saudi Arabia, 2012",
            military("Saudi Arabia", date!(2012 - 01 - 01), date!(2012 - 12 - 31)),
        ),
        (
            "military to Israel, 2014-09-01..12-31",
            military("Israel", date!(2014 - 09 - 01), date!(2014 - 12 - 31)),
        ),
        (
            "refusals to Israel by criterion, 2008-2015",
            Query {
                destination: Some(Destination::Name("Israel".into())),
                from: Some(date!(2008 - 01 - 01)),
                to: Some(date!(2015 - 12 - 31)),
                decision: Some(Decision::Refused),
                group_by: vec![Dim::Criterion],
                ..Default::default()
            },
        ),
        ("top 10 destinations by value", top(vec![])),
        (
            "top 10 destinations, without the largest",
            top(vec![(Source::Caat, 51396)]),
        ),
        (
            "value by destination and year",
            Query {
                group_by: vec![Dim::DestinationName, Dim::Year],
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

fn main() {
    let mut args = std::env::args().skip(1);
    let dir = PathBuf::from(
        args.next()
            .expect("usage: bench_compare <caat dir> [runs] [threads]"),
    );
    let runs: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(21);
    let threads: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(0);

    let started = Instant::now();
    let (ds, report) = import_dir(&dir, &ImportOptions::default()).expect("import");
    let parsed = started.elapsed();
    let mut t = Table::from_caat(&ds).expect("table");
    let ingest = started.elapsed();
    drop(ds);
    t.set_max_threads(threads);
    let mut out = Vec::new();
    for (name, q) in queries() {
        let r = t.query(&q).expect("query");
        let d = median(
            || {
                std::hint::black_box(t.query(&q).ok());
            },
            runs,
        );
        out.push(json!({
            "query": name,
            "median_ms": d.as_secs_f64() * 1e3,
            "licences": r.total.licences,
            "value_gbp": r.total.value_gbp.to_string(),
            "refused": r.total.refused,
            "rows": r.rows.len(),
            "first_row": r.rows.first().map(|x| serde_json::to_value(x).unwrap_or_default()),
        }));
    }
    let doc = json!({
        "rows": t.len(),
        "licence_groups": t.groups(),
        "rejected": report.records_rejected,
        "parse_s": parsed.as_secs_f64(),
        "ingest_s": ingest.as_secs_f64(),
        "table_build_s": (ingest - parsed).as_secs_f64(),
        "threads": threads,
        "runs": runs,
        "queries": out,
    });
    println!("{doc}");
}
