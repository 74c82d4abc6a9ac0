//! Licence and review pages: a licence not in force says so; a review's worklist keeps a bad
//! filter's page usable and filters by exporter.
use super::*;

/// A suspended licence says, on its page and in the API, that nothing may be shipped under
/// it; a licence in force says nothing of the kind.
#[tokio::test]
async fn a_licence_not_in_force_says_it_cannot_be_used() {
    let app = TestApp::sqlite().await;
    let w = &app.world;
    let suspended = prepare(w, "NO", At::Suspended).await.licence.unwrap();
    let issued = prepare(w, "NO", At::Granted).await.licence.unwrap();
    let exporter = app.login(&w.exporter.email).await;
    let page = app
        .get(&format!("/licences/{suspended}"), Some(&exporter))
        .await;
    page.assert_status(200);
    assert!(
        page.text().contains("nothing may be exported under it"),
        "{}",
        page.text()
    );
    let page = app
        .get(&format!("/licences/{issued}"), Some(&exporter))
        .await;
    assert!(!page.text().contains("nothing may be exported"));
    for (id, may) in [(suspended, false), (issued, true)] {
        let r = app
            .api(
                Method::GET,
                &format!("/api/v1/licences/{id}"),
                Auth::Session(&exporter),
                None,
                Body::empty(),
            )
            .await;
        r.assert_status(200);
        assert_eq!(r.json()["may_export"], may, "{}", r.text());
    }
}

/// A review's worklist keeps a bad filter's page usable: the error is said, nothing lost.
#[tokio::test]
async fn a_bad_worklist_filter_is_said_on_the_page() {
    let app = TestApp::sqlite().await;
    let w = &app.world;
    let review = prepare(w, "NO", At::Reviewed).await.review.unwrap();
    let dm = app.login(&w.decision_maker.email).await;
    let page = app
        .get(&format!("/reviews/{review}/work?status=maybe"), Some(&dm))
        .await;
    page.assert_status(422);
    assert!(
        page.text()
            .contains(r##"<a href="#status">Status: choose pending, decided"##),
        "{}",
        page.text()
    );
    // The licence is still listed under the cleared filter.
    assert!(page.text().contains("rating ML15"), "{}", page.text());
    // The exporter filter lists the review's exporters; one that is not an id is said.
    let org = w.exporter.organisation_id.unwrap();
    let listed = app.get(&format!("/reviews/{review}/work"), Some(&dm)).await;
    assert!(
        listed.text().contains(&format!(r#"<option value="{org}""#)),
        "{}",
        listed.text()
    );
    let theirs = app
        .get(
            &format!("/reviews/{review}/work?organisation={org}"),
            Some(&dm),
        )
        .await;
    theirs.assert_status(200);
    assert!(
        theirs.text().contains("1 licence match the filter"),
        "{}",
        theirs.text()
    );
    let bad = app
        .get(
            &format!("/reviews/{review}/work?organisation=acme"),
            Some(&dm),
        )
        .await;
    bad.assert_status(422);
    assert!(bad.text().contains("Organisation: choose an exporter"));
    // A bulk action without a reason keeps the worklist and says what is missing.
    let r = app
        .post_form(
            &format!("/reviews/{review}/outcomes"),
            Some(&dm),
            &[
                ("outcome", "suspend"),
                ("reason", ""),
                ("apply_to", "filter"),
            ],
        )
        .await;
    r.assert_status(422);
    assert!(
        r.text().contains(r##"<a href="#reason">Reason: "##),
        "{}",
        r.text()
    );
}
