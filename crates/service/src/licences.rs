//! Licences and their lifecycle: issued → suspended ⇄ reinstated, revoked, surrendered,
//! expired (by date), exhausted. Each transition has an actor, a time, a reason, an audit
//! event and a public decision record.
use probity_domain::{
    next_licence_status, LicenceAction, LicenceId, LicenceNumber, LicenceStatus, RecordKind,
};
use probity_store::licences::{self as store_licences, LicenceRow, NewLicenceEvent};
use probity_store::{from_micros, to_micros};
use serde::Serialize;
use sqlx::AnyConnection;
use time::OffsetDateTime;

use crate::auth::{Actor, Role};
use crate::casework::{corrupt, load_case, not_found_as, visible_case};
use crate::command::Command;
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

impl TryFrom<LicenceRow> for Licence {
    type Error = ServiceError;

    fn try_from(r: LicenceRow) -> ServiceResult<Licence> {
        let bad = |what: &str| corrupt(format!("licence {}: bad {what}", r.id));
        Ok(Licence {
            id: r.id.parse().map_err(|_| bad("id"))?,
            status: r.status.parse().map_err(|_| bad("status"))?,
            provisos: serde_json::from_str(&r.provisos_json).map_err(|_| bad("provisos"))?,
            issued_at: from_micros(r.issued_at),
            valid_until: from_micros(r.valid_until),
            number: r.number,
            case_id: r.case_id,
            organisation_id: r.organisation_id,
            licence_type: r.licence_type,
        })
    }
}

pub(crate) async fn load(conn: &mut AnyConnection, id: LicenceId) -> ServiceResult<Licence> {
    store_licences::by_id(conn, &id.to_string())
        .await?
        .ok_or(ServiceError::NotFound("licence"))?
        .try_into()
}

/// The case a licence was issued on.
fn case_of(licence: &Licence) -> ServiceResult<probity_domain::CaseId> {
    licence
        .case_id
        .parse()
        .map_err(|_| corrupt(format!("licence {}: bad case id", licence.id)))
}

/// A licence the actor may see (via its case's visibility).
pub async fn get(
    ctx: &Ctx,
    actor: &Actor,
    id: LicenceId,
) -> ServiceResult<(Licence, Vec<LicenceEvent>)> {
    let mut conn = ctx.store.pool().acquire().await?;
    let licence = load(&mut conn, id).await?;
    visible_case(&mut conn, actor, case_of(&licence)?)
        .await
        .map_err(not_found_as("licence"))?;
    let events = store_licences::events(&mut conn, &id.to_string())
        .await?
        .into_iter()
        .map(|r| LicenceEvent {
            action: r.action,
            from_status: r.from_status,
            to_status: r.to_status,
            actor: r.actor,
            reason: r.reason,
            at: from_micros(r.at),
        })
        .collect();
    Ok((licence, events))
}

/// A review that holds a licence: staff see it on the licence's page.
#[derive(Debug, Clone, Serialize)]
pub struct LicenceReview {
    pub review_id: String,
    pub title: String,
    pub kind: String,
    /// The outcome recorded for this licence, if one has been.
    pub outcome: Option<String>,
    pub closed: bool,
}

/// The reviews holding a licence (for staff, who see reviews' worklists).
pub async fn reviews_of(
    ctx: &Ctx,
    actor: &Actor,
    id: LicenceId,
) -> ServiceResult<Vec<LicenceReview>> {
    actor.require(crate::reviews::STAFF, "see the reviews of a licence")?;
    let mut conn = ctx.store.pool().acquire().await?;
    Ok(store_licences::reviews_of(&mut conn, &id.to_string())
        .await?
        .into_iter()
        .map(|r| LicenceReview {
            review_id: r.review_id,
            title: r.title,
            kind: r.kind,
            outcome: r.outcome,
            closed: r.closed_at.is_some(),
        })
        .collect())
}

pub async fn for_case(
    ctx: &Ctx,
    actor: &Actor,
    case: probity_domain::CaseId,
) -> ServiceResult<Vec<Licence>> {
    let mut conn = ctx.store.pool().acquire().await?;
    visible_case(&mut conn, actor, case).await?;
    store_licences::for_case(&mut conn, &case.to_string())
        .await?
        .into_iter()
        .map(Licence::try_from)
        .collect()
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
#[tracing::instrument(name = "licences::act", skip_all, fields(licence = %id))]
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
    let mut cmd = Command::begin(ctx, actor).await?;
    let licence = load(&mut cmd, id).await?;
    if actor.role == Role::Exporter
        && actor.organisation_id.map(|o| o.to_string()) != Some(licence.organisation_id.clone())
    {
        return Err(ServiceError::NotFound("licence"));
    }
    apply_in_tx(ctx, cmd, &licence, action, &reason).await
}

/// Move a licence through its lifecycle, publish the change, and finish the command.
async fn apply_in_tx(
    ctx: &Ctx,
    mut cmd: Command<'_>,
    licence: &Licence,
    action: LicenceAction,
    reason: &str,
) -> ServiceResult<LicenceStatus> {
    let to = next_licence_status(licence.status, action)
        .map_err(|e| ServiceError::Conflict(e.to_string()))?;
    let (now, lid) = (cmd.now, licence.id.to_string());
    let actor_id = cmd.actor_id();
    store_licences::set_status(&mut cmd, &lid, to.as_str(), to_micros(now)).await?;
    let event = NewLicenceEvent {
        licence_id: &lid,
        action: action_str(action),
        from_status: licence.status.as_str(),
        to_status: to.as_str(),
        actor_id: actor_id.as_deref(),
        reason,
        at: to_micros(now),
    };
    store_licences::insert_event(&mut cmd, event).await?;
    let case = load_case(&mut cmd, case_of(licence)?).await?;
    let number: LicenceNumber = licence
        .number
        .parse()
        .map_err(|_| corrupt(format!("licence {lid}: bad number")))?;
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
        &mut cmd,
        &case,
        record_kind(action),
        now,
        Some(&number),
        &[],
        public_reason,
        Some(licence.number.clone()),
    )
    .await?;
    let seq = cmd.publish(&case, Some(&lid), &record).await?;
    cmd.finish(
        &format!("licence.{}", action_str(action)),
        ("licence", &lid),
        serde_json::json!({
            "number": licence.number, "status_before": licence.status.as_str(),
            "status_after": to.as_str(), "reason": reason, "record": seq,
            "case": licence.case_id,
        }),
    )
    .await?;
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
    let now = to_micros(ctx.clock.now());
    let due = {
        let mut conn = ctx.store.pool().acquire().await?;
        store_licences::due_to_expire(&mut conn, now).await?
    };
    let mut n = 0;
    for row in due {
        let id: LicenceId = Licence::try_from(row)?.id;
        let mut cmd = Command::system(ctx).await?;
        // Re-read under the lock: another process may have expired it meanwhile.
        let current = load(&mut cmd, id).await?;
        if current.status.is_terminal() {
            continue;
        }
        let (action, reason) = (LicenceAction::Expire, "validity period ended");
        apply_in_tx(ctx, cmd, &current, action, reason).await?;
        n += 1;
    }
    Ok(n)
}
