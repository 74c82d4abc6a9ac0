use super::*;

fn input() -> AssessmentInput {
    AssessmentInput {
        destination: "IL".into(),
        criterion: "Criterion 2c".into(),
        finding: "clear risk".into(),
        scope: ClausesInput {
            ratings: "ML1; ML2; ML4; ML10".into(),
            end_use: "Gaza".into(),
            ..Default::default()
        },
        exclusions: vec![ExclusionInput {
            name: "F-35 global programme components".into(),
            when: ClausesInput {
                end_use: "F-35".into(),
                ..Default::default()
            },
        }],
        evidence: "Reports of the conduct of hostilities reviewed by the IHL cell.".into(),
        reasons: "There is a clear risk that the items might be used to commit or facilitate a serious violation of IHL.".into(),
        legal_basis: "Strategic Export Licensing Criteria, criterion 2(c)".into(),
        public_summary: "Clear risk under criterion 2c for items usable in military operations in Gaza; F-35 components exempt.".into(),
    }
}

#[test]
fn an_assessment_parses_with_its_destination_as_the_default_scope() {
    let a = input().parse().unwrap();
    assert_eq!(a.destination.as_str(), "IL");
    assert_eq!(a.criterion.as_str(), "2c");
    assert_eq!(a.finding, Finding::ClearRisk);
    let destinations: Vec<&str> = a
        .rule
        .applies()
        .destinations
        .iter()
        .map(|d| d.as_str())
        .collect();
    assert_eq!(destinations, ["IL"]);
    assert_eq!(a.rule.exclusions().len(), 1);
}

#[test]
fn every_problem_is_named_by_field() {
    let bad = AssessmentInput {
        destination: "XX".into(),
        criterion: "9".into(),
        finding: "bad".into(),
        scope: ClausesInput {
            ratings: "ML-1".into(),
            ..Default::default()
        },
        evidence: "short".into(),
        ..input()
    };
    let errors = bad.parse().unwrap_err().0;
    let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(
        fields,
        [
            "destination",
            "criterion",
            "finding",
            "evidence",
            "scope.ratings"
        ],
        "{errors:?}"
    );
}

#[test]
fn the_scope_must_include_the_assessed_destination() {
    let elsewhere = AssessmentInput {
        scope: ClausesInput {
            destinations: "PS".into(),
            ..Default::default()
        },
        ..input()
    };
    let errors = elsewhere.parse().unwrap_err().0;
    assert_eq!(errors[0].field, "scope.destinations");
    assert!(errors[0].message.contains("IL"));
}

#[test]
fn a_review_is_offered_when_a_clear_risk_appears_changes_or_goes() {
    let clear = input().parse().unwrap();
    let caution = AssessmentInput {
        finding: "caution".into(),
        ..input()
    }
    .parse()
    .unwrap();
    let wider = AssessmentInput {
        scope: ClausesInput {
            ratings: "ML1; ML2; ML4; ML5; ML10".into(),
            end_use: "Gaza".into(),
            ..Default::default()
        },
        ..input()
    }
    .parse()
    .unwrap();
    let reworded = Assessment {
        evidence: "New evidence, same scope and same finding as before.".into(),
        ..clear.clone()
    };
    assert_eq!(clear.review_offer(None), ReviewOffer::Restriction);
    assert_eq!(clear.review_offer(Some(&caution)), ReviewOffer::Restriction);
    assert_eq!(wider.review_offer(Some(&clear)), ReviewOffer::Restriction);
    assert_eq!(reworded.review_offer(Some(&clear)), ReviewOffer::None);
    assert_eq!(
        caution.review_offer(Some(&clear)),
        ReviewOffer::Reinstatement
    );
    assert_eq!(caution.review_offer(None), ReviewOffer::None);
}

#[test]
fn each_kind_of_review_has_its_own_outcomes() {
    use ReviewOutcome as O;
    let restriction = ReviewOutcome::allowed_in(ReviewKind::Restriction);
    let reinstatement = ReviewOutcome::allowed_in(ReviewKind::Reinstatement);
    assert!(restriction.contains(&O::Suspend) && !restriction.contains(&O::Reinstate));
    assert!(reinstatement.contains(&O::Reinstate) && !reinstatement.contains(&O::Suspend));
    // A confirmed listing reviews licences in force: suspend, revoke or keep, never reinstate.
    let screening = ReviewOutcome::allowed_in(ReviewKind::Screening);
    assert!(screening.contains(&O::Suspend) && !screening.contains(&O::Reinstate));
    assert!(!ReviewKind::Screening.has_scope_rule());
    assert!(ReviewKind::Restriction.has_scope_rule() && ReviewKind::Reinstatement.has_scope_rule());
    // Every outcome belongs to at least one kind.
    for o in ReviewOutcome::ALL {
        assert!(
            restriction.contains(&o) || reinstatement.contains(&o),
            "{o}"
        );
    }
    assert_eq!(
        "keep_suspended".parse::<ReviewOutcome>().unwrap(),
        O::KeepSuspended
    );
}

#[test]
fn a_diff_names_what_a_new_version_changed() {
    use crate::assessment_diff::{diff, DiffLine};
    let old = input().parse().unwrap();
    let new = AssessmentInput {
        finding: "caution".into(),
        scope: ClausesInput {
            ratings: "ML1; ML4; ML5; ML10".into(),
            end_use: "Gaza".into(),
            ..Default::default()
        },
        exclusions: vec![ExclusionInput {
            name: "Humanitarian demining".into(),
            when: ClausesInput {
                end_use: "demining".into(),
                ..Default::default()
            },
        }],
        evidence:
            "Reports of the conduct of hostilities reviewed by the IHL cell.\nA second report."
                .into(),
        ..input()
    }
    .parse()
    .unwrap();
    let d = diff(&old, &new);
    assert_eq!(d.finding, Some((Finding::ClearRisk, Finding::Caution)));
    assert_eq!(d.scope.len(), 1);
    assert_eq!(d.scope[0].clause, crate::scope::Clause::Ratings);
    assert_eq!(d.scope[0].added, ["ML5"]);
    assert_eq!(d.scope[0].removed, ["ML2"]);
    assert_eq!(d.exclusions_added, ["Humanitarian demining"]);
    assert_eq!(d.exclusions_removed, ["F-35 global programme components"]);
    assert_eq!(d.text.len(), 1);
    assert_eq!(d.text[0].field, "evidence");
    assert_eq!(
        d.text[0].lines,
        [
            DiffLine::Same(
                "Reports of the conduct of hostilities reviewed by the IHL cell.".into()
            ),
            DiffLine::Added("A second report.".into()),
        ]
    );
    assert!(diff(&old, &old).is_empty());
}

#[test]
fn an_outcome_acts_on_the_licence_only_when_it_changes_its_status() {
    use crate::licence::{next_licence_status, LicenceAction as A, LicenceStatus as S};
    use ReviewOutcome as O;
    let table = [
        (O::Suspend, Some(A::Suspend)),
        (O::Revoke, Some(A::Revoke)),
        (O::Keep, None),
        (O::Reinstate, Some(A::Reinstate)),
        (O::KeepSuspended, None),
    ];
    for (outcome, action) in table {
        assert_eq!(outcome.licence_action(), action, "{outcome}");
    }
    // Each kind's acting outcomes apply to the licences that kind of review lists.
    let in_force = [ReviewKind::Restriction, ReviewKind::Screening];
    for o in in_force.iter().flat_map(|k| ReviewOutcome::allowed_in(*k)) {
        if let Some(a) = o.licence_action() {
            assert!(next_licence_status(S::Issued, a).is_ok(), "{o} on issued");
        }
    }
    for o in ReviewOutcome::allowed_in(ReviewKind::Reinstatement) {
        if let Some(a) = o.licence_action() {
            assert!(
                next_licence_status(S::Suspended, a).is_ok(),
                "{o} on suspended"
            );
        }
    }
}
