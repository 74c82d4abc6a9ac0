//! Who may work a case. A caseworker acts only on cases assigned to them: one named official
//! answers for each case's handling. Taking over a colleague's case is allowed, but it is a
//! reassignment, recorded as such, never a silent edit of someone else's work.

use crate::case::CaseAction;

/// Whom a case is assigned to, seen from the caseworker who wants to act on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Assignee {
    Nobody,
    /// The caseworker asking.
    Actor,
    /// Another caseworker.
    Colleague,
}

impl Assignee {
    /// Compare the case's assignee with the acting user (ids in any comparable form).
    pub fn of<T: PartialEq>(assigned_to: Option<&T>, actor: &T) -> Self {
        match assigned_to {
            None => Self::Nobody,
            Some(a) if a == actor => Self::Actor,
            Some(_) => Self::Colleague,
        }
    }
}

/// Why a caseworker may not act on a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum NotYours {
    #[error("take the case first")]
    Unassigned,
    #[error("the case is assigned to a colleague; take it over first")]
    Colleague,
}

/// The caseworker actions that only the assigned caseworker may take. Taking the case
/// (`Assign`) is how a caseworker becomes the assignee, so it is not among them.
pub const fn needs_assignee(action: CaseAction) -> bool {
    matches!(
        action,
        CaseAction::AskExporter
            | CaseAction::RequestAdvice
            | CaseAction::GiveAdvice
            | CaseAction::SubmitForDecision
    )
}

/// May a caseworker take `action` on a case assigned as `assignee`?
pub fn caseworker_may(action: CaseAction, assignee: Assignee) -> Result<(), NotYours> {
    match (needs_assignee(action), assignee) {
        (false, _) | (true, Assignee::Actor) => Ok(()),
        (true, Assignee::Nobody) => Err(NotYours::Unassigned),
        (true, Assignee::Colleague) => Err(NotYours::Colleague),
    }
}

/// What taking a case amounts to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Taking {
    /// Nobody had it: `case.assign`.
    Assign,
    /// A colleague had it: `case.reassign`, naming the previous assignee.
    Reassign,
    /// Already the actor's: nothing to do.
    AlreadyYours,
}

impl Taking {
    pub const fn of(assignee: Assignee) -> Self {
        match assignee {
            Assignee::Nobody => Self::Assign,
            Assignee::Colleague => Self::Reassign,
            Assignee::Actor => Self::AlreadyYours,
        }
    }

    /// The audit action recorded.
    pub const fn audit_action(self) -> &'static str {
        match self {
            Self::Assign | Self::AlreadyYours => "case.assign",
            Self::Reassign => "case.reassign",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_assignee_works_the_case() {
        use Assignee::*;
        for action in CaseAction::ALL {
            for (assignee, want) in [
                (Actor, Ok(())),
                (Nobody, Err(NotYours::Unassigned)),
                (Colleague, Err(NotYours::Colleague)),
            ] {
                let got = caseworker_may(action, assignee);
                if needs_assignee(action) {
                    assert_eq!(got, want, "{action:?} {assignee:?}");
                } else {
                    assert_eq!(got, Ok(()), "{action:?} {assignee:?}");
                }
            }
        }
        assert!(needs_assignee(CaseAction::SubmitForDecision));
        assert!(!needs_assignee(CaseAction::Assign));
        assert!(!needs_assignee(CaseAction::Finalise));
    }

    #[test]
    fn taking_over_is_a_reassignment() {
        assert_eq!(Taking::of(Assignee::Nobody).audit_action(), "case.assign");
        assert_eq!(
            Taking::of(Assignee::Colleague).audit_action(),
            "case.reassign"
        );
        assert_eq!(Assignee::of(Some(&1), &1), Assignee::Actor);
        assert_eq!(Assignee::of(Some(&2), &1), Assignee::Colleague);
        assert_eq!(Assignee::of(None, &1), Assignee::Nobody);
    }
}
