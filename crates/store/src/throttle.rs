//! Sign-in throttle state, one row per key (the policy is `probity_domain::throttle`). Kept in
//! the database so every web process sees the same counts.
use probity_domain::throttle::ThrottleState;
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::{from_micros, to_micros, Store, StoreError, Tx};

struct StateRow(ThrottleState);

impl<'r> sqlx::FromRow<'r, AnyRow> for StateRow {
    fn from_row(row: &'r AnyRow) -> Result<Self, sqlx::Error> {
        let count = |col: &str| -> Result<u32, sqlx::Error> {
            Ok(u32::try_from(row.try_get::<i64, _>(col)?.max(0)).unwrap_or(u32::MAX))
        };
        Ok(StateRow(ThrottleState {
            failures: count("failures")?,
            locks: count("locks")?,
            last_failure_at: row
                .try_get::<Option<i64>, _>("last_failure_at")?
                .map(from_micros),
            locked_until: row
                .try_get::<Option<i64>, _>("locked_until")?
                .map(from_micros),
            lock_refusal_recorded: row.try_get::<i64, _>("lock_refusal_recorded")? == 1,
        }))
    }
}

const SELECT: &str = "SELECT failures, locks, last_failure_at, locked_until, \
     lock_refusal_recorded FROM sign_in_throttle WHERE throttle_key = $1";

/// The state of `key` inside a command transaction (which serialises throttle updates).
pub async fn load(tx: &mut Tx, key: &str) -> Result<ThrottleState, StoreError> {
    let row: Option<StateRow> = sqlx::query_as(SELECT)
        .bind(key)
        .fetch_optional(&mut **tx)
        .await?;
    Ok(row.map(|r| r.0).unwrap_or_default())
}

/// The state of `key`, read outside a transaction (a cheap check before work).
pub async fn peek(store: &Store, key: &str) -> Result<ThrottleState, StoreError> {
    let row: Option<StateRow> = sqlx::query_as(SELECT)
        .bind(key)
        .fetch_optional(store.pool())
        .await?;
    Ok(row.map(|r| r.0).unwrap_or_default())
}

/// Store the state of `key`; a clean slate removes the row.
pub async fn save(tx: &mut Tx, key: &str, s: &ThrottleState) -> Result<(), StoreError> {
    if *s == ThrottleState::default() {
        sqlx::query("DELETE FROM sign_in_throttle WHERE throttle_key = $1")
            .bind(key)
            .execute(&mut **tx)
            .await?;
        return Ok(());
    }
    sqlx::query(
        "INSERT INTO sign_in_throttle (throttle_key, failures, locks, last_failure_at, \
         locked_until, lock_refusal_recorded) VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (throttle_key) DO UPDATE SET failures = excluded.failures, \
         locks = excluded.locks, last_failure_at = excluded.last_failure_at, \
         locked_until = excluded.locked_until, \
         lock_refusal_recorded = excluded.lock_refusal_recorded",
    )
    .bind(key)
    .bind(i64::from(s.failures))
    .bind(i64::from(s.locks))
    .bind(s.last_failure_at.map(to_micros))
    .bind(s.locked_until.map(to_micros))
    .bind(i64::from(s.lock_refusal_recorded))
    .execute(&mut **tx)
    .await?;
    Ok(())
}
