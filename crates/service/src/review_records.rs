//! A review's outcomes applied in bulk: each licence gets its own status change and licence
//! event (when the outcome moves it), public record (naming the review; a licence kept is
//! published as much as one suspended) and audit event, written in multi-row statements
//! inside the deciding transaction.
use std::collections::HashMap;

use probity_domain::{
    goods_summary, rating_values_of_lines, CaseReference, CountryCode, CriterionCode, EndUserType,
    LicenceAction, LicenceNumber, LicenceStatus, LicenceType, PublicDecisionRecord, Rating,
    RecordKind, ReviewOutcome,
};
use probity_store::{audit, outbox, review_outcomes as store, to_micros, StoreError, Tx};
use time::OffsetDateTime;

use crate::auth::Actor;
use crate::{Ctx, ServiceError, ServiceResult};

/// One licence an outcome acts on, as it stood when read in the deciding transaction.
pub(crate) struct Acted {
    pub licence_id: String,
    pub number: String,
    pub case_id: String,
    pub from: LicenceStatus,
}

/// A stored goods line: its position, value (minor units) and ratings in order.
type GoodsLine = (i64, i64, Vec<Rating>);

fn corrupt(what: String) -> ServiceError {
    ServiceError::Store(StoreError::Corrupt(what))
}

/// The public record of `action` on each licence, built from its case as stored.
fn build_records(
    ctx: &Ctx,
    facts: (Vec<store::RecordCaseRow>, Vec<store::RecordLineRow>),
    acted: &[Acted],
    kind: RecordKind,
    criterion: Option<&CriterionCode>,
    reason: &str,
    at: OffsetDateTime,
) -> ServiceResult<Vec<PublicDecisionRecord>> {
    let (cases, lines) = facts;
    let mut lines_by_case: HashMap<&str, Vec<GoodsLine>> = HashMap::new();
    for l in &lines {
        let rating = Rating::try_from(l.rating.clone())
            .map_err(|_| corrupt(format!("case {}: stored rating is malformed", l.case_id)))?;
        let case_lines = lines_by_case.entry(l.case_id.as_str()).or_default();
        match case_lines.last_mut() {
            Some((line, _, ratings)) if *line == l.line => ratings.push(rating),
            _ => case_lines.push((l.line, l.value_minor, vec![rating])),
        }
    }
    let cases: HashMap<&str, &store::RecordCaseRow> =
        cases.iter().map(|c| (c.id.as_str(), c)).collect();
    acted
        .iter()
        .map(|a| {
            let bad = |what: &str| corrupt(format!("case {}: {what}", a.case_id));
            let case = cases
                .get(a.case_id.as_str())
                .ok_or_else(|| bad("missing"))?;
            let reference: CaseReference = case
                .reference
                .as_deref()
                .ok_or_else(|| bad("licensed without a reference"))?
                .parse()
                .map_err(|_| bad("bad reference"))?;
            let empty = Vec::new();
            let case_lines = lines_by_case.get(a.case_id.as_str()).unwrap_or(&empty);
            let ratings = rating_values_of_lines(
                case_lines
                    .iter()
                    .map(|(_, value, ratings)| (*value, ratings.as_slice())),
            );
            Ok(PublicDecisionRecord {
                kind,
                decided_at: at,
                case_reference: reference,
                licence_number: Some(
                    a.number
                        .parse::<LicenceNumber>()
                        .map_err(|_| bad("bad licence number"))?,
                ),
                licence_type: case
                    .licence_type
                    .parse::<LicenceType>()
                    .map_err(|_| bad("bad licence type"))?,
                destinations: case
                    .destinations
                    .split(',')
                    .filter(|d| !d.is_empty())
                    .map(|d| CountryCode::parse(d).map_err(|_| bad("bad destination")))
                    .collect::<ServiceResult<_>>()?,
                goods_summary: goods_summary(&ratings, ctx.control_list),
                ratings,
                criteria: criterion.into_iter().cloned().collect(),
                end_user_type: case
                    .end_user_type
                    .as_deref()
                    .map(|t| {
                        t.parse::<EndUserType>()
                            .map_err(|_| bad("bad end-user type"))
                    })
                    .transpose()?,
                reason: Some(reason.to_string()),
                refers_to: Some(a.number.clone()),
            })
        })
        .collect()
}

/// What the bulk application needs to know about the review.
pub(crate) struct ReviewRef<'a> {
    pub id: &'a str,
    pub criterion: Option<CriterionCode>,
}

/// Record `outcome` on every licence in `acted`: move it when the outcome does, then publish
/// and audit each in its own right.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn apply(
    ctx: &Ctx,
    tx: &mut Tx,
    actor: &Actor,
    review: &ReviewRef<'_>,
    acted: &[Acted],
    outcome: ReviewOutcome,
    reason: &str,
    now: OffsetDateTime,
) -> ServiceResult<()> {
    if acted.is_empty() {
        return Ok(());
    }
    let moved_to = match outcome.licence_action() {
        Some(action) => Some(transition(tx, actor, acted, action, reason, now).await?),
        None => None,
    };
    let mut case_ids: Vec<String> = acted.iter().map(|a| a.case_id.clone()).collect();
    case_ids.sort();
    case_ids.dedup();
    let facts = store::record_facts(tx, &case_ids).await?;
    let kind = RecordKind::for_review_outcome(outcome);
    let records = build_records(
        ctx,
        facts,
        acted,
        kind,
        review.criterion.as_ref(),
        reason,
        now,
    )?;
    let encoded: Vec<(String, Vec<String>)> = records
        .iter()
        .map(|r| {
            let json = serde_json::to_string(r)
                .map_err(|e| ServiceError::Internal(format!("encoding a record: {e}")))?;
            let destinations = r
                .destinations
                .iter()
                .map(|c| c.as_str().to_string())
                .collect();
            Ok((json, destinations))
        })
        .collect::<ServiceResult<_>>()?;
    let new_records: Vec<outbox::NewRecord<'_>> = acted
        .iter()
        .zip(&encoded)
        .map(|(a, (json, destinations))| outbox::NewRecord {
            kind: kind.as_str(),
            case_id: &a.case_id,
            licence_id: Some(&a.licence_id),
            destinations,
            decided_at: now,
            record_json: json.clone(),
        })
        .collect();
    let seqs = outbox::append_many(tx, &new_records).await?;
    let links: Vec<(String, i64)> = acted
        .iter()
        .zip(&seqs)
        .map(|(a, s)| (a.licence_id.clone(), *s))
        .collect();
    store::set_records(tx, review.id, &links).await?;
    let action_name = match outcome.licence_action() {
        Some(action) => format!("licence.{}", action.as_str()),
        None => format!("review.{}", outcome.as_str()),
    };
    let details: Vec<serde_json::Value> = acted
        .iter()
        .zip(&seqs)
        .map(|(a, seq)| {
            let after = moved_to.unwrap_or(a.from);
            serde_json::json!({
                "number": a.number, "status_before": a.from.as_str(), "status_after": after.as_str(),
                "reason": reason, "record": seq, "case": a.case_id, "review": review.id,
            })
        })
        .collect();
    audit_each(tx, actor, &action_name, acted, details, now).await
}

/// Move every licence in `acted` by `action` (all to the same status, by the domain's
/// lifecycle), with a licence event each; the status they moved to.
async fn transition(
    tx: &mut Tx,
    actor: &Actor,
    acted: &[Acted],
    action: LicenceAction,
    reason: &str,
    now: OffsetDateTime,
) -> ServiceResult<LicenceStatus> {
    let at = to_micros(now);
    let mut to_status = None;
    for a in acted {
        let to = probity_domain::next_licence_status(a.from, action)
            .map_err(|e| ServiceError::Conflict(e.to_string()))?;
        to_status = Some(to);
    }
    let to = to_status.ok_or_else(|| ServiceError::Internal("no licence to move".into()))?;
    let ids: Vec<String> = acted.iter().map(|a| a.licence_id.clone()).collect();
    let moved = store::set_licence_status(tx, &ids, to.as_str(), at).await?;
    if moved != acted.len() as u64 {
        return Err(ServiceError::Internal(format!(
            "a review moved {moved} of {} licences read under the command lock",
            acted.len()
        )));
    }
    let by = actor.user_id.to_string();
    let events: Vec<store::NewLicenceEvent> = acted
        .iter()
        .map(|a| store::NewLicenceEvent {
            id: uuid::Uuid::now_v7().to_string(),
            licence_id: a.licence_id.clone(),
            action: action.as_str(),
            from_status: a.from.as_str().to_string(),
            to_status: to.as_str(),
            actor_id: by.clone(),
            reason: reason.to_string(),
            at,
        })
        .collect();
    store::insert_licence_events(tx, &events).await?;
    Ok(to)
}

/// One audit event per acted licence (its own in the chain), written in bulk.
pub(crate) async fn audit_each(
    tx: &mut Tx,
    actor: &Actor,
    action: &str,
    acted: &[Acted],
    details: Vec<serde_json::Value>,
    now: OffsetDateTime,
) -> ServiceResult<()> {
    let by = actor.user_id.to_string();
    let events: Vec<audit::NewEvent<'_>> = acted
        .iter()
        .zip(details)
        .map(|(a, detail)| audit::NewEvent {
            at: now,
            actor_id: Some(&by),
            actor_role: actor.role.as_str(),
            action,
            subject_type: "licence",
            subject_id: &a.licence_id,
            detail,
        })
        .collect();
    audit::append_many(tx, &events).await?;
    Ok(())
}
