//! Request ids: a sane incoming `x-request-id` (from a proxy that already assigned one) is
//! kept, anything else replaced by a fresh one. The id is on the response, in the request's
//! tracing span, and in the text of an internal error, so a user can quote it and an operator
//! find the log lines.
use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;

pub const HEADER: HeaderName = HeaderName::from_static("x-request-id");

/// The id of the request being handled (in its extensions).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestId(pub String);

tokio::task_local! {
    static CURRENT: RequestId;
    /// The path and query being answered, for the header to mark the current page.
    static LOCATION: String;
    /// The signed-in header of the request's user, once their session is read, so that an
    /// error page keeps the header the user came from.
    static VIEWER: std::cell::RefCell<Option<crate::render::Nav>>;
}

/// Keep the signed-in user's header for an error page this request may end in.
pub(crate) fn remember_viewer(nav: crate::render::Nav) {
    let _ = VIEWER.try_with(|v| *v.borrow_mut() = Some(nav));
}

/// The header of the signed-in user of this request, if their session was read.
pub(crate) fn viewer() -> Option<crate::render::Nav> {
    VIEWER.try_with(|v| v.borrow().clone()).ok().flatten()
}

/// The path (and query) of the request this task is handling, if any.
pub fn location() -> Option<String> {
    LOCATION.try_with(Clone::clone).ok()
}

/// The id of the request this task is handling, if any.
pub fn current() -> Option<String> {
    CURRENT.try_with(|id| id.0.clone()).ok()
}

/// At most 64 characters of `[A-Za-z0-9._-]`: safe in a header, a log line and a page.
pub fn is_sane(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

pub(crate) async fn layer(mut req: Request, next: Next) -> Response {
    let id = req
        .headers()
        .get(&HEADER)
        .and_then(|v| v.to_str().ok())
        .filter(|v| is_sane(v))
        .map(str::to_string)
        .unwrap_or_else(|| uuid::Uuid::new_v4().simple().to_string());
    req.extensions_mut().insert(RequestId(id.clone()));
    let location = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_default();
    let mut resp = CURRENT
        .scope(
            RequestId(id.clone()),
            LOCATION.scope(
                location,
                VIEWER.scope(std::cell::RefCell::new(None), next.run(req)),
            ),
        )
        .await;
    if let Ok(v) = HeaderValue::from_str(&id) {
        resp.headers_mut().insert(HEADER, v);
    }
    resp
}

/// Whether a path belongs to protected disclosure, whose visitors leave no trace: no span,
/// no request or response events (so no path, status or latency), nothing logged.
pub fn untraced(path: &str) -> bool {
    path == "/disclose" || path.starts_with("/disclose/")
}

/// The tracing span of a request: method, path (never the query, which may carry search
/// terms) and the request id; none for [`untraced`] paths.
pub(crate) fn span(req: &Request) -> tracing::Span {
    if untraced(req.uri().path()) {
        return tracing::Span::none();
    }
    let id = req
        .extensions()
        .get::<RequestId>()
        .map(|r| r.0.as_str())
        .unwrap_or("-");
    tracing::info_span!(
        "request",
        method = %req.method(),
        path = %req.uri().path(),
        request_id = %id,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_short_plain_ids_are_kept() {
        assert!(is_sane("abc-123_x.y"));
        assert!(is_sane(&"a".repeat(64)));
        assert!(!is_sane(&"a".repeat(65)));
        assert!(!is_sane(""));
        assert!(!is_sane("a b"));
        assert!(!is_sane("a\"<script>"));
        assert!(!is_sane("é"));
    }
}
