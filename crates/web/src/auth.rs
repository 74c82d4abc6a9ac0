//! Authentication extractors: session cookies for pages (with a CSRF token per session for
//! every form) and bearer tokens for machine clients of the API.
use axum::body::Bytes;
use std::convert::Infallible;
use std::net::SocketAddr;

use axum::extract::multipart::{Multipart, MultipartError};
use axum::extract::{ConnectInfo, FromRef, FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, Method, StatusCode};
use axum_extra::extract::CookieJar;
use probity_service::auth::{session_actor, tokens_match, Actor};
use probity_service::domain::Upload;
use probity_service::sign_in::ClientAddr;
use probity_service::tokens::token_actor;
use probity_service::two_factor;
use probity_service::ServiceError;
use serde::de::DeserializeOwned;

use crate::{AppError, AppState};

pub const SESSION_COOKIE: &str = "probity_session";
pub const CSRF_FIELD: &str = "csrf_token";
pub const CSRF_HEADER: &str = "x-csrf-token";

/// The socket peer of a request (`serve` and the tests attach it as `ConnectInfo`).
/// `X-Forwarded-For` is deliberately ignored: anyone can send it.
pub fn client_addr(parts: &Parts) -> ClientAddr {
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(ClientAddr::UNKNOWN, |c| ClientAddr(c.0.ip()))
}

/// The client address as an extractor.
pub struct Client(pub ClientAddr);

impl<S: Send + Sync> FromRequestParts<S> for Client {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Client(client_addr(parts)))
    }
}

/// A signed-in user of the pages.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub actor: Actor,
    pub csrf: String,
    /// The role requires a second factor the user has not set up: only enrolment and
    /// sign-out are open to them (`CurrentUser` itself refuses such a session).
    pub must_enrol: bool,
}

async fn from_cookie(parts: &Parts, state: &AppState) -> Result<Option<CurrentUser>, AppError> {
    let jar = CookieJar::from_headers(&parts.headers);
    let Some(cookie) = jar.get(SESSION_COOKIE) else {
        return Ok(None);
    };
    let Some((actor, csrf)) = session_actor(&state.ctx, cookie.value()).await? else {
        return Ok(None);
    };
    let must_enrol = two_factor::must_enrol(&state.ctx, &actor).await?;
    let user = CurrentUser {
        actor,
        csrf,
        must_enrol,
    };
    crate::request_id::remember_viewer(crate::render::Nav::for_user(Some(&user)));
    Ok(Some(user))
}

/// A live session, whether or not it must still enrol a second factor: for the enrolment
/// pages and sign-out only.
pub struct EnrollingUser(pub CurrentUser);

impl<S> FromRequestParts<S> for EnrollingUser
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        from_cookie(parts, &AppState::from_ref(state))
            .await?
            .map(EnrollingUser)
            .ok_or(AppError::Service(ServiceError::Unauthenticated))
    }
}

impl<S> FromRequestParts<S> for CurrentUser
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let state = AppState::from_ref(state);
        let user = from_cookie(parts, &state)
            .await?
            .ok_or(AppError::Service(ServiceError::Unauthenticated))?;
        if user.must_enrol {
            return Err(AppError::EnrolFirst);
        }
        Ok(user)
    }
}

/// A page that works signed in or not.
pub struct MaybeUser(pub Option<CurrentUser>);

impl<S> FromRequestParts<S> for MaybeUser
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Ok(MaybeUser(
            from_cookie(parts, &AppState::from_ref(state)).await?,
        ))
    }
}

/// A posted form from a signed-in user whose CSRF token matches their session. Either
/// encoding is read: `application/x-www-form-urlencoded`, or `multipart/form-data` for forms
/// that carry files (whose files are in `files`).
pub struct SignedForm<T> {
    pub user: CurrentUser,
    pub form: T,
    /// Every field as posted, in order (for forms with repeated or numbered fields).
    pub fields: Vec<(String, String)>,
    /// Files posted in a multipart form (an empty file input sends none).
    pub files: Vec<Upload>,
}

impl<S, T> FromRequest<S> for SignedForm<T>
where
    AppState: FromRef<S>,
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = req.into_parts();
        let user = CurrentUser::from_request_parts(&mut parts, state).await?;
        read_signed_form(user, parts, body, state).await
    }
}

/// A posted form from any live session, including one that must still enrol a second
/// factor: for enrolment and sign-out only.
pub struct EnrolmentForm<T>(pub SignedForm<T>);

impl<S, T> FromRequest<S> for EnrolmentForm<T>
where
    AppState: FromRef<S>,
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = req.into_parts();
        let EnrollingUser(user) = EnrollingUser::from_request_parts(&mut parts, state).await?;
        Ok(EnrolmentForm(
            read_signed_form(user, parts, body, state).await?,
        ))
    }
}

async fn read_signed_form<S, T>(
    user: CurrentUser,
    parts: Parts,
    body: axum::body::Body,
    state: &S,
) -> Result<SignedForm<T>, AppError>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    let (fields, files) = read_form(Request::from_parts(parts, body), state).await?;
    let token = fields
        .iter()
        .find(|(k, _)| k == CSRF_FIELD)
        .map(|(_, v)| v.as_str());
    if !token.is_some_and(|t| tokens_match(t, &user.csrf)) {
        return Err(AppError::Csrf);
    }
    let form = fields_into(&fields)?;
    Ok(SignedForm {
        user,
        form,
        fields,
        files,
    })
}

/// A form's fields as `T` (whichever encoding they came in).
pub fn fields_into<T: DeserializeOwned>(fields: &[(String, String)]) -> Result<T, AppError> {
    let encoded = serde_html_form::to_string(fields)
        .map_err(|e| AppError::BadRequest(format!("the form could not be read: {e}")))?;
    serde_html_form::from_str(&encoded)
        .map_err(|e| AppError::BadRequest(format!("the form could not be read: {e}")))
}

fn unreadable(what: impl std::fmt::Display) -> AppError {
    AppError::BadRequest(format!("the form could not be read: {what}"))
}

/// A posted form's text fields in order, and its files. Read within the router's body limit
/// (413 beyond it).
pub async fn read_form<S: Send + Sync>(
    req: Request,
    state: &S,
) -> Result<(Vec<(String, String)>, Vec<Upload>), AppError> {
    let multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    if !multipart {
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|r| match r.status() {
                StatusCode::PAYLOAD_TOO_LARGE => AppError::TooLarge,
                _ => unreadable(r.body_text()),
            })?;
        let fields = serde_html_form::from_bytes(&bytes).map_err(unreadable)?;
        return Ok((fields, Vec::new()));
    }
    let mut form = Multipart::from_request(req, state)
        .await
        .map_err(|r| unreadable(r.body_text()))?;
    let too_large = |e: MultipartError| match e.status() {
        StatusCode::PAYLOAD_TOO_LARGE => AppError::TooLarge,
        _ => unreadable(e.body_text()),
    };
    let (mut fields, mut files) = (Vec::new(), Vec::new());
    while let Some(field) = form.next_field().await.map_err(too_large)? {
        let name = field.name().unwrap_or_default().to_string();
        match field.file_name().map(str::to_string) {
            Some(file_name) => {
                let bytes = field.bytes().await.map_err(too_large)?;
                // A file input left empty still sends a part, with no name and no bytes.
                if !(file_name.is_empty() && bytes.is_empty()) {
                    files.push(Upload {
                        name: file_name,
                        bytes: bytes.to_vec(),
                    });
                }
            }
            None => fields.push((name, field.text().await.map_err(too_large)?)),
        }
    }
    Ok((fields, files))
}

/// A caller of the JSON API: a bearer token, or a page session (whose non-GET requests must
/// carry the session's CSRF token in the `X-CSRF-Token` header).
pub struct ApiUser(pub Actor);

impl<S> FromRequestParts<S> for ApiUser
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = crate::ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let state = AppState::from_ref(state);
        if let Some(value) = parts.headers.get(header::AUTHORIZATION) {
            let token = value
                .to_str()
                .ok()
                .and_then(|v| v.strip_prefix("Bearer "))
                .ok_or(ServiceError::Unauthenticated)?;
            let user = token_actor(&state.ctx, token.trim(), client_addr(parts))
                .await?
                .ok_or(ServiceError::Unauthenticated)?;
            if two_factor::must_enrol(&state.ctx, &user.actor).await? {
                return Err(AppError::EnrolFirst.into());
            }
            let writes = parts.method != Method::GET && parts.method != Method::HEAD;
            if writes && !user.scope.allows_writes() {
                return Err(ServiceError::Forbidden(
                    "change anything with a read-only API token; create a token with the \
                     read-and-write scope for this"
                        .into(),
                )
                .into());
            }
            return Ok(ApiUser(user.actor));
        }
        let user = from_cookie(parts, &state)
            .await?
            .ok_or(ServiceError::Unauthenticated)?;
        if user.must_enrol {
            return Err(AppError::EnrolFirst.into());
        }
        if parts.method != Method::GET && parts.method != Method::HEAD {
            let sent = parts.headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok());
            if !sent.is_some_and(|t| tokens_match(t, &user.csrf)) {
                return Err(AppError::Csrf.into());
            }
        }
        Ok(ApiUser(user.actor))
    }
}

/// A caller of the JSON API signed in with a page session (never a bearer token): tokens are
/// created by a person, so a leaked token cannot mint itself successors.
pub struct ApiSessionUser(pub Actor);

impl<S> FromRequestParts<S> for ApiSessionUser
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = crate::ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        if parts.headers.contains_key(header::AUTHORIZATION) {
            // Authenticate first, so a bad token is counted and answered 401 as anywhere.
            ApiUser::from_request_parts(parts, state).await?;
            return Err(ServiceError::Forbidden(
                "create API tokens with a token; sign in to create one".into(),
            )
            .into());
        }
        let ApiUser(actor) = ApiUser::from_request_parts(parts, state).await?;
        Ok(ApiSessionUser(actor))
    }
}
