//! The OpenAPI document describes what is routed; health check and security headers.
mod support;

use axum::body::Body;
use axum::http::Method;
use serde_json::{json, Value};
use support::{prepare, At, Auth, Resp, TestApp};

/// The body the API's router fallback answers with: requests that reach it were not routed.
fn is_fallback(r: &Resp) -> bool {
    r.status.as_u16() == 404
        && serde_json::from_slice::<Value>(&r.body).ok()
            == Some(
                json!({"error": {"code": "not_found", "message": "page not found",
                                     "fields": [], "reasons": []}}),
            )
}

#[tokio::test]
async fn the_openapi_document_is_valid_and_every_operation_is_routed() {
    let app = TestApp::sqlite().await;
    let granted = prepare(&app.world, "NO", At::Reviewed).await;
    let session = app.login(&app.world.exporter.email).await;
    let token = app.create_token(&session, "openapi").await;

    let resp = app.api_get("/api/v1/openapi.json", Auth::None).await;
    resp.assert_status(200);
    assert!(resp.content_type().starts_with("application/json"));
    let doc = resp.json();
    assert_eq!(doc["openapi"], "3.1.0");
    assert!(doc["info"]["title"].is_string() && doc["info"]["version"].is_string());
    assert_eq!(doc["servers"][0]["url"], "/api/v1");

    // Every $ref points at a schema that exists.
    fn refs(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(m) => {
                for (k, x) in m {
                    match (k.as_str(), x) {
                        ("$ref", Value::String(s)) => out.push(s.clone()),
                        _ => refs(x, out),
                    }
                }
            }
            Value::Array(a) => a.iter().for_each(|x| refs(x, out)),
            _ => {}
        }
    }
    let mut all = Vec::new();
    refs(&doc, &mut all);
    assert!(!all.is_empty());
    for r in &all {
        let name = r
            .strip_prefix("#/components/schemas/")
            .unwrap_or_else(|| panic!("unexpected $ref {r}"));
        assert!(doc["components"]["schemas"][name].is_object(), "{r}");
    }

    // Every documented (method, path) reaches a handler: anonymously, an operation that
    // needs authentication is refused by its handler (401), a public one answers (200); and
    // with a token and real ids, nothing falls through to the router's fallback either.
    let paths = doc["paths"].as_object().expect("paths");
    let mut operations = 0;
    for (path, ops) in paths {
        for (method, op) in ops.as_object().expect("operations") {
            operations += 1;
            let concrete = path
                .replace("{seq}", &granted.record.unwrap().to_string())
                .replace("{qid}", "00000000-0000-7000-8000-000000000000")
                .replace("{action}", "suspend")
                .replace("{number}", "1");
            let concrete = if path.starts_with("/licences/") {
                concrete.replace("{id}", &granted.licence.unwrap().to_string())
            } else if path.starts_with("/documents/") {
                concrete.replace("{id}", &granted.document.unwrap().to_string())
            } else if path.starts_with("/reviews/") {
                concrete.replace("{id}", &granted.review.unwrap().to_string())
            } else {
                concrete.replace("{id}", &granted.case.to_string())
            };
            let url = format!("/api/v1{concrete}");
            let m = match method.as_str() {
                "get" => Method::GET,
                "post" => Method::POST,
                other => panic!("unexpected method {other}"),
            };
            let needs_auth = op["security"] != json!([]);
            let anonymous = app
                .api(m.clone(), &url, Auth::None, Some("application/json"), "{}")
                .await;
            let want = if needs_auth { 401 } else { 200 };
            assert_eq!(
                anonymous.status.as_u16(),
                want,
                "{method} {path} ({url}) anonymously: {}",
                anonymous.text()
            );
            let with_token = app
                .api(
                    m,
                    &url,
                    Auth::Bearer(&token),
                    Some("application/json"),
                    "{}",
                )
                .await;
            assert!(
                !is_fallback(&with_token) && with_token.status.as_u16() != 405,
                "{method} {path} is documented but not routed: {} {}",
                with_token.status,
                with_token.text()
            );
        }
    }
    assert!(operations >= 20, "only {operations} operations documented");

    // The fallback itself, for the record.
    let resp = app.api_get("/api/v1/no-such-thing", Auth::None).await;
    assert!(is_fallback(&resp), "{}", resp.text());
}

#[tokio::test]
async fn health_check_and_security_headers() {
    let app = TestApp::sqlite().await;
    let resp = app.get("/healthz", None).await;
    resp.assert_status(200);
    assert_eq!(resp.text(), "ok");

    let exporter = app.login(&app.world.exporter.email).await;
    let responses = [
        ("a public page", app.get("/", None).await),
        ("a signed-in page", app.get("/cases", Some(&exporter)).await),
        ("a redirect", app.get("/cases", None).await),
        (
            "an error page",
            app.get("/admin/users", Some(&exporter)).await,
        ),
        ("the stylesheet", app.get("/static/style.css", None).await),
        (
            "an API answer",
            app.api_get("/api/v1/decisions", Auth::None).await,
        ),
        (
            "an API error",
            app.api_get("/api/v1/cases", Auth::None).await,
        ),
        ("the health check", app.get("/healthz", None).await),
        (
            "a POST",
            app.request(
                Method::POST,
                "/login",
                None,
                &[("content-type", "application/x-www-form-urlencoded")],
                Body::from("email=x%40y.z&password=wrong"),
            )
            .await,
        ),
    ];
    for (what, r) in &responses {
        assert_eq!(
            r.header("x-content-type-options"),
            Some("nosniff"),
            "{what}"
        );
        assert_eq!(r.header("x-frame-options"), Some("DENY"), "{what}");
        let csp = r.header("content-security-policy").unwrap_or_default();
        for directive in [
            "default-src 'self'",
            "frame-ancestors 'none'",
            "form-action 'self'",
        ] {
            assert!(
                csp.contains(directive),
                "{what}: CSP {csp:?} lacks {directive}"
            );
        }
        assert_eq!(r.header("referrer-policy"), Some("same-origin"), "{what}");
    }
    // Pages say what they are.
    assert!(responses[0].1.content_type().starts_with("text/html"));
    assert!(responses[4].1.content_type().starts_with("text/css"));
}
