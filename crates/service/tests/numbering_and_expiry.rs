//! Case references are numbered per prefix and per year; licences expire by date, and only
//! when due.
mod common;

use common::*;
use probity_service::domain::{ControlList, CriteriaSet, LicenceAction, LicenceStatus, RecordKind};
use probity_service::testing::{siel, Backend, RowCounts, Stage, TestDb, World};
use probity_service::{applications, licences, records, Ctx};
use time::macros::datetime;
use time::Duration;

async fn references_are_numbered_per_year(backend: Backend) {
    let db = TestDb::new(backend).await;
    let w = World::new(&db).await;
    let c = &w.ctx;
    let wr = &w;
    let submit = move |dest: &'static str, licence_type: &'static str| async move {
        let mut input = siel(dest);
        input.licence_type = licence_type.into();
        applications::submit_new(c, &wr.exporter, &input)
            .await
            .unwrap()
            .1
            .to_string()
    };
    assert_eq!(submit("NO", "siel").await, "GBSIEL/2026/0000001");
    assert_eq!(submit("NO", "siel").await, "GBSIEL/2026/0000002");
    // Open licences have their own sequence.
    assert_eq!(submit("NO", "oiel").await, "GBOIEL/2026/0000001");
    // The last moment of the year still belongs to it…
    w.clock.set(datetime!(2026-12-31 23:59:59.999 UTC));
    assert_eq!(submit("SE", "siel").await, "GBSIEL/2026/0000003");
    // …and a new year starts again from 1, for each prefix.
    w.clock.set(datetime!(2027-01-01 00:00 UTC));
    assert_eq!(submit("SE", "siel").await, "GBSIEL/2027/0000001");
    assert_eq!(submit("SE", "oiel").await, "GBOIEL/2027/0000001");
    assert_eq!(submit("SE", "siel").await, "GBSIEL/2027/0000002");
    // A draft takes its number when submitted, not when saved.
    let draft = applications::save_draft(c, &w.exporter, None, &siel("NO"))
        .await
        .unwrap();
    assert_eq!(submit("NO", "siel").await, "GBSIEL/2027/0000003");
    let r = applications::submit(c, &w.exporter, draft).await.unwrap();
    assert_eq!(r.to_string(), "GBSIEL/2027/0000004");
}

async fn validity_by_licence_type(backend: Backend) {
    let db = TestDb::new(backend).await;
    let w = World::new(&db).await;
    let c = &w.ctx;
    // A grant on the last day of a month keeps to the end of the month 24 months on.
    w.clock.set(datetime!(2027-08-31 14:30 UTC));
    let siel_case = w.case_at(Stage::Granted).await;
    let l = &licences::for_case(c, &w.exporter, siel_case).await.unwrap()[0];
    assert_eq!(l.issued_at, datetime!(2027-08-31 14:30 UTC));
    assert_eq!(l.valid_until, datetime!(2029-08-31 14:30 UTC));
    w.clock.set(datetime!(2028-02-29 10:00 UTC));
    let leap = w.case_at(Stage::Granted).await;
    let l = &licences::for_case(c, &w.exporter, leap).await.unwrap()[0];
    assert_eq!(l.valid_until, datetime!(2030-02-28 10:00 UTC));
    // An open licence runs for five years.
    let mut input = siel("NO");
    input.licence_type = "oiel".into();
    let id = to_final_review(&w, &input, &[approve("NO")], &[approve("NO")]).await;
    decide(&w, id, &grant(&[])).await;
    let l = &licences::for_case(c, &w.exporter, id).await.unwrap()[0];
    assert_eq!(l.number, "GBOIEL/2028/0000001/L1");
    assert_eq!(l.valid_until, datetime!(2033-02-28 10:00 UTC));
}

async fn expiry_by_date(backend: Backend) {
    let db = TestDb::new(backend).await;
    let w = World::new(&db).await;
    let c = &w.ctx;
    let wr = &w;
    let licence_at = move |at| {
        wr.clock.set(at);
        async move {
            let id = wr.case_at(Stage::Granted).await;
            licences::for_case(c, &wr.exporter, id).await.unwrap()[0].clone()
        }
    };
    // Four licences: issued 2 March, issued 12 March, suspended (22 March), revoked (2 March).
    let first = licence_at(datetime!(2026-03-02 09:00 UTC)).await;
    let second = licence_at(datetime!(2026-03-12 09:00 UTC)).await;
    let suspended = licence_at(datetime!(2026-03-22 09:00 UTC)).await;
    let revoked = licence_at(datetime!(2026-03-02 10:00 UTC)).await;
    licences::act(
        c,
        &w.decision_maker,
        suspended.id,
        LicenceAction::Suspend,
        "Suspended pending a review.",
    )
    .await
    .unwrap();
    licences::act(
        c,
        &w.decision_maker,
        revoked.id,
        LicenceAction::Revoke,
        "Revoked for a breach of provisos.",
    )
    .await
    .unwrap();
    let status =
        move |id| async move { licences::get(c, &wr.oversight, id).await.unwrap().0.status };

    // Nothing is due a moment before the first end date.
    w.clock.set(first.valid_until - Duration::seconds(1));
    let before = RowCounts::of(&db.store).await;
    assert_eq!(licences::expire_due(c).await.unwrap(), 0);
    assert_eq!(RowCounts::of(&db.store).await, before);

    // At its end date the first licence expires; the revoked one (same date) is untouched.
    w.clock.set(datetime!(2028-03-05 00:00 UTC));
    assert_eq!(licences::expire_due(c).await.unwrap(), 1);
    assert_eq!(status(first.id).await, LicenceStatus::Expired);
    assert_eq!(status(second.id).await, LicenceStatus::Issued);
    assert_eq!(status(suspended.id).await, LicenceStatus::Suspended);
    assert_eq!(status(revoked.id).await, LicenceStatus::Revoked);
    let after_first = RowCounts::of(&db.store).await;
    assert_eq!(after_first.decision_outbox, before.decision_outbox + 1);
    assert_eq!(after_first.licence_events, before.licence_events + 1);
    assert_eq!(after_first.audit_events, before.audit_events + 1);

    // Later, the second and the suspended one are due; running again changes nothing.
    w.clock.set(datetime!(2028-03-25 00:00 UTC));
    assert_eq!(licences::expire_due(c).await.unwrap(), 2);
    assert_eq!(status(second.id).await, LicenceStatus::Expired);
    assert_eq!(status(suspended.id).await, LicenceStatus::Expired);
    let settled = RowCounts::of(&db.store).await;
    assert_eq!(licences::expire_due(c).await.unwrap(), 0);
    assert_eq!(RowCounts::of(&db.store).await, settled);

    // Each expiry: an event by the system, a public record naming the licence.
    let (l, events) = licences::get(c, &w.exporter, suspended.id).await.unwrap();
    assert_eq!(l.status, LicenceStatus::Expired);
    let last = events.last().unwrap();
    assert_eq!(
        (
            last.action.as_str(),
            last.from_status.as_str(),
            last.to_status.as_str()
        ),
        ("expire", "suspended", "expired")
    );
    assert_eq!(last.actor, None);
    assert_eq!(last.reason, "validity period ended");
    let page = records::list_public(c, None, 1, 100).await.unwrap();
    let expiries: Vec<_> = page
        .records
        .iter()
        .filter(|r| r.record.kind == RecordKind::Expiry)
        .collect();
    assert_eq!(expiries.len(), 3);
    let mut named: Vec<String> = expiries
        .iter()
        .map(|r| r.record.refers_to.clone().unwrap())
        .collect();
    named.sort();
    let mut expected = vec![
        first.number.clone(),
        second.number.clone(),
        suspended.number.clone(),
    ];
    expected.sort();
    assert_eq!(named, expected);
    assert_eq!(
        expiries[0].record.decided_at,
        datetime!(2028-03-25 00:00 UTC)
    );
    assert_eq!(
        expiries[2].record.decided_at,
        datetime!(2028-03-05 00:00 UTC)
    );
    let (.., actor, _, _) = last_event(&db.store).await;
    assert_eq!(actor, None);
    // An expired licence can no longer be suspended or surrendered.
    conflict(
        licences::act(
            c,
            &w.decision_maker,
            first.id,
            LicenceAction::Suspend,
            "Too late for this one.",
        )
        .await,
    );
}

/// A licence granted under a rating that the control list has since dropped can still be
/// suspended and can still expire: its public records keep the rating it was granted under.
async fn licences_outlive_control_list_changes(backend: Backend) {
    let db = TestDb::new(backend).await;
    let w = World::new(&db).await;
    let id = w.case_at(Stage::Granted).await;
    let licence = licences::for_case(&w.ctx, &w.exporter, id).await.unwrap()[0].clone();
    // The deployment now runs with a list that no longer has ML15.
    let list: &'static ControlList = Box::leak(Box::new(
        ControlList::from_csv("code,kind,description\nML1,military,Smooth-bore weapons\n").unwrap(),
    ));
    let mut ctx = Ctx::new(db.store.clone(), CriteriaSet::uk_selc(), w.clock.clone());
    ctx.control_list = list;
    licences::act(
        &ctx,
        &w.policy,
        licence.id,
        LicenceAction::Suspend,
        "Suspended under the new list.",
    )
    .await
    .unwrap();
    w.clock.advance(Duration::days(800));
    assert_eq!(licences::expire_due(&ctx).await.unwrap(), 1);
    let page = records::list_public(&ctx, None, 1, 10).await.unwrap();
    for r in &page.records {
        assert_eq!(r.record.ratings.len(), 1);
        assert_eq!(r.record.ratings[0].rating.as_str(), "ML15.b");
        assert_eq!(r.record.ratings[0].value_minor, 35_600_000);
    }
}

probity_service::backend_tests!(
    references_are_numbered_per_year,
    validity_by_licence_type,
    expiry_by_date,
    licences_outlive_control_list_changes,
);
