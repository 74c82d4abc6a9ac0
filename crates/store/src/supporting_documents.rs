//! Supporting documents of applications and caseworkers' requests for them. Listing reads
//! descriptions only; a file's content is read when it is downloaded.
use sqlx::{Any, AnyConnection, Executor};

use crate::StoreError;

/// A document as listed (no content).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DocumentRow {
    pub number: i64,
    pub document_kind: String,
    pub name: String,
    pub kind: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub uploaded_by_name: String,
    pub uploaded_at: i64,
}

pub struct NewDocument<'a> {
    pub case_id: &'a str,
    pub document_kind: &'a str,
    pub name: &'a str,
    pub kind: &'a str,
    pub sha256: &'a str,
    pub content: &'a [u8],
    pub uploaded_by: &'a str,
    pub uploaded_at: i64,
}

/// Add a document, numbered after the case's last one; returns its number.
pub async fn insert(conn: &mut AnyConnection, d: &NewDocument<'_>) -> Result<i64, StoreError> {
    let number: i64 = sqlx::query_scalar(
        "SELECT COALESCE(MAX(number), 0) + 1 FROM supporting_documents WHERE case_id = $1",
    )
    .bind(d.case_id)
    .fetch_one(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO supporting_documents (case_id, number, document_kind, name, kind, \
         size_bytes, sha256, content, uploaded_by, uploaded_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(d.case_id)
    .bind(number)
    .bind(d.document_kind)
    .bind(d.name)
    .bind(d.kind)
    .bind(d.content.len() as i64)
    .bind(d.sha256)
    .bind(d.content)
    .bind(d.uploaded_by)
    .bind(d.uploaded_at)
    .execute(conn)
    .await?;
    Ok(number)
}

/// Take a document off (drafts only: the service checks). True when there was one.
pub async fn delete(
    conn: &mut AnyConnection,
    case_id: &str,
    number: i64,
) -> Result<bool, StoreError> {
    let done = sqlx::query("DELETE FROM supporting_documents WHERE case_id = $1 AND number = $2")
        .bind(case_id)
        .bind(number)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() > 0)
}

pub async fn of_case<'e>(
    ex: impl Executor<'e, Database = Any>,
    case_id: &str,
) -> Result<Vec<DocumentRow>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT d.number, d.document_kind, d.name, d.kind, d.size_bytes, d.sha256, \
         u.display_name AS uploaded_by_name, d.uploaded_at \
         FROM supporting_documents d JOIN users u ON u.id = d.uploaded_by \
         WHERE d.case_id = $1 ORDER BY d.number",
    )
    .bind(case_id)
    .fetch_all(ex)
    .await?)
}

/// A document with its content.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FileRow {
    pub name: String,
    pub kind: String,
    pub content: Vec<u8>,
}

pub async fn file<'e>(
    ex: impl Executor<'e, Database = Any>,
    case_id: &str,
    number: i64,
) -> Result<Option<FileRow>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT name, kind, content FROM supporting_documents WHERE case_id = $1 AND number = $2",
    )
    .bind(case_id)
    .bind(number)
    .fetch_optional(ex)
    .await?)
}

/// A caseworker's request, with who asked.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RequestRow {
    pub number: i64,
    pub document_kind: String,
    pub note: String,
    pub requested_by_name: String,
    pub requested_at: i64,
    pub fulfilled_by: Option<i64>,
}

pub async fn insert_request(
    conn: &mut AnyConnection,
    case_id: &str,
    document_kind: &str,
    note: &str,
    requested_by: &str,
    at: i64,
) -> Result<i64, StoreError> {
    let number: i64 = sqlx::query_scalar(
        "SELECT COALESCE(MAX(number), 0) + 1 FROM document_requests WHERE case_id = $1",
    )
    .bind(case_id)
    .fetch_one(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO document_requests (case_id, number, document_kind, note, requested_by, \
         requested_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(case_id)
    .bind(number)
    .bind(document_kind)
    .bind(note)
    .bind(requested_by)
    .bind(at)
    .execute(conn)
    .await?;
    Ok(number)
}

pub async fn requests_of_case<'e>(
    ex: impl Executor<'e, Database = Any>,
    case_id: &str,
) -> Result<Vec<RequestRow>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT r.number, r.document_kind, r.note, u.display_name AS requested_by_name, \
         r.requested_at, r.fulfilled_by \
         FROM document_requests r JOIN users u ON u.id = r.requested_by \
         WHERE r.case_id = $1 ORDER BY r.number",
    )
    .bind(case_id)
    .fetch_all(ex)
    .await?)
}

/// Mark a request answered by a document. False when it was already answered (or is not
/// there): a second answer does not replace the first.
pub async fn fulfil_request(
    conn: &mut AnyConnection,
    case_id: &str,
    request: i64,
    document: i64,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE document_requests SET fulfilled_by = $3 \
         WHERE case_id = $1 AND number = $2 AND fulfilled_by IS NULL",
    )
    .bind(case_id)
    .bind(request)
    .bind(document)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() > 0)
}
