use probity_register::store::{append_entries, MemoryStore};
use probity_register::tile::tiles_for_size;
use probity_register::{prove_inclusion, tree_hash};

use super::*;
use crate::Store;

/// Fresh migrated databases: SQLite always, PostgreSQL when `PROBITY_TEST_POSTGRES_URL` is set.
async fn stores() -> Vec<(Store, Option<tempfile::TempDir>)> {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("t.db").display());
    let mut out = vec![(Store::open(&url).await.unwrap(), Some(dir))];
    if let Ok(admin) = std::env::var("PROBITY_TEST_POSTGRES_URL") {
        let name = format!("probity_store_{}", uuid::Uuid::new_v4().simple());
        let a = Store::connect(&admin).await.unwrap();
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(a.pool())
            .await
            .unwrap();
        a.close().await;
        let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap_or(&admin);
        out.push((Store::open(&format!("{base}/{name}")).await.unwrap(), None));
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stored_hashes_match_the_in_memory_log() {
    for (store, _dir) in stores().await {
        let mut mem = MemoryStore::new();
        let mut size = 0u64;
        for batch in [1usize, 2, 300, 7, 0, 260] {
            let entries: Vec<Vec<u8>> = (0..batch)
                .map(|i| format!("entry {}", size + i as u64).into_bytes())
                .collect();
            let want = append_entries(&mut mem, size, &entries).unwrap();
            let mut tx = store.begin_read().await.unwrap();
            lock(&mut tx).await.unwrap();
            let mut db = DbHashes::load_for_append(&mut tx, size, size + batch as u64)
                .await
                .unwrap();
            let got = append_entries(&mut db, size, &entries).unwrap();
            db.write_appended(&mut tx).await.unwrap();
            tx.commit().await.unwrap();
            assert_eq!(got, want, "batch of {batch} after {size}");
            size += batch as u64;
        }
        let mut conn = store.pool().acquire().await.unwrap();
        assert_eq!(
            hash_count(&mut conn).await.unwrap(),
            mem.hashes().len() as u64
        );
        // Tiles, roots and proofs read from the database equal the in-memory ones.
        for t in tiles_for_size(size).unwrap() {
            let want = probity_register::tile::read_tile_data(&[t], &mem).unwrap();
            assert_eq!(read_tile(&mut conn, &t).await.unwrap(), want[0]);
        }
        let root = DbHashes::compute(&mut conn, |r| tree_hash(size, r))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(root, tree_hash(size, &mem).unwrap());
        for i in [0, 1, 299, size - 1] {
            let proof = DbHashes::compute(&mut conn, |r| prove_inclusion(size, i, r))
                .await
                .unwrap()
                .unwrap();
            assert_eq!(proof, prove_inclusion(size, i, &mem).unwrap());
        }
        // A wrong size is refused before anything is appended.
        assert!(DbHashes::load_for_append(&mut conn, size - 1, size)
            .await
            .is_err());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn checkpoints_are_kept_per_size() {
    for (store, _dir) in stores().await {
        let mut conn = store.pool().acquire().await.unwrap();
        assert_eq!(latest_checkpoint(&mut conn).await.unwrap(), None);
        let at = OffsetDateTime::from_unix_timestamp(1_800_000_000).unwrap();
        insert_checkpoint(&mut conn, 0, "a\n0\nx\n\n— a sig\n", at)
            .await
            .unwrap();
        insert_checkpoint(&mut conn, 5, "a\n5\ny\n\n— a sig\n", at)
            .await
            .unwrap();
        assert!(insert_checkpoint(&mut conn, 5, "other", at).await.is_err());
        let latest = latest_checkpoint(&mut conn).await.unwrap().unwrap();
        assert_eq!(latest.tree_size, 5);
        assert_eq!(latest.created_at, at);
        assert_eq!(
            checkpoint_at(&mut conn, 0).await.unwrap().unwrap().note,
            "a\n0\nx\n\n— a sig\n"
        );
        assert_eq!(checkpoint_at(&mut conn, 3).await.unwrap(), None);
    }
}
