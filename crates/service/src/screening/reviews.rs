//! A party of a licence in force confirmed on a sanctions list puts the licence under review:
//! it joins the open review of that listed entry and destination, or opens one, inside the
//! transaction that records the resolution (so a confirmed listing is never left unreviewed).
use probity_domain::screening::{bars_grant, review_reason, review_title, SANCTIONS_CRITERION};
use probity_domain::{CountryCode, ReviewId, ReviewKind};
use probity_store::{reviews as review_store, screening::reviews as store, to_micros};

use super::MatchRow;
use crate::command::Command;
use crate::{ServiceError, ServiceResult};

/// The review a confirmed match put a licence in, and whether it was opened for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewedLicence {
    pub review_id: ReviewId,
    pub licence_number: String,
    pub opened: bool,
}

/// Put the licence in force on `m`'s case (if any) under review after `m` was resolved as a
/// true match. Denials inform decisions but bar nothing, so they open no review.
pub(crate) async fn review_licence(
    cmd: &mut Command<'_>,
    m: &MatchRow,
    party_country: Option<&str>,
) -> ServiceResult<Option<ReviewedLicence>> {
    if !bars_grant(&m.list) {
        return Ok(None);
    }
    let now = cmd.now;
    let Some((licence, ratings)) = store::licence_in_force(cmd, &m.case_id, to_micros(now)).await?
    else {
        return Ok(None);
    };
    let subject = crate::reviews::subjects(vec![licence.clone()], ratings)
        .pop()
        .map(|(_, s)| s)
        .unwrap_or_default();
    // The licence's destination where the party is, else its first: a review is per
    // destination, as every other review is.
    let destination = party_country
        .and_then(|c| CountryCode::parse(c).ok())
        .filter(|c| subject.destinations.contains(c))
        .or_else(|| subject.destinations.first().copied())
        .ok_or_else(|| {
            ServiceError::Internal(format!("licence {} has no destination", licence.licence_id))
        })?;
    let item = review_store::NewItem {
        reason: review_reason(&m.party_role, &m.party_name, &m.list, &m.entry_id),
        licence_id: licence.licence_id.clone(),
        licence_number: licence.licence_number.clone(),
        case_id: licence.case_id.clone(),
        organisation_id: licence.organisation_id.clone(),
        ratings: crate::reviews::spaced(&subject.ratings),
        exclusion: None,
    };
    let existing =
        store::open_review_of_entry(cmd, &m.list, &m.entry_id, destination.as_str()).await?;
    let (review_id, opened) = match existing {
        Some(id) => {
            if store::holds_licence(cmd, &id, &licence.licence_id).await? {
                return Ok(None);
            }
            (id, false)
        }
        None => {
            let id = ReviewId::new().to_string();
            let title = review_title(&m.list, &m.entry_id, &m.matched_name, destination);
            let in_force = review_store::count_in_force(
                cmd,
                &[destination.as_str().to_string()],
                to_micros(now),
            )
            .await?;
            let opened_by = cmd
                .actor_id()
                .ok_or_else(|| ServiceError::Internal("a review needs a user to open it".into()))?;
            review_store::insert_review(
                cmd,
                &review_store::NewReview {
                    id: &id,
                    kind: ReviewKind::Screening.as_str(),
                    destination: destination.as_str(),
                    criterion: Some(SANCTIONS_CRITERION),
                    assessment_id: None,
                    embargo_id: None,
                    reinstates: None,
                    title: &title,
                    rule_json: None,
                    listed: Some((&m.list, &m.entry_id, &m.matched_name)),
                    in_force,
                    opened_by: &opened_by,
                    opened_at: to_micros(now),
                },
            )
            .await?;
            cmd.record(
                "review.open",
                ("review", &id),
                serde_json::json!({
                    "kind": ReviewKind::Screening.as_str(), "destination": destination.as_str(),
                    "list": m.list, "entry_id": m.entry_id, "match": m.id, "in_force": in_force,
                }),
            )
            .await?;
            (id, true)
        }
    };
    review_store::insert_items(cmd, &review_id, std::slice::from_ref(&item)).await?;
    cmd.record(
        "review.add_licence",
        ("review", &review_id),
        serde_json::json!({
            "licence": item.licence_id, "licence_number": item.licence_number, "match": m.id,
        }),
    )
    .await?;
    Ok(Some(ReviewedLicence {
        review_id: review_id
            .parse()
            .map_err(|_| ServiceError::Internal(format!("review id {review_id}")))?,
        licence_number: item.licence_number,
        opened,
    }))
}
