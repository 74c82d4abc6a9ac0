//! API tokens: stored by the SHA-256 of their secret (never the secret), with a scope, an
//! expiry, revocation and the time of last use.
use probity_domain::api_token::TokenScope;
use probity_domain::{ApiTokenId, UserId};
use sqlx::any::AnyRow;
use sqlx::Row;
use time::OffsetDateTime;

use crate::{from_micros, to_micros, Store, StoreError, Tx};

/// One token as stored (everything but its hash).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenRow {
    pub id: ApiTokenId,
    pub user_id: UserId,
    pub name: String,
    pub scope: TokenScope,
    pub created_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
    pub last_used_at: Option<OffsetDateTime>,
    pub revoked_at: Option<OffsetDateTime>,
    /// The UTC day (days since 1970-01-01) of the newest `api_token.use` audit event.
    pub use_recorded_day: Option<i64>,
}

impl<'r> sqlx::FromRow<'r, AnyRow> for TokenRow {
    fn from_row(row: &'r AnyRow) -> Result<Self, sqlx::Error> {
        let decode = |col: &'static str, e: String| sqlx::Error::ColumnDecode {
            index: col.to_string(),
            source: e.into(),
        };
        let id: String = row.try_get("id")?;
        let user_id: String = row.try_get("user_id")?;
        let scope: String = row.try_get("scope")?;
        Ok(TokenRow {
            id: id.parse().map_err(|e| decode("id", format!("{e}")))?,
            user_id: user_id
                .parse()
                .map_err(|e| decode("user_id", format!("{e}")))?,
            name: row.try_get("name")?,
            scope: scope.parse().map_err(|e| decode("scope", format!("{e}")))?,
            created_at: from_micros(row.try_get("created_at")?),
            // Tokens always get an expiry; one without reads as already expired.
            expires_at: row
                .try_get::<Option<i64>, _>("expires_at")?
                .map_or(OffsetDateTime::UNIX_EPOCH, from_micros),
            last_used_at: row
                .try_get::<Option<i64>, _>("last_used_at")?
                .map(from_micros),
            revoked_at: row
                .try_get::<Option<i64>, _>("revoked_at")?
                .map(from_micros),
            use_recorded_day: row.try_get("use_recorded_day")?,
        })
    }
}

const SELECT: &str = "SELECT id, user_id, name, scope, created_at, expires_at, last_used_at, \
     revoked_at, use_recorded_day FROM api_tokens";

/// A token to store, with the hash of its secret.
pub struct NewToken<'a> {
    pub id: ApiTokenId,
    pub token_hash: &'a str,
    pub user_id: UserId,
    pub name: &'a str,
    pub scope: TokenScope,
    pub created_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
}

pub async fn insert(tx: &mut Tx, t: &NewToken<'_>) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO api_tokens (id, token_hash, user_id, name, scope, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(t.id.to_string())
    .bind(t.token_hash)
    .bind(t.user_id.to_string())
    .bind(t.name)
    .bind(t.scope.as_str())
    .bind(to_micros(t.created_at))
    .bind(to_micros(t.expires_at))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The token whose secret hashes to `hash`, whatever its state.
pub async fn by_hash(store: &Store, hash: &str) -> Result<Option<TokenRow>, StoreError> {
    Ok(sqlx::query_as(&format!("{SELECT} WHERE token_hash = $1"))
        .bind(hash)
        .fetch_optional(store.pool())
        .await?)
}

/// A token, read inside a command transaction.
pub async fn by_id(tx: &mut Tx, id: ApiTokenId) -> Result<Option<TokenRow>, StoreError> {
    Ok(sqlx::query_as(&format!("{SELECT} WHERE id = $1"))
        .bind(id.to_string())
        .fetch_optional(&mut **tx)
        .await?)
}

/// A user's tokens, newest first.
pub async fn for_user(store: &Store, user: UserId) -> Result<Vec<TokenRow>, StoreError> {
    Ok(sqlx::query_as(&format!(
        "{SELECT} WHERE user_id = $1 ORDER BY created_at DESC, id"
    ))
    .bind(user.to_string())
    .fetch_all(store.pool())
    .await?)
}

pub async fn revoke(tx: &mut Tx, id: ApiTokenId, at: OffsetDateTime) -> Result<(), StoreError> {
    sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
        .bind(to_micros(at))
        .bind(id.to_string())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Note a use (last use only moves forward).
pub async fn touch(store: &Store, id: ApiTokenId, at: OffsetDateTime) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE api_tokens SET last_used_at = $1 WHERE id = $2 \
         AND (last_used_at IS NULL OR last_used_at < $1)",
    )
    .bind(to_micros(at))
    .bind(id.to_string())
    .execute(store.pool())
    .await?;
    Ok(())
}

/// Claim the day's use event for a token: true for the first caller on `day`, false when
/// that day's event is already written.
pub async fn claim_use_day(tx: &mut Tx, id: ApiTokenId, day: i64) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE api_tokens SET use_recorded_day = $1 WHERE id = $2 \
         AND (use_recorded_day IS NULL OR use_recorded_day < $1)",
    )
    .bind(day)
    .bind(id.to_string())
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}
