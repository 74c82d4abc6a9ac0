//! Which actions are possible now, and for whom: one table of roles × case commands beside
//! the status graph (`case::next_status`) and the assignment rule (`assignment`). The service
//! authorises with it and the pages offer exactly what it allows, so neither copies the rules.

use std::fmt;

use crate::appeal::NotAppealable;
use crate::assignment::{caseworker_may, Assignee, NotYours};
use crate::case::{next_status, CaseAction, CaseStatus, TransitionError, UnknownValue};
use crate::licence::{next_licence_status, LicenceAction, LicenceStatus};
use crate::role::Role;

/// Every command someone may give on one case. `as_str` is the command's name in page URLs
/// (`/cases/{id}/{name}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CaseCommand {
    EditDraft,
    Submit,
    Withdraw,
    AnswerQuestion,
    Appeal,
    /// Take a case nobody has, or take over a colleague's.
    Take,
    AskQuestion,
    RequestAdvice,
    ConsolidateAdvice,
    SubmitForDecision,
    GiveAdvice,
    /// Decide, or record a decision for a second decision-maker to countersign.
    Finalise,
    Countersign,
    ReturnToCaseworker,
    ViewHistory,
}

impl CaseCommand {
    pub const ALL: [CaseCommand; 15] = [
        Self::EditDraft,
        Self::Submit,
        Self::Withdraw,
        Self::AnswerQuestion,
        Self::Appeal,
        Self::Take,
        Self::AskQuestion,
        Self::RequestAdvice,
        Self::ConsolidateAdvice,
        Self::SubmitForDecision,
        Self::GiveAdvice,
        Self::Finalise,
        Self::Countersign,
        Self::ReturnToCaseworker,
        Self::ViewHistory,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::EditDraft => "edit",
            Self::Submit => "submit",
            Self::Withdraw => "withdraw",
            Self::AnswerQuestion => "answer",
            Self::Appeal => "appeal",
            Self::Take => "assign",
            Self::AskQuestion => "ask",
            Self::RequestAdvice => "advice-request",
            Self::ConsolidateAdvice => "final-advice",
            Self::SubmitForDecision => "submit-for-decision",
            Self::GiveAdvice => "advice",
            Self::Finalise => "finalise",
            Self::Countersign => "countersign",
            Self::ReturnToCaseworker => "return",
            Self::ViewHistory => "history",
        }
    }

    /// Completes "you may not …" when the role may not give the command at all.
    pub const fn what(self) -> &'static str {
        match self {
            Self::EditDraft => "apply for licences",
            Self::Submit => "submit applications",
            Self::Withdraw => "withdraw applications",
            Self::AnswerQuestion => "answer questions",
            Self::Appeal => "appeal refusals",
            Self::Take => "take cases",
            Self::AskQuestion => "ask exporters questions",
            Self::RequestAdvice => "request advice",
            Self::ConsolidateAdvice => "consolidate advice",
            Self::SubmitForDecision => "submit cases for decision",
            Self::GiveAdvice => "give advice",
            Self::Finalise => "decide cases",
            Self::Countersign => "countersign decisions",
            Self::ReturnToCaseworker => "return cases",
            Self::ViewHistory => "read a case's audit history",
        }
    }

    /// The status-graph action the command takes, if it moves along the graph.
    pub const fn graph_action(self) -> Option<CaseAction> {
        Some(match self {
            Self::EditDraft => CaseAction::EditDraft,
            Self::Submit => CaseAction::Submit,
            Self::Withdraw => CaseAction::Withdraw,
            Self::AnswerQuestion => CaseAction::ExporterResponds,
            Self::Take => CaseAction::Assign,
            Self::AskQuestion => CaseAction::AskExporter,
            Self::RequestAdvice => CaseAction::RequestAdvice,
            // Consolidating is part of the advice round: legal wherever advice may be given.
            Self::ConsolidateAdvice | Self::GiveAdvice => CaseAction::GiveAdvice,
            Self::SubmitForDecision => CaseAction::SubmitForDecision,
            // Deciding with or without countersigning leaves the same status.
            Self::Finalise => CaseAction::Finalise,
            Self::Countersign => CaseAction::Countersign,
            Self::ReturnToCaseworker => CaseAction::ReturnToCaseworker,
            Self::Appeal | Self::ViewHistory => return None,
        })
    }
}

impl fmt::Display for CaseCommand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for CaseCommand {
    type Err = UnknownValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| UnknownValue::new("case command", s))
    }
}

/// Who may give each command at all. The one table: the status graph, the assignment rule
/// and the facts in `CaseFacts` then say whether they may give it now.
pub const fn roles_for(command: CaseCommand) -> &'static [Role] {
    use CaseCommand as C;
    match command {
        C::EditDraft | C::Submit | C::Withdraw | C::AnswerQuestion | C::Appeal => &[Role::Exporter],
        C::Take
        | C::AskQuestion
        | C::RequestAdvice
        | C::ConsolidateAdvice
        | C::SubmitForDecision => &[Role::Caseworker],
        C::GiveAdvice => &[Role::Adviser],
        C::Finalise | C::Countersign | C::ReturnToCaseworker => &[Role::DecisionMaker],
        C::ViewHistory => &[
            Role::Oversight,
            Role::Caseworker,
            Role::DecisionMaker,
            Role::Policy,
        ],
    }
}

/// May `role` give `command` at all (whatever the case's state)?
pub fn role_may(role: Role, command: CaseCommand) -> bool {
    roles_for(command).contains(&role)
}

/// What, beyond its status, decides which commands a case allows the person looking at it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CaseFacts {
    pub status: CaseStatus,
    /// The case's caseworker, seen from the actor.
    pub assignee: Assignee,
    /// Advice was requested from at least one team, and every team asked has advised.
    pub advice_complete: bool,
    /// The caseworker has consolidated the final advice.
    pub final_advice: bool,
    /// The decision awaiting countersignature was recorded by the actor.
    pub pending_decision_is_actors: bool,
    /// `appeal::check_appeal` for this case, now.
    pub appealable: Result<(), NotAppealable>,
}

impl CaseFacts {
    /// A case in `status` with nothing else to say about it: unassigned, no advice, not
    /// appealable.
    pub const fn at(status: CaseStatus) -> Self {
        Self {
            status,
            assignee: Assignee::Nobody,
            advice_complete: false,
            final_advice: false,
            pending_decision_is_actors: false,
            appealable: Err(NotAppealable::NotRefused),
        }
    }
}

/// Why a command is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// The role never gives this command (403).
    #[error("you may not {}", .0.what())]
    Role(CaseCommand),
    /// The status graph does not allow it now (409).
    #[error(transparent)]
    State(#[from] TransitionError),
    /// Only the assigned caseworker may (403).
    #[error(transparent)]
    NotYours(#[from] NotYours),
    #[error("this case is already yours")]
    AlreadyYours,
    #[error("a decision must be countersigned by a different decision-maker")]
    OwnDecision,
    #[error(transparent)]
    NotAppealable(#[from] NotAppealable),
    #[error("the advice is not complete: request it, and wait for every team asked")]
    AdviceIncomplete,
    #[error("consolidate the final advice first")]
    NoFinalAdvice,
}

impl Refusal {
    /// A refusal because of who is asking, not the case's state.
    pub const fn is_forbidden(self) -> bool {
        matches!(self, Self::Role(_) | Self::NotYours(_))
    }
}

/// A decision awaiting countersignature is countersigned by someone other than its maker.
pub fn may_countersign<T: PartialEq + ?Sized>(decided_by: &T, actor: &T) -> bool {
    decided_by != actor
}

/// May `role` give `command` on a case with these facts now? Combines the role table, the
/// status graph, the assignment rule, and the few preconditions a page can know.
pub fn check_command(role: Role, command: CaseCommand, facts: &CaseFacts) -> Result<(), Refusal> {
    use CaseCommand as C;
    if !role_may(role, command) {
        return Err(Refusal::Role(command));
    }
    if let Some(action) = command.graph_action() {
        next_status(facts.status, action)?;
        if role == Role::Caseworker {
            caseworker_may(action, facts.assignee)?;
        }
    }
    match command {
        C::Take if facts.assignee == Assignee::Actor => Err(Refusal::AlreadyYours),
        C::ConsolidateAdvice if !facts.advice_complete => Err(Refusal::AdviceIncomplete),
        C::SubmitForDecision if !facts.final_advice => Err(Refusal::NoFinalAdvice),
        C::Countersign if facts.pending_decision_is_actors => Err(Refusal::OwnDecision),
        C::Appeal => Ok(facts.appealable?),
        _ => Ok(()),
    }
}

/// The commands `role` may give on a case with these facts now, in `CaseCommand::ALL` order.
pub fn available_actions(role: Role, facts: &CaseFacts) -> Vec<CaseCommand> {
    CaseCommand::ALL
        .into_iter()
        .filter(|c| check_command(role, *c, facts).is_ok())
        .collect()
}

/// Who may take each licence lifecycle action. Expiry is the system's (by date), nobody's.
pub const fn licence_roles_for(action: LicenceAction) -> &'static [Role] {
    match action {
        LicenceAction::Suspend | LicenceAction::Reinstate | LicenceAction::Revoke => {
            &[Role::DecisionMaker, Role::Policy]
        }
        LicenceAction::Surrender | LicenceAction::Exhaust => &[Role::Exporter],
        LicenceAction::Expire => &[],
    }
}

/// Completes "you may not …" for a licence action.
pub const fn licence_action_what(action: LicenceAction) -> &'static str {
    match action {
        LicenceAction::Suspend | LicenceAction::Reinstate | LicenceAction::Revoke => {
            "suspend, reinstate or revoke licences"
        }
        LicenceAction::Surrender | LicenceAction::Exhaust => {
            "surrender a licence or report it used up"
        }
        LicenceAction::Expire => "expire licences (the system does this by date)",
    }
}

/// The lifecycle actions `role` may take on a licence in `status` now.
pub fn available_licence_actions(role: Role, status: LicenceStatus) -> Vec<LicenceAction> {
    LicenceAction::ALL
        .into_iter()
        .filter(|a| licence_roles_for(*a).contains(&role))
        .filter(|a| next_licence_status(status, *a).is_ok())
        .collect()
}

#[cfg(test)]
#[path = "permissions_tests.rs"]
mod tests;
