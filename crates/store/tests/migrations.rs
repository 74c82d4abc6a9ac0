//! Every migration up, down to zero and up again, on SQLite and on PostgreSQL; a changed
//! applied migration is refused by name; rows from before checksums get theirs.

use probity_store::migrate::{self, MigrationState, MIGRATIONS};
use probity_store::{Backend, Store, StoreError};

mod common;
use common::fresh;

/// The tables in the database, sorted.
async fn tables(store: &Store) -> Vec<String> {
    let sql = match store.backend() {
        Backend::Sqlite => {
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
             ORDER BY name"
        }
        Backend::Postgres => {
            "SELECT CAST(table_name AS TEXT) AS name FROM information_schema.tables \
             WHERE table_schema = 'public' ORDER BY name"
        }
    };
    sqlx::query_scalar(sql)
        .fetch_all(store.pool())
        .await
        .unwrap()
}

async fn up_down_up(backend: Backend) {
    let (store, _dir) = fresh(backend).await;
    let all: Vec<i64> = MIGRATIONS.iter().map(|m| m.version).collect();
    assert_eq!(migrate::run(&store).await.unwrap(), all);
    assert_eq!(
        migrate::check_current(&store).await,
        Ok(migrate::latest_version())
    );
    let schema = tables(&store).await;
    assert!(schema.len() > 20, "{schema:?}");

    let mut reversed = all.clone();
    reversed.reverse();
    assert_eq!(migrate::revert_to(&store, 0).await.unwrap(), reversed);
    assert_eq!(migrate::current_version(&store).await.unwrap(), 0);
    assert_eq!(
        tables(&store).await,
        vec!["schema_migrations".to_string()],
        "down to zero left tables behind"
    );
    assert_eq!(
        migrate::check_current(&store).await,
        Err(MigrationState::NotCurrent {
            found: 0,
            expected: migrate::latest_version()
        })
    );

    assert_eq!(migrate::run(&store).await.unwrap(), all);
    assert_eq!(
        tables(&store).await,
        schema,
        "up again gives the same tables"
    );
    assert!(migrate::run(&store).await.unwrap().is_empty());
    store.close().await;
}

async fn changed_migration_is_refused(backend: Backend) {
    let (store, _dir) = fresh(backend).await;
    migrate::run(&store).await.unwrap();
    // A row from before checksums were kept: filled in, not refused.
    sqlx::query("UPDATE schema_migrations SET checksum = NULL WHERE version = 2")
        .execute(store.pool())
        .await
        .unwrap();
    assert!(migrate::run(&store).await.unwrap().is_empty());
    let stored: String =
        sqlx::query_scalar("SELECT checksum FROM schema_migrations WHERE version = 2")
            .fetch_one(store.pool())
            .await
            .unwrap();
    assert_eq!(stored, MIGRATIONS[1].checksum());

    // As if the file of migration 3 had been edited after it was applied.
    sqlx::query("UPDATE schema_migrations SET checksum = 'edited' WHERE version = 3")
        .execute(store.pool())
        .await
        .unwrap();
    let err = migrate::run(&store).await.unwrap_err();
    assert!(
        matches!(&err, StoreError::MigrationChanged { version: 3, name, .. } if name == "historic"),
        "{err}"
    );
    let text = err.to_string();
    assert!(
        text.contains("migration 3 (historic) was changed"),
        "{text}"
    );
    assert!(migrate::revert_to(&store, 0).await.is_err());
    assert!(matches!(
        migrate::check_current(&store).await,
        Err(MigrationState::Changed(_))
    ));
    store.close().await;
}

#[tokio::test]
async fn sqlite_every_migration_up_down_to_zero_and_up_again() {
    up_down_up(Backend::Sqlite).await;
}

#[tokio::test]
async fn postgres_every_migration_up_down_to_zero_and_up_again() {
    up_down_up(Backend::Postgres).await;
}

#[tokio::test]
async fn sqlite_a_changed_applied_migration_is_refused_by_name() {
    changed_migration_is_refused(Backend::Sqlite).await;
}

#[tokio::test]
async fn postgres_a_changed_applied_migration_is_refused_by_name() {
    changed_migration_is_refused(Backend::Postgres).await;
}

#[tokio::test]
async fn an_older_runner_table_gets_its_checksum_column() {
    let (store, _dir) = fresh(Backend::Sqlite).await;
    sqlx::query(
        "CREATE TABLE schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, \
         applied_at BIGINT NOT NULL)",
    )
    .execute(store.pool())
    .await
    .unwrap();
    assert_eq!(migrate::run(&store).await.unwrap().len(), MIGRATIONS.len());
    assert!(migrate::check_current(&store).await.is_ok());
}
