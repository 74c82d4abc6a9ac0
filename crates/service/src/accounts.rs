//! Looking after accounts: administrators disable and re-enable them and reset a lost second
//! factor (each with a reason, in the audit log); everyone changes their own password.
use std::str::FromStr;

use probity_domain::account::{check_admin_reason, check_new_password};
use probity_domain::UserId;
use probity_store::accounts as repo;

use crate::auth::{self, Actor, Role};
use crate::{Ctx, ServiceError, ServiceResult};

/// A user as the administrators' list shows them.
#[derive(Debug, Clone)]
pub struct Account {
    pub user: Actor,
    pub active: bool,
    pub two_factor: bool,
}

/// Every account with its state, for administrators and oversight.
pub async fn list(ctx: &Ctx, actor: &Actor) -> ServiceResult<Vec<Account>> {
    let users = auth::list_users(ctx, actor).await?;
    let mut conn = ctx.store.pool().acquire().await?;
    let mut out = Vec::with_capacity(users.len());
    for user in users {
        let uid = user.user_id.to_string();
        let (active, _) = repo::credentials(&mut conn, &uid)
            .await?
            .ok_or(ServiceError::NotFound("user"))?;
        let two_factor = repo::totp_enabled(&mut conn, &uid).await?;
        out.push(Account {
            user,
            active,
            two_factor,
        });
    }
    Ok(out)
}

/// What an administrator does to an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdminAction {
    /// Refuse sign-in and end every session; API tokens stop working while disabled.
    Disable,
    Enable,
    /// Remove the authenticator and recovery codes and end every session: the user enrols
    /// again at next sign-in.
    ResetSecondFactor,
}

impl AdminAction {
    pub fn as_str(self) -> &'static str {
        match self {
            AdminAction::Disable => "disable",
            AdminAction::Enable => "enable",
            AdminAction::ResetSecondFactor => "reset-two-factor",
        }
    }

    fn audit_action(self) -> &'static str {
        match self {
            AdminAction::Disable => "user.disable",
            AdminAction::Enable => "user.enable",
            AdminAction::ResetSecondFactor => "two_factor.reset",
        }
    }
}

impl FromStr for AdminAction {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        [
            AdminAction::Disable,
            AdminAction::Enable,
            AdminAction::ResetSecondFactor,
        ]
        .into_iter()
        .find(|a| a.as_str() == s)
        .ok_or(())
    }
}

/// Apply an administrator's action to another account, with the reason audited.
pub async fn administer(
    ctx: &Ctx,
    admin: &Actor,
    target: UserId,
    action: AdminAction,
    reason: &str,
) -> ServiceResult<()> {
    admin.require(&[Role::Admin], "manage accounts")?;
    let reason = check_admin_reason(reason).map_err(ServiceError::Validation)?;
    if target == admin.user_id {
        return Err(ServiceError::Conflict(
            "you cannot do this to your own account; ask another administrator".into(),
        ));
    }
    let uid = target.to_string();
    let now = ctx.clock.now();
    let mut tx = ctx.store.begin_command().await?;
    let (active, _) = repo::credentials(&mut tx, &uid)
        .await?
        .ok_or(ServiceError::NotFound("user"))?;
    let sessions_ended = match action {
        AdminAction::Disable if !active => {
            return Err(ServiceError::Conflict(
                "the account is already disabled".into(),
            ))
        }
        AdminAction::Enable if active => {
            return Err(ServiceError::Conflict(
                "the account is already enabled".into(),
            ))
        }
        AdminAction::Disable => {
            repo::set_active(&mut tx, &uid, false).await?;
            repo::end_sessions(&mut tx, &uid, None).await?
        }
        AdminAction::Enable => {
            repo::set_active(&mut tx, &uid, true).await?;
            0
        }
        AdminAction::ResetSecondFactor => {
            // An enrolment begun but never confirmed is no second factor.
            if !repo::totp_enabled(&mut tx, &uid).await? {
                return Err(ServiceError::Conflict(
                    "the account has no second factor to reset".into(),
                ));
            }
            repo::delete_second_factor(&mut tx, &uid).await?;
            repo::end_sessions(&mut tx, &uid, None).await?
        }
    };
    crate::command::audit_event(
        &mut tx,
        Some(admin),
        now,
        action.audit_action(),
        ("user", &uid),
        serde_json::json!({ "reason": reason, "sessions_ended": sessions_ended }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A password change as typed.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct PasswordChange {
    #[serde(default)]
    pub current_password: String,
    #[serde(default)]
    pub new_password: String,
    #[serde(default)]
    pub confirm_password: String,
}

/// Change one's own password. The current password is required; every other session of the
/// user ends (the one in `current_session`, the cookie of the request, stays).
pub async fn change_password(
    ctx: &Ctx,
    actor: &Actor,
    current_session: &str,
    change: &PasswordChange,
) -> ServiceResult<()> {
    check_new_password(
        &change.current_password,
        &change.new_password,
        &change.confirm_password,
    )
    .map_err(ServiceError::Validation)?;
    let uid = actor.user_id.to_string();
    // The current password is a password check like sign-in's: throttled on the same account
    // key, so a borrowed session cannot guess it at the speed of Argon2.
    crate::sign_in::check_account_throttle(ctx, &actor.email).await?;
    let (_, stored) = {
        let mut conn = ctx.store.pool().acquire().await?;
        repo::credentials(&mut conn, &uid)
            .await?
            .ok_or(ServiceError::NotFound("user"))?
    };
    let verified_against = stored.clone();
    let (current, new) = (change.current_password.clone(), change.new_password.clone());
    // Argon2 takes tens of milliseconds of CPU: off the async workers.
    let new_hash = tokio::task::spawn_blocking(move || {
        auth::verify_password(&current, &stored).then(|| auth::hash_password(&new))
    })
    .await
    .map_err(|e| ServiceError::Internal(format!("could not check a password: {e}")))?;
    let Some(new_hash) = new_hash else {
        crate::sign_in::account_failure(ctx, actor, "wrong_current_password").await?;
        return Err(ServiceError::field(
            "current_password",
            "your current password is not right",
        ));
    };
    let new_hash = new_hash?;
    let now = ctx.clock.now();
    let mut tx = ctx.store.begin_command().await?;
    // The hash was checked outside the lock (Argon2 is slow): write only if it is still the
    // one checked, so two changes at once cannot both pass on the old password.
    let still = repo::credentials(&mut tx, &uid).await?.map(|(_, h)| h);
    if still.as_deref() != Some(verified_against.as_str()) {
        return Err(ServiceError::Conflict(
            "your password was changed at the same time from elsewhere: sign in again".into(),
        ));
    }
    repo::set_password_hash(&mut tx, &uid, &new_hash).await?;
    let ended = repo::end_sessions(&mut tx, &uid, Some(&auth::token_hash(current_session))).await?;
    crate::command::audit_event(
        &mut tx,
        Some(actor),
        now,
        "user.password_change",
        ("user", &uid),
        serde_json::json!({ "other_sessions_ended": ended }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
