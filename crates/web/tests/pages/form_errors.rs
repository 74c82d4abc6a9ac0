//! A failed form on the case page, as GOV.UK's error pattern has it: the title starts with
//! "Error:", each problem is a plain sentence linked to its field, nothing is chosen for the
//! user, and what was typed is still there.
use super::*;

#[tokio::test]
async fn a_failed_form_says_what_to_fix_and_keeps_what_was_typed() {
    let app = TestApp::sqlite().await;
    let w = &app.world;

    // The caseworker forgets to choose a team; the note survives.
    let p = prepare(w, "NO", At::UnderReview).await;
    let caseworker = app.login("caseworker@ecju.test").await;
    let note = "Please look closely at the end user's <parent> company.";
    let r = app
        .post_form(
            &format!("/cases/{}/advice-request", p.case),
            Some(&caseworker),
            &[("note", note)],
        )
        .await;
    r.assert_status(422);
    let html = r.text();
    assert!(html.contains("<title>Error: "), "{html}");
    assert!(
        html.contains(r##"<a href="#req-teams">Choose at least one advisory team</a>"##),
        "{html}"
    );
    assert!(
        html.contains(r#"id="req-teams""#),
        "the link has a target: {html}"
    );
    assert!(
        html.contains(
            r#"value="Please look closely at the end user&#39;s &#60;parent&#62; company.""#
        ),
        "{html}"
    );

    // The decision-maker writes reasons and ticks a criterion but chooses no decision.
    let p = prepare(w, "NO", At::UnderFinalReview).await;
    let dm = app.login("dm@ecju.test").await;
    let case = format!("/cases/{}", p.case);
    let html = app.get(&case, Some(&dm)).await.text();
    assert!(!html.contains(r#"name="decision" value="grant" checked"#));
    assert!(!html.contains("<title>Error: "));
    let reasons = "The end user's record under criterion 7 weighs against a grant.";
    let r = app
        .post_form(
            &format!("/cases/{}/finalise", p.case),
            Some(&dm),
            &[("reasons", reasons), ("criteria", "7a")],
        )
        .await;
    r.assert_status(422);
    let html = r.text();
    assert!(
        html.contains(r##"<a href="#dec-decision">Choose a decision: grant a licence, refuse, or no licence required</a>"##),
        "{html}"
    );
    assert!(html.contains(r#"id="dec-decision""#), "{html}");
    assert!(
        html.contains("weighs against a grant.</textarea>"),
        "{html}"
    );
    assert!(html.contains(r#"value="7a" checked"#), "{html}");
    assert!(!html.contains(r#"name="decision" value="grant" checked"#));
}
