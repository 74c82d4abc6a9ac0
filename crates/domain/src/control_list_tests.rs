use super::*;
use proptest::prelude::*;

fn uk() -> &'static ControlList {
    ControlList::uk()
}

#[test]
fn shipped_list_parses_and_has_every_part() {
    let list = uk();
    let count = |kind| list.entries().iter().filter(|e| e.kind == kind).count();
    assert_eq!(
        count(RatingKind::Military),
        27,
        "ML1-ML22 and five PL5 codes"
    );
    assert!(count(RatingKind::National) >= 10);
    assert!(count(RatingKind::DualUse) >= 300);
    for n in 1..=22 {
        let code = format!("ML{n}");
        assert_eq!(
            list.get(&code).map(|e| e.kind),
            Some(RatingKind::Military),
            "{code}"
        );
    }
    for code in ["PL5001", "PL5006", "PL5017", "PL5030", "PL5035"] {
        assert_eq!(
            list.get(code).map(|e| e.kind),
            Some(RatingKind::Military),
            "{code}"
        );
    }
    for code in ["PL8001", "PL9002", "PL9010", "PL9013"] {
        assert_eq!(
            list.get(code).map(|e| e.kind),
            Some(RatingKind::National),
            "{code}"
        );
    }
    for category in '0'..='9' {
        assert!(
            list.entries().iter().any(|e| e.code.starts_with(category)),
            "no entries in category {category}"
        );
    }
}

#[test]
fn entry_kinds_agree_with_code_shapes() {
    for e in uk().entries() {
        assert_eq!(kind_of_code(&e.code), e.kind, "{}", e.code);
        let rating = uk().rating(&e.code).unwrap();
        assert_eq!(rating.as_str(), e.code);
        assert_eq!(rating.kind(), e.kind);
    }
}

#[test]
fn dual_use_codes_follow_the_annex_pattern() {
    for e in uk()
        .entries()
        .iter()
        .filter(|e| e.kind == RatingKind::DualUse)
    {
        let b = e.code.as_bytes();
        assert_eq!(b.len(), 5, "{}", e.code);
        assert!(
            b[0].is_ascii_digit() && (b'A'..=b'E').contains(&b[1]),
            "{}",
            e.code
        );
        assert!(b[2..].iter().all(u8::is_ascii_digit), "{}", e.code);
    }
}

#[test]
fn ratings_are_normalised() {
    let table = [
        ("ML1", "ML1"),
        ("ML1a", "ML1.a"),
        ("ml1a", "ML1.a"),
        ("ml10.b", "ML10.b"),
        ("ML10b", "ML10.b"),
        (" ML 10 b ", "ML10.b"),
        ("ML10.B", "ML10.b"),
        ("ML8.c.4.a", "ML8.c.4.a"),
        ("ML8c4a", "ML8.c.4.a"),
        ("5A002.a.1", "5A002.a.1"),
        ("5a002a1", "5A002.a.1"),
        ("5A002 a 1", "5A002.a.1"),
        ("5a002", "5A002"),
        ("5A002.1", "5A002.1"),
        ("1C351.a.12", "1C351.a.12"),
        ("6A003.b.4.b", "6A003.b.4.b"),
        ("PL5001", "PL5001"),
        ("pl5001c", "PL5001.c"),
        ("PL9010", "PL9010"),
        ("ML22.aa", "ML22.aa"),
        ("0E001", "0E001"),
        ("9E003.a.1.b", "9E003.a.1.b"),
    ];
    for (input, canonical) in table {
        let rating = uk()
            .rating(input)
            .unwrap_or_else(|e| panic!("{input:?}: {e}"));
        assert_eq!(rating.as_str(), canonical, "{input:?}");
    }
}

#[test]
fn base_and_kind() {
    let table = [
        ("ML10.b", "ML10", RatingKind::Military),
        ("PL5035", "PL5035", RatingKind::Military),
        ("PL9012.a", "PL9012", RatingKind::National),
        ("5A002.a.1", "5A002", RatingKind::DualUse),
    ];
    for (input, base, kind) in table {
        let r = uk().rating(input).unwrap();
        assert_eq!(r.base(), base);
        assert_eq!(r.kind(), kind);
        assert_eq!(r.to_string(), input);
    }
}

#[test]
fn refuses_unknown_and_malformed() {
    let unknown = |s: &str| RatingError::Unknown(s.to_string());
    let malformed = |s: &str| RatingError::Malformed(s.to_string());
    let table = [
        ("ML23", unknown("ML23")),
        ("ML0", unknown("ML0")),
        ("ML123", unknown("ML123")),
        ("ML01", unknown("ML01")),
        ("PL5002", unknown("PL5002")),
        ("PL9999.a", unknown("PL9999.a")),
        ("5A999", unknown("5A999")),
        ("0A002", unknown("0A002")),
        ("5a999a", unknown("5a999a")),
        ("", malformed("")),
        ("   ", malformed("")),
        ("ML", malformed("ML")),
        ("MLa", malformed("MLa")),
        ("5F002", malformed("5F002")),
        ("5A02", malformed("5A02")),
        ("5A0021", malformed("5A0021")),
        ("A5002", malformed("A5002")),
        ("End Use", malformed("End Use")),
        ("IRN", malformed("IRN")),
        ("ML10.", malformed("ML10.")),
        ("ML10..b", malformed("ML10..b")),
        ("ML10.b.", malformed("ML10.b.")),
        ("ML10-b", malformed("ML10-b")),
        ("ML10/b", malformed("ML10/b")),
        ("ML10.b,c", malformed("ML10.b,c")),
        ("ML10.abcdefghijklm", malformed("ML10.abcdefghijklm")),
        ("5A002.ä", malformed("5A002.ä")),
    ];
    for (input, expected) in table {
        assert_eq!(uk().rating(input), Err(expected), "{input:?}");
    }
}

#[test]
fn suffix_length_limit_is_twelve() {
    assert!(uk().rating("ML10.a1b2c3d4e5f6").is_ok());
    assert!(uk().rating("ML10.a1b2c3d4e5f6g").is_err());
}

#[test]
fn lookup_is_case_insensitive() {
    assert_eq!(uk().get("ml10").map(|e| e.code.as_str()), Some("ML10"));
    assert_eq!(uk().get(" 5a002 ").map(|e| e.code.as_str()), Some("5A002"));
    assert!(uk().get("ML10.b").is_none());
    assert!(uk().get("").is_none());
}

#[test]
fn serde_canonicalises_without_requiring_the_list() {
    let r: Rating = serde_json::from_str("\"ml10b\"").unwrap();
    assert_eq!(r.as_str(), "ML10.b");
    assert_eq!(serde_json::to_string(&r).unwrap(), "\"ML10.b\"");
    // A retired code still loads from storage.
    let old: Rating = serde_json::from_str("\"5A999\"").unwrap();
    assert_eq!(old.as_str(), "5A999");
    assert!(serde_json::from_str::<Rating>("\"End Use\"").is_err());
}

#[test]
fn from_csv_rejects_bad_data() {
    let header = "code,kind,description\n";
    let table = [
        ("ML1,military\n", "expected 3 fields"),
        ("ML1,army,Guns\n", "unknown rating kind"),
        ("ml1,military,Guns\n", "not a canonical entry code"),
        ("ML1.a,military,Guns\n", "not a canonical entry code"),
        ("ML1,military,\n", "no description"),
        ("ML1,military,Guns\nML1,military,Guns\n", "listed twice"),
        ("ML1,military,\"Guns\n", "unbalanced quotes"),
    ];
    for (body, message) in table {
        let err = ControlList::from_csv(&format!("{header}{body}")).unwrap_err();
        assert!(err.to_string().contains(message), "{body:?}: {err}");
    }
    let ok =
        ControlList::from_csv("code,kind,description\nML1,military,\"Guns, \"\"small\"\"\"\n\n")
            .unwrap();
    assert_eq!(ok.entries()[0].description, "Guns, \"small\"");
}

#[test]
fn rating_kind_strings() {
    for k in RatingKind::ALL {
        assert_eq!(k.as_str().parse::<RatingKind>(), Ok(k));
        assert_eq!(
            serde_json::to_string(&k).unwrap(),
            format!("\"{}\"", k.as_str())
        );
        assert!(!k.label().is_empty());
    }
}

proptest! {
    #[test]
    fn dotted_suffixes_are_accepted_and_canonical(
        idx in 0usize..400,
        segments in proptest::collection::vec(prop_oneof!["[a-z]{1,2}", "[0-9]{1,2}"], 0..5),
        upper in any::<bool>(),
        spaced in any::<bool>(),
    ) {
        let entries = uk().entries();
        let code = &entries[idx % entries.len()].code;
        let expected = if segments.is_empty() {
            code.clone()
        } else {
            format!("{code}.{}", segments.join("."))
        };
        let mut input = if upper { expected.to_uppercase() } else { expected.to_lowercase() };
        if spaced {
            input = input.replace('.', " . ");
        }
        let suffix_len = expected.len() - code.len();
        match uk().rating(&input) {
            Ok(r) => {
                prop_assert!(suffix_len <= MAX_SUFFIX_CHARS + 1);
                prop_assert_eq!(r.as_str(), expected.as_str());
                prop_assert_eq!(r.base(), code.as_str());
                prop_assert_eq!(uk().rating(r.as_str()).unwrap(), r);
            }
            Err(e) => {
                prop_assert!(suffix_len > MAX_SUFFIX_CHARS + 1, "{input:?}: {e}");
                prop_assert!(matches!(e, RatingError::Malformed(_)));
            }
        }
    }

    #[test]
    fn compact_suffixes_split_into_letter_and_digit_runs(
        idx in 0usize..400,
        letters in "[a-z]{1,3}",
        digits in "[0-9]{1,3}",
    ) {
        let entries = uk().entries();
        let code = &entries[idx % entries.len()].code;
        let r = uk().rating(&format!("{code}{letters}{digits}")).unwrap();
        prop_assert_eq!(r.as_str(), format!("{code}.{letters}.{digits}"));
    }

    #[test]
    fn never_panics(s in "\\PC{0,30}") {
        let _ = uk().rating(&s);
    }
}
