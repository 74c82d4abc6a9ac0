//! A case's history, as oversight reads it, includes what happened to its licence.
use probity_service::domain::LicenceAction;
use probity_service::testing::{Backend, Stage, TestDb, World};
use probity_service::{cases, licences};

async fn history_includes_the_licence_lifecycle(backend: Backend) {
    let db = TestDb::new(backend).await;
    let w = World::new(&db).await;
    let c = &w.ctx;
    let id = w.case_at(Stage::Granted).await;
    let licence = licences::for_case(c, &w.exporter, id).await.unwrap()[0].id;
    licences::act(
        c,
        &w.policy,
        licence,
        LicenceAction::Suspend,
        "Destination assessment under review.",
    )
    .await
    .unwrap();
    // Another case's events never appear.
    w.case_at(Stage::Granted).await;
    let history = cases::history(c, &w.oversight, id).await.unwrap();
    let actions: Vec<&str> = history.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions
            .iter()
            .filter(|a| **a == "application.submit")
            .count(),
        1
    );
    assert_eq!(actions.last(), Some(&"licence.suspend"));
    assert!(actions.contains(&"case.finalise"));
    assert!(history.windows(2).all(|p| p[0].seq < p[1].seq));
}

probity_service::backend_tests!(history_includes_the_licence_lifecycle);
