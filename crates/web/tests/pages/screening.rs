//! Screening on the pages: a policy user uploads a list (a bad file refused naming the line,
//! nothing loaded; a good one shown with what it added); the re-screen finds the case's end
//! user; the caseworker sees the match and its explanation and resolves it with a reason;
//! the decision-maker is offered the refusal a true match calls for.
use super::*;
use probity_service::screening;

const LIST: &[u8] = b"id,name,kind,country\nW-1,Ministry of Defence,entity,\n";

/// Policy loads LIST directly (no upload) and everything in scope is re-screened.
async fn load_and_rescreen(w: &probity_service::testing::World) {
    let report = screening::load_list(
        &w.ctx,
        Some(&w.policy),
        probity_screening::ListKind::Other("watch".into()),
        "watch.csv",
        LIST.to_vec(),
        probity_screening::BadLines::Refuse,
    )
    .await
    .unwrap();
    screening::rescreen_all(
        &w.ctx,
        probity_domain::screening::RescreenReason::ListUpdate,
        Some(&report.version_id),
        &mut |_, _| {},
    )
    .await
    .unwrap();
}

/// The caseworker finds the case's (only) match to be the listed ministry.
async fn resolve_as_true_match(w: &probity_service::testing::World, case: CaseId) {
    let m = screening::matches_of_case(&w.ctx, &w.caseworker, &case.to_string())
        .await
        .unwrap()
        .remove(0);
    screening::resolve(
        &w.ctx,
        &w.caseworker,
        &case.to_string(),
        &m.id,
        "true_match",
        "The listed entry is this ministry: same address.",
    )
    .await
    .unwrap();
}

/// Wait for the background re-screen the upload started to finish.
async fn rescreened(app: &TestApp) {
    for _ in 0..200 {
        let (_, runs) = screening::overview(&app.world.ctx, &app.world.policy)
            .await
            .unwrap();
        if runs.first().is_some_and(|r| r.finished_at.is_some()) {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    panic!("the re-screen did not finish");
}

#[tokio::test]
async fn a_list_upload_rescreens_and_the_caseworker_resolves_the_match() {
    let app = TestApp::sqlite().await;
    let p = prepare(&app.world, "NO", At::UnderReview).await;
    let policy = app.login("policy@ecju.test").await;
    let fields = [("list", "csv"), ("name", "watch")];

    // A file with a row without a name: refused naming the line; nothing loaded.
    let bad = app
        .post_multipart(
            "/screening/lists",
            Some(&policy),
            &fields,
            &[("file", "watch.csv", b"id,name\nW-1,Arms Broker\nW-2,\n")],
        )
        .await;
    bad.assert_status(422);
    let html = bad.text();
    assert!(html.contains("line 3"), "{html}");
    assert!(html.contains("Nothing was loaded."), "{html}");
    assert!(
        html.contains(r#"value="watch""#),
        "the name is kept: {html}"
    );
    let (versions, _) = screening::overview(&app.world.ctx, &app.world.policy)
        .await
        .unwrap();
    assert!(versions.is_empty());

    // A caseworker may read the lists but not load one.
    let caseworker = app.login("caseworker@ecju.test").await;
    app.get("/screening/lists", Some(&caseworker))
        .await
        .assert_status(200);
    app.post_multipart(
        "/screening/lists",
        Some(&caseworker),
        &fields,
        &[("file", "watch.csv", LIST)],
    )
    .await
    .assert_status(403);

    let loaded = app
        .post_multipart(
            "/screening/lists",
            Some(&policy),
            &fields,
            &[("file", "watch.csv", LIST)],
        )
        .await;
    loaded.assert_status(303);
    let version = loaded.location().unwrap().to_owned();
    let page = app.get(&version, Some(&caseworker)).await;
    page.assert_status(200);
    assert!(page.text().contains("W-1"), "{}", page.text());
    rescreened(&app).await;

    // The case page shows the match, why, and the form to resolve it.
    let case = format!("/cases/{}", p.case);
    let html = app.get(&case, Some(&caseworker)).await.text();
    assert!(html.contains("Screening matches"), "{html}");
    assert!(html.contains("watch entry W-1"), "{html}");
    assert!(
        html.contains("The case cannot be decided until every match is resolved."),
        "{html}"
    );
    let m = screening::matches_of_case(&app.world.ctx, &app.world.caseworker, &p.case.to_string())
        .await
        .unwrap()
        .remove(0);
    let shown = m.explanation.replace('"', "&#34;");
    assert!(html.contains(&shown), "{shown} in {html}");

    // The worklist of every unresolved match names the case; none is on a licence in force.
    let list = app.get("/screening/matches", Some(&caseworker)).await;
    list.assert_status(200);
    let reference = reference(&app, p.case).await;
    assert!(list.text().contains(&reference), "{}", list.text());
    assert!(list
        .text()
        .contains("1 match is not yet resolved, 0 of them"));
    let licensed = app
        .get("/screening/matches?scope=licences", Some(&caseworker))
        .await;
    assert!(licensed.text().contains("Nothing to resolve."));
    app.get("/screening/matches?scope=everything", Some(&caseworker))
        .await
        .assert_status(422);

    // No reason: refused, nothing resolved.
    let action = format!("/cases/{}/screening/{}", p.case, m.id);
    let r = app
        .post_form(&action, Some(&caseworker), &[("verdict", "true_match")])
        .await;
    r.assert_status(422);
    let done = app
        .post_form(
            &action,
            Some(&caseworker),
            &[
                ("verdict", "true_match"),
                ("reason", "The listed entry is this ministry: same address."),
            ],
        )
        .await;
    done.assert_status(303);
    let html = app.get(&case, Some(&caseworker)).await.text();
    assert!(html.contains("True match"), "{html}");
    assert!(!html.contains("The case cannot be decided until"), "{html}");
    // A second resolution is told the first.
    let again = app
        .post_form(
            &action,
            Some(&caseworker),
            &[
                ("verdict", "false_positive"),
                ("reason", "A different ministry after all, on reflection."),
            ],
        )
        .await;
    again.assert_status(409);
    assert!(again.text().contains("already resolved as true match"));
}

#[tokio::test]
async fn the_decision_maker_is_offered_the_refusal_a_true_match_calls_for() {
    let app = TestApp::sqlite().await;
    let w = &app.world;
    let p = prepare(w, "NO", At::UnderFinalReview).await;
    let case = format!("/cases/{}", p.case);
    let dm = app.login("dm@ecju.test").await;
    // Without a match, nothing is chosen for the decision-maker.
    let html = app.get(&case, Some(&dm)).await.text();
    assert!(!html.contains(r#"id="listed-parties""#));
    assert!(
        !html.contains(r#"name="decision" value="grant" checked"#),
        "{html}"
    );

    load_and_rescreen(w).await;
    resolve_as_true_match(w, p.case).await;

    let html = app.get(&case, Some(&dm)).await.text();
    assert!(html.contains(r#"id="listed-parties""#), "{html}");
    // The refusal is offered (its criterion and reason filled in), never chosen for them.
    assert!(!html.contains(r#"value="refuse" checked"#), "{html}");
    assert!(html.contains(r#"value="1" checked"#), "{html}");
    let reason = "The end user Ministry of Defence is listed on the watch list (entry W-1)";
    assert!(html.contains(reason), "{html}");
    // A grant posted anyway is refused with the reason.
    let r = app
        .post_form(
            &format!("/cases/{}/finalise", p.case),
            Some(&dm),
            &[
                ("decision", "grant"),
                (
                    "reasons",
                    "Decided on the consolidated advice and the case.",
                ),
            ],
        )
        .await;
    assert!(
        r.text()
            .contains("A licence cannot be granted: 1 party is a true match"),
        "{}",
        r.text()
    );
}

/// A list update that names a licensed party: the licence shows up on the worklist's tab of
/// licences in force, its page says a match is waiting, and once the caseworker finds it a
/// true match the licence is in a screening review, which its page links to and which the
/// public sees by the listed entry.
#[tokio::test]
async fn a_match_on_a_licence_in_force_is_worked_from_the_licence() {
    let app = TestApp::sqlite().await;
    let w = &app.world;
    let p = prepare(w, "NO", At::Granted).await;
    let licence = format!("/licences/{}", p.licence.unwrap());
    let dm = app.login("dm@ecju.test").await;
    let html = app.get(&licence, Some(&dm)).await.text();
    assert!(!html.contains("screening-pending") && !html.contains("listed-party"));

    load_and_rescreen(w).await;
    let caseworker = app.login("caseworker@ecju.test").await;
    let tab = app
        .get("/screening/matches?scope=licences", Some(&caseworker))
        .await
        .text();
    assert!(tab.contains(&format!(r#"<a href="{licence}">"#)), "{tab}");
    let html = app.get(&licence, Some(&dm)).await.text();
    assert!(html.contains("1 screening match is waiting"), "{html}");

    let m = screening::matches_of_case(&w.ctx, &w.caseworker, &p.case.to_string())
        .await
        .unwrap()
        .remove(0);
    let done = app
        .post_form(
            &format!("/cases/{}/screening/{}", p.case, m.id),
            Some(&caseworker),
            &[
                ("verdict", "true_match"),
                ("reason", "The listed entry is this ministry: same address."),
            ],
        )
        .await;
    done.assert_status(303);
    let back = done.location().unwrap().to_owned();
    assert!(back.contains("licence-put-under-review"), "{back}");
    let html = app.get(&back, Some(&caseworker)).await.text();
    assert!(
        html.contains("screening match resolved and the licence put under review"),
        "{html}"
    );

    let html = app.get(&licence, Some(&dm)).await.text();
    assert!(html.contains(r#"id="listed-party""#), "{html}");
    assert!(html.contains("record its outcome there"), "{html}");
    let review = probity_service::licences::reviews_of(&w.ctx, &w.caseworker, p.licence.unwrap())
        .await
        .unwrap()
        .remove(0);
    let work = format!("/reviews/{}/work", review.review_id);
    assert!(html.contains(&format!(r#"<a href="{work}">"#)), "{html}");
    let worklist = app.get(&work, Some(&dm)).await;
    worklist.assert_status(200);
    assert!(worklist.text().contains("Listed entry: parties resolved as true matches for Ministry of Defence (entry W-1 of the watch list)"), "{}", worklist.text());
    // The public page: the listed entry, never a scope rule.
    let public = app
        .get(&format!("/reviews/{}", review.review_id), None)
        .await;
    public.assert_status(200);
    let text = public.text();
    assert!(text.contains("<dt>Listed entry</dt>"), "{text}");
    assert!(text.contains("screening review"), "{text}");
}
