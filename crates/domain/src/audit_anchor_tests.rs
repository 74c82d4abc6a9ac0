use super::*;
use crate::log_entry::LogEntry;
use crate::register_entry::{RegisterEntry, ENTRY_LABEL};
use proptest::prelude::*;
use sha2::{Digest, Sha256};
use time::macros::datetime;

/// The worked example of docs/register-format.md §3: 5,210 events read at 2026-11-02 10:00
/// UTC, the last hashing to ab12cd34… (an illustrative head).
fn example() -> AuditAnchor {
    let head = "ab12cd34".repeat(8).parse().unwrap();
    AuditAnchor::new(datetime!(2026-11-02 10:00 UTC), 5210, head)
}

/// The example's bytes, as printed in docs/register-format.md.
const EXAMPLE_HEX: &str = "70726f626974792f61756469742d616e63686f722f76310a\
                           00065f48357e0800\
                           000000000000145a\
                           ab12cd34ab12cd34ab12cd34ab12cd34ab12cd34ab12cd34ab12cd34ab12cd34";

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn worked_example_matches_the_documented_bytes() {
    let bytes = example().encode().unwrap();
    assert_eq!(
        hex(&bytes),
        EXAMPLE_HEX,
        "update docs/register-format.md §3"
    );
    assert_eq!((bytes.len(), ANCHOR_LEN, ANCHOR_LABEL.len()), (72, 72, 24));
    assert_eq!(AuditAnchor::decode(&bytes).unwrap(), example());
    // The Merkle leaf hash, as documented (RFC 9162: SHA-256 of 0x00 ‖ entry).
    let mut leaf = Sha256::new();
    leaf.update([0u8]);
    leaf.update(&bytes);
    assert_eq!(
        hex(&leaf.finalize()),
        "cfd213f3fb5c38ed5cb61cd99ce6ba8b9921277bbc83ada2fd7aa41941726a17"
    );
}

#[test]
fn log_entries_are_told_apart_by_their_label() {
    let bytes = example().encode().unwrap();
    let entry = LogEntry::decode(&bytes).unwrap();
    assert_eq!(entry, LogEntry::AuditAnchor(example()));
    assert_eq!(entry.kind(), "audit_anchor");
    assert_eq!((entry.anchor(), entry.decision()), (Some(&example()), None));
    assert_eq!(entry.encode().unwrap(), bytes);
    // An anchor is not a decision, and the other way round.
    assert_eq!(
        RegisterEntry::decode(&bytes),
        Err(EntryError::BadLabel {
            want: "probity/decision/v1\\n"
        })
    );
    let mut decision = ENTRY_LABEL.to_vec();
    decision.extend_from_slice(&[0; 60]);
    assert_eq!(
        AuditAnchor::decode(&decision),
        Err(EntryError::BadLabel {
            want: "probity/audit-anchor/v1\\n"
        })
    );
    // Routed to the decision decoder, which finds an empty kind.
    assert!(matches!(
        LogEntry::decode(&decision),
        Err(EntryError::Invalid { field: "kind", .. })
    ));
    assert_eq!(LogEntry::decode(b""), Err(EntryError::UnknownLabel));
    assert_eq!(
        LogEntry::decode(b"probity/other/v1\n and more"),
        Err(EntryError::UnknownLabel)
    );
}

#[test]
fn decode_rejects_malformed_anchors_with_clear_errors() {
    let good = example().encode().unwrap();
    assert_eq!(
        AuditAnchor::decode(&good[..10]),
        Err(EntryError::Truncated {
            field: "label",
            at: 0
        })
    );
    // Every cut past the label names the field it cuts.
    for (cut, field, at) in [
        (24, "anchored_at", 24),
        (31, "anchored_at", 24),
        (32, "chain_length", 32),
        (39, "chain_length", 32),
        (40, "chain_head", 40),
        (71, "chain_head", 40),
    ] {
        assert_eq!(
            AuditAnchor::decode(&good[..cut]),
            Err(EntryError::Truncated { field, at }),
            "cut at {cut}"
        );
    }
    let mut trailing = good.clone();
    trailing.extend_from_slice(&[0, 0]);
    assert_eq!(
        AuditAnchor::decode(&trailing),
        Err(EntryError::TrailingBytes { count: 2 })
    );
    let with_length = |length: u64| {
        let mut b = good.clone();
        b[32..40].copy_from_slice(&length.to_be_bytes());
        AuditAnchor::decode(&b)
    };
    assert!(matches!(
        with_length(0),
        Err(EntryError::Invalid { field: "chain_length", reason }) if reason.contains("at least one event")
    ));
    assert!(matches!(
        with_length(1 << 63),
        Err(EntryError::Invalid { field: "chain_length", reason }) if reason.contains("largest event number")
    ));
    assert_eq!(with_length(1).unwrap().length, 1);
    assert_eq!(
        with_length(i64::MAX as u64).unwrap().length,
        i64::MAX as u64
    );
    // A time outside the calendar the encoding can name.
    let mut far = good.clone();
    far[24..32].copy_from_slice(&i64::MAX.to_be_bytes());
    assert!(matches!(
        AuditAnchor::decode(&far),
        Err(EntryError::Invalid {
            field: "anchored_at",
            ..
        })
    ));
}

#[test]
fn only_real_chains_encode() {
    let mut a = example();
    a.length = 0;
    assert!(a.encode().is_err());
    a.length = u64::MAX;
    assert!(a.encode().is_err());
}

#[test]
fn the_anchor_time_is_whole_microseconds() {
    let a = AuditAnchor::new(
        datetime!(2026-11-02 10:00:00.123_456_789 UTC),
        1,
        ChainHash([0; 32]),
    );
    assert_eq!(a.anchored_at, datetime!(2026-11-02 10:00:00.123_456 UTC));
    assert_eq!(AuditAnchor::decode(&a.encode().unwrap()).unwrap(), a);
}

#[test]
fn chain_hashes_have_one_spelling() {
    let h: ChainHash = "ab12cd34".repeat(8).parse().unwrap();
    assert_eq!(h.to_string(), "ab12cd34".repeat(8));
    assert_eq!(h.short(), "ab12cd34…");
    assert_eq!("AB12CD34".repeat(8).parse::<ChainHash>(), Err(BadChainHash));
    assert_eq!("ab12".parse::<ChainHash>(), Err(BadChainHash));
    assert_eq!("zz".repeat(32).parse::<ChainHash>(), Err(BadChainHash));
}

proptest! {
    #[test]
    fn encode_then_decode_round_trips(
        micros in -62_000_000_000_000_000i64..250_000_000_000_000_000,
        length in 1..=i64::MAX as u64,
        head in proptest::array::uniform32(any::<u8>()),
    ) {
        let at = OffsetDateTime::from_unix_timestamp_nanos(i128::from(micros) * 1000).unwrap();
        let a = AuditAnchor::new(at, length, ChainHash(head));
        let bytes = a.encode().unwrap();
        prop_assert_eq!(bytes.len(), ANCHOR_LEN);
        prop_assert_eq!(AuditAnchor::decode(&bytes).unwrap(), a);
        prop_assert_eq!(LogEntry::decode(&bytes).unwrap(), LogEntry::AuditAnchor(a));
    }

    #[test]
    fn decode_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..120)) {
        let mut labelled = ANCHOR_LABEL.to_vec();
        labelled.extend_from_slice(&bytes);
        for input in [&bytes, &labelled] {
            // Whatever decodes re-encodes to exactly its input: one encoding per anchor.
            if let Ok(a) = AuditAnchor::decode(input) {
                prop_assert_eq!(&a.encode().unwrap(), input);
            }
            if let Ok(e) = LogEntry::decode(input) {
                prop_assert_eq!(&e.encode().unwrap(), input);
            }
        }
    }
}
