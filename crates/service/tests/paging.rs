//! Paging: page numbers and sizes past sane bounds are a field error, never an overflowing
//! offset (a panic in debug builds, a negative OFFSET and a database error in release).
mod common;

use common::*;
use probity_service::cases::Queue;
use probity_service::domain::{MAX_PAGE, MAX_PER_PAGE};
use probity_service::store::StoreError;
use probity_service::testing::{Backend, Stage, TestDb, World};
use probity_service::{cases, records, ServiceError};

async fn pages_are_bounded(backend: Backend) {
    let db = TestDb::new(backend).await;
    let w = World::new(&db).await;
    let c = &w.ctx;
    w.case_at(Stage::Granted).await;
    let absurd = [
        (i64::MAX, 50, "page"),
        (MAX_PAGE + 1, 50, "page"),
        (0, 50, "page"),
        (1, MAX_PER_PAGE + 1, "per_page"),
        (2, i64::MAX, "per_page"),
    ];
    for (page, per_page, field) in absurd {
        let e = invalid(cases::list_cases(c, &w.caseworker, Queue::All, page, per_page).await);
        assert_eq!(e[0].0, field, "cases {page} × {per_page}");
        let e = invalid(records::list_public(c, None, page, per_page).await);
        assert_eq!(e[0].0, field, "records {page} × {per_page}");
    }
    // The largest request allowed is answered (with the last page there is).
    let last = cases::list_cases(c, &w.caseworker, Queue::All, MAX_PAGE, MAX_PER_PAGE)
        .await
        .unwrap();
    assert_eq!((last.page, last.items.len()), (1, 1));
    let records = records::list_public(c, None, MAX_PAGE, MAX_PER_PAGE)
        .await
        .unwrap();
    assert!(records.records.is_empty());
}

probity_service::backend_tests!(pages_are_bounded);

/// A case row the service cannot read is corrupt stored data: listing the queue it is in is an
/// internal error (500, logged), not "case not found" for the whole list.
async fn a_corrupt_row_is_an_internal_error(backend: Backend) {
    let db = TestDb::new(backend).await;
    let w = World::new(&db).await;
    let id = w.case_at(Stage::Granted).await;
    assert_eq!(
        cases::list_cases(&w.ctx, &w.caseworker, Queue::All, 1, 50)
            .await
            .unwrap()
            .items
            .len(),
        1
    );
    sqlx::query("UPDATE cases SET status = 'mislaid' WHERE id = $1")
        .bind(id.to_string())
        .execute(db.store.pool())
        .await
        .unwrap();
    match cases::list_cases(&w.ctx, &w.caseworker, Queue::All, 1, 50).await {
        Err(ServiceError::Store(StoreError::Corrupt(what))) => {
            assert!(what.contains(&id.to_string()), "{what}")
        }
        other => panic!("expected corrupt stored data, got {other:?}"),
    }
    match cases::get_case(&w.ctx, &w.caseworker, id).await {
        Err(ServiceError::Store(StoreError::Corrupt(_))) => {}
        other => panic!("expected corrupt stored data, got {other:?}"),
    }
}

probity_service::backend_tests!(a_corrupt_row_is_an_internal_error);
