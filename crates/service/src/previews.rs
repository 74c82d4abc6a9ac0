//! What an irreversible action would do, checked without doing it. The confirmation pages
//! ask these before they show "check before you confirm"; the same authorisation, parsing and
//! status checks run again when the action is confirmed, inside its own transaction.
use probity_domain::{
    check_finalise, next_licence_status, CaseAction, CaseId, Consolidated, Decision,
    FinaliseContext, LicenceAction, LicenceId, LicenceStatus, Reason,
};

use crate::auth::{Actor, Role};
use crate::casework::{transition, visible_case};
use crate::decisions::{open_questions, parse_decision, DecisionInput};
use crate::{parse_text, Ctx, ServiceError, ServiceResult};

/// An application about to be withdrawn.
#[derive(Debug, Clone)]
pub struct WithdrawPreview {
    pub reference: String,
    pub reason: Reason,
}

pub async fn withdraw(
    ctx: &Ctx,
    actor: &Actor,
    id: CaseId,
    reason: &str,
) -> ServiceResult<WithdrawPreview> {
    actor.may(probity_domain::CaseCommand::Withdraw)?;
    let reason = parse_text::<Reason>("reason", reason)?;
    let mut conn = ctx.store.pool().acquire().await?;
    let case = visible_case(&mut conn, actor, id).await?;
    crate::applications::own_case(actor, &case)?;
    transition(&case, CaseAction::Withdraw)?;
    Ok(WithdrawPreview {
        reference: case.reference.unwrap_or_default(),
        reason,
    })
}

/// A licence about to change status.
#[derive(Debug, Clone)]
pub struct LicencePreview {
    pub number: String,
    pub from: LicenceStatus,
    pub to: LicenceStatus,
    pub reason: Reason,
}

pub async fn licence_action(
    ctx: &Ctx,
    actor: &Actor,
    id: LicenceId,
    action: LicenceAction,
    reason: &str,
) -> ServiceResult<LicencePreview> {
    let (roles, what) = crate::licences::who_may(action);
    actor.require(roles, what)?;
    let reason = parse_text::<Reason>("reason", reason)?;
    let mut conn = ctx.store.pool().acquire().await?;
    let licence = crate::licences::load(&mut conn, id).await?;
    if actor.role == Role::Exporter
        && actor.organisation_id.map(|o| o.to_string()) != Some(licence.organisation_id.clone())
    {
        return Err(ServiceError::NotFound("licence"));
    }
    let to = next_licence_status(licence.status, action)
        .map_err(|e| ServiceError::Conflict(e.to_string()))?;
    Ok(LicencePreview {
        number: licence.number,
        from: licence.status,
        to,
        reason,
    })
}

/// A decision about to be recorded.
#[derive(Debug, Clone)]
pub struct DecisionPreview {
    pub reference: String,
    pub decision: Decision,
    pub final_advice: Consolidated,
    /// The advice conflicts, or the decision departs from it: the resolution is the reason.
    pub against_advice: bool,
    pub countersign: bool,
    pub reasons: String,
    pub conflict_resolution: String,
}

impl DecisionPreview {
    /// A refusal, or a decision against the advice, is confirmed on a page of its own.
    pub fn needs_confirmation(&self) -> bool {
        matches!(self.decision, Decision::Refuse { .. }) || self.against_advice
    }
}

/// What `finalise` would do; a decision that would be blocked is refused here with every
/// blocker, so nobody is asked to confirm what cannot happen.
pub async fn decision(
    ctx: &Ctx,
    actor: &Actor,
    id: CaseId,
    input: &DecisionInput,
) -> ServiceResult<DecisionPreview> {
    actor.may(probity_domain::CaseCommand::Finalise)?;
    let decision = parse_decision(ctx, input)?;
    let mut tx = ctx.store.begin_read().await?;
    let case = visible_case(&mut tx, actor, id).await?;
    let action = if input.countersign {
        CaseAction::FinaliseForCountersign
    } else {
        CaseAction::Finalise
    };
    transition(&case, action)?;
    // Asked to confirm only what the command would accept: the final advice must still be
    // current and the one the decision-maker read.
    crate::advice::ensure_final_advice_current(&mut tx, &case).await?;
    crate::decisions::ensure_advice_as_read(&case, &input.advice_fingerprint)?;
    let final_advice = case.final_advice.clone().unwrap_or(Consolidated::Empty);
    let resolution = Some(input.conflict_resolution.trim().to_string()).filter(|s| !s.is_empty());
    // Read in this transaction, like the dissents: a match found a moment ago counts.
    let (unresolved_screening_matches, listed_parties) =
        crate::screening::decision_facts(&mut tx, &id.to_string()).await?;
    let fctx = FinaliseContext {
        status: case.status,
        final_advice: final_advice.clone(),
        conflict_resolution: resolution,
        open_questions: open_questions(&mut tx, id).await?,
        unresolved_screening_matches,
        listed_parties,
        unanswered_dissents: crate::dissents::holding_up(&mut tx, &id.to_string()).await?,
    };
    if let Err(blockers) = check_finalise(&fctx, &decision, &input.reasons) {
        return Err(ServiceError::Blocked(
            blockers.iter().map(|b| b.to_string()).collect(),
        ));
    }
    let against_advice =
        matches!(final_advice, Consolidated::Conflicting) || !decision.follows(&final_advice);
    Ok(DecisionPreview {
        reference: case.reference.unwrap_or_default(),
        decision,
        final_advice,
        against_advice,
        countersign: input.countersign,
        reasons: input.reasons.trim().to_string(),
        conflict_resolution: input.conflict_resolution.trim().to_string(),
    })
}
