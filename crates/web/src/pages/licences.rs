//! Licence pages (status, history, lifecycle actions) and issued documents.
use askama::Template;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use probity_domain::{DocumentId, LicenceId};
use probity_service::auth::Role;
use probity_service::documents::{self, Document};
use probity_service::licences::{self, Licence, LicenceEvent};
use probity_service::ServiceError;
use serde::Deserialize;

use super::path_id;
use crate::auth::{CurrentUser, SignedForm};
use crate::render::{page, Nav};
use crate::{AppError, AppState};

#[derive(Template)]
#[template(path = "licence.html")]
struct LicencePage {
    nav: Nav,
    licence: Licence,
    events: Vec<LicenceEvent>,
    actions: Vec<(&'static str, &'static str, bool)>,
    errors: Vec<String>,
}

fn actions_for(role: Role, licence: &Licence) -> Vec<(&'static str, &'static str, bool)> {
    use probity_domain::LicenceStatus as S;
    let s = licence.status;
    let mut v = Vec::new();
    match role {
        Role::DecisionMaker | Role::Policy => {
            if s.is_active() {
                v.push(("suspend", "Suspend", true));
            }
            if s == S::Suspended {
                v.push(("reinstate", "Reinstate", false));
            }
            if s.is_active() || s == S::Suspended {
                v.push(("revoke", "Revoke", true));
            }
        }
        Role::Exporter if s.is_active() => {
            v.push(("surrender", "Surrender", false));
            v.push(("exhaust", "Report as used up", false));
        }
        _ => {}
    }
    v
}

async fn render(
    state: &AppState,
    user: &CurrentUser,
    id: LicenceId,
    errors: Vec<String>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let (licence, events) = licences::get(&state.ctx, &user.actor, id).await?;
    let mut resp = page(LicencePage {
        nav: Nav::for_user(Some(user)),
        actions: actions_for(user.actor.role, &licence),
        licence,
        events,
        errors,
    })?;
    *resp.status_mut() = status;
    Ok(resp)
}

pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    render(&state, &user, path_id(&id)?, Vec::new(), StatusCode::OK).await
}

#[derive(Deserialize)]
pub struct ReasonForm {
    #[serde(default)]
    reason: String,
}

pub async fn act(
    State(state): State<AppState>,
    Path((id, action)): Path<(String, String)>,
    form: SignedForm<ReasonForm>,
) -> Result<Response, AppError> {
    let id: LicenceId = path_id(&id)?;
    let action = licences::parse_action(&action).ok_or(AppError::NotFound)?;
    match licences::act(&state.ctx, &form.user.actor, id, action, &form.form.reason).await {
        Ok(_) => Ok(Redirect::to(&format!("/licences/{id}")).into_response()),
        Err(ServiceError::Validation(v)) => {
            let errors =
                v.0.iter()
                    .map(|e| format!("{}: {}", e.field, e.message))
                    .collect();
            render(
                &state,
                &form.user,
                id,
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(ServiceError::Conflict(m)) => {
            render(&state, &form.user, id, vec![m], StatusCode::CONFLICT).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "document.html")]
struct DocumentPage {
    nav: Nav,
    document: Document,
}

pub async fn document(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id: DocumentId = path_id(&id)?;
    let document = documents::get(&state.ctx, &user.actor, id).await?;
    page(DocumentPage {
        nav: Nav::for_user(Some(&user)),
        document,
    })
}

pub async fn download(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id: DocumentId = path_id(&id)?;
    let doc = documents::get(&state.ctx, &user.actor, id).await?;
    let filename: String = doc
        .title
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "text/plain; charset=utf-8".to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}.txt\""),
            ),
        ],
        doc.body,
    )
        .into_response())
}
