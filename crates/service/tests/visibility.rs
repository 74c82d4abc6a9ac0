//! Who sees what, and who may do what, enforced by the service layer itself.
mod common;

use std::collections::BTreeSet;

use common::*;
use probity_service::auth::{Actor, Role};
use probity_service::cases::{self, Queue};
use probity_service::decisions;
use probity_service::domain::{CaseId, LicenceAction};
use probity_service::testing::{siel, Backend, RowCounts, Stage, TestDb, World, PASSWORD};
use probity_service::{advice, appeals, applications, case_view, documents, licences};

async fn another_organisation_sees_nothing(backend: Backend) {
    let db = TestDb::new(backend).await;
    let w = World::new(&db).await;
    let c = &w.ctx;
    let x = &w.other_exporter;
    let granted = w.case_at(Stage::Granted).await;
    let refused = w.case_at(Stage::Refused).await;
    let waiting = w.case_at(Stage::AwaitingExporter).await;
    let draft = applications::save_draft(c, &w.exporter, None, &siel("NO"))
        .await
        .unwrap();
    let licence = licences::for_case(c, &w.exporter, granted).await.unwrap()[0].clone();
    let doc = documents::for_case(c, &w.exporter, granted).await.unwrap()[0].clone();
    let question = cases::questions(c, &w.exporter, waiting).await.unwrap()[0].id;

    let before = RowCounts::of(&db.store).await;
    for id in [granted, refused, waiting, draft] {
        not_found(cases::get_case(c, x, id).await);
        not_found(case_view::case_view(c, x, id).await);
        not_found(cases::questions(c, x, id).await);
        not_found(cases::goods_and_parties(c, x, id).await);
        not_found(licences::for_case(c, x, id).await);
        not_found(documents::for_case(c, x, id).await);
        not_found(advice::summary(c, x, id).await);
    }
    not_found(licences::get(c, x, licence.id).await);
    not_found(documents::get(c, x, doc.id).await);
    // Nor can it act on them.
    not_found(
        licences::act(
            c,
            x,
            licence.id,
            LicenceAction::Surrender,
            "Not ours to surrender.",
        )
        .await,
    );
    not_found(appeals::appeal(c, x, refused, "Appealing someone else's refusal here.").await);
    not_found(cases::answer_question(c, x, waiting, question, "Answering for them.").await);
    not_found(
        applications::withdraw(c, x, waiting, "Withdrawing another organisation's case.").await,
    );
    not_found(applications::save_draft(c, x, Some(draft), &siel("SE")).await);
    not_found(applications::submit(c, x, draft).await);
    assert_eq!(RowCounts::of(&db.store).await, before);
    // The owner still sees all of it.
    assert_eq!(
        licences::get(c, &w.exporter, licence.id)
            .await
            .unwrap()
            .0
            .id,
        licence.id
    );
    assert_eq!(
        documents::get(c, &w.exporter, doc.id).await.unwrap().id,
        doc.id
    );
    // The exporter never sees internal advice, even on its own case.
    forbidden(advice::summary(c, &w.exporter, granted).await);
}

async fn advisers_see_only_cases_referred_to_their_team(backend: Backend) {
    let db = TestDb::new(backend).await;
    let w = World::new(&db).await;
    let c = &w.ctx;
    let id = w.case_at(Stage::UnderReview).await;
    // Before any referral, no adviser sees the case.
    not_found(cases::get_case(c, &w.fcdo_adviser, id).await);
    advice::request_advice(c, &w.caseworker, id, &[w.fcdo], "FCDO only, please.")
        .await
        .unwrap();
    cases::get_case(c, &w.fcdo_adviser, id).await.unwrap();
    advice::summary(c, &w.fcdo_adviser, id).await.unwrap();
    not_found(cases::get_case(c, &w.mod_adviser, id).await);
    not_found(case_view::case_view(c, &w.mod_adviser, id).await);
    not_found(advice::summary(c, &w.mod_adviser, id).await);
    let before = RowCounts::of(&db.store).await;
    not_found(advice::give_advice(c, &w.mod_adviser, id, &approve("NO")).await);
    assert_eq!(RowCounts::of(&db.store).await, before);
    advice::give_advice(c, &w.fcdo_adviser, id, &approve("NO"))
        .await
        .unwrap();
    let fcdo = cases::list_cases(c, &w.fcdo_adviser, Queue::Advice, 1, 50)
        .await
        .unwrap();
    assert_eq!(
        fcdo.items.iter().map(|s| s.id).collect::<Vec<_>>(),
        vec![id]
    );
    let mod_list = cases::list_cases(c, &w.mod_adviser, Queue::Advice, 1, 50)
        .await
        .unwrap();
    assert_eq!(mod_list.total, 0);
    assert!(mod_list.items.is_empty());
}

fn ids(page: &cases::Page<cases::CaseSummary>) -> BTreeSet<CaseId> {
    page.items.iter().map(|s| s.id).collect()
}

async fn list(w: &World, actor: &Actor, queue: Queue) -> BTreeSet<CaseId> {
    let page = cases::list_cases(&w.ctx, actor, queue, 1, 200)
        .await
        .unwrap();
    assert_eq!(page.total as usize, page.items.len(), "{queue:?}");
    ids(&page)
}

async fn each_role_lists_only_what_it_may_see(backend: Backend) {
    let db = TestDb::new(backend).await;
    let w = World::new(&db).await;
    let c = &w.ctx;
    let draft = applications::save_draft(c, &w.exporter, None, &siel("NO"))
        .await
        .unwrap();
    let submitted = w.case_at(Stage::Submitted).await;
    let waiting = w.case_at(Stage::AwaitingExporter).await;
    let advice_requested = w.case_at(Stage::AdviceRequested).await;
    let final_review = w.case_at(Stage::UnderFinalReview).await;
    let countersign = w.case_at(Stage::AwaitingCountersign).await;
    let granted = w.case_at(Stage::Granted).await;
    let (rival, _) = applications::submit_new(c, &w.other_exporter, &siel("SE"))
        .await
        .unwrap();
    let fcdo_only = w.case_at(Stage::UnderReview).await;
    advice::request_advice(c, &w.caseworker, fcdo_only, &[w.fcdo], "FCDO only.")
        .await
        .unwrap();
    let set = |v: &[CaseId]| v.iter().copied().collect::<BTreeSet<_>>();
    let acme_submitted = set(&[
        submitted,
        waiting,
        advice_requested,
        final_review,
        countersign,
        granted,
        fcdo_only,
    ]);

    // Exporters: their organisation's cases, drafts included, nobody else's.
    let mut acme = acme_submitted.clone();
    acme.insert(draft);
    assert_eq!(list(&w, &w.exporter, Queue::All).await, acme);
    assert_eq!(list(&w, &w.other_exporter, Queue::All).await, set(&[rival]));
    // Officials: everything submitted, never drafts.
    let mut everything = acme_submitted.clone();
    everything.insert(rival);
    for official in [&w.caseworker, &w.decision_maker, &w.policy, &w.oversight] {
        assert_eq!(
            list(&w, official, Queue::All).await,
            everything,
            "{:?}",
            official.role
        );
    }
    assert_eq!(
        list(&w, &w.caseworker, Queue::New).await,
        set(&[submitted, rival])
    );
    assert_eq!(
        list(&w, &w.caseworker, Queue::AwaitingExporter).await,
        set(&[waiting])
    );
    assert_eq!(
        list(&w, &w.caseworker, Queue::Mine).await,
        set(&[
            waiting,
            advice_requested,
            final_review,
            countersign,
            fcdo_only
        ])
    );
    assert_eq!(
        list(&w, &w.decision_maker, Queue::ForDecision).await,
        set(&[final_review, countersign])
    );
    assert_eq!(
        list(&w, &w.decision_maker, Queue::Closed).await,
        set(&[granted])
    );
    // Advisers: only what was referred to their team.
    assert_eq!(
        list(&w, &w.fcdo_adviser, Queue::Advice).await,
        set(&[
            advice_requested,
            final_review,
            countersign,
            granted,
            fcdo_only
        ])
    );
    assert_eq!(
        list(&w, &w.mod_adviser, Queue::Advice).await,
        set(&[advice_requested, final_review, countersign, granted])
    );

    // Queues that do not belong to a role are refused, and an admin reads no cases.
    for queue in Queue::ALL {
        forbidden(cases::list_cases(c, &w.admin, queue, 1, 20).await);
    }
    for (actor, queue) in [
        (&w.exporter, Queue::New),
        (&w.exporter, Queue::ForDecision),
        (&w.fcdo_adviser, Queue::All),
        (&w.caseworker, Queue::Advice),
        (&w.decision_maker, Queue::Mine),
    ] {
        forbidden(cases::list_cases(c, actor, queue, 1, 20).await);
    }
    // Pagination: pages partition the list, newest activity first.
    let p1 = cases::list_cases(c, &w.caseworker, Queue::All, 1, 3)
        .await
        .unwrap();
    let p2 = cases::list_cases(c, &w.caseworker, Queue::All, 2, 3)
        .await
        .unwrap();
    let p3 = cases::list_cases(c, &w.caseworker, Queue::All, 3, 3)
        .await
        .unwrap();
    assert_eq!(p1.total, 8);
    assert_eq!((p1.items.len(), p2.items.len(), p3.items.len()), (3, 3, 2));
    let all: Vec<_> = [p1.items, p2.items, p3.items].concat();
    assert_eq!(
        all.iter().map(|s| s.id).collect::<BTreeSet<_>>(),
        everything
    );
    for pair in all.windows(2) {
        assert!(pair[0].updated_at >= pair[1].updated_at);
    }
    // A case's history is for officials working it and for oversight, not exporters/advisers.
    for actor in [&w.caseworker, &w.decision_maker, &w.policy, &w.oversight] {
        assert!(!cases::history(c, actor, granted).await.unwrap().is_empty());
    }
    for actor in [&w.exporter, &w.fcdo_adviser, &w.admin] {
        forbidden(cases::history(c, actor, granted).await);
    }
}

/// Which roles may run each command; everyone else gets `Forbidden` and writes nothing.
async fn every_command_refuses_the_wrong_roles(backend: Backend) {
    let db = TestDb::new(backend).await;
    let w = World::new(&db).await;
    let c = &w.ctx;
    let under_review = w.case_at(Stage::UnderReview).await;
    let waiting = w.case_at(Stage::AwaitingExporter).await;
    let final_review = w.case_at(Stage::UnderFinalReview).await;
    let countersign = w.case_at(Stage::AwaitingCountersign).await;
    let refused = w.case_at(Stage::Refused).await;
    let granted = w.case_at(Stage::Granted).await;
    let licence = licences::for_case(c, &w.exporter, granted).await.unwrap()[0].id;
    let draft = applications::save_draft(c, &w.exporter, None, &siel("NO"))
        .await
        .unwrap();
    let question = cases::questions(c, &w.exporter, waiting).await.unwrap()[0].id;
    let decision = grant(&[]);

    use Role::*;
    let everyone = w.everyone();
    let before = RowCounts::of(&db.store).await;
    let mut checked = 0;
    macro_rules! only {
        ($allowed:expr, |$a:ident| $call:expr) => {{
            let allowed: &[Role] = &$allowed;
            for (label, $a) in &everyone {
                if allowed.contains(&$a.role) {
                    continue;
                }
                let r = $call.await;
                match r {
                    Err(probity_service::ServiceError::Forbidden(_)) => checked += 1,
                    other => panic!(
                        "{} as {label}: expected forbidden, got {other:?}",
                        stringify!($call)
                    ),
                }
            }
        }};
    }
    only!([Exporter], |a| applications::submit_new(c, a, &siel("NO")));
    only!([Exporter], |a| applications::save_draft(
        c,
        a,
        None,
        &siel("NO")
    ));
    only!([Exporter], |a| applications::submit(c, a, draft));
    only!([Exporter], |a| applications::withdraw(
        c,
        a,
        under_review,
        "Not needed any more."
    ));
    only!([Caseworker], |a| cases::assign_to_self(c, a, under_review));
    only!([Caseworker], |a| cases::ask_question(
        c,
        a,
        under_review,
        "Who operates it?"
    ));
    only!([Exporter], |a| cases::answer_question(
        c,
        a,
        waiting,
        question,
        "The army."
    ));
    only!([Caseworker], |a| advice::request_advice(
        c,
        a,
        under_review,
        &[w.fcdo],
        "Advise."
    ));
    only!([Adviser], |a| advice::give_advice(
        c,
        a,
        under_review,
        &approve("NO")
    ));
    only!([Caseworker], |a| advice::consolidate_final(
        c,
        a,
        under_review,
        "Consolidated now."
    ));
    only!([Caseworker], |a| decisions::submit_for_decision(
        c,
        a,
        under_review
    ));
    only!([DecisionMaker], |a| decisions::finalise(
        c,
        a,
        final_review,
        &decision
    ));
    only!([DecisionMaker], |a| decisions::countersign(
        c,
        a,
        countersign,
        "Agreed."
    ));
    only!([DecisionMaker], |a| decisions::return_to_caseworker(
        c,
        a,
        final_review,
        "Needs more advice."
    ));
    for action in [
        LicenceAction::Suspend,
        LicenceAction::Reinstate,
        LicenceAction::Revoke,
    ] {
        only!([DecisionMaker, Policy], |a| licences::act(
            c,
            a,
            licence,
            action,
            "A reason long enough."
        ));
    }
    for action in [LicenceAction::Surrender, LicenceAction::Exhaust] {
        only!([Exporter], |a| licences::act(
            c,
            a,
            licence,
            action,
            "A reason long enough."
        ));
    }
    // Nobody expires a licence by hand: the system does it by date.
    only!([], |a| licences::act(
        c,
        a,
        licence,
        LicenceAction::Expire,
        "A reason long enough."
    ));
    only!([Exporter], |a| appeals::appeal(
        c,
        a,
        refused,
        "Grounds of appeal that are long enough."
    ));
    only!([Oversight, Caseworker, DecisionMaker, Policy], |a| {
        cases::history(c, a, granted)
    });
    only!([Admin, Oversight], |a| probity_service::auth::list_users(
        c, a
    ));
    assert!(checked > 150, "{checked}");
    assert_eq!(RowCounts::of(&db.store).await, before);
}

const LOCAL: probity_service::sign_in::ClientAddr =
    probity_service::sign_in::ClientAddr(std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST));

async fn fixture_users_sign_in(backend: Backend) {
    let db = TestDb::new(backend).await;
    let w = World::new(&db).await;
    let c = &w.ctx;
    for (label, actor) in w.everyone() {
        let (session, signed_in) = probity_service::auth::login(c, &actor.email, PASSWORD, LOCAL)
            .await
            .unwrap_or_else(|e| panic!("{label} cannot sign in: {e}"))
            .complete()
            .expect("no fixture user has a second factor");
        assert_eq!(&signed_in, actor);
        let (again, _) = probity_service::auth::session_actor(c, &session.token)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(&again, actor);
    }
    let errors = invalid(
        probity_service::auth::login(c, "exporter@acme.test", "wrong password", LOCAL).await,
    );
    assert_eq!(errors[0].0, "email");
}

/// Internal advice and a decision awaiting countersignature are for officials: the exporter's
/// view of its own case carries neither.
async fn exporters_do_not_see_internal_advice(backend: Backend) {
    let db = TestDb::new(backend).await;
    let w = World::new(&db).await;
    let id = w.case_at(Stage::AwaitingCountersign).await;
    let official = case_view::case_view(&w.ctx, &w.caseworker, id)
        .await
        .unwrap();
    assert!(official.final_advice.is_some() && official.pending_decision.is_some());
    let exporter = case_view::case_view(&w.ctx, &w.exporter, id).await.unwrap();
    assert!(exporter.final_advice.is_none() && exporter.final_advice_reasons.is_none());
    assert!(exporter.pending_decision.is_none() && exporter.pending_decided_by.is_none());
    assert_eq!(exporter.status, official.status);
}

probity_service::backend_tests!(
    exporters_do_not_see_internal_advice,
    fixture_users_sign_in,
    another_organisation_sees_nothing,
    advisers_see_only_cases_referred_to_their_team,
    each_role_lists_only_what_it_may_see,
    every_command_refuses_the_wrong_roles,
);
