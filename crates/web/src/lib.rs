//! Probity's HTTP interface: server-rendered pages for every role and a JSON API under
//! `/api/v1`, both thin layers over the same service functions.

mod api;
mod auth;
mod download;
mod error;
pub mod health;
mod pages;
mod register;
mod render;
pub mod request_id;

use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::http::{header, HeaderValue};
use axum::routing::get;
use axum::Router;
use probity_service::Ctx;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

pub use auth::SESSION_COOKIE;
pub use error::{ApiError, AppError};

/// The largest request body accepted (forms and JSON). Applications are text; nothing
/// legitimate comes near this.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// The largest body of a form that carries files: every attachment at its largest, with room
/// for the text. Beyond it the request is refused whole (413); within it a file that breaks
/// the rules is refused by name and the text typed is kept.
pub const MAX_UPLOAD_BODY_BYTES: usize =
    probity_domain::MAX_ATTACHMENTS * probity_domain::MAX_ATTACHMENT_BYTES + 2 * MAX_BODY_BYTES;

#[derive(Clone)]
pub struct AppState {
    pub ctx: Ctx,
    /// Mark cookies `Secure` (set when served behind HTTPS).
    pub secure_cookies: bool,
    /// What `/readyz` checks besides the database.
    pub health: health::Health,
}

impl AppState {
    pub fn new(ctx: Ctx) -> AppState {
        AppState {
            ctx,
            secure_cookies: false,
            health: health::Health::default(),
        }
    }
}

/// An address nothing answers: the error page with the visitor's own header (their session is
/// read for it), or JSON under the API.
async fn not_found(uri: axum::http::Uri, _viewer: auth::MaybeUser) -> axum::response::Response {
    use axum::response::IntoResponse;
    if uri.path().starts_with("/api/") {
        ApiError(AppError::NotFound).into_response()
    } else {
        AppError::NotFound.into_response()
    }
}

/// The whole application. Tests drive this in-process; `probity serve` binds it.
pub fn build_router(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .merge(pages::router())
        .merge(register::router())
        .nest("/api/v1", api::router())
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(axum::middleware::from_fn(no_store_when_authenticated))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'self'; form-action 'self'; frame-ancestors 'none'",
            ),
        ))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(request_id::span)
                // Request and response events only inside a request's span: an untraced
                // request (protected disclosure) has none, and so no events either.
                .on_request(|_: &axum::extract::Request, span: &tracing::Span| {
                    if !span.is_none() {
                        tracing::debug!(parent: span, "started processing request");
                    }
                })
                .on_response(
                    |res: &axum::response::Response, latency: Duration, span: &tracing::Span| {
                        if !span.is_none() {
                            tracing::debug!(parent: span, status = res.status().as_u16(),
                                latency_ms = latency.as_millis() as u64, "finished processing request");
                        }
                    },
                )
                .on_failure(
                    |e: tower_http::classify::ServerErrorsFailureClass,
                     latency: Duration,
                     span: &tracing::Span| {
                        if !span.is_none() {
                            tracing::error!(parent: span, classification = %e,
                                latency_ms = latency.as_millis() as u64, "response failed");
                        }
                    },
                ),
        )
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(60),
        ))
        // Outermost, so that every response (a timeout's too) carries the id.
        .layer(axum::middleware::from_fn(request_id::layer))
        .with_state(state)
}

/// Responses to a request carrying credentials (a session cookie or a bearer token) may show
/// what only that user may see: no cache (browser, proxy, shared computer's back button) may
/// keep them. Responses that declare themselves `public` (the same for everyone) keep that.
async fn no_store_when_authenticated(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let session = format!("{SESSION_COOKIE}=");
    let credentials = req.headers().contains_key(header::AUTHORIZATION)
        || req
            .headers()
            .get_all(header::COOKIE)
            .iter()
            .any(|v| v.to_str().is_ok_and(|c| c.contains(&session)));
    let mut resp = next.run(req).await;
    let public = resp
        .headers()
        .get(header::CACHE_CONTROL)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("public"));
    if credentials && !public {
        resp.headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    resp
}
