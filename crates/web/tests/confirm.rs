//! Irreversible actions are confirmed on a page of their own (GOV.UK "check before you
//! confirm"): the first post shows what will happen and who will see it and changes nothing;
//! only the post from the confirm button acts. Reasons are checked before that page, NUL in
//! any text is a 422 field error, and a caseworker is offered "take over" on a colleague's case.
mod support;

use probity_domain::LicenceStatus;
use probity_service::licences;
use serde_json::json;
use support::*;

const REASON: &str = "The customer cancelled the order last week.";

fn assert_confirmation(resp: &Resp, csrf: &str, says: &[&str]) {
    resp.assert_status(200);
    let html = resp.text();
    for s in ["What will happen", "Who will see it", "cannot be undone"]
        .iter()
        .chain(says)
    {
        assert!(
            html.contains(s),
            "the confirmation page lacks {s:?}: {html}"
        );
    }
    assert!(html.contains(r#"name="confirm" value="yes""#), "{html}");
    assert!(
        html.contains(csrf),
        "the confirm form carries the CSRF token"
    );
}

async fn licence_status(app: &TestApp, id: probity_domain::LicenceId) -> LicenceStatus {
    licences::get(&app.world.ctx, &app.world.oversight, id)
        .await
        .expect("licence")
        .0
        .status
}

#[tokio::test]
async fn withdrawing_asks_for_confirmation_first() {
    let app = TestApp::sqlite().await;
    let p = prepare(&app.world, "NO", At::Submitted).await;
    let path = format!("/cases/{}/withdraw", p.case);
    let exporter = app.login("exporter@acme.test").await;

    // Too short a reason: the case page again with the error, no confirmation page.
    let short = app
        .post_form(&path, Some(&exporter), &[("reason", "Changed plans.")])
        .await;
    short.assert_status(422);
    assert!(short.text().contains("at least 20 characters"));

    let first = app
        .post_form(&path, Some(&exporter), &[("reason", REASON)])
        .await;
    assert_confirmation(
        &first,
        &exporter.csrf,
        &[REASON, "Nothing is published in the public register"],
    );
    assert_eq!(app.status_of(p.case).await, "submitted");

    // Others are refused at the first step, as they would be at the second.
    let rival = app.login("exporter@rival.test").await;
    app.post_form(&path, Some(&rival), &[("reason", REASON)])
        .await
        .assert_status(404);
    let caseworker = app.login("caseworker@ecju.test").await;
    app.post_form(&path, Some(&caseworker), &[("reason", REASON)])
        .await
        .assert_status(403);

    let confirmed = app
        .post_form(
            &path,
            Some(&exporter),
            &[("reason", REASON), ("confirm", "yes")],
        )
        .await;
    confirmed.assert_status(303);
    assert_eq!(app.status_of(p.case).await, "withdrawn");
}

#[tokio::test]
async fn a_refusal_is_confirmed_but_a_grant_on_the_advice_is_not() {
    let app = TestApp::sqlite().await;
    let refuse = prepare(&app.world, "NO", At::UnderFinalReview).await;
    let dm = app.login("dm@ecju.test").await;
    let path = format!("/cases/{}/finalise", refuse.case);
    let fields = [
        ("decision", "refuse"),
        ("criteria", "2c"),
        (
            "reasons",
            "A clear risk of diversion to an embargoed end user.",
        ),
        (
            "conflict_resolution",
            "The FCDO view is outweighed by new intelligence on the end user.",
        ),
    ];
    let first = app.post_form(&path, Some(&dm), &fields).await;
    assert_confirmation(
        &first,
        &dm.csrf,
        &[
            "refusal notice",
            "public record of the refusal will be published in the register",
            "departs from the final advice",
            "new intelligence on the end user",
        ],
    );
    assert_eq!(app.status_of(refuse.case).await, "under_final_review");
    let mut confirmed = fields.to_vec();
    confirmed.push(("confirm", "yes"));
    app.post_form(&path, Some(&dm), &confirmed)
        .await
        .assert_status(303);
    assert_eq!(app.status_of(refuse.case).await, "finalised");

    // A blocked decision is refused before any confirmation.
    let other = prepare(&app.world, "NO", At::UnderFinalReview).await;
    let blocked = app
        .post_form(
            &format!("/cases/{}/finalise", other.case),
            Some(&dm),
            &[
                ("decision", "refuse"),
                ("criteria", "2c"),
                ("reasons", "Too short."),
            ],
        )
        .await;
    blocked.assert_status(409);
    assert!(!blocked.text().contains("What will happen"));

    // A grant that follows the advice acts at once.
    app.post_form(
        &format!("/cases/{}/finalise", other.case),
        Some(&dm),
        &[
            ("decision", "grant"),
            ("reasons", "Granted on the consolidated advice."),
        ],
    )
    .await
    .assert_status(303);
    assert_eq!(app.status_of(other.case).await, "finalised");
}

#[tokio::test]
async fn licence_actions_that_cannot_be_undone_are_confirmed() {
    let app = TestApp::sqlite().await;
    let dm = app.login("dm@ecju.test").await;
    let exporter = app.login("exporter@acme.test").await;
    let reason = "The end user has been listed for diversion.";
    for (action, session, says, after) in [
        (
            "suspend",
            &dm,
            "public record of the suspension, including your reason",
            LicenceStatus::Suspended,
        ),
        (
            "revoke",
            &dm,
            "it cannot be reinstated",
            LicenceStatus::Revoked,
        ),
        (
            "surrender",
            &exporter,
            "your reason is not published",
            LicenceStatus::Surrendered,
        ),
    ] {
        let p = prepare(&app.world, "NO", At::Granted).await;
        let id = p.licence.expect("licence");
        let path = format!("/licences/{id}/{action}");
        let first = app
            .post_form(&path, Some(session), &[("reason", reason)])
            .await;
        assert_confirmation(&first, &session.csrf, &[says, reason]);
        assert_eq!(licence_status(&app, id).await, LicenceStatus::Issued);
        app.post_form(
            &path,
            Some(session),
            &[("reason", reason), ("confirm", "yes")],
        )
        .await
        .assert_status(303);
        assert_eq!(licence_status(&app, id).await, after, "{action}");
    }
    // The first step refuses whoever the second would: the wrong role, another organisation.
    let p = prepare(&app.world, "NO", At::Granted).await;
    let id = p.licence.expect("licence");
    app.post_form(
        &format!("/licences/{id}/suspend"),
        Some(&exporter),
        &[("reason", reason)],
    )
    .await
    .assert_status(403);
    let rival = app.login("exporter@rival.test").await;
    app.post_form(
        &format!("/licences/{id}/surrender"),
        Some(&rival),
        &[("reason", reason)],
    )
    .await
    .assert_status(404);
    let short = app
        .post_form(
            &format!("/licences/{id}/revoke"),
            Some(&dm),
            &[("reason", "Risk.")],
        )
        .await;
    short.assert_status(422);
    assert!(!short.text().contains("What will happen"));
    assert_eq!(licence_status(&app, id).await, LicenceStatus::Issued);
    // The licence page offers only what the lifecycle allows: no reinstating an issued licence.
    let p = prepare(&app.world, "NO", At::Granted).await;
    let id = p.licence.expect("licence");
    let page = app.get(&format!("/licences/{id}"), Some(&dm)).await.text();
    assert!(page.contains("/suspend") && page.contains("/revoke"));
    assert!(!page.contains("/reinstate"));
}

#[tokio::test]
async fn nul_in_text_is_a_field_error_not_a_server_error() {
    let app = TestApp::sqlite().await;
    let exporter = app.login("exporter@acme.test").await;
    let token = app.create_token(&exporter, "script").await;
    let mut body = application_json("NO");
    body["end_use_statement"] = json!("For border patrols\u{0} at night.");
    let resp = app
        .api_post("/api/v1/applications", Auth::Bearer(&token), &body)
        .await;
    resp.assert_status(422);
    assert_eq!(resp.error_fields(), vec!["end_use_statement".to_string()]);
    let p = prepare(&app.world, "NO", At::Submitted).await;
    let resp = app
        .post_form(
            &format!("/cases/{}/withdraw", p.case),
            Some(&exporter),
            &[("reason", "The customer\u{0} cancelled the order.")],
        )
        .await;
    resp.assert_status(422);
    assert!(resp.text().contains("control character"));
    let resp = app
        .api_post(
            &format!("/api/v1/cases/{}/withdraw", p.case),
            Auth::Bearer(&token),
            &json!({ "reason": "The customer\u{0} cancelled the order." }),
        )
        .await;
    resp.assert_status(422);
    assert_eq!(resp.error_fields(), vec!["reason".to_string()]);
    // The API acts without a confirmation page, but still needs the reason.
    let resp = app
        .api_post(
            &format!("/api/v1/cases/{}/withdraw", p.case),
            Auth::Bearer(&token),
            &json!({ "reason": "" }),
        )
        .await;
    resp.assert_status(422);
    app.api_post(
        &format!("/api/v1/cases/{}/withdraw", p.case),
        Auth::Bearer(&token),
        &json!({ "reason": REASON }),
    )
    .await
    .assert_status(200);
    assert_eq!(app.status_of(p.case).await, "withdrawn");
}

#[tokio::test]
async fn a_colleagues_case_is_offered_for_take_over_not_for_work() {
    let app = TestApp::sqlite().await;
    app.world.colleague_caseworker("colleague@ecju.test").await;
    let p = prepare(&app.world, "NO", At::UnderReview).await;
    let colleague = app.login("colleague@ecju.test").await;
    let page = app
        .get(&format!("/cases/{}", p.case), Some(&colleague))
        .await
        .text();
    assert!(page.contains("Take over this case"), "{page}");
    assert!(!page.contains("Send question"), "{page}");
    let ask = app
        .post_form(
            &format!("/cases/{}/ask", p.case),
            Some(&colleague),
            &[("body", "Please send the end-user undertaking.")],
        )
        .await;
    ask.assert_status(403);
    assert!(
        ask.text().contains("assigned to caseworker"),
        "{}",
        ask.text()
    );
    app.post_form(&format!("/cases/{}/assign", p.case), Some(&colleague), &[])
        .await
        .assert_status(303);
    let page = app
        .get(&format!("/cases/{}", p.case), Some(&colleague))
        .await
        .text();
    assert!(page.contains("Send question"), "{page}");
    let history = app
        .get(&format!("/cases/{}/history", p.case), Some(&colleague))
        .await
        .text();
    // In words, with the data behind it one click away.
    assert!(
        history.contains("Case taken over from a colleague"),
        "{history}"
    );
    assert!(
        history.contains("<summary>Show data</summary>"),
        "{history}"
    );
}
