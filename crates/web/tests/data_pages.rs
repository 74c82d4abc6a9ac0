//! The analysis browser, official statistics, the statistics API and the Atom feed, in-process
//! through `build_router`, on the real CAAT history plus decisions made in Probity.
mod support;

use std::path::PathBuf;

use probity_service::analytics::{self, engine::ImportOptions, StatsParams};
use serde_json::Value;
use support::{prepare, At, Auth, TestApp};

fn caat_dir() -> PathBuf {
    let dir = support::shared_data("caat-uk");
    assert!(
        dir.join("values-2008-2015q1.csv").is_file(),
        "real CAAT data not found at {}: these tests refuse to pass without it",
        dir.display()
    );
    dir
}

/// Links `href="/data/licences?…"` in a page, unescaped.
fn drill_links(html: &str) -> Vec<String> {
    html.split("href=\"/data/licences?")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .map(|s| {
            format!(
                "/data/licences?{}",
                s.replace("&amp;", "&").replace("&#38;", "&")
            )
        })
        .collect()
}

#[tokio::test]
async fn browser_statistics_api_and_feed_on_real_history_and_probity_decisions() {
    let app = TestApp::sqlite().await;
    let ctx = &app.world.ctx;
    analytics::import_caat(ctx, &caat_dir(), &ImportOptions::default(), &mut |_| {})
        .await
        .unwrap();
    let granted = prepare(&app.world, "IL", At::Granted).await;
    let refused = prepare(&app.world, "NO", At::Refused).await;

    // The API gives the service's (and so the CLI's) JSON.
    let q = "destination=SA&from=2012-01-01&to=2012-12-31&kind=military";
    let r = app.api_get(&format!("/api/v1/stats?{q}"), Auth::None).await;
    r.assert_status(200);
    let j = r.json();
    assert_eq!(j["total"]["value_gbp"], 111_721_756);
    assert_eq!(j["total"]["licences"], 91);
    assert_eq!(j["rows"], Value::Array(vec![]));
    let p: StatsParams = serde_urlencoded::from_str(q).unwrap();
    let direct = analytics::stats(ctx, &p).await.unwrap();
    assert_eq!(j, serde_json::to_value(&direct).unwrap());

    // Probity's own decisions are there, apart by source.
    let r = app
        .api_get("/api/v1/stats?source=probity&group_by=decision", Auth::None)
        .await;
    r.assert_status(200);
    let rows = r.json()["rows"].as_array().unwrap().clone();
    let granted_row = rows.iter().find(|x| x["decision"] == "granted").unwrap();
    assert_eq!(granted_row["licences"], 1);
    assert_eq!(granted_row["value_gbp"], 356_000);
    let refused_row = rows.iter().find(|x| x["decision"] == "refused").unwrap();
    assert_eq!(refused_row["refused"], 1);
    assert_eq!(
        refused_row["value_gbp"], 0,
        "refusals carry no licensed value"
    );
    let r = app
        .api_get("/api/v1/stats?group_by=source&from=2026-01-01", Auth::None)
        .await;
    let by_source = r.json();
    assert_eq!(by_source["rows"][0]["source"], "probity");

    // Bad input: 422 naming the field.
    let r = app
        .api_get("/api/v1/stats?destination=Atlantis", Auth::None)
        .await;
    r.assert_status(422);
    assert_eq!(r.error_fields(), ["destination"]);
    let r = app
        .api_get("/api/v1/stats?from=2015-01-01&to=2014-01-01", Auth::None)
        .await;
    r.assert_status(422);
    assert!(r.field_message("to").unwrap().contains("reversed"));
    let r = app.api_get("/api/v1/stats?rating=XX9", Auth::None).await;
    r.assert_status(422);
    assert_eq!(r.error_fields(), ["rating"]);

    // The browser: first visit, destinations by value, charts with text alternatives.
    let r = app.get("/data", None).await;
    r.assert_status(200);
    let html = r.text();
    assert!(html.contains("<svg") && html.contains("role=\"img\""));
    assert!(html.contains("<title id=\"series-t\">Value by year</title>"));
    assert!(html.contains("Top 15 destinations by value"));
    assert!(html.contains("as a table</summary>"));
    assert!(!html.contains("style="), "inline styles break the CSP");
    assert!(html.contains("Israel") && html.contains("Refusal criteria</summary>"));
    let links = drill_links(&html);
    assert!(links.len() > 100, "every row drills down");

    // A permalink view: military licences to Israel, Sept–Dec 2014, by rating.
    let r = app
        .get(
            "/data?destination=IL&from=2014-09-01&to=2014-12-31&kind=military&group_by=rating&measure=licences",
            None,
        )
        .await;
    r.assert_status(200);
    let html = r.text();
    assert!(html.contains("3,977,106"), "total value shown");
    assert!(html.contains("Top") && html.contains("ratings by licences"));
    assert!(html.contains("<abbr title="), "ratings explained on hover");
    // Each row's drill-down lists exactly the licences behind it.
    let link = drill_links(&html)
        .into_iter()
        .find(|l| l.contains("rating=ML10"))
        .expect("an ML10 row");
    assert!(link.contains("rating_match=exact"));
    let r = app.get(&link, None).await;
    r.assert_status(200);
    let p: StatsParams = serde_urlencoded::from_str(link.split_once('?').unwrap().1).unwrap();
    let (_, behind) = analytics::licences(ctx, &p, 500).await.unwrap();
    assert!(!behind.is_empty());
    for l in &behind {
        assert!(
            r.text().contains(&format!("group {}", l.licence)),
            "{link}\n{}",
            r.text()
        );
    }

    // Errors on the page are shown with the form, not as a crash.
    let r = app.get("/data?destination=Atlantis&from=soon", None).await;
    r.assert_status(422);
    assert!(r.text().contains("unknown country") && r.text().contains("is not a date"));

    // Drill-down to Probity's own records links to the register.
    let r = app.get("/data/licences?source=probity", None).await;
    r.assert_status(200);
    let seq = granted.record.unwrap();
    assert!(r.text().contains(&format!("/register/decisions/{seq}")));

    // Official statistics, with CSV downloads.
    let r = app.get("/statistics?period=2014", None).await;
    r.assert_status(200);
    let html = r.text();
    assert!(html.contains("Refusals by criterion, 2014"));
    assert!(html.contains("Value of licences issued by destination, 2014"));
    assert!(html.contains("Licences by destination and type, 2014"));
    let r = app.get("/statistics/criteria.csv?period=2014", None).await;
    r.assert_status(200);
    assert!(r.text().starts_with("criterion,description,refusals"));
    // A period that is not one is explained on the whole page (with the navigation).
    let r = app.get("/statistics?period=2014-Q9", None).await;
    r.assert_status(422);
    let html = r.text();
    assert!(html.contains("<title>Error: "), "{html}");
    assert!(html.contains("“2014-Q9” is not a period"), "{html}");
    assert!(html.contains(r#"aria-label="Main""#));
    // A period without decisions says so, and offers the years that have some.
    let r = app.get("/statistics?period=2001", None).await;
    r.assert_status(200);
    let html = r.text();
    assert!(
        html.contains("No licensing decisions are recorded for 2001."),
        "{html}"
    );
    assert!(
        html.contains(r#"<a href="/statistics?period=2014">2014</a>"#),
        "{html}"
    );
    assert!(!html.contains("Refusals by criterion, 2001"), "{html}");
    let r = app.get("/statistics?period=2014", None).await;
    assert!(!r.text().contains(r#"id="no-data""#));
    let r = app.get("/statistics/decisions.csv?period=2026", None).await;
    assert!(r.text().contains("2026-Q1,1,1,0"), "{}", r.text());

    // Open data downloads.
    let r = app.get("/data/download/licences.parquet", None).await;
    r.assert_status(200);
    assert_eq!(&r.body[..4], b"PAR1");
    app.get("/data/download/passwords.txt", None)
        .await
        .assert_status(404);
    let r = app.get("/data/view.csv?group_by=year", None).await;
    assert!(r
        .text()
        .starts_with("year,licences,value_gbp,refused,criteria_citations\n2008,"));

    // The Atom feed, filterable by destination.
    let r = app.get("/register/feed.atom", None).await;
    r.assert_status(200);
    assert!(r.content_type().starts_with("application/atom+xml"));
    let xml = r.text();
    assert!(
        xml.starts_with("<?xml") && xml.contains("<feed xmlns=\"http://www.w3.org/2005/Atom\">")
    );
    assert_eq!(xml.matches("<entry>").count(), 2);
    let refused_seq = refused.record.unwrap();
    assert!(xml.contains(&format!("urn:probity:register:decision:{refused_seq}")));
    let r = app.get("/register/feed.atom?destination=IL", None).await;
    let xml = r.text();
    assert_eq!(xml.matches("<entry>").count(), 1);
    assert!(xml.contains("Israel"));
}

#[tokio::test]
async fn an_empty_database_has_pages_not_errors() {
    let app = TestApp::sqlite().await;
    app.get("/data", None).await.assert_status(200);
    let r = app.api_get("/api/v1/stats", Auth::None).await;
    r.assert_status(200);
    assert_eq!(r.json()["total"]["licences"], 0);
    app.get("/statistics", None).await.assert_status(404);
    app.get("/register/feed.atom", None)
        .await
        .assert_status(200);
}
