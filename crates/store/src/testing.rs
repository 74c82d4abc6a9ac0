//! SQL that only test fixtures run: creating a scratch database, and tampering with the audit
//! chain as an insider with write access would (so tests can prove the anchors catch it).
//! Compiled only with the `testing` feature.
use crate::audit::event_hash;
use crate::{Store, StoreError};

/// Create a database on the server `store` is connected to (PostgreSQL fixtures). The name
/// is the caller's own generated identifier, never user input.
pub async fn create_database(store: &Store, name: &str) -> Result<(), StoreError> {
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(store.pool())
        .await?;
    Ok(())
}

/// Delete the newest `n` audit events. The rest of the chain still verifies.
pub async fn delete_newest_events(store: &Store, n: i64) -> Result<(), StoreError> {
    let newest: i64 = sqlx::query_scalar("SELECT CAST(MAX(seq) AS BIGINT) FROM audit_events")
        .fetch_one(store.pool())
        .await?;
    sqlx::query("DELETE FROM audit_events WHERE seq > $1")
        .bind(newest - n)
        .execute(store.pool())
        .await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct EventRow {
    seq: i64,
    at: i64,
    actor_id: Option<String>,
    actor_role: String,
    action: String,
    subject_type: String,
    subject_id: String,
    detail_json: String,
    prev_hash: String,
}

/// Replace event `seq`'s detail with `detail_json` and re-hash it and every later event, so
/// the chain verifies again.
pub async fn rewrite_event(store: &Store, seq: i64, detail_json: &str) -> Result<(), StoreError> {
    let rows: Vec<EventRow> = sqlx::query_as(
        "SELECT seq, at, actor_id, actor_role, action, subject_type, subject_id, detail_json, \
         prev_hash FROM audit_events WHERE seq >= $1 ORDER BY seq",
    )
    .bind(seq)
    .fetch_all(store.pool())
    .await?;
    let mut prev: Option<String> = None;
    for r in rows {
        let detail = if r.seq == seq {
            detail_json.to_string()
        } else {
            r.detail_json
        };
        let prev_hash = prev.unwrap_or(r.prev_hash);
        let hash = event_hash(
            &prev_hash,
            r.seq,
            r.at,
            r.actor_id.as_deref().unwrap_or(""),
            &r.actor_role,
            &r.action,
            &r.subject_type,
            &r.subject_id,
            &detail,
        );
        sqlx::query(
            "UPDATE audit_events SET detail_json = $1, prev_hash = $2, hash = $3 WHERE seq = $4",
        )
        .bind(&detail)
        .bind(&prev_hash)
        .bind(&hash)
        .bind(r.seq)
        .execute(store.pool())
        .await?;
        prev = Some(hash);
    }
    Ok(())
}

/// Run a counting query with one text parameter (test assertions on stored rows).
pub async fn count_where(store: &Store, sql: &str, param: &str) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar(sql)
        .bind(param)
        .fetch_one(store.pool())
        .await?)
}
