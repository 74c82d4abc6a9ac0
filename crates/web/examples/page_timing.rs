//! Server time of the analysis pages at scale (scripts/bench-analytics.sh runs it): imports a
//! CAAT directory into a SQLite database through the real import command (skipped if the
//! database already holds it), loads the analytics table from the database, then times each
//! page through the whole router in-process: its first view with no query result remembered,
//! then the median of `runs` repeat views. Then the first view of some pages right after a new
//! decision (a new outbox row, copied from the demo's latest record: the analytics table sees
//! exactly what a decision adds), beside the same run's cost of rebuilding the whole table,
//! which is what each new decision cost before the table was split into parts.
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
use probity_store::outbox::{self, NewRecord, OutboxRow};
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
        "/data ML10 and its sub-items by year",
        "/data?rating=ML10&group_by=year",
    ),
    ("/data by rating", "/data?group_by=rating&order=value"),
    ("/statistics 2014", "/statistics?period=2014"),
    (
        "/api/v1/stats by destination and year",
        "/api/v1/stats?group_by=destination,year",
    ),
];

/// Pages viewed first right after a new decision.
const AFTER_DECISION: &[&str] = &[
    "/data",
    "/data?group_by=rating&order=value",
    "/data?source=probity&group_by=decision",
    "/statistics?period=2014",
];

/// Record a new decision: the outbox row a decision writes, copied from `like`.
async fn new_decision(store: &Store, like: &OutboxRow) {
    let mut tx = store.begin_command().await.expect("begin");
    outbox::append(
        &mut tx,
        NewRecord {
            kind: &like.kind,
            case_id: &like.case_id,
            licence_id: like.licence_id.as_deref(),
            destinations: std::slice::from_ref(&like.destination),
            decided_at: like.decided_at,
            record_json: like.record_json.clone(),
        },
    )
    .await
    .expect("append");
    tx.commit().await.expect("commit");
}

/// What a new decision cost before the split: copy every row into a builder and build the
/// whole table (sort and cells). Returns seconds for the build alone.
fn whole_rebuild_s(t: &analytics::Table) -> f64 {
    use analytics::engine::{RowInput, TableBuilder};
    let mut b = TableBuilder::new();
    let mut seen = std::collections::HashSet::new();
    for r in t.rows() {
        if seen.insert(r.destination.to_string()) {
            b.define_place(r.destination, r.iso2, r.region)
                .expect("place");
        }
        if seen.insert(format!("rating:{}", r.rating)) {
            b.define_rating(r.rating, r.rating_kind, "")
                .expect("rating");
        }
        let criteria: Vec<String> = r.criteria.iter().map(|c| c.to_string()).collect();
        b.push(&RowInput {
            source: r.source,
            licence: r.licence,
            date: r.date,
            rating: r.rating,
            destination: r.destination,
            decision: r.decision,
            licence_type: r.licence_type,
            value_gbp: r.value_gbp,
            count: r.count,
            criteria: &criteria,
            outlier: r.outlier,
        })
        .expect("row");
    }
    let start = Instant::now();
    let copy = b.clone().build();
    let s = start.elapsed().as_secs_f64();
    assert_eq!(copy.len(), t.len());
    s
}

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
    let existing = probity_store::analytics_history::row_count(&store)
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
    // Probity's own decisions beside the history: the demo's, seeded once (the database
    // keeps them).
    let decisions = probity_store::count(
        &store,
        "SELECT CAST(COUNT(*) AS BIGINT) FROM decision_outbox",
    )
    .await
    .expect("count");
    if decisions == 0 {
        let t = Instant::now();
        probity_service::demo::seed(&ctx, 24).await.expect("demo");
        eprintln!("seeded the demo in {:.1} s", t.elapsed().as_secs_f64());
    }
    // A new context, as a new process has: the table is read from the database, not taken
    // from the import above.
    let ctx = Ctx::new(store.clone(), CriteriaSet::uk_selc(), Clock::system());
    let t = Instant::now();
    let table = analytics::table(&ctx).await.expect("table");
    let load_s = t.elapsed().as_secs_f64();
    eprintln!(
        "loaded {} rows from the database in {load_s:.1} s",
        table.len()
    );
    let (cells, residual_rows) = table.cell_stats();
    let rating_cells = table.rating_cell_count();
    let mut copy = (*table).clone();
    let t = Instant::now();
    copy.rebuild_cells();
    let cells_build_s = t.elapsed().as_secs_f64();
    drop(copy);
    let router = build_router(AppState::new(ctx.clone()));
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
        analytics::forget_results(&ctx);
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

    // A new decision: only Probity's part is rebuilt; the first view pays for that.
    let last = probity_store::count(
        &store,
        "SELECT CAST(COALESCE(MAX(seq), 0) AS BIGINT) FROM decision_outbox",
    )
    .await
    .expect("max seq");
    let like = outbox::get(&store, last)
        .await
        .expect("outbox")
        .expect("a decision");
    let mut refresh: Vec<f64> = Vec::new();
    for _ in 0..7 {
        new_decision(&store, &like).await;
        let t = Instant::now();
        let fresh = analytics::table(&ctx).await.expect("table");
        refresh.push(t.elapsed().as_secs_f64() * 1e3);
        assert!(
            fresh.part_count() == 2,
            "history and Probity's decisions apart"
        );
    }
    refresh.sort_by(f64::total_cmp);
    let mut after_decision = Vec::new();
    for uri in AFTER_DECISION {
        new_decision(&store, &like).await;
        analytics::forget_results(&ctx);
        let t = Instant::now();
        let resp = router
            .clone()
            .oneshot(Request::get(*uri).body(Body::empty()).expect("request"))
            .await
            .expect("response");
        let status = resp.status();
        resp.into_body().collect().await.expect("body");
        let ms = t.elapsed().as_secs_f64() * 1e3;
        assert!(status.is_success(), "{uri}: {status}");
        after_decision.push(json!({"uri": uri, "first_ms": ms}));
    }
    let current = analytics::table(&ctx).await.expect("table");
    let whole_s = whole_rebuild_s(&current);
    eprintln!("whole-table rebuild {whole_s:.2} s");
    let restart = restart_times(&store, &db).await;
    println!(
        "{}",
        json!({
            "rows": table.len(),
            "groups": table.groups(),
            "cells": cells,
            "cells_build_s": cells_build_s,
            "rating_cells": rating_cells,
            "residual_rows": residual_rows,
            "db_import_s": import_s,
            "db_load_s": load_s,
            "runs": runs,
            "pages": pages,
            "probity_licences": decisions_rows(&current),
            "refresh_median_ms": refresh[refresh.len() / 2],
            "refresh_max_ms": refresh[refresh.len() - 1],
            "after_decision": after_decision,
            "whole_rebuild_s": whole_s,
            "restart": restart,
        })
    );
}

/// A restart, from a new context (as a new process has) to the first correct answer of the
/// statistics API's query: without a snapshot (the table built from the database), then with
/// the snapshot the build wrote (read instead). The answers must be the same.
async fn restart_times(store: &Store, db: &str) -> serde_json::Value {
    let p = analytics::StatsParams {
        group_by: Some("destination,year".into()),
        ..Default::default()
    };
    let path = std::path::PathBuf::from(format!("{db}.analytics"));
    let _ = std::fs::remove_file(&path);
    let fresh = || Ctx::new(store.clone(), CriteriaSet::uk_selc(), Clock::system());
    let cold = fresh();
    analytics::use_snapshot(&cold, path.clone());
    let t = Instant::now();
    let built = analytics::stats(&cold, &p).await.expect("stats");
    let without_s = t.elapsed().as_secs_f64();
    assert_eq!(
        analytics::historic_source(&cold),
        Some(analytics::HistoricSource::Built)
    );
    let bytes = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    let mut with = Vec::new();
    for _ in 0..3 {
        let warm = fresh();
        analytics::use_snapshot(&warm, path.clone());
        let t = Instant::now();
        let answer = analytics::stats(&warm, &p).await.expect("stats");
        with.push(t.elapsed().as_secs_f64());
        assert_eq!(
            analytics::historic_source(&warm),
            Some(analytics::HistoricSource::Snapshot)
        );
        assert_eq!(answer, built, "the same answer from the snapshot");
    }
    with.sort_by(f64::total_cmp);
    eprintln!(
        "first answer after a restart: {without_s:.2} s without a snapshot, {:.3} s with",
        with[1]
    );
    json!({
        "first_answer_without_s": without_s,
        "first_answer_with_s": with[1],
        "snapshot_bytes": bytes,
    })
}

/// Licence groups of Probity's own decisions in `t`.
fn decisions_rows(t: &analytics::Table) -> usize {
    let q = analytics::Query {
        source: Some(analytics::engine::Source::Probity),
        ..Default::default()
    };
    t.query(&q).map_or(0, |r| r.total.licences as usize)
}
