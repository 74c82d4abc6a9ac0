//! Read-decide-write races, one per kind of command, on both databases: many parallel
//! attempts, then the invariants a user relies on. Each command reads what it decides on
//! inside its own transaction (after the command lock), so whichever order the database picks,
//! the outcome is one that some serial order of the same commands would give.
mod common;

use common::*;
use probity_service::domain::{CaseId, CaseStatus, Consolidated, LicenceAction, LicenceStatus};
use probity_service::store::audit;
use probity_service::testing::{Backend, Stage, TestDb, World};
use probity_service::{advice, case_view, cases, decisions, licences, ServiceError};
use tokio::task::JoinHandle;

async fn count(db: &TestDb, sql: &str, id: &str) -> i64 {
    probity_service::store::testing::count_where(&db.store, sql, id)
        .await
        .unwrap()
}

async fn join_all<T: std::fmt::Debug>(tasks: Vec<JoinHandle<T>>) -> Vec<T> {
    let mut out = Vec::new();
    for t in tasks {
        out.push(t.await.expect("task panicked"));
    }
    out
}

/// The reported attack: consolidations race an adviser's "refuse". A final advice read before
/// the refusal must never survive it, and no licence may be granted against it.
async fn advice_vs_consolidation(backend: Backend) {
    let db = TestDb::new(backend).await;
    let w = World::new(&db).await;
    for round in 0..4 {
        let id = w.case_at(Stage::AdviceRequested).await;
        for adviser in [&w.fcdo_adviser, &w.mod_adviser] {
            advice::give_advice(&w.ctx, adviser, id, &approve("NO"))
                .await
                .unwrap();
        }
        let mut tasks: Vec<JoinHandle<Result<(), ServiceError>>> = Vec::new();
        for i in 0..20 {
            let ctx = w.ctx.clone();
            if i == 10 + round {
                let fcdo = w.fcdo_adviser.clone();
                tasks.push(tokio::spawn(async move {
                    advice::give_advice(&ctx, &fcdo, id, &refuse("NO", &["2c"])).await
                }));
            } else {
                let cw = w.caseworker.clone();
                tasks.push(tokio::spawn(async move {
                    advice::consolidate_final(&ctx, &cw, id, "Consolidated from every team.")
                        .await
                        .map(|_| ())
                }));
            }
        }
        for r in join_all(tasks).await {
            r.expect("every command succeeds on its own terms");
        }
        let case = cases::get_case(&w.ctx, &w.caseworker, id).await.unwrap();
        // Either the refusal came last (final advice cleared) or a consolidation saw it.
        assert!(
            matches!(case.final_advice, None | Some(Consolidated::Conflicting)),
            "round {round}: final advice {:?} ignores the current refusal",
            case.final_advice
        );
        match decisions::submit_for_decision(&w.ctx, &w.caseworker, id).await {
            Err(ServiceError::Conflict(m)) => {
                assert!(case.final_advice.is_none());
                assert_eq!(m, "consolidate the final advice first");
            }
            Ok(()) => {
                let blocked = decisions::finalise(&w.ctx, &w.decision_maker, id, &grant(&[]))
                    .await
                    .expect_err("a grant against current refuse advice");
                assert!(matches!(blocked, ServiceError::Blocked(_)), "{blocked:?}");
            }
            Err(other) => panic!("round {round}: {other:?}"),
        }
        let licences = licences::for_case(&w.ctx, &w.exporter, id).await.unwrap();
        assert!(licences.is_empty(), "round {round}: a licence was issued");
    }
    assert!(audit::verify(&db.store).await.unwrap().is_ok());
}

/// A final advice that no longer matches the current advice is refused with a plain reason,
/// whichever way it went stale (here: advice superseded behind the command's back, and a final
/// advice consolidated before fingerprints were kept).
async fn stale_final_advice_is_refused(backend: Backend) {
    let db = TestDb::new(backend).await;
    let w = World::new(&db).await;
    let stale = "the advice on this case has changed since the final advice was consolidated: \
                 the caseworker must consolidate the final advice again";
    let id = w.case_at(Stage::FinalAdvice).await;
    sqlx::query("UPDATE advice SET superseded_at = 1 WHERE case_id = $1 AND level = 'user'")
        .bind(id.to_string())
        .execute(db.store.pool())
        .await
        .unwrap();
    let err = decisions::submit_for_decision(&w.ctx, &w.caseworker, id)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, ServiceError::Conflict(m) if m == stale),
        "{err:?}"
    );

    // Consolidated before fingerprints were kept (an upgraded database): finalise and
    // countersign refuse too, saying why.
    let legacy = "this final advice was consolidated before Probity kept a record of the \
                  advice it summarises: the caseworker must consolidate the final advice again";
    let id = w.case_at(Stage::UnderFinalReview).await;
    let pending = w.case_at(Stage::AwaitingCountersign).await;
    for case in [id, pending] {
        sqlx::query("UPDATE cases SET final_advice_fingerprint = NULL WHERE id = $1")
            .bind(case.to_string())
            .execute(db.store.pool())
            .await
            .unwrap();
    }
    let err = decisions::finalise(&w.ctx, &w.decision_maker, id, &grant(&[]))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, ServiceError::Conflict(m) if m == legacy),
        "{err:?}"
    );
    let err = decisions::countersign(&w.ctx, &w.second_decision_maker, pending, "Agreed.")
        .await
        .unwrap_err();
    assert!(
        matches!(&err, ServiceError::Conflict(m) if m == legacy),
        "{err:?}"
    );
    for case in [id, pending] {
        assert!(licences::for_case(&w.ctx, &w.exporter, case)
            .await
            .unwrap()
            .is_empty());
    }
    // The way out: return the case, consolidate again, and decide.
    decisions::return_to_caseworker(
        &w.ctx,
        &w.decision_maker,
        id,
        "The advice on the case has changed.",
    )
    .await
    .unwrap();
    advice::consolidate_final(&w.ctx, &w.caseworker, id, "Consolidated once more.")
        .await
        .unwrap();
    decisions::submit_for_decision(&w.ctx, &w.caseworker, id)
        .await
        .unwrap();
    decisions::finalise(&w.ctx, &w.decision_maker, id, &grant(&[]))
        .await
        .unwrap();
}

/// Answers race each other and a new question: one answer per question, and the case waits
/// for the exporter exactly when a question is open.
async fn question_vs_answer(backend: Backend) {
    let db = TestDb::new(backend).await;
    let w = World::new(&db).await;
    for _ in 0..3 {
        let id = w.case_at(Stage::AwaitingExporter).await;
        let qid = cases::questions(&w.ctx, &w.caseworker, id).await.unwrap()[0].id;
        let mut answers = Vec::new();
        let mut asks = Vec::new();
        for i in 0..16 {
            let ctx = w.ctx.clone();
            if i % 4 == 0 {
                let cw = w.caseworker.clone();
                asks.push(tokio::spawn(async move {
                    cases::ask_question(&ctx, &cw, id, "And the ultimate end user, please?").await
                }));
            } else {
                let ex = w.exporter.clone();
                answers.push(tokio::spawn(async move {
                    cases::answer_question(&ctx, &ex, id, qid, "Attached, signed.").await
                }));
            }
        }
        let answered = join_all(answers).await;
        let asked = join_all(asks).await;
        assert_eq!(
            answered.iter().filter(|r| r.is_ok()).count(),
            1,
            "{answered:?}"
        );
        let new_questions = asked.iter().filter(|r| r.is_ok()).count();
        assert!(new_questions <= 1, "{asked:?}");
        let refusals = answered.iter().filter_map(|r| r.as_ref().err());
        for e in refusals.chain(asked.iter().filter_map(|r| r.as_ref().err())) {
            assert!(matches!(e, ServiceError::Conflict(_)), "{e:?}");
        }
        let questions = cases::questions(&w.ctx, &w.caseworker, id).await.unwrap();
        assert_eq!(questions.len(), 1 + new_questions);
        let open = questions.iter().filter(|q| q.answer.is_none()).count();
        let case = cases::get_case(&w.ctx, &w.caseworker, id).await.unwrap();
        let waiting = case.status == CaseStatus::AwaitingExporter;
        assert_eq!(
            waiting,
            open == 1,
            "status {:?} with {open} open",
            case.status
        );
        assert!(open <= 1);
    }
    assert!(audit::verify(&db.store).await.unwrap().is_ok());
}

/// Decisions, decisions sent for countersigning and countersignatures race on one case: at
/// most one decision takes effect, and the case, pending decision, licence and public record
/// agree with each other.
async fn decision_vs_countersign(backend: Backend) {
    let db = TestDb::new(backend).await;
    let w = World::new(&db).await;
    for _ in 0..3 {
        let id = w.case_at(Stage::UnderFinalReview).await;
        let mut tasks: Vec<JoinHandle<Result<(), ServiceError>>> = Vec::new();
        for i in 0..15 {
            let ctx = w.ctx.clone();
            let (dm, dm2) = (w.decision_maker.clone(), w.second_decision_maker.clone());
            tasks.push(tokio::spawn(async move {
                match i % 3 {
                    0 => {
                        let mut input = grant(&[]);
                        input.countersign = true;
                        decisions::finalise(&ctx, &dm, id, &input).await.map(|_| ())
                    }
                    1 => decisions::finalise(&ctx, &dm2, id, &grant(&[]))
                        .await
                        .map(|_| ()),
                    _ => decisions::countersign(&ctx, &dm2, id, "Countersigned.")
                        .await
                        .map(|_| ()),
                }
            }));
        }
        let results = join_all(tasks).await;
        let succeeded = results.iter().filter(|r| r.is_ok()).count();
        assert!((1..=2).contains(&succeeded), "{results:?}");
        assert_consistent_decision(&db, &w, id).await;
    }
    assert!(audit::verify(&db.store).await.unwrap().is_ok());
}

async fn assert_consistent_decision(db: &TestDb, w: &World, id: CaseId) {
    let case = cases::get_case(&w.ctx, &w.caseworker, id).await.unwrap();
    let key = id.to_string();
    let pending = count(
        db,
        "SELECT CAST(COUNT(*) AS BIGINT) FROM pending_decisions WHERE case_id = $1",
        &key,
    )
    .await;
    let records = count(
        db,
        "SELECT CAST(COUNT(*) AS BIGINT) FROM decision_outbox WHERE case_id = $1",
        &key,
    )
    .await;
    let licences = licences::for_case(&w.ctx, &w.exporter, id).await.unwrap();
    match case.status {
        CaseStatus::Finalised => {
            assert_eq!((pending, records, licences.len()), (0, 1, 1));
        }
        CaseStatus::AwaitingCountersign => {
            assert_eq!((pending, records, licences.len()), (1, 0, 0));
        }
        other => panic!("case left {other:?}"),
    }
}

/// Lifecycle actions race on one licence: every action recorded is a legal step from the
/// status the licence had at that moment, the steps chain, and each has one public record.
async fn suspend_vs_revoke(backend: Backend) {
    let db = TestDb::new(backend).await;
    let w = World::new(&db).await;
    for _ in 0..3 {
        let case = w.case_at(Stage::Granted).await;
        let licence = licences::for_case(&w.ctx, &w.exporter, case).await.unwrap()[0].id;
        let mut tasks = Vec::new();
        for i in 0..18 {
            let ctx = w.ctx.clone();
            let (actor, action) = match i % 3 {
                0 => (w.decision_maker.clone(), LicenceAction::Suspend),
                1 => (w.policy.clone(), LicenceAction::Revoke),
                _ => (w.decision_maker.clone(), LicenceAction::Reinstate),
            };
            tasks.push(tokio::spawn(async move {
                licences::act(
                    &ctx,
                    &actor,
                    licence,
                    action,
                    "Concern raised by the review team.",
                )
                .await
            }));
        }
        let results = join_all(tasks).await;
        let revoked = results
            .iter()
            .filter(|r| matches!(r, Ok(LicenceStatus::Revoked)))
            .count();
        assert_eq!(revoked, 1, "exactly one revocation: {results:?}");
        let events = audit::for_subject(&db.store, "licence", &licence.to_string())
            .await
            .unwrap();
        let mut status = "issued".to_string();
        for e in &events {
            assert_eq!(e.detail["status_before"], status.as_str(), "{events:#?}");
            status = e.detail["status_after"].as_str().unwrap().to_string();
        }
        assert_eq!(status, "revoked");
        assert_eq!(events.len(), results.iter().filter(|r| r.is_ok()).count());
        let (current, _) = licences::get(&w.ctx, &w.decision_maker, licence)
            .await
            .unwrap();
        assert_eq!(current.status, LicenceStatus::Revoked);
        let records = count(
            &db,
            "SELECT CAST(COUNT(*) AS BIGINT) FROM decision_outbox WHERE licence_id = $1",
            &licence.to_string(),
        )
        .await;
        // One record for the grant, one per lifecycle step.
        assert_eq!(records, 1 + events.len() as i64);
    }
    assert!(audit::verify(&db.store).await.unwrap().is_ok());
}

/// The reviewer's scenario: a decision-maker confirms a decision on the advice they read;
/// meanwhile the case is returned, the advice changes and is consolidated again. The confirmed
/// decision carries the fingerprint of the advice read, and is refused.
async fn a_decision_is_taken_on_the_advice_read(backend: Backend) {
    let db = TestDb::new(backend).await;
    let w = World::new(&db).await;
    let id = w.case_at(Stage::UnderFinalReview).await;
    let view = case_view::case_view(&w.ctx, &w.decision_maker, id)
        .await
        .unwrap();
    let read = view.advice_fingerprint.clone().expect("officials see it");
    // Meanwhile: returned, an adviser now refuses, consolidated and sent back.
    decisions::return_to_caseworker(
        &w.ctx,
        &w.second_decision_maker,
        id,
        "More advice is needed.",
    )
    .await
    .unwrap();
    advice::give_advice(&w.ctx, &w.fcdo_adviser, id, &refuse("NO", &["2c"]))
        .await
        .unwrap();
    advice::consolidate_final(&w.ctx, &w.caseworker, id, "Consolidated once more.")
        .await
        .unwrap();
    decisions::submit_for_decision(&w.ctx, &w.caseworker, id)
        .await
        .unwrap();
    let mut as_confirmed = refusal(&[], "Granting despite the advice: the end user is known.");
    as_confirmed.decision = probity_domain::DecisionKind::Grant;
    as_confirmed.advice_fingerprint = read;
    let err = decisions::finalise(&w.ctx, &w.decision_maker, id, &as_confirmed)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, ServiceError::Conflict(m) if m.starts_with("the advice on this case changed after you opened it")),
        "{err:?}"
    );
    assert!(licences::for_case(&w.ctx, &w.exporter, id)
        .await
        .unwrap()
        .is_empty());
    // Read again, the decision-maker decides on what is there now.
    let now_read = case_view::case_view(&w.ctx, &w.decision_maker, id)
        .await
        .unwrap()
        .advice_fingerprint
        .unwrap();
    let mut decided = refusal(&["2c"], "The clear risk under criterion 2c stands.");
    decided.advice_fingerprint = now_read;
    decisions::finalise(&w.ctx, &w.decision_maker, id, &decided)
        .await
        .unwrap();
}

probity_service::backend_tests!(
    a_decision_is_taken_on_the_advice_read,
    advice_vs_consolidation,
    stale_final_advice_is_refused,
    question_vs_answer,
    decision_vs_countersign,
    suspend_vs_revoke,
);
