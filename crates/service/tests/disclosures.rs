//! Protected disclosure on both databases: made without an account, stored sealed (checked in
//! the raw tables: no plain text, no address, no time of day), read back and added to with the
//! receipt code alone, guessed codes refused with the one answer and rate limited, answered by
//! oversight only — and unreadable with any other key.
mod common;

use probity_service::disclosures::{self, OversightKeys, FAILED_LOOKUPS_PER_MINUTE};
use probity_service::domain::{DisclosureInput, DisclosureStatus};
use probity_service::testing::{Backend, TestDb, World};
use probity_service::ServiceError;
use sqlx::Row;
use time::Duration;

fn input() -> DisclosureInput {
    DisclosureInput {
        what: "The FCDO advice on case GBSIEL/2026/0000123 was rewritten after a meeting.".into(),
        concerns: "GBSIEL/2026/0000123; Israel".into(),
        evidence: "Draft of 3 March attached to the team's shared folder, version 4.".into(),
    }
}

fn refused_as_unrecognised(r: Result<impl std::fmt::Debug, ServiceError>) -> String {
    match r {
        Err(ServiceError::Validation(v)) => {
            assert_eq!(v.0[0].field, "code");
            v.0[0].message.clone()
        }
        other => panic!("expected the code to be refused: {other:?}"),
    }
}

async fn disclosure_round_trip(backend: Backend) {
    let db = TestDb::new(backend).await;
    let w = World::new(&db).await;
    // Without a key the service says it takes no disclosures.
    assert!(matches!(
        disclosures::make(&w.ctx, &input(), Vec::new()).await,
        Err(ServiceError::Conflict(_))
    ));
    let (keys, _) = OversightKeys::generate();
    let c = &w.ctx.clone().with_disclosure_keys(keys);
    let mut short = input();
    short.what = "Too short".into();
    assert!(matches!(
        disclosures::make(c, &short, Vec::new()).await,
        Err(ServiceError::Validation(_))
    ));

    let (id, code) = disclosures::make(c, &input(), Vec::new()).await.unwrap();
    let shown = code.to_string();

    // The raw tables: sealed text only, dates without a time, nothing about the visitor.
    let pool = db.store.pool();
    let row = sqlx::query("SELECT * FROM disclosures")
        .fetch_one(pool)
        .await
        .unwrap();
    let columns: Vec<String> = row
        .columns()
        .iter()
        .map(|c| sqlx::Column::name(c).to_string())
        .collect();
    assert_eq!(
        columns,
        [
            "id",
            "lookup",
            "code_hash",
            "status",
            "received_on",
            "due_on",
            "answered_on",
            "answered_late"
        ]
    );
    let received: String = row.get("received_on");
    assert_eq!(received, "2026-03-02", "a date, no time of day");
    let hash: String = row.get("code_hash");
    assert!(hash.starts_with("$argon2id$"), "{hash}");
    assert!(!hash.contains(&code.expose()[8..]));
    let sealed: Vec<String> = sqlx::query_scalar("SELECT sealed FROM disclosure_messages")
        .fetch_all(pool)
        .await
        .unwrap();
    assert_eq!(sealed.len(), 1);
    assert!(sealed[0].starts_with("-----BEGIN AGE ENCRYPTED FILE-----"));
    for word in ["FCDO", "rewritten", "GBSIEL", "Israel", "shared folder"] {
        assert!(!sealed[0].contains(word), "{word} in the clear");
    }

    // The discloser reads it back with the code, however typed.
    let seen = disclosures::status(c, &shown.to_lowercase().replace('-', " "))
        .await
        .unwrap();
    assert_eq!(seen.id, id.to_string());
    assert_eq!(seen.disclosure, input().check().unwrap());
    assert_eq!(seen.status, DisclosureStatus::Open);
    assert_eq!(seen.due_on, "2026-03-16");

    // A wrong secret, an unknown code and nonsense get the same answer.
    let mut wrong = code.expose().to_string();
    let last = if wrong.ends_with('0') { "1" } else { "0" };
    wrong.replace_range(33.., last);
    let a = refused_as_unrecognised(disclosures::status(c, &wrong).await);
    let b = refused_as_unrecognised(disclosures::status(c, &"Z".repeat(34)).await);
    let n = refused_as_unrecognised(disclosures::status(c, "let me in").await);
    assert!(a == b && b == n, "{a} / {b} / {n}");

    // Only oversight reads and answers; a line of thanks is not an answer.
    for other in [&w.caseworker, &w.policy, &w.decision_maker, &w.exporter] {
        assert!(matches!(
            disclosures::get(c, other, id).await,
            Err(ServiceError::NotFound(_))
        ));
        assert!(matches!(
            disclosures::list(c, other).await,
            Err(ServiceError::Forbidden(_))
        ));
    }
    let listed = disclosures::list(c, &w.oversight).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert!(matches!(
        disclosures::answer(c, &w.oversight, id, "Thank you, noted.").await,
        Err(ServiceError::Validation(_))
    ));
    w.clock.advance(Duration::days(16));
    disclosures::answer(
        c,
        &w.oversight,
        id,
        "We have obtained the draft and the final advice; the change is under investigation.",
    )
    .await
    .unwrap();
    let seen = disclosures::status(c, &shown).await.unwrap();
    assert_eq!(seen.status, DisclosureStatus::Answered);
    assert!(seen.answered_late, "answered after 16 March");
    assert_eq!(seen.messages.len(), 1);
    assert_eq!(seen.messages[0].author, "oversight");
    assert!(seen.messages[0].text.contains("under investigation"));

    // Adding information opens it again with a new due date.
    disclosures::add(
        c,
        &shown,
        "The meeting was on 2 March with the minister's office.",
        Vec::new(),
    )
    .await
    .unwrap();
    let seen = disclosures::status(c, &shown).await.unwrap();
    assert_eq!(seen.status, DisclosureStatus::Open);
    assert_eq!(seen.messages.len(), 2);
    assert!(seen.due_on.as_str() > "2026-03-18");

    // A stolen database and another key reveal nothing.
    let (other_keys, _) = OversightKeys::generate();
    let thief = w.ctx.clone().with_disclosure_keys(other_keys);
    assert!(disclosures::status(&thief, &shown).await.is_err());
    // A server holding only the public key takes disclosures but cannot read them.
    let (k, _) = OversightKeys::generate();
    let seal_only = w
        .ctx
        .clone()
        .with_disclosure_keys(OversightKeys::from_recipient(&k.recipient()).unwrap());
    let (_, code2) = disclosures::make(&seal_only, &input(), Vec::new())
        .await
        .unwrap();
    assert!(matches!(
        disclosures::status(&seal_only, &code2.to_string()).await,
        Err(ServiceError::Conflict(_))
    ));
}

async fn guessing_is_rate_limited(backend: Backend) {
    let db = TestDb::new(backend).await;
    let w = World::new(&db).await;
    let (keys, _) = OversightKeys::generate();
    let c = &w.ctx.clone().with_disclosure_keys(keys);
    let (_, code) = disclosures::make(c, &input(), Vec::new()).await.unwrap();
    for _ in 0..FAILED_LOOKUPS_PER_MINUTE {
        refused_as_unrecognised(disclosures::status(c, "nonsense").await);
    }
    // Past the limit even the right code gets the same answer, until the minute is over.
    refused_as_unrecognised(disclosures::status(c, &code.to_string()).await);
    w.clock.advance(Duration::seconds(61));
    assert!(disclosures::status(c, &code.to_string()).await.is_ok());
}

/// Files given with a disclosure and with an addition: refused by name when not allowed
/// (nothing stored), sealed whole — no file name, type or content readable in the raw
/// table — listed to the discloser by name, and opened byte for byte by oversight alone.
async fn disclosure_files(backend: Backend) {
    use probity_service::attachments;
    use probity_service::domain::Upload;
    let db = TestDb::new(backend).await;
    let w = World::new(&db).await;
    let (keys, _) = OversightKeys::generate();
    let c = &w.ctx.clone().with_disclosure_keys(keys);
    let refused = disclosures::make(
        c,
        &input(),
        vec![Upload {
            name: "tool.sh".into(),
            bytes: b"#!/bin/sh".to_vec(),
        }],
    )
    .await;
    let Err(ServiceError::Validation(v)) = refused else {
        panic!("a script is not evidence we accept: {refused:?}");
    };
    assert_eq!(v.0[0].field, "attachments");
    assert!(v.0[0].message.contains("“tool.sh” is not a type we accept"));
    let count = "SELECT COUNT(*) FROM disclosures";
    let n: i64 = sqlx::query_scalar(count)
        .fetch_one(db.store.pool())
        .await
        .unwrap();
    assert_eq!(n, 0, "nothing is kept of a refused disclosure");

    let memo = b"PK\x03\x04 [Content_Types].xml Minister's office: rewrite paragraph 4".to_vec();
    let (id, code) = disclosures::make(
        c,
        &input(),
        vec![Upload {
            name: "Rewrite-memo.docx".into(),
            bytes: memo.clone(),
        }],
    )
    .await
    .unwrap();
    let code = code.to_string();
    disclosures::add(
        c,
        &code,
        "The final version is attached as a scan of the printed copy.",
        vec![Upload {
            name: "final.png".into(),
            bytes: b"\x89PNG\r\n\x1a\nIHDR".to_vec(),
        }],
    )
    .await
    .unwrap();

    let rows = sqlx::query("SELECT * FROM disclosure_attachments ORDER BY number")
        .fetch_all(db.store.pool())
        .await
        .unwrap();
    assert_eq!(rows.len(), 2);
    for row in &rows {
        let meta: String = row.get("sealed_meta");
        let content: Vec<u8> = row.get("sealed_content");
        assert!(meta.starts_with("-----BEGIN AGE ENCRYPTED FILE-----"));
        assert!(content.starts_with(b"age-encryption.org/v1"));
        // Whole names, not fragments: armoured ciphertext is random base64,
        // in which a three-letter word like "png" turns up by chance.
        for word in ["Rewrite-memo.docx", "final.png", "image/png", "sha256"] {
            assert!(!meta.contains(word), "{word} in the clear");
        }
        assert!(
            !content.windows(8).any(|w| w == b"Minister"),
            "content in the clear"
        );
    }

    let seen = disclosures::status(c, &code).await.unwrap();
    assert_eq!(seen.attachments.len(), 1);
    assert_eq!(seen.attachments[0].name, "Rewrite-memo.docx");
    assert_eq!(seen.messages[0].attachments[0].name, "final.png");
    let f = attachments::disclosure_file(c, &w.oversight, id, 1)
        .await
        .unwrap();
    assert_eq!(f.bytes, memo);
    assert_eq!(f.name, "Rewrite-memo.docx");
    assert!(f.media_type.contains("wordprocessingml"));
    for other in [&w.policy, &w.decision_maker, &w.fcdo_adviser, &w.admin] {
        assert!(matches!(
            attachments::disclosure_file(c, other, id, 1).await,
            Err(ServiceError::NotFound(_))
        ));
    }
}

probity_service::backend_tests!(
    disclosure_round_trip,
    guessing_is_rate_limited,
    disclosure_files
);
