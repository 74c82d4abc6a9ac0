//! The server-rendered pages: each role's home list, the application form's error handling,
//! escaping, CSRF protection, sign-in and sign-out.
#[path = "../support/mod.rs"]
mod support;

mod evidence_files;
mod form_errors;
mod history;
mod licences_and_reviews;
mod next_step;
mod public_register;
mod screening;
mod sign_in;
mod task_list;

use axum::body::Body;
use axum::http::Method;
use probity_domain::CaseId;
use probity_service::applications;
use probity_service::auth;
use probity_service::cases::{self, Queue};
use probity_service::testing::{siel, PASSWORD};
use probity_web::SESSION_COOKIE;
use support::{prepare, set_cookie, At, Auth, Resp, Session, TestApp};

async fn reference(app: &TestApp, id: CaseId) -> String {
    cases::get_case(&app.world.ctx, &app.world.oversight, id)
        .await
        .expect("case")
        .reference
        .expect("a submitted case has a reference")
}

/// The number of cases (drafts included) of the fixture exporter's organisation.
async fn exporter_cases(app: &TestApp) -> i64 {
    cases::list_cases(&app.world.ctx, &app.world.exporter, Queue::All, 1, 200)
        .await
        .expect("list")
        .total
}

/// Sign in through the form and follow the redirect to the role's home page.
async fn home(app: &TestApp, email: &str, want_location: &str) -> Resp {
    let resp = app
        .post_sign_in_form(&[("email", email), ("password", PASSWORD)])
        .await;
    resp.assert_status(303);
    assert_eq!(resp.location(), Some(want_location), "{email}");
    let cookie = set_cookie(&resp, SESSION_COOKIE).expect("a session cookie");
    let page = app
        .request(
            Method::GET,
            want_location,
            Some(&cookie),
            &[],
            Body::empty(),
        )
        .await;
    page.assert_status(200);
    assert!(page.content_type().starts_with("text/html"));
    page
}

#[tokio::test]
async fn each_role_lands_on_its_own_list() {
    let app = TestApp::sqlite().await;
    let w = &app.world;
    let submitted = reference(&app, prepare(w, "NO", At::Submitted).await.case).await;
    let referred = reference(&app, prepare(w, "NO", At::Referred).await.case).await;
    let for_decision = reference(&app, prepare(w, "NO", At::UnderFinalReview).await.case).await;
    let granted = reference(&app, prepare(w, "NO", At::Granted).await.case).await;
    let (_, rival) = applications::submit_new(&w.ctx, &w.other_exporter, &siel("FR"))
        .await
        .expect("rival submits");
    let rival = rival.to_string();
    let ours = [&submitted, &referred, &for_decision, &granted];

    let page = home(&app, &w.exporter.email, "/cases").await.text();
    assert!(page.contains("Your organisation's applications"));
    assert!(page.contains(r#"href="/applications/new""#));
    for r in ours {
        assert!(page.contains(r.as_str()), "exporter sees {r}");
    }
    assert!(!page.contains(&rival), "exporter must not see {rival}");

    let page = home(&app, &w.other_exporter.email, "/cases").await.text();
    assert!(page.contains(&rival));
    for r in ours {
        assert!(!page.contains(r.as_str()), "the rival must not see {r}");
    }

    // The caseworker starts on the queue of new cases.
    let page = home(&app, &w.caseworker.email, "/cases").await.text();
    assert!(
        page.contains("<h1>Cases: "),
        "officials see the queue they are in"
    );
    assert!(page.contains(r#"href="/cases?queue=mine""#));
    assert!(page.contains(&submitted) && page.contains(&rival));
    assert!(!page.contains(&for_decision) && !page.contains(&granted));

    // Advisers start on what their team still owes advice on; everything ever referred to
    // it is under its own tab, and nothing else.
    let page = home(&app, &w.fcdo_adviser.email, "/cases").await.text();
    assert!(
        page.contains(referred.as_str()),
        "FCDO owes advice on {referred}"
    );
    assert!(!page.contains(&for_decision) && !page.contains(&granted));
    let fcdo = app.login(&w.fcdo_adviser.email).await;
    let page = app.get("/cases?queue=advice", Some(&fcdo)).await.text();
    for r in [&referred, &for_decision, &granted] {
        assert!(page.contains(r.as_str()), "FCDO sees {r}");
    }
    assert!(!page.contains(&submitted) && !page.contains(&rival));
    let page = home(&app, &w.mod_adviser.email, "/cases").await.text();
    assert!(page.contains("Nothing here."));
    assert!(!ours.iter().any(|r| page.contains(r.as_str())));

    // The decision-maker starts on the cases awaiting a decision.
    let page = home(&app, &w.decision_maker.email, "/cases").await.text();
    assert!(page.contains(&for_decision));
    assert!(!page.contains(&submitted) && !page.contains(&granted));

    for who in [&w.policy, &w.oversight] {
        let page = home(&app, &who.email, "/cases").await.text();
        for r in ours.iter().chain([&&rival]) {
            assert!(page.contains(r.as_str()), "{} sees {r}", who.email);
        }
    }

    // The administrator manages users and has no case list.
    let page = home(&app, &w.admin.email, "/admin/users").await.text();
    for who in [&w.exporter, &w.caseworker, &w.oversight] {
        assert!(page.contains(&who.email));
    }
}

/// The form fields of a complete, valid application, with overrides.
/// Follow the whole form's "continue" to the check page and send the application with the
/// declaration made; the case's id.
async fn send_checked(app: &TestApp, exporter: &Session, resp: &Resp) -> CaseId {
    resp.assert_status(303);
    let location = resp.location().expect("a redirect").to_string();
    let id = location
        .strip_prefix("/applications/")
        .and_then(|l| l.strip_suffix("/check"))
        .unwrap_or_else(|| panic!("on to the check page, not {location}"));
    app.get(&location, Some(exporter)).await.assert_status(200);
    app.post_form(
        &format!("/applications/{id}/submit"),
        Some(exporter),
        &[("declaration", "yes")],
    )
    .await
    .assert_status(303);
    id.parse().expect("a case id")
}

fn application_form<'a>(overrides: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut fields: Vec<(&str, &str)> = vec![
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
        ("action", "submit"),
    ];
    for (k, v) in overrides {
        match fields.iter_mut().find(|(name, _)| name == k) {
            Some(f) => f.1 = v,
            None => fields.push((k, v)),
        }
    }
    fields
}

/// The HTML from an element's id to the end of its enclosing block, for "near the field"
/// checks: the error message is in the same `<div>` as the input it is about.
fn field_block<'a>(html: &'a str, id: &str) -> &'a str {
    let input = html
        .find(&format!(r#"id="{id}""#))
        .unwrap_or_else(|| panic!("no element {id}"));
    let start = html[..input]
        .rfind("<div")
        .expect("a block around the field");
    &html[start..input + 200.min(html.len() - input)]
}

#[tokio::test]
async fn the_application_form_redisplays_with_errors_and_values_kept() {
    let app = TestApp::sqlite().await;
    let exporter = app.login(&app.world.exporter.email).await;

    // Nothing is chosen for the exporter, not even the type of licence.
    let blank = app.get("/applications/new", Some(&exporter)).await.text();
    assert!(!blank.contains(r#"value="siel" checked"#), "{blank}");
    assert!(!blank.contains(r#"value="oiel" checked"#), "{blank}");
    // Not choosing one is a plain sentence, and nothing is saved.
    let resp = app
        .post_form(
            "/applications",
            Some(&exporter),
            &application_form(&[("licence_type", "")]),
        )
        .await;
    resp.assert_status(422);
    assert!(
        resp.text().contains("Choose the type of licence"),
        "{}",
        resp.text()
    );
    assert_eq!(exporter_cases(&app).await, 0);

    // The empty form, submitted (twice): told what to do, and no empty draft is left behind.
    let empty = [
        ("licence_type", "siel"),
        ("goods_count", "1"),
        ("g0_description", ""),
        ("g0_ratings", ""),
        ("g0_quantity", ""),
        ("g0_unit", "items"),
        ("g0_value", ""),
        ("party_count", "2"),
        ("p0_role", "end_user"),
        ("p0_name", ""),
        ("p0_address", ""),
        ("p0_country", ""),
        ("p1_role", "consignee"),
        ("p1_name", ""),
        ("p1_address", ""),
        ("p1_country", ""),
        ("end_use_statement", ""),
        ("action", "submit"),
    ];
    for _ in 0..2 {
        let resp = app
            .post_form("/applications", Some(&exporter), &empty)
            .await;
        resp.assert_status(422);
        assert!(
            resp.text().contains("Nothing has been filled in yet"),
            "{}",
            resp.text()
        );
    }
    assert_eq!(exporter_cases(&app).await, 0, "no empty drafts");

    // Malformed values: nothing is saved, the form comes back with each error by its field.
    let resp = app
        .post_form(
            "/applications",
            Some(&exporter),
            &application_form(&[
                ("g0_ratings", "ML15b, ML99"),
                ("g0_value", "-5"),
                ("g0_description", "Night sights, model \"NS-4\""),
            ]),
        )
        .await;
    resp.assert_status(422);
    let html = resp.text();
    assert!(html.contains("There is a problem"));
    let ratings = field_block(&html, "g0_ratings");
    assert!(ratings.contains("not on the control list"), "{ratings}");
    assert!(ratings.contains(r#"value="ML15b, ML99""#), "{ratings}");
    let value = field_block(&html, "g0_value");
    assert!(value.contains(r#"class="field-error""#), "{value}");
    assert!(value.contains(r#"value="-5""#), "{value}");
    // Every other value is kept too (and escaped inside the attribute).
    assert!(unescape(&html).contains(r#"Night sights, model "NS-4""#));
    assert!(html.contains(r#"value="Ministry of Defence""#));
    assert!(html.contains(r#"<option value="NO" selected>"#));
    assert!(html.contains("For use by the national armed forces on border patrols."));
    // The summary links to the fields.
    assert!(html.contains(r##"href="#g0_ratings""##));
    assert!(html.contains(r##"href="#g0_value""##));
    assert_eq!(exporter_cases(&app).await, 0, "nothing saved");

    // Well-formed but incomplete: the draft is kept, submission is refused with the reason.
    let resp = app
        .post_form(
            "/applications",
            Some(&exporter),
            &application_form(&[
                ("p0_name", ""),
                ("p0_address", ""),
                ("p0_country", ""),
                ("p0_end_user_type", ""),
            ]),
        )
        .await;
    resp.assert_status(422);
    let html = resp.text();
    assert!(html.contains("Your draft was saved"), "{html}");
    assert!(html.contains("add the end user"));
    assert!(html.contains(r#"value="Central Logistics Depot""#));
    assert_eq!(exporter_cases(&app).await, 1);
    let draft = cases::list_cases(&app.world.ctx, &app.world.exporter, Queue::All, 1, 10)
        .await
        .unwrap()
        .items[0]
        .id;
    assert!(html.contains(&format!(r#"action="/applications/{draft}""#)));
    let saved = cases::get_case(&app.world.ctx, &app.world.exporter, draft)
        .await
        .unwrap();
    assert_eq!(saved.status.as_str(), "draft");
    assert_eq!(saved.draft.parties.len(), 1, "the consignee was kept");

    // Put right: on to check the answers and make the declaration, then a case with a
    // reference.
    let resp = app
        .post_form(
            &format!("/applications/{draft}"),
            Some(&exporter),
            &application_form(&[]),
        )
        .await;
    resp.assert_status(303);
    let check = format!("/applications/{draft}/check");
    assert_eq!(resp.location(), Some(check.as_str()));
    let submit = format!("/applications/{draft}/submit");
    // Without the declaration nothing is sent, and the page says why.
    let resp = app.post_form(&submit, Some(&exporter), &[]).await;
    resp.assert_status(422);
    assert!(
        resp.text().contains("Confirm the declaration"),
        "{}",
        resp.text()
    );
    assert!(resp.text().contains("<title>Error: "));
    let resp = app
        .post_form(&submit, Some(&exporter), &[("declaration", "yes")])
        .await;
    resp.assert_status(303);
    let sent = format!("/applications/{draft}/confirmation");
    assert_eq!(resp.location(), Some(sent.as_str()));
    let page = app.get(&sent, Some(&exporter)).await;
    page.assert_status(200);
    assert!(page.text().contains("GBSIEL/2026/"));
    assert_eq!(exporter_cases(&app).await, 1);

    // A partial draft is kept, and the list says what it still lacks.
    let partial = [
        ("licence_type", "siel"),
        ("goods_count", "1"),
        ("g0_description", "Thermal imaging weapon sights"),
        ("g0_unit", "items"),
        ("party_count", "0"),
        ("action", "save"),
    ];
    app.post_form("/applications", Some(&exporter), &partial)
        .await
        .assert_status(303);
    let list = app.get("/cases", Some(&exporter)).await.text();
    assert!(
        list.contains("Still to do: end user, consignee, end use"),
        "{list}"
    );
    // Only the draft lacks anything: the submitted case lists nothing.
    let items = cases::list_cases(&app.world.ctx, &app.world.exporter, Queue::All, 1, 10)
        .await
        .unwrap()
        .items;
    assert_eq!(items.len(), 2);
    for c in &items {
        assert_eq!(c.missing.is_empty(), c.status.as_str() != "draft", "{c:?}");
    }
}

/// Decode the character references an HTML escaper produces (named or numeric).
fn unescape(html: &str) -> String {
    let mut out = html.to_string();
    for (from, to) in [
        ("&lt;", "<"),
        ("&#60;", "<"),
        ("&#x3c;", "<"),
        ("&gt;", ">"),
        ("&#62;", ">"),
        ("&#x3e;", ">"),
        ("&quot;", "\""),
        ("&#34;", "\""),
        ("&#x22;", "\""),
        ("&#39;", "'"),
        ("&#x27;", "'"),
        ("&amp;", "&"),
        ("&#38;", "&"),
    ] {
        out = out.replace(from, to);
    }
    out
}

/// `raw` is on the page as text: present once decoded, never present as markup.
#[track_caller]
fn shown_escaped(html: &str, raw: &str) {
    assert!(!html.contains(raw), "{raw:?} appears unescaped");
    assert!(unescape(html).contains(raw), "{raw:?} is not shown at all");
}

#[tokio::test]
async fn what_users_typed_is_escaped_on_every_page_that_shows_it() {
    let app = TestApp::sqlite().await;
    let w = &app.world;
    let exporter = app.login(&w.exporter.email).await;
    let caseworker = app.login(&w.caseworker.email).await;
    let script = "<script>alert(1)</script>";
    let address = "Depot <b>road</b>, \"Oslo\"";

    let resp = app
        .post_form(
            "/applications",
            Some(&exporter),
            &application_form(&[("p0_name", script), ("p1_address", address)]),
        )
        .await;
    let id = send_checked(&app, &exporter, &resp).await;

    for session in [&exporter, &caseworker] {
        let html = app.get(&format!("/cases/{id}"), Some(session)).await;
        html.assert_status(200);
        let html = html.text();
        shown_escaped(&html, script);
        shown_escaped(&html, address);
    }

    // A question with markup in it reaches the exporter as text.
    app.post_form(&format!("/cases/{id}/assign"), Some(&caseworker), &[])
        .await
        .assert_status(303);
    let question = "Who is <img src=x onerror=alert(1)>?";
    app.post_form(
        &format!("/cases/{id}/ask"),
        Some(&caseworker),
        &[("body", question)],
    )
    .await
    .assert_status(303);
    let html = app
        .get(&format!("/cases/{id}"), Some(&exporter))
        .await
        .text();
    shown_escaped(&html, question);

    // The form, redisplayed with an error, escapes inside attributes and text areas.
    let resp = app
        .post_form(
            "/applications",
            Some(&exporter),
            &application_form(&[
                ("p0_name", "\"><script>alert(2)</script>"),
                ("end_use_statement", "</textarea><script>alert(3)</script>"),
                ("g0_ratings", "ML99"),
            ]),
        )
        .await;
    resp.assert_status(422);
    let html = resp.text();
    shown_escaped(&html, "\"><script>alert(2)</script>");
    shown_escaped(&html, "</textarea><script>alert(3)</script>");

    // Query strings echoed into pages are escaped too.
    let html = app
        .get("/login?next=%22%3E%3Cscript%3Ealert(1)%3C/script%3E", None)
        .await
        .text();
    shown_escaped(&html, "\"><script>alert(1)</script>");
}

#[tokio::test]
async fn a_post_without_the_sessions_csrf_token_is_refused_and_changes_nothing() {
    let app = TestApp::sqlite().await;
    let w = &app.world;
    let caseworker = app.login(&w.caseworker.email).await;
    let exporter = app.login(&w.exporter.email).await;
    let case = prepare(w, "NO", At::Submitted).await.case;
    let path = format!("/cases/{case}/assign");

    let attempts: [(&str, Vec<(&str, &str)>); 4] = [
        ("no token", vec![]),
        ("an empty token", vec![("csrf_token", "")]),
        ("a wrong token", vec![("csrf_token", "forged-token")]),
        // A real token, but another session's.
        (
            "another session's token",
            vec![("csrf_token", exporter.csrf.as_str())],
        ),
    ];
    for (what, fields) in &attempts {
        let resp = app
            .post_raw_form(&path, Some(&caseworker.cookie), fields)
            .await;
        assert_eq!(resp.status.as_u16(), 403, "{what}");
        assert!(
            resp.text().contains("did not come from this site"),
            "{what}"
        );
        assert_eq!(app.status_of(case).await, "submitted", "{what}");
    }
    app.post_form(&path, Some(&caseworker), &[])
        .await
        .assert_status(303);
    assert_eq!(app.status_of(case).await, "under_review");

    // An application without the token is not saved.
    let before = exporter_cases(&app).await;
    let resp = app
        .post_raw_form(
            "/applications",
            Some(&exporter.cookie),
            &application_form(&[("action", "save")]),
        )
        .await;
    resp.assert_status(403);
    assert_eq!(exporter_cases(&app).await, before);

    // Nor is a user added, nor a session ended.
    let admin = app.login(&w.admin.email).await;
    let before = auth::list_users(&w.ctx, &w.admin).await.unwrap().len();
    app.post_raw_form(
        "/admin/users",
        Some(&admin.cookie),
        &[
            ("email", "mallory@ecju.test"),
            ("display_name", "Mallory"),
            ("role", "admin"),
            ("password", PASSWORD),
        ],
    )
    .await
    .assert_status(403);
    assert_eq!(
        auth::list_users(&w.ctx, &w.admin).await.unwrap().len(),
        before
    );
    app.post_raw_form("/logout", Some(&exporter.cookie), &[])
        .await
        .assert_status(403);
    app.get("/cases", Some(&exporter)).await.assert_status(200);
}
