//! The public register as the public reads it: filtered by a country's name or code, with
//! country names and criterion titles; a filter that names no country (or several) is
//! explained on the same page, with the navigation (status 422), never a bare error page.
use super::*;

#[tokio::test]
async fn the_register_filters_by_country_name_and_explains_a_bad_filter() {
    let app = TestApp::sqlite().await;
    let w = &app.world;
    prepare(w, "NO", At::Granted).await;
    prepare(w, "FR", At::Granted).await;

    for typed in ["Norway", "norway", "NO"] {
        let r = app
            .get(&format!("/register/decisions?destination={typed}"), None)
            .await;
        r.assert_status(200);
        let html = r.text();
        assert!(
            html.contains("1 record with Norway (NO) as a destination"),
            "{typed}: {html}"
        );
        assert!(html.contains("<td>Norway (NO)</td>"), "{html}");
        assert!(!html.contains("France (FR)</td>"), "{html}");
    }

    // Two countries start with "Korea": both are offered, and the list is not filtered.
    let r = app.get("/register/decisions?destination=Korea", None).await;
    r.assert_status(422);
    let html = r.text();
    assert!(html.contains("<title>Error: "), "{html}");
    assert!(
        html.contains(r#"aria-label="Main""#),
        "the navigation is there: {html}"
    );
    assert!(
        html.contains(r#"<a href="/register/decisions?destination=KR">"#),
        "{html}"
    );
    assert!(
        html.contains(r#"<a href="/register/decisions?destination=KP">"#),
        "{html}"
    );
    assert!(html.contains("2 records, newest first"), "{html}");

    let r = app
        .get("/register/decisions?destination=Narnia", None)
        .await;
    r.assert_status(422);
    let html = r.text();
    assert!(
        html.contains("there is no country called “Narnia”"),
        "{html}"
    );
    assert!(
        html.contains(r#"value="Narnia""#),
        "what was typed is kept: {html}"
    );
}
