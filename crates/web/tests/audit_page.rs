//! Oversight's audit page: the chain recomputed and compared with the newest audit anchor the
//! register published — none yet, matching (with the events recorded since), and contradicted
//! once an event is rewritten and the rest re-hashed.
mod support;

use probity_service::register::log::note::Ed25519Signer;
use probity_service::register::Sequencer;
use probity_service::testing::{tamper, Backend};
use support::TestApp;

async fn events(app: &TestApp) -> i64 {
    probity_service::store::count(
        &app.world.ctx.store,
        "SELECT CAST(COUNT(*) AS BIGINT) FROM audit_events",
    )
    .await
    .unwrap()
}

async fn the_audit_page_compares_the_chain_with_the_newest_anchor(backend: Backend) {
    let app = TestApp::new(backend).await;
    let session = app.login("oversight@oversight.test").await;
    let page = app.get("/oversight/audit", Some(&session)).await;
    let html = page.assert_status(200).text();
    assert!(html.contains("The chain verifies"), "{html}");
    assert!(
        html.contains("has not published an audit anchor yet"),
        "{html}"
    );

    let signer = Ed25519Signer::from_seed("probity.test/register", &[9; 32]).unwrap();
    Sequencer::new(signer)
        .run_once(&app.world.ctx)
        .await
        .unwrap();
    let anchored = events(&app).await;
    // Whatever was recorded since the anchor (signing in may be audited) is counted.
    let session = app.login("oversight@oversight.test").await;
    let since = events(&app).await - anchored;
    let html = app.get("/oversight/audit", Some(&session)).await.text();
    assert!(html.contains("register entry 0"), "{html}");
    assert!(html.contains(&format!("{anchored} events</dd>")), "{html}");
    let since = if since == 1 {
        "1 event".to_string()
    } else {
        format!("{since} events")
    };
    assert!(
        html.contains(&format!(
            "The chain matches the newest anchor; {since} recorded since."
        )),
        "{html}"
    );

    tamper::rewrite_event(&app.world.ctx.store, 2, r#"{"altered":true}"#).await;
    let html = app.get("/oversight/audit", Some(&session)).await.text();
    assert!(html.contains("The chain verifies"), "{html}");
    assert!(
        html.contains("The chain contradicts the register"),
        "{html}"
    );
    assert!(
        html.contains(&format!(
            "the chain was rewritten at or before event {anchored}"
        )),
        "{html}"
    );
}

probity_service::backend_tests!(the_audit_page_compares_the_chain_with_the_newest_anchor);
