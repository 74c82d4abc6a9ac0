//! The role matrix: every page route and every API route, requested by every kind of caller.
//!
//! Each row names a route, the case stage it needs (prepared with the real commands), the
//! callers who may use it and what they get, and the callers for whom the target must not
//! even exist (404). Every other caller is refused: anonymous page requests are redirected
//! (303) to /login, anonymous API requests get 401 JSON, and signed-in callers without the
//! right get 403.
//!
//! Both sides are checked: refused callers go first, then every allowed caller must succeed
//! (on a freshly prepared case when the request changes state) — so a refusal that damaged
//! the case would show up as a failure of the allowed caller after it.
//!
//! Two further checks keep the table honest: every `.route(…)` anywhere under `src/` has a
//! row (and every row a route), and every API operation in the OpenAPI document has a row.
//! A new endpoint therefore fails this suite until its row says who may use it.
mod support;

use axum::body::Body;
use axum::http::Method;
use support::{prepare, At, Auth, Prepared, Resp, Session, TestApp};
use table::*;

#[path = "role_matrix/table.rs"]
mod table;

/// Who is calling, as a page session and, for exporters (the only role that may create API
/// tokens), as an API token; other roles call the API with their session.
struct Caller {
    bit: u16,
    name: &'static str,
    session: Option<Session>,
    token: Option<String>,
}

struct Matrix<'a> {
    app: &'a TestApp,
    callers: Vec<Caller>,
    requests: usize,
    failures: Vec<String>,
}

impl Matrix<'_> {
    async fn target(&self, at: Option<At>) -> Option<Prepared> {
        match at {
            Some(at) => Some(prepare(&self.app.world, "NO", at).await),
            None => None,
        }
    }

    fn fill(&self, s: &str, t: Option<&Prepared>) -> String {
        let mut s = s
            .replace("{fcdo}", &self.app.world.fcdo.to_string())
            // An account no caller signs in as, for the administrators' account actions.
            .replace(
                "{user}",
                &self.app.world.second_decision_maker.user_id.to_string(),
            )
            .replace("{n}", &self.requests.to_string());
        if let Some(t) = t {
            s = s.replace("{case}", &t.case.to_string());
            let opt = |x: Option<String>| x.unwrap_or_else(|| "missing".into());
            s = s
                .replace("{qid}", &opt(t.question.map(|q| q.to_string())))
                .replace("{licence}", &opt(t.licence.map(|l| l.to_string())))
                .replace("{doc}", &opt(t.document.map(|d| d.to_string())))
                .replace("{seq}", &opt(t.record.map(|r| r.to_string())))
                .replace("{review}", &opt(t.review.map(|r| r.to_string())))
                .replace("{dissent}", &opt(t.dissent.map(|d| d.to_string())))
                .replace("{disclosure}", &opt(t.disclosure.map(|d| d.to_string())))
                .replace("{assessment}", &opt(t.assessment.map(|a| a.to_string())))
                .replace("{embargo}", &opt(t.embargo.map(|e| e.to_string())))
                .replace("{match}", &opt(t.screening.as_ref().map(|m| m.0.clone())))
                .replace("{version}", &opt(t.screening.as_ref().map(|m| m.1.clone())));
        }
        assert!(!s.contains("missing"), "the fixture lacks an id for {s}");
        s
    }

    async fn send(&mut self, row: &Row, caller: usize, t: Option<&Prepared>) -> Resp {
        self.requests += 1;
        let path = self.fill(row.path, t);
        let app = self.app;
        let c = &self.callers[caller];
        let method = if row.method == GET {
            Method::GET
        } else {
            Method::POST
        };
        if row.path.starts_with("/api/") {
            let auth = match (&c.token, &c.session) {
                (Some(t), _) => Auth::Bearer(t),
                (None, Some(s)) => Auth::Session(s),
                (None, None) => Auth::None,
            };
            match row.body {
                Payload::Json(j) => {
                    let json: serde_json::Value =
                        serde_json::from_str(&self.fill(j, t)).expect("table JSON");
                    app.api_post(&path, auth, &json).await
                }
                Payload::None => app.api(method, &path, auth, None, Body::empty()).await,
                Payload::Form(_) => unreachable!("API rows send JSON"),
            }
        } else {
            let filled: Vec<(String, String)> = match row.body {
                Payload::Form(fields) => fields
                    .iter()
                    .map(|(k, v)| (k.to_string(), self.fill(v, t)))
                    .collect(),
                _ => Vec::new(),
            };
            let fields: Vec<(&str, &str)> = filled
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            if row.path == "/login" && method == Method::POST {
                // The sign-in form is posted with its own CSRF cookie and field.
                let (email, password) = (&filled[0].1, &filled[1].1);
                let (cookie, field) = app.login_form().await;
                app.post_login(email, password, TestApp::CLIENT, Some((&cookie, &field)))
                    .await
            } else if method == Method::GET {
                app.get(&path, c.session.as_ref()).await
            } else {
                app.post_form(&path, c.session.as_ref(), &fields).await
            }
        }
    }

    /// What a caller who is not allowed must get, or `None` when the response is right.
    fn check_refused(row: &Row, bit: u16, r: &Resp) -> Option<String> {
        let api = row.path.starts_with("/api/");
        let status = r.status.as_u16();
        let (want, code) = if row.hidden & bit != 0 {
            (404, "not_found")
        } else if bit == ANON {
            if api {
                (401, "unauthenticated")
            } else {
                return (status != 303 || r.location() != Some("/login")).then(|| {
                    format!(
                        "want 303 to /login, got {status} to {:?}",
                        r.location().unwrap_or("")
                    )
                });
            }
        } else {
            (403, "forbidden")
        };
        if status != want {
            return Some(format!("want {want}, got {status}: {}", snippet(r)));
        }
        if api && (!r.content_type().starts_with("application/json") || r.error_code() != code) {
            return Some(format!("want a JSON error {code:?}, got {}", snippet(r)));
        }
        if !api && !r.content_type().starts_with("text/html") {
            return Some(format!(
                "want an HTML error page, got {:?}",
                r.content_type()
            ));
        }
        None
    }

    fn check_allowed(row: &Row, r: &Resp) -> Option<String> {
        let status = r.status.as_u16();
        if status != row.status {
            return Some(format!("want {}, got {status}: {}", row.status, snippet(r)));
        }
        if status == 303 && r.location().is_some_and(|l| l.starts_with("/login")) {
            return Some("redirected to /login as if not signed in".into());
        }
        None
    }

    /// A role-blind endpoint: everyone gets what an anonymous caller gets.
    async fn run_public(&mut self, row: &Row, label: &str) {
        let target = self.target(row.at).await;
        let mut first: Option<Resp> = None;
        for i in 0..self.callers.len() {
            let r = self.send(row, i, target.as_ref()).await;
            let name = self.callers[i].name;
            let status = r.status.as_u16();
            if matches!(status, 401 | 403) || r.location().is_some_and(|l| l.starts_with("/login"))
            {
                self.failures.push(format!(
                    "{label} as {name}: refused ({status}) though public"
                ));
            }
            match &first {
                None => first = Some(r),
                Some(f) if f.status != r.status || f.body != r.body => self.failures.push(format!(
                    "{label} as {name}: {status} differs from the anonymous answer {}",
                    f.status
                )),
                Some(_) => {}
            }
        }
    }

    async fn run(&mut self, rows: &[Row]) {
        for row in rows {
            let label = format!("{} {}", row.method, row.path);
            if row.status == SAME {
                self.run_public(row, &label).await;
                continue;
            }
            let mutating = row.method == POST;
            let mut target = self.target(row.at).await;
            // Refused callers first, on the same target the first allowed caller then uses.
            for i in 0..self.callers.len() {
                let bit = self.callers[i].bit;
                if row.ok & bit != 0 {
                    continue;
                }
                let r = self.send(row, i, target.as_ref()).await;
                if let Some(why) = Self::check_refused(row, bit, &r) {
                    self.failures
                        .push(format!("{label} as {}: {why}", self.callers[i].name));
                }
            }
            let mut first = true;
            for i in 0..self.callers.len() {
                if row.ok & self.callers[i].bit == 0 {
                    continue;
                }
                if mutating && !first {
                    target = self.target(row.at).await;
                }
                first = false;
                let r = self.send(row, i, target.as_ref()).await;
                if let Some(why) = Self::check_allowed(row, &r) {
                    self.failures
                        .push(format!("{label} as {}: {why}", self.callers[i].name));
                }
            }
        }
    }
}

fn snippet(r: &Resp) -> String {
    let text = r.text();
    // For HTML, the error page's lead paragraph says what went wrong.
    if let Some(i) = text.find(r#"<p class="lead">"#) {
        let lead = &text[i + r#"<p class="lead">"#.len()..];
        return lead[..lead.find("</p>").unwrap_or(lead.len())].to_string();
    }
    text.chars()
        .take(300)
        .collect::<String>()
        .replace('\n', " ")
}

fn describe(bits: u16) -> String {
    if bits == EVERYONE {
        return "everyone".into();
    }
    if bits == SIGNED_IN {
        return "anyone signed in".into();
    }
    let names: Vec<&str> = CALLERS
        .iter()
        .filter(|(b, _)| bits & b != 0)
        .map(|(_, n)| *n)
        .collect();
    if names.is_empty() {
        "nobody".into()
    } else {
        names.join(", ")
    }
}

#[tokio::test]
async fn every_endpoint_for_every_caller() {
    let app = TestApp::sqlite().await;
    let w = &app.world;
    let mut callers = Vec::new();
    for (bit, name) in CALLERS {
        let email = match bit {
            ANON => None,
            EXP => Some(w.exporter.email.as_str()),
            EXP2 => Some(w.other_exporter.email.as_str()),
            CW => Some(w.caseworker.email.as_str()),
            ADV => Some(w.fcdo_adviser.email.as_str()),
            ADV_OUT => Some(w.mod_adviser.email.as_str()),
            DM => Some(w.decision_maker.email.as_str()),
            POL => Some(w.policy.email.as_str()),
            OVS => Some(w.oversight.email.as_str()),
            _ => Some(w.admin.email.as_str()),
        };
        let (session, token) = match email {
            Some(e) => {
                let s = app.login(e).await;
                let t = if bit & (EXP | EXP2) != 0 {
                    Some(app.create_token(&s, "role matrix").await)
                } else {
                    None
                };
                (Some(s), t)
            }
            None => (None, None),
        };
        callers.push(Caller {
            bit,
            name,
            session,
            token,
        });
    }
    let mut m = Matrix {
        app: &app,
        callers,
        requests: 0,
        failures: Vec::new(),
    };
    let (api, pages) = (api_rows(), page_rows());
    m.run(&api).await;
    m.run(&pages).await;

    for r in api.iter().chain(&pages) {
        println!(
            "{:<4} {:<48} may: {:<40} → {:<4} 404: {}",
            r.method,
            r.path,
            describe(r.ok),
            if r.status == SAME {
                "same".to_string()
            } else {
                r.status.to_string()
            },
            describe(r.hidden)
        );
    }
    assert!(
        m.failures.is_empty(),
        "{} of {} requests did not match the role matrix:\n{}",
        m.failures.len(),
        m.requests,
        m.failures.join("\n")
    );
}

/// `(method, path)` of every `.route(…)` in a source file, under `prefix`.
fn routes_in_source(src: &str, prefix: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for chunk in src.split(".route(").skip(1) {
        let end = [".fallback(", ".merge(", ".nest(", ".layer(", "\n}"]
            .iter()
            .filter_map(|stop| chunk.find(stop))
            .min()
            .unwrap_or(chunk.len());
        let chunk = &chunk[..end];
        let start = chunk.find('"').expect("a path literal") + 1;
        let end = start + chunk[start..].find('"').expect("end of path");
        let path = format!("{prefix}{}", &chunk[start..end]);
        for method in ["get", "post", "put", "patch", "delete"] {
            let call = format!("{method}(");
            let used = chunk.match_indices(&call).any(|(i, _)| {
                i == 0
                    || !chunk.as_bytes()[i - 1].is_ascii_alphanumeric()
                        && chunk.as_bytes()[i - 1] != b'_'
            });
            if used {
                out.push((method.to_uppercase(), path.clone()));
            }
        }
    }
    out
}

/// Every route declared anywhere under `src/` (the API's under its `/api/v1` prefix).
fn routes_in_crate() -> Vec<(String, String)> {
    fn walk(dir: &std::path::Path, out: &mut Vec<(String, String)>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .expect("read src")
            .map(|e| e.expect("entry").path())
            .collect();
        entries.sort();
        for path in entries {
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let src = std::fs::read_to_string(&path).expect("read source");
                let prefix = if path.components().any(|c| c.as_os_str() == "api") {
                    "/api/v1"
                } else {
                    ""
                };
                out.extend(routes_in_source(&src, prefix));
            }
        }
    }
    let mut out = Vec::new();
    walk(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut out,
    );
    out
}

/// Whether a concrete table path is an instance of a route pattern (`{x}` matches any
/// segment, a trailing `{*x}` any rest).
fn matches(pattern: &str, path: &str) -> bool {
    let (p, q): (Vec<&str>, Vec<&str>) = (pattern.split('/').collect(), path.split('/').collect());
    if p.last().is_some_and(|l| l.starts_with("{*")) {
        return q.len() >= p.len()
            && matches(&p[..p.len() - 1].join("/"), &q[..p.len() - 1].join("/"));
    }
    p.len() == q.len()
        && p.iter()
            .zip(&q)
            .all(|(a, b)| a == b || (a.starts_with('{') && a.ends_with('}')))
}

#[test]
fn the_matrix_covers_every_route_and_nothing_else() {
    let routes = routes_in_crate();
    assert!(routes.len() > 40, "parsed too few routes: {routes:?}");
    let rows: Vec<Row> = page_rows().into_iter().chain(api_rows()).collect();
    let mut problems = Vec::new();
    for (method, route) in &routes {
        if !rows
            .iter()
            .any(|r| r.method == method && matches(route, r.path))
        {
            problems.push(format!(
                "route {method} {route} has no row in the role matrix"
            ));
        }
    }
    for r in &rows {
        let unknown_on_purpose = r.path.contains("no-such-");
        if !unknown_on_purpose
            && !routes
                .iter()
                .any(|(m, route)| m == r.method && matches(route, r.path))
        {
            problems.push(format!("row {} {} matches no route", r.method, r.path));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[tokio::test]
async fn the_matrix_covers_every_documented_api_operation() {
    let app = TestApp::sqlite().await;
    let doc = app.api_get("/api/v1/openapi.json", Auth::None).await.json();
    let rows = api_rows();
    let mut missing = Vec::new();
    for (path, ops) in doc["paths"].as_object().expect("paths") {
        for method in ops.as_object().expect("operations").keys() {
            let full = format!("/api/v1{path}");
            let method = method.to_uppercase();
            if !rows
                .iter()
                .any(|r| r.method == method && matches(&full, r.path))
            {
                missing.push(format!("{method} {full}"));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "documented but not in the matrix: {missing:?}"
    );
}
