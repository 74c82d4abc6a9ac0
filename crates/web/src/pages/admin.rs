//! Administration (users) and the oversight view of the audit chain.
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use probity_service::auth::{self, Actor, NewUser};
use probity_service::orgs::{self, Organisation, Team};
use probity_service::ServiceError;

use crate::auth::{CurrentUser, SignedForm};
use crate::render::{page, Nav};
use crate::{AppError, AppState};

#[derive(Template)]
#[template(path = "admin_users.html")]
struct UsersPage {
    nav: Nav,
    users: Vec<Actor>,
    teams: Vec<Team>,
    organisations: Vec<Organisation>,
    errors: Vec<String>,
    notice: Option<String>,
}

async fn render_users(
    state: &AppState,
    user: &CurrentUser,
    errors: Vec<String>,
    notice: Option<String>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let users = auth::list_users(&state.ctx, &user.actor).await?;
    let mut resp = page(UsersPage {
        nav: Nav::for_user(Some(user)),
        users,
        teams: orgs::list_teams(&state.ctx).await?,
        organisations: orgs::list_organisations(&state.ctx).await?,
        errors,
        notice,
    })?;
    *resp.status_mut() = status;
    Ok(resp)
}

pub async fn users(State(state): State<AppState>, user: CurrentUser) -> Result<Response, AppError> {
    render_users(&state, &user, Vec::new(), None, StatusCode::OK).await
}

pub async fn add_user(
    State(state): State<AppState>,
    form: SignedForm<NewUser>,
) -> Result<Response, AppError> {
    match auth::create_user(&state.ctx, Some(&form.user.actor), &form.form).await {
        Ok(_) => {
            render_users(
                &state,
                &form.user,
                Vec::new(),
                Some(format!("Added {}.", form.form.email.trim())),
                StatusCode::OK,
            )
            .await
        }
        Err(ServiceError::Validation(v)) => {
            let errors =
                v.0.iter()
                    .map(|e| format!("{}: {}", e.field.replace('_', " "), e.message))
                    .collect();
            render_users(
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

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    nav: Nav,
    ok: bool,
    events: i64,
    head: String,
    broken: String,
}

pub async fn audit_chain(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Response, AppError> {
    user.actor
        .require(&[auth::Role::Oversight], "verify the audit chain")?;
    let result = probity_store::audit::verify(&state.ctx.store)
        .await
        .map_err(ServiceError::from)?;
    let (ok, events, head, broken) = match result {
        Ok(r) => (true, r.events, r.head, String::new()),
        Err(b) => (false, 0, String::new(), b.to_string()),
    };
    page(AuditPage {
        nav: Nav::for_user(Some(&user)),
        ok,
        events,
        head,
        broken,
    })
}
