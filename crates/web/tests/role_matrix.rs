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
use probity_service::testing::PASSWORD;
use support::{prepare, At, Auth, Prepared, Resp, Session, TestApp};

// Callers, one bit each.
const ANON: u16 = 1 << 0;
/// An exporter of the organisation that applied.
const EXP: u16 = 1 << 1;
/// An exporter of another organisation.
const EXP2: u16 = 1 << 2;
const CW: u16 = 1 << 3;
/// An adviser whose team (FCDO) the case was referred to.
const ADV: u16 = 1 << 4;
/// An adviser whose team (MOD) was not consulted.
const ADV_OUT: u16 = 1 << 5;
const DM: u16 = 1 << 6;
const POL: u16 = 1 << 7;
const OVS: u16 = 1 << 8;
const ADM: u16 = 1 << 9;

const NOBODY: u16 = 0;
const SIGNED_IN: u16 = EXP | EXP2 | CW | ADV | ADV_OUT | DM | POL | OVS | ADM;
const EVERYONE: u16 = ANON | SIGNED_IN;
/// Who may read a case referred to FCDO (and its licence and documents).
const READERS: u16 = EXP | CW | ADV | DM | POL | OVS;
/// For whom such a case does not exist.
const OUTSIDERS: u16 = EXP2 | ADV_OUT | ADM;
/// Who may read a case's audit history.
const HISTORY: u16 = CW | DM | POL | OVS;
/// Everyone signed in who has case lists (the administrator has none).
const LISTERS: u16 = SIGNED_IN & !ADM;
/// For whom an unsubmitted draft does not exist: everyone but its own organisation.
const NOT_OWNER: u16 = SIGNED_IN & !EXP;

const CALLERS: [(u16, &str); 10] = [
    (ANON, "anonymous"),
    (EXP, "exporter"),
    (EXP2, "other-org exporter"),
    (CW, "caseworker"),
    (ADV, "adviser (team consulted)"),
    (ADV_OUT, "adviser (team not consulted)"),
    (DM, "decision-maker"),
    (POL, "policy"),
    (OVS, "oversight"),
    (ADM, "admin"),
];

#[derive(Clone, Copy)]
enum Payload {
    None,
    /// Form fields (the session's CSRF token is added).
    Form(&'static [(&'static str, &'static str)]),
    /// A JSON body.
    Json(&'static str),
}
use Payload::{Form, Json};
const NONE: Payload = Payload::None;

struct Row {
    method: &'static str,
    /// With placeholders {case} {qid} {licence} {doc} {seq}; bodies may also use {fcdo}
    /// (the consulted team's id) and {n} (unique per request).
    path: &'static str,
    at: Option<At>,
    ok: u16,
    status: u16,
    hidden: u16,
    body: Payload,
}

#[allow(clippy::too_many_arguments)]
fn row(
    method: &'static str,
    path: &'static str,
    at: Option<At>,
    ok: u16,
    status: u16,
    hidden: u16,
    body: Payload,
) -> Row {
    Row {
        method,
        path,
        at,
        ok,
        status,
        hidden,
        body,
    }
}

/// For public, role-blind endpoints: every caller gets the same answer as an anonymous one
/// (whatever that is: the register's state is not this table's business), never a refusal.
const SAME: u16 = 999;

const GET: &str = "GET";
const POST: &str = "POST";
const NO_FIXTURE: Option<At> = None;
const DRAFT: Option<At> = Some(At::Draft);
const SUBMITTED: Option<At> = Some(At::Submitted);
const UNDER_REVIEW: Option<At> = Some(At::UnderReview);
const AWAITING_EXPORTER: Option<At> = Some(At::AwaitingExporter);
const REFERRED: Option<At> = Some(At::Referred);
const ADVISED: Option<At> = Some(At::Advised);
const FINAL_ADVICE: Option<At> = Some(At::FinalAdvice);
const FOR_DECISION: Option<At> = Some(At::UnderFinalReview);
const AWAITING_COUNTERSIGN: Option<At> = Some(At::AwaitingCountersign);
const GRANTED: Option<At> = Some(At::Granted);
const SUSPENDED: Option<At> = Some(At::Suspended);
const REFUSED: Option<At> = Some(At::Refused);

const APPLICATION_FORM: &[(&str, &str)] = &[
    ("licence_type", "siel"),
    ("goods_count", "1"),
    ("g0_description", "Thermal imaging weapon sights"),
    ("g0_ratings", "ML15b"),
    ("g0_quantity", "40"),
    ("g0_unit", "items"),
    ("g0_value", "356000.00"),
    ("party_count", "2"),
    ("p0_role", "end_user"),
    ("p0_name", "Ministry of Defence"),
    ("p0_address", "Defence procurement, Oslo"),
    ("p0_country", "NO"),
    ("p0_end_user_type", "armed_forces"),
    ("p1_role", "consignee"),
    ("p1_name", "Central Logistics Depot"),
    ("p1_address", "Depot road, Oslo"),
    ("p1_country", "NO"),
    (
        "end_use_statement",
        "For use by the national armed forces on border patrols.",
    ),
    ("action", "save"),
];

const APPLICATION_JSON: &str = r#"{"licence_type":"siel",
  "goods":[{"description":"Thermal imaging weapon sights","ratings":["ML15b"],"quantity":"40","unit":"items","value":"356000.00","incorporated":false}],
  "parties":[{"role":"end_user","name":"Ministry of Defence","address":"Defence procurement, Oslo","country":"NO","end_user_type":"armed_forces"},
             {"role":"consignee","name":"Central Logistics Depot","address":"Depot road, Oslo","country":"NO"}],
  "end_use_statement":"For use by the national armed forces on border patrols."}"#;

const REASON: &[(&str, &str)] = &[("reason", "Recorded for the role-matrix test.")];
const REASON_JSON: &str = r#"{"reason":"Recorded for the role-matrix test."}"#;

/// The routes outside the API: pages (`src/pages/mod.rs`), /healthz, the register's files.
#[rustfmt::skip]
fn page_rows() -> Vec<Row> {
    vec![
        // row(method, path, case stage, who may, what they get, who gets 404, body)
        row(GET, "/healthz", NO_FIXTURE, EVERYONE, 200, NOBODY, NONE),
        row(GET, "/", NO_FIXTURE, EVERYONE, 200, NOBODY, NONE),
        row(GET, "/static/style.css", NO_FIXTURE, EVERYONE, 200, NOBODY, NONE),
        row(GET, "/login", NO_FIXTURE, EVERYONE, 200, NOBODY, NONE),
        row(POST, "/login", NO_FIXTURE, EVERYONE, 303, NOBODY,
            Form(&[("email", "caseworker@ecju.test"), ("password", PASSWORD)])),
        row(GET, "/cases", NO_FIXTURE, LISTERS, 200, NOBODY, NONE),
        row(GET, "/applications/new", NO_FIXTURE, EXP | EXP2, 200, NOBODY, NONE),
        row(POST, "/applications", NO_FIXTURE, EXP | EXP2, 303, NOBODY, Form(APPLICATION_FORM)),
        row(GET, "/applications/{case}/edit", DRAFT, EXP, 200, NOT_OWNER, NONE),
        row(POST, "/applications/{case}", DRAFT, EXP, 303, EXP2, Form(APPLICATION_FORM)),
        row(GET, "/cases/{case}", REFERRED, READERS, 200, OUTSIDERS, NONE),
        // The page looks the case up before checking the role, so outsiders get 404; the
        // API checks the role first (403 for every other role, whether the case exists or not).
        row(GET, "/cases/{case}/history", REFERRED, HISTORY, 200, OUTSIDERS, NONE),
        row(POST, "/cases/{case}/assign", SUBMITTED, CW, 303, NOBODY, NONE),
        row(POST, "/cases/{case}/ask", UNDER_REVIEW, CW, 303, NOBODY,
            Form(&[("body", "Please send the end-user undertaking.")])),
        row(POST, "/cases/{case}/advice-request", UNDER_REVIEW, CW, 303, NOBODY,
            Form(&[("teams", "{fcdo}"), ("note", "Please advise.")])),
        row(POST, "/cases/{case}/advice", REFERRED, ADV, 303, ADV_OUT,
            Form(&[("destination", "NO"), ("kind", "approve"), ("reasons", "No concerns under any criterion.")])),
        row(POST, "/cases/{case}/final-advice", ADVISED, CW, 303, NOBODY,
            Form(&[("reasons", "Consolidated from the FCDO advice.")])),
        row(POST, "/cases/{case}/submit-for-decision", FINAL_ADVICE, CW, 303, NOBODY, NONE),
        row(POST, "/cases/{case}/finalise", FOR_DECISION, DM, 303, NOBODY,
            Form(&[("decision", "grant"), ("reasons", "Granted on the consolidated advice.")])),
        row(POST, "/cases/{case}/countersign", AWAITING_COUNTERSIGN, DM, 303, NOBODY,
            Form(&[("note", "Agreed.")])),
        row(POST, "/cases/{case}/return", FOR_DECISION, DM, 303, NOBODY, Form(REASON)),
        row(POST, "/cases/{case}/withdraw", SUBMITTED, EXP, 303, EXP2, Form(REASON)),
        row(POST, "/cases/{case}/appeal", REFUSED, EXP, 303, EXP2,
            Form(&[("grounds", "The end user has given new undertakings since the refusal.")])),
        row(POST, "/cases/{case}/no-such-action", SUBMITTED, NOBODY, 0, SIGNED_IN, NONE),
        row(POST, "/cases/{case}/questions/{qid}/answer", AWAITING_EXPORTER, EXP, 303, EXP2,
            Form(&[("answer", "The undertaking is attached.")])),
        row(GET, "/licences/{licence}", GRANTED, READERS, 200, OUTSIDERS, NONE),
        row(POST, "/licences/{licence}/suspend", GRANTED, DM | POL, 303, NOBODY, Form(REASON)),
        row(POST, "/licences/{licence}/reinstate", SUSPENDED, DM | POL, 303, NOBODY, Form(REASON)),
        row(POST, "/licences/{licence}/revoke", GRANTED, DM | POL, 303, NOBODY, Form(REASON)),
        row(POST, "/licences/{licence}/surrender", GRANTED, EXP, 303, EXP2, Form(REASON)),
        row(POST, "/licences/{licence}/exhaust", GRANTED, EXP, 303, EXP2, Form(REASON)),
        row(POST, "/licences/{licence}/expire", GRANTED, NOBODY, 0, NOBODY, Form(REASON)),
        row(POST, "/licences/{licence}/no-such-action", GRANTED, NOBODY, 0, SIGNED_IN, Form(REASON)),
        row(GET, "/documents/{doc}", GRANTED, READERS, 200, OUTSIDERS, NONE),
        row(GET, "/documents/{doc}/download", GRANTED, READERS, 200, OUTSIDERS, NONE),
        row(GET, "/register/decisions", GRANTED, EVERYONE, 200, NOBODY, NONE),
        row(GET, "/register/decisions/{seq}", GRANTED, EVERYONE, 200, NOBODY, NONE),
        row(GET, "/admin/users", NO_FIXTURE, ADM | OVS, 200, NOBODY, NONE),
        row(POST, "/admin/users", NO_FIXTURE, ADM, 200, NOBODY,
            Form(&[("email", "new-{n}@ecju.test"), ("display_name", "New caseworker"), ("role", "caseworker"),
                   ("password", PASSWORD), ("organisation_id", ""), ("team_id", "")])),
        row(GET, "/account/tokens", NO_FIXTURE, SIGNED_IN, 200, NOBODY, NONE),
        row(POST, "/account/tokens", NO_FIXTURE, SIGNED_IN, 200, NOBODY, Form(&[("name", "script {n}")])),
        row(GET, "/oversight/audit", NO_FIXTURE, OVS, 200, NOBODY, NONE),
        // The transparency log's files (C2SP tlog-tiles) are public and the same for everyone.
        row(GET, "/register/checkpoint", GRANTED, EVERYONE, SAME, NOBODY, NONE),
        row(GET, "/register/key", GRANTED, EVERYONE, SAME, NOBODY, NONE),
        row(GET, "/register/tile/0/000", GRANTED, EVERYONE, SAME, NOBODY, NONE),
        row(GET, "/register/tile/entries/000", GRANTED, EVERYONE, SAME, NOBODY, NONE),
        row(GET, "/register/proof/0", GRANTED, EVERYONE, SAME, NOBODY, NONE),
        // Open data and statistics are public and the same for everyone.
        row(GET, "/data", GRANTED, EVERYONE, 200, NOBODY, NONE),
        row(GET, "/data/view.csv", GRANTED, EVERYONE, 200, NOBODY, NONE),
        row(GET, "/data/licences", GRANTED, EVERYONE, 200, NOBODY, NONE),
        row(GET, "/data/download/licences.csv", GRANTED, EVERYONE, 200, NOBODY, NONE),
        row(GET, "/static/data.css", NO_FIXTURE, EVERYONE, 200, NOBODY, NONE),
        row(GET, "/statistics", GRANTED, EVERYONE, 200, NOBODY, NONE),
        row(GET, "/statistics/decisions.csv", GRANTED, EVERYONE, 200, NOBODY, NONE),
        row(GET, "/register/feed.atom", GRANTED, EVERYONE, 200, NOBODY, NONE),
        // Last: signing out ends the sessions the rows above use.
        row(POST, "/logout", NO_FIXTURE, SIGNED_IN, 303, NOBODY, NONE),
    ]
}

/// The API routes of `src/api/mod.rs` (callers authenticate with bearer tokens).
#[rustfmt::skip]
fn api_rows() -> Vec<Row> {
    vec![
        // row(method, path, case stage, who may, what they get, who gets 404, body)
        row(GET, "/api/v1/openapi.json", NO_FIXTURE, EVERYONE, 200, NOBODY, NONE),
        row(GET, "/api/v1/stats", GRANTED, EVERYONE, 200, NOBODY, NONE),
        row(GET, "/api/v1/decisions", GRANTED, EVERYONE, 200, NOBODY, NONE),
        row(GET, "/api/v1/decisions/{seq}", GRANTED, EVERYONE, 200, NOBODY, NONE),
        row(POST, "/api/v1/applications", NO_FIXTURE, EXP | EXP2, 201, NOBODY, Json(APPLICATION_JSON)),
        row(GET, "/api/v1/cases", NO_FIXTURE, LISTERS, 200, NOBODY, NONE),
        row(GET, "/api/v1/cases/{case}", REFERRED, READERS, 200, OUTSIDERS, NONE),
        row(GET, "/api/v1/cases/{case}/history", REFERRED, HISTORY, 200, NOBODY, NONE),
        row(POST, "/api/v1/cases/{case}/assign", SUBMITTED, CW, 200, NOBODY, NONE),
        row(POST, "/api/v1/cases/{case}/questions", UNDER_REVIEW, CW, 201, NOBODY,
            Json(r#"{"body":"Please send the end-user undertaking."}"#)),
        row(POST, "/api/v1/cases/{case}/questions/{qid}/answer", AWAITING_EXPORTER, EXP, 200, EXP2,
            Json(r#"{"answer":"The undertaking is attached."}"#)),
        row(POST, "/api/v1/cases/{case}/advice-requests", UNDER_REVIEW, CW, 200, NOBODY,
            Json(r#"{"teams":["{fcdo}"],"note":"Please advise."}"#)),
        row(POST, "/api/v1/cases/{case}/advice", REFERRED, ADV, 201, ADV_OUT,
            Json(r#"{"destination":"NO","kind":"approve","reasons":"No concerns under any criterion."}"#)),
        row(POST, "/api/v1/cases/{case}/final-advice", ADVISED, CW, 200, NOBODY,
            Json(r#"{"reasons":"Consolidated from the FCDO advice."}"#)),
        row(POST, "/api/v1/cases/{case}/submit-for-decision", FINAL_ADVICE, CW, 200, NOBODY, NONE),
        row(POST, "/api/v1/cases/{case}/finalise", FOR_DECISION, DM, 200, NOBODY,
            Json(r#"{"decision":"grant","reasons":"Granted on the consolidated advice."}"#)),
        row(POST, "/api/v1/cases/{case}/countersign", AWAITING_COUNTERSIGN, DM, 200, NOBODY,
            Json(r#"{"note":"Agreed."}"#)),
        row(POST, "/api/v1/cases/{case}/return", FOR_DECISION, DM, 200, NOBODY, Json(REASON_JSON)),
        row(POST, "/api/v1/cases/{case}/withdraw", SUBMITTED, EXP, 200, EXP2, Json(REASON_JSON)),
        row(POST, "/api/v1/cases/{case}/appeal", REFUSED, EXP, 201, EXP2,
            Json(r#"{"grounds":"The end user has given new undertakings since the refusal."}"#)),
        row(GET, "/api/v1/licences/{licence}", GRANTED, READERS, 200, OUTSIDERS, NONE),
        row(POST, "/api/v1/licences/{licence}/suspend", GRANTED, DM | POL, 200, NOBODY, Json(REASON_JSON)),
        row(POST, "/api/v1/licences/{licence}/reinstate", SUSPENDED, DM | POL, 200, NOBODY, Json(REASON_JSON)),
        row(POST, "/api/v1/licences/{licence}/revoke", GRANTED, DM | POL, 200, NOBODY, Json(REASON_JSON)),
        row(POST, "/api/v1/licences/{licence}/surrender", GRANTED, EXP, 200, EXP2, Json(REASON_JSON)),
        row(POST, "/api/v1/licences/{licence}/exhaust", GRANTED, EXP, 200, EXP2, Json(REASON_JSON)),
        row(POST, "/api/v1/licences/{licence}/expire", GRANTED, NOBODY, 0, NOBODY, Json(REASON_JSON)),
        row(POST, "/api/v1/licences/{licence}/no-such-action", GRANTED, NOBODY, 0, SIGNED_IN, Json(REASON_JSON)),
        row(GET, "/api/v1/documents/{doc}", GRANTED, READERS, 200, OUTSIDERS, NONE),
        // The API's fallback: unknown paths are 404 JSON for everyone, signed in or not.
        row(GET, "/api/v1/no-such-endpoint", NO_FIXTURE, NOBODY, 0, EVERYONE, NONE),
    ]
}

/// Who is calling, as a page session and as an API token.
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
            .replace("{n}", &self.requests.to_string());
        if let Some(t) = t {
            s = s.replace("{case}", &t.case.to_string());
            let opt = |x: Option<String>| x.unwrap_or_else(|| "missing".into());
            s = s
                .replace("{qid}", &opt(t.question.map(|q| q.to_string())))
                .replace("{licence}", &opt(t.licence.map(|l| l.to_string())))
                .replace("{doc}", &opt(t.document.map(|d| d.to_string())))
                .replace("{seq}", &opt(t.record.map(|r| r.to_string())));
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
            let auth = match &c.token {
                Some(t) => Auth::Bearer(t),
                None => Auth::None,
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
            if method == Method::GET {
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
                let t = app.create_token(&s, "role matrix").await;
                (Some(s), Some(t))
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
