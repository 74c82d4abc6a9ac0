//! Appeals: within 28 days of a refusal the exporter may appeal; the appeal is a new case
//! (reference GBAPL/…) assessed afresh, whose outcome is published as allowed or dismissed.
use probity_domain::{
    validate, CaseId, CaseKind, CaseReference, CaseStatus, Grounds, ReferencePrefix,
};
use probity_store::cases::{self as store_cases, NewAppeal};

use crate::applications::{destinations_text, next_reference, submission, write_application};
use crate::auth::{Actor, Role};
use crate::casework::visible_case;
use crate::command::{to_json, Command};
use crate::documents::{appeal_deadline, APPEAL_WINDOW_DAYS};
use crate::{parse_text, Ctx, ServiceError, ServiceResult};

pub async fn appeal(
    ctx: &Ctx,
    actor: &Actor,
    refused: CaseId,
    grounds: &str,
) -> ServiceResult<(CaseId, CaseReference)> {
    actor.require(&[Role::Exporter], "appeal refusals")?;
    let grounds = parse_text::<Grounds>("grounds", grounds)?.into_string();
    let mut cmd = Command::begin(ctx, actor).await?;
    let now = cmd.now;
    let case = visible_case(&mut cmd, actor, refused).await?;
    if case.status != CaseStatus::Finalised || case.outcome.as_deref() != Some("refused") {
        return Err(ServiceError::Conflict(
            "only a refused application can be appealed".into(),
        ));
    }
    if case.kind == CaseKind::Appeal {
        return Err(ServiceError::Conflict(
            "a dismissed appeal cannot itself be appealed".into(),
        ));
    }
    let finalised_at = case
        .finalised_at
        .ok_or_else(|| ServiceError::Conflict("the refusal has no date".into()))?;
    let deadline = appeal_deadline(finalised_at);
    if now > deadline {
        return Err(ServiceError::Conflict(format!(
            "the {APPEAL_WINDOW_DAYS}-day appeal window closed at the end of {}",
            deadline.date()
        )));
    }
    let existing = store_cases::appeal_against(&mut cmd, &refused.to_string()).await?;
    if existing.is_some() {
        return Err(ServiceError::Conflict(
            "this refusal has already been appealed".into(),
        ));
    }
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
