//! Importing CAAT history into the database on both backends: idempotent, faithful, and a
//! strict import of bad files changes nothing; the analytics table built from the database
//! gives the same answers as the library built straight from the files.

mod common;

use std::path::PathBuf;

use probity_analytics::ImportOptions;
use probity_domain::CriteriaSet;
use probity_service::analytics::{self, ImportFailure, StatsParams};
use probity_service::testing::{Backend, TestDb};
use probity_service::{Clock, Ctx};

fn caat_dir() -> PathBuf {
    let dir = common::shared_data("caat-uk");
    assert!(
        dir.join("values-2008-2015q1.csv").is_file(),
        "real CAAT data not found at {}: these tests refuse to pass without it",
        dir.display()
    );
    dir
}

fn ctx(db: &TestDb) -> Ctx {
    Ctx::new(db.store.clone(), CriteriaSet::uk_selc(), Clock::system())
}

async fn count(db: &TestDb, table: &str) -> i64 {
    probity_store::count(
        &db.store,
        &format!("SELECT CAST(COUNT(*) AS BIGINT) FROM {table}"),
    )
    .await
    .unwrap()
}

async fn counts(db: &TestDb) -> [i64; 5] {
    [
        probity_store::analytics_history::row_count(&db.store)
            .await
            .unwrap(),
        count(db, "historic_refusal_criteria").await,
        count(db, "historic_ratings").await,
        count(db, "historic_criteria").await,
        count(db, "historic_import_runs").await,
    ]
}

fn saudi_2012_military() -> StatsParams {
    StatsParams {
        destination: Some("SA".into()),
        from: Some("2012-01-01".into()),
        to: Some("2012-12-31".into()),
        kind: Some("military".into()),
        ..Default::default()
    }
}

async fn idempotent(backend: Backend) {
    let db = TestDb::new(backend).await;
    let ctx = ctx(&db);
    let mut stages = 0u64;
    let first = analytics::import_caat(&ctx, &caat_dir(), &ImportOptions::default(), &mut |_| {
        stages += 1
    })
    .await
    .unwrap();
    assert!(stages > 10, "progress was reported");
    assert_eq!(first.summary.value_rows, 96_311);
    assert_eq!(first.summary.licence_groups, 63_408);
    assert_eq!(
        first.rows_inserted, 96_311,
        "every row is stored, none dropped"
    );
    assert!(first.previous_runs.is_empty());
    let after_first = counts(&db).await;
    assert_eq!(after_first[0], 96_311);
    assert_eq!(after_first[4], 1);
    let a = analytics::stats(&ctx, &saudi_2012_military())
        .await
        .unwrap();
    assert_eq!((a.total.value_gbp, a.total.licences), (111_721_756, 91));

    let second = analytics::import_caat(&ctx, &caat_dir(), &ImportOptions::default(), &mut |_| {})
        .await
        .unwrap();
    assert_eq!(
        (
            second.rows_inserted,
            second.criteria_inserted,
            second.ratings_inserted
        ),
        (0, 0, 0)
    );
    assert_eq!(second.previous_runs, vec![first.run_id.clone()]);
    assert_eq!(second.file_set_hash, first.file_set_hash);
    let after_second = counts(&db).await;
    assert_eq!(after_second[..4], after_first[..4], "nothing added");
    assert_eq!(after_second[4], 2, "the attempt itself is recorded");
    let b = analytics::stats(&ctx, &saudi_2012_military())
        .await
        .unwrap();
    assert_eq!(a, b);

    // The table from the database equals the library's table from the files.
    let (ds, _) = probity_analytics::import_dir(&caat_dir(), &ImportOptions::default()).unwrap();
    let direct = probity_analytics::Table::from_caat(&ds).unwrap();
    let stored = analytics::table(&ctx).await.unwrap();
    assert_eq!(stored.len(), direct.len());
    assert_eq!(stored.groups(), direct.groups());
    let p = StatsParams {
        group_by: Some("destination,year,decision,criterion".into()),
        ..Default::default()
    };
    let q = p.to_query().unwrap();
    assert_eq!(stored.query(&q).unwrap(), direct.query(&q).unwrap());
}

#[tokio::test]
async fn import_is_idempotent_on_sqlite() {
    idempotent(Backend::Sqlite).await;
}

#[tokio::test]
async fn import_is_idempotent_on_postgres() {
    idempotent(Backend::Postgres).await;
}

/// On PostgreSQL the refusal criteria go through a staging table filled by `COPY`: one left by an
/// import that failed after its copy is dropped by the next, and none is left by a good one.
#[tokio::test]
async fn staging_tables_are_never_left_behind_on_postgres() {
    let db = TestDb::new(Backend::Postgres).await;
    let staging = |db: &TestDb| {
        let store = db.store.clone();
        async move {
            probity_store::count(
                &store,
                "SELECT CAST(COUNT(*) AS BIGINT) FROM pg_tables \
                 WHERE tablename LIKE 'probity\\_staging\\_%'",
            )
            .await
            .unwrap()
        }
    };
    sqlx::query("CREATE UNLOGGED TABLE probity_staging_left (LIKE historic_refusal_criteria)")
        .execute(db.store.pool())
        .await
        .unwrap();
    assert_eq!(staging(&db).await, 1);
    let ctx = ctx(&db);
    let first = analytics::import_caat(&ctx, &caat_dir(), &ImportOptions::default(), &mut |_| {})
        .await
        .unwrap();
    assert_eq!(first.rows_inserted, 96_311);
    assert_eq!(
        staging(&db).await,
        0,
        "the leftover was dropped, and no new one left"
    );
}

const VALUES_BAD: &[u8] = b"licence_group,date,rating,count,value,country,refused\r\n\
1,2012-01-02,ML10,1,100,Israel,0\r\n\
2,2012-01-03,ML10,1,abc,Israel,0\r\n\
3,2012-13-01,ML10,1,300,Israel,0\r\n\
4,2012-01-05,ML10,1,400,Atlantis,0\r\n";

const RATINGS: &[u8] =
    b"rating,military,short_description,full_description\r\nML10,1,Aircraft,Aircraft\r\n";

async fn bad_input(backend: Backend) {
    let db = TestDb::new(backend).await;
    let ctx = ctx(&db);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("values.csv"), VALUES_BAD).unwrap();
    std::fs::write(dir.path().join("ratings.csv"), RATINGS).unwrap();
    let strict = ImportOptions {
        strict: true,
        ..Default::default()
    };
    let e = analytics::import_caat(&ctx, dir.path(), &strict, &mut |_| {})
        .await
        .unwrap_err();
    let ImportFailure::Import(probity_analytics::ImportError::Strict { report }) = e else {
        panic!("expected a strict failure, got {e:?}")
    };
    assert!(report.has_errors());
    assert_eq!(counts(&db).await, [0; 5], "a strict import changes nothing");

    let ok = analytics::import_caat(&ctx, dir.path(), &ImportOptions::default(), &mut |_| {})
        .await
        .unwrap();
    // Two rows cannot be read (bad number, bad date); Atlantis is kept under code ZZ.
    assert_eq!(ok.rows_inserted, 2);
    assert_eq!(ok.report.records_rejected, 2);
    let kinds: Vec<String> = ok
        .report
        .examples
        .iter()
        .map(|a| format!("{}:{}:{:?}", a.file, a.line, a.kind))
        .collect();
    assert!(
        kinds.contains(&"values.csv:3:BadNumber".to_string()),
        "{kinds:?}"
    );
    assert!(
        kinds.contains(&"values.csv:4:BadDate".to_string()),
        "{kinds:?}"
    );
    assert!(
        kinds.contains(&"values.csv:5:UnknownCountry".to_string()),
        "{kinds:?}"
    );
    let all = analytics::stats(&ctx, &StatsParams::default())
        .await
        .unwrap();
    assert_eq!((all.total.licences, all.total.value_gbp), (2, 500));

    // A missing directory is an error, not an empty import.
    let e = analytics::import_caat(
        &ctx,
        &dir.path().join("absent"),
        &ImportOptions::default(),
        &mut |_| {},
    )
    .await
    .unwrap_err();
    assert!(e.to_string().contains("does not exist"), "{e}");
}

#[tokio::test]
async fn bad_input_on_sqlite() {
    bad_input(Backend::Sqlite).await;
}

#[tokio::test]
async fn bad_input_on_postgres() {
    bad_input(Backend::Postgres).await;
}

#[tokio::test]
async fn releases_are_never_mixed() {
    let db = TestDb::new(Backend::Sqlite).await;
    let ctx = ctx(&db);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("values.csv"), VALUES_BAD).unwrap();
    analytics::import_caat(&ctx, dir.path(), &ImportOptions::default(), &mut |_| {})
        .await
        .unwrap();
    let cohort = tempfile::tempdir().unwrap();
    std::fs::write(
        cohort.path().join("values.csv"),
        b"licence_cohort_id,date,rating,count,value,country,refused\n9,2020-01-02,ML10,1,5,Israel,0\n",
    )
    .unwrap();
    let e = analytics::import_caat(&ctx, cohort.path(), &ImportOptions::default(), &mut |_| {})
        .await
        .unwrap_err();
    assert!(e.to_string().contains("renumbers ids"), "{e}");
}

const VALUES_EARLY: &str = "licence_group,date,rating,count,value,country,refused\n\
1,2012-01-02,ML10,1,100,Israel,0\n\
1,2012-01-02,ML10,1,200,Israel,0\n\
2,2012-02-03,ML4,1,300,Qatar,0\n";

/// A later release repeats the earlier rows and adds some: group 1 rating ML10 a third time
/// (its third occurrence is new) and group 3.
const VALUES_LATER: &str = "licence_group,date,rating,count,value,country,refused\n\
1,2012-01-02,ML10,1,100,Israel,0\n\
1,2012-01-02,ML10,1,200,Israel,0\n\
2,2012-02-03,ML4,1,300,Qatar,0\n\
1,2012-01-02,ML10,1,400,Israel,0\n\
3,2013-05-06,ML1,2,500,Oman,0\n";

/// Importing a later file set stores only the rows whose (group, rating, occurrence) is new;
/// the table from the database then counts each row once.
async fn later_files_add_only_new_rows(backend: Backend) {
    let db = TestDb::new(backend).await;
    let ctx = ctx(&db);
    let import = |values: &'static str| {
        let ctx = ctx.clone();
        async move {
            let dir = tempfile::tempdir().unwrap();
            std::fs::write(dir.path().join("values.csv"), values).unwrap();
            analytics::import_caat(&ctx, dir.path(), &ImportOptions::default(), &mut |_| {})
                .await
                .unwrap()
        }
    };
    assert_eq!(import(VALUES_EARLY).await.rows_inserted, 3);
    let later = import(VALUES_LATER).await;
    assert_eq!(later.rows_inserted, 2, "only the new rows");
    assert_eq!(counts(&db).await[0], 5);
    assert_eq!(import(VALUES_LATER).await.rows_inserted, 0);
    // A server started now builds its table from the stored rows.
    let fresh = Ctx::new(db.store.clone(), CriteriaSet::uk_selc(), Clock::system());
    let all = analytics::stats(&fresh, &StatsParams::default())
        .await
        .unwrap();
    assert_eq!(
        (all.total.value_gbp, all.total.licences),
        (1_500, 3),
        "every row once: £100+200+300+400+500, in three licence groups"
    );
}

#[tokio::test]
async fn later_files_add_only_new_rows_on_sqlite() {
    later_files_add_only_new_rows(Backend::Sqlite).await;
}

#[tokio::test]
async fn later_files_add_only_new_rows_on_postgres() {
    later_files_add_only_new_rows(Backend::Postgres).await;
}
