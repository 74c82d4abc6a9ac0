//! Tampering with the audit chain as an insider with write access to the database would, so
//! that tests can prove the register's audit anchors catch what the chain alone cannot:
//! deleting the newest events, and rewriting one event and re-hashing every later one (after
//! which the chain verifies again).
use probity_store::audit::event_hash;
use probity_store::Store;
use sqlx::Row;

/// Deletes the newest `n` audit events. The rest of the chain still verifies.
pub async fn delete_newest_events(store: &Store, n: i64) {
    let newest: i64 = sqlx::query_scalar("SELECT CAST(MAX(seq) AS BIGINT) FROM audit_events")
        .fetch_one(store.pool())
        .await
        .expect("the newest audit event");
    sqlx::query("DELETE FROM audit_events WHERE seq > $1")
        .bind(newest - n)
        .execute(store.pool())
        .await
        .expect("delete audit events");
}

/// Replaces event `seq`'s detail with `detail_json` and re-hashes it and every later event,
/// so the chain verifies again.
pub async fn rewrite_event(store: &Store, seq: i64, detail_json: &str) {
    let rows = sqlx::query(
        "SELECT seq, at, actor_id, actor_role, action, subject_type, subject_id, detail_json, \
         prev_hash FROM audit_events WHERE seq >= $1 ORDER BY seq",
    )
    .bind(seq)
    .fetch_all(store.pool())
    .await
    .expect("read audit events");
    let mut prev: Option<String> = None;
    for r in rows {
        let n: i64 = r.get("seq");
        let detail: String = if n == seq {
            detail_json.to_string()
        } else {
            r.get("detail_json")
        };
        let prev_hash = prev.unwrap_or_else(|| r.get("prev_hash"));
        let actor: Option<String> = r.get("actor_id");
        let hash = event_hash(
            &prev_hash,
            n,
            r.get("at"),
            actor.as_deref().unwrap_or(""),
            r.get("actor_role"),
            r.get("action"),
            r.get("subject_type"),
            r.get("subject_id"),
            &detail,
        );
        sqlx::query(
            "UPDATE audit_events SET detail_json = $1, prev_hash = $2, hash = $3 WHERE seq = $4",
        )
        .bind(&detail)
        .bind(&prev_hash)
        .bind(&hash)
        .bind(n)
        .execute(store.pool())
        .await
        .expect("rewrite an audit event");
        prev = Some(hash);
    }
}
