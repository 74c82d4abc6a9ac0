//! The demo is what a newcomer judges the service by: its dates must never lie in the future
//! (a case "submitted" next month, a licence issued tomorrow), however its steps add up.
use probity_service::testing::{Backend, TestDb};
use probity_service::{demo, Clock, Ctx};
use time::OffsetDateTime;

#[tokio::test]
async fn demo_dates_never_lie_in_the_future() {
    let db = TestDb::new(Backend::Sqlite).await;
    let ctx = Ctx::new(
        db.store.clone(),
        probity_service::domain::CriteriaSet::uk_selc(),
        Clock::system(),
    );
    // As `probity demo` makes it (300 applications): the last ones' steps reach furthest.
    demo::seed(&ctx, 300).await.unwrap();
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
