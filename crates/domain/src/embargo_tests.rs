use time::macros::date;

use super::*;
use crate::control_list::Rating;
use crate::EndUserType;

fn subject(destination: &str, ratings: &[&str], end_user: EndUserType) -> ScopeSubject {
    ScopeSubject {
        destinations: vec![CountryCode::parse(destination).unwrap()],
        ratings: ratings
            .iter()
            .map(|r| Rating::try_from(r.to_string()).unwrap())
            .collect(),
        end_user_types: vec![end_user],
        end_use: String::new(),
    }
}

fn shipped(destination: &str) -> &'static Embargo {
    starting_embargoes()
        .iter()
        .find(|e| e.destination.as_str() == destination)
        .unwrap()
}

#[test]
fn the_starting_set_loads_and_covers_each_destination_once() {
    let set = embargoes_from_csv(STARTING_SET_CSV).unwrap();
    assert!(set.len() >= 20, "{}", set.len());
    let mut destinations: Vec<&str> = set.iter().map(|e| e.destination.as_str()).collect();
    destinations.sort();
    let before = destinations.len();
    destinations.dedup();
    assert_eq!(before, destinations.len(), "a destination is listed twice");
    assert_eq!(starting_embargoes().len(), set.len());
}

#[test]
fn an_all_military_embargo_covers_military_goods_only() {
    let russia = shipped("RU");
    assert!(russia
        .evaluate(&subject("RU", &["ML3.a"], EndUserType::Commercial))
        .in_scope());
    assert!(!russia
        .evaluate(&subject("RU", &["5A002"], EndUserType::Commercial))
        .in_scope());
    assert!(!russia
        .evaluate(&subject("FR", &["ML3.a"], EndUserType::Commercial))
        .in_scope());
}

#[test]
fn a_non_governmental_embargo_spares_the_government() {
    let drc = shipped("CD");
    assert!(drc
        .evaluate(&subject("CD", &["ML1"], EndUserType::Individual))
        .in_scope());
    assert!(!drc
        .evaluate(&subject("CD", &["ML1"], EndUserType::ArmedForces))
        .in_scope());
}

#[test]
fn a_rating_embargo_names_its_ratings() {
    let china = shipped("CN");
    let verdict = china.evaluate(&subject("CN", &["ML10.b"], EndUserType::Government));
    assert!(
        verdict.to_string().contains("rating ML10.b (under ML10)"),
        "{verdict}"
    );
    assert!(!china
        .evaluate(&subject("CN", &["ML11"], EndUserType::Government))
        .in_scope());
}

#[test]
fn an_ended_embargo_is_in_force_only_between_its_dates() {
    let iran = shipped("IR");
    assert!(!iran.in_force_on(date!(2007 - 03 - 23)));
    assert!(iran.in_force_on(date!(2007 - 03 - 24)));
    assert!(iran.in_force_on(date!(2020 - 10 - 18)));
    assert!(!iran.in_force_on(date!(2020 - 10 - 19)));
    assert!(shipped("RU").in_force_on(date!(2026 - 12 - 04)));
}

fn valid() -> EmbargoInput {
    EmbargoInput {
        destination: "RU".into(),
        regime: "uk".into(),
        reference: "The Russia (Sanctions) (EU Exit) Regulations 2019".into(),
        starts_on: "2019-04-10".into(),
        ends_on: String::new(),
        goods: "military".into(),
        end_users: String::new(),
        summary: "A ban on military goods and technology to Russia.".into(),
    }
}

#[test]
fn bad_embargo_input_is_refused_field_by_field() {
    assert!(valid().parse().is_ok());
    let bad = EmbargoInput {
        destination: "Narnia".into(),
        regime: "nato".into(),
        starts_on: "2024-09-02".into(),
        ends_on: "2024-09-01".into(),
        goods: "ML-1".into(),
        end_users: "rebels".into(),
        ..valid()
    };
    let errors = bad.parse().unwrap_err().0;
    let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(
        fields,
        ["destination", "regime", "ends_on", "goods", "end_users"],
        "{errors:?}"
    );
    assert!(
        errors[2].message.contains("cannot end"),
        "{}",
        errors[2].message
    );
    let no_date = EmbargoInput {
        starts_on: "2 Sept 2024".into(),
        goods: String::new(),
        ..valid()
    };
    let errors = no_date.parse().unwrap_err().0;
    assert_eq!(errors[0].field, "starts_on");
    assert!(errors[0].message.contains("2024-09-02"));
    assert_eq!(errors[1].field, "goods");
}

#[test]
fn a_bad_line_in_embargo_data_is_named() {
    let csv = "header\nRU,uk,ref ok,2019-04-10,,military,,short\n";
    let err = embargoes_from_csv(csv).unwrap_err();
    assert_eq!(err.line, 2);
    assert!(err.message.contains("summary"), "{err}");
}
