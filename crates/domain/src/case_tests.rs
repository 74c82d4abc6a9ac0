use super::*;

use CaseStatus::*;

/// The expected graph, written out by hand: one row per status, one column per action in
/// `CaseAction::ALL` order. `None` means refused.
const EXPECTED: [(CaseStatus, [Option<CaseStatus>; 13]); 8] = [
    //            EditDraft     Submit           Assign             AskExporter             ExporterResponds   RequestAdvice      GiveAdvice         SubmitForDecision       ReturnToCaseworker Finalise         FinaliseForCountersign     Countersign      Withdraw
    (
        Draft,
        [
            Some(Draft),
            Some(Submitted),
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
        ],
    ),
    (
        Submitted,
        [
            None,
            None,
            Some(UnderReview),
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            Some(Withdrawn),
        ],
    ),
    (
        UnderReview,
        [
            None,
            None,
            Some(UnderReview),
            Some(AwaitingExporter),
            None,
            Some(UnderReview),
            Some(UnderReview),
            Some(UnderFinalReview),
            None,
            None,
            None,
            None,
            Some(Withdrawn),
        ],
    ),
    (
        AwaitingExporter,
        [
            None,
            None,
            None,
            None,
            Some(UnderReview),
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            Some(Withdrawn),
        ],
    ),
    (
        UnderFinalReview,
        [
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            Some(UnderReview),
            Some(Finalised),
            Some(AwaitingCountersign),
            None,
            None,
        ],
    ),
    (
        AwaitingCountersign,
        [
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            Some(UnderReview),
            None,
            None,
            Some(Finalised),
            None,
        ],
    ),
    (
        Finalised,
        [
            None, None, None, None, None, None, None, None, None, None, None, None, None,
        ],
    ),
    (
        Withdrawn,
        [
            None, None, None, None, None, None, None, None, None, None, None, None, None,
        ],
    ),
];

#[test]
fn status_graph_matches_the_hand_written_table() {
    let mut checked = 0;
    for (from, row) in EXPECTED {
        for (action, expected) in CaseAction::ALL.into_iter().zip(row) {
            let got = next_status(from, action);
            match expected {
                Some(to) => assert_eq!(got, Ok(to), "{from:?} --{action:?}-->"),
                None => assert_eq!(
                    got,
                    Err(TransitionError { from, action }),
                    "{from:?} --{action:?}-->"
                ),
            }
            checked += 1;
        }
    }
    assert_eq!(checked, CaseStatus::ALL.len() * CaseAction::ALL.len());
    let rows: Vec<CaseStatus> = EXPECTED.iter().map(|(s, _)| *s).collect();
    assert_eq!(rows, CaseStatus::ALL);
}

#[test]
fn refusals_read_as_sentences() {
    let table = [
        (
            UnderReview,
            CaseAction::Countersign,
            "cannot countersign a case that is under review",
        ),
        (
            Draft,
            CaseAction::Assign,
            "cannot assign a case that is a draft",
        ),
        (
            Finalised,
            CaseAction::Withdraw,
            "cannot withdraw a case that is finalised",
        ),
        (
            Submitted,
            CaseAction::AskExporter,
            "cannot ask the exporter about a case that is submitted",
        ),
        (
            AwaitingCountersign,
            CaseAction::Finalise,
            "cannot finalise a case that is awaiting countersignature",
        ),
        (
            Withdrawn,
            CaseAction::EditDraft,
            "cannot edit a case that is withdrawn",
        ),
    ];
    for (from, action, message) in table {
        assert_eq!(next_status(from, action).unwrap_err().to_string(), message);
    }
}

#[test]
fn terminal_statuses_have_no_way_out_and_others_do() {
    for status in CaseStatus::ALL {
        assert_eq!(
            status.is_terminal(),
            status.allowed_actions().is_empty(),
            "{status:?}"
        );
    }
    assert!(Finalised.is_terminal() && Withdrawn.is_terminal());
    assert_eq!(
        UnderFinalReview.allowed_actions(),
        [
            CaseAction::ReturnToCaseworker,
            CaseAction::Finalise,
            CaseAction::FinaliseForCountersign
        ]
    );
}

#[test]
fn every_status_is_reachable_from_draft() {
    let mut reached = vec![Draft];
    let mut frontier = vec![Draft];
    while let Some(s) = frontier.pop() {
        for a in s.allowed_actions() {
            let to = next_status(s, a).unwrap();
            if !reached.contains(&to) {
                reached.push(to);
                frontier.push(to);
            }
        }
    }
    reached.sort();
    assert_eq!(reached, CaseStatus::ALL);
}

#[test]
fn string_forms_round_trip() {
    let statuses = [
        (Draft, "draft"),
        (Submitted, "submitted"),
        (UnderReview, "under_review"),
        (AwaitingExporter, "awaiting_exporter"),
        (UnderFinalReview, "under_final_review"),
        (AwaitingCountersign, "awaiting_countersign"),
        (Finalised, "finalised"),
        (Withdrawn, "withdrawn"),
    ];
    for (status, text) in statuses {
        assert_eq!(status.as_str(), text);
        assert_eq!(text.parse::<CaseStatus>(), Ok(status));
        assert_eq!(
            serde_json::to_string(&status).unwrap(),
            format!("\"{text}\"")
        );
        assert!(!status.label().is_empty());
    }
    for action in CaseAction::ALL {
        assert_eq!(action.as_str().parse::<CaseAction>(), Ok(action));
        assert_eq!(
            serde_json::to_string(&action).unwrap(),
            format!("\"{}\"", action.as_str())
        );
    }
    for kind in CaseKind::ALL {
        assert_eq!(kind.as_str().parse::<CaseKind>(), Ok(kind));
    }
    let err = "closed".parse::<CaseStatus>().unwrap_err();
    assert_eq!(err.to_string(), "unknown case status \"closed\"");
}

#[test]
fn licence_types() {
    use LicenceType::*;
    let table = [
        (StandardIndividual, "siel", 24, ReferencePrefix::Siel),
        (OpenIndividual, "oiel", 60, ReferencePrefix::Oiel),
    ];
    for (t, text, months, prefix) in table {
        assert_eq!(t.as_str(), text);
        assert_eq!(text.parse::<LicenceType>(), Ok(t));
        assert_eq!(text.to_uppercase().parse::<LicenceType>(), Ok(t));
        assert_eq!(t.default_validity_months(), months);
        assert_eq!(t.reference_prefix(), prefix);
        assert_eq!(serde_json::to_string(&t).unwrap(), format!("\"{text}\""));
        assert!(t.label().ends_with("export licence"));
    }
    assert!("sitl".parse::<LicenceType>().is_err());
}
