//! Destination assessments: per destination and criterion, what the government finds (no
//! concern, caution, clear risk), the licences the finding is about (a [`ScopeRule`]), the
//! evidence and reasons, and a public summary. Versions are kept; a new version never edits an
//! old one. Recording a clear risk (or widening one) offers a review of every extant licence it
//! touches; withdrawing one offers a reinstatement review of the licences it suspended.

use serde::{Deserialize, Serialize};

use crate::application::ValidationErrors;
use crate::case::str_enum;
use crate::country::CountryCode;
use crate::criteria::{CriteriaSet, CriterionCode};
use crate::scope::{parse_scope_rule, ClausesInput, ExclusionInput, ScopeRule};
use crate::text::{check_text, TextRule};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Finding {
    NoConcern,
    Caution,
    ClearRisk,
}

impl Finding {
    pub const ALL: [Finding; 3] = [Self::NoConcern, Self::Caution, Self::ClearRisk];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::NoConcern => "no_concern",
            Self::Caution => "caution",
            Self::ClearRisk => "clear_risk",
        }
    }

    pub const fn label(self) -> &'static str {
        match self {
            Self::NoConcern => "No concern",
            Self::Caution => "Caution",
            Self::ClearRisk => "Clear risk",
        }
    }
}
str_enum!(Finding, "finding");

pub const EVIDENCE: TextRule = TextRule::new(20, 50_000, true);
pub const ASSESSMENT_REASONS: TextRule = TextRule::new(20, 20_000, true);
pub const LEGAL_BASIS: TextRule = TextRule::new(5, 1000, true);
pub const PUBLIC_SUMMARY: TextRule = TextRule::new(20, 5000, true);

/// One version of an assessment, checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assessment {
    pub destination: CountryCode,
    pub criterion: CriterionCode,
    pub finding: Finding,
    pub rule: ScopeRule,
    pub evidence: String,
    pub reasons: String,
    pub legal_basis: String,
    pub public_summary: String,
}

/// An assessment as typed by a policy user.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AssessmentInput {
    pub destination: String,
    pub criterion: String,
    pub finding: String,
    /// The scope; its destinations default to the assessment's destination.
    pub scope: ClausesInput,
    pub exclusions: Vec<ExclusionInput>,
    pub evidence: String,
    pub reasons: String,
    pub legal_basis: String,
    pub public_summary: String,
}

impl AssessmentInput {
    /// Every problem at once, by field; criteria are cited from the UK criteria.
    pub fn parse(&self) -> Result<Assessment, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let destination = CountryCode::parse(&self.destination)
            .map_err(|e| errors.push("destination", e.to_string()))
            .ok();
        let criterion = CriteriaSet::uk_selc()
            .parse_citation(&self.criterion)
            .map_err(|e| errors.push("criterion", e.to_string()))
            .ok();
        let finding = Finding::ALL.into_iter().find(|f| {
            f.as_str().eq_ignore_ascii_case(self.finding.trim())
                || f.label().eq_ignore_ascii_case(self.finding.trim())
        });
        if finding.is_none() {
            errors.push("finding", "choose no concern, caution or clear risk");
        }
        let mut text = |field: &str, value: &str, rule: TextRule| {
            check_text(value, rule)
                .map_err(|e| errors.push(field, e.to_string()))
                .ok()
                .map(str::to_string)
        };
        let evidence = text("evidence", &self.evidence, EVIDENCE);
        let reasons = text("reasons", &self.reasons, ASSESSMENT_REASONS);
        let legal_basis = text("legal_basis", &self.legal_basis, LEGAL_BASIS);
        let public_summary = text("public_summary", &self.public_summary, PUBLIC_SUMMARY);
        let mut scope = self.scope.clone();
        if scope.destinations.trim().is_empty() {
            scope.destinations = self.destination.clone();
        }
        let rule = match parse_scope_rule(&scope, &self.exclusions) {
            Ok(rule) => Some(rule),
            Err(e) => {
                for f in e.0 {
                    // A bad destination is reported once, under the assessment's own field.
                    if f.field == "destinations" && self.scope.destinations.trim().is_empty() {
                        continue;
                    }
                    errors.push(format!("scope.{}", f.field), f.message);
                }
                None
            }
        };
        if let (Some(d), Some(r)) = (destination, &rule) {
            if !r.applies().destinations.contains(&d) {
                errors.push(
                    "scope.destinations",
                    format!(
                        "the scope must include the assessed destination ({})",
                        d.as_str()
                    ),
                );
            }
        }
        match (destination, criterion, finding, rule) {
            (Some(destination), Some(criterion), Some(finding), Some(rule))
                if errors.0.is_empty() =>
            {
                Ok(Assessment {
                    destination,
                    criterion,
                    finding,
                    rule,
                    evidence: evidence.unwrap_or_default(),
                    reasons: reasons.unwrap_or_default(),
                    legal_basis: legal_basis.unwrap_or_default(),
                    public_summary: public_summary.unwrap_or_default(),
                })
            }
            _ => Err(errors),
        }
    }
}

/// What a new version of an assessment calls for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewOffer {
    /// A clear risk is found (or its scope changed): review the licences it touches.
    Restriction,
    /// A clear risk is withdrawn: review the licences it suspended.
    Reinstatement,
    /// Nothing to review.
    None,
}

impl Assessment {
    /// Whether recording `self` after `previous` (the current version, if any) should open a
    /// review. A clear risk whose scope is unchanged needs no new review.
    pub fn review_offer(&self, previous: Option<&Assessment>) -> ReviewOffer {
        let was_clear = previous.is_some_and(|p| p.finding == Finding::ClearRisk);
        match (was_clear, self.finding == Finding::ClearRisk) {
            (false, true) => ReviewOffer::Restriction,
            (true, true) if previous.is_some_and(|p| p.rule != self.rule) => {
                ReviewOffer::Restriction
            }
            (true, false) => ReviewOffer::Reinstatement,
            _ => ReviewOffer::None,
        }
    }
}

/// How a review treats one extant licence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewOutcome {
    Suspend,
    Revoke,
    /// Kept despite the finding, with a stated exemption.
    Keep,
    /// In a reinstatement review: the suspension ends.
    Reinstate,
    /// In a reinstatement review: stays suspended (for example under another finding).
    KeepSuspended,
}

impl ReviewOutcome {
    pub const ALL: [ReviewOutcome; 5] = [
        Self::Suspend,
        Self::Revoke,
        Self::Keep,
        Self::Reinstate,
        Self::KeepSuspended,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Suspend => "suspend",
            Self::Revoke => "revoke",
            Self::Keep => "keep",
            Self::Reinstate => "reinstate",
            Self::KeepSuspended => "keep_suspended",
        }
    }

    pub const fn label(self) -> &'static str {
        match self {
            Self::Suspend => "Suspend",
            Self::Revoke => "Revoke",
            Self::Keep => "Keep, with an exemption",
            Self::Reinstate => "Reinstate",
            Self::KeepSuspended => "Keep suspended",
        }
    }

    /// What the outcome does to the licence; keeping it changes nothing.
    pub const fn licence_action(self) -> Option<crate::licence::LicenceAction> {
        use crate::licence::LicenceAction as A;
        match self {
            Self::Suspend => Some(A::Suspend),
            Self::Revoke => Some(A::Revoke),
            Self::Reinstate => Some(A::Reinstate),
            Self::Keep | Self::KeepSuspended => None,
        }
    }

    /// The outcomes a review of `kind` may record.
    pub const fn allowed_in(kind: ReviewKind) -> &'static [ReviewOutcome] {
        match kind {
            ReviewKind::Restriction => &[Self::Suspend, Self::Revoke, Self::Keep],
            ReviewKind::Reinstatement => &[Self::Reinstate, Self::KeepSuspended, Self::Revoke],
            ReviewKind::Screening => &[Self::Suspend, Self::Revoke, Self::Keep],
        }
    }
}
str_enum!(ReviewOutcome, "review outcome");

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewKind {
    Restriction,
    Reinstatement,
    /// Opened when a party of a licence in force is found, and confirmed, on a list: the
    /// listed entry chose the licences, not a scope rule.
    Screening,
}

impl ReviewKind {
    pub const ALL: [ReviewKind; 3] = [Self::Restriction, Self::Reinstatement, Self::Screening];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Restriction => "restriction",
            Self::Reinstatement => "reinstatement",
            Self::Screening => "screening",
        }
    }

    /// Whether the review's licences were chosen by a scope rule (which it then keeps).
    pub const fn has_scope_rule(self) -> bool {
        match self {
            Self::Restriction | Self::Reinstatement => true,
            Self::Screening => false,
        }
    }
}

str_enum!(ReviewKind, "review kind");

#[cfg(test)]
#[path = "assessment_tests.rs"]
mod tests;
