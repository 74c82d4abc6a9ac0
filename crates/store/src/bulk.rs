//! Multi-row statements sized for each backend.
//!
//! SQLite finds a `$N` parameter's name by a linear scan of the statement's parameter list,
//! and sqlx asks for every parameter's name when binding, so binding one statement costs the
//! square of its parameter count: 4,000 parameters in one INSERT take longer than the same
//! rows in forty statements of 100. Anonymous `?` parameters have no name to look up, so
//! [`insert_rows`] uses them on SQLite and can put many more rows in one statement.
//! PostgreSQL has no such cost and prefers fewer round trips.

use sqlx::any::AnyArguments;
use sqlx::query::Query;
use sqlx::{Any, AnyConnection};

use crate::StoreError;

/// Parameters per statement on SQLite: measured on the CAAT import (500 rows × 14 columns per
/// statement: 13.7 s; 192 parameters: about 2 s) and the register sequencer (192 against 100:
/// a little faster); far past this, binding grows quadratically.
const SQLITE_PARAMS: usize = 192;
/// Parameters per statement on PostgreSQL (its limit is 65,535).
const POSTGRES_PARAMS: usize = 4_000;

/// Parameters per `INSERT` of [`insert_rows`] on SQLite, where they are anonymous (`?`): no
/// quadratic binding cost, so the limit is SQLite's own (32,766), kept well under.
const SQLITE_ANONYMOUS_PARAMS: usize = 8_192;

/// How many rows of `params_per_row` parameters one statement on `conn` should carry.
pub fn rows_per_statement(conn: &AnyConnection, params_per_row: usize) -> usize {
    let budget = if conn.backend_name().eq_ignore_ascii_case("sqlite") {
        SQLITE_PARAMS
    } else {
        POSTGRES_PARAMS
    };
    (budget / params_per_row.max(1)).max(1)
}

/// `($from, $from+1, …), (…)`: `n` rows of `per_row` numbered placeholders.
pub fn placeholders(from: usize, n: usize, per_row: usize) -> String {
    let mut out = String::with_capacity(n * per_row * 6);
    for r in 0..n {
        if r > 0 {
            out.push_str(", ");
        }
        out.push('(');
        for c in 0..per_row {
            if c > 0 {
                out.push_str(", ");
            }
            out.push('$');
            out.push_str(&(from + r * per_row + c).to_string());
        }
        out.push(')');
    }
    out
}

/// `$from, $from+1, …`: a list of `n` numbered placeholders for `IN (…)`.
pub fn in_list(from: usize, n: usize) -> String {
    (from..from + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// One bound value of a multi-row insert, borrowing text from the rows being written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value<'a> {
    Int(i64),
    OptInt(Option<i64>),
    Text(&'a str),
    OptText(Option<&'a str>),
    /// Text made for the row (a formatted date, a normalised code).
    Owned(String),
}

/// `INSERT … ON CONFLICT DO NOTHING` of `rows` into `table`, in statements sized for the
/// backend; returns the rows inserted. Every row has `cols.len()` values; `progress` is told
/// how many rows each statement wrote.
pub async fn insert_rows<P: FnMut(u64) + ?Sized>(
    conn: &mut AnyConnection,
    table: &str,
    cols: &[&str],
    rows: &[Vec<Value<'_>>],
    progress: &mut P,
) -> Result<u64, StoreError> {
    let sqlite = conn.backend_name().eq_ignore_ascii_case("sqlite");
    let per_statement = if sqlite {
        sqlite_rows_per_statement(cols.len())
    } else {
        rows_per_statement(conn, cols.len())
    };
    let mut inserted = 0;
    for chunk in rows.chunks(per_statement) {
        let sql = insert_sql(sqlite, table, cols, chunk.len());
        inserted += bind_rows(sqlx::query(&sql), chunk)
            .execute(&mut *conn)
            .await?
            .rows_affected();
        progress(chunk.len() as u64);
    }
    Ok(inserted)
}

/// Rows per statement of [`insert_rows`] on SQLite, where parameters are anonymous.
pub(crate) fn sqlite_rows_per_statement(params_per_row: usize) -> usize {
    (SQLITE_ANONYMOUS_PARAMS / params_per_row.max(1)).max(1)
}

/// `INSERT INTO table (cols) VALUES … ON CONFLICT DO NOTHING` for `n` rows: anonymous
/// parameters on SQLite, numbered ones on PostgreSQL.
pub(crate) fn insert_sql(sqlite: bool, table: &str, cols: &[&str], n: usize) -> String {
    let values = if sqlite {
        anonymous_placeholders(n, cols.len())
    } else {
        placeholders(1, n, cols.len())
    };
    format!(
        "INSERT INTO {table} ({}) VALUES {values} ON CONFLICT DO NOTHING",
        cols.join(", "),
    )
}

/// Every value of `rows`, bound in order.
pub(crate) fn bind_rows<'q>(
    mut q: Query<'q, Any, AnyArguments<'q>>,
    rows: &'q [Vec<Value<'q>>],
) -> Query<'q, Any, AnyArguments<'q>> {
    for value in rows.iter().flatten() {
        q = match value {
            Value::Int(v) => q.bind(*v),
            Value::OptInt(v) => q.bind(*v),
            Value::Text(v) => q.bind(*v),
            Value::OptText(v) => q.bind(*v),
            Value::Owned(v) => q.bind(v.as_str()),
        };
    }
    q
}

/// `(?, ?), (?, ?)`: `n` rows of `per_row` anonymous placeholders (SQLite only).
fn anonymous_placeholders(n: usize, per_row: usize) -> String {
    let row = format!("({})", vec!["?"; per_row].join(", "));
    vec![row; n].join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_number_rows_in_order() {
        assert_eq!(placeholders(1, 2, 2), "($1, $2), ($3, $4)");
        assert_eq!(placeholders(3, 1, 3), "($3, $4, $5)");
        assert_eq!(in_list(2, 3), "$2, $3, $4");
        assert_eq!(anonymous_placeholders(2, 3), "(?, ?, ?), (?, ?, ?)");
    }
}
