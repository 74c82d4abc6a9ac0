//! Queues a person can triage, on both databases: an adviser's "awaiting my team's advice"
//! holds only what the team has still to advise on, a caseworker's "advice returned" what is
//! ready to consolidate; every list can be searched by reference, exporter, party or
//! destination (name or code), sorted, and says how long each open case has waited and its
//! target date.
use probity_service::advice::{self, AdviceInput};
use probity_service::cases::{self, CaseSummary, ListOptions, Queue, Sort};
use probity_service::domain::{CaseId, PartyRole};
use probity_service::testing::{siel, Backend, Stage, TestDb, World};
use probity_service::ServiceError;

async fn ids(
    w: &World,
    who: &probity_service::auth::Actor,
    q: Queue,
    o: ListOptions,
) -> Vec<CaseId> {
    cases::list_cases_with(&w.ctx, who, q, &o, 1, 50)
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|c: CaseSummary| c.id)
        .collect()
}

fn search(text: &str) -> ListOptions {
    ListOptions {
        search: text.into(),
        ..ListOptions::default()
    }
}

async fn queues_for_advisers_and_caseworkers(backend: Backend) {
    let db = TestDb::new(backend).await;
    let w = World::new(&db).await;
    let c = &w.ctx;
    let waiting = w.case_at(Stage::AdviceRequested).await;
    let answered = w.case_at(Stage::AdviceRequested).await;
    for adviser in [&w.fcdo_adviser, &w.mod_adviser] {
        let input = AdviceInput {
            destination: "NO".into(),
            kind: "approve".into(),
            proviso: String::new(),
            criteria: Vec::new(),
            reasons: "Assessed against every criterion: no concerns.".into(),
        };
        advice::give_advice(c, adviser, answered, &input)
            .await
            .unwrap();
    }
    let decided = w.case_at(Stage::FinalAdvice).await;

    // The adviser: only what the team still owes; every referral under the second tab.
    let owed = ids(
        &w,
        &w.fcdo_adviser,
        Queue::AwaitingMyAdvice,
        ListOptions::default(),
    )
    .await;
    assert_eq!(owed, vec![waiting]);
    let referred = ids(&w, &w.fcdo_adviser, Queue::Advice, ListOptions::default()).await;
    assert_eq!(referred.len(), 3, "{referred:?}");
    assert!(matches!(
        cases::list_cases(c, &w.caseworker, Queue::AwaitingMyAdvice, 1, 50).await,
        Err(ServiceError::Forbidden(_))
    ));
    // The caseworker: the case whose advice is all in and not yet consolidated.
    let returned = ids(
        &w,
        &w.caseworker,
        Queue::AdviceReturned,
        ListOptions::default(),
    )
    .await;
    assert_eq!(returned, vec![answered]);
    assert!(!returned.contains(&decided));
    // The note written with the request reaches the advisers.
    let summary = advice::summary(c, &w.fcdo_adviser, waiting).await.unwrap();
    assert!(
        summary.notes.iter().any(|(_, n)| n == "Please advise."),
        "{:?}",
        summary.notes
    );
}

async fn lists_are_searched_sorted_and_timed(backend: Backend) {
    let db = TestDb::new(backend).await;
    let w = World::new(&db).await;
    let c = &w.ctx;
    let mut to_saudi = siel("SA");
    for p in &mut to_saudi.parties {
        if p.role == PartyRole::EndUser {
            p.name = "Royal Saudi Naval Forces".into();
        }
    }
    let first = w.case_at(Stage::UnderReview).await;
    let saudi = w.case_for(&to_saudi, Stage::UnderReview).await;
    let all = |o| ids(&w, &w.caseworker, Queue::All, o);

    assert_eq!(
        all(search("saudi arabia")).await,
        vec![saudi],
        "destination by name"
    );
    assert_eq!(all(search("SA")).await, vec![saudi], "destination by code");
    assert_eq!(
        all(search("naval forces")).await,
        vec![saudi],
        "party, any case"
    );
    let reference = cases::get_case(c, &w.caseworker, first)
        .await
        .unwrap()
        .reference
        .unwrap()
        .to_string();
    assert_eq!(all(search(&reference)).await, vec![first], "reference");
    assert_eq!(
        all(search("100%_")).await,
        Vec::<CaseId>::new(),
        "LIKE's wildcards are literal"
    );
    let exporter = all(search("acme")).await;
    assert_eq!(exporter.len(), 2, "the exporter's name");
    let too_long = "x".repeat(101);
    assert!(matches!(
        cases::list_cases_with(c, &w.caseworker, Queue::All, &search(&too_long), 1, 50).await,
        Err(ServiceError::Validation(_))
    ));

    // Longest waiting first: the first submitted.
    let oldest = ListOptions {
        sort: Sort::Oldest,
        ..ListOptions::default()
    };
    assert_eq!(all(oldest).await, vec![first, saudi]);
    let page = cases::list_cases(c, &w.caseworker, Queue::All, 1, 50)
        .await
        .unwrap();
    for item in &page.items {
        assert_eq!(item.days_in_queue, Some(0), "{item:?}");
        let submitted = item.submitted_at.unwrap().date();
        let target = item.target_date.unwrap();
        // Twenty working days: four weeks at least, more over bank holidays.
        assert!(
            (target - submitted).whole_days() >= 28,
            "{submitted} → {target}"
        );
        let json = serde_json::to_value(item).unwrap();
        assert_eq!(json["target_date"], target.to_string());
    }
}

probity_service::backend_tests!(
    queues_for_advisers_and_caseworkers,
    lists_are_searched_sorted_and_timed,
);
