//! Sign-in security through the whole router: login CSRF, throttling answered 429 with
//! Retry-After (pages and API), no-store on authenticated responses, and API tokens (pages,
//! API, scopes, revocation, who may create them).
mod support;

use std::net::{IpAddr, Ipv4Addr};

use axum::http::Method;
use probity_service::domain::throttle::ThrottlePolicy;
use probity_service::testing::PASSWORD;
use serde_json::json;
use support::{application_json, set_cookie, Auth, TestApp};
use time::Duration;

const ATTACKER: IpAddr = IpAddr::V4(Ipv4Addr::new(203, 0, 113, 9));

#[tokio::test]
async fn the_sign_in_form_needs_its_csrf_token() {
    let app = TestApp::sqlite().await;
    let email = app.world.exporter.email.clone();
    let (cookie, field) = app.login_form().await;
    let refused = [
        ("no token at all", None),
        ("a field without its cookie", Some(("", field.as_str()))),
        ("a cookie without its field", Some((cookie.as_str(), ""))),
        (
            "another browser's token",
            Some((
                cookie.as_str(),
                "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            )),
        ),
    ];
    for (what, csrf) in refused {
        let resp = app
            .post_login(&email, PASSWORD, TestApp::CLIENT, csrf)
            .await;
        resp.assert_status(403);
        assert!(set_cookie(&resp, "probity_session").is_none(), "{what}");
        assert!(
            resp.text().contains("did not come from this site"),
            "{what}: a plain message"
        );
    }
    let resp = app
        .post_login(&email, PASSWORD, TestApp::CLIENT, Some((&cookie, &field)))
        .await;
    resp.assert_status(303);
    assert!(set_cookie(&resp, "probity_session").is_some());
    // The form's cookie is strict, HttpOnly and only sent to /login.
    let page = app.get("/login", None).await;
    let header = page
        .headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("probity_login_csrf="))
        .expect("a login CSRF cookie")
        .to_string();
    for part in ["HttpOnly", "SameSite=Strict", "Path=/login"] {
        assert!(header.contains(part), "{header}");
    }
    assert_eq!(page.header("cache-control"), Some("no-store"));
}

#[tokio::test]
async fn repeated_failures_are_answered_429_with_retry_after() {
    let app = TestApp::sqlite().await;
    let email = app.world.exporter.email.clone();
    let policy = ThrottlePolicy::ACCOUNT;
    for n in 1..=policy.lock_after {
        if let Some(d) = policy.delay(n - 1) {
            if n == policy.free_failures + 1 {
                // Too soon after the last failure: told to wait, before any password check.
                let resp = app.sign_in(&email, "not the password", ATTACKER).await;
                resp.assert_status(429);
                assert_eq!(resp.header("retry-after"), Some("1"));
            }
            app.world.clock.advance(d);
        }
        app.sign_in(&email, "not the password", ATTACKER)
            .await
            .assert_status(422);
    }
    // Locked: the right password too, from anywhere, for a minute — said plainly.
    let resp = app.sign_in(&email, PASSWORD, TestApp::CLIENT).await;
    resp.assert_status(429);
    assert_eq!(resp.header("retry-after"), Some("60"));
    assert!(set_cookie(&resp, "probity_session").is_none());
    let html = resp.text();
    assert!(
        html.contains("too many failed attempts: wait 60 seconds and try again"),
        "{html}"
    );
    assert!(
        html.contains(r#"name="password""#),
        "the form is shown again"
    );
    // The lock is in the audit chain.
    let locks = probity_service::store::count(
        &app.db.store,
        "SELECT CAST(COUNT(*) AS BIGINT) FROM audit_events WHERE action = 'sign_in.lock'",
    )
    .await
    .unwrap();
    assert_eq!(locks, 1);
    app.world.clock.advance(Duration::seconds(60));
    app.sign_in(&email, PASSWORD, TestApp::CLIENT)
        .await
        .assert_status(303);
}

#[tokio::test]
async fn bad_bearer_tokens_are_answered_429_with_retry_after() {
    let app = TestApp::sqlite().await;
    let policy = ThrottlePolicy::TOKEN_ADDRESS;
    for n in 1..=policy.lock_after {
        if let Some(d) = policy.delay(n - 1) {
            app.world.clock.advance(d);
        }
        let resp = app
            .api_get("/api/v1/cases", Auth::Bearer("prb_guess"))
            .await;
        assert_eq!(resp.status.as_u16(), 401, "attempt {n}");
    }
    let resp = app
        .api_get("/api/v1/cases", Auth::Bearer("prb_guess"))
        .await;
    resp.assert_status(429);
    assert_eq!(resp.header("retry-after"), Some("60"));
    assert_eq!(resp.error_code(), "throttled");
    assert!(resp.json()["error"]["message"]
        .as_str()
        .unwrap()
        .contains("wait 60 seconds"));
}

#[tokio::test]
async fn authenticated_responses_are_not_stored() {
    let app = TestApp::sqlite().await;
    let exporter = app.login(&app.world.exporter.email).await;
    let token = app.create_token(&exporter, "cache").await;
    for (what, resp) in [
        ("a signed-in page", app.get("/cases", Some(&exporter)).await),
        (
            "a signed-in public page",
            app.get("/register/decisions", Some(&exporter)).await,
        ),
        (
            "an error page",
            app.get("/admin/users", Some(&exporter)).await,
        ),
        (
            "the API with a token",
            app.api_get("/api/v1/cases", Auth::Bearer(&token)).await,
        ),
        (
            "the API with a session",
            app.api_get("/api/v1/cases", Auth::Session(&exporter)).await,
        ),
    ] {
        assert_eq!(resp.header("cache-control"), Some("no-store"), "{what}");
    }
    let anonymous = app.get("/register/decisions", None).await;
    assert_eq!(anonymous.header("cache-control"), None);
    // Resources the same for everyone keep their public caching.
    let css = app.get("/static/style.css", Some(&exporter)).await;
    assert!(css.header("cache-control").unwrap().contains("public"));
}

/// The id of the newest token in `GET /api/v1/tokens`.
async fn newest_token_id(app: &TestApp, auth: Auth<'_>) -> String {
    let resp = app.api_get("/api/v1/tokens", auth).await;
    resp.assert_status(200);
    resp.json()["tokens"][0]["id"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn tokens_are_listed_revoked_and_scoped() {
    let app = TestApp::sqlite().await;
    let exporter = app.login(&app.world.exporter.email).await;
    // A read-only token (the form's default) reads, and may not write.
    let resp = app
        .post_form("/account/tokens", Some(&exporter), &[("name", "dashboard")])
        .await;
    resp.assert_status(200);
    let html = resp.text();
    let start = html.find(r#"<code id="new-token">"#).unwrap() + r#"<code id="new-token">"#.len();
    let read = html[start..start + html[start..].find("</code>").unwrap()].to_string();
    app.api_get("/api/v1/cases", Auth::Bearer(&read))
        .await
        .assert_status(200);
    let resp = app
        .api_post(
            "/api/v1/applications",
            Auth::Bearer(&read),
            &application_json("NO"),
        )
        .await;
    resp.assert_status(403);
    assert_eq!(resp.error_code(), "forbidden");
    assert!(
        resp.text().contains("read-only API token"),
        "{}",
        resp.text()
    );

    // The page lists it with when it was last used, and a revoke button.
    let page = app.get("/account/tokens", Some(&exporter)).await.text();
    assert!(page.contains("dashboard") && page.contains("Read only"));
    assert!(page.contains("2026-03-02 9:00 UTC"), "last used shown");
    let id = newest_token_id(&app, Auth::Bearer(&read)).await;
    assert!(page.contains(&format!(r#"action="/account/tokens/{id}/revoke""#)));
    app.post_form(
        &format!("/account/tokens/{id}/revoke"),
        Some(&exporter),
        &[],
    )
    .await
    .assert_status(303);
    let resp = app.api_get("/api/v1/cases", Auth::Bearer(&read)).await;
    resp.assert_status(401);
    assert!(app
        .get("/account/tokens", Some(&exporter))
        .await
        .text()
        .contains("revoked"));

    // The API: create with the session (201, the secret once), list, revoke with the token.
    let resp = app
        .api_post(
            "/api/v1/tokens",
            Auth::Session(&exporter),
            &json!({"name": "ERP", "scope": "read_write", "expires_in_days": 30}),
        )
        .await;
    resp.assert_status(201);
    let made = resp.json();
    let secret = made["token"].as_str().unwrap().to_string();
    assert_eq!(made["scope"], "read_write");
    assert_eq!(made["state"], "active");
    app.api_post(
        "/api/v1/applications",
        Auth::Bearer(&secret),
        &application_json("NO"),
    )
    .await
    .assert_status(201);
    let listed = app
        .api_get("/api/v1/tokens", Auth::Bearer(&secret))
        .await
        .json();
    assert!(
        listed["tokens"][0].get("token").is_none(),
        "never the secret again"
    );
    assert!(!listed.to_string().contains(&secret));
    assert!(listed["tokens"][0]["last_used_at"].is_string());
    // A token may not make tokens (a leaked one cannot renew itself).
    let resp = app
        .api_post(
            "/api/v1/tokens",
            Auth::Bearer(&secret),
            &json!({"name": "copy"}),
        )
        .await;
    resp.assert_status(403);
    let id = made["id"].as_str().unwrap();
    let resp = app
        .api(
            Method::POST,
            &format!("/api/v1/tokens/{id}/revoke"),
            Auth::Bearer(&secret),
            None,
            "",
        )
        .await;
    resp.assert_status(200);
    assert_eq!(resp.json()["state"], "revoked");
    app.api_get("/api/v1/tokens", Auth::Bearer(&secret))
        .await
        .assert_status(401);
    // Too long a life is refused with the field named.
    let resp = app
        .api_post(
            "/api/v1/tokens",
            Auth::Session(&exporter),
            &json!({"name": "forever", "expires_in_days": 3650}),
        )
        .await;
    resp.assert_status(422);
    assert_eq!(resp.error_fields(), ["expires_in_days"]);
}

#[tokio::test]
async fn staff_are_told_tokens_are_not_for_them() {
    let app = TestApp::sqlite().await;
    let caseworker = app.login(&app.world.caseworker.email).await;
    let page = app.get("/account/tokens", Some(&caseworker)).await;
    page.assert_status(200);
    let html = page.text();
    assert!(html.contains(r#"id="no-tokens-for-role""#));
    assert!(!html.contains("Create token"));
    let resp = app
        .post_form("/account/tokens", Some(&caseworker), &[("name", "mine")])
        .await;
    resp.assert_status(403);
    assert!(resp.text().contains("only exporters"));
    let resp = app
        .api_post(
            "/api/v1/tokens",
            Auth::Session(&caseworker),
            &json!({"name": "mine"}),
        )
        .await;
    resp.assert_status(403);
}
