//! What the case commands and queries share: the case as the service sees it (decoded from
//! its stored row), loading it, who may see it, who may act on it, and its status graph.
use probity_domain::{
    ApplicationInput, CaseAction, CaseId, CaseKind, CaseStatus, Consolidated, CriterionCode,
    LicenceType, OrganisationId,
};
use probity_store::{cases as store_cases, from_micros, to_micros, StoreError};
use sqlx::AnyConnection;
use time::OffsetDateTime;

use crate::auth::{Actor, Role};
use crate::{Ctx, ServiceError, ServiceResult};

/// Stored data the service cannot read: an internal error (logged, 500), never "not found".
pub(crate) fn corrupt(what: String) -> ServiceError {
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

/// The comma-separated destinations column as a list.
pub(crate) fn split_destinations(s: &str) -> Vec<String> {
    s.split(',')
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

impl TryFrom<store_cases::CaseRow> for CaseRow {
    type Error = ServiceError;

    fn try_from(r: store_cases::CaseRow) -> ServiceResult<CaseRow> {
        let bad = |what: &str| corrupt(format!("case {}: bad {what}", r.id));
        Ok(CaseRow {
            id: r.id.parse().map_err(|_| bad("id"))?,
            kind: match r.kind.as_str() {
                "application" => CaseKind::Application,
                "appeal" => CaseKind::Appeal,
                _ => return Err(bad("kind")),
            },
            organisation_id: r.organisation_id.parse().map_err(|_| bad("organisation"))?,
            licence_type: r.licence_type.parse().map_err(|_| bad("licence type"))?,
            status: r.status.parse().map_err(|_| bad("status"))?,
            draft: serde_json::from_str(&r.draft_json).map_err(|_| bad("draft"))?,
            destinations: split_destinations(&r.destinations),
            final_advice: r
                .final_advice_json
                .as_deref()
                .map(serde_json::from_str)
                .transpose()
                .map_err(|_| bad("final advice"))?,
            submitted_at: r.submitted_at.map(from_micros),
            finalised_at: r.finalised_at.map(from_micros),
            created_at: from_micros(r.created_at),
            updated_at: from_micros(r.updated_at),
            reference: r.reference,
            created_by: r.created_by,
            end_use_statement: r.end_use_statement,
            end_user_type: r.end_user_type,
            total_value_minor: r.total_value_minor,
            assigned_to: r.assigned_to,
            appeal_of: r.appeal_of,
            appeal_grounds: r.appeal_grounds,
            final_advice_reasons: r.final_advice_reasons,
            final_advice_fingerprint: r.final_advice_fingerprint,
            outcome: r.outcome,
        })
    }
}

pub(crate) async fn load_case(conn: &mut AnyConnection, id: CaseId) -> ServiceResult<CaseRow> {
    store_cases::by_id(conn, &id.to_string())
        .await?
        .ok_or(ServiceError::NotFound("case"))?
        .try_into()
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
            Some(team) => {
                probity_store::advice::is_referred(conn, &case.id.to_string(), &team.to_string())
                    .await?
            }
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

/// Report a thing reached through a case the actor may not see as that thing not found
/// (other errors, a corrupt row say, pass unchanged).
pub(crate) fn not_found_as(what: &'static str) -> impl Fn(ServiceError) -> ServiceError {
    move |e| match e {
        ServiceError::NotFound(_) => ServiceError::NotFound(what),
        e => e,
    }
}

pub(crate) async fn set_status(
    conn: &mut AnyConnection,
    id: CaseId,
    status: CaseStatus,
    at: OffsetDateTime,
) -> ServiceResult<()> {
    Ok(store_cases::set_status(conn, &id.to_string(), status.as_str(), to_micros(at)).await?)
}

/// A user's display name (`None`: no user given, or none with that id).
pub(crate) async fn name_of(
    conn: &mut AnyConnection,
    user: Option<&str>,
) -> ServiceResult<Option<String>> {
    let Some(user) = user else { return Ok(None) };
    Ok(probity_store::users::by_id(conn, user)
        .await?
        .map(|u| u.display_name))
}

/// A caseworker's action on a case: only the case's assignee may take it (the domain's rule,
/// `caseworker_may`); anyone else is told whom it is assigned to and to take it over first.
pub(crate) async fn require_assignee(
    conn: &mut AnyConnection,
    actor: &Actor,
    case: &CaseRow,
    action: CaseAction,
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
            let name = name_of(conn, case.assigned_to.as_deref()).await?;
            Err(ServiceError::Forbidden(format!(
                "act on this case: it is assigned to {}; take it over first",
                name.as_deref().unwrap_or("another caseworker")
            )))
        }
    }
}

/// Apply a status-graph action, or explain why it is illegal.
pub(crate) fn transition(case: &CaseRow, action: CaseAction) -> ServiceResult<CaseStatus> {
    probity_domain::next_status(case.status, action)
        .map_err(|e| ServiceError::Conflict(e.to_string()))
}

/// Parse cited criteria against the deployment's criteria set; blank entries are ignored and
/// an unknown one is named by its position (`criteria[1]`).
pub(crate) fn parse_criteria(ctx: &Ctx, cited: &[String]) -> ServiceResult<Vec<CriterionCode>> {
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
