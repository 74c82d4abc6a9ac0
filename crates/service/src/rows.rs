//! Shared row access and the audit helper used by every command.
use probity_domain::{
    ApplicationInput, CaseId, CaseKind, CaseStatus, Consolidated, LicenceType, OrganisationId,
};
use probity_store::{audit, from_micros, to_micros, StoreError, Tx};
use sqlx::{AnyConnection, Row};
use time::OffsetDateTime;

use crate::auth::{Actor, Role};
use crate::{ServiceError, ServiceResult};

/// Append the audit event for a command inside its transaction.
pub(crate) async fn audit_event(
    tx: &mut Tx,
    actor: Option<&Actor>,
    at: OffsetDateTime,
    action: &str,
    subject: (&str, &str),
    detail: serde_json::Value,
) -> ServiceResult<i64> {
    let uid = actor.map(|a| a.user_id.to_string());
    Ok(audit::append(
        tx,
        audit::NewEvent {
            at,
            actor_id: uid.as_deref(),
            actor_role: actor.map(|a| a.role.as_str()).unwrap_or("system"),
            action,
            subject_type: subject.0,
            subject_id: subject.1,
            detail,
        },
    )
    .await?)
}

fn corrupt(what: String) -> ServiceError {
    ServiceError::Store(StoreError::Corrupt(what))
}

/// A case as stored.
#[derive(Debug, Clone)]
pub struct CaseRow {
    pub id: CaseId,
    pub kind: CaseKind,
    pub reference: Option<String>,
    pub organisation_id: OrganisationId,
    pub created_by: String,
    pub licence_type: LicenceType,
    pub status: CaseStatus,
    pub draft: ApplicationInput,
    pub end_use_statement: String,
    pub end_user_type: Option<String>,
    pub destinations: Vec<String>,
    pub total_value_minor: i64,
    pub assigned_to: Option<String>,
    pub appeal_of: Option<String>,
    pub appeal_grounds: Option<String>,
    pub final_advice: Option<Consolidated>,
    pub final_advice_reasons: Option<String>,
    /// The `AdviceFingerprint` of the advice set the final advice was consolidated from.
    pub final_advice_fingerprint: Option<String>,
    pub submitted_at: Option<OffsetDateTime>,
    pub finalised_at: Option<OffsetDateTime>,
    pub outcome: Option<String>,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

pub(crate) const SELECT_CASE: &str = "SELECT id, kind, reference, organisation_id, created_by, \
    licence_type, status, draft_json, end_use_statement, end_user_type, destinations, \
    total_value_minor, assigned_to, appeal_of, appeal_grounds, final_advice_json, \
    final_advice_reasons, submitted_at, finalised_at, outcome, created_at, updated_at, \
    final_advice_fingerprint FROM cases";

pub(crate) fn decode_case(row: &sqlx::any::AnyRow) -> ServiceResult<CaseRow> {
    let id: String = row.try_get(0)?;
    let bad = |what: &str| corrupt(format!("case {id}: bad {what}"));
    let kind: String = row.try_get(1)?;
    let final_advice: Option<String> = row.try_get(15)?;
    let destinations: String = row.try_get(10)?;
    Ok(CaseRow {
        id: id.parse().map_err(|_| bad("id"))?,
        kind: match kind.as_str() {
            "application" => CaseKind::Application,
            "appeal" => CaseKind::Appeal,
            _ => return Err(bad("kind")),
        },
        reference: row.try_get(2)?,
        organisation_id: row
            .try_get::<String, _>(3)?
            .parse()
            .map_err(|_| bad("organisation"))?,
        created_by: row.try_get(4)?,
        licence_type: row
            .try_get::<String, _>(5)?
            .parse()
            .map_err(|_| bad("licence type"))?,
        status: row
            .try_get::<String, _>(6)?
            .parse()
            .map_err(|_| bad("status"))?,
        draft: serde_json::from_str(&row.try_get::<String, _>(7)?).map_err(|_| bad("draft"))?,
        end_use_statement: row.try_get(8)?,
        end_user_type: row.try_get(9)?,
        destinations: destinations
            .split(',')
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect(),
        total_value_minor: row.try_get(11)?,
        assigned_to: row.try_get(12)?,
        appeal_of: row.try_get(13)?,
        appeal_grounds: row.try_get(14)?,
        final_advice: final_advice
            .map(|j| serde_json::from_str(&j))
            .transpose()
            .map_err(|_| bad("final advice"))?,
        final_advice_reasons: row.try_get(16)?,
        submitted_at: row.try_get::<Option<i64>, _>(17)?.map(from_micros),
        finalised_at: row.try_get::<Option<i64>, _>(18)?.map(from_micros),
        outcome: row.try_get(19)?,
        created_at: from_micros(row.try_get(20)?),
        updated_at: from_micros(row.try_get(21)?),
        final_advice_fingerprint: row.try_get("final_advice_fingerprint")?,
    })
}

pub(crate) async fn load_case(conn: &mut AnyConnection, id: CaseId) -> ServiceResult<CaseRow> {
    let row = sqlx::query(&format!("{SELECT_CASE} WHERE id = $1"))
        .bind(id.to_string())
        .fetch_optional(conn)
        .await?
        .ok_or(ServiceError::NotFound("case"))?;
    decode_case(&row)
}

/// Whether `actor` may see this case at all. Exporters see their organisation's cases;
/// advisers only cases referred to their team; officials with a casework role see all.
pub(crate) async fn can_view_case(
    conn: &mut AnyConnection,
    actor: &Actor,
    case: &CaseRow,
) -> ServiceResult<bool> {
    Ok(match actor.role {
        Role::Exporter => actor.organisation_id == Some(case.organisation_id),
        Role::Adviser => match actor.team_id {
            Some(team) => sqlx::query_scalar::<_, String>(
                "SELECT case_id FROM advice_requests WHERE case_id = $1 AND team_id = $2",
            )
            .bind(case.id.to_string())
            .bind(team.to_string())
            .fetch_optional(conn)
            .await?
            .is_some(),
            None => false,
        },
        Role::Caseworker | Role::DecisionMaker | Role::Policy | Role::Oversight => {
            case.status != CaseStatus::Draft
        }
        Role::Admin => false,
    })
}

/// Load a case the actor may see; a case they may not see is reported as not found, so its
/// existence does not leak.
pub(crate) async fn visible_case(
    conn: &mut AnyConnection,
    actor: &Actor,
    id: CaseId,
) -> ServiceResult<CaseRow> {
    let case = load_case(conn, id).await?;
    if can_view_case(conn, actor, &case).await? {
        Ok(case)
    } else {
        Err(ServiceError::NotFound("case"))
    }
}

pub(crate) async fn set_status(
    tx: &mut Tx,
    id: CaseId,
    status: CaseStatus,
    at: OffsetDateTime,
) -> ServiceResult<()> {
    sqlx::query("UPDATE cases SET status = $1, updated_at = $2 WHERE id = $3")
        .bind(status.as_str())
        .bind(to_micros(at))
        .bind(id.to_string())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// A caseworker's action on a case: only the case's assignee may take it (the domain's rule,
/// `caseworker_may`); anyone else is told whom it is assigned to and to take it over first.
pub(crate) async fn require_assignee(
    conn: &mut AnyConnection,
    actor: &Actor,
    case: &CaseRow,
    action: probity_domain::CaseAction,
) -> ServiceResult<()> {
    use probity_domain::{caseworker_may, Assignee, NotYours};
    if actor.role != Role::Caseworker {
        return Ok(());
    }
    let me = actor.user_id.to_string();
    match caseworker_may(action, Assignee::of(case.assigned_to.as_ref(), &me)) {
        Ok(()) => Ok(()),
        Err(NotYours::Unassigned) => Err(ServiceError::Forbidden(
            "act on a case nobody has taken: take it first".into(),
        )),
        Err(NotYours::Colleague) => {
            let name: Option<String> =
                sqlx::query_scalar("SELECT display_name FROM users WHERE id = $1")
                    .bind(case.assigned_to.as_deref())
                    .fetch_optional(conn)
                    .await?;
            Err(ServiceError::Forbidden(format!(
                "act on this case: it is assigned to {}; take it over first",
                name.as_deref().unwrap_or("another caseworker")
            )))
        }
    }
}

/// Apply a status-graph action, or explain why it is illegal.
pub(crate) fn transition(
    case: &CaseRow,
    action: probity_domain::CaseAction,
) -> ServiceResult<CaseStatus> {
    probity_domain::next_status(case.status, action)
        .map_err(|e| ServiceError::Conflict(e.to_string()))
}

/// Parse cited criteria against the deployment's criteria set; blank entries are ignored and
/// an unknown one is named by its position (`criteria[1]`).
pub(crate) fn parse_criteria(
    ctx: &crate::Ctx,
    cited: &[String],
) -> ServiceResult<Vec<probity_domain::CriterionCode>> {
    cited
        .iter()
        .filter(|c| !c.trim().is_empty())
        .enumerate()
        .map(|(i, c)| {
            ctx.criteria
                .parse_citation(c)
                .map_err(|e| ServiceError::field(&format!("criteria[{i}]"), e.to_string()))
        })
        .collect()
}
