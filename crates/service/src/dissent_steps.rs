//! What happens to a dissent after it is filed: the named responder's answer (refused, point
//! by point, when it leaves a point out or gives no reasons that cite the criteria or the
//! evidence — and the refusal is itself audited), the dissenter's acceptance or escalation,
//! automatic escalation when the deadline passes, and oversight's finding. Every step reads
//! the dissent inside its command and moves it only from the status it read, so two people
//! acting at once leave exactly one step standing.
use probity_domain::{
    check_answer, check_statement, may_take, next_dissent_status, DissentEvent, DissentId,
    DissentParty, DissentStatus, FindingOutcome, PointAnswerInput, Role,
};
use probity_store::{dissents as store, to_micros};
use serde::Deserialize;

use crate::auth::Actor;
use crate::command::Command;
use crate::dissents::{may_read, problems_to_error};
use crate::{Ctx, ServiceError, ServiceResult};

/// An answer as typed: one entry per point, and what the answer changed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct AnswerInput {
    pub points: Vec<PointAnswerInput>,
    /// `decision_changed`, `advice_or_assessment_updated` or `no_change`.
    pub action: String,
}

/// Read the dissent inside the command; 404 to anyone who may not read it.
async fn load(
    cmd: &mut Command<'_>,
    actor: &Actor,
    id: DissentId,
) -> ServiceResult<store::DissentRow> {
    store::by_id(&mut ***cmd, &id.to_string())
        .await?
        .filter(|r| may_read(actor, r))
        .ok_or(ServiceError::NotFound("dissent"))
}

/// How `actor` stands to the dissent in `row`.
pub(crate) fn party(actor: &Actor, row: &store::DissentRow) -> DissentParty {
    let me = actor.user_id.to_string();
    DissentParty {
        dissenter: row.dissenter_id == me,
        responder: row.responder_id == me,
        oversight: actor.role == Role::Oversight,
    }
}

fn status_of(row: &store::DissentRow) -> ServiceResult<DissentStatus> {
    row.status.parse().map_err(|_| {
        ServiceError::Store(probity_store::StoreError::Corrupt(format!(
            "dissent {}: status",
            row.id
        )))
    })
}

fn step(from: DissentStatus, event: DissentEvent) -> ServiceResult<DissentStatus> {
    next_dissent_status(from, event).map_err(|e| ServiceError::Conflict(e.to_string()))
}

/// Someone else moved it between the read and the write (not possible under the command
/// lock, but said plainly if it ever is).
fn raced() -> ServiceError {
    ServiceError::Conflict("this dissent changed while you were acting on it: reload it".into())
}

/// The named responder answers every point.
pub async fn answer(
    ctx: &Ctx,
    actor: &Actor,
    id: DissentId,
    input: &AnswerInput,
) -> ServiceResult<()> {
    let mut cmd = Command::begin(ctx, actor).await?;
    let row = load(&mut cmd, actor, id).await?;
    if !may_take(DissentEvent::Answer, party(actor, &row)) {
        return Err(ServiceError::Forbidden(format!(
            "only the named responder, {}, answers this dissent",
            row.responder_name
        )));
    }
    step(status_of(&row)?, DissentEvent::Answer)?;
    let points: Vec<probity_domain::Point> = store::points(&mut **cmd, &row.id)
        .await?
        .into_iter()
        .map(|p| probity_domain::Point {
            number: p.number as u32,
            text: p.text,
        })
        .collect();
    let criteria: Vec<probity_domain::CriterionCode> = row
        .criteria
        .split(',')
        .filter_map(|c| probity_domain::CriterionCode::new(c).ok())
        .collect();
    let (answers, action) = match check_answer(&points, &criteria, &input.points, &input.action) {
        Ok(checked) => checked,
        Err(problems) => {
            // An inadequate answer is refused, and the refusal is on the record.
            let messages: Vec<&str> = problems.iter().map(|p| p.message.as_str()).collect();
            cmd.finish(
                "dissent.answer_refused",
                ("dissent", &row.id),
                serde_json::json!({ "problems": messages }),
            )
            .await?;
            return Err(problems_to_error(problems));
        }
    };
    let rows: Vec<(i64, &str, &str)> = answers
        .iter()
        .map(|a| (i64::from(a.number), a.verdict.as_str(), a.reasons.as_str()))
        .collect();
    let now = cmd.now;
    if store::answer(&mut cmd, &row.id, action.as_str(), to_micros(now), &rows).await? == 0 {
        return Err(raced());
    }
    let verdicts: Vec<&str> = answers.iter().map(|a| a.verdict.as_str()).collect();
    cmd.finish(
        "dissent.answer",
        ("dissent", &row.id),
        serde_json::json!({ "action": action.as_str(), "verdicts": verdicts }),
    )
    .await
}

async fn dissenter_step(
    ctx: &Ctx,
    actor: &Actor,
    id: DissentId,
    event: DissentEvent,
    statement: Option<&str>,
) -> ServiceResult<()> {
    let statement = statement
        .map(|s| check_statement("statement", s).map_err(|p| problems_to_error(vec![p])))
        .transpose()?;
    let mut cmd = Command::begin(ctx, actor).await?;
    let row = load(&mut cmd, actor, id).await?;
    if !may_take(event, party(actor, &row)) {
        return Err(ServiceError::Forbidden(
            "only the dissenter accepts an answer or takes it to oversight".into(),
        ));
    }
    let from = status_of(&row)?;
    let to = step(from, event)?;
    let (column, action) = match event {
        DissentEvent::Accept => ("accepted_at", "dissent.accept"),
        _ => ("escalated_at", "dissent.escalate"),
    };
    let now = cmd.now;
    let moved = store::move_status(
        &mut cmd,
        &row.id,
        &store::Move {
            from: from.as_str(),
            to: to.as_str(),
            at_column: column,
            at: to_micros(now),
            text: statement.as_deref().map(|s| ("escalation_statement", s)),
        },
    )
    .await?;
    if moved == 0 {
        return Err(raced());
    }
    cmd.finish(
        action,
        ("dissent", &row.id),
        serde_json::json!({ "status": to.as_str() }),
    )
    .await
}

/// The dissenter accepts the answer.
pub async fn accept(ctx: &Ctx, actor: &Actor, id: DissentId) -> ServiceResult<()> {
    dissenter_step(ctx, actor, id, DissentEvent::Accept, None).await
}

/// The dissenter takes the answer to oversight, saying why it does not settle the matter.
pub async fn escalate(
    ctx: &Ctx,
    actor: &Actor,
    id: DissentId,
    statement: &str,
) -> ServiceResult<()> {
    dissenter_step(ctx, actor, id, DissentEvent::Escalate, Some(statement)).await
}

/// Escalate every open dissent whose deadline has passed (the background job); how many.
/// Each is audited in its own right, by the system.
pub async fn escalate_overdue(ctx: &Ctx) -> ServiceResult<usize> {
    let mut cmd = Command::system(ctx).await?;
    let now = cmd.now;
    let due = store::overdue(&mut **cmd, to_micros(now)).await?;
    if due.is_empty() {
        return Ok(0);
    }
    let ids: Vec<String> = due.iter().map(|d| d.id.clone()).collect();
    let n = store::escalate_overdue(&mut cmd, &ids, to_micros(now)).await?;
    for d in &due[1..] {
        cmd.record(
            "dissent.escalate_overdue",
            ("dissent", &d.id),
            serde_json::json!({ "due": d.due_at, "responder": d.responder_id }),
        )
        .await?;
    }
    let first = &due[0];
    cmd.finish(
        "dissent.escalate_overdue",
        ("dissent", &first.id),
        serde_json::json!({ "due": first.due_at, "responder": first.responder_id }),
    )
    .await?;
    Ok(n as usize)
}

/// Oversight's finding on an escalated dissent: upheld or not, why, and whether the decision
/// is to be taken again. Final.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct FindingInput {
    /// `upheld` or `not_upheld`.
    pub outcome: String,
    pub finding: String,
    pub retake: bool,
}

pub async fn record_finding(
    ctx: &Ctx,
    actor: &Actor,
    id: DissentId,
    input: &FindingInput,
) -> ServiceResult<()> {
    let mut problems = Vec::new();
    let outcome = input.outcome.parse::<FindingOutcome>().ok();
    if outcome.is_none() {
        problems.push(probity_domain::FieldError {
            field: "outcome".into(),
            message: "say whether the dissent is upheld".into(),
        });
    }
    let finding = check_statement("finding", &input.finding)
        .map_err(|p| problems.push(p))
        .ok();
    let (Some(outcome), Some(finding)) = (outcome, finding) else {
        return Err(problems_to_error(problems));
    };
    let mut cmd = Command::begin(ctx, actor).await?;
    let row = load(&mut cmd, actor, id).await?;
    if !may_take(DissentEvent::Finding, party(actor, &row)) {
        return Err(ServiceError::Forbidden(
            "only oversight records a finding on a dissent".into(),
        ));
    }
    step(status_of(&row)?, DissentEvent::Finding)?;
    let now = cmd.now;
    let n = store::record_finding(
        &mut cmd,
        &row.id,
        outcome.as_str(),
        &finding,
        input.retake,
        &actor.user_id.to_string(),
        to_micros(now),
    )
    .await?;
    if n == 0 {
        return Err(raced());
    }
    cmd.finish(
        "dissent.finding",
        ("dissent", &row.id),
        serde_json::json!({ "outcome": outcome.as_str(), "retake": input.retake }),
    )
    .await
}
