//! Decisions and the checks that must pass before one is finalised. `check_finalise` reports
//! every blocker at once, so the decision-maker sees all that stands in the way.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::advice::Consolidated;
use crate::case::CaseStatus;
use crate::criteria::CriterionCode;

/// Shortest reasons or conflict resolution that counts as an explanation.
pub const MIN_EXPLANATION_CHARS: usize = 20;

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Decision {
    Grant { provisos: Vec<String> },
    Refuse { criteria: Vec<CriterionCode> },
    NoLicenceRequired,
}

impl Decision {
    pub const fn as_str(&self) -> &'static str {
        match self {
            Self::Grant { .. } => "grant",
            Self::Refuse { .. } => "refuse",
            Self::NoLicenceRequired => "no_licence_required",
        }
    }

    /// Whether this decision follows the given final advice.
    pub fn follows(&self, advice: &Consolidated) -> bool {
        matches!(
            (self, advice),
            (
                Self::Grant { .. },
                Consolidated::Approve | Consolidated::Proviso(_)
            ) | (Self::Refuse { .. }, Consolidated::Refuse(_))
                | (Self::NoLicenceRequired, Consolidated::NoLicenceRequired)
        )
    }
}

/// The decision a decision-maker chooses, before its details (provisos, criteria) are parsed.
/// Forms and the API name it `grant`, `refuse` or `no_licence_required`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", try_from = "String")]
pub enum DecisionKind {
    /// The default only so inputs can be built field by field; every form names its choice.
    #[default]
    Grant,
    Refuse,
    NoLicenceRequired,
}

impl DecisionKind {
    pub const ALL: [DecisionKind; 3] = [Self::Grant, Self::Refuse, Self::NoLicenceRequired];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Grant => "grant",
            Self::Refuse => "refuse",
            Self::NoLicenceRequired => "no_licence_required",
        }
    }
}

/// A decision name that is none of the three.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown decision {0:?}: use grant, refuse or no_licence_required")]
pub struct UnknownDecision(pub String);

impl std::str::FromStr for DecisionKind {
    type Err = UnknownDecision;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| UnknownDecision(s.chars().take(40).collect()))
    }
}

impl TryFrom<String> for DecisionKind {
    type Error = UnknownDecision;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl fmt::Display for DecisionKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What the service knows about a case when someone tries to finalise it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FinaliseContext {
    pub status: CaseStatus,
    pub final_advice: Consolidated,
    /// Why the decision-maker resolved conflicting advice, or departs from it.
    pub conflict_resolution: Option<String>,
    pub open_questions: usize,
    pub unresolved_screening_matches: usize,
    /// Parties resolved as true matches on a sanctions list (not Probity's own denials).
    pub listed_parties: usize,
    pub unanswered_dissents: usize,
}

/// One reason a case cannot be finalised yet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "blocker", rename_all = "snake_case")]
pub enum Blocker {
    WrongStatus { status: CaseStatus },
    NoFinalAdvice,
    ConflictUnresolved,
    OpenQuestions { count: usize },
    UnresolvedScreeningMatches { count: usize },
    GrantToListedParty { count: usize },
    UnansweredDissents { count: usize },
    RefusalWithoutCriteria,
    DepartsFromAdvice { decision: String },
    ReasonsTooShort,
}

/// "1 question is" / "2 questions are".
fn counted(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one} is")
    } else {
        format!("{n} {many} are")
    }
}

impl fmt::Display for Blocker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let min = MIN_EXPLANATION_CHARS;
        match self {
            Self::WrongStatus { status } => write!(
                f,
                "only a case under final review can be finalised; this one is {}",
                status.label().to_lowercase()
            ),
            Self::NoFinalAdvice => f.write_str("there is no final advice to decide on"),
            Self::ConflictUnresolved => write!(
                f,
                "the final advice conflicts: record how the conflict was resolved (at least {min} characters)"
            ),
            Self::OpenQuestions { count } => write!(
                f,
                "{} still open",
                counted(*count, "question to the exporter", "questions to the exporter")
            ),
            Self::UnresolvedScreeningMatches { count } => write!(
                f,
                "{} not yet resolved",
                counted(*count, "screening match", "screening matches")
            ),
            Self::GrantToListedParty { count } => write!(
                f,
                "a licence cannot be granted: {} a true match on a sanctions list; refuse under criterion {}",
                counted(*count, "party", "parties"),
                crate::screening::SANCTIONS_CRITERION
            ),
            Self::UnansweredDissents { count } => write!(
                f,
                "{} not yet answered",
                counted(*count, "dissent", "dissents")
            ),
            Self::RefusalWithoutCriteria => f.write_str("a refusal must cite at least one criterion"),
            Self::DepartsFromAdvice { decision } => write!(
                f,
                "the decision ({decision}) departs from the final advice: record why (at least {min} characters)"
            ),
            Self::ReasonsTooShort => write!(f, "give reasons of at least {min} characters"),
        }
    }
}

fn long_enough(text: &str) -> bool {
    text.trim().chars().count() >= MIN_EXPLANATION_CHARS
}

/// Every reason the decision cannot be finalised now; empty when it can.
pub fn finalise_blockers(
    ctx: &FinaliseContext,
    decision: &Decision,
    reasons: &str,
) -> Vec<Blocker> {
    let mut blockers = Vec::new();
    if ctx.status != CaseStatus::UnderFinalReview {
        blockers.push(Blocker::WrongStatus { status: ctx.status });
    }
    let resolved = ctx.conflict_resolution.as_deref().is_some_and(long_enough);
    match &ctx.final_advice {
        Consolidated::Empty => blockers.push(Blocker::NoFinalAdvice),
        Consolidated::Conflicting if !resolved => blockers.push(Blocker::ConflictUnresolved),
        Consolidated::Conflicting => {}
        advice if !decision.follows(advice) && !resolved => {
            blockers.push(Blocker::DepartsFromAdvice {
                decision: decision.as_str().to_string(),
            })
        }
        _ => {}
    }
    if ctx.open_questions > 0 {
        blockers.push(Blocker::OpenQuestions {
            count: ctx.open_questions,
        });
    }
    if ctx.unresolved_screening_matches > 0 {
        blockers.push(Blocker::UnresolvedScreeningMatches {
            count: ctx.unresolved_screening_matches,
        });
    }
    if ctx.listed_parties > 0 && matches!(decision, Decision::Grant { .. }) {
        blockers.push(Blocker::GrantToListedParty {
            count: ctx.listed_parties,
        });
    }
    if ctx.unanswered_dissents > 0 {
        blockers.push(Blocker::UnansweredDissents {
            count: ctx.unanswered_dissents,
        });
    }
    if matches!(decision, Decision::Refuse { criteria } if criteria.is_empty()) {
        blockers.push(Blocker::RefusalWithoutCriteria);
    }
    if !long_enough(reasons) {
        blockers.push(Blocker::ReasonsTooShort);
    }
    blockers
}

/// `Ok` when the decision may be finalised, otherwise every blocker.
pub fn check_finalise(
    ctx: &FinaliseContext,
    decision: &Decision,
    reasons: &str,
) -> Result<(), Vec<Blocker>> {
    let blockers = finalise_blockers(ctx, decision, reasons);
    if blockers.is_empty() {
        Ok(())
    } else {
        Err(blockers)
    }
}

#[cfg(test)]
#[path = "decision_tests.rs"]
mod tests;
