//! The public decision record: what the register publishes about each decision. It carries
//! only public facts (type, destinations, ratings, values, criteria); the exporter, the
//! parties and the exporter's own goods descriptions are confidential and never appear here.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::application::{Application, EndUserType};
use crate::assessment::ReviewOutcome;
use crate::case::{str_enum, LicenceType};
use crate::control_list::{ControlList, Rating};
use crate::country::CountryCode;
use crate::criteria::CriterionCode;
use crate::decision::Decision;
use crate::licence::LicenceAction;
use crate::reference::{CaseReference, LicenceNumber};

/// Longest `goods_summary`, in characters.
pub const MAX_GOODS_SUMMARY_CHARS: usize = 500;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordKind {
    Grant,
    Refusal,
    NoLicenceRequired,
    Suspension,
    Reinstatement,
    Revocation,
    Surrender,
    Expiry,
    Exhaustion,
    AppealAllowed,
    AppealDismissed,
    /// A licence a review kept in force, with the exemption that kept it.
    Retention,
    /// A suspended licence a reinstatement review kept suspended.
    SuspensionMaintained,
}

impl RecordKind {
    pub const ALL: [RecordKind; 13] = [
        Self::Grant,
        Self::Refusal,
        Self::NoLicenceRequired,
        Self::Suspension,
        Self::Reinstatement,
        Self::Revocation,
        Self::Surrender,
        Self::Expiry,
        Self::Exhaustion,
        Self::AppealAllowed,
        Self::AppealDismissed,
        Self::Retention,
        Self::SuspensionMaintained,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Grant => "grant",
            Self::Refusal => "refusal",
            Self::NoLicenceRequired => "no_licence_required",
            Self::Suspension => "suspension",
            Self::Reinstatement => "reinstatement",
            Self::Revocation => "revocation",
            Self::Surrender => "surrender",
            Self::Expiry => "expiry",
            Self::Exhaustion => "exhaustion",
            Self::AppealAllowed => "appeal_allowed",
            Self::AppealDismissed => "appeal_dismissed",
            Self::Retention => "retention",
            Self::SuspensionMaintained => "suspension_maintained",
        }
    }

    /// The record kind of a case decision.
    pub const fn for_decision(decision: &Decision) -> RecordKind {
        match decision {
            Decision::Grant { .. } => Self::Grant,
            Decision::Refuse { .. } => Self::Refusal,
            Decision::NoLicenceRequired => Self::NoLicenceRequired,
        }
    }

    /// The record kind published when a licence action is taken.
    pub const fn for_licence_action(action: LicenceAction) -> RecordKind {
        match action {
            LicenceAction::Suspend => Self::Suspension,
            LicenceAction::Reinstate => Self::Reinstatement,
            LicenceAction::Revoke => Self::Revocation,
            LicenceAction::Surrender => Self::Surrender,
            LicenceAction::Expire => Self::Expiry,
            LicenceAction::Exhaust => Self::Exhaustion,
        }
    }

    /// The record kind published for a review's outcome on one licence: every outcome is
    /// public, a licence kept in force or kept suspended as much as one suspended.
    pub const fn for_review_outcome(outcome: ReviewOutcome) -> RecordKind {
        match outcome {
            ReviewOutcome::Suspend => Self::Suspension,
            ReviewOutcome::Revoke => Self::Revocation,
            ReviewOutcome::Reinstate => Self::Reinstatement,
            ReviewOutcome::Keep => Self::Retention,
            ReviewOutcome::KeepSuspended => Self::SuspensionMaintained,
        }
    }
}
str_enum!(RecordKind, "record kind");

/// The value attributed to one rating in one decision, in GBP minor units.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RatingValue {
    pub rating: Rating,
    pub value_minor: i64,
}

/// One entry of the public register. Field names are part of the published format: do not
/// rename them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicDecisionRecord {
    pub kind: RecordKind,
    #[serde(with = "time::serde::rfc3339")]
    pub decided_at: OffsetDateTime,
    pub case_reference: CaseReference,
    pub licence_number: Option<LicenceNumber>,
    pub licence_type: LicenceType,
    pub destinations: Vec<CountryCode>,
    pub ratings: Vec<RatingValue>,
    pub goods_summary: String,
    pub criteria: Vec<CriterionCode>,
    pub end_user_type: Option<EndUserType>,
    pub reason: Option<String>,
    /// For an event about an earlier decision (a suspension, an appeal outcome): the licence
    /// number or case reference it concerns.
    pub refers_to: Option<String>,
}

impl PublicDecisionRecord {
    /// The record of a case decision. `licence_number` is the licence issued on a grant.
    /// `criteria` are the decision's refusal criteria (deduplicated, in code order).
    pub fn for_decision(
        app: &Application,
        case_reference: CaseReference,
        decision: &Decision,
        licence_number: Option<LicenceNumber>,
        decided_at: OffsetDateTime,
        list: &ControlList,
    ) -> PublicDecisionRecord {
        let ratings = rating_values(app);
        let mut criteria = match decision {
            Decision::Refuse { criteria } => criteria.clone(),
            _ => Vec::new(),
        };
        criteria.sort();
        criteria.dedup();
        PublicDecisionRecord {
            kind: RecordKind::for_decision(decision),
            decided_at,
            case_reference,
            licence_number,
            licence_type: app.licence_type,
            destinations: app.destinations(),
            goods_summary: goods_summary(&ratings, list),
            ratings,
            criteria,
            end_user_type: app.end_user().and_then(|p| p.end_user_type),
            reason: None,
            refers_to: None,
        }
    }

    /// The record of a later event on a granted licence (suspension, revocation, …): the
    /// public facts of the grant, the new kind and time, an optional public reason, and a
    /// reference to the licence.
    pub fn for_licence_event(
        grant: &PublicDecisionRecord,
        action: LicenceAction,
        decided_at: OffsetDateTime,
        reason: Option<String>,
    ) -> PublicDecisionRecord {
        let refers_to = grant
            .licence_number
            .as_ref()
            .map_or_else(|| grant.case_reference.to_string(), |n| n.to_string());
        PublicDecisionRecord {
            kind: RecordKind::for_licence_action(action),
            decided_at,
            criteria: Vec::new(),
            reason,
            refers_to: Some(refers_to),
            ..grant.clone()
        }
    }

    /// The bytes that the register commits to: compact JSON with fields in declaration order,
    /// so the same record always encodes to the same bytes.
    pub fn canonical_json(&self) -> Vec<u8> {
        // Serialising plain data with string keys cannot fail.
        serde_json::to_vec(self).unwrap_or_default()
    }
}

/// Value per rating across all goods lines, in rating order. A line with several ratings
/// attributes its whole value to its first rating; its other ratings are still listed (with
/// whatever value other lines give them, possibly zero) so the public sees every rating.
pub fn rating_values(app: &Application) -> Vec<RatingValue> {
    rating_values_of_lines(
        app.goods
            .iter()
            .map(|line| (line.value.minor, line.ratings.as_slice())),
    )
}

/// [`rating_values`] over stored goods lines: each line's value (minor units) and its
/// ratings in order.
pub fn rating_values_of_lines<'a>(
    lines: impl IntoIterator<Item = (i64, &'a [Rating])>,
) -> Vec<RatingValue> {
    let mut out: Vec<RatingValue> = Vec::new();
    for (value_minor, ratings) in lines {
        for (i, rating) in ratings.iter().enumerate() {
            let add = if i == 0 { value_minor } else { 0 };
            match out.iter_mut().find(|rv| &rv.rating == rating) {
                Some(rv) => rv.value_minor = rv.value_minor.saturating_add(add),
                None => out.push(RatingValue {
                    rating: rating.clone(),
                    value_minor: add,
                }),
            }
        }
    }
    out.sort_by(|a, b| a.rating.cmp(&b.rating));
    out
}

/// A short public description of the goods from the control-list entries of their ratings
/// (never from the exporter's confidential description), e.g.
/// "ML15: Imaging and countermeasure equipment…; 6A003: Cameras…".
pub fn goods_summary(ratings: &[RatingValue], list: &ControlList) -> String {
    let bases = ratings.iter().map(|rv| rv.rating.base());
    let mut seen: Vec<&str> = Vec::new();
    let mut parts: Vec<String> = Vec::new();
    for base in bases {
        if seen.contains(&base) {
            continue;
        }
        seen.push(base);
        parts.push(match list.get(base) {
            Some(entry) => format!("{base}: {}", entry.description),
            None => base.to_string(),
        });
    }
    let full = parts.join("; ");
    if full.chars().count() <= MAX_GOODS_SUMMARY_CHARS {
        return full;
    }
    // Keep whole parts while they fit, then say how many were left out.
    let mut summary = String::new();
    for (i, part) in parts.iter().enumerate() {
        let more = format!("; and {} more", parts.len() - i);
        let candidate_len = summary.chars().count() + 2 + part.chars().count();
        if candidate_len + more.chars().count() > MAX_GOODS_SUMMARY_CHARS {
            if summary.is_empty() {
                // Even the first part is too long: cut it at a character boundary.
                let room = MAX_GOODS_SUMMARY_CHARS - more.chars().count() - 1;
                summary = part.chars().take(room).collect::<String>() + "…";
                let rest = parts.len() - 1;
                if rest > 0 {
                    summary.push_str(&format!("; and {rest} more"));
                }
            } else {
                summary.push_str(&more);
            }
            return summary;
        }
        if !summary.is_empty() {
            summary.push_str("; ");
        }
        summary.push_str(part);
    }
    summary
}

#[cfg(test)]
#[path = "record_tests.rs"]
mod tests;
