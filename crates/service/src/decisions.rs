//! Decisions: submission for decision, finalisation (with optional countersigning), and what
//! a decision produces — a licence or a refusal notice, and a public decision record.
use probity_domain::{
    check_finalise, may_countersign, CaseAction, CaseId, CaseKind, CaseStatus, Consolidated,
    CriterionCode, Decision, DecisionKind, Explanation, FinaliseContext, LicenceId, LicenceNumber,
    LicenceStatus, Note, Proviso, RecordKind,
};
use probity_store::cases as store_cases;
use probity_store::decisions::{self as store_decisions, PendingDecisionRow};
use probity_store::licences::{self as store_licences, LicenceRow};
use probity_store::to_micros;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::advice::ensure_final_advice_current;
use crate::auth::Actor;
use crate::casework::{
    corrupt, load_case, parse_criteria, require_assignee, set_status, transition, CaseRow,
};
use crate::command::{to_json, Command};
use crate::documents::{licence_document, refusal_document, write_document};
use crate::{parse_text, records, Ctx, ServiceError, ServiceResult};

/// The caseworker sends a case with its final advice to the decision-makers.
#[tracing::instrument(name = "decisions::submit_for_decision", skip_all, fields(case = %id))]
pub async fn submit_for_decision(ctx: &Ctx, actor: &Actor, id: CaseId) -> ServiceResult<()> {
    actor.may(probity_domain::CaseCommand::SubmitForDecision)?;
    let mut cmd = Command::begin(ctx, actor).await?;
    let case = load_case(&mut cmd, id).await?;
    let status = transition(&case, CaseAction::SubmitForDecision)?;
    require_assignee(&mut cmd, actor, &case, CaseAction::SubmitForDecision).await?;
    ensure_final_advice_current(&mut cmd, &case).await?;
    let now = cmd.now;
    set_status(&mut cmd, id, status, now).await?;
    cmd.finish(
        "case.submit_for_decision",
        ("case", &id.to_string()),
        serde_json::json!({}),
    )
    .await
}

/// A decision-maker sends the case back (e.g. for more advice); a pending decision lapses.
#[tracing::instrument(name = "decisions::return_to_caseworker", skip_all, fields(case = %id))]
pub async fn return_to_caseworker(
    ctx: &Ctx,
    actor: &Actor,
    id: CaseId,
    reason: &str,
) -> ServiceResult<()> {
    actor.may(probity_domain::CaseCommand::ReturnToCaseworker)?;
    let reason = crate::parse_text::<probity_domain::Reason>("reason", reason)?.into_string();
    let mut cmd = Command::begin(ctx, actor).await?;
    let case = load_case(&mut cmd, id).await?;
    let status = transition(&case, CaseAction::ReturnToCaseworker)?;
    store_decisions::delete_pending(&mut cmd, &id.to_string()).await?;
    let now = cmd.now;
    set_status(&mut cmd, id, status, now).await?;
    cmd.finish(
        "case.return",
        ("case", &id.to_string()),
        serde_json::json!({ "reason": reason }),
    )
    .await
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
    /// A grant of an application an open review flagged, or one an embargo covers, is refused
    /// unless the decision-maker overrides with these reasons (audited; counted publicly).
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
            let criteria = parse_criteria(ctx, &input.criteria)?;
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

/// How many of the case's questions await the exporter's answer (a blocker to deciding).
pub(crate) async fn open_questions(
    conn: &mut sqlx::AnyConnection,
    id: CaseId,
) -> ServiceResult<usize> {
    let n = probity_store::questions::open_count(conn, &id.to_string()).await?;
    Ok(usize::try_from(n).unwrap_or(0))
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
#[tracing::instrument(name = "decisions::finalise", skip_all, fields(case = %id))]
pub async fn finalise(
    ctx: &Ctx,
    actor: &Actor,
    id: CaseId,
    input: &DecisionInput,
) -> ServiceResult<Finalised> {
    actor.may(probity_domain::CaseCommand::Finalise)?;
    let decision = parse_decision(ctx, input)?;
    let resolution = Some(input.conflict_resolution.trim().to_string()).filter(|s| !s.is_empty());
    let mut cmd = Command::begin(ctx, actor).await?;
    let case = load_case(&mut cmd, id).await?;
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
    ensure_final_advice_current(&mut cmd, &case).await?;
    ensure_advice_as_read(&case, &input.advice_fingerprint)?;
    // Dissents read in this transaction: one filed a moment ago holds the decision up too.
    let holding: Vec<_> = crate::dissents::on_case(&mut cmd, &id.to_string())
        .await?
        .into_iter()
        .filter(|d| d.holds_up_decision)
        .collect();
    // Read in this transaction, like the dissents: a match found a moment ago counts.
    let (unresolved_screening_matches, listed_parties) =
        crate::screening::decision_facts(&mut cmd, &id.to_string()).await?;
    let fctx = FinaliseContext {
        status: case.status,
        final_advice: case.final_advice.clone().unwrap_or(Consolidated::Empty),
        conflict_resolution: resolution.clone(),
        open_questions: open_questions(&mut cmd, id).await?,
        unresolved_screening_matches,
        listed_parties,
        unanswered_dissents: holding.len(),
    };
    // Flags from reviews and embargoes in force, read in this transaction: a grant needs an
    // override with reasons.
    let (flagged, embargoed) = match decision {
        Decision::Grant { .. } => (
            crate::grant_blockers::grant_blockers(&mut cmd, &id.to_string()).await?,
            crate::grant_blockers::embargo_blockers(ctx, &mut cmd, &id.to_string()).await?,
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
    messages.extend(holding.iter().map(crate::dissents::holding_up_message));
    if !messages.is_empty() {
        // The refusal itself is worth recording: who tried to decide what, and why not.
        cmd.finish(
            "case.finalise_refused",
            ("case", &id.to_string()),
            serde_json::json!({ "blockers": messages }),
        )
        .await?;
        return Err(ServiceError::Blocked(messages));
    }
    if !flagged.is_empty() || !embargoed.is_empty() {
        let why = parse_text::<probity_domain::Reason>("review_override", review_override)?;
        let now = cmd.now;
        crate::grant_blockers::override_for_grant(
            &mut cmd,
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
        let row = PendingDecisionRow {
            decision_json: to_json("pending decision", &pending)?,
            reasons: reasons.clone(),
            decided_by: actor.user_id.to_string(),
        };
        let now = cmd.now;
        store_decisions::insert_pending(&mut cmd, &id.to_string(), &row, to_micros(now)).await?;
        set_status(&mut cmd, id, status, now).await?;
        cmd.finish(
            "case.finalise_for_countersign",
            ("case", &id.to_string()),
            serde_json::json!({ "decision": decision, "reasons": reasons }),
        )
        .await?;
        return Ok(Finalised::AwaitingCountersign);
    }
    apply(ctx, cmd, &case, &decision, &reasons, resolution.as_deref()).await
}

/// A second decision-maker countersigns a pending decision, which then takes effect.
#[tracing::instrument(name = "decisions::countersign", skip_all, fields(case = %id))]
pub async fn countersign(
    ctx: &Ctx,
    actor: &Actor,
    id: CaseId,
    note: &str,
) -> ServiceResult<Finalised> {
    actor.may(probity_domain::CaseCommand::Countersign)?;
    let note = parse_text::<Note>("note", note)?;
    let mut cmd = Command::begin(ctx, actor).await?;
    let case = load_case(&mut cmd, id).await?;
    transition(&case, CaseAction::Countersign)?;
    ensure_final_advice_current(&mut cmd, &case).await?;
    let row = store_decisions::pending(&mut cmd, &id.to_string())
        .await?
        .ok_or_else(|| ServiceError::Conflict("no decision awaits countersigning".into()))?;
    if !may_countersign(&row.decided_by, &actor.user_id.to_string()) {
        return Err(ServiceError::Conflict(
            "a decision must be countersigned by a different decision-maker".into(),
        ));
    }
    let pending: PendingDecision = serde_json::from_str(&row.decision_json)
        .map_err(|_| corrupt(format!("case {id}: unreadable pending decision")))?;
    store_decisions::delete_pending(&mut cmd, &id.to_string()).await?;
    cmd.record(
        "case.countersign",
        ("case", &id.to_string()),
        serde_json::json!({ "decided_by": row.decided_by, "note": note.as_str() }),
    )
    .await?;
    apply(
        ctx,
        cmd,
        &case,
        &pending.decision,
        &row.reasons,
        pending.conflict_resolution.as_deref(),
    )
    .await
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

/// Make a decision take effect: licence or refusal notice, the case closed, the public record;
/// then finish the command.
async fn apply(
    ctx: &Ctx,
    mut cmd: Command<'_>,
    case: &CaseRow,
    decision: &Decision,
    reasons: &str,
    resolution: Option<&str>,
) -> ServiceResult<Finalised> {
    let now = cmd.now;
    let tx = &mut *cmd;
    let appeal = case.kind == CaseKind::Appeal;
    let cid = case.id.to_string();
    let (outcome, result, kind, criteria, licence): Effect = match decision {
        Decision::Grant { provisos } => {
            // A review may have flagged the case since a countersigned grant was proposed.
            let flagged = crate::grant_blockers::grant_blockers(tx, &cid).await?;
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
            let row = LicenceRow {
                id: lid.to_string(),
                number: number.as_str().to_string(),
                case_id: cid.clone(),
                organisation_id: case.organisation_id.to_string(),
                licence_type: case.licence_type.as_str().to_string(),
                status: LicenceStatus::Issued.as_str().to_string(),
                provisos_json: to_json("provisos", provisos)?,
                issued_at: to_micros(now),
                valid_until: to_micros(valid_until),
            };
            store_licences::insert(tx, &row).await?;
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
    let finalised = CaseStatus::Finalised.as_str();
    store_cases::finalise(tx, &cid, finalised, outcome, to_micros(now)).await?;
    // An appeal outcome names the refused case by its public reference, never its internal id.
    let refers_to = match &case.appeal_of {
        Some(refused) => store_cases::reference_of(tx, refused).await?,
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
    let seq = cmd.publish(case, lid.as_deref(), &record).await?;
    cmd.finish(
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
