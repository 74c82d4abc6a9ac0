//! Audit anchors on both databases: the sequencer anchors the audit chain as its own
//! transaction reads it, with every batch of decisions and at least every interval when the
//! chain moved, never when it did not, and without moving it; anchors are not decisions; and
//! the chain checked against the published anchors catches the newest events deleted, and an
//! event rewritten with every later one re-hashed, which the chain alone does not.
use std::collections::BTreeMap;
use std::time::Duration;

use probity_register::note::Ed25519Signer;
use probity_register::verify::verify_log;
use probity_service::audit_anchors::{
    self, AnchorBreak, AnchorVerdict, AnchorsHold, PublishedAnchor,
};
use probity_service::domain::LogEntry;
use probity_service::orgs::{self, TeamKind};
use probity_service::register::semantics::LogFacts;
use probity_service::register::{disclosure, public, Sequencer, DEFAULT_ANCHOR_INTERVAL};
use probity_service::testing::{tamper, Backend, Stage, TestDb, World};
use probity_service::{records, Ctx, ServiceError};

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

/// The newest audit event's (number, hash).
async fn chain_head(ctx: &Ctx) -> (u64, String) {
    let (seq, hash): (i64, String) =
        sqlx::query_as("SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1")
            .fetch_one(ctx.store.pool())
            .await
            .unwrap();
    (seq as u64, hash)
}

/// Every entry of the register, read as an outsider would: from an export, verified against
/// the signed checkpoint, each entry checked by a monitor's semantics.
async fn published(ctx: &Ctx) -> Vec<(u64, LogEntry)> {
    let files: BTreeMap<String, Vec<u8>> = public::export(ctx).await.unwrap().into_iter().collect();
    let mut entries = Vec::new();
    let mut facts = LogFacts::default();
    verify_log(
        &files["checkpoint"],
        &signer().verifier(),
        |p| files.get(p).map(Vec::as_slice),
        |index, bytes| {
            facts.check(index, bytes)?;
            entries.push((index, LogEntry::decode(bytes).map_err(|e| e.to_string())?));
            Ok(())
        },
    )
    .unwrap();
    entries
}

async fn anchors(ctx: &Ctx) -> Vec<PublishedAnchor> {
    published(ctx)
        .await
        .into_iter()
        .filter_map(|(index, e)| e.anchor().map(|&anchor| PublishedAnchor { index, anchor }))
        .collect()
}

/// Moves the chain without a decision (one audit event).
async fn some_event(ctx: &Ctx, name: &str) {
    orgs::create_team(ctx, None, name, TeamKind::Advisory)
        .await
        .unwrap();
}

async fn entries(ctx: &Ctx) -> i64 {
    count(ctx, "register_entries").await
}

async fn anchors_follow_the_chain_and_do_not_move_it(backend: Backend) {
    let db = TestDb::new(backend).await;
    let w = World::new(&db).await;
    let c = &w.ctx;
    let seq = Sequencer::new(signer());

    // The fixtures wrote events: the first run anchors them, as they are.
    assert_eq!(seq.run_once(c).await.unwrap(), 0);
    let head = chain_head(c).await;
    let a = anchors(c).await;
    assert_eq!(a.len(), 1);
    assert_eq!((a[0].index, a[0].anchor.length), (0, head.0));
    assert_eq!(a[0].anchor.head.to_string(), head.1);
    assert_eq!(a[0].anchor.anchored_at, w.now());
    // Anchoring records no event, so the chain has not moved and nothing more is appended.
    let events = count(c, "audit_events").await;
    for _ in 0..3 {
        assert_eq!(seq.run_once(c).await.unwrap(), 0);
    }
    assert_eq!(
        (entries(c).await, count(c, "audit_events").await),
        (1, events)
    );

    // A batch of decisions is anchored at once, after its decisions, including their events.
    w.case_at(Stage::Granted).await;
    w.case_at(Stage::Refused).await;
    assert_eq!(seq.run_once(c).await.unwrap(), 2);
    let a = anchors(c).await;
    assert_eq!(a.len(), 2);
    assert_eq!(a[1].index, 3);
    assert_eq!(
        (a[1].anchor.length, a[1].anchor.head.to_string()),
        chain_head(c).await
    );
    assert_eq!(seq.run_once(c).await.unwrap(), 0);
    assert_eq!(entries(c).await, 4);

    // The chain moves with no decision: anchored once the interval has passed, not before.
    some_event(c, "Team A").await;
    assert_eq!(seq.run_once(c).await.unwrap(), 0);
    assert_eq!(entries(c).await, 4);
    w.clock.advance(time::Duration::minutes(4));
    seq.run_once(c).await.unwrap();
    assert_eq!(entries(c).await, 4, "four minutes is not yet five");
    w.clock.advance(time::Duration::minutes(1));
    seq.run_once(c).await.unwrap();
    assert_eq!(entries(c).await, 5);
    let newest = anchors(c).await.pop().unwrap();
    assert_eq!(newest.anchor.length, chain_head(c).await.0);
    assert_eq!(newest.anchor.anchored_at, w.now());
    w.clock.advance(time::Duration::hours(1));
    seq.run_once(c).await.unwrap();
    assert_eq!(
        entries(c).await,
        5,
        "an unmoved chain is never anchored again"
    );

    // Another interval, configured. (The last anchor is an hour old: Team B is anchored at
    // once; Team C a minute later.)
    let quick = Sequencer::new(signer()).with_anchor_interval(Duration::from_secs(60));
    assert_eq!(DEFAULT_ANCHOR_INTERVAL, Duration::from_secs(300));
    some_event(c, "Team B").await;
    quick.run_once(c).await.unwrap();
    assert_eq!(entries(c).await, 6);
    some_event(c, "Team C").await;
    w.clock.advance(time::Duration::seconds(59));
    quick.run_once(c).await.unwrap();
    assert_eq!(entries(c).await, 6);
    w.clock.advance(time::Duration::seconds(1));
    quick.run_once(c).await.unwrap();
    assert_eq!(entries(c).await, 7);

    // Anchors are not decisions: two records, numbered 1 and 2, at their own indexes.
    assert_eq!(count(c, "decision_outbox").await, 2);
    let list = records::list_public(c, None, 1, 50).await.unwrap();
    assert_eq!(list.total, 2);
    let mut indexes: Vec<_> = list.records.iter().map(|r| r.register_index).collect();
    indexes.sort();
    assert_eq!(indexes, [Some(1), Some(2)]);
    let kinds: Vec<&str> = published(c).await.iter().map(|(_, e)| e.kind()).collect();
    assert_eq!(
        kinds,
        [
            "audit_anchor",
            "grant",
            "refusal",
            "audit_anchor",
            "audit_anchor",
            "audit_anchor",
            "audit_anchor"
        ]
    );
    // An anchor has nothing to disclose.
    let refused = disclosure::disclose(c, &w.oversight, 0, None, "Checking an anchor entry.")
        .await
        .unwrap_err();
    assert!(
        matches!(&refused, ServiceError::Conflict(m) if m.contains("audit anchor")),
        "{refused:?}"
    );

    // The untouched chain holds every anchor.
    let a = anchors(c).await;
    let verdict = audit_anchors::verify_against(&c.store, &a).await.unwrap();
    let AnchorVerdict::Checked { anchors: held, .. } = verdict else {
        panic!("{verdict:?}")
    };
    assert_eq!(
        held,
        Ok(AnchorsHold {
            anchors: 5,
            newest: a.last().copied(),
            events_since: 0
        })
    );
}

async fn deleted_events_contradict_an_anchor(backend: Backend) {
    let db = TestDb::new(backend).await;
    let w = World::new(&db).await;
    let c = &w.ctx;
    let seq = Sequencer::new(signer());
    seq.run_once(c).await.unwrap();
    w.case_at(Stage::Granted).await;
    seq.run_once(c).await.unwrap();
    w.case_at(Stage::Refused).await;
    seq.run_once(c).await.unwrap();
    // Events after the newest anchor: not yet published anywhere.
    some_event(c, "Team after").await;
    some_event(c, "Team after 2").await;
    let a = anchors(c).await;
    assert_eq!(a.len(), 3);
    let (first, middle, newest) = (a[0].anchor.length, a[1].anchor.length, a[2].anchor.length);
    assert!(first < middle && middle < newest && newest + 2 == chain_head(c).await.0);
    let check = || async { audit_anchors::verify_against(&c.store, &a).await.unwrap() };
    let broken = |v: AnchorVerdict| match v {
        AnchorVerdict::Checked {
            chain,
            anchors: Err(b),
        } => {
            // The chain alone verifies: only the anchors catch it.
            assert!(chain.events > 0);
            b
        }
        other => panic!("the anchors should be contradicted: {other:?}"),
    };
    assert!(matches!(
        check().await,
        AnchorVerdict::Checked { anchors: Ok(_), .. }
    ));

    // Events after the newest anchor can go unseen (the window the interval bounds).
    tamper::delete_newest_events(&c.store, 2).await;
    assert!(matches!(
        check().await,
        AnchorVerdict::Checked { anchors: Ok(_), .. }
    ));

    // One event before the newest anchor deleted: the newest anchor is past the end.
    tamper::delete_newest_events(&c.store, 1).await;
    assert_eq!(
        broken(check().await),
        AnchorBreak::Truncated {
            at: a[2],
            events: newest - 1
        }
    );
    // Down into the first anchor's events: the first anchor is named.
    tamper::delete_newest_events(&c.store, (newest - first) as i64).await;
    let b = broken(check().await);
    assert_eq!(
        b,
        AnchorBreak::Truncated {
            at: a[0],
            events: first - 1
        }
    );
    assert!(b.to_string().ends_with("events were deleted"), "{b}");
}

async fn a_rewritten_event_contradicts_the_first_anchor_after_it(backend: Backend) {
    let db = TestDb::new(backend).await;
    let w = World::new(&db).await;
    let c = &w.ctx;
    let seq = Sequencer::new(signer());
    seq.run_once(c).await.unwrap();
    w.case_at(Stage::Granted).await;
    seq.run_once(c).await.unwrap();
    w.case_at(Stage::Granted).await;
    seq.run_once(c).await.unwrap();
    let a = anchors(c).await;
    let (first, middle) = (a[0].anchor.length, a[1].anchor.length);
    let target = (first + middle) as i64 / 2 + 1;
    let original: String =
        sqlx::query_scalar("SELECT detail_json FROM audit_events WHERE seq = $1")
            .bind(target)
            .fetch_one(c.store.pool())
            .await
            .unwrap();

    tamper::rewrite_event(&c.store, target, r#"{"reason":"nothing to see"}"#).await;
    let verdict = audit_anchors::verify_against(&c.store, &a).await.unwrap();
    let AnchorVerdict::Checked {
        anchors: Err(AnchorBreak::Rewritten { at, found, after }),
        ..
    } = verdict
    else {
        panic!("a rewrite should contradict an anchor: {verdict:?}")
    };
    assert_eq!((at, after), (a[1], Some(first)));
    assert_ne!(found, a[1].anchor.head);
    // Oversight's page says the same about the newest anchor.
    let status = audit_anchors::status(c, &w.oversight).await.unwrap();
    assert_eq!(status.newest_anchor, a.last().copied());
    assert!(matches!(
        status.verdict,
        AnchorVerdict::Checked {
            anchors: Err(AnchorBreak::Rewritten { .. }),
            ..
        }
    ));
    assert!(matches!(
        audit_anchors::status(c, &w.caseworker).await,
        Err(ServiceError::Forbidden(_))
    ));
    // The sequencer does not launder the rewrite into a fresh anchor, even with decisions to
    // publish; and if an anchor of the rewritten chain did exist, the page would still check
    // the older ones.
    w.case_at(Stage::Granted).await;
    seq.run_once(c).await.unwrap();
    assert_eq!(anchors(c).await, a, "no anchor of a rewritten chain");
    let status = audit_anchors::status(c, &w.oversight).await.unwrap();
    assert!(matches!(
        status.verdict,
        AnchorVerdict::Checked {
            anchors: Err(AnchorBreak::Rewritten { .. }),
            ..
        }
    ));

    // Writing the original back restores every hash: the anchors hold again.
    tamper::rewrite_event(&c.store, target, &original).await;
    let status = audit_anchors::status(c, &w.oversight).await.unwrap();
    assert!(matches!(
        status.verdict,
        AnchorVerdict::Checked { anchors: Ok(_), .. }
    ));
}

/// Migration 10 cannot be reverted once the register holds an anchor (it would have to
/// delete entries of a signed log); the refusal changes nothing.
async fn anchors_cannot_be_migrated_away(backend: Backend) {
    let db = TestDb::new(backend).await;
    let w = World::new(&db).await;
    let c = &w.ctx;
    Sequencer::new(signer()).run_once(c).await.unwrap();
    assert!(probity_store::migrate::revert_to(&c.store, 6)
        .await
        .is_err());
    assert_eq!(
        probity_store::migrate::current_version(&c.store)
            .await
            .unwrap(),
        probity_store::migrate::latest_version()
    );
    w.case_at(Stage::Granted).await;
    assert_eq!(Sequencer::new(signer()).run_once(c).await.unwrap(), 1);
    assert_eq!(anchors(c).await.len(), 2);
}

probity_service::backend_tests!(
    anchors_follow_the_chain_and_do_not_move_it,
    deleted_events_contradict_an_anchor,
    a_rewritten_event_contradicts_the_first_anchor_after_it,
    anchors_cannot_be_migrated_away,
);
