//! The demo is what a newcomer judges the service by: its dates must never lie in the future
//! (a case "submitted" next month, a licence issued tomorrow), however its steps add up.
use probity_service::testing::{Backend, TestDb};
use probity_service::{demo, Clock, Ctx};
use time::OffsetDateTime;

/// A database seeded as `probity demo` makes it (300 applications: the last ones' steps reach
/// furthest).
async fn seeded() -> TestDb {
    let db = TestDb::new(Backend::Sqlite).await;
    let ctx = Ctx::new(
        db.store.clone(),
        probity_service::domain::CriteriaSet::uk_selc(),
        Clock::system(),
    );
    demo::seed(&ctx, 300).await.unwrap();
    db
}

#[tokio::test]
async fn demo_dates_never_lie_in_the_future() {
    let db = seeded().await;
    let now = probity_store::to_micros(OffsetDateTime::now_utc());
    for (what, sql) in [
        ("audit event", "SELECT MAX(at) FROM audit_events"),
        ("submission", "SELECT MAX(submitted_at) FROM cases"),
        ("decision", "SELECT MAX(finalised_at) FROM cases"),
        ("licence", "SELECT MAX(issued_at) FROM licences"),
    ] {
        let latest: Option<i64> = sqlx::query_scalar(sql)
            .fetch_one(db.store.pool())
            .await
            .unwrap();
        let latest = latest.unwrap_or_else(|| panic!("the demo has no {what}"));
        assert!(
            latest <= now,
            "a demo {what} is dated {} after now",
            time::Duration::microseconds(latest - now)
        );
    }
}

/// Each case's, licence's and review's history reads in time order: the demo never records a
/// step on something before the step that made it (a licence revoked before it was issued).
#[tokio::test]
async fn every_history_in_the_demo_is_in_time_order() {
    let db = seeded().await;
    let backwards: Vec<(String, String, String, i64)> = sqlx::query_as(
        "SELECT subject_type, subject_id, action, prev - at FROM ( \
           SELECT subject_type, subject_id, action, at, \
                  LAG(at) OVER (PARTITION BY subject_type, subject_id ORDER BY seq) AS prev \
           FROM audit_events) AS h \
         WHERE prev > at ORDER BY subject_type, subject_id",
    )
    .fetch_all(db.store.pool())
    .await
    .unwrap();
    let shown: Vec<String> = backwards
        .iter()
        .take(10)
        .map(|(t, id, action, by)| {
            format!(
                "{t} {id}: {action} dated {} before the step logged before it",
                time::Duration::microseconds(*by)
            )
        })
        .collect();
    assert!(
        backwards.is_empty(),
        "{} steps are dated before an earlier step on the same thing:\n{}",
        backwards.len(),
        shown.join("\n")
    );
}
