//! Multi-row statements sized for each backend.
//!
//! SQLite finds a `$N` parameter's name by a linear scan of the statement's parameter list,
//! and sqlx asks for every parameter's name when binding, so binding one statement costs the
//! square of its parameter count: 4,000 parameters in one INSERT take longer than the same
//! rows in forty statements of 100. PostgreSQL has no such cost and prefers fewer round trips.

use sqlx::AnyConnection;

/// Parameters per statement on SQLite (past this, binding grows quadratically).
const SQLITE_PARAMS: usize = 100;
/// Parameters per statement on PostgreSQL (its limit is 65,535).
const POSTGRES_PARAMS: usize = 4_000;

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_number_rows_in_order() {
        assert_eq!(placeholders(1, 2, 2), "($1, $2), ($3, $4)");
        assert_eq!(placeholders(3, 1, 3), "($3, $4, $5)");
        assert_eq!(in_list(2, 3), "$2, $3, $4");
    }
}
