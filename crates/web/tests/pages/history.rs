//! A case's audit history reads as a record of people and events: who by name, what happened
//! in words, details as a list with the raw data behind a toggle, and short hashes.
use super::*;

#[tokio::test]
async fn the_history_names_people_and_says_what_happened() {
    let app = TestApp::sqlite().await;
    let w = &app.world;
    let p = prepare(w, "NO", At::Referred).await;
    let oversight = app.login(&w.oversight.email).await;
    let r = app
        .get(&format!("/cases/{}/history", p.case), Some(&oversight))
        .await;
    r.assert_status(200);
    let html = r.text();
    assert!(html.contains("Application submitted"), "{html}");
    assert!(
        html.contains("Advice requested from advisory teams"),
        "{html}"
    );
    // The caseworker by name (the world names users after their address), not an id.
    assert!(html.contains("<td>caseworker<span"), "{html}");
    assert!(!html.contains(&format!("<code>{}</code>", w.caseworker.user_id)));
    // Details as a list, the raw data behind "Show data", hashes short with the full one kept.
    assert!(html.contains(r#"<dl class="details">"#), "{html}");
    assert!(html.contains("<summary>Show data</summary>"), "{html}");
    let full = html
        .split(r#"title=""#)
        .nth(1)
        .and_then(|t| t.split('"').next())
        .unwrap();
    assert_eq!(full.len(), 64, "{full}");
    assert!(
        html.contains(&format!(">{}…</code>", &full[..12])),
        "{html}"
    );
}
