//! Evidence files of dissents and disclosures. Listing reads descriptions only; a file's
//! content is read when it is downloaded.
use sqlx::{Any, AnyConnection, Executor};

use crate::StoreError;

/// A dissent's file as described (no content).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DissentAttachmentRow {
    pub number: i64,
    pub name: String,
    pub kind: String,
    pub size_bytes: i64,
    pub sha256: String,
}

pub struct NewDissentAttachment<'a> {
    pub dissent_id: &'a str,
    pub number: i64,
    pub name: &'a str,
    pub kind: &'a str,
    pub sha256: &'a str,
    pub content: &'a [u8],
}

pub async fn insert_for_dissent(
    conn: &mut AnyConnection,
    a: &NewDissentAttachment<'_>,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO dissent_attachments (dissent_id, number, name, kind, size_bytes, sha256, content) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(a.dissent_id)
    .bind(a.number)
    .bind(a.name)
    .bind(a.kind)
    .bind(a.content.len() as i64)
    .bind(a.sha256)
    .bind(a.content)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn of_dissent<'e>(
    ex: impl Executor<'e, Database = Any>,
    dissent_id: &str,
) -> Result<Vec<DissentAttachmentRow>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT number, name, kind, size_bytes, sha256 FROM dissent_attachments \
         WHERE dissent_id = $1 ORDER BY number",
    )
    .bind(dissent_id)
    .fetch_all(ex)
    .await?)
}

/// A dissent's file with its content.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DissentFileRow {
    pub name: String,
    pub kind: String,
    pub sha256: String,
    pub content: Vec<u8>,
}

pub async fn dissent_file<'e>(
    ex: impl Executor<'e, Database = Any>,
    dissent_id: &str,
    number: i64,
) -> Result<Option<DissentFileRow>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT name, kind, sha256, content FROM dissent_attachments \
         WHERE dissent_id = $1 AND number = $2",
    )
    .bind(dissent_id)
    .bind(number)
    .fetch_optional(ex)
    .await?)
}

/// A disclosure's file, its description sealed.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DisclosureAttachmentRow {
    pub number: i64,
    pub message_number: i64,
    pub sealed_meta: String,
}

pub struct NewDisclosureAttachment<'a> {
    pub disclosure_id: &'a str,
    pub sealed_meta: &'a str,
    pub sealed_content: &'a [u8],
}

/// Add a sealed file, numbered after the disclosure's last one, to its latest message (add
/// the message first, in the same transaction).
pub async fn insert_for_disclosure(
    conn: &mut AnyConnection,
    a: &NewDisclosureAttachment<'_>,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO disclosure_attachments \
         (disclosure_id, number, message_number, sealed_meta, sealed_content) \
         VALUES ($1, (SELECT COALESCE(MAX(number), 0) + 1 FROM disclosure_attachments \
                      WHERE disclosure_id = $1), \
                 (SELECT MAX(number) FROM disclosure_messages WHERE disclosure_id = $1), $2, $3)",
    )
    .bind(a.disclosure_id)
    .bind(a.sealed_meta)
    .bind(a.sealed_content)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn of_disclosure<'e>(
    ex: impl Executor<'e, Database = Any>,
    disclosure_id: &str,
) -> Result<Vec<DisclosureAttachmentRow>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT number, message_number, sealed_meta FROM disclosure_attachments \
         WHERE disclosure_id = $1 ORDER BY number",
    )
    .bind(disclosure_id)
    .fetch_all(ex)
    .await?)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DisclosureFileRow {
    pub sealed_meta: String,
    pub sealed_content: Vec<u8>,
}

pub async fn disclosure_file<'e>(
    ex: impl Executor<'e, Database = Any>,
    disclosure_id: &str,
    number: i64,
) -> Result<Option<DisclosureFileRow>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT sealed_meta, sealed_content FROM disclosure_attachments \
         WHERE disclosure_id = $1 AND number = $2",
    )
    .bind(disclosure_id)
    .bind(number)
    .fetch_optional(ex)
    .await?)
}
