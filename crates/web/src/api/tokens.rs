//! `/api/v1/tokens`: list, create (signed in with a session, never with a token) and revoke
//! the caller's API tokens.
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use probity_service::tokens::{self, NewToken};

use super::{id, ok, ApiJson, ApiResult};
use crate::auth::{ApiSessionUser, ApiUser};
use crate::AppState;

pub async fn list(State(s): State<AppState>, ApiUser(a): ApiUser) -> ApiResult {
    ok(serde_json::json!({ "tokens": tokens::list(&s.ctx, &a).await? }))
}

pub async fn create(
    State(s): State<AppState>,
    ApiSessionUser(a): ApiSessionUser,
    ApiJson(new): ApiJson<NewToken>,
) -> ApiResult {
    let created = tokens::create(&s.ctx, &a, &new).await?;
    Ok((StatusCode::CREATED, Json(created)).into_response())
}

pub async fn revoke(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Path(tid): Path<String>,
) -> ApiResult {
    ok(tokens::revoke(&s.ctx, &a, id(&tid)?).await?)
}
