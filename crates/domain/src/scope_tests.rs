use super::*;

fn rating(s: &str) -> Rating {
    Rating::try_from(s.to_string()).unwrap()
}

fn pattern(s: &str) -> RatingPattern {
    RatingPattern::parse(s).unwrap()
}

fn country(s: &str) -> CountryCode {
    CountryCode::parse(s).unwrap()
}

#[test]
fn a_rating_pattern_covers_its_sub_items_and_nothing_else() {
    let cases = [
        ("ML10", "ML10", true),
        ("ML10", "ML10.b", true),
        ("ML10", "ML10.b.1", true),
        ("ML1", "ML10", false),
        ("ML1", "ML1.a", true),
        ("ML10", "ML100", false),
        ("ML10.b", "ML10", false),
        ("ML10.b", "ML10.b.2", true),
        ("ML10.b", "ML10.c", false),
        ("=ML10", "ML10", true),
        ("=ML10", "ML10.b", false),
        ("5A002", "5A002.a.1", true),
        ("5A002", "5A001", false),
        // Typed loosely, canonicalised like a rating.
        ("ml10b", "ML10.b", true),
        (" ml 4 ", "ML4.a", true),
    ];
    for (p, r, expected) in cases {
        assert_eq!(pattern(p).matches(&rating(r)), expected, "{p} vs {r}");
    }
}

#[test]
fn a_malformed_rating_pattern_is_refused_with_an_example() {
    for bad in ["", "=", "ML", "XYZ", "ML10..b", "ML-10", "==ML10"] {
        let err = RatingPattern::parse(bad).unwrap_err();
        assert!(err.contains("ML10.b"), "{bad:?}: {err}");
    }
}

#[test]
fn a_rating_pattern_round_trips_through_its_text() {
    for p in ["ML10", "=ML10.b", "5A002.a"] {
        let parsed = pattern(p);
        assert_eq!(pattern(&parsed.to_string()), parsed);
        let json = serde_json::to_string(&parsed).unwrap();
        assert_eq!(
            serde_json::from_str::<RatingPattern>(&json).unwrap(),
            parsed
        );
    }
}

#[test]
fn phrases_match_whole_words_ignoring_case() {
    let gaza = Phrase::parse("Gaza").unwrap();
    assert!(gaza.occurs_in("for use in the conflict in gaza."));
    assert!(gaza.occurs_in("GAZA"));
    assert!(!gaza.occurs_in("Gazan"));
    assert!(!gaza.occurs_in("Mgaza"));
    let f35 = Phrase::parse("F-35").unwrap();
    assert!(f35.occurs_in("components for the F-35 programme"));
    assert!(f35.occurs_in("(f-35)"));
    assert!(!f35.occurs_in("F-350"));
    assert!(!f35.occurs_in("F-3"));
    let accented = Phrase::parse("Ñandú").unwrap();
    assert!(accented.occurs_in("el ñandú corre"));
}

#[test]
fn a_phrase_needs_letters_and_a_sensible_length() {
    assert!(Phrase::parse("x").is_err());
    assert!(Phrase::parse("--").is_err());
    assert!(Phrase::parse("a\0b").is_err());
    assert!(Phrase::parse(&"a".repeat(101)).is_err());
}

fn il_rule() -> ScopeRule {
    let applies = ClausesInput {
        destinations: "IL".into(),
        ratings: "ML1, ML2, ML4, ML5, ML10".into(),
        ..Default::default()
    };
    let exclusions = [ExclusionInput {
        name: "F-35 global programme components".into(),
        when: ClausesInput {
            ratings: "ML10".into(),
            end_use: "F-35".into(),
            ..Default::default()
        },
    }];
    parse_scope_rule(&applies, &exclusions).unwrap()
}

fn subject(destinations: &[&str], ratings: &[&str], end_use: &str) -> ScopeSubject {
    ScopeSubject {
        destinations: destinations.iter().map(|d| country(d)).collect(),
        ratings: ratings.iter().map(|r| rating(r)).collect(),
        end_user_types: vec![EndUserType::ArmedForces],
        end_use: end_use.into(),
    }
}

#[test]
fn a_rule_explains_what_matched() {
    let verdict = il_rule().evaluate(&subject(&["IL"], &["ML4.a"], "for the armed forces"));
    assert!(verdict.in_scope());
    assert_eq!(
        verdict.to_string(),
        "in scope: destination IL (Israel); rating ML4.a (under ML4)"
    );
}

#[test]
fn a_rule_says_which_clause_failed() {
    let rule = il_rule();
    let elsewhere = rule.evaluate(&subject(&["FR"], &["ML4.a"], "x"));
    assert_eq!(
        elsewhere,
        Verdict::OutOfScope {
            failed: Clause::Destinations
        }
    );
    assert_eq!(
        elsewhere.to_string(),
        "out of scope: no destination matches"
    );
    let other_goods = rule.evaluate(&subject(&["IL"], &["ML13.a", "5A002"], "x"));
    assert_eq!(
        other_goods,
        Verdict::OutOfScope {
            failed: Clause::Ratings
        }
    );
}

#[test]
fn an_exclusion_needs_all_its_conditions() {
    let rule = il_rule();
    let programme = rule.evaluate(&subject(
        &["IL"],
        &["ML10.b"],
        "Components for the F-35 global support pool",
    ));
    match &programme {
        Verdict::Excluded { exclusion, .. } => {
            assert_eq!(exclusion, "F-35 global programme components")
        }
        other => panic!("expected an exclusion, got {other:?}"),
    }
    assert!(programme.to_string().starts_with(
        "excluded by \"F-35 global programme components\" (rating ML10.b (under ML10); end use mentions \"F-35\")"
    ));
    // The phrase alone, without the rating, does not exclude.
    let not_ml10 = rule.evaluate(&subject(&["IL"], &["ML4.b"], "for the F-35"));
    assert!(not_ml10.in_scope());
}

#[test]
fn a_subject_with_several_destinations_matches_on_any() {
    let verdict = il_rule().evaluate(&subject(&["FR", "IL"], &["ML5"], "x"));
    assert!(verdict.in_scope());
}

#[test]
fn bad_rules_are_refused_with_every_problem_named() {
    let applies = ClausesInput {
        destinations: "ZZ, Israel".into(),
        ratings: "ML10, ML-4".into(),
        end_user_types: "navy".into(),
        end_use: "x".into(),
        ..Default::default()
    };
    let exclusions = [
        ExclusionInput {
            name: "ok name".into(),
            when: ClausesInput::default(),
        },
        ExclusionInput {
            name: "F".into(),
            when: ClausesInput {
                ratings: "ML10".into(),
                ..Default::default()
            },
        },
    ];
    let errors = parse_scope_rule(&applies, &exclusions).unwrap_err().0;
    let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(
        fields,
        [
            "destinations",
            "destinations",
            "ratings",
            "end_user_types",
            "end_use",
            "exclusions[0]",
            "exclusions[1].name",
        ],
        "{errors:?}"
    );
    assert!(errors[0].message.contains("ZZ"));
    assert!(errors[5].message.contains("at least one condition"));
}

#[test]
fn a_rule_without_a_destination_is_refused() {
    let applies = ClausesInput {
        ratings: "ML10".into(),
        ..Default::default()
    };
    let errors = parse_scope_rule(&applies, &[]).unwrap_err().0;
    assert_eq!(errors[0].field, "destinations");
}

#[test]
fn a_stored_rule_is_checked_when_read() {
    let rule = il_rule();
    let json = serde_json::to_string(&rule).unwrap();
    assert_eq!(serde_json::from_str::<ScopeRule>(&json).unwrap(), rule);
    let no_destination = r#"{"applies":{"ratings":["ML10"]}}"#;
    assert!(serde_json::from_str::<ScopeRule>(no_destination).is_err());
    let bad_pattern = r#"{"applies":{"destinations":["IL"],"ratings":["ML-10"]}}"#;
    assert!(serde_json::from_str::<ScopeRule>(bad_pattern).is_err());
    let unknown_field = r#"{"applies":{"destinations":["IL"],"colour":"red"}}"#;
    assert!(serde_json::from_str::<ScopeRule>(unknown_field).is_err());
}

#[test]
fn an_application_gives_its_destinations_ratings_and_end_use() {
    use crate::application::{GoodsLine, Party, PartyRole};
    use crate::case::LicenceType;
    use crate::money::Money;
    let party = |role, c: &str, t| Party {
        role,
        name: "n".into(),
        address: "a".into(),
        country: country(c),
        end_user_type: t,
    };
    let line = |r: &[&str]| GoodsLine {
        description: "d".into(),
        ratings: r.iter().map(|r| rating(r)).collect(),
        quantity: 1,
        unit: "u".into(),
        value: Money::gbp(100),
        incorporated: false,
    };
    let app = Application {
        licence_type: LicenceType::StandardIndividual,
        goods: vec![line(&["ML10.b", "ML4"]), line(&["ML4"])],
        parties: vec![
            party(PartyRole::Consignee, "DE", None),
            party(PartyRole::EndUser, "IL", Some(EndUserType::ArmedForces)),
        ],
        end_use_statement: "Maintenance of F-35 aircraft".into(),
    };
    let s = ScopeSubject::of_application(&app);
    assert_eq!(s.destinations, [country("IL")]);
    assert_eq!(s.ratings, [rating("ML10.b"), rating("ML4")]);
    assert_eq!(s.end_user_types, [EndUserType::ArmedForces]);
    assert!(il_rule()
        .evaluate(&s)
        .to_string()
        .starts_with("excluded by"));
}

#[test]
fn a_class_of_goods_clause_matches_by_the_ratings_kind() {
    let applies = ClausesInput {
        destinations: "RU".into(),
        rating_kinds: "Military".into(),
        ..Default::default()
    };
    let rule = parse_scope_rule(&applies, &[]).unwrap();
    let military = rule.evaluate(&subject(&["RU"], &["5A002", "PL5001"], "x"));
    assert_eq!(
        military.to_string(),
        "in scope: destination RU (Russian Federation); rating PL5001 (military goods)"
    );
    let dual_use = rule.evaluate(&subject(&["RU"], &["5A002"], "x"));
    assert_eq!(
        dual_use,
        Verdict::OutOfScope {
            failed: Clause::RatingKinds
        }
    );
    let bad = ClausesInput {
        destinations: "RU".into(),
        rating_kinds: "weapons".into(),
        ..Default::default()
    };
    let errors = parse_scope_rule(&bad, &[]).unwrap_err().0;
    assert_eq!(errors[0].field, "rating_kinds");
}

#[test]
fn a_rule_reads_as_one_line() {
    let rule = parse_scope_rule(
        &ClausesInput {
            destinations: "IL".into(),
            ratings: "ML4, ML10".into(),
            ..ClausesInput::default()
        },
        &[ExclusionInput {
            name: "F-35 spares pool".into(),
            when: ClausesInput {
                end_use: "F-35".into(),
                ..ClausesInput::default()
            },
        }],
    )
    .unwrap();
    assert_eq!(
        rule.to_string(),
        "destination IL; rating ML4, ML10; except \"F-35 spares pool\" (end use F-35)"
    );
}
