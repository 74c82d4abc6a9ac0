//! Advice rules on both databases: consolidation (approve + proviso, refusals), advice per
//! destination on an open licence, and final advice going stale when advice changes.
mod common;

use common::*;
use probity_service::advice::{self, AdviceInput};
use probity_service::cases::{self};
use probity_service::decisions::{self};
use probity_service::domain::{Consolidated, CriterionCode, RecordKind};
use probity_service::testing::{Backend, TestDb, World};
use probity_service::{applications, records, ServiceError};

const RE_EXPORT: &str = "Not to be re-exported without the prior written consent of HMG.";

async fn proviso_and_refusal_consolidation(backend: Backend) {
    let db = TestDb::new(backend).await;
    let w = World::new(&db).await;
    let c = &w.ctx;
    // Within one team: approve + proviso = proviso, and the proviso reaches the final advice.
    let (id, _) = applications::submit_new(c, &w.exporter, &distinctive_application("NO"))
        .await
        .unwrap();
    cases::assign_to_self(c, &w.caseworker, id).await.unwrap();
    advice::request_advice(c, &w.caseworker, id, &[w.fcdo], "Please advise.")
        .await
        .unwrap();
    advice::give_advice(c, &w.fcdo_adviser, id, &approve("NO"))
        .await
        .unwrap();
    // An adviser's second advice replaces their first.
    advice::give_advice(c, &w.fcdo_adviser, id, &proviso("NO", RE_EXPORT))
        .await
        .unwrap();
    let final_advice = advice::consolidate_final(c, &w.caseworker, id, "One team, one view.")
        .await
        .unwrap();
    assert_eq!(
        final_advice,
        Consolidated::Proviso(vec![RE_EXPORT.to_string()])
    );
    // Advice on a country that is not a destination is refused, naming the field.
    let errors = invalid(advice::give_advice(c, &w.fcdo_adviser, id, &approve("FR")).await);
    assert_eq!(errors[0].0, "destination");
    // A refusal must cite a criterion that exists.
    let errors = invalid(advice::give_advice(c, &w.fcdo_adviser, id, &refuse("NO", &[])).await);
    assert_eq!(errors[0].0, "criteria");
    let errors = invalid(advice::give_advice(c, &w.fcdo_adviser, id, &refuse("NO", &["2z"])).await);
    assert_eq!(errors[0].0, "criteria[0]");
    let bad_kind = AdviceInput {
        kind: "maybe".into(),
        ..approve("NO")
    };
    assert_eq!(
        invalid(advice::give_advice(c, &w.fcdo_adviser, id, &bad_kind).await)[0].0,
        "kind"
    );
}

/// An open licence to two destinations: advice is given per destination, consolidation
/// needs every team's advice on every destination, and differing destinations conflict.
async fn advice_per_destination(backend: Backend) {
    let db = TestDb::new(backend).await;
    let w = World::new(&db).await;
    let c = &w.ctx;
    let mut input = distinctive_application("NO");
    input.licence_type = "oiel".into();
    input.parties[1].country = "SE".into();
    let mut ultimate = input.parties[0].clone();
    ultimate.role = probity_service::domain::PartyRole::UltimateEndUser;
    ultimate.country = "SE".into();
    ultimate.end_user_type = None;
    input.parties.push(ultimate);
    let (id, reference) = applications::submit_new(c, &w.exporter, &input)
        .await
        .unwrap();
    assert_eq!(reference.to_string(), "GBOIEL/2026/0000001");
    cases::assign_to_self(c, &w.caseworker, id).await.unwrap();
    advice::request_advice(c, &w.caseworker, id, &[w.fcdo, w.mod_team], "Both, please.")
        .await
        .unwrap();
    for dest in ["NO", "SE"] {
        advice::give_advice(c, &w.fcdo_adviser, id, &approve(dest))
            .await
            .unwrap();
    }
    advice::give_advice(c, &w.mod_adviser, id, &approve("NO"))
        .await
        .unwrap();
    let m = conflict(advice::consolidate_final(c, &w.caseworker, id, "All advice is in.").await);
    assert_eq!(m, "advice is incomplete: MOD has not advised on SE");
    advice::give_advice(c, &w.mod_adviser, id, &refuse("SE", &["7"]))
        .await
        .unwrap();
    let summary = advice::summary(c, &w.caseworker, id).await.unwrap();
    let per: Vec<(&str, &str, &Consolidated)> = summary
        .team_level
        .iter()
        .map(|t| (t.team.as_str(), t.destination.as_str(), &t.consolidated))
        .collect();
    let refuse_7 = Consolidated::Refuse(vec![CriterionCode::new("7").unwrap()]);
    assert_eq!(
        per,
        vec![
            ("FCDO", "NO", &Consolidated::Approve),
            ("FCDO", "SE", &Consolidated::Approve),
            ("MOD", "NO", &Consolidated::Approve),
            ("MOD", "SE", &refuse_7),
        ]
    );
    assert_eq!(
        advice::consolidate_final(c, &w.caseworker, id, "MOD refuses Sweden.")
            .await
            .unwrap(),
        Consolidated::Conflicting
    );
    decisions::submit_for_decision(c, &w.caseworker, id)
        .await
        .unwrap();
    let at = w.now();
    decide(
        &w,
        id,
        &refusal(
            &["7"],
            "Sweden carries a diversion risk the licence cannot exclude.",
        ),
    )
    .await;
    let record = &records::list_public(c, None, 1, 10).await.unwrap().records[0].record;
    assert_eq!(record.kind, RecordKind::Refusal);
    assert_eq!(record.decided_at, at);
    assert_eq!(
        record
            .destinations
            .iter()
            .map(|d| d.as_str())
            .collect::<Vec<_>>(),
        vec!["NO", "SE"]
    );
    // Both destinations find it when filtering (the first is the outbox's primary one).
    let norway = records::list_public(c, Some("NO"), 1, 10).await.unwrap();
    assert_eq!(norway.total, 1);
}

/// Advice changed after consolidation makes the final advice stale: it must be consolidated
/// again before the case can go for decision, so nobody decides on advice that no longer holds.
async fn changed_advice_needs_reconsolidation(backend: Backend) {
    let db = TestDb::new(backend).await;
    let w = World::new(&db).await;
    let c = &w.ctx;
    let id = w
        .case_at(probity_service::testing::Stage::FinalAdvice)
        .await;
    assert_eq!(
        cases::get_case(c, &w.caseworker, id)
            .await
            .unwrap()
            .final_advice,
        Some(Consolidated::Approve)
    );
    advice::give_advice(c, &w.fcdo_adviser, id, &refuse("NO", &["2c"]))
        .await
        .unwrap();
    assert_eq!(
        cases::get_case(c, &w.caseworker, id)
            .await
            .unwrap()
            .final_advice,
        None
    );
    let m = conflict(decisions::submit_for_decision(c, &w.caseworker, id).await);
    assert_eq!(m, "consolidate the final advice first");
    assert_eq!(
        advice::consolidate_final(c, &w.caseworker, id, "FCDO now refuses.")
            .await
            .unwrap(),
        Consolidated::Conflicting
    );
    decisions::submit_for_decision(c, &w.caseworker, id)
        .await
        .unwrap();
    let err = decisions::finalise(c, &w.decision_maker, id, &grant(&[]))
        .await
        .unwrap_err();
    assert!(matches!(err, ServiceError::Blocked(_)), "{err:?}");
}

probity_service::backend_tests!(
    proviso_and_refusal_consolidation,
    advice_per_destination,
    changed_advice_needs_reconsolidation,
);
