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

/// A log sink for one test.
#[derive(Clone, Default)]
struct Captured(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn take(&self) -> String {
        String::from_utf8(std::mem::take(&mut *self.0.lock().unwrap())).unwrap()
    }
}

/// Protected disclosure leaves no trace: with every log level on, making a disclosure and
/// opening it logs nothing at all (no path, address, browser or latency), while an ordinary
/// page is logged; the database keeps no address or browser, and dates without a time.
#[tokio::test(flavor = "current_thread")]
async fn a_disclosure_leaves_no_trace_in_logs_or_the_database() {
    use axum::extract::ConnectInfo;
    use axum::http::Request;
    use sqlx::Row;

    let sink = Captured::default();
    let writer = sink.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let app = TestApp::sqlite().await;
    const ADDRESS: &str = "203.0.113.77";
    const AGENT: &str = "DiscloserBrowser/9.9";
    let visit = |method: Method, path: &str, body: String| {
        let mut req = Request::builder()
            .method(method)
            .uri(path)
            .header("user-agent", AGENT)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap();
        req.extensions_mut()
            .insert(ConnectInfo(std::net::SocketAddr::new(
                ADDRESS.parse().unwrap(),
                51234,
            )));
        req
    };

    // The capture works: an ordinary page is logged with its path.
    sink.take();
    app.send(visit(Method::GET, "/reviews", String::new()))
        .await
        .assert_status(200);
    assert!(
        sink.take().contains("/reviews"),
        "the log capture sees requests"
    );

    let made = app
        .send(visit(
            Method::POST,
            "/disclose",
            support::form_encode(&[(
                "what",
                "The advice on an application was rewritten after a meeting with officials.",
            )]),
        ))
        .await;
    made.assert_status(200);
    assert!(
        made.header("set-cookie").is_none(),
        "no cookie for a discloser"
    );
    let html = made.text();
    let start = html
        .find("id=\"receipt-code\">")
        .expect("the receipt is shown")
        + 18;
    let code = &html[start..start + 42];
    let opened = app
        .send(visit(
            Method::POST,
            "/disclose/status",
            support::form_encode(&[("code", code)]),
        ))
        .await;
    opened.assert_status(200);
    assert!(opened.text().contains("rewritten after a meeting"));
    app.send(visit(Method::GET, "/disclose", String::new()))
        .await
        .assert_status(200);
    let logs = sink.take();
    // Not even the statements that stored it (their log lines carry times).
    for trace in [ADDRESS, AGENT, "/disclose", "latency", "disclosure", code] {
        assert!(!logs.contains(trace), "{trace:?} logged: {logs}");
    }

    // The database: no address, no browser, no time of day, no receipt of it in the audit
    // chain (whose events carry times).
    let pool = app.db.store.pool();
    for table in ["disclosures", "disclosure_messages"] {
        let rows = sqlx::query(&format!("SELECT * FROM {table}"))
            .fetch_all(pool)
            .await
            .unwrap();
        assert!(!rows.is_empty());
        for row in rows {
            for i in 0..row.len() {
                if let Ok(Some(text)) = row.try_get::<Option<String>, _>(i) {
                    assert!(
                        !text.contains(ADDRESS) && !text.contains(AGENT),
                        "{table}: {text}"
                    );
                }
            }
        }
    }
    let dates: Vec<String> = sqlx::query_scalar("SELECT received_on FROM disclosures")
        .fetch_all(pool)
        .await
        .unwrap();
    assert!(dates.iter().all(|d| d.len() == 10), "{dates:?}");
    let audited: i64 = sqlx::query_scalar(
        "SELECT CAST(COUNT(*) AS BIGINT) FROM audit_events WHERE subject_type = 'disclosure'",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    assert_eq!(audited, 0);
}
