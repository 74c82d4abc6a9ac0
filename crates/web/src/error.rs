//! One error type for the web layer, rendered as an HTML page or as JSON.
use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::Json;
use probity_service::ServiceError;
use serde_json::json;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error(transparent)]
    Service(#[from] ServiceError),
    #[error("{0}")]
    BadRequest(String),
    #[error("the form has expired or did not come from this site; go back, reload and try again")]
    Csrf,
    #[error("page not found")]
    NotFound,
    #[error(
        "the request is too large: send at most {} (a form with files: at most {} files of {} each)",
        probity_domain::human_size(crate::MAX_BODY_BYTES),
        probity_domain::MAX_ATTACHMENTS,
        probity_domain::human_size(probity_domain::MAX_ATTACHMENT_BYTES)
    )]
    TooLarge,
    #[error(
        "your role requires two-factor sign-in: set it up at /account/two-factor before anything else"
    )]
    EnrolFirst,
}

impl AppError {
    /// A failure of ours (a template, an encoder, an export writer): logged, never shown.
    pub fn internal(what: &str, e: impl std::fmt::Display) -> AppError {
        AppError::Service(ServiceError::Internal(format!("{what}: {e}")))
    }

    pub fn status(&self) -> StatusCode {
        match self {
            AppError::Service(e) => match e {
                ServiceError::Unauthenticated => StatusCode::UNAUTHORIZED,
                ServiceError::Forbidden(_) => StatusCode::FORBIDDEN,
                ServiceError::NotFound(_) => StatusCode::NOT_FOUND,
                ServiceError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
                ServiceError::Conflict(_) | ServiceError::Blocked(_) => StatusCode::CONFLICT,
                ServiceError::Throttled { .. } => StatusCode::TOO_MANY_REQUESTS,
                ServiceError::Loading { .. } => StatusCode::SERVICE_UNAVAILABLE,
                ServiceError::Store(_) | ServiceError::Internal(_) => {
                    StatusCode::INTERNAL_SERVER_ERROR
                }
            },
            AppError::BadRequest(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Csrf => StatusCode::FORBIDDEN,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::EnrolFirst => StatusCode::FORBIDDEN,
        }
    }

    fn code(&self) -> &'static str {
        match self {
            AppError::Service(e) => match e {
                ServiceError::Unauthenticated => "unauthenticated",
                ServiceError::Forbidden(_) => "forbidden",
                ServiceError::NotFound(_) => "not_found",
                ServiceError::Validation(_) => "validation_failed",
                ServiceError::Conflict(_) => "conflict",
                ServiceError::Blocked(_) => "blocked",
                ServiceError::Throttled { .. } => "throttled",
                ServiceError::Loading { .. } => "loading",
                ServiceError::Store(_) | ServiceError::Internal(_) => "internal",
            },
            AppError::BadRequest(_) => "bad_request",
            AppError::Csrf => "csrf",
            AppError::NotFound => "not_found",
            AppError::TooLarge => "too_large",
            AppError::EnrolFirst => "two_factor_required",
        }
    }

    /// The message shown to users. An internal error's text is never shown: the user gets
    /// the request's id to quote instead.
    pub fn public_message(&self) -> String {
        if self.is_internal() {
            internal_message()
        } else {
            self.to_string()
        }
    }

    fn is_internal(&self) -> bool {
        matches!(
            self,
            AppError::Service(ServiceError::Internal(_) | ServiceError::Store(_))
        )
    }

    /// Logs an internal error once, with the request's id; both renderings call it.
    fn log(&self) {
        if !self.is_internal() {
            return;
        }
        match crate::request_id::current() {
            Some(id) => tracing::error!(error = %self, request_id = %id, "internal error"),
            None => tracing::error!(error = %self, "internal error"),
        }
    }

    /// Seconds for a `Retry-After` header, when the client should wait.
    pub fn retry_after(&self) -> Option<u64> {
        match self {
            AppError::Service(ServiceError::Throttled { retry_after_secs }) => {
                Some(*retry_after_secs)
            }
            AppError::Service(ServiceError::Loading { .. }) => Some(LOADING_RETRY_SECS),
            _ => None,
        }
    }

    fn details(&self) -> Vec<String> {
        match self {
            AppError::Service(ServiceError::Validation(v)) => {
                v.0.iter()
                    .map(|f| format!("{}: {}", f.field, f.message))
                    .collect()
            }
            AppError::Service(ServiceError::Blocked(b)) => b.clone(),
            _ => Vec::new(),
        }
    }
}

/// How long a client is asked to wait while something loads.
const LOADING_RETRY_SECS: u64 = 5;

/// What a user is told of an internal error: the request's id to quote.
fn internal_message() -> String {
    let msg = "something went wrong on our side; nothing was changed — please try again";
    match crate::request_id::current() {
        Some(id) => format!("{msg} (if it happens again, quote reference {id})"),
        None => msg.into(),
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    nav: crate::render::Nav,
    status: u16,
    title: String,
    message: String,
    details: Vec<String>,
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = self.status();
        self.log();
        if let AppError::Service(ServiceError::Unauthenticated) = self {
            return axum::response::Redirect::to("/login").into_response();
        }
        if let AppError::EnrolFirst = self {
            return axum::response::Redirect::to("/account/two-factor").into_response();
        }
        let page = ErrorPage {
            // The header the user came from: signed in, if their session was read.
            nav: crate::request_id::viewer().unwrap_or_else(|| crate::render::Nav::for_user(None)),
            status: status.as_u16(),
            title: match &self {
                AppError::Service(ServiceError::Loading { what, .. }) => {
                    format!("{} are loading", crate::render::capitalised(what))
                }
                _ => status.canonical_reason().unwrap_or("Error").to_string(),
            },
            message: crate::render::capitalised(&self.public_message()),
            details: self.details(),
        };
        let mut resp = match page.render() {
            Ok(html) => (status, Html(html)).into_response(),
            Err(_) => (status, self.public_message()).into_response(),
        };
        with_retry_after(&mut resp, self.retry_after());
        resp
    }
}

/// The same error, as JSON for API clients.
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl<E: Into<AppError>> From<E> for ApiError {
    fn from(e: E) -> Self {
        ApiError(e.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let e = self.0;
        e.log();
        let fields: Vec<serde_json::Value> = match &e {
            AppError::Service(ServiceError::Validation(v)) => {
                v.0.iter()
                    .map(|f| json!({ "field": f.field, "message": f.message }))
                    .collect()
            }
            _ => Vec::new(),
        };
        let reasons = match &e {
            AppError::Service(ServiceError::Blocked(b)) => b.clone(),
            _ => Vec::new(),
        };
        let body = json!({ "error": {
            "code": e.code(),
            "message": e.public_message(),
            "fields": fields,
            "reasons": reasons,
        }});
        let mut resp = (e.status(), Json(body)).into_response();
        with_retry_after(&mut resp, e.retry_after());
        resp
    }
}

/// Add `Retry-After` (seconds) to a response, if there is a wait.
pub fn with_retry_after(resp: &mut Response, secs: Option<u64>) {
    if let Some(secs) = secs {
        resp.headers_mut()
            .insert(axum::http::header::RETRY_AFTER, secs.into());
    }
}
