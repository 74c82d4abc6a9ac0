//! Concurrent commands on both databases: nothing lost, nothing doubled, references dense.
mod common;

use common::*;
use probity_service::decisions::{self, Finalised};
use probity_service::domain::CaseStatus;
use probity_service::store::audit;
use probity_service::testing::{siel, Backend, RowCounts, Stage, TestDb, World};
use probity_service::{applications, cases, licences, records, ServiceError};

async fn twenty_concurrent_submissions(backend: Backend) {
    let db = TestDb::new(backend).await;
    let w = World::new(&db).await;
    let before = RowCounts::of(&db.store).await;
    let tasks: Vec<_> = (0..20)
        .map(|i| {
            let ctx = w.ctx.clone();
            let actor = if i % 2 == 0 {
                w.exporter.clone()
            } else {
                w.other_exporter.clone()
            };
            tokio::spawn(async move {
                applications::submit_new(&ctx, &actor, &siel(if i % 3 == 0 { "SE" } else { "NO" }))
                    .await
            })
        })
        .collect();
    let mut refs = Vec::new();
    let mut ids = Vec::new();
    for t in tasks {
        let (id, reference) = t.await.unwrap().expect("every submission succeeds");
        ids.push(id);
        refs.push(reference.to_string());
    }
    refs.sort();
    let expected: Vec<String> = (1..=20).map(|n| format!("GBSIEL/2026/{n:07}")).collect();
    assert_eq!(refs, expected);
    let after = RowCounts::of(&db.store).await;
    assert_eq!(after.cases, before.cases + 20);
    assert_eq!(after.goods_lines, before.goods_lines + 20);
    assert_eq!(after.parties, before.parties + 40);
    assert_eq!(after.audit_events, before.audit_events + 20);
    let report = audit::verify(&db.store)
        .await
        .unwrap()
        .expect("chain intact");
    assert_eq!(report.events, after.audit_events);
    // Each case kept its own reference and goods.
    for id in ids {
        let case = cases::get_case(&w.ctx, &w.caseworker, id).await.unwrap();
        assert_eq!(case.status, CaseStatus::Submitted);
        let found = cases::cases_by_reference(&w.ctx, case.reference.as_deref().unwrap())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(found.id, id);
    }
    // The next one carries on from 20.
    let (_, next) = applications::submit_new(&w.ctx, &w.exporter, &siel("NO"))
        .await
        .unwrap();
    assert_eq!(next.to_string(), "GBSIEL/2026/0000021");
}

/// Two decision-makers decide the same case at once: exactly one decision takes effect.
async fn racing_decisions(backend: Backend) {
    let db = TestDb::new(backend).await;
    let w = World::new(&db).await;
    let mut case_ids = Vec::new();
    for _ in 0..3 {
        case_ids.push(w.case_at(Stage::UnderFinalReview).await);
    }
    for id in case_ids {
        let a = {
            let (ctx, dm) = (w.ctx.clone(), w.decision_maker.clone());
            tokio::spawn(async move { decisions::finalise(&ctx, &dm, id, &grant(&[])).await })
        };
        let b = {
            let (ctx, dm) = (w.ctx.clone(), w.second_decision_maker.clone());
            tokio::spawn(async move {
                decisions::finalise(
                    &ctx,
                    &dm,
                    id,
                    &refusal(&["2c"], "Refusing: the risk is too high here."),
                )
                .await
            })
        };
        let results = [a.await.unwrap(), b.await.unwrap()];
        let ok: Vec<&Finalised> = results.iter().filter_map(|r| r.as_ref().ok()).collect();
        assert_eq!(ok.len(), 1, "{results:?}");
        let loser = results.iter().find_map(|r| r.as_ref().err()).unwrap();
        assert!(
            matches!(loser, ServiceError::Conflict(m) if m == "cannot finalise a case that is finalised"),
            "{loser:?}"
        );
        let licences = licences::for_case(&w.ctx, &w.exporter, id).await.unwrap();
        match ok[0] {
            Finalised::Granted(_) => assert_eq!(licences.len(), 1),
            Finalised::Refused => assert!(licences.is_empty()),
            other => panic!("{other:?}"),
        }
    }
    let page = records::list_public(&w.ctx, None, 1, 10).await.unwrap();
    assert_eq!(page.total, 3, "one public record per case");
    assert!(audit::verify(&db.store).await.unwrap().is_ok());
}

/// Many different commands at once keep the audit chain and the outbox dense.
async fn mixed_commands_keep_the_chain(backend: Backend) {
    let db = TestDb::new(backend).await;
    let w = World::new(&db).await;
    let mut submitted = Vec::new();
    for _ in 0..8 {
        submitted.push(w.case_at(Stage::Submitted).await);
    }
    let mut tasks = Vec::new();
    for id in submitted {
        let (ctx, cw) = (w.ctx.clone(), w.caseworker.clone());
        tasks.push(tokio::spawn(async move {
            cases::assign_to_self(&ctx, &cw, id).await.map(|_| ())
        }));
        let (ctx, ex) = (w.ctx.clone(), w.exporter.clone());
        tasks.push(tokio::spawn(async move {
            applications::submit_new(&ctx, &ex, &siel("NO"))
                .await
                .map(|_| ())
        }));
    }
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    let report = audit::verify(&db.store)
        .await
        .unwrap()
        .expect("chain intact");
    assert_eq!(report.events, RowCounts::of(&db.store).await.audit_events);
    let mine = cases::list_cases(&w.ctx, &w.caseworker, cases::Queue::Mine, 1, 50)
        .await
        .unwrap();
    assert_eq!(mine.total, 8);
}

probity_service::backend_tests!(
    twenty_concurrent_submissions,
    racing_decisions,
    mixed_commands_keep_the_chain,
);
