//! Reviews: the public list and account of each review, the staff worklist with filters and
//! bulk outcomes, closing, and the exporters' notifications.
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use probity_domain::{LicenceId, ReviewId, ReviewOutcome};
use probity_service::assessments::{self, PublicFinding};
use probity_service::auth::Role;
use probity_service::review_outcomes::{
    self, DecideReport, Filter, Notification, Selection, Worklist,
};
use probity_service::reviews::{self, PublicReview, ReviewPage};
use probity_service::ServiceError;
use serde::Deserialize;

use super::path_id;
use crate::auth::{CurrentUser, MaybeUser, SignedForm};
use crate::pages::PageError;
use crate::render::{page, Nav};
use crate::{AppError, AppState};

#[derive(Template)]
#[template(path = "reviews.html")]
struct ReviewsPage {
    nav: Nav,
    reviews: ReviewPage,
    findings: Vec<PublicFinding>,
    pages: i64,
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    page: Option<i64>,
}

pub async fn list(
    State(state): State<AppState>,
    MaybeUser(user): MaybeUser,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    let reviews = reviews::list_public(&state.ctx, false, q.page.unwrap_or(1), 50).await?;
    let pages = probity_domain::page_count(reviews.total, reviews.per_page);
    page(ReviewsPage {
        nav: Nav::for_user(user.as_ref()),
        findings: assessments::public_findings(&state.ctx).await?,
        reviews,
        pages,
    })
}

#[derive(Template)]
#[template(path = "review.html")]
struct ReviewPublicPage {
    nav: Nav,
    r: PublicReview,
    staff: bool,
}

pub async fn show(
    State(state): State<AppState>,
    MaybeUser(user): MaybeUser,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id: ReviewId = path_id(&id)?;
    let r = reviews::get_public(&state.ctx, id).await?;
    page(ReviewPublicPage {
        staff: user.as_ref().is_some_and(|u| {
            matches!(
                u.actor.role,
                Role::Policy | Role::Caseworker | Role::DecisionMaker | Role::Oversight
            )
        }),
        nav: Nav::for_user(user.as_ref()),
        r,
    })
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct WorkQuery {
    page: Option<i64>,
    status: String,
    rating: String,
    exclusion: String,
    organisation: String,
    notice: String,
}

impl WorkQuery {
    fn filter(&self) -> Filter {
        Filter {
            status: self.status.clone(),
            rating: self.rating.clone(),
            organisation: self.organisation.clone(),
            exclusion: self.exclusion.clone(),
        }
    }
}

#[derive(Template)]
#[template(path = "review_work.html")]
struct WorkPage {
    nav: Nav,
    w: Worklist,
    q: WorkQuery,
    pages: i64,
    can_decide: bool,
    can_close: bool,
    outcomes: Vec<(&'static str, &'static str)>,
    errors: Vec<PageError>,
    reason: String,
}

#[allow(clippy::too_many_arguments)]
async fn render_work(
    state: &AppState,
    user: &CurrentUser,
    id: ReviewId,
    q: WorkQuery,
    errors: Vec<PageError>,
    reason: String,
    status: StatusCode,
) -> Result<Response, AppError> {
    let w = review_outcomes::worklist(
        &state.ctx,
        &user.actor,
        id,
        &q.filter(),
        q.page.unwrap_or(1),
        100,
    )
    .await?;
    let pages = probity_domain::page_count(w.total, w.per_page);
    let open = w.review.closed_on.is_none();
    let outcomes = review_outcomes::outcomes_for(w.review.kind)
        .iter()
        .map(|o| (o.as_str(), o.label()))
        .collect();
    let mut resp = page(WorkPage {
        nav: Nav::for_user(Some(user)),
        can_decide: open && matches!(user.actor.role, Role::Caseworker | Role::DecisionMaker),
        can_close: open && user.actor.role == Role::Policy,
        w,
        q,
        pages,
        outcomes,
        errors,
        reason,
    })?;
    *resp.status_mut() = status;
    Ok(resp)
}

pub async fn work(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Query(q): Query<WorkQuery>,
) -> Result<Response, AppError> {
    let id: ReviewId = path_id(&id)?;
    match render_work(
        &state,
        &user,
        id,
        q.clone(),
        Vec::new(),
        String::new(),
        StatusCode::OK,
    )
    .await
    {
        // A bad filter is said on the page, with the filter cleared.
        Err(AppError::Service(ServiceError::Validation(v))) => {
            let errors = crate::pages::validation_errors(&v);
            render_work(
                &state,
                &user,
                id,
                WorkQuery::default(),
                errors,
                String::new(),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        other => other,
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct OutcomeForm {
    outcome: String,
    reason: String,
    /// `selected` (the ticked licences) or `filter` (every licence the filter selects).
    apply_to: String,
    status: String,
    rating: String,
    exclusion: String,
    organisation: String,
}

fn report_notice(r: &DecideReport) -> String {
    let mut parts = vec![format!("{} licence(s) decided", r.decided.len())];
    if !r.already_decided.is_empty() {
        parts.push(format!(
            "{} already had an outcome, which stands ({})",
            r.already_decided.len(),
            r.already_decided
                .iter()
                .take(5)
                .map(|a| format!("{}: {}", a.licence_number, a.outcome.as_str()))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    if !r.not_applicable.is_empty() {
        parts.push(format!(
            "{} no longer in a state the outcome applies to ({})",
            r.not_applicable.len(),
            r.not_applicable
                .iter()
                .take(5)
                .cloned()
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    parts.join("; ")
}

pub async fn outcomes(
    State(state): State<AppState>,
    Path(id): Path<String>,
    form: SignedForm<OutcomeForm>,
) -> Result<Response, AppError> {
    let id: ReviewId = path_id(&id)?;
    let f = &form.form;
    let q = WorkQuery {
        page: None,
        status: f.status.clone(),
        rating: f.rating.clone(),
        exclusion: f.exclusion.clone(),
        organisation: f.organisation.clone(),
        notice: String::new(),
    };
    let result = match f.outcome.parse::<ReviewOutcome>() {
        Err(_) => Err(ServiceError::field("outcome", "choose an outcome")),
        Ok(outcome) => {
            let selection = if f.apply_to == "filter" {
                Selection::Filter(q.filter())
            } else {
                let ids = form
                    .fields
                    .iter()
                    .filter(|(k, _)| k == "licence")
                    .map(|(_, v)| v.parse::<LicenceId>())
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|_| AppError::BadRequest("a selected licence is not valid".into()))?;
                Selection::Licences(ids)
            };
            review_outcomes::decide(
                &state.ctx,
                &form.user.actor,
                id,
                &selection,
                outcome,
                &f.reason,
            )
            .await
        }
    };
    match result {
        Ok(report) => {
            let notice = report_notice(&report);
            let query = serde_urlencoded::to_string([
                ("status", q.status.as_str()),
                ("rating", q.rating.as_str()),
                ("exclusion", q.exclusion.as_str()),
                ("notice", notice.as_str()),
            ])
            .map_err(|e| AppError::internal("worklist address", e))?;
            let url = format!("/reviews/{id}/work?{query}");
            Ok(Redirect::to(&url).into_response())
        }
        Err(e) if super::form_errors(&e).is_some() => {
            let errors = super::form_errors(&e).unwrap_or_default();
            let status = AppError::from(e).status();
            render_work(&state, &form.user, id, q, errors, f.reason.clone(), status).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CloseForm {
    note: String,
}

pub async fn close(
    State(state): State<AppState>,
    Path(id): Path<String>,
    form: SignedForm<CloseForm>,
) -> Result<Response, AppError> {
    let id: ReviewId = path_id(&id)?;
    match review_outcomes::close(&state.ctx, &form.user.actor, id, &form.form.note).await {
        Ok(()) => Ok(Redirect::to(&format!("/reviews/{id}")).into_response()),
        Err(e) if super::form_errors(&e).is_some() => {
            let errors = super::form_errors(&e).unwrap_or_default();
            let status = AppError::from(e).status();
            render_work(
                &state,
                &form.user,
                id,
                WorkQuery::default(),
                errors,
                String::new(),
                status,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "notifications.html")]
struct NotificationsPage {
    nav: Nav,
    notifications: Vec<Notification>,
}

pub async fn notifications(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Response, AppError> {
    let notifications = review_outcomes::notifications(&state.ctx, &user.actor).await?;
    page(NotificationsPage {
        nav: Nav::for_user(Some(&user)),
        notifications,
    })
}
