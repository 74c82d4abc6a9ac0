//! Decisions awaiting a second decision-maker's countersignature.
use sqlx::AnyConnection;

use crate::StoreError;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PendingDecisionRow {
    pub decision_json: String,
    pub reasons: String,
    pub decided_by: String,
}

pub async fn insert_pending(
    conn: &mut AnyConnection,
    case_id: &str,
    p: &PendingDecisionRow,
    at: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO pending_decisions (case_id, decision_json, reasons, decided_by, decided_at) \
         VALUES ($1,$2,$3,$4,$5)",
    )
    .bind(case_id)
    .bind(&p.decision_json)
    .bind(&p.reasons)
    .bind(&p.decided_by)
    .bind(at)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn pending(
    conn: &mut AnyConnection,
    case_id: &str,
) -> Result<Option<PendingDecisionRow>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT decision_json, reasons, decided_by FROM pending_decisions WHERE case_id = $1",
    )
    .bind(case_id)
    .fetch_optional(conn)
    .await?)
}

/// Drop a case's pending decision (countersigned, or lapsed when the case is returned).
pub async fn delete_pending(conn: &mut AnyConnection, case_id: &str) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM pending_decisions WHERE case_id = $1")
        .bind(case_id)
        .execute(conn)
        .await?;
    Ok(())
}
