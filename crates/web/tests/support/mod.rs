//! The web test harness: the whole router driven in-process through tower's `oneshot` (no
//! sockets), a fixture world on a fresh database, and helpers to sign in, post forms with
//! the session's CSRF token, call the JSON API with a bearer token or a session, and drive
//! cases to any stage through the real service commands.
#![allow(dead_code)]

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, HeaderMap, Method, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use probity_domain::CaseId;
use probity_service::cases;
use probity_service::testing::{siel, Backend, TestDb, World, PASSWORD};
use probity_web::{build_router, AppState, SESSION_COOKIE};
use serde_json::Value;
use tower::ServiceExt;

mod prepare;
// Not every test binary drives cases.
#[allow(unused_imports)]
pub use prepare::*;

/// The application under test, with the database and fixture world behind it.
pub struct TestApp {
    pub router: Router,
    pub world: World,
    pub db: TestDb,
}

/// A signed-in browser: the session cookie's value and the form token of that session.
#[derive(Debug, Clone)]
pub struct Session {
    pub cookie: String,
    pub csrf: String,
}

/// How an API request authenticates.
#[derive(Debug, Clone, Copy)]
pub enum Auth<'a> {
    None,
    Bearer(&'a str),
    /// The page session's cookie; non-GET requests also send its CSRF token in
    /// `X-CSRF-Token`, as a script in the page would.
    Session(&'a Session),
}

/// A response, fully read.
#[derive(Debug)]
pub struct Resp {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Resp {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "expected a JSON body ({e}); status {}, body: {}",
                self.status,
                self.text()
            )
        })
    }

    pub fn header(&self, name: impl header::AsHeaderName) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn location(&self) -> Option<&str> {
        self.header(header::LOCATION)
    }

    pub fn content_type(&self) -> &str {
        self.header(header::CONTENT_TYPE).unwrap_or("")
    }

    /// The `code` of a JSON error body.
    pub fn error_code(&self) -> String {
        self.json()["error"]["code"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// The fields named by a JSON validation error.
    pub fn error_fields(&self) -> Vec<String> {
        self.json()["error"]["fields"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|f| f["field"].as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The message for one field of a JSON validation error.
    pub fn field_message(&self, field: &str) -> Option<String> {
        self.json()["error"]["fields"].as_array().and_then(|a| {
            a.iter()
                .find(|f| f["field"] == field)
                .and_then(|f| f["message"].as_str().map(String::from))
        })
    }

    /// Panic with the body when the status is not the expected one.
    #[track_caller]
    pub fn assert_status(&self, want: u16) -> &Resp {
        assert_eq!(
            self.status.as_u16(),
            want,
            "unexpected status; body: {}",
            self.text().chars().take(2000).collect::<String>()
        );
        self
    }
}

/// `application/x-www-form-urlencoded` encoding of name/value pairs.
pub fn form_encode(fields: &[(&str, &str)]) -> String {
    fn enc(s: &str, out: &mut String) {
        for b in s.bytes() {
            match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'*' => {
                    out.push(b as char)
                }
                b' ' => out.push('+'),
                _ => out.push_str(&format!("%{b:02X}")),
            }
        }
    }
    let mut out = String::new();
    for (i, (k, v)) in fields.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        enc(k, &mut out);
        out.push('=');
        enc(v, &mut out);
    }
    out
}

/// The value of the first `name="csrf_token"` hidden field in a page.
pub fn scrape_csrf(html: &str) -> Option<String> {
    let at = html.find(r#"name="csrf_token" value=""#)?;
    let rest = &html[at + r#"name="csrf_token" value=""#.len()..];
    Some(rest[..rest.find('"')?].to_string())
}

/// The value of cookie `name` set by a response, if any.
pub fn set_cookie(resp: &Resp, name: &str) -> Option<String> {
    resp.headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|c| {
            let (pair, _) = c.split_once(';').unwrap_or((c, ""));
            let (k, v) = pair.split_once('=')?;
            (k.trim() == name).then(|| v.trim().to_string())
        })
}

impl TestApp {
    /// A fresh database on `backend`, the fixture world in it, and the router over it.
    pub async fn new(backend: Backend) -> TestApp {
        let db = TestDb::new(backend).await;
        let mut world = World::new(&db).await;
        // Oversight's key, as `serve --oversight-identity` gives it.
        let (keys, _) = probity_service::disclosures::OversightKeys::generate();
        world.ctx = world.ctx.clone().with_disclosure_keys(keys);
        let router = build_router(AppState::new(world.ctx.clone()));
        TestApp { router, world, db }
    }

    pub async fn sqlite() -> TestApp {
        TestApp::new(Backend::Sqlite).await
    }

    /// The client address requests come from unless they say otherwise (as `serve` attaches
    /// the socket peer).
    pub const CLIENT: IpAddr = IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1));

    /// Send one request through the router.
    pub async fn send(&self, mut req: Request<Body>) -> Resp {
        if req.extensions().get::<ConnectInfo<SocketAddr>>().is_none() {
            req.extensions_mut()
                .insert(ConnectInfo(SocketAddr::new(Self::CLIENT, 40000)));
        }
        let resp = self
            .router
            .clone()
            .oneshot(req)
            .await
            .expect("the router is infallible");
        let (parts, body) = resp.into_parts();
        let body = body
            .collect()
            .await
            .expect("read the response body")
            .to_bytes()
            .to_vec();
        Resp {
            status: parts.status,
            headers: parts.headers,
            body,
        }
    }

    /// A request with an optional session cookie.
    pub async fn request(
        &self,
        method: Method,
        path: &str,
        cookie: Option<&str>,
        headers: &[(&str, &str)],
        body: impl Into<Body>,
    ) -> Resp {
        let mut req = Request::builder().method(method).uri(path);
        if let Some(c) = cookie {
            req = req.header(header::COOKIE, format!("{SESSION_COOKIE}={c}"));
        }
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        self.send(req.body(body.into()).expect("a valid request"))
            .await
    }

    /// GET a page, signed in or not.
    pub async fn get(&self, path: &str, session: Option<&Session>) -> Resp {
        self.request(
            Method::GET,
            path,
            session.map(|s| s.cookie.as_str()),
            &[],
            Body::empty(),
        )
        .await
    }

    /// POST a form as a signed-in user, adding the session's CSRF token as a page would.
    pub async fn post_form(
        &self,
        path: &str,
        session: Option<&Session>,
        fields: &[(&str, &str)],
    ) -> Resp {
        let mut all: Vec<(&str, &str)> = Vec::with_capacity(fields.len() + 1);
        if let Some(s) = session {
            all.push(("csrf_token", s.csrf.as_str()));
        }
        all.extend_from_slice(fields);
        self.post_raw_form(path, session.map(|s| s.cookie.as_str()), &all)
            .await
    }

    /// POST exactly these fields (no CSRF token added).
    pub async fn post_raw_form(
        &self,
        path: &str,
        cookie: Option<&str>,
        fields: &[(&str, &str)],
    ) -> Resp {
        self.request(
            Method::POST,
            path,
            cookie,
            &[("content-type", "application/x-www-form-urlencoded")],
            form_encode(fields),
        )
        .await
    }

    /// POST a `multipart/form-data` form as a browser sends one with file inputs: the
    /// session's CSRF token (if any) and `fields` as text parts, then `files` as
    /// `(field, file name, bytes)`.
    pub async fn post_multipart(
        &self,
        path: &str,
        session: Option<&Session>,
        fields: &[(&str, &str)],
        files: &[(&str, &str, &[u8])],
    ) -> Resp {
        const BOUNDARY: &str = "----probity-test-boundary-7d1f";
        let mut body: Vec<u8> = Vec::new();
        let mut text = |name: &str, value: &str| {
            body.extend_from_slice(
                format!(
                    "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
                )
                .as_bytes(),
            );
        };
        if let Some(s) = session {
            text("csrf_token", &s.csrf);
        }
        for (k, v) in fields {
            text(k, v);
        }
        for (field, name, bytes) in files {
            body.extend_from_slice(
                format!(
                    "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{field}\"; \
                     filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
                )
                .as_bytes(),
            );
            body.extend_from_slice(bytes);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
        let content_type = format!("multipart/form-data; boundary={BOUNDARY}");
        self.request(
            Method::POST,
            path,
            session.map(|s| s.cookie.as_str()),
            &[("content-type", content_type.as_str())],
            body,
        )
        .await
    }

    /// Sign in through the login form and read the CSRF token from the page it leads to.
    pub async fn login(&self, email: &str) -> Session {
        let resp = self.sign_in(email, PASSWORD, Self::CLIENT).await;
        assert_eq!(
            resp.status,
            StatusCode::SEE_OTHER,
            "login as {email}: {}",
            resp.text()
        );
        let cookie = set_cookie(&resp, SESSION_COOKIE).expect("a session cookie");
        let page = self
            .request(Method::GET, "/", Some(&cookie), &[], Body::empty())
            .await;
        let csrf = scrape_csrf(&page.text()).expect("the sign-out form carries the CSRF token");
        Session { cookie, csrf }
    }

    /// The sign-in form's CSRF cookie and hidden field, as a browser gets them.
    pub async fn login_form(&self) -> (String, String) {
        let page = self.get("/login", None).await;
        page.assert_status(200);
        let cookie = set_cookie(&page, "probity_login_csrf").expect("a login CSRF cookie");
        let field = scrape_csrf(&page.text()).expect("the sign-in form carries a CSRF token");
        (cookie, field)
    }

    /// Post the sign-in form as a browser would (fetching the form first), from `client`.
    pub async fn sign_in(&self, email: &str, password: &str, client: IpAddr) -> Resp {
        let (cookie, field) = self.login_form().await;
        self.post_login(email, password, client, Some((&cookie, &field)))
            .await
    }

    /// Post the sign-in form with the given CSRF cookie and field (or none), from `client`.
    pub async fn post_login(
        &self,
        email: &str,
        password: &str,
        client: IpAddr,
        csrf: Option<(&str, &str)>,
    ) -> Resp {
        self.post_login_fields(&[("email", email), ("password", password)], client, csrf)
            .await
    }

    /// Post these sign-in fields, with the CSRF cookie and field given (or none).
    pub async fn post_login_fields(
        &self,
        fields: &[(&str, &str)],
        client: IpAddr,
        csrf: Option<(&str, &str)>,
    ) -> Resp {
        let mut fields = fields.to_vec();
        let mut req = Request::builder()
            .method(Method::POST)
            .uri("/login")
            .header("content-type", "application/x-www-form-urlencoded");
        if let Some((cookie, field)) = csrf {
            req = req.header(header::COOKIE, format!("probity_login_csrf={cookie}"));
            fields.push(("csrf_token", field));
        }
        let mut req = req
            .body(Body::from(form_encode(&fields)))
            .expect("a valid request");
        req.extensions_mut()
            .insert(ConnectInfo(SocketAddr::new(client, 40000)));
        self.send(req).await
    }

    /// Fetch the sign-in form and post these fields with its CSRF token, as a browser would.
    pub async fn post_sign_in_form(&self, fields: &[(&str, &str)]) -> Resp {
        let (cookie, field) = self.login_form().await;
        self.post_login_fields(fields, Self::CLIENT, Some((&cookie, &field)))
            .await
    }

    /// Create a read-and-write API token through the account page, as an exporter would.
    pub async fn create_token(&self, session: &Session, name: &str) -> String {
        let resp = self
            .post_form(
                "/account/tokens",
                Some(session),
                &[("name", name), ("scope", "read_write")],
            )
            .await;
        resp.assert_status(200);
        let html = resp.text();
        let start = html
            .find(r#"<code id="new-token">"#)
            .expect("the new token is shown")
            + r#"<code id="new-token">"#.len();
        let end = start + html[start..].find("</code>").expect("end of token");
        html[start..end].to_string()
    }

    pub async fn api(
        &self,
        method: Method,
        path: &str,
        auth: Auth<'_>,
        content_type: Option<&str>,
        body: impl Into<Body>,
    ) -> Resp {
        let mut headers: Vec<(&str, String)> = Vec::new();
        let mut cookie = None;
        match auth {
            Auth::None => {}
            Auth::Bearer(t) => headers.push(("authorization", format!("Bearer {t}"))),
            Auth::Session(s) => {
                cookie = Some(s.cookie.as_str());
                if method != Method::GET {
                    headers.push(("x-csrf-token", s.csrf.clone()));
                }
            }
        }
        if let Some(ct) = content_type {
            headers.push(("content-type", ct.to_string()));
        }
        let headers: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
        self.request(method, path, cookie, &headers, body).await
    }

    pub async fn api_get(&self, path: &str, auth: Auth<'_>) -> Resp {
        self.api(Method::GET, path, auth, None, Body::empty()).await
    }

    pub async fn api_post(&self, path: &str, auth: Auth<'_>, json: &Value) -> Resp {
        self.api(
            Method::POST,
            path,
            auth,
            Some("application/json"),
            json.to_string(),
        )
        .await
    }

    /// How many cases the caller can list (the `total` of `GET /api/v1/cases`).
    pub async fn case_count(&self, auth: Auth<'_>) -> i64 {
        let resp = self.api_get("/api/v1/cases", auth).await;
        resp.assert_status(200);
        resp.json()["total"].as_i64().expect("total")
    }

    /// The current status of a case, read straight from the service.
    pub async fn status_of(&self, id: CaseId) -> String {
        cases::get_case(&self.world.ctx, &self.world.oversight, id)
            .await
            .expect("case")
            .status
            .as_str()
            .to_string()
    }
}

/// A valid application as the JSON API takes it.
pub fn application_json(destination: &str) -> Value {
    serde_json::to_value(siel(destination)).expect("serialise")
}

/// The shared data folder `sub` (e.g. `caat-uk`): under `PROBITY_SHARED_DATA` (scripts/test.sh
/// exports it), else under `../shared/data` beside the repository. Panics saying where it
/// looked when absent: the tests that need it never pass without it.
pub fn shared_data(sub: &str) -> std::path::PathBuf {
    let base = match std::env::var_os("PROBITY_SHARED_DATA") {
        Some(d) if !d.is_empty() => std::path::PathBuf::from(d),
        _ => std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"),
    };
    let dir = base.join(sub);
    assert!(
        dir.exists(),
        "shared test data not found at {} (set PROBITY_SHARED_DATA to the shared/data folder, \
         as scripts/test.sh does); these tests refuse to pass without it",
        dir.display()
    );
    dir
}
