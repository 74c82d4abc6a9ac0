//! The public register over HTTP (C2SP tlog-tiles): checkpoint, key, tiles, bundles, proofs,
//! cache headers, 404 beyond the tree and 400 for malformed paths; the decision page links
//! to its proof; the audit anchor after a batch is served like any entry.
mod support;

use probity_service::register::log::bundle::parse_bundle;
use probity_service::register::log::checkpoint::Checkpoint;
use probity_service::register::log::note::{Ed25519Signer, NoteVerifier as _};
use probity_service::register::Sequencer;
use probity_service::testing::{Backend, Stage};
use support::*;

async fn serves_the_log(backend: Backend) {
    let app = TestApp::new(backend).await;
    let w = &app.world;
    app.get("/register/checkpoint", None)
        .await
        .assert_status(404);
    app.get("/register/key", None).await.assert_status(404);
    for _ in 0..3 {
        w.case_at(Stage::Granted).await;
    }
    let signer = Ed25519Signer::from_seed("probity.test/register", &[5; 32]).unwrap();
    let verifier = signer.verifier();
    assert_eq!(Sequencer::new(signer).run_once(&w.ctx).await.unwrap(), 3);

    let cp = app.get("/register/checkpoint", None).await;
    cp.assert_status(200);
    assert_eq!(cp.header("cache-control"), Some("no-cache"));
    assert!(cp.content_type().starts_with("text/plain"));
    let (checkpoint, _) =
        Checkpoint::open(&cp.body, verifier.name(), &[&verifier]).expect("a signed checkpoint");
    // Three decisions and the anchor of the audit chain after them.
    assert_eq!(checkpoint.size(), 4);
    let key = app.get("/register/key", None).await;
    assert_eq!(key.text(), format!("{}\n", verifier.vkey()));

    let tile = app.get("/register/tile/0/000.p/4", None).await;
    tile.assert_status(200);
    assert_eq!(tile.body.len(), 4 * 32);
    assert_eq!(tile.header("cache-control"), Some("public, max-age=60"));
    assert_eq!(tile.content_type(), "application/octet-stream");
    let shorter = app.get("/register/tile/0/000.p/2", None).await;
    assert_eq!(shorter.body, tile.body[..64]);
    let bundle = app.get("/register/tile/entries/000.p/4", None).await;
    bundle.assert_status(200);
    let entries = parse_bundle(&bundle.body).unwrap();
    assert!(entries[..3]
        .iter()
        .all(|e| e.starts_with(b"probity/decision/v1\n")));
    assert!(entries[3].starts_with(b"probity/audit-anchor/v1\n"));

    // Beyond the tree: 404. Malformed: 400 with a clear message.
    for beyond in [
        "/register/tile/0/000",
        "/register/tile/0/000.p/5",
        "/register/tile/0/001.p/1",
        "/register/tile/1/000.p/1",
        "/register/tile/entries/000",
    ] {
        app.get(beyond, None).await.assert_status(404);
    }
    for bad in [
        "/register/tile/0/00",
        "/register/tile/00/000",
        "/register/tile/0/000.p/0",
        "/register/tile/0/000.p/256",
        "/register/tile/64/000",
        "/register/tile/x",
    ] {
        let r = app.get(bad, None).await;
        r.assert_status(400);
        assert!(r.text().contains("tlog-tiles"), "{bad}: {}", r.text());
    }

    let proof = app.get("/register/proof/2", None).await;
    proof.assert_status(200);
    let json = proof.json();
    assert_eq!(json["index"], 2);
    assert_eq!(json["tree_size"], 4);
    assert_eq!(json["proof"].as_array().unwrap().len(), 2);
    assert_eq!(
        json["checkpoint"].as_str().unwrap().as_bytes(),
        &cp.body[..]
    );
    let anchor = app.get("/register/proof/3", None).await;
    anchor.assert_status(200);
    assert_eq!(anchor.json()["index"], 3);
    app.get("/register/proof/4", None).await.assert_status(404);
    app.get("/register/proof/-1", None).await.assert_status(400);

    // The public decision page names its index and links its proof.
    let seq = newest_record(w).await.unwrap();
    let page = app.get(&format!("/register/decisions/{seq}"), None).await;
    page.assert_status(200);
    assert!(page.text().contains("/register/proof/2"), "{}", page.text());
}

/// Oversight's disclosure page: openings that check against the public entry, and a clear
/// error (nothing disclosed) for a malformed index or a missing reason.
async fn oversight_discloses_openings(backend: Backend) {
    let app = TestApp::new(backend).await;
    let w = &app.world;
    w.case_at(Stage::Granted).await;
    let signer = Ed25519Signer::from_seed("probity.test/register", &[5; 32]).unwrap();
    assert_eq!(Sequencer::new(signer).run_once(&w.ctx).await.unwrap(), 1);
    let session = app.login("oversight@oversight.test").await;
    let reason = ("reason", "Select committee inquiry into exports");

    let page = app
        .post_form(
            "/oversight/openings",
            Some(&session),
            &[("index", "0"), ("field", "exporter"), reason],
        )
        .await;
    page.assert_status(200);
    let html = page.text();
    let line = html
        .lines()
        .find(|l| l.contains("&#34;register_index&#34;"))
        .unwrap_or_else(|| panic!("no opening on the page:\n{html}"));
    let json = line
        .split_once('>')
        .and_then(|(_, rest)| rest.split_once('<'))
        .map(|(json, _)| json.replace("&#34;", "\""))
        .unwrap();
    let opening: probity_service::domain::EntryOpening = serde_json::from_str(&json).unwrap();
    assert_eq!(opening.value, "Acme Defence Ltd");
    let entry = probity_service::register::public::export(&w.ctx)
        .await
        .unwrap();
    // The decision, then the audit anchor after it.
    let bundle = &entry
        .iter()
        .find(|(p, _)| p == "tile/entries/000.p/2")
        .unwrap()
        .1;
    let entries = parse_bundle(bundle).unwrap();
    let decoded = probity_service::domain::RegisterEntry::decode(&entries[0]).unwrap();
    assert!(opening.opens(&decoded));
    let anchor = app
        .post_form(
            "/oversight/openings",
            Some(&session),
            &[("index", "1"), ("field", ""), reason],
        )
        .await;
    anchor.assert_status(409);
    assert!(anchor.text().contains("audit anchor"), "{}", anchor.text());

    for (fields, message) in [
        (
            vec![("index", "first"), ("field", ""), reason],
            "whole number",
        ),
        (
            vec![("index", "0"), ("field", "bank_account"), reason],
            "listed fields",
        ),
        (
            vec![("index", "0"), ("field", ""), ("reason", "")],
            "reason",
        ),
    ] {
        let resp = app
            .post_form("/oversight/openings", Some(&session), &fields)
            .await;
        resp.assert_status(422);
        assert!(resp.text().contains(message), "{message}");
        assert!(!resp.text().contains("Acme Defence Ltd"));
    }
    app.post_form(
        "/oversight/openings",
        Some(&session),
        &[("index", "9"), reason],
    )
    .await
    .assert_status(404);
}

probity_service::backend_tests!(serves_the_log, oversight_discloses_openings);
