use askama::Template;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use axum_extra::extract::cookie::{Cookie, SameSite};
use axum_extra::extract::CookieJar;
use probity_service::{auth, ServiceError};
use serde::Deserialize;

use crate::auth::{EnrolmentForm, MaybeUser, SESSION_COOKIE};
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

#[derive(Template)]
#[template(path = "login.html")]
struct Login {
    nav: Nav,
    email: String,
    error: Option<String>,
    next: String,
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

pub async fn login_form(Query(q): Query<NextQuery>) -> Result<Response, AppError> {
    page(Login {
        nav: Nav::for_user(None),
        email: String::new(),
        error: None,
        next: q.next,
    })
}

#[derive(Deserialize)]
pub struct LoginForm {
    email: String,
    password: String,
    #[serde(default)]
    next: String,
}

pub async fn login(
    State(state): State<AppState>,
    jar: CookieJar,
    Form(form): Form<LoginForm>,
) -> Result<Response, AppError> {
    match auth::login(&state.ctx, &form.email, &form.password).await {
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
            Ok((jar.add(cookie), Redirect::to(&dest)).into_response())
        }
        Err(ServiceError::Validation(v)) => {
            let message = v.0.first().map(|f| f.message.clone()).unwrap_or_default();
            let mut resp = page(Login {
                nav: Nav::for_user(None),
                email: form.email,
                error: Some(message),
                next: form.next,
            })?;
            *resp.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            Ok(resp)
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct Empty {}

pub async fn logout(
    State(state): State<AppState>,
    jar: CookieJar,
    _form: EnrolmentForm<Empty>,
) -> Result<Response, AppError> {
    if let Some(c) = jar.get(SESSION_COOKIE) {
        auth::logout(&state.ctx, c.value()).await?;
    }
    Ok((jar.remove(Cookie::from(SESSION_COOKIE)), Redirect::to("/")).into_response())
}
