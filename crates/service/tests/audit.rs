//! The hash-chained audit log: every command appends its event, attributed to its actor;
//! verification recomputes the chain and names the first broken link exactly.
mod common;

use common::*;
use probity_service::domain::LicenceAction;
use probity_service::store::audit::{self, BrokenLink};
use probity_service::store::Store;
use probity_service::testing::{siel, Backend, Stage, TestDb, World};
use probity_service::{advice, appeals, applications, auth::Actor, cases, decisions, licences};
use sqlx::Row;

/// Check that a command appended exactly `actions` (in order), attributed to `actor`
/// (`None`: the system), and that the chain still verifies.
async fn appended(store: &Store, since: i64, actions: &[&str], actor: Option<&Actor>) -> i64 {
    let rows = sqlx::query(
        "SELECT seq, action, actor_role, actor_id FROM audit_events WHERE seq > $1 ORDER BY seq",
    )
    .bind(since)
    .fetch_all(store.pool())
    .await
    .unwrap();
    let got: Vec<String> = rows.iter().map(|r| r.get::<String, _>(1)).collect();
    assert_eq!(got, actions, "events after {since}");
    for r in &rows {
        let role: String = r.get(2);
        let id: Option<String> = r.get(3);
        match actor {
            Some(a) => {
                assert_eq!(role, a.role.as_str());
                assert_eq!(id, Some(a.user_id.to_string()));
            }
            None => {
                assert_eq!(role, "system");
                assert_eq!(id, None);
            }
        }
    }
    let head = rows.last().map(|r| r.get::<i64, _>(0)).unwrap_or(since);
    let report = audit::verify(store).await.unwrap().expect("chain verifies");
    assert_eq!(report.events, head);
    head
}

async fn every_command_appends_its_event(backend: Backend) {
    let db = TestDb::new(backend).await;
    let w = World::new(&db).await;
    let c = &w.ctx;
    let s = &db.store;
    // The world itself: 3 teams, 2 organisations, 10 users, each audited by the system.
    let mut seq = appended(
        s,
        0,
        &[
            &["team.create"; 3][..],
            &["organisation.create"; 2],
            &["user.create"; 10],
        ]
        .concat(),
        None,
    )
    .await;
    assert_eq!(seq, 15);

    let draft = applications::save_draft(c, &w.exporter, None, &siel("NO"))
        .await
        .unwrap();
    seq = appended(s, seq, &["application.save_draft"], Some(&w.exporter)).await;
    applications::submit(c, &w.exporter, draft).await.unwrap();
    seq = appended(s, seq, &["application.submit"], Some(&w.exporter)).await;
    let (id, _) = applications::submit_new(c, &w.exporter, &siel("NO"))
        .await
        .unwrap();
    seq = appended(s, seq, &["application.submit"], Some(&w.exporter)).await;
    applications::withdraw(c, &w.exporter, draft, "Sent the wrong quantities.")
        .await
        .unwrap();
    seq = appended(s, seq, &["application.withdraw"], Some(&w.exporter)).await;
    cases::assign_to_self(c, &w.caseworker, id).await.unwrap();
    seq = appended(s, seq, &["case.assign"], Some(&w.caseworker)).await;
    let q = cases::ask_question(c, &w.caseworker, id, "Which unit will use the sights?")
        .await
        .unwrap();
    seq = appended(s, seq, &["case.ask_exporter"], Some(&w.caseworker)).await;
    cases::answer_question(c, &w.exporter, id, q, "The border guard.")
        .await
        .unwrap();
    seq = appended(s, seq, &["case.exporter_responds"], Some(&w.exporter)).await;
    advice::request_advice(
        c,
        &w.caseworker,
        id,
        &[w.fcdo, w.mod_team],
        "Please advise.",
    )
    .await
    .unwrap();
    seq = appended(s, seq, &["advice.request"], Some(&w.caseworker)).await;
    advice::give_advice(c, &w.fcdo_adviser, id, &refuse("NO", &["2c"]))
        .await
        .unwrap();
    seq = appended(s, seq, &["advice.give"], Some(&w.fcdo_adviser)).await;
    advice::give_advice(c, &w.mod_adviser, id, &approve("NO"))
        .await
        .unwrap();
    seq = appended(s, seq, &["advice.give"], Some(&w.mod_adviser)).await;
    advice::consolidate_final(c, &w.caseworker, id, "The teams disagree.")
        .await
        .unwrap();
    seq = appended(s, seq, &["advice.consolidate_final"], Some(&w.caseworker)).await;
    decisions::submit_for_decision(c, &w.caseworker, id)
        .await
        .unwrap();
    seq = appended(s, seq, &["case.submit_for_decision"], Some(&w.caseworker)).await;
    decisions::finalise(c, &w.decision_maker, id, &grant(&[]))
        .await
        .unwrap_err();
    seq = appended(s, seq, &["case.finalise_refused"], Some(&w.decision_maker)).await;
    decisions::return_to_caseworker(c, &w.decision_maker, id, "Please resolve the disagreement.")
        .await
        .unwrap();
    seq = appended(s, seq, &["case.return"], Some(&w.decision_maker)).await;
    decisions::submit_for_decision(c, &w.caseworker, id)
        .await
        .unwrap();
    seq = appended(s, seq, &["case.submit_for_decision"], Some(&w.caseworker)).await;
    let mut send = refusal(&["2c"], "The FCDO's clear-risk finding prevails here.");
    send.countersign = true;
    decisions::finalise(c, &w.decision_maker, id, &send)
        .await
        .unwrap();
    seq = appended(
        s,
        seq,
        &["case.finalise_for_countersign"],
        Some(&w.decision_maker),
    )
    .await;
    decisions::countersign(c, &w.second_decision_maker, id, "Agreed.")
        .await
        .unwrap();
    seq = appended(
        s,
        seq,
        &["case.countersign", "case.finalise"],
        Some(&w.second_decision_maker),
    )
    .await;
    let (appeal, _) = appeals::appeal(
        c,
        &w.exporter,
        id,
        "The end user now has monitoring in place.",
    )
    .await
    .unwrap();
    appended(
        s,
        seq,
        &["appeal.lodge", "case.appealed"],
        Some(&w.exporter),
    )
    .await;
    assess(&w, appeal, &approve("NO")).await;
    seq = audit::verify(s).await.unwrap().unwrap().events;
    decisions::finalise(c, &w.decision_maker, appeal, &grant(&[]))
        .await
        .unwrap();
    seq = appended(s, seq, &["case.finalise"], Some(&w.decision_maker)).await;
    let licence = licences::for_case(c, &w.exporter, appeal).await.unwrap()[0].id;
    licences::act(
        c,
        &w.policy,
        licence,
        LicenceAction::Suspend,
        "Suspended during review.",
    )
    .await
    .unwrap();
    seq = appended(s, seq, &["licence.suspend"], Some(&w.policy)).await;
    licences::act(
        c,
        &w.decision_maker,
        licence,
        LicenceAction::Reinstate,
        "Review complete: no concerns remain.",
    )
    .await
    .unwrap();
    seq = appended(s, seq, &["licence.reinstate"], Some(&w.decision_maker)).await;
    licences::act(
        c,
        &w.exporter,
        licence,
        LicenceAction::Surrender,
        "Contract cancelled by the buyer.",
    )
    .await
    .unwrap();
    appended(s, seq, &["licence.surrender"], Some(&w.exporter)).await;
    w.case_at(Stage::Granted).await;
    seq = audit::verify(s).await.unwrap().unwrap().events;
    w.clock.advance(time::Duration::days(800));
    licences::expire_due(c).await.unwrap();
    seq = appended(s, seq, &["licence.expire"], None).await;
    let new = probity_service::tokens::NewToken {
        name: "ERP system".into(),
        ..Default::default()
    };
    let token = probity_service::tokens::create(c, &w.exporter, &new)
        .await
        .unwrap()
        .token;
    assert!(token.starts_with("prb_"));
    appended(s, seq, &["api_token.create"], Some(&w.exporter)).await;

    // An oversight user reads a case's whole history, oldest first.
    let history = cases::history(c, &w.oversight, id).await.unwrap();
    let actions: Vec<&str> = history.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        vec![
            "application.submit",
            "case.assign",
            "case.ask_exporter",
            "case.exporter_responds",
            "advice.request",
            "advice.give",
            "advice.give",
            "advice.consolidate_final",
            "case.submit_for_decision",
            "case.finalise_refused",
            "case.return",
            "case.submit_for_decision",
            "case.finalise_for_countersign",
            "case.countersign",
            "case.finalise",
            "case.appealed",
        ]
    );
    assert!(history
        .windows(2)
        .all(|p| p[0].seq < p[1].seq && p[0].at <= p[1].at));
    let assign = &history[1];
    assert_eq!(assign.detail["status_before"], "submitted");
    assert_eq!(assign.detail["status_after"], "under_review");
}

/// A populated chain to tamper with: (store, number of events).
async fn populated(backend: Backend) -> (TestDb, i64) {
    let db = TestDb::new(backend).await;
    let w = World::new(&db).await;
    w.case_at(Stage::Granted).await;
    w.case_at(Stage::Refused).await;
    let n = audit::verify(&db.store).await.unwrap().unwrap().events;
    assert!(n > 30);
    (db, n)
}

async fn exec(store: &Store, sql: &str) {
    sqlx::query(sql).execute(store.pool()).await.unwrap();
}

async fn broken(store: &Store) -> BrokenLink {
    audit::verify(store)
        .await
        .unwrap()
        .expect_err("the tampering is detected")
}

async fn tampering_is_detected_at_the_first_broken_link(backend: Backend) {
    let (db, n) = populated(backend).await;
    let s = &db.store;
    let k = 20;
    let original: (String, String) =
        sqlx::query_as("SELECT detail_json, hash FROM audit_events WHERE seq = 20")
            .fetch_one(s.pool())
            .await
            .unwrap();

    // Edited contents.
    exec(
        s,
        "UPDATE audit_events SET detail_json = '{\"reason\":\"nothing to see\"}' WHERE seq = 20",
    )
    .await;
    let b = broken(s).await;
    assert_eq!(b.seq, k);
    assert!(b.reason.contains("altered"), "{b}");
    assert_eq!(
        b.to_string(),
        format!("audit chain broken at event {k}: {}", b.reason)
    );
    // Restoring the original contents makes the chain whole again.
    sqlx::query("UPDATE audit_events SET detail_json = $1 WHERE seq = 20")
        .bind(&original.0)
        .execute(s.pool())
        .await
        .unwrap();
    assert_eq!(audit::verify(s).await.unwrap().unwrap().events, n);

    // Every other field is covered by the hash too.
    let (role, at): (String, i64) =
        sqlx::query_as("SELECT actor_role, at FROM audit_events WHERE seq = 20")
            .fetch_one(s.pool())
            .await
            .unwrap();
    exec(
        s,
        "UPDATE audit_events SET actor_role = 'admin' WHERE seq = 20",
    )
    .await;
    assert_eq!(broken(s).await.seq, k);
    sqlx::query("UPDATE audit_events SET actor_role = $1 WHERE seq = 20")
        .bind(&role)
        .execute(s.pool())
        .await
        .unwrap();
    exec(s, "UPDATE audit_events SET at = at + 1 WHERE seq = 20").await;
    assert_eq!(broken(s).await.seq, k);
    sqlx::query("UPDATE audit_events SET at = $1 WHERE seq = 20")
        .bind(at)
        .execute(s.pool())
        .await
        .unwrap();
    assert_eq!(audit::verify(s).await.unwrap().unwrap().events, n);

    // A rewritten hash no longer matches its event; a rewritten previous-hash no longer
    // matches the event before.
    exec(
        s,
        "UPDATE audit_events SET hash = 'feedbeef' WHERE seq = 20",
    )
    .await;
    assert_eq!(broken(s).await.seq, k);
    sqlx::query("UPDATE audit_events SET hash = $1 WHERE seq = 20")
        .bind(&original.1)
        .execute(s.pool())
        .await
        .unwrap();
    exec(
        s,
        "UPDATE audit_events SET prev_hash = 'cafe' WHERE seq = 21",
    )
    .await;
    let b = broken(s).await;
    assert_eq!(b.seq, 21);
    assert!(b.reason.contains("previous-hash"), "{b}");
    sqlx::query("UPDATE audit_events SET prev_hash = $1 WHERE seq = 21")
        .bind(&original.1)
        .execute(s.pool())
        .await
        .unwrap();
    assert!(audit::verify(s).await.unwrap().is_ok());

    // A deleted event is named as missing.
    exec(s, "DELETE FROM audit_events WHERE seq = 20").await;
    let b = broken(s).await;
    assert_eq!(b.seq, k);
    assert!(b.reason.contains("missing"), "{b}");
    // The first of several breaks is the one named.
    exec(
        s,
        "UPDATE audit_events SET detail_json = '{}' WHERE seq = 7",
    )
    .await;
    assert_eq!(broken(s).await.seq, 7);
}

/// Verification pages through long chains: a break past the first page is still named.
async fn long_chains_verify_across_pages(backend: Backend) {
    let db = TestDb::new(backend).await;
    let s = &db.store;
    let mut tx = s.begin_command().await.unwrap();
    let at = time::macros::datetime!(2026-03-02 09:00 UTC);
    for i in 0..5_010 {
        audit::append(
            &mut tx,
            audit::NewEvent {
                at,
                actor_id: None,
                actor_role: "system",
                action: "test.event",
                subject_type: "test",
                subject_id: &i.to_string(),
                detail: serde_json::json!({ "i": i }),
            },
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    let report = audit::verify(s).await.unwrap().unwrap();
    assert_eq!(report.events, 5_010);
    exec(
        s,
        "UPDATE audit_events SET detail_json = '{\"i\":0}' WHERE seq = 5003",
    )
    .await;
    assert_eq!(broken(s).await.seq, 5_003);
    exec(
        s,
        "UPDATE audit_events SET detail_json = '{\"i\":5002}' WHERE seq = 5003",
    )
    .await;
    assert!(audit::verify(s).await.unwrap().is_ok());
    exec(s, "DELETE FROM audit_events WHERE seq = 5001").await;
    assert_eq!(broken(s).await.seq, 5_001);
}

probity_service::backend_tests!(
    every_command_appends_its_event,
    tampering_is_detected_at_the_first_broken_link,
    long_chains_verify_across_pages,
);
