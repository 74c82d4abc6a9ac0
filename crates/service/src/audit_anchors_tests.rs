use super::*;
use time::macros::datetime;

/// A stand-in for the hash of event `n` of the chain (`version` changes after a rewrite).
fn h(n: u64, version: u8) -> ChainHash {
    let mut b = [version; 32];
    b[..8].copy_from_slice(&n.to_be_bytes());
    ChainHash(b)
}

fn anchor(index: u64, length: u64) -> PublishedAnchor {
    PublishedAnchor {
        index,
        anchor: AuditAnchor::new(datetime!(2026-11-02 10:00 UTC), length, h(length, 0)),
    }
}

/// A chain of `events` events, read at every anchored length; events after `rewritten_from`
/// (if any) hash differently, as after an edit and re-hash.
fn chain(events: u64, anchors: &[PublishedAnchor], rewritten_from: Option<u64>) -> ChainReading {
    let hashes = events_to_read(anchors)
        .into_iter()
        .filter(|&n| n <= events)
        .map(|n| {
            let version = u8::from(rewritten_from.is_some_and(|r| n >= r));
            (n, h(n, version))
        })
        .collect();
    ChainReading { events, hashes }
}

#[test]
fn an_untouched_chain_holds_every_anchor() {
    let anchors = [anchor(3, 10), anchor(9, 25), anchor(20, 40)];
    let held = check_anchors(&anchors, &chain(47, &anchors, None)).unwrap();
    assert_eq!(
        held,
        AnchorsHold {
            anchors: 3,
            newest: Some(anchors[2]),
            events_since: 7
        }
    );
    // No anchors yet: nothing to contradict, every event is "since".
    let none = check_anchors(&[], &chain(5, &[], None)).unwrap();
    assert_eq!((none.anchors, none.newest, none.events_since), (0, None, 5));
    // Exactly at the newest anchor.
    assert_eq!(
        check_anchors(&anchors, &chain(40, &anchors, None))
            .unwrap()
            .events_since,
        0
    );
}

#[test]
fn deleting_the_newest_events_contradicts_the_first_anchor_past_the_end() {
    let anchors = [anchor(3, 10), anchor(9, 25), anchor(20, 40)];
    let err = check_anchors(&anchors, &chain(24, &anchors, None)).unwrap_err();
    assert_eq!(
        err,
        AnchorBreak::Truncated {
            at: anchors[1],
            events: 24
        }
    );
    // An empty database contradicts the very first anchor.
    let err = check_anchors(&anchors, &chain(0, &anchors, None)).unwrap_err();
    assert_eq!(
        err,
        AnchorBreak::Truncated {
            at: anchors[0],
            events: 0
        }
    );
}

#[test]
fn a_rewrite_contradicts_the_first_anchor_at_or_after_it_and_is_bounded_below() {
    let anchors = [anchor(3, 10), anchor(9, 25), anchor(20, 40)];
    // Event 12 edited and everything after re-hashed: anchor 10 still holds, 25 does not.
    let err = check_anchors(&anchors, &chain(47, &anchors, Some(12))).unwrap_err();
    assert_eq!(
        err,
        AnchorBreak::Rewritten {
            at: anchors[1],
            found: h(25, 1),
            after: Some(10)
        }
    );
    // Before the first anchor: no lower bound.
    let err = check_anchors(&anchors, &chain(47, &anchors, Some(1))).unwrap_err();
    assert!(matches!(err, AnchorBreak::Rewritten { at, after: None, .. } if at == anchors[0]));
    // After the newest anchor: nothing published covers it yet, so it cannot be caught.
    assert!(check_anchors(&anchors, &chain(47, &anchors, Some(41))).is_ok());
}

#[test]
fn anchors_are_checked_in_register_order() {
    // A register whose later anchor is shorter (the chain was cut and re-grown before it was
    // anchored again): the database is held to the earlier, longer one.
    let anchors = [anchor(5, 30), anchor(8, 20)];
    let err = check_anchors(&anchors, &chain(25, &anchors, None)).unwrap_err();
    assert!(matches!(err, AnchorBreak::Truncated { at, events: 25 } if at == anchors[0]));
    // A lower bound only comes from a shorter anchor.
    let err = check_anchors(&anchors, &chain(30, &anchors, Some(15))).unwrap_err();
    assert!(matches!(err, AnchorBreak::Rewritten { at, after: None, .. } if at == anchors[0]));
}

#[test]
fn a_reading_without_the_anchored_event_concludes_nothing() {
    let anchors = [anchor(3, 10)];
    let reading = ChainReading {
        events: 12,
        hashes: BTreeMap::new(),
    };
    assert_eq!(
        check_anchors(&anchors, &reading),
        Err(AnchorBreak::NotRead { at: anchors[0] })
    );
    assert_eq!(
        events_to_read(&[anchor(1, 7), anchor(2, 3), anchor(3, 7)]),
        [3, 7].into()
    );
}

#[test]
fn breaks_are_told_in_plain_words() {
    let at = PublishedAnchor {
        index: 1234,
        anchor: AuditAnchor::new(
            datetime!(2026-11-02 10:00:59 UTC),
            5210,
            "ab12cd34".repeat(8).parse().unwrap(),
        ),
    };
    assert_eq!(
        AnchorBreak::Truncated { at, events: 5100 }.to_string(),
        "the register's anchor at index 1234 (2026-11-02 10:00 UTC) says the chain had 5,210 \
         events ending in ab12cd34…; the database has only 5,100: events were deleted"
    );
    let found: ChainHash = "cd34ef56".repeat(8).parse().unwrap();
    assert_eq!(
        AnchorBreak::Rewritten {
            at,
            found,
            after: None
        }
        .to_string(),
        "the register's anchor at index 1234 (2026-11-02 10:00 UTC) says the chain had 5,210 \
         events ending in ab12cd34…; event 5,210 now hashes to cd34ef56…: the chain was \
         rewritten at or before event 5,210"
    );
    assert!(AnchorBreak::Rewritten {
        at,
        found,
        after: Some(4987)
    }
    .to_string()
    .ends_with("(and after event 4,987, which an earlier anchor still matches)"));
}

#[test]
fn numbers_and_times_for_people() {
    for (n, s) in [
        (0, "0"),
        (999, "999"),
        (1000, "1,000"),
        (5210, "5,210"),
        (1_234_567, "1,234,567"),
        (u64::MAX, "18,446,744,073,709,551,615"),
    ] {
        assert_eq!(thousands(n), s);
    }
    assert_eq!(
        minute_utc(datetime!(2026-01-02 03:04:05 +01:00)),
        "2026-01-02 02:04 UTC"
    );
}
