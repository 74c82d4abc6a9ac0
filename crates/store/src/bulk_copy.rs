//! Bulk inserts of many rows: `COPY … FROM STDIN` on PostgreSQL, large multi-row statements
//! on SQLite.
//!
//! sqlx's `Any` driver has no `COPY`, and a command's transaction is an `Any` one. So on
//! PostgreSQL the rows are copied, on a connection of their own, into an unlogged staging table
//! with no index (`COPY` in text format, <https://www.postgresql.org/docs/current/sql-copy.html>),
//! then moved into the target inside the caller's transaction with one
//! `INSERT … SELECT … ON CONFLICT DO NOTHING`, which drops the staging table in the same
//! transaction: the rows land with everything else the command writes, or not at all, and
//! re-inserting rows already there adds nothing, as on SQLite.
//!
//! Staging tables are named `probity_staging_…`. The caller holds the command lock
//! ([`crate::Store::begin_command`]) while one exists, so any other one found then was left by
//! a command that failed after its copy (and is dropped), or is one its own transaction has
//! dropped but not yet committed (locked by it, so skipped).

use std::fmt::Write as _;

use sqlx::{AnyConnection, Connection, PgConnection, Row};

use crate::bulk::{bind_rows, insert_sql, sqlite_rows_per_statement, Value};
use crate::{Backend, Store, StoreError};

/// Bytes of COPY data sent to the server at a time.
const COPY_CHUNK: usize = 1 << 20;
const STAGING_PREFIX: &str = "probity_staging_";
/// SQLSTATE `lock_not_available` (a lock timeout).
const LOCK_NOT_AVAILABLE: &str = "55P03";

/// Whether rows already stored may meet the ones inserted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Conflicts {
    /// A row whose key is stored already is skipped (`ON CONFLICT DO NOTHING`).
    Skip,
    /// The caller read, in this transaction, that none of these keys is stored, and the rows'
    /// keys are distinct: PostgreSQL inserts without looking for conflicts (measured at 5 M
    /// rows: a quarter less time). A duplicate fails the statement, so nothing is lost.
    NoneStored,
}

/// Every row of `rows` inserted into `table` within `conn`'s transaction (which must have
/// been begun with [`Store::begin_command`]); returns the rows inserted. `progress` is told
/// how many rows each step wrote.
pub async fn insert_stream<'a, I>(
    store: &Store,
    conn: &mut AnyConnection,
    table: &str,
    cols: &[&str],
    rows: I,
    conflicts: Conflicts,
    progress: &mut (dyn FnMut(u64) + Send),
) -> Result<u64, StoreError>
where
    I: Iterator<Item = Vec<Value<'a>>> + Send,
{
    match store.backend() {
        Backend::Postgres => {
            copy_via_staging(store, conn, table, cols, rows, conflicts, progress).await
        }
        Backend::Sqlite => insert_pipelined(conn, table, cols, rows, progress).await,
    }
}

/// Multi-row statements on SQLite, each batch made here while the statement before it runs
/// on SQLite's worker thread (measured at 5 M rows: the two took turns before).
async fn insert_pipelined<'a, I>(
    conn: &mut AnyConnection,
    table: &str,
    cols: &[&str],
    mut rows: I,
    progress: &mut (dyn FnMut(u64) + Send),
) -> Result<u64, StoreError>
where
    I: Iterator<Item = Vec<Value<'a>>> + Send,
{
    let per_statement = sqlite_rows_per_statement(cols.len());
    let mut next = move || -> Vec<Vec<Value<'a>>> { rows.by_ref().take(per_statement).collect() };
    let mut batch = next();
    let mut inserted = 0;
    while !batch.is_empty() {
        let sql = insert_sql(true, table, cols, batch.len());
        let statement = bind_rows(sqlx::query(&sql), &batch).execute(&mut *conn);
        // `biased`: the statement is polled first, so it is on the worker before the next
        // batch is made.
        let (done, following) = tokio::join!(biased; statement, async { next() });
        inserted += done?.rows_affected();
        progress(batch.len() as u64);
        batch = following;
    }
    Ok(inserted)
}

async fn copy_via_staging<'a, I>(
    store: &Store,
    conn: &mut AnyConnection,
    table: &str,
    cols: &[&str],
    rows: I,
    conflicts: Conflicts,
    progress: &mut (dyn FnMut(u64) + Send),
) -> Result<u64, StoreError>
where
    I: Iterator<Item = Vec<Value<'a>>> + Send,
{
    let url = store.postgres_url().ok_or_else(|| {
        StoreError::Corrupt("a PostgreSQL store without its connection url".into())
    })?;
    let mut side = PgConnection::connect(url).await?;
    drop_leftovers(&mut side).await?;
    let staging = format!("{STAGING_PREFIX}{}", uuid::Uuid::new_v4().simple());
    sqlx::query(&format!(
        "CREATE UNLOGGED TABLE {staging} (LIKE {table} INCLUDING DEFAULTS)"
    ))
    .execute(&mut side)
    .await?;
    let columns = cols.join(", ");
    let copied = copy_rows(&mut side, &staging, &columns, rows, progress).await;
    if let Err(e) = copied {
        // Best effort: a table left here is dropped by the next copy.
        let _ = sqlx::query(&format!("DROP TABLE IF EXISTS {staging}"))
            .execute(&mut side)
            .await;
        return Err(e);
    }
    side.close().await?;
    let on_conflict = match conflicts {
        Conflicts::Skip => " ON CONFLICT DO NOTHING",
        Conflicts::NoneStored => "",
    };
    let inserted = sqlx::query(&format!(
        "INSERT INTO {table} ({columns}) SELECT {columns} FROM {staging}{on_conflict}"
    ))
    .execute(&mut *conn)
    .await?
    .rows_affected();
    sqlx::query(&format!("DROP TABLE {staging}"))
        .execute(&mut *conn)
        .await?;
    Ok(inserted)
}

async fn copy_rows<'a, I>(
    side: &mut PgConnection,
    staging: &str,
    columns: &str,
    rows: I,
    progress: &mut (dyn FnMut(u64) + Send),
) -> Result<(), StoreError>
where
    I: Iterator<Item = Vec<Value<'a>>> + Send,
{
    let mut copy = side
        .copy_in_raw(&format!(
            "COPY {staging} ({columns}) FROM STDIN (FORMAT text)"
        ))
        .await?;
    let mut buf = String::with_capacity(COPY_CHUNK + 4096);
    let mut pending = 0u64;
    for row in rows {
        encode_row(&mut buf, &row);
        pending += 1;
        if buf.len() >= COPY_CHUNK {
            if let Err(e) = copy.send(std::mem::take(&mut buf).into_bytes()).await {
                let _ = copy.abort("probity: sending rows failed").await;
                return Err(e.into());
            }
            buf.reserve(COPY_CHUNK + 4096);
            progress(pending);
            pending = 0;
        }
    }
    if !buf.is_empty() {
        if let Err(e) = copy.send(buf.into_bytes()).await {
            let _ = copy.abort("probity: sending rows failed").await;
            return Err(e.into());
        }
    }
    copy.finish().await?;
    progress(pending);
    Ok(())
}

/// Drop staging tables left by commands that failed after their copy.
async fn drop_leftovers(side: &mut PgConnection) -> Result<(), StoreError> {
    let names: Vec<String> = sqlx::query(
        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() \
         AND starts_with(tablename, $1)",
    )
    .bind(STAGING_PREFIX)
    .fetch_all(&mut *side)
    .await?
    .iter()
    .map(|r| r.try_get::<String, _>("tablename"))
    .collect::<Result<_, _>>()?;
    // One this command's own transaction has used (and dropped, uncommitted) is still listed,
    // and locked by that transaction: not waited for.
    sqlx::query("SET lock_timeout = '100ms'")
        .execute(&mut *side)
        .await?;
    for name in names {
        let dropped = sqlx::query(&format!(
            "DROP TABLE IF EXISTS \"{}\"",
            name.replace('"', "\"\"")
        ))
        .execute(&mut *side)
        .await;
        match dropped {
            Ok(_) => {
                tracing::warn!(table = %name, "dropped a staging table left by a failed import")
            }
            Err(sqlx::Error::Database(e)) if e.code().as_deref() == Some(LOCK_NOT_AVAILABLE) => {}
            Err(e) => return Err(e.into()),
        }
    }
    sqlx::query("SET lock_timeout = 0")
        .execute(&mut *side)
        .await?;
    Ok(())
}

/// One row in COPY's text format: tab-separated, `\N` for NULL, backslash escapes.
fn encode_row(buf: &mut String, row: &[Value<'_>]) {
    for (i, v) in row.iter().enumerate() {
        if i > 0 {
            buf.push('\t');
        }
        match v {
            Value::Int(n) | Value::OptInt(Some(n)) => {
                let _ = write!(buf, "{n}");
            }
            Value::OptInt(None) | Value::OptText(None) => buf.push_str("\\N"),
            Value::Text(s) | Value::OptText(Some(s)) => escape(buf, s),
            Value::Owned(s) => escape(buf, s),
        }
    }
    buf.push('\n');
}

fn escape(buf: &mut String, s: &str) {
    if !s.contains(['\\', '\t', '\n', '\r']) {
        buf.push_str(s);
        return;
    }
    for c in s.chars() {
        match c {
            '\\' => buf.push_str("\\\\"),
            '\t' => buf.push_str("\\t"),
            '\n' => buf.push_str("\\n"),
            '\r' => buf.push_str("\\r"),
            c => buf.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_encoded_as_copy_text() {
        let mut buf = String::new();
        encode_row(
            &mut buf,
            &[
                Value::Int(-7),
                Value::OptInt(None),
                Value::Text("a\tb\\c\nd\re"),
                Value::OptText(None),
                Value::Owned("2014-09-01".into()),
                Value::OptText(Some("\\N")),
            ],
        );
        assert_eq!(buf, "-7\t\\N\ta\\tb\\\\c\\nd\\re\t\\N\t2014-09-01\t\\\\N\n");
    }
}
