//! Account security rows: the TOTP authenticator of a user, recovery codes, sign-ins
//! waiting for their second factor, and the session and password changes that go with them.
//! Every function takes a connection so callers can run it inside their command transaction.
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::StoreError;

/// A user's authenticator as stored.
#[derive(Debug, Clone)]
pub struct TotpRow {
    pub secret_base32: String,
    /// Microseconds; `None` until the user has confirmed a code.
    pub confirmed_at: Option<i64>,
    /// The newest time step accepted, so a code cannot be replayed.
    pub last_step: Option<i64>,
}

impl TotpRow {
    fn read(row: &AnyRow) -> Result<TotpRow, StoreError> {
        Ok(TotpRow {
            secret_base32: row.try_get("secret_base32")?,
            confirmed_at: row.try_get("confirmed_at")?,
            last_step: row.try_get("last_step")?,
        })
    }
}

pub async fn totp(conn: &mut AnyConnection, user_id: &str) -> Result<Option<TotpRow>, StoreError> {
    let row = sqlx::query(
        "SELECT secret_base32, confirmed_at, last_step FROM user_totp WHERE user_id = $1",
    )
    .bind(user_id)
    .fetch_optional(&mut *conn)
    .await?;
    row.as_ref().map(TotpRow::read).transpose()
}

/// Whether the user has a confirmed authenticator.
pub async fn totp_enabled(conn: &mut AnyConnection, user_id: &str) -> Result<bool, StoreError> {
    let n: i64 = sqlx::query_scalar(
        "SELECT CAST(COUNT(*) AS BIGINT) FROM user_totp \
         WHERE user_id = $1 AND confirmed_at IS NOT NULL",
    )
    .bind(user_id)
    .fetch_one(&mut *conn)
    .await?;
    Ok(n > 0)
}

/// Store a new, unconfirmed secret, replacing an unconfirmed one (never a confirmed one: the
/// caller checks that first, inside the same transaction).
pub async fn put_unconfirmed_totp(
    conn: &mut AnyConnection,
    user_id: &str,
    secret_base32: &str,
    now: i64,
) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM user_totp WHERE user_id = $1 AND confirmed_at IS NULL")
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    sqlx::query("INSERT INTO user_totp (user_id, secret_base32, created_at) VALUES ($1, $2, $3)")
        .bind(user_id)
        .bind(secret_base32)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Switch the authenticator on, recording the step of the code that confirmed it.
pub async fn confirm_totp(
    conn: &mut AnyConnection,
    user_id: &str,
    step: i64,
    now: i64,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE user_totp SET confirmed_at = $2, last_step = $3 \
         WHERE user_id = $1 AND confirmed_at IS NULL",
    )
    .bind(user_id)
    .bind(now)
    .bind(step)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Record `step` as used, only if it is newer than every step used before. The condition is
/// in the UPDATE itself, so two requests racing with the same code cannot both succeed.
pub async fn advance_totp_step(
    conn: &mut AnyConnection,
    user_id: &str,
    step: i64,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE user_totp SET last_step = $2 WHERE user_id = $1 \
         AND confirmed_at IS NOT NULL AND (last_step IS NULL OR last_step < $2)",
    )
    .bind(user_id)
    .bind(step)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Remove the authenticator (confirmed or not) and every recovery code.
pub async fn delete_second_factor(
    conn: &mut AnyConnection,
    user_id: &str,
) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM user_totp WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Replace the user's recovery codes with these hashes.
pub async fn replace_recovery_codes(
    conn: &mut AnyConnection,
    user_id: &str,
    hashes: &[String],
    now: i64,
) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    for hash in hashes {
        sqlx::query(
            "INSERT INTO recovery_codes (user_id, code_hash, created_at) VALUES ($1, $2, $3)",
        )
        .bind(user_id)
        .bind(hash)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Spend one recovery code: true only for an unused code of this user (the condition is in
/// the UPDATE, so a code is spent once even under concurrent use).
pub async fn spend_recovery_code(
    conn: &mut AnyConnection,
    user_id: &str,
    hash: &str,
    now: i64,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE recovery_codes SET used_at = $3 \
         WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL",
    )
    .bind(user_id)
    .bind(hash)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn recovery_codes_left(
    conn: &mut AnyConnection,
    user_id: &str,
) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar(
        "SELECT CAST(COUNT(*) AS BIGINT) FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL",
    )
    .bind(user_id)
    .fetch_one(&mut *conn)
    .await?)
}

/// A sign-in waiting for its second factor.
#[derive(Debug, Clone)]
pub struct PendingRow {
    pub user_id: String,
    pub csrf_token: String,
    pub attempts: i64,
    pub expires_at: i64,
}

pub async fn insert_pending(
    conn: &mut AnyConnection,
    token_hash: &str,
    user_id: &str,
    csrf_token: &str,
    now: i64,
    expires_at: i64,
) -> Result<(), StoreError> {
    // Expired rows of anyone go on each insert: the table holds minutes of sign-ins.
    sqlx::query("DELETE FROM pending_sign_ins WHERE expires_at < $1")
        .bind(now)
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "INSERT INTO pending_sign_ins (token_hash, user_id, csrf_token, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(token_hash)
    .bind(user_id)
    .bind(csrf_token)
    .bind(now)
    .bind(expires_at)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub async fn pending(
    conn: &mut AnyConnection,
    token_hash: &str,
) -> Result<Option<PendingRow>, StoreError> {
    let row = sqlx::query(
        "SELECT user_id, csrf_token, attempts, expires_at FROM pending_sign_ins \
         WHERE token_hash = $1",
    )
    .bind(token_hash)
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|r| {
        Ok(PendingRow {
            user_id: r.try_get("user_id")?,
            csrf_token: r.try_get("csrf_token")?,
            attempts: r.try_get("attempts")?,
            expires_at: r.try_get("expires_at")?,
        })
    })
    .transpose()
}

/// Count a wrong code against a pending sign-in.
pub async fn count_pending_attempt(
    conn: &mut AnyConnection,
    token_hash: &str,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE pending_sign_ins SET attempts = attempts + 1 WHERE token_hash = $1")
        .bind(token_hash)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Delete a pending sign-in; true if it was still there (so it is used at most once).
pub async fn delete_pending(
    conn: &mut AnyConnection,
    token_hash: &str,
) -> Result<bool, StoreError> {
    let done = sqlx::query("DELETE FROM pending_sign_ins WHERE token_hash = $1")
        .bind(token_hash)
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// End a user's sessions and pending sign-ins, except the session whose token hash is
/// `keep`. Returns how many sessions ended.
pub async fn end_sessions(
    conn: &mut AnyConnection,
    user_id: &str,
    keep: Option<&str>,
) -> Result<u64, StoreError> {
    sqlx::query("DELETE FROM pending_sign_ins WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    let done = sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2")
        .bind(user_id)
        .bind(keep.unwrap_or(""))
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected())
}

/// The user's active flag and password hash.
pub async fn credentials(
    conn: &mut AnyConnection,
    user_id: &str,
) -> Result<Option<(bool, String)>, StoreError> {
    let row = sqlx::query("SELECT active, password_hash FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_optional(&mut *conn)
        .await?;
    row.map(|r| {
        Ok((
            r.try_get::<i64, _>("active")? == 1,
            r.try_get("password_hash")?,
        ))
    })
    .transpose()
}

pub async fn set_active(
    conn: &mut AnyConnection,
    user_id: &str,
    active: bool,
) -> Result<bool, StoreError> {
    let done = sqlx::query("UPDATE users SET active = $2 WHERE id = $1")
        .bind(user_id)
        .bind(i64::from(active))
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn set_password_hash(
    conn: &mut AnyConnection,
    user_id: &str,
    hash: &str,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE users SET password_hash = $2 WHERE id = $1")
        .bind(user_id)
        .bind(hash)
        .execute(&mut *conn)
        .await?;
    Ok(())
}
