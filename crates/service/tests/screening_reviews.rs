//! A confirmed listing puts the licences it touches under review, on both databases: a true
//! match on a party of a licence in force opens a screening review of that listed entry and
//! destination (public, titled with the entry, never the exporter's party), a second licence
//! with the same listed party joins it, a false positive or a case without a licence opens
//! nothing, and the review is decided and published like any other.
use probity_screening::{BadLines, ListKind};
use probity_service::domain::screening::{MatchVerdict, RescreenReason};
use probity_service::domain::{PartyRole, ReviewKind, ReviewOutcome};
use probity_service::review_outcomes::{self, Selection};
use probity_service::reviews::ReviewBasis;
use probity_service::screening;
use probity_service::testing::{siel, Backend, Stage, TestDb, World};
use probity_service::{assessments, licences, reviews};
use probity_store::migrate;

/// An application to Norway whose end user is `name`.
fn to_end_user(name: &str) -> probity_service::domain::ApplicationInput {
    let mut input = siel("NO");
    for p in &mut input.parties {
        if p.role == PartyRole::EndUser {
            p.name = name.into();
        }
    }
    input
}

/// The unresolved match found on `case`'s parties.
async fn match_on(w: &World, case: probity_service::domain::CaseId) -> String {
    let found = screening::matches_of_case(&w.ctx, &w.caseworker, &case.to_string())
        .await
        .unwrap();
    assert_eq!(found.len(), 1, "{case}: {found:?}");
    found[0].id.clone()
}

async fn resolve(
    w: &World,
    case: probity_service::domain::CaseId,
    verdict: MatchVerdict,
) -> Option<screening::ReviewedLicence> {
    let m = match_on(w, case).await;
    screening::resolve(
        &w.ctx,
        &w.caseworker,
        &case.to_string(),
        &m,
        verdict.as_str(),
        "Checked the registration number and address against the listing.",
    )
    .await
    .unwrap()
}

async fn a_confirmed_listing_puts_licences_under_review(backend: Backend) {
    let db = TestDb::new(backend).await;
    let w = World::new(&db).await;
    let c = &w.ctx;
    let first = w
        .case_for(&to_end_user("Orion Navigation Systems"), Stage::Granted)
        .await;
    let second = w
        .case_for(&to_end_user("Orion Navigation Systems Ltd"), Stage::Granted)
        .await;
    let doubted = w
        .case_for(&to_end_user("Orion Navigation System"), Stage::Granted)
        .await;
    let pending = w
        .case_for(&to_end_user("Orion Navigation Systems"), Stage::UnderReview)
        .await;
    let unrelated = w.case_at(Stage::Granted).await;

    let report = screening::load_list(
        c,
        Some(&w.policy),
        ListKind::Other("watch".into()),
        "watch.csv",
        b"id,name,kind,aliases,country,programme\nN1,Orion Navigation Systems LLC,entity,,Norway,TEST\n"
            .to_vec(),
        BadLines::Refuse,
    )
    .await
    .unwrap();
    let run = screening::rescreen_all(
        c,
        RescreenReason::ListUpdate,
        Some(&report.version_id),
        &mut |_, _| {},
    )
    .await
    .unwrap();
    assert_eq!((run.new_matches, run.on_licences), (4, 3), "{run:?}");
    assert_eq!(
        reviews::list_public(c, false, 1, 20).await.unwrap().total,
        0
    );

    // A possible match is not a listing: nothing is opened, and a false positive opens
    // nothing either.
    assert_eq!(
        resolve(&w, doubted, MatchVerdict::FalsePositive).await,
        None
    );
    assert_eq!(
        reviews::list_public(c, false, 1, 20).await.unwrap().total,
        0
    );
    // A true match on an application: the decision is barred; there is no licence to review.
    assert_eq!(resolve(&w, pending, MatchVerdict::TrueMatch).await, None);

    let opened = resolve(&w, first, MatchVerdict::TrueMatch).await.unwrap();
    assert!(opened.opened);
    let joined = resolve(&w, second, MatchVerdict::TrueMatch).await.unwrap();
    assert!(!joined.opened, "the same entry and destination: one review");
    assert_eq!(joined.review_id, opened.review_id);

    let public = reviews::get_public(c, opened.review_id)
        .await
        .unwrap()
        .review;
    assert_eq!(public.kind, ReviewKind::Screening);
    assert_eq!(public.destination.as_str(), "NO");
    assert_eq!(public.criterion.as_deref(), Some("1"));
    assert!(public.scope.is_none());
    let listed = public.listed.as_ref().unwrap();
    assert_eq!(
        (listed.list.as_str(), listed.entry_id.as_str()),
        ("watch", "N1")
    );
    assert_eq!(listed.name, "Orion Navigation Systems LLC");
    assert!(
        public.title.contains("Orion Navigation Systems LLC"),
        "{}",
        public.title
    );
    assert!(public.title.contains("Norway"), "{}", public.title);
    assert_eq!(public.licences_in_scope, 2);
    // Every licence to Norway in force when it opened: the three Orion ones and the other.
    assert_eq!(public.licences_in_force, 4);
    let other = licences::for_case(c, &w.caseworker, unrelated)
        .await
        .unwrap()[0]
        .id;
    assert!(licences::reviews_of(c, &w.caseworker, other)
        .await
        .unwrap()
        .is_empty());

    // The licence's page names the review it is in.
    let licence = licences::for_case(c, &w.caseworker, first).await.unwrap()[0].clone();
    let held = licences::reviews_of(c, &w.caseworker, licence.id)
        .await
        .unwrap();
    assert_eq!(held.len(), 1);
    assert_eq!(held[0].review_id, opened.review_id.to_string());
    assert_eq!(held[0].outcome, None);

    // Worked like any review: the outcomes a restriction allows, published.
    let second_licence = licences::for_case(c, &w.caseworker, second).await.unwrap()[0].id;
    let done = review_outcomes::decide(
        c,
        &w.decision_maker,
        opened.review_id,
        &Selection::Licences(vec![licence.id, second_licence]),
        ReviewOutcome::Suspend,
        "The end user is listed under the sanctions regime; suspended pending revocation.",
    )
    .await
    .unwrap();
    assert_eq!(done.decided.len(), 2, "{done:?}");
    let refused = review_outcomes::decide(
        c,
        &w.decision_maker,
        opened.review_id,
        &Selection::Licences(vec![licence.id]),
        ReviewOutcome::Reinstate,
        "Reinstating is not an outcome a screening review may record.",
    )
    .await;
    assert!(refused.is_err(), "{refused:?}");
    let after = licences::for_case(c, &w.caseworker, first).await.unwrap()[0].clone();
    assert_eq!(after.status.as_str(), "suspended");
    let public = reviews::get_public(c, opened.review_id)
        .await
        .unwrap()
        .review;
    assert_eq!((public.decided, public.suspended), (2, 2));
    assert!(public.basis().contains("entry N1 of the watch list"));

    // Resolving again is refused, and opens nothing more.
    let m = match_on(&w, first).await;
    assert!(screening::resolve(
        c,
        &w.caseworker,
        &first.to_string(),
        &m,
        "true_match",
        "Checked the registration number and address against the listing.",
    )
    .await
    .is_err());
    assert_eq!(
        reviews::list_public(c, false, 1, 20).await.unwrap().total,
        1
    );
}

/// Migration 17 rebuilds `reviews` (and the two tables that refer to it) to admit screening
/// reviews: reviews opened before it, with their licences and flagged applications, survive
/// it both ways; going back removes only the screening reviews.
async fn reviews_survive_the_migration_both_ways(backend: Backend) {
    let db = TestDb::new(backend).await;
    let w = World::new(&db).await;
    let c = &w.ctx;
    w.case_at(Stage::Granted).await;
    let listed = w
        .case_for(&to_end_user("Orion Navigation Systems"), Stage::Granted)
        .await;
    w.case_at(Stage::UnderReview).await;
    let input = probity_service::domain::AssessmentInput {
        destination: "NO".into(),
        criterion: "2c".into(),
        finding: "clear_risk".into(),
        scope: Default::default(),
        exclusions: Vec::new(),
        evidence: "Reports of the use of such goods against civilians, verified by two sources.".into(),
        reasons: "There is a clear risk that the items might be used to commit a serious violation of international humanitarian law.".into(),
        legal_basis: "Strategic Export Licensing Criteria, criterion 2(c)".into(),
        public_summary: "A clear risk under criterion 2(c) for every licence to the destination.".into(),
    };
    let recorded = assessments::record(c, &w.policy, &input).await.unwrap();
    let (restriction, _) = reviews::open(c, &w.policy, ReviewBasis::Assessment(recorded.id))
        .await
        .unwrap();
    let before = reviews::get_public(c, restriction).await.unwrap().review;
    assert_eq!(
        (before.licences_in_scope, before.applications_flagged),
        (2, 1)
    );

    let report = screening::load_list(
        c,
        Some(&w.policy),
        ListKind::Other("watch".into()),
        "watch.csv",
        b"id,name,kind,aliases,country,programme\nN1,Orion Navigation Systems,entity,,Norway,TEST\n"
            .to_vec(),
        BadLines::Refuse,
    )
    .await
    .unwrap();
    screening::rescreen_all(
        c,
        RescreenReason::ListUpdate,
        Some(&report.version_id),
        &mut |_, _| {},
    )
    .await
    .unwrap();
    let screened = resolve(&w, listed, MatchVerdict::TrueMatch).await.unwrap();

    // Every later migration is reverted first, 17 last.
    let reverted = migrate::revert_to(&db.store, 16).await.unwrap();
    assert_eq!(reverted.last(), Some(&17), "{reverted:?}");
    // At version 16 the service's reads expect columns that are not there yet: look directly.
    let kept: Vec<String> = sqlx::query_scalar("SELECT id FROM reviews")
        .fetch_all(db.store.pool())
        .await
        .unwrap();
    assert_eq!(
        kept,
        vec![restriction.to_string()],
        "only the screening review goes"
    );
    let applied = migrate::run(&db.store).await.unwrap();
    assert_eq!(applied.first(), Some(&17), "{applied:?}");
    assert_eq!(applied.len(), reverted.len());
    let after = reviews::get_public(c, restriction).await.unwrap().review;
    assert_eq!(
        (
            after.licences_in_scope,
            after.applications_flagged,
            &after.title,
            &after.scope
        ),
        (2, 1, &before.title, &before.scope)
    );
    assert!(matches!(
        reviews::get_public(c, screened.review_id).await,
        Err(probity_service::ServiceError::NotFound(_))
    ));
}

probity_service::backend_tests!(
    a_confirmed_listing_puts_licences_under_review,
    reviews_survive_the_migration_both_ways,
);
