//! Protected disclosure leaves no trace in the logs. Alone in its own test binary: a
//! subscriber set for one thread sees every callsite only when no other test registers
//! callsites concurrently (tracing caches each callsite's interest process-wide).
mod support;

use axum::body::Body;
use axum::http::Method;
use support::TestApp;

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
