use super::*;
use crate::dissent_answer::*;

fn code(c: &str) -> CriterionCode {
    CriterionCode::new(c).unwrap()
}

fn points() -> Vec<Point> {
    vec![
        Point {
            number: 1,
            text: "The end user has diverted similar items before.".into(),
        },
        Point {
            number: 2,
            text: "The assessment ignores recent reports of strikes.".into(),
        },
    ]
}

fn answer(number: u32, verdict: &str, reasons: &str) -> PointAnswerInput {
    PointAnswerInput {
        number,
        verdict: verdict.into(),
        reasons: reasons.into(),
    }
}

const GOOD: &str =
    "Under criterion 2c the reports were weighed; the evidence does not show a clear risk.";

#[test]
fn the_status_graph_is_exactly_this() {
    use DissentEvent as E;
    use DissentStatus as S;
    let events = [
        E::Answer,
        E::Accept,
        E::Escalate,
        E::DeadlinePassed,
        E::Finding,
    ];
    let allowed = [
        (S::Open, E::Answer, S::Answered),
        (S::Open, E::DeadlinePassed, S::Escalated),
        (S::Answered, E::Accept, S::Accepted),
        (S::Answered, E::Escalate, S::Escalated),
        (S::Escalated, E::Finding, S::Concluded),
    ];
    for from in DissentStatus::ALL {
        for event in events {
            let want = allowed
                .iter()
                .find(|(f, e, _)| *f == from && *e == event)
                .map(|t| t.2);
            match (next_dissent_status(from, event), want) {
                (Ok(to), Some(w)) => assert_eq!(to, w),
                (Err(e), None) => assert!(!e.to_string().is_empty()),
                (got, want) => panic!("{from:?} + {event:?}: {got:?}, want {want:?}"),
            }
        }
    }
}

#[test]
fn only_an_unanswered_dissent_holds_up_a_decision() {
    assert!(DissentStatus::Open.holds_up_decision(false));
    assert!(DissentStatus::Escalated.holds_up_decision(false));
    assert!(!DissentStatus::Escalated.holds_up_decision(true));
    for s in [
        DissentStatus::Answered,
        DissentStatus::Accepted,
        DissentStatus::Concluded,
    ] {
        assert!(!s.holds_up_decision(true));
    }
}

#[test]
fn the_responder_has_authority_and_is_never_the_dissenter() {
    let (dm1, dm2, pol, me) = (UserId::new(), UserId::new(), UserId::new(), UserId::new());
    let people = [
        (me, Role::DecisionMaker),
        (dm1, Role::DecisionMaker),
        (dm2, Role::DecisionMaker),
        (pol, Role::Policy),
    ];
    let decision = DissentSubject::Decision;
    // The one who took the decision answers for it...
    assert_eq!(
        choose_responder(decision, me, &people, Some(dm2)),
        Some(dm2)
    );
    // ...unless that is the dissenter, then another decision-maker.
    assert_eq!(choose_responder(decision, me, &people, Some(me)), Some(dm1));
    // Policy answers for an assessment; nobody with authority, nobody chosen.
    assert_eq!(
        choose_responder(DissentSubject::Assessment, me, &people, None),
        Some(pol)
    );
    assert_eq!(
        choose_responder(DissentSubject::Assessment, pol, &people, Some(pol)),
        None
    );
}

#[test]
fn a_filing_needs_points_criteria_and_evidence() {
    let ok = check_filing(
        DissentSubject::Advice,
        "The end user has diverted similar items before.\n\n  Recent strike reports are ignored here.  ",
        vec![code("2c"), code("7"), code("2c")],
        "UN panel report S/2024/1, paragraphs 40 to 52.",
    )
    .unwrap();
    assert_eq!(ok.points.len(), 2);
    assert_eq!(ok.points[1].number, 2);
    assert_eq!(ok.points[1].text, "Recent strike reports are ignored here.");
    assert_eq!(ok.criteria, vec![code("2c"), code("7")]);

    let bad = check_filing(DissentSubject::Advice, "Too short", vec![], "").unwrap_err();
    let fields: Vec<&str> = bad.iter().map(|p| p.field.as_str()).collect();
    assert_eq!(fields, ["points", "criteria", "evidence"]);
    assert!(bad[0].message.starts_with("point 1:"), "{}", bad[0].message);
    let many = "A point that is long enough.\n".repeat(MAX_POINTS + 1);
    let bad = check_filing(
        DissentSubject::Advice,
        &many,
        vec![code("1")],
        "x".repeat(30).as_str(),
    )
    .unwrap_err();
    assert!(bad[0].message.contains("at most 20"));
}

#[test]
fn an_answer_must_address_every_point_with_cited_reasons() {
    let criteria = [code("2c")];
    let (answers, action) = check_answer(
        &points(),
        &criteria,
        &[
            answer(2, "not_accepted", GOOD),
            answer(
                1,
                "partly_accepted",
                "The evidence of earlier diversion was weighed and a proviso added.",
            ),
        ],
        "advice_or_assessment_updated",
    )
    .unwrap();
    assert_eq!(action, AnswerAction::AdviceOrAssessmentUpdated);
    assert_eq!(answers.iter().map(|a| a.number).collect::<Vec<_>>(), [1, 2]);
    assert_eq!(answers[0].verdict, PointVerdict::PartlyAccepted);
    // "Criterion 2(c)" cites as well as "2c".
    assert!(check_answer(
        &points(),
        &criteria,
        &[
            answer(
                1,
                "accepted",
                "Accepted: criterion 2(c) applies and the decision is changed."
            ),
            answer(
                2,
                "accepted",
                "Accepted: criterion 2(c) applies and the decision is changed."
            ),
        ],
        "decision_changed",
    )
    .is_ok());
}

#[test]
fn a_noted_concern_is_refused_point_by_point() {
    let criteria = [code("2c")];
    let problems = check_answer(
        &points(),
        &criteria,
        &[
            answer(
                1,
                "not_accepted",
                "Thank you, we have noted your concern about this matter.",
            ),
            answer(3, "accepted", GOOD),
        ],
        "",
    )
    .unwrap_err();
    let messages: Vec<String> = problems.iter().map(|p| p.message.clone()).collect();
    assert_eq!(
        messages,
        [
            "there is no point 3 in this dissent",
            "point 1: the reasons must cite criterion 2c or the evidence",
            "point 2: not answered",
            "say what the answer changed: the decision, the advice or assessment, or nothing",
        ]
    );
    let fields: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
    assert_eq!(fields, ["point_3", "point_1", "point_2", "action"]);
    // No verdict, short reasons, a point answered twice.
    let problems = check_answer(
        &points(),
        &criteria,
        &[
            answer(1, "maybe", "Too short."),
            answer(2, "accepted", GOOD),
            answer(2, "accepted", GOOD),
        ],
        "no_change",
    )
    .unwrap_err();
    let messages: Vec<String> = problems.iter().map(|p| p.message.clone()).collect();
    assert!(messages[0].contains("accepted, partly accepted or not accepted"));
    assert!(messages[1].contains("write at least 40 characters"));
    assert_eq!(messages[2], "point 2: answered more than once");
}

#[test]
fn deadlines_are_configurable_per_subject() {
    let d = DissentDeadlines::parse("decision=5, assessment=15").unwrap();
    assert_eq!(d.working_days(DissentSubject::Decision), 5);
    assert_eq!(d.working_days(DissentSubject::Assessment), 15);
    assert_eq!(d.working_days(DissentSubject::Advice), 10);
    assert!(DissentDeadlines::parse("decision")
        .unwrap_err()
        .contains("kind=days"));
    assert!(DissentDeadlines::parse("verdict=3")
        .unwrap_err()
        .contains("not a dissent subject"));
    assert!(DissentDeadlines::parse("decision=0")
        .unwrap_err()
        .contains("1 to 60"));
    assert!(DissentDeadlines::parse("decision=abc")
        .unwrap_err()
        .contains("1 to 60"));
}

#[test]
fn each_party_is_offered_only_its_own_steps() {
    let dissenter = DissentParty {
        dissenter: true,
        ..Default::default()
    };
    let responder = DissentParty {
        responder: true,
        ..Default::default()
    };
    let oversight = DissentParty {
        oversight: true,
        ..Default::default()
    };
    use DissentEvent as E;
    use DissentStatus as S;
    assert_eq!(available_steps(S::Open, responder), [E::Answer]);
    assert!(available_steps(S::Open, dissenter).is_empty());
    assert_eq!(
        available_steps(S::Answered, dissenter),
        [E::Accept, E::Escalate]
    );
    assert!(available_steps(S::Answered, responder).is_empty());
    assert_eq!(available_steps(S::Escalated, oversight), [E::Finding]);
    let everyone = DissentParty {
        dissenter: true,
        responder: true,
        oversight: true,
    };
    assert!(available_steps(S::Accepted, everyone).is_empty());
    assert!(available_steps(S::Concluded, everyone).is_empty());
    for s in DissentStatus::ALL {
        assert!(available_steps(s, DissentParty::default()).is_empty());
    }
}
