//! Documents issued to exporters, stored as the exact text issued.
use sqlx::AnyConnection;

use crate::StoreError;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DocumentRow {
    pub id: String,
    pub case_id: String,
    pub kind: String,
    pub title: String,
    pub body: String,
    pub created_at: i64,
}

const SELECT: &str = "SELECT id, case_id, kind, title, body, created_at FROM documents";

pub async fn insert(conn: &mut AnyConnection, d: &DocumentRow) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO documents (id, case_id, kind, title, body, created_at) \
         VALUES ($1,$2,$3,$4,$5,$6)",
    )
    .bind(&d.id)
    .bind(&d.case_id)
    .bind(&d.kind)
    .bind(&d.title)
    .bind(&d.body)
    .bind(d.created_at)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn by_id(conn: &mut AnyConnection, id: &str) -> Result<Option<DocumentRow>, StoreError> {
    Ok(sqlx::query_as(&format!("{SELECT} WHERE id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?)
}

/// A case's documents, oldest first.
pub async fn for_case(
    conn: &mut AnyConnection,
    case_id: &str,
) -> Result<Vec<DocumentRow>, StoreError> {
    Ok(sqlx::query_as(&format!(
        "{SELECT} WHERE case_id = $1 ORDER BY created_at, id"
    ))
    .bind(case_id)
    .fetch_all(conn)
    .await?)
}
