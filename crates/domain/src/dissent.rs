//! Dissent: a named official's recorded disagreement with advice, final advice, a decision, a
//! destination assessment or a review outcome. It must be answered on substance — every point,
//! with reasons that cite the criteria or the evidence — by a deadline; while unanswered it
//! blocks a decision on its case; unanswered past the deadline, or not accepted, it goes to
//! oversight, whose finding is final. The whole life is one status graph ([`next_dissent_status`]).
use serde::{Deserialize, Serialize};

use crate::application::FieldError;
use crate::case::str_enum;
use crate::criteria::CriterionCode;
use crate::ids::UserId;
use crate::role::Role;
use crate::text::{check_text, TextRule};

/// What a dissent disagrees with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DissentSubject {
    /// A team's advice on a case.
    Advice,
    /// The caseworker's consolidated final advice.
    FinalAdvice,
    /// A case's decision, pending or taken.
    Decision,
    /// A version of a destination assessment.
    Assessment,
    /// A review's outcome on a licence.
    ReviewOutcome,
}

impl DissentSubject {
    pub const ALL: [DissentSubject; 5] = [
        Self::Advice,
        Self::FinalAdvice,
        Self::Decision,
        Self::Assessment,
        Self::ReviewOutcome,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Advice => "advice",
            Self::FinalAdvice => "final_advice",
            Self::Decision => "decision",
            Self::Assessment => "assessment",
            Self::ReviewOutcome => "review_outcome",
        }
    }

    pub const fn label(self) -> &'static str {
        match self {
            Self::Advice => "Advice",
            Self::FinalAdvice => "Final advice",
            Self::Decision => "Decision",
            Self::Assessment => "Destination assessment",
            Self::ReviewOutcome => "Review outcome",
        }
    }

    /// Whether the subject belongs to a case (and so may hold up its decision).
    pub const fn on_case(self) -> bool {
        matches!(self, Self::Advice | Self::FinalAdvice | Self::Decision)
    }

    /// The role with authority to answer: the decision-maker for what is decided on a case
    /// or in a review, policy (its head) for an assessment.
    pub const fn responder_role(self) -> Role {
        match self {
            Self::Advice | Self::FinalAdvice | Self::Decision | Self::ReviewOutcome => {
                Role::DecisionMaker
            }
            Self::Assessment => Role::Policy,
        }
    }
}
str_enum!(DissentSubject, "dissent subject");

/// Who may record a dissent.
pub const FILERS: [Role; 4] = [
    Role::Adviser,
    Role::Caseworker,
    Role::DecisionMaker,
    Role::Policy,
];

/// Where a dissent stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DissentStatus {
    /// Waiting for the responder's answer.
    Open,
    /// Answered on every point; waiting for the dissenter to accept it or escalate.
    Answered,
    /// The dissenter accepted the answer.
    Accepted,
    /// Before oversight: not accepted, or not answered by the deadline.
    Escalated,
    /// Oversight's finding is recorded; final.
    Concluded,
}

impl DissentStatus {
    pub const ALL: [DissentStatus; 5] = [
        Self::Open,
        Self::Answered,
        Self::Accepted,
        Self::Escalated,
        Self::Concluded,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Answered => "answered",
            Self::Accepted => "accepted",
            Self::Escalated => "escalated",
            Self::Concluded => "concluded",
        }
    }

    pub const fn label(self) -> &'static str {
        match self {
            Self::Open => "Waiting for an answer",
            Self::Answered => "Answered: waiting for the dissenter",
            Self::Accepted => "Answer accepted",
            Self::Escalated => "With oversight",
            Self::Concluded => "Oversight's finding recorded",
        }
    }

    /// Whether a dissent in this state, answered or not, still holds up a decision on its
    /// case: until someone with authority has answered it (or oversight has concluded).
    pub const fn holds_up_decision(self, answered: bool) -> bool {
        match self {
            Self::Open => true,
            Self::Escalated => !answered,
            Self::Answered | Self::Accepted | Self::Concluded => false,
        }
    }
}
str_enum!(DissentStatus, "dissent status");

/// What happens to a dissent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DissentEvent {
    Answer,
    Accept,
    Escalate,
    DeadlinePassed,
    Finding,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a dissent that is {} cannot be {}", from.label().to_lowercase(), event_label(*event))]
pub struct DissentTransitionError {
    pub from: DissentStatus,
    pub event: DissentEvent,
}

impl DissentEvent {
    /// The path segment of the step (`/dissents/{id}/answer`).
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Answer => "answer",
            Self::Accept => "accept",
            Self::Escalate => "escalate",
            Self::DeadlinePassed => "deadline_passed",
            Self::Finding => "finding",
        }
    }
}

fn event_label(e: DissentEvent) -> &'static str {
    match e {
        DissentEvent::Answer => "answered",
        DissentEvent::Accept => "accepted",
        DissentEvent::Escalate => "escalated",
        DissentEvent::DeadlinePassed => "escalated for a missed deadline",
        DissentEvent::Finding => "given oversight's finding",
    }
}

/// The whole status graph.
pub fn next_dissent_status(
    from: DissentStatus,
    event: DissentEvent,
) -> Result<DissentStatus, DissentTransitionError> {
    use DissentEvent as E;
    use DissentStatus as S;
    match (from, event) {
        (S::Open, E::Answer) => Ok(S::Answered),
        (S::Open, E::DeadlinePassed) => Ok(S::Escalated),
        (S::Answered, E::Accept) => Ok(S::Accepted),
        (S::Answered, E::Escalate) => Ok(S::Escalated),
        (S::Escalated, E::Finding) => Ok(S::Concluded),
        (from, event) => Err(DissentTransitionError { from, event }),
    }
}

/// How someone stands to a dissent.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DissentParty {
    pub dissenter: bool,
    pub responder: bool,
    pub oversight: bool,
}

/// Whether `party` may take `event`: the responder answers, the dissenter accepts or
/// escalates, oversight finds; the deadline passing is the system's alone.
pub const fn may_take(event: DissentEvent, party: DissentParty) -> bool {
    match event {
        DissentEvent::Answer => party.responder,
        DissentEvent::Accept | DissentEvent::Escalate => party.dissenter,
        DissentEvent::Finding => party.oversight,
        DissentEvent::DeadlinePassed => false,
    }
}

/// The steps `party` may take on a dissent in `status` now: what a page offers.
pub fn available_steps(status: DissentStatus, party: DissentParty) -> Vec<DissentEvent> {
    [
        DissentEvent::Answer,
        DissentEvent::Accept,
        DissentEvent::Escalate,
        DissentEvent::Finding,
    ]
    .into_iter()
    .filter(|e| may_take(*e, party) && next_dissent_status(status, *e).is_ok())
    .collect()
}

/// The named responder: `preferred` (who took or is taking the decision) when eligible, else
/// the first eligible candidate. Eligible: the subject's responder role, never the dissenter.
pub fn choose_responder(
    subject: DissentSubject,
    dissenter: UserId,
    candidates: &[(UserId, Role)],
    preferred: Option<UserId>,
) -> Option<UserId> {
    let eligible =
        |&(id, role): &(UserId, Role)| role == subject.responder_role() && id != dissenter;
    let all: Vec<UserId> = candidates
        .iter()
        .filter(|c| eligible(c))
        .map(|c| c.0)
        .collect();
    match preferred {
        Some(p) if all.contains(&p) => Some(p),
        _ => all.first().copied(),
    }
}

/// Points of disagreement: one per line; at most [`MAX_POINTS`].
pub const MAX_POINTS: usize = 20;
const POINT: TextRule = TextRule::new(10, 2000, false);
const EVIDENCE: TextRule = TextRule::new(20, 20_000, true);
const STATEMENT: TextRule = TextRule::new(20, 5000, true);

/// One numbered point of disagreement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Point {
    pub number: u32,
    pub text: String,
}

/// A dissent as filed, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DissentFiling {
    pub subject: DissentSubject,
    pub points: Vec<Point>,
    pub criteria: Vec<CriterionCode>,
    pub evidence: String,
}

pub(crate) fn problem(field: impl Into<String>, message: impl Into<String>) -> FieldError {
    FieldError {
        field: field.into(),
        message: message.into(),
    }
}

/// Check a dissent: the points (one per non-empty line, numbered in order), at least one
/// criterion (already parsed by the caller against the criteria in force), and the evidence.
pub fn check_filing(
    subject: DissentSubject,
    points: &str,
    criteria: Vec<CriterionCode>,
    evidence: &str,
) -> Result<DissentFiling, Vec<FieldError>> {
    let mut problems = Vec::new();
    let lines: Vec<&str> = points
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    if lines.is_empty() {
        problems.push(problem(
            "points",
            "state at least one point of disagreement",
        ));
    }
    if lines.len() > MAX_POINTS {
        problems.push(problem(
            "points",
            format!(
                "state at most {MAX_POINTS} points (one per line); you gave {}",
                lines.len()
            ),
        ));
    }
    let mut parsed = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let number = i as u32 + 1;
        match check_text(line, POINT) {
            Ok(text) => parsed.push(Point {
                number,
                text: text.to_string(),
            }),
            Err(e) => problems.push(problem("points", format!("point {number}: {e}"))),
        }
    }
    if criteria.is_empty() {
        problems.push(problem(
            "criteria",
            "name at least one criterion the disagreement concerns",
        ));
    }
    let evidence = match check_text(evidence, EVIDENCE) {
        Ok(e) => e.to_string(),
        Err(e) => {
            problems.push(problem("evidence", e.to_string()));
            String::new()
        }
    };
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut criteria = criteria;
    criteria.sort();
    criteria.dedup();
    Ok(DissentFiling {
        subject,
        points: parsed,
        criteria,
        evidence,
    })
}

/// The dissenter's statement when escalating, or oversight's finding.
pub fn check_statement(field: &str, text: &str) -> Result<String, FieldError> {
    check_text(text, STATEMENT)
        .map(str::to_string)
        .map_err(|e| problem(field, e.to_string()))
}

/// Oversight's finding on an escalated dissent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingOutcome {
    /// The dissent was right, in whole or in part.
    Upheld,
    NotUpheld,
}

impl FindingOutcome {
    pub const ALL: [FindingOutcome; 2] = [Self::Upheld, Self::NotUpheld];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Upheld => "upheld",
            Self::NotUpheld => "not_upheld",
        }
    }

    pub const fn label(self) -> &'static str {
        match self {
            Self::Upheld => "Upheld",
            Self::NotUpheld => "Not upheld",
        }
    }
}
str_enum!(FindingOutcome, "finding outcome");

/// Working days to answer, per subject (10 by default).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DissentDeadlines {
    days: [u32; 5],
}

impl Default for DissentDeadlines {
    fn default() -> Self {
        DissentDeadlines { days: [10; 5] }
    }
}

impl DissentDeadlines {
    fn index(subject: DissentSubject) -> usize {
        DissentSubject::ALL
            .iter()
            .position(|s| *s == subject)
            .unwrap_or(0)
    }

    pub fn working_days(&self, subject: DissentSubject) -> u32 {
        self.days[Self::index(subject)]
    }

    /// Parse `decision=5,assessment=15` over the defaults; days from 1 to 60.
    pub fn parse(spec: &str) -> Result<DissentDeadlines, String> {
        let mut d = DissentDeadlines::default();
        for part in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (kind, days) = part
                .split_once('=')
                .ok_or_else(|| format!("{part:?}: write kind=days, e.g. decision=5"))?;
            let subject: DissentSubject = kind.parse().map_err(|_| {
                format!(
                    "{kind:?} is not a dissent subject (advice, final_advice, decision, assessment, review_outcome)"
                )
            })?;
            let days: u32 = days
                .trim()
                .parse()
                .ok()
                .filter(|n| (1..=60).contains(n))
                .ok_or_else(|| format!("{part:?}: days must be a whole number from 1 to 60"))?;
            d.days[Self::index(subject)] = days;
        }
        Ok(d)
    }
}

#[cfg(test)]
#[path = "dissent_tests.rs"]
mod tests;
