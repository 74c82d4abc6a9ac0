//! Case reference allocation: one counter per prefix and year, bumped inside the command lock
//! so two submissions never get the same number.
use sqlx::AnyConnection;

use crate::StoreError;

/// The next number for `prefix` in `year` (1 for the first).
pub async fn next_number(
    conn: &mut AnyConnection,
    prefix: &str,
    year: i64,
) -> Result<i64, StoreError> {
    let updated = sqlx::query(
        "UPDATE reference_counters SET last_number = last_number + 1 \
         WHERE prefix = $1 AND year = $2",
    )
    .bind(prefix)
    .bind(year)
    .execute(&mut *conn)
    .await?;
    if updated.rows_affected() == 0 {
        sqlx::query("INSERT INTO reference_counters (prefix, year, last_number) VALUES ($1,$2,1)")
            .bind(prefix)
            .bind(year)
            .execute(&mut *conn)
            .await?;
    }
    Ok(sqlx::query_scalar(
        "SELECT last_number FROM reference_counters WHERE prefix = $1 AND year = $2",
    )
    .bind(prefix)
    .bind(year)
    .fetch_one(conn)
    .await?)
}
