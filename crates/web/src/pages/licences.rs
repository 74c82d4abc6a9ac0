//! Licence pages (status, history, lifecycle actions) and issued documents.
use askama::Template;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use probity_domain::{available_licence_actions, DocumentId, LicenceId};
use probity_service::auth::Role;
use probity_service::documents::{self, Document};
use probity_service::licences::{self, Licence, LicenceEvent};
use probity_service::{previews, ServiceError};
use serde::Deserialize;

use super::{confirm, path_id};
use crate::auth::{CurrentUser, SignedForm};
use crate::pages::PageError;
use crate::render::{page, page_with_status, Nav};
use crate::{AppError, AppState};

#[derive(Template)]
#[template(path = "licence.html")]
struct LicencePage {
    nav: Nav,
    licence: Licence,
    events: Vec<LicenceEvent>,
    actions: Vec<(&'static str, &'static str, bool)>,
    errors: Vec<PageError>,
    /// Screening matches on the licence's parties (for staff who see lists).
    screening: Vec<probity_service::screening::MatchRow>,
    /// Reviews holding the licence (for staff who see reviews).
    reviews: Vec<licences::LicenceReview>,
}

impl LicencePage {
    /// Matches still waiting for a caseworker, and those resolved as true on a sanctions list.
    fn screening_counts(&self) -> (usize, usize) {
        let unresolved = self
            .screening
            .iter()
            .filter(|m| m.status == "unresolved")
            .count();
        let listed = self
            .screening
            .iter()
            .filter(|m| m.status == "true_match" && probity_domain::screening::bars_grant(&m.list))
            .count();
        (unresolved, listed)
    }

    /// The open screening review holding the licence still without an outcome for it.
    fn open_screening_review(&self) -> Option<&licences::LicenceReview> {
        self.reviews
            .iter()
            .find(|r| r.kind == "screening" && !r.closed && r.outcome.is_none())
    }
}

/// The lifecycle actions offered: the domain's `available_licence_actions` for the actor's
/// role and the licence's status, with a label and whether the button warns.
fn actions_for(role: Role, licence: &Licence) -> Vec<(&'static str, &'static str, bool)> {
    use probity_domain::LicenceAction as A;
    available_licence_actions(role, licence.status)
        .into_iter()
        .filter_map(|a| {
            let (label, danger) = match a {
                A::Suspend => ("Suspend", true),
                A::Reinstate => ("Reinstate", false),
                A::Revoke => ("Revoke", true),
                A::Surrender => ("Surrender", true),
                A::Exhaust => ("Report as used up", false),
                // Nobody is offered expiry: the system expires licences by date.
                A::Expire => return None,
            };
            Some((a.as_str(), label, danger))
        })
        .collect()
}

async fn render(
    state: &AppState,
    user: &CurrentUser,
    id: LicenceId,
    errors: Vec<PageError>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let (licence, events) = licences::get(&state.ctx, &user.actor, id).await?;
    let screening = if probity_domain::screening::MAY_SEE_LISTS.contains(&user.actor.role) {
        probity_service::screening::matches_of_case(&state.ctx, &user.actor, &licence.case_id)
            .await?
    } else {
        Vec::new()
    };
    let reviews = if probity_service::reviews::STAFF.contains(&user.actor.role) {
        licences::reviews_of(&state.ctx, &user.actor, id).await?
    } else {
        Vec::new()
    };
    page_with_status(
        LicencePage {
            screening,
            reviews,
            nav: Nav::for_user(Some(user)),
            actions: actions_for(user.actor.role, &licence),
            licence,
            events,
            errors,
        },
        status,
    )
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
    /// `yes` on the post from a confirmation page.
    #[serde(default)]
    confirm: Option<String>,
}

pub async fn act(
    State(state): State<AppState>,
    Path((id, action)): Path<(String, String)>,
    form: SignedForm<ReasonForm>,
) -> Result<Response, AppError> {
    let id: LicenceId = path_id(&id)?;
    let action = licences::parse_action(&action).ok_or(AppError::NotFound)?;
    let (ctx, actor, reason) = (&state.ctx, &form.user.actor, &form.form.reason);
    let result = if confirm::licence_needs_confirmation(action)
        && !confirm::is_confirmed(form.form.confirm.as_deref())
    {
        match previews::licence_action(ctx, actor, id, action, reason).await {
            Ok(p) => {
                let c = confirm::licence(&id.to_string(), action, &p);
                return confirm::render(&form.user, c);
            }
            Err(e) => Err(e),
        }
    } else {
        licences::act(ctx, actor, id, action, reason).await
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/licences/{id}")).into_response()),
        Err(ServiceError::Validation(v)) => {
            let errors = crate::pages::validation_errors(&v);
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
            render(&state, &form.user, id, vec![m.into()], StatusCode::CONFLICT).await
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
