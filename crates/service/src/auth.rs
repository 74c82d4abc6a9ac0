//! Roles, actors, passwords (Argon2id) and login sessions. API tokens are in `tokens`, the
//! throttled password check in `sign_in`.
use std::str::FromStr;

use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;
use base64::Engine;
use probity_domain::{OrganisationId, TeamId, UserId};
use probity_store::{audit, from_micros, to_micros, users};
use rand::RngCore;
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::sign_in::ClientAddr;
use crate::{Ctx, ServiceError, ServiceResult};

pub use probity_domain::Role;

/// Who is acting: every command takes one, and every audit event names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub user_id: UserId,
    pub role: Role,
    pub display_name: String,
    pub email: String,
    pub organisation_id: Option<OrganisationId>,
    pub team_id: Option<TeamId>,
}

impl Actor {
    /// May this actor give `command` at all? The domain's table says; the case's state is
    /// checked by the command itself.
    pub fn may(&self, command: probity_domain::CaseCommand) -> ServiceResult<()> {
        self.require(probity_domain::roles_for(command), command.what())
    }

    pub fn require(&self, roles: &[Role], what: &str) -> ServiceResult<()> {
        if roles.contains(&self.role) {
            Ok(())
        } else {
            Err(ServiceError::Forbidden(what.to_string()))
        }
    }
}

pub fn hash_password(password: &str) -> ServiceResult<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| ServiceError::Internal(format!("could not hash a password: {e}")))
}

pub(crate) fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

pub(crate) fn random_token(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::rngs::OsRng.fill_bytes(&mut buf);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(buf)
}

/// How a secret (session or API token) is stored: the hex SHA-256 of the secret.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Run CPU-heavy work (Argon2, tens of milliseconds) on tokio's blocking threads, so a burst
/// of sign-ins cannot hold up the async workers that answer every other request.
pub(crate) async fn off_the_runtime<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, tokio::task::JoinError> {
    tokio::task::spawn_blocking(work).await
}

/// A fresh random token for a form (the sign-in form's CSRF token).
pub fn new_form_token() -> String {
    random_token(32)
}

/// Compare two secrets in time that depends only on their lengths (which are not secret).
pub fn tokens_match(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    a.len() == b.len()
        && std::hint::black_box(a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y))) == 0
}

#[derive(Debug, Clone, Deserialize, Default)]
pub struct NewUser {
    pub email: String,
    pub display_name: String,
    pub role: String,
    pub password: String,
    pub organisation_id: Option<String>,
    pub team_id: Option<String>,
}

fn validate_new_user(u: &NewUser) -> ServiceResult<(String, Role)> {
    let email = u.email.trim().to_lowercase();
    let mut errors = Vec::new();
    let at = email.find('@');
    if email.len() > 254
        || email.chars().any(|c| c.is_control() || c.is_whitespace())
        || at.is_none_or(|i| i == 0 || !email[i + 1..].contains('.'))
    {
        errors.push((
            "email",
            "enter an email address like name@example.org".to_string(),
        ));
    }
    if let Err(e) = probity_domain::Name::parse(&u.display_name) {
        errors.push(("display_name", e.to_string()));
    }
    if u.password.chars().count() < 12 || u.password.len() > 1000 {
        errors.push(("password", "use at least 12 characters".to_string()));
    }
    let role = match u.role.parse::<Role>() {
        Ok(r) => Some(r),
        Err(e) => {
            errors.push(("role", e));
            None
        }
    };
    if role == Some(Role::Exporter) && u.organisation_id.as_deref().unwrap_or("").is_empty() {
        errors.push((
            "organisation_id",
            "an exporter belongs to an organisation".to_string(),
        ));
    }
    if role == Some(Role::Adviser) && u.team_id.as_deref().unwrap_or("").is_empty() {
        errors.push((
            "team_id",
            "an adviser belongs to an advisory team".to_string(),
        ));
    }
    match (errors.is_empty(), role) {
        (true, Some(role)) => Ok((email, role)),
        _ => Err(ServiceError::Validation(probity_domain::ValidationErrors(
            errors
                .into_iter()
                .map(|(f, m)| probity_domain::FieldError {
                    field: f.to_string(),
                    message: m,
                })
                .collect(),
        ))),
    }
}

/// Create a user. `by` is the admin doing it, or `None` for bootstrap (CLI, demo).
pub async fn create_user(ctx: &Ctx, by: Option<&Actor>, new: &NewUser) -> ServiceResult<UserId> {
    // Argon2 on a blocking thread, so it does not hold up other requests.
    let password = new.password.clone();
    let hash = off_the_runtime(move || hash_password(&password))
        .await
        .map_err(|e| ServiceError::Internal(format!("could not hash a password: {e}")))??;
    create_user_hashed(ctx, by, new, |_| Ok(hash)).await
}

/// `create_user` with the password hashing supplied (test fixtures reuse one Argon2id hash of
/// their shared password rather than spending a hash per user).
pub(crate) async fn create_user_hashed(
    ctx: &Ctx,
    by: Option<&Actor>,
    new: &NewUser,
    hash: impl FnOnce(&str) -> ServiceResult<String>,
) -> ServiceResult<UserId> {
    if let Some(by) = by {
        by.require(&[Role::Admin], "add users")?;
    }
    let (email, role) = validate_new_user(new)?;
    let org = parse_opt_id::<OrganisationId>(new.organisation_id.as_deref(), "organisation_id")?;
    let team = parse_opt_id::<TeamId>(new.team_id.as_deref(), "team_id")?;
    let hash = hash(&new.password)?;
    let id = UserId::new();
    let now = ctx.clock.now();
    let mut tx = ctx.store.begin_command().await?;
    let (id_text, org, team) = (
        id.to_string(),
        org.map(|o| o.to_string()),
        team.map(|t| t.to_string()),
    );
    let row = users::NewUserRow {
        id: &id_text,
        email: &email,
        display_name: new.display_name.trim(),
        role: role.as_str(),
        organisation_id: org.as_deref(),
        team_id: team.as_deref(),
        password_hash: &hash,
        created_at: to_micros(now),
    };
    match users::insert(&mut tx, &row).await? {
        users::UserInsert::Inserted => {}
        users::UserInsert::EmailTaken => {
            return Err(ServiceError::field(
                "email",
                "a user with this email already exists",
            ))
        }
        users::UserInsert::UnknownOrganisationOrTeam => {
            return Err(ServiceError::field(
                "organisation_id",
                "no such organisation or team",
            ))
        }
    }
    let uid = by.map(|a| a.user_id.to_string());
    audit::append(
        &mut tx,
        audit::NewEvent {
            at: now,
            actor_id: uid.as_deref(),
            actor_role: by.map(|a| a.role.as_str()).unwrap_or("system"),
            action: "user.create",
            subject_type: "user",
            subject_id: &id.to_string(),
            detail: serde_json::json!({ "role": role.as_str() }),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

pub(crate) fn parse_opt_id<T: FromStr>(v: Option<&str>, field: &str) -> ServiceResult<Option<T>> {
    match v.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => s
            .parse()
            .map(Some)
            .map_err(|_| ServiceError::field(field, "not a valid identifier")),
    }
}

/// An actor from its stored row, with the password hash and whether the account is active.
pub(crate) fn decode_actor(row: users::UserRow) -> ServiceResult<(Actor, String, bool)> {
    let active = row.is_active();
    let id = row.id;
    let corrupt = |what: &str| {
        ServiceError::Store(probity_store::StoreError::Corrupt(format!(
            "user {id}: bad {what}"
        )))
    };
    let actor = Actor {
        user_id: id.parse().map_err(|_| corrupt("id"))?,
        role: row.role.parse().map_err(|_| corrupt("role"))?,
        display_name: row.display_name,
        email: row.email,
        organisation_id: parse_opt_id(row.organisation_id.as_deref(), "org")
            .map_err(|_| corrupt("organisation"))?,
        team_id: parse_opt_id(row.team_id.as_deref(), "team").map_err(|_| corrupt("team"))?,
    };
    Ok((actor, row.password_hash, active))
}

/// The account, if it exists and is active.
pub(crate) async fn active_user<'e>(
    ex: impl sqlx::Executor<'e, Database = sqlx::Any>,
    id: &str,
) -> ServiceResult<Option<Actor>> {
    Ok(match users::by_id(ex, id).await? {
        Some(row) => {
            let (actor, _, active) = decode_actor(row)?;
            active.then_some(actor)
        }
        None => None,
    })
}

pub async fn get_user(ctx: &Ctx, id: UserId) -> ServiceResult<Actor> {
    let row = users::by_id(ctx.store.pool(), &id.to_string())
        .await?
        .ok_or(ServiceError::NotFound("user"))?;
    Ok(decode_actor(row)?.0)
}

/// The active user with this email (for operators acting through the command line).
pub async fn active_user_by_email(ctx: &Ctx, email: &str) -> ServiceResult<Actor> {
    let row = users::by_email(ctx.store.pool(), &email.trim().to_lowercase())
        .await?
        .ok_or(ServiceError::NotFound("user"))?;
    match decode_actor(row)? {
        (actor, _, true) => Ok(actor),
        _ => Err(ServiceError::NotFound("user")),
    }
}

pub async fn list_users(ctx: &Ctx, actor: &Actor) -> ServiceResult<Vec<Actor>> {
    actor.require(&[Role::Admin, Role::Oversight], "list users")?;
    users::list(ctx.store.pool())
        .await?
        .into_iter()
        .map(|r| decode_actor(r).map(|a| a.0))
        .collect()
}

/// A signed-in session: the cookie value and the form token that guards its POSTs.
#[derive(Debug, Clone)]
pub struct Session {
    pub token: String,
    pub csrf_token: String,
}

const SESSION_HOURS: i64 = 12;
/// Where a correct password leads.
#[derive(Debug)]
pub enum SignIn {
    /// Signed in: the session is open.
    Complete(Session, Actor),
    /// The account has a second factor: no session yet, only a pending sign-in that the
    /// code (or a recovery code) completes.
    SecondFactor(crate::two_factor::sign_in::PendingSignIn),
}

impl SignIn {
    /// The session, when no second step is needed (tests and tools).
    pub fn complete(self) -> Option<(Session, Actor)> {
        match self {
            SignIn::Complete(s, a) => Some((s, a)),
            SignIn::SecondFactor(_) => None,
        }
    }
}

/// Check credentials (throttled, see `sign_in`), then open a session or, for an account with
/// a second factor, a pending sign-in. The same message for unknown users and wrong
/// passwords, and a hash computed either way, so neither leaks which emails exist.
pub async fn login(
    ctx: &Ctx,
    email: &str,
    password: &str,
    client: ClientAddr,
) -> ServiceResult<SignIn> {
    let actor = crate::sign_in::check_password(ctx, email, password, client).await?;
    crate::two_factor::sign_in::after_password(ctx, actor, client).await
}

/// Open a session for an actor whose sign-in is complete, in the caller's transaction, and
/// record the sign-in.
pub(crate) async fn open_session(
    tx: &mut probity_store::Tx,
    ctx: &Ctx,
    actor: &Actor,
    client: ClientAddr,
) -> ServiceResult<Session> {
    let session = Session {
        token: random_token(32),
        csrf_token: random_token(32),
    };
    let now = ctx.clock.now();
    users::insert_session(
        tx,
        &token_hash(&session.token),
        &actor.user_id.to_string(),
        &session.csrf_token,
        to_micros(now),
        to_micros(now + time::Duration::hours(SESSION_HOURS)),
    )
    .await?;
    let uid = actor.user_id.to_string();
    crate::command::audit_event(
        tx,
        Some(actor),
        now,
        "sign_in",
        ("user", &uid),
        serde_json::json!({ "address": client.to_string() }),
    )
    .await?;
    Ok(session)
}

/// A real Argon2id hash of a throwaway password, so failed look-ups cost as much as wrong
/// passwords.
pub(crate) fn dummy_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| hash_password("not-a-real-password").unwrap_or_default())
}

/// The actor and CSRF token behind a session cookie, if it is live.
pub async fn session_actor(ctx: &Ctx, token: &str) -> ServiceResult<Option<(Actor, String)>> {
    let Some(session) = users::session(ctx.store.pool(), &token_hash(token)).await? else {
        return Ok(None);
    };
    if from_micros(session.expires_at) < ctx.clock.now() {
        return Ok(None);
    }
    let actor = active_user(ctx.store.pool(), &session.user_id).await?;
    Ok(actor.map(|a| (a, session.csrf_token)))
}

/// End a session, recording the sign-out (a session already gone records nothing).
pub async fn logout(ctx: &Ctx, token: &str, client: ClientAddr) -> ServiceResult<()> {
    let now = ctx.clock.now();
    let mut tx = ctx.store.begin_command().await?;
    if let Some(uid) = users::delete_session(&mut tx, &token_hash(token)).await? {
        let row = users::by_id(&mut *tx, &uid)
            .await?
            .ok_or(ServiceError::NotFound("user"))?;
        let (actor, _, _) = decode_actor(row)?;
        crate::command::audit_event(
            &mut tx,
            Some(&actor),
            now,
            "sign_out",
            ("user", &uid),
            serde_json::json!({ "address": client.to_string() }),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}
