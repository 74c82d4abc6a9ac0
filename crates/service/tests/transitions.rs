//! Illegal transitions are refused with a clear message and leave no trace; a finalisation
//! refused for blockers leaves exactly one audit event saying who tried and why not.
mod common;

use std::future::Future;

use common::*;
use probity_service::decisions::{self, DecisionInput};
use probity_service::domain::{CaseStatus, LicenceAction, QuestionId};
use probity_service::testing::{siel, Backend, RowCounts, Stage, TestDb, World};
use probity_service::{advice, applications, cases, licences, ServiceError, ServiceResult};

/// Run a command that must be refused as a conflict; the database must be untouched.
async fn refused<T: std::fmt::Debug>(
    db: &TestDb,
    command: impl Future<Output = ServiceResult<T>>,
) -> String {
    let before = RowCounts::of(&db.store).await;
    let message = conflict(command.await);
    assert_eq!(
        RowCounts::of(&db.store).await,
        before,
        "a refused command ({message}) wrote something"
    );
    message
}

async fn deciding_twice(backend: Backend) {
    let db = TestDb::new(backend).await;
    let w = World::new(&db).await;
    let c = &w.ctx;
    let granted = w.case_at(Stage::Granted).await;
    let m = refused(
        &db,
        decisions::finalise(c, &w.decision_maker, granted, &grant(&[])),
    )
    .await;
    assert_eq!(m, "cannot finalise a case that is finalised");
    // Not by another decision-maker, nor by sending it for countersigning.
    let m = refused(
        &db,
        decisions::finalise(
            c,
            &w.second_decision_maker,
            granted,
            &DecisionInput {
                countersign: true,
                ..refusal(&["2c"], "Changed my mind about the earlier grant here.")
            },
        ),
    )
    .await;
    assert_eq!(m, "cannot send for countersigning a case that is finalised");
    let m = refused(
        &db,
        decisions::countersign(c, &w.second_decision_maker, granted, "Agreed."),
    )
    .await;
    assert_eq!(m, "cannot countersign a case that is finalised");
    assert_eq!(
        licences::for_case(c, &w.exporter, granted)
            .await
            .unwrap()
            .len(),
        1
    );
    let refused_case = w.case_at(Stage::Refused).await;
    refused(
        &db,
        decisions::finalise(c, &w.decision_maker, refused_case, &grant(&[])),
    )
    .await;
    // A case still under review cannot be decided either.
    let under_review = w.case_at(Stage::UnderReview).await;
    let m = refused(
        &db,
        decisions::finalise(c, &w.decision_maker, under_review, &grant(&[])),
    )
    .await;
    assert_eq!(m, "cannot finalise a case that is under review");
}

async fn advising_on_a_finalised_case(backend: Backend) {
    let db = TestDb::new(backend).await;
    let w = World::new(&db).await;
    let c = &w.ctx;
    let id = w.case_at(Stage::Granted).await;
    let m = refused(
        &db,
        advice::give_advice(c, &w.fcdo_adviser, id, &approve("NO")),
    )
    .await;
    assert_eq!(m, "cannot give advice on a case that is finalised");
    let m = refused(
        &db,
        advice::request_advice(c, &w.caseworker, id, &[w.fcdo], "More advice please."),
    )
    .await;
    assert_eq!(m, "cannot request advice on a case that is finalised");
    refused(
        &db,
        advice::consolidate_final(c, &w.caseworker, id, "Reconsolidating after the fact."),
    )
    .await;
    // Nor while the case waits for the exporter.
    let waiting = w.case_at(Stage::AwaitingExporter).await;
    advice::request_advice(c, &w.caseworker, waiting, &[w.fcdo], "x")
        .await
        .unwrap_err();
}

async fn reinstating_a_revoked_licence(backend: Backend) {
    let db = TestDb::new(backend).await;
    let w = World::new(&db).await;
    let c = &w.ctx;
    let id = w.case_at(Stage::Granted).await;
    let licence = licences::for_case(c, &w.exporter, id).await.unwrap()[0].clone();
    licences::act(
        c,
        &w.decision_maker,
        licence.id,
        LicenceAction::Revoke,
        "Revoked: the end user is now sanctioned.",
    )
    .await
    .unwrap();
    let m = refused(
        &db,
        licences::act(
            c,
            &w.policy,
            licence.id,
            LicenceAction::Reinstate,
            "Reinstating after an appeal.",
        ),
    )
    .await;
    assert_eq!(m, "cannot reinstate a licence that is revoked");
    for (actor, action) in [
        (&w.decision_maker, LicenceAction::Suspend),
        (&w.decision_maker, LicenceAction::Revoke),
        (&w.exporter, LicenceAction::Surrender),
        (&w.exporter, LicenceAction::Exhaust),
    ] {
        let m = refused(
            &db,
            licences::act(c, actor, licence.id, action, "Trying anyway, for the test."),
        )
        .await;
        assert_eq!(
            m,
            format!("cannot {} a licence that is revoked", action.as_str())
        );
    }
    // A suspended licence cannot be surrendered, nor an issued one reinstated.
    let other = w.case_at(Stage::Granted).await;
    let l2 = licences::for_case(c, &w.exporter, other).await.unwrap()[0].clone();
    let m = refused(
        &db,
        licences::act(
            c,
            &w.policy,
            l2.id,
            LicenceAction::Reinstate,
            "Nothing to reinstate here.",
        ),
    )
    .await;
    assert_eq!(m, "cannot reinstate a licence that is issued");
    licences::act(
        c,
        &w.policy,
        l2.id,
        LicenceAction::Suspend,
        "Suspended while we look again.",
    )
    .await
    .unwrap();
    let m = refused(
        &db,
        licences::act(
            c,
            &w.exporter,
            l2.id,
            LicenceAction::Surrender,
            "We no longer need this licence.",
        ),
    )
    .await;
    assert_eq!(m, "cannot surrender a licence that is suspended");
}

async fn answering_without_an_open_question(backend: Backend) {
    let db = TestDb::new(backend).await;
    let w = World::new(&db).await;
    let c = &w.ctx;
    let id = w.case_at(Stage::UnderReview).await;
    let m = refused(
        &db,
        cases::answer_question(
            c,
            &w.exporter,
            id,
            QuestionId::new(),
            "An unsolicited answer.",
        ),
    )
    .await;
    assert_eq!(
        m,
        "cannot record an exporter's response on a case that is under review"
    );
    // Asked and answered: a second answer is refused.
    let q = cases::ask_question(c, &w.caseworker, id, "Which unit will operate the sights?")
        .await
        .unwrap();
    cases::answer_question(c, &w.exporter, id, q, "The 2nd Border Battalion.")
        .await
        .unwrap();
    refused(
        &db,
        cases::answer_question(c, &w.exporter, id, q, "Correction: the 3rd Battalion."),
    )
    .await;
    // Waiting on one question: answering another one is refused, the case keeps waiting.
    let q2 = cases::ask_question(c, &w.caseworker, id, "Please confirm the delivery date.")
        .await
        .unwrap();
    let m = refused(
        &db,
        cases::answer_question(c, &w.exporter, id, q, "Answering the old one again."),
    )
    .await;
    assert_eq!(m, "that question is already answered or does not exist");
    assert_eq!(
        cases::get_case(c, &w.exporter, id).await.unwrap().status,
        CaseStatus::AwaitingExporter
    );
    cases::answer_question(c, &w.exporter, id, q2, "Delivery in June.")
        .await
        .unwrap();
    // A second question cannot be asked while one is open.
    cases::ask_question(c, &w.caseworker, id, "First of two questions.")
        .await
        .unwrap();
    let m = refused(
        &db,
        cases::ask_question(c, &w.caseworker, id, "Second of two questions."),
    )
    .await;
    assert_eq!(
        m,
        "cannot ask the exporter about a case that is awaiting the exporter"
    );
}

async fn submitting_a_submitted_application(backend: Backend) {
    let db = TestDb::new(backend).await;
    let w = World::new(&db).await;
    let c = &w.ctx;
    let draft = applications::save_draft(c, &w.exporter, None, &siel("NO"))
        .await
        .unwrap();
    let reference = applications::submit(c, &w.exporter, draft).await.unwrap();
    assert_eq!(reference.to_string(), "GBSIEL/2026/0000001");
    let m = refused(&db, applications::submit(c, &w.exporter, draft)).await;
    assert_eq!(m, "cannot submit a case that is submitted");
    let m = refused(
        &db,
        applications::save_draft(c, &w.exporter, Some(draft), &siel("SE")),
    )
    .await;
    assert_eq!(m, "cannot edit a case that is submitted");
    assert_eq!(
        cases::get_case(c, &w.exporter, draft)
            .await
            .unwrap()
            .destinations,
        vec!["NO".to_string()]
    );
}

async fn other_illegal_case_moves(backend: Backend) {
    let db = TestDb::new(backend).await;
    let w = World::new(&db).await;
    let c = &w.ctx;
    let granted = w.case_at(Stage::Granted).await;
    let m = refused(
        &db,
        applications::withdraw(
            c,
            &w.exporter,
            granted,
            "Changed plans: the order fell through.",
        ),
    )
    .await;
    assert_eq!(m, "cannot withdraw a case that is finalised");
    refused(&db, cases::assign_to_self(c, &w.caseworker, granted)).await;
    refused(
        &db,
        cases::ask_question(c, &w.caseworker, granted, "A question too late."),
    )
    .await;
    refused(
        &db,
        decisions::return_to_caseworker(
            c,
            &w.decision_maker,
            granted,
            "Please look again at this.",
        ),
    )
    .await;

    // A submitted case must be taken before casework.
    let submitted = w.case_at(Stage::Submitted).await;
    let m = refused(
        &db,
        cases::ask_question(c, &w.caseworker, submitted, "Who is the end user?"),
    )
    .await;
    assert_eq!(m, "cannot ask the exporter about a case that is submitted");
    refused(
        &db,
        decisions::submit_for_decision(c, &w.caseworker, submitted),
    )
    .await;

    // Under review without final advice: not ready for a decision.
    let id = w.case_at(Stage::AdviceRequested).await;
    let m = refused(&db, decisions::submit_for_decision(c, &w.caseworker, id)).await;
    assert_eq!(m, "consolidate the final advice first");
    let m = refused(
        &db,
        advice::consolidate_final(c, &w.caseworker, id, "Consolidating too early."),
    )
    .await;
    assert!(
        m.starts_with("advice is incomplete:") && m.contains("FCDO has not advised on NO"),
        "{m}"
    );
    let m = refused(
        &db,
        decisions::countersign(c, &w.second_decision_maker, id, "Agreed."),
    )
    .await;
    assert_eq!(m, "cannot countersign a case that is under review");

    // Withdrawn is final too.
    let w_id = w.case_at(Stage::UnderReview).await;
    applications::withdraw(c, &w.exporter, w_id, "No longer needed by the customer.")
        .await
        .unwrap();
    refused(&db, cases::assign_to_self(c, &w.caseworker, w_id)).await;
    refused(
        &db,
        applications::withdraw(
            c,
            &w.exporter,
            w_id,
            "Withdrawing twice, to see it refused.",
        ),
    )
    .await;
}

/// A finalisation refused for blockers records the attempt (and nothing else); the case
/// stays under final review and can then be decided properly.
async fn blocked_finalisation_is_audited(backend: Backend) {
    let db = TestDb::new(backend).await;
    let w = World::new(&db).await;
    let c = &w.ctx;
    let id = w.case_at(Stage::UnderFinalReview).await;
    let attempts: [(DecisionInput, &str); 3] = [
        // Departing from approve advice without saying why.
        (
            refusal(&["2c"], ""),
            "the decision (refuse) departs from the final advice",
        ),
        (
            DecisionInput {
                reasons: "Too short".into(),
                ..grant(&[])
            },
            "give reasons of at least 20 characters",
        ),
        (
            refusal(&[], "Departing deliberately: new intelligence."),
            "a refusal must cite at least one criterion",
        ),
    ];
    for (input, expected) in attempts {
        let before = RowCounts::of(&db.store).await;
        let err = decisions::finalise(c, &w.decision_maker, id, &input)
            .await
            .unwrap_err();
        let ServiceError::Blocked(blockers) = err else {
            panic!("expected blockers, got {err:?}")
        };
        assert!(
            blockers.iter().any(|b| b.starts_with(expected)),
            "{blockers:?}"
        );
        let after = RowCounts::of(&db.store).await;
        assert_eq!(
            after,
            RowCounts {
                audit_events: before.audit_events + 1,
                ..before
            }
        );
        let (_, action, role, actor, subject, detail) = last_event(&db.store).await;
        assert_eq!(
            (action.as_str(), role.as_str(), subject),
            ("case.finalise_refused", "decision_maker", id.to_string())
        );
        assert_eq!(actor, Some(w.decision_maker.user_id.to_string()));
        let detail: serde_json::Value = serde_json::from_str(&detail).unwrap();
        assert_eq!(detail["blockers"], serde_json::json!(blockers));
    }
    assert_eq!(
        cases::get_case(c, &w.decision_maker, id)
            .await
            .unwrap()
            .status,
        CaseStatus::UnderFinalReview
    );
    decide(&w, id, &grant(&[])).await;
    assert!(probity_service::store::audit::verify(&db.store)
        .await
        .unwrap()
        .is_ok());
}

probity_service::backend_tests!(
    deciding_twice,
    advising_on_a_finalised_case,
    reinstating_a_revoked_licence,
    answering_without_an_open_question,
    submitting_a_submitted_application,
    other_illegal_case_moves,
    blocked_finalisation_is_audited,
);
