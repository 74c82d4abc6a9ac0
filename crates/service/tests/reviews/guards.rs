//! What a review refuses and protects: bad input, an embargo applying to new applications by
//! itself, and two reviewers deciding the same licences at once.
use super::*;

async fn bad_review_input_is_refused(backend: Backend) {
    let db = TestDb::new(backend).await;
    let w = World::new(&db).await;
    let c = &w.ctx;
    // Only policy records assessments.
    assert!(matches!(
        assessments::record(c, &w.caseworker, &clear_risk()).await,
        Err(ServiceError::Forbidden(_))
    ));
    // A malformed rating pattern and an unknown destination, each named.
    let mut bad = clear_risk();
    bad.destination = "XX".into();
    bad.scope.ratings = "ML10, not a rating".into();
    match assessments::record(c, &w.policy, &bad).await {
        Err(ServiceError::Validation(e)) => {
            let fields: Vec<&str> = e.0.iter().map(|f| f.field.as_str()).collect();
            assert!(fields.contains(&"destination"), "{fields:?}");
            assert!(fields.contains(&"scope.ratings"), "{fields:?}");
        }
        other => panic!("{other:?}"),
    }
    // A caution calls for no review.
    let mut caution = clear_risk();
    caution.finding = "caution".into();
    let recorded = assessments::record(c, &w.policy, &caution).await.unwrap();
    assert!(matches!(
        reviews::open(c, &w.policy, ReviewBasis::Assessment(recorded.id)).await,
        Err(ServiceError::Conflict(_))
    ));
    // A rule that matches nothing is said before opening (no licences exist here).
    let risk = assessments::record(c, &w.policy, &clear_risk())
        .await
        .unwrap();
    let preview = reviews::preview(c, &w.policy, ReviewBasis::Assessment(risk.id))
        .await
        .unwrap();
    assert!(preview.matches_nothing());
    let (id, _) = reviews::open(c, &w.policy, ReviewBasis::Assessment(risk.id))
        .await
        .unwrap();
    // An empty selection and a missing reason are refused.
    for (selection, reason) in [
        (Selection::Licences(vec![]), "A reason long enough."),
        (Selection::Filter(Filter::default()), ""),
    ] {
        let r = review_outcomes::decide(
            c,
            &w.decision_maker,
            id,
            &selection,
            ReviewOutcome::Suspend,
            reason,
        )
        .await;
        assert!(matches!(r, Err(ServiceError::Validation(_))), "{r:?}");
    }
    let bad_filter = Filter {
        status: "maybe".into(),
        ..Filter::default()
    };
    assert!(matches!(
        review_outcomes::worklist(c, &w.caseworker, id, &bad_filter, 1, 20).await,
        Err(ServiceError::Validation(_))
    ));
    // Exporters cannot see the worklist.
    assert!(matches!(
        review_outcomes::worklist(c, &w.exporter, id, &Filter::default(), 1, 20).await,
        Err(ServiceError::Forbidden(_))
    ));
}

/// The shipped starting set applies by itself: a grant of military goods to an embargoed
/// destination is refused, naming the embargo, unless overridden with the exemption relied on;
/// dual-use goods fall outside an embargo on military goods.
async fn an_embargo_applies_to_new_applications(backend: Backend) {
    let db = TestDb::new(backend).await;
    let w = World::new(&db).await;
    let c = &w.ctx;
    let military = w
        .case_for(
            &application("BY", &["ML15"], "Sights for the border guard."),
            Stage::UnderFinalReview,
        )
        .await;
    let mut grant = common::grant(&[]);
    match decisions::finalise(c, &w.decision_maker, military, &grant).await {
        Err(ServiceError::Blocked(why)) => {
            let all = why.join(" ");
            assert!(all.contains("arms embargo on Belarus"), "{all}");
            assert!(all.contains("2011/357/CFSP"), "{all}");
        }
        other => panic!("a grant to an embargoed destination: {other:?}"),
    }
    grant.review_override =
        "Exempt: protective equipment for humanitarian demining, as the decision allows.".into();
    decisions::finalise(c, &w.decision_maker, military, &grant)
        .await
        .unwrap();
    let dual_use = w
        .case_for(
            &application("BY", &["6A003"], "Cameras for a hospital."),
            Stage::UnderFinalReview,
        )
        .await;
    decisions::finalise(c, &w.decision_maker, dual_use, &common::grant(&[]))
        .await
        .unwrap();
}

/// Two reviewers deciding the same licences at the same moment: exactly one outcome stands
/// for each, and the other reviewer is told which.
async fn concurrent_reviewers_leave_one_outcome(backend: Backend) {
    let db = TestDb::new(backend).await;
    let w = World::new(&db).await;
    let c = &w.ctx;
    for _ in 0..3 {
        w.case_for(
            &application("IL", &["ML10"], "Spare parts."),
            Stage::Granted,
        )
        .await;
    }
    let risk = assessments::record(c, &w.policy, &clear_risk())
        .await
        .unwrap();
    let (id, _) = reviews::open(c, &w.policy, ReviewBasis::Assessment(risk.id))
        .await
        .unwrap();
    let all = Selection::Filter(Filter::default());
    for _ in 0..5 {
        let (a, b) = tokio::join!(
            review_outcomes::decide(
                c,
                &w.decision_maker,
                id,
                &all,
                ReviewOutcome::Suspend,
                "Suspended by the first reviewer."
            ),
            review_outcomes::decide(
                c,
                &w.caseworker,
                id,
                &all,
                ReviewOutcome::Keep,
                "Kept by the second reviewer, at the same time."
            ),
        );
        let (a, b) = (a.unwrap(), b.unwrap());
        // Every licence is decided once: in the first round by one of the two, never by both.
        let decided = a.decided.len() + b.decided.len();
        assert!(
            decided == 3 || decided == 0,
            "{decided} outcomes recorded for 3 licences"
        );
        assert_eq!(a.decided.len() + a.already_decided.len(), 3);
        assert_eq!(b.decided.len() + b.already_decided.len(), 3);
    }
    let list = review_outcomes::worklist(c, &w.caseworker, id, &Filter::default(), 1, 10)
        .await
        .unwrap();
    let suspended = list
        .items
        .iter()
        .filter(|i| i.outcome == Some(ReviewOutcome::Suspend))
        .count();
    let kept = list
        .items
        .iter()
        .filter(|i| i.outcome == Some(ReviewOutcome::Keep))
        .count();
    assert_eq!(suspended + kept, 3);
    for i in &list.items {
        let l = licences::get(c, &w.caseworker, i.licence_id)
            .await
            .unwrap()
            .0;
        let want = if i.outcome == Some(ReviewOutcome::Suspend) {
            "suspended"
        } else {
            "issued"
        };
        assert_eq!(
            l.status.as_str(),
            want,
            "the licence matches the outcome that stands"
        );
    }
}

probity_service::backend_tests!(
    bad_review_input_is_refused,
    an_embargo_applies_to_new_applications,
    concurrent_reviewers_leave_one_outcome
);
