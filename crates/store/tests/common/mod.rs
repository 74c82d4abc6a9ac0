//! Fixtures shared by the store's integration tests.
use probity_store::{Backend, Store};

/// A fresh, empty (unmigrated) database.
pub async fn fresh(backend: Backend) -> (Store, Option<tempfile::TempDir>) {
    match backend {
        Backend::Sqlite => {
            let dir = tempfile::tempdir().unwrap();
            let url = format!("sqlite://{}", dir.path().join("m.db").display());
            (Store::connect(&url).await.unwrap(), Some(dir))
        }
        Backend::Postgres => {
            let admin = std::env::var("PROBITY_TEST_POSTGRES_URL").expect(
                "PROBITY_TEST_POSTGRES_URL is not set: run the suite with scripts/test.sh, which \
                 starts PostgreSQL, or point it at a server where this user may CREATE DATABASE",
            );
            let name = format!("probity_migrate_{}", uuid::Uuid::new_v4().simple());
            let admin_store = Store::connect(&admin).await.unwrap();
            sqlx::query(&format!("CREATE DATABASE {name}"))
                .execute(admin_store.pool())
                .await
                .unwrap();
            admin_store.close().await;
            let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap_or(&admin);
            (
                Store::connect(&format!("{base}/{name}")).await.unwrap(),
                None,
            )
        }
    }
}
