use askama::Template;
use axum::extract::{Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use axum_extra::extract::cookie::{Cookie, SameSite};
use axum_extra::extract::CookieJar;
use probity_service::{auth, ServiceError};
use serde::Deserialize;

use crate::auth::{Client, EnrolmentForm, MaybeUser, SESSION_COOKIE};
use crate::render::{page, Nav};
use crate::{AppError, AppState};

#[derive(Template)]
#[template(path = "home.html")]
struct Home {
    nav: Nav,
    signed_in_as: Option<String>,
}

pub async fn home(MaybeUser(user): MaybeUser) -> Result<Response, AppError> {
    page(Home {
        nav: Nav::for_user(user.as_ref()),
        signed_in_as: user.map(|u| u.actor.role.label().to_string()),
    })
}

pub async fn stylesheet() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../static/style.css"),
    )
}

/// Progressive enhancements: focus on an error summary, the header menu on narrow screens.
pub async fn enhance_script() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../static/enhance.js"),
    )
}

#[derive(Template)]
#[template(path = "login.html")]
struct Login {
    nav: Nav,
    email: String,
    error: Option<String>,
    next: String,
    /// The form's CSRF token, the same as the pre-session cookie's (double submit).
    csrf: String,
}

/// The sign-in form's CSRF cookie: set with the form, compared with the form's hidden field
/// on the post, so a sign-in cannot be posted from another site (login CSRF: signing a
/// victim into the attacker's account).
pub const LOGIN_CSRF_COOKIE: &str = "probity_login_csrf";

/// The login CSRF token a browser already holds, if it looks like one of ours.
fn login_csrf(jar: &CookieJar) -> Option<String> {
    jar.get(LOGIN_CSRF_COOKIE)
        .map(|c| c.value().to_string())
        .filter(|v| {
            v.len() == 43
                && v.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
}

fn login_csrf_cookie(state: &AppState, value: String) -> Cookie<'static> {
    Cookie::build((LOGIN_CSRF_COOKIE, value))
        .path("/login")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(state.secure_cookies)
        .build()
}

/// The sign-in page, never cached (it carries a CSRF token), with `status`.
fn login_page(
    state: &AppState,
    jar: CookieJar,
    form: Login,
    status: StatusCode,
) -> Result<Response, AppError> {
    let jar = jar.add(login_csrf_cookie(state, form.csrf.clone()));
    let mut resp = page(form)?;
    *resp.status_mut() = status;
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok((jar, resp).into_response())
}

#[derive(Deserialize, Default)]
pub struct NextQuery {
    #[serde(default)]
    pub(crate) next: String,
}

/// Only local paths: never redirect off-site after sign-in. Browsers drop tabs and newlines
/// from URLs (so "/\t/evil.example" would become "//evil.example") and read a backslash as
/// a slash, so neither may appear.
pub(crate) fn safe_next(next: &str) -> String {
    if next.starts_with('/')
        && !next.starts_with("//")
        && !next.contains('\\')
        && !next.chars().any(|c| c.is_control() || c.is_whitespace())
    {
        next.to_string()
    } else {
        "/cases".to_string()
    }
}

pub async fn login_form(
    State(state): State<AppState>,
    jar: CookieJar,
    Query(q): Query<NextQuery>,
) -> Result<Response, AppError> {
    let csrf = login_csrf(&jar).unwrap_or_else(auth::new_form_token);
    let form = Login {
        nav: Nav::for_user(None),
        email: String::new(),
        error: None,
        next: q.next,
        csrf,
    };
    login_page(&state, jar, form, StatusCode::OK)
}

#[derive(Deserialize)]
pub struct LoginForm {
    email: String,
    password: String,
    #[serde(default)]
    next: String,
    #[serde(default, rename = "csrf_token")]
    csrf: String,
}

pub async fn login(
    State(state): State<AppState>,
    Client(client): Client,
    jar: CookieJar,
    Form(form): Form<LoginForm>,
) -> Result<Response, AppError> {
    let Some(csrf) = login_csrf(&jar).filter(|c| auth::tokens_match(c, &form.csrf)) else {
        return Err(AppError::Csrf);
    };
    let again = |error: String| Login {
        nav: Nav::for_user(None),
        email: form.email.clone(),
        error: Some(error),
        next: form.next.clone(),
        csrf: csrf.clone(),
    };
    match auth::login(&state.ctx, &form.email, &form.password, client).await {
        Ok(auth::SignIn::SecondFactor(pending)) => Ok(super::account::second_step_redirect(
            &state, jar, pending, &form.next,
        )),
        Ok(auth::SignIn::Complete(session, actor)) => {
            let cookie = Cookie::build((SESSION_COOKIE, session.token))
                .path("/")
                .http_only(true)
                .same_site(SameSite::Lax)
                .secure(state.secure_cookies)
                .build();
            let dest = if form.next.is_empty() {
                match actor.role {
                    auth::Role::Admin => "/admin/users".to_string(),
                    _ => "/cases".to_string(),
                }
            } else {
                safe_next(&form.next)
            };
            let used = Cookie::build(LOGIN_CSRF_COOKIE).path("/login").build();
            Ok((jar.add(cookie).remove(used), Redirect::to(&dest)).into_response())
        }
        Err(ServiceError::Validation(v)) => {
            let message = v.0.first().map(|f| f.message.clone()).unwrap_or_default();
            login_page(
                &state,
                jar,
                again(message),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
        }
        Err(e @ ServiceError::Throttled { retry_after_secs }) => {
            let mut resp = login_page(
                &state,
                jar,
                again(e.to_string()),
                StatusCode::TOO_MANY_REQUESTS,
            )?;
            crate::error::with_retry_after(&mut resp, Some(retry_after_secs));
            Ok(resp)
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct Empty {}

pub async fn logout(
    State(state): State<AppState>,
    Client(client): Client,
    jar: CookieJar,
    _form: EnrolmentForm<Empty>,
) -> Result<Response, AppError> {
    if let Some(c) = jar.get(SESSION_COOKIE) {
        auth::logout(&state.ctx, c.value(), client).await?;
    }
    Ok((jar.remove(Cookie::from(SESSION_COOKIE)), Redirect::to("/")).into_response())
}
