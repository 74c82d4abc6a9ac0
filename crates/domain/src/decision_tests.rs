use super::*;

const REASONS: &str = "Consistent with the criteria and the advice received.";
const RESOLUTION: &str = "Defence advice outweighs the concern raised.";

fn code(s: &str) -> CriterionCode {
    CriterionCode::new(s).unwrap()
}

fn grant() -> Decision {
    Decision::Grant { provisos: vec![] }
}

fn refuse() -> Decision {
    Decision::Refuse {
        criteria: vec![code("2c")],
    }
}

fn ready(final_advice: Consolidated) -> FinaliseContext {
    FinaliseContext {
        status: CaseStatus::UnderFinalReview,
        final_advice,
        conflict_resolution: None,
        open_questions: 0,
        unresolved_screening_matches: 0,
        listed_parties: 0,
        unanswered_dissents: 0,
    }
}

#[test]
fn follows_advice_table() {
    let advices = [
        Consolidated::Approve,
        Consolidated::Proviso(vec!["p".into()]),
        Consolidated::Refuse(vec![code("1")]),
        Consolidated::NoLicenceRequired,
        Consolidated::Conflicting,
        Consolidated::Empty,
    ];
    // Rows: grant, refuse, no licence required; columns in `advices` order.
    let expected = [
        [true, true, false, false, false, false],
        [false, false, true, false, false, false],
        [false, false, false, true, false, false],
    ];
    for (decision, row) in [grant(), refuse(), Decision::NoLicenceRequired]
        .iter()
        .zip(expected)
    {
        for (advice, want) in advices.iter().zip(row) {
            assert_eq!(decision.follows(advice), want, "{decision:?} / {advice:?}");
        }
    }
}

#[test]
fn ready_cases_can_be_finalised() {
    let table = [
        (Consolidated::Approve, grant()),
        (
            Consolidated::Proviso(vec!["p".into()]),
            Decision::Grant {
                provisos: vec!["p".into()],
            },
        ),
        (Consolidated::Refuse(vec![code("2c")]), refuse()),
        (Consolidated::NoLicenceRequired, Decision::NoLicenceRequired),
    ];
    for (advice, decision) in table {
        assert_eq!(check_finalise(&ready(advice), &decision, REASONS), Ok(()));
    }
}

#[test]
fn each_blocker_on_its_own() {
    type Change = fn(&mut FinaliseContext);
    let table: &[(&str, Change, Decision, &str, Blocker)] = &[
        (
            "under review",
            |c| c.status = CaseStatus::UnderReview,
            grant(),
            REASONS,
            Blocker::WrongStatus {
                status: CaseStatus::UnderReview,
            },
        ),
        (
            "awaiting countersign",
            |c| c.status = CaseStatus::AwaitingCountersign,
            grant(),
            REASONS,
            Blocker::WrongStatus {
                status: CaseStatus::AwaitingCountersign,
            },
        ),
        (
            "no advice",
            |c| c.final_advice = Consolidated::Empty,
            grant(),
            REASONS,
            Blocker::NoFinalAdvice,
        ),
        (
            "conflict",
            |c| c.final_advice = Consolidated::Conflicting,
            grant(),
            REASONS,
            Blocker::ConflictUnresolved,
        ),
        (
            "conflict, short resolution",
            |c| {
                c.final_advice = Consolidated::Conflicting;
                c.conflict_resolution = Some("   too short   ".into());
            },
            refuse(),
            REASONS,
            Blocker::ConflictUnresolved,
        ),
        (
            "questions",
            |c| c.open_questions = 2,
            grant(),
            REASONS,
            Blocker::OpenQuestions { count: 2 },
        ),
        (
            "matches",
            |c| c.unresolved_screening_matches = 1,
            grant(),
            REASONS,
            Blocker::UnresolvedScreeningMatches { count: 1 },
        ),
        (
            "grant to a listed party",
            |c| c.listed_parties = 1,
            grant(),
            REASONS,
            Blocker::GrantToListedParty { count: 1 },
        ),
        (
            "dissents",
            |c| c.unanswered_dissents = 3,
            grant(),
            REASONS,
            Blocker::UnansweredDissents { count: 3 },
        ),
        (
            "grant against refusal",
            |c| c.final_advice = Consolidated::Refuse(vec![code("2c")]),
            grant(),
            REASONS,
            Blocker::DepartsFromAdvice {
                decision: "grant".into(),
            },
        ),
        (
            "refuse against approval",
            |_| {},
            refuse(),
            REASONS,
            Blocker::DepartsFromAdvice {
                decision: "refuse".into(),
            },
        ),
        (
            "nlr against approval",
            |_| {},
            Decision::NoLicenceRequired,
            REASONS,
            Blocker::DepartsFromAdvice {
                decision: "no_licence_required".into(),
            },
        ),
        (
            "short reasons",
            |_| {},
            grant(),
            "Fine.                    ",
            Blocker::ReasonsTooShort,
        ),
    ];
    for (name, change, decision, reasons, blocker) in table {
        let mut ctx = ready(Consolidated::Approve);
        change(&mut ctx);
        assert_eq!(
            check_finalise(&ctx, decision, reasons),
            Err(vec![blocker.clone()]),
            "{name}"
        );
    }
}

#[test]
fn refusal_without_criteria_is_blocked_even_when_advised() {
    let ctx = ready(Consolidated::Refuse(vec![]));
    let decision = Decision::Refuse { criteria: vec![] };
    assert_eq!(
        check_finalise(&ctx, &decision, REASONS),
        Err(vec![Blocker::RefusalWithoutCriteria])
    );
}

#[test]
fn a_resolution_unblocks_conflict_and_departure() {
    let mut ctx = ready(Consolidated::Conflicting);
    ctx.conflict_resolution = Some(RESOLUTION.into());
    assert_eq!(check_finalise(&ctx, &grant(), REASONS), Ok(()));
    assert_eq!(check_finalise(&ctx, &refuse(), REASONS), Ok(()));
    let mut ctx = ready(Consolidated::Refuse(vec![code("2c")]));
    ctx.conflict_resolution = Some(RESOLUTION.into());
    assert_eq!(check_finalise(&ctx, &grant(), REASONS), Ok(()));
}

#[test]
fn all_blockers_are_reported_together() {
    let ctx = FinaliseContext {
        status: CaseStatus::Submitted,
        final_advice: Consolidated::Conflicting,
        conflict_resolution: None,
        open_questions: 1,
        unresolved_screening_matches: 2,
        listed_parties: 1,
        unanswered_dissents: 1,
    };
    let blockers = check_finalise(&ctx, &Decision::Refuse { criteria: vec![] }, "").unwrap_err();
    assert_eq!(
        blockers,
        [
            Blocker::WrongStatus {
                status: CaseStatus::Submitted
            },
            Blocker::ConflictUnresolved,
            Blocker::OpenQuestions { count: 1 },
            Blocker::UnresolvedScreeningMatches { count: 2 },
            Blocker::UnansweredDissents { count: 1 },
            Blocker::RefusalWithoutCriteria,
            Blocker::ReasonsTooShort,
        ]
    );
}

#[test]
fn blocker_messages() {
    let table = [
        (
            Blocker::WrongStatus {
                status: CaseStatus::UnderReview,
            },
            "only a case under final review can be finalised; this one is under review",
        ),
        (
            Blocker::OpenQuestions { count: 1 },
            "1 question to the exporter is still open",
        ),
        (
            Blocker::OpenQuestions { count: 2 },
            "2 questions to the exporter are still open",
        ),
        (
            Blocker::UnansweredDissents { count: 1 },
            "1 dissent is not yet answered",
        ),
        (
            Blocker::UnresolvedScreeningMatches { count: 3 },
            "3 screening matches are not yet resolved",
        ),
        (
            Blocker::GrantToListedParty { count: 1 },
            "a licence cannot be granted: 1 party is a true match on a sanctions list; refuse under criterion 1",
        ),
        (
            Blocker::ReasonsTooShort,
            "give reasons of at least 20 characters",
        ),
        (
            Blocker::RefusalWithoutCriteria,
            "a refusal must cite at least one criterion",
        ),
    ];
    for (blocker, message) in table {
        assert_eq!(blocker.to_string(), message);
    }
}

#[test]
fn decision_serde() {
    let json = serde_json::to_string(&refuse()).unwrap();
    assert_eq!(json, r#"{"outcome":"refuse","criteria":["2c"]}"#);
    assert_eq!(serde_json::from_str::<Decision>(&json).unwrap(), refuse());
    let nlr = serde_json::to_string(&Decision::NoLicenceRequired).unwrap();
    assert_eq!(nlr, r#"{"outcome":"no_licence_required"}"#);
}

#[test]
fn decision_kinds_parse_from_forms_and_json() {
    for k in DecisionKind::ALL {
        assert_eq!(k.as_str().parse::<DecisionKind>(), Ok(k));
        assert_eq!(
            serde_json::from_str::<DecisionKind>(&format!("\"{k}\"")).unwrap(),
            k
        );
    }
    assert_eq!(" refuse ".parse::<DecisionKind>(), Ok(DecisionKind::Refuse));
    let err = "perhaps".parse::<DecisionKind>().unwrap_err();
    assert_eq!(
        err.to_string(),
        "unknown decision \"perhaps\": use grant, refuse or no_licence_required"
    );
    let json = serde_json::from_str::<DecisionKind>("\"perhaps\"").unwrap_err();
    assert!(json.to_string().contains("use grant, refuse"), "{json}");
}

/// A true match on a sanctions list stops a grant, and only a grant: the refusal it calls for,
/// and "no licence required" (the goods are not controlled), remain open.
#[test]
fn a_listed_party_stops_only_a_grant() {
    let mut ctx = ready(Consolidated::Refuse(vec![code("2c")]));
    ctx.listed_parties = 2;
    assert_eq!(check_finalise(&ctx, &refuse(), REASONS), Ok(()));
    ctx.conflict_resolution = Some(RESOLUTION.into());
    assert_eq!(
        check_finalise(&ctx, &grant(), REASONS),
        Err(vec![Blocker::GrantToListedParty { count: 2 }])
    );
    assert_eq!(
        check_finalise(&ctx, &Decision::NoLicenceRequired, REASONS),
        Ok(())
    );
}
