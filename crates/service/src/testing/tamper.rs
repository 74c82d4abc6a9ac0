//! Tampering with the audit chain as an insider with write access to the database would, so
//! that tests can prove the register's audit anchors catch what the chain alone cannot:
//! deleting the newest events, and rewriting one event and re-hashing every later one (after
//! which the chain verifies again). The SQL lives in `probity_store::testing`.
use probity_store::testing as store_testing;
use probity_store::Store;

/// Deletes the newest `n` audit events. The rest of the chain still verifies.
pub async fn delete_newest_events(store: &Store, n: i64) {
    store_testing::delete_newest_events(store, n)
        .await
        .expect("delete the newest audit events");
}

/// Replaces event `seq`'s detail with `detail_json` and re-hashes it and every later event,
/// so the chain verifies again.
pub async fn rewrite_event(store: &Store, seq: i64, detail_json: &str) {
    store_testing::rewrite_event(store, seq, detail_json)
        .await
        .expect("rewrite an audit event");
}
