//! Helpers shared by the conformance tests (each test file uses a subset).
#![allow(dead_code)]

use probity_service::advice::AdviceInput;
use probity_service::decisions::{DecisionInput, Finalised};
use probity_service::domain::{ApplicationInput, CaseId, GoodsLineInput};
use probity_service::store::Store;
use probity_service::testing::{siel, World};
use probity_service::{advice, applications, cases, decisions, ServiceError, ServiceResult};
use sqlx::Row;

pub fn approve(destination: &str) -> AdviceInput {
    AdviceInput {
        destination: destination.into(),
        kind: "approve".into(),
        proviso: String::new(),
        criteria: vec![],
        reasons: "No concerns under any criterion.".into(),
    }
}

pub fn proviso(destination: &str, text: &str) -> AdviceInput {
    AdviceInput {
        destination: destination.into(),
        kind: "proviso".into(),
        proviso: text.into(),
        criteria: vec![],
        reasons: "Acceptable with a condition on re-export.".into(),
    }
}

pub fn refuse(destination: &str, criteria: &[&str]) -> AdviceInput {
    AdviceInput {
        destination: destination.into(),
        kind: "refuse".into(),
        proviso: String::new(),
        criteria: criteria.iter().map(|c| c.to_string()).collect(),
        reasons: "A clear risk under the cited criteria.".into(),
    }
}

pub fn nlr(destination: &str) -> AdviceInput {
    AdviceInput {
        destination: destination.into(),
        kind: "no_licence_required".into(),
        proviso: String::new(),
        criteria: vec![],
        reasons: "The goods are not on any control list.".into(),
    }
}

pub fn grant(provisos: &[&str]) -> DecisionInput {
    DecisionInput {
        decision: probity_domain::DecisionKind::Grant,
        provisos: provisos.iter().map(|p| p.to_string()).collect(),
        criteria: vec![],
        reasons: "Granted on the consolidated advice and the case record.".into(),
        conflict_resolution: String::new(),
        countersign: false,
        ..Default::default()
    }
}

pub fn refusal(criteria: &[&str], resolution: &str) -> DecisionInput {
    DecisionInput {
        decision: probity_domain::DecisionKind::Refuse,
        provisos: vec![],
        criteria: criteria.iter().map(|c| c.to_string()).collect(),
        reasons: "Refused: the risk identified by the advisers is clear.".into(),
        conflict_resolution: resolution.into(),
        countersign: false,
        ..Default::default()
    }
}

pub fn no_licence() -> DecisionInput {
    DecisionInput {
        decision: probity_domain::DecisionKind::NoLicenceRequired,
        provisos: vec![],
        criteria: vec![],
        reasons: "The goods described do not need an export licence.".into(),
        conflict_resolution: String::new(),
        countersign: false,
        ..Default::default()
    }
}

/// Words that must never appear in a public record: the exporter, the parties, the exact
/// goods descriptions and the end-use statement of `distinctive_application`.
pub const CONFIDENTIAL: &[&str] = &[
    "Acme Defence",
    "Rival Arms",
    "0100001",
    "High Street",
    "exporter@acme.test",
    "Quokka",
    "Wombat",
    "Numbat",
    "Zephyrine",
    "Kasernevegen",
    "Fjordlogistikk",
    "Havnegata",
    "Pasvik",
];

/// A standard licence application to `destination` whose confidential fields are easy to
/// spot, with three lines: one with two ratings, and two lines sharing a rating entry.
pub fn distinctive_application(destination: &str) -> ApplicationInput {
    let mut a = siel(destination);
    a.goods = vec![
        GoodsLineInput {
            description: "Quokka-7 gyrostabilised sighting units".into(),
            ratings: vec!["ML15b".into(), "ML11a".into()],
            quantity: "12".into(),
            unit: "items".into(),
            value: "1000.50".into(),
            incorporated: false,
        },
        GoodsLineInput {
            description: "Wombat encrypted radio handsets".into(),
            ratings: vec!["5A002a".into()],
            quantity: "3".into(),
            unit: "items".into(),
            value: "250.00".into(),
            incorporated: true,
        },
        GoodsLineInput {
            description: "Numbat spare sighting lenses".into(),
            ratings: vec!["ML15c".into()],
            quantity: "100".into(),
            unit: "items".into(),
            value: "49.50".into(),
            incorporated: false,
        },
    ];
    a.parties[0].name = "Brigadier Zephyrine Okonkwo-Lindqvist".into();
    a.parties[0].address = "Kasernevegen 99, Bardufoss".into();
    a.parties[1].name = "Fjordlogistikk Depot AS".into();
    a.parties[1].address = "Havnegata 1, Tromso".into();
    a.end_use_statement =
        "Night-time patrols along the Pasvik valley by the garrison at the border.".into();
    a
}

/// Submit `input` as `w.exporter`, take it, ask both teams, record `fcdo` and `mod_advice`,
/// consolidate and submit for decision.
pub async fn to_final_review(
    w: &World,
    input: &ApplicationInput,
    fcdo: &[AdviceInput],
    mod_advice: &[AdviceInput],
) -> CaseId {
    let c = &w.ctx;
    let (id, _) = applications::submit_new(c, &w.exporter, input)
        .await
        .expect("submit");
    cases::assign_to_self(c, &w.caseworker, id)
        .await
        .expect("assign");
    advice::request_advice(
        c,
        &w.caseworker,
        id,
        &[w.fcdo, w.mod_team],
        "Please advise.",
    )
    .await
    .expect("request advice");
    for a in fcdo {
        advice::give_advice(c, &w.fcdo_adviser, id, a)
            .await
            .expect("FCDO advice");
    }
    for a in mod_advice {
        advice::give_advice(c, &w.mod_adviser, id, a)
            .await
            .expect("MOD advice");
    }
    advice::consolidate_final(c, &w.caseworker, id, "Consolidated from both teams.")
        .await
        .expect("consolidate");
    decisions::submit_for_decision(c, &w.caseworker, id)
        .await
        .expect("submit for decision");
    id
}

/// Take an already submitted case (e.g. an appeal) to final review with the same advice
/// from both teams.
pub async fn assess(w: &World, id: CaseId, advice_each: &AdviceInput) {
    let c = &w.ctx;
    cases::assign_to_self(c, &w.caseworker, id)
        .await
        .expect("assign");
    advice::request_advice(
        c,
        &w.caseworker,
        id,
        &[w.fcdo, w.mod_team],
        "Please advise.",
    )
    .await
    .expect("request advice");
    advice::give_advice(c, &w.fcdo_adviser, id, advice_each)
        .await
        .expect("FCDO advice");
    advice::give_advice(c, &w.mod_adviser, id, advice_each)
        .await
        .expect("MOD advice");
    advice::consolidate_final(c, &w.caseworker, id, "Consolidated from both teams.")
        .await
        .expect("consolidate");
    decisions::submit_for_decision(c, &w.caseworker, id)
        .await
        .expect("submit for decision");
}

pub async fn decide(w: &World, id: CaseId, d: &DecisionInput) -> Finalised {
    decisions::finalise(&w.ctx, &w.decision_maker, id, d)
        .await
        .expect("finalise")
}

/// The message of a `Conflict`, or a panic naming what came instead.
#[track_caller]
pub fn conflict<T: std::fmt::Debug>(r: ServiceResult<T>) -> String {
    match r {
        Err(ServiceError::Conflict(m)) => m,
        other => panic!("expected a conflict, got {other:?}"),
    }
}

#[track_caller]
pub fn not_found<T: std::fmt::Debug>(r: ServiceResult<T>) {
    match r {
        Err(ServiceError::NotFound(_)) => {}
        other => panic!("expected not found, got {other:?}"),
    }
}

#[track_caller]
pub fn forbidden<T: std::fmt::Debug>(r: ServiceResult<T>) {
    match r {
        Err(ServiceError::Forbidden(_)) => {}
        other => panic!("expected forbidden, got {other:?}"),
    }
}

/// The (field, message) pairs of a `Validation` error.
#[track_caller]
pub fn invalid<T: std::fmt::Debug>(r: ServiceResult<T>) -> Vec<(String, String)> {
    match r {
        Err(ServiceError::Validation(v)) => v.0.into_iter().map(|e| (e.field, e.message)).collect(),
        other => panic!("expected a validation error, got {other:?}"),
    }
}

/// The newest audit event: (seq, action, actor role, actor id, subject id, detail).
pub async fn last_event(store: &Store) -> (i64, String, String, Option<String>, String, String) {
    let r = sqlx::query(
        "SELECT seq, action, actor_role, actor_id, subject_id, detail_json FROM audit_events \
         ORDER BY seq DESC LIMIT 1",
    )
    .fetch_one(store.pool())
    .await
    .expect("an audit event");
    (r.get(0), r.get(1), r.get(2), r.get(3), r.get(4), r.get(5))
}

/// Actions of the audit events after `seq`, oldest first.
pub async fn actions_since(store: &Store, seq: i64) -> Vec<String> {
    sqlx::query_scalar("SELECT action FROM audit_events WHERE seq > $1 ORDER BY seq")
        .bind(seq)
        .fetch_all(store.pool())
        .await
        .expect("audit actions")
}

/// The raw JSON of every outbox row, oldest first.
pub async fn outbox_json(store: &Store) -> Vec<String> {
    sqlx::query_scalar("SELECT record_json FROM decision_outbox ORDER BY seq")
        .fetch_all(store.pool())
        .await
        .expect("outbox")
}

#[track_caller]
pub fn assert_public(json: &str) {
    for secret in CONFIDENTIAL {
        assert!(
            !json.contains(secret),
            "a public record leaks {secret:?}: {json}"
        );
    }
}

/// The shared data folder `sub` (e.g. `caat-uk`): under `PROBITY_SHARED_DATA` (scripts/test.sh
/// exports it), else under `../shared/data` beside the repository. Panics saying where it
/// looked when absent: the tests that need it never pass without it.
pub fn shared_data(sub: &str) -> std::path::PathBuf {
    let base = match std::env::var_os("PROBITY_SHARED_DATA") {
        Some(d) if !d.is_empty() => std::path::PathBuf::from(d),
        _ => std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"),
    };
    let dir = base.join(sub);
    assert!(
        dir.exists(),
        "shared test data not found at {} (set PROBITY_SHARED_DATA to the shared/data folder, \
         as scripts/test.sh does); these tests refuse to pass without it",
        dir.display()
    );
    dir
}
