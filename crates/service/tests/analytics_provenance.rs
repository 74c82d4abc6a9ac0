//! CAAT's incorporation destinations, trade sources and footnotes, imported on both backends:
//! every published row stored (counted here straight from the files by a reader of its own),
//! re-import adds nothing, bad lines are reported with file and line, and a strict import of
//! bad files writes nothing.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use probity_analytics::{AnomalyKind, ImportOptions};
use probity_domain::CriteriaSet;
use probity_service::analytics::{self, ImportFailure};
use probity_service::testing::{Backend, TestDb};
use probity_service::{Clock, Ctx};

fn caat_dir() -> PathBuf {
    let dir = common::shared_data("caat-uk");
    assert!(
        dir.join("destinations.csv").is_file() && dir.join("2025").is_dir(),
        "real CAAT data not found at {}: these tests refuse to pass without it",
        dir.display()
    );
    dir
}

fn ctx(db: &TestDb) -> Ctx {
    Ctx::new(db.store.clone(), CriteriaSet::uk_selc(), Clock::system())
}

const TABLES: [&str; 4] = [
    "historic_incorporation_destinations",
    "historic_trade_sources",
    "historic_licence_footnotes",
    "historic_region_footnotes",
];

async fn counts(db: &TestDb) -> [i64; 5] {
    let mut out = [0; 5];
    for (i, t) in TABLES.iter().chain(&["historic_import_runs"]).enumerate() {
        out[i] = probity_store::count(
            &db.store,
            &format!("SELECT CAST(COUNT(*) AS BIGINT) FROM {t}"),
        )
        .await
        .unwrap();
    }
    out
}

/// The records of a CSV file after its header: RFC 4180 quoting, CRLF or LF. Written here,
/// apart from the importer's reader, so the counts are checked independently.
fn records(path: &Path) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(path).unwrap();
    let (mut out, mut rec, mut field) = (Vec::new(), Vec::new(), String::new());
    let (mut quoted, mut chars) = (false, text.chars().peekable());
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => rec.push(std::mem::take(&mut field)),
            (false, '\r') => {}
            (false, '\n') => {
                rec.push(std::mem::take(&mut field));
                out.push(std::mem::take(&mut rec));
            }
            (false, c) => field.push(c),
        }
    }
    if !field.is_empty() || !rec.is_empty() {
        rec.push(field);
        out.push(rec);
    }
    out.remove(0);
    out
}

async fn release_2008(backend: Backend) {
    let dir = caat_dir();
    let db = TestDb::new(backend).await;
    let ctx = ctx(&db);
    let first = analytics::import_caat(&ctx, &dir, &ImportOptions::default(), &mut |_| {})
        .await
        .unwrap();
    let dests = records(&dir.join("destinations.csv"));
    let sources = records(&dir.join("sources.csv"));
    let notes = records(&dir.join("footnotes_licence.csv"));
    let regions = records(&dir.join("footnotes_region.csv"));
    // The README's numbers, and every row stored.
    assert_eq!(
        [dests.len(), sources.len(), notes.len(), regions.len()],
        [52_243, 10_595, 4_560, 133]
    );
    let p = first.provenance_inserted;
    assert_eq!(
        [
            p.destinations,
            p.trade_sources,
            p.licence_footnotes,
            p.region_footnotes
        ],
        [52_243, 10_595, 4_560, 133]
    );
    let after = counts(&db).await;
    assert_eq!(after, [52_243, 10_595, 4_560, 133, 1]);
    let groups: BTreeSet<&str> = dests.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(groups.len(), 6_464);

    // A page's licences get exactly their published destinations and footnotes.
    let mut want_dests: BTreeMap<u64, BTreeSet<String>> = BTreeMap::new();
    for r in &dests {
        want_dests
            .entry(r[0].parse().unwrap())
            .or_default()
            .insert(r[1].clone());
    }
    let mut want_notes: BTreeMap<u64, Vec<String>> = BTreeMap::new();
    for r in &notes {
        want_notes
            .entry(r[0].parse().unwrap())
            .or_default()
            .push(r[1].clone());
    }
    let page: BTreeSet<u64> = want_dests
        .keys()
        .take(150)
        .chain(want_notes.keys().take(150))
        .copied()
        .collect();
    let got = analytics::licence_details(&ctx, &page).await.unwrap();
    for g in &page {
        let d = got.get(g).cloned().unwrap_or_default();
        let names: BTreeSet<String> = d.destinations.iter().map(|(n, _)| n.clone()).collect();
        assert_eq!(
            names,
            want_dests.get(g).cloned().unwrap_or_default(),
            "group {g}"
        );
        let texts: Vec<String> = d.notes.iter().map(|(_, t)| t.clone()).collect();
        assert_eq!(
            texts,
            want_notes.get(g).cloned().unwrap_or_default(),
            "group {g}"
        );
    }
    assert!(got[&1]
        .destinations
        .contains(&("Saudi Arabia".into(), "SA".into())));

    // Sources and notes: the CAAT file set is cited with its files; notes are by destination.
    let prov = analytics::provenance(&ctx).await.unwrap();
    let caat = &prov.sources[0];
    assert_eq!(caat.url, analytics::CAAT_URL);
    assert!(
        caat.files.contains(&"destinations.csv".to_string()),
        "{:?}",
        caat.files
    );
    assert_eq!(
        caat.file_set_hash.as_deref(),
        Some(first.file_set_hash.as_str())
    );
    let afghan = prov.notes_for(|iso2, _| iso2 == "AF");
    let want: Vec<&String> = regions
        .iter()
        .filter(|r| r[0] == "Afghanistan")
        .map(|r| &r[1])
        .collect();
    assert_eq!(afghan.len(), 1);
    assert_eq!(afghan[0].notes.iter().collect::<Vec<_>>(), want);
    assert_eq!(prov.counts.incorporation_destinations, 52_243);

    // Again: nothing new.
    let second = analytics::import_caat(&ctx, &dir, &ImportOptions::default(), &mut |_| {})
        .await
        .unwrap();
    assert_eq!(second.provenance_inserted, Default::default());
    assert_eq!(counts(&db).await[..4], after[..4]);
}

async fn release_2025(backend: Backend) {
    let dir = caat_dir().join("2025");
    let db = TestDb::new(backend).await;
    let ctx = ctx(&db);
    let o = analytics::import_caat(&ctx, &dir, &ImportOptions::default(), &mut |_| {})
        .await
        .unwrap();
    let want = [
        records(&dir.join("incorporation-destinations.csv")).len() as i64,
        records(&dir.join("trade-sources.csv")).len() as i64,
        records(&dir.join("footnotes-licence.csv")).len() as i64,
        records(&dir.join("footnotes-region.csv")).len() as i64,
    ];
    assert_eq!(want, [192_016, 1, 25_611, 266]);
    assert_eq!(counts(&db).await[..4], want);
    assert_eq!(o.source, analytics::CAAT_COHORT_SOURCE);
    // This release has no values file: said so, not an error.
    assert!(o.report.counts.contains_key(&AnomalyKind::FileAbsent));
    let trade: (String, Option<i64>, String) =
        sqlx::query_as("SELECT country, licence_count, ref_key FROM historic_trade_sources")
            .fetch_one(db.store.pool())
            .await
            .unwrap();
    assert_eq!(trade, ("Germany".into(), Some(28_591), "group 27".into()));
}

const DESTS_BAD: &[u8] = b"licence_group,destination\r\n\
1,Chile\r\n\
x,India\r\n\
2,\r\n\
3,Chile,extra\r\n\
4,\"Korea, South\"\r\n\
5,Caf\xE9\r\n\
6,Atlantis\r\n";

const NOTES_BAD: &[u8] = b"bundle_id,text\r\n1,\"A note, with a comma\"\r\n-7,Negative\r\n";

const REGIONS: &[u8] = b"name,text\r\nChile,\"An embargo note\"\r\n";

async fn bad_lines(backend: Backend) {
    let db = TestDb::new(backend).await;
    let ctx = ctx(&db);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("destinations.csv"), DESTS_BAD).unwrap();
    std::fs::write(dir.path().join("footnotes_licence.csv"), NOTES_BAD).unwrap();
    std::fs::write(dir.path().join("footnotes_region.csv"), REGIONS).unwrap();
    let strict = ImportOptions {
        strict: true,
        ..Default::default()
    };
    let e = analytics::import_caat(&ctx, dir.path(), &strict, &mut |_| {})
        .await
        .unwrap_err();
    assert!(matches!(e, ImportFailure::Import(_)), "{e:?}");
    assert_eq!(counts(&db).await, [0; 5], "a strict import changes nothing");

    let o = analytics::import_caat(&ctx, dir.path(), &ImportOptions::default(), &mut |_| {})
        .await
        .unwrap();
    // Chile, Korea (a comma inside quotes) and Atlantis (unknown: kept as ZZ) are stored.
    assert_eq!(o.provenance_inserted.destinations, 3);
    assert_eq!(o.provenance_inserted.licence_footnotes, 1);
    assert_eq!(o.provenance_inserted.region_footnotes, 1);
    assert_eq!(o.report.records_rejected, 5);
    let seen: Vec<String> = o
        .report
        .examples
        .iter()
        .map(|a| format!("{}:{}:{:?}", a.file, a.line, a.kind))
        .collect();
    for want in [
        "destinations.csv:3:BadNumber",
        "destinations.csv:4:EmptyField",
        "destinations.csv:5:WrongFieldCount",
        "destinations.csv:7:NotUtf8",
        "destinations.csv:8:UnknownCountry",
        "footnotes_licence.csv:3:BadNumber",
    ] {
        assert!(seen.contains(&want.to_string()), "{want} not in {seen:?}");
    }
    let atlantis: String = sqlx::query_scalar(
        "SELECT iso2 FROM historic_incorporation_destinations WHERE destination = 'Atlantis'",
    )
    .fetch_one(db.store.pool())
    .await
    .unwrap();
    assert_eq!(atlantis, "ZZ");
    let again = analytics::import_caat(&ctx, dir.path(), &ImportOptions::default(), &mut |_| {})
        .await
        .unwrap();
    assert_eq!(again.provenance_inserted, Default::default());

    // Migration 5 reverts cleanly (the values' tables stay) and applies again.
    let reverted = probity_store::migrate::revert_to(&db.store, 4)
        .await
        .unwrap();
    // Later migrations are reverted first, and 5 last; all come back in order.
    assert_eq!(reverted.last(), Some(&5));
    let reapplied = probity_store::migrate::run(&db.store).await.unwrap();
    assert_eq!(
        reapplied,
        reverted.iter().rev().copied().collect::<Vec<_>>()
    );
    assert_eq!(counts(&db).await, [0, 0, 0, 0, 2]);
}

/// The analytics caches belong to a context: its clones share them, another context on the
/// same database keeps its own.
async fn caches_per_context(backend: Backend) {
    let db = TestDb::new(backend).await;
    let ctx = ctx(&db);
    let table = analytics::table(&ctx).await.unwrap();
    let prov = analytics::provenance(&ctx).await.unwrap();
    let clone = ctx.clone();
    assert!(std::sync::Arc::ptr_eq(
        &table,
        &analytics::table(&clone).await.unwrap()
    ));
    assert!(std::sync::Arc::ptr_eq(
        &prov,
        &analytics::provenance(&clone).await.unwrap()
    ));
    let other = self::ctx(&db);
    assert!(!std::sync::Arc::ptr_eq(
        &table,
        &analytics::table(&other).await.unwrap()
    ));
    assert!(!std::sync::Arc::ptr_eq(
        &prov,
        &analytics::provenance(&other).await.unwrap()
    ));
}

probity_service::backend_tests!(release_2008, release_2025, bad_lines, caches_per_context);
