//! Requests past the end of what exists are plain "not found" or field errors, never a 500.
mod support;

use support::*;

#[tokio::test]
async fn paging_past_sane_bounds_is_422() {
    let app = TestApp::sqlite().await;
    for path in [
        "/api/v1/decisions?page=100001",
        "/api/v1/decisions?per_page=501",
        "/api/v1/decisions?page=9223372036854775807&per_page=500",
    ] {
        let resp = app.api_get(path, Auth::None).await;
        resp.assert_status(422);
        assert_eq!(resp.error_code(), "validation_failed", "{path}");
    }
    let resp = app
        .get("/register/decisions?page=9223372036854775807", None)
        .await;
    resp.assert_status(422);
    assert!(
        resp.text().contains("between 1 and 100000"),
        "{}",
        resp.text()
    );
    let cw = app.login("caseworker@ecju.test").await;
    let r = app
        .get("/cases?queue=new&page=9223372036854775807", Some(&cw))
        .await;
    r.assert_status(422);
    // The whole page says so, with the navigation and the first page of the list.
    assert!(r.text().contains("between 1 and 100000"), "{}", r.text());
    assert!(r.text().contains(r#"aria-label="Main""#));
}

#[tokio::test]
async fn a_register_index_past_the_end_is_404() {
    let app = TestApp::sqlite().await;
    // No register yet: nothing to prove.
    for index in ["0", "5", "18446744073709551615"] {
        let resp = app.get(&format!("/register/proof/{index}"), None).await;
        resp.assert_status(404);
        assert!(resp.text().ends_with('\n'), "a plain-text answer");
    }
}

#[tokio::test]
async fn disclosing_an_entry_past_the_end_is_404() {
    let app = TestApp::sqlite().await;
    let oversight = app.login("oversight@oversight.test").await;
    for index in ["7", "9223372036854775808", "18446744073709551615"] {
        let resp = app
            .post_form(
                "/oversight/openings",
                Some(&oversight),
                &[
                    ("index", index),
                    ("field", ""),
                    ("reason", "Committee inquiry into exports"),
                ],
            )
            .await;
        resp.assert_status(404);
    }
}
