//! The account pages: the second step of sign-in, two-factor enrolment, password change, and
//! the administrators' account actions (disable, enable, reset the second factor).
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use axum_extra::extract::cookie::{Cookie, SameSite};
use axum_extra::extract::CookieJar;
use probity_service::accounts::{self, AdminAction, PasswordChange};
use probity_service::two_factor::sign_in::{self, PendingSignIn, SecondStepError};
use probity_service::two_factor::{self, Enrolment, Status};
use probity_service::ServiceError;
use serde::Deserialize;

use super::session::{safe_next, NextQuery};
use crate::auth::{Client, CurrentUser, EnrollingUser, EnrolmentForm, SignedForm, SESSION_COOKIE};
use crate::pages::PageError;
use crate::render::{page, Nav};
use crate::{AppError, AppState};

/// The cookie that carries a pending sign-in between the password and the code. Only sent
/// to /login paths, never cross-site.
const PENDING_COOKIE: &str = "probity_pending_sign_in";

fn pending_cookie(state: &AppState, value: String) -> Cookie<'static> {
    Cookie::build((PENDING_COOKIE, value))
        .path("/login")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(state.secure_cookies)
        .max_age(time::Duration::minutes(sign_in::PENDING_MINUTES))
        .build()
}

/// After a correct password for an account with a second factor: keep the pending sign-in
/// in a cookie and ask for the code.
pub(crate) fn second_step_redirect(
    state: &AppState,
    jar: CookieJar,
    pending: PendingSignIn,
    next: &str,
) -> Response {
    let query = serde_urlencoded::to_string([("next", next)]).unwrap_or_default();
    (
        jar.add(pending_cookie(state, pending.token)),
        Redirect::to(&format!("/login/two-factor?{query}")),
    )
        .into_response()
}

#[derive(Template)]
#[template(path = "login_two_factor.html")]
struct SecondStep {
    nav: Nav,
    /// The pending sign-in's form token; `None` when it has expired.
    csrf: Option<String>,
    next: String,
    error: Option<String>,
    expired_message: String,
}

const EXPIRED: &str =
    "Your sign-in has expired or was already used. Sign in again with your email and password.";

fn second_step_page(
    csrf: Option<String>,
    next: String,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let mut resp = page(SecondStep {
        nav: Nav::for_user(None),
        csrf,
        next,
        error,
        expired_message: EXPIRED.into(),
    })?;
    *resp.status_mut() = status;
    Ok(resp)
}

pub async fn second_step_form(
    State(state): State<AppState>,
    jar: CookieJar,
    Query(q): Query<NextQuery>,
) -> Result<Response, AppError> {
    let csrf = match jar.get(PENDING_COOKIE) {
        Some(c) => sign_in::pending_form_token(&state.ctx, c.value()).await?,
        None => None,
    };
    second_step_page(csrf, q.next, None, StatusCode::OK)
}

#[derive(Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    next: String,
}

pub async fn second_step(
    State(state): State<AppState>,
    Client(client): Client,
    jar: CookieJar,
    Form(form): Form<CodeForm>,
) -> Result<Response, AppError> {
    let Some(token) = jar.get(PENDING_COOKIE).map(|c| c.value().to_string()) else {
        return second_step_page(None, form.next, None, StatusCode::UNPROCESSABLE_ENTITY);
    };
    match sign_in::complete(&state.ctx, &token, &form.csrf_token, &form.code, client).await {
        Ok((session, actor)) => {
            let cookie = Cookie::build((SESSION_COOKIE, session.token))
                .path("/")
                .http_only(true)
                .same_site(SameSite::Lax)
                .secure(state.secure_cookies)
                .build();
            let dest = match (form.next.is_empty(), actor.role) {
                (true, probity_service::auth::Role::Admin) => "/admin/users".to_string(),
                (true, _) => "/cases".to_string(),
                (false, _) => safe_next(&form.next),
            };
            let jar = jar
                .remove(Cookie::build(PENDING_COOKIE).path("/login"))
                .add(cookie);
            Ok((jar, Redirect::to(&dest)).into_response())
        }
        Err(SecondStepError::Expired) => {
            let jar = jar.remove(Cookie::build(PENDING_COOKIE).path("/login"));
            let resp = second_step_page(None, form.next, None, StatusCode::UNPROCESSABLE_ENTITY)?;
            Ok((jar, resp).into_response())
        }
        Err(SecondStepError::Forged) => Err(AppError::Csrf),
        Err(SecondStepError::Service(ServiceError::Validation(v))) => second_step_page(
            Some(form.csrf_token),
            form.next,
            v.0.first().map(|f| f.message.clone()),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        Err(SecondStepError::Service(e)) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    nav: Nav,
    email: String,
    status: Status,
    notice: Option<String>,
    errors: Vec<PageError>,
}

async fn account_page(
    state: &AppState,
    user: &CurrentUser,
    notice: Option<String>,
    errors: Vec<PageError>,
) -> Result<Response, AppError> {
    let status = two_factor::status(&state.ctx, &user.actor).await?;
    let code = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let mut resp = page(AccountPage {
        nav: Nav::for_user(Some(user)),
        email: user.actor.email.clone(),
        status,
        notice,
        errors,
    })?;
    *resp.status_mut() = code;
    Ok(resp)
}

pub async fn show(State(state): State<AppState>, user: CurrentUser) -> Result<Response, AppError> {
    account_page(&state, &user, None, Vec::new()).await
}

pub async fn change_password(
    State(state): State<AppState>,
    jar: CookieJar,
    form: SignedForm<PasswordChange>,
) -> Result<Response, AppError> {
    let current = jar
        .get(SESSION_COOKIE)
        .map(|c| c.value().to_string())
        .unwrap_or_default();
    match accounts::change_password(&state.ctx, &form.user.actor, &current, &form.form).await {
        Ok(()) => {
            let notice =
                "Your password has been changed, and you have been signed out everywhere else.";
            account_page(&state, &form.user, Some(notice.into()), Vec::new()).await
        }
        Err(ServiceError::Validation(v)) => {
            let errors = crate::pages::validation_errors(&v);
            account_page(&state, &form.user, None, errors).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "two_factor_enrol.html")]
struct EnrolPage {
    nav: Nav,
    required: bool,
    secret: String,
    uri: String,
    qr_svg: String,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "two_factor_done.html")]
struct EnrolDone {
    nav: Nav,
    codes: Vec<String>,
}

/// The otpauth URI as an inline SVG QR code (no script, no image request).
fn qr_svg(uri: &str) -> Result<String, AppError> {
    let code = qrcode::QrCode::new(uri.as_bytes())
        .map_err(|e| AppError::internal("QR code for the enrolment link", e))?;
    let svg = code
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(220, 220)
        .build();
    // Inline in HTML: drop the XML declaration.
    Ok(match svg.find("<svg") {
        Some(i) => svg[i..].to_string(),
        None => svg,
    })
}

async fn enrol_page(
    state: &AppState,
    user: &CurrentUser,
    error: Option<String>,
) -> Result<Response, AppError> {
    if two_factor::status(&state.ctx, &user.actor).await?.enabled {
        return page(EnrolDone {
            nav: Nav::for_user(Some(user)),
            codes: Vec::new(),
        });
    }
    let Enrolment { secret_base32, uri } =
        two_factor::start_enrolment(&state.ctx, &user.actor).await?;
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let mut resp = page(EnrolPage {
        nav: Nav::for_user(Some(user)),
        required: state.ctx.two_factor.required_for(user.actor.role),
        qr_svg: qr_svg(&uri)?,
        secret: secret_base32,
        uri,
        error,
    })?;
    *resp.status_mut() = status;
    Ok(resp)
}

pub async fn enrol_form(
    State(state): State<AppState>,
    EnrollingUser(user): EnrollingUser,
) -> Result<Response, AppError> {
    enrol_page(&state, &user, None).await
}

#[derive(Deserialize)]
pub struct EnrolForm {
    #[serde(default)]
    code: String,
}

pub async fn enrol(
    State(state): State<AppState>,
    EnrolmentForm(form): EnrolmentForm<EnrolForm>,
) -> Result<Response, AppError> {
    match two_factor::confirm_enrolment(&state.ctx, &form.user.actor, &form.form.code).await {
        Ok(codes) => {
            // The navigation of a user who had to enrol opens up now.
            let mut user = form.user;
            user.must_enrol = false;
            page(EnrolDone {
                nav: Nav::for_user(Some(&user)),
                codes,
            })
        }
        Err(ServiceError::Validation(v)) => {
            let message = v.0.first().map(|f| f.message.clone());
            enrol_page(&state, &form.user, message).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct ReasonForm {
    #[serde(default)]
    reason: String,
}

/// Disable, enable or reset the second factor of another account (administrators).
pub async fn administer(
    State(state): State<AppState>,
    Path((id, action)): Path<(String, String)>,
    form: SignedForm<ReasonForm>,
) -> Result<Response, AppError> {
    let action: AdminAction = action.parse().map_err(|()| AppError::NotFound)?;
    let target = super::path_id(&id)?;
    match accounts::administer(
        &state.ctx,
        &form.user.actor,
        target,
        action,
        &form.form.reason,
    )
    .await
    {
        Ok(()) => Ok(Redirect::to("/admin/users").into_response()),
        Err(ServiceError::Validation(v)) => {
            let errors = crate::pages::validation_errors(&v);
            super::admin::render_users(
                &state,
                &form.user,
                errors,
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}
