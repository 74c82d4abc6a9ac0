//! Users and their login sessions. Readers take any executor (the pool, or a command
//! transaction's connection), so a use case reads inside the transaction that acts on it.
use sqlx::{Any, AnyConnection, Executor};

use crate::StoreError;

/// A user as stored (identifiers and role still as text: `service` parses them).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UserRow {
    pub id: String,
    pub role: String,
    pub display_name: String,
    pub email: String,
    pub organisation_id: Option<String>,
    pub team_id: Option<String>,
    pub password_hash: String,
    /// 1 while the account may sign in.
    pub active: i64,
}

impl UserRow {
    pub fn is_active(&self) -> bool {
        self.active == 1
    }
}

const SELECT: &str = "SELECT id, role, display_name, email, organisation_id, team_id, \
     password_hash, active FROM users";

pub async fn by_id<'e>(
    ex: impl Executor<'e, Database = Any>,
    id: &str,
) -> Result<Option<UserRow>, StoreError> {
    Ok(sqlx::query_as(&format!("{SELECT} WHERE id = $1"))
        .bind(id)
        .fetch_optional(ex)
        .await?)
}

/// The user with this (lower-cased) email.
pub async fn by_email<'e>(
    ex: impl Executor<'e, Database = Any>,
    email: &str,
) -> Result<Option<UserRow>, StoreError> {
    Ok(sqlx::query_as(&format!("{SELECT} WHERE email = $1"))
        .bind(email)
        .fetch_optional(ex)
        .await?)
}

/// Every user, by role then email.
pub async fn list<'e>(ex: impl Executor<'e, Database = Any>) -> Result<Vec<UserRow>, StoreError> {
    Ok(sqlx::query_as(&format!("{SELECT} ORDER BY role, email"))
        .fetch_all(ex)
        .await?)
}

/// A user to insert (active from the start).
pub struct NewUserRow<'a> {
    pub id: &'a str,
    pub email: &'a str,
    pub display_name: &'a str,
    pub role: &'a str,
    pub organisation_id: Option<&'a str>,
    pub team_id: Option<&'a str>,
    pub password_hash: &'a str,
    pub created_at: i64,
}

/// What inserting a user did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserInsert {
    Inserted,
    EmailTaken,
    /// The organisation or team named does not exist.
    UnknownOrganisationOrTeam,
}

/// Insert a user, unless the email is taken (checked in the caller's transaction).
pub async fn insert(
    conn: &mut AnyConnection,
    u: &NewUserRow<'_>,
) -> Result<UserInsert, StoreError> {
    let exists: Option<String> = sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
        .bind(u.email)
        .fetch_optional(&mut *conn)
        .await?;
    if exists.is_some() {
        return Ok(UserInsert::EmailTaken);
    }
    let done = sqlx::query(
        "INSERT INTO users (id, email, display_name, role, organisation_id, team_id, \
         password_hash, active, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,1,$8)",
    )
    .bind(u.id)
    .bind(u.email)
    .bind(u.display_name)
    .bind(u.role)
    .bind(u.organisation_id)
    .bind(u.team_id)
    .bind(u.password_hash)
    .bind(u.created_at)
    .execute(&mut *conn)
    .await;
    match done {
        Ok(_) => Ok(UserInsert::Inserted),
        Err(sqlx::Error::Database(d))
            if d.kind() == sqlx::error::ErrorKind::ForeignKeyViolation =>
        {
            Ok(UserInsert::UnknownOrganisationOrTeam)
        }
        Err(e) => Err(e.into()),
    }
}

/// A login session as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SessionRow {
    pub user_id: String,
    pub csrf_token: String,
    /// Microseconds.
    pub expires_at: i64,
}

pub async fn insert_session(
    conn: &mut AnyConnection,
    token_hash: &str,
    user_id: &str,
    csrf_token: &str,
    now: i64,
    expires_at: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at) \
         VALUES ($1,$2,$3,$4,$5)",
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

pub async fn session<'e>(
    ex: impl Executor<'e, Database = Any>,
    token_hash: &str,
) -> Result<Option<SessionRow>, StoreError> {
    Ok(
        sqlx::query_as(
            "SELECT user_id, csrf_token, expires_at FROM sessions WHERE token_hash = $1",
        )
        .bind(token_hash)
        .fetch_optional(ex)
        .await?,
    )
}

/// Delete a session; the user it belonged to, if it was still there.
pub async fn delete_session(
    conn: &mut AnyConnection,
    token_hash: &str,
) -> Result<Option<String>, StoreError> {
    Ok(
        sqlx::query_scalar("DELETE FROM sessions WHERE token_hash = $1 RETURNING user_id")
            .bind(token_hash)
            .fetch_optional(&mut *conn)
            .await?,
    )
}

/// Display names of the users with these ids (those that exist).
pub async fn display_names<'e>(
    ex: impl Executor<'e, Database = Any>,
    ids: &[String],
) -> Result<Vec<(String, String)>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT id, display_name FROM users WHERE id IN ({})",
        crate::bulk::in_list(1, ids.len())
    );
    let mut q = sqlx::query_as::<_, (String, String)>(&sql);
    for id in ids {
        q = q.bind(id.as_str());
    }
    Ok(q.fetch_all(ex).await?)
}
