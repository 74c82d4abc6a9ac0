//! Two-factor sign-in: the policy (which roles must have it), enrolment of an authenticator
//! app (RFC 6238 TOTP) with one-time recovery codes, and the account's status.
//! The second step of sign-in itself is in `sign_in`.
pub mod sign_in;
mod totp;

use probity_store::{accounts as repo, to_micros};
use sha2::{Digest, Sha256};

pub use totp::Authenticator;

use crate::auth::{Actor, Role};
use crate::{Ctx, ServiceError, ServiceResult};

/// A deployment's rule for second factors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TwoFactorPolicy {
    /// Decision-makers, policy, oversight and administrators must sign in with a second
    /// factor; every other role may. The default of `probity serve`.
    Required,
    /// Nobody must (the demo); anyone may still enrol.
    Optional,
}

impl TwoFactorPolicy {
    /// Whether a user of `role` must have a second factor before doing anything else. The roles
    /// that decide on licences, set policy, see everything or manage accounts are the ones an
    /// attacker with a stolen password would want.
    pub fn required_for(self, role: Role) -> bool {
        self == TwoFactorPolicy::Required
            && matches!(
                role,
                Role::DecisionMaker | Role::Policy | Role::Oversight | Role::Admin
            )
    }
}

/// How many recovery codes enrolment hands out.
pub const RECOVERY_CODES: usize = 10;

/// An account's two-factor state, for its account page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    pub enabled: bool,
    pub required: bool,
    pub recovery_codes_left: i64,
}

pub async fn status(ctx: &Ctx, actor: &Actor) -> ServiceResult<Status> {
    let mut conn = ctx.store.pool().acquire().await?;
    let uid = actor.user_id.to_string();
    Ok(Status {
        enabled: repo::totp_enabled(&mut conn, &uid).await?,
        required: ctx.two_factor.required_for(actor.role),
        recovery_codes_left: repo::recovery_codes_left(&mut conn, &uid).await?,
    })
}

/// Whether this user must set up a second factor before anything else (every page and API
/// call but enrolment and sign-out is refused until then).
pub async fn must_enrol(ctx: &Ctx, actor: &Actor) -> ServiceResult<bool> {
    if !ctx.two_factor.required_for(actor.role) {
        return Ok(false);
    }
    let mut conn = ctx.store.pool().acquire().await?;
    Ok(!repo::totp_enabled(&mut conn, &actor.user_id.to_string()).await?)
}

/// What the enrolment page shows: the secret to scan or type in.
#[derive(Debug, Clone)]
pub struct Enrolment {
    pub secret_base32: String,
    /// The `otpauth://totp/…` URI that the QR code carries.
    pub uri: String,
}

/// Begin (or resume) enrolment: a secret generated here, kept unconfirmed until the user
/// types a code from it. Reloading the page shows the same secret, so a scanned code stays
/// valid.
pub async fn start_enrolment(ctx: &Ctx, actor: &Actor) -> ServiceResult<Enrolment> {
    let uid = actor.user_id.to_string();
    let mut tx = ctx.store.begin_command().await?;
    let secret = match repo::totp(&mut tx, &uid).await? {
        Some(row) if row.confirmed_at.is_some() => return Err(already_enabled()),
        Some(row) => row.secret_base32,
        None => {
            let secret = Authenticator::generate_secret();
            repo::put_unconfirmed_totp(&mut tx, &uid, &secret, to_micros(ctx.clock.now())).await?;
            secret
        }
    };
    tx.commit().await?;
    let auth = Authenticator::new(&secret, &actor.email)?;
    Ok(Enrolment {
        uri: auth.uri(),
        secret_base32: secret,
    })
}

fn already_enabled() -> ServiceError {
    ServiceError::Conflict(
        "two-factor sign-in is already set up for this account; an administrator can reset it \
         if the authenticator is lost"
            .into(),
    )
}

const WRONG_CODE: &str =
    "that code is not right: type the six digits your authenticator app shows now, and check the time on your device is correct";

/// Confirm enrolment with a current code. Switches the second factor on and returns the
/// recovery codes, in plain text for the only time: only their hashes are kept.
pub async fn confirm_enrolment(ctx: &Ctx, actor: &Actor, code: &str) -> ServiceResult<Vec<String>> {
    let Some(probity_domain::account::SecondFactorInput::Totp(code)) =
        probity_domain::account::parse_second_factor(code)
    else {
        return Err(ServiceError::field(
            "code",
            "enter the six digits your authenticator app shows",
        ));
    };
    let uid = actor.user_id.to_string();
    let now = ctx.clock.now();
    let mut tx = ctx.store.begin_command().await?;
    let row = match repo::totp(&mut tx, &uid).await? {
        Some(row) if row.confirmed_at.is_some() => return Err(already_enabled()),
        Some(row) => row,
        None => {
            return Err(ServiceError::Conflict(
                "enrolment has not started: open the two-factor page to get a secret first".into(),
            ))
        }
    };
    let auth = Authenticator::new(&row.secret_base32, &actor.email)?;
    let Some(step) = auth.matching_step(&code, now) else {
        return Err(ServiceError::field("code", WRONG_CODE));
    };
    if !repo::confirm_totp(&mut tx, &uid, step, to_micros(now)).await? {
        return Err(already_enabled());
    }
    let codes: Vec<String> = (0..RECOVERY_CODES).map(|_| new_recovery_code()).collect();
    let hashes: Vec<String> = codes.iter().map(|c| recovery_hash(c)).collect();
    repo::replace_recovery_codes(&mut tx, &uid, &hashes, to_micros(now)).await?;
    crate::command::audit_event(
        &mut tx,
        Some(actor),
        now,
        "two_factor.enable",
        ("user", &uid),
        serde_json::json!({ "recovery_codes": RECOVERY_CODES }),
    )
    .await?;
    tx.commit().await?;
    Ok(codes)
}

/// A recovery code: 16 base32 characters (80 bits), shown in groups of four.
fn new_recovery_code() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz234567";
    let mut rng = rand::rngs::OsRng;
    let raw: String = (0..probity_domain::account::RECOVERY_CODE_CHARS)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
        .collect();
    raw.as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join("-")
}

/// SHA-256 of the normalised code. The code has 80 random bits, so a fast hash is enough: no
/// dictionary to guess from.
pub(crate) fn recovery_hash(code: &str) -> String {
    let normalised: String = code
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    hex::encode(Sha256::digest(normalised.as_bytes()))
}
