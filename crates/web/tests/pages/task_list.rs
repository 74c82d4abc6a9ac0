//! The exporter's task-list application: the type of licence makes the draft, each section
//! is saved as it is left (and refused with its problems, keeping what was typed), documents
//! are uploaded and checked by content, the answers are checked, the declaration is required,
//! and the confirmation gives the reference. Then caseworkers read the documents and ask for
//! another, which the exporter gives.
use super::*;

const PDF: &[u8] = b"%PDF-1.4\nSigned end-user undertaking of the Norwegian MoD.";

fn goods(ratings: &str) -> Vec<(&str, &str)> {
    vec![
        ("section", "goods"),
        ("goods_count", "1"),
        ("g0_description", "Thermal imaging weapon sights"),
        ("g0_ratings", ratings),
        ("g0_quantity", "40"),
        ("g0_unit", "items"),
        ("g0_value", "356000.00"),
        ("action", "save"),
    ]
}

const PARTIES: &[(&str, &str)] = &[
    ("section", "parties"),
    ("party_count", "2"),
    ("p0_role", "end_user"),
    ("p0_name", "Ministry of Defence"),
    ("p0_address", "Defence procurement, Oslo"),
    ("p0_country", "NO"),
    ("p0_end_user_type", "armed_forces"),
    ("p1_role", "consignee"),
    ("p1_name", "Central Logistics Depot"),
    ("p1_address", "Depot road, Oslo"),
    ("p1_country", "NO"),
    ("action", "save"),
];

/// The state the task list shows for a section.
fn task_state(html: &str, title: &str) -> String {
    let at = html
        .find(&format!(">{title}</a>"))
        .unwrap_or_else(|| panic!("no task {title}: {html}"));
    let tag = &html[at..];
    let start = tag.find("status\">").expect("a status tag") + "status\">".len();
    tag[start..start + tag[start..].find('<').unwrap()].to_string()
}

#[tokio::test]
async fn an_application_through_the_task_list_with_a_document() {
    let app = TestApp::sqlite().await;
    let exporter = app.login(&app.world.exporter.email).await;

    // The type of licence first; not choosing one saves nothing.
    let start = app.get("/applications/new", Some(&exporter)).await.text();
    assert!(start.contains("Which type of licence do you need?"));
    assert!(
        !start.contains("checked"),
        "nothing chosen for the exporter"
    );
    let resp = app
        .post_form("/applications", Some(&exporter), &[("action", "start")])
        .await;
    resp.assert_status(422);
    assert!(resp.text().contains("Choose the type of licence"));
    assert!(resp.text().contains(r##"href="#licence_type""##));
    assert_eq!(exporter_cases(&app).await, 0);
    let resp = app
        .post_form(
            "/applications",
            Some(&exporter),
            &[("action", "start"), ("licence_type", "siel")],
        )
        .await;
    resp.assert_status(303);
    let tasks = resp.location().unwrap().to_string();
    let base = tasks
        .strip_suffix("/edit")
        .expect("to the task list")
        .to_string();
    let html = app.get(&tasks, Some(&exporter)).await.text();
    assert_eq!(task_state(&html, "Type of licence"), "Completed");
    assert_eq!(task_state(&html, "Goods"), "Not yet started");
    assert_eq!(task_state(&html, "Supporting documents"), "Optional");
    assert!(html.contains("Cannot start yet"));
    assert!(
        !html.contains(&format!("{base}/check")),
        "no check before complete"
    );

    // A section with a problem: refused, the problem linked, what was typed kept, the
    // stored draft unchanged.
    let resp = app.post_form(&base, Some(&exporter), &goods("ML99")).await;
    resp.assert_status(422);
    let html = resp.text();
    assert!(html.contains("<title>Error: Goods"), "{html}");
    assert!(html.contains(r##"href="#g0_ratings""##));
    assert!(html.contains(r#"value="ML99""#));
    assert!(
        !html.contains("End-use statement"),
        "only the goods section is shown"
    );
    let html = app.get(&tasks, Some(&exporter)).await.text();
    assert_eq!(task_state(&html, "Goods"), "Not yet started");

    // Saved as it is left, section by section.
    let resp = app.post_form(&base, Some(&exporter), &goods("ML15b")).await;
    resp.assert_status(303);
    let html = app
        .get(resp.location().unwrap(), Some(&exporter))
        .await
        .text();
    assert!(html.contains("Goods saved."));
    assert_eq!(task_state(&html, "Goods"), "Completed");
    // Half the parties: the section says it is incomplete.
    app.post_form(&base, Some(&exporter), &PARTIES[..8])
        .await
        .assert_status(303);
    let html = app.get(&tasks, Some(&exporter)).await.text();
    assert_eq!(task_state(&html, "Parties and destinations"), "Incomplete");
    assert_eq!(task_state(&html, "Goods"), "Completed", "goods kept");
    app.post_form(&base, Some(&exporter), PARTIES)
        .await
        .assert_status(303);
    let end_use = [
        ("section", "end-use"),
        (
            "end_use_statement",
            "For use by the national armed forces on border patrols.",
        ),
        ("action", "save"),
    ];
    app.post_form(&base, Some(&exporter), &end_use)
        .await
        .assert_status(303);

    // Documents: checked by content, not by name; one file at a time.
    let docs = format!("{base}/documents");
    let kind = [("document_kind", "end_user_undertaking")];
    let resp = app.post_multipart(&docs, Some(&exporter), &kind, &[]).await;
    resp.assert_status(422);
    assert!(resp.text().contains("Choose a file to upload"));
    let resp = app
        .post_multipart(
            &docs,
            Some(&exporter),
            &kind,
            &[("file", "eud.pdf", b"MZ\x90\x00")],
        )
        .await;
    resp.assert_status(422);
    assert!(
        resp.text().contains("its contents are not a PDF file"),
        "{}",
        resp.text()
    );
    assert!(
        resp.text()
            .contains(r#"value="end_user_undertaking" checked"#),
        "the choice is kept"
    );
    let resp = app
        .post_multipart(&docs, Some(&exporter), &[], &[("file", "eud.pdf", PDF)])
        .await;
    resp.assert_status(422);
    assert!(resp.text().contains("Choose what the document is"));
    // Over the limit: said with the file's size, not a bare "too large".
    let mut big = b"%PDF-1.7\n".to_vec();
    big.resize(probity_domain::MAX_ATTACHMENT_BYTES + 1, b'0');
    let resp = app
        .post_multipart(&docs, Some(&exporter), &kind, &[("file", "scan.pdf", &big)])
        .await;
    resp.assert_status(422);
    assert!(
        resp.text().contains("over the limit of 5.0 MB"),
        "{}",
        resp.text()
    );
    // A scan of a few megabytes is fine (more than a plain form may carry).
    big.truncate(3 * 1024 * 1024);
    app.post_multipart(&docs, Some(&exporter), &kind, &[("file", "scan.pdf", &big)])
        .await
        .assert_status(303);
    app.post_form(&format!("{docs}/1/remove"), Some(&exporter), &[])
        .await
        .assert_status(303);
    app.post_multipart(&docs, Some(&exporter), &kind, &[("file", "eud.pdf", PDF)])
        .await
        .assert_status(303);
    let spec = [("document_kind", "technical_specification")];
    app.post_multipart(
        &docs,
        Some(&exporter),
        &spec,
        &[("file", "spec.txt", b"40 units")],
    )
    .await
    .assert_status(303);
    app.post_form(&format!("{docs}/2/remove"), Some(&exporter), &[])
        .await
        .assert_status(303);
    let html = app.get(&docs, Some(&exporter)).await.text();
    assert!(
        html.contains("eud.pdf") && !html.contains("spec.txt"),
        "{html}"
    );

    // Every section complete: check the answers, then the declaration.
    let html = app.get(&tasks, Some(&exporter)).await.text();
    assert_eq!(task_state(&html, "Supporting documents"), "Completed");
    assert!(html.contains(&format!(r#"href="{base}/check""#)));
    let check = app
        .get(&format!("{base}/check"), Some(&exporter))
        .await
        .text();
    for shown in [
        "Thermal imaging weapon sights",
        "Rated ML15.b",
        "Ministry of Defence",
        "Norway (NO)",
        "End-user undertaking: eud.pdf",
        "border patrols",
    ] {
        assert!(check.contains(shown), "{shown}: {check}");
    }
    assert!(
        check.contains(&format!(r#"href="{base}/section/goods""#)),
        "change links"
    );
    let submit = format!("{base}/submit");
    let resp = app.post_form(&submit, Some(&exporter), &[]).await;
    resp.assert_status(422);
    assert!(resp
        .text()
        .contains(r##"<a href="#declaration">Confirm the declaration"##));
    let id: CaseId = base["/applications/".len()..].parse().unwrap();
    let draft = cases::get_case(&app.world.ctx, &app.world.exporter, id).await;
    assert_eq!(draft.unwrap().status.as_str(), "draft", "nothing sent");
    let resp = app
        .post_form(&submit, Some(&exporter), &[("declaration", "yes")])
        .await;
    resp.assert_status(303);
    let sent = app
        .get(resp.location().unwrap(), Some(&exporter))
        .await
        .text();
    assert!(sent.contains("Application sent"));
    assert!(sent.contains("GBSIEL/2026/"));
    assert!(sent.contains("What happens next"));
    assert_eq!(app.status_of(id).await, "submitted");

    // Submitted: its documents stay with it.
    let resp = app
        .post_form(&format!("{docs}/1/remove"), Some(&exporter), &[])
        .await;
    resp.assert_status(409);
    assert!(resp
        .text()
        .contains("Documents stay with a submitted application"));

    // The caseworker reads and downloads it; another exporter cannot.
    let caseworker = app.login(&app.world.caseworker.email).await;
    let page = app
        .get(&format!("/cases/{id}"), Some(&caseworker))
        .await
        .text();
    assert!(page.contains("eud.pdf"));
    let file = app
        .get(&format!("/cases/{id}/documents/1"), Some(&caseworker))
        .await;
    file.assert_status(200);
    assert_eq!(file.content_type(), "application/pdf");
    assert!(file
        .header("content-disposition")
        .unwrap()
        .starts_with("attachment"));
    assert_eq!(file.body.as_slice(), PDF);
    let rival = app.login(&app.world.other_exporter.email).await;
    app.get(&format!("/cases/{id}/documents/1"), Some(&rival))
        .await
        .assert_status(404);

    // The caseworker asks for a specification: a bad request is explained, kept and linked.
    let ask = format!("/cases/{id}/document-requests");
    let resp = app
        .post_form(
            &ask,
            Some(&caseworker),
            &[("document_kind", "technical_specification"), ("note", "")],
        )
        .await;
    resp.assert_status(422);
    let html = resp.text();
    assert!(
        html.contains(r##"href="#request-document-note""##),
        "{html}"
    );
    assert!(html.contains(r#"<option value="technical_specification" selected>"#));
    let note = "Please send the data sheet showing the sights' resolution.";
    app.post_form(
        &ask,
        Some(&caseworker),
        &[("document_kind", "technical_specification"), ("note", note)],
    )
    .await
    .assert_status(303);

    // The exporter sees what was asked, and gives it.
    let page = app
        .get(&format!("/cases/{id}"), Some(&exporter))
        .await
        .text();
    assert!(page.contains("Upload the documents asked for"), "{page}");
    assert!(page.contains("Outstanding"));
    let html = app.get(&docs, Some(&exporter)).await.text();
    assert!(html.contains("resolution"));
    app.post_multipart(
        &docs,
        Some(&exporter),
        &[("request", "1")],
        &[("file", "sheet.pdf", PDF)],
    )
    .await
    .assert_status(303);
    let page = app
        .get(&format!("/cases/{id}"), Some(&caseworker))
        .await
        .text();
    assert!(
        page.contains("sheet.pdf") && page.contains("Given"),
        "{page}"
    );
    // A request is answered once.
    let resp = app
        .post_multipart(
            &docs,
            Some(&exporter),
            &[("request", "1")],
            &[("file", "again.pdf", PDF)],
        )
        .await;
    resp.assert_status(409);
}
