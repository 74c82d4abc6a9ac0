//! Supporting documents in the API: a case's documents and the requests for them, a document's
//! file, an exporter's upload (the file as base64 in JSON, checked as on the page: type by
//! content, 5 MB) and a caseworker's request for a document.
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine;
use probity_domain::{CaseId, Upload};
use probity_service::supporting_documents::{self as docs, NewUpload};
use probity_service::ServiceError;
use serde::Deserialize;
use serde_json::json;

use super::{id, ok, ApiJson, ApiResult};
use crate::auth::ApiUser;
use crate::AppState;

/// An upload's body: a file of the largest size as base64, and the rest of the JSON.
const UPLOAD_BODY_BYTES: usize = probity_domain::MAX_ATTACHMENT_BYTES / 3 * 4 + 64 * 1024;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/cases/{id}/documents",
            get(list)
                .post(upload)
                .layer(DefaultBodyLimit::max(UPLOAD_BODY_BYTES)),
        )
        .route("/cases/{id}/documents/{number}", get(download))
        .route("/cases/{id}/document-requests", post(request))
}

async fn list(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Path(cid): Path<String>,
) -> ApiResult {
    let case: CaseId = id(&cid)?;
    ok(docs::of_case(&s.ctx, &a, case).await?)
}

async fn download(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Path((cid, number)): Path<(String, String)>,
) -> ApiResult {
    let case: CaseId = id(&cid)?;
    let f = docs::download(&s.ctx, &a, case, id(&number)?).await?;
    Ok(crate::download::file_response(f))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UploadJson {
    #[serde(default)]
    document_kind: String,
    /// The number of the caseworker's request this answers.
    #[serde(default)]
    request: Option<i64>,
    name: String,
    /// The file's bytes, standard base64.
    content_base64: String,
}

async fn upload(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Path(cid): Path<String>,
    ApiJson(body): ApiJson<UploadJson>,
) -> ApiResult {
    let case: CaseId = id(&cid)?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(body.content_base64.trim())
        .map_err(|_| {
            ServiceError::field(
                "content_base64",
                "the file is not valid base64 (standard alphabet, with padding)",
            )
        })?;
    let new = NewUpload {
        document_kind: body.document_kind,
        request: body.request,
        file: Some(Upload {
            name: body.name,
            bytes,
        }),
    };
    let number = docs::upload(&s.ctx, &a, case, new).await?;
    Ok((
        StatusCode::CREATED,
        Json(
            json!({ "number": number, "href": format!("/api/v1/cases/{case}/documents/{number}") }),
        ),
    )
        .into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RequestJson {
    document_kind: String,
    note: String,
}

async fn request(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Path(cid): Path<String>,
    ApiJson(body): ApiJson<RequestJson>,
) -> ApiResult {
    let case: CaseId = id(&cid)?;
    let number = docs::request(&s.ctx, &a, case, &body.document_kind, &body.note).await?;
    Ok((StatusCode::CREATED, Json(json!({ "number": number }))).into_response())
}
