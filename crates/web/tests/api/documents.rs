//! Supporting documents through the API: an exporter's system lists a case's documents,
//! answers a caseworker's request with a file in base64 (checked by content as on the page),
//! and downloads it; other organisations see nothing.
use base64::Engine;
use serde_json::json;

use super::support::{prepare, At, Auth, TestApp};

const PDF: &[u8] = b"%PDF-1.4\nData sheet: 640x512 microbolometer.";

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

#[tokio::test]
async fn a_request_is_answered_with_a_file_through_the_api() {
    let app = TestApp::sqlite().await;
    let case = prepare(&app.world, "NO", At::UnderReview).await.case;
    let exporter = app.login(&app.world.exporter.email).await;
    let token = app.create_token(&exporter, "ERP").await;
    let caseworker = app.login(&app.world.caseworker.email).await;
    let docs = format!("/api/v1/cases/{case}/documents");

    // The fixture's undertaking is listed with its digest.
    let list = app.api_get(&docs, Auth::Bearer(&token)).await;
    list.assert_status(200);
    let list = list.json();
    assert_eq!(
        list["documents"][0]["document_kind"],
        "end_user_undertaking"
    );
    assert_eq!(list["documents"][0]["sha256"].as_str().unwrap().len(), 64);

    let asked = app
        .api_post(
            &format!("/api/v1/cases/{case}/document-requests"),
            Auth::Session(&caseworker),
            &json!({ "document_kind": "technical_specification", "note": "Please send the data sheet." }),
        )
        .await;
    asked.assert_status(201);
    let request = asked.json()["number"].as_i64().unwrap();

    // Bad files are refused by field, and nothing is stored.
    let bad = app
        .api_post(
            &docs,
            Auth::Bearer(&token),
            &json!({ "request": request, "name": "sheet.pdf", "content_base64": "not base64!" }),
        )
        .await;
    bad.assert_status(422);
    assert_eq!(bad.error_fields(), vec!["content_base64"]);
    let bad = app
        .api_post(&docs, Auth::Bearer(&token), &json!({ "request": request, "name": "sheet.pdf", "content_base64": b64(b"MZ\x90\x00") }))
        .await;
    bad.assert_status(422);
    assert_eq!(bad.error_fields(), vec!["file"]);

    let given = app
        .api_post(
            &docs,
            Auth::Bearer(&token),
            &json!({ "request": request, "name": "sheet.pdf", "content_base64": b64(PDF) }),
        )
        .await;
    given.assert_status(201);
    let href = given.json()["href"].as_str().unwrap().to_string();
    let list = app.api_get(&docs, Auth::Session(&caseworker)).await.json();
    assert_eq!(list["documents"].as_array().unwrap().len(), 2);
    assert_eq!(list["requests"][0]["fulfilled_by"], given.json()["number"]);
    assert_eq!(
        list["documents"][1]["document_kind"],
        "technical_specification"
    );

    let file = app.api_get(&href, Auth::Session(&caseworker)).await;
    file.assert_status(200);
    assert_eq!(file.body.as_slice(), PDF);
    assert_eq!(file.content_type(), "application/pdf");

    // Another organisation's system sees none of it.
    let rival = app.login(&app.world.other_exporter.email).await;
    let rival_token = app.create_token(&rival, "rival ERP").await;
    app.api_get(&docs, Auth::Bearer(&rival_token))
        .await
        .assert_status(404);
    app.api_get(&href, Auth::Bearer(&rival_token))
        .await
        .assert_status(404);
    let again = app
        .api_post(
            &docs,
            Auth::Bearer(&rival_token),
            &json!({ "document_kind": "other", "name": "x.txt", "content_base64": b64(b"x") }),
        )
        .await;
    again.assert_status(404);
}
