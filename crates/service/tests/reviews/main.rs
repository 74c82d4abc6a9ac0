//! Reviews, shaped like the UK's 2024 review of licences to one destination: a clear risk
//! under criterion 2c for goods usable in a named conflict, one multinational programme's
//! components exempt. The review must list exactly the licences in scope with reasons, record
//! each bulk outcome in its own right, publish every suspension, keep the exempt licences
//! with the exemption recorded, refuse a grant of a flagged application, and show the counts.
#[path = "../common/mod.rs"]
mod common;
mod guards;

use probity_service::domain::{
    ApplicationInput, AssessmentInput, CaseId, ClausesInput, ExclusionInput, GoodsLineInput,
    ReviewOutcome,
};
use probity_service::review_outcomes::{self, Filter, Selection};
use probity_service::reviews::{self, ReviewBasis};
use probity_service::testing::{siel, Backend, Stage, TestDb, World};
use probity_service::{assessments, decisions, licences, records, ServiceError};

fn application(destination: &str, ratings: &[&str], end_use: &str) -> ApplicationInput {
    let mut a = siel(destination);
    a.goods = vec![GoodsLineInput {
        description: "Controlled components".into(),
        ratings: ratings.iter().map(|r| r.to_string()).collect(),
        quantity: "10".into(),
        unit: "items".into(),
        value: "125000.00".into(),
        incorporated: false,
    }];
    a.end_use_statement = end_use.into();
    a
}

fn clear_risk() -> AssessmentInput {
    AssessmentInput {
        destination: "IL".into(),
        criterion: "2c".into(),
        finding: "clear_risk".into(),
        scope: ClausesInput {
            ratings: "ML4, ML5, ML10".into(),
            ..ClausesInput::default()
        },
        exclusions: vec![ExclusionInput {
            name: "Components for the F-35 global spares pool".into(),
            when: ClausesInput {
                end_use: "F-35".into(),
                ..ClausesInput::default()
            },
        }],
        evidence: "Reports of the conduct of military operations in the conflict, assessed by officials."
            .into(),
        reasons: "There is a clear risk that the items might be used to commit or facilitate a serious violation of international humanitarian law.".into(),
        legal_basis: "Strategic Export Licensing Criteria, criterion 2(c)".into(),
        public_summary: "A clear risk under criterion 2(c) for items that might be used in military operations in the conflict.".into(),
    }
}

async fn number_of(w: &World, case: CaseId) -> String {
    licences::for_case(&w.ctx, &w.caseworker, case)
        .await
        .unwrap()[0]
        .number
        .clone()
}

async fn review_like_2024(backend: Backend) {
    let db = TestDb::new(backend).await;
    let w = World::new(&db).await;
    let c = &w.ctx;
    // Licences in force: three in scope, one exempt, one out of scope by rating, one to
    // another destination.
    let aircraft = w
        .case_for(
            &application("IL", &["ML10"], "Spare parts for combat aircraft."),
            Stage::Granted,
        )
        .await;
    let bombs = w
        .case_for(
            &application(
                "IL",
                &["ML4.b"],
                "Guidance kits for air-delivered munitions.",
            ),
            Stage::Granted,
        )
        .await;
    let fire_control = w
        .case_for(
            &application("IL", &["ML5", "ML13"], "Fire control for naval vessels."),
            Stage::Granted,
        )
        .await;
    let f35 = w
        .case_for(
            &application(
                "IL",
                &["ML10"],
                "Components for the F-35 global spares pool.",
            ),
            Stage::Granted,
        )
        .await;
    let armour = w
        .case_for(
            &application(
                "IL",
                &["ML13"],
                "Body armour for a news agency's journalists.",
            ),
            Stage::Granted,
        )
        .await;
    let elsewhere = w
        .case_for(
            &application("NO", &["ML10"], "Spare parts for combat aircraft."),
            Stage::Granted,
        )
        .await;
    // A pending application the finding touches.
    let pending = w
        .case_for(
            &application("IL", &["ML10"], "Spare parts for combat aircraft."),
            Stage::UnderFinalReview,
        )
        .await;
    let number = |case| number_of(&w, case);

    let recorded = assessments::record(c, &w.policy, &clear_risk())
        .await
        .unwrap();
    assert_eq!(recorded.version, 1);
    assert_eq!(
        recorded.offer,
        probity_service::domain::ReviewOffer::Restriction
    );

    // The preview says what opening will select, before anything is written.
    let basis = ReviewBasis::Assessment(recorded.id);
    let preview = reviews::preview(c, &w.policy, basis).await.unwrap();
    assert_eq!(
        (preview.licences, preview.excluded, preview.applications),
        (3, 1, 1)
    );
    assert_eq!(preview.in_force, 5, "licences in force to IL");
    assert_eq!(
        preview.examined, 4,
        "those rated ML4, ML5 or ML10 reach the rule"
    );
    assert!(reviews::list_public(c, false, 1, 20)
        .await
        .unwrap()
        .reviews
        .is_empty());

    let (id, opened) = reviews::open(c, &w.policy, basis).await.unwrap();
    assert_eq!(opened.licences, 3);
    // Open reviews are public as a fact from the day they open.
    let public = reviews::list_public(c, true, 1, 20).await.unwrap();
    assert_eq!(public.reviews.len(), 1);
    assert_eq!(public.reviews[0].licences_in_scope, 4);
    assert_eq!(public.reviews[0].licences_in_force, 5);
    assert_eq!(public.reviews[0].days_open, 0);

    let all = Filter::default();
    let list = review_outcomes::worklist(c, &w.caseworker, id, &all, 1, 50)
        .await
        .unwrap();
    let mut listed: Vec<(String, bool)> = list
        .items
        .iter()
        .map(|i| (i.licence_number.clone(), i.exclusion.is_some()))
        .collect();
    listed.sort();
    let mut want = vec![
        (number(aircraft).await, false),
        (number(bombs).await, false),
        (number(fire_control).await, false),
        (number(f35).await, true),
    ];
    want.sort();
    assert_eq!(
        listed, want,
        "exactly the IL licences in scope, the exempt one marked"
    );
    for item in &list.items {
        assert!(item.reason.contains("destination IL"), "{}", item.reason);
        assert!(item.reason.contains("rating ML"), "{}", item.reason);
    }
    // The worklist names the exporters in it; filtering by one finds theirs, by another
    // nothing, and a malformed id is a field error.
    let org = w.exporter.organisation_id.unwrap().to_string();
    assert_eq!(list.organisations.len(), 1);
    assert_eq!(list.organisations[0].id, org);
    assert_eq!(list.organisations[0].licences, 4);
    let by_org = |organisation: String| Filter {
        organisation,
        ..Filter::default()
    };
    let theirs = review_outcomes::worklist(c, &w.caseworker, id, &by_org(org), 1, 50)
        .await
        .unwrap();
    assert_eq!(theirs.total, 4);
    let other = w.other_exporter.organisation_id.unwrap().to_string();
    let none = review_outcomes::worklist(c, &w.caseworker, id, &by_org(other), 1, 50)
        .await
        .unwrap();
    assert_eq!(none.total, 0);
    match review_outcomes::worklist(c, &w.caseworker, id, &by_org("acme".into()), 1, 50).await {
        Err(ServiceError::Validation(v)) => assert_eq!(v.0[0].field, "organisation"),
        other => panic!("a malformed organisation id: {other:?}"),
    }
    let armour_no = number(armour).await;
    let elsewhere_no = number(elsewhere).await;
    assert!(!list
        .items
        .iter()
        .any(|i| i.licence_number == armour_no || i.licence_number == elsewhere_no));
    assert_eq!(list.flagged_applications.len(), 1);

    // The grant of the flagged application is refused without an override...
    let mut grant = common::grant(&[]);
    match decisions::finalise(c, &w.decision_maker, pending, &grant).await {
        Err(ServiceError::Blocked(why)) => {
            assert!(why.iter().any(|m| m.contains("override")), "{why:?}")
        }
        other => panic!("grant of a flagged application: {other:?}"),
    }

    // A licence not in the review refuses the whole selection, naming it; nothing is written.
    let stranger = licences::for_case(c, &w.caseworker, elsewhere)
        .await
        .unwrap()[0]
        .id;
    let mixed = Selection::Licences(vec![list.items[0].licence_id, stranger]);
    match review_outcomes::decide(
        c,
        &w.decision_maker,
        id,
        &mixed,
        ReviewOutcome::Suspend,
        "A reason long enough to record.",
    )
    .await
    {
        Err(ServiceError::Validation(e)) => {
            assert!(e.0[0].message.contains(&stranger.to_string()), "{e:?}")
        }
        other => panic!("a selection naming a licence outside the review: {other:?}"),
    }
    let untouched = review_outcomes::worklist(c, &w.caseworker, id, &all, 1, 50)
        .await
        .unwrap();
    assert_eq!(untouched.review.decided, 0, "nothing was decided");

    // A restriction review does not reinstate.
    let wrong = review_outcomes::decide(
        c,
        &w.decision_maker,
        id,
        &Selection::Filter(Filter::default()),
        ReviewOutcome::Reinstate,
        "Reinstating in a restriction review.",
    )
    .await;
    assert!(
        matches!(wrong, Err(ServiceError::Validation(_))),
        "{wrong:?}"
    );

    // Bulk: suspend everything not excluded; keep the exempt programme, with the exemption.
    let included = Filter {
        exclusion: "included".into(),
        ..Filter::default()
    };
    let done = review_outcomes::decide(
        c,
        &w.decision_maker,
        id,
        &Selection::Filter(included),
        ReviewOutcome::Suspend,
        "A clear risk under criterion 2(c) for items usable in the conflict.",
    )
    .await
    .unwrap();
    assert_eq!(done.decided.len(), 3);
    let excluded = Filter {
        exclusion: "excluded".into(),
        ..Filter::default()
    };
    let kept = review_outcomes::decide(
        c,
        &w.caseworker,
        id,
        &Selection::Filter(excluded),
        ReviewOutcome::Keep,
        "Components for the F-35 global spares pool: a multinational programme.",
    )
    .await
    .unwrap();
    assert_eq!(kept.decided, vec![number(f35).await]);

    // A second reviewer deciding a licence already decided sees the outcome that stands (a
    // licence named twice counts once).
    let first = &list.items[0];
    let again = review_outcomes::decide(
        c,
        &w.caseworker,
        id,
        &Selection::Licences(vec![first.licence_id, first.licence_id]),
        ReviewOutcome::Revoke,
        "Revoke instead, decided at the same moment.",
    )
    .await
    .unwrap();
    assert!(again.decided.is_empty());
    assert_eq!(again.already_decided.len(), 1);

    // Each suspension is a licence event and a public record naming the review.
    for case in [aircraft, bombs, fire_control] {
        let l = &licences::for_case(c, &w.caseworker, case).await.unwrap()[0];
        assert_eq!(l.status.as_str(), "suspended");
    }
    let f35_licence = &licences::for_case(c, &w.caseworker, f35).await.unwrap()[0];
    assert_eq!(f35_licence.status.as_str(), "issued");
    let published = records::list_public(c, Some("IL"), 1, 50).await.unwrap();
    let suspensions: Vec<_> = published
        .records
        .iter()
        .filter(|r| r.record.kind.as_str() == "suspension")
        .collect();
    assert_eq!(suspensions.len(), 3);
    for s in &suspensions {
        let reason = s.record.reason.as_deref().unwrap_or_default();
        assert!(reason.contains("assessment version 1"), "{reason}");
    }
    // The kept licence is public too: a retention record naming the review, with the
    // exemption as its reason, referring to the licence it keeps.
    let retained: Vec<_> = published
        .records
        .iter()
        .filter(|r| r.record.kind.as_str() == "retention")
        .collect();
    assert_eq!(retained.len(), 1, "one licence kept, one retention record");
    let kept_record = &retained[0].record;
    assert_eq!(
        kept_record.refers_to.as_deref(),
        Some(number(f35).await.as_str())
    );
    let reason = kept_record.reason.as_deref().unwrap_or_default();
    assert!(
        reason.contains("F-35 global spares pool") && reason.contains("assessment version 1"),
        "{reason}"
    );
    let after = review_outcomes::worklist(c, &w.caseworker, id, &all, 1, 50)
        .await
        .unwrap();
    assert!(
        after.items.iter().all(|i| i.record.is_some()),
        "every outcome, suspended or kept, links its public record"
    );

    // Each public record carries the licence's ratings and the review's criterion, and the
    // audit chain, extended in bulk, still verifies.
    for s in &suspensions {
        assert!(s
            .record
            .ratings
            .iter()
            .any(|r| r.rating.as_str().starts_with("ML")));
        assert_eq!(s.record.criteria.len(), 1);
        assert_eq!(s.record.criteria[0].as_str(), "2c");
    }
    let chain = probity_service::store::audit::verify(&c.store)
        .await
        .unwrap();
    assert!(chain.is_ok(), "{chain:?}");

    // Exporters are told.
    let told = review_outcomes::notifications(c, &w.exporter)
        .await
        .unwrap();
    assert_eq!(told.len(), 4);

    // The override: a decision-maker grants with reasons; counted publicly.
    grant.review_override =
        "The goods are for a coastal search-and-rescue aircraft fleet, verified by end-use checks."
            .into();
    decisions::finalise(c, &w.decision_maker, pending, &grant)
        .await
        .unwrap();

    // Closing: the public page shows the counts and the exemption relied on.
    reviews::get_public(c, id).await.unwrap();
    review_outcomes::close(
        c,
        &w.policy,
        id,
        "Every licence in scope has an outcome; the review is complete.",
    )
    .await
    .unwrap();
    let closed = reviews::get_public(c, id).await.unwrap();
    let r = &closed.review;
    assert!(r.closed_on.is_some());
    assert_eq!(
        (
            r.licences_in_scope,
            r.suspended,
            r.revoked,
            r.kept,
            r.applications_flagged,
            r.grants_overridden
        ),
        (4, 3, 0, 1, 1, 1)
    );
    assert_eq!(closed.exemptions.len(), 1);
    assert!(closed.exemptions[0].exemption.contains("F-35"));
    assert_eq!(closed.exemptions[0].licences, 1);

    // Withdrawing the finding offers a reinstatement review of exactly what was suspended.
    let mut withdrawn = clear_risk();
    withdrawn.finding = "no_concern".into();
    let recorded = assessments::record(c, &w.policy, &withdrawn).await.unwrap();
    assert_eq!(
        recorded.offer,
        probity_service::domain::ReviewOffer::Reinstatement
    );
    let (again, opened) = reviews::open(c, &w.policy, ReviewBasis::Assessment(recorded.id))
        .await
        .unwrap();
    assert_eq!(
        opened.kind,
        probity_service::domain::ReviewKind::Reinstatement
    );
    assert_eq!(opened.licences, 3, "the three suspended, not the one kept");
    // Two are reinstated; one stays suspended (held under another concern), and that is
    // public too.
    let held = licence_for(&w, fire_control).await;
    let done = review_outcomes::decide(
        c,
        &w.decision_maker,
        again,
        &Selection::Licences(vec![
            licence_for(&w, aircraft).await.id,
            licence_for(&w, bombs).await.id,
        ]),
        ReviewOutcome::Reinstate,
        "The finding is withdrawn: the suspension ends.",
    )
    .await
    .unwrap();
    assert_eq!(done.decided.len(), 2);
    let kept = review_outcomes::decide(
        c,
        &w.decision_maker,
        again,
        &Selection::Licences(vec![held.id]),
        ReviewOutcome::KeepSuspended,
        "Held under a separate end-use concern still being assessed.",
    )
    .await
    .unwrap();
    assert_eq!(kept.decided, vec![held.number.clone()]);
    for case in [aircraft, bombs] {
        assert_eq!(licence_for(&w, case).await.status.as_str(), "reinstated");
    }
    assert_eq!(
        licence_for(&w, fire_control).await.status.as_str(),
        "suspended"
    );
    let published = records::list_public(c, Some("IL"), 1, 50).await.unwrap();
    let count = |kind: &str| {
        published
            .records
            .iter()
            .filter(|r| r.record.kind.as_str() == kind)
            .count()
    };
    assert_eq!(count("reinstatement"), 2);
    assert_eq!(count("suspension_maintained"), 1);
    let maintained = published
        .records
        .iter()
        .find(|r| r.record.kind.as_str() == "suspension_maintained")
        .unwrap();
    assert_eq!(
        maintained.record.refers_to.as_deref(),
        Some(held.number.as_str())
    );
}

async fn licence_for(w: &World, case: CaseId) -> licences::Licence {
    licences::for_case(&w.ctx, &w.caseworker, case)
        .await
        .unwrap()[0]
        .clone()
}

probity_service::backend_tests!(review_like_2024);
