//! Signing in and out through the pages: one message for a wrong password, a dead cookie
//! after sign-out, and `next` leading only to local paths.
use super::*;

#[tokio::test]
async fn a_wrong_password_gets_one_generic_message() {
    let app = TestApp::sqlite().await;
    let message = "the email or password is incorrect";
    let mut bodies = Vec::new();
    // One form, posted three times, so the pages differ only where the answer could.
    let (cookie, field) = app.login_form().await;
    for (email, password) in [
        ("exporter@acme.test", "not the password"),
        ("nobody@acme.test", "not the password"),
        ("nobody@acme.test", PASSWORD),
    ] {
        let resp = app
            .post_login_fields(
                &[("email", email), ("password", password)],
                TestApp::CLIENT,
                Some((&cookie, &field)),
            )
            .await;
        resp.assert_status(422);
        assert!(set_cookie(&resp, SESSION_COOKIE).is_none(), "no session");
        let html = resp.text();
        assert_eq!(html.matches(message).count(), 1, "{email}: one message");
        assert!(html.contains(&format!(r#"value="{email}""#)), "email kept");
        assert!(!html.contains(password), "the password is never echoed");
        // Apart from the email typed, the pages are identical: nothing says which was wrong.
        bodies.push(html.replace(email, "EMAIL"));
    }
    assert!(bodies.windows(2).all(|p| p[0] == p[1]));
}

#[tokio::test]
async fn after_sign_out_the_cookie_no_longer_works() {
    let app = TestApp::sqlite().await;
    let resp = app
        .post_sign_in_form(&[("email", "exporter@acme.test"), ("password", PASSWORD)])
        .await;
    let cookie_header = resp
        .headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with(SESSION_COOKIE))
        .expect("a session cookie")
        .to_string();
    assert!(cookie_header.contains("HttpOnly"), "{cookie_header}");
    assert!(cookie_header.contains("SameSite=Lax"), "{cookie_header}");
    assert!(cookie_header.contains("Path=/"), "{cookie_header}");

    let exporter = app.login("exporter@acme.test").await;
    app.get("/cases", Some(&exporter)).await.assert_status(200);
    let resp = app.post_form("/logout", Some(&exporter), &[]).await;
    resp.assert_status(303);
    assert_eq!(resp.location(), Some("/"));
    let cleared = resp
        .headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with(SESSION_COOKIE))
        .expect("the cookie is cleared")
        .to_string();
    assert!(
        cleared.contains("Max-Age=0") || cleared.contains("1970"),
        "{cleared}"
    );

    // The old cookie is dead everywhere, even if the browser keeps sending it.
    let resp = app.get("/cases", Some(&exporter)).await;
    resp.assert_status(303);
    assert_eq!(resp.location(), Some("/login"));
    let resp = app
        .post_form("/applications", Some(&exporter), &application_form(&[]))
        .await;
    resp.assert_status(303);
    assert_eq!(resp.location(), Some("/login"));
    assert_eq!(exporter_cases(&app).await, 0);
    let resp = app.api_get("/api/v1/cases", Auth::Session(&exporter)).await;
    resp.assert_status(401);
    assert_eq!(resp.error_code(), "unauthenticated");
    // The home page treats the visitor as signed out.
    let html = app.get("/", Some(&exporter)).await.text();
    assert!(html.contains(r#"<a href="/login">Sign in</a>"#));
}

#[tokio::test]
async fn next_after_sign_in_only_leads_to_local_paths() {
    let app = TestApp::sqlite().await;
    let table = [
        ("/cases/abc", "/cases/abc"),
        (
            "/register/decisions?destination=NO",
            "/register/decisions?destination=NO",
        ),
        ("", "/cases"),
        ("https://evil.example/", "/cases"),
        ("http:evil.example", "/cases"),
        ("//evil.example/", "/cases"),
        ("/\\evil.example", "/cases"),
        ("\\\\evil.example", "/cases"),
        ("javascript:alert(1)", "/cases"),
        ("evil.example", "/cases"),
        // Browsers drop tabs and newlines from URLs: "/\t/x" would become "//x".
        ("/\t/evil.example", "/cases"),
        ("/\n/evil.example", "/cases"),
        ("/\r\nSet-Cookie: stolen=1", "/cases"),
        (" //evil.example", "/cases"),
    ];
    for (next, want) in table {
        let resp = app
            .post_sign_in_form(&[
                ("email", "exporter@acme.test"),
                ("password", PASSWORD),
                ("next", next),
            ])
            .await;
        assert_eq!(resp.status.as_u16(), 303, "next={next:?}: {}", resp.text());
        assert_eq!(resp.location(), Some(want), "next={next:?}");
        assert!(set_cookie(&resp, "stolen").is_none(), "next={next:?}");
    }
}

/// An error page keeps the header the user came from: signed in, they can go on from it;
/// an address nothing answers is a page too (JSON under the API).
#[tokio::test]
async fn error_pages_keep_the_signed_in_header() {
    let app = TestApp::sqlite().await;
    let exporter = app.login(&app.world.exporter.email).await;
    for path in [
        "/cases/not-a-case",
        "/no/such/page",
        "/cases/01a249d2-d2de-7768-b68f-22617e127567",
    ] {
        let resp = app.get(path, Some(&exporter)).await;
        resp.assert_status(404);
        let html = resp.text();
        assert!(html.contains("Sign out"), "{path}: {html}");
        assert!(
            html.contains(r#"href="/applications/new""#),
            "{path}: the exporter's menu"
        );
    }
    let resp = app.get("/no/such/page", None).await;
    resp.assert_status(404);
    assert!(resp.text().contains(r#"<a href="/login">Sign in</a>"#));
    let resp = app
        .api_get("/api/v1/no-such-thing", Auth::Session(&exporter))
        .await;
    resp.assert_status(404);
    assert_eq!(resp.error_code(), "not_found");
}
