//! Questions a caseworker asks the exporter, and their answers.
use sqlx::AnyConnection;

use crate::StoreError;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct QuestionRow {
    pub id: String,
    pub body: String,
    pub asked_at: i64,
    pub answer: Option<String>,
    pub answered_at: Option<i64>,
}

pub async fn insert(
    conn: &mut AnyConnection,
    id: &str,
    case_id: &str,
    asked_by: &str,
    body: &str,
    at: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO questions (id, case_id, asked_by, asked_at, body) VALUES ($1,$2,$3,$4,$5)",
    )
    .bind(id)
    .bind(case_id)
    .bind(asked_by)
    .bind(at)
    .bind(body)
    .execute(conn)
    .await?;
    Ok(())
}

/// Answer an open question of a case; false if it is already answered or not the case's.
pub async fn answer(
    conn: &mut AnyConnection,
    id: &str,
    case_id: &str,
    answered_by: &str,
    answer: &str,
    at: i64,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE questions SET answer = $1, answered_by = $2, answered_at = $3 \
         WHERE id = $4 AND case_id = $5 AND answered_at IS NULL",
    )
    .bind(answer)
    .bind(answered_by)
    .bind(at)
    .bind(id)
    .bind(case_id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// A case's questions, oldest first.
pub async fn for_case(
    conn: &mut AnyConnection,
    case_id: &str,
) -> Result<Vec<QuestionRow>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT id, body, asked_at, answer, answered_at FROM questions WHERE case_id = $1 \
         ORDER BY asked_at, id",
    )
    .bind(case_id)
    .fetch_all(conn)
    .await?)
}

/// How many of a case's questions await an answer.
pub async fn open_count(conn: &mut AnyConnection, case_id: &str) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar(
        "SELECT CAST(COUNT(*) AS BIGINT) FROM questions WHERE case_id = $1 AND answered_at IS NULL",
    )
    .bind(case_id)
    .fetch_one(conn)
    .await?)
}
