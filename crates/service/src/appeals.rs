//! Appeals: within 28 days of a refusal the exporter may appeal; the appeal is a new case
//! (reference GBAPL/…) assessed afresh, whose outcome is published as allowed or dismissed.
use probity_domain::{
    check_appeal, validate, AppealFacts, CaseId, CaseReference, CaseStatus, Grounds,
    ReferencePrefix,
};
use probity_store::cases::{self as store_cases, NewAppeal};

use crate::applications::{destinations_text, next_reference, submission, write_application};
use crate::auth::Actor;
use crate::casework::{visible_case, CaseRow};
use crate::command::{to_json, Command};
use crate::{parse_text, Ctx, ServiceError, ServiceResult};

#[tracing::instrument(name = "appeals::appeal", skip_all, fields(case = %refused))]
pub async fn appeal(
    ctx: &Ctx,
    actor: &Actor,
    refused: CaseId,
    grounds: &str,
) -> ServiceResult<(CaseId, CaseReference)> {
    actor.may(probity_domain::CaseCommand::Appeal)?;
    let grounds = parse_text::<Grounds>("grounds", grounds)?.into_string();
    let mut cmd = Command::begin(ctx, actor).await?;
    let now = cmd.now;
    let case = visible_case(&mut cmd, actor, refused).await?;
    // The domain's rule, checked before and after reading whether an appeal exists (so the
    // messages come in the same order as before).
    let mut facts = appeal_facts(&case, false);
    check_appeal(&facts, now).map_err(|e| ServiceError::Conflict(e.to_string()))?;
    let existing = store_cases::appeal_against(&mut cmd, &refused.to_string()).await?;
    facts.already_appealed = existing.is_some();
    check_appeal(&facts, now).map_err(|e| ServiceError::Conflict(e.to_string()))?;
    let app = validate(&case.draft, ctx.control_list).map_err(ServiceError::Validation)?;
    let id = CaseId::new();
    let reference = next_reference(&mut cmd, ReferencePrefix::Appeal, now).await?;
    let (r, dest) = (reference.to_string(), destinations_text(&app));
    // The appeal carries the refused case's own summary forward, assessed afresh.
    let mut sub = submission(&app, CaseStatus::Submitted, &r, &dest, None, now);
    sub.licence_type = case.licence_type.as_str();
    sub.end_use_statement = &case.end_use_statement;
    sub.end_user_type = case.end_user_type.as_deref();
    sub.total_value_minor = case.total_value_minor;
    let new = NewAppeal {
        id: &id.to_string(),
        appeal_of: &refused.to_string(),
        grounds: &grounds,
        organisation_id: &case.organisation_id.to_string(),
        created_by: &actor.user_id.to_string(),
        draft_json: &to_json("draft", &case.draft)?,
        submission: sub,
    };
    store_cases::insert_appeal(&mut cmd, new).await?;
    write_application(&mut cmd, id, &app).await?;
    cmd.record(
        "appeal.lodge",
        ("case", &id.to_string()),
        serde_json::json!({ "appeal_of": refused.to_string(), "reference": r }),
    )
    .await?;
    cmd.finish(
        "case.appealed",
        ("case", &refused.to_string()),
        serde_json::json!({ "appeal": id.to_string() }),
    )
    .await?;
    Ok((id, reference))
}

/// What the domain's appeal rule asks of a case.
pub(crate) fn appeal_facts(case: &CaseRow, already_appealed: bool) -> AppealFacts {
    AppealFacts {
        kind: case.kind,
        status: case.status,
        refused: case.outcome.as_deref() == Some("refused"),
        finalised_at: case.finalised_at,
        already_appealed,
    }
}
