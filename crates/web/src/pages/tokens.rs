//! `/account/tokens`: a user's API tokens — create (exporters), list, revoke.
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use probity_domain::api_token::{TokenScope, DEFAULT_TOKEN_DAYS, MAX_TOKEN_DAYS};
use probity_service::tokens::{self, NewToken, TokenInfo};
use probity_service::ServiceError;
use serde::Deserialize;

use crate::auth::{CurrentUser, SignedForm};
use crate::pages::PageError;
use crate::render::{page, Nav};
use crate::{AppError, AppState};

#[derive(Template)]
#[template(path = "tokens.html")]
struct TokensPage {
    nav: Nav,
    may_create: bool,
    tokens: Vec<TokenInfo>,
    new_token: Option<String>,
    errors: Vec<PageError>,
    scopes: [TokenScope; 2],
    default_days: i64,
    max_days: i64,
}

async fn render(
    state: &AppState,
    user: &CurrentUser,
    new_token: Option<String>,
    errors: Vec<PageError>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let mut resp = page(TokensPage {
        nav: Nav::for_user(Some(user)),
        may_create: tokens::may_create(user.actor.role),
        tokens: tokens::list(&state.ctx, &user.actor).await?,
        new_token,
        errors,
        scopes: TokenScope::ALL,
        default_days: DEFAULT_TOKEN_DAYS,
        max_days: MAX_TOKEN_DAYS,
    })?;
    *resp.status_mut() = status;
    Ok(resp)
}

pub async fn list(State(state): State<AppState>, user: CurrentUser) -> Result<Response, AppError> {
    render(&state, &user, None, Vec::new(), StatusCode::OK).await
}

#[derive(Deserialize)]
pub struct TokenForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    scope: String,
    #[serde(default)]
    expires_in_days: String,
}

pub async fn create(
    State(state): State<AppState>,
    form: SignedForm<TokenForm>,
) -> Result<Response, AppError> {
    let days = form.form.expires_in_days.trim();
    let expires_in_days = match days {
        "" => None,
        d => Some(d.parse::<i64>().map_err(|_| {
            ServiceError::field("expires_in_days", "enter the number of days, like 90")
        })),
    };
    let result = match expires_in_days.transpose() {
        Ok(expires_in_days) => {
            let new = NewToken {
                name: form.form.name.clone(),
                scope: form.form.scope.clone(),
                expires_in_days,
            };
            tokens::create(&state.ctx, &form.user.actor, &new).await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(created) => {
            render(
                &state,
                &form.user,
                Some(created.token),
                Vec::new(),
                StatusCode::OK,
            )
            .await
        }
        Err(ServiceError::Validation(v)) => {
            let errors = crate::pages::validation_errors(&v);
            render(
                &state,
                &form.user,
                None,
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct Empty {}

pub async fn revoke(
    State(state): State<AppState>,
    Path(id): Path<String>,
    form: SignedForm<Empty>,
) -> Result<Response, AppError> {
    let id = super::path_id(&id)?;
    tokens::revoke(&state.ctx, &form.user.actor, id).await?;
    Ok(Redirect::to("/account/tokens").into_response())
}
