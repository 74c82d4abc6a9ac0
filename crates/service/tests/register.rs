//! The register sequencer on both databases: decisions become signed log entries exactly
//! once; a failed run leaves no trace and a rerun continues; concurrent sequencers never
//! fork the log; tampering with stored entries, hashes or checkpoints is detected.
use std::collections::BTreeMap;

use probity_register::note::Ed25519Signer;
use probity_register::verify::{verify_log, LogReport, VerifyError};
use probity_service::domain::{commit, ConfidentialField, EntryOpening, LicenceAction, LogEntry};
use probity_service::register::public;
use probity_service::register::sequencer::Fault;
use probity_service::register::Sequencer;
use probity_service::testing::{Backend, Stage, TestDb, World};
use probity_service::{licences, Ctx};
use probity_store::register as reg;

const ORIGIN: &str = "probity.test/register";

fn signer() -> Ed25519Signer {
    Ed25519Signer::from_seed(ORIGIN, &[9; 32]).unwrap()
}

async fn count(ctx: &Ctx, table: &str) -> i64 {
    probity_store::count(
        &ctx.store,
        &format!("SELECT CAST(COUNT(*) AS BIGINT) FROM {table}"),
    )
    .await
    .unwrap()
}

async fn unpublished(ctx: &Ctx) -> i64 {
    probity_store::count(
        &ctx.store,
        "SELECT CAST(COUNT(*) AS BIGINT) FROM decision_outbox WHERE published_at IS NULL",
    )
    .await
    .unwrap()
}

/// The hash of the newest audit event.
async fn last_hash(ctx: &Ctx) -> String {
    sqlx::query_scalar("SELECT hash FROM audit_events ORDER BY seq DESC LIMIT 1")
        .fetch_one(ctx.store.pool())
        .await
        .unwrap()
}

/// Verifies the log as an outsider would, from an export of it.
async fn verify(ctx: &Ctx) -> Result<LogReport, VerifyError> {
    let files: BTreeMap<String, Vec<u8>> = public::export(ctx).await.unwrap().into_iter().collect();
    verify_log(
        &files["checkpoint"],
        &signer().verifier(),
        |p| files.get(p).map(Vec::as_slice),
        |_, e| LogEntry::decode(e).map(|_| ()).map_err(|e| e.to_string()),
    )
}

async fn sequences_decisions_once(backend: Backend) {
    let db = TestDb::new(backend).await;
    let w = World::new(&db).await;
    let c = &w.ctx;
    let seq = Sequencer::new(signer()).with_batch(2);
    // The first run publishes no decision, only an anchor of the chain the fixtures wrote.
    assert_eq!(seq.run_once(c).await.unwrap(), 0);
    assert_eq!(verify(c).await.unwrap().size, 1);
    w.case_at(Stage::Granted).await;
    w.case_at(Stage::Refused).await;
    let granted = w.case_at(Stage::Granted).await;
    let licence = licences::for_case(c, &w.decision_maker, granted)
        .await
        .unwrap();
    licences::act(
        c,
        &w.decision_maker,
        licence[0].id,
        LicenceAction::Suspend,
        "Review opened into the end user.",
    )
    .await
    .unwrap();
    let records = count(c, "decision_outbox").await;
    assert_eq!(records, 4);
    // Batches of two: 2 and an anchor (the chain moved with the decisions), 2 (it has not
    // moved since), then nothing.
    assert_eq!(seq.run_once(c).await.unwrap(), 2);
    assert_eq!(seq.run_once(c).await.unwrap(), 2);
    assert_eq!(seq.run_once(c).await.unwrap(), 0);
    assert_eq!(unpublished(c).await, 0);
    assert_eq!(count(c, "register_entries").await, 6);
    assert_eq!(count(c, "register_checkpoints").await, 3);
    assert_eq!(count(c, "register_entry_openings").await, 4);
    let report = verify(c).await.unwrap();
    assert_eq!((report.size, report.origin.as_str()), (6, ORIGIN));

    // Each outbox row has its index; the entry carries its seq and public facts only.
    let mut conn = c.store.pool().acquire().await.unwrap();
    let (events, head) = (count(c, "audit_events").await, last_hash(c).await);
    for index in 0..6u64 {
        let proof = public::inclusion_proof(c, index).await.unwrap();
        assert_eq!(proof.tree_size, 6);
        let stored = reg::read_entries(&mut conn, index, 1)
            .await
            .unwrap()
            .remove(0);
        let entry = match LogEntry::decode(&stored.bytes).unwrap() {
            LogEntry::Decision(entry) => entry,
            LogEntry::AuditAnchor(anchor) => {
                // Entries 0 and 3; no outbox row, no openings. The second states the chain
                // as it is now: no event has been recorded since.
                assert!([0, 3].contains(&index), "anchor at {index}");
                assert_eq!(stored.outbox_seq, None);
                assert!(reg::openings(&mut conn, index).await.unwrap().is_empty());
                if index == 3 {
                    assert_eq!(
                        (anchor.length as i64, anchor.head.to_string()),
                        (events, head.clone())
                    );
                }
                continue;
            }
        };
        assert_eq!(Some(entry.seq as i64), stored.outbox_seq);
        let row = probity_store::outbox::get(&c.store, stored.outbox_seq.unwrap())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(row.register_index, Some(index as i64));
        assert!(row.published_at.is_some());
        let text = String::from_utf8_lossy(&stored.bytes);
        assert!(!text.contains("Acme") && !text.contains("Ministry of Defence"));
        // The private openings open the entry's commitments.
        let openings = reg::openings(&mut conn, index).await.unwrap();
        assert_eq!(openings.len(), 5);
        for o in openings {
            let opening = EntryOpening {
                register_index: index,
                field: o.field.parse().unwrap(),
                salt: o.salt.clone(),
                value: o.value.clone(),
            };
            assert!(opening.opens(&entry), "{:?}", opening.field);
            if opening.field == ConfidentialField::Exporter {
                assert_eq!(o.value, "Acme Defence Ltd");
            }
        }
    }
    assert!(public::inclusion_proof(c, 6).await.is_err());
    assert_eq!(
        public::verifier_key(c).await.unwrap(),
        Some(signer().verifier().vkey())
    );
    // A different key is refused: one register, one identity.
    let other = Sequencer::new(Ed25519Signer::from_seed(ORIGIN, &[8; 32]).unwrap());
    assert!(other.run_once(c).await.is_err());
}

async fn a_failed_run_leaves_no_trace(backend: Backend) {
    let db = TestDb::new(backend).await;
    let w = World::new(&db).await;
    let c = &w.ctx;
    w.case_at(Stage::Granted).await;
    let seq = Sequencer::new(signer());
    assert_eq!(seq.run_once(c).await.unwrap(), 1);
    w.case_at(Stage::Granted).await;
    w.case_at(Stage::Refused).await;
    let tables = [
        "register_entries",
        "register_hashes",
        "register_checkpoints",
        "register_entry_openings",
    ];
    let mut before = Vec::new();
    for t in tables {
        before.push(count(c, t).await);
    }
    // One decision and its anchor.
    assert_eq!(before, [2, 3, 1, 1]);
    for fault in [Fault::BeforeCheckpoint, Fault::BeforeCommit] {
        let crashing = Sequencer::new(signer()).with_fault(Some(fault));
        assert!(crashing.run_once(c).await.is_err());
        for (t, n) in tables.iter().zip(&before) {
            assert_eq!(count(c, t).await, *n, "{t} after {fault:?}");
        }
        assert_eq!(unpublished(c).await, 2, "{fault:?}");
    }
    assert_eq!(seq.run_once(c).await.unwrap(), 2);
    assert_eq!(seq.run_once(c).await.unwrap(), 0);
    // Two more decisions and a second anchor.
    assert_eq!(verify(c).await.unwrap().size, 5);
}

async fn concurrent_sequencers_never_fork(backend: Backend) {
    let db = TestDb::new(backend).await;
    let w = World::new(&db).await;
    let c = &w.ctx;
    for _ in 0..3 {
        w.case_at(Stage::Granted).await;
    }
    let a = Sequencer::new(signer()).with_batch(1);
    let b = Sequencer::new(signer()).with_batch(1);
    let (c1, c2) = (c.clone(), c.clone());
    let run = |s: Sequencer, ctx: Ctx| async move {
        let mut n = 0;
        for _ in 0..4 {
            n += s.run_once(&ctx).await.unwrap();
        }
        n
    };
    let (x, y) = tokio::join!(tokio::spawn(run(a, c1)), tokio::spawn(run(b, c2)));
    assert_eq!(x.unwrap() + y.unwrap(), 3);
    // Three decisions and one anchor, with the first of them (no event came after).
    assert_eq!(verify(c).await.unwrap().size, 4);
    // Every checkpoint is a prefix of the final tree: sizes 2..=4 (or a subset), one each.
    let sizes: i64 = count(c, "register_checkpoints").await;
    assert!(sizes <= 3);
}

async fn tampering_is_detected(backend: Backend) {
    let db = TestDb::new(backend).await;
    let w = World::new(&db).await;
    let c = &w.ctx;
    for _ in 0..2 {
        w.case_at(Stage::Granted).await;
    }
    let seq = Sequencer::new(signer());
    // Two decisions and an anchor.
    assert_eq!(seq.run_once(c).await.unwrap(), 2);
    verify(c).await.unwrap();
    let pool = c.store.pool();
    let exec = |sql: String| async move { sqlx::query(&sql).execute(pool).await.unwrap() };

    // An entry row changed (one base64 character) is caught.
    let original: String = sqlx::query_scalar("SELECT entry FROM register_entries WHERE idx = 1")
        .fetch_one(pool)
        .await
        .unwrap();
    let mut forged = original.clone().into_bytes();
    forged[40] = if forged[40] == b'A' { b'B' } else { b'A' };
    let forged = String::from_utf8(forged).unwrap();
    exec(format!(
        "UPDATE register_entries SET entry = '{forged}' WHERE idx = 1"
    ))
    .await;
    let err = verify(c).await.unwrap_err();
    assert!(
        matches!(
            err,
            VerifyError::RootMismatch { .. } | VerifyError::Entry { index: 1, .. }
        ),
        "{err}"
    );
    exec(format!(
        "UPDATE register_entries SET entry = '{original}' WHERE idx = 1"
    ))
    .await;
    verify(c).await.unwrap();

    // A stored hash changed: the tile no longer matches, and the sequencer refuses to sign.
    let h: String = sqlx::query_scalar("SELECT hash FROM register_hashes WHERE idx = 1")
        .fetch_one(pool)
        .await
        .unwrap();
    let flipped = format!("{}{}", if h.starts_with('0') { "1" } else { "0" }, &h[1..]);
    exec(format!(
        "UPDATE register_hashes SET hash = '{flipped}' WHERE idx = 1"
    ))
    .await;
    let err = verify(c).await.unwrap_err();
    assert!(
        matches!(err, VerifyError::TileMismatch { position: 1, .. }),
        "{err}"
    );
    w.case_at(Stage::Granted).await;
    let refused = seq.run_once(c).await.unwrap_err().to_string();
    assert!(
        refused.contains("does not match the last signed checkpoint"),
        "{refused}"
    );
    assert_eq!(unpublished(c).await, 1);
    exec(format!(
        "UPDATE register_hashes SET hash = '{h}' WHERE idx = 1"
    ))
    .await;

    // A checkpoint changed: its signature no longer verifies, for verifiers and sequencer.
    let note: String =
        sqlx::query_scalar("SELECT note FROM register_checkpoints WHERE tree_size = 3")
            .fetch_one(pool)
            .await
            .unwrap();
    let forged = note.replacen("\n3\n", "\n4\n", 1);
    exec(format!(
        "UPDATE register_checkpoints SET note = '{forged}' WHERE tree_size = 3"
    ))
    .await;
    let err = verify(c).await.unwrap_err();
    assert!(err.to_string().contains("signature not verified"), "{err}");
    assert!(seq.run_once(c).await.is_err());
    exec(format!(
        "UPDATE register_checkpoints SET note = '{note}' WHERE tree_size = 3"
    ))
    .await;
    assert_eq!(seq.run_once(c).await.unwrap(), 1);
    assert_eq!(verify(c).await.unwrap().size, 5);
}

/// Migration 4 moved the openings from one row per field to one row per entry: reverting it
/// and applying it again, with entries stored, keeps every salt and value.
async fn openings_survive_their_migration_both_ways(backend: Backend) {
    let db = TestDb::new(backend).await;
    let w = World::new(&db).await;
    let c = &w.ctx;
    w.case_at(Stage::Granted).await;
    w.case_at(Stage::Refused).await;
    assert_eq!(Sequencer::new(signer()).run_once(c).await.unwrap(), 2);
    let read = |index| async move {
        let mut conn = c.store.pool().acquire().await.unwrap();
        reg::openings(&mut conn, index).await.unwrap()
    };
    let before = [read(0).await, read(1).await];
    assert!(before.iter().all(|o| o.len() == 5));
    // Migration 10 cannot be reverted under an audit anchor (entry 2); this test is about
    // migration 4, so the anchor goes.
    sqlx::query("DELETE FROM register_entries WHERE outbox_seq IS NULL")
        .execute(c.store.pool())
        .await
        .unwrap();

    let reverted = probity_store::migrate::revert_to(&c.store, 3)
        .await
        .unwrap();
    // Later migrations are reverted first, and 4 last.
    assert_eq!(reverted.last(), Some(&4));
    assert_eq!(count(c, "register_openings").await, 10);
    let exporter = probity_store::count(
        &c.store,
        "SELECT CAST(COUNT(*) AS BIGINT) FROM register_openings \
         WHERE field = 'exporter' AND value = 'Acme Defence Ltd'",
    )
    .await
    .unwrap();
    assert_eq!(exporter, 2);

    let reapplied = probity_store::migrate::run(&c.store).await.unwrap();
    assert_eq!(
        reapplied,
        reverted.iter().rev().copied().collect::<Vec<_>>()
    );
    assert_eq!([read(0).await, read(1).await], before);
    assert!(read(2).await.is_empty());
}

probity_service::backend_tests!(
    openings_survive_their_migration_both_ways,
    sequences_decisions_once,
    a_failed_run_leaves_no_trace,
    concurrent_sequencers_never_fork,
    tampering_is_detected,
);

#[test]
fn domain_and_register_commitments_agree_byte_for_byte() {
    let values: [&[u8]; 5] = [
        b"",
        b"Acme Defence Ltd",
        "Ünïcødé \n\"q\"".as_bytes(),
        &[0xff; 300],
        b"[\"40 items\"]",
    ];
    for (i, value) in values.iter().enumerate() {
        for field in ConfidentialField::ALL {
            let salt = [i as u8 * 37 + 1; 32];
            assert_eq!(
                commit(field.as_str(), &salt, value),
                probity_register::commitment::commit(field.as_str(), salt, value),
            );
        }
    }
    assert_eq!(
        probity_service::domain::COMMITMENT_DOMAIN,
        probity_register::commitment::COMMITMENT_DOMAIN
    );
}
