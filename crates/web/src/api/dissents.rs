//! `/api/v1/dissents`: record a dissent, read one's own (404 to anyone but its parties and
//! oversight), and take the steps the domain allows: answer, accept, escalate, finding.
use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::Router;
use probity_domain::DissentId;
use probity_service::dissent_steps::{self, AnswerInput, FindingInput};
use probity_service::dissents::{self, DissentInput};
use serde::Deserialize;
use serde_json::json;

use super::{id, ok, ApiJson, ApiResult};
use crate::auth::ApiUser;
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/dissents", get(list).post(file))
        .route("/dissents/{id}", get(show))
        .route("/dissents/{id}/answer", post(answer))
        .route("/dissents/{id}/accept", post(accept))
        .route("/dissents/{id}/escalate", post(escalate))
        .route("/dissents/{id}/finding", post(finding))
}

async fn list(State(s): State<AppState>, ApiUser(a): ApiUser) -> ApiResult {
    ok(json!({ "dissents": dissents::mine(&s.ctx, &a).await? }))
}

async fn file(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiJson(body): ApiJson<DissentInput>,
) -> ApiResult {
    let id = dissents::file(&s.ctx, &a, &body).await?;
    ok(dissents::get(&s.ctx, &a, id).await?)
}

async fn show(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Path(did): Path<String>,
) -> ApiResult {
    let did: DissentId = id(&did)?;
    ok(dissents::get(&s.ctx, &a, did).await?)
}

async fn answer(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Path(did): Path<String>,
    ApiJson(body): ApiJson<AnswerInput>,
) -> ApiResult {
    let did: DissentId = id(&did)?;
    dissent_steps::answer(&s.ctx, &a, did, &body).await?;
    ok(dissents::get(&s.ctx, &a, did).await?)
}

async fn accept(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Path(did): Path<String>,
) -> ApiResult {
    let did: DissentId = id(&did)?;
    dissent_steps::accept(&s.ctx, &a, did).await?;
    ok(dissents::get(&s.ctx, &a, did).await?)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StatementJson {
    statement: String,
}

async fn escalate(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Path(did): Path<String>,
    ApiJson(body): ApiJson<StatementJson>,
) -> ApiResult {
    let did: DissentId = id(&did)?;
    dissent_steps::escalate(&s.ctx, &a, did, &body.statement).await?;
    ok(dissents::get(&s.ctx, &a, did).await?)
}

async fn finding(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Path(did): Path<String>,
    ApiJson(body): ApiJson<FindingInput>,
) -> ApiResult {
    let did: DissentId = id(&did)?;
    dissent_steps::record_finding(&s.ctx, &a, did, &body).await?;
    ok(dissents::get(&s.ctx, &a, did).await?)
}
