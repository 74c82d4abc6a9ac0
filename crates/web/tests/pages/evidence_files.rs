//! Evidence files on the pages: a dissent and a disclosure carry files in a multipart form;
//! a file that breaks the rules is refused by name with the typed text kept; a body past the
//! upload limit is refused whole with a clear page; files come back only as sandboxed
//! downloads with their exact name and bytes.
use super::*;
use probity_domain::{MAX_ATTACHMENTS, MAX_ATTACHMENT_BYTES};

const POINTS: &str = "The end user diverted similar items before.\nThe strike reports are ignored.";

fn dissent_fields(case: &str) -> Vec<(&'static str, String)> {
    vec![
        ("subject", "final_advice".into()),
        ("case", case.into()),
        ("points", POINTS.into()),
        ("criteria", "2c".into()),
        (
            "evidence",
            "UN panel report S/2024/1, paragraphs 40 to 52.".into(),
        ),
    ]
}

fn borrowed<'a>(fields: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    fields.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

#[tokio::test]
async fn a_dissent_carries_files_and_refuses_bad_ones_keeping_the_text() {
    let app = TestApp::sqlite().await;
    let p = prepare(&app.world, "NO", At::UnderFinalReview).await;
    let adviser = app.login("adviser@fcdo.test").await;
    let fields = dissent_fields(&p.case.to_string());

    // A disallowed file: 422, the file named, the typed text kept, the files to choose again.
    let refused = app
        .post_multipart(
            "/dissents",
            Some(&adviser),
            &borrowed(&fields),
            &[("attachments", "run-me.exe", b"MZ\x90\x00")],
        )
        .await;
    refused.assert_status(422);
    let html = refused.text();
    assert!(
        html.contains("“run-me.exe” is not a type we accept"),
        "{html}"
    );
    assert!(
        html.contains("The strike reports are ignored."),
        "the points are kept"
    );
    assert!(html.contains("Choose your files again"), "{html}");

    // One over the per-file limit: refused with its size, nothing recorded.
    let mut big = b"%PDF-".to_vec();
    big.resize(MAX_ATTACHMENT_BYTES + 1, b'0');
    let refused = app
        .post_multipart(
            "/dissents",
            Some(&adviser),
            &borrowed(&fields),
            &[("attachments", "scan.pdf", &big)],
        )
        .await;
    refused.assert_status(422);
    assert!(refused
        .text()
        .contains("“scan.pdf” is 5.1 MB, over the limit of 5.0 MB"));

    // Past the whole body limit: 413 before anything is read, saying what is allowed.
    let huge = vec![b'x'; probity_web::MAX_UPLOAD_BODY_BYTES + 1];
    let refused = app
        .post_multipart(
            "/dissents",
            Some(&adviser),
            &borrowed(&fields),
            &[("attachments", "huge.txt", &huge)],
        )
        .await;
    refused.assert_status(413);
    assert!(
        refused
            .text()
            .contains(&format!("at most {MAX_ATTACHMENTS} files of 5.0 MB each")),
        "{}",
        refused.text()
    );
    let listed = app.get("/dissents", Some(&adviser)).await.text();
    assert!(!listed.contains("/dissents/0"), "no dissent was recorded");

    // A good file: recorded, listed with its digest, downloaded exactly and sandboxed.
    let pdf = b"%PDF-1.7\n\x00\xFF report body\n%%EOF".to_vec();
    let filed = app
        .post_multipart(
            "/dissents",
            Some(&adviser),
            &borrowed(&fields),
            &[
                ("attachments", "", b""), // an empty second file input
                ("attachments", "C:\\Reports\\Panel report £2024.pdf", &pdf),
            ],
        )
        .await;
    filed.assert_status(303);
    let at = filed.location().expect("to the dissent").to_string();
    let page = app.get(&at, Some(&adviser)).await;
    page.assert_status(200);
    let html = page.text();
    assert!(
        html.contains(&format!("href=\"{at}/attachments/1\"")),
        "{html}"
    );
    assert!(
        html.contains(">Panel report £2024.pdf<"),
        "the path is dropped: {html}"
    );
    let file = app
        .get(&format!("{at}/attachments/1"), Some(&adviser))
        .await;
    file.assert_status(200);
    assert_eq!(file.body, pdf);
    assert_eq!(file.content_type(), "application/pdf");
    assert_eq!(
        file.header("content-disposition"),
        Some(
            "attachment; filename=\"Panel report _2024.pdf\"; \
             filename*=UTF-8''Panel%20report%20%C2%A32024.pdf"
        )
    );
    assert!(file
        .header("content-security-policy")
        .unwrap()
        .contains("sandbox"));
    assert_eq!(file.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(file.header("cache-control"), Some("no-store"));
    // Anyone but the parties and oversight: the file does not exist.
    let caseworker = app.login("caseworker@ecju.test").await;
    app.get(&format!("{at}/attachments/1"), Some(&caseworker))
        .await
        .assert_status(404);
}

#[tokio::test]
async fn a_disclosure_carries_files_sealed_for_oversight() {
    let app = TestApp::sqlite().await;
    let what = "Advice on a case was rewritten after a meeting with the office of the minister.";
    let refused = app
        .post_multipart(
            "/disclose",
            None,
            &[("what", what)],
            &[("attachments", "page.html", b"<script>")],
        )
        .await;
    refused.assert_status(422);
    let html = refused.text();
    assert!(
        html.contains("“page.html” is not a type we accept"),
        "{html}"
    );
    assert!(html.contains(what), "the text is kept");

    let made = app
        .post_multipart(
            "/disclose",
            None,
            &[("what", what)],
            &[("attachments", "minutes.txt", b"Minutes of 2 March.")],
        )
        .await;
    made.assert_status(200);
    let code = made
        .text()
        .split("<code id=\"receipt-code\">")
        .nth(1)
        .and_then(|s| s.split('<').next())
        .expect("the receipt code is shown")
        .to_string();
    let status = app
        .post_raw_form("/disclose/status", None, &[("code", &code)])
        .await;
    status.assert_status(200);
    assert!(status.text().contains("minutes.txt"), "{}", status.text());
    assert!(
        !status.text().contains("/attachments/"),
        "no download for the code holder"
    );

    let oversight = app.login("oversight@oversight.test").await;
    let list = app
        .get("/oversight/disclosures", Some(&oversight))
        .await
        .text();
    let id = list
        .split("/oversight/disclosures/")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("the disclosure is listed")
        .to_string();
    let file = app
        .get(
            &format!("/oversight/disclosures/{id}/attachments/1"),
            Some(&oversight),
        )
        .await;
    file.assert_status(200);
    assert_eq!(file.body, b"Minutes of 2 March.");
    assert_eq!(file.content_type(), "text/plain; charset=utf-8");
}
