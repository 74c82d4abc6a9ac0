use super::*;
use crate::appeal::NotAppealable;
use CaseStatus as S;

/// A case as far along as its status allows: assigned to the actor (when a caseworker looks),
/// advice requested and consolidated, someone else's pending decision, appealable once
/// finalised.
fn full(status: CaseStatus) -> CaseFacts {
    CaseFacts {
        status,
        assignee: Assignee::Actor,
        advice_complete: true,
        final_advice: true,
        pending_decision_is_actors: false,
        appealable: if status == S::Finalised {
            Ok(())
        } else {
            Err(NotAppealable::NotRefused)
        },
    }
}

fn names(commands: &[CaseCommand]) -> String {
    commands
        .iter()
        .map(|c| c.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Hand-written: for each role, the commands offered in each status (in `CaseStatus::ALL`
/// order: draft, submitted, under review, awaiting exporter, under final review, awaiting
/// countersign, finalised, withdrawn).
const EXPECTED: [(Role, [&str; 8]); 7] = [
    (
        Role::Exporter,
        [
            "edit submit",
            "withdraw",
            "withdraw",
            "withdraw answer",
            "",
            "",
            "appeal",
            "",
        ],
    ),
    (
        Role::Caseworker,
        [
            "history",
            "history",
            "ask advice-request final-advice submit-for-decision history",
            "history",
            "history",
            "history",
            "history",
            "history",
        ],
    ),
    (Role::Adviser, ["", "", "advice", "", "", "", "", ""]),
    (
        Role::DecisionMaker,
        [
            "history",
            "history",
            "history",
            "history",
            "finalise return history",
            "countersign return history",
            "history",
            "history",
        ],
    ),
    (Role::Policy, ["history"; 8]),
    (Role::Oversight, ["history"; 8]),
    (Role::Admin, [""; 8]),
];

#[test]
fn every_role_in_every_status_matches_the_table() {
    assert_eq!(EXPECTED.map(|(r, _)| r), Role::ALL);
    for (role, row) in EXPECTED {
        for (status, want) in S::ALL.into_iter().zip(row) {
            let got = names(&available_actions(role, &full(status)));
            assert_eq!(got, want, "{role:?} on a case {status:?}");
        }
    }
}

#[test]
fn a_caseworker_takes_a_case_before_working_it() {
    let at = |status, assignee| CaseFacts {
        assignee,
        ..full(status)
    };
    let cw = |f: CaseFacts| names(&available_actions(Role::Caseworker, &f));
    assert_eq!(cw(at(S::Submitted, Assignee::Nobody)), "assign history");
    assert_eq!(cw(at(S::UnderReview, Assignee::Nobody)), "assign history");
    assert_eq!(
        cw(at(S::UnderReview, Assignee::Colleague)),
        "assign history"
    );
    assert_eq!(
        check_command(
            Role::Caseworker,
            CaseCommand::AskQuestion,
            &at(S::UnderReview, Assignee::Colleague)
        ),
        Err(Refusal::NotYours(NotYours::Colleague))
    );
    assert_eq!(
        check_command(
            Role::Caseworker,
            CaseCommand::Take,
            &at(S::UnderReview, Assignee::Actor)
        ),
        Err(Refusal::AlreadyYours)
    );
}

#[test]
fn advice_and_decisions_wait_for_what_they_rest_on() {
    let cw = |f: CaseFacts| names(&available_actions(Role::Caseworker, &f));
    let no_advice = CaseFacts {
        advice_complete: false,
        final_advice: false,
        ..full(S::UnderReview)
    };
    assert_eq!(cw(no_advice), "ask advice-request history");
    let requested = CaseFacts {
        advice_complete: true,
        ..no_advice
    };
    assert_eq!(cw(requested), "ask advice-request final-advice history");

    let own = CaseFacts {
        pending_decision_is_actors: true,
        ..full(S::AwaitingCountersign)
    };
    assert_eq!(
        names(&available_actions(Role::DecisionMaker, &own)),
        "return history"
    );
    assert_eq!(
        check_command(Role::DecisionMaker, CaseCommand::Countersign, &own),
        Err(Refusal::OwnDecision)
    );
    assert!(may_countersign("dm1", "dm2"));
    assert!(!may_countersign("dm1", "dm1"));
}

#[test]
fn refusals_say_who_may_not_and_what_is_illegal_now() {
    let r = check_command(
        Role::Adviser,
        CaseCommand::Finalise,
        &full(S::UnderFinalReview),
    );
    assert_eq!(r, Err(Refusal::Role(CaseCommand::Finalise)));
    assert!(r.unwrap_err().is_forbidden());
    assert_eq!(r.unwrap_err().to_string(), "you may not decide cases");
    let r = check_command(
        Role::DecisionMaker,
        CaseCommand::Finalise,
        &full(S::Finalised),
    );
    assert_eq!(
        r.unwrap_err().to_string(),
        "cannot finalise a case that is finalised"
    );
    assert!(!r.unwrap_err().is_forbidden());
    let closed = CaseFacts {
        appealable: Err(NotAppealable::AlreadyAppealed),
        ..full(S::Finalised)
    };
    assert_eq!(
        check_command(Role::Exporter, CaseCommand::Appeal, &closed),
        Err(Refusal::NotAppealable(NotAppealable::AlreadyAppealed))
    );
}

#[test]
fn every_command_has_roles_and_a_name_that_parses() {
    for c in CaseCommand::ALL {
        assert!(!roles_for(c).is_empty(), "{c:?}");
        assert_eq!(c.as_str().parse::<CaseCommand>(), Ok(c));
    }
    assert!("delete".parse::<CaseCommand>().is_err());
}

/// Hand-written: the licence actions offered per role and status.
#[test]
fn licence_actions_per_role_and_status() {
    use LicenceStatus as L;
    let names = |role, status| {
        available_licence_actions(role, status)
            .iter()
            .map(|a| a.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    };
    let expected = [
        (Role::DecisionMaker, L::Issued, "suspend revoke"),
        (Role::Policy, L::Suspended, "reinstate revoke"),
        (Role::DecisionMaker, L::Revoked, ""),
        (Role::Exporter, L::Issued, "surrender exhaust"),
        (Role::Exporter, L::Suspended, ""),
        (Role::Caseworker, L::Issued, ""),
        (Role::Oversight, L::Issued, ""),
        (Role::Admin, L::Issued, ""),
    ];
    for (role, status, want) in expected {
        assert_eq!(names(role, status), want, "{role:?} on {status:?}");
    }
}
