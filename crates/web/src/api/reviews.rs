//! `/api/v1` for destination findings and reviews: the public list and account of reviews,
//! the staff worklist and outcomes, and policy's assessments.
use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::Router;
use probity_domain::{
    AssessmentId, AssessmentInput, EmbargoId, LicenceId, ReviewId, ReviewOutcome,
};
use probity_service::review_outcomes::{self, Filter, Selection};
use probity_service::reviews::{self, ReviewBasis};
use probity_service::{assessments, ServiceError};
use serde::Deserialize;
use serde_json::json;

use super::{id, ok, ApiJson, ApiQuery, ApiResult};
use crate::auth::ApiUser;
use crate::{ApiError, AppState};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/reviews", get(list).post(open))
        .route("/reviews/{id}", get(show))
        .route("/reviews/{id}/items", get(items))
        .route("/reviews/{id}/outcomes", post(decide))
        .route("/reviews/{id}/close", post(close))
        .route("/findings", get(findings))
        .route("/assessments", post(record))
        .route("/notifications", get(notifications))
}

#[derive(Deserialize, Default)]
struct ListQuery {
    page: Option<i64>,
    per_page: Option<i64>,
    /// `true`: open reviews only.
    open: Option<bool>,
}

async fn list(State(s): State<AppState>, ApiQuery(q): ApiQuery<ListQuery>) -> ApiResult {
    ok(reviews::list_public(
        &s.ctx,
        q.open.unwrap_or(false),
        q.page.unwrap_or(1),
        q.per_page.unwrap_or(50),
    )
    .await?)
}

async fn show(State(s): State<AppState>, Path(rid): Path<String>) -> ApiResult {
    ok(reviews::get_public(&s.ctx, id(&rid)?).await?)
}

async fn findings(State(s): State<AppState>) -> ApiResult {
    ok(assessments::public_findings(&s.ctx).await?)
}

#[derive(Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
struct FilterJson {
    status: String,
    rating: String,
    exclusion: String,
    organisation: String,
}

impl From<&FilterJson> for Filter {
    fn from(f: &FilterJson) -> Filter {
        Filter {
            status: f.status.clone(),
            rating: f.rating.clone(),
            organisation: f.organisation.clone(),
            exclusion: f.exclusion.clone(),
        }
    }
}

#[derive(Deserialize, Default)]
struct ItemsQuery {
    page: Option<i64>,
    per_page: Option<i64>,
    #[serde(flatten)]
    filter: FilterJson,
}

async fn items(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Path(rid): Path<String>,
    ApiQuery(q): ApiQuery<ItemsQuery>,
) -> ApiResult {
    let rid: ReviewId = id(&rid)?;
    ok(review_outcomes::worklist(
        &s.ctx,
        &a,
        rid,
        &Filter::from(&q.filter),
        q.page.unwrap_or(1),
        q.per_page.unwrap_or(100),
    )
    .await?)
}

/// An outcome for the listed licences, or for every licence a filter selects.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OutcomeJson {
    outcome: ReviewOutcome,
    reason: String,
    #[serde(default)]
    licences: Option<Vec<LicenceId>>,
    #[serde(default)]
    filter: Option<FilterJson>,
}

async fn decide(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Path(rid): Path<String>,
    ApiJson(body): ApiJson<OutcomeJson>,
) -> ApiResult {
    let rid: ReviewId = id(&rid)?;
    let selection = match (body.licences, &body.filter) {
        (Some(ids), None) => Selection::Licences(ids),
        (None, Some(f)) => Selection::Filter(f.into()),
        _ => {
            return Err(ApiError::from(ServiceError::field(
                "licences",
                "give either \"licences\" (a list of licence ids) or \"filter\", not both",
            )))
        }
    };
    ok(review_outcomes::decide(&s.ctx, &a, rid, &selection, body.outcome, &body.reason).await?)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CloseJson {
    note: String,
}

async fn close(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Path(rid): Path<String>,
    ApiJson(body): ApiJson<CloseJson>,
) -> ApiResult {
    let rid: ReviewId = id(&rid)?;
    review_outcomes::close(&s.ctx, &a, rid, &body.note).await?;
    ok(json!({ "closed": true }))
}

async fn record(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiJson(input): ApiJson<AssessmentInput>,
) -> ApiResult {
    ok(assessments::record(&s.ctx, &a, &input).await?)
}

/// Open (or, with `"preview": true`, only preview) a review on an assessment or an embargo.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OpenJson {
    #[serde(default)]
    assessment: Option<AssessmentId>,
    #[serde(default)]
    embargo: Option<EmbargoId>,
    #[serde(default)]
    preview: bool,
}

async fn open(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiJson(body): ApiJson<OpenJson>,
) -> ApiResult {
    let basis = match (body.assessment, body.embargo) {
        (Some(x), None) => ReviewBasis::Assessment(x),
        (None, Some(e)) => ReviewBasis::Embargo(e),
        _ => {
            return Err(ApiError::from(ServiceError::field(
                "assessment",
                "give either \"assessment\" or \"embargo\" (an id), not both",
            )))
        }
    };
    if body.preview {
        let p = reviews::preview(&s.ctx, &a, basis).await?;
        return ok(json!({ "preview": p, "matches_nothing": p.matches_nothing() }));
    }
    let (rid, p) = reviews::open(&s.ctx, &a, basis).await?;
    ok(json!({ "id": rid, "selected": p, "matches_nothing": p.matches_nothing() }))
}

async fn notifications(State(s): State<AppState>, ApiUser(a): ApiUser) -> ApiResult {
    ok(review_outcomes::notifications(&s.ctx, &a).await?)
}
