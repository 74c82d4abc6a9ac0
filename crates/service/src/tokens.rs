//! API tokens for machine clients: a name, a scope (read, or read and write), an expiry (90
//! days unless chosen, at most a year) and the time of last use. The secret is shown once and
//! stored only as its SHA-256. Revocation and expiry take effect at the next request.
//!
//! Audit: `api_token.create`, `api_token.revoke`, `api_token.lock` (an address locked after
//! bad tokens), and `api_token.use` at most once per token per UTC day — a use event per
//! request would grow the hash chain (which every verification walks) with every API call,
//! while `last_used_at` on the token already says when it was last used.
use probity_domain::api_token::{TokenRequest, TokenScope};
use probity_domain::throttle::ThrottlePolicy;
use probity_domain::ApiTokenId;
use probity_store::api_tokens::{self, NewToken as NewRow, TokenRow};
use probity_store::throttle;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::auth::{active_user, random_token, token_hash, Actor, Role};
use crate::sign_in::{address_key, lock_event, throttled, ClientAddr};
use crate::{Ctx, ServiceError, ServiceResult};

/// A request for a token, as a form or JSON sends it.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct NewToken {
    #[serde(default)]
    pub name: String,
    /// `read` (the default) or `read_write`.
    #[serde(default)]
    pub scope: String,
    /// Days until it expires: 90 unless given, at most 365.
    #[serde(default)]
    pub expires_in_days: Option<i64>,
}

/// A token as its owner sees it (never its secret).
#[derive(Debug, Clone, Serialize)]
pub struct TokenInfo {
    pub id: ApiTokenId,
    pub name: String,
    pub scope: TokenScope,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub last_used_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub revoked_at: Option<OffsetDateTime>,
    /// `active`, `expired` or `revoked`.
    pub state: &'static str,
}

impl TokenInfo {
    fn of(row: TokenRow, now: OffsetDateTime) -> TokenInfo {
        let state = match (row.revoked_at, row.expires_at <= now) {
            (Some(_), _) => "revoked",
            (None, true) => "expired",
            (None, false) => "active",
        };
        TokenInfo {
            id: row.id,
            name: row.name,
            scope: row.scope,
            created_at: row.created_at,
            expires_at: row.expires_at,
            last_used_at: row.last_used_at,
            revoked_at: row.revoked_at,
            state,
        }
    }
}

/// A new token: its secret (shown once) and what is stored about it.
#[derive(Debug, Clone, Serialize)]
pub struct CreatedToken {
    pub token: String,
    #[serde(flatten)]
    pub info: TokenInfo,
}

/// Whether a role has a use for machine access. Exporters' own systems submit and follow
/// applications; staff work in the pages (no issue has asked for staff tokens yet).
pub fn may_create(role: Role) -> bool {
    role == Role::Exporter
}

pub async fn create(ctx: &Ctx, actor: &Actor, new: &NewToken) -> ServiceResult<CreatedToken> {
    if !may_create(actor.role) {
        return Err(ServiceError::Forbidden(
            "create API tokens: only exporters' systems use the API with tokens".into(),
        ));
    }
    let request = TokenRequest::parse(&new.name, &new.scope, new.expires_in_days)
        .map_err(ServiceError::Validation)?;
    let token = format!("prb_{}", random_token(32));
    let now = ctx.clock.now();
    let row = NewRow {
        id: ApiTokenId::new(),
        token_hash: &token_hash(&token),
        user_id: actor.user_id,
        name: &request.name,
        scope: request.scope,
        created_at: now,
        expires_at: now + request.lifetime,
    };
    let mut tx = ctx.store.begin_command().await?;
    api_tokens::insert(&mut tx, &row).await?;
    crate::command::audit_event(
        &mut tx,
        Some(actor),
        now,
        "api_token.create",
        ("api_token", &row.id.to_string()),
        serde_json::json!({
            "name": request.name, "scope": request.scope.as_str(),
            "expires_at": rfc3339(row.expires_at),
        }),
    )
    .await?;
    let stored = api_tokens::by_id(&mut tx, row.id)
        .await?
        .ok_or(ServiceError::NotFound("API token"))?;
    tx.commit().await?;
    Ok(CreatedToken {
        token,
        info: TokenInfo::of(stored, now),
    })
}

/// The actor's own tokens, newest first (revoked and expired ones too, marked so).
pub async fn list(ctx: &Ctx, actor: &Actor) -> ServiceResult<Vec<TokenInfo>> {
    let now = ctx.clock.now();
    Ok(api_tokens::for_user(&ctx.store, actor.user_id)
        .await?
        .into_iter()
        .map(|r| TokenInfo::of(r, now))
        .collect())
}

/// Revoke one of the actor's own tokens (someone else's is "not found"). Revoking a revoked
/// token changes nothing.
pub async fn revoke(ctx: &Ctx, actor: &Actor, id: ApiTokenId) -> ServiceResult<TokenInfo> {
    let now = ctx.clock.now();
    let mut tx = ctx.store.begin_command().await?;
    let row = api_tokens::by_id(&mut tx, id)
        .await?
        .filter(|r| r.user_id == actor.user_id)
        .ok_or(ServiceError::NotFound("API token"))?;
    if row.revoked_at.is_none() {
        api_tokens::revoke(&mut tx, id, now).await?;
        crate::command::audit_event(
            &mut tx,
            Some(actor),
            now,
            "api_token.revoke",
            ("api_token", &id.to_string()),
            serde_json::json!({ "name": row.name }),
        )
        .await?;
    }
    let row = api_tokens::by_id(&mut tx, id)
        .await?
        .ok_or(ServiceError::NotFound("API token"))?;
    tx.commit().await?;
    Ok(TokenInfo::of(row, now))
}

/// Who a bearer token acts for, and what it may do.
#[derive(Debug, Clone)]
pub struct TokenUser {
    pub actor: Actor,
    pub scope: TokenScope,
    pub token_id: ApiTokenId,
}

/// The account behind a bearer token, if the token is live (not revoked, not expired, its
/// account active). Bad tokens are counted per client address, and an address past its limit
/// is refused before any look-up.
pub async fn token_actor(
    ctx: &Ctx,
    token: &str,
    client: ClientAddr,
) -> ServiceResult<Option<TokenUser>> {
    let key = address_key("token-address", client);
    let now = ctx.clock.now();
    let policy = ThrottlePolicy::TOKEN_ADDRESS;
    policy
        .check(throttle::peek(&ctx.store, &key).await?, now)
        .map_err(|r| throttled(r, now))?;
    let row = api_tokens::by_hash(&ctx.store, &token_hash(token))
        .await?
        .filter(|r| r.revoked_at.is_none() && r.expires_at > now);
    let actor = match &row {
        Some(r) => active_user(ctx.store.pool(), &r.user_id.to_string()).await?,
        None => None,
    };
    let (Some(row), Some(actor)) = (row, actor) else {
        let mut tx = ctx.store.begin_command().await?;
        let state = throttle::load(&mut tx, &key).await?;
        let (state, lock) = policy.record_failure(state, now);
        throttle::save(&mut tx, &key, &state).await?;
        if let Some(until) = lock {
            let subject = ("client_address", client.bucket());
            lock_event(
                &mut tx,
                now,
                "api_token.lock",
                subject,
                "address",
                client,
                until,
                state.locks,
            )
            .await?;
        }
        tx.commit().await?;
        return Ok(None);
    };
    // Tokens are for exporters' systems. A staff token kept from before (migration 8) would
    // reach a staff account without its second factor: refused, and said why.
    if !may_create(actor.role) {
        return Err(ServiceError::Forbidden(
            "use a staff account through an API token: API tokens are for exporters' systems; \
             sign in to the pages instead"
                .into(),
        ));
    }
    api_tokens::touch(&ctx.store, row.id, now).await?;
    let today = now.unix_timestamp().div_euclid(86_400);
    if row.use_recorded_day.is_none_or(|d| d < today) {
        record_use(ctx, &actor, &row, today, client, now).await?;
    }
    Ok(Some(TokenUser {
        actor,
        scope: row.scope,
        token_id: row.id,
    }))
}

/// The day's one `api_token.use` event (whoever claims the day first writes it).
async fn record_use(
    ctx: &Ctx,
    actor: &Actor,
    row: &TokenRow,
    day: i64,
    client: ClientAddr,
    now: OffsetDateTime,
) -> ServiceResult<()> {
    let mut tx = ctx.store.begin_command().await?;
    if api_tokens::claim_use_day(&mut tx, row.id, day).await? {
        crate::command::audit_event(
            &mut tx,
            Some(actor),
            now,
            "api_token.use",
            ("api_token", &row.id.to_string()),
            serde_json::json!({ "address": client.to_string(), "first_use_of_day": true }),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}
