//! Every kind of public decision record on both databases: produced by its decision, newest
//! first, and free of confidential data.
mod common;

use common::*;
use probity_service::cases::{self};
use probity_service::decisions::Finalised;
use probity_service::domain::{LicenceAction, LicenceStatus, RecordKind};
use probity_service::testing::{Backend, TestDb, World};
use probity_service::{appeals, licences, records, ServiceError};
use time::Duration;

/// Every kind of public record, from one world, listed newest first.
async fn every_kind_of_public_record(backend: Backend) {
    let db = TestDb::new(backend).await;
    let w = World::new(&db).await;
    let c = &w.ctx;
    let mut expected: Vec<RecordKind> = Vec::new();
    let tick = || w.clock.advance(Duration::hours(1));
    let wr = &w;
    let licence_of =
        |id| async move { licences::for_case(c, &wr.exporter, id).await.unwrap()[0].clone() };

    // Grant (to Norway), later suspended and reinstated; it lives on to expire.
    let a = to_final_review(
        &w,
        &distinctive_application("NO"),
        &[approve("NO")],
        &[approve("NO")],
    )
    .await;
    decide(&w, a, &grant(&[])).await;
    expected.push(RecordKind::Grant);
    let la = licence_of(a).await;
    tick();
    licences::act(
        c,
        &w.decision_maker,
        la.id,
        LicenceAction::Suspend,
        "Suspended during a review.",
    )
    .await
    .unwrap();
    expected.push(RecordKind::Suspension);
    tick();
    licences::act(
        c,
        &w.decision_maker,
        la.id,
        LicenceAction::Reinstate,
        "The review found no concerns.",
    )
    .await
    .unwrap();
    expected.push(RecordKind::Reinstatement);

    // Refusal (to Sweden), then an appeal that is allowed.
    tick();
    let b = to_final_review(
        &w,
        &distinctive_application("SE"),
        &[refuse("SE", &["2c"])],
        &[refuse("SE", &["2c"])],
    )
    .await;
    decide(&w, b, &refusal(&["2c"], "")).await;
    expected.push(RecordKind::Refusal);

    // No licence required (to Finland).
    tick();
    let n = to_final_review(
        &w,
        &distinctive_application("FI"),
        &[nlr("FI")],
        &[nlr("FI")],
    )
    .await;
    decide(&w, n, &no_licence()).await;
    expected.push(RecordKind::NoLicenceRequired);

    // Grant then revocation; grant then surrender; grant then exhaustion (exporter's own).
    let mut others = Vec::new();
    for (action, kind, actor) in [
        (
            LicenceAction::Revoke,
            RecordKind::Revocation,
            &w.decision_maker,
        ),
        (LicenceAction::Surrender, RecordKind::Surrender, &w.exporter),
        (LicenceAction::Exhaust, RecordKind::Exhaustion, &w.exporter),
    ] {
        tick();
        let id = to_final_review(
            &w,
            &distinctive_application("NO"),
            &[approve("NO")],
            &[approve("NO")],
        )
        .await;
        decide(&w, id, &grant(&[])).await;
        expected.push(RecordKind::Grant);
        let l = licence_of(id).await;
        tick();
        licences::act(c, actor, l.id, action, "Recorded with a reason given.")
            .await
            .unwrap();
        expected.push(kind);
        others.push(l);
    }

    // The Swedish refusal is appealed and the appeal allowed: a licence on the appeal.
    tick();
    let (appeal_b, appeal_ref) = appeals::appeal(
        c,
        &w.exporter,
        b,
        "The end user has since changed its procurement controls.",
    )
    .await
    .unwrap();
    assert_eq!(appeal_ref.to_string(), "GBAPL/2026/0000001");
    assess(&w, appeal_b, &approve("SE")).await;
    let allowed = decide(&w, appeal_b, &grant(&[])).await;
    assert!(matches!(allowed, Finalised::Granted(_)), "{allowed:?}");
    expected.push(RecordKind::AppealAllowed);

    // Another refusal (to Denmark), appealed and dismissed.
    tick();
    let d = to_final_review(
        &w,
        &distinctive_application("DK"),
        &[refuse("DK", &["7"])],
        &[refuse("DK", &["7"])],
    )
    .await;
    decide(&w, d, &refusal(&["7"], "")).await;
    expected.push(RecordKind::Refusal);
    tick();
    let (appeal_d, _) = appeals::appeal(
        c,
        &w.exporter,
        d,
        "The diversion risk was overstated in the assessment.",
    )
    .await
    .unwrap();
    assess(&w, appeal_d, &refuse("DK", &["7"])).await;
    assert_eq!(
        decide(&w, appeal_d, &refusal(&["7"], "")).await,
        Finalised::Refused
    );
    expected.push(RecordKind::AppealDismissed);

    // Two years on, the live licences expire: the reinstated one and the appeal's.
    w.clock.advance(Duration::days(2 * 366));
    assert_eq!(licences::expire_due(c).await.unwrap(), 2);
    expected.push(RecordKind::Expiry);
    expected.push(RecordKind::Expiry);
    assert_eq!(licence_of(a).await.status, LicenceStatus::Expired);
    assert_eq!(licence_of(appeal_b).await.status, LicenceStatus::Expired);
    for l in &others {
        let (now, _) = licences::get(c, &w.exporter, l.id).await.unwrap();
        assert!(now.status.is_terminal() && now.status != LicenceStatus::Expired);
    }

    let page = records::list_public(c, None, 1, 100).await.unwrap();
    assert_eq!(page.total as usize, expected.len());
    let kinds: Vec<RecordKind> = page.records.iter().map(|r| r.record.kind).collect();
    let mut newest_first = expected.clone();
    newest_first.reverse();
    assert_eq!(kinds, newest_first);
    // Every kind but a review's own outcomes (a licence kept, or kept suspended), which
    // tests/reviews.rs publishes and checks.
    for kind in RecordKind::ALL {
        if matches!(
            kind,
            RecordKind::Retention | RecordKind::SuspensionMaintained
        ) {
            continue;
        }
        assert!(kinds.contains(&kind), "no {kind:?} record");
    }
    for pair in page.records.windows(2) {
        assert!(pair[0].seq > pair[1].seq);
        assert!(pair[0].record.decided_at >= pair[1].record.decided_at);
    }
    for r in &page.records {
        let rec = &r.record;
        assert_eq!(rec.destinations.len(), 1, "{rec:?}");
        assert!(!rec.goods_summary.is_empty());
        let total: i64 = rec.ratings.iter().map(|v| v.value_minor).sum();
        assert_eq!(
            total, 130_000,
            "value per rating sums to the goods value: {rec:?}"
        );
        let cites = matches!(rec.kind, RecordKind::Refusal | RecordKind::AppealDismissed);
        assert_eq!(!rec.criteria.is_empty(), cites, "{rec:?}");
        let licensed = !matches!(
            rec.kind,
            RecordKind::Refusal | RecordKind::AppealDismissed | RecordKind::NoLicenceRequired
        );
        assert_eq!(rec.licence_number.is_some(), licensed, "{rec:?}");
        match rec.kind {
            RecordKind::Grant | RecordKind::Refusal | RecordKind::NoLicenceRequired => {
                assert_eq!(rec.refers_to, None)
            }
            RecordKind::AppealAllowed | RecordKind::AppealDismissed => {
                // An appeal outcome names the refusal it concerns by its public reference.
                let refused = if rec.kind == RecordKind::AppealAllowed {
                    b
                } else {
                    d
                };
                let original = cases::get_case(c, &w.oversight, refused).await.unwrap();
                assert_eq!(rec.refers_to, original.reference, "{rec:?}");
            }
            _ => assert_eq!(
                rec.refers_to.as_deref(),
                rec.licence_number.as_ref().map(|n| n.as_str()),
                "a licence event names its licence"
            ),
        }
        // Official actions publish their reason; the exporter's own do not.
        let reasoned = matches!(
            rec.kind,
            RecordKind::Suspension
                | RecordKind::Reinstatement
                | RecordKind::Revocation
                | RecordKind::Expiry
        );
        assert_eq!(rec.reason.is_some(), reasoned, "{rec:?}");
    }
    let dests: Vec<&str> = page
        .records
        .iter()
        .map(|r| r.record.destinations[0].as_str())
        .collect();
    assert!(dests.contains(&"SE") && dests.contains(&"FI") && dests.contains(&"DK"));

    // Filter by destination, and page through.
    let sweden = records::list_public(c, Some("se"), 1, 100).await.unwrap();
    assert_eq!(
        sweden
            .records
            .iter()
            .map(|r| r.record.kind)
            .collect::<Vec<_>>(),
        vec![
            RecordKind::Expiry,
            RecordKind::AppealAllowed,
            RecordKind::Refusal
        ]
    );
    // The country's name finds the same; a name that is no country is a field error.
    let by_name = records::list_public(c, Some("Sweden"), 1, 100)
        .await
        .unwrap();
    assert_eq!(by_name.total, sweden.total);
    let bad = records::list_public(c, Some("Swedenland"), 1, 100).await;
    assert_eq!(invalid(bad)[0].0, "destination");
    let p2 = records::list_public(c, None, 2, 5).await.unwrap();
    assert_eq!(p2.total as usize, expected.len());
    assert_eq!(
        p2.records.iter().map(|r| r.seq).collect::<Vec<_>>(),
        page.records[5..10]
            .iter()
            .map(|r| r.seq)
            .collect::<Vec<_>>()
    );
    let one = records::get_public(c, page.records[0].seq).await.unwrap();
    assert_eq!(one.record, page.records[0].record);
    assert!(matches!(
        records::get_public(c, 9999).await,
        Err(ServiceError::NotFound(_))
    ));

    // Nothing confidential, in the stored JSON or in what the listing serialises.
    for json in outbox_json(&db.store).await {
        assert_public(&json);
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        let mut keys: Vec<&str> = v.as_object().unwrap().keys().map(|k| k.as_str()).collect();
        keys.sort();
        assert_eq!(
            keys,
            vec![
                "case_reference",
                "criteria",
                "decided_at",
                "destinations",
                "end_user_type",
                "goods_summary",
                "kind",
                "licence_number",
                "licence_type",
                "ratings",
                "reason",
                "refers_to",
            ]
        );
    }
    assert_public(&serde_json::to_string(&page).unwrap());
}

probity_service::backend_tests!(every_kind_of_public_record);
