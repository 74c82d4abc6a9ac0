//! The public register over HTTP, per C2SP tlog-tiles: the signed checkpoint, the verifier
//! key, hash tiles, entry bundles, and inclusion proofs. Plain-text errors: the clients are
//! verifiers and mirrors, not browsers.

use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use probity_service::register::log::tile::{parse_tile_path, TileResource};
use probity_service::register::public;
use probity_service::ServiceError;

use crate::AppState;

/// Full tiles and bundles never change.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// Partial tiles are stable too, but are superseded as the tree grows: cache briefly.
const PARTIAL: &str = "public, max-age=60";
/// The checkpoint and proofs move with every append.
const NO_CACHE: &str = "no-cache";

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/register/checkpoint", get(checkpoint))
        .route("/register/key", get(key))
        .route("/register/tile/{*path}", get(tile))
        .route("/register/proof/{index}", get(proof))
}

fn text(status: StatusCode, body: String, cache: &'static str) -> Response {
    (
        status,
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/plain; charset=utf-8"),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static(cache)),
        ],
        body,
    )
        .into_response()
}

fn not_found(what: &str) -> Response {
    text(StatusCode::NOT_FOUND, format!("{what}\n"), NO_CACHE)
}

fn failure(e: ServiceError) -> Response {
    match e {
        ServiceError::NotFound(what) => not_found(&format!("{what} not found")),
        other => {
            tracing::error!(error = %other, "register request failed");
            text(
                StatusCode::INTERNAL_SERVER_ERROR,
                "the register could not be read\n".into(),
                NO_CACHE,
            )
        }
    }
}

async fn checkpoint(State(state): State<AppState>) -> Response {
    match public::checkpoint(&state.ctx).await {
        Ok(Some(note)) => text(StatusCode::OK, note, NO_CACHE),
        Ok(None) => not_found("the register has no checkpoint yet"),
        Err(e) => failure(e),
    }
}

async fn key(State(state): State<AppState>) -> Response {
    match public::verifier_key(&state.ctx).await {
        Ok(Some(vkey)) => text(StatusCode::OK, format!("{vkey}\n"), NO_CACHE),
        Ok(None) => not_found("the register has not started yet"),
        Err(e) => failure(e),
    }
}

async fn tile(State(state): State<AppState>, Path(path): Path<String>) -> Response {
    let resource = match parse_tile_path(&format!("tile/{path}")) {
        Ok(r) => r,
        Err(e) => {
            return text(
                StatusCode::BAD_REQUEST,
                format!(
                "{e}; want tile/<L>/<N>[.p/<W>] or tile/entries/<N>[.p/<W>] (C2SP tlog-tiles)\n"
            ),
                NO_CACHE,
            )
        }
    };
    let full = match resource {
        TileResource::Hashes(t) | TileResource::Entries(t) => t.is_full(),
    };
    match public::tile(&state.ctx, resource).await {
        Ok(Some(data)) => (
            StatusCode::OK,
            [
                (
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("application/octet-stream"),
                ),
                (
                    header::CACHE_CONTROL,
                    HeaderValue::from_static(if full { IMMUTABLE } else { PARTIAL }),
                ),
            ],
            data,
        )
            .into_response(),
        Ok(None) => not_found("no such tile in the current tree"),
        Err(e) => failure(e),
    }
}

async fn proof(State(state): State<AppState>, Path(index): Path<String>) -> Response {
    let Ok(index) = index.parse::<u64>() else {
        return text(
            StatusCode::BAD_REQUEST,
            "the register index must be a non-negative integer\n".into(),
            NO_CACHE,
        );
    };
    match public::inclusion_proof(&state.ctx, index).await {
        Ok(p) => (
            [(header::CACHE_CONTROL, HeaderValue::from_static(NO_CACHE))],
            Json(p),
        )
            .into_response(),
        Err(e) => failure(e),
    }
}
