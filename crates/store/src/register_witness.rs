//! What the log remembers about its witnesses, in the `settings` table (no schema change):
//! per witness the latest tree size it is known to hold and its latest cosignature line, and
//! the latest checkpoint note with a quorum of cosignatures appended.

use sqlx::AnyConnection;

use crate::StoreError;

const WITNESS_PREFIX: &str = "register.witness.";
const COSIGNED_KEY: &str = "register.cosigned";

async fn get(conn: &mut AnyConnection, key: &str) -> Result<Option<String>, StoreError> {
    Ok(
        sqlx::query_scalar("SELECT value FROM settings WHERE key = $1")
            .bind(key)
            .fetch_optional(&mut *conn)
            .await?,
    )
}

async fn put(conn: &mut AnyConnection, key: &str, value: &str) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO settings (key, value) VALUES ($1, $2) \
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )
    .bind(key)
    .bind(value)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The stored record (JSON, the caller's format) for the witness named `name`.
pub async fn witness_record(
    conn: &mut AnyConnection,
    name: &str,
) -> Result<Option<String>, StoreError> {
    get(conn, &format!("{WITNESS_PREFIX}{name}")).await
}

pub async fn set_witness_record(
    conn: &mut AnyConnection,
    name: &str,
    record: &str,
) -> Result<(), StoreError> {
    put(conn, &format!("{WITNESS_PREFIX}{name}"), record).await
}

/// The latest checkpoint note carrying a quorum of cosignatures, if any.
pub async fn cosigned_checkpoint(conn: &mut AnyConnection) -> Result<Option<String>, StoreError> {
    get(conn, COSIGNED_KEY).await
}

pub async fn set_cosigned_checkpoint(
    conn: &mut AnyConnection,
    note: &str,
) -> Result<(), StoreError> {
    put(conn, COSIGNED_KEY, note).await
}
