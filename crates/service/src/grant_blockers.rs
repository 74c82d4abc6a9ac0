//! What stands between a pending application and its grant because of a destination's
//! assessment: flags from restriction reviews and embargoes in force, read inside the deciding
//! transaction, and the decision-maker's override with reasons.
use probity_domain::{CaseId, Embargo, Verdict};
use probity_store::{review_items, reviews as store, Tx};
use sqlx::AnyConnection;
use time::OffsetDateTime;

use crate::auth::Actor;
use crate::command::audit_event;
use crate::{Ctx, ServiceResult};

/// Flags from restriction reviews that would stop a grant of this case (read inside the
/// deciding transaction), as sentences.
pub(crate) async fn grant_blockers(
    conn: &mut AnyConnection,
    case_id: &str,
) -> ServiceResult<Vec<String>> {
    Ok(review_items::flags_on_case(&mut *conn, case_id)
        .await?
        .into_iter()
        .filter(|f| f.overridden_at.is_none())
        .map(|f| {
            format!(
                "the application is in scope of review \"{}\" ({}): a grant needs a decision-maker's override with reasons",
                f.review_title, f.reason
            )
        })
        .collect())
}

/// A decision-maker overrides every open flag on a case (and any embargo it falls under) to
/// grant it; the override and its reasons are kept on each flag and audited.
pub(crate) async fn override_for_grant(
    tx: &mut Tx,
    actor: &Actor,
    case_id: CaseId,
    reason: &str,
    embargoes: &[String],
    now: OffsetDateTime,
) -> ServiceResult<()> {
    let cid = case_id.to_string();
    let n = review_items::override_flags(
        tx,
        &cid,
        &actor.user_id.to_string(),
        probity_store::to_micros(now),
        reason,
    )
    .await?;
    audit_event(
        tx,
        Some(actor),
        now,
        "review.override_flag",
        ("case", &cid),
        serde_json::json!({ "flags": n, "embargoes": embargoes, "reason": reason }),
    )
    .await?;
    Ok(())
}

/// Embargoes in force today that a grant of this case would breach (read inside the
/// deciding transaction), as sentences: an embargo applies to new applications by itself.
pub(crate) async fn embargo_blockers(
    ctx: &Ctx,
    conn: &mut AnyConnection,
    case_id: &str,
) -> ServiceResult<Vec<String>> {
    let Some((row, ratings)) = store::case_subject(conn, case_id).await? else {
        return Ok(Vec::new());
    };
    let subject = crate::reviews::subjects(vec![row], ratings)
        .pop()
        .map(|(_, s)| s)
        .unwrap_or_default();
    let today = ctx.clock.now().date();
    let mut embargoes: Vec<Embargo> = probity_domain::starting_embargoes().to_vec();
    for row in probity_store::assessments::embargoes(&mut *conn).await? {
        embargoes.push(crate::assessments::decode_embargo(row)?.embargo);
    }
    Ok(embargoes
        .iter()
        .filter(|e| e.in_force_on(today) && subject.destinations.contains(&e.destination))
        .filter_map(|e| match e.evaluate(&subject) {
            v @ Verdict::InScope { .. } => Some(format!(
                "the application falls under the {} arms embargo on {} ({}, in force since {}): {v}; \
                 a grant needs a decision-maker's override stating the exemption relied on",
                e.regime.label(),
                e.destination.name(),
                e.reference,
                e.starts_on
            )),
            _ => None,
        })
        .collect())
}
