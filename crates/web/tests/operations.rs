//! Operations: liveness and readiness, request ids on every response and in the text of an
//! internal error.
mod support;

use axum::body::Body;
use axum::http::Method;
use probity_web::health::{Health, Heartbeat};
use probity_web::{build_router, AppState};
use support::TestApp;

fn generated(id: &str) -> bool {
    id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit())
}

#[tokio::test]
async fn every_response_has_a_request_id_and_a_sane_incoming_one_is_kept() {
    let app = TestApp::sqlite().await;
    let a = app.get("/healthz", None).await;
    a.assert_status(200);
    assert_eq!(a.text(), "ok");
    let b = app.get("/no-such-page", None).await;
    let (ida, idb) = (
        a.header("x-request-id").unwrap(),
        b.header("x-request-id").unwrap(),
    );
    assert!(generated(ida) && generated(idb), "{ida} {idb}");
    assert_ne!(ida, idb);

    let kept = "lb-7f3a.2_x";
    let long = "a".repeat(65);
    for (sent, want_kept) in [
        (kept, true),
        (long.as_str(), false),
        ("a b", false),
        ("<script>", false),
    ] {
        let r = app
            .request(
                Method::GET,
                "/",
                None,
                &[("x-request-id", sent)],
                Body::empty(),
            )
            .await;
        let got = r.header("x-request-id").unwrap();
        if want_kept {
            assert_eq!(got, sent);
        } else {
            assert!(generated(got), "{sent:?} gave {got:?}");
        }
    }
}

#[tokio::test]
async fn readiness_names_the_check_that_failed() {
    let app = TestApp::sqlite().await;
    let r = app.get("/readyz", None).await;
    r.assert_status(200);
    let j = r.json();
    assert_eq!(j["status"], "ready");
    assert_eq!(j["checks"]["database"], "ok");
    assert_eq!(j["checks"]["migrations"], "ok");
    assert_eq!(j["checks"]["sequencer"], "not configured");

    // A live sequencer is ready; a stopped one is not.
    let heartbeat = Heartbeat::new();
    let mut state = AppState::new(app.world.ctx.clone());
    state.health = Health::default().with_sequencer(heartbeat.clone());
    let with_sequencer = TestApp {
        router: build_router(state),
        ..app
    };
    let r = with_sequencer.get("/readyz", None).await;
    r.assert_status(200);
    assert_eq!(r.json()["checks"]["sequencer"], "ok");
    heartbeat.stop();
    let r = with_sequencer.get("/readyz", None).await;
    r.assert_status(503);
    assert_eq!(r.json()["failed"], serde_json::json!(["sequencer"]));
    assert_eq!(r.json()["checks"]["sequencer"], "stopped");
    // Liveness does not care.
    with_sequencer
        .get("/healthz", None)
        .await
        .assert_status(200);

    // A migration missing from the database.
    let app = with_sequencer;
    let store = &app.world.ctx.store;
    sqlx::query("DELETE FROM schema_migrations WHERE version = (SELECT MAX(version) FROM schema_migrations)")
        .execute(store.pool())
        .await
        .unwrap();
    let r = app.get("/readyz", None).await;
    r.assert_status(503);
    assert_eq!(
        r.json()["failed"],
        serde_json::json!(["migrations", "sequencer"])
    );
    assert_eq!(r.json()["checks"]["migrations"], "not current");

    // The database gone.
    store.close().await;
    let r = app.get("/readyz", None).await;
    r.assert_status(503);
    let j = r.json();
    assert_eq!(j["checks"]["database"], "unreachable");
    assert_eq!(j["checks"]["migrations"], "not checked");
    assert_eq!(j["failed"][0], "database");
    app.get("/healthz", None).await.assert_status(200);
}

#[tokio::test]
async fn an_internal_error_shows_the_request_id_to_quote() {
    let app = TestApp::sqlite().await;
    // Break a table the public register pages read.
    sqlx::query("ALTER TABLE decision_outbox RENAME TO decision_outbox_gone")
        .execute(app.world.ctx.store.pool())
        .await
        .unwrap();
    let page = app.get("/register/decisions", None).await;
    page.assert_status(500);
    let id = page.header("x-request-id").unwrap();
    assert!(
        page.text().contains(&format!("quote reference {id}")),
        "{}",
        page.text()
    );
    assert!(
        !page.text().contains("decision_outbox"),
        "library text leaked"
    );

    let api = app
        .request(
            Method::GET,
            "/api/v1/decisions",
            None,
            &[("x-request-id", "support-ticket-42")],
            Body::empty(),
        )
        .await;
    api.assert_status(500);
    let message = api.json()["error"]["message"].as_str().unwrap().to_string();
    assert!(
        message.ends_with("quote reference support-ticket-42)"),
        "{message}"
    );
}

/// While a server's statistics load, the statistics pages and API say so (503, Retry-After,
/// how far along) and readiness is withheld; every other page answers as usual. Once built,
/// the statistics answer and the server is ready.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_during_the_statistics_load_get_the_loading_answer() {
    let app = TestApp::sqlite().await;
    let ctx = app.world.ctx.clone();
    let held = probity_service::analytics::hold_builds(&ctx).await;
    probity_service::analytics::load_in_background(&ctx);

    let r = app.get("/api/v1/stats", None).await;
    r.assert_status(503);
    assert_eq!(r.header("retry-after"), Some("5"));
    assert_eq!(r.error_code(), "loading");
    let page = app.get("/statistics", None).await;
    page.assert_status(503);
    assert!(
        page.text().contains("Statistics are loading (0% done)"),
        "{}",
        page.text()
    );
    assert!(
        page.text().contains(r#"href="/register/decisions""#),
        "with navigation"
    );
    app.get("/data", None).await.assert_status(503);
    let ready = app.get("/readyz", None).await;
    ready.assert_status(503);
    assert_eq!(ready.json()["checks"]["analytics"], "loading (0%)");
    // Everything else answers meanwhile.
    app.get("/register/decisions", None)
        .await
        .assert_status(200);
    app.get("/healthz", None).await.assert_status(200);

    drop(held);
    let mut answered = false;
    for _ in 0..200 {
        if app.get("/api/v1/stats", None).await.status.as_u16() == 200 {
            answered = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    assert!(answered, "the statistics never loaded");
    app.get("/readyz", None).await.assert_status(200);
    app.get("/data", None).await.assert_status(200);
}
