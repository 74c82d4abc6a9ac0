//! Licences and their lifecycle: issued → suspended ⇄ reinstated, revoked, surrendered,
//! expired (by date), exhausted. Each transition has an actor, a time, a reason, an audit
//! event and a public decision record.
use probity_domain::{
    next_licence_status, LicenceAction, LicenceId, LicenceNumber, LicenceStatus, RecordKind,
};
use probity_store::{from_micros, to_micros, Tx};
use serde::Serialize;
use sqlx::Row;
use time::OffsetDateTime;

use crate::auth::{Actor, Role};
use crate::rows::{audit_event, load_case, visible_case};
use crate::{records, Ctx, ServiceError, ServiceResult};

#[derive(Debug, Clone, Serialize)]
pub struct Licence {
    pub id: LicenceId,
    pub number: String,
    pub case_id: String,
    pub organisation_id: String,
    pub licence_type: String,
    pub status: LicenceStatus,
    pub provisos: Vec<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub issued_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub valid_until: OffsetDateTime,
}

#[derive(Debug, Clone, Serialize)]
pub struct LicenceEvent {
    pub action: String,
    pub from_status: String,
    pub to_status: String,
    pub actor: Option<String>,
    pub reason: String,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
}

const SELECT: &str = "SELECT id, number, case_id, organisation_id, licence_type, status, provisos_json, issued_at, valid_until FROM licences";

fn decode(r: &sqlx::any::AnyRow) -> ServiceResult<Licence> {
    let bad = || ServiceError::Store(probity_store::StoreError::Corrupt("licence row".into()));
    Ok(Licence {
        id: r.try_get::<String, _>(0)?.parse().map_err(|_| bad())?,
        number: r.try_get(1)?,
        case_id: r.try_get(2)?,
        organisation_id: r.try_get(3)?,
        licence_type: r.try_get(4)?,
        status: r.try_get::<String, _>(5)?.parse().map_err(|_| bad())?,
        provisos: serde_json::from_str(&r.try_get::<String, _>(6)?).map_err(|_| bad())?,
        issued_at: from_micros(r.try_get(7)?),
        valid_until: from_micros(r.try_get(8)?),
    })
}

pub(crate) async fn load(conn: &mut sqlx::AnyConnection, id: LicenceId) -> ServiceResult<Licence> {
    let row = sqlx::query(&format!("{SELECT} WHERE id = $1"))
        .bind(id.to_string())
        .fetch_optional(conn)
        .await?
        .ok_or(ServiceError::NotFound("licence"))?;
    decode(&row)
}

/// A licence the actor may see (via its case's visibility).
pub async fn get(
    ctx: &Ctx,
    actor: &Actor,
    id: LicenceId,
) -> ServiceResult<(Licence, Vec<LicenceEvent>)> {
    let mut conn = ctx.store.pool().acquire().await?;
    let licence = load(&mut conn, id).await?;
    let case_id = licence
        .case_id
        .parse()
        .map_err(|_| ServiceError::NotFound("licence"))?;
    visible_case(&mut conn, actor, case_id)
        .await
        .map_err(|_| ServiceError::NotFound("licence"))?;
    let events = sqlx::query(
        "SELECT e.action, e.from_status, e.to_status, u.display_name, e.reason, e.at FROM licence_events e \
         LEFT JOIN users u ON u.id = e.actor_id WHERE e.licence_id = $1 ORDER BY e.at, e.id",
    )
    .bind(id.to_string())
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|r| {
        Ok(LicenceEvent {
            action: r.try_get(0)?,
            from_status: r.try_get(1)?,
            to_status: r.try_get(2)?,
            actor: r.try_get(3)?,
            reason: r.try_get(4)?,
            at: from_micros(r.try_get(5)?),
        })
    })
    .collect::<ServiceResult<Vec<_>>>()?;
    Ok((licence, events))
}

pub async fn for_case(
    ctx: &Ctx,
    actor: &Actor,
    case: probity_domain::CaseId,
) -> ServiceResult<Vec<Licence>> {
    let mut conn = ctx.store.pool().acquire().await?;
    visible_case(&mut conn, actor, case).await?;
    let rows = sqlx::query(&format!("{SELECT} WHERE case_id = $1"))
        .bind(case.to_string())
        .fetch_all(&mut *conn)
        .await?;
    rows.iter().map(decode).collect()
}

pub(crate) fn who_may(action: LicenceAction) -> (&'static [Role], &'static str) {
    (
        probity_domain::licence_roles_for(action),
        probity_domain::licence_action_what(action),
    )
}

fn record_kind(action: LicenceAction) -> RecordKind {
    match action {
        LicenceAction::Suspend => RecordKind::Suspension,
        LicenceAction::Reinstate => RecordKind::Reinstatement,
        LicenceAction::Revoke => RecordKind::Revocation,
        LicenceAction::Surrender => RecordKind::Surrender,
        LicenceAction::Expire => RecordKind::Expiry,
        LicenceAction::Exhaust => RecordKind::Exhaustion,
    }
}

/// Apply a lifecycle action to a licence.
pub async fn act(
    ctx: &Ctx,
    actor: &Actor,
    id: LicenceId,
    action: LicenceAction,
    reason: &str,
) -> ServiceResult<LicenceStatus> {
    let (roles, what) = who_may(action);
    actor.require(roles, what)?;
    let reason = crate::parse_text::<probity_domain::Reason>("reason", reason)?.into_string();
    let now = ctx.clock.now();
    let mut tx = ctx.store.begin_command().await?;
    let licence = load(&mut tx, id).await?;
    if actor.role == Role::Exporter
        && actor.organisation_id.map(|o| o.to_string()) != Some(licence.organisation_id.clone())
    {
        return Err(ServiceError::NotFound("licence"));
    }
    let status = apply_in_tx(ctx, &mut tx, Some(actor), &licence, action, &reason, now).await?;
    tx.commit().await?;
    Ok(status)
}

async fn apply_in_tx(
    ctx: &Ctx,
    tx: &mut Tx,
    actor: Option<&Actor>,
    licence: &Licence,
    action: LicenceAction,
    reason: &str,
    now: OffsetDateTime,
) -> ServiceResult<LicenceStatus> {
    let to = next_licence_status(licence.status, action)
        .map_err(|e| ServiceError::Conflict(e.to_string()))?;
    sqlx::query("UPDATE licences SET status = $1, updated_at = $2 WHERE id = $3")
        .bind(to.as_str())
        .bind(to_micros(now))
        .bind(licence.id.to_string())
        .execute(&mut **tx)
        .await?;
    sqlx::query("INSERT INTO licence_events (id, licence_id, action, from_status, to_status, actor_id, reason, at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)")
        .bind(uuid::Uuid::now_v7().to_string())
        .bind(licence.id.to_string())
        .bind(action_str(action))
        .bind(licence.status.as_str())
        .bind(to.as_str())
        .bind(actor.map(|a| a.user_id.to_string()))
        .bind(reason)
        .bind(to_micros(now))
        .execute(&mut **tx)
        .await?;
    let case_id = licence
        .case_id
        .parse()
        .map_err(|_| ServiceError::NotFound("case"))?;
    let case = load_case(tx, case_id).await?;
    let number: LicenceNumber = licence
        .number
        .parse()
        .map_err(|_| ServiceError::Conflict("bad licence number".into()))?;
    // Official actions publish their reason; an exporter's own surrender or exhaustion does not.
    let public_reason = matches!(
        action,
        LicenceAction::Suspend
            | LicenceAction::Reinstate
            | LicenceAction::Revoke
            | LicenceAction::Expire
    )
    .then(|| reason.to_string());
    let record = records::build_record(
        ctx,
        tx,
        &case,
        record_kind(action),
        now,
        Some(&number),
        &[],
        public_reason,
        Some(licence.number.clone()),
    )
    .await?;
    let seq = records::publish(tx, &case, Some(&licence.id.to_string()), &record).await?;
    audit_event(tx, actor, now, &format!("licence.{}", action_str(action)), ("licence", &licence.id.to_string()), serde_json::json!({
        "number": licence.number, "status_before": licence.status.as_str(), "status_after": to.as_str(), "reason": reason, "record": seq, "case": licence.case_id,
    })).await?;
    Ok(to)
}

fn action_str(a: LicenceAction) -> &'static str {
    match a {
        LicenceAction::Suspend => "suspend",
        LicenceAction::Reinstate => "reinstate",
        LicenceAction::Revoke => "revoke",
        LicenceAction::Surrender => "surrender",
        LicenceAction::Expire => "expire",
        LicenceAction::Exhaust => "exhaust",
    }
}

/// Whether `role` may take `action` at all (the status decides whether it may now).
pub fn may(role: Role, action: LicenceAction) -> bool {
    who_may(action).0.contains(&role)
}

pub fn parse_action(s: &str) -> Option<LicenceAction> {
    [
        LicenceAction::Suspend,
        LicenceAction::Reinstate,
        LicenceAction::Revoke,
        LicenceAction::Surrender,
        LicenceAction::Expire,
        LicenceAction::Exhaust,
    ]
    .into_iter()
    .find(|a| action_str(*a) == s)
}

/// Background job: expire every live or suspended licence past its end date. Each expiry is
/// its own transaction, so a failure part-way loses nothing already expired.
pub async fn expire_due(ctx: &Ctx) -> ServiceResult<usize> {
    let now = ctx.clock.now();
    let due = sqlx::query(&format!(
        "{SELECT} WHERE status IN ('issued','reinstated','suspended') AND valid_until <= $1"
    ))
    .bind(to_micros(now))
    .fetch_all(ctx.store.pool())
    .await?;
    let mut n = 0;
    for row in &due {
        let licence = decode(row)?;
        let mut tx = ctx.store.begin_command().await?;
        // Re-read under the lock: another process may have expired it meanwhile.
        let current = load(&mut tx, licence.id).await?;
        if current.status.is_terminal() {
            continue;
        }
        apply_in_tx(
            ctx,
            &mut tx,
            None,
            &current,
            LicenceAction::Expire,
            "validity period ended",
            now,
        )
        .await?;
        tx.commit().await?;
        n += 1;
    }
    Ok(n)
}
