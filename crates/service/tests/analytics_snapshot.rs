//! The analytics table of the imported history is kept in a snapshot beside the database: a
//! restart reads it instead of building the table (same answers), and a snapshot that is
//! damaged, cut short or written for other imports is not used but rebuilt and replaced. An
//! import into an empty history builds the table from the rows it parsed: the same table.

mod common;

use std::path::Path;

use probity_analytics::ImportOptions;
use probity_domain::CriteriaSet;
use probity_service::analytics::{self, HistoricSource, StatsParams};
use probity_service::testing::{Backend, TestDb};
use probity_service::{Clock, Ctx};

/// A server's context over `db`, keeping its snapshot at `path` (a restart is a new one).
fn started(db: &TestDb, path: &Path) -> Ctx {
    let ctx = Ctx::new(db.store.clone(), CriteriaSet::uk_selc(), Clock::system());
    analytics::use_snapshot(&ctx, path.to_path_buf());
    ctx
}

async fn answer(ctx: &Ctx) -> analytics::StatsAnswer {
    let p = StatsParams {
        group_by: Some("destination,year,decision".into()),
        ..Default::default()
    };
    analytics::stats(ctx, &p).await.unwrap()
}

/// Start again and say where the history's table came from.
async fn restart(db: &TestDb, path: &Path) -> (HistoricSource, Ctx) {
    let ctx = started(db, path);
    analytics::table(&ctx).await.unwrap();
    (analytics::historic_source(&ctx).unwrap(), ctx)
}

async fn restarts_read_the_snapshot_and_rebuild_a_bad_one(backend: Backend) {
    let caat = common::shared_data("caat-uk");
    assert!(
        caat.join("values-2008-2015q1.csv").is_file(),
        "real CAAT data not found at {}: this test refuses to pass without it",
        caat.display()
    );
    let db = TestDb::new(backend).await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("probity.db.analytics");
    let first = started(&db, &path);
    analytics::import_caat(&first, &caat, &ImportOptions::default(), &mut |_| {})
        .await
        .unwrap();
    // The import wrote the snapshot itself (while its transaction wrote, keyed once it had
    // committed), and left no temporary file beside it.
    let files = || -> Vec<_> {
        std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect()
    };
    assert_eq!(files(), [std::ffi::OsString::from("probity.db.analytics")]);
    let written = std::fs::metadata(&path).unwrap().modified().unwrap();
    let built = analytics::table(&first).await.unwrap();
    assert_eq!(
        std::fs::metadata(&path).unwrap().modified().unwrap(),
        written,
        "the table the import kept is not written again"
    );
    assert_eq!(
        analytics::historic_source(&first),
        Some(HistoricSource::Import),
        "the import built the table from the rows it wrote, without reading them back"
    );
    assert!(
        path.is_file(),
        "the import's table was written as the snapshot"
    );
    let expected = answer(&first).await;

    // That table is the one the database's rows give.
    let from_db = Ctx::new(db.store.clone(), CriteriaSet::uk_selc(), Clock::system());
    assert_eq!(*analytics::table(&from_db).await.unwrap(), *built);
    assert_eq!(
        analytics::historic_source(&from_db),
        Some(HistoricSource::Built)
    );

    // A restart reads the snapshot: the same table, the same answers.
    let (source, again) = restart(&db, &path).await;
    assert_eq!(source, HistoricSource::Snapshot);
    assert_eq!(*analytics::table(&again).await.unwrap(), *built);
    assert_eq!(answer(&again).await, expected);

    // Damaged, cut short, or of other imports: built again (same answers), and replaced.
    let good = std::fs::read(&path).unwrap();
    let mut flipped = good.clone();
    let middle = flipped.len() / 2;
    flipped[middle] ^= 0xff;
    let bad: [(&str, Vec<u8>); 3] = [
        ("a flipped byte", flipped),
        ("cut short", good[..good.len() / 3].to_vec()),
        ("not a snapshot", b"garbage".to_vec()),
    ];
    for (what, bytes) in bad {
        std::fs::write(&path, bytes).unwrap();
        let (source, ctx) = restart(&db, &path).await;
        assert_eq!(source, HistoricSource::Built, "{what}");
        assert_eq!(answer(&ctx).await, expected, "{what}");
        let (source, _) = restart(&db, &path).await;
        assert_eq!(source, HistoricSource::Snapshot, "{what}: rewritten whole");
    }
    probity_analytics::snapshot::save(&built, "probity-historic imports=0 rows=0 newest=0", &path)
        .unwrap();
    let (source, ctx) = restart(&db, &path).await;
    assert_eq!(source, HistoricSource::Built, "a snapshot of other imports");
    assert_eq!(answer(&ctx).await, expected);
}

probity_service::backend_tests!(restarts_read_the_snapshot_and_rebuild_a_bad_one);
