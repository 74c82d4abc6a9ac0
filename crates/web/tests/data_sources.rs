//! "Sources and notes" on /statistics and /data, and each licence's incorporation destinations
//! and footnotes on /data/licences, from the real CAAT files.
mod support;

use std::path::PathBuf;

use probity_service::analytics::{self, engine::ImportOptions};
use support::TestApp;

fn caat_dir() -> PathBuf {
    let dir = support::shared_data("caat-uk");
    assert!(
        dir.join("footnotes_region.csv").is_file(),
        "real CAAT data not found at {}: these tests refuse to pass without it",
        dir.display()
    );
    dir
}

/// The page's text with the entities a template writes turned back into characters.
fn unescape(html: &str) -> String {
    [
        ("&#34;", "\""),
        ("&quot;", "\""),
        ("&#39;", "'"),
        ("&#60;", "<"),
        ("&lt;", "<"),
        ("&#62;", ">"),
        ("&gt;", ">"),
        ("&#38;", "&"),
        ("&amp;", "&"),
    ]
    .iter()
    .fold(html.to_string(), |s, (from, to)| s.replace(from, to))
}

/// The notes footnotes_region.csv gives for `name`, read here (RFC 4180 quoting, CRLF), not
/// by the importer.
fn region_notes(name: &str) -> Vec<String> {
    let text = std::fs::read_to_string(caat_dir().join("footnotes_region.csv")).unwrap();
    let (mut recs, mut rec, mut field) = (Vec::new(), Vec::new(), String::new());
    let (mut quoted, mut chars) = (false, text.chars().peekable());
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => rec.push(std::mem::take(&mut field)),
            (false, '\r') => {}
            (false, '\n') => {
                rec.push(std::mem::take(&mut field));
                recs.push(std::mem::take(&mut rec));
            }
            (false, c) => field.push(c),
        }
    }
    recs.into_iter()
        .filter(|r: &Vec<String>| r[0] == name)
        .map(|mut r| r.remove(1))
        .collect()
}

#[tokio::test]
async fn pages_cite_sources_and_notes_and_licences_show_what_caat_publishes_beside_them() {
    let app = TestApp::sqlite().await;
    analytics::import_caat(
        &app.world.ctx,
        &caat_dir(),
        &ImportOptions::default(),
        &mut |_| {},
    )
    .await
    .unwrap();

    // Statistics: the CAAT source with its address and files, and notes on destinations shown.
    let r = app.get("/statistics?period=2014", None).await;
    r.assert_status(200);
    let html = unescape(&r.text());
    assert!(html.contains("<h2>Sources and notes</h2>"));
    assert!(html.contains("href=\"https://github.com/caatdata/uk-arms-export-data\""));
    assert!(html.contains("destinations.csv, footnotes_licence.csv, footnotes_region.csv"));
    assert!(html.contains("Probity register of decisions"));
    assert!(html.contains("Notes on the destinations shown"));
    let iran = region_notes("Iran");
    assert_eq!(iran.len(), 8);
    assert!(
        html.contains(&iran[0]),
        "Iran is in the 2014 tables, so its notes are cited"
    );

    // The browser: a view of one destination cites that destination's notes, every one.
    let r = app.get("/data?destination=IR", None).await;
    r.assert_status(200);
    let html = unescape(&r.text());
    for note in &iran {
        assert!(html.contains(note.as_str()), "missing note: {note}");
    }
    assert!(html.contains("Iran (IR): 8 notes</summary>"));
    assert!(!html.contains("Somalia (SO):"), "only the notes that apply");

    // Drill-down: group 1 (Italy, 2008-01-02) is incorporated into seven destinations.
    let r = app
        .get(
            "/data/licences?destination=IT&from=2008-01-02&to=2008-01-02",
            None,
        )
        .await;
    r.assert_status(200);
    let html = unescape(&r.text());
    assert!(html.contains(
        "Chile (CL), India (IN), Malaysia (MY), Pakistan (PK), Saudi Arabia (SA), \
         United Arab Emirates (AE), United States of America (US)"
    ));
    // Group 160's footnote says where it really went.
    let r = app
        .get(
            "/data/licences?destination=GB&from=2008-01-14&to=2008-01-14",
            None,
        )
        .await;
    r.assert_status(200);
    assert!(
        unescape(&r.text()).contains("This licence is actually for export to the Channel Islands.")
    );
}

#[tokio::test]
async fn an_empty_database_cites_the_register_only() {
    let app = TestApp::sqlite().await;
    let r = app.get("/data", None).await;
    r.assert_status(200);
    let html = r.text();
    assert!(html.contains("Sources and notes") && html.contains("Probity register of decisions"));
    assert!(!html.contains("caatdata"));
}
