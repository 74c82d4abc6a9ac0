//! The second step of sign-in. A correct password for an account with a second factor opens
//! no session: it creates a pending sign-in (a random token kept by the browser, stored here
//! as SHA-256, bound to the user, with its own form token, expiring in five minutes). A
//! current code or an unused recovery code turns it into a session, once.
use probity_domain::account::{parse_second_factor, SecondFactorInput};
use probity_domain::throttle::{ThrottlePolicy, ThrottleState};
use probity_store::{accounts as repo, audit, from_micros, throttle, to_micros};
use sqlx::AnyConnection;

use super::{recovery_hash, Authenticator};
use crate::auth::{open_session, random_token, token_hash, Actor, Session, SignIn};
use crate::sign_in::ClientAddr;
use crate::{Ctx, ServiceError, ServiceResult};

/// The throttle key of an account's second step (codes), apart from its password's.
fn second_factor_key(user_id: &str) -> String {
    format!("second_factor:{user_id}")
}

/// How long the second step may take.
pub const PENDING_MINUTES: i64 = 5;
/// Wrong codes allowed per pending sign-in; then the password must be given again (which
/// is throttled), so codes cannot be guessed at the speed of requests.
pub const MAX_ATTEMPTS: i64 = 5;

/// A password accepted, the second factor still to come. `token` goes to the browser (a
/// cookie), `csrf_token` into the form that posts the code.
#[derive(Debug, Clone)]
pub struct PendingSignIn {
    pub token: String,
    pub csrf_token: String,
}

/// After a correct password: a session if the account has no second factor, otherwise a
/// pending sign-in. (An account that must enrol gets a session that can do nothing but enrol;
/// the web layer enforces that on every request.)
pub(crate) async fn after_password(
    ctx: &Ctx,
    actor: Actor,
    client: ClientAddr,
) -> ServiceResult<SignIn> {
    let uid = actor.user_id.to_string();
    let now = ctx.clock.now();
    let mut tx = ctx.store.begin_command().await?;
    if !repo::totp_enabled(&mut tx, &uid).await? {
        let session = open_session(&mut tx, ctx, &actor, client).await?;
        tx.commit().await?;
        return Ok(SignIn::Complete(session, actor));
    }
    let pending = PendingSignIn {
        token: random_token(32),
        csrf_token: random_token(32),
    };
    repo::insert_pending(
        &mut tx,
        &token_hash(&pending.token),
        &uid,
        &pending.csrf_token,
        to_micros(now),
        to_micros(now + time::Duration::minutes(PENDING_MINUTES)),
    )
    .await?;
    tx.commit().await?;
    Ok(SignIn::SecondFactor(pending))
}

/// The form token of a live pending sign-in, for the page that asks for the code.
pub async fn pending_form_token(ctx: &Ctx, token: &str) -> ServiceResult<Option<String>> {
    let mut conn = ctx.store.pool().acquire().await?;
    Ok(repo::pending(&mut conn, &token_hash(token))
        .await?
        .filter(|p| from_micros(p.expires_at) >= ctx.clock.now())
        .map(|p| p.csrf_token))
}

/// Why the second step did not sign the user in.
#[derive(Debug, thiserror::Error)]
pub enum SecondStepError {
    /// No such pending sign-in, expired, used, or out of attempts: sign in again.
    #[error("the sign-in has expired or was already used; sign in again")]
    Expired,
    /// The form token did not match the pending sign-in's.
    #[error("the form did not come from this sign-in")]
    Forged,
    /// The code was wrong (the user may try again), or the store failed.
    #[error(transparent)]
    Service(#[from] ServiceError),
}

impl From<sqlx::Error> for SecondStepError {
    fn from(e: sqlx::Error) -> Self {
        SecondStepError::Service(e.into())
    }
}

impl From<probity_store::StoreError> for SecondStepError {
    fn from(e: probity_store::StoreError) -> Self {
        SecondStepError::Service(e.into())
    }
}

/// Complete a pending sign-in with an authenticator code or a recovery code.
pub async fn complete(
    ctx: &Ctx,
    token: &str,
    csrf_token: &str,
    typed: &str,
    client: ClientAddr,
) -> Result<(Session, Actor), SecondStepError> {
    let hash = token_hash(token);
    let now = ctx.clock.now();
    let mut tx = ctx.store.begin_command().await?;
    let Some(pending) = repo::pending(&mut tx, &hash).await? else {
        return Err(SecondStepError::Expired);
    };
    if from_micros(pending.expires_at) < now {
        repo::delete_pending(&mut tx, &hash).await?;
        tx.commit().await?;
        return Err(SecondStepError::Expired);
    }
    if pending.csrf_token != csrf_token {
        return Err(SecondStepError::Forged);
    }
    // Codes are throttled per account across pending sign-ins: a stolen password must not
    // buy unlimited rounds of guesses. Only a completed second step wipes this slate (a
    // correct password does not), so locks double up to an hour.
    let key = second_factor_key(&pending.user_id);
    let throttle_state = throttle::load(&mut tx, &key).await?;
    if let Err(refusal) = ThrottlePolicy::ACCOUNT.check(throttle_state, now) {
        return Err(SecondStepError::Service(crate::sign_in::throttled(
            refusal, now,
        )));
    }
    let actor = load_active(&mut tx, &pending.user_id).await?;
    let accepted = match (parse_second_factor(typed), actor.as_ref()) {
        (Some(input), Some(actor)) => check_code(&mut tx, ctx, actor, &input).await?,
        _ => None,
    };
    let (Some(method), Some(actor)) = (accepted, actor) else {
        let (state, lock) = ThrottlePolicy::ACCOUNT.record_failure(throttle_state, now);
        if let Err(e) = throttle::save(&mut tx, &key, &state).await {
            return Err(e.into());
        }
        if let Some(until) = lock {
            let subject = ("user", pending.user_id.clone());
            let scope = "second_factor";
            let locked = crate::sign_in::lock_event(
                &mut tx,
                now,
                "sign_in.lock",
                subject,
                scope,
                client,
                until,
                state.locks,
            )
            .await;
            if let Err(e) = locked {
                return Err(SecondStepError::Service(e));
            }
        }
        return Err(wrong_code(tx, &hash, pending.attempts + 1, &pending.user_id, ctx).await);
    };
    throttle::save(&mut tx, &key, &ThrottleState::default()).await?;
    if !repo::delete_pending(&mut tx, &hash).await? {
        return Err(SecondStepError::Expired);
    }
    let session = open_session(&mut tx, ctx, &actor, client).await?;
    let uid = actor.user_id.to_string();
    let left = repo::recovery_codes_left(&mut tx, &uid).await?;
    crate::command::audit_event(
        &mut tx,
        Some(&actor),
        now,
        "sign_in.second_factor",
        ("user", &uid),
        serde_json::json!({ "method": method, "recovery_codes_left": left }),
    )
    .await?;
    tx.commit().await?;
    Ok((session, actor))
}

/// The user behind a pending sign-in, if the account is still active (an administrator may
/// have disabled it in the meantime).
async fn load_active(conn: &mut AnyConnection, user_id: &str) -> ServiceResult<Option<Actor>> {
    crate::auth::active_user(conn, user_id).await
}

/// Check a typed code; the accepted method ("totp" or "recovery_code"), or `None`. A TOTP
/// step is accepted only if newer than the last one used, so a code (even one overheard)
/// works once; a recovery code is spent.
async fn check_code(
    conn: &mut AnyConnection,
    ctx: &Ctx,
    actor: &Actor,
    input: &SecondFactorInput,
) -> ServiceResult<Option<&'static str>> {
    let uid = actor.user_id.to_string();
    let now = ctx.clock.now();
    match input {
        SecondFactorInput::Totp(code) => {
            let Some(row) = repo::totp(conn, &uid).await? else {
                return Ok(None);
            };
            let auth = Authenticator::new(&row.secret_base32, &actor.email)?;
            match auth.matching_step(code, now) {
                Some(step) if repo::advance_totp_step(conn, &uid, step).await? => Ok(Some("totp")),
                _ => Ok(None),
            }
        }
        SecondFactorInput::Recovery(code) => {
            Ok(
                repo::spend_recovery_code(conn, &uid, &recovery_hash(code), to_micros(now))
                    .await?
                    .then_some("recovery_code"),
            )
        }
    }
}

/// Count a wrong code (committed, though the request fails); past the limit the pending
/// sign-in is gone and the attempt is audited.
async fn wrong_code(
    mut tx: probity_store::Tx,
    hash: &str,
    attempts: i64,
    user_id: &str,
    ctx: &Ctx,
) -> SecondStepError {
    let result: ServiceResult<SecondStepError> = async {
        if attempts >= MAX_ATTEMPTS {
            repo::delete_pending(&mut tx, hash).await?;
            audit::append(
                &mut tx,
                audit::NewEvent {
                    at: ctx.clock.now(),
                    actor_id: Some(user_id),
                    actor_role: "unverified",
                    action: "sign_in.second_factor_failed",
                    subject_type: "user",
                    subject_id: user_id,
                    detail: serde_json::json!({ "attempts": attempts }),
                },
            )
            .await?;
            tx.commit().await?;
            return Ok(SecondStepError::Expired);
        }
        repo::count_pending_attempt(&mut tx, hash).await?;
        tx.commit().await?;
        Ok(SecondStepError::Service(ServiceError::field(
            "code",
            "that code is not right, or was already used: type the newest code your \
             authenticator app shows, or one of your unused recovery codes",
        )))
    }
    .await;
    result.unwrap_or_else(SecondStepError::Service)
}
