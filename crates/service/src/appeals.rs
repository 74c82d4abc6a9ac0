//! Appeals: within 28 days of a refusal the exporter may appeal; the appeal is a new case
//! (reference GBAPL/…) assessed afresh, whose outcome is published as allowed or dismissed.
use probity_domain::{
    check_appeal, validate, AppealFacts, CaseId, CaseReference, CaseStatus, Grounds,
    ReferencePrefix,
};
use probity_store::to_micros;

use crate::applications::{destinations_text, next_reference, write_application};
use crate::auth::Actor;
use crate::rows::{audit_event, visible_case, CaseRow};
use crate::{parse_text, Ctx, ServiceError, ServiceResult};

pub async fn appeal(
    ctx: &Ctx,
    actor: &Actor,
    refused: CaseId,
    grounds: &str,
) -> ServiceResult<(CaseId, CaseReference)> {
    actor.may(probity_domain::CaseCommand::Appeal)?;
    let grounds = parse_text::<Grounds>("grounds", grounds)?.into_string();
    let now = ctx.clock.now();
    let mut tx = ctx.store.begin_command().await?;
    let case = visible_case(&mut tx, actor, refused).await?;
    let mut facts = appeal_facts(&case, false);
    check_appeal(&facts, now).map_err(|e| ServiceError::Conflict(e.to_string()))?;
    let existing: Option<String> = sqlx::query_scalar("SELECT id FROM cases WHERE appeal_of = $1")
        .bind(refused.to_string())
        .fetch_optional(&mut *tx)
        .await?;
    facts.already_appealed = existing.is_some();
    check_appeal(&facts, now).map_err(|e| ServiceError::Conflict(e.to_string()))?;
    let app = validate(&case.draft, ctx.control_list).map_err(ServiceError::Validation)?;
    let id = CaseId::new();
    let reference = next_reference(&mut tx, ReferencePrefix::Appeal, now).await?;
    sqlx::query(
        "INSERT INTO cases (id, kind, reference, organisation_id, created_by, licence_type, status, draft_json, \
         end_use_statement, end_user_type, destinations, total_value_minor, appeal_of, appeal_grounds, submitted_at, created_at, updated_at) \
         VALUES ($1,'appeal',$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$14,$14)",
    )
    .bind(id.to_string())
    .bind(reference.to_string())
    .bind(case.organisation_id.to_string())
    .bind(actor.user_id.to_string())
    .bind(case.licence_type.as_str())
    .bind(CaseStatus::Submitted.as_str())
    .bind(serde_json::to_string(&case.draft).map_err(|e| ServiceError::Conflict(e.to_string()))?)
    .bind(&case.end_use_statement)
    .bind(&case.end_user_type)
    .bind(destinations_text(&app))
    .bind(case.total_value_minor)
    .bind(refused.to_string())
    .bind(&grounds)
    .bind(to_micros(now))
    .execute(&mut *tx)
    .await?;
    write_application(&mut tx, id, &app).await?;
    audit_event(
        &mut tx,
        Some(actor),
        now,
        "appeal.lodge",
        ("case", &id.to_string()),
        serde_json::json!({
            "appeal_of": refused.to_string(), "reference": reference.to_string(),
        }),
    )
    .await?;
    audit_event(
        &mut tx,
        Some(actor),
        now,
        "case.appealed",
        ("case", &refused.to_string()),
        serde_json::json!({
            "appeal": id.to_string(),
        }),
    )
    .await?;
    tx.commit().await?;
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
