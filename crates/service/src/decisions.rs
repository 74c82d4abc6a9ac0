//! Decisions: submission for decision, finalisation (with optional countersigning), and what
//! a decision produces — a licence or a refusal notice, and a public decision record.
use probity_domain::{
    check_finalise, may_countersign, CaseAction, CaseId, CaseKind, CaseStatus, Consolidated,
    CriterionCode, Decision, DecisionKind, Explanation, FinaliseContext, LicenceId, LicenceNumber,
    LicenceStatus, Note, Proviso, RecordKind,
};
use probity_store::{to_micros, Tx};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::advice::ensure_final_advice_current;
use crate::auth::Actor;
use crate::documents::{licence_document, refusal_document, write_document};
use crate::rows::{audit_event, load_case, require_assignee, set_status, transition, CaseRow};
use crate::{parse_text, records, Ctx, ServiceError, ServiceResult};

/// The caseworker sends a case with its final advice to the decision-makers.
pub async fn submit_for_decision(ctx: &Ctx, actor: &Actor, id: CaseId) -> ServiceResult<()> {
    actor.may(probity_domain::CaseCommand::SubmitForDecision)?;
    let now = ctx.clock.now();
    let mut tx = ctx.store.begin_command().await?;
    let case = load_case(&mut tx, id).await?;
    let status = transition(&case, CaseAction::SubmitForDecision)?;
    require_assignee(&mut tx, actor, &case, CaseAction::SubmitForDecision).await?;
    ensure_final_advice_current(&mut tx, &case).await?;
    set_status(&mut tx, id, status, now).await?;
    audit_event(
        &mut tx,
        Some(actor),
        now,
        "case.submit_for_decision",
        ("case", &id.to_string()),
        serde_json::json!({}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A decision-maker sends the case back (e.g. for more advice); a pending decision lapses.
pub async fn return_to_caseworker(
    ctx: &Ctx,
    actor: &Actor,
    id: CaseId,
    reason: &str,
) -> ServiceResult<()> {
    actor.may(probity_domain::CaseCommand::ReturnToCaseworker)?;
    let reason = crate::parse_text::<probity_domain::Reason>("reason", reason)?.into_string();
    let now = ctx.clock.now();
    let mut tx = ctx.store.begin_command().await?;
    let case = load_case(&mut tx, id).await?;
    let status = transition(&case, CaseAction::ReturnToCaseworker)?;
    sqlx::query("DELETE FROM pending_decisions WHERE case_id = $1")
        .bind(id.to_string())
        .execute(&mut *tx)
        .await?;
    set_status(&mut tx, id, status, now).await?;
    audit_event(
        &mut tx,
        Some(actor),
        now,
        "case.return",
        ("case", &id.to_string()),
        serde_json::json!({ "reason": reason }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

#[derive(Debug, Clone, Deserialize, Serialize, Default)]
pub struct DecisionInput {
    /// grant | refuse | no_licence_required; anything else is refused when the input is read.
    pub decision: DecisionKind,
    #[serde(default)]
    pub provisos: Vec<String>,
    #[serde(default)]
    pub criteria: Vec<String>,
    pub reasons: String,
    /// Required when the final advice conflicts or the decision departs from it.
    #[serde(default)]
    pub conflict_resolution: String,
    /// Ask a second decision-maker to countersign before the decision takes effect.
    #[serde(default)]
    pub countersign: bool,
    /// The fingerprint of the advice the decision-maker read (`CaseView::advice_fingerprint`).
    /// When given, the decision is refused (409) if the advice has changed since: what was
    /// confirmed is what is decided on. API clients may leave it out.
    #[serde(default)]
    pub advice_fingerprint: String,
    /// A grant of an application an open review flagged is refused unless the decision-maker
    /// overrides the flag with these reasons (counted publicly, kept in the review's record).
    #[serde(default)]
    pub review_override: String,
}

/// The decision and its texts. The reasons' and resolution's minimum lengths are blockers
/// (reported with every other blocker); their maximum and characters are checked here.
pub(crate) fn parse_decision(ctx: &Ctx, input: &DecisionInput) -> ServiceResult<Decision> {
    parse_text::<Explanation>("reasons", &input.reasons)?;
    parse_text::<Explanation>("conflict_resolution", &input.conflict_resolution)?;
    match input.decision {
        DecisionKind::Grant => Ok(Decision::Grant {
            provisos: input
                .provisos
                .iter()
                .filter(|p| !p.trim().is_empty())
                .map(|p| parse_text::<Proviso>("provisos", p).map(Proviso::into_string))
                .collect::<ServiceResult<_>>()?,
        }),
        DecisionKind::Refuse => {
            let criteria = crate::rows::parse_criteria(ctx, &input.criteria)?;
            Ok(Decision::Refuse { criteria })
        }
        DecisionKind::NoLicenceRequired => Ok(Decision::NoLicenceRequired),
    }
}

/// Refuse a decision taken on a page showing other advice than the case now has.
pub(crate) fn ensure_advice_as_read(case: &CaseRow, read: &str) -> ServiceResult<()> {
    let read = read.trim();
    if read.is_empty() || case.final_advice_fingerprint.as_deref() == Some(read) {
        return Ok(());
    }
    Err(ServiceError::Conflict(
        "the advice on this case changed after you opened it: read the case again before \
         deciding"
            .into(),
    ))
}

pub(crate) async fn open_questions(tx: &mut Tx, id: CaseId) -> ServiceResult<usize> {
    let n: i64 = sqlx::query_scalar(
        "SELECT CAST(COUNT(*) AS BIGINT) FROM questions WHERE case_id = $1 AND answered_at IS NULL",
    )
    .bind(id.to_string())
    .fetch_one(&mut **tx)
    .await?;
    Ok(n as usize)
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct PendingDecision {
    decision: Decision,
    conflict_resolution: Option<String>,
}

/// What finalising did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Finalised {
    AwaitingCountersign,
    Granted(LicenceNumber),
    Refused,
    NoLicenceRequired,
}

/// A decision-maker decides. Refused (with every reason) while any blocker holds.
pub async fn finalise(
    ctx: &Ctx,
    actor: &Actor,
    id: CaseId,
    input: &DecisionInput,
) -> ServiceResult<Finalised> {
    actor.may(probity_domain::CaseCommand::Finalise)?;
    let decision = parse_decision(ctx, input)?;
    let resolution = Some(input.conflict_resolution.trim().to_string()).filter(|s| !s.is_empty());
    let now = ctx.clock.now();
    let mut tx = ctx.store.begin_command().await?;
    let case = load_case(&mut tx, id).await?;
    // Deciding a case that is not under final review (deciding twice, say) is an illegal
    // transition, refused without trace; blockers concern a case that could be decided.
    let action = if input.countersign {
        CaseAction::FinaliseForCountersign
    } else {
        CaseAction::Finalise
    };
    let status = transition(&case, action)?;
    // The decision rests on the final advice: it must still be the advice on the case, and
    // the advice the decision-maker read.
    ensure_final_advice_current(&mut tx, &case).await?;
    ensure_advice_as_read(&case, &input.advice_fingerprint)?;
    let fctx = FinaliseContext {
        status: case.status,
        final_advice: case.final_advice.clone().unwrap_or(Consolidated::Empty),
        conflict_resolution: resolution.clone(),
        open_questions: open_questions(&mut tx, id).await?,
        unresolved_screening_matches: 0,
        unanswered_dissents: 0,
    };
    // Flags from reviews, read in this transaction: a grant needs an override with reasons.
    // So do embargoes in force on the day of the decision.
    let (flagged, embargoed) = match decision {
        Decision::Grant { .. } => (
            crate::review_outcomes::grant_blockers(&mut tx, &id.to_string()).await?,
            crate::review_outcomes::embargo_blockers(ctx, &mut tx, &id.to_string()).await?,
        ),
        _ => (Vec::new(), Vec::new()),
    };
    let review_override = input.review_override.trim();
    let mut messages: Vec<String> = check_finalise(&fctx, &decision, &input.reasons)
        .err()
        .map(|blockers| blockers.iter().map(|b| b.to_string()).collect())
        .unwrap_or_default();
    if review_override.is_empty() {
        messages.extend(flagged.iter().cloned());
        messages.extend(embargoed.iter().cloned());
    }
    if !messages.is_empty() {
        // The refusal itself is worth recording: who tried to decide what, and why not.
        audit_event(
            &mut tx,
            Some(actor),
            now,
            "case.finalise_refused",
            ("case", &id.to_string()),
            serde_json::json!({ "blockers": messages }),
        )
        .await?;
        tx.commit().await?;
        return Err(ServiceError::Blocked(messages));
    }
    if !flagged.is_empty() || !embargoed.is_empty() {
        let why = parse_text::<probity_domain::Reason>("review_override", review_override)?;
        crate::review_outcomes::override_for_grant(
            &mut tx,
            actor,
            id,
            why.as_str(),
            &embargoed,
            now,
        )
        .await?;
    }
    let reasons = input.reasons.trim().to_string();
    if input.countersign {
        let pending = PendingDecision {
            decision: decision.clone(),
            conflict_resolution: resolution,
        };
        sqlx::query("INSERT INTO pending_decisions (case_id, decision_json, reasons, decided_by, decided_at) VALUES ($1,$2,$3,$4,$5)")
            .bind(id.to_string())
            .bind(serde_json::to_string(&pending).map_err(|e| ServiceError::Conflict(e.to_string()))?)
            .bind(&reasons)
            .bind(actor.user_id.to_string())
            .bind(to_micros(now))
            .execute(&mut *tx)
            .await?;
        set_status(&mut tx, id, status, now).await?;
        audit_event(
            &mut tx,
            Some(actor),
            now,
            "case.finalise_for_countersign",
            ("case", &id.to_string()),
            serde_json::json!({ "decision": decision, "reasons": reasons }),
        )
        .await?;
        tx.commit().await?;
        return Ok(Finalised::AwaitingCountersign);
    }
    let outcome = apply(
        ctx,
        &mut tx,
        actor,
        &case,
        &decision,
        &reasons,
        resolution.as_deref(),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(outcome)
}

/// A second decision-maker countersigns a pending decision, which then takes effect.
pub async fn countersign(
    ctx: &Ctx,
    actor: &Actor,
    id: CaseId,
    note: &str,
) -> ServiceResult<Finalised> {
    actor.may(probity_domain::CaseCommand::Countersign)?;
    let note = parse_text::<Note>("note", note)?;
    let now = ctx.clock.now();
    let mut tx = ctx.store.begin_command().await?;
    let case = load_case(&mut tx, id).await?;
    transition(&case, CaseAction::Countersign)?;
    ensure_final_advice_current(&mut tx, &case).await?;
    let row: Option<(String, String, String)> = sqlx::query_as(
        "SELECT decision_json, reasons, decided_by FROM pending_decisions WHERE case_id = $1",
    )
    .bind(id.to_string())
    .fetch_optional(&mut *tx)
    .await?;
    let (json, reasons, decided_by) =
        row.ok_or_else(|| ServiceError::Conflict("no decision awaits countersigning".into()))?;
    if !may_countersign(&decided_by, &actor.user_id.to_string()) {
        return Err(ServiceError::Conflict(
            "a decision must be countersigned by a different decision-maker".into(),
        ));
    }
    let pending: PendingDecision =
        serde_json::from_str(&json).map_err(|e| ServiceError::Conflict(e.to_string()))?;
    sqlx::query("DELETE FROM pending_decisions WHERE case_id = $1")
        .bind(id.to_string())
        .execute(&mut *tx)
        .await?;
    audit_event(
        &mut tx,
        Some(actor),
        now,
        "case.countersign",
        ("case", &id.to_string()),
        serde_json::json!({ "decided_by": decided_by, "note": note.as_str() }),
    )
    .await?;
    let outcome = apply(
        ctx,
        &mut tx,
        actor,
        &case,
        &pending.decision,
        &reasons,
        pending.conflict_resolution.as_deref(),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(outcome)
}

pub(crate) fn add_months(t: OffsetDateTime, months: u32) -> OffsetDateTime {
    let total = t.year() * 12 + (t.month() as i32 - 1) + months as i32;
    let (year, month0) = (total.div_euclid(12), total.rem_euclid(12));
    let month = time::Month::try_from((month0 + 1) as u8).unwrap_or(time::Month::January);
    let last_day = month.length(year);
    let date =
        time::Date::from_calendar_date(year, month, t.day().min(last_day)).unwrap_or(t.date());
    t.replace_date(date)
}

/// What a decision does: the case outcome, the result, the public record's kind and
/// criteria, and the licence issued (if any).
type Effect = (
    &'static str,
    Finalised,
    RecordKind,
    Vec<CriterionCode>,
    Option<(LicenceId, LicenceNumber)>,
);

/// Make a decision take effect: licence or refusal notice, the case closed, the public record.
#[allow(clippy::too_many_arguments)]
async fn apply(
    ctx: &Ctx,
    tx: &mut Tx,
    actor: &Actor,
    case: &CaseRow,
    decision: &Decision,
    reasons: &str,
    resolution: Option<&str>,
    now: OffsetDateTime,
) -> ServiceResult<Finalised> {
    let appeal = case.kind == CaseKind::Appeal;
    let cid = case.id.to_string();
    let (outcome, result, kind, criteria, licence): Effect = match decision {
        Decision::Grant { provisos } => {
            // A review may have flagged the case since a countersigned grant was proposed.
            let flagged = crate::review_outcomes::grant_blockers(tx, &cid).await?;
            if !flagged.is_empty() {
                return Err(ServiceError::Blocked(flagged));
            }
            let reference = case
                .reference
                .as_deref()
                .unwrap_or_default()
                .parse()
                .map_err(|_| ServiceError::Conflict("case has no reference".into()))?;
            let number = LicenceNumber::for_case(&reference, 1);
            let lid = LicenceId::new();
            let valid_until = add_months(now, case.licence_type.default_validity_months());
            sqlx::query(
                "INSERT INTO licences (id, number, case_id, organisation_id, licence_type, status, provisos_json, issued_at, valid_until, updated_at) \
                 VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$8)",
            )
            .bind(lid.to_string())
            .bind(number.as_str())
            .bind(&cid)
            .bind(case.organisation_id.to_string())
            .bind(case.licence_type.as_str())
            .bind(LicenceStatus::Issued.as_str())
            .bind(serde_json::to_string(provisos).unwrap_or_else(|_| "[]".into()))
            .bind(to_micros(now))
            .bind(to_micros(valid_until))
            .execute(&mut **tx)
            .await?;
            let doc = licence_document(ctx, tx, case, &number, provisos, valid_until).await?;
            write_document(
                tx,
                case.id,
                "licence",
                &format!("Licence {number}"),
                &doc,
                now,
            )
            .await?;
            let kind = if appeal {
                RecordKind::AppealAllowed
            } else {
                RecordKind::Grant
            };
            (
                "granted",
                Finalised::Granted(number.clone()),
                kind,
                Vec::new(),
                Some((lid, number)),
            )
        }
        Decision::Refuse { criteria } => {
            let doc = refusal_document(ctx, tx, case, criteria, reasons, now).await?;
            write_document(
                tx,
                case.id,
                "refusal",
                &format!("Refusal notice {}", case.reference.as_deref().unwrap_or("")),
                &doc,
                now,
            )
            .await?;
            let kind = if appeal {
                RecordKind::AppealDismissed
            } else {
                RecordKind::Refusal
            };
            ("refused", Finalised::Refused, kind, criteria.clone(), None)
        }
        Decision::NoLicenceRequired => {
            let doc = format!(
                "NO LICENCE REQUIRED\n\nCase {}\n\nThe goods described in this application do not need an export licence.\n\nReasons: {}\n",
                case.reference.as_deref().unwrap_or(""),
                reasons
            );
            write_document(tx, case.id, "nlr", "No licence required", &doc, now).await?;
            (
                "no_licence_required",
                Finalised::NoLicenceRequired,
                RecordKind::NoLicenceRequired,
                Vec::new(),
                None,
            )
        }
    };
    sqlx::query("UPDATE cases SET status = $1, outcome = $2, finalised_at = $3, updated_at = $3 WHERE id = $4")
        .bind(CaseStatus::Finalised.as_str())
        .bind(outcome)
        .bind(to_micros(now))
        .bind(&cid)
        .execute(&mut **tx)
        .await?;
    // An appeal outcome names the refused case by its public reference, never its internal id.
    let refers_to = match &case.appeal_of {
        Some(refused) => {
            sqlx::query_scalar::<_, Option<String>>("SELECT reference FROM cases WHERE id = $1")
                .bind(refused)
                .fetch_one(&mut **tx)
                .await?
        }
        None => None,
    };
    let record = records::build_record(
        ctx,
        tx,
        case,
        kind,
        now,
        licence.as_ref().map(|l| &l.1),
        &criteria,
        None,
        refers_to,
    )
    .await?;
    let lid = licence.as_ref().map(|l| l.0.to_string());
    let seq = records::publish(tx, case, lid.as_deref(), &record).await?;
    audit_event(
        tx,
        Some(actor),
        now,
        "case.finalise",
        ("case", &cid),
        serde_json::json!({
            "decision": decision, "reasons": reasons, "conflict_resolution": resolution,
            "licence": licence.as_ref().map(|l| l.1.to_string()), "record": seq,
            "status_before": case.status.as_str(), "status_after": "finalised",
        }),
    )
    .await?;
    Ok(result)
}
