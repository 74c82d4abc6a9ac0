//! Password sign-in: throttling per account and per client address (state in the database,
//! policy in `probity_domain::throttle`), Argon2 verification off the async workers, and the
//! audit events of failures and locks.
//!
//! What is recorded (never a password, a token or the email typed):
//! - `sign_in`: a session was opened (by [`crate::auth::open_session`]), with the address;
//! - `sign_in.failed`: the account when the email matches one, the address and the reason
//!   (`bad_password`, `unknown_account`, `disabled`, or `locked` — once per lock, so a locked
//!   key hammered by requests does not grow the chain per request; the short waits between
//!   attempts are not recorded at all);
//! - `sign_in.lock`: an account or an address was locked, until when, and the how-manyth lock.
use std::fmt;
use std::net::{IpAddr, Ipv6Addr};

use probity_domain::throttle::{Refusal, ThrottlePolicy, ThrottleState};
use probity_store::{audit, throttle, users, Tx};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use crate::auth::{decode_actor, off_the_runtime, verify_password, Actor};
use crate::{Ctx, ServiceError, ServiceResult};

pub(crate) const BAD_LOGIN: &str = "the email or password is incorrect";
/// Said only to someone who gave the right password: the account exists but is switched off.
pub(crate) const DISABLED_LOGIN: &str =
    "this account has been disabled; ask an administrator if you need it again";

/// The network address a request came from: the socket peer. Behind a reverse proxy that is
/// the proxy, so every client would share one address's limits; trusting `X-Forwarded-For`
/// needs a setting naming the proxy, which does not exist yet (the header is never trusted).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddr(pub IpAddr);

impl ClientAddr {
    /// Where requests without a known peer are counted (only a server started without
    /// connection info has such requests; they share one set of limits).
    pub const UNKNOWN: ClientAddr = ClientAddr(IpAddr::V6(Ipv6Addr::UNSPECIFIED));

    /// The unit limits apply to: an IPv4 address, or an IPv6 /64 (one subscriber's network,
    /// whose addresses are free to rotate).
    pub fn bucket(&self) -> String {
        match self.0 {
            IpAddr::V4(v4) => v4.to_string(),
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => v4.to_string(),
                None => {
                    let s = v6.segments();
                    let net = Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0);
                    format!("{net}/64")
                }
            },
        }
    }
}

impl fmt::Display for ClientAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

fn account_key(email: &str) -> String {
    format!("account:{}", hex::encode(Sha256::digest(email.as_bytes())))
}

pub(crate) fn address_key(prefix: &str, client: ClientAddr) -> String {
    format!("{prefix}:{}", client.bucket())
}

/// The refusal that ends later, of two.
fn later(a: Option<Refusal>, b: Option<Refusal>) -> Option<Refusal> {
    match (a, b) {
        (Some(x), Some(y)) => Some(if y.until > x.until { y } else { x }),
        (x, y) => x.or(y),
    }
}

pub(crate) fn throttled(refusal: Refusal, now: OffsetDateTime) -> ServiceError {
    ServiceError::Throttled {
        retry_after_secs: refusal.retry_after_secs(now),
    }
}

/// Check a password and return the account, throttled and audited. Opening the session is
/// the caller's step (a second factor may come between).
pub async fn check_password(
    ctx: &Ctx,
    email: &str,
    password: &str,
    client: ClientAddr,
) -> ServiceResult<Actor> {
    let email = email.trim().to_lowercase();
    // No account has a control character in its email, and PostgreSQL cannot even look up
    // NUL: refuse before any look-up, with the message a wrong password gets.
    if email.chars().any(char::is_control) {
        return Err(ServiceError::field("email", BAD_LOGIN));
    }
    let (account_key, address_key) = (account_key(&email), address_key("address", client));
    let now = ctx.clock.now();

    // 1. Check both limits and count this attempt as failed until it proves otherwise, in
    //    one command transaction, so parallel attempts each see the ones before.
    let mut tx = ctx.store.begin_command().await?;
    let user = find_user(&mut tx, &email).await?;
    let account = throttle::load(&mut tx, &account_key).await?;
    let address = throttle::load(&mut tx, &address_key).await?;
    let begun = (
        ThrottlePolicy::ACCOUNT.begin_attempt(account, now),
        ThrottlePolicy::ADDRESS.begin_attempt(address, now),
    );
    let (account, address) = match begun {
        (Ok(a), Ok(b)) => (a, b),
        (a, b) => {
            let refusal = later(a.err(), b.err()).expect("one of them refused");
            // A lock's first refusal is recorded; the rest of that lock's are not.
            let locked_key = [
                (account_key.as_str(), account),
                (address_key.as_str(), address),
            ]
            .into_iter()
            .find(|(_, s)| s.locked_until.is_some_and(|u| u > now) && !s.lock_refusal_recorded);
            if let (true, Some((key, mut state))) = (refusal.locked, locked_key) {
                state.lock_refusal_recorded = true;
                throttle::save(&mut tx, key, &state).await?;
                failed_event(&mut tx, now, user.as_ref().map(|u| &u.0), client, "locked").await?;
            }
            tx.commit().await?;
            return Err(throttled(refusal, now));
        }
    };
    throttle::save(&mut tx, &account_key, &account).await?;
    throttle::save(&mut tx, &address_key, &address).await?;
    tx.commit().await?;

    // 2. Argon2 on a blocking thread: a burst of sign-ins must not stall other requests.
    //    Unknown emails cost a hash too, so timing does not tell which emails exist.
    let hash = user
        .as_ref()
        .map(|u| u.1.clone())
        .unwrap_or_else(|| crate::auth::dummy_hash().to_string());
    let password = password.to_owned();
    let matches = off_the_runtime(move || verify_password(&password, &hash))
        .await
        .unwrap_or_else(|e| {
            tracing::error!(error = %e, "password verification did not finish");
            false
        });
    let outcome = match &user {
        None => Err("unknown_account"),
        Some(_) if !matches => Err("bad_password"),
        Some((_, _, false)) => Err("disabled"),
        Some((actor, _, true)) => Ok(actor.clone()),
    };

    // 3. Settle: success wipes the account's slate and takes back the address's provisional
    //    failure; a failure may lock either, and is recorded.
    let now = ctx.clock.now();
    let mut tx = ctx.store.begin_command().await?;
    let account = throttle::load(&mut tx, &account_key).await?;
    let address = throttle::load(&mut tx, &address_key).await?;
    match outcome {
        Ok(actor) => {
            throttle::save(&mut tx, &account_key, &ThrottleState::default()).await?;
            let address = ThrottlePolicy::ADDRESS.settle_success(address);
            throttle::save(&mut tx, &address_key, &address).await?;
            tx.commit().await?;
            Ok(actor)
        }
        Err(reason) => {
            let actor = user.as_ref().map(|u| &u.0);
            failed_event(&mut tx, now, actor, client, reason).await?;
            let (account, account_lock) = ThrottlePolicy::ACCOUNT.settle_failure(account, now);
            let (address, address_lock) = ThrottlePolicy::ADDRESS.settle_failure(address, now);
            throttle::save(&mut tx, &account_key, &account).await?;
            throttle::save(&mut tx, &address_key, &address).await?;
            if let Some(until) = account_lock {
                let subject = match actor {
                    Some(a) => ("user", a.user_id.to_string()),
                    None => ("account_key", account_key.clone()),
                };
                lock_event(
                    &mut tx,
                    now,
                    "sign_in.lock",
                    subject,
                    "account",
                    client,
                    until,
                    account.locks,
                )
                .await?;
            }
            if let Some(until) = address_lock {
                let subject = ("client_address", client.bucket());
                lock_event(
                    &mut tx,
                    now,
                    "sign_in.lock",
                    subject,
                    "address",
                    client,
                    until,
                    address.locks,
                )
                .await?;
            }
            tx.commit().await?;
            let message = if reason == "disabled" {
                DISABLED_LOGIN
            } else {
                BAD_LOGIN
            };
            Err(ServiceError::field("email", message))
        }
    }
}

async fn find_user(tx: &mut Tx, email: &str) -> ServiceResult<Option<(Actor, String, bool)>> {
    users::by_email(&mut **tx, email)
        .await?
        .map(decode_actor)
        .transpose()
}

/// Refuse (429) while the account's password throttle holds: for password checks other than
/// sign-in (changing one's password).
pub(crate) async fn check_account_throttle(ctx: &Ctx, email: &str) -> ServiceResult<()> {
    let now = ctx.clock.now();
    let state = throttle::peek(&ctx.store, &account_key(&email.trim().to_lowercase())).await?;
    ThrottlePolicy::ACCOUNT
        .check(state, now)
        .map_err(|r| throttled(r, now))
}

/// A wrong password outside sign-in: counted against the account (and locking it as a failed
/// sign-in would), recorded with `reason`.
pub(crate) async fn account_failure(ctx: &Ctx, actor: &Actor, reason: &str) -> ServiceResult<()> {
    let now = ctx.clock.now();
    let key = account_key(&actor.email.trim().to_lowercase());
    let mut tx = ctx.store.begin_command().await?;
    let state = throttle::load(&mut tx, &key).await?;
    let (state, lock) = ThrottlePolicy::ACCOUNT.record_failure(state, now);
    throttle::save(&mut tx, &key, &state).await?;
    crate::command::audit_event(
        &mut tx,
        Some(actor),
        now,
        "password.check_failed",
        ("user", &actor.user_id.to_string()),
        serde_json::json!({ "reason": reason }),
    )
    .await?;
    if let Some(until) = lock {
        let client = ClientAddr(std::net::IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED));
        let subject = ("user", actor.user_id.to_string());
        lock_event(
            &mut tx,
            now,
            "sign_in.lock",
            subject,
            "account",
            client,
            until,
            state.locks,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

async fn failed_event(
    tx: &mut Tx,
    at: OffsetDateTime,
    account: Option<&Actor>,
    client: ClientAddr,
    reason: &str,
) -> ServiceResult<()> {
    let (subject_type, subject_id) = match account {
        Some(a) => ("user", a.user_id.to_string()),
        None => ("client_address", client.bucket()),
    };
    audit::append(
        tx,
        audit::NewEvent {
            at,
            actor_id: None,
            actor_role: "anonymous",
            action: "sign_in.failed",
            subject_type,
            subject_id: &subject_id,
            detail: serde_json::json!({ "address": client.to_string(), "reason": reason }),
        },
    )
    .await?;
    Ok(())
}

/// A lock of an account or an address (sign-in) or of an address (bearer tokens).
#[allow(clippy::too_many_arguments)]
pub(crate) async fn lock_event(
    tx: &mut Tx,
    at: OffsetDateTime,
    action: &str,
    (subject_type, subject_id): (&str, String),
    scope: &str,
    client: ClientAddr,
    until: OffsetDateTime,
    lock_number: u32,
) -> ServiceResult<()> {
    let until = until
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    audit::append(
        tx,
        audit::NewEvent {
            at,
            actor_id: None,
            actor_role: "system",
            action,
            subject_type,
            subject_id: &subject_id,
            detail: serde_json::json!({
                "scope": scope, "address": client.to_string(), "until": until, "lock": lock_number,
            }),
        },
    )
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Argon2 (sign-in here, new passwords in `auth`) goes through `off_the_runtime`: on a
    /// runtime with one thread, the work must run on another, or every request would wait.
    #[tokio::test(flavor = "current_thread")]
    async fn hashing_runs_off_the_runtime_thread() {
        let here = std::thread::current().id();
        let there = off_the_runtime(|| std::thread::current().id())
            .await
            .unwrap();
        assert_ne!(here, there);
    }

    #[test]
    fn addresses_are_counted_per_ipv4_address_and_ipv6_network() {
        let table = [
            ("192.0.2.7", "192.0.2.7"),
            ("::ffff:192.0.2.7", "192.0.2.7"),
            ("2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64"),
            ("2001:db8:1:2:bbbb::9", "2001:db8:1:2::/64"),
            ("::", "::/64"),
        ];
        for (ip, bucket) in table {
            let addr = ClientAddr(ip.parse().unwrap());
            assert_eq!(addr.bucket(), bucket, "{ip}");
        }
    }
}
