//! Server time of the analysis pages at scale (scripts/bench-analytics.sh runs it): imports a
//! CAAT directory into a SQLite database through the real import command (skipped if the
//! database already holds it), loads the analytics table from the database, then times each
//! page through the whole router in-process: its first view with no query result remembered,
//! then the median of `runs` repeat views.
//! Prints one JSON object.
//!
//! cargo run --release -p probity-web --example page_timing -- <caat dir> <sqlite file> [runs]

use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::Request;
use http_body_util::BodyExt;
use probity_domain::CriteriaSet;
use probity_service::analytics::{self, engine::ImportOptions};
use probity_service::{Clock, Ctx};
use probity_store::Store;
use probity_web::{build_router, AppState};
use serde_json::json;
use tower::ServiceExt;

const PAGES: &[(&str, &str)] = &[
    ("/data (first visit: destinations by value)", "/data"),
    (
        "/data military to Israel Sep-Dec 2014 by rating",
        "/data?destination=IL&from=2014-09-01&to=2014-12-31&kind=military&group_by=rating",
    ),
    (
        "/data by year then decision",
        "/data?group_by=year&then_by=decision&order=keys",
    ),
    (
        "/data refusals by criterion, MENA",
        "/data?destination=MENA&decision=refused&group_by=criterion&measure=refused",
    ),
    (
        "/data/licences Saudi Arabia 2012 military",
        "/data/licences?destination=SA&from=2012-01-01&to=2012-12-31&kind=military",
    ),
    (
        "/data military only, destinations by value",
        "/data?kind=military",
    ),
    (
        "/data ML10 and its sub-items by year (rows scanned)",
        "/data?rating=ML10&group_by=year",
    ),
    (
        "/data by rating (rows scanned)",
        "/data?group_by=rating&order=value",
    ),
    ("/statistics 2014", "/statistics?period=2014"),
    (
        "/api/v1/stats by destination and year",
        "/api/v1/stats?group_by=destination,year",
    ),
];

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let dir = args
        .next()
        .expect("usage: page_timing <caat dir> <sqlite file> [runs]");
    let db = args
        .next()
        .expect("usage: page_timing <caat dir> <sqlite file> [runs]");
    let runs: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(21);
    let store = Store::open(&format!("sqlite://{db}")).await.expect("open");
    let ctx = Ctx::new(store.clone(), CriteriaSet::uk_selc(), Clock::system());
    let existing = probity_store::count(
        &store,
        "SELECT CAST(COUNT(*) AS BIGINT) FROM historic_licence_rows",
    )
    .await
    .expect("count");
    let mut import_s = None;
    if existing == 0 {
        let t = Instant::now();
        let o = analytics::import_caat(&ctx, dir.as_ref(), &ImportOptions::default(), &mut |_| {})
            .await
            .expect("import");
        import_s = Some(t.elapsed().as_secs_f64());
        eprintln!(
            "imported {} rows in {:.1} s",
            o.rows_inserted,
            t.elapsed().as_secs_f64()
        );
    }
    let t = Instant::now();
    let table = analytics::table(&ctx).await.expect("table");
    let load_s = t.elapsed().as_secs_f64();
    eprintln!(
        "loaded {} rows from the database in {load_s:.1} s",
        table.len()
    );
    let (cells, _) = table.cell_stats();
    let mut copy = (*table).clone();
    let t = Instant::now();
    copy.rebuild_cells();
    let cells_build_s = t.elapsed().as_secs_f64();
    drop(copy);
    let router = build_router(AppState::new(ctx));
    let mut pages = Vec::new();
    for (name, uri) in PAGES {
        let get = || async {
            let resp = router
                .clone()
                .oneshot(Request::get(*uri).body(Body::empty()).expect("request"))
                .await
                .expect("response");
            let status = resp.status();
            let body = resp.into_body().collect().await.expect("body").to_bytes();
            (status, body.len())
        };
        // The first view of a page after the data changed runs its queries (nothing is left
        // from the pages before: results are forgotten); later views of the same page find
        // their results cached until the data changes again.
        analytics::forget_results();
        let t = Instant::now();
        let (status, bytes) = get().await;
        let first = t.elapsed();
        assert!(status.is_success(), "{uri}: {status}");
        let mut times: Vec<Duration> = Vec::with_capacity(runs);
        for _ in 0..runs {
            let t = Instant::now();
            get().await;
            times.push(t.elapsed());
        }
        times.sort();
        pages.push(json!({
            "page": name,
            "uri": uri,
            "first_ms": first.as_secs_f64() * 1e3,
            "median_ms": times[runs / 2].as_secs_f64() * 1e3,
            "max_ms": times[runs - 1].as_secs_f64() * 1e3,
            "bytes": bytes,
        }));
    }
    println!(
        "{}",
        json!({
            "rows": table.len(),
            "groups": table.groups(),
            "cells": cells,
            "cells_build_s": cells_build_s,
            "db_import_s": import_s,
            "db_load_s": load_s,
            "runs": runs,
            "pages": pages,
        })
    );
}
