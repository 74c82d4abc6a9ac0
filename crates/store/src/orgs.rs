//! Exporter organisations and departmental teams.
use sqlx::{Any, AnyConnection, Executor};

use crate::StoreError;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OrganisationRow {
    pub id: String,
    pub name: String,
    pub registration_number: String,
    pub address: String,
    pub country: String,
}

const SELECT_ORGANISATION: &str =
    "SELECT id, name, registration_number, address, country FROM organisations";

/// Insert an organisation; false if its registration number is already registered.
pub async fn insert_organisation(
    conn: &mut AnyConnection,
    o: &OrganisationRow,
    created_at: i64,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "INSERT INTO organisations (id, name, registration_number, address, country, created_at) \
         VALUES ($1,$2,$3,$4,$5,$6)",
    )
    .bind(&o.id)
    .bind(&o.name)
    .bind(&o.registration_number)
    .bind(&o.address)
    .bind(&o.country)
    .bind(created_at)
    .execute(&mut *conn)
    .await
    .map_err(StoreError::from);
    match done {
        Ok(_) => Ok(true),
        Err(e) if e.is_unique_violation() => Ok(false),
        Err(e) => Err(e),
    }
}

pub async fn organisation<'e>(
    ex: impl Executor<'e, Database = Any>,
    id: &str,
) -> Result<Option<OrganisationRow>, StoreError> {
    Ok(
        sqlx::query_as(&format!("{SELECT_ORGANISATION} WHERE id = $1"))
            .bind(id)
            .fetch_optional(ex)
            .await?,
    )
}

/// Every organisation, by name.
pub async fn organisations<'e>(
    ex: impl Executor<'e, Database = Any>,
) -> Result<Vec<OrganisationRow>, StoreError> {
    Ok(
        sqlx::query_as(&format!("{SELECT_ORGANISATION} ORDER BY name"))
            .fetch_all(ex)
            .await?,
    )
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TeamRow {
    pub id: String,
    pub name: String,
    pub kind: String,
}

pub async fn insert_team(
    conn: &mut AnyConnection,
    t: &TeamRow,
    created_at: i64,
) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO teams (id, name, kind, created_at) VALUES ($1,$2,$3,$4)")
        .bind(&t.id)
        .bind(&t.name)
        .bind(&t.kind)
        .bind(created_at)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Every team, by name.
pub async fn teams<'e>(ex: impl Executor<'e, Database = Any>) -> Result<Vec<TeamRow>, StoreError> {
    Ok(
        sqlx::query_as("SELECT id, name, kind FROM teams ORDER BY name")
            .fetch_all(ex)
            .await?,
    )
}
