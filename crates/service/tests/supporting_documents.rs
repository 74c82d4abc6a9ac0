//! The task-list application and its supporting documents on both databases: sections saved
//! one at a time into the stored draft, documents stored exactly with their digest in the
//! audit chain, refused files leaving nothing, documents kept once submitted, a caseworker's
//! request answered once even when two answers race, and nothing added after the decision.
use probity_service::domain::{
    ApplicationInput, ApplicationSection, SectionState, Upload, MAX_ATTACHMENT_BYTES,
};
use probity_service::supporting_documents::{self as docs, NewUpload};
use probity_service::testing::{siel, Backend, Stage, TestDb, World};
use probity_service::{application_sections as sections, applications, cases, ServiceError};
use sha2::{Digest, Sha256};

const PDF: &[u8] = b"%PDF-1.7\nEnd-user undertaking, signed 1 December.";

fn upload(kind: &str, name: &str, bytes: &[u8]) -> NewUpload {
    NewUpload {
        document_kind: kind.into(),
        request: None,
        file: Some(Upload {
            name: name.into(),
            bytes: bytes.to_vec(),
        }),
    }
}

fn state(list: &sections::TaskList, s: ApplicationSection) -> SectionState {
    list.sections.iter().find(|(x, _)| *x == s).unwrap().1
}

async fn an_application_is_built_section_by_section(backend: Backend) {
    let db = TestDb::new(backend).await;
    let w = World::new(&db).await;
    let (c, exp) = (&w.ctx, &w.exporter);

    let refused = sections::start(c, exp, "").await.unwrap_err();
    assert!(
        matches!(refused, ServiceError::Validation(_)),
        "{refused:?}"
    );
    let id = sections::start(c, exp, "siel").await.unwrap();
    let full = siel("NO");

    // A malformed section is refused and the stored draft is unchanged.
    let mut bad = ApplicationInput {
        goods: full.goods.clone(),
        ..Default::default()
    };
    bad.goods[0].ratings = vec!["ML99".into()];
    let e = sections::save_section(c, exp, id, ApplicationSection::Goods, &bad)
        .await
        .unwrap_err();
    assert!(matches!(e, ServiceError::Validation(_)), "{e:?}");
    let list = sections::task_list(c, exp, id).await.unwrap();
    assert_eq!(
        state(&list, ApplicationSection::Goods),
        SectionState::NotStarted
    );

    // Each section replaces only its own part of the draft.
    for s in [
        ApplicationSection::Goods,
        ApplicationSection::Parties,
        ApplicationSection::EndUse,
    ] {
        sections::save_section(c, exp, id, s, &full).await.unwrap();
    }
    let list = sections::task_list(c, exp, id).await.unwrap();
    assert!(list.ready, "{:?}", list.sections);
    assert_eq!(list.case.draft.goods, full.goods);
    assert_eq!(list.case.draft.parties.len(), full.parties.len());
    assert_eq!(list.case.draft.licence_type, "siel");
    // Another exporter's draft is not theirs to see or change.
    let e = sections::task_list(c, &w.other_exporter, id)
        .await
        .unwrap_err();
    assert!(matches!(e, ServiceError::NotFound(_)), "{e:?}");
    let e = sections::save_section(c, &w.other_exporter, id, ApplicationSection::EndUse, &full)
        .await
        .unwrap_err();
    assert!(matches!(e, ServiceError::NotFound(_)), "{e:?}");

    // A document is stored exactly, its digest in the audit chain.
    let n = docs::upload(c, exp, id, upload("end_user_undertaking", "eud.pdf", PDF))
        .await
        .unwrap();
    let file = docs::download(c, exp, id, n).await.unwrap();
    assert_eq!(file.bytes, PDF);
    assert_eq!(file.media_type, "application/pdf");
    // A file over the limit, or not what its name says, leaves nothing behind.
    let mut big = b"%PDF-".to_vec();
    big.resize(MAX_ATTACHMENT_BYTES + 1, b'0');
    for (name, bytes) in [
        ("big.pdf", big.as_slice()),
        ("run.pdf", b"MZ\x90\x00".as_slice()),
    ] {
        let e = docs::upload(c, exp, id, upload("other", name, bytes))
            .await
            .unwrap_err();
        assert!(matches!(e, ServiceError::Validation(_)), "{name}: {e:?}");
    }
    assert_eq!(docs::of_case(c, exp, id).await.unwrap().documents.len(), 1);
    let e = docs::of_case(c, &w.other_exporter, id).await.unwrap_err();
    assert!(matches!(e, ServiceError::NotFound(_)), "{e:?}");

    applications::submit(c, exp, id).await.unwrap();
    let events = cases::history(c, &w.caseworker, id).await.unwrap();
    let uploaded = events
        .iter()
        .find(|e| e.action == "application.document_upload")
        .expect("the upload is in the audit chain");
    let digest = hex::encode(Sha256::digest(PDF));
    assert_eq!(uploaded.detail["sha256"], digest.as_str());
    let sent = events
        .iter()
        .find(|e| e.action == "application.submit")
        .unwrap();
    assert!(sent.detail["declaration"].is_string(), "{:?}", sent.detail);

    // Submitted: documents stay; the caseworker reads them.
    let e = docs::remove(c, exp, id, n).await.unwrap_err();
    assert!(matches!(e, ServiceError::Conflict(_)), "{e:?}");
    assert_eq!(
        docs::download(c, &w.caseworker, id, n).await.unwrap().bytes,
        PDF
    );
}

async fn a_request_is_answered_once_and_nothing_is_added_after_the_decision(backend: Backend) {
    let db = TestDb::new(backend).await;
    let w = World::new(&db).await;
    let c = &w.ctx;
    let id = w.case_at(Stage::UnderReview).await;

    let e = docs::request(c, &w.exporter, id, "technical_specification", "Send it.")
        .await
        .unwrap_err();
    assert!(matches!(e, ServiceError::Forbidden(_)), "{e:?}");
    let e = docs::request(c, &w.caseworker, id, "passport", "Send the data sheet.")
        .await
        .unwrap_err();
    assert!(matches!(e, ServiceError::Validation(_)), "{e:?}");
    let asked = docs::request(
        c,
        &w.caseworker,
        id,
        "technical_specification",
        "Send the data sheet.",
    )
    .await
    .unwrap();

    // Two answers at once: one is taken, the other told the request was answered.
    let answer = |name: &str| NewUpload {
        request: Some(asked),
        ..upload("", name, PDF)
    };
    let (a, b) = tokio::join!(
        docs::upload(c, &w.exporter, id, answer("one.pdf")),
        docs::upload(c, &w.exporter, id, answer("two.pdf")),
    );
    assert!(a.is_ok() != b.is_ok(), "exactly one answer: {a:?} {b:?}");
    let loser = a.err().or(b.err()).unwrap();
    assert!(matches!(loser, ServiceError::Conflict(_)), "{loser:?}");
    let now = docs::of_case(c, &w.caseworker, id).await.unwrap();
    assert_eq!(now.documents.len(), 1);
    assert_eq!(now.requests[0].fulfilled_by, Some(now.documents[0].number));
    assert_eq!(
        now.documents[0].document_kind.as_str(),
        "technical_specification"
    );

    // Decided: nothing more is added or asked for.
    let granted = w.case_at(Stage::Granted).await;
    let e = docs::upload(c, &w.exporter, granted, upload("other", "late.pdf", PDF))
        .await
        .unwrap_err();
    assert!(matches!(e, ServiceError::Conflict(_)), "{e:?}");
    let e = docs::request(
        c,
        &w.caseworker,
        granted,
        "other",
        "One more thing, please.",
    )
    .await
    .unwrap_err();
    assert!(matches!(e, ServiceError::Conflict(_)), "{e:?}");
}

probity_service::backend_tests!(
    an_application_is_built_section_by_section,
    a_request_is_answered_once_and_nothing_is_added_after_the_decision,
);
