//! Accounts through the pages: forced enrolment of a role that requires a second factor,
//! the two-step sign-in, administrators disabling an account and resetting a second factor,
//! and changing one's password.
mod support;

use axum::body::Body;
use axum::http::Method;
use probity_service::testing::{Backend, TestDb, World, PASSWORD};
use probity_service::two_factor::{self, Authenticator, TwoFactorPolicy};
use probity_web::{build_router, AppState, SESSION_COOKIE};
use support::{form_encode, scrape_csrf, set_cookie, Auth, Resp, Session, TestApp};

const PENDING_COOKIE: &str = "probity_pending_sign_in";

/// The app as `probity serve` runs it: second factors required of the deciding roles.
async fn strict_app() -> TestApp {
    let db = TestDb::new(Backend::Sqlite).await;
    let world = World::new(&db).await;
    let ctx = world.ctx.clone().with_two_factor(TwoFactorPolicy::Required);
    let router = build_router(AppState::new(ctx));
    TestApp { router, world, db }
}

/// POST a form with a raw cookie header.
async fn post_with_cookie(
    app: &TestApp,
    path: &str,
    cookie: &str,
    fields: &[(&str, &str)],
) -> Resp {
    app.request(
        Method::POST,
        path,
        None,
        &[
            ("cookie", cookie),
            ("content-type", "application/x-www-form-urlencoded"),
        ],
        form_encode(fields),
    )
    .await
}

/// Text between `start` and the next `end` in `html`.
fn between<'a>(html: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let i = html.find(start)? + start.len();
    Some(&html[i..i + html[i..].find(end)?])
}

#[tokio::test]
async fn a_decision_maker_must_enrol_then_signs_in_in_two_steps() {
    let app = strict_app().await;
    let w = &app.world;
    let email = w.decision_maker.email.as_str();
    // The password alone opens a session that can only enrol.
    let s = app.login(email).await;
    for path in ["/cases", "/account", "/account/tokens", "/admin/users"] {
        let r = app.get(path, Some(&s)).await;
        r.assert_status(303);
        assert_eq!(r.location(), Some("/account/two-factor"), "{path}");
    }
    let r = app.post_form("/cases/x/finalise", Some(&s), &[]).await;
    assert_eq!(r.location(), Some("/account/two-factor"));
    let r = app.api_get("/api/v1/cases", Auth::Session(&s)).await;
    r.assert_status(403);
    assert_eq!(r.error_code(), "two_factor_required");

    // Enrolment: a QR code as inline SVG, the key in text and the otpauth link; no script.
    let page = app.get("/account/two-factor", Some(&s)).await;
    page.assert_status(200);
    let html = page.text();
    assert!(
        html.contains("<svg xmlns=\"http://www.w3.org/2000/svg\""),
        "{html}"
    );
    // The code is drawn without script: the only script is the pages' progressive enhancements.
    assert_eq!(
        html.matches("<script").count(),
        html.matches(r#"<script src="/static/enhance.js" defer></script>"#)
            .count()
    );
    assert!(html.contains("otpauth://totp/Probity:"));
    let secret = between(&html, r#"<code id="totp-secret">"#, "</code>").expect("the key");
    let phone = Authenticator::new(secret, email).unwrap();
    let r = app
        .post_form("/account/two-factor", Some(&s), &[("code", "123")])
        .await;
    r.assert_status(422);
    let r = app
        .post_form(
            "/account/two-factor",
            Some(&s),
            &[("code", &phone.code_at(w.now()))],
        )
        .await;
    r.assert_status(200);
    let codes = between(&r.text(), r#"<ul id="recovery-codes">"#, "</ul>")
        .expect("recovery codes shown")
        .matches("<li>")
        .count();
    assert_eq!(codes, 10);
    app.get("/cases", Some(&s)).await.assert_status(200);
    app.api_get("/api/v1/cases", Auth::Session(&s))
        .await
        .assert_status(200);
    w.clock.advance(time::Duration::seconds(30));

    // Next time: the password leads to the second step, with no session yet.
    let r = app
        .post_sign_in_form(&[
            ("email", email),
            ("password", PASSWORD),
            ("next", "/cases?queue=for_decision"),
        ])
        .await;
    r.assert_status(303);
    assert!(r.location().unwrap().starts_with("/login/two-factor"));
    assert_eq!(set_cookie(&r, SESSION_COOKIE), None);
    let pending = set_cookie(&r, PENDING_COOKIE).expect("a pending sign-in cookie");
    let cookie = format!("{PENDING_COOKIE}={pending}");
    let form = app
        .request(
            Method::GET,
            r.location().unwrap(),
            None,
            &[("cookie", &cookie)],
            Body::empty(),
        )
        .await;
    form.assert_status(200);
    let csrf = scrape_csrf(&form.text()).expect("the code form carries a token");
    // The pending cookie is no session.
    app.get(
        "/cases",
        Some(&Session {
            cookie: pending.clone(),
            csrf: csrf.clone(),
        }),
    )
    .await
    .assert_status(303);
    let code = phone.code_at(w.now());
    let next = ("next", "/cases?queue=for_decision");
    let r = post_with_cookie(
        &app,
        "/login/two-factor",
        &cookie,
        &[("csrf_token", "forged"), ("code", &code), next],
    )
    .await;
    r.assert_status(403);
    let r = post_with_cookie(
        &app,
        "/login/two-factor",
        &cookie,
        &[("csrf_token", &csrf), ("code", "000000x"), next],
    )
    .await;
    r.assert_status(422);
    let r = post_with_cookie(
        &app,
        "/login/two-factor",
        &cookie,
        &[("csrf_token", &csrf), ("code", &code), next],
    )
    .await;
    r.assert_status(303);
    assert_eq!(r.location(), Some("/cases?queue=for_decision"));
    let session = set_cookie(&r, SESSION_COOKIE).expect("a session after the code");
    let page = app
        .request(Method::GET, "/cases", Some(&session), &[], Body::empty())
        .await;
    page.assert_status(200);
    // The pending sign-in was single use.
    let r = post_with_cookie(
        &app,
        "/login/two-factor",
        &cookie,
        &[("csrf_token", &csrf), ("code", &code), next],
    )
    .await;
    r.assert_status(422);
    assert!(r.text().contains("expired or was already used"));
}

#[tokio::test]
async fn roles_that_need_no_second_factor_are_not_forced() {
    let app = strict_app().await;
    let s = app.login(&app.world.caseworker.email).await;
    app.get("/cases", Some(&s)).await.assert_status(200);
    let account = app.get("/account", Some(&s)).await;
    account.assert_status(200);
    assert!(account
        .text()
        .contains("Two-factor sign-in is <strong>off</strong>"));
}

#[tokio::test]
async fn an_administrator_disables_enables_and_resets() {
    let app = TestApp::sqlite().await;
    let w = &app.world;
    let ex = app.login(&w.exporter.email).await;
    let token = app.create_token(&ex, "script").await;
    let admin = app.login(&w.admin.email).await;
    let users = app.get("/admin/users", Some(&admin)).await;
    users.assert_status(200);
    let path = format!("/admin/users/{}/disable", w.exporter.user_id);
    assert!(users.text().contains(&path));
    app.post_form(&path, Some(&admin), &[("reason", "")])
        .await
        .assert_status(422);
    let r = app
        .post_form(
            &path,
            Some(&admin),
            &[("reason", "Moved to another department.")],
        )
        .await;
    r.assert_status(303);
    // At once: the session and the token stop working, and sign-in says why.
    assert_eq!(
        app.get("/cases", Some(&ex)).await.location(),
        Some("/login")
    );
    app.api_get("/api/v1/cases", Auth::Bearer(&token))
        .await
        .assert_status(401);
    let r = app
        .post_sign_in_form(&[("email", &w.exporter.email), ("password", PASSWORD)])
        .await;
    r.assert_status(422);
    assert!(r.text().contains("this account has been disabled"));
    assert!(app
        .get("/admin/users", Some(&admin))
        .await
        .text()
        .contains("Disabled"));

    let enable = format!("/admin/users/{}/enable", w.exporter.user_id);
    app.post_form(
        &enable,
        Some(&admin),
        &[("reason", "Back from secondment.")],
    )
    .await
    .assert_status(303);
    app.api_get("/api/v1/cases", Auth::Bearer(&token))
        .await
        .assert_status(200);
    app.login(&w.exporter.email).await;

    // Reset a lost authenticator: the user's sessions end and the factor is gone.
    let e = two_factor::start_enrolment(&w.ctx, &w.policy)
        .await
        .unwrap();
    let phone = Authenticator::new(&e.secret_base32, &w.policy.email).unwrap();
    two_factor::confirm_enrolment(&w.ctx, &w.policy, &phone.code_at(w.now()))
        .await
        .unwrap();
    let reset = format!("/admin/users/{}/reset-two-factor", w.policy.user_id);
    assert!(app
        .get("/admin/users", Some(&admin))
        .await
        .text()
        .contains(&reset));
    let cw = app.login(&w.caseworker.email).await;
    app.post_form(&reset, Some(&cw), &[("reason", "Lost phone, ticket 4411.")])
        .await
        .assert_status(403);
    app.post_form(
        &reset,
        Some(&admin),
        &[("reason", "Lost phone, ticket 4411.")],
    )
    .await
    .assert_status(303);
    assert!(!two_factor::status(&w.ctx, &w.policy).await.unwrap().enabled);
}

#[tokio::test]
async fn a_password_change_ends_the_other_sessions() {
    let app = TestApp::sqlite().await;
    let email = app.world.exporter.email.clone();
    let here = app.login(&email).await;
    let elsewhere = app.login(&email).await;
    let new = "a brand new passphrase";
    let r = app
        .post_form(
            "/account/password",
            Some(&here),
            &[
                ("current_password", "not my password"),
                ("new_password", new),
                ("confirm_password", new),
            ],
        )
        .await;
    r.assert_status(422);
    assert!(r.text().contains("your current password is not right"));
    let r = app
        .post_form(
            "/account/password",
            Some(&here),
            &[
                ("current_password", PASSWORD),
                ("new_password", new),
                ("confirm_password", new),
            ],
        )
        .await;
    r.assert_status(200);
    assert!(r.text().contains("signed out everywhere else"));
    app.get("/cases", Some(&here)).await.assert_status(200);
    assert_eq!(
        app.get("/cases", Some(&elsewhere)).await.location(),
        Some("/login")
    );
    let r = app
        .post_sign_in_form(&[("email", &email), ("password", PASSWORD)])
        .await;
    r.assert_status(422);
}

#[tokio::test]
async fn a_staff_token_kept_from_before_is_refused() {
    // Staff cannot create tokens, but a staff token made before tokens were for exporters
    // only is kept on upgrade (migration 8). It would reach a staff account without its
    // second factor, so it is refused, whether or not second factors are required.
    let mut app = TestApp::sqlite().await;
    let token = "prb_a-token-issued-before-upgrade";
    let mut tx = app.db.store.begin_command().await.unwrap();
    let now = app.world.now();
    probity_service::store::api_tokens::insert(
        &mut tx,
        &probity_service::store::api_tokens::NewToken {
            id: probity_service::domain::ApiTokenId::new(),
            token_hash: &probity_service::auth::token_hash(token),
            user_id: app.world.decision_maker.user_id,
            name: "reporting script",
            scope: probity_service::domain::api_token::TokenScope::ReadWrite,
            created_at: now,
            expires_at: now + time::Duration::days(30),
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    for policy in [TwoFactorPolicy::Optional, TwoFactorPolicy::Required] {
        let ctx = app.world.ctx.clone().with_two_factor(policy);
        app.router = build_router(AppState::new(ctx));
        let r = app.api_get("/api/v1/cases", Auth::Bearer(token)).await;
        r.assert_status(403);
        assert_eq!(r.error_code(), "forbidden");
        assert!(r.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("API tokens are for exporters' systems"));
    }
}
