//! Bad input is refused with errors naming each field, and nothing is written.
mod common;

use common::*;
use probity_service::domain::{ApplicationInput, CaseStatus, GoodsLineInput, PartyRole};
use probity_service::testing::{siel, Backend, RowCounts, TestDb, World};
use probity_service::{applications, cases};

type Mutation = fn(&mut ApplicationInput);

/// (what is wrong, how to break a valid application, the field paths that must be named)
const BAD: &[(&str, Mutation, &[&str])] = &[
    (
        "unknown rating",
        |a| a.goods[0].ratings = vec!["ML99".into()],
        &["goods[0].ratings[0]"],
    ),
    (
        "malformed rating",
        |a| a.goods[0].ratings = vec!["ML15b".into(), "not a rating".into()],
        &["goods[0].ratings[1]"],
    ),
    (
        "no rating",
        |a| a.goods[0].ratings = vec![" ".into()],
        &["goods[0].ratings"],
    ),
    (
        "negative value",
        |a| a.goods[0].value = "-5.00".into(),
        &["goods[0].value"],
    ),
    (
        "absurd value",
        |a| a.goods[0].value = "99999999999999999".into(),
        &["goods[0].value"],
    ),
    (
        "zero value",
        |a| a.goods[0].value = "0".into(),
        &["goods[0].value"],
    ),
    (
        "fractions of a penny",
        |a| a.goods[0].value = "10.005".into(),
        &["goods[0].value"],
    ),
    (
        "zero quantity",
        |a| a.goods[0].quantity = "0".into(),
        &["goods[0].quantity"],
    ),
    (
        "absurd quantity",
        |a| a.goods[0].quantity = "1000000000000".into(),
        &["goods[0].quantity"],
    ),
    ("no goods", |a| a.goods.clear(), &["goods"]),
    (
        "missing end user",
        |a| a.parties.retain(|p| p.role != PartyRole::EndUser),
        &["parties"],
    ),
    (
        "unknown country",
        |a| a.parties[0].country = "XX".into(),
        &["parties[0].country"],
    ),
    (
        "a name, not a code",
        |a| a.parties[1].country = "Norway".into(),
        &["parties[1].country"],
    ),
    (
        "UK, not GB",
        |a| a.parties[0].country = "UK".into(),
        &["parties[0].country"],
    ),
    (
        "empty end-use statement",
        |a| a.end_use_statement = "   ".into(),
        &["end_use_statement"],
    ),
    (
        "unknown licence type",
        |a| a.licence_type = "global".into(),
        &["licence_type"],
    ),
    (
        "end-user type on a consignee",
        |a| a.parties[1].end_user_type = Some("government".into()),
        &["parties[1].end_user_type"],
    ),
    (
        "two destinations on a standard licence",
        |a| a.parties[1].country = "SE".into(),
        &["parties[1].country"],
    ),
    (
        "everything at once",
        |a| {
            a.goods[0].ratings = vec!["ML99".into()];
            a.goods[0].value = "-1".into();
            a.parties[0].country = "XX".into();
            a.end_use_statement.clear();
        },
        &[
            "goods[0].ratings[0]",
            "goods[0].value",
            "parties[0].country",
            "end_use_statement",
        ],
    ),
];

async fn bad_applications_are_refused_whole(backend: Backend) {
    let db = TestDb::new(backend).await;
    let w = World::new(&db).await;
    let c = &w.ctx;
    for (what, mutate, fields) in BAD {
        let mut input = siel("NO");
        mutate(&mut input);
        let before = RowCounts::of(&db.store).await;
        let errors = invalid(applications::submit_new(c, &w.exporter, &input).await);
        let named: Vec<&str> = errors.iter().map(|(f, _)| f.as_str()).collect();
        assert_eq!(named, *fields, "{what}: {errors:?}");
        for (field, message) in &errors {
            assert!(message.len() > 10, "{what}: {field} has no real message");
        }
        assert_eq!(
            RowCounts::of(&db.store).await,
            before,
            "{what} wrote something"
        );
    }
    // The messages say what is wrong with the value given.
    let mut input = siel("NO");
    input.goods[0].ratings = vec!["ML99".into()];
    input.parties[0].country = "UK".into();
    let errors = invalid(applications::submit_new(c, &w.exporter, &input).await);
    assert!(errors[0].1.contains("ML99"), "{errors:?}");
    assert!(errors[1].1.contains("use GB"), "{errors:?}");
    // And a valid one still goes through, taking the first reference.
    let (_, reference) = applications::submit_new(c, &w.exporter, &siel("NO"))
        .await
        .unwrap();
    assert_eq!(reference.to_string(), "GBSIEL/2026/0000001");
}

async fn open_licences_need_no_value(backend: Backend) {
    let db = TestDb::new(backend).await;
    let w = World::new(&db).await;
    let c = &w.ctx;
    let mut input = siel("NO");
    input.licence_type = "oiel".into();
    input.goods[0].value = String::new();
    let mut ultimate = input.parties[0].clone();
    ultimate.role = PartyRole::UltimateEndUser;
    ultimate.country = "SE".into();
    ultimate.end_user_type = None;
    input.parties.push(ultimate);
    let (id, reference) = applications::submit_new(c, &w.exporter, &input)
        .await
        .unwrap();
    assert_eq!(reference.to_string(), "GBOIEL/2026/0000001");
    let case = cases::get_case(c, &w.exporter, id).await.unwrap();
    assert_eq!(case.destinations, vec!["NO".to_string(), "SE".to_string()]);
    assert_eq!(case.total_value_minor, 0);
}

async fn drafts(backend: Backend) {
    let db = TestDb::new(backend).await;
    let w = World::new(&db).await;
    let c = &w.ctx;
    // An incomplete draft saves.
    let incomplete = ApplicationInput {
        licence_type: "siel".into(),
        goods: vec![GoodsLineInput {
            description: "Thermal sights".into(),
            ratings: vec!["ml15b".into()],
            ..Default::default()
        }],
        parties: vec![],
        end_use_statement: String::new(),
    };
    let before = RowCounts::of(&db.store).await;
    let id = applications::save_draft(c, &w.exporter, None, &incomplete)
        .await
        .unwrap();
    let after = RowCounts::of(&db.store).await;
    assert_eq!(after.cases, before.cases + 1);
    assert_eq!(after.audit_events, before.audit_events + 1);
    assert_eq!(after.reference_counters, before.reference_counters);
    let draft = cases::get_case(c, &w.exporter, id).await.unwrap();
    assert_eq!(draft.status, CaseStatus::Draft);
    assert_eq!(draft.reference, None);
    assert_eq!(draft.draft, incomplete);
    // Officials do not see drafts.
    not_found(cases::get_case(c, &w.caseworker, id).await);

    // A draft with an unknown rating does not save, neither new nor as an edit.
    let mut bad = incomplete.clone();
    bad.goods[0].ratings = vec!["ML15b".into(), "ZZ9".into()];
    let before = RowCounts::of(&db.store).await;
    let errors = invalid(applications::save_draft(c, &w.exporter, None, &bad).await);
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].0, "goods[0].ratings[1]");
    let errors = invalid(applications::save_draft(c, &w.exporter, Some(id), &bad).await);
    assert_eq!(errors[0].0, "goods[0].ratings[1]");
    let mut bad_country = incomplete.clone();
    bad_country.parties = vec![Default::default()];
    bad_country.parties[0].country = "Atlantis".into();
    let errors = invalid(applications::save_draft(c, &w.exporter, Some(id), &bad_country).await);
    assert_eq!(errors[0].0, "parties[0].country");
    assert_eq!(RowCounts::of(&db.store).await, before);
    assert_eq!(
        cases::get_case(c, &w.exporter, id).await.unwrap().draft,
        incomplete,
        "a refused edit left the draft as it was"
    );

    // Submitting the incomplete draft names what is missing and leaves it a draft.
    let before = RowCounts::of(&db.store).await;
    let errors = invalid(applications::submit(c, &w.exporter, id).await);
    let named: Vec<&str> = errors.iter().map(|(f, _)| f.as_str()).collect();
    for field in [
        "goods[0].quantity",
        "goods[0].value",
        "parties",
        "end_use_statement",
    ] {
        assert!(named.contains(&field), "{field} not named: {named:?}");
    }
    assert_eq!(RowCounts::of(&db.store).await, before);
    assert_eq!(
        cases::get_case(c, &w.exporter, id).await.unwrap().status,
        CaseStatus::Draft
    );

    // Completed and submitted, it becomes a case with the first reference.
    applications::save_draft(c, &w.exporter, Some(id), &siel("NO"))
        .await
        .unwrap();
    let reference = applications::submit(c, &w.exporter, id).await.unwrap();
    assert_eq!(reference.to_string(), "GBSIEL/2026/0000001");
    let case = cases::get_case(c, &w.caseworker, id).await.unwrap();
    assert_eq!(case.status, CaseStatus::Submitted);
    assert_eq!(case.destinations, vec!["NO".to_string()]);
}

async fn casework_text_is_checked(backend: Backend) {
    let db = TestDb::new(backend).await;
    let w = World::new(&db).await;
    let c = &w.ctx;
    let id = w
        .case_at(probity_service::testing::Stage::UnderReview)
        .await;
    let before = RowCounts::of(&db.store).await;
    assert_eq!(
        invalid(cases::ask_question(c, &w.caseworker, id, "  ?  ").await)[0].0,
        "body"
    );
    assert_eq!(
        invalid(
            probity_service::advice::request_advice(c, &w.caseworker, id, &[], "Please advise.")
                .await
        )[0]
        .0,
        "teams"
    );
    // A licensing team is not an advisory team.
    let teams = probity_service::orgs::list_teams(c).await.unwrap();
    let licensing = teams.iter().find(|t| t.kind == "licensing").unwrap().id;
    assert_eq!(
        invalid(
            probity_service::advice::request_advice(c, &w.caseworker, id, &[licensing], "x").await
        )[0]
        .0,
        "teams"
    );
    assert_eq!(RowCounts::of(&db.store).await, before);
}

probity_service::backend_tests!(
    bad_applications_are_refused_whole,
    open_licences_need_no_value,
    drafts,
    casework_text_is_checked,
);
