//! Protected disclosures and their messages (sealed; this module never sees plain text).
use sqlx::{Any, AnyConnection, Executor};

use crate::StoreError;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DisclosureRow {
    pub id: String,
    pub lookup: String,
    pub code_hash: String,
    pub status: String,
    pub received_on: String,
    pub due_on: String,
    pub answered_on: Option<String>,
    pub answered_late: i64,
}

const SELECT: &str = "SELECT id, lookup, code_hash, status, received_on, due_on, answered_on, \
     answered_late FROM disclosures";

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MessageRow {
    pub number: i64,
    pub author: String,
    pub on_date: String,
    pub sealed: String,
}

pub struct NewDisclosure<'a> {
    pub id: &'a str,
    pub lookup: &'a str,
    pub code_hash: &'a str,
    pub received_on: &'a str,
    pub due_on: &'a str,
    pub sealed: &'a str,
}

pub async fn insert(conn: &mut AnyConnection, d: &NewDisclosure<'_>) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO disclosures (id, lookup, code_hash, status, received_on, due_on) \
         VALUES ($1, $2, $3, 'open', $4, $5)",
    )
    .bind(d.id)
    .bind(d.lookup)
    .bind(d.code_hash)
    .bind(d.received_on)
    .bind(d.due_on)
    .execute(&mut *conn)
    .await?;
    add_message(conn, d.id, "discloser", d.received_on, d.sealed).await
}

/// Append a message (numbered after the last).
pub async fn add_message(
    conn: &mut AnyConnection,
    id: &str,
    author: &str,
    on_date: &str,
    sealed: &str,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO disclosure_messages (disclosure_id, number, author, on_date, sealed) \
         SELECT $1, COALESCE(MAX(number), 0) + 1, $2, $3, $4 FROM disclosure_messages \
         WHERE disclosure_id = $1",
    )
    .bind(id)
    .bind(author)
    .bind(on_date)
    .bind(sealed)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn by_lookup<'e>(
    ex: impl Executor<'e, Database = Any>,
    lookup: &str,
) -> Result<Option<DisclosureRow>, StoreError> {
    Ok(sqlx::query_as(&format!("{SELECT} WHERE lookup = $1"))
        .bind(lookup)
        .fetch_optional(ex)
        .await?)
}

pub async fn by_id<'e>(
    ex: impl Executor<'e, Database = Any>,
    id: &str,
) -> Result<Option<DisclosureRow>, StoreError> {
    Ok(sqlx::query_as(&format!("{SELECT} WHERE id = $1"))
        .bind(id)
        .fetch_optional(ex)
        .await?)
}

/// Every disclosure, open ones first, then by due date.
pub async fn all<'e>(
    ex: impl Executor<'e, Database = Any>,
) -> Result<Vec<DisclosureRow>, StoreError> {
    Ok(sqlx::query_as(&format!(
        "{SELECT} ORDER BY CASE status WHEN 'open' THEN 0 ELSE 1 END, due_on, id"
    ))
    .fetch_all(ex)
    .await?)
}

pub async fn messages<'e>(
    ex: impl Executor<'e, Database = Any>,
    id: &str,
) -> Result<Vec<MessageRow>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT number, author, on_date, sealed FROM disclosure_messages \
         WHERE disclosure_id = $1 ORDER BY number",
    )
    .bind(id)
    .fetch_all(ex)
    .await?)
}

/// Open again with a new due date (the discloser added something).
pub async fn reopen(conn: &mut AnyConnection, id: &str, due_on: &str) -> Result<u64, StoreError> {
    Ok(
        sqlx::query("UPDATE disclosures SET status = 'open', due_on = $2 WHERE id = $1")
            .bind(id)
            .bind(due_on)
            .execute(conn)
            .await?
            .rows_affected(),
    )
}

/// Record oversight's answer if the disclosure is open; 0 otherwise.
pub async fn answered(
    conn: &mut AnyConnection,
    id: &str,
    on_date: &str,
    late: bool,
) -> Result<u64, StoreError> {
    Ok(sqlx::query(
        "UPDATE disclosures SET status = 'answered', answered_on = $2, \
         answered_late = CASE WHEN answered_late = 1 THEN 1 ELSE $3 END \
         WHERE id = $1 AND status = 'open'",
    )
    .bind(id)
    .bind(on_date)
    .bind(i64::from(late))
    .execute(conn)
    .await?
    .rows_affected())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DisclosureCountRow {
    pub received_on: String,
    pub status: String,
    pub answered_on: Option<String>,
    pub answered_late: i64,
}

/// Every disclosure's dates and state (nothing else): what public counts are made of.
pub async fn for_counts<'e>(
    ex: impl Executor<'e, Database = Any>,
) -> Result<Vec<DisclosureCountRow>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT received_on, status, answered_on, answered_late FROM disclosures ORDER BY received_on",
    )
    .fetch_all(ex)
    .await?)
}
