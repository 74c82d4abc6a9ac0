//! Drafts, serde shapes and enum strings of the application module.

use super::*;

#[test]
fn drafts_may_be_incomplete() {
    assert_eq!(
        validate_draft(&ApplicationInput::default(), list()),
        Ok(ApplicationInput::default())
    );
    let partial = ApplicationInput {
        licence_type: " SIEL ".into(),
        goods: vec![GoodsLineInput {
            ratings: vec!["ml1a".into(), "".into()],
            value: " 5 ".into(),
            ..Default::default()
        }],
        parties: vec![
            PartyInput {
                role: PartyRole::EndUser,
                country: "fr".into(),
                end_user_type: Some("Armed forces".into()),
                ..Default::default()
            },
            PartyInput {
                role: PartyRole::Consignee,
                end_user_type: Some("".into()),
                ..Default::default()
            },
        ],
        end_use_statement: "tbc".into(),
    };
    let draft = validate_draft(&partial, list()).unwrap();
    assert_eq!(draft.licence_type, "siel");
    assert_eq!(draft.goods[0].ratings, ["ML1.a"]);
    assert_eq!(draft.goods[0].value, "5");
    assert_eq!(draft.parties[0].country, "FR");
    assert_eq!(
        draft.parties[0].end_user_type.as_deref(),
        Some("armed_forces")
    );
    assert_eq!(draft.parties[1].end_user_type, None);
    // A normalised draft is a fixed point.
    assert_eq!(validate_draft(&draft, list()), Ok(draft));
}

#[test]
fn drafts_still_refuse_malformed_values() {
    type Change = fn(&mut ApplicationInput);
    let table: &[(Change, &str)] = &[
        (|a| a.licence_type = "x".into(), "licence_type"),
        (
            |a| a.goods[0].ratings = vec!["ML99".into()],
            "goods[0].ratings[0]",
        ),
        (|a| a.goods[0].quantity = "1.5".into(), "goods[0].quantity"),
        (|a| a.goods[0].value = "1.234".into(), "goods[0].value"),
        (
            |a| a.goods[0].description = "d".repeat(2001),
            "goods[0].description",
        ),
        (|a| a.parties[0].country = "UK".into(), "parties[0].country"),
        (
            |a| a.parties[1].end_user_type = Some("army".into()),
            "parties[1].end_user_type",
        ),
        (
            |a| a.parties[0].end_user_type = Some("government".into()),
            "parties[0].end_user_type",
        ),
        (
            |a| a.end_use_statement = "e".repeat(5001),
            "end_use_statement",
        ),
        (|a| a.goods = vec![GoodsLineInput::default(); 201], "goods"),
    ];
    for (change, field) in table {
        let mut input = siel();
        change(&mut input);
        let errors = validate_draft(&input, list()).unwrap_err();
        assert_eq!(errors.len(), 1, "{field}: {errors}");
        assert_eq!(errors.0[0].field, *field);
    }
    // But structure (one end user, one consignee) is not checked until submission.
    let mut input = siel();
    input.parties.clear();
    assert!(validate_draft(&input, list()).is_ok());
}

#[test]
fn inputs_deserialise_from_sparse_json() {
    let input: ApplicationInput = serde_json::from_str(
        r#"{"licence_type":"siel","parties":[{"role":"ultimate_end_user","name":"X"}]}"#,
    )
    .unwrap();
    assert_eq!(input.parties[0].role, PartyRole::UltimateEndUser);
    assert!(input.goods.is_empty());
    let app = validate(&siel(), list()).unwrap();
    let json = serde_json::to_string(&app).unwrap();
    assert_eq!(serde_json::from_str::<Application>(&json).unwrap(), app);
}

#[test]
fn enum_strings() {
    for role in PartyRole::ALL {
        assert_eq!(role.as_str().parse::<PartyRole>(), Ok(role));
        assert_eq!(
            serde_json::to_string(&role).unwrap(),
            format!("\"{}\"", role.as_str())
        );
    }
    for t in EndUserType::ALL {
        assert_eq!(EndUserType::parse(t.as_str()), Some(t));
        assert_eq!(EndUserType::parse(&t.label().to_uppercase()), Some(t));
        assert_eq!(t.as_str().parse::<EndUserType>(), Ok(t));
    }
    assert_eq!(EndUserType::parse("armed"), None);
}

#[test]
fn a_draft_says_which_sections_it_still_lacks() {
    let empty = ApplicationInput::default();
    assert!(empty.is_blank());
    assert_eq!(
        empty.missing(),
        [
            "type of licence",
            "goods",
            "end user",
            "consignee",
            "end use"
        ]
    );
    let partial = ApplicationInput {
        licence_type: "siel".into(),
        goods: vec![GoodsLineInput {
            description: "Thermal cameras".into(),
            ..Default::default()
        }],
        parties: vec![PartyInput {
            role: PartyRole::EndUser,
            name: "Ministry of Defence".into(),
            country: "NO".into(),
            ..Default::default()
        }],
        ..Default::default()
    };
    assert!(!partial.is_blank());
    assert_eq!(partial.missing(), ["consignee", "end use"]);
}
