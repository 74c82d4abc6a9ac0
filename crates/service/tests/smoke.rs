//! A granted case on both databases: the fixture world and the whole path work.
use probity_service::testing::{Backend, Stage, TestDb, World};

#[tokio::test]
async fn a_case_can_be_granted_on_both_databases() {
    for backend in Backend::ALL {
        let db = TestDb::new(backend).await;
        let w = World::new(&db).await;
        let id = w.case_at(Stage::Granted).await;
        let licences = probity_service::licences::for_case(&w.ctx, &w.exporter, id)
            .await
            .unwrap();
        assert_eq!(licences.len(), 1, "{backend:?}");
        assert!(probity_store::audit::verify(&db.store)
            .await
            .unwrap()
            .is_ok());
    }
}
