//! Screening through the API.
use super::*;

/// Screening through the API (staff use it from their session): names screened in order with
/// explanations, every bad name named and nothing screened, a case's matches listed and one
/// resolved by a caseworker.
#[tokio::test]
async fn screening_names_and_resolving_a_match_through_the_api() {
    let app = TestApp::sqlite().await;
    let p = prepare(&app.world, "NO", At::Screened).await;
    let (match_id, _) = p.screening.clone().unwrap();
    let caseworker = app.login("caseworker@ecju.test").await;

    let r = app
        .api_post(
            "/api/v1/screen",
            Auth::Session(&caseworker),
            &json!({"names": [
                {"name": "Ministry of Defense", "kind": "entity"},
                {"name": "Acme Garden Furniture Ltd"}
            ]}),
        )
        .await;
    r.assert_status(200);
    let body = r.json();
    let results = body["results"].as_array().unwrap();
    assert_eq!(results.len(), 2);
    assert_eq!(results[0]["query"], "Ministry of Defense");
    let m = &results[0]["matches"][0];
    assert_eq!(
        (m["list"].as_str(), m["entry_id"].as_str()),
        (Some("test-list"), Some("T-1"))
    );
    assert!(
        m["explanation"].as_str().unwrap().contains("\"defense\""),
        "{m}"
    );
    assert_eq!(results[1]["matches"], json!([]));

    // Bad names: each named by its position; nothing screened.
    let r = app
        .api_post(
            "/api/v1/screen",
            Auth::Session(&caseworker),
            &json!({"names": [{"name": "   "}, {"name": "Acme", "kind": "robot"}]}),
        )
        .await;
    r.assert_status(422);
    assert_eq!(r.error_fields(), ["names[0]", "names[1]"]);
    let r = app
        .api_post(
            "/api/v1/screen",
            Auth::Session(&caseworker),
            &json!({"names": []}),
        )
        .await;
    r.assert_status(422);
    assert_eq!(r.error_fields(), ["names"]);
    let r = app
        .api_post(
            "/api/v1/screen",
            Auth::Session(&caseworker),
            &json!({"names": [{"name": "Acme"}], "threshold": 1.5}),
        )
        .await;
    assert_eq!(r.error_fields(), ["threshold"]);

    // The case's match, resolved once; a second resolution is a conflict.
    let path = format!("/api/v1/cases/{}/screening", p.case);
    let listed = app.api_get(&path, Auth::Session(&caseworker)).await;
    listed.assert_status(200);
    assert_eq!(listed.json()["matches"][0]["status"], "unresolved");
    let resolve = format!("{path}/{match_id}");
    let body =
        json!({"verdict": "false_positive", "reason": "A different ministry: another country's."});
    let r = app
        .api_post(&resolve, Auth::Session(&caseworker), &body)
        .await;
    r.assert_status(200);
    assert_eq!(r.json()["matches"][0]["status"], "false_positive");
    assert_eq!(
        r.json()["review"],
        json!(null),
        "a false positive opens no review"
    );
    app.api_post(&resolve, Auth::Session(&caseworker), &body)
        .await
        .assert_status(409);

    // The list versions, with the file's hash.
    let lists = app
        .api_get("/api/v1/screening/lists", Auth::Session(&caseworker))
        .await;
    lists.assert_status(200);
    assert_eq!(lists.json()["versions"][0]["list"], "test-list");
    assert_eq!(
        lists.json()["versions"][0]["sha256"]
            .as_str()
            .unwrap()
            .len(),
        64
    );
}
