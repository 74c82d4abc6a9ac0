//! Free text is parsed in the domain: reasons for irreversible actions have a minimum length,
//! every text a maximum, and control characters (NUL above all, which PostgreSQL cannot
//! store) are refused with a field error that writes nothing. And only a case's assigned
//! caseworker works it; taking over a colleague's case is recorded as a reassignment.
mod common;

use common::*;
use probity_service::domain::{LicenceAction, MIN_EXPLANATION_CHARS};
use probity_service::testing::{siel, Backend, RowCounts, Stage, TestDb, World};
use probity_service::{advice, applications, cases, decisions, licences, ServiceError};

const LOCAL: probity_service::sign_in::ClientAddr = probity_service::testing::LOCAL_CLIENT;

type Mutation = fn(&mut probity_service::domain::ApplicationInput);

const NUL_REASON: &str = "The end user\0 has been listed for diversion.";

async fn nul_in_an_application_is_a_field_error(backend: Backend) {
    let db = TestDb::new(backend).await;
    let w = World::new(&db).await;
    let c = &w.ctx;
    let before = RowCounts::of(&db.store).await;
    let mutations: [(&str, Mutation); 4] = [
        ("goods[0].description", |a| {
            a.goods[0].description = "Thermal\0 sights".into()
        }),
        ("parties[0].name", |a| a.parties[0].name = "Army\0".into()),
        ("parties[0].address", |a| {
            a.parties[0].address = "Oslo \u{1b}[2J".into()
        }),
        ("end_use_statement", |a| {
            a.end_use_statement = "For border patrols\0 at night.".into()
        }),
    ];
    for (field, mutate) in mutations {
        let mut input = siel("NO");
        mutate(&mut input);
        let errors = invalid(applications::submit_new(c, &w.exporter, &input).await);
        assert_eq!(errors.len(), 1, "{field}: {errors:?}");
        assert_eq!(errors[0].0, field);
        assert!(errors[0].1.contains("control character"), "{errors:?}");
        // A draft refuses it too: it would be stored.
        let errors = invalid(applications::save_draft(c, &w.exporter, None, &input).await);
        assert_eq!(errors[0].0, field, "draft: {errors:?}");
    }
    // A party name is one line.
    let mut input = siel("NO");
    input.parties[0].name = "Army\nof the North".into();
    let errors = invalid(applications::submit_new(c, &w.exporter, &input).await);
    assert_eq!(errors[0].0, "parties[0].name");
    assert!(errors[0].1.contains("one line"), "{errors:?}");
    assert_eq!(RowCounts::of(&db.store).await, before);
}

async fn irreversible_actions_need_a_real_reason(backend: Backend) {
    let db = TestDb::new(backend).await;
    let w = World::new(&db).await;
    let c = &w.ctx;
    let submitted = w.case_at(Stage::Submitted).await;
    let granted = w.case_at(Stage::Granted).await;
    let licence = licences::for_case(c, &w.exporter, granted).await.unwrap()[0].id;
    let before = RowCounts::of(&db.store).await;
    let too_long = "x".repeat(5001);
    for reason in ["", "Changed plans.", NUL_REASON, too_long.as_str()] {
        let errors = invalid(applications::withdraw(c, &w.exporter, submitted, reason).await);
        assert_eq!(errors[0].0, "reason", "{reason:?}");
        for (actor, action) in [
            (&w.decision_maker, LicenceAction::Suspend),
            (&w.decision_maker, LicenceAction::Revoke),
            (&w.exporter, LicenceAction::Surrender),
        ] {
            let errors = invalid(licences::act(c, actor, licence, action, reason).await);
            assert_eq!(errors[0].0, "reason", "{action:?} {reason:?}");
        }
    }
    let short = invalid(applications::withdraw(c, &w.exporter, submitted, "No.").await);
    assert!(
        short[0]
            .1
            .contains(&format!("at least {MIN_EXPLANATION_CHARS}")),
        "{short:?}"
    );
    assert_eq!(RowCounts::of(&db.store).await, before);
    applications::withdraw(
        c,
        &w.exporter,
        submitted,
        "The customer cancelled the order.",
    )
    .await
    .unwrap();
}

async fn every_casework_text_refuses_nul(backend: Backend) {
    let db = TestDb::new(backend).await;
    let w = World::new(&db).await;
    let c = &w.ctx;
    let review = w.case_at(Stage::UnderReview).await;
    let refused = w.case_at(Stage::Refused).await;
    let for_decision = w.case_at(Stage::UnderFinalReview).await;
    let before = RowCounts::of(&db.store).await;
    let field = |r: Result<_, ServiceError>| -> String {
        let errors = invalid::<()>(r.map(drop));
        assert!(errors[0].1.contains("control character"), "{errors:?}");
        errors[0].0.clone()
    };
    assert_eq!(
        field(
            cases::ask_question(c, &w.caseworker, review, "Why\0?")
                .await
                .map(drop)
        ),
        "body"
    );
    assert_eq!(
        field(advice::request_advice(c, &w.caseworker, review, &[w.fcdo], "Note\0").await),
        "note"
    );
    let mut a = approve("NO");
    a.reasons = NUL_REASON.into();
    assert_eq!(
        field(advice::give_advice(c, &w.fcdo_adviser, review, &a).await),
        "reasons"
    );
    assert_eq!(
        field(
            probity_service::appeals::appeal(c, &w.exporter, refused, NUL_REASON)
                .await
                .map(drop)
        ),
        "grounds"
    );
    let mut g = grant(&["Re-export only with permission\0"]);
    assert_eq!(
        field(
            decisions::finalise(c, &w.decision_maker, for_decision, &g)
                .await
                .map(drop)
        ),
        "provisos"
    );
    g = grant(&[]);
    g.reasons = NUL_REASON.into();
    assert_eq!(
        field(
            decisions::finalise(c, &w.decision_maker, for_decision, &g)
                .await
                .map(drop)
        ),
        "reasons"
    );
    g = grant(&[]);
    g.conflict_resolution = NUL_REASON.into();
    assert_eq!(
        field(
            decisions::finalise(c, &w.decision_maker, for_decision, &g)
                .await
                .map(drop)
        ),
        "conflict_resolution"
    );
    assert_eq!(RowCounts::of(&db.store).await, before);
}

async fn only_the_assigned_caseworker_works_a_case(backend: Backend) {
    let db = TestDb::new(backend).await;
    let w = World::new(&db).await;
    let c = &w.ctx;
    let colleague = w.colleague_caseworker("colleague@ecju.test").await;
    let id = w.case_at(Stage::UnderReview).await;
    let before = RowCounts::of(&db.store).await;
    let refused = |r: Result<(), ServiceError>| match r {
        Err(ServiceError::Forbidden(m)) => m,
        other => panic!("expected 403, got {other:?}"),
    };
    let m = refused(
        cases::ask_question(c, &colleague, id, "Please send the undertaking.")
            .await
            .map(drop),
    );
    assert!(
        m.contains("assigned to caseworker") && m.contains("take it over first"),
        "{m}"
    );
    refused(advice::request_advice(c, &colleague, id, &[w.fcdo], "Please advise.").await);
    assert_eq!(RowCounts::of(&db.store).await, before);

    // Taking it over is allowed, and recorded as a reassignment naming the previous assignee.
    cases::assign_to_self(c, &colleague, id).await.unwrap();
    let events = cases::history(c, &w.caseworker, id).await.unwrap();
    let last = events.last().unwrap();
    assert_eq!(last.action, "case.reassign");
    assert_eq!(last.detail["from"], w.caseworker.user_id.to_string());
    assert_eq!(last.detail["to"], colleague.user_id.to_string());
    // Now the first caseworker is the one told to take it over.
    let m = refused(
        cases::ask_question(c, &w.caseworker, id, "Please send the undertaking.")
            .await
            .map(drop),
    );
    assert!(m.contains("Casey Colleague"), "{m}");
    cases::ask_question(c, &colleague, id, "Please send the undertaking.")
        .await
        .unwrap();
    // Consolidating the final advice is the assignee's too.
    let advised = w.case_at(Stage::FinalAdvice).await;
    refused(
        advice::consolidate_final(c, &colleague, advised, "Consolidated from both teams.")
            .await
            .map(drop),
    );
    // Taking an unassigned case is a plain assignment.
    let fresh = w.case_at(Stage::Submitted).await;
    cases::assign_to_self(c, &w.caseworker, fresh)
        .await
        .unwrap();
    let events = cases::history(c, &w.caseworker, fresh).await.unwrap();
    assert_eq!(events.last().unwrap().action, "case.assign");
}

async fn submit_for_decision_is_the_assignees(backend: Backend) {
    let db = TestDb::new(backend).await;
    let w = World::new(&db).await;
    let c = &w.ctx;
    let colleague = w.colleague_caseworker("colleague@ecju.test").await;
    let id = w.case_at(Stage::FinalAdvice).await;
    match decisions::submit_for_decision(c, &colleague, id).await {
        Err(ServiceError::Forbidden(m)) => assert!(m.contains("take it over"), "{m}"),
        other => panic!("expected 403, got {other:?}"),
    }
    decisions::submit_for_decision(c, &w.caseworker, id)
        .await
        .unwrap();
}

/// Sign-in and the accounts and organisations the CLI and admin pages add: NUL is a field
/// error on PostgreSQL too, never a database error.
async fn nul_in_accounts_is_a_field_error(backend: Backend) {
    use probity_service::auth::{self, NewUser};
    use probity_service::orgs::{self, NewOrganisation, TeamKind};
    use probity_service::testing::PASSWORD;
    let db = TestDb::new(backend).await;
    let w = World::new(&db).await;
    let c = &w.ctx;
    let before = RowCounts::of(&db.store).await;
    let e = invalid(
        auth::login(c, "exporter@acme.test\0", PASSWORD, LOCAL)
            .await
            .map(drop),
    );
    assert_eq!(e[0].0, "email");
    let user = NewUser {
        email: "new@ecju.test".into(),
        display_name: "New\0 caseworker".into(),
        role: "caseworker".into(),
        password: PASSWORD.into(),
        organisation_id: None,
        team_id: None,
    };
    let e = invalid(auth::create_user(c, Some(&w.admin), &user).await.map(drop));
    assert_eq!(e[0].0, "display_name");
    let org = NewOrganisation {
        name: "Acme\0 Optics".into(),
        registration_number: "0999".into(),
        address: "2 High Street".into(),
        country: "GB".into(),
    };
    let e = invalid(
        orgs::create_organisation(c, Some(&w.admin), &org)
            .await
            .map(drop),
    );
    assert_eq!(e[0].0, "name");
    let org = NewOrganisation {
        name: "Acme Optics".into(),
        address: "2 High\0 Street".into(),
        ..org
    };
    let e = invalid(
        orgs::create_organisation(c, Some(&w.admin), &org)
            .await
            .map(drop),
    );
    assert_eq!(e[0].0, "address");
    let e = invalid(
        orgs::create_team(c, Some(&w.admin), "Team\0", TeamKind::Advisory)
            .await
            .map(drop),
    );
    assert_eq!(e[0].0, "name");
    let e = invalid(
        probity_service::tokens::create(
            c,
            &w.exporter,
            &probity_service::tokens::NewToken {
                name: "script\0".into(),
                ..Default::default()
            },
        )
        .await
        .map(drop),
    );
    assert_eq!(e[0].0, "name");
    assert_eq!(RowCounts::of(&db.store).await, before);
}

probity_service::backend_tests!(
    nul_in_accounts_is_a_field_error,
    nul_in_an_application_is_a_field_error,
    irreversible_actions_need_a_real_reason,
    every_casework_text_refuses_nul,
    only_the_assigned_caseworker_works_a_case,
    submit_for_decision_is_the_assignees,
);
