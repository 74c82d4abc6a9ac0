use super::*;
use crate::commitment::*;
use crate::reference::ReferencePrefix;
use crate::ControlList;
use proptest::prelude::*;
use time::macros::datetime;

fn rating(s: &str) -> Rating {
    ControlList::uk().rating(s).unwrap()
}

/// The worked example of docs/register-format.md.
pub(super) fn example() -> (PublicDecisionRecord, ConfidentialValues, FieldSalts) {
    let case = CaseReference::new(ReferencePrefix::Siel, 2026, 123);
    let record = PublicDecisionRecord {
        kind: RecordKind::Grant,
        decided_at: datetime!(2026-03-02 09:00 UTC),
        case_reference: case,
        licence_number: Some(LicenceNumber::for_case(&case, 1)),
        licence_type: LicenceType::StandardIndividual,
        destinations: vec![CountryCode::parse("NO").unwrap()],
        ratings: vec![RatingValue {
            rating: rating("ML15.b"),
            value_minor: 35_600_000,
        }],
        goods_summary: "ML15: Imaging".into(),
        criteria: vec![],
        end_user_type: Some(EndUserType::ArmedForces),
        reason: None,
        refers_to: None,
    };
    let values = ConfidentialValues {
        exporter: "Acme Defence Ltd".into(),
        consignees: vec!["Central Logistics Depot".into()],
        end_users: vec!["Ministry of Defence".into()],
        goods_descriptions: vec!["Thermal imaging weapon sights".into()],
        quantities: vec!["40 items".into()],
    };
    let salts = FieldSalts([[0x11; 32], [0x22; 32], [0x33; 32], [0x44; 32], [0x55; 32]]);
    (record, values, salts)
}

/// The worked example's bytes, as printed in docs/register-format.md.
const EXAMPLE_HEX: &str = include_str!("register_entry_example.hex");

#[test]
fn worked_example_matches_the_documented_bytes() {
    let (record, values, salts) = example();
    let entry = RegisterEntry::build(7, &record, &values, &salts);
    let bytes = entry.encode().unwrap();
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    let want: String = EXAMPLE_HEX.split_whitespace().collect();
    assert_eq!(
        hex, want,
        "update docs/register-format.md and the .hex file"
    );
    assert_eq!(RegisterEntry::decode(&bytes).unwrap(), entry);
    assert!(bytes.starts_with(ENTRY_LABEL));
    assert_eq!(ENTRY_LABEL.len(), 20);
}

#[test]
fn commitments_are_salted_and_labelled() {
    let (record, values, salts) = example();
    let entry = RegisterEntry::build(7, &record, &values, &salts);
    assert_eq!(
        *entry.commitments.get(ConfidentialField::Exporter),
        commit("exporter", &[0x11; 32], b"Acme Defence Ltd")
    );
    assert_eq!(
        values.value(ConfidentialField::Consignee),
        r#"["Central Logistics Depot"]"#
    );
    let bytes = entry.encode().unwrap();
    for secret in ["Acme", "Depot", "Ministry", "Thermal", "40 items"] {
        assert!(
            !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
            "{secret} leaked"
        );
    }
    let opening = EntryOpening {
        register_index: 0,
        field: ConfidentialField::Exporter,
        salt: salt_hex(&[0x11; 32]),
        value: "Acme Defence Ltd".into(),
    };
    assert!(opening.opens(&entry));
    let wrong_value = EntryOpening {
        value: "Acme Defence Ltd.".into(),
        ..opening.clone()
    };
    assert!(!wrong_value.opens(&entry));
    let wrong_field = EntryOpening {
        field: ConfidentialField::Consignee,
        ..opening.clone()
    };
    assert!(!wrong_field.opens(&entry));
    let bad_salt = EntryOpening {
        salt: "zz".into(),
        ..opening.clone()
    };
    assert!(!bad_salt.opens(&entry));
    assert!(!format!("{opening:?}").contains("Acme"));
    assert!(!format!("{values:?}").contains("Acme"));
    assert_eq!(parse_salt(&salt_hex(&[0xab; 32])), Some([0xab; 32]));
}

#[test]
fn salts_are_lowercase_hex_in_byte_order() {
    let salt: [u8; 32] = std::array::from_fn(|i| (i as u8) * 8);
    assert_eq!(
        salt_hex(&salt),
        "0008101820283038404850586068707880889098a0a8b0b8c0c8d0d8e0e8f0f8"
    );
    assert_eq!(parse_salt(&salt_hex(&salt)), Some(salt));
}

#[test]
fn decode_rejects_malformed_entries_with_clear_errors() {
    let (record, values, salts) = example();
    let good = RegisterEntry::build(7, &record, &values, &salts)
        .encode()
        .unwrap();
    assert_eq!(
        RegisterEntry::decode(b""),
        Err(EntryError::Truncated {
            field: "label",
            at: 0
        })
    );
    let mut label = good.clone();
    label[9] = b'D';
    assert_eq!(
        RegisterEntry::decode(&label),
        Err(EntryError::BadLabel {
            want: "probity/decision/v1\\n"
        })
    );
    for cut in 0..good.len() {
        assert!(
            RegisterEntry::decode(&good[..cut]).is_err(),
            "accepted a cut at {cut}"
        );
    }
    let mut trailing = good.clone();
    trailing.push(0);
    assert_eq!(
        RegisterEntry::decode(&trailing),
        Err(EntryError::TrailingBytes { count: 1 })
    );
    // kind "grant" spelled "GRANT": parses, but is not canonical.
    let pos = good.windows(5).position(|w| w == b"grant").unwrap();
    let mut upper = good.clone();
    upper[pos..pos + 5].copy_from_slice(b"GRANT");
    assert_eq!(RegisterEntry::decode(&upper), Err(EntryError::NonCanonical));
    let mut unknown = good.clone();
    unknown[pos..pos + 5].copy_from_slice(b"grunt");
    assert!(matches!(
        RegisterEntry::decode(&unknown),
        Err(EntryError::Invalid { field: "kind", .. })
    ));
    // The licence-number option tag.
    let tag = good.windows(2).position(|w| w == [1, 0]).unwrap();
    let mut bad_tag = good.clone();
    bad_tag[tag] = 2;
    assert!(RegisterEntry::decode(&bad_tag).is_err());
    assert!(matches!(
        RegisterEntry::decode(&vec![0u8; MAX_ENTRY_LEN + 1]),
        Err(EntryError::TooLong { .. })
    ));
}

#[test]
fn oversized_records_do_not_encode() {
    let (mut record, values, salts) = example();
    record.reason = Some("x".repeat(70_000));
    assert!(matches!(
        RegisterEntry::build(1, &record, &values, &salts).encode(),
        Err(EntryError::TooLong { .. })
    ));
    record.reason = Some("x".repeat(65_400));
    assert!(matches!(
        RegisterEntry::build(1, &record, &values, &salts).encode(),
        Err(EntryError::TooLong { field: "entry", .. })
    ));
}

fn arb_record() -> impl Strategy<Value = PublicDecisionRecord> {
    let ratings = ["ML15.b", "ML10.b", "6A003", "5A002.a", "ML1.a", "PL5001"];
    let countries = ["NO", "FR", "US", "SA", "IL", "UA", "JP"];
    (
        (
            0..RecordKind::ALL.len(),
            -2_000_000_000_000_000i64..4_000_000_000_000_000i64,
            (0..3usize, 2000u16..2100, 1u32..10_000_000),
            proptest::option::of(1u32..20),
            any::<bool>(),
        ),
        (
            proptest::collection::vec(0..countries.len(), 0..4),
            proptest::collection::vec((0..ratings.len(), any::<i64>()), 0..4),
            "\\PC{0,60}",
            proptest::collection::vec((1u8..14, proptest::option::of("[a-f]")), 0..3),
            proptest::option::of(0..EndUserType::ALL.len()),
            proptest::option::of("\\PC{0,40}"),
            proptest::option::of("[A-Z0-9/]{0,30}"),
        ),
    )
        .prop_map(
            move |(
                (kind, us, (p, year, number), lic, oiel),
                (d, r, summary, c, eu, reason, refers),
            )| {
                let case = CaseReference::new(ReferencePrefix::ALL[p], year, number);
                PublicDecisionRecord {
                    kind: RecordKind::ALL[kind],
                    decided_at: OffsetDateTime::from_unix_timestamp_nanos(i128::from(us) * 1000)
                        .unwrap(),
                    case_reference: case,
                    licence_number: lic.map(|n| LicenceNumber::for_case(&case, n)),
                    licence_type: if oiel {
                        LicenceType::OpenIndividual
                    } else {
                        LicenceType::StandardIndividual
                    },
                    destinations: d
                        .into_iter()
                        .map(|i| CountryCode::parse(countries[i]).unwrap())
                        .collect(),
                    ratings: r
                        .into_iter()
                        .map(|(i, v)| RatingValue {
                            rating: rating(ratings[i]),
                            value_minor: v,
                        })
                        .collect(),
                    goods_summary: summary,
                    criteria: c
                        .into_iter()
                        .map(|(n, l)| {
                            CriterionCode::new(&format!("{n}{}", l.unwrap_or_default())).unwrap()
                        })
                        .collect(),
                    end_user_type: eu.map(|i| EndUserType::ALL[i]),
                    reason,
                    refers_to: refers,
                }
            },
        )
}

proptest! {
    #[test]
    fn encode_then_decode_round_trips(
        record in arb_record(),
        seq in any::<u64>(),
        salts in proptest::array::uniform5(proptest::array::uniform32(any::<u8>())),
        exporter in "\\PC{0,30}",
    ) {
        let values = ConfidentialValues { exporter, ..ConfidentialValues::default() };
        let entry = RegisterEntry::build(seq, &record, &values, &FieldSalts(salts));
        let bytes = entry.encode().unwrap();
        prop_assert_eq!(RegisterEntry::decode(&bytes).unwrap(), entry);
    }

    #[test]
    fn decode_never_panics_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let _ = RegisterEntry::decode(&bytes);
        let mut labelled = ENTRY_LABEL.to_vec();
        labelled.extend_from_slice(&bytes);
        let _ = RegisterEntry::decode(&labelled);
    }

    #[test]
    fn decode_never_panics_on_mutated_entries(
        record in arb_record(),
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..6),
    ) {
        let (_, values, salts) = example();
        let mut bytes = RegisterEntry::build(1, &record, &values, &salts).encode().unwrap();
        for (i, b) in edits {
            let i = i.index(bytes.len());
            bytes[i] = b;
        }
        if let Ok(e) = RegisterEntry::decode(&bytes) {
            // Anything accepted is canonical.
            prop_assert_eq!(e.encode().unwrap(), bytes);
        }
    }
}
