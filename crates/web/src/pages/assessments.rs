//! Policy's pages: destination assessments (record a version, read the history with diffs,
//! publish the summary, preview and open a review) and embargoes.
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use probity_domain::assessment_diff::AssessmentDiff;
use probity_domain::{
    AssessmentId, AssessmentInput, ClausesInput, EmbargoId, EmbargoInput, ExclusionInput,
};
use probity_service::assessments::{self, AssessmentVersion, EmbargoEntry};
use probity_service::auth::Role;
use probity_service::reviews::{self, Preview, ReviewBasis};
use serde::Deserialize;

use super::path_id;
use crate::auth::{CurrentUser, MaybeUser, SignedForm};
use crate::pages::PageError;
use crate::render::{page, Nav};
use crate::{AppError, AppState};

/// The assessment form, flat as posted.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct AssessmentForm {
    destination: String,
    criterion: String,
    finding: String,
    scope_destinations: String,
    scope_rating_kinds: String,
    scope_ratings: String,
    scope_end_user_types: String,
    scope_end_use: String,
    exclusion_name: String,
    exclusion_ratings: String,
    exclusion_end_use: String,
    evidence: String,
    reasons: String,
    legal_basis: String,
    public_summary: String,
}

impl AssessmentForm {
    fn input(&self) -> AssessmentInput {
        let exclusions = if self.exclusion_name.trim().is_empty()
            && self.exclusion_ratings.trim().is_empty()
            && self.exclusion_end_use.trim().is_empty()
        {
            Vec::new()
        } else {
            vec![ExclusionInput {
                name: self.exclusion_name.clone(),
                when: ClausesInput {
                    ratings: self.exclusion_ratings.clone(),
                    end_use: self.exclusion_end_use.clone(),
                    ..ClausesInput::default()
                },
            }]
        };
        AssessmentInput {
            destination: self.destination.clone(),
            criterion: self.criterion.clone(),
            finding: self.finding.clone(),
            scope: ClausesInput {
                destinations: self.scope_destinations.clone(),
                rating_kinds: self.scope_rating_kinds.clone(),
                ratings: self.scope_ratings.clone(),
                end_user_types: self.scope_end_user_types.clone(),
                end_use: self.scope_end_use.clone(),
            },
            exclusions,
            evidence: self.evidence.clone(),
            reasons: self.reasons.clone(),
            legal_basis: self.legal_basis.clone(),
            public_summary: self.public_summary.clone(),
        }
    }
}

#[derive(Template)]
#[template(path = "assessments.html")]
struct AssessmentsPage {
    nav: Nav,
    current: Vec<AssessmentVersion>,
    can_record: bool,
    form: AssessmentForm,
    errors: Vec<PageError>,
}

async fn render_list(
    state: &AppState,
    user: &CurrentUser,
    form: AssessmentForm,
    errors: Vec<PageError>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let current = assessments::current(&state.ctx, &user.actor).await?;
    let mut resp = page(AssessmentsPage {
        nav: Nav::for_user(Some(user)),
        current,
        can_record: user.actor.role == Role::Policy,
        form,
        errors,
    })?;
    *resp.status_mut() = status;
    Ok(resp)
}

pub async fn list(State(state): State<AppState>, user: CurrentUser) -> Result<Response, AppError> {
    let form = AssessmentForm {
        criterion: "2c".into(),
        finding: "clear_risk".into(),
        ..AssessmentForm::default()
    };
    render_list(&state, &user, form, Vec::new(), StatusCode::OK).await
}

pub async fn record(
    State(state): State<AppState>,
    form: SignedForm<AssessmentForm>,
) -> Result<Response, AppError> {
    match assessments::record(&state.ctx, &form.user.actor, &form.form.input()).await {
        Ok(r) => Ok(Redirect::to(&format!("/assessments/{}", r.id)).into_response()),
        Err(e) => match super::form_errors(&e) {
            // Whatever was typed comes back with the errors: nothing is lost.
            Some(errors) => {
                let status = AppError::from(e).status();
                render_list(&state, &form.user, form.form, errors, status).await
            }
            None => Err(e.into()),
        },
    }
}

#[derive(Template)]
#[template(path = "assessment.html")]
struct AssessmentPage {
    nav: Nav,
    this: AssessmentVersion,
    history: Vec<(AssessmentVersion, Option<AssessmentDiff>)>,
    is_policy: bool,
}

pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id: AssessmentId = path_id(&id)?;
    let this = assessments::get(&state.ctx, &user.actor, id).await?;
    let history = assessments::history(
        &state.ctx,
        &user.actor,
        &this.assessment.destination,
        &this.assessment.criterion,
    )
    .await?;
    page(AssessmentPage {
        nav: Nav::for_user(Some(&user)),
        this,
        history,
        is_policy: user.actor.role == Role::Policy,
    })
}

#[derive(Deserialize)]
pub struct Empty {}

pub async fn publish(
    State(state): State<AppState>,
    Path(id): Path<String>,
    form: SignedForm<Empty>,
) -> Result<Response, AppError> {
    let id: AssessmentId = path_id(&id)?;
    assessments::publish(&state.ctx, &form.user.actor, id).await?;
    Ok(Redirect::to(&format!("/assessments/{id}")).into_response())
}

#[derive(Template)]
#[template(path = "review_preview.html")]
struct PreviewPage {
    nav: Nav,
    action: String,
    preview: Preview,
}

/// What opening a review would select, with a button to open it.
pub async fn review_preview(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id: AssessmentId = path_id(&id)?;
    let preview = reviews::preview(&state.ctx, &user.actor, ReviewBasis::Assessment(id)).await?;
    page(PreviewPage {
        nav: Nav::for_user(Some(&user)),
        action: format!("/assessments/{id}/review"),
        preview,
    })
}

pub async fn open_review(
    State(state): State<AppState>,
    Path(id): Path<String>,
    form: SignedForm<Empty>,
) -> Result<Response, AppError> {
    let id: AssessmentId = path_id(&id)?;
    let (rid, _) = reviews::open(&state.ctx, &form.user.actor, ReviewBasis::Assessment(id)).await?;
    Ok(Redirect::to(&format!("/reviews/{rid}/work")).into_response())
}

#[derive(Template)]
#[template(path = "embargoes.html")]
struct EmbargoesPage {
    nav: Nav,
    embargoes: Vec<EmbargoEntry>,
    can_record: bool,
    form: EmbargoInput,
    errors: Vec<PageError>,
}

async fn render_embargoes(
    state: &AppState,
    user: Option<&CurrentUser>,
    form: EmbargoInput,
    errors: Vec<PageError>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let mut resp = page(EmbargoesPage {
        nav: Nav::for_user(user),
        embargoes: assessments::embargoes(&state.ctx).await?,
        can_record: user.is_some_and(|u| u.actor.role == Role::Policy),
        form,
        errors,
    })?;
    *resp.status_mut() = status;
    Ok(resp)
}

/// Embargoes are public facts: anyone may read the list.
pub async fn embargoes(
    State(state): State<AppState>,
    MaybeUser(user): MaybeUser,
) -> Result<Response, AppError> {
    render_embargoes(
        &state,
        user.as_ref(),
        EmbargoInput::default(),
        Vec::new(),
        StatusCode::OK,
    )
    .await
}

pub async fn record_embargo(
    State(state): State<AppState>,
    form: SignedForm<EmbargoInput>,
) -> Result<Response, AppError> {
    match assessments::record_embargo(&state.ctx, &form.user.actor, &form.form).await {
        Ok(id) => Ok(Redirect::to(&format!("/embargoes/{id}/review")).into_response()),
        Err(e) => match super::form_errors(&e) {
            Some(errors) => {
                let status = AppError::from(e).status();
                render_embargoes(&state, Some(&form.user), form.form, errors, status).await
            }
            None => Err(e.into()),
        },
    }
}

pub async fn embargo_review_preview(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id: EmbargoId = path_id(&id)?;
    let preview = reviews::preview(&state.ctx, &user.actor, ReviewBasis::Embargo(id)).await?;
    page(PreviewPage {
        nav: Nav::for_user(Some(&user)),
        action: format!("/embargoes/{id}/review"),
        preview,
    })
}

pub async fn open_embargo_review(
    State(state): State<AppState>,
    Path(id): Path<String>,
    form: SignedForm<Empty>,
) -> Result<Response, AppError> {
    let id: EmbargoId = path_id(&id)?;
    let (rid, _) = reviews::open(&state.ctx, &form.user.actor, ReviewBasis::Embargo(id)).await?;
    Ok(Redirect::to(&format!("/reviews/{rid}/work")).into_response())
}
