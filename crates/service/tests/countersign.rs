//! Countersigning: a decision sent for countersigning waits for a second, different
//! decision-maker; it can be returned to the caseworker instead.
mod common;

use common::*;
use probity_service::decisions::{self, DecisionInput, Finalised};
use probity_service::domain::{CaseStatus, RecordKind};
use probity_service::testing::{Backend, RowCounts, Stage, TestDb, World};
use probity_service::{case_view, cases, documents, licences, records};

async fn a_second_decision_maker_countersigns(backend: Backend) {
    let db = TestDb::new(backend).await;
    let w = World::new(&db).await;
    let c = &w.ctx;
    let id = w.case_at(Stage::UnderFinalReview).await;
    let before = RowCounts::of(&db.store).await;
    let outcome = decisions::finalise(
        c,
        &w.decision_maker,
        id,
        &DecisionInput {
            countersign: true,
            ..grant(&["Deliveries to the named depot only."])
        },
    )
    .await
    .unwrap();
    assert_eq!(outcome, Finalised::AwaitingCountersign);
    // Pending: nothing issued, nothing public, the case waits in the decision queue.
    let after = RowCounts::of(&db.store).await;
    assert_eq!(
        after,
        RowCounts {
            pending_decisions: before.pending_decisions + 1,
            audit_events: before.audit_events + 1,
            ..before
        }
    );
    let view = case_view::case_view(c, &w.second_decision_maker, id)
        .await
        .unwrap();
    assert_eq!(view.status, CaseStatus::AwaitingCountersign);
    assert_eq!(view.outcome, None);
    assert_eq!(
        view.pending_decided_by_id,
        Some(w.decision_maker.user_id.to_string())
    );
    assert_eq!(
        view.pending_decision.as_ref().unwrap()["decision"]["outcome"],
        "grant"
    );
    assert!(licences::for_case(c, &w.exporter, id)
        .await
        .unwrap()
        .is_empty());
    assert!(documents::for_case(c, &w.exporter, id)
        .await
        .unwrap()
        .is_empty());
    let queue = cases::list_cases(
        c,
        &w.second_decision_maker,
        cases::Queue::ForDecision,
        1,
        10,
    )
    .await
    .unwrap();
    assert_eq!(queue.items[0].id, id);

    // The same decision-maker cannot countersign their own decision.
    let before = RowCounts::of(&db.store).await;
    let m = conflict(decisions::countersign(c, &w.decision_maker, id, "Agreed.").await);
    assert_eq!(
        m,
        "a decision must be countersigned by a different decision-maker"
    );
    assert_eq!(RowCounts::of(&db.store).await, before);
    // Deciding again while it is pending is refused too.
    let m = conflict(decisions::finalise(c, &w.second_decision_maker, id, &grant(&[])).await);
    assert_eq!(
        m,
        "cannot finalise a case that is awaiting countersignature"
    );
    assert_eq!(RowCounts::of(&db.store).await, before);

    // A second decision-maker countersigns: the decision takes effect as decided.
    let signed_at = w.now();
    let outcome = decisions::countersign(c, &w.second_decision_maker, id, "Agreed.")
        .await
        .unwrap();
    let Finalised::Granted(number) = outcome else {
        panic!("{outcome:?}")
    };
    let licence = &licences::for_case(c, &w.exporter, id).await.unwrap()[0];
    assert_eq!(licence.number, number.as_str());
    assert_eq!(
        licence.provisos,
        vec!["Deliveries to the named depot only.".to_string()]
    );
    assert_eq!(licence.issued_at, signed_at);
    let view = case_view::case_view(c, &w.exporter, id).await.unwrap();
    assert_eq!(view.status, CaseStatus::Finalised);
    assert_eq!(view.outcome.as_deref(), Some("granted"));
    assert_eq!(view.pending_decision, None);
    let page = records::list_public(c, None, 1, 10).await.unwrap();
    assert_eq!(page.total, 1);
    assert_eq!(page.records[0].record.kind, RecordKind::Grant);
    let history: Vec<(String, String)> = cases::history(c, &w.oversight, id)
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.action, e.actor_id.unwrap_or_default()))
        .collect();
    let tail = &history[history.len() - 3..];
    assert_eq!(
        tail,
        [
            (
                "case.finalise_for_countersign".to_string(),
                w.decision_maker.user_id.to_string()
            ),
            (
                "case.countersign".to_string(),
                w.second_decision_maker.user_id.to_string()
            ),
            (
                "case.finalise".to_string(),
                w.second_decision_maker.user_id.to_string()
            ),
        ]
    );
    // And it cannot be countersigned twice.
    conflict(decisions::countersign(c, &w.decision_maker, id, "Again.").await);
}

async fn a_countersigned_refusal(backend: Backend) {
    let db = TestDb::new(backend).await;
    let w = World::new(&db).await;
    let c = &w.ctx;
    let id = to_final_review(
        &w,
        &distinctive_application("NO"),
        &[refuse("NO", &["2c"])],
        &[refuse("NO", &["6"])],
    )
    .await;
    let outcome = decisions::finalise(
        c,
        &w.second_decision_maker,
        id,
        &DecisionInput {
            countersign: true,
            ..refusal(&["2c", "6"], "")
        },
    )
    .await
    .unwrap();
    assert_eq!(outcome, Finalised::AwaitingCountersign);
    let outcome = decisions::countersign(c, &w.decision_maker, id, "Agreed.")
        .await
        .unwrap();
    assert_eq!(outcome, Finalised::Refused);
    let docs = documents::for_case(c, &w.exporter, id).await.unwrap();
    assert_eq!(docs[0].kind, "refusal");
    assert!(docs[0].body.contains("Criterion 2c") && docs[0].body.contains("Criterion 6"));
    let record = &records::list_public(c, None, 1, 10).await.unwrap().records[0].record;
    assert_eq!(record.kind, RecordKind::Refusal);
    assert_eq!(
        record
            .criteria
            .iter()
            .map(|c| c.as_str())
            .collect::<Vec<_>>(),
        vec!["2c", "6"]
    );
}

async fn returned_to_the_caseworker(backend: Backend) {
    let db = TestDb::new(backend).await;
    let w = World::new(&db).await;
    let c = &w.ctx;
    let id = w.case_at(Stage::AwaitingCountersign).await;
    // Reasons are required.
    invalid(decisions::return_to_caseworker(c, &w.second_decision_maker, id, "No.").await);
    decisions::return_to_caseworker(
        c,
        &w.second_decision_maker,
        id,
        "Please get MOD's view on the new end user.",
    )
    .await
    .unwrap();
    let view = case_view::case_view(c, &w.caseworker, id).await.unwrap();
    assert_eq!(view.status, CaseStatus::UnderReview);
    assert_eq!(view.pending_decision, None, "the pending decision lapsed");
    let m = conflict(decisions::countersign(c, &w.second_decision_maker, id, "Agreed.").await);
    assert_eq!(m, "cannot countersign a case that is under review");
    assert!(licences::for_case(c, &w.exporter, id)
        .await
        .unwrap()
        .is_empty());
    // The caseworker can work it again and resubmit; it can then be decided.
    cases::ask_question(c, &w.caseworker, id, "Has the end user changed?")
        .await
        .unwrap();
    let q = cases::questions(c, &w.exporter, id).await.unwrap()[0].id;
    cases::answer_question(c, &w.exporter, id, q, "No, it is the same unit.")
        .await
        .unwrap();
    decisions::submit_for_decision(c, &w.caseworker, id)
        .await
        .unwrap();
    // Returned from final review too.
    decisions::return_to_caseworker(c, &w.decision_maker, id, "One more check, please.")
        .await
        .unwrap();
    decisions::submit_for_decision(c, &w.caseworker, id)
        .await
        .unwrap();
    assert!(matches!(
        decide(&w, id, &grant(&[])).await,
        Finalised::Granted(_)
    ));
    assert_eq!(records::list_public(c, None, 1, 10).await.unwrap().total, 1);
}

probity_service::backend_tests!(
    a_second_decision_maker_countersigns,
    a_countersigned_refusal,
    returned_to_the_caseworker,
);
