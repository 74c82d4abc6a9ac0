use super::*;
use crate::application::{validate, ApplicationInput, GoodsLineInput, PartyInput, PartyRole};
use crate::reference::ReferencePrefix;
use time::macros::datetime;

fn list() -> &'static ControlList {
    ControlList::uk()
}

fn goods(ratings: &[&str], value: &str) -> GoodsLineInput {
    GoodsLineInput {
        description: "CONFIDENTIAL exporter wording".into(),
        ratings: ratings.iter().map(|r| r.to_string()).collect(),
        quantity: "1".into(),
        unit: "items".into(),
        value: value.into(),
        incorporated: false,
    }
}

fn app() -> Application {
    let party = |role, country: &str| PartyInput {
        role,
        name: "Secret Buyer Ltd".into(),
        address: "Secret address".into(),
        country: country.into(),
        end_user_type: (role == PartyRole::EndUser).then(|| "government".into()),
    };
    let input = ApplicationInput {
        licence_type: "siel".into(),
        goods: vec![
            goods(&["ML15.a", "6A003"], "1000"),
            goods(&["ML10b"], "250.50"),
            goods(&["ML15a"], "10"),
            goods(&["6A003"], "1"),
        ],
        parties: vec![
            party(PartyRole::Consignee, "NO"),
            party(PartyRole::EndUser, "NO"),
        ],
        end_use_statement: "Border surveillance by the national police.".into(),
    };
    validate(&input, list()).unwrap()
}

fn case() -> CaseReference {
    CaseReference::new(ReferencePrefix::Siel, 2026, 123)
}

fn rv(rating: &str, value_minor: i64) -> RatingValue {
    RatingValue {
        rating: list().rating(rating).unwrap(),
        value_minor,
    }
}

#[test]
fn values_go_to_the_first_rating_of_each_line() {
    assert_eq!(
        rating_values(&app()),
        [
            rv("6A003", 100),
            rv("ML10.b", 25_050),
            rv("ML15.a", 101_000)
        ]
    );
}

#[test]
fn grant_record() {
    let number = LicenceNumber::for_case(&case(), 1);
    let at = datetime!(2026-03-01 12:30:00 UTC);
    let decision = Decision::Grant {
        provisos: vec!["secret proviso".into()],
    };
    let r = PublicDecisionRecord::for_decision(
        &app(),
        case(),
        &decision,
        Some(number.clone()),
        at,
        list(),
    );
    assert_eq!(r.kind, RecordKind::Grant);
    assert_eq!(r.licence_number, Some(number));
    assert_eq!(r.destinations, [CountryCode::parse("NO").unwrap()]);
    assert_eq!(r.end_user_type, Some(EndUserType::Government));
    assert!(r.criteria.is_empty());
    assert_eq!(r.refers_to, None);
    assert!(
        r.goods_summary.starts_with("6A003: Cameras"),
        "{}",
        r.goods_summary
    );
    assert!(r.goods_summary.contains("; ML10: "));
    assert!(r.goods_summary.contains("; ML15: "));
    let json = String::from_utf8(r.canonical_json()).unwrap();
    for secret in ["CONFIDENTIAL", "Secret", "secret", "Border surveillance"] {
        assert!(!json.contains(secret), "{secret} leaked: {json}");
    }
    assert!(json.starts_with(r#"{"kind":"grant","decided_at":"2026-03-01T12:30:00Z","case_reference":"GBSIEL/2026/0000123","licence_number":"GBSIEL/2026/0000123/L1","licence_type":"siel","destinations":["NO"],"ratings":[{"rating":"6A003","value_minor":100}"#), "{json}");
    assert_eq!(
        serde_json::from_slice::<PublicDecisionRecord>(&r.canonical_json()).unwrap(),
        r
    );
    assert_eq!(r.canonical_json(), r.clone().canonical_json());
}

#[test]
fn refusal_record_sorts_and_dedups_criteria() {
    let code = |s| CriterionCode::new(s).unwrap();
    let decision = Decision::Refuse {
        criteria: vec![code("7a"), code("2c"), code("7a")],
    };
    let r = PublicDecisionRecord::for_decision(
        &app(),
        case(),
        &decision,
        None,
        datetime!(2026-01-01 0:00 UTC),
        list(),
    );
    assert_eq!(r.kind, RecordKind::Refusal);
    assert_eq!(r.criteria, [code("2c"), code("7a")]);
    assert_eq!(r.licence_number, None);
}

#[test]
fn licence_events_refer_to_the_licence() {
    let number = LicenceNumber::for_case(&case(), 2);
    let grant = PublicDecisionRecord::for_decision(
        &app(),
        case(),
        &Decision::Grant { provisos: vec![] },
        Some(number),
        datetime!(2026-01-01 0:00 UTC),
        list(),
    );
    let at = datetime!(2026-06-01 9:00 UTC);
    let table = [
        (LicenceAction::Suspend, RecordKind::Suspension),
        (LicenceAction::Reinstate, RecordKind::Reinstatement),
        (LicenceAction::Revoke, RecordKind::Revocation),
        (LicenceAction::Surrender, RecordKind::Surrender),
        (LicenceAction::Expire, RecordKind::Expiry),
        (LicenceAction::Exhaust, RecordKind::Exhaustion),
    ];
    for (action, kind) in table {
        let e = PublicDecisionRecord::for_licence_event(
            &grant,
            action,
            at,
            Some("Embargo imposed".into()),
        );
        assert_eq!(e.kind, kind);
        assert_eq!(e.decided_at, at);
        assert_eq!(e.refers_to.as_deref(), Some("GBSIEL/2026/0000123/L2"));
        assert_eq!(e.ratings, grant.ratings);
        assert_eq!(e.reason.as_deref(), Some("Embargo imposed"));
    }
}

#[test]
fn record_kinds() {
    for k in RecordKind::ALL {
        assert_eq!(k.as_str().parse::<RecordKind>(), Ok(k));
        assert_eq!(
            serde_json::to_string(&k).unwrap(),
            format!("\"{}\"", k.as_str())
        );
    }
    assert_eq!(
        RecordKind::for_decision(&Decision::NoLicenceRequired),
        RecordKind::NoLicenceRequired
    );
}

#[test]
fn long_summaries_are_cut_at_whole_entries() {
    let ratings: Vec<RatingValue> = list()
        .entries()
        .iter()
        .filter(|e| e.code.starts_with('9'))
        .map(|e| rv(&e.code, 1))
        .collect();
    let summary = goods_summary(&ratings, list());
    assert!(
        summary.chars().count() <= MAX_GOODS_SUMMARY_CHARS,
        "{summary}"
    );
    assert!(summary.starts_with("9A001: "));
    let left = summary
        .rsplit("; and ")
        .next()
        .unwrap()
        .trim_end_matches(" more");
    let shown = summary.matches("; ").count();
    assert_eq!(
        left.parse::<usize>().unwrap() + shown,
        ratings.len(),
        "{summary}"
    );
}

#[test]
fn unknown_bases_are_named_without_description() {
    let rating: Rating = serde_json::from_str("\"5A999.a\"").unwrap();
    let summary = goods_summary(
        &[RatingValue {
            rating,
            value_minor: 0,
        }],
        list(),
    );
    assert_eq!(summary, "5A999");
    assert_eq!(goods_summary(&[], list()), "");
}

#[test]
fn every_review_outcome_is_published_as_the_licence_event_it_causes() {
    use crate::assessment::ReviewOutcome;
    for outcome in ReviewOutcome::ALL {
        let kind = RecordKind::for_review_outcome(outcome);
        match outcome.licence_action() {
            // An outcome that moves the licence publishes the same kind as that move made
            // any other way, so the register reads one lifecycle.
            Some(action) => assert_eq!(kind, RecordKind::for_licence_action(action)),
            // One that leaves it as it is has its own kind, never a grant or a move.
            None => assert!(
                matches!(
                    kind,
                    RecordKind::Retention | RecordKind::SuspensionMaintained
                ),
                "{outcome:?} published as {kind:?}"
            ),
        }
    }
    assert_ne!(
        RecordKind::for_review_outcome(ReviewOutcome::Keep),
        RecordKind::for_review_outcome(ReviewOutcome::KeepSuspended)
    );
}
