//! Notifications on their way out through a deployment's delivery hook (e-mail): which are
//! due, to whom, and what became of each attempt. The in-app list is in `review_items`.
use sqlx::{Any, AnyConnection, Executor};

use crate::bulk;
use crate::StoreError;

/// A notification due for delivery, with its organisation's name.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DueRow {
    pub id: String,
    pub organisation_id: String,
    pub organisation_name: String,
    pub subject_type: String,
    pub subject_id: String,
    pub body: String,
    pub created_at: i64,
    pub delivery_attempts: i64,
}

/// Undelivered notifications created at or after `since`, with fewer than `max_attempts`
/// failed attempts and no retry pending after `now`, oldest first.
pub async fn due<'e>(
    ex: impl Executor<'e, Database = Any>,
    now: i64,
    since: i64,
    max_attempts: i64,
    limit: i64,
) -> Result<Vec<DueRow>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT n.id, n.organisation_id, o.name AS organisation_name, n.subject_type, \
         n.subject_id, n.body, n.created_at, n.delivery_attempts \
         FROM notifications n JOIN organisations o ON o.id = n.organisation_id \
         WHERE n.delivered_at IS NULL AND n.created_at >= $2 AND n.delivery_attempts < $3 \
         AND (n.next_attempt_at IS NULL OR n.next_attempt_at <= $1) \
         ORDER BY n.created_at, n.id LIMIT $4",
    )
    .bind(now)
    .bind(since)
    .bind(max_attempts)
    .bind(limit)
    .fetch_all(ex)
    .await?)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RecipientRow {
    pub organisation_id: String,
    pub email: String,
}

/// The addresses of the active users of each organisation.
pub async fn recipients(
    conn: &mut AnyConnection,
    organisation_ids: &[String],
) -> Result<Vec<RecipientRow>, StoreError> {
    if organisation_ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT organisation_id, email FROM users WHERE active = 1 \
         AND organisation_id IN ({}) ORDER BY organisation_id, email",
        bulk::in_list(1, organisation_ids.len())
    );
    let mut q = sqlx::query_as(&sql);
    for id in organisation_ids {
        q = q.bind(id.as_str());
    }
    Ok(q.fetch_all(conn).await?)
}

/// Record a delivery; 0 when it was already delivered.
pub async fn mark_delivered<'e>(
    ex: impl Executor<'e, Database = Any>,
    id: &str,
    at: i64,
) -> Result<u64, StoreError> {
    Ok(sqlx::query(
        "UPDATE notifications SET delivered_at = $2, delivery_error = NULL, \
         next_attempt_at = NULL WHERE id = $1 AND delivered_at IS NULL",
    )
    .bind(id)
    .bind(at)
    .execute(ex)
    .await?
    .rows_affected())
}

/// Record a failed attempt, its error and when to try again; 0 when already delivered.
pub async fn mark_failed<'e>(
    ex: impl Executor<'e, Database = Any>,
    id: &str,
    error: &str,
    next_attempt_at: i64,
) -> Result<u64, StoreError> {
    Ok(sqlx::query(
        "UPDATE notifications SET delivery_attempts = delivery_attempts + 1, \
         delivery_error = $2, next_attempt_at = $3 WHERE id = $1 AND delivered_at IS NULL",
    )
    .bind(id)
    .bind(error)
    .bind(next_attempt_at)
    .execute(ex)
    .await?
    .rows_affected())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DeliveryStateRow {
    pub delivered_at: Option<i64>,
    pub delivery_attempts: i64,
    pub delivery_error: Option<String>,
    pub next_attempt_at: Option<i64>,
}

/// Where a notification's delivery stands.
pub async fn state<'e>(
    ex: impl Executor<'e, Database = Any>,
    id: &str,
) -> Result<Option<DeliveryStateRow>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT delivered_at, delivery_attempts, delivery_error, next_attempt_at \
         FROM notifications WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(ex)
    .await?)
}
