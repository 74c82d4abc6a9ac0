use super::*;

fn list() -> &'static ControlList {
    ControlList::uk()
}

fn line(ratings: &[&str], value: &str) -> GoodsLineInput {
    GoodsLineInput {
        description: "Thermal imaging camera cores".into(),
        ratings: ratings.iter().map(|r| r.to_string()).collect(),
        quantity: "12".into(),
        unit: "items".into(),
        value: value.into(),
        incorporated: false,
    }
}

fn party(role: PartyRole, country: &str) -> PartyInput {
    PartyInput {
        role,
        name: format!("{} Ltd", role.label()),
        address: "1 Example Street".into(),
        country: country.into(),
        end_user_type: (role == PartyRole::EndUser).then(|| "armed_forces".into()),
    }
}

fn siel() -> ApplicationInput {
    ApplicationInput {
        licence_type: "siel".into(),
        goods: vec![
            line(&["ML15a"], "1,234.56"),
            line(&["6a003b4", "ML15"], "100"),
        ],
        parties: vec![
            party(PartyRole::Consignee, "fr"),
            party(PartyRole::EndUser, "FR"),
        ],
        end_use_statement: "For use by the French army in training exercises.".into(),
    }
}

fn oiel() -> ApplicationInput {
    ApplicationInput {
        licence_type: "oiel".into(),
        goods: vec![line(&["ML10.b"], "")],
        parties: vec![
            party(PartyRole::EndUser, "DE"),
            party(PartyRole::UltimateEndUser, "NL"),
            party(PartyRole::UltimateEndUser, "DE"),
            party(PartyRole::UltimateEndUser, "BE"),
        ],
        end_use_statement: "Spares for allied air forces' transport aircraft.".into(),
    }
}

#[test]
fn a_valid_siel_is_normalised() {
    let app = validate(&siel(), list()).unwrap();
    assert_eq!(app.licence_type, LicenceType::StandardIndividual);
    assert_eq!(app.goods[0].ratings[0].as_str(), "ML15.a");
    assert_eq!(app.goods[1].ratings.len(), 2);
    assert_eq!(app.goods[0].value, Money::gbp(123_456));
    assert_eq!(app.goods[0].quantity, 12);
    assert_eq!(app.total_value(), Money::gbp(133_456));
    assert_eq!(app.destinations(), [CountryCode::parse("FR").unwrap()]);
    let end_user = app.end_user().unwrap();
    assert_eq!(end_user.end_user_type, Some(EndUserType::ArmedForces));
    assert_eq!(app.parties[0].end_user_type, None);
}

#[test]
fn a_valid_oiel_may_have_many_destinations_and_no_value() {
    let app = validate(&oiel(), list()).unwrap();
    assert_eq!(app.goods[0].value, Money::gbp(0));
    let codes: Vec<String> = app.destinations().iter().map(|c| c.to_string()).collect();
    assert_eq!(codes, ["BE", "DE", "NL"]);
}

/// Each row: a change to a valid SIEL and the (field, message fragment) it must produce,
/// and nothing else.
#[test]
fn each_rule_reports_its_field() {
    type Change = fn(&mut ApplicationInput);
    let table: &[(&str, Change, &str, &str)] = &[
        (
            "no licence type",
            |a| a.licence_type.clear(),
            "licence_type",
            "choose a licence type",
        ),
        (
            "bad licence type",
            |a| a.licence_type = "sitl".into(),
            "licence_type",
            "siel",
        ),
        ("no goods", |a| a.goods.clear(), "goods", "at least one"),
        (
            "short description",
            |a| a.goods[1].description = " ab ".into(),
            "goods[1].description",
            "at least 3",
        ),
        (
            "empty description",
            |a| a.goods[0].description.clear(),
            "goods[0].description",
            "enter the description",
        ),
        (
            "long description",
            |a| a.goods[0].description = "x".repeat(2001),
            "goods[0].description",
            "at most 2000",
        ),
        (
            "no ratings",
            |a| a.goods[0].ratings.clear(),
            "goods[0].ratings",
            "at least one",
        ),
        (
            "blank ratings only",
            |a| a.goods[0].ratings = vec![" ".into()],
            "goods[0].ratings",
            "at least one",
        ),
        (
            "unknown rating",
            |a| a.goods[1].ratings[1] = "ML99".into(),
            "goods[1].ratings[1]",
            "not on the control list",
        ),
        (
            "malformed rating",
            |a| a.goods[1].ratings[0] = "End Use".into(),
            "goods[1].ratings[0]",
            "not a rating",
        ),
        (
            "duplicate rating",
            |a| a.goods[1].ratings[1] = "6A003.b.4".into(),
            "goods[1].ratings[1]",
            "already listed",
        ),
        (
            "too many ratings",
            |a| a.goods[0].ratings = (1..=21).map(|n| format!("ML1.{n}")).collect(),
            "goods[0].ratings",
            "at most 20",
        ),
        (
            "no quantity",
            |a| a.goods[0].quantity.clear(),
            "goods[0].quantity",
            "enter a quantity",
        ),
        (
            "zero quantity",
            |a| a.goods[0].quantity = "0".into(),
            "goods[0].quantity",
            "at least 1",
        ),
        (
            "fractional quantity",
            |a| a.goods[0].quantity = "1.5".into(),
            "goods[0].quantity",
            "whole number",
        ),
        (
            "negative quantity",
            |a| a.goods[0].quantity = "-3".into(),
            "goods[0].quantity",
            "whole number",
        ),
        (
            "huge quantity",
            |a| a.goods[0].quantity = "1000000001".into(),
            "goods[0].quantity",
            "at most",
        ),
        (
            "overflowing quantity",
            |a| a.goods[0].quantity = "99999999999999999999999".into(),
            "goods[0].quantity",
            "at most",
        ),
        (
            "no unit",
            |a| a.goods[0].unit = " ".into(),
            "goods[0].unit",
            "enter the unit",
        ),
        (
            "no value",
            |a| a.goods[0].value.clear(),
            "goods[0].value",
            "enter the value",
        ),
        (
            "zero value",
            |a| a.goods[0].value = "0.00".into(),
            "goods[0].value",
            "more than zero",
        ),
        (
            "bad value",
            |a| a.goods[0].value = "lots".into(),
            "goods[0].value",
            "not an amount",
        ),
        (
            "negative value",
            |a| a.goods[0].value = "-5".into(),
            "goods[0].value",
            "negative",
        ),
        (
            "three decimals",
            |a| a.goods[0].value = "1.005".into(),
            "goods[0].value",
            "two decimal",
        ),
        (
            "absurd value",
            |a| a.goods[0].value = "10000000000.01".into(),
            "goods[0].value",
            "maximum",
        ),
        (
            "empty name",
            |a| a.parties[0].name.clear(),
            "parties[0].name",
            "enter the name",
        ),
        (
            "punctuation-only name",
            |a| a.parties[0].name = " -- ... ".into(),
            "parties[0].name",
            "letters or digits",
        ),
        (
            "long name",
            |a| a.parties[1].name = "n".repeat(201),
            "parties[1].name",
            "at most 200",
        ),
        (
            "empty address",
            |a| a.parties[1].address = "\n".into(),
            "parties[1].address",
            "enter the address",
        ),
        (
            "long address",
            |a| a.parties[1].address = "a".repeat(1001),
            "parties[1].address",
            "at most 1000",
        ),
        (
            "no country",
            |a| a.parties[1].country.clear(),
            "parties[1].country",
            "enter the country",
        ),
        (
            "UK is not a code",
            |a| a.parties[0].country = "UK".into(),
            "parties[0].country",
            "use GB",
        ),
        (
            "alpha-3 country",
            |a| a.parties[1].country = "FRA".into(),
            "parties[1].country",
            "two-letter",
        ),
        (
            "no end-user type",
            |a| a.parties[1].end_user_type = None,
            "parties[1].end_user_type",
            "choose the type",
        ),
        (
            "blank end-user type",
            |a| a.parties[1].end_user_type = Some(" ".into()),
            "parties[1].end_user_type",
            "choose the type",
        ),
        (
            "bad end-user type",
            |a| a.parties[1].end_user_type = Some("army".into()),
            "parties[1].end_user_type",
            "armed forces",
        ),
        (
            "type on consignee",
            |a| a.parties[0].end_user_type = Some("commercial".into()),
            "parties[0].end_user_type",
            "only the end user",
        ),
        (
            "no end user",
            |a| {
                a.parties.remove(1);
            },
            "parties",
            "add the end user",
        ),
        (
            "two end users",
            |a| a.parties.push(party(PartyRole::EndUser, "FR")),
            "parties",
            "exactly one end user, not 2",
        ),
        (
            "no consignee",
            |a| {
                a.parties.remove(0);
            },
            "parties",
            "exactly one consignee, not 0",
        ),
        (
            "two consignees",
            |a| a.parties.push(party(PartyRole::Consignee, "FR")),
            "parties",
            "exactly one consignee, not 2",
        ),
        (
            "consignee elsewhere",
            |a| a.parties[0].country = "BE".into(),
            "parties[0].country",
            "must be in France (FR)",
        ),
        (
            "ultimate end user elsewhere",
            |a| a.parties.push(party(PartyRole::UltimateEndUser, "DE")),
            "parties[2].country",
            "one destination",
        ),
        (
            "short statement",
            |a| a.end_use_statement = "too short".into(),
            "end_use_statement",
            "at least 10",
        ),
        (
            "long statement",
            |a| a.end_use_statement = "s".repeat(5001),
            "end_use_statement",
            "at most 5000",
        ),
        (
            "too many lines",
            |a| a.goods = vec![line(&["ML1"], "1"); 201],
            "goods",
            "at most 200",
        ),
        (
            "too many parties",
            |a| {
                a.parties
                    .extend(vec![party(PartyRole::ThirdParty, "FR"); 99])
            },
            "parties",
            "at most 100",
        ),
    ];
    for (name, change, field, fragment) in table {
        let mut input = siel();
        change(&mut input);
        let errors = validate(&input, list()).expect_err(name);
        assert_eq!(errors.len(), 1, "{name}: {errors}");
        assert_eq!(errors.0[0].field, *field, "{name}: {errors}");
        assert!(errors.0[0].message.contains(fragment), "{name}: {errors}");
    }
}

#[test]
fn third_parties_may_be_anywhere_and_texts_are_trimmed() {
    let mut input = siel();
    input.parties.push(party(PartyRole::ThirdParty, "US"));
    input.parties[0].name = "  Consignee SA  ".into();
    let app = validate(&input, list()).unwrap();
    assert_eq!(app.parties[0].name, "Consignee SA");
    assert_eq!(app.destinations().len(), 1);
}

#[test]
fn length_limits_count_characters_not_bytes() {
    let mut input = siel();
    input.goods[0].description = "é".repeat(2000);
    input.end_use_statement = "ü".repeat(10);
    assert!(validate(&input, list()).is_ok());
}

#[test]
fn oiel_rules() {
    let mut input = oiel();
    input.goods[0].value = "0".into();
    assert!(
        validate(&input, list()).is_ok(),
        "zero means no value limit"
    );
    input.goods[0].value = "abc".into();
    let errors = validate(&input, list()).unwrap_err();
    assert_eq!(errors.for_field("goods[0].value").len(), 1);
    let mut input = oiel();
    input.parties.retain(|p| p.role != PartyRole::EndUser);
    assert_eq!(
        validate(&input, list()).unwrap_err().for_field("parties"),
        ["add the end user"]
    );
}

#[test]
fn all_errors_are_collected() {
    let input = ApplicationInput {
        licence_type: "siel".into(),
        goods: vec![GoodsLineInput {
            ratings: vec!["ML1".into(), "XX9".into()],
            ..Default::default()
        }],
        parties: vec![PartyInput {
            role: PartyRole::EndUser,
            country: "ZZ".into(),
            ..Default::default()
        }],
        end_use_statement: String::new(),
    };
    let errors = validate(&input, list()).unwrap_err();
    let fields: Vec<&str> = errors.0.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(
        fields,
        [
            "goods[0].description",
            "goods[0].ratings[1]",
            "goods[0].quantity",
            "goods[0].unit",
            "goods[0].value",
            "parties[0].name",
            "parties[0].address",
            "parties[0].country",
            "parties[0].end_user_type",
            "parties",
            "end_use_statement",
        ]
    );
    assert!(errors
        .to_string()
        .starts_with("goods[0].description: enter the description; "));
}

#[path = "application_draft_tests.rs"]
mod drafts;
