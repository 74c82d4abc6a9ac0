//! The case header tells each viewer where the case stands and their next step in a sentence,
//! and links only to the forms of the actions open to them now (each link lands on its form);
//! once decided, the case page shows the outcome: the decision, the licence and the register
//! record it became.
use super::*;

/// Every `href="#…"` in the header's actions names an element on the page.
fn header_links_land(html: &str) -> Vec<String> {
    let Some(start) = html.find(r#"id="next-step""#) else {
        return Vec::new();
    };
    let end = html[start..]
        .find("</div>")
        .map_or(html.len(), |e| start + e);
    let mut anchors = Vec::new();
    for part in html[start..end].split(r##"href="#"##).skip(1) {
        let id = part.split('"').next().unwrap_or_default().to_string();
        assert!(
            html.contains(&format!(r#"id="{id}""#)),
            "the header links to #{id}, which is not on the page"
        );
        anchors.push(id);
    }
    anchors
}

#[tokio::test]
async fn each_viewer_is_told_the_next_step_and_offered_only_what_they_can_do() {
    let app = TestApp::sqlite().await;
    let w = &app.world;
    let mut seen = 0;
    for at in [
        At::Submitted,
        At::UnderReview,
        At::AwaitingExporter,
        At::Referred,
        At::Advised,
        At::FinalAdvice,
        At::UnderFinalReview,
        At::AwaitingCountersign,
        At::Granted,
        At::Refused,
    ] {
        let p = prepare(w, "NO", at).await;
        for (_, actor) in w.everyone() {
            if actor.role == probity_service::auth::Role::Admin {
                continue;
            }
            let s = app.login(&actor.email).await;
            let r = app.get(&format!("/cases/{}", p.case), Some(&s)).await;
            if r.status.as_u16() != 200 {
                continue; // not theirs to see
            }
            let html = r.text();
            assert!(
                html.contains("<strong>Next step:</strong>"),
                "{at:?}: {html}"
            );
            seen += header_links_land(&html).len();
        }
    }
    assert!(seen > 10, "the headers offered {seen} actions in all");

    // The assigned caseworker of a new case is told to ask for advice; once asked, the case
    // waits for the teams, named.
    let cw = app.login("caseworker@ecju.test").await;
    let p = prepare(w, "NO", At::UnderReview).await;
    let html = app
        .get(&format!("/cases/{}", p.case), Some(&cw))
        .await
        .text();
    assert!(
        html.contains("Ask the advisory teams for their advice"),
        "{html}"
    );
    assert!(html.contains(r##"href="#act-request-advice""##), "{html}");
    let p = prepare(w, "NO", At::Referred).await;
    let html = app
        .get(&format!("/cases/{}", p.case), Some(&cw))
        .await
        .text();
    assert!(html.contains("waiting for advice ("), "{html}");
    // The decision-maker is told to decide.
    let dm = app.login("dm@ecju.test").await;
    let p = prepare(w, "NO", At::UnderFinalReview).await;
    let html = app
        .get(&format!("/cases/{}", p.case), Some(&dm))
        .await
        .text();
    assert!(html.contains("Decide: grant a licence, refuse"), "{html}");

    // The exporter sees the outcome: the grant, the licence and its public record.
    let p = prepare(w, "NO", At::Granted).await;
    let exporter = app.login(&w.exporter.email).await;
    let html = app
        .get(&format!("/cases/{}", p.case), Some(&exporter))
        .await
        .text();
    assert!(html.contains(r#"<h2 id="outcome">Outcome</h2>"#), "{html}");
    assert!(html.contains("record-grant"), "{html}");
    assert!(
        html.contains(&format!(r#"<a href="/licences/{}">"#, p.licence.unwrap())),
        "{html}"
    );
    let record = p.record.unwrap();
    assert!(
        html.contains(&format!(
            r#"<a href="/register/decisions/{record}">Record {record}</a>"#
        )),
        "{html}"
    );
    assert!(
        html.contains("Decided: granted") || html.contains("Decided: grant"),
        "{html}"
    );
}
