//! Appeals: a refused application may be appealed once, within 28 days; the appeal is a new
//! case (GBAPL reference) decided through the same path, its outcome published as allowed
//! or dismissed.
mod common;

use common::*;
use probity_service::decisions::Finalised;
use probity_service::domain::{CaseKind, CaseStatus, RecordKind};
use probity_service::testing::{Backend, RowCounts, Stage, TestDb, World};
use probity_service::{appeals, case_view, cases, licences, records};
use time::Duration;

const GROUNDS: &str = "The end user has since adopted independent end-use monitoring.";

async fn an_appeal_within_28_days_is_a_new_case(backend: Backend) {
    let db = TestDb::new(backend).await;
    let w = World::new(&db).await;
    let c = &w.ctx;
    let refused = w.case_at(Stage::Refused).await;
    let refused_ref = cases::get_case(c, &w.exporter, refused)
        .await
        .unwrap()
        .reference
        .unwrap();
    w.clock.advance(Duration::days(27));
    let before = RowCounts::of(&db.store).await;
    let (appeal, reference) = appeals::appeal(c, &w.exporter, refused, GROUNDS)
        .await
        .unwrap();
    assert_eq!(reference.to_string(), "GBAPL/2026/0000001");
    let after = RowCounts::of(&db.store).await;
    assert_eq!(after.cases, before.cases + 1);
    assert_eq!(after.audit_events, before.audit_events + 2);
    assert_eq!(after.goods_lines, before.goods_lines + 1);
    assert_eq!(after.parties, before.parties + 2);

    let case = cases::get_case(c, &w.exporter, appeal).await.unwrap();
    assert_eq!(case.kind, CaseKind::Appeal);
    assert_eq!(case.status, CaseStatus::Submitted);
    assert_eq!(case.appeal_of, Some(refused.to_string()));
    assert_eq!(case.appeal_grounds.as_deref(), Some(GROUNDS));
    assert_eq!(case.destinations, vec!["NO".to_string()]);
    let view = case_view::case_view(c, &w.caseworker, appeal)
        .await
        .unwrap();
    assert!(view.is_appeal);
    assert_eq!(
        view.appeal_of,
        Some((refused.to_string(), refused_ref.clone()))
    );
    let original = case_view::case_view(c, &w.exporter, refused).await.unwrap();
    assert_eq!(
        original.appealed_by,
        Some((appeal.to_string(), "GBAPL/2026/0000001".to_string()))
    );
    assert!(!original.can_appeal);
    // It is a new case in the caseworkers' queue; the refusal itself is unchanged.
    let new = cases::list_cases(c, &w.caseworker, cases::Queue::New, 1, 10)
        .await
        .unwrap();
    assert_eq!(
        new.items.iter().map(|s| s.id).collect::<Vec<_>>(),
        vec![appeal]
    );
    assert_eq!(
        cases::get_case(c, &w.exporter, refused)
            .await
            .unwrap()
            .outcome
            .as_deref(),
        Some("refused")
    );

    // Decided through the same path: allowed, it issues a licence and an appeal_allowed record.
    assess(&w, appeal, &approve("NO")).await;
    let allowed_at = w.now();
    let outcome = decide(&w, appeal, &grant(&[])).await;
    let Finalised::Granted(number) = outcome else {
        panic!("{outcome:?}")
    };
    let licence = &licences::for_case(c, &w.exporter, appeal).await.unwrap()[0];
    assert_eq!(licence.number, number.as_str());
    let page = records::list_public(c, None, 1, 10).await.unwrap();
    let kinds: Vec<RecordKind> = page.records.iter().map(|r| r.record.kind).collect();
    assert_eq!(kinds, vec![RecordKind::AppealAllowed, RecordKind::Refusal]);
    let record = &page.records[0].record;
    assert_eq!(record.case_reference.to_string(), "GBAPL/2026/0000001");
    assert_eq!(record.licence_number.as_ref(), Some(&number));
    assert_eq!(record.refers_to.as_deref(), Some(refused_ref.as_str()));
    assert_eq!(record.decided_at, allowed_at);
    assert!(record.criteria.is_empty());
    assert_eq!(
        cases::get_case(c, &w.exporter, appeal)
            .await
            .unwrap()
            .outcome
            .as_deref(),
        Some("granted")
    );
}

async fn a_dismissed_appeal(backend: Backend) {
    let db = TestDb::new(backend).await;
    let w = World::new(&db).await;
    let c = &w.ctx;
    let refused = w.case_at(Stage::Refused).await;
    let (appeal, _) = appeals::appeal(c, &w.exporter, refused, GROUNDS)
        .await
        .unwrap();
    assess(&w, appeal, &refuse("NO", &["2c"])).await;
    assert_eq!(
        decide(&w, appeal, &refusal(&["2c"], "")).await,
        Finalised::Refused
    );
    let record = &records::list_public(c, None, 1, 10).await.unwrap().records[0].record;
    assert_eq!(record.kind, RecordKind::AppealDismissed);
    assert_eq!(record.licence_number, None);
    assert_eq!(
        record
            .criteria
            .iter()
            .map(|c| c.as_str())
            .collect::<Vec<_>>(),
        vec!["2c"]
    );
    assert_eq!(record.refers_to.as_deref(), Some("GBSIEL/2026/0000001"));
    assert!(licences::for_case(c, &w.exporter, appeal)
        .await
        .unwrap()
        .is_empty());
    // A dismissed appeal is the end of the road: it cannot itself be appealed.
    let view = case_view::case_view(c, &w.exporter, appeal).await.unwrap();
    assert!(!view.can_appeal);
    let before = RowCounts::of(&db.store).await;
    let m = conflict(appeals::appeal(c, &w.exporter, appeal, GROUNDS).await);
    assert!(m.contains("appeal"), "{m}");
    assert_eq!(RowCounts::of(&db.store).await, before);
}

async fn the_appeal_window(backend: Backend) {
    let db = TestDb::new(backend).await;
    let w = World::new(&db).await;
    let c = &w.ctx;
    // Refused at 09:00 on 2 March: the notice says appeals are open until 30 March.
    let late = w.case_at(Stage::Refused).await;
    let on_time = w.case_at(Stage::Refused).await;
    let notice = &probity_service::documents::for_case(c, &w.exporter, late)
        .await
        .unwrap()[0]
        .body;
    assert!(notice.contains("until 2026-03-30"), "{notice}");
    // Late on the last day the notice names, an appeal is still accepted…
    w.clock.set(time::macros::datetime!(2026-03-30 23:59 UTC));
    assert!(
        case_view::case_view(c, &w.exporter, on_time)
            .await
            .unwrap()
            .can_appeal
    );
    appeals::appeal(c, &w.exporter, on_time, GROUNDS)
        .await
        .unwrap();
    // …and from the next day it is refused, with nothing written.
    w.clock.set(time::macros::datetime!(2026-03-31 00:00 UTC));
    assert!(
        !case_view::case_view(c, &w.exporter, late)
            .await
            .unwrap()
            .can_appeal
    );
    let before = RowCounts::of(&db.store).await;
    let m = conflict(appeals::appeal(c, &w.exporter, late, GROUNDS).await);
    assert!(m.contains("28-day appeal window closed"), "{m}");
    assert!(m.contains("2026-03-30"), "{m}");
    assert_eq!(RowCounts::of(&db.store).await, before);
}

async fn only_refusals_and_only_once(backend: Backend) {
    let db = TestDb::new(backend).await;
    let w = World::new(&db).await;
    let c = &w.ctx;
    let refused = w.case_at(Stage::Refused).await;
    appeals::appeal(c, &w.exporter, refused, GROUNDS)
        .await
        .unwrap();
    let before = RowCounts::of(&db.store).await;
    let m = conflict(appeals::appeal(c, &w.exporter, refused, GROUNDS).await);
    assert_eq!(m, "this refusal has already been appealed");
    assert_eq!(RowCounts::of(&db.store).await, before);

    for stage in [Stage::Granted, Stage::UnderReview, Stage::UnderFinalReview] {
        let id = w.case_at(stage).await;
        let before = RowCounts::of(&db.store).await;
        let m = conflict(appeals::appeal(c, &w.exporter, id, GROUNDS).await);
        assert_eq!(m, "only a refused application can be appealed", "{stage:?}");
        assert_eq!(RowCounts::of(&db.store).await, before);
    }
    // Grounds are required; officials cannot appeal for the exporter.
    let other = w.case_at(Stage::Refused).await;
    assert_eq!(
        invalid(appeals::appeal(c, &w.exporter, other, "Unfair.").await)[0].0,
        "grounds"
    );
    forbidden(appeals::appeal(c, &w.caseworker, other, GROUNDS).await);
    not_found(appeals::appeal(c, &w.other_exporter, other, GROUNDS).await);
}

probity_service::backend_tests!(
    an_appeal_within_28_days_is_a_new_case,
    a_dismissed_appeal,
    the_appeal_window,
    only_refusals_and_only_once,
);
