//! The JSON API's behaviour: submitting applications with a token (on both databases), the
//! errors bad bodies get, and the public list of decisions.
#[path = "../support/mod.rs"]
mod support;

mod documents;
mod screening;

use axum::http::Method;
use probity_domain::{PartyInput, PartyRole};
use probity_service::advice::{self, AdviceInput};
use probity_service::decisions::{self, DecisionInput};
use probity_service::testing::{siel, Backend};
use probity_service::{applications, cases};
use serde_json::{json, Value};
use support::{application_json, prepare, At, Auth, TestApp};

fn is_reference(s: &str, prefix: &str) -> bool {
    let parts: Vec<&str> = s.split('/').collect();
    parts.len() == 3
        && parts[0] == prefix
        && parts[1] == "2026"
        && parts[2].len() == 7
        && parts[2].bytes().all(|b| b.is_ascii_digit())
}

#[tokio::test]
async fn an_exporters_system_submits_an_application_with_a_token_on_both_databases() {
    for backend in Backend::ALL {
        let app = TestApp::new(backend).await;
        let exporter = app.login(&app.world.exporter.email).await;
        let token = app.create_token(&exporter, "ERP integration").await;
        let rival = app.login(&app.world.other_exporter.email).await;
        let rival_token = app.create_token(&rival, "rival ERP").await;
        assert_eq!(app.case_count(Auth::Bearer(&token)).await, 0);

        let resp = app
            .api_post(
                "/api/v1/applications",
                Auth::Bearer(&token),
                &application_json("NO"),
            )
            .await;
        resp.assert_status(201);
        assert!(resp.content_type().starts_with("application/json"));
        let created = resp.json();
        let reference = created["reference"].as_str().expect("a reference");
        assert!(
            is_reference(reference, "GBSIEL"),
            "{backend:?}: {reference}"
        );
        let id = created["id"].as_str().expect("an id");

        // The case exists, as submitted, for the exporter and the officials ...
        let case = app
            .api_get(&format!("/api/v1/cases/{id}"), Auth::Bearer(&token))
            .await;
        case.assert_status(200);
        let case = case.json();
        assert_eq!(case["case"]["reference"], reference);
        assert_eq!(case["case"]["status"], "submitted");
        // Ratings are stored in their canonical form.
        assert_eq!(case["goods"][0]["ratings"], json!(["ML15.b"]));
        assert_eq!(case["parties"].as_array().map(Vec::len), Some(2));
        assert_eq!(app.case_count(Auth::Bearer(&token)).await, 1);
        // ... and not for another organisation.
        let hidden = app
            .api_get(&format!("/api/v1/cases/{id}"), Auth::Bearer(&rival_token))
            .await;
        hidden.assert_status(404);
        assert_eq!(hidden.error_code(), "not_found");
        assert_eq!(app.case_count(Auth::Bearer(&rival_token)).await, 0);

        // References count up.
        let second = app
            .api_post(
                "/api/v1/applications",
                Auth::Bearer(&token),
                &application_json("FR"),
            )
            .await;
        second.assert_status(201);
        let (a, b) = (reference, second.json()["reference"].clone());
        let n = |r: &str| r.rsplit('/').next().unwrap().parse::<u32>().unwrap();
        assert_eq!(n(b.as_str().unwrap()), n(a) + 1, "{backend:?}");
        assert_eq!(app.case_count(Auth::Bearer(&token)).await, 2);
    }
}

#[tokio::test]
async fn credentials_are_checked() {
    let app = TestApp::sqlite().await;
    let exporter = app.login(&app.world.exporter.email).await;
    let body = application_json("NO");
    for header in [
        "Bearer prb_not-a-real-token",
        "Bearer ",
        "Basic ZXhwb3J0ZXI6cGFzc3dvcmQ=",
        "prb_without_the_scheme",
    ] {
        let resp = app
            .request(
                Method::POST,
                "/api/v1/applications",
                None,
                &[
                    ("authorization", header),
                    ("content-type", "application/json"),
                ],
                body.to_string(),
            )
            .await;
        resp.assert_status(401);
        assert_eq!(resp.error_code(), "unauthenticated", "{header}");
    }
    // A page session may use the API, but its writes must carry the session's CSRF token.
    let without_csrf = app
        .request(
            Method::POST,
            "/api/v1/applications",
            Some(&exporter.cookie),
            &[("content-type", "application/json")],
            body.to_string(),
        )
        .await;
    without_csrf.assert_status(403);
    assert_eq!(without_csrf.error_code(), "csrf");
    let wrong_csrf = app
        .request(
            Method::POST,
            "/api/v1/applications",
            Some(&exporter.cookie),
            &[
                ("content-type", "application/json"),
                ("x-csrf-token", "forged"),
            ],
            body.to_string(),
        )
        .await;
    wrong_csrf.assert_status(403);
    assert_eq!(app.case_count(Auth::Session(&exporter)).await, 0);
    app.api_post("/api/v1/applications", Auth::Session(&exporter), &body)
        .await
        .assert_status(201);
    assert_eq!(app.case_count(Auth::Session(&exporter)).await, 1);
}

/// Post `body` as an application and return the 422 response, checking its JSON shape.
async fn rejected(app: &TestApp, token: &str, body: &Value) -> support::Resp {
    let resp = app
        .api_post("/api/v1/applications", Auth::Bearer(token), body)
        .await;
    resp.assert_status(422);
    assert!(resp.content_type().starts_with("application/json"));
    resp
}

#[tokio::test]
async fn bad_applications_get_422_naming_the_field_and_nothing_is_written() {
    let app = TestApp::sqlite().await;
    let session = app.login(&app.world.exporter.email).await;
    let token = app.create_token(&session, "ERP").await;
    let auth = Auth::Bearer(&token);

    // Malformed JSON.
    let resp = app
        .api(
            Method::POST,
            "/api/v1/applications",
            auth,
            Some("application/json"),
            r#"{"licence_type": "siel", "goods": ["#,
        )
        .await;
    resp.assert_status(422);
    assert_eq!(resp.error_code(), "bad_request");
    let message = resp.json()["error"]["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(message.contains("not valid JSON"), "{message}");

    // The right JSON with the wrong Content-Type, or none: 422 saying what to send.
    for content_type in [
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
        None,
    ] {
        let resp = app
            .api(
                Method::POST,
                "/api/v1/applications",
                auth,
                content_type,
                application_json("NO").to_string(),
            )
            .await;
        resp.assert_status(422);
        assert_eq!(resp.error_code(), "bad_request");
        let message = resp.json()["error"]["message"]
            .as_str()
            .unwrap()
            .to_string();
        assert!(
            message.contains("Content-Type: application/json"),
            "{content_type:?}: {message}"
        );
    }

    // JSON of the wrong shape.
    let resp = rejected(&app, &token, &json!({ "goods": "forty rifle scopes" })).await;
    assert_eq!(resp.error_code(), "bad_request");
    let message = resp.json()["error"]["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(message.contains("expected shape"), "{message}");

    // Field by field: (what is wrong, the change, the field named, a fragment of its message).
    type Change = fn(&mut Value);
    let table: &[(&str, Change, &str, &str)] = &[
        (
            "unknown rating",
            |a| a["goods"][0]["ratings"] = json!(["ML99"]),
            "goods[0].ratings[0]",
            "not on the control list",
        ),
        (
            "no end user",
            |a| {
                a["parties"].as_array_mut().unwrap().remove(0);
            },
            "parties",
            "end user",
        ),
        (
            "a country that is not a code",
            |a| a["parties"][0]["country"] = json!("Norway"),
            "parties[0].country",
            "two-letter",
        ),
        (
            "a code that is no country",
            |a| a["parties"][0]["country"] = json!("XX"),
            "parties[0].country",
            "XX",
        ),
        (
            "absurd value",
            |a| a["goods"][0]["value"] = json!("10000000000.01"),
            "goods[0].value",
            "maximum",
        ),
        (
            "negative value",
            |a| a["goods"][0]["value"] = json!("-5"),
            "goods[0].value",
            "negative",
        ),
        (
            "absurd quantity",
            |a| a["goods"][0]["quantity"] = json!("99999999999"),
            "goods[0].quantity",
            "at most",
        ),
    ];
    for (what, change, field, fragment) in table {
        let mut body = application_json("NO");
        change(&mut body);
        let resp = rejected(&app, &token, &body).await;
        assert_eq!(resp.error_code(), "validation_failed", "{what}");
        let fields = resp.error_fields();
        assert!(fields.iter().any(|f| f == field), "{what}: {fields:?}");
        let message = resp.field_message(field).unwrap_or_default();
        assert!(message.contains(fragment), "{what}: {message:?}");
    }

    // Several problems at once are all reported.
    let mut body = application_json("NO");
    body["goods"][0]["ratings"] = json!(["ML99"]);
    body["goods"][0]["value"] = json!("-5");
    body["end_use_statement"] = json!("");
    let fields = rejected(&app, &token, &body).await.error_fields();
    for f in ["goods[0].ratings[0]", "goods[0].value", "end_use_statement"] {
        assert!(fields.iter().any(|x| x == f), "{f} in {fields:?}");
    }

    assert_eq!(app.case_count(auth).await, 0, "nothing was written");
}

#[tokio::test]
async fn an_oversized_body_is_refused_with_413_and_nothing_is_written() {
    let app = TestApp::sqlite().await;
    let session = app.login(&app.world.exporter.email).await;
    let token = app.create_token(&session, "ERP").await;
    let mut body = application_json("NO");
    body["end_use_statement"] = json!("x".repeat(probity_web::MAX_BODY_BYTES + 1));
    let resp = app
        .api_post("/api/v1/applications", Auth::Bearer(&token), &body)
        .await;
    resp.assert_status(413);
    assert!(resp.content_type().starts_with("application/json"));
    let message = resp.json()["error"]["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(message.contains("too large"), "{message}");
    assert_eq!(app.case_count(Auth::Bearer(&token)).await, 0);

    // The same for a form.
    let big = "x".repeat(probity_web::MAX_BODY_BYTES + 1);
    let resp = app
        .post_form(
            "/applications",
            Some(&session),
            &[("licence_type", "siel"), ("end_use_statement", &big)],
        )
        .await;
    resp.assert_status(413);
    assert_eq!(app.case_count(Auth::Bearer(&token)).await, 0);
}

fn records(resp: &support::Resp) -> Vec<Value> {
    resp.assert_status(200);
    resp.json()["records"].as_array().expect("records").clone()
}

#[tokio::test]
async fn public_decisions_are_listed_newest_first_paginated_and_filterable() {
    let app = TestApp::sqlite().await;
    let w = &app.world;
    // Three decisions a day apart: NO granted, FR refused, NO granted.
    for (destination, at) in [
        ("NO", At::Granted),
        ("FR", At::Refused),
        ("NO", At::Granted),
    ] {
        prepare(w, destination, at).await;
        w.clock.advance(time::Duration::days(1));
    }

    let all = app.api_get("/api/v1/decisions", Auth::None).await;
    assert_eq!(all.json()["total"], 3);
    let list = records(&all);
    assert_eq!(list.len(), 3);
    let seqs: Vec<i64> = list.iter().map(|r| r["seq"].as_i64().unwrap()).collect();
    let mut sorted = seqs.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(seqs, sorted, "newest first");
    let dates: Vec<&str> = list
        .iter()
        .map(|r| r["decided_at"].as_str().unwrap())
        .collect();
    assert!(dates[0] > dates[1] && dates[1] > dates[2], "{dates:?}");
    assert_eq!(list[1]["kind"], "refusal");
    assert_eq!(list[1]["criteria"], json!(["2c"]));

    // Pages do not overlap and together give everything.
    let p1 = records(
        &app.api_get("/api/v1/decisions?page=1&per_page=2", Auth::None)
            .await,
    );
    let p2 = records(
        &app.api_get("/api/v1/decisions?page=2&per_page=2", Auth::None)
            .await,
    );
    let p3 = records(
        &app.api_get("/api/v1/decisions?page=3&per_page=2", Auth::None)
            .await,
    );
    assert_eq!((p1.len(), p2.len(), p3.len()), (2, 1, 0));
    let paged: Vec<i64> = p1
        .iter()
        .chain(&p2)
        .map(|r| r["seq"].as_i64().unwrap())
        .collect();
    assert_eq!(paged, seqs);

    // Filtered by destination (the code in either case, or the country's name).
    for code in ["FR", "fr", "France", "france"] {
        let resp = app
            .api_get(&format!("/api/v1/decisions?destination={code}"), Auth::None)
            .await;
        assert_eq!(resp.json()["total"], 1);
        let fr = records(&resp);
        assert_eq!(fr.len(), 1);
        assert_eq!(fr[0]["destinations"], json!(["FR"]));
    }
    let no = records(
        &app.api_get("/api/v1/decisions?destination=NO", Auth::None)
            .await,
    );
    assert_eq!(no.len(), 2);

    // A destination that names no country (or several) is a 422 naming the parameter.
    for bad in ["XX", "Narnia", "F1", "Korea"] {
        let resp = app
            .api_get(&format!("/api/v1/decisions?destination={bad}"), Auth::None)
            .await;
        resp.assert_status(422);
        assert_eq!(resp.error_code(), "validation_failed");
        assert_eq!(
            resp.error_fields(),
            vec!["destination".to_string()],
            "{bad}"
        );
    }
    // So is a page number that is not a number: JSON, like every API error.
    let resp = app
        .api_get("/api/v1/decisions?page=first", Auth::None)
        .await;
    resp.assert_status(422);
    assert_eq!(resp.error_code(), "bad_request");

    // One record, and a missing one.
    let one = app
        .api_get(&format!("/api/v1/decisions/{}", seqs[1]), Auth::None)
        .await;
    one.assert_status(200);
    assert_eq!(one.json()["kind"], "refusal");
    let missing = app.api_get("/api/v1/decisions/999999", Auth::None).await;
    missing.assert_status(404);
    assert_eq!(missing.error_code(), "not_found");
}

/// A decision on an open licence to several destinations is found under each of them, not
/// only under the first.
#[tokio::test]
async fn a_decision_is_found_under_each_of_its_destinations() {
    let app = TestApp::sqlite().await;
    let w = &app.world;
    let c = &w.ctx;
    let mut input = siel("DE");
    input.licence_type = "oiel".into();
    input.parties.push(PartyInput {
        role: PartyRole::UltimateEndUser,
        name: "Bundeswehr logistics".into(),
        address: "Koblenz".into(),
        country: "FR".into(),
        end_user_type: None,
    });
    let (id, _) = applications::submit_new(c, &w.exporter, &input)
        .await
        .expect("submit");
    cases::assign_to_self(c, &w.caseworker, id).await.unwrap();
    advice::request_advice(c, &w.caseworker, id, &[w.fcdo], "Please advise.")
        .await
        .unwrap();
    for destination in ["DE", "FR"] {
        let advice = AdviceInput {
            destination: destination.into(),
            kind: "approve".into(),
            proviso: String::new(),
            criteria: vec![],
            reasons: "No concerns under any criterion.".into(),
        };
        advice::give_advice(c, &w.fcdo_adviser, id, &advice)
            .await
            .unwrap();
    }
    advice::consolidate_final(c, &w.caseworker, id, "Consolidated advice.")
        .await
        .unwrap();
    decisions::submit_for_decision(c, &w.caseworker, id)
        .await
        .unwrap();
    let grant = DecisionInput {
        decision: probity_domain::DecisionKind::Grant,
        reasons: "Granted on the consolidated advice.".into(),
        ..Default::default()
    };
    decisions::finalise(c, &w.decision_maker, id, &grant)
        .await
        .unwrap();

    for code in ["DE", "FR"] {
        let list = records(
            &app.api_get(&format!("/api/v1/decisions?destination={code}"), Auth::None)
                .await,
        );
        assert_eq!(list.len(), 1, "filtering by {code}");
        assert_eq!(list[0]["destinations"], json!(["DE", "FR"]));
    }
}

/// Advice is internal until a decision is made, and a decision awaiting countersignature has
/// not been made: the exporter sees neither, through the API or on the case page.
#[tokio::test]
async fn exporters_see_neither_internal_advice_nor_undecided_decisions() {
    let app = TestApp::sqlite().await;
    let w = &app.world;
    let exporter = app.login(&w.exporter.email).await;
    let caseworker = app.login(&w.caseworker.email).await;
    let advice_reasons = "Consolidated from the FCDO advice.";
    let decision_reasons = "Decided on the consolidated advice and the case record.";
    for (at, secret) in [
        (At::FinalAdvice, advice_reasons),
        (At::AwaitingCountersign, decision_reasons),
    ] {
        let case = prepare(w, "NO", at).await.case;
        let path = format!("/api/v1/cases/{case}");
        // The officials see it ...
        let official = app.api_get(&path, Auth::Session(&caseworker)).await;
        official.assert_status(200);
        assert!(official.text().contains(secret), "{at:?}");
        let page = app.get(&format!("/cases/{case}"), Some(&caseworker)).await;
        assert!(page.text().contains(secret), "{at:?}");
        // ... the exporter does not.
        let own = app.api_get(&path, Auth::Session(&exporter)).await;
        own.assert_status(200);
        let body = own.json();
        assert!(!own.text().contains(secret), "{at:?}: {body}");
        for field in [
            "final_advice",
            "final_advice_reasons",
            "pending_decision",
            "pending_reasons",
            "pending_decided_by",
            "pending_decided_by_id",
        ] {
            assert!(
                body["case"][field].is_null(),
                "{at:?}: case.{field} shown to the exporter"
            );
        }
        assert!(body["advice"].is_null());
        let page = app.get(&format!("/cases/{case}"), Some(&exporter)).await;
        page.assert_status(200);
        assert!(
            !page.text().contains(secret),
            "{at:?}: on the exporter's case page"
        );
    }
}
